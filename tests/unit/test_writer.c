/*
 * lib/db writer against a real PostgreSQL: hostile text round trip through
 * COPY, retries add nothing, backpressure, an unreachable server, a killed
 * connection mid-stream, and the libev glue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db/conn.h"
#include "db/crawl.h"
#include "db/writer.h"
#include "db/writer_ev.h"
#include "dbcheck.h"
#include "recfix.h"

#define NV 300
#define NA 700

static char conninfo[1024];
static PGconn *db;

static int64_t new_crawl(const char *vantage, uint8_t tag)
{
	struct crawl_rec c = {.started_at_us = 1764000000000000LL, .vantage = vantage};
	for (int i = 0; i < REC_UUID_LEN; i++)
		c.uuid[i] = (uint8_t)(tag * 31 + i);
	int64_t id = 0;
	char err[512];
	assert_int_equal(db_crawl_begin(db, &c, &id, NULL, err, sizeof err), ERR_OK);
	assert_true(id > 0);
	return id;
}

static void submit_all(struct db_writer *w, unsigned nv, unsigned na)
{
	for (unsigned i = 0; i < nv || i < na; i++) {
		if (i < nv) {
			struct visit_rec v;
			char pb[REC_POINT_TEXT_MAX];
			recfix_visit(&v, i, pb, sizeof pb);
			assert_int_equal(db_writer_visit(w, &v), ERR_OK);
		}
		if (i < na) {
			struct adv_rec a;
			char fb[REC_POINT_TEXT_MAX], tb[REC_POINT_TEXT_MAX];
			recfix_adv(&a, i, fb, tb, sizeof fb);
			assert_int_equal(db_writer_adv(w, &a), ERR_OK);
		}
	}
}

/* Link events seen through db_writer_opts.on_link. */
struct links {
	int down, up;
	size_t last_down_rows, last_up_rows;
	char last_error[256];
};

static void on_link(void *arg, const struct db_writer_link *l)
{
	struct links *k = arg;
	assert_int_equal(l->up, k->down == k->up + 1); /* down, up, down, up... */
	if (l->up) {
		k->up++;
		k->last_up_rows = l->queued_rows;
		assert_true(l->down_ms >= 0);
	} else {
		k->down++;
		k->last_down_rows = l->queued_rows;
		snprintf(k->last_error, sizeof k->last_error, "%s", l->error);
	}
}

static void test_round_trip_and_retry(void **state)
{
	(void)state;
	int64_t id = new_crawl("rt", 1);
	struct db_writer_opts o = {.conninfo = conninfo, .crawl_id = id, .batch_rows = 97};
	struct db_writer *w = db_writer_new(&o);
	assert_non_null(w);
	submit_all(w, NV, NA);
	assert_false(db_writer_idle(w));
	assert_int_equal(db_writer_drain(w, 30000), ERR_OK);
	struct db_writer_stats s;
	db_writer_get_stats(w, &s);
	assert_int_equal(s.rows_stored, NV + NA);
	assert_int_equal(s.rows_inserted, NV + NA);
	assert_int_equal(s.queued_rows, 0);
	assert_int_equal(s.queued_bytes, 0);
	assert_int_equal(s.failures, 0);
	assert_true(s.batches_stored >= (NV + NA) / 97);
	dbcheck_crawl(db, id, NV, NA);
	db_writer_free(w);

	/* The same rows again (a retry after a lost COMMIT reply): nothing added. */
	w = db_writer_new(&o);
	submit_all(w, NV, NA);
	assert_int_equal(db_writer_drain(w, 30000), ERR_OK);
	db_writer_get_stats(w, &s);
	assert_int_equal(s.rows_stored, NV + NA);
	assert_int_equal(s.rows_inserted, 0);
	dbcheck_crawl(db, id, NV, NA);
	db_writer_free(w);
}

static void test_invalid_rows_refused(void **state)
{
	(void)state;
	struct db_writer_opts o = {.conninfo = conninfo, .crawl_id = 1};
	struct db_writer *w = db_writer_new(&o);
	struct visit_rec v;
	visit_rec_init(&v);
	v.point = "example.org:9732";
	assert_int_equal(db_writer_visit(w, &v), ERR_INVAL);
	struct adv_rec a = {.from = point_v4(0x01020304, 1), .to = point_v4(0x01020304, 2), .rank = 3,
			    .list_len = 2};
	assert_int_equal(db_writer_adv(w, &a), ERR_INVAL);
	assert_true(db_writer_idle(w));
	db_writer_free(w);
	db_writer_free(NULL);
}

