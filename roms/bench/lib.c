/* The few library routines the benchmark needs: the mem* functions GCC
 * may emit calls to even in freestanding code, a xorshift PRNG, a bump
 * allocator over the RAM after the image, and a 64-bit mixing step. */
#include "bench.h"

/* keep GCC from turning these loops back into calls to themselves */
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LIBCALL void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    while (n--)
        *d++ = *s++;
    return dst;
}

NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;

    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;

    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

uint64_t rng_next(struct rng *r)
{
    uint64_t x = r->s;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    r->s = x;
    return x;
}

extern char __heap_start[], __heap_end[];
static uintptr_t heap_top;

void heap_reset(void)
{
    heap_top = (uintptr_t)__heap_start;
}

void *heap_alloc(size_t bytes)
{
    if (!heap_top)
        heap_reset();
    uintptr_t p = (heap_top + 63) & ~(uintptr_t)63;
    if (p + bytes > (uintptr_t)__heap_end) {
        uart_puts("bench: out of memory\n");
        return NULL;
    }
    heap_top = p + bytes;
    return (void *)p;
}

uint64_t mix64(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 31);
}
