/*
 * Unit tests for the NAT diagnostics (analyzer/nat.c): the range of every
 * kind of address at the edges of its prefix, and report.json `nat` of a
 * hand-made crawl whose every figure is known: advertisers of each range (an
 * advertiser's own range not counted, a foreign Nack not counted, a repeated
 * entry counted once), a port mismatch and a node announcing 0, one address
 * with two peer ids, and unreachable points counted by their last failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyzer/analyze.h"
#include "analyzer/nat.h"

static enum nat_range range(const char *point)
{
	struct ipaddr ip;
	assert_int_equal(ipaddr_of_point(point, &ip), ERR_OK);
	return nat_range_of(&ip);
}

static void test_ranges(void **state)
{
	(void)state;
	static const struct {
		const char *point;
		enum nat_range want;
	} cases[] = {
	    {"10.0.0.1:1", NR_PRIVATE},
	    {"10.255.255.255:1", NR_PRIVATE},
	    {"11.0.0.1:1", NR_NONE},
	    {"172.16.0.1:1", NR_PRIVATE},
	    {"172.17.0.1:1", NR_DOCKER},
	    {"172.17.255.254:1", NR_DOCKER},
	    {"172.18.0.1:1", NR_PRIVATE},
	    {"172.31.255.255:1", NR_PRIVATE},
	    {"172.32.0.1:1", NR_NONE},
	    {"172.15.255.255:1", NR_NONE},
	    {"192.168.1.1:1", NR_PRIVATE},
	    {"192.169.0.1:1", NR_NONE},
	    {"100.63.255.255:1", NR_NONE},
	    {"100.64.0.1:1", NR_CGNAT},
	    {"100.127.255.255:1", NR_CGNAT},
	    {"100.128.0.0:1", NR_NONE},
	    {"169.254.1.1:1", NR_LINK_LOCAL},
	    {"169.253.1.1:1", NR_NONE},
	    {"127.0.0.1:1", NR_LOOPBACK},
	    {"127.200.3.4:1", NR_LOOPBACK},
	    {"8.8.8.8:1", NR_NONE},
	    {"[::1]:1", NR_LOOPBACK},
	    {"[fe80::1]:1", NR_LINK_LOCAL},
	    {"[febf::1]:1", NR_LINK_LOCAL},
	    {"[fec0::1]:1", NR_NONE},
	    {"[fc00::1]:1", NR_PRIVATE},
	    {"[fdff::1]:1", NR_PRIVATE},
	    {"[fe00::1]:1", NR_NONE},
	    {"[2001:db8::1]:1", NR_NONE},
	    {"[::ffff:172.17.0.9]:1", NR_DOCKER},
	    {"[::2]:1", NR_NONE},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (range(cases[i].point) != cases[i].want)
			fail_msg("%s: %s, want %s", cases[i].point,
			         nat_range_str(range(cases[i].point)),
			         nat_range_str(cases[i].want));
	assert_string_equal(nat_range_str(NR_DOCKER), "docker_bridge");
	assert_string_equal(nat_range_str(NR_LINK_LOCAL), "link_local");
}

static void visit(struct acrawl *c, const char *point, const char *outcome, const char *peer,
                  int port, int attempt)
{
	struct acrawl_visit v = acrawl_visit_blank();
	v.point = (char *)point;
	v.outcome = (char *)outcome;
	v.peer_id = (char *)peer;
	v.advertised_port = port;
	v.attempt = attempt;
	if (peer)
		v.chain_name = (char *)"TEZOS_MAINNET";
	assert_int_equal(acrawl_add_visit(c, &v), ERR_OK);
}

static void adv(struct acrawl *c, const char *from, const char *to, enum adv_source src, int round)
{
	assert_int_equal(acrawl_add_adv(c, from, to, src, round, 0, 1), ERR_OK);
}

static long long jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_integer(v))
		fail_msg("%s is not an integer", k);
	return (long long)json_integer_value(v);
}

static void test_report(void **state)
{
	(void)state;
	struct acrawl c;
	acrawl_init(&c);
	const char *A = "203.0.113.1:9732", *B = "10.9.9.9:9732", *F = "203.0.113.9:9732";
	visit(&c, A, "ok", "idA", 9732, 1);
	visit(&c, B, "ok", "idB", 9732, 1);
	visit(&c, F, "foreign", "idF", 9732, 1);
	visit(&c, "203.0.113.2:9732", "ok", "idD", 9733, 1); /* announces another port */
	visit(&c, "203.0.113.2:9800", "ok", "idE", 0, 1);    /* one address, two peer ids */
	visit(&c, "203.0.113.20:9732", "refused", NULL, -1, 1);
	visit(&c, "203.0.113.21:9732", "timeout", NULL, -1, 1);
	visit(&c, "203.0.113.21:9732", "unreachable", NULL, -1, 2); /* last: no route */
	visit(&c, "203.0.113.22:9732", "refused", NULL, -1, 1);
	visit(&c, "203.0.113.22:9732", "timeout", NULL, -1, 2); /* last: timed out */
	visit(&c, "203.0.113.23:9732", "timeout", NULL, -1, 1);
	visit(&c, "203.0.113.23:9732", "local_error", NULL, -1, 2); /* says nothing */
	adv(&c, A, "10.1.1.1:9732", ADV_ADVERTISE, 1);
	adv(&c, A, "10.1.1.1:9732", ADV_ADVERTISE, 2); /* the same point again */
	adv(&c, A, "172.17.0.2:9732", ADV_ADVERTISE, 1);
	adv(&c, A, "100.64.0.5:9732", ADV_ADVERTISE, 1);
	adv(&c, A, "169.254.3.3:9732", ADV_ADVERTISE, 1);
	adv(&c, A, "127.0.0.1:9732", ADV_ADVERTISE, 1);
	adv(&c, A, "8.8.8.8:9732", ADV_ADVERTISE, 1);
	adv(&c, B, "10.1.1.1:9732", ADV_ADVERTISE, 1);    /* B's own range */
	adv(&c, B, "192.168.1.1:9732", ADV_ADVERTISE, 1); /* B's own range */
	adv(&c, B, "[::1]:9732", ADV_ADVERTISE, 1);
	adv(&c, F, "10.2.2.2:9732", ADV_NACK, 0); /* another network's list */
	struct analyze_opts o;
	analyze_opts_default(&o);
	struct analysis an;
	assert_int_equal(analysis_run(&an, &c, &o, NULL), ERR_OK);
	json_t *nat = json_object_get(an.report, "nat");
	assert_non_null(nat);

	json_t *pa = json_object_get(nat, "private_advertisers");
	assert_int_equal(jint(pa, "nodes"), 2);
	assert_int_equal(jint(pa, "points"), 6);
	json_t *br = json_object_get(pa, "by_range");
	static const struct {
		const char *r;
		long long nodes, points;
	} want[] = {{"private", 1, 1},
	            {"docker_bridge", 1, 1},
	            {"cgnat", 1, 1},
	            {"link_local", 1, 1},
	            {"loopback", 2, 2}};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		json_t *x = json_object_get(br, want[i].r);
		assert_non_null(x);
		assert_int_equal(jint(x, "nodes"), want[i].nodes);
		assert_int_equal(jint(x, "points"), want[i].points);
	}
	json_t *top = json_object_get(pa, "top");
	assert_int_equal(json_array_size(top), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(top, 0), "id")),
	                    "idA");
	assert_int_equal(jint(json_array_get(top, 0), "points"), 5);
	assert_int_equal(jint(json_object_get(json_array_get(top, 1), "ranges"), "loopback"), 1);

	json_t *pm = json_object_get(nat, "port_mismatch");
	assert_int_equal(jint(pm, "nodes"), 1);
	assert_int_equal(jint(pm, "points"), 1);
	assert_int_equal(jint(pm, "checked_points"), 4); /* A, B, D, E: not the foreign one */
	assert_int_equal(jint(pm, "announce_zero"), 1);
	json_t *m0 = json_array_get(json_object_get(pm, "top"), 0);
	assert_string_equal(json_string_value(json_object_get(m0, "id")), "idD");
	assert_int_equal(jint(m0, "dialed_port"), 9732);
	assert_int_equal(jint(m0, "announced_port"), 9733);

	json_t *sa = json_object_get(nat, "shared_addresses");
	assert_int_equal(jint(sa, "addresses"), 1);
	assert_int_equal(jint(sa, "nodes"), 2);
	json_t *s0 = json_array_get(json_object_get(sa, "top"), 0);
	assert_string_equal(json_string_value(json_object_get(s0, "address")), "203.0.113.2");
	assert_int_equal(jint(s0, "points"), 2);

	json_t *ub = json_object_get(nat, "unreachable_by_cause");
	assert_int_equal(jint(ub, "points"), 4);
	assert_int_equal(jint(ub, "refused"), 1);
	assert_int_equal(jint(ub, "timed_out"), 2);
	assert_int_equal(jint(ub, "no_route"), 1);
	analysis_free(&an);
	acrawl_free(&c);
}

/* No list, no visit with a port: every figure 0, every key present. */
static void test_empty(void **state)
{
	(void)state;
	struct acrawl c;
	acrawl_init(&c);
	visit(&c, "203.0.113.1:9732", "refused", NULL, -1, 1);
	struct analyze_opts o;
	analyze_opts_default(&o);
	struct analysis an;
	assert_int_equal(analysis_run(&an, &c, &o, NULL), ERR_OK);
	json_t *nat = json_object_get(an.report, "nat");
	assert_int_equal(jint(json_object_get(nat, "private_advertisers"), "nodes"), 0);
	assert_int_equal(jint(json_object_get(nat, "port_mismatch"), "checked_points"), 0);
	assert_int_equal(jint(json_object_get(nat, "shared_addresses"), "addresses"), 0);
	assert_int_equal(jint(json_object_get(nat, "unreachable_by_cause"), "refused"), 1);
	analysis_free(&an);
	acrawl_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ranges),
	    cmocka_unit_test(test_report),
	    cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
