/*
 * Unit tests for analyzer/report*: renders the fixtures of tests/data/report/
 * (written by gen_fixtures.py following the report.json contract of docs/analyzer.md)
 * and checks the files: every output present, charts non-empty, the report
 * says what it lacks, peer text escaped for HTML/Markdown/CSV, addresses
 * truncated with anonymize, datapackage.json consistent with the CSVs, and
 * the same input giving the same bytes.
 *
 * TZ_REPORT_KEEP=DIR keeps the rendered reports in DIR/{first,history,empty,
 * anon,hostile} (tests/integration/report_render.sh uses it) and prints DIR.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "analyzer/report.h"

#define DATA   "tests/data/report"
#define HIST_N 12

static json_t *load(const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", DATA, name);
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);
	if (!j)
		fail_msg("%s:%d: %s", path, e.line, e.text);
	return j;
}

static void load_hist(json_t **h)
{
	for (int i = 0; i < HIST_N; i++) {
		char name[64];
		snprintf(name, sizeof name, "history/crawl-%02d.json", 30 + i);
		h[i] = load(name);
	}
}

static void free_hist(json_t **h)
{
	for (int i = 0; i < HIST_N; i++)
		json_decref(h[i]);
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return p;
}

/* A fresh output directory: under $TZ_REPORT_KEEP/<name> or a temp dir. */
static void outdir(char *out, size_t cap, const char *name)
{
	const char *keep = getenv("TZ_REPORT_KEEP");
	if (keep && *keep) {
		snprintf(out, cap, "%s/%s", keep, name);
		mkdir(keep, 0755);
		mkdir(out, 0755);
		return;
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(out, cap, "%s/tzreport-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(out));
}

static void rmdir_all(const char *dir)
{
	const char *keep = getenv("TZ_REPORT_KEEP");
	if (keep && *keep)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[1024];
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static void render_ok(const char *dir, const json_t *cur, json_t *const *hist, size_t n, bool anon)
{
	struct report_opts o;
	report_opts_default(&o);
	o.anonymize = anon;
	char err[256] = "";
	enum err rc = report_render(dir, cur, hist, n, &o, err, sizeof err);
	if (rc != ERR_OK)
		fail_msg("report_render: %s (%s)", err_str(rc), err);
}

static const char *const CHARTS[] = {"size", "outcomes", "attack",   "coreness",
                                     "pow",  "lag",      "prefixes", "peers_per_ip"};
#define CHARTS_N (sizeof CHARTS / sizeof CHARTS[0])

/* Every chart inline in the HTML with drawing elements, and as an .svg file. */
static void check_charts(const char *dir, const char *html)
{
	for (size_t i = 0; i < CHARTS_N; i++) {
		char needle[64];
		snprintf(needle, sizeof needle, "<svg id=\"%s\"", CHARTS[i]);
		const char *s = strstr(html, needle);
		if (!s)
			fail_msg("chart %s missing from report.html", CHARTS[i]);
		const char *e = strstr(s, "</svg>");
		assert_non_null(e);
		size_t body = (size_t)(e - s);
		assert_true(body > 300); /* title, frame and at least some drawing */
		char fname[64];
		snprintf(fname, sizeof fname, "%s.svg", CHARTS[i]);
		size_t len;
		char *svg = slurp(dir, fname, &len);
		if (!svg)
			fail_msg("%s/%s missing", dir, fname);
		assert_non_null(strstr(svg, "xmlns=\"http://www.w3.org/2000/svg\""));
		assert_non_null(strstr(svg, "</svg>"));
		free(svg);
	}
}

/* datapackage.json lists every CSV with a header row equal to its fields. */
static void check_datapackage(const char *dir)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/datapackage.json", dir);
	json_error_t e;
	json_t *dp = json_load_file(path, 0, &e);
	assert_non_null(dp);
	assert_string_equal(json_string_value(json_object_get(dp, "profile")),
	                    "tabular-data-package");
	json_t *res = json_object_get(dp, "resources");
	assert_true(json_array_size(res) >= 12);
	size_t i;
	json_t *r;
	json_array_foreach(res, i, r)
	{
		const char *p = json_string_value(json_object_get(r, "path"));
		assert_non_null(p);
		char *csv = slurp(dir, p, NULL);
		if (!csv)
			fail_msg("datapackage lists %s but it is missing", p);
		char header[1024] = "";
		size_t k;
		json_t *f;
		json_array_foreach(json_object_get(json_object_get(r, "schema"), "fields"), k, f)
		{
			const char *type = json_string_value(json_object_get(f, "type"));
			assert_non_null(type);
			assert_non_null(json_string_value(json_object_get(f, "description")));
			if (k)
				strncat(header, ",", sizeof header - strlen(header) - 1);
			strncat(header, json_string_value(json_object_get(f, "name")),
			        sizeof header - strlen(header) - 1);
		}
		strncat(header, "\r\n", sizeof header - strlen(header) - 1);
		if (strncmp(csv, header, strlen(header)) != 0)
			fail_msg("%s header is not %s", p, header);
		free(csv);
	}
	json_decref(dp);
}

/*
 * Every CSV cell is either a number (unquoted) or a quoted string that a
 * spreadsheet will not run as a formula (no leading = + - @).
 */
static void check_csv_cells(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t nl = strlen(e->d_name);
		if (nl < 4 || strcmp(e->d_name + nl - 4, ".csv") != 0)
			continue;
		char *text = slurp(dir, e->d_name, NULL);
		assert_non_null(text);
		char *p = strstr(text, "\r\n"); /* after the header row */
		while (p && *p) {
			if (*p == '\r' || *p == '\n' || *p == ',') {
				p++;
				continue;
			}
			if (*p == '"') {
				if (strchr("=+-@", p[1]))
					fail_msg("%s: a cell starts with %c: %.40s", e->d_name,
					         p[1], p);
				for (p++; *p && !(*p == '"' && p[1] != '"'); p += *p == '"' ? 2 : 1)
					;
				if (*p)
					p++;
				continue;
			}
			char *end;
			strtod(p, &end);
			if (end == p || (*end && *end != ',' && *end != '\r'))
				fail_msg("%s: unquoted cell is not a number: %.40s", e->d_name, p);
			p = end;
		}
		free(text);
	}
	closedir(d);
}

static void check_common(const char *dir, char **html_out)
{
	char *html = slurp(dir, "report.html", NULL);
	char *md = slurp(dir, "report.md", NULL);
	assert_non_null(html);
	assert_non_null(md);
	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "@import"));
	assert_null(strstr(html, "url("));
	assert_non_null(strstr(html, "@media print"));
	assert_non_null(strstr(html, "name=\"viewport\""));
	static const char *const sections[] = {
	    "Provenance",    "Headline figures", "Network size over time",
	    "Reachability",  "Resilience",       "Versions and metadata",
	    "Concentration", "Methodology",      "Compare with", "Where the nodes are"};
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		if (!strstr(html, sections[i]))
			fail_msg("report.html lacks section %s", sections[i]);
		if (!strstr(md, sections[i]))
			fail_msg("report.md lacks section %s", sections[i]);
	}
	/* Markdown references the SVG files */
	assert_non_null(strstr(md, "](attack.svg)"));
	check_charts(dir, html);
	check_datapackage(dir);
	check_csv_cells(dir);
	free(md);
	if (html_out)
		*html_out = html;
	else
		free(html);
}

/*
 * "Where the nodes are": the figures of the fixture's location keys reach
 * the page, the headline, the CSVs and datapackage.json.
 */
