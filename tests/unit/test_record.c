/* lib/db/record: stable names, parsing, point text, record checks (every error path). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "db/record.h"

static void test_outcome_names(void **state)
{
	(void)state;
	/* These names are stored: they must never change. */
	static const char *const want[VISIT_OUTCOME_N] = {
		"ok", "nack", "refused", "timeout", "unreachable", "silent_close", "closed",
		"handshake_timeout", "protocol_error", "incompatible", "self", "policy",
		"local_error", "foreign"};
	for (int i = 0; i < VISIT_OUTCOME_N; i++) {
		assert_string_equal(visit_outcome_str((enum visit_outcome)i), want[i]);
		enum visit_outcome o;
		assert_int_equal(visit_outcome_parse(want[i], strlen(want[i]), &o), ERR_OK);
		assert_int_equal(o, i);
	}
	assert_string_equal(visit_outcome_str((enum visit_outcome)VISIT_OUTCOME_N), "?");
	enum visit_outcome o;
	assert_int_equal(visit_outcome_parse("OK", 2, &o), ERR_INVAL);
	assert_int_equal(visit_outcome_parse("o", 1, &o), ERR_INVAL);
	assert_int_equal(visit_outcome_parse("okay", 4, &o), ERR_INVAL);
	assert_int_equal(visit_outcome_parse("ok", 3, &o), ERR_INVAL); /* includes the NUL */
	assert_int_equal(visit_outcome_parse(NULL, 0, &o), ERR_INVAL);
}

static void test_status_and_source_names(void **state)
{
	(void)state;
	static const char *const st[] = {"running", "finished", "aborted", "failed"};
	for (int i = 0; i < CRAWL_STATUS_N; i++) {
		enum crawl_status s;
		assert_string_equal(crawl_status_str((enum crawl_status)i), st[i]);
		assert_int_equal(crawl_status_parse(st[i], strlen(st[i]), &s), ERR_OK);
		assert_int_equal(s, i);
	}
	enum crawl_status s;
	assert_int_equal(crawl_status_parse("done", 4, &s), ERR_INVAL);
	assert_string_equal(crawl_status_str((enum crawl_status)9), "?");
	enum adv_source a;
	assert_string_equal(adv_source_str(ADV_ADVERTISE), "advertise");
	assert_string_equal(adv_source_str(ADV_NACK), "nack");
	assert_string_equal(adv_source_str(ADV_FOREIGN_NACK), "foreign_nack");
	assert_string_equal(adv_source_str((enum adv_source)3), "?");
	assert_int_equal(adv_source_parse("foreign_nack", 12, &a), ERR_OK);
	assert_int_equal(a, ADV_FOREIGN_NACK);
	assert_int_equal(adv_source_parse("nack", 4, &a), ERR_OK);
	assert_int_equal(a, ADV_NACK);
	assert_int_equal(adv_source_parse("ack", 3, &a), ERR_INVAL);
}

static void test_point_split(void **state)
{
	(void)state;
	uint8_t addr[16];
	uint16_t port;
	bool v4;
	assert_int_equal(rec_point_split("1.2.3.4:9732", addr, &port, &v4), ERR_OK);
	assert_true(v4);
	assert_int_equal(port, 9732);
	assert_memory_equal(addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff\x01\x02\x03\x04", 16);
	assert_int_equal(rec_point_split("[::1]:0", addr, &port, &v4), ERR_OK);
	assert_false(v4);
	assert_int_equal(port, 0);
	assert_int_equal(addr[15], 1);
	assert_int_equal(rec_point_split("[2001:db8::7]:65535", addr, &port, &v4), ERR_OK);
	assert_int_equal(port, 65535);
	static const char *const bad[] = {
		"", "1.2.3.4", "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:-1", "1.2.3.4:+1",
		"1.2.3.4:99999", "1.2.3.4:0x10", "1.2.3:80", "1.2.3.4.5:80", "::1:80",
		"[::1]80", "[::1]:", "[::1:80", "[1.2.3.4:80", "host:80", " 1.2.3.4:80",
		"1.2.3.4:80 ", "1.2.3.4:123456",
		"[0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000]:1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(rec_point_split(bad[i], addr, &port, &v4), ERR_INVAL);
	assert_int_equal(rec_point_split(NULL, addr, &port, &v4), ERR_INVAL);
}

static void test_visit_check(void **state)
{
	(void)state;
	struct visit_rec v;
	visit_rec_init(&v);
	assert_int_equal(v.connect_ms, REC_ABSENT_I32);
	assert_int_equal(v.private_node, REC_BOOL_ABSENT);
	assert_int_equal(v.nack_motive, REC_NACK_MOTIVE_ABSENT);
	assert_int_equal(visit_rec_check(&v), ERR_INVAL); /* no point */
	v.point = "10.0.0.1:9732";
	assert_int_equal(visit_rec_check(&v), ERR_OK);
	struct visit_rec b;

#define BAD(stmt)                                             \
	do {                                                  \
		b = v;                                        \
		stmt;                                         \
		assert_int_equal(visit_rec_check(&b), ERR_INVAL); \
	} while (0)
	BAD(b.outcome = (enum visit_outcome)VISIT_OUTCOME_N);
	BAD(b.connect_ms = -2);
	BAD(b.handshake_ms = -5);
	BAD(b.advertised_port = 65536);
	BAD(b.pow_bits = 257);
	BAD(b.ddb_version = 70000);
	BAD(b.p2p_version = -3);
	BAD(b.disable_mempool = 2);
	BAD(b.private_node = -2);
	BAD(b.nack_motive = 40000);
	BAD(b.chain_name_len = 3);
	BAD(b.peer_id = "");
	BAD(b.seq = (uint64_t)INT64_MAX + 1);
	BAD(b.point = "nowhere");
#undef BAD
	b = v;
	b.nack_motive = -32768;
	b.chain_name = (const uint8_t *)"";
	b.chain_name_len = 0;
	assert_int_equal(visit_rec_check(&b), ERR_OK);
	assert_int_equal(visit_rec_check(NULL), ERR_INVAL);
}

static void test_adv_check(void **state)
{
	(void)state;
	struct point v6 = {.addr = {[15] = 2}, .port = 2};
	struct adv_rec a = {.seq = 1, .from = point_v4(0x01010101, 1), .to = v6,
			    .source = ADV_ADVERTISE, .round = 1, .rank = 0, .list_len = 1};
	assert_int_equal(adv_rec_check(&a), ERR_OK);
	struct adv_rec b = a;
	b.rank = 1;
	assert_int_equal(adv_rec_check(&b), ERR_INVAL);
	b = a;
	b.list_len = 0;
	assert_int_equal(adv_rec_check(&b), ERR_INVAL);
	b = a;
	b.source = (enum adv_source)7;
	assert_int_equal(adv_rec_check(&b), ERR_INVAL);
	b = a;
	b.round = 0x80000000u;
	assert_int_equal(adv_rec_check(&b), ERR_INVAL);
	assert_int_equal(adv_rec_check(NULL), ERR_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcome_names),   cmocka_unit_test(test_status_and_source_names),
		cmocka_unit_test(test_point_split),     cmocka_unit_test(test_visit_check),
		cmocka_unit_test(test_adv_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
