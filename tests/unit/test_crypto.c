/*
 * Unit tests for lib/p2p/crypto: every vector of nonces.json, crypto_box.json,
 * metadata.json and handshake_capture_carthagenet.json, all 5474 sent chunks
 * of the recorded Carthagenet conversation, and the negative cases (flipped
 * MAC bits, short boxes, oversized plaintext, wrong key/nonce, wrap-around).
 */
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

#include "core/bytes.h"
#include "p2p/consts.h"
#include "p2p/crypto.h"
#include "vecfile.h"

static unsigned vectors_n;

static void report(const char *file, unsigned before)
{
	printf("VECTORS: %u checked (%s)\n", vectors_n - before, file);
}

static void test_nonces_json(void **state)
{
	(void)state;
	unsigned before = vectors_n;
	json_t *root = vecfile_load("nonces.json");
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v) {
		if (json_object_get(v, "nonce")) { /* increment vector */
			uint8_t n[24], want[24];
			vecfile_hex_fixed(v, "nonce", n, 24);
			vecfile_hex_fixed(v, "expected_incremented", want, 24);
			p2p_nonce_incr(n);
			assert_memory_equal(n, want, 24);
			vectors_n++;
			continue;
		}
		size_t sent_len, recv_len;
		uint8_t *sent = vecfile_hex(v, "sent_msg", &sent_len);
		uint8_t *recv = vecfile_hex(v, "recv_msg", &recv_len);
		bool incoming = json_is_true(json_object_get(v, "incoming"));
		const char *lk = json_object_get(v, "expected_local_nonce") ? "expected_local_nonce"
									       : "local_nonce";
		const char *rk = json_object_get(v, "expected_remote_nonce") ? "expected_remote_nonce"
										 : "remote_nonce";
		uint8_t want_local[24], want_remote[24], local[24], remote[24];
		vecfile_hex_fixed(v, lk, want_local, 24);
		vecfile_hex_fixed(v, rk, want_remote, 24);
		/* The initiator's message always comes first in the hash. */
		const uint8_t *init = incoming ? recv : sent, *resp = incoming ? sent : recv;
		size_t init_len = incoming ? recv_len : sent_len, resp_len = incoming ? sent_len : recv_len;
		p2p_nonces_for_role(local, remote, !incoming, init, init_len, resp, resp_len);
		assert_memory_equal(local, want_local, 24);
		assert_memory_equal(remote, want_remote, 24);
		/* And the raw pair: the initiator seals with n_ri. */
		uint8_t n_ir[24], n_ri[24];
		p2p_nonces(n_ir, n_ri, init, init_len, resp, resp_len);
		assert_memory_equal(incoming ? n_ir : n_ri, want_local, 24);
		assert_memory_equal(incoming ? n_ri : n_ir, want_remote, 24);
		free(sent);
		free(recv);
		vectors_n++;
	}
	assert_int_equal(vectors_n - before, 5);
	json_decref(root);
	report("nonces.json", before);
}

static void test_crypto_box_json(void **state)
{
	(void)state;
	unsigned before = vectors_n;
	json_t *root = vecfile_load("crypto_box.json");
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v) {
		const char *name = vecfile_str(v, "name");
		uint8_t key[32], want[32], pk[32], sk[32];
		if (json_object_get(v, "plaintext")) {
			size_t plain_len, box_len, wire_len;
			uint8_t nonce[24];
			vecfile_hex_fixed(v, "precomputed_key", key, 32);
			vecfile_hex_fixed(v, "nonce", nonce, 24);
			uint8_t *plain = vecfile_hex(v, "plaintext", &plain_len);
			uint8_t *box = vecfile_hex(v, "expected_box_tag_then_ciphertext", &box_len);
			uint8_t *wire = vecfile_hex(v, "as_wire_chunk_derived", &wire_len);
			uint8_t out[512], back[512];
			size_t out_len = 0, back_len = 0;
			assert_int_equal(p2p_chunk_seal(out, sizeof out, &out_len, plain, plain_len,
							nonce, key),
					 ERR_OK);
			assert_int_equal(out_len, wire_len);
			assert_memory_equal(out, wire, wire_len);
			assert_memory_equal(out + 2, box, box_len);
			assert_int_equal(p2p_chunk_open(back, sizeof back, &back_len, box, box_len,
							nonce, key),
					 ERR_OK);
			assert_int_equal(back_len, plain_len);
			assert_memory_equal(back, plain, plain_len);
			free(plain);
			free(box);
			free(wire);
		} else if (json_object_get(v, "expected_precomputed_key")) {
			vecfile_hex_fixed(v, "public_key", pk, 32);
			vecfile_hex_fixed(v, "secret_key", sk, 32);
			vecfile_hex_fixed(v, "expected_precomputed_key", want, 32);
			assert_int_equal(p2p_channel_key(key, pk, sk), ERR_OK);
			assert_memory_equal(key, want, 32);
		} else {
			vecfile_hex_fixed(v, "remote_public_key", pk, 32);
			vecfile_hex_fixed(v, "local_secret_key", sk, 32);
			vecfile_hex_fixed(v, "precomputed_key", want, 32);
			assert_int_equal(p2p_channel_key(key, pk, sk), ERR_OK);
			assert_memory_equal(key, want, 32);
		}
		(void)name;
		vectors_n++;
	}
	assert_int_equal(vectors_n - before, 3);
	json_decref(root);
	report("crypto_box.json", before);
}

