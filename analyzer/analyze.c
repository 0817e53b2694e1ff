/*
 * analyze — the pipeline of docs/analyzer.md and the report.json object.
 *
 * Vertex numbers never reach an output: every list is written in vertex
 * order, and vertices are numbered by sorted id (model.h), so outputs are
 * sorted by stable keys. Ties in rankings break on that same order.
 */
#include "analyzer/analyze.h"
#include "analyzer/releases.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/history.h"
#include "analyzer/ipaddr.h"
#include "analyzer/locfig.h"
#include "analyzer/nat.h"
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

/* ---- json helpers -------------------------------------------------------- */

static void put(json_t *o, const char *k, json_t *v, bool *ok)
{
	if (!v || json_object_set_new(o, k, v))
		*ok = false;
}

static void push(json_t *a, json_t *v, bool *ok)
{
	if (!v || json_array_append_new(a, v))
		*ok = false;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

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

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/*
 * Histogram object with numeric keys in numeric order (insertion order),
 * only the values that occur: sorted, then counted in runs, so one value of
 * 2^31 costs what a value of 3 costs (no counter per possible value).
 * Negative values are left out. Sorts vals in place.
 */
static json_t *int_hist(long long *vals, size_t n, bool *ok)
{
	json_t *h = json_object();
	if (!h)
		return NULL;
	qsort(vals, n, sizeof *vals, cmp_ll);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && vals[j] == vals[i])
			j++;
		if (vals[i] >= 0) {
			char key[24];
			snprintf(key, sizeof key, "%lld", vals[i]);
			put(h, key, json_integer((json_int_t)(j - i)), ok);
		}
		i = j;
	}
	return h;
}

/* First point of vertex v as shown (anonymized when asked). */
static void vertex_point(const struct analysis *an, uint32_t v, char *out, size_t cap)
{
	const struct model *mo = &an->mo;
	const struct mvertex *x = &mo->v[v];
	const char *pt = x->points_n ? mo->points[mo->vpoints[x->first_point]] : x->id;
	if (an->opts.anon)
		an->opts.anon(pt, out, cap);
	else
		snprintf(out, cap, "%s", pt);
}

/* {"id": display id, "point": its first point}: a node as tables list it. */
static json_t *node_obj(const struct analysis *an, uint32_t v, bool *ok)
{
	json_t *x = json_object();
	if (!x) {
		*ok = false;
		return NULL;
	}
	char pt[160];
	vertex_point(an, v, pt, sizeof pt);
	put(x, "id", json_string(an->disp[v]), ok);
	put(x, "point", json_string(pt), ok);
	return x;
}

/* Array of node_obj for model vertices v[0..n). */
static json_t *node_list(const struct analysis *an, const uint32_t *v, uint32_t n, bool *ok)
{
	json_t *a = json_array();
	for (uint32_t i = 0; a && i < n; i++)
		push(a, node_obj(an, v[i], ok), ok);
	return a;
}

/* ---- report sections ------------------------------------------------------ */

static json_t *sec_crawl(const struct acrawl *c, bool *ok)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "id", json_integer(c->id), ok);
	put(o, "uuid", str_or_null(c->uuid), ok);
	put(o, "started_at", str_or_null(c->started_at), ok);
	put(o, "finished_at", str_or_null(c->finished_at), ok);
	put(o, "vantage", str_or_null(c->vantage), ok);
	put(o, "crawler_version", str_or_null(c->crawler_version), ok);
	put(o, "config_digest", str_or_null(c->config_digest), ok);
	return o;
}

/*
 * The census figures (lib/db/census.h): public = nodes (public points
 * merged by peer id); foreign, unverified, unreachable and undialed =
 * points; the public ratio leaves foreign and undialed out.
 */
