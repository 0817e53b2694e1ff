/*
 * nat — what one crawl says about nodes behind NAT (report.json "nat").
 *
 * Four figures, each from the crawl alone (docs/analyzer.md "nat"):
 *  - private_advertisers: public nodes whose lists hold points in private,
 *    CGNAT, link-local or loopback ranges (Docker's default bridge
 *    172.17.0.0/16 on its own), which they learned from peers that dialed
 *    them from inside a NAT or a container;
 *  - port_mismatch: public points whose connection message announced another
 *    port than the one we dialed (the point they get advertised at is wrong);
 *  - shared_addresses: addresses where several peer ids answered;
 *  - unreachable_by_cause: unreachable points by the failure of their last
 *    dial (refused, timed out, no route).
 * Reads the analysis (model, crawl, display ids); allocates only while it
 * runs. Re-entrant.
 */
#ifndef TZ_ANALYZER_NAT_H
#define TZ_ANALYZER_NAT_H

#include <jansson.h>
#include <stdbool.h>

#include "analyzer/ipaddr.h"

struct analysis;

#define NAT_TOP_MAX 20 /* entries of each "top" list */

/* The ranges a NATed or containerized peer's address falls in. Never renumbered. */
enum nat_range {
	NR_NONE = 0,       /* a public (or otherwise special) address */
	NR_PRIVATE = 1,    /* 10/8, 172.16/12 but Docker's bridge, 192.168/16, fc00::/7 */
	NR_DOCKER = 2,     /* 172.17.0.0/16, Docker's default bridge */
	NR_CGNAT = 3,      /* 100.64.0.0/10, carrier-grade NAT (RFC 6598) */
	NR_LINK_LOCAL = 4, /* 169.254.0.0/16, fe80::/10 */
	NR_LOOPBACK = 5,   /* 127.0.0.0/8, ::1 */
};
#define NR_N 6

/* "private", "docker_bridge", "cgnat", "link_local", "loopback"; "none" for NR_NONE. */
const char *nat_range_str(enum nat_range r);

/* The range of an address. */
enum nat_range nat_range_of(const struct ipaddr *ip);

/* The "nat" object of report.json; NULL and *ok = false on allocation failure. */
json_t *nat_report(const struct analysis *an, bool *ok);

#endif