static void test_metadata_json(void **state)
{
	(void)state;
	unsigned before = vectors_n;
	json_t *root = vecfile_load("metadata.json");
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v) {
		uint8_t key[32], nonce[24], out[64];
		size_t chunk_len, plain_len, out_len = 0;
		vecfile_hex_fixed(v, "precomputed_key", key, 32);
		vecfile_hex_fixed(v, "nonce", nonce, 24);
		uint8_t *chunk = vecfile_hex(v, "chunk_hex", &chunk_len);
		uint8_t *plain = vecfile_hex(v, "plaintext_hex", &plain_len);
		assert_int_equal(be16_get(chunk), chunk_len - 2);
		assert_int_equal(p2p_chunk_open(out, sizeof out, &out_len, chunk + 2, chunk_len - 2,
						nonce, key),
				 ERR_OK);
		assert_int_equal(out_len, plain_len);
		assert_memory_equal(out, plain, plain_len);
		free(chunk);
		free(plain);
		vectors_n++;
	}
	assert_int_equal(vectors_n - before, 2);
	json_decref(root);
	report("metadata.json", before);
}

/* Advances nonce from counter *at to counter want (chunks are sparse in the JSON). */
static void advance_to(uint8_t nonce[24], long *at, long want)
{
	assert_true(want >= *at);
	for (; *at < want; (*at)++)
		p2p_nonce_incr(nonce);
}

static void test_capture_json(void **state)
{
	(void)state;
	unsigned before = vectors_n;
	json_t *root = vecfile_load("handshake_capture_carthagenet.json");
	json_t *v = json_array_get(root, 0);
	assert_non_null(v);
	size_t sent_len, recv_len;
	uint8_t *sent = vecfile_hex(v, "conn_msg_sent_with_prefix", &sent_len);
	uint8_t *recv = vecfile_hex(v, "conn_msg_recv_with_prefix", &recv_len);
	uint8_t sk[32], key[32], want_key[32], local[24], remote[24], want[24];
	vecfile_hex_fixed(v, "local_secret_key", sk, 32);
	vecfile_hex_fixed(v, "precomputed_key", want_key, 32);
	assert_false(json_is_true(json_object_get(v, "incoming")));
	/* The peer's public key sits after the u16 prefix and the u16 port. */
	assert_true(recv_len >= 4 + 32);
	assert_int_equal(p2p_channel_key(key, recv + 4, sk), ERR_OK);
	assert_memory_equal(key, want_key, 32);
	p2p_nonces_for_role(local, remote, 1, sent, sent_len, recv, recv_len);
	vecfile_hex_fixed(v, "local_nonce_initial", want, 24);
	assert_memory_equal(local, want, 24);
	vecfile_hex_fixed(v, "remote_nonce_initial", want, 24);
	assert_memory_equal(remote, want, 24);

	long at_local = 0, at_remote = 0;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(v, "chunks"), i, c) {
		bool is_sent = strcmp(vecfile_str(c, "direction"), "sent") == 0;
		json_t *jc = json_object_get(c, "nonce_counter");
		assert_true(json_is_integer(jc));
		long counter = (long)json_integer_value(jc);
		uint8_t *nonce = is_sent ? local : remote;
		advance_to(nonce, is_sent ? &at_local : &at_remote, counter);
		vecfile_hex_fixed(c, "nonce", want, 24);
		assert_memory_equal(nonce, want, 24);
		size_t chunk_len, plain_len, out_len = 0;
		uint8_t *chunk = vecfile_hex(c, "chunk_hex", &chunk_len);
		uint8_t *plain = vecfile_hex(c, "plaintext_hex", &plain_len);
		assert_int_equal(be16_get(chunk), chunk_len - 2);
		uint8_t out[1024];
		assert_int_equal(p2p_chunk_open(out, sizeof out, &out_len, chunk + 2, chunk_len - 2,
						nonce, key),
				 ERR_OK);
		assert_int_equal(out_len, plain_len);
		assert_memory_equal(out, plain, plain_len);
		/* Sealing the plaintext again gives the same wire bytes. */
		uint8_t again[1100];
		size_t again_len = 0;
		assert_int_equal(p2p_chunk_seal(again, sizeof again, &again_len, plain, plain_len,
						nonce, key),
				 ERR_OK);
		assert_int_equal(again_len, chunk_len);
		assert_memory_equal(again, chunk, chunk_len);
		free(chunk);
		free(plain);
		vectors_n++;
	}
	assert_int_equal(vectors_n - before, 14);
	free(sent);
	free(recv);
	json_decref(root);
	report("handshake_capture_carthagenet.json", before);
}

