/*
 * vconn — Esfahanian–Hakimi over unit-capacity max-flow on the split graph.
 *
 * Split graph: node 2x is x_in, 2x+1 is x_out. Arcs are stored in pairs
 * (a, a^1) so the reverse of an arc is its id xor 1. Capacities: x_in->x_out
 * 1, x_out->y_in "infinite" (n + 1: no flow ever exceeds n), reverses 0. With
 * infinite edge arcs every finite cut is made of vertex arcs, so the cut read
 * from the residual graph is a set of vertices.
 */
#include "analyzer/vconn.h"
#include "core/buf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct flow {
	uint32_t nn;     /* 2n nodes */
	size_t *first;   /* per node: arcs [first[v], first[v+1]) in order[] */
	uint32_t *order; /* arc ids grouped by tail node */
	uint32_t *head;  /* per arc */
	int32_t *cap, *cap0;
	uint32_t *touched;
	size_t touched_n, touched_cap;
	uint32_t *stamp;  /* forward search mark = epoch */
	uint32_t *bstamp; /* backward search mark = epoch */
	uint32_t epoch;
	uint32_t *parent;  /* forward: arc that reached the node */
	uint32_t *bparent; /* backward: arc (node -> toward t) that reached it */
	uint32_t *queue, *bqueue;
	bool fwd_done; /* last failed search: true if the s side was exhausted */
};

static void flow_free(struct flow *f)
{
	free(f->first);
	free(f->order);
	free(f->head);
	free(f->cap);
	free(f->cap0);
	free(f->touched);
	free(f->stamp);
	free(f->bstamp);
	free(f->parent);
	free(f->bparent);
	free(f->queue);
	free(f->bqueue);
	memset(f, 0, sizeof *f);
}

static enum err flow_init(struct flow *f, const struct ugraph *g)
{
	memset(f, 0, sizeof *f);
	size_t na = 2 * (size_t)g->n + 4 * g->m;
	if (na >= UINT32_MAX || 2 * (size_t)g->n >= UINT32_MAX)
		return ERR_TOOBIG;
	f->nn = 2 * g->n;
	f->first = calloc((size_t)f->nn + 1, sizeof *f->first);
	f->order = malloc((na ? na : 1) * sizeof *f->order);
	f->head = malloc((na ? na : 1) * sizeof *f->head);
	f->cap = malloc((na ? na : 1) * sizeof *f->cap);
	f->cap0 = malloc((na ? na : 1) * sizeof *f->cap0);
	f->touched_cap = 1024;
	f->touched = malloc(f->touched_cap * sizeof *f->touched);
	f->stamp = calloc((size_t)f->nn + 1, sizeof *f->stamp);
	f->bstamp = calloc((size_t)f->nn + 1, sizeof *f->bstamp);
	f->parent = malloc(((size_t)f->nn + 1) * sizeof *f->parent);
	f->bparent = malloc(((size_t)f->nn + 1) * sizeof *f->bparent);
	f->queue = malloc(((size_t)f->nn + 1) * sizeof *f->queue);
	f->bqueue = malloc(((size_t)f->nn + 1) * sizeof *f->bqueue);
	uint32_t *tail = malloc((na ? na : 1) * sizeof *tail);
	if (!f->first || !f->order || !f->head || !f->cap || !f->cap0 || !f->touched || !f->stamp ||
	    !f->bstamp || !f->parent || !f->bparent || !f->queue || !f->bqueue || !tail) {
		free(tail);
		flow_free(f);
		return ERR_NOMEM;
	}
	const int32_t inf = (int32_t)g->n + 1;
	size_t a = 0;
#define ARC(t, h, c)                                                                               \
	do {                                                                                       \
		tail[a] = (t);                                                                     \
		f->head[a] = (h);                                                                  \
		f->cap0[a] = (c);                                                                  \
		a++;                                                                               \
	} while (0)
	for (uint32_t x = 0; x < g->n; x++) {
		ARC(2 * x, 2 * x + 1, 1);
		ARC(2 * x + 1, 2 * x, 0);
	}
	for (size_t i = 0; i < g->m; i++) {
		uint32_t x = g->eu[i], y = g->ev[i];
		ARC(2 * x + 1, 2 * y, inf);
		ARC(2 * y, 2 * x + 1, 0);
		ARC(2 * y + 1, 2 * x, inf);
		ARC(2 * x, 2 * y + 1, 0);
	}
#undef ARC
	for (size_t i = 0; i < na; i++)
		f->first[tail[i] + 1]++;
	for (uint32_t v = 0; v < f->nn; v++)
		f->first[v + 1] += f->first[v];
	size_t *fill = malloc(((size_t)f->nn + 1) * sizeof *fill);
	if (!fill) {
		free(tail);
		flow_free(f);
		return ERR_NOMEM;
	}
	memcpy(fill, f->first, ((size_t)f->nn + 1) * sizeof *fill);
	/* Forward arcs before reverse ones at each node: the BFS meets usable
	 * arcs first. Arcs were appended in a fixed order, so this is stable. */
	for (size_t i = 0; i < na; i++)
		if (f->cap0[i] > 0)
			f->order[fill[tail[i]]++] = (uint32_t)i;
	for (size_t i = 0; i < na; i++)
		if (f->cap0[i] == 0)
			f->order[fill[tail[i]]++] = (uint32_t)i;
	free(fill);
	free(tail);
	memcpy(f->cap, f->cap0, na * sizeof *f->cap);
	return ERR_OK;
}

