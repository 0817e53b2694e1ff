/*
 * identity — an Octez node identity: X25519 key pair, peer id and
 * proof-of-work stamp (docs/protocol.md §3), its display forms, generation using every
 * core, and the Octez identity.json file.
 *
 * A struct p2p_identity holds the secret key: allocate it with
 * p2p_identity_new() (libsodium guarded memory, zeroed on free) or, when
 * embedded, call p2p_identity_cleanup() to zero it. Randomness comes only
 * from the caller's callback. Everything is re-entrant except that
 * p2p_identity_generate runs worker threads of its own (joined before it
 * returns). Proof-of-work primitives are in p2p/pow.h (included here).
 *
 * Error codes: ERR_IO (open/read/write failed; errno kept in the text),
 * ERR_CONFIG (identity file readable or writable by group/others),
 * ERR_PROTO (not JSON, missing/unknown/ill-typed member, bad hex/base58),
 * ERR_CRYPTO ("identity mismatch", "keys mismatch"), ERR_POW ("insufficient
 * proof of work"), ERR_INVAL (bad argument), ERR_TOOBIG (file > 64 KiB).
 * Every error also fills err[err_cap] with one readable sentence.
 */
#ifndef TZ_P2P_IDENTITY_H
#define TZ_P2P_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "p2p/consts.h"
#include "p2p/pow.h"

struct p2p_identity {
	uint8_t pk[P2P_PK_LEN];
	uint8_t sk[P2P_SK_LEN]; /* secret: zeroed by p2p_identity_cleanup/free */
	uint8_t stamp[P2P_STAMP_LEN];
	uint8_t peer_id[P2P_PEER_ID_LEN];
};

/* Fills buf with len random bytes (e.g. libsodium randombytes_buf). Called
 * only from the thread that called p2p_identity_generate. */
typedef void p2p_random_fn(void *ctx, uint8_t *buf, size_t len);

/*
 * The system's randomness (libsodium randombytes_buf), as a p2p_random_fn for
 * callers that inject it; ctx is unused. The library never calls it itself.
 */
void p2p_random_system(void *ctx, uint8_t *buf, size_t len);

/* expected_pow value that disables the PoW check in load/parse. */
#define P2P_POW_NOCHECK (-1.0)

/* Longest identity.json accepted on load. */
#define P2P_IDENTITY_FILE_MAX 65536

/* Zeroed identity in guarded memory; NULL when out of memory. */
struct p2p_identity *p2p_identity_new(void);
/* Zeroes and frees; NULL is fine. */
void p2p_identity_free(struct p2p_identity *id);
/* Zeroes an embedded identity (secret key included). */
void p2p_identity_cleanup(struct p2p_identity *id);

/* peer id = Blake2b with a 16-byte output over the public key. */
void p2p_peer_id(uint8_t peer_id[P2P_PEER_ID_LEN], const uint8_t pk[P2P_PK_LEN]);

/* "id..." Base58Check (prefix 99 67) of a peer id: 30 chars + NUL. */
void p2p_peer_id_b58(char out[P2P_PEER_ID_B58_LEN + 1], const uint8_t peer_id[P2P_PEER_ID_LEN]);

/* Parses "id..." text; ERR_PROTO on bad characters, checksum, prefix or length. */
enum err p2p_peer_id_parse(uint8_t peer_id[P2P_PEER_ID_LEN], const char *text,
			   size_t len) __attribute__((warn_unused_result));

/* "Net..." Base58Check (prefix 57 52 00) of a 4-byte chain id: 15 chars + NUL. */
void p2p_chain_id_b58(char out[P2P_CHAIN_ID_B58_LEN + 1], const uint8_t chain_id[P2P_CHAIN_ID_LEN]);

/* Parses "Net..." text; ERR_PROTO as p2p_peer_id_parse. */
enum err p2p_chain_id_parse(uint8_t chain_id[P2P_CHAIN_ID_LEN], const char *text,
			    size_t len) __attribute__((warn_unused_result));

/*
 * Makes a new identity: a random secret key, its public key and peer id,
 * then a stamp meeting p2p_pow_target(pow). threads = 0 uses every online
 * core; each thread starts from its own random stamp and adds 1 big-endian
 * per attempt; the first success stops them all. *attempts (may be NULL)
 * gets the hashes tried by all threads; *threads_used (may be NULL) how many
 * ran. ERR_INVAL for a pow outside [0, 256]. Long for high pow: 26 bits is
 * ~67 million hashes on average.
 */
enum err p2p_identity_generate(struct p2p_identity *id, double pow, unsigned threads,
			       p2p_random_fn *rnd, void *rnd_ctx, uint64_t *attempts,
			       unsigned *threads_used) __attribute__((warn_unused_result));

/*
 * Stamp search alone, on a fixed public key: same threads and stopping rule
 * as generation, but gives up after max_attempts hashes per thread
 * (0 = unbounded) with ERR_AGAIN. On ERR_OK stamp holds the winner. Exposed
 * for benchmarks (an unreachable target and a budget measure hash rate).
 */
enum err p2p_pow_search(uint8_t stamp[P2P_STAMP_LEN], const uint8_t pk[P2P_PK_LEN],
			const uint8_t target[32], unsigned threads, uint64_t max_attempts,
			p2p_random_fn *rnd, void *rnd_ctx, uint64_t *attempts,
			unsigned *threads_used) __attribute__((warn_unused_result));

/* Number of online cores (at least 1). */
unsigned p2p_cpu_count(void);

/*
 * Checks an identity: peer id = Blake2b-128(pk) ("identity mismatch"),
 * pk = X25519 base-point multiple of sk ("keys mismatch"), and, unless
 * expected_pow < 0, the stamp meets the target ("insufficient proof of
 * work: N bits, need F").
 */
enum err p2p_identity_check(const struct p2p_identity *id, double expected_pow, char *err,
			    size_t err_cap) __attribute__((warn_unused_result));

/*
 * Parses identity.json text (len bytes, NUL not needed). Exactly the members
 * peer_id (optional: recomputed when absent), public_key, secret_key,
 * proof_of_work_stamp, in any order, as strings; anything else is refused, as
 * Octez does. Then p2p_identity_check. id is zeroed on error.
 */
enum err p2p_identity_parse(struct p2p_identity *id, const char *text, size_t len,
			    double expected_pow, char *err,
			    size_t err_cap) __attribute__((warn_unused_result));

/*
 * Loads path: refuses a file with any group/other permission bit
 * (ERR_CONFIG, "chmod 600" in the message), then p2p_identity_parse.
 */
enum err p2p_identity_load(const char *path, struct p2p_identity *id, double expected_pow,
			   char *err, size_t err_cap) __attribute__((warn_unused_result));

/*
 * Writes the Octez pretty-printed layout (the four members in Octez's order)
 * into out. *out_len gets the length; ERR_FULL when cap is too small (512 is
 * always enough). The text holds the secret key: zero it after use.
 */
enum err p2p_identity_format(char *out, size_t cap, size_t *out_len,
			     const struct p2p_identity *id) __attribute__((warn_unused_result));

/*
 * Saves to path with mode 0600, atomically: a temporary file in the same
 * directory, fsync, then rename (overwrite = true) or link (overwrite =
 * false: ERR_IO "exists" when path is there, never clobbering it).
 */
enum err p2p_identity_save(const char *path, const struct p2p_identity *id, bool overwrite,
			   char *err, size_t err_cap) __attribute__((warn_unused_result));

#endif
