/*
 * gate — the publish/refuse decision for one crawl (see the header).
 *
 * Why a median of recent crawls and not the previous crawl: one bad night
 * (a seed down, a network hiccup) must not become the yardstick of the next.
 * Why total-variation distance for the outcome mix: it is the share of dialed
 * points that would have to change outcome to turn one mix into the other,
 * a number an operator can read ("30% of the dials changed outcome").
 */
#include "gate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_util.h"

/* Outcome names can be many; cap what we compare (the contract lists 12). */
#define GATE_OUTCOMES_MAX 32
#define GATE_WINDOW_MAX   64

void gate_opts_default(struct gate_opts *o)
{
	o->band_low = 0.5;
	o->band_high = 2.0;
	o->window_n = 7;
	o->min_history = 3;
	o->max_outcome_shift = 0.25;
	o->max_local_share = 0.01;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, dbl_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* Share of outcome `name` among all outcomes of crawl j (0 when absent). */
static double outcome_share(const json_t *j, const char *name)
{
	const json_t *oc = rj_get(j, "counts.outcomes");
	if (!json_is_object(oc))
		return 0;
	double total = 0, mine = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)oc, k, v)
	{
		if (!json_is_number(v) || json_number_value(v) < 0)
			continue;
		total += json_number_value(v);
		if (strcmp(k, name) == 0)
			mine = json_number_value(v);
	}
	return total > 0 ? mine / total : 0;
}

/*
 * Share of local_error among the dials of crawl j (every outcome but
 * policy, which is no dial): our own failures, not the network's.
 */
static double local_share(const json_t *j, double *local)
{
	const json_t *oc = rj_get(j, "counts.outcomes");
	*local = 0;
	if (!json_is_object(oc))
		return 0;
	double dials = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)oc, k, v)
	{
		if (!json_is_number(v) || json_number_value(v) < 0 || strcmp(k, "policy") == 0)
			continue;
		dials += json_number_value(v);
		if (strcmp(k, "local_error") == 0)
			*local = json_number_value(v);
	}
	return dials > 0 ? *local / dials : 0;
}

/* Adds the outcome names of j to names[] (deduplicated). */
static void collect_names(const json_t *j, const char **names, size_t *n)
{
	const json_t *oc = rj_get(j, "counts.outcomes");
	if (!json_is_object(oc))
		return;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)oc, k, v)
	{
		bool seen = false;
		for (size_t i = 0; i < *n && !seen; i++)
			seen = strcmp(names[i], k) == 0;
		if (!seen && *n < GATE_OUTCOMES_MAX)
			names[(*n)++] = k;
	}
}

bool gate_check(const json_t *cur, json_t *const *hist, size_t hist_n, const struct gate_opts *o,
                char *reason, size_t cap)
{
	char dummy[1];
	if (!reason || cap == 0) {
		reason = dummy;
		cap = sizeof dummy;
	}
	struct gate_opts def;
	if (!o) {
		gate_opts_default(&def);
		o = &def;
	}
	if (!json_is_object(cur)) {
		snprintf(reason, cap, "refused: report.json is not an object");
		return false;
	}
	double pub = 0, seeds;
	if (!rj_num(cur, "counts.public", &pub)) {
		snprintf(reason, cap, "refused: report.json has no counts.public");
		return false;
	}
	if (rj_num(cur, "crawl.seeds_answered", &seeds) && seeds <= 0) {
		snprintf(reason, cap, "refused: no seed answered");
		return false;
	}
	if (pub <= 0) {
		snprintf(reason, cap, "refused: no seed answered (0 public nodes)");
		return false;
	}
	double local;
	double ls = local_share(cur, &local);
	if (ls > o->max_local_share) {
		snprintf(
		    reason, cap,
		    "refused: %.0f local errors (the crawler's own descriptors, memory or "
		    "sockets) are %.1f%% of the dials, more than %.1f%%: the crawl is incomplete",
		    local, 100.0 * ls, 100.0 * o->max_local_share);
		return false;
	}

	/* The most recent window_n earlier crawls that found anything. */
	const json_t *win[GATE_WINDOW_MAX];
	double pubs[GATE_WINDOW_MAX];
	size_t wn = 0;
	size_t want = o->window_n < GATE_WINDOW_MAX ? o->window_n : GATE_WINDOW_MAX;
	for (size_t i = hist_n; i-- > 0 && wn < want;) {
		double p;
		if (hist[i] && rj_num(hist[i], "counts.public", &p) && p > 0) {
			win[wn] = hist[i];
			pubs[wn] = p;
			wn++;
		}
	}
	if (wn < o->min_history || wn == 0) {
		snprintf(reason, cap,
		         "published: %.0f public nodes; band and outcome mix not checked "
		         "(%zu usable earlier crawls, %u needed)",
		         pub, wn, o->min_history);
		return true;
	}
	double med = median(pubs, wn);
	double lo = o->band_low * med, hi = o->band_high * med;
	if (pub < lo || pub > hi) {
		snprintf(
		    reason, cap,
		    "refused: %.0f public nodes outside [%.1f, %.1f] (%.2f..%.2f x median %.1f "
		    "of %zu earlier crawls)",
		    pub, lo, hi, o->band_low, o->band_high, med, wn);
		return false;
	}

	const char *names[GATE_OUTCOMES_MAX];
	size_t nn = 0;
	collect_names(cur, names, &nn);
	for (size_t i = 0; i < wn; i++)
		collect_names(win[i], names, &nn);
	double tvd = 0, worst = 0;
	const char *worst_name = "";
	for (size_t k = 0; k < nn; k++) {
		double shares[GATE_WINDOW_MAX];
		for (size_t i = 0; i < wn; i++)
			shares[i] = outcome_share(win[i], names[k]);
		double d = fabs(outcome_share(cur, names[k]) - median(shares, wn));
		tvd += d;
		if (d > worst) {
			worst = d;
			worst_name = names[k];
		}
	}
	tvd /= 2;
	if (tvd > o->max_outcome_shift) {
		double shares[GATE_WINDOW_MAX];
		for (size_t i = 0; i < wn; i++)
			shares[i] = outcome_share(win[i], worst_name);
		double m = median(shares, wn);
		snprintf(
		    reason, cap,
		    "refused: outcome mix jumped: total-variation distance %.3f > %.3f against the "
		    "median of %zu earlier crawls (largest change: %s %.1f%% -> %.1f%%)",
		    tvd, o->max_outcome_shift, wn, worst_name, 100.0 * m,
		    100.0 * outcome_share(cur, worst_name));
		return false;
	}
	snprintf(reason, cap,
	         "published: %.0f public nodes within [%.1f, %.1f] (median %.1f of %zu earlier "
	         "crawls); outcome mix shift %.3f <= %.3f",
	         pub, lo, hi, med, wn, tvd, o->max_outcome_shift);
	return true;
}
