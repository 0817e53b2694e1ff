/*
 * crawl — the crawls row: begin and end of a crawl (blocking; call before
 * and after the event loop, not inside it).
 */
#ifndef TZ_DB_CRAWL_H
#define TZ_DB_CRAWL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"
#include "db/record.h"

/*
 * One live crawl per vantage. db_crawl_begin() first takes the vantage's
 * lock: a session-level PostgreSQL advisory lock (key: DB_CRAWL_LOCK_CLASS
 * and 32 bits of md5(vantage)) that the server releases when the session
 * ends, i.e. when the crawler's process is gone. The caller keeps c open
 * for the crawl's life. With the lock held, a crawl of the same vantage
 * still marked running has no live process left, so marking it aborted is
 * true. A session may take its own lock again (it counts).
 */
#define DB_CRAWL_LOCK_CLASS 1954178934 /* "tzcv"; the two-int key space */

/*
 * Takes the vantage's lock on c (held until c is closed; taking it again in
 * the same session succeeds). ERR_STATE with err ("db: another crawl of
 * vantage X is running ...") when another session holds it, ERR_DB.
 */
enum err db_crawl_lock(PGconn *c, const char *vantage, char *err, size_t err_cap)
	__attribute__((warn_unused_result));

/*
 * Takes the vantage's lock (db_crawl_lock), then inserts the crawl (status running) and
 * returns its id. Crawls of the same vantage (NULL matches NULL) still
 * marked running — left by a crash — are marked aborted first; *aborted_n
 * (may be NULL) gets how many. If a crawl with this uuid exists already, its
 * id is returned and nothing changes. ERR_STATE (err says so) when another
 * session holds the vantage's lock: a crawl of this vantage is running, and
 * nothing was changed. config_json/seeds_json must be valid JSON (ERR_DB
 * otherwise).
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

/*
 * Marks the crawl aborted if it is still running (a journal without
 * CrawlEnd) and no live session holds its vantage's lock; *left (may be
 * NULL) is set when it was left running for that reason (the next crawl of
 * the vantage will mark it, once no crawler of it runs).
 */
enum err db_crawl_abort_if_running(PGconn *c, int64_t crawl_id, bool *left, char *err,
				   size_t err_cap)
	__attribute__((warn_unused_result));

#endif
