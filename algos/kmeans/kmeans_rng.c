/* kiln — k-means' random numbers: xoshiro256** seeded by splitmix64
 * (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
 * 2018).  Fixed seeds make training reproducible (kmeans.h). */
#include "kmeans.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void kiln__kmeans_rng_seed(kiln__kmeans_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t kiln__kmeans_rng_next(kiln__kmeans_rng *r)
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

double kiln__kmeans_rng_uniform(kiln__kmeans_rng *r)
{
    return (double)(kiln__kmeans_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t kiln__kmeans_rng_below(kiln__kmeans_rng *r, uint64_t n)
{
    /* rejection of the top partial range (Lemire's threshold) */
    uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t x = kiln__kmeans_rng_next(r);
        if (x >= threshold)
            return x % n;
    }
}
