/* machine/goldfish_rtc.c: goldfish RTC on virtual time. */
#include "machine/goldfish_rtc.h"
#include "bus/device.h"
#include "machine/board.h"

#include <libfdt.h>

#include <stdbool.h>
#include <stdlib.h>

struct goldfish_rtc {
    struct vclock *clock;
    struct vtimer alarm_timer;
    struct irq_line irq;
    bool irq_level;
    uint64_t base_ns;
    uint64_t offset_ns;     /* set by guest writes of TIME (mod 2^64) */
    uint64_t adjust_ns;     /* set by the board to follow a host clock (mod 2^64) */
    uint32_t time_high;     /* latched by TIME_LOW reads and TIME_HIGH writes */
    uint64_t alarm_ns;
    bool alarm_armed;
    bool irq_pending;       /* the alarm fired and was not cleared */
    bool irq_enabled;
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

static uint64_t time_at(const struct goldfish_rtc *r, uint64_t ticks)
{
    return r->base_ns + ticks * GOLDFISH_RTC_NS_PER_TICK + r->offset_ns + r->adjust_ns;
}

uint64_t goldfish_rtc_time_ns(struct goldfish_rtc *r)
{
    return time_at(r, vclock_now(r->clock));
}

static void update_irq(struct goldfish_rtc *r)
{
    bool level = r->irq_pending && r->irq_enabled;
    if (level != r->irq_level) {
        r->irq_level = level;
        irq_set(&r->irq, level);
    }
}

/* Fires the alarm if its time has come, otherwise (re)arms the timer for
 * the first tick at which it has. */
static void check_alarm(struct goldfish_rtc *r)
{
    if (!r->alarm_armed)
        return;
    uint64_t now = vclock_now(r->clock);
    uint64_t t = time_at(r, now);
    if (t >= r->alarm_ns) {
        vtimer_del(&r->alarm_timer);
        r->alarm_armed = false;
        r->irq_pending = true;
        update_irq(r);
        return;
    }
    uint64_t delta = r->alarm_ns - t;
    uint64_t ticks = delta / GOLDFISH_RTC_NS_PER_TICK + (delta % GOLDFISH_RTC_NS_PER_TICK != 0);
    if (now + ticks < now)
        vtimer_del(&r->alarm_timer); /* beyond the end of virtual time */
    else
        vtimer_mod(&r->alarm_timer, now + ticks);
}

static void alarm_fired(void *opaque)
{
    check_alarm(opaque);
}

struct goldfish_rtc *goldfish_rtc_new(struct vclock *clock, uint64_t base_ns,
                                      struct irq_line irq)
{
    if (!clock)
        return NULL;
    struct goldfish_rtc *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->clock = clock;
    r->base_ns = base_ns;
    r->irq = irq;
    vclock_add_timer(clock, &r->alarm_timer, alarm_fired, r);
    return r;
}

void goldfish_rtc_free(struct goldfish_rtc *r)
{
    if (!r)
        return;
    unlink_timer(r->clock, &r->alarm_timer);
    free(r);
}

void goldfish_rtc_set_adjust(struct goldfish_rtc *r, int64_t adjust_ns)
{
    r->adjust_ns = (uint64_t)adjust_ns;
    check_alarm(r);
}

static uint64_t rtc_read(void *opaque, uint64_t off, unsigned size)
{
    struct goldfish_rtc *r = opaque;
    switch (off) {
    case GOLDFISH_RTC_TIME_LOW: {
        uint64_t t = goldfish_rtc_time_ns(r);
        r->time_high = (uint32_t)(t >> 32);
        return (uint32_t)t;
    }
    case GOLDFISH_RTC_TIME_HIGH:
        return r->time_high;
    case GOLDFISH_RTC_ALARM_LOW:
        return (uint32_t)r->alarm_ns;
    case GOLDFISH_RTC_ALARM_HIGH:
        return (uint32_t)(r->alarm_ns >> 32);
    case GOLDFISH_RTC_IRQ_ENABLED:
        return r->irq_enabled;
    case GOLDFISH_RTC_ALARM_STATUS:
        return r->alarm_armed;
    default:
        return 0;
    }
}

static void rtc_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct goldfish_rtc *r = opaque;
    uint32_t v = (uint32_t)value;
    switch (off) {
    case GOLDFISH_RTC_TIME_LOW: {
        uint64_t want = (uint64_t)r->time_high << 32 | v;
        r->offset_ns += want - goldfish_rtc_time_ns(r);
        check_alarm(r);
        break;
    }
    case GOLDFISH_RTC_TIME_HIGH:
        r->time_high = v;
        break;
    case GOLDFISH_RTC_ALARM_LOW:
        r->alarm_ns = (r->alarm_ns & 0xffffffff00000000ull) | v;
        r->alarm_armed = true;
        check_alarm(r);
        break;
    case GOLDFISH_RTC_ALARM_HIGH:
        r->alarm_ns = (r->alarm_ns & 0xffffffffull) | (uint64_t)v << 32;
        break;
    case GOLDFISH_RTC_IRQ_ENABLED:
        r->irq_enabled = v & 1;
        update_irq(r);
        break;
    case GOLDFISH_RTC_CLEAR_ALARM:
        vtimer_del(&r->alarm_timer);
        r->alarm_armed = false;
        break;
    case GOLDFISH_RTC_CLEAR_INTERRUPT:
        r->irq_pending = false;
        update_irq(r);
        break;
    default:
        break;
    }
}

