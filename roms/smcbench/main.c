/* Data next to code: the same kernel runs twice, once keeping its state in
 * a heap buffer and once in a slot on the page of its own code (slot.S,
 * link.ld). Each pass prints a mark line that the host stamps and a checksum
 * (they must match) (scripts/bench.sh, section smc). */
#include "bench.h"

extern uint64_t smc_slot[8];

#define ROUNDS 4000000

/* On the page of smc_slot (link.ld): a PRNG walk that spills its state to
 * st[] every step, the way a hot loop updates globals. */
__attribute__((noinline, section(".text.smc")))
static uint64_t kernel_state(volatile uint64_t *st)
{
    st[0] = 0x9e3779b97f4a7c15ull;
    st[1] = 0;
    st[2] = 0;
    for (uint32_t i = 0; i < ROUNDS; i++) {
        uint64_t x = st[0];
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        st[0] = x;
        if (x & 1)
            st[1] += x >> 32;
        else
            st[2] ^= x * 0x100000001b3ull;
    }
    return mix64(st[1], st[2]);
}

int main(void)
{
    uart_puts("bench: start\n");
    uint64_t *apart = heap_alloc(64);
    uint64_t h = kernel_state(apart);
    mark("apart");
    report("apart", h);
    h = kernel_state(smc_slot);
    mark("near");
    report("near", h);
    uart_puts("bench: done\n");
    return 0;
}
