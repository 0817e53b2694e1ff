/*
 * Sinks: every record goes to the journal first (written at every loop
 * iteration, fsync'd at least once a second, at batch boundaries and at the
 * end), then to the asynchronous COPY writer on the crawl's loop. The
 * database part is optional at run time: when PostgreSQL cannot be reached
 * at start and a journal is configured, the crawl goes on and `--replay`
 * loads the journal later. One crawler per vantage: the vantage's lock
 * (db/crawl.h) is held on lock_db until sink_close.
 */
#include "crawler/sink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "crawler/config.h"
#include "db/conn.h"
#include "db/crawl.h"
#include "db/migrate.h"
#include "db/writer.h"
#include "db/writer_ev.h"
#include "journal/journal.h"

#define SINK_JOURNAL_SYNC_S 1.0 /* the journal is fsync'd at least this often */

struct sink {
	struct ev_loop *loop;
	bool db_missing; /* the database could not be reached at start */
	const struct crawl_config *cfg;
	struct journal_writer *jw;
	bool journal_failed;
	bool journal_watching; /* jflush and jsync are started */
	ev_prepare jflush;     /* write() at every loop iteration */
	ev_timer jsync;        /* fsync() at least once a second */
	PGconn *lock_db; /* holds the vantage's lock for the crawl's life (db/crawl.h) */
	struct db_writer *dw;
	struct db_writer_ev *dev;
	int64_t crawl_id;
	uint64_t db_refused; /* rows the writer refused (over its hard cap): in the journal only */
	double busy_since;   /* loop time the writer's queue became full; < 0 when not full */
	bool journal_only;   /* the database stalled too long: the crawl goes on into the journal */
};

static PGconn *open_db(const struct crawl_config *cfg, char *err, size_t err_cap)
{
	PGconn *db = db_connect(cfg->db, err, err_cap);
	if (!db)
		return NULL;
	if (!cfg->no_migrate) {
		int applied = 0;
		if (db_migrate(db, &applied, err, err_cap) != ERR_OK) {
			db_close(db);
			return NULL;
		}
		if (applied)
			log_info("database: %d migrations applied", applied);
	}
	return db;
}

static void journal_failed(struct sink *s);

/*
 * The journal's loss bound. Records reach the kernel before the loop blocks
 * (this prepare watcher has the lowest priority, so it runs after the
 * crawl's, which may record visits): a SIGKILL loses nothing the loop
 * finished an iteration with. The timer fsyncs what is unsynced once a
 * second: a power cut loses at most the last second (plus one fsync).
 */
static void jflush_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop;
	(void)revents;
	struct sink *s = w->data;
	if (journal_flush(s->jw) != ERR_OK)
		journal_failed(s);
}

static void jsync_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct sink *s = w->data;
	if (journal_unsynced(s->jw) && journal_sync(s->jw) != ERR_OK)
		journal_failed(s);
}

static void journal_watch(struct sink *s)
{
	ev_prepare_init(&s->jflush, jflush_cb);
	s->jflush.data = s;
	ev_set_priority(&s->jflush, EV_MINPRI);
	ev_prepare_start(s->loop, &s->jflush);
	ev_unref(s->loop); /* neither watcher keeps the loop alive */
	ev_timer_init(&s->jsync, jsync_cb, SINK_JOURNAL_SYNC_S, SINK_JOURNAL_SYNC_S);
	s->jsync.data = s;
	ev_timer_start(s->loop, &s->jsync);
	ev_unref(s->loop);
	s->journal_watching = true;
}

static void journal_unwatch(struct sink *s)
{
	if (!s->journal_watching)
		return;
	ev_ref(s->loop);
	ev_prepare_stop(s->loop, &s->jflush);
	ev_ref(s->loop);
	ev_timer_stop(s->loop, &s->jsync);
	s->journal_watching = false;
}

