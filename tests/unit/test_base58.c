/*
 * Unit tests for lib/p2p/base58 and the id... / Net... display forms:
 * every vector of peer_ids.json and chain_ids.json, the classic Base58
 * vectors of Bitcoin's base58_encode_decode.json (leading zeros included),
 * round trips, and each error path (alphabet, checksum, prefix, sizes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "p2p/base58.h"
#include "p2p/identity.h"
#include "vecfile.h"

static void test_peer_ids_json(void **state)
{
	(void)state;
	unsigned n = 0;
	json_t *root = vecfile_load("peer_ids.json");
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v) {
		uint8_t pk[32], raw[16], id[16], parsed[16];
		vecfile_hex_fixed(v, "public_key", pk, 32);
		vecfile_hex_fixed(v, "peer_id_raw_hex_derived", raw, 16);
		const char *want = vecfile_str(v, "expected_peer_id_b58");
		p2p_peer_id(id, pk);
		assert_memory_equal(id, raw, 16);
		char text[P2P_PEER_ID_B58_LEN + 1];
		p2p_peer_id_b58(text, id);
		assert_string_equal(text, want);
		assert_int_equal(strlen(text), P2P_PEER_ID_B58_LEN);
		assert_int_equal(p2p_peer_id_parse(parsed, want, strlen(want)), ERR_OK);
		assert_memory_equal(parsed, raw, 16);
		if (json_object_get(v, "b58check_payload_derived")) {
			size_t plen, got;
			uint8_t *payload = vecfile_hex(v, "b58check_payload_derived", &plen);
			uint8_t back[64];
			assert_int_equal(base58_check_decode(back, sizeof back, &got, want,
							     strlen(want)),
					 ERR_OK);
			assert_int_equal(got, plen);
			assert_memory_equal(back, payload, plen);
			free(payload);
		}
		n++;
	}
	assert_int_equal(n, 17);
	json_decref(root);
	printf("VECTORS: %u checked (peer_ids.json)\n", n);
}

static void test_chain_ids_json(void **state)
{
	(void)state;
	unsigned n = 0;
	json_t *root = vecfile_load("chain_ids.json");
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v) {
		uint8_t cid[4], parsed[4];
		vecfile_hex_fixed(v, "chain_id_hex", cid, 4);
		const char *want = json_object_get(v, "chain_id_b58") ? vecfile_str(v, "chain_id_b58")
								     : vecfile_str(v, "expected_b58");
		char text[P2P_CHAIN_ID_B58_LEN + 1];
		p2p_chain_id_b58(text, cid);
		assert_string_equal(text, want);
		assert_int_equal(p2p_chain_id_parse(parsed, want, strlen(want)), ERR_OK);
		assert_memory_equal(parsed, cid, 4);
		if (json_object_get(v, "genesis_block_hash_hex")) {
			/* chain id = first 4 bytes of Blake2b-256(genesis hash) */
			uint8_t g[32], h[32];
			vecfile_hex_fixed(v, "genesis_block_hash_hex", g, 32);
			crypto_generichash(h, 32, g, 32, NULL, 0);
			assert_memory_equal(h, cid, 4);
		}
		n++;
	}
	assert_int_equal(n, 3);
	json_decref(root);
	printf("VECTORS: %u checked (chain_ids.json)\n", n);
}

/* Bitcoin Core src/test/data/base58_encode_decode.json (a subset). */
static const struct {
	const char *hex, *b58;
} classic[] = {
	{"", ""},
	{"61", "2g"},
	{"626262", "a3gV"},
	{"636363", "aPEr"},
	{"572e4794", "3EFU7m"},
	{"ecac89cad93923c02321", "EJDM8drfXA6uyA"},
	{"10c8511e", "Rt5zm"},
	{"00000000000000000000", "1111111111"},
	{"0000287fb4cd", "11233QC4"},
};

static void test_classic(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof classic / sizeof classic[0]; i++) {
		size_t len, tl, got;
		uint8_t *b = vecfile_unhex(classic[i].hex, &len);
		char text[64];
		uint8_t back[64];
		assert_int_equal(base58_encode(text, sizeof text, &tl, b, len), ERR_OK);
		assert_string_equal(text, classic[i].b58);
		assert_int_equal(tl, strlen(classic[i].b58));
		if (len > 0) {
			assert_int_equal(base58_decode(back, sizeof back, &got, text, tl), ERR_OK);
			assert_int_equal(got, len);
			assert_memory_equal(back, b, len);
		}
		free(b);
	}
	printf("VECTORS: %zu checked (bitcoin base58_encode_decode.json subset)\n",
	       sizeof classic / sizeof classic[0]);
}

