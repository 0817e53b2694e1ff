/*
 * P2P frames (docs/protocol.md §10, §12). The frame layer is strict like Octez's
 * streaming reader: a frame is exactly one message, the tag must be known,
 * and the messages we decode must use their payload exactly. Chain-level
 * messages a crawler does not need are skipped by tag: Octez would decode
 * them, but nothing we record depends on their contents.
 */
#include "p2p/frame.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/bytes.h"
#include "p2p/consts.h"

static enum err fail(const char **why, const char *reason, enum err e)
{
	if (why)
		*why = reason;
	return e;
}

const char *p2p_tag_str(unsigned tag)
{
	switch (tag) {
	case P2P_TAG_DISCONNECT: return "Disconnect";
	case P2P_TAG_BOOTSTRAP: return "Bootstrap";
	case P2P_TAG_ADVERTISE: return "Advertise";
	case P2P_TAG_SWAP_REQUEST: return "Swap_request";
	case P2P_TAG_SWAP_ACK: return "Swap_ack";
	case P2P_TAG_GET_CURRENT_BRANCH: return "Get_current_branch";
	case P2P_TAG_CURRENT_BRANCH: return "Current_branch";
	case P2P_TAG_DEACTIVATE: return "Deactivate";
	case P2P_TAG_GET_CURRENT_HEAD: return "Get_current_head";
	case P2P_TAG_CURRENT_HEAD: return "Current_head";
	case P2P_TAG_GET_BLOCK_HEADERS: return "Get_block_headers";
	case P2P_TAG_BLOCK_HEADER: return "Block_header";
	case P2P_TAG_GET_OPERATIONS: return "Get_operations";
	case P2P_TAG_OPERATION: return "Operation";
	case P2P_TAG_GET_PROTOCOLS: return "Get_protocols";
	case P2P_TAG_PROTOCOL: return "Protocol";
	case P2P_TAG_GET_OPERATIONS_FOR_BLOCKS: return "Get_operations_for_blocks";
	case P2P_TAG_OPERATIONS_FOR_BLOCKS: return "Operations_for_blocks";
	case P2P_TAG_GET_CHECKPOINT: return "Get_checkpoint";
	case P2P_TAG_CHECKPOINT: return "Checkpoint";
	case P2P_TAG_GET_PROTOCOL_BRANCH: return "Get_protocol_branch";
	case P2P_TAG_PROTOCOL_BRANCH: return "Protocol_branch";
	case P2P_TAG_GET_PREDECESSOR_HEADER: return "Get_predecessor_header";
	case P2P_TAG_PREDECESSOR_HEADER: return "Predecessor_header";
	}
	return NULL;
}

/*
 * Block header:
 *   0    4   level (i32)
 *   4    1   proto (u8)
 *   5    32  predecessor
 *   37   8   timestamp (i64)
 *   45   1   validation_passes (u8)
 *   46   32  operations_hash
 *   78   4   F = fitness byte length (u32), then F bytes of (u32 n || n bytes)*
 *   82+F 32  context
 *   114+F    protocol_data, to the end
 */
enum err p2p_block_header_decode(const uint8_t *in, size_t len, struct p2p_block_header *h,
                                 const char **why)
{
	if (len < P2P_HEADER_FIXED)
		return fail(why, "block header: shorter than its fixed fields", ERR_PROTO);
	h->level = (int32_t)be32_get(in);
	h->proto = in[4];
	h->predecessor = in + 5;
	h->timestamp = (int64_t)be64_get(in + 37);
	h->validation_passes = in[45];
	h->operations_hash = in + 46;
	uint32_t f = be32_get(in + 78);
	if (f >= P2P_LEN_LIMIT)
		return fail(why, "block header: fitness length >= 2^30", ERR_TOOBIG);
	if (f > len - P2P_HEADER_FIXED)
		return fail(why, "block header: fitness runs past the header", ERR_PROTO);
	h->fitness = in + 82;
	h->fitness_len = f;
	for (size_t off = 0; off < f;) {
		if (f - off < 4)
			return fail(why, "block header: truncated fitness element length",
			            ERR_PROTO);
		uint32_t n = be32_get(h->fitness + off);
		if (n >= P2P_LEN_LIMIT)
			return fail(why, "block header: fitness element length >= 2^30",
			            ERR_TOOBIG);
		if (n > f - off - 4)
			return fail(why, "block header: fitness element runs past the list",
			            ERR_PROTO);
		off += 4 + n;
	}
	h->context = in + 82 + f;
	h->protocol_data = in + 114 + f;
	h->protocol_data_len = len - 114 - f;
	h->raw = in;
	h->raw_len = len;
	crypto_generichash(h->hash, sizeof h->hash, in, len, NULL, 0);
	return ERR_OK;
}

