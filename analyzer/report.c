/*
 * report — renders report.json into the published report (see report.h).
 *
 * Structure: one struct rctx carries the inputs and a struct doc (the twin
 * HTML/Markdown writer with its file list). Each section is one function
 * that reads report.json by path, writes prose, tables and charts, and
 * registers the CSV behind each of them. What a section cannot show is added
 * to a "what this report lacks" list printed at the top, so an empty crawl or
 * a first crawl gives a valid report that says what is missing.
 *
 * Determinism: the only inputs are the JSON objects and the options; lists
 * are printed in the order report.json gives them (the analyzer sorts them by
 * stable keys) or sorted here by (value, id); numbers go through printf in
 * the C locale.
 */
#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anon.h"
#include "report_doc.h"
#include "report_util.h"
#include "svg.h"

#define LACKS_MAX      24
#define HIST_BINS_MAX  65536 /* distinct histogram values read (CSV rows) */
#define BARS_MAX       32    /* bars drawn; more bins are grouped into ranges */
#define TABLE_ROWS_MAX 25    /* rows shown in the page; the CSV has them all */
#define SERIES_MAX     4096  /* crawls on the size-over-time chart */
#define DAY_S          86400

struct rctx {
	const json_t *cur;
	json_t *const *hist;
	size_t hist_n;
	const struct report_opts *o;
	struct doc d;
	char lacks[LACKS_MAX][200];
	size_t lacks_n;
	const json_t *prev, *d7, *d30; /* comparison crawls, NULL when absent */
	bool empty;                    /* no public node: no seed answered */
};

