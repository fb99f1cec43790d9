/* tests/unit/test_imsic.c: IMSIC interrupt files: setipnum (little and
 * big endian, id 0 and ids past num-ids ignored), eip/eie WARL bits,
 * eidelivery, eithreshold, topei and its claim, the hart lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cpu/riscv/aia.h"
#include "machine/imsic.h"

#define NHARTS 2

struct sink {
    bool level[NHARTS][2];
};

static void sink_set(void *opaque, unsigned n, bool level)
{
    ((struct sink *)opaque)->level[n / 2][n % 2] = level;
}

struct fixture {
    struct sink sink;
    struct imsic *im;
};

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof *f);
    struct irq_line meip[NHARTS], seip[NHARTS];
    for (unsigned h = 0; h < NHARTS; h++) {
        meip[h] = (struct irq_line){ sink_set, &f->sink, 2 * h };
        seip[h] = (struct irq_line){ sink_set, &f->sink, 2 * h + 1 };
    }
    f->im = imsic_new(NHARTS, meip, seip);
    assert_non_null(f->im);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    imsic_free(f->im);
    test_free(f);
    return 0;
}

static uint64_t ireg(struct fixture *f, unsigned hart, unsigned level, unsigned sel)
{
    uint64_t v = 0xdead;
    assert_int_equal(imsic_hart_ops.reg_read(imsic_hart_ctx(f->im, hart), level, sel, &v), 0);
    return v;
}

static void set_ireg(struct fixture *f, unsigned hart, unsigned level, unsigned sel, uint64_t v)
{
    assert_int_equal(imsic_hart_ops.reg_write(imsic_hart_ctx(f->im, hart), level, sel, v), 0);
}

static uint32_t topei(struct fixture *f, unsigned hart, unsigned level)
{
    return imsic_hart_ops.topei(imsic_hart_ctx(f->im, hart), level);
}

static void msi(struct fixture *f, unsigned level, unsigned hart, unsigned reg, uint32_t v)
{
    imsic_ops.write(imsic_view(f->im, level), hart * IMSIC_PAGE + reg, v, 4);
}

static void test_setipnum(void **state)
{
    struct fixture *f = *state;
    msi(f, RV_AIA_LEVEL_M, 1, 0, 5);
    assert_int_equal(ireg(f, 1, RV_AIA_LEVEL_M, 0x80), 1u << 5);
    assert_int_equal(ireg(f, 1, RV_AIA_LEVEL_S, 0x80), 0);   /* the other level */
    assert_int_equal(ireg(f, 0, RV_AIA_LEVEL_M, 0x80), 0);   /* the other hart */
    msi(f, RV_AIA_LEVEL_M, 1, 4, __builtin_bswap32(7));      /* setipnum_be */
    assert_int_equal(ireg(f, 1, RV_AIA_LEVEL_M, 0x80), 1u << 5 | 1u << 7);
    msi(f, RV_AIA_LEVEL_M, 1, 0, 0);                         /* id 0: ignored */
    msi(f, RV_AIA_LEVEL_M, 1, 0, IMSIC_NUM_IDS + 1);         /* past num-ids: ignored */
    msi(f, RV_AIA_LEVEL_M, 1, 0, 0xffffffffu);
    msi(f, RV_AIA_LEVEL_M, 1, 8, 9);                         /* not a register */
    msi(f, RV_AIA_LEVEL_M, NHARTS, 0, 9);                    /* no such hart */
    assert_int_equal(ireg(f, 1, RV_AIA_LEVEL_M, 0x80), 1u << 5 | 1u << 7);
    for (unsigned s = 0x82; s <= 0xbe; s += 2)
        assert_int_equal(ireg(f, 1, RV_AIA_LEVEL_M, s), 0);
    msi(f, RV_AIA_LEVEL_S, 0, 0, IMSIC_NUM_IDS);             /* the last id */
    assert_int_equal(ireg(f, 0, RV_AIA_LEVEL_S, 0x86), 1ull << 63);
    assert_int_equal(imsic_ops.read(imsic_view(f->im, 0), 0, 4), 0);
}

