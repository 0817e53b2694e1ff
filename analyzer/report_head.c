/*
 * report_head — the top of the report: provenance, headline figures (with
 * changes against earlier crawls) and network size over time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "anon.h"
#include "report_spec.h"

#define SERIES_MAX 4096 /* crawls on the size-over-time chart */

static void crawl_label(char *out, size_t cap, const json_t *j)
{
	double id = 0;
	const char *at = rj_str(j, "crawl.started_at");
	if (rj_num(j, "crawl.id", &id))
		snprintf(out, cap, "#%.0f, %.10s", id, at ? at : "date unknown");
	else
		snprintf(out, cap, "%.10s", at ? at : "unknown crawl");
}

/* ---- provenance --------------------------------------------------------- */

static const struct rkv PROVENANCE[] = {
    {"Crawl UUID", "crawl.uuid", RF_TEXT, RC_PEER},
    {"Started (UTC)", "crawl.started_at", RF_TEXT, RC_PEER},
    {"Finished (UTC)", "crawl.finished_at", RF_TEXT, RC_PEER},
    {"Vantage point", "crawl.vantage", RF_TEXT, RC_PEER | RC_ANON},
    {"Crawler version", "crawl.crawler_version", RF_TEXT, RC_PEER},
    {"Configuration digest", "crawl.config_digest", RF_TEXT, RC_PEER},
};

static const char *const CAVEATS[] = {
    "Nodes behind NAT that announce no listening port are invisible: nobody advertises a point "
    "for them, so they are counted neither as public nor as unreachable.",
    "An edge means \"has been connected\": Octez advertises points it once completed a "
    "handshake with, so edges are knowledge, not live links.",
    "Public means \"sent us a valid connection message announcing this chain during this "
    "crawl\", from one vantage point; a node that was down or filtering us at that moment counts "
    "as unreachable, one that was busy or had banned us as unverified.",
    "Chain names, versions and ids are what the peers said; they are shown escaped and "
    "unverified.",
    "Concentration is measured by IP prefix and, with a location database, by the AS, country "
    "and provider the database gives an address, not by operator: one operator can span many "
    "prefixes and ASes, and one hosting AS can hold many operators.",
};

/* A provenance row: 't' our text, 'u' untrusted text, 'c' untrusted as code. */
static void row_pair(struct doc *d, const char *label, const char *text, char kind)
{
	doc_row_open(d);
	doc_cell_t(d, label);
	if (kind == 'c')
		doc_cell_code(d, text);
	else if (kind == 'u')
		doc_cell_u(d, text);
	else
		doc_cell_t(d, text);
	doc_row_close(d);
}

void section_provenance(struct rctx *r)
{
	struct doc *d = &r->d;
	char buf[ANON_POINT_CAP + 256];
	doc_h2(d, "provenance", "Provenance");
	static const char *const heads[] = {"Item", "Value"};
	doc_table_open(d, heads, 2, "ll");

	double id = 0;
	if (r_num(r, "crawl.id", &id))
		snprintf(buf, sizeof buf, "%.0f", id);
	else
		snprintf(buf, sizeof buf, "not recorded");
	row_pair(d, "Crawl id", buf, 't');
	rkv_rows(r, RCOLS(PROVENANCE), "not recorded");

	/* optional: the caller's version stands in for an older report.json */
	const char *av = rj_str(r->cur, "analyzer.version");
	if (!av)
		av = r->o->analyzer_version;
	row_pair(d, "Analyzer version", av ? av : "not recorded", av ? 'c' : 't');
	if (r->hist_n) {
		char a[64], b[64];
		crawl_label(a, sizeof a, r->hist[0]);
		crawl_label(b, sizeof b, r->hist[r->hist_n - 1]);
		snprintf(buf, sizeof buf, "%zu (%s to %s)", r->hist_n, a, b);
		row_pair(d, "Earlier crawls compared", buf, 'u');
	} else {
		row_pair(d, "Earlier crawls compared", "none", 't');
	}
	row_pair(d, "Addresses",
	         r->o->anonymize || json_is_true(rj_get(r->cur, "analyzer.anonymized"))
	             ? "anonymized: IPv4 truncated to /24, IPv6 to /48"
	             : "full addresses (not anonymized)",
	         't');
	if (r->o->gate_note)
		row_pair(d, "Publication gate", r->o->gate_note, 'u');
	doc_table_close(d, NULL);

	doc_h3(d, "Caveats");
	doc_list(d, RCOLS(CAVEATS));
	doc_raw(d, "</section>\n", NULL);
}