static void lack(struct rctx *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lack(struct rctx *r, const char *fmt, ...)
{
	if (r->lacks_n == LACKS_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->lacks[r->lacks_n++], sizeof r->lacks[0], fmt, ap);
	va_end(ap);
}

/* An id or point as it may be published: truncated when anonymizing. */
static const char *pub_id(const struct rctx *r, const char *s, char *buf, size_t cap)
{
	if (!s)
		return "";
	if (!r->o->anonymize)
		return s;
	anon_point(s, buf, cap);
	return buf;
}

static void fmt_count(char *out, size_t cap, const json_t *j, const char *path)
{
	double v = 0;
	if (j && rj_num(j, path, &v))
		fmt_num(out, cap, v, 2);
	else
		snprintf(out, cap, "n/a");
}

static void csv_num(struct rbuf *b, bool ok, double v)
{
	if (!ok)
		return; /* empty field = missing value */
	if (v == floor(v) && fabs(v) < 1e15)
		rbuf_printf(b, "%.0f", v);
	else
		rbuf_printf(b, "%.10g", v);
}

static void crawl_label(char *out, size_t cap, const json_t *j)
{
	double id = 0;
	const char *at = rj_str(j, "crawl.started_at");
	if (rj_num(j, "crawl.id", &id))
		snprintf(out, cap, "#%.0f, %.10s", id, at ? at : "date unknown");
	else
		snprintf(out, cap, "%.10s", at ? at : "unknown crawl");
}

/* ---- comparison crawls ------------------------------------------------ */

/* The history crawl started closest to (cur - days), within tol_s; NULL if none. */
static const json_t *crawl_before(const struct rctx *r, int days, int64_t tol_s)
{
	int64_t t0;
	if (!rj_time(rj_str(r->cur, "crawl.started_at"), &t0))
		return NULL;
	int64_t want = t0 - (int64_t)days * DAY_S;
	const json_t *best = NULL;
	int64_t best_d = 0;
	for (size_t i = 0; i < r->hist_n; i++) {
		int64_t t;
		if (!r->hist[i] || !rj_time(rj_str(r->hist[i], "crawl.started_at"), &t))
			continue;
		int64_t dist = t > want ? t - want : want - t;
		if (dist <= tol_s && (!best || dist < best_d)) {
			best = r->hist[i];
			best_d = dist;
		}
	}
	return best;
}

/* ---- page frame --------------------------------------------------------- */

static const char CSS[] =
    ":root{--fg:#111827;--muted:#4b5563;--line:#e5e7eb;--bg:#ffffff;--card:#f8fafc;"
    "--accent:#0072b2;--warn:#b45309;--bad:#b91c1c;--good:#047857}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%}\n"
    "body{margin:0;background:var(--bg);color:var(--fg);"
    "font:16px/1.55 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
    "main{max-width:62rem;margin:0 auto;padding:1.25rem 1rem 3rem}\n"
    "header.top{background:linear-gradient(135deg,#0b3a5b,#0072b2);color:#fff;padding:1.6rem "
    "1rem}\n"
    "header.top div{max-width:62rem;margin:0 auto}\n"
    "header.top h1{margin:0 0 .3rem;font-size:1.7rem;line-height:1.2}\n"
    "header.top p{margin:0;opacity:.92}\n"
    "nav.toc{display:flex;flex-wrap:wrap;gap:.4rem .9rem;margin:.9rem 0 0;font-size:.92rem}\n"
    "nav.toc a{color:#fff;opacity:.9}\n"
    "h2{font-size:1.35rem;margin:2.2rem 0 .6rem;padding-bottom:.3rem;border-bottom:2px solid "
    "var(--line)}\n"
    "h3{font-size:1.08rem;margin:1.4rem 0 .4rem}\n"
    "a{color:var(--accent)}\n"
    "code{font:.86em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(10.5rem,1fr));gap:.75rem;"
    "margin:1rem 0}\n"
    ".card{background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:.8rem "
    ".9rem}\n"
    ".card .k{font-size:.8rem;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}\n"
    ".card .v{font-size:1.7rem;font-weight:650;line-height:1.2;margin:.15rem 0}\n"
    ".card .d{font-size:.85rem;color:var(--muted)}\n"
    ".card .d.up{color:var(--good)}.card .d.down{color:var(--bad)}\n"
    ".tw{overflow-x:auto;margin:.6rem 0}\n"
    "table{border-collapse:collapse;width:100%;font-size:.92rem}\n"
    "th,td{text-align:left;padding:.38rem .55rem;border-bottom:1px solid "
    "var(--line);vertical-align:top}\n"
    "th{background:var(--card);font-weight:600}\n"
    "th.n,td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "tbody tr:nth-child(even){background:#fbfcfd}\n"
    "figure{margin:1rem 0;padding:.6rem;border:1px solid "
    "var(--line);border-radius:.6rem;background:#fff}\n"
    "figure svg{display:block;width:100%;height:auto}\n"
    ".sw{overflow-x:auto}\n"
    "figcaption{font-size:.88rem;color:var(--muted);margin-top:.4rem}\n"
    ".data{font-size:.85rem;color:var(--muted)}\n"
    ".note{border-left:4px solid var(--warn);background:#fffbeb;padding:.7rem 1rem;margin:1rem 0;"
    "border-radius:0 .5rem .5rem 0}\n"
    ".note h2{margin:0 0 .3rem;border:0;font-size:1.05rem;padding:0}\n"
    ".note ul{margin:.2rem 0 0;padding-left:1.2rem}\n"
    ".compare{border:1px solid #bfdbfe;background:#eff6ff;border-radius:.6rem;padding:.6rem "
    "1rem;margin:1rem 0}\n"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:.5rem 0}\n"
    "dt{font-weight:600}dd{margin:0}\n"
    "footer{max-width:62rem;margin:0 auto;padding:1rem;color:var(--muted);font-size:.85rem;"
    "border-top:1px solid var(--line)}\n"
    "@media (max-width:40rem){body{font-size:15px}header.top h1{font-size:1.35rem}"
    ".cards{grid-template-columns:repeat(2,1fr)}.sw svg{min-width:34rem}"
    ".card .v{font-size:1.4rem}dl{grid-template-columns:1fr}th,td{padding:.3rem .35rem}}\n"
    "@media print{header.top{background:none;color:#000;padding:0 0 .5rem;border-bottom:2px solid "
    "#000}"
    "nav.toc{display:none}main{max-width:none;padding:0}a{color:#000;text-decoration:none}"
    "figure,tr,.card,.compare{break-inside:avoid}h2,h3{break-after:avoid}"
    ".tw{overflow:visible}tbody tr:nth-child(even){background:none}body{font-size:11pt}}\n";

/* ---- sections ----------------------------------------------------------- */

static void section_provenance(struct rctx *r)
{
	struct doc *d = &r->d;
	char buf[ANON_POINT_CAP + 256];
	doc_h2(d, "provenance", "Provenance");
	static const char *const heads[] = {"Item", "Value"};
	doc_table_open(d, heads, 2, "ll");

	double id = 0;
	doc_row_open(d);
	doc_cell_t(d, "Crawl id");
	if (rj_num(r->cur, "crawl.id", &id)) {
		snprintf(buf, sizeof buf, "%.0f", id);
		doc_cell_t(d, buf);
	} else {
		doc_cell_t(d, "not recorded");
	}
	doc_row_close(d);

	static const struct {
		const char *label, *path;
		bool addr;
	} rows[] = {
	    {"Crawl UUID", "crawl.uuid", false},
	    {"Started (UTC)", "crawl.started_at", false},
	    {"Finished (UTC)", "crawl.finished_at", false},
	    {"Vantage point", "crawl.vantage", true},
	    {"Crawler version", "crawl.crawler_version", false},
	    {"Configuration digest", "crawl.config_digest", false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *v = rj_str(r->cur, rows[i].path);
		doc_row_open(d);
		doc_cell_t(d, rows[i].label);
		if (v) {
			char ab[ANON_POINT_CAP + 128];
			doc_cell_code(d, rows[i].addr ? pub_id(r, v, ab, sizeof ab) : v);
		} else {
			doc_cell_t(d, "not recorded");
		}
		doc_row_close(d);
	}
	const char *av = rj_str(r->cur, "analyzer.version");
	if (!av)
		av = r->o->analyzer_version;
	doc_row_open(d);
	doc_cell_t(d, "Analyzer version");
	if (av)
		doc_cell_code(d, av);
	else
		doc_cell_t(d, "not recorded");
	doc_row_close(d);

	doc_row_open(d);
	doc_cell_t(d, "Earlier crawls compared");
	if (r->hist_n) {
		char a[64], b[64];
		crawl_label(a, sizeof a, r->hist[0]);
		crawl_label(b, sizeof b, r->hist[r->hist_n - 1]);
		snprintf(buf, sizeof buf, "%zu (%s to %s)", r->hist_n, a, b);
		doc_cell_u(d, buf);
	} else {
		doc_cell_t(d, "none");
	}
	doc_row_close(d);
	doc_row_open(d);
	doc_cell_t(d, "Addresses");
	doc_cell_t(d, r->o->anonymize || json_is_true(rj_get(r->cur, "analyzer.anonymized"))
	                  ? "anonymized: IPv4 truncated to /24, IPv6 to /48"
	                  : "full addresses (not anonymized)");
	doc_row_close(d);
	if (r->o->gate_note) {
		doc_row_open(d);
		doc_cell_t(d, "Publication gate");
		doc_cell_u(d, r->o->gate_note);
		doc_row_close(d);
	}
	doc_table_close(d, NULL);

	doc_h3(d, "Caveats");
	doc_ul_open(d);
	static const char *const caveats[] = {
	    "Nodes behind NAT that announce no listening port are invisible: nobody advertises a "
	    "point for them, so they are counted neither as public nor as unreachable.",
	    "An edge means \"has been connected\": Octez advertises points it once completed a "
	    "handshake with, so edges are knowledge, not live links.",
	    "Public means \"sent us a valid connection message during this crawl\", from one "
	    "vantage "
	    "point; a node that was down, busy or filtering us at that moment counts as "
	    "unreachable.",
	    "Chain names, versions and ids are what the peers said; they are shown escaped and "
	    "unverified.",
	    "Concentration is measured by IP prefix, not by operator: one operator can span many "
	    "prefixes and one hosting prefix can hold many operators.",
	};
	for (size_t i = 0; i < sizeof caveats / sizeof caveats[0]; i++) {
		doc_li_open(d);
		doc_t(d, caveats[i]);
		doc_li_close(d);
	}
	doc_ul_close(d);
	doc_raw(d, "</section>\n", NULL);
}

struct headline {
	const char *name, *path, *unit;
	enum { H_COUNT, H_RATIO, H_LEN, H_DEC } kind;
	const char *help;
	int better; /* +1: higher is healthier, -1: lower is, 0: neither */
};

static const struct headline HEADLINES[] = {
    {"Points seen", "counts.points_seen", "points", H_COUNT, "distinct points discovered", 0},
    {"Public nodes", "counts.public", "nodes", H_COUNT, "sent a valid connection message", 1},
    {"Unreachable nodes", "counts.unreachable", "nodes", H_COUNT, "dialed, never answered", 0},
    {"Public ratio", "counts.public_ratio", "share", H_RATIO, "public nodes / all nodes seen", 1},
    {"Core vertex connectivity", "graph.core.vertex_connectivity", "nodes", H_COUNT,
     "nodes whose removal splits the public core", 1},
    {"Single points of failure", "graph.reachable.articulation_points", "nodes", H_LEN,
     "articulation points of the public graph", -1},
    {"Nakamoto coefficient (/24)", "concentration.by_prefix.ipv4_24.nakamoto", "prefixes", H_COUNT,
     "fewest /24 prefixes holding over half the public IPv4 nodes", 1},
    {"HHI (/24)", "concentration.by_prefix.ipv4_24.hhi", "0-10000", H_DEC,
     "Herfindahl-Hirschman index of /24 shares", -1},
    {"Nakamoto coefficient (/16)", "concentration.by_prefix.ipv4_16.nakamoto", "prefixes", H_COUNT,
     "fewest /16 prefixes holding over half the public IPv4 nodes", 1},
};
#define HEADLINES_N (sizeof HEADLINES / sizeof HEADLINES[0])

static bool headline_value(const json_t *j, const struct headline *h, double *v)
{
	if (!j)
		return false;
	if (h->kind == H_LEN) {
		const json_t *a = rj_get(j, h->path);
		if (!json_is_array(a))
			return false;
		*v = (double)json_array_size(a);
		return true;
	}
	if (h->kind == H_RATIO && !rj_num(j, h->path, v)) {
		double p = 0, s = 0; /* derive it when the analyzer left it out */
		if (rj_num(j, "counts.public", &p) && rj_num(j, "counts.vertices", &s) && s > 0) {
			*v = p / s;
			return true;
		}
		return false;
	}
	return rj_num(j, h->path, v);
}

static void fmt_value(char *out, size_t cap, const struct headline *h, double v)
{
	if (h->kind == H_RATIO)
		snprintf(out, cap, "%.1f%%", v * 100);
	else if (h->kind == H_DEC)
		fmt_num(out, cap, round(v), 0);
	else
		fmt_num(out, cap, v, 2);
}

static void fmt_delta(char *out, size_t cap, const struct headline *h, double d)
{
	if (h->kind == H_RATIO)
		snprintf(out, cap, "%+.1f pt", d * 100);
	else if (h->kind == H_DEC)
		snprintf(out, cap, "%+.0f", d);
	else if (d == floor(d))
		snprintf(out, cap, "%+.0f", d);
	else
		snprintf(out, cap, "%+.2f", d);
}

static void section_headline(struct rctx *r)
{
	struct doc *d = &r->d;
	static const struct doc_field fields[] = {
	    {"metric", "string", NULL, "headline figure"},
	    {"unit", "string", NULL, "unit of value"},
	    {"value", "number", NULL, "this crawl (unit in the unit column)"},
	    {"previous_crawl_id", "integer", NULL, "the crawl before this one"},
	    {"previous_value", "number", NULL, "value in the previous crawl"},
	    {"change_previous", "number", NULL, "value - previous_value"},
	    {"crawl_7d_id", "integer", NULL,
	     "crawl started closest to 7 days earlier (within 36 h)"},
	    {"change_7d", "number", NULL, "value - value 7 days earlier"},
	    {"crawl_30d_id", "integer", NULL,
	     "crawl started closest to 30 days earlier (within 3 days)"},
	    {"change_30d", "number", NULL, "value - value 30 days earlier"},
	};
	struct rbuf *csv =
	    doc_csv(d, "headline.csv", "Headline figures",
	            "Headline figures of this crawl with changes against earlier crawls.", fields,
	            sizeof fields / sizeof fields[0]);
	doc_h2(d, "headline", "Headline figures");
	if (!r->prev)
		doc_p(d, "No earlier crawl was available, so no change is shown.");

	/* cards (HTML only; the table below carries the same numbers) */
	rbuf_puts(&d->html, "<div class=\"cards\">\n");
	static const size_t card_idx[] = {1, 3, 4, 5, 6};
	for (size_t c = 0; c < sizeof card_idx / sizeof card_idx[0]; c++) {
		const struct headline *h = &HEADLINES[card_idx[c]];
		double v = 0, pv = 0;
		char vs[48] = "n/a", ds[64] = "";
		if (headline_value(r->cur, h, &v))
			fmt_value(vs, sizeof vs, h, v);
		const char *cls = "";
		if (headline_value(r->cur, h, &v) && headline_value(r->prev, h, &pv)) {
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

	char hp[64] = "vs previous", h7[64] = "vs 7 days", h30[64] = "vs 30 days";
	double pid = 0;
	if (r->prev && rj_num(r->prev, "crawl.id", &pid))
		snprintf(hp, sizeof hp, "vs previous (#%.0f)", pid);
	if (r->d7 && rj_num(r->d7, "crawl.id", &pid))
		snprintf(h7, sizeof h7, "vs 7 days (#%.0f)", pid);
	if (r->d30 && rj_num(r->d30, "crawl.id", &pid))
		snprintf(h30, sizeof h30, "vs 30 days (#%.0f)", pid);
	const char *heads[] = {"Figure", "This crawl", hp, h7, h30};
	doc_table_open(d, heads, 5, "lrrrr");
	const json_t *cmp[3] = {r->prev, r->d7, r->d30};
	for (size_t i = 0; i < HEADLINES_N; i++) {
		const struct headline *h = &HEADLINES[i];
		double v = 0;
		bool have = headline_value(r->cur, h, &v);
		char vs[48] = "n/a";
		if (have)
			fmt_value(vs, sizeof vs, h, v);
		doc_row_open(d);
		doc_cell_t(d, h->name);
		rbuf_puts(&d->html, "<td class=\"n\">");
		rbuf_puts(&d->md, " ");
		doc_t(d, vs);
		doc_cell_close(d);
		rbuf_csv(csv, h->name);
		rbuf_puts(csv, ",");
		rbuf_csv(csv, h->unit);
		rbuf_puts(csv, ",");
		csv_num(csv, have, v);
		for (size_t k = 0; k < 3; k++) {
			double pv = 0, cid = 0;
			bool hv = have && headline_value(cmp[k], h, &pv);
			char ds[48] = "—";
			if (hv)
				fmt_delta(ds, sizeof ds, h, v - pv);
			rbuf_puts(&d->html, "<td class=\"n\">");
			rbuf_puts(&d->md, " ");
			doc_t(d, ds);
			doc_cell_close(d);
			rbuf_puts(csv, ",");
			bool hid = cmp[k] && rj_num(cmp[k], "crawl.id", &cid);
			csv_num(csv, hid, cid);
			if (k == 0) {
				rbuf_puts(csv, ",");
				csv_num(csv, hv, pv);
			}
			rbuf_puts(csv, ",");
			csv_num(csv, hv, v - pv);
		}
		rbuf_puts(csv, "\r\n");
		doc_row_close(d);
	}
	doc_table_close(d, "headline.csv");
	if (r->hist_n && !r->d7)
		lack(r, "No crawl from about 7 days earlier (within 36 hours) in the history: no "
		        "7-day change.");
	if (r->hist_n && !r->d30)
		lack(r, "No crawl from about 30 days earlier (within 3 days) in the history: no "
		        "30-day change.");

	/* The analyzer's own node-level comparison with the crawl before it. */
	const json_t *tr = rj_get(r->cur, "trend");
	static const struct {
		const char *key, *text;
		bool sign;
	} trend[] = {
	    {"new", "public nodes new", false},
	    {"gone", "gone", false},
	    {"delta_public", "public nodes", true},
	    {"delta_vertices", "nodes seen", true},
	    {"delta_vertex_connectivity", "core vertex connectivity", true},
	};
	double prev_id = 0, x = 0;
	if (json_is_object(tr) && rj_num(tr, "previous_crawl_id", &prev_id)) {
		doc_p_open(d);
		doc_tf(d,
		       "Node by node, against crawl #%.0f (the analyzer's matching by peer id): ",
		       prev_id);
		bool first = true;
		for (size_t i = 0; i < sizeof trend / sizeof trend[0]; i++) {
			if (!rj_num(tr, trend[i].key, &x))
				continue;
			char v[48];
			if (trend[i].sign)
				snprintf(v, sizeof v, "%+.0f", x);
			else
				fmt_num(v, sizeof v, x, 0);
			doc_tf(d, "%s%s %s", first ? "" : ", ", v, trend[i].text);
			first = false;
		}
		doc_t(d, first ? "no figures." : ".");
		doc_p_close(d);
	}
	doc_raw(d, "</section>\n", NULL);
}

static void section_size(struct rctx *r)
{
	struct doc *d = &r->d;
	static const struct doc_field fields[] = {
	    {"crawl_id", "integer", NULL, "crawl id"},
	    {"started_at", "datetime", NULL, "crawl start, UTC (ISO 8601)"},
	    {"points_seen", "integer", "points", "distinct points discovered"},
	    {"public", "integer", "nodes", "nodes that sent a valid connection message"},
	    {"unreachable", "integer", "nodes", "nodes dialed that never sent one"},
	    {"public_ratio", "number", "share (0-1)",
	     "public nodes / all nodes seen (counts.public_ratio)"},
	};
	struct rbuf *csv = doc_csv(d, "size_over_time.csv", "Network size over time",
	                           "One row per crawl, oldest first: the series of the size chart.",
	                           fields, sizeof fields / sizeof fields[0]);
	doc_h2(d, "size", "Network size over time");
	size_t n = r->hist_n + 1;
	if (n > SERIES_MAX)
		n = SERIES_MAX;
	double *x = calloc(n, sizeof *x), *ys = calloc(n, sizeof *ys), *yp = calloc(n, sizeof *yp),
	       *yu = calloc(n, sizeof *yu);
	if (!x || !ys || !yp || !yu) {
		d->html.oom = true;
		goto out;
	}
	size_t used = 0, first = r->hist_n + 1 - n, untimed = 0;
	for (size_t i = first; i <= r->hist_n; i++) {
		int64_t t;
		const json_t *j = i < r->hist_n ? r->hist[i] : r->cur;
		untimed += !rj_time(rj_str(j, "crawl.started_at"), &t);
	}
	/* Without a start time for every crawl, place crawls by their order. */
	bool by_time = untimed == 0;
	for (size_t i = first; i <= r->hist_n; i++) {
		const json_t *j = i < r->hist_n ? r->hist[i] : r->cur;
		int64_t t;
		double id = 0, s = 0, p = 0, u = 0;
		bool hs = rj_num(j, "counts.points_seen", &s), hp = rj_num(j, "counts.public", &p),
		     hu = rj_num(j, "counts.unreachable", &u);
		bool ht = rj_time(rj_str(j, "crawl.started_at"), &t);
		bool hid = rj_num(j, "crawl.id", &id);
		csv_num(csv, hid, id);
		rbuf_puts(csv, ",");
		if (ht)
			rbuf_csv(csv, rj_str(j, "crawl.started_at"));
		rbuf_puts(csv, ",");
		csv_num(csv, hs, s);
		rbuf_puts(csv, ",");
		csv_num(csv, hp, p);
		rbuf_puts(csv, ",");
		csv_num(csv, hu, u);
		rbuf_puts(csv, ",");
		double ratio = 0;
		bool hr = headline_value(j, &HEADLINES[3], &ratio);
		csv_num(csv, hr, ratio);
		rbuf_puts(csv, "\r\n");
		x[used] = by_time && ht ? (double)t : (double)(i + 1);
		ys[used] = hs ? s : NAN;
		yp[used] = hp ? p : NAN;
		yu[used] = hu ? u : NAN;
		used++;
	}
	struct svg_series ser[3] = {
	    {"seen", SVG_BLUE, x, ys, used, false},
	    {"public", SVG_GREEN, x, yp, used, false},
	    {"unreachable", SVG_VERMILLION, x, yu, used, true},
	};
	struct svg_line c = {
	    "size",
	    "Network size over time: points seen, public and unreachable per crawl",
	    by_time ? "crawl start (UTC)" : "crawl (oldest to newest)",
	    "points / nodes",
	    by_time ? SVG_X_TIME : SVG_X_NUMBER,
	    false,
	    true,
	    ser,
	    3};
	if (!by_time)
		lack(r,
		     "%zu crawl(s) have no start time: the size chart places crawls by order, not "
		     "date.",
		     untimed);
	struct rbuf in = {0}, file = {0};
	svg_line_chart(&in, &c, false);
	svg_line_chart(&file, &c, true);
	doc_figure(d, "size", &in, &file,
	           r->hist_n ? "Points seen, public nodes and unreachable nodes per crawl."
	                     : "Only this crawl so far: the trend starts with the next crawl.",
	           "size_over_time.csv");
	rbuf_free(&in);
	if (!r->hist_n)
		lack(r, "No earlier crawl: the size-over-time chart has a single point.");
out:
	free(x);
	free(ys);
	free(yp);
	free(yu);
	doc_raw(d, "</section>\n", NULL);
}

static const struct {
	const char *name, *meaning;
} OUTCOME_MEANING[] = {
    {"ok", "Handshake completed (Ack): the node is public and accepted us."},
    {"nack", "The node answered, then refused us with a motive (often: too many connections); "
             "it is public, and its Nack may list other points."},
    {"refused", "TCP connection refused (RST): nothing listens on that port."},
    {"timeout", "TCP connect timed out: filtered, or the host is down."},
    {"unreachable", "No route to the host."},
    {"silent_close", "Accepted the TCP connection, then closed it without a byte: busy, or it "
                     "has banned us. Not the same as unreachable."},
    {"closed", "Hung up in the middle of the handshake, e.g. a private node after the metadata."},
    {"handshake_timeout", "Connected, but the handshake did not finish in time."},
    {"protocol_error", "Sent a malformed, oversized or badly authenticated message."},
    {"incompatible", "Our chain, but no version we share."},
    {"self", "The point is our own crawler."},
    {"policy", "Discovered but not dialed: private or reserved range, port cap, deny list."},
    {"local_error", "Our own side failed (descriptors, memory): says nothing about the node; "
                    "counted as undialed."},
    {"foreign", "A node of another chain: counted beside this network, never in it."},
};
#define OUTCOMES_N (sizeof OUTCOME_MEANING / sizeof OUTCOME_MEANING[0])

static void section_outcomes(struct rctx *r)
{
	struct doc *d = &r->d;
	static const struct doc_field fields[] = {
	    {"outcome", "string", NULL, "stable outcome name of a visit"},
	    {"visits", "integer", "visits", "dial attempts (visits) with this outcome"},
	    {"share", "number", "share (0-1)", "visits / all visits"},
	    {"meaning", "string", NULL, "what the outcome means"},
	};
	struct rbuf *csv = doc_csv(
	    d, "outcomes.csv", "Visit outcomes",
	    "How each visit (dial attempt) of the crawl ended, with what each outcome means.",
	    fields, sizeof fields / sizeof fields[0]);
	doc_h2(d, "reachability", "Reachability: how each dial ended");
	char a[32], b[32], c[32], e[32], f[32], g[32];
	fmt_count(g, sizeof g, r->cur, "counts.vertices");
	fmt_count(a, sizeof a, r->cur, "counts.points_seen");
	fmt_count(b, sizeof b, r->cur, "counts.points_dialed");
	fmt_count(c, sizeof c, r->cur, "counts.public");
	fmt_count(e, sizeof e, r->cur, "counts.unreachable");
	fmt_count(f, sizeof f, r->cur, "counts.undialed");
	doc_p_open(d);
	doc_tf(
	    d,
	    "%s points (address and port) were seen and %s of them dialed. They make %s nodes "
	    "(points with one peer id are one node): %s public (sent a valid connection message), "
	    "%s unreachable (dialed, never did), %s undialed. Each dial attempt is a visit; the "
	    "chart counts visits per outcome.",
	    a, b, g, c, e, f);
	doc_p_close(d);

	const json_t *oc = rj_get(r->cur, "counts.outcomes");
	if (!json_is_object(oc) || json_object_size(oc) == 0) {
		lack(r, "report.json has no outcome counts.");
		struct rbuf in = {0}, file = {0};
		svg_no_data(&in, "outcomes", "Visit outcomes", "no outcome counts in report.json",
		            false);
		svg_no_data(&file, "outcomes", "Visit outcomes", "no outcome counts in report.json",
		            true);
		doc_figure(d, "outcomes", &in, &file, "No outcome counts.", "outcomes.csv");
		rbuf_free(&in);
		doc_raw(d, "</section>\n", NULL);
		return;
	}
	/* known outcomes in contract order, then unknown ones in name order */
	size_t total_n = json_object_size(oc);
	const char **names = calloc(total_n, sizeof *names);
	double *vals = calloc(total_n, sizeof *vals);
	if (!names || !vals) {
		d->html.oom = true;
		free(names);
		free(vals);
		return;
	}
	size_t n = 0;
	for (size_t i = 0; i < OUTCOMES_N; i++) {
		const json_t *v = json_object_get(oc, OUTCOME_MEANING[i].name);
		if (json_is_number(v) && n < total_n) {
			names[n] = OUTCOME_MEANING[i].name;
			vals[n++] = json_number_value(v);
		}
	}
	size_t known_n = n;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)oc, k, v)
	{
		bool known = false;
		for (size_t i = 0; i < OUTCOMES_N && !known; i++)
			known = strcmp(k, OUTCOME_MEANING[i].name) == 0;
		if (!known && json_is_number(v) && n < total_n) {
			size_t at = n++;
			while (at > known_n && strcmp(names[at - 1], k) > 0) {
				names[at] = names[at - 1];
				vals[at] = vals[at - 1];
				at--;
			}
			names[at] = k;
			vals[at] = json_number_value(v);
		}
	}
	double total = 0;
	for (size_t i = 0; i < n; i++)
		total += vals[i];
	struct svg_bars bars = {"outcomes", "Visit outcomes: dial attempts per outcome",
	                        NULL,       "visits",
	                        names,      vals,
	                        n,          true,
	                        SVG_BLUE};
	struct rbuf in = {0}, file = {0};
	svg_bar_chart(&in, &bars, false);
	svg_bar_chart(&file, &bars, true);
	doc_figure(d, "outcomes", &in, &file, "Visits (dial attempts) per outcome.",
	           "outcomes.csv");
	rbuf_free(&in);

	static const char *const heads[] = {"Outcome", "Visits", "Share", "Meaning"};
	doc_table_open(d, heads, 4, "lrrl");
	for (size_t i = 0; i < n; i++) {
		const char *meaning = "Not a documented outcome name (newer crawler?).";
		for (size_t m = 0; m < OUTCOMES_N; m++)
			if (strcmp(names[i], OUTCOME_MEANING[m].name) == 0)
				meaning = OUTCOME_MEANING[m].meaning;
		char cnt[32], sh[32];
		fmt_num(cnt, sizeof cnt, vals[i], 2);
		snprintf(sh, sizeof sh, "%.1f%%", total > 0 ? 100 * vals[i] / total : 0);
		doc_row_open(d);
		doc_cell_code(d, names[i]);
		rbuf_puts(&d->html, "<td class=\"n\">");
		rbuf_puts(&d->md, " ");
		doc_t(d, cnt);
		doc_cell_close(d);
		rbuf_puts(&d->html, "<td class=\"n\">");
		rbuf_puts(&d->md, " ");
		doc_t(d, sh);
		doc_cell_close(d);
		doc_cell_t(d, meaning);
		doc_row_close(d);
		rbuf_csv(csv, names[i]);
		rbuf_puts(csv, ",");
		csv_num(csv, true, vals[i]);
		rbuf_puts(csv, ",");
		csv_num(csv, total > 0, total > 0 ? vals[i] / total : 0);
		rbuf_puts(csv, ",");
		rbuf_csv(csv, meaning);
		rbuf_puts(csv, "\r\n");
	}
	doc_table_close(d, "outcomes.csv");
	free(names);
	free(vals);
	doc_raw(d, "</section>\n", NULL);
}

/* ---- helpers for lists and histograms ----------------------------------- */

static void num_cell(struct doc *d, const char *text)
{
	rbuf_puts(&d->html, "<td class=\"n\">");
	rbuf_puts(&d->md, " ");
	doc_t(d, text);
	doc_cell_close(d);
}

/*
 * A histogram from report.json as a bar chart plus its CSV (value,count).
 * fields must be a static table of two columns.
 */
static void hist_figure(struct rctx *r, const json_t *h, const char *id, const char *title,
                        const char *caption, const char *x_label, const char *y_label,
                        const char *csv_name, const char *csv_title,
                        const struct doc_field fields[2], const char *missing)
{
	struct doc *d = &r->d;
	struct rbuf *csv = doc_csv(d, csv_name, csv_title, caption, fields, 2);
	struct rj_bin *bins = calloc(HIST_BINS_MAX, sizeof *bins);
	char **labels = calloc(BARS_MAX + 1, sizeof *labels);
	double *vals = calloc(BARS_MAX + 1, sizeof *vals);
	char(*lab)[40] = calloc(BARS_MAX + 1, sizeof *lab);
	struct rbuf in = {0}, file = {0};
	if (!bins || !labels || !vals || !lab) {
		d->html.oom = true;
		goto out;
	}
	size_t n = rj_hist(h, bins, HIST_BINS_MAX);
	for (size_t i = 0; i < n; i++) {
		csv_num(csv, true, bins[i].value);
		rbuf_puts(csv, ",");
		csv_num(csv, true, bins[i].count);
		rbuf_puts(csv, "\r\n");
	}
	/* One bar per value, or per run of consecutive values when there are
	 * too many to read (e.g. head lags in the thousands). */
	size_t per = n > BARS_MAX ? (n + BARS_MAX - 1) / BARS_MAX : 1;
	size_t bars_n = 0;
	for (size_t i = 0; i < n; i += per) {
		size_t last = i + per - 1 < n ? i + per - 1 : n - 1;
		double sum = 0;
		for (size_t k = i; k <= last; k++)
			sum += bins[k].count;
		if (last == i)
			snprintf(lab[bars_n], sizeof lab[bars_n], "%.10g", bins[i].value);
		else
			snprintf(lab[bars_n], sizeof lab[bars_n], "%.6g-%.6g", bins[i].value,
			         bins[last].value);
		labels[bars_n] = lab[bars_n];
		vals[bars_n++] = sum;
	}
	if (n == 0) {
		svg_no_data(&in, id, title, missing, false);
		svg_no_data(&file, id, title, missing, true);
	} else {
		struct svg_bars bars = {id,   title,  x_label, y_label, (const char *const *)labels,
		                        vals, bars_n, false,   SVG_BLUE};
		svg_bar_chart(&in, &bars, false);
		svg_bar_chart(&file, &bars, true);
	}
	doc_figure(d, id, &in, &file, caption, csv_name);
out:
	rbuf_free(&in);
	rbuf_free(&file);
	free(bins);
	free(labels);
	free(vals);
	free(lab);
}

/* A one-column list of ids as a table (first TABLE_ROWS_MAX rows) and CSV. */
static void id_list(struct rctx *r, const json_t *a, const char *csv_name, const char *csv_title,
                    const char *what, const struct doc_field *fields)
{
	struct doc *d = &r->d;
	struct rbuf *csv = doc_csv(d, csv_name, csv_title, what, fields, 1);
	size_t n = json_array_size(a);
	size_t shown = 0;
	if (n == 0) {
		doc_p(d, "None.");
		return;
	}
	static const char *const heads[] = {"Node (peer id or point)"};
	doc_table_open(d, heads, 1, "l");
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(a, i));
		if (!s)
			continue;
		char buf[ANON_POINT_CAP + 64];
		const char *p = pub_id(r, s, buf, sizeof buf);
		rbuf_csv(csv, p);
		rbuf_puts(csv, "\r\n");
		if (shown++ < TABLE_ROWS_MAX) {
			doc_row_open(d);
			doc_cell_code(d, p);
			doc_row_close(d);
		}
	}
	doc_table_close(d, csv_name);
	if (shown > TABLE_ROWS_MAX) {
		doc_p_open(d);
		doc_tf(d, "Showing %d of %zu; the CSV has them all.", TABLE_ROWS_MAX, shown);
		doc_p_close(d);
	}
}