static enum err touch(struct flow *f, uint32_t a)
{
	if (f->touched_n == f->touched_cap) {
		enum err e = array_reserve((void **)&f->touched, &f->touched_cap, f->touched_n + 1,
					   sizeof *f->touched, 1024);
		if (e != ERR_OK)
			return e;
	}
	f->touched[f->touched_n++] = a;
	return ERR_OK;
}

static void reset(struct flow *f)
{
	for (size_t i = 0; i < f->touched_n; i++) {
		uint32_t a = f->touched[i];
		f->cap[a] = f->cap0[a];
		f->cap[a ^ 1] = f->cap0[a ^ 1];
	}
	f->touched_n = 0;
}

static uint32_t next_epoch(struct flow *f)
{
	if (++f->epoch == 0) { /* wrapped: clear marks */
		memset(f->stamp, 0, ((size_t)f->nn + 1) * sizeof *f->stamp);
		memset(f->bstamp, 0, ((size_t)f->nn + 1) * sizeof *f->bstamp);
		f->epoch = 1;
	}
	return f->epoch;
}

/* Pushes one unit along the path s_out ~> meet (forward parents) ~> t_in (backward). */
static enum err push_path(struct flow *f, uint32_t src, uint32_t dst, uint32_t meet)
{
	for (uint32_t z = meet; z != src;) {
		uint32_t pa = f->parent[z];
		f->cap[pa]--;
		f->cap[pa ^ 1]++;
		if (touch(f, pa) != ERR_OK)
			return ERR_NOMEM;
		z = f->head[pa ^ 1];
	}
	for (uint32_t z = meet; z != dst;) {
		uint32_t pa = f->bparent[z];
		f->cap[pa]--;
		f->cap[pa ^ 1]++;
		if (touch(f, pa) != ERR_OK)
			return ERR_NOMEM;
		z = f->head[pa];
	}
	return ERR_OK;
}

/*
 * One bidirectional BFS in the residual graph: forward from s_out, backward
 * from t_in, one whole level at a time on the side whose frontier is
 * smaller, until they meet (then one unit is pushed) or one side runs dry.
 * In an expander each side only sees about sqrt of what a one-sided search
 * would, which is what makes thousands of local tests affordable. The arcs
 * stored at a node include the partner of every arc entering it, so the
 * backward step reads residual capacity cap[b ^ 1] of the arc into the node.
 */
