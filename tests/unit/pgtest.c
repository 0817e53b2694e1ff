/* pgtest — see pgtest.h. */
#include "pgtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

static char dbname[64];

const char *pgtest_admin_conninfo(void)
{
	const char *u = getenv("DATABASE_URL");
	return u ? u : "";
}

/* Appends keyword='value' with libpq quoting. */
static void append_kv(char *out, size_t cap, const char *k, const char *v)
{
	size_t n = strlen(out);
	n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s='", n ? " " : "", k);
	for (const char *p = v; *p && n + 3 < cap; p++) {
		if (*p == '\'' || *p == '\\')
			out[n++] = '\\';
		out[n++] = *p;
	}
	if (n + 2 < cap) {
		out[n++] = '\'';
		out[n] = '\0';
	}
}

void pgtest_create(char *conninfo, size_t cap)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	srand((unsigned)(ts.tv_nsec ^ getpid()));
	snprintf(dbname, sizeof dbname, "t_%d_%08x", (int)getpid(), (unsigned)rand());

	PGconn *c = PQconnectdb(pgtest_admin_conninfo());
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "pgtest: cannot connect: %s", PQerrorMessage(c));
		exit(1);
	}
	char sql[128];
	snprintf(sql, sizeof sql, "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0", dbname);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "pgtest: %s: %s", sql, PQerrorMessage(c));
		exit(1);
	}
	PQclear(r);

	/* Same server and credentials, other database. */
	PQconninfoOption *opts = PQconninfo(c);
	conninfo[0] = '\0';
	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		if (!o->val || !*o->val || strcmp(o->keyword, "dbname") == 0)
			continue;
		append_kv(conninfo, cap, o->keyword, o->val);
	}
	append_kv(conninfo, cap, "dbname", dbname);
	PQconninfoFree(opts);
	PQfinish(c);
	atexit(pgtest_drop);
}

void pgtest_drop(void)
{
	if (!dbname[0])
		return;
	PGconn *c = PQconnectdb(pgtest_admin_conninfo());
	if (PQstatus(c) == CONNECTION_OK) {
		char sql[160];
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
		PQclear(PQexec(c, sql));
	}
	PQfinish(c);
	dbname[0] = '\0';
}
