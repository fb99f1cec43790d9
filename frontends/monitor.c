/* frontends/monitor.c: the human monitor's core: line and format parsing,
 * the command table, sessions on chardevs and on the serial terminal, and
 * the commands that drive the machine as a whole (help, info status, stop,
 * cont, cpu, system_reset, system_powerdown, quit). See monitor.h. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/riscv/hart.h"
#include "frontends/chardev.h"
#include "frontends/monitor.h"
#include "frontends/term.h"

#define MAX_SESSIONS 8
#define MAX_POLLERS 4
#define MAX_LISTENERS 8

static const char banner[] = "rivet monitor - type 'help' for more information\n";
static const char prompt[] = "(qemu) ";

struct session {
    struct monitor *mon;
    struct chardev *cd;
    bool echo;              /* a terminal: echo what is typed, handle backspace */
    bool crlf;              /* a raw terminal: \n goes out as \r\n */
    bool greeted;
    unsigned conns;         /* chardev_connections when last greeted */
    char line[MONITOR_MAX_LINE + 1];
    size_t len;
    bool overflow;          /* the line got too long: refused at its end */
    bool last_cr;
    unsigned cpu;
};

struct poller {
    void (*poll)(void *ctx);
    int (*fd)(void *ctx);
    void *ctx;
};

struct listener {
    monitor_event_fn fn;
    void *ctx;
};

struct monitor {
    struct virt *m;
    struct display_host *display;
    struct chardev *const *chardevs;   /* -chardev's, by id (ringbuf_read ...) */
    unsigned nchardevs;
    struct virt_monitor vm;
    struct session *sessions[MAX_SESSIONS];
    unsigned nsessions;
    struct session *serial;     /* Ctrl-A c's session, or NULL */
    bool serial_active;
    struct poller pollers[MAX_POLLERS];
    unsigned npollers;
    struct listener listeners[MAX_LISTENERS];
    unsigned nlisteners;
};

/* ---- output ---- */

void monitor_printf(struct monitor_call *c, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    c->out(c->octx, buf);
}

int monitor_error(struct monitor_call *c, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    c->failed = true;
    monitor_printf(c, "Error: %s\n", buf);
    return -1;
}

struct display_host *monitor_display(const struct monitor *mon) { return mon->display; }
struct virt *monitor_machine(const struct monitor *mon) { return mon->m; }

/* ---- parsing ---- */

static int perr(char *err, size_t errlen, const char *msg)
{
    snprintf(err, errlen, "%s", msg);
    return -1;
}

int monitor_parse_line(const char *line, struct monitor_line *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t n = strlen(line);
    if (n > MONITOR_MAX_LINE)
        return perr(err, errlen, "line too long");
    char *w = out->buf;
    const char *p = line;
    int words = 0;
    char *word[MONITOR_MAX_ARGS + 1];
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (!*p)
            break;
        if (words == MONITOR_MAX_ARGS + 1)
            return perr(err, errlen, "too many arguments");
        word[words++] = w;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
            if (*p == '"') {
                p++;
                while (*p != '"') {
                    if (!*p)
                        return perr(err, errlen, "unterminated string");
                    if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                        p++;
                    *w++ = *p++;
                }
                p++;
            } else {
                *w++ = *p++;
            }
        }
        *w++ = 0; /* the words never need more room than the line: a quote pair or separator per 0 */
    }
    if (!words) {
        out->name = w;
        *w = 0;
        return 0;
    }
    out->name = word[0];
    char *slash = strchr(out->name, '/');
    if (slash) {
        *slash = 0;
        out->fmt = slash + 1;
    }
    out->argc = words - 1;
    for (int i = 1; i < words; i++)
        out->argv[i - 1] = word[i];
    return 0;
}

int monitor_parse_fmt(const char *fmt, struct monitor_fmt *out, char *err, size_t errlen)
{
    out->count = 1;
    out->format = 'x';
    out->size = 0;
    const char *p = fmt ? fmt : "";
    if (isdigit((unsigned char)*p)) {
        unsigned long v = 0;
        while (isdigit((unsigned char)*p)) {
            v = v * 10 + (unsigned long)(*p++ - '0');
            if (v > 65536)
                return perr(err, errlen, "count too large (at most 65536)");
        }
        out->count = (unsigned)v;
    }
    for (; *p; p++) {
        switch (*p) {
        case 'x': case 'd': case 'u': case 'o': case 'c': case 'i':
            out->format = *p;
            break;
        case 'b': out->size = 1; break;
        case 'h': out->size = 2; break;
        case 'w': out->size = 4; break;
        case 'g': out->size = 8; break;
        default: {
            char m[80];
            snprintf(m, sizeof m, "invalid char '%c' in format (formats x d u o c i, sizes b h w g)",
                     isprint((unsigned char)*p) ? *p : '?');
            return perr(err, errlen, m);
        }
        }
    }
    if (!out->size)
        out->size = out->format == 'c' ? 1 : 4;
    return 0;
}

