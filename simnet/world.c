/*
 * The generator draws everything from one master stream in a fixed order, and
 * per-node keys from per-node forks of it, so adding an option that consumes
 * randomness late does not reshuffle the early decisions. Each phase below is
 * one function; world_build calls them in order. Phase 3, the topology and the
 * lists each node advertises, is in world_topo.c (simnet/world_int.h holds the
 * builder state both files share).
 */
#include "simnet/world.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/buf.h"
#include "p2p/identity.h"
#include "core/rng.h"
#include "simnet/world_int.h"

/* Head timestamp of the best level (2025-11-24T16:00:00Z) and the block time. */
#define HEAD_TS0 1764000000LL
#define BLOCK_S  8

const char *sim_reveal_str(enum sim_reveal r)
{
	switch (r) {
	case REVEAL_NONE: return "none";
	case REVEAL_ADVERTISE: return "advertise";
	case REVEAL_NACK: return "nack";
	}
	return "?";
}

const char *sim_role_str(enum sim_role r)
{
	switch (r) {
	case ROLE_NONE: return "none";
	case ROLE_CORE_A: return "core_a";
	case ROLE_CORE_B: return "core_b";
	case ROLE_CUT: return "cut";
	case ROLE_ISLAND: return "island";
	}
	return "?";
}

/* ---- builder helpers (the wb_ ones shared with world_topo.c) ----------- */

void wb_shuffle_u32(uint32_t *v, size_t n, struct rng *r)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)rng_below(r, i);
		uint32_t t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

static bool answers_bootstrap(enum sim_behavior b)
{
	return b == BEH_PUBLIC || b == BEH_OLD_VERSION || b == BEH_LOW_POW || b == BEH_SHARED_IP ||
	       b == BEH_MULTIHOMED;
}

enum err wb_add_point(struct builder *B, struct point pt, enum sim_point_kind kind,
                      int32_t node, uint32_t *idx)
{
	struct world *w = B->w;
	enum err e = array_reserve((void **)&w->points, &w->point_cap, w->point_n + 1,
	                           sizeof *w->points, 256);
	if (e != ERR_OK)
		return e;
	w->points[w->point_n] = (struct sim_point){.pt = pt, .kind = kind, .node = node};
	*idx = (uint32_t)w->point_n++;
	return ERR_OK;
}

static struct point v6_loopback(uint16_t port)
{
	struct point p;
	memset(&p, 0, sizeof p);
	p.addr[15] = 1;
	p.port = port;
	return p;
}

/* Largest-remainder apportionment of nodes to behaviours; every behaviour with a
 * positive weight gets at least one node when there are enough nodes. */
static void apportion(const struct sim_config *c, size_t n, size_t counts[BEH_N])
{
	double total = 0;
	int positive = 0;
	for (int b = 0; b < BEH_N; b++) {
		total += c->share[b];
		positive += c->share[b] > 0;
	}
	double rem[BEH_N];
	size_t given = 0;
	for (int b = 0; b < BEH_N; b++) {
		double exact = c->share[b] / total * (double)n;
		counts[b] = (size_t)floor(exact);
		rem[b] = exact - (double)counts[b];
		given += counts[b];
	}
	while (given < n) {
		int best = 0;
		for (int b = 1; b < BEH_N; b++)
			if (rem[b] > rem[best])
				best = b;
		counts[best]++;
		rem[best] = -1;
		given++;
	}
	if (n < (size_t)positive)
		return;
	/* lift empty positive behaviours, taking from the largest */
	for (int b = 0; b < BEH_N; b++) {
		if (c->share[b] <= 0 || counts[b] > 0)
			continue;
		int big = 0;
		for (int k = 1; k < BEH_N; k++)
			if (counts[k] > counts[big])
				big = k;
		counts[big]--;
		counts[b]++;
	}
}

/* ---- phase 1: behaviours and points ------------------------------------- */

