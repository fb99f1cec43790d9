/* tests/unit/test_term.c: raw mode, escapes and restoration, on a pty
 * (posix_openpt, no libutil) and on pipes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "frontends/term.h"

struct pty {
    int master, slave;
    struct termios cooked; /* the slave's settings before term_open */
};

/* Hosts without ptys (some containers) skip the pty tests. */
static int pty_setup(void **state)
{
    *state = NULL;
    struct pty *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    p->slave = -1;
    p->master = posix_openpt(O_RDWR | O_NOCTTY);
    const char *name = NULL;
    if (p->master >= 0 && grantpt(p->master) == 0 && unlockpt(p->master) == 0)
        name = ptsname(p->master);
    if (name)
        p->slave = open(name, O_RDWR | O_NOCTTY);
    if (p->slave < 0 || tcgetattr(p->slave, &p->cooked) < 0) {
        if (p->master >= 0)
            close(p->master);
        if (p->slave >= 0)
            close(p->slave);
        free(p);
        return 0;
    }
    *state = p;
    return 0;
}

static int pty_teardown(void **state)
{
    struct pty *p = *state;
    if (!p)
        return 0;
    close(p->slave);
    close(p->master);
    free(p);
    return 0;
}

static struct pty *need_pty(void **state)
{
    if (!*state) {
        print_message("skipped: no pseudo-terminal available\n");
        skip();
    }
    return *state;
}

static void assert_cooked(const struct pty *p)
{
    struct termios now;
    assert_int_equal(tcgetattr(p->slave, &now), 0);
    assert_int_equal(now.c_iflag, p->cooked.c_iflag);
    assert_int_equal(now.c_oflag, p->cooked.c_oflag);
    assert_int_equal(now.c_lflag, p->cooked.c_lflag);
    assert_int_equal(now.c_cflag, p->cooked.c_cflag);
    assert_memory_equal(now.c_cc, p->cooked.c_cc, sizeof now.c_cc);
}

static bool is_raw(int fd)
{
    struct termios t;
    if (tcgetattr(fd, &t) < 0)
        return false;
    return !(t.c_lflag & (ICANON | ECHO | ISIG | IEXTEN)) && !(t.c_oflag & OPOST) &&
           !(t.c_iflag & (ICRNL | INLCR | IGNCR | IXON | ISTRIP)) && (t.c_cflag & CSIZE) == CS8;
}

static void put(int fd, const char *s)
{
    size_t n = strlen(s);
    assert_int_equal(write(fd, s, n), (ssize_t)n);
}

/* Reads through term until want bytes arrived or an event came (1 s max). */
static size_t get(struct term *t, uint8_t *buf, size_t want, int *event)
{
    size_t got = 0;
    *event = TERM_EV_NONE;
    for (int tries = 0; tries < 100 && got < want; tries++) {
        int ev;
        int n = term_read(t, buf + got, want - got, &ev);
        assert_true(n >= 0);
        got += (size_t)n;
        if (ev != TERM_EV_NONE) {
            *event = ev;
            break;
        }
        if (got < want) {
            struct pollfd pfd = { .fd = term_fd(t), .events = POLLIN };
            poll(&pfd, 1, 10);
        }
    }
    return got;
}

/* Everything the master side can read within ~200 ms. */
static size_t drain(int fd, char *buf, size_t size)
{
    size_t got = 0;
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, 200) <= 0 || got + 1 >= size)
            break;
        ssize_t n = read(fd, buf + got, size - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    buf[got] = 0;
    return got;
}

