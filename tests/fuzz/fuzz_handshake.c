/*
 * libFuzzer target: the handshake state machine, both roles, fed arbitrary
 * bytes after a valid prefix. data[0] picks the role under test (bit 0), how
 * far a well-behaved fake peer takes the session first (bits 1-2: nothing,
 * connection message, + sealed chunks from the input, + metadata and Ack
 * then sealed chunks), the responder's decision (bits 3-4) and, for an
 * initiator, early_ack with a Bootstrap queued on the connection message
 * (bit 5: the pipelined crawler) or late_ack (bit 6: the crawler's lock-step
 * redial), and a frame cap of 64 bytes (bit 7: frames over it go by unread,
 * their chunks skipped without being opened); data[1]
 * sets the feed split. In the sealed modes the rest of the input is a list of
 * (u16 length, plaintext) chunks the fake peer seals with the right keys, so
 * the metadata, Ack and frame decoders behind the crypto get exercised.
 * Invariants: no crash or leak, an error ends the session, every decoded
 * message re-encodes through hs_send, a capped session hands out no frame
 * over its cap and drops none within it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "p2p/crypto.h"
#include "p2p/handshake.h"
#include "p2p/identity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct p2p_identity ids[2];
static bool ids_ready;
static bool early; /* this run's initiator Acks early and asks at once */
static size_t cap; /* this run's frame_cap, P2P_FRAME_MAX when none */
#define FUZZ_FRAME_CAP 64

/* Deterministic "randomness" so every run sees the same identities. */
static void fixed_random(void *ctx, uint8_t *buf, size_t len)
{
	uint8_t *seed = ctx;
	for (size_t k = 0; k < len; k++)
		buf[k] = (uint8_t)(*seed * 31u + k * 17u + 1u);
	(*seed)++;
}

static void make_ids(void)
{
	if (ids_ready)
		return;
	for (uint8_t k = 0; k < 2; k++) {
		uint8_t seed = (uint8_t)(k * 100 + 1);
		if (p2p_identity_generate(&ids[k], 0.0, 1, fixed_random, &seed, NULL, NULL) !=
		    ERR_OK)
			abort();
	}
	ids_ready = true;
}

struct fake {
	uint8_t conn[128];
	size_t conn_len;
	uint8_t key[32], local[24], remote[24];
};

static void drain(struct hs *h, uint8_t decide)
{
	static struct hs_event ev;
	static const struct point pts[3] = {
	    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2}, 1}};
	while (hs_next_event(h, &ev)) {
		if (ev.type == HS_EV_ERROR && (!ev.error.reason || hs_state(h) != HS_ST_FAILED))
			abort();
		if (ev.type == HS_EV_CONN_MSG && early && hs_state(h) == HS_ST_META) {
			struct p2p_msg b;
			p2p_msg_init(&b, P2P_TAG_BOOTSTRAP);
			if (hs_send(h, &b) != ERR_OK) /* queued behind our early Ack */
				abort();
		}
		if (ev.type == HS_EV_DROPPED &&
		    (ev.dropped.size <= cap || ev.dropped.size > P2P_FRAME_MAX))
			abort();
		if (ev.type == HS_EV_MSG && 2 + ev.msg.payload_len > cap)
			abort();
		if (ev.type == HS_EV_MSG) {
			enum err e = hs_send(h, &ev.msg);
			if (e != ERR_OK && e != ERR_TOOBIG && e != ERR_FULL && e != ERR_NOMEM)
				abort();
		}
		if (hs_state(h) == HS_ST_DECIDE) {
			enum err e = decide == 0   ? hs_accept(h)
			             : decide == 1 ? hs_nack(h, 1, pts, 3)
			             : decide == 2 ? hs_nack(h, -7, NULL, 0)
			                           : hs_refuse(h);
			if (e != ERR_OK)
				abort();
		}
	}
	size_t n;
	hs_out(h, &n);
	hs_out_consume(h, n);
}

