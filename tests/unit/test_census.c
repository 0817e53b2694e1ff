/*
 * census: the class of every outcome (with and without a connection
 * message), a point's class as the strongest of its visits, the public
 * ratio, and the database's visit_point_class() (migration 052) giving the
 * same class as the C rule for every outcome, so the two cannot drift.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "db/census.h"
#include "db/conn.h"
#include "db/migrate.h"
#include "pgtest.h"

static char conninfo[512];

/* The definitions of docs/methodology.md, written out by hand. */
static const struct {
	enum visit_outcome o;
	enum point_class without, with; /* no connection message / one */
} want[VISIT_OUTCOME_N] = {
    {VISIT_OK, PC_PUBLIC, PC_PUBLIC},
    {VISIT_NACK, PC_PUBLIC, PC_PUBLIC},
    {VISIT_REFUSED, PC_UNREACHABLE, PC_UNREACHABLE},
    {VISIT_TIMEOUT, PC_UNREACHABLE, PC_UNREACHABLE},
    {VISIT_UNREACHABLE, PC_UNREACHABLE, PC_UNREACHABLE},
    {VISIT_SILENT_CLOSE, PC_UNVERIFIED, PC_PUBLIC},
    {VISIT_CLOSED, PC_UNVERIFIED, PC_PUBLIC},
    {VISIT_HANDSHAKE_TIMEOUT, PC_UNVERIFIED, PC_PUBLIC},
    {VISIT_PROTOCOL_ERROR, PC_UNVERIFIED, PC_PUBLIC},
    {VISIT_INCOMPATIBLE, PC_PUBLIC, PC_PUBLIC},
    {VISIT_SELF, PC_UNDIALED, PC_UNDIALED},
    {VISIT_POLICY, PC_UNDIALED, PC_UNDIALED},
    {VISIT_LOCAL_ERROR, PC_UNDIALED, PC_UNDIALED},
    {VISIT_FOREIGN, PC_FOREIGN, PC_FOREIGN},
};

static void test_every_outcome(void **state)
{
	(void)state;
	for (int i = 0; i < VISIT_OUTCOME_N; i++) {
		assert_int_equal(want[i].o, i);
		assert_int_equal(census_visit_class(want[i].o, false), want[i].without);
		assert_int_equal(census_visit_class(want[i].o, true), want[i].with);
	}
}

static void test_names_and_order(void **state)
{
	(void)state;
	static const char *const names[POINT_CLASS_N] = {"undialed", "unreachable", "unverified",
	                                                 "foreign", "public"};
	for (int c = 0; c < POINT_CLASS_N; c++)
		assert_string_equal(point_class_str((enum point_class)c), names[c]);
	assert_string_equal(point_class_str((enum point_class)POINT_CLASS_N), "?");
	/* A point with a timeout then an Ack is public; with a silent close then a
	 * refusal it is unverified; another chain beats no answer. */
	assert_int_equal(point_class_max(PC_UNREACHABLE, PC_PUBLIC), PC_PUBLIC);
	assert_int_equal(point_class_max(PC_UNVERIFIED, PC_UNREACHABLE), PC_UNVERIFIED);
	assert_int_equal(point_class_max(PC_FOREIGN, PC_UNVERIFIED), PC_FOREIGN);
	assert_int_equal(point_class_max(PC_UNDIALED, PC_UNREACHABLE), PC_UNREACHABLE);
}

static void test_public_ratio(void **state)
{
	(void)state;
	assert_true(census_public_ratio(0, 0, 0) == 0.0);
	assert_true(census_public_ratio(5, 0, 0) == 1.0);
	assert_true(census_public_ratio(1, 1, 2) == 0.25);
	assert_true(census_public_ratio(0, 3, 4) == 0.0);
}

static void test_sql_agrees(void **state)
{
	(void)state;
	char err[512];
	PGconn *c = db_connect(conninfo, err, sizeof err);
	assert_non_null(c);
	assert_int_equal(db_migrate(c, NULL, err, sizeof err), ERR_OK);
	for (int i = 0; i < VISIT_OUTCOME_N; i++) {
		for (int with = 0; with < 2; with++) {
			const char *p[2] = {visit_outcome_str((enum visit_outcome)i),
			                    with ? "idtest" : NULL};
			PGresult *r = PQexecParams(c, "SELECT visit_point_class($1, $2)::text", 2,
			                           NULL, p, NULL, NULL, 0);
			assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
			const char *got = PQgetvalue(r, 0, 0);
			const char *exp = point_class_str(census_visit_class((enum visit_outcome)i,
			                                                     with));
			if (strcmp(got, exp))
				fail_msg("visit_point_class(%s, %s) = %s, C says %s", p[0],
				         with ? "peer" : "NULL", got, exp);
			PQclear(r);
		}
	}
	/* Every outcome of the outcomes table is one the C rule knows. */
	PGresult *r = PQexec(c, "SELECT name FROM outcomes ORDER BY code");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(r), VISIT_OUTCOME_N);
	for (int i = 0; i < PQntuples(r); i++) {
		enum visit_outcome o;
		const char *n = PQgetvalue(r, i, 0);
		assert_int_equal(visit_outcome_parse(n, strlen(n), &o), ERR_OK);
	}
	PQclear(r);
	/* The enum's order is the C order (max() picks the same class). */
	r = PQexec(c, "SELECT string_agg(x::text, ',' ORDER BY x) "
	              "FROM unnest(enum_range(NULL::point_class)) x");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_string_equal(PQgetvalue(r, 0, 0), "undialed,unreachable,unverified,foreign,public");
	PQclear(r);
	db_close(c);
}

int main(void)
{
	pgtest_create(conninfo, sizeof conninfo);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_outcome),
	    cmocka_unit_test(test_names_and_order),
	    cmocka_unit_test(test_public_ratio),
	    cmocka_unit_test(test_sql_agrees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
