/* lib/db/batch: the safe text form, COPY line encoding, all-or-nothing appends. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "db/batch.h"

static void safe_is(const char *in, size_t len, const char *want)
{
	struct buf b = {0};
	assert_int_equal(db_text_safe(&b, (const uint8_t *)in, len), ERR_OK);
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.p, want, b.len);
	buf_free(&b);
}

#define R "\xef\xbf\xbd" /* U+FFFD */

static void test_text_safe(void **state)
{
	(void)state;
	safe_is("TEZOS_MAINNET", 13, "TEZOS_MAINNET");
	safe_is("", 0, "");
	safe_is("a\0b", 3, "a" R "b");                       /* NUL */
	safe_is("caf\xc3\xa9", 5, "caf\xc3\xa9");             /* 2-byte */
	safe_is("\xe2\x82\xac", 3, "\xe2\x82\xac");           /* 3-byte */
	safe_is("\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80");   /* 4-byte */
	safe_is("\xc0\xaf", 2, R R);                          /* overlong '/' */
	safe_is("\xe0\x80\xaf", 3, R R R);                    /* overlong 3-byte */
	safe_is("\xed\xa0\x80", 3, R R R);                    /* surrogate */
	safe_is("\xf4\x90\x80\x80", 4, R R R R);              /* above U+10FFFF */
	safe_is("\xf5\x80", 2, R R);
	safe_is("\xe2\x82", 2, R R);                          /* cut sequence at the end */
	safe_is("\xe2\x82x", 3, R R "x");                     /* cut sequence in the middle */
	safe_is("\x80", 1, R);                                /* lone continuation */
	safe_is("\xff\xfe", 2, R R);
	safe_is("back\\slash", 10, "back\\slash");               /* kept as it is */
	/* Control characters a terminal would obey: written as visible \xHH. */
	safe_is("tab\tnl\n", 7, "tab\\x09nl\\x0a");
	safe_is("\x1b]0;pwned\x07\x1b[2J", 14, "\\x1b]0;pwned\\x07\\x1b[2J");
	safe_is("\x01\x1f\x7f", 3, "\\x01\\x1f\\x7f");
	safe_is("\xc2\x9b" "31m\xc2\x80\xc2\x9f\xc2\xa0", 11, "\\x9b" "31m\\x80\\x9f\xc2\xa0"); /* C1; NBSP kept */
	safe_is("\\x1b", 4, "\\x1b"); /* its own safe form */
}

static void test_copy_lines(void **state)
{
	(void)state;
	struct db_batch b;
	db_batch_init(&b);
	struct visit_rec v;
	visit_rec_init(&v);
	v.seq = 7;
	v.point = "[2001:db8::1]:9732";
	v.started_at_us = -5;
	v.outcome = VISIT_SILENT_CLOSE;
	v.error = "a\tb\nc\\d\re";
	v.chain_name = (const uint8_t *)"x\\\0\xff";
	v.chain_name_len = 4;
	v.nack_motive = -3;
	v.private_node = 1;
	v.disable_mempool = 0;
	assert_int_equal(db_batch_add_visit(&b, &v), ERR_OK);
	const char *want = "7\t2001:db8::1\t9732\t-5\tsilent_close\t1\ta\\\\x09b\\\\x0ac\\\\d\\\\x0de\t\\N\t\\N\t"
			   "\\N\t\\N\t\\N\t\\N\tx\\\\" R R "\t\\\\x785c00ff\t\\N\t\\N\tf\tt\t-3\t"
			   "\\N\t\\N\t\\N\n";
	assert_int_equal(b.visits.len, strlen(want));
	assert_memory_equal(b.visits.p, want, b.visits.len);
	assert_int_equal(b.visits_n, 1);

	struct adv_rec a = {.seq = 3, .from = point_v4(0x01020304, 1), .to = point_v4(0x05060708, 65535),
			    .source = ADV_NACK, .round = 0, .rank = 1, .list_len = 2,
			    .seen_at_us = 1764000000000001LL};
	assert_int_equal(db_batch_add_adv(&b, &a), ERR_OK);
	const char *wa = "3\t1.2.3.4\t1\t5.6.7.8\t65535\tnack\t0\t1\t2\t1764000000000001\n";
	assert_int_equal(b.advs.len, strlen(wa));
	assert_memory_equal(b.advs.p, wa, b.advs.len);
	assert_int_equal(db_batch_rows(&b), 2);
	assert_int_equal(db_batch_bytes(&b), strlen(want) + strlen(wa));

	/* An RPC answer: a release, then an error; NULL columns as \N. */
	struct rpc_rec r;
	rpc_rec_init(&r);
	r.point = "1.2.3.4:9732";
	r.peer_id = "idX";
	r.port = 8732;
	r.probed_at_us = 11;
	r.http_status = 200;
	r.major = 22;
	r.minor = 1;
	r.additional_info = "release";
	r.commit_hash = "ab";
	r.commit_date = "2025-06-02 09:00:00 +0000";
	assert_int_equal(db_batch_add_rpc(&b, &r), ERR_OK);
	struct rpc_rec e;
	rpc_rec_init(&e);
	e.point = "[::1]:9733";
	e.port = 18732;
	e.probed_at_us = 12;
	e.error = "timeout: no\tanswer";
	assert_int_equal(db_batch_add_rpc(&b, &e), ERR_OK);
	const char *wr = "1.2.3.4\t9732\t8732\t11\tidX\t200\t22\t1\trelease\tab\t"
			 "2025-06-02 09:00:00 +0000\t\\N\n"
			 "::1\t9733\t18732\t12\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t"
			 "timeout: no\\\\x09answer\n"; /* a control byte is stored as \x09 */
	assert_int_equal(b.rpcs.len, strlen(wr));
	assert_memory_equal(b.rpcs.p, wr, b.rpcs.len);
	assert_int_equal(b.rpcs_n, 2);
	assert_int_equal(db_batch_rows(&b), 4);
	assert_int_equal(db_batch_bytes(&b), strlen(want) + strlen(wa) + strlen(wr));
	/* refused: an error with a version, a release without additional_info */
	e.major = 1;
	assert_int_equal(db_batch_add_rpc(&b, &e), ERR_INVAL);
	r.additional_info = NULL;
	assert_int_equal(db_batch_add_rpc(&b, &r), ERR_INVAL);
	assert_int_equal(b.rpcs_n, 2);

	/* A refused row leaves the batch as it was. */
	size_t before = db_batch_bytes(&b);
	v.point = "1.2.3.4:70000";
	assert_int_equal(db_batch_add_visit(&b, &v), ERR_INVAL);
	a.rank = 2;
	assert_int_equal(db_batch_add_adv(&b, &a), ERR_INVAL);
	assert_int_equal(db_batch_bytes(&b), before);
	assert_int_equal(db_batch_rows(&b), 4);

	db_batch_clear(&b);
	assert_int_equal(db_batch_rows(&b), 0);
	assert_int_equal(db_batch_bytes(&b), 0);
	db_batch_cleanup(&b);
	db_batch_cleanup(&b); /* twice is fine */
}

