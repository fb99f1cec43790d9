/* tests/unit/test_net_slirp.c: `-netdev user` end to end without a guest.
 * The test plays the guest: it crafts Ethernet frames (ARP, DHCP, TCP,
 * UDP), hands them to the backend, and checks what comes back through the
 * receiver. Host peers are sockets on 127.0.0.1 only; every other address
 * is inside libslirp's virtual 10.0.2.0/24. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "frontends/net.h"

#ifdef HAVE_SLIRP

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

#define MAX_FRAMES 512

struct ctx {
    struct net_backend *b;
    uint64_t now;                 /* the backend's clock, in ns */
    bool answer_arp;              /* reply to ARP requests for the guest's address */
    uint32_t guest_ip;            /* network order */
    unsigned nframes;
    uint8_t *frames[MAX_FRAMES];
    size_t lens[MAX_FRAMES];
    bool used[MAX_FRAMES];
    unsigned arp_requests_seen;
};

static struct netdev_config cfg;

static uint64_t ctx_clock(void *opaque)
{
    return ((struct ctx *)opaque)->now;
}

/* ---------------------------------------------------------- frame kit */

static uint32_t ip(const char *s)
{
    struct in_addr a;
    assert_int_equal(inet_pton(AF_INET, s, &a), 1);
    return a.s_addr;
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t s)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        s += (uint32_t)p[len - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static size_t eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, guest_mac, 6);
    put16(f + 12, type);
    return 14;
}

static size_t arp_frame(uint8_t *f, uint16_t op, const uint8_t *dst_mac, uint32_t sip, uint32_t tip,
                        const uint8_t *tha)
{
    size_t n = eth(f, dst_mac, 0x0806);
    uint8_t *a = f + n;
    put16(a, 1);
    put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, guest_mac, 6);
    memcpy(a + 14, &sip, 4);
    memcpy(a + 18, tha, 6);
    memcpy(a + 24, &tip, 4);
    return n + 28;
}

/* IPv4 + UDP or TCP header with checksums; payload already at the right
 * place (f + 14 + 20 + l4hdr). Returns the frame length. */
static size_t ipv4_frame(uint8_t *f, const uint8_t *dst_mac, uint32_t src, uint32_t dst, uint8_t proto,
                         size_t l4len)
{
    size_t n = eth(f, dst_mac, 0x0800);
    uint8_t *h = f + n;
    memset(h, 0, 20);
    h[0] = 0x45;
    put16(h + 2, (uint16_t)(20 + l4len));
    put16(h + 4, 0x1234);
    h[8] = 64;
    h[9] = proto;
    memcpy(h + 12, &src, 4);
    memcpy(h + 16, &dst, 4);
    put16(h + 10, fold(sum16(h, 20, 0)));
    /* Transport checksum over the pseudo header. */
    uint8_t *l4 = h + 20;
    uint8_t pseudo[12];
    memcpy(pseudo, &src, 4);
    memcpy(pseudo + 4, &dst, 4);
    pseudo[8] = 0;
    pseudo[9] = proto;
    put16(pseudo + 10, (uint16_t)l4len);
    size_t ck = proto == 6 ? 16 : 6;
    put16(l4 + ck, 0);
    uint16_t c = fold(sum16(l4, l4len, sum16(pseudo, 12, 0)));
    if (proto == 17 && c == 0)
        c = 0xffff;
    put16(l4 + ck, c);
    return n + 20 + l4len;
}

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

static size_t tcp_frame(uint8_t *f, const uint8_t *dst_mac, uint32_t src, uint32_t dst, uint16_t sport,
                        uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const void *data,
                        size_t len)
{
    uint8_t *t = f + 14 + 20;
    memset(t, 0, 20);
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    put16(t + 14, 65535);
    if (len)
        memcpy(t + 20, data, len);
    return ipv4_frame(f, dst_mac, src, dst, 6, 20 + len);
}

static size_t udp_frame(uint8_t *f, const uint8_t *dst_mac, uint32_t src, uint32_t dst, uint16_t sport,
                        uint16_t dport, const void *data, size_t len)
{
    uint8_t *u = f + 14 + 20;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)(8 + len));
    memcpy(u + 8, data, len);
    return ipv4_frame(f, dst_mac, src, dst, 17, 8 + len);
}

/* A DHCP message from the guest (RFC 2131): DISCOVER, or REQUEST for `want`
 * from `server`. */
