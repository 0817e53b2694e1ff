/*
 * Unit tests for lib/p2p/handshake: the real Carthagenet capture replayed
 * through an initiator (our output must equal the bytes TezEdge sent), an
 * initiator and a responder talking through plain buffers (whole and with
 * random splits), every responder decision, and every error path, the
 * malformed ones injected by a hand-driven fake peer that derives the session
 * keys itself.
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
#include "p2p/crypto.h"
#include "p2p/handshake.h"
#include "p2p/identity.h"
#include "vecfile.h"

#define MAINNET "TEZOS_MAINNET"
static const uint8_t mainnet_id[4] = {0x7a, 0x06, 0xa7, 0x70};

static struct p2p_identity id_a, id_b, id_weak;

static void load_identity(struct p2p_identity *id, const char *name)
{
	json_t *root = vecfile_load("identities.json");
	size_t i;
	json_t *v;
	bool found = false;
	json_array_foreach(root, i, v)
	{
		if (strcmp(vecfile_str(v, "name"), name) != 0)
			continue;
		const char *text = vecfile_str(v, "file_text");
		char err[256];
		assert_int_equal(
		    p2p_identity_parse(id, text, strlen(text), P2P_POW_NOCHECK, err, sizeof err),
		    ERR_OK);
		found = true;
	}
	json_decref(root);
	assert_true(found);
}

static int setup(void **state)
{
	(void)state;
	load_identity(&id_a, "identity_tezedge");                            /* 29 bits */
	load_identity(&id_b, "drone_identity_1");                            /* 36 bits */
	load_identity(&id_weak, "tezedge_identity_test_generated_by_tezos"); /* 2 bits */
	return 0;
}

/* Crawler settings (docs/protocol.md §16.1) and simnet settings (§16.2). */
static struct hs_params crawler_params(void)
{
	struct hs_params p = {
	    .role = HS_INITIATOR,
	    .id = &id_a,
	    .chain_name = MAINNET,
	    .port = 0,
	    .ddb_version = 2,
	    .p2p_version = 1,
	    .disable_mempool = true,
	    .private_node = false,
	    .expected_pow = 26.0,
	};
	memset(p.msg_nonce, 0xa1, sizeof p.msg_nonce);
	return p;
}

static struct hs_params node_params(void)
{
	struct hs_params p = {
	    .role = HS_RESPONDER,
	    .id = &id_b,
	    .chain_name = MAINNET,
	    .port = 9732,
	    .ddb_version = 2,
	    .p2p_version = 1,
	    .expected_pow = 26.0,
	};
	memset(p.msg_nonce, 0xb2, sizeof p.msg_nonce);
	return p;
}

/* ---- the Carthagenet capture, replayed ---------------------------------- */

static void take_out(struct hs *h, uint8_t **buf, size_t *len)
{
	size_t n;
	const uint8_t *o = hs_out(h, &n);
	*buf = malloc(n ? n : 1);
	if (n)
		memcpy(*buf, o, n);
	*len = n;
	hs_out_consume(h, n);
}

static void expect_out(struct hs *h, const char *want_hex)
{
	uint8_t *got;
	size_t len, wl;
	take_out(h, &got, &len);
	uint8_t *want = vecfile_unhex(want_hex, &wl);
	assert_int_equal(len, wl);
	assert_memory_equal(got, want, wl);
	free(got);
	free(want);
}

static void test_capture_replay(void **state)
{
	(void)state;
	json_t *root = vecfile_load("handshake_capture_carthagenet.json");
	json_t *cap = json_array_get(root, 0);
	size_t sent_len, recv_len;
	uint8_t *sent = vecfile_hex(cap, "conn_msg_sent_with_prefix", &sent_len);
	uint8_t *recv = vecfile_hex(cap, "conn_msg_recv_with_prefix", &recv_len);
	struct p2p_conn_msg cm;
	size_t used;
	assert_int_equal(p2p_conn_msg_decode(sent, sent_len, &used, &cm, NULL), ERR_OK);

	/* The local side's identity and the exact fields it announced. */
	struct p2p_identity id = {0};
	vecfile_hex_fixed(cap, "local_secret_key", id.sk, 32);
	vecfile_hex_fixed(cap, "local_public_key", id.pk, 32);
	memcpy(id.stamp, cm.pow_stamp, 24);
	p2p_peer_id(id.peer_id, id.pk);
	char chain[128];
	memcpy(chain, cm.chain_name, cm.chain_name_len);
	chain[cm.chain_name_len] = '\0';
	struct hs_params p = {
	    .role = HS_INITIATOR,
	    .id = &id,
	    .chain_name = chain,
	    .port = cm.port,
	    .ddb_version = cm.ddb_version,
	    .p2p_version = cm.p2p_version,
	    .expected_pow = 26.0,
	};
	memcpy(p.msg_nonce, cm.message_nonce, 24);
	struct hs *h = hs_new(&p);
	assert_non_null(h);
	size_t checked = 0;

	/* Our connection message is TezEdge's, byte for byte. */
	expect_out(h, vecfile_str(cap, "conn_msg_sent_with_prefix"));
	checked++;

	struct hs_event ev;
	assert_false(hs_next_event(h, &ev));
	assert_int_equal(hs_feed(h, recv, recv_len), ERR_OK);
	assert_true(hs_next_event(h, &ev));
	assert_int_equal(ev.type, HS_EV_CONN_MSG);
	assert_int_equal(ev.conn.pow_bits, 26);
	assert_true(ev.conn.pow_ok);
	assert_true(ev.conn.chain_ok);
	assert_int_equal(ev.conn.port, 9732);
	assert_false(ev.conn.self);
	char b58[P2P_PEER_ID_B58_LEN + 1];
	p2p_peer_id_b58(b58, ev.conn.peer_id);
	assert_string_equal(b58, "idtdVEDBSoi2auJJ9CmUaNnK4FSNk6");
	checked++;

	/*
	 * The file lists sent chunks first; replay them in causal order: our
	 * metadata, theirs, our Ack, theirs, their messages, then ours.
	 */
	json_t *chunks = json_object_get(cap, "chunks");
	static const struct {
		const char *dir, *kind;
	} order[] = {{"sent", "metadata"}, {"received", "metadata"},    {"sent", "ack"},
	             {"received", "ack"},  {"received", "p2p_message"}, {"sent", "p2p_message"}};
	size_t sent_counter = 0;
	for (size_t o = 0; o < sizeof order / sizeof order[0]; o++) {
		size_t i;
		json_t *c;
		json_array_foreach(chunks, i, c)
		{
			const char *dir = vecfile_str(c, "direction");
			const char *kind = vecfile_str(c, "kind");
			if (strcmp(dir, order[o].dir) != 0 || strcmp(kind, order[o].kind) != 0)
				continue;
			size_t counter =
			    (size_t)json_integer_value(json_object_get(c, "nonce_counter"));
			size_t clen, plen;
			uint8_t *chunk = vecfile_hex(c, "chunk_hex", &clen);
			uint8_t *plain = vecfile_hex(c, "plaintext_hex", &plen);
			if (strcmp(dir, "received") == 0) {
				/* Fed one byte at a time: no event until the last byte. */
				for (size_t k = 0; k + 1 < clen; k++) {
					assert_int_equal(hs_feed(h, chunk + k, 1), ERR_OK);
					assert_false(hs_next_event(h, &ev));
				}
				assert_int_equal(hs_feed(h, chunk + clen - 1, 1), ERR_OK);
				assert_true(hs_next_event(h, &ev));
				if (strcmp(kind, "metadata") == 0) {
					assert_int_equal(ev.type, HS_EV_METADATA);
					assert_int_equal(ev.meta.disable_mempool, plain[0] != 0);
					assert_int_equal(ev.meta.private_node, plain[1] != 0);
				} else if (strcmp(kind, "ack") == 0) {
					assert_int_equal(ev.type, HS_EV_ACK);
					assert_int_equal(hs_state(h), HS_ST_OPEN);
				} else {
					assert_int_equal(ev.type, HS_EV_MSG);
					assert_int_equal(ev.msg.tag, be16_get(plain + 4));
					assert_int_equal(ev.msg.payload_len, plen - 6);
				}
				assert_false(hs_next_event(h, &ev));
				checked++;
			} else if (strcmp(kind, "metadata") == 0 || strcmp(kind, "ack") == 0) {
				/* Our automatic metadata and Ack are TezEdge's chunks. */
				expect_out(h, vecfile_str(c, "chunk_hex"));
				sent_counter = counter + 1;
				checked++;
			} else {
				/* Fill the counters the capture skipped, then send the same
				 * message. */
				struct p2p_msg *m = malloc(sizeof *m);
				while (sent_counter < counter) {
					p2p_msg_init(m, P2P_TAG_BOOTSTRAP);
					assert_int_equal(hs_send(h, m), ERR_OK);
					hs_out_consume(h, 1u << 30);
					sent_counter++;
				}
				size_t u;
				assert_int_equal(p2p_frame_decode(plain, plen, &u, m, NULL),
				                 ERR_OK);
				assert_int_equal(hs_send(h, m), ERR_OK);
				expect_out(h, vecfile_str(c, "chunk_hex"));
				sent_counter++;
				free(m);
				checked++;
			}
			free(chunk);
			free(plain);
		}
	}
	hs_free(h);
	free(sent);
	free(recv);
	json_decref(root);
	printf("VECTORS: %zu checked (handshake_capture_carthagenet.json)\n", checked);
	assert_int_equal(checked, 16);
}

