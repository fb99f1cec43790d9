/* tests/unit/test_net_ipcheck.c: the checks a guest frame passes before
 * libslirp (frontends/net_ipcheck.h): each malformation dropped with its
 * reason, IPv4 reassembly in any order, its limits (overlap, end, 65535
 * bytes, timeout, number of datagrams). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontends/net_ipcheck.h"

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static unsigned get16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static unsigned sum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += get16(p + i);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return ~s & 0xffff;
}

static void fix_sum(uint8_t *ip)
{
    size_t hlen = (ip[0] & 15) * 4u;
    put16(ip + 10, 0);
    put16(ip + 10, sum(ip, hlen));
}

/* A frame holding bytes [off, off+len) of a datagram whose payload byte i
 * is (uint8_t)(i * 7 + id). */
static size_t frag(uint8_t *f, unsigned id, size_t off, size_t len, unsigned flags)
{
    memset(f, 0, 14);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (unsigned)(20 + len));
    put16(ip + 4, id);
    put16(ip + 6, flags | (unsigned)(off / 8));
    ip[8] = 64;
    ip[9] = 17;
    ip[12] = 10, ip[13] = 0, ip[14] = 2, ip[15] = 15;
    ip[16] = 10, ip[17] = 0, ip[18] = 2, ip[19] = 2;
    for (size_t i = 0; i < len; i++)
        ip[20 + i] = (uint8_t)((off + i) * 7 + id);
    fix_sum(ip);
    return 14 + 20 + len;
}

#define MF 0x2000
#define DF 0x4000

static uint8_t buf[70000];

static enum net_ipcheck_verdict check(struct net_ipcheck *c, size_t n, uint64_t now, const uint8_t **out,
                                      size_t *outlen, const char **why)
{
    return net_ipcheck_frame(c, buf, n, now, out, outlen, why);
}

static void expect_drop(struct net_ipcheck *c, size_t n, const char *reason)
{
    const uint8_t *out;
    size_t outlen;
    const char *why = NULL;
    assert_int_equal(check(c, n, 0, &out, &outlen, &why), NET_IPCHECK_DROP);
    assert_non_null(why);
    assert_non_null(strstr(why, reason));
}

static void expect(struct net_ipcheck *c, size_t n, uint64_t now, enum net_ipcheck_verdict v)
{
    const uint8_t *out;
    size_t outlen;
    const char *why = NULL;
    assert_int_equal(check(c, n, now, &out, &outlen, &why), v);
}

/* The reassembled frame is a valid unfragmented datagram of `len` bytes. */
static void expect_whole(struct net_ipcheck *c, size_t n, unsigned id, size_t len)
{
    const uint8_t *out;
    size_t outlen;
    const char *why = NULL;
    assert_int_equal(check(c, n, 0, &out, &outlen, &why), NET_IPCHECK_WHOLE);
    assert_int_equal(outlen, 14 + 20 + len);
    assert_int_equal(get16(out + 12), 0x0800);
    const uint8_t *ip = out + 14;
    assert_int_equal(get16(ip + 2), 20 + len);
    assert_int_equal(get16(ip + 4), id);
    assert_int_equal(get16(ip + 6), 0);
    assert_int_equal(sum(ip, 20), 0);
    for (size_t i = 0; i < len; i++)
        assert_int_equal(ip[20 + i], (uint8_t)(i * 7 + id));
}

static void test_the_issue18_frame(void **state)
{
    struct net_ipcheck *c = net_ipcheck_new();
    /* ICMP 10.0.2.15 -> 10.0.2.2, 1487 bytes, DF, offset 0x173e, MF clear */
    size_t n = frag(buf, 1, 0x173e * 8, 1487 - 34, DF);
    buf[14 + 9] = 1;
    fix_sum(buf + 14);
    assert_int_equal(n, 1487);
    expect_drop(c, n, "DF");
    /* without DF it waits for the rest of its datagram, which never comes */
    put16(buf + 14 + 6, 0x173e);
    fix_sum(buf + 14);
    expect(c, n, 0, NET_IPCHECK_HOLD);
    assert_int_equal(net_ipcheck_stats(c).dropped, 1);
    expect(c, n, NET_IPCHECK_TIMEOUT_NS, NET_IPCHECK_HOLD); /* the old one timed out, a new one */
    assert_int_equal(net_ipcheck_stats(c).reasm_failed, 1);
    net_ipcheck_free(c);
}

