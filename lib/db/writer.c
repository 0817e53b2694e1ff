/*
 * writer — non-blocking libpq state machine over a FIFO of batches.
 *
 * Two nested states: the connection (down -> connecting -> ready) and, when
 * ready, the command in flight (flush its bytes, put COPY data, drain its
 * results). A batch is one transaction:
 *   "BEGIN; COPY tz_stage_visits FROM STDIN" + data   (if it has visits)
 *   "[BEGIN;] COPY tz_stage_advs FROM STDIN" + data    (if it has advs)
 *   "[BEGIN;] COPY tz_stage_rpc FROM STDIN" + data     (if it has RPC answers)
 *   "<5 upserts>; COMMIT"
 * and leaves the queue only when the COMMIT's result came back and
 * PQgetResult() returned NULL. Any failure drops the connection: the server
 * rolls the transaction back, and the batch is sent again after a backoff.
 * Dropping is simpler than recovering a half-done COPY and costs nothing
 * that matters in the rare error path.
 */
#include "db/writer.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "core/clock.h"
#include "db/batch.h"

#define PUT_CHUNK (256u << 10)

struct wbatch {
	struct db_batch b;
	struct wbatch *next;
};

enum conn_state { C_DOWN, C_CONNECTING, C_READY };
enum phase { PH_IDLE, PH_SETUP, PH_COPY_V, PH_COPY_A, PH_COPY_R, PH_UPSERT };
enum io { IO_NONE, IO_FLUSH, IO_RESULTS, IO_PUT };

struct db_writer {
	struct db_writer_opts o;
	char *conninfo;
	char *upsert_sql; /* the upserts and COMMIT, for this crawl */

	PGconn *conn;
	enum conn_state cs;
	PostgresPollingStatusType poll;
	int64_t retry_at;
	unsigned backoff_ms;
	int64_t progress_at;

	struct wbatch *head, *tail, *open; /* open: the batch accepting rows, or NULL */
	size_t queued_rows, queued_bytes, queued_bytes_peak;

	enum phase ph;
	enum io io;
	const struct buf *put_buf;
	size_t put_off;
	int result_idx;
	bool result_failed;
	uint64_t batch_inserted;

	bool link_down;     /* an outage was reported and is not over */
	int64_t down_at;

	struct db_writer_stats st;
	char last_error[512];
};

int64_t db_now_ms(void)
{
	return (int64_t)(clock_mono_s() * 1000.0);
}

struct db_writer *db_writer_new(const struct db_writer_opts *o)
{
	struct db_writer *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->o = *o;
	if (!w->o.batch_rows)
		w->o.batch_rows = 2000;
	if (!w->o.max_bytes)
		w->o.max_bytes = 32u << 20;
	if (!w->o.backoff_min_ms)
		w->o.backoff_min_ms = 100;
	if (!w->o.backoff_max_ms)
		w->o.backoff_max_ms = 30000;
	if (w->o.backoff_max_ms < w->o.backoff_min_ms)
		w->o.backoff_max_ms = w->o.backoff_min_ms;
	if (!w->o.stall_ms)
		w->o.stall_ms = 60000;
	w->backoff_ms = w->o.backoff_min_ms;
	w->conninfo = strdup(o->conninfo ? o->conninfo : "");
	size_t cap = DB_UPSERT_N * DB_UPSERT_SQL_MAX + 16;
	w->upsert_sql = malloc(cap);
	if (!w->conninfo || !w->upsert_sql)
		goto fail;
	size_t len = 0;
	for (int i = 0; i < DB_UPSERT_N; i++) {
		if (db_upsert_sql((enum db_upsert_stmt)i, w->o.crawl_id, w->upsert_sql + len,
				  cap - len) != ERR_OK)
			goto fail;
		len += strlen(w->upsert_sql + len);
		w->upsert_sql[len++] = ';';
	}
	snprintf(w->upsert_sql + len, cap - len, "COMMIT");
	w->o.conninfo = w->conninfo;
	return w;
fail:
	free(w->conninfo);
	free(w->upsert_sql);
	free(w);
	return NULL;
}

