/*
 * The session state machine (docs/protocol.md §6, §16). Work happens lazily in
 * hs_next_event: hs_feed only buffers bytes, so decoded views can point into
 * our buffers and stay valid until the caller's next call, and one fast peer
 * never makes us decode more than one message per call.
 *
 * Order of a session, both roles (Octez p2p_socket.ml `authenticate`):
 *   write own connection message (hs_new)  -> read the peer's (HS_ST_CONN)
 *   check PoW, channel key, nonces, write own metadata -> read the peer's
 *   (HS_ST_META) -> Ack/Nack (HS_ST_DECIDE for a responder, HS_ST_ACK)
 *   -> P2P frames in chunks (HS_ST_OPEN).
 *
 * The byte queues and the sealing and opening of chunks are in
 * handshake_chunks.c; struct hs, which both use, is in handshake_int.h.
 */
#include "p2p/handshake.h"
#include "p2p/handshake_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/bytes.h"
#include "p2p/consts.h"
#include "p2p/crypto.h"
#include "p2p/identity.h"
#include "p2p/pow.h"

const char *hs_state_str(enum hs_state s)
{
	switch (s) {
	case HS_ST_CONN: return "conn";
	case HS_ST_META: return "meta";
	case HS_ST_DECIDE: return "decide";
	case HS_ST_ACK: return "ack";
	case HS_ST_OPEN: return "open";
	case HS_ST_CLOSED: return "closed";
	case HS_ST_FAILED: return "failed";
	}
	return "?";
}

const char *hs_ev_str(enum hs_ev_type t)
{
	switch (t) {
	case HS_EV_CONN_MSG: return "conn_msg";
	case HS_EV_METADATA: return "metadata";
	case HS_EV_ACK: return "ack";
	case HS_EV_NACK: return "nack";
	case HS_EV_NACK_V0: return "nack_v0";
	case HS_EV_NACK_SENT: return "nack_sent";
	case HS_EV_MSG: return "msg";
	case HS_EV_ERROR: return "error";
	case HS_EV_DROPPED: return "dropped";
	}
	return "?";
}

bool hs_transition_ok(enum hs_state from, enum hs_state to)
{
	if (to == HS_ST_FAILED)
		return from != HS_ST_CLOSED && from != HS_ST_FAILED;
	switch (from) {
	case HS_ST_CONN: return to == HS_ST_META;
	case HS_ST_META: return to == HS_ST_ACK || to == HS_ST_DECIDE || to == HS_ST_CLOSED;
	case HS_ST_DECIDE: return to == HS_ST_ACK || to == HS_ST_CLOSED;
	case HS_ST_ACK: return to == HS_ST_OPEN || to == HS_ST_CLOSED;
	case HS_ST_OPEN: return false; /* an open session only fails; the driver closes it */
	case HS_ST_CLOSED:
	case HS_ST_FAILED: return false;
	}
	return false;
}

/* Every change of state after hs_new: an illegal one is a bug of this file. */
static void set_state(struct hs *h, enum hs_state to)
{
	assert(hs_transition_ok(h->st, to));
	h->st = to;
}

/* The reason of an HS_EV_ERROR for a failed hs_send_chunk / send_ack, one per code. */
static const char *send_failure(enum err e)
{
	switch (e) {
	case ERR_NOMEM: return "out of memory";
	case ERR_FULL: return "output queue full";
	default: return "cannot queue a message";
	}
}

/* The session fails with this error, reported by the next hs_next_event. */
static void fail_later(struct hs *h, enum err code, const char *reason)
{
	set_state(h, HS_ST_FAILED);
	h->pending = HS_EV_ERROR;
	h->pending_err.code = code;
	h->pending_err.reason = reason;
}

static void fail_now(struct hs *h, struct hs_event *ev, enum err code, const char *reason)
{
	set_state(h, HS_ST_FAILED);
	ev->type = HS_EV_ERROR;
	ev->error.code = code;
	ev->error.reason = reason;
}

