/* ugraph — normalization of edge lists into sorted CSR. */
#include "analyzer/ugraph.h"

#include <stdlib.h>
#include <string.h>

static int cmp_pair(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

enum err ugraph_build(struct ugraph *g, uint32_t n, const uint32_t *u, const uint32_t *v, size_t k)
{
	memset(g, 0, sizeof *g);
	uint64_t *pairs = malloc((k ? k : 1) * sizeof *pairs);
	if (!pairs)
		return ERR_NOMEM;
	size_t m = 0;
	for (size_t i = 0; i < k; i++) {
		if (u[i] >= n || v[i] >= n) {
			free(pairs);
			return ERR_INVAL;
		}
		if (u[i] == v[i])
			continue;
		uint32_t a = u[i] < v[i] ? u[i] : v[i], b = u[i] < v[i] ? v[i] : u[i];
		pairs[m++] = (uint64_t)a << 32 | b;
	}
	qsort(pairs, m, sizeof *pairs, cmp_pair);
	size_t w = 0;
	for (size_t i = 0; i < m; i++)
		if (w == 0 || pairs[w - 1] != pairs[i])
			pairs[w++] = pairs[i];
	m = w;
	g->n = n;
	g->m = m;
	g->eu = malloc((m ? m : 1) * sizeof *g->eu);
	g->ev = malloc((m ? m : 1) * sizeof *g->ev);
	g->off = calloc((size_t)n + 1, sizeof *g->off);
	g->adj = malloc((m ? 2 * m : 1) * sizeof *g->adj);
	size_t *fill = calloc((size_t)n + 1, sizeof *fill);
	if (!g->eu || !g->ev || !g->off || !g->adj || !fill) {
		free(fill);
		free(pairs);
		ugraph_free(g);
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < m; i++) {
		g->eu[i] = (uint32_t)(pairs[i] >> 32);
		g->ev[i] = (uint32_t)pairs[i];
		g->off[g->eu[i] + 1]++;
		g->off[g->ev[i] + 1]++;
	}
	for (uint32_t i = 0; i < n; i++)
		g->off[i + 1] += g->off[i];
	memcpy(fill, g->off, ((size_t)n + 1) * sizeof *fill);
	/* Edges are sorted by (u, v): appending v to u's list and u to v's list
	 * in that order yields sorted lists (all smaller ids come first). */
	for (size_t i = 0; i < m; i++)
		g->adj[fill[g->ev[i]]++] = g->eu[i];
	for (size_t i = 0; i < m; i++)
		g->adj[fill[g->eu[i]]++] = g->ev[i];
	free(fill);
	free(pairs);
	return ERR_OK;
}

enum err ugraph_induced(struct ugraph *out, const struct ugraph *g, const bool *keep,
                        uint32_t **map_out)
{
	memset(out, 0, sizeof *out);
	uint32_t *newid = malloc(((size_t)g->n ? g->n : 1) * sizeof *newid);
	uint32_t *map = malloc(((size_t)g->n ? g->n : 1) * sizeof *map);
	uint32_t *eu = malloc((g->m ? g->m : 1) * sizeof *eu);
	uint32_t *ev = malloc((g->m ? g->m : 1) * sizeof *ev);
	enum err e = ERR_NOMEM;
	if (!newid || !map || !eu || !ev)
		goto out;
	uint32_t n = 0;
	for (uint32_t i = 0; i < g->n; i++) {
		newid[i] = keep[i] ? n : UINT32_MAX;
		if (keep[i])
			map[n++] = i;
	}
	size_t k = 0;
	for (size_t i = 0; i < g->m; i++) {
		if (keep[g->eu[i]] && keep[g->ev[i]]) {
			eu[k] = newid[g->eu[i]];
			ev[k] = newid[g->ev[i]];
			k++;
		}
	}
	e = ugraph_build(out, n, eu, ev, k);
	if (e == ERR_OK && map_out) {
		*map_out = map;
		map = NULL;
	}
out:
	free(newid);
	free(map);
	free(eu);
	free(ev);
	return e;
}

bool ugraph_adjacent(const struct ugraph *g, uint32_t u, uint32_t v)
{
	if (ugraph_deg(g, u) > ugraph_deg(g, v)) {
		uint32_t t = u;
		u = v;
		v = t;
	}
	size_t lo = g->off[u], hi = g->off[u + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->adj[mid] == v)
			return true;
		if (g->adj[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void ugraph_free(struct ugraph *g)
{
	if (!g)
		return;
	free(g->eu);
	free(g->ev);
	free(g->off);
	free(g->adj);
	memset(g, 0, sizeof *g);
}