static void test_pty_raw_and_restore(void **state)
{
    struct pty *p = need_pty(state);
    assert_false(is_raw(p->slave));
    int flags = fcntl(p->slave, F_GETFL);
    struct term *t = term_open(p->slave, p->slave);
    assert_non_null(t);
    assert_true(is_raw(p->slave));
    /* Non-blocking reads without O_NONBLOCK, which stdout/stderr would share. */
    assert_int_equal(fcntl(p->slave, F_GETFL), flags);
    assert_int_equal(term_fd(t), p->slave);

    /* Only one at a time. */
    errno = 0;
    assert_null(term_open(p->slave, p->slave));
    assert_int_equal(errno, EBUSY);

    uint8_t buf[64];
    int ev;
    assert_int_equal(term_read(t, buf, sizeof buf, &ev), 0); /* nothing yet, no blocking */
    assert_int_equal(ev, TERM_EV_NONE);

    /* CR, ^C, ^Z, ^D and DEL reach the guest untranslated. */
    put(p->master, "hi\r\003\032\004\177\n");
    assert_int_equal(get(t, buf, 8, &ev), 8);
    assert_memory_equal(buf, "hi\r\003\032\004\177\n", 8);

    /* Output goes out byte for byte: no CR inserted before NL. */
    term_write(t, (const uint8_t *)"out\nx", 5);
    char echo[256];
    assert_int_equal(drain(p->master, echo, sizeof echo), 5);
    assert_string_equal(echo, "out\nx");
    assert_false(term_eof(t));

    term_close(t);
    assert_cooked(p);
    assert_int_equal(fcntl(p->slave, F_GETFL), flags);
    /* Open again after close works. */
    t = term_open(p->slave, p->slave);
    assert_non_null(t);
    term_close(t);
    term_close(NULL);
    assert_cooked(p);
}

static void test_pty_escapes(void **state)
{
    struct pty *p = need_pty(state);
    struct term *t = term_open(p->slave, p->slave);
    assert_non_null(t);
    uint8_t buf[64];
    int ev;
    char out[1024];

    /* Ctrl-A x: the bytes before come out with the event, the rest stays. */
    put(p->master, "ab\001xcd");
    assert_int_equal(get(t, buf, 10, &ev), 2);
    assert_int_equal(ev, TERM_EV_QUIT);
    assert_memory_equal(buf, "ab", 2);
    /* the host prompt will start on its own line */
    assert_int_equal(drain(p->master, out, sizeof out), 21);
    assert_string_equal(out, "\r\nrivet: terminated\r\n");
    assert_int_equal(get(t, buf, 2, &ev), 2);
    assert_int_equal(ev, TERM_EV_NONE);
    assert_memory_equal(buf, "cd", 2);

    /* Ctrl-A Ctrl-A sends one Ctrl-A; unknown commands are swallowed. */
    put(p->master, "1\001\0012\001z3");
    assert_int_equal(get(t, buf, 4, &ev), 4);
    assert_memory_equal(buf, "1\0012" "3", 4);
    assert_int_equal(drain(p->master, out, sizeof out), 0); /* nothing echoed */

    /* An escape split across two reads. */
    put(p->master, "q\001");
    assert_int_equal(get(t, buf, 1, &ev), 1);
    assert_int_equal(buf[0], 'q');
    assert_int_equal(term_read(t, buf, sizeof buf, &ev), 0);
    put(p->master, "x");
    assert_int_equal(get(t, buf, 1, &ev), 0);
    assert_int_equal(ev, TERM_EV_QUIT);
    drain(p->master, out, sizeof out);

    /* Ctrl-A h prints the help with CRLF line ends; nothing for the guest. */
    put(p->master, "\001h");
    assert_int_equal(get(t, buf, 1, &ev), 0);
    assert_int_equal(ev, TERM_EV_NONE);
    drain(p->master, out, sizeof out);
    assert_non_null(strstr(out, "C-a h    print this help\r\n"));
    assert_non_null(strstr(out, "C-a x    exit emulator\r\n"));
    assert_non_null(strstr(out, "C-a b    send break"));
    assert_non_null(strstr(out, "C-a t    toggle console timestamps"));
    assert_non_null(strstr(out, "C-a c    switch between console and monitor\r\n"));
    assert_non_null(strstr(out, "C-a C-a  sends C-a\r\n"));
    for (const char *s = strchr(out, '\n'); s; s = strchr(s + 1, '\n'))
        assert_int_equal(s[-1], '\r');

    /* Ctrl-A c: the monitor event; the monitor (frontends/monitor.c) answers. */
    put(p->master, "\001cz");
    assert_int_equal(get(t, buf, 1, &ev), 0);
    assert_int_equal(ev, TERM_EV_MONITOR);
    assert_int_equal(get(t, buf, 1, &ev), 1);
    assert_int_equal(buf[0], 'z');

    /* Ctrl-A b: the break event; nothing for the guest. */
    put(p->master, "\001bk");
    assert_int_equal(get(t, buf, 1, &ev), 0);
    assert_int_equal(ev, TERM_EV_BREAK);
    assert_int_equal(get(t, buf, 1, &ev), 1);
    assert_int_equal(buf[0], 'k');

    /* Ctrl-A t: output lines start with [hh:mm:ss.mmm] until it is pressed again. */
    put(p->master, "\001t");
    assert_int_equal(get(t, buf, 1, &ev), 0);
    term_write(t, (const uint8_t *)"a\nb", 3);
    term_write(t, (const uint8_t *)"c\r\n", 3);
    drain(p->master, out, sizeof out);
    assert_int_equal(strlen(out), 3 + 15 + 3);
    assert_memory_equal(out, "a\n[00:00:", 9); /* wall time since the toggle: a second at most */
    assert_true(out[9] >= '0' && out[9] <= '5' && out[11] == '.' && out[15] == ']');
    assert_string_equal(out + 15, "] bc\r\n");
    put(p->master, "\001t");
    assert_int_equal(get(t, buf, 1, &ev), 0);
    term_write(t, (const uint8_t *)"d\n", 2);
    drain(p->master, out, sizeof out);
    assert_string_equal(out, "d\n");

    /* A NULL event pointer is accepted. */
    put(p->master, "k");
    for (int i = 0; i < 100; i++) {
        if (term_read(t, buf, 1, NULL) == 1)
            break;
        poll(NULL, 0, 10);
    }
    assert_int_equal(buf[0], 'k');
    term_close(t);
    assert_cooked(p);
}

