/*
 * point — a network point (IP address + TCP port), Octez's P2p_point.Id.
 *
 * Every address is kept as 16 IPv6 bytes; IPv4 is stored IPv4-mapped
 * (::ffff:a.b.c.d), as Octez does. Text follows Octez exactly:
 *   parse:  a.b.c.d:port | [v6]:port | [a.b.c.d]:port, optionally followed by
 *           #peer_id ("id..." Base58Check, verified, not returned).
 *           No host names, no unbracketed IPv6, no zone ids, <= 47 bytes.
 *   format: IPv4-mapped as a.b.c.d:port, anything else as [v6]:port with v6 in
 *           lowercase hex and the leftmost longest run of two or more zero
 *           groups written "::" (RFC 5952; ::1.2.3.4 prints as [::102:304]).
 * Plain values, no allocation, re-entrant.
 */
#ifndef TZ_NET_POINT_H
#define TZ_NET_POINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define POINT_TEXT_MAX 47 /* longest point text Octez encodes (51 with its u32 length) */
#define POINT_FMT_CAP  48 /* buffer for point_format: 47 characters + NUL */

struct point {
	uint8_t addr[16]; /* network order; IPv4 as ::ffff:a.b.c.d */
	uint16_t port;
};

/*
 * Parses text[0..len) (not NUL-terminated) with the port required, as inside
 * P2P messages. ERR_OK fills *pt; ERR_PROTO for any text Octez would refuse
 * (host name, missing port, bad digits, port > 65535, stray characters);
 * ERR_TOOBIG when len > POINT_TEXT_MAX. *why (may be NULL) gets a static
 * reason on failure.
 */
enum err point_parse(const char *text, size_t len, struct point *pt, const char **why)
    __attribute__((warn_unused_result));

/*
 * Same grammar with the port optional: default_port is used when the text has
 * none (command-line seeds, "1.2.3.4" means port 9732).
 */
enum err point_parse_default(const char *text, size_t len, uint16_t default_port, struct point *pt,
                             const char **why) __attribute__((warn_unused_result));

/*
 * Writes the canonical text and a NUL into buf (cap >= POINT_FMT_CAP always
 * suffices); returns the text length, or 0 when cap is too small.
 */
size_t point_format(const struct point *pt, char *buf, size_t cap);

/* Only the address, without brackets or port ("1.2.3.4", "2001:db8::1"). */
size_t point_format_addr(const struct point *pt, char *buf, size_t cap);

/* Builds an IPv4 point (v4-mapped) from a host-order address and port. */
struct point point_v4(uint32_t addr, uint16_t port);

/* true when the address is IPv4-mapped. */
bool point_is_v4(const struct point *pt);

/* Total order: address bytes, then port. <0, 0, >0 like memcmp. */
int point_cmp(const struct point *a, const struct point *b);

/* A 64-bit hash of address and port (FNV-1a), for hash tables. */
uint64_t point_hash(const struct point *pt);

#endif
