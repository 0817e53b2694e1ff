/*
 * world_int — what world.c (behaviours, points, identities, churn and the
 * per-node attributes) and world_topo.c (the topology and each node's list)
 * share inside the world generator: the builder state and two helpers. Not a
 * contract for anything outside simnet/world*.c.
 */
#ifndef SIMNET_WORLD_INT_H
#define SIMNET_WORLD_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/rng.h"
#include "net/point.h"
#include "simnet/config.h"
#include "simnet/world.h"

/* A small growable u32 vector (owned v). */
struct vec {
	uint32_t *v;
	uint32_t n, cap;
};

struct builder {
	const struct sim_config *c;
	struct world *w;
	struct rng r;
	struct vec *nbr;   /* per node: core/island neighbours (node indices) */
	struct vec *extra; /* per node: listed points that are not core neighbours */
	struct vec answering, core;
	/* the two halves a listed node may live in (both the whole core without a bottleneck):
	 * every lister of one node comes from one half, so the cut stays the only A-B link */
	const uint32_t *half[2];
	size_t half_n[2];
	uint32_t base_v4;
	uint32_t next_extra_v4; /* multihomed second addresses, after the node range */
	uint16_t next_v6_port;
	unsigned v6_left;
	char *err;
	size_t err_cap;
};

/* Fisher-Yates shuffle of v[0..n) from r. */
void wb_shuffle_u32(uint32_t *v, size_t n, struct rng *r);

/* Appends a point to the world; its index in *idx. ERR_NOMEM on failure. */
enum err wb_add_point(struct builder *B, struct point pt, enum sim_point_kind kind,
                      int32_t node, uint32_t *idx) __attribute__((warn_unused_result));

/*
 * Phase 3 (world_topo.c): the core graph and islands, the listers of every
 * other node and the data points, each node's final list in rank order, the
 * foreign network, and the seed points, drawn from B->r in that order.
 */
enum err wb_topology(struct builder *B) __attribute__((warn_unused_result));

#endif
