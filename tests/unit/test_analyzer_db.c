/*
 * The analyzer against a real PostgreSQL: load the latest finished crawl from
 * the storage schema, store analyses/node_metrics (migration 050), read them
 * back as the previous crawl for "trend", and the error paths of load_db.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyzer/analyze.h"
#include "analyzer/load.h"
#include "analyzer/output.h"
#include "db/conn.h"
#include "db/migrate.h"
#include "pgtest.h"

static char conninfo[512];

static void exec(PGconn *c, const char *sql)
{
	char err[512];
	if (db_exec(c, sql, err, sizeof err) != ERR_OK)
		fail_msg("%s: %s", sql, err);
}

static long long scalar(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

/* Crawl `id`: a triangle of public nodes A, B, C (+ D only in crawl 2),
 * one unreachable point, one point only advertised. */
static void insert_crawl(PGconn *c, int id, bool with_d)
{
	char sql[4096];
	/* identity column: let it number; the id is checked below */
	snprintf(sql, sizeof sql,
	         "INSERT INTO crawls (uuid, started_at, finished_at, status, vantage) VALUES "
	         "('00000000-0000-0000-0000-00000000000%d', '2026-11-2%d 02:00:00Z', "
	         "'2026-11-2%d 02:30:00Z', 'finished', 'test')",
	         id, id, id);
	exec(c, sql);
	static const char *const pts[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3",
	                                  "10.0.0.4", "10.0.0.5", "10.0.0.6"};
	for (int i = 0; i < 6; i++) {
		snprintf(
		    sql, sizeof sql,
		    "INSERT INTO points (addr, port, first_seen, last_seen) VALUES ('%s', 9732, "
		    "now(), now()) ON CONFLICT DO NOTHING",
		    pts[i]);
		exec(c, sql);
	}
	exec(c, "INSERT INTO peers (peer_id, first_seen, last_seen) VALUES ('idA', now(), now()), "
	        "('idB', now(), now()), ('idC', now(), now()), ('idD', now(), now()) "
	        "ON CONFLICT DO NOTHING");
#define PID(ip) "(SELECT id FROM points WHERE addr = '" ip "')"
	snprintf(
	    sql, sizeof sql,
	    "INSERT INTO visits (crawl_id, seq, point_id, started_at, outcome, peer_id, "
	    "chain_name, distributed_db_version, p2p_version, pow_bits, private_node, "
	    "disable_mempool, head_level) VALUES "
	    "(%d, 1, " PID(
	        "10.0.0.1") ", now(), 'ok', 'idA', 'TEZOS_MAINNET', 2, 1, 26, false, false, 100),"
	                    "(%d, 2, " PID(
	                        "10.0.0.2") ", now(), 'ok', 'idB', 'TEZOS_MAINNET', 2, 1, 27, "
	                                    "false, true, 99),"
	                                    "(%d, 3, " PID(
	                                        "10.0.0.3") ", now(), 'nack', 'idC', "
	                                                    "'TEZOS_MAINNET', 2, 1, 26, true, "
	                                                    "false, NULL),"
	                                                    "(%d, 4, " PID(
	                                                        "10.0.0.4") ", now(), 'refused', "
	                                                                    "NULL, NULL, NULL, "
	                                                                    "NULL, NULL, NULL, "
	                                                                    "NULL, NULL)",
	    id, id, id, id);
	exec(c, sql);
	if (with_d) {
		snprintf(
		    sql, sizeof sql,
		    "INSERT INTO visits (crawl_id, seq, point_id, started_at, outcome, peer_id) "
		    "VALUES (%d, 5, " PID("10.0.0.6") ", now(), 'ok', 'idD')",
		    id);
		exec(c, sql);
	}
	snprintf(
	    sql, sizeof sql,
	    "INSERT INTO advertisements (crawl_id, seq, from_point_id, to_point_id, source, "
	    "round, rank, list_len, seen_at) VALUES "
	    "(%d, 1, " PID("10.0.0.1") ", " PID(
	        "10.0.0.2") ", 'advertise', 1, 0, 3, now()),"
	                    "(%d, 2, " PID("10.0.0.1") ", " PID(
	                        "10.0.0.3") ", 'advertise', 1, 1, 3, now()),"
	                                    "(%d, 3, " PID("10.0.0.1") ", " PID(
	                                        "10.0.0.4") ", 'advertise', 1, 2, 3, now()),"
	                                                    "(%d, 4, " PID("10.0.0.2") ", " PID(
	                                                        "10.0.0.3") ", 'advertise', 1, 0, "
	                                                                    "1, now()),"
	                                                                    "(%d, 5, " PID(
	                                                                        "10.0.0.3") ","
	                                                                                    " " PID("10.0.0.5") ", 'nack', 0, 0, 1, now())",
	    id, id, id, id, id);
	exec(c, sql);
	if (with_d) {
		snprintf(sql, sizeof sql,
		         "INSERT INTO advertisements (crawl_id, seq, from_point_id, to_point_id, "
		         "source, round, rank, list_len, seen_at) VALUES "
		         "(%d, 6, " PID("10.0.0.6") ", " PID(
		             "10.0.0.1") ", 'advertise', 1, 0, 1, now())",
		         id);
		exec(c, sql);
	}
#undef PID
}

