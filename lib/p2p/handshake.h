/*
 * handshake — one Octez P2P session, sans-I/O, for both roles (docs/protocol.md
 * §6, §16): the crawler dials (HS_INITIATOR), a simnet node accepts
 * (HS_RESPONDER). Bytes in (hs_feed), bytes out (hs_out), events out
 * (hs_next_event); no socket, clock or RNG inside: the message nonce comes in
 * hs_params, deadlines belong to the driver.
 *
 * Driving loop:
 *     h = hs_new(&params);            // queues our connection message
 *     write hs_out(); on readable: hs_feed(bytes);
 *     while (hs_next_event(h, &ev)) handle(ev);   // does the work, lazily
 *     write hs_out(), hs_out_consume(n);
 * Call hs_next_event until it returns false after every hs_feed, hs_accept,
 * hs_nack, hs_refuse and hs_send; output may grow on each call.
 *
 * Session, in order:
 *   HS_EV_CONN_MSG  the peer's connection message (peer id, PoW bits, chain
 *                   name, versions, port). A responder fails with HS_EV_ERROR
 *                   ERR_POW when the PoW is below expected_pow; an initiator
 *                   only records pow_ok.
 *   HS_EV_METADATA  the peer's metadata. Initiator: sends Ack at once
 *                   (docs/protocol.md §16.1), or already did (early_ack), or waits
                   for the peer's Ack (late_ack). Responder:
 *                   runs version selection (docs/protocol.md §4.4);
 *                   on mismatch it sends the Nack itself (Nack_v_0 when the
 *                   peer announced p2p 0) and reports HS_EV_NACK_SENT;
 *                   otherwise the state is HS_ST_DECIDE and the driver calls
 *                   hs_accept, hs_nack or hs_refuse.
 *   HS_EV_ACK       session open (HS_ST_OPEN): hs_send works, HS_EV_MSG flow.
 *   HS_EV_NACK / HS_EV_NACK_V0   the peer refused us; state HS_ST_CLOSED.
 *   HS_EV_MSG       one decoded P2P message (frames reassembled across chunks).
 *   HS_EV_DROPPED   a frame over the session's frame_cap (and within
 *                   P2P_FRAME_MAX) went by unread: its tag and size only.
 *   HS_EV_ERROR     undecryptable, malformed or oversized input, low PoW, key
 *                   exchange failure: a specific enum err and a static reason;
 *                   state HS_ST_FAILED, no more events. The driver closes.
 * After HS_ST_CLOSED / HS_ST_FAILED, flush hs_out (a Nack) and close.
 *
 * Owns its buffers (heap, each with a fixed cap); borrows the identity and
 * the nack points. One session per struct hs; not thread-safe.
 */
#ifndef TZ_P2P_HANDSHAKE_H
#define TZ_P2P_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "net/point.h"
#include "p2p/frame.h"
#include "p2p/msg.h"

struct p2p_identity; /* p2p/identity.h */

enum hs_role { HS_INITIATOR = 0, HS_RESPONDER = 1 };

/* Raw unprocessed input we hold at most (the driver drains events after each feed). */
#define HS_IN_MAX (1u << 20)
/* Queued output we hold at most (hs_send fails with ERR_FULL beyond). */
#define HS_OUT_MAX (16u << 20)

