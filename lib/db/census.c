/*
 * census — outcome to class, and the public ratio.
 *
 * Why classes and not outcomes: an outcome says how one visit ended, a class
 * says what the visit proved about the point. A connection message that
 * announces our chain proves a listening node of this network whatever came
 * after it (a Nack, a close after the metadata, a version we do not share);
 * one that announces another chain proves a node of another network, which
 * must not inflate this one; a TCP connection without a valid connection
 * message proves only that something listens (a busy node, a firewall, a
 * tarpit), so it stays out of both; and our own failures prove nothing.
 */
#include "db/census.h"

static const char *const class_names[POINT_CLASS_N] = {
	[PC_UNDIALED] = "undialed",
	[PC_UNREACHABLE] = "unreachable",
	[PC_UNVERIFIED] = "unverified",
	[PC_FOREIGN] = "foreign",
	[PC_PUBLIC] = "public",
};

const char *point_class_str(enum point_class c)
{
	switch (c) {
	case PC_UNDIALED:
	case PC_UNREACHABLE:
	case PC_UNVERIFIED:
	case PC_FOREIGN:
	case PC_PUBLIC:
		return class_names[c];
	}
	return "?";
}

enum point_class census_visit_class(enum visit_outcome o, bool conn_msg)
{
	switch (o) {
	case VISIT_POLICY:      /* not dialed */
	case VISIT_SELF:        /* ourselves: not a point of the network we count */
	case VISIT_LOCAL_ERROR: /* our side failed: says nothing of the peer */
		return PC_UNDIALED;
	case VISIT_FOREIGN:
		return PC_FOREIGN;
	case VISIT_OK:
	case VISIT_NACK:
	case VISIT_INCOMPATIBLE: /* our chain, no version in common */
		return PC_PUBLIC;
	case VISIT_REFUSED:
	case VISIT_TIMEOUT:
	case VISIT_UNREACHABLE:
		return PC_UNREACHABLE;
	case VISIT_SILENT_CLOSE:
	case VISIT_CLOSED:
	case VISIT_HANDSHAKE_TIMEOUT:
	case VISIT_PROTOCOL_ERROR:
		return conn_msg ? PC_PUBLIC : PC_UNVERIFIED;
	}
	return PC_UNDIALED;
}

double census_public_ratio(uint64_t public_nodes, uint64_t unverified_points,
                           uint64_t unreachable_points)
{
	uint64_t d = public_nodes + unverified_points + unreachable_points;
	return d ? (double)public_nodes / (double)d : 0.0;
}
