/*
 * libFuzzer target: one encrypted chunk as a reader meets it.
 *   input = key (32) || nonce (24) || u16 L || box (L bytes, may be short)
 * Exercises p2p_chunk_open on the declared box and on the raw remainder; a
 * chunk that opens must seal back to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "p2p/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t plain[P2P_CHUNK_WIRE_MAX], again[P2P_CHUNK_WIRE_MAX + 2];
	if (size < P2P_KEY_LEN + P2P_NONCE_LEN + 2)
		return 0;
	const uint8_t *key = data, *nonce = data + P2P_KEY_LEN;
	const uint8_t *chunk = data + P2P_KEY_LEN + P2P_NONCE_LEN;
	size_t chunk_len = size - P2P_KEY_LEN - P2P_NONCE_LEN;
	size_t plain_len = 0;
	/* Whatever follows the key and nonce, as a box of any length. */
	enum err e = p2p_chunk_open(plain, sizeof plain, &plain_len, chunk, chunk_len, nonce, key);
	if (e == ERR_OK && plain_len != chunk_len - P2P_MAC_LEN)
		abort();
	if (e != ERR_OK && e != ERR_PROTO && e != ERR_TOOBIG && e != ERR_CRYPTO)
		abort();
	size_t l = be16_get(chunk);
	if (chunk_len - 2 < l)
		return 0; /* truncated: a reader waits for more */
	if (p2p_chunk_open(plain, sizeof plain, &plain_len, chunk + 2, l, nonce, key) != ERR_OK)
		return 0;
	size_t again_len = 0;
	if (plain_len <= P2P_CHUNK_PLAIN_MAX) {
		if (p2p_chunk_seal(again, sizeof again, &again_len, plain, plain_len, nonce, key) !=
			    ERR_OK ||
		    again_len != 2 + l || memcmp(again, chunk, again_len) != 0)
			abort();
	}
	return 0;
}
