/* tests/fuzz/fuzz_net_slirp.c: guest frames into `-netdev user` with the
 * REAL libslirp behind it (frontends/net_slirp.c), through the checks of
 * frontends/net_ipcheck.c that stand in front of it (issue #18: one frame
 * killed rivet inside slirp_input). The input is a script of records:
 *   u8 op, then
 *     op % 4 == 0,1: u16 length, that many bytes: one guest frame (its
 *                    first 14 bytes are replaced by a valid Ethernet header
 *                    when op & 4: to the gateway, EtherType from the frame's
 *                    bytes 12-13 or IPv4/ARP/IPv6 by op >> 3)
 *     op % 4 == 2:   u8 ms: the clock advances, then a poll (timers fire,
 *                    queued frames reach the receiver)
 *     op % 4 == 3:   an IPv4 fragment built from the next bytes (id, offset,
 *                    MF, DF, protocol, length), so reassembly is reached
 *                    often
 * The backend is opened with restrict=on: libslirp parses everything but
 * never talks to the host's network on the fuzzer's behalf.
 *
 * Checked besides ASan/UBSan (libslirp itself is not instrumented: a fault
 * inside it is a plain SIGSEGV/SIGBUS): every frame that reaches the
 * receiver is within NET_FRAME_MAX; net_ipcheck's WHOLE output is a valid
 * unfragmented IPv4 datagram whose total length matches the frame. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/net.h"
#include "frontends/net_ipcheck.h"
#include "fuzz_input.h"

#ifdef HAVE_SLIRP
#define HAVE_USER_NET 1
#else
#define HAVE_USER_NET 0
#endif

static uint64_t now_ns;
static uint64_t fuzz_clock(void *opaque) { return now_ns; }

static void bug(const char *what)
{
    fprintf(stderr, "fuzz_net_slirp: %s\n", what);
    abort();
}

static void on_rx(void *opaque, const void *frame, size_t len)
{
    if (len < NET_FRAME_MIN || len > NET_FRAME_MAX)
        bug("a frame of impossible length reached the device");
    volatile uint8_t x = ((const uint8_t *)frame)[len - 1]; /* readable */
    (void)x;
}

static unsigned sum16(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return ~s & 0xffff;
}

/* The same checker standalone, to hold its output to account. */
static void check_whole(struct net_ipcheck *c, const uint8_t *f, size_t n)
{
    const uint8_t *out;
    size_t outlen;
    const char *why;
    if (net_ipcheck_frame(c, f, n, now_ns, &out, &outlen, &why) != NET_IPCHECK_WHOLE)
        return;
    const uint8_t *ip = out + 14;
    size_t hl = (ip[0] & 15) * 4u;
    if (outlen < 34 || outlen > 14 + 65535 || (ip[0] >> 4) != 4 || hl < 20 ||
        (size_t)(ip[2] << 8 | ip[3]) != outlen - 14 || (ip[6] & 0x3f) || ip[7] || sum16(ip, hl))
        bug("reassembled datagram is not a valid whole IPv4 datagram");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct netdev_config cfg;
    static bool parsed;
    char err[256];
    if (!parsed && HAVE_USER_NET) {
        if (netdev_parse("user,id=f0,restrict=on", &cfg, err, sizeof err))
            bug(err);
        parsed = true;
    }
    now_ns = 1000000000ull;
    struct net_backend *b = NULL;
#ifdef HAVE_SLIRP /* without libslirp only the checker is fuzzed */
    struct net_clock clock = { fuzz_clock, NULL };
    b = netdev_open(&cfg, &clock, err, sizeof err);
    if (!b)
        bug(err);
    net_backend_set_receiver(b, NULL, on_rx, NULL);
#endif
    struct net_ipcheck *c = net_ipcheck_new();
    static uint8_t f[NET_FRAME_MAX];
    static const uint8_t gw[6] = { 0x52, 0x55, 10, 0, 2, 2 }, me[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
    static const uint16_t types[] = { 0x0800, 0x0806, 0x86dd, 0x0800 };
    struct fin in = { data, size };
    for (int steps = 0; in.n && steps < 256; steps++) {
        uint8_t op = fin_u8(&in);
        size_t n;
        switch (op % 4) {
        case 0:
        case 1:
            n = fin_u16(&in) % 2048;
            if (n > in.n)
                n = in.n;
            memcpy(f, in.p, n);
            in.p += n;
            in.n -= n;
            if (op & 4 && n >= 14) {
                memcpy(f, gw, 6);
                memcpy(f + 6, me, 6);
                uint16_t t = types[(op >> 3) & 3];
                f[12] = (uint8_t)(t >> 8);
                f[13] = (uint8_t)t;
            }
            break;
        case 2:
            now_ns += fin_u8(&in) * 1000000ull;
            if (b)
                net_backend_poll(b);
            continue;
        default: {
            /* an IPv4 fragment from 10.0.2.15 */
            uint16_t id = fin_u8(&in) & 3, off = fin_u16(&in), len = fin_u16(&in) % 1480;
            uint8_t proto = (uint8_t[]){ 1, 6, 17, 0 }[fin_u8(&in) & 3];
            memcpy(f, gw, 6);
            memcpy(f + 6, me, 6);
            f[12] = 8;
            f[13] = 0;
            uint8_t *ip = f + 14;
            memset(ip, 0, 20);
            ip[0] = 0x45;
            ip[2] = (uint8_t)((20 + len) >> 8);
            ip[3] = (uint8_t)(20 + len);
            ip[5] = (uint8_t)id;
            ip[6] = (uint8_t)(off >> 8); /* MF, DF and offset from the input */
            ip[7] = (uint8_t)off;
            ip[8] = 64;
            ip[9] = proto;
            ip[12] = 10, ip[13] = 0, ip[14] = 2, ip[15] = 15;
            ip[16] = 10, ip[17] = 0, ip[18] = 2, ip[19] = 2;
            unsigned s = sum16(ip, 20);
            ip[10] = (uint8_t)(s >> 8);
            ip[11] = (uint8_t)s;
            for (size_t i = 0; i < len; i++)
                ip[20 + i] = fin_u8(&in);
            n = 34 + len;
        }
        }
        if (n < NET_FRAME_MIN)
            n = NET_FRAME_MIN;
        check_whole(c, f, n);
        if (b)
            net_backend_send(b, f, n);
    }
    now_ns += 100000000ull;
    if (b)
        net_backend_poll(b);
    net_ipcheck_free(c);
    net_backend_close(b);
    return 0;
}
