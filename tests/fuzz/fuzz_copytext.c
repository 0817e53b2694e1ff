/*
 * Fuzz target: peer bytes (a chain name) through the COPY encoder
 * (lib/db/batch). The encoded line must be one line of exactly 23 fields,
 * without NUL, and the safe text form must hold no control character (C0,
 * DEL, C1) and be a fixed point (safe(safe(x)) == safe(x)).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf s1 = {0}, s2 = {0};
	if (db_text_safe(&s1, data, size) != ERR_OK)
		abort();
	for (size_t i = 0; i < s1.len; i++) {
		uint8_t c = s1.p[i];
		if (c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < s1.len && s1.p[i + 1] < 0xa0))
			abort(); /* a control character a terminal would obey */
	}
	if (db_text_safe(&s2, s1.p, s1.len) != ERR_OK || s2.len != s1.len ||
	    (s1.len && memcmp(s1.p, s2.p, s1.len) != 0))
		abort(); /* valid UTF-8 without NUL maps to itself */
	buf_free(&s1);
	buf_free(&s2);

	struct db_batch b;
	db_batch_init(&b);
	struct visit_rec v;
	visit_rec_init(&v);
	v.seq = 1;
	v.point = "127.0.0.1:9732";
	v.chain_name = size ? data : (const uint8_t *)"";
	v.chain_name_len = size;
	if (db_batch_add_visit(&b, &v) != ERR_OK)
		abort();
	size_t tabs = 0;
	for (size_t i = 0; i < b.visits.len; i++) {
		uint8_t c = b.visits.p[i];
		if (c == 0 || (c == '\n' && i != b.visits.len - 1))
			abort();
		if (c == '\\')
			i++; /* an escape pair */
		else if (c == '\t')
			tabs++;
	}
	if (tabs != 22 || b.visits.p[b.visits.len - 1] != '\n')
		abort();
	db_batch_cleanup(&b);
	return 0;
}
