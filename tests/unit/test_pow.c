/*
 * Unit tests for lib/p2p/pow and the stamp search: every vector of
 * proof_of_work.json (targets incl. the fractional 25.5, the little-endian
 * reading, pass/fail cases with their bit counts), the target formula for
 * every whole f, the <= boundary, and the threaded search (big-endian +1
 * steps from a random start, budgets, all cores).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "p2p/identity.h"
#include "p2p/pow.h"
#include "vecfile.h"

/* Decimal text of a 32-byte little-endian integer, by repeated division. */
static void le_to_decimal(char *out, size_t cap, const uint8_t le[32])
{
	uint8_t be[32];
	for (int i = 0; i < 32; i++)
		be[i] = le[31 - i];
	char digits[90];
	size_t n = 0;
	for (;;) {
		bool zero = true;
		unsigned rem = 0;
		for (int i = 0; i < 32; i++) {
			unsigned cur = rem * 256 + be[i];
			be[i] = (uint8_t)(cur / 10);
			rem = cur % 10;
			zero = zero && be[i] == 0;
		}
		digits[n++] = (char)('0' + rem);
		if (zero)
			break;
	}
	assert_true(n < cap);
	for (size_t k = 0; k < n; k++)
		out[k] = digits[n - 1 - k];
	out[n] = '\0';
}

static bool vec_true(const json_t *v, const char *key)
{
	const json_t *x = json_object_get(v, key);
	assert_true(json_is_boolean(x));
	return json_is_true(x);
}

static long vec_int(const json_t *v, const char *key)
{
	const json_t *x = json_object_get(v, key);
	if (json_is_integer(x))
		return (long)json_integer_value(x);
	return strtol(vecfile_str(v, key), NULL, 10);
}

static void test_pow_json(void **state)
{
	(void)state;
	unsigned n = 0;
	json_t *root = vecfile_load("proof_of_work.json");
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v) {
		if (json_object_get(v, "target_hex_big_endian")) {
			/* make_pow_target(f), compared as a 32-byte big-endian number */
			size_t len;
			uint8_t *t = vecfile_hex(v, "target_hex_big_endian", &len);
			assert_true(len <= 32);
			uint8_t want[32] = {0}, got[32];
			memcpy(want + 32 - len, t, len);
			free(t);
			double f = json_real_value(json_object_get(v, "expected_pow"));
			assert_int_equal(p2p_pow_target(got, f), ERR_OK);
			assert_memory_equal(got, want, 32);
		} else if (json_object_get(v, "expected_integer_decimal")) {
			uint8_t h[32];
			char dec[100];
			vecfile_hex_fixed(v, "hash_hex", h, 32);
			le_to_decimal(dec, sizeof dec, h);
			assert_string_equal(dec, vecfile_str(v, "expected_integer_decimal"));
		} else {
			uint8_t pk[32], stamp[24], want_h[32], h[32], target[32];
			vecfile_hex_fixed(v, "public_key", pk, 32);
			vecfile_hex_fixed(v, "proof_of_work_stamp", stamp, 24);
			vecfile_hex_fixed(v, "pow_hash_blake2b256_of_pk_concat_stamp", want_h, 32);
			p2p_pow_hash(h, pk, stamp);
			assert_memory_equal(h, want_h, 32);
			assert_int_equal(p2p_pow_bits(pk, stamp),
					 vec_int(v, "pow_leading_zero_bits_little_endian"));
			assert_int_equal(p2p_pow_target(target, 24.0), ERR_OK);
			assert_int_equal(p2p_pow_check(pk, stamp, target), vec_true(v, "passes_target_24"));
			assert_int_equal(p2p_pow_target(target, 26.0), ERR_OK);
			assert_int_equal(p2p_pow_check(pk, stamp, target), vec_true(v, "passes_target_26"));
			if (json_object_get(v, "passes_target_0")) {
				assert_int_equal(p2p_pow_target(target, 0.0), ERR_OK);
				assert_int_equal(p2p_pow_check(pk, stamp, target),
						 vec_true(v, "passes_target_0"));
			}
			if (json_object_get(v, "expected_result")) {
				const json_t *jf = json_object_get(v, "expected_pass_target");
				double f = json_is_number(jf) ? json_number_value(jf)
							      : strtod(vecfile_str(v, "expected_pass_target"), NULL);
				assert_int_equal(p2p_pow_target(target, f), ERR_OK);
				assert_int_equal(p2p_pow_check(pk, stamp, target),
						 strcmp(vecfile_str(v, "expected_result"), "pass") == 0);
			}
		}
		n++;
	}
	assert_int_equal(n, 25);
	json_decref(root);
	printf("VECTORS: %u checked (proof_of_work.json)\n", n);
}