static void check_location(const char *dir, const json_t *cur)
{
	char *html = slurp(dir, "report.html", NULL);
	assert_non_null(strstr(html, "<section id=\"location\">"));
	assert_non_null(strstr(html, "Located with the IPFire Project location database of "));
	assert_non_null(strstr(html, "Nakamoto coefficient (AS)"));
	assert_non_null(strstr(html, "Nakamoto coefficient (country)"));
	assert_non_null(strstr(html, "Resilience by AS"));
	assert_non_null(strstr(html, "Minimum AS cut: AS"));
	assert_null(strstr(html, "No location database"));
	const json_t *conc = json_object_get(cur, "concentration");
	const json_t *a0 = json_array_get(json_object_get(json_object_get(conc, "by_asn"), "top"), 0);
	char want[160];
	snprintf(want, sizeof want, "<td>AS%" JSON_INTEGER_FORMAT "</td>",
	         json_integer_value(json_object_get(a0, "asn")));
	if (!strstr(html, want))
		fail_msg("report.html lacks the largest AS cell %s", want);
	free(html);
	char *csv = slurp(dir, "as_top.csv", NULL);
	snprintf(want, sizeof want, "%" JSON_INTEGER_FORMAT ",\"%s\",%" JSON_INTEGER_FORMAT ",",
	         json_integer_value(json_object_get(a0, "asn")),
	         json_string_value(json_object_get(a0, "name")),
	         json_integer_value(json_object_get(a0, "nodes")));
	if (!strstr(csv, want))
		fail_msg("as_top.csv lacks the row %s", want);
	assert_non_null(strstr(csv, ",\"unknown\","));
	free(csv);
	static const char *const files[] = {"location_concentration.csv", "country_top.csv",
	                                    "provider_top.csv", "as_attack.csv", "asns.svg",
	                                    "countries.svg", "providers.svg", "as_attack.svg"};
	char *dp = slurp(dir, "datapackage.json", NULL);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		size_t len = 0;
		char *f = slurp(dir, files[i], &len);
		if (!f || len == 0)
			fail_msg("%s missing or empty", files[i]);
		free(f);
		if (strstr(files[i], ".csv") && !strstr(dp, files[i]))
			fail_msg("datapackage.json lacks %s", files[i]);
	}
	free(dp);
	csv = slurp(dir, "location_concentration.csv", NULL);
	assert_non_null(strstr(csv, "\"asn\","));
	assert_non_null(strstr(csv, "\"country\","));
	assert_non_null(strstr(csv, "\"provider\","));
	free(csv);
	char *md = slurp(dir, "report.md", NULL);
	assert_non_null(strstr(md, "## Where the nodes are"));
	assert_non_null(strstr(md, "](asns.svg)"));
	free(md);
}

static void test_first_crawl(void **state)
{
	(void)state;
	json_t *cur = load("crawl-42.json");
	char dir[512];
	outdir(dir, sizeof dir, "first");
	render_ok(dir, cur, NULL, 0, false);
	char *html;
	check_common(dir, &html);
	assert_non_null(strstr(html, "What this report lacks"));
	assert_non_null(strstr(html, "No earlier crawl was given"));
	assert_non_null(strstr(html, "No earlier crawl was available, so no change is shown."));
	/* figures of the fixture reach the page */
	assert_non_null(strstr(html, "1,432"));                       /* points seen */
	/* public ratio 312 / (312 + 118 unverified + 946 unreachable) */
	assert_non_null(strstr(html, "<td class=\"n\">22.7%</td>"));
	assert_non_null(strstr(html, "ranked once, not recomputed")); /* attack_curves.adaptive */
	assert_non_null(strstr(html, "mean of 10 seeded runs"));
	assert_non_null(strstr(html, "Definitions recorded by the analyzer"));
	assert_non_null(strstr(html, "July 2020")); /* compare-with box has dates */
	free(html);
	char *csv = slurp(dir, "outcomes.csv", NULL);
	assert_non_null(strstr(csv, "\"ok\",273,"));
	free(csv);
	check_location(dir, cur);
	rmdir_all(dir);
	json_decref(cur);
}

static void test_with_history(void **state)
{
	(void)state;
	json_t *cur = load("crawl-42.json");
	json_t *h[HIST_N];
	load_hist(h);
	char dir[512];
	outdir(dir, sizeof dir, "history");
	render_ok(dir, cur, h, HIST_N, false);
	char *html;
	check_common(dir, &html);
	assert_non_null(strstr(html, "vs previous (#41)"));
	assert_non_null(strstr(html, "vs 7 days (#36)"));
	assert_non_null(strstr(html, "vs 30 days (#30)"));
	assert_null(strstr(html, "No earlier crawl"));
	assert_null(strstr(html, "What this report lacks"));
	free(html);
	char *csv = slurp(dir, "size_over_time.csv", NULL);
	int rows = 0;
	for (char *p = csv; (p = strstr(p, "\r\n")); p += 2)
		rows++;
	assert_int_equal(rows, 1 + HIST_N + 1);
	free(csv);
	/* headline: public 312 now; compare with crawl 41's value */
	double prev =
	    json_number_value(json_object_get(json_object_get(h[HIST_N - 1], "counts"), "public"));
	char want[64];
	snprintf(want, sizeof want, "\"Public nodes\",\"nodes\",312,41,%.0f,%.0f,", prev,
	         312 - prev);
	csv = slurp(dir, "headline.csv", NULL);
	if (!strstr(csv, want))
		fail_msg("headline.csv lacks %s:\n%s", want, csv);
	free(csv);
	rmdir_all(dir);
	free_hist(h);
	json_decref(cur);
}

/* A history that also holds this crawl (and a non-object) is cleaned up. */
static void test_history_with_current(void **state)
{
	(void)state;
	json_t *cur = load("crawl-42.json");
	json_t *h[HIST_N + 2];
	load_hist(h);
	h[HIST_N] = json_copy(cur);
	h[HIST_N + 1] = json_string("not a report");
	char dir[512];
	outdir(dir, sizeof dir, "history-cur");
	render_ok(dir, cur, h, HIST_N + 2, false);
	char *html = slurp(dir, "report.html", NULL);
	assert_non_null(strstr(html, "vs previous (#41)"));
	assert_non_null(strstr(html, "12 (#30, 2026-10-25 to #41, 2026-11-23)"));
	free(html);
	rmdir_all(dir);
	free_hist(h);
	json_decref(h[HIST_N]);
	json_decref(h[HIST_N + 1]);
	json_decref(cur);
}

static void test_empty_crawl(void **state)
{
	(void)state;
	json_t *cur = load("empty.json");
	json_t *h[HIST_N];
	load_hist(h);
	char dir[512];
	outdir(dir, sizeof dir, "empty");
	render_ok(dir, cur, h, HIST_N, false);
	char *html;
	check_common(dir, &html);
	assert_non_null(strstr(html, "No seed answered"));
	assert_non_null(strstr(html, "No attack curves"));
	assert_non_null(strstr(html, "no coreness histogram"));
	/* changes read like the figures: thousands separated */
	assert_non_null(strstr(html, "<td>Points seen</td><td class=\"n\">6</td><td "
	                             "class=\"n\">-1,333</td>"));
	free(html);
	char *md = slurp(dir, "report.md", NULL);
	assert_non_null(strstr(md, "No seed answered"));
	free(md);
	rmdir_all(dir);
	free_hist(h);
	json_decref(cur);
}

static void test_minimal_json(void **state)
{
	(void)state;
	json_t *cur = json_pack("{s:i}", "schema_version", 1);
	char dir[512];
	outdir(dir, sizeof dir, "minimal");
	render_ok(dir, cur, NULL, 0, false);
	char *html = slurp(dir, "report.html", NULL);
	assert_non_null(strstr(html, "report.json has no counts.public"));
	assert_non_null(strstr(html, "report.json has no graph figures"));
	assert_non_null(strstr(html, "have no start time: the size chart places crawls by order"));
	free(html);
	rmdir_all(dir);
	json_decref(cur);
}

