/*
 * Unit tests for lib/p2p/frame: P2P frames from tests/data/vectors/
 * p2p_messages.json and the TezEdge resource files, the reassembler, the
 * encoders and every error path.
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
#include "p2p/base58.h"
#include "p2p/consts.h"
#include "p2p/frame.h"
#include "vecfile.h"

static void block_hash_b58(const uint8_t hash[32], char *out, size_t cap)
{
	uint8_t pl[34] = {0x01, 0x34};
	memcpy(pl + 2, hash, 32);
	size_t n;
	assert_int_equal(base58_check_encode(out, cap, &n, pl, sizeof pl), ERR_OK);
}

static void check_header(const struct p2p_block_header *h, const json_t *d)
{
	char b58[64];
	assert_int_equal(h->level, json_integer_value(json_object_get(d, "level")));
	assert_int_equal(h->proto, json_integer_value(json_object_get(d, "proto")));
	assert_int_equal(h->timestamp, json_integer_value(json_object_get(d, "timestamp")));
	assert_int_equal(h->validation_passes,
	                 json_integer_value(json_object_get(d, "validation_pass")));
	block_hash_b58(h->predecessor, b58, sizeof b58);
	assert_string_equal(b58, vecfile_str(d, "predecessor"));
	const json_t *fit = json_object_get(d, "fitness");
	size_t nfit = 0;
	for (size_t off = 0; off < h->fitness_len; nfit++)
		off += 4 + be32_get(h->fitness + off);
	assert_int_equal(nfit, json_array_size(fit));
	/* Genesis headers have a configured hash; every other computed hash is checked. */
	if (h->level > 0) {
		block_hash_b58(h->hash, b58, sizeof b58);
		assert_string_equal(b58, vecfile_str(d, "block_hash_computed"));
	}
	const json_t *pd = json_object_get(d, "protocol_data_hex");
	if (pd) {
		size_t n;
		uint8_t *want = vecfile_unhex(json_string_value(pd), &n);
		assert_int_equal(n, h->protocol_data_len);
		assert_memory_equal(want, h->protocol_data, n);
		free(want);
	}
}

/* Decodes one whole frame, then again one byte at a time through the streaming decoder. */
static void decode_both_ways(const uint8_t *f, size_t len, struct p2p_msg *m)
{
	size_t used = 0;
	const char *why = NULL;
	enum err e = p2p_frame_decode(f, len, &used, m, &why);
	if (e)
		fail_msg("frame decode: %s (%s)", err_str(e), why);
	assert_int_equal(used, len);
	uint8_t *grow = malloc(len);
	struct p2p_msg *m2 = malloc(sizeof *m2);
	for (size_t k = 0; k < len; k++) {
		grow[k] = f[k];
		e = p2p_frame_decode(grow, k + 1, &used, m2, &why);
		assert_int_equal(e, k + 1 < len ? ERR_AGAIN : ERR_OK);
	}
	assert_int_equal(m2->tag, m->tag);
	assert_int_equal(m2->payload_len, m->payload_len);
	free(m2);
	free(grow);
	/* Re-encoded byte for byte (views point into f). */
	uint8_t *out = malloc(len + 16);
	size_t out_len;
	assert_int_equal(p2p_frame_encode(m, out, len + 16, &out_len), ERR_OK);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, f, len);
	free(out);
}

static uint8_t *frame_of(uint16_t tag, const uint8_t *pl, size_t pl_len, size_t *len)
{
	uint8_t *f = malloc(6 + pl_len);
	be32_put(f, (uint32_t)(pl_len + 2));
	be16_put(f + 4, tag);
	memcpy(f + 6, pl, pl_len);
	*len = 6 + pl_len;
	return f;
}

/* Every whole frame of the vector file, concatenated, for the reassembler test. */
static uint8_t *stream;
static size_t stream_len, stream_frames;

static void stream_add(const uint8_t *f, size_t len)
{
	stream = realloc(stream, stream_len + len);
	memcpy(stream + stream_len, f, len);
	stream_len += len;
	stream_frames++;
}

