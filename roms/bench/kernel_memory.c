/* Memory-bound kernel: a dependent pointer chase through a scattered
 * cyclic permutation over 32 MiB (every load misses any small cache or TLB),
 * then streaming copies and reductions over 8 MiB buffers. */
#include "bench.h"

#define CHASE_BYTES (32u << 20)
#define CHASE_N (CHASE_BYTES / sizeof(uint64_t))
#define CHASE_STEPS (2u << 20)
#define STREAM_BYTES (8u << 20)
#define STREAM_N (STREAM_BYTES / sizeof(uint64_t))
#define STREAM_ROUNDS 3

uint64_t kernel_memory(void)
{
    uint64_t *next = heap_alloc(CHASE_BYTES);
    uint64_t *src = heap_alloc(STREAM_BYTES);
    uint64_t *dst = heap_alloc(STREAM_BYTES);
    uint64_t sum = 0;

    if (!next || !src || !dst)
        return 0;

    /* next[x] = (A x + C) mod N, with N a power of two, C odd and
     * A = 1 mod 4, is a full-period LCG: one cycle through all N slots,
     * visited in a scattered order, yet cheap to build sequentially. */
    for (uint64_t i = 0; i < CHASE_N; i++)
        next[i] = (i * 0x5851f42d4c957f2dULL + 0x14057b7ef767814fULL) & (CHASE_N - 1);
    uint64_t p = 0;
    for (uint32_t step = 0; step < CHASE_STEPS; step++) {
        p = next[p];
        sum += p;
    }
    sum = mix64(sum, p);
    mark("chase");

    for (uint64_t i = 0; i < STREAM_N; i++)
        src[i] = i * 0x9e3779b97f4a7c15ULL;
    for (int round = 0; round < STREAM_ROUNDS; round++) {
        uint64_t *from = (round & 1) ? dst : src;
        uint64_t *to = (round & 1) ? src : dst;
        for (uint64_t i = 0; i < STREAM_N; i += 4) {
            to[i] = from[i] + round;
            to[i + 1] = from[i + 1] ^ round;
            to[i + 2] = from[i + 2];
            to[i + 3] = from[i + 3] - round;
        }
        uint64_t acc = 0;
        for (uint64_t i = 0; i < STREAM_N; i++)
            acc += to[i] >> (i & 7);
        sum = mix64(sum, acc);
    }
    mark("memcpy");
    return sum;
}
