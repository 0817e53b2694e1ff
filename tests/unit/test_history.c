/*
 * Unit tests for analyzer/history: the stability figures on synthetic
 * history (churn, core, uptime bins, versions, the 30-crawl window) and the
 * completeness estimate (Chao's formula, and which list entries are
 * captures).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "analyzer/analyze.h"
#include "analyzer/crawl.h"
#include "analyzer/history.h"

static void add_crawl(struct history *h, int64_t id, const char *ids)
{
	char ts[32];
	snprintf(ts, sizeof ts, "2026-01-%02dT00:00:00Z", (int)(id % 28) + 1);
	assert_int_equal(history_add_crawl(h, id, ts), ERR_OK);
	for (const char *p = ids; *p; p++) {
		char pid[8] = {'i', 'd', *p, 0};
		/* node 'v' announces other versions */
		int ddb = *p == 'v' ? 1 : 2;
		assert_int_equal(history_add_node(h, pid, "TEZOS_MAINNET", ddb, 1, NULL), ERR_OK);
	}
}

static long long geti(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	if (!json_is_integer(v))
		fail_msg("%s is not an integer", k);
	return (long long)json_integer_value(v);
}

static double getr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	if (!json_is_number(v))
		fail_msg("%s is not a number", k);
	return json_number_value(v);
}

static void test_churn_core_uptime(void **state)
{
	(void)state;
	struct history h;
	memset(&h, 0, sizeof h);
	add_crawl(&h, 1, "abc");
	add_crawl(&h, 2, "cbdd"); /* unsorted, d twice: history_finish sorts and dedups */
	add_crawl(&h, 3, "cdev");
	history_finish(&h);
	assert_int_equal(h.crawls[1].nodes_n, 3);
	bool ok = true;
	json_t *j = history_json(&h, &ok);
	assert_true(ok);
	assert_int_equal(geti(j, "window"), 3);
	const json_t *n = json_object_get(j, "crawls");
	assert_int_equal(json_array_size(n), 3);
	assert_true(json_is_null(json_object_get(json_array_get(n, 0), "new")));
	assert_true(json_is_null(json_object_get(json_array_get(n, 0), "gone")));
	assert_int_equal(geti(json_array_get(n, 1), "new"), 1);  /* d */
	assert_int_equal(geti(json_array_get(n, 1), "gone"), 1); /* a */
	assert_int_equal(geti(json_array_get(n, 2), "new"), 2);  /* e, v */
	assert_int_equal(geti(json_array_get(n, 2), "gone"), 1); /* b */
	assert_int_equal(geti(json_array_get(n, 2), "public_nodes"), 4);
	assert_int_equal(geti(json_array_get(n, 2), "crawl_id"), 3);
	/* versions of night 3: 3 nodes (2, 1), then v's (1, 1) */
	const json_t *v = json_object_get(json_array_get(n, 2), "versions");
	assert_int_equal(json_array_size(v), 2);
	assert_int_equal(geti(json_array_get(v, 0), "nodes"), 3);
	assert_int_equal(geti(json_array_get(v, 0), "distributed_db_version"), 2);
	assert_int_equal(geti(json_array_get(v, 1), "nodes"), 1);
	assert_int_equal(geti(json_array_get(v, 1), "distributed_db_version"), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 1), "chain_name")),
	                    "TEZOS_MAINNET");
	assert_null(json_object_get(json_array_get(v, 1), "release")); /* no release known */

	const json_t *core = json_object_get(j, "core");
	assert_int_equal(geti(core, "nodes"), 1); /* c */
	assert_true(getr(core, "share_of_public_now") == 0.25);
	const json_t *u = json_object_get(j, "uptime");
	assert_int_equal(geti(u, "nodes"), 6); /* a b c d e v */
	assert_int_equal(geti(u, "stable_nodes"), 1);
	assert_int_equal(geti(u, "stable_public_now"), 1);
	const json_t *bins = json_object_get(u, "distribution");
	assert_int_equal(json_array_size(bins), 10);
	/* a, e, v: 1/3 -> bin 3; b, d: 2/3 -> bin 6; c: 1 -> bin 9 */
	long long want[10] = {0, 0, 0, 3, 0, 0, 2, 0, 0, 1};
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(geti(json_array_get(bins, i), "nodes"), want[i]);
	json_decref(j);
	history_free(&h);
	history_free(&h); /* idempotent */
}