static enum err assign_behaviours(struct builder *B)
{
	struct world *w = B->w;
	size_t counts[BEH_N];
	apportion(B->c, w->node_n, counts);
	size_t k = 0;
	uint32_t *order = malloc(w->node_n * sizeof *order);
	if (!order)
		return ERR_NOMEM;
	for (int b = 0; b < BEH_N; b++)
		for (size_t i = 0; i < counts[b]; i++)
			order[k++] = (uint32_t)b;
	wb_shuffle_u32(order, w->node_n, &B->r);
	for (size_t i = 0; i < w->node_n; i++) {
		struct sim_node *nd = &w->nodes[i];
		nd->beh = (enum sim_behavior)order[i];
		nd->island = -1;
		nd->ddb_version = 2;
		nd->p2p_version = 1;
		if (nd->beh == BEH_OLD_VERSION) {
			nd->ddb_version = (uint16_t)B->c->old_ddb_version;
			nd->p2p_version = (uint16_t)B->c->old_p2p_version;
		}
		if (answers_bootstrap(nd->beh))
			nd->reveal = REVEAL_ADVERTISE;
		else if (nd->beh == BEH_NACK || nd->beh == BEH_WRONG_CHAIN)
			nd->reveal = REVEAL_NACK; /* wrong_chain: its own network's points */
		else
			nd->reveal = REVEAL_NONE;
	}
	free(order);
	/* foreign_only: the k-th wrong_chain node (index order, itself shuffled) when
	 * floor((k + 1) h) > floor(k h), so a share h of them, without a draw */
	double h = B->c->wrong_chain_hidden;
	for (size_t i = 0; i < w->node_n; i++) {
		struct sim_node *nd = &w->nodes[i];
		if (nd->beh != BEH_WRONG_CHAIN)
			continue;
		double nth = (double)w->foreign_n++;
		nd->foreign_only = floor((nth + 1) * h) > floor(nth * h);
		w->foreign_only_n += nd->foreign_only;
	}
	return ERR_OK;
}

/* The slot address of node i: base + i (IPv4) or [::1]:v6_port_base + i. */
static struct point slot_point(struct builder *B, size_t i, uint16_t port_off)
{
	if (B->w->v6_world)
		return v6_loopback((uint16_t)(B->w->v6_port_base + i));
	return point_v4(B->base_v4 + (uint32_t)i, (uint16_t)(B->c->port + port_off));
}

static enum err assign_points(struct builder *B)
{
	struct world *w = B->w;
	size_t group = (size_t)B->c->shared_ip_group;
	size_t shared_seen = 0, multi_seen = 0, v6_done = 0;
	size_t group_first = 0;
	enum err e;
	for (size_t i = 0; i < w->node_n; i++) {
		struct sim_node *nd = &w->nodes[i];
		enum sim_point_kind kind = nd->beh == BEH_NO_LISTEN ? SP_UNBOUND : SP_LISTEN;
		struct point pt = slot_point(B, i, 0);
		if (nd->beh == BEH_SHARED_IP) {
			size_t pos = shared_seen % group;
			if (pos == 0)
				group_first = i;
			if (w->v6_world)
				pt = slot_point(B, i, 0);
			else
				pt = slot_point(B, group_first, (uint16_t)pos);
			shared_seen++;
		} else if (nd->beh == BEH_PUBLIC && !w->v6_world &&
		           v6_done < (size_t)B->c->v6_nodes && B->v6_left > 0) {
			pt = v6_loopback(B->next_v6_port++);
			B->v6_left--;
			v6_done++;
		}
		if ((e = wb_add_point(B, pt, kind, (int32_t)i, &nd->pt[0])) != ERR_OK)
			return e;
		nd->pt_n = 1;
		if (nd->beh == BEH_MULTIHOMED) {
			struct point second;
			if (w->v6_world)
				second = v6_loopback(
				    (uint16_t)(w->v6_port_base + w->node_n + multi_seen));
			else if (multi_seen % 2 == 0 && B->v6_left > 0) {
				second = v6_loopback(B->next_v6_port++);
				B->v6_left--;
			} else
				second = point_v4(B->next_extra_v4++, (uint16_t)B->c->port);
			if ((e = wb_add_point(B, second, SP_LISTEN, (int32_t)i, &nd->pt[1])) != ERR_OK)
				return e;
			nd->pt_n = 2;
			multi_seen++;
		}
	}
	return ERR_OK;
}