static void kv_table_row(struct doc *d, const char *label, const json_t *j, const char *path,
                         bool pct)
{
	char v[48];
	double x = 0;
	if (rj_num(j, path, &x)) {
		if (pct)
			snprintf(v, sizeof v, "%.1f%%", 100 * x);
		else
			fmt_num(v, sizeof v, x, 3);
	} else {
		snprintf(v, sizeof v, "n/a");
	}
	doc_row_open(d);
	doc_cell_t(d, label);
	num_cell(d, v);
	doc_row_close(d);
}

/* ---- resilience --------------------------------------------------------- */

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

static void attack_curves(struct rctx *r)
{
	struct doc *d = &r->d;
	static const struct doc_field fields[] = {
	    {"strategy", "string", NULL, "degree, betweenness or random (mean of seeded runs)"},
	    {"removed_fraction", "number", "share (0-1)", "fraction of the public core removed"},
	    {"giant_fraction", "number", "share (0-1)",
	     "largest remaining component / original core size"},
	};
	struct rbuf *csv =
	    doc_csv(d, "attack_curves.csv", "Attack curves",
	            "Giant-component fraction of the public core as nodes are removed.", fields, 3);
	static const char *const strat[] = {"degree", "betweenness", "random"};
	static const char *const colors[] = {SVG_VERMILLION, SVG_ORANGE, SVG_BLUE};
	struct curve cv[3] = {{0}};
	struct svg_series ser[3];
	size_t any = 0;
	for (size_t s = 0; s < 3; s++) {
		char path[64];
		snprintf(path, sizeof path, "graph.core.attack_curves.%s", strat[s]);
		if (!read_curve(rj_get(r->cur, path), &cv[s])) {
			d->html.oom = true;
			goto out;
		}
		any += cv[s].n;
		ser[s] =
		    (struct svg_series){strat[s], colors[s], cv[s].x, cv[s].y, cv[s].n, s == 2};
		for (size_t i = 0; i < cv[s].n; i++) {
			rbuf_csv(csv, strat[s]);
			rbuf_puts(csv, ",");
			csv_num(csv, true, cv[s].x[i]);
			rbuf_puts(csv, ",");
			csv_num(csv, true, cv[s].y[i]);
			rbuf_puts(csv, "\r\n");
		}
	}
	struct rbuf in = {0}, file = {0};
	if (!any) {
		svg_no_data(&in, "attack", "Attack curves",
		            "no attack curves: the public core is empty", false);
		svg_no_data(&file, "attack", "Attack curves",
		            "no attack curves: the public core is empty", true);
		lack(r, "No attack curves (empty public core or not computed).");
	} else {
		struct svg_line c = {
		    "attack",
		    "Attack curves: giant component of the public core as nodes are removed",
		    "share of core nodes removed",
		    "giant component",
		    SVG_X_SHARE,
		    true,
		    true,
		    ser,
		    3};
		svg_line_chart(&in, &c, false);
		svg_line_chart(&file, &c, true);
	}
	char cap[256];
	const json_t *adaptive = rj_get(r->cur, "graph.core.attack_curves.adaptive");
	double runs = 0;
	bool hruns = rj_num(r->cur, "graph.core.attack_curves.random_runs", &runs);
	const char *how = json_is_false(adaptive)  ? "; ranked once, not recomputed"
	                  : json_is_true(adaptive) ? "; recomputed after each removal"
	                                           : "";
	char mean[64] = "";
	if (hruns)
		snprintf(mean, sizeof mean, " (mean of %.0f seeded runs)", runs);
	snprintf(cap, sizeof cap,
	         "Targeted removal (highest degree, highest betweenness first%s) against random "
	         "removal%s.",
	         how, mean);
	doc_figure(d, "attack", &in, &file, cap, "attack_curves.csv");
	rbuf_free(&in);
	if (any) {
		static const char *const heads[] = {"Strategy",
		                                    "Removed share when giant component < 50%"};
		doc_table_open(d, heads, 2, "lr");
		for (size_t s = 0; s < 3; s++) {
			char v[48] = "not reached";
			for (size_t i = 0; i < cv[s].n; i++)
				if (cv[s].y[i] < 0.5) {
					snprintf(v, sizeof v, "%.1f%%", 100 * cv[s].x[i]);
					break;
				}
			if (!cv[s].n)
				snprintf(v, sizeof v, "n/a");
			doc_row_open(d);
			doc_cell_t(d, strat[s]);
			num_cell(d, v);
			doc_row_close(d);
		}
		doc_table_close(d, NULL);
	}
out:
	for (size_t s = 0; s < 3; s++) {
		free(cv[s].x);
		free(cv[s].y);
	}
}

