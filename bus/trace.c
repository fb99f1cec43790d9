/* bus/trace.c: the -d / -D / -dfilter trace (trace.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bus/trace.h"

unsigned trace_mask;

static FILE *out;
static char *out_path;     /* NULL: stderr */
static bool at_exit_set;

#define MAX_RANGES 16
static struct { uint64_t lo, hi; } ranges[MAX_RANGES];
static unsigned nranges;

static const struct { const char *name, *help; } items[TRACE_NITEMS] = {
#define TRACE_NAME(id, name, help) { name, help },
    TRACE_ITEMS(TRACE_NAME)
#undef TRACE_NAME
};

int trace_parse_items(const char *list, unsigned *mask, char *err, size_t errlen)
{
    unsigned m = 0;
    const char *p = list;
    if (!*p) {
        snprintf(err, errlen, "no item (-d help lists them)");
        return -1;
    }
    for (;;) {
        size_t n = strcspn(p, ",");
        unsigned i;
        for (i = 0; i < TRACE_NITEMS; i++)
            if (strlen(items[i].name) == n && !strncmp(items[i].name, p, n))
                break;
        if (i == TRACE_NITEMS) {
            snprintf(err, errlen, "unknown item '%.*s' (-d help lists them)", (int)(n < 40 ? n : 40), p);
            return -1;
        }
        m |= 1u << i;
        if (!p[n])
            break;
        p += n + 1;
    }
    *mask = m;
    return 0;
}

static int parse_num(const char *s, size_t n, uint64_t *v)
{
    char buf[32];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    if (buf[0] == '-' || buf[0] == '+' || buf[0] == ' ')
        return -1;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(buf, &end, 0);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

int trace_parse_filter(const char *spec, char *err, size_t errlen)
{
    unsigned n = 0;
    const char *p = spec;
    for (;;) {
        size_t len = strcspn(p, ",");
        uint64_t a, b;
        const char *dots = NULL, *plus = NULL;
        for (size_t k = 0; k < len; k++) {
            if (!dots && p[k] == '.' && k + 1 < len && p[k + 1] == '.')
                dots = p + k;
            if (!plus && p[k] == '+')
                plus = p + k;
        }
        if (n == MAX_RANGES) {
            snprintf(err, errlen, "more than %d ranges", MAX_RANGES);
            return -1;
        }
        if (dots && !plus && !parse_num(p, (size_t)(dots - p), &a) &&
            !parse_num(dots + 2, len - (size_t)(dots - p) - 2, &b) && a <= b) {
            ranges[n].lo = a;
            ranges[n].hi = b;
        } else if (plus && !dots && !parse_num(p, (size_t)(plus - p), &a) &&
                   !parse_num(plus + 1, len - (size_t)(plus - p) - 1, &b) && b > 0 && a + (b - 1) >= a) {
            ranges[n].lo = a;
            ranges[n].hi = a + (b - 1);
        } else {
            snprintf(err, errlen, "'%.*s' is not START..END or START+SIZE", (int)(len < 60 ? len : 60), p);
            return -1;
        }
        n++;
        if (!p[len])
            break;
        p += len + 1;
    }
    nranges = n;
    return 0;
}

bool trace_pc_ok(uint64_t pc)
{
    if (!nranges)
        return true;
    for (unsigned i = 0; i < nranges; i++)
        if (pc >= ranges[i].lo && pc <= ranges[i].hi)
            return true;
    return false;
}

void trace_help(FILE *f)
{
    fprintf(f, "Trace items (-d ITEM[,ITEM...], to stderr or -D FILE; -dfilter START..END|START+SIZE[,...] limits by pc):\n");
    for (unsigned i = 0; i < TRACE_NITEMS; i++)
        fprintf(f, "  %-13s %s\n", items[i].name, items[i].help);
}

int trace_start(unsigned mask, const char *path)
{
    trace_stop();
    if (path) {
        out = fopen(path, "w");
        if (!out) {
            fprintf(stderr, "rivet: -D %s: %s\n", path, strerror(errno));
            return -1;
        }
        out_path = strdup(path);
        /* a large buffer: the trace is written in big pieces */
        setvbuf(out, NULL, _IOFBF, 1 << 16);
    } else {
        out = stderr;
    }
    if (!at_exit_set) {
        atexit(trace_stop);
        at_exit_set = true;
    }
    trace_mask = mask;
    return 0;
}

/* A failed write (ENOSPC, EIO...): one message, the trace stops. */
static void failed(int e)
{
    trace_mask = 0;
    fprintf(stderr, "rivet: trace %s: %s; tracing stopped\n", out_path ? out_path : "(stderr)", strerror(e));
    if (out && out != stderr)
        fclose(out);
    out = NULL;
    free(out_path);
    out_path = NULL;
}

void trace_stop(void)
{
    trace_mask = 0;
    if (!out)
        return;
    if (out != stderr) {
        errno = 0;
        if (fflush(out) || ferror(out)) {
            failed(errno ? errno : EIO);
            return;
        }
        fclose(out);
    } else {
        fflush(out);
    }
    out = NULL;
    free(out_path);
    out_path = NULL;
}

void trace_printf(const char *fmt, ...)
{
    if (!out)
        return;
    va_list ap;
    va_start(ap, fmt);
    errno = 0;
    int r = vfprintf(out, fmt, ap);
    va_end(ap);
    if (r < 0 || ferror(out))
        failed(errno ? errno : EIO);
}

void trace_puts(const char *s)
{
    if (!out)
        return;
    errno = 0;
    if (fputs(s, out) < 0 || ferror(out))
        failed(errno ? errno : EIO);
}
