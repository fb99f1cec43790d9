/* tests/unit/test_aplic.c: APLIC domains: domaincfg, sourcecfg WARL and
 * delegation, inactive sources, pending/enable, direct delivery through
 * the IDCs (target WARL, priority, threshold, topi, claimi, iforce), level
 * and edge sources, and MSI delivery to an IMSIC on a bus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bus/bus.h"
#include "bus/device.h"
#include "bus/state.h"
#include "cpu/riscv/aia.h"
#include "machine/aplic.h"
#include "machine/imsic.h"

#define NHARTS 2
#define M 0
#define S 1
#define IMSIC_M 0x24000000ull
#define IMSIC_S 0x28000000ull

enum { DOMAINCFG = 0, SOURCECFG = 4, MMSIADDRCFG = 0x1bc0, MMSIADDRCFGH = 0x1bc4, SMSIADDRCFG = 0x1bc8,
       SETIP = 0x1c00, SETIPNUM = 0x1cdc, IN_CLRIP = 0x1d00, CLRIPNUM = 0x1ddc, SETIE = 0x1e00,
       SETIENUM = 0x1edc, CLRIENUM = 0x1fdc, SETIPNUM_LE = 0x2000, GENMSI = 0x3000, TARGET = 0x3004,
       IDC = 0x4000 };

struct sink {
    bool level[NHARTS][2];   /* [hart][0: MEIP, 1: SEIP] */
};

static void sink_set(void *opaque, unsigned n, bool level)
{
    ((struct sink *)opaque)->level[n / 2][n % 2] = level;
}

struct fixture {
    struct sink sink;
    struct aplic *a;
    struct bus bus;
    struct imsic *im;
};

static struct fixture *make(bool msi)
{
    struct fixture *f = test_calloc(1, sizeof *f);
    struct irq_line meip[NHARTS], seip[NHARTS];
    for (unsigned h = 0; h < NHARTS; h++) {
        meip[h] = (struct irq_line){ sink_set, &f->sink, 2 * h };
        seip[h] = (struct irq_line){ sink_set, &f->sink, 2 * h + 1 };
    }
    bus_init(&f->bus);
    if (msi) {
        f->im = imsic_new(NHARTS, meip, seip);
        assert_non_null(f->im);
        assert_int_equal(bus_map(&f->bus, IMSIC_M, NHARTS * IMSIC_PAGE, "imsic-m", &imsic_ops, imsic_view(f->im, 0)), 0);
        assert_int_equal(bus_map(&f->bus, IMSIC_S, NHARTS * IMSIC_PAGE, "imsic-s", &imsic_ops, imsic_view(f->im, 1)), 0);
    }
    f->a = aplic_new(NHARTS, msi, meip, seip, &f->bus, IMSIC_M, IMSIC_S);
    assert_non_null(f->a);
    return f;
}

static int setup_direct(void **state) { *state = make(false); return 0; }
static int setup_msi(void **state) { *state = make(true); return 0; }

static int teardown(void **state)
{
    struct fixture *f = *state;
    aplic_free(f->a);
    bus_free(&f->bus);
    imsic_free(f->im);
    test_free(f);
    return 0;
}

static uint32_t rd(struct fixture *f, unsigned d, uint64_t off)
{
    return (uint32_t)aplic_ops.read(aplic_domain(f->a, d), off, 4);
}

static void wr(struct fixture *f, unsigned d, uint64_t off, uint32_t v)
{
    aplic_ops.write(aplic_domain(f->a, d), off, v, 4);
}

static uint64_t idc(unsigned h, unsigned r) { return IDC + 32 * h + r; }

static void test_domaincfg(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(rd(f, M, DOMAINCFG), 0x80000000u);
    wr(f, M, DOMAINCFG, 0xffffffff);
    assert_int_equal(rd(f, M, DOMAINCFG), 0x80000100u);   /* IE; DM and BE read-only 0 */
    assert_int_equal(rd(f, S, DOMAINCFG), 0x80000000u);
    assert_int_equal(rd(f, M, MMSIADDRCFG), 0);            /* direct: no MSI registers */
}

