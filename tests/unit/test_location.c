/*
 * Unit tests for analyzer/location: offline lookups in the Debian
 * libloc-database snapshot (data lookups in a file: no packet is sent), the
 * provider table and every error path of its parser.
 *
 * The expected answers are the snapshot's (0~20221029, IPFire Project):
 * `location --database /usr/share/libloc-location/location.db lookup
 * 8.8.8.8` says 8.8.8.0/24, US, AS15169 GOOGLE; 1.1.1.1 is 1.1.1.0/24, AU,
 * AS13335 CLOUDFLARENET.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analyzer/ipaddr.h"
#include "analyzer/location.h"

static void lookup(const struct location *l, const char *point, struct location_hit *h)
{
	struct ipaddr ip;
	if (ipaddr_of_point(point, &ip) != ERR_OK)
		fail_msg("ipaddr_of_point(%s) failed", point);
	location_lookup(l, &ip, h);
}

static void expect(const struct location *l, const char *point, uint32_t asn, const char *cc)
{
	struct location_hit h;
	lookup(l, point, &h);
	if (h.asn != asn || strcmp(h.country, cc))
		fail_msg("%s: AS%u %s, want AS%u %s", point, h.asn, h.country, asn, cc);
}

static void test_snapshot(void **state)
{
	(void)state;
	if (access(LOCATION_DB_SNAPSHOT, R_OK) != 0)
		fail_msg("%s missing: scripts/deps.sh check installs libloc-database",
		         LOCATION_DB_SNAPSHOT);
	struct location l;
	char err[256];
	assert_int_equal(location_open(&l, LOCATION_DB_SNAPSHOT, err, sizeof err), ERR_OK);
	assert_string_equal(l.vendor, "IPFire Project");
	assert_true(l.created >= 1666000000); /* 2022-10-17: the snapshot is of 2022-10-29 or later */
	expect(&l, "8.8.8.8:9732", 15169, "US");
	expect(&l, "1.1.1.1:9732", 13335, "AU");
	expect(&l, "[2001:4860:4860::8888]:9732", 15169, "US");
	/* IPv4-mapped IPv6 is the IPv4 address */
	expect(&l, "[::ffff:8.8.8.8]:9732", 15169, "US");
	expect(&l, "[::ffff:1.1.1.1]:1", 13335, "AU");
	/* no network: unknown, not an error */
	expect(&l, "127.0.0.1:9732", 0, "");
	expect(&l, "10.1.2.3:9732", 0, "");
	expect(&l, "[::1]:9732", 0, "");
	char name[LOCATION_NAME_MAX];
	location_as_name(&l, 15169, name, sizeof name);
	assert_string_equal(name, "GOOGLE");
	location_as_name(&l, 13335, name, sizeof name);
	assert_string_equal(name, "CLOUDFLARENET");
	location_as_name(&l, 0, name, sizeof name);
	assert_string_equal(name, "");
	location_close(&l);
	location_close(&l); /* twice is fine */
}

static void test_open_errors(void **state)
{
	(void)state;
	struct location l;
	char err[256];
	assert_int_equal(location_open(&l, "/nonexistent/location.db", err, sizeof err), ERR_IO);
	assert_non_null(strstr(err, "/nonexistent/location.db"));
	char path[] = "/tmp/test_location_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a database\n", 15), 15);
	close(fd);
	assert_int_equal(location_open(&l, path, err, sizeof err), ERR_CONFIG);
	assert_non_null(strstr(err, "not a libloc database"));
	unlink(path);
	/* lookups without a database answer unknown */
	struct location_hit h = {.asn = 7};
	struct ipaddr ip = {.v4 = true, .a = {8, 8, 8, 8}};
	location_lookup(NULL, &ip, &h);
	assert_int_equal(h.asn, 0);
}

static void test_default_path(void **state)
{
	(void)state;
	const char *p = location_default_path();
	assert_non_null(p); /* the snapshot is installed (test_snapshot) */
	if (access(LOCATION_DB_UPDATED, R_OK) == 0)
		assert_string_equal(p, LOCATION_DB_UPDATED);
	else
		assert_string_equal(p, LOCATION_DB_SNAPSHOT);
}