static const char *const abi_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

int monitor_parse_value(const char *s, const struct rv_hart *h, uint64_t *out)
{
    if (!s || !*s)
        return -1;
    if (*s == '$') {
        if (!h)
            return -1;
        s++;
        if (!strcmp(s, "pc")) {
            *out = h->pc;
            return 0;
        }
        if (!strcmp(s, "fp")) {
            *out = h->x[8];
            return 0;
        }
        for (unsigned i = 0; i < 32; i++)
            if (!strcmp(s, abi_names[i])) {
                *out = h->x[i];
                return 0;
            }
        if (s[0] == 'x' && isdigit((unsigned char)s[1])) {
            char *end;
            unsigned long r = strtoul(s + 1, &end, 10);
            if (!*end && r < 32) {
                *out = h->x[r];
                return 0;
            }
        }
        return -1;
    }
    if (*s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* ---- the table ---- */

static const struct monitor_command *find(const char *name)
{
    for (const struct monitor_command *const *c = monitor_commands; *c; c++)
        if ((*c)->name && !strcmp((*c)->name, name))
            return *c;
    return NULL;
}

static int run_parsed(struct monitor_call *c, struct monitor_line *l)
{
    if (!*l->name)
        return 0;
    int argc = l->argc;
    char **argv = l->argv;
    char key[64];
    if (!strcmp(l->name, "info") && argc) {
        snprintf(key, sizeof key, "info %s", argv[0]);
        argc--;
        argv++;
    } else {
        snprintf(key, sizeof key, "%s", l->name);
    }
    const struct monitor_command *cmd = find(key);
    if (!cmd) /* aliases: cont|c, quit|q, help|? */
        for (const struct monitor_command *const *k = monitor_commands; *k && !cmd; k++)
            if ((*k)->alias && !strcmp((*k)->alias, key))
                cmd = *k;
    if (!cmd) {
        if (!strcmp(l->name, "info") && l->argc)
            return monitor_error(c, "unknown info command '%s' (info alone lists them)", l->argv[0]);
        return monitor_error(c, "unknown command: '%s' (help lists them)", l->name);
    }
    if (l->fmt && !cmd->takes_fmt)
        return monitor_error(c, "%s takes no /FMT", cmd->name);
    c->fmt = l->fmt;
    if (argc < cmd->min_args || argc > cmd->max_args)
        return monitor_error(c, "%s: %s (usage: %s%s%s)", cmd->name,
                             argc < cmd->min_args ? "missing argument" : "too many arguments", cmd->name,
                             cmd->args ? " " : "", cmd->args ? cmd->args : "");
    if (!c->m)
        return monitor_error(c, "no machine");
    int r = cmd->run(c, argc, argv);
    return r < 0 || c->failed ? -1 : 0;
}

int monitor_run_line(struct monitor *mon, const char *line, unsigned *cpu,
                     void (*out)(void *octx, const char *text), void *octx)
{
    unsigned dummy = 0;
    struct monitor_call c = { .mon = mon, .m = mon->m, .cpu = cpu ? cpu : &dummy, .out = out, .octx = octx };
    struct monitor_line *l = malloc(sizeof *l);
    if (!l)
        return monitor_error(&c, "out of memory");
    char err[128];
    int r;
    if (monitor_parse_line(line, l, err, sizeof err) < 0)
        r = monitor_error(&c, "%s", err);
    else
        r = run_parsed(&c, l);
    free(l);
    return r;
}

/* ---- sessions on chardevs ---- */

static void session_out(void *ctx, const char *text)
{
    struct session *s = ctx;
    if (!s->crlf) {
        chardev_write(s->cd, (const uint8_t *)text, strlen(text));
        return;
    }
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        chardev_write(s->cd, (const uint8_t *)p, n);
        if (!nl)
            break;
        chardev_write(s->cd, (const uint8_t *)"\r\n", 2);
        p = nl + 1;
    }
}

static void session_reset(struct session *s)
{
    s->len = 0;
    s->overflow = false;
    s->last_cr = false;
}

static void session_line(struct session *s)
{
    s->line[s->len] = 0;
    if (s->echo)
        session_out(s, "\n");
    if (s->overflow) {
        session_out(s, "Error: line too long\n");
    } else {
        monitor_run_line(s->mon, s->line, &s->cpu, session_out, s);
    }
    session_reset(s);
    /* quit: the machine is going: no prompt */
    session_out(s, prompt);
}

static void session_input(struct session *s, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = buf[i];
        if (b == '\n' && s->last_cr) {
            s->last_cr = false;
            continue;
        }
        s->last_cr = b == '\r';
        if (b == '\r' || b == '\n') {
            session_line(s);
        } else if (b == 0x7f || b == 0x08) {
            if (s->len) {
                s->len--;
                if (s->echo)
                    session_out(s, "\b \b");
            }
        } else if (b == 0x15) { /* Ctrl-U: drop the line */
            for (size_t k = 0; s->echo && k < s->len; k++)
                session_out(s, "\b \b");
            session_reset(s);
        } else if (b >= 0x20 || b == '\t') {
            if (s->len < MONITOR_MAX_LINE) {
                s->line[s->len++] = b == '\t' ? ' ' : (char)b;
                if (s->echo)
                    chardev_write(s->cd, &b, 1);
            } else {
                s->overflow = true;
            }
        }
    }
}

