/* tests/unit/test_platform_state.c: save/load of the platform devices
 * (PLIC, CLINT, 16550 UART, goldfish RTC, finisher) through their
 * descriptors' hooks: save in a busy state, load into a fresh instance
 * with the same wiring, save again byte for byte, and check that the
 * loaded one carries on (claims, FIFO bytes, timers, alarms). Every
 * truncation of each stream must fail cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bus/device.h"
#include "fixture.h"
#include "machine/clint.h"
#include "machine/clock.h"
#include "machine/goldfish_rtc.h"
#include "machine/plic.h"
#include "machine/sifive_test.h"
#include "machine/uart16550.h"

#define NHARTS 2

struct wires {
    bool level[64];
};
static void sink(void *opaque, unsigned n, bool level) { ((struct wires *)opaque)->level[n] = level; }

static uint64_t rd(const struct device_desc *t, void *d, uint64_t off, unsigned size)
{
    return t->ops->read(d, off, size);
}
static void wr(const struct device_desc *t, void *d, uint64_t off, uint64_t v, unsigned size)
{
    t->ops->write(d, off, v, size);
}

static void save_fn(void *obj, struct state *st);
static void load_fn(void *obj, struct state *st);
static const struct device_desc *cur;   /* the type under test */
static void save_fn(void *obj, struct state *st) { cur->save(obj, st); }
static void load_fn(void *obj, struct state *st) { cur->load(obj, st); }

/* Round trip and truncations for one device; returns the fresh instance. */
static void roundtrip(const struct device_desc *t, void *busy, void *fresh, void *(*make)(void *), void *ctx)
{
    cur = t;
    struct state saved = fx_save(save_fn, busy);
    fx_roundtrip(save_fn, load_fn, &saved, fresh);
    for (size_t n = 0; n < saved.len; n += 1 + saved.len / 64) {
        void *o = make(ctx);
        struct state in;
        state_init_load(&in, saved.buf, n);
        load_fn(o, &in);
        assert_false(state_ok(&in, true));
        t->free(o);
    }
    state_free(&saved);
}

/* ---- PLIC ---- */

static struct wires plic_w;
static void *make_plic(void *ctx)
{
    struct irq_line meip[NHARTS], seip[NHARTS];
    for (unsigned i = 0; i < NHARTS; i++) {
        meip[i] = (struct irq_line){ sink, &plic_w, 2 * i };
        seip[i] = (struct irq_line){ sink, &plic_w, 2 * i + 1 };
    }
    return plic_new(NHARTS, meip, seip);
}

static void test_plic(void **state)
{
    const struct device_desc *t = &device_type_plic;
    struct plic *p = make_plic(NULL);
    wr(t, p, 4 * 10, 5, 4);                 /* priority of 10 and 7 */
    wr(t, p, 4 * 7, 3, 4);
    wr(t, p, 0x2000 + 0x80 * 1, (1u << 10) | (1u << 7), 4);   /* context 1 (S, hart 0) */
    plic_set_irq(p, 10, true);
    plic_set_irq(p, 7, true);
    assert_int_equal(rd(t, p, 0x200004 + 0x1000, 4), 10);   /* 10 in service, 7 pending */
    memset(&plic_w, 0, sizeof plic_w);
    struct plic *q = make_plic(NULL);
    roundtrip(t, p, q, make_plic, NULL);
    assert_true(plic_w.level[1]);            /* load raised SEIP for the pending 7 */
    /* the loaded PLIC goes on: 7 is claimed next, 10 completes */
    assert_int_equal(rd(t, q, 0x200004 + 0x1000, 4), 7);
    wr(t, q, 0x200004 + 0x1000, 10, 4);
    plic_set_irq(q, 10, false);
    assert_int_equal(rd(t, q, 0x200004 + 0x1000, 4), 0);
    t->free(p);
    t->free(q);
}

/* Sets every byte of the bytes field NAME (the first one) in a saved
 * stream to v: a stream from a file may hold anything. */
