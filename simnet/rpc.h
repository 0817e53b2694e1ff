/*
 * rpc — the simulated nodes' RPC servers: a tiny fixed HTTP responder that
 * answers `GET /version` the way Octez does (src/lib_version/
 * octez_node_version.ml), on rpc.port of some public nodes' own 127.x
 * address, so the crawler's optional RPC probe can be checked against the
 * truth file (docs/simnet.md, "RPC servers").
 *
 * The plan (which node serves what) follows from the world's seed and the
 * config alone, from its own random stream: turning rpc.share on changes no
 * other part of the world. A share rpc.hostile of the RPC nodes answer
 * badly instead, one kind after the other: slow (a status line, then
 * nothing for rpc.slow_ms), huge (1 MiB without a length), not_json, a
 * redirect (never to be followed: the target path is logged), garbage
 * chunks. Every request is logged as one JSON line when a log file is given
 * (--rpc-log), and counted, so a test can tell that no RPC port was touched.
 *
 * The server borrows the world and config, owns its sockets and buffers.
 * Single-threaded, on simnet's loop.
 */
#ifndef SIMNET_RPC_H
#define SIMNET_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

struct ev_loop;
struct world;
struct sim_config;

/* What a node's RPC port does. Printed in the truth file; never renumber. */
enum sim_rpc_kind {
	SRPC_NONE = 0, /* no RPC server: the port refuses */
	SRPC_VERSION = 1,
	SRPC_SLOW = 2,
	SRPC_HUGE = 3,
	SRPC_NOT_JSON = 4,
	SRPC_REDIRECT = 5,
	SRPC_GARBAGE_CHUNKS = 6,
};
#define SRPC_KIND_N 7
const char *sim_rpc_kind_str(enum sim_rpc_kind k);

#define SIM_RELEASES_MAX 16

/* One entry of rpc.releases: "v22.1=6", "v21.0~rc3=1", "v23.0+dev=1", "v21.0~beta1+dev=1". */
struct sim_release {
	int major, minor;
	char pre[8];  /* "", "rc" or "beta" */
	int pre_n;    /* the N of ~rcN / ~betaN */
	bool dev;
	double weight;
	char text[32]; /* the release as written, without "=weight" */
};
enum err sim_release_parse(const char *spec, struct sim_release *out)
    __attribute__((warn_unused_result));

struct sim_rpc_node {
	uint8_t kind;    /* enum sim_rpc_kind */
	int8_t release;  /* index in rpc.releases for SRPC_VERSION, else -1 */
};

/* The plan: one entry per node (malloc'd, *out). ERR_NOMEM, ERR_CONFIG. */
enum err sim_rpc_plan(const struct world *w, const struct sim_config *c, struct sim_rpc_node **out)
    __attribute__((warn_unused_result));

struct sim_rpc_stats {
	uint64_t accepted, requests;
	uint64_t answers[SRPC_KIND_N];
};

struct sim_rpc;

/*
 * Binds rpc.port on the address of every node the plan gives a server (none
 * when rpc.share is 0). log may be NULL. ERR_IO with a message when a port
 * cannot be bound; nothing stays open then.
 */
enum err sim_rpc_new(struct sim_rpc **out, struct ev_loop *loop, const struct world *w,
                     const struct sim_config *c, FILE *log, char *err, size_t err_cap)
    __attribute__((warn_unused_result));
size_t sim_rpc_listener_n(const struct sim_rpc *s);
void sim_rpc_start(struct sim_rpc *s);
const struct sim_rpc_stats *sim_rpc_stats(const struct sim_rpc *s);
void sim_rpc_free(struct sim_rpc *s);

#endif