static size_t dhcp_frame(uint8_t *f, uint8_t type, uint32_t xid, uint32_t want, uint32_t server)
{
    uint8_t m[300];
    memset(m, 0, sizeof m);
    m[0] = 1; /* BOOTREQUEST */
    m[1] = 1; /* Ethernet */
    m[2] = 6;
    put32(m + 4, xid);
    memcpy(m + 28, guest_mac, 6);
    put32(m + 236, 0x63825363u);
    size_t o = 240;
    m[o++] = 53;
    m[o++] = 1;
    m[o++] = type;
    if (want) {
        m[o++] = 50;
        m[o++] = 4;
        memcpy(m + o, &want, 4);
        o += 4;
        m[o++] = 54;
        m[o++] = 4;
        memcpy(m + o, &server, 4);
        o += 4;
    }
    m[o++] = 255;
    return udp_frame(f, bcast_mac, 0, 0xffffffffu, 68, 67, m, sizeof m);
}

/* ------------------------------------------------------ harness */

static void ctx_rx(void *opaque, const void *frame, size_t len)
{
    struct ctx *c = opaque;
    const uint8_t *p = frame;
    /* Play the guest's ARP: answer "who has <guest>". */
    if (c->answer_arp && len >= 42 && be16(p + 12) == 0x0806 && be16(p + 20) == 1 &&
        memcmp(p + 38, &c->guest_ip, 4) == 0) {
        c->arp_requests_seen++;
        uint8_t r[64];
        uint32_t sip, tip;
        memcpy(&sip, p + 28, 4);
        tip = sip;
        sip = c->guest_ip;
        size_t n = arp_frame(r, 2, p + 6, sip, tip, p + 6);
        assert_int_equal(net_backend_send(c->b, r, n), 0);
        return;
    }
    if (c->nframes == MAX_FRAMES)
        return;
    c->frames[c->nframes] = malloc(len);
    assert_non_null(c->frames[c->nframes]);
    memcpy(c->frames[c->nframes], frame, len);
    c->lens[c->nframes] = len;
    c->nframes++;
}

static struct ctx *ctx_open(const char *optarg)
{
    struct ctx *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->now = 1000000000ull; /* 1 s */
    c->answer_arp = true;
    char err[256];
    if (netdev_parse(optarg, &cfg, err, sizeof err) != 0)
        fail_msg("%s: %s", optarg, err);
    c->guest_ip = cfg.dhcp_start.s_addr;
    struct net_clock clock = { .now_ns = ctx_clock, .opaque = c };
    c->b = netdev_open(&cfg, &clock, err, sizeof err);
    if (!c->b)
        fail_msg("netdev_open %s: %s", optarg, err);
    net_backend_set_receiver(c->b, NULL, ctx_rx, c);
    return c;
}

static void ctx_close(struct ctx *c)
{
    net_backend_close(c->b);
    for (unsigned i = 0; i < c->nframes; i++)
        free(c->frames[i]);
    free(c);
}

typedef bool (*match_fn)(const uint8_t *f, size_t len, const void *arg);

static int find(struct ctx *c, match_fn m, const void *arg)
{
    for (unsigned i = 0; i < c->nframes; i++)
        if (!c->used[i] && m(c->frames[i], c->lens[i], arg)) {
            c->used[i] = true;
            return (int)i;
        }
    return -1;
}

/* Polls like a run loop (advancing virtual time 1 ms per round, sleeping on
 * the backend's fds up to 5 ms) until a frame matches; -1 after max_rounds. */
static int wait_for(struct ctx *c, match_fn m, const void *arg, int max_rounds)
{
    for (int round = 0; round < max_rounds; round++) {
        net_backend_poll(c->b);
        int i = find(c, m, arg);
        if (i >= 0)
            return i;
        struct pollfd fds[64];
        int n = net_backend_fill_pollfds(c->b, fds, 64);
        poll(fds, (nfds_t)(n < 64 ? n : 64), 5);
        c->now += 1000000;
    }
    return -1;
}

static void send_frame(struct ctx *c, const uint8_t *f, size_t n)
{
    assert_int_equal(net_backend_send(c->b, f, n), 0);
}

/* ------------------------------------------------------ matchers */

static bool is_ipv4(const uint8_t *f, size_t len, uint8_t proto)
{
    return len >= 34 && be16(f + 12) == 0x0800 && (f[14] >> 4) == 4 && f[23] == proto;
}

static const uint8_t *l4(const uint8_t *f)
{
    return f + 14 + (f[14] & 15) * 4;
}

static bool match_arp_reply(const uint8_t *f, size_t len, const void *arg)
{
    uint32_t sip = *(const uint32_t *)arg;
    return len >= 42 && be16(f + 12) == 0x0806 && be16(f + 20) == 2 && memcmp(f + 28, &sip, 4) == 0;
}

static bool match_any(const uint8_t *f, size_t len, const void *arg)
{
    return true;
}

static bool match_dhcp_reply(const uint8_t *f, size_t len, const void *arg)
{
    if (!is_ipv4(f, len, 17))
        return false;
    const uint8_t *u = l4(f);
    return be16(u) == 67 && be16(u + 2) == 68 && be32(u + 8 + 4) == *(const uint32_t *)arg;
}