/* ---- two state machines through plain buffers --------------------------- */

struct side {
	struct hs *h;
	size_t n_ev[HS_EV_DROPPED + 1];
	struct hs_drop dropped; /* last HS_EV_DROPPED */
	struct hs_error err;
	struct p2p_ack ack;  /* last NACK / NACK_SENT */
	struct p2p_msg *adv; /* last Advertise, copied */
	int32_t head_level;
	uint8_t head_hash[32];
	size_t history_n;
	uint8_t gcb_chain[4];
	size_t msgs;
	struct p2p_metadata meta;
	struct hs_peer peer;
};

/* What the responder in these tests does when it has to decide. */
enum decision { ACCEPT, NACK, REFUSE };

struct pair {
	struct side i, r;
	enum decision decide;
	const struct point *nack_points;
	size_t nack_points_n;
	uint8_t *header; /* synthetic head for Current_branch */
	size_t header_len;
	size_t history_n;
	uint8_t *history;
	/* The crawler asks right after the connection message (early_ack). */
	bool pipeline;
	uint8_t *wire; /* every byte the initiator wrote, in order */
	size_t wire_n;
	size_t unread_at_decide; /* hs_in_pending of the responder when it had to decide */
};

static void send_current_branch(struct pair *pp, struct hs *h)
{
	struct p2p_msg *m = malloc(sizeof *m);
	p2p_msg_init(m, P2P_TAG_CURRENT_BRANCH);
	memcpy(m->chain_id, mainnet_id, 4);
	m->head.raw = pp->header;
	m->head.raw_len = pp->header_len;
	m->history = pp->history;
	m->history_n = pp->history_n;
	assert_int_equal(hs_send(h, m), ERR_OK);
	free(m);
}

static struct point adv_points[50];

/* What the crawler asks once it may: Bootstrap, then Get_current_branch. */
static void crawler_asks(struct hs *h)
{
	struct p2p_msg *m = malloc(sizeof *m);
	p2p_msg_init(m, P2P_TAG_BOOTSTRAP);
	assert_int_equal(hs_send(h, m), ERR_OK);
	p2p_msg_init(m, P2P_TAG_GET_CURRENT_BRANCH);
	memcpy(m->chain_id, mainnet_id, 4);
	assert_int_equal(hs_send(h, m), ERR_OK);
	free(m);
}

static void handle(struct pair *pp, struct side *s, const struct hs_event *ev)
{
	bool is_resp = s == &pp->r;
	s->n_ev[ev->type]++;
	switch (ev->type) {
	case HS_EV_CONN_MSG:
		s->peer = ev->conn;
		if (!is_resp && pp->pipeline && ev->conn.chain_ok)
			crawler_asks(s->h);
		break;
	case HS_EV_METADATA:
		s->meta = ev->meta;
		if (is_resp)
			pp->unread_at_decide = hs_in_pending(s->h);
		if (is_resp && hs_state(s->h) == HS_ST_DECIDE) {
			if (pp->decide == ACCEPT)
				assert_int_equal(hs_accept(s->h), ERR_OK);
			else if (pp->decide == NACK)
				assert_int_equal(hs_nack(s->h, P2P_MOTIVE_TOO_MANY_CONNECTIONS,
				                         pp->nack_points, pp->nack_points_n),
				                 ERR_OK);
			else
				assert_int_equal(hs_refuse(s->h), ERR_OK);
		}
		break;
	case HS_EV_ACK:
		if (is_resp) { /* the node asks for our branch once the session opens */
			struct p2p_msg *m = malloc(sizeof *m);
			p2p_msg_init(m, P2P_TAG_GET_CURRENT_BRANCH);
			memcpy(m->chain_id, mainnet_id, 4);
			assert_int_equal(hs_send(s->h, m), ERR_OK);
			free(m);
		} else if (!pp->pipeline) {
			crawler_asks(s->h);
		}
		break;
	case HS_EV_NACK:
	case HS_EV_NACK_SENT: s->ack = ev->ack; break;
	case HS_EV_NACK_V0: break;
	case HS_EV_MSG:
		s->msgs++;
		if (is_resp && ev->msg.tag == P2P_TAG_BOOTSTRAP) {
			struct p2p_msg *m = malloc(sizeof *m);
			p2p_msg_init(m, P2P_TAG_ADVERTISE);
			m->points_n = 50;
			memcpy(m->points, adv_points, sizeof adv_points);
			assert_int_equal(hs_send(s->h, m), ERR_OK);
			free(m);
		} else if (is_resp && ev->msg.tag == P2P_TAG_GET_CURRENT_BRANCH) {
			send_current_branch(pp, s->h);
		} else if (ev->msg.tag == P2P_TAG_ADVERTISE) {
			if (!s->adv)
				s->adv = malloc(sizeof *s->adv);
			*s->adv = ev->msg;
		} else if (ev->msg.tag == P2P_TAG_CURRENT_BRANCH) {
			s->head_level = ev->msg.head.level;
			memcpy(s->head_hash, ev->msg.head.hash, 32);
			s->history_n = ev->msg.history_n;
			/* History views are valid now: check the last hash. */
			if (ev->msg.history_n)
				assert_memory_equal(ev->msg.history + 32 * (ev->msg.history_n - 1),
				                    pp->history + 32 * (pp->history_n - 1), 32);
		} else if (ev->msg.tag == P2P_TAG_GET_CURRENT_BRANCH) {
			memcpy(s->gcb_chain, ev->msg.chain_id, 4);
		}
		break;
	case HS_EV_ERROR: s->err = ev->error; break;
	case HS_EV_DROPPED: s->dropped = ev->dropped; break;
	}
}

/* Moves bytes from a to b in pieces of at most max_piece (0 = all at once). */
static bool transfer(struct pair *pp, struct side *from, struct side *to, size_t max_piece)
{
	size_t n;
	const uint8_t *o = hs_out(from->h, &n);
	if (!n)
		return false;
	/* Whole: what one 64 KiB read returns (a driver never feeds more than HS_IN_MAX). */
	size_t piece = max_piece ? (size_t)(rand() % (int)max_piece) + 1 : 65536;
	if (piece > n)
		piece = n;
	if (from == &pp->i) {
		pp->wire = realloc(pp->wire, pp->wire_n + piece);
		memcpy(pp->wire + pp->wire_n, o, piece);
		pp->wire_n += piece;
	}
	enum hs_state st = hs_state(to->h);
	if (st != HS_ST_CLOSED && st != HS_ST_FAILED)
		assert_int_equal(hs_feed(to->h, o, piece), ERR_OK);
	hs_out_consume(from->h, piece);
	struct hs_event *ev = malloc(sizeof *ev);
	while (hs_next_event(to->h, ev))
		handle(pp, to, ev);
	free(ev);
	return true;
}