static void test_default_providers(void **state)
{
	(void)state;
	struct providers p = {0};
	char err[256];
	assert_int_equal(providers_load_default(&p, err, sizeof err), ERR_OK);
	assert_true(p.n >= 11);
	assert_string_equal(providers_of(&p, 16509), "Amazon Web Services");
	assert_string_equal(providers_of(&p, 24940), "Hetzner");
	assert_string_equal(providers_of(&p, 16276), "OVHcloud");
	assert_string_equal(providers_of(&p, 14061), "DigitalOcean");
	assert_null(providers_of(&p, 3320)); /* Deutsche Telekom: other */
	assert_null(providers_of(&p, 0));
	providers_free(&p);
	providers_free(&p);
}

static enum err load_text(const char *text, struct providers *p, char *err, size_t cap)
{
	return providers_load_buf(p, "t.yaml", (const unsigned char *)text, strlen(text), err, cap);
}

static void bad(const char *text, const char *msg)
{
	struct providers p = {0};
	char err[256] = "";
	enum err e = load_text(text, &p, err, sizeof err);
	if (e != ERR_CONFIG || !strstr(err, msg))
		fail_msg("%s: got %d '%s', want ERR_CONFIG with '%s'", text, e, err, msg);
	assert_int_equal(p.n, 0);
	assert_null(p.v);
}

static void test_provider_file(void **state)
{
	(void)state;
	struct providers p = {0};
	char err[256];
	assert_int_equal(load_text("providers:\n"
	                           "  - name: A\n    source: x\n    asns: [3, 1, 2]\n"
	                           "  - name: B\n    asns: [4294967295]\n",
	                           &p, err, sizeof err),
	                 ERR_OK);
	assert_int_equal(p.n, 2);
	assert_string_equal(providers_of(&p, 1), "A");
	assert_string_equal(providers_of(&p, 3), "A");
	assert_string_equal(providers_of(&p, 4294967295u), "B");
	assert_null(providers_of(&p, 5));
	/* an empty list is allowed: every node is then "other" */
	assert_int_equal(load_text("providers: []\n", &p, err, sizeof err), ERR_OK);
	assert_int_equal(p.n, 0);
	providers_free(&p);
	char path[] = "/tmp/test_providers_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *t = "providers:\n  - {name: C, asns: [7]}\n";
	assert_int_equal(write(fd, t, strlen(t)), (ssize_t)strlen(t));
	close(fd);
	assert_int_equal(providers_load(&p, path, err, sizeof err), ERR_OK);
	assert_string_equal(providers_of(&p, 7), "C");
	providers_free(&p);
	unlink(path);
	assert_int_equal(providers_load(&p, "/nonexistent/p.yaml", err, sizeof err), ERR_IO);
}

static void test_provider_errors(void **state)
{
	(void)state;
	bad("", "expected a mapping");
	bad("- a\n", "expected a mapping");
	bad("[unclosed\n", "t.yaml:");
	bad("other: 1\n", "unknown key (known: providers)");
	bad("providers: 1\n", "expected a sequence of providers");
	bad("providers:\n  - 1\n", "a provider is a mapping");
	bad("providers:\n  - {asns: [1]}\n", "needs name and asns");
	bad("providers:\n  - {name: A}\n", "needs name and asns");
	bad("providers:\n  - {name: '', asns: [1]}\n", "name: expected");
	bad("providers:\n  - {name: A, asns: 1}\n", "expected a sequence of AS numbers");
	bad("providers:\n  - {name: A, asns: [0]}\n", "AS numbers 1..4294967295");
	bad("providers:\n  - {name: A, asns: [-1]}\n", "AS numbers 1..4294967295");
	bad("providers:\n  - {name: A, asns: [4294967296]}\n", "AS numbers 1..4294967295");
	bad("providers:\n  - {name: A, asns: [12x]}\n", "AS numbers 1..4294967295");
	bad("providers:\n  - {name: A, asns: [[1]]}\n", "AS numbers 1..4294967295");
	bad("providers:\n  - {name: A, asns: [1], color: red}\n", "unknown key (known: name");
	bad("providers:\n  - {name: A, asns: [1], source: [x]}\n", "source: expected text");
	bad("providers:\n  - {name: A, asns: [1, 1]}\n", "AS1 is listed twice (A, A)");
	bad("providers:\n  - {name: A, asns: [1]}\n  - {name: B, asns: [2, 1]}\n",
	    "AS1 is listed twice (A, B)");
	bad("providers:\n  - {name: A, asns: [1]}\n  - {name: B, asns: [1]}\n", "t.yaml:3:");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_snapshot),
	    cmocka_unit_test(test_open_errors),
	    cmocka_unit_test(test_default_path),
	    cmocka_unit_test(test_default_providers),
	    cmocka_unit_test(test_provider_file),
	    cmocka_unit_test(test_provider_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