/* The pty hanging up counts as end of input. */
static void test_pty_hangup(void **state)
{
    struct pty *p = need_pty(state);
    struct term *t = term_open(p->slave, p->slave);
    assert_non_null(t);
    close(p->master);
    p->master = open("/dev/null", O_RDONLY); /* for the teardown */
    uint8_t buf[8];
    int ev;
    for (int i = 0; i < 100 && !term_eof(t); i++) {
        assert_true(term_read(t, buf, sizeof buf, &ev) >= 0);
        if (!term_eof(t))
            poll(NULL, 0, 10);
    }
    assert_true(term_eof(t));
    term_close(t);
}

/* Every signal back to its default action. */
static void default_signals(void)
{
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
}

enum how { BY_SIGTERM, BY_SIGINT, BY_SIGHUP, BY_SIGQUIT, BY_SIGSEGV, BY_SIGABRT, BY_EXIT,
           BY_IGNORED_HUP };

/* A child opens the terminal and dies in the given way; afterwards the
 * terminal must be cooked again. */
static void die_and_check(struct pty *p, enum how how)
{
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        default_signals(); /* as in a fresh process: cmocka catches some */
        struct rlimit no_core = { 0, 0 };
        setrlimit(RLIMIT_CORE, &no_core);
        if (how == BY_IGNORED_HUP)
            signal(SIGHUP, SIG_IGN);
        struct term *t = term_open(p->slave, p->slave);
        if (!t || !is_raw(p->slave))
            _exit(90);
        char c = 'r';
        if (write(ready[1], &c, 1) != 1)
            _exit(91);
        switch (how) {
        case BY_SIGTERM: raise(SIGTERM); break;
        case BY_SIGINT: raise(SIGINT); break;
        case BY_SIGHUP: raise(SIGHUP); break;
        case BY_SIGQUIT: raise(SIGQUIT); break;
        case BY_SIGSEGV: raise(SIGSEGV); break;
        case BY_SIGABRT: abort();
        case BY_EXIT: exit(7);
        case BY_IGNORED_HUP:
            raise(SIGHUP);          /* ignored: still alive, still raw */
            exit(is_raw(p->slave) ? 8 : 92);
        }
        _exit(93);
    }
    close(ready[1]);
    char c = 0;
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGSEGV, SIGABRT };
    if (how == BY_EXIT || how == BY_IGNORED_HUP) {
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), how == BY_EXIT ? 7 : 8);
    } else {
        if (!WIFSIGNALED(status))
            fail_msg("child exited with %d instead of dying of signal %d",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1, sigs[how]);
        assert_int_equal(WTERMSIG(status), sigs[how]);
    }
    assert_cooked(p);
}