static void test_sourcecfg_delegation(void **state)
{
    struct fixture *f = *state;
    uint64_t c5 = SOURCECFG + 4 * 4;
    wr(f, M, c5, 2);                                       /* reserved mode */
    assert_int_equal(rd(f, M, c5), 0);
    wr(f, M, c5, 0xfffffbf9);                              /* D=0: only SM = 1 stays */
    assert_int_equal(rd(f, M, c5), 1);
    wr(f, S, c5, 6);                                       /* not the child's source */
    assert_int_equal(rd(f, S, c5), 0);
    wr(f, M, c5, 1u << 10 | 7);                            /* delegate, child index 7: WARL 0 */
    assert_int_equal(rd(f, M, c5), 1u << 10);
    assert_int_equal(rd(f, S, c5), 0);                     /* inactive in the child */
    wr(f, S, c5, 6);
    assert_int_equal(rd(f, S, c5), 6);
    wr(f, S, c5, 1u << 10 | 4);                            /* the child has no children */
    assert_int_equal(rd(f, S, c5), 0);
    wr(f, S, c5, 4);
    wr(f, S, TARGET + 4 * 4, 1u << 18 | 3);
    assert_int_equal(rd(f, S, TARGET + 4 * 4), 1u << 18 | 3);
    assert_int_equal(rd(f, M, TARGET + 4 * 4), 0);         /* M does not see it */
    wr(f, M, c5, 4);                                       /* taken back */
    assert_int_equal(rd(f, S, c5), 0);
    assert_int_equal(rd(f, S, TARGET + 4 * 4), 0);
    assert_int_equal(rd(f, M, c5), 4);
    /* past num-sources: nothing */
    wr(f, M, SOURCECFG + 4 * APLIC_NSRC, 4);
    assert_int_equal(rd(f, M, SOURCECFG + 4 * APLIC_NSRC), 0);
}

static void test_inactive_and_pending(void **state)
{
    struct fixture *f = *state;
    wr(f, M, SETIPNUM, 3);                                 /* inactive: ignored */
    wr(f, M, SETIENUM, 3);
    assert_int_equal(rd(f, M, SETIP), 0);
    assert_int_equal(rd(f, M, SETIE), 0);
    wr(f, M, SOURCECFG + 4 * 2, 1);                        /* 3: detached */
    wr(f, M, SETIPNUM, 3);
    wr(f, M, SETIENUM, 3);
    assert_int_equal(rd(f, M, SETIP), 1u << 3);
    assert_int_equal(rd(f, M, SETIE), 1u << 3);
    aplic_set_irq(f->a, 3, true);                          /* detached: the wire does nothing */
    assert_int_equal(rd(f, M, IN_CLRIP), 0);
    wr(f, M, CLRIPNUM, 3);
    assert_int_equal(rd(f, M, SETIP), 0);
    wr(f, M, SETIP, 1u << 3);
    assert_int_equal(rd(f, M, SETIP), 1u << 3);
    wr(f, M, IN_CLRIP, 1u << 3);
    assert_int_equal(rd(f, M, SETIP), 0);
    wr(f, M, CLRIENUM, 3);
    assert_int_equal(rd(f, M, SETIE), 0);
    wr(f, M, SETIPNUM, 0);                                 /* id 0 and past the sources: ignored */
    wr(f, M, SETIPNUM, APLIC_NSRC + 1);
    wr(f, M, SETIPNUM_LE, 0xffffffff);
    assert_int_equal(rd(f, M, SETIP), 0);
}

