/*
 * ipaddr — the address part of a point text, for concentration metrics.
 *
 * Point texts come from peers (Advertise lists) through the database, so
 * this parser is strict and bounded: "a.b.c.d:port", "[v6]:port" or
 * "[a.b.c.d]:port" (errata 5), port 0..65535, nothing else. Re-entrant.
 */
#ifndef TZ_ANALYZER_IPADDR_H
#define TZ_ANALYZER_IPADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define IPADDR_TEXT_MAX 64 /* longest point text accepted */

struct ipaddr {
	bool v4;
	uint8_t a[16]; /* v4: first 4 bytes */
};

/* ERR_PROTO on anything that is not a point text. */
enum err ipaddr_of_point(const char *text, struct ipaddr *ip) __attribute__((warn_unused_result));
/* The address alone ("1.2.3.4", "2001:db8::1") into out (cap >= 64). */
void ipaddr_format(const struct ipaddr *ip, char *out, size_t cap);
/* Prefix text: "1.2.3.0/24", "1.2.0.0/16", "2001:db8:1::/48"; bits in {16, 24, 48}. */
void ipaddr_prefix(const struct ipaddr *ip, int bits, char *out, size_t cap);

#endif
