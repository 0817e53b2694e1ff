/*
 * Unit tests for lib/p2p/msg: connection message, metadata, Ack/Nack, against
 * tests/data/vectors/{connection_messages,ack_nack}.json and the TezEdge
 * resource files, plus every error path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/bytes.h"
#include "core/hex.h"
#include "p2p/msg.h"
#include "vecfile.h"

static size_t vectors_conn, vectors_ack;

static void check_hex(const uint8_t *got, size_t len, const char *want_hex)
{
	size_t wl;
	uint8_t *want = vecfile_unhex(want_hex, &wl);
	assert_int_equal(wl, len);
	assert_memory_equal(got, want, len);
	free(want);
}

static void check_conn_fields(const struct p2p_conn_msg *m, const json_t *d)
{
	assert_int_equal(m->port, json_integer_value(json_object_get(d, "port")));
	check_hex(m->public_key, 32, vecfile_str(d, "public_key"));
	check_hex(m->pow_stamp, 24, vecfile_str(d, "proof_of_work_stamp"));
	check_hex(m->message_nonce, 24, vecfile_str(d, "message_nonce"));
	const char *cn = vecfile_str(d, "chain_name");
	assert_int_equal(m->chain_name_len, strlen(cn));
	assert_memory_equal(m->chain_name, cn, strlen(cn));
	assert_int_equal(m->ddb_version,
	                 json_integer_value(json_object_get(d, "distributed_db_version")));
	assert_int_equal(m->p2p_version, json_integer_value(json_object_get(d, "p2p_version")));
}

static void test_conn_vectors(void **state)
{
	(void)state;
	json_t *root = vecfile_load("connection_messages.json");
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v)
	{
		const json_t *wire_j = json_object_get(v, "wire_bytes_with_length_prefix");
		if (!wire_j)
			continue;
		size_t len;
		uint8_t *wire = vecfile_hex(v, "wire_bytes_with_length_prefix", &len);
		struct p2p_conn_msg m;
		size_t used = 0;
		const char *why = NULL;
		/* Whole. */
		assert_int_equal(p2p_conn_msg_decode(wire, len, &used, &m, &why), ERR_OK);
		assert_int_equal(used, len);
		assert_int_equal(len - 2, json_integer_value(json_object_get(v, "body_length")));
		check_conn_fields(&m, json_object_get(v, "decoded"));
		/* Re-encoded byte for byte. */
		uint8_t out[P2P_CONN_WIRE_MAX];
		size_t out_len;
		assert_int_equal(p2p_conn_msg_encode(&m, out, sizeof out, &out_len), ERR_OK);
		assert_int_equal(out_len, len);
		assert_memory_equal(out, wire, len);
		/* One byte at a time: a growing prefix needs more until the last byte. */
		uint8_t *grow = malloc(len);
		for (size_t k = 0; k < len; k++) {
			grow[k] = wire[k];
			enum err e = p2p_conn_msg_decode(grow, k + 1, &used, &m, &why);
			assert_int_equal(e, k + 1 < len ? ERR_AGAIN : ERR_OK);
		}
		check_conn_fields(&m, json_object_get(v, "decoded"));
		free(grow);
		/* With bytes of the next message behind it: used stops at the message. */
		uint8_t *more = malloc(len + 3);
		memcpy(more, wire, len);
		memset(more + len, 0xee, 3);
		assert_int_equal(p2p_conn_msg_decode(more, len + 3, &used, &m, &why), ERR_OK);
		assert_int_equal(used, len);
		free(more);
		free(wire);
		vectors_conn++;
	}
	/* Octez's network_version sample is the tail of a connection message body. */
	json_array_foreach(root, i, v)
	{
		if (strcmp(vecfile_str(v, "name"), "octez_network_version_sample") != 0)
			continue;
		const json_t *j = json_object_get(v, "json");
		struct p2p_conn_msg m = {0};
		const char *cn = vecfile_str(j, "chain_name");
		m.chain_name = (const uint8_t *)cn;
		m.chain_name_len = strlen(cn);
		m.ddb_version =
		    (uint16_t)json_integer_value(json_object_get(j, "distributed_db_version"));
		m.p2p_version = (uint16_t)json_integer_value(json_object_get(j, "p2p_version"));
		uint8_t out[256];
		size_t out_len;
		assert_int_equal(p2p_conn_msg_encode(&m, out, sizeof out, &out_len), ERR_OK);
		size_t hl;
		uint8_t *tail = vecfile_hex(v, "hex", &hl);
		assert_memory_equal(out + out_len - hl, tail, hl);
		free(tail);
		vectors_conn++;
	}
	json_decref(root);
	printf("VECTORS: %zu checked (connection_messages.json)\n", vectors_conn);
	assert_int_equal(vectors_conn, 6);
}

