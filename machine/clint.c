/* machine/clint.c: CLINT (ACLINT MSWI + MTIMER) of the virt board. */
#include "machine/clint.h"
#include "bus/device.h"
#include "machine/board.h"

#include <libfdt.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct clint_hart {
    struct clint *clint;
    struct vtimer timer;     /* armed at the tick where mtime reaches mtimecmp */
    uint64_t mtimecmp;
    struct irq_line msip_line, mtip_line;
    bool msip, mtip;         /* current levels of the two lines */
};

struct clint {
    struct vclock *clock;
    uint64_t mtime_offset;   /* mtime = vclock_now() + mtime_offset (mod 2^64) */
    unsigned nharts;
    struct clint_hart harts[];
};

/* clock.h has no way to unregister a timer; unlink it from the clock's list
 * by hand so that freeing the device leaves no dangling pointer there. */
static void unlink_timer(struct vclock *c, struct vtimer *t)
{
    for (struct vtimer **p = &c->timers; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            t->next = NULL;
            return;
        }
    }
}

uint64_t clint_mtime(struct clint *c)
{
    return vclock_now(c->clock) + c->mtime_offset;
}

static void set_mtip(struct clint_hart *h, bool level)
{
    if (h->mtip != level) {
        h->mtip = level;
        irq_set(&h->mtip_line, level);
    }
}

/* Sets MTIP from the current time and arms the timer for the moment the
 * comparison will become true. */
static void update_timer(struct clint_hart *h)
{
    struct clint *c = h->clint;
    uint64_t now = vclock_now(c->clock);
    uint64_t mtime = now + c->mtime_offset;
    if (mtime >= h->mtimecmp) {
        vtimer_del(&h->timer);
        set_mtip(h, true);
        return;
    }
    set_mtip(h, false);
    uint64_t delta = h->mtimecmp - mtime;
    if (now + delta < now)
        vtimer_del(&h->timer); /* beyond the end of virtual time */
    else
        vtimer_mod(&h->timer, now + delta);
}

static void timer_fired(void *opaque)
{
    update_timer(opaque);
}

struct clint *clint_new(struct vclock *clock, unsigned nharts,
                        const struct irq_line *msip_lines,
                        const struct irq_line *mtip_lines)
{
    if (!clock || nharts == 0 || nharts > CLINT_MAX_HARTS)
        return NULL;
    struct clint *c = calloc(1, sizeof *c + nharts * sizeof c->harts[0]);
    if (!c)
        return NULL;
    c->clock = clock;
    c->nharts = nharts;
    for (unsigned i = 0; i < nharts; i++) {
        struct clint_hart *h = &c->harts[i];
        h->clint = c;
        h->mtimecmp = UINT64_MAX;
        if (msip_lines)
            h->msip_line = msip_lines[i];
        if (mtip_lines)
            h->mtip_line = mtip_lines[i];
        vclock_add_timer(clock, &h->timer, timer_fired, h);
    }
    return c;
}

void clint_free(struct clint *c)
{
    if (!c)
        return;
    for (unsigned i = 0; i < c->nharts; i++)
        unlink_timer(c->clock, &c->harts[i].timer);
    free(c);
}

/* Replaces the bytes [shift/8, shift/8 + size) of old with value. */
static uint64_t deposit(uint64_t old, unsigned shift, unsigned size, uint64_t value)
{
    uint64_t mask = size == 8 ? UINT64_MAX : ((1ull << (size * 8)) - 1) << shift;
    return (old & ~mask) | ((value << shift) & mask);
}

/* A 64-bit register is accessed whole or as one of its 32-bit halves (the
 * bus lets nothing else through): the bit position of the access. */
static unsigned reg64_shift(uint64_t off, unsigned size)
{
    return size == 8 ? 0 : (unsigned)(off & 4) * 8;
}

static uint64_t clint_read(void *opaque, uint64_t off, unsigned size)
{
    struct clint *c = opaque;
    unsigned shift = reg64_shift(off, size);
    uint64_t mask = size == 8 ? UINT64_MAX : 0xffffffffull;
    if (off < CLINT_MTIMECMP) {
        uint64_t h = off / 4;
        return h < c->nharts ? c->harts[h].msip : 0;
    }
    if (off < CLINT_MTIME) {
        uint64_t h = (off - CLINT_MTIMECMP) / 8;
        return h < c->nharts ? c->harts[h].mtimecmp >> shift & mask : 0;
    }
    if (off < CLINT_MTIME + 8)
        return clint_mtime(c) >> shift & mask;
    return 0;
}

