/* tests/unit/test_clint.c: CLINT msip lines, mtime, mtimecmp and MTIP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "machine/clint.h"

#define NHARTS 3

struct sink {
    bool level[NHARTS];
    unsigned calls;
};

static void sink_set(void *opaque, unsigned n, bool level)
{
    struct sink *s = opaque;
    s->level[n] = level;
    s->calls++;
}

struct fixture {
    struct vclock clock;
    struct sink msip, mtip;
    struct clint *clint;
    uint64_t progress;        /* instructions into the current slice */
};

static uint64_t progress(void *ctx)
{
    return *(uint64_t *)ctx;
}

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof *f);
    vclock_init(&f->clock);
    struct irq_line msip[NHARTS], mtip[NHARTS];
    for (unsigned h = 0; h < NHARTS; h++) {
        msip[h] = (struct irq_line){ sink_set, &f->msip, h };
        mtip[h] = (struct irq_line){ sink_set, &f->mtip, h };
    }
    f->clint = clint_new(&f->clock, NHARTS, msip, mtip);
    assert_non_null(f->clint);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    clint_free(f->clint);
    /* The timers must be gone from the clock. */
    assert_null(f->clock.timers);
    test_free(f);
    return 0;
}

/* Accesses as the bus makes them: only declared sizes reach the device. */
static uint64_t rd(struct clint *c, uint64_t off, unsigned size)
{
    assert_true(bus_access_ok(&clint_ops, off, size));
    return clint_ops.read(c, off, size);
}

static void wr(struct clint *c, uint64_t off, uint64_t v, unsigned size)
{
    assert_true(bus_access_ok(&clint_ops, off, size));
    clint_ops.write(c, off, v, size);
}

/* The bus refuses the access (an access fault): the device is not called. */
static bool refused(uint64_t off, unsigned size)
{
    return !bus_access_ok(&clint_ops, off, size);
}

#define MTIMECMP(h) (0x4000u + 8u * (h))

static void test_msip(void **state)
{
    struct fixture *f = *state;
    for (unsigned h = 0; h < NHARTS; h++)
        assert_int_equal(rd(f->clint, 4 * h, 4), 0);
    wr(f->clint, 4 * 1, 1, 4);
    assert_true(f->msip.level[1]);
    assert_false(f->msip.level[0]);
    assert_false(f->msip.level[2]);
    assert_int_equal(rd(f->clint, 4, 4), 1);
    assert_int_equal(f->msip.calls, 1);
    wr(f->clint, 4 * 1, 0xfffffffe, 4);   /* only bit 0 counts */
    assert_false(f->msip.level[1]);
    assert_int_equal(rd(f->clint, 4, 4), 0);
    wr(f->clint, 4 * 2, 0xffffffff, 4);
    assert_true(f->msip.level[2]);
    assert_int_equal(rd(f->clint, 8, 4), 1);
    wr(f->clint, 4 * 2, 1, 4);            /* no change, no call */
    assert_int_equal(f->msip.calls, 3);
    /* Other sizes and misalignment are refused by the bus; absent harts
     * are ignored. */
    assert_true(refused(0, 1));
    assert_true(refused(0, 2));
    assert_true(refused(0, 8));
    assert_true(refused(2, 4));
    assert_true(refused(8, 8));
    wr(f->clint, 4 * NHARTS, 1, 4);
    assert_false(f->msip.level[0]);
    assert_int_equal(rd(f->clint, 4 * NHARTS, 4), 0);
    assert_int_equal(f->msip.calls, 3);
    assert_int_equal(f->mtip.calls, 0);
}

static void test_mtime_follows_clock(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(rd(f->clint, 0xbff8, 8), 0);
    vclock_advance(&f->clock, 12345);
    assert_int_equal(rd(f->clint, 0xbff8, 8), 12345);
    assert_int_equal(clint_mtime(f->clint), 12345);
    /* Mid-slice progress counts. */
    f->clock.progress = progress;
    f->clock.progress_ctx = &f->progress;
    f->progress = 10 * VCLOCK_INSNS_PER_TICK;
    assert_int_equal(rd(f->clint, 0xbff8, 8), 12355);
    f->progress = 0;
    vclock_advance(&f->clock, 0x100000005ull);
    assert_int_equal(rd(f->clint, 0xbff8, 4), 5);
    assert_int_equal(rd(f->clint, 0xbffc, 4), 1);
    assert_true(refused(0xbff8, 2));
    assert_true(refused(0xbffa, 4));
}