static json_t *sec_counts(const struct analysis *an, bool *ok)
{
	const struct model *mo = &an->mo;
	const size_t *cp = mo->class_points;
	size_t nodes = mo->class_vertices[PC_PUBLIC];
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "points_seen", json_integer(mo->points_n), ok);
	put(o, "points_dialed", json_integer((json_int_t)mo->points_dialed), ok);
	put(o, "vertices", json_integer(mo->n), ok);
	put(o, "public", json_integer((json_int_t)nodes), ok);
	put(o, "public_points", json_integer((json_int_t)cp[PC_PUBLIC]), ok);
	put(o, "foreign", json_integer((json_int_t)cp[PC_FOREIGN]), ok);
	put(o, "unverified", json_integer((json_int_t)cp[PC_UNVERIFIED]), ok);
	put(o, "unreachable", json_integer((json_int_t)cp[PC_UNREACHABLE]), ok);
	put(o, "undialed", json_integer((json_int_t)cp[PC_UNDIALED]), ok);
	put(o, "public_ratio",
	    json_real(census_public_ratio(nodes, cp[PC_UNVERIFIED], cp[PC_UNREACHABLE])), ok);
	json_t *oc = json_object();
	for (size_t i = 0; oc && i < mo->outcomes_n; i++)
		put(oc, mo->outcomes[i].name, json_integer((json_int_t)mo->outcomes[i].n), ok);
	put(o, "outcomes", oc, ok);
	return o;
}

struct ver {
	const char *chain;
	int ddb, p2p;
	size_t n;
};

static int cmp_ver_key(const void *a, const void *b)
{
	const struct ver *x = a, *y = b;
	int c = strcmp(x->chain ? x->chain : "", y->chain ? y->chain : "");
	if (c)
		return c;
	if (x->ddb != y->ddb)
		return x->ddb < y->ddb ? -1 : 1;
	return (x->p2p > y->p2p) - (x->p2p < y->p2p);
}

static int cmp_ver_count(const void *a, const void *b)
{
	const struct ver *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return cmp_ver_key(a, b);
}

static json_t *sec_versions(const struct analysis *an, bool *ok)
{
	const struct model *mo = &an->mo;
	struct ver *v = calloc(mo->n ? mo->n : 1, sizeof *v);
	json_t *a = json_array();
	if (!v || !a) {
		free(v);
		*ok = false;
		return a;
	}
	size_t k = 0;
	for (uint32_t i = 0; i < mo->n; i++) {
		const struct mvertex *x = &mo->v[i];
		if (x->cls != VC_PUBLIC)
			continue;
		v[k].chain = x->chain_name;
		v[k].ddb = x->ddb_version;
		v[k].p2p = x->p2p_version;
		v[k++].n = 1;
	}
	qsort(v, k, sizeof *v, cmp_ver_key);
	size_t w = 0;
	for (size_t i = 0; i < k; i++) {
		if (w && !cmp_ver_key(&v[w - 1], &v[i]))
			v[w - 1].n++;
		else
			v[w++] = v[i];
	}
	qsort(v, w, sizeof *v, cmp_ver_count);
	for (size_t i = 0; i < w; i++) {
		json_t *o = json_object();
		if (!o) {
			*ok = false;
			break;
		}
		put(o, "chain_name", str_or_null(v[i].chain), ok);
		put(o, "distributed_db_version",
		    v[i].ddb >= 0 ? json_integer(v[i].ddb) : json_null(), ok);
		put(o, "p2p_version", v[i].p2p >= 0 ? json_integer(v[i].p2p) : json_null(), ok);
		put(o, "nodes", json_integer((json_int_t)v[i].n), ok);
		push(a, o, ok);
	}
	free(v);
	return a;
}

/* Public nodes whose metadata set the flag (private_node or disable_mempool). */
static json_t *flag_count(const struct model *mo, bool priv)
{
	size_t t = 0;
	for (uint32_t i = 0; i < mo->n; i++) {
		if (mo->v[i].cls != VC_PUBLIC)
			continue;
		t += (priv ? mo->v[i].private_node : mo->v[i].disable_mempool) == 1;
	}
	return json_integer((json_int_t)t);
}

static json_t *sec_metadata(const struct analysis *an, bool *ok)
{
	const struct model *mo = &an->mo;
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "private_node", flag_count(mo, true), ok);
	put(o, "disable_mempool", flag_count(mo, false), ok);
	long long *bits = malloc((mo->n ? mo->n : 1) * sizeof *bits);
	if (!bits) {
		*ok = false;
		return o;
	}
	size_t k = 0;
	for (uint32_t i = 0; i < mo->n; i++)
		if (mo->v[i].cls == VC_PUBLIC)
			bits[k++] = mo->v[i].pow_bits;
	put(o, "pow_bits", int_hist(bits, k, ok), ok);
	free(bits);
	return o;
}

/*
 * Head lag against a reference one liar cannot move: the median head of the
 * public nodes sets a ceiling (median + HEAD_AHEAD_MAX); heads above it are
 * outliers, listed and left out; the reference is the highest head at or
 * below the ceiling, and a node's lag is reference - its head. With fewer
 * liars than honest nodes the median stays among honest heads, so any lie
 * more than HEAD_AHEAD_MAX above it changes no other node's lag.
 */