static void clint_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct clint *c = opaque;
    unsigned shift = reg64_shift(off, size);
    if (off < CLINT_MTIMECMP) {
        uint64_t i = off / 4;
        if (i >= c->nharts)
            return;
        struct clint_hart *h = &c->harts[i];
        bool level = value & 1;
        if (h->msip != level) {
            h->msip = level;
            irq_set(&h->msip_line, level);
        }
        return;
    }
    if (off < CLINT_MTIME) {
        uint64_t i = (off - CLINT_MTIMECMP) / 8;
        if (i >= c->nharts)
            return;
        struct clint_hart *h = &c->harts[i];
        h->mtimecmp = deposit(h->mtimecmp, shift, size, value);
        update_timer(h);
        return;
    }
    if (off < CLINT_MTIME + 8) {
        uint64_t now = vclock_now(c->clock);
        uint64_t mtime = deposit(now + c->mtime_offset, shift, size, value);
        c->mtime_offset = mtime - now;
        for (unsigned i = 0; i < c->nharts; i++)
            update_timer(&c->harts[i]);
    }
}

/* msip words are 32-bit; mtimecmp and mtime are 64-bit, taken whole or
 * as 32-bit halves (RV32 software), as on QEMU's ACLINT. */
static const struct bus_access_rule clint_rules[] = {
    { CLINT_MSIP, CLINT_MTIMECMP, BUS_SIZE_4, true },
    { 0 },
};

const struct bus_device_ops clint_ops = {
    .read = clint_read,
    .write = clint_write,
    .sizes = BUS_SIZE_4 | BUS_SIZE_8,
    .aligned = true,
    .rules = clint_rules,
};

/* ---- the device type (bus/device.h, machine/board.h) ---- */

#define FDT_TRY(x) do { if ((x) < 0) return -1; } while (0)

#define IRQ_M_SOFT 3u
#define IRQ_M_TIMER 7u

static int clint_fdt(const struct board_fdt *b)
{
    static const char *const compat[] = { "sifive,clint0", "riscv,clint0" };
    FDT_TRY(board_fdt_begin_at(b, "clint", b->base));
    FDT_TRY(board_fdt_per_hart_irqs(b, IRQ_M_SOFT, IRQ_M_TIMER));
    FDT_TRY(board_fdt_reg(b, b->base, b->size));
    FDT_TRY(board_fdt_strings(b, "compatible", compat, 2));
    return fdt_end_node(b->fdt);
}

static void clint_free_v(void *d) { clint_free(d); }

void clint_state(struct clint *c, struct state *st)
{
    state_section(st, "clint", 1);
    unsigned n = c->nharts;
    state_unsigned(st, "harts", &n);
    if (state_loading(st) && n != c->nharts)
        state_fail(st, "clint: another number of harts");
    state_u64(st, "mtime_offset", &c->mtime_offset);
    bool msip[CLINT_MAX_HARTS];
    for (unsigned i = 0; i < c->nharts && !st->error; i++) {
        msip[i] = c->harts[i].msip;
        state_u64(st, "mtimecmp", &c->harts[i].mtimecmp);
        state_bool(st, "msip", &msip[i]);
    }
    if (!state_loading(st) || st->error)
        return;
    for (unsigned i = 0; i < c->nharts; i++) {
        struct clint_hart *h = &c->harts[i];
        if (h->msip != msip[i]) {
            h->msip = msip[i];
            irq_set(&h->msip_line, msip[i]);
        }
        update_timer(h);
    }
}

/* mtime back to the clock (offset 0), no software interrupts, every
 * mtimecmp at its reset value (all ones: no timer interrupt). */
static void clint_reset_v(void *d)
{
    struct clint *c = d;
    c->mtime_offset = 0;
    for (unsigned i = 0; i < c->nharts; i++) {
        struct clint_hart *h = &c->harts[i];
        if (h->msip) {
            h->msip = false;
            irq_set(&h->msip_line, false);
        }
        h->mtimecmp = UINT64_MAX;
        update_timer(h);
    }
}

static void clint_save_v(void *d, struct state *st) { clint_state(d, st); }
static int clint_load_v(void *d, struct state *st) { clint_state(d, st); return st->error ? -1 : 0; }

DEVICE_TYPE(clint) = {
    .name = "clint",
    .help = "core-local interruptor (ACLINT MSWI + MTIMER)",
    .kind = DEVICE_PLATFORM,
    .ops = &clint_ops,
    .fdt_node = clint_fdt,
    .free = clint_free_v,
    .reset = clint_reset_v,
    .save = clint_save_v,
    .load = clint_load_v,
};