static void run(struct pair *pp, size_t max_piece)
{
	for (int rounds = 0; rounds < 2000000; rounds++) {
		bool a = transfer(pp, &pp->i, &pp->r, max_piece);
		bool b = transfer(pp, &pp->r, &pp->i, max_piece);
		if (!a && !b)
			return;
	}
	fail_msg("the two sides did not settle");
}

static void pair_init(struct pair *pp, const struct hs_params *ip, const struct hs_params *rp)
{
	memset(pp, 0, sizeof *pp);
	pp->i.h = hs_new(ip);
	pp->r.h = hs_new(rp);
	assert_non_null(pp->i.h);
	assert_non_null(pp->r.h);
	/* A synthetic but valid head. */
	static uint8_t pred[32], ops[32], ctx[32], pd[64], fit[] = {0, 0, 0, 1, 2, 0, 0, 0, 0};
	memset(pred, 0x11, 32);
	struct p2p_block_header h = {
	    .level = 7654321,
	    .proto = 21,
	    .predecessor = pred,
	    .timestamp = 1764072000,
	    .validation_passes = 4,
	    .operations_hash = ops,
	    .fitness = fit,
	    .fitness_len = sizeof fit,
	    .context = ctx,
	    .protocol_data = pd,
	    .protocol_data_len = sizeof pd,
	};
	pp->header = malloc(512);
	assert_int_equal(p2p_block_header_encode(&h, pp->header, 512, &pp->header_len), ERR_OK);
	pp->history_n = 10;
	pp->history = malloc(32 * pp->history_n);
	for (size_t k = 0; k < 32 * pp->history_n; k++)
		pp->history[k] = (uint8_t)(k * 7);
	for (size_t k = 0; k < 50; k++) {
		adv_points[k] = point_v4(0x7f000000u + (uint32_t)k + 2, (uint16_t)(9732 + k));
		if (k % 5 == 4)
			adv_points[k].addr[0] = 0xfd; /* an IPv6 address, as data only */
	}
}

static void pair_free(struct pair *pp)
{
	hs_free(pp->i.h);
	hs_free(pp->r.h);
	free(pp->i.adv);
	free(pp->r.adv);
	free(pp->header);
	free(pp->history);
	free(pp->wire);
}

static void check_open_session(struct pair *pp)
{
	struct side *i = &pp->i, *r = &pp->r;
	assert_int_equal(hs_state(i->h), HS_ST_OPEN);
	assert_int_equal(hs_state(r->h), HS_ST_OPEN);
	assert_int_equal(i->n_ev[HS_EV_ERROR] + r->n_ev[HS_EV_ERROR], 0);
	/* What each learned of the other. */
	assert_memory_equal(i->peer.peer_id, id_b.peer_id, 16);
	assert_memory_equal(r->peer.peer_id, id_a.peer_id, 16);
	assert_int_equal(i->peer.port, 9732);
	assert_int_equal(r->peer.port, 0);
	assert_true(i->peer.pow_ok && r->peer.pow_ok);
	assert_int_equal(i->peer.pow_bits, p2p_pow_bits(id_b.pk, id_b.stamp));
	assert_true(r->peer.chain_ok);
	assert_int_equal(r->peer.chain_name_len, strlen(MAINNET));
	assert_true(r->meta.disable_mempool);
	assert_false(r->meta.private_node);
	assert_false(i->meta.disable_mempool);
	uint16_t ddb, p2p;
	hs_selected_versions(r->h, &ddb, &p2p);
	assert_int_equal(ddb, 2);
	assert_int_equal(p2p, 1);
	assert_non_null(hs_peer(i->h));
	assert_non_null(hs_peer_metadata(r->h));
	/* Peer exchange and head probe. */
	assert_non_null(i->adv);
	assert_int_equal(i->adv->points_n, 50);
	for (size_t k = 0; k < 50; k++)
		assert_int_equal(point_cmp(&i->adv->points[k], &adv_points[k]), 0);
	assert_int_equal(i->head_level, 7654321);
	assert_int_equal(i->history_n, pp->history_n);
	struct p2p_block_header h;
	assert_int_equal(p2p_block_header_decode(pp->header, pp->header_len, &h, NULL), ERR_OK);
	assert_memory_equal(i->head_hash, h.hash, 32);
	assert_memory_equal(i->gcb_chain, mainnet_id, 4);
	assert_int_equal(i->msgs, 3); /* Get_current_branch, Advertise, Current_branch */
	assert_int_equal(r->msgs, 2); /* Bootstrap, Get_current_branch */
	assert_int_equal(r->head_level, 0);
}

static void test_pair_whole(void **state)
{
	(void)state;
	struct hs_params ip = crawler_params(), rp = node_params();
	struct pair pp;
	pair_init(&pp, &ip, &rp);
	run(&pp, 0);
	check_open_session(&pp);
	/* A message larger than one chunk is cut and reassembled. */
	free(pp.history);
	pp.history_n = 5000; /* 160 000 bytes: three chunks */
	pp.history = malloc(32 * pp.history_n);
	for (size_t k = 0; k < 32 * pp.history_n; k++)
		pp.history[k] = (uint8_t)(k * 13);
	send_current_branch(&pp, pp.r.h);
	size_t n;
	assert_non_null(hs_out(pp.r.h, &n));
	assert_int_equal(n, 4 + 2 + 4 + 4 + pp.header_len + 32 * 5000 + 3 * 18);
	run(&pp, 0);
	assert_int_equal(pp.i.history_n, 5000);
	assert_int_equal(pp.i.msgs, 4);
	pair_free(&pp);
}

/* A Current_branch with n history hashes, whose frame size field is 10 + header + 32 n. */
static void set_history(struct pair *pp, size_t n)
{
	free(pp->history);
	pp->history_n = n;
	pp->history = malloc(32 * n + 1);
	for (size_t k = 0; k < 32 * n; k++)
		pp->history[k] = (uint8_t)(k * 5);
}

static void send_bootstrap_reply(struct pair *pp)
{
	struct p2p_msg *m = malloc(sizeof *m);
	p2p_msg_init(m, P2P_TAG_ADVERTISE);
	m->points_n = 3;
	memcpy(m->points, adv_points, 3 * sizeof adv_points[0]);
	assert_int_equal(hs_send(pp->r.h, m), ERR_OK);
	free(m);
}

/*
 * frame_cap: a frame of exactly the cap is kept, one byte more goes by
 * unread (HS_EV_DROPPED) and the stream stays in sync: the next message
 * decodes. Whole and byte by byte; small frames (reassembled) and frames
 * of many full chunks (skipped unread, the MACs never opened).
 */
