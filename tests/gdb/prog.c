/* tests/gdb/prog.c: a bare-metal program with symbols for the gdb tests
 * (tests/guest/gdb_baremetal.sh). Runs in M-mode from 0x80000000 with
 * -bios none; hart 0 loops forever calling small functions, the other
 * harts wait in WFI. Built with -O0 -g so gdb's break/finish/watch see
 * plain variables and frames. */
#include <stdint.h>

volatile uint64_t counter;      /* bumped by every loop iteration */
volatile uint64_t watched;      /* written every 16th iteration (watch) */
volatile uint64_t reads;        /* read by peek() (rwatch) */
volatile uint64_t t_before, t_after, t_delta; /* rdtime around pause_here() */
volatile uint64_t pause_done;

static inline uint64_t rdtime(void)
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

__attribute__((noinline)) uint64_t add(uint64_t a, uint64_t b)
{
    return a + b;
}

__attribute__((noinline)) void bump(void)
{
    watched = watched + 1;
}

__attribute__((noinline)) uint64_t peek(void)
{
    return reads;
}

/* gdb stops here for a while; the guest must not see that time pass. */
__attribute__((noinline)) void pause_here(void)
{
    __asm__ volatile("nop");
}

__attribute__((noinline)) void timed(void)
{
    t_before = rdtime();
    pause_here();
    t_after = rdtime();
    t_delta = t_after - t_before;
    pause_done = 1;
}

void main_loop(void)
{
    timed();
    for (;;) {
        counter = add(counter, 1);
        if ((counter & 15) == 0)
            bump();
        if ((counter & 31) == 0)
            peek();
    }
}

__attribute__((naked, section(".text.init"))) void _start(void)
{
    __asm__ volatile(
        "csrr t0, mhartid\n"
        "bnez t0, 2f\n"
        "la sp, _stack_top\n"
        "j main_loop\n"
        "2: wfi\n"
        "j 2b\n");
}