static void test_window(void **state)
{
	(void)state;
	struct history h;
	memset(&h, 0, sizeof h);
	/* 35 crawls: x in all, y only in the first 5 (outside the last 30) */
	for (int i = 1; i <= 35; i++)
		add_crawl(&h, i, i <= 5 ? "xy" : "x");
	history_finish(&h);
	bool ok = true;
	json_t *j = history_json(&h, &ok);
	assert_true(ok);
	assert_int_equal(geti(j, "window"), HISTORY_WINDOW);
	const json_t *n = json_object_get(j, "crawls");
	assert_int_equal(json_array_size(n), HISTORY_WINDOW);
	assert_int_equal(geti(json_array_get(n, 0), "crawl_id"), 6);
	assert_int_equal(geti(json_array_get(n, 0), "gone"), 1); /* y, compared with crawl 5 */
	assert_int_equal(geti(json_object_get(j, "uptime"), "nodes"), 1);
	assert_int_equal(geti(json_object_get(j, "core"), "nodes"), 1);
	json_decref(j);
	/* an empty history: an empty object */
	history_free(&h);
	j = history_json(&h, &ok);
	assert_true(ok);
	assert_int_equal(json_object_size(j), 0);
	json_decref(j);
	assert_int_equal(history_add_node(&h, "idx", NULL, -1, -1, NULL), ERR_INVAL);
}

/*
 * The Octez release over time: the versions split by release (absent where
 * not known), and each crawl's releases [{release, nodes}] most nodes first,
 * then by text; null for a crawl without the RPC probe.
 */
static void test_releases(void **state)
{
	(void)state;
	struct history h;
	memset(&h, 0, sizeof h);
	assert_int_equal(history_add_crawl(&h, 1, "2026-01-01T00:00:00Z"), ERR_OK);
	assert_int_equal(history_add_node(&h, "ida", "TEZOS_MAINNET", 2, 1, NULL), ERR_OK);
	assert_int_equal(history_add_crawl(&h, 2, "2026-01-02T00:00:00Z"), ERR_OK);
	h.crawls[1].probed = true;
	assert_int_equal(history_add_node(&h, "ida", "TEZOS_MAINNET", 2, 1, "v22.1"), ERR_OK);
	assert_int_equal(history_add_node(&h, "idb", "TEZOS_MAINNET", 2, 1, "v21.4"), ERR_OK);
	assert_int_equal(history_add_node(&h, "idc", "TEZOS_MAINNET", 2, 1, "v22.1"), ERR_OK);
	assert_int_equal(history_add_node(&h, "idd", "TEZOS_MAINNET", 2, 1, NULL), ERR_OK);
	assert_int_equal(history_add_node(&h, "ide", "TEZOS_MAINNET", 2, 1, "v23.0~rc1"), ERR_OK);
	assert_int_equal(history_add_crawl(&h, 3, "2026-01-03T00:00:00Z"), ERR_OK);
	h.crawls[2].probed = true; /* the probe ran, no node answered with a release */
	assert_int_equal(history_add_node(&h, "ida", "TEZOS_MAINNET", 2, 1, NULL), ERR_OK);
	history_finish(&h);
	bool ok = true;
	json_t *j = history_json(&h, &ok);
	assert_true(ok);
	const json_t *n = json_object_get(j, "crawls");
	assert_true(json_is_null(json_object_get(json_array_get(n, 0), "releases")));
	const json_t *rel = json_object_get(json_array_get(n, 1), "releases");
	assert_int_equal(json_array_size(rel), 3);
	static const char *const want[] = {"v22.1", "v21.4", "v23.0~rc1"}; /* 2, then 1 by text */
	static const long long wn[] = {2, 1, 1};
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(
		    json_string_value(json_object_get(json_array_get(rel, i), "release")), want[i]);
		assert_int_equal(geti(json_array_get(rel, i), "nodes"), wn[i]);
	}
	rel = json_object_get(json_array_get(n, 2), "releases");
	assert_true(json_is_array(rel));
	assert_int_equal(json_array_size(rel), 0);
	/* versions of crawl 2: (2, 1) with v22.1: 2, then 1 each: no release (first), v21.4,
	 * v23.0~rc1 */
	const json_t *v = json_object_get(json_array_get(n, 1), "versions");
	assert_int_equal(json_array_size(v), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0), "release")),
	                    "v22.1");
	assert_int_equal(geti(json_array_get(v, 0), "nodes"), 2);
	assert_null(json_object_get(json_array_get(v, 1), "release"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 2), "release")),
	                    "v21.4");
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 3), "release")),
	                    "v23.0~rc1");
	json_decref(j);
	history_free(&h);
}

static void test_chao(void **state)
{
	(void)state;
	struct completeness c;
	/* Chao (1987), bias-corrected: f0 = (t-1)/t q1 (q1-1) / (2 (q2+1)) */
	completeness_chao(100, 2, 10, 5, &c);
	assert_true(c.estimate > 103.7499 && c.estimate < 103.7501);
	assert_true(c.low > 100.8053 && c.low < 100.8055);
	assert_true(c.high > 117.4595 && c.high < 117.4597);
	completeness_chao(10, 2, 2, 0, &c);
	assert_true(c.estimate > 10.4999 && c.estimate < 10.5001);
	assert_true(c.low > 10.0309 && c.low < 10.0310);
	assert_true(c.high > 18.0769 && c.high < 18.0770);
	/* one singleton: nothing estimated unseen, interval above observed */
	completeness_chao(100, 3, 1, 0, &c);
	assert_true(c.estimate == 100 && c.low == 100);
	assert_true(c.high > 100.6533 && c.high < 100.6534);
	/* every node caught twice or by rank: everything seen */
	completeness_chao(50, 2, 0, 4, &c);
	assert_true(c.estimate == 50 && c.low == 50 && c.high == 50);
	/* one occasion: no recapture, no estimate beyond what was seen */
	completeness_chao(50, 1, 9, 0, &c);
	assert_true(c.estimate == 50 && c.low == 50 && c.high == 50);
}

