/* tests/fuzz/fuzz_gdb.c: gdb's remote protocol from a hostile client. The
 * input is the byte stream a client sends: it goes through the framing
 * (frontends/gdb_rsp.c) byte by byte, and every complete packet to the
 * stub (frontends/gdbstub.c) on two harts over 64 KiB of RAM at
 * 0x80000000 holding a small loop. A continue runs each hart for at most
 * 500 instructions (so breakpoints, watchpoints and steps act on the
 * cpu); a kill or detach ends the input. The two harts have a history
 * (machine/reverse.h, snapshots every 300 instructions in 64 KiB): bs, bc
 * and forward motion behind the head re-execute it through a round loop
 * of this harness's own (rounds of 500-instruction slices).
 *
 * Checked besides ASan/UBSan: every reply is a well-formed packet (`$`,
 * payload, `#`, two hex digits matching the checksum). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "bus/state.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/hart_state.h"
#include "cpu/riscv/tcache.h"
#include "machine/reverse.h"
#include "frontends/gdb_rsp.h"
#include "frontends/gdbstub.h"
#include "fuzz_input.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x10000u

const unsigned fuzz_replay_inputs = 3000; /* each input sets up two harts */

/* loop: addi a0,a0,1; sd a0,0(a1); ld a2,8(a1); j loop */
static const uint32_t prog[] = { 0x00150513, 0x00a5b023, 0x0085b603, 0xff5ff06f };

static void check_reply(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    if (len == 1 && (data[0] == '+' || data[0] == '-'))
        return;
    if (len < 4 || data[0] != '$' || data[len - 3] != '#')
        abort();
    uint8_t sum = 0;
    for (size_t i = 1; i < len - 3; i++)
        sum += (uint8_t)data[i];
    if (rsp_hex_val(data[len - 2]) * 16 + rsp_hex_val(data[len - 1]) != sum)
        abort();
}

/* ---- a machine for reverse execution: two harts, rounds of slices */

struct mach {
    struct bus *bus;
    struct rv_tcache *tc;
    struct rv_hart *h;
    struct rv_hart *running;
    uint64_t g0;
    struct reverse *rev;
};

static uint64_t m_pos(void *ctx)
{
    struct mach *m = ctx;
    uint64_t p = m->h[0].icount + m->h[1].icount;
    return m->running ? p + rv_hart_progress(m->running) : p;
}

static uint64_t m_icount(void *ctx, unsigned hart)
{
    struct mach *m = ctx;
    return hart < 2 ? m->h[hart].icount : 0;
}

static int m_save(void *ctx, uint8_t **blob, size_t *len)
{
    struct mach *m = ctx;
    struct state st;
    state_init_save(&st);
    for (unsigned i = 0; i < 2; i++)
        rv_hart_state(&m->h[i], &st);
    *blob = st.buf;
    *len = st.len;
    return 0;
}

static int m_load(void *ctx, const uint8_t *blob, size_t len)
{
    struct mach *m = ctx;
    struct state st;
    state_init_load(&st, blob, len);
    for (unsigned i = 0; i < 2; i++)
        rv_hart_state(&m->h[i], &st);
    if (!state_ok(&st, true))
        abort();
    rv_tcache_invalidate(m->tc); /* RAM changed under the decoded code */
    return 0;
}

static void m_point(void *ctx, struct rv_hart *h, enum rv_dbg_type type, uint64_t addr)
{
    struct mach *m = ctx;
    uint64_t pos = m_pos(m) + (type >= RV_DBG_WATCH_W);
    reverse_hit(m->rev, (unsigned)(h - m->h), type, addr, pos, m->running ? m->g0 : pos);
}

static void m_log(void *ctx, bool on)
{
    struct mach *m = ctx;
    rv_dbg_set_log(m->tc, on ? m_point : NULL, m);
}

static void m_step(void *ctx, unsigned hart)
{
    struct mach *m = ctx;
    rv_hart_step(&m->h[hart]);
}

