/*
 * server_int — what server.c (listening sockets, set-up) and session.c (a
 * node's side of one connection) share inside simnet: the struct srv, its
 * listeners and per-node state. Not a contract for anything outside
 * simnet/server*.c and simnet/session.c.
 */
#ifndef SIMNET_SERVER_INT_H
#define SIMNET_SERVER_INT_H

#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include <ev.h>

#include "core/rng.h"
#include "simnet/server.h"

struct conn;

struct listener {
	ev_io io;
	struct srv *s;
	uint32_t node, point;
	uint32_t accepted; /* connections accepted so far: keys each one's random stream */
};

/* Client points a node registered, as Octez does for an incoming peer that
 * announces a port (docs/simnet.md "Announced client points"). */
#define LEARNED_MAX 16

struct snode {
	struct conn *conns;
	uint32_t inflight;
	struct point learned[LEARNED_MAX]; /* most recently registered first */
	uint32_t learned_n;
};

struct srv {
	struct ev_loop *loop;
	const struct world *w;
	const struct sim_config *c;
	FILE *viol;
	struct listener *ls;
	size_t ls_n;
	struct snode *nodes;
	struct conn *dead;
	ev_prepare reaper;
	struct srv_stats st;
	struct rng rng;
	uint8_t rbuf[65536];
};

/* Takes an accepted connection of listener l: a stall, or a responder session. */
void srv_conn_start(struct srv *s, int fd, struct listener *l,
                    const struct sockaddr_storage *ss);
/* Stops its watchers, closes its socket and queues it for srv_reap. */
void srv_conn_close(struct conn *c);
/* Frees the queued connections (the reaper, before the loop blocks; srv_free). */
void srv_reap(struct srv *s);

#endif
