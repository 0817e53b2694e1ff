/*
 * The byte queues and encrypted chunks under a session (docs/protocol.md §5, §10):
 * hs_feed / hs_out buffer bytes, chunks are sealed and opened here with the
 * channel key and the two nonces, and hs_send cuts a message's frame into
 * chunks. Its own file because it is the transport under the state machine
 * in handshake.c, which decides what to send and when; the two share
 * struct hs through handshake_int.h.
 */
#include "p2p/handshake_int.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/bytes.h"
#include "p2p/crypto.h"

static enum err hbuf_reserve(struct hbuf *b, size_t n)
{
	size_t have = b->len - b->off;
	if (b->off > 0 && (b->cap - b->len < n || b->off > b->cap / 2)) {
		memmove(b->p, b->p + b->off, have);
		b->len = have;
		b->off = 0;
	}
	if (b->cap - b->len >= n)
		return ERR_OK;
	if (have + n > b->max)
		return ERR_FULL;
	size_t ncap = grow_cap(b->cap, b->len + n, 1024, b->max);
	uint8_t *np = realloc(b->p, ncap);
	if (!np)
		return ERR_NOMEM;
	b->p = np;
	b->cap = ncap;
	return ERR_OK;
}

enum err hs_hbuf_put(struct hbuf *b, const uint8_t *src, size_t n)
{
	enum err e = hbuf_reserve(b, n);
	if (e)
		return e;
	if (n)
		memcpy(b->p + b->len, src, n);
	b->len += n;
	return ERR_OK;
}

/* Seals one plaintext chunk (<= P2P_CHUNK_PLAIN_MAX) into the output. */
enum err hs_send_chunk(struct hs *h, const uint8_t *plain, size_t len)
{
	enum err e = hbuf_reserve(&h->out, 2 + P2P_MAC_LEN + len);
	if (e)
		return e;
	size_t n;
	e = p2p_chunk_seal(h->out.p + h->out.len, h->out.cap - h->out.len, &n, plain, len,
	                   h->local_nonce, h->key);
	if (e)
		return e;
	h->out.len += n;
	p2p_nonce_incr(h->local_nonce);
	return ERR_OK;
}

enum err hs_feed(struct hs *h, const uint8_t *in, size_t len)
{
	if (h->st == HS_ST_CLOSED || h->st == HS_ST_FAILED)
		return ERR_STATE;
	return hs_hbuf_put(&h->in, in, len);
}

const uint8_t *hs_out(const struct hs *h, size_t *len)
{
	*len = h->out.len - h->out.off;
	return *len ? h->out.p + h->out.off : NULL;
}

size_t hs_in_pending(const struct hs *h)
{
	return h->in.len - h->in.off;
}

void hs_out_consume(struct hs *h, size_t n)
{
	size_t have = h->out.len - h->out.off;
	h->out.off += n < have ? n : have;
	if (h->out.off == h->out.len)
		h->out.off = h->out.len = 0;
}

/*
 * One chunk from the input:
 *   0  2  L (u16) = 16 + plaintext length
 *   2  16 MAC
 *   18 L-16 ciphertext
 * ERR_AGAIN until it is all there; opens it with the remote nonce.
 */
enum err hs_read_chunk(struct hs *h, size_t *plain_len, const char **why)
{
	size_t have = h->in.len - h->in.off;
	const uint8_t *p = h->in.p + h->in.off;
	if (have < 2)
		return ERR_AGAIN;
	size_t l = be16_get(p);
	if (l < P2P_MAC_LEN) {
		*why = "chunk shorter than its MAC";
		return ERR_PROTO;
	}
	if (have - 2 < l)
		return ERR_AGAIN;
	size_t need = l - P2P_MAC_LEN;
	if (need > h->plain_cap) {
		size_t ncap = grow_cap(h->plain_cap, need, 512, SIZE_MAX);
		if (ncap > P2P_CHUNK_WIRE_MAX)
			ncap = P2P_CHUNK_WIRE_MAX;
		uint8_t *np = malloc(ncap); /* not realloc: the old plaintext is wiped first */
		if (!np) {
			*why = "out of memory for a chunk";
			return ERR_NOMEM;
		}
		if (h->plain)
			sodium_memzero(h->plain, h->plain_hw);
		free(h->plain);
		h->plain = np;
		h->plain_cap = ncap;
		h->plain_hw = 0;
	}
	enum err e = p2p_chunk_open(h->plain, h->plain_cap, plain_len, p + 2, l,
	                            h->remote_nonce, h->key);
	if (e) {
		*why = e == ERR_CRYPTO ? "chunk MAC check failed" : "chunk could not be opened";
		return e;
	}
	if (*plain_len > h->plain_hw)
		h->plain_hw = *plain_len;
	p2p_nonce_incr(h->remote_nonce);
	h->in.off += 2 + l;
	return ERR_OK;
}

enum err hs_send(struct hs *h, const struct p2p_msg *m)
{
	bool behind_early_ack = h->ack_sent && (h->st == HS_ST_META || h->st == HS_ST_ACK);
	if (h->st != HS_ST_OPEN && !behind_early_ack)
		return ERR_STATE;
	size_t n;
	enum err e;
	for (;;) {
		if (h->scratch_cap) {
			e = p2p_frame_encode(m, h->scratch, h->scratch_cap, &n);
			if (e != ERR_FULL)
				break;
			if (h->scratch_cap >= 4 + (size_t)P2P_FRAME_MAX)
				return ERR_TOOBIG;
		}
		size_t ncap = grow_cap(h->scratch_cap, h->scratch_cap + 1, 256,
				       4 + (size_t)P2P_FRAME_MAX); /* doubles */
		uint8_t *ns = realloc(h->scratch, ncap);
		if (!ns)
			return ERR_NOMEM;
		h->scratch = ns;
		h->scratch_cap = ncap;
	}
	if (e)
		return e;
	/* Room for every chunk first, so a failure leaves no half message queued. */
	size_t chunks = (n + P2P_CHUNK_PLAIN_MAX - 1) / P2P_CHUNK_PLAIN_MAX;
	e = hbuf_reserve(&h->out, n + chunks * (2 + P2P_MAC_LEN));
	if (e)
		return e;
	for (size_t off = 0; off < n;) {
		size_t c = n - off < P2P_CHUNK_PLAIN_MAX ? n - off : P2P_CHUNK_PLAIN_MAX;
		e = hs_send_chunk(h, h->scratch + off, c);
		if (e)
			return e;
		off += c;
	}
	return ERR_OK;
}