/* ---- headline ----------------------------------------------------------- */

struct headline {
	const char *name, *path, *unit;
	enum { H_COUNT, H_RATIO, H_LEN, H_DEC } kind;
	const char *help; /* what it means, one short phrase: card, page column, CSV */
	int better;       /* +1: higher is healthier, -1: lower is, 0: neither */
	bool card;        /* also a card at the top (HTML) */
	const char *needs; /* shown only when this object is in the current report.json */
};

/* A row whose figures this report.json cannot have (no location database). */
static bool headline_skipped(const struct rctx *r, const struct headline *h)
{
	return h->needs && !json_is_object(rj_get(r->cur, h->needs));
}

/* The census classes use the words of docs/methodology.md "Definitions". */
static const struct headline HEADLINES[] = {
    {"Public nodes", "counts.public", "nodes", H_COUNT,
     "points that sent a valid connection message announcing this chain, merged by peer id", 1,
     1, NULL},
    {"Public ratio", "counts.public_ratio", "share", H_RATIO,
     "public nodes / (public nodes + unverified points + unreachable points)", 1, 1, NULL},
    {"Unverified points", "counts.unverified", "points", H_COUNT,
     "accepted the TCP connection but sent no valid connection message", 0, 0, NULL},
    {"Unreachable points", "counts.unreachable", "points", H_COUNT,
     "every attempt was refused, timed out or had no route", 0, 0, NULL},
    {"Foreign points", "counts.foreign", "points", H_COUNT,
     "sent a valid connection message announcing another chain", 0, 0, NULL},
    {"Undialed points", "counts.undialed", "points", H_COUNT,
     "never dialed, or dialed only into our own failure", 0, 0, NULL},
    {"Points seen", "counts.points_seen", "points", H_COUNT,
     "distinct points (address and port) discovered", 0, 0, NULL},
    {"Backbone vertex connectivity", "graph.backbone.vertex_connectivity", "nodes", H_COUNT,
     "fewest public nodes whose failure splits the backbone", 1, 1, NULL},
    {"Single points of failure", "graph.reachable.articulation_points", "nodes", H_LEN,
     "public nodes whose removal alone cuts other public nodes off", -1, 1, NULL},
    {"Nakamoto coefficient (/24)", "concentration.by_prefix.ipv4_24.nakamoto", "prefixes", H_COUNT,
     "fewest /24 prefixes holding over half the public IPv4 nodes", 1, 1, NULL},
    {"HHI (/24)", "concentration.by_prefix.ipv4_24.hhi", "0-10000", H_DEC,
     "Herfindahl-Hirschman index of /24 shares", -1, 0, NULL},
    {"Nakamoto coefficient (/16)", "concentration.by_prefix.ipv4_16.nakamoto", "prefixes", H_COUNT,
     "fewest /16 prefixes holding over half the public IPv4 nodes", 1, 0, NULL},
    {"Nakamoto coefficient (AS)", "concentration.by_asn.nakamoto", "ASes", H_COUNT,
     "fewest autonomous systems holding over half the public nodes", 1, 1, "location"},
    {"Nakamoto coefficient (country)", "concentration.by_country.nakamoto", "countries", H_COUNT,
     "fewest countries holding over half the public nodes", 1, 0, "location"},
};
#define HEADLINES_N (sizeof HEADLINES / sizeof HEADLINES[0])

/* The comparison columns: previous crawl, about 7 and about 30 days earlier. */
static const char *const CMP_KEY[3] = {"previous", "7d", "30d"};

