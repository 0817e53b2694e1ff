/*
 * Unit tests for the analyzer's algorithms on graphs whose answers are known
 * by construction: path, cycle, complete graph, two cliques joined by k
 * vertices, barbell, star, disconnected inputs, multi-edges and self-loops;
 * plus the model (vertices, classes, ranks, strong edges), the point parser
 * and the concentration figures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analyzer/analyze.h"
#include "analyzer/graph.h"
#include "analyzer/ipaddr.h"
#include "analyzer/load.h"
#include "analyzer/model.h"
#include "analyzer/output.h"
#include "analyzer/ugraph.h"
#include "analyzer/vconn.h"

#define MAXE 4096
struct elist {
	uint32_t u[MAXE], v[MAXE];
	size_t k;
};

static void add(struct elist *e, uint32_t u, uint32_t v)
{
	assert_true(e->k < MAXE);
	e->u[e->k] = u;
	e->v[e->k++] = v;
}

static void clique(struct elist *e, uint32_t from, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = i + 1; j < n; j++)
			add(e, from + i, from + j);
}

static void build(struct ugraph *g, uint32_t n, const struct elist *e)
{
	assert_int_equal(ugraph_build(g, n, e->u, e->v, e->k), ERR_OK);
}

/* κ must equal want; the witness must be a separator of size κ (or empty). */
static void expect_kappa(const struct ugraph *g, uint32_t want, bool empty_cut)
{
	struct vconn_result r;
	assert_int_equal(vconn_compute(g, &r), ERR_OK);
	assert_int_equal(r.kappa, want);
	if (empty_cut) {
		assert_int_equal(r.cut_n, 0);
	} else {
		assert_int_equal(r.cut_n, want);
		assert_true(vconn_is_separator(g, r.cut, r.cut_n));
		for (uint32_t i = 1; i < r.cut_n; i++)
			assert_true(r.cut[i - 1] < r.cut[i]);
	}
	vconn_result_free(&r);
}

static void test_vconn_path_cycle_star(void **state)
{
	(void)state;
	struct elist e = {0};
	struct ugraph g;
	for (uint32_t i = 0; i + 1 < 6; i++)
		add(&e, i, i + 1);
	build(&g, 6, &e);
	expect_kappa(&g, 1, false);
	ugraph_free(&g);
	add(&e, 5, 0); /* cycle C6 */
	build(&g, 6, &e);
	expect_kappa(&g, 2, false);
	ugraph_free(&g);
	struct elist s = {0};
	for (uint32_t i = 1; i < 8; i++)
		add(&s, 0, i);
	build(&g, 8, &s);
	struct vconn_result r;
	assert_int_equal(vconn_compute(&g, &r), ERR_OK);
	assert_int_equal(r.kappa, 1);
	assert_int_equal(r.cut_n, 1);
	assert_int_equal(r.cut[0], 0); /* the centre */
	vconn_result_free(&r);
	ugraph_free(&g);
}

static void test_vconn_complete_and_trivial(void **state)
{
	(void)state;
	struct elist e = {0};
	struct ugraph g;
	clique(&e, 0, 6);
	build(&g, 6, &e);
	expect_kappa(&g, 5, true);
	ugraph_free(&g);
	struct elist none = {0};
	build(&g, 1, &none);
	expect_kappa(&g, 0, true);
	ugraph_free(&g);
	build(&g, 0, &none);
	expect_kappa(&g, 0, true);
	ugraph_free(&g);
	struct elist two = {0};
	add(&two, 0, 1);
	build(&g, 2, &two); /* K2 */
	expect_kappa(&g, 1, true);
	ugraph_free(&g);
}

/* Cliques A = 0..a-1 and B = a..a+b-1, plus k connectors adjacent to all of both. */
static void test_vconn_two_cliques_k(void **state)
{
	(void)state;
	for (uint32_t k = 1; k <= 4; k++) {
		struct elist e = {0};
		struct ugraph g;
		uint32_t a = 6, b = 7;
		clique(&e, 0, a);
		clique(&e, a, b);
		for (uint32_t j = 0; j < k; j++)
			for (uint32_t x = 0; x < a + b; x++)
				add(&e, a + b + j, x);
		build(&g, a + b + k, &e);
		struct vconn_result r;
		assert_int_equal(vconn_compute(&g, &r), ERR_OK);
		assert_int_equal(r.kappa, k);
		assert_int_equal(r.cut_n, k);
		for (uint32_t j = 0; j < k; j++)
			assert_int_equal(r.cut[j], a + b + j); /* exactly the connectors */
		vconn_result_free(&r);
		ugraph_free(&g);
	}
}