static void fill_field(struct state *st, const char *name, uint8_t v)
{
    size_t n = strlen(name);
    for (size_t i = 2; i + n + 4 <= st->len; i++)
        if (st->buf[i - 1] == n && !memcmp(st->buf + i, name, n)) {
            uint8_t *len = st->buf + i + n;
            uint32_t l = len[0] | len[1] << 8 | len[2] << 16 | (uint32_t)len[3] << 24;
            assert_true(i + n + 4 + l <= st->len);
            memset(len + 4, v, l);
            return;
        }
    fail_msg("no field %s", name);
}

/* Found by fuzz_state: bits of sources past PLIC_NDEV (96) in a loaded
 * stream were kept, and a claim then read priorities past the array. A
 * load keeps only what guest writes can reach. */
static void test_plic_load_bits_beyond_sources(void **state)
{
    const struct device_desc *t = &device_type_plic;
    struct plic *p = make_plic(NULL);
    struct state saved = fx_save((fx_state_fn *)plic_state, p);
    fill_field(&saved, "pending", 0xff);
    fill_field(&saved, "enable", 0xff);
    struct plic *q = make_plic(NULL);
    struct state in;
    state_init_load(&in, saved.buf, saved.len);
    plic_state(q, &in);
    assert_true(state_ok(&in, true));
    assert_int_equal(rd(t, q, 0x1000, 4), 0xfffffffe);      /* no source 0 */
    assert_int_equal(rd(t, q, 0x1000 + 12, 4), 1);          /* only source 96 */
    assert_int_equal(rd(t, q, 0x2000 + 12, 4), 1);
    assert_int_equal(rd(t, q, 0x200004, 4), 0);             /* all priorities 0 */
    state_free(&saved);
    t->free(p);
    t->free(q);
}

/* ---- CLINT ---- */

static struct vclock clint_clock;
static struct wires clint_w;
static void *make_clint(void *ctx)
{
    struct irq_line msip[NHARTS], mtip[NHARTS];
    for (unsigned i = 0; i < NHARTS; i++) {
        msip[i] = (struct irq_line){ sink, &clint_w, i };
        mtip[i] = (struct irq_line){ sink, &clint_w, 8 + i };
    }
    return clint_new(&clint_clock, NHARTS, msip, mtip);
}

static void test_clint(void **state)
{
    const struct device_desc *t = &device_type_clint;
    vclock_init(&clint_clock);
    struct clint *c = make_clint(NULL);
    wr(t, c, 4, 1, 4);                             /* msip of hart 1 */
    wr(t, c, CLINT_MTIMECMP, 1000, 8);             /* hart 0 at mtime 1000 */
    wr(t, c, 0xbff8, 500, 8);                      /* mtime = 500 */
    struct clint *d = make_clint(NULL);
    roundtrip(t, c, d, make_clint, NULL);
    t->free(c);
    memset(&clint_w, 0, sizeof clint_w);
    /* reload into a clean clock's CLINT: the lines come back, the timer is re-armed */
    vclock_init(&clint_clock);
    struct clint *e = make_clint(NULL);
    cur = t;
    struct state s = fx_save((fx_state_fn *)save_fn, d);
    t->free(d);
    struct state in;
    state_init_load(&in, s.buf, s.len);
    t->load(e, &in);
    assert_true(state_ok(&in, true));
    assert_true(clint_w.level[1]);
    assert_false(clint_w.level[8]);
    assert_int_equal(clint_mtime(e), 500);
    vclock_advance(&clint_clock, 499);
    assert_false(clint_w.level[8]);
    vclock_advance(&clint_clock, 500);             /* (absolute) mtime 1000 = mtimecmp: fires */
    assert_true(clint_w.level[8]);
    state_free(&s);
    t->free(e);
}

/* ---- UART ---- */

static struct wires uart_w;
static void tx(void *ctx, uint8_t b) {}
static void *make_uart(void *ctx) { return uart16550_new((struct irq_line){ sink, &uart_w, 10 }, tx, NULL); }

