/*
 * listen_int — what listen.c (inbound sessions) and dialback.c (dial-backs)
 * share inside the listener: the struct lsn and its parts. Not a contract
 * for anything outside listener/.
 */
#ifndef TZ_LISTENER_LISTEN_INT_H
#define TZ_LISTENER_LISTEN_INT_H

#include "listener/listen.h"

#define IPTAB_N 16384        /* per-IP counter slots (a power of two) */
#define PEER_BUCKETS_N 65536 /* peer table chains (a power of two) */

struct iprate {
	double window_at; /* start of the current minute */
	uint32_t n;       /* accepted in that minute */
	uint32_t live;    /* sessions open now */
};

struct lpeer {
	uint8_t peer_id[16];
	struct point source; /* latest source address : announced port */
	uint32_t sessions;
	uint32_t live;       /* sessions with an Ack from us, open now */
	bool dialing;        /* a dial-back is scheduled or in flight */
	bool decided;
	enum nat_class cls;
	double last_dial_at; /* loop time of the latest decision; valid when decided */
	struct lpeer *next;
};

struct isess {
	struct lsn *l;
	int fd;
	ev_io rio, wio;
	ev_timer deadline; /* authentication, then the open session's end */
	struct hs *hs;
	struct point source;
	int64_t started_us;
	struct iprate *ip;
	bool unfinished, open, dead, counted_live;
	bool have_conn, have_meta, branch_sent, have_head;
	uint16_t announced_port;
	uint8_t peer_id[16], public_key[32];
	unsigned pow_bits;
	uint8_t chain[128];
	size_t chain_len;
	uint16_t ddb_version, p2p_version;
	bool disable_mempool, private_node;
	int32_t head_level;
	uint32_t adv_rounds, advertised_n;
	const char *end_reason; /* decided before the close (nack, refused_by_peer) */
	struct isess *next, *prev;
};

struct dback;

struct lsn {
	struct ev_loop *loop;
	const struct lsn_config *cfg;
	const struct p2p_identity *id;
	const struct policy *policy;
	struct point listen_pt;
	uint16_t announce_port;
	uint8_t chain_id[4];
	bool chain_id_known;
	uint8_t pow_target[32];
	struct lsn_sink sink;
	int lfd;
	ev_io lio;
	ev_prepare reaper;
	struct isess *live, *dead;
	size_t sessions_n, unfinished_n;
	struct iprate *ips;       /* IPTAB_N */
	struct lpeer **peer_tab;  /* PEER_BUCKETS_N */
	struct dback *db_live, *db_dead;
	size_t dialing_n;
	uint64_t seq_session, seq_dialback, seq_adv;
	bool stopping;
	struct lsn_stats st;
	uint8_t rbuf[65536];
};

struct lpeer *lsn_peer_find(struct lsn *l, const uint8_t id[16]);
void lsn_reap(struct lsn *l);

/*
 * A peer passed its metadata: dial it back (after dialback_delay) unless it
 * was decided less than dialback_interval ago or is being dialed; record
 * port_zero or not_dialed at once. p may be NULL (peer table full).
 */
void lsn_dialback_consider(struct lsn *l, struct lpeer *p, const uint8_t peer_id[16],
			   const struct point *source, uint16_t announced_port);
void lsn_dialback_reap(struct lsn *l);
/* Closes every dial-back without a record (lsn_free). */
void lsn_dialback_abort_all(struct lsn *l);

#endif
