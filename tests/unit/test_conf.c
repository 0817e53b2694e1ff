/* Unit tests for lib/conf: YAML -> struct with positioned errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf.h"

struct cfg {
	bool json;
	long long concurrency;
	double pow;
	char *chain;
	struct conf_strlist seeds;
	long long lat_min;
	double share_public;
	double share_other;
};

static enum err set_share(void *out, const char *name, const char *value, char *err, size_t cap)
{
	struct cfg *c = out;
	char *end;
	double v = strtod(value, &end);
	if (end == value || *end || v < 0 || v > 1) {
		snprintf(err, cap, "expected a share in [0, 1]");
		return ERR_CONFIG;
	}
	if (strcmp(name, "mix.public") == 0)
		c->share_public = v;
	else if (strcmp(name, "mix.other") == 0)
		c->share_other = v;
	else {
		snprintf(err, cap, "unknown behaviour");
		return ERR_CONFIG;
	}
	return ERR_OK;
}

static const struct conf_key keys[] = {
	{"json", CONF_BOOL, offsetof(struct cfg, json), 0, 0, "JSON output", NULL, NULL},
	{"concurrency", CONF_INT, offsetof(struct cfg, concurrency), 1, 100000, "", NULL, "1000"},
	{"expected_pow", CONF_DOUBLE, offsetof(struct cfg, pow), 0, 256, "", NULL, "0.1"},
	{"chain", CONF_STRING, offsetof(struct cfg, chain), 0, 0, "", NULL, "TEZOS_MAINNET"},
	{"seeds", CONF_STRLIST, offsetof(struct cfg, seeds), 0, 0, "", NULL, NULL},
	{"latency.min_ms", CONF_INT, offsetof(struct cfg, lat_min), 0, 60000, "", NULL, NULL},
	{"mix.*", CONF_CUSTOM, 0, 0, 0, "", set_share, NULL},
};
#define NKEYS (sizeof keys / sizeof keys[0])

static enum err load(struct cfg *c, const char *text, char *err, size_t cap)
{
	return conf_load_buf("t.yaml", text, strlen(text), keys, NKEYS, c, err, cap);
}

/* conf_defaults sets the keys with a def, parsed like a file's value; others stay. */
static void test_defaults(void **state)
{
	(void)state;
	struct cfg c = {0};
	c.lat_min = 7;
	char err[256] = "";
	assert_int_equal(conf_defaults(keys, NKEYS, &c, err, sizeof err), ERR_OK);
	assert_int_equal(c.concurrency, 1000);
	assert_true(c.pow == 0.1);
	assert_string_equal(c.chain, "TEZOS_MAINNET");
	assert_int_equal(c.lat_min, 7);
	assert_false(c.json);
	conf_free(keys, NKEYS, &c);
	/* a default outside its own range is a table mistake, reported by name */
	static const struct conf_key bad[] = {
		{"concurrency", CONF_INT, offsetof(struct cfg, concurrency), 1, 10, "", NULL, "11"},
	};
	assert_int_equal(conf_defaults(bad, 1, &c, err, sizeof err), ERR_CONFIG);
	assert_non_null(strstr(err, "concurrency"));
}

static void test_all_types(void **state)
{
	(void)state;
	struct cfg c = {0};
	char err[256] = "";
	const char *y = "json: yes\n"
			"concurrency: 512\n"
			"expected_pow: 25.5\n"
			"chain: TEZOS_MAINNET\n"
			"seeds:\n  - a:1\n  - '[::1]:9732'\n"
			"latency:\n  min_ms: 20\n"
			"mix:\n  public: 0.25\n  other: 0.75\n";
	assert_int_equal(load(&c, y, err, sizeof err), ERR_OK);
	assert_true(c.json);
	assert_int_equal(c.concurrency, 512);
	assert_true(c.pow == 25.5);
	assert_string_equal(c.chain, "TEZOS_MAINNET");
	assert_int_equal(c.seeds.n, 2);
	assert_string_equal(c.seeds.v[1], "[::1]:9732");
	assert_int_equal(c.lat_min, 20);
	assert_true(c.share_public == 0.25 && c.share_other == 0.75);
	conf_free(keys, NKEYS, &c);
	conf_free(keys, NKEYS, &c); /* twice is harmless */
	assert_null(c.chain);
}

