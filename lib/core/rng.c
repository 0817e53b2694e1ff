#include "core/rng.h"

/* splitmix64: expands one 64-bit seed into well-mixed words (Steele, Lea, Flood 2014). */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman, Vigna 2018). */
uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Rejection sampling: draws landing in the short last bucket are redrawn. */
uint64_t rng_below(struct rng *r, uint64_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t v;
	do
		v = rng_next(r);
	while (v >= limit);
	return v % n;
}

double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

void rng_bytes(struct rng *r, uint8_t *out, size_t len)
{
	while (len > 0) {
		uint64_t v = rng_next(r);
		/* byte by byte, little-endian, so the stream is the same on every host */
		for (size_t i = 0; i < 8 && len > 0; i++, len--)
			*out++ = (uint8_t)(v >> (8 * i));
	}
}

struct rng rng_fork(const struct rng *r, uint64_t label)
{
	struct rng f;
	uint64_t x = r->s[0] ^ rotl(r->s[3], 13) ^ (label * 0xd1342543de82ef95ull);
	for (int i = 0; i < 4; i++)
		f.s[i] = splitmix64(&x);
	return f;
}