#define HEADLINE_COL_SHOWN 6 /* + 3k: the page heading of comparison k */
static const struct rtable HEADLINE_TABLE = {
    "headline.csv",
    "Headline figures",
    "Headline figures of this crawl with changes against earlier crawls.",
    NULL,
    NULL,
    {
        {"Figure", "metric", RF_TEXT, "metric", NULL, "headline figure", 0},
        {NULL, "unit", RF_TEXT, "unit", NULL, "unit of value", 0},
        {"This crawl", "shown", RF_TEXT_R, NULL, NULL, NULL, 0},
        {NULL, "value", RF_NUM3, "value", NULL, "this crawl (unit in the unit column)", 0},
        {NULL, "id_previous", RF_INT, "previous_crawl_id", NULL, "the crawl before this one", 0},
        {NULL, "previous_value", RF_NUM3, "previous_value", NULL, "value in the previous crawl", 0},
        {"vs previous", "shown_previous", RF_TEXT_R, NULL, NULL, NULL, 0},
        {NULL, "change_previous", RF_NUM3, "change_previous", NULL, "value - previous_value", 0},
        {NULL, "id_7d", RF_INT, "crawl_7d_id", NULL,
         "crawl started closest to 7 days earlier (within 36 h)", 0},
        {"vs 7 days", "shown_7d", RF_TEXT_R, NULL, NULL, NULL, 0},
        {NULL, "change_7d", RF_NUM3, "change_7d", NULL, "value - value 7 days earlier", 0},
        {NULL, "id_30d", RF_INT, "crawl_30d_id", NULL,
         "crawl started closest to 30 days earlier (within 3 days)", 0},
        {"vs 30 days", "shown_30d", RF_TEXT_R, NULL, NULL, NULL, 0},
        {NULL, "change_30d", RF_NUM3, "change_30d", NULL, "value - value 30 days earlier", 0},
        {"What it means", "help", RF_TEXT, "description", NULL, "what the figure counts", 0},
    }};

/* Of the current crawl through the checked look-ups, of others unchecked. */
static bool headline_value(struct rctx *r, const json_t *j, const struct headline *h, double *v)
{
	if (!j)
		return false;
	const json_t *x = j == r->cur ? r_get(r, h->path) : rj_get(j, h->path);
	if (h->kind == H_LEN) {
		if (!json_is_array(x))
			return false;
		*v = (double)json_array_size(x);
		return true;
	}
	if (h->kind == H_RATIO && !json_is_number(x))
		return headline_ratio(j, v);
	if (!json_is_number(x))
		return false;
	*v = json_number_value(x);
	return true;
}

bool headline_ratio(const json_t *j, double *v)
{
	double p = 0, uv = 0, ur = 0; /* derive it when the analyzer left it out */
	if (rj_num(j, "counts.public_ratio", v))
		return true;
	if (rj_num(j, "counts.public", &p) && rj_num(j, "counts.unverified", &uv) &&
	    rj_num(j, "counts.unreachable", &ur) && p + uv + ur > 0) {
		*v = p / (p + uv + ur);
		return true;
	}
	return false;
}

void fmt_ratio(char *out, size_t cap, double v)
{
	snprintf(out, cap, "%.1f%%", v * 100);
}

static void fmt_value(char *out, size_t cap, const struct headline *h, double v)
{
	if (h->kind == H_RATIO)
		fmt_ratio(out, cap, v);
	else if (h->kind == H_DEC)
		fmt_num(out, cap, round(v), 0);
	else
		fmt_num(out, cap, v, 2);
}

static void fmt_delta(char *out, size_t cap, const struct headline *h, double d)
{
	if (h->kind == H_RATIO)
		snprintf(out, cap, "%+.1f pt", d * 100);
	else if (h->kind == H_DEC || d == floor(d)) { /* "+1,333", as the figure reads */
		char n[40];
		fmt_num(n, sizeof n, fabs(round(d)), 0);
		snprintf(out, cap, "%s%s", d < 0 ? "-" : "+", n);
	} else {
		snprintf(out, cap, "%+.2f", d);
	}
}

static void headline_cards(struct rctx *r)
{
	struct doc *d = &r->d;
	rbuf_puts(&d->html, "<div class=\"cards\">\n");
	for (size_t c = 0; c < HEADLINES_N; c++) {
		const struct headline *h = &HEADLINES[c];
		double v = 0, pv = 0;
		char vs[48] = "n/a", ds[64] = "";
		if (!h->card || headline_skipped(r, h))
			continue;
		bool have = headline_value(r, r->cur, h, &v);
		if (have)
			fmt_value(vs, sizeof vs, h, v);
		const char *cls = "";
		if (have && headline_value(r, r->prev, h, &pv)) {
			char t[40];
			fmt_delta(t, sizeof t, h, v - pv);
			snprintf(ds, sizeof ds, "%s vs previous", t);
			double dir = (v - pv) * h->better;
			cls = dir > 0 ? " up" : dir < 0 ? " down" : "";
		}
		rbuf_printf(&d->html,
		            "<div class=\"card\"><div class=\"k\">%s</div><div class=\"v\">%s</div>"
		            "<div class=\"d%s\">%s</div></div>\n",
		            h->name, vs, cls, ds[0] ? ds : h->help);
	}
	rbuf_puts(&d->html, "</div>\n");
}