enum err p2p_block_header_encode(const struct p2p_block_header *h, uint8_t *out, size_t cap,
                                 size_t *out_len)
{
	if (h->fitness_len >= P2P_LEN_LIMIT)
		return ERR_TOOBIG;
	struct wr w = wr_make(out, cap);
	enum err e = wr_u32(&w, (uint32_t)h->level);
	if (!e)
		e = wr_u8(&w, h->proto);
	if (!e)
		e = wr_bytes(&w, h->predecessor, 32);
	if (!e)
		e = wr_u64(&w, (uint64_t)h->timestamp);
	if (!e)
		e = wr_u8(&w, h->validation_passes);
	if (!e)
		e = wr_bytes(&w, h->operations_hash, 32);
	if (!e)
		e = wr_u32(&w, (uint32_t)h->fitness_len);
	if (!e)
		e = wr_bytes(&w, h->fitness, h->fitness_len);
	if (!e)
		e = wr_bytes(&w, h->context, 32);
	if (!e)
		e = wr_bytes(&w, h->protocol_data, h->protocol_data_len);
	if (e)
		return e;
	*out_len = w.len;
	return ERR_OK;
}

void p2p_msg_init(struct p2p_msg *m, uint16_t tag)
{
	memset(m, 0, sizeof *m);
	m->tag = tag;
}

static enum err decode_points(const uint8_t *p, size_t len, struct p2p_msg *m, const char **why)
{
	while (len > 0) {
		if (m->points_n == P2P_POINTS_MAX)
			return fail(why, "advertise: more than 100 points", ERR_TOOBIG);
		enum err e = p2p_point_field_decode(&p, &len, &m->points[m->points_n], why);
		if (e)
			return e;
		m->points_n++;
	}
	return ERR_OK;
}

static enum err decode_chain_id_only(const uint8_t *p, size_t len, struct p2p_msg *m,
                                     const char **why)
{
	if (len < P2P_CHAIN_ID_LEN)
		return fail(why, "frame: truncated chain id", ERR_PROTO);
	if (len > P2P_CHAIN_ID_LEN)
		return fail(why, "frame: trailing bytes after the chain id", ERR_PROTO);
	memcpy(m->chain_id, p, P2P_CHAIN_ID_LEN);
	return ERR_OK;
}

/*
 * Current_branch payload:
 *   0   4   chain id
 *   4   4   H = head header length (u32)
 *   8   H   head block header
 *   8+H     history: 32-byte block hashes to the end
 */
static enum err decode_current_branch(const uint8_t *p, size_t len, struct p2p_msg *m,
                                      const char **why)
{
	if (len < 8)
		return fail(why, "current_branch: truncated chain id or header length", ERR_PROTO);
	memcpy(m->chain_id, p, P2P_CHAIN_ID_LEN);
	uint32_t hl = be32_get(p + 4);
	if (hl >= P2P_LEN_LIMIT)
		return fail(why, "current_branch: header length >= 2^30", ERR_TOOBIG);
	if (hl > len - 8)
		return fail(why, "current_branch: header runs past the frame", ERR_PROTO);
	enum err e = p2p_block_header_decode(p + 8, hl, &m->head, why);
	if (e)
		return e;
	size_t rest = len - 8 - hl;
	if (rest % P2P_BLOCK_HASH_LEN)
		return fail(why, "current_branch: history is not whole block hashes", ERR_PROTO);
	m->history = p + 8 + hl;
	m->history_n = rest / P2P_BLOCK_HASH_LEN;
	return ERR_OK;
}

