/*
 * report_graph — what the graph of public nodes withstands (resilience): the
 * backbone and its cut, single points of failure, coreness, attack curves.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_spec.h"

/* ---- resilience --------------------------------------------------------- */

static const struct rkv GLANCE[] = {
    {"All nodes seen (S): vertices", "graph.seen.vertices", RF_NUM3, 0},
    {"S: edges", "graph.seen.edges", RF_NUM3, 0},
    {"S: connected components", "graph.seen.components", RF_NUM3, 0},
    {"S: giant component share", "graph.seen.giant_share", RF_SHARE, 0},
    {"Public nodes (R): vertices", "graph.reachable.vertices", RF_NUM3, 0},
    {"R: edges", "graph.reachable.edges", RF_NUM3, 0},
    {"R: connected components", "graph.reachable.components", RF_NUM3, 0},
    {"R: biconnected blocks", "graph.reachable.blocks", RF_NUM3, 0},
    {"R: maximum coreness", "graph.reachable.max_coreness", RF_NUM3, 0},
    {"Backbone (largest biconnected block of R): vertices", "graph.backbone.vertices", RF_NUM3,
     0},
    {"Backbone: share of public nodes", "graph.backbone.share_of_public", RF_SHARE, 0},
    {"Backbone: edges", "graph.backbone.edges", RF_NUM3, 0},
    {"Backbone: vertex connectivity", "graph.backbone.vertex_connectivity", RF_NUM3, 0},
    {"Public core (R_core): vertices", "graph.core.vertices", RF_NUM3, 0},
    {"R_core: edges", "graph.core.edges", RF_NUM3, 0},
    {"R_core: vertex connectivity", "graph.core.vertex_connectivity", RF_NUM3, 0},
    {"R_core: vertex connectivity over strong edges", "graph.core.strong_vertex_connectivity",
     RF_NUM3, 0},
};

/* What "over strong edges" means, under the figures; the second sentence
 * when that connectivity is 0 on a core that has something to split. */
static const char STRONG_TEXT[] =
    "Vertex connectivity over strong edges counts only the edges a node listed in the "
    "ranked part of its Advertise replies in every round (strong edges, close to live "
    "links): how many nodes must go to split the public core when only those links count.";
static const char STRONG_ZERO[] =
    " It is 0 here: the strong edges alone do not connect the public core, which holds "
    "together only through edges seen in the random part of the lists or in one round.";

/* A node as every node table shows it: its id and, beside it, its first point. */
#define NODE_ID_COL                                                                           \
	{"Node (peer id or point)", "id", RF_TEXT, "node", NULL,                              \
	 "peer id when a handshake revealed it, else the point", RC_PEER | RC_ANON | RC_REQ}
#define NODE_POINT_COL                                                                        \
	{"Point", "point", RF_TEXT, "point", NULL, "the node's first point (address and port)", \
	 RC_PEER | RC_ANON}

static const struct rtable CUT_TABLE = {
    "min_vertex_cut.csv",
    "Minimum vertex cut",
    "Members of a minimum vertex cut (witness) of the public core.",
    "None.",
    NULL,
    {
        NODE_ID_COL,
        NODE_POINT_COL,
    }};

static const struct rtable BACKBONE_CUT_TABLE = {
    "backbone_min_vertex_cut.csv",
    "Minimum vertex cut of the backbone",
    "Members of a minimum vertex cut (witness) of the backbone, the largest biconnected block "
    "of the public graph.",
    "None: a complete or empty backbone has no cut.",
    NULL,
    {
        NODE_ID_COL,
        NODE_POINT_COL,
    }};

static const struct rtable AP_TABLE = {
    "single_points_of_failure.csv",
    "Single points of failure",
    "Articulation points of the public graph with the nodes each would cut off.",
    "None: no single node's removal disconnects public nodes.",
    "cut off the most",
    {
        NODE_ID_COL,
        NODE_POINT_COL,
        {"Nodes cut off", "cut_off", RF_COUNT, "cut_off", "nodes",
         "public nodes cut off if this node is removed", 0},
    }};

static const struct rtable SOLE_TABLE = {
    "sole_advertisers.csv",
    "Sole advertisers",
    "Public nodes that were the only advertiser of at least one point.",
    "None.",
    NULL,
    {
        {"Node (peer id or point)", NULL, RF_TEXT, "node", NULL,
         "a public node that alone advertised some point", RC_PEER | RC_ANON | RC_REQ},
    }};