/* ---- phase 2: identities, heads, latency ------------------------------- */

static enum err make_identities(struct builder *B)
{
	struct world *w = B->w;
	const struct sim_config *c = B->c;
	uint8_t target[32];
	bool demand = c->expected_pow > 0;
	if (p2p_pow_target(target, c->expected_pow) != ERR_OK) {
		snprintf(B->err, B->err_cap, "expected_pow %g out of range", c->expected_pow);
		return ERR_CONFIG;
	}
	/* low_pow nodes stay strictly below the expected PoW and at most max_bits */
	unsigned low_cap = (unsigned)c->low_pow_bits_max;
	if (demand && (double)low_cap >= c->expected_pow)
		low_cap = (unsigned)ceil(c->expected_pow) - 1;
	for (size_t i = 0; i < w->node_n; i++) {
		struct sim_node *nd = &w->nodes[i];
		struct rng r = rng_fork(&B->r, 0x1d00000000ull + i);
		do {
			rng_bytes(&r, nd->sk, sizeof nd->sk);
		} while (crypto_scalarmult_base(nd->pk, nd->sk) != 0);
		p2p_peer_id(nd->peer_id, nd->pk);
		rng_bytes(&r, nd->stamp, sizeof nd->stamp);
		if (nd->beh == BEH_LOW_POW) {
			/* draw stamps until one is weak enough (7/8 of them are, for cap 2) */
			while (p2p_pow_bits(nd->pk, nd->stamp) > low_cap ||
			       (demand && p2p_pow_check(nd->pk, nd->stamp, target)))
				rng_bytes(&r, nd->stamp, sizeof nd->stamp);
		} else if (demand) {
			/* Octez's search: start anywhere, add one until the stamp passes */
			while (!p2p_pow_check(nd->pk, nd->stamp, target))
				p2p_stamp_incr(nd->stamp);
		}
		nd->pow_bits = p2p_pow_bits(nd->pk, nd->stamp);
	}
	return ERR_OK;
}

static void make_heads(struct builder *B)
{
	const struct sim_config *c = B->c;
	for (size_t i = 0; i < B->w->node_n; i++) {
		struct sim_node *nd = &B->w->nodes[i];
		uint32_t lag = 0;
		if (c->head_max_lag > 0 && rng_below(&B->r, 10) >= 7)
			lag = 1 + (uint32_t)rng_below(&B->r, (uint64_t)c->head_max_lag);
		if ((long long)lag >= c->head_level)
			lag = (uint32_t)(c->head_level - 1);
		nd->head_level = (int32_t)(c->head_level - lag);
		nd->head_ts = HEAD_TS0 - (int64_t)lag * BLOCK_S;
		uint64_t span = (uint64_t)(c->latency_max_ms - c->latency_min_ms) + 1;
		nd->latency_ms = (uint32_t)(c->latency_min_ms + (long long)rng_below(&B->r, span));
	}
}

/* ---- phase 3: topology is in world_topo.c (wb_topology) -------------- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Can node i go away at an epoch > 0 without touching the planted structure? */
static bool churnable_down(const struct world *w, size_t i)
{
	const struct sim_node *nd = &w->nodes[i];
	if (nd->beh == BEH_NO_LISTEN || nd->role == ROLE_CUT || nd->role == ROLE_ISLAND ||
	    nd->bridge)
		return false;
	for (size_t k = 0; k < w->seed_n; k++)
		if (w->points[w->seeds[k]].node == (int32_t)i)
			return false;
	return true;
}

