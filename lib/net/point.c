/*
 * Point text, parsed and printed the way Octez does (P2p_point.Id with
 * point_parser.mll and ocaml-ipaddr), written by hand because inet_pton
 * accepts forms Octez refuses and inet_ntop prints ::a.b.c.d differently.
 *
 *   point   = addr [ ":" port ] [ "#" peer_id ]
 *   addr    = ipv4 | "[" ipv6 "]" | "[" ipv4 "]"
 *   ipv4    = dec "." dec "." dec "." dec        dec = 1-3 digits, <= 255
 *   ipv6    = RFC 4291 text: 1-4 hex digit groups, one "::" at most, an
 *             optional dotted IPv4 tail
 *   port    = 1+ digits, <= 65535
 *   peer_id = Base58Check "id..." text of a peer id, checksum verified
 *             (Octez refuses a point whose peer id does not decode); the
 *             peer id itself is not returned.
 */
#include "net/point.h"

#include "core/hex.h"

#include <string.h>

#include "p2p/identity.h"

static const uint8_t v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Exactly s[0..len) as a dotted quad into out[4]. */
static bool parse_v4(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= len || s[i] != '.')
				return false;
			i++;
		}
		unsigned v = 0, nd = 0;
		while (i < len && is_digit(s[i]) && nd < 3) {
			v = v * 10 + (unsigned)(s[i] - '0');
			i++;
			nd++;
		}
		if (nd == 0 || v > 255)
			return false;
		out[part] = (uint8_t)v;
	}
	return i == len;
}

/* Exactly s[0..len) as IPv6 text into out[16]. */
static bool parse_v6(const char *s, size_t len, uint8_t out[16])
{
	uint16_t head[8], tail[8];
	size_t head_n = 0, tail_n = 0;
	bool gap = false;
	size_t i = 0;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = true;
		i = 2;
	} else if (len >= 1 && s[0] == ':') {
		return false;
	}
	while (i < len) {
		/* A dotted IPv4 tail: the rest of the text has a '.' before any ':'. */
		size_t j = i;
		while (j < len && s[j] != ':' && s[j] != '.')
			j++;
		size_t groups = head_n + tail_n;
		if (j < len && s[j] == '.') {
			uint8_t v4[4];
			if (groups > 6 || !parse_v4(s + i, len - i, v4))
				return false;
			uint16_t *dst = gap ? tail : head;
			size_t *n = gap ? &tail_n : &head_n;
			dst[(*n)++] = (uint16_t)(v4[0] << 8 | v4[1]);
			dst[(*n)++] = (uint16_t)(v4[2] << 8 | v4[3]);
			i = len;
			break;
		}
		size_t nd = j - i;
		if (nd == 0 || nd > 4 || groups >= 8)
			return false;
		unsigned v = 0;
		for (size_t k = i; k < j; k++) {
			int h = hex_digit_value(s[k]);
			if (h < 0)
				return false;
			v = v << 4 | (unsigned)h;
		}
		if (gap)
			tail[tail_n++] = (uint16_t)v;
		else
			head[head_n++] = (uint16_t)v;
		i = j;
		if (i == len)
			break;
		/* s[i] == ':' */
		if (i + 1 < len && s[i + 1] == ':') {
			if (gap)
				return false;
			gap = true;
			i += 2;
		} else {
			i++;
			if (i == len)
				return false; /* trailing single ':' */
		}
	}
	size_t n = head_n + tail_n;
	if (gap ? n > 7 : n != 8)
		return false;
	uint16_t g[8] = {0};
	for (size_t k = 0; k < head_n; k++)
		g[k] = head[k];
	for (size_t k = 0; k < tail_n; k++)
		g[8 - tail_n + k] = tail[k];
	for (size_t k = 0; k < 8; k++) {
		out[2 * k] = (uint8_t)(g[k] >> 8);
		out[2 * k + 1] = (uint8_t)g[k];
	}
	return true;
}

static enum err fail(const char **why, const char *reason, enum err e)
{
	if (why)
		*why = reason;
	return e;
}

static enum err parse(const char *text, size_t len, bool need_port, uint16_t default_port,
                      struct point *pt, const char **why)
{
	if (len == 0)
		return fail(why, "point: empty text", ERR_PROTO);
	if (len > POINT_TEXT_MAX)
		return fail(why, "point: text longer than 47 bytes", ERR_TOOBIG);

	/* Optional "#peer_id" suffix. */
	const char *hash = memchr(text, '#', len);
	if (hash) {
		size_t id_len = len - (size_t)(hash - text) - 1;
		if (id_len == 0)
			return fail(why, "point: empty peer id after '#'", ERR_PROTO);
		for (size_t k = 0; k < id_len; k++)
			if (!is_alnum(hash[1 + k]))
				return fail(why, "point: peer id is not Base58", ERR_PROTO);
		uint8_t peer_id[P2P_PEER_ID_LEN];
		if (p2p_peer_id_parse(peer_id, hash + 1, id_len) != ERR_OK)
			return fail(why, "point: peer id fails its Base58Check", ERR_PROTO);
		len = (size_t)(hash - text);
		if (len == 0)
			return fail(why, "point: no address", ERR_PROTO);
	}

	const char *addr = text, *port = NULL;
	size_t addr_len, port_len = 0;
	bool bracket = text[0] == '[';
	if (bracket) {
		const char *close = memchr(text, ']', len);
		if (!close)
			return fail(why, "point: missing ']'", ERR_PROTO);
		addr = text + 1;
		addr_len = (size_t)(close - addr);
		size_t rest = len - (size_t)(close - text) - 1;
		if (rest > 0) {
			if (close[1] != ':')
				return fail(why, "point: unexpected character after ']'",
				            ERR_PROTO);
			port = close + 2;
			port_len = rest - 1;
		}
	} else {
		const char *colon = memchr(text, ':', len);
		addr_len = colon ? (size_t)(colon - text) : len;
		if (colon) {
			port = colon + 1;
			port_len = len - addr_len - 1;
		}
	}