struct tcp_want {
    uint16_t sport, dport;
    uint8_t flags;      /* all of these set */
    bool data;          /* carries payload */
};

static bool match_tcp(const uint8_t *f, size_t len, const void *arg)
{
    const struct tcp_want *w = arg;
    if (!is_ipv4(f, len, 6))
        return false;
    const uint8_t *t = l4(f);
    size_t ip_len = be16(f + 16);
    size_t payload = ip_len - (size_t)(f[14] & 15) * 4 - (size_t)(t[12] >> 4) * 4;
    return be16(t) == w->sport && be16(t + 2) == w->dport && (t[13] & w->flags) == w->flags &&
           (!w->data || payload > 0);
}

struct udp_want {
    uint16_t dport;
};

static bool match_udp(const uint8_t *f, size_t len, const void *arg)
{
    const struct udp_want *w = arg;
    return is_ipv4(f, len, 17) && be16(l4(f) + 2) == w->dport;
}

static bool match_ra(const uint8_t *f, size_t len, const void *arg)
{
    /* IPv6, next header ICMPv6, type 134, to all nodes (33:33:00:00:00:01). */
    return len >= 14 + 40 + 1 && be16(f + 12) == 0x86dd && f[14 + 6] == 58 && f[14 + 40] == 134 &&
           f[0] == 0x33 && f[1] == 0x33 && f[5] == 1;
}

/* DHCP option `code` of the reply at frame index i, or NULL. */
static const uint8_t *dhcp_option(const uint8_t *f, size_t len, uint8_t code)
{
    const uint8_t *m = l4(f) + 8;
    const uint8_t *end = f + len;
    const uint8_t *o = m + 240;
    while (o < end && *o != 255) {
        if (*o == 0) {
            o++;
            continue;
        }
        if (o + 2 > end || o + 2 + o[1] > end)
            return NULL;
        if (*o == code)
            return o;
        o += 2 + o[1];
    }
    return NULL;
}

/* ------------------------------------------------------ host sockets */

