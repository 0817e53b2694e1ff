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
        {"Nodes", "nodes", RF_COUNT, "nodes", "nodes", "public nodes announcing this triple", 0},
    }};

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
	/* Hook: when nodes' Octez releases are known (history crawls[].versions[].release),
	 * a Release column goes here. */
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