static void test_pty_signals(void **state)
{
    struct pty *p = need_pty(state);
    for (enum how h = BY_SIGTERM; h <= BY_IGNORED_HUP; h++)
        die_and_check(p, h);
}

static volatile sig_atomic_t usr1_seen;
static void on_usr1(int sig) { usr1_seen = 1; }

/* A child opens the terminal and gets sig: it must die of it with the
 * terminal cooked again; with keep_handler, sig (SIGUSR1) has a handler of
 * the program's before term_open, which stays: the child lives on, raw. */
static void signal_and_check(struct pty *p, int sig, bool keep_handler)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        default_signals(); /* as in a fresh process: cmocka catches some */
        struct rlimit no_core = { 0, 0 };
        setrlimit(RLIMIT_CORE, &no_core);
        if (keep_handler)
            signal(sig, on_usr1);
        struct term *t = term_open(p->slave, p->slave);
        if (!t || !is_raw(p->slave))
            _exit(90);
        raise(sig);
        exit(keep_handler && usr1_seen && is_raw(p->slave) ? 9 : 93); /* atexit restores */
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (keep_handler) {
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 9);
    } else {
        if (!WIFSIGNALED(status))
            fail_msg("child exited with %d instead of dying of signal %d (%s)",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1, sig, strsignal(sig));
        assert_int_equal(WTERMSIG(status), sig);
    }
    assert_cooked(p);
}

/* Issue #18: SIGBUS, SIGILL, SIGFPE, SIGTRAP and SIGSYS left the terminal
 * raw; now every catchable signal whose default ends the process restores
 * it. */
static void test_pty_every_fatal_signal(void **state)
{
    struct pty *p = need_pty(state);
    static const int sigs[] = {
        SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1, SIGSEGV,
        SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGSYS,
        SIGSTKFLT, SIGIO, SIGPWR,
    };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal_and_check(p, sigs[i], false);
    for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
        signal_and_check(p, sig, false);
    signal_and_check(p, SIGUSR1, true);
}

/* External SIGTERM while the child sits in its loop, as from `kill`. */
static void test_pty_kill(void **state)
{
    struct pty *p = need_pty(state);
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        default_signals(); /* as in a fresh process: cmocka catches some */
        struct term *t = term_open(p->slave, p->slave);
        if (!t)
            _exit(90);
        char c = 'r';
        if (write(ready[1], &c, 1) != 1)
            _exit(91);
        for (;;) {
            uint8_t buf[16];
            int ev;
            term_read(t, buf, sizeof buf, &ev);
            poll(NULL, 0, 5);
        }
    }
    close(ready[1]);
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    assert_true(is_raw(p->slave));
    assert_int_equal(kill(pid, SIGTERM), 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    assert_cooked(p);
}