static const struct rtable BT_TABLE = {
    "betweenness_top.csv",
    "Betweenness top",
    "Nodes of the public core with the highest betweenness.",
    "None computed.",
    NULL,
    {
        NODE_ID_COL,
        NODE_POINT_COL,
        {"Betweenness", "value", RF_G4, "betweenness", NULL,
         "betweenness centrality as the analyzer reports it", 0},
    }};

static const struct rhist CORENESS = {
    "graph.reachable.coreness_histogram",
    {"coreness", "Coreness histogram of the public graph", "coreness (k)", "public nodes",
     "Public nodes per k-core number.", "no coreness histogram: no public node", NULL,
     "coreness.csv", false, SVG_BLUE},
    "Coreness histogram",
    {
        {NULL, "v", RF_INT, "coreness", "k", "k-core number", 0},
        {NULL, "n", RF_INT, "vertices", "nodes", "public nodes with this coreness", 0},
    }};

static void min_cut(struct rctx *r)
{
	struct doc *d = &r->d;
	doc_h3(d, "Minimum vertex cut of the public core");
	double kappa = 0, core_v = 0;
	const json_t *cut = r_get(r, "graph.core.min_vertex_cut");
	if (r_num(r, "graph.core.vertices", &core_v) && core_v < 2) {
		doc_p(d, "The public core has fewer than two nodes: there is nothing to cut.");
	} else if (r_num(r, "graph.core.vertex_connectivity", &kappa)) {
		size_t cn = json_array_size(cut);
		doc_p_open(d);
		if (cn)
			doc_tf(d,
			       "Removing %s %zu node%s splits the public core (vertex connectivity "
			       "%.0f).",
			       cn == 1 ? "this" : "these", cn, cn == 1 ? "" : "s", kappa);
		else
			doc_tf(d,
			       "Vertex connectivity %.0f; no cut listed (a complete or single-node "
			       "core has none).",
			       kappa);
		doc_p_close(d);
	} else {
		lack(r, "No vertex connectivity of the public core.");
	}
	rtab_array(r, &CUT_TABLE, "graph.core.min_vertex_cut_nodes");
}

/* The backbone: what its connectivity says, and a cut that achieves it. */
static void backbone(struct rctx *r)
{
	struct doc *d = &r->d;
	doc_h3(d, "Backbone: the best-connected part of the public graph");
	double k = 0, v = 0, ck = 0;
	bool have = r_num(r, "graph.backbone.vertex_connectivity", &k) &&
	            r_num(r, "graph.backbone.vertices", &v);
	doc_p_open(d);
	doc_t(d, "The backbone is the largest biconnected block of R: the largest set of public "
	         "nodes that no single node's failure splits. ");
	if (have && v >= 3) {
		char a[32];
		fmt_num(a, sizeof a, v, 0);
		doc_tf(d,
		       "It holds %s public nodes, and at least %.0f of them must fail to split it "
		       "(its vertex connectivity, the headline robustness figure); removing the "
		       "nodes listed below splits it. ",
		       a, k);
	} else if (have) {
		doc_t(d, "This crawl has none: no three public nodes are linked in a cycle. ");
	}
	doc_t(d, "The public core R_core, by contrast, includes every node hanging off the "
	         "backbone: one node attached by a single link makes its neighbour a cut of size 1");
	if (r_num(r, "graph.core.vertex_connectivity", &ck))
		doc_tf(d, ", so its vertex connectivity (%.0f here) is 1 on any real network", ck);
	doc_t(d, ". Those attachments are the single points of failure listed below.");
	doc_p_close(d);
	rtab_array(r, &BACKBONE_CUT_TABLE, "graph.backbone.min_vertex_cut");
}

/* Articulation points as {"id", "cut_off"} rows, most cut off first, then by id. */
static int ap_cmp(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	double cx = NAN, cy = NAN;
	rj_num(x, "cut_off", &cx);
	rj_num(y, "cut_off", &cy);
	if (cx != cy && !(isnan(cx) && isnan(cy)))
		return cx < cy ? 1 : -1;
	return strcmp(rj_str(x, "id"), rj_str(y, "id"));
}

