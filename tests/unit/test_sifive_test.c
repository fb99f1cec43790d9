/* tests/unit/test_sifive_test.c: finisher codes reach the callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "machine/sifive_test.h"

struct record {
    unsigned calls;
    enum finisher_action action;
    int code;
};

static void finisher_sink(void *ctx, enum finisher_action a, int code)
{
    struct record *r = ctx;
    r->calls++;
    r->action = a;
    r->code = code;
}

static void test_codes(void **state)
{
    struct record r = { 0 };
    struct sifive_test *t = sifive_test_new(finisher_sink, &r);
    assert_non_null(t);

    sifive_test_ops.write(t, 0, 0x5555, 4);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.action, FINISHER_PASS);
    assert_int_equal(r.code, 0);

    sifive_test_ops.write(t, 0, 0x7777, 4);
    assert_int_equal(r.calls, 2);
    assert_int_equal(r.action, FINISHER_RESET);

    sifive_test_ops.write(t, 0, (42u << 16) | 0x3333, 4);
    assert_int_equal(r.calls, 3);
    assert_int_equal(r.action, FINISHER_FAIL);
    assert_int_equal(r.code, 42);

    sifive_test_ops.write(t, 0, 0xffff3333u, 4);
    assert_int_equal(r.action, FINISHER_FAIL);
    assert_int_equal(r.code, 0xffff);

    sifive_test_ops.write(t, 0, 0x3333, 4);
    assert_int_equal(r.action, FINISHER_FAIL);
    assert_int_equal(r.code, 0);

    /* 16-bit writes work as on QEMU. */
    sifive_test_ops.write(t, 0, 0x5555, 2);
    assert_int_equal(r.calls, 6);
    assert_int_equal(r.action, FINISHER_PASS);
    sifive_test_ops.write(t, 0, 0x123455553333ull, 2);  /* only 16 bits */
    assert_int_equal(r.calls, 7);
    assert_int_equal(r.action, FINISHER_FAIL);
    assert_int_equal(r.code, 0);

    sifive_test_ops.write(t, 0, 0x12345555, 4);  /* low half decides */
    assert_int_equal(r.action, FINISHER_PASS);
    assert_int_equal(r.code, 0);
    assert_int_equal(r.calls, 8);
    sifive_test_free(t);
}

static void test_ignored(void **state)
{
    struct record r = { 0 };
    struct sifive_test *t = sifive_test_new(finisher_sink, &r);
    assert_non_null(t);
    sifive_test_ops.write(t, 0, 0x1234, 4);       /* unknown value */
    sifive_test_ops.write(t, 0, 0, 4);
    assert_false(bus_access_ok(&sifive_test_ops, 0, 1));   /* wrong sizes: refused by the bus */
    assert_false(bus_access_ok(&sifive_test_ops, 0, 8));
    assert_false(bus_access_ok(&sifive_test_ops, 2, 4));
    sifive_test_ops.write(t, 4, 0x5555, 4);       /* wrong offset */
    sifive_test_ops.write(t, 0xffc, 0x5555, 4);
    sifive_test_ops.write(t, UINT64_MAX, 0x5555, 4);
    assert_int_equal(r.calls, 0);
    for (unsigned size = 2; size <= 4; size *= 2)
        assert_int_equal(sifive_test_ops.read(t, 0, size), 0);
    assert_int_equal(sifive_test_ops.read(t, 0x800, 4), 0);
    sifive_test_free(t);

    /* No callback: writes are harmless. */
    t = sifive_test_new(NULL, NULL);
    assert_non_null(t);
    sifive_test_ops.write(t, 0, 0x5555, 4);
    sifive_test_free(t);
    sifive_test_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
