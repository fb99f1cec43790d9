/* frontends/chardev.c: stdio, file, pty, null, ringbuf and socket
 * character devices, and -serial's legacy spellings of them. */
#define _GNU_SOURCE
#include "frontends/chardev.h"
#include "bus/util.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "bus/suggest.h"
#include "frontends/term.h"
#include "machine/devices.h"

enum chardev_kind { CD_NULL, CD_STDIO, CD_FILE, CD_SOCKET, CD_PTY, CD_RINGBUF };

struct chardev {
    enum chardev_kind kind;
    char *id;
    struct term *term;     /* stdio */
    int out_fd;            /* file */
    int listen_fd;         /* socket server */
    int conn_fd;           /* socket: the connected peer */
    char *unix_path;       /* server socket file to remove at close */
    int pty_fd;            /* pty: the master side */
    char *pty_name;
    uint8_t *ring;         /* ringbuf: ring_size bytes */
    size_t ring_size;
    uint64_t ring_written; /* bytes ever written; the newest ring_size are kept */
    uint64_t ring_read;    /* bytes ever read by ringbuf_read (at most ring_written) */
    unsigned connections;  /* socket: peers connected so far */
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

/* What one -chardev argument says, checked; strings point into `o`. */
struct spec {
    enum chardev_kind kind;
    const char *id;
    bool signal;             /* stdio */
    const char *path;        /* file, socket (unix) */
    bool append;             /* file */
    const char *host, *port; /* socket (tcp) */
    bool server;
    int wait;                /* -1: not given */
    size_t ring_size;        /* ringbuf */
};

static const char *const backend_names[] = { "null", "stdio", "file", "socket", "pty", "ringbuf" };

/* Options each backend takes besides id= and mux=. */
static const char *const backend_opts[][8] = {
    [CD_NULL] = { NULL },
    [CD_STDIO] = { "signal", NULL },
    [CD_FILE] = { "path", "append", NULL },
    [CD_SOCKET] = { "path", "host", "port", "server", "wait", "nowait", "nodelay", NULL },
    [CD_PTY] = { NULL },
    [CD_RINGBUF] = { "size", NULL },
};
static const char *const backend_opts_text[] = {
    [CD_NULL] = NULL, [CD_STDIO] = "signal=on|off", [CD_FILE] = "path=FILE, append=on|off",
    [CD_SOCKET] = "path=SOCK or host=H,port=P; server=on|off, wait=on|off, nodelay=on|off",
    [CD_PTY] = NULL, [CD_RINGBUF] = "size=N (a power of two)",
};

const char chardev_help_text[] =
    "Available chardev backend types:\n"
    "  stdio    this terminal (signal=on|off: whether Ctrl-C ends rivet; default on)\n"
    "  file     output to a file (path=FILE[,append=on])\n"
    "  pty      a new pseudo-terminal (its path is printed: char device redirected to /dev/pts/N)\n"
    "  socket   unix (path=SOCK) or tcp (host=H,port=P), client or server=on[,wait=off]\n"
    "  null     nothing in, nothing out\n"
    "  ringbuf  output kept in memory (size=N, a power of two; default 64K)\n"
    "Every backend needs id=ID; mux=on is accepted (a stdio console always has the monitor on Ctrl-A c).\n";

const char chardev_serial_help_text[] =
    "-serial takes: stdio, mon:stdio, pty, file:FILE, null, none, chardev:ID,\n"
    "  tcp:[HOST]:PORT[,server=on][,wait=off], unix:PATH[,server=on][,wait=off]\n"
    "(mon:stdio: the console muxed with the monitor, Ctrl-A c switches, and\n"
    "Ctrl-C goes to the guest, as with -nographic)\n";

static int parse_size(const char *v, size_t *out)
{
    char *end;
    if (!v || !*v || *v < '0' || *v > '9')
        return -1;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10, end++;
    else if (*end == 'm' || *end == 'M')
        shift = 20, end++;
    if (*end || errno || n > (1ull << 30) >> shift)
        return -1;
    *out = (size_t)(n << shift);
    return 0;
}

static int parse_spec(const struct optlist *o, struct spec *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->signal = true;
    s->wait = -1;
    s->ring_size = 65536;
    const char *backend = o->n && !o->v[0].value ? o->v[0].key : "";
    unsigned nb = sizeof backend_names / sizeof backend_names[0];
    unsigned k = 0;
    while (k < nb && strcmp(backend, backend_names[k]))
        k++;
    if (k == nb) {
        if (!*backend)
            return errf(err, errlen, "needs a backend first (stdio, file, pty, socket, null, ringbuf; -chardev help)");
        const char *near = suggest_nearest(backend, backend_names, nb);
        if (near)
            return errf(err, errlen, "unknown backend '%s'; did you mean '%s'? (-chardev help)", backend, near);
        return errf(err, errlen, "unknown backend '%s' (supported: stdio, file, pty, socket, null, ringbuf)",
                    backend);
    }
    s->kind = (enum chardev_kind)k;
    for (unsigned i = 1; i < o->n; i++) {
        const char *key = o->v[i].key, *v = o->v[i].value;
        if (!strcmp(key, "id")) {
            s->id = v;
            continue;
        }
        if (!strcmp(key, "mux")) {
            if (!v || optlist_bool(v) < 0)
                return errf(err, errlen, "mux=%s: must be on or off", v ? v : "");
            continue;
        }
        bool known = false;
        for (const char *const *n = backend_opts[k]; *n && !known; n++)
            known = !strcmp(*n, key);
        if (!known)
            return errf(err, errlen, "%s has no option '%s' (it takes id=ID, mux=on|off%s%s)", backend, key,
                        backend_opts_text[k] ? ", " : "", backend_opts_text[k] ? backend_opts_text[k] : "");
        /* a bare server / wait / nowait is QEMU's old spelling of =on */
        bool flag = !strcmp(key, "server") || !strcmp(key, "wait") || !strcmp(key, "nowait") ||
                    !strcmp(key, "nodelay") || !strcmp(key, "append") || !strcmp(key, "signal");
        int b = flag ? (v ? optlist_bool(v) : 1) : 0;
        if (flag && b < 0)
            return errf(err, errlen, "%s=%s: must be on or off", key, v);
        if (!flag && (!v || !*v))
            return errf(err, errlen, "%s= needs a value", key);
        if (!strcmp(key, "signal"))
            s->signal = b;
        else if (!strcmp(key, "append"))
            s->append = b;
        else if (!strcmp(key, "server"))
            s->server = b;
        else if (!strcmp(key, "wait"))
            s->wait = b;
        else if (!strcmp(key, "nowait"))
            s->wait = !b;
        else if (!strcmp(key, "path"))
            s->path = v;
        else if (!strcmp(key, "host"))
            s->host = v;
        else if (!strcmp(key, "port"))
            s->port = v;
        else if (!strcmp(key, "size") && (parse_size(v, &s->ring_size) < 0 || s->ring_size == 0 ||
                                          (s->ring_size & (s->ring_size - 1))))
            return errf(err, errlen, "size=%s: must be a power of two, up to 1G (K and M suffixes)", v);
    }
    if (!s->id || !*s->id)
        return errf(err, errlen, "id=ID is required");
    if (s->kind == CD_FILE && !s->path)
        return errf(err, errlen, "file needs path=FILE");
    if (s->kind == CD_SOCKET) {
        if (!s->path == !s->port)
            return errf(err, errlen, "socket needs path=SOCKET (unix) or port=N[,host=H] (tcp)");
        if (s->path && s->host)
            return errf(err, errlen, "socket: host= goes with port= (tcp), not with path= (unix)");
        if (!s->server && s->wait >= 0)
            return errf(err, errlen, "wait= is for a server (add server=on)");
    }
    return 0;
}

int chardev_check(const char *arg, char *err, size_t errlen)
{
    struct optlist o;
    if (optlist_parse(arg, &o) < 0)
        return errf(err, errlen, "out of memory");
    struct spec s;
    int rc = parse_spec(&o, &s, err, errlen);
    optlist_free(&o);
    return rc;
}

static int open_socket(struct chardev *c, const struct spec *s, char *err, size_t errlen)
{
    int fd = s->path ? unix_socket(s->path, s->server, err, errlen)
                     : tcp_socket(s->host, s->port, s->server, err, errlen);
    if (fd < 0)
        return -1;
    if (!s->server) {
        c->conn_fd = fd;
        c->connections = 1;
        set_nonblock(fd);
        return 0;
    }
    c->listen_fd = fd;
    if (s->path)
        c->unix_path = strdup(s->path);
    if (s->wait != 0) {
        fprintf(stderr, "rivet: -chardev %s: waiting for a connection on %s%s%s (add wait=off not to wait)\n",
                c->id, s->path ? s->path : s->host ? s->host : "", s->path ? "" : ":", s->path ? "" : s->port);
        do
            c->conn_fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        while (c->conn_fd < 0 && errno == EINTR);
        if (c->conn_fd < 0)
            return errf(err, errlen, "accept: %s", strerror(errno));
        set_nonblock(c->conn_fd);
        c->connections++;
    }
    set_nonblock(fd);
    return 0;
}

/* A new pseudo-terminal in raw mode (the guest sends its own "\r\n"); the
 * other side is left closed until someone opens it. */
static int open_pty(struct chardev *c, char *err, size_t errlen)
{
    c->pty_fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (c->pty_fd < 0)
        return errf(err, errlen, "cannot open a pseudo-terminal: %s", strerror(errno));
    char name[128];
    if (grantpt(c->pty_fd) < 0 || unlockpt(c->pty_fd) < 0 || ptsname_r(c->pty_fd, name, sizeof name) != 0)
        return errf(err, errlen, "cannot set up the pseudo-terminal: %s", strerror(errno));
    int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0)
        return errf(err, errlen, "cannot open %s: %s", name, strerror(errno));
    struct termios t;
    if (tcgetattr(slave, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(slave, TCSANOW, &t);
    }
    close(slave);
    set_nonblock(c->pty_fd);
    if (!(c->pty_name = strdup(name)))
        return errf(err, errlen, "out of memory");
    fprintf(stderr, "char device redirected to %s (label %s)\n", name, c->id);
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
    c->out_fd = c->listen_fd = c->conn_fd = c->pty_fd = -1;
    struct spec s;
    int rc = parse_spec(&o, &s, err, errlen);
    if (rc == 0 && !(c->id = strdup(s.id)))
        rc = errf(err, errlen, "out of memory");
    if (rc == 0) {
        c->kind = s.kind;
        switch (s.kind) {
        case CD_NULL:
            break;
        case CD_STDIO:
            c->term = term_open_signals(STDIN_FILENO, STDOUT_FILENO, s.signal);
            if (!c->term)
                rc = errf(err, errlen, "stdio is already in use by another chardev");
            break;
        case CD_FILE:
            c->out_fd = open(s.path, O_WRONLY | O_CREAT | O_CLOEXEC | (s.append ? O_APPEND : O_TRUNC), 0644);
            if (c->out_fd < 0)
                rc = errf(err, errlen, "cannot open '%s': %s", s.path, strerror(errno));
            break;
        case CD_SOCKET:
            rc = open_socket(c, &s, err, errlen);
            break;
        case CD_PTY:
            rc = open_pty(c, err, errlen);
            break;
        case CD_RINGBUF:
            c->ring_size = s.ring_size;
            if (!(c->ring = malloc(s.ring_size)))
                rc = errf(err, errlen, "out of memory");
            break;
        }
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

bool chardev_is_interactive(const struct chardev *c)
{
    return c->kind == CD_PTY || c->kind == CD_SOCKET;
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

/* Someone has the pty's other side open: the master reports no hangup. */
static bool pty_connected(const struct chardev *c)
{
    struct pollfd p = { .fd = c->pty_fd, .events = POLLIN };
    return poll(&p, 1, 0) >= 0 && !(p.revents & POLLHUP);
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
    case CD_PTY:
        if (pty_connected(c))
            write_all(c->pty_fd, buf, len, false);
        break;
    case CD_RINGBUF:
        for (size_t i = 0; i < len; i++)
            c->ring[(c->ring_written + i) & (c->ring_size - 1)] = buf[i];
        c->ring_written += len;
        break;
    case CD_NULL:
        break;
    }
}

bool chardev_input_possible(const struct chardev *c)
{
    switch (c->kind) {
    case CD_STDIO:
        return !term_eof(c->term);
    case CD_PTY:
        return true;
    case CD_SOCKET:
        return c->listen_fd >= 0 || c->conn_fd >= 0;
    default:
        return false;
    }
}

int chardev_describe(const struct chardev *c, char *buf, size_t len)
{
    static const char *const kinds[] = { "null", "stdio", "file", "socket", "pty", "ringbuf" };
    if (c->kind == CD_PTY && c->pty_name)
        return snprintf(buf, len, "pty:%s", c->pty_name);
    if (c->kind == CD_SOCKET && c->unix_path)
        return snprintf(buf, len, "unix:%s", c->unix_path);
    if (c->kind == CD_RINGBUF)
        return snprintf(buf, len, "ringbuf (%zu bytes, %llu unread)", c->ring_size,
                        (unsigned long long)(c->ring_written - c->ring_read > c->ring_size
                                                 ? c->ring_size : c->ring_written - c->ring_read));
    return snprintf(buf, len, "%s", kinds[c->kind]);
}

bool chardev_is_ringbuf(const struct chardev *c)
{
    return c->kind == CD_RINGBUF;
}

size_t chardev_ringbuf_read(struct chardev *c, uint8_t *buf, size_t len)
{
    if (c->kind != CD_RINGBUF)
        return 0;
    /* bytes overwritten before they were read are lost, as in QEMU */
    if (c->ring_written - c->ring_read > c->ring_size)
        c->ring_read = c->ring_written - c->ring_size;
    uint64_t have = c->ring_written - c->ring_read;
    if (len > have)
        len = (size_t)have;
    for (size_t i = 0; i < len; i++)
        buf[i] = c->ring[(c->ring_read + i) & (c->ring_size - 1)];
    c->ring_read += len;
    return len;
}

size_t chardev_read(struct chardev *c, uint8_t *buf, size_t len, bool *quit)
{
    int ev = 0;
    size_t n = chardev_read_event(c, buf, len, &ev);
    if (ev == TERM_EV_QUIT)
        *quit = true;
    return n;
}

size_t chardev_read_event(struct chardev *c, uint8_t *buf, size_t len, int *event)
{
    *event = TERM_EV_NONE;
    if (c->kind == CD_STDIO) {
        int n = term_read(c->term, buf, len, event);
        return n > 0 ? (size_t)n : 0;
    }
    if (c->kind == CD_PTY) {
        if (!pty_connected(c))
            return 0;
        ssize_t n = read(c->pty_fd, buf, len);
        return n > 0 ? (size_t)n : 0;
    }
    if (c->kind != CD_SOCKET)
        return 0;
    if (c->conn_fd < 0 && c->listen_fd >= 0) {
        c->conn_fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c->conn_fd < 0)
            return 0;
        c->connections++;
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

bool chardev_is_socket(const struct chardev *c)
{
    return c->kind == CD_SOCKET;
}

unsigned chardev_connections(const struct chardev *c)
{
    return c->connections;
}

bool chardev_connected(const struct chardev *c)
{
    return c->kind != CD_SOCKET || c->conn_fd >= 0;
}

int chardev_poll_fd(const struct chardev *c)
{
    switch (c->kind) {
    case CD_STDIO:
        return term_eof(c->term) ? -1 : term_fd(c->term);
    case CD_SOCKET:
        return c->conn_fd >= 0 ? c->conn_fd : c->listen_fd;
    case CD_PTY:
        /* a master with no one on the other side reports POLLHUP without
         * end: it would wake every idle wait, so it is looked at from the
         * run loop's poll only (a connection is seen at the next one) */
        return pty_connected(c) ? c->pty_fd : -1;
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
    if (c->pty_fd >= 0)
        close(c->pty_fd);
    free(c->pty_name);
    free(c->ring);
    if (c->unix_path) {
        unlink(c->unix_path);
        free(c->unix_path);
    }
    free(c->id);
    free(c);
}

/* ---- -serial's legacy spellings ---- */

/* Appends `s` (n bytes) to out at *pos, doubling commas when `escape`. */
static bool put(char *out, size_t outlen, size_t *pos, const char *s, size_t n, bool escape)
{
    for (size_t i = 0; i < n; i++) {
        for (int k = escape && s[i] == ',' ? 2 : 1; k > 0; k--) {
            if (*pos + 1 >= outlen)
                return false;
            out[(*pos)++] = s[i];
        }
    }
    out[*pos] = 0;
    return true;
}

int chardev_serial_spec(const char *spec, const char *id, bool stdio_signal, char *out, size_t outlen, char *err,
                        size_t errlen)
{
    size_t pos = 0;
    bool mon = !strncmp(spec, "mon:", 4);
    const char *p = mon ? spec + 4 : spec;
    if (!outlen)
        return errf(err, errlen, "no room");
    out[0] = 0;
    bool ok = true;
    char head[64];
    if (!strcmp(p, "none") && !mon)
        return CHARDEV_SERIAL_NONE;
    if (!strncmp(p, "chardev:", 8)) {
        if (!p[8])
            return errf(err, errlen, "chardev: needs an id (chardev:ID, a -chardev ...,id=ID)");
        if (!put(out, outlen, &pos, p + 8, strlen(p + 8), false))
            return errf(err, errlen, "too long");
        return CHARDEV_SERIAL_REF;
    }
    if (!strcmp(p, "stdio") || !strcmp(p, "null") || !strcmp(p, "pty")) {
        snprintf(head, sizeof head, "%s,id=", p);
        ok = put(out, outlen, &pos, head, strlen(head), false) && put(out, outlen, &pos, id, strlen(id), true);
        const char *sig = stdio_signal && !mon ? ",signal=on" : ",signal=off";
        if (!strcmp(p, "stdio"))
            ok = ok && put(out, outlen, &pos, sig, strlen(sig), false);
    } else if (!strncmp(p, "file:", 5)) {
        if (!p[5])
            return errf(err, errlen, "file: needs a file name (file:FILE)");
        ok = put(out, outlen, &pos, "file,id=", 8, false) && put(out, outlen, &pos, id, strlen(id), true) &&
             put(out, outlen, &pos, ",path=", 6, false) && put(out, outlen, &pos, p + 5, strlen(p + 5), true);
    } else if (!strncmp(p, "tcp:", 4)) {
        const char *a = p + 4, *opts = strchr(a, ',');
        size_t alen = opts ? (size_t)(opts - a) : strlen(a);
        const char *colon = NULL;
        if (alen && a[0] == '[') { /* [IPv6]:PORT */
            const char *rb = memchr(a, ']', alen);
            if (!rb || (size_t)(rb - a) + 1 >= alen || rb[1] != ':')
                return errf(err, errlen, "tcp: needs [HOST]:PORT (an IPv6 host in brackets)");
            colon = rb + 1;
        } else {
            colon = memchr(a, ':', alen);
        }
        if (!colon || (size_t)(colon - a) + 1 >= alen)
            return errf(err, errlen, "tcp: needs [HOST]:PORT (e.g. tcp:127.0.0.1:4444,server=on,wait=off)");
        const char *port = colon + 1;
        size_t plen = alen - (size_t)(port - a);
        const char *host = a;
        size_t hlen = (size_t)(colon - a);
        if (hlen >= 2 && host[0] == '[') {
            host++;
            hlen -= 2;
        }
        for (size_t i = 0; i < plen; i++)
            if (port[i] < '0' || port[i] > '9' || plen > 5)
                return errf(err, errlen, "tcp: the port must be a number");
        ok = put(out, outlen, &pos, "socket,id=", 10, false) && put(out, outlen, &pos, id, strlen(id), true) &&
             (!hlen || (put(out, outlen, &pos, ",host=", 6, false) && put(out, outlen, &pos, host, hlen, true))) &&
             put(out, outlen, &pos, ",port=", 6, false) && put(out, outlen, &pos, port, plen, false) &&
             (!opts || put(out, outlen, &pos, opts, strlen(opts), false));
    } else if (!strncmp(p, "unix:", 5)) {
        const char *a = p + 5, *opts = strchr(a, ',');
        size_t alen = opts ? (size_t)(opts - a) : strlen(a);
        if (!alen)
            return errf(err, errlen, "unix: needs a socket path (unix:PATH[,server=on,wait=off])");
        ok = put(out, outlen, &pos, "socket,id=", 10, false) && put(out, outlen, &pos, id, strlen(id), true) &&
             put(out, outlen, &pos, ",path=", 6, false) && put(out, outlen, &pos, a, alen, false) &&
             (!opts || put(out, outlen, &pos, opts, strlen(opts), false));
    } else {
        static const char *const names[] = { "stdio", "pty", "null", "none", "file:", "chardev:", "tcp:", "unix:" };
        const char *near = suggest_nearest(p, names, sizeof names / sizeof names[0]);
        if (!strncmp(p, "telnet:", 7) || !strncmp(p, "udp:", 4) || !strncmp(p, "vc", 2) || !strncmp(p, "pipe:", 5) ||
            !strncmp(p, "/dev/", 5) || !strcmp(p, "msmouse") || !strcmp(p, "braille"))
            return errf(err, errlen, "not supported by rivet (supported: stdio, mon:stdio, pty, file:F, null, none, "
                        "chardev:ID, tcp:HOST:PORT, unix:PATH; -serial help)");
        if (near)
            return errf(err, errlen, "unknown serial device; did you mean '%s'? (-serial help)", near);
        return errf(err, errlen, "unknown serial device (supported: stdio, mon:stdio, pty, file:F, null, none, "
                    "chardev:ID, tcp:HOST:PORT, unix:PATH)");
    }
    if (!ok)
        return errf(err, errlen, "too long");
    return CHARDEV_SERIAL_ARG;
}
