/*
 * crawl — crawls rows. All parameters go through PQexecParams: vantage,
 * tool version and JSON come from configuration files, never spliced into SQL.
 */
#include "db/crawl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "db/conn.h"

static void uuid_text(const uint8_t u[16], char out[37])
{
	char h[33];
	hex_encode(h, u, 16);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

/* The vantage's advisory-lock key (crawl.h), as SQL arguments; $1 the vantage. */
#define VANTAGE_KEY(v) \
	"1954178934, ('x' || substr(md5(coalesce(" v ", '')), 1, 8))::bit(32)::int"

static PGresult *exec_params(PGconn *c, const char *sql, int n, const char *const *v)
{
	return PQexecParams(c, sql, n, NULL, v, NULL, NULL, 0);
}

static enum err insert_crawl(PGconn *c, const struct crawl_rec *r, int64_t *crawl_id,
			     int *created, char *err, size_t err_cap)
{
	char uuid[37], started[40];
	uuid_text(r->uuid, uuid);
	db_time_text(r->started_at_us, started, sizeof started);
	const char *v[6] = {uuid, started, r->vantage, r->tool_version, r->config_json,
			    r->seeds_json};
	PGresult *res = exec_params(
		c,
		"WITH ins AS (INSERT INTO crawls (uuid, started_at, vantage, tool_version, config, seeds)"
		" VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)"
		" ON CONFLICT (uuid) DO NOTHING RETURNING id)"
		" SELECT id, true FROM ins UNION ALL SELECT id, false FROM crawls WHERE uuid = $1",
		6, v);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) < 1) {
		db_errmsg(c, "crawl insert", err, err_cap);
		PQclear(res);
		return ERR_DB;
	}
	*crawl_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (created)
		*created = PQgetvalue(res, 0, 1)[0] == 't';
	PQclear(res);
	return ERR_OK;
}

enum err db_crawl_ensure(PGconn *c, const struct crawl_rec *r, int64_t *crawl_id, int *created,
			 char *err, size_t err_cap)
{
	if (!c || !r || !crawl_id)
		return ERR_INVAL;
	return insert_crawl(c, r, crawl_id, created, err, err_cap);
}

enum err db_crawl_lock(PGconn *c, const char *vantage, char *err, size_t err_cap)
{
	if (!c)
		return ERR_INVAL;
	const char *lv[1] = {vantage};
	PGresult *lk =
		exec_params(c, "SELECT pg_try_advisory_lock(" VANTAGE_KEY("$1::text") ")", 1, lv);
	if (!lk || PQresultStatus(lk) != PGRES_TUPLES_OK || PQntuples(lk) != 1) {
		db_errmsg(c, "crawl lock", err, err_cap);
		PQclear(lk);
		return ERR_DB;
	}
	bool got = PQgetvalue(lk, 0, 0)[0] == 't';
	PQclear(lk);
	if (!got) {
		snprintf(err, err_cap,
			 "db: another crawl of vantage %s is running (its crawler holds "
			 "the vantage's lock in this database): not starting a second one",
			 vantage ? vantage : "(none)");
		return ERR_STATE;
	}
	return ERR_OK;
}

enum err db_crawl_begin(PGconn *c, const struct crawl_rec *r, int64_t *crawl_id, int *aborted_n,
			char *err, size_t err_cap)
{
	if (!c || !r || !crawl_id)
		return ERR_INVAL;
	if (aborted_n)
		*aborted_n = 0;
	enum err le = db_crawl_lock(c, r->vantage, err, err_cap);
	if (le != ERR_OK)
		return le;
	if (db_exec(c, "BEGIN", err, err_cap) != ERR_OK)
		return ERR_DB;
	char uuid[37];
	uuid_text(r->uuid, uuid);
	const char *v[2] = {r->vantage, uuid};
	PGresult *res = exec_params(c,
				    "UPDATE crawls SET status = 'aborted'"
				    " WHERE status = 'running' AND vantage IS NOT DISTINCT FROM $1"
				    " AND uuid <> $2::uuid",
				    2, v);
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		db_errmsg(c, "crawl begin", err, err_cap);
		PQclear(res);
		goto fail;
	}
	if (aborted_n)
		*aborted_n = (int)strtol(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	if (insert_crawl(c, r, crawl_id, NULL, err, err_cap) != ERR_OK)
		goto fail;
	if (db_exec(c, "COMMIT", err, err_cap) != ERR_OK)
		goto fail;
	return ERR_OK;
fail:
	PQclear(PQexec(c, "ROLLBACK"));
	if (aborted_n)
		*aborted_n = 0;
	return ERR_DB;
}

