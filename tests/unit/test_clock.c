/* tests/unit/test_clock.c: virtual time from the instruction count at the
 * three kinds of rate, and the realtime controller driven by a simulated
 * host (no host clock is read: the "wall" is computed here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "machine/clock.h"

#define MS 1000000ull
#define SEC 1000000000ull

static uint64_t progress_value;
static uint64_t progress(void *ctx)
{
    (void)ctx;
    return progress_value;
}

/* Batch mode: 10 instructions a tick, each round rounded up to a tick. */
static void test_batch_rate(void **state)
{
    (void)state;
    struct vclock c;
    vclock_init(&c);
    c.progress = progress;
    progress_value = 25;
    assert_int_equal(vclock_now(&c), 2);
    assert_int_equal(vclock_now_ns(&c), 250);
    progress_value = 0;
    vclock_run(&c, 25);
    assert_int_equal(c.ticks, 3);
    assert_int_equal(c.frac_fs, 0);
    vclock_run(&c, 100000);
    assert_int_equal(c.ticks, 10003);
    assert_int_equal(c.icount, 100025);
    /* a deadline 7 ticks away is 70 instructions away */
    assert_int_equal(vclock_insns_until(&c, 10010, 100000), 70);
    assert_int_equal(vclock_insns_until(&c, 10003 + 10000, 100000), 100000);
    assert_int_equal(vclock_insns_until(&c, 10003 + 10001, 100000), 100000);
    assert_int_equal(vclock_insns_until(&c, 5, 100000), 100000);
}

/* shift=N: exactly 2^N ns per instruction, remainders carried. */
static void test_shift_rate(void **state)
{
    (void)state;
    struct vclock c;
    vclock_init(&c);
    vclock_set_rate(&c, 8 * VCLOCK_FS_PER_NS, false); /* shift=3 */
    vclock_run(&c, 13);                                 /* 104 ns */
    assert_int_equal(c.ticks, 1);
    assert_int_equal(vclock_now_ns(&c), 104);
    vclock_run(&c, 12);                                 /* 200 ns */
    assert_int_equal(c.ticks, 2);
    assert_int_equal(c.frac_fs, 0);
    for (int i = 0; i < 1000; i++)
        vclock_run(&c, 7);                              /* 56 ns each: carried */
    assert_int_equal(vclock_now_ns(&c), 200 + 56000);
    /* shift=0: a tick is 100 instructions; with 56 ns already done, 44 more */
    struct vclock d;
    vclock_init(&d);
    vclock_set_rate(&d, 1 * VCLOCK_FS_PER_NS, false);
    vclock_run(&d, 56);
    assert_int_equal(vclock_insns_until(&d, 1, 100000), 44);
    vclock_run(&d, 44);
    assert_int_equal(d.ticks, 1);
    /* shift=10 */
    vclock_set_rate(&d, 1024 * VCLOCK_FS_PER_NS, false);
    vclock_run(&d, 1000);
    assert_int_equal(vclock_now_ns(&d), 100 + 1024000);
    /* rates outside the limits are clamped */
    vclock_set_rate(&d, 0, false);
    assert_int_equal(d.fs_per_insn, VCLOCK_MIN_FS_PER_INSN);
    vclock_set_rate(&d, UINT64_MAX, false);
    assert_int_equal(d.fs_per_insn, VCLOCK_MAX_FS_PER_INSN);
}

/* Big instruction counts at the highest rate do not overflow. */
static void test_no_overflow(void **state)
{
    (void)state;
    struct vclock c;
    vclock_init(&c);
    vclock_set_rate(&c, VCLOCK_MAX_FS_PER_INSN, false);
    vclock_run(&c, 1ull << 36);                         /* 2^36 * 1024 ns */
    assert_int_equal(c.ticks, (1ull << 36) * 1024 / 100);
    assert_int_equal(c.frac_fs, (1ull << 36) * 1024 % 100 * VCLOCK_FS_PER_NS);
    /* 2.5 ms from a whole tick: 2442 instructions of 1.024 us */
    vclock_advance(&c, c.ticks + 1);
    assert_int_equal(vclock_insns_until(&c, c.ticks + 25000, UINT64_MAX / 2), 2442);
}

