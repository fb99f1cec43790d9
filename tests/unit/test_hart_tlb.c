/* tests/unit/test_hart_tlb.c: the hart's TLB fast path never takes an
 * invalid entry for a hit. Found by tests/fuzz/fuzz_cpu.c: invalid entries
 * had the tag 1, which the hit test (page | alignment bits) produced for a
 * misaligned access to virtual page 0, so `lhu t4, 1(zero)` read host
 * memory at 1 + a stale addend (a host crash, or another page's data)
 * instead of trapping. Here the stale addend points at a canary buffer: a
 * fast-path hit would read or write it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bus/bus.h"
#include "cpu/riscv/hart.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x10000u
#define HANDLER 0x100u
#define WFI 0x10500073u

struct fx {
    struct bus bus;
    uint8_t *ram;
    struct rv_tcache *tc;
    struct rv_hart h;
    uint8_t canary[64];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    bus_init(&f->bus);
    f->ram = calloc(1, RAM_SIZE);
    assert_int_equal(bus_map_ram(&f->bus, RAM_BASE, RAM_SIZE, "ram", f->ram), 0);
    f->tc = rv_tcache_new(&f->bus);
    assert_int_equal(rv_hart_init(&f->h, &f->bus, f->tc, 0), 0);
    memset(f->canary, 0x5a, sizeof f->canary);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    rv_hart_destroy(&f->h);
    rv_tcache_free(f->tc);
    bus_free(&f->bus);
    free(f->ram);
    free(f);
    return 0;
}

/* Runs one instruction at RAM_BASE (M-mode, page 0 unmapped) after making
 * every invalid TLB entry's addend point at the canary. Returns mcause. */
static uint64_t run_one(struct fx *f, uint32_t insn)
{
    memcpy(f->ram, &insn, 4);
    memcpy(f->ram + HANDLER, &(uint32_t){ WFI }, 4);
    rv_hart_reset(&f->h, RAM_BASE);
    f->h.mtvec = RAM_BASE + HANDLER;
    f->h.x[29] = 0x1122334455667788ull;
    for (unsigned m = 0; m < RV_MODES; m++)
        for (unsigned k = 0; k < RV_TLB_KINDS; k++)
            f->h.tlb[m][k][0].addend = (uintptr_t)f->canary;
    rv_hart_run(&f->h, 10);
    assert_int_equal(f->h.mepc, RAM_BASE);
    for (unsigned i = 0; i < sizeof f->canary; i++)
        assert_int_equal(f->canary[i], 0x5a);
    return f->h.mcause;
}

static void misaligned_loads_in_page_zero_trap(void **state)
{
    struct fx *f = *state;
    static const uint32_t loads[] = {
        0x00105e83, /* lhu t4, 1(zero) */
        0x00101e83, /* lh  t4, 1(zero) */
        0x00502e83, /* lw  t4, 5(zero) */
        0x00106e83, /* lwu t4, 1(zero) */
        0x00103e83, /* ld  t4, 1(zero) */
        0x00903e83, /* ld  t4, 9(zero) */
    };
    for (unsigned i = 0; i < sizeof loads / sizeof *loads; i++) {
        uint64_t cause = run_one(f, loads[i]);
        assert_true(cause == RV_EXC_LOAD_ACCESS || cause == RV_EXC_LOAD_MISALIGNED);
        assert_int_equal(f->h.x[29], 0x1122334455667788ull);
    }
}

static void misaligned_stores_in_page_zero_trap(void **state)
{
    struct fx *f = *state;
    static const uint32_t stores[] = {
        0x01d010a3, /* sh t4, 1(zero) */
        0x01d022a3, /* sw t4, 5(zero) */
        0x01d030a3, /* sd t4, 1(zero) */
    };
    for (unsigned i = 0; i < sizeof stores / sizeof *stores; i++) {
        uint64_t cause = run_one(f, stores[i]);
        assert_true(cause == RV_EXC_STORE_ACCESS || cause == RV_EXC_STORE_MISALIGNED);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(misaligned_loads_in_page_zero_trap, setup, teardown),
        cmocka_unit_test_setup_teardown(misaligned_stores_in_page_zero_trap, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
