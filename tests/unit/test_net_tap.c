/* tests/unit/test_net_tap.c: `-netdev tap`.
 *
 * With privilege the tests run in a private network namespace of their own
 * (unshare(CLONE_NEWNET)), so the TAP interfaces they make are invisible
 * to the host's network and vanish with the process; there the test plays
 * the guest and exchanges ARP and UDP with the kernel both ways over
 * 10.0.2.0/24. Without privilege, opening must fail with the clear one-line
 * error. Skipped only when /dev/net/tun does not exist. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "frontends/net.h"

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

struct env {
    bool have_tun;
    bool private_ns;   /* we are alone in a fresh network namespace */
};

static struct env env;
static struct netdev_config cfg;

static int group_setup(void **state)
{
    env.have_tun = access("/dev/net/tun", F_OK) == 0;
    if (env.have_tun && unshare(CLONE_NEWNET) == 0)
        env.private_ns = true;
    return 0;
}

static void need_tun(void)
{
    if (!env.have_tun) {
        print_message("skipped: /dev/net/tun does not exist on this host\n");
        skip();
    }
}

static void need_private_ns(void)
{
    need_tun();
    if (!env.private_ns) {
        print_message("skipped: no private network namespace (needs CAP_SYS_ADMIN): "
                      "not touching the host's network\n");
        skip();
    }
}

static struct net_backend *open_tap(const char *optarg, char *err, size_t errlen)
{
    if (netdev_parse(optarg, &cfg, err, errlen) != 0)
        fail_msg("%s: %s", optarg, err);
    return netdev_open(&cfg, NULL, err, errlen);
}

/* ------------------------------------------------------ frames */

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t cksum(const uint8_t *p, size_t len, uint32_t s)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        s += (uint32_t)p[len - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static size_t arp_frame(uint8_t *f, uint16_t op, const uint8_t *dst, uint32_t sip, const uint8_t *tha,
                        uint32_t tip)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, guest_mac, 6);
    put16(f + 12, 0x0806);
    uint8_t *a = f + 14;
    put16(a, 1);
    put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, guest_mac, 6);
    memcpy(a + 14, &sip, 4);
    memcpy(a + 18, tha, 6);
    memcpy(a + 24, &tip, 4);
    return 42;
}

static size_t udp_frame(uint8_t *f, const uint8_t *dst_mac, uint32_t src, uint32_t dst, uint16_t sport,
                        uint16_t dport, const void *data, size_t len)
{
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, guest_mac, 6);
    put16(f + 12, 0x0800);
    uint8_t *h = f + 14;
    memset(h, 0, 20);
    h[0] = 0x45;
    put16(h + 2, (uint16_t)(28 + len));
    h[8] = 64;
    h[9] = 17;
    memcpy(h + 12, &src, 4);
    memcpy(h + 16, &dst, 4);
    put16(h + 10, cksum(h, 20, 0));
    uint8_t *u = h + 20;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)(8 + len));
    put16(u + 6, 0); /* no UDP checksum: allowed over IPv4 */
    memcpy(u + 8, data, len);
    return 14 + 28 + len;
}

struct guest {
    struct net_backend *b;
    uint32_t ip;
    unsigned arp_answered;
    uint8_t last[2048];
    size_t last_len;
    bool (*want)(const uint8_t *, size_t);
    bool found;
};

/* The guest's side: answers ARP for its address, keeps the first frame
 * that `want` accepts (the kernel also sends IPv6 and other chatter). */
static void guest_rx(void *opaque, const void *frame, size_t len)
{
    struct guest *g = opaque;
    const uint8_t *p = frame;
    if (len >= 42 && be16(p + 12) == 0x0806 && be16(p + 20) == 1 && memcmp(p + 38, &g->ip, 4) == 0) {
        uint8_t r[64];
        uint32_t tip;
        memcpy(&tip, p + 28, 4);
        size_t n = arp_frame(r, 2, p + 6, g->ip, p + 6, tip);
        net_backend_send(g->b, r, n);
        g->arp_answered++;
        return;
    }
    if (!g->found && g->want && g->want(p, len) && len <= sizeof g->last) {
        memcpy(g->last, p, len);
        g->last_len = len;
        g->found = true;
    }
}