static void test_mtimecmp_reset_and_halves(void **state)
{
    struct fixture *f = *state;
    for (unsigned h = 0; h < NHARTS; h++) {
        assert_int_equal(rd(f->clint, MTIMECMP(h), 8), UINT64_MAX);
        assert_int_equal(rd(f->clint, MTIMECMP(h), 4), 0xffffffff);
        assert_int_equal(rd(f->clint, MTIMECMP(h) + 4, 4), 0xffffffff);
    }
    assert_int_equal(rd(f->clint, MTIMECMP(NHARTS), 8), 0);
    wr(f->clint, MTIMECMP(1), 0x12345678, 4);
    assert_int_equal(rd(f->clint, MTIMECMP(1), 8), 0xffffffff12345678ull);
    wr(f->clint, MTIMECMP(1) + 4, 0x9abcdef0, 4);
    assert_int_equal(rd(f->clint, MTIMECMP(1), 8), 0x9abcdef012345678ull);
    assert_int_equal(rd(f->clint, MTIMECMP(1) + 4, 4), 0x9abcdef0);
    assert_true(refused(MTIMECMP(1), 2));
    assert_true(refused(MTIMECMP(1) + 2, 4));
    assert_true(refused(MTIMECMP(1) + 4, 8));
    assert_int_equal(rd(f->clint, MTIMECMP(1), 8), 0x9abcdef012345678ull);
    assert_false(f->mtip.level[1]);
}

static void test_mtip_fires_on_advance(void **state)
{
    struct fixture *f = *state;
    wr(f->clint, MTIMECMP(0), 1000, 8);
    wr(f->clint, MTIMECMP(2), 3000, 8);
    assert_false(f->mtip.level[0]);
    assert_int_equal(vclock_next_deadline(&f->clock), 1000);
    vclock_advance(&f->clock, 999);
    assert_false(f->mtip.level[0]);
    vclock_advance(&f->clock, 1000);
    assert_true(f->mtip.level[0]);
    assert_false(f->mtip.level[1]);
    assert_false(f->mtip.level[2]);
    assert_int_equal(vclock_next_deadline(&f->clock), 3000);
    /* A big step past the deadline still fires it. */
    vclock_advance(&f->clock, 50000);
    assert_true(f->mtip.level[2]);
    assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
    assert_int_equal(f->mtip.calls, 2);
    assert_int_equal(f->msip.calls, 0);
}

static void test_mtimecmp_write_reevaluates(void **state)
{
    struct fixture *f = *state;
    vclock_advance(&f->clock, 500);
    /* In the past: raised at once, no timer needed. */
    wr(f->clint, MTIMECMP(0), 100, 8);
    assert_true(f->mtip.level[0]);
    assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
    /* Now exactly: mtime >= mtimecmp. */
    wr(f->clint, MTIMECMP(0), 500, 8);
    assert_true(f->mtip.level[0]);
    /* Moved into the future: lowered at once and re-armed. */
    wr(f->clint, MTIMECMP(0), 800, 8);
    assert_false(f->mtip.level[0]);
    assert_int_equal(vclock_next_deadline(&f->clock), 800);
    /* Moved again before it fires: the old deadline is gone. */
    wr(f->clint, MTIMECMP(0), 2000, 8);
    vclock_advance(&f->clock, 900);
    assert_false(f->mtip.level[0]);
    vclock_advance(&f->clock, 2000);
    assert_true(f->mtip.level[0]);
    /* The usual guest way to acknowledge: mtimecmp = max. */
    wr(f->clint, MTIMECMP(0), UINT64_MAX, 8);
    assert_false(f->mtip.level[0]);
    assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
    /* Halves: writing the low half first may briefly fire (as on
     * hardware); writing high then low lands on the final value. */
    wr(f->clint, MTIMECMP(0), 3000, 4);
    assert_false(f->mtip.level[0]);            /* high half still max */
    wr(f->clint, MTIMECMP(0) + 4, 0, 4);
    assert_false(f->mtip.level[0]);
    assert_int_equal(vclock_next_deadline(&f->clock), 3000);
    vclock_advance(&f->clock, 3000);
    assert_true(f->mtip.level[0]);
    wr(f->clint, MTIMECMP(0) + 4, 1, 4);       /* 0x1_0000_0bb8 */
    assert_false(f->mtip.level[0]);
    assert_int_equal(vclock_next_deadline(&f->clock), 0x100000000ull + 3000);
}

