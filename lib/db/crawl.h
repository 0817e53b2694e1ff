/*
 * crawl — the crawls row: begin and end of a crawl (blocking; call before
 * and after the event loop, not inside it).
 */
#ifndef TZ_DB_CRAWL_H
#define TZ_DB_CRAWL_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"
#include "db/record.h"

/*
 * Inserts the crawl (status running) and returns its id. Crawls of the same
 * vantage (NULL matches NULL) still marked running — left by a crash — are
 * marked aborted first; *aborted_n (may be NULL) gets how many. If a crawl
 * with this uuid exists already, its id is returned and nothing changes.
 * config_json/seeds_json must be valid JSON (ERR_DB otherwise).
 */
enum err db_crawl_begin(PGconn *c, const struct crawl_rec *r, int64_t *crawl_id, int *aborted_n,
			char *err, size_t err_cap) __attribute__((warn_unused_result));

/*
 * Like db_crawl_begin but touches no other crawl (journal replay): finds the
 * crawl by uuid or inserts it as running. *created (may be NULL) says which.
 */
enum err db_crawl_ensure(PGconn *c, const struct crawl_rec *r, int64_t *crawl_id, int *created,
			 char *err, size_t err_cap) __attribute__((warn_unused_result));

/* Sets finished_at, status and the counts. ERR_DB, or ERR_INVAL for an unknown id. */
enum err db_crawl_end(PGconn *c, int64_t crawl_id, const struct crawl_end_rec *e, char *err,
		      size_t err_cap) __attribute__((warn_unused_result));

/* Marks the crawl aborted if it is still running (a journal without CrawlEnd). */
enum err db_crawl_abort_if_running(PGconn *c, int64_t crawl_id, char *err, size_t err_cap)
	__attribute__((warn_unused_result));

#endif