static void test_frame_cap(void **state)
{
	(void)state;
	struct hs_params bad = crawler_params();
	bad.frame_cap = 1;
	assert_null(hs_new(&bad));
	bad.frame_cap = P2P_FRAME_MAX + 1;
	assert_null(hs_new(&bad));
	static const size_t pieces[] = {0, 1, 333};
	const size_t cap = 10000;
	for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
		struct hs_params ip = crawler_params(), rp = node_params();
		ip.msg_nonce[0] = (uint8_t)(40 + k);
		ip.frame_cap = cap;
		struct pair pp;
		pair_init(&pp, &ip, &rp);
		run(&pp, pieces[k]);
		check_open_session(&pp); /* a normal visit fits */
		size_t msgs = pp.i.msgs;
		/* Protocol (0x41) payloads are left raw: exact frame sizes */
		uint8_t *payload = calloc(1, cap);
		struct p2p_msg *raw = malloc(sizeof *raw);
		p2p_msg_init(raw, P2P_TAG_PROTOCOL);
		raw->payload = payload;
		raw->payload_len = cap - 2; /* size field = tag + payload = cap: kept */
		assert_int_equal(hs_send(pp.r.h, raw), ERR_OK);
		run(&pp, pieces[k]);
		assert_int_equal(pp.i.n_ev[HS_EV_ERROR], 0);
		assert_int_equal(pp.i.n_ev[HS_EV_DROPPED], 0);
		assert_int_equal(pp.i.msgs, msgs + 1);
		/* cap + 1: dropped, then the next message decodes */
		raw->payload_len = cap - 1;
		assert_int_equal(hs_send(pp.r.h, raw), ERR_OK);
		send_bootstrap_reply(&pp);
		run(&pp, pieces[k]);
		assert_int_equal(pp.i.n_ev[HS_EV_ERROR], 0);
		assert_int_equal(pp.i.n_ev[HS_EV_DROPPED], 1);
		assert_int_equal(pp.i.dropped.tag, P2P_TAG_PROTOCOL);
		assert_int_equal(pp.i.dropped.size, cap + 1);
		assert_int_equal(pp.i.msgs, msgs + 2);
		assert_int_equal(pp.i.adv->points_n, 3);
		/* a Current_branch of many full chunks (1 MiB): skipped unread, stream intact */
		size_t fixed = 2 + 4 + 4 + pp.header_len;
		set_history(&pp, 32768);
		send_current_branch(&pp, pp.r.h);
		send_bootstrap_reply(&pp);
		pp.i.adv->points_n = 0;
		run(&pp, pieces[k]);
		assert_int_equal(pp.i.n_ev[HS_EV_ERROR], 0);
		assert_int_equal(pp.i.n_ev[HS_EV_DROPPED], 2);
		assert_int_equal(pp.i.dropped.tag, P2P_TAG_CURRENT_BRANCH);
		assert_int_equal(pp.i.dropped.size, fixed + 32 * 32768);
		assert_int_equal(pp.i.msgs, msgs + 3);
		assert_int_equal(pp.i.adv->points_n, 3);
		assert_int_equal(pp.i.head_level, 7654321); /* the first one's, kept */
		free(raw);
		free(payload);
		pair_free(&pp);
	}
}

/* hs_send refuses once HS_OUT_MAX is queued, and leaves the stream intact. */
static void test_send_backpressure(void **state)
{
	(void)state;
	struct hs_params ip = crawler_params(), rp = node_params();
	struct pair pp;
	pair_init(&pp, &ip, &rp);
	run(&pp, 0);
	check_open_session(&pp);
	free(pp.history);
	pp.history_n = 20000; /* 640 kB per message */
	pp.history = calloc(pp.history_n, 32);
	struct p2p_msg *m = malloc(sizeof *m);
	p2p_msg_init(m, P2P_TAG_CURRENT_BRANCH);
	m->head.raw = pp.header;
	m->head.raw_len = pp.header_len;
	m->history = pp.history;
	m->history_n = pp.history_n;
	size_t sent = 0;
	enum err e;
	while ((e = hs_send(pp.r.h, m)) == ERR_OK)
		sent++;
	assert_int_equal(e, ERR_FULL); /* the queue is full: not the message too big */
	size_t n;
	hs_out(pp.r.h, &n);
	assert_true(n <= HS_OUT_MAX);
	assert_int_equal(sent, HS_OUT_MAX / (n / sent));
	/* Too big for a frame at all. */
	m->history_n = P2P_FRAME_MAX / 32;
	m->history = calloc(m->history_n, 32);
	hs_out_consume(pp.r.h, 0);
	run(&pp, 0); /* the peer reads everything queued so far */
	assert_int_equal(pp.i.msgs, 3 + sent);
	assert_int_equal(pp.i.n_ev[HS_EV_ERROR], 0);
	assert_int_equal(hs_send(pp.r.h, m), ERR_TOOBIG);
	free((void *)m->history);
	/* The stream is intact: one more message goes through. */
	p2p_msg_init(m, P2P_TAG_BOOTSTRAP);
	assert_int_equal(hs_send(pp.r.h, m), ERR_OK);
	p2p_msg_init(m, 0x15);
	assert_int_equal(hs_send(pp.r.h, m), ERR_INVAL);
	run(&pp, 0);
	assert_int_equal(pp.i.msgs, 4 + sent);
	assert_int_equal(pp.i.n_ev[HS_EV_ERROR], 0);
	free(m);
	pair_free(&pp);
}

static void test_pair_random_splits(void **state)
{
	(void)state;
	srand(20261125);
	static const size_t pieces[] = {1, 2, 7, 19, 64, 300, 4096};
	for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
		struct hs_params ip = crawler_params(), rp = node_params();
		ip.msg_nonce[0] = (uint8_t)k;
		struct pair pp;
		pair_init(&pp, &ip, &rp);
		run(&pp, pieces[k]);
		check_open_session(&pp);
		pair_free(&pp);
	}
}

/*
 * early_ack: the crawler queues Ack, Bootstrap and Get_current_branch as soon
 * as it has the peer's connection message. The bytes it writes are the lock
 * step's, byte for byte, and the session ends the same, in any split.
 */
static void test_early_ack(void **state)
{
	(void)state;
	srand(20261126);
	static const size_t pieces[] = {0, 1, 7, 300};
	for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
		struct hs_params ip = crawler_params(), rp = node_params();
		struct pair lock, early;
		pair_init(&lock, &ip, &rp);
		run(&lock, pieces[k]);
		check_open_session(&lock);
		ip.early_ack = true;
		pair_init(&early, &ip, &rp);
		early.pipeline = true;
		run(&early, pieces[k]);
		check_open_session(&early);
		assert_int_equal(early.wire_n, lock.wire_n);
		assert_memory_equal(early.wire, lock.wire, lock.wire_n);
		pair_free(&lock);
		pair_free(&early);
	}

	/* Output is ready before any byte of the peer's metadata arrives. */
	struct hs_params ip = crawler_params(), rp = node_params();
	ip.early_ack = true;
	struct pair pp;
	pair_init(&pp, &ip, &rp);
	struct p2p_msg *m = malloc(sizeof *m);
	p2p_msg_init(m, P2P_TAG_BOOTSTRAP);
	assert_int_equal(hs_send(pp.i.h, m), ERR_STATE); /* no connection message yet */
	size_t n0, n1;
	assert_non_null(hs_out(pp.r.h, &n0));
	assert_int_equal(hs_feed(pp.i.h, hs_out(pp.r.h, &n0), n0), ERR_OK);
	hs_out_consume(pp.r.h, n0);
	struct hs_event ev;
	assert_true(hs_next_event(pp.i.h, &ev));
	assert_int_equal(ev.type, HS_EV_CONN_MSG);
	assert_false(hs_next_event(pp.i.h, &ev));
	assert_int_equal(hs_state(pp.i.h), HS_ST_META);
	hs_out(pp.i.h, &n0);
	assert_int_equal(hs_send(pp.i.h, m), ERR_OK);
	hs_out(pp.i.h, &n1);
	/* connection message + metadata + Ack + Bootstrap, each chunk with its MAC */
	size_t chunk = 2 + P2P_MAC_LEN; /* length prefix and MAC of each chunk */
	assert_int_equal(n0, 2 + P2P_CONN_BODY_FIXED + strlen(MAINNET) + chunk +
	                         P2P_METADATA_LEN + chunk + 1);
	assert_int_equal(n1 - n0, chunk + 4 + 2); /* frame length, tag */
	free(m);
	pair_free(&pp);

	/* A Nack still reaches us; the node never reads what we queued behind our Ack. */
	ip = crawler_params();
	ip.early_ack = true;
	pair_init(&pp, &ip, &rp);
	pp.pipeline = true;
	pp.decide = NACK;
	pp.nack_points = adv_points;
	pp.nack_points_n = 50;
	run(&pp, 0);
	assert_int_equal(hs_state(pp.i.h), HS_ST_CLOSED);
	assert_int_equal(pp.i.n_ev[HS_EV_NACK], 1);
	assert_int_equal(pp.i.ack.points_n, 50);
	assert_int_equal(pp.r.msgs, 0);
	pair_free(&pp);

	/* A private node that hangs up: we wait for an Ack as in lock step. */
	ip = crawler_params();
	ip.early_ack = true;
	rp.private_node = true;
	pair_init(&pp, &ip, &rp);
	pp.pipeline = true;
	pp.decide = REFUSE;
	run(&pp, 0);
	assert_int_equal(hs_state(pp.i.h), HS_ST_ACK);
	assert_true(pp.i.meta.private_node);
	pair_free(&pp);

	/* Only an initiator can Ack early: a responder ignores the flag. */
	ip = crawler_params();
	rp = node_params();
	rp.early_ack = true;
	pair_init(&pp, &ip, &rp);
	run(&pp, 0);
	check_open_session(&pp);
	pair_free(&pp);
}

