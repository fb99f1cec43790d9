/* frontends/json.c: see json.h. A recursive-descent reader bounded in
 * depth; every read of the input checks the end first. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/json.h"

struct reader {
    const char *p, *end, *start;
    bool incomplete;        /* ran into the end of the buffer */
    char *err;
    size_t errlen;
    const char *err_at;
};

static struct json *fail(struct reader *r, const char *at, const char *msg)
{
    if (!r->err_at) {
        r->err_at = at;
        snprintf(r->err, r->errlen, "%s at byte %zu", msg, (size_t)(at - r->start));
    }
    return NULL;
}

static struct json *more(struct reader *r)
{
    r->incomplete = true;
    return NULL;
}

static void skip_ws(struct reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static struct json *node(enum json_type t)
{
    struct json *j = calloc(1, sizeof *j);
    if (j)
        j->type = t;
    return j;
}

void json_free(struct json *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->n; i++) {
        json_free(j->items[i]);
        if (j->keys)
            free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->str);
    free(j);
}

static struct json *value(struct reader *r, int depth);

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, at most U+10FFFF), 0 if invalid, -1 if cut by the end. */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    int n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    unsigned cp = c & (0x3f >> (n - 1));
    for (int i = 1; i < n; i++) {
        if (p + i >= end)
            return -1;
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* r->p at the opening quote. */
static char *string(struct reader *r, size_t *len_out)
{
    const char *q = r->p + 1;
    /* the decoded string is never longer than its source */
    size_t cap = 0;
    while (q + cap < r->end && q[cap] != '"') {
        if (q[cap] == '\\')
            cap++;
        cap++;
    }
    char *o = malloc(cap + 1);
    if (!o) {
        fail(r, r->p, "out of memory");
        return NULL;
    }
    size_t n = 0;
    const char *p = q;
    for (;;) {
        if (p >= r->end) {
            free(o);
            more(r);
            return NULL;
        }
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c < 0x20) {
            free(o);
            fail(r, p, "control character in a string");
            return NULL;
        }
        if (c == '\\') {
            if (p + 1 >= r->end) {
                free(o);
                more(r);
                return NULL;
            }
            char e = p[1];
            const char *simple = strchr("\"\\/bfnrt", e);
            if (e && simple) {
                static const char map[] = "\"\\/\b\f\n\r\t";
                o[n++] = map[simple - "\"\\/bfnrt"];
                p += 2;
                continue;
            }
            if (e != 'u') {
                free(o);
                fail(r, p, "bad escape in a string");
                return NULL;
            }
            unsigned cp;
            if (p + 6 > r->end) {
                for (const char *h = p + 2; h < r->end; h++)
                    if (!strchr("0123456789abcdefABCDEF", *h) || !*h) {
                        free(o);
                        fail(r, p, "bad \\u escape");
                        return NULL;
                    }
                free(o);
                more(r);
                return NULL;
            }
            if (hex4(p + 2, &cp) < 0) {
                free(o);
                fail(r, p, "bad \\u escape");
                return NULL;
            }
            p += 6;
            if (cp >= 0xdc00 && cp <= 0xdfff) {
                free(o);
                fail(r, p - 6, "lone low surrogate");
                return NULL;
            }
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (p + 6 > r->end) {
                    if (p < r->end && *p != '\\') {
                        free(o);
                        fail(r, p, "high surrogate without its low half");
                        return NULL;
                    }
                    free(o);
                    more(r);
                    return NULL;
                }
                unsigned lo;
                if (p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff) {
                    free(o);
                    fail(r, p, "high surrogate without its low half");
                    return NULL;
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                p += 6;
            }
            /* 6 or 12 source bytes become at most 4 */
            n += put_utf8(o + n, cp);
            continue;
        }
        int k = utf8_len((const unsigned char *)p, (const unsigned char *)r->end);
        if (k < 0) {
            free(o);
            more(r);
            return NULL;
        }
        if (k == 0) {
            free(o);
            fail(r, p, "invalid UTF-8 in a string");
            return NULL;
        }
        memcpy(o + n, p, (size_t)k);
        n += (size_t)k;
        p += k;
    }
    o[n] = 0;
    *len_out = n;
    r->p = p + 1;
    return o;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static struct json *number(struct reader *r)
{
    const char *s = r->p, *p = s;
    bool integer = true;
    if (p < r->end && *p == '-')
        p++;
    if (p >= r->end)
        return more(r);
    if (*p == '0') {
        p++;
        if (p < r->end && is_digit(*p))
            return fail(r, p, "bad number (a leading zero)");
    } else if (is_digit(*p)) {
        while (p < r->end && is_digit(*p))
            p++;
    } else {
        return fail(r, p, "bad number");
    }
    if (p < r->end && *p == '.') {
        integer = false;
        p++;
        if (p >= r->end)
            return more(r);
        if (!is_digit(*p))
            return fail(r, p, "bad number");
        while (p < r->end && is_digit(*p))
            p++;
    }
    if (p < r->end && (*p == 'e' || *p == 'E')) {
        integer = false;
        p++;
        if (p < r->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= r->end)
            return more(r);
        if (!is_digit(*p))
            return fail(r, p, "bad number");
        while (p < r->end && is_digit(*p))
            p++;
    }
    if (p >= r->end)
        return more(r); /* more digits may follow */
    size_t n = (size_t)(p - s);
    if (n > 400)
        return fail(r, s, "number too long");
    char tmp[402];
    memcpy(tmp, s, n);
    tmp[n] = 0;
    struct json *j = node(JSON_NUMBER);
    if (!j)
        return fail(r, s, "out of memory");
    j->number = strtod(tmp, NULL);
    if (integer) {
        errno = 0;
        long long v = strtoll(tmp, NULL, 10);
        if (!errno) {
            j->is_int = true;
            j->integer = v;
        }
    }
    r->p = p;
    return j;
}

static struct json *literal(struct reader *r, const char *word, enum json_type t, bool b)
{
    size_t n = strlen(word);
    size_t have = (size_t)(r->end - r->p);
    size_t k = have < n ? have : n;
    if (memcmp(r->p, word, k))
        return fail(r, r->p, "unexpected character");
    if (have < n)
        return more(r);
    struct json *j = node(t);
    if (!j)
        return fail(r, r->p, "out of memory");
    j->boolean = b;
    r->p += n;
    return j;
}

static int push(struct json *j, char *key, struct json *v)
{
    if (j->n == JSON_MAX_MEMBERS)
        return -1;
    if ((j->n & (j->n - 1)) == 0) { /* grow at powers of two */
        size_t cap = j->n ? j->n * 2 : 4;
        struct json **items = realloc(j->items, cap * sizeof *items);
        if (!items)
            return -1;
        j->items = items;
        if (j->type == JSON_OBJECT) {
            char **keys = realloc(j->keys, cap * sizeof *keys);
            if (!keys)
                return -1;
            j->keys = keys;
        }
    }
    j->items[j->n] = v;
    if (j->type == JSON_OBJECT)
        j->keys[j->n] = key;
    j->n++;
    return 0;
}

static struct json *container(struct reader *r, int depth, bool object)
{
    if (depth >= JSON_MAX_DEPTH)
        return fail(r, r->p, "nesting too deep");
    struct json *j = node(object ? JSON_OBJECT : JSON_ARRAY);
    if (!j)
        return fail(r, r->p, "out of memory");
    char close = object ? '}' : ']';
    r->p++;
    skip_ws(r);
    if (r->p >= r->end) {
        json_free(j);
        return more(r);
    }
    if (*r->p == close) {
        r->p++;
        return j;
    }
    for (;;) {
        char *key = NULL;
        if (object) {
            skip_ws(r);
            if (r->p >= r->end)
                goto incomplete;
            if (*r->p != '"') {
                fail(r, r->p, "expected a member name");
                goto bad;
            }
            size_t klen;
            key = string(r, &klen);
            if (!key)
                goto bad_or_more;
            if (strlen(key) != klen) {
                free(key);
                fail(r, r->p, "NUL in a member name");
                goto bad;
            }
            skip_ws(r);
            if (r->p >= r->end) {
                free(key);
                goto incomplete;
            }
            if (*r->p != ':') {
                free(key);
                fail(r, r->p, "expected ':'");
                goto bad;
            }
            r->p++;
        }
        struct json *v = value(r, depth + 1);
        if (!v) {
            free(key);
            goto bad_or_more;
        }
        if (push(j, key, v) < 0) {
            free(key);
            json_free(v);
            fail(r, r->p, "too many members");
            goto bad;
        }
        skip_ws(r);
        if (r->p >= r->end)
            goto incomplete;
        if (*r->p == ',') {
            r->p++;
            continue;
        }
        if (*r->p == close) {
            r->p++;
            return j;
        }
        fail(r, r->p, object ? "expected ',' or '}'" : "expected ',' or ']'");
        goto bad;
    }
incomplete:
    more(r);
bad_or_more:
bad:
    json_free(j);
    return NULL;
}

static struct json *value(struct reader *r, int depth)
{
    skip_ws(r);
    if (r->p >= r->end)
        return more(r);
    switch (*r->p) {
    case '{':
        return container(r, depth, true);
    case '[':
        return container(r, depth, false);
    case '"': {
        size_t n;
        const char *at = r->p;
        char *s = string(r, &n);
        if (!s)
            return NULL;
        struct json *j = node(JSON_STRING);
        if (!j) {
            free(s);
            return fail(r, at, "out of memory");
        }
        j->str = s;
        j->str_len = n;
        return j;
    }
    case 't':
        return literal(r, "true", JSON_BOOL, true);
    case 'f':
        return literal(r, "false", JSON_BOOL, false);
    case 'n':
        return literal(r, "null", JSON_NULL, false);
    default:
        if (*r->p == '-' || is_digit(*r->p))
            return number(r);
        return fail(r, r->p, "unexpected character");
    }
}

int json_parse(const char *buf, size_t len, struct json **out, size_t *used, char *err, size_t errlen)
{
    char dummy[1];
    struct reader r = { .p = buf, .end = buf + len, .start = buf, .err = err ? err : dummy,
                        .errlen = err ? errlen : sizeof dummy };
    *out = NULL;
    *used = 0;
    struct json *j = value(&r, 0);
    if (j) {
        *out = j;
        *used = (size_t)(r.p - buf);
        return JSON_OK;
    }
    if (r.err_at) {
        *used = (size_t)(r.err_at - buf);
        return JSON_ERROR;
    }
    return JSON_INCOMPLETE;
}

const struct json *json_get(const struct json *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (!strcmp(obj->keys[i], key))
            return obj->items[i];
    return NULL;
}

/* ---- writer ---- */

static void jb_add(struct json_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void jb_puts(struct json_buf *b, const char *s) { jb_add(b, s, strlen(s)); }

void jb_printf(struct json_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        jb_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void jb_string(struct json_buf *b, const char *s, size_t n)
{
    jb_add(b, "\"", 1);
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned char c = *p;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            jb_add(b, esc, 2);
            p++;
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            jb_add(b, esc, 6);
            p++;
        } else {
            int k = utf8_len(p, end);
            if (k <= 0) {
                jb_add(b, "\\ufffd", 6);
                p++;
            } else {
                jb_add(b, (const char *)p, (size_t)k);
                p += k;
            }
        }
    }
    jb_add(b, "\"", 1);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void jb_base64(struct json_buf *b, const uint8_t *d, size_t n)
{
    jb_add(b, "\"", 1);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);
        char q[4] = { b64[v >> 18], b64[(v >> 12) & 63], i + 1 < n ? b64[(v >> 6) & 63] : '=',
                      i + 2 < n ? b64[v & 63] : '=' };
        jb_add(b, q, 4);
    }
    jb_add(b, "\"", 1);
}

