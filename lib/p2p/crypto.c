/*
 * Session crypto (docs/protocol.md §5). libsodium does the primitives; this file only
 * fixes the byte layout Octez uses around them.
 */
#include "p2p/crypto.h"

#include <sodium.h>
#include <string.h>

#include "core/bytes.h"

/* The box primitive Octez uses is NaCl's: check our sizes match libsodium's. */
_Static_assert(crypto_box_BEFORENMBYTES == P2P_KEY_LEN, "channel key size");
_Static_assert(crypto_box_NONCEBYTES == P2P_NONCE_LEN, "nonce size");
_Static_assert(crypto_box_MACBYTES == P2P_MAC_LEN, "MAC size");
_Static_assert(crypto_box_PUBLICKEYBYTES == P2P_PK_LEN, "public key size");
_Static_assert(crypto_box_SECRETKEYBYTES == P2P_SK_LEN, "secret key size");
_Static_assert(2 + P2P_MAC_LEN + P2P_CHUNK_PLAIN_MAX == P2P_CHUNK_WIRE_MAX, "chunk sizes");

enum err p2p_channel_key(uint8_t key[P2P_KEY_LEN], const uint8_t remote_pk[P2P_PK_LEN],
			 const uint8_t local_sk[P2P_SK_LEN])
{
	/* crypto_box_beforenm = X25519 then HSalsa20 over a zero input; it
	 * returns -1 when the shared point is all zero (low-order key). */
	if (sodium_init() < 0)
		return ERR_CRYPTO;
	if (crypto_box_beforenm(key, remote_pk, local_sk) != 0) {
		sodium_memzero(key, P2P_KEY_LEN);
		return ERR_CRYPTO;
	}
	return ERR_OK;
}

/* Blake2b-256(init || resp || seed), first 24 bytes. Streaming, so the two
 * messages need not be copied next to each other. */
static void derive(uint8_t out[P2P_NONCE_LEN], const uint8_t *init_msg, size_t init_len,
		   const uint8_t *resp_msg, size_t resp_len, const char seed[12])
{
	crypto_generichash_state st;
	uint8_t h[32];
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, init_msg, init_len);
	crypto_generichash_update(&st, resp_msg, resp_len);
	crypto_generichash_update(&st, (const uint8_t *)seed, 12);
	crypto_generichash_final(&st, h, sizeof h);
	memcpy(out, h, P2P_NONCE_LEN);
}

void p2p_nonces(uint8_t n_ir[P2P_NONCE_LEN], uint8_t n_ri[P2P_NONCE_LEN], const uint8_t *init_msg,
		size_t init_len, const uint8_t *resp_msg, size_t resp_len)
{
	derive(n_ir, init_msg, init_len, resp_msg, resp_len, "Init -> Resp");
	derive(n_ri, init_msg, init_len, resp_msg, resp_len, "Resp -> Init");
}

void p2p_nonces_for_role(uint8_t local[P2P_NONCE_LEN], uint8_t remote[P2P_NONCE_LEN],
			 int is_initiator, const uint8_t *init_msg, size_t init_len,
			 const uint8_t *resp_msg, size_t resp_len)
{
	/* Counter-intuitive but checked against the Carthagenet capture: the
	 * initiator writes with "Resp -> Init" (Octez crypto_box.ml
	 * generate_nonces, outgoing = (resp_to_init, init_to_resp)). */
	if (is_initiator)
		p2p_nonces(remote, local, init_msg, init_len, resp_msg, resp_len);
	else
		p2p_nonces(local, remote, init_msg, init_len, resp_msg, resp_len);
}

void p2p_nonce_incr(uint8_t nonce[P2P_NONCE_LEN])
{
	/* Big-endian: carry from the last byte backwards. sodium_increment is
	 * little-endian and would desynchronise with every Octez peer. */
	for (size_t i = P2P_NONCE_LEN; i-- > 0;) {
		if (++nonce[i] != 0)
			return;
	}
}

/*
 * Chunk on the wire (p2p_socket.ml Crypto.write_chunk):
 *   offset  size   field
 *   0       2      L (u16 BE) = 16 + plaintext length
 *   2       16     Poly1305 MAC
 *   18      L-16   XSalsa20 ciphertext
 * libsodium's "easy" layout is MAC || ciphertext, exactly bytes 2..2+L.
 */
enum err p2p_chunk_seal(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *plain,
			size_t plain_len, const uint8_t nonce[P2P_NONCE_LEN],
			const uint8_t key[P2P_KEY_LEN])
{
	if (plain_len > P2P_CHUNK_PLAIN_MAX)
		return ERR_TOOBIG;
	size_t total = 2 + P2P_MAC_LEN + plain_len;
	if (cap < total)
		return ERR_FULL;
	be16_put(out, (uint16_t)(P2P_MAC_LEN + plain_len));
	if (crypto_box_easy_afternm(out + 2, plain, plain_len, nonce, key) != 0)
		return ERR_CRYPTO;
	*out_len = total;
	return ERR_OK;
}

enum err p2p_chunk_open(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *box,
			size_t box_len, const uint8_t nonce[P2P_NONCE_LEN],
			const uint8_t key[P2P_KEY_LEN])
{
	if (box_len < P2P_MAC_LEN)
		return ERR_PROTO;
	if (box_len > UINT16_MAX) /* L is a u16: no chunk body is longer */
		return ERR_TOOBIG;
	size_t plain_len = box_len - P2P_MAC_LEN;
	if (cap < plain_len)
		return ERR_FULL;
	if (crypto_box_open_easy_afternm(out, box, box_len, nonce, key) != 0) {
		if (plain_len > 0)
			sodium_memzero(out, plain_len);
		return ERR_CRYPTO;
	}
	*out_len = plain_len;
	return ERR_OK;
}