/*
 * late_ack: the crawler holds its Ack until the node's, so when the node
 * decides after our metadata nothing of ours is left unread (an old node's
 * close would reset the connection and lose its Nack). The bytes are the
 * lock step's, in any split; a Nack or a private close gets no Ack at all.
 */
static void test_late_ack(void **state)
{
	(void)state;
	srand(20261207);
	static const size_t pieces[] = {0, 1, 7, 300};
	for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
		struct hs_params ip = crawler_params(), rp = node_params();
		struct pair lock, late;
		pair_init(&lock, &ip, &rp);
		run(&lock, pieces[k]);
		check_open_session(&lock);
		ip.late_ack = true;
		pair_init(&late, &ip, &rp);
		run(&late, pieces[k]);
		check_open_session(&late);
		assert_int_equal(late.unread_at_decide, 0);
		assert_int_equal(late.wire_n, lock.wire_n);
		assert_memory_equal(late.wire, lock.wire, lock.wire_n);
		pair_free(&lock);
		pair_free(&late);
	}
	size_t meta_end = 2 + P2P_CONN_BODY_FIXED + strlen(MAINNET) + 2 + P2P_MAC_LEN +
	                  P2P_METADATA_LEN; /* connection message + metadata chunk */

	/* With early_ack the node decides with our Ack and requests unread. */
	struct hs_params ip = crawler_params(), rp = node_params();
	ip.early_ack = true;
	struct pair pp;
	pair_init(&pp, &ip, &rp);
	pp.pipeline = true;
	pp.decide = NACK;
	run(&pp, 0);
	assert_true(pp.unread_at_decide > 0);
	pair_free(&pp);

	/* late_ack and a Nack: nothing of ours unread, and we never Ack. */
	ip = crawler_params();
	ip.late_ack = true;
	pair_init(&pp, &ip, &rp);
	pp.decide = NACK;
	pp.nack_points = adv_points;
	pp.nack_points_n = 50;
	run(&pp, 0);
	assert_int_equal(pp.unread_at_decide, 0);
	assert_int_equal(hs_state(pp.i.h), HS_ST_CLOSED);
	assert_int_equal(pp.i.n_ev[HS_EV_NACK], 1);
	assert_int_equal(pp.i.ack.points_n, 50);
	assert_int_equal(pp.wire_n, meta_end);
	pair_free(&pp);

	/* late_ack and a private node's close: no Ack either, the state waits for one. */
	ip = crawler_params();
	ip.late_ack = true;
	rp.private_node = true;
	pair_init(&pp, &ip, &rp);
	pp.decide = REFUSE;
	run(&pp, 0);
	assert_int_equal(hs_state(pp.i.h), HS_ST_ACK);
	assert_int_equal(pp.wire_n, meta_end);
	assert_int_equal(pp.unread_at_decide, 0);
	pair_free(&pp);

	/* early_ack wins over late_ack; a responder ignores both. */
	ip = crawler_params();
	ip.early_ack = ip.late_ack = true;
	rp = node_params();
	pair_init(&pp, &ip, &rp);
	pp.pipeline = true;
	pp.decide = NACK;
	run(&pp, 0);
	assert_true(pp.unread_at_decide > 0);
	pair_free(&pp);
	ip = crawler_params();
	rp.late_ack = true;
	pair_init(&pp, &ip, &rp);
	run(&pp, 0);
	check_open_session(&pp);
	pair_free(&pp);
}

static void test_nack(void **state)
{
	(void)state;
	struct hs_params ip = crawler_params(), rp = node_params();
	struct pair pp;
	pair_init(&pp, &ip, &rp);
	pp.decide = NACK;
	pp.nack_points = adv_points;
	pp.nack_points_n = 50;
	run(&pp, 0);
	assert_int_equal(hs_state(pp.r.h), HS_ST_CLOSED);
	assert_int_equal(hs_state(pp.i.h), HS_ST_CLOSED);
	assert_int_equal(pp.i.n_ev[HS_EV_NACK], 1);
	assert_int_equal(pp.i.ack.motive, P2P_MOTIVE_TOO_MANY_CONNECTIONS);
	assert_int_equal(pp.i.ack.points_n, 50);
	for (size_t k = 0; k < 50; k++)
		assert_int_equal(point_cmp(&pp.i.ack.points[k], &adv_points[k]), 0);
	assert_int_equal(pp.i.n_ev[HS_EV_ACK] + pp.r.n_ev[HS_EV_ACK], 0);
	assert_int_equal(hs_feed(pp.i.h, (const uint8_t *)"x", 1), ERR_STATE);
	pair_free(&pp);

	/* A peer announcing p2p 0 gets Nack_v_0. */
	ip.p2p_version = 0;
	pair_init(&pp, &ip, &rp);
	pp.decide = NACK;
	run(&pp, 0);
	assert_int_equal(pp.i.n_ev[HS_EV_NACK_V0], 1);
	assert_int_equal(hs_state(pp.i.h), HS_ST_CLOSED);
	pair_free(&pp);
}

static void test_private_close(void **state)
{
	(void)state;
	struct hs_params ip = crawler_params(), rp = node_params();
	rp.private_node = true;
	struct pair pp;
	pair_init(&pp, &ip, &rp);
	pp.decide = REFUSE;
	run(&pp, 0);
	assert_int_equal(hs_state(pp.r.h), HS_ST_CLOSED);
	/* The crawler saw the private flag and is left waiting for an Ack (EOF next). */
	assert_int_equal(hs_state(pp.i.h), HS_ST_ACK);
	assert_true(pp.i.meta.private_node);
	assert_int_equal(pp.i.n_ev[HS_EV_ACK] + pp.i.n_ev[HS_EV_NACK] + pp.i.n_ev[HS_EV_ERROR], 0);
	pair_free(&pp);
}

static void test_version_nacks(void **state)
{
	(void)state;
	static const struct point np[3] = {
	    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1}, 9732}};
	struct {
		const char *chain;
		uint16_t i_ddb, i_p2p, r_ddb_min, r_p2p_min;
		int motive; /* -1: Nack_v_0 */
	} cases[] = {
	    {"TEZOS_ITHACANET_2022-01-25T15:00:00Z", 2, 1, 0, 0, P2P_MOTIVE_UNKNOWN_CHAIN_NAME},
	    {"TEZOS_MAINNE", 2, 1, 0, 0, P2P_MOTIVE_UNKNOWN_CHAIN_NAME},
	    {MAINNET, 0, 1, 1, 0, P2P_MOTIVE_DEPRECATED_DDB_VERSION},
	    {MAINNET, 2, 0, 0, 1, -1},
	    {"x", 2, 0, 0, 0, -1}, /* chain mismatch from a p2p 0 peer: Nack_v_0 */
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct hs_params ip = crawler_params(), rp = node_params();
		ip.chain_name = cases[k].chain;
		ip.ddb_version = cases[k].i_ddb;
		ip.p2p_version = cases[k].i_p2p;
		rp.ddb_min = cases[k].r_ddb_min;
		rp.p2p_min = cases[k].r_p2p_min;
		rp.nack_points = np;
		rp.nack_points_n = 1;
		struct pair pp;
		pair_init(&pp, &ip, &rp);
		run(&pp, 0);
		assert_int_equal(hs_state(pp.r.h), HS_ST_CLOSED);
		assert_int_equal(hs_state(pp.i.h), HS_ST_CLOSED);
		assert_int_equal(pp.r.n_ev[HS_EV_NACK_SENT], 1);
		assert_int_equal(pp.r.n_ev[HS_EV_METADATA], 1);
		if (cases[k].motive < 0) {
			assert_int_equal(pp.i.n_ev[HS_EV_NACK_V0], 1);
			assert_int_equal(pp.r.ack.kind, P2P_NACK_V0);
		} else {
			assert_int_equal(pp.i.n_ev[HS_EV_NACK], 1);
			assert_int_equal(pp.i.ack.motive, cases[k].motive);
			assert_int_equal(pp.r.ack.motive, cases[k].motive);
			assert_int_equal(pp.i.ack.points_n, 1);
			assert_int_equal(point_cmp(&pp.i.ack.points[0], &np[0]), 0);
		}
		if (strcmp(cases[k].chain, MAINNET) != 0) {
			assert_false(pp.r.peer.chain_ok);
			assert_false(pp.i.peer.chain_ok); /* the crawler records it and goes on */
		}
		pair_free(&pp);
	}
	/* Versions below ours but supported are selected. */
	struct hs_params ip = crawler_params(), rp = node_params();
	ip.ddb_version = 0;
	struct pair pp;
	pair_init(&pp, &ip, &rp);
	run(&pp, 0);
	uint16_t ddb, p2p;
	hs_selected_versions(pp.r.h, &ddb, &p2p);
	assert_int_equal(ddb, 0);
	assert_int_equal(p2p, 1);
	assert_int_equal(hs_state(pp.i.h), HS_ST_OPEN);
	pair_free(&pp);
}

