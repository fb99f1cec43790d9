/* tests/unit/test_util.c: option lists, error helpers, the guest-message
 * rate limiter (bus/util.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bus/util.h"

static void test_optlist_split(void **state)
{
    struct optlist o;
    assert_int_equal(optlist_parse("virt,dumpdtb=a,,b,help,k=v=w", &o), 0);
    assert_int_equal(o.n, 4);
    assert_string_equal(o.v[0].key, "virt");
    assert_null(o.v[0].value);
    assert_string_equal(optlist_get(&o, "dumpdtb"), "a,b");
    assert_true(optlist_has(&o, "help"));
    assert_null(optlist_get(&o, "help"));
    assert_string_equal(optlist_get(&o, "k"), "v=w");
    assert_false(optlist_has(&o, "nope"));
    optlist_free(&o);
    assert_int_equal(o.n, 0);
}

static void test_optlist_edges(void **state)
{
    struct optlist o;
    assert_int_equal(optlist_parse("", &o), 0);
    assert_int_equal(o.n, 1);
    assert_string_equal(o.v[0].key, "");
    optlist_free(&o);
    /* ",,," is a comma then a separator; the last value wins */
    assert_int_equal(optlist_parse("a=1,a=x,,,b", &o), 0);
    assert_int_equal(o.n, 3);
    assert_string_equal(optlist_get(&o, "a"), "x,");
    assert_true(optlist_has(&o, "b"));
    optlist_free(&o);
    assert_int_equal(optlist_parse("f=,,,,", &o), 0);
    assert_int_equal(o.n, 1);
    assert_string_equal(optlist_get(&o, "f"), ",,");
    optlist_free(&o);
    assert_int_equal(optlist_bool("on"), 1);
    assert_int_equal(optlist_bool("no"), 0);
    assert_int_equal(optlist_bool("maybe"), -1);
    assert_int_equal(optlist_bool(NULL), -1);
}

static void test_errf(void **state)
{
    char e[16];
    assert_int_equal(errf(e, sizeof e, "bad %d", 7), -1);
    assert_string_equal(e, "bad 7");
    assert_int_equal(errf(NULL, 0, "ignored"), -1);
    assert_int_equal(errf_at(e, sizeof e, "file", "why %s", "not"), -1);
    assert_string_equal(e, "file: why not");
    errf(e, sizeof e, "a long message that is cut");
    assert_int_equal(strlen(e), sizeof e - 1);
}

static void test_ratelimit_window(void **state)
{
    struct ratelimit r = { 0 };
    uint64_t t = 1000;
    for (unsigned i = 0; i < RATELIMIT_BURST; i++)
        assert_int_equal(ratelimit_check(&r, t + i), 0);
    for (unsigned i = 0; i < 3500; i++)
        assert_int_equal(ratelimit_check(&r, t + 100 + i), -1);
    /* still in the window */
    assert_int_equal(ratelimit_check(&r, t + RATELIMIT_WINDOW_NS - 1), -1);
    /* the next window reports what was dropped, once */
    assert_int_equal(ratelimit_check(&r, t + RATELIMIT_WINDOW_NS), 3501);
    assert_int_equal(ratelimit_check(&r, t + RATELIMIT_WINDOW_NS + 1), 0);
}

/* What log_guest prints to stderr for `n` quick messages. */
static char *capture(unsigned n, bool flush)
{
    static char out[4096];
    fflush(stderr);
    int saved = dup(2);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    dup2(fileno(tmp), 2);
    struct ratelimit r = { 0 };
    for (unsigned i = 0; i < n; i++)
        log_guest(&r, "guest did %u", i);
    if (flush)
        ratelimit_flush(&r);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t len = fread(out, 1, sizeof out - 1, tmp);
    out[len] = 0;
    fclose(tmp);
    return out;
}

static void test_log_guest_lines(void **state)
{
    const char *out = capture(3500, true);
    unsigned lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, RATELIMIT_BURST + 1);
    assert_non_null(strstr(out, "rivet: guest did 0\n"));
    assert_non_null(strstr(out, "rivet: guest did 9\n"));
    assert_null(strstr(out, "guest did 10\n"));
    assert_non_null(strstr(out, "rivet: 3490 similar messages suppressed\n"));
    out = capture(2, true);
    assert_string_equal(out, "rivet: guest did 0\nrivet: guest did 1\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optlist_split),
        cmocka_unit_test(test_optlist_edges),
        cmocka_unit_test(test_errf),
        cmocka_unit_test(test_ratelimit_window),
        cmocka_unit_test(test_log_guest_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
