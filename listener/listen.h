/*
 * listen — tzcensus-listen's event loop part: inbound Octez sessions as the
 * responder (lib/p2p, the same code simnet's nodes run) and the dial-back
 * that classifies each inbound peer (docs/listener.md).
 *
 * struct lsn owns its listening socket, the inbound sessions, the dial-backs
 * in flight and the peer table; it borrows the loop, the config, the
 * identity and the sink (they outlive it). Every result leaves through the
 * sink's three callbacks, once, with borrowed pointers valid only during the
 * call. Sessions and dial-backs are never freed inside their own callbacks:
 * they are queued and an ev_prepare watcher frees them. Single-threaded.
 *
 * Limits (docs/listener.md, "Limits"): at most max_unfinished handshakes in
 * progress and max_sessions connections (more are accepted and closed at
 * once, as Octez does), per_ip_sessions and per_ip_per_minute per source
 * address (a fixed table: colliding addresses share a counter, never more
 * memory), max_peers remembered peers, max_dialbacks dial-backs in flight.
 * A session's memory is bounded by lib/p2p's caps (HS_IN_MAX, HS_OUT_MAX)
 * and its frame cap (16 KiB: longer frames go by unread).
 */
#ifndef TZ_LISTENER_LISTEN_H
#define TZ_LISTENER_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "core/err.h"
#include "listener/config.h"
#include "net/point.h"
#include "net/policy.h"

struct p2p_identity;

/* Dial-back classes: stored by name (dialbacks.class); never renumber. */
enum nat_class {
	NAT_REACHABLE = 0,
	NAT_REFUSED = 1,
	NAT_SILENT = 2,
	NAT_PORT_ZERO = 3,
	NAT_OTHER_PEER = 4,
	NAT_NOT_DIALED = 5,
};
#define NAT_CLASS_N 6

/* "reachable", "nat_refused", ... exactly as in the database and the JSON. */
const char *nat_class_str(enum nat_class c);

/* One inbound session, when it ended. NULL / false: it did not get that far. */
struct lsn_session_rec {
	uint64_t seq;
	int64_t started_us, ended_us;
	struct point source;
	bool have_conn; /* the fields below up to chain_len are set */
	uint16_t announced_port;
	uint8_t peer_id[16];
	uint8_t public_key[32];
	unsigned pow_bits;
	const uint8_t *chain; /* borrowed; at most 128 bytes kept */
	size_t chain_len;
	uint16_t ddb_version, p2p_version;
	bool have_meta;
	bool disable_mempool, private_node;
	const char *end_reason; /* static: closed, peer_closed, nack, ... (008_inbound.sql) */
	const char *error;      /* NULL or detail */
	bool have_head;
	int32_t head_level;
	uint32_t advertised_n;
};

/* One dial-back decision. */
struct lsn_dialback_rec {
	uint64_t seq;
	uint8_t peer_id[16];
	struct point target; /* source address : announced port */
	int64_t started_us;
	enum nat_class cls;
	bool have_reached;
	uint8_t reached[16];
	const char *error; /* NULL or detail */
	int32_t connect_ms; /* -1: no connection */
};

/* One point a dialer advertised to us. */
struct lsn_adv_rec {
	uint64_t seq;
	struct point from; /* source address : announced port */
	struct point to;
	uint32_t round, rank, list_len;
	int64_t seen_us;
};

struct lsn_sink {
	void *ctx;
	void (*session)(void *ctx, const struct lsn_session_rec *r);
	void (*dialback)(void *ctx, const struct lsn_dialback_rec *r);
	void (*adv)(void *ctx, const struct lsn_adv_rec *r);
};

struct lsn_stats {
	uint64_t accepted, sessions, handshakes_ok, refused_unfinished, refused_sessions,
	    refused_ip, refused_deny, auth_timeouts, bad_pow, protocol_errors, nacks_sent,
	    advertised_points, dialbacks_started,
	    frames_dropped; /* frames over the session's cap, read past unkept */
	uint64_t classes[NAT_CLASS_N];
	size_t unfinished_peak, sessions_peak, peers;
};

struct lsn;

/* What the peer table says about one peer (lsn_peers). */
struct lsn_peer_info {
	uint8_t peer_id[16];
	struct point source; /* the latest inbound session's address : announced port */
	uint32_t sessions;
	bool decided;
	enum nat_class cls; /* when decided: the latest class */
};

/*
 * Binds and listens on pt (SO_REUSEADDR; backlog 128). ERR_IO with a message
 * in err. chain_id: the id for our Get_current_branch when known (else learnt
 * from the dialer's own Get_current_branch).
 */
enum err lsn_new(struct lsn **out, struct ev_loop *loop, const struct lsn_config *cfg,
		 const struct p2p_identity *id, const struct policy *pol, const struct point *pt,
		 const uint8_t chain_id[4], bool chain_id_known, const struct lsn_sink *sink,
		 char *err, size_t err_cap) __attribute__((warn_unused_result));

/* Starts accepting. */
void lsn_start(struct lsn *l);

/*
 * Stops accepting and closes every inbound session (end_reason stopped);
 * dial-backs already scheduled or in flight go on. lsn_idle() turns true when
 * none is left.
 */
void lsn_stop(struct lsn *l);
bool lsn_idle(const struct lsn *l);

const struct lsn_stats *lsn_stats(const struct lsn *l);

/* Calls fn for every remembered peer (for the summary). */
void lsn_peers(const struct lsn *l, void (*fn)(void *ctx, const struct lsn_peer_info *p), void *ctx);

/* Closes everything (unfinished dial-backs are recorded nowhere) and frees. NULL is fine. */
void lsn_free(struct lsn *l);

#endif
