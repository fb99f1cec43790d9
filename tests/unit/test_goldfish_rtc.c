/* tests/unit/test_goldfish_rtc.c: RTC time on virtual time, alarms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define TEST_IRQ 10u /* any PLIC source */
#include "machine/goldfish_rtc.h"

/* 2021-01-01T00:00:00Z plus a little, in ns: above 2^32 in both halves. */
#define BASE_NS (1609459200ull * 1000000000ull + 123)

struct fixture {
    struct vclock clock;
    struct goldfish_rtc *rtc;
    bool irq;
    unsigned irq_calls;
    uint64_t progress;
};

static void irq_sink(void *opaque, unsigned n, bool level)
{
    struct fixture *f = opaque;
    assert_int_equal(n, TEST_IRQ);
    f->irq = level;
    f->irq_calls++;
}

static uint64_t progress(void *ctx)
{
    return *(uint64_t *)ctx;
}

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof *f);
    vclock_init(&f->clock);
    f->rtc = goldfish_rtc_new(&f->clock, BASE_NS,
                              (struct irq_line){ irq_sink, f, TEST_IRQ });
    assert_non_null(f->rtc);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    goldfish_rtc_free(f->rtc);
    assert_null(f->clock.timers);
    test_free(f);
    return 0;
}

static uint32_t rd(struct fixture *f, uint64_t off)
{
    return (uint32_t)goldfish_rtc_ops.read(f->rtc, off, 4);
}

static void wr(struct fixture *f, uint64_t off, uint32_t v)
{
    goldfish_rtc_ops.write(f->rtc, off, v, 4);
}

/* As Linux reads it: low first, which latches high. */
static uint64_t read_time(struct fixture *f)
{
    uint64_t lo = rd(f, GOLDFISH_RTC_TIME_LOW);
    uint64_t hi = rd(f, GOLDFISH_RTC_TIME_HIGH);
    return hi << 32 | lo;
}

/* As Linux sets an alarm: high, low, then enable. */
static void set_alarm(struct fixture *f, uint64_t ns)
{
    wr(f, GOLDFISH_RTC_ALARM_HIGH, (uint32_t)(ns >> 32));
    wr(f, GOLDFISH_RTC_ALARM_LOW, (uint32_t)ns);
    wr(f, GOLDFISH_RTC_IRQ_ENABLED, 1);
}

static void test_time_from_base(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(read_time(f), BASE_NS);
    vclock_advance(&f->clock, 10);
    assert_int_equal(read_time(f), BASE_NS + 1000);
    vclock_advance(&f->clock, VCLOCK_HZ * 3 + 10);
    assert_int_equal(read_time(f), BASE_NS + 3000000000ull + 1000);
    assert_int_equal(goldfish_rtc_time_ns(f->rtc), BASE_NS + 3000000000ull + 1000);
    /* Mid-slice progress counts. */
    f->clock.progress = progress;
    f->clock.progress_ctx = &f->progress;
    f->progress = 5 * VCLOCK_INSNS_PER_TICK;
    assert_int_equal(read_time(f), BASE_NS + 3000000000ull + 1500);
}

/* The board's adjustment (-rtc clock=host|rt) moves the time and the
 * alarm with it; a second call replaces the first. */
static void test_adjust(void **state)
{
    struct fixture *f = *state;
    set_alarm(f, BASE_NS + 5000000000ull);
    goldfish_rtc_set_adjust(f->rtc, 2000000000);
    assert_int_equal(read_time(f), BASE_NS + 2000000000ull);
    goldfish_rtc_set_adjust(f->rtc, 4000000000);
    assert_int_equal(read_time(f), BASE_NS + 4000000000ull);
    assert_false(f->irq);
    /* the alarm is 1 s of virtual time away now */
    assert_int_equal(vclock_next_deadline(&f->clock), VCLOCK_HZ);
    goldfish_rtc_set_adjust(f->rtc, 6000000000);
    assert_true(f->irq);
    goldfish_rtc_set_adjust(f->rtc, -1000);
    assert_int_equal(read_time(f), BASE_NS - 1000);
}

