/*
 * frame — P2P messages after the Ack (docs/protocol.md §10, §12): u32 size || u16 tag ||
 * payload, carried in the plaintext of encrypted chunks.
 *
 * Decoded: Disconnect, Bootstrap, Advertise (<= 100 points), Swap_request,
 * Swap_ack, Get_current_branch, Current_branch (head header fields and the
 * head's block hash), and the fixed-size chain messages (Deactivate,
 * Get_current_head). Every other known chain-level tag (0x14-0x91 of §12) is
 * accepted with its payload left raw ("skipped"); an unknown tag is an error.
 * A frame holds exactly one message: size 0 and trailing bytes are errors.
 *
 * Decoded byte fields are BORROWED views into the frame bytes. Encoders write
 * into caller buffers. p2p_reasm owns one heap buffer, capped by
 * P2P_FRAME_MAX + one chunk. Re-entrant (no globals).
 */
#ifndef TZ_P2P_FRAME_H
#define TZ_P2P_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "net/point.h"
#include "p2p/msg.h"

/*
 * Largest frame we accept (size field, i.e. tag + payload). Octez allows
 * 100 MiB; the biggest real messages (Current_head with a full mempool,
 * Operations_for_blocks) stay far below 8 MiB, and a crawler must not let a
 * peer make it buffer 100 MiB.
 */
#define P2P_FRAME_MAX      (8u << 20)
#define P2P_BLOCK_HASH_LEN 32
#define P2P_HEADER_FIXED   114 /* shell header without fitness elements: 4+1+32+8+1+32+4+32 */

enum p2p_tag {
	P2P_TAG_DISCONNECT = 0x01,
	P2P_TAG_BOOTSTRAP = 0x02,
	P2P_TAG_ADVERTISE = 0x03,
	P2P_TAG_SWAP_REQUEST = 0x04,
	P2P_TAG_SWAP_ACK = 0x05,
	P2P_TAG_GET_CURRENT_BRANCH = 0x10,
	P2P_TAG_CURRENT_BRANCH = 0x11,
	P2P_TAG_DEACTIVATE = 0x12,
	P2P_TAG_GET_CURRENT_HEAD = 0x13,
	P2P_TAG_CURRENT_HEAD = 0x14,
	P2P_TAG_GET_BLOCK_HEADERS = 0x20,
	P2P_TAG_BLOCK_HEADER = 0x21,
	P2P_TAG_GET_OPERATIONS = 0x30,
	P2P_TAG_OPERATION = 0x31,
	P2P_TAG_GET_PROTOCOLS = 0x40,
	P2P_TAG_PROTOCOL = 0x41,
	P2P_TAG_GET_OPERATIONS_FOR_BLOCKS = 0x60,
	P2P_TAG_OPERATIONS_FOR_BLOCKS = 0x61,
	P2P_TAG_GET_CHECKPOINT = 0x70,
	P2P_TAG_CHECKPOINT = 0x71,
	P2P_TAG_GET_PROTOCOL_BRANCH = 0x80,
	P2P_TAG_PROTOCOL_BRANCH = 0x81,
	P2P_TAG_GET_PREDECESSOR_HEADER = 0x90,
	P2P_TAG_PREDECESSOR_HEADER = 0x91,
};

/* Octez's message name ("Current_branch"), or NULL for a tag not in the list. */
const char *p2p_tag_str(unsigned tag);

/* Shell block header (docs/protocol.md §12 item 1). Views are borrowed. */
struct p2p_block_header {
	int32_t level;
	uint8_t proto;
	const uint8_t *predecessor; /* 32 bytes */
	int64_t timestamp;          /* seconds since the epoch */
	uint8_t validation_passes;
	const uint8_t *operations_hash; /* 32 bytes */
	const uint8_t *fitness;         /* the list's bytes, without its u32 length */
	size_t fitness_len;
	const uint8_t *context; /* 32 bytes */
	const uint8_t *protocol_data;
	size_t protocol_data_len;
	const uint8_t *raw; /* the whole header */
	size_t raw_len;
	uint8_t hash[P2P_BLOCK_HASH_LEN]; /* Blake2b-256 of raw (decode fills it) */
};

/*
 * Decodes a header of exactly len bytes (fitness elements checked: each
 * u32 len || bytes, inside the list). ERR_PROTO when short or malformed,
 * ERR_TOOBIG for a length >= 2^30. Computes hash.
 */
enum err p2p_block_header_decode(const uint8_t *in, size_t len, struct p2p_block_header *h,
                                 const char **why) __attribute__((warn_unused_result));

/*
 * Encodes h's fields (predecessor, operations_hash, context, fitness,
 * protocol_data; raw and hash ignored). *out_len = header length.
 */
enum err p2p_block_header_encode(const struct p2p_block_header *h, uint8_t *out, size_t cap,
                                 size_t *out_len) __attribute__((warn_unused_result));

/* One decoded P2P message; which fields are set depends on tag. */
struct p2p_msg {
	uint16_t tag;
	/* Advertise: points. */
	size_t points_n;
	struct point points[P2P_POINTS_MAX];
	/* Swap_request / Swap_ack. */
	struct point swap_point;
	uint8_t swap_peer_id[16];
	/* Get_current_branch, Current_branch, Deactivate, Get_current_head. */
	uint8_t chain_id[4];
	/* Current_branch: the locator's head and its history hashes (32 bytes each). */
	struct p2p_block_header head;
	const uint8_t *history; /* borrowed, history_n * 32 bytes */
	size_t history_n;
	/* Every tag: the payload after the tag (borrowed). */
	const uint8_t *payload;
	size_t payload_len;
};

