/*
 * bytes — big-endian field helpers and a bounded byte reader/writer.
 *
 * Wire fields are read and written with these, never with casts. A
 * struct rd is a borrowed view of an input buffer: every rd_* call checks the
 * remaining length first and returns ERR_AGAIN (truncated) without moving
 * when the bytes are not there. A struct wr writes into a caller-owned buffer
 * of fixed capacity and returns ERR_FULL when it would overflow. No
 * allocation, re-entrant.
 */
#ifndef TZ_CORE_BYTES_H
#define TZ_CORE_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"

static inline uint16_t be16_get(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t be64_get(const uint8_t *p)
{
	return (uint64_t)be32_get(p) << 32 | be32_get(p + 4);
}

static inline void be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void be64_put(uint8_t *p, uint64_t v)
{
	be32_put(p, (uint32_t)(v >> 32));
	be32_put(p + 4, (uint32_t)v);
}

/* Borrowed reader over [p, p + len). */
struct rd {
	const uint8_t *p;
	size_t len; /* bytes left */
};

static inline struct rd rd_make(const uint8_t *p, size_t len)
{
	struct rd r = {p, len};
	return r;
}

static inline enum err rd_take(struct rd *r, size_t n, const uint8_t **out)
{
	if (r->len < n)
		return ERR_AGAIN;
	*out = r->p;
	r->p += n;
	r->len -= n;
	return ERR_OK;
}

static inline enum err rd_u8(struct rd *r, uint8_t *v)
{
	const uint8_t *p;
	enum err e = rd_take(r, 1, &p);
	if (e == ERR_OK)
		*v = p[0];
	return e;
}

static inline enum err rd_u16(struct rd *r, uint16_t *v)
{
	const uint8_t *p;
	enum err e = rd_take(r, 2, &p);
	if (e == ERR_OK)
		*v = be16_get(p);
	return e;
}

static inline enum err rd_u32(struct rd *r, uint32_t *v)
{
	const uint8_t *p;
	enum err e = rd_take(r, 4, &p);
	if (e == ERR_OK)
		*v = be32_get(p);
	return e;
}

static inline enum err rd_u64(struct rd *r, uint64_t *v)
{
	const uint8_t *p;
	enum err e = rd_take(r, 8, &p);
	if (e == ERR_OK)
		*v = be64_get(p);
	return e;
}

/* Writer into a caller-owned buffer of capacity cap. */
struct wr {
	uint8_t *p;
	size_t len; /* bytes written */
	size_t cap;
};

static inline struct wr wr_make(uint8_t *p, size_t cap)
{
	struct wr w = {p, 0, cap};
	return w;
}

static inline enum err wr_bytes(struct wr *w, const void *src, size_t n)
{
	if (w->cap - w->len < n)
		return ERR_FULL;
	if (n)
		memcpy(w->p + w->len, src, n);
	w->len += n;
	return ERR_OK;
}

static inline enum err wr_u8(struct wr *w, uint8_t v)
{
	return wr_bytes(w, &v, 1);
}

static inline enum err wr_u16(struct wr *w, uint16_t v)
{
	uint8_t b[2];
	be16_put(b, v);
	return wr_bytes(w, b, 2);
}

static inline enum err wr_u32(struct wr *w, uint32_t v)
{
	uint8_t b[4];
	be32_put(b, v);
	return wr_bytes(w, b, 4);
}

static inline enum err wr_u64(struct wr *w, uint64_t v)
{
	uint8_t b[8];
	be64_put(b, v);
	return wr_bytes(w, b, 8);
}

#endif
