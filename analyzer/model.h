/*
 * model — the crawl as a graph of nodes (docs/analyzer.md, "The graph").
 *
 * A vertex is a node: its peer id when a handshake revealed one (several
 * points with one peer id are one vertex), else its point text. Vertices are
 * numbered in strcmp order of their id, so every output sorted by vertex
 * index is sorted by a stable key. Each point has the class lib/db/census.h
 * defines (the strongest class among its visits); a vertex has the
 * strongest class of its points, so a vertex is public when one of its
 * points is, and the public vertices are the nodes. Edge u-v: u advertised (or listed in a Nack) a point of v;
 * undirected, simple, no self-loops; each keeps its sources, best derived
 * rank, the number of distinct rounds it was seen in, and a strong flag
 * (ranked in every Advertise round of its advertiser).
 *
 * Octez's sampler (spec errata 1): with more than 50 known points a node's
 * list holds 20 random picks first and the 30 best-ranked points last, in
 * reverse; with 50 or fewer every point is listed best first. So the raw
 * position means nothing without the list length: model_adv_rank() derives
 * the rank from both. A list of exactly 50 is read as sampled (the usual
 * case on mainnet, where nodes know 300-400 points).
 *
 * The model borrows metadata strings from the struct acrawl it was built
 * from: keep the acrawl alive as long as the model. model_free() idempotent.
 */
#ifndef TZ_ANALYZER_MODEL_H
#define TZ_ANALYZER_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/crawl.h"
#include "analyzer/ugraph.h"
#include "core/err.h"
#include "db/census.h"

#define ADV_BEST   30 /* ranked points per list */
#define ADV_SAMPLE 50 /* list size of a sampled list */

/* A vertex's class is a point class (db/census.h): the same names. */
enum vclass {
	VC_UNDIALED = PC_UNDIALED,
	VC_UNREACHABLE = PC_UNREACHABLE,
	VC_UNVERIFIED = PC_UNVERIFIED,
	VC_FOREIGN = PC_FOREIGN,
	VC_PUBLIC = PC_PUBLIC,
};
const char *vclass_str(enum vclass c);

enum { SRC_ADVERTISE = 1u << ADV_ADVERTISE, SRC_NACK = 1u << ADV_NACK };

struct mvertex {
	char *id;     /* owned */
	bool is_peer; /* id is a peer id */
	enum vclass cls;
	uint32_t first_point, points_n; /* its points: model.vpoints[first .. first+n) */
	/* Metadata of its best visit (latest with a connection message). */
	const char *chain_name; /* borrowed, NULL when absent */
	int ddb_version, p2p_version, pow_bits, private_node, disable_mempool;
	int64_t head_level;
};

struct medge {
	uint32_t u, v;   /* u < v (so id(u) < id(v)) */
	uint8_t sources; /* SRC_ADVERTISE | SRC_NACK */
	int best_rank;   /* lowest derived rank, -1 when never ranked */
	int rounds_seen; /* distinct lists (source, round) it appeared in */
	bool strong;
};

struct outcome_count {
	const char *name; /* borrowed */
	size_t n;
};

struct model {
	struct mvertex *v;
	uint32_t n;
	struct medge *e;
	size_t m;
	const char **points; /* sorted unique point texts (borrowed) */
	uint32_t points_n;
	uint32_t *point_vertex;         /* vertex of each point */
	uint32_t *vpoints;              /* point indices grouped by vertex, sorted */
	uint8_t *point_cls;             /* enum point_class of each point */
	size_t class_points[POINT_CLASS_N]; /* points per class */
	size_t class_vertices[POINT_CLASS_N]; /* vertices per class: [PC_PUBLIC] = nodes */
	size_t points_dialed;           /* points whose class is not undialed */
	struct outcome_count *outcomes; /* sorted by name */
	size_t outcomes_n;
	size_t visits_n;
};

/* Derived rank of a list entry: 0 = best; -1 for the random part. */
int model_adv_rank(int pos, int list_len);

enum err model_build(struct model *mo, const struct acrawl *c) __attribute__((warn_unused_result));

/* Vertex of a point text, or UINT32_MAX. */
uint32_t model_vertex_of_point(const struct model *mo, const char *point);
/* Vertex with this id, or UINT32_MAX. */
uint32_t model_vertex_of_id(const struct model *mo, const char *id);

/* The whole simple graph S (n vertices, the model's edges). */
enum err model_graph(const struct model *mo, struct ugraph *g) __attribute__((warn_unused_result));

void model_free(struct model *mo);

#endif