struct art {
	const char *id;
	double cut_off;
};

static int art_cmp(const void *a, const void *b)
{
	const struct art *x = a, *y = b;
	if (x->cut_off != y->cut_off)
		return x->cut_off < y->cut_off ? 1 : -1;
	return strcmp(x->id, y->id);
}

static void section_resilience(struct rctx *r)
{
	struct doc *d = &r->d;
	doc_h2(d, "resilience", "Resilience");
	if (!json_is_object(rj_get(r->cur, "graph")))
		lack(r, "report.json has no graph figures.");

	doc_h3(d, "Graph at a glance");
	static const char *const heads[] = {"Figure", "Value"};
	doc_table_open(d, heads, 2, "lr");
	kv_table_row(d, "All nodes seen (S): vertices", r->cur, "graph.seen.vertices", false);
	kv_table_row(d, "S: edges", r->cur, "graph.seen.edges", false);
	kv_table_row(d, "S: connected components", r->cur, "graph.seen.components", false);
	kv_table_row(d, "S: giant component share", r->cur, "graph.seen.giant_share", true);
	kv_table_row(d, "Public nodes (R): vertices", r->cur, "graph.reachable.vertices", false);
	kv_table_row(d, "R: edges", r->cur, "graph.reachable.edges", false);
	kv_table_row(d, "R: connected components", r->cur, "graph.reachable.components", false);
	kv_table_row(d, "R: biconnected blocks", r->cur, "graph.reachable.blocks", false);
	kv_table_row(d, "R: largest biconnected block", r->cur, "graph.reachable.largest_block",
	             false);
	kv_table_row(d, "R: maximum coreness", r->cur, "graph.reachable.max_coreness", false);
	kv_table_row(d, "Public core (R_core): vertices", r->cur, "graph.core.vertices", false);
	kv_table_row(d, "R_core: edges", r->cur, "graph.core.edges", false);
	kv_table_row(d, "R_core: vertex connectivity", r->cur, "graph.core.vertex_connectivity",
	             false);
	kv_table_row(d, "R_core: vertex connectivity over strong edges", r->cur,
	             "graph.core.strong_vertex_connectivity", false);
	doc_table_close(d, NULL);

	doc_h3(d, "Minimum vertex cut of the public core");
	double kappa = 0, core_v = 0;
	const json_t *cut = rj_get(r->cur, "graph.core.min_vertex_cut");
	if (rj_num(r->cur, "graph.core.vertices", &core_v) && core_v < 2) {
		doc_p(d, "The public core has fewer than two nodes: there is nothing to cut.");
	} else if (rj_num(r->cur, "graph.core.vertex_connectivity", &kappa)) {
		doc_p_open(d);
		size_t cn = json_array_size(cut);
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
	static const struct doc_field cut_fields[] = {
	    {"node", "string", NULL, "peer id when a handshake revealed it, else the point"}};
	id_list(r, cut, "min_vertex_cut.csv", "Minimum vertex cut",
	        "Members of a minimum vertex cut (witness) of the public core.", cut_fields);

	doc_h3(d, "Single points of failure");
	doc_p(d, "Articulation points of the public graph R: removing one of them cuts the listed "
	         "number "
	         "of public nodes off the rest.");
	static const struct doc_field ap_fields[] = {
	    {"node", "string", NULL, "peer id when a handshake revealed it, else the point"},
	    {"cut_off", "integer", "nodes", "public nodes cut off if this node is removed"},
	};
	struct rbuf *csv =
	    doc_csv(d, "single_points_of_failure.csv", "Single points of failure",
	            "Articulation points of the public graph with the nodes each would cut off.",
	            ap_fields, 2);
	const json_t *aps = rj_get(r->cur, "graph.reachable.articulation_points");
	size_t n = json_array_size(aps);
	struct art *arts = calloc(n ? n : 1, sizeof *arts);
	if (!arts) {
		d->html.oom = true;
		return;
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(aps, i);
		const char *id = json_is_string(e) ? json_string_value(e) : rj_str(e, "id");
		double co = NAN;
		if (!id)
			continue;
		if (json_is_object(e))
			rj_num(e, "cut_off", &co);
		arts[m++] = (struct art){id, co};
	}
	qsort(arts, m, sizeof *arts, art_cmp);
	if (m == 0) {
		doc_p(d, "None: no single node's removal disconnects public nodes.");
	} else {
		static const char *const h2[] = {"Node", "Nodes cut off"};
		doc_table_open(d, h2, 2, "lr");
	}
	for (size_t i = 0; i < m; i++) {
		char buf[ANON_POINT_CAP + 64], co[32] = "n/a";
		const char *p = pub_id(r, arts[i].id, buf, sizeof buf);
		if (isfinite(arts[i].cut_off))
			fmt_num(co, sizeof co, arts[i].cut_off, 0);
		rbuf_csv(csv, p);
		rbuf_puts(csv, ",");
		csv_num(csv, isfinite(arts[i].cut_off), arts[i].cut_off);
		rbuf_puts(csv, "\r\n");
		if (i < TABLE_ROWS_MAX) {
			doc_row_open(d);
			doc_cell_code(d, p);
			num_cell(d, co);
			doc_row_close(d);
		}
	}
	if (m) {
		doc_table_close(d, "single_points_of_failure.csv");
		if (m > TABLE_ROWS_MAX) {
			doc_p_open(d);
			doc_tf(
			    d,
			    "Showing the %d that cut off the most, of %zu; the CSV has them all.",
			    TABLE_ROWS_MAX, m);
			doc_p_close(d);
		}
	}
	free(arts);

	const json_t *sole = rj_get(r->cur, "graph.seen.sole_advertisers");
	doc_p_open(d);
	doc_tf(d,
	       "Discovery: %zu public nodes are the only advertiser of some point (sole "
	       "advertisers), and the graph of all seen nodes has %zu articulation points.",
	       json_array_size(sole),
	       json_array_size(rj_get(r->cur, "graph.seen.articulation_points")));
	doc_p_close(d);
	static const struct doc_field sole_fields[] = {
	    {"node", "string", NULL, "a public node that alone advertised some point"}};
	id_list(r, sole, "sole_advertisers.csv", "Sole advertisers",
	        "Public nodes that were the only advertiser of at least one point.", sole_fields);

	doc_h3(d, "Attack curves");
	attack_curves(r);

	doc_h3(d, "Coreness");
	static const struct doc_field core_fields[] = {
	    {"coreness", "integer", "k", "k-core number"},
	    {"vertices", "integer", "nodes", "public nodes with this coreness"},
	};
	hist_figure(r, rj_get(r->cur, "graph.reachable.coreness_histogram"), "coreness",
	            "Coreness histogram of the public graph", "Public nodes per k-core number.",
	            "coreness (k)", "public nodes", "coreness.csv", "Coreness histogram",
	            core_fields, "no coreness histogram: no public node");

	doc_h3(d, "Highest betweenness in the public core");
	static const struct doc_field bt_fields[] = {
	    {"node", "string", NULL, "peer id when known, else the point"},
	    {"betweenness", "number", NULL, "betweenness centrality as the analyzer reports it"},
	};
	struct rbuf *bcsv =
	    doc_csv(d, "betweenness_top.csv", "Betweenness top",
	            "Nodes of the public core with the highest betweenness.", bt_fields, 2);
	const json_t *bt = rj_get(r->cur, "graph.core.betweenness_top");
	const char *bm = rj_str(r->cur, "graph.core.betweenness_method");
	if (bm) {
		doc_p_open(d);
		doc_t(d, "Method: ");
		doc_u(d, bm);
		doc_t(d, ".");
		doc_p_close(d);
	}
	if (json_array_size(bt) == 0) {
		doc_p(d, "None computed.");
	} else {
		static const char *const h3[] = {"Node", "Betweenness"};
		doc_table_open(d, h3, 2, "lr");
		for (size_t i = 0; i < json_array_size(bt); i++) {
			const json_t *e = json_array_get(bt, i);
			const char *id = rj_str(e, "id");
			double v = 0;
			bool hv = rj_num(e, "value", &v);
			if (!id)
				continue;
			char buf[ANON_POINT_CAP + 64], vs[32] = "n/a";
			const char *p = pub_id(r, id, buf, sizeof buf);
			if (hv)
				snprintf(vs, sizeof vs, "%.4g", v);
			rbuf_csv(bcsv, p);
			rbuf_puts(bcsv, ",");
			csv_num(bcsv, hv, v);
			rbuf_puts(bcsv, "\r\n");
			if (i < TABLE_ROWS_MAX) {
				doc_row_open(d);
				doc_cell_code(d, p);
				num_cell(d, vs);
				doc_row_close(d);
			}
		}
		doc_table_close(d, "betweenness_top.csv");
	}
	doc_raw(d, "</section>\n", NULL);
}

/* ---- versions and metadata --------------------------------------------- */

static void section_versions(struct rctx *r)
{
	struct doc *d = &r->d;
	doc_h2(d, "versions", "Versions and metadata");
	static const struct doc_field fields[] = {
	    {"chain_name", "string", NULL,
	     "chain name announced in the connection message (peer text)"},
	    {"distributed_db_version", "integer", NULL, "announced distributed-DB version"},
	    {"p2p_version", "integer", NULL, "announced P2P version"},
	    {"nodes", "integer", "nodes", "public nodes announcing this triple"},
	};
	struct rbuf *csv = doc_csv(
	    d, "versions.csv", "Announced versions",
	    "Public nodes per (chain name, distributed-DB version, P2P version).", fields, 4);
	const json_t *vs = rj_get(r->cur, "versions");
	if (json_array_size(vs) == 0) {
		doc_p(d, "No node announced a version (no public node).");
	} else {
		double total = 0, x;
		for (size_t i = 0; i < json_array_size(vs); i++)
			if (rj_num(json_array_get(vs, i), "nodes", &x))
				total += x;
		static const char *const heads[] = {"Chain name", "Distributed DB", "P2P", "Nodes",
		                                    "Share"};
		doc_table_open(d, heads, 5, "lrrrr");
		for (size_t i = 0; i < json_array_size(vs); i++) {
			const json_t *e = json_array_get(vs, i);
			const char *cn = rj_str(e, "chain_name");
			double ddb = 0, p2p = 0, nodes = 0;
			bool hd = rj_num(e, "distributed_db_version", &ddb),
			     hp = rj_num(e, "p2p_version", &p2p), hn = rj_num(e, "nodes", &nodes);
			char a[32] = "n/a", b[32] = "n/a", c[32] = "n/a", s[32] = "n/a";
			if (hd)
				snprintf(a, sizeof a, "%.0f", ddb);
			if (hp)
				snprintf(b, sizeof b, "%.0f", p2p);
			if (hn)
				fmt_num(c, sizeof c, nodes, 0);
			if (hn && total > 0)
				snprintf(s, sizeof s, "%.1f%%", 100 * nodes / total);
			doc_row_open(d);
			doc_cell_code(d, cn ? cn : "(none)");
			num_cell(d, a);
			num_cell(d, b);
			num_cell(d, c);
			num_cell(d, s);
			doc_row_close(d);
			rbuf_csv(csv, cn ? cn : "");
			rbuf_puts(csv, ",");
			csv_num(csv, hd, ddb);
			rbuf_puts(csv, ",");
			csv_num(csv, hp, p2p);
			rbuf_puts(csv, ",");
			csv_num(csv, hn, nodes);
			rbuf_puts(csv, "\r\n");
		}
		doc_table_close(d, "versions.csv");
	}

	doc_h3(d, "Flags");
	double pub = 0, priv, mp;
	bool hpub = rj_num(r->cur, "counts.public", &pub);
	bool hpriv = rj_num(r->cur, "metadata.private_node", &priv);
	bool hmp = rj_num(r->cur, "metadata.disable_mempool", &mp);
	static const char *const fh[] = {"Flag (from the metadata message)", "Public nodes",
	                                 "Share"};
	doc_table_open(d, fh, 3, "lrr");
	struct {
		const char *label;
		bool have;
		double v;
	} flags[] = {{"private_node = true", hpriv, priv}, {"disable_mempool = true", hmp, mp}};
	for (size_t i = 0; i < 2; i++) {
		char a[32] = "n/a", s[32] = "n/a";
		if (flags[i].have)
			fmt_num(a, sizeof a, flags[i].v, 0);
		if (flags[i].have && hpub && pub > 0)
			snprintf(s, sizeof s, "%.1f%%", 100 * flags[i].v / pub);
		doc_row_open(d);
		doc_cell_t(d, flags[i].label);
		num_cell(d, a);
		num_cell(d, s);
		doc_row_close(d);
	}
	doc_table_close(d, NULL);

	doc_h3(d, "Proof-of-work strength");
	static const struct doc_field pow_fields[] = {
	    {"pow_bits", "integer", "bits", "leading zero bits of the identity proof of work"},
	    {"nodes", "integer", "nodes", "public nodes with this strength"},
	};
	hist_figure(
	    r, rj_get(r->cur, "metadata.pow_bits"), "pow", "Proof-of-work strength of public nodes",
	    "Public nodes per proof-of-work strength (leading zero bits; Octez requires 26 by "
	    "default).",
	    "proof-of-work bits", "public nodes", "pow_bits.csv", "Proof-of-work histogram",
	    pow_fields, "no proof-of-work figures: no public node");

	doc_h3(d, "Head lag");
	double ml = 0;
	doc_p_open(d);
	if (rj_num(r->cur, "heads.max_level", &ml)) {
		char lv[32];
		fmt_num(lv, sizeof lv, ml, 0);
		doc_tf(d,
		       "Highest head level seen: %s. Lag = blocks behind that level, per node that "
		       "told us "
		       "its current head.",
		       lv);
	} else {
		doc_t(d, "No node told us its head level.");
		lack(r, "No head levels: the head-lag histogram is empty.");
	}
	doc_p_close(d);
	static const struct doc_field lag_fields[] = {
	    {"lag_blocks", "integer", "blocks", "blocks behind the highest head seen"},
	    {"nodes", "integer", "nodes", "public nodes with this lag"},
	};
	hist_figure(r, rj_get(r->cur, "heads.lag_histogram"), "lag", "Head lag of public nodes",
	            "Public nodes per head lag (blocks behind the highest head seen).",
	            "lag (blocks)", "public nodes", "head_lag.csv", "Head-lag histogram",
	            lag_fields, "no head levels reported");
	doc_raw(d, "</section>\n", NULL);
}

/* ---- concentration ----------------------------------------------------- */

static const struct {
	const char *key, *label;
} FAMILIES[] = {
    {"ipv4_24", "IPv4 /24"},
    {"ipv4_16", "IPv4 /16"},
    {"ipv6_48", "IPv6 /48"},
};

static void section_concentration(struct rctx *r)
{
	struct doc *d = &r->d;
	doc_h2(d, "concentration", "Concentration");
	doc_p(d,
	      "How public nodes cluster by address. Nakamoto coefficient: the fewest prefixes that "
	      "together hold more than half of the nodes (higher is better). HHI: sum of squared "
	      "percentage shares, 0 to 10,000 (below 1,500 unconcentrated, above 2,500 highly "
	      "concentrated, in the US DOJ bands). Gini: 0 when every prefix holds as many nodes, "
	      "towards 1 when a few hold most.");

	static const struct doc_field fields[] = {
	    {"family", "string", NULL, "ipv4_24, ipv4_16 or ipv6_48"},
	    {"nodes", "integer", "nodes", "public nodes counted in this family"},
	    {"prefixes", "integer", "prefixes", "distinct prefixes among them"},
	    {"nakamoto", "integer", "prefixes", "fewest prefixes holding over 50% of the nodes"},
	    {"hhi", "number", "0-10000", "Herfindahl-Hirschman index of prefix shares"},
	    {"gini", "number", "0-1", "Gini coefficient of nodes per prefix"},
	};
	struct rbuf *csv = doc_csv(
	    d, "prefix_concentration.csv", "Prefix concentration",
	    "Nakamoto coefficient, HHI and Gini of public nodes per prefix family.", fields, 6);
	static const char *const heads[] = {"Prefix",   "Nodes", "Prefixes",
	                                    "Nakamoto", "HHI",   "Gini"};
	doc_table_open(d, heads, 6, "lrrrrr");
	bool any = false;
	for (size_t f = 0; f < 3; f++) {
		char base[64];
		snprintf(base, sizeof base, "concentration.by_prefix.%s", FAMILIES[f].key);
		const json_t *fam = rj_get(r->cur, base);
		double nk = 0, hhi = 0, gini = 0, nn = 0, np = 0;
		bool hn = rj_num(fam, "nakamoto", &nk), hh = rj_num(fam, "hhi", &hhi),
		     hg = rj_num(fam, "gini", &gini), hnn = rj_num(fam, "nodes", &nn),
		     hnp = rj_num(fam, "prefixes", &np);
		char sn[32] = "n/a", sp[32] = "n/a";
		if (hnn)
			fmt_num(sn, sizeof sn, nn, 0);
		if (hnp)
			fmt_num(sp, sizeof sp, np, 0);
		any |= hn || hh || hg;
		char a[32] = "n/a", b[32] = "n/a", c[32] = "n/a";
		if (hn)
			fmt_num(a, sizeof a, nk, 0);
		if (hh)
			fmt_num(b, sizeof b, round(hhi), 0);
		if (hg)
			snprintf(c, sizeof c, "%.3f", gini);
		doc_row_open(d);
		doc_cell_t(d, FAMILIES[f].label);
		num_cell(d, sn);
		num_cell(d, sp);
		num_cell(d, a);
		num_cell(d, b);
		num_cell(d, c);
		doc_row_close(d);
		rbuf_csv(csv, FAMILIES[f].key);
		rbuf_puts(csv, ",");
		csv_num(csv, hnn, nn);
		rbuf_puts(csv, ",");
		csv_num(csv, hnp, np);
		rbuf_puts(csv, ",");
		csv_num(csv, hn, nk);
		rbuf_puts(csv, ",");
		csv_num(csv, hh, hhi);
		rbuf_puts(csv, ",");
		csv_num(csv, hg, gini);
		rbuf_puts(csv, "\r\n");
	}
	doc_table_close(d, "prefix_concentration.csv");
	if (!any)
		lack(r, "No prefix concentration figures.");

	static const struct doc_field top_fields[] = {
	    {"family", "string", NULL, "ipv4_24, ipv4_16 or ipv6_48"},
	    {"prefix", "string", NULL, "the prefix (already truncated: never a full address)"},
	    {"nodes", "integer", "nodes", "public nodes in this prefix"},
	    {"share", "number", "share (0-1)", "nodes / public nodes of the family"},
	};
	struct rbuf *tcsv =
	    doc_csv(d, "prefix_top.csv", "Largest prefixes",
	            "The prefixes holding the most public nodes, per family.", top_fields, 4);
	/* chart: top /24 shares */
	const json_t *top24 = rj_get(r->cur, "concentration.by_prefix.ipv4_24.top");
	size_t n24 = json_array_size(top24);
	if (n24 > 15)
		n24 = 15;
	const char *labels[15];
	double vals[15];
	char lb[15][ANON_POINT_CAP + 32];
	size_t nb = 0;
	for (size_t i = 0; i < n24; i++) {
		const json_t *e = json_array_get(top24, i);
		const char *pfx = rj_str(e, "prefix");
		double s = 0;
		if (!pfx || !rj_num(e, "share", &s))
			continue;
		char tmp[ANON_POINT_CAP + 32];
		snprintf(lb[nb], sizeof lb[nb], "%s", pub_id(r, pfx, tmp, sizeof tmp));
		labels[nb] = lb[nb];
		vals[nb++] = 100 * s;
	}
	struct rbuf in = {0}, file = {0};
	if (nb) {
		struct svg_bars bars = {
		    "prefixes", "Largest IPv4 /24 prefixes by share of public nodes",
		    NULL,       "% of public IPv4 nodes",
		    labels,     vals,
		    nb,         true,
		    SVG_GREEN};
		svg_bar_chart(&in, &bars, false);
		svg_bar_chart(&file, &bars, true);
	} else {
		svg_no_data(&in, "prefixes", "Largest IPv4 /24 prefixes", "no prefix figures",
		            false);
		svg_no_data(&file, "prefixes", "Largest IPv4 /24 prefixes", "no prefix figures",
		            true);
	}
	doc_figure(d, "prefixes", &in, &file,
	           "The largest IPv4 /24 prefixes, in % of public IPv4 nodes.", "prefix_top.csv");
	rbuf_free(&in);

	for (size_t f = 0; f < 3; f++) {
		char base[64];
		snprintf(base, sizeof base, "concentration.by_prefix.%s.top", FAMILIES[f].key);
		const json_t *top = rj_get(r->cur, base);
		if (json_array_size(top) == 0)
			continue;
		char title[64];
		snprintf(title, sizeof title, "Largest %s prefixes", FAMILIES[f].label);
		doc_h3(d, title);
		static const char *const th[] = {"Prefix", "Nodes", "Share"};
		doc_table_open(d, th, 3, "lrr");
		for (size_t i = 0; i < json_array_size(top); i++) {
			const json_t *e = json_array_get(top, i);
			const char *pfx = rj_str(e, "prefix");
			double nodes = 0, share = 0;
			bool hn = rj_num(e, "nodes", &nodes), hs = rj_num(e, "share", &share);
			if (!pfx)
				continue;
			char buf[ANON_POINT_CAP + 32], a[32] = "n/a", s[32] = "n/a";
			const char *p = pub_id(r, pfx, buf, sizeof buf);
			if (hn)
				fmt_num(a, sizeof a, nodes, 0);
			if (hs)
				snprintf(s, sizeof s, "%.1f%%", 100 * share);
			if (i < TABLE_ROWS_MAX) {
				doc_row_open(d);
				doc_cell_code(d, p);
				num_cell(d, a);
				num_cell(d, s);
				doc_row_close(d);
			}
			rbuf_csv(tcsv, FAMILIES[f].key);
			rbuf_puts(tcsv, ",");
			rbuf_csv(tcsv, p);
			rbuf_puts(tcsv, ",");
			csv_num(tcsv, hn, nodes);
			rbuf_puts(tcsv, ",");
			csv_num(tcsv, hs, share);
			rbuf_puts(tcsv, "\r\n");
		}
		doc_table_close(d, "prefix_top.csv");
	}

	doc_h3(d, "Peers per IP address");
	static const struct doc_field ppi_fields[] = {
	    {"peer_ids", "integer", "peer ids", "distinct peer ids seen on one IP address"},
	    {"ips", "integer", "addresses", "IP addresses with that many peer ids"},
	};
	hist_figure(r, rj_get(r->cur, "concentration.peers_per_ip"), "peers_per_ip",
	            "IP addresses by number of peer ids",
	            "IP addresses per number of distinct peer ids they answered with.",
	            "peer ids per IP", "IP addresses", "peers_per_ip.csv", "Peers per IP",
	            ppi_fields, "no public node");
	static const struct doc_field many_fields[] = {
	    {"ip", "string", NULL, "IP address (truncated when the report is anonymized)"},
	    {"peer_ids", "integer", "peer ids", "distinct peer ids seen on this address"},
	};
	struct rbuf *mcsv =
	    doc_csv(d, "ips_with_many_peer_ids.csv", "IPs with many peer ids",
	            "Addresses that answered with several peer ids: many nodes on one host, "
	            "or one node rotating identities.",
	            many_fields, 2);
	const json_t *many = rj_get(r->cur, "concentration.ips_with_many_peer_ids");
	if (json_array_size(many) == 0) {
		doc_p(d, "No IP address answered with more than one peer id.");
	} else {
		doc_p(d, "Addresses that answered with several peer ids (many nodes behind one "
		         "address, or "
		         "one node rotating its identity):");
		static const char *const mh[] = {"Address", "Peer ids"};
		doc_table_open(d, mh, 2, "lr");
		for (size_t i = 0; i < json_array_size(many); i++) {
			const json_t *e = json_array_get(many, i);
			const char *ip = rj_str(e, "ip");
			double k = 0;
			bool hk = rj_num(e, "peer_ids", &k);
			if (!ip)
				continue;
			char buf[ANON_POINT_CAP + 32], a[32] = "n/a";
			const char *p = pub_id(r, ip, buf, sizeof buf);
			if (hk)
				fmt_num(a, sizeof a, k, 0);
			if (i < TABLE_ROWS_MAX) {
				doc_row_open(d);
				doc_cell_code(d, p);
				num_cell(d, a);
				doc_row_close(d);
			}
			rbuf_csv(mcsv, p);
			rbuf_puts(mcsv, ",");
			csv_num(mcsv, hk, k);
			rbuf_puts(mcsv, "\r\n");
		}
		doc_table_close(d, "ips_with_many_peer_ids.csv");
	}
	doc_raw(d, "</section>\n", NULL);
}

/* ---- methodology ------------------------------------------------------- */

/* Published figures to compare with: each from research/anchors-analysis.md,
 * with its date and source. */
static const struct {
	const char *network, *figure, *date, *source, *url;
} COMPARE[] = {
    {"Tezos", "200+ public nodes of 1,000+ in total (about 20% reachable)", "July 2020",
     "Baking Bad, \"Inspecting Tezos decentralization: 200+ public nodes, 1000+ in total\"",
     "https://baking-bad.org/blog/2020/07/30/"
     "inspecting-tezos-network-decentralization-200-public-nodes-1000-in-total/"},
    {"Bitcoin", "12,430 reachable nodes", "April 2024", "Bitnodes leaderboard",
     "https://bitnodes.io/nodes/leaderboard/"},
    {"Bitcoin", "11,692 reachable nodes", "October 2024", "Bitnodes leaderboard",
     "https://bitnodes.io/nodes/leaderboard/"},
    {"Bitcoin", "13,063 reachable nodes", "December 2024", "Bitnodes leaderboard",
     "https://bitnodes.io/nodes/leaderboard/"},
    {"Filecoin", "934 peer ids on 682 IP addresses", "January 2025 (week 1)",
     "ProbeLab Filecoin DHT report", "https://probelab.io/filecoin/dht/2025-01"},
    {"Bitcoin / Ethereum", "56% of Bitcoin and 28% of Ethereum nodes in hosting ASes",
     "2018 (FC 2018; data of 2017)",
     "Gencer, Basu, Eyal, van Renesse, Sirer, \"Decentralization in Bitcoin and Ethereum "
     "Networks\"",
     "https://arxiv.org/abs/1801.03998"},
    {"Bitcoin", "13 ASes host 30% of the network; 20% of nodes sit in fewer than 100 prefixes",
     "2017 (IEEE S&P 2017)",
     "Apostolaki, Zohar, Vanbever, \"Hijacking Bitcoin: Routing Attacks on "
     "Cryptocurrencies\"",
     "https://hackingdistributed.com/2017/05/01/bgp-attacks-on-btc/"},
};
#define COMPARE_N (sizeof COMPARE / sizeof COMPARE[0])

static void section_methodology(struct rctx *r)
{
	struct doc *d = &r->d;
	doc_h2(d, "methodology", "Methodology");
	doc_h3(d, "How the crawl works");
	doc_p(
	    d,
	    "The crawler starts from seed points and performs the real Octez P2P handshake with "
	    "every point it discovers: TCP connect, connection message with a proof-of-work "
	    "identity, "
	    "encrypted metadata, then Ack or Nack. After an Ack it asks for known peers "
	    "(Bootstrap) "
	    "and the current head, records the Advertise replies, and disconnects politely within "
	    "the 5-second authentication window. Points listed in Advertise and Nack messages are "
	    "dialed in turn until no new point appears. Private, reserved and denied ranges are "
	    "recorded but never dialed.");
	doc_h3(d, "What each figure means");
	doc_ul_open(d);
	static const char *const defs[] = {
	    "Vertex: a node, identified by its peer id when a handshake revealed one (several "
	    "points "
	    "with one peer id are one vertex), else by its point.",
	    "Public node: sent us a valid connection message (outcomes ok, nack, closed after it, "
	    "incompatible). Unreachable: dialed, never did. Undialed: denied by policy or never "
	    "tried.",
	    "Edge u-v: u advertised (or listed in a Nack) a point of v in this crawl. Undirected, "
	    "simple. Strong edge: in the ranked part of the lists (rank below 30) in every round.",
	    "S: all vertices; R: public vertices; R_core: largest connected component of R.",
	    "Vertex connectivity of R_core: the fewest nodes whose removal disconnects it, with "
	    "one "
	    "witness cut (Esfahanian-Hakimi over unit-capacity max-flow).",
	    "Single point of failure: an articulation point of R, with the number of public nodes "
	    "its removal cuts off the largest part.",
	    "Sole advertiser: the only node that advertised some point: a discovery single point "
	    "of "
	    "failure.",
	    "Attack curves: giant-component share of R_core after removing the top share of nodes "
	    "by "
	    "degree or by betweenness, against random removal (mean of seeded runs).",
	    "Coreness: the largest k such that a node belongs to the k-core (every node of it has "
	    "at "
	    "least k neighbours inside it).",
	    "Concentration: Nakamoto coefficient at 50%, HHI on the 0-10,000 scale, Gini, over "
	    "public "
	    "nodes grouped by IPv4 /24, IPv4 /16 and IPv6 /48.",
	};
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		doc_li_open(d);
		doc_t(d, defs[i]);
		doc_li_close(d);
	}
	doc_ul_close(d);
	/* The analyzer writes its own definitions into report.json: show them
	 * as recorded, so the page and the data cannot disagree. */
	const json_t *defs_j = rj_get(r->cur, "definitions");
	if (json_is_object(defs_j) && json_object_size(defs_j) > 0) {
		doc_h3(d, "Definitions recorded by the analyzer");
		doc_ul_open(d);
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)defs_j, k, v)
		{
			if (!json_is_string(v))
				continue;
			doc_li_open(d);
			doc_code_u(d, k);
			doc_t(d, ": ");
			doc_u(d, json_string_value(v));
			doc_li_close(d);
		}
		doc_ul_close(d);
	}
	doc_h3(d, "Thresholds and windows");
	doc_ul_open(d);
	static const char *const thr[] = {
	    "One crawl is one snapshot from one vantage point; changes compare whole crawls.",
	    "\"Previous\" is the last earlier crawl given to the report; \"7 days\" and \"30 "
	    "days\" are "
	    "the earlier crawls that started closest to exactly 7 and 30 days before this one, "
	    "within "
	    "36 hours and 3 days; when there is none, the change is shown as a dash.",
	    "HHI bands (US DOJ): below 1,500 unconcentrated, 1,500 to 2,500 moderately, above "
	    "2,500 "
	    "highly concentrated.",
	    "Tables in this page show at most 25 rows; the CSV beside the page has every row.",
	};
	for (size_t i = 0; i < sizeof thr / sizeof thr[0]; i++) {
		doc_li_open(d);
		doc_t(d, thr[i]);
		doc_li_close(d);
	}
	doc_ul_close(d);
	doc_h3(d, "Known blind spots");
	doc_ul_open(d);
	static const char *const blind[] = {
	    "Nodes behind NAT that announce no port, and nodes nobody advertises, are not seen at "
	    "all.",
	    "Advertisements are knowledge, not live connections: the graph is a \"has been "
	    "connected\" "
	    "graph, and its connectivity is discovery resilience, not link resilience.",
	    "A node may advertise only part of what it knows (at most 100 points per Advertise "
	    "message), so degrees are lower bounds.",
	    "One vantage point: nodes that rate-limit or ban our address look unreachable.",
	    "Peer ids are self-chosen: one operator can run many, one node can rotate them.",
	};
	for (size_t i = 0; i < sizeof blind / sizeof blind[0]; i++) {
		doc_li_open(d);
		doc_t(d, blind[i]);
		doc_li_close(d);
	}
	doc_ul_close(d);

	static const struct doc_field fields[] = {
	    {"network", "string", NULL, "network the figure is about"},
	    {"figure", "string", NULL, "the published figure"},
	    {"date", "string", NULL, "when it was measured or published"},
	    {"source", "string", NULL, "who published it"},
	    {"url", "string", NULL, "where"},
	};
	struct rbuf *csv =
	    doc_csv(d, "compare_with.csv", "Published figures to compare with",
	            "Figures from other measurements, each with its date and source.", fields, 5);
	rbuf_puts(&d->html, "<div class=\"compare\">\n");
	doc_h3(d, "Compare with");
	char ours[160];
	double pub = 0, seen = 0;
	if (rj_num(r->cur, "counts.public", &pub) && rj_num(r->cur, "counts.points_seen", &seen) &&
	    seen > 0) {
		char a[32], b[32];
		fmt_num(a, sizeof a, pub, 0);
		fmt_num(b, sizeof b, seen, 0);
		snprintf(ours, sizeof ours,
		         "This crawl: %s public nodes of %s points seen (%.1f%%).", a, b,
		         100 * pub / seen);
	} else {
		snprintf(ours, sizeof ours, "This crawl has no size figures to compare.");
	}
	doc_p(d, ours);
	static const char *const heads[] = {"Network", "Published figure", "Date", "Source"};
	doc_table_open(d, heads, 4, "llll");
	for (size_t i = 0; i < COMPARE_N; i++) {
		doc_row_open(d);
		doc_cell_t(d, COMPARE[i].network);
		doc_cell_t(d, COMPARE[i].figure);
		doc_cell_t(d, COMPARE[i].date);
		doc_cell_open(d);
		rbuf_printf(&d->html, "<a href=\"%s\">", COMPARE[i].url);
		rbuf_html(&d->html, COMPARE[i].source);
		rbuf_puts(&d->html, "</a>");
		rbuf_printf(&d->md, "[%s](%s)", COMPARE[i].source, COMPARE[i].url);
		doc_cell_close(d);
		doc_row_close(d);
		rbuf_csv(csv, COMPARE[i].network);
		rbuf_puts(csv, ",");
		rbuf_csv(csv, COMPARE[i].figure);
		rbuf_puts(csv, ",");
		rbuf_csv(csv, COMPARE[i].date);
		rbuf_puts(csv, ",");
		rbuf_csv(csv, COMPARE[i].source);
		rbuf_puts(csv, ",");
		rbuf_csv(csv, COMPARE[i].url);
		rbuf_puts(csv, "\r\n");
	}
	doc_table_close(d, "compare_with.csv");
	doc_p(d,
	      "Different crawlers count differently (one vantage or many, one night or a week, "
	      "reachable or all seen): compare orders of magnitude and trends, not exact numbers.");
	rbuf_puts(&d->html, "</div>\n");
	doc_raw(d, "</section>\n", NULL);
}

