/* frontends/net_ipcheck.c: guest frames checked, IPv4 reassembled (net_ipcheck.h). */
#include "frontends/net_ipcheck.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define ETH_HLEN 14
#define IP_HMAX 60
#define IP_MAXLEN 65535u
#define BLOCKS (65536 / 8)
/* A datagram's buffer: room for the Ethernet and the longest IP header
 * before the payload, so the finished frame is contiguous. */
#define PAYLOAD_AT (ETH_HLEN + IP_HMAX)
#define BUF_SIZE (PAYLOAD_AT + IP_MAXLEN)

struct dgram {
    bool used;
    uint8_t src[4], dst[4], id[2], proto;
    uint64_t started;
    uint8_t *buf;            /* BUF_SIZE, allocated on first use, kept */
    size_t hdrlen;           /* Ethernet + IP header of the first fragment; 0 until it came */
    bool have_end;
    uint32_t end;            /* payload length, known from the last fragment */
    uint32_t reach;          /* largest offset + length seen so far */
    uint32_t nseen;          /* blocks of 8 bytes received */
    uint8_t seen[BLOCKS / 8];
};

struct net_ipcheck {
    struct dgram d[NET_IPCHECK_DATAGRAMS];
    struct net_ipcheck_stats stats;
};

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint16_t ip_sum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += be16(p + i);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static bool seen(const struct dgram *g, uint32_t b)
{
    return g->seen[b / 8] >> (b % 8) & 1;
}

struct net_ipcheck *net_ipcheck_new(void)
{
    return calloc(1, sizeof(struct net_ipcheck));
}

void net_ipcheck_free(struct net_ipcheck *c)
{
    if (!c)
        return;
    for (int i = 0; i < NET_IPCHECK_DATAGRAMS; i++)
        free(c->d[i].buf);
    free(c);
}

struct net_ipcheck_stats net_ipcheck_stats(const struct net_ipcheck *c)
{
    return c->stats;
}

static void release(struct dgram *g)
{
    uint8_t *buf = g->buf;
    memset(g, 0, sizeof *g);
    g->buf = buf;
}

static void give_up(struct net_ipcheck *c, struct dgram *g)
{
    release(g);
    c->stats.reasm_failed++;
}

static enum net_ipcheck_verdict drop(struct net_ipcheck *c, const char **why, const char *reason)
{
    c->stats.dropped++;
    *why = reason;
    return NET_IPCHECK_DROP;
}

/* The datagram this fragment belongs to, or a fresh slot (evicting the
 * oldest when all are taken); NULL when out of memory. */
static struct dgram *find(struct net_ipcheck *c, const uint8_t *ip, uint64_t now)
{
    struct dgram *oldest = NULL, *free_slot = NULL;
    for (int i = 0; i < NET_IPCHECK_DATAGRAMS; i++) {
        struct dgram *g = &c->d[i];
        if (!g->used) {
            if (!free_slot)
                free_slot = g;
            continue;
        }
        if (!memcmp(g->src, ip + 12, 4) && !memcmp(g->dst, ip + 16, 4) && !memcmp(g->id, ip + 4, 2) &&
            g->proto == ip[9])
            return g;
        if (!oldest || g->started < oldest->started)
            oldest = g;
    }
    struct dgram *g = free_slot;
    if (!g) {
        give_up(c, oldest);
        g = oldest;
    }
    if (!g->buf && !(g->buf = malloc(BUF_SIZE)))
        return NULL;
    g->used = true;
    memcpy(g->src, ip + 12, 4);
    memcpy(g->dst, ip + 16, 4);
    memcpy(g->id, ip + 4, 2);
    g->proto = ip[9];
    g->started = now;
    return g;
}