/*
 * Epoch k > 0: a share of the listening nodes goes away, as many NATed nodes
 * come up as public. Its own stream (rng_fork of the seed's stream by k), so
 * the epoch-0 world is drawn exactly as without churn.
 */
static enum err apply_churn(const struct sim_config *c, struct world *w)
{
	size_t listening = 0, down_n = 0, up_n = 0;
	uint32_t *down = malloc(w->node_n * sizeof *down);
	uint32_t *up = malloc(w->node_n * sizeof *up);
	if (!down || !up) {
		free(down);
		free(up);
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < w->node_n; i++) {
		if (w->nodes[i].beh == BEH_NO_LISTEN)
			up[up_n++] = (uint32_t)i;
		else
			listening++;
		if (churnable_down(w, i))
			down[down_n++] = (uint32_t)i;
	}
	size_t k = (size_t)llround(c->churn * (double)listening);
	if (k > down_n)
		k = down_n;
	if (k > up_n)
		k = up_n;
	struct rng base, r;
	rng_seed(&base, (uint64_t)c->seed);
	r = rng_fork(&base, 0xc4c4000000000000ull + (uint64_t)c->epoch);
	/* the first k of a partial Fisher-Yates shuffle of each candidate list */
	for (size_t i = 0; i < k; i++) {
		size_t j = i + (size_t)rng_below(&r, down_n - i);
		uint32_t t = down[i];
		down[i] = down[j];
		down[j] = t;
		j = i + (size_t)rng_below(&r, up_n - i);
		t = up[i];
		up[i] = up[j];
		up[j] = t;
	}
	qsort(down, k, sizeof *down, cmp_u32);
	qsort(up, k, sizeof *up, cmp_u32);
	for (size_t i = 0; i < k; i++) {
		struct sim_node *nd = &w->nodes[down[i]];
		nd->beh = BEH_NO_LISTEN;
		nd->reveal = REVEAL_NONE; /* its list stays in the truth file, unseen */
		for (unsigned q = 0; q < nd->pt_n; q++)
			w->points[nd->pt[q]].kind = SP_UNBOUND;
		nd = &w->nodes[up[i]];
		nd->beh = BEH_PUBLIC;
		nd->reveal = REVEAL_ADVERTISE; /* knows no point yet: an empty Advertise */
		for (unsigned q = 0; q < nd->pt_n; q++)
			w->points[nd->pt[q]].kind = SP_LISTEN;
	}
	w->epoch = (uint64_t)c->epoch;
	w->went_down = down;
	w->came_up = up;
	w->churn_n = k;
	return ERR_OK;
}

/* ---- phase 4: per-node attributes that mix with every behaviour -------- */

static void mark_old_close(struct builder *B)
{
	for (size_t i = 0; i < B->w->node_n; i++) {
		struct sim_node *nd = &B->w->nodes[i];
		double share = B->c->old_close[nd->beh];
		if (share <= 0)
			continue;
		struct rng r = rng_fork(&B->r, 0x01dc105e00000000ull + i);
		nd->old_close = share >= 1 || rng_unit(&r) < share;
	}
}

/* A cloned identity.json: public core nodes that all run one key pair and stamp. */
static void share_identity(struct builder *B)
{
	struct world *w = B->w;
	struct sim_node *first = NULL;
	long long left = B->c->shared_identity;
	for (size_t i = 0; i < w->node_n && left > 0; i++) {
		struct sim_node *nd = &w->nodes[i];
		if (nd->beh != BEH_PUBLIC ||
		    (nd->role != ROLE_CORE_A && nd->role != ROLE_CORE_B) || nd->bridge)
			continue;
		if (!first)
			first = nd;
		else {
			memcpy(nd->sk, first->sk, sizeof nd->sk);
			memcpy(nd->pk, first->pk, sizeof nd->pk);
			memcpy(nd->stamp, first->stamp, sizeof nd->stamp);
			memcpy(nd->peer_id, first->peer_id, sizeof nd->peer_id);
			nd->pow_bits = first->pow_bits;
		}
		nd->shared_identity = true;
		left--;
	}
}