static void test_db_roundtrip(void **state)
{
	(void)state;
	char err[512];
	PGconn *c = db_connect(conninfo, err, sizeof err);
	assert_non_null(c);
	assert_int_equal(db_migrate(c, NULL, err, sizeof err), ERR_OK);
	struct acrawl cr;
	acrawl_init(&cr);
	/* no finished crawl yet */
	assert_int_equal(load_db(c, -1, &cr, err, sizeof err), ERR_INVAL);
	assert_non_null(strstr(err, "no finished crawl"));
	assert_int_equal(load_db(c, 999, &cr, err, sizeof err), ERR_INVAL);
	acrawl_free(&cr);

	insert_crawl(c, 1, false);
	long long id1 = scalar(c, "SELECT max(id) FROM crawls");
	acrawl_init(&cr);
	assert_int_equal(load_db(c, -1, &cr, err, sizeof err), ERR_OK);
	assert_int_equal(cr.id, id1);
	assert_int_equal(cr.visits_n, 4);
	assert_int_equal(cr.advs_n, 5);
	assert_string_equal(cr.vantage, "test");
	assert_non_null(strstr(cr.started_at, "2026-11-21T02:00:00"));
	struct analyze_opts o;
	analyze_opts_default(&o);
	struct analysis an;
	assert_int_equal(analysis_run(&an, &cr, &o, NULL), ERR_OK);
	json_t *core = json_object_get(json_object_get(an.report, "graph"), "core");
	assert_int_equal(json_integer_value(json_object_get(core, "vertices")), 3);
	assert_int_equal(json_integer_value(json_object_get(core, "vertex_connectivity")), 2);
	json_t *counts = json_object_get(an.report, "counts");
	assert_int_equal(json_integer_value(json_object_get(counts, "public")), 3);
	assert_int_equal(json_integer_value(json_object_get(counts, "unreachable")), 1);
	assert_int_equal(json_integer_value(json_object_get(counts, "undialed")), 1);
	assert_int_equal(store_db(c, &an, NULL, err, sizeof err), ERR_OK);
	analysis_free(&an);
	acrawl_free(&cr);
	assert_int_equal(scalar(c, "SELECT count(*) FROM analyses"), 1);
	assert_int_equal(scalar(c, "SELECT count(*) FROM node_metrics"), 5);
	assert_int_equal(scalar(c, "SELECT count(*) FROM node_metrics WHERE class = 'public' "
	                           "AND in_core AND coreness = 2"),
	                 3);
	assert_int_equal(scalar(c, "SELECT (metrics->'graph'->'core'->>'vertex_connectivity')::int "
	                           "FROM analyses"),
	                 2);

	insert_crawl(c, 2, true);
	long long id2 = scalar(c, "SELECT max(id) FROM crawls");
	acrawl_init(&cr);
	assert_int_equal(load_db(c, id2, &cr, err, sizeof err), ERR_OK);
	struct previous prev;
	bool found;
	json_t **hist = NULL;
	size_t hist_n = 0;
	assert_int_equal(
	    load_previous_db(c, cr.id, &prev, &found, &hist, &hist_n, 10, err, sizeof err), ERR_OK);
	assert_true(found);
	assert_int_equal(prev.crawl_id, id1);
	assert_int_equal(prev.public_n, 3);
	assert_int_equal(hist_n, 1);
	assert_int_equal(analysis_run(&an, &cr, &o, &prev), ERR_OK);
	json_t *trend = json_object_get(an.report, "trend");
	assert_int_equal(json_integer_value(json_object_get(trend, "previous_crawl_id")), id1);
	assert_int_equal(json_integer_value(json_object_get(trend, "new")), 1);
	assert_int_equal(json_integer_value(json_object_get(trend, "gone")), 0);
	assert_int_equal(json_integer_value(json_object_get(trend, "delta_public")), 1);
	assert_int_equal(store_db(c, &an, NULL, err, sizeof err), ERR_OK);
	analysis_free(&an);
	previous_free(&prev);
	for (size_t i = 0; i < hist_n; i++)
		json_decref(hist[i]);
	free(hist);
	acrawl_free(&cr);
	db_close(c);
}

