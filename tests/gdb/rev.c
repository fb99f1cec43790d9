/* tests/gdb/rev.c: a bare-metal program for the reverse-execution tests
 * (tests/guest/gdb_reverse.sh). M-mode from 0x80000000 with -bios none.
 * Hart 0 takes a CLINT timer interrupt every TICK cycles (on_tick counts
 * them and prints "tick N" on the UART) while its main loop calls work(),
 * which updates `value`. Hart 1 (with -smp 2) loops in its own function,
 * h1_work(), and sends hart 0 a software interrupt every 64th time. */
#include <stdint.h>

#define CLINT_MSIP(h) ((volatile uint32_t *)(0x2000000ul + 4 * (h)))
#define MTIMECMP(h) ((volatile uint64_t *)(0x2004000ul + 8 * (h)))
#define MTIME ((volatile uint64_t *)0x200bff8ul)
#define UART ((volatile uint8_t *)0x10000000ul)
#define TICK 20000

volatile uint64_t ticks;        /* timer interrupts taken */
volatile uint64_t ipis;         /* software interrupts taken by hart 0 */
volatile uint64_t value = 1;    /* written by work() (watch) */
volatile uint64_t loops;        /* hart 0's main loop */
volatile uint64_t h1_loops;     /* hart 1's */
extern char _stack_top[];

static void put(char c)
{
    while (!(UART[5] & 0x20))
        ;
    UART[0] = (uint8_t)c;
}

static void put_dec(uint64_t n)
{
    char b[24];
    int i = 0;
    do
        b[i++] = (char)('0' + n % 10);
    while (n /= 10);
    while (i)
        put(b[--i]);
}

/* Called once each, for scripts/bench-reverse.sh: after the setup and at
 * the 600th tick (about 1.2e8 instructions later). */
__attribute__((noinline)) void started(void)
{
    __asm__ volatile("nop");
}

__attribute__((noinline)) void milestone(void)
{
    __asm__ volatile("nop");
}

__attribute__((noinline)) void on_tick(void)
{
    ticks = ticks + 1;
    if (ticks == 600)
        milestone();
    const char *s = "tick ";
    while (*s)
        put(*s++);
    put_dec(ticks);
    put('\n');
}

__attribute__((noinline)) void on_ipi(void)
{
    ipis = ipis + 1;
}

__attribute__((interrupt("machine"), aligned(4))) void trap(void) /* mtvec: 4-byte aligned */
{
    uint64_t cause;
    __asm__ volatile("csrr %0, mcause" : "=r"(cause));
    if (cause == (1ull << 63 | 7)) {
        *MTIMECMP(0) = *MTIME + TICK;
        on_tick();
    } else if (cause == (1ull << 63 | 3)) {
        *CLINT_MSIP(0) = 0;
        on_ipi();
    }
}

__attribute__((noinline)) void work(void)
{
    value = value * 3 + loops;
}

__attribute__((noinline)) void h1_work(void)
{
    h1_loops = h1_loops + 1;
    if ((h1_loops & 63) == 0)
        *CLINT_MSIP(0) = 1;
}

void main0(void)
{
    __asm__ volatile("csrw mtvec, %0" ::"r"(trap));
    *MTIMECMP(0) = *MTIME + TICK;
    __asm__ volatile("csrs mie, %0" ::"r"((1ul << 7) | (1ul << 3)));
    __asm__ volatile("csrs mstatus, 8");
    started();
    for (;;) {
        loops = loops + 1;
        if ((loops & 7) == 0)
            work();
    }
}

void main1(void)
{
    for (;;)
        h1_work();
}

__attribute__((naked, section(".text.init"))) void _start(void)
{
    __asm__ volatile(
        "csrr t0, mhartid\n"
        "la sp, _stack_top\n"
        "slli t1, t0, 14\n"
        "sub sp, sp, t1\n"      /* 16 KiB of stack per hart */
        "bnez t0, 1f\n"
        "j main0\n"
        "1: li t1, 1\n"
        "bne t0, t1, 2f\n"
        "j main1\n"
        "2: wfi\n"
        "j 2b\n");
}