static void test_uart(void **state)
{
    const struct device_desc *t = &device_type_uart16550;
    struct uart16550 *u = make_uart(NULL);
    wr(t, u, UART16550_FCR, 0x01, 1);              /* FIFOs on */
    wr(t, u, UART16550_IER, 0x01, 1);              /* RX data interrupt */
    wr(t, u, UART16550_SCR, 0x5a, 1);
    assert_int_equal(uart16550_receive(u, (const uint8_t *)"hey", 3), 3);
    assert_int_equal(rd(t, u, UART16550_RBR, 1), 'h');   /* head moves */
    memset(&uart_w, 0, sizeof uart_w);
    struct uart16550 *v = make_uart(NULL);
    roundtrip(t, u, v, make_uart, NULL);
    assert_true(uart_w.level[10]);                 /* data waiting: the line is up */
    assert_int_equal(rd(t, v, UART16550_SCR, 1), 0x5a);
    assert_int_equal(rd(t, v, UART16550_RBR, 1), 'e');
    assert_int_equal(rd(t, v, UART16550_RBR, 1), 'y');
    assert_int_equal(rd(t, v, UART16550_LSR, 1) & 1, 0);
    t->free(u);
    t->free(v);
}

/* ---- goldfish RTC ---- */

static struct vclock rtc_clock;
static struct wires rtc_w;
static void *make_rtc(void *ctx) { return goldfish_rtc_new(&rtc_clock, 0, (struct irq_line){ sink, &rtc_w, 11 }); }

static void test_rtc(void **state)
{
    const struct device_desc *t = &device_type_goldfish_rtc;
    vclock_init(&rtc_clock);
    struct goldfish_rtc *r = make_rtc(NULL);
    wr(t, r, GOLDFISH_RTC_IRQ_ENABLED, 1, 4);
    wr(t, r, GOLDFISH_RTC_ALARM_HIGH, 0, 4);
    wr(t, r, GOLDFISH_RTC_ALARM_LOW, 100000, 4);  /* 100 us: 1000 ticks */
    assert_int_equal(rd(t, r, GOLDFISH_RTC_ALARM_STATUS, 4), 1);
    struct goldfish_rtc *s = make_rtc(NULL);
    roundtrip(t, r, s, make_rtc, NULL);
    t->free(r);
    memset(&rtc_w, 0, sizeof rtc_w);
    assert_int_equal(rd(t, s, GOLDFISH_RTC_ALARM_STATUS, 4), 1);
    vclock_advance(&rtc_clock, 999);
    assert_false(rtc_w.level[11]);
    vclock_advance(&rtc_clock, 1000);              /* (absolute) the alarm's tick */
    assert_true(rtc_w.level[11]);
    assert_int_equal(rd(t, s, GOLDFISH_RTC_ALARM_STATUS, 4), 0);
    t->free(s);
}

/* ---- finisher ---- */

static void finish(void *ctx, enum finisher_action a, int code) {}
static void *make_test(void *ctx) { return sifive_test_new(finish, NULL); }

static void test_finisher(void **state)
{
    const struct device_desc *t = &device_type_sifive_test;
    void *a = make_test(NULL), *b = make_test(NULL);
    roundtrip(t, a, b, make_test, NULL);
    t->free(a);
    t->free(b);
}

/* reset: a busy device saves what a fresh one does; its lines drop. */
static void same_as_fresh(const struct device_desc *t, void *busy, void *fresh)
{
    cur = t;
    t->reset(busy);
    struct state a = fx_save(save_fn, busy), b = fx_save(save_fn, fresh);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.buf, b.buf, a.len);
    state_free(&a);
    state_free(&b);
    t->free(busy);
    t->free(fresh);
}

