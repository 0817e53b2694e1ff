/*
 * report — renders report.json into the published report (see report.h):
 * the assembly of the page around the sections, and datapackage.json.
 *
 * Structure: one struct rctx (report_spec.h) carries the inputs and a
 * struct doc (the twin HTML/Markdown writer with its file list). Each
 * section (report_head.c, report_graph.c, report_peers.c, report_text.c)
 * declares its tables and charts as static specs that the generic walkers
 * (report_table.c, report_chart.c) write as HTML, Markdown, CSV and SVG.
 * What a section cannot show is added to a "what this report lacks" list
 * printed at the top, so an empty crawl or a first crawl gives a valid report
 * that says what is missing.
 *
 * Determinism: the only inputs are the JSON objects and the options; lists
 * are printed in the order report.json gives them (the analyzer sorts them by
 * stable keys) or sorted here by (value, id); numbers go through printf in
 * the C locale.
 */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_spec.h"

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
	    "<a href=\"#concentration\">Concentration</a><a href=\"#location\">Where</a>"
	    "<a href=\"#methodology\">Methodology</a>"
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

/* The sections, in page order. */
static void (*const SECTIONS[])(struct rctx *) = {
    section_provenance,    section_headline,   section_size,
    section_outcomes,      section_resilience, section_versions,
    section_concentration, section_location,   section_nat,
    section_stability,
    section_methodology,
};

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

	for (size_t i = 0; i < sizeof SECTIONS / sizeof SECTIONS[0]; i++)
		SECTIONS[i](r);
	for (size_t i = 0; o->missing_cb && i < r->missing_n; i++)
		o->missing_cb(o->missing_arg, r->missing[i]);

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
