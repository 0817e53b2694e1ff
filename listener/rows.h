/*
 * rows — the listener's records as JSON objects, in the one shape the
 * database function inbound_ingest() (schema/migrations/008_inbound.sql)
 * takes: a batch {"sessions": [...], "dialbacks": [...], "adverts": [...]}
 * whose objects carry the column names. The store sends batches, the journal
 * keeps the same batches, a replay sends them again.
 *
 * Every function returns a new reference (NULL on ENOMEM); the records are
 * only read.
 */
#ifndef TZ_LISTENER_ROWS_H
#define TZ_LISTENER_ROWS_H

#include <jansson.h>

#include "listener/listen.h"

json_t *rows_session(const struct lsn_session_rec *r);
json_t *rows_dialback(const struct lsn_dialback_rec *r);
json_t *rows_adv(const struct lsn_adv_rec *r);

/* {"sessions": [], "dialbacks": [], "adverts": []} */
json_t *rows_batch_new(void);
/* Rows in a batch. */
size_t rows_batch_n(const json_t *batch);
/* Appends every row of from to to (references shared). */
void rows_batch_merge(json_t *to, const json_t *from);

/* Time as the database reads it: ISO 8601 UTC with microseconds. */
json_t *rows_time(int64_t us);

#endif