static int listen_loopback(uint16_t *port, int type)
{
    int s = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    assert_true(s >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    if (type == SOCK_STREAM)
        assert_int_equal(listen(s, 4), 0);
    socklen_t al = sizeof a;
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
    *port = ntohs(a.sin_port);
    fcntl(s, F_SETFL, O_NONBLOCK);
    return s;
}

/* A loopback port that was free a moment ago. */
static uint16_t free_port(int type)
{
    uint16_t p;
    close(listen_loopback(&p, type));
    return p;
}

/* ------------------------------------------------------ tests */

/* ARP for the gateway and DNS is answered; the answer reaches the device
 * only from poll, not from inside send. */
static void test_arp(void **state)
{
    struct ctx *c = ctx_open("user,id=n0");
    uint8_t f[128];
    uint32_t gw = ip("10.0.2.2"), dns = ip("10.0.2.3"), guest = ip("10.0.2.15");
    static const uint8_t zero[6];
    size_t n = arp_frame(f, 1, bcast_mac, guest, gw, zero);
    send_frame(c, f, n);
    assert_int_equal(c->nframes, 0);
    assert_int_equal(net_backend_next_deadline(c->b), c->now); /* a frame is waiting */
    net_backend_poll(c->b);
    int i = find(c, match_arp_reply, &gw);
    assert_true(i >= 0);
    const uint8_t *r = c->frames[i];
    assert_memory_equal(r, guest_mac, 6);              /* to the guest */
    static const uint8_t slirp_gw_mac[6] = { 0x52, 0x55, 10, 0, 2, 2 };
    assert_memory_equal(r + 22, slirp_gw_mac, 6);      /* sender hardware address */
    assert_memory_equal(r + 32, guest_mac, 6);         /* target hardware address */
    assert_memory_equal(r + 38, &guest, 4);

    n = arp_frame(f, 1, bcast_mac, guest, dns, zero);
    send_frame(c, f, n);
    net_backend_poll(c->b);
    assert_true(find(c, match_arp_reply, &dns) >= 0);

    /* Nobody answers for an address slirp does not own. */
    uint32_t other = ip("10.0.2.77");
    n = arp_frame(f, 1, bcast_mac, guest, other, zero);
    send_frame(c, f, n);
    net_backend_poll(c->b);
    assert_true(find(c, match_any, NULL) < 0);

    struct net_stats st = net_backend_stats(c->b);
    assert_int_equal(st.tx_frames, 3);
    assert_int_equal(st.rx_frames, 2);
    ctx_close(c);
}

/* DISCOVER/OFFER, REQUEST/ACK. expect_dns 0: no router or DNS option. */
static void dhcp_exchange(struct ctx *c, uint32_t expect_ip, uint32_t expect_router, uint32_t expect_dns)
{
    uint8_t f[600];
    uint32_t xid = 0x1badcafe;
    size_t n = dhcp_frame(f, 1, xid, 0, 0);
    send_frame(c, f, n);
    int i = wait_for(c, match_dhcp_reply, &xid, 50);
    assert_true(i >= 0);
    const uint8_t *r = c->frames[i];
    size_t len = c->lens[i];
    const uint8_t *m = l4(r) + 8;
    assert_int_equal(m[0], 2); /* BOOTREPLY */
    assert_memory_equal(m + 16, &expect_ip, 4); /* yiaddr */
    const uint8_t *o = dhcp_option(r, len, 53);
    assert_non_null(o);
    assert_int_equal(o[2], 2); /* OFFER */
    o = dhcp_option(r, len, 54);
    assert_non_null(o);
    assert_memory_equal(o + 2, &expect_router, 4);
    if (expect_dns) {
        o = dhcp_option(r, len, 3);
        assert_non_null(o);
        assert_memory_equal(o + 2, &expect_router, 4);
        o = dhcp_option(r, len, 6);
        assert_non_null(o);
        assert_memory_equal(o + 2, &expect_dns, 4);
    } else {
        /* restrict=on: libslirp offers no way out, so neither a router nor
         * a DNS server. */
        assert_null(dhcp_option(r, len, 3));
        assert_null(dhcp_option(r, len, 6));
    }
    o = dhcp_option(r, len, 1);
    assert_non_null(o);
    uint32_t mask = ip("255.255.255.0");
    assert_memory_equal(o + 2, &mask, 4);

    n = dhcp_frame(f, 3, xid, expect_ip, expect_router);
    send_frame(c, f, n);
    i = wait_for(c, match_dhcp_reply, &xid, 50);
    assert_true(i >= 0);
    o = dhcp_option(c->frames[i], c->lens[i], 53);
    assert_non_null(o);
    assert_int_equal(o[2], 5); /* ACK */
    assert_memory_equal(l4(c->frames[i]) + 8 + 16, &expect_ip, 4);
}

/* QEMU's defaults: the guest gets 10.0.2.15, gateway 10.0.2.2, DNS 10.0.2.3. */
static void test_dhcp_defaults(void **state)
{
    struct ctx *c = ctx_open("user,id=n0");
    dhcp_exchange(c, ip("10.0.2.15"), ip("10.0.2.2"), ip("10.0.2.3"));
    ctx_close(c);
}

/* The options reach libslirp. */
static void test_dhcp_options(void **state)
{
    struct ctx *c = ctx_open("user,id=n0,dhcpstart=10.0.2.20,dns=10.0.2.4,ipv6=off");
    dhcp_exchange(c, ip("10.0.2.20"), ip("10.0.2.2"), ip("10.0.2.4"));
    /* The DNS address answers ARP, the default one no longer does. */
    uint8_t f[64];
    static const uint8_t zero[6];
    uint32_t dns = ip("10.0.2.4"), old = ip("10.0.2.3");
    send_frame(c, f, arp_frame(f, 1, bcast_mac, ip("10.0.2.20"), dns, zero));
    send_frame(c, f, arp_frame(f, 1, bcast_mac, ip("10.0.2.20"), old, zero));
    net_backend_poll(c->b);
    assert_true(find(c, match_arp_reply, &dns) >= 0);
    assert_true(find(c, match_arp_reply, &old) < 0);
    ctx_close(c);
}

/* The guest connects to 10.0.2.2:PORT and reaches a listener on the host's
 * 127.0.0.1:PORT; data flows both ways. */
static void test_tcp_to_host(void **state)
{
    uint16_t port;
    int ls = listen_loopback(&port, SOCK_STREAM);
    struct ctx *c = ctx_open("user,id=n0");
    uint32_t gw = ip("10.0.2.2"), guest = ip("10.0.2.15");
    static const uint8_t gw_mac[6] = { 0x52, 0x55, 10, 0, 2, 2 };
    uint8_t f[256];
    send_frame(c, f, tcp_frame(f, gw_mac, guest, gw, 40000, port, 1000, 0, TH_SYN, NULL, 0));
    struct tcp_want synack = { .sport = port, .dport = 40000, .flags = TH_SYN | TH_ACK };
    int i = wait_for(c, match_tcp, &synack, 1000);
    assert_true(i >= 0);
    const uint8_t *t = l4(c->frames[i]);
    assert_int_equal(be32(t + 8), 1001);
    uint32_t their = be32(t + 4) + 1;
    assert_memory_equal(c->frames[i] + 26, &gw, 4);

    int as = -1;
    for (int k = 0; k < 1000 && as < 0; k++) {
        as = accept(ls, NULL, NULL);
        if (as < 0)
            poll(NULL, 0, 5);
    }
    assert_true(as >= 0);

    send_frame(c, f, tcp_frame(f, gw_mac, guest, gw, 40000, port, 1001, their, TH_ACK, NULL, 0));
    send_frame(c, f, tcp_frame(f, gw_mac, guest, gw, 40000, port, 1001, their, TH_ACK | TH_PSH, "hello", 5));
    char buf[16] = "";
    ssize_t got = -1;
    for (int k = 0; k < 1000 && got <= 0; k++) {
        net_backend_poll(c->b);
        c->now += 1000000;
        got = recv(as, buf, sizeof buf, MSG_DONTWAIT);
        if (got <= 0)
            poll(NULL, 0, 5);
    }
    assert_int_equal(got, 5);
    assert_memory_equal(buf, "hello", 5);

    assert_int_equal(send(as, "world", 5, 0), 5);
    struct tcp_want data = { .sport = port, .dport = 40000, .flags = TH_ACK, .data = true };
    i = wait_for(c, match_tcp, &data, 1000);
    assert_true(i >= 0);
    t = l4(c->frames[i]);
    assert_memory_equal(t + (t[12] >> 4) * 4, "world", 5);

    close(as);
    close(ls);
    ctx_close(c);
}

/* restrict=on: the same connection attempt never reaches the host. */
static void test_restrict(void **state)
{
    uint16_t port;
    int ls = listen_loopback(&port, SOCK_STREAM);
    struct ctx *c = ctx_open("user,id=n0,restrict=on");
    uint32_t gw = ip("10.0.2.2"), guest = ip("10.0.2.15");
    static const uint8_t gw_mac[6] = { 0x52, 0x55, 10, 0, 2, 2 };
    uint8_t f[256];
    send_frame(c, f, tcp_frame(f, gw_mac, guest, gw, 40001, port, 1000, 0, TH_SYN, NULL, 0));
    struct tcp_want synack = { .sport = port, .dport = 40001, .flags = TH_SYN | TH_ACK };
    assert_true(wait_for(c, match_tcp, &synack, 40) < 0);
    assert_true(accept(ls, NULL, NULL) < 0);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    /* DHCP still works in a restricted network. */
    dhcp_exchange(c, guest, gw, 0);
    close(ls);
    ctx_close(c);
}

/* hostfwd: a host connection to 127.0.0.1:HPORT becomes a SYN to the
 * guest's port; UDP likewise. */
static void test_hostfwd(void **state)
{
    uint16_t tport = free_port(SOCK_STREAM), uport = free_port(SOCK_DGRAM);
    char opt[256];
    snprintf(opt, sizeof opt, "user,id=n0,hostfwd=tcp:127.0.0.1:%u-:2222,hostfwd=udp:127.0.0.1:%u-:5353",
             tport, uport);
    struct ctx *c = ctx_open(opt);
    uint32_t gw = ip("10.0.2.2"), guest = ip("10.0.2.15");

    /* The run loop can sleep on both listening sockets. */
    struct pollfd fds[8];
    assert_int_equal(net_backend_fill_pollfds(c->b, fds, 0), 2);
    assert_int_equal(net_backend_fill_pollfds(c->b, fds, 8), 2);
    assert_true(fds[0].events & POLLIN);
    assert_true(fds[1].events & POLLIN);

    int cs = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    assert_true(cs >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(tport),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int rc = connect(cs, (struct sockaddr *)&a, sizeof a);
    assert_true(rc == 0 || errno == EINPROGRESS);

    /* slirp does not know the guest's MAC yet: it asks by ARP first (the
     * receiver answers it), then sends the SYN. */
    int i = -1;
    for (int round = 0; round < 1000 && i < 0; round++) {
        net_backend_poll(c->b);
        for (unsigned k = 0; k < c->nframes && i < 0; k++) {
            if (c->used[k] || !is_ipv4(c->frames[k], c->lens[k], 6))
                continue;
            const uint8_t *t = l4(c->frames[k]);
            if (be16(t + 2) == 2222 && (t[13] & TH_SYN))
                i = (int)k;
        }
        if (i < 0) {
            poll(NULL, 0, 5);
            c->now += 1000000;
        }
    }
    assert_true(i >= 0);
    assert_true(c->arp_requests_seen >= 1);
    const uint8_t *fr = c->frames[i];
    assert_memory_equal(fr, guest_mac, 6);
    assert_memory_equal(fr + 26, &gw, 4);    /* from the host address */
    assert_memory_equal(fr + 30, &guest, 4); /* to the first DHCP address */
    const uint8_t *t = l4(fr);
    uint16_t sport = be16(t);
    uint32_t seq = be32(t + 4);
    static const uint8_t gw_mac[6] = { 0x52, 0x55, 10, 0, 2, 2 };
    uint8_t f[256];
    send_frame(c, f, tcp_frame(f, gw_mac, guest, gw, 2222, sport, 7000, seq + 1, TH_SYN | TH_ACK, NULL, 0));
    struct tcp_want ack = { .sport = sport, .dport = 2222, .flags = TH_ACK };
    assert_true(wait_for(c, match_tcp, &ack, 1000) >= 0);
    send_frame(c, f, tcp_frame(f, gw_mac, guest, gw, 2222, sport, 7001, seq + 1, TH_ACK | TH_PSH, "ssh", 3));
    char buf[8] = "";
    ssize_t got = -1;
    for (int k = 0; k < 1000 && got <= 0; k++) {
        net_backend_poll(c->b);
        c->now += 1000000;
        got = recv(cs, buf, sizeof buf, 0);
        if (got <= 0)
            poll(NULL, 0, 5);
    }
    assert_int_equal(got, 3);
    assert_memory_equal(buf, "ssh", 3);
    close(cs);

    int us = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(us >= 0);
    a.sin_port = htons(uport);
    assert_int_equal(sendto(us, "dns?", 4, 0, (struct sockaddr *)&a, sizeof a), 4);
    struct udp_want uw = { .dport = 5353 };
    i = wait_for(c, match_udp, &uw, 1000);
    assert_true(i >= 0);
    assert_memory_equal(l4(c->frames[i]) + 8, "dns?", 4);
    close(us);
    ctx_close(c);

    /* Closing released the ports: the same rules open again. */
    c = ctx_open(opt);
    ctx_close(c);
}

/* A hostfwd port that is taken: the error names it. */
static void test_hostfwd_port_in_use(void **state)
{
    uint16_t port;
    int ls = listen_loopback(&port, SOCK_STREAM);
    char opt[128], err[256] = "", want[32];
    snprintf(opt, sizeof opt, "user,id=n0,hostfwd=tcp:127.0.0.1:%u-:22", port);
    assert_int_equal(netdev_parse(opt, &cfg, err, sizeof err), 0);
    assert_null(netdev_open(&cfg, NULL, err, sizeof err));
    snprintf(want, sizeof want, "port %u", port);
    if (!strstr(err, want) || !strstr(err, "in use") || strchr(err, '\n'))
        fail_msg("unexpected error: %s", err);
    close(ls);
}

/* libslirp's timers run on the backend's clock, from poll: the IPv6 router
 * advertisement is due 200 to 600 s after start. With ipv6=off there is
 * no timer and nothing to wake up for. */
static void test_timers_on_virtual_clock(void **state)
{
    struct ctx *c = ctx_open("user,id=n0");
    uint64_t d = net_backend_next_deadline(c->b);
    assert_true(d >= c->now + 200000000000ull && d <= c->now + 600000000000ull);
    c->now = d - 1000000;
    net_backend_poll(c->b);
    assert_true(find(c, match_ra, NULL) < 0);
    c->now = d;
    net_backend_poll(c->b);
    assert_true(find(c, match_ra, NULL) >= 0);
    assert_true(net_backend_next_deadline(c->b) >= d + 200000000000ull);
    ctx_close(c);

    c = ctx_open("user,id=n0,ipv6=off");
    assert_int_equal(net_backend_next_deadline(c->b), UINT64_MAX);
    c->now += 700000000000ull;
    net_backend_poll(c->b);
    assert_int_equal(c->nframes, 0);
    ctx_close(c);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *b = malloc(1 << 20);
    assert_non_null(b);
    *len = fread(b, 1, 1 << 20, f);
    fclose(f);
    return b;
}

/* dump=FILE holds the DHCP exchange in both directions; the same inputs on
 * the same virtual clock give the same file; tshark (when installed) reads
 * it as DISCOVER, OFFER, REQUEST, ACK. */
static void test_dump_dhcp(void **state)
{
    char p1[] = "/tmp/rivet-test-slirp-XXXXXX", p2[] = "/tmp/rivet-test-slirp-XXXXXX";
    close(mkstemp(p1));
    close(mkstemp(p2));
    const char *paths[2] = { p1, p2 };
    for (int run = 0; run < 2; run++) {
        char opt[128];
        snprintf(opt, sizeof opt, "user,id=n0,ipv6=off,dump=%s", paths[run]);
        struct ctx *c = ctx_open(opt);
        dhcp_exchange(c, ip("10.0.2.15"), ip("10.0.2.2"), ip("10.0.2.3"));
        ctx_close(c);
    }
    size_t l1, l2;
    uint8_t *b1 = read_file(p1, &l1), *b2 = read_file(p2, &l2);
    /* Header and four records, each a whole DHCP frame. */
    assert_true(l1 > 24 + 4 * (16 + 282));
    size_t off = 24;
    int records = 0;
    while (off + 16 <= l1) {
        uint32_t incl = (uint32_t)b1[off + 8] | (uint32_t)b1[off + 9] << 8 |
                        (uint32_t)b1[off + 10] << 16 | (uint32_t)b1[off + 11] << 24;
        off += 16 + incl;
        records++;
    }
    assert_int_equal(off, l1);
    assert_int_equal(records, 4);
    assert_int_equal(l1, l2);
    assert_memory_equal(b1, b2, l1);
    free(b1);
    free(b2);

    if (system("command -v tshark >/dev/null 2>&1") == 0) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "tshark -r %s -T fields -e dhcp.option.dhcp 2>/dev/null", p1);
        FILE *f = popen(cmd, "r");
        assert_non_null(f);
        char out[128] = "";
        size_t n = fread(out, 1, sizeof out - 1, f);
        out[n] = '\0';
        assert_int_equal(pclose(f), 0);
        assert_string_equal(out, "1\n2\n3\n5\n");
    } else {
        print_message("tshark is not installed: checked the file layout only\n");
    }
    unlink(p1);
    unlink(p2);
}

