/* ipaddr — strict point text to address; inet_pton does the address grammar. */
#include "analyzer/ipaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static bool parse_port(const char *p)
{
	if (!*p)
		return false;
	unsigned long v = 0;
	size_t n = 0;
	for (; *p; p++, n++) {
		if (*p < '0' || *p > '9' || n >= 5)
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	return v <= 65535;
}

enum err ipaddr_of_point(const char *text, struct ipaddr *ip)
{
	size_t len = strnlen(text, IPADDR_TEXT_MAX + 1);
	if (len == 0 || len > IPADDR_TEXT_MAX)
		return ERR_PROTO;
	char host[IPADDR_TEXT_MAX + 1];
	const char *port;
	memset(ip, 0, sizeof *ip);
	if (text[0] == '[') {
		const char *close = memchr(text, ']', len);
		if (!close || close[1] != ':')
			return ERR_PROTO;
		size_t hl = (size_t)(close - text - 1);
		memcpy(host, text + 1, hl);
		host[hl] = 0;
		port = close + 2;
	} else {
		const char *colon = strrchr(text, ':');
		if (!colon)
			return ERR_PROTO;
		size_t hl = (size_t)(colon - text);
		memcpy(host, text, hl);
		host[hl] = 0;
		port = colon + 1;
		if (memchr(host, ':', hl))
			return ERR_PROTO; /* bare IPv6 needs brackets */
	}
	if (!parse_port(port))
		return ERR_PROTO;
	if (inet_pton(AF_INET, host, ip->a) == 1) {
		ip->v4 = true;
		return ERR_OK;
	}
	if (text[0] == '[' && inet_pton(AF_INET6, host, ip->a) == 1) {
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (!memcmp(ip->a, mapped, 12)) { /* v4-mapped: an IPv4 node */
			memmove(ip->a, ip->a + 12, 4);
			memset(ip->a + 4, 0, 12);
			ip->v4 = true;
		}
		return ERR_OK;
	}
	return ERR_PROTO;
}

void ipaddr_format(const struct ipaddr *ip, char *out, size_t cap)
{
	if (!inet_ntop(ip->v4 ? AF_INET : AF_INET6, ip->a, out, (socklen_t)cap) && cap)
		out[0] = 0;
}

void ipaddr_prefix(const struct ipaddr *ip, int bits, char *out, size_t cap)
{
	struct ipaddr m = *ip;
	int bytes = bits / 8;
	memset(m.a + bytes, 0, sizeof m.a - (size_t)bytes);
	char addr[64];
	ipaddr_format(&m, addr, sizeof addr);
	snprintf(out, cap, "%s/%d", addr, bits);
}