static void test_backpressure(void **state)
{
	(void)state;
	int64_t id = new_crawl("bp", 2);
	struct db_writer_opts o = {.conninfo = conninfo, .crawl_id = id, .max_bytes = 8192,
				   .batch_rows = 10};
	struct db_writer *w = db_writer_new(&o);
	unsigned i = 0;
	/* No step: nothing leaves, so the queue fills. */
	while (!db_writer_full(w)) {
		struct adv_rec a;
		char fb[REC_POINT_TEXT_MAX], tb[REC_POINT_TEXT_MAX];
		recfix_adv(&a, i++, fb, tb, sizeof fb);
		assert_int_equal(db_writer_adv(w, &a), ERR_OK);
		assert_true(i < 10000);
	}
	unsigned at_full = i;
	enum err e = ERR_OK;
	while (e == ERR_OK) {
		struct adv_rec a;
		char fb[REC_POINT_TEXT_MAX], tb[REC_POINT_TEXT_MAX];
		recfix_adv(&a, i, fb, tb, sizeof fb);
		e = db_writer_adv(w, &a);
		if (e == ERR_OK)
			i++;
		assert_true(i < 20000);
	}
	assert_int_equal(e, ERR_FULL);
	assert_true(i > at_full); /* slack between full and refusal */
	struct db_writer_stats s;
	db_writer_get_stats(w, &s);
	assert_true(s.queued_bytes >= 2 * 8192);
	assert_true(s.queued_bytes < 2 * 8192 + 1024);
	assert_int_equal(db_writer_drain(w, 30000), ERR_OK);
	assert_false(db_writer_full(w));
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM advertisements WHERE crawl_id = %lld",
		 (long long)id);
	assert_int_equal(dbcheck_ll(db, sql), i);
	db_writer_free(w);
}

static void test_server_unreachable(void **state)
{
	(void)state;
	struct links k = {0};
	struct db_writer_opts o = {.conninfo = "host=127.0.0.1 port=1 connect_timeout=2",
				   .crawl_id = 1, .backoff_min_ms = 20, .backoff_max_ms = 80,
				   .on_link = on_link, .link_arg = &k};
	struct db_writer *w = db_writer_new(&o);
	struct visit_rec v;
	char pb[REC_POINT_TEXT_MAX];
	recfix_visit(&v, 0, pb, sizeof pb);
	assert_int_equal(db_writer_visit(w, &v), ERR_OK);
	assert_int_equal(db_writer_drain(w, 600), ERR_TIMEOUT);
	struct db_writer_stats s;
	db_writer_get_stats(w, &s);
	assert_true(s.failures >= 3); /* it kept retrying, with backoff capped at 80 ms */
	assert_int_equal(s.queued_rows, 1); /* and kept the row */
	assert_false(s.connected);
	assert_non_null(strstr(db_writer_last_error(w), "db: connect"));
	assert_int_equal(db_writer_fd(w), -1);
	assert_true(db_writer_deadline(w) >= 0);
	/* One warning per outage, not one per retry. */
	assert_int_equal(k.down, 1);
	assert_int_equal(k.up, 0);
	assert_int_equal(s.outages, 1);
	assert_int_equal(k.last_down_rows, 1);
	assert_non_null(strstr(k.last_error, "db: connect"));
	db_writer_free(w);
}

/* CONNINFO may be a URL (the suite's DATABASE_URL): the writer connects with it. */
static void test_url_conninfo(void **state)
{
	(void)state;
	const char *url = getenv("DATABASE_URL");
	assert_non_null(url);
	assert_non_null(strstr(url, "://"));
	struct db_writer_opts o = {.conninfo = url, .crawl_id = 1};
	struct db_writer *w = db_writer_new(&o);
	struct db_writer_stats s;
	int64_t end = db_now_ms() + 10000;
	do {
		struct pollfd p = {.fd = db_writer_fd(w), .events = POLLIN | POLLOUT};
		int n = p.fd >= 0 ? poll(&p, 1, 20) : 0;
		unsigned ready = n > 0 ? DB_WANT_READ | DB_WANT_WRITE : 0;
		db_writer_step(w, ready, db_now_ms());
		db_writer_get_stats(w, &s);
	} while (!(s.connected && s.connects == 1) && db_now_ms() < end);
	assert_true(s.connected);
	assert_int_equal(s.failures, 0);
	db_writer_free(w);
}