static void test_vconn_barbell_disconnected_multi(void **state)
{
	(void)state;
	struct elist e = {0};
	struct ugraph g;
	clique(&e, 0, 5); /* barbell: K5 - 5 - 6 - K5 */
	clique(&e, 7, 5);
	add(&e, 4, 5);
	add(&e, 5, 6);
	add(&e, 6, 7);
	build(&g, 12, &e);
	expect_kappa(&g, 1, false);
	struct graph_blocks b;
	assert_int_equal(graph_blocks(&g, &b), ERR_OK);
	assert_int_equal(b.aps_n, 4);      /* 4, 5, 6, 7 */
	assert_int_equal(b.cut_off[5], 5); /* removing 5 leaves 5 and 6 vertices */
	assert_int_equal(b.cut_off[4], 4);
	assert_int_equal(b.largest_block, 5);
	graph_blocks_free(&b);
	ugraph_free(&g);
	/* disconnected: two triangles */
	struct elist d = {0};
	clique(&d, 0, 3);
	clique(&d, 3, 3);
	build(&g, 6, &d);
	expect_kappa(&g, 0, true);
	struct graph_comps c;
	assert_int_equal(graph_components(&g, &c), ERR_OK);
	assert_int_equal(c.count, 2);
	assert_int_equal(c.size[c.giant], 3);
	assert_int_equal(c.membership[0], c.giant); /* tie: the lowest vertex wins */
	graph_comps_free(&c);
	ugraph_free(&g);
	/* multi-edges and self-loops vanish: K4 written three times over */
	struct elist m = {0};
	for (int rep = 0; rep < 3; rep++) {
		clique(&m, 0, 4);
		add(&m, 2, 1);
		add(&m, 3, 3);
	}
	build(&g, 4, &m);
	assert_int_equal(g.m, 6);
	expect_kappa(&g, 3, true);
	ugraph_free(&g);
	struct elist bad = {0};
	add(&bad, 0, 9);
	assert_int_equal(ugraph_build(&g, 4, bad.u, bad.v, bad.k), ERR_INVAL);
}

static void test_vconn_local(void **state)
{
	(void)state;
	struct elist e = {0};
	struct ugraph g;
	for (uint32_t i = 0; i < 6; i++)
		add(&e, i, (i + 1) % 6);
	build(&g, 6, &e);
	uint32_t k;
	assert_int_equal(vconn_local(&g, 0, 3, &k), ERR_OK);
	assert_int_equal(k, 2);
	assert_int_equal(vconn_local(&g, 0, 1, &k), ERR_INVAL); /* adjacent */
	assert_int_equal(vconn_local(&g, 0, 0, &k), ERR_INVAL);
	uint32_t cut[2] = {0, 0};
	assert_false(vconn_is_separator(&g, cut, 2)); /* repeated vertex */
	ugraph_free(&g);
}