static void test_warl(void **state)
{
    struct fixture *f = *state;
    set_ireg(f, 0, RV_AIA_LEVEL_M, 0xc0, ~0ull);
    assert_int_equal(ireg(f, 0, RV_AIA_LEVEL_M, 0xc0), ~1ull);   /* id 0 does not exist */
    set_ireg(f, 0, RV_AIA_LEVEL_M, 0xc6, ~0ull);
    assert_int_equal(ireg(f, 0, RV_AIA_LEVEL_M, 0xc6), ~0ull);   /* ids 192..255 */
    set_ireg(f, 0, RV_AIA_LEVEL_M, 0xc8, ~0ull);
    assert_int_equal(ireg(f, 0, RV_AIA_LEVEL_M, 0xc8), 0);       /* past num-ids */
    set_ireg(f, 0, RV_AIA_LEVEL_M, 0x80, ~0ull);
    assert_int_equal(ireg(f, 0, RV_AIA_LEVEL_M, 0x80), ~1ull);
    set_ireg(f, 0, RV_AIA_LEVEL_M, 0x70, 0x40000001);
    assert_int_equal(ireg(f, 0, RV_AIA_LEVEL_M, 0x70), 1);
    set_ireg(f, 0, RV_AIA_LEVEL_M, 0x72, 0xffffffff);
    assert_int_equal(ireg(f, 0, RV_AIA_LEVEL_M, 0x72), 0x7ff);
    uint64_t v;
    void *c = imsic_hart_ctx(f->im, 0);
    assert_int_equal(imsic_hart_ops.reg_read(c, 0, 0x81, &v), -1);   /* odd eip: RV32 only */
    assert_int_equal(imsic_hart_ops.reg_read(c, 0, 0xc1, &v), -1);
    assert_int_equal(imsic_hart_ops.reg_write(c, 0, 0xc1, 1), -1);
    assert_int_equal(imsic_hart_ops.reg_read(c, 0, 0x71, &v), -1);   /* reserved */
    assert_int_equal(imsic_hart_ops.reg_read(c, 0, 0x7f, &v), -1);
    assert_int_equal(imsic_hart_ops.reg_write(c, 0, 0x73, 1), -1);
    assert_null(imsic_hart_ctx(f->im, NHARTS));
}

static void test_topei_threshold_claim(void **state)
{
    struct fixture *f = *state;
    msi(f, RV_AIA_LEVEL_S, 1, 0, 40);
    msi(f, RV_AIA_LEVEL_S, 1, 0, 9);
    assert_int_equal(topei(f, 1, RV_AIA_LEVEL_S), 0);            /* nothing enabled */
    set_ireg(f, 1, RV_AIA_LEVEL_S, 0xc0, 1ull << 9 | 1ull << 40);
    assert_int_equal(topei(f, 1, RV_AIA_LEVEL_S), 9u << 16 | 9);  /* lowest id first */
    assert_false(f->sink.level[1][1]);                            /* eidelivery 0 */
    set_ireg(f, 1, RV_AIA_LEVEL_S, 0x70, 1);
    assert_true(f->sink.level[1][1]);
    assert_false(f->sink.level[1][0]);
    set_ireg(f, 1, RV_AIA_LEVEL_S, 0x72, 9);                      /* only ids below 9 */
    assert_int_equal(topei(f, 1, RV_AIA_LEVEL_S), 0);
    assert_false(f->sink.level[1][1]);
    set_ireg(f, 1, RV_AIA_LEVEL_S, 0x72, 10);
    assert_int_equal(topei(f, 1, RV_AIA_LEVEL_S), 9u << 16 | 9);
    assert_true(f->sink.level[1][1]);
    imsic_hart_ops.claim(imsic_hart_ctx(f->im, 1), RV_AIA_LEVEL_S);
    assert_int_equal(ireg(f, 1, RV_AIA_LEVEL_S, 0x80), 1ull << 40);
    assert_int_equal(topei(f, 1, RV_AIA_LEVEL_S), 0);             /* 40 is above the threshold */
    assert_false(f->sink.level[1][1]);
    set_ireg(f, 1, RV_AIA_LEVEL_S, 0x72, 0);
    assert_int_equal(topei(f, 1, RV_AIA_LEVEL_S), 40u << 16 | 40);
    imsic_hart_ops.claim(imsic_hart_ctx(f->im, 1), RV_AIA_LEVEL_S);
    imsic_hart_ops.claim(imsic_hart_ctx(f->im, 1), RV_AIA_LEVEL_S); /* nothing left: no-op */
    assert_int_equal(ireg(f, 1, RV_AIA_LEVEL_S, 0x80), 0);
    assert_false(f->sink.level[1][1]);
    /* a disabled id stays pending, and interrupts once enabled */
    msi(f, RV_AIA_LEVEL_S, 1, 0, 100);
    assert_false(f->sink.level[1][1]);
    set_ireg(f, 1, RV_AIA_LEVEL_S, 0xc2, 1ull << 36);
    assert_true(f->sink.level[1][1]);
    set_ireg(f, 1, RV_AIA_LEVEL_S, 0x70, 0);                      /* delivery off: line low */
    assert_false(f->sink.level[1][1]);
    assert_int_equal(topei(f, 1, RV_AIA_LEVEL_S), 100u << 16 | 100);
}

static void test_bad_new(void **state)
{
    (void)state;
    assert_null(imsic_new(0, NULL, NULL));
    assert_null(imsic_new(IMSIC_MAX_HARTS + 1, NULL, NULL));
    struct imsic *im = imsic_new(1, NULL, NULL);   /* no lines: valid */
    assert_non_null(im);
    imsic_send(im, 0, 0, 3);
    imsic_send(im, 2, 0, 3);
    imsic_send(im, 0, 1, 3);
    imsic_free(im);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_setipnum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_warl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_topei_threshold_claim, setup, teardown),
        cmocka_unit_test(test_bad_new),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