struct hs *hs_new(const struct hs_params *p)
{
	if (!p || !p->id || !p->chain_name || p->nack_points_n > P2P_POINTS_SEND_MAX ||
	    (p->nack_points_n && !p->nack_points))
		return NULL;
	size_t chain_len = strlen(p->chain_name);
	if (chain_len > P2P_CHAIN_NAME_MAX)
		return NULL;
	if (sodium_init() < 0)
		return NULL;
	struct hs *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->role = p->role;
	h->st = HS_ST_CONN; /* the initial state; every later change goes through set_state() */
	h->id = p->id;
	h->ddb_version = p->ddb_version;
	h->ddb_min = p->ddb_min;
	h->p2p_version = p->p2p_version;
	h->p2p_min = p->p2p_min;
	h->early_ack = p->role == HS_INITIATOR && p->early_ack;
	h->late_ack = p->role == HS_INITIATOR && p->late_ack && !p->early_ack;
	h->meta.disable_mempool = p->disable_mempool;
	h->meta.private_node = p->private_node;
	h->nack_points = p->nack_points;
	h->nack_points_n = p->nack_points_n;
	h->in.max = HS_IN_MAX;
	h->out.max = HS_OUT_MAX;
	p2p_reasm_init(&h->reasm);
	h->frame_cap = p->frame_cap ? p->frame_cap : P2P_FRAME_MAX;
	if (p2p_reasm_set_cap(&h->reasm, h->frame_cap) != ERR_OK)
		goto fail;
	if (p->pow_target)
		memcpy(h->target, p->pow_target, sizeof h->target);
	else if (p2p_pow_target(h->target, p->expected_pow) != ERR_OK)
		goto fail;
	h->chain = malloc(chain_len ? chain_len : 1);
	h->sent = malloc(2 + P2P_CONN_BODY_FIXED + chain_len);
	if (!h->chain || !h->sent)
		goto fail;
	memcpy(h->chain, p->chain_name, chain_len);
	h->chain_len = chain_len;

	struct p2p_conn_msg m = {
	    .port = p->port,
	    .chain_name = h->chain,
	    .chain_name_len = chain_len,
	    .ddb_version = p->ddb_version,
	    .p2p_version = p->p2p_version,
	};
	memcpy(m.public_key, p->id->pk, P2P_PK_LEN);
	memcpy(m.pow_stamp, p->id->stamp, P2P_STAMP_LEN);
	memcpy(m.message_nonce, p->msg_nonce, P2P_NONCE_LEN);
	if (p2p_conn_msg_encode(&m, h->sent, 2 + P2P_CONN_BODY_FIXED + chain_len, &h->sent_len))
		goto fail;
	if (hs_hbuf_put(&h->out, h->sent, h->sent_len))
		goto fail;
	return h;
fail:
	hs_free(h);
	return NULL;
}

void hs_free(struct hs *h)
{
	if (!h)
		return;
	sodium_memzero(h->key, sizeof h->key);
	if (h->plain)
		sodium_memzero(h->plain, h->plain_hw);
	free(h->plain);
	free(h->scratch);
	free(h->in.p);
	free(h->out.p);
	free(h->chain);
	free(h->sent);
	free(h->recv);
	p2p_reasm_cleanup(&h->reasm);
	free(h);
}

static enum err send_ack(struct hs *h, enum p2p_ack_kind kind, int16_t motive,
                         const struct point *points, size_t points_n);