static void test_malformed(void **state)
{
    struct net_ipcheck *c = net_ipcheck_new();
    size_t n = frag(buf, 1, 0, 100, 0);
    expect(c, n, 0, NET_IPCHECK_PASS);
    expect(c, n + 20, 0, NET_IPCHECK_PASS); /* Ethernet padding */
    expect_drop(c, 10, "Ethernet");
    expect_drop(c, 14 + 19, "cut short");
    buf[14] = 0x55;
    expect_drop(c, n, "version");
    buf[14] = 0x44;
    expect_drop(c, n, "below 20");
    frag(buf, 1, 0, 100, 0);
    put16(buf + 14 + 2, 19);
    expect_drop(c, n, "shorter than its header");
    put16(buf + 14 + 2, 121);
    fix_sum(buf + 14);
    expect_drop(c, n, "beyond the frame");
    frag(buf, 1, 0, 100, 0);
    buf[14 + 8]++;
    expect_drop(c, n, "checksum");
    n = frag(buf, 1, 0, 100, MF);
    expect_drop(c, n, "multiple of 8");
    n = frag(buf, 1, 0, 0, MF);
    expect_drop(c, n, "multiple of 8");
    n = frag(buf, 1, 0x1fff * 8, 8, MF);
    expect_drop(c, n, "65535");
    n = frag(buf, 1, 65512, 8, 0);
    expect_drop(c, n, "65535");
    /* IPv6 */
    memset(buf, 0, 80);
    put16(buf + 12, 0x86dd);
    buf[14] = 0x60;
    put16(buf + 18, 20);
    expect(c, 14 + 40 + 20, 0, NET_IPCHECK_PASS);
    expect_drop(c, 14 + 39, "cut short");
    expect_drop(c, 14 + 40 + 19, "beyond the frame");
    buf[14] = 0x40;
    expect_drop(c, 14 + 40 + 20, "version");
    /* ARP */
    put16(buf + 12, 0x0806);
    expect(c, 14 + 28, 0, NET_IPCHECK_PASS);
    expect_drop(c, 14 + 27, "ARP");
    /* anything else passes */
    put16(buf + 12, 0x88b5);
    expect(c, 14, 0, NET_IPCHECK_PASS);
    assert_int_equal(net_ipcheck_stats(c).dropped, 15);
    net_ipcheck_free(c);
}

static void test_reassembly_orders(void **state)
{
    struct net_ipcheck *c = net_ipcheck_new();
    static const int orders[][3] = { { 0, 1, 2 }, { 2, 1, 0 }, { 1, 2, 0 }, { 2, 0, 1 } };
    for (unsigned o = 0; o < 4; o++) {
        unsigned id = 10 + o;
        for (int k = 0; k < 3; k++) {
            int part = orders[o][k];
            size_t n = frag(buf, id, (size_t)part * 1000, part == 2 ? 77 : 1000, part == 2 ? 0 : MF);
            if (k < 2)
                expect(c, n, 0, NET_IPCHECK_HOLD);
            else
                expect_whole(c, n, id, 2077);
        }
    }
    /* two datagrams interleaved; a duplicate fragment in between */
    size_t n = frag(buf, 20, 0, 8, MF);
    expect(c, n, 0, NET_IPCHECK_HOLD);
    n = frag(buf, 21, 8, 3, 0);
    expect(c, n, 0, NET_IPCHECK_HOLD);
    n = frag(buf, 20, 0, 8, MF);
    expect(c, n, 0, NET_IPCHECK_HOLD);
    n = frag(buf, 21, 0, 8, MF);
    expect_whole(c, n, 21, 11);
    n = frag(buf, 20, 8, 0, 0); /* an empty last fragment */
    expect_whole(c, n, 20, 8);
    /* the largest datagram there is */
    for (size_t off = 0; off < 65515; off += 8192) {
        size_t len = off + 8192 <= 65515 ? 8192 : 65515 - off;
        n = frag(buf, 30, off, len, off + len < 65515 ? MF : 0);
        if (off + len < 65515)
            expect(c, n, 0, NET_IPCHECK_HOLD);
        else
            expect_whole(c, n, 30, 65515);
    }
    struct net_ipcheck_stats st = net_ipcheck_stats(c);
    assert_int_equal(st.reassembled, 7);
    assert_int_equal(st.dropped, 0);
    assert_int_equal(st.reasm_failed, 0);
    net_ipcheck_free(c);
}