static void test_pipe_passthrough(void **state)
{
    int in[2], out[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    int flags = fcntl(in[0], F_GETFL);
    struct sigaction before, after;
    sigaction(SIGTERM, NULL, &before);
    struct term *t = term_open(in[0], out[1]);
    assert_non_null(t);
    assert_int_equal(fcntl(in[0], F_GETFL), flags);
    sigaction(SIGTERM, NULL, &after);
    assert_ptr_equal(before.sa_handler, after.sa_handler); /* nothing to restore */
    uint8_t buf[64];
    int ev;
    assert_int_equal(term_read(t, buf, sizeof buf, &ev), 0);
    assert_false(term_eof(t));
    /* No escape processing on a plain stream. */
    put(in[1], "a\001xb\001\001");
    assert_int_equal(get(t, buf, 6, &ev), 6);
    assert_int_equal(ev, TERM_EV_NONE);
    assert_memory_equal(buf, "a\001xb\001\001", 6);
    /* Small reads keep the rest; EOF only after the data. */
    put(in[1], "12345");
    close(in[1]);
    assert_int_equal(get(t, buf, 2, &ev), 2);
    assert_memory_equal(buf, "12", 2);
    assert_false(term_eof(t));
    assert_int_equal(get(t, buf, 3, &ev), 3);
    assert_memory_equal(buf, "345", 3);
    assert_int_equal(term_read(t, buf, sizeof buf, &ev), 0);
    assert_true(term_eof(t));
    assert_int_equal(term_read(t, buf, sizeof buf, &ev), 0);
    assert_true(term_eof(t));
    term_write(t, (const uint8_t *)"done\n", 5);
    char r[8] = { 0 };
    assert_int_equal(read(out[0], r, sizeof r), 5);
    assert_string_equal(r, "done\n");
    term_close(t);
    assert_int_equal(fcntl(in[0], F_GETFL), flags);
    close(in[0]);
    close(out[0]);
    close(out[1]);
}

/* A megabyte into a non-blocking pipe that a slow child drains. */
static void test_write_nonblocking(void **state)
{
    int in[2], out[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    fcntl(out[1], F_SETFL, fcntl(out[1], F_GETFL) | O_NONBLOCK);
    enum { TOTAL = 1 << 20 };
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        default_signals(); /* as in a fresh process: cmocka catches some */
        close(out[1]);
        size_t got = 0;
        uint32_t sum = 0;
        uint8_t b[4096];
        for (;;) {
            ssize_t n = read(out[0], b, sizeof b);
            if (n <= 0)
                break;
            for (ssize_t i = 0; i < n; i++)
                sum = sum * 31 + b[i];
            got += (size_t)n;
            if (got < TOTAL / 2)
                poll(NULL, 0, 1);
        }
        uint32_t want = 0;
        for (size_t i = 0; i < TOTAL; i++)
            want = want * 31 + (uint8_t)(i * 13);
        _exit(got == TOTAL && sum == want ? 0 : 1);
    }
    close(out[0]);
    uint8_t *data = malloc(TOTAL);
    assert_non_null(data);
    for (size_t i = 0; i < TOTAL; i++)
        data[i] = (uint8_t)(i * 13);
    struct term *t = term_open(in[0], out[1]);
    assert_non_null(t);
    term_write(t, data, TOTAL);
    term_close(t);
    close(out[1]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    free(data);
    close(in[0]);
    close(in[1]);
}

static void test_bad_fd(void **state)
{
    errno = 0;
    assert_null(term_open(-1, 1));
    assert_int_equal(errno, EBADF);
    assert_null(term_open(0, 12345));
    /* A failed open leaves nothing behind: the next one works. */
    int in[2];
    assert_int_equal(pipe(in), 0);
    struct term *t = term_open(in[0], in[1]);
    assert_non_null(t);
    term_close(t);
    close(in[0]);
    close(in[1]);
}

int main(void)
{
    /* A reader that went away must not kill the test with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pty_raw_and_restore, pty_setup, pty_teardown),
        cmocka_unit_test_setup_teardown(test_pty_escapes, pty_setup, pty_teardown),
        cmocka_unit_test_setup_teardown(test_pty_hangup, pty_setup, pty_teardown),
        cmocka_unit_test_setup_teardown(test_pty_signals, pty_setup, pty_teardown),
        cmocka_unit_test_setup_teardown(test_pty_every_fatal_signal, pty_setup, pty_teardown),
        cmocka_unit_test_setup_teardown(test_pty_kill, pty_setup, pty_teardown),
        cmocka_unit_test(test_pipe_passthrough),
        cmocka_unit_test(test_write_nonblocking),
        cmocka_unit_test(test_bad_fd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