/* ---- assembly ----------------------------------------------------------- */

void report_opts_default(struct report_opts *o)
{
	memset(o, 0, sizeof *o);
}

static json_t *datapackage(const struct rctx *r)
{
	json_t *dp = json_object();
	json_t *res = json_array();
	if (!dp || !res) {
		json_decref(dp);
		json_decref(res);
		return NULL;
	}
	double id = 0;
	char name[64] = "tzcensus-crawl", title[160];
	if (rj_num(r->cur, "crawl.id", &id))
		snprintf(name, sizeof name, "tzcensus-crawl-%.0f", id);
	const char *at = rj_str(r->cur, "crawl.started_at");
	snprintf(title, sizeof title, "Tezos P2P network census, crawl %s%s%.40s", name + 15,
	         at ? " of " : "", at ? at : "");
	json_object_set_new(dp, "profile", json_string("tabular-data-package"));
	json_object_set_new(dp, "name", json_string(name));
	json_object_set_new(dp, "title", json_string(title));
	json_object_set_new(
	    dp, "description",
	    json_string("The tables behind every chart and table of report.html / report.md. "
	                "Units are given per field in the non-standard \"unit\" property."));
	json_object_set_new(dp, "anonymized", json_boolean(r->o->anonymize));
	for (size_t i = 0; i < r->d.files_n; i++) {
		const struct doc_file *f = &r->d.files[i];
		if (!f->is_csv)
			continue;
		json_t *rs = json_object(), *schema = json_object(), *fields = json_array();
		json_t *dialect = json_object();
		if (!rs || !schema || !fields || !dialect) {
			json_decref(rs);
			json_decref(schema);
			json_decref(fields);
			json_decref(dialect);
			json_decref(res);
			json_decref(dp);
			return NULL;
		}
		char rname[64];
		snprintf(rname, sizeof rname, "%s", f->name);
		char *dot = strrchr(rname, '.');
		if (dot)
			*dot = '\0';
		for (char *c = rname; *c; c++)
			if (*c == '_')
				*c = '-';
		json_object_set_new(rs, "name", json_string(rname));
		json_object_set_new(rs, "path", json_string(f->name));
		json_object_set_new(rs, "title", json_string(f->title));
		json_object_set_new(rs, "description", json_string(f->description));
		json_object_set_new(rs, "profile", json_string("tabular-data-resource"));
		json_object_set_new(rs, "format", json_string("csv"));
		json_object_set_new(rs, "mediatype", json_string("text/csv"));
		json_object_set_new(rs, "encoding", json_string("utf-8"));
		json_object_set_new(dialect, "delimiter", json_string(","));
		json_object_set_new(dialect, "lineTerminator", json_string("\r\n"));
		json_object_set_new(dialect, "quoteChar", json_string("\""));
		json_object_set_new(dialect, "doubleQuote", json_true());
		json_object_set_new(dialect, "header", json_true());
		json_object_set_new(rs, "dialect", dialect);
		for (size_t k = 0; k < f->fields_n; k++) {
			const struct doc_field *df = &f->fields[k];
			json_t *fo = json_object();
			if (!fo)
				continue;
			json_object_set_new(fo, "name", json_string(df->name));
			json_object_set_new(fo, "type", json_string(df->type));
			if (strcmp(df->type, "datetime") == 0)
				json_object_set_new(fo, "format", json_string("any"));
			json_object_set_new(fo, "description", json_string(df->description));
			if (df->unit)
				json_object_set_new(fo, "unit", json_string(df->unit));
			json_array_append_new(fields, fo);
		}
		json_object_set_new(schema, "fields", fields);
		json_object_set_new(schema, "missingValues", json_pack("[s]", ""));
		json_object_set_new(rs, "schema", schema);
		json_array_append_new(res, rs);
	}
	json_object_set_new(dp, "resources", res);
	return dp;
}