static unsigned fired;
static void count_fire(void *opaque)
{
    (void)opaque;
    fired++;
}

/* A timer's deadline ends a slice exactly: running vclock_insns_until's
 * count reaches it, at any rate, and fires it. */
static void test_deadline_exact(void **state)
{
    (void)state;
    uint64_t rates[] = { VCLOCK_BATCH_FS_PER_INSN, 2222222, 1 * VCLOCK_FS_PER_NS, 333 };
    for (unsigned r = 0; r < 4; r++) {
        struct vclock c;
        struct vtimer t;
        vclock_init(&c);
        vclock_set_rate(&c, rates[r], r == 0);
        vclock_add_timer(&c, &t, count_fire, NULL);
        fired = 0;
        vclock_run(&c, 12345);
        uint64_t dl = c.ticks + 137;
        vtimer_mod(&t, dl);
        uint64_t n = vclock_insns_until(&c, dl, UINT64_MAX / 4);
        if (r > 0) { /* batch mode rounds up, so one less reaches it too */
            vclock_run(&c, n - 1);
            assert_true(c.ticks < dl);
            assert_int_equal(fired, 0);
            vclock_run(&c, 1);
        } else {
            assert_int_equal(n, 1370);
            vclock_run(&c, n);
        }
        assert_int_equal(c.ticks, dl);
        assert_int_equal(fired, 1);
    }
}

/* Rate changes keep time continuous; jumps never go back. */
static void test_rate_change_continuous(void **state)
{
    (void)state;
    struct vclock c;
    vclock_init(&c);
    vclock_set_rate(&c, 3 * VCLOCK_FS_PER_NS, false);
    vclock_run(&c, 1001);
    uint64_t before = vclock_now_ns(&c);
    vclock_set_rate(&c, 7 * VCLOCK_FS_PER_NS, false);
    assert_int_equal(vclock_now_ns(&c), before);
    vclock_run(&c, 10);
    assert_int_equal(vclock_now_ns(&c), before + 70);
    vclock_advance(&c, 2);
    assert_int_equal(vclock_now_ns(&c), before + 70);
    vclock_advance(&c, 1000);
    assert_int_equal(vclock_now_ns(&c), 100000);
}

/* ---- the controller against a simulated host ---- */

struct sim {
    struct vclock clock;
    struct vclock_ctl ctl;
    uint64_t wall;
    uint64_t adjustments, jumps;
    uint64_t last_adjust_wall;
    uint64_t min_gap;
};

static void sim_init(struct sim *s)
{
    vclock_init(&s->clock);
    s->wall = 5 * SEC; /* the host's monotonic clock does not start at 0 */
    vclock_ctl_init(&s->ctl, s->wall, 0, 0);
    vclock_set_rate(&s->clock, VCLOCK_CTL_INITIAL_FS_PER_INSN, false);
    s->adjustments = s->jumps = 0;
    s->last_adjust_wall = s->wall;
    s->min_gap = UINT64_MAX;
}

/* What the run loop does after a round. */
static void sim_after_round(struct sim *s)
{
    struct vclock_adjust a;
    if (vclock_ctl_update(&s->ctl, s->wall, vclock_now_ns(&s->clock), s->clock.icount, &a)) {
        if (s->wall - s->last_adjust_wall < s->min_gap)
            s->min_gap = s->wall - s->last_adjust_wall;
        s->last_adjust_wall = s->wall;
        s->adjustments++;
        if (a.jump_ns) {
            s->jumps++;
            vclock_advance(&s->clock, a.jump_ns / VCLOCK_NS_PER_TICK);
        }
        vclock_set_rate(&s->clock, a.fs_per_insn, false);
    }
}

/* Run busy for `ns` of host time at `ps_per_insn` picoseconds per
 * instruction; returns the largest |guest - wall| seen after `settle`. */
static uint64_t sim_busy(struct sim *s, uint64_t ns, uint64_t ps_per_insn, uint64_t settle)
{
    uint64_t end = s->wall + ns, worst = 0, start = s->wall;
    while (s->wall < end) {
        uint64_t n = 100000;
        s->wall += n * ps_per_insn / 1000;
        vclock_run(&s->clock, n);
        sim_after_round(s);
        int64_t err = (int64_t)(vclock_now_ns(&s->clock) - vclock_ctl_target(&s->ctl, s->wall));
        uint64_t a = (uint64_t)(err < 0 ? -err : err);
        if (s->wall - start >= settle && a > worst)
            worst = a;
    }
    return worst;
}