struct headv {
	long long level;
	uint32_t v;
};

static int cmp_headv(const void *a, const void *b)
{
	const struct headv *x = a, *y = b;
	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return (x->v > y->v) - (x->v < y->v);
}

static json_t *sec_heads(const struct analysis *an, bool *ok)
{
	const struct model *mo = &an->mo;
	json_t *o = json_object();
	struct headv *h = malloc((mo->n ? mo->n : 1) * sizeof *h);
	long long *lag = malloc((mo->n ? mo->n : 1) * sizeof *lag);
	if (!o || !h || !lag) {
		free(h);
		free(lag);
		*ok = false;
		return o;
	}
	size_t k = 0;
	for (uint32_t i = 0; i < mo->n; i++)
		if (mo->v[i].cls == VC_PUBLIC && mo->v[i].head_level >= 0)
			h[k++] = (struct headv){mo->v[i].head_level, i};
	qsort(h, k, sizeof *h, cmp_headv);
	long long median = k ? h[(k - 1) / 2].level : -1; /* lower median: a real head */
	long long ceiling = median + HEAD_AHEAD_MAX;
	size_t kept = 0;
	while (kept < k && h[kept].level <= ceiling)
		kept++;
	long long ref = kept ? h[kept - 1].level : -1;
	put(o, "max_level", ref >= 0 ? json_integer(ref) : json_null(), ok);
	put(o, "reference_level", ref >= 0 ? json_integer(ref) : json_null(), ok);
	put(o, "median_level", median >= 0 ? json_integer(median) : json_null(), ok);
	put(o, "highest_announced", k ? json_integer(h[k - 1].level) : json_null(), ok);
	put(o, "ahead_max", json_integer(HEAD_AHEAD_MAX), ok);
	put(o, "nodes_with_head", json_integer((json_int_t)k), ok);
	json_t *out = json_array();
	for (size_t i = kept; out && i < k; i++) {
		json_t *x = node_obj(an, h[i].v, ok);
		if (x) {
			put(x, "level", json_integer(h[i].level), ok);
			put(x, "ahead", json_integer(h[i].level - ref), ok);
		}
		push(out, x, ok);
	}
	put(o, "outliers", out, ok);
	for (size_t i = 0; i < kept; i++)
		lag[i] = ref - h[i].level;
	put(o, "lag_histogram", int_hist(lag, kept, ok), ok);
	free(h);
	free(lag);
	return o;
}

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

struct scored {
	double s;
	uint32_t v;
};