/* Many histogram values: all in the CSV, grouped into at most 32 bars. */
static void test_many_bins(void **state)
{
	(void)state;
	json_t *lag = json_object();
	for (int i = 0; i < 100; i++) {
		char k[16];
		snprintf(k, sizeof k, "%d", i * 3);
		json_object_set_new(lag, k, json_integer(100 - i));
	}
	json_t *cur = json_pack("{s:i, s:{s:i, s:o}}", "schema_version", 1, "heads", "max_level",
	                        5000, "lag_histogram", lag);
	char dir[512];
	outdir(dir, sizeof dir, "bins");
	render_ok(dir, cur, NULL, 0, false);
	char *svg = slurp(dir, "lag.svg", NULL);
	int bars = 0;
	for (char *p = svg; (p = strstr(p, "<rect x=")); p++)
		bars++;
	assert_true(bars >= 25 && bars <= 32);
	assert_non_null(strstr(svg, ">0-9<")); /* first group: values 0, 3, 6, 9 */
	assert_non_null(strstr(svg, "<title>0-9: 394</title>")); /* 100 + 99 + 98 + 97 */
	/* no more category labels than fit side by side: 7 units a character */
	int labels = 0;
	for (char *p = svg; (p = strstr(p, "text-anchor=\"middle\" fill=\"#4b5563\">")); p++)
		labels++;
	assert_true(labels >= 5 && labels <= 560 / (7 * 7 + 8));
	free(svg);
	char *csv = slurp(dir, "head_lag.csv", NULL);
	int rows = 0;
	for (char *p = csv; (p = strstr(p, "\r\n")); p += 2)
		rows++;
	assert_int_equal(rows, 101);
	free(csv);
	rmdir_all(dir);
	json_decref(cur);
}

/* A whole-number histogram with gaps draws the missing values as empty bars,
 * so the bars read as an axis; the CSV keeps only the values reported. */
static void test_hist_gaps(void **state)
{
	(void)state;
	json_t *cur = json_pack("{s:i, s:{s:{s:i, s:i, s:i}}}", "schema_version", 1, "metadata",
	                        "pow_bits", "26", 5, "28", 3, "31", 1);
	char dir[512];
	outdir(dir, sizeof dir, "gaps");
	render_ok(dir, cur, NULL, 0, false);
	char *svg = slurp(dir, "pow.svg", NULL);
	assert_non_null(svg);
	static const char *const want[] = {"<title>26: 5</title>", "<title>27: 0</title>",
	                                   "<title>28: 3</title>", "<title>29: 0</title>",
	                                   "<title>30: 0</title>", "<title>31: 1</title>"};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(svg, want[i]))
			fail_msg("pow.svg lacks %s", want[i]);
	free(svg);
	char *csv = slurp(dir, "pow_bits.csv", NULL);
	assert_string_equal(csv, "pow_bits,nodes\r\n26,5\r\n28,3\r\n31,1\r\n");
	free(csv);
	rmdir_all(dir);
	json_decref(cur);
}

/* "vertex connectivity over strong edges" is explained, and its 0 too. */
static void test_strong_explained(void **state)
{
	(void)state;
	json_t *cur = load("crawl-42.json");
	char dir[512];
	outdir(dir, sizeof dir, "strong");
	render_ok(dir, cur, NULL, 0, false);
	char *html = slurp(dir, "report.html", NULL);
	assert_non_null(strstr(html, "Vertex connectivity over strong edges counts only"));
	assert_null(strstr(html, "the strong edges alone do not connect"));
	free(html);
	json_object_set_new(json_object_get(json_object_get(cur, "graph"), "core"),
	                    "strong_vertex_connectivity", json_integer(0));
	render_ok(dir, cur, NULL, 0, false);
	html = slurp(dir, "report.html", NULL);
	assert_non_null(strstr(html, "It is 0 here: the strong edges alone do not connect"));
	free(html);
	char *md = slurp(dir, "report.md", NULL);
	assert_non_null(strstr(md, "It is 0 here: the strong edges alone do not connect"));
	free(md);
	rmdir_all(dir);
	json_decref(cur);
}

static void test_bad_input(void **state)
{
	(void)state;
	char err[256];
	json_t *cur = json_pack("{s:i}", "schema_version", 2);
	assert_int_equal(report_render("/tmp", cur, NULL, 0, NULL, err, sizeof err), ERR_INVAL);
	assert_non_null(strstr(err, "schema_version"));
	json_decref(cur);
	json_t *arr = json_array();
	assert_int_equal(report_render("/tmp", arr, NULL, 0, NULL, err, sizeof err), ERR_INVAL);
	json_decref(arr);
	cur = load("crawl-42.json");
	assert_int_equal(report_render("/nonexistent/dir/x", cur, NULL, 0, NULL, err, sizeof err),
	                 ERR_IO);
	assert_non_null(strstr(err, "/nonexistent/dir/x/report.html"));
	json_decref(cur);
}

/* Renders cur twice into fresh directories and compares every file written
 * (HTML, Markdown, each CSV and SVG, datapackage.json), both ways round so a
 * file only one render wrote is caught too. Returns the number of files. */
static int render_twice_same(const json_t *cur, json_t *const *hist, size_t n, bool anon)
{
	char a[512], b[512];
	snprintf(a, sizeof a, "%s/tzreport-a-XXXXXX", "/tmp");
	snprintf(b, sizeof b, "%s/tzreport-b-XXXXXX", "/tmp");
	assert_non_null(mkdtemp(a));
	assert_non_null(mkdtemp(b));
	render_ok(a, cur, hist, n, anon);
	render_ok(b, cur, hist, n, anon);
	int files[2] = {0, 0};
	for (int side = 0; side < 2; side++) {
		const char *x_dir = side ? b : a, *y_dir = side ? a : b;
		DIR *d = opendir(x_dir);
		assert_non_null(d);
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			size_t lx, ly;
			char *x = slurp(x_dir, e->d_name, &lx), *y = slurp(y_dir, e->d_name, &ly);
			assert_non_null(x);
			if (!y || lx != ly || memcmp(x, y, lx) != 0)
				fail_msg("%s differs between two renders", e->d_name);
			free(x);
			free(y);
			files[side]++;
		}
		closedir(d);
	}
	assert_int_equal(files[0], files[1]);
	/* rmdir_all keeps dirs when TZ_REPORT_KEEP is set; these are always ours */
	const char *keep = getenv("TZ_REPORT_KEEP");
	char *saved = keep ? strdup(keep) : NULL;
	unsetenv("TZ_REPORT_KEEP");
	rmdir_all(a);
	rmdir_all(b);
	if (saved)
		setenv("TZ_REPORT_KEEP", saved, 1);
	free(saved);
	return files[0];
}

/* Same inputs, same bytes: every fixture, every output file. */
static void test_deterministic(void **state)
{
	(void)state;
	json_t *cur = load("crawl-42.json"), *empty = load("empty.json"),
	       *hostile = load("hostile.json"), *minimal = json_pack("{s:i}", "schema_version", 1);
	json_t *h[HIST_N];
	load_hist(h);
	assert_true(render_twice_same(cur, h, HIST_N, false) >= 25);
	assert_true(render_twice_same(cur, NULL, 0, false) >= 25);
	assert_true(render_twice_same(cur, NULL, 0, true) >= 25);
	assert_true(render_twice_same(empty, h, HIST_N, false) >= 25);
	assert_true(render_twice_same(hostile, NULL, 0, false) >= 25);
	assert_true(render_twice_same(minimal, NULL, 0, false) >= 25);
	free_hist(h);
	json_decref(cur);
	json_decref(empty);
	json_decref(hostile);
	json_decref(minimal);
}

static bool contains_all_files(const char *dir, const char *needle)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	bool found = false;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *x = slurp(dir, e->d_name, NULL);
		found = x && strstr(x, needle);
		free(x);
	}
	closedir(d);
	return found;
}

