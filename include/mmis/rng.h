/*
 * rng.h - a small deterministic pseudo-random generator (splitmix64) for demo data, benchmarks
 * and tests: the same seed gives the same sequence on every machine. Never for secrets, tokens or
 * identifiers (libsodium's randombytes and uuid.h are for those).
 */
#ifndef MMIS_RNG_H
#define MMIS_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s; /* the seed, then the state */
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0 to n - 1 (n > 0); the modulo bias is negligible for the small n of demo data. */
static inline int rng_below(struct rng *r, int n)
{
	return (int)(rng_next(r) % (uint64_t)n);
}

#endif
