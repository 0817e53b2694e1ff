/*
 * report_history — the "Stability" section: node history over the last
 * comparable crawls (report.json `history`, from the database) and the
 * completeness estimate of this crawl (report.json `completeness`).
 *
 * Both blocks are optional by contract: `history` is null when the analyzer
 * read a journal or an edge list, and report.json files written before
 * these figures have neither. Their presence is tested unchecked; inside a
 * present block every key goes through the checked look-ups.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "report_spec.h"

static const struct rkv STABLE_FIGURES[] = {
    {"Comparable crawls in the window", "history.window", RF_COUNT, 0},
    {"Nodes public at least once", "history.uptime.nodes", RF_COUNT, 0},
    {"Stable nodes (public in at least 90% of the window)", "history.uptime.stable_nodes",
     RF_COUNT, 0},
    {"Stable share", "history.uptime.stable_share", RF_SHARE, 0},
    {"Long-lived core (public in every crawl of the window)", "history.core.nodes", RF_COUNT,
     0},
    {"Long-lived core, share of this crawl's public nodes", "history.core.share_of_public_now",
     RF_SHARE, 0},
};

static const struct rtable UPTIME_TABLE = {
    "uptime.csv",
    "Uptime distribution",
    "Nodes public at least once in the window, by the share of the window's crawls in which "
    "they were public.",
    "No node was public in the window.",
    NULL,
    {
        {"Uptime from", "from", RF_SHARE, "from", "share", "lower bound of the uptime bin", 0},
        {"to", "to", RF_SHARE, "to", "share", "upper bound (exclusive, but 100% included)", 0},
        {"Nodes", "nodes", RF_COUNT, "nodes", "nodes", "nodes whose uptime falls in the bin",
         0},
    }};

static const struct rtable CHURN_TABLE = {
    "churn.csv",
    "Churn per crawl",
    "Public nodes of each comparable crawl of the window (newest first), and how many were "
    "new or gone since the crawl before.",
    "No crawl in the window.",
    "are the newest",
    {
        {"Crawl", "crawl_id", RF_INT, "crawl_id", NULL, "crawl id", 0},
        {"Started", "started_at", RF_TIME, "started_at", NULL, "crawl start (UTC)", 0},
        {"Public nodes", "public_nodes", RF_COUNT, "public_nodes", "nodes",
         "public nodes (peer ids) of the crawl", 0},
        {"New", "new", RF_COUNT, "new", "nodes",
         "public now, not in the crawl before (empty for the window's first)", 0},
        {"Gone", "gone", RF_COUNT, "gone", "nodes",
         "public in the crawl before, not now (empty for the window's first)", 0},
    }};

static const struct rtable VOT_TABLE = {
    "versions_over_time.csv",
    "Versions over time",
    "Public nodes per crawl (newest first) and (chain name, distributed-DB version, P2P "
    "version).",
    "No version announced in the window.",
    "are the newest",
    {
        {"Crawl", "crawl_id", RF_INT, "crawl_id", NULL, "crawl id", RC_CALC},
        {"Chain name", "chain_name", RF_TEXT, "chain_name", NULL,
         "chain name announced in the connection message (peer text)", RC_PEER},
        {"Distributed DB", "distributed_db_version", RF_INT, "distributed_db_version", NULL,
         "announced distributed-DB version", 0},
        {"P2P", "p2p_version", RF_INT, "p2p_version", NULL, "announced P2P version", 0},
        {"Release", "release", RF_TEXT, "release", NULL,
         "Octez release the node's RPC server reported (text from the node); empty where not "
         "known",
         RC_PEER | RC_CALC},
        {"Nodes", "nodes", RF_COUNT, "nodes", "nodes",
         "public nodes announcing this triple and running this release", 0},
    }};

/* The Octez release over time (history.crawls[].releases, from the RPC probe). */
static const struct rtable ROT_TABLE = {
    "releases_over_time.csv",
    "Octez releases over time",
    "Public nodes per crawl (newest first) and Octez release, among those whose release the "
    "RPC probe learned; crawls without the probe are left out.",
    "No public node's release is known in the window.",
    "are the newest",
    {
        {"Crawl", "crawl_id", RF_INT, "crawl_id", NULL, "crawl id", RC_CALC},
        {"Started", "started_at", RF_TIME, "started_at", NULL, "crawl start (UTC)", RC_CALC},
        {"Release", "release", RF_TEXT, "release", NULL,
         "Octez release the node's RPC server reported (text from the node)", RC_PEER | RC_REQ},
        {"Nodes", "nodes", RF_COUNT, "nodes", "nodes", "public nodes running this release", 0},
        {"Share of known", "share", RF_SHARE, "share", "share (0-1)",
         "nodes / the crawl's public nodes whose release is known", RC_CALC},
    }};