static void test_conn_resource(void **state)
{
	(void)state;
	size_t len;
	char *body = vecfile_read("tests/data/vectors/tezedge_resources/connection.msg", &len);
	struct p2p_conn_msg m;
	const char *why = NULL;
	assert_int_equal(p2p_conn_msg_decode_body((uint8_t *)body, len, &m, &why), ERR_OK);
	assert_int_equal(m.port, 9732);
	assert_int_equal(m.chain_name_len, 13);
	assert_memory_equal(m.chain_name, "TEZOS_MAINNET", 13);
	assert_int_equal(m.ddb_version, 0);
	assert_int_equal(m.p2p_version, 1);
	/* Every shorter body is refused. */
	for (size_t k = 0; k < len; k++)
		assert_int_equal(p2p_conn_msg_decode_body((uint8_t *)body, k, &m, &why), ERR_PROTO);
	free(body);
	printf("VECTORS: 1 checked (tezedge_resources/connection.msg)\n");
}

static void test_conn_errors(void **state)
{
	(void)state;
	uint8_t body[200];
	struct p2p_conn_msg m;
	const char *why = NULL;

	/* A valid mainnet body: port, pk, stamp, nonce (zeros), name, versions. */
	memset(body, 0, sizeof body);
	be16_put(body, 9732);
	be32_put(body + 82, 13);
	memcpy(body + 86, "TEZOS_MAINNET", 13);
	be16_put(body + 99, 2);
	be16_put(body + 101, 1);
	assert_int_equal(p2p_conn_msg_decode_body(body, 103, &m, &why), ERR_OK);
	assert_int_equal(m.ddb_version, 2);

	/* Trailing byte. */
	assert_int_equal(p2p_conn_msg_decode_body(body, 104, &m, &why), ERR_PROTO);
	assert_string_equal(why, "conn msg: trailing bytes after the versions");
	/* Chain name longer than the body. */
	be32_put(body + 82, 14);
	assert_int_equal(p2p_conn_msg_decode_body(body, 103, &m, &why), ERR_PROTO);
	assert_string_equal(why, "conn msg: chain name runs past the body");
	/* Length field at its maximum (2^30 - 1) and maximum + 1. */
	be32_put(body + 82, P2P_LEN_LIMIT - 1);
	assert_int_equal(p2p_conn_msg_decode_body(body, 103, &m, &why), ERR_PROTO);
	be32_put(body + 82, P2P_LEN_LIMIT);
	assert_int_equal(p2p_conn_msg_decode_body(body, 103, &m, &why), ERR_TOOBIG);
	be32_put(body + 82, 0xffffffffu);
	assert_int_equal(p2p_conn_msg_decode_body(body, 103, &m, &why), ERR_TOOBIG);
	/* Short body. */
	assert_int_equal(p2p_conn_msg_decode_body(body, 89, &m, &why), ERR_PROTO);
	assert_string_equal(why, "conn msg: body shorter than its fixed fields");
	/* Empty chain name is fine. */
	be32_put(body + 82, 0);
	assert_int_equal(p2p_conn_msg_decode_body(body, 90, &m, &why), ERR_OK);
	assert_int_equal(m.chain_name_len, 0);

	/* u16 prefix at its maximum: a 65535-byte body holds a 65445-byte chain name. */
	uint8_t *big = calloc(1, P2P_CONN_WIRE_MAX + 1);
	be16_put(big, 65535);
	be32_put(big + 2 + 82, P2P_CHAIN_NAME_MAX);
	size_t used;
	assert_int_equal(p2p_conn_msg_decode(big, P2P_CONN_WIRE_MAX - 1, &used, &m, &why),
	                 ERR_AGAIN);
	assert_int_equal(p2p_conn_msg_decode(big, P2P_CONN_WIRE_MAX, &used, &m, &why), ERR_OK);
	assert_int_equal(used, P2P_CONN_WIRE_MAX);
	assert_int_equal(m.chain_name_len, P2P_CHAIN_NAME_MAX);
	/* Encoder: the same size round-trips, one more byte is too big. */
	size_t out_len;
	uint8_t *out = malloc(P2P_CONN_WIRE_MAX);
	assert_int_equal(p2p_conn_msg_encode(&m, out, P2P_CONN_WIRE_MAX, &out_len), ERR_OK);
	assert_int_equal(out_len, P2P_CONN_WIRE_MAX);
	assert_memory_equal(out, big, P2P_CONN_WIRE_MAX);
	m.chain_name_len++;
	assert_int_equal(p2p_conn_msg_encode(&m, out, P2P_CONN_WIRE_MAX, &out_len), ERR_TOOBIG);
	m.chain_name_len = 3;
	assert_int_equal(p2p_conn_msg_encode(&m, out, 94, &out_len), ERR_FULL);
	free(out);
	free(big);
	/* Truncated prefix. */
	assert_int_equal(p2p_conn_msg_decode(body, 1, &used, &m, &why), ERR_AGAIN);
	assert_int_equal(p2p_conn_msg_decode(body, 0, &used, &m, &why), ERR_AGAIN);
}

