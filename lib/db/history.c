/*
 * history — see history.h. The work is the SQL function's; this is its one
 * caller's side, shared by the analyzer (after storing a night) and the
 * crawler's --prune-days.
 */
#include "db/history.h"

#include <stdlib.h>

#include "db/conn.h"

enum err db_node_history_refresh(PGconn *c, int *refreshed, char *err, size_t err_cap)
{
	*refreshed = 0;
	PGresult *r = PQexec(c, "SELECT node_history_refresh()");
	if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		PQclear(r);
		db_errmsg(c, "refresh node history", err, err_cap);
		return ERR_DB;
	}
	*refreshed = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return ERR_OK;
}
