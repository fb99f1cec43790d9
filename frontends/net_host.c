/* frontends/net_host.c: -netdev backends behind machine/devices.h's
 * struct devices_netdev. */
#include "frontends/net_host.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

struct net_host_entry {
    struct net_backend *backend;
    uint64_t (*now)(void *clock);   /* the machine's clock, NULL without one */
    void *clock;
    uint64_t base, last;            /* keeps time monotonic across machines */
};

struct net_host {
    unsigned n;
    struct net_host_entry *e;
    struct devices_netdev *nd;
};

static uint64_t entry_now(void *opaque)
{
    struct net_host_entry *e = opaque;
    if (e->now) {
        uint64_t t = e->base + e->now(e->clock);
        if (t > e->last)
            e->last = t;
    }
    return e->last;
}

static int nd_send(void *ctx, const void *frame, size_t len)
{
    struct net_host_entry *e = ctx;
    return net_backend_send(e->backend, frame, len);
}

static void nd_set_receiver(void *ctx, bool (*can_receive)(void *), void (*rx)(void *, const void *, size_t),
                            void *opaque)
{
    struct net_host_entry *e = ctx;
    net_backend_set_receiver(e->backend, can_receive, rx, opaque);
}

static void nd_poll(void *ctx)
{
    struct net_host_entry *e = ctx;
    net_backend_poll(e->backend);
}

static void nd_set_clock(void *ctx, uint64_t (*now)(void *), void *clock)
{
    struct net_host_entry *e = ctx;
    /* a new machine's clock starts at 0: continue from where time was */
    e->base = e->last;
    e->now = now;
    e->clock = clock;
}

struct net_host *net_host_open(const struct netdev_config *cfgs, const char *const *args, unsigned n)
{
    struct net_host *h = calloc(1, sizeof *h);
    if (h) {
        h->e = calloc(n + 1, sizeof *h->e);
        h->nd = calloc(n + 1, sizeof *h->nd);
    }
    if (!h || !h->e || !h->nd) {
        fprintf(stderr, "rivet: out of memory\n");
        net_host_close(h);
        return NULL;
    }
    for (unsigned i = 0; i < n; i++) {
        char err[256];
        struct net_host_entry *e = &h->e[i];
        struct net_clock clock = { entry_now, e };
        e->backend = netdev_open(&cfgs[i], &clock, err, sizeof err);
        if (!e->backend) {
            fprintf(stderr, "rivet: -netdev %s: %s\n", args[i], err);
            net_host_close(h);
            return NULL;
        }
        h->n = i + 1;
        h->nd[i] = (struct devices_netdev){
            .id = net_backend_id(e->backend), .ctx = e, .send = nd_send,
            .set_receiver = nd_set_receiver, .poll = nd_poll, .set_clock = nd_set_clock,
        };
    }
    return h;
}

const struct devices_netdev *net_host_netdevs(const struct net_host *h)
{
    return h->nd;
}

unsigned net_host_count(const struct net_host *h)
{
    return h ? h->n : 0;
}

int net_host_fill_pollfds(struct net_host *h, struct pollfd *fds, int max)
{
    int used = 0;
    for (unsigned i = 0; h && i < h->n && used < max; i++) {
        int want = net_backend_fill_pollfds(h->e[i].backend, fds + used, max - used);
        used += want < max - used ? want : max - used;
    }
    return used;
}

void net_host_print_stats(const struct net_host *h, FILE *f)
{
    for (unsigned i = 0; h && i < h->n; i++) {
        struct net_stats s = net_backend_stats(h->e[i].backend);
        fprintf(f, "rivet: stats: netdev %s: tx=%" PRIu64 " tx-bytes=%" PRIu64 " tx-invalid=%" PRIu64
                " tx-errors=%" PRIu64 " rx=%" PRIu64 " rx-bytes=%" PRIu64 " rx-dropped=%" PRIu64 "\n",
                net_backend_id(h->e[i].backend), s.tx_frames, s.tx_bytes, s.tx_invalid, s.tx_errors,
                s.rx_frames, s.rx_bytes, s.rx_dropped);
    }
}

void net_host_close(struct net_host *h)
{
    if (!h)
        return;
    for (unsigned i = 0; h->e && i < h->n; i++)
        net_backend_close(h->e[i].backend);
    free(h->e);
    free(h->nd);
    free(h);
}