/*
 * NAT cases, from a stream of their own so that worlds without them stay as
 * they were. Private points: CGNAT 100.64.0.0/10, link-local 169.254.0.0/16
 * and Docker's default bridge 172.17.0.0/16 in turn, data only, each appended
 * to the list of a random public node (what a node learns from a client in a
 * container or behind a carrier NAT). Port mismatch: the last public nodes in
 * node order announce their listening port + 1 (a wrong advertised-net-port).
 */
static enum err nat_cases(struct builder *B)
{
	struct world *w = B->w;
	const struct sim_config *c = B->c;
	struct rng r = rng_fork(&B->r, 0x4a7c0de500000000ull);
	uint32_t *pub = malloc(w->node_n * sizeof *pub);
	size_t pub_n = 0;
	if (!pub)
		return ERR_NOMEM;
	for (size_t i = 0; i < w->node_n; i++)
		if (w->nodes[i].beh == BEH_PUBLIC && !w->nodes[i].shared_identity)
			pub[pub_n++] = (uint32_t)i;
	static const struct {
		uint32_t net;
		unsigned bits;
	} ranges[] = {
	    {0x64400000u, 10}, /* 100.64.0.0/10 CGNAT */
	    {0xa9fe0000u, 16}, /* 169.254.0.0/16 link-local */
	    {0xac110000u, 16}, /* 172.17.0.0/16 Docker's default bridge */
	};
	enum err e = ERR_OK;
	for (long long d = 0; pub_n > 0 && d < c->nat_private_points; d++) {
		unsigned rg = (unsigned)(d % 3);
		uint32_t host = (uint32_t)rng_next(&r) & ((1u << (32 - ranges[rg].bits)) - 1);
		if (host == 0)
			host = 2;
		uint32_t idx;
		if ((e = wb_add_point(B, point_v4(ranges[rg].net | host, 9732), SP_DATA, -1,
		                      &idx)) != ERR_OK)
			goto out;
		struct sim_node *nd = &w->nodes[pub[rng_below(&r, pub_n)]];
		if (nd->adv_n == nd->adv_cap) {
			uint32_t cap = (uint32_t)grow_cap(nd->adv_cap, (size_t)nd->adv_n + 1, 8,
							  UINT32_MAX);
			uint32_t *na = realloc(nd->adv, cap * sizeof *na);
			if (!na) {
				e = ERR_NOMEM;
				goto out;
			}
			nd->adv = na;
			nd->adv_cap = cap;
		}
		nd->adv[nd->adv_n++] = idx;
	}
	for (size_t k = 0; k < pub_n && (long long)k < c->nat_port_mismatch; k++) {
		struct sim_node *nd = &w->nodes[pub[pub_n - 1 - k]];
		uint16_t listen = w->points[nd->pt[0]].pt.port;
		nd->announce_port = listen == 65535 ? 1 : (uint16_t)(listen + 1);
	}
out:
	free(pub);
	return e;
}

