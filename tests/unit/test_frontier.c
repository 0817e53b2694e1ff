/* Unit tests for crawler/frontier: dedup, per-IP limits, port cap, caps, retries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crawler/config.h"
#include "crawler/frontier.h"

static void v4(uint8_t a[16], uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	a[12] = b0;
	a[13] = b1;
	a[14] = b2;
	a[15] = b3;
}

static struct policy pol;

static struct frontier *mk(struct frontier_limits *l)
{
	policy_init(&pol);
	assert_int_equal(policy_add(&pol, true, "127.0.0.0/8"), ERR_OK);
	struct frontier *f = frontier_new(l, &pol);
	assert_non_null(f);
	return f;
}

/* The crawler's defaults (the settings table of crawler/config.c). */
static void limits_default(struct frontier_limits *l)
{
	struct crawl_config c;
	assert_int_equal(crawl_config_init(&c), ERR_OK);
	crawl_config_frontier_limits(&c, l);
	crawl_config_free(&c);
}

static void test_dedup(void **state)
{
	(void)state;
	struct frontier_limits l;
	limits_default(&l);
	struct frontier *f = mk(&l);
	uint8_t a[16];
	uint32_t id1, id2;
	v4(a, 127, 0, 0, 1);
	assert_int_equal(frontier_add(f, a, 9732, 0, &id1, NULL), FR_NEW);
	assert_int_equal(frontier_add(f, a, 9732, 3, &id2, NULL), FR_DUP);
	assert_int_equal(id1, id2);
	assert_int_equal(frontier_add(f, a, 9733, 0, &id2, NULL), FR_NEW);
	assert_int_not_equal(id1, id2);
	struct fr_lease ls;
	assert_true(frontier_next(f, 0, &ls));
	assert_int_equal(ls.id, id1);
	assert_int_equal(ls.attempt, 1);
	assert_int_equal(ls.port, 9732);
	/* a leased point offered again is still a duplicate, never re-queued */
	assert_int_equal(frontier_add(f, a, 9732, 0, NULL, NULL), FR_DUP);
	assert_false(frontier_done(f, ls.id, false, 0));
	assert_int_equal(frontier_add(f, a, 9732, 0, NULL, NULL), FR_DUP);
	assert_true(frontier_next(f, 0, &ls));
	assert_int_equal(ls.id, id2);
	assert_false(frontier_next(f, 0, &ls));
	frontier_done(f, id2, false, 0);
	assert_true(frontier_idle(f));
	struct frontier_stats st;
	frontier_stats(f, &st);
	assert_int_equal(st.points, 2);
	assert_int_equal(st.done, 2);
	assert_int_equal(st.leases, 2);
	frontier_free(f);
}

static void test_policy_and_bad_port(void **state)
{
	(void)state;
	struct frontier_limits l;
	limits_default(&l);
	struct frontier *f = mk(&l);
	uint8_t a[16];
	const char *why = NULL;
	uint32_t id;
	v4(a, 203, 0, 113, 5);
	assert_int_equal(frontier_add(f, a, 9732, 1, &id, &why), FR_POLICY);
	assert_string_equal(why, "documentation");
	assert_int_equal(frontier_state(f, id), FRS_REFUSED);
	assert_int_equal(frontier_add(f, a, 9732, 1, NULL, NULL), FR_DUP);
	v4(a, 8, 8, 8, 8);
	assert_int_equal(frontier_add(f, a, 9732, 1, NULL, &why), FR_POLICY);
	assert_string_equal(why, "not in allow list");
	v4(a, 127, 0, 0, 1);
	assert_int_equal(frontier_add(f, a, 0, 1, NULL, &why), FR_BAD_PORT);
	struct fr_lease ls;
	assert_false(frontier_next(f, 0, &ls));
	assert_true(frontier_idle(f));
	struct frontier_stats st;
	frontier_stats(f, &st);
	assert_int_equal(st.refused, 3);
	assert_int_equal(st.points, 3);
	frontier_free(f);
}

static void test_port_cap(void **state)
{
	(void)state;
	struct frontier_limits l;
	limits_default(&l);
	l.per_ip_ports = 4;
	struct frontier *f = mk(&l);
	uint8_t a[16], b[16];
	v4(a, 127, 0, 0, 1);
	v4(b, 127, 0, 0, 2);
	for (uint16_t p = 1; p <= 4; p++)
		assert_int_equal(frontier_add(f, a, p, 0, NULL, NULL), FR_NEW);
	const char *why;
	assert_int_equal(frontier_add(f, a, 5, 0, NULL, &why), FR_PORT_CAP);
	assert_string_equal(why, "port cap");
	assert_int_equal(frontier_add(f, a, 6, 0, NULL, NULL), FR_PORT_CAP);
	assert_int_equal(frontier_add(f, a, 1, 0, NULL, NULL), FR_DUP);
	assert_int_equal(frontier_add(f, b, 5, 0, NULL, NULL), FR_NEW); /* another IP */
	frontier_free(f);
}