static bool step_conn(struct hs *h, struct hs_event *ev)
{
	const uint8_t *p = h->in.p + h->in.off;
	size_t have = h->in.len - h->in.off;
	struct p2p_conn_msg m;
	size_t used;
	const char *why = NULL;
	enum err e = p2p_conn_msg_decode(p, have, &used, &m, &why);
	if (e == ERR_AGAIN)
		return false;
	if (e) {
		fail_now(h, ev, e, why);
		return true;
	}
	h->recv = malloc(used);
	if (!h->recv) {
		fail_now(h, ev, ERR_NOMEM, "out of memory");
		return true;
	}
	memcpy(h->recv, p, used);
	h->recv_len = used;
	h->in.off += used;

	struct hs_peer *pr = &h->peer;
	pr->port = m.port;
	memcpy(pr->public_key, m.public_key, P2P_PK_LEN);
	p2p_peer_id(pr->peer_id, m.public_key);
	pr->pow_bits = p2p_pow_bits(m.public_key, m.pow_stamp);
	pr->pow_ok = p2p_pow_check(m.public_key, m.pow_stamp, h->target);
	pr->chain_name = h->recv + (m.chain_name - p);
	pr->chain_name_len = m.chain_name_len;
	pr->chain_ok =
	    m.chain_name_len == h->chain_len && memcmp(m.chain_name, h->chain, h->chain_len) == 0;
	pr->ddb_version = m.ddb_version;
	pr->p2p_version = m.p2p_version;
	pr->self = memcmp(m.public_key, h->id->pk, P2P_PK_LEN) == 0;
	h->have_peer = true;

	ev->type = HS_EV_CONN_MSG;
	ev->conn = *pr;
	set_state(h, HS_ST_META);

	/* A responder refuses a weak identity before any crypto (Octez greylists it). */
	if (h->role == HS_RESPONDER && !pr->pow_ok) {
		set_state(h, HS_ST_FAILED);
		h->pending = HS_EV_ERROR;
		h->pending_err.code = ERR_POW;
		h->pending_err.reason = "peer proof of work below expected_pow";
		return true;
	}
	if (p2p_channel_key(h->key, m.public_key, h->id->sk) != ERR_OK) {
		set_state(h, HS_ST_FAILED);
		h->pending = HS_EV_ERROR;
		h->pending_err.code = ERR_CRYPTO;
		h->pending_err.reason = "key exchange failed (low-order public key)";
		return true;
	}
	bool init = h->role == HS_INITIATOR;
	p2p_nonces_for_role(h->local_nonce, h->remote_nonce, init, init ? h->sent : h->recv,
	                    init ? h->sent_len : h->recv_len, init ? h->recv : h->sent,
	                    init ? h->recv_len : h->sent_len);
	uint8_t md[P2P_METADATA_LEN];
	p2p_metadata_encode(&h->meta, md);
	enum err se = hs_send_chunk(h, md, sizeof md);
	if (se == ERR_OK && h->early_ack) {
		se = send_ack(h, P2P_ACK, 0, NULL, 0);
		h->ack_sent = se == ERR_OK;
	}
	if (se != ERR_OK)
		fail_later(h, se, send_failure(se));
	return true;
}

/* Version selection (docs/protocol.md §4.4) for one of ddb / p2p: false = deprecated. */
static bool select_version(uint16_t best, uint16_t min, uint16_t remote, uint16_t *sel)
{
	if (best <= remote) {
		*sel = best;
		return true;
	}
	if (remote >= min) {
		*sel = remote;
		return true;
	}
	return false;
}

static enum err send_ack(struct hs *h, enum p2p_ack_kind kind, int16_t motive,
                         const struct point *points, size_t points_n)
{
	if (kind == P2P_ACK) { /* every visit: no heap */
		struct p2p_ack ack = {.kind = P2P_ACK};
		uint8_t pl[8];
		size_t n;
		enum err e = p2p_ack_encode(&ack, pl, sizeof pl, &n);
		return e ? e : hs_send_chunk(h, pl, n);
	}
	struct p2p_ack *a = malloc(sizeof *a);
	uint8_t *pl = malloc(P2P_ACK_MAX);
	enum err e = ERR_NOMEM;
	if (!a || !pl)
		goto out;
	a->kind = kind;
	a->motive = motive;
	a->points_n = kind == P2P_NACK ? points_n : 0;
	if (a->points_n)
		memcpy(a->points, points, points_n * sizeof *points);
	size_t n;
	e = p2p_ack_encode(a, pl, P2P_ACK_MAX, &n);
	if (!e)
		e = hs_send_chunk(h, pl, n);
out:
	free(a);
	free(pl);
	return e;
}

