/*
 * census — the one definition of the headline figures (docs/methodology.md,
 * "Definitions"). Every program that counts public nodes calls these
 * functions: the crawler's summary (crawler/crawl.c), the analyzer's model
 * (analyzer/model.c). The database has the same rule as the SQL function
 * visit_point_class() of schema/migrations/052_definitions.sql, and
 * tests/unit/test_census.c checks both give the same class for every
 * outcome, with and without a connection message.
 *
 * Each point of a crawl gets exactly one class: the strongest class among
 * its visits (point_class_max), a point never dialed being undialed. Nodes
 * are the public points merged by peer id. Pure functions; re-entrant.
 */
#ifndef TZ_DB_CENSUS_H
#define TZ_DB_CENSUS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/record.h"

/*
 * Classes of a point, weakest first: a point's class is the highest class of
 * its visits. The order is the order of the SQL enum point_class: never
 * renumbered, and a new class needs a new migration.
 */
enum point_class {
	PC_UNDIALED = 0,    /* never dialed: policy, self, local_error, or not reached yet */
	PC_UNREACHABLE = 1, /* refused, connect timeout, no route */
	PC_UNVERIFIED = 2,  /* TCP connected, no valid connection message */
	PC_FOREIGN = 3,     /* a valid connection message announcing another chain */
	PC_PUBLIC = 4,      /* a valid connection message announcing our chain */
};
#define POINT_CLASS_N 5

/* Stable lowercase name ("public", ...); "?" out of range. */
const char *point_class_str(enum point_class c);

/*
 * Class of one visit. conn_msg: the visit recorded a peer id (a valid
 * connection message arrived, whatever followed it: Ack, Nack, a close, a
 * protocol error, a version mismatch).
 */
enum point_class census_visit_class(enum visit_outcome o, bool conn_msg);

/* The stronger of two classes (the class of a point with both visits). */
static inline enum point_class point_class_max(enum point_class a, enum point_class b)
{
	return a > b ? a : b;
}

/*
 * Public ratio: public nodes / (public nodes + unverified points +
 * unreachable points). Foreign and undialed points are left out. 0 when
 * the denominator is 0.
 */
double census_public_ratio(uint64_t public_nodes, uint64_t unverified_points,
                           uint64_t unreachable_points);

#endif
