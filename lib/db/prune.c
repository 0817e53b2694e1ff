/*
 * prune — retention, one crawl per transaction.
 *
 * Why copy crawl_summary first: it is a view computed from visits, and the
 * figures of an old night (public nodes, outcomes) are the part worth
 * keeping; the rows behind them carry addresses, personal data that the
 * operators' guide asks to keep no longer than needed (docs/operators.md,
 * "Retention").
 */
#include "db/prune.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/conn.h"

static PGresult *run(PGconn *c, const char *sql, int np, const char *const *p, ExecStatusType want,
                     const char *what, char *err, size_t cap)
{
	PGresult *r = PQexecParams(c, sql, np, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != want) {
		snprintf(err, cap, "db: %s: %s", what, PQresultErrorMessage(r));
		char *nl = strchr(err, '\n');
		if (nl)
			*nl = 0;
		PQclear(r);
		return NULL;
	}
	return r;
}

static uint64_t affected(PGresult *r)
{
	return strtoull(PQcmdTuples(r), NULL, 10);
}

/* One crawl: totals, then its rows, in one transaction. */
static enum err prune_one(PGconn *c, const char *id, struct db_prune_result *res, char *err,
                          size_t cap)
{
	const char *p[1] = {id};
	PGresult *r;
	uint64_t ads = 0, visits = 0;
	enum err e = db_exec(c, "BEGIN", err, cap);
	if (e != ERR_OK)
		return e;
	/* Lock the crawl row: a concurrent prune of the same crawl waits here. */
	if (!(r = run(c, "SELECT id FROM crawls WHERE id = $1 FOR UPDATE", 1, p, PGRES_TUPLES_OK,
	              "lock crawl", err, cap)))
		goto fail;
	PQclear(r);
	if (!(r = run(c,
	              "INSERT INTO crawl_totals (crawl_id, visits_removed, advertisements_removed, "
	              "summary) SELECT s.crawl_id, 0, 0, to_jsonb(s) FROM crawl_summary s "
	              "WHERE s.crawl_id = $1 ON CONFLICT (crawl_id) DO NOTHING",
	              1, p, PGRES_COMMAND_OK, "keep crawl totals", err, cap)))
		goto fail;
	PQclear(r);
	if (!(r = run(c, "DELETE FROM advertisements WHERE crawl_id = $1", 1, p, PGRES_COMMAND_OK,
	              "delete advertisements", err, cap)))
		goto fail;
	ads = affected(r);
	PQclear(r);
	if (!(r = run(c, "DELETE FROM visits WHERE crawl_id = $1", 1, p, PGRES_COMMAND_OK,
	              "delete visits", err, cap)))
		goto fail;
	visits = affected(r);
	PQclear(r);
	char vbuf[24], abuf[24];
	snprintf(vbuf, sizeof vbuf, "%" PRIu64, visits);
	snprintf(abuf, sizeof abuf, "%" PRIu64, ads);
	const char *q[3] = {id, vbuf, abuf};
	if (!(r = run(c,
	              "UPDATE crawl_totals SET visits_removed = visits_removed + $2, "
	              "advertisements_removed = advertisements_removed + $3, pruned_at = now() "
	              "WHERE crawl_id = $1",
	              3, q, PGRES_COMMAND_OK, "count removed rows", err, cap)))
		goto fail;
	PQclear(r);
	if ((e = db_exec(c, "COMMIT", err, cap)) != ERR_OK)
		return e;
	res->crawls++;
	res->visits += visits;
	res->advertisements += ads;
	return ERR_OK;
fail:;
	/* The first error is the one reported; a failed ROLLBACK adds nothing to it. */
	char ignore[256];
	enum err rb = db_exec(c, "ROLLBACK", ignore, sizeof ignore);
	(void)rb;
	return ERR_DB;
}

enum err db_prune(PGconn *c, unsigned days, struct db_prune_result *res, char *err, size_t err_cap)
{
	memset(res, 0, sizeof *res);
	if (days < 1 || days > DB_PRUNE_DAYS_MAX) {
		snprintf(err, err_cap, "prune: days must be 1..%d, not %u", DB_PRUNE_DAYS_MAX,
		         days);
		return ERR_INVAL;
	}
	char dbuf[16];
	snprintf(dbuf, sizeof dbuf, "%u", days);
	const char *p[1] = {dbuf};
	PGresult *r = run(c,
	                  "SELECT c.id FROM crawls c "
	                  "WHERE c.started_at < now() - make_interval(days => $1::int) "
	                  "AND (EXISTS (SELECT 1 FROM visits v WHERE v.crawl_id = c.id) "
	                  "OR EXISTS (SELECT 1 FROM advertisements a WHERE a.crawl_id = c.id)) "
	                  "ORDER BY c.id",
	                  1, p, PGRES_TUPLES_OK, "crawls to prune", err, err_cap);
	if (!r)
		return ERR_DB;
	enum err e = ERR_OK;
	for (int i = 0; i < PQntuples(r) && e == ERR_OK; i++)
		e = prune_one(c, PQgetvalue(r, i, 0), res, err, err_cap);
	PQclear(r);
	return e;
}