static bool step_meta(struct hs *h, struct hs_event *ev)
{
	size_t n;
	const char *why = NULL;
	enum err e = hs_read_chunk(h, &n, &why);
	if (e == ERR_AGAIN)
		return false;
	if (e) {
		fail_now(h, ev, e, why);
		return true;
	}
	e = p2p_metadata_decode(h->plain, n, &h->peer_meta, &why);
	if (e) {
		fail_now(h, ev, e, why);
		return true;
	}
	h->have_meta = true;
	ev->type = HS_EV_METADATA;
	ev->meta = h->peer_meta;

	if (h->role == HS_INITIATOR) {
		set_state(h, HS_ST_ACK);
		if (h->ack_sent || h->late_ack)
			return true;
		enum err se = send_ack(h, P2P_ACK, 0, NULL, 0);
		if (se != ERR_OK) {
			fail_later(h, se, send_failure(se));
		}
		return true;
	}

	int16_t motive = -1;
	if (!h->peer.chain_ok)
		motive = P2P_MOTIVE_UNKNOWN_CHAIN_NAME;
	else if (!select_version(h->ddb_version, h->ddb_min, h->peer.ddb_version, &h->ddb_sel))
		motive = P2P_MOTIVE_DEPRECATED_DDB_VERSION;
	else if (!select_version(h->p2p_version, h->p2p_min, h->peer.p2p_version, &h->p2p_sel))
		motive = P2P_MOTIVE_DEPRECATED_P2P_VERSION;
	if (motive < 0) {
		set_state(h, HS_ST_DECIDE);
		return true;
	}
	enum p2p_ack_kind kind = h->peer.p2p_version == 0 ? P2P_NACK_V0 : P2P_NACK;
	enum err se = send_ack(h, kind, motive, h->nack_points, h->nack_points_n);
	if (se != ERR_OK) {
		fail_later(h, se, send_failure(se));
		return true;
	}
	set_state(h, HS_ST_CLOSED);
	h->pending = HS_EV_NACK_SENT;
	h->pending_kind = kind;
	h->pending_motive = motive;
	return true;
}

static bool step_ack(struct hs *h, struct hs_event *ev)
{
	size_t n;
	const char *why = NULL;
	enum err e = hs_read_chunk(h, &n, &why);
	if (e == ERR_AGAIN)
		return false;
	if (e) {
		fail_now(h, ev, e, why);
		return true;
	}
	e = p2p_ack_decode(h->plain, n, &ev->ack, &why);
	if (e) {
		fail_now(h, ev, e, why);
		return true;
	}
	switch (ev->ack.kind) {
	case P2P_ACK:
		set_state(h, HS_ST_OPEN);
		ev->type = HS_EV_ACK;
		if (h->late_ack && !h->ack_sent) {
			/* our Ack goes first, before anything the driver sends on the event */
			enum err se = send_ack(h, P2P_ACK, 0, NULL, 0);
			if (se != ERR_OK) {
				fail_now(h, ev, se, send_failure(se));
				return true;
			}
			h->ack_sent = true;
		}
		break;
	case P2P_NACK:
		set_state(h, HS_ST_CLOSED);
		ev->type = HS_EV_NACK;
		break;
	case P2P_NACK_V0:
		set_state(h, HS_ST_CLOSED);
		ev->type = HS_EV_NACK_V0;
		break;
	}
	return true;
}

/*
 * The first n (<= 32) plaintext bytes of a chunk whose whole has not
 * arrived: crypto_box_easy_afternm is XSalsa20-Poly1305 (secretbox), whose
 * plaintext is the ciphertext XOR the key stream from byte 32 on. Not
 * authenticated: only used to decide to drop a frame, never as data.
 */