static bool guest_wait(struct guest *g, bool (*want)(const uint8_t *, size_t))
{
    g->want = want;
    g->found = false;
    for (int i = 0; i < 1000 && !g->found; i++) {
        net_backend_poll(g->b);
        if (g->found)
            break;
        struct pollfd fds[4];
        int n = net_backend_fill_pollfds(g->b, fds, 4);
        assert_true(n >= 0 && n <= 4);
        poll(fds, (nfds_t)n, 5);
    }
    return g->found;
}

static bool want_arp_reply(const uint8_t *p, size_t len)
{
    uint32_t host = htonl(0x0a000202); /* 10.0.2.2 */
    return len >= 42 && be16(p + 12) == 0x0806 && be16(p + 20) == 2 && memcmp(p + 28, &host, 4) == 0;
}

static bool want_udp_9999(const uint8_t *p, size_t len)
{
    return len >= 42 && be16(p + 12) == 0x0800 && p[23] == 17 && be16(p + 14 + (p[14] & 15) * 4 + 2) == 9999;
}

/* Address the interface 10.0.2.2/24 and bring it up (in our namespace). */
static void ifup(const char *name)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(s >= 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    struct sockaddr_in *a = (struct sockaddr_in *)&ifr.ifr_addr;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(0x0a000202);
    assert_int_equal(ioctl(s, SIOCSIFADDR, &ifr), 0);
    a->sin_addr.s_addr = htonl(0xffffff00);
    assert_int_equal(ioctl(s, SIOCSIFNETMASK, &ifr), 0);
    assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
    close(s);
}

/* ------------------------------------------------------ tests */

/* Opens as root; otherwise a clear one-line reason. */
static void test_open_or_clear_error(void **state)
{
    need_tun();
    char err[512] = "";
    struct net_backend *b = open_tap("tap,id=t0,ifname=rvtest0,script=no,downscript=no", err, sizeof err);
    if (b) {
        assert_string_equal(net_tap_ifname(b), "rvtest0");
        assert_int_equal(net_backend_type(b), NETDEV_TAP);
        assert_string_equal(net_backend_id(b), "t0");
        assert_int_equal(net_backend_next_deadline(b), UINT64_MAX);
        struct pollfd fds[2];
        assert_int_equal(net_backend_fill_pollfds(b, fds, 2), 1);
        assert_int_equal(fds[0].events, POLLIN);
        net_backend_close(b);
        if (!env.private_ns)
            print_message("note: opened a TAP interface in the host's namespace (no private one)\n");
        return;
    }
    if (strchr(err, '\n'))
        fail_msg("not one line: %s", err);
    if (!strstr(err, "CAP_NET_ADMIN") && !strstr(err, "TUN/TAP"))
        fail_msg("unclear error: %s", err);
    print_message("not permitted here, error was: %s\n", err);
}

static void test_open_errors(void **state)
{
    need_private_ns();
    char err[512] = "";
    /* lo exists and is not a TAP interface. */
    assert_null(open_tap("tap,id=t0,ifname=lo", err, sizeof err));
    assert_non_null(strstr(err, "lo exists and is not a TAP interface"));
    /* A non-persistent interface has one user at a time. */
    struct net_backend *b = open_tap("tap,id=t0,ifname=rvbusy", err, sizeof err);
    assert_non_null(b);
    assert_null(open_tap("tap,id=t1,ifname=rvbusy", err, sizeof err));
    assert_non_null(strstr(err, "rvbusy is in use"));
    net_backend_close(b);
    /* Closed: the name is free again. */
    b = open_tap("tap,id=t0,ifname=rvbusy", err, sizeof err);
    assert_non_null(b);
    net_backend_close(b);
    /* No ifname: the kernel picks one. */
    b = open_tap("tap,id=t0", err, sizeof err);
    assert_non_null(b);
    assert_true(strncmp(net_tap_ifname(b), "tap", 3) == 0);
    net_backend_close(b);
}