static const struct rchart ROT_CHART = {
    "releases_over_time",
    "Octez releases over time: share of the public nodes whose release is known",
    NULL,
    "share of known",
    NULL,
    "no release known",
    NULL,
    "releases_over_time.csv",
    false,
    NULL};
#define ROT_SERIES_MAX 5
static const char *const ROT_COLORS[ROT_SERIES_MAX] = {SVG_BLUE, SVG_ORANGE, SVG_GREEN,
                                                       SVG_VERMILLION, SVG_PURPLE};

/* Releases ranked over the window: most nodes summed over the crawls, then text. */
struct rot_rel {
	const char *release;
	double nodes;
};

static int cmp_rot(const void *pa, const void *pb)
{
	const struct rot_rel *a = pa, *b = pb;
	if (a->nodes != b->nodes)
		return a->nodes < b->nodes ? 1 : -1;
	return strcmp(a->release, b->release);
}

/* history.crawls[i].releases: the array, or NULL when the probe did not run
 * (null) or the key is absent (recorded as missing). */
static const json_t *crawl_releases(struct rctx *r, const json_t *c)
{
	const json_t *v = json_object_get(c, "releases");
	if (!v)
		r_missing(r, "history.crawls[].releases");
	return json_is_array(v) ? v : NULL;
}

static double releases_known(const json_t *a)
{
	double known = 0, x;
	for (size_t k = 0; k < json_array_size(a); k++)
		if (rj_num(json_array_get(a, k), "nodes", &x))
			known += x;
	return known;
}

/*
 * The share of each of the ROT_SERIES_MAX most common releases among the
 * nodes whose release is known, per crawl (a gap where the probe did not
 * run), and every (crawl, release) in releases_over_time.csv.
 */