static void feed(struct hs *h, const uint8_t *p, size_t len, size_t split, uint8_t decide)
{
	for (size_t off = 0; off < len;) {
		size_t c = len - off < split ? len - off : split;
		enum hs_state st = hs_state(h);
		enum err e = hs_feed(h, p + off, c);
		if ((st == HS_ST_CLOSED || st == HS_ST_FAILED) != (e == ERR_STATE))
			abort();
		if (e != ERR_OK)
			return;
		off += c;
		drain(h, decide);
	}
}

static void seal_feed(struct hs *h, struct fake *f, const uint8_t *plain, size_t len, size_t split,
                      uint8_t decide)
{
	static uint8_t wire[2 + 16 + P2P_CHUNK_PLAIN_MAX];
	size_t n;
	if (p2p_chunk_seal(wire, sizeof wire, &n, plain, len, f->local, f->key) != ERR_OK)
		abort();
	p2p_nonce_incr(f->local);
	feed(h, wire, n, split, decide);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	make_ids();
	bool responder = data[0] & 1;
	unsigned stage = (data[0] >> 1) & 3;
	uint8_t decide = (uint8_t)((data[0] >> 3) & 3);
	size_t split = (size_t)data[1] + 1;
	early = !responder && (data[0] >> 5 & 1);
	bool late = !responder && (data[0] >> 6 & 1);
	cap = data[0] >> 7 & 1 ? FUZZ_FRAME_CAP : P2P_FRAME_MAX;
	data += 2;
	size -= 2;

	const struct p2p_identity *me = &ids[0], *peer = &ids[1];
	struct hs_params p = {
	    .role = responder ? HS_RESPONDER : HS_INITIATOR,
	    .id = me,
	    .chain_name = "TEZOS_MAINNET",
	    .port = responder ? 9732 : 0,
	    .ddb_version = 2,
	    .p2p_version = 1,
	    .disable_mempool = !responder,
	    .expected_pow = 0.0,
	    .early_ack = early,
	    .late_ack = late,
	    .frame_cap = cap,
	};
	struct hs *h = hs_new(&p);
	if (!h)
		abort();
	size_t out_len;
	const uint8_t *out = hs_out(h, &out_len);

	if (stage == 0) {
		hs_out_consume(h, out_len);
		feed(h, data, size, split, decide);
		hs_free(h);
		return 0;
	}

	struct fake f;
	struct p2p_conn_msg m = {.port = 1234,
	                         .chain_name = (const uint8_t *)"TEZOS_MAINNET",
	                         .chain_name_len = 13,
	                         .ddb_version = 2,
	                         .p2p_version = 1};
	memcpy(m.public_key, peer->pk, 32);
	memcpy(m.pow_stamp, peer->stamp, 24);
	if (p2p_conn_msg_encode(&m, f.conn, sizeof f.conn, &f.conn_len) != ERR_OK)
		abort();
	if (p2p_channel_key(f.key, me->pk, peer->sk) != ERR_OK)
		abort();
	if (responder) /* the fake peer dialled */
		p2p_nonces_for_role(f.local, f.remote, 1, f.conn, f.conn_len, out, out_len);
	else
		p2p_nonces_for_role(f.local, f.remote, 0, out, out_len, f.conn, f.conn_len);
	hs_out_consume(h, out_len);
	feed(h, f.conn, f.conn_len, split, decide);

	if (stage == 1) {
		feed(h, data, size, split, decide);
		hs_free(h);
		return 0;
	}
	if (stage == 3) {
		seal_feed(h, &f, (const uint8_t *)"\0\0", 2, split, 0);
		seal_feed(h, &f, (const uint8_t *)"\0", 1, split, 0);
		if (hs_state(h) != HS_ST_OPEN)
			abort();
	}
	/* The rest: (u16 length, plaintext) chunks, sealed. */
	while (size >= 2) {
		size_t len = be16_get(data) % (P2P_CHUNK_PLAIN_MAX + 1);
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		seal_feed(h, &f, data, len, split, decide);
		data += len;
		size -= len;
	}
	hs_free(h);
	return 0;
}