/*
 * The whole recorded conversation: the local side dialled, so its Sent rows
 * open with N_ri counting up from the derived value. One row can hold several
 * chunks (a single socket write), so rows are split on their u16 headers.
 */
static void test_capture_csv(void **state)
{
	(void)state;
	unsigned before = vectors_n;
	json_t *id = vecfile_load("captures/tezedge_communication_carthagenet.identity.json");
	uint8_t sk[32];
	vecfile_hex_fixed(id, "secret_key", sk, 32);
	json_decref(id);
	char *csv = vecfile_read("tests/data/vectors/captures/tezedge_communication_carthagenet.csv",
				 NULL);
	char *line = strchr(csv, '\n');
	assert_non_null(line);
	line++;
	uint8_t *init = NULL, *resp = NULL;
	size_t init_len = 0, resp_len = 0;
	uint8_t key[32], local[24], remote[24];
	unsigned rows = 0, sent_chunks = 0, recv_ok = 0;
	uint8_t *plain = malloc(P2P_CHUNK_WIRE_MAX);
	assert_non_null(plain);
	while (*line) {
		char *end = strchr(line, '\n');
		if (end)
			*end = '\0';
		char *comma = strchr(line, ',');
		assert_non_null(comma);
		*comma = '\0';
		bool is_sent = strcmp(line, "Sent") == 0;
		assert_true(is_sent || strcmp(line, "Received") == 0);
		size_t len;
		uint8_t *bytes = vecfile_unhex(comma + 1, &len);
		if (rows == 0) {
			assert_true(is_sent);
			init = bytes;
			init_len = len;
		} else if (rows == 1) {
			assert_false(is_sent);
			resp = bytes;
			resp_len = len;
			assert_int_equal(p2p_channel_key(key, resp + 4, sk), ERR_OK);
			p2p_nonces_for_role(local, remote, 1, init, init_len, resp, resp_len);
		} else if (is_sent) {
			size_t off = 0;
			while (off < len) {
				assert_true(len - off >= 2);
				size_t l = be16_get(bytes + off);
				assert_true(len - off - 2 >= l);
				size_t plain_len = 0;
				assert_int_equal(p2p_chunk_open(plain, P2P_CHUNK_WIRE_MAX, &plain_len,
								bytes + off + 2, l, local, key),
						 ERR_OK);
				assert_int_equal(plain_len, l - 16);
				p2p_nonce_incr(local);
				off += 2 + l;
				sent_chunks++;
			}
			free(bytes);
		} else if (recv_ok < 2) {
			/* Received rows are socket reads; the first two are whole
			 * chunks (metadata, ack): check the other direction too. */
			size_t l = be16_get(bytes), plain_len = 0;
			assert_int_equal(l + 2, len);
			assert_int_equal(p2p_chunk_open(plain, P2P_CHUNK_WIRE_MAX, &plain_len,
							bytes + 2, l, remote, key),
					 ERR_OK);
			p2p_nonce_incr(remote);
			recv_ok++;
			free(bytes);
		} else {
			free(bytes);
		}
		rows++;
		if (!end)
			break;
		line = end + 1;
	}
	assert_int_equal(rows, 6683);
	assert_int_equal(sent_chunks, 5474);
	assert_int_equal(recv_ok, 2);
	vectors_n += sent_chunks + recv_ok;
	free(plain);
	free(init);
	free(resp);
	free(csv);
	printf("VECTORS: %u checked (captures/tezedge_communication_carthagenet.csv: %u sent + %u "
	       "received chunks)\n",
	       vectors_n - before, sent_chunks, recv_ok);
}

/* ---- negative cases ---------------------------------------------------- */