/* The device is full: libslirp's frames wait, up to the bound, then drop. */
static bool never(void *opaque)
{
    return false;
}

static void test_queue_when_device_full(void **state)
{
    struct ctx *c = ctx_open("user,id=n0,ipv6=off");
    net_backend_set_receiver(c->b, never, ctx_rx, c);
    uint8_t f[64];
    static const uint8_t zero[6];
    uint32_t gw = ip("10.0.2.2");
    size_t n = arp_frame(f, 1, bcast_mac, ip("10.0.2.15"), gw, zero);
    for (int i = 0; i < NET_RX_QUEUE_MAX + 3; i++)
        send_frame(c, f, n);
    net_backend_poll(c->b);
    assert_int_equal(c->nframes, 0);
    assert_int_equal(net_backend_stats(c->b).rx_dropped, 3);
    net_backend_set_receiver(c->b, NULL, ctx_rx, c);
    net_backend_poll(c->b);
    assert_int_equal(c->nframes, NET_RX_QUEUE_MAX);
    ctx_close(c);
}

/* Garbage from the guest is harmless. */
static void test_guest_garbage(void **state)
{
    struct ctx *c = ctx_open("user,id=n0");
    uint8_t f[1600];
    uint32_t seed = 12345;
    for (int i = 0; i < 2000; i++) {
        size_t len = NET_FRAME_MIN + (seed % (sizeof f - NET_FRAME_MIN));
        for (size_t k = 0; k < len; k++) {
            seed = seed * 1103515245u + 12345u;
            f[k] = (uint8_t)(seed >> 16);
        }
        /* Half of them claim to be IPv4 or ARP so they get past the
         * Ethernet layer. */
        if (i & 1)
            put16(f + 12, (i & 2) ? 0x0800 : 0x0806);
        net_backend_send(c->b, f, len);
        if (i % 64 == 0)
            net_backend_poll(c->b);
    }
    net_backend_poll(c->b);
    ctx_close(c);
}