static void test_per_ip_inflight(void **state)
{
	(void)state;
	struct frontier_limits l;
	limits_default(&l);
	struct frontier *f = mk(&l);
	uint8_t a[16], b[16];
	v4(a, 127, 0, 0, 1);
	v4(b, 127, 0, 0, 2);
	/* queue: a:1 a:2 a:3 a:4 b:1 */
	for (uint16_t p = 1; p <= 4; p++)
		assert_int_equal(frontier_add(f, a, p, 0, NULL, NULL), FR_NEW);
	assert_int_equal(frontier_add(f, b, 1, 0, NULL, NULL), FR_NEW);
	struct fr_lease l1, l2, l3, l4;
	assert_true(frontier_next(f, 0, &l1));
	assert_true(frontier_next(f, 0, &l2));
	assert_int_equal(l1.port, 1);
	assert_int_equal(l2.port, 2);
	/* a is at 2 in flight: a:3 and a:4 park, b:1 comes next */
	assert_true(frontier_next(f, 0, &l3));
	assert_memory_equal(l3.addr, b, 16);
	assert_false(frontier_next(f, 0, &l4));
	assert_false(frontier_idle(f));
	/* one lease of a ends: exactly one parked point of a comes back */
	frontier_done(f, l1.id, false, 0);
	assert_true(frontier_next(f, 0, &l4));
	assert_int_equal(l4.port, 3);
	assert_false(frontier_next(f, 0, &l4));
	frontier_done(f, l2.id, false, 0);
	assert_true(frontier_next(f, 0, &l4));
	assert_int_equal(l4.port, 4);
	frontier_free(f);
}

static void test_max_points(void **state)
{
	(void)state;
	struct frontier_limits l;
	limits_default(&l);
	l.max_points = 3;
	struct frontier *f = mk(&l);
	uint8_t a[16];
	for (int i = 1; i <= 3; i++) {
		v4(a, 127, 0, 1, (uint8_t)i);
		assert_int_equal(frontier_add(f, a, 9732, 0, NULL, NULL), FR_NEW);
	}
	v4(a, 127, 0, 1, 9);
	assert_int_equal(frontier_add(f, a, 9732, 0, NULL, NULL), FR_FULL);
	v4(a, 127, 0, 1, 1);
	assert_int_equal(frontier_add(f, a, 9732, 0, NULL, NULL), FR_DUP);
	struct frontier_stats st;
	frontier_stats(f, &st);
	assert_int_equal(st.dropped_full, 1);
	assert_int_equal(st.points, 3);
	frontier_free(f);
}

static void test_message_cap(void **state)
{
	(void)state;
	struct frontier_limits l;
	limits_default(&l);
	struct frontier *f = mk(&l);
	assert_int_equal(frontier_message_cap(f, 50), 50);
	assert_int_equal(frontier_message_cap(f, 100), 100);
	assert_int_equal(frontier_message_cap(f, 101), 100);
	assert_int_equal(frontier_message_cap(f, 150), 100);
	struct frontier_stats st;
	frontier_stats(f, &st);
	assert_int_equal(st.dropped_msg, 51);
	frontier_free(f);
}

static void test_retry(void **state)
{
	(void)state;
	struct frontier_limits l;
	limits_default(&l);
	l.connect_retries = 1;
	l.retry_delay_s = 5.0;
	struct frontier *f = mk(&l);
	uint8_t a[16];
	v4(a, 127, 0, 0, 1);
	uint32_t id;
	assert_int_equal(frontier_add(f, a, 9732, 0, &id, NULL), FR_NEW);
	struct fr_lease ls;
	assert_true(frontier_next(f, 10.0, &ls));
	assert_int_equal(ls.attempt, 1);
	assert_true(frontier_done(f, id, true, 20.0));
	assert_false(frontier_idle(f));
	assert_true(frontier_next_due(f) == 25.0);
	assert_false(frontier_next(f, 24.9, &ls)); /* not yet due */
	assert_true(frontier_next(f, 25.0, &ls));
	assert_int_equal(ls.id, id);
	assert_int_equal(ls.attempt, 2);
	/* second timeout: no more attempts */
	assert_false(frontier_done(f, id, true, 40.0));
	assert_int_equal(frontier_state(f, id), FRS_DONE);
	assert_true(frontier_idle(f));
	assert_true(frontier_next_due(f) < 0);
	/* done twice or unknown ids are ignored */
	assert_false(frontier_done(f, id, false, 0));
	assert_false(frontier_done(f, 999, false, 0));
	frontier_free(f);
}