/*
 * Decodes one frame from a stream (in starts with the u32 size). ERR_AGAIN
 * (nothing used) while incomplete; ERR_TOOBIG as soon as the size field says
 * more than P2P_FRAME_MAX. Otherwise *used = 4 + size and the message is
 * decoded strictly: ERR_PROTO for size < 2, unknown tag, malformed or
 * trailing payload; ERR_TOOBIG for > 100 points or a length >= 2^30.
 */
enum err p2p_frame_decode(const uint8_t *in, size_t len, size_t *used, struct p2p_msg *m,
                          const char **why) __attribute__((warn_unused_result));

/*
 * Encodes m as a whole frame. Supported tags: Disconnect, Bootstrap,
 * Advertise (points), Swap_request / Swap_ack (swap_point, swap_peer_id),
 * Get_current_branch / Deactivate / Get_current_head (chain_id),
 * Current_branch (chain_id, head.raw/raw_len, history/history_n); any other
 * known tag is written with m->payload as its raw payload. ERR_INVAL for an
 * unknown tag or > 100 points, ERR_FULL when cap is short.
 */
enum err p2p_frame_encode(const struct p2p_msg *m, uint8_t *out, size_t cap, size_t *out_len)
    __attribute__((warn_unused_result));

/* Convenience initialisers for what the crawler and simnet send. */
void p2p_msg_init(struct p2p_msg *m, uint16_t tag);

/*
 * Reassembler: chunk plaintexts in, whole frames out. A frame may span chunks
 * and one chunk may end one frame and start the next.
 *
 * Frame cap: a frame that declares more than P2P_FRAME_MAX is an error
 * (ERR_TOOBIG, sticky). Below that, a reassembler may keep a smaller cap
 * (p2p_reasm_set_cap): a frame over the cap is not an error but dropped
 * unread: its 6 first bytes (size, tag) are read, the rest is discarded as
 * it arrives, never buffered, and p2p_reasm_dropped reports it. So a peer
 * can make a capped reassembler hold at most cap + 4 + one chunk.
 */
struct p2p_reasm {
	uint8_t *buf; /* owned */
	size_t off;   /* start of the unconsumed bytes */
	size_t len;   /* end of the buffered bytes */
	size_t cap;
	size_t frame_cap;  /* largest frame size kept (the u32 size field) */
	size_t skip;       /* bytes of a dropped frame still to discard */
	bool dropped;      /* a drop not yet reported by p2p_reasm_dropped */
	uint16_t drop_tag; /* its tag */
	uint32_t drop_size; /* its size field */
	uint64_t drops;    /* frames dropped so far */
	enum err failed; /* sticky error, ERR_OK while healthy */
};

/* frame_cap starts at P2P_FRAME_MAX (nothing dropped, only refused). */
void p2p_reasm_init(struct p2p_reasm *r);
void p2p_reasm_cleanup(struct p2p_reasm *r);

/*
 * Frames whose size field is above frame_cap (<= P2P_FRAME_MAX, >= 2) are
 * dropped from now on; ERR_INVAL for a cap out of that range.
 */
enum err p2p_reasm_set_cap(struct p2p_reasm *r, size_t frame_cap)
    __attribute__((warn_unused_result));

/*
 * True once per dropped frame, after p2p_reasm_next said ERR_AGAIN: *tag and
 * *size (its size field) say what it was. Until it is asked, p2p_reasm_next
 * hands out nothing (ERR_AGAIN), so drops come in stream order.
 */
bool p2p_reasm_dropped(struct p2p_reasm *r, uint16_t *tag, uint32_t *size);

/* Bytes of a dropped frame still to come (0 when none): the caller may discard them unread. */
size_t p2p_reasm_skipping(const struct p2p_reasm *r);

/* Notes that n bytes of a dropped frame were discarded by the caller (n <= skipping). */
void p2p_reasm_skipped(struct p2p_reasm *r, size_t n);

/* True when no byte of a next frame is buffered (a chunk starts a frame). */
bool p2p_reasm_at_frame_start(const struct p2p_reasm *r);

/*
 * Starts dropping a frame of size field `size` (tag `tag`) whose first n
 * bytes (n <= 4 + size) the caller discarded unread: the caller read the
 * size and tag itself, and it must be over the cap. Reports it like any
 * dropped frame. ERR_STATE when a frame is pending or being dropped,
 * ERR_INVAL when size is not over the cap or over P2P_FRAME_MAX.
 */
enum err p2p_reasm_drop(struct p2p_reasm *r, uint32_t size, uint16_t tag, size_t n)
    __attribute__((warn_unused_result));

/*
 * Appends one chunk plaintext (<= P2P_CHUNK_WIRE_MAX bytes); the bytes of a
 * frame being dropped are discarded first. ERR_TOOBIG when the pending
 * frame declares more than P2P_FRAME_MAX (checked before the bytes are
 * buffered), ERR_NOMEM when allocation fails. Call p2p_reasm_next until
 * ERR_AGAIN after every push.
 */
enum err p2p_reasm_push(struct p2p_reasm *r, const uint8_t *plain, size_t len)
    __attribute__((warn_unused_result));

/*
 * Hands out the next whole frame (size field included) as a view valid until
 * the next push/next/cleanup. ERR_AGAIN when no whole frame is buffered (or
 * one over frame_cap was just dropped: see p2p_reasm_dropped), ERR_TOOBIG
 * when the next frame declares more than P2P_FRAME_MAX.
 */
enum err p2p_reasm_next(struct p2p_reasm *r, const uint8_t **frame, size_t *frame_len)
    __attribute__((warn_unused_result));

#endif
