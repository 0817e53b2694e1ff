/*
 * history — the "Stability" figures (report.json `history`) and the
 * completeness estimate (report.json `completeness`).
 *
 * Stability works on the public nodes of the last HISTORY_WINDOW comparable
 * crawls (same vantage and chain, finished, not refused by the publication
 * gate; the crawl analysed is the last one), as load_history_db() delivers
 * them: uptime distribution, churn per night (new, gone), the long-lived
 * core and the versions announced over time (docs/analyzer.md, "history").
 *
 * Completeness is a capture-recapture estimate of the public nodes, seen or
 * not, from the crawl's own point lists: each Bootstrap round is one capture
 * occasion, a node caught in it when the random part of an Advertise names it
 * (docs/methodology.md, "Completeness").
 *
 * Pure computation; the loader lives in load_db.c. Not thread-safe.
 */
#ifndef TZ_ANALYZER_HISTORY_H
#define TZ_ANALYZER_HISTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/analyze.h"
#include "core/err.h"

#define HISTORY_WINDOW 30
#define HISTORY_STABLE 0.9 /* "stable": public in >= 90% of the window's crawls */

/* A public node of one crawl, with what its connection message announced. */
struct hnode {
	char *peer_id;    /* owned */
	char *chain_name; /* printable chain name (acrawl_chain_text), owned, NULL absent */
	int ddb_version;  /* -1 absent */
	int p2p_version;  /* -1 absent */
	/*
	 * The Octez release from the crawler's RPC probe (node_releases: the
	 * smallest release text among the node's points, as analyzer/releases.h
	 * takes it); history_json() groups the versions by it. NULL = not known.
	 */
	char *release; /* owned, NULL unknown */
};

struct hcrawl {
	int64_t id;
	char *started_at;     /* ISO 8601, owned */
	bool probed;          /* the crawl has RPC answers (rpc_versions): the probe ran */
	struct hnode *nodes;  /* sorted by peer_id (strcmp), unique */
	size_t nodes_n, nodes_cap;
};

struct history {
	struct hcrawl *crawls; /* oldest first; the last is the crawl analysed */
	size_t n, cap;
};

void history_free(struct history *h); /* idempotent */

/* Appends an empty crawl. ERR_NOMEM. */
enum err history_add_crawl(struct history *h, int64_t id, const char *started_at)
    __attribute__((warn_unused_result));
/* Adds a node to the last crawl (copies strings). ERR_INVAL without a crawl. */
enum err history_add_node(struct history *h, const char *peer_id, const char *chain_name,
                          int ddb_version, int p2p_version, const char *release)
    __attribute__((warn_unused_result));
/* Sorts each crawl's nodes and drops repeated peer ids (the first kept). */
void history_finish(struct history *h);

/* report.json `history`; NULL on allocation failure (sets *ok = false). */
json_t *history_json(const struct history *h, bool *ok);

/* Chao's bias-corrected incidence estimator with a log-normal 95% interval. */
struct completeness {
	size_t observed;  /* public nodes of the crawl */
	size_t occasions; /* Bootstrap rounds (t) */
	size_t q1, q2;    /* public nodes caught at random in exactly 1, exactly 2 rounds */
	double estimate, low, high;
};
void completeness_chao(size_t observed, size_t occasions, size_t q1, size_t q2,
                       struct completeness *out);
/* From the crawl's Advertise and Nack lists (not other chains' Nacks). */
enum err completeness_compute(const struct analysis *an, struct completeness *out)
    __attribute__((warn_unused_result));
/* report.json `completeness`. */
json_t *completeness_json(const struct completeness *c, bool *ok);

#endif