/* Analyzes crawl id from the database and stores the analysis. */
static void analyze_store(PGconn *c, long long id)
{
	char err[512];
	struct acrawl cr;
	acrawl_init(&cr);
	assert_int_equal(load_db(c, id, &cr, err, sizeof err), ERR_OK);
	struct analyze_opts o;
	analyze_opts_default(&o);
	struct analysis an;
	assert_int_equal(analysis_run(&an, &cr, &o, NULL), ERR_OK);
	assert_int_equal(store_db(c, &an, NULL, err, sizeof err), ERR_OK);
	analysis_free(&an);
	acrawl_free(&cr);
}

/*
 * Trends only between comparable crawls: after crawls 1 and 2 (vantage
 * test, analyzed), a gate-refused crawl, another vantage's crawl, another
 * chain's crawl and an aborted crawl, all analyzed, the previous crawl and
 * the history of the next crawl of vantage test are crawls 1 and 2 only.
 */
static void test_comparable_history(void **state)
{
	(void)state;
	char err[512];
	PGconn *c = db_connect(conninfo, err, sizeof err);
	assert_non_null(c);
	long long id2 = scalar(c, "SELECT max(id) FROM crawls");
	long long id1 = scalar(c, "SELECT min(id) FROM crawls");
	static const char *const spoil[] = {
	    "publishable = false, publication_note = 'refused'",
	    "vantage = 'elsewhere'",
	    "config = '{\"chain\": \"OTHER_CHAIN\"}'",
	    "status = 'aborted'",
	};
	for (int i = 0; i < 4; i++) {
		insert_crawl(c, 3 + i, true);
		long long id = scalar(c, "SELECT max(id) FROM crawls");
		analyze_store(c, id);
		char sql[256];
		snprintf(sql, sizeof sql, "UPDATE crawls SET %s WHERE id = %lld", spoil[i], id);
		exec(c, sql);
	}
	/* A never-gated and an accepted crawl both count. */
	char sql[128];
	snprintf(sql, sizeof sql, "UPDATE crawls SET publishable = true WHERE id = %lld", id1);
	exec(c, sql);
	insert_crawl(c, 7, true);
	long long id7 = scalar(c, "SELECT max(id) FROM crawls");
	struct previous prev;
	bool found;
	json_t **hist = NULL;
	size_t hist_n = 0;
	assert_int_equal(
	    load_previous_db(c, id7, &prev, &found, &hist, &hist_n, 10, err, sizeof err), ERR_OK);
	assert_true(found);
	assert_int_equal(prev.crawl_id, id2);
	assert_int_equal(prev.public_n, 4);
	assert_true(prev.backbone_connectivity >= 0);
	assert_int_equal(hist_n, 2);
	json_t *c0 = json_object_get(json_object_get(hist[0], "crawl"), "id");
	json_t *c1 = json_object_get(json_object_get(hist[1], "crawl"), "id");
	assert_int_equal(json_integer_value(c0), id1);
	assert_int_equal(json_integer_value(c1), id2);
	previous_free(&prev);
	for (size_t i = 0; i < hist_n; i++)
		json_decref(hist[i]);
	free(hist);
	db_close(c);
}

int main(void)
{
	pgtest_create(conninfo, sizeof conninfo);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_db_roundtrip),
	    cmocka_unit_test(test_comparable_history),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
