/* Unit tests for lib/net/point: Octez point text, parse and format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "net/point.h"
#include "net/sockaddr.h"

struct good {
	const char *in, *out;
};

/* Parse -> format. */
static const struct good goods[] = {
    {"1.2.3.4:9732", "1.2.3.4:9732"},
    {"0.0.0.0:0", "0.0.0.0:0"},
    {"255.255.255.255:65535", "255.255.255.255:65535"},
    {"01.002.3.4:00080", "1.2.3.4:80"},
    {"[::ffff:1.2.3.4]:9732", "1.2.3.4:9732"},
    {"[::FFFF:102:304]:9732", "1.2.3.4:9732"},
    {"[1.2.3.4]:80", "1.2.3.4:80"},
    {"[fe80::e828:209d:20e:c0ae]:375", "[fe80::e828:209d:20e:c0ae]:375"},
    {"[2001:DB8:0:0:0:0:0:1]:1", "[2001:db8::1]:1"},
    {"[2001:db8:0:0:1:0:0:1]:1", "[2001:db8::1:0:0:1]:1"},
    {"[2001:0:0:1:0:0:0:1]:1", "[2001:0:0:1::1]:1"},
    {"[2001:db8:0:1:1:1:1:1]:1", "[2001:db8:0:1:1:1:1:1]:1"},
    {"[0:0:0:0:0:0:0:0]:2", "[::]:2"},
    {"[::]:0", "[::]:0"},
    {"[::1]:9732", "[::1]:9732"},
    {"[1::]:1", "[1::]:1"},
    {"[1:0:0:0:0:0:0:0]:1", "[1::]:1"},
    {"[0:0:1:0:0:0:1:0]:1", "[0:0:1::1:0]:1"},
    {"[::1.2.3.4]:5", "[::102:304]:5"},
    {"[64:ff9b::1.2.3.4]:5", "[64:ff9b::102:304]:5"},
    {"[1:2:3:4:5:6:7:8]:9", "[1:2:3:4:5:6:7:8]:9"},
    {"[1:2:3:4:5:6::8]:9", "[1:2:3:4:5:6:0:8]:9"},
    {"[00ab:0Cd:000e::]:9", "[ab:cd:e::]:9"},
    {"1.2.3.4:9732#idsjXqdHKtcRb6NfdKsAYqE4JN2kep", "1.2.3.4:9732"},
    {"[::1]:1#idsjXqdHKtcRb6NfdKsAYqE4JN2kep", "[::1]:1"},
    {"[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:65535",
     "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:65535"},
};

struct bad {
	const char *in;
	enum err e;
};

static const struct bad bads[] = {
    {"", ERR_PROTO},
    {"1.2.3.4", ERR_PROTO},
    {"1.2.3.4:", ERR_PROTO},
    {"1.2.3.4:65536", ERR_PROTO},
    {"1.2.3.4:99999999999", ERR_PROTO},
    {"1.2.3.4:97a2", ERR_PROTO},
    {"1.2.3.4:-1", ERR_PROTO},
    {"256.1.1.1:1", ERR_PROTO},
    {"1.2.3:1", ERR_PROTO},
    {"1.2.3.4.5:1", ERR_PROTO},
    {"1.2.3.1234:1", ERR_PROTO},
    {"1..2.3:1", ERR_PROTO},
    {"localhost:9732", ERR_PROTO},
    {"example.com:1", ERR_PROTO},
    {"boot.tzinit.org:9732", ERR_PROTO},
    {"::1:9732", ERR_PROTO},
    {"fe80::1", ERR_PROTO},
    {"[::1", ERR_PROTO},
    {"[::1]x", ERR_PROTO},
    {"[::1]:", ERR_PROTO},
    {"[::1]", ERR_PROTO},
    {"[]:1", ERR_PROTO},
    {"[1:2:3:4:5:6:7:8:9]:1", ERR_PROTO},
    {"[1:2:3:4:5:6:7]:1", ERR_PROTO},
    {"[1:2:3:4:5:6:7::8]:1", ERR_PROTO},
    {"[1::2::3]:1", ERR_PROTO},
    {"[12345::]:1", ERR_PROTO},
    {"[::g]:1", ERR_PROTO},
    {"[:1]:1", ERR_PROTO},
    {"[1:]:1", ERR_PROTO},
    {"[:::]:1", ERR_PROTO},
    {"[1.2.3.4.5]:1", ERR_PROTO},
    {"[1:2:3:4:5:6:7:1.2.3.4]:1", ERR_PROTO},
    {"[::1.2.3]:1", ERR_PROTO},
    {"[fe80::1%eth0]:1", ERR_PROTO},
    {"[::1]]:1", ERR_PROTO},
    {" 1.2.3.4:1", ERR_PROTO},
    {"1.2.3.4:1 ", ERR_PROTO},
    {"1.2.3.4:9732#", ERR_PROTO},
    {"1.2.3.4:9732#id!x", ERR_PROTO},
    {"1.2.3.4:9732#idsjXqdHKtcRb6NfdKsAYqE4JN2keq", ERR_PROTO}, /* bad checksum */
    {"1.2.3.4:9732#abc", ERR_PROTO},
    {"#idsjXqdHKtcRb6NfdKsAYqE4JN2kep", ERR_PROTO},
    {"_:1", ERR_PROTO},
    {"[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:065535", ERR_TOOBIG},
    {"1.2.3.4:9732#idsjXqdHKtcRb6NfdKsAYqE4JN2kepXXXXXX", ERR_TOOBIG},
};

