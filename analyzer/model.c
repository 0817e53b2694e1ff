/*
 * model — from visits and lists to vertices and edges.
 *
 * Everything is sorted by text before it is numbered, so the same crawl
 * gives the same numbering whatever order a loader returned its rows in.
 */
#include "analyzer/model.h"

#include <stdlib.h>
#include <string.h>

const char *vclass_str(enum vclass c)
{
	return point_class_str((enum point_class)c);
}

int model_adv_rank(int pos, int list_len)
{
	if (pos < 0 || pos >= list_len)
		return -1;
	if (list_len == ADV_SAMPLE) { /* sampled: ranked part last, reversed */
		int from_end = list_len - 1 - pos;
		return from_end < ADV_BEST ? from_end : -1;
	}
	return pos < ADV_BEST ? pos : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static uint32_t find_str(const char **arr, uint32_t n, const char *s)
{
	const char **p = bsearch(&s, arr, n, sizeof *arr, cmp_str);
	return p ? (uint32_t)(p - arr) : UINT32_MAX;
}

/*
 * The class of a visit: lib/db/census.h decides, from the outcome name and
 * whether a connection message revealed a peer id. An outcome name this
 * build does not know (a newer journal) proves nothing: undialed.
 */
static enum point_class visit_class(const struct acrawl_visit *v)
{
	enum visit_outcome o;
	if (visit_outcome_parse(v->outcome, strlen(v->outcome), &o) != ERR_OK)
		return PC_UNDIALED;
	return census_visit_class(o, v->peer_id != NULL);
}

/* A connection message of our chain arrived: the node is public. */
static bool visit_public(const struct acrawl_visit *v)
{
	return visit_class(v) == PC_PUBLIC;
}

static const struct acrawl_visit *g_visits; /* qsort context (single-threaded) */

static int cmp_opt(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_visit_idx(const void *a, const void *b)
{
	const struct acrawl_visit *x = &g_visits[*(const size_t *)a];
	const struct acrawl_visit *y = &g_visits[*(const size_t *)b];
	int c = strcmp(x->point, y->point);
	if (c)
		return c;
	if (x->attempt != y->attempt)
		return (x->attempt > y->attempt) - (x->attempt < y->attempt);
	if ((c = strcmp(x->outcome, y->outcome)))
		return c;
	return cmp_opt(x->peer_id, y->peer_id);
}

/* Is visit x a better metadata source than y? (connection message, later attempt, ok) */
static bool better_visit(const struct acrawl_visit *x, const struct acrawl_visit *y)
{
	if (!y)
		return true;
	bool xp = visit_public(x), yp = visit_public(y);
	if (xp != yp)
		return xp;
	bool xo = !strcmp(x->outcome, "ok"), yo = !strcmp(y->outcome, "ok");
	if (xo != yo)
		return xo;
	return x->attempt > y->attempt;
}

struct dent {
	uint32_t a, b;    /* a < b */
	uint32_t listkey; /* source << 24 | round */
	uint8_t dir;      /* 0: a advertised b, 1: b advertised a */
	uint8_t src;
	int rank;
};

static int cmp_dent(const void *x, const void *y)
{
	const struct dent *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	if (p->dir != q->dir)
		return p->dir < q->dir ? -1 : 1;
	if (p->listkey != q->listkey)
		return p->listkey < q->listkey ? -1 : 1;
	return (p->rank > q->rank) - (p->rank < q->rank);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static uint32_t listkey(enum adv_source s, int round)
{
	return (uint32_t)s << 24 | ((uint32_t)round & 0xffffffu);
}

/* Count distinct values of k small keys (groups are a few entries long). */
static int distinct_keys(const struct dent *d, size_t k, int dir, bool ranked_advertise_only)
{
	int n = 0;
	for (size_t i = 0; i < k; i++) {
		if (dir >= 0 && d[i].dir != dir)
			continue;
		if (ranked_advertise_only && (d[i].rank < 0 || d[i].src != ADV_ADVERTISE))
			continue;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++) {
			if (dir >= 0 && d[j].dir != dir)
				continue;
			if (ranked_advertise_only && (d[j].rank < 0 || d[j].src != ADV_ADVERTISE))
				continue;
			seen = d[j].listkey == d[i].listkey;
		}
		n += !seen;
	}
	return n;
}

static enum err build_edges(struct model *mo, const struct acrawl *c)
{
	enum err e = ERR_NOMEM;
	struct dent *d = malloc((c->advs_n ? c->advs_n : 1) * sizeof *d);
	uint64_t *lists = malloc((c->advs_n ? c->advs_n : 1) * sizeof *lists);
	uint32_t *lists_of = calloc(mo->n ? mo->n : 1, sizeof *lists_of);
	if (!d || !lists || !lists_of)
		goto out;
	size_t k = 0, nl = 0;
	for (size_t i = 0; i < c->advs_n; i++) {
		const struct acrawl_adv *a = &c->advs[i];
		uint32_t pu = find_str(mo->points, mo->points_n, a->from);
		uint32_t pv = find_str(mo->points, mo->points_n, a->to);
		uint32_t u = mo->point_vertex[pu], v = mo->point_vertex[pv];
		if (a->source == ADV_ADVERTISE)
			lists[nl++] = (uint64_t)u << 32 | listkey(a->source, a->round);
		if (u == v)
			continue;
		struct dent *x = &d[k++];
		x->a = u < v ? u : v;
		x->b = u < v ? v : u;
		x->dir = u < v ? 0 : 1;
		x->listkey = listkey(a->source, a->round);
		x->src = (uint8_t)a->source;
		x->rank = model_adv_rank(a->pos, a->list_len);
	}
	/* Advertise lists per advertiser: the rounds a strong edge must be ranked in. */
	qsort(lists, nl, sizeof *lists, cmp_u64);
	for (size_t i = 0; i < nl; i++)
		if (i == 0 || lists[i] != lists[i - 1])
			lists_of[lists[i] >> 32]++;
	qsort(d, k, sizeof *d, cmp_dent);
	size_t m = 0;
	for (size_t i = 0; i < k;) {
		size_t j = i;
		while (j < k && d[j].a == d[i].a && d[j].b == d[i].b)
			j++;
		m++;
		i = j;
	}
	mo->e = calloc(m ? m : 1, sizeof *mo->e);
	if (!mo->e)
		goto out;
	mo->m = 0;
	for (size_t i = 0; i < k;) {
		size_t j = i;
		while (j < k && d[j].a == d[i].a && d[j].b == d[i].b)
			j++;
		struct medge *me = &mo->e[mo->m++];
		me->u = d[i].a;
		me->v = d[i].b;
		me->best_rank = -1;
		for (size_t t = i; t < j; t++) {
			me->sources |= (uint8_t)(1u << d[t].src);
			if (d[t].rank >= 0 && (me->best_rank < 0 || d[t].rank < me->best_rank))
				me->best_rank = d[t].rank;
		}
		me->rounds_seen = distinct_keys(d + i, j - i, -1, false);
		for (int dir = 0; dir < 2 && !me->strong; dir++) {
			uint32_t adv = dir == 0 ? me->u : me->v;
			int ranked = distinct_keys(d + i, j - i, dir, true);
			me->strong = lists_of[adv] > 0 && (uint32_t)ranked == lists_of[adv];
		}
		i = j;
	}
	e = ERR_OK;
out:
	free(d);
	free(lists);
	free(lists_of);
	return e;
}

static int cmp_outcome(const void *a, const void *b)
{
	return strcmp(((const struct outcome_count *)a)->name,
	              ((const struct outcome_count *)b)->name);
}

enum err model_build(struct model *mo, const struct acrawl *c)
{
	memset(mo, 0, sizeof *mo);
	enum err e = ERR_NOMEM;
	size_t cap = c->visits_n + 2 * c->advs_n;
	const char **pts = malloc((cap ? cap : 1) * sizeof *pts);
	size_t *vidx = malloc((c->visits_n ? c->visits_n : 1) * sizeof *vidx);
	const char **ids = NULL;
	const struct acrawl_visit **best = NULL;
	if (!pts || !vidx)
		goto fail;
	size_t np = 0;
	for (size_t i = 0; i < c->visits_n; i++)
		pts[np++] = c->visits[i].point;
	for (size_t i = 0; i < c->advs_n; i++) {
		pts[np++] = c->advs[i].from;
		pts[np++] = c->advs[i].to;
	}
	qsort(pts, np, sizeof *pts, cmp_str);
	size_t w = 0;
	for (size_t i = 0; i < np; i++)
		if (w == 0 || strcmp(pts[w - 1], pts[i]))
			pts[w++] = pts[i];
	if (w >= UINT32_MAX) {
		e = ERR_TOOBIG;
		goto fail;
	}
	mo->points = pts;
	mo->points_n = (uint32_t)w;
	pts = NULL;
	mo->visits_n = c->visits_n;

	/* Visits in a stable order; each point's peer id = that of its latest
	 * attempt with a connection message. */
	for (size_t i = 0; i < c->visits_n; i++)
		vidx[i] = i;
	g_visits = c->visits;
	qsort(vidx, c->visits_n, sizeof *vidx, cmp_visit_idx);
	const char **peer_of = calloc(mo->points_n ? mo->points_n : 1, sizeof *peer_of);
	if (!peer_of)
		goto fail;
	for (size_t i = 0; i < c->visits_n; i++) {
		const struct acrawl_visit *v = &c->visits[vidx[i]];
		if (v->peer_id)
			peer_of[find_str(mo->points, mo->points_n, v->point)] = v->peer_id;
	}
	ids = malloc((mo->points_n ? mo->points_n : 1) * sizeof *ids);
	if (!ids) {
		free(peer_of);
		goto fail;
	}
	for (uint32_t i = 0; i < mo->points_n; i++)
		ids[i] = peer_of[i] ? peer_of[i] : mo->points[i];
	const char **uniq = malloc((mo->points_n ? mo->points_n : 1) * sizeof *uniq);
	if (!uniq) {
		free(peer_of);
		goto fail;
	}
	memcpy(uniq, ids, mo->points_n * sizeof *uniq);
	qsort(uniq, mo->points_n, sizeof *uniq, cmp_str);
	uint32_t nv = 0;
	for (uint32_t i = 0; i < mo->points_n; i++)
		if (nv == 0 || strcmp(uniq[nv - 1], uniq[i]))
			uniq[nv++] = uniq[i];
	mo->v = calloc(nv ? nv : 1, sizeof *mo->v);
	mo->point_vertex = malloc((mo->points_n ? mo->points_n : 1) * sizeof *mo->point_vertex);
	mo->vpoints = malloc((mo->points_n ? mo->points_n : 1) * sizeof *mo->vpoints);
	if (!mo->v || !mo->point_vertex || !mo->vpoints) {
		free(uniq);
		free(peer_of);
		goto fail;
	}
	mo->n = nv;
	for (uint32_t i = 0; i < nv; i++) {
		struct mvertex *x = &mo->v[i];
		x->id = strdup(uniq[i]);
		if (!x->id) {
			free(uniq);
			free(peer_of);
			goto fail;
		}
		x->cls = VC_UNDIALED;
		x->ddb_version = x->p2p_version = x->pow_bits = -1;
		x->private_node = x->disable_mempool = -1;
		x->head_level = -1;
	}
	for (uint32_t i = 0; i < mo->points_n; i++) {
		uint32_t v = find_str(uniq, nv, ids[i]);
		mo->point_vertex[i] = v;
		if (peer_of[i])
			mo->v[v].is_peer = true;
		mo->v[v].points_n++;
	}
	free(uniq);
	free(peer_of);
	uint32_t acc = 0;
	for (uint32_t i = 0; i < nv; i++) {
		mo->v[i].first_point = acc;
		acc += mo->v[i].points_n;
		mo->v[i].points_n = 0;
	}
	for (uint32_t i = 0; i < mo->points_n; i++) { /* points ascending: lists sorted */
		struct mvertex *x = &mo->v[mo->point_vertex[i]];
		mo->vpoints[x->first_point + x->points_n++] = i;
	}

	/* Classes, metadata and outcome counts. */
	best = calloc(nv ? nv : 1, sizeof *best);
	mo->outcomes = calloc(c->visits_n ? c->visits_n : 1, sizeof *mo->outcomes);
	mo->point_cls = calloc(mo->points_n ? mo->points_n : 1, sizeof *mo->point_cls);
	if (!best || !mo->outcomes || !mo->point_cls)
		goto fail;
	for (size_t i = 0; i < c->visits_n; i++) {
		const struct acrawl_visit *v = &c->visits[vidx[i]];
		uint32_t p = find_str(mo->points, mo->points_n, v->point);
		enum point_class k = visit_class(v);
		mo->point_cls[p] = (uint8_t)point_class_max((enum point_class)mo->point_cls[p], k);
		if (k == PC_PUBLIC && better_visit(v, best[mo->point_vertex[p]]))
			best[mo->point_vertex[p]] = v;
		mo->outcomes[mo->outcomes_n].name = v->outcome;
		mo->outcomes[mo->outcomes_n++].n = 1;
	}
	for (uint32_t i = 0; i < mo->points_n; i++) {
		struct mvertex *x = &mo->v[mo->point_vertex[i]];
		enum point_class k = (enum point_class)mo->point_cls[i];
		x->cls = (enum vclass)point_class_max((enum point_class)x->cls, k);
		mo->class_points[k]++;
		mo->points_dialed += k != PC_UNDIALED;
	}
	for (uint32_t i = 0; i < nv; i++)
		mo->class_vertices[mo->v[i].cls]++;
	for (uint32_t i = 0; i < nv; i++) {
		const struct acrawl_visit *b = best[i];
		if (!b)
			continue;
		struct mvertex *x = &mo->v[i];
		x->chain_name = b->chain_name;
		x->ddb_version = b->ddb_version;
		x->p2p_version = b->p2p_version;
		x->pow_bits = b->pow_bits;
		x->private_node = b->private_node;
		x->disable_mempool = b->disable_mempool;
		x->head_level = b->head_level;
	}
	qsort(mo->outcomes, mo->outcomes_n, sizeof *mo->outcomes, cmp_outcome);
	w = 0;
	for (size_t i = 0; i < mo->outcomes_n; i++) {
		if (w && !strcmp(mo->outcomes[w - 1].name, mo->outcomes[i].name))
			mo->outcomes[w - 1].n++;
		else
			mo->outcomes[w++] = mo->outcomes[i];
	}
	mo->outcomes_n = w;

	e = build_edges(mo, c);
	if (e != ERR_OK)
		goto fail;
	free(best);
	free(ids);
	free(vidx);
	return ERR_OK;
fail:
	free(best);
	free(ids);
	free(vidx);
	free(pts);
	model_free(mo);
	return e;
}

uint32_t model_vertex_of_point(const struct model *mo, const char *point)
{
	uint32_t p = find_str(mo->points, mo->points_n, point);
	return p == UINT32_MAX ? p : mo->point_vertex[p];
}

static int cmp_vid(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const struct mvertex *)elem)->id);
}

uint32_t model_vertex_of_id(const struct model *mo, const char *id)
{
	const struct mvertex *x = bsearch(id, mo->v, mo->n, sizeof *mo->v, cmp_vid);
	return x ? (uint32_t)(x - mo->v) : UINT32_MAX;
}

enum err model_graph(const struct model *mo, struct ugraph *g)
{
	uint32_t *u = malloc((mo->m ? mo->m : 1) * sizeof *u);
	uint32_t *v = malloc((mo->m ? mo->m : 1) * sizeof *v);
	enum err e = ERR_NOMEM;
	if (u && v) {
		for (size_t i = 0; i < mo->m; i++) {
			u[i] = mo->e[i].u;
			v[i] = mo->e[i].v;
		}
		e = ugraph_build(g, mo->n, u, v, mo->m);
	}
	free(u);
	free(v);
	return e;
}

void model_free(struct model *mo)
{
	if (!mo)
		return;
	for (uint32_t i = 0; i < mo->n; i++)
		free(mo->v[i].id);
	free(mo->v);
	free(mo->e);
	free((void *)mo->points);
	free(mo->point_vertex);
	free(mo->vpoints);
	free(mo->point_cls);
	free(mo->outcomes);
	memset(mo, 0, sizeof *mo);
}