static void test_direct_delivery(void **state)
{
    struct fixture *f = *state;
    unsigned s = 10;
    wr(f, M, SOURCECFG + 4 * (s - 1), 1u << 10);           /* to the S domain */
    wr(f, S, SOURCECFG + 4 * (s - 1), 4);                  /* edge, rising */
    wr(f, S, TARGET + 4 * (s - 1), 7u << 18 | 0);          /* hart 7 and priority 0: WARL */
    assert_int_equal(rd(f, S, TARGET + 4 * (s - 1)), 1);   /* hart 0, priority 1 */
    wr(f, S, TARGET + 4 * (s - 1), 1u << 18 | 3);
    wr(f, S, SETIENUM, s);
    aplic_set_irq(f->a, s, true);
    assert_int_equal(rd(f, S, SETIP), 1u << s);
    assert_int_equal(rd(f, S, idc(1, 0x18)), s << 16 | 3);  /* topi */
    assert_false(f->sink.level[1][1]);                     /* IE and idelivery off */
    wr(f, S, idc(1, 0), 1);
    assert_false(f->sink.level[1][1]);
    wr(f, S, DOMAINCFG, 1u << 8);
    assert_true(f->sink.level[1][1]);
    assert_false(f->sink.level[0][1]);
    assert_false(f->sink.level[1][0]);
    wr(f, S, idc(1, 8), 3);                                /* threshold: priorities below 3 only */
    assert_int_equal(rd(f, S, idc(1, 0x18)), 0);
    assert_false(f->sink.level[1][1]);
    wr(f, S, idc(1, 8), 4);
    assert_true(f->sink.level[1][1]);
    assert_int_equal(rd(f, S, idc(1, 0x1c)), s << 16 | 3); /* claimi */
    assert_int_equal(rd(f, S, SETIP), 0);
    assert_false(f->sink.level[1][1]);
    aplic_set_irq(f->a, s, true);                          /* no new edge */
    assert_false(f->sink.level[1][1]);
    aplic_set_irq(f->a, s, false);
    aplic_set_irq(f->a, s, true);
    assert_true(f->sink.level[1][1]);
    /* a better source (lower priority number) wins */
    unsigned t = 20;
    wr(f, M, SOURCECFG + 4 * (t - 1), 1u << 10);
    wr(f, S, SOURCECFG + 4 * (t - 1), 1);
    wr(f, S, TARGET + 4 * (t - 1), 1u << 18 | 2);
    wr(f, S, SETIENUM, t);
    wr(f, S, SETIPNUM, t);
    assert_int_equal(rd(f, S, idc(1, 0x1c)), t << 16 | 2);
    assert_int_equal(rd(f, S, idc(1, 0x1c)), s << 16 | 3);
    assert_int_equal(rd(f, S, idc(1, 0x1c)), 0);
    assert_false(f->sink.level[1][1]);
    /* iforce: the line without a source; claimi clears it */
    wr(f, S, idc(1, 4), 3);
    assert_int_equal(rd(f, S, idc(1, 4)), 1);
    assert_true(f->sink.level[1][1]);
    assert_int_equal(rd(f, S, idc(1, 0x1c)), 0);
    assert_int_equal(rd(f, S, idc(1, 4)), 0);
    assert_false(f->sink.level[1][1]);
    /* IDCs of absent harts: nothing */
    wr(f, S, idc(NHARTS, 0), 1);
    assert_int_equal(rd(f, S, idc(NHARTS, 0)), 0);
}

static void test_direct_level(void **state)
{
    struct fixture *f = *state;
    wr(f, M, SOURCECFG + 4 * 4, 7);                        /* 5: level, active low */
    wr(f, M, TARGET + 4 * 4, 0u << 18 | 1);
    wr(f, M, SETIENUM, 5);
    wr(f, M, DOMAINCFG, 1u << 8);
    wr(f, M, idc(0, 0), 1);
    assert_true(f->sink.level[0][0]);                      /* the wire is low: asserted */
    assert_int_equal(rd(f, M, IN_CLRIP), 1u << 5);
    wr(f, M, CLRIPNUM, 5);                                 /* the wire decides */
    assert_true(f->sink.level[0][0]);
    assert_int_equal(rd(f, M, idc(0, 0x1c)), 5u << 16 | 1);
    assert_true(f->sink.level[0][0]);                      /* still asserted */
    aplic_set_irq(f->a, 5, true);
    assert_false(f->sink.level[0][0]);
    wr(f, M, SETIPNUM, 5);
    assert_false(f->sink.level[0][0]);
}

