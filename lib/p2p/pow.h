/*
 * pow — the Octez proof of work on a public key (docs/protocol.md §3.3-§3.4).
 *
 * h = Blake2b-256(public_key || stamp), read as a LITTLE-endian 256-bit
 * integer, passes when h <= target(expected_pow). Targets here are 32 bytes
 * BIG-endian (target[0] most significant), so they print like the number.
 * Strength in bits = 256 - bit_length(h), the number of zero bits at the
 * top of the little-endian reading. Pure functions, re-entrant.
 */
#ifndef TZ_P2P_POW_H
#define TZ_P2P_POW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "p2p/consts.h"

#define P2P_POW_DEFAULT 26.0 /* octez-node's expected-proof-of-work */

/*
 * Exact Octez make_pow_target(f): shift = floor(f), frac = f - shift,
 * m = 2^54 - 1 if frac = 0 else floor(2^(54 - frac)); target =
 * (m << (202 - shift)) | (2^(202 - shift) - 1) when shift < 202, else
 * m >> (shift - 202). Whole f gives 2^(256 - f) - 1. ERR_INVAL unless
 * 0 <= f <= 256 (NaN included), as Octez refuses those.
 */
enum err p2p_pow_target(uint8_t target[32], double f) __attribute__((warn_unused_result));

/* h = Blake2b-256(pk || stamp). */
void p2p_pow_hash(uint8_t h[32], const uint8_t pk[P2P_PK_LEN], const uint8_t stamp[P2P_STAMP_LEN]);

/* true when the little-endian reading of h is <= the big-endian target. */
bool p2p_pow_hash_meets(const uint8_t h[32], const uint8_t target[32]);

/* 256 - bit_length of the little-endian reading of h (256 for an all-zero h). */
unsigned p2p_pow_hash_bits(const uint8_t h[32]);

/* p2p_pow_hash then p2p_pow_hash_meets. */
bool p2p_pow_check(const uint8_t pk[P2P_PK_LEN], const uint8_t stamp[P2P_STAMP_LEN],
		   const uint8_t target[32]);

/* Measured strength of a stamp: p2p_pow_hash then p2p_pow_hash_bits. */
unsigned p2p_pow_bits(const uint8_t pk[P2P_PK_LEN], const uint8_t stamp[P2P_STAMP_LEN]);

/* stamp += 1 as a big-endian 192-bit integer, wrapping (the search step). */
void p2p_stamp_incr(uint8_t stamp[P2P_STAMP_LEN]);

#endif
