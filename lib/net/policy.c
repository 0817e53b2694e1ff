/*
 * Address policy. The default deny table is the union of the IANA IPv4 and
 * IPv6 special-purpose registries' non-global entries (RFC 6890 and its
 * updates), grouped under the names the crawler records as the reason of a
 * `policy` outcome. A few globally routable prefixes are denied too because
 * they embed IPv4 addresses (6to4, Teredo, NAT64): dialing them could reach a
 * private IPv4 host that the IPv4 rules refuse.
 */
#include "net/policy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

struct default_rule {
	const char *text;
	const char *why;
};

static const struct default_rule default_rules[] = {
	/* IPv4 */
	{"0.0.0.0/8", "this-network"},
	{"10.0.0.0/8", "private"},
	{"100.64.0.0/10", "cgnat"},
	{"127.0.0.0/8", "loopback"},
	{"169.254.0.0/16", "link-local"},
	{"172.16.0.0/12", "private"},
	{"192.0.0.0/24", "reserved"},
	{"192.0.2.0/24", "documentation"},
	{"192.88.99.0/24", "reserved"},
	{"192.168.0.0/16", "private"},
	{"198.18.0.0/15", "benchmarking"},
	{"198.51.100.0/24", "documentation"},
	{"203.0.113.0/24", "documentation"},
	{"224.0.0.0/4", "multicast"},
	{"240.0.0.0/4", "reserved"}, /* includes 255.255.255.255 */
	/* IPv6 */
	{"::/96", "reserved"}, /* unspecified, ::1 and IPv4-compatible */
	{"::1/128", "loopback"},
	{"64:ff9b::/96", "nat64"},
	{"64:ff9b:1::/48", "nat64"},
	{"100::/64", "reserved"}, /* discard-only */
	{"2001::/23", "reserved"}, /* IETF protocol assignments, Teredo */
	{"2001:db8::/32", "documentation"},
	{"2002::/16", "6to4"},
	{"3fff::/20", "documentation"},
	{"5f00::/16", "reserved"}, /* SRv6 SIDs */
	{"fc00::/7", "private"},   /* unique local */
	{"fe80::/10", "link-local"},
	{"fec0::/10", "reserved"}, /* deprecated site-local */
	{"ff00::/8", "multicast"},
};

#define DEFAULT_N (sizeof default_rules / sizeof default_rules[0])

/* Parsed once; the table is constant so a race would only redo equal work,
 * but the crawler is single-threaded anyway. */
static struct cidr default_cidrs[DEFAULT_N];
static bool default_ready;

static void mask_host_bits(uint8_t a[16], unsigned bits, bool *had)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned lo = i * 8;
		uint8_t keep;
		if (bits >= lo + 8)
			keep = 0xff;
		else if (bits <= lo)
			keep = 0;
		else
			keep = (uint8_t)(0xff << (8 - (bits - lo)));
		if (a[i] & (uint8_t)~keep)
			*had = true;
		a[i] &= keep;
	}
}

enum err cidr_parse(const char *text, struct cidr *out)
{
	char buf[CIDR_TEXT_MAX];
	size_t len = strlen(text);
	if (len == 0 || len >= sizeof buf)
		return ERR_CONFIG;
	memcpy(buf, text, len + 1);
	char *slash = strchr(buf, '/');
	long bits = -1;
	if (slash) {
		*slash = '\0';
		const char *d = slash + 1;
		if (*d == '\0' || strlen(d) > 3)
			return ERR_CONFIG;
		bits = 0;
		for (; *d; d++) {
			if (*d < '0' || *d > '9')
				return ERR_CONFIG;
			bits = bits * 10 + (*d - '0');
		}
	}
	struct cidr c;
	memset(&c, 0, sizeof c);
	struct in_addr v4;
	struct in6_addr v6;
	if (inet_pton(AF_INET, buf, &v4) == 1) {
		if (bits > 32)
			return ERR_CONFIG;
		if (bits < 0)
			bits = 32;
		c.addr[10] = 0xff;
		c.addr[11] = 0xff;
		memcpy(c.addr + 12, &v4, 4);
		c.bits = (uint8_t)(96 + bits);
	} else if (inet_pton(AF_INET6, buf, &v6) == 1) {
		if (bits > 128)
			return ERR_CONFIG;
		if (bits < 0)
			bits = 128;
		memcpy(c.addr, &v6, 16);
		c.bits = (uint8_t)bits;
	} else {
		return ERR_CONFIG;
	}
	bool had = false;
	mask_host_bits(c.addr, c.bits, &had);
	if (had)
		return ERR_CONFIG;
	*out = c;
	return ERR_OK;
}

