/*
 * writer — the asynchronous PostgreSQL writer the crawler drives from its
 * event loop. No call here blocks except db_writer_drain().
 *
 * The writer owns one libpq connection (non-blocking) and a FIFO of batches
 * (db/batch.h). Rows are encoded at once (records are borrowed only during
 * the call) and queued; when no batch is in flight the oldest is sent: COPY
 * into staging, upsert, COMMIT, each command flushed until PQflush() returns
 * 0 and its results drained until PQgetResult() returns NULL. Only then does
 * the batch count as stored and leave the queue. On any failure the
 * connection is dropped and re-opened with exponential backoff, and the same
 * batch is sent again; (crawl_id, seq) keys make the retry add nothing
 * twice. No row is ever dropped.
 *
 * Memory is bounded: db_writer_full() turns true when the queued bytes reach
 * max_bytes, and the crawler must then stop producing (stop dialing) until it
 * is false again; a submit above twice max_bytes is refused with ERR_FULL
 * (the row stays in the journal: a replay recovers it).
 *
 * Event-loop contract (lib/db does not include <ev.h>; the libev glue is
 * db/writer_ev.h): after any call, watch db_writer_fd() for
 * db_writer_wants() (DB_WANT_READ/DB_WANT_WRITE; the fd may change after a
 * reconnect, and is -1 while disconnected) and call db_writer_step() when it
 * is ready, when db_writer_deadline() passes, and after submitting rows
 * (e.g. from an ev_prepare watcher, so one loop iteration's rows go in one
 * batch). Single-threaded.
 */
#ifndef TZ_DB_WRITER_H
#define TZ_DB_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/record.h"

#define DB_WANT_READ 1u
#define DB_WANT_WRITE 2u

/*
 * A change of the writer's link to the database, for the operator's log:
 * up = false the first time an attempt fails after the link was good (or
 * the very first connect fails); up = true when a batch is stored again (or
 * the writer reconnected with nothing queued). One event per outage, not
 * one per retry. error is the failure's text (borrowed, valid during the
 * call); down_ms how long the outage lasted (up events).
 */
struct db_writer_link {
	bool up;
	size_t queued_rows; /* rows waiting in the queue at that moment */
	const char *error;  /* db_writer_last_error() */
	int64_t down_ms;    /* up: length of the outage */
};
typedef void db_writer_link_fn(void *arg, const struct db_writer_link *l);

struct db_writer_opts {
	const char *conninfo;    /* libpq string or URL; NULL or "" = PG* variables */
	int64_t crawl_id;        /* from db_crawl_begin() */
	size_t batch_rows;       /* rows per batch; 0 = 2000 */
	size_t max_bytes;        /* queued COPY bytes where full() turns true; 0 = 32 MiB */
	unsigned backoff_min_ms; /* first reconnect delay; 0 = 100 */
	unsigned backoff_max_ms; /* cap of the doubling delay; 0 = 30000 */
	unsigned stall_ms;       /* a batch or connect with no progress for this long is
				    abandoned and retried; 0 = 60000 */
	db_writer_link_fn *on_link; /* may be NULL; called from db_writer_step() */
	void *link_arg;
};

struct db_writer_stats {
	uint64_t rows_queued;     /* accepted by submit */
	uint64_t rows_stored;     /* in committed batches */
	uint64_t rows_inserted;   /* of those, new rows (the rest were there: retries) */
	uint64_t batches_stored;
	uint64_t failures;        /* failed attempts (each followed by a reconnect) */
	uint64_t connects;        /* successful connections */
	uint64_t outages;         /* link-down events (see struct db_writer_link) */
	size_t queued_rows, queued_bytes;
	size_t queued_bytes_peak; /* the most queued_bytes ever held */
	bool connected;
};

struct db_writer;

/* Creates the writer; it connects on the first db_writer_step(). NULL on ENOMEM. */
struct db_writer *db_writer_new(const struct db_writer_opts *o) __attribute__((warn_unused_result));

/* Frees; unstored rows are lost from memory (they are in the journal). Accepts NULL. */
void db_writer_free(struct db_writer *w);

/*
 * Queue one row. ERR_INVAL if the record fails its check, ERR_FULL above
 * twice max_bytes (honour db_writer_full() and this never happens).
 */
enum err db_writer_visit(struct db_writer *w, const struct visit_rec *v)
	__attribute__((warn_unused_result));
enum err db_writer_adv(struct db_writer *w, const struct adv_rec *a)
	__attribute__((warn_unused_result));
enum err db_writer_rpc(struct db_writer *w, const struct rpc_rec *r)
	__attribute__((warn_unused_result));

/* True while the queue holds max_bytes or more: stop producing rows. */
bool db_writer_full(const struct db_writer *w);
/* True when every queued row is stored. */
bool db_writer_idle(const struct db_writer *w);

/*
 * Does all the work possible now without blocking. ready = the DB_WANT_*
 * conditions the socket was found ready for (0 from a timer or after a
 * submit). now_ms = a monotonic clock in milliseconds. Never fails: errors
 * become reconnects (see db_writer_last_error()).
 */
void db_writer_step(struct db_writer *w, unsigned ready, int64_t now_ms);

int db_writer_fd(const struct db_writer *w);          /* -1 when no socket */
unsigned db_writer_wants(const struct db_writer *w);  /* DB_WANT_* to watch for */
/* Absolute time (same clock as now_ms) to call db_writer_step() without I/O; -1 none. */
int64_t db_writer_deadline(const struct db_writer *w);

/* Blocks (poll) until idle or timeout_ms passes: ERR_OK or ERR_TIMEOUT. For the end of a crawl. */
enum err db_writer_drain(struct db_writer *w, int timeout_ms) __attribute__((warn_unused_result));

void db_writer_get_stats(const struct db_writer *w, struct db_writer_stats *s);
/* Text of the last failure ("" if none yet), e.g. "db: copy: server closed the connection". */
const char *db_writer_last_error(const struct db_writer *w);

/* A monotonic clock in milliseconds, for now_ms. */
int64_t db_now_ms(void);

#endif
