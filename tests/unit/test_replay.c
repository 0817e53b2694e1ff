/*
 * journal_replay and the crawl lifecycle against a real PostgreSQL: replay,
 * replay twice adds nothing, a journal cut at every byte of its last record,
 * overlap with rows the live writer stored, damaged journals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/batch.h"
#include "db/conn.h"
#include "db/crawl.h"
#include "journal/journal.h"
#include "journal/replay.h"
#include "dbcheck.h"
#include "recfix.h"

#define NV 41 /* the last visit (40) has a short chain name: a small last record */
#define NA 100

static char conninfo[1024];
static PGconn *db;
static char dir[] = "/tmp/tzr_XXXXXX";

static void crawl_rec_make(struct crawl_rec *c, uint8_t tag, const char *vantage)
{
	memset(c, 0, sizeof *c);
	for (int i = 0; i < REC_UUID_LEN; i++)
		c->uuid[i] = (uint8_t)(tag + i * 3);
	c->started_at_us = 1764000000000000LL + tag;
	c->vantage = vantage;
	c->tool_version = "test";
	c->config_json = "{\"k\": [1, 2]}";
	c->seeds_json = "[\"127.0.0.1:9732\"]";
}

/* Start, NA advs, NV visits (last record a visit), optional end. */
static void write_journal(const char *path, uint8_t tag, bool with_end)
{
	char err[256];
	unlink(path);
	struct journal_writer *w = journal_open(path, 0, NULL, err, sizeof err);
	assert_non_null(w);
	struct crawl_rec c;
	crawl_rec_make(&c, tag, "replay");
	assert_int_equal(journal_crawl_start(w, &c), ERR_OK);
	for (unsigned i = 0; i < NA; i++) {
		struct adv_rec a;
		char fb[REC_POINT_TEXT_MAX], tb[REC_POINT_TEXT_MAX];
		recfix_adv(&a, i, fb, tb, sizeof fb);
		assert_int_equal(journal_adv(w, &a), ERR_OK);
	}
	for (unsigned i = 0; i < NV; i++) {
		struct visit_rec v;
		char pb[REC_POINT_TEXT_MAX];
		recfix_visit(&v, i, pb, sizeof pb);
		assert_int_equal(journal_visit(w, &v), ERR_OK);
	}
	if (with_end) {
		struct crawl_end_rec e = {.finished_at_us = 1764000100000000LL,
					  .status = CRAWL_FINISHED, .points_discovered = 77};
		e.counts[VISIT_OK] = 5;
		e.counts[VISIT_POLICY] = 2;
		assert_int_equal(journal_crawl_end(w, &e), ERR_OK);
	}
	assert_int_equal(journal_close(w), ERR_OK);
}

static int64_t crawl_id_of(uint8_t tag)
{
	struct crawl_rec c;
	crawl_rec_make(&c, tag, "replay");
	int64_t id;
	int created;
	char err[256];
	assert_int_equal(db_crawl_ensure(db, &c, &id, &created, err, sizeof err), ERR_OK);
	assert_int_equal(created, 0);
	return id;
}