/* One IPv4 fragment of an ICMP echo request of `total` payload bytes (ICMP
 * header included) from the guest to the host address: payload bytes
 * [off, off + len) of it, flags as given (0x4000 DF, 0x2000 MF). */
static size_t icmp_fragment(uint8_t *f, uint16_t id, size_t total, size_t off, size_t len, uint16_t flags)
{
    uint8_t icmp[2048];
    assert_true(total <= sizeof icmp && off + len <= total);
    memset(icmp, 0, total);
    icmp[0] = 8; /* echo request */
    put16(icmp + 4, 0x4242);
    put16(icmp + 6, 1);
    for (size_t i = 8; i < total; i++)
        icmp[i] = (uint8_t)i;
    put16(icmp + 2, fold(sum16(icmp, total, 0)));
    uint32_t src = ip("10.0.2.15"), dst = ip("10.0.2.2");
    static const uint8_t gw_mac[6] = { 0x52, 0x55, 10, 0, 2, 2 };
    size_t n = eth(f, gw_mac, 0x0800);
    uint8_t *h = f + n;
    memset(h, 0, 20);
    h[0] = 0x45;
    put16(h + 2, (uint16_t)(20 + len));
    put16(h + 4, id);
    put16(h + 6, (uint16_t)(flags | off / 8));
    h[8] = 64;
    h[9] = 1;
    memcpy(h + 12, &src, 4);
    memcpy(h + 16, &dst, 4);
    put16(h + 10, fold(sum16(h, 20, 0)));
    memcpy(h + 20, icmp + off, len);
    return n + 20 + len;
}