static void peek_plain(const struct hs *h, const uint8_t *ct, uint8_t *out, size_t n)
{
	uint8_t ks[32 + 32];
	crypto_stream_xsalsa20(ks, 32 + n, h->remote_nonce, h->key);
	for (size_t i = 0; i < n; i++)
		out[i] = ct[i] ^ ks[32 + i];
	sodium_memzero(ks, sizeof ks);
}

enum skip_res { SKIP_NO, SKIP_DONE, SKIP_MORE, SKIP_FAIL };

/*
 * With a frame cap, chunks that hold nothing but a frame being dropped go
 * by unread: the rest of a dropped frame, or a chunk longer than any frame
 * we keep whose first bytes announce a frame over the cap. Their nonce
 * still advances. SKIP_NO: read the next chunk as usual.
 */
static enum skip_res skip_unread(struct hs *h, struct hs_event *ev)
{
	size_t have = h->in.len - h->in.off;
	const uint8_t *p = h->in.p + h->in.off;
	if (have < 2)
		return SKIP_NO;
	size_t l = be16_get(p);
	if (l < P2P_MAC_LEN)
		return SKIP_NO; /* hs_read_chunk says why */
	size_t pl = l - P2P_MAC_LEN;
	size_t skipping = p2p_reasm_skipping(&h->reasm);
	if (skipping > 0) {
		if (pl > skipping)
			return SKIP_NO; /* goes on past the dropped frame: read it */
		p2p_reasm_skipped(&h->reasm, pl);
	} else {
		if (h->frame_cap >= P2P_FRAME_MAX || pl <= h->frame_cap + 4 ||
		    !p2p_reasm_at_frame_start(&h->reasm))
			return SKIP_NO;
		if (have < 2 + P2P_MAC_LEN + 6)
			return SKIP_MORE;
		uint8_t hd[6];
		peek_plain(h, p + 2 + P2P_MAC_LEN, hd, sizeof hd);
		uint32_t size = be32_get(hd);
		if (size > P2P_FRAME_MAX) {
			fail_now(h, ev, ERR_TOOBIG, "frame larger than P2P_FRAME_MAX");
			return SKIP_FAIL;
		}
		if (size <= h->frame_cap || pl > 4 + (size_t)size) {
			fail_now(h, ev, ERR_PROTO, "chunk holds more than one message");
			return SKIP_FAIL;
		}
		if (p2p_reasm_drop(&h->reasm, size, be16_get(hd + 4), pl) != ERR_OK) {
			fail_now(h, ev, ERR_PROTO, "frame drop refused"); /* not reached */
			return SKIP_FAIL;
		}
	}
	p2p_nonce_incr(h->remote_nonce);
	h->skip_wire = 2 + l;
	return SKIP_DONE;
}

static bool step_open(struct hs *h, struct hs_event *ev)
{
	for (;;) {
		/* a drop is reported first, even while its chunk is still arriving */
		if (p2p_reasm_dropped(&h->reasm, &ev->dropped.tag, &ev->dropped.size)) {
			ev->type = HS_EV_DROPPED;
			return true;
		}
		if (h->skip_wire) { /* a chunk of a dropped frame, going by unread */
			size_t have = h->in.len - h->in.off;
			size_t d = have < h->skip_wire ? have : h->skip_wire;
			h->in.off += d;
			h->skip_wire -= d;
			if (h->skip_wire)
				return false;
		}
		const uint8_t *f;
		size_t flen;
		enum err e = p2p_reasm_next(&h->reasm, &f, &flen);
		if (e == ERR_OK) {
			size_t used;
			const char *why = NULL;
			e = p2p_frame_decode(f, flen, &used, &ev->msg, &why);
			if (e) {
				fail_now(h, ev, e == ERR_AGAIN ? ERR_PROTO : e, why);
				return true;
			}
			ev->type = HS_EV_MSG;
			return true;
		}
		if (e != ERR_AGAIN) {
			fail_now(h, ev, e,
			         e == ERR_TOOBIG ? "frame larger than P2P_FRAME_MAX"
			                         : "frame reassembly out of memory");
			return true;
		}
		if (p2p_reasm_dropped(&h->reasm, &ev->dropped.tag, &ev->dropped.size)) {
			ev->type = HS_EV_DROPPED;
			return true;
		}
		switch (skip_unread(h, ev)) {
		case SKIP_NO: break;
		case SKIP_DONE: continue;
		case SKIP_MORE: return false;
		case SKIP_FAIL: return true;
		}
		size_t n;
		const char *why = NULL;
		e = hs_read_chunk(h, &n, &why);
		if (e == ERR_AGAIN)
			return false;
		if (e) {
			fail_now(h, ev, e, why);
			return true;
		}
		e = p2p_reasm_push(&h->reasm, h->plain, n);
		if (e) {
			fail_now(h, ev, e,
			         e == ERR_TOOBIG ? "frame larger than P2P_FRAME_MAX"
			                         : "frame reassembly out of memory");
			return true;
		}
	}
}

