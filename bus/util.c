/* bus/util.c: option lists, error helpers, rate-limited guest messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/trace.h"
#include "bus/util.h"

/* ---- option lists ---- */

static int push_opt(struct optlist *o, const char *item)
{
    struct opt *v = realloc(o->v, (o->n + 1) * sizeof *v);
    if (!v)
        return -1;
    o->v = v;
    const char *eq = strchr(item, '=');
    struct opt *e = &v[o->n];
    e->key = eq ? strndup(item, (size_t)(eq - item)) : strdup(item);
    e->value = eq ? strdup(eq + 1) : NULL;
    if (!e->key || (eq && !e->value)) {
        free(e->key);
        free(e->value);
        return -1;
    }
    o->n++;
    return 0;
}

int optlist_parse(const char *s, struct optlist *o)
{
    memset(o, 0, sizeof *o);
    char *item = malloc(strlen(s) + 1);
    if (!item)
        return -1;
    size_t n = 0;
    for (size_t i = 0;; i++) {
        if (s[i] == ',' && s[i + 1] == ',') {
            item[n++] = ',';
            i++;
            continue;
        }
        if (s[i] == ',' || s[i] == 0) {
            item[n] = 0;
            if (push_opt(o, item) < 0) {
                free(item);
                optlist_free(o);
                return -1;
            }
            n = 0;
            if (s[i] == 0)
                break;
            continue;
        }
        item[n++] = s[i];
    }
    free(item);
    return 0;
}

const char *optlist_get(const struct optlist *o, const char *key)
{
    const char *v = NULL;
    for (unsigned i = 0; i < o->n; i++)
        if (!strcmp(o->v[i].key, key) && o->v[i].value)
            v = o->v[i].value;
    return v;
}

bool optlist_has(const struct optlist *o, const char *key)
{
    for (unsigned i = 0; i < o->n; i++)
        if (!strcmp(o->v[i].key, key))
            return true;
    return false;
}

void optlist_free(struct optlist *o)
{
    for (unsigned i = 0; i < o->n; i++) {
        free(o->v[i].key);
        free(o->v[i].value);
    }
    free(o->v);
    memset(o, 0, sizeof *o);
}

int optlist_bool(const char *v)
{
    if (!v)
        return -1;
    if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true"))
        return 1;
    if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false"))
        return 0;
    return -1;
}

/* ---- errors ---- */

int verrf(char *err, size_t len, const char *fmt, va_list ap)
{
    if (err && len)
        vsnprintf(err, len, fmt, ap);
    return -1;
}

int errf(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verrf(err, len, fmt, ap);
    va_end(ap);
    return -1;
}

int errf_at(char *err, size_t len, const char *prefix, const char *fmt, ...)
{
    if (!err || !len)
        return -1;
    int n = snprintf(err, len, "%s: ", prefix);
    if (n >= 0 && (size_t)n < len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + n, len - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int log_err(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "rivet: %s\n", msg);
    return -1;
}

/* ---- rate-limited guest messages ---- */

long ratelimit_check(struct ratelimit *r, uint64_t now)
{
    long report = 0;
    if (!r->started || now - r->window_start >= RATELIMIT_WINDOW_NS) {
        report = (long)r->suppressed;
        r->started = true;
        r->window_start = now;
        r->printed = 0;
        r->suppressed = 0;
    }
    if (r->printed >= RATELIMIT_BURST) {
        r->suppressed++;
        return -1;
    }
    r->printed++;
    return report;
}

static uint64_t host_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void log_guest(struct ratelimit *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    /* -d guest_errors sees every message, rate limit or not */
    if (TRACE_ON(TRACE_GUEST_ERRORS)) {
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        trace_printf("guest_errors: %s\n", msg);
    }
    long report = ratelimit_check(r, host_now_ns());
    if (report < 0)
        return;
    if (report > 0)
        fprintf(stderr, "rivet: %ld similar messages suppressed\n", report);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "rivet: %s\n", msg);
}

void ratelimit_flush(struct ratelimit *r)
{
    if (r->suppressed)
        fprintf(stderr, "rivet: %lu similar messages suppressed\n", r->suppressed);
    r->suppressed = 0;
}