static void test_vectors(void **state)
{
	(void)state;
	json_t *root = vecfile_load("p2p_messages.json");
	size_t i, checked = 0;
	json_t *v;
	struct p2p_msg *m = malloc(sizeof *m);
	json_array_foreach(root, i, v)
	{
		const char *name = vecfile_str(v, "name");
		const json_t *dec = json_object_get(v, "decoded");
		size_t len;
		uint8_t *f = NULL;
		if (json_object_get(v, "expect")) { /* negative frames */
			f = vecfile_hex(v, "hex", &len);
			size_t used;
			const char *why = NULL;
			assert_int_equal(p2p_frame_decode(f, len, &used, m, &why), ERR_PROTO);
			assert_non_null(why);
			free(f);
			checked++;
			continue;
		}
		if (json_object_get(v, "full_frame_derived")) {
			f = vecfile_hex(v, "full_frame_derived", &len);
			size_t pl_len;
			uint8_t *pl = vecfile_hex(v, "hex", &pl_len);
			assert_memory_equal(f + 6, pl,
			                    pl_len); /* the payload is the frame's tail */
			free(pl);
		} else if (strcmp(name, "tezedge_swap_payload_max") == 0) {
			/* 'x' * 47 is no IP literal: a node refuses it, so must we. */
			size_t pl_len;
			uint8_t *pl = vecfile_hex(v, "hex", &pl_len);
			f = frame_of(P2P_TAG_SWAP_REQUEST, pl, pl_len, &len);
			size_t used;
			const char *why = NULL;
			assert_int_equal(p2p_frame_decode(f, len, &used, m, &why), ERR_PROTO);
			/* The same shape with a 47-byte valid point decodes. */
			memcpy(pl + 4, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:65535", 47);
			free(f);
			f = frame_of(P2P_TAG_SWAP_ACK, pl, pl_len, &len);
			decode_both_ways(f, len, m);
			assert_int_equal(m->swap_point.port, 65535);
			assert_memory_equal(m->swap_peer_id, pl + 51, 16);
			free(pl);
			free(f);
			checked++;
			continue;
		} else if (strcmp(name, "tezedge_block_header_level_28014") == 0) {
			uint8_t *h = vecfile_hex(v, "hex", &len);
			struct p2p_block_header bh;
			assert_int_equal(p2p_block_header_decode(h, len, &bh, NULL), ERR_OK);
			check_header(&bh, dec);
			char b58[64];
			block_hash_b58(bh.hash, b58, sizeof b58);
			assert_string_equal(b58, vecfile_str(v, "expected_block_hash"));
			free(h);
			checked++;
			continue;
		} else if (strcmp(name, "tezedge_mempool_empty") == 0) {
			/* Mempools live in Current_head, whose payload we skip: not applicable. */
			continue;
		} else if (json_object_get(v, "binary_file")) {
			continue; /* test_resources */
		} else {
			f = vecfile_hex(v, "hex", &len);
		}
		decode_both_ways(f, len, m);
		stream_add(f, len);
		if (dec && json_object_get(dec, "tag"))
			assert_int_equal(m->tag, json_integer_value(json_object_get(dec, "tag")));
		if (dec && json_object_get(dec, "frame_length_field"))
			assert_int_equal(be32_get(f), json_integer_value(json_object_get(
			                                  dec, "frame_length_field")));
		const json_t *cid = dec ? json_object_get(dec, "chain_id_hex") : NULL;
		if (cid && m->tag != P2P_TAG_CURRENT_HEAD) {
			size_t n;
			uint8_t *want = vecfile_unhex(json_string_value(cid), &n);
			assert_memory_equal(m->chain_id, want, 4);
			free(want);
		}
		const json_t *pts = json_object_get(v, "decoded_points");
		if (!pts && dec)
			pts = json_object_get(dec, "points");
		if (pts) {
			assert_int_equal(m->tag, P2P_TAG_ADVERTISE);
			assert_int_equal(m->points_n, json_array_size(pts));
			for (size_t k = 0; k < m->points_n; k++) {
				char buf[POINT_FMT_CAP];
				point_format(&m->points[k], buf, sizeof buf);
				assert_string_equal(buf, json_string_value(json_array_get(pts, k)));
			}
		}
		if (m->tag == P2P_TAG_CURRENT_BRANCH) {
			check_header(&m->head, json_object_get(dec, "head"));
			assert_int_equal(m->head.raw_len, json_integer_value(json_object_get(
			                                      dec, "head_header_length")));
			assert_int_equal(m->history_n,
			                 json_integer_value(json_object_get(dec, "history_count")));
			const json_t *hist = json_object_get(dec, "history_b58");
			for (size_t k = 0; hist && k < json_array_size(hist); k++) {
				char b58[64];
				block_hash_b58(m->history + 32 * k, b58, sizeof b58);
				assert_string_equal(b58,
				                    json_string_value(json_array_get(hist, k)));
			}
		}
		if (m->tag == P2P_TAG_CURRENT_HEAD) {
			/* Skipped by the decoder; its header is still well formed. */
			struct p2p_block_header bh;
			uint32_t hl = be32_get(m->payload + 4);
			assert_int_equal(hl,
			                 json_integer_value(json_object_get(dec, "header_length")));
			assert_int_equal(p2p_block_header_decode(m->payload + 8, hl, &bh, NULL),
			                 ERR_OK);
			check_header(&bh, json_object_get(dec, "header"));
			const json_t *el = json_object_get(v, "expected_level");
			assert_int_equal(bh.level, json_is_string(el) ? atol(json_string_value(el))
			                                              : json_integer_value(el));
		}
		free(f);
		checked++;
	}
	free(m);
	json_decref(root);
	printf("VECTORS: %zu checked (p2p_messages.json)\n", checked);
	assert_int_equal(checked, 22);
}

static void test_resources(void **state)
{
	(void)state;
	struct p2p_msg *m = malloc(sizeof *m);
	size_t len, flen;
	char *pl;
	uint8_t *f;
	struct p2p_block_header bh;

	pl = vecfile_read("tests/data/vectors/tezedge_resources/block-header.msg", &len);
	assert_int_equal(p2p_block_header_decode((uint8_t *)pl, len, &bh, NULL), ERR_OK);
	assert_int_equal(bh.level, 610079);
	assert_int_equal(bh.proto, 4);
	assert_int_equal(bh.timestamp, 1568622928);
	char b58[64];
	block_hash_b58(bh.hash, b58, sizeof b58);
	assert_string_equal(b58, "BMU7AQ9vnbv8jSEunp6y8fGdaLVZq76bgihnjqqLxSqTLxqrfG5");
	/* Every truncation of a header with a 2-element fitness fails. */
	for (size_t k = 0; k < 114 + 17; k++)
		assert_int_not_equal(p2p_block_header_decode((uint8_t *)pl, k, &bh, NULL), ERR_OK);
	free(pl);

	pl = vecfile_read("tests/data/vectors/tezedge_resources/current-branch.big.msg", &len);
	f = frame_of(P2P_TAG_CURRENT_BRANCH, (uint8_t *)pl, len, &flen);
	decode_both_ways(f, flen, m);
	assert_int_equal(m->head.level, 1420188);
	assert_int_equal(m->head.raw_len, 206);
	assert_int_equal(m->history_n, 174);
	assert_memory_equal(m->chain_id, "\x7a\x06\xa7\x70", 4);
	block_hash_b58(m->history, b58, sizeof b58);
	assert_string_equal(b58, "BMFcu53taiq7kbECnEaE54c1eTJ2abQKuLpKzcHyRayd7iwB4Fm");
	block_hash_b58(m->head.predecessor, b58, sizeof b58);
	assert_string_equal(b58, "BMFcu53taiq7kbECnEaE54c1eTJ2abQKuLpKzcHyRayd7iwB4Fm");
	stream_add(f, flen);
	free(f);
	free(pl);

	pl = vecfile_read("tests/data/vectors/tezedge_resources/current-head.big.msg", &len);
	f = frame_of(P2P_TAG_CURRENT_HEAD, (uint8_t *)pl, len, &flen);
	decode_both_ways(f, flen, m);
	assert_int_equal(m->payload_len, 33666);
	assert_int_equal(p2p_block_header_decode(m->payload + 8, 206, &bh, NULL), ERR_OK);
	assert_int_equal(bh.level, 1343487);
	stream_add(f, flen);
	free(f);
	free(pl);

	static const struct {
		const char *file;
		uint16_t tag;
	} skip[] = {
	    {"get-block-headers.msg", P2P_TAG_GET_BLOCK_HEADERS},
	    {"get-operations-for-blocks.msg", P2P_TAG_GET_OPERATIONS_FOR_BLOCKS},
	    {"get-current-branch.msg", P2P_TAG_GET_CURRENT_BRANCH},
	    {"get-current-head.msg", P2P_TAG_GET_CURRENT_HEAD},
	};
	for (size_t k = 0; k < sizeof skip / sizeof skip[0]; k++) {
		char path[256];
		snprintf(path, sizeof path, "tests/data/vectors/tezedge_resources/%s",
		         skip[k].file);
		pl = vecfile_read(path, &len);
		f = frame_of(skip[k].tag, (uint8_t *)pl, len, &flen);
		decode_both_ways(f, flen, m);
		assert_int_equal(m->tag, skip[k].tag);
		if (len == 4)
			assert_memory_equal(m->chain_id, "\x7a\x06\xa7\x70", 4);
		stream_add(f, flen);
		free(f);
		free(pl);
	}
	free(m);
	printf("VECTORS: 7 checked (tezedge_resources/*.msg)\n");
}

/* The whole vector stream cut at random chunk sizes comes out frame by frame. */
static void test_reasm(void **state)
{
	(void)state;
	assert_true(stream_frames >= 20);
	srand(7);
	for (int round = 0; round < 60; round++) {
		struct p2p_reasm r;
		p2p_reasm_init(&r);
		size_t off = 0, got = 0, out_off = 0;
		while (off < stream_len) {
			size_t c = round == 0 ? 1 : (size_t)(rand() % (round < 30 ? 64 : 8000)) + 1;
			if (c > stream_len - off)
				c = stream_len - off;
			assert_int_equal(p2p_reasm_push(&r, stream + off, c), ERR_OK);
			off += c;
			const uint8_t *f;
			size_t flen;
			while (p2p_reasm_next(&r, &f, &flen) == ERR_OK) {
				assert_memory_equal(f, stream + out_off, flen);
				struct p2p_msg *m = malloc(sizeof *m);
				size_t used;
				assert_int_equal(p2p_frame_decode(f, flen, &used, m, NULL), ERR_OK);
				free(m);
				out_off += flen;
				got++;
			}
		}
		assert_int_equal(got, stream_frames);
		assert_int_equal(out_off, stream_len);
		p2p_reasm_cleanup(&r);
		p2p_reasm_cleanup(&r); /* twice is fine */
	}
	printf("CHECKED: %zu frames reassembled across random chunk boundaries\n", stream_frames);
}

/*
 * A capped reassembler: the vector stream at random chunk boundaries, with
 * caps that keep every frame, drop the largest, or drop most: kept frames
 * come out byte for byte, dropped ones are reported (tag, size) in order,
 * and a dropped frame is never buffered past its 6 first bytes.
 */
static void test_reasm_cap(void **state)
{
	(void)state;
	size_t biggest = 0;
	for (size_t off = 0; off < stream_len;) {
		size_t s = be32_get(stream + off);
		if (s > biggest)
			biggest = s;
		off += 4 + s;
	}
	const size_t caps[] = {biggest, biggest - 1, 100, 2};
	srand(11);
	for (size_t ci = 0; ci < sizeof caps / sizeof caps[0]; ci++) {
		for (int round = 0; round < 20; round++) {
			struct p2p_reasm r;
			p2p_reasm_init(&r);
			assert_int_equal(p2p_reasm_set_cap(&r, caps[ci]), ERR_OK);
			size_t off = 0, exp = 0, kept = 0, dropped = 0;
			while (off < stream_len) {
				size_t c = round == 0 ? 1 : (size_t)(rand() % 3000) + 1;
				if (c > stream_len - off)
					c = stream_len - off;
				assert_int_equal(p2p_reasm_push(&r, stream + off, c), ERR_OK);
				off += c;
				for (;;) {
					const uint8_t *f;
					size_t flen;
					uint16_t tag;
					uint32_t size;
					enum err e = p2p_reasm_next(&r, &f, &flen);
					/* the frame expected next (none past the end) */
					uint32_t want = exp + 4 <= stream_len
					                    ? be32_get(stream + exp)
					                    : UINT32_MAX;
					if (e == ERR_OK) {
						assert_true(want <= caps[ci]);
						assert_int_equal(flen, 4 + want);
						assert_memory_equal(f, stream + exp, flen);
						exp += flen;
						kept++;
						continue;
					}
					assert_int_equal(e, ERR_AGAIN);
					if (!p2p_reasm_dropped(&r, &tag, &size))
						break;
					assert_true(want > caps[ci]);
					assert_int_equal(size, want);
					assert_int_equal(tag, be16_get(stream + exp + 4));
					exp += 4 + want;
					dropped++;
				}
				/* what is held: at most one kept frame and the chunk just pushed */
				assert_true(r.len - r.off <= caps[ci] + 4 + c);
			}
			assert_int_equal(exp, stream_len);
			assert_int_equal(kept + dropped, stream_frames);
			assert_int_equal(r.drops, dropped);
			if (ci == 0)
				assert_int_equal(dropped, 0);
			else
				assert_true(dropped >= 1);
			assert_int_equal(p2p_reasm_skipping(&r), 0);
			p2p_reasm_cleanup(&r);
		}
	}
}

/* The cap at its bounds, max and max + 1, and p2p_reasm_drop for a caller that read the header. */
static void test_reasm_cap_limits(void **state)
{
	(void)state;
	struct p2p_reasm r;
	p2p_reasm_init(&r);
	assert_int_equal(r.frame_cap, P2P_FRAME_MAX);
	assert_int_equal(p2p_reasm_set_cap(&r, 1), ERR_INVAL);
	assert_int_equal(p2p_reasm_set_cap(&r, P2P_FRAME_MAX + 1), ERR_INVAL);
	assert_int_equal(p2p_reasm_set_cap(&r, P2P_FRAME_MAX), ERR_OK);
	assert_int_equal(p2p_reasm_set_cap(&r, 1000), ERR_OK);
	uint8_t fr[1006];
	memset(fr, 0xab, sizeof fr);
	const uint8_t *f;
	size_t flen;
	uint16_t tag;
	uint32_t size;
	/* max: kept */
	be32_put(fr, 1000);
	be16_put(fr + 4, P2P_TAG_PROTOCOL);
	assert_int_equal(p2p_reasm_push(&r, fr, 1004), ERR_OK);
	assert_int_equal(p2p_reasm_next(&r, &f, &flen), ERR_OK);
	assert_int_equal(flen, 1004);
	assert_false(p2p_reasm_dropped(&r, &tag, &size));
	/* max + 1: dropped, in two pieces; the bytes after it are a kept frame */
	be32_put(fr, 1001);
	assert_int_equal(p2p_reasm_push(&r, fr, 5), ERR_OK); /* size known, tag not yet */
	assert_int_equal(p2p_reasm_next(&r, &f, &flen), ERR_AGAIN);
	assert_false(p2p_reasm_dropped(&r, &tag, &size));
	assert_int_equal(p2p_reasm_push(&r, fr + 5, 999), ERR_OK); /* all but its last byte */
	assert_true(r.cap <= 1024); /* the kept frame's buffer: this one never buffered */
	assert_int_equal(p2p_reasm_skipping(&r), 1);
	assert_int_equal(p2p_reasm_next(&r, &f, &flen), ERR_AGAIN);
	assert_true(p2p_reasm_dropped(&r, &tag, &size));
	assert_int_equal(tag, P2P_TAG_PROTOCOL);
	assert_int_equal(size, 1001);
	assert_false(p2p_reasm_dropped(&r, &tag, &size)); /* once */
	uint8_t tail[1 + 6];
	tail[0] = 0xab;
	be32_put(tail + 1, 2);
	be16_put(tail + 5, P2P_TAG_BOOTSTRAP);
	assert_int_equal(p2p_reasm_push(&r, tail, sizeof tail), ERR_OK);
	assert_int_equal(p2p_reasm_next(&r, &f, &flen), ERR_OK);
	assert_int_equal(flen, 6);
	assert_memory_equal(f, tail + 1, 6);
	/* P2P_FRAME_MAX + 1 is still an error, not a drop */
	uint8_t big[6];
	be32_put(big, P2P_FRAME_MAX + 1);
	be16_put(big + 4, 0x41);
	assert_int_equal(p2p_reasm_push(&r, big, 6), ERR_TOOBIG);
	p2p_reasm_cleanup(&r);

	/* p2p_reasm_drop: the caller read the size and tag and discarded n bytes */
	p2p_reasm_init(&r);
	assert_int_equal(p2p_reasm_set_cap(&r, 1000), ERR_OK);
	assert_int_equal(p2p_reasm_drop(&r, 1000, 0x41, 10), ERR_INVAL); /* not over the cap */
	assert_int_equal(p2p_reasm_drop(&r, P2P_FRAME_MAX + 1, 0x41, 10), ERR_INVAL);
	assert_int_equal(p2p_reasm_drop(&r, 1001, 0x41, 1006), ERR_INVAL); /* more than the frame */
	assert_int_equal(p2p_reasm_drop(&r, 5000, 0x41, 3000), ERR_OK);
	assert_int_equal(p2p_reasm_skipping(&r), 2004);
	assert_int_equal(p2p_reasm_drop(&r, 5000, 0x41, 10), ERR_STATE); /* one at a time */
	p2p_reasm_skipped(&r, 2000);
	assert_int_equal(p2p_reasm_skipping(&r), 4);
	assert_true(p2p_reasm_dropped(&r, &tag, &size));
	assert_int_equal(size, 5000);
	uint8_t rest[4 + 6];
	memset(rest, 0, 4);
	be32_put(rest + 4, 2);
	be16_put(rest + 8, P2P_TAG_BOOTSTRAP);
	assert_int_equal(p2p_reasm_push(&r, rest, sizeof rest), ERR_OK);
	assert_int_equal(p2p_reasm_next(&r, &f, &flen), ERR_OK);
	assert_int_equal(flen, 6);
	assert_true(p2p_reasm_at_frame_start(&r));
	p2p_reasm_cleanup(&r);
}

static void test_reasm_limits(void **state)
{
	(void)state;
	struct p2p_reasm r;
	const uint8_t *f;
	size_t flen;
	uint8_t hdr[6];

	/* A declared size above P2P_FRAME_MAX fails before anything is buffered. */
	p2p_reasm_init(&r);
	be32_put(hdr, P2P_FRAME_MAX + 1);
	be16_put(hdr + 4, 2);
	assert_int_equal(p2p_reasm_push(&r, hdr, 2), ERR_OK);
	assert_int_equal(p2p_reasm_next(&r, &f, &flen), ERR_AGAIN);
	assert_int_equal(p2p_reasm_push(&r, hdr + 2, 4), ERR_TOOBIG);
	assert_true(r.cap < 65536);
	assert_int_equal(p2p_reasm_next(&r, &f, &flen), ERR_TOOBIG); /* sticky */
	assert_int_equal(p2p_reasm_push(&r, hdr, 1), ERR_TOOBIG);
	p2p_reasm_cleanup(&r);

	/* Exactly P2P_FRAME_MAX is buffered and handed out. */
	p2p_reasm_init(&r);
	uint8_t *chunk = calloc(1, P2P_CHUNK_PLAIN_MAX);
	be32_put(chunk, P2P_FRAME_MAX);
	be16_put(chunk + 4, P2P_TAG_OPERATION);
	size_t left = 4 + (size_t)P2P_FRAME_MAX;
	while (left) {
		size_t c = left < P2P_CHUNK_PLAIN_MAX ? left : P2P_CHUNK_PLAIN_MAX;
		assert_int_equal(p2p_reasm_push(&r, chunk, c), ERR_OK);
		memset(chunk, 0, 6);
		left -= c;
		if (left)
			assert_int_equal(p2p_reasm_next(&r, &f, &flen), ERR_AGAIN);
	}
	assert_int_equal(p2p_reasm_next(&r, &f, &flen), ERR_OK);
	assert_int_equal(flen, 4 + (size_t)P2P_FRAME_MAX);
	struct p2p_msg *m = malloc(sizeof *m);
	size_t used;
	assert_int_equal(p2p_frame_decode(f, flen, &used, m, NULL), ERR_OK);
	assert_int_equal(m->tag, P2P_TAG_OPERATION);
	free(m);
	/* A chunk larger than a chunk can be is a caller bug. */
	assert_int_equal(p2p_reasm_push(&r, chunk, P2P_CHUNK_WIRE_MAX + 1), ERR_INVAL);
	free(chunk);
	p2p_reasm_cleanup(&r);
}

static void expect_bad(const uint8_t *f, size_t len, enum err want, const char *want_why)
{
	struct p2p_msg *m = malloc(sizeof *m);
	size_t used;
	const char *why = NULL;
	enum err e = p2p_frame_decode(f, len, &used, m, &why);
	if (e != want)
		fail_msg("got %s (%s), want %s", err_str(e), why ? why : "-", err_str(want));
	if (want_why)
		assert_string_equal(why, want_why);
	free(m);
}

static size_t advertise_of(uint8_t *out, size_t n, const char *text)
{
	size_t tl = strlen(text), off = 6;
	for (size_t k = 0; k < n; k++) {
		be32_put(out + off, (uint32_t)tl);
		memcpy(out + off + 4, text, tl);
		off += 4 + tl;
	}
	be32_put(out, (uint32_t)(off - 4));
	be16_put(out + 4, P2P_TAG_ADVERTISE);
	return off;
}

static void test_errors(void **state)
{
	(void)state;
	uint8_t *b = calloc(1, 16384);
	size_t len;

	/* Size: 0, 1, max, max + 1. */
	expect_bad((const uint8_t *)"\0\0\0\0", 4, ERR_PROTO, "frame: size 0");
	expect_bad((const uint8_t *)"\0\0\0\1\0", 5, ERR_PROTO, "frame: size too small for a tag");
	be32_put(b, P2P_FRAME_MAX);
	expect_bad(b, 4, ERR_AGAIN, NULL);
	be32_put(b, P2P_FRAME_MAX + 1);
	expect_bad(b, 4, ERR_TOOBIG, "frame: size above P2P_FRAME_MAX");
	be32_put(b, 0xffffffffu);
	expect_bad(b, 4, ERR_TOOBIG, NULL);
	/* Unknown tags. */
	static const uint16_t unknown[] = {0x0000, 0x0006, 0x000f, 0x0015, 0x0022,
	                                   0x0050, 0x0062, 0x0092, 0x0100, 0xffff};
	for (size_t k = 0; k < sizeof unknown / sizeof unknown[0]; k++) {
		be32_put(b, 2);
		be16_put(b + 4, unknown[k]);
		expect_bad(b, 6, ERR_PROTO, "frame: unknown tag");
	}
	/* Two messages in one frame, trailing bytes. */
	expect_bad((const uint8_t *)"\0\0\0\4\0\2\0\1", 8, ERR_PROTO,
	           "frame: trailing bytes after an empty message");
	expect_bad((const uint8_t *)"\0\0\0\7\0\x10\1\2\3\4\5", 11, ERR_PROTO,
	           "frame: trailing bytes after the chain id");
	expect_bad((const uint8_t *)"\0\0\0\5\0\x10\1\2\3", 9, ERR_PROTO,
	           "frame: truncated chain id");
	/* Advertise: 100 points decode, 101 do not; bad text; over-long text; empty list. */
	len = advertise_of(b, 100, "127.0.0.1:9732");
	struct p2p_msg *m = malloc(sizeof *m);
	size_t used;
	assert_int_equal(p2p_frame_decode(b, len, &used, m, NULL), ERR_OK);
	assert_int_equal(m->points_n, 100);
	len = advertise_of(b, 101, "127.0.0.1:9732");
	expect_bad(b, len, ERR_TOOBIG, "advertise: more than 100 points");
	len = advertise_of(b, 3, "example.org:9732");
	expect_bad(b, len, ERR_PROTO, NULL);
	len = advertise_of(b, 1, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:065535");
	expect_bad(b, len, ERR_TOOBIG, "point field: text longer than 47 bytes");
	len = advertise_of(b, 0, "");
	assert_int_equal(p2p_frame_decode(b, len, &used, m, NULL), ERR_OK);
	assert_int_equal(m->points_n, 0);
	len = advertise_of(b, 2, "1.2.3.4:5");
	be32_put(b + 6 + 13, P2P_LEN_LIMIT);
	expect_bad(b, len, ERR_TOOBIG, "point field: length >= 2^30");
	b[len] = 0; /* a stray byte: the point length field is truncated */
	len = advertise_of(b, 1, "1.2.3.4:5");
	be32_put(b, (uint32_t)(len - 4 + 1));
	expect_bad(b, len + 1, ERR_PROTO, "point field: truncated length");
	/* Swap: truncated peer id, trailing bytes. */
	len = advertise_of(b, 1, "1.2.3.4:5");
	be16_put(b + 4, P2P_TAG_SWAP_REQUEST);
	be32_put(b, (uint32_t)(len - 4 + 15));
	expect_bad(b, len + 15, ERR_PROTO, "swap: truncated peer id");
	be32_put(b, (uint32_t)(len - 4 + 17));
	expect_bad(b, len + 17, ERR_PROTO, "swap: trailing bytes after the peer id");
	be32_put(b, (uint32_t)(len - 4 + 16));
	assert_int_equal(p2p_frame_decode(b, len + 16, &used, m, NULL), ERR_OK);
	/* Current_branch: header length at 2^30 - 1 and 2^30, history not whole hashes. */
	memset(b, 0, 400);
	be16_put(b + 4, P2P_TAG_CURRENT_BRANCH);
	be32_put(b + 10, 114);
	be32_put(b, 2 + 8 + 114 + 32);
	assert_int_equal(p2p_frame_decode(b, 4 + 2 + 8 + 114 + 32, &used, m, NULL), ERR_OK);
	assert_int_equal(m->history_n, 1);
	assert_int_equal(m->head.fitness_len, 0);
	be32_put(b, 2 + 8 + 114 + 31);
	expect_bad(b, 4 + 2 + 8 + 114 + 31, ERR_PROTO,
	           "current_branch: history is not whole block hashes");
	be32_put(b, 2 + 8 + 114);
	be32_put(b + 10, P2P_LEN_LIMIT - 1);
	expect_bad(b, 4 + 2 + 8 + 114, ERR_PROTO, "current_branch: header runs past the frame");
	be32_put(b + 10, P2P_LEN_LIMIT);
	expect_bad(b, 4 + 2 + 8 + 114, ERR_TOOBIG, "current_branch: header length >= 2^30");
	be32_put(b, 2 + 7);
	expect_bad(b, 4 + 2 + 7, ERR_PROTO, "current_branch: truncated chain id or header length");
	be32_put(b + 10, 113);
	be32_put(b, 2 + 8 + 113);
	expect_bad(b, 4 + 2 + 8 + 113, ERR_PROTO, "block header: shorter than its fixed fields");
	/* Fitness: list length max/max+1, element running past, truncated element length. */
	be32_put(b + 10, 114 + 8);
	be32_put(b, 2 + 8 + 114 + 8);
	uint8_t *hdr = b + 14;
	be32_put(hdr + 78, 8);
	be32_put(hdr + 82, 4);
	assert_int_equal(p2p_frame_decode(b, 4 + 2 + 8 + 122, &used, m, NULL), ERR_OK);
	be32_put(hdr + 82, 5);
	expect_bad(b, 4 + 2 + 8 + 122, ERR_PROTO,
	           "block header: fitness element runs past the list");
	be32_put(hdr + 82, P2P_LEN_LIMIT);
	expect_bad(b, 4 + 2 + 8 + 122, ERR_TOOBIG, "block header: fitness element length >= 2^30");
	be32_put(hdr + 78, 3);
	expect_bad(b, 4 + 2 + 8 + 122, ERR_PROTO, "block header: truncated fitness element length");
	be32_put(hdr + 78, P2P_LEN_LIMIT - 1);
	expect_bad(b, 4 + 2 + 8 + 122, ERR_PROTO, "block header: fitness runs past the header");
	be32_put(hdr + 78, P2P_LEN_LIMIT);
	expect_bad(b, 4 + 2 + 8 + 122, ERR_TOOBIG, "block header: fitness length >= 2^30");
	free(m);
	free(b);
	assert_non_null(p2p_tag_str(P2P_TAG_PREDECESSOR_HEADER));
	assert_null(p2p_tag_str(0x15));
}

/* Encoders: decode(encode(m)) == m for everything the crawler and simnet send. */
static void test_encode_roundtrip(void **state)
{
	(void)state;
	struct p2p_msg *m = malloc(sizeof *m), *d = malloc(sizeof *d);
	uint8_t *buf = malloc(65536);
	size_t len, used;

	p2p_msg_init(m, P2P_TAG_BOOTSTRAP);
	assert_int_equal(p2p_frame_encode(m, buf, 65536, &len), ERR_OK);
	assert_int_equal(len, 6);
	assert_memory_equal(buf, "\0\0\0\2\0\2", 6);
	p2p_msg_init(m, P2P_TAG_DISCONNECT);
	assert_int_equal(p2p_frame_encode(m, buf, 65536, &len), ERR_OK);
	assert_memory_equal(buf, "\0\0\0\2\0\1", 6);
	p2p_msg_init(m, P2P_TAG_GET_CURRENT_BRANCH);
	memcpy(m->chain_id, "\x7a\x06\xa7\x70", 4);
	assert_int_equal(p2p_frame_encode(m, buf, 65536, &len), ERR_OK);
	assert_int_equal(len, 10);
	assert_memory_equal(buf, "\0\0\0\6\0\x10\x7a\x06\xa7\x70", 10);

	p2p_msg_init(m, P2P_TAG_ADVERTISE);
	m->points_n = P2P_POINTS_MAX;
	for (size_t k = 0; k < m->points_n; k++) {
		m->points[k] = point_v4(0x0a000000u + (uint32_t)k, (uint16_t)(9732 + k));
		if (k % 3 == 0)
			m->points[k].addr[0] = 0x20; /* IPv6 */
	}
	assert_int_equal(p2p_frame_encode(m, buf, 65536, &len), ERR_OK);
	assert_int_equal(p2p_frame_decode(buf, len, &used, d, NULL), ERR_OK);
	assert_int_equal(d->points_n, m->points_n);
	for (size_t k = 0; k < m->points_n; k++)
		assert_int_equal(point_cmp(&m->points[k], &d->points[k]), 0);
	assert_int_equal(p2p_frame_encode(m, buf, 100, &len), ERR_FULL);
	m->points_n = P2P_POINTS_MAX + 1;
	assert_int_equal(p2p_frame_encode(m, buf, 65536, &len), ERR_INVAL);

	p2p_msg_init(m, P2P_TAG_SWAP_ACK);
	m->swap_point = point_v4(0x7f000001, 1);
	memset(m->swap_peer_id, 0xab, 16);
	assert_int_equal(p2p_frame_encode(m, buf, 65536, &len), ERR_OK);
	assert_int_equal(p2p_frame_decode(buf, len, &used, d, NULL), ERR_OK);
	assert_int_equal(point_cmp(&d->swap_point, &m->swap_point), 0);
	assert_memory_equal(d->swap_peer_id, m->swap_peer_id, 16);

	/* A synthetic Current_branch, as simnet sends it. */
	uint8_t pred[32], ops[32], ctx[32], hist[3 * 32], fit[] = {0, 0, 0, 1, 2, 0, 0, 0, 0};
	uint8_t pd[40];
	memset(pred, 1, 32);
	memset(ops, 2, 32);
	memset(ctx, 3, 32);
	memset(pd, 4, sizeof pd);
	for (size_t k = 0; k < sizeof hist; k++)
		hist[k] = (uint8_t)k;
	struct p2p_block_header h = {
	    .level = 5123456,
	    .proto = 22,
	    .predecessor = pred,
	    .timestamp = 1764000000,
	    .validation_passes = 4,
	    .operations_hash = ops,
	    .fitness = fit,
	    .fitness_len = sizeof fit,
	    .context = ctx,
	    .protocol_data = pd,
	    .protocol_data_len = sizeof pd,
	};
	uint8_t raw[512];
	size_t raw_len;
	assert_int_equal(p2p_block_header_encode(&h, raw, sizeof raw, &raw_len), ERR_OK);
	assert_int_equal(raw_len, P2P_HEADER_FIXED + sizeof fit + sizeof pd);
	assert_int_equal(p2p_block_header_encode(&h, raw, 100, &raw_len), ERR_FULL);
	assert_int_equal(p2p_block_header_encode(&h, raw, sizeof raw, &raw_len), ERR_OK);
	p2p_msg_init(m, P2P_TAG_CURRENT_BRANCH);
	memcpy(m->chain_id, "\x7a\x06\xa7\x70", 4);
	m->head.raw = raw;
	m->head.raw_len = raw_len;
	m->history = hist;
	m->history_n = 3;
	assert_int_equal(p2p_frame_encode(m, buf, 65536, &len), ERR_OK);
	assert_int_equal(p2p_frame_decode(buf, len, &used, d, NULL), ERR_OK);
	assert_int_equal(d->head.level, 5123456);
	assert_int_equal(d->head.proto, 22);
	assert_int_equal(d->head.timestamp, 1764000000);
	assert_int_equal(d->head.validation_passes, 4);
	assert_memory_equal(d->head.predecessor, pred, 32);
	assert_memory_equal(d->head.operations_hash, ops, 32);
	assert_memory_equal(d->head.context, ctx, 32);
	assert_int_equal(d->head.fitness_len, sizeof fit);
	assert_int_equal(d->head.protocol_data_len, sizeof pd);
	assert_int_equal(d->history_n, 3);
	assert_memory_equal(d->history, hist, sizeof hist);
	struct p2p_block_header again;
	assert_int_equal(p2p_block_header_decode(raw, raw_len, &again, NULL), ERR_OK);
	assert_memory_equal(again.hash, d->head.hash, 32);

	/* A skipped tag is written with its raw payload. */
	p2p_msg_init(m, P2P_TAG_GET_BLOCK_HEADERS);
	m->payload = (const uint8_t *)"\0\0\0\0";
	m->payload_len = 4;
	assert_int_equal(p2p_frame_encode(m, buf, 65536, &len), ERR_OK);
	assert_int_equal(p2p_frame_decode(buf, len, &used, d, NULL), ERR_OK);
	assert_int_equal(d->tag, P2P_TAG_GET_BLOCK_HEADERS);
	p2p_msg_init(m, 0x15);
	assert_int_equal(p2p_frame_encode(m, buf, 65536, &len), ERR_INVAL);
	free(buf);
	free(d);
	free(m);
}

/* Every tag of docs/protocol.md §10.2 / §12 is known; the chain-level ones we skip take
 * any payload. */
static void test_known_tags(void **state)
{
	(void)state;
	static const uint16_t skipped[] = {
	    P2P_TAG_CURRENT_HEAD,
	    P2P_TAG_GET_BLOCK_HEADERS,
	    P2P_TAG_BLOCK_HEADER,
	    P2P_TAG_GET_OPERATIONS,
	    P2P_TAG_OPERATION,
	    P2P_TAG_GET_PROTOCOLS,
	    P2P_TAG_PROTOCOL,
	    P2P_TAG_GET_OPERATIONS_FOR_BLOCKS,
	    P2P_TAG_OPERATIONS_FOR_BLOCKS,
	    P2P_TAG_GET_CHECKPOINT,
	    P2P_TAG_CHECKPOINT,
	    P2P_TAG_GET_PROTOCOL_BRANCH,
	    P2P_TAG_PROTOCOL_BRANCH,
	    P2P_TAG_GET_PREDECESSOR_HEADER,
	    P2P_TAG_PREDECESSOR_HEADER,
	};
	struct p2p_msg *m = malloc(sizeof *m), *d = malloc(sizeof *d);
	uint8_t buf[64];
	size_t len, used;
	for (size_t k = 0; k < sizeof skipped / sizeof skipped[0]; k++) {
		assert_non_null(p2p_tag_str(skipped[k]));
		p2p_msg_init(m, skipped[k]);
		m->payload = (const uint8_t *)"\1\2\3";
		m->payload_len = k % 4; /* 0..3 bytes, not checked for skipped tags */
		assert_int_equal(p2p_frame_encode(m, buf, sizeof buf, &len), ERR_OK);
		assert_int_equal(p2p_frame_decode(buf, len, &used, d, NULL), ERR_OK);
		assert_int_equal(d->tag, skipped[k]);
		assert_int_equal(d->payload_len, k % 4);
	}
	size_t known = 0;
	for (unsigned tag = 0; tag <= 0xffff; tag++)
		known += p2p_tag_str(tag) != NULL;
	assert_int_equal(known, 24);
	/* Encoder limits. */
	p2p_msg_init(m, P2P_TAG_SWAP_REQUEST);
	m->swap_point = point_v4(0x01020304, 5);
	assert_int_equal(p2p_frame_encode(m, buf, 10, &len), ERR_FULL);
	assert_int_equal(p2p_frame_encode(m, buf, 4, &len), ERR_FULL);
	p2p_msg_init(m, P2P_TAG_CURRENT_BRANCH);
	m->head.raw_len = P2P_LEN_LIMIT;
	assert_int_equal(p2p_frame_encode(m, buf, sizeof buf, &len), ERR_INVAL);
	p2p_msg_init(m, P2P_TAG_OPERATION);
	m->payload_len = P2P_FRAME_MAX - 1; /* tag + payload = P2P_FRAME_MAX + 1 */
	uint8_t *big = calloc(1, P2P_FRAME_MAX), *out = malloc(P2P_FRAME_MAX + 16);
	m->payload = big;
	assert_int_equal(p2p_frame_encode(m, out, P2P_FRAME_MAX + 16, &len), ERR_TOOBIG);
	m->payload_len = P2P_FRAME_MAX - 2;
	assert_int_equal(p2p_frame_encode(m, out, P2P_FRAME_MAX + 16, &len), ERR_OK);
	free(big);
	free(out);
	struct p2p_block_header h = {0};
	h.fitness_len = P2P_LEN_LIMIT;
	assert_int_equal(p2p_block_header_encode(&h, buf, sizeof buf, &len), ERR_TOOBIG);
	free(m);
	free(d);
}

/* An oversized frame behind a good one in the same chunk, seen by next() or the next push. */
static void test_reasm_oversized_behind(void **state)
{
	(void)state;
	uint8_t c[12] = {0, 0, 0, 2, 0, 2};
	be32_put(c + 6, P2P_FRAME_MAX + 1);
	struct p2p_reasm r;
	const uint8_t *f;
	size_t flen;
	p2p_reasm_init(&r);
	assert_int_equal(p2p_reasm_push(&r, c, 10), ERR_OK);
	assert_int_equal(p2p_reasm_next(&r, &f, &flen), ERR_OK);
	assert_int_equal(flen, 6);
	assert_int_equal(p2p_reasm_next(&r, &f, &flen), ERR_TOOBIG);
	p2p_reasm_cleanup(&r);
	p2p_reasm_init(&r);
	assert_int_equal(p2p_reasm_push(&r, c + 6, 4), ERR_TOOBIG);
	p2p_reasm_cleanup(&r);
	/* Pushed again without draining: the pending size is checked first. */
	p2p_reasm_init(&r);
	assert_int_equal(p2p_reasm_push(&r, c, 10), ERR_OK);
	assert_int_equal(p2p_reasm_next(&r, &f, &flen), ERR_OK);
	assert_int_equal(p2p_reasm_push(&r, c, 2), ERR_TOOBIG);
	p2p_reasm_cleanup(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_resources),
	    cmocka_unit_test(test_reasm),
	    cmocka_unit_test(test_reasm_cap),
	    cmocka_unit_test(test_reasm_cap_limits),
	    cmocka_unit_test(test_reasm_limits),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_encode_roundtrip),
	    cmocka_unit_test(test_known_tags),
	    cmocka_unit_test(test_reasm_oversized_behind),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(stream);
	return rc;
}
