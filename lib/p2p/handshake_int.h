/*
 * handshake_int — what handshake.c (the session state machine) and
 * handshake_chunks.c (the byte queues and the encrypted chunks under it)
 * share inside lib/p2p: the struct hs and the three chunk calls the states
 * make. Not a contract for anything outside lib/p2p.
 */
#ifndef TZ_P2P_HANDSHAKE_INT_H
#define TZ_P2P_HANDSHAKE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "p2p/consts.h"
#include "p2p/frame.h"
#include "p2p/handshake.h"
#include "p2p/msg.h"

/* A byte queue: [off, len) is pending. */
struct hbuf {
	uint8_t *p;
	size_t off, len, cap, max;
};

struct hs {
	enum hs_role role;
	enum hs_state st;
	const struct p2p_identity *id;
	uint8_t *chain;
	size_t chain_len;
	uint16_t ddb_version, ddb_min, p2p_version, p2p_min;
	uint16_t ddb_sel, p2p_sel;
	struct p2p_metadata meta;
	uint8_t target[32];
	const struct point *nack_points;
	size_t nack_points_n;

	uint8_t *sent; /* our connection message, with its u16 prefix */
	size_t sent_len;
	uint8_t *recv; /* the peer's */
	size_t recv_len;
	bool have_peer, have_meta;
	bool early_ack, ack_sent; /* early_ack initiator: Ack queued behind our metadata */
	bool late_ack;            /* initiator: our Ack only after the peer's */
	struct hs_peer peer;
	struct p2p_metadata peer_meta;

	uint8_t key[P2P_KEY_LEN];
	size_t plain_hw;  /* bytes of plain written since it was allocated (wiped on free) */
	size_t plain_cap; /* plain grows to the largest chunk seen: sessions stay small */
	uint8_t local_nonce[P2P_NONCE_LEN];
	uint8_t remote_nonce[P2P_NONCE_LEN];

	struct hbuf in, out;
	uint8_t *plain;   /* one opened chunk */
	uint8_t *scratch; /* hs_send encoding */
	size_t scratch_cap;
	struct p2p_reasm reasm;
	size_t frame_cap; /* params.frame_cap, P2P_FRAME_MAX when none */
	size_t skip_wire; /* bytes of a chunk of a dropped frame still to discard */

	/* An event decided together with the previous one, handed out next. */
	enum hs_ev_type pending;
	struct hs_error pending_err;
	int16_t pending_motive;
	enum p2p_ack_kind pending_kind;
};

/* Appends n bytes to a queue, growing it up to its max: ERR_FULL, ERR_NOMEM. */
enum err hs_hbuf_put(struct hbuf *b, const uint8_t *src, size_t n)
    __attribute__((warn_unused_result));

/* Seals one plaintext chunk (<= P2P_CHUNK_PLAIN_MAX) into h->out with the
 * local nonce, which then advances. */
enum err hs_send_chunk(struct hs *h, const uint8_t *plain, size_t len)
    __attribute__((warn_unused_result));

/* Opens the next chunk of h->in into h->plain (*plain_len bytes) with the
 * remote nonce, which then advances. ERR_AGAIN until it is all there;
 * on a failure *why says what. */
enum err hs_read_chunk(struct hs *h, size_t *plain_len, const char **why)
    __attribute__((warn_unused_result));

#endif
