/*
 * graph — every igraph call of the analyzer, behind plain C types.
 *
 * Debian bookworm's igraph 0.10.2 aborts on error by default; graph_init()
 * installs a handler that records the message, frees igraph's cleanup stack
 * and returns, so each wrapper returns ERR_NOMEM/ERR_STATE with
 * graph_last_error() set instead of killing a nightly job. Every igraph return
 * code is checked. Inputs are struct ugraph (simple, undirected); outputs are
 * caller-owned arrays indexed by vertex id. Not thread-safe (igraph's error
 * state and attribute table are process-global).
 */
#ifndef TZ_ANALYZER_GRAPH_H
#define TZ_ANALYZER_GRAPH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzer/ugraph.h"
#include "core/err.h"

/* Installs the error/warning handlers and the C attribute table. Idempotent. */
void graph_init(void);
/* The last igraph error message ("" when none). */
const char *graph_last_error(void);

struct graph_comps {
	uint32_t count;       /* number of components (isolated vertices count) */
	uint32_t *membership; /* per vertex: component id (owned) */
	uint32_t *size;       /* per component: vertex count (owned) */
	uint32_t giant;       /* largest component; ties: the one holding the lowest vertex */
};
enum err graph_components(const struct ugraph *g, struct graph_comps *c)
    __attribute__((warn_unused_result));
void graph_comps_free(struct graph_comps *c);

/*
 * Articulation points and biconnected blocks. cut_off[v] (0 for a non-AP) is
 * the number of vertices that removing v separates from the largest remaining
 * piece of v's component: component size - 1 - largest piece.
 */
struct graph_blocks {
	uint32_t *aps; /* sorted articulation points (owned) */
	uint32_t aps_n;
	uint32_t *cut_off;      /* per vertex (owned) */
	uint32_t blocks_n;      /* biconnected components (isolated vertices excluded) */
	uint32_t largest_block; /* vertices in the largest block (0 without edges) */
	uint32_t *block; /* its vertices, sorted (owned; ties: the first block igraph lists) */
};
enum err graph_blocks(const struct ugraph *g, struct graph_blocks *b)
    __attribute__((warn_unused_result));
void graph_blocks_free(struct graph_blocks *b);

/* Coreness (k-core index) of each vertex into core[n]. */
enum err graph_coreness(const struct ugraph *g, uint32_t *core) __attribute__((warn_unused_result));

/*
 * Betweenness (unnormalized, undirected: each unordered pair once) into
 * out[n]. With sources (ns > 0) only paths from those vertices are counted
 * and the result is scaled by n/ns: an estimate for large graphs.
 */
enum err graph_betweenness(const struct ugraph *g, const uint32_t *sources, uint32_t ns,
                           double *out) __attribute__((warn_unused_result));

enum graph_attr_type { GA_STRING, GA_NUMBER, GA_BOOL };
struct graph_attr {
	const char *name;
	enum graph_attr_type type;
	const char *const *s; /* GA_STRING: n strings (NULL -> "") */
	const double *d;      /* GA_NUMBER */
	const bool *b;        /* GA_BOOL */
};
/* GraphML of g with vertex attributes (n values each) and edge attributes (m values, edge order of
 * g). */
enum err graph_write_graphml(const struct ugraph *g, FILE *f, const struct graph_attr *va,
                             size_t va_n, const struct graph_attr *ea, size_t ea_n)
    __attribute__((warn_unused_result));

#endif
