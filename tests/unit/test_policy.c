/* Unit tests for lib/net/policy: CIDR parsing, default deny, allow/deny precedence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "net/policy.h"

/* Test helper: text address -> 16-byte form (IPv4 as v4-mapped). */
static void addr_of(const char *text, uint8_t a[16])
{
	struct in_addr v4;
	struct in6_addr v6;
	memset(a, 0, 16);
	if (inet_pton(AF_INET, text, &v4) == 1) {
		a[10] = a[11] = 0xff;
		memcpy(a + 12, &v4, 4);
	} else {
		assert_int_equal(inet_pton(AF_INET6, text, &v6), 1);
		memcpy(a, &v6, 16);
	}
}

static enum policy_kind kind_of(const struct policy *p, const char *text)
{
	uint8_t a[16];
	addr_of(text, a);
	return policy_check(p, a).kind;
}

static const char *why_of(const struct policy *p, const char *text)
{
	uint8_t a[16];
	addr_of(text, a);
	return policy_check(p, a).why;
}

static void test_cidr_parse(void **state)
{
	(void)state;
	struct cidr c;
	char out[CIDR_TEXT_MAX];
	assert_int_equal(cidr_parse("10.0.0.0/8", &c), ERR_OK);
	assert_int_equal(c.bits, 104);
	cidr_format(&c, out, sizeof out);
	assert_string_equal(out, "10.0.0.0/8");
	assert_int_equal(cidr_parse("fe80::/10", &c), ERR_OK);
	assert_int_equal(c.bits, 10);
	cidr_format(&c, out, sizeof out);
	assert_string_equal(out, "fe80::/10");
	assert_int_equal(cidr_parse("::1", &c), ERR_OK);
	assert_int_equal(c.bits, 128);
	assert_int_equal(cidr_parse("127.0.0.1", &c), ERR_OK);
	assert_int_equal(c.bits, 128);
	assert_int_equal(cidr_parse("0.0.0.0/0", &c), ERR_OK);
	assert_int_equal(c.bits, 96);
}

static void test_cidr_parse_errors(void **state)
{
	(void)state;
	struct cidr c;
	assert_int_equal(cidr_parse("", &c), ERR_CONFIG);
	assert_int_equal(cidr_parse("10.0.0.1/8", &c), ERR_CONFIG); /* host bits */
	assert_int_equal(cidr_parse("10.0.0.0/33", &c), ERR_CONFIG);
	assert_int_equal(cidr_parse("::/129", &c), ERR_CONFIG);
	assert_int_equal(cidr_parse("10.0.0.0/", &c), ERR_CONFIG);
	assert_int_equal(cidr_parse("10.0.0.0/8x", &c), ERR_CONFIG);
	assert_int_equal(cidr_parse("10.0.0.0/-1", &c), ERR_CONFIG);
	assert_int_equal(cidr_parse("localhost", &c), ERR_CONFIG); /* never resolved */
	assert_int_equal(cidr_parse("boot.tzinit.org/24", &c), ERR_CONFIG);
	assert_int_equal(cidr_parse("10.0.0.0/0008", &c), ERR_CONFIG);
	char big[100];
	memset(big, '1', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(cidr_parse(big, &c), ERR_CONFIG);
}

static void test_contains(void **state)
{
	(void)state;
	struct cidr c;
	uint8_t a[16];
	assert_int_equal(cidr_parse("172.16.0.0/12", &c), ERR_OK);
	addr_of("172.31.255.255", a);
	assert_true(cidr_contains(&c, a));
	addr_of("172.32.0.0", a);
	assert_false(cidr_contains(&c, a));
	addr_of("::ffff:ac10:1", a); /* 172.16.0.1 written as v6 */
	assert_true(cidr_contains(&c, a));
}

static void test_default_deny(void **state)
{
	(void)state;
	struct policy p;
	policy_init(&p);
	const char *denied[] = {
		"0.1.2.3",     "10.1.2.3",      "100.64.0.1",  "100.127.255.255", "127.0.0.1",
		"169.254.1.1", "172.16.0.1",    "192.0.0.8",   "192.0.2.1",       "192.168.1.1",
		"198.18.0.1",  "198.51.100.7",  "203.0.113.9", "224.0.0.1",       "239.255.255.250",
		"240.0.0.1",   "255.255.255.255", "::",        "::1",             "::10.0.0.1",
		"fe80::1",     "fc00::1",       "fd12:3456::1", "ff02::1",        "2001:db8::1",
		"3fff::1",     "2002:a00:1::1", "64:ff9b::a00:1", "2001::1",      "fec0::1",
	};
	for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++) {
		if (kind_of(&p, denied[i]) != POLICY_DENY_DEFAULT)
			fail_msg("%s should be denied by default", denied[i]);
	}
	const char *allowed[] = {"8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.0",
				 "172.32.0.1", "2a01:4f8::1", "2600::1", "198.20.0.1"};
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
		if (kind_of(&p, allowed[i]) != POLICY_ALLOW)
			fail_msg("%s should be allowed by default", allowed[i]);
	}
	assert_string_equal(why_of(&p, "203.0.113.9"), "documentation");
	assert_string_equal(why_of(&p, "10.0.0.1"), "private");
	assert_string_equal(why_of(&p, "100.64.0.1"), "cgnat");
	assert_string_equal(why_of(&p, "::1"), "loopback");
	assert_string_equal(why_of(&p, "ff02::1"), "multicast");
}