static enum err augment(struct flow *f, uint32_t s, uint32_t t, bool *found)
{
	uint32_t ep = next_epoch(f);
	uint32_t src = 2 * s + 1, dst = 2 * t;
	size_t qh = 0, qt = 0, bh = 0, bt = 0;
	f->queue[qt++] = src;
	f->stamp[src] = ep;
	f->stamp[2 * s] = ep; /* never route through s_in */
	f->bqueue[bt++] = dst;
	f->bstamp[dst] = ep;
	f->bstamp[2 * t + 1] = ep; /* never route through t_out */
	*found = false;
	while (qh < qt && bh < bt) {
		if (qt - qh <= bt - bh) {
			size_t end = qt;
			for (; qh < end; qh++) {
				uint32_t x = f->queue[qh];
				for (size_t k = f->first[x]; k < f->first[x + 1]; k++) {
					uint32_t a = f->order[k];
					if (f->cap[a] <= 0)
						continue;
					uint32_t y = f->head[a];
					if (f->stamp[y] == ep)
						continue;
					f->stamp[y] = ep;
					f->parent[y] = a;
					if (f->bstamp[y] == ep && y != 2 * t + 1) {
						*found = true;
						return push_path(f, src, dst, y);
					}
					f->queue[qt++] = y;
				}
			}
		} else {
			size_t end = bt;
			for (; bh < end; bh++) {
				uint32_t x = f->bqueue[bh];
				for (size_t k = f->first[x]; k < f->first[x + 1]; k++) {
					uint32_t a = f->order[k] ^ 1; /* arc head[b] -> x */
					if (f->cap[a] <= 0)
						continue;
					uint32_t y = f->head[a ^ 1];
					if (f->bstamp[y] == ep)
						continue;
					f->bstamp[y] = ep;
					f->bparent[y] = a;
					if (f->stamp[y] == ep && y != 2 * s) {
						*found = true;
						return push_path(f, src, dst, y);
					}
					f->bqueue[bt++] = y;
				}
			}
		}
	}
	f->fwd_done = qh >= qt;
	return ERR_OK;
}

/*
 * Flow from s to t, stopped at cutoff. When the flow ends below cutoff, the
 * cut (flow vertices) is written to cut[] from the last, failed search.
 */
static enum err local_flow(struct flow *f, uint32_t s, uint32_t t, uint32_t cutoff, uint32_t *out,
                           uint32_t *cut, uint32_t n)
{
	uint32_t flow = 0;
	bool found = true;
	enum err e = ERR_OK;
	while (flow < cutoff) {
		if ((e = augment(f, s, t, &found)) != ERR_OK)
			break;
		if (!found)
			break;
		flow++;
	}
	if (e == ERR_OK && !found && cut) {
		/* The exhausted side gives a minimum cut: vertices whose in-copy
		 * is on the side and whose out-copy is not. */
		uint32_t k = 0;
		const uint32_t *mark = f->fwd_done ? f->stamp : f->bstamp;
		for (uint32_t x = 0; x < n; x++) {
			if (x == s || x == t)
				continue;
			bool xin = mark[2 * x] == f->epoch, xout = mark[2 * x + 1] == f->epoch;
			if (f->fwd_done ? (xin && !xout) : (xout && !xin))
				cut[k++] = x;
		}
		if (k != flow) /* max-flow/min-cut: cannot happen */
			e = ERR_STATE;
	}
	reset(f);
	*out = flow;
	return e;
}

static bool connected(const struct ugraph *g)
{
	if (g->n == 0)
		return true;
	bool *seen = calloc(g->n, sizeof *seen);
	uint32_t *q = malloc((size_t)g->n * sizeof *q);
	bool ok = false;
	if (seen && q) {
		size_t qh = 0, qt = 0, cnt = 1;
		q[qt++] = 0;
		seen[0] = true;
		while (qh < qt) {
			uint32_t x = q[qh++];
			for (size_t k = g->off[x]; k < g->off[x + 1]; k++)
				if (!seen[g->adj[k]]) {
					seen[g->adj[k]] = true;
					q[qt++] = g->adj[k];
					cnt++;
				}
		}
		ok = cnt == g->n;
	}
	free(seen);
	free(q);
	return ok;
}

