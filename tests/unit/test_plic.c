/* tests/unit/test_plic.c: PLIC claim/complete, priorities, thresholds,
 * enables, context lines, level and edge sources, bad accesses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "machine/plic.h"

#define NHARTS 2

struct sink {
    bool level[2 * NHARTS];   /* index = context */
    unsigned calls;
};

static void sink_set(void *opaque, unsigned n, bool level)
{
    struct sink *s = opaque;
    s->level[n] = level;
    s->calls++;
}

struct fixture {
    struct sink sink;
    struct plic *plic;
};

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof *f);
    struct irq_line meip[NHARTS], seip[NHARTS];
    for (unsigned h = 0; h < NHARTS; h++) {
        meip[h] = (struct irq_line){ sink_set, &f->sink, 2 * h };
        seip[h] = (struct irq_line){ sink_set, &f->sink, 2 * h + 1 };
    }
    f->plic = plic_new(NHARTS, meip, seip);
    assert_non_null(f->plic);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    plic_free(f->plic);
    test_free(f);
    return 0;
}

static uint32_t rd(struct plic *p, uint64_t off)
{
    return (uint32_t)plic_ops.read(p, off, 4);
}

static void wr(struct plic *p, uint64_t off, uint32_t v)
{
    plic_ops.write(p, off, v, 4);
}

static void set_prio(struct plic *p, unsigned src, uint32_t prio)
{
    wr(p, 4 * src, prio);
}

static void enable(struct plic *p, unsigned ctx, unsigned src, bool on)
{
    uint64_t off = 0x2000 + 0x80 * ctx + 4 * (src / 32);
    uint32_t w = rd(p, off);
    w = on ? w | 1u << (src % 32) : w & ~(1u << (src % 32));
    wr(p, off, w);
}

static void set_threshold(struct plic *p, unsigned ctx, uint32_t t)
{
    wr(p, 0x200000 + 0x1000 * ctx, t);
}

static uint32_t claim(struct plic *p, unsigned ctx)
{
    return rd(p, 0x200004 + 0x1000 * ctx);
}

static void complete(struct plic *p, unsigned ctx, uint32_t id)
{
    wr(p, 0x200004 + 0x1000 * ctx, id);
}

static bool pending(struct plic *p, unsigned src)
{
    return rd(p, 0x1000 + 4 * (src / 32)) >> (src % 32) & 1;
}

static void test_reset_state(void **state)
{
    struct fixture *f = *state;
    for (unsigned src = 0; src <= PLIC_NDEV; src++)
        assert_int_equal(rd(f->plic, 4 * src), 0);
    for (unsigned ctx = 0; ctx < 2 * NHARTS; ctx++) {
        assert_int_equal(claim(f->plic, ctx), 0);
        assert_false(f->sink.level[ctx]);
    }
    assert_int_equal(f->sink.calls, 0);
}

static void test_priority_register(void **state)
{
    struct fixture *f = *state;
    set_prio(f->plic, 5, 3);
    assert_int_equal(rd(f->plic, 4 * 5), 3);
    set_prio(f->plic, 5, 0xffffffff);
    assert_int_equal(rd(f->plic, 4 * 5), 7);  /* 3 priority bits */
    set_prio(f->plic, 0, 5);
    assert_int_equal(rd(f->plic, 0), 0);      /* source 0 reserved */
    set_prio(f->plic, PLIC_NDEV, 2);
    assert_int_equal(rd(f->plic, 4 * PLIC_NDEV), 2);
    set_prio(f->plic, PLIC_NDEV + 1, 2);
    assert_int_equal(rd(f->plic, 4 * (PLIC_NDEV + 1)), 0);
}