static void test_mtimecmp_mid_slice(void **state)
{
    struct fixture *f = *state;
    f->clock.progress = progress;
    f->clock.progress_ctx = &f->progress;
    f->progress = 40 * VCLOCK_INSNS_PER_TICK;   /* now = 40 */
    wr(f->clint, MTIMECMP(1), 30, 8);
    assert_true(f->mtip.level[1]);
    wr(f->clint, MTIMECMP(1), 60, 8);
    assert_false(f->mtip.level[1]);
    assert_int_equal(vclock_next_deadline(&f->clock), 60);
    f->progress = 0;
    vclock_advance(&f->clock, 60);
    assert_true(f->mtip.level[1]);
}

static void test_mtime_write(void **state)
{
    struct fixture *f = *state;
    vclock_advance(&f->clock, 100);
    wr(f->clint, MTIMECMP(0), 1000, 8);
    wr(f->clint, MTIMECMP(1), 5000, 8);
    wr(f->clint, 0xbff8, 4000, 8);
    assert_int_equal(clint_mtime(f->clint), 4000);
    assert_true(f->mtip.level[0]);
    assert_false(f->mtip.level[1]);
    /* Deadlines are in clock ticks: 1000 mtime ticks from now. */
    assert_int_equal(vclock_next_deadline(&f->clock), 1100);
    vclock_advance(&f->clock, 600);
    assert_int_equal(rd(f->clint, 0xbff8, 8), 4500);
    vclock_advance(&f->clock, 1100);
    assert_true(f->mtip.level[1]);
    /* Setting mtime back lowers MTIP again. */
    wr(f->clint, 0xbff8, 0, 8);
    assert_false(f->mtip.level[0]);
    assert_false(f->mtip.level[1]);
    assert_int_equal(vclock_next_deadline(&f->clock), 1100 + 1000);
    /* 32-bit halves. */
    wr(f->clint, 0xbffc, 2, 4);
    assert_int_equal(clint_mtime(f->clint), 0x200000000ull);
    wr(f->clint, 0xbff8, 7, 4);
    assert_int_equal(clint_mtime(f->clint), 0x200000007ull);
    assert_true(f->mtip.level[0]);
    assert_true(refused(0xbff8, 2));
    assert_int_equal(clint_mtime(f->clint), 0x200000007ull);
}

static void test_free_unlinks_timers(void **state)
{
    struct vclock clock;
    vclock_init(&clock);
    struct vtimer other;
    vclock_add_timer(&clock, &other, NULL, NULL);
    struct clint *a = clint_new(&clock, 2, NULL, NULL);
    struct clint *b = clint_new(&clock, 1, NULL, NULL);
    assert_non_null(a);
    assert_non_null(b);
    clint_ops.write(a, MTIMECMP(1), 10, 8);
    clint_ops.write(b, MTIMECMP(0), 20, 8);
    clint_free(a);
    vclock_advance(&clock, 30);          /* b fires, a is not touched */
    assert_int_equal(clint_ops.read(b, MTIMECMP(0), 8), 20);
    clint_free(b);
    assert_ptr_equal(clock.timers, &other);
    assert_null(other.next);
    clint_free(NULL);
    assert_null(clint_new(&clock, 0, NULL, NULL));
    assert_null(clint_new(&clock, CLINT_MAX_HARTS + 1, NULL, NULL));
    assert_null(clint_new(NULL, 1, NULL, NULL));
    struct clint *max = clint_new(&clock, CLINT_MAX_HARTS, NULL, NULL);
    assert_non_null(max);
    clint_ops.write(max, MTIMECMP(CLINT_MAX_HARTS - 1), 5, 8);
    assert_int_equal(clint_ops.read(max, MTIMECMP(CLINT_MAX_HARTS - 1), 8), 5);
    clint_ops.write(max, 4 * (CLINT_MAX_HARTS - 1), 1, 4);
    assert_int_equal(clint_ops.read(max, 4 * (CLINT_MAX_HARTS - 1), 4), 1);
    assert_int_equal(clint_ops.read(max, 0xbff8, 8), 30);
    clint_free(max);
    assert_ptr_equal(clock.timers, &other);
}

static void test_out_of_range(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(rd(f->clint, CLINT_SIZE, 4), 0);
    wr(f->clint, CLINT_SIZE, 1, 4);
    assert_int_equal(rd(f->clint, UINT64_MAX - 7, 8), 0);
    wr(f->clint, UINT64_MAX - 7, 1, 8);
    assert_int_equal(rd(f->clint, 0xc000, 8), 0);
    assert_int_equal(f->msip.calls + f->mtip.calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_msip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mtime_follows_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mtimecmp_reset_and_halves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mtip_fires_on_advance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mtimecmp_write_reevaluates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mtimecmp_mid_slice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mtime_write, setup, teardown),
        cmocka_unit_test(test_free_unlinks_timers),
        cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
