/* frontends/term.c: raw host terminal with QEMU's Ctrl-A escapes, restored
 * on every way out of the process. */
#include "frontends/term.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define ESC_KEY 0x01 /* Ctrl-A */

/* Every catchable signal whose default action ends the process (POSIX
 * "terminate" or "core", Linux's extras); the real-time signals are added
 * at run time. SIGKILL and SIGSTOP cannot be caught. */
static const int fatal_signals[] = {
    SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1, SIGSEGV,
    SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGSYS,
#ifdef SIGSTKFLT
    SIGSTKFLT,
#endif
#ifdef SIGIO
    SIGIO,
#endif
#ifdef SIGPWR
    SIGPWR,
#endif
};
#define NFATAL (sizeof fatal_signals / sizeof fatal_signals[0])

struct term {
    int in_fd, out_fd;
    bool tty;              /* in_fd is a terminal: raw mode and escapes */
    bool eof;
    bool esc;              /* Ctrl-A seen, the command key is next */
    struct termios saved;  /* valid when tty */
    struct sigaction old_sa[NSIG];
    bool handled[NSIG];    /* our handler is installed for signal i */
    /* Input read but not yet handed over (kept when an escape stops a read). */
    uint8_t in[256];
    size_t in_pos, in_len;
    /* Ctrl-A t: each output line starts with the wall time since it was
     * switched on, as QEMU's muxed console ("[hh:mm:ss.mmm] "). */
    bool timestamps, line_start;
    int64_t stamp_start_ms;
};

/* The terminal is process-wide state and the only things that can reach it
 * from a signal handler or atexit are statics: the one open term (so those
 * handlers find the saved termios) and whether atexit already knows us.
 * This is the project's one exception to "no globals". */
static struct term *volatile term_active;
static bool term_atexit_registered;

/* Async-signal-safe: tcsetattr only. */
static void term_restore_state(const struct term *t)
{
    if (t->tty)
        tcsetattr(t->in_fd, TCSANOW, &t->saved);
}

static void term_on_exit(void)
{
    struct term *t = term_active;
    if (t)
        term_restore_state(t);
}

static void term_on_signal(int sig)
{
    int saved_errno = errno;
    struct term *t = term_active;
    if (t)
        term_restore_state(t);
    /* SA_RESETHAND has put back the default action and SA_NODEFER lets the
     * re-raised signal through at once. */
    raise(sig);
    errno = saved_errno;
}

static void term_handle(struct term *t, int sig)
{
    if (sig <= 0 || sig >= NSIG)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = term_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    if (sigaction(sig, NULL, &t->old_sa[sig]) < 0)
        return;
    /* Only signals that would end the process as things are: one the user
     * chose to ignore (nohup, background jobs) stays ignored, and one with
     * a handler already (SIGUSR1 for screendumps) keeps it. */
    if ((t->old_sa[sig].sa_flags & SA_SIGINFO) || t->old_sa[sig].sa_handler != SIG_DFL)
        return;
    if (sigaction(sig, &sa, NULL) == 0)
        t->handled[sig] = true;
}

static void term_install_handlers(struct term *t)
{
    for (size_t i = 0; i < NFATAL; i++)
        term_handle(t, fatal_signals[i]);
#ifdef SIGRTMIN
    for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
        term_handle(t, sig);
#endif
}

static void term_remove_handlers(struct term *t)
{
    for (int sig = 1; sig < NSIG; sig++)
        if (t->handled[sig]) {
            sigaction(sig, &t->old_sa[sig], NULL);
            t->handled[sig] = false;
        }
}

struct term *term_open(int in_fd, int out_fd)
{
    return term_open_signals(in_fd, out_fd, false);
}

void term_restore_now(void)
{
    term_on_exit();
}

struct term *term_open_signals(int in_fd, int out_fd, bool signals)
{
    if (term_active) {
        errno = EBUSY;
        return NULL;
    }
    struct term *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->in_fd = in_fd;
    t->out_fd = out_fd;
    if (fcntl(in_fd, F_GETFD) < 0 || fcntl(out_fd, F_GETFD) < 0)
        goto fail;
    struct termios raw;
    if (isatty(in_fd)) {
        if (tcgetattr(in_fd, &t->saved) < 0)
            goto fail;
        t->tty = true;
        raw = t->saved;
        cfmakeraw(&raw); /* also clears OPOST: the guest's "\r\n" goes out as is */
        if (signals)
            raw.c_lflag |= ISIG; /* Ctrl-C, Ctrl-\ and Ctrl-Z reach rivet, not the guest */
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
    }

    /* Published before the terminal changes, so that a signal arriving in
     * the middle already restores it. A plain stream has nothing to
     * restore and keeps the signal dispositions it had. */
    term_active = t;
    if (!t->tty)
        return t;
    if (!term_atexit_registered && atexit(term_on_exit) == 0)
        term_atexit_registered = true;
    term_install_handlers(t);
    if (tcsetattr(in_fd, TCSANOW, &raw) < 0)
        goto fail_active;
    return t;

fail_active: {
        int e = errno;
        term_remove_handlers(t);
        term_restore_state(t);
        term_active = NULL;
        errno = e;
    }
fail: {
        int e = errno;
        free(t);
        errno = e;
        return NULL;
    }
}

