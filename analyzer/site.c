/*
 * site — renders the published site's index.html from a list of nights.
 *
 * Why a separate page and not one more report section: a night's report is
 * a snapshot (with a short trend); the site is the long view a reader lands
 * on, and it must stay cheap to rebuild every night from the database alone
 * (a few JSON paths per analysis), whatever the number of nights.
 */
#include "analyzer/site.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/svg.h"

/*
 * The figures of the site, one row each (docs/analyzer.md, "The published
 * site"). The AS Nakamoto coefficient joins as one row once report.json
 * carries it (the location work); until a night has a key, its column and
 * charts are left out.
 */
const struct site_figure site_figures[] = {
    {"public", "Public nodes", "nodes", "counts.public", false, true},
    {"public_ratio", "Public ratio", "share of dialed", "counts.public_ratio", true, true},
    {"backbone_connectivity", "Backbone vertex connectivity", "nodes",
     "graph.backbone.vertex_connectivity", false, true},
    {"as_nakamoto", "Nakamoto coefficient (AS)", "ASes", "concentration.by_asn.nakamoto", false,
     true}, /* only nights analyzed with a location database */
    {"points_seen", "Points seen", "points", "counts.points_seen", false, false},
};
const size_t site_figures_n = sizeof site_figures / sizeof site_figures[0];
_Static_assert(sizeof site_figures / sizeof site_figures[0] <= SITE_FIGURES_MAX,
               "raise SITE_FIGURES_MAX");

static const unsigned windows_days[] = {30, 90, 365};

static int cmp_night_desc(const void *a, const void *b)
{
	const struct site_night *x = a, *y = b;
	if (x->started_at != y->started_at)
		return x->started_at < y->started_at ? 1 : -1;
	return (x->crawl_id < y->crawl_id) - (x->crawl_id > y->crawl_id);
}

static void fmt_date(char *out, size_t cap, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(out, cap, "%Y-%m-%d %H:%M", &tm))
		snprintf(out, cap, "?");
}

static void fmt_fig(char *out, size_t cap, const struct site_figure *f, double v)
{
	if (f->share)
		snprintf(out, cap, "%.1f%%", v * 100.0);
	else
		fmt_num(out, cap, v, 0);
}

static const char css[] =
    ":root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--mut:#57606a;--line:#d0d7de}"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--mut:#8b949e;"
    "--line:#30363d}}"
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);"
    "background:var(--bg);max-width:72rem;margin:0 auto;padding:1rem;line-height:1.45}"
    "h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin-top:2rem;"
    "border-bottom:1px solid var(--line)}.mut{color:var(--mut)}"
    ".cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}"
    ".card{border:1px solid var(--line);border-radius:.4rem;padding:.6rem .9rem;min-width:10rem}"
    ".card b{display:block;font-size:1.5rem}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr));gap:1rem}"
    "figure{margin:0}figcaption{font-size:.9rem;color:var(--mut)}svg{width:100%;height:auto}"
    "table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}"
    "th,td{padding:.25rem .5rem;border-bottom:1px solid var(--line);text-align:right}"
    "th:first-child,td:first-child{text-align:left}nav a{margin-right:1rem}"
    "@media print{nav{display:none}}";

/* True when some night has figure i. */
static bool figure_present(const struct site_night *nights, size_t n, size_t i)
{
	for (size_t k = 0; k < n; k++)
		if (nights[k].has[i])
			return true;
	return false;
}

/* One chart of figure i over the nights of the last `days` days before t_last. */
static void chart(struct rbuf *b, const struct site_night *nights, size_t n, size_t i,
                  unsigned days, int64_t t_last, double *x, double *y)
{
	const struct site_figure *f = &site_figures[i];
	size_t used = 0;
	int64_t from = t_last - (int64_t)days * 86400;
	for (size_t k = n; k-- > 0;) { /* nights are newest first: oldest first here */
		if (nights[k].started_at < from)
			continue;
		x[used] = (double)nights[k].started_at;
		y[used] = nights[k].has[i] ? nights[k].fig[i] : NAN;
		used++;
	}
	char id[64], title[160];
	snprintf(id, sizeof id, "%s-%ud", f->key, days);
	snprintf(title, sizeof title, "%s, last %u days", f->title, days);
	rbuf_puts(b, "<figure>");
	if (!used) {
		svg_no_data(b, id, title, "No published night in this window.", false);
	} else {
		struct svg_series s = {f->title, SVG_BLUE, x, y, used, false};
		struct svg_line c = {id, title, "night (UTC)", f->unit, SVG_X_TIME, f->share, true,
		                     &s, 1};
		svg_line_chart(b, &c, false);
	}
	rbuf_puts(b, "<figcaption>");
	rbuf_html(b, title);
	rbuf_printf(b, " (%zu night%s)</figcaption></figure>\n", used, used == 1 ? "" : "s");
}

