/* Unit tests for listener/: settings (table, example, checks), class names, JSON rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "listener/config.h"
#include "listener/listen.h"
#include "listener/rows.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Every key of the table is named in the example (as "key:" or "# key:"). */
static void test_example_documents_every_key(void **state)
{
	(void)state;
	const char *text = slurp("config/listener.example.yaml");
	for (size_t i = 0; i < lsn_config_keys_n; i++) {
		char pat[128], pat2[128];
		snprintf(pat, sizeof pat, "\n%s:", lsn_config_keys[i].name);
		snprintf(pat2, sizeof pat2, "\n# %s:", lsn_config_keys[i].name);
		if (!strstr(text, pat) && !strstr(text, pat2))
			fail_msg("key %s is not in listener.example.yaml", lsn_config_keys[i].name);
	}
}

/* The example's values are the defaults. */
static void test_example_is_defaults(void **state)
{
	(void)state;
	struct lsn_config d, c;
	assert_int_equal(lsn_config_init(&d), ERR_OK);
	assert_int_equal(lsn_config_init(&c), ERR_OK);
	char err[256] = "";
	if (conf_load_file("config/listener.example.yaml", lsn_config_keys, lsn_config_keys_n, &c,
			   err, sizeof err) != ERR_OK)
		fail_msg("%s", err);
	assert_string_equal(c.identity, d.identity);
	assert_string_equal(c.vantage, d.vantage);
	assert_string_equal(c.chain, d.chain);
	assert_true(c.expected_pow == d.expected_pow);
	assert_int_equal(c.max_unfinished, 20);
	assert_int_equal(c.max_unfinished, d.max_unfinished);
	assert_int_equal(c.max_sessions, d.max_sessions);
	assert_int_equal(c.per_ip_sessions, d.per_ip_sessions);
	assert_int_equal(c.per_ip_per_minute, d.per_ip_per_minute);
	assert_int_equal(c.max_peers, d.max_peers);
	assert_true(c.auth_timeout == d.auth_timeout);
	assert_true(c.session_time == d.session_time);
	assert_true(c.advertise_wait == d.advertise_wait);
	assert_true(c.dialback_interval == 6 * 3600.0);
	assert_true(c.dialback_interval == d.dialback_interval);
	assert_true(c.dialback_delay == d.dialback_delay);
	assert_true(c.dialback_timeout == d.dialback_timeout);
	assert_int_equal(c.max_dialbacks, d.max_dialbacks);
	assert_true(c.metrics_interval == d.metrics_interval);
	assert_int_equal(c.announce_port, 0);
	lsn_config_free(&c);
	lsn_config_free(&d);
}

static enum err validate(struct lsn_config *c, char *err, size_t cap)
{
	struct policy p;
	struct point pt;
	uint8_t cid[4];
	bool known;
	return lsn_config_validate(c, &p, &pt, cid, &known, err, cap);
}