static int cmp_scored(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return (x->v > y->v) - (x->v < y->v);
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

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct keycount {
	char *key;
	uint64_t n;
};

static int cmp_kc(const void *a, const void *b)
{
	const struct keycount *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Groups sorted strings into (key, count), most common first. */
static struct keycount *group(char **keys, size_t n, size_t *out_n)
{
	qsort(keys, n, sizeof *keys, cmp_strp);
	struct keycount *kc = calloc(n ? n : 1, sizeof *kc);
	if (!kc)
		return NULL;
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (w && !strcmp(kc[w - 1].key, keys[i])) {
			kc[w - 1].n++;
		} else {
			kc[w].key = keys[i];
			kc[w++].n = 1;
		}
	}
	qsort(kc, w, sizeof *kc, cmp_kc);
	*out_n = w;
	return kc;
}

static json_t *prefix_block(const struct analysis *an, int bits, bool want_v4, bool *ok)
{
	const struct model *mo = &an->mo;
	char **keys = calloc(mo->n ? mo->n : 1, sizeof *keys);
	json_t *o = json_object();
	size_t k = 0, gn = 0;
	struct keycount *kc = NULL;
	uint64_t *cnt = NULL;
	if (!keys || !o)
		goto fail;
	for (uint32_t i = 0; i < mo->n; i++) {
		const struct mvertex *x = &mo->v[i];
		if (x->cls != VC_PUBLIC)
			continue;
		for (uint32_t j = 0; j < x->points_n; j++) {
			struct ipaddr ip;
			if (ipaddr_of_point(mo->points[mo->vpoints[x->first_point + j]], &ip) !=
			    ERR_OK)
				continue;
			if (ip.v4 != want_v4)
				break;
			char buf[80];
			ipaddr_prefix(&ip, bits, buf, sizeof buf);
			if (!(keys[k++] = strdup(buf)))
				goto fail;
			break;
		}
	}
	kc = group(keys, k, &gn);
	cnt = malloc((gn ? gn : 1) * sizeof *cnt);
	if (!kc || !cnt)
		goto fail;
	for (size_t i = 0; i < gn; i++)
		cnt[i] = kc[i].n;
	struct concentration c;
	concentration_of(cnt, gn, &c);
	put(o, "nodes", json_integer((json_int_t)k), ok);
	put(o, "prefixes", json_integer((json_int_t)gn), ok);
	put(o, "nakamoto", json_integer(c.nakamoto), ok);
	put(o, "hhi", json_real(c.hhi), ok);
	put(o, "gini", json_real(c.gini), ok);
	json_t *top = json_array();
	for (size_t i = 0; top && i < gn && i < 10; i++) {
		json_t *x = json_object();
		if (!x) {
			*ok = false;
			break;
		}
		put(x, "prefix", json_string(kc[i].key), ok);
		put(x, "nodes", json_integer((json_int_t)kc[i].n), ok);
		put(x, "share", json_real((double)kc[i].n / (double)k), ok);
		push(top, x, ok);
	}
	put(o, "top", top, ok);
	goto out;
fail:
	*ok = false;
out:
	for (size_t i = 0; keys && i < k; i++)
		free(keys[i]);
	free(keys);
	free(kc);
	free(cnt);
	return o;
}

static json_t *sec_concentration(const struct analysis *an, bool *ok)
{
	const struct model *mo = &an->mo;
	json_t *o = json_object();
	if (!o)
		return NULL;
	/* (ip, peer id) pairs from every point whose vertex is a peer id. */
	char **pairs = calloc(mo->points_n ? mo->points_n : 1, sizeof *pairs);
	size_t k = 0;
	if (!pairs) {
		*ok = false;
		return o;
	}
	for (uint32_t p = 0; p < mo->points_n; p++) {
		const struct mvertex *x = &mo->v[mo->point_vertex[p]];
		struct ipaddr ip;
		if (!x->is_peer || ipaddr_of_point(mo->points[p], &ip) != ERR_OK)
			continue;
		char addr[64], buf[160];
		ipaddr_format(&ip, addr, sizeof addr);
		snprintf(buf, sizeof buf, "%s %s", addr, x->id);
		if (!(pairs[k++] = strdup(buf))) {
			*ok = false;
			break;
		}
	}
	qsort(pairs, k, sizeof *pairs, cmp_strp);
	size_t w = 0;
	for (size_t i = 0; i < k; i++) { /* unique pairs, then strip to the ip */
		if (w && !strcmp(pairs[w - 1], pairs[i])) {
			free(pairs[i]);
			continue;
		}
		pairs[w++] = pairs[i];
	}
	for (size_t i = 0; i < w; i++)
		*strchr(pairs[i], ' ') = 0;
	size_t gn = 0;
	struct keycount *kc = group(pairs, w, &gn);
	long long *per = malloc((gn ? gn : 1) * sizeof *per);
	if (kc && per) {
		for (size_t i = 0; i < gn; i++)
			per[i] = (long long)kc[i].n;
		put(o, "peers_per_ip", int_hist(per, gn, ok), ok);
		json_t *many = json_array();
		for (size_t i = 0; many && i < gn && kc[i].n >= 2 && i < 20; i++) {
			json_t *x = json_object();
			char shown[160];
			if (an->opts.anon) {
				char pt[96];
				bool v6 = strchr(kc[i].key, ':') != NULL;
				snprintf(pt, sizeof pt, v6 ? "[%s]:0" : "%s:0", kc[i].key);
				an->opts.anon(pt, shown, sizeof shown);
			} else {
				snprintf(shown, sizeof shown, "%s", kc[i].key);
			}
			if (!x) {
				*ok = false;
				break;
			}
			put(x, "ip", json_string(shown), ok);
			put(x, "peer_ids", json_integer((json_int_t)kc[i].n), ok);
			push(many, x, ok);
		}
		put(o, "ips_with_many_peer_ids", many, ok);
	} else {
		*ok = false;
	}
	free(per);
	free(kc);
	for (size_t i = 0; i < w; i++)
		free(pairs[i]);
	free(pairs);
	json_t *bp = json_object();
	if (bp) {
		put(bp, "ipv4_24", prefix_block(an, 24, true, ok), ok);
		put(bp, "ipv4_16", prefix_block(an, 16, true, ok), ok);
		put(bp, "ipv6_48", prefix_block(an, 48, false, ok), ok);
	}
	put(o, "by_prefix", bp, ok);
	return o;
}

static json_t *sec_trend(const struct analysis *an, const struct previous *prev, bool *ok)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	const struct model *mo = &an->mo;
	size_t pub = 0;
	for (uint32_t i = 0; i < mo->n; i++)
		pub += mo->v[i].cls == VC_PUBLIC;
	if (!prev) {
		put(o, "previous_crawl_id", json_null(), ok);
		put(o, "new", json_null(), ok);
		put(o, "gone", json_null(), ok);
		put(o, "delta_public", json_null(), ok);
		put(o, "delta_vertices", json_null(), ok);
		put(o, "delta_vertex_connectivity", json_null(), ok);
		put(o, "delta_backbone_vertex_connectivity", json_null(), ok);
		return o;
	}
	size_t nw = 0, kept = 0;
	for (uint32_t i = 0; i < mo->n; i++) {
		if (mo->v[i].cls != VC_PUBLIC)
			continue;
		const char *id = mo->v[i].id;
		if (bsearch(&id, prev->public_ids, prev->public_n, sizeof *prev->public_ids,
		            cmp_strp))
			kept++;
		else
			nw++;
	}
	put(o, "previous_crawl_id", json_integer(prev->crawl_id), ok);
	put(o, "new", json_integer((json_int_t)nw), ok);
	put(o, "gone", json_integer((json_int_t)(prev->public_n - kept)), ok);
	put(o, "delta_public", json_integer((json_int_t)pub - (json_int_t)prev->public_n), ok);
	put(o, "delta_vertices", json_integer((json_int_t)mo->n - (json_int_t)prev->vertices), ok);
	put(o, "delta_vertex_connectivity",
	    prev->vertex_connectivity >= 0
	        ? json_integer((json_int_t)an->kappa.kappa - prev->vertex_connectivity)
	        : json_null(),
	    ok);
	put(o, "delta_backbone_vertex_connectivity",
	    prev->backbone_connectivity >= 0
	        ? json_integer((json_int_t)an->block_kappa.kappa - prev->backbone_connectivity)
	        : json_null(),
	    ok);
	return o;
}

