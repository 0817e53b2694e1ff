/*
 * probe — `tzcensus-crawl --probe HOST:PORT`: one visit, everything learnt
 * printed as one JSON object on stdout, no database. The probe is the
 * crawl's output (probe_out, in place of the store): the crawl hands it the
 * visit and the edges, kept in a struct probe_result (copies, nothing
 * borrowed); probe_print() writes it with jansson.
 */
#ifndef TZ_CRAWLER_PROBE_H
#define TZ_CRAWLER_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crawler/visit.h"
#include "db/record.h"
#include "net/point.h"

struct hs_peer;
struct crawl_config;
struct p2p_identity;

#define PROBE_EDGES_MAX 1100 /* 10 rounds + 1 Nack, 100 points each */

struct probe_edge {
	struct point to;
	enum adv_source source;
	uint32_t round, rank, list_len;
};

struct probe_result {
	bool visited;
	struct visit_rec v; /* pointers below point into this struct */
	char point[REC_POINT_TEXT_MAX];
	char error[160];
	char peer_id[64];
	uint8_t public_key[REC_PUBLIC_KEY_LEN];
	uint8_t chain[256];
	size_t chain_len; /* bytes kept (chain_total: the full length) */
	size_t chain_total;
	uint8_t head_hash[REC_BLOCK_HASH_LEN];
	bool pow_ok, chain_ok;
	struct probe_edge edges[PROBE_EDGES_MAX];
	size_t edges_n;
};

/* The probe as the crawl's output (struct crawl's out): the visit and its edges kept in p. */
struct visit_out probe_out(struct probe_result *p);

/* Writes the JSON object (and a newline) to stdout. */
void probe_print(const struct probe_result *p);

/*
 * Runs a probe of target ("host:port", resolved with getaddrinfo: the first
 * address the policy allows). Returns the exit status: 0 when the handshake
 * ended in ok, 1 for any other outcome, 2 for a usage or setup error.
 */
int probe_run(const struct crawl_config *cfg, const struct p2p_identity *id, const char *target);

#endif
