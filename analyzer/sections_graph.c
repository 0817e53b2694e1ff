/*
 * sections_graph — report.json's graph object: the seen graph S, the
 * reachable graph R, its core R_core and backbone (docs/analyzer.md "The
 * graph"), written from what analyze.c's pipeline computed. Its own file so
 * that sections.c stays the census figures.
 */
#include "analyzer/analyze_int.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- json helpers -------------------------------------------------------- */

static json_t *id_list(const struct analysis *an, const uint32_t *v, uint32_t n, bool *ok)
{
	json_t *a = json_array();
	for (uint32_t i = 0; a && i < n; i++)
		push(a, json_string(an->disp[v[i]]), ok);
	return a;
}

static json_t *curve_json(const double *c, bool *ok)
{
	json_t *a = json_array();
	for (int k = 0; a && k <= ATTACK_STEPS; k++)
		push(a, json_real(c[k]), ok);
	return a;
}

static json_t *node_list(const struct analysis *an, const uint32_t *v, uint32_t n, bool *ok)
{
	json_t *a = json_array();
	for (uint32_t i = 0; a && i < n; i++)
		push(a, node_obj(an, v[i], ok), ok);
	return a;
}

/* ---- the graph object ------------------------------------------------------ */

static json_t *sec_seen(const struct analysis *an, bool *ok)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "vertices", json_integer(an->s.n), ok);
	put(o, "edges", json_integer((json_int_t)an->s.m), ok);
	put(o, "components", json_integer(an->s_comps.count), ok);
	double share = an->s.n ? (double)an->s_comps.size[an->s_comps.giant] / an->s.n : 0;
	put(o, "giant_share", json_real(share), ok);
	put(o, "articulation_points", id_list(an, an->s_blocks.aps, an->s_blocks.aps_n, ok), ok);
	put(o, "sole_advertisers", id_list(an, an->sole, an->sole_n, ok), ok);
	return o;
}

static json_t *sec_reachable(const struct analysis *an, bool *ok)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "vertices", json_integer(an->r.n), ok);
	put(o, "edges", json_integer((json_int_t)an->r.m), ok);
	put(o, "components", json_integer(an->r_comps.count), ok);
	json_t *aps = json_array();
	for (uint32_t i = 0; aps && i < an->r_blocks.aps_n; i++) {
		uint32_t rv = an->r_blocks.aps[i];
		json_t *x = json_object();
		if (!x) {
			*ok = false;
			break;
		}
		char pt[160];
		vertex_point(an, an->r_map[rv], pt, sizeof pt);
		put(x, "id", json_string(an->disp[an->r_map[rv]]), ok);
		put(x, "point", json_string(pt), ok);
		put(x, "cut_off", json_integer(an->r_blocks.cut_off[rv]), ok);
		push(aps, x, ok);
	}
	put(o, "articulation_points", aps, ok);
	put(o, "blocks", json_integer(an->r_blocks.blocks_n), ok);
	put(o, "largest_block", json_integer(an->r_blocks.largest_block), ok);
	put(o, "largest_block_vertex_connectivity", json_integer(an->block_kappa.kappa), ok);
	uint32_t *bcut = malloc(((size_t)an->block_kappa.cut_n + 1) * sizeof *bcut);
	if (!bcut) {
		*ok = false;
		return o;
	}
	for (uint32_t i = 0; i < an->block_kappa.cut_n; i++)
		bcut[i] = an->b_map[an->block_kappa.cut[i]];
	put(o, "largest_block_min_vertex_cut", id_list(an, bcut, an->block_kappa.cut_n, ok), ok);
	free(bcut);
	long long *core = malloc(((size_t)an->r.n ? an->r.n : 1) * sizeof *core);
	long long maxc = 0;
	if (!core) {
		*ok = false;
		return o;
	}
	for (uint32_t i = 0; i < an->r.n; i++) {
		core[i] = an->r_core[i];
		if (core[i] > maxc)
			maxc = core[i];
	}
	put(o, "max_coreness", json_integer(maxc), ok);
	put(o, "coreness_histogram", int_hist(core, an->r.n, ok), ok);
	free(core);
	return o;
}

/*
 * The backbone: R's largest biconnected block (block_kappa() below). Its
 * vertex connectivity is the headline figure of robustness: R_core's is 1
 * whenever a single leaf hangs off it.
 */
