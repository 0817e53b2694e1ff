/*
 * buf — the one growth rule for heap arrays and the growable byte buffer.
 *
 * grow_cap() is the capacity every growable array or buffer of the project
 * asks realloc for: the current capacity (or first when empty) doubled until
 * the need fits, never above the caller's limit. struct buf is the byte
 * buffer built on it (COPY text, journal bytes): p[0..len) holds data,
 * cap is allocated. Zero-initialized is empty; buf_free() releases.
 */
#ifndef TZ_CORE_BUF_H
#define TZ_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/*
 * The capacity to allocate so that need elements fit: cap (first when cap is
 * 0) doubled until >= need, at most max (SIZE_MAX: no limit of the caller's).
 * Returns cap itself when need already fits, 0 when need > max.
 */
size_t grow_cap(size_t cap, size_t need, size_t first, size_t max);

/*
 * Makes the heap array *arr (elements of elem bytes, *cap of them allocated)
 * hold at least need elements: realloc to grow_cap(*cap, need, first, ...).
 * ERR_NOMEM (allocation failed; *arr unchanged), ERR_TOOBIG (need * elem
 * overflows size_t).
 */
enum err array_reserve(void **arr, size_t *cap, size_t need, size_t elem, size_t first)
	__attribute__((warn_unused_result));

struct buf {
	uint8_t *p;
	size_t len, cap;
};

/* Makes room for more bytes after len (first allocation 4096). ERR_NOMEM, ERR_TOOBIG. */
enum err buf_reserve(struct buf *b, size_t more) __attribute__((warn_unused_result));

/* Appends n bytes. ERR_NOMEM, ERR_TOOBIG (nothing appended). */
enum err buf_append(struct buf *b, const void *s, size_t n) __attribute__((warn_unused_result));

/* Releases the bytes; b is empty again. */
void buf_free(struct buf *b);

#endif