/* Swap_request / Swap_ack payload: point field || 16-byte peer id. */
static enum err decode_swap(const uint8_t *p, size_t len, struct p2p_msg *m, const char **why)
{
	enum err e = p2p_point_field_decode(&p, &len, &m->swap_point, why);
	if (e)
		return e;
	if (len < P2P_PEER_ID_LEN)
		return fail(why, "swap: truncated peer id", ERR_PROTO);
	if (len > P2P_PEER_ID_LEN)
		return fail(why, "swap: trailing bytes after the peer id", ERR_PROTO);
	memcpy(m->swap_peer_id, p, P2P_PEER_ID_LEN);
	return ERR_OK;
}

/*
 * Frame:
 *   0   4   S = size of tag + payload (u32), 2 <= S <= P2P_FRAME_MAX
 *   4   2   tag (u16)
 *   6   S-2 payload
 */
enum err p2p_frame_decode(const uint8_t *in, size_t len, size_t *used, struct p2p_msg *m,
                          const char **why)
{
	if (len < 4)
		return fail(why, "frame: incomplete", ERR_AGAIN);
	uint32_t s = be32_get(in);
	if (s > P2P_FRAME_MAX)
		return fail(why, "frame: size above P2P_FRAME_MAX", ERR_TOOBIG);
	if (len - 4 < s)
		return fail(why, "frame: incomplete", ERR_AGAIN);
	if (s == 0)
		return fail(why, "frame: size 0", ERR_PROTO);
	if (s < 2)
		return fail(why, "frame: size too small for a tag", ERR_PROTO);
	uint16_t tag = be16_get(in + 4);
	p2p_msg_init(m, tag);
	const uint8_t *p = in + 6;
	size_t pl = s - 2;
	m->payload = p;
	m->payload_len = pl;
	enum err e = ERR_OK;
	switch (tag) {
	case P2P_TAG_DISCONNECT:
	case P2P_TAG_BOOTSTRAP:
		if (pl)
			e = fail(why, "frame: trailing bytes after an empty message", ERR_PROTO);
		break;
	case P2P_TAG_ADVERTISE: e = decode_points(p, pl, m, why); break;
	case P2P_TAG_SWAP_REQUEST:
	case P2P_TAG_SWAP_ACK: e = decode_swap(p, pl, m, why); break;
	case P2P_TAG_GET_CURRENT_BRANCH:
	case P2P_TAG_DEACTIVATE:
	case P2P_TAG_GET_CURRENT_HEAD: e = decode_chain_id_only(p, pl, m, why); break;
	case P2P_TAG_CURRENT_BRANCH: e = decode_current_branch(p, pl, m, why); break;
	default:
		if (!p2p_tag_str(tag))
			e = fail(why, "frame: unknown tag", ERR_PROTO);
		break; /* a known chain-level message: skipped, payload left raw */
	}
	if (e)
		return e;
	*used = 4 + s;
	return ERR_OK;
}

