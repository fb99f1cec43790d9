/* frontends/gdb_server.c: the socket side of the gdbstub.
 *
 * One client at a time. While the guest runs, the board polls between
 * slices: a new connection or Ctrl-C (0x03) stops it. While it is stopped,
 * stopped() blocks on the socket and hands packets to gdbstub.c until gdb
 * continues, detaches or kills. A client that goes away (even mid-packet)
 * loses its breakpoints; the guest runs on, unless it was started with -S
 * and gdb never let it run, in which case it waits for the next client.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "frontends/gdb_rsp.h"
#include "frontends/gdb_server.h"
#include "frontends/gdbstub.h"

struct gdb_server {
    int listen_fd, fd;
    char *unix_path;
    bool start_stopped;     /* -S and gdb has not let the guest run yet */
    bool pending_stop;      /* poll: stop at the next call */
    bool interrupted;       /* the stop came from Ctrl-C */
    bool have_packet;       /* a packet arrived while running */
    struct rsp_rx rx;
    struct gdbstub stub;
    struct virt_debugger dbg;
};

static void drop_client(struct gdb_server *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->have_packet = false;
    rsp_rx_init(&s->rx);
    gdbstub_disconnected(&s->stub);
}

static void send_all(void *ctx, const char *data, size_t len)
{
    struct gdb_server *s = ctx;
    while (len && s->fd >= 0) {
        ssize_t n = send(s->fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) { /* gone, or not reading for the send timeout */
            drop_client(s);
            return;
        }
        data += n;
        len -= (size_t)n;
    }
}

static void take_client(struct gdb_server *s, int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* fails harmlessly on unix sockets */
    struct timeval tv = { .tv_sec = 10 };
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    s->fd = fd;
    rsp_rx_init(&s->rx);
    gdbstub_connected(&s->stub);
}

static bool try_accept(struct gdb_server *s)
{
    int fd = accept(s->listen_fd, NULL, NULL);
    if (fd < 0)
        return false;
    take_client(s, fd);
    return true;
}

/* ---- the machine's debugger */

static void dbg_attach(void *ctx, struct rv_hart *harts, unsigned nharts, struct rv_tcache *tc, struct bus *bus)
{
    struct gdb_server *s = ctx;
    gdbstub_attach(&s->stub, harts, nharts, tc, bus);
}

/* Read what is there without waiting. Returns false when the client left. */
static bool read_available(struct gdb_server *s)
{
    char buf[4096];
    for (;;) {
        ssize_t n = recv(s->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        if (n <= 0)
            return false;
        for (ssize_t i = 0; i < n; i++) {
            enum rsp_event ev = rsp_feed(&s->rx, (uint8_t)buf[i]);
            if (ev == RSP_INTERRUPT) {
                s->pending_stop = s->interrupted = true;
            } else if (ev == RSP_PACKET) {
                /* gdb sends nothing but Ctrl-C to a running target: stop and answer it */
                s->pending_stop = s->have_packet = true;
                return true;
            } else if (ev == RSP_BAD) {
                send_all(s, "-", 1);
            }
        }
    }
}

static bool dbg_poll(void *ctx)
{
    struct gdb_server *s = ctx;
    if (s->start_stopped || s->pending_stop)
        return true;
    if (s->fd < 0) {
        if (try_accept(s))
            return true; /* gdb expects a stopped target when it connects */
        return false;
    }
    if (!read_available(s))
        drop_client(s);
    return s->pending_stop;
}

/* Serve one packet; returns what the stub asked for. */
static enum gdb_action serve(struct gdb_server *s)
{
    if (!s->stub.no_ack)
        send_all(s, "+", 1);
    if (s->fd < 0)
        return GDB_STAY;
    return gdbstub_packet(&s->stub, s->rx.buf, s->rx.len);
}

static void dbg_reverse(void *ctx, struct reverse *rev, const char *why)
{
    struct gdb_server *s = ctx;
    s->stub.rev = rev;
    s->stub.rev_why = why;
}

static bool dbg_stopped(void *ctx, int hart)
{
    struct gdb_server *s = ctx;
    if (s->fd >= 0) {
        if (hart >= 0)
            gdbstub_report_stop(&s->stub, (unsigned)hart, GDB_STOP_TRAP);
        else if (s->interrupted)
            gdbstub_report_stop(&s->stub, s->stub.c_hart, GDB_STOP_INT);
        else
            s->stub.stop_why = GDB_STOP_TRAP;
    }
    s->pending_stop = s->interrupted = false;
    for (;;) {
        if (s->fd < 0) {
            if (!s->start_stopped)
                return false; /* the client left: the guest runs on */
            struct pollfd p = { .fd = s->listen_fd, .events = POLLIN };
            if (poll(&p, 1, -1) < 0 && errno != EINTR)
                return true;
            try_accept(s);
            continue;
        }
        enum gdb_action a = GDB_STAY;
        if (s->have_packet) {
            s->have_packet = false;
            a = serve(s);
        } else {
            char buf[4096];
            ssize_t n = recv(s->fd, buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                drop_client(s);
                continue;
            }
            for (ssize_t i = 0; i < n && a == GDB_STAY && s->fd >= 0; i++) {
                enum rsp_event ev = rsp_feed(&s->rx, (uint8_t)buf[i]);
                if (ev == RSP_PACKET)
                    a = serve(s);
                else if (ev == RSP_BAD && !s->stub.no_ack)
                    send_all(s, "-", 1);
                /* 0x03 while stopped, acks: nothing to do */
            }
            /* bytes after a continue wait for the next poll (they would be Ctrl-C) */
        }
        switch (a) {
        case GDB_STAY:
            break;
        case GDB_CONTINUE:
            s->start_stopped = false;
            return false;
        case GDB_DETACH:
            drop_client(s);
            s->start_stopped = false;
            return false;
        case GDB_KILL:
            drop_client(s);
            return true;
        }
    }
}

/* ---- opening */

static int listen_tcp(const char *host, const char *port, char *err, size_t errlen)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
    struct addrinfo *res;
    int rc = getaddrinfo(*host ? host : NULL, port, &hints, &res);
    if (rc) {
        snprintf(err, errlen, "cannot resolve: %s", gai_strerror(rc));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errlen, "cannot listen: %s", strerror(saved));
    return fd;
}