static void test_roundtrip_random(void **state)
{
	(void)state;
	uint8_t seed[randombytes_SEEDBYTES] = {58};
	uint8_t buf[BASE58_MAX_BYTES], back[BASE58_MAX_BYTES];
	char text[256];
	for (unsigned round = 0; round < 2000; round++) {
		size_t len = 1 + round % BASE58_MAX_BYTES, tl, got;
		seed[1] = (uint8_t)round;
		seed[2] = (uint8_t)(round >> 8);
		randombytes_buf_deterministic(buf, len, seed);
		if (round % 3 == 0)
			memset(buf, 0, round % 5); /* leading zeros */
		assert_int_equal(base58_check_encode(text, sizeof text, &tl, buf,
						     len > BASE58_MAX_BYTES - 4 ? BASE58_MAX_BYTES - 4
										: len),
				 ERR_OK);
		if (len > BASE58_MAX_BYTES - 4)
			len = BASE58_MAX_BYTES - 4;
		assert_int_equal(base58_check_decode(back, sizeof back, &got, text, tl), ERR_OK);
		assert_int_equal(got, len);
		assert_memory_equal(back, buf, len);
	}
}

static void test_errors(void **state)
{
	(void)state;
	uint8_t out[BASE58_MAX_BYTES + 8], id[16], cid[4];
	size_t n = 0, tl;
	char text[300];
	const char *good = "idsg2wkkDDv2cbEMK4zH49fjgyn7XT";
	/* Characters outside the alphabet: 0 O I l, space, NUL, high bytes. */
	const char *bad[] = {"0", "O", "I", "l", " ", "id+", "\xc3\xa9"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(base58_decode(out, sizeof out, &n, bad[i], strlen(bad[i])),
				 ERR_PROTO);
	assert_int_equal(base58_decode(out, sizeof out, &n, "1\0" "1", 3), ERR_PROTO);
	assert_int_equal(base58_decode(out, sizeof out, &n, "", 0), ERR_PROTO);
	/* Every single-character change breaks the checksum (or the alphabet). */
	for (size_t pos = 0; pos < strlen(good); pos++) {
		char t[31];
		memcpy(t, good, 31);
		t[pos] = t[pos] == 'z' ? 'y' : 'z';
		assert_int_equal(p2p_peer_id_parse(id, t, 30), ERR_PROTO);
	}
	assert_int_equal(p2p_peer_id_parse(id, good, 30), ERR_OK);
	/* Truncated and extended texts. */
	assert_int_equal(p2p_peer_id_parse(id, good, 29), ERR_PROTO);
	assert_int_equal(p2p_peer_id_parse(id, "idsg2wkkDDv2cbEMK4zH49fjgyn7XTa", 31), ERR_PROTO);
	/* A valid Base58Check with the wrong prefix: a chain id is not a peer id. */
	assert_int_equal(p2p_peer_id_parse(id, "NetXdQprcVkpaWU", 15), ERR_PROTO);
	assert_int_equal(p2p_chain_id_parse(cid, good, 30), ERR_PROTO);
	/* Right prefix, wrong payload length. */
	const uint8_t short_id[2 + 15] = {0x99, 0x67};
	assert_int_equal(base58_check_encode(text, sizeof text, &tl, short_id, sizeof short_id),
			 ERR_OK);
	assert_int_equal(p2p_peer_id_parse(id, text, tl), ERR_PROTO);
	/* Checksum needs 4 bytes. */
	assert_int_equal(base58_check_decode(out, sizeof out, &n, "2g", 2), ERR_PROTO);
	/* Sizes: input above the limit, output capacity too small. */
	uint8_t big[BASE58_MAX_BYTES + 1];
	memset(big, 0xff, sizeof big);
	assert_int_equal(base58_encode(text, sizeof text, &tl, big, sizeof big), ERR_TOOBIG);
	assert_int_equal(base58_check_encode(text, sizeof text, &tl, big, BASE58_MAX_BYTES - 3),
			 ERR_TOOBIG);
	assert_int_equal(base58_encode(text, sizeof text, &tl, big, BASE58_MAX_BYTES), ERR_OK);
	assert_int_equal(base58_decode(out, sizeof out, &n, text, tl), ERR_OK);
	assert_int_equal(n, BASE58_MAX_BYTES);
	/* ff ff ff ff is "7YXq9G": 6 characters and a NUL. */
	assert_int_equal(base58_encode(text, 4, &tl, big, 4), ERR_FULL);
	assert_int_equal(base58_encode(text, 6, &tl, big, 4), ERR_FULL);
	assert_int_equal(base58_encode(text, 7, &tl, big, 4), ERR_OK);
	assert_string_equal(text, "7YXq9G");
	assert_int_equal(base58_decode(out, 3, &n, text, tl), ERR_FULL);
	memset(text, 'z', 250);
	assert_int_equal(base58_decode(out, sizeof out, &n, text, 250), ERR_TOOBIG);
	memset(text, '1', BASE58_MAX_BYTES + 1);
	assert_int_equal(base58_decode(out, sizeof out, &n, text, BASE58_MAX_BYTES + 1),
			 ERR_TOOBIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_ids_json), cmocka_unit_test(test_chain_ids_json),
		cmocka_unit_test(test_classic),	      cmocka_unit_test(test_roundtrip_random),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests_name("p2p/base58", tests, NULL, NULL);
}