static void session_greet(struct session *s)
{
    session_reset(s);
    session_out(s, banner);
    session_out(s, prompt);
    s->greeted = true;
}

static void session_poll(struct session *s)
{
    uint8_t buf[512];
    for (int round = 0; round < 16; round++) {
        int ev = 0;
        size_t n = chardev_read_event(s->cd, buf, sizeof buf, &ev);
        unsigned conns = chardev_connections(s->cd);
        if (conns != s->conns || (!s->greeted && chardev_connected(s->cd))) {
            s->conns = conns;
            session_greet(s);
        }
        if (ev == TERM_EV_QUIT && s->mon->m)
            virt_quit(s->mon->m);
        if (!n)
            break;
        session_input(s, buf, n);
    }
}

static struct session *session_new(struct monitor *mon, struct chardev *cd)
{
    if (mon->nsessions == MAX_SESSIONS)
        return NULL;
    struct session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->mon = mon;
    s->cd = cd;
    mon->sessions[mon->nsessions++] = s;
    return s;
}

int monitor_add_chardev(struct monitor *mon, struct chardev *cd, bool echo)
{
    struct session *s = session_new(mon, cd);
    if (!s)
        return -1;
    s->echo = echo;
    s->crlf = chardev_is_stdio(cd);
    return 0;
}

void monitor_set_serial(struct monitor *mon, struct chardev *serial)
{
    struct session *s = session_new(mon, serial);
    if (!s)
        return;
    s->echo = true;
    s->crlf = true;
    s->greeted = true; /* greeted on each Ctrl-A c */
    mon->serial = s;
}

void monitor_serial_toggle(struct monitor *mon)
{
    if (!mon->serial)
        return;
    mon->serial_active = !mon->serial_active;
    if (mon->serial_active) {
        session_out(mon->serial, "\n");
        session_greet(mon->serial);
    } else {
        session_out(mon->serial, "\n");
    }
}

bool monitor_serial_active(const struct monitor *mon) { return mon->serial && mon->serial_active; }

void monitor_serial_input(struct monitor *mon, const uint8_t *buf, size_t len)
{
    if (mon->serial && mon->serial_active)
        session_input(mon->serial, buf, len);
}

int monitor_add_poller(struct monitor *mon, void (*poll)(void *ctx), int (*fd)(void *ctx), void *ctx)
{
    if (mon->npollers == MAX_POLLERS)
        return -1;
    mon->pollers[mon->npollers++] = (struct poller){ poll, fd, ctx };
    return 0;
}

int monitor_add_listener(struct monitor *mon, monitor_event_fn fn, void *ctx)
{
    if (mon->nlisteners == MAX_LISTENERS)
        return -1;
    mon->listeners[mon->nlisteners++] = (struct listener){ fn, ctx };
    return 0;
}