static void test_allow_overrides_default(void **state)
{
	(void)state;
	struct policy p;
	policy_init(&p);
	assert_int_equal(policy_add(&p, true, "127.0.0.0/8"), ERR_OK);
	assert_int_equal(policy_add(&p, true, "::1"), ERR_OK);
	assert_int_equal(kind_of(&p, "127.0.0.1"), POLICY_ALLOW);
	assert_int_equal(kind_of(&p, "127.200.3.4"), POLICY_ALLOW);
	assert_int_equal(kind_of(&p, "::1"), POLICY_ALLOW);
	/* the allow list is exclusive: public and private addresses are out */
	assert_int_equal(kind_of(&p, "8.8.8.8"), POLICY_NOT_ALLOWED);
	assert_int_equal(kind_of(&p, "2600::1"), POLICY_NOT_ALLOWED);
	assert_int_equal(kind_of(&p, "203.0.113.5"), POLICY_DENY_DEFAULT);
	assert_int_equal(kind_of(&p, "10.0.0.1"), POLICY_DENY_DEFAULT);
	assert_int_equal(kind_of(&p, "::2"), POLICY_DENY_DEFAULT);
}

static void test_allow_narrow_and_wide(void **state)
{
	(void)state;
	struct policy p;
	policy_init(&p);
	assert_int_equal(policy_add(&p, true, "0.0.0.0/0"), ERR_OK);
	assert_int_equal(policy_add(&p, true, "10.5.0.0/16"), ERR_OK);
	assert_int_equal(kind_of(&p, "8.8.8.8"), POLICY_ALLOW);
	assert_int_equal(kind_of(&p, "10.5.1.1"), POLICY_ALLOW);      /* more specific allow */
	assert_int_equal(kind_of(&p, "10.6.1.1"), POLICY_DENY_DEFAULT); /* /0 does not open /8 */
	assert_int_equal(kind_of(&p, "2600::1"), POLICY_NOT_ALLOWED); /* v6 not in the list */
}

static void test_deny_wins(void **state)
{
	(void)state;
	struct policy p;
	policy_init(&p);
	assert_int_equal(policy_add(&p, false, "8.8.8.0/24"), ERR_OK);
	assert_int_equal(kind_of(&p, "8.8.8.8"), POLICY_DENY_LIST);
	assert_int_equal(kind_of(&p, "8.8.4.4"), POLICY_ALLOW);
	/* equal length: deny beats allow */
	assert_int_equal(policy_add(&p, true, "8.8.8.0/24"), ERR_OK);
	assert_int_equal(kind_of(&p, "8.8.8.8"), POLICY_DENY_LIST);
	/* a more specific allow beats a wider deny */
	assert_int_equal(policy_add(&p, true, "8.8.8.8"), ERR_OK);
	assert_int_equal(kind_of(&p, "8.8.8.8"), POLICY_ALLOW);
	assert_int_equal(kind_of(&p, "8.8.8.9"), POLICY_DENY_LIST);
	assert_string_equal(why_of(&p, "8.8.8.9"), "deny list");
	/* deny inside the loopback allow */
	struct policy q;
	policy_init(&q);
	assert_int_equal(policy_add(&q, true, "127.0.0.0/8"), ERR_OK);
	assert_int_equal(policy_add(&q, false, "127.0.0.53"), ERR_OK);
	assert_int_equal(kind_of(&q, "127.0.0.53"), POLICY_DENY_LIST);
	assert_int_equal(kind_of(&q, "127.0.0.54"), POLICY_ALLOW);
}

static void test_add_errors(void **state)
{
	(void)state;
	struct policy p;
	policy_init(&p);
	assert_int_equal(policy_add(&p, true, "nonsense"), ERR_CONFIG);
	for (size_t i = 0; i < POLICY_RULES_MAX; i++)
		assert_int_equal(policy_add(&p, false, "8.8.8.8"), ERR_OK);
	assert_int_equal(policy_add(&p, false, "8.8.8.8"), ERR_FULL);
	assert_int_equal(policy_add(&p, true, "8.8.8.8"), ERR_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr_parse),
		cmocka_unit_test(test_cidr_parse_errors),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_default_deny),
		cmocka_unit_test(test_allow_overrides_default),
		cmocka_unit_test(test_allow_narrow_and_wide),
		cmocka_unit_test(test_deny_wins),
		cmocka_unit_test(test_add_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
