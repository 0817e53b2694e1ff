/*
 * simclient — a small blocking test client that drives the lib/p2p
 * INITIATOR over a real loopback socket (not the crawler): one visit to one
 * point, with poll() deadlines, and a record of everything it saw. Used by
 * the simnet tests and the simnet benchmark client. Test code only.
 *
 * Misbehaviour switches let a test play a bad client: a corrupted metadata
 * chunk, garbage instead of a connection message, or keeping the session
 * open so a second one with the same identity can be tried.
 */
#ifndef TESTS_SIMCLIENT_H
#define TESTS_SIMCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/point.h"
#include "p2p/identity.h"
#include "p2p/msg.h"

enum sc_outcome {
	SC_OK = 0,           /* Ack both ways */
	SC_REFUSED = 1,      /* connect refused */
	SC_SILENT_CLOSE = 2, /* connected, closed with 0 bytes */
	SC_TIMEOUT = 3,      /* deadline with the handshake unfinished */
	SC_CLOSED = 4,       /* closed mid-handshake after some bytes (private, refused) */
	SC_NACK = 5,
	SC_NACK_V0 = 6,
	SC_ERROR = 7, /* protocol error on our side (reason in error) */
	SC_IOERR = 8,
};
const char *sc_outcome_str(enum sc_outcome o);

enum sc_misbehave {
	SC_BEHAVE = 0,
	SC_CORRUPT_METADATA = 1, /* flip one MAC byte of our metadata chunk */
	SC_GARBAGE_CONN = 2,     /* send a short malformed connection message */
	SC_RAW = 3,              /* send raw[0..raw_len) instead of our connection message */
};

struct sc_opts {
	const struct p2p_identity *id;
	const char *chain_name; /* default TEZOS_MAINNET */
	double expected_pow;    /* what we check the node against (recorded only) */
	int timeout_ms;         /* whole visit deadline (default 3000) */
	int open_ms;            /* after Ack: how long to wait for answers (default 1000) */
	int bootstraps;         /* Bootstrap messages to send after Ack, back to back */
	int late_boot_ms;       /* > 0: the last of them goes this long after the Ack */
	bool get_branch;        /* send Get_current_branch after Ack */
	bool hold;              /* leave the socket open (r->fd) after the visit */
	bool banner_only;       /* stop after the node's connection message */
	enum sc_misbehave misbehave;
	const uint8_t *raw; /* SC_RAW bytes */
	size_t raw_len;
};

struct sc_result {
	enum sc_outcome outcome;
	char error[128];
	size_t bytes_in;
	bool got_conn;
	uint8_t peer_id[16];
	unsigned pow_bits;
	uint16_t port, ddb_version, p2p_version;
	char chain_name[128];
	bool got_meta, private_node, disable_mempool;
	int16_t motive;
	size_t nack_n;
	struct point nack[P2P_POINTS_MAX];
	int adv_msgs; /* Advertise messages received */
	size_t adv_n; /* points of the first Advertise */
	struct point adv[P2P_POINTS_MAX];
	double adv_at_ms[4]; /* arrival of the first Advertises, ms after Ack */
	double late_boot_at_ms; /* when the late Bootstrap was written, ms after Ack */
	bool got_branch_req; /* the node sent Get_current_branch */
	uint8_t branch_req_chain[4];
	bool got_branch;
	int32_t head_level;
	int64_t head_ts;
	uint8_t head_hash[32];
	double ack_ms; /* connect -> Ack */
	int fd;        /* with hold: the open socket (caller closes), else -1 */
};

/* One visit. Fills *r (always); returns r->outcome. */
enum sc_outcome sc_visit(const struct point *pt, const struct sc_opts *o, struct sc_result *r);

/* A throwaway identity meeting pow (libsodium randomness, all cores). */
int sc_identity(struct p2p_identity *id, double pow);

#endif
