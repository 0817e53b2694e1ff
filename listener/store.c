/*
 * The listener's storage: batches of JSON rows -> journal (protobuf-c
 * ListenRecord, schema/tzcensus.proto) and PostgreSQL (inbound_ingest).
 *
 * Why one function call per batch rather than COPY as the crawler does: the
 * listener produces a few rows per inbound session (tens per minute on
 * mainnet), the batch is the unit the journal keeps too, and a replay sends
 * the very same text; the database does the fan-out into three tables.
 */
#include "listener/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/conn.h"
#include "db/migrate.h"
#include "listener/rows.h"
#include "tzcensus.pb-c.h"

#define FLUSH_S 1.0
#define BACKOFF_MIN_S 0.5
#define BACKOFF_MAX_S 30.0
#define JOURNAL_REC_MAX (64u << 20)

struct store {
	struct ev_loop *loop;
	bool use_db;
	char *conninfo;
	PGconn *pc;
	int64_t run_id;
	int jfd;
	json_t *batch;    /* rows not yet sent */
	json_t *jbatch;   /* rows not yet in the journal (references shared with batch) */
	json_t *inflight; /* the batch the server is working on */
	bool busy, closed, connecting;
	double backoff, retry_at;
	ev_io io;
	ev_timer tick;
	struct store_stats st;
	char err[256];
};

/* ---- journal ----------------------------------------------------------------- */