static void test_metadata(void **state)
{
	(void)state;
	struct p2p_metadata m = {true, false}, d;
	uint8_t b[2];
	const char *why = NULL;
	p2p_metadata_encode(&m, b);
	assert_memory_equal(b, "\xff\x00", 2);
	assert_int_equal(p2p_metadata_decode(b, 2, &d, &why), ERR_OK);
	assert_true(d.disable_mempool);
	assert_false(d.private_node);
	b[0] = 0x01; /* any non-zero byte is true */
	b[1] = 0x80;
	assert_int_equal(p2p_metadata_decode(b, 2, &d, &why), ERR_OK);
	assert_true(d.disable_mempool && d.private_node);
	assert_int_equal(p2p_metadata_decode(b, 1, &d, &why), ERR_PROTO);
	assert_string_equal(why, "metadata: shorter than 2 bytes");
	uint8_t three[3] = {0, 0, 0};
	assert_int_equal(p2p_metadata_decode(three, 3, &d, &why), ERR_PROTO);
	assert_string_equal(why, "metadata: trailing bytes");
	assert_int_equal(p2p_metadata_decode(three, 0, &d, &why), ERR_PROTO);
}

static void check_ack_vector(const uint8_t *pl, size_t len, const json_t *dec)
{
	struct p2p_ack a;
	const char *why = NULL;
	assert_int_equal(p2p_ack_decode(pl, len, &a, &why), ERR_OK);
	if (dec) {
		assert_int_equal(a.kind, P2P_NACK);
		assert_int_equal(a.motive, json_integer_value(json_object_get(dec, "motive")));
		assert_string_equal(p2p_motive_str(a.motive), vecfile_str(dec, "motive_name"));
		assert_int_equal(be32_get(pl + 3),
		                 json_integer_value(json_object_get(dec, "list_byte_length")));
		const json_t *pts = json_object_get(dec, "points");
		assert_int_equal(a.points_n, json_array_size(pts));
		for (size_t k = 0; k < a.points_n; k++) {
			char buf[POINT_FMT_CAP];
			point_format(&a.points[k], buf, sizeof buf);
			assert_string_equal(buf, json_string_value(json_array_get(pts, k)));
		}
	} else {
		assert_int_equal(a.kind, pl[0] == 0 ? P2P_ACK : P2P_NACK_V0);
	}
	uint8_t out[P2P_ACK_MAX];
	size_t out_len;
	assert_int_equal(p2p_ack_encode(&a, out, sizeof out, &out_len), ERR_OK);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, pl, len);
	/* One byte at a time: no proper prefix is a whole message. */
	for (size_t k = 0; k < len; k++)
		assert_int_not_equal(p2p_ack_decode(pl, k, &a, &why), ERR_OK);
}

