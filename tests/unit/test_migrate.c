/* db_migrate against a real PostgreSQL: apply, re-apply, contract names, comments, failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db/conn.h"
#include "db/migrate.h"
#include "db/record.h"
#include "pgtest.h"

static char conninfo[1024];

static long long query_ll(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		fprintf(stderr, "query failed: %s: %s", sql, PQerrorMessage(c));
		PQclear(r);
		fail();
	}
	long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

static PGconn *open_db(void)
{
	char err[512];
	PGconn *c = db_connect(conninfo, err, sizeof err);
	if (!c)
		fprintf(stderr, "%s\n", err);
	assert_non_null(c);
	return c;
}

static void test_apply_and_reapply(void **state)
{
	(void)state;
	PGconn *c = open_db();
	char err[512] = "";
	int n = -1;
	assert_int_equal(db_migrate(c, &n, err, sizeof err), ERR_OK);
	assert_int_equal(n, (int)db_migrations_n);
	assert_int_equal(db_schema_version(c), db_migrations[db_migrations_n - 1].version);
	assert_int_equal(db_migrate(c, &n, err, sizeof err), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(query_ll(c, "SELECT count(*) FROM schema_migrations"),
			 (long long)db_migrations_n);
	db_close(c);
	/* A second connection sees the same and applies nothing. */
	c = open_db();
	assert_int_equal(db_migrate(c, &n, err, sizeof err), ERR_OK);
	assert_int_equal(n, 0);
	db_close(c);
}

static void test_versions_ordered(void **state)
{
	(void)state;
	assert_true(db_migrations_n >= 2);
	for (size_t i = 1; i < db_migrations_n; i++)
		assert_true(db_migrations[i].version > db_migrations[i - 1].version);
	assert_int_equal(strlen(db_migrations[0].sql), db_migrations[0].sql_len);
}

/* The names docs/schema.md documents: queried from outside, so checked here too. */
static const char *const contract[][2] = {
	{"crawls", "id"}, {"crawls", "uuid"}, {"crawls", "started_at"}, {"crawls", "finished_at"},
	{"crawls", "status"}, {"crawls", "vantage"}, {"crawls", "tool_version"},
	{"crawls", "config"}, {"crawls", "seeds"},
	{"points", "id"}, {"points", "addr"}, {"points", "port"}, {"points", "first_seen"},
	{"points", "last_seen"},
	{"peers", "peer_id"}, {"peers", "public_key"}, {"peers", "first_seen"},
	{"peers", "last_seen"},
	{"visits", "crawl_id"}, {"visits", "point_id"}, {"visits", "started_at"},
	{"visits", "outcome"}, {"visits", "error"}, {"visits", "connect_ms"},
	{"visits", "handshake_ms"}, {"visits", "peer_id"}, {"visits", "advertised_port"},
	{"visits", "pow_bits"}, {"visits", "chain_name"}, {"visits", "distributed_db_version"},
	{"visits", "p2p_version"}, {"visits", "disable_mempool"}, {"visits", "private_node"},
	{"visits", "nack_motive"}, {"visits", "head_level"}, {"visits", "head_timestamp"},
	{"visits", "attempt"},
	{"advertisements", "crawl_id"}, {"advertisements", "from_point_id"},
	{"advertisements", "to_point_id"}, {"advertisements", "source"},
	{"advertisements", "round"}, {"advertisements", "rank"}, {"advertisements", "list_len"},
	{"latest_crawl", "id"}, {"crawl_summary", "crawl_id"}, {"node_versions", "crawl_id"},
	{"crawl_edges", "crawl_id"},
};

