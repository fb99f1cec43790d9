/* frontends/term.h: the host terminal behind `-nographic` / `-serial stdio`.
 *
 * When the input is a terminal it is put in raw mode (no echo, no line
 * editing, no signals from ^C, no CR/NL translation either way: the guest
 * sends its own "\r\n") and QEMU's escape key works: Ctrl-A then
 *   x    quit (prints "rivet: terminated" on its own line)
 *   h    key help        C-a  send a literal Ctrl-A to the guest
 *   s    screendump of the display (frontends/display_host.h)
 *   b    send a break    t    toggle "[hh:mm:ss.mmm] " stamps on output lines
 *   c    switch between the console and the monitor (frontends/monitor.h)
 * Other keys after Ctrl-A are swallowed. When the input is not a terminal
 * (a pipe, a file) the bytes pass through untouched and end of input is
 * remembered (term_eof).
 *
 * Whatever way the process ends, the terminal is left as it was found: an
 * atexit handler, and a handler for every catchable signal whose default
 * action ends the process (SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP,
 * SIGABRT, SIGBUS, SIGFPE, SIGUSR1/2, SIGSEGV, SIGPIPE, SIGALRM, SIGTERM,
 * SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSYS
 * and the real-time signals) restore it, then let the signal take its
 * default action. Only signals at their default action when the terminal
 * is opened are taken: an ignored one stays ignored, one the program
 * already handles (SIGUSR1 with a display) keeps its handler. _exit()
 * and SIGKILL leave the terminal as it is.
 *
 * term_read never blocks, yet the input fd is not switched to O_NONBLOCK:
 * that flag would be shared with stdout/stderr on the same terminal (see
 * term.c). Only one term can be open at a time in a process.
 */
#ifndef RIVET_TERM_H
#define RIVET_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct term;

enum term_event {
    TERM_EV_NONE = 0,
    TERM_EV_QUIT,     /* Ctrl-A x */
    TERM_EV_MONITOR,  /* Ctrl-A c */
    TERM_EV_SCREENDUMP, /* Ctrl-A s: write a screendump of the display */
    TERM_EV_BREAK,    /* Ctrl-A b: send a break to the serial line */
};

/* NULL with errno set on failure (EBUSY: a term is already open). */
struct term *term_open(int in_fd, int out_fd);
/* The same; signals: the terminal keeps ISIG, so Ctrl-C (SIGINT), Ctrl-\
 * and Ctrl-Z act on rivet as in QEMU's `-serial stdio` (signal=on). */
struct term *term_open_signals(int in_fd, int out_fd, bool signals);
/* Async-signal-safe: puts the open terminal (if any) back as it was
 * found, for another module's signal handler (the -pidfile one). */
void term_restore_now(void);

/* Never blocks. Returns the number of bytes for the guest (0 if none), or
 * -1 on a read error. When an escape command is recognised, *event (if not
 * NULL) says which and the bytes before it are returned; input after it is
 * kept for the next call. *event is TERM_EV_NONE otherwise. */
int term_read(struct term *, uint8_t *buf, size_t len, int *event);

/* Writes all of buf, waiting for the fd to drain when it is non-blocking.
 * Gives up silently when the output is gone (EPIPE, EIO). */
void term_write(struct term *, const uint8_t *buf, size_t len);

/* The input fd, for poll(). */
int term_fd(const struct term *);

/* True once the input hit end of file (or, for a terminal, hung up). */
bool term_eof(const struct term *);

/* Restores the terminal and the signal handlers, then frees. NULL is a no-op. */
void term_close(struct term *);

#endif