static enum err jwrite(int fd, const Tzcensus__ListenRecord *r)
{
	size_t n = tzcensus__listen_record__get_packed_size(r);
	if (n > JOURNAL_REC_MAX)
		return ERR_TOOBIG;
	uint8_t *buf = malloc(n + 10);
	if (!buf)
		return ERR_NOMEM;
	size_t h = 0;
	for (size_t v = n;; v >>= 7) {
		buf[h++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
		if (v < 0x80)
			break;
	}
	tzcensus__listen_record__pack(r, buf + h);
	size_t off = 0, total = h + n;
	while (off < total) {
		ssize_t w = write(fd, buf + off, total - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			free(buf);
			return ERR_IO;
		}
		off += (size_t)w;
	}
	free(buf);
	return fsync(fd) == 0 ? ERR_OK : ERR_IO;
}

static void journal_rows(struct store *s, const char *text)
{
	if (s->jfd < 0)
		return;
	Tzcensus__ListenRows rows = TZCENSUS__LISTEN_ROWS__INIT;
	rows.batch_json = (char *)text;
	Tzcensus__ListenRecord r = TZCENSUS__LISTEN_RECORD__INIT;
	r.kind_case = TZCENSUS__LISTEN_RECORD__KIND_ROWS;
	r.rows = &rows;
	if (jwrite(s->jfd, &r) != ERR_OK)
		log_error("journal: cannot append a batch: %s", strerror(errno));
}

/* Appends the rows not yet journaled as one ListenRows record. */
static void journal_flush(struct store *s)
{
	if (s->jfd < 0 || rows_batch_n(s->jbatch) == 0)
		return;
	char *text = json_dumps(s->jbatch, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_t *fresh = rows_batch_new();
	if (!text || !fresh) {
		free(text);
		json_decref(fresh);
		return;
	}
	journal_rows(s, text);
	free(text);
	json_decref(s->jbatch);
	s->jbatch = fresh;
}

/* ---- database ---------------------------------------------------------------- */

static const char *INGEST = "SELECT inbound_ingest($1::bigint, $2::jsonb)";

static void io_cb(struct ev_loop *loop, ev_io *w, int revents);

static void watch(struct store *s, int events)
{
	ev_io_stop(s->loop, &s->io);
	if (!s->pc || events == 0)
		return;
	ev_io_set(&s->io, PQsocket(s->pc), events);
	ev_io_start(s->loop, &s->io);
}

static void fail(struct store *s, const char *what)
{
	s->st.failures++;
	log_warn("db: %s: %s (retrying in %.1f s)", what, s->pc ? PQerrorMessage(s->pc) : "",
		 s->backoff);
	if (s->inflight) {
		rows_batch_merge(s->batch, s->inflight);
		json_decref(s->inflight);
		s->inflight = NULL;
	}
	s->busy = false;
	watch(s, 0);
	db_close(s->pc);
	s->pc = NULL;
	s->retry_at = ev_now(s->loop) + s->backoff;
	s->backoff = s->backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : s->backoff * 2;
}

static void send_batch(struct store *s);

/* One step of a non-blocking reconnect (PQconnectPoll); sends once connected. */
static void poll_connect(struct store *s)
{
	switch (PQconnectPoll(s->pc)) {
	case PGRES_POLLING_READING: watch(s, EV_READ); return;
	case PGRES_POLLING_WRITING: watch(s, EV_WRITE); return;
	case PGRES_POLLING_OK:
		s->connecting = false;
		watch(s, 0);
		if (PQsetnonblocking(s->pc, 1) != 0) {
			fail(s, "connect");
			return;
		}
		log_info("db: connected again");
		send_batch(s);
		return;
	default: s->connecting = false; fail(s, "connect"); return;
	}
}

/*
 * Reconnects without blocking the loop. Times and text are sent in forms
 * that need no session setting (UTC "Z" times, ASCII JSON), so the settings
 * db_connect makes are not needed here; connect_timeout bounds a dead host.
 */
static void start_connect(struct store *s)
{
	static const char *const kw[] = {"dbname", "connect_timeout", NULL};
	const char *val[] = {s->conninfo ? s->conninfo : "", "10", NULL};
	s->pc = PQconnectStartParams(kw, val, 1);
	if (!s->pc || PQstatus(s->pc) == CONNECTION_BAD) {
		fail(s, "connect");
		return;
	}
	s->connecting = true;
	poll_connect(s);
}

static void send_batch(struct store *s)
{
	journal_flush(s);
	if (s->busy || s->connecting || rows_batch_n(s->batch) == 0)
		return;
	if (!s->use_db) {
		s->st.rows_stored += rows_batch_n(s->batch);
		json_t *fresh = rows_batch_new();
		if (fresh) {
			json_decref(s->batch);
			s->batch = fresh;
		}
		return;
	}
	if (!s->pc) {
		if (ev_now(s->loop) >= s->retry_at)
			start_connect(s);
		return;
	}
	char *text = json_dumps(s->batch, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (!text)
		return;
	s->inflight = s->batch;
	s->batch = rows_batch_new();
	if (!s->batch) { /* out of memory: keep what we have */
		s->batch = s->inflight;
		s->inflight = NULL;
		free(text);
		return;
	}
	char run[32];
	snprintf(run, sizeof run, "%lld", (long long)s->run_id);
	const char *params[2] = {run, text};
	int ok = PQsendQueryParams(s->pc, INGEST, 2, NULL, params, NULL, NULL, 0);
	free(text);
	if (!ok) {
		fail(s, "send");
		return;
	}
	s->busy = true;
	int f = PQflush(s->pc);
	if (f < 0) {
		fail(s, "send");
		return;
	}
	watch(s, EV_READ | (f == 1 ? EV_WRITE : 0));
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	struct store *s = w->data;
	if (s->connecting) {
		poll_connect(s);
		return;
	}
	if (revents & EV_WRITE) {
		int f = PQflush(s->pc);
		if (f < 0) {
			fail(s, "send");
			return;
		}
		watch(s, EV_READ | (f == 1 ? EV_WRITE : 0));
	}
	if (!(revents & EV_READ))
		return;
	if (!PQconsumeInput(s->pc)) {
		fail(s, "receive");
		return;
	}
	bool bad = false;
	while (!PQisBusy(s->pc)) {
		PGresult *r = PQgetResult(s->pc);
		if (!r) {
			if (bad) {
				fail(s, "inbound_ingest");
				return;
			}
			s->st.rows_stored += rows_batch_n(s->inflight);
			s->st.batches++;
			json_decref(s->inflight);
			s->inflight = NULL;
			s->busy = false;
			s->backoff = BACKOFF_MIN_S;
			watch(s, 0);
			if (rows_batch_n(s->batch) >= STORE_BATCH_ROWS)
				send_batch(s);
			return;
		}
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			bad = true;
			log_warn("db: inbound_ingest: %s", PQresultErrorMessage(r));
		}
		PQclear(r);
	}
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	send_batch(w->data);
}

void store_row(struct store *s, const char *kind, json_t *obj)
{
	if (!obj)
		return;
	size_t held = rows_batch_n(s->batch) + (s->inflight ? rows_batch_n(s->inflight) : 0);
	if (held >= STORE_QUEUE_MAX) {
		s->st.rows_dropped++;
		json_decref(obj);
		return;
	}
	if (s->jfd >= 0)
		json_array_append(json_object_get(s->jbatch, kind), obj);
	json_array_append_new(json_object_get(s->batch, kind), obj);
	s->st.rows_queued++;
	if (rows_batch_n(s->batch) >= STORE_BATCH_ROWS)
		send_batch(s);
}

/* ---- runs ------------------------------------------------------------------- */

static void uuid_text(const uint8_t u[16], char out[37])
{
	static const char hx[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hx[u[i] >> 4];
		out[o++] = hx[u[i] & 15];
	}
	out[o] = '\0';
}

/* Finds the run by uuid or inserts it (blocking). */
static enum err run_ensure(PGconn *pc, const struct store_run *r, int64_t *id, char *err,
			   size_t err_cap)
{
	char u[37], t[40];
	uuid_text(r->uuid, u);
	json_t *tj = rows_time(r->started_us);
	snprintf(t, sizeof t, "%s", json_string_value(tj));
	json_decref(tj);
	const char *p[7] = {u, t, r->vantage, r->listen_point, r->peer_id, r->tool_version,
			    r->config_json};
	PGresult *res = PQexecParams(
	    pc,
	    "WITH ins AS (INSERT INTO listen_runs (uuid, started_at, vantage, listen_point, "
	    "peer_id, tool_version, config) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) "
	    "ON CONFLICT (uuid) DO NOTHING RETURNING id) "
	    "SELECT id FROM ins UNION ALL SELECT id FROM listen_runs WHERE uuid = $1",
	    7, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) < 1) {
		snprintf(err, err_cap, "db: listen_runs: %s", PQresultErrorMessage(res));
		PQclear(res);
		return ERR_DB;
	}
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return ERR_OK;
}

static enum err run_finish(PGconn *pc, int64_t id, int64_t us, char *err, size_t err_cap)
{
	char ids[32], t[40];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	json_t *tj = rows_time(us);
	snprintf(t, sizeof t, "%s", json_string_value(tj));
	json_decref(tj);
	const char *p[2] = {ids, t};
	PGresult *res = PQexecParams(pc, "UPDATE listen_runs SET finished_at = $2 WHERE id = $1",
				     2, NULL, p, NULL, NULL, 0);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		snprintf(err, err_cap, "db: listen_runs: %s", PQresultErrorMessage(res));
	PQclear(res);
	return ok ? ERR_OK : ERR_DB;
}

static enum err ingest_sync(PGconn *pc, int64_t id, const char *text, char *err, size_t err_cap)
{
	char ids[32];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *p[2] = {ids, text};
	PGresult *res = PQexecParams(pc, INGEST, 2, NULL, p, NULL, NULL, 0);
	bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(err, err_cap, "db: inbound_ingest: %s", PQresultErrorMessage(res));
	PQclear(res);
	return ok ? ERR_OK : ERR_DB;
}

static PGconn *open_db(const char *conninfo, bool no_migrate, char *err, size_t err_cap)
{
	PGconn *pc = db_connect(conninfo, err, err_cap);
	if (!pc)
		return NULL;
	if (!no_migrate && db_migrate(pc, NULL, err, err_cap) != ERR_OK) {
		db_close(pc);
		return NULL;
	}
	return pc;
}

enum err store_open(struct store **out, struct ev_loop *loop, bool use_db, const char *conninfo,
		    bool no_migrate, const char *journal, const struct store_run *run, char *err,
		    size_t err_cap)
{
	*out = NULL;
	struct store *s = calloc(1, sizeof *s);
	if (!s)
		return ERR_NOMEM;
	s->loop = loop;
	s->use_db = use_db;
	s->jfd = -1;
	s->run_id = -1;
	s->backoff = BACKOFF_MIN_S;
	s->conninfo = conninfo ? strdup(conninfo) : NULL;
	s->batch = rows_batch_new();
	s->jbatch = rows_batch_new();
	enum err e = ERR_NOMEM;
	if (!s->batch || !s->jbatch || (conninfo && !s->conninfo)) {
		snprintf(err, err_cap, "out of memory");
		goto fail;
	}
	if (journal) {
		s->jfd = open(journal, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (s->jfd < 0) {
			snprintf(err, err_cap, "journal: open %s: %s", journal, strerror(errno));
			e = ERR_IO;
			goto fail;
		}
		Tzcensus__ListenStart st = TZCENSUS__LISTEN_START__INIT;
		st.uuid.data = (uint8_t *)run->uuid;
		st.uuid.len = 16;
		st.started_at_us = run->started_us;
		st.vantage = (char *)run->vantage;
		st.listen_point = (char *)run->listen_point;
		st.peer_id = (char *)run->peer_id;
		st.tool_version = (char *)run->tool_version;
		st.config_json = (char *)run->config_json;
		Tzcensus__ListenRecord r = TZCENSUS__LISTEN_RECORD__INIT;
		r.kind_case = TZCENSUS__LISTEN_RECORD__KIND_START;
		r.start = &st;
		if (jwrite(s->jfd, &r) != ERR_OK) {
			snprintf(err, err_cap, "journal: %s: %s", journal, strerror(errno));
			e = ERR_IO;
			goto fail;
		}
	}
	if (use_db) {
		s->pc = open_db(conninfo, no_migrate, err, err_cap);
		if (!s->pc) {
			e = ERR_DB;
			goto fail;
		}
		e = run_ensure(s->pc, run, &s->run_id, err, err_cap);
		if (e != ERR_OK)
			goto fail;
		if (PQsetnonblocking(s->pc, 1) != 0) {
			snprintf(err, err_cap, "db: cannot make the connection non-blocking");
			e = ERR_DB;
			goto fail;
		}
	}
	ev_init(&s->io, io_cb);
	s->io.data = s;
	ev_timer_init(&s->tick, tick_cb, FLUSH_S, FLUSH_S);
	s->tick.data = s;
	ev_timer_start(loop, &s->tick);
	ev_unref(loop); /* the flush timer alone does not keep the loop running */
	*out = s;
	return ERR_OK;
fail:
	if (s->jfd >= 0)
		close(s->jfd);
	db_close(s->pc);
	json_decref(s->batch);
	json_decref(s->jbatch);
	free(s->conninfo);
	free(s);
	return e;
}

int64_t store_run_id(const struct store *s)
{
	return s->run_id;
}

const struct store_stats *store_stats(const struct store *s)
{
	return &s->st;
}

/*
 * At close, after a failed statement: was it the connection (the server
 * terminated it while the loop was idle) rather than the statement? Then it
 * is closed, and the caller connects again while the deadline allows.
 */
static bool lost_link(struct store *s, double until)
{
	if (PQstatus(s->pc) == CONNECTION_OK || ev_time() >= until)
		return false;
	db_close(s->pc);
	s->pc = NULL;
	return true;
}

enum err store_close(struct store *s, double timeout_s, char *err, size_t err_cap)
{
	if (!s || s->closed)
		return ERR_OK;
	s->closed = true;
	enum err e = ERR_OK;
	ev_ref(s->loop);
	ev_timer_stop(s->loop, &s->tick);
	watch(s, 0);
	journal_flush(s);
	int64_t now_us = clock_wall_us();
	if (s->connecting) { /* a reconnect under way: start over, blocking */
		db_close(s->pc);
		s->pc = NULL;
		s->connecting = false;
	}
	if (s->use_db) {
		/* the batch in flight: wait for its result, blocking */
		if (s->pc && s->busy) {
			PQsetnonblocking(s->pc, 0);
			bool bad = PQflush(s->pc) != 0;
			PGresult *r;
			while ((r = PQgetResult(s->pc))) {
				bad |= PQresultStatus(r) != PGRES_TUPLES_OK;
				PQclear(r);
			}
			if (bad) {
				rows_batch_merge(s->batch, s->inflight);
				db_close(s->pc);
				s->pc = NULL;
			} else
				s->st.rows_stored += rows_batch_n(s->inflight);
			json_decref(s->inflight);
			s->inflight = NULL;
			s->busy = false;
		}
		double until = ev_time() + timeout_s;
		for (;;) {
			if (!s->pc) {
				s->pc = db_connect(s->conninfo, err, err_cap);
				if (!s->pc) {
					if (ev_time() >= until) {
						e = ERR_DB;
						break;
					}
					usleep(500000);
					continue;
				}
			}
			PQsetnonblocking(s->pc, 0);
			if (rows_batch_n(s->batch) > 0) {
				char *text = json_dumps(s->batch, JSON_COMPACT | JSON_ENSURE_ASCII);
				if (!text) {
					e = ERR_NOMEM;
					break;
				}
				e = ingest_sync(s->pc, s->run_id, text, err, err_cap);
				free(text);
				if (e != ERR_OK && lost_link(s, until))
					continue; /* the server dropped us since: connect again */
				if (e != ERR_OK)
					break;
				s->st.rows_stored += rows_batch_n(s->batch);
				json_decref(s->batch);
				s->batch = rows_batch_new();
			}
			e = run_finish(s->pc, s->run_id, now_us, err, err_cap);
			if (e != ERR_OK && lost_link(s, until))
				continue;
			break;
		}
	} else
		s->st.rows_stored += rows_batch_n(s->batch);
	if (s->jfd >= 0) {
		Tzcensus__ListenEnd end = TZCENSUS__LISTEN_END__INIT;
		end.finished_at_us = now_us;
		Tzcensus__ListenRecord r = TZCENSUS__LISTEN_RECORD__INIT;
		r.kind_case = TZCENSUS__LISTEN_RECORD__KIND_END;
		r.end = &end;
		if (jwrite(s->jfd, &r) != ERR_OK && e == ERR_OK) {
			snprintf(err, err_cap, "journal: cannot append the end: %s", strerror(errno));
			e = ERR_IO;
		}
		close(s->jfd);
		s->jfd = -1;
	}
	db_close(s->pc);
	s->pc = NULL;
	return e;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	if (s->jfd >= 0)
		close(s->jfd);
	db_close(s->pc);
	json_decref(s->batch);
	json_decref(s->jbatch);
	json_decref(s->inflight);
	free(s->conninfo);
	free(s);
}

/* ---- replay ----------------------------------------------------------------- */

/* Reads one varint-delimited record into *buf; ERR_AGAIN at a clean end. */
static enum err jread(FILE *f, uint8_t **buf, size_t *len)
{
	uint64_t n = 0;
	int shift = 0, c;
	for (;;) {
		c = fgetc(f);
		if (c == EOF)
			return shift == 0 ? ERR_AGAIN : ERR_PROTO;
		if (shift > 35)
			return ERR_PROTO;
		n |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
		if (!(c & 0x80))
			break;
	}
	if (n > JOURNAL_REC_MAX)
		return ERR_TOOBIG;
	uint8_t *b = malloc(n ? n : 1);
	if (!b)
		return ERR_NOMEM;
	if (fread(b, 1, n, f) != n) {
		free(b);
		return ERR_PROTO; /* a torn last record */
	}
	*buf = b;
	*len = n;
	return ERR_OK;
}

enum err store_replay(const char *journal, const char *conninfo, bool no_migrate, uint64_t *runs,
		      uint64_t *rows, char *err, size_t err_cap)
{
	uint64_t nr = 0, nrows = 0;
	FILE *f = fopen(journal, "rb");
	if (!f) {
		snprintf(err, err_cap, "journal: open %s: %s", journal, strerror(errno));
		return ERR_IO;
	}
	PGconn *pc = open_db(conninfo, no_migrate, err, err_cap);
	if (!pc) {
		fclose(f);
		return ERR_DB;
	}
	enum err e = ERR_OK;
	int64_t run = -1;
	uint64_t recno = 0;
	for (;;) {
		uint8_t *buf = NULL;
		size_t len = 0;
		enum err re = jread(f, &buf, &len);
		if (re == ERR_AGAIN)
			break;
		recno++;
		if (re != ERR_OK) {
			log_warn("journal: %s: record %llu is torn or corrupt: replay stops there",
				 journal, (unsigned long long)recno);
			break;
		}
		Tzcensus__ListenRecord *r = tzcensus__listen_record__unpack(NULL, len, buf);
		free(buf);
		if (!r) {
			snprintf(err, err_cap, "journal: %s: record %llu does not decode", journal,
				 (unsigned long long)recno);
			e = ERR_PROTO;
			break;
		}
		if (r->kind_case == TZCENSUS__LISTEN_RECORD__KIND_START && r->start->uuid.len == 16) {
			struct store_run sr = {.started_us = r->start->started_at_us,
					       .vantage = r->start->vantage,
					       .listen_point = r->start->listen_point,
					       .peer_id = r->start->peer_id,
					       .tool_version = r->start->tool_version,
					       .config_json = r->start->config_json};
			memcpy(sr.uuid, r->start->uuid.data, 16);
			e = run_ensure(pc, &sr, &run, err, err_cap);
			nr++;
		} else if (r->kind_case == TZCENSUS__LISTEN_RECORD__KIND_ROWS && run >= 0) {
			e = ingest_sync(pc, run, r->rows->batch_json, err, err_cap);
			json_t *b = json_loads(r->rows->batch_json, 0, NULL);
			if (b)
				nrows += rows_batch_n(b);
			json_decref(b);
		} else if (r->kind_case == TZCENSUS__LISTEN_RECORD__KIND_END && run >= 0) {
			e = run_finish(pc, run, r->end->finished_at_us, err, err_cap);
			run = -1;
		}
		tzcensus__listen_record__free_unpacked(r, NULL);
		if (e != ERR_OK)
			break;
	}
	fclose(f);
	db_close(pc);
	if (runs)
		*runs = nr;
	if (rows)
		*rows = nrows;
	return e;
}
