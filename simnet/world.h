/*
 * world — the simulated network, generated deterministically from a seed.
 *
 * world_build() turns a struct sim_config into nodes (behaviour, points,
 * keypair, PoW stamp, head, latency) and the rank-ordered list of points each
 * node knows (its "advertises"). The same config always gives the same world,
 * byte for byte; different seeds give different worlds. Nothing here does I/O
 * except through the truth writer (simnet/truth.h).
 *
 * Topology (docs/simnet.md has the details):
 *  - core: the nodes that answer Bootstrap (public, old_version, low_pow,
 *    shared_ip, multihomed) minus the islands, wired by preferential
 *    attachment (heavy-tailed degrees). With a bottleneck of K, the core is
 *    two halves A and B joined only through K cut nodes: the minimum vertex
 *    cut between A and B is exactly K.
 *  - islands: small cliques of answering nodes whose only link to the core is
 *    one bridge node (an articulation point).
 *  - every other node (nack, stall, silent_close, private, wrong_chain) is
 *    listed by `listed_by` core nodes; no_listen nodes (never bound) by 1 to
 *    `nat_listed_by`; private/documentation-range points (data only) by 1-2.
 *  - the wrong_chain nodes are a foreign network of their own: each knows the
 *    others (up to FOREIGN_KNOWN_MAX of them) and lists them in its Nack.
 *    A share `wrong_chain.hidden` of them (foreign_only) is listed by no node
 *    of our chain: only another foreign node's Nack names them.
 *
 * Churn (config epoch/churn): epoch 0 is exactly the world above. Epoch
 * k > 0 starts from it and, from a stream forked off (seed, k), turns
 * round(churn x listening nodes) listening nodes into no_listen and as many
 * no_listen nodes into public ones (bound, full handshake, an empty
 * Advertise). Peer ids, points and lists do not change; cut nodes, bridges,
 * island members and the owners of seed points never churn.
 *
 * Attributes drawn from streams forked off the seed, so that worlds without
 * them stay as they were: old_close (config old_close.<behaviour>) and
 * shared_identity (the first topology.shared_identity public core nodes, in
 * node order, all run the keys and stamp of the first of them), and the NAT
 * cases: nat.private_points points in CGNAT, link-local and Docker-bridge
 * ranges, each appended to the list of one public node; nat.port_mismatch
 * public nodes (the last ones in node order) announcing their listening
 * port + 1.
 *
 * Owns all its memory (world_free). Secret keys are simulation keys derived
 * from the seed, wiped on free. Not thread-safe.
 */
#ifndef SIMNET_WORLD_H
#define SIMNET_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "net/point.h"
#include "simnet/config.h"

enum sim_point_kind {
	SP_LISTEN = 0,  /* a simnet node binds it */
	SP_UNBOUND = 1, /* a no_listen node's point: nothing listens, connect is refused */
	SP_DATA = 2,    /* private or documentation range: data only, never bound or dialed */
};

/* A foreign node knows at most this many others of its network. */
#define FOREIGN_KNOWN_MAX 100

struct sim_point {
	struct point pt;
	enum sim_point_kind kind;
	int32_t node; /* owning node index, -1 for SP_DATA */
};

/* What a node reveals about its known points. */
enum sim_reveal {
	REVEAL_NONE = 0,      /* never shows its list */
	REVEAL_ADVERTISE = 1, /* answers Bootstrap with an Advertise */
	REVEAL_NACK = 2,      /* lists points in its Nack */
};
const char *sim_reveal_str(enum sim_reveal r);

enum sim_role {
	ROLE_NONE = 0,   /* not in the core graph (listed only) */
	ROLE_CORE_A = 1, /* core, half A (the whole core when there is no bottleneck) */
	ROLE_CORE_B = 2, /* core, half B */
	ROLE_CUT = 3,    /* one of the planted bottleneck nodes */
	ROLE_ISLAND = 4, /* island member */
};
const char *sim_role_str(enum sim_role r);

struct sim_node {
	enum sim_behavior beh;
	enum sim_reveal reveal;
	enum sim_role role;
	int32_t island; /* island number, -1 when not in one */
	bool bridge;    /* the core node an island hangs from */
	bool foreign_only; /* wrong_chain node that no node of our chain lists */
	uint32_t pt[2]; /* point indices (world.points) */
	uint8_t pt_n;   /* 1, or 2 for multihomed */
	uint8_t sk[32], pk[32], stamp[24], peer_id[16];
	unsigned pow_bits;
	int32_t head_level;
	int64_t head_ts;
	uint32_t latency_ms;
	uint16_t ddb_version, p2p_version; /* announced (old_version: older) */
	/* closes as Octez <= v21: no TCP_NODELAY, a bare close() (config old_close.<name>) */
	bool old_close;
	/* runs the identity of the first such node (config topology.shared_identity) */
	bool shared_identity;
	/* the port its connection message announces when not its listening port
	 * (config nat.port_mismatch), else 0 */
	uint16_t announce_port;
	uint32_t *adv;                     /* known points, rank order (owned) */
	uint32_t adv_n, adv_cap;
};

struct world {
	uint64_t seed;
	bool v6_world; /* base ::1: every node on [::1] with its own port */
	uint16_t v6_port_base;
	struct sim_node *nodes;
	size_t node_n;
	struct sim_point *points;
	size_t point_n, point_cap;
	uint32_t *cut; /* node indices of the planted cut */
	size_t cut_n;
	size_t half_a_n, half_b_n;
	uint32_t *seeds; /* point indices a crawl may start from */
	size_t seed_n;
	size_t island_n;
	uint32_t *bridges; /* node index of each island's bridge */
	size_t edge_n;     /* undirected core + island + listing edges (for stats) */
	size_t foreign_n, foreign_only_n; /* wrong_chain nodes, and those only they list */
	/* churn: epoch 0 is the world as built; at epoch k > 0 the nodes in went_down
	 * (listening at epoch 0) are no_listen and those in came_up (no_listen at
	 * epoch 0) are public; both sorted, churn_n each */
	uint64_t epoch;
	uint32_t *went_down, *came_up; /* node indices */
	size_t churn_n;
};

/*
 * Builds the world. ERR_CONFIG (message in err) when the config is
 * inconsistent, ERR_NOMEM on allocation failure. With expected_pow > 0 each
 * node searches a stamp (cost ~2^expected_pow hashes per node).
 */
enum err world_build(const struct sim_config *c, struct world *w, char *err, size_t err_cap)
    __attribute__((warn_unused_result));

/* Frees everything and wipes the keys; safe on a zeroed or freed world. */
void world_free(struct world *w);

/* Node count per behaviour. */
void world_counts(const struct world *w, size_t counts[BEH_N]);

/*
 * Octez's Advertise / Nack list (docs/protocol.md §11.2): with at most
 * `size` candidates, all of them in rank order; otherwise the first
 * best = size - size*2/5 in rank order plus other = size*2/5 random indexes
 * in the rest (sorted; a repeat takes the next point; fewer when they run past
 * the end), the whole selection returned in REVERSE order. Writes point
 * indices into out (cap >= size) and returns how many. r is any 64-bit
 * random source state.
 */
struct rng;
size_t world_sample(const uint32_t *cand, size_t cand_n, size_t size, struct rng *r, uint32_t *out);

#endif
