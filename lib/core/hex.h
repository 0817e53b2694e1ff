/*
 * hex — lowercase hexadecimal text for byte strings (identity files, logs,
 * test vectors). Caller-owned buffers, no allocation, re-entrant.
 */
#ifndef TZ_CORE_HEX_H
#define TZ_CORE_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Value of one hex digit (either case), or -1 when c is not one. */
int hex_digit_value(char c);

/* Writes 2*len lowercase hex digits and a NUL into out (cap >= 2*len+1). */
void hex_encode(char *out, const uint8_t *in, size_t len);

/*
 * Decodes exactly text_len hex digits (either case) into out, which must hold
 * text_len/2 bytes. ERR_PROTO on odd length or a non-hex digit, ERR_TOOBIG
 * when out_cap is too small. *out_len gets the byte count.
 */
enum err hex_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *text,
		    size_t text_len) __attribute__((warn_unused_result));

#endif