/* Guest idle until guest time `deadline_ns`: the run loop waits on the
 * host until the wall's guest time reaches it, then jumps there. */
static void sim_idle(struct sim *s, uint64_t deadline_ns)
{
    vclock_ctl_idle(&s->ctl, s->wall, vclock_now_ns(&s->clock));
    uint64_t target = vclock_ctl_target(&s->ctl, s->wall);
    if (target < deadline_ns) {
        vclock_ctl_waited(&s->ctl, deadline_ns - target);
        s->wall += deadline_ns - target;
    }
    vclock_advance(&s->clock, deadline_ns / VCLOCK_NS_PER_TICK);
}

static int64_t sim_error(const struct sim *s)
{
    return (int64_t)(vclock_now_ns(&s->clock) - vclock_ctl_target(&s->ctl, s->wall));
}

/* A CPU-bound guest on hosts of different speeds: guest time follows the
 * wall within 1% after the first second, and the rate settles on the
 * host's speed. */
static void test_ctl_tracks_busy(void **state)
{
    (void)state;
    uint64_t speeds[] = { 2200, 10000, 700, 45000 }; /* ps per instruction */
    for (unsigned i = 0; i < 4; i++) {
        struct sim s;
        sim_init(&s);
        uint64_t worst = sim_busy(&s, 60 * SEC, speeds[i], 2 * SEC);
        print_message("host %.1f ns/insn: worst error after 2 s %.2f ms, rate %.3f ns/insn\n",
                      speeds[i] / 1000.0, worst / 1e6, s.clock.fs_per_insn / 1e6);
        assert_true(worst < 60 * SEC / 100 / 60 * 20); /* 20 ms: well within 1% of a minute */
        assert_true(llabs(sim_error(&s)) < (long long)(60 * SEC / 100));
        uint64_t want = speeds[i] * 1000;
        assert_true(s.clock.fs_per_insn > want * 98 / 100 && s.clock.fs_per_insn < want * 102 / 100);
        assert_int_equal(s.jumps, 0);
    }
}

/* At most one adjustment per 100 ms of host time. */
static void test_ctl_rate_limit(void **state)
{
    (void)state;
    struct sim s;
    sim_init(&s);
    sim_busy(&s, 10 * SEC, 2200, 0);
    assert_true(s.min_gap >= VCLOCK_CTL_PERIOD_NS);
    assert_true(s.adjustments <= 100);
    assert_true(s.adjustments >= 90);
}

/* The host's speed changes 4x (a workload with many TLB misses after a
 * tight loop): the error stays far below the 200 ms point 1 allows for
 * `sleep 1`, and is worked off. */
static void test_ctl_speed_change(void **state)
{
    (void)state;
    struct sim s;
    sim_init(&s);
    sim_busy(&s, 5 * SEC, 2000, 0);
    uint64_t worst = sim_busy(&s, 5 * SEC, 8000, 0);
    print_message("2 -> 8 ns/insn: worst error %.2f ms\n", worst / 1e6);
    assert_true(worst < 100 * MS);
    assert_true(llabs(sim_error(&s)) < (long long)(1 * MS));
    /* the other way the guest gets ahead by one period's surplus: 3x ~ 200 ms */
    worst = sim_busy(&s, 5 * SEC, 2700, 0);
    print_message("8 -> 2.7 ns/insn: worst error %.2f ms\n", worst / 1e6);
    assert_true(worst < 220 * MS);
    assert_true(llabs(sim_error(&s)) < (long long)(1 * MS));
    /* ... which an idle wait does not make the guest pay for beyond 50 ms */
    sim_busy(&s, 5 * SEC, 8000, 0);
    sim_busy(&s, 150 * MS, 1000, 0);
    uint64_t w0 = s.wall;
    sim_idle(&s, vclock_now_ns(&s.clock) + 1 * SEC);
    print_message("sleep 1 right after a speed-up took %.3f s\n", (s.wall - w0) / 1e9);
    assert_true(s.wall - w0 <= 1 * SEC + VCLOCK_CTL_MAX_AHEAD_NS);
}