static void single_points(struct rctx *r)
{
	struct doc *d = &r->d;
	doc_h3(d, "Single points of failure");
	doc_p(d, "Articulation points of the public graph R: removing one of them cuts the listed "
	         "number of public nodes off the rest.");
	struct rtab t;
	rtab_begin(r, &t, &AP_TABLE);
	const json_t *aps = r_get(r, "graph.reachable.articulation_points");
	size_t n = json_array_size(aps), m = 0;
	json_t **rows = calloc(n ? n : 1, sizeof *rows);
	if (!rows) {
		d->html.oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(aps, i);
		if (json_is_string(e)) /* a plain list of ids: no cut-off figures */
			rows[m++] = json_pack("{sO}", "id", e);
		else if (json_is_string(json_object_get(e, "id")))
			rows[m++] = json_incref(e);
	}
	qsort(rows, m, sizeof *rows, ap_cmp);
	/* objects: each should carry its cut_off; plain ids carry none */
	const char *src =
	    json_is_object(json_array_get(aps, 0)) ? "graph.reachable.articulation_points[]" : NULL;
	for (size_t i = 0; i < m; i++) {
		rtab_row(&t, rows[i], src);
		json_decref(rows[i]);
	}
	rtab_close(&t);
	free(rows);
}

static const struct rtable ATTACK_TABLE = {
    "attack_curves.csv",
    "Attack curves",
    "Giant-component fraction of the public core as nodes are removed.",
    NULL,
    NULL,
    {
        {NULL, "strategy", RF_TEXT, "strategy", NULL,
         "degree, betweenness or random (mean of seeded runs)", 0},
        {NULL, "removed", RF_SHARE, "removed_fraction", "share (0-1)",
         "fraction of the public core removed", 0},
        {NULL, "giant", RF_SHARE, "giant_fraction", "share (0-1)",
         "largest remaining component / original core size", 0},
    }};
static const struct rtable HALF_TABLE = {
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    {
        {"Strategy", "strategy", RF_TEXT, NULL, NULL, NULL, 0},
        {"Removed share when giant component < 50%", "shown", RF_TEXT_R, NULL, NULL, NULL, 0},
    }};
static const struct rchart ATTACK_CHART = {
    "attack",
    "Attack curves: giant component of the public core as nodes are removed",
    "share of core nodes removed",
    "giant component",
    NULL,
    "no attack curves: the public core is empty",
    "Attack curves",
    "attack_curves.csv",
    false,
    NULL};
static const struct {
	const char *name, *color;
} STRATEGY[] = {{"degree", SVG_VERMILLION}, {"betweenness", SVG_ORANGE}, {"random", SVG_BLUE}};
#define STRATEGY_N (sizeof STRATEGY / sizeof STRATEGY[0])

struct curve {
	double *x, *y;
	size_t n;
};

static bool read_curve(const json_t *a, struct curve *c)
{
	size_t n = json_array_size(a);
	c->n = 0;
	c->x = calloc(n ? n : 1, sizeof *c->x);
	c->y = calloc(n ? n : 1, sizeof *c->y);
	if (!c->x || !c->y)
		return false;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(a, i);
		double x = 0, y = 0;
		if (json_is_number(e)) { /* plain array: element i is at i% removed */
			x = (double)i / 100.0;
			y = json_number_value(e);
		} else if (!(rj_num(e, "removed", &x) && rj_num(e, "giant", &y))) {
			continue;
		}
		c->x[c->n] = x;
		c->y[c->n] = y;
		c->n++;
	}
	return true;
}

static void attack_caption(struct rctx *r, char *cap, size_t cap_n)
{
	const json_t *adaptive = r_get(r, "graph.core.attack_curves.adaptive");
	double runs = 0;
	const char *how = json_is_false(adaptive)  ? "; ranked once, not recomputed"
	                  : json_is_true(adaptive) ? "; recomputed after each removal"
	                                           : "";
	char mean[64] = "";
	if (r_num(r, "graph.core.attack_curves.random_runs", &runs))
		snprintf(mean, sizeof mean, " (mean of %.0f seeded runs)", runs);
	snprintf(cap, cap_n,
	         "Targeted removal (highest degree, highest betweenness first%s) against random "
	         "removal%s.",
	         how, mean);
}

