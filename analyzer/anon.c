/*
 * anon — IPv4 /24 and IPv6 /48 truncation of point text.
 *
 * Why truncation and not a keyed hash: the published tables already group
 * nodes by /24 and /48 (prefix concentration), so the truncated form adds no
 * information a reader does not already get, keeps the output useful for
 * "which network is this", and needs no secret key to rotate or lose.
 */
#include "anon.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Longest address text we accept between brackets or before the port. */
#define ADDR_TEXT_MAX 63

static void copy_out(char *out, size_t cap, const char *s)
{
	if (cap == 0)
		return;
	size_t n = strlen(s);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/*
 * Splits point text into the address part. Accepted shapes:
 *   a.b.c.d      a.b.c.d:port      v6      [v6]      [v6]:port
 * A bare v6 has two or more ':' and no brackets. The port is not checked:
 * when in doubt we would rather truncate than leak an address.
 */
static bool address_part(const char *p, char *addr, size_t addr_cap)
{
	size_t len = strlen(p);
	const char *a = p;
	size_t alen = len;
	if (len > 0 && p[0] == '[') {
		const char *close = memchr(p, ']', len);
		if (!close)
			return false;
		a = p + 1;
		alen = (size_t)(close - a);
	} else {
		const char *c1 = memchr(p, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - p)) : NULL;
		if (c1 && !c2) /* exactly one ':' -> IPv4 with port */
			alen = (size_t)(c1 - p);
	}
	if (alen == 0 || alen >= addr_cap)
		return false;
	memcpy(addr, a, alen);
	addr[alen] = '\0';
	return true;
}

static void v4_prefix(const uint8_t b[4], char *out, size_t cap)
{
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%u.%u.%u.0/24", b[0], b[1], b[2]);
	copy_out(out, cap, tmp);
}

bool anon_point(const char *point_text, char *out, size_t cap)
{
	if (!point_text) {
		copy_out(out, cap, "");
		return false;
	}
	char addr[ADDR_TEXT_MAX + 1];
	if (!address_part(point_text, addr, sizeof addr)) {
		copy_out(out, cap, point_text);
		return false;
	}
	uint8_t b[16];
	if (inet_pton(AF_INET, addr, b) == 1) {
		v4_prefix(b, out, cap);
		return true;
	}
	if (inet_pton(AF_INET6, addr, b) != 1) {
		copy_out(out, cap, point_text);
		return false;
	}
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(b, mapped, sizeof mapped) == 0) {
		v4_prefix(b + 12, out, cap);
		return true;
	}
	memset(b + 6, 0, 10);
	char text[INET6_ADDRSTRLEN];
	char tmp[INET6_ADDRSTRLEN + 4];
	if (!inet_ntop(AF_INET6, b, text, sizeof text)) {
		copy_out(out, cap, "");
		return true;
	}
	snprintf(tmp, sizeof tmp, "%s/48", text);
	copy_out(out, cap, tmp);
	return true;
}
