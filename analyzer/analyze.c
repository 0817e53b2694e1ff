/*
 * analyze — the pipeline of docs/analyzer.md: the model, the graphs S, R
 * and R_core, their connectivity, betweenness and attack curves. The
 * report.json object built from them is sections.c and sections_graph.c.
 *
 * Vertex numbers never reach an output: every list is written in vertex
 * order, and vertices are numbered by sorted id (model.h), so outputs are
 * sorted by stable keys. Ties in rankings break on that same order.
 */
#include "analyzer/analyze_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/locfig.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/rng.h"

void analyze_opts_default(struct analyze_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->random_runs = 20;
	o->betweenness_exact_max = 5000;
	o->betweenness_samples = 1000;
}

void previous_free(struct previous *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->public_n; i++)
		free(p->public_ids[i]);
	free(p->public_ids);
	memset(p, 0, sizeof *p);
}

/* ---- union-find attack curves ------------------------------------------ */

static uint32_t uf_find(uint32_t *par, uint32_t x)
{
	while (par[x] != x) {
		par[x] = par[par[x]];
		x = par[x];
	}
	return x;
}

enum err attack_giant(const struct ugraph *g, const uint32_t *order, uint32_t *giant)
{
	uint32_t n = g->n;
	giant[n] = 0;
	if (n == 0)
		return ERR_OK;
	uint32_t *par = malloc((size_t)n * sizeof *par);
	uint32_t *sz = malloc((size_t)n * sizeof *sz);
	bool *in = calloc(n, sizeof *in);
	if (!par || !sz || !in) {
		free(par);
		free(sz);
		free(in);
		return ERR_NOMEM;
	}
	uint32_t best = 0;
	for (uint32_t i = n; i-- > 0;) {
		uint32_t x = order[i];
		par[x] = x;
		sz[x] = 1;
		in[x] = true;
		for (size_t k = g->off[x]; k < g->off[x + 1]; k++) {
			uint32_t y = g->adj[k];
			if (!in[y])
				continue;
			uint32_t a = uf_find(par, x), b = uf_find(par, y);
			if (a == b)
				continue;
			if (sz[a] < sz[b]) {
				uint32_t t = a;
				a = b;
				b = t;
			}
			par[b] = a;
			sz[a] += sz[b];
		}
		uint32_t r = uf_find(par, x);
		if (sz[r] > best)
			best = sz[r];
		giant[i] = best;
	}
	free(par);
	free(sz);
	free(in);
	return ERR_OK;
}

enum err attack_curve(const struct ugraph *g, const uint32_t *order, double *out)
{
	uint32_t n = g->n;
	if (n == 0) {
		for (int k = 0; k <= ATTACK_STEPS; k++)
			out[k] = 0;
		return ERR_OK;
	}
	uint32_t *giant = malloc(((size_t)n + 1) * sizeof *giant);
	if (!giant)
		return ERR_NOMEM;
	enum err e = attack_giant(g, order, giant);
	for (int k = 0; e == ERR_OK && k <= ATTACK_STEPS; k++) {
		size_t removed = (size_t)n * (size_t)k / ATTACK_STEPS;
		out[k] = (double)giant[removed] / n;
	}
	free(giant);
	return e;
}

/* ---- concentration ------------------------------------------------------ */

static int cmp_u64_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x < y) - (x > y);
}

void concentration_of(const uint64_t *counts, size_t n, struct concentration *out)
{
	memset(out, 0, sizeof *out);
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += counts[i];
	if (n == 0 || total == 0)
		return;
	uint64_t *c = malloc(n * sizeof *c);
	if (!c)
		return;
	memcpy(c, counts, n * sizeof *c);
	qsort(c, n, sizeof *c, cmp_u64_desc);
	uint64_t acc = 0;
	for (size_t i = 0; i < n; i++) {
		acc += c[i];
		if (2 * acc > total) {
			out->nakamoto = (uint32_t)(i + 1);
			break;
		}
	}
	for (size_t i = 0; i < n; i++) {
		double s = 100.0 * (double)c[i] / (double)total;
		out->hhi += s * s;
	}
	/* Gini over ascending values: (2 Σ i x_i)/(n Σ x) - (n+1)/n, i = 1..n. */
	double num = 0;
	for (size_t i = 0; i < n; i++)
		num += (double)(i + 1) * (double)c[n - 1 - i];
	out->gini = 2.0 * num / ((double)n * (double)total) - ((double)n + 1.0) / (double)n;
	if (out->gini < 0)
		out->gini = 0;
	free(c);
}