bool vconn_is_separator(const struct ugraph *g, const uint32_t *cut, uint32_t k)
{
	if (g->n < 2 || k + 2 > g->n)
		return false;
	bool *gone = calloc(g->n, sizeof *gone);
	uint32_t *q = malloc((size_t)g->n * sizeof *q);
	bool res = false;
	if (!gone || !q)
		goto out;
	for (uint32_t i = 0; i < k; i++) {
		if (cut[i] >= g->n || gone[cut[i]])
			goto out;
		gone[cut[i]] = true;
	}
	uint32_t start = 0;
	while (gone[start])
		start++;
	size_t qh = 0, qt = 0, cnt = 1;
	q[qt++] = start;
	gone[start] = true;
	while (qh < qt) {
		uint32_t x = q[qh++];
		for (size_t j = g->off[x]; j < g->off[x + 1]; j++)
			if (!gone[g->adj[j]]) {
				gone[g->adj[j]] = true;
				q[qt++] = g->adj[j];
				cnt++;
			}
	}
	res = cnt < g->n - k;
out:
	free(gone);
	free(q);
	return res;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

enum err vconn_local(const struct ugraph *g, uint32_t s, uint32_t t, uint32_t *out)
{
	if (s >= g->n || t >= g->n || s == t || ugraph_adjacent(g, s, t))
		return ERR_INVAL;
	struct flow f;
	enum err e = flow_init(&f, g);
	if (e != ERR_OK)
		return e;
	e = local_flow(&f, s, t, g->n, out, NULL, g->n);
	flow_free(&f);
	return e;
}

void vconn_result_free(struct vconn_result *r)
{
	if (!r)
		return;
	free(r->cut);
	memset(r, 0, sizeof *r);
}

enum err vconn_compute(const struct ugraph *g, struct vconn_result *r)
{
	memset(r, 0, sizeof *r);
	if (g->n <= 1 || !connected(g))
		return ERR_OK;
	if (g->m == (size_t)g->n * (g->n - 1) / 2) {
		r->kappa = g->n - 1;
		return ERR_OK;
	}
	uint32_t v = 0;
	for (uint32_t x = 1; x < g->n; x++)
		if (ugraph_deg(g, x) < ugraph_deg(g, v))
			v = x;
	uint32_t best = ugraph_deg(g, v);
	r->cut = malloc(((size_t)best + 1) * sizeof *r->cut);
	uint32_t *tmp = malloc(((size_t)best + 1) * sizeof *tmp);
	bool *nbr = calloc(g->n, sizeof *nbr);
	struct flow f;
	enum err e = ERR_NOMEM;
	if (!r->cut || !tmp || !nbr)
		goto out;
	if ((e = flow_init(&f, g)) != ERR_OK)
		goto out;
	/* N(v) separates v from any non-neighbour (one exists: not complete). */
	memcpy(r->cut, g->adj + g->off[v], (size_t)best * sizeof *r->cut);
	r->cut_n = best;
	for (size_t k = g->off[v]; k < g->off[v + 1]; k++)
		nbr[g->adj[k]] = true;
	for (uint32_t w = 0; w < g->n && best > 0; w++) {
		if (w == v || nbr[w])
			continue;
		uint32_t fl;
		r->flow_tests++;
		if ((e = local_flow(&f, v, w, best, &fl, tmp, g->n)) != ERR_OK)
			goto out_flow;
		if (fl < best) {
			best = fl;
			memcpy(r->cut, tmp, (size_t)fl * sizeof *tmp);
			r->cut_n = fl;
		}
	}
	for (size_t i = g->off[v]; i < g->off[v + 1] && best > 0; i++) {
		for (size_t j = i + 1; j < g->off[v + 1] && best > 0; j++) {
			uint32_t x = g->adj[i], y = g->adj[j];
			if (ugraph_adjacent(g, x, y))
				continue;
			uint32_t fl;
			r->flow_tests++;
			if ((e = local_flow(&f, x, y, best, &fl, tmp, g->n)) != ERR_OK)
				goto out_flow;
			if (fl < best) {
				best = fl;
				memcpy(r->cut, tmp, (size_t)fl * sizeof *tmp);
				r->cut_n = fl;
			}
		}
	}
	r->kappa = best;
	qsort(r->cut, r->cut_n, sizeof *r->cut, cmp_u32);
	e = ERR_OK;
out_flow:
	flow_free(&f);
out:
	free(tmp);
	free(nbr);
	if (e != ERR_OK)
		vconn_result_free(r);
	return e;
}