/* One headline row: the figure, and for each comparison crawl its id and the change. */
static json_t *headline_row(struct rctx *r, const struct headline *h, const json_t *const cmp[3])
{
	double v = 0;
	char s[48] = "n/a", key[32];
	bool have = headline_value(r, r->cur, h, &v);
	if (have)
		fmt_value(s, sizeof s, h, v);
	json_t *row = json_pack("{ssssssss}", "metric", h->name, "unit", h->unit, "shown", s,
	                        "help", h->help);
	if (have)
		json_object_set_new(row, "value", json_real(v));
	for (size_t k = 0; k < 3; k++) {
		double pv = 0, cid = 0;
		bool hv = have && headline_value(r, cmp[k], h, &pv);
		snprintf(s, sizeof s, "—");
		if (hv) {
			fmt_delta(s, sizeof s, h, v - pv);
			snprintf(key, sizeof key, "change_%s", CMP_KEY[k]);
			json_object_set_new(row, key, json_real(v - pv));
			if (k == 0)
				json_object_set_new(row, "previous_value", json_real(pv));
		}
		snprintf(key, sizeof key, "shown_%s", CMP_KEY[k]);
		json_object_set_new(row, key, json_string(s));
		snprintf(key, sizeof key, "id_%s", CMP_KEY[k]);
		if (cmp[k] && rj_num(cmp[k], "crawl.id", &cid))
			json_object_set_new(row, key, json_real(cid));
	}
	return row;
}

/* The analyzer's own node-level comparison with the crawl before it. */
static const struct {
	const char *key, *text;
	bool sign;
} TREND[] = {
    {"new", "public nodes new", false},
    {"gone", "gone", false},
    {"delta_public", "public nodes", true},
    {"delta_vertices", "nodes seen", true},
    {"delta_backbone_vertex_connectivity", "backbone vertex connectivity", true},
    {"delta_vertex_connectivity", "core vertex connectivity", true},
};

static void headline_trend(struct rctx *r)
{
	struct doc *d = &r->d;
	const json_t *tr = rj_get(r->cur, "trend"); /* optional: absent on a first crawl */
	double prev_id = 0, x = 0;
	if (!json_is_object(tr) || !rj_num(tr, "previous_crawl_id", &prev_id))
		return;
	doc_p_open(d);
	doc_tf(d,
	       "Node by node, against crawl #%.0f (the analyzer's matching by peer id): ", prev_id);
	bool first = true;
	for (size_t i = 0; i < sizeof TREND / sizeof TREND[0]; i++) {
		if (!rj_num(tr, TREND[i].key, &x))
			continue;
		char v[48];
		if (TREND[i].sign)
			snprintf(v, sizeof v, "%+.0f", x);
		else
			fmt_num(v, sizeof v, x, 0);
		doc_tf(d, "%s%s %s", first ? "" : ", ", v, TREND[i].text);
		first = false;
	}
	doc_t(d, first ? "no figures." : ".");
	doc_p_close(d);
}

/* The public ratio written out with this crawl's figures, and what stays
 * beside it (docs/methodology.md "Definitions"). */
static void headline_census(struct rctx *r)
{
	static const char *const path[] = {"counts.public", "counts.unverified",
	                                    "counts.unreachable", "counts.foreign",
	                                    "counts.undialed"};
	char c[5][32], ratio[32];
	double v = 0, q = 0;
	bool all = true;
	for (size_t i = 0; i < 5; i++) {
		if (r_num(r, path[i], &v))
			fmt_num(c[i], sizeof c[i], v, 0);
		else
			all = false;
	}
	r_get(r, "counts.public_ratio"); /* recorded when absent; derived as the headline does */
	if (!all || !headline_ratio(r->cur, &q))
		return;
	fmt_ratio(ratio, sizeof ratio, q);
	doc_p_open(&r->d);
	doc_tf(&r->d,
	       "Public ratio %s = %s public nodes / (%s public nodes + %s unverified points + %s "
	       "unreachable points). Reported beside it, never inside it: %s foreign points (another "
	       "chain's nodes) and %s undialed points.",
	       ratio, c[0], c[0], c[1], c[2], c[3], c[4]);
	doc_p_close(&r->d);
}

