/* tests/unit/test_reverse.c: reverse execution's history (machine/reverse.h)
 * on one hart storing to pseudo-random pages of 1 MiB of RAM (the loop of
 * test_dirty.c), with a round loop of its own as the board's: the memory
 * bound holds (old snapshots go; the interval in progress may add its own
 * pages until the next snapshot), the window is trimmed,
 * and going back instruction by instruction (reverse_step) reaches a
 * position whose RAM and registers are exactly what they were when the
 * run passed there; then the history begins later than the run did. */
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
#include "cpu/riscv/hart_state.h"
#include "cpu/riscv/tcache.h"
#include "machine/reverse.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1u << 20)
#define SLICE 1000

struct mach {
    struct bus bus;
    uint8_t *ram;
    struct rv_tcache *tc;
    struct rv_hart h;
    bool running;
    struct reverse *rev;
};

static uint64_t m_pos(void *ctx)
{
    struct mach *m = ctx;
    return m->h.icount + (m->running ? rv_hart_progress(&m->h) : 0);
}

static uint64_t m_icount(void *ctx, unsigned hart)
{
    struct mach *m = ctx;
    return hart == 0 ? m->h.icount : 0;
}

static int m_save(void *ctx, uint8_t **blob, size_t *len)
{
    struct mach *m = ctx;
    struct state st;
    state_init_save(&st);
    rv_hart_state(&m->h, &st);
    *blob = st.buf;
    *len = st.len;
    return 0;
}

static int m_load(void *ctx, const uint8_t *blob, size_t len)
{
    struct mach *m = ctx;
    struct state st;
    state_init_load(&st, blob, len);
    rv_hart_state(&m->h, &st);
    assert_true(state_ok(&st, true));
    rv_tcache_invalidate(m->tc);
    return 0;
}

static void m_log(void *ctx, bool on)
{
    (void)ctx;
    (void)on;
}

static void m_step(void *ctx, unsigned hart)
{
    struct mach *m = ctx;
    (void)hart;
    rv_hart_step(&m->h);
}

static int m_run(void *ctx, struct reverse_run *rr)
{
    struct mach *m = ctx;
    for (unsigned guard = 0; guard < 100000; guard++) {
        uint64_t p = m_pos(m);
        if (rr->stop_at_cut && !rr->cut.k && p == rr->cut.g0)
            return 0;
        const struct reverse_break *b = reverse_next_break(m->rev);
        if (b && b->step && b->pos == p) {
            uint64_t ic0 = m->h.icount;
            reverse_break_done(m->rev);
            m_step(m, 0);
            rr->slice(rr->ctx, 0, p, ic0, m->h.icount - ic0, true);
            if (rr->halt)
                return 0;
            continue;
        }
        if (p >= rr->until || rr->halt)
            return 0;
        uint64_t exact = UINT64_MAX;
        if (rr->stop_at_cut && rr->cut.g0 == p && rr->cut.hart == 0) {
            exact = rr->cut.k;
            rr->halt = true;
        } else if (b && !b->step && b->cut.g0 == p) {
            exact = b->cut.k;
            reverse_break_done(m->rev);
        }
        m->running = true;
        uint64_t done = exact != UINT64_MAX ? rv_hart_run_exact(&m->h, exact) : rv_hart_run(&m->h, SLICE);
        m->running = false;
        rr->slice(rr->ctx, 0, p, m->h.icount - done, done, false);
        if (rr->halt)
            return 0;
        reverse_round(m->rev);
    }
    return -1;
}

/* loop: a1 = 5 * a1 + 1; sd a1, (a1 & a2) + a0; j loop (test_dirty.c) */
static const uint32_t prog[] = { 0x00259293, 0x005585b3, 0x00158593, 0x00c5f333,
                                 0x00a30333, 0x00b33023, 0xfe9ff06f };