void monitor_remove_listener(struct monitor *mon, monitor_event_fn fn, void *ctx)
{
    for (unsigned i = 0; i < mon->nlisteners; i++)
        if (mon->listeners[i].fn == fn && mon->listeners[i].ctx == ctx) {
            mon->listeners[i] = mon->listeners[--mon->nlisteners];
            return;
        }
}

unsigned monitor_fds(const struct monitor *mon, int *fds, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < mon->nsessions && n < max; i++) {
        if (mon->sessions[i] == mon->serial)
            continue; /* the serial chardev is main's */
        int fd = chardev_poll_fd(mon->sessions[i]->cd);
        if (fd >= 0)
            fds[n++] = fd;
    }
    for (unsigned i = 0; i < mon->npollers && n < max; i++) {
        int fd = mon->pollers[i].fd ? mon->pollers[i].fd(mon->pollers[i].ctx) : -1;
        if (fd >= 0)
            fds[n++] = fd;
    }
    return n;
}

/* ---- the board's side ---- */

static void vm_attach(void *ctx, struct virt *m)
{
    struct monitor *mon = ctx;
    mon->m = m;
    if (m)
        for (unsigned i = 0; i < mon->nsessions; i++) {
            unsigned n;
            virt_harts(m, &n);
            if (mon->sessions[i]->cpu >= n)
                mon->sessions[i]->cpu = 0;
        }
}

static void vm_poll(void *ctx)
{
    struct monitor *mon = ctx;
    for (unsigned i = 0; i < mon->nsessions && mon->m; i++)
        if (mon->sessions[i] != mon->serial)
            session_poll(mon->sessions[i]);
    for (unsigned i = 0; i < mon->npollers && mon->m; i++)
        mon->pollers[i].poll(mon->pollers[i].ctx);
}

static void vm_event(void *ctx, enum virt_event ev, const char *reason)
{
    struct monitor *mon = ctx;
    for (unsigned i = 0; i < mon->nlisteners; i++)
        mon->listeners[i].fn(mon->listeners[i].ctx, ev, reason);
}

struct monitor *monitor_new(void)
{
    struct monitor *mon = calloc(1, sizeof *mon);
    if (!mon)
        return NULL;
    mon->vm = (struct virt_monitor){ .ctx = mon, .attach = vm_attach, .poll = vm_poll, .event = vm_event };
    return mon;
}

void monitor_free(struct monitor *mon)
{
    if (!mon)
        return;
    for (unsigned i = 0; i < mon->nsessions; i++)
        free(mon->sessions[i]);
    free(mon);
}

void monitor_set_display(struct monitor *mon, struct display_host *d) { mon->display = d; }

void monitor_set_chardevs(struct monitor *mon, struct chardev *const *cds, unsigned n)
{
    mon->chardevs = cds;
    mon->nchardevs = n;
}

struct chardev *monitor_chardev(const struct monitor *mon, const char *id)
{
    for (unsigned i = 0; i < mon->nchardevs; i++)
        if (mon->chardevs[i] && !strcmp(chardev_id(mon->chardevs[i]), id))
            return mon->chardevs[i];
    return NULL;
}

unsigned monitor_chardev_list(const struct monitor *mon, struct chardev *const **cds)
{
    *cds = mon->chardevs;
    return mon->nchardevs;
}
const struct virt_monitor *monitor_virt(struct monitor *mon) { return &mon->vm; }

/* ---- commands on the machine as a whole ---- */

static int cmp_cmd(const void *a, const void *b)
{
    const struct monitor_command *x = *(const struct monitor_command *const *)a;
    const struct monitor_command *y = *(const struct monitor_command *const *)b;
    return strcmp(x->name, y->name);
}

static void list(struct monitor_call *c, bool info, const char *only)
{
    const struct monitor_command *v[256];
    unsigned n = 0;
    for (const struct monitor_command *const *k = monitor_commands; *k && n < 256; k++) {
        if (!(*k)->name)
            continue;
        bool is_info = !strncmp((*k)->name, "info ", 5);
        if (is_info != info && !only)
            continue;
        if (only && strcmp((*k)->name, only) && (!(*k)->alias || strcmp((*k)->alias, only)))
            continue;
        v[n++] = *k;
    }
    qsort(v, n, sizeof v[0], cmp_cmd);
    for (unsigned i = 0; i < n; i++) {
        char left[80];
        const char *a = v[i]->args;
        snprintf(left, sizeof left, "%s%s%s%s%s", v[i]->name, v[i]->alias ? "|" : "", v[i]->alias ? v[i]->alias : "",
                 a && *a != '/' ? " " : "", a ? a : "");
        monitor_printf(c, "%-28s -- %s\n", left, v[i]->help);
    }
}