static void test_contract_names(void **state)
{
	(void)state;
	PGconn *c = open_db();
	for (size_t i = 0; i < sizeof contract / sizeof contract[0]; i++) {
		const char *params[2] = {contract[i][0], contract[i][1]};
		PGresult *r = PQexecParams(c,
					   "SELECT 1 FROM information_schema.columns "
					   "WHERE table_schema = 'public' AND table_name = $1 "
					   "AND column_name = $2",
					   2, NULL, params, NULL, NULL, 0);
		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		if (PQntuples(r) != 1)
			fprintf(stderr, "missing %s.%s\n", contract[i][0], contract[i][1]);
		assert_int_equal(PQntuples(r), 1);
		PQclear(r);
	}
	/* The outcome names: every one of enum visit_outcome, with its code. */
	assert_int_equal(query_ll(c, "SELECT count(*) FROM outcomes"), VISIT_OUTCOME_N);
	for (int i = 0; i < VISIT_OUTCOME_N; i++) {
		const char *name = visit_outcome_str((enum visit_outcome)i);
		PGresult *r = PQexecParams(c, "SELECT code FROM outcomes WHERE name = $1", 1, NULL,
					   &name, NULL, NULL, 0);
		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		assert_int_equal(PQntuples(r), 1);
		assert_int_equal(strtol(PQgetvalue(r, 0, 0), NULL, 10), i);
		PQclear(r);
	}
	db_close(c);
}

static void test_every_comment(void **state)
{
	(void)state;
	PGconn *c = open_db();
	PGresult *r = PQexec(c, "SELECT c.relname || '.' || a.attname FROM pg_class c "
				"JOIN pg_namespace n ON n.oid = c.relnamespace "
				"JOIN pg_attribute a ON a.attrelid = c.oid "
				"WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v') "
				"AND a.attnum > 0 AND NOT a.attisdropped "
				"AND col_description(c.oid, a.attnum) IS NULL "
				"UNION ALL SELECT c.relname FROM pg_class c "
				"JOIN pg_namespace n ON n.oid = c.relnamespace "
				"WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v') "
				"AND obj_description(c.oid, 'pg_class') IS NULL");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	for (int i = 0; i < PQntuples(r); i++)
		fprintf(stderr, "no COMMENT ON: %s\n", PQgetvalue(r, i, 0));
	assert_int_equal(PQntuples(r), 0);
	PQclear(r);
	db_close(c);
}

/* A migration that fails leaves nothing behind and says which file failed. */
static void test_failure_rolls_back(void **state)
{
	(void)state;
	PGconn *c = open_db();
	char err[512] = "";
	int last = db_migrations[db_migrations_n - 1].version;
	char sql[128];
	snprintf(sql, sizeof sql, "DELETE FROM schema_migrations WHERE version = %d", last);
	assert_int_equal(db_exec(c, sql, err, sizeof err), ERR_OK);
	/* Its objects still exist, so applying it again fails ("already exists"). */
	int n = -1;
	assert_int_equal(db_migrate(c, &n, err, sizeof err), ERR_DB);
	assert_non_null(strstr(err, db_migrations[db_migrations_n - 1].name));
	assert_non_null(strstr(err, "already exists"));
	snprintf(sql, sizeof sql, "SELECT count(*) FROM schema_migrations WHERE version = %d",
		 last);
	assert_int_equal(query_ll(c, sql), 0);
	/* The connection is usable after the rollback. */
	assert_int_equal(query_ll(c, "SELECT 41 + 1"), 42);
	snprintf(sql, sizeof sql, "INSERT INTO schema_migrations (version, name) VALUES (%d, '%s')",
		 last, db_migrations[db_migrations_n - 1].name);
	assert_int_equal(db_exec(c, sql, err, sizeof err), ERR_OK);
	db_close(c);
}

static void test_bad_conninfo(void **state)
{
	(void)state;
	char err[512] = "";
	PGconn *c = db_connect("host=127.0.0.1 port=1 connect_timeout=2", err, sizeof err);
	assert_null(c);
	assert_non_null(strstr(err, "db: connect"));
	c = db_connect("this is not a conninfo", err, sizeof err);
	assert_null(c);
	assert_non_null(strstr(err, "db: connect"));
	assert_int_equal(db_migrate(NULL, NULL, err, sizeof err), ERR_INVAL);
}

int main(void)
{
	pgtest_create(conninfo, sizeof conninfo);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions_ordered),
		cmocka_unit_test(test_apply_and_reapply),
		cmocka_unit_test(test_contract_names),
		cmocka_unit_test(test_every_comment),
		cmocka_unit_test(test_failure_rolls_back),
		cmocka_unit_test(test_bad_conninfo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