/* Frames from a guest on an interface nobody set up are dropped and
 * counted, with one log line. */
static void test_interface_down(void **state)
{
    need_private_ns();
    char err[512];
    struct net_backend *b = open_tap("tap,id=t0,ifname=rvdown", err, sizeof err);
    assert_non_null(b);
    uint8_t f[64];
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, zero[6];
    size_t n = arp_frame(f, 1, bcast, htonl(0x0a00020f), zero, htonl(0x0a000202));
    assert_int_equal(net_backend_send(b, f, n), -1);
    assert_int_equal(net_backend_send(b, f, n), -1);
    struct net_stats st = net_backend_stats(b);
    assert_int_equal(st.tx_errors, 2);
    assert_int_equal(st.tx_frames, 0);
    net_backend_close(b);
}

/* ARP and UDP both ways between the "guest" (this test) and the kernel. */
static void test_frames_both_ways(void **state)
{
    need_private_ns();
    char err[512];
    char path[] = "/tmp/rivet-test-tap-XXXXXX";
    close(mkstemp(path));
    char opt[128];
    snprintf(opt, sizeof opt, "tap,id=t0,ifname=rvtest1,script=no,downscript=no,dump=%s", path);
    struct net_backend *b = open_tap(opt, err, sizeof err);
    assert_non_null(b);
    ifup("rvtest1");
    struct guest g = { .b = b, .ip = htonl(0x0a00020f) }; /* 10.0.2.15 */
    net_backend_set_receiver(b, NULL, guest_rx, &g);

    /* guest -> host: who has 10.0.2.2? */
    uint8_t f[256];
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, zero[6];
    size_t n = arp_frame(f, 1, bcast, g.ip, zero, htonl(0x0a000202));
    assert_int_equal(net_backend_send(b, f, n), 0);
    assert_true(guest_wait(&g, want_arp_reply));
    uint8_t host_mac[6];
    memcpy(host_mac, g.last + 22, 6);
    assert_memory_equal(g.last, guest_mac, 6);

    /* host -> guest: a UDP datagram to 10.0.2.15:9999. */
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(s >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(4444),
                             .sin_addr.s_addr = htonl(0x0a000202) };
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9999), .sin_addr.s_addr = g.ip };
    assert_int_equal(sendto(s, "ping", 4, 0, (struct sockaddr *)&to, sizeof to), 4);
    assert_true(guest_wait(&g, want_udp_9999));
    assert_memory_equal(g.last + 42, "ping", 4);
    assert_memory_equal(g.last + 6, host_mac, 6);

    /* guest -> host: the answer reaches the socket. */
    n = udp_frame(f, host_mac, g.ip, htonl(0x0a000202), 9999, 4444, "pong", 4);
    assert_int_equal(net_backend_send(b, f, n), 0);
    char buf[16] = "";
    struct pollfd p = { .fd = s, .events = POLLIN };
    assert_int_equal(poll(&p, 1, 2000), 1);
    assert_int_equal(recv(s, buf, sizeof buf, 0), 4);
    assert_memory_equal(buf, "pong", 4);
    close(s);

    struct net_stats st = net_backend_stats(b);
    assert_true(st.tx_frames >= 2);
    assert_true(st.rx_frames >= 2);
    net_backend_close(b);

    /* The capture holds at least the ARP request, its reply, the ping and
     * the pong. */
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    uint8_t buf2[65536];
    size_t len = fread(buf2, 1, sizeof buf2, fp);
    fclose(fp);
    unlink(path);
    size_t off = 24;
    int records = 0;
    while (off + 16 <= len) {
        uint32_t incl = (uint32_t)buf2[off + 8] | (uint32_t)buf2[off + 9] << 8 |
                        (uint32_t)buf2[off + 10] << 16 | (uint32_t)buf2[off + 11] << 24;
        off += 16 + incl;
        records++;
    }
    assert_int_equal(off, len);
    assert_true(records >= 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_or_clear_error),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_interface_down),
        cmocka_unit_test(test_frames_both_ways),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