static void attack_curves(struct rctx *r)
{
	struct rtab t;
	rtab_begin(r, &t, &ATTACK_TABLE);
	struct curve cv[STRATEGY_N] = {{0}};
	struct svg_series ser[STRATEGY_N];
	size_t any = 0;
	for (size_t s = 0; s < STRATEGY_N; s++) {
		char path[64];
		snprintf(path, sizeof path, "graph.core.attack_curves.%s", STRATEGY[s].name);
		if (!read_curve(r_get(r, path), &cv[s])) {
			r->d.html.oom = true;
			goto out;
		}
		any += cv[s].n;
		ser[s] = (struct svg_series){STRATEGY[s].name, STRATEGY[s].color, cv[s].x,
		                             cv[s].y,          cv[s].n,           s == 2};
	}
	for (size_t s = 0; s < STRATEGY_N; s++)
		for (size_t i = 0; i < cv[s].n; i++) {
			json_t *row = json_pack("{sssfsf}", "strategy", STRATEGY[s].name, "removed",
			                        cv[s].x[i], "giant", cv[s].y[i]);
			rtab_row(&t, row, NULL);
			json_decref(row);
		}
	char cap[256];
	attack_caption(r, cap, sizeof cap);
	if (!any) {
		lack(r, "No attack curves (empty public core or not computed).");
		chart_none(r, &ATTACK_CHART, cap);
		goto out;
	}
	struct svg_line c = {ATTACK_CHART.id,
	                     ATTACK_CHART.title,
	                     ATTACK_CHART.x_label,
	                     ATTACK_CHART.y_label,
	                     SVG_X_SHARE,
	                     true,
	                     true,
	                     ser,
	                     STRATEGY_N};
	chart_lines(r, &ATTACK_CHART, &c, cap);
	struct rtab half;
	rtab_begin(r, &half, &HALF_TABLE);
	for (size_t s = 0; s < STRATEGY_N; s++) {
		char v[48] = "not reached";
		for (size_t i = 0; i < cv[s].n; i++)
			if (cv[s].y[i] < 0.5) {
				snprintf(v, sizeof v, "%.1f%%", 100 * cv[s].x[i]);
				break;
			}
		if (!cv[s].n)
			snprintf(v, sizeof v, "n/a");
		json_t *row = json_pack("{ssss}", "strategy", STRATEGY[s].name, "shown", v);
		rtab_row(&half, row, NULL);
		json_decref(row);
	}
	rtab_close(&half);
out:
	for (size_t s = 0; s < STRATEGY_N; s++) {
		free(cv[s].x);
		free(cv[s].y);
	}
}

void section_resilience(struct rctx *r)
{
	struct doc *d = &r->d;
	doc_h2(d, "resilience", "Resilience");
	if (!json_is_object(r_get(r, "graph")))
		lack(r, "report.json has no graph figures.");
	doc_h3(d, "Graph at a glance");
	static const char *const heads[] = {"Figure", "Value"};
	rkv_table(r, heads, RCOLS(GLANCE));
	double strong = 0, core_n = 0;
	doc_p_open(d);
	doc_t(d, STRONG_TEXT);
	if (r_num(r, "graph.core.strong_vertex_connectivity", &strong) && strong == 0 &&
	    r_num(r, "graph.core.vertices", &core_n) && core_n >= 2)
		doc_t(d, STRONG_ZERO);
	doc_p_close(d);
	backbone(r);
	min_cut(r);
	single_points(r);

	const json_t *sole = r_get(r, "graph.seen.sole_advertisers");
	doc_p_open(d);
	doc_tf(d,
	       "Discovery: %zu public nodes are the only advertiser of some point (sole "
	       "advertisers), and the graph of all seen nodes has %zu articulation points.",
	       json_array_size(sole), json_array_size(r_get(r, "graph.seen.articulation_points")));
	doc_p_close(d);
	rtab_array(r, &SOLE_TABLE, "graph.seen.sole_advertisers");

	doc_h3(d, "Attack curves");
	attack_curves(r);
	doc_h3(d, "Coreness");
	chart_hist(r, &CORENESS);

	doc_h3(d, "Highest betweenness in the public core");
	const char *bm = r_str(r, "graph.core.betweenness_method");
	if (bm) {
		doc_p_open(d);
		doc_t(d, "Method: ");
		doc_u(d, bm);
		doc_t(d, ".");
		doc_p_close(d);
	}
	rtab_array(r, &BT_TABLE, "graph.core.betweenness_top");
	doc_raw(d, "</section>\n", NULL);
}