static void test_inconsistent_fragments(void **state)
{
    struct net_ipcheck *c = net_ipcheck_new();
    /* overlap with other bytes */
    size_t n = frag(buf, 1, 0, 16, MF);
    expect(c, n, 0, NET_IPCHECK_HOLD);
    n = frag(buf, 1, 8, 16, MF);
    buf[14 + 20] ^= 1;
    fix_sum(buf + 14);
    expect_drop(c, n, "overlap");
    /* the datagram is gone: its last fragment starts a new one */
    n = frag(buf, 1, 16, 4, 0);
    expect(c, n, 0, NET_IPCHECK_HOLD);
    /* two different ends */
    n = frag(buf, 1, 16, 8, 0);
    expect_drop(c, n, "end");
    /* a fragment past the end */
    n = frag(buf, 2, 16, 4, 0);
    expect(c, n, 0, NET_IPCHECK_HOLD);
    n = frag(buf, 2, 16, 8, MF);
    expect_drop(c, n, "past");
    /* an end before data already received */
    n = frag(buf, 3, 16, 8, MF);
    expect(c, n, 0, NET_IPCHECK_HOLD);
    n = frag(buf, 3, 8, 4, 0);
    expect_drop(c, n, "end");
    assert_int_equal(net_ipcheck_stats(c).reasm_failed, 4);
    net_ipcheck_free(c);
}

static void test_limits(void **state)
{
    struct net_ipcheck *c = net_ipcheck_new();
    /* one more datagram than there are slots evicts the oldest */
    for (unsigned i = 0; i <= NET_IPCHECK_DATAGRAMS; i++) {
        size_t n = frag(buf, 100 + i, 8, 8, 0);
        expect(c, n, i, NET_IPCHECK_HOLD);
    }
    assert_int_equal(net_ipcheck_stats(c).reasm_failed, 1);
    size_t n = frag(buf, 100, 0, 8, MF); /* the evicted one: new, evicts 101 */
    expect(c, n, 100, NET_IPCHECK_HOLD);
    assert_int_equal(net_ipcheck_stats(c).reasm_failed, 2);
    n = frag(buf, 102, 0, 8, MF); /* still there: completes */
    expect_whole(c, n, 102, 16);
    /* a 60-byte header makes 65515 bytes of payload too many */
    for (size_t off = 0; off < 65515; off += 8192) {
        size_t len = off + 8192 <= 65515 ? 8192 : 65515 - off;
        n = frag(buf, 40, off, len, off + len < 65515 ? MF : 0);
        if (off == 0) {
            memmove(buf + 14 + 60, buf + 14 + 20, len);
            memset(buf + 14 + 20, 1, 40); /* NOP options */
            buf[14] = 0x4f;
            put16(buf + 14 + 2, (unsigned)(60 + len));
            fix_sum(buf + 14);
            n += 40;
        }
        if (off + len < 65515) {
            expect(c, n, 200, NET_IPCHECK_HOLD);
        } else {
            expect_drop(c, n, "65535");
        }
    }
    net_ipcheck_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_issue18_frame),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_reassembly_orders),
        cmocka_unit_test(test_inconsistent_fragments),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