static json_t *sec_definitions(bool *ok)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "vertex",
	    json_string("a node: its peer id when a handshake revealed one (points "
	                "sharing a peer id are one vertex), else its point"),
	    ok);
	put(o, "public",
	    json_string("a point that sent a valid connection message announcing the crawl's "
	                "chain (whatever followed); counts.public counts nodes: public points "
	                "merged by peer id"),
	    ok);
	put(o, "foreign", json_string("a point whose connection message announced another chain"),
	    ok);
	put(o, "unverified",
	    json_string("a point that accepted TCP but sent no valid connection message"), ok);
	put(o, "unreachable",
	    json_string("a point whose every attempt was refused, timed out or had no route"), ok);
	put(o, "undialed",
	    json_string("a point never dialed (policy, self, not reached) or dialed only into "
	                "local_error"),
	    ok);
	put(o, "edge",
	    json_string("u advertised (or listed in a Nack) a point of v in this "
	                "crawl; undirected, simple, no self-loops. Octez advertises "
	                "points it has completed a handshake with: an edge means 'has "
	                "been connected', not 'is connected'"),
	    ok);
	put(o, "strong_edge",
	    json_string("in the ranked part (best 30; with a sampled list of 50, "
	                "the last 30 reversed) of every Advertise round of its "
	                "advertiser"),
	    ok);
	put(o, "S", json_string("all vertices"), ok);
	put(o, "R", json_string("public vertices (subgraph induced by them)"), ok);
	put(o, "R_core", json_string("largest connected component of R"), ok);
	put(o, "public_ratio",
	    json_string("public nodes / (public nodes + unverified points + unreachable points)"),
	    ok);
	put(o, "backbone",
	    json_string("the largest biconnected block of R: its vertex connectivity is the "
	                "fewest public nodes whose failure splits the well-knit centre"),
	    ok);
	put(o, "head_reference",
	    json_string("the highest head within heads.ahead_max levels above the median head "
	                "of public nodes; lag = reference - head; higher heads are outliers"),
	    ok);
	put(o, "betweenness",
	    json_string("on R_core, normalized by (n-1)(n-2)/2 like networkx; "
	                "sampled sources (scaled) above betweenness_exact_max"),
	    ok);
	put(o, "attack_curves",
	    json_string("element k: largest component / R_core vertices after "
	                "removing the top k% (degree, betweenness: ranked once, "
	                "not adaptive) or a random k% (mean of random_runs)"),
	    ok);
	put(o, "cut_off",
	    json_string("vertices separated from the largest remaining piece of "
	                "its component when the articulation point is removed"),
	    ok);
	put(o, "sole_advertisers",
	    json_string("public vertices that are the only neighbour of "
	                "some vertex"),
	    ok);
	put(o, "largest_block_vertex_connectivity",
	    json_string("vertex connectivity of the largest biconnected block of R (leaves and "
	                "islands hanging off one node make R_core's trivially 1)"),
	    ok);
	put(o, "strong_vertex_connectivity",
	    json_string("vertex connectivity of R_core keeping "
	                "only strong edges (0 if that is "
	                "disconnected)"),
	    ok);
	put(o, "by_prefix",
	    json_string("public vertices counted once, by their first point's "
	                "prefix; nakamoto = fewest prefixes holding > 50%, hhi = "
	                "sum of squared percentage shares"),
	    ok);
	put(o, "by_asn",
	    json_string("public vertices counted once, by the AS (by_country: country; "
	                "by_provider: provider table entry, else other) of their first point in "
	                "the location database; not located: the group unknown"),
	    ok);
	put(o, "as_level",
	    json_string("vertices: the ASes of R_core's located nodes; edge: a node of one is "
	                "adjacent in R_core to a node of the other"),
	    ok);
	return o;
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

	bool ok = true;
	json_t *r = json_object();
	if (!r) {
		e = ERR_NOMEM;
		goto fail;
	}
	an->report = r;
	put(r, "schema_version", json_integer(REPORT_SCHEMA_VERSION), &ok);
	json_t *az = json_object();
	if (az) {
		put(az, "version", json_string(ANALYZER_VERSION), &ok);
		put(az, "seed", json_integer((json_int_t)an->opts.seed), &ok);
		put(az, "anonymized", json_boolean(an->opts.anon != NULL), &ok);
	}
	put(r, "analyzer", az, &ok);
	put(r, "crawl", sec_crawl(c, &ok), &ok);
	put(r, "counts", sec_counts(an, &ok), &ok);
	put(r, "versions", sec_versions(an, &ok), &ok);
	put(r, "releases", releases_json(an, &ok), &ok); /* analyzer/releases.c */
	put(r, "metadata", sec_metadata(an, &ok), &ok);
	put(r, "heads", sec_heads(an, &ok), &ok);
	json_t *g = json_object();
	if (g) {
		put(g, "seen", sec_seen(an, &ok), &ok);
		put(g, "reachable", sec_reachable(an, &ok), &ok);
		put(g, "core", sec_core(an, &ok), &ok);
		put(g, "backbone", sec_backbone(an, &ok), &ok);
	}
	put(r, "graph", g, &ok);
	json_t *conc = sec_concentration(an, &ok);
	put(r, "concentration", conc, &ok);
	tl = now_s();
	if (an->opts.loc && g && conc) {
		put(r, "location", locfig_meta_json(an, &ok), &ok);
		put(conc, "by_asn", locfig_by_asn_json(an, &ok), &ok);
		put(conc, "by_country", locfig_by_country_json(an, &ok), &ok);
		put(conc, "by_provider", locfig_by_provider_json(an, &ok), &ok);
		put(g, "as_level", locfig_as_level_json(an, &ok), &ok);
		json_t *ac = json_object_get(json_object_get(g, "core"), "attack_curves");
		if (ac)
			put(ac, "by_asn", locfig_attack_json(an, &ok), &ok);
	} else {
		put(r, "location", json_null(), &ok);
	}
	an->location_s += now_s() - tl;
	put(r, "nat", nat_report(an, &ok), &ok);
	put(r, "trend", sec_trend(an, prev, &ok), &ok);
	struct completeness cmp;
	if ((e = completeness_compute(an, &cmp)) != ERR_OK)
		goto fail;
	put(r, "completeness", completeness_json(&cmp, &ok), &ok);
	put(r, "definitions", sec_definitions(&ok), &ok);
	if (!ok) {
		e = ERR_NOMEM;
		goto fail;
	}
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