/* The writer lost the database or has it back: say so, with what waits. */
static void on_db_link(void *arg, const struct db_writer_link *l)
{
	struct sink *s = arg;
	if (l->up)
		log_warn("database: back after %.1f s; %zu rows queued are being stored",
			 (double)l->down_ms / 1000.0, l->queued_rows);
	else
		log_warn("database: lost (%s); %zu rows queued, retrying with backoff%s%s",
			 l->error, l->queued_rows, s->jw ? "; every row is in the journal " : "",
			 s->jw ? s->cfg->journal : "");
}

struct sink *sink_open(struct ev_loop *loop, const struct crawl_config *cfg,
		       const struct crawl_rec *start, int64_t *crawl_id, enum err *why,
		       char *err, size_t err_cap)
{
	enum err dummy;
	if (!why)
		why = &dummy;
	*why = ERR_IO;
	struct sink *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, err_cap, "out of memory");
		return NULL;
	}
	s->loop = loop;
	s->cfg = cfg;
	s->crawl_id = -1;
	s->busy_since = -1;
	*crawl_id = -1;
	/* The vantage's lock first: a crawler refused there (another crawler of
	 * this vantage runs) must not touch anything, the journal file included
	 * (it may be the running crawler's: opening it cuts a torn tail). */
	char dberr[512] = "";
	PGconn *db = open_db(cfg, dberr, sizeof dberr);
	if (db) {
		enum err le = db_crawl_lock(db, cfg->vantage, dberr, sizeof dberr);
		if (le == ERR_STATE) {
			db_close(db);
			snprintf(err, err_cap, "%s", dberr);
			*why = ERR_STATE;
			goto fail;
		}
		if (le != ERR_OK) {
			db_close(db);
			db = NULL;
		}
	}
	if (cfg->journal) {
		struct journal_open_info info;
		s->jw = journal_open(cfg->journal, 0, &info, err, err_cap);
		if (!s->jw) {
			db_close(db);
			goto fail;
		}
		if (info.cut_len)
			log_warn("journal %s: cut a torn last record of %llu bytes", cfg->journal,
				 (unsigned long long)info.cut_len);
	}
	int aborted = 0;
	if (db && db_crawl_begin(db, start, &s->crawl_id, &aborted, dberr, sizeof dberr) != ERR_OK) {
		db_close(db);
		db = NULL;
	}
	if (s->jw && journal_crawl_start(s->jw, start) != ERR_OK) {
		db_close(db);
		snprintf(err, err_cap, "journal: %s", journal_error(s->jw));
		goto fail;
	}
	if (s->jw)
		journal_watch(s);
	if (!db) {
		if (!s->jw) {
			snprintf(err, err_cap, "%s (and no --journal to keep the results)", dberr);
			*why = ERR_DB;
			goto fail;
		}
		log_warn("%s: crawling into the journal only (load it later with --replay %s)",
			 dberr, cfg->journal);
		s->db_missing = true;
		return s;
	}
	if (aborted)
		log_warn("database: %d crawl(s) of vantage %s left running by a crash marked aborted",
			 aborted, cfg->vantage);
	s->lock_db = db;
	/* Shown in pg_stat_activity: the session an operator must not kill. */
	char ignore[128];
	if (db_exec(db, "SET application_name = 'tzcensus-crawl vantage lock'", ignore,
		    sizeof ignore) != ERR_OK)
		log_debug("database: %s", ignore);
	struct db_writer_opts o = {.conninfo = cfg->db,
				   .crawl_id = s->crawl_id,
				   .max_bytes = (size_t)cfg->db_queue_mb << 20,
				   .on_link = on_db_link,
				   .link_arg = s};
	s->dw = db_writer_new(&o);
	s->dev = s->dw ? db_writer_ev_new(loop, s->dw) : NULL;
	if (!s->dev) {
		snprintf(err, err_cap, "out of memory");
		goto fail;
	}
	*crawl_id = s->crawl_id;
	return s;
