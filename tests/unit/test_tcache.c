/* tests/unit/test_tcache.c: writes to guest RAM drop exactly the decoded
 * blocks they overlap (cpu/riscv/tcache.c), whoever writes: a DMA range over
 * two pages, a store next to code, a store into code, another hart's
 * store; and a page left without code goes back to the store fast path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bus/bus.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/mmu.h"
#include "cpu/riscv/tcache.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x10000u
#define A0 10
#define A1 11
#define ADDI(rd, rs, imm) ((uint32_t)(((imm) & 0xfff) << 20) | ((rs) << 15) | ((rd) << 7) | 0x13)
#define JAL0(off) (((((off) >> 20) & 1) << 31) | ((((off) >> 1) & 0x3ff) << 21) | ((((off) >> 11) & 1) << 20) | \
                   ((((off) >> 12) & 0xff) << 12) | 0x6f)
#define WFI 0x10500073u

struct fx {
    struct bus bus;
    uint8_t *ram;
    struct rv_tcache *tc;
    struct rv_hart h;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    bus_init(&f->bus);
    f->ram = calloc(1, RAM_SIZE);
    assert_int_equal(bus_map_ram(&f->bus, RAM_BASE, RAM_SIZE, "ram", f->ram), 0);
    f->tc = rv_tcache_new(&f->bus);
    assert_int_equal(rv_hart_init(&f->h, &f->bus, f->tc, 0), 0);
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

static void put(struct fx *f, uint64_t off, uint32_t insn)
{
    memcpy(f->ram + off, &insn, 4);
}

/* Page 0: a0 = 1, jump to page 1; page 1: a1 = 2, wfi. Runs it. */
static void run(struct fx *f)
{
    rv_hart_reset(&f->h, RAM_BASE);
    f->h.x[A0] = f->h.x[A1] = 0;
    rv_hart_run(&f->h, 100);
}

static void load(struct fx *f)
{
    put(f, 0, ADDI(A0, 0, 1));
    put(f, 4, JAL0(0x1000 - 4));
    put(f, 0x1000, ADDI(A1, 0, 2));
    put(f, 0x1004, WFI);
    run(f);
    assert_int_equal(f->h.x[A0], 1);
    assert_int_equal(f->h.x[A1], 2);
    assert_true(bus_is_code_page(&f->bus, RAM_BASE));
    assert_true(bus_is_code_page(&f->bus, RAM_BASE + 0x1000));
}

static void dma_over_two_pages(void **state)
{
    struct fx *f = *state;
    load(f);
    uint64_t dropped = f->tc->blocks_dropped;
    /* page 0 from 0x800 (no code there) and page 1 up to 0x800 */
    uint8_t *p = bus_dma_w(&f->bus, RAM_BASE + 0x800, 0x1000);
    assert_non_null(p);
    uint32_t insn = ADDI(A1, 0, 3);
    memcpy(p + 0x800, &insn, 4);
    assert_int_equal(f->tc->blocks_dropped, dropped + 1);   /* page 1's block only */
    assert_true(bus_is_code_page(&f->bus, RAM_BASE));
    assert_false(bus_is_code_page(&f->bus, RAM_BASE + 0x1000));
    run(f);
    assert_int_equal(f->h.x[A0], 1);
    assert_int_equal(f->h.x[A1], 3);
}

static void stores_next_to_and_into_code(void **state)
{
    struct fx *f = *state;
    load(f);
    uint64_t dropped = f->tc->blocks_dropped;
    /* bytes 0x40..0x47: no block there */
    assert_int_equal(rv_store_slow(&f->h, RAM_BASE + 0x40, 8, 0x1122334455667788ull), 0);
    assert_int_equal(f->tc->blocks_dropped, dropped);
    assert_true(bus_is_code_page(&f->bus, RAM_BASE));
    /* the write entry holds the page, tagged: the fast path never takes it */
    const struct rv_tlb_entry *e = &f->h.tlb[RV_MODE_M][RV_TLB_W][0];
    assert_int_equal(e->tag, RAM_BASE | RV_TLB_CODE);
    /* the same again goes through that entry */
    assert_int_equal(rv_store_slow(&f->h, RAM_BASE + 0x44, 4, 0x99), 0);
    assert_int_equal(f->tc->blocks_dropped, dropped);
    assert_int_equal(f->ram[0x44], 0x99);
    /* the last byte of the jal: its block goes, the page has no code left */
    assert_int_equal(rv_store_slow(&f->h, RAM_BASE + 7, 1, JAL0(0x1000 - 4) >> 24), 2);
    assert_int_equal(f->tc->blocks_dropped, dropped + 1);
    assert_false(bus_is_code_page(&f->bus, RAM_BASE));
    assert_true(bus_is_code_page(&f->bus, RAM_BASE + 0x1000));
    /* the next store turns the entry plain: stores to the page go fast */
    assert_int_equal(rv_store_slow(&f->h, RAM_BASE + 0x48, 4, 1), 0);
    assert_int_equal(e->tag, RAM_BASE);
    /* a new block on the page takes the entry away again */
    put(f, 0, ADDI(A0, 0, 5));
    run(f);
    assert_int_equal(f->h.x[A0], 5);
    assert_int_equal(f->h.x[A1], 2);
    assert_int_equal(e->tag, RV_TLB_INVALID);
}

/* Hart 1 patches code hart 0 has decoded (harts run one after the other:
 * the patch lands between two of hart 0's slices). */
static void another_harts_store(void **state)
{
    struct fx *f = *state;
    struct rv_hart h1;
    assert_int_equal(rv_hart_init(&h1, &f->bus, f->tc, 1), 0);
    load(f);
    rv_hart_reset(&h1, RAM_BASE + 0x2000);
    assert_int_equal(rv_store_slow(&h1, RAM_BASE + 0x1000, 4, ADDI(A1, 0, 9)), 2);
    run(f);
    assert_int_equal(f->h.x[A1], 9);
    /* and data next to that code, through hart 1's tagged entry: nothing dropped */
    uint64_t dropped = f->tc->blocks_dropped;
    assert_int_equal(rv_store_slow(&h1, RAM_BASE + 0x1800, 8, 1), 0);
    assert_int_equal(rv_store_slow(&h1, RAM_BASE + 0x1808, 8, 2), 0);
    assert_int_equal(f->tc->blocks_dropped, dropped);
    run(f);
    assert_int_equal(f->h.x[A1], 9);
    rv_hart_destroy(&h1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dma_over_two_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(stores_next_to_and_into_code, setup, teardown),
        cmocka_unit_test_setup_teardown(another_harts_store, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