static void test_low_pow(void **state)
{
	(void)state;
	struct hs_params ip = crawler_params(), rp = node_params();
	ip.id = &id_weak;
	struct pair pp;
	pair_init(&pp, &ip, &rp);
	run(&pp, 0);
	assert_int_equal(pp.r.n_ev[HS_EV_CONN_MSG], 1);
	assert_int_equal(pp.r.n_ev[HS_EV_ERROR], 1);
	assert_int_equal(pp.r.err.code, ERR_POW);
	assert_string_equal(pp.r.err.reason, "peer proof of work below expected_pow");
	assert_int_equal(pp.r.peer.pow_bits, 2);
	assert_false(pp.r.peer.pow_ok);
	assert_int_equal(hs_state(pp.r.h), HS_ST_FAILED);
	/* The responder sent nothing after its connection message: the crawler waits. */
	assert_int_equal(hs_state(pp.i.h), HS_ST_META);
	pair_free(&pp);

	/* A target computed once by the caller stands for expected_pow. */
	uint8_t target[32];
	assert_int_equal(p2p_pow_target(target, 26.0), ERR_OK);
	rp = node_params();
	rp.expected_pow = 0; /* ignored: pow_target wins */
	rp.pow_target = target;
	pair_init(&pp, &ip, &rp);
	run(&pp, 0);
	assert_int_equal(pp.r.n_ev[HS_EV_ERROR], 1);
	assert_int_equal(pp.r.err.code, ERR_POW);
	pair_free(&pp);

	/* An initiator only records a weak responder and carries on. */
	ip = crawler_params();
	rp = node_params();
	rp.id = &id_weak;
	rp.expected_pow = 0;
	pair_init(&pp, &ip, &rp);
	run(&pp, 0);
	assert_false(pp.i.peer.pow_ok);
	assert_int_equal(pp.i.peer.pow_bits, 2);
	assert_int_equal(hs_state(pp.i.h), HS_ST_OPEN);
	pair_free(&pp);
}

/* ---- a fake responder driven by hand, to inject bad bytes --------------- */

struct fake {
	uint8_t conn[256];
	size_t conn_len;
	uint8_t key[32], local[24], remote[24];
	uint8_t wire[200000];
	size_t wire_len;
};

/* Starts a session with initiator h: exchanges connection messages and derives keys. */
static void fake_start(struct fake *f, struct hs *h, const struct p2p_identity *id)
{
	memset(f, 0, sizeof *f);
	struct p2p_conn_msg m = {.port = 9732,
	                         .chain_name = (const uint8_t *)MAINNET,
	                         .chain_name_len = strlen(MAINNET),
	                         .ddb_version = 2,
	                         .p2p_version = 1};
	memcpy(m.public_key, id->pk, 32);
	memcpy(m.pow_stamp, id->stamp, 24);
	assert_int_equal(p2p_conn_msg_encode(&m, f->conn, sizeof f->conn, &f->conn_len), ERR_OK);
	size_t n;
	const uint8_t *o = hs_out(h, &n);
	assert_int_equal(p2p_channel_key(f->key, id_a.pk, id->sk), ERR_OK);
	p2p_nonces_for_role(f->local, f->remote, 0, o, n, f->conn, f->conn_len);
	hs_out_consume(h, n);
	assert_int_equal(hs_feed(h, f->conn, f->conn_len), ERR_OK);
	struct hs_event ev;
	assert_true(hs_next_event(h, &ev));
	assert_int_equal(ev.type, HS_EV_CONN_MSG);
	/* The initiator's metadata chunk opens with our derived keys. */
	o = hs_out(h, &n);
	assert_int_equal(n, 20);
	uint8_t pl[2];
	size_t pl_len;
	assert_int_equal(p2p_chunk_open(pl, sizeof pl, &pl_len, o + 2, 18, f->remote, f->key),
	                 ERR_OK);
	assert_memory_equal(pl, "\xff\x00", 2);
	p2p_nonce_incr(f->remote);
	hs_out_consume(h, n);
}

static void fake_seal(struct fake *f, const uint8_t *plain, size_t len)
{
	size_t n;
	assert_int_equal(p2p_chunk_seal(f->wire + f->wire_len, sizeof f->wire - f->wire_len, &n,
	                                plain, len, f->local, f->key),
	                 ERR_OK);
	f->wire_len += n;
	p2p_nonce_incr(f->local);
}

/* Feeds the fake's wire bytes to h and returns the last event. */
static struct hs_event *fake_flush(struct fake *f, struct hs *h, size_t *n_events)
{
	static struct hs_event ev, last;
	assert_int_equal(hs_feed(h, f->wire, f->wire_len), ERR_OK);
	f->wire_len = 0;
	*n_events = 0;
	while (hs_next_event(h, &ev)) {
		last = ev;
		(*n_events)++;
	}
	return &last;
}

/* An initiator opened up to the stage given: 0 conn msg, 1 metadata, 2 ack; frame_cap cap. */
static struct hs *fake_session_cap(struct fake *f, int stage, size_t cap)
{
	struct hs_params ip = crawler_params();
	ip.frame_cap = cap;
	struct hs *h = hs_new(&ip);
	assert_non_null(h);
	fake_start(f, h, &id_b);
	size_t n;
	if (stage >= 1) {
		fake_seal(f, (const uint8_t *)"\0\0", 2);
		assert_int_equal(fake_flush(f, h, &n)->type, HS_EV_METADATA);
	}
	if (stage >= 2) {
		fake_seal(f, (const uint8_t *)"\0", 1);
		assert_int_equal(fake_flush(f, h, &n)->type, HS_EV_ACK);
	}
	return h;
}

static struct hs *fake_session(struct fake *f, int stage)
{
	return fake_session_cap(f, stage, 0);
}

static void expect_error(struct fake *f, struct hs *h, enum err code, const char *reason)
{
	size_t n;
	struct hs_event *ev = fake_flush(f, h, &n);
	assert_int_equal(ev->type, HS_EV_ERROR);
	if (ev->error.code != code)
		fail_msg("got %s (%s), want %s", err_str(ev->error.code), ev->error.reason,
		         err_str(code));
	if (reason)
		assert_string_equal(ev->error.reason, reason);
	assert_int_equal(hs_state(h), HS_ST_FAILED);
	struct hs_event more;
	assert_false(hs_next_event(h, &more));
	assert_int_equal(hs_feed(h, (const uint8_t *)"", 0), ERR_STATE);
	hs_free(h);
}

/*
 * A capped session decides on a chunk longer than its cap from the chunk's
 * first 24 bytes: an over-cap frame is dropped, the rest of the chunk and the
 * frame's next chunks go by unopened (a bad MAC there is no error); a chunk
 * that starts a smaller frame, or holds more than its frame, is an error,
 * as is a frame over P2P_FRAME_MAX.
 */