/* A server-side error (here: no such crawl) is retried with backoff, rows kept, reason kept. */
static void test_server_error_kept(void **state)
{
	(void)state;
	struct db_writer_opts o = {.conninfo = conninfo, .crawl_id = 987654, .backoff_min_ms = 20,
				   .backoff_max_ms = 50};
	struct db_writer *w = db_writer_new(&o);
	struct visit_rec v;
	char pb[REC_POINT_TEXT_MAX];
	recfix_visit(&v, 2, pb, sizeof pb);
	assert_int_equal(db_writer_visit(w, &v), ERR_OK);
	assert_int_equal(db_writer_drain(w, 700), ERR_TIMEOUT);
	struct db_writer_stats s;
	db_writer_get_stats(w, &s);
	assert_true(s.failures >= 2);
	assert_int_equal(s.queued_rows, 1);
	assert_int_equal(s.rows_stored, 0);
	assert_non_null(strstr(db_writer_last_error(w), "foreign key"));
	db_writer_free(w);
}

/* The server drops our session in the middle of a stream of batches. */
static void test_connection_killed(void **state)
{
	(void)state;
	int64_t id = new_crawl("kill", 3);
	struct links lk = {0};
	struct db_writer_opts o = {.conninfo = conninfo, .crawl_id = id, .batch_rows = 200,
				   .backoff_min_ms = 10, .on_link = on_link, .link_arg = &lk};
	struct db_writer *w = db_writer_new(&o);
	const unsigned n = 6000;
	for (unsigned i = 0; i < n; i++) {
		struct adv_rec a;
		char fb[REC_POINT_TEXT_MAX], tb[REC_POINT_TEXT_MAX];
		recfix_adv(&a, i, fb, tb, sizeof fb);
		assert_int_equal(db_writer_adv(w, &a), ERR_OK);
	}
	struct db_writer_stats s;
	int kills = 0;
	int64_t end = db_now_ms() + 30000;
	while (!db_writer_idle(w) && db_now_ms() < end) {
		enum err de = db_writer_drain(w, 5);
		assert_true(de == ERR_OK || de == ERR_TIMEOUT);
		db_writer_get_stats(w, &s);
		if (kills < 3 && s.batches_stored >= (uint64_t)(3 + kills * 7)) {
			long long k = dbcheck_ll(db, "SELECT count(pg_terminate_backend(pid)) FROM "
						     "pg_stat_activity WHERE application_name = 'tzcensus'"
						     " AND pid <> pg_backend_pid()");
			kills += k > 0;
		}
	}
	assert_true(db_writer_idle(w));
	db_writer_get_stats(w, &s);
	assert_true(kills >= 1);
	assert_true(s.failures >= 1);
	assert_true(s.connects >= 2);
	assert_int_equal(s.rows_stored, n);
	/* Each kill was reported lost with rows queued, and back again. */
	assert_true(lk.down >= 1);
	assert_int_equal(lk.up, lk.down);
	assert_int_equal(s.outages, (uint64_t)lk.down);
	assert_true(lk.last_down_rows > 0);
	assert_true(lk.last_down_rows <= n);
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT count(DISTINCT seq) FROM advertisements WHERE crawl_id = %lld",
		 (long long)id);
	assert_int_equal(dbcheck_ll(db, sql), n);
	db_writer_free(w);
}

/*
 * Hostile peer text as a researcher's psql shows it: no ESC, BEL or other
 * control byte reaches a text column; the raw bytes stay in chain_name_raw.
 */