static void test_ack_vectors(void **state)
{
	(void)state;
	json_t *root = vecfile_load("ack_nack.json");
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v)
	{
		size_t len;
		uint8_t *pl = vecfile_hex(v, "plaintext_hex", &len);
		check_ack_vector(pl, len, json_object_get(v, "decoded"));
		free(pl);
		vectors_ack++;
	}
	json_decref(root);
	printf("VECTORS: %zu checked (ack_nack.json)\n", vectors_ack);
	assert_int_equal(vectors_ack, 5);

	size_t len;
	char *raw = vecfile_read("tests/data/vectors/tezedge_resources/ack.msg", &len);
	struct p2p_ack a;
	assert_int_equal(p2p_ack_decode((uint8_t *)raw, len, &a, NULL), ERR_OK);
	assert_int_equal(a.kind, P2P_NACK);
	assert_int_equal(a.motive, P2P_MOTIVE_TOO_MANY_CONNECTIONS);
	assert_int_equal(a.points_n, 18);
	free(raw);
	printf("VECTORS: 1 checked (tezedge_resources/ack.msg)\n");
}

/* A Nack with n copies of one point text. */
static size_t make_nack(uint8_t *out, size_t n, const char *text)
{
	size_t tl = strlen(text), off = 7;
	out[0] = 1;
	be16_put(out + 1, 1);
	for (size_t k = 0; k < n; k++) {
		be32_put(out + off, (uint32_t)tl);
		memcpy(out + off + 4, text, tl);
		off += 4 + tl;
	}
	be32_put(out + 3, (uint32_t)(off - 7));
	return off;
}