long base64_decode(const char *s, size_t n, uint8_t *out)
{
    if (n % 4)
        return -1;
    long len = 0;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            char c = s[i + k];
            const char *at = c ? strchr(b64, c) : NULL;
            if (c == '=' && i + 4 == n && k >= 2 && (k == 3 || s[i + 3] == '='))
                pad++, v <<= 6;
            else if (at && !pad)
                v = v << 6 | (uint32_t)(at - b64);
            else
                return -1;
        }
        out[len++] = (uint8_t)(v >> 16);
        if (pad < 2)
            out[len++] = (uint8_t)(v >> 8);
        if (pad < 1)
            out[len++] = (uint8_t)v;
    }
    return len;
}

void jb_value(struct json_buf *b, const struct json *j)
{
    switch (j->type) {
    case JSON_NULL:
        jb_puts(b, "null");
        break;
    case JSON_BOOL:
        jb_puts(b, j->boolean ? "true" : "false");
        break;
    case JSON_NUMBER:
        if (j->is_int)
            jb_printf(b, "%lld", (long long)j->integer);
        else if (j->number != j->number || j->number - j->number != 0)
            jb_puts(b, "null"); /* inf (1e999): JSON has no spelling for it */
        else
            jb_printf(b, "%.17g", j->number);
        break;
    case JSON_STRING:
        jb_string(b, j->str, j->str_len);
        break;
    case JSON_ARRAY:
    case JSON_OBJECT:
        jb_puts(b, j->type == JSON_ARRAY ? "[" : "{");
        for (size_t i = 0; i < j->n; i++) {
            if (i)
                jb_puts(b, ", ");
            if (j->type == JSON_OBJECT) {
                jb_string(b, j->keys[i], strlen(j->keys[i]));
                jb_puts(b, ": ");
            }
            jb_value(b, j->items[i]);
        }
        jb_puts(b, j->type == JSON_ARRAY ? "]" : "}");
        break;
    }
}

void jb_free(struct json_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}
