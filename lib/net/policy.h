/*
 * policy — which IP addresses the crawler may dial (CIDR allow/deny lists).
 *
 * Addresses are 16 bytes, IPv6 or IPv4-mapped (::ffff:a.b.c.d), the form of
 * struct point. A policy holds three kinds of rules, each a CIDR prefix:
 *
 *   - the built-in default deny list (private, loopback, link-local, CGNAT,
 *     multicast, documentation, reserved, for IPv4 and IPv6; see policy.c);
 *   - the operator's allow list (--allow / `allow:`);
 *   - the operator's deny list (--deny / `deny:`).
 *
 * Decision: the most specific matching rule wins (longest prefix). At equal
 * length an explicit deny beats an explicit allow, which beats a default
 * deny. Below every rule sits an implicit /0: "allow everything" when the
 * allow list is empty, "deny everything" when it is not (an allow list is
 * exclusive). So `--allow 127.0.0.0/8` makes exactly 127/8 dialable, loopback
 * default deny included; `--allow 0.0.0.0/0` opens the public IPv4 space but
 * not 10/8 (a /8 default rule is more specific than /0).
 *
 * A policy is built once at start-up and then only read; policy_check() is
 * re-entrant. No allocation after policy_add().
 */
#ifndef TZ_NET_POLICY_H
#define TZ_NET_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define POLICY_RULES_MAX 256 /* operator rules (allow + deny) */
#define CIDR_TEXT_MAX 64     /* "ffff:...:ffff/128" fits */

struct cidr {
	uint8_t addr[16]; /* network address, host bits zeroed, IPv4 as v4-mapped */
	uint8_t bits;     /* prefix length over the 128-bit form (IPv4 /n -> 96+n) */
};

enum policy_kind {
	POLICY_ALLOW = 0,        /* dialable */
	POLICY_DENY_DEFAULT = 1, /* a built-in reserved range */
	POLICY_DENY_LIST = 2,    /* the operator's deny list */
	POLICY_NOT_ALLOWED = 3,  /* outside a non-empty allow list */
};

struct policy_verdict {
	enum policy_kind kind;
	const char *why; /* static text: range name ("documentation") or "deny list" */
	struct cidr rule; /* the rule that decided (bits 0 for the implicit /0) */
};

struct policy {
	struct cidr allow[POLICY_RULES_MAX];
	size_t allow_n;
	struct cidr deny[POLICY_RULES_MAX];
	size_t deny_n;
};

/*
 * Parses "a.b.c.d/n", "v6/n" or a bare address (a host route). Numeric
 * literals only: never resolves a name. Host bits set are an error
 * ("10.0.0.1/8"), so a typo does not silently widen a rule. ERR_CONFIG.
 */
enum err cidr_parse(const char *text, struct cidr *out) __attribute__((warn_unused_result));

/* "10.0.0.0/8", "fe80::/10" (IPv4-mapped rules print as IPv4). cap >= CIDR_TEXT_MAX. */
void cidr_format(const struct cidr *c, char *out, size_t cap);

/* True when addr lies inside c. */
bool cidr_contains(const struct cidr *c, const uint8_t addr[16]);

void policy_init(struct policy *p);

/* Adds one operator rule; ERR_CONFIG on bad text, ERR_FULL past POLICY_RULES_MAX. */
enum err policy_add(struct policy *p, bool allow, const char *cidr_text)
	__attribute__((warn_unused_result));

/* Decides for one address (see the header comment). */
struct policy_verdict policy_check(const struct policy *p, const uint8_t addr[16]);

static inline bool policy_allows(const struct policy *p, const uint8_t addr[16])
{
	return policy_check(p, addr).kind == POLICY_ALLOW;
}

#endif