static json_t *sec_backbone(const struct analysis *an, bool *ok)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "vertices", json_integer(an->r_blocks.largest_block), ok);
	put(o, "edges", json_integer((json_int_t)an->block_edges), ok);
	put(o, "vertex_connectivity", json_integer(an->block_kappa.kappa), ok);
	uint32_t *cut = malloc(((size_t)an->block_kappa.cut_n + 1) * sizeof *cut);
	if (!cut) {
		*ok = false;
		return o;
	}
	for (uint32_t i = 0; i < an->block_kappa.cut_n; i++)
		cut[i] = an->b_map[an->block_kappa.cut[i]];
	put(o, "min_vertex_cut", node_list(an, cut, an->block_kappa.cut_n, ok), ok);
	free(cut);
	put(o, "share_of_public",
	    json_real(an->r.n ? (double)an->r_blocks.largest_block / an->r.n : 0), ok);
	return o;
}

static json_t *sec_core(const struct analysis *an, bool *ok)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "vertices", json_integer(an->c.n), ok);
	put(o, "edges", json_integer((json_int_t)an->c.m), ok);
	put(o, "vertex_connectivity", json_integer(an->kappa.kappa), ok);
	uint32_t *cut = malloc(((size_t)an->kappa.cut_n + 1) * sizeof *cut);
	if (!cut) {
		*ok = false;
		return o;
	}
	for (uint32_t i = 0; i < an->kappa.cut_n; i++)
		cut[i] = an->c_map[an->kappa.cut[i]];
	put(o, "min_vertex_cut", id_list(an, cut, an->kappa.cut_n, ok), ok);
	put(o, "min_vertex_cut_nodes", node_list(an, cut, an->kappa.cut_n, ok), ok);
	free(cut);
	put(o, "strong_vertex_connectivity", json_integer(an->strong_kappa.kappa), ok);
	struct scored *sc = malloc(((size_t)an->c.n + 1) * sizeof *sc);
	json_t *top = json_array();
	if (!sc || !top) {
		free(sc);
		*ok = false;
		return o;
	}
	for (uint32_t i = 0; i < an->c.n; i++) {
		sc[i].s = an->betw[i];
		sc[i].v = i;
	}
	qsort(sc, an->c.n, sizeof *sc, cmp_scored);
	for (uint32_t i = 0; i < an->c.n && i < 10; i++) {
		json_t *x = json_object();
		if (!x) {
			*ok = false;
			break;
		}
		char pt[160];
		vertex_point(an, an->c_map[sc[i].v], pt, sizeof pt);
		put(x, "id", json_string(an->disp[an->c_map[sc[i].v]]), ok);
		put(x, "point", json_string(pt), ok);
		put(x, "value", json_real(sc[i].s), ok);
		push(top, x, ok);
	}
	free(sc);
	put(o, "betweenness_top", top, ok);
	if (an->betw_sources) {
		char m[64];
		snprintf(m, sizeof m, "sampled:%u", an->betw_sources);
		put(o, "betweenness_method", json_string(m), ok);
	} else {
		put(o, "betweenness_method", json_string("exact"), ok);
	}
	json_t *ac = json_object();
	if (ac) {
		put(ac, "degree", curve_json(an->curve[0], ok), ok);
		put(ac, "betweenness", curve_json(an->curve[1], ok), ok);
		put(ac, "random", curve_json(an->curve[2], ok), ok);
		put(ac, "adaptive", json_false(), ok);
		put(ac, "random_runs", json_integer(an->opts.random_runs), ok);
		put(ac, "x", json_string("percent of R_core removed, 0..100"), ok);
		put(ac, "y", json_string("largest component / R_core vertices"), ok);
	}
	put(o, "attack_curves", ac, ok);
	return o;
}

/* ---- concentration -------------------------------------------------------- */

/* report.json's graph object: the seen, reachable, core and backbone figures. */
json_t *sec_graph(const struct analysis *an, bool *ok)
{
	json_t *g = json_object();
	if (g) {
		put(g, "seen", sec_seen(an, ok), ok);
		put(g, "reachable", sec_reachable(an, ok), ok);
		put(g, "core", sec_core(an, ok), ok);
		put(g, "backbone", sec_backbone(an, ok), ok);
	}
	return g;
}