static bool match_echo_reply(const uint8_t *f, size_t len, const void *arg)
{
    size_t want = *(const size_t *)arg;
    return is_ipv4(f, len, 1) && be16(f + 16) == 20 + want && (be16(f + 20) & 0x3fff) == 0 && l4(f)[0] == 0;
}

/* Issue #18: this one frame (ICMP 10.0.2.15 -> 10.0.2.2, 1487 bytes, DF,
 * fragment offset 0x173e, MF clear) made libslirp 4.7.0 fault inside
 * slirp_input. It is dropped and counted as invalid now; the same frame
 * without DF (a lone last fragment, what actually faults in libslirp) is
 * held for reassembly and never reaches libslirp. */
static void test_lone_last_fragment_issue18(void **state)
{
    struct ctx *c = ctx_open("user,id=n0");
    uint8_t f[2048];
    /* an unfragmented ping of the right size, then made a tail fragment */
    size_t n = icmp_fragment(f, 0x1234, 1473 - 20, 0, 1473 - 20, 0);
    put16(f + 14 + 6, 0x4000 | 0x173e);
    put16(f + 14 + 10, 0);
    put16(f + 14 + 10, fold(sum16(f + 14, 20, 0)));
    assert_int_equal(n, 1487);
    assert_int_equal(net_backend_send(c->b, f, n), -1);
    struct net_stats st = net_backend_stats(c->b);
    assert_int_equal(st.tx_invalid, 1);
    assert_int_equal(st.tx_errors, 0);
    put16(f + 14 + 6, 0x173e);
    put16(f + 14 + 10, 0);
    put16(f + 14 + 10, fold(sum16(f + 14, 20, 0)));
    assert_int_equal(net_backend_send(c->b, f, n), 0);
    net_backend_poll(c->b);
    /* The network still works: a ping of the host is answered. */
    n = icmp_fragment(f, 0x99, 64, 0, 64, 0);
    send_frame(c, f, n);
    size_t want = 64;
    assert_true(wait_for(c, match_echo_reply, &want, 50) >= 0);
    ctx_close(c);
}