/* Why the backbone's connectivity is the robustness figure, not the core's. */
static void headline_backbone(struct rctx *r)
{
	double k = 0, bv = 0, pub = 0, ck = 0;
	if (!r_num(r, "graph.backbone.vertex_connectivity", &k) ||
	    !r_num(r, "graph.backbone.vertices", &bv) || !r_num(r, "counts.public", &pub))
		return;
	struct doc *d = &r->d;
	char a[32], b[32];
	fmt_num(a, sizeof a, bv, 0);
	fmt_num(b, sizeof b, pub, 0);
	doc_p_open(d);
	if (bv < 3) {
		doc_t(d, "Robustness: no backbone, no three public nodes are linked in a cycle.");
	} else {
		doc_tf(d,
		       "Robustness: the backbone is the largest biconnected block of the public "
		       "graph (%s of %s public nodes); it stays connected unless at least %.0f of its "
		       "nodes fail (its vertex connectivity).",
		       a, b, k);
		if (r_num(r, "graph.core.vertex_connectivity", &ck))
			doc_tf(d,
			       " The public core's vertex connectivity (%.0f here) says less: one "
			       "node hanging off the core by a single link makes it 1, and a real "
			       "network always has such nodes; it is shown under Resilience with the "
			       "single points of failure.",
			       ck);
	}
	doc_p_close(d);
}

void section_headline(struct rctx *r)
{
	struct doc *d = &r->d;
	struct rtab t;
	rtab_begin(r, &t, &HEADLINE_TABLE);
	doc_h2(d, "headline", "Headline figures");
	if (!r->prev)
		doc_p(d, "No earlier crawl was available, so no change is shown.");
	headline_cards(r);
	headline_census(r);
	headline_backbone(r);

	const json_t *const cmp[3] = {r->prev, r->d7, r->d30};
	static const char *const label[3] = {"vs previous", "vs 7 days", "vs 30 days"};
	char heads[3][64];
	for (size_t k = 0; k < 3; k++) {
		double id = 0;
		if (cmp[k] && rj_num(cmp[k], "crawl.id", &id))
			snprintf(heads[k], sizeof heads[k], "%s (#%.0f)", label[k], id);
		else
			snprintf(heads[k], sizeof heads[k], "%s", label[k]);
		t.head[HEADLINE_COL_SHOWN + 3 * k] = heads[k];
	}
	for (size_t i = 0; i < HEADLINES_N; i++) {
		if (headline_skipped(r, &HEADLINES[i]))
			continue;
		json_t *row = headline_row(r, &HEADLINES[i], cmp);
		rtab_row(&t, row, NULL);
		json_decref(row);
	}
	rtab_close(&t);
	if (r->hist_n && !r->d7)
		lack(r, "No crawl from about 7 days earlier (within 36 hours) in the history: no "
		        "7-day change.");
	if (r->hist_n && !r->d30)
		lack(r, "No crawl from about 30 days earlier (within 3 days) in the history: no "
		        "30-day change.");
	headline_trend(r);
	doc_raw(d, "</section>\n", NULL);
}

/* ---- size over time ----------------------------------------------------- */

static const struct rtable SIZE_TABLE = {
    "size_over_time.csv",
    "Network size over time",
    "One row per crawl, oldest first: the series of the size chart.",
    NULL,
    NULL,
    {
        {NULL, "crawl.id", RF_INT, "crawl_id", NULL, "crawl id", 0},
        {NULL, "crawl.started_at", RF_TIME, "started_at", NULL, "crawl start, UTC (ISO 8601)", 0},
        {NULL, "counts.points_seen", RF_COUNT, "points_seen", "points",
         "distinct points discovered", 0},
        {NULL, "counts.public", RF_COUNT, "public", "nodes",
         "public nodes: points that sent a valid connection message announcing this chain, "
         "merged by peer id",
         0},
        {NULL, "counts.unreachable", RF_COUNT, "unreachable", "points",
         "points whose every attempt was refused, timed out or had no route", 0},
        {NULL, "ratio", RF_SHARE, "public_ratio", "share (0-1)",
         "public nodes / (public nodes + unverified points + unreachable points) "
         "(counts.public_ratio)",
         0},
        {NULL, "counts.unverified", RF_COUNT, "unverified", "points",
         "points that accepted the TCP connection but sent no valid connection message", 0},
        {NULL, "counts.foreign", RF_COUNT, "foreign", "points",
         "points that sent a valid connection message announcing another chain", 0},
        {NULL, "counts.undialed", RF_COUNT, "undialed", "points",
         "points never dialed, or dialed only into our own failure", 0},
    }};