/* ---- helpers ------------------------------------------------------------ */

static double now_s(void)
{
	return clock_mono_s();
}

static size_t edge_index(const struct model *mo, uint32_t u, uint32_t v)
{
	if (u > v) {
		uint32_t t = u;
		u = v;
		v = t;
	}
	size_t lo = 0, hi = mo->m;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct medge *e = &mo->e[mid];
		if (e->u == u && e->v == v)
			return mid;
		if (e->u < u || (e->u == u && e->v < v))
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

struct label {
	char *text;
	uint32_t v;
};

static int cmp_label(const void *a, const void *b)
{
	const struct label *x = a, *y = b;
	int c = strcmp(x->text, y->text);
	return c ? c : (x->v > y->v) - (x->v < y->v);
}

/* Display ids: peer ids as they are; point ids through anon, made unique. */
static enum err make_display(struct analysis *an)
{
	const struct model *mo = &an->mo;
	an->disp = calloc(mo->n ? mo->n : 1, sizeof *an->disp);
	if (!an->disp)
		return ERR_NOMEM;
	if (!an->opts.anon) {
		for (uint32_t i = 0; i < mo->n; i++)
			if (!(an->disp[i] = strdup(mo->v[i].id)))
				return ERR_NOMEM;
		return ERR_OK;
	}
	struct label *l = calloc(mo->n ? mo->n : 1, sizeof *l);
	if (!l)
		return ERR_NOMEM;
	uint32_t nl = 0;
	enum err e = ERR_NOMEM;
	for (uint32_t i = 0; i < mo->n; i++) {
		if (mo->v[i].is_peer) {
			if (!(an->disp[i] = strdup(mo->v[i].id)))
				goto out;
			continue;
		}
		char buf[128];
		an->opts.anon(mo->v[i].id, buf, sizeof buf);
		if (!(l[nl].text = strdup(buf)))
			goto out;
		l[nl++].v = i;
	}
	qsort(l, nl, sizeof *l, cmp_label);
	for (uint32_t i = 0, k = 0; i < nl; i++) {
		k = (i > 0 && !strcmp(l[i].text, l[i - 1].text)) ? k + 1 : 1;
		char buf[160];
		snprintf(buf, sizeof buf, "%s~%u", l[i].text, k);
		if (!(an->disp[l[i].v] = strdup(buf)))
			goto out;
	}
	e = ERR_OK;
out:
	for (uint32_t i = 0; i < nl; i++)
		free(l[i].text);
	free(l);
	return e;
}

/* ---- rankings ------------------------------------------------------------ */

int cmp_scored(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return (x->v > y->v) - (x->v < y->v);
}

/* ---- the pipeline ----------------------------------------------------------- */

static enum err build_sole(struct analysis *an)
{
	const struct ugraph *s = &an->s;
	bool *mark = calloc(s->n ? s->n : 1, sizeof *mark);
	if (!mark)
		return ERR_NOMEM;
	for (uint32_t w = 0; w < s->n; w++) {
		if (ugraph_deg(s, w) != 1)
			continue;
		uint32_t v = s->adj[s->off[w]];
		if (an->mo.v[v].cls == VC_PUBLIC)
			mark[v] = true;
	}
	uint32_t n = 0;
	for (uint32_t v = 0; v < s->n; v++)
		n += mark[v];
	an->sole = malloc(((size_t)n + 1) * sizeof *an->sole);
	if (!an->sole) {
		free(mark);
		return ERR_NOMEM;
	}
	for (uint32_t v = 0; v < s->n; v++)
		if (mark[v])
			an->sole[an->sole_n++] = v;
	free(mark);
	return ERR_OK;
}

static struct scored *g_sc; /* qsort context for orders */
static int cmp_order(const void *a, const void *b)
{
	return cmp_scored(&g_sc[*(const uint32_t *)a], &g_sc[*(const uint32_t *)b]);
}

static enum err curves(struct analysis *an)
{
	const struct ugraph *c = &an->c;
	uint32_t n = c->n;
	uint32_t *order = malloc(((size_t)n + 1) * sizeof *order);
	struct scored *sc = malloc(((size_t)n + 1) * sizeof *sc);
	double *tmp = malloc((ATTACK_STEPS + 1) * sizeof *tmp);
	enum err e = ERR_NOMEM;
	if (!order || !sc || !tmp)
		goto out;
	for (int which = 0; which < 2; which++) {
		for (uint32_t i = 0; i < n; i++) {
			sc[i].s = which == 0 ? ugraph_deg(c, i) : an->betw[i];
			sc[i].v = i;
			order[i] = i;
		}
		g_sc = sc;
		qsort(order, n, sizeof *order, cmp_order);
		if ((e = attack_curve(c, order, an->curve[which])) != ERR_OK)
			goto out;
	}
	struct rng st;
	rng_seed(&st, an->opts.seed ^ 0x5eedull);
	for (int k = 0; k <= ATTACK_STEPS; k++)
		an->curve[2][k] = 0;
	for (unsigned r = 0; r < an->opts.random_runs; r++) {
		for (uint32_t i = 0; i < n; i++)
			order[i] = i;
		for (uint32_t i = n; i > 1; i--) {
			uint32_t j = (uint32_t)rng_below(&st, i);
			uint32_t t = order[i - 1];
			order[i - 1] = order[j];
			order[j] = t;
		}
		if ((e = attack_curve(c, order, tmp)) != ERR_OK)
			goto out;
		for (int k = 0; k <= ATTACK_STEPS; k++)
			an->curve[2][k] += tmp[k];
	}
	for (int k = 0; k <= ATTACK_STEPS && an->opts.random_runs; k++)
		an->curve[2][k] /= an->opts.random_runs;
	e = ERR_OK;
out:
	free(order);
	free(sc);
	free(tmp);
	return e;
}

/* networkx's normalization for undirected graphs: pairs not counting v. */
static void normalize(double *b, uint32_t n)
{
	if (n <= 2)
		return;
	double f = 2.0 / ((double)(n - 1) * (double)(n - 2));
	for (uint32_t i = 0; i < n; i++)
		b[i] *= f;
}

static enum err betweenness_raw(struct analysis *an);

static enum err betweenness(struct analysis *an)
{
	enum err e = betweenness_raw(an);
	if (e == ERR_OK)
		normalize(an->betw, an->c.n);
	return e;
}

static enum err betweenness_raw(struct analysis *an)
{
	uint32_t n = an->c.n;
	an->betw = calloc((size_t)n + 1, sizeof *an->betw);
	if (!an->betw)
		return ERR_NOMEM;
	if (n <= an->opts.betweenness_exact_max || an->opts.betweenness_samples == 0 ||
	    an->opts.betweenness_samples >= n)
		return graph_betweenness(&an->c, NULL, 0, an->betw);
	uint32_t k = an->opts.betweenness_samples;
	uint32_t *perm = malloc((size_t)n * sizeof *perm);
	if (!perm)
		return ERR_NOMEM;
	for (uint32_t i = 0; i < n; i++)
		perm[i] = i;
	struct rng st;
	rng_seed(&st, an->opts.seed ^ 0xbe7ull);
	for (uint32_t i = 0; i < k; i++) { /* partial Fisher-Yates */
		uint32_t j = i + (uint32_t)rng_below(&st, n - i);
		uint32_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	an->betw_sources = k;
	enum err e = graph_betweenness(&an->c, perm, k, an->betw);
	free(perm);
	return e;
}

static enum err strong_kappa(struct analysis *an)
{
	uint32_t *u = malloc((an->c.m ? an->c.m : 1) * sizeof *u);
	uint32_t *v = malloc((an->c.m ? an->c.m : 1) * sizeof *v);
	enum err e = ERR_NOMEM;
	struct ugraph sg;
	memset(&sg, 0, sizeof sg);
	if (!u || !v)
		goto out;
	size_t k = 0;
	for (size_t i = 0; i < an->c.m; i++) {
		size_t ei = edge_index(&an->mo, an->c_map[an->c.eu[i]], an->c_map[an->c.ev[i]]);
		if (ei != SIZE_MAX && an->mo.e[ei].strong) {
			u[k] = an->c.eu[i];
			v[k++] = an->c.ev[i];
		}
	}
	if (k == an->c.m) { /* every core edge is strong: same graph, same answer */
		an->strong_kappa = an->kappa;
		an->strong_kappa.cut =
		    malloc(((size_t)an->kappa.cut_n + 1) * sizeof *an->kappa.cut);
		e = an->strong_kappa.cut ? ERR_OK : ERR_NOMEM;
		if (e == ERR_OK && an->kappa.cut_n)
			memcpy(an->strong_kappa.cut, an->kappa.cut,
			       an->kappa.cut_n * sizeof *an->kappa.cut);
		goto out;
	}
	if ((e = ugraph_build(&sg, an->c.n, u, v, k)) == ERR_OK)
		e = vconn_compute(&sg, &an->strong_kappa);
out:
	ugraph_free(&sg);
	free(u);
	free(v);
	return e;
}

/*
 * κ of R's largest biconnected block: leaves and islands hanging off one
 * articulation point make κ(R_core) 1 by construction; the block says how
 * many nodes must fail to split the well-connected part.
 */
static enum err block_kappa(struct analysis *an)
{
	const struct graph_blocks *b = &an->r_blocks;
	bool *keep = calloc((size_t)an->r.n + 1, sizeof *keep);
	struct ugraph bg;
	memset(&bg, 0, sizeof bg);
	uint32_t *map = NULL;
	if (!keep)
		return ERR_NOMEM;
	if (b->largest_block > 0 && b->largest_block == an->c.n &&
	    an->r_comps.membership[b->block[0]] == an->r_comps.giant) {
		/* The block is R_core itself (no articulation point): same answer. */
		free(keep);
		an->block_kappa = an->kappa;
		an->block_kappa.cut = malloc(((size_t)an->kappa.cut_n + 1) * sizeof *an->kappa.cut);
		an->b_map = malloc(((size_t)an->c.n + 1) * sizeof *an->b_map);
		if (!an->block_kappa.cut || !an->b_map)
			return ERR_NOMEM;
		if (an->kappa.cut_n)
			memcpy(an->block_kappa.cut, an->kappa.cut,
			       an->kappa.cut_n * sizeof *an->kappa.cut);
		memcpy(an->b_map, an->c_map, (size_t)an->c.n * sizeof *an->b_map);
		an->block_edges = an->c.m;
		return ERR_OK;
	}
	for (uint32_t i = 0; i < b->largest_block; i++)
		keep[b->block[i]] = true;
	enum err e = ugraph_induced(&bg, &an->r, keep, &map);
	free(keep);
	if (e == ERR_OK)
		e = vconn_compute(&bg, &an->block_kappa);
	an->block_edges = bg.m; /* a block's induced subgraph is the block */
	if (e == ERR_OK) {
		for (uint32_t i = 0; i < bg.n; i++)
			map[i] = an->r_map[map[i]];
		an->b_map = map;
		map = NULL;
	}
	free(map);
	ugraph_free(&bg);
	return e;
}

enum err analysis_run(struct analysis *an, const struct acrawl *c, const struct analyze_opts *o,
                      const struct previous *prev)
{
	memset(an, 0, sizeof *an);
	an->crawl = c;
	an->opts = *o;
	graph_init();
	double t0 = now_s();
	enum err e = model_build(&an->mo, c);
	if (e != ERR_OK)
		return e;
	if ((e = make_display(an)) != ERR_OK || (e = model_graph(&an->mo, &an->s)) != ERR_OK)
		goto fail;
	double tl = now_s();
	if (an->opts.loc && (e = locfig_lookup(an)) != ERR_OK)
		goto fail;
	an->location_s = now_s() - tl;
	double t1 = now_s();
	an->seconds[0] = t1 - t0;
	/* S */
	if ((e = graph_components(&an->s, &an->s_comps)) != ERR_OK ||
	    (e = graph_blocks(&an->s, &an->s_blocks)) != ERR_OK || (e = build_sole(an)) != ERR_OK)
		goto fail;
	/* R */
	uint32_t n = an->mo.n;
	bool *keep = calloc(n ? n : 1, sizeof *keep);
	an->r_of = malloc(((size_t)n + 1) * sizeof *an->r_of);
	an->c_of = malloc(((size_t)n + 1) * sizeof *an->c_of);
	if (!keep || !an->r_of || !an->c_of) {
		free(keep);
		e = ERR_NOMEM;
		goto fail;
	}
	for (uint32_t i = 0; i < n; i++) {
		keep[i] = an->mo.v[i].cls == VC_PUBLIC;
		an->r_of[i] = an->c_of[i] = UINT32_MAX;
	}
	e = ugraph_induced(&an->r, &an->s, keep, &an->r_map);
	free(keep);
	if (e != ERR_OK)
		goto fail;
	for (uint32_t i = 0; i < an->r.n; i++)
		an->r_of[an->r_map[i]] = i;
	an->r_core = calloc((size_t)an->r.n + 1, sizeof *an->r_core);
	if (!an->r_core) {
		e = ERR_NOMEM;
		goto fail;
	}
	if ((e = graph_components(&an->r, &an->r_comps)) != ERR_OK ||
	    (e = graph_blocks(&an->r, &an->r_blocks)) != ERR_OK ||
	    (e = graph_coreness(&an->r, an->r_core)) != ERR_OK)
		goto fail;
	/* R_core */
	bool *inc = calloc((size_t)an->r.n + 1, sizeof *inc);
	uint32_t *cmap = NULL;
	if (!inc) {
		e = ERR_NOMEM;
		goto fail;
	}
	for (uint32_t i = 0; i < an->r.n; i++)
		inc[i] = an->r_comps.membership[i] == an->r_comps.giant;
	e = ugraph_induced(&an->c, &an->r, inc, &cmap);
	free(inc);
	if (e != ERR_OK)
		goto fail;
	an->c_map = cmap;
	for (uint32_t i = 0; i < an->c.n; i++) {
		an->c_map[i] = an->r_map[an->c_map[i]];
		an->c_of[an->c_map[i]] = i;
	}
	double t2 = now_s();
	an->seconds[1] = t2 - t1;
	if ((e = vconn_compute(&an->c, &an->kappa)) != ERR_OK || (e = strong_kappa(an)) != ERR_OK ||
	    (e = block_kappa(an)) != ERR_OK)
		goto fail;
	double t3 = now_s();
	an->seconds[2] = t3 - t2;
	if ((e = betweenness(an)) != ERR_OK)
		goto fail;
	double t4 = now_s();
	an->seconds[3] = t4 - t3;
	if ((e = curves(an)) != ERR_OK)
		goto fail;
	double t5 = now_s();
	an->seconds[4] = t5 - t4;

	if ((e = analysis_report(an, prev)) != ERR_OK) /* sections.c */
		goto fail;
	an->seconds[5] = now_s() - t5;
	return ERR_OK;
fail:
	analysis_free(an);
	return e;
}

void analysis_free(struct analysis *an)
{
	if (!an)
		return;
	for (uint32_t i = 0; an->disp && i < an->mo.n; i++)
		free(an->disp[i]);
	free(an->disp);
	model_free(&an->mo);
	ugraph_free(&an->s);
	graph_comps_free(&an->s_comps);
	graph_blocks_free(&an->s_blocks);
	free(an->sole);
	ugraph_free(&an->r);
	free(an->r_map);
	free(an->r_of);
	graph_comps_free(&an->r_comps);
	graph_blocks_free(&an->r_blocks);
	free(an->r_core);
	ugraph_free(&an->c);
	free(an->c_map);
	free(an->c_of);
	vconn_result_free(&an->kappa);
	vconn_result_free(&an->strong_kappa);
	vconn_result_free(&an->block_kappa);
	free(an->b_map);
	free(an->betw);
	locfig_free(an);
	json_decref(an->report);
	memset(an, 0, sizeof *an);
}
