/*
 * dialer — simulated NATed nodes that dial one listener (tzcensus-simnet
 * --dial ADDR:PORT; docs/simnet.md, "Dialers").
 *
 * Each dialer has its own identity and an "external" loopback address (its
 * NAT's public address) that it binds its outgoing socket to, so the
 * listener sees NAT as it is. Its kind decides what the listener finds when
 * it dials back external address : announced port:
 *
 *   forwarded    the dialer's own responder answers there     -> reachable
 *   nat_refused  nothing listens there                        -> nat_refused
 *   nat_silent   a black hole: accepts, never says a word     -> nat_silent
 *   port_zero    announces port 0                             -> port_zero
 *   shared       dialers_shared_group dialers behind one address, the first
 *                one's port forwarded: it is reachable, the others other_peer
 *
 * After the handshake a dialer behaves as an Octez node: it asks
 * Get_current_branch, answers the listener's Bootstrap with an Advertise of
 * its known points (listed in the truth file) and Get_current_branch with
 * its head, and stays until the listener closes. Failed dials before the Ack
 * (the listener's limits) are retried a few times. dialers.big_frame of them,
 * of every kind, are also hostile: right after their Get_current_branch they
 * send one Current_branch of almost P2P_FRAME_MAX (8 MiB) in Octez's chunks,
 * whose head (level DIALER_BIG_FRAME_LEVEL) a listener must not store. The set
 * borrows the loop and the config and owns every socket and session.
 * Single-threaded.
 */
#ifndef SIMNET_DIALER_H
#define SIMNET_DIALER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "net/point.h"
#include "simnet/config.h"

struct ev_loop;
struct dialer_set;

/* Dialer kinds: stored by name in the truth file; never renumber. */
enum dialer_kind {
	DK_FORWARDED = 0,
	DK_NAT_REFUSED = 1,
	DK_NAT_SILENT = 2,
	DK_PORT_ZERO = 3,
	DK_SHARED = 4,
};
#define DK_N 5

const char *dialer_kind_str(enum dialer_kind k);
/* Name -> kind; false when unknown. */
bool dialer_kind_parse(const char *name, enum dialer_kind *out);

/* The head level of a big frame: no dialer answers with it. */
#define DIALER_BIG_FRAME_LEVEL 1

struct dialer_stats {
	uint64_t dials, sessions, retries, advertises, branches, dialbacks_answered, failures;
	uint64_t big_frames; /* big frames written whole to the socket */
};

/*
 * Builds c->dialers_count dialers against target (kinds from the mix,
 * c->dialers_big_frame of them spread evenly over the set, identities at
 * c->expected_pow), binds their forwarded and black-hole listeners.
 * ERR_CONFIG / ERR_IO with a message in err.
 */
enum err dialer_set_new(struct dialer_set **out, struct ev_loop *loop, const struct sim_config *c,
			const struct point *target, char *err, size_t err_cap)
    __attribute__((warn_unused_result));

/* Starts the dials (spread over dialers.spread seconds). */
void dialer_set_start(struct dialer_set *s);

/* The truth: one object per dialer (peer_id, kind, external_addr,
 * announced_port, expected_class, advertised points, head_level it answers,
 * big_frame). New reference. */
json_t *dialer_set_truth(const struct dialer_set *s);

const struct dialer_stats *dialer_set_stats(const struct dialer_set *s);

/* Closes everything; NULL is fine. */
void dialer_set_free(struct dialer_set *s);

#endif
