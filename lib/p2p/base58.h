/*
 * base58 — Bitcoin-alphabet Base58 and Base58Check, the display form of
 * Tezos hashes (peer ids "id...", chain ids "Net...").
 *
 * Base58Check = Base58(payload || first 4 bytes of SHA256(SHA256(payload))),
 * where the payload already starts with the Tezos type prefix. Inputs are
 * short (hashes and keys): at most BASE58_MAX_BYTES bytes, ERR_TOOBIG above.
 * Caller-owned buffers, no allocation, re-entrant.
 */
#ifndef TZ_P2P_BASE58_H
#define TZ_P2P_BASE58_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define BASE58_MAX_BYTES 128

/*
 * Encodes len bytes into out as NUL-terminated text. ERR_FULL when the text
 * and its NUL do not fit in cap; *text_len gets the text length.
 */
enum err base58_encode(char *out, size_t cap, size_t *text_len, const uint8_t *in,
		       size_t len) __attribute__((warn_unused_result));

/*
 * Decodes text_len characters. ERR_PROTO on a character outside the
 * alphabet or empty text, ERR_TOOBIG on more than BASE58_MAX_BYTES bytes
 * (or text longer than twice that), ERR_FULL when the result exceeds cap.
 */
enum err base58_decode(uint8_t *out, size_t cap, size_t *out_len, const char *text,
		       size_t text_len) __attribute__((warn_unused_result));

/* Base58Check of payload (prefix included by the caller). Errors as base58_encode. */
enum err base58_check_encode(char *out, size_t cap, size_t *text_len, const uint8_t *payload,
			     size_t len) __attribute__((warn_unused_result));

/*
 * Decodes Base58Check text and verifies its 4-byte checksum (ERR_PROTO when
 * wrong or shorter than 4 bytes). out gets the payload without checksum.
 */
enum err base58_check_decode(uint8_t *out, size_t cap, size_t *out_len, const char *text,
			     size_t text_len) __attribute__((warn_unused_result));

#endif
