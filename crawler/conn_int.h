/*
 * conn_int — what conn.c (sockets, connect, deadlines, a connection's life)
 * and conn_events.c (what a visit asks and learns from its session's events)
 * share inside the crawler: struct conn and the few functions each calls in
 * the other. Not a contract for anything outside crawler/conn*.c.
 */
#ifndef TZ_CRAWLER_CONN_INT_H
#define TZ_CRAWLER_CONN_INT_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crawler/conn.h"
#include "net/point.h"
#include "p2p/frame.h"
#include "p2p/handshake.h"

/*
 * Largest frame a visit keeps (docs/crawler.md, "Memory"): an Advertise of
 * 100 points is at most ~5 KiB, a mainnet Current_branch ~8.5 KiB (a head
 * header of a few hundred bytes and 250 history hashes of 32 bytes, Octez's
 * max_locator_size). Anything longer goes by unread, so a hostile peer that
 * announces 8 MiB costs a session ~16 KiB, not P2P_FRAME_MAX + HS_IN_MAX.
 */
#define CRAWL_FRAME_CAP (16u << 10)

enum conn_st { CS_CONNECTING = 0, CS_HANDSHAKE = 1, CS_OPEN = 2, CS_DONE = 3 };

struct conn {
	struct conn_set *cs;
	struct conn *prev, *next; /* live list, then dead list (next only) */
	struct conn *peer_prev, *peer_next; /* cs->peer_chain[peer_bucket()] while live with have_peer */
	ev_io io;
	ev_timer deadline;
	ev_timer round;
	int fd;
	enum conn_st st;
	struct fr_lease lease;
	struct point pt;
	char text[POINT_FMT_CAP];
	struct hs *hs;

	double t_start, t_connected, t_answer; /* monotonic; t_answer: Ack or Nack read */
	int64_t started_us;
	uint64_t bytes_in;

	bool have_peer, have_meta, acked, chain_bad;
	/*
	 * Another of our sessions is talking to the same peer id (a node with
	 * two points): Octez would Nack the second one Already_connected
	 * (docs/protocol.md §9.2 item 6), so this one holds its metadata back until the
	 * other ends. has_waiters marks the session others wait for.
	 */
	bool waiting, has_waiters;
	double hold_until; /* a held session goes on at this time whatever happens */
	bool counted; /* the one session of its peer id that goes on */
	bool lock_step; /* second connection of the visit, after a reset: Ack after the node's */
	bool retry;   /* ask the frontier for another attempt (Already_connected) */
	struct hs_peer peer; /* chain_name borrowed from hs, valid until hs_free */
	struct p2p_metadata meta;
	int32_t nack_motive;

	unsigned rounds_sent, adv_seen;
	bool head_sent, have_head;
	bool head_dropped; /* the Current_branch was over CRAWL_FRAME_CAP: head unknown */
	int32_t head_level;
	int64_t head_ts;
	uint8_t head_hash[P2P_BLOCK_HASH_LEN];

	char errbuf[128];
};
/* conn.c */

/* Ends the visit with outcome o (why: the row's error, may be NULL); once. */
void conn_finish(struct conn *c, enum visit_outcome o, const char *why);
/* The only place a state changes: checks the transition and re-arms its deadline. */
void conn_set_state(struct conn *c, enum conn_st st);

/* conn_events.c */

/* Drains the session's events; false once the connection is finished. */
bool conn_run_events(struct conn *c);
/* Queues message tag (a Bootstrap, Get_current_branch or Disconnect) in c's session. */
void conn_send_msg(struct conn *c, uint16_t tag);
/* Queues the next Bootstrap and arms the round after it. */
void conn_send_bootstrap(struct conn *c);
/* Holds c while another session talks to its peer id (never past hold_until). */
void conn_hold_if_busy(struct conn *c);
/* Takes c off its peer-id chain. */
void conn_peer_unlink(struct conn *c);
/* c ends: sessions holding for its peer id may go on after a short pause. */
void conn_wake_waiters(struct conn *c);
/* The visit's one result: its row and what the frontier needs (peer_id_text: its buffer). */
void conn_fill_result(const struct conn *c, struct visit_result *r, enum visit_outcome o,
		      const char *why, char *peer_id_text, size_t peer_id_cap);

#endif
