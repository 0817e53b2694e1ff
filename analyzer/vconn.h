/*
 * vconn — vertex connectivity of a simple undirected graph, with a witness
 * minimum vertex cut. Written here, not taken from igraph 0.10.2, whose
 * igraph_vertex_connectivity is O(V^5) and whose minimum_size_separators
 * returns wrong sets (docs/analyzer.md, "Algorithms").
 *
 * Esfahanian–Hakimi: v of minimum degree δ; κ = min(δ, κ(v, w) for every
 * non-neighbour w, κ(x, y) for every non-adjacent pair of v's neighbours).
 * Each local κ(s, t) is a max-flow on the Even–Tarjan split graph (x_in ->
 * x_out capacity 1, edges infinite), by BFS augmenting paths, stopped as
 * soon as the flow reaches the best value so far. The witness is the set of
 * vertices whose in-copy the last residual search reached and whose out-copy
 * it did not. The split graph is built once; each test resets only the arcs
 * it touched.
 *
 * Conventions: n <= 1 -> κ 0; disconnected -> κ 0 and an empty cut; complete
 * graph K_n -> κ n-1 and an empty cut (no vertex set separates it).
 * Deterministic: same graph, same cut. Re-entrant (no globals).
 */
#ifndef TZ_ANALYZER_VCONN_H
#define TZ_ANALYZER_VCONN_H

#include <stddef.h>
#include <stdint.h>

#include "analyzer/ugraph.h"
#include "core/err.h"

struct vconn_result {
	uint32_t kappa;
	uint32_t *cut; /* owned, sorted vertex ids, cut_n == kappa unless empty */
	uint32_t cut_n;
	size_t flow_tests; /* local max-flow tests run */
};

enum err vconn_compute(const struct ugraph *g, struct vconn_result *r)
    __attribute__((warn_unused_result));

/* Local connectivity of non-adjacent s != t (max vertex-disjoint s-t paths). */
enum err vconn_local(const struct ugraph *g, uint32_t s, uint32_t t, uint32_t *out)
    __attribute__((warn_unused_result));

/* True when removing cut[0..k) leaves the rest of g disconnected (>= 2 pieces). */
bool vconn_is_separator(const struct ugraph *g, const uint32_t *cut, uint32_t k);

void vconn_result_free(struct vconn_result *r);

#endif