static int listen_unix(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (!*path || strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, errlen, "bad socket path");
        return -1;
    }
    strcpy(sa.sun_path, path);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path); /* a stale socket of an earlier run */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1) < 0) {
        snprintf(err, errlen, "cannot listen: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

struct gdb_server *gdb_server_open(const char *spec, bool start_stopped, char *err, size_t errlen)
{
    struct gdb_server *s = calloc(1, sizeof *s);
    if (!s || gdbstub_init(&s->stub) < 0) {
        snprintf(err, errlen, "out of memory");
        free(s);
        return NULL;
    }
    s->fd = -1;
    s->listen_fd = -1;
    s->start_stopped = start_stopped;
    rsp_rx_init(&s->rx);
    s->stub.send = send_all;
    s->stub.send_ctx = s;
    char *copy = strdup(spec);
    if (!strncmp(copy, "tcp:", 4) || (copy[0] == ':' && copy[1])) {
        char *hp = copy[0] == ':' ? copy : copy + 4;
        char *colon = strrchr(hp, ':');
        char *comma = strchr(hp, ',');
        if (comma) {
            if (strcmp(comma, ",server=on") && strcmp(comma, ",server") && strcmp(comma, ",server=on,wait=off") &&
                strcmp(comma, ",wait=off")) {
                snprintf(err, errlen, "unsupported socket option (QEMU's forms: tcp::PORT, tcp:HOST:PORT, unix:PATH,server=on)");
                goto fail;
            }
            *comma = 0;
        }
        char *endp;
        if (!colon || !colon[1] || strtol(colon + 1, &endp, 10) <= 0 || *endp || strtol(colon + 1, NULL, 10) > 65535) {
            snprintf(err, errlen, "not a port (e.g. tcp::1234)");
            goto fail;
        }
        *colon = 0;
        char *host = hp;
        if (host[0] == '[' && host[strlen(host) - 1] == ']') { /* [::1] */
            host++;
            host[strlen(host) - 1] = 0;
        }
        s->listen_fd = listen_tcp(host, colon + 1, err, errlen);
    } else if (!strncmp(copy, "unix:", 5)) {
        char *path = copy + 5;
        char *comma = strchr(path, ',');
        if (comma) {
            if (strcmp(comma, ",server=on") && strcmp(comma, ",server") && strcmp(comma, ",server=on,wait=off") &&
                strcmp(comma, ",server,nowait")) {
                snprintf(err, errlen, "unsupported socket option (use unix:PATH,server=on)");
                goto fail;
            }
            *comma = 0;
        }
        s->listen_fd = listen_unix(path, err, errlen);
        if (s->listen_fd >= 0)
            s->unix_path = strdup(path);
    } else {
        snprintf(err, errlen, "unsupported device (QEMU's forms: tcp::PORT, tcp:HOST:PORT, unix:PATH,server=on)");
        goto fail;
    }
    if (s->listen_fd < 0)
        goto fail;
    fcntl(s->listen_fd, F_SETFL, fcntl(s->listen_fd, F_GETFL) | O_NONBLOCK);
    free(copy);
    s->dbg = (struct virt_debugger){ .ctx = s, .attach = dbg_attach, .poll = dbg_poll, .stopped = dbg_stopped,
                                  .reverse = dbg_reverse };
    return s;
fail:
    free(copy);
    gdb_server_close(s);
    return NULL;
}

void gdb_server_close(struct gdb_server *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->unix_path) {
        unlink(s->unix_path);
        free(s->unix_path);
    }
    gdbstub_free(&s->stub);
    free(s);
}

void gdb_server_set_monitor(struct gdb_server *s,
                            void (*fn)(void *ctx, const char *cmd, void (*out)(void *octx, const char *text), void *octx),
                            void *ctx)
{
    s->stub.monitor = fn;
    s->stub.monitor_ctx = ctx;
}

const struct virt_debugger *gdb_server_debugger(struct gdb_server *s)
{
    return &s->dbg;
}

unsigned gdb_server_fds(const struct gdb_server *s, int *fds, unsigned max)
{
    unsigned n = 0;
    if (!s)
        return 0;
    if (n < max && s->fd < 0 && s->listen_fd >= 0)
        fds[n++] = s->listen_fd;
    if (n < max && s->fd >= 0)
        fds[n++] = s->fd;
    return n;
}
