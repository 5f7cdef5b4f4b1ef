/* rng.c - splitmix64: tiny, seeded, the same on every machine. */
#include <math.h>

#include "rng.h"

uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

float rng_uniform(uint64_t *s) { return (float)(rng_next(s) >> 40) / 16777216.0f; }

float rng_normal(uint64_t *s)
{
    /* Box-Muller; 1 − u keeps log() away from 0. */
    float u = 1.0f - rng_uniform(s), v = rng_uniform(s);
    return sqrtf(-2.0f * logf(u)) * cosf(6.2831853f * v);
}