enum err p2p_frame_encode(const struct p2p_msg *m, uint8_t *out, size_t cap, size_t *out_len)
{
	if (!p2p_tag_str(m->tag))
		return ERR_INVAL;
	struct wr w = wr_make(out, cap);
	enum err e = wr_u32(&w, 0); /* patched below */
	if (!e)
		e = wr_u16(&w, m->tag);
	if (e)
		return e;
	switch (m->tag) {
	case P2P_TAG_DISCONNECT:
	case P2P_TAG_BOOTSTRAP: break;
	case P2P_TAG_ADVERTISE:
		if (m->points_n > P2P_POINTS_MAX)
			return ERR_INVAL;
		for (size_t k = 0; k < m->points_n; k++) {
			size_t n =
			    p2p_point_field_encode(&m->points[k], w.p + w.len, w.cap - w.len);
			if (n == 0)
				return ERR_FULL;
			w.len += n;
		}
		break;
	case P2P_TAG_SWAP_REQUEST:
	case P2P_TAG_SWAP_ACK: {
		size_t n = p2p_point_field_encode(&m->swap_point, w.p + w.len, w.cap - w.len);
		if (n == 0)
			return ERR_FULL;
		w.len += n;
		e = wr_bytes(&w, m->swap_peer_id, P2P_PEER_ID_LEN);
		break;
	}
	case P2P_TAG_GET_CURRENT_BRANCH:
	case P2P_TAG_DEACTIVATE:
	case P2P_TAG_GET_CURRENT_HEAD: e = wr_bytes(&w, m->chain_id, P2P_CHAIN_ID_LEN); break;
	case P2P_TAG_CURRENT_BRANCH:
		if (m->head.raw_len >= P2P_LEN_LIMIT)
			return ERR_INVAL;
		e = wr_bytes(&w, m->chain_id, P2P_CHAIN_ID_LEN);
		if (!e)
			e = wr_u32(&w, (uint32_t)m->head.raw_len);
		if (!e)
			e = wr_bytes(&w, m->head.raw, m->head.raw_len);
		if (!e)
			e = wr_bytes(&w, m->history, m->history_n * P2P_BLOCK_HASH_LEN);
		break;
	default: e = wr_bytes(&w, m->payload, m->payload_len); break;
	}
	if (e)
		return e;
	if (w.len - 4 > P2P_FRAME_MAX)
		return ERR_TOOBIG;
	be32_put(out, (uint32_t)(w.len - 4));
	*out_len = w.len;
	return ERR_OK;
}

/*
 * Reassembler. The buffer holds the unconsumed tail of the plaintext stream:
 * at most one pending frame (whose size was checked against P2P_FRAME_MAX as
 * soon as its 4 size bytes arrived) plus the chunk just pushed.
 */
#define REASM_CAP_MAX (4 + P2P_FRAME_MAX + P2P_CHUNK_WIRE_MAX)

void p2p_reasm_init(struct p2p_reasm *r)
{
	memset(r, 0, sizeof *r);
	r->frame_cap = P2P_FRAME_MAX;
}

void p2p_reasm_cleanup(struct p2p_reasm *r)
{
	free(r->buf);
	memset(r, 0, sizeof *r);
	r->frame_cap = P2P_FRAME_MAX;
}

enum err p2p_reasm_set_cap(struct p2p_reasm *r, size_t frame_cap)
{
	if (frame_cap < 2 || frame_cap > P2P_FRAME_MAX)
		return ERR_INVAL;
	r->frame_cap = frame_cap;
	return ERR_OK;
}

bool p2p_reasm_dropped(struct p2p_reasm *r, uint16_t *tag, uint32_t *size)
{
	if (!r->dropped)
		return false;
	r->dropped = false;
	*tag = r->drop_tag;
	*size = r->drop_size;
	return true;
}

size_t p2p_reasm_skipping(const struct p2p_reasm *r)
{
	return r->skip;
}

void p2p_reasm_skipped(struct p2p_reasm *r, size_t n)
{
	r->skip -= n < r->skip ? n : r->skip;
}

bool p2p_reasm_at_frame_start(const struct p2p_reasm *r)
{
	return r->skip == 0 && r->len == r->off;
}

/* A frame of size field `size` is dropped; `done` of its 4 + size bytes are gone already. */
static void note_drop(struct p2p_reasm *r, uint32_t size, uint16_t tag, size_t done)
{
	r->skip = 4 + (size_t)size - done;
	r->dropped = true;
	r->drop_tag = tag;
	r->drop_size = size;
	r->drops++;
}

enum err p2p_reasm_drop(struct p2p_reasm *r, uint32_t size, uint16_t tag, size_t n)
{
	if (r->failed)
		return r->failed;
	if (!p2p_reasm_at_frame_start(r) || r->dropped)
		return ERR_STATE;
	if (size <= r->frame_cap || size > P2P_FRAME_MAX || n > 4 + (size_t)size)
		return ERR_INVAL;
	note_drop(r, size, tag, n);
	return ERR_OK;
}