static void releases_over_time(struct rctx *r, const json_t *crawls)
{
	struct doc *d = &r->d;
	size_t cn = json_array_size(crawls), probed = 0, rn = 0, cap = 0;
	struct rot_rel *rel = NULL;
	bool by_time = true;
	for (size_t i = 0; i < cn; i++) {
		const json_t *c = json_array_get(crawls, i), *a = crawl_releases(r, c);
		int64_t tm;
		by_time &= rj_time(rj_str(c, "started_at"), &tm);
		if (!a)
			continue;
		probed++;
		for (size_t k = 0; k < json_array_size(a); k++) {
			const char *s = rj_str(json_array_get(a, k), "release");
			double x;
			if (!s || !rj_num(json_array_get(a, k), "nodes", &x))
				continue;
			size_t j = 0;
			while (j < rn && strcmp(rel[j].release, s) != 0)
				j++;
			if (j == rn) {
				if (rn == cap) {
					size_t nc = grow_cap(cap, rn + 1, 16, SIZE_MAX);
					struct rot_rel *p = realloc(rel, nc * sizeof *p);
					if (!p) {
						d->html.oom = true;
						free(rel);
						return;
					}
					rel = p;
					cap = nc;
				}
				rel[rn++] = (struct rot_rel){s, 0};
			}
			rel[j].nodes += x;
		}
	}
	if (!probed) {
		doc_p(d, "No crawl of the window ran the crawler's RPC probe, so no node's Octez "
		         "release is known over time.");
		free(rel);
		return;
	}
	doc_p(d, "The release is known only for nodes with a public RPC (see Versions and "
	         "metadata): each line is a release's share of the nodes whose release is known in "
	         "that crawl; a crawl without the probe has no point on the lines.");
	qsort(rel, rn, sizeof *rel, cmp_rot);
	size_t sn = rn < ROT_SERIES_MAX ? rn : ROT_SERIES_MAX;
	double *x = calloc(cn ? cn : 1, sizeof *x),
	       *y = calloc((cn ? cn : 1) * ROT_SERIES_MAX, sizeof *y);
	char names[ROT_SERIES_MAX][RELEASE_LABEL_CAP];
	struct svg_series ser[ROT_SERIES_MAX];
	if (!x || !y) {
		d->html.oom = true;
		goto out;
	}
	for (size_t i = 0; i < cn; i++) {
		const json_t *c = json_array_get(crawls, i), *a = json_object_get(c, "releases");
		int64_t tm = 0;
		x[i] =
		    by_time && rj_time(rj_str(c, "started_at"), &tm) ? (double)tm : (double)(i + 1);
		double known = releases_known(a);
		for (size_t s = 0; s < sn; s++) {
			y[s * cn + i] = known > 0 ? 0 : NAN; /* a gap: nothing known */
			for (size_t k = 0; known > 0 && k < json_array_size(a); k++) {
				const json_t *e = json_array_get(a, k);
				const char *t = rj_str(e, "release");
				double v;
				if (t && !strcmp(t, rel[s].release) && rj_num(e, "nodes", &v))
					y[s * cn + i] = v / known;
			}
		}
	}
	for (size_t s = 0; s < sn; s++) {
		release_label(names[s], sizeof names[s], rel[s].release); /* escaped by svg.c */
		ser[s] = (struct svg_series){names[s], ROT_COLORS[s], x, y + s * cn, cn, false};
	}
	struct svg_line c = {ROT_CHART.id,
	                     ROT_CHART.title,
	                     by_time ? "crawl start (UTC)" : "crawl (oldest to newest)",
	                     ROT_CHART.y_label,
	                     by_time ? SVG_X_TIME : SVG_X_NUMBER,
	                     true,
	                     true,
	                     ser,
	                     sn};
	if (sn)
		chart_lines(
		    r, &ROT_CHART, &c,
		    "The most common Octez releases over the window, each as a share of the "
		    "public nodes whose release is known in that crawl.");
	else
		chart_none(r, &ROT_CHART, NULL);

	struct rtab t;
	rtab_begin(r, &t, &ROT_TABLE); /* newest first */
	for (size_t i = cn; i-- > 0;) {
		const json_t *cr = json_array_get(crawls, i), *a = json_object_get(cr, "releases");
		double known = releases_known(a);
		for (size_t k = 0; json_is_array(a) && k < json_array_size(a); k++) {
			json_t *row = json_copy(json_array_get(a, k));
			double v;
			if (json_is_object(row)) {
				json_object_set(row, "crawl_id", json_object_get(cr, "crawl_id"));
				json_object_set(row, "started_at",
				                json_object_get(cr, "started_at"));
				if (known > 0 && rj_num(row, "nodes", &v))
					json_object_set_new(row, "share", json_real(v / known));
			}
			rtab_row(&t, row, "history.crawls[].releases[]");
			json_decref(row);
		}
	}
	rtab_close(&t);
out:
	free(x);
	free(y);
	free(rel);
}

static const struct rkv COMPLETENESS_FIGURES[] = {
    {"Public nodes seen", "completeness.observed", RF_COUNT, 0},
    {"Estimated public nodes", "completeness.estimate", RF_NUM3, 0},
    {"95% interval, low", "completeness.low", RF_NUM3, 0},
    {"95% interval, high", "completeness.high", RF_NUM3, 0},
    {"Estimated missed", "completeness.missed", RF_NUM3, 0},
    {"Capture occasions (Bootstrap rounds)", "completeness.occasions", RF_COUNT, 0},
    {"Nodes caught at random in one round", "completeness.caught_once", RF_COUNT, 0},
    {"Nodes caught at random in two rounds", "completeness.caught_twice", RF_COUNT, 0},
    {"Method", "completeness.method", RF_TEXT, 0},
};