/* Integers and points are formatted by hand: the same text as printf's, at the extremes. */
static void test_number_fields(void **state)
{
	(void)state;
	static const int64_t vals[] = {0, 1, -1, 9, 10, -10, 99, 100, 4294967295LL,
				       -4294967296LL, INT64_MAX, INT64_MIN, INT64_MIN + 1};
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		struct db_batch b;
		db_batch_init(&b);
		struct point v6 = {.addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, .port = 0};
		struct adv_rec a = {.seq = (uint64_t)(vals[i] < 0 ? -(vals[i] + 1) : vals[i]),
				    .from = point_v4(0xff000a01, 80),
				    .to = v6,
				    .source = ADV_ADVERTISE,
				    .round = UINT32_MAX >> 1,
				    .rank = 0,
				    .list_len = 100,
				    .seen_at_us = vals[i]};
		assert_int_equal(db_batch_add_adv(&b, &a), ERR_OK);
		char want[256];
		snprintf(want, sizeof want,
			 "%" PRIu64 "\t255.0.10.1\t80\t2001:db8::1\t0\tadvertise\t%u\t0\t100\t%" PRId64
			 "\n",
			 a.seq, (unsigned)a.round, vals[i]);
		assert_int_equal(b.advs.len, strlen(want));
		assert_memory_equal(b.advs.p, want, b.advs.len);

		struct visit_rec v;
		visit_rec_init(&v);
		v.seq = a.seq;
		v.point = "[2001:DB8:0:0::1]:65535";
		v.started_at_us = vals[i];
		v.outcome = VISIT_OK;
		v.attempt = UINT32_MAX;
		v.connect_ms = INT32_MAX;
		v.handshake_ms = 0;
		v.nack_motive = INT16_MIN;
		v.has_head = true;
		v.head_level = INT32_MIN;
		v.head_timestamp = vals[i];
		uint8_t hash[REC_BLOCK_HASH_LEN] = {0};
		v.head_hash = hash;
		assert_int_equal(db_batch_add_visit(&b, &v), ERR_OK);
		snprintf(want, sizeof want,
			 "%" PRIu64 "\t2001:db8::1\t65535\t%" PRId64 "\tok\t%u\t\\N\t%d\t0\t\\N\t\\N\t"
			 "\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t%d\t%d\t%" PRId64 "\t\\\\x",
			 v.seq, vals[i], (unsigned)UINT32_MAX, INT32_MAX, INT16_MIN, INT32_MIN, vals[i]);
		assert_true(b.visits.len > strlen(want));
		assert_memory_equal(b.visits.p, want, strlen(want));
		assert_int_equal(b.visits.len, strlen(want) + 2 * REC_BLOCK_HASH_LEN + 1);
		db_batch_cleanup(&b);
	}
}

static void test_upsert_sql(void **state)
{
	(void)state;
	char sql[DB_UPSERT_SQL_MAX];
	assert_int_equal(db_upsert_sql(DB_UPSERT_VISITS, 12345, sql, sizeof sql), ERR_OK);
	assert_non_null(strstr(sql, "SELECT 12345, s.seq"));
	assert_non_null(strstr(sql, "ON CONFLICT (crawl_id, seq) DO NOTHING"));
	assert_int_equal(db_upsert_sql(DB_UPSERT_ADVS, -1, sql, sizeof sql), ERR_OK);
	assert_non_null(strstr(sql, "SELECT -1, s.seq"));
	assert_int_equal(db_upsert_sql(DB_UPSERT_POINTS, 1, sql, 10), ERR_FULL);
	assert_int_equal(db_upsert_sql((enum db_upsert_stmt)DB_UPSERT_N, 1, sql, sizeof sql), ERR_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_safe),
		cmocka_unit_test(test_copy_lines),
		cmocka_unit_test(test_number_fields),
		cmocka_unit_test(test_upsert_sql),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
