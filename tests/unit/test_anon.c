/* Unit tests for analyzer/anon: IPv4 /24 and IPv6 /48 truncation of point text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyzer/anon.h"

static void check(const char *in, const char *want, bool truncated)
{
	char out[ANON_POINT_CAP];
	bool t = anon_point(in, out, sizeof out);
	if (strcmp(out, want) != 0 || t != truncated)
		fail_msg("anon_point(\"%s\") = \"%s\" (%d), want \"%s\" (%d)", in, out, t, want,
		         truncated);
}

static void test_ipv4(void **state)
{
	(void)state;
	check("198.51.100.77:9732", "198.51.100.0/24", true);
	check("198.51.100.77", "198.51.100.0/24", true);
	check("1.2.3.4:1", "1.2.3.0/24", true);
	check("255.255.255.255:65535", "255.255.255.0/24", true);
	check("0.0.0.0:0", "0.0.0.0/24", true);
	/* an odd port must not save the address from truncation */
	check("203.0.113.9:99999999", "203.0.113.0/24", true);
	check("203.0.113.9:", "203.0.113.0/24", true);
}

static void test_ipv6(void **state)
{
	(void)state;
	check("[2001:db8:1f:2::abcd]:9732", "2001:db8:1f::/48", true);
	check("2001:db8:1f:2::abcd", "2001:db8:1f::/48", true);
	check("[2001:db8::1]", "2001:db8::/48", true);
	check("[2001:0db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:1", "2001:db8:aaaa::/48", true);
	check("[::1]:9732", "::/48", true);
	check("::", "::/48", true);
	/* IPv4-mapped addresses are IPv4 */
	check("[::ffff:198.51.100.7]:9732", "198.51.100.0/24", true);
	check("::ffff:c633:6407", "198.51.100.0/24", true);
}

static void test_not_addresses(void **state)
{
	(void)state;
	/* peer ids and other text carry no address: unchanged */
	check("idtN3kQjxyZ1mYp4Vx9wHbTfRgLsEa2", "idtN3kQjxyZ1mYp4Vx9wHbTfRgLsEa2", false);
	check("", "", false);
	check("example.org:9732", "example.org:9732", false);
	check("1.2.3:9732", "1.2.3:9732", false);
	check("1.2.3.4.5", "1.2.3.4.5", false);
	check("[2001:db8::1", "[2001:db8::1", false);
	check("[]:9732", "[]:9732", false);
	check("[zz::1]:1", "[zz::1]:1", false);
	check("198.51.100.0/24", "198.51.100.0/24", false); /* already a prefix */
	char out[8];
	assert_false(anon_point(NULL, out, sizeof out));
	assert_string_equal(out, "");
}

static void test_small_buffers(void **state)
{
	(void)state;
	char out[8];
	assert_true(anon_point("198.51.100.77:9732", out, sizeof out));
	assert_string_equal(out, "198.51."); /* truncated, NUL-terminated */
	assert_false(anon_point("idtLONGPEERID", out, sizeof out));
	assert_string_equal(out, "idtLONG");
	char one[1] = {'x'};
	anon_point("198.51.100.77", one, 1);
	assert_int_equal(one[0], '\0');
	anon_point("198.51.100.77", NULL, 0); /* cap 0: writes nothing */
	/* an over-long address text is not parsed (and not copied past cap) */
	char big[200];
	memset(big, '1', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	char o2[ANON_POINT_CAP];
	assert_false(anon_point(big, o2, sizeof o2));
	assert_int_equal(strlen(o2), ANON_POINT_CAP - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4),
	    cmocka_unit_test(test_ipv6),
	    cmocka_unit_test(test_not_addresses),
	    cmocka_unit_test(test_small_buffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
