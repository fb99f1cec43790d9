/* tests/unit/test_rv_ext.c: the ISA extension table (cpu/riscv/ext.h):
 * -cpu properties, the riscv,isa string and riscv,isa-extensions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/riscv/ext.h"

static void test_default_is_rv64gc(void **state)
{
    uint64_t m = rv_ext_default();
    assert_true(RV_EXT_HAS(m, I) && RV_EXT_HAS(m, M) && RV_EXT_HAS(m, A));
    assert_true(RV_EXT_HAS(m, F) && RV_EXT_HAS(m, D) && RV_EXT_HAS(m, C));
    assert_true(RV_EXT_HAS(m, ZICSR) && RV_EXT_HAS(m, ZIFENCEI) && RV_EXT_HAS(m, SSTC));
    char isa[512];
    size_t n = rv_ext_isa_string(m, isa, sizeof isa);
    assert_int_equal(n, strlen(isa));
    assert_memory_equal(isa, "rv64imafdc_", 11);
    assert_non_null(strstr(isa, "_zicsr_zifencei_"));
    /* S extensions come after every Z extension */
    assert_true(strstr(isa, "_sstc") > strstr(isa, "_zifencei"));
    for (unsigned i = 0; i < RV_EXT_COUNT; i++) {
        enum rv_ext_state s = rv_ext_state(i);
        assert_int_equal((int)(m >> i & 1), s == RV_EXT_STATE_BASE || s == RV_EXT_STATE_ON);
    }
}

static void test_isa_string_truncates(void **state)
{
    uint64_t m = rv_ext_default();
    char full[512], small[8];
    size_t n = rv_ext_isa_string(m, full, sizeof full);
    assert_int_equal(rv_ext_isa_string(m, small, sizeof small), n);
    assert_string_equal(small, "rv64ima");
    assert_int_equal(rv_ext_isa_string(m, NULL, 0), n);
}

static void test_list(void **state)
{
    uint64_t m = RV_EXT_BIT(I) | RV_EXT_BIT(C) | RV_EXT_BIT(ZICSR) | RV_EXT_BIT(SSTC);
    char buf[64];
    size_t n = rv_ext_list(m, buf, sizeof buf);
    assert_int_equal(n, 15);
    assert_memory_equal(buf, "i\0c\0zicsr\0sstc", 15);
    assert_int_equal(rv_ext_list(m, buf, 3), n); /* too small: nothing past it */
    char isa[64];
    rv_ext_isa_string(m, isa, sizeof isa);
    assert_string_equal(isa, "rv64ic_zicsr_sstc");
}

static void test_apply_errors(void **state)
{
    char err[160];
    uint64_t m = rv_ext_default(), before = m;
    assert_int_equal(rv_ext_apply(&m, "c=off", err, sizeof err), -1);
    assert_non_null(strstr(err, "always on"));
    assert_int_equal(rv_ext_apply(&m, "frob=on", err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown CPU property 'frob'"));
    assert_int_equal(rv_ext_apply(&m, "zicsr=maybe", err, sizeof err), -1);
    assert_non_null(strstr(err, "expected on or off"));
    assert_int_equal(rv_ext_apply(&m, "=on", err, sizeof err), -1);
    assert_int_equal(rv_ext_apply(&m, "ZICSR=on,Sstc=true,c", err, sizeof err), 0);
    assert_int_equal(m, before);
    assert_int_equal(rv_ext_apply(&m, "", err, sizeof err), 0);
}

/* Every switchable row switches (names in any case); every row not yet
 * implemented is refused and never ends up in the mask. */
static void test_every_row(void **state)
{
    char err[160], upper[32];
    for (unsigned i = 0; i < RV_EXT_COUNT; i++) {
        const char *name = rv_ext_name(i);
        size_t k;
        for (k = 0; name[k] && k + 1 < sizeof upper; k++)
            upper[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 32 : name[k]);
        upper[k] = 0;
        char on[48], off[48];
        snprintf(on, sizeof on, "%s=on", upper);
        snprintf(off, sizeof off, "%s=false", name);
        uint64_t m = rv_ext_default();
        switch (rv_ext_state(i)) {
        case RV_EXT_STATE_TODO:
            assert_int_equal(rv_ext_apply(&m, on, err, sizeof err), -1);
            assert_non_null(strstr(err, "not implemented"));
            assert_false(m >> i & 1);
            break;
        case RV_EXT_STATE_BASE:
            assert_int_equal(rv_ext_apply(&m, off, err, sizeof err), -1);
            break;
        default:
            assert_int_equal(rv_ext_apply(&m, off, err, sizeof err), 0);
            assert_false(m >> i & 1);
            assert_int_equal(rv_ext_apply(&m, on, err, sizeof err), 0);
            assert_true(m >> i & 1);
        }
    }
    assert_null(rv_ext_name(RV_EXT_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_is_rv64gc),
        cmocka_unit_test(test_isa_string_truncates),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_apply_errors),
        cmocka_unit_test(test_every_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