static void test_hostile_strings(void **state)
{
	(void)state;
	json_t *cur = load("hostile.json");
	char dir[512];
	outdir(dir, sizeof dir, "hostile");
	render_ok(dir, cur, NULL, 0, false);
	char *html = slurp(dir, "report.html", NULL);
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_null(strstr(html, "<a href=\"http://e.invalid"));
	assert_non_null(strstr(html, "\\x0a"));     /* the newline shown, not obeyed */
	assert_non_null(strstr(html, "\\u{202e}")); /* the bidi override shown */
	free(html);
	char *md = slurp(dir, "report.md", NULL);
	assert_non_null(strstr(md, "\\<script\\>alert\\(1\\)\\</script\\>\\|\\*x\\*\\|\\[a\\]"));
	assert_null(strstr(md, "[a](http"));
	free(md);
	char *csv = slurp(dir, "versions.csv", NULL);
	assert_non_null(strstr(
	    csv, "\"'=HYPERLINK(\"\"http://e.invalid\"\")\\x0a\\u{202e}TENNIAM\",0,0,1\r\n"));
	free(csv);
	/* a release is text from a node's RPC answer too: table, chart and CSV */
	html = slurp(dir, "report.html", NULL);
	assert_null(strstr(html, "<script>alert(2)"));
	assert_non_null(strstr(html, "<code>&lt;script&gt;alert(2)&lt;/script&gt;|*y*|[b]"));
	free(html);
	csv = slurp(dir, "releases.csv", NULL);
	assert_non_null(csv);
	assert_non_null(strstr(csv, "\"'@SUM(B1)\\x0a\\u{202e}v9\",1,"));
	free(csv);
	char *rsvg = slurp(dir, "releases.svg", NULL);
	assert_non_null(rsvg);
	/* bar labels are cut to 20 characters as shown (escapes count), escaped
	 * like the rest; never inside an escaped character */
	assert_non_null(strstr(rsvg, ">&lt;script&gt;alert(2)&lt;...</text>"));
	assert_non_null(strstr(rsvg, ">@SUM(B1)\\x0a...</text>"));
	assert_non_null(strstr(rsvg, ">v23.0~rc1</text>"));
	assert_null(strstr(rsvg, "<script>"));
	free(rsvg);
	assert_false(contains_all_files(dir, "\xe2\x80\xae")); /* raw U+202E nowhere */
	/* an AS name is foreign text too: neutralised in the CSV, escaped in the page */
	csv = slurp(dir, "as_top.csv", NULL);
	assert_non_null(strstr(csv, "\"'=HYPERLINK(\"\"http://e.invalid\"\")\\x0a\\u{202e}TENNIAM\""));
	free(csv);
	/* this fixture gives attack curves as {"removed", "giant"} objects */
	char *svg = slurp(dir, "attack.svg", NULL);
	assert_non_null(strstr(svg, "<polyline"));
	free(svg);
	csv = slurp(dir, "attack_curves.csv", NULL);
	assert_non_null(strstr(csv, "\"random\",0.5,"));
	free(csv);
	check_common(dir, NULL);
	rmdir_all(dir);
	/* peer text in every other CSV column that holds it, as formulas */
	json_t *core = json_object_get(json_object_get(cur, "graph"), "core");
	json_object_set_new(json_array_get(json_object_get(core, "betweenness_top"), 0), "id",
	                    json_string("@SUM(A1)"));
	json_object_set_new(json_array_get(json_object_get(core, "min_vertex_cut_nodes"), 0),
	                    "point", json_string("=1+1"));
	json_t *liar = json_pack("{s:s, s:s, s:i, s:i}", "id", "-2+3", "point", "@x", "level",
	                         100000000, "ahead", 90000000);
	json_object_set_new(json_object_get(cur, "heads"), "outliers", json_pack("[o]", liar));
	json_t *conc = json_object_get(cur, "concentration");
	json_object_set_new(json_array_get(json_object_get(conc, "ips_with_many_peer_ids"), 0),
	                    "ip", json_string("+cmd"));
	json_object_set_new(json_object_get(cur, "counts"), "outcomes",
	                    json_pack("{s:i}", "-x", 1));
	outdir(dir, sizeof dir, "hostile-csv");
	render_ok(dir, cur, NULL, 0, false);
	check_common(dir, NULL);
	csv = slurp(dir, "betweenness_top.csv", NULL);
	assert_non_null(strstr(csv, "\"'@SUM(A1)\""));
	free(csv);
	csv = slurp(dir, "min_vertex_cut.csv", NULL);
	assert_non_null(strstr(csv, "\"'=1+1\""));
	free(csv);
	csv = slurp(dir, "head_outliers.csv", NULL);
	assert_non_null(strstr(csv, "\"'-2+3\",\"'@x\",100000000,90000000\r\n"));
	free(csv);
	rmdir_all(dir);
	json_decref(cur);
}

/* Does datapackage.json in dir list the CSV name? */
static bool dp_lists(const char *dir, const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/datapackage.json", dir);
	json_error_t e;
	json_t *dp = json_load_file(path, 0, &e);
	assert_non_null(dp);
	bool found = false;
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(dp, "resources"), i, r)
	{
		const char *p = json_string_value(json_object_get(r, "path"));
		found |= p && strcmp(p, name) == 0;
	}
	json_decref(dp);
	return found;
}

/*
 * The versions section shows report.json releases: the coverage line, the
 * sentence that the release is known only for nodes with a public RPC, a
 * chart and a table of releases.top (releases.csv, in datapackage.json).
 * With the probe off: a sentence saying so, no table, chart or CSV.
 */