static enum net_ipcheck_verdict fragment(struct net_ipcheck *c, const uint8_t *frame, size_t hlen,
                                         size_t tot, uint64_t now, const uint8_t **out,
                                         size_t *outlen, const char **why)
{
    const uint8_t *ip = frame + ETH_HLEN;
    unsigned ff = be16(ip + 6);
    bool mf = ff & 0x2000;
    uint32_t off = (ff & 0x1fff) * 8u, len = (uint32_t)(tot - hlen);
    if (ff & 0x4000)
        return drop(c, why, "IPv4 fragment with DF set");
    if (mf && (len == 0 || len % 8))
        return drop(c, why, "IPv4 fragment not a multiple of 8 bytes");
    if (off + len > IP_MAXLEN - 20)
        return drop(c, why, "IPv4 fragment beyond 65535 bytes");

    struct dgram *g = find(c, ip, now);
    if (!g)
        return drop(c, why, "out of memory for IPv4 reassembly");
    uint8_t *pay = g->buf + PAYLOAD_AT;
    uint32_t end = off + len;
    if (!mf) {
        if ((g->have_end && g->end != end) || g->reach > end) {
            give_up(c, g);
            return drop(c, why, "IPv4 fragments disagree on the datagram's end");
        }
        g->have_end = true;
        g->end = end;
    } else if (g->have_end && end > g->end) {
        give_up(c, g);
        return drop(c, why, "IPv4 fragment past the datagram's end");
    }
    /* Bytes already received must be received again identically. */
    for (uint32_t b = off / 8; b * 8 < end; b++)
        if (seen(g, b)) {
            uint32_t lo = b * 8, hi = lo + 8 < end ? lo + 8 : end;
            if (memcmp(pay + lo, ip + hlen + (lo - off), hi - lo)) {
                give_up(c, g);
                return drop(c, why, "IPv4 fragments overlap with different data");
            }
        }
    memcpy(pay + off, ip + hlen, len);
    for (uint32_t b = off / 8; b * 8 < end; b++)
        if (!seen(g, b)) {
            g->seen[b / 8] |= (uint8_t)(1u << (b % 8));
            g->nseen++;
        }
    if (end > g->reach)
        g->reach = end;
    if (off == 0) {
        g->hdrlen = ETH_HLEN + hlen;
        memcpy(pay - g->hdrlen, frame, g->hdrlen);
    }
    if (!g->hdrlen || !g->have_end || g->nseen != (g->end + 7) / 8)
        return NET_IPCHECK_HOLD;

    /* Complete: the first fragment's header, unfragmented. */
    size_t iph = g->hdrlen - ETH_HLEN;
    if (iph + g->end > IP_MAXLEN) {
        give_up(c, g);
        return drop(c, why, "IPv4 datagram beyond 65535 bytes");
    }
    uint8_t *h = pay - iph;
    uint32_t total = (uint32_t)iph + g->end;
    h[2] = (uint8_t)(total >> 8);
    h[3] = (uint8_t)total;
    h[6] = h[7] = 0;
    h[10] = h[11] = 0;
    uint16_t s = ip_sum(h, iph);
    h[10] = (uint8_t)(s >> 8);
    h[11] = (uint8_t)s;
    *out = pay - g->hdrlen;
    *outlen = g->hdrlen + g->end;
    release(g);
    c->stats.reassembled++;
    return NET_IPCHECK_WHOLE;
}

enum net_ipcheck_verdict net_ipcheck_frame(struct net_ipcheck *c, const uint8_t *frame, size_t len,
                                           uint64_t now, const uint8_t **out, size_t *outlen,
                                           const char **why)
{
    for (int i = 0; i < NET_IPCHECK_DATAGRAMS; i++)
        if (c->d[i].used && now >= c->d[i].started && now - c->d[i].started >= NET_IPCHECK_TIMEOUT_NS)
            give_up(c, &c->d[i]);
    if (len < ETH_HLEN)
        return drop(c, why, "frame shorter than an Ethernet header");
    const uint8_t *p = frame + ETH_HLEN;
    size_t n = len - ETH_HLEN;
    switch (be16(frame + 12)) {
    case 0x0800: {
        if (n < 20)
            return drop(c, why, "IPv4 header cut short");
        if (p[0] >> 4 != 4)
            return drop(c, why, "IPv4 version is not 4");
        size_t hlen = (p[0] & 15) * 4u, tot = be16(p + 2);
        if (hlen < 20)
            return drop(c, why, "IPv4 header length below 20");
        if (tot < hlen)
            return drop(c, why, "IPv4 total length shorter than its header");
        if (tot > n)
            return drop(c, why, "IPv4 total length beyond the frame");
        if (ip_sum(p, hlen))
            return drop(c, why, "IPv4 header checksum wrong");
        if (be16(p + 6) & 0x3fff)
            return fragment(c, frame, hlen, tot, now, out, outlen, why);
        return NET_IPCHECK_PASS;
    }
    case 0x86dd:
        if (n < 40)
            return drop(c, why, "IPv6 header cut short");
        if (p[0] >> 4 != 6)
            return drop(c, why, "IPv6 version is not 6");
        if (40 + (size_t)be16(p + 4) > n)
            return drop(c, why, "IPv6 payload length beyond the frame");
        return NET_IPCHECK_PASS;
    case 0x0806:
        if (n < 28)
            return drop(c, why, "ARP packet cut short");
        return NET_IPCHECK_PASS;
    default:
        return NET_IPCHECK_PASS;
    }
}
