/* frontends/main.c: rivet's command line (QEMU's dialect) and the host side
 * of the machine: terminal, files, wall clock. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "frontends/options.h"
#include "frontends/term.h"
#include "machine/virt.h"

struct host {
    struct term *term;   /* -serial stdio */
    int out_fd;          /* -serial file:PATH, or -1 */
    bool input_eof;
};

static void host_serial_write(void *ctx, const uint8_t *buf, size_t len)
{
    struct host *h = ctx;
    if (h->term)
        term_write(h->term, buf, len);
    else if (h->out_fd >= 0) {
        while (len) {
            ssize_t n = write(h->out_fd, buf, len);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            buf += n;
            len -= (size_t)n;
        }
    }
}

static size_t host_serial_read(void *ctx, uint8_t *buf, size_t len, bool *quit)
{
    struct host *h = ctx;
    if (!h->term)
        return 0;
    int ev = 0;
    int n = term_read(h->term, buf, len, &ev);
    if (ev == TERM_EV_QUIT)
        *quit = true;
    return n > 0 ? (size_t)n : 0;
}

static void host_wait(void *ctx, uint64_t us)
{
    struct host *h = ctx;
    struct pollfd p = { .fd = h->term ? term_fd(h->term) : -1, .events = POLLIN };
    if (p.fd >= 0 && term_eof(h->term))
        p.fd = -1;
    int ms = (int)((us + 999) / 1000);
    poll(&p, p.fd >= 0 ? 1 : 0, ms);
}

static uint64_t host_monotonic_ns(void *ctx)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    struct rivet_options o;
    int rc = options_parse(&o, argc, argv);
    if (rc >= 0)
        return rc; /* --help, -version, or a bad option (already reported) */

    struct host host = { .out_fd = -1 };
    if (o.serial_file) {
        host.out_fd = open(o.serial_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (host.out_fd < 0) {
            fprintf(stderr, "rivet: -serial file:%s: %s\n", o.serial_file, strerror(errno));
            return 1;
        }
    } else if (o.serial_stdio) {
        host.term = term_open(STDIN_FILENO, STDOUT_FILENO);
        if (!host.term) {
            fprintf(stderr, "rivet: cannot set up the terminal\n");
            return 1;
        }
    }
    o.machine.host = (struct host_io){
        .ctx = &host,
        .serial_write = host_serial_write,
        .serial_read = host_serial_read,
        .wait = host_wait,
        .monotonic_ns = host_monotonic_ns,
    };
    if (o.realtime < 0)
        o.machine.realtime = isatty(STDIN_FILENO) && o.serial_stdio;
    else
        o.machine.realtime = o.realtime;
    rc = virt_run(&o.machine);
    if (host.term)
        term_close(host.term);
    if (host.out_fd >= 0)
        close(host.out_fd);
    return rc;
}