void db_writer_free(struct db_writer *w)
{
	if (!w)
		return;
	if (w->conn)
		PQfinish(w->conn);
	for (struct wbatch *b = w->head, *n; b; b = n) {
		n = b->next;
		db_batch_cleanup(&b->b);
		free(b);
	}
	free(w->conninfo);
	free(w->upsert_sql);
	free(w);
}

/* ---- queue ---------------------------------------------------------------- */

static struct wbatch *open_batch(struct db_writer *w)
{
	if (w->open && db_batch_rows(&w->open->b) < w->o.batch_rows)
		return w->open;
	struct wbatch *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	db_batch_init(&b->b);
	if (w->tail)
		w->tail->next = b;
	else
		w->head = b;
	w->tail = b;
	w->open = b;
	return b;
}

static enum err submit(struct db_writer *w, const struct visit_rec *v, const struct adv_rec *a,
		       const struct rpc_rec *rp)
{
	if (!w)
		return ERR_INVAL;
	if ((v && visit_rec_check(v) != ERR_OK) || (a && adv_rec_check(a) != ERR_OK) ||
	    (rp && rpc_rec_check(rp) != ERR_OK))
		return ERR_INVAL;
	if (w->queued_bytes >= 2 * w->o.max_bytes)
		return ERR_FULL;
	struct wbatch *b = open_batch(w);
	if (!b)
		return ERR_NOMEM;
	size_t before = db_batch_bytes(&b->b);
	enum err e = v ? db_batch_add_visit(&b->b, v)
		       : a ? db_batch_add_adv(&b->b, a) : db_batch_add_rpc(&b->b, rp);
	if (e != ERR_OK)
		return e;
	w->queued_bytes += db_batch_bytes(&b->b) - before;
	if (w->queued_bytes > w->queued_bytes_peak)
		w->queued_bytes_peak = w->queued_bytes;
	w->queued_rows++;
	w->st.rows_queued++;
	return ERR_OK;
}

enum err db_writer_visit(struct db_writer *w, const struct visit_rec *v)
{
	return submit(w, v, NULL, NULL);
}

enum err db_writer_adv(struct db_writer *w, const struct adv_rec *a)
{
	return submit(w, NULL, a, NULL);
}

enum err db_writer_rpc(struct db_writer *w, const struct rpc_rec *r)
{
	return submit(w, NULL, NULL, r);
}

bool db_writer_full(const struct db_writer *w)
{
	return w->queued_bytes >= w->o.max_bytes;
}

bool db_writer_idle(const struct db_writer *w)
{
	return w->queued_rows == 0;
}

/* Reports the start or the end of an outage (once each). */
static void link_event(struct db_writer *w, bool up, int64_t now)
{
	if (w->link_down != up)
		return;
	w->link_down = !up;
	struct db_writer_link l = {.up = up,
				   .queued_rows = w->queued_rows,
				   .error = w->last_error,
				   .down_ms = up ? now - w->down_at : 0};
	if (!up) {
		w->down_at = now;
		w->st.outages++;
	}
	if (w->o.on_link)
		w->o.on_link(w->o.link_arg, &l);
}

/* The head batch is stored: drop it. */
static void head_done(struct db_writer *w, int64_t now)
{
	struct wbatch *b = w->head;
	size_t rows = db_batch_rows(&b->b);
	w->queued_rows -= rows;
	w->queued_bytes -= db_batch_bytes(&b->b);
	w->st.rows_stored += rows;
	w->st.rows_inserted += w->batch_inserted;
	w->st.batches_stored++;
	w->head = b->next;
	if (!w->head)
		w->tail = NULL;
	if (w->open == b)
		w->open = NULL;
	db_batch_cleanup(&b->b);
	free(b);
	w->backoff_ms = w->o.backoff_min_ms; /* a stored batch proves the path works */
	link_event(w, true, now);
}

/* ---- connection ------------------------------------------------------------- */

