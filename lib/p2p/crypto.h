/*
 * crypto — the session crypto of an Octez P2P connection (docs/protocol.md §5).
 *
 * Channel key from the peer's public key and our secret key, the two nonces
 * derived from both raw connection messages, the big-endian nonce counter,
 * and sealing / opening one chunk (u16 L || MAC || ciphertext). Pure
 * functions over caller buffers: no allocation, no state, no randomness;
 * re-entrant. Callers keep one nonce per direction and call p2p_nonce_incr
 * after every chunk sent or received.
 */
#ifndef TZ_P2P_CRYPTO_H
#define TZ_P2P_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "p2p/consts.h"

/*
 * key = crypto_box_beforenm(remote_pk, local_sk). ERR_CRYPTO when the shared
 * secret is all zero (low-order public key), as Octez fails the connection.
 */
enum err p2p_channel_key(uint8_t key[P2P_KEY_LEN], const uint8_t remote_pk[P2P_PK_LEN],
			 const uint8_t local_sk[P2P_SK_LEN]) __attribute__((warn_unused_result));

/*
 * Derives both nonces from the complete connection messages (each including
 * its u16 length prefix): init_msg is the one the initiator (the side that
 * dialled) wrote, resp_msg the responder's.
 *   n_ir = Blake2b-256(init || resp || "Init -> Resp")[0..24)
 *   n_ri = Blake2b-256(init || resp || "Resp -> Init")[0..24)
 * The initiator SEALS with n_ri and OPENS with n_ir; the responder seals with
 * n_ir and opens with n_ri (docs/protocol.md §5.2; p2p_nonces_for_role does the choice).
 */
void p2p_nonces(uint8_t n_ir[P2P_NONCE_LEN], uint8_t n_ri[P2P_NONCE_LEN], const uint8_t *init_msg,
		size_t init_len, const uint8_t *resp_msg, size_t resp_len);

/*
 * Same derivation, but hands back the nonce this side seals its own chunks
 * with (local) and the one it opens the peer's chunks with (remote).
 * is_initiator: true when we dialled.
 */
void p2p_nonces_for_role(uint8_t local[P2P_NONCE_LEN], uint8_t remote[P2P_NONCE_LEN],
			 int is_initiator, const uint8_t *init_msg, size_t init_len,
			 const uint8_t *resp_msg, size_t resp_len);

/* nonce += 1 as a big-endian 192-bit integer, wrapping ff..ff -> 00..00. */
void p2p_nonce_incr(uint8_t nonce[P2P_NONCE_LEN]);

/*
 * Seals one chunk: out = u16 L || MAC || ciphertext with L = 16 + plain_len.
 * ERR_TOOBIG when plain_len > P2P_CHUNK_PLAIN_MAX; ERR_FULL when
 * cap < 18 + plain_len. *out_len = 18 + plain_len. out and plain must not
 * overlap. Does not advance the nonce.
 */
enum err p2p_chunk_seal(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *plain,
			size_t plain_len, const uint8_t nonce[P2P_NONCE_LEN],
			const uint8_t key[P2P_KEY_LEN]) __attribute__((warn_unused_result));

/*
 * Opens one chunk body: box = the L bytes after the u16 (MAC || ciphertext).
 * ERR_PROTO when box_len < 16, ERR_TOOBIG when box_len > 65535 (L is a u16;
 * Octez reads any L in 16..65535), ERR_FULL when
 * cap < box_len - 16, ERR_CRYPTO when the MAC does not verify (out is then
 * zeroed). *out_len = box_len - 16. Does not advance the nonce.
 */
enum err p2p_chunk_open(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *box,
			size_t box_len, const uint8_t nonce[P2P_NONCE_LEN],
			const uint8_t key[P2P_KEY_LEN]) __attribute__((warn_unused_result));

#endif