static void test_releases(void **state)
{
	(void)state;
	json_t *cur = load("crawl-42.json");
	const json_t *top = json_object_get(json_object_get(cur, "releases"), "top");
	assert_int_equal(json_array_size(top), 8);
	static const char why[] = "The release is known only for nodes with a public RPC";
	char dir[512];
	outdir(dir, sizeof dir, "releases");
	render_ok(dir, cur, NULL, 0, false);
	check_common(dir, NULL);
	char *html = slurp(dir, "report.html", NULL);
	const char *sec = strstr(html, "<h3>Octez releases</h3>");
	assert_non_null(sec);
	const char *end = strstr(sec, "<h3>Flags</h3>");
	assert_non_null(end);
	assert_true(sec > strstr(html, "Versions and metadata"));
	const char *at = strstr(sec, "Release known for 96 of 312 public nodes (coverage 30.8%).");
	assert_true(at && at < end);
	at = strstr(sec, why);
	assert_true(at && at < end);
	at = strstr(sec, "<svg id=\"releases\"");
	assert_true(at && at < end);
	at = strstr(sec, "<tr><td><code>v22.1</code></td><td class=\"n\">46</td><td "
	                 "class=\"n\">47.9%</td></tr>");
	assert_true(at && at < end);
	at = strstr(sec, "<td><code>v22.1+dev</code></td><td class=\"n\">1</td>");
	assert_true(at && at < end);
	free(html);
	char *md = slurp(dir, "report.md", NULL);
	assert_non_null(strstr(md, "### Octez releases"));
	assert_non_null(strstr(md, "Release known for 96 of 312 public nodes (coverage 30.8%)."));
	assert_non_null(strstr(md, why));
	assert_non_null(strstr(md, "| v22\\.1 | 46 | 47.9% |"));
	assert_non_null(strstr(md, "](releases.svg)"));
	free(md);
	char *csv = slurp(dir, "releases.csv", NULL);
	assert_non_null(csv);
	static const char head[] = "release,nodes,share\r\n\"v22.1\",46,0.4791666667\r\n";
	assert_int_equal(strncmp(csv, head, strlen(head)), 0);
	size_t lines = 0;
	for (const char *p = csv; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 1 + json_array_size(top));
	free(csv);
	char *svg = slurp(dir, "releases.svg", NULL);
	assert_non_null(svg);
	assert_non_null(strstr(svg, ">v23.0~rc1</text>"));
	free(svg);
	assert_true(dp_lists(dir, "releases.csv"));
	rmdir_all(dir);

	/* the probe was on, no RPC server answered with a release */
	json_t *rel = json_object_get(cur, "releases");
	json_object_set_new(rel, "known", json_integer(0));
	json_object_set_new(rel, "coverage", json_real(0));
	json_object_set_new(rel, "top", json_array());
	outdir(dir, sizeof dir, "releases-none");
	render_ok(dir, cur, NULL, 0, false);
	check_common(dir, NULL);
	html = slurp(dir, "report.html", NULL);
	assert_non_null(strstr(html, "Release known for 0 of 312 public nodes (coverage 0.0%)."));
	assert_non_null(strstr(html, why));
	assert_non_null(strstr(html, "No public node&#39;s RPC server answered with a release."));
	free(html);
	rmdir_all(dir);

	/* the probe was off: said so, nothing else */
	json_object_set_new(rel, "probed", json_false());
	outdir(dir, sizeof dir, "releases-off");
	render_ok(dir, cur, NULL, 0, false);
	check_common(dir, NULL);
	html = slurp(dir, "report.html", NULL);
	assert_non_null(strstr(html, "No Octez release: the crawler&#39;s RPC probe was off."));
	assert_null(strstr(html, "<svg id=\"releases\""));
	char *vs = strstr(html, "<h3>Octez releases</h3>"); /* to Flags: this crawl's releases */
	assert_non_null(vs);
	char *ve = strstr(vs, "<h3>Flags</h3>");
	assert_non_null(ve);
	*ve = '\0';
	assert_non_null(strstr(vs, "<p>The crawler&#39;s RPC probe was off for this crawl"));
	assert_null(strstr(vs, why));
	assert_null(strstr(vs, "Release known for"));
	assert_null(strstr(vs, "<th>Release</th>"));
	free(html);
	assert_null(slurp(dir, "releases.csv", NULL));
	assert_null(slurp(dir, "releases.svg", NULL));
	assert_false(dp_lists(dir, "releases.csv"));
	rmdir_all(dir);
	json_decref(cur);
}

struct missing {
	char list[4096];
	int n;
};

static void render_missing(const json_t *cur, struct missing *m);

static size_t count_of(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/*
 * Stability's versions over time carry the Octez release (history
 * crawls[].versions[].release: a Release column, n/a where not known), and
 * "Octez releases over time" draws the five most common releases' shares per
 * crawl with releases_over_time.csv; without the probe in the window, a
 * sentence and neither.
 */
static void test_releases_over_time(void **state)
{
	(void)state;
	json_t *cur = load("crawl-42.json");
	const json_t *crawls = json_object_get(json_object_get(cur, "history"), "crawls");
	size_t rows = 0, nulls = 0;
	for (size_t i = 0; i < json_array_size(crawls); i++) {
		const json_t *a = json_object_get(json_array_get(crawls, i), "releases");
		rows += json_array_size(a);
		nulls += json_is_null(a);
	}
	assert_true(nulls > 0 && rows > 0); /* the fixture has crawls with and without the probe */
	char dir[512];
	outdir(dir, sizeof dir, "releases-time");
	render_ok(dir, cur, NULL, 0, false);
	check_common(dir, NULL);
	char *html = slurp(dir, "report.html", NULL);
	char *st = strstr(html, "<section id=\"stability\">");
	assert_non_null(st);
	char *vot = strstr(st, "<h3>Versions over time</h3>");
	assert_non_null(vot);
	assert_non_null(strstr(vot, "<th>Release</th>"));
	assert_non_null(strstr(vot,
	                       "<td class=\"n\">42</td><td><code>TEZOS_MAINNET</code></td><td "
	                       "class=\"n\">2</td><td class=\"n\">1</td><td><code>v22.1</code></"
	                       "td><td class=\"n\">46</td>"));
	assert_non_null(strstr(vot, "<td class=\"n\">1</td><td>n/a</td><td class=\"n\">204</td>"));
	char *rot = strstr(st, "<h3>Octez releases over time</h3>");
	assert_non_null(rot);
	char *svg = strstr(rot, "<svg id=\"releases_over_time\"");
	assert_non_null(svg);
	char *svg_end = strstr(svg, "</svg>");
	*svg_end = '\0';
	assert_int_equal(count_of(svg, "<g class=\"series\""), 5);
	assert_non_null(strstr(svg, "<g class=\"series\" data-name=\"v22.1\">"));
	assert_int_equal(count_of(svg, "<polyline"), 5);
	*svg_end = '<';
	assert_non_null(
	    strstr(rot, "<td class=\"n\">42</td><td>2026-11-24T02:00:42Z</td><td><code>"
	                "v22.1</code></td><td class=\"n\">46</td><td class=\"n\">47.9%</td>"));
	free(html);
	char *csv = slurp(dir, "releases_over_time.csv", NULL);
	assert_non_null(csv);
	static const char head[] = "crawl_id,started_at,release,nodes,share\r\n"
	                           "42,\"2026-11-24T02:00:42Z\",\"v22.1\",46,0.4791666667\r\n";
	assert_int_equal(strncmp(csv, head, strlen(head)), 0);
	assert_int_equal(count_of(csv, "\n"), 1 + rows);
	free(csv);
	csv = slurp(dir, "versions_over_time.csv", NULL);
	assert_non_null(strstr(csv, "\r\n42,\"TEZOS_MAINNET\",2,1,\"v22.1\",46\r\n"));
	assert_non_null(strstr(csv, "\r\n42,\"TEZOS_MAINNET\",2,1,,204\r\n"));
	free(csv);
	assert_true(dp_lists(dir, "releases_over_time.csv"));
	rmdir_all(dir);

	/* no crawl of the window ran the probe: said so, no chart, no CSV */
	for (size_t i = 0; i < json_array_size(crawls); i++)
		json_object_set_new(json_array_get(crawls, i), "releases", json_null());
	outdir(dir, sizeof dir, "releases-time-off");
	render_ok(dir, cur, NULL, 0, false);
	check_common(dir, NULL);
	html = slurp(dir, "report.html", NULL);
	assert_non_null(strstr(html, "No crawl of the window ran the crawler&#39;s RPC probe"));
	assert_null(strstr(html, "<svg id=\"releases_over_time\""));
	free(html);
	assert_null(slurp(dir, "releases_over_time.csv", NULL));
	rmdir_all(dir);

	/* a history without the key is reported as lacking it */
	json_object_del(json_array_get(crawls, 3), "releases");
	struct missing m;
	render_missing(cur, &m);
	assert_string_equal(m.list, "history.crawls[].releases");
	json_decref(cur);
}

/* Does `addr` occur in text as a whole address (not part of a longer one)? */
static bool has_address(const char *text, const char *addr)
{
	size_t n = strlen(addr);
	for (const char *p = text; (p = strstr(p, addr)); p++) {
		char before = p > text ? p[-1] : ' ', after = p[n];
		bool hexy_b = (before >= '0' && before <= '9') || before == '.' || before == ':' ||
		              (before >= 'a' && before <= 'f');
		bool hexy_a = (after >= '0' && after <= '9') || (after >= 'a' && after <= 'f') ||
		              (after == '.' && p[n + 1] >= '0' && p[n + 1] <= '9');
		if (!hexy_b && !hexy_a)
			return true;
	}
	return false;
}

/* The address part of a point line of crawl-42.addresses. */
static void addr_of(const char *line, char *out, size_t cap)
{
	if (line[0] == '[') {
		const char *e = strchr(line, ']');
		snprintf(out, cap, "%.*s", (int)(e - line - 1), line + 1);
		return;
	}
	const char *c = strchr(line, ':');
	if (c && !strchr(c + 1, ':'))
		snprintf(out, cap, "%.*s", (int)(c - line), line);
	else
		snprintf(out, cap, "%s", line);
}

static int count_leaks(const char *dir, char *addrs, int *checked)
{
	int leaks = 0;
	*checked = 0;
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *text = slurp(dir, e->d_name, NULL);
		assert_non_null(text);
		char *save = NULL, *copy = strdup(addrs);
		for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char a[80];
			addr_of(l, a, sizeof a);
			/* also as report.md writes it: "198\\.51\\.100\\.7", "2001\\:db8..." */
			char md[160];
			size_t k = 0;
			for (const char *q = a; *q && k + 2 < sizeof md; q++) {
				if (*q == '.' || *q == ':')
					md[k++] = '\\';
				md[k++] = *q;
			}
			md[k] = '\0';
			(*checked)++;
			if (has_address(text, a) || has_address(text, md)) {
				if (leaks < 5)
					print_message("address %s appears in %s\n", a, e->d_name);
				leaks++;
			}
		}
		free(copy);
		free(text);
	}
	closedir(d);
	return leaks;
}