void site_render(struct rbuf *b, const struct site_night *in, size_t n, const struct site_opts *o)
{
	const char *title = o && o->title ? o->title : "Tezos P2P network census";
	struct site_night *nights = malloc((n ? n : 1) * sizeof *nights);
	double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
	if (!nights || !x || !y) {
		b->oom = true;
		goto out;
	}
	if (n)
		memcpy(nights, in, n * sizeof *nights);
	qsort(nights, n, sizeof *nights, cmp_night_desc);
	bool present[SITE_FIGURES_MAX];
	for (size_t i = 0; i < site_figures_n; i++)
		present[i] = figure_present(nights, n, i);

	rbuf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	             "style-src 'unsafe-inline'\">\n<title>");
	rbuf_html(b, title);
	rbuf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>", css);
	rbuf_html(b, title);
	rbuf_puts(b, "</h1>\n<p class=\"mut\">");
	rbuf_printf(b, "%zu published night%s", n, n == 1 ? "" : "s");
	if (o && o->chain) {
		rbuf_puts(b, " of chain ");
		rbuf_html(b, o->chain);
	}
	if (o && o->vantage) {
		rbuf_puts(b, ", seen from vantage ");
		rbuf_html(b, o->vantage);
	}
	rbuf_puts(b, ". A night is published when its crawl finished and the publication gate "
	             "did not refuse it; only nights of the same vantage and chain are compared."
	             "</p>\n<nav><a href=\"#latest\">Latest night</a>");
	for (size_t w = 0; w < sizeof windows_days / sizeof *windows_days; w++)
		rbuf_printf(b, "<a href=\"#last-%u\">Last %u days</a>", windows_days[w],
		            windows_days[w]);
	rbuf_puts(b, "<a href=\"#nights\">Every night</a></nav>\n</header>\n<main>\n");

	rbuf_puts(b, "<section id=\"latest\">\n<h2>Latest night</h2>\n");
	if (!n) {
		rbuf_puts(b, "<p>No published night yet.</p>\n");
	} else {
		char date[40], v[64];
		fmt_date(date, sizeof date, nights[0].started_at);
		rbuf_printf(b, "<p>Crawl %" PRId64 ", started %s UTC", nights[0].crawl_id, date);
		if (nights[0].report)
			rbuf_printf(b,
			            ": <a href=\"nights/%" PRId64 "/report.html\">its report</a>",
			            nights[0].crawl_id);
		rbuf_puts(b, ".</p>\n<div class=\"cards\">\n");
		for (size_t i = 0; i < site_figures_n; i++) {
			if (!present[i])
				continue;
			if (nights[0].has[i])
				fmt_fig(v, sizeof v, &site_figures[i], nights[0].fig[i]);
			else
				snprintf(v, sizeof v, "n/a");
			rbuf_printf(b, "<div class=\"card\" id=\"latest-%s\"><b>%s</b>",
			            site_figures[i].key, v);
			rbuf_html(b, site_figures[i].title);
			rbuf_puts(b, "</div>\n");
		}
		rbuf_puts(b, "</div>\n");
	}
	rbuf_puts(b, "</section>\n");

	for (size_t w = 0; w < sizeof windows_days / sizeof *windows_days; w++) {
		unsigned days = windows_days[w];
		rbuf_printf(
		    b, "<section id=\"last-%u\">\n<h2>Last %u days</h2>\n<div class=\"charts\">\n",
		    days, days);
		for (size_t i = 0; i < site_figures_n; i++)
			if (site_figures[i].chart && present[i])
				chart(b, nights, n, i, days, n ? nights[0].started_at : 0, x, y);
		rbuf_puts(b, "</div>\n</section>\n");
	}

	rbuf_puts(b, "<section id=\"nights\">\n<h2>Every night</h2>\n<table>\n<thead><tr>"
	             "<th>Night (UTC)</th><th>Crawl</th>");
	for (size_t i = 0; i < site_figures_n; i++) {
		if (!present[i])
			continue;
		rbuf_puts(b, "<th>");
		rbuf_html(b, site_figures[i].title);
		rbuf_puts(b, "</th>");
	}
	rbuf_puts(b, "<th>Report</th></tr></thead>\n<tbody>\n");
	for (size_t k = 0; k < n; k++) {
		char date[40], v[64];
		fmt_date(date, sizeof date, nights[k].started_at);
		rbuf_printf(b, "<tr id=\"crawl-%" PRId64 "\"><td>%s</td><td>%" PRId64 "</td>",
		            nights[k].crawl_id, date, nights[k].crawl_id);
		for (size_t i = 0; i < site_figures_n; i++) {
			if (!present[i])
				continue;
			if (nights[k].has[i])
				fmt_fig(v, sizeof v, &site_figures[i], nights[k].fig[i]);
			else
				snprintf(v, sizeof v, "n/a");
			rbuf_printf(b, "<td>%s</td>", v);
		}
		if (nights[k].report)
			rbuf_printf(
			    b, "<td><a href=\"nights/%" PRId64 "/report.html\">report</a></td>",
			    nights[k].crawl_id);
		else
			rbuf_puts(b, "<td class=\"mut\">not kept</td>");
		rbuf_puts(b, "</tr>\n");
	}
	rbuf_puts(b, "</tbody>\n</table>\n</section>\n</main>\n<footer class=\"mut\"><p>Made by "
	             "tzcensus-analyze --site from the census database. Figures are defined in "
	             "the methodology of each night's report.</p></footer>\n</body>\n</html>\n");
out:
	free(nights);
	free(x);
	free(y);
}
