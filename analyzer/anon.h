/*
 * anon — truncates addresses for publishing (--anonymize).
 *
 * An IPv4 address becomes its /24 ("203.0.113.0/24"), an IPv6 address its /48
 * ("2001:db8:1::/48"); an IPv4-mapped IPv6 address counts as IPv4. The port
 * is dropped. This is truncation, not a keyed hash: two nodes in one /24 get
 * the same text, which is what a reader of a prefix-concentration table
 * expects, and no secret has to be kept. Stateless and re-entrant; parses
 * numeric text only (inet_pton), never resolves a name.
 */
#ifndef TZ_ANALYZER_ANON_H
#define TZ_ANALYZER_ANON_H

#include <stdbool.h>
#include <stddef.h>

/* Longest output: a full IPv6 prefix text plus "/48" and the NUL. */
#define ANON_POINT_CAP 64

/*
 * point_text is a point ("a.b.c.d:port", "[v6]:port") or a bare address
 * ("a.b.c.d", "v6"). Writes the truncated prefix text into out (cap bytes,
 * always NUL-terminated when cap > 0). Text that is not an address (a peer id
 * "id...", garbage) is copied unchanged (truncated to cap), since it contains
 * no address. Returns true when an address was found and truncated.
 */
bool anon_point(const char *point_text, char *out, size_t cap);

#endif