static void test_anonymize(void **state)
{
	(void)state;
	json_t *cur = load("crawl-42.json");
	char *addrs = slurp(DATA, "crawl-42.addresses", NULL);
	assert_non_null(addrs);
	char plain[512], anon[512];
	outdir(plain, sizeof plain, "plain");
	outdir(anon, sizeof anon, "anon");
	render_ok(plain, cur, NULL, 0, false);
	render_ok(anon, cur, NULL, 0, true);
	int checked;
	/* the check can fail: without anonymize the fixture's addresses do appear */
	assert_true(count_leaks(plain, addrs, &checked) > 0);
	assert_int_equal(count_leaks(anon, addrs, &checked), 0);
	assert_true(checked > 1000);
	char *html = slurp(anon, "report.html", NULL);
	assert_non_null(strstr(html, "anonymized: IPv4 truncated to /24, IPv6 to /48"));
	assert_non_null(strstr(html, "/24</code>")); /* a point-only node shown truncated */
	free(html);
	check_common(anon, NULL);
	rmdir_all(plain);
	rmdir_all(anon);
	free(addrs);
	json_decref(cur);
}

/* Crawls within one day (no UTC midnight between them): the size chart's
 * time axis still has labelled ticks, with the time of day. */
static void test_size_within_one_day(void **state)
{
	(void)state;
	json_t *cur = load("crawl-42.json"); /* started 2026-11-24T02:00:42Z */
	static const char *const at[] = {"2026-11-24T00:30:00Z", "2026-11-24T01:15:00Z"};
	json_t *h[2];
	for (int i = 0; i < 2; i++) {
		h[i] = json_deep_copy(cur);
		json_t *crawl = json_object_get(h[i], "crawl");
		json_object_set_new(crawl, "id", json_integer(40 + i));
		json_object_set_new(crawl, "started_at", json_string(at[i]));
	}
	char dir[512];
	outdir(dir, sizeof dir, "one-day");
	render_ok(dir, cur, h, 2, false);
	char *svg = slurp(dir, "size.svg", NULL);
	assert_non_null(svg);
	assert_non_null(strstr(svg, ">11-24 00:30</text>"));
	assert_non_null(strstr(svg, ">11-24 01:00</text>"));
	/* the last label ends at its tick instead of running off the chart */
	assert_non_null(strstr(svg, "text-anchor=\"end\" fill=\"#4b5563\">11-24 02:00</text>"));
	free(svg);
	rmdir_all(dir);
	json_decref(h[0]);
	json_decref(h[1]);
	json_decref(cur);
}

/* The value of field `field` in the CSV row whose first cell is `first`
 * (quoted as the renderer writes it, e.g. "\"Public ratio\"") or, with
 * first NULL, in the last row. */
static bool csv_field(const char *csv, const char *first, const char *field, double *v)
{
	const char *eol = strstr(csv, "\r\n");
	int col = -1, k = 0;
	for (const char *p = csv; p < eol; k++) {
		const char *c = memchr(p, ',', (size_t)(eol - p));
		size_t n = c ? (size_t)(c - p) : (size_t)(eol - p);
		if (n == strlen(field) && memcmp(p, field, n) == 0)
			col = k;
		p = c ? c + 1 : eol;
	}
	if (col < 0)
		return false;
	const char *row = NULL;
	for (const char *p = eol + 2; *p; p = strstr(p, "\r\n") + 2) {
		if (!first || strncmp(p, first, strlen(first)) == 0)
			row = p;
		if (first && row)
			break;
	}
	if (!row)
		return false;
	for (k = 0; k < col; k++) { /* quoted cells here hold no comma */
		row = strchr(row, ',');
		if (!row)
			return false;
		row++;
	}
	char *end;
	*v = strtod(row, &end);
	return end != row;
}

static bool near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(b) > 1 ? fabs(b) : 1);
}

/* Headline cards and table, its census sentence, "Compare with", report.md
 * and the CSVs all give report.json's counts.public and counts.public_ratio. */
static void check_figures_agree(const json_t *cur, json_t *const *hist, size_t hist_n,
                                const char *name)
{
	const json_t *counts = json_object_get(cur, "counts");
	double pub = json_number_value(json_object_get(counts, "public"));
	double ratio = 0;
	if (json_is_number(json_object_get(counts, "public_ratio")))
		ratio = json_number_value(json_object_get(counts, "public_ratio"));
	else /* the definition, when report.json leaves it out */
		ratio = pub / (pub + json_number_value(json_object_get(counts, "unverified")) +
		               json_number_value(json_object_get(counts, "unreachable")));
	char dir[512];
	outdir(dir, sizeof dir, name);
	render_ok(dir, cur, hist, hist_n, false);
	char *html = slurp(dir, "report.html", NULL), *md = slurp(dir, "report.md", NULL);
	char want[256];
	snprintf(want, sizeof want, "<div class=\"v\">%.0f</div>", pub); /* card */
	if (!strstr(html, want))
		fail_msg("%s: no public nodes card %s", name, want);
	snprintf(want, sizeof want, "<div class=\"v\">%.1f%%</div>", 100 * ratio);
	if (!strstr(html, want))
		fail_msg("%s: no public ratio card %s", name, want);
	snprintf(want, sizeof want, "<td>Public ratio</td><td class=\"n\">%.1f%%</td>",
	         100 * ratio);
	if (!strstr(html, want))
		fail_msg("%s: headline table lacks %s", name, want);
	snprintf(want, sizeof want, "Public ratio %.1f%% = %.0f public nodes / (%.0f public nodes",
	         100 * ratio, pub, pub);
	if (!strstr(html, want) || !strstr(md, want))
		fail_msg("%s: census sentence lacks %s", name, want);
	snprintf(want, sizeof want, "This crawl: %.0f public nodes, public ratio %.1f%% ", pub,
	         100 * ratio);
	if (!strstr(html, want) || !strstr(md, want))
		fail_msg("%s: Compare with lacks %s", name, want);
	free(html);
	free(md);
	double v = 0;
	char *csv = slurp(dir, "headline.csv", NULL);
	assert_true(csv_field(csv, "\"Public nodes\"", "value", &v));
	assert_true(near(v, pub));
	assert_true(csv_field(csv, "\"Public ratio\"", "value", &v));
	if (!near(v, ratio))
		fail_msg("%s: headline.csv public ratio %.12g, report.json %.12g", name, v, ratio);
	free(csv);
	csv = slurp(dir, "size_over_time.csv", NULL); /* this crawl is the last row */
	assert_true(csv_field(csv, NULL, "public", &v));
	assert_true(near(v, pub));
	assert_true(csv_field(csv, NULL, "public_ratio", &v));
	if (!near(v, ratio))
		fail_msg("%s: size_over_time.csv public ratio %.12g, report.json %.12g", name, v,
		         ratio);
	free(csv);
	rmdir_all(dir);
}