static uint64_t eip(struct fixture *f, unsigned hart, unsigned level, unsigned sel)
{
    uint64_t v = 0;
    assert_int_equal(imsic_hart_ops.reg_read(imsic_hart_ctx(f->im, hart), level, sel, &v), 0);
    return v;
}

static void test_msi_delivery(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(rd(f, M, DOMAINCFG), 0x80000004u);    /* DM = MSI, read-only */
    wr(f, M, DOMAINCFG, 0);
    assert_int_equal(rd(f, M, DOMAINCFG), 0x80000004u);
    assert_int_equal(rd(f, M, MMSIADDRCFG), IMSIC_M >> 12);
    assert_int_equal(rd(f, M, MMSIADDRCFGH), 1u << 31 | 1u << 12);  /* locked, LHXW 1 */
    wr(f, M, MMSIADDRCFG, 0x1234);                         /* locked */
    assert_int_equal(rd(f, M, MMSIADDRCFG), IMSIC_M >> 12);
    assert_int_equal(rd(f, M, SMSIADDRCFG), IMSIC_S >> 12);
    assert_int_equal(rd(f, S, MMSIADDRCFG), 0);            /* only in the root domain */
    unsigned s = 10;
    wr(f, M, SOURCECFG + 4 * (s - 1), 1u << 10);
    wr(f, S, SOURCECFG + 4 * (s - 1), 4);
    wr(f, S, TARGET + 4 * (s - 1), 1u << 18 | 0xffff);     /* EIID is 11 bits */
    assert_int_equal(rd(f, S, TARGET + 4 * (s - 1)), 1u << 18 | 0x7ff);
    wr(f, S, TARGET + 4 * (s - 1), 1u << 18 | 9);
    wr(f, S, SETIENUM, s);
    aplic_set_irq(f->a, s, true);
    assert_int_equal(rd(f, S, SETIP), 1u << s);            /* IE off: held */
    assert_int_equal(eip(f, 1, RV_AIA_LEVEL_S, 0x80), 0);
    wr(f, S, DOMAINCFG, 1u << 8);
    assert_int_equal(rd(f, S, SETIP), 0);                  /* forwarded */
    assert_int_equal(eip(f, 1, RV_AIA_LEVEL_S, 0x80), 1u << 9);
    assert_int_equal(eip(f, 0, RV_AIA_LEVEL_S, 0x80), 0);
    assert_int_equal(eip(f, 1, RV_AIA_LEVEL_M, 0x80), 0);
    /* level high in MSI mode: one MSI per rising level or setipnum while high */
    unsigned l = 11;
    wr(f, M, SOURCECFG + 4 * (l - 1), 6);
    wr(f, M, TARGET + 4 * (l - 1), 0u << 18 | 33);
    wr(f, M, SETIENUM, l);
    wr(f, M, DOMAINCFG, 1u << 8);
    wr(f, M, SETIPNUM, l);                                 /* wire low: ignored */
    assert_int_equal(eip(f, 0, RV_AIA_LEVEL_M, 0x80), 0);
    aplic_set_irq(f->a, l, true);
    assert_int_equal(eip(f, 0, RV_AIA_LEVEL_M, 0x80), 1ull << 33);
    assert_int_equal(rd(f, M, IN_CLRIP), 1u << l);         /* the rectified input */
    imsic_hart_ops.claim(imsic_hart_ctx(f->im, 0), RV_AIA_LEVEL_M); /* eie off: nothing */
    uint64_t v;
    imsic_hart_ops.reg_write(imsic_hart_ctx(f->im, 0), RV_AIA_LEVEL_M, 0xc0, 1ull << 33);
    imsic_hart_ops.claim(imsic_hart_ctx(f->im, 0), RV_AIA_LEVEL_M);
    assert_int_equal(eip(f, 0, RV_AIA_LEVEL_M, 0x80), 0);
    wr(f, M, SETIPNUM_LE, l);                              /* still high: again */
    assert_int_equal(eip(f, 0, RV_AIA_LEVEL_M, 0x80), 1ull << 33);
    (void)v;
    /* genmsi */
    wr(f, M, GENMSI, 1u << 18 | 44);
    assert_int_equal(eip(f, 1, RV_AIA_LEVEL_M, 0x80), 1ull << 44);
    /* only the hart index's low LHXW bits make the address (LHXW 1 for 2 harts) */
    wr(f, M, GENMSI, 3u << 18 | 45);
    assert_int_equal(eip(f, 1, RV_AIA_LEVEL_M, 0x80), 1ull << 44 | 1ull << 45);
    /* no IDCs in MSI mode */
    wr(f, M, idc(0, 0), 1);
    assert_int_equal(rd(f, M, idc(0, 0)), 0);
}

