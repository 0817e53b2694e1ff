/*
 * ugraph — a simple undirected graph in compressed adjacency form.
 *
 * The analyzer's own algorithms (vertex connectivity, union-find attack
 * curves) and the igraph bridge all take this one shape: vertices 0..n-1,
 * each edge once as (u, v) with u < v, sorted, no self-loops, no duplicates,
 * and a CSR adjacency with sorted neighbour lists. ugraph_build() normalizes
 * any edge list (multi-edges and self-loops dropped). One owner; ugraph_free()
 * is idempotent.
 */
#ifndef TZ_ANALYZER_UGRAPH_H
#define TZ_ANALYZER_UGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct ugraph {
	uint32_t n;
	size_t m;
	uint32_t *eu, *ev; /* edge i = (eu[i], ev[i]), eu < ev, sorted */
	size_t *off;       /* n + 1 offsets into adj */
	uint32_t *adj;     /* 2m neighbour ids, each list sorted */
};

/*
 * Builds g from k (u, v) pairs with every id < n. Self-loops and repeats are
 * dropped. ERR_INVAL on an id >= n, ERR_NOMEM.
 */
enum err ugraph_build(struct ugraph *g, uint32_t n, const uint32_t *u, const uint32_t *v, size_t k)
    __attribute__((warn_unused_result));

/*
 * The subgraph induced by the vertices with keep[i] true, renumbered in
 * increasing old id order; map_out (optional, caller-freed) gets the old id
 * of each new vertex.
 */
enum err ugraph_induced(struct ugraph *out, const struct ugraph *g, const bool *keep,
                        uint32_t **map_out) __attribute__((warn_unused_result));

/* Degree of v. */
static inline uint32_t ugraph_deg(const struct ugraph *g, uint32_t v)
{
	return (uint32_t)(g->off[v + 1] - g->off[v]);
}

/* True when u and v are adjacent (binary search in the shorter list). */
bool ugraph_adjacent(const struct ugraph *g, uint32_t u, uint32_t v);

void ugraph_free(struct ugraph *g);

#endif