static int do_help(struct monitor_call *c, int argc, char **argv)
{
    if (argc) {
        char key[64];
        if (!strcmp(argv[0], "info") && argc > 1)
            snprintf(key, sizeof key, "info %s", argv[1]);
        else if (!strcmp(argv[0], "info"))
            return list(c, true, NULL), 0;
        else
            snprintf(key, sizeof key, "%s", argv[0]);
        const struct monitor_command *cmd = find(key);
        for (const struct monitor_command *const *k = monitor_commands; *k && !cmd; k++)
            if ((*k)->alias && !strcmp((*k)->alias, key))
                cmd = *k;
        if (!cmd)
            return monitor_error(c, "unknown command: '%s'", key);
        list(c, false, cmd->name);
        return 0;
    }
    list(c, false, NULL);
    return 0;
}
MONITOR_COMMAND(help) = {
    .name = "help", .alias = "?", .args = "[CMD]", .max_args = 2,
    .help = "list the commands, or show one", .run = do_help,
};

static int do_info(struct monitor_call *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    list(c, true, NULL);
    return 0;
}
MONITOR_COMMAND(info) = {
    .name = "info", .args = "[WHAT]", .help = "show the machine: info alone lists what", .run = do_info,
};

static int do_info_status(struct monitor_call *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    const char *st = virt_status(c->m);
    if (!strcmp(st, "running"))
        monitor_printf(c, "VM status: running\n");
    else if (!strcmp(st, "shutdown"))
        monitor_printf(c, "VM status: paused (shutdown)\n");
    else
        monitor_printf(c, "VM status: paused\n");
    for (const struct monitor_command *const *k = monitor_commands; *k; k++)
        if ((*k)->status)
            (*k)->status(c);
    return 0;
}
MONITOR_COMMAND(info_status) = {
    .name = "info status", .help = "running or paused", .run = do_info_status,
};

static int do_stop(struct monitor_call *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    virt_stop(c->m);
    return 0;
}
MONITOR_COMMAND(stop) = {
    .name = "stop", .help = "stop the machine: harts and virtual time", .run = do_stop,
};

static int do_cont(struct monitor_call *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    if (virt_cont(c->m) < 0)
        return monitor_error(c, "the guest powered off: system_reset first (or quit)");
    return 0;
}
MONITOR_COMMAND(cont) = {
    .name = "cont", .alias = "c", .help = "let the machine run again", .run = do_cont,
};

static int do_quit(struct monitor_call *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    virt_quit(c->m);
    return 0;
}
MONITOR_COMMAND(quit) = {
    .name = "quit", .alias = "q", .help = "end rivet", .run = do_quit,
};

static int do_system_reset(struct monitor_call *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    virt_system_reset(c->m);
    return 0;
}
MONITOR_COMMAND(system_reset) = {
    .name = "system_reset", .help = "reset the machine (as the guest's reboot)", .run = do_system_reset,
};

static int do_system_powerdown(struct monitor_call *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    if (virt_system_powerdown(c->m) < 0)
        return monitor_error(c, "the guest cannot be asked to power off: virt has no ACPI; a virtio keyboard "
                                "would get KEY_POWER");
    return 0;
}
MONITOR_COMMAND(system_powerdown) = {
    .name = "system_powerdown", .help = "ask the guest to power off (KEY_POWER on the virtio keyboard)",
    .run = do_system_powerdown,
};

static int do_cpu(struct monitor_call *c, int argc, char **argv)
{
    (void)argc;
    unsigned n;
    virt_harts(c->m, &n);
    uint64_t v;
    if (monitor_parse_value(argv[0], NULL, &v) < 0 || v >= n)
        return monitor_error(c, "cpu %s: no such hart (0 to %u)", argv[0], n - 1);
    *c->cpu = (unsigned)v;
    return 0;
}
MONITOR_COMMAND(cpu) = {
    .name = "cpu", .args = "N", .min_args = 1, .max_args = 1,
    .help = "make hart N the current one (x, info registers)", .run = do_cpu,
};
