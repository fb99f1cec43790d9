/* tests/unit/test_state.c: the state serializer (bus/state.h): round trips,
 * versions, and clean failure on truncated or corrupted input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bus/state.h"

struct thing {
    uint8_t a;
    uint16_t b;
    uint32_t c;
    uint64_t d;
    bool e;
    int f;
    unsigned g;
    uint8_t raw[5];
    uint8_t blob[16];
    size_t blob_len;
};

static void thing_state(struct thing *t, struct state *st)
{
    state_section(st, "thing", 1);
    state_u8(st, "a", &t->a);
    state_u16(st, "b", &t->b);
    state_u32(st, "c", &t->c);
    state_u64(st, "d", &t->d);
    state_bool(st, "e", &t->e);
    state_int(st, "f", &t->f);
    state_unsigned(st, "g", &t->g);
    state_bytes(st, "raw", t->raw, sizeof t->raw);
    state_blob(st, "blob", t->blob, &t->blob_len, sizeof t->blob);
}

static const struct thing sample = {
    0xa5, 0xbeef, 0xdeadbeef, 0x0123456789abcdefull, true, -42, 77, { 1, 2, 3, 4, 5 },
    { 9, 8, 7 }, 3,
};

static struct state save_sample(void)
{
    struct state st;
    state_init_save(&st);
    state_header(&st);
    struct thing t = sample;
    thing_state(&t, &st);
    assert_true(state_ok(&st, false));
    return st;
}

static void test_roundtrip(void **state)
{
    struct state st = save_sample();
    struct thing t;
    memset(&t, 0xcc, sizeof t);
    struct state in;
    state_init_load(&in, st.buf, st.len);
    state_header(&in);
    thing_state(&t, &in);
    assert_true(state_ok(&in, true));
    assert_int_equal(t.a, sample.a);
    assert_int_equal(t.b, sample.b);
    assert_int_equal(t.c, sample.c);
    assert_true(t.d == sample.d);
    assert_true(t.e);
    assert_int_equal(t.f, -42);
    assert_int_equal(t.g, 77);
    assert_memory_equal(t.raw, sample.raw, 5);
    assert_int_equal(t.blob_len, 3);
    assert_memory_equal(t.blob, sample.blob, 3);
    /* the encoding is fixed: little-endian, tagged */
    assert_memory_equal(st.buf + 2 + 5, "RVSTATE", 8);
    state_free(&st);
}

static void test_truncated_fails(void **state)
{
    struct state st = save_sample();
    for (size_t n = 0; n < st.len; n++) {
        struct thing t;
        memset(&t, 0xcc, sizeof t);
        struct state in;
        state_init_load(&in, st.buf, n);
        state_header(&in);
        thing_state(&t, &in);
        assert_false(state_ok(&in, true));
        assert_true(in.why[0] != 0);
        assert_true(t.blob_len <= sizeof t.blob);
    }
    state_free(&st);
}

static void test_corruption_never_overflows(void **state)
{
    struct state st = save_sample();
    for (size_t i = 0; i < st.len; i++)
        for (unsigned bit = 0; bit < 8; bit++) {
            uint8_t buf[256];
            memcpy(buf, st.buf, st.len);
            buf[i] ^= (uint8_t)(1u << bit);
            struct thing t;
            struct state in;
            state_init_load(&in, buf, st.len);
            state_header(&in);
            thing_state(&t, &in);
            if (state_ok(&in, true))
                continue;  /* a flipped value bit is a valid stream */
            assert_true(t.blob_len <= sizeof t.blob);
        }
    state_free(&st);
}

static void test_bad_values(void **state)
{
    struct state st = save_sample();
    /* a bool byte of 2 is refused */
    struct state in;
    uint8_t buf[256];
    memcpy(buf, st.buf, st.len);
    size_t at = 0;
    for (size_t i = 0; i + 2 < st.len; i++)
        if (buf[i] == 5 && buf[i + 1] == 1 && buf[i + 2] == 'e')
            at = i + 3;
    assert_true(at > 0);
    buf[at] = 2;
    struct thing t;
    state_init_load(&in, buf, st.len);
    state_header(&in);
    thing_state(&t, &in);
    assert_false(state_ok(&in, true));
    /* trailing bytes are refused when the reader expects the end */
    uint8_t more[300];
    memcpy(more, st.buf, st.len);
    more[st.len] = 0;
    state_init_load(&in, more, st.len + 1);
    state_header(&in);
    thing_state(&t, &in);
    assert_true(state_ok(&in, false));
    assert_false(state_ok(&in, true));
    state_free(&st);
}

static void test_versions(void **state)
{
    struct state st;
    state_init_save(&st);
    assert_int_equal(state_section(&st, "dev", 3), 3);
    struct state in;
    state_init_load(&in, st.buf, st.len);
    assert_int_equal(state_section(&in, "dev", 5), 3);   /* older stream: readable */
    assert_true(state_ok(&in, true));
    state_init_load(&in, st.buf, st.len);
    assert_int_equal(state_section(&in, "dev", 2), 0);   /* newer stream: refused */
    assert_false(state_ok(&in, true));
    assert_non_null(strstr(in.why, "version 3"));
    state_init_load(&in, st.buf, st.len);
    state_section(&in, "other", 3);                      /* another section */
    assert_false(state_ok(&in, true));
    state_free(&st);
    /* a stream that is not ours */
    static const uint8_t junk[] = { 8, 5, 'r', 'i', 'v', 'e', 't', 'N', 'O', 'T', 'O', 'U', 'R', 'S', 0, 1, 0, 0, 0 };
    state_init_load(&in, junk, sizeof junk);
    state_header(&in);
    assert_false(state_ok(&in, true));
}

static void test_blob_too_long(void **state)
{
    uint8_t big[32] = { 0 };
    size_t n = sizeof big;
    struct state st;
    state_init_save(&st);
    state_blob(&st, "b", big, &n, sizeof big);
    uint8_t small[8];
    size_t got = 99;
    struct state in;
    state_init_load(&in, st.buf, st.len);
    state_blob(&in, "b", small, &got, sizeof small);
    assert_false(state_ok(&in, true));
    assert_int_equal(got, 0);
    state_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_truncated_fails),
        cmocka_unit_test(test_corruption_never_overflows),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_blob_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
