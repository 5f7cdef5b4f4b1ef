/* rng.h - splitmix64 (Steele, Lea, Flood 2014): a tiny seeded generator that gives the same
   numbers on every machine. Used by dropout masks, random crops and the built-in weights.

       uint64_t s = seed;
       float u = rng_uniform(&s);   // [0, 1)
*/
#ifndef ALEXSCOPE_RNG_H
#define ALEXSCOPE_RNG_H

#include <stdint.h>

uint64_t rng_next(uint64_t *state);
float rng_uniform(uint64_t *state);   /* [0, 1) */
float rng_normal(uint64_t *state);    /* mean 0, std 1 */

#endif