static long long q(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long q(const char *fmt, ...)
{
	char sql[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return dbcheck_ll(db, sql);
}

static void test_replay_twice(void **state)
{
	(void)state;
	char p[256], err[512];
	snprintf(p, sizeof p, "%s/full.journal", dir);
	write_journal(p, 10, true);
	struct journal_replay_stats st;
	assert_int_equal(journal_replay(p, db, &st, err, sizeof err), ERR_OK);
	assert_string_equal(err, "");
	assert_int_equal(st.records, 2 + NV + NA);
	assert_int_equal(st.crawls, 1);
	assert_int_equal(st.crawls_created, 1);
	assert_int_equal(st.visits_read, NV);
	assert_int_equal(st.advs_read, NA);
	assert_int_equal(st.visits_added, NV);
	assert_int_equal(st.advs_added, NA);
	assert_false(st.truncated);
	int64_t id = crawl_id_of(10);
	assert_int_equal(st.last_crawl_id, (long long)id);
	dbcheck_crawl(db, id, NV, NA);
	assert_int_equal(q("SELECT count(*) FROM crawls WHERE id = %lld AND status = 'finished'"
			   " AND n_ok = 5 AND n_policy = 2 AND points_discovered = 77"
			   " AND config = '{\"k\": [1, 2]}'::jsonb AND vantage = 'replay'",
			   (long long)id),
			 1);
	long long points = dbcheck_ll(db, "SELECT count(*) FROM points");
	long long peers = dbcheck_ll(db, "SELECT count(*) FROM peers");

	/* Again: nothing added anywhere. */
	assert_int_equal(journal_replay(p, db, &st, err, sizeof err), ERR_OK);
	assert_int_equal(st.crawls_created, 0);
	assert_int_equal(st.visits_added, 0);
	assert_int_equal(st.advs_added, 0);
	assert_int_equal(st.visits_read, NV);
	assert_int_equal(dbcheck_ll(db, "SELECT count(*) FROM points"), points);
	assert_int_equal(dbcheck_ll(db, "SELECT count(*) FROM peers"), peers);
	assert_int_equal(q("SELECT count(*) FROM visits WHERE crawl_id = %lld", (long long)id), NV);
	dbcheck_crawl(db, id, NV, NA);
	unlink(p);
}

static void test_truncated_every_offset(void **state)
{
	(void)state;
	char p[256], cut[256], err[512];
	snprintf(p, sizeof p, "%s/torn.journal", dir);
	snprintf(cut, sizeof cut, "%s/cut.journal", dir);
	write_journal(p, 20, false);
	/* Where does the last record start? */
	struct journal_reader *r = journal_reader_open(p, err, sizeof err);
	struct journal_entry e;
	uint64_t last = 0;
	while (journal_next(r, &e) == ERR_OK && e.kind != JOURNAL_END_OF_FILE)
		last = e.offset;
	journal_reader_free(r);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	size_t len = (size_t)sb.st_size;
	assert_true(len - last < 400);
	FILE *f = fopen(p, "rb");
	uint8_t *buf = malloc(len);
	assert_int_equal(fread(buf, 1, len, f), len);
	fclose(f);
	int64_t id = 0;
	for (size_t n = (size_t)last + 1; n < len; n++) {
		f = fopen(cut, "wb");
		assert_int_equal(fwrite(buf, 1, n, f), n);
		fclose(f);
		struct journal_replay_stats st;
		assert_int_equal(journal_replay(cut, db, &st, err, sizeof err), ERR_OK);
		assert_true(st.truncated);
		assert_non_null(strstr(err, "truncated record at offset"));
		assert_non_null(strstr(err, "everything before it was loaded"));
		assert_int_equal(st.records, 1 + NA + NV - 1);
		if (n == (size_t)last + 1) {
			assert_int_equal(st.visits_added, NV - 1);
			assert_int_equal(st.advs_added, NA);
			id = st.last_crawl_id;
		} else {
			assert_int_equal(st.visits_added + st.advs_added, 0);
		}
	}
	assert_int_equal(q("SELECT count(*) FROM visits WHERE crawl_id = %lld", (long long)id), NV - 1);
	/* No CrawlEnd in the journal: the crawl is marked aborted. */
	assert_int_equal(q("SELECT count(*) FROM crawls WHERE id = %lld AND status = 'aborted'", (long long)id), 1);
	/* The whole file brings the last visit, once. */
	struct journal_replay_stats st;
	assert_int_equal(journal_replay(p, db, &st, err, sizeof err), ERR_OK);
	assert_false(st.truncated);
	assert_int_equal(st.visits_added, 1);
	dbcheck_crawl(db, id, NV, NA);
	free(buf);
	unlink(cut);
	unlink(p);
}

/* The live writer stored part of the crawl before the database went away. */
static void test_overlap_with_writer(void **state)
{
	(void)state;
	char p[256], err[512];
	snprintf(p, sizeof p, "%s/overlap.journal", dir);
	write_journal(p, 30, true);
	struct crawl_rec c;
	crawl_rec_make(&c, 30, "replay");
	int64_t id;
	assert_int_equal(db_crawl_begin(db, &c, &id, NULL, err, sizeof err), ERR_OK);
	struct db_batch b;
	db_batch_init(&b);
	for (unsigned i = 0; i < NV / 2; i++) {
		struct visit_rec v;
		char pb[REC_POINT_TEXT_MAX];
		recfix_visit(&v, i, pb, sizeof pb);
		assert_int_equal(db_batch_add_visit(&b, &v), ERR_OK);
	}
	struct db_batch_result res;
	assert_int_equal(db_batch_apply_sync(db, id, &b, &res, err, sizeof err), ERR_OK);
	assert_int_equal(res.visits_added, NV / 2);
	db_batch_cleanup(&b);
	struct journal_replay_stats st;
	assert_int_equal(journal_replay(p, db, &st, err, sizeof err), ERR_OK);
	assert_int_equal(st.crawls_created, 0);
	assert_int_equal(st.visits_added, NV - NV / 2);
	assert_int_equal(st.advs_added, NA);
	dbcheck_crawl(db, id, NV, NA);
	assert_int_equal(q("SELECT count(*) FROM crawls WHERE id = %lld AND status = 'finished'", (long long)id), 1);
	unlink(p);
}

static void test_damaged_journals(void **state)
{
	(void)state;
	char p[256], err[512];
	struct journal_replay_stats st;
	assert_int_equal(journal_replay("/nonexistent/x.journal", db, &st, err, sizeof err), ERR_IO);
	assert_non_null(strstr(err, "journal: open /nonexistent/x.journal"));
	assert_int_equal(journal_replay(NULL, db, &st, err, sizeof err), ERR_INVAL);

	/* A visit before any crawl start. */
	snprintf(p, sizeof p, "%s/headless.journal", dir);
	unlink(p);
	struct journal_writer *w = journal_open(p, 0, NULL, err, sizeof err);
	struct visit_rec v;
	char pb[REC_POINT_TEXT_MAX];
	recfix_visit(&v, 0, pb, sizeof pb);
	assert_int_equal(journal_visit(w, &v), ERR_OK);
	assert_int_equal(journal_close(w), ERR_OK);
	assert_int_equal(journal_replay(p, db, &st, err, sizeof err), ERR_PROTO);
	assert_non_null(strstr(err, "before any crawl start"));

	/* Damage in the middle: what precedes it is loaded, then ERR_PROTO. */
	write_journal(p, 40, true);
	struct journal_reader *r = journal_reader_open(p, err, sizeof err);
	struct journal_entry e;
	uint64_t off = 0;
	while (journal_next(r, &e) == ERR_OK && e.kind != JOURNAL_END_OF_FILE)
		if (e.index == 1 + NA + 10)
			off = e.offset; /* the 11th visit */
	journal_reader_free(r);
	/* One flipped byte in the 11th visit's body: that visit alone is skipped,
	 * counted and reported; everything else is loaded, the end included. */
	FILE *f = fopen(p, "r+b");
	fseek(f, (long)off + 20, SEEK_SET);
	int ch = fgetc(f);
	fseek(f, (long)off + 20, SEEK_SET);
	fputc(ch ^ 0x01, f);
	fclose(f);
	assert_int_equal(journal_replay(p, db, &st, err, sizeof err), ERR_OK);
	assert_int_equal(st.corrupt, 1);
	assert_non_null(strstr(err, "1 damaged record(s) skipped"));
	assert_non_null(strstr(err, "checksum mismatch"));
	assert_int_equal(st.visits_read, NV - 1);
	assert_int_equal(st.visits_added, NV - 1);
	assert_int_equal(st.advs_added, NA);
	int64_t id = crawl_id_of(40);
	assert_int_equal(q("SELECT count(*) FROM crawls WHERE id = %lld AND status = 'finished'", (long long)id), 1);
	assert_int_equal(q("SELECT count(*) FROM visits WHERE crawl_id = %lld AND seq = 11", (long long)id), 0);
	unlink(p);

	/* Two crawls, the first without end, the second's start damaged: its
	 * rows must not be filed under the first crawl. */
	write_journal(p, 41, false);
	char p2[256];
	snprintf(p2, sizeof p2, "%s/second.journal", dir);
	write_journal(p2, 42, true);
	size_t l1, l2;
	FILE *a = fopen(p, "ab"), *b = fopen(p2, "rb");
	fseek(b, 0, SEEK_END);
	l2 = (size_t)ftell(b);
	fseek(b, 0, SEEK_SET);
	fseek(a, 0, SEEK_END);
	l1 = (size_t)ftell(a);
	uint8_t *tail = malloc(l2);
	assert_int_equal(fread(tail, 1, l2, b), l2);
	tail[8 + 12 + 3] ^= 0x40; /* inside the second CrawlStart's body */
	assert_int_equal(fwrite(tail + 8, 1, l2 - 8, a), l2 - 8); /* without its file header */
	fclose(a);
	fclose(b);
	free(tail);
	unlink(p2);
	(void)l1;
	assert_int_equal(journal_replay(p, db, &st, err, sizeof err), ERR_PROTO);
	assert_non_null(strstr(err, "does not continue the crawl"));
	assert_int_equal(st.corrupt, 1);
	int64_t id41 = crawl_id_of(41);
	assert_int_equal(q("SELECT count(*) FROM advertisements WHERE crawl_id = %lld", (long long)id41), NA);
	assert_int_equal(q("SELECT count(*) FROM visits WHERE crawl_id = %lld", (long long)id41), NV);
	unlink(p);
}

static void test_crawl_lifecycle(void **state)
{
	(void)state;
	char err[512];
	struct crawl_rec a, b, other, nullv;
	crawl_rec_make(&a, 50, "paris");
	crawl_rec_make(&b, 51, "paris");
	crawl_rec_make(&other, 52, "tokyo");
	crawl_rec_make(&nullv, 53, NULL);
	int64_t ia, ib, io, in;
	int aborted = -1;
	assert_int_equal(db_crawl_begin(db, &a, &ia, &aborted, err, sizeof err), ERR_OK);
	assert_int_equal(db_crawl_begin(db, &other, &io, &aborted, err, sizeof err), ERR_OK);
	assert_int_equal(db_crawl_begin(db, &nullv, &in, &aborted, err, sizeof err), ERR_OK);
	/* a crashed (still running); b starts from the same vantage and aborts it. */
	assert_int_equal(db_crawl_begin(db, &b, &ib, &aborted, err, sizeof err), ERR_OK);
	assert_int_equal(aborted, 1);
	assert_int_equal(q("SELECT count(*) FROM crawls WHERE id = %lld AND status = 'aborted'", (long long)ia), 1);
	assert_int_equal(q("SELECT count(*) FROM crawls WHERE id = %lld AND status = 'running'", (long long)io), 1);
	assert_int_equal(q("SELECT count(*) FROM crawls WHERE id = %lld AND status = 'running'", (long long)in), 1);
	/* Beginning the same uuid again returns the same id and aborts nothing. */
	int64_t again;
	assert_int_equal(db_crawl_begin(db, &b, &again, &aborted, err, sizeof err), ERR_OK);
	assert_int_equal(again, (long long)ib);
	assert_int_equal(aborted, 0);
	struct crawl_end_rec e = {.finished_at_us = 1764000200000000LL, .status = CRAWL_FINISHED};
	e.counts[VISIT_TIMEOUT] = 9;
	assert_int_equal(db_crawl_end(db, ib, &e, err, sizeof err), ERR_OK);
	assert_int_equal(q("SELECT count(*) FROM crawls WHERE id = %lld AND status = 'finished'"
			   " AND n_timeout = 9 AND n_ok = 0"
			   " AND finished_at = timestamptz '2025-11-24 16:03:20+00'",
			   (long long)ib),
			 1);
	assert_int_equal(db_crawl_end(db, 999999, &e, err, sizeof err), ERR_INVAL);
	assert_non_null(strstr(err, "no crawl with id 999999"));
	e.status = (enum crawl_status)44;
	assert_int_equal(db_crawl_end(db, ib, &e, err, sizeof err), ERR_INVAL);
	/* Bad JSON is the database's to refuse, with its message. */
	struct crawl_rec bad;
	crawl_rec_make(&bad, 54, "paris");
	bad.config_json = "{not json";
	int64_t ibad;
	assert_int_equal(db_crawl_begin(db, &bad, &ibad, &aborted, err, sizeof err), ERR_DB);
	assert_non_null(strstr(err, "json"));
	assert_int_equal(q("SELECT count(*) FROM crawls WHERE id = %lld AND status = 'running'", (long long)io), 1);
}

/*
 * Two crawlers of one vantage: the second is refused while the first's
 * session lives, and aborts nothing; a replay leaves a live crawl running;
 * once the first session is gone its crawl is marked aborted.
 */
static void test_vantage_lock(void **state)
{
	(void)state;
	char err[512];
	PGconn *c1 = db_connect(conninfo, err, sizeof err);
	PGconn *c2 = db_connect(conninfo, err, sizeof err);
	assert_non_null(c1);
	assert_non_null(c2);
	struct crawl_rec a, b, other;
	crawl_rec_make(&a, 60, "lyon");
	crawl_rec_make(&b, 61, "lyon");
	crawl_rec_make(&other, 62, "nice");
	int64_t ia, ib = 0, io;
	int aborted = -1;
	assert_int_equal(db_crawl_begin(c1, &a, &ia, &aborted, err, sizeof err), ERR_OK);
	assert_int_equal(db_crawl_begin(c2, &b, &ib, &aborted, err, sizeof err), ERR_STATE);
	assert_non_null(strstr(err, "another crawl of vantage lyon is running"));
	assert_int_equal(aborted, 0);
	assert_int_equal(q("SELECT count(*) FROM crawls WHERE id = %lld AND status = 'running'", (long long)ia), 1);
	assert_int_equal(q("SELECT count(*) FROM crawls WHERE vantage = 'lyon'"), 1);
	/* Another vantage is not held up. */
	assert_int_equal(db_crawl_begin(c2, &other, &io, &aborted, err, sizeof err), ERR_OK);
	/* A replay of a's journal without CrawlEnd while a runs: left running. */
	bool left = false;
	assert_int_equal(db_crawl_abort_if_running(db, ia, &left, err, sizeof err), ERR_OK);
	assert_true(left);
	assert_int_equal(q("SELECT count(*) FROM crawls WHERE id = %lld AND status = 'running'", (long long)ia), 1);
	/* The first crawler's process is gone: its session ends, so does its lock
	 * (the server notices a moment later: wait for its backend to leave). */
	int pid1 = PQbackendPID(c1);
	db_close(c1);
	for (int i = 0; i < 500 && q("SELECT count(*) FROM pg_stat_activity WHERE pid = %d", pid1); i++)
		usleep(10000);
	assert_int_equal(db_crawl_begin(c2, &b, &ib, &aborted, err, sizeof err), ERR_OK);
	assert_int_equal(aborted, 1);
	assert_int_equal(q("SELECT count(*) FROM crawls WHERE id = %lld AND status = 'aborted'", (long long)ia), 1);
	assert_int_equal(q("SELECT count(*) FROM crawls WHERE id = %lld AND status = 'running'", (long long)io), 1);
	/* The lock is free again once c2 ends: a replay may close b. */
	int pid2 = PQbackendPID(c2);
	db_close(c2);
	for (int i = 0; i < 500 && q("SELECT count(*) FROM pg_stat_activity WHERE pid = %d", pid2); i++)
		usleep(10000);
	assert_int_equal(db_crawl_abort_if_running(db, ib, &left, err, sizeof err), ERR_OK);
	assert_false(left);
	assert_int_equal(q("SELECT count(*) FROM crawls WHERE id = %lld AND status = 'aborted'", (long long)ib), 1);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int main(void)
{
	recfix_init();
	db = dbcheck_fresh(conninfo, sizeof conninfo);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_twice),
		cmocka_unit_test(test_truncated_every_offset),
		cmocka_unit_test(test_overlap_with_writer),
		cmocka_unit_test(test_damaged_journals),
		cmocka_unit_test(test_crawl_lifecycle),
		cmocka_unit_test(test_vantage_lock),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);
	db_close(db);
	return rc;
}