static void test_frame_cap_errors(void **state)
{
	(void)state;
	struct fake *f = malloc(sizeof *f);
	uint8_t *pl = calloc(1, 4096);
	struct hs *h;
	size_t n;
	struct hs_event *ev;

	/* 200-byte frame (cap 64) in chunks of 100 + 104: dropped after 24 bytes. */
	h = fake_session_cap(f, 2, 64);
	be32_put(pl, 200);
	be16_put(pl + 4, P2P_TAG_PROTOCOL);
	fake_seal(f, pl, 100);
	size_t first = f->wire_len;
	fake_seal(f, pl + 100, 104);
	f->wire[first + 2] ^= 0x01;          /* the second chunk's MAC: never checked */
	memcpy(pl + 300, "\0\0\0\2\0\2", 6); /* then a Bootstrap */
	fake_seal(f, pl + 300, 6);
	size_t all = f->wire_len;
	f->wire_len = 2 + 16 + 6; /* the first chunk's start only */
	ev = fake_flush(f, h, &n);
	assert_int_equal(n, 1);
	assert_int_equal(ev->type, HS_EV_DROPPED);
	assert_int_equal(ev->dropped.tag, P2P_TAG_PROTOCOL);
	assert_int_equal(ev->dropped.size, 200);
	memmove(f->wire, f->wire + 24, all - 24);
	f->wire_len = all - 24;
	ev = fake_flush(f, h, &n);
	assert_int_equal(n, 1);
	assert_int_equal(ev->type, HS_EV_MSG);
	assert_int_equal(ev->msg.tag, P2P_TAG_BOOTSTRAP);
	hs_free(h);

	/* A 100-byte chunk that starts a 2-byte frame: two messages in one chunk. */
	h = fake_session_cap(f, 2, 64);
	memset(pl, 0, 4096);
	for (int k = 0; k < 16; k++)
		memcpy(pl + 6 * k, "\0\0\0\2\0\2", 6);
	fake_seal(f, pl, 96);
	f->wire_len = 24;
	expect_error(f, h, ERR_PROTO, "chunk holds more than one message");
	/* An over-cap frame that ends inside its long chunk: the same. */
	h = fake_session_cap(f, 2, 64);
	be32_put(pl, 70);
	be16_put(pl + 4, P2P_TAG_PROTOCOL);
	fake_seal(f, pl, 80); /* 74 bytes of frame, 6 more */
	expect_error(f, h, ERR_PROTO, "chunk holds more than one message");
	/* Over P2P_FRAME_MAX: an error, as without a cap. */
	h = fake_session_cap(f, 2, 64);
	be32_put(pl, P2P_FRAME_MAX + 1);
	fake_seal(f, pl, 100);
	f->wire_len = 24;
	expect_error(f, h, ERR_TOOBIG, "frame larger than P2P_FRAME_MAX");
	/* Exactly the cap + 4 in one chunk: read and kept, not peeked. */
	h = fake_session_cap(f, 2, 64);
	be32_put(pl, 64);
	be16_put(pl + 4, P2P_TAG_PROTOCOL);
	fake_seal(f, pl, 68);
	ev = fake_flush(f, h, &n);
	assert_int_equal(ev->type, HS_EV_MSG);
	assert_int_equal(ev->msg.payload_len, 62);
	hs_free(h);
	free(pl);
	free(f);
}

static void test_errors(void **state)
{
	(void)state;
	struct fake *f = malloc(sizeof *f);
	struct hs *h;
	uint8_t b[512];

	/* Bit-flipped MAC on the metadata, the ack and a P2P chunk. */
	for (int stage = 0; stage < 3; stage++) {
		h = fake_session(f, stage);
		static const uint8_t pl[3][6] = {{0, 0}, {0}, {0, 0, 0, 2, 0, 2}};
		static const size_t pl_len[3] = {2, 1, 6};
		fake_seal(f, pl[stage], pl_len[stage]);
		f->wire[2 + (size_t)stage] ^= 0x01;
		expect_error(f, h, ERR_CRYPTO, "chunk MAC check failed");
	}
	/* A bit flipped in the ciphertext too. */
	h = fake_session(f, 2);
	fake_seal(f, (const uint8_t *)"\0\0\0\2\0\2", 6);
	f->wire[f->wire_len - 1] ^= 0x80;
	expect_error(f, h, ERR_CRYPTO, NULL);
	/* A chunk shorter than its MAC. */
	h = fake_session(f, 1);
	memcpy(f->wire, "\x00\x0f", 2);
	memset(f->wire + 2, 0, 15);
	f->wire_len = 17;
	expect_error(f, h, ERR_PROTO, "chunk shorter than its MAC");
	/* Malformed metadata. */
	h = fake_session(f, 0);
	fake_seal(f, (const uint8_t *)"\0\0\0", 3);
	expect_error(f, h, ERR_PROTO, "metadata: trailing bytes");
	/* Malformed Ack: trailing bytes, unknown tag, 101 points. */
	h = fake_session(f, 1);
	fake_seal(f, (const uint8_t *)"\0\0", 2);
	expect_error(f, h, ERR_PROTO, "ack: trailing bytes after Ack/Nack_v_0");
	h = fake_session(f, 1);
	fake_seal(f, (const uint8_t *)"\x07", 1);
	expect_error(f, h, ERR_PROTO, "ack: unknown tag");
	{
		uint8_t *nb = malloc(8192);
		size_t off = 7;
		nb[0] = 1;
		be16_put(nb + 1, 1);
		for (int k = 0; k < 101; k++) {
			be32_put(nb + off, 9);
			memcpy(nb + off + 4, "1.2.3.4:5", 9);
			off += 13;
		}
		be32_put(nb + 3, (uint32_t)(off - 7));
		h = fake_session(f, 1);
		fake_seal(f, nb, off);
		expect_error(f, h, ERR_TOOBIG, "nack: more than 100 points");
		free(nb);
	}
	/* After Ack: unknown tag, size 0, two messages in a frame, oversized frame. */
	h = fake_session(f, 2);
	fake_seal(f, (const uint8_t *)"\0\0\0\2\0\x15", 6);
	expect_error(f, h, ERR_PROTO, "frame: unknown tag");
	h = fake_session(f, 2);
	fake_seal(f, (const uint8_t *)"\0\0\0\0", 4);
	expect_error(f, h, ERR_PROTO, "frame: size 0");
	h = fake_session(f, 2);
	fake_seal(f, (const uint8_t *)"\0\0\0\4\0\2\0\1", 8);
	expect_error(f, h, ERR_PROTO, "frame: trailing bytes after an empty message");
	h = fake_session(f, 2);
	be32_put(b, P2P_FRAME_MAX + 1);
	fake_seal(f, b, 4);
	expect_error(f, h, ERR_TOOBIG, "frame larger than P2P_FRAME_MAX");
	/* ...declared in two chunks, checked as soon as the size is whole. */
	h = fake_session(f, 2);
	fake_seal(f, b, 2);
	fake_seal(f, b + 2, 2);
	expect_error(f, h, ERR_TOOBIG, "frame larger than P2P_FRAME_MAX");
	/* ...declared behind a good frame in the same chunk: the good one is delivered first. */
	h = fake_session(f, 2);
	memcpy(b, "\0\0\0\2\0\2", 6);
	be32_put(b + 6, P2P_FRAME_MAX + 1);
	fake_seal(f, b, 10);
	{
		size_t ne;
		struct hs_event *last = fake_flush(f, h, &ne);
		assert_int_equal(ne, 2);
		assert_int_equal(last->type, HS_EV_ERROR);
		assert_int_equal(last->error.code, ERR_TOOBIG);
		hs_free(h);
	}
	/* A frame split over chunks, then an extra frame in the same chunk: fine. */
	h = fake_session(f, 2);
	fake_seal(f, (const uint8_t *)"\0\0\0\6\0\x10\x7a", 7);
	fake_seal(f, (const uint8_t *)"\x06\xa7\x70\0\0\0\2\0\2", 9);
	size_t n;
	struct hs_event *ev = fake_flush(f, h, &n);
	assert_int_equal(n, 2);
	assert_int_equal(ev->type, HS_EV_MSG);
	assert_int_equal(ev->msg.tag, P2P_TAG_BOOTSTRAP);
	hs_free(h);
	/* Malformed connection message: chain name past the body. */
	{
		struct hs_params ip = crawler_params();
		h = hs_new(&ip);
		memset(b, 0, sizeof b);
		be16_put(b, 90);
		be32_put(b + 2 + 82, 1);
		assert_int_equal(hs_feed(h, b, 92), ERR_OK);
		ev = malloc(sizeof *ev);
		assert_true(hs_next_event(h, ev));
		assert_int_equal(ev->type, HS_EV_ERROR);
		assert_int_equal(ev->error.code, ERR_PROTO);
		assert_string_equal(ev->error.reason, "conn msg: chain name runs past the body");
		free(ev);
		hs_free(h);
	}
	/* A low-order public key: the key exchange fails. */
	{
		struct hs_params ip = crawler_params();
		ip.expected_pow = 0;
		h = hs_new(&ip);
		struct p2p_conn_msg m = {.port = 1,
		                         .chain_name = (const uint8_t *)MAINNET,
		                         .chain_name_len = strlen(MAINNET)};
		size_t len;
		assert_int_equal(p2p_conn_msg_encode(&m, b, sizeof b, &len), ERR_OK); /* pk = 0 */
		assert_int_equal(hs_feed(h, b, len), ERR_OK);
		struct hs_event e2;
		assert_true(hs_next_event(h, &e2));
		assert_int_equal(e2.type, HS_EV_CONN_MSG);
		assert_true(hs_next_event(h, &e2));
		assert_int_equal(e2.type, HS_EV_ERROR);
		assert_int_equal(e2.error.code, ERR_CRYPTO);
		assert_string_equal(e2.error.reason, "key exchange failed (low-order public key)");
		hs_free(h);
	}
	/* The peer is ourselves. */
	{
		struct hs_params ip = crawler_params();
		h = hs_new(&ip);
		fake_start(f, h, &id_a);
		assert_true(hs_peer(h)->self);
		hs_free(h);
	}
	free(f);
}

