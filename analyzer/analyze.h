/*
 * analyze — one crawl in, every figure of docs/analyzer.md out.
 *
 * analysis_run() builds the model (model.h), the three graphs S (all
 * vertices), R (public vertices) and R_core (largest component of R), runs
 * the igraph metrics (graph.h), vertex connectivity (vconn.h), attack curves,
 * concentration and census figures, and builds report.json as a jansson
 * object. Outputs (output.h) and the database writer read the struct
 * analysis. Deterministic for a given crawl and seed. One owner;
 * analysis_free() is idempotent. The acrawl must outlive the analysis.
 */
#ifndef TZ_ANALYZER_ANALYZE_H
#define TZ_ANALYZER_ANALYZE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "analyzer/crawl.h"
#include "analyzer/graph.h"
#include "analyzer/location.h"
#include "analyzer/model.h"
#include "analyzer/ugraph.h"
#include "analyzer/vconn.h"
#include "core/err.h"

#define ANALYZER_VERSION      "0.1.0"
#define REPORT_SCHEMA_VERSION 1
#define ATTACK_STEPS          100 /* curves sampled at 0..100 percent removed */
#define HEAD_AHEAD_MAX        1000 /* heads this far above the median of public nodes are outliers */

/* point text -> anonymized text (the report helper's anon_point). */
typedef void anon_fn(const char *point_text, char *out, size_t cap);

struct analyze_opts {
	uint64_t seed;
	unsigned random_runs;           /* random-removal runs averaged (default 20) */
	uint32_t betweenness_exact_max; /* exact betweenness up to this many core vertices */
	uint32_t betweenness_samples;   /* sampled sources above it */
	anon_fn *anon;                  /* NULL: no anonymization */
	const struct location *loc;     /* NULL: no location figures (locfig.h); borrowed */
};
void analyze_opts_default(struct analyze_opts *o);

/* The previous crawl, for "trend". */
struct previous {
	int64_t crawl_id;
	char **public_ids; /* sorted (strcmp), owned */
	size_t public_n;
	size_t vertices;
	long long vertex_connectivity; /* -1 unknown */
	long long backbone_connectivity; /* -1 unknown (analyses from before graph.backbone) */
};
void previous_free(struct previous *p);

struct analysis {
	const struct acrawl *crawl;
	struct analyze_opts opts;
	struct model mo;
	char **disp; /* display id per vertex (anonymized when asked), owned */
	/* S */
	struct ugraph s;
	struct graph_comps s_comps;
	struct graph_blocks s_blocks;
	uint32_t *sole; /* sorted sole advertisers */
	uint32_t sole_n;
	/* R */
	struct ugraph r;
	uint32_t *r_map; /* R vertex -> model vertex */
	uint32_t *r_of;  /* model vertex -> R vertex or UINT32_MAX */
	struct graph_comps r_comps;
	struct graph_blocks r_blocks;
	uint32_t *r_core; /* coreness in R */
	/* R_core */
	struct ugraph c;
	uint32_t *c_map; /* core vertex -> model vertex */
	uint32_t *c_of;  /* model vertex -> core vertex or UINT32_MAX */
	struct vconn_result kappa, strong_kappa;
	struct vconn_result block_kappa;   /* of R's largest biconnected block */
	uint32_t *b_map;                   /* block vertex -> model vertex */
	size_t block_edges;                /* edges of that block */
	double *betw;                      /* per core vertex */
	uint32_t betw_sources;             /* 0: exact */
	double curve[3][ATTACK_STEPS + 1]; /* degree, betweenness, random */
	/* location (locfig.h), when opts.loc is set */
	struct location_hit *vloc;         /* per model vertex */
	uint32_t *as_v;                    /* distinct ASes of the vertices, sorted */
	char **as_name;                    /* their names in the database */
	size_t as_n;
	json_t *report;                    /* owned */
	double seconds[6];                 /* model, igraph, vconn, betweenness, curves, report */
	double location_s;                 /* lookups and location figures (part of the above) */
};

enum err analysis_run(struct analysis *an, const struct acrawl *c, const struct analyze_opts *o,
                      const struct previous *prev) __attribute__((warn_unused_result));
void analysis_free(struct analysis *an);

/*
 * Giant-component fraction after removing the first k% of order (k =
 * 0..ATTACK_STEPS), by one union-find pass adding vertices in reverse.
 */
enum err attack_curve(const struct ugraph *g, const uint32_t *order, double *out)
    __attribute__((warn_unused_result));
/* The same pass, whole: giant[i] = largest component with order[i..n) present (n + 1 entries). */
enum err attack_giant(const struct ugraph *g, const uint32_t *order, uint32_t *giant)
    __attribute__((warn_unused_result));

/* Concentration of counts (any order): Nakamoto (> 50%), HHI (0..10000), Gini. */
struct concentration {
	uint32_t nakamoto;
	double hhi, gini;
};
void concentration_of(const uint64_t *counts, size_t n, struct concentration *out);

/* Writes the label of one top row for key into x (e.g. "prefix": key); ctx is the caller's. */
typedef void concentration_label_fn(json_t *x, const char *key, const void *ctx, bool *ok);

/*
 * The concentration object of k string keys, one a node (analyzer/sections.c):
 * {nodes, <groups_key>: distinct keys, nakamoto, hhi, gini, top}, top being the
 * top_n most common keys (count down, then key) as {label's, nodes, share}.
 * Sorts keys in place; they stay the caller's. A failure clears *ok.
 */
json_t *concentration_json(char **keys, size_t k, const char *groups_key, size_t top_n,
                           concentration_label_fn *label, const void *ctx, bool *ok);


#endif