static void test_parse_format(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof goods / sizeof goods[0]; k++) {
		struct point pt;
		const char *why = NULL;
		enum err e = point_parse(goods[k].in, strlen(goods[k].in), &pt, &why);
		if (e != ERR_OK)
			fail_msg("'%s': %s (%s)", goods[k].in, err_str(e), why);
		char buf[POINT_FMT_CAP];
		size_t n = point_format(&pt, buf, sizeof buf);
		assert_int_equal(n, strlen(goods[k].out));
		assert_string_equal(buf, goods[k].out);
		/* The canonical text parses back to the same point. */
		struct point again;
		assert_int_equal(point_parse(buf, n, &again, NULL), ERR_OK);
		assert_int_equal(point_cmp(&pt, &again), 0);
	}
}

static void test_parse_rejects(void **state)
{
	(void)state;
	const char *reasons[sizeof bads / sizeof bads[0]];
	for (size_t k = 0; k < sizeof bads / sizeof bads[0]; k++) {
		struct point pt;
		const char *why = NULL;
		enum err e = point_parse(bads[k].in, strlen(bads[k].in), &pt, &why);
		if (e != bads[k].e)
			fail_msg("'%s': got %s, want %s", bads[k].in, err_str(e),
			         err_str(bads[k].e));
		assert_non_null(why);
		reasons[k] = why;
	}
	/* The reasons are specific: several different texts appear. */
	size_t distinct = 0;
	for (size_t k = 0; k < sizeof bads / sizeof bads[0]; k++) {
		size_t j = 0;
		while (j < k && strcmp(reasons[j], reasons[k]) != 0)
			j++;
		distinct += j == k;
	}
	assert_true(distinct >= 12);
}

static void test_default_port(void **state)
{
	(void)state;
	struct point pt;
	assert_int_equal(point_parse_default("1.2.3.4", 7, 9732, &pt, NULL), ERR_OK);
	assert_int_equal(pt.port, 9732);
	assert_true(point_is_v4(&pt));
	assert_int_equal(point_parse_default("[::1]", 5, 9732, &pt, NULL), ERR_OK);
	assert_int_equal(pt.port, 9732);
	assert_false(point_is_v4(&pt));
	assert_int_equal(point_parse_default("1.2.3.4:1", 9, 9732, &pt, NULL), ERR_OK);
	assert_int_equal(pt.port, 1);
	assert_int_equal(point_parse_default("host", 4, 9732, &pt, NULL), ERR_PROTO);
}

static void test_helpers(void **state)
{
	(void)state;
	struct point a = point_v4(0x7f000001, 9732), b;
	char buf[POINT_FMT_CAP];
	assert_int_equal(point_format(&a, buf, sizeof buf), 14);
	assert_string_equal(buf, "127.0.0.1:9732");
	assert_int_equal(point_format_addr(&a, buf, sizeof buf), 9);
	assert_string_equal(buf, "127.0.0.1");
	assert_int_equal(point_format(&a, buf, 14), 0); /* no room for the NUL */
	assert_string_equal(buf, "");
	assert_int_equal(point_parse("127.0.0.1:9733", 14, &b, NULL), ERR_OK);
	assert_true(point_cmp(&a, &b) < 0);
	assert_true(point_cmp(&b, &a) > 0);
	assert_true(point_hash(&a) != point_hash(&b));
	b.port = 9732;
	assert_int_equal(point_cmp(&a, &b), 0);
	assert_true(point_hash(&a) == point_hash(&b));
	assert_int_equal(point_parse("[::1]:1", 7, &b, NULL), ERR_OK);
	assert_int_equal(point_format_addr(&b, buf, sizeof buf), 3);
	assert_string_equal(buf, "::1");
	/* Not NUL-terminated input: only len bytes are read. */
	assert_int_equal(point_parse("1.2.3.4:56789", 9, &b, NULL), ERR_OK);
	assert_int_equal(b.port, 5);
}

