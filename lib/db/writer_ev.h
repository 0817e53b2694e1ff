/*
 * writer_ev — the thin libev glue for db/writer.h (the only file of lib/db
 * that includes <ev.h>).
 *
 * It owns an ev_io on the writer's socket (re-set when a reconnect changes
 * the fd), an ev_timer for the writer's deadline (reconnect backoff, stall
 * detection) and an ev_prepare that calls db_writer_step() just before the
 * loop blocks, so the rows submitted during one loop iteration leave in one
 * batch. The watchers keep the loop alive only while rows are queued: a
 * loop with nothing else to do returns once the writer is idle.
 * The writer stays owned by the caller; free the glue before the writer.
 */
#ifndef TZ_DB_WRITER_EV_H
#define TZ_DB_WRITER_EV_H

#include <ev.h>

#include "db/writer.h"

struct db_writer_ev;

/* Starts watching. NULL on ENOMEM. */
struct db_writer_ev *db_writer_ev_new(struct ev_loop *loop, struct db_writer *w)
	__attribute__((warn_unused_result));

/* Call after submitting rows from outside a loop callback (optional inside one). */
void db_writer_ev_kick(struct db_writer_ev *g);

/* Stops every watcher and frees the glue (not the writer). Accepts NULL. */
void db_writer_ev_free(struct db_writer_ev *g);

#endif
