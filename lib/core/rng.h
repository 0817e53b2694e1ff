/*
 * rng — the project's deterministic PRNG (xoshiro256**, seeded through
 * splitmix64), for everything that must follow from a seed: simnet's worlds
 * (behaviour mix, topology, keys, latencies, advertise samples) and the
 * analyzer's random-removal curves and betweenness sampling.
 *
 * A seed fully determines the stream on every platform; the C library
 * generator is never used. Not for secrets (libsodium's randombytes is). A struct rng is a plain value: no
 * allocation, not thread-safe, copy it to fork a stream.
 */
#ifndef TZ_CORE_RNG_H
#define TZ_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Seeds the four words from splitmix64(seed), so every seed (0 included) works. */
void rng_seed(struct rng *r, uint64_t seed);
/* Next 64 random bits. */
uint64_t rng_next(struct rng *r);
/* Uniform integer in [0, n) without modulo bias; n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform double in [0, 1). */
double rng_unit(struct rng *r);
/* Fills len bytes. */
void rng_bytes(struct rng *r, uint8_t *out, size_t len);
/* An independent stream derived from this one's seed and a label (for per-node streams). */
struct rng rng_fork(const struct rng *r, uint64_t label);

#endif
