/*
 * crawl — one crawl on one libev loop: the frontier, the connections in
 * flight, the sinks (journal + database writer), signals, progress and the
 * end-of-crawl summary.
 *
 * struct crawl owns everything it points to except cfg and id (borrowed).
 * Connections (conn.h) belong to the crawl (conns): they hand each visit's
 * result up through struct conn_up, and the crawl's ev_prepare reaper frees
 * the finished ones. The reaper is also where new dials start, so all
 * scheduling happens at one place, once per loop iteration.
 * Single-threaded.
 */
#ifndef TZ_CRAWLER_CRAWL_H
#define TZ_CRAWLER_CRAWL_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crawler/config.h"
#include "crawler/conn.h"
#include "crawler/frontier.h"
#include "crawler/tally.h"
#include "crawler/visit.h"
#include "db/record.h"
#include "net/point.h"
#include "net/policy.h"

struct p2p_identity;
struct sink;
struct rpc_prober;

#define CRAWL_VERSIONS_MAX 32 /* distinct (chain, ddb, p2p) combinations kept for the summary */

struct crawl_version {
	uint8_t chain[64]; /* first bytes of the chain name, raw */
	size_t chain_len;
	bool chain_cut; /* longer than the buffer */
	int ddb, p2p;
	uint64_t n;
};

struct crawl_stats {
	uint64_t outcomes[VISIT_OUTCOME_N];
	uint64_t visits;     /* rows: dials + policy */
	uint64_t dials;      /* connections attempted */
	uint64_t dials_final; /* points whose last attempt is done */
	uint64_t public_n;   /* of those, points that sent a valid connection message */
	uint64_t edges;      /* advertisement rows */
	uint64_t retries;    /* dials with attempt > 1 */
	uint64_t sink_errors;
	uint64_t local_final;      /* points whose last attempt was a local error: undialed */
	uint64_t local_unrecorded; /* local failures before a visit could be made (no row) */
	struct crawl_version versions[CRAWL_VERSIONS_MAX];
	size_t versions_n;
	uint64_t versions_other;
};

struct crawl {
	struct ev_loop *loop;
	const struct crawl_config *cfg;        /* borrowed */
	const struct p2p_identity *id;         /* borrowed */
	struct policy policy;
	struct frontier *fr;
	struct visit_out out;                  /* where the records go (the store, or the probe) */
	struct sink *sink;                     /* the store's backpressure and queue (NULL: none) */
	bool discover;   /* offer advertised points to the frontier (a probe does not) */
	bool interactive; /* progress lines and signal handling (a probe has neither) */
	struct rpc_prober *rpc;                /* the RPC probe (rpc.h); NULL when off */

	struct conn_set conns; /* the connections in flight (conns.stopping: a signal came, no new dials) */
	size_t concurrency;

	ev_prepare reaper;
	ev_timer tick;   /* wakes the loop for retries, progress, drain end */
	ev_signal sigint, sigterm;

	double stop_at;      /* monotonic time the drain ends */
	bool aborted;        /* ended by a signal */
	bool finished;       /* the loop may stop once sinks are flushed */
	bool seeds_pending;  /* nothing more to wait for when false */

	uint8_t uuid[16];
	int64_t crawl_id;    /* crawls.id from the database; -1 unknown */
	int64_t started_us;  /* wall clock */
	double t0;           /* monotonic start */
	uint64_t seq_visit, seq_adv;
	uint32_t max_depth;  /* deepest discovery chain dialed */

	/* seed points (depth 0): refused by the address policy, ended with an
	 * answer (a reached outcome), ended without one; seed_why: the first
	 * reason one could not be dialed, for the message that ends a crawl
	 * none of them answered */
	size_t seeds_policy, seeds_answered, seeds_silent;
	char seed_why[192];

	bool tty;
	double next_progress;
	struct crawl_stats st;
	struct tally tally;  /* census figures (tally.h) */
	const char *fail_reason; /* static text when the crawl failed */
};

/* Monotonic seconds on the crawl's loop. */
static inline double crawl_now(const struct crawl *cr)
{
	return ev_now(cr->loop);
}

/* Initialises a crawl on loop (policy from cfg, frontier, signals). ERR_CONFIG / ERR_NOMEM. */
enum err crawl_init(struct crawl *cr, struct ev_loop *loop, const struct crawl_config *cfg,
		    const struct p2p_identity *id, char *err, size_t err_cap)
	__attribute__((warn_unused_result));
void crawl_cleanup(struct crawl *cr);

/*
 * Offers a discovered point: into the frontier, and for a point the policy
 * refuses, one `policy` visit row. depth: hops from a seed. Nothing when the
 * crawl does not discover (a probe).
 */
void crawl_offer(struct crawl *cr, const struct point *pt, uint32_t depth);

/*
 * A list of points a visit received: each (up to the frontier's per-message
 * cap) recorded as an edge and, unless it is another network's, offered.
 */
void crawl_visit_points(struct crawl *cr, const struct visit_points *p);

/*
 * The end of one dial, the one place it is accounted for: the visit row to
 * the output, the frontier told (done, or retried), the census tally, the
 * statistics (outcomes, dials, retries, versions) and the seeds' fate.
 */
void crawl_visit_end(struct crawl *cr, const struct visit_result *r);

/* Starts the loop machinery (reaper, tick, signals) and runs until the crawl ends. */
void crawl_run(struct crawl *cr);

/* Seeds: resolves cfg->seeds (getaddrinfo, IPv4 and IPv6) and offers them. Returns how many. */
size_t crawl_seed(struct crawl *cr);

/* Writes the end-of-crawl summary (text, or one JSON object with cfg->json). */
void crawl_summary(const struct crawl *cr, const char *status, double duration_s, FILE *out);

/*
 * Lowers the connections in flight to at most n (>= 1) for the rest of the
 * crawl: the open-file limit bit (EMFILE/ENFILE) although the budget of
 * crawl_init said there was room.
 */
void crawl_lower_concurrency(struct crawl *cr, size_t n);

/* Local errors (rows with outcome local_error and failures without a row). */
uint64_t crawl_local_errors(const struct crawl *cr);

/* True when local errors exceed CRAWL_LOCAL_MAX_SHARE of the dials: the crawl is incomplete. */
#define CRAWL_LOCAL_MAX_SHARE 0.01
bool crawl_local_excess(const struct crawl *cr);

#endif