fail:
	sink_close(s);
	return NULL;
}

size_t sink_seed_from_db(struct sink *s, void (*offer)(void *ctx, const struct point *pt),
			 void *ctx)
{
	if (s->crawl_id < 0) {
		log_warn("seed_from_db: no database");
		return 0;
	}
	char err[512];
	PGconn *db = db_connect(s->cfg->db, err, sizeof err);
	if (!db) {
		log_warn("seed_from_db: %s", err);
		return 0;
	}
	char limit[32];
	snprintf(limit, sizeof limit, "%lld", s->cfg->seed_from_db_crawls);
	const char *params[2] = {s->cfg->vantage, limit};
	PGresult *r = PQexecParams(
		db,
		"SELECT DISTINCT p.point FROM visits v JOIN points p ON p.id = v.point_id "
		"WHERE v.outcome = 'ok' AND v.crawl_id IN (SELECT id FROM crawls "
		"WHERE status = 'finished' AND vantage = $1 ORDER BY started_at DESC LIMIT $2)",
		2, NULL, params, NULL, NULL, 0);
	size_t n = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_warn("seed_from_db: %s", PQresultErrorMessage(r));
	} else {
		for (int i = 0; i < PQntuples(r); i++) {
			const char *text = PQgetvalue(r, i, 0);
			struct point pt;
			if (point_parse(text, strlen(text), &pt, NULL) != ERR_OK)
				continue;
			offer(ctx, &pt);
			n++;
		}
		log_info("seed_from_db: %zu points from the last %lld crawls of vantage %s", n,
			 s->cfg->seed_from_db_crawls, s->cfg->vantage);
	}
	PQclear(r);
	db_close(db);
	return n;
}

static void journal_failed(struct sink *s)
{
	if (!s->journal_failed) {
		s->journal_failed = true;
		log_error("journal: %s (records stay buffered and are retried)", journal_error(s->jw));
	}
}

static void db_refused(struct sink *s, enum err e)
{
	if (s->db_refused++ == 0 && !s->journal_only)
		log_error("database writer refused a row (%s): it is %s", err_str(e),
			  s->jw ? "in the journal only" : "lost");
}

static void out_visit(void *ctx, const struct visit_rec *v, const struct hs_peer *peer)
{
	(void)peer;
	sink_visit(ctx, v);
}

static void out_edge(void *ctx, const struct adv_rec *a)
{
	sink_adv(ctx, a);
}

static void out_rpc(void *ctx, const struct rpc_rec *r)
{
	sink_rpc(ctx, r);
}

struct visit_out sink_out(struct sink *s)
{
	struct visit_out o = {out_visit, out_edge, out_rpc, s};
	return o;
}

void sink_visit(struct sink *s, const struct visit_rec *v)
{
	if (s->jw && journal_visit(s->jw, v) != ERR_OK)
		journal_failed(s);
	if (s->dw) {
		enum err e = db_writer_visit(s->dw, v);
		if (e != ERR_OK)
			db_refused(s, e);
	}
}

void sink_adv(struct sink *s, const struct adv_rec *a)
{
	if (s->jw && journal_adv(s->jw, a) != ERR_OK)
		journal_failed(s);
	if (s->dw) {
		enum err e = db_writer_adv(s->dw, a);
		if (e != ERR_OK)
			db_refused(s, e);
	}
}

void sink_rpc(struct sink *s, const struct rpc_rec *r)
{
	if (s->jw && journal_rpc(s->jw, r) != ERR_OK)
		journal_failed(s);
	if (s->dw) {
		enum err e = db_writer_rpc(s->dw, r);
		if (e != ERR_OK)
			db_refused(s, e);
	}
}

/*
 * Backpressure: while the writer's queue is full, no new dials. If it stays
 * full for db_flush_timeout (the database is away) and a journal keeps every
 * row, the crawl goes on: rows the writer cannot queue stay in the journal
 * for --replay, and the crawl ends with a non-zero status saying so. Without
 * a journal it waits: nothing may be lost.
 */