static void page_head(struct rbuf *h, struct rbuf *md, const struct rctx *r, const char *title)
{
	char sub[256], a[128] = "", id[32] = "";
	double cid = 0;
	if (rj_num(r->cur, "crawl.id", &cid))
		snprintf(id, sizeof id, "Crawl #%.0f", cid);
	const char *s = rj_str(r->cur, "crawl.started_at"),
	           *f = rj_str(r->cur, "crawl.finished_at");
	if (s)
		snprintf(a, sizeof a, " \xc2\xb7 %.40s to %.40s UTC", s, f ? f : "?");
	snprintf(sub, sizeof sub, "%s%s", id[0] ? id : "Crawl (no id)", a);

	rbuf_puts(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	             "<meta name=\"color-scheme\" content=\"light\">\n<title>");
	rbuf_html(h, title);
	rbuf_puts(h, " \xe2\x80\x94 ");
	rbuf_html(h, sub);
	rbuf_puts(h, "</title>\n<style>\n");
	rbuf_puts(h, CSS);
	rbuf_puts(h, "</style>\n</head>\n<body>\n<header class=\"top\"><div>\n<h1>");
	rbuf_html(h, title);
	rbuf_puts(h, "</h1>\n<p>");
	rbuf_html(h, sub);
	rbuf_puts(
	    h,
	    "</p>\n<nav class=\"toc\" aria-label=\"Sections\">"
	    "<a href=\"#provenance\">Provenance</a><a href=\"#headline\">Headline</a>"
	    "<a href=\"#size\">Size</a><a href=\"#reachability\">Reachability</a>"
	    "<a href=\"#resilience\">Resilience</a><a href=\"#versions\">Versions</a>"
	    "<a href=\"#concentration\">Concentration</a><a href=\"#methodology\">Methodology</a>"
	    "</nav>\n</div></header>\n<main>\n");

	rbuf_printf(md, "# %s\n\n%s\n", title, sub);
	if (r->lacks_n) {
		rbuf_puts(h,
		          "<div class=\"note\" id=\"lacks\"><h2>What this report lacks</h2><ul>\n");
		rbuf_puts(md, "\n> **What this report lacks**\n>\n");
		for (size_t i = 0; i < r->lacks_n; i++) {
			rbuf_puts(h, "<li>");
			rbuf_html(h, r->lacks[i]);
			rbuf_puts(h, "</li>\n");
			rbuf_printf(md, "> - %s\n", r->lacks[i]);
		}
		rbuf_puts(h, "</ul></div>\n");
	}
}

