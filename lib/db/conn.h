/*
 * conn — blocking libpq connections for start-up and tools (migrate, crawl
 * begin/end, journal replay, tests). Never call these from inside the
 * crawler's event loop: the loop uses db/writer.h.
 *
 * conninfo is any libpq connection string or URL; NULL or "" means the
 * standard PG* environment variables. Every connection gets
 * client_encoding UTF8 and TimeZone UTC so text and times round-trip.
 */
#ifndef TZ_DB_CONN_H
#define TZ_DB_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"

/*
 * Opens a connection. On failure returns NULL and writes libpq's message to
 * err ("db: connection to server ... failed: ...").
 */
PGconn *db_connect(const char *conninfo, char *err, size_t err_cap)
	__attribute__((warn_unused_result));

/* Closes a connection; accepts NULL. */
void db_close(PGconn *c);

/*
 * Runs one command (or several separated by ';') that returns no rows and
 * takes no parameters. ERR_DB with the server's message in err on failure.
 */
enum err db_exec(PGconn *c, const char *sql, char *err, size_t err_cap)
	__attribute__((warn_unused_result));

/* Copies the connection's current error message, one line, into err. */
void db_errmsg(PGconn *c, const char *what, char *err, size_t err_cap);

/* Formats microseconds since the epoch as an ISO 8601 UTC timestamp ("...Z"). */
void db_time_text(int64_t us, char *out, size_t cap);

#endif