static void set_error(struct db_writer *w, const char *what, const char *msg)
{
	snprintf(w->last_error, sizeof w->last_error, "db: %s: %s", what,
		 (msg && *msg) ? msg : "unknown error");
	for (char *p = w->last_error; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	size_t n = strlen(w->last_error);
	while (n && w->last_error[n - 1] == ' ')
		w->last_error[--n] = '\0';
}

/* Drops the connection and schedules a reconnect; the head batch stays queued. */
static void fail(struct db_writer *w, const char *what, int64_t now)
{
	if (!w->result_failed || !w->last_error[0])
		set_error(w, what, w->conn ? PQerrorMessage(w->conn) : "no connection");
	if (w->conn)
		PQfinish(w->conn);
	w->conn = NULL;
	w->cs = C_DOWN;
	w->ph = PH_IDLE;
	w->io = IO_NONE;
	w->result_failed = false;
	w->st.failures++;
	w->retry_at = now + w->backoff_ms;
	w->backoff_ms = w->backoff_ms > w->o.backoff_max_ms / 2 ? w->o.backoff_max_ms
								: w->backoff_ms * 2;
	link_event(w, false, now);
}

static void start_connect(struct db_writer *w, int64_t now)
{
	const char *kw[] = {"dbname", "client_encoding", "fallback_application_name", NULL};
	const char *val[] = {w->conninfo, "UTF8", "tzcensus", NULL};
	w->conn = PQconnectStartParams(kw, val, 1);
	w->progress_at = now;
	if (!w->conn || PQstatus(w->conn) == CONNECTION_BAD ||
	    PQsetnonblocking(w->conn, 1) != 0) {
		fail(w, "connect", now);
		return;
	}
	w->cs = C_CONNECTING;
	w->poll = PGRES_POLLING_WRITING;
}

static bool start_cmd(struct db_writer *w, const char *sql, int64_t now)
{
	if (PQsendQuery(w->conn, sql) != 1) {
		fail(w, "send", now);
		return false;
	}
	w->io = IO_FLUSH;
	w->result_idx = 0;
	w->result_failed = false;
	w->progress_at = now;
	return true;
}

/*
 * Starts the COPY after phase `after` that has rows (visits, advs, RPC
 * answers, in that order; the first one opens the transaction), or the
 * upserts when none is left. Returns true if a command was started.
 */
static bool next_copy(struct db_writer *w, enum phase after, int64_t now)
{
	static const struct {
		enum phase ph;
		const char *sql; /* after "BEGIN; " when first */
	} copies[] = {
		{PH_COPY_V, "COPY tz_stage_visits FROM STDIN"},
		{PH_COPY_A, "COPY tz_stage_advs FROM STDIN"},
		{PH_COPY_R, "COPY tz_stage_rpc FROM STDIN"},
	};
	const struct db_batch *b = &w->head->b;
	const struct buf *bufs[] = {&b->visits, &b->advs, &b->rpcs};
	const size_t rows[] = {b->visits_n, b->advs_n, b->rpcs_n};
	for (size_t i = 0; i < sizeof copies / sizeof copies[0]; i++) {
		if (copies[i].ph <= after || rows[i] == 0)
			continue;
		char sql[64];
		snprintf(sql, sizeof sql, "%s%s", after == PH_IDLE ? "BEGIN; " : "", copies[i].sql);
		w->ph = copies[i].ph;
		w->put_buf = bufs[i];
		return start_cmd(w, sql, now);
	}
	w->ph = PH_UPSERT;
	return start_cmd(w, w->upsert_sql, now);
}

/* Starts the head batch if idle. Returns true if a command was started. */
static bool start_batch(struct db_writer *w, int64_t now)
{
	struct wbatch *b = w->head;
	if (!b || db_batch_rows(&b->b) == 0)
		return false;
	if (w->open == b)
		w->open = NULL; /* sealed: new rows go to a new batch */
	w->batch_inserted = 0;
	return next_copy(w, PH_IDLE, now);
}

/* The command in flight returned its last result. */
static void cmd_done(struct db_writer *w, int64_t now)
{
	w->io = IO_NONE;
	switch (w->ph) {
	case PH_SETUP:
		w->ph = PH_IDLE;
		w->st.connects++;
		if (w->queued_rows == 0)
			link_event(w, true, now); /* nothing to store proves it otherwise */
		break;
	case PH_COPY_V:
	case PH_COPY_A:
	case PH_COPY_R:
		next_copy(w, w->ph, now);
		break;
	case PH_UPSERT:
		w->ph = PH_IDLE;
		head_done(w, now);
		break;
	case PH_IDLE:
		break;
	}
}

static void on_result(struct db_writer *w, PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		if (!w->result_failed)
			set_error(w, "batch", PQresultErrorMessage(r));
		w->result_failed = true;
		return;
	}
	/* Upsert results: points, peers, visits, advs, RPC answers, COMMIT. */
	if (w->ph == PH_UPSERT && (w->result_idx == DB_UPSERT_VISITS ||
				   w->result_idx == DB_UPSERT_ADVS || w->result_idx == DB_UPSERT_RPCS))
		w->batch_inserted += strtoull(PQcmdTuples(r), NULL, 10);
}