bool sink_busy(struct sink *s)
{
	if (!s->dw || s->journal_only)
		return false;
	if (!db_writer_full(s->dw)) {
		s->busy_since = -1;
		return false;
	}
	double now = ev_now(s->loop);
	if (s->busy_since < 0)
		s->busy_since = now;
	if (s->jw && now - s->busy_since > s->cfg->db_flush_timeout) {
		s->journal_only = true;
		log_warn("database: no progress for %.0f s (%s): crawling on into the journal %s",
			 s->cfg->db_flush_timeout, db_writer_last_error(s->dw), s->cfg->journal);
		return false;
	}
	return true;
}

bool sink_flushed(const struct sink *s)
{
	return !s->dw || db_writer_idle(s->dw);
}

size_t sink_pending(const struct sink *s)
{
	if (!s->dw)
		return 0;
	struct db_writer_stats st;
	db_writer_get_stats(s->dw, &st);
	return st.queued_rows;
}

size_t sink_queue_peak_bytes(const struct sink *s)
{
	if (!s->dw)
		return 0;
	struct db_writer_stats st;
	db_writer_get_stats(s->dw, &st);
	return st.queued_bytes_peak;
}

enum err sink_finish(struct sink *s, const struct crawl_end_rec *end, char *err, size_t err_cap)
{
	enum err status = ERR_OK;
	journal_unwatch(s);
	if (s->jw && journal_crawl_end(s->jw, end) != ERR_OK) {
		snprintf(err, err_cap, "journal: %s", journal_error(s->jw));
		status = ERR_IO;
	}
	if (s->db_missing) {
		snprintf(err, err_cap,
			 "database: unreachable at start; every result is in the journal: "
			 "load it with --replay %s",
			 s->cfg->journal);
		return ERR_DB;
	}
	if (!s->dw)
		return status;
	db_writer_ev_free(s->dev);
	s->dev = NULL;
	int ms = (int)(s->cfg->db_flush_timeout * 1000);
	if (db_writer_drain(s->dw, ms) != ERR_OK) {
		struct db_writer_stats st;
		db_writer_get_stats(s->dw, &st);
		snprintf(err, err_cap,
			 "database: %zu rows not stored after %.0f s (%s)%s%s", st.queued_rows,
			 s->cfg->db_flush_timeout, db_writer_last_error(s->dw),
			 s->jw ? "; load them with --replay " : "", s->jw ? s->cfg->journal : "");
		return ERR_DB;
	}
	if (s->db_refused) {
		snprintf(err, err_cap, "database: %llu rows refused by the writer%s%s",
			 (unsigned long long)s->db_refused,
			 s->jw ? "; load them with --replay " : "", s->jw ? s->cfg->journal : "");
		status = ERR_DB;
	}
	char dberr[512];
	PGconn *db = db_connect(s->cfg->db, dberr, sizeof dberr);
	if (!db || db_crawl_end(db, s->crawl_id, end, dberr, sizeof dberr) != ERR_OK) {
		snprintf(err, err_cap, "database: cannot end crawl %lld: %s", (long long)s->crawl_id,
			 dberr);
		status = ERR_DB;
	}
	db_close(db);
	return status;
}

void sink_emergency(struct sink *s)
{
	if (s && s->jw && journal_sync(s->jw) != ERR_OK)
		log_error("journal: %s", journal_error(s->jw));
}

void sink_close(struct sink *s)
{
	if (!s)
		return;
	journal_unwatch(s);
	db_writer_ev_free(s->dev);
	db_writer_free(s->dw);
	db_close(s->lock_db); /* releases the vantage's lock */
	if (s->jw && journal_close(s->jw) != ERR_OK)
		log_error("journal: %s", journal_error(s->jw));
	free(s);
}