static void test_control_chars_escaped(void **state)
{
	(void)state;
	int64_t id = new_crawl("controls", 5);
	struct db_writer_opts o = {.conninfo = conninfo, .crawl_id = id};
	struct db_writer *w = db_writer_new(&o);
	static const uint8_t name[] = "\x1b]0;owned\x07\x1b[2J\xc2\x9b" "31mred\ttab\r\n";
	struct visit_rec v;
	visit_rec_init(&v);
	v.seq = 1;
	v.point = "10.1.2.3:9732";
	v.started_at_us = 1764000000000000LL;
	v.outcome = VISIT_INCOMPATIBLE;
	v.attempt = 1;
	v.error = "peer chain \x1b[5mBLINK\x1b[0m";
	v.chain_name = name;
	v.chain_name_len = sizeof name - 1;
	assert_int_equal(db_writer_visit(w, &v), ERR_OK);
	assert_int_equal(db_writer_drain(w, 10000), ERR_OK);
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT chain_name, error, encode(chain_name_raw, 'hex') FROM visits"
		 " WHERE crawl_id = %lld",
		 (long long)id);
	PGresult *r = PQexec(db, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(r), 1);
	assert_string_equal(PQgetvalue(r, 0, 0),
			    "\\x1b]0;owned\\x07\\x1b[2J\\x9b" "31mred\\x09tab\\x0d\\x0a");
	assert_string_equal(PQgetvalue(r, 0, 1), "peer chain \\x1b[5mBLINK\\x1b[0m");
	assert_string_equal(PQgetvalue(r, 0, 2),
			    "1b5d303b6f776e6564071b5b324ac29b33316d726564097461620d0a");
	PQclear(r);
	db_writer_free(w);
}

/* ---- libev glue ---------------------------------------------------------- */

struct ev_ctx {
	struct db_writer *w;
	struct db_writer_ev *g;
	unsigned next, total;
	ev_timer producer;
	ev_timer guard;
	int paused;
};

static void produce_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)revents;
	struct ev_ctx *x = t->data;
	/* A burst per tick, honouring backpressure like the crawler must. */
	for (int k = 0; k < 400 && x->next < x->total; k++) {
		if (db_writer_full(x->w)) {
			x->paused++;
			break;
		}
		struct adv_rec a;
		char fb[REC_POINT_TEXT_MAX], tb[REC_POINT_TEXT_MAX];
		recfix_adv(&a, x->next, fb, tb, sizeof fb);
		assert_int_equal(db_writer_adv(x->w, &a), ERR_OK);
		x->next++;
	}
	if (x->next >= x->total)
		ev_timer_stop(loop, t);
}

static void guard_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)t;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void test_libev_glue(void **state)
{
	(void)state;
	int64_t id = new_crawl("ev", 4);
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct ev_ctx x = {.total = 5000};
	struct db_writer_opts o = {.conninfo = conninfo, .crawl_id = id, .batch_rows = 250,
				   .max_bytes = 64 * 1024};
	x.w = db_writer_new(&o);
	x.g = db_writer_ev_new(loop, x.w);
	assert_non_null(x.g);
	ev_timer_init(&x.producer, produce_cb, 0.0, 0.001);
	x.producer.data = &x;
	ev_timer_start(loop, &x.producer);
	ev_timer_init(&x.guard, guard_cb, 30.0, 0.0);
	ev_timer_start(loop, &x.guard);
	ev_unref(loop); /* the guard must not keep the loop alive */
	/* Returns when the producer is done and the writer idle: nothing else is active. */
	ev_run(loop, 0);
	ev_ref(loop);
	ev_timer_stop(loop, &x.guard);
	assert_int_equal(x.next, x.total);
	assert_true(db_writer_idle(x.w));
	assert_true(x.paused > 0); /* 64 KiB of queue is less than 5000 rows: it pushed back */
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM advertisements WHERE crawl_id = %lld",
		 (long long)id);
	assert_int_equal(dbcheck_ll(db, sql), x.total);
	db_writer_ev_free(x.g);
	db_writer_free(x.w);
	ev_loop_destroy(loop);
}

int main(void)
{
	recfix_init();
	db = dbcheck_fresh(conninfo, sizeof conninfo);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_retry),
		cmocka_unit_test(test_invalid_rows_refused),
		cmocka_unit_test(test_backpressure),
		cmocka_unit_test(test_server_unreachable),
		cmocka_unit_test(test_url_conninfo),
		cmocka_unit_test(test_server_error_kept),
		cmocka_unit_test(test_connection_killed),
		cmocka_unit_test(test_control_chars_escaped),
		cmocka_unit_test(test_libev_glue),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	db_close(db);
	return rc;
}