static void test_ack_errors(void **state)
{
	(void)state;
	uint8_t *b = malloc(8192);
	struct p2p_ack a;
	const char *why = NULL;
	size_t len;

	/* 100 points decode, 101 do not. */
	len = make_nack(b, 100, "127.0.0.1:9732");
	assert_int_equal(p2p_ack_decode(b, len, &a, &why), ERR_OK);
	assert_int_equal(a.points_n, 100);
	len = make_nack(b, 101, "127.0.0.1:9732");
	assert_int_equal(p2p_ack_decode(b, len, &a, &why), ERR_TOOBIG);
	assert_string_equal(why, "nack: more than 100 points");
	/* Invalid point text. */
	len = make_nack(b, 2, "localhost:9732");
	assert_int_equal(p2p_ack_decode(b, len, &a, &why), ERR_PROTO);
	len = make_nack(b, 1, "1.2.3.4");
	assert_int_equal(p2p_ack_decode(b, len, &a, &why), ERR_PROTO);
	assert_string_equal(why, "point: missing port");
	/* Point text of 47 bytes (maximum) and 48. */
	len = make_nack(b, 1, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:65535");
	assert_int_equal(p2p_ack_decode(b, len, &a, &why), ERR_OK);
	len = make_nack(b, 1, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:065535");
	assert_int_equal(p2p_ack_decode(b, len, &a, &why), ERR_TOOBIG);
	assert_string_equal(why, "point field: text longer than 47 bytes");
	/* Point length field at 2^30 - 1 and 2^30. */
	len = make_nack(b, 1, "1.2.3.4:1");
	be32_put(b + 7, P2P_LEN_LIMIT - 1);
	assert_int_equal(p2p_ack_decode(b, len, &a, &why), ERR_TOOBIG); /* > 47 */
	be32_put(b + 7, P2P_LEN_LIMIT);
	assert_int_equal(p2p_ack_decode(b, len, &a, &why), ERR_TOOBIG);
	assert_string_equal(why, "point field: length >= 2^30");
	/* Point length larger than what is left. */
	be32_put(b + 7, 10);
	assert_int_equal(p2p_ack_decode(b, len, &a, &why), ERR_PROTO);
	assert_string_equal(why, "point field: text runs past the list");
	/* List length: maximum and maximum + 1, runs past, trailing, truncated. */
	len = make_nack(b, 1, "1.2.3.4:1");
	be32_put(b + 3, P2P_LEN_LIMIT - 1);
	assert_int_equal(p2p_ack_decode(b, len, &a, &why), ERR_PROTO);
	assert_string_equal(why, "nack: list runs past the message");
	be32_put(b + 3, P2P_LEN_LIMIT);
	assert_int_equal(p2p_ack_decode(b, len, &a, &why), ERR_TOOBIG);
	assert_string_equal(why, "nack: list length >= 2^30");
	be32_put(b + 3, (uint32_t)(len - 7));
	b[len] = 0;
	assert_int_equal(p2p_ack_decode(b, len + 1, &a, &why), ERR_PROTO);
	assert_string_equal(why, "nack: trailing bytes after the list");
	be32_put(b + 3, 3); /* list ends inside the point's length field */
	assert_int_equal(p2p_ack_decode(b, 10, &a, &why), ERR_PROTO);
	assert_string_equal(why, "point field: truncated length");
	assert_int_equal(p2p_ack_decode(b, 2, &a, &why), ERR_PROTO);
	assert_string_equal(why, "nack: truncated motive");
	assert_int_equal(p2p_ack_decode(b, 5, &a, &why), ERR_PROTO);
	assert_string_equal(why, "nack: truncated list length");
	/* Ack / Nack_v_0 with trailing bytes, unknown tag, empty. */
	uint8_t t[2] = {0x00, 0x00};
	assert_int_equal(p2p_ack_decode(t, 2, &a, &why), ERR_PROTO);
	assert_string_equal(why, "ack: trailing bytes after Ack/Nack_v_0");
	t[0] = 0xff;
	assert_int_equal(p2p_ack_decode(t, 2, &a, &why), ERR_PROTO);
	t[0] = 0x02;
	assert_int_equal(p2p_ack_decode(t, 1, &a, &why), ERR_PROTO);
	assert_string_equal(why, "ack: unknown tag");
	assert_int_equal(p2p_ack_decode(t, 0, &a, &why), ERR_PROTO);
	assert_string_equal(why, "ack: empty");
	/* Negative motive: an i16, kept as is. */
	len = make_nack(b, 0, "");
	be16_put(b + 1, 0xfffe);
	assert_int_equal(p2p_ack_decode(b, len, &a, &why), ERR_OK);
	assert_int_equal(a.motive, -2);
	assert_string_equal(p2p_motive_str(a.motive), "unknown");
	assert_string_equal(p2p_motive_str(4), "Deprecated_distributed_db_version");
	assert_string_equal(p2p_motive_str(6), "unknown");
	/* Encoder limits. */
	a.kind = P2P_NACK;
	a.points_n = P2P_POINTS_MAX + 1;
	assert_int_equal(p2p_ack_encode(&a, b, 8192, &len), ERR_TOOBIG);
	a.points_n = 1;
	a.points[0] = point_v4(0x01020304, 1);
	assert_int_equal(p2p_ack_encode(&a, b, 10, &len), ERR_FULL);
	assert_int_equal(p2p_ack_encode(&a, b, 0, &len), ERR_FULL);
	free(b);
}

/* decode(encode(m)) == m for random Nacks of mixed IPv4 / IPv6 points. */
static void test_ack_roundtrip(void **state)
{
	(void)state;
	srand(42);
	struct p2p_ack a, d;
	uint8_t buf[P2P_ACK_MAX];
	for (int it = 0; it < 300; it++) {
		memset(&a, 0, sizeof a);
		a.kind = P2P_NACK;
		a.motive = (int16_t)(rand() % 7 - 1);
		a.points_n = (size_t)(rand() % (P2P_POINTS_MAX + 1));
		for (size_t k = 0; k < a.points_n; k++) {
			for (int j = 0; j < 16; j++)
				a.points[k].addr[j] = (uint8_t)rand();
			if (rand() % 2)
				a.points[k] = point_v4((uint32_t)rand(), 0);
			a.points[k].port = (uint16_t)rand();
		}
		size_t len;
		assert_int_equal(p2p_ack_encode(&a, buf, sizeof buf, &len), ERR_OK);
		assert_int_equal(p2p_ack_decode(buf, len, &d, NULL), ERR_OK);
		assert_int_equal(d.kind, a.kind);
		assert_int_equal(d.motive, a.motive);
		assert_int_equal(d.points_n, a.points_n);
		for (size_t k = 0; k < a.points_n; k++)
			assert_int_equal(point_cmp(&a.points[k], &d.points[k]), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conn_vectors),  cmocka_unit_test(test_conn_resource),
	    cmocka_unit_test(test_conn_errors),   cmocka_unit_test(test_metadata),
	    cmocka_unit_test(test_ack_vectors),   cmocka_unit_test(test_ack_errors),
	    cmocka_unit_test(test_ack_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
