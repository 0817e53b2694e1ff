/*
 * migrate — schema migrations, each in a transaction.
 *
 * Why an advisory lock: crawlers from several vantages may start at the same
 * moment against one database; the lock serialises them, and the "already
 * applied?" check is made after taking it, inside the same transaction.
 * Migrations run with PQexec (the simple query protocol), which accepts a
 * whole file of statements.
 */
#include "db/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/conn.h"

/* Arbitrary constant: "tzcensus migrate". */
#define MIGRATE_LOCK_KEY "7456203301"

static const char create_table_sql[] =
	"BEGIN;"
	"SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ");"
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	"  version integer PRIMARY KEY,"
	"  name text NOT NULL,"
	"  applied_at timestamptz NOT NULL DEFAULT now());"
	"COMMENT ON TABLE schema_migrations IS "
	"  'Schema migrations applied to this database (schema/migrations/NNN_name.sql).';"
	"COMMENT ON COLUMN schema_migrations.version IS 'NNN of the migration file.';"
	"COMMENT ON COLUMN schema_migrations.name IS 'File name without .sql.';"
	"COMMENT ON COLUMN schema_migrations.applied_at IS 'When it was applied.';"
	"COMMIT;";

static void rollback(PGconn *c)
{
	PGresult *r = PQexec(c, "ROLLBACK");
	PQclear(r);
}

/* 1 applied, 0 not, -1 error. Must run inside the locked transaction. */
static int is_applied(PGconn *c, int version)
{
	char v[16];
	snprintf(v, sizeof v, "%d", version);
	const char *params[1] = {v};
	PGresult *r = PQexecParams(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, NULL,
				   params, NULL, NULL, 0);
	int ret = -1;
	if (r && PQresultStatus(r) == PGRES_TUPLES_OK)
		ret = PQntuples(r) > 0;
	PQclear(r);
	return ret;
}

static enum err apply_one(PGconn *c, const struct db_migration *m, int *ran, char *err,
			  size_t err_cap)
{
	char what[128];
	snprintf(what, sizeof what, "migration %s failed", m->name);
	*ran = 0;
	if (db_exec(c, "BEGIN; SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")", err,
		    err_cap) != ERR_OK)
		goto fail;
	int a = is_applied(c, m->version);
	if (a < 0) {
		db_errmsg(c, what, err, err_cap);
		goto fail;
	}
	if (a == 0) {
		PGresult *r = PQexec(c, m->sql);
		ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
		PQclear(r);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
			db_errmsg(c, what, err, err_cap);
			goto fail;
		}
		char v[16];
		snprintf(v, sizeof v, "%d", m->version);
		const char *params[2] = {v, m->name};
		r = PQexecParams(c, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
				 2, NULL, params, NULL, NULL, 0);
		st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
		PQclear(r);
		if (st != PGRES_COMMAND_OK) {
			db_errmsg(c, what, err, err_cap);
			goto fail;
		}
		*ran = 1;
	}
	if (db_exec(c, "COMMIT", err, err_cap) != ERR_OK)
		goto fail;
	return ERR_OK;
fail:
	*ran = 0;
	rollback(c);
	return ERR_DB;
}

enum err db_migrate(PGconn *c, int *applied, char *err, size_t err_cap)
{
	int n = 0;
	if (applied)
		*applied = 0;
	if (!c)
		return ERR_INVAL;
	if (db_exec(c, create_table_sql, err, err_cap) != ERR_OK) {
		rollback(c);
		return ERR_DB;
	}
	for (size_t i = 0; i < db_migrations_n; i++) {
		int ran;
		enum err e = apply_one(c, &db_migrations[i], &ran, err, err_cap);
		if (e != ERR_OK)
			return e;
		n += ran;
	}
	if (applied)
		*applied = n;
	return ERR_OK;
}

int db_schema_version(PGconn *c)
{
	PGresult *r = PQexec(c, "SELECT coalesce(max(version), 0) FROM schema_migrations");
	int v = -1;
	if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}
