/* tests/unit/test_suggest.c: the nearest name for "did you mean" (bus/suggest.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bus/suggest.h"

static const char *const opts[] = { "machine", "m", "smp", "device", "drive", "nographic", "serial", "chardev" };
#define N (sizeof opts / sizeof opts[0])

static void test_swaps_and_typos(void **state)
{
    assert_string_equal(suggest_nearest("devcie", opts, N), "device");   /* swap */
    assert_string_equal(suggest_nearest("nographc", opts, N), "nographic"); /* deletion */
    assert_string_equal(suggest_nearest("seriall", opts, N), "serial");  /* insertion */
    assert_string_equal(suggest_nearest("SMP", opts, N), "smp");         /* case */
    assert_string_equal(suggest_nearest("chardav", opts, N), "chardev"); /* substitution */
}

static void test_too_far(void **state)
{
    assert_null(suggest_nearest("zzzzzzzz", opts, N));
    assert_null(suggest_nearest("xy", opts, N)); /* "m" is 2 away: short names allow 1 */
    assert_null(suggest_nearest("", opts, 0));
    char longname[200];
    for (int i = 0; i < 199; i++)
        longname[i] = 'a';
    longname[199] = 0;
    assert_null(suggest_nearest(longname, opts, N));
}

static void test_ties_go_first(void **state)
{
    static const char *const names[] = { "drive", "drivf" };
    assert_string_equal(suggest_nearest("drivx", names, 2), "drive");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swaps_and_typos),
        cmocka_unit_test(test_too_far),
        cmocka_unit_test(test_ties_go_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