static void test_star_blocks_coreness_curve(void **state)
{
	(void)state;
	struct elist e = {0};
	struct ugraph g;
	for (uint32_t i = 1; i < 10; i++)
		add(&e, 0, i);
	build(&g, 10, &e);
	struct graph_blocks b;
	assert_int_equal(graph_blocks(&g, &b), ERR_OK);
	assert_int_equal(b.aps_n, 1);
	assert_int_equal(b.aps[0], 0);
	assert_int_equal(b.cut_off[0], 8);
	assert_int_equal(b.blocks_n, 9);
	assert_int_equal(b.largest_block, 2);
	graph_blocks_free(&b);
	uint32_t core[10];
	assert_int_equal(graph_coreness(&g, core), ERR_OK);
	for (int i = 0; i < 10; i++)
		assert_int_equal(core[i], 1);
	/* removing the centre first (10% of 10) leaves singletons */
	uint32_t order[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	double c[ATTACK_STEPS + 1];
	assert_int_equal(attack_curve(&g, order, c), ERR_OK);
	assert_float_equal(c[0], 1.0, 1e-12);
	assert_float_equal(c[10], 0.1, 1e-12);
	assert_float_equal(c[100], 0.0, 1e-12);
	double bw[10];
	assert_int_equal(graph_betweenness(&g, NULL, 0, bw), ERR_OK);
	assert_float_equal(bw[0], 36.0, 1e-9); /* C(9,2) pairs through the centre */
	assert_float_equal(bw[1], 0.0, 1e-9);
	ugraph_free(&g);
	/* K5 plus a pendant: coreness 4 and 1 */
	struct elist k = {0};
	clique(&k, 0, 5);
	add(&k, 4, 5);
	build(&g, 6, &k);
	uint32_t core6[6];
	assert_int_equal(graph_coreness(&g, core6), ERR_OK);
	assert_int_equal(core6[0], 4);
	assert_int_equal(core6[5], 1);
	/* sampled betweenness with every vertex as a source equals the exact one */
	double ex[6], sa[6];
	uint32_t all[6] = {0, 1, 2, 3, 4, 5};
	assert_int_equal(graph_betweenness(&g, NULL, 0, ex), ERR_OK);
	assert_int_equal(graph_betweenness(&g, all, 6, sa), ERR_OK);
	for (int i = 0; i < 6; i++)
		assert_float_equal(ex[i], sa[i], 1e-9);
	ugraph_free(&g);
}

/* igraph errors come back as return codes, not abort(). */
static void test_igraph_error_handler(void **state)
{
	(void)state;
	struct elist e = {0};
	struct ugraph g;
	add(&e, 0, 1);
	add(&e, 1, 2);
	build(&g, 3, &e);
	double bw[3];
	uint32_t bad[1] = {99};
	assert_int_equal(graph_betweenness(&g, bad, 1, bw), ERR_STATE);
	assert_true(strlen(graph_last_error()) > 0);
	/* and igraph still works afterwards */
	assert_int_equal(graph_betweenness(&g, NULL, 0, bw), ERR_OK);
	assert_float_equal(bw[1], 1.0, 1e-12);
	ugraph_free(&g);
}

static void test_concentration(void **state)
{
	(void)state;
	uint64_t c[3] = {2, 5, 3};
	struct concentration r;
	concentration_of(c, 3, &r);
	assert_int_equal(r.nakamoto, 2);
	assert_float_equal(r.hhi, 3800.0, 1e-9);
	assert_float_equal(r.gini, 0.2, 1e-12);
	uint64_t eq[4] = {5, 5, 5, 5};
	concentration_of(eq, 4, &r);
	assert_int_equal(r.nakamoto, 3); /* 2 hold exactly 50%, not more */
	assert_float_equal(r.gini, 0.0, 1e-12);
	concentration_of(NULL, 0, &r);
	assert_int_equal(r.nakamoto, 0);
}

static void test_ipaddr(void **state)
{
	(void)state;
	struct ipaddr ip;
	char buf[80];
	assert_int_equal(ipaddr_of_point("192.0.2.7:9732", &ip), ERR_OK);
	assert_true(ip.v4);
	ipaddr_prefix(&ip, 24, buf, sizeof buf);
	assert_string_equal(buf, "192.0.2.0/24");
	ipaddr_prefix(&ip, 16, buf, sizeof buf);
	assert_string_equal(buf, "192.0.0.0/16");
	assert_int_equal(ipaddr_of_point("[2001:db8:1:2::1]:9732", &ip), ERR_OK);
	assert_false(ip.v4);
	ipaddr_prefix(&ip, 48, buf, sizeof buf);
	assert_string_equal(buf, "2001:db8:1::/48");
	assert_int_equal(ipaddr_of_point("[::ffff:10.1.2.3]:1", &ip), ERR_OK);
	assert_true(ip.v4);
	ipaddr_format(&ip, buf, sizeof buf);
	assert_string_equal(buf, "10.1.2.3");
	assert_int_equal(ipaddr_of_point("[1.2.3.4]:5", &ip), ERR_OK);
	/* every error path */
	assert_int_equal(ipaddr_of_point("", &ip), ERR_PROTO);
	assert_int_equal(ipaddr_of_point("1.2.3.4", &ip), ERR_PROTO);
	assert_int_equal(ipaddr_of_point("1.2.3.4:", &ip), ERR_PROTO);
	assert_int_equal(ipaddr_of_point("1.2.3.4:65536", &ip), ERR_PROTO);
	assert_int_equal(ipaddr_of_point("1.2.3.4:123456", &ip), ERR_PROTO);
	assert_int_equal(ipaddr_of_point("1.2.3.4:9x", &ip), ERR_PROTO);
	assert_int_equal(ipaddr_of_point("2001:db8::1:9732", &ip), ERR_PROTO);
	assert_int_equal(ipaddr_of_point("[2001:db8::1]9732", &ip), ERR_PROTO);
	assert_int_equal(ipaddr_of_point("[2001:db8::1:9732", &ip), ERR_PROTO);
	assert_int_equal(ipaddr_of_point("1.2.3.256:1", &ip), ERR_PROTO);
	assert_int_equal(ipaddr_of_point("host.example:1", &ip), ERR_PROTO);
	assert_int_equal(ipaddr_of_point("idrTQ9fAmpLMo7nrn1bBXAbhqnzXLN", &ip), ERR_PROTO);
	char longp[IPADDR_TEXT_MAX + 10];
	memset(longp, '1', sizeof longp - 1);
	longp[sizeof longp - 1] = 0;
	assert_int_equal(ipaddr_of_point(longp, &ip), ERR_PROTO);
}

static void test_chain_text(void **state)
{
	(void)state;
	char out[ACRAWL_CHAIN_TEXT_CAP];
	acrawl_chain_text((const uint8_t *)"TEZOS_MAINNET", 13, out, sizeof out);
	assert_string_equal(out, "TEZOS_MAINNET");
	acrawl_chain_text((const uint8_t *)"a\0b\\\xff", 5, out, sizeof out);
	assert_string_equal(out, "a\\x00b\\x5c\\xff");
	uint8_t big[300];
	memset(big, 0xee, sizeof big);
	acrawl_chain_text(big, sizeof big, out, sizeof out); /* capped at 128 bytes */
	assert_int_equal(strlen(out), 4 * 128);
	char small[6];
	acrawl_chain_text((const uint8_t *)"\x01\x02", 2, small, sizeof small);
	assert_string_equal(small, "\\x01"); /* no half escape */
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

static void test_model(void **state)
{
	(void)state;
	assert_int_equal(model_adv_rank(49, 50), 0);
	assert_int_equal(model_adv_rank(20, 50), 29);
	assert_int_equal(model_adv_rank(19, 50), -1);
	assert_int_equal(model_adv_rank(0, 50), -1);
	assert_int_equal(model_adv_rank(3, 10), 3);
	assert_int_equal(model_adv_rank(35, 40), -1);
	assert_int_equal(model_adv_rank(5, 5), -1);

	struct acrawl c;
	acrawl_init(&c);
	visit(&c, "10.0.0.1:9732", "ok", "idA");
	visit(&c, "10.0.0.2:9732", "ok", "idA");     /* same node, two points */
	visit(&c, "10.0.0.3:9732", "closed", "idB"); /* connection message, then closed */
	visit(&c, "10.0.0.4:9732", "refused", NULL);
	visit(&c, "10.0.0.5:9732", "policy", NULL);
	visit(&c, "10.0.0.6:9732", "nack", "idC");
	/* idA lists idB ranked in both rounds (strong) and 10.0.0.4 in one only */
	assert_int_equal(
	    acrawl_add_adv(&c, "10.0.0.1:9732", "10.0.0.3:9732", ADV_ADVERTISE, 1, 0, 3), ERR_OK);
	assert_int_equal(
	    acrawl_add_adv(&c, "10.0.0.1:9732", "10.0.0.4:9732", ADV_ADVERTISE, 1, 1, 3), ERR_OK);
	assert_int_equal(
	    acrawl_add_adv(&c, "10.0.0.1:9732", "10.0.0.2:9732", ADV_ADVERTISE, 1, 2, 3), ERR_OK);
	assert_int_equal(
	    acrawl_add_adv(&c, "10.0.0.2:9732", "10.0.0.3:9732", ADV_ADVERTISE, 2, 49, 50), ERR_OK);
	assert_int_equal(
	    acrawl_add_adv(&c, "10.0.0.2:9732", "10.0.0.4:9732", ADV_ADVERTISE, 2, 3, 50), ERR_OK);
	/* a Nack lists an unknown point */
	assert_int_equal(acrawl_add_adv(&c, "10.0.0.6:9732", "10.0.0.7:9732", ADV_NACK, 0, 0, 1),
	                 ERR_OK);
	assert_int_equal(acrawl_add_adv(&c, "a", "b", ADV_ADVERTISE, 1, 3, 3), ERR_INVAL);
	assert_int_equal(acrawl_add_adv(&c, "a", "b", ADV_ADVERTISE, 1, -1, 3), ERR_INVAL);

	struct model mo;
	assert_int_equal(model_build(&mo, &c), ERR_OK);
	assert_int_equal(mo.points_n, 7);
	assert_int_equal(mo.n, 6); /* idA covers two points */
	assert_int_equal(mo.points_dialed, 5);
	uint32_t a = model_vertex_of_id(&mo, "idA"), b = model_vertex_of_id(&mo, "idB");
	uint32_t p4 = model_vertex_of_id(&mo, "10.0.0.4:9732");
	uint32_t p5 = model_vertex_of_id(&mo, "10.0.0.5:9732");
	uint32_t p7 = model_vertex_of_id(&mo, "10.0.0.7:9732");
	uint32_t cc = model_vertex_of_id(&mo, "idC");
	assert_int_equal(model_vertex_of_point(&mo, "10.0.0.2:9732"), a);
	assert_int_equal(mo.v[a].points_n, 2);
	assert_int_equal(mo.v[a].cls, VC_PUBLIC);
	assert_int_equal(mo.v[b].cls, VC_PUBLIC);
	assert_int_equal(mo.v[cc].cls, VC_PUBLIC);
	assert_int_equal(mo.v[p4].cls, VC_UNREACHABLE);
	assert_int_equal(mo.v[p5].cls, VC_UNDIALED);
	assert_int_equal(mo.v[p7].cls, VC_UNDIALED);
	assert_int_equal(mo.m, 3); /* A-B, A-4, C-7; A->A dropped */
	for (size_t i = 0; i < mo.m; i++) {
		const struct medge *e = &mo.e[i];
		assert_true(strcmp(mo.v[e->u].id, mo.v[e->v].id) < 0);
		if ((e->u == a && e->v == b) || (e->u == b && e->v == a)) {
			assert_true(e->strong);
			assert_int_equal(e->best_rank, 0);
			assert_int_equal(e->rounds_seen, 2);
		} else if (e->u == p4 || e->v == p4) {
			assert_false(e->strong); /* random part of the round-2 list */
			assert_int_equal(e->best_rank, 1);
		} else {
			assert_int_equal(e->sources, SRC_NACK);
			assert_false(e->strong);
		}
	}
	model_free(&mo);
	model_free(&mo); /* idempotent */

	struct analyze_opts o;
	analyze_opts_default(&o);
	struct analysis an;
	assert_int_equal(analysis_run(&an, &c, &o, NULL), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(an.report, "schema_version")), 1);
	json_t *core = json_object_get(json_object_get(an.report, "graph"), "core");
	assert_int_equal(json_integer_value(json_object_get(core, "vertices")), 2);
	assert_int_equal(json_integer_value(json_object_get(core, "vertex_connectivity")), 1);
	json_t *seen = json_object_get(json_object_get(an.report, "graph"), "seen");
	assert_int_equal(json_array_size(json_object_get(seen, "sole_advertisers")), 2);
	analysis_free(&an);
	acrawl_free(&c);
	acrawl_free(&c);
}

/* local_error is our own failure: a point with only those is undialed, never unreachable. */
static void test_model_local_error(void **state)
{
	(void)state;
	struct acrawl c;
	acrawl_init(&c);
	visit(&c, "10.0.0.1:9732", "ok", "idA");
	visit(&c, "10.0.0.2:9732", "local_error", NULL);
	visit(&c, "10.0.0.2:9732", "local_error", NULL); /* retried, failed again */
	visit(&c, "10.0.0.3:9732", "local_error", NULL);
	visit(&c, "10.0.0.3:9732", "refused", NULL); /* the retry reached it */
	visit(&c, "10.0.0.4:9732", "local_error", NULL);
	visit(&c, "10.0.0.4:9732", "ok", "idD");
	struct model mo;
	assert_int_equal(model_build(&mo, &c), ERR_OK);
	assert_int_equal(mo.points_dialed, 3);
	assert_int_equal(mo.v[model_vertex_of_id(&mo, "10.0.0.2:9732")].cls, VC_UNDIALED);
	assert_int_equal(mo.v[model_vertex_of_id(&mo, "10.0.0.3:9732")].cls, VC_UNREACHABLE);
	assert_int_equal(mo.v[model_vertex_of_id(&mo, "idD")].cls, VC_PUBLIC);
	model_free(&mo);
	acrawl_free(&c);
}

static void visit_head(struct acrawl *c, const char *pt, const char *peer, int64_t level)
{
	struct acrawl_visit v = acrawl_visit_blank();
	v.point = (char *)pt;
	v.outcome = (char *)"ok";
	v.peer_id = (char *)peer;
	v.attempt = 1;
	v.head_level = level;
	assert_int_equal(acrawl_add_visit(c, &v), ERR_OK);
}

static long long jint(const json_t *o, const char *k)
{
	const json_t *x = json_object_get(o, k);
	assert_non_null(x);
	return (long long)json_integer_value(x);
}

/*
 * The census classes (lib/db/census.h) in the model and report.json counts:
 * another chain is foreign, a silent close or a handshake timeout without a
 * connection message unverified, self and local_error undialed, a retry
 * that got an Ack makes its point public, and the public ratio leaves
 * foreign and undialed points out.
 */
static void test_model_classes(void **state)
{
	(void)state;
	struct acrawl c;
	acrawl_init(&c);
	visit(&c, "10.0.0.1:9732", "ok", "idA");
	visit(&c, "10.0.0.2:9732", "ok", "idA");           /* idA again: one node */
	visit(&c, "10.0.0.3:9732", "handshake_timeout", "idB"); /* message, then stuck */
	visit(&c, "10.0.0.4:9732", "foreign", "idF");
	visit(&c, "10.0.0.5:9732", "silent_close", NULL);
	visit(&c, "10.0.0.6:9732", "handshake_timeout", NULL);
	visit(&c, "10.0.0.7:9732", "refused", NULL);
	visit(&c, "10.0.0.8:9732", "self", "idSelf");
	visit(&c, "10.0.0.9:9732", "local_error", NULL);
	visit(&c, "10.0.0.10:9732", "timeout", NULL); /* then a retry that got an Ack */
	struct acrawl_visit v = acrawl_visit_blank();
	v.point = (char *)"10.0.0.10:9732";
	v.outcome = (char *)"ok";
	v.peer_id = (char *)"idR";
	v.attempt = 2;
	assert_int_equal(acrawl_add_visit(&c, &v), ERR_OK);
	assert_int_equal(
	    acrawl_add_adv(&c, "10.0.0.1:9732", "10.0.0.11:9732", ADV_ADVERTISE, 1, 0, 1), ERR_OK);
	struct model mo;
	assert_int_equal(model_build(&mo, &c), ERR_OK);
	assert_int_equal(mo.v[model_vertex_of_id(&mo, "idB")].cls, VC_PUBLIC);
	assert_int_equal(mo.v[model_vertex_of_id(&mo, "idF")].cls, VC_FOREIGN);
	assert_int_equal(mo.v[model_vertex_of_id(&mo, "idR")].cls, VC_PUBLIC);
	assert_int_equal(mo.v[model_vertex_of_point(&mo, "10.0.0.5:9732")].cls, VC_UNVERIFIED);
	assert_int_equal(mo.v[model_vertex_of_point(&mo, "10.0.0.9:9732")].cls, VC_UNDIALED);
	assert_int_equal(mo.v[model_vertex_of_point(&mo, "10.0.0.8:9732")].cls, VC_UNDIALED);
	assert_string_equal(vclass_str(VC_UNVERIFIED), "unverified");
	assert_string_equal(vclass_str(VC_FOREIGN), "foreign");
	model_free(&mo);
	struct analyze_opts o;
	analyze_opts_default(&o);
	struct analysis an;
	assert_int_equal(analysis_run(&an, &c, &o, NULL), ERR_OK);
	json_t *k = json_object_get(an.report, "counts");
	assert_int_equal(jint(k, "public"), 3);        /* idA, idB, idR */
	assert_int_equal(jint(k, "public_points"), 4); /* .1 .2 .3 .10 */
	assert_int_equal(jint(k, "foreign"), 1);
	assert_int_equal(jint(k, "unverified"), 2);
	assert_int_equal(jint(k, "unreachable"), 1);
	assert_int_equal(jint(k, "undialed"), 3); /* self, local_error, advertised only */
	assert_int_equal(jint(k, "points_dialed"), 8);
	assert_true(json_real_value(json_object_get(k, "public_ratio")) == 0.5); /* 3 / (3+2+1) */
	/* R holds the public nodes only: the foreign node is not in it. */
	json_t *r = json_object_get(json_object_get(an.report, "graph"), "reachable");
	assert_int_equal(jint(r, "vertices"), 3);
	analysis_free(&an);
	acrawl_free(&c);
}

/* The heads section of a crawl of honest nodes plus liars (levels). */
static json_t *heads_of(const int64_t *liars, int nl)
{
	static const int64_t honest[] = {5000, 5000, 5001, 5001, 5001, 5002, 4990, 4700, 3000};
	struct acrawl c;
	acrawl_init(&c);
	char pt[64], id[32];
	int n = (int)(sizeof honest / sizeof honest[0]);
	for (int i = 0; i < n + nl; i++) {
		snprintf(pt, sizeof pt, "10.0.1.%d:9732", i + 1);
		snprintf(id, sizeof id, "id%02d", i);
		visit_head(&c, pt, id, i < n ? honest[i] : liars[i - n]);
	}
	struct analyze_opts o;
	analyze_opts_default(&o);
	struct analysis an;
	assert_int_equal(analysis_run(&an, &c, &o, NULL), ERR_OK);
	json_t *h = json_incref(json_object_get(an.report, "heads"));
	analysis_free(&an);
	acrawl_free(&c);
	return h;
}

/*
 * One liar must not move the figures: a head at 2^31-1 and one a million
 * levels ahead leave every other node's lag, the reference and the
 * histogram as they were, and are listed as outliers with their points; so
 * do four liars among nine honest nodes. The histogram is sparse (one key
 * per lag seen).
 */
static void test_heads_liars(void **state)
{
	(void)state;
	json_t *base = heads_of(NULL, 0);
	assert_int_equal(jint(base, "reference_level"), 5002);
	assert_int_equal(jint(base, "max_level"), 5002);
	assert_int_equal(json_array_size(json_object_get(base, "outliers")), 0);
	json_t *hist = json_object_get(base, "lag_histogram");
	assert_int_equal(json_object_size(hist), 6); /* 0 1 2 12 302 2002 */
	assert_int_equal(jint(hist, "2002"), 1);
	assert_int_equal(jint(hist, "1"), 3);

	const int64_t two[] = {2147483647, 5001 + 1000000};
	json_t *h2 = heads_of(two, 2);
	assert_int_equal(jint(h2, "reference_level"), 5002);
	assert_int_equal(jint(h2, "highest_announced"), 2147483647);
	assert_true(json_equal(json_object_get(h2, "lag_histogram"), hist));
	json_t *out = json_object_get(h2, "outliers");
	assert_int_equal(json_array_size(out), 2);
	json_t *o0 = json_array_get(out, 0), *o1 = json_array_get(out, 1);
	assert_int_equal(jint(o0, "level"), 5001 + 1000000);
	assert_string_equal(json_string_value(json_object_get(o0, "id")), "id10");
	assert_string_equal(json_string_value(json_object_get(o0, "point")), "10.0.1.11:9732");
	assert_int_equal(jint(o0, "ahead"), 999999);
	assert_int_equal(jint(o1, "level"), 2147483647);
	assert_string_equal(json_string_value(json_object_get(o1, "point")), "10.0.1.10:9732");

	const int64_t four[] = {2147483647, 2147483000, 9000000, 7000};
	json_t *h4 = heads_of(four, 4);
	assert_int_equal(jint(h4, "reference_level"), 5002);
	assert_true(json_equal(json_object_get(h4, "lag_histogram"), hist));
	assert_int_equal(json_array_size(json_object_get(h4, "outliers")), 4);
	json_decref(base);
	json_decref(h2);
	json_decref(h4);
}

static void fake_anon(const char *point_text, char *out, size_t cap)
{
	(void)point_text;
	snprintf(out, cap, "X/24"); /* every point to one label: ids must stay unique */
}

/* A whole small file as text into buf (cap bytes with the NUL). */
static void read_text(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, cap - 1, f);
	buf[n] = 0;
	fclose(f);
}

