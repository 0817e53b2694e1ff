/*
 * history — upkeep of the kept node history (schema/migrations/
 * 057_node_history_kept.sql): node_history reads node_history_kept for a
 * vantage and chain while it was computed from exactly that vantage and
 * chain's history crawls, and computes from visits otherwise. Refreshing
 * makes the view fast again after a crawl, a gate verdict or a prune; it
 * never changes what the view returns.
 */
#ifndef TZ_DB_HISTORY_H
#define TZ_DB_HISTORY_H

#include <libpq-fe.h>

#include "core/err.h"

/*
 * Recomputes the kept rows of every vantage and chain that is no longer
 * current (node_history_refresh()); *refreshed gets how many. ERR_DB with
 * the server's message in err on failure (the view stays correct, only
 * slower). Its own transaction: call it outside one.
 */
enum err db_node_history_refresh(PGconn *c, int *refreshed, char *err, size_t err_cap)
    __attribute__((warn_unused_result));

#endif