struct hs_params {
	enum hs_role role;
	const struct p2p_identity *id; /* borrowed; outlives the session */
	const char *chain_name;        /* NUL-terminated, e.g. "TEZOS_MAINNET" */
	uint16_t port;                 /* announced listening port; 0 for the crawler */
	uint16_t ddb_version;          /* announced = highest supported (Octez: 2) */
	uint16_t ddb_min;              /* responder: lowest supported (Octez: 0) */
	uint16_t p2p_version;          /* announced = highest supported (Octez: 1) */
	uint16_t p2p_min;              /* responder: lowest supported (Octez: 0) */
	/*
	 * Initiator: queue our Ack right behind our metadata instead of after
	 * the peer's metadata (an initiator Acks whatever metadata comes, spec
	 * §16.1), and let hs_send queue P2P messages behind it before the
	 * peer's Ack arrives. The bytes on the wire are the same as in lock
	 * step, in the same order; only round trips are saved. A responder
	 * that Nacks never reads what follows our Ack.
	 */
	bool early_ack;
	/*
	 * Initiator: send our Ack only once the peer's Ack has arrived (a
	 * Nack ends the session without one), so a node that Nacks or closes
	 * after reading our metadata has nothing of ours left unread. An Octez
	 * node up to v21 that closes with our bytes unread resets the
	 * connection and its Nack is lost (docs/crawler.md, "Lost Nacks").
	 * Costs the node's Ack a round trip before anything else goes out.
	 * Not with early_ack (which wins).
	 */
	bool late_ack;
	bool disable_mempool;          /* our metadata; crawler: true */
	bool private_node;             /* our metadata; crawler: false */
	double expected_pow;           /* peer PoW target (26.0 on mainnet) */
	/* p2p_pow_target(expected_pow), computed once by a caller that opens
	 * many sessions; NULL: hs_new computes it. */
	const uint8_t *pow_target;
	uint8_t msg_nonce[24];         /* fresh random bytes for our connection message */
	/* Responder: the points sent with an automatic Nack (borrowed, <= 50). */
	const struct point *nack_points;
	size_t nack_points_n;
	/*
	 * Largest incoming frame kept (its u32 size field), 2 .. P2P_FRAME_MAX;
	 * 0 means P2P_FRAME_MAX. A frame over it but within P2P_FRAME_MAX is
	 * not an error: it goes by unread (HS_EV_DROPPED), and its chunks are
	 * discarded as they arrive (Octez starts every message at a chunk
	 * boundary and cuts it into chunks of that message alone; their MACs
	 * go unchecked, their bytes unused), so a session holds at most about
	 * frame_cap + 2 reads of input, not P2P_FRAME_MAX + HS_IN_MAX. With a
	 * cap, a chunk longer than frame_cap + 4 that starts a smaller frame is
	 * an ERR_PROTO (Octez never packs two messages in one chunk).
	 */
	size_t frame_cap;
};

enum hs_state {
	HS_ST_CONN = 0,   /* waiting for the peer's connection message */
	HS_ST_META = 1,   /* waiting for the peer's metadata */
	HS_ST_DECIDE = 2, /* responder: waiting for hs_accept / hs_nack / hs_refuse */
	HS_ST_ACK = 3,    /* waiting for the peer's Ack or Nack */
	HS_ST_OPEN = 4,   /* session open: P2P messages */
	HS_ST_CLOSED = 5, /* ended normally (Nack sent or received, refused) */
	HS_ST_FAILED = 6, /* ended on an error (HS_EV_ERROR was reported) */
};

const char *hs_state_str(enum hs_state s);

/*
 * Whether the handshake may go from one state to the other: CONN -> META ->
 * ACK (initiator) or DECIDE (responder) -> ACK -> OPEN; META, DECIDE and ACK
 * may end in CLOSED (a Nack sent or received, a refusal); any state but
 * CLOSED and FAILED may fail. Every change of state inside the handshake is
 * checked against it (an assert: an illegal one is a bug, not a peer's doing).
 */
bool hs_transition_ok(enum hs_state from, enum hs_state to);

enum hs_ev_type {
	HS_EV_CONN_MSG = 1,
	HS_EV_METADATA = 2,
	HS_EV_ACK = 3,
	HS_EV_NACK = 4,
	HS_EV_NACK_V0 = 5,
	HS_EV_NACK_SENT = 6, /* responder: automatic Nack after version selection */
	HS_EV_MSG = 7,
	HS_EV_ERROR = 8,
	HS_EV_DROPPED = 9, /* a frame over frame_cap went by unread */
};

const char *hs_ev_str(enum hs_ev_type t);

/* What the peer's connection message told us (kept for the whole session). */
struct hs_peer {
	uint16_t port; /* announced listening port, 0 = none */
	uint8_t public_key[32];
	uint8_t peer_id[16];
	unsigned pow_bits;         /* measured strength (docs/protocol.md §3.4 item 6) */
	bool pow_ok;               /* passes expected_pow */
	const uint8_t *chain_name; /* borrowed from the session, valid until hs_free */
	size_t chain_name_len;
	bool chain_ok; /* byte-equal to ours */
	uint16_t ddb_version;
	uint16_t p2p_version;
	bool self; /* the peer's public key is ours */
};

struct hs_error {
	enum err code;
	const char *reason; /* static text, distinct per failure */
};

/* A frame dropped for its size (HS_EV_DROPPED). */
struct hs_drop {
	uint16_t tag;  /* as the frame announced it */
	uint32_t size; /* its u32 size field (tag + payload) */
};