/* Removes the five files of output_write_all and their directory. */
static void remove_outputs(const char *dir)
{
	static const char *const files[] = {"nodes.csv", "edges.csv", "graph.graphml",
	                                    "report.json", "manifest.json"};
	char path[300];
	for (size_t i = 0; i < 5; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(rmdir(dir), 0);
}

static void test_empty_and_anonymized_outputs(void **state)
{
	(void)state;
	struct acrawl c;
	acrawl_init(&c);
	struct analyze_opts o;
	analyze_opts_default(&o);
	struct analysis an;
	assert_int_equal(analysis_run(&an, &c, &o, NULL), ERR_OK);
	json_t *core = json_object_get(json_object_get(an.report, "graph"), "core");
	assert_int_equal(json_integer_value(json_object_get(core, "vertices")), 0);
	char dir[] = "/tmp/tz-analyzer-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char err[256];
	assert_int_equal(output_write_all(&an, dir, err, sizeof err), ERR_OK);
	analysis_free(&an);
	analysis_free(&an);

	visit(&c, "10.0.0.1:9732", "ok", "idA");
	visit(&c, "10.0.0.2:9732", "refused", NULL);
	visit(&c, "10.0.0.3:9732", "refused", NULL);
	assert_int_equal(
	    acrawl_add_adv(&c, "10.0.0.1:9732", "10.0.0.2:9732", ADV_ADVERTISE, 1, 0, 2), ERR_OK);
	assert_int_equal(
	    acrawl_add_adv(&c, "10.0.0.1:9732", "10.0.0.3:9732", ADV_ADVERTISE, 1, 1, 2), ERR_OK);
	o.anon = fake_anon;
	assert_int_equal(analysis_run(&an, &c, &o, NULL), ERR_OK);
	assert_int_equal(an.mo.n, 3);
	assert_string_equal(an.disp[0], "X/24~1");
	assert_string_equal(an.disp[1], "X/24~2");
	assert_string_equal(an.disp[2], "idA"); /* peer ids are kept */
	assert_int_equal(output_write_all(&an, dir, err, sizeof err), ERR_OK);
	char path[300], hex[65];
	snprintf(path, sizeof path, "%s/nodes.csv", dir);
	char buf[4096];
	read_text(path, buf, sizeof buf);
	assert_null(strstr(buf, "10.0.0."));
	assert_int_equal(output_sha256_file(path, hex), ERR_OK);
	assert_int_equal(strlen(hex), 64);
	assert_int_equal(output_sha256_file("/nonexistent/x", hex), ERR_IO);
	remove_outputs(dir);
	analysis_free(&an);
	acrawl_free(&c);
}

/* nodes.csv: a chain name a spreadsheet would run as a formula is neutralised
 * as in the report's CSVs (the chain name of tests/data/report/hostile.json). */
static void test_nodes_csv_formula(void **state)
{
	(void)state;
	struct acrawl c;
	acrawl_init(&c);
	char chain[ACRAWL_CHAIN_TEXT_CAP];
	static const char hostile[] = "=HYPERLINK(\"http://e.invalid\")\n";
	acrawl_chain_text((const uint8_t *)hostile, sizeof hostile - 1, chain, sizeof chain);
	const char *const names[] = {chain, "+1", "-1", "@x", "TEZOS_MAINNET"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char pt[32], id[16];
		snprintf(pt, sizeof pt, "10.0.0.%zu:9732", i + 1);
		snprintf(id, sizeof id, "id%zu", i);
		struct acrawl_visit v = acrawl_visit_blank();
		v.point = pt;
		v.outcome = (char *)"ok";
		v.peer_id = id;
		v.chain_name = (char *)names[i];
		v.attempt = 1;
		assert_int_equal(acrawl_add_visit(&c, &v), ERR_OK);
	}
	struct analyze_opts o;
	analyze_opts_default(&o);
	struct analysis an;
	assert_int_equal(analysis_run(&an, &c, &o, NULL), ERR_OK);
	char dir[] = "/tmp/tz-analyzer-XXXXXX", err[256], path[300];
	assert_non_null(mkdtemp(dir));
	assert_int_equal(output_write_all(&an, dir, err, sizeof err), ERR_OK);
	snprintf(path, sizeof path, "%s/nodes.csv", dir);
	char buf[8192];
	read_text(path, buf, sizeof buf);
	assert_non_null(strstr(buf, ",\"'=HYPERLINK(\"\"http://e.invalid\"\")\\x0a\","));
	assert_non_null(strstr(buf, ",\"'+1\","));
	assert_non_null(strstr(buf, ",\"'-1\","));
	assert_non_null(strstr(buf, ",\"'@x\","));
	assert_non_null(strstr(buf, ",TEZOS_MAINNET,"));
	assert_null(strstr(buf, ",=HYPERLINK"));
	remove_outputs(dir);
	analysis_free(&an);
	acrawl_free(&c);
}

/*
 * report.json releases: coverage over public nodes; a node with two points
 * takes the smallest release text; errors, unknown points and non-public
 * nodes count for nothing; no RPC answer at all: probed false, top empty.
 */
static void test_releases(void **state)
{
	(void)state;
	struct acrawl c;
	acrawl_init(&c);
	visit(&c, "10.0.0.1:9732", "ok", "idA");
	visit(&c, "10.0.0.1:9733", "ok", "idA"); /* idA at two points */
	visit(&c, "10.0.0.2:9732", "ok", "idB");
	visit(&c, "10.0.0.3:9732", "nack", "idC");
	visit(&c, "10.0.0.4:9732", "ok", "idD");
	visit(&c, "10.0.0.5:9732", "refused", NULL);
	struct analyze_opts o;
	analyze_opts_default(&o);
	struct analysis an;
	assert_int_equal(analysis_run(&an, &c, &o, NULL), ERR_OK);
	json_t *r = json_object_get(an.report, "releases");
	assert_false(json_is_true(json_object_get(r, "probed")));
	assert_int_equal(json_integer_value(json_object_get(r, "known")), 0);
	assert_true(json_real_value(json_object_get(r, "coverage")) == 0.0);
	assert_int_equal(json_array_size(json_object_get(r, "top")), 0);
	analysis_free(&an);

	assert_int_equal(acrawl_add_rpc(&c, "10.0.0.1:9733", "v22.1"), ERR_OK);
	assert_int_equal(acrawl_add_rpc(&c, "10.0.0.1:9732", "v21.4"), ERR_OK); /* smaller: kept */
	assert_int_equal(acrawl_add_rpc(&c, "10.0.0.2:9732", "v22.1"), ERR_OK);
	assert_int_equal(acrawl_add_rpc(&c, "10.0.0.3:9732", "v22.1"), ERR_OK);
	assert_int_equal(acrawl_add_rpc(&c, "10.0.0.4:9732", NULL), ERR_OK);    /* an error */
	assert_int_equal(acrawl_add_rpc(&c, "10.0.0.5:9732", "v9.9"), ERR_OK);  /* not public */
	assert_int_equal(acrawl_add_rpc(&c, "10.9.9.9:9732", "v9.9"), ERR_OK);  /* unknown point */
	assert_int_equal(acrawl_add_rpc(&c, NULL, "v1.0"), ERR_INVAL);
	assert_int_equal(analysis_run(&an, &c, &o, NULL), ERR_OK);
	r = json_object_get(an.report, "releases");
	assert_true(json_is_true(json_object_get(r, "probed")));
	assert_int_equal(json_integer_value(json_object_get(r, "public_nodes")), 4);
	assert_int_equal(json_integer_value(json_object_get(r, "known")), 3);
	assert_true(json_real_value(json_object_get(r, "coverage")) == 0.75);
	json_t *top = json_object_get(r, "top");
	assert_int_equal(json_array_size(top), 2);
	json_t *t0 = json_array_get(top, 0), *t1 = json_array_get(top, 1);
	assert_string_equal(json_string_value(json_object_get(t0, "release")), "v22.1");
	assert_int_equal(json_integer_value(json_object_get(t0, "nodes")), 2);
	assert_true(fabs(json_real_value(json_object_get(t0, "share")) - 2.0 / 3.0) < 1e-12);
	assert_string_equal(json_string_value(json_object_get(t1, "release")), "v21.4");
	assert_int_equal(json_integer_value(json_object_get(t1, "nodes")), 1);
	analysis_free(&an);
	acrawl_free(&c);
}

static void test_load_edgelist_errors(void **state)
{
	(void)state;
	char err[256];
	struct acrawl c;
	acrawl_init(&c);
	assert_int_equal(load_edgelist("/nonexistent/tz-edges", &c, err, sizeof err), ERR_IO);
	char path[] = "/tmp/tz-edgelist-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("# comment\na b\nc\na b c\n", f);
	fclose(f);
	assert_int_equal(load_edgelist(path, &c, err, sizeof err), ERR_PROTO);
	assert_non_null(strstr(err, ":4:"));
	f = fopen(path, "w");
	for (int i = 0; i < EDGELIST_LINE_MAX + 10; i++)
		fputc('x', f);
	fputs(" y\n", f);
	fclose(f);
	acrawl_free(&c);
	acrawl_init(&c);
	assert_int_equal(load_edgelist(path, &c, err, sizeof err), ERR_TOOBIG);
	unlink(path);
	acrawl_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vconn_path_cycle_star),
	    cmocka_unit_test(test_vconn_complete_and_trivial),
	    cmocka_unit_test(test_vconn_two_cliques_k),
	    cmocka_unit_test(test_vconn_barbell_disconnected_multi),
	    cmocka_unit_test(test_vconn_local),
	    cmocka_unit_test(test_star_blocks_coreness_curve),
	    cmocka_unit_test(test_igraph_error_handler),
	    cmocka_unit_test(test_concentration),
	    cmocka_unit_test(test_ipaddr),
	    cmocka_unit_test(test_chain_text),
	    cmocka_unit_test(test_model),
	    cmocka_unit_test(test_model_local_error),
	    cmocka_unit_test(test_model_classes),
	    cmocka_unit_test(test_heads_liars),
	    cmocka_unit_test(test_empty_and_anonymized_outputs),
	    cmocka_unit_test(test_load_edgelist_errors),
	    cmocka_unit_test(test_releases),
	    cmocka_unit_test(test_nodes_csv_formula),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
