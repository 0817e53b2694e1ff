/*
 * batch — rows encoded for PostgreSQL's COPY text format, and the SQL that
 * moves them from per-connection staging tables into the schema.
 *
 * Both the asynchronous writer (db/writer.h) and journal replay use this:
 * rows are appended to a batch as COPY lines at once (so the records'
 * borrowed pointers are not kept), the batch is COPYed into temporary
 * staging tables, then upserted in the same transaction: points and peers
 * get ids, visits and advertisements are inserted with ON CONFLICT (crawl_id,
 * seq) DO NOTHING (RPC answers: ON CONFLICT (crawl_id, point_id, port)),
 * which makes a retried batch or a replayed journal add nothing. Peer-supplied text is stored twice: the exact bytes (bytea) and
 * a safe text form (invalid UTF-8 and NUL replaced by U+FFFD).
 *
 * A batch owns its memory; not thread-safe; no I/O except db_batch_apply_sync.
 */
#ifndef TZ_DB_BATCH_H
#define TZ_DB_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/record.h"

struct db_batch {
	struct buf visits; /* COPY lines for tz_stage_visits */
	struct buf advs;   /* COPY lines for tz_stage_advs */
	struct buf rpcs;   /* COPY lines for tz_stage_rpc */
	size_t visits_n, advs_n, rpcs_n;
};

/* Per-connection setup: creates the temporary staging tables. */
extern const char db_stage_setup_sql[];
/* COPY commands for the three staging tables. */
extern const char db_copy_visits_sql[];
extern const char db_copy_advs_sql[];
extern const char db_copy_rpcs_sql[];

/* The upsert statements, run in this order inside the batch's transaction. */
enum db_upsert_stmt {
	DB_UPSERT_POINTS,
	DB_UPSERT_PEERS,
	DB_UPSERT_VISITS,
	DB_UPSERT_ADVS,
	DB_UPSERT_RPCS,
};
#define DB_UPSERT_N 5
/* Writes statement i for crawl_id into out (NUL-terminated). ERR_FULL if cap is too small. */
enum err db_upsert_sql(enum db_upsert_stmt i, int64_t crawl_id, char *out, size_t cap)
	__attribute__((warn_unused_result));
#define DB_UPSERT_SQL_MAX 4096

void db_batch_init(struct db_batch *b);
void db_batch_cleanup(struct db_batch *b);  /* frees; safe twice */
void db_batch_clear(struct db_batch *b);    /* empties, keeps the memory */
size_t db_batch_rows(const struct db_batch *b);
size_t db_batch_bytes(const struct db_batch *b); /* encoded bytes held */

/* Appends one row. ERR_INVAL if the record fails its check, ERR_NOMEM. */
enum err db_batch_add_visit(struct db_batch *b, const struct visit_rec *v)
	__attribute__((warn_unused_result));
enum err db_batch_add_adv(struct db_batch *b, const struct adv_rec *a)
	__attribute__((warn_unused_result));
enum err db_batch_add_rpc(struct db_batch *b, const struct rpc_rec *r)
	__attribute__((warn_unused_result));

/* Rows the last applied batch inserted (the rest were already there). */
struct db_batch_result {
	uint64_t visits_added, advs_added, rpcs_added, points_added_or_updated;
};

/*
 * Blocking: stores the batch on c (a connection from db_connect, whose
 * staging tables are created on first use) in one transaction. On success
 * the batch is left as it was (the caller clears it). ERR_DB with the
 * server's message on failure (the transaction is rolled back).
 */
enum err db_batch_apply_sync(PGconn *c, int64_t crawl_id, const struct db_batch *b,
			     struct db_batch_result *res, char *err, size_t err_cap)
	__attribute__((warn_unused_result));

/*
 * The safe text form of arbitrary bytes: valid UTF-8 is kept, every NUL and
 * every byte that does not start a valid UTF-8 sequence becomes U+FFFD, and
 * every other control character (U+0001-U+001F, U+007F-U+009F) becomes the
 * four characters \xHH (its code point in lower-case hex; ESC is "\x1b").
 * The result holds no control character and is its own safe form.
 * Appends to out. ERR_NOMEM.
 */
enum err db_text_safe(struct buf *out, const uint8_t *in, size_t len)
	__attribute__((warn_unused_result));

#endif
