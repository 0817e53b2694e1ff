/*
 * world_topo — phase 3 of the world generator: who knows whom. The core graph
 * (preferential attachment, the planted bottleneck cut, the islands and their
 * bridges), the core nodes that list every other node and the data-only
 * points, each node's final list in rank order, the foreign network of the
 * wrong_chain nodes, and the seed points (docs/simnet.md, "Topology").
 *
 * Its own file because it is the one part of world_build that draws the
 * graph and the lists each node advertises; world.c draws the nodes
 * themselves (behaviours, points, keys, heads) and what comes after (churn,
 * per-node attributes). It draws from the builder's master stream in a fixed
 * order, after phases 1 and 2, exactly as when it lived in world.c.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/rng.h"
#include "simnet/world_int.h"

/* ---- small growable u32 vectors ---------------------------------------- */

static bool vec_push(struct vec *a, uint32_t x)
{
	if (a->n == a->cap) {
		uint32_t cap = (uint32_t)grow_cap(a->cap, (size_t)a->n + 1, 8, UINT32_MAX);
		uint32_t *nv = realloc(a->v, cap * sizeof *nv);
		if (!nv)
			return false;
		a->v = nv;
		a->cap = cap;
	}
	a->v[a->n++] = x;
	return true;
}

static bool vec_has(const struct vec *a, uint32_t x)
{
	for (uint32_t i = 0; i < a->n; i++)
		if (a->v[i] == x)
			return true;
	return false;
}

/* ---- phase 3: topology --------------------------------------------------- */

static bool link(struct builder *B, uint32_t a, uint32_t b)
{
	if (a == b || vec_has(&B->nbr[a], b))
		return true;
	B->w->edge_n++;
	return vec_push(&B->nbr[a], b) && vec_push(&B->nbr[b], a);
}

/*
 * Preferential attachment over v[0..n): a clique on the first m+1 nodes, then
 * each node links to m distinct earlier ones picked with probability
 * proportional to degree. Adding a node with m distinct neighbours to an
 * m-connected graph keeps it m-connected, so the result is m-connected with a
 * heavy-tailed degree spread.
 */
static enum err attach(struct builder *B, const uint32_t *v, size_t n, size_t m)
{
	struct vec ends = {0};
	enum err e = ERR_NOMEM;
	size_t clique = n < m + 1 ? n : m + 1;
	for (size_t i = 0; i < clique; i++)
		for (size_t j = i + 1; j < clique; j++)
			if (!link(B, v[i], v[j]) || !vec_push(&ends, v[i]) ||
			    !vec_push(&ends, v[j]))
				goto out;
	uint32_t picked[64];
	for (size_t i = clique; i < n; i++) {
		size_t k = 0, tries = 0;
		while (k < m) {
			uint32_t t;
			if (tries++ < 64 * m && ends.n > 0)
				t = ends.v[rng_below(&B->r, ends.n)];
			else
				t = v[rng_below(&B->r, i)];
			bool dup = false;
			for (size_t q = 0; q < k; q++)
				dup |= picked[q] == t;
			if (!dup)
				picked[k++] = t;
		}
		for (size_t q = 0; q < k; q++)
			if (!link(B, v[i], picked[q]) || !vec_push(&ends, v[i]) ||
			    !vec_push(&ends, picked[q]))
				goto out;
	}
	e = ERR_OK;
out:
	free(ends.v);
	return e;
}

/* k distinct members of v[0..n) drawn uniformly (k <= n), into out. */
static void pick_distinct(struct rng *r, const uint32_t *v, size_t n, size_t k, uint32_t *out)
{
	for (size_t i = 0; i < k; i++) {
		uint32_t t;
		bool dup;
		do {
			t = v[rng_below(r, n)];
			dup = false;
			for (size_t q = 0; q < i; q++)
				dup |= out[q] == t;
		} while (dup);
		out[i] = t;
	}
}

