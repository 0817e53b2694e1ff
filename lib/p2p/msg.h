/*
 * msg — the clear and encrypted handshake messages (docs/protocol.md §4, §7, §8):
 * connection message, metadata, Ack / Nack_v_0 / Nack.
 *
 * Encoders write into caller buffers; decoders are strict (exact length, no
 * trailing bytes, every u32 length < 2^30 and within its named limit, point
 * text valid) and fill caller structs whose byte fields are BORROWED views into
 * the input, valid as long as the input is. Every failure returns a specific
 * enum err and, through *why (may be NULL), a static reason string that is
 * distinct per failure. No allocation, re-entrant.
 */
#ifndef TZ_P2P_MSG_H
#define TZ_P2P_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "net/point.h"

/* Every u32 length must be below this (docs/protocol.md §1 item 5). */
#define P2P_LEN_LIMIT       (1u << 30)
#define P2P_CONN_BODY_FIXED 90         /* connection message body without the chain name */
#define P2P_CONN_BODY_MAX   65535      /* u16 length prefix */
#define P2P_CONN_WIRE_MAX   (2 + P2P_CONN_BODY_MAX)
#define P2P_CHAIN_NAME_MAX  (P2P_CONN_BODY_MAX - P2P_CONN_BODY_FIXED)
#define P2P_METADATA_LEN    2
#define P2P_POINTS_MAX      100 /* Nack / Advertise lists: more is a decoding error */
#define P2P_POINTS_SEND_MAX 50  /* what Octez sends at most */
/* Largest Nack plaintext: tag, motive, u32, 100 x (u32 + 47). */
#define P2P_ACK_MAX (1 + 2 + 4 + P2P_POINTS_MAX * (4 + POINT_TEXT_MAX))

/* Connection message (docs/protocol.md §4.2). */
struct p2p_conn_msg {
	uint16_t port; /* 0 = not listening */
	uint8_t public_key[32];
	uint8_t pow_stamp[24];
	uint8_t message_nonce[24];
	const uint8_t *chain_name; /* borrowed, not NUL-terminated */
	size_t chain_name_len;
	uint16_t ddb_version;
	uint16_t p2p_version;
};

/*
 * Writes u16 L || body into out. ERR_TOOBIG when the chain name does not fit
 * a u16 body, ERR_FULL when cap is short. *out_len = 2 + L.
 */
enum err p2p_conn_msg_encode(const struct p2p_conn_msg *m, uint8_t *out, size_t cap,
                             size_t *out_len) __attribute__((warn_unused_result));

/*
 * Decodes a connection message from a stream: in starts with the u16 prefix.
 * ERR_AGAIN (nothing used) until 2 + L bytes are there; then *used = 2 + L and
 * the body is decoded strictly: ERR_PROTO for a short body, a chain name
 * length that does not match the body, or trailing bytes; ERR_TOOBIG for a
 * chain name length >= 2^30.
 */
enum err p2p_conn_msg_decode(const uint8_t *in, size_t len, size_t *used, struct p2p_conn_msg *m,
                             const char **why) __attribute__((warn_unused_result));

/* Decodes a body without its u16 prefix (exactly body_len bytes). */
enum err p2p_conn_msg_decode_body(const uint8_t *body, size_t body_len, struct p2p_conn_msg *m,
                                  const char **why) __attribute__((warn_unused_result));

/* Metadata (docs/protocol.md §7): two booleans, written 0xff / 0x00, any non-zero reads true. */
struct p2p_metadata {
	bool disable_mempool;
	bool private_node;
};

void p2p_metadata_encode(const struct p2p_metadata *m, uint8_t out[P2P_METADATA_LEN]);
/* ERR_PROTO unless len == 2. */
enum err p2p_metadata_decode(const uint8_t *in, size_t len, struct p2p_metadata *m,
                             const char **why) __attribute__((warn_unused_result));

/* Nack motives (i16 on the wire; docs/protocol.md §8). Values are the wire codes. */
enum p2p_motive {
	P2P_MOTIVE_NO_MOTIVE = 0,
	P2P_MOTIVE_TOO_MANY_CONNECTIONS = 1,
	P2P_MOTIVE_UNKNOWN_CHAIN_NAME = 2,
	P2P_MOTIVE_DEPRECATED_P2P_VERSION = 3,
	P2P_MOTIVE_DEPRECATED_DDB_VERSION = 4,
	P2P_MOTIVE_ALREADY_CONNECTED = 5,
};

/* Octez's name of a motive code ("Too_many_connections"), or "unknown" for other codes. */
const char *p2p_motive_str(int motive);

enum p2p_ack_kind {
	P2P_ACK = 0,     /* tag 0x00 */
	P2P_NACK_V0 = 1, /* tag 0xff */
	P2P_NACK = 2,    /* tag 0x01: motive + points */
};

struct p2p_ack {
	enum p2p_ack_kind kind;
	int16_t motive; /* P2P_NACK only; any i16 is accepted */
	size_t points_n;
	struct point points[P2P_POINTS_MAX];
};

/*
 * Encodes the Ack/Nack plaintext. ERR_TOOBIG when points_n > P2P_POINTS_MAX,
 * ERR_FULL when cap is short (P2P_ACK_MAX always suffices).
 */
enum err p2p_ack_encode(const struct p2p_ack *a, uint8_t *out, size_t cap, size_t *out_len)
    __attribute__((warn_unused_result));

/*
 * Decodes exactly len bytes. ERR_PROTO: empty, unknown tag, truncated motive
 * or list, list length not matching, trailing bytes, invalid point text;
 * ERR_TOOBIG: a length >= 2^30, a point text > 47 bytes, more than 100 points.
 */
enum err p2p_ack_decode(const uint8_t *in, size_t len, struct p2p_ack *a, const char **why)
    __attribute__((warn_unused_result));

/*
 * Shared by Nack and Advertise: decodes one "u32 len || point text" from
 * (*p, *len) (advancing them). ERR_PROTO / ERR_TOOBIG as above.
 */
enum err p2p_point_field_decode(const uint8_t **p, size_t *len, struct point *pt, const char **why)
    __attribute__((warn_unused_result));

/* Appends "u32 len || text" of pt at out (cap bytes); returns bytes written, 0 if short. */
size_t p2p_point_field_encode(const struct point *pt, uint8_t *out, size_t cap);

#endif