/* For whole f the target is 2^(256 - f) - 1: the low 256 - f bits set. */
static void test_whole_targets(void **state)
{
	(void)state;
	for (unsigned f = 0; f <= 256; f++) {
		uint8_t got[32], want[32] = {0};
		for (unsigned bit = 0; bit < 256 - f; bit++)
			want[31 - bit / 8] |= (uint8_t)(1u << (bit % 8));
		assert_int_equal(p2p_pow_target(got, (double)f), ERR_OK);
		assert_memory_equal(got, want, 32);
	}
	uint8_t t[32];
	assert_int_equal(p2p_pow_target(t, -0.001), ERR_INVAL);
	assert_int_equal(p2p_pow_target(t, 256.001), ERR_INVAL);
	assert_int_equal(p2p_pow_target(t, NAN), ERR_INVAL);
	assert_int_equal(p2p_pow_target(t, INFINITY), ERR_INVAL);
}

/* Fractional targets sit strictly between their whole neighbours, grow
 * harder with f, and follow m = floor(2^(54 - frac)) at the right place. */
static void test_fractional_targets(void **state)
{
	(void)state;
	uint8_t lo[32], mid[32], hi[32];
	for (double f = 0.0; f < 255.0; f += 0.25) {
		assert_int_equal(p2p_pow_target(lo, floor(f)), ERR_OK);
		assert_int_equal(p2p_pow_target(mid, f), ERR_OK);
		assert_int_equal(p2p_pow_target(hi, floor(f) + 1), ERR_OK);
		assert_true(memcmp(mid, lo, 32) <= 0);
		assert_true(memcmp(mid, hi, 32) > 0);
		/* Above 202 the formula shifts m right, and small differences
		 * vanish: strictly between only while all of m is kept. */
		if (f != floor(f) && f < 202.0)
			assert_true(memcmp(mid, lo, 32) < 0);
	}
	/* f = 26.25: m = floor(2^53.75) placed above 202 - 26 = 176 one bits. */
	uint64_t m = (uint64_t)floor(pow(2.0, 53.75));
	uint8_t want[32] = {0}, got[32];
	for (unsigned bit = 0; bit < 176; bit++)
		want[31 - bit / 8] |= (uint8_t)(1u << (bit % 8));
	for (unsigned b = 0; b < 64; b++)
		if (m >> b & 1)
			want[31 - (b + 176) / 8] |= (uint8_t)(1u << ((b + 176) % 8));
	assert_int_equal(p2p_pow_target(got, 26.25), ERR_OK);
	assert_memory_equal(got, want, 32);
	/* shift >= 202: target = m >> (shift - 202); f = 250.5 gives
	 * floor(2^53.5) >> 48. */
	m = (uint64_t)floor(pow(2.0, 53.5)) >> 48;
	memset(want, 0, 32);
	want[31] = (uint8_t)m;
	assert_int_equal(p2p_pow_target(got, 250.5), ERR_OK);
	assert_memory_equal(got, want, 32);
}

/* h equal to the target passes (<=); one more fails; the reading is LE. */
static void test_boundary_and_bits(void **state)
{
	(void)state;
	uint8_t t[32], h[32];
	assert_int_equal(p2p_pow_target(t, 25.5), ERR_OK);
	for (int i = 0; i < 32; i++)
		h[i] = t[31 - i];
	assert_true(p2p_pow_hash_meets(h, t));
	for (int i = 0; i < 32; i++) /* +1 little-endian */
		if (++h[i] != 0)
			break;
	assert_false(p2p_pow_hash_meets(h, t));
	/* Bits: zeros at the END of the hash count. */
	memset(h, 0xff, 32);
	assert_int_equal(p2p_pow_hash_bits(h), 0);
	h[31] = 0x01;
	assert_int_equal(p2p_pow_hash_bits(h), 7);
	h[31] = 0;
	h[30] = 0x40;
	assert_int_equal(p2p_pow_hash_bits(h), 9);
	memset(h, 0, 32);
	assert_int_equal(p2p_pow_hash_bits(h), 256);
	h[0] = 1;
	assert_int_equal(p2p_pow_hash_bits(h), 255);
	/* bits >= f  <=>  passes target(f), for whole f, over many hashes. */
	uint8_t seed[randombytes_SEEDBYTES] = {26};
	for (unsigned k = 0; k < 3000; k++) {
		seed[1] = (uint8_t)k;
		seed[2] = (uint8_t)(k >> 8);
		randombytes_buf_deterministic(h, 32, seed);
		memset(h + 32 - k % 6, 0, k % 6); /* force some high zero bytes */
		unsigned bits = p2p_pow_hash_bits(h);
		for (unsigned f = 0; f <= 48; f += 1) {
			assert_int_equal(p2p_pow_target(t, f), ERR_OK);
			assert_int_equal(p2p_pow_hash_meets(h, t), bits >= f);
		}
	}
}

