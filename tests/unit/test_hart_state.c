/* tests/unit/test_hart_state.c: one hart's save/load (cpu/riscv/hart_state.c):
 * a hart that ran code (registers, FPRs, CSRs, S-mode with paging off,
 * an LR reservation, a trigger, pending interrupts) loads into a fresh hart
 * on another RAM buffer, saves again byte for byte, and runs on exactly as
 * the original does; every truncation and a wrong hart id, privilege or
 * reservation fail cleanly and leave a reset hart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bus/bus.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/hart_state.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x10000u

struct one {
    struct bus bus;
    uint8_t *ram;
    struct rv_tcache *tc;
    struct rv_hart h;
};

static void make(struct one *o, uint64_t id)
{
    memset(o, 0, sizeof *o);
    bus_init(&o->bus);
    o->ram = calloc(1, RAM_SIZE);
    assert_int_equal(bus_map_ram(&o->bus, RAM_BASE, RAM_SIZE, "ram", o->ram), 0);
    o->tc = rv_tcache_new(&o->bus);
    assert_int_equal(rv_hart_init(&o->h, &o->bus, o->tc, id), 0);
}

static void unmake(struct one *o)
{
    rv_hart_destroy(&o->h);
    rv_tcache_free(o->tc);
    bus_free(&o->bus);
    free(o->ram);
}

static void put32(uint8_t *ram, uint64_t pa, uint32_t v) { memcpy(ram + (pa - RAM_BASE), &v, 4); }

/* A loop that keeps changing registers, FPRs and memory:
 *   0: lr.d a1, (a0)          4: addi a2, a2, 3     8: fcvt.d.l f1, a2
 *  12: fadd.d f2, f2, f1     16: sd a2, 8(a0)      20: mul a3, a2, a2
 *  24: j 4 */
static void program(struct one *o)
{
    static const uint32_t code[] = { 0x100535af, 0x00360613, 0xd22670d3, 0x02117153,
                                     0x00c53423, 0x02c606b3, 0xfedff06f };
    for (unsigned i = 0; i < 7; i++)
        put32(o->ram, RAM_BASE + 4 * i, code[i]);
}

static struct state save(struct rv_hart *h)
{
    struct state st;
    state_init_save(&st);
    rv_hart_state(h, &st);
    assert_true(state_ok(&st, false));
    return st;
}

static void test_roundtrip(void **state)
{
    (void)state;
    struct one a, b;
    make(&a, 1);
    make(&b, 1);
    program(&a);
    struct rv_hart *h = &a.h;
    rv_hart_reset(h, RAM_BASE);
    h->x[10] = RAM_BASE + 0x1000;   /* a0 */
    h->mstatus |= MSTATUS_FS;       /* FPU on */
    h->frm = 2;
    uint64_t v = 0x1234;
    assert_int_equal(rv_csr_debug(h, 0x340, true, &v), 0);   /* mscratch */
    v = 0x80;
    assert_int_equal(rv_csr_debug(h, 0x304, true, &v), 0);   /* mie.MTIE */
    v = 0x7a;
    assert_int_equal(rv_csr_debug(h, 0x180, true, &v), 0);   /* satp (bare: ignored or kept) */
    v = 1;
    assert_int_equal(rv_csr_debug(h, 0x7a0, true, &v), 0);   /* tselect 1 */
    v = RAM_BASE + 0x9000;
    assert_int_equal(rv_csr_debug(h, 0x7a2, true, &v), 0);   /* tdata2 */
    rv_hart_set_irq(h, RV_IRQ_MEI, true);                    /* a level from a device */
    v = 2;
    assert_int_equal(rv_csr_debug(h, 0x323, true, &v), 0);   /* mhpmevent3: instructions */
    v = (uint64_t)-3000;
    assert_int_equal(rv_csr_debug(h, 0xb03, true, &v), 0);   /* mhpmcounter3: wraps after the load */
    rv_hart_run(h, 1001);   /* stops after an lr.d with the reservation held */
    memcpy(b.ram, a.ram, RAM_SIZE);

    struct state s1 = save(h);
    struct state in;
    state_init_load(&in, s1.buf, s1.len);
    rv_hart_state(&b.h, &in);
    assert_true(state_ok(&in, true));
    struct state s2 = save(&b.h);
    assert_int_equal(s1.len, s2.len);
    assert_memory_equal(s1.buf, s2.buf, s1.len);
    assert_true(b.h.lr_valid);
    assert_int_equal(b.h.lr_addr, (uintptr_t)b.ram + 0x1000);   /* translated to the new RAM */

    /* both run on identically, the counter wrapping at the same point */
    uint64_t c1, c2;
    assert_int_equal(rv_csr_debug(&b.h, 0xb03, false, &c2), 0);
    assert_int_equal(rv_csr_debug(h, 0xb03, false, &c1), 0);
    assert_int_equal(c1, c2);
    assert_true(c1 > (uint64_t)-3000);
    rv_hart_run(h, 5000);
    rv_hart_run(&b.h, 5000);
    assert_memory_equal(a.ram, b.ram, RAM_SIZE);
    assert_true(h->hpm[0].event >> 63);                       /* OF */
    assert_true(b.h.hpm[0].event >> 63);
    assert_true(b.h.mip_sw & RV_MIP_LCOFIP);
    struct state s3 = save(h), s4 = save(&b.h);
    assert_int_equal(s3.len, s4.len);
    assert_memory_equal(s3.buf, s4.buf, s3.len);

    /* every truncation fails and leaves a reset hart */
    for (size_t n = 0; n < s1.len; n++) {
        struct one c;
        make(&c, 1);
        state_init_load(&in, s1.buf, n);
        rv_hart_state(&c.h, &in);
        assert_false(state_ok(&in, true));
        assert_int_equal(c.h.priv, RV_PRIV_M);
        assert_false(c.h.lr_valid);
        unmake(&c);
    }
    /* another hart id */
    struct one c;
    make(&c, 2);
    state_init_load(&in, s1.buf, s1.len);
    rv_hart_state(&c.h, &in);
    assert_false(state_ok(&in, true));
    unmake(&c);

    state_free(&s1);
    state_free(&s2);
    state_free(&s3);
    state_free(&s4);
    unmake(&a);
    unmake(&b);
}

/* Values no hart can hold are refused. */
static void test_bad_values(void **state)
{
    (void)state;
    struct one a;
    make(&a, 0);
    rv_hart_reset(&a.h, RAM_BASE);
    struct state s = save(&a.h);
    /* find the payload after a field's tag: type, namelen, name */
    struct { const char *name; uint8_t value; } bad[] = { { "priv", 2 }, { "frm", 9 }, { "tselect", 7 } };
    for (unsigned k = 0; k < 3; k++) {
        size_t nl = strlen(bad[k].name);
        uint8_t *p = NULL;
        for (size_t i = 0; i + nl + 2 < s.len; i++)
            if (s.buf[i + 1] == nl && !memcmp(s.buf + i + 2, bad[k].name, nl)) {
                p = s.buf + i + 2 + nl;
                break;
            }
        assert_non_null(p);
        uint8_t old = *p;
        *p = bad[k].value;
        struct one c;
        make(&c, 0);
        struct state in;
        state_init_load(&in, s.buf, s.len);
        rv_hart_state(&c.h, &in);
        assert_false(state_ok(&in, true));
        unmake(&c);
        *p = old;
    }
    state_free(&s);
    unmake(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