/* Busy bursts then idle sleeps: each `sleep 1` takes 1 s of host time
 * (+-0.2 s), whatever ran before, and the host never waits while the
 * guest runs. */
static void test_ctl_busy_then_sleep(void **state)
{
    (void)state;
    struct sim s;
    sim_init(&s);
    uint64_t bursts[] = { 50 * MS, 3 * SEC, 400 * MS, 10 * SEC, 1 * MS };
    for (unsigned i = 0; i < 5; i++) {
        sim_busy(&s, bursts[i], 2200 + 1000 * i, 0);
        uint64_t w0 = s.wall;
        sim_idle(&s, vclock_now_ns(&s.clock) + 1 * SEC);
        uint64_t took = s.wall - w0;
        print_message("after %.2f s busy: sleep 1 took %.3f s\n", bursts[i] / 1e9, took / 1e9);
        assert_true(took > 800 * MS && took < 1200 * MS);
    }
}

/* Mixed busy and idle: the speed is measured on running time only. */
static void test_ctl_mixed(void **state)
{
    (void)state;
    struct sim s;
    sim_init(&s);
    for (int i = 0; i < 600; i++) {
        sim_busy(&s, 50 * MS, 3000, 0);
        sim_idle(&s, vclock_now_ns(&s.clock) + 50 * MS);
    }
    assert_true(s.clock.fs_per_insn > 2900000 && s.clock.fs_per_insn < 3100000);
    /* over a minute of it, guest uptime and wall time agree within 1% */
    uint64_t guest = vclock_now_ns(&s.clock), wall = s.wall - 5 * SEC;
    print_message("guest %.3f s, wall %.3f s\n", guest / 1e9, wall / 1e9);
    assert_true(llabs((long long)guest - (long long)wall) < (long long)(wall / 100));
}

/* The host stalls for 5 s (suspended): the lag is jumped over once, and
 * the stalled period is not taken for the host's speed. */
static void test_ctl_stall(void **state)
{
    (void)state;
    struct sim s;
    sim_init(&s);
    sim_busy(&s, 2 * SEC, 2000, 0);
    s.wall += 5 * SEC;
    vclock_run(&s.clock, 100000);
    sim_after_round(&s);
    assert_int_equal(s.jumps, 1);
    assert_true(llabs(sim_error(&s)) < (long long)MS);
    assert_true(s.clock.fs_per_insn < 2100000);
    uint64_t worst = sim_busy(&s, 2 * SEC, 2000, 0);
    assert_true(worst < 5 * MS);
}

/* A paused machine's time stands still, and resuming neither jumps nor
 * races to catch up. */
static void test_ctl_pause(void **state)
{
    (void)state;
    struct sim s;
    sim_init(&s);
    sim_busy(&s, 2 * SEC, 2000, 0);
    uint64_t g = vclock_now_ns(&s.clock);
    int64_t e0 = sim_error(&s);
    vclock_ctl_pause(&s.ctl, s.wall);
    s.wall += 30 * SEC;
    struct vclock_adjust a;
    assert_false(vclock_ctl_update(&s.ctl, s.wall, g, s.clock.icount, &a));
    vclock_ctl_resume(&s.ctl, s.wall, s.clock.icount);
    assert_int_equal(vclock_now_ns(&s.clock), g);
    assert_int_equal(sim_error(&s), e0);
    uint64_t worst = sim_busy(&s, 2 * SEC, 2000, 0);
    assert_true(worst < 5 * MS);
    assert_int_equal(s.jumps, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_rate),
        cmocka_unit_test(test_shift_rate),
        cmocka_unit_test(test_no_overflow),
        cmocka_unit_test(test_deadline_exact),
        cmocka_unit_test(test_rate_change_continuous),
        cmocka_unit_test(test_ctl_tracks_busy),
        cmocka_unit_test(test_ctl_rate_limit),
        cmocka_unit_test(test_ctl_speed_change),
        cmocka_unit_test(test_ctl_busy_then_sleep),
        cmocka_unit_test(test_ctl_mixed),
        cmocka_unit_test(test_ctl_stall),
        cmocka_unit_test(test_ctl_pause),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