struct det_rng {
	uint8_t seed[randombytes_SEEDBYTES];
	unsigned calls;
};

static void det_random(void *ctx, uint8_t *buf, size_t len)
{
	struct det_rng *r = ctx;
	r->seed[0] = (uint8_t)r->calls;
	r->seed[1] = (uint8_t)(r->calls >> 8);
	r->calls++;
	randombytes_buf_deterministic(buf, len, r->seed);
}

/* stamp = start + k, big-endian. */
static void be_add(uint8_t s[24], uint64_t k)
{
	for (int i = 23; i >= 0 && k; i--) {
		uint64_t cur = s[i] + (k & 0xff);
		s[i] = (uint8_t)cur;
		k = (k >> 8) + (cur >> 8);
	}
}

static void test_search_single_thread(void **state)
{
	(void)state;
	struct det_rng r = {.seed = {0, 0, 7}};
	uint8_t pk[32], target[32], stamp[24], start[24];
	det_random(&r, pk, 32);
	assert_int_equal(p2p_pow_target(target, 10.0), ERR_OK);
	uint64_t attempts = 0;
	unsigned used = 0;
	/* With one thread, the first random draw after pk is the start. */
	struct det_rng copy = r;
	det_random(&copy, start, 24);
	assert_int_equal(p2p_pow_search(stamp, pk, target, 1, 0, det_random, &r, &attempts, &used),
			 ERR_OK);
	assert_int_equal(used, 1);
	assert_true(attempts >= 1);
	assert_true(p2p_pow_check(pk, stamp, target));
	assert_true(p2p_pow_bits(pk, stamp) >= 10);
	/* Winner = start + (attempts - 1) big-endian, and nothing before it passed. */
	uint8_t s[24];
	memcpy(s, start, 24);
	for (uint64_t k = 0; k + 1 < attempts; k++) {
		assert_false(p2p_pow_check(pk, s, target));
		p2p_stamp_incr(s);
	}
	assert_memory_equal(s, stamp, 24);
	memcpy(s, start, 24);
	be_add(s, attempts - 1);
	assert_memory_equal(s, stamp, 24);
}

static void test_search_budget(void **state)
{
	(void)state;
	struct det_rng r = {.seed = {1}};
	uint8_t pk[32] = {9}, target[32], stamp[24] = {0};
	assert_int_equal(p2p_pow_target(target, 256.0), ERR_OK); /* unreachable */
	uint64_t attempts = 0;
	unsigned used = 0;
	assert_int_equal(p2p_pow_search(stamp, pk, target, 3, 1000, det_random, &r, &attempts,
					&used),
			 ERR_AGAIN);
	assert_int_equal(used, 3);
	assert_int_equal(attempts, 3000);
	assert_int_equal(r.calls, 3); /* one random start per thread */
	assert_int_equal(p2p_pow_search(stamp, pk, target, 1, 1, NULL, NULL, NULL, NULL),
			 ERR_INVAL);
}

static void test_generate_all_cores(void **state)
{
	(void)state;
	struct det_rng r = {.seed = {2}};
	struct p2p_identity *id = p2p_identity_new();
	assert_non_null(id);
	uint64_t attempts = 0;
	unsigned used = 0;
	assert_int_equal(p2p_identity_generate(id, 14.0, 0, det_random, &r, &attempts, &used),
			 ERR_OK);
	assert_int_equal(used, p2p_cpu_count());
	assert_true(attempts >= 1);
	assert_int_equal(r.calls, 1 + used); /* secret key, then one start per thread */
	assert_true(p2p_pow_bits(id->pk, id->stamp) >= 14);
	char err[200];
	assert_int_equal(p2p_identity_check(id, 14.0, err, sizeof err), ERR_OK);
	uint8_t pk[32];
	assert_int_equal(crypto_scalarmult_base(pk, id->sk), 0);
	assert_memory_equal(pk, id->pk, 32);
	/* A fractional target works the same way. */
	assert_int_equal(p2p_identity_generate(id, 12.5, 2, det_random, &r, &attempts, &used),
			 ERR_OK);
	assert_int_equal(p2p_identity_check(id, 12.5, err, sizeof err), ERR_OK);
	assert_int_equal(p2p_identity_generate(id, 257.0, 2, det_random, &r, &attempts, &used),
			 ERR_INVAL);
	p2p_identity_free(id);
	p2p_identity_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pow_json),
		cmocka_unit_test(test_whole_targets),
		cmocka_unit_test(test_fractional_targets),
		cmocka_unit_test(test_boundary_and_bits),
		cmocka_unit_test(test_search_single_thread),
		cmocka_unit_test(test_search_budget),
		cmocka_unit_test(test_generate_all_cores),
	};
	return cmocka_run_group_tests_name("p2p/pow", tests, NULL, NULL);
}