static const struct rchart UPTIME_CHART = {
    "uptime", "Uptime of public nodes over the window", "uptime (share of the window's crawls)",
    "nodes", "Nodes by the share of the window's comparable crawls in which they were public.",
    "no node history", NULL, "uptime.csv", false, SVG_BLUE};

static const char *const BIN_LABELS[10] = {"0-10%",  "10-20%", "20-30%", "30-40%", "40-50%",
                                           "50-60%", "60-70%", "70-80%", "80-90%", "90-100%"};

static void stability(struct rctx *r)
{
	struct doc *d = &r->d;
	static const char *const heads[2] = {"Figure", "Value"};
	rkv_table(r, heads, STABLE_FIGURES, sizeof STABLE_FIGURES / sizeof STABLE_FIGURES[0]);

	doc_h3(d, "Uptime distribution");
	const json_t *bins = r_get(r, "history.uptime.distribution");
	double vals[10];
	size_t nb = 0;
	for (; nb < 10 && nb < json_array_size(bins); nb++)
		if (!rj_num(json_array_get(bins, nb), "nodes", &vals[nb]))
			vals[nb] = 0;
	chart_bars(r, &UPTIME_CHART, BIN_LABELS, vals, nb);
	rtab_array(r, &UPTIME_TABLE, "history.uptime.distribution");

	doc_h3(d, "Churn per crawl");
	const json_t *crawls = r_get(r, "history.crawls");
	struct rtab t;
	rtab_begin(r, &t, &CHURN_TABLE); /* newest first */
	for (size_t i = json_array_size(crawls); i-- > 0;)
		rtab_row(&t, json_array_get(crawls, i), "history.crawls[]");
	rtab_close(&t);

	doc_h3(d, "Versions over time");
	doc_p(d, "Release: the Octez release from the crawler's RPC probe, n/a where it is not "
	         "known (no public RPC, or a crawl without the probe).");
	rtab_begin(r, &t, &VOT_TABLE);
	for (size_t i = json_array_size(crawls); i-- > 0;) {
		const json_t *c = json_array_get(crawls, i), *v = json_object_get(c, "versions");
		if (!json_is_array(v)) {
			r_missing(r, "history.crawls[].versions");
			continue;
		}
		for (size_t k = 0; k < json_array_size(v); k++) {
			json_t *row = json_copy(json_array_get(v, k));
			if (json_is_object(row))
				json_object_set(row, "crawl_id", json_object_get(c, "crawl_id"));
			rtab_row(&t, row, "history.crawls[].versions[]");
			json_decref(row);
		}
	}
	rtab_close(&t);

	doc_h3(d, "Octez releases over time");
	releases_over_time(r, crawls);
}

void section_stability(struct rctx *r)
{
	struct doc *d = &r->d;
	doc_h2(d, "stability", "Stability");
	const json_t *h = json_object_get(r->cur, "history"); /* optional by contract */
	if (json_is_object(h) && json_object_size(h) > 0)
		stability(r);
	else
		doc_p(d, "No node history: this report was made without the database (from a journal "
		         "or an edge list), or by an analyzer from before node history.");

	doc_h3(d, "Completeness: public nodes this crawl missed");
	const json_t *c = json_object_get(r->cur, "completeness"); /* optional by contract */
	if (!json_is_object(c)) {
		doc_p(d, "No completeness estimate (report.json from an analyzer before it).");
		doc_raw(d, "</section>\n", NULL);
		return;
	}
	doc_p(d, "Capture-recapture over the Bootstrap rounds: a node is caught in a round when "
	         "the random part of some public node's Advertise names it; nodes named in a "
	         "ranked or complete list are seen for sure. Chao's estimator for heterogeneous "
	         "catchability, with a log-normal 95% interval (see Methodology).");
	static const char *const heads[2] = {"Figure", "Value"};
	rkv_table(r, heads, COMPLETENESS_FIGURES,
	          sizeof COMPLETENESS_FIGURES / sizeof COMPLETENESS_FIGURES[0]);
	doc_raw(d, "</section>\n", NULL);
}