bool hs_next_event(struct hs *h, struct hs_event *ev)
{
	if (h->pending) {
		ev->type = h->pending;
		h->pending = 0;
		if (ev->type == HS_EV_ERROR) {
			ev->error = h->pending_err;
		} else { /* HS_EV_NACK_SENT */
			ev->ack.kind = h->pending_kind;
			ev->ack.motive = h->pending_kind == P2P_NACK ? h->pending_motive : 0;
			ev->ack.points_n = 0;
			if (h->pending_kind == P2P_NACK) {
				ev->ack.points_n = h->nack_points_n;
				if (h->nack_points_n)
					memcpy(ev->ack.points, h->nack_points,
					       h->nack_points_n * sizeof *h->nack_points);
			}
		}
		return true;
	}
	switch (h->st) {
	case HS_ST_CONN: return step_conn(h, ev);
	case HS_ST_META: return step_meta(h, ev);
	case HS_ST_ACK: return step_ack(h, ev);
	case HS_ST_OPEN: return step_open(h, ev);
	case HS_ST_DECIDE:
	case HS_ST_CLOSED:
	case HS_ST_FAILED: return false;
	}
	return false;
}

enum err hs_accept(struct hs *h)
{
	if (h->role != HS_RESPONDER || h->st != HS_ST_DECIDE)
		return ERR_STATE;
	enum err e = send_ack(h, P2P_ACK, 0, NULL, 0);
	if (e)
		return e;
	set_state(h, HS_ST_ACK);
	return ERR_OK;
}

enum err hs_nack(struct hs *h, int16_t motive, const struct point *points, size_t points_n)
{
	if (h->role != HS_RESPONDER || h->st != HS_ST_DECIDE)
		return ERR_STATE;
	if (points_n > P2P_POINTS_SEND_MAX || (points_n && !points))
		return ERR_INVAL;
	enum p2p_ack_kind kind = h->peer.p2p_version == 0 ? P2P_NACK_V0 : P2P_NACK;
	enum err e = send_ack(h, kind, motive, points, points_n);
	if (e)
		return e;
	set_state(h, HS_ST_CLOSED);
	return ERR_OK;
}

enum err hs_refuse(struct hs *h)
{
	if (h->role != HS_RESPONDER || h->st != HS_ST_DECIDE)
		return ERR_STATE;
	set_state(h, HS_ST_CLOSED);
	return ERR_OK;
}

enum hs_state hs_state(const struct hs *h)
{
	return h->st;
}

enum hs_role hs_role(const struct hs *h)
{
	return h->role;
}

const struct hs_peer *hs_peer(const struct hs *h)
{
	return h->have_peer ? &h->peer : NULL;
}

const struct p2p_metadata *hs_peer_metadata(const struct hs *h)
{
	return h->have_meta ? &h->peer_meta : NULL;
}

void hs_selected_versions(const struct hs *h, uint16_t *ddb, uint16_t *p2p)
{
	*ddb = h->ddb_sel;
	*p2p = h->p2p_sel;
}
