/* frontends/json.h: a small JSON (RFC 8259) reader and writer for QMP.
 *
 * The reader takes bytes from a socket: it parses one value from the start
 * of a buffer and says whether the buffer held a whole value, the start of
 * one (wait for more bytes), or something that can never become JSON.
 * Limits: nesting 64 deep, 4096 members per array or object; strings may
 * hold any Unicode (\u escapes become UTF-8, surrogate pairs joined; a
 * lone surrogate, a raw control character or invalid UTF-8 is an error).
 * Numbers keep their double and, when they are integers that fit, an
 * int64. No value ever owns more memory than a small multiple of the
 * input's length.
 */
#ifndef RIVET_JSON_H
#define RIVET_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
    enum json_type type;
    bool boolean;
    double number;
    bool is_int;            /* number is an integer that fits int64 */
    int64_t integer;
    char *str;              /* string: NUL-terminated (may hold NULs: str_len) */
    size_t str_len;
    struct json **items;    /* array elements, object values */
    char **keys;            /* object keys */
    size_t n;
};

enum { JSON_OK = 0, JSON_INCOMPLETE = 1, JSON_ERROR = -1 };

#define JSON_MAX_DEPTH 64
#define JSON_MAX_MEMBERS 4096

/* Parses the value at the start of buf (leading white space skipped).
 * JSON_OK: *out is the value (json_free it), *used the bytes it took.
 * JSON_INCOMPLETE: buf ends inside a value (or holds only white space).
 * JSON_ERROR: never valid, whatever follows; err says why and *used says
 * where (the offset of the offending byte). */
int json_parse(const char *buf, size_t len, struct json **out, size_t *used, char *err, size_t errlen);
void json_free(struct json *);
/* An object's member, or NULL (also when obj is not an object). */
const struct json *json_get(const struct json *obj, const char *key);

/* Writer: a growing string. */
struct json_buf {
    char *p;
    size_t len, cap;
    bool oom;
};
void jb_puts(struct json_buf *, const char *s);
void jb_printf(struct json_buf *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string of n bytes (quoted, escaped; invalid UTF-8 bytes become U+FFFD). */
void jb_string(struct json_buf *, const char *s, size_t n);
/* base64 (RFC 4648, with padding) of n bytes, as a JSON string. */
void jb_base64(struct json_buf *, const uint8_t *data, size_t n);
/* Strict base64 decoding (RFC 4648 alphabet, padding required, nothing
 * else allowed) into out (room for n / 4 * 3 bytes); the length, or -1. */
long base64_decode(const char *s, size_t n, uint8_t *out);
/* A parsed value, written back (numbers: integers as such, others with
 * 17 digits; an infinite number as null). */
void jb_value(struct json_buf *, const struct json *);
void jb_free(struct json_buf *);

#endif