static void test_claim_complete(void **state)
{
    struct fixture *f = *state;
    struct plic *p = f->plic;
    set_prio(p, 10, 1);
    enable(p, 0, 10, true);
    assert_false(f->sink.level[0]);

    plic_set_irq(p, 10, true);
    assert_true(pending(p, 10));
    assert_true(f->sink.level[0]);
    assert_false(f->sink.level[1]);   /* S context not enabled */
    assert_false(f->sink.level[2]);

    assert_int_equal(claim(p, 0), 10);
    assert_false(pending(p, 10));
    assert_false(f->sink.level[0]);
    assert_int_equal(claim(p, 0), 0); /* in service: not claimable again */

    plic_set_irq(p, 10, false);
    complete(p, 0, 10);
    assert_false(pending(p, 10));
    assert_false(f->sink.level[0]);

    /* The next request goes through again. */
    plic_set_irq(p, 10, true);
    assert_true(f->sink.level[0]);
    assert_int_equal(claim(p, 0), 10);
    plic_set_irq(p, 10, false);
    complete(p, 0, 10);
    assert_false(f->sink.level[0]);
}

static void test_level_repend_after_complete(void **state)
{
    struct fixture *f = *state;
    struct plic *p = f->plic;
    set_prio(p, 7, 1);
    enable(p, 0, 7, true);
    plic_set_irq(p, 7, true);
    assert_int_equal(claim(p, 0), 7);
    assert_false(f->sink.level[0]);
    /* Input still high while in service: not pending yet. */
    plic_set_irq(p, 7, true);
    assert_false(pending(p, 7));
    assert_false(f->sink.level[0]);
    complete(p, 0, 7);
    assert_true(pending(p, 7));
    assert_true(f->sink.level[0]);
    assert_int_equal(claim(p, 0), 7);
    complete(p, 0, 7);
    assert_true(f->sink.level[0]);    /* still high */
    assert_int_equal(claim(p, 0), 7);
    plic_set_irq(p, 7, false);
    complete(p, 0, 7);
    assert_false(pending(p, 7));
    assert_false(f->sink.level[0]);
}

static void test_level_drop_withdraws(void **state)
{
    struct fixture *f = *state;
    struct plic *p = f->plic;
    set_prio(p, 3, 1);
    enable(p, 0, 3, true);
    plic_set_irq(p, 3, true);
    assert_true(f->sink.level[0]);
    plic_set_irq(p, 3, false);
    assert_false(pending(p, 3));
    assert_false(f->sink.level[0]);
    assert_int_equal(claim(p, 0), 0);
}

static void test_priorities_and_ties(void **state)
{
    struct fixture *f = *state;
    struct plic *p = f->plic;
    unsigned srcs[] = { 1, 2, 33, 40, 64, 96 };
    uint32_t prios[] = { 2, 5, 5, 7, 1, 7 };
    for (unsigned i = 0; i < 6; i++) {
        set_prio(p, srcs[i], prios[i]);
        enable(p, 0, srcs[i], true);
        plic_set_irq(p, srcs[i], true);
    }
    /* Highest priority first; equal priorities in id order. */
    unsigned expect[] = { 40, 96, 2, 33, 1, 64 };
    for (unsigned i = 0; i < 6; i++) {
        assert_true(f->sink.level[0]);
        assert_int_equal(claim(p, 0), expect[i]);
    }
    assert_false(f->sink.level[0]);
    assert_int_equal(claim(p, 0), 0);
    for (unsigned i = 0; i < 6; i++) {
        plic_set_irq(p, srcs[i], false);
        complete(p, 0, srcs[i]);
    }
    assert_false(f->sink.level[0]);
}

static void test_priority_zero_never_interrupts(void **state)
{
    struct fixture *f = *state;
    struct plic *p = f->plic;
    enable(p, 0, 4, true);
    plic_set_irq(p, 4, true);
    assert_true(pending(p, 4));
    assert_false(f->sink.level[0]);
    assert_int_equal(claim(p, 0), 0);
    set_prio(p, 4, 1);
    assert_true(f->sink.level[0]);
    set_prio(p, 4, 0);
    assert_false(f->sink.level[0]);
}