static void test_reset(void **state)
{
    const struct device_desc *t = &device_type_plic;
    memset(&plic_w, 0, sizeof plic_w);
    struct plic *p = make_plic(NULL);
    wr(t, p, 4 * 5, 7, 4);
    wr(t, p, 0x2000, 1u << 5, 4);                  /* context 0 enables source 5 */
    plic_set_irq(p, 5, true);
    assert_true(plic_w.level[0]);
    assert_int_equal(rd(t, p, 0x200004, 4), 5);    /* claimed */
    plic_set_irq(p, 5, false);
    struct plic *q = make_plic(NULL);
    same_as_fresh(t, p, q);
    assert_false(plic_w.level[0]);

    t = &device_type_clint;
    vclock_init(&clint_clock);
    memset(&clint_w, 0, sizeof clint_w);
    struct clint *c = make_clint(NULL), *d = make_clint(NULL);
    wr(t, c, 0, 1, 4);
    wr(t, c, CLINT_MTIMECMP, 0, 8);
    wr(t, c, 0xbff8, 12345, 8);
    assert_true(clint_w.level[0] && clint_w.level[8]);
    same_as_fresh(t, c, d);
    assert_false(clint_w.level[0] || clint_w.level[8]);

    t = &device_type_uart16550;
    memset(&uart_w, 0, sizeof uart_w);
    struct uart16550 *u = make_uart(NULL), *v = make_uart(NULL);
    wr(t, u, UART16550_IER, 0x01, 1);
    wr(t, u, UART16550_SCR, 0x5a, 1);
    uart16550_receive(u, (const uint8_t *)"x", 1);
    assert_true(uart_w.level[10]);
    same_as_fresh(t, u, v);
    assert_false(uart_w.level[10]);

    t = &device_type_goldfish_rtc;
    vclock_init(&rtc_clock);
    memset(&rtc_w, 0, sizeof rtc_w);
    struct goldfish_rtc *r = make_rtc(NULL), *s = make_rtc(NULL);
    wr(t, r, GOLDFISH_RTC_IRQ_ENABLED, 1, 4);
    wr(t, r, GOLDFISH_RTC_ALARM_HIGH, 0, 4);
    wr(t, r, GOLDFISH_RTC_ALARM_LOW, 0, 4);        /* in the past: fires */
    assert_true(rtc_w.level[11]);
    wr(t, r, GOLDFISH_RTC_ALARM_LOW, 100000, 4);   /* and armed again */
    same_as_fresh(t, r, s);
    assert_false(rtc_w.level[11]);
    vclock_advance(&rtc_clock, 100000);            /* the old alarm is gone */
    assert_false(rtc_w.level[11]);

    same_as_fresh(&device_type_sifive_test, make_test(NULL), make_test(NULL));
}

/* The bus contract of every platform type: a name, declared access sizes
 * and every hook. */
static void test_contract(void **state)
{
    unsigned n = 0;
    for (const struct device_desc *const *d = device_types; *d; d++) {
        const struct device_desc *t = *d;
        assert_non_null(t->name);
        if (t->kind != DEVICE_PLATFORM)
            continue;
        n++;
        assert_non_null(t->ops);
        assert_true(t->ops->sizes != 0);
        assert_non_null(t->ops->read);
        assert_non_null(t->ops->write);
        assert_non_null(t->free);
        assert_non_null(t->reset);
        assert_non_null(t->save);
        assert_non_null(t->load);
    }
    assert_int_equal(n, 9);   /* and aplic-m/-s, imsic-m/-s (aia=) */
}

/* A stream of one device never loads into another. */
static void test_wrong_device(void **state)
{
    struct uart16550 *u = make_uart(NULL);
    cur = &device_type_uart16550;
    struct state s = fx_save((fx_state_fn *)save_fn, u);
    void *test = make_test(NULL);
    struct state in;
    state_init_load(&in, s.buf, s.len);
    assert_int_equal(device_type_sifive_test.load(test, &in), -1);
    state_free(&s);
    device_type_sifive_test.free(test);
    device_type_uart16550.free(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plic),  cmocka_unit_test(test_plic_load_bits_beyond_sources),  cmocka_unit_test(test_clint),    cmocka_unit_test(test_uart),
        cmocka_unit_test(test_rtc),   cmocka_unit_test(test_finisher), cmocka_unit_test(test_wrong_device),
        cmocka_unit_test(test_reset), cmocka_unit_test(test_contract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