	uint8_t a[16];
	uint8_t v4[4];
	if (parse_v4(addr, addr_len, v4)) {
		memcpy(a, v4_prefix, 12);
		memcpy(a + 12, v4, 4);
	} else if (bracket && parse_v6(addr, addr_len, a)) {
		/* IPv6, possibly IPv4-mapped: kept as is */
	} else if (bracket) {
		return fail(why, "point: invalid IPv6 address", ERR_PROTO);
	} else {
		for (size_t k = 0; k < addr_len; k++)
			if (addr[k] != '.' && !is_digit(addr[k]))
				return fail(why,
				            "point: not an IP literal (host name or bare IPv6)",
				            ERR_PROTO);
		return fail(why, "point: invalid IPv4 address", ERR_PROTO);
	}

	uint32_t p;
	if (port) {
		if (port_len == 0)
			return fail(why, "point: empty port", ERR_PROTO);
		p = 0;
		for (size_t k = 0; k < port_len; k++) {
			if (!is_digit(port[k]))
				return fail(why, "point: port is not a number", ERR_PROTO);
			p = p * 10 + (uint32_t)(port[k] - '0');
			if (p > 65535)
				return fail(why, "point: port above 65535", ERR_PROTO);
		}
	} else if (need_port) {
		return fail(why, "point: missing port", ERR_PROTO);
	} else {
		p = default_port;
	}
	memcpy(pt->addr, a, 16);
	pt->port = (uint16_t)p;
	return ERR_OK;
}

enum err point_parse(const char *text, size_t len, struct point *pt, const char **why)
{
	return parse(text, len, true, 0, pt, why);
}

enum err point_parse_default(const char *text, size_t len, uint16_t default_port, struct point *pt,
                             const char **why)
{
	return parse(text, len, false, default_port, pt, why);
}

bool point_is_v4(const struct point *pt)
{
	return memcmp(pt->addr, v4_prefix, 12) == 0;
}

struct point point_v4(uint32_t addr, uint16_t port)
{
	struct point pt;
	memcpy(pt.addr, v4_prefix, 12);
	pt.addr[12] = (uint8_t)(addr >> 24);
	pt.addr[13] = (uint8_t)(addr >> 16);
	pt.addr[14] = (uint8_t)(addr >> 8);
	pt.addr[15] = (uint8_t)addr;
	pt.port = port;
	return pt;
}

/* Small appender: never writes past cap, remembers overflow. */
struct out {
	char *p;
	size_t len, cap;
	bool over;
};

static void put_c(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->p[o->len++] = c;
	else
		o->over = true;
}

static void put_dec(struct out *o, unsigned v)
{
	char d[5];
	int n = 0;
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		put_c(o, d[--n]);
}

static void put_hex(struct out *o, unsigned v)
{
	static const char hx[] = "0123456789abcdef";
	bool started = false;
	for (int sh = 12; sh >= 0; sh -= 4) {
		unsigned d = (v >> sh) & 0xf;
		if (d || started || sh == 0) {
			put_c(o, hx[d]);
			started = true;
		}
	}
}

static void put_addr(struct out *o, const struct point *pt)
{
	if (point_is_v4(pt)) {
		for (int k = 0; k < 4; k++) {
			if (k)
				put_c(o, '.');
			put_dec(o, pt->addr[12 + k]);
		}
		return;
	}
	unsigned g[8];
	for (int k = 0; k < 8; k++)
		g[k] = (unsigned)pt->addr[2 * k] << 8 | pt->addr[2 * k + 1];
	/* Leftmost longest run of >= 2 zero groups. */
	int best = -1, best_n = 1;
	for (int k = 0; k < 8;) {
		if (g[k]) {
			k++;
			continue;
		}
		int j = k;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - k > best_n) {
			best = k;
			best_n = j - k;
		}
		k = j;
	}
	for (int k = 0; k < 8; k++) {
		if (k == best) {
			put_c(o, ':');
			put_c(o, ':');
			k += best_n - 1;
			continue;
		}
		if (k > 0 && k != best + best_n)
			put_c(o, ':');
		put_hex(o, g[k]);
	}
}

static size_t finish(struct out *o)
{
	if (o->cap == 0)
		return 0;
	if (o->over) {
		o->p[0] = '\0';
		return 0;
	}
	o->p[o->len] = '\0';
	return o->len;
}

size_t point_format_addr(const struct point *pt, char *buf, size_t cap)
{
	struct out o = {buf, 0, cap, false};
	put_addr(&o, pt);
	return finish(&o);
}

size_t point_format(const struct point *pt, char *buf, size_t cap)
{
	struct out o = {buf, 0, cap, false};
	bool v4 = point_is_v4(pt);
	if (!v4)
		put_c(&o, '[');
	put_addr(&o, pt);
	if (!v4)
		put_c(&o, ']');
	put_c(&o, ':');
	put_dec(&o, pt->port);
	return finish(&o);
}

int point_cmp(const struct point *a, const struct point *b)
{
	int c = memcmp(a->addr, b->addr, 16);
	if (c)
		return c;
	return (int)a->port - (int)b->port;
}

uint64_t point_hash(const struct point *pt)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (int k = 0; k < 16; k++) {
		h ^= pt->addr[k];
		h *= 0x100000001b3ull;
	}
	h ^= (uint64_t)(pt->port >> 8);
	h *= 0x100000001b3ull;
	h ^= (uint64_t)(pt->port & 0xff);
	h *= 0x100000001b3ull;
	return h;
}