static enum err build_core(struct builder *B)
{
	struct world *w = B->w;
	const struct sim_config *c = B->c;
	size_t m = (size_t)c->min_degree;
	enum err e;
	for (size_t i = 0; i < w->node_n; i++) {
		struct sim_node *nd = &w->nodes[i];
		if (nd->reveal == REVEAL_ADVERTISE && !vec_push(&B->answering, (uint32_t)i))
			return ERR_NOMEM;
	}
	/* islands come off the answering nodes first, if the core keeps m + 2 */
	size_t isl = (size_t)c->islands, isz = (size_t)c->island_size;
	while (isl > 0 && B->answering.n < isl * isz + m + 2)
		isl--;
	w->island_n = isl;
	size_t cursor = 0;
	for (size_t k = 0; k < isl; k++)
		for (size_t j = 0; j < isz; j++) {
			struct sim_node *nd = &w->nodes[B->answering.v[cursor++]];
			nd->role = ROLE_ISLAND;
			nd->island = (int32_t)k;
		}
	for (size_t i = cursor; i < B->answering.n; i++)
		if (!vec_push(&B->core, B->answering.v[i]))
			return ERR_NOMEM;
	size_t n = B->core.n;
	uint32_t *v = B->core.v;
	if (n == 0)
		return ERR_OK;
	size_t K = (size_t)c->bottleneck;
	if (K > 0 && n >= K + 2 * (m + 2)) {
		size_t rest = n - K;
		size_t na = rest / 2;
		w->cut_n = K;
		w->cut = malloc(K * sizeof *w->cut);
		if (!w->cut)
			return ERR_NOMEM;
		for (size_t i = 0; i < K; i++) {
			w->cut[i] = v[i];
			w->nodes[v[i]].role = ROLE_CUT;
		}
		const uint32_t *A = v + K, *Bh = v + K + na;
		B->half[0] = A;
		B->half_n[0] = na;
		B->half[1] = Bh;
		B->half_n[1] = rest - na;
		w->half_a_n = na;
		w->half_b_n = rest - na;
		for (size_t i = 0; i < na; i++)
			w->nodes[A[i]].role = ROLE_CORE_A;
		for (size_t i = 0; i < rest - na; i++)
			w->nodes[Bh[i]].role = ROLE_CORE_B;
		if ((e = attach(B, A, na, m)) != ERR_OK ||
		    (e = attach(B, Bh, rest - na, m)) != ERR_OK)
			return e;
		/* each cut node: m distinct links into each half (m >= K + 1) */
		uint32_t picked[64];
		for (size_t i = 0; i < K; i++) {
			pick_distinct(&B->r, A, na, m, picked);
			for (size_t q = 0; q < m; q++)
				if (!link(B, v[i], picked[q]))
					return ERR_NOMEM;
			pick_distinct(&B->r, Bh, rest - na, m, picked);
			for (size_t q = 0; q < m; q++)
				if (!link(B, v[i], picked[q]))
					return ERR_NOMEM;
		}
	} else {
		for (size_t i = 0; i < n; i++)
			w->nodes[v[i]].role = ROLE_CORE_A;
		w->half_a_n = n;
		B->half[0] = B->half[1] = v;
		B->half_n[0] = B->half_n[1] = n;
		if ((e = attach(B, v, n, m)) != ERR_OK)
			return e;
	}
	/* islands: a clique each, every member linked to one bridge (not a cut node) */
	cursor = 0;
	w->bridges = isl ? malloc(isl * sizeof *w->bridges) : NULL;
	if (isl && !w->bridges)
		return ERR_NOMEM;
	for (size_t k = 0; k < isl; k++) {
		uint32_t bridge;
		size_t tries = 0;
		do {
			bridge = v[rng_below(&B->r, n)];
		} while ((w->nodes[bridge].role == ROLE_CUT || w->nodes[bridge].bridge) &&
		         tries++ < 1000);
		w->nodes[bridge].bridge = true;
		w->bridges[k] = bridge;
		const uint32_t *mem = B->answering.v + cursor;
		for (size_t i = 0; i < isz; i++) {
			if (!link(B, mem[i], bridge))
				return ERR_NOMEM;
			for (size_t j = i + 1; j < isz; j++)
				if (!link(B, mem[i], mem[j]))
					return ERR_NOMEM;
		}
		cursor += isz;
	}
	return ERR_OK;
}

/* Point index under which lister sees node t (multihomed nodes alternate). */
static uint32_t point_of(struct builder *B, uint32_t t, uint32_t *turn)
{
	const struct sim_node *nd = &B->w->nodes[t];
	if (nd->pt_n < 2)
		return nd->pt[0];
	return nd->pt[(*turn)++ % 2];
}

