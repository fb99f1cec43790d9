/* frontends/net_slirp.c: `-netdev user`, libslirp's user-mode network stack.
 *
 * libslirp is driven entirely from net_backend_poll(): its timers live in a
 * list here and fire from poll, and its host sockets are polled there with
 * a zero timeout. Nothing runs in another thread or from a signal. Every
 * frame libslirp emits (send_packet) is queued, also when it emits it from
 * inside slirp_input() during a guest transmit, so frames reach the device
 * only from poll (see net.h).
 *
 * libslirp is not hardened against what a guest sends: every guest frame
 * passes net_ipcheck (net_ipcheck.h) first, which drops malformed IPv4,
 * IPv6 and ARP frames (counted as tx_invalid) and reassembles IPv4
 * fragments itself, so libslirp never sees a fragment.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libslirp.h>

#include "frontends/net.h"
#include "frontends/net_ipcheck.h"

#define GUEST_ERROR_LOG_MAX 10

struct slirp_timer {
    struct net_slirp *owner;
    SlirpTimerCb cb;          /* timer_new timers */
    void *cb_opaque;
    bool by_id;               /* timer_new_opaque timers: slirp_handle_timer */
    SlirpTimerId id;
    bool armed;
    uint64_t deadline_ns;
    struct slirp_timer *next;
};

struct net_slirp {
    struct net_backend base;
    Slirp *slirp;
    struct slirp_timer *timers;
    /* The fds libslirp asked for in the last slirp_pollfds_fill. */
    struct pollfd *pfd;
    int npfd, pfd_cap;
    uint32_t timeout_ms;      /* from the last slirp_pollfds_fill */
    uint64_t filled_at;       /* clock when it ran */
    bool notified;            /* libslirp has new work (notify callback) */
    unsigned guest_errors;
    struct net_ipcheck *check;
    bool logged_invalid;
};

static struct net_slirp *to_slirp(struct net_backend *b)
{
    return (struct net_slirp *)b;
}

/* ---------------------------------------------------------- callbacks */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    struct net_slirp *s = opaque;
    /* Dropping is what libslirp expects when the guest cannot take more. */
    net_backend_enqueue(&s->base, buf, len);
    return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    struct net_slirp *s = opaque;
    if (s->guest_errors < GUEST_ERROR_LOG_MAX)
        fprintf(stderr, "rivet: netdev %s: guest error: %s%s\n", s->base.id, msg,
                s->guest_errors + 1 == GUEST_ERROR_LOG_MAX ? " (further guest errors not shown)" : "");
    s->guest_errors++;
}

static int64_t cb_clock_get_ns(void *opaque)
{
    struct net_slirp *s = opaque;
    return (int64_t)net_backend_now(&s->base);
}

static struct slirp_timer *timer_add(struct net_slirp *s)
{
    struct slirp_timer *t = calloc(1, sizeof *t);
    if (!t)
        abort(); /* libslirp cannot handle a NULL timer; g_malloc would abort too */
    t->owner = s;
    t->next = s->timers;
    s->timers = t;
    return t;
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    struct slirp_timer *t = timer_add(opaque);
    t->cb = cb;
    t->cb_opaque = cb_opaque;
    return t;
}

#if SLIRP_CONFIG_VERSION_MAX >= 4
static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    struct slirp_timer *t = timer_add(opaque);
    t->by_id = true;
    t->id = id;
    t->cb_opaque = cb_opaque;
    return t;
}
#endif

static void cb_timer_free(void *timer, void *opaque)
{
    struct net_slirp *s = opaque;
    for (struct slirp_timer **pp = &s->timers; *pp; pp = &(*pp)->next)
        if (*pp == timer) {
            *pp = (*pp)->next;
            free(timer);
            return;
        }
}

/* expire_time is in milliseconds of clock_get_ns. */
static void cb_timer_mod(void *timer, int64_t expire_time, void *opaque)
{
    struct slirp_timer *t = timer;
    t->armed = true;
    t->deadline_ns = expire_time <= 0 ? 0 : (uint64_t)expire_time * 1000000u;
}

/* libslirp announces each socket here for event loops that keep a fd set;
 * this one asks slirp_pollfds_fill afresh on every poll instead. */
static void cb_register_poll_fd(int fd, void *opaque)
{
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
}

static void cb_notify(void *opaque)
{
    struct net_slirp *s = opaque;
    s->notified = true;
}

static const SlirpCb slirp_callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
#if SLIRP_CONFIG_VERSION_MAX >= 4
    .timer_new_opaque = cb_timer_new_opaque,
