/*
 * consts — sizes and limits of the Octez P2P protocol (docs/protocol.md §14).
 *
 * Plain constants, no code. Every buffer in lib/p2p is sized from these.
 */
#ifndef TZ_P2P_CONSTS_H
#define TZ_P2P_CONSTS_H

#define P2P_PK_LEN 32          /* X25519 public key */
#define P2P_SK_LEN 32          /* X25519 secret key, stored unclamped */
#define P2P_NONCE_LEN 24       /* XSalsa20 nonce, big-endian counter */
#define P2P_MAC_LEN 16         /* Poly1305 tag in front of each chunk */
#define P2P_KEY_LEN 32         /* precomputed channel key (crypto_box_beforenm) */
#define P2P_STAMP_LEN 24       /* proof-of-work stamp */
#define P2P_PEER_ID_LEN 16     /* Blake2b-128 of the public key */
#define P2P_CHAIN_ID_LEN 4     /* first 4 bytes of Blake2b-256 of the genesis hash */
#define P2P_CHUNK_WIRE_MAX 65535 /* u16 L || MAC || ciphertext, whole chunk */
#define P2P_CHUNK_PLAIN_MAX 65517 /* 65535 - 2 - 16: what Octez writes at most */
#define P2P_PEER_ID_B58_LEN 30 /* "id..." Base58Check text, without NUL */
#define P2P_CHAIN_ID_B58_LEN 15 /* "Net..." Base58Check text, without NUL */

#endif
