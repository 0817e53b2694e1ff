/*
 * conn — blocking connection helpers. Kept apart from the writer because
 * these may block for the network: they are for start-up, tools and tests.
 */
#include "db/conn.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* libpq messages end with a newline and may span lines: keep one line. */
static void one_line(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
}

void db_errmsg(PGconn *c, const char *what, char *err, size_t err_cap)
{
	if (!err || err_cap == 0)
		return;
	const char *m = c ? PQerrorMessage(c) : "out of memory";
	snprintf(err, err_cap, "db: %s: %s", what, (m && *m) ? m : "unknown error");
	one_line(err);
}

PGconn *db_connect(const char *conninfo, char *err, size_t err_cap)
{
	PGconn *c = PQconnectdb(conninfo ? conninfo : "");
	if (!c || PQstatus(c) != CONNECTION_OK) {
		db_errmsg(c, "connect", err, err_cap);
		PQfinish(c);
		return NULL;
	}
	if (PQsetClientEncoding(c, "UTF8") != 0 ||
	    db_exec(c, "SET TimeZone = 'UTC'; SET client_min_messages = warning", err, err_cap) != ERR_OK) {
		db_errmsg(c, "connect", err, err_cap);
		PQfinish(c);
		return NULL;
	}
	return c;
}

void db_close(PGconn *c)
{
	if (c)
		PQfinish(c);
}

enum err db_exec(PGconn *c, const char *sql, char *err, size_t err_cap)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	PQclear(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		db_errmsg(c, "query", err, err_cap);
		return ERR_DB;
	}
	return ERR_OK;
}

void db_time_text(int64_t us, char *out, size_t cap)
{
	int64_t s = us / 1000000, frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		s -= 1;
	}
	time_t t = (time_t)s;
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		snprintf(out, cap, "1970-01-01T00:00:00Z");
		return;
	}
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)frac);
}
