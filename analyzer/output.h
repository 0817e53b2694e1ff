/*
 * output — the files of one analysis: report.json, nodes.csv, edges.csv,
 * graph.graphml and manifest.json (SHA-256 of every other file in the
 * directory, libsodium).
 *
 * Every list is written in vertex/edge order, which is sorted id order
 * (model.h), and nothing time-dependent goes into a file, so the same crawl
 * and seed give byte-identical files. Ids are the display ids of the
 * analysis (anonymized when it was asked). Blocking file I/O.
 */
#ifndef TZ_ANALYZER_OUTPUT_H
#define TZ_ANALYZER_OUTPUT_H

#include <stddef.h>

#include "analyzer/analyze.h"
#include "core/err.h"

#define REPORT_JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(12))

/* Creates dir (and parents) if needed and writes the five files into it. */
enum err output_write_all(const struct analysis *an, const char *dir, char *err, size_t err_cap)
    __attribute__((warn_unused_result));

/*
 * manifest.json: crawl ids, analyzer version, parameters, RNG seed and the
 * size and SHA-256 of every regular file in dir (sorted by name; the report's
 * files too when it was rendered first).
 */
enum err output_write_manifest(const struct analysis *an, const char *dir, char *err,
                               size_t err_cap) __attribute__((warn_unused_result));

/* mkdir -p. */
enum err output_mkdirs(const char *dir) __attribute__((warn_unused_result));

/* SHA-256 of a file as 64 hex digits into hex[65]. */
enum err output_sha256_file(const char *path, char hex[65]) __attribute__((warn_unused_result));

/* The per-vertex class/kind names used in nodes.csv, graph.graphml and node_metrics. */
const char *output_kind(const struct mvertex *v);
/* "advertise", "nack" or "advertise+nack". */
const char *output_sources(unsigned sources);

#endif
