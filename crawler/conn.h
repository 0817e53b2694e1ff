/*
 * conn — the connections of a crawl: one visit each, on the crawl's libev
 * loop (conn.c says how a visit goes). struct conn_set is what the
 * connections share; the crawl owns it and is told about visits through
 * struct conn_up, so this module knows nothing above it: it hands each list
 * of points and each visit's one result up, and never calls the crawl, the
 * store or the probe (docs/crawler.md, "Modules"). Single-threaded.
 *
 * A finished connection is unlinked from `live`, pushed on `dead` and freed
 * by conn_reap() (the crawl's reaper), never inside its own callback.
 */
#ifndef TZ_CRAWLER_CONN_H
#define TZ_CRAWLER_CONN_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crawler/config.h"
#include "crawler/frontier.h"
#include "crawler/visit.h"

struct p2p_identity;
struct conn;

#define PEER_BUCKETS 4096 /* chains of sessions by peer id (conn.c) */

/* What the connections tell the crawl; ctx is passed back. */
struct conn_up {
	/* A list of points arrived (an Advertise, a Nack's list). */
	void (*points)(void *ctx, const struct visit_points *p);
	/* A dial ended: its one result. */
	void (*end)(void *ctx, const struct visit_result *r);
	/* No connection could be made for lease l (out of memory): no row, the point waits. */
	void (*unrecorded)(void *ctx, const struct fr_lease *l);
	/* The open-file limit bit (EMFILE/ENFILE): at most n connections from now on. */
	void (*fd_limit)(void *ctx, size_t n);
	void *ctx;
};

struct conn_set {
	struct ev_loop *loop;
	const struct crawl_config *cfg;  /* borrowed */
	const struct p2p_identity *id;   /* borrowed */
	struct conn_up up;
	uint8_t pow_target[32]; /* p2p_pow_target(cfg->expected_pow), once */
	uint8_t chain_id[4];
	bool chain_id_known; /* else learnt from the peer's Get_current_branch */
	bool stopping;       /* the crawl drains: a reset visit is not dialed again */

	struct conn *live; /* connections in flight (doubly linked) */
	struct conn *dead; /* finished, waiting for conn_reap */
	struct conn **peer_chain; /* PEER_BUCKETS chains of live sessions that have a peer id */
	size_t inflight;
	size_t max_inflight; /* peak of inflight */

	/* OS randomness drawn 4 KiB at a time for connection-message nonces
	 * (public once sent): one getrandom per 170 dials, not one per dial. */
	uint8_t nonce_pool[4096];
	size_t nonce_used;
};

/*
 * Sets up s (the chain id of cfg->chain when it is TEZOS_MAINNET, the PoW
 * target, the peer chains). ERR_NOMEM; ERR_CONFIG when expected_pow is out
 * of range.
 */
enum err conn_set_init(struct conn_set *s, struct ev_loop *loop, const struct crawl_config *cfg,
		       const struct p2p_identity *id, const struct conn_up *up)
	__attribute__((warn_unused_result));

/* Ends every live connection (as conn_abort_all) and frees everything. */
void conn_set_cleanup(struct conn_set *s);

/* 24 fresh random bytes for a connection message's nonce. */
void conn_nonce(struct conn_set *s, uint8_t out[24]);

/* Starts one dial (the lease stays with the connection until it ends). */
void conn_start(struct conn_set *s, const struct fr_lease *l);

/* Ends every live connection now (drain timeout, second signal). */
void conn_abort_all(struct conn_set *s, const char *why);

/* Frees every connection on the dead list (the reaper). */
void conn_reap(struct conn_set *s);

#endif
