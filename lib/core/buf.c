/* The growth rule and the byte buffer (lib/core/buf.h). */
#include "core/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t grow_cap(size_t cap, size_t need, size_t first, size_t max)
{
	if (need > max)
		return 0;
	if (need <= cap)
		return cap;
	size_t nc = cap ? cap : first;
	if (nc == 0)
		nc = 1;
	while (nc < need)
		nc = nc > max / 2 ? max : nc * 2;
	return nc > max ? max : nc;
}

enum err array_reserve(void **arr, size_t *cap, size_t need, size_t elem, size_t first)
{
	if (need <= *cap)
		return ERR_OK;
	size_t nc = grow_cap(*cap, need, first, SIZE_MAX / elem);
	if (nc == 0)
		return ERR_TOOBIG;
	void *p = realloc(*arr, nc * elem);
	if (!p)
		return ERR_NOMEM;
	*arr = p;
	*cap = nc;
	return ERR_OK;
}

enum err buf_reserve(struct buf *b, size_t more)
{
	if (b->cap - b->len >= more)
		return ERR_OK;
	if (more > SIZE_MAX - b->len)
		return ERR_TOOBIG;
	size_t cap = grow_cap(b->cap, b->len + more, 4096, SIZE_MAX);
	uint8_t *p = realloc(b->p, cap);
	if (!p)
		return ERR_NOMEM;
	b->p = p;
	b->cap = cap;
	return ERR_OK;
}

enum err buf_append(struct buf *b, const void *s, size_t n)
{
	enum err e = buf_reserve(b, n);
	if (e != ERR_OK)
		return e;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	return ERR_OK;
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