const struct bus_device_ops goldfish_rtc_ops = {
    .read = rtc_read,
    .write = rtc_write,
    .sizes = BUS_SIZE_4,
    .aligned = true,
};

/* ---- the device type (bus/device.h, machine/board.h) ---- */

#define FDT_TRY(x) do { if ((x) < 0) return -1; } while (0)

static int goldfish_rtc_fdt(const struct board_fdt *b)
{
    FDT_TRY(board_fdt_begin_at(b, "rtc", b->base));
    FDT_TRY(board_fdt_irq(b, b->irq));
    FDT_TRY(board_fdt_reg(b, b->base, b->size));
    FDT_TRY(fdt_property_string(b->fdt, "compatible", "google,goldfish-rtc"));
    return fdt_end_node(b->fdt);
}

static void rtc_free(void *d) { goldfish_rtc_free(d); }

void goldfish_rtc_state(struct goldfish_rtc *r, struct state *st)
{
    state_section(st, "goldfish_rtc", 1);
    state_u64(st, "base_ns", &r->base_ns);
    state_u64(st, "offset_ns", &r->offset_ns);
    state_u64(st, "adjust_ns", &r->adjust_ns);
    state_u32(st, "time_high", &r->time_high);
    state_u64(st, "alarm_ns", &r->alarm_ns);
    state_bool(st, "alarm_armed", &r->alarm_armed);
    state_bool(st, "irq_pending", &r->irq_pending);
    state_bool(st, "irq_enabled", &r->irq_enabled);
    if (!state_loading(st) || st->error)
        return;
    vtimer_del(&r->alarm_timer);
    update_irq(r);
    check_alarm(r);
}

/* The alarm and the interrupt off; the time runs on (a real RTC keeps it
 * across a reset). */
static void rtc_reset_v(void *d)
{
    struct goldfish_rtc *r = d;
    vtimer_del(&r->alarm_timer);
    r->time_high = 0;
    r->alarm_ns = 0;
    r->alarm_armed = r->irq_pending = r->irq_enabled = false;
    update_irq(r);
}

static void rtc_save_v(void *d, struct state *st) { goldfish_rtc_state(d, st); }
static int rtc_load_v(void *d, struct state *st) { goldfish_rtc_state(d, st); return st->error ? -1 : 0; }

DEVICE_TYPE(goldfish_rtc) = {
    .name = "goldfish-rtc",
    .help = "Android goldfish real-time clock",
    .kind = DEVICE_PLATFORM,
    .ops = &goldfish_rtc_ops,
    .fdt_node = goldfish_rtc_fdt,
    .free = rtc_free,
    .reset = rtc_reset_v,
    .save = rtc_save_v,
    .load = rtc_load_v,
};