/* A ping the guest fragmented reaches libslirp whole, whichever order its
 * fragments come in, and is answered. */
static void test_fragmented_ping(void **state)
{
    struct ctx *c = ctx_open("user,id=n0");
    uint8_t f[2048];
    size_t total = 1400, want = total;
    for (int order = 0; order < 3; order++) {
        uint16_t id = (uint16_t)(0x500 + order);
        size_t a = icmp_fragment(f, id, total, 0, 504, 0x2000);
        uint8_t first[2048];
        memcpy(first, f, a);
        size_t b = icmp_fragment(f, id, total, 504, 504, 0x2000);
        uint8_t mid[2048];
        memcpy(mid, f, b);
        size_t l = icmp_fragment(f, id, total, 1008, total - 1008, 0);
        if (order == 0) {
            send_frame(c, first, a);
            send_frame(c, mid, b);
            send_frame(c, f, l);
        } else if (order == 1) {
            send_frame(c, f, l);
            send_frame(c, mid, b);
            send_frame(c, first, a);
        } else {
            send_frame(c, mid, b);
            send_frame(c, first, a);
            send_frame(c, mid, b); /* a duplicate is harmless */
            send_frame(c, f, l);
        }
        assert_true(wait_for(c, match_echo_reply, &want, 50) >= 0);
    }
    assert_int_equal(net_backend_stats(c->b).tx_invalid, 0);
    ctx_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lone_last_fragment_issue18),
        cmocka_unit_test(test_fragmented_ping),
        cmocka_unit_test(test_arp),
        cmocka_unit_test(test_dhcp_defaults),
        cmocka_unit_test(test_dhcp_options),
        cmocka_unit_test(test_tcp_to_host),
        cmocka_unit_test(test_restrict),
        cmocka_unit_test(test_hostfwd),
        cmocka_unit_test(test_hostfwd_port_in_use),
        cmocka_unit_test(test_timers_on_virtual_clock),
        cmocka_unit_test(test_dump_dhcp),
        cmocka_unit_test(test_queue_when_device_full),
        cmocka_unit_test(test_guest_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* !HAVE_SLIRP */

static void test_user_net_not_built(void **state)
{
    struct netdev_config cfg;
    char err[256] = "";
    assert_int_equal(netdev_parse("user,id=n0", &cfg, err, sizeof err), 0);
    assert_null(netdev_open(&cfg, NULL, err, sizeof err));
    assert_non_null(strstr(err, "libslirp"));
    print_message("skipped: rivet was configured without libslirp\n");
    skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_net_not_built),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
