/* bus/state.c: the tagged, bounds-checked state serializer (state.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/state.h"

enum { T_U8 = 1, T_U16, T_U32, T_U64, T_BOOL, T_BYTES, T_SECTION, T_HEADER };

static const char magic[8] = "RVSTATE";

void state_init_save(struct state *st)
{
    memset(st, 0, sizeof *st);
}

void state_init_load(struct state *st, const void *buf, size_t len)
{
    memset(st, 0, sizeof *st);
    st->buf = (uint8_t *)buf;
    st->len = len;
    st->loading = true;
}

void state_free(struct state *st)
{
    if (!st->loading)
        free(st->buf);
    st->buf = NULL;
    st->len = st->cap = st->pos = 0;
}

void state_fail(struct state *st, const char *why)
{
    if (st->error)
        return;
    st->error = true;
    snprintf(st->why, sizeof st->why, "%s", why);
}

bool state_ok(struct state *st, bool at_end)
{
    if (!st->error && st->loading && at_end && st->pos != st->len)
        state_fail(st, "trailing bytes");
    return !st->error;
}

/* ---- raw bytes ---- */

static void put(struct state *st, const void *p, size_t n)
{
    if (st->error)
        return;
    if (n > st->cap - st->len) {
        size_t cap = st->cap ? st->cap : 256;
        while (cap - st->len < n) {
            if (cap > SIZE_MAX / 2) {
                state_fail(st, "out of memory");
                return;
            }
            cap *= 2;
        }
        uint8_t *b = realloc(st->buf, cap);
        if (!b) {
            state_fail(st, "out of memory");
            return;
        }
        st->buf = b;
        st->cap = cap;
    }
    memcpy(st->buf + st->len, p, n);
    st->len += n;
}

static bool get(struct state *st, void *p, size_t n)
{
    if (!st->error && n > st->len - st->pos)
        state_fail(st, "truncated");
    if (st->error) {
        memset(p, 0, n);
        return false;
    }
    memcpy(p, st->buf + st->pos, n);
    st->pos += n;
    return true;
}

static void put_le(struct state *st, uint64_t v, unsigned n)
{
    uint8_t b[8];
    for (unsigned i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    put(st, b, n);
}

static uint64_t get_le(struct state *st, unsigned n)
{
    uint8_t b[8];
    if (!get(st, b, n))
        return 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

/* ---- tags ---- */

/* Writes or checks a field's type and name; false after an error. */
static bool tag(struct state *st, unsigned type, const char *name)
{
    size_t nl = strlen(name);
    if (nl > STATE_NAME_MAX)
        nl = STATE_NAME_MAX;  /* a bug in the caller; keep the stream sane */
    if (!st->loading) {
        uint8_t h[2] = { (uint8_t)type, (uint8_t)nl };
        put(st, h, 2);
        put(st, name, nl);
        return !st->error;
    }
    uint8_t h[2];
    char got[STATE_NAME_MAX];
    if (!get(st, h, 2))
        return false;
    if (h[0] != type || h[1] != nl || !get(st, got, nl) || memcmp(got, name, nl)) {
        if (!st->error) {
            char why[96];
            snprintf(why, sizeof why, "expected field '%.*s'", (int)nl, name);
            state_fail(st, why);
        }
        return false;
    }
    return true;
}

static void field(struct state *st, unsigned type, const char *name, unsigned size, uint64_t *v)
{
    if (!tag(st, type, name)) {
        if (st->loading)
            *v = 0;
        return;
    }
    if (st->loading)
        *v = get_le(st, size);
    else
        put_le(st, *v, size);
}

void state_header(struct state *st)
{
    if (!tag(st, T_HEADER, "rivet"))
        return;
    if (!st->loading) {
        put(st, magic, sizeof magic);
        put_le(st, STATE_FORMAT, 4);
        return;
    }
    char m[sizeof magic];
    get(st, m, sizeof m);
    uint64_t f = get_le(st, 4);
    if (!st->error && memcmp(m, magic, sizeof m))
        state_fail(st, "not a rivet state stream");
    else if (!st->error && f != STATE_FORMAT)
        state_fail(st, "unsupported state format version");
}

unsigned state_section(struct state *st, const char *name, unsigned version)
{
    uint64_t v = version;
    field(st, T_SECTION, name, 4, &v);
    if (st->loading && !st->error && (v == 0 || v > version)) {
        char why[96];
        snprintf(why, sizeof why, "section '%s' version %llu (this build reads up to %u)", name,
                 (unsigned long long)v, version);
        state_fail(st, why);
    }
    return st->error ? 0 : (unsigned)v;
}

#define SCALAR(fn, type, code, size)                                   \
    void fn(struct state *st, const char *name, type *p)               \
    {                                                                  \
        uint64_t v = st->loading ? 0 : (uint64_t)*p;                   \
        field(st, code, name, size, &v);                               \
        if (st->loading)                                               \
            *p = (type)v;                                              \
    }
SCALAR(state_u8, uint8_t, T_U8, 1)
SCALAR(state_u16, uint16_t, T_U16, 2)
SCALAR(state_u32, uint32_t, T_U32, 4)
SCALAR(state_u64, uint64_t, T_U64, 8)
SCALAR(state_unsigned, unsigned, T_U32, 4)

void state_int(struct state *st, const char *name, int *p)
{
    uint64_t v = st->loading ? 0 : (uint32_t)*p;
    field(st, T_U32, name, 4, &v);
    if (st->loading)
        *p = (int)(int32_t)(uint32_t)v;
}

void state_bool(struct state *st, const char *name, bool *p)
{
    uint64_t v = st->loading ? 0 : *p;
    field(st, T_BOOL, name, 1, &v);
    if (st->loading) {
        if (v > 1)
            state_fail(st, "bad boolean");
        *p = v == 1;
    }
}

void state_blob(struct state *st, const char *name, void *p, size_t *len, size_t max)
{
    if (!tag(st, T_BYTES, name)) {
        if (st->loading)
            *len = 0;
        return;
    }
    if (!st->loading) {
        put_le(st, *len, 4);
        put(st, p, *len);
        return;
    }
    uint64_t n = get_le(st, 4);
    if (!st->error && n > max) {
        char why[96];
        snprintf(why, sizeof why, "field '%s' too long", name);
        state_fail(st, why);
    }
    if (st->error) {
        *len = 0;
        return;
    }
    get(st, p, (size_t)n);
    *len = st->error ? 0 : (size_t)n;
}

void state_bytes(struct state *st, const char *name, void *p, size_t len)
{
    size_t got = len;
    state_blob(st, name, p, &got, len);
    if (st->loading && !st->error && got != len) {
        char why[96];
        snprintf(why, sizeof why, "field '%s' has the wrong length", name);
        state_fail(st, why);
    }
    if (st->loading && st->error)
        memset(p, 0, len);
}