/* Save and load into a fresh controller: the same registers and lines;
 * a stream of another delivery mode is refused. */
static void test_state(void **state)
{
    struct fixture *f = *state;
    wr(f, M, SOURCECFG + 4 * 9, 1u << 10);
    wr(f, S, SOURCECFG + 4 * 9, 4);
    wr(f, S, TARGET + 4 * 9, 1u << 18 | 3);
    wr(f, S, SETIENUM, 10);
    wr(f, S, SETIPNUM, 10);
    wr(f, S, DOMAINCFG, 1u << 8);
    wr(f, S, idc(1, 0), 1);
    assert_true(f->sink.level[1][1]);
    struct state st;
    state_init_save(&st);
    device_type_aplic_m.save(aplic_domain(f->a, M), &st);
    assert_false(st.error);
    struct sink sink2 = { 0 };
    struct irq_line meip[NHARTS], seip[NHARTS];
    for (unsigned h = 0; h < NHARTS; h++) {
        meip[h] = (struct irq_line){ sink_set, &sink2, 2 * h };
        seip[h] = (struct irq_line){ sink_set, &sink2, 2 * h + 1 };
    }
    struct aplic *b = aplic_new(NHARTS, false, meip, seip, NULL, 0, 0);
    struct state in;
    state_init_load(&in, st.buf, st.len);
    assert_int_equal(device_type_aplic_m.load(aplic_domain(b, M), &in), 0);
    assert_true(sink2.level[1][1]);
    assert_int_equal(aplic_ops.read(aplic_domain(b, S), IDC + 32 + 0x18, 4), 10u << 16 | 3);
    assert_int_equal(aplic_ops.read(aplic_domain(b, S), SOURCECFG + 4 * 9, 4), 4);
    aplic_free(b);
    struct aplic *c = aplic_new(NHARTS, true, NULL, NULL, NULL, 0, 0);
    state_init_load(&in, st.buf, st.len);
    assert_int_equal(device_type_aplic_m.load(aplic_domain(c, M), &in), -1);
    aplic_free(c);
    state_free(&st);
}

static void test_bad_new(void **state)
{
    (void)state;
    assert_null(aplic_new(0, false, NULL, NULL, NULL, 0, 0));
    assert_null(aplic_new(APLIC_MAX_HARTS + 1, false, NULL, NULL, NULL, 0, 0));
    struct aplic *a = aplic_new(1, false, NULL, NULL, NULL, 0, 0);
    assert_non_null(a);
    aplic_set_irq(a, 0, true);
    aplic_set_irq(a, APLIC_NSRC + 1, true);
    aplic_set_irq(NULL, 1, true);
    assert_null(aplic_domain(a, 2));
    aplic_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_domaincfg, setup_direct, teardown),
        cmocka_unit_test_setup_teardown(test_sourcecfg_delegation, setup_direct, teardown),
        cmocka_unit_test_setup_teardown(test_inactive_and_pending, setup_direct, teardown),
        cmocka_unit_test_setup_teardown(test_direct_delivery, setup_direct, teardown),
        cmocka_unit_test_setup_teardown(test_direct_level, setup_direct, teardown),
        cmocka_unit_test_setup_teardown(test_msi_delivery, setup_msi, teardown),
        cmocka_unit_test_setup_teardown(test_state, setup_direct, teardown),
        cmocka_unit_test(test_bad_new),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
