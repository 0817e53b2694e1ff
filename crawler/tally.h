/*
 * tally — the crawl's census figures as the crawler sees them, with the
 * definitions of lib/db/census.h: each dialed point's class (the strongest
 * class among its attempts) and the public nodes (distinct peer ids of
 * public points), for the end-of-crawl summary and --json. The same figures
 * as crawl_summary and the analyzer's report.json counts.
 *
 * Points are frontier ids (dense, from 0). Owned by struct crawl; one
 * thread. tally_cleanup() is idempotent. An allocation failure sets
 * `nomem`: the figures are then lower bounds (the summary says so).
 */
#ifndef TZ_CRAWLER_TALLY_H
#define TZ_CRAWLER_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/census.h"
#include "db/record.h"

struct tally {
	uint8_t *cls;        /* class so far per point id (enum point_class, | 0x80: peer id seen) */
	size_t cls_cap;
	char **peers;        /* open-addressing set of public peer ids (owned) */
	size_t peers_cap, peers_n;
	uint64_t points[POINT_CLASS_N]; /* points whose last attempt ended, by class */
	uint64_t public_nodes;
	bool nomem;
};

/*
 * One attempt at point point_id ended with record v (borrowed for the call).
 * final: no retry follows, so the point is counted under its class.
 */
void tally_attempt(struct tally *t, uint32_t point_id, const struct visit_rec *v, bool final);

/* Points of the dialed classes (public + foreign + unverified + unreachable). */
uint64_t tally_dialed(const struct tally *t);

void tally_cleanup(struct tally *t);

#endif