static void history_bounded_and_exact(void **state)
{
    (void)state;
    struct mach *m = calloc(1, sizeof *m);
    bus_init(&m->bus);
    m->ram = calloc(1, RAM_SIZE);
    assert_int_equal(bus_map_ram(&m->bus, RAM_BASE, RAM_SIZE, "ram", m->ram), 0);
    m->tc = rv_tcache_new(&m->bus);
    assert_int_equal(rv_hart_init(&m->h, &m->bus, m->tc, 0), 0);
    memcpy(m->ram, prog, sizeof prog);
    rv_hart_reset(&m->h, RAM_BASE);
    m->h.x[10] = RAM_BASE + 4096;
    m->h.x[11] = 12345;
    m->h.x[12] = 0x7fff8;
    struct reverse_config rc = { .window = 60000, .mem = 8 << 20, .interval = 3000 };
    struct reverse_ops ops = { m, m_pos, m_icount, m_save, m_load, m_run, m_step, m_log };
    m->rev = reverse_new(&rc, &ops, &m->bus);
    assert_non_null(m->rev);

    /* live: 100 slices; RAM and registers kept at one position */
    uint8_t *ram_at = malloc(RAM_SIZE);
    uint64_t x_at[32], pc_at = 0, pos_at = 0;
    unsigned n0;
    uint64_t bytes, oldest, head;
    for (unsigned i = 0; i < 100; i++) {
        if (i == 90) {
            pos_at = m->h.icount;
            memcpy(ram_at, m->ram, RAM_SIZE);
            memcpy(x_at, m->h.x, sizeof x_at);
            pc_at = m->h.pc;
        }
        unsigned before;
        reverse_stats(m->rev, &before, &bytes, &oldest, &head);
        rv_hart_run(&m->h, SLICE);
        reverse_round(m->rev);
        reverse_stats(m->rev, &n0, &bytes, &oldest, &head);
        /* within the bound, plus the pages the interval in progress copied
         * (at most the 129 this loop writes; trimmed at the next snapshot) */
        if (n0 > 2)
            assert_true(bytes <= rc.mem + 129 * (4096 + 8));
    }
    reverse_stopped(m->rev, NULL);
    reverse_stats(m->rev, &n0, &bytes, &oldest, &head);
    assert_true(oldest > 0);                   /* the oldest went (memory or window) */
    assert_true(head - oldest <= rc.window + rc.interval + SLICE);

    /* back one instruction at a time to pos_at: exactly what it was */
    struct reverse_stop st;
    char err[200];
    uint64_t last = m->h.icount;
    while (m->h.icount > pos_at) {
        enum reverse_result rr_ = reverse_step(m->rev, 0, true, &st, err, sizeof err);
        if (rr_ != REVERSE_STOP)
            fail_msg("reverse_step from %llu: %d (%s); oldest %llu head %llu", (unsigned long long)last, rr_, err, (unsigned long long)oldest, (unsigned long long)head);
        assert_int_equal(m->h.icount, last - 1);
        last = m->h.icount;
    }
    assert_true(reverse_behind(m->rev));
    assert_int_equal(m->h.pc, pc_at);
    assert_memory_equal(m->h.x, x_at, sizeof x_at);
    assert_memory_equal(m->ram, ram_at, RAM_SIZE);
    /* forward again, then back to the start of what is kept */
    assert_int_equal(reverse_step(m->rev, 0, false, &st, err, sizeof err), REVERSE_STOP);
    assert_int_equal(m->h.icount, pos_at + 1);
    assert_int_equal(reverse_continue(m->rev, true, &st, err, sizeof err), REVERSE_BEGIN);
    assert_int_equal(m->h.icount, oldest);
    /* and forward to the head: live again */
    assert_int_equal(reverse_continue(m->rev, false, &st, err, sizeof err), REVERSE_LIVE);
    assert_int_equal(m->h.icount, head);
    assert_false(reverse_behind(m->rev));

    reverse_free(m->rev);
    rv_hart_destroy(&m->h);
    rv_tcache_free(m->tc);
    bus_free(&m->bus);
    free(m->ram);
    free(ram_at);
    free(m);
}

static void options(void **state)
{
    (void)state;
    struct reverse_config c;
    char err[200];
    assert_int_equal(reverse_parse(&c, "window=2e9,mem=64M,interval=1e6", err, sizeof err), 0);
    assert_true(c.window == 2000000000ull && c.mem == 64ull << 20 && c.interval == 1000000 && !c.off);
    assert_int_equal(reverse_parse(&c, "off", err, sizeof err), 0);
    assert_true(c.off);
    static const char *const bad[] = { "window=0", "mem=1T", "interval=x", "mem", "what=1", "window=-5" };
    for (unsigned i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = 0;
        assert_int_equal(reverse_parse(&c, bad[i], err, sizeof err), -1);
        assert_true(err[0] && !strchr(err, '\n'));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(history_bounded_and_exact),
        cmocka_unit_test(options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