void term_close(struct term *t)
{
    if (!t)
        return;
    if (term_active == t) {
        term_remove_handlers(t);
        term_restore_state(t);
        term_active = NULL;
    }
    free(t);
}

int term_fd(const struct term *t) { return t->in_fd; }

bool term_eof(const struct term *t) { return t->eof; }

static void term_write_raw(struct term *t, const uint8_t *buf, size_t len);

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void term_write(struct term *t, const uint8_t *buf, size_t len)
{
    if (!t->timestamps) {
        term_write_raw(t, buf, len);
        return;
    }
    while (len) {
        if (t->line_start) {
            int64_t ms = wall_ms() - t->stamp_start_ms;
            char stamp[48];
            int n = snprintf(stamp, sizeof stamp, "[%02d:%02d:%02d.%03d] ", (int)(ms / 3600000),
                             (int)(ms / 60000 % 60), (int)(ms / 1000 % 60), (int)(ms % 1000));
            term_write_raw(t, (const uint8_t *)stamp, (size_t)n);
            t->line_start = false;
        }
        const uint8_t *nl = memchr(buf, '\n', len);
        size_t n = nl ? (size_t)(nl - buf) + 1 : len;
        term_write_raw(t, buf, n);
        t->line_start = nl != NULL;
        buf += n;
        len -= n;
    }
}

static void term_write_raw(struct term *t, const uint8_t *buf, size_t len)
{
    while (len) {
        ssize_t n = write(t->out_fd, buf, len);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = { .fd = t->out_fd, .events = POLLOUT };
            if (poll(&p, 1, -1) < 0 && errno != EINTR)
                return;
            if (p.revents & (POLLERR | POLLNVAL))
                return;
            continue;
        }
        return; /* the output is gone: nothing the guest can do about it */
    }
}

static void term_puts(struct term *t, const char *s)
{
    term_write(t, (const uint8_t *)s, strlen(s));
}

static const char term_help[] =
    "\r\n"
    "C-a h    print this help\r\n"
    "C-a x    exit emulator\r\n"
    "C-a s    write a screendump of the display (PNG)\r\n"
    "C-a b    send break (magic sysrq)\r\n"
    "C-a t    toggle console timestamps\r\n"
    "C-a c    switch between console and monitor\r\n"
    "C-a C-a  sends C-a\r\n";

/* Handles the key after Ctrl-A. Returns a byte for the guest, or -1. */
static int term_escape(struct term *t, uint8_t key, int *event)
{
    switch (key) {
    case ESC_KEY:
        return ESC_KEY;
    case 'x':
        term_puts(t, "\r\nrivet: terminated\r\n");
        *event = TERM_EV_QUIT;
        return -1;
    case 'b':
        *event = TERM_EV_BREAK;
        return -1;
    case 't':
        t->timestamps = !t->timestamps;
        t->stamp_start_ms = wall_ms();
        t->line_start = false;
        return -1;
    case 'c':
        *event = TERM_EV_MONITOR; /* the monitor (frontends/monitor.c) answers */
        return -1;
    case 's':
        *event = TERM_EV_SCREENDUMP;
        return -1;
    case 'h':
        term_puts(t, term_help);
        return -1;
    default:
        return -1;
    }
}

/* poll() instead of O_NONBLOCK: the flag belongs to the open file
 * description, which a terminal's stdin usually shares with stdout and
 * stderr, so setting it would make every other writer to the terminal
 * (log lines on stderr) fail with EAGAIN. After POLLIN (or POLLHUP) a
 * read does not block: VMIN is 1 on a terminal, and pipes and files return
 * what they have. */
static bool term_readable(const struct term *t)
{
    struct pollfd p = { .fd = t->in_fd, .events = POLLIN };
    int n;
    do
        n = poll(&p, 1, 0);
    while (n < 0 && errno == EINTR);
    return n > 0;
}

int term_read(struct term *t, uint8_t *buf, size_t len, int *event)
{
    int dummy;
    if (!event)
        event = &dummy;
    *event = TERM_EV_NONE;
    if (len == 0)
        return 0;

    if (t->in_pos == t->in_len && !t->eof && term_readable(t)) {
        t->in_pos = t->in_len = 0;
        ssize_t n;
        do
            n = read(t->in_fd, t->in, sizeof t->in);
        while (n < 0 && errno == EINTR);
        if (n > 0) {
            t->in_len = (size_t)n;
        } else if (n == 0 || errno == EIO) {
            t->eof = true; /* end of file, or the terminal hung up */
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return -1;
        }
    }

    size_t out = 0;
    while (out < len && t->in_pos < t->in_len) {
        uint8_t c = t->in[t->in_pos++];
        if (!t->tty) {
            buf[out++] = c;
        } else if (t->esc) {
            t->esc = false;
            int g = term_escape(t, c, event);
            if (g >= 0)
                buf[out++] = (uint8_t)g;
            if (*event != TERM_EV_NONE)
                break;
        } else if (c == ESC_KEY) {
            t->esc = true;
        } else {
            buf[out++] = c;
        }
    }
    return (int)out; /* at most sizeof t->in */
}