enum err world_build(const struct sim_config *c, struct world *w, char *err, size_t err_cap)
{
	memset(w, 0, sizeof *w);
	struct builder B = {.c = c, .w = w, .err = err, .err_cap = err_cap};
	enum err e = simcfg_check(c, err, err_cap);
	if (e != ERR_OK)
		return e;
	w->seed = (uint64_t)c->seed;
	w->node_n = (size_t)c->nodes;
	w->v6_world = strcmp(c->base, "::1") == 0;
	if (!w->v6_world && !simcfg_base_v4(c->base, &B.base_v4))
		return ERR_CONFIG; /* simcfg_check said so already */
	B.next_extra_v4 = B.base_v4 + (uint32_t)w->node_n;
	if (c->v6_port_base)
		w->v6_port_base = (uint16_t)c->v6_port_base;
	else if (w->v6_world)
		w->v6_port_base = 20000;
	else
		/* below Linux's ephemeral range (32768+), 100 ports per second octet */
		w->v6_port_base = (uint16_t)(10000 + 100 * (((B.base_v4 >> 16) & 0xff) % 200));
	B.next_v6_port = w->v6_port_base;
	B.v6_left = 100;
	rng_seed(&B.r, (uint64_t)c->seed);
	w->nodes = calloc(w->node_n, sizeof *w->nodes);
	B.nbr = calloc(w->node_n, sizeof *B.nbr);
	B.extra = calloc(w->node_n, sizeof *B.extra);
	if (!w->nodes || !B.nbr || !B.extra) {
		e = ERR_NOMEM;
		goto out;
	}
	if ((e = assign_behaviours(&B)) != ERR_OK || (e = assign_points(&B)) != ERR_OK ||
	    (e = make_identities(&B)) != ERR_OK)
		goto out;
	make_heads(&B);
	if ((e = wb_topology(&B)) != ERR_OK)
		goto out;
	mark_old_close(&B);
	share_identity(&B);
	if ((e = nat_cases(&B)) != ERR_OK)
		goto out;
	if (c->epoch > 0)
		e = apply_churn(c, w);
out:
	for (size_t i = 0; B.nbr && i < w->node_n; i++)
		free(B.nbr[i].v);
	for (size_t i = 0; B.extra && i < w->node_n; i++)
		free(B.extra[i].v);
	free(B.nbr);
	free(B.extra);
	free(B.answering.v);
	free(B.core.v);
	if (e != ERR_OK) {
		if (e == ERR_NOMEM)
			snprintf(err, err_cap, "out of memory building the world");
		world_free(w);
	}
	return e;
}

void world_free(struct world *w)
{
	if (!w)
		return;
	for (size_t i = 0; w->nodes && i < w->node_n; i++) {
		sodium_memzero(w->nodes[i].sk, sizeof w->nodes[i].sk);
		free(w->nodes[i].adv);
	}
	free(w->nodes);
	free(w->points);
	free(w->cut);
	free(w->seeds);
	free(w->bridges);
	free(w->went_down);
	free(w->came_up);
	memset(w, 0, sizeof *w);
}

void world_counts(const struct world *w, size_t counts[BEH_N])
{
	memset(counts, 0, BEH_N * sizeof counts[0]);
	for (size_t i = 0; i < w->node_n; i++)
		counts[w->nodes[i].beh]++;
}

size_t world_sample(const uint32_t *cand, size_t cand_n, size_t size, struct rng *r, uint32_t *out)
{
	size_t other = size * 2 / 5, best = size - other;
	if (cand_n <= size) {
		if (cand_n)
			memcpy(out, cand, cand_n * sizeof *cand);
		return cand_n;
	}
	/* indexes: 0..best-1, then `other` sorted draws in [best, cand_n) */
	size_t idx[100];
	for (size_t i = 0; i < best; i++)
		idx[i] = i;
	for (size_t i = 0; i < other; i++) {
		size_t v = best + (size_t)rng_below(r, cand_n - best), j = best + i;
		while (j > best && idx[j - 1] > v) { /* insertion sort */
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = v;
	}
	/* walk the candidates; take i when i >= the next index (a repeat takes the next point) */
	size_t picked[100], n = 0, next = 0;
	for (size_t i = 0; i < cand_n && next < size; i++)
		if (i >= idx[next]) {
			picked[n++] = cand[i];
			next++;
		}
	for (size_t k = 0; k < n; k++) /* Octez accumulates by consing: reverse order */
		out[k] = (uint32_t)picked[n - 1 - k];
	return n;
}