/* The declared size of the pending frame, when its size field is buffered. */
static enum err check_pending(struct p2p_reasm *r)
{
	if (r->len - r->off >= 4 && be32_get(r->buf + r->off) > P2P_FRAME_MAX)
		r->failed = ERR_TOOBIG;
	return r->failed;
}

enum err p2p_reasm_push(struct p2p_reasm *r, const uint8_t *plain, size_t len)
{
	if (r->failed)
		return r->failed;
	if (len > P2P_CHUNK_WIRE_MAX)
		return ERR_INVAL;
	/* The rest of a dropped frame goes unread. */
	size_t d = r->skip < len ? r->skip : len;
	r->skip -= d;
	plain += d;
	len -= d;
	if (check_pending(r))
		return r->failed;
	/*
	 * The pending frame's size and tag may be completed by this chunk: check
	 * the size before buffering the rest, and drop a frame over the cap
	 * before it costs more than its first bytes (one drop at a time: a
	 * second one in the same chunk is buffered and dropped by next, so
	 * drops and frames come out in stream order).
	 */
	size_t have = r->len - r->off;
	if (have < 6 && len > 0 && !r->dropped) {
		uint8_t hd[6];
		size_t hn = have;
		if (hn)
			memcpy(hd, r->buf + r->off, hn);
		size_t take = 6 - hn < len ? 6 - hn : len;
		memcpy(hd + hn, plain, take);
		hn += take;
		if (hn >= 4 && be32_get(hd) > P2P_FRAME_MAX)
			return r->failed = ERR_TOOBIG;
		if (hn == 6 && be32_get(hd) > r->frame_cap) {
			uint32_t size = be32_get(hd);
			size_t rest = 4 + (size_t)size - have; /* have < 6 <= 4 + size */
			size_t gone = rest < len ? rest : len;
			r->off = r->len = 0;
			note_drop(r, size, be16_get(hd + 4), have + gone);
			return p2p_reasm_push(r, plain + gone, len - gone);
		}
	}
	if (len == 0)
		return ERR_OK;
	if (r->off > 0) {
		memmove(r->buf, r->buf + r->off, have);
		r->len = have;
		r->off = 0;
	}
	if (r->cap - r->len < len) {
		size_t need = r->len + len;
		if (need > REASM_CAP_MAX)
			return r->failed = ERR_TOOBIG;
		size_t ncap = grow_cap(r->cap, need, 1024, REASM_CAP_MAX);
		uint8_t *nb = realloc(r->buf, ncap);
		if (!nb)
			return r->failed = ERR_NOMEM;
		r->buf = nb;
		r->cap = ncap;
	}
	memcpy(r->buf + r->len, plain, len);
	r->len += len;
	return ERR_OK;
}

enum err p2p_reasm_next(struct p2p_reasm *r, const uint8_t **frame, size_t *frame_len)
{
	if (r->failed)
		return r->failed;
	if (r->dropped)
		return ERR_AGAIN; /* report the drop first: stream order */
	size_t have = r->len - r->off;
	if (have < 4)
		return ERR_AGAIN;
	uint32_t s = be32_get(r->buf + r->off);
	if (s > P2P_FRAME_MAX)
		return r->failed = ERR_TOOBIG;
	if (s > r->frame_cap) { /* a chunk held it behind another frame */
		if (have < 6)
			return ERR_AGAIN;
		size_t gone = have < 4 + (size_t)s ? have : 4 + (size_t)s;
		uint16_t tag = be16_get(r->buf + r->off + 4);
		r->off += gone;
		note_drop(r, s, tag, gone);
		return ERR_AGAIN;
	}
	if (have - 4 < s)
		return ERR_AGAIN;
	*frame = r->buf + r->off;
	*frame_len = 4 + (size_t)s;
	r->off += 4 + (size_t)s;
	return ERR_OK;
}