#endif
};

/* ------------------------------------------------------------- polling */

static int add_poll(int fd, int events, void *opaque)
{
    struct net_slirp *s = opaque;
    if (s->npfd == s->pfd_cap) {
        int cap = s->pfd_cap ? s->pfd_cap * 2 : 16;
        struct pollfd *p = realloc(s->pfd, (size_t)cap * sizeof *p);
        if (!p)
            return -1; /* this socket is not polled this round */
        s->pfd = p;
        s->pfd_cap = cap;
    }
    short ev = 0;
    if (events & SLIRP_POLL_IN)
        ev |= POLLIN;
    if (events & SLIRP_POLL_OUT)
        ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI)
        ev |= POLLPRI;
    /* POLLERR and POLLHUP are always reported. */
    s->pfd[s->npfd] = (struct pollfd){ .fd = fd, .events = ev };
    return s->npfd++;
}

static int get_revents(int idx, void *opaque)
{
    struct net_slirp *s = opaque;
    if (idx < 0 || idx >= s->npfd)
        return 0;
    short r = s->pfd[idx].revents;
    int ev = 0;
    if (r & POLLIN)
        ev |= SLIRP_POLL_IN;
    if (r & POLLOUT)
        ev |= SLIRP_POLL_OUT;
    if (r & POLLPRI)
        ev |= SLIRP_POLL_PRI;
    if (r & (POLLERR | POLLNVAL))
        ev |= SLIRP_POLL_ERR;
    if (r & POLLHUP)
        ev |= SLIRP_POLL_HUP;
    return ev;
}

static void fill(struct net_slirp *s)
{
    s->npfd = 0;
    s->timeout_ms = UINT32_MAX;
    s->filled_at = net_backend_now(&s->base);
    slirp_pollfds_fill(s->slirp, &s->timeout_ms, add_poll, s);
}

static void fire_timers(struct net_slirp *s)
{
    uint64_t now = net_backend_now(&s->base);
    /* A callback may re-arm, add or free timers, so search afresh after
     * each one; the bound stops a timer that re-arms itself in the past. */
    for (int fired = 0; fired < 64; fired++) {
        struct slirp_timer *due = NULL;
        for (struct slirp_timer *t = s->timers; t; t = t->next)
            if (t->armed && t->deadline_ns <= now && (!due || t->deadline_ns < due->deadline_ns))
                due = t;
        if (!due)
            return;
        due->armed = false;
        if (due->by_id) {
#if SLIRP_CONFIG_VERSION_MAX >= 4
            slirp_handle_timer(s->slirp, due->id, due->cb_opaque);
#endif
        } else {
            due->cb(due->cb_opaque);
        }
    }
}

static void slirp_backend_poll(struct net_backend *b)
{
    struct net_slirp *s = to_slirp(b);
    fire_timers(s);
    fill(s);
    int r = s->npfd ? poll(s->pfd, (nfds_t)s->npfd, 0) : 0;
    if (r < 0)
        for (int i = 0; i < s->npfd; i++)
            s->pfd[i].revents = 0;
    s->notified = false;
    /* With select_error set libslirp still runs its TCP timers but does
     * not look at the sockets. */
    slirp_pollfds_poll(s->slirp, r < 0, get_revents, s);
}

static int slirp_backend_fill_pollfds(struct net_backend *b, struct pollfd *fds, int max)
{
    struct net_slirp *s = to_slirp(b);
    fill(s);
    for (int i = 0; i < s->npfd && i < max; i++) {
        fds[i] = s->pfd[i];
        fds[i].revents = 0;
    }
    return s->npfd;
}

static uint64_t slirp_backend_next_deadline(struct net_backend *b)
{
    struct net_slirp *s = to_slirp(b);
    fill(s);
    uint64_t d = UINT64_MAX;
    if (s->notified)
        d = s->filled_at;
    /* Given no limit, slirp_pollfds_fill answers 2 ms when a delayed ACK is
     * pending, 499 ms while TCP connections or UDP/ICMP sessions need their
     * slow timer, and otherwise just its 1 s cap, which is no event. */
    if (s->timeout_ms < 1000) {
        uint64_t t = s->filled_at + (uint64_t)s->timeout_ms * 1000000u;
        if (t < d)
            d = t;
    }
    for (struct slirp_timer *t = s->timers; t; t = t->next)
        if (t->armed && t->deadline_ns < d)
            d = t->deadline_ns;
    return d;
}

