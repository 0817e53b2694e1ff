/*
 * load — the analyzer's inputs, each filling a struct acrawl.
 *
 *  - load_edgelist: a plain text graph, one "A B" per line (A advertised B;
 *    '#' starts a comment; a line with one token is an isolated node). Every
 *    token becomes a public node whose id is the token. For researchers and
 *    for the cross-check tests: it runs the same pipeline on any graph.
 *  - load_journal: one crawl from a crawler journal (lib/journal), no
 *    database: the last finished crawl of the file, or the n-th (1-based).
 *  - load_db: one crawl from the storage schema (lib/db, migrations 001+).
 *  - load_previous_db / store_db: history in the analyses and node_metrics
 *    tables (schema/migrations/050_analysis.sql).
 *
 * Blocking; errors carry a message in err.
 */
#ifndef TZ_ANALYZER_LOAD_H
#define TZ_ANALYZER_LOAD_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/analyze.h"
#include "analyzer/crawl.h"
#include "analyzer/history.h"
#include "core/err.h"

#define EDGELIST_LINE_MAX 512

enum err load_edgelist(const char *path, struct acrawl *c, char *err, size_t cap)
    __attribute__((warn_unused_result));

/*
 * Loads crawl number `nth` (1-based) of a journal file, or when nth <= 0 the
 * last crawl that has a CrawlEnd (else the last one, with a warning). A torn
 * last record is reported and what precedes it is used. The crawl id is 0
 * (journals carry the uuid, not the database id).
 */
enum err load_journal(const char *path, int64_t nth, struct acrawl *c, char *err, size_t cap)
    __attribute__((warn_unused_result));

/*
 * Loads crawl `crawl_id`, or the latest finished crawl when crawl_id < 0.
 * ERR_INVAL (with a message) when there is no such crawl.
 */
enum err load_db(PGconn *db, int64_t crawl_id, struct acrawl *c, char *err, size_t cap)
    __attribute__((warn_unused_result));

/*
 * The latest analysis of an earlier comparable crawl (crawl id < c->id,
 * finished, same vantage and chain, publishable true or never gated): trend
 * input. *found false when there is none. hist/hist_n (optional): the
 * report.json of the latest analysis of each earlier comparable crawl,
 * oldest first, at most hist_max (the report's history and the gate's).
 */
enum err load_previous_db(PGconn *db, int64_t crawl_id, struct previous *prev, bool *found,
                          json_t ***hist, size_t *hist_n, size_t hist_max, char *err, size_t cap)
    __attribute__((warn_unused_result));

/*
 * The public nodes of the last `max` comparable crawls up to crawl_id (that
 * crawl included), oldest first, appended to h (analyzer/history.h).
 */
enum err load_history_db(PGconn *db, int64_t crawl_id, size_t max, struct history *h, char *err,
                         size_t cap) __attribute__((warn_unused_result));

/* Stores one analysis (analyses row + node_metrics rows) in one transaction. */
enum err store_db(PGconn *db, const struct analysis *an, const json_t *manifest, char *err,
                  size_t cap) __attribute__((warn_unused_result));

/*
 * Records the publication gate's verdict on the crawl (crawls.publishable,
 * publication_note, publication_checked_at), so an unpublishable crawl is
 * marked for everyone who reads the database.
 */
enum err store_gate_db(PGconn *db, int64_t crawl_id, bool publishable, const char *note,
                       char *err, size_t cap) __attribute__((warn_unused_result));

#endif