static void test_time_high_is_latched(void **state)
{
    struct fixture *f = *state;
    /* Put the low half just below a carry into the high half. */
    uint64_t t0 = BASE_NS;
    uint64_t to_carry = (1ull << 32) - (t0 & 0xffffffffull);
    uint64_t ticks = to_carry / 100 - 1;   /* 100..199 ns before the carry */
    vclock_advance(&f->clock, ticks);
    uint32_t lo = rd(f, GOLDFISH_RTC_TIME_LOW);
    vclock_advance(&f->clock, ticks + 10);   /* the carry happens now */
    uint32_t hi = rd(f, GOLDFISH_RTC_TIME_HIGH);
    assert_int_equal((uint64_t)hi << 32 | lo, t0 + ticks * 100);
    assert_int_equal(read_time(f), t0 + (ticks + 10) * 100);
    assert_int_equal(rd(f, GOLDFISH_RTC_TIME_HIGH), (t0 + (ticks + 10) * 100) >> 32);
}

static void test_set_time(void **state)
{
    struct fixture *f = *state;
    vclock_advance(&f->clock, 1000);
    uint64_t want = 0x0000001234567800ull;
    /* Linux: high first, then low commits. */
    wr(f, GOLDFISH_RTC_TIME_HIGH, (uint32_t)(want >> 32));
    wr(f, GOLDFISH_RTC_TIME_LOW, (uint32_t)want);
    assert_int_equal(read_time(f), want);
    vclock_advance(&f->clock, 1500);
    assert_int_equal(read_time(f), want + 500 * 100);
    /* Setting it back in time works too. */
    wr(f, GOLDFISH_RTC_TIME_HIGH, 0);
    wr(f, GOLDFISH_RTC_TIME_LOW, 5);
    assert_int_equal(read_time(f), 5);
}

static void test_alarm_fires_and_clears(void **state)
{
    struct fixture *f = *state;
    uint64_t at = BASE_NS + 1000050;     /* 10000.5 ticks from now */
    set_alarm(f, at);
    assert_int_equal(rd(f, GOLDFISH_RTC_ALARM_STATUS), 1);
    assert_int_equal(rd(f, GOLDFISH_RTC_IRQ_ENABLED), 1);
    assert_int_equal(rd(f, GOLDFISH_RTC_ALARM_LOW), (uint32_t)at);
    assert_int_equal(rd(f, GOLDFISH_RTC_ALARM_HIGH), (uint32_t)(at >> 32));
    assert_int_equal(vclock_next_deadline(&f->clock), 10001);
    vclock_advance(&f->clock, 10000);
    assert_false(f->irq);
    vclock_advance(&f->clock, 10001);
    assert_true(f->irq);
    assert_int_equal(rd(f, GOLDFISH_RTC_ALARM_STATUS), 0);
    assert_true(read_time(f) >= at);
    /* Stays up until cleared. */
    vclock_advance(&f->clock, 20000);
    assert_true(f->irq);
    wr(f, GOLDFISH_RTC_CLEAR_INTERRUPT, 1);
    assert_false(f->irq);
    assert_int_equal(f->irq_calls, 2);
    assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
}

static void test_alarm_in_past_fires_at_once(void **state)
{
    struct fixture *f = *state;
    vclock_advance(&f->clock, 100);
    set_alarm(f, BASE_NS);
    assert_true(f->irq);
    assert_int_equal(rd(f, GOLDFISH_RTC_ALARM_STATUS), 0);
    wr(f, GOLDFISH_RTC_CLEAR_INTERRUPT, 1);
    assert_false(f->irq);
}

static void test_irq_enable_gates_line(void **state)
{
    struct fixture *f = *state;
    wr(f, GOLDFISH_RTC_ALARM_HIGH, (uint32_t)((BASE_NS + 500) >> 32));
    wr(f, GOLDFISH_RTC_ALARM_LOW, (uint32_t)(BASE_NS + 500));
    assert_int_equal(rd(f, GOLDFISH_RTC_IRQ_ENABLED), 0);
    vclock_advance(&f->clock, 5);
    assert_false(f->irq);                 /* fired, but masked */
    assert_int_equal(rd(f, GOLDFISH_RTC_ALARM_STATUS), 0);
    wr(f, GOLDFISH_RTC_IRQ_ENABLED, 3);   /* bit 0 only */
    assert_int_equal(rd(f, GOLDFISH_RTC_IRQ_ENABLED), 1);
    assert_true(f->irq);
    wr(f, GOLDFISH_RTC_IRQ_ENABLED, 0);
    assert_false(f->irq);
    wr(f, GOLDFISH_RTC_CLEAR_INTERRUPT, 1);
    wr(f, GOLDFISH_RTC_IRQ_ENABLED, 1);
    assert_false(f->irq);
}

