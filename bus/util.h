/* bus/util.h: the small helpers every layer used to write for itself.
 *
 * - optlist: QEMU-style "word,key=value,key=value" lists, with ",," as a
 *   literal comma (so `-machine dumpdtb=a,,b` names the file "a,b").
 * - errf / log_err: one way to report an error, into a caller's buffer
 *   (errf) or as one "rivet: ..." line on stderr (log_err).
 * - log_guest: messages a guest can provoke, rate-limited per source: at
 *   most RATELIMIT_BURST lines per RATELIMIT_WINDOW_NS of host time, then
 *   one "N similar messages suppressed" line when the source speaks again
 *   after the window (or when it is flushed). Only stderr depends on host
 *   time; nothing the guest sees does.
 *
 * bus/ is the lowest layer, so everything above may include this.
 */
#ifndef RIVET_UTIL_H
#define RIVET_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- option lists ---- */
struct opt {
    char *key;
    char *value;    /* NULL for a bare word ("help", "virt", "nowait") */
};
struct optlist {
    struct opt *v;
    unsigned n;
};
/* Splits at single commas; ",," is a literal comma; each item splits at its
 * first '='. An empty string is one empty word. 0, or -1 on out of memory
 * (the list is then empty). */
int optlist_parse(const char *s, struct optlist *);
/* The value of the last `key=`, or NULL. */
const char *optlist_get(const struct optlist *, const char *key);
/* True when `key` appears, with or without a value. */
bool optlist_has(const struct optlist *, const char *key);
void optlist_free(struct optlist *);
/* on/off/yes/no/true/false: 0 or 1, -1 if none of them (or NULL). */
int optlist_bool(const char *value);

/* ---- errors ---- */
/* Formats into err[len] (when err and len are nonzero); returns -1. */
int errf(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int verrf(char *err, size_t len, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
/* The same, with "prefix: " before the message. */
int errf_at(char *err, size_t len, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* One line "rivet: <message>" on stderr; returns -1. */
int log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- rate-limited guest messages ---- */
#define RATELIMIT_BURST 10
#define RATELIMIT_WINDOW_NS 5000000000ull

/* One per message source (a device, a device's kind of mistake). Zeroed
 * is ready to use. */
struct ratelimit {
    uint64_t window_start;
    unsigned printed;       /* lines printed in the current window */
    unsigned long suppressed;
    bool started;
};
/* The decision, separated from the clock for tests: -1 to drop the message
 * (counted), else print it, after a summary line when the result is > 0
 * (that many were suppressed in the window that just ended). */
long ratelimit_check(struct ratelimit *, uint64_t now_ns);
/* Prints "rivet: <message>" unless rate-limited (see above). */
void log_guest(struct ratelimit *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the pending summary, if any (a device being freed). */
void ratelimit_flush(struct ratelimit *);

#endif
