/* frontends/chardev.c: stdio, file, null and socket character devices. */
#define _GNU_SOURCE
#include "frontends/chardev.h"
#include "bus/util.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "frontends/term.h"
#include "machine/devices.h"

enum chardev_kind { CD_NULL, CD_STDIO, CD_FILE, CD_SOCKET };

struct chardev {
    enum chardev_kind kind;
    char *id;
    struct term *term;     /* stdio */
    int out_fd;            /* file */
    int listen_fd;         /* socket server */
    int conn_fd;           /* socket: the connected peer */
    char *unix_path;       /* server socket file to remove at close */
};

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int unix_socket(const char *path, bool server, char *err, size_t errlen)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof sa.sun_path)
        return errf(err, errlen, "socket path '%s' is too long", path);
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errf(err, errlen, "socket: %s", strerror(errno));
    if (server) {
        unlink(path); /* a stale socket of an earlier run, as QEMU does */
        if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1) < 0) {
            errf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
    } else if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        errf(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int tcp_socket(const char *host, const char *port, bool server, char *err, size_t errlen)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = server ? AI_PASSIVE : 0 };
    struct addrinfo *res;
    int r = getaddrinfo(host && *host ? host : NULL, port, &hints, &res);
    if (r != 0)
        return errf(err, errlen, "%s:%s: %s", host ? host : "", port, gai_strerror(r));
    int fd = -1, saved = 0;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (server ? bind(fd, a->ai_addr, a->ai_addrlen) < 0 || listen(fd, 1) < 0
                   : connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        return errf(err, errlen, "cannot %s %s:%s: %s", server ? "listen on" : "connect to", host ? host : "",
                    port, strerror(saved));
    return fd;
}

static int open_socket(struct chardev *c, const struct optlist *o, char *err, size_t errlen)
{
    const char *path = optlist_get(o, "path"), *host = optlist_get(o, "host"), *port = optlist_get(o, "port");
    int server = 0, wait = -1;
    for (unsigned i = 1; i < o->n; i++) {
        const char *k = o->v[i].key, *v = o->v[i].value;
        if (!strcmp(k, "server"))
            server = v ? optlist_bool(v) : 1;
        else if (!strcmp(k, "wait"))
            wait = v ? optlist_bool(v) : 1;
        else if (!strcmp(k, "nowait") && !v)
            wait = 0;
        else if (strcmp(k, "id") && strcmp(k, "path") && strcmp(k, "host") && strcmp(k, "port"))
            return errf(err, errlen, "socket has no option '%s' (supported: path, host, port, server, wait)", k);
        if (server < 0 || (!strcmp(k, "wait") && wait < 0))
            return errf(err, errlen, "%s=%s: must be on or off", k, v ? v : "");
    }
    if (!path == !port)
        return errf(err, errlen, "socket needs path=SOCKET (unix) or port=N[,host=H] (tcp)");
    int fd = path ? unix_socket(path, server, err, errlen) : tcp_socket(host, port, server, err, errlen);
    if (fd < 0)
        return -1;
    if (!server) {
        c->conn_fd = fd;
        set_nonblock(fd);
        return 0;
    }
    c->listen_fd = fd;
    if (path)
        c->unix_path = strdup(path);
    if (wait != 0) {
        fprintf(stderr, "rivet: -chardev %s: waiting for a connection on %s%s%s (add wait=off not to wait)\n",
                c->id, path ? path : host ? host : "", path ? "" : ":", path ? "" : port);
        c->conn_fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (c->conn_fd < 0)
            return errf(err, errlen, "accept: %s", strerror(errno));
        set_nonblock(c->conn_fd);
    }
    set_nonblock(fd);
    return 0;
}