static const uint8_t fixed_key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				      17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t fixed_nonce[24] = {0xaa, 0xbb, 0xcc};

static void test_flipped_bits(void **state)
{
	(void)state;
	const uint8_t msg[] = "get current branch, please";
	uint8_t wire[64], out[64];
	size_t wire_len = 0, out_len = 0;
	assert_int_equal(p2p_chunk_seal(wire, sizeof wire, &wire_len, msg, sizeof msg, fixed_nonce,
					fixed_key),
			 ERR_OK);
	assert_int_equal(wire_len, 2 + 16 + sizeof msg);
	assert_int_equal(be16_get(wire), 16 + sizeof msg);
	/* Every single bit flip of MAC or ciphertext must be refused. */
	for (size_t byte = 2; byte < wire_len; byte++) {
		for (int bit = 0; bit < 8; bit++) {
			wire[byte] ^= (uint8_t)(1u << bit);
			memset(out, 0x5a, sizeof out);
			assert_int_equal(p2p_chunk_open(out, sizeof out, &out_len, wire + 2,
							wire_len - 2, fixed_nonce, fixed_key),
					 ERR_CRYPTO);
			/* Nothing of the forged plaintext is left behind. */
			for (size_t k = 0; k < sizeof msg; k++)
				assert_int_equal(out[k], 0);
			wire[byte] ^= (uint8_t)(1u << bit);
		}
	}
	assert_int_equal(p2p_chunk_open(out, sizeof out, &out_len, wire + 2, wire_len - 2,
					fixed_nonce, fixed_key),
			 ERR_OK);
	assert_memory_equal(out, msg, sizeof msg);
}

static void test_short_box(void **state)
{
	(void)state;
	uint8_t box[16] = {0}, out[16];
	size_t out_len = 99;
	for (size_t n = 0; n < 16; n++)
		assert_int_equal(p2p_chunk_open(out, sizeof out, &out_len, box, n, fixed_nonce,
						fixed_key),
				 ERR_PROTO);
	assert_int_equal(out_len, 99);
	/* Exactly 16 bytes is an empty plaintext: legal framing, MAC decides. */
	assert_int_equal(p2p_chunk_open(out, sizeof out, &out_len, box, 16, fixed_nonce, fixed_key),
			 ERR_CRYPTO);
	uint8_t wire[18];
	size_t wire_len;
	assert_int_equal(p2p_chunk_seal(wire, sizeof wire, &wire_len, NULL, 0, fixed_nonce,
					fixed_key),
			 ERR_OK);
	assert_int_equal(wire_len, 18);
	assert_int_equal(p2p_chunk_open(out, 0, &out_len, wire + 2, 16, fixed_nonce, fixed_key),
			 ERR_OK);
	assert_int_equal(out_len, 0);
}

static void test_sizes_at_limits(void **state)
{
	(void)state;
	size_t cap = P2P_CHUNK_WIRE_MAX + 64;
	uint8_t *plain = calloc(1, cap), *wire = malloc(cap), *out = malloc(cap);
	assert_non_null(plain);
	assert_non_null(wire);
	assert_non_null(out);
	size_t wire_len = 0, out_len = 0;
	/* 65517 is the largest plaintext: the chunk is exactly 65535 bytes. */
	assert_int_equal(p2p_chunk_seal(wire, cap, &wire_len, plain, P2P_CHUNK_PLAIN_MAX,
					fixed_nonce, fixed_key),
			 ERR_OK);
	assert_int_equal(wire_len, P2P_CHUNK_WIRE_MAX);
	assert_int_equal(be16_get(wire), P2P_CHUNK_PLAIN_MAX + 16);
	assert_int_equal(p2p_chunk_open(out, cap, &out_len, wire + 2, wire_len - 2, fixed_nonce,
					fixed_key),
			 ERR_OK);
	assert_int_equal(out_len, P2P_CHUNK_PLAIN_MAX);
	/* 65518 is refused before anything is written. */
	wire_len = 7;
	assert_int_equal(p2p_chunk_seal(wire, cap, &wire_len, plain, P2P_CHUNK_PLAIN_MAX + 1,
					fixed_nonce, fixed_key),
			 ERR_TOOBIG);
	assert_int_equal(wire_len, 7);
	/* Output capacity one short. */
	assert_int_equal(p2p_chunk_seal(wire, 2 + 16 + 9, &wire_len, plain, 10, fixed_nonce,
					fixed_key),
			 ERR_FULL);
	assert_int_equal(p2p_chunk_seal(wire, cap, &wire_len, plain, 10, fixed_nonce, fixed_key),
			 ERR_OK);
	assert_int_equal(p2p_chunk_open(out, 9, &out_len, wire + 2, 26, fixed_nonce, fixed_key),
			 ERR_FULL);
	/* Octez reads L up to 65535 (a u16): 65535 frames, 65536 cannot exist. */
	assert_int_equal(p2p_chunk_open(out, cap, &out_len, plain, 65535, fixed_nonce, fixed_key),
			 ERR_CRYPTO);
	assert_int_equal(p2p_chunk_open(out, cap, &out_len, plain, 65536, fixed_nonce, fixed_key),
			 ERR_TOOBIG);
	free(plain);
	free(wire);
	free(out);
}