static void test_clear_alarm(void **state)
{
    struct fixture *f = *state;
    set_alarm(f, BASE_NS + 100000);
    assert_int_equal(rd(f, GOLDFISH_RTC_ALARM_STATUS), 1);
    wr(f, GOLDFISH_RTC_CLEAR_ALARM, 1);
    assert_int_equal(rd(f, GOLDFISH_RTC_ALARM_STATUS), 0);
    vclock_advance(&f->clock, 100000);
    assert_false(f->irq);
    assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
}

static void test_set_time_moves_alarm(void **state)
{
    struct fixture *f = *state;
    set_alarm(f, BASE_NS + 1000000);     /* 10000 ticks away */
    assert_int_equal(vclock_next_deadline(&f->clock), 10000);
    /* Jump the clock 400 us forward: 6000 ticks remain. */
    uint64_t t = BASE_NS + 400000;
    wr(f, GOLDFISH_RTC_TIME_HIGH, (uint32_t)(t >> 32));
    wr(f, GOLDFISH_RTC_TIME_LOW, (uint32_t)t);
    assert_int_equal(vclock_next_deadline(&f->clock), 6000);
    vclock_advance(&f->clock, 6000);
    assert_true(f->irq);
    wr(f, GOLDFISH_RTC_CLEAR_INTERRUPT, 1);
    /* Jumping past an armed alarm fires it at once. */
    set_alarm(f, read_time(f) + 1000000);
    t = read_time(f) + 2000000;
    wr(f, GOLDFISH_RTC_TIME_HIGH, (uint32_t)(t >> 32));
    wr(f, GOLDFISH_RTC_TIME_LOW, (uint32_t)t);
    assert_true(f->irq);
}

static void test_bad_accesses(void **state)
{
    struct fixture *f = *state;
    for (unsigned size = 1; size <= 8; size *= 2) {
        if (size == 4)
            continue;
        /* other sizes and misaligned words: the bus refuses them (an
         * access fault) and never calls the device */
        assert_false(bus_access_ok(&goldfish_rtc_ops, 0, size));
        assert_false(bus_access_ok(&goldfish_rtc_ops, GOLDFISH_RTC_ALARM_LOW, size));
    }
    assert_false(bus_access_ok(&goldfish_rtc_ops, 2, 4));
    assert_false(bus_access_ok(&goldfish_rtc_ops, GOLDFISH_RTC_ALARM_LOW + 1, 4));
    assert_int_equal(rd(f, GOLDFISH_RTC_ALARM_STATUS), 0);
    assert_int_equal(rd(f, 0x20), 0);
    wr(f, 0x20, 1);
    assert_int_equal(rd(f, GOLDFISH_RTC_SIZE - 4), 0);
    assert_int_equal(goldfish_rtc_ops.read(f->rtc, UINT64_MAX & ~3ull, 4), 0);
    goldfish_rtc_ops.write(f->rtc, UINT64_MAX & ~3ull, 1, 4);
    /* An alarm at the end of time never fires and does not wrap. */
    set_alarm(f, UINT64_MAX);
    vclock_advance(&f->clock, 1000000);
    assert_false(f->irq);
    assert_int_equal(rd(f, GOLDFISH_RTC_ALARM_STATUS), 1);
    assert_false(f->irq);
    assert_null(goldfish_rtc_new(NULL, 0, (struct irq_line){ 0 }));
    goldfish_rtc_free(NULL);
}

static void test_deterministic(void **state)
{
    /* Same base and same virtual time: same readings. */
    struct vclock c1, c2;
    vclock_init(&c1);
    vclock_init(&c2);
    struct goldfish_rtc *a = goldfish_rtc_new(&c1, 42, (struct irq_line){ 0 });
    struct goldfish_rtc *b = goldfish_rtc_new(&c2, 42, (struct irq_line){ 0 });
    vclock_advance(&c1, 777);
    vclock_advance(&c2, 777);
    assert_int_equal(goldfish_rtc_time_ns(a), goldfish_rtc_time_ns(b));
    assert_int_equal(goldfish_rtc_time_ns(a), 42 + 77700);
    goldfish_rtc_free(a);
    goldfish_rtc_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_time_from_base, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_high_is_latched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_adjust, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alarm_fires_and_clears, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alarm_in_past_fires_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_irq_enable_gates_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clear_alarm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_time_moves_alarm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_accesses, setup, teardown),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
