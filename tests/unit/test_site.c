/*
 * Unit tests for analyzer/site: site_render on hand-made nights (the
 * database side is tests/integration/ops_site.sh). The page is
 * self-contained, escapes what it is given, orders nights newest first,
 * charts each window's nights only, leaves out a figure no night has, says
 * n/a for a missing one, links only nights whose report is kept, and is the
 * same bytes for the same nights in any order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyzer/site.h"

#define DAY 86400
#define T0  1796601600 /* 2026-12-07 00:00 UTC */

static size_t fig(const char *key)
{
	for (size_t i = 0; i < site_figures_n; i++)
		if (!strcmp(site_figures[i].key, key))
			return i;
	fail_msg("no figure %s", key);
	return 0;
}

/* Night k days before T0: public 100 + k, ratio k / 100, backbone k % 3. */
static struct site_night night(int64_t id, int k)
{
	struct site_night n;
	memset(&n, 0, sizeof n);
	n.crawl_id = id;
	n.started_at = T0 - (int64_t)k * DAY;
	n.fig[fig("public")] = 100 + k;
	n.fig[fig("public_ratio")] = k / 100.0;
	n.fig[fig("backbone_connectivity")] = k % 3;
	n.has[fig("public")] = n.has[fig("public_ratio")] = n.has[fig("backbone_connectivity")] =
	    true;
	return n;
}

static char *render(const struct site_night *n, size_t count, const struct site_opts *o)
{
	struct rbuf b = {0};
	site_render(&b, n, count, o);
	assert_false(b.oom);
	assert_non_null(b.p);
	return b.p; /* owned by the caller */
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_self_contained_and_escaped(void **state)
{
	(void)state;
	struct site_night n[2] = {night(1, 1), night(2, 0)};
	struct site_opts o = {"<b>Census</b> & \"co\"", "vant<age", "TEZOS_\"X\""};
	char *p = render(n, 2, &o);
	const char *forbidden[] = {"<script", "http://", "https://", "src=",     "url(",
	                           "<link",   "<img",    "@import",  "<b>Census"};
	for (size_t i = 0; i < sizeof forbidden / sizeof *forbidden; i++)
		if (strstr(p, forbidden[i]))
			fail_msg("page contains %s", forbidden[i]);
	assert_non_null(strstr(p, "&lt;b&gt;Census&lt;/b&gt; &amp; &quot;co&quot;"));
	assert_non_null(strstr(p, "vant&lt;age"));
	assert_non_null(strstr(p, "TEZOS_&quot;X&quot;"));
	assert_non_null(strstr(p, "default-src 'none'"));
	free(p);
}

static void test_empty(void **state)
{
	(void)state;
	char *p = render(NULL, 0, NULL);
	assert_non_null(strstr(p, "No published night yet."));
	assert_non_null(strstr(p, "Tezos P2P network census"));
	assert_int_equal(count(p, "<tr id=\"crawl-"), 0);
	/* No figure is present: no chart, no figure column. */
	assert_int_equal(count(p, "<svg"), 0);
	assert_null(strstr(p, "<th>Public nodes</th>"));
	free(p);
}

static void test_order_windows_links(void **state)
{
	(void)state;
	/* Nights 0..399 days old, given oldest first; every 10th keeps its report. */
	size_t n = 400;
	struct site_night *v = calloc(n, sizeof *v);
	assert_non_null(v);
	for (size_t i = 0; i < n; i++) {
		v[i] = night((int64_t)(1000 + i), (int)(n - 1 - i));
		v[i].report = (n - 1 - i) % 10 == 0;
	}
	char *p = render(v, n, NULL);
	assert_int_equal(count(p, "<tr id=\"crawl-"), n);
	/* Newest (id 1399, 0 days) first, oldest (id 1000) last. */
	char *first = strstr(p, "<tr id=\"crawl-"), *last = strstr(p, "<tr id=\"crawl-1000\"");
	assert_non_null(first);
	assert_true(!strncmp(first, "<tr id=\"crawl-1399\"", 19));
	assert_non_null(last);
	assert_null(strstr(last + 1, "<tr id=\"crawl-"));
	assert_int_equal(count(p, "\">report</a>"), 40);
	assert_non_null(strstr(p, "<a href=\"nights/1399/report.html\">report</a>"));
	assert_null(strstr(p, "nights/1398/"));
	/* Windows count back from the newest night: 0..30, 0..90, 0..365 days. */
	assert_non_null(strstr(p, "Public nodes, last 30 days (31 nights)"));
	assert_non_null(strstr(p, "Public nodes, last 90 days (91 nights)"));
	assert_non_null(strstr(p, "Public nodes, last 365 days (366 nights)"));
	/* Three charted figures x three windows; points seen is not charted. */
	assert_int_equal(count(p, "<svg"), 9);
	assert_null(strstr(p, "Points seen, last"));
	/* The latest card and a row's figures. */
	assert_non_null(strstr(p, "id=\"latest-public\"><b>100</b>"));
	assert_non_null(strstr(p, "<td>2026-11-27 00:00</td><td>1389</td><td>110</td><td>10.0%</td>"
	                          "<td>1</td>"));
	free(p);
	free(v);
}

static void test_same_bytes_any_order(void **state)
{
	(void)state;
	struct site_night a[3] = {night(1, 2), night(2, 1), night(3, 0)};
	struct site_night b[3] = {a[2], a[0], a[1]};
	char *pa = render(a, 3, NULL), *pb = render(b, 3, NULL);
	assert_string_equal(pa, pb);
	free(pa);
	free(pb);
}

static void test_missing_figures(void **state)
{
	(void)state;
	struct site_night n[2] = {night(1, 1), night(2, 0)};
	n[1].has[fig("backbone_connectivity")] = false; /* an older analyzer's night */
	char *p = render(n, 2, NULL);
	assert_non_null(strstr(p,
	                       "<tr id=\"crawl-2\"><td>2026-12-07 00:00</td><td>2</td><td>100</td>"
	                       "<td>0.0%</td><td>n/a</td>"));
	assert_non_null(strstr(p, "<th>Backbone vertex connectivity</th>"));
	free(p);
	/* A figure no night has is not on the page. */
	n[0].has[fig("backbone_connectivity")] = false;
	p = render(n, 2, NULL);
	assert_null(strstr(p, "Backbone vertex connectivity"));
	assert_int_equal(count(p, "<svg"), 6);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_self_contained_and_escaped),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_order_windows_links),
	    cmocka_unit_test(test_same_bytes_any_order),
	    cmocka_unit_test(test_missing_figures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