static void visit(struct acrawl *c, const char *pt, const char *outcome, const char *peer)
{
	struct acrawl_visit v = acrawl_visit_blank();
	v.point = (char *)pt;
	v.outcome = (char *)outcome;
	v.peer_id = (char *)peer;
	v.attempt = 1;
	assert_int_equal(acrawl_add_visit(c, &v), ERR_OK);
}

static void adv(struct acrawl *c, int from, int to, enum adv_source s, int round, int pos,
                int len)
{
	char f[32], t[32];
	snprintf(f, sizeof f, "10.0.0.%d:9732", from);
	snprintf(t, sizeof t, "10.0.0.%d:9732", to);
	assert_int_equal(acrawl_add_adv(c, f, t, s, round, pos, len), ERR_OK);
}

/*
 * Nodes 1..9 public. In 50-entry lists positions 0..19 are the random part,
 * 20..49 the ranked part (reversed). Node 2: random in rounds 1 and 2 (q2).
 * Node 3: random in round 1 only (q1). Node 4: random in round 2 only, by two
 * advertisers (still q1). Node 5: random in round 1, ranked in round 2 (sure,
 * not counted). Node 6: in a short (complete) list (sure). Node 7: random in
 * a Nack list only (not an occasion). Node 8: random in round 1, but from
 * unreachable node 20 (not public: no capture). Node 9: listed by itself.
 * Node 10: unreachable, listed at random (not public: not counted). Node 3
 * answered round 1 only: its lists are not an occasion of equal effort (its
 * random pick of node 8 is no capture). Node 2 answered round 2 only.
 */
static void test_captures(void **state)
{
	(void)state;
	struct acrawl c;
	acrawl_init(&c);
	for (int i = 1; i <= 9; i++) {
		char pt[32], id[16];
		snprintf(pt, sizeof pt, "10.0.0.%d:9732", i);
		snprintf(id, sizeof id, "idnode%d", i);
		visit(&c, pt, "ok", id);
	}
	visit(&c, "10.0.0.10:9732", "refused", NULL);
	visit(&c, "10.0.0.20:9732", "refused", NULL);
	adv(&c, 1, 2, ADV_ADVERTISE, 1, 0, 50);
	adv(&c, 1, 2, ADV_ADVERTISE, 2, 1, 50);
	adv(&c, 1, 3, ADV_ADVERTISE, 1, 2, 50);
	adv(&c, 1, 4, ADV_ADVERTISE, 2, 3, 50);
	adv(&c, 2, 4, ADV_ADVERTISE, 2, 4, 50);
	adv(&c, 1, 5, ADV_ADVERTISE, 1, 5, 50);
	adv(&c, 2, 5, ADV_ADVERTISE, 2, 49, 50);
	adv(&c, 1, 6, ADV_ADVERTISE, 1, 0, 3);
	adv(&c, 1, 7, ADV_NACK, 0, 6, 50);
	adv(&c, 20, 8, ADV_ADVERTISE, 1, 7, 50);
	adv(&c, 9, 9, ADV_ADVERTISE, 1, 8, 50);
	adv(&c, 1, 10, ADV_ADVERTISE, 1, 9, 50);
	adv(&c, 3, 8, ADV_ADVERTISE, 1, 10, 50); /* node 3 answered round 1 only */
	struct analyze_opts o;
	analyze_opts_default(&o);
	struct analysis an;
	assert_int_equal(analysis_run(&an, &c, &o, NULL), ERR_OK);
	struct completeness k;
	assert_int_equal(completeness_compute(&an, &k), ERR_OK);
	assert_int_equal(k.observed, 9);
	assert_int_equal(k.occasions, 2);
	assert_int_equal(k.q1, 2); /* 3, 4 */
	assert_int_equal(k.q2, 1); /* 2 */
	const json_t *j = json_object_get(an.report, "completeness");
	assert_string_equal(json_string_value(json_object_get(j, "method")),
	                    "chao-bootstrap-rounds");
	/* 9 + 1/2 * 2 * 1 / (2 * 2) = 9.25 */
	assert_true(getr(j, "estimate") == 9.25);
	assert_true(getr(j, "low") >= 9 && getr(j, "high") > 9.25);
	analysis_free(&an);
	acrawl_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_churn_core_uptime),
	    cmocka_unit_test(test_window),
	    cmocka_unit_test(test_releases),
	    cmocka_unit_test(test_chao),
	    cmocka_unit_test(test_captures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
