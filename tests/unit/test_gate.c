/* Unit tests for analyzer/gate: the publish/refuse decision on report.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "analyzer/gate.h"

#define DATA "tests/data/report"

static json_t *load(const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", DATA, name);
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);
	if (!j)
		fail_msg("%s: %s", path, e.text);
	return j;
}

/* A crawl with `pub` public nodes and the given outcome counts. */
static json_t *crawl(int pub, int ok, int nack, int refused, int timeout)
{
	return json_pack("{s:i, s:{s:i, s:{s:i, s:i, s:i, s:i}}}", "schema_version", 1, "counts",
	                 "public", pub, "outcomes", "ok", ok, "nack", nack, "refused", refused,
	                 "timeout", timeout);
}

static void test_defaults(void **state)
{
	(void)state;
	struct gate_opts o;
	gate_opts_default(&o);
	assert_true(o.band_low == 0.5);
	assert_true(o.band_high == 2.0);
	assert_int_equal(o.window_n, 7);
	assert_int_equal(o.min_history, 3);
	assert_true(o.max_outcome_shift == 0.25);
}

static void test_fixtures(void **state)
{
	(void)state;
	json_t *h[12];
	for (int i = 0; i < 12; i++) {
		char name[64];
		snprintf(name, sizeof name, "history/crawl-%02d.json", 30 + i);
		h[i] = load(name);
	}
	json_t *cur = load("crawl-42.json"), *empty = load("empty.json");
	char why[256];
	assert_true(gate_check(cur, h, 12, NULL, why, sizeof why));
	assert_non_null(strstr(why, "published"));
	assert_false(gate_check(empty, h, 12, NULL, why, sizeof why));
	assert_non_null(strstr(why, "no seed answered"));
	/* the first crawl ever: nothing to compare, published with a note */
	assert_true(gate_check(cur, NULL, 0, NULL, why, sizeof why));
	assert_non_null(strstr(why, "not checked"));
	json_decref(cur);
	json_decref(empty);
	for (int i = 0; i < 12; i++)
		json_decref(h[i]);
}

static void test_no_seed(void **state)
{
	(void)state;
	char why[128];
	json_t *c = crawl(0, 0, 0, 3, 4);
	assert_false(gate_check(c, NULL, 0, NULL, why, sizeof why));
	assert_non_null(strstr(why, "no seed answered"));
	json_decref(c);
	/* seeds_answered = 0 refuses even with public nodes (e.g. a replayed list) */
	c = crawl(10, 10, 0, 3, 4);
	json_object_set_new(c, "crawl", json_pack("{s:i}", "seeds_answered", 0));
	assert_false(gate_check(c, NULL, 0, NULL, why, sizeof why));
	json_decref(c);
	/* not an object, no counts */
	json_t *a = json_array();
	assert_false(gate_check(a, NULL, 0, NULL, why, sizeof why));
	json_decref(a);
	json_t *e = json_object();
	assert_false(gate_check(e, NULL, 0, NULL, why, sizeof why));
	assert_non_null(strstr(why, "counts.public"));
	json_decref(e);
}

/* More than 1% of the dials failed on our side: refused, whatever the rest says. */
static void test_local_errors(void **state)
{
	(void)state;
	char why[256];
	/* 1000 dials (policy is no dial), 10 local errors: exactly 1%, published */
	json_t *c = crawl(300, 300, 40, 400, 250);
	json_t *oc = json_object_get(json_object_get(c, "counts"), "outcomes");
	json_object_set_new(oc, "local_error", json_integer(10));
	json_object_set_new(oc, "policy", json_integer(500));
	assert_true(gate_check(c, NULL, 0, NULL, why, sizeof why));
	/* 11: refused, and the reason says why */
	json_object_set_new(oc, "local_error", json_integer(11));
	assert_false(gate_check(c, NULL, 0, NULL, why, sizeof why));
	assert_non_null(strstr(why, "local errors"));
	/* the threshold is an option */
	struct gate_opts o;
	gate_opts_default(&o);
	assert_true(o.max_local_share == 0.01);
	o.max_local_share = 0.02;
	assert_true(gate_check(c, NULL, 0, &o, why, sizeof why));
	json_decref(c);
}