enum err report_render(const char *outdir, const json_t *cur, json_t *const *hist, size_t hist_n,
                       const struct report_opts *o, char *err, size_t err_cap)
{
	char dummy[1];
	if (!err || err_cap == 0) {
		err = dummy;
		err_cap = sizeof dummy;
	}
	err[0] = '\0';
	struct report_opts defo;
	if (!o) {
		report_opts_default(&defo);
		o = &defo;
	}
	double sv = 0;
	if (!outdir || !json_is_object(cur) || (hist_n && !hist)) {
		snprintf(err, err_cap, "report_render: bad arguments");
		return ERR_INVAL;
	}
	if (!rj_num(cur, "schema_version", &sv) || sv != 1) {
		snprintf(err, err_cap, "report.json: schema_version is not 1");
		return ERR_INVAL;
	}
	struct rctx *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, err_cap, "out of memory");
		return ERR_NOMEM;
	}
	enum err rc = ERR_OK;
	struct rbuf head = {0}, mdhead = {0}, page = {0}, md = {0};
	char *dp_text = NULL;
	json_t *dp = NULL;
	/* History as given, less non-objects and this crawl itself (a caller
	 * that loads "the last N crawls" may include it). */
	json_t **kept = calloc(hist_n ? hist_n : 1, sizeof *kept);
	if (!kept) {
		free(r);
		snprintf(err, err_cap, "out of memory");
		return ERR_NOMEM;
	}
	double cur_id = 0, hid = 0;
	bool has_id = rj_num(cur, "crawl.id", &cur_id);
	size_t kept_n = 0;
	for (size_t i = 0; i < hist_n; i++) {
		if (!json_is_object(hist[i]) || hist[i] == cur ||
		    (has_id && rj_num(hist[i], "crawl.id", &hid) && hid == cur_id))
			continue;
		kept[kept_n++] = hist[i];
	}
	hist = kept;
	hist_n = kept_n;
	r->cur = cur;
	r->hist = hist;
	r->hist_n = hist_n;
	r->o = o;
	r->prev = hist_n ? hist[hist_n - 1] : NULL;
	r->d7 = crawl_before(r, 7, 36 * 3600);
	r->d30 = crawl_before(r, 30, 3 * DAY_S);

	double pub = 0;
	if (!rj_num(cur, "counts.public", &pub)) {
		lack(r, "report.json has no counts.public: size figures are missing.");
	} else if (pub <= 0) {
		r->empty = true;
		lack(r,
		     "No seed answered: this crawl found no public node, so the graph, version and "
		     "concentration figures are empty. It should not be published as a census.");
	}
	if (!hist_n)
		lack(r, "No earlier crawl was given: changes and trends are not available.");

	section_provenance(r);
	section_headline(r);
	section_size(r);
	section_outcomes(r);
	section_resilience(r);
	section_versions(r);
	section_concentration(r);
	section_methodology(r);

	const char *title = o->title ? o->title : "Tezos P2P network census";
	page_head(&head, &mdhead, r, title);
	rbuf_add(&page, head.p ? head.p : "", head.len);
	rbuf_add(&page, r->d.html.p ? r->d.html.p : "", r->d.html.len);
	rbuf_puts(&page,
	          "</main>\n<footer>Generated by tzcensus from report.json (schema 1). "
	          "Every figure has its CSV beside this page; datapackage.json describes them. "
	          "No script, no external resource.</footer>\n</body>\n</html>\n");
	rbuf_add(&md, mdhead.p ? mdhead.p : "", mdhead.len);
	rbuf_add(&md, r->d.md.p ? r->d.md.p : "", r->d.md.len);
	rbuf_puts(
	    &md, "\n---\n\nGenerated by tzcensus from report.json (schema 1). Every figure has its "
	         "CSV beside this file; datapackage.json describes them.\n");

	bool oom = head.oom || mdhead.oom || page.oom || md.oom || r->d.html.oom || r->d.md.oom ||
	           r->d.too_many_files;
	for (size_t i = 0; i < r->d.files_n; i++)
		oom |= r->d.files[i].body.oom;
	dp = datapackage(r);
	if (dp)
		dp_text = json_dumps(dp, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	if (oom || !dp_text) {
		snprintf(err, err_cap, "out of memory while rendering the report");
		rc = ERR_NOMEM;
		goto done;
	}
	rc = doc_write_file(outdir, "report.html", page.p, page.len, err, err_cap);
	if (rc == ERR_OK)
		rc = doc_write_file(outdir, "report.md", md.p, md.len, err, err_cap);
	for (size_t i = 0; rc == ERR_OK && i < r->d.files_n; i++)
		rc = doc_write_file(outdir, r->d.files[i].name,
		                    r->d.files[i].body.p ? r->d.files[i].body.p : "",
		                    r->d.files[i].body.len, err, err_cap);
	if (rc == ERR_OK) {
		size_t n = strlen(dp_text);
		char *t = realloc(dp_text, n + 2);
		if (t) {
			dp_text = t;
			dp_text[n] = '\n';
			dp_text[n + 1] = '\0';
		}
		rc = doc_write_file(outdir, "datapackage.json", dp_text, strlen(dp_text), err,
		                    err_cap);
	}
done:
	free(dp_text);
	json_decref(dp);
	rbuf_free(&head);
	rbuf_free(&mdhead);
	rbuf_free(&page);
	rbuf_free(&md);
	doc_free(&r->d);
	free(r);
	free(kept);
	return rc;
}