static enum err list_others(struct builder *B)
{
	struct world *w = B->w;
	const struct sim_config *c = B->c;
	size_t n = B->core.n;
	if (n == 0)
		return ERR_OK;
	/* the most listers drawn at once: listed_by, nat_listed_by, or 2 for a data point */
	size_t lmax = (size_t)(c->listed_by > c->nat_listed_by ? c->listed_by : c->nat_listed_by);
	uint32_t *listers = malloc((lmax > 2 ? lmax : 2) * sizeof *listers);
	uint32_t *turn = calloc(w->node_n, sizeof *turn);
	if (!listers || !turn) {
		free(listers);
		free(turn);
		return ERR_NOMEM;
	}
	enum err e = ERR_NOMEM;
	for (size_t i = 0; i < w->node_n; i++) {
		struct sim_node *nd = &w->nodes[i];
		if (nd->role != ROLE_NONE)
			continue;
		unsigned home = (unsigned)rng_below(&B->r, 2);
		const uint32_t *hv = B->half[home];
		size_t hn = B->half_n[home];
		size_t k;
		if (nd->beh == BEH_NO_LISTEN)
			k = 1 + (size_t)rng_below(&B->r, (uint64_t)c->nat_listed_by);
		else
			k = (size_t)c->listed_by;
		if (k > hn)
			k = hn;
		pick_distinct(&B->r, hv, hn, k, listers);
		if (nd->foreign_only)
			continue; /* drawn all the same, so the rest of the world stays as it was */
		for (size_t q = 0; q < k; q++) {
			if (!vec_push(&B->extra[listers[q]], point_of(B, (uint32_t)i, &turn[i])))
				goto out;
			w->edge_n++;
		}
		/* a nack node is full: it knows its listers and a crowd of core nodes */
		if (nd->beh == BEH_NACK) {
			size_t want = 10 + (size_t)rng_below(&B->r, 71);
			if (want > hn)
				want = hn;
			for (size_t q = 0; q < k; q++)
				if (!vec_push(&B->nbr[i], listers[q]))
					goto out;
			for (size_t tries = 0; B->nbr[i].n < want && tries < 4 * want; tries++) {
				uint32_t t = hv[rng_below(&B->r, hn)];
				if (!vec_has(&B->nbr[i], t) && !vec_push(&B->nbr[i], t))
					goto out;
			}
		}
	}
	/* data-only points: private and documentation ranges */
	static const struct {
		uint32_t net;
		unsigned bits;
	} ranges[] = {
	    {0x0a000000u, 8},  /* 10.0.0.0/8 */
	    {0xc0a80000u, 16}, /* 192.168.0.0/16 */
	    {0xac100000u, 12}, /* 172.16.0.0/12 */
	    {0xc0000200u, 24}, /* 192.0.2.0/24 */
	    {0xc6336400u, 24}, /* 198.51.100.0/24 */
	    {0xcb007100u, 24}, /* 203.0.113.0/24 */
	};
	size_t nd_pts = c->data_points >= 0 ? (size_t)c->data_points
	                                    : (w->node_n / 100 > 6 ? w->node_n / 100 : 6);
	for (size_t d = 0; d < nd_pts; d++) {
		unsigned rg = (unsigned)(d % 6);
		uint32_t host = (uint32_t)rng_next(&B->r) & ((1u << (32 - ranges[rg].bits)) - 1);
		if (host == 0)
			host = 1;
		uint16_t port =
		    rng_below(&B->r, 4) == 0 ? (uint16_t)(1024 + rng_below(&B->r, 60000)) : 9732;
		uint32_t idx;
		if ((e = wb_add_point(B, point_v4(ranges[rg].net | host, port), SP_DATA, -1,
		                      &idx)) != ERR_OK)
			goto out;
		size_t k = 1 + (size_t)rng_below(&B->r, 2);
		if (k > n)
			k = n;
		pick_distinct(&B->r, B->core.v, n, k, listers);
		for (size_t q = 0; q < k; q++)
			if (!vec_push(&B->extra[listers[q]], idx))
				goto out;
	}
	e = ERR_OK;
out:
	free(listers);
	free(turn);
	return e;
}

