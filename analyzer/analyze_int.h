/*
 * analyze_int — what analyze.c (the pipeline), sections.c (report.json's
 * census sections and assembly) and sections_graph.c (its graph object)
 * share inside the analyzer. Not a contract for anything outside these three.
 */
#ifndef TZ_ANALYZER_ANALYZE_INT_H
#define TZ_ANALYZER_ANALYZE_INT_H

#include "analyzer/analyze.h"

/* A vertex and its score; ranked by cmp_scored: score down, then vertex. */
struct scored {
	double s;
	uint32_t v;
};

int cmp_scored(const void *a, const void *b);

/* Sets o[k] = v (v owned); a failure, or v NULL, clears *ok. */
static inline void put(json_t *o, const char *k, json_t *v, bool *ok)
{
	if (!v || json_object_set_new(o, k, v))
		*ok = false;
}

/* Appends v (owned) to a; a failure, or v NULL, clears *ok. */
static inline void push(json_t *a, json_t *v, bool *ok)
{
	if (!v || json_array_append_new(a, v))
		*ok = false;
}

/* sections.c */
json_t *int_hist(long long *vals, size_t n, bool *ok);
void vertex_point(const struct analysis *an, uint32_t v, char *out, size_t cap);
json_t *node_obj(const struct analysis *an, uint32_t v, bool *ok);
/* Builds an->report (owned by an, freed by analysis_free even on failure). */
enum err analysis_report(struct analysis *an, const struct previous *prev);

/* sections_graph.c */
json_t *sec_graph(const struct analysis *an, bool *ok);

#endif