/* Random addresses with runs of zero groups: format then parse is the identity. */
static void test_random_roundtrip(void **state)
{
	(void)state;
	srand(1234);
	size_t checked_ntop = 0;
	for (int it = 0; it < 20000; it++) {
		struct point pt;
		for (int k = 0; k < 8; k++) {
			unsigned g = (rand() % 3 == 0) ? 0 : (unsigned)(rand() % 0x10000);
			if (rand() % 4 == 0)
				g &= 0xf;
			pt.addr[2 * k] = (uint8_t)(g >> 8);
			pt.addr[2 * k + 1] = (uint8_t)g;
		}
		if (it % 5 == 0)
			pt = point_v4((uint32_t)rand() * 2654435761u, 0);
		pt.port = (uint16_t)rand();
		char buf[POINT_FMT_CAP];
		size_t n = point_format(&pt, buf, sizeof buf);
		assert_true(n > 0 && n <= POINT_TEXT_MAX);
		struct point back;
		const char *why = NULL;
		if (point_parse(buf, n, &back, &why) != ERR_OK)
			fail_msg("'%s' does not parse: %s", buf, why);
		assert_int_equal(point_cmp(&pt, &back), 0);
		/*
		 * Cross-check with glibc's inet_ntop, which also compresses the
		 * leftmost longest run of >= 2 zero groups; it differs only for the
		 * ::a.b.c.d and ::ffff:a.b.c.d forms, which it prints dotted.
		 */
		static const uint8_t zero12[12];
		if (!point_is_v4(&pt) && memcmp(pt.addr, zero12, 12) != 0) {
			char ref[INET6_ADDRSTRLEN + 8];
			char addr[POINT_FMT_CAP];
			assert_non_null(inet_ntop(AF_INET6, pt.addr, ref, sizeof ref));
			assert_true(point_format_addr(&pt, addr, sizeof addr) > 0);
			if (strcmp(ref, addr) != 0)
				fail_msg("ours %s, inet_ntop %s", addr, ref);
			checked_ntop++;
		}
	}
}

/* point <-> sockaddr / addrinfo: IPv4-mapped as AF_INET, the rest AF_INET6, ports in
 * network order, other families refused. */
static void test_sockaddr(void **state)
{
	(void)state;
	struct point p4 = point_v4(0x7f010203u, 9732), back;
	struct sockaddr_storage ss;
	assert_int_equal(point_to_sockaddr(&p4, &ss), sizeof(struct sockaddr_in));
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
	assert_int_equal(s4->sin_family, AF_INET);
	assert_int_equal(s4->sin_port, htons(9732));
	assert_int_equal(s4->sin_addr.s_addr, htonl(0x7f010203u));
	assert_true(point_from_sockaddr((const struct sockaddr *)&ss, &back));
	assert_memory_equal(&back, &p4, sizeof back);

	struct point p6;
	memset(&p6, 0, sizeof p6);
	p6.addr[15] = 1; /* ::1 */
	p6.port = 19733;
	assert_int_equal(point_to_sockaddr(&p6, &ss), sizeof(struct sockaddr_in6));
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
	assert_int_equal(s6->sin6_family, AF_INET6);
	assert_int_equal(s6->sin6_port, htons(19733));
	assert_memory_equal(&s6->sin6_addr, p6.addr, 16);
	assert_true(point_from_sockaddr((const struct sockaddr *)&ss, &back));
	assert_memory_equal(&back, &p6, sizeof back);

	struct addrinfo ai;
	memset(&ai, 0, sizeof ai);
	ai.ai_family = AF_INET6;
	ai.ai_addr = (struct sockaddr *)&ss;
	((struct sockaddr_in6 *)&ss)->sin6_port = 0; /* getaddrinfo without a service */
	assert_true(point_from_addrinfo(&ai, 9732, &back));
	assert_memory_equal(back.addr, p6.addr, 16);
	assert_int_equal(back.port, 9732);

	ss.ss_family = AF_UNIX;
	ai.ai_family = AF_UNIX;
	assert_false(point_from_sockaddr((const struct sockaddr *)&ss, &back));
	assert_false(point_from_addrinfo(&ai, 9732, &back));
	struct point zero;
	memset(&zero, 0, sizeof zero);
	assert_memory_equal(back.addr, zero.addr, 16);
	assert_int_equal(back.port, 9732);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_format),     cmocka_unit_test(test_parse_rejects),
	    cmocka_unit_test(test_default_port),     cmocka_unit_test(test_helpers),
	    cmocka_unit_test(test_random_roundtrip), cmocka_unit_test(test_sockaddr),
	};
	printf("CHECKED: %zu point texts (table in test_point.c)\n",
	       sizeof goods / sizeof goods[0] + sizeof bads / sizeof bads[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