/* Final lists: neighbours first (the "connected" ones), then the rest, each shuffled. */
static enum err finish_lists(struct builder *B)
{
	struct world *w = B->w;
	uint32_t *turn = calloc(w->node_n, sizeof *turn);
	if (!turn)
		return ERR_NOMEM;
	for (size_t i = 0; i < w->node_n; i++) {
		struct sim_node *nd = &w->nodes[i];
		struct vec *nb = &B->nbr[i], *ex = &B->extra[i];
		if (nd->reveal == REVEAL_NONE)
			continue;
		wb_shuffle_u32(nb->v, nb->n, &B->r);
		wb_shuffle_u32(ex->v, ex->n, &B->r);
		nd->adv_n = nb->n + ex->n;
		nd->adv_cap = nd->adv_n;
		nd->adv = nd->adv_n ? malloc(nd->adv_n * sizeof *nd->adv) : NULL;
		if (nd->adv_n && !nd->adv) {
			free(turn);
			return ERR_NOMEM;
		}
		for (uint32_t q = 0; q < nb->n; q++)
			nd->adv[q] = point_of(B, nb->v[q], &turn[nb->v[q]]);
		if (ex->n)
			memcpy(nd->adv + nb->n, ex->v, ex->n * sizeof *ex->v);
	}
	free(turn);
	return ERR_OK;
}

/*
 * The foreign network: every wrong_chain node knows the others (a random
 * FOREIGN_KNOWN_MAX of them when there are more), in a random order, and
 * lists them in its Nack as Octez does for every motive
 * (p2p_connect_handler.ml, raw_authenticate: list_known_points ~size:50).
 * Its own stream, forked off the master one, so our network is drawn exactly
 * as without it.
 */
static enum err build_foreign(struct builder *B)
{
	struct world *w = B->w;
	if (w->foreign_n == 0)
		return ERR_OK;
	uint32_t *f = malloc(w->foreign_n * sizeof *f);
	uint32_t *others = malloc(w->foreign_n * sizeof *others);
	if (!f || !others) {
		free(f);
		free(others);
		return ERR_NOMEM;
	}
	size_t n = 0;
	for (size_t i = 0; i < w->node_n; i++)
		if (w->nodes[i].beh == BEH_WRONG_CHAIN)
			f[n++] = (uint32_t)i;
	struct rng r = rng_fork(&B->r, 0xf0e1000000000000ull);
	enum err e = ERR_OK;
	for (size_t i = 0; i < n; i++) {
		struct sim_node *nd = &w->nodes[f[i]];
		size_t m = 0;
		for (size_t j = 0; j < n; j++)
			if (j != i)
				others[m++] = w->nodes[f[j]].pt[0];
		size_t want = m < FOREIGN_KNOWN_MAX ? m : FOREIGN_KNOWN_MAX;
		/* the first `want` of a partial Fisher-Yates shuffle */
		for (size_t j = 0; j < want; j++) {
			size_t k = j + (size_t)rng_below(&r, m - j);
			uint32_t t = others[j];
			others[j] = others[k];
			others[k] = t;
		}
		free(nd->adv);
		nd->adv = want ? malloc(want * sizeof *nd->adv) : NULL;
		nd->adv_n = nd->adv_cap = (uint32_t)want;
		if (want && !nd->adv) {
			nd->adv_n = nd->adv_cap = 0;
			e = ERR_NOMEM;
			break;
		}
		if (want)
			memcpy(nd->adv, others, want * sizeof *nd->adv);
		w->edge_n += want;
	}
	free(f);
	free(others);
	return e;
}

static enum err pick_seeds(struct builder *B)
{
	struct world *w = B->w;
	size_t k = (size_t)B->c->seeds;
	if (k > B->core.n)
		k = B->core.n;
	w->seeds = k ? malloc(k * sizeof *w->seeds) : NULL;
	if (k && !w->seeds)
		return ERR_NOMEM;
	uint32_t *nodes = k ? malloc(k * sizeof *nodes) : NULL;
	if (k && !nodes)
		return ERR_NOMEM;
	pick_distinct(&B->r, B->core.v, B->core.n, k, nodes);
	for (size_t i = 0; i < k; i++)
		w->seeds[i] = w->nodes[nodes[i]].pt[0];
	w->seed_n = k;
	free(nodes);
	return ERR_OK;
}

enum err wb_topology(struct builder *B)
{
	enum err e;
	if ((e = build_core(B)) != ERR_OK || (e = list_others(B)) != ERR_OK ||
	    (e = finish_lists(B)) != ERR_OK || (e = build_foreign(B)) != ERR_OK ||
	    (e = pick_seeds(B)) != ERR_OK)
		return e;
	return ERR_OK;
}
