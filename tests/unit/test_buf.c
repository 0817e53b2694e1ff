/* Unit tests for lib/core/buf: the growth rule, array_reserve, the byte buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"

static void test_grow_cap(void **state)
{
	(void)state;
	assert_int_equal(grow_cap(0, 1, 256, SIZE_MAX), 256);     /* first allocation */
	assert_int_equal(grow_cap(0, 300, 256, SIZE_MAX), 512);   /* doubled from first */
	assert_int_equal(grow_cap(256, 200, 64, SIZE_MAX), 256);  /* fits: unchanged */
	assert_int_equal(grow_cap(256, 257, 64, SIZE_MAX), 512);  /* one more: doubles */
	assert_int_equal(grow_cap(1024, 5000, 64, SIZE_MAX), 8192);
	assert_int_equal(grow_cap(1024, 1500, 64, 1500), 1500);   /* clamped to max */
	assert_int_equal(grow_cap(1024, 1501, 64, 1500), 0);      /* over max */
	assert_int_equal(grow_cap(SIZE_MAX / 2 + 1, SIZE_MAX, 1, SIZE_MAX), SIZE_MAX); /* no wrap */
}

static void test_array_reserve(void **state)
{
	(void)state;
	uint32_t *a = NULL;
	size_t cap = 0;
	assert_int_equal(array_reserve((void **)&a, &cap, 1, sizeof *a, 8), ERR_OK);
	assert_int_equal(cap, 8);
	for (uint32_t i = 0; i < 8; i++)
		a[i] = i;
	assert_int_equal(array_reserve((void **)&a, &cap, 9, sizeof *a, 8), ERR_OK);
	assert_int_equal(cap, 16);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(a[i], i); /* content kept */
	uint32_t *before = a;
	assert_int_equal(array_reserve((void **)&a, &cap, 16, sizeof *a, 8), ERR_OK);
	assert_ptr_equal(a, before); /* fits: no realloc */
	assert_int_equal(array_reserve((void **)&a, &cap, SIZE_MAX / 2, sizeof *a, 8), ERR_TOOBIG);
	assert_int_equal(cap, 16);
	free(a);
}

static void test_buf(void **state)
{
	(void)state;
	struct buf b = {0};
	assert_int_equal(buf_append(&b, "abc", 3), ERR_OK);
	assert_int_equal(b.cap, 4096);
	static uint8_t big[10000];
	memset(big, 'x', sizeof big);
	assert_int_equal(buf_append(&b, big, sizeof big), ERR_OK);
	assert_int_equal(b.len, 10003);
	assert_int_equal(b.cap, 16384);
	assert_memory_equal(b.p, "abcxx", 5);
	assert_int_equal(buf_reserve(&b, SIZE_MAX), ERR_TOOBIG);
	assert_int_equal(b.len, 10003);
	buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len + b.cap, 0);
	buf_free(&b); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_cap),
		cmocka_unit_test(test_array_reserve),
		cmocka_unit_test(test_buf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