static void test_wrong_key_and_nonce(void **state)
{
	(void)state;
	const uint8_t msg[] = {0x00, 0x00, 0x00, 0x02, 0x00, 0x02};
	uint8_t wire[64], out[64], key2[32], nonce2[24];
	size_t wire_len, out_len;
	assert_int_equal(p2p_chunk_seal(wire, sizeof wire, &wire_len, msg, sizeof msg, fixed_nonce,
					fixed_key),
			 ERR_OK);
	memcpy(key2, fixed_key, 32);
	key2[31] ^= 1;
	assert_int_equal(p2p_chunk_open(out, sizeof out, &out_len, wire + 2, wire_len - 2,
					fixed_nonce, key2),
			 ERR_CRYPTO);
	memcpy(nonce2, fixed_nonce, 24);
	p2p_nonce_incr(nonce2); /* a desynchronised counter */
	assert_int_equal(p2p_chunk_open(out, sizeof out, &out_len, wire + 2, wire_len - 2, nonce2,
					fixed_key),
			 ERR_CRYPTO);
	/* Both sides of a real exchange agree on the key. */
	uint8_t pk_a[32], sk_a[32], pk_b[32], sk_b[32], k_ab[32], k_ba[32];
	assert_int_equal(sodium_init() >= 0, 1);
	crypto_box_keypair(pk_a, sk_a);
	crypto_box_keypair(pk_b, sk_b);
	assert_int_equal(p2p_channel_key(k_ab, pk_b, sk_a), ERR_OK);
	assert_int_equal(p2p_channel_key(k_ba, pk_a, sk_b), ERR_OK);
	assert_memory_equal(k_ab, k_ba, 32);
	/* A low-order public key (all zero) gives an all-zero secret: refused. */
	uint8_t zero[32] = {0};
	assert_int_equal(p2p_channel_key(k_ab, zero, sk_a), ERR_CRYPTO);
	for (int i = 0; i < 32; i++)
		assert_int_equal(k_ab[i], 0);
}

static void test_nonce_incr(void **state)
{
	(void)state;
	uint8_t n[24];
	memset(n, 0xff, 24);
	p2p_nonce_incr(n);
	for (int i = 0; i < 24; i++)
		assert_int_equal(n[i], 0);
	/* Big-endian carry across bytes, unlike sodium_increment. */
	memset(n, 0, 24);
	n[22] = 0x01;
	n[23] = 0xff;
	p2p_nonce_incr(n);
	assert_int_equal(n[22], 0x02);
	assert_int_equal(n[23], 0x00);
	assert_int_equal(n[0], 0);
	uint8_t le[24] = {0};
	le[23] = 0xff;
	sodium_increment(le, 24);
	assert_int_equal(le[0], 1); /* the wrong order, for contrast */
	/* The two derived nonces differ and the initiator/responder roles mirror. */
	const uint8_t a[] = {0, 2, 'a', 'b'}, b[] = {0, 2, 'c', 'd'};
	uint8_t il[24], ir[24], rl[24], rr[24];
	p2p_nonces_for_role(il, ir, 1, a, sizeof a, b, sizeof b);
	p2p_nonces_for_role(rl, rr, 0, a, sizeof a, b, sizeof b);
	assert_memory_equal(il, rr, 24);
	assert_memory_equal(ir, rl, 24);
	assert_memory_not_equal(il, ir, 24);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nonces_json),
		cmocka_unit_test(test_crypto_box_json),
		cmocka_unit_test(test_metadata_json),
		cmocka_unit_test(test_capture_json),
		cmocka_unit_test(test_capture_csv),
		cmocka_unit_test(test_flipped_bits),
		cmocka_unit_test(test_short_box),
		cmocka_unit_test(test_sizes_at_limits),
		cmocka_unit_test(test_wrong_key_and_nonce),
		cmocka_unit_test(test_nonce_incr),
	};
	return cmocka_run_group_tests_name("p2p/crypto", tests, NULL, NULL);
}
