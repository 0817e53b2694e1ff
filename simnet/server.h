/*
 * server — every simulated node of a world on one libev loop.
 *
 * One listening socket per bound point (no_listen nodes bind nothing); each
 * accepted connection is driven by a lib/p2p responder session (struct hs)
 * according to its node's behaviour, with Octez's rules (docs/protocol.md §9, §11):
 * PoW check, violations logged as JSON lines, Nack Already_connected for a
 * second concurrent session of one peer id, the authentication deadline,
 * Advertise sampling and Bootstrap throttling, Get_current_branch after the
 * client's Ack. Responses leave after the node's latency.
 *
 * The server borrows the world and the config (they outlive it) and owns its
 * sockets, sessions and buffers. Single-threaded: everything runs in the
 * loop's thread.
 */
#ifndef SIMNET_SERVER_H
#define SIMNET_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "simnet/config.h"
#include "simnet/world.h"

struct ev_loop;
struct srv;

/* Counters, for the closing log line and the benchmark. */
struct srv_stats {
	uint64_t accepted, silent_closed, busy_closed, stalled;
	uint64_t acks, nacks, refused, sessions_open, auth_timeouts, violations;
	uint64_t advertises, branches, client_closed;
	uint64_t old_close_resets; /* old_close nodes that reset instead of sending their Nack or FIN */
	uint64_t boot_throttled;   /* Bootstrap requests delayed by the 100 ms throttle */
	uint64_t clients_registered; /* client points registered (announced port, not private) */
};

/*
 * Creates the server: raises RLIMIT_NOFILE, binds and listens on every
 * listening point. violations may be NULL (violations are then only counted).
 * ERR_IO with a message in err when a socket cannot be bound (address in use,
 * descriptor limit); nothing stays open then.
 */
enum err srv_new(struct srv **out, struct ev_loop *loop, const struct world *w,
                 const struct sim_config *c, FILE *violations, char *err, size_t err_cap)
    __attribute__((warn_unused_result));

/* Number of listening sockets bound. */
size_t srv_listener_n(const struct srv *s);

/* Starts the listeners' watchers (call once, before ev_run). */
void srv_start(struct srv *s);

const struct srv_stats *srv_stats(const struct srv *s);

/* Closes every socket and frees everything; NULL is fine. Call after ev_run returns. */
void srv_free(struct srv *s);

#endif