static void test_figures_agree(void **state)
{
	(void)state;
	json_t *cur = load("crawl-42.json");
	json_t *h[HIST_N];
	load_hist(h);
	/* 312 public nodes of 1,432 points seen would be 21.8%: the definition gives 22.7% */
	check_figures_agree(cur, h, HIST_N, "agree");
	check_figures_agree(cur, NULL, 0, "agree-first");
	json_t *hostile = load("hostile.json");
	check_figures_agree(hostile, NULL, 0, "agree-hostile");
	json_decref(hostile);
	/* an older report.json without the ratio: every place derives the same one */
	json_object_del(json_object_get(cur, "counts"), "public_ratio");
	check_figures_agree(cur, h, HIST_N, "agree-derived");
	/* the headline names the classes by the definitions: points, not nodes */
	char dir[512];
	outdir(dir, sizeof dir, "classes");
	render_ok(dir, cur, NULL, 0, false);
	char *html = slurp(dir, "report.html", NULL);
	assert_null(strstr(html, "Unreachable nodes"));
	static const char *const rows[] = {
	    "<td>Unverified points</td><td class=\"n\">118</td>",
	    "<td>Unreachable points</td><td class=\"n\">946</td>",
	    "<td>Foreign points</td><td class=\"n\">4</td>",
	    "<td>Undialed points</td><td class=\"n\">46</td>",
	    "every attempt was refused, timed out or had no route",
	    "accepted the TCP connection but sent no valid connection message",
	    "4 foreign points (another chain&#39;s nodes) and 46 undialed points",
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (!strstr(html, rows[i]))
			fail_msg("report.html lacks %s", rows[i]);
	free(html);
	rmdir_all(dir);
	free_hist(h);
	json_decref(cur);
}

/* The backbone's connectivity is the robustness headline, explained, with its
 * cut; node tables give the point beside the peer id. */
static void test_backbone_and_points(void **state)
{
	(void)state;
	json_t *cur = load("crawl-42.json");
	char dir[512];
	outdir(dir, sizeof dir, "backbone");
	render_ok(dir, cur, NULL, 0, false);
	char *html = slurp(dir, "report.html", NULL);
	static const char *const want[] = {
	    "<div class=\"k\">Backbone vertex connectivity</div><div class=\"v\">3</div>",
	    "the backbone is the largest biconnected block of the public graph (294 of 312 public "
	    "nodes); it stays connected unless at least 3 of its nodes fail",
	    "The public core&#39;s vertex connectivity (1 here) says less",
	    "Backbone: the best-connected part of the public graph",
	    /* the backbone's cut, one member known only by its point */
	    "<td><code>idLFNF9QhtKJjJZ4xNUY2SzNWib5zv</code></td><td><code>198.18.1.56:9732</code>",
	    "<td><code>198.18.1.1:9732</code></td><td><code>198.18.1.1:9732</code>",
	    /* the core's cut, a single point of failure, betweenness: point beside the id */
	    "<td><code>idzmqSFrweiaXnqVbMALSAHBHtsjD2</code></td><td><code>198.18.112.104:9732</code>",
	    "<td><code>idftFcKw41bFpyCydoNi5nG4GtYRk7</code></td><td><code>198.18.0.108:9732</code>",
	    /* each outcome's class, from census_visit_class */
	    "<td><code>silent_close</code></td><td class=\"n\">59</td><td class=\"n\">4.1%</td>"
	    "<td>unverified</td>",
	    "public with a peer id, else unverified",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(html, want[i]))
			fail_msg("report.html lacks %s", want[i]);
	assert_null(strstr(html, "Core vertex connectivity</div>")); /* no longer a card */
	free(html);
	static const struct {
		const char *file, *text;
	} csvs[] = {
	    {"backbone_min_vertex_cut.csv",
	     "node,point\r\n\"idLFNF9QhtKJjJZ4xNUY2SzNWib5zv\",\"198.18.1.56:9732\"\r\n"},
	    {"min_vertex_cut.csv",
	     "node,point\r\n\"idzmqSFrweiaXnqVbMALSAHBHtsjD2\",\"198.18.112.104:9732\"\r\n"},
	    {"single_points_of_failure.csv",
	     "node,point,cut_off\r\n\"idzmqSFrweiaXnqVbMALSAHBHtsjD2\",\"198.18.112.104:9732\",4\r\n"},
	    {"betweenness_top.csv",
	     "node,point,betweenness\r\n\"idftFcKw41bFpyCydoNi5nG4GtYRk7\",\"198.18.0.108:9732\","},
	    {"outcomes.csv", "\"silent_close\",59,"},
	};
	for (size_t i = 0; i < sizeof csvs / sizeof csvs[0]; i++) {
		char *csv = slurp(dir, csvs[i].file, NULL);
		if (!csv || !strstr(csv, csvs[i].text))
			fail_msg("%s lacks %s", csvs[i].file, csvs[i].text);
		free(csv);
	}
	char *csv = slurp(dir, "outcomes.csv", NULL);
	assert_non_null(strstr(csv, "\"silent_close\",59,0.04120111732,\"unverified\","));
	assert_non_null(strstr(csv, "\"local_error\",2,0.001396648045,\"undialed\","));
	free(csv);
	rmdir_all(dir);
	json_decref(cur);
}

/* heads: the reference level and how it is chosen; heads far ahead in a table. */
static void test_head_outliers(void **state)
{
	(void)state;
	json_t *cur = load("crawl-42.json");
	char dir[512];
	outdir(dir, sizeof dir, "heads");
	render_ok(dir, cur, NULL, 0, false);
	char *html = slurp(dir, "report.html", NULL), *md = slurp(dir, "report.md", NULL);
	static const char *const want[] = {
	    "Reference head level: 9,187,712, the highest head at most 1,000 levels above the "
	    "median head of the public nodes (9,187,712)",
	    "for each of the 292 public nodes that told us their head",
	    "<td><code>idbdZCau8QA2uaMYAB9LEabXt1K4Me</code></td><td><code>198.18.106.209:9732</code>"
	    "</td><td class=\"n\">2,147,483,647</td><td class=\"n\">2,138,295,935</td>",
	    "<td class=\"n\">10,187,712</td><td class=\"n\">1,000,000</td>",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(html, want[i]))
			fail_msg("report.html lacks %s", want[i]);
	assert_non_null(strstr(md, "Reference head level: 9,187,712"));
	free(html);
	free(md);
	char *csv = slurp(dir, "head_outliers.csv", NULL);
	assert_string_equal(csv, "node,point,level,ahead\r\n"
	                         "\"idPKSjy3AN74aSrjGUbnPLkiTdxCPs\",\"198.18.121.241:9732\","
	                         "10187712,1000000\r\n"
	                         "\"idbdZCau8QA2uaMYAB9LEabXt1K4Me\",\"198.18.106.209:9732\","
	                         "2147483647,2138295935\r\n");
	free(csv);
	rmdir_all(dir);
	/* no outlier: the table says so */
	json_object_set_new(json_object_get(cur, "heads"), "outliers", json_array());
	outdir(dir, sizeof dir, "heads-none");
	render_ok(dir, cur, NULL, 0, false);
	html = slurp(dir, "report.html", NULL);
	assert_non_null(strstr(html, "None: no node announced a head far above the others."));
	free(html);
	rmdir_all(dir);
	json_decref(cur);
}

/* Keys the report's spec names that a rendered report.json lacks. */
static void on_missing(void *arg, const char *path)
{
	struct missing *m = arg;
	size_t len = strlen(m->list);
	snprintf(m->list + len, sizeof m->list - len, "%s%s", m->n ? " " : "", path);
	m->n++;
}

static void render_missing(const json_t *cur, struct missing *m)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/tzreport-m-XXXXXX", "/tmp");
	assert_non_null(mkdtemp(dir));
	struct report_opts o;
	report_opts_default(&o);
	o.missing_cb = on_missing;
	o.missing_arg = m;
	memset(m, 0, sizeof *m);
	char err[256] = "";
	enum err rc = report_render(dir, cur, NULL, 0, &o, err, sizeof err);
	if (rc != ERR_OK)
		fail_msg("report_render: %s (%s)", err_str(rc), err);
	const char *keep = getenv("TZ_REPORT_KEEP");
	char *saved = keep ? strdup(keep) : NULL;
	unsetenv("TZ_REPORT_KEEP");
	rmdir_all(dir);
	if (saved)
		setenv("TZ_REPORT_KEEP", saved, 1);
	free(saved);
}

