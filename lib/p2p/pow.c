/*
 * Proof of work (Octez src/lib_crypto/crypto_box.ml: make_pow_target,
 * compare_pow_target, generate_proof_of_work). The comparison reads the hash
 * little-endian (OCaml Z.of_bits), the opposite of every other integer on
 * the wire: the zero bits a stamp buys sit at the END of the hash.
 */
#include "p2p/pow.h"

#include <math.h>
#include <sodium.h>
#include <string.h>

/* Sets bit i (0 = least significant) of a 32-byte big-endian number. */
static void set_bit(uint8_t t[32], unsigned i)
{
	if (i < 256)
		t[31 - i / 8] |= (uint8_t)(1u << (i % 8));
}

enum err p2p_pow_target(uint8_t target[32], double f)
{
	if (!(f >= 0.0 && f <= 256.0))
		return ERR_INVAL;
	double whole = floor(f);
	double frac = f - whole;
	unsigned shift = (unsigned)whole;
	/* 2^(54 - frac) < 2^54 for 0 < frac < 1, but rounds to 2^54 when frac
	 * is tiny; both fit in 64 bits, as in Octez's Int64 arithmetic. */
	uint64_t m = frac == 0.0 ? (UINT64_C(1) << 54) - 1 : (uint64_t)floor(pow(2.0, 54.0 - frac));
	memset(target, 0, 32);
	if (shift < 202) {
		unsigned s = 202 - shift;
		for (unsigned i = 0; i < s; i++)
			set_bit(target, i);
		for (unsigned b = 0; b < 64; b++)
			if (m >> b & 1)
				set_bit(target, b + s);
	} else {
		uint64_t v = m >> (shift - 202); /* shift - 202 <= 54 */
		for (unsigned b = 0; b < 64; b++)
			if (v >> b & 1)
				set_bit(target, b);
	}
	return ERR_OK;
}

void p2p_pow_hash(uint8_t h[32], const uint8_t pk[P2P_PK_LEN], const uint8_t stamp[P2P_STAMP_LEN])
{
	uint8_t in[P2P_PK_LEN + P2P_STAMP_LEN];
	memcpy(in, pk, P2P_PK_LEN);
	memcpy(in + P2P_PK_LEN, stamp, P2P_STAMP_LEN);
	crypto_generichash(h, 32, in, sizeof in, NULL, 0);
}

bool p2p_pow_hash_meets(const uint8_t h[32], const uint8_t target[32])
{
	/* Most significant first: h[31] against target[0]. */
	for (unsigned i = 0; i < 32; i++) {
		uint8_t a = h[31 - i], b = target[i];
		if (a != b)
			return a < b;
	}
	return true; /* equal: <= passes */
}

unsigned p2p_pow_hash_bits(const uint8_t h[32])
{
	unsigned bits = 0;
	for (unsigned i = 32; i-- > 0;) {
		if (h[i] == 0) {
			bits += 8;
			continue;
		}
		for (uint8_t mask = 0x80; !(h[i] & mask); mask >>= 1)
			bits++;
		break;
	}
	return bits;
}

bool p2p_pow_check(const uint8_t pk[P2P_PK_LEN], const uint8_t stamp[P2P_STAMP_LEN],
		   const uint8_t target[32])
{
	uint8_t h[32];
	p2p_pow_hash(h, pk, stamp);
	return p2p_pow_hash_meets(h, target);
}

unsigned p2p_pow_bits(const uint8_t pk[P2P_PK_LEN], const uint8_t stamp[P2P_STAMP_LEN])
{
	uint8_t h[32];
	p2p_pow_hash(h, pk, stamp);
	return p2p_pow_hash_bits(h);
}

void p2p_stamp_incr(uint8_t stamp[P2P_STAMP_LEN])
{
	for (size_t i = P2P_STAMP_LEN; i-- > 0;) {
		if (++stamp[i] != 0)
			return;
	}
}