/* One round; returns the hart a point stopped (cut in *cut) or -1. */
static int m_round(struct mach *m, struct reverse_run *rr, struct reverse_cut *cut)
{
    for (unsigned i = 0; i < 2; i++) {
        struct rv_hart *h = &m->h[i];
        if (rv_hart_idle(h))
            continue;
        uint64_t g0 = m_pos(m), ic0 = h->icount, exact = UINT64_MAX;
        if (rr) {
            const struct reverse_break *b = reverse_next_break(m->rev);
            if (rr->stop_at_cut && !rr->cut.k && g0 == rr->cut.g0) {
                rr->halt = true;
                return -1;
            }
            if (rr->stop_at_cut && rr->cut.g0 == g0 && rr->cut.hart == i) {
                exact = rr->cut.k;
                rr->halt = true;
            } else if (b && !b->step && b->cut.g0 == g0 && b->cut.hart == i) {
                exact = b->cut.k;
                reverse_break_done(m->rev);
            }
        }
        m->running = h;
        m->g0 = g0;
        uint64_t done = exact != UINT64_MAX ? rv_hart_run_exact(h, exact) : rv_hart_run(h, 500);
        m->running = NULL;
        if (rr)
            rr->slice(rr->ctx, i, g0, ic0, done, false);
        if (h->dbg_stop.hit) {
            *cut = (struct reverse_cut){ g0, i, h->icount - ic0 };
            return (int)i;
        }
        if (exact != UINT64_MAX || (rr && rr->halt))
            return -1;
    }
    return -1;
}

static int m_run(void *ctx, struct reverse_run *rr)
{
    struct mach *m = ctx;
    for (unsigned guard = 0; guard < 200; guard++) { /* the window is 5000 instructions: ~10 rounds */
        uint64_t p = m_pos(m);
        if (rr->stop_at_cut && !rr->cut.k && p == rr->cut.g0)
            return 0;
        const struct reverse_break *b = reverse_next_break(m->rev);
        if (b && b->step && b->pos == p) {
            unsigned k = b->hart;
            uint64_t ic0 = m->h[k].icount;
            reverse_break_done(m->rev);
            m_step(m, k);
            rr->slice(rr->ctx, k, p, ic0, m->h[k].icount - ic0, true);
            if (rr->halt)
                return 0;
            continue;
        }
        if (p >= rr->until || rr->halt)
            return 0;
        struct reverse_cut cut;
        m_round(m, rr, &cut);
        if (rr->halt)
            return 0;
        reverse_round(m->rev);
    }
    return -1; /* all harts idle: nothing moves */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rsp_rx rx;
    static struct gdbstub s;
    struct bus bus;
    bus_init(&bus);
    uint8_t *ram = calloc(1, RAM_SIZE);
    bus_map_ram(&bus, RAM_BASE, RAM_SIZE, "ram", ram);
    memcpy(ram, prog, sizeof prog);
    struct rv_tcache *tc = rv_tcache_new(&bus);
    struct rv_hart *h = calloc(2, sizeof *h);
    for (unsigned i = 0; i < 2; i++) {
        rv_hart_init(&h[i], &bus, tc, i);
        rv_hart_reset(&h[i], RAM_BASE);
        h[i].x[11] = RAM_BASE + 0x800;
    }
    gdbstub_init(&s);
    s.send = check_reply;
    gdbstub_attach(&s, h, 2, tc, &bus);
    struct mach m = { &bus, tc, h, NULL, 0, NULL };
    struct reverse_config rc = { .window = 5000, .mem = 64 << 10, .interval = 300 };
    struct reverse_ops ops = { &m, m_pos, m_icount, m_save, m_load, m_run, m_step, m_log };
    m.rev = reverse_new(&rc, &ops, &bus);
    s.rev = m.rev;
    rsp_rx_init(&rx);
    bool done = false;
    for (size_t i = 0; i < size && !done; i++) {
        enum rsp_event ev = rsp_feed(&rx, data[i]);
        if (ev != RSP_PACKET)
            continue;
        switch (gdbstub_packet(&s, rx.buf, rx.len)) {
        case GDB_CONTINUE: {
            struct reverse_cut cut;
            int k = m_round(&m, NULL, &cut);
            reverse_round(m.rev);
            if (k >= 0) {
                reverse_stopped(m.rev, &cut);
                gdbstub_report_stop(&s, (unsigned)k, GDB_STOP_TRAP);
            }
            break;
        }
        case GDB_KILL:
        case GDB_DETACH:
            done = true;
            break;
        case GDB_STAY:
            break;
        }
    }
    gdbstub_free(&s);
    reverse_free(m.rev);
    for (unsigned i = 0; i < 2; i++)
        rv_hart_destroy(&h[i]);
    free(h);
    rv_tcache_free(tc);
    bus_free(&bus);
    free(ram);
    return 0;
}
