/*
 * prune — the retention policy: removes the visits and advertisements of
 * crawls older than a number of days (tzcensus-crawl --prune-days N).
 *
 * What stays: crawl rows, their crawl_summary figures (copied into
 * crawl_totals first, schema/migrations/009_ops_site.sql), analyses and
 * node_metrics, and the points and peers tables (shared by every crawl and
 * vantage; a running crawl of another vantage may be referring to any point).
 * One transaction per crawl, so an interrupted prune leaves every crawl
 * either whole or pruned. Not re-entrant on one connection.
 */
#ifndef TZ_DB_PRUNE_H
#define TZ_DB_PRUNE_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"

#define DB_PRUNE_DAYS_MAX 36500

struct db_prune_result {
	size_t crawls;   /* crawls pruned by this call */
	uint64_t visits; /* rows removed */
	uint64_t advertisements;
};

/*
 * Prunes every crawl that started more than days days (1..DB_PRUNE_DAYS_MAX)
 * before the database's now() and still has visits or advertisements.
 * Fills *res (also on failure: what was done before it). Returns ERR_OK,
 * ERR_INVAL for days out of range, ERR_DB with the server's message in err.
 */
enum err db_prune(PGconn *c, unsigned days, struct db_prune_result *res, char *err, size_t err_cap)
    __attribute__((warn_unused_result));

#endif