static void test_band(void **state)
{
	(void)state;
	json_t *h[5] = {crawl(300, 280, 20, 400, 500), crawl(310, 290, 20, 400, 500),
	                crawl(305, 285, 20, 400, 500),
	                crawl(0, 0, 0, 900, 0), /* a broken night: ignored */
	                crawl(295, 275, 20, 400, 500)};
	char why[256];
	/* median of {300,310,305,295} = 302.5: band [151.25, 605] */
	json_t *low = crawl(150, 140, 10, 400, 500), *edge = crawl(152, 140, 12, 200, 250),
	       *high = crawl(606, 580, 26, 800, 1000), *fine = crawl(600, 575, 25, 800, 1000);
	assert_false(gate_check(low, h, 5, NULL, why, sizeof why));
	assert_non_null(strstr(why, "outside"));
	assert_true(gate_check(edge, h, 5, NULL, why, sizeof why));
	assert_false(gate_check(high, h, 5, NULL, why, sizeof why));
	assert_true(gate_check(fine, h, 5, NULL, why, sizeof why));
	/* too little history: band not checked */
	assert_true(gate_check(low, h, 2, NULL, why, sizeof why));
	assert_non_null(strstr(why, "not checked"));
	/* configurable: a narrower band refuses what the default accepted */
	struct gate_opts o;
	gate_opts_default(&o);
	o.band_high = 1.5;
	assert_false(gate_check(fine, h, 5, &o, why, sizeof why));
	o.min_history = 5; /* only 4 usable earlier crawls */
	assert_true(gate_check(low, h, 5, &o, why, sizeof why));
	/* window: only the last window_n crawls count */
	o.min_history = 1;
	o.window_n = 1;
	o.band_high = 2.0;
	/* median 295 of the last crawl alone: 600 > 590 is refused, though the
	 * default window (median 302.5, limit 605) accepted it above */
	assert_false(gate_check(fine, h, 5, &o, why, sizeof why));
	assert_non_null(strstr(why, "median 295.0 of 1 earlier"));
	for (int i = 0; i < 5; i++)
		json_decref(h[i]);
	json_decref(low);
	json_decref(edge);
	json_decref(high);
	json_decref(fine);
}

static void test_outcome_mix(void **state)
{
	(void)state;
	json_t *h[3] = {crawl(300, 280, 20, 400, 500), crawl(300, 280, 20, 400, 500),
	                crawl(300, 280, 20, 400, 500)};
	char why[256];
	/* same size, but every refused became a timeout: 400/1200 = 33% moved */
	json_t *jump = crawl(300, 280, 20, 0, 900);
	assert_false(gate_check(jump, h, 3, NULL, why, sizeof why));
	assert_non_null(strstr(why, "outcome mix jumped"));
	assert_non_null(strstr(why, "refused 33.3% -> 0.0%"));
	/* 100 of 1200 moved: fine */
	json_t *drift = crawl(300, 280, 20, 300, 600);
	assert_true(gate_check(drift, h, 3, NULL, why, sizeof why));
	/* a new outcome name counts as a shift too */
	json_t *odd = crawl(300, 280, 20, 0, 500);
	json_object_set_new(json_object_get(json_object_get(odd, "counts"), "outcomes"),
	                    "silent_close", json_integer(400));
	assert_false(gate_check(odd, h, 3, NULL, why, sizeof why));
	/* threshold is configurable */
	struct gate_opts o;
	gate_opts_default(&o);
	o.max_outcome_shift = 0.5;
	assert_true(gate_check(jump, h, 3, &o, why, sizeof why));
	/* a NULL or zero-sized reason buffer is allowed */
	assert_false(gate_check(jump, h, 3, NULL, NULL, 0));
	for (int i = 0; i < 3; i++)
		json_decref(h[i]);
	json_decref(jump);
	json_decref(drift);
	json_decref(odd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_no_seed),     cmocka_unit_test(test_band),
	    cmocka_unit_test(test_local_errors),
	    cmocka_unit_test(test_outcome_mix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
