/*
 * The database server stops in the middle of a stream of batches and comes
 * back: the writer loses nothing and duplicates nothing. Runs its own
 * cluster (scripts/pg-cluster.sh, Unix socket only) so it can stop it;
 * once with a fast shutdown, once with an immediate one (a crash).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/conn.h"
#include "db/crawl.h"
#include "db/migrate.h"
#include "db/writer.h"
#include "dbcheck.h"
#include "recfix.h"

static char dir[] = "/tmp/tzpg_XXXXXX";
static int port;
static char conninfo[256];
static bool started;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "test_restart: '%s' failed (%d)\n", cmd, rc);
	return rc;
}

static void destroy(void)
{
	if (started)
		sh("scripts/pg-cluster.sh destroy %s", dir);
	started = false;
}

static PGconn *connect_admin(void)
{
	char err[512];
	PGconn *c = db_connect(conninfo, err, sizeof err);
	if (!c)
		fprintf(stderr, "%s\n", err);
	assert_non_null(c);
	return c;
}

/* Submits n advs, stops the server after a few batches are stored, restarts it. */
static void run_stop_restart(const char *mode, uint8_t tag)
{
	PGconn *c = connect_admin();
	struct crawl_rec cr = {.started_at_us = 1764000000000000LL, .vantage = mode};
	memset(cr.uuid, tag, sizeof cr.uuid);
	int64_t id;
	char err[512];
	assert_int_equal(db_crawl_begin(c, &cr, &id, NULL, err, sizeof err), ERR_OK);
	db_close(c);

	struct db_writer_opts o = {.conninfo = conninfo, .crawl_id = id, .batch_rows = 300,
				   .backoff_min_ms = 50, .backoff_max_ms = 400};
	struct db_writer *w = db_writer_new(&o);
	const unsigned n = 20000;
	for (unsigned i = 0; i < n; i++) {
		struct adv_rec a;
		char fb[REC_POINT_TEXT_MAX], tb[REC_POINT_TEXT_MAX];
		recfix_adv(&a, i, fb, tb, sizeof fb);
		assert_int_equal(db_writer_adv(w, &a), ERR_OK);
	}
	struct db_writer_stats s;
	/* Let a few batches through, then pull the plug while one is in flight. */
	int64_t end = db_now_ms() + 20000;
	do {
		enum err e = db_writer_drain(w, 2);
		assert_true(e == ERR_OK || e == ERR_TIMEOUT);
		db_writer_get_stats(w, &s);
	} while (s.batches_stored < 3 && db_now_ms() < end);
	assert_true(s.batches_stored >= 3);
	assert_false(db_writer_idle(w));
	assert_int_equal(sh("scripts/pg-cluster.sh stop %s %s", dir, mode), 0);
	/* The server is away: the writer fails, backs off, retries, keeps every row. */
	enum err e = db_writer_drain(w, 1500);
	assert_int_equal(e, ERR_TIMEOUT);
	db_writer_get_stats(w, &s);
	assert_true(s.failures >= 2);
	assert_true(s.queued_rows > 0);
	assert_int_equal(s.rows_stored + s.queued_rows, n);
	fprintf(stderr, "test_restart: %s: server down, %llu failures, %zu rows queued, last error: %s\n",
		mode, (unsigned long long)s.failures, s.queued_rows, db_writer_last_error(w));
	assert_int_equal(sh("scripts/pg-cluster.sh start %s %d", dir, port), 0);
	assert_int_equal(db_writer_drain(w, 30000), ERR_OK);
	db_writer_get_stats(w, &s);
	assert_int_equal(s.rows_stored, n);
	assert_true(s.connects >= 2);

	c = connect_admin();
	char sql[200];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM advertisements WHERE crawl_id = %lld", (long long)id);
	assert_int_equal(dbcheck_ll(c, sql), n); /* nothing lost, nothing twice */
	snprintf(sql, sizeof sql,
		 "SELECT count(DISTINCT seq) FROM advertisements WHERE crawl_id = %lld", (long long)id);
	assert_int_equal(dbcheck_ll(c, sql), n);
	db_close(c);
	db_writer_free(w);
}

static void test_fast_shutdown(void **state)
{
	(void)state;
	run_stop_restart("fast", 1);
}

static void test_immediate_shutdown(void **state)
{
	(void)state;
	run_stop_restart("immediate", 2);
}

int main(void)
{
	recfix_init();
	if (!mkdtemp(dir))
		return 1;
	atexit(destroy);
	if (sh("scripts/pg-cluster.sh init %s", dir) != 0)
		return 1;
	started = true;
	/* The port only names the socket file in our private directory. */
	srand((unsigned)(time(NULL) ^ getpid()));
	port = 20000 + rand() % 40000;
	if (sh("scripts/pg-cluster.sh start %s %d", dir, port) != 0)
		return 1;
	snprintf(conninfo, sizeof conninfo, "host=%s port=%d user=postgres dbname=postgres", dir, port);
	PGconn *c = connect_admin();
	char err[512];
	if (db_migrate(c, NULL, err, sizeof err) != ERR_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	db_close(c);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_shutdown),
		cmocka_unit_test(test_immediate_shutdown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