static void test_threshold(void **state)
{
    struct fixture *f = *state;
    struct plic *p = f->plic;
    set_prio(p, 8, 3);
    set_prio(p, 9, 5);
    enable(p, 0, 8, true);
    enable(p, 0, 9, true);
    set_threshold(p, 0, 5);
    assert_int_equal(rd(p, 0x200000), 5);
    plic_set_irq(p, 8, true);
    plic_set_irq(p, 9, true);
    assert_false(f->sink.level[0]);      /* priority must exceed it */
    assert_int_equal(claim(p, 0), 0);
    set_threshold(p, 0, 4);
    assert_true(f->sink.level[0]);
    assert_int_equal(claim(p, 0), 9);
    assert_false(f->sink.level[0]);      /* 8 is at priority 3 <= 4 */
    set_threshold(p, 0, 2);
    assert_true(f->sink.level[0]);
    assert_int_equal(claim(p, 0), 8);
    set_threshold(p, 0, 0xff);
    assert_int_equal(rd(p, 0x200000), 7);
    complete(p, 0, 8);
    complete(p, 0, 9);
    assert_false(f->sink.level[0]);      /* re-pended but masked */
    set_threshold(p, 0, 0);
    assert_true(f->sink.level[0]);
}

static void test_contexts_m_and_s(void **state)
{
    struct fixture *f = *state;
    struct plic *p = f->plic;
    set_prio(p, 20, 1);
    set_prio(p, 21, 1);
    enable(p, 1, 20, true);   /* hart 0 S */
    enable(p, 2, 21, true);   /* hart 1 M */
    enable(p, 3, 21, true);   /* hart 1 S */
    plic_set_irq(p, 20, true);
    assert_false(f->sink.level[0]);
    assert_true(f->sink.level[1]);
    assert_false(f->sink.level[2]);
    assert_false(f->sink.level[3]);
    assert_int_equal(claim(p, 0), 0);    /* not enabled for hart 0 M */

    plic_set_irq(p, 21, true);
    assert_true(f->sink.level[2]);
    assert_true(f->sink.level[3]);
    /* Whoever claims first gets it; the other context's line drops. */
    assert_int_equal(claim(p, 3), 21);
    assert_false(f->sink.level[2]);
    assert_false(f->sink.level[3]);
    assert_int_equal(claim(p, 2), 0);

    /* Completion through a context that has 21 disabled is ignored. */
    plic_set_irq(p, 21, false);
    complete(p, 0, 21);
    plic_set_irq(p, 21, true);
    assert_false(f->sink.level[2]);
    assert_false(pending(p, 21));
    complete(p, 3, 21);
    assert_true(f->sink.level[2]);
    assert_true(f->sink.level[3]);

    /* Enable registers are per context and keep only real sources. */
    wr(p, 0x2000 + 0x80 * 1, 0xffffffff);
    assert_int_equal(rd(p, 0x2000 + 0x80 * 1), 0xfffffffe);
    wr(p, 0x2000 + 0x80 * 1 + 12, 0xffffffff);
    assert_int_equal(rd(p, 0x2000 + 0x80 * 1 + 12), 1);   /* id 96 only */
    assert_int_equal(rd(p, 0x2000 + 0x80 * 0), 0);
}

static void test_edge_mode(void **state)
{
    struct fixture *f = *state;
    struct plic *p = f->plic;
    plic_set_edge(p, 30, true);
    set_prio(p, 30, 2);
    enable(p, 0, 30, true);

    plic_set_irq(p, 30, true);
    assert_true(f->sink.level[0]);
    plic_set_irq(p, 30, false);          /* pulse: stays pending */
    assert_true(pending(p, 30));
    assert_true(f->sink.level[0]);
    assert_int_equal(claim(p, 0), 30);
    complete(p, 0, 30);
    assert_false(pending(p, 30));        /* no new edge: not re-pended */
    assert_false(f->sink.level[0]);

    /* A held-high input is one edge, not a stream. */
    plic_set_irq(p, 30, true);
    assert_int_equal(claim(p, 0), 30);
    plic_set_irq(p, 30, true);
    complete(p, 0, 30);
    assert_false(f->sink.level[0]);

    /* An edge while in service pends after completion. */
    plic_set_irq(p, 30, false);
    plic_set_irq(p, 30, true);
    assert_int_equal(claim(p, 0), 30);
    plic_set_irq(p, 30, false);
    plic_set_irq(p, 30, true);
    assert_false(f->sink.level[0]);
    complete(p, 0, 30);
    assert_true(f->sink.level[0]);
    assert_int_equal(claim(p, 0), 30);
    complete(p, 0, 30);
    assert_false(f->sink.level[0]);

    /* Back to level mode: pending follows the (high) input. */
    plic_set_edge(p, 30, false);
    assert_true(f->sink.level[0]);
    plic_set_irq(p, 30, false);
    assert_false(f->sink.level[0]);
}