/* One bounded round of work. Returns true if it made progress (call again). */
static bool pump(struct db_writer *w, unsigned *ready, int64_t now)
{
	unsigned rd = *ready;
	*ready = 0; /* readiness is used once */
	switch (w->cs) {
	case C_DOWN:
		if (now < w->retry_at)
			return false;
		start_connect(w, now);
		return w->cs == C_CONNECTING;
	case C_CONNECTING: {
		unsigned want = w->poll == PGRES_POLLING_READING ? DB_WANT_READ : DB_WANT_WRITE;
		if (!(rd & want))
			return false;
		w->poll = PQconnectPoll(w->conn);
		w->progress_at = now;
		if (w->poll == PGRES_POLLING_FAILED) {
			fail(w, "connect", now);
			return false;
		}
		if (w->poll != PGRES_POLLING_OK)
			return false;
		w->cs = C_READY;
		w->ph = PH_SETUP;
		start_cmd(w, db_stage_setup_sql, now);
		return true;
	}
	case C_READY:
		break;
	}
	switch (w->io) {
	case IO_NONE:
		if (rd & DB_WANT_READ) {
			/* Idle socket readable: a notice, or the server went away. */
			if (!PQconsumeInput(w->conn)) {
				fail(w, "connection lost", now);
				return false;
			}
		}
		if (w->ph == PH_IDLE)
			return start_batch(w, now);
		return false;
	case IO_FLUSH: {
		if ((rd & DB_WANT_READ) && !PQconsumeInput(w->conn)) {
			fail(w, "flush", now);
			return false;
		}
		int r = PQflush(w->conn);
		if (r < 0) {
			fail(w, "flush", now);
			return false;
		}
		if (r > 0)
			return false; /* wait for the socket */
		w->io = IO_RESULTS;
		w->progress_at = now;
		return true;
	}
	case IO_PUT: {
		if ((rd & DB_WANT_READ) && !PQconsumeInput(w->conn)) {
			fail(w, "copy", now);
			return false;
		}
		while (w->put_off < w->put_buf->len) {
			size_t n = w->put_buf->len - w->put_off;
			if (n > PUT_CHUNK)
				n = PUT_CHUNK;
			int r = PQputCopyData(w->conn, (const char *)w->put_buf->p + w->put_off, (int)n);
			if (r < 0) {
				fail(w, "copy", now);
				return false;
			}
			if (r == 0)
				return false; /* buffers full: wait until writable */
			w->put_off += n;
			w->progress_at = now;
		}
		int r = PQputCopyEnd(w->conn, NULL);
		if (r < 0) {
			fail(w, "copy end", now);
			return false;
		}
		if (r == 0)
			return false;
		w->io = IO_FLUSH;
		return true;
	}
	case IO_RESULTS:
		if (!PQconsumeInput(w->conn)) {
			fail(w, "result", now);
			return false;
		}
		while (!PQisBusy(w->conn)) {
			PGresult *r = PQgetResult(w->conn);
			w->progress_at = now;
			if (!r) {
				if (w->result_failed) {
					fail(w, "batch", now);
					return false;
				}
				cmd_done(w, now);
				return w->cs == C_READY;
			}
			if (PQresultStatus(r) == PGRES_COPY_IN) {
				PQclear(r);
				w->io = IO_PUT;
				w->put_off = 0;
				return true;
			}
			on_result(w, r);
			PQclear(r);
			w->result_idx++;
		}
		if (PQstatus(w->conn) == CONNECTION_BAD) {
			fail(w, "result", now);
			return false;
		}
		return false; /* more results to come: wait for the socket */
	}
	return false;
}

