/* tests/unit/test_dirty.c: dirty pages of the main RAM (bus/bus.h) and the
 * incremental state hash built on them (machine/snapshot.h).
 *
 * A hart runs a loop that stores to pseudo-random pages (most of its
 * stores hit write translations cached in its TLB); between slices, DMA
 * writes (bus_dma_write, bus_dma_w) and bus_write land elsewhere. After
 * every slice the state hash with its page-hash cache (only dirty pages
 * hashed again) equals the hash computed from scratch, and every page whose
 * bytes changed was reported dirty to a second, independent consumer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bus/bus.h"
#include "bus/state.h"
#include "cpu/riscv/hart.h"
#include "machine/clock.h"
#include "machine/snapshot.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1u << 20)
#define NPAGES (RAM_SIZE / 4096)

struct fx {
    struct bus bus;
    uint8_t *ram;
    struct rv_tcache *tc;
    struct rv_hart h;
    struct vclock clock;
};

static void no_devices(void *ctx, struct state *st)
{
    (void)ctx;
    (void)st;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    bus_init(&f->bus);
    f->ram = calloc(1, RAM_SIZE);
    assert_int_equal(bus_map_ram(&f->bus, RAM_BASE, RAM_SIZE, "ram", f->ram), 0);
    f->tc = rv_tcache_new(&f->bus);
    assert_int_equal(rv_hart_init(&f->h, &f->bus, f->tc, 0), 0);
    vclock_init(&f->clock);
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

static struct snapshot_machine view(struct fx *f, struct snapshot_hash_cache *hc)
{
    return (struct snapshot_machine){ .desc = "", .harts = &f->h, .nharts = 1, .clock = &f->clock,
                                      .ram = { { "ram", f->ram, RAM_SIZE } }, .nram = 1,
                                      .devices = no_devices, .bus = hc ? &f->bus : NULL, .hash_cache = hc };
}

/* loop: a1 = 5 * a1 + 1; sd a1, (a1 & a2) + a0; j loop. a0 is the second
 * page of RAM (the code lives in the first), a2 masks below 512 KiB. */
static const uint32_t prog[] = { 0x00259293, 0x005585b3, 0x00158593, 0x00c5f333,
                                 0x00a30333, 0x00b33023, 0xfe9ff06f };

static void incremental_hash_equals_full(void **state)
{
    struct fx *f = *state;
    struct snapshot_hash_cache hc = { 0 };
    uint32_t since = 0; /* a second consumer */
    uint8_t *before = malloc(RAM_SIZE);
    assert_non_null(before);

    memcpy(f->ram, prog, sizeof prog);
    rv_hart_reset(&f->h, RAM_BASE);
    f->h.x[10] = RAM_BASE + 4096;
    f->h.x[11] = 12345;
    f->h.x[12] = 0x7fff8;
    bus_mark_all_dirty(&f->bus); /* written through the raw pointer */

    uint64_t seed = 99;
    for (unsigned round = 0; round < 40; round++) {
        struct snapshot_machine inc = view(f, &hc), full = view(f, NULL);
        assert_true(snapshot_state_hash(&inc) == snapshot_state_hash(&full));
        /* the second consumer: every changed page was dirty */
        uint32_t prev = since;
        since = bus_dirty_next(&f->bus);
        if (round)
            for (unsigned pg = 0; pg < NPAGES; pg++)
                if (memcmp(before + pg * 4096, f->ram + pg * 4096, 4096))
                    assert_true(bus_page_dirty(&f->bus, pg, prev));
        memcpy(before, f->ram, RAM_SIZE);

        rv_hart_run(&f->h, 3000 + round * 17);
        assert_int_equal(f->h.pc >= RAM_BASE && f->h.pc < RAM_BASE + sizeof prog, 1);
        for (unsigned i = 0; i < 3; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            uint64_t off = 0x80000 + (seed >> 20) % (RAM_SIZE - 0x80000 - 64);
            uint8_t buf[40];
            memset(buf, (int)(seed >> 56) | 1, sizeof buf);
            switch (i) {
            case 0: assert_int_equal(bus_dma_write(&f->bus, RAM_BASE + off, buf, sizeof buf), 0); break;
            case 1: {
                uint8_t *p = bus_dma_w(&f->bus, RAM_BASE + off, sizeof buf);
                assert_non_null(p);
                p[sizeof buf - 1] ^= 0xff; /* the last byte: maybe the next page */
                break;
            }
            default: assert_true(bus_write(&f->bus, RAM_BASE + off, 8, seed)); break;
            }
        }
    }
    snapshot_hash_cache_free(&hc);
    free(before);
}

/* A consumer that collected sees the next store to a page whose write
 * translation was cached before: bus_dirty_next dropped it. */
static void store_after_collect_marks_again(void **state)
{
    struct fx *f = *state;
    memcpy(f->ram, prog, sizeof prog);
    rv_hart_reset(&f->h, RAM_BASE);
    f->h.x[10] = RAM_BASE + 8192;
    f->h.x[11] = 0;
    f->h.x[12] = 0; /* every store to the same address */
    rv_hart_run(&f->h, 100);
    uint32_t since = bus_dirty_next(&f->bus);
    assert_false(bus_page_dirty(&f->bus, 2, since));
    rv_hart_run(&f->h, 100);
    assert_true(bus_page_dirty(&f->bus, 2, since));
    assert_false(bus_page_dirty(&f->bus, 3, since));
    since = bus_dirty_next(&f->bus);
    assert_false(bus_page_dirty(&f->bus, 2, since));
    rv_hart_run(&f->h, 100);
    assert_true(bus_page_dirty(&f->bus, 2, since));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(incremental_hash_equals_full, setup, teardown),
        cmocka_unit_test_setup_teardown(store_after_collect_marks_again, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