static void test_api_misuse(void **state)
{
	(void)state;
	struct hs_params ip = crawler_params(), rp = node_params();
	struct hs *i = hs_new(&ip), *r = hs_new(&rp);
	struct p2p_msg *m = malloc(sizeof *m);
	p2p_msg_init(m, P2P_TAG_BOOTSTRAP);
	assert_int_equal(hs_send(i, m), ERR_STATE);
	assert_int_equal(hs_accept(i), ERR_STATE);
	assert_int_equal(hs_accept(r), ERR_STATE); /* not yet deciding */
	assert_int_equal(hs_nack(r, 1, NULL, 0), ERR_STATE);
	assert_int_equal(hs_refuse(r), ERR_STATE);
	assert_null(hs_peer(i));
	assert_null(hs_peer_metadata(i));
	assert_int_equal(hs_role(r), HS_RESPONDER);
	assert_string_equal(hs_state_str(hs_state(i)), "conn");
	assert_string_equal(hs_ev_str(HS_EV_NACK_SENT), "nack_sent");
	/* Move the responder to HS_ST_DECIDE, then ask for 51 points. */
	struct pair pp;
	memset(&pp, 0, sizeof pp);
	pp.i.h = i;
	pp.r.h = r;
	pp.decide = REFUSE;
	/* Stop just before the decision: feed by hand. */
	size_t n;
	const uint8_t *o = hs_out(i, &n);
	assert_int_equal(hs_feed(r, o, n), ERR_OK);
	hs_out_consume(i, n);
	o = hs_out(r, &n);
	assert_int_equal(hs_feed(i, o, n), ERR_OK);
	hs_out_consume(r, n);
	struct hs_event *ev = malloc(sizeof *ev);
	while (hs_next_event(i, ev))
		;
	while (hs_next_event(r, ev))
		;
	o = hs_out(i, &n);
	assert_int_equal(hs_feed(r, o, n), ERR_OK);
	hs_out_consume(i, n);
	while (hs_next_event(r, ev))
		;
	assert_int_equal(hs_state(r), HS_ST_DECIDE);
	struct point many[51] = {{{0}, 0}};
	assert_int_equal(hs_nack(r, 1, many, 51), ERR_INVAL);
	assert_int_equal(hs_nack(r, 1, NULL, 3), ERR_INVAL);
	assert_int_equal(hs_state(r), HS_ST_DECIDE);
	assert_int_equal(hs_nack(r, 1, many, 50), ERR_OK);
	assert_int_equal(hs_accept(r), ERR_STATE);
	free(ev);
	free(m);
	hs_free(i);
	hs_free(r);
	hs_free(NULL);
	/* Invalid params. */
	ip = crawler_params();
	ip.id = NULL;
	assert_null(hs_new(&ip));
	ip = crawler_params();
	ip.nack_points_n = 51;
	ip.nack_points = many;
	assert_null(hs_new(&ip));
	ip = crawler_params();
	ip.expected_pow = 300;
	assert_null(hs_new(&ip));
	char *long_name = malloc(P2P_CHAIN_NAME_MAX + 2);
	memset(long_name, 'N', P2P_CHAIN_NAME_MAX + 1);
	long_name[P2P_CHAIN_NAME_MAX + 1] = '\0';
	ip = crawler_params();
	ip.chain_name = long_name;
	assert_null(hs_new(&ip));
	long_name[P2P_CHAIN_NAME_MAX] = '\0'; /* the longest that fits a u16 body */
	i = hs_new(&ip);
	assert_non_null(i);
	hs_out(i, &n);
	assert_int_equal(n, P2P_CONN_WIRE_MAX);
	hs_free(i);
	free(long_name);
	assert_null(hs_new(NULL));
	/* Too much unprocessed input. */
	ip = crawler_params();
	i = hs_new(&ip);
	uint8_t *junk = calloc(1, HS_IN_MAX + 1);
	assert_int_equal(hs_feed(i, junk, HS_IN_MAX + 1), ERR_FULL);
	free(junk);
	hs_free(i);
}

/* The legal changes of state, all of them: the handshake's set_state() asserts them. */
static void test_transitions(void **state)
{
	(void)state;
	enum { N = HS_ST_FAILED + 1 };
	static const char *legal[] = {
	    "conn>meta", "conn>failed",  "meta>ack",      "meta>decide", "meta>closed",
	    "meta>failed", "decide>ack", "decide>closed", "decide>failed", "ack>open",
	    "ack>closed",  "ack>failed", "open>failed",
	};
	size_t n_ok = 0;
	for (int from = 0; from < N; from++)
		for (int to = 0; to < N; to++) {
			char t[32];
			snprintf(t, sizeof t, "%s>%s", hs_state_str((enum hs_state)from),
				 hs_state_str((enum hs_state)to));
			bool want = false;
			for (size_t k = 0; k < sizeof legal / sizeof legal[0]; k++)
				want = want || strcmp(legal[k], t) == 0;
			if (hs_transition_ok((enum hs_state)from, (enum hs_state)to) != want)
				fail_msg("%s: %s", t, want ? "refused" : "allowed");
			n_ok += want;
		}
	assert_int_equal(n_ok, sizeof legal / sizeof legal[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_capture_replay),
	    cmocka_unit_test(test_pair_whole),
	    cmocka_unit_test(test_frame_cap),
	    cmocka_unit_test(test_frame_cap_errors),
	    cmocka_unit_test(test_pair_random_splits),
	    cmocka_unit_test(test_early_ack),
	    cmocka_unit_test(test_late_ack),
	    cmocka_unit_test(test_send_backpressure),
	    cmocka_unit_test(test_nack),
	    cmocka_unit_test(test_private_close),
	    cmocka_unit_test(test_version_nacks),
	    cmocka_unit_test(test_low_pow),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_api_misuse),
	    cmocka_unit_test(test_transitions),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