static void test_validate(void **state)
{
	(void)state;
	struct lsn_config c;
	char err[256];
	assert_int_equal(lsn_config_init(&c), ERR_OK);
	assert_int_equal(validate(&c, err, sizeof err), ERR_CONFIG); /* no listen */
	assert_non_null(strstr(err, "listen: required"));
	assert_int_equal(conf_set(lsn_config_keys, lsn_config_keys_n, &c, "listen", "localhost:9732",
				  err, sizeof err),
			 ERR_OK);
	assert_int_equal(validate(&c, err, sizeof err), ERR_CONFIG); /* a name, not an address */
	assert_int_equal(conf_set(lsn_config_keys, lsn_config_keys_n, &c, "listen", "127.0.0.1:0",
				  err, sizeof err),
			 ERR_OK);
	assert_int_equal(validate(&c, err, sizeof err), ERR_CONFIG); /* port 0 */
	assert_int_equal(conf_set(lsn_config_keys, lsn_config_keys_n, &c, "listen", "[::1]:9732",
				  err, sizeof err),
			 ERR_OK);
	assert_int_equal(validate(&c, err, sizeof err), ERR_OK);
	assert_int_equal(
	    conf_set(lsn_config_keys, lsn_config_keys_n, &c, "allow", "10.0.0.0/33", err, sizeof err),
	    ERR_OK);
	assert_int_equal(validate(&c, err, sizeof err), ERR_CONFIG);
	assert_non_null(strstr(err, "allow:"));
	conf_strlist_clear(&c.allow);
	assert_int_equal(conf_set(lsn_config_keys, lsn_config_keys_n, &c, "chain_id", "NetXnope",
				  err, sizeof err),
			 ERR_OK);
	assert_int_equal(validate(&c, err, sizeof err), ERR_CONFIG);
	assert_non_null(strstr(err, "chain_id:"));
	assert_int_equal(conf_set(lsn_config_keys, lsn_config_keys_n, &c, "chain_id",
				  "NetXdQprcVkpaWU", err, sizeof err),
			 ERR_OK);
	struct policy p;
	struct point pt;
	uint8_t cid[4];
	bool known = false;
	assert_int_equal(lsn_config_validate(&c, &p, &pt, cid, &known, err, sizeof err), ERR_OK);
	assert_true(known);
	assert_int_equal(pt.port, 9732);
	/* out of range values are refused by the table */
	assert_int_equal(conf_set(lsn_config_keys, lsn_config_keys_n, &c, "max_unfinished", "0", err,
				  sizeof err),
			 ERR_CONFIG);
	lsn_config_free(&c);
}

/* The contract names, exactly. */
static void test_class_names(void **state)
{
	(void)state;
	static const char *const want[NAT_CLASS_N] = {"reachable",  "nat_refused", "nat_silent",
						      "port_zero",  "other_peer",  "not_dialed"};
	for (int i = 0; i < NAT_CLASS_N; i++)
		assert_string_equal(nat_class_str((enum nat_class)i), want[i]);
}

static void test_rows(void **state)
{
	(void)state;
	struct lsn_session_rec r = {.seq = 7,
				    .started_us = 1700000000123456LL,
				    .ended_us = 1700000001000000LL,
				    .source = point_v4(0x7f000001u, 40000),
				    .end_reason = "auth_timeout"};
	json_t *o = rows_session(&r);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "started_at")),
			    "2023-11-14T22:13:20.123456Z");
	assert_string_equal(json_string_value(json_object_get(o, "source_addr")), "127.0.0.1");
	assert_int_equal(json_integer_value(json_object_get(o, "source_port")), 40000);
	assert_null(json_object_get(o, "peer_id")); /* no connection message: absent */
	assert_null(json_object_get(o, "private_node"));
	json_decref(o);
	static const uint8_t chain[] = {'T', 'E', 0x00, 0xff, 'Z'};
	r.have_conn = true;
	r.chain = chain;
	r.chain_len = sizeof chain;
	o = rows_session(&r);
	assert_string_equal(json_string_value(json_object_get(o, "chain_name")),
			    "TE\xef\xbf\xbd\xef\xbf\xbdZ");
	assert_non_null(json_object_get(o, "peer_id"));
	json_decref(o);

	struct lsn_dialback_rec d = {.seq = 1, .target = point_v4(0x7f000002u, 0),
				     .cls = NAT_PORT_ZERO, .connect_ms = -1};
	o = rows_dialback(&d);
	assert_string_equal(json_string_value(json_object_get(o, "class")), "port_zero");
	assert_null(json_object_get(o, "connect_ms"));
	assert_null(json_object_get(o, "reached_peer_id"));
	json_decref(o);

	json_t *b = rows_batch_new(), *b2 = rows_batch_new();
	json_array_append_new(json_object_get(b, "dialbacks"), rows_dialback(&d));
	json_array_append_new(json_object_get(b2, "sessions"), rows_session(&r));
	assert_int_equal(rows_batch_n(b), 1);
	rows_batch_merge(b, b2);
	assert_int_equal(rows_batch_n(b), 2);
	json_decref(b);
	json_decref(b2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_example_documents_every_key),
	    cmocka_unit_test(test_example_is_defaults),
	    cmocka_unit_test(test_validate),
	    cmocka_unit_test(test_class_names),
	    cmocka_unit_test(test_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