/*
 * Every fixture of tests/data/report rendered as the current crawl: a full
 * report.json leaves no key the spec names unread (a typo in a spec fails
 * here instead of printing "n/a"); the empty crawl lacks exactly the
 * figures an empty crawl has none of.
 */
static void test_missing_keys(void **state)
{
	(void)state;
	struct missing m;
	static const char *const full[] = {"crawl-42.json", "hostile.json"};
	for (size_t i = 0; i < sizeof full / sizeof full[0]; i++) {
		json_t *cur = load(full[i]);
		render_missing(cur, &m);
		if (m.n)
			fail_msg("%s: report.json lacks %s", full[i], m.list);
		json_decref(cur);
	}
	json_t *h[HIST_N];
	load_hist(h);
	for (int i = 0; i < HIST_N; i++) {
		render_missing(h[i], &m);
		if (m.n)
			fail_msg("history/crawl-%02d.json: report.json lacks %s", 30 + i, m.list);
	}
	free_hist(h);
	json_t *cur = load("empty.json");
	render_missing(cur, &m);
	if (m.n)
		fail_msg("empty.json: report.json lacks %s", m.list);
	json_decref(cur);
	/* without a location database: no location key is read, the report says so */
	cur = load("crawl-42.json");
	json_object_set_new(cur, "location", json_null());
	json_object_del(json_object_get(cur, "concentration"), "by_asn");
	json_object_del(json_object_get(cur, "graph"), "as_level");
	render_missing(cur, &m);
	if (m.n)
		fail_msg("crawl-42.json without location: report.json lacks %s", m.list);
	char dir[512];
	outdir(dir, sizeof dir, "no-location");
	render_ok(dir, cur, NULL, 0, false);
	char *html = slurp(dir, "report.html", NULL);
	assert_non_null(strstr(html, "No location database: no figures by AS, country or provider."));
	assert_null(strstr(html, "Nakamoto coefficient (AS)"));
	free(html);
	rmdir_all(dir);
	json_decref(cur);
	/* with one, a location key it lacks is reported */
	cur = load("crawl-42.json");
	json_object_del(json_object_get(json_object_get(cur, "concentration"), "by_country"),
	                "nakamoto");
	render_missing(cur, &m);
	assert_string_equal(m.list, "concentration.by_country.nakamoto");
	json_decref(cur);
	/* the check can fail: take keys away, one of them inside array elements */
	cur = load("crawl-42.json");
	json_object_del(json_object_get(json_object_get(cur, "graph"), "core"),
	                "betweenness_method");
	json_object_del(json_array_get(json_object_get(cur, "versions"), 1), "nodes");
	json_object_del(json_array_get(json_object_get(cur, "versions"), 2), "nodes");
	json_object_del(json_object_get(cur, "metadata"), "pow_bits");
	json_object_del(json_array_get(json_object_get(json_object_get(cur, "releases"), "top"), 1),
	                "nodes");
	json_object_del(json_object_get(json_object_get(cur, "graph"), "backbone"),
	                "vertex_connectivity");
	json_object_del(json_array_get(json_object_get(json_object_get(cur, "heads"), "outliers"), 1),
	                "point");
	render_missing(cur, &m);
	assert_string_equal(m.list, "graph.backbone.vertex_connectivity "
	                            "graph.core.betweenness_method versions[].nodes "
	                            "releases.top[].nodes metadata.pow_bits heads.outliers[].point");
	json_decref(cur);
}

/*
 * "Behind NAT": every crawl-side figure in words, both charts, the tables
 * and the listener's classes when report.json has nat.inbound; without it
 * the section says so and no key is reported missing (inbound is optional),
 * while a crawl-side key taken away is.
 */
static void test_nat_section(void **state)
{
	(void)state;
	json_t *cur = load("crawl-42.json");
	char dir[512];
	outdir(dir, sizeof dir, "nat");
	render_ok(dir, cur, NULL, 0, false);
	char *html = slurp(dir, "report.html", NULL);
	assert_non_null(html);
	static const char *const want[] = {
	    "<section id=\"nat\">", "Behind NAT", "<svg id=\"nat_unreachable\"",
	    "<svg id=\"nat_ranges\"", "Docker bridge: 172.17.0.0/16",
	    "public nodes advertise", "announced another port than the one we reached",
	    "answered with several nodes", "Of 946 unreachable points",
	    "nat_refused", "the dial-back was refused", "382 peers dialed our listener",
	    "81.9% of these peers",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(html, want[i]))
			fail_msg("report.html lacks \"%s\"", want[i]);
	free(html);
	char *md = slurp(dir, "report.md", NULL);
	assert_non_null(strstr(md, "## Behind NAT"));
	free(md);
	static const char *const files[] = {"nat_private_advertisers.csv", "nat_port_mismatch.csv",
	                                    "nat_shared_addresses.csv", "nat_inbound.csv",
	                                    "nat_unreachable.svg", "nat_ranges.svg"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *f = slurp(dir, files[i], NULL);
		if (!f)
			fail_msg("%s missing", files[i]);
		free(f);
	}
	json_t *nat = json_object_get(cur, "nat");
	json_object_del(nat, "inbound");
	struct missing m;
	render_missing(cur, &m);
	if (m.n)
		fail_msg("without nat.inbound: report.json lacks %s", m.list);
	render_ok(dir, cur, NULL, 0, false);
	html = slurp(dir, "report.html", NULL);
	assert_non_null(strstr(html, "No listener data for this vantage"));
	assert_null(strstr(html, "nat_refused"));
	free(html);
	json_object_del(json_object_get(nat, "port_mismatch"), "nodes");
	json_object_del(json_object_get(nat, "unreachable_by_cause"), "timed_out");
	render_missing(cur, &m);
	assert_string_equal(m.list, "nat.port_mismatch.nodes nat.unreachable_by_cause.timed_out");
	rmdir_all(dir);
	json_decref(cur);
}

int main(void)
{
	const char *keep = getenv("TZ_REPORT_KEEP");
	if (keep && *keep)
		printf("REPORT_DIR: %s\n", keep);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_crawl),
	    cmocka_unit_test(test_with_history),
	    cmocka_unit_test(test_history_with_current),
	    cmocka_unit_test(test_empty_crawl),
	    cmocka_unit_test(test_minimal_json),
	    cmocka_unit_test(test_many_bins),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_hostile_strings),
	    cmocka_unit_test(test_anonymize),
	    cmocka_unit_test(test_missing_keys),
	    cmocka_unit_test(test_size_within_one_day),
	    cmocka_unit_test(test_hist_gaps),
	    cmocka_unit_test(test_strong_explained),
	    cmocka_unit_test(test_figures_agree),
	    cmocka_unit_test(test_backbone_and_points),
	    cmocka_unit_test(test_head_outliers),
	    cmocka_unit_test(test_releases),
	    cmocka_unit_test(test_releases_over_time),
	    cmocka_unit_test(test_nat_section),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
