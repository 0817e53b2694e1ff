/* Unit tests for lib/core: big-endian helpers, bounded reader/writer, hex, err names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/hex.h"

static void test_be_roundtrip(void **state)
{
	(void)state;
	uint8_t b[8];
	be16_put(b, 0xbeef);
	assert_int_equal(b[0], 0xbe);
	assert_int_equal(be16_get(b), 0xbeef);
	be32_put(b, 0x01020304u);
	assert_memory_equal(b, "\x01\x02\x03\x04", 4);
	assert_int_equal(be32_get(b), 0x01020304u);
	be64_put(b, 0x0102030405060708ull);
	assert_true(be64_get(b) == 0x0102030405060708ull);
}

static void test_reader_truncated(void **state)
{
	(void)state;
	const uint8_t in[3] = {0, 1, 2};
	struct rd r = rd_make(in, sizeof in);
	uint32_t v32;
	assert_int_equal(rd_u32(&r, &v32), ERR_AGAIN);
	assert_int_equal(r.len, 3); /* nothing consumed */
	uint16_t v16;
	assert_int_equal(rd_u16(&r, &v16), ERR_OK);
	assert_int_equal(v16, 1);
	assert_int_equal(r.len, 1);
}

static void test_writer_full(void **state)
{
	(void)state;
	uint8_t buf[5];
	struct wr w = wr_make(buf, sizeof buf);
	assert_int_equal(wr_u32(&w, 7), ERR_OK);
	assert_int_equal(wr_u16(&w, 7), ERR_FULL);
	assert_int_equal(w.len, 4);
	assert_int_equal(wr_u8(&w, 9), ERR_OK);
	assert_int_equal(wr_u8(&w, 9), ERR_FULL);
}

static void test_hex(void **state)
{
	(void)state;
	const uint8_t in[3] = {0x00, 0xab, 0xff};
	char text[7];
	hex_encode(text, in, 3);
	assert_string_equal(text, "00abff");
	uint8_t out[3];
	size_t n;
	assert_int_equal(hex_decode(out, 3, &n, "00ABff", 6), ERR_OK);
	assert_int_equal(n, 3);
	assert_memory_equal(out, in, 3);
	assert_int_equal(hex_decode(out, 3, &n, "0", 1), ERR_PROTO);
	assert_int_equal(hex_decode(out, 3, &n, "0g", 2), ERR_PROTO);
	assert_int_equal(hex_decode(out, 1, &n, "0000", 4), ERR_TOOBIG);
}

static void test_err_names(void **state)
{
	(void)state;
	assert_string_equal(err_str(ERR_OK), "ok");
	assert_string_equal(err_str(ERR_AGAIN), "again");
	assert_string_equal(err_str(ERR_INVAL), "inval");
	assert_string_equal(err_str(ERR_NOMEM), "nomem");
	assert_string_equal(err_str(ERR_FULL), "full");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_be_roundtrip),
		cmocka_unit_test(test_reader_truncated),
		cmocka_unit_test(test_writer_full),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_err_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
