/*
 * visit — what one visit hands up to the crawl, and where the crawl's
 * results go. Types only: the connection (conn.c) fills them, the crawl
 * (crawl.c) fans them out to the output, the frontier and the statistics,
 * and an output (the store of sink.c, or the probe of probe.c) receives the
 * records. No module below the crawl needs to know the crawl, and the crawl
 * needs no module above it (docs/crawler.md, "Modules").
 */
#ifndef TZ_CRAWLER_VISIT_H
#define TZ_CRAWLER_VISIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/record.h"
#include "net/point.h"

struct hs_peer;

/*
 * One list of points a node gave us (an Advertise, or a Nack's list), handed
 * up as it arrives, so discovery never waits for the end of the visit. The
 * points stay structs from the codec to the frontier and the store.
 */
struct visit_points {
	const struct point *from;  /* the visited point */
	uint32_t depth;            /* hops from a seed of the visited point */
	const struct point *pts;   /* the list as received */
	size_t n;
	enum adv_source source;    /* ADV_FOREIGN_NACK: stored, never offered */
	uint32_t round;            /* Bootstrap round, 0 for a Nack */
	int64_t seen_at_us;        /* when the message arrived (one message, one instant) */
};

/*
 * The end of one dial, once: the row (outcome, timings, what the peer said;
 * its pointers are the connection's, valid during the call), who the peer
 * is, and what the frontier needs to know.
 */
struct visit_result {
	struct visit_rec rec;          /* seq is the crawl's to set */
	const struct point *pt;        /* the visited point (rec.point is its text) */
	const struct hs_peer *peer;    /* NULL before the peer's connection message */
	bool foreign;                  /* the peer is of another chain */
	uint32_t point_id;             /* the frontier's lease */
	uint32_t depth;                /* hops from a seed */
	bool come_back;                /* the node asked us to try again (Already_connected) */
};

/*
 * Where the crawl's records go: the store (sink.c: journal and database) in
 * a crawl, the probe's result (probe.c) with --probe. Each record is the
 * one the crawl numbered; pointers inside are valid during the call only.
 */
struct visit_out {
	void (*visit)(void *ctx, const struct visit_rec *v, const struct hs_peer *peer);
	void (*edge)(void *ctx, const struct adv_rec *a);
	void (*rpc)(void *ctx, const struct rpc_rec *r); /* an RPC probe's answer; NULL: dropped */
	void *ctx;
};

#endif