struct hs_event {
	enum hs_ev_type type;
	union {
		struct hs_peer conn;      /* HS_EV_CONN_MSG */
		struct p2p_metadata meta; /* HS_EV_METADATA */
		struct p2p_ack ack;       /* HS_EV_NACK, HS_EV_NACK_SENT (kind, motive, points) */
		struct p2p_msg msg;       /* HS_EV_MSG: views valid until the next hs_* call */
		struct hs_error error;    /* HS_EV_ERROR */
		struct hs_drop dropped;   /* HS_EV_DROPPED */
	};
};

/*
 * Creates a session and queues our connection message (both roles write it
 * first). NULL when allocation fails or the params are invalid (no identity,
 * chain name too long, more than 50 nack points, frame_cap 1 or over
 * P2P_FRAME_MAX).
 */
struct hs *hs_new(const struct hs_params *p);

/* Frees the session and wipes its keys. NULL is fine. */
void hs_free(struct hs *h);

/*
 * Takes every received byte (any split). ERR_OK; ERR_STATE once the session
 * is closed or failed (bytes dropped); ERR_FULL when more than HS_IN_MAX
 * unprocessed bytes would be held (drain events after each feed); ERR_NOMEM
 * when allocation fails.
 */
enum err hs_feed(struct hs *h, const uint8_t *in, size_t len) __attribute__((warn_unused_result));

/*
 * Runs the state machine until it has one event (true) or needs more input
 * (false). *ev's views stay valid until the next hs_* call on h.
 */
bool hs_next_event(struct hs *h, struct hs_event *ev);

/* Bytes waiting to be sent (NULL when none) and marking n of them written. */
const uint8_t *hs_out(const struct hs *h, size_t *len);
void hs_out_consume(struct hs *h, size_t n);

/* Responder in HS_ST_DECIDE: send Ack (then wait for the peer's Ack). ERR_STATE otherwise. */
enum err hs_accept(struct hs *h) __attribute__((warn_unused_result));

/*
 * Responder in HS_ST_DECIDE: send Nack(motive, points) — Nack_v_0 if the
 * peer announced p2p 0 — and end the session. ERR_INVAL for > 50 points.
 */
enum err hs_nack(struct hs *h, int16_t motive, const struct point *points, size_t points_n)
    __attribute__((warn_unused_result));

/* Responder in HS_ST_DECIDE: end without Ack or Nack (private mode,
 * docs/protocol.md §9.2 item 5). */
enum err hs_refuse(struct hs *h) __attribute__((warn_unused_result));

/*
 * In HS_ST_OPEN, or for an early_ack initiator as soon as its Ack is queued
 * (after HS_EV_CONN_MSG): encodes m (p2p_frame_encode), cuts it into chunks
 * of at most P2P_CHUNK_PLAIN_MAX bytes (the message starts a new chunk),
 * seals them and queues them. ERR_STATE before that (or after the session
 * ended), ERR_INVAL for a message p2p_frame_encode refuses (unknown tag,
 * > 100 points), ERR_TOOBIG for a frame over P2P_FRAME_MAX, ERR_FULL when
 * more than HS_OUT_MAX of output would be queued (flush hs_out), ERR_NOMEM
 * on allocation failure. On error nothing is queued and the nonces do not
 * move. A message the handshake itself queues (metadata, Ack, Nack) fails
 * the session with the same codes in HS_EV_ERROR: ERR_FULL "output queue
 * full", ERR_NOMEM "out of memory".
 */
enum err hs_send(struct hs *h, const struct p2p_msg *m) __attribute__((warn_unused_result));

enum hs_state hs_state(const struct hs *h);
enum hs_role hs_role(const struct hs *h);

/* The peer's connection message info; NULL before HS_EV_CONN_MSG. */
const struct hs_peer *hs_peer(const struct hs *h);

/* The peer's metadata; NULL before HS_EV_METADATA. */
const struct p2p_metadata *hs_peer_metadata(const struct hs *h);

/*
 * Received bytes the session has not consumed yet: whatever the peer sent
 * behind the last event handed out (e.g. a client's Ack and first messages
 * queued behind its metadata).
 */
size_t hs_in_pending(const struct hs *h);

/* The versions selected by a responder (valid from HS_ST_DECIDE on). */
void hs_selected_versions(const struct hs *h, uint16_t *ddb, uint16_t *p2p);

#endif
