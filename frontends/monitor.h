/* frontends/monitor.h: QEMU's human monitor (HMP) and its command table.
 *
 * One struct monitor serves every way in: Ctrl-A c on the serial
 * terminal, -monitor stdio|unix:..|tcp:.., gdb's `monitor CMD`, and QMP's
 * human-monitor-command (frontends/qmp.c). Commands run only from the run
 * loop's poll, between CPU slices (machine/virt.h struct virt_monitor).
 *
 * Commands register themselves, like device types: a file anywhere in
 * frontends/ writes
 *
 *     static int do_stop(struct monitor_call *c, int argc, char **argv) { ... }
 *     MONITOR_COMMAND(stop) = {
 *         .name = "stop", .help = "stop the machine (virtual time too)", .run = do_stop,
 *     };
 *
 * and scripts/gen-list.sh collects every `MONITOR_COMMAND(id)`
 * line into build/gen/monitor_list.c. `info X` subcommands are commands
 * named "info X". No file lists them by hand.
 */
#ifndef RIVET_MONITOR_H
#define RIVET_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/virt.h"

struct monitor;
struct chardev;
struct display_host;

/* One command being run. */
struct monitor_call {
    struct monitor *mon;
    struct virt *m;             /* the machine (never NULL while a command runs) */
    const char *fmt;            /* "4xg" of "x/4xg", or NULL */
    unsigned *cpu;              /* the session's current hart (`cpu N`) */
    void (*out)(void *octx, const char *text);
    void *octx;
    bool failed;                /* monitor_error was called */
};

struct monitor_command {
    const char *name;           /* "stop", "info status"; NULL: only a status line */
    const char *alias;          /* "c" for cont, or NULL */
    const char *args;           /* for help: "ADDR", "[N]"; NULL: none */
    const char *help;           /* one line */
    int min_args, max_args;     /* how many words may follow (else a one-line error) */
    bool takes_fmt;             /* x/FMT: c->fmt */
    /* Optional: more lines for `info status` (after "VM status: ..."). */
    void (*status)(struct monitor_call *c);
    /* argv: the words after the name (quotes removed); argc <= MONITOR_MAX_ARGS.
     * Returns 0, or -1 after monitor_error. */
    int (*run)(struct monitor_call *c, int argc, char **argv);
};

#define MONITOR_COMMAND(id) const struct monitor_command monitor_command_##id
/* the generated list, NULL-terminated */
extern const struct monitor_command *const monitor_commands[];

void monitor_printf(struct monitor_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One line, "Error: ..." (the command fails; the machine is untouched). */
int monitor_error(struct monitor_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The display (screendump), or NULL. */
struct display_host *monitor_display(const struct monitor *);

/* ---- parsing (pure, for unit tests and the fuzz harness) ---- */

#define MONITOR_MAX_ARGS 16
#define MONITOR_MAX_LINE 1024
struct monitor_line {
    char *name;                 /* "x", "info", "" for an empty line */
    char *fmt;                  /* after '/', or NULL */
    int argc;
    char *argv[MONITOR_MAX_ARGS];
    char buf[MONITOR_MAX_LINE + 1];
};
/* Splits a line into words (spaces and tabs; "double quotes" with \" and
 * \\ keep spaces). 0, or -1 with a one-line reason. */
int monitor_parse_line(const char *line, struct monitor_line *out, char *err, size_t errlen);

/* x/FMT: [count][format][size] in any order after the count, as QEMU.
 * format: x d u o c i (default x), size: b h w g (default w; c: b). */
struct monitor_fmt {
    unsigned count;
    char format;
    unsigned size;              /* bytes: 1 2 4 8 */
};
int monitor_parse_fmt(const char *fmt, struct monitor_fmt *out, char *err, size_t errlen);
/* A number (0x.. hex, decimal, 0.. octal) or, with a hart, $pc, $sp, $a0,
 * $x5 ...; 0 or -1. */
struct rv_hart;
int monitor_parse_value(const char *s, const struct rv_hart *h, uint64_t *out);

/* ---- the monitor ---- */

struct monitor *monitor_new(void);
void monitor_free(struct monitor *);
void monitor_set_display(struct monitor *, struct display_host *);
/* The -chardev's, for ringbuf_read/ringbuf_write/info chardev (the array
 * stays the caller's and must outlive the monitor). */
void monitor_set_chardevs(struct monitor *, struct chardev *const *cds, unsigned n);
struct chardev *monitor_chardev(const struct monitor *, const char *id);
unsigned monitor_chardev_list(const struct monitor *, struct chardev *const **cds);
/* The ringbuf chardev named id, or NULL with QEMU's error text. */
struct chardev *monitor_ringbuf(struct monitor *, const char *id, char *err, size_t errlen);
/* What the board calls (machine/virt.h). */
const struct virt_monitor *monitor_virt(struct monitor *);

/* Runs one command line; the output goes to out. From gdb's `monitor CMD`
 * and QMP. Returns 0, or -1 when the command failed. */
int monitor_run_line(struct monitor *, const char *line, unsigned *cpu,
                     void (*out)(void *octx, const char *text), void *octx);

/* -monitor DEV: an HMP session on a chardev (a socket greets each new
 * client; stdio echoes what is typed when it is a terminal). */
int monitor_add_chardev(struct monitor *, struct chardev *, bool echo);

/* The serial terminal's Ctrl-A c: a session on `serial` that takes the
 * terminal's input while active (toggled by Ctrl-A c). */
void monitor_set_serial(struct monitor *, struct chardev *serial);
void monitor_serial_toggle(struct monitor *);
bool monitor_serial_active(const struct monitor *);
/* Bytes typed while it is active. */
void monitor_serial_input(struct monitor *, const uint8_t *buf, size_t len);

/* For QMP sessions (frontends/qmp.c): events go to each listener. */
typedef void (*monitor_event_fn)(void *ctx, enum virt_event ev, const char *reason);
int monitor_add_listener(struct monitor *, monitor_event_fn fn, void *ctx);
void monitor_remove_listener(struct monitor *, monitor_event_fn fn, void *ctx);
/* Another session kind (QMP servers): poll is called from the monitor's
 * poll, fd (may be NULL) gives its poll(2) fd or -1. */
int monitor_add_poller(struct monitor *, void (*poll)(void *ctx), int (*fd)(void *ctx), void *ctx);
/* The machine, while one is attached (QMP commands), else NULL. */
struct virt *monitor_machine(const struct monitor *);

/* poll(2) fds of every session (the idle wait includes them); returns
 * how many were written (at most max). */
unsigned monitor_fds(const struct monitor *, int *fds, unsigned max);

#endif