struct chardev *chardev_open(const char *arg, char *err, size_t errlen)
{
    struct optlist o;
    if (optlist_parse(arg, &o) < 0) {
        errf(err, errlen, "out of memory");
        return NULL;
    }
    struct chardev *c = calloc(1, sizeof *c);
    if (!c) {
        optlist_free(&o);
        errf(err, errlen, "out of memory");
        return NULL;
    }
    c->out_fd = c->listen_fd = c->conn_fd = -1;
    const char *id = optlist_get(&o, "id");
    const char *backend = o.n && !o.v[0].value ? o.v[0].key : "";
    int rc = 0;
    if (!id || !*id) {
        rc = errf(err, errlen, "id=ID is required");
    } else if (!(c->id = strdup(id))) {
        rc = errf(err, errlen, "out of memory");
    } else if (!strcmp(backend, "null")) {
        c->kind = CD_NULL;
    } else if (!strcmp(backend, "stdio")) {
        c->kind = CD_STDIO;
        c->term = term_open(STDIN_FILENO, STDOUT_FILENO);
        if (!c->term)
            rc = errf(err, errlen, "stdio is already in use by another chardev");
    } else if (!strcmp(backend, "file")) {
        c->kind = CD_FILE;
        const char *path = optlist_get(&o, "path");
        if (!path)
            rc = errf(err, errlen, "file needs path=FILE");
        else if ((c->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
            rc = errf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
    } else if (!strcmp(backend, "socket")) {
        c->kind = CD_SOCKET;
        rc = open_socket(c, &o, err, errlen);
    } else {
        rc = errf(err, errlen, "unknown backend '%s' (supported: stdio, file, socket, null)", backend);
    }
    optlist_free(&o);
    if (rc < 0) {
        chardev_close(c);
        return NULL;
    }
    return c;
}

const char *chardev_id(const struct chardev *c)
{
    return c->id;
}

bool chardev_is_stdio(const struct chardev *c)
{
    return c->kind == CD_STDIO;
}

static void write_all(int fd, const uint8_t *buf, size_t len, bool sock)
{
    while (len) {
        ssize_t n = sock ? send(fd, buf, len, MSG_NOSIGNAL) : write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* a slow peer: wait for room rather than lose console output */
            fd_set w;
            FD_ZERO(&w);
            FD_SET(fd, &w);
            select(fd + 1, NULL, &w, NULL, NULL);
            continue;
        }
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

static void drop_peer(struct chardev *c)
{
    close(c->conn_fd);
    c->conn_fd = -1;
}

void chardev_write(struct chardev *c, const uint8_t *buf, size_t len)
{
    switch (c->kind) {
    case CD_STDIO:
        term_write(c->term, buf, len);
        break;
    case CD_FILE:
        write_all(c->out_fd, buf, len, false);
        break;
    case CD_SOCKET:
        if (c->conn_fd >= 0)
            write_all(c->conn_fd, buf, len, true);
        break;
    case CD_NULL:
        break;
    }
}

size_t chardev_read(struct chardev *c, uint8_t *buf, size_t len, bool *quit)
{
    if (c->kind == CD_STDIO) {
        int ev = 0;
        int n = term_read(c->term, buf, len, &ev);
        if (ev == TERM_EV_QUIT)
            *quit = true;
        return n > 0 ? (size_t)n : 0;
    }
    if (c->kind != CD_SOCKET)
        return 0;
    if (c->conn_fd < 0 && c->listen_fd >= 0) {
        c->conn_fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c->conn_fd < 0)
            return 0;
    }
    if (c->conn_fd < 0)
        return 0;
    ssize_t n = recv(c->conn_fd, buf, len, MSG_DONTWAIT);
    if (n > 0)
        return (size_t)n;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        drop_peer(c); /* the peer left: a server listens for the next one */
    return 0;
}

int chardev_poll_fd(const struct chardev *c)
{
    switch (c->kind) {
    case CD_STDIO:
        return term_eof(c->term) ? -1 : term_fd(c->term);
    case CD_SOCKET:
        return c->conn_fd >= 0 ? c->conn_fd : c->listen_fd;
    default:
        return -1;
    }
}

void chardev_close(struct chardev *c)
{
    if (!c)
        return;
    if (c->term)
        term_close(c->term);
    if (c->out_fd >= 0)
        close(c->out_fd);
    if (c->conn_fd >= 0)
        close(c->conn_fd);
    if (c->listen_fd >= 0)
        close(c->listen_fd);
    if (c->unix_path) {
        unlink(c->unix_path);
        free(c->unix_path);
    }
    free(c->id);
    free(c);
}
