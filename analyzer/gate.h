/*
 * gate — decides whether a crawl looks sane enough to publish (--gate).
 *
 * It refuses a crawl when (1) no seed answered (counts.public == 0, or
 * crawl.seeds_answered == 0 when present), (2) the number of public nodes
 * falls outside [band_low, band_high] x the median of the most recent
 * `window_n` earlier crawls (checked only when at least `min_history` of them
 * have public > 0), or (3) the outcome mix jumped: the total-variation
 * distance between this crawl's outcome shares and the per-outcome median
 * shares of the same recent crawls exceeds `max_outcome_shift`, or (4) the
 * crawler's own failures (outcome local_error) exceed `max_local_share` of
 * the dials (every outcome but policy): the crawl did not see what it meant
 * to, whatever its figures say (tzcensus-crawl exits 4 on the same rule).
 * Reads borrowed JSON only; stateless and re-entrant.
 */
#ifndef TZ_ANALYZER_GATE_H
#define TZ_ANALYZER_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct gate_opts {
	double band_low;   /* default 0.5: public >= 0.5 x recent median */
	double band_high;  /* default 2.0: public <= 2.0 x recent median */
	unsigned window_n; /* default 7: earlier crawls taken into the median */
	unsigned
	    min_history; /* default 3: fewer usable earlier crawls -> band and mix not checked */
	double max_outcome_shift; /* default 0.25: max total-variation distance of outcome shares
	                             (0..1) */
	double max_local_share;   /* default 0.01: max share of local_error among the dials */
};

/* Fills *o with the documented defaults above. */
void gate_opts_default(struct gate_opts *o);

/*
 * cur = this crawl's report.json, hist = earlier crawls oldest first (hist
 * may be NULL when hist_n is 0). Returns true when the crawl may be
 * published. reason (cap bytes, NUL-terminated when cap > 0) gets one line:
 * why it was refused, or on success what was checked.
 */
bool gate_check(const json_t *cur, json_t *const *hist, size_t hist_n, const struct gate_opts *o,
                char *reason, size_t cap);

#endif
