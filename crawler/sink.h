/*
 * sink — where a crawl's results go: the local journal (lib/journal,
 * durable first) and the PostgreSQL writer (lib/db/writer.h, non-blocking
 * COPY on the crawl's loop). The crawler builds each record once and hands it
 * here; both stores get the same record and sequence number, so a replay of
 * the journal into the database adds nothing twice.
 *
 * Either store may be absent (no --journal; database unreachable at start:
 * the journal then keeps everything for --replay). Owns both; single-threaded.
 */
#ifndef TZ_CRAWLER_SINK_H
#define TZ_CRAWLER_SINK_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "crawler/visit.h"
#include "db/record.h"
#include "net/point.h"

struct crawl_config;
struct sink;

/*
 * Opens the database (cfg->db or the PG* environment): applies migrations
 * unless cfg->no_migrate and takes the vantage's lock (db/crawl.h; held on a
 * connection kept open until sink_close); then the journal (cfg->journal,
 * if set); marks crawls left `running` by this vantage as aborted, inserts
 * the crawl row, and writes the journal's CrawlStart. When the
 * database cannot be reached and a journal is configured, the crawl goes on
 * with the journal only (a warning); without a journal it is an error.
 * *crawl_id gets crawls.id, or -1 without a database. On failure NULL with
 * err, and *why (may be NULL) = ERR_STATE when another crawl of this vantage
 * is running (nothing was opened or written), else ERR_IO/ERR_DB.
 */
struct sink *sink_open(struct ev_loop *loop, const struct crawl_config *cfg,
		       const struct crawl_rec *start, int64_t *crawl_id, enum err *why,
		       char *err, size_t err_cap);

/*
 * seed_from_db: offers (offer(ctx, point), the caller's seeding) every point
 * that ended in `ok` in the last cfg->seed_from_db_crawls finished crawls of
 * cfg->vantage. Blocking; call before the loop runs. Returns how many points.
 */
size_t sink_seed_from_db(struct sink *s, void (*offer)(void *ctx, const struct point *pt),
			 void *ctx);

void sink_visit(struct sink *s, const struct visit_rec *v);
void sink_adv(struct sink *s, const struct adv_rec *a);
void sink_rpc(struct sink *s, const struct rpc_rec *r);

/* The store as the crawl's output (struct crawl's out): visits and edges to sink_visit/sink_adv. */
struct visit_out sink_out(struct sink *s);

/*
 * True while the writer's queue is above its high-water mark: do not start
 * new dials. After db_flush_timeout seconds of that with a journal, false
 * again for good (the crawl goes on into the journal; see sink.c).
 */
bool sink_busy(struct sink *s);

/* True when every record handed in is stored (or there is no database). */
bool sink_flushed(const struct sink *s);

/* Rows waiting for the database, for progress lines. */
size_t sink_pending(const struct sink *s);
/* The most bytes the database queue held (bounded by db_queue_mb; 0 without a database). */
size_t sink_queue_peak_bytes(const struct sink *s);

/*
 * Ends the crawl: journal end record (fsync), and when the database has
 * every row, the crawl row's status and counts (blocking, after the loop).
 */
enum err sink_finish(struct sink *s, const struct crawl_end_rec *end, char *err, size_t err_cap)
	__attribute__((warn_unused_result));

/* Second signal: flush and fsync the journal, nothing else. */
void sink_emergency(struct sink *s);

void sink_close(struct sink *s);

#endif