enum err db_crawl_end(PGconn *c, int64_t crawl_id, const struct crawl_end_rec *e, char *err,
		      size_t err_cap)
{
	if (!c || !e || (unsigned)e->status >= CRAWL_STATUS_N)
		return ERR_INVAL;
	char id[24], fin[40], disc[24], n[VISIT_OUTCOME_N][24];
	snprintf(id, sizeof id, "%" PRId64, crawl_id);
	db_time_text(e->finished_at_us, fin, sizeof fin);
	snprintf(disc, sizeof disc, "%" PRIu64, e->points_discovered);
	const char *v[4 + VISIT_OUTCOME_N] = {id, fin, crawl_status_str(e->status), disc};
	for (int i = 0; i < VISIT_OUTCOME_N; i++) {
		snprintf(n[i], sizeof n[i], "%" PRIu64, e->counts[i]);
		v[4 + i] = n[i];
	}
	PGresult *res = exec_params(
		c,
		"UPDATE crawls SET finished_at = $2, status = $3, points_discovered = $4,"
		" n_ok = $5, n_nack = $6, n_refused = $7, n_timeout = $8, n_unreachable = $9,"
		" n_silent_close = $10, n_closed = $11, n_handshake_timeout = $12,"
		" n_protocol_error = $13, n_incompatible = $14, n_self = $15, n_policy = $16,"
		" n_local_error = $17, n_foreign = $18"
		" WHERE id = $1",
		4 + VISIT_OUTCOME_N, v);
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		db_errmsg(c, "crawl end", err, err_cap);
		PQclear(res);
		return ERR_DB;
	}
	bool found = strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	if (!found) {
		snprintf(err, err_cap, "db: crawl end: no crawl with id %" PRId64, crawl_id);
		return ERR_INVAL;
	}
	return ERR_OK;
}

enum err db_crawl_abort_if_running(PGconn *c, int64_t crawl_id, bool *left, char *err,
				   size_t err_cap)
{
	if (left)
		*left = false;
	char id[24];
	snprintf(id, sizeof id, "%" PRId64, crawl_id);
	const char *v[1] = {id};
	/* The lock is tried on the one running crawl only (a materialized CTE):
	 * trying other vantages' locks, even for a moment, could refuse their
	 * crawlers. The transaction-level lock ends with the statement. */
	PGresult *res = exec_params(
		c,
		"WITH r AS MATERIALIZED (SELECT id, vantage FROM crawls"
		"  WHERE id = $1 AND status = 'running'),"
		" free AS MATERIALIZED (SELECT id,"
		"  pg_try_advisory_xact_lock(" VANTAGE_KEY("vantage") ") AS ok FROM r),"
		" u AS (UPDATE crawls SET status = 'aborted' FROM free"
		"  WHERE crawls.id = free.id AND free.ok RETURNING crawls.id)"
		" SELECT (SELECT count(*) FROM free WHERE NOT ok), (SELECT count(*) FROM u)",
		1, v);
	enum err e = ERR_OK;
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		db_errmsg(c, "crawl abort", err, err_cap);
		e = ERR_DB;
	} else if (left) {
		*left = PQgetvalue(res, 0, 0)[0] != '0';
	}
	PQclear(res);
	return e;
}