static void test_bad_accesses(void **state)
{
    struct fixture *f = *state;
    struct plic *p = f->plic;
    /* Out-of-range sources on the input side. */
    plic_set_irq(p, 0, true);
    plic_set_irq(p, PLIC_NDEV + 1, true);
    plic_set_irq(p, 100000, true);
    plic_set_edge(p, 0, true);
    plic_set_edge(p, 5000, true);
    plic_set_irq(NULL, 1, true);
    for (unsigned w = 0; w < 32; w++)
        assert_int_equal(rd(p, 0x1000 + 4 * w), 0);

    set_prio(p, 1, 1);
    enable(p, 0, 1, true);
    plic_set_irq(p, 1, true);
    assert_true(f->sink.level[0]);
    /* Pending is read-only. */
    wr(p, 0x1000, 0);
    assert_true(pending(p, 1));
    /* Wrong sizes and misaligned accesses are refused by the bus (access
     * faults); the device never sees them. */
    for (unsigned size = 1; size <= 8; size *= 2) {
        if (size == 4)
            continue;
        assert_false(bus_access_ok(&plic_ops, 0x200004, size));
        assert_false(bus_access_ok(&plic_ops, 4, size));
    }
    assert_false(bus_access_ok(&plic_ops, 0x200006, 4));
    assert_true(pending(p, 1));
    assert_int_equal(rd(p, 4), 1);
    /* Completing bogus ids and absent contexts. */
    complete(p, 0, 0);
    complete(p, 0, PLIC_NDEV + 1);
    complete(p, 0, 0xffffffff);
    assert_int_equal(claim(p, 2 * NHARTS), 0);
    complete(p, 2 * NHARTS, 1);
    set_threshold(p, 2 * NHARTS, 3);
    assert_int_equal(rd(p, 0x200000 + 0x1000 * 2 * NHARTS), 0);
    wr(p, 0x2000 + 0x80 * 2 * NHARTS, 0xffffffff);
    assert_int_equal(rd(p, 0x2000 + 0x80 * 2 * NHARTS), 0);
    /* Reserved holes and the far end of the region. */
    wr(p, 0x200008, 1);
    assert_int_equal(rd(p, 0x200008), 0);
    wr(p, 0x2000 + 0x7c, 0xffffffff);
    assert_int_equal(rd(p, 0x2000 + 0x7c), 0);
    assert_int_equal(rd(p, PLIC_SIZE - 4), 0);
    wr(p, PLIC_SIZE - 4, 1);
    assert_int_equal(rd(p, UINT64_MAX & ~3ull), 0);
    wr(p, UINT64_MAX & ~3ull, 1);
    /* Completing a source that is not in service changes nothing. */
    complete(p, 0, 1);
    assert_true(pending(p, 1));
    assert_int_equal(claim(p, 0), 1);
    assert_false(f->sink.level[0]);
}

static void test_new_limits(void **state)
{
    assert_null(plic_new(0, NULL, NULL));
    assert_null(plic_new(PLIC_MAX_HARTS + 1, NULL, NULL));
    /* Lines may be left unwired. */
    struct plic *p = plic_new(1, NULL, NULL);
    assert_non_null(p);
    plic_ops.write(p, 4, 1, 4);
    plic_ops.write(p, 0x2000, 2, 4);
    plic_set_irq(p, 1, true);
    assert_int_equal(plic_ops.read(p, 0x200004, 4), 1);
    plic_free(p);
    plic_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reset_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_priority_register, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level_repend_after_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level_drop_withdraws, setup, teardown),
        cmocka_unit_test_setup_teardown(test_priorities_and_ties, setup, teardown),
        cmocka_unit_test_setup_teardown(test_priority_zero_never_interrupts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threshold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contexts_m_and_s, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edge_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_accesses, setup, teardown),
        cmocka_unit_test(test_new_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