static bool is_v4_mapped(const uint8_t a[16])
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return memcmp(a, prefix, 12) == 0;
}

void cidr_format(const struct cidr *c, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	if (c->bits >= 96 && is_v4_mapped(c->addr)) {
		inet_ntop(AF_INET, c->addr + 12, a, sizeof a);
		snprintf(out, cap, "%s/%u", a, (unsigned)(c->bits - 96));
	} else {
		inet_ntop(AF_INET6, c->addr, a, sizeof a);
		snprintf(out, cap, "%s/%u", a, (unsigned)c->bits);
	}
}

bool cidr_contains(const struct cidr *c, const uint8_t addr[16])
{
	unsigned full = c->bits / 8, rest = c->bits % 8;
	if (memcmp(c->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t m = (uint8_t)(0xff << (8 - rest));
	return (addr[full] & m) == c->addr[full];
}

static void defaults_init(void)
{
	if (default_ready)
		return;
	for (size_t i = 0; i < DEFAULT_N; i++) {
		enum err e = cidr_parse(default_rules[i].text, &default_cidrs[i]);
		(void)e;
	}
	default_ready = true;
}

void policy_init(struct policy *p)
{
	memset(p, 0, sizeof *p);
	defaults_init();
}

enum err policy_add(struct policy *p, bool allow, const char *cidr_text)
{
	struct cidr c;
	if (cidr_parse(cidr_text, &c) != ERR_OK)
		return ERR_CONFIG;
	if (allow) {
		if (p->allow_n == POLICY_RULES_MAX)
			return ERR_FULL;
		p->allow[p->allow_n++] = c;
	} else {
		if (p->deny_n == POLICY_RULES_MAX)
			return ERR_FULL;
		p->deny[p->deny_n++] = c;
	}
	return ERR_OK;
}

/* Rule strength at equal prefix length: higher wins. */
enum { RANK_IMPLICIT = 0, RANK_DEFAULT = 1, RANK_ALLOW = 2, RANK_DENY = 3 };

struct best {
	int bits; /* -1: nothing yet */
	int rank;
	struct policy_verdict v;
};

static void consider(struct best *b, const struct cidr *c, int rank, enum policy_kind kind,
		     const char *why)
{
	if ((int)c->bits < b->bits || ((int)c->bits == b->bits && rank <= b->rank))
		return;
	b->bits = c->bits;
	b->rank = rank;
	b->v.kind = kind;
	b->v.why = why;
	b->v.rule = *c;
}

struct policy_verdict policy_check(const struct policy *p, const uint8_t addr[16])
{
	defaults_init();
	struct best b = {.bits = 0, .rank = RANK_IMPLICIT};
	memset(&b.v.rule, 0, sizeof b.v.rule);
	if (p->allow_n == 0) {
		b.v.kind = POLICY_ALLOW;
		b.v.why = "public";
	} else {
		b.v.kind = POLICY_NOT_ALLOWED;
		b.v.why = "not in allow list";
	}
	for (size_t i = 0; i < DEFAULT_N; i++)
		if (cidr_contains(&default_cidrs[i], addr))
			consider(&b, &default_cidrs[i], RANK_DEFAULT, POLICY_DENY_DEFAULT,
				 default_rules[i].why);
	for (size_t i = 0; i < p->allow_n; i++)
		if (cidr_contains(&p->allow[i], addr))
			consider(&b, &p->allow[i], RANK_ALLOW, POLICY_ALLOW, "allow list");
	for (size_t i = 0; i < p->deny_n; i++)
		if (cidr_contains(&p->deny[i], addr))
			consider(&b, &p->deny[i], RANK_DENY, POLICY_DENY_LIST, "deny list");
	return b.v;
}
