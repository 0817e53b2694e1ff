/*
 * nat.inbound from the listener tables (008_inbound.sql). The class of a
 * peer is its latest dial-back decision up to the window's end; a peer is
 * hidden when no crawl of the same vantage that started in the window
 * reached it (no visit carries its peer id): the nodes a crawler cannot see.
 */
#include "analyzer/inbound.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const classes[] = {"reachable", "nat_refused", "nat_silent",
                                      "port_zero", "other_peer",  "not_dialed"};

/* $1 vantage, $2 window end, $3 hours */
static const char *const WINDOW =
    "WITH w AS (SELECT coalesce($2::timestamptz, now()) AS hi,"
    "                  coalesce($2::timestamptz, now()) - make_interval(hours => $3::int) AS lo),"
    " runs AS (SELECT r.id FROM listen_runs r, w WHERE r.vantage IS NOT DISTINCT FROM $1"
    "          AND r.started_at <= w.hi AND coalesce(r.finished_at, 'infinity') >= w.lo),"
    " p AS (SELECT DISTINCT i.peer_id FROM inbound_sessions i, w"
    "       WHERE i.listen_run_id IN (SELECT id FROM runs) AND i.peer_id IS NOT NULL"
    "       AND i.started_at BETWEEN w.lo AND w.hi),"
    " cls AS (SELECT DISTINCT ON (d.peer_id) d.peer_id, d.class FROM dialbacks d, w"
    "         WHERE d.listen_run_id IN (SELECT id FROM runs) AND d.started_at <= w.hi"
    "         AND d.peer_id IN (SELECT peer_id FROM p)"
    "         ORDER BY d.peer_id, d.started_at DESC, d.id DESC),"
    " pub AS (SELECT DISTINCT v.peer_id FROM visits v JOIN crawls c ON c.id = v.crawl_id, w"
    "         WHERE c.vantage IS NOT DISTINCT FROM $1 AND c.started_at BETWEEN w.lo AND w.hi"
    "         AND v.peer_id IN (SELECT peer_id FROM p))"
    " SELECT 'runs', (SELECT count(*) FROM runs)"
    " UNION ALL SELECT 'peers', (SELECT count(*) FROM p)"
    " UNION ALL SELECT 'hidden', (SELECT count(*) FROM p WHERE peer_id NOT IN"
    "                             (SELECT peer_id FROM pub))"
    " UNION ALL SELECT class, count(*) FROM cls GROUP BY class";

enum err inbound_attach(PGconn *pg, const struct acrawl *c, json_t *report, char *err,
                        size_t err_cap)
{
	char hours[16];
	snprintf(hours, sizeof hours, "%d", INBOUND_WINDOW_HOURS);
	const char *end = c->finished_at ? c->finished_at : c->started_at;
	const char *p[3] = {c->vantage, end, hours};
	PGresult *res = PQexecParams(pg, WINDOW, 3, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(err, err_cap, "db: nat.inbound: %s", PQresultErrorMessage(res));
		PQclear(res);
		return ERR_DB;
	}
	long long runs = 0, peers = 0, hidden = 0, by[6] = {0};
	for (int i = 0; i < PQntuples(res); i++) {
		const char *k = PQgetvalue(res, i, 0);
		long long n = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		if (strcmp(k, "runs") == 0)
			runs = n;
		else if (strcmp(k, "peers") == 0)
			peers = n;
		else if (strcmp(k, "hidden") == 0)
			hidden = n;
		else
			for (size_t j = 0; j < 6; j++)
				if (strcmp(k, classes[j]) == 0)
					by[j] = n;
	}
	PQclear(res);
	if (runs == 0)
		return ERR_OK;
	json_t *in = json_pack("{s:i, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:o}", "window_hours",
	                       INBOUND_WINDOW_HOURS, "peers", (json_int_t)peers, "by_class",
	                       classes[0], (json_int_t)by[0], classes[1], (json_int_t)by[1],
	                       classes[2], (json_int_t)by[2], classes[3], (json_int_t)by[3],
	                       classes[4], (json_int_t)by[4], classes[5], (json_int_t)by[5],
	                       "hidden_share",
	                       peers > 0 ? json_real((double)hidden / (double)peers) : json_null());
	json_t *nat = json_object_get(report, "nat");
	if (in && !nat && json_object_set_new(report, "nat", json_object()) == 0)
		nat = json_object_get(report, "nat");
	if (!in || !nat || json_object_set_new(nat, "inbound", in) != 0) {
		if (!nat)
			json_decref(in);
		snprintf(err, err_cap, "out of memory");
		return ERR_NOMEM;
	}
	return ERR_OK;
}