/* A local failure gives its attempt back and is retried, a bounded number of times. */
static void test_retry_local(void **state)
{
	(void)state;
	struct frontier_limits l;
	limits_default(&l);
	l.connect_retries = 0; /* no retry for the network's failures: local ones still are */
	l.retry_delay_s = 2.0;
	struct frontier *f = mk(&l);
	uint8_t a[16];
	v4(a, 127, 0, 0, 1);
	uint32_t id;
	assert_int_equal(frontier_add(f, a, 9732, 0, &id, NULL), FR_NEW);
	struct fr_lease ls;
	double t = 0;
	for (int i = 0; i < FRONTIER_LOCAL_RETRIES; i++) {
		assert_true(frontier_next(f, t, &ls));
		assert_int_equal(ls.id, id);
		assert_int_equal(ls.attempt, 1); /* the failed tries never reached the network */
		assert_true(frontier_retry_local(f, id, t));
		assert_false(frontier_idle(f));
		assert_false(frontier_next(f, t + 1.9, &ls)); /* waits retry_delay */
		t += 2.0;
	}
	assert_true(frontier_next(f, t, &ls));
	assert_false(frontier_retry_local(f, id, t)); /* the last one: done */
	assert_int_equal(frontier_state(f, id), FRS_DONE);
	assert_true(frontier_idle(f));
	assert_false(frontier_retry_local(f, id, t)); /* not leased: ignored */
	/* a point that fails locally, then times out, still gets its network retry */
	l.connect_retries = 1;
	frontier_free(f);
	f = mk(&l);
	assert_int_equal(frontier_add(f, a, 9732, 0, &id, NULL), FR_NEW);
	assert_true(frontier_next(f, 0, &ls));
	assert_true(frontier_retry_local(f, id, 0));
	assert_true(frontier_next(f, 2, &ls));
	assert_int_equal(ls.attempt, 1);
	assert_true(frontier_done(f, id, true, 2)); /* timeout: retried */
	assert_true(frontier_next(f, 4, &ls));
	assert_int_equal(ls.attempt, 2);
	assert_false(frontier_done(f, id, true, 4));
	frontier_free(f);
}

static void test_no_retry_configured(void **state)
{
	(void)state;
	struct frontier_limits l;
	limits_default(&l);
	l.connect_retries = 0;
	struct frontier *f = mk(&l);
	uint8_t a[16];
	v4(a, 127, 0, 0, 1);
	uint32_t id;
	assert_int_equal(frontier_add(f, a, 9732, 0, &id, NULL), FR_NEW);
	struct fr_lease ls;
	assert_true(frontier_next(f, 0, &ls));
	assert_false(frontier_done(f, id, true, 0));
	assert_true(frontier_idle(f));
	frontier_free(f);
}

static void test_drain_and_growth(void **state)
{
	(void)state;
	struct frontier_limits l;
	limits_default(&l);
	struct frontier *f = mk(&l);
	uint8_t a[16];
	/* enough points to rebuild both hash tables several times */
	for (int i = 0; i < 5000; i++) {
		v4(a, 127, (uint8_t)(i >> 8), (uint8_t)i, 1);
		assert_int_equal(frontier_add(f, a, 9732, 1, NULL, NULL), FR_NEW);
	}
	for (int i = 0; i < 5000; i++) {
		v4(a, 127, (uint8_t)(i >> 8), (uint8_t)i, 1);
		uint32_t id;
		assert_int_equal(frontier_add(f, a, 9732, 1, &id, NULL), FR_DUP);
		assert_int_equal(id, (uint32_t)i);
		uint8_t b[16];
		uint16_t port;
		assert_int_equal(frontier_point(f, id, b, &port), ERR_OK);
		assert_memory_equal(a, b, 16);
		assert_int_equal(port, 9732);
	}
	uint16_t port;
	assert_int_equal(frontier_point(f, 5000, a, &port), ERR_INVAL);
	struct fr_lease ls;
	assert_true(frontier_next(f, 0, &ls));
	assert_true(frontier_done(f, ls.id, true, 0)); /* one retry pending */
	frontier_drain(f);
	assert_false(frontier_next(f, 100, &ls));
	assert_true(frontier_idle(f));
	struct frontier_stats st;
	frontier_stats(f, &st);
	assert_int_equal(st.done, 5000);
	frontier_free(f);
	frontier_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dedup),
		cmocka_unit_test(test_policy_and_bad_port),
		cmocka_unit_test(test_port_cap),
		cmocka_unit_test(test_per_ip_inflight),
		cmocka_unit_test(test_max_points),
		cmocka_unit_test(test_message_cap),
		cmocka_unit_test(test_retry),
		cmocka_unit_test(test_retry_local),
		cmocka_unit_test(test_no_retry_configured),
		cmocka_unit_test(test_drain_and_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