static const struct rchart SIZE_CHART = {
    "size", "Network size over time: points seen, public nodes and unreachable points per crawl",
    NULL,   "points / nodes",
    NULL,   NULL,
    NULL,   "size_over_time.csv",
    false,  NULL};
/* The chart's series: a key of each crawl's report.json. */
static const struct {
	const char *name, *color, *path;
	bool dashed;
} SIZE_SERIES[] = {
    {"seen", SVG_BLUE, "counts.points_seen", false},
    {"public", SVG_GREEN, "counts.public", false},
    {"unreachable", SVG_VERMILLION, "counts.unreachable", true},
};
#define SIZE_SERIES_N (sizeof SIZE_SERIES / sizeof SIZE_SERIES[0])

void section_size(struct rctx *r)
{
	struct doc *d = &r->d;
	struct rtab t;
	rtab_begin(r, &t, &SIZE_TABLE);
	doc_h2(d, "size", "Network size over time");
	size_t n = r->hist_n + 1 > SERIES_MAX ? SERIES_MAX : r->hist_n + 1;
	size_t first = r->hist_n + 1 - n, untimed = 0, used = 0;
	double *x = calloc(n, sizeof *x), *y = calloc(n * SIZE_SERIES_N, sizeof *y);
	if (!x || !y) {
		d->html.oom = true;
		goto out;
	}
	for (size_t i = first; i <= r->hist_n; i++) {
		int64_t tm;
		untimed +=
		    !rj_time(rj_str(i < r->hist_n ? r->hist[i] : r->cur, "crawl.started_at"), &tm);
	}
	/* Without a start time for every crawl, place crawls by their order. */
	bool by_time = untimed == 0;
	for (size_t i = first; i <= r->hist_n; i++, used++) {
		const json_t *j = i < r->hist_n ? r->hist[i] : r->cur;
		int64_t tm;
		double ratio = 0;
		/* the row: this crawl's "crawl" (less an unreadable start) and "counts" */
		json_t *row = json_object();
		json_object_set_new(row, "crawl", json_copy((json_t *)rj_get(j, "crawl")));
		json_object_set(row, "counts", (json_t *)rj_get(j, "counts"));
		if (!rj_time(rj_str(j, "crawl.started_at"), &tm))
			json_object_del(json_object_get(row, "crawl"), "started_at");
		if (headline_ratio(j, &ratio))
			json_object_set_new(row, "ratio", json_real(ratio));
		rtab_row(&t, row, NULL);
		json_decref(row);
		x[used] = by_time ? (double)tm : (double)(i + 1);
		for (size_t s = 0; s < SIZE_SERIES_N; s++)
			if (!rj_num(j, SIZE_SERIES[s].path, &y[s * n + used]))
				y[s * n + used] = NAN;
	}
	struct svg_series ser[SIZE_SERIES_N];
	for (size_t s = 0; s < SIZE_SERIES_N; s++)
		ser[s] = (struct svg_series){
		    SIZE_SERIES[s].name,  SIZE_SERIES[s].color, x, y + s * n, used,
		    SIZE_SERIES[s].dashed};
	struct svg_line c = {SIZE_CHART.id,
	                     SIZE_CHART.title,
	                     by_time ? "crawl start (UTC)" : "crawl (oldest to newest)",
	                     SIZE_CHART.y_label,
	                     by_time ? SVG_X_TIME : SVG_X_NUMBER,
	                     false,
	                     true,
	                     ser,
	                     SIZE_SERIES_N};
	if (!by_time)
		lack(r,
		     "%zu crawl(s) have no start time: the size chart places crawls by order, not "
		     "date.",
		     untimed);
	chart_lines(r, &SIZE_CHART, &c,
	            r->hist_n ? "Points seen, public nodes and unreachable points per crawl."
	                      : "Only this crawl so far: the trend starts with the next crawl.");
	if (!r->hist_n)
		lack(r, "No earlier crawl: the size-over-time chart has a single point.");
out:
	free(x);
	free(y);
	doc_raw(d, "</section>\n", NULL);
}
