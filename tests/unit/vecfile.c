/* Shared unit-test helper: JSON vector files and hex fields (see vecfile.h). */
#include "vecfile.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/hex.h"

json_t *vecfile_load(const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "tests/data/vectors/%s", name);
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root)
		fail_msg("%s:%d: %s", path, je.line, je.text);
	return root;
}

const char *vecfile_str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		fail_msg("vector member '%s' missing or not a string", key);
	return json_string_value(v);
}

uint8_t *vecfile_unhex(const char *text, size_t *len)
{
	size_t tl = strlen(text);
	uint8_t *out = malloc(tl / 2 + 1);
	assert_non_null(out);
	size_t n = 0;
	if (hex_decode(out, tl / 2 + 1, &n, text, tl) != ERR_OK)
		fail_msg("bad hex in vector: %.40s", text);
	*len = n;
	return out;
}

uint8_t *vecfile_hex(const json_t *obj, const char *key, size_t *len)
{
	return vecfile_unhex(vecfile_str(obj, key), len);
}

void vecfile_hex_fixed(const json_t *obj, const char *key, uint8_t *out, size_t len)
{
	size_t n;
	uint8_t *b = vecfile_hex(obj, key, &n);
	if (n != len)
		fail_msg("vector member '%s': %zu bytes, want %zu", key, n, len);
	memcpy(out, b, len);
	free(b);
}

char *vecfile_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (cap - n < 4097) {
			cap = grow_cap(cap, n + 4097, 65536, SIZE_MAX);
			char *nb = realloc(buf, cap);
			assert_non_null(nb);
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		if (got == 0)
			break;
		n += got;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}