void db_writer_step(struct db_writer *w, unsigned ready, int64_t now_ms)
{
	if (!w)
		return;
	if ((w->cs == C_CONNECTING || (w->cs == C_READY && w->io != IO_NONE)) &&
	    now_ms - w->progress_at >= (int64_t)w->o.stall_ms) {
		set_error(w, "stalled", "no progress from the server");
		w->result_failed = true; /* keep this message */
		fail(w, "stalled", now_ms);
	}
	/* Bounded: each round either progresses or stops; cap it anyway. */
	for (int i = 0; i < 64; i++)
		if (!pump(w, &ready, now_ms))
			break;
}

int db_writer_fd(const struct db_writer *w)
{
	return (w && w->conn && w->cs != C_DOWN) ? PQsocket(w->conn) : -1;
}

unsigned db_writer_wants(const struct db_writer *w)
{
	if (!w)
		return 0;
	switch (w->cs) {
	case C_DOWN:
		return 0;
	case C_CONNECTING:
		return w->poll == PGRES_POLLING_READING ? DB_WANT_READ : DB_WANT_WRITE;
	case C_READY:
		break;
	}
	switch (w->io) {
	case IO_NONE:
	case IO_RESULTS:
		return DB_WANT_READ;
	case IO_FLUSH:
	case IO_PUT:
		return DB_WANT_READ | DB_WANT_WRITE;
	}
	return DB_WANT_READ;
}

int64_t db_writer_deadline(const struct db_writer *w)
{
	if (!w)
		return -1;
	if (w->cs == C_DOWN)
		return w->retry_at;
	if (w->cs == C_CONNECTING || w->io != IO_NONE)
		return w->progress_at + w->o.stall_ms;
	return -1;
}

enum err db_writer_drain(struct db_writer *w, int timeout_ms)
{
	int64_t end = db_now_ms() + timeout_ms;
	db_writer_step(w, 0, db_now_ms());
	while (!db_writer_idle(w)) {
		int64_t now = db_now_ms();
		if (now >= end)
			return ERR_TIMEOUT;
		int64_t wait = end - now;
		int64_t dl = db_writer_deadline(w);
		if (dl >= 0 && dl - now < wait)
			wait = dl > now ? dl - now : 0;
		int fd = db_writer_fd(w);
		unsigned wants = db_writer_wants(w);
		unsigned ready = 0;
		if (fd >= 0 && wants) {
			struct pollfd p = {.fd = fd, .events = 0};
			if (wants & DB_WANT_READ)
				p.events |= POLLIN;
			if (wants & DB_WANT_WRITE)
				p.events |= POLLOUT;
			int n = poll(&p, 1, (int)wait);
			if (n > 0) {
				if (p.revents & (POLLIN | POLLHUP | POLLERR))
					ready |= DB_WANT_READ;
				if (p.revents & (POLLOUT | POLLHUP | POLLERR))
					ready |= DB_WANT_WRITE;
			} else if (n < 0 && errno != EINTR) {
				return ERR_IO;
			}
		} else if (wait > 0) {
			poll(NULL, 0, (int)wait);
		}
		db_writer_step(w, ready, db_now_ms());
	}
	return ERR_OK;
}

void db_writer_get_stats(const struct db_writer *w, struct db_writer_stats *s)
{
	*s = w->st;
	s->queued_rows = w->queued_rows;
	s->queued_bytes = w->queued_bytes;
	s->queued_bytes_peak = w->queued_bytes_peak;
	s->connected = w->cs == C_READY;
}

const char *db_writer_last_error(const struct db_writer *w)
{
	return w ? w->last_error : "";
}