static int slirp_backend_send(struct net_backend *b, const void *frame, size_t len)
{
    struct net_slirp *s = to_slirp(b);
    const uint8_t *whole;
    size_t whole_len;
    const char *why;
    switch (net_ipcheck_frame(s->check, frame, len, net_backend_now(b), &whole, &whole_len, &why)) {
    case NET_IPCHECK_PASS:
        slirp_input(s->slirp, frame, (int)len);
        return 0;
    case NET_IPCHECK_WHOLE:
        slirp_input(s->slirp, whole, (int)whole_len);
        return 0;
    case NET_IPCHECK_HOLD:
        return 0;
    case NET_IPCHECK_DROP:
        break;
    }
    net_backend_log_once(b, &s->logged_invalid, "guest frame dropped before libslirp: %s", why);
    return 1;
}

static void slirp_backend_destroy(struct net_backend *b)
{
    struct net_slirp *s = to_slirp(b);
    if (s->slirp)
        slirp_cleanup(s->slirp); /* closes its sockets, frees its timers */
    while (s->timers)
        cb_timer_free(s->timers, s);
    net_ipcheck_free(s->check);
    free(s->pfd);
    free(s);
}

static const struct net_backend_ops slirp_ops = {
    .send = slirp_backend_send,
    .poll = slirp_backend_poll,
    .fill_pollfds = slirp_backend_fill_pollfds,
    .next_deadline = slirp_backend_next_deadline,
    .destroy = slirp_backend_destroy,
};

/* QEMU's IPv6 defaults: prefix fec0::/64, host ::2, DNS ::3. */
static struct in6_addr fec0(uint8_t last)
{
    struct in6_addr a;
    memset(&a, 0, sizeof a);
    a.s6_addr[0] = 0xfe;
    a.s6_addr[1] = 0xc0;
    a.s6_addr[15] = last;
    return a;
}

struct net_backend *net_slirp_open(const struct netdev_config *cfg, const struct net_clock *clock,
                                   char *err, size_t errlen)
{
    struct net_slirp *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    net_backend_init(&s->base, &slirp_ops, cfg, clock);
    s->check = net_ipcheck_new();
    if (!s->check) {
        snprintf(err, errlen, "out of memory");
        slirp_backend_destroy(&s->base);
        return NULL;
    }

    SlirpConfig sc;
    memset(&sc, 0, sizeof sc);
    sc.version = SLIRP_CONFIG_VERSION_MAX >= 4 ? 4 : SLIRP_CONFIG_VERSION_MAX;
    sc.restricted = cfg->restricted;
    sc.in_enabled = true;
    sc.vnetwork = cfg->net;
    sc.vnetmask = cfg->mask;
    sc.vhost = cfg->host;
    sc.in6_enabled = cfg->ipv6;
    sc.vprefix_addr6 = fec0(0);
    sc.vprefix_len = 64;
    sc.vhost6 = fec0(2);
    sc.vnameserver6 = fec0(3);
    sc.vdhcp_start = cfg->dhcp_start;
    sc.vnameserver = cfg->dns;
    /* Everything else zero: default MTU/MRU 1500, host loopback reachable
     * as the host address (as in QEMU), no protocol emulation hacks. */
    s->slirp = slirp_new(&sc, &slirp_callbacks, s);
    if (!s->slirp) {
        snprintf(err, errlen, "libslirp refused the configuration");
        slirp_backend_destroy(&s->base);
        return NULL;
    }

    for (unsigned i = 0; i < cfg->nhostfwd; i++) {
        const struct netdev_hostfwd *f = &cfg->hostfwd[i];
        char ha[INET_ADDRSTRLEN], ga[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &f->host_addr, ha, sizeof ha);
        struct in_addr guest = f->guest_addr.s_addr ? f->guest_addr : cfg->dhcp_start;
        inet_ntop(AF_INET, &guest, ga, sizeof ga);
        errno = 0;
        if (slirp_add_hostfwd(s->slirp, f->udp, f->host_addr, f->host_port, f->guest_addr,
                              f->guest_port) < 0) {
            int e = errno;
            snprintf(err, errlen, "hostfwd %s %s:%u -> %s:%u: cannot listen on host port %u%s%s",
                     f->udp ? "udp" : "tcp", ha, f->host_port, ga, f->guest_port, f->host_port,
                     e ? ": " : "", e ? strerror(e) : "");
            slirp_backend_destroy(&s->base);
            return NULL;
        }
    }
    return &s->base;
}
