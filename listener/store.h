/*
 * store — the listener's rows on their way to PostgreSQL and the journal.
 *
 * Rows (rows.h JSON objects) are appended to a batch; every second, or when
 * STORE_BATCH_ROWS are queued, the batch is written to the journal (one
 * ListenRows record, fsync'd) and sent to the database as one asynchronous
 * `SELECT inbound_ingest(run, batch)` on a non-blocking libpq connection
 * watched by the loop; the loop never waits for the server. A failed batch
 * is merged back and sent again after a reconnect with backoff;
 * (listen_run_id, seq) keys make the retry add nothing twice. At most
 * STORE_QUEUE_MAX rows are held in memory: beyond, rows are counted as
 * dropped (the journal still has them: --replay recovers them).
 *
 * store_open and store_close block (start-up, shut-down). Single-threaded.
 */
#ifndef TZ_LISTENER_STORE_H
#define TZ_LISTENER_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <ev.h>
#include <jansson.h>

#include "core/err.h"

#define STORE_BATCH_ROWS 2000
#define STORE_QUEUE_MAX 200000

struct store_run {
	uint8_t uuid[16];
	int64_t started_us;
	const char *vantage;
	const char *listen_point;
	const char *peer_id;
	const char *tool_version;
	const char *config_json;
};

struct store_stats {
	uint64_t rows_queued, rows_stored, rows_dropped, batches, failures;
};

struct store;

/*
 * Opens the journal (journal may be NULL) and the database (use_db false:
 * none; conninfo NULL = PG* environment), applies migrations unless
 * no_migrate, inserts the run (listen_runs) and starts the watchers.
 * ERR_DB / ERR_IO with a message.
 */
enum err store_open(struct store **out, struct ev_loop *loop, bool use_db, const char *conninfo,
		    bool no_migrate, const char *journal, const struct store_run *run,
		    char *err, size_t err_cap) __attribute__((warn_unused_result));

/* Appends one row of kind "sessions", "dialbacks" or "adverts" (steals obj). */
void store_row(struct store *s, const char *kind, json_t *obj);

/* The run's id in listen_runs (-1 without a database). */
int64_t store_run_id(const struct store *s);

const struct store_stats *store_stats(const struct store *s);

/*
 * Sends everything left (blocking, at most timeout_s), marks the run
 * finished, writes ListenEnd to the journal and closes both. ERR_DB when
 * rows could not be stored (they are in the journal). Stats stay readable
 * until store_free. NULL or a second call is fine.
 */
enum err store_close(struct store *s, double timeout_s, char *err, size_t err_cap);
void store_free(struct store *s);

/*
 * --replay: loads every run of a listener journal into the database
 * (idempotent). Prints nothing; *runs and *rows (may be NULL) get counts.
 */
enum err store_replay(const char *journal, const char *conninfo, bool no_migrate, uint64_t *runs,
		      uint64_t *rows, char *err, size_t err_cap) __attribute__((warn_unused_result));

#endif
