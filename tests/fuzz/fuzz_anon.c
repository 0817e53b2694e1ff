/*
 * Fuzz target: analyzer/anon (point text from peers -> published prefix) and
 * the report escapers (peer text -> HTML/Markdown/CSV).
 *
 * Invariants checked: anon_point always NUL-terminates inside cap, and when it
 * says it truncated, the text ends in /24 or /48; the HTML escape leaves no
 * raw < > " ' and no control byte; the CSV field is one quoted field.
 *
 * `make fuzz` links fuzzers with lib/ only, so the two analyzer sources are
 * compiled in here; the corpus replay of `make check` then takes these
 * definitions instead of the copies in build/analyzer.a.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../analyzer/anon.c"
#include "../../analyzer/report_util.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	char out[ANON_POINT_CAP];
	memset(out, 'x', sizeof out);
	bool t = anon_point(s, out, sizeof out);
	size_t n = strnlen(out, sizeof out);
	if (n == sizeof out)
		abort();
	if (t && (n < 3 || (strcmp(out + n - 3, "/24") != 0 && strcmp(out + n - 3, "/48") != 0)))
		abort();

	struct rbuf h = {0}, m = {0}, c = {0};
	rbuf_html(&h, s);
	rbuf_md(&m, s);
	rbuf_csv(&c, s);
	for (size_t i = 0; i < h.len; i++) {
		unsigned char ch = (unsigned char)h.p[i];
		if (ch == '<' || ch == '>' || ch == '"' || ch == '\'' || ch < 0x20 || ch == 0x7f)
			abort();
	}
	for (size_t i = 0; i < m.len; i++)
		if ((unsigned char)m.p[i] < 0x20)
			abort();
	if (c.len < 2 || c.p[0] != '"' || c.p[c.len - 1] != '"')
		abort();
	for (size_t i = 1; i + 1 < c.len; i++) { /* inner quotes come in pairs */
		if (c.p[i] == '"') {
			if (c.p[i + 1] != '"' || i + 2 >= c.len)
				abort();
			i++;
		}
	}
	rbuf_free(&h);
	rbuf_free(&m);
	rbuf_free(&c);
	free(s);
	return 0;
}
