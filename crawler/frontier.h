/*
 * frontier — the set of points a crawl knows and the order it dials them.
 *
 * Owns every point the crawl has seen (deduplicated by address and port,
 * each with a stable id 0, 1, 2, ...), the queue of points waiting for a
 * dial, per-IP bookkeeping and the delayed retries. It enforces the safety
 * limits of docs/crawler.md ("Address policy") that depend only on addresses:
 *
 *   - the address policy (lib/net/policy) is decided once, when a point is
 *     first seen; a denied point is stored (so it is counted and recorded
 *     once) but never leased;
 *   - at most `per_ip_ports` distinct ports of one IP address are ever
 *     accepted for dialing; later ports are refused as FR_PORT_CAP (a peer
 *     must not turn the crawler into a port scanner of someone's host);
 *   - at most `per_ip_inflight` leases per IP address at once, and one per
 *     point (a point is leased again only for its retry);
 *   - at most `max_points` distinct points (FR_FULL once reached);
 *   - at most `per_message` points taken from one peer message
 *     (frontier_message_cap()).
 *
 * Points waiting on a busy IP do not block the others: they park on that IP
 * and go back to the head of the queue when one of its leases ends.
 * Hashing is keyed (SipHash via libsodium, random key) so a peer cannot
 * flood one bucket. Single-threaded; no callbacks; time is passed in.
 */
#ifndef TZ_CRAWLER_FRONTIER_H
#define TZ_CRAWLER_FRONTIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "net/policy.h"

/* Filled from the crawler's settings (crawl_config_frontier_limits in crawler/config.h). */
struct frontier_limits {
	size_t max_points;        /* distinct points stored, >= 1 */
	unsigned per_ip_inflight; /* concurrent leases per IP address, >= 1 */
	unsigned per_ip_ports;    /* distinct ports accepted per IP address, >= 1 */
	unsigned per_message;     /* points taken from one message, >= 1 */
	unsigned connect_retries; /* extra attempts after a connect timeout, >= 0 */
	double retry_delay_s;     /* wait before a retry, >= 0 */
};

enum fr_add {
	FR_NEW = 0,      /* stored and queued for a dial */
	FR_DUP = 1,      /* already known: nothing changes */
	FR_POLICY = 2,   /* stored, never dialed: the address policy refused it */
	FR_PORT_CAP = 3, /* stored, never dialed: too many ports on that IP */
	FR_BAD_PORT = 4, /* stored, never dialed: port 0 */
	FR_FULL = 5,     /* not stored: the frontier is at max_points */
};

enum fr_state {
	FRS_QUEUED = 0,   /* waiting for a lease (or parked on its IP, or a retry) */
	FRS_INFLIGHT = 1, /* leased */
	FRS_DONE = 2,     /* every attempt made */
	FRS_REFUSED = 3,  /* never to be dialed (policy, port cap, port 0) */
};

struct frontier_stats {
	size_t points;       /* distinct points stored */
	size_t queued;       /* waiting (including parked and delayed retries) */
	size_t inflight;     /* leased now */
	size_t done;         /* finished every attempt */
	size_t refused;      /* FR_POLICY + FR_PORT_CAP + FR_BAD_PORT */
	size_t dropped_full; /* offers refused with FR_FULL */
	size_t dropped_msg;  /* points cut by frontier_message_cap() */
	size_t leases;       /* leases handed out, retries included */
};

/* A dial to make: the point, its id and the attempt number (1, 2, ...). */
struct fr_lease {
	uint32_t id;
	uint8_t addr[16];
	uint16_t port;
	uint32_t attempt;
	uint32_t depth; /* hops from a seed: 0 for seeds */
};

struct frontier;

/* Returns NULL on allocation failure. The policy is borrowed for the frontier's life. */
struct frontier *frontier_new(const struct frontier_limits *l, const struct policy *p);
void frontier_free(struct frontier *f);

/*
 * Offers one point seen at discovery depth `depth`. *id gets the point's id
 * for every result but FR_FULL; *why (may be NULL) gets the reason text for
 * FR_POLICY / FR_PORT_CAP / FR_BAD_PORT (static). ERR-free: the result says
 * all; allocation failure is reported as FR_FULL.
 */
enum fr_add frontier_add(struct frontier *f, const uint8_t addr[16], uint16_t port,
			 uint32_t depth, uint32_t *id, const char **why);

/* How many of n points from one message may be offered (min(n, per_message)); counts the rest. */
size_t frontier_message_cap(struct frontier *f, size_t n);

/*
 * Leases the next dialable point at time now_s (monotonic seconds): false
 * when nothing is ready (queue empty, every waiting IP busy, retries not yet
 * due).
 */
bool frontier_next(struct frontier *f, double now_s, struct fr_lease *out);

/*
 * Ends the lease of id. retry: the attempt ended in a connect timeout; the
 * point is queued again after retry_delay_s if attempts remain, else done.
 * Returns true when a retry was scheduled.
 */
bool frontier_done(struct frontier *f, uint32_t id, bool retry, double now_s);

/*
 * Ends the lease of id after a local failure (our descriptors, memory or
 * socket, not the peer): the attempt does not count, and the point is
 * queued again after retry_delay_s, at most FRONTIER_LOCAL_RETRIES times;
 * then it is done. Returns true when a retry was scheduled.
 */
#define FRONTIER_LOCAL_RETRIES 20
bool frontier_retry_local(struct frontier *f, uint32_t id, double now_s);

/* Earliest time a delayed retry becomes due, or a negative value if none. */
double frontier_next_due(const struct frontier *f);

/* Drops everything still waiting (shutdown): they become done without a dial. */
void frontier_drain(struct frontier *f);

/* The point of an id (addr 16 bytes, port); ERR_INVAL for an unknown id. */
enum err frontier_point(const struct frontier *f, uint32_t id, uint8_t addr[16], uint16_t *port)
	__attribute__((warn_unused_result));
enum fr_state frontier_state(const struct frontier *f, uint32_t id);
uint32_t frontier_depth(const struct frontier *f, uint32_t id);

void frontier_stats(const struct frontier *f, struct frontier_stats *out);

/* True when nothing is queued, parked, delayed or in flight: the crawl is over. */
bool frontier_idle(const struct frontier *f);

#endif