static void expect_error(const char *y, const char *msg)
{
	struct cfg c = {0};
	char err[256] = "";
	assert_int_equal(load(&c, y, err, sizeof err), ERR_CONFIG);
	if (!strstr(err, msg))
		fail_msg("error '%s' does not contain '%s'", err, msg);
	conf_free(keys, NKEYS, &c);
}

static void test_errors_have_positions(void **state)
{
	(void)state;
	expect_error("json: true\nbogus: 1\n", "t.yaml:2:1: unknown key 'bogus'");
	expect_error("concurrency: 0\n", "t.yaml:1:14: concurrency: 0 is out of range [1, 100000]");
	expect_error("concurrency: 12abc\n", "t.yaml:1:14: concurrency: expected an integer");
	expect_error("expected_pow: nan\n", "expected a number");
	expect_error("json: maybe\n", "expected a boolean");
	expect_error("json: true\njson: false\n", "t.yaml:2:1: duplicate key 'json'");
	expect_error("latency:\n  max_ms: 3\n", "t.yaml:2:3: unknown key 'latency.max_ms'");
	expect_error("latency: 3\n", "unknown key 'latency'");
	expect_error("chain: [a, b]\n", "chain: expected a string, got a list");
	expect_error("seeds: [[a]]\n", "list items must be plain values");
	expect_error("mix:\n  public: 2\n", "t.yaml:2:11: mix.public: expected a share in [0, 1]");
	expect_error("mix:\n  weird: 0.1\n", "unknown behaviour");
	expect_error("- a\n- b\n", "must be a mapping");
	expect_error("chain: 'open\n", "YAML syntax error");
	expect_error("chain: &a x\nseeds: *a\n", "aliases are not supported");
	expect_error("a.b: 1\n", "bad key");
}

static void test_empty_and_override(void **state)
{
	(void)state;
	struct cfg c = {0};
	char err[256] = "";
	assert_int_equal(load(&c, "", err, sizeof err), ERR_OK);
	assert_int_equal(load(&c, "# only a comment\n", err, sizeof err), ERR_OK);
	assert_int_equal(conf_set(keys, NKEYS, &c, "concurrency", "7", err, sizeof err), ERR_OK);
	assert_int_equal(c.concurrency, 7);
	assert_int_equal(conf_set(keys, NKEYS, &c, "concurrency", "-1", err, sizeof err),
			 ERR_CONFIG);
	assert_non_null(strstr(err, "concurrency: -1 is out of range"));
	assert_int_equal(conf_set(keys, NKEYS, &c, "nope", "1", err, sizeof err), ERR_CONFIG);
	assert_int_equal(conf_set(keys, NKEYS, &c, "seeds", "x:1", err, sizeof err), ERR_OK);
	assert_int_equal(conf_set(keys, NKEYS, &c, "seeds", "y:2", err, sizeof err), ERR_OK);
	assert_int_equal(c.seeds.n, 2); /* flags append */
	assert_int_equal(load(&c, "seeds: [z:3]\n", err, sizeof err), ERR_OK);
	assert_int_equal(c.seeds.n, 1); /* a file value replaces */
	assert_int_equal(conf_set(keys, NKEYS, &c, "chain", "A", err, sizeof err), ERR_OK);
	assert_int_equal(conf_set(keys, NKEYS, &c, "chain", "B", err, sizeof err), ERR_OK);
	assert_string_equal(c.chain, "B");
	conf_free(keys, NKEYS, &c);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct cfg c = {0};
	char err[256] = "";
	assert_int_equal(conf_load_file("/nonexistent/tz.yaml", keys, NKEYS, &c, err, sizeof err),
			 ERR_IO);
	assert_non_null(strstr(err, "/nonexistent/tz.yaml"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_types),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors_have_positions),
		cmocka_unit_test(test_empty_and_override),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
