/*
 * locfig — the "where the nodes are" figures of one analysis: concentration
 * of public nodes by AS, country and provider, the AS-level graph of R_core
 * and the attack curve that removes whole ASes.
 *
 * analyze.c calls locfig_lookup() once the model is built (when the options
 * carry a location database) and the locfig_*_json() builders when it
 * writes report.json; the database writer reads locfig_as_name() and
 * locfig_provider() per node. A node is located by its first point whose
 * address parses (the same point concentration.by_prefix uses); a node the
 * database has no network for is "unknown", counted, never dropped.
 * docs/analyzer.md ("Where the nodes are") defines every figure. The state
 * lives in struct analysis (analyze.h) and is freed by locfig_free().
 */
#ifndef TZ_ANALYZER_LOCFIG_H
#define TZ_ANALYZER_LOCFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct analysis;

#define LOCFIG_TOP 10 /* entries of each top list */

/* Looks every vertex up (an->opts.loc must be set). ERR_NOMEM. */
enum err locfig_lookup(struct analysis *an) __attribute__((warn_unused_result));
void locfig_free(struct analysis *an);

/* report.json's `location` (vendor, created, coverage, ...). */
json_t *locfig_meta_json(const struct analysis *an, bool *ok);
/* concentration.by_asn, .by_country, .by_provider. */
json_t *locfig_by_asn_json(const struct analysis *an, bool *ok);
json_t *locfig_by_country_json(const struct analysis *an, bool *ok);
json_t *locfig_by_provider_json(const struct analysis *an, bool *ok);
/* graph.as_level. */
json_t *locfig_as_level_json(const struct analysis *an, bool *ok);
/* graph.core.attack_curves.by_asn. */
json_t *locfig_attack_json(const struct analysis *an, bool *ok);

/* The name of asn in the database ("" when it has none or asn is 0). Borrowed. */
const char *locfig_as_name(const struct analysis *an, uint32_t asn);
/* Provider of model vertex v: a table name, "other", or NULL when v is unlocated. */
const char *locfig_provider(const struct analysis *an, uint32_t v);

#endif
