/* tests/unit/test_net_parse.c: `-netdev` option strings, good and bad. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "frontends/net.h"

static struct netdev_config cfg; /* large: keep it off the stack */

static uint32_t ip(const char *s)
{
    struct in_addr a;
    assert_int_equal(inet_pton(AF_INET, s, &a), 1);
    return a.s_addr;
}

static void parse_ok(const char *s)
{
    char err[256] = "";
    int rc = netdev_parse(s, &cfg, err, sizeof err);
    if (rc != 0)
        fail_msg("'%s' refused: %s", s, err);
}

/* Refused, with a one-line reason that contains `needle`. */
static void parse_bad(const char *s, const char *needle)
{
    char err[256] = "";
    int rc = netdev_parse(s, &cfg, err, sizeof err);
    if (rc != -1)
        fail_msg("'%s' accepted", s);
    if (!err[0] || strchr(err, '\n'))
        fail_msg("'%s': reason '%s' is not one line", s, err);
    if (!strstr(err, needle))
        fail_msg("'%s': reason '%s' does not mention '%s'", s, err, needle);
}

static void test_user_defaults(void **state)
{
    parse_ok("user,id=n0");
    assert_int_equal(cfg.type, NETDEV_USER);
    assert_string_equal(cfg.id, "n0");
    assert_int_equal(cfg.net.s_addr, ip("10.0.2.0"));
    assert_int_equal(cfg.mask.s_addr, ip("255.255.255.0"));
    assert_int_equal(cfg.host.s_addr, ip("10.0.2.2"));
    assert_int_equal(cfg.dns.s_addr, ip("10.0.2.3"));
    assert_int_equal(cfg.dhcp_start.s_addr, ip("10.0.2.15"));
    assert_false(cfg.restricted);
    assert_true(cfg.ipv6);
    assert_int_equal(cfg.nhostfwd, 0);
    assert_string_equal(cfg.dump, "");

    parse_ok("type=user,id=x");
    assert_int_equal(cfg.type, NETDEV_USER);
}

static void test_user_full(void **state)
{
    parse_ok("user,id=net.0_a-b,net=192.168.76.0/24,host=192.168.76.1,dhcpstart=192.168.76.100,"
             "dns=192.168.76.53,restrict=on,ipv6=off,dump=/tmp/a,,b.pcap,"
             "hostfwd=tcp::2222-:22,hostfwd=udp:127.0.0.1:5353-192.168.76.9:53,"
             "hostfwd=:127.0.0.1:8080-:80");
    assert_string_equal(cfg.id, "net.0_a-b");
    assert_int_equal(cfg.net.s_addr, ip("192.168.76.0"));
    assert_int_equal(cfg.host.s_addr, ip("192.168.76.1"));
    assert_int_equal(cfg.dhcp_start.s_addr, ip("192.168.76.100"));
    assert_int_equal(cfg.dns.s_addr, ip("192.168.76.53"));
    assert_true(cfg.restricted);
    assert_false(cfg.ipv6);
    assert_string_equal(cfg.dump, "/tmp/a,b.pcap");
    assert_int_equal(cfg.nhostfwd, 3);
    assert_false(cfg.hostfwd[0].udp);
    assert_int_equal(cfg.hostfwd[0].host_addr.s_addr, 0);
    assert_int_equal(cfg.hostfwd[0].host_port, 2222);
    assert_int_equal(cfg.hostfwd[0].guest_addr.s_addr, 0);
    assert_int_equal(cfg.hostfwd[0].guest_port, 22);
    assert_true(cfg.hostfwd[1].udp);
    assert_int_equal(cfg.hostfwd[1].host_addr.s_addr, ip("127.0.0.1"));
    assert_int_equal(cfg.hostfwd[1].host_port, 5353);
    assert_int_equal(cfg.hostfwd[1].guest_addr.s_addr, ip("192.168.76.9"));
    assert_int_equal(cfg.hostfwd[1].guest_port, 53);
    assert_false(cfg.hostfwd[2].udp); /* empty protocol means tcp */
    assert_int_equal(cfg.hostfwd[2].host_port, 8080);
}

static void test_user_net_forms(void **state)
{
    /* Defaults follow the network. */
    parse_ok("user,id=a,net=10.9.0.0/16");
    assert_int_equal(cfg.mask.s_addr, ip("255.255.0.0"));
    assert_int_equal(cfg.host.s_addr, ip("10.9.0.2"));
    assert_int_equal(cfg.dns.s_addr, ip("10.9.0.3"));
    assert_int_equal(cfg.dhcp_start.s_addr, ip("10.9.0.15"));
    /* Dotted mask; host bits of the address are dropped. */
    parse_ok("user,id=a,net=172.16.5.77/255.255.255.0");
    assert_int_equal(cfg.net.s_addr, ip("172.16.5.0"));
    assert_int_equal(cfg.host.s_addr, ip("172.16.5.2"));
    /* No mask means /24. */
    parse_ok("user,id=a,net=10.1.2.0");
    assert_int_equal(cfg.mask.s_addr, ip("255.255.255.0"));
    /* A /28 holds .2, .3 and .15 is its broadcast: dhcpstart must be given. */
    parse_bad("user,id=a,net=10.0.2.0/28", "default dhcpstart");
    parse_ok("user,id=a,net=10.0.2.0/28,dhcpstart=10.0.2.8");
    parse_ok("user,id=a,restrict=yes,ipv6=false");
    assert_true(cfg.restricted);
    assert_false(cfg.ipv6);
}

static void test_tap(void **state)
{
    parse_ok("tap,id=t0,ifname=tap7,script=no,downscript=no");
    assert_int_equal(cfg.type, NETDEV_TAP);
    assert_string_equal(cfg.id, "t0");
    assert_string_equal(cfg.ifname, "tap7");
    parse_ok("tap,id=t0,script=,downscript=,dump=x.pcap");
    assert_string_equal(cfg.ifname, "");
    assert_string_equal(cfg.dump, "x.pcap");
    parse_ok("tap,id=t0,ifname=abcdefghijklmno"); /* 15 characters */
}

static void test_bad_strings(void **state)
{
    parse_bad("", "type");
    parse_bad("id=n0", "type");
    parse_bad("socket,id=n0", "'socket' is not supported");
    parse_bad("user", "missing id");
    parse_bad("user,id=", "id=");
    parse_bad("user,id=0abc", "id=0abc");
    parse_bad("user,id=a b", "id=a b");
    parse_bad("user,id=n0,id=n1", "given twice");
    parse_bad("user,id=n0,", "empty parameter");
    parse_bad("user,id=n0,restrict", "needs a value");
    parse_bad("user,id=n0,bogus=1", "unknown parameter 'bogus'");
    parse_bad("user,id=n0,ifname=tap0", "unknown parameter 'ifname'");
    parse_bad("tap,id=t0,hostfwd=tcp::1-:2", "unknown parameter 'hostfwd'");
    parse_bad("user,id=n0,restrict=maybe", "restrict=maybe");
    parse_bad("user,id=n0,net=10.0.2/24", "net=10.0.2/24");
    parse_bad("user,id=n0,net=10.0.2.0/33", "prefix");
    parse_bad("user,id=n0,net=10.0.2.0/30", "prefix length");
    parse_bad("user,id=n0,net=10.0.2.0/255.0.255.0", "not contiguous");
    parse_bad("user,id=n0,net=10.0.2.0/x", "prefix");
    parse_bad("user,id=n0,host=10.0.3.2", "host=10.0.3.2");
    parse_bad("user,id=n0,host=10.0.2.255", "host=10.0.2.255");
    parse_bad("user,id=n0,dns=10.0.2.2", "must differ");
    parse_bad("user,id=n0,dhcpstart=10.0.2.3", "dhcpstart=10.0.2.3");
    parse_bad("user,id=n0,dns=bogus", "dns=bogus");
    parse_bad("user,id=n0,hostfwd=tcp:5555-:22", "expected [tcp|udp]");
    parse_bad("user,id=n0,hostfwd=tcp::5555:22", "expected [tcp|udp]");
    parse_bad("user,id=n0,hostfwd=sctp::5555-:22", "protocol 'sctp'");
    parse_bad("user,id=n0,hostfwd=tcp::99999-:22", "host port '99999'");
    parse_bad("user,id=n0,hostfwd=tcp::0-:22", "host port '0'");
    parse_bad("user,id=n0,hostfwd=tcp::22-:", "guest port ''");
    parse_bad("user,id=n0,hostfwd=tcp::22-:2x", "guest port '2x'");
    parse_bad("user,id=n0,hostfwd=tcp:localhost:22-:22", "bad host address 'localhost'");
    parse_bad("user,id=n0,hostfwd=tcp::22-10.0.3.15:22", "not in the network");
    parse_bad("user,id=n0,hostfwd=tcp::22-10.0.2.2:22", "host or DNS");
    parse_bad("user,id=n0,hostfwd=tcp::2222-:22,hostfwd=tcp:127.0.0.1:2222-:23", "already forwarded");
    parse_bad("tap,id=t0,script=/etc/qemu-ifup", "script=/etc/qemu-ifup");
    parse_bad("tap,id=t0,downscript=yes", "downscript=yes");
    parse_bad("tap,id=t0,ifname=abcdefghijklmnop", "ifname="); /* 16 characters */
    parse_bad("tap,id=t0,ifname=a/b", "ifname=a/b");
    parse_bad("tap,id=t0,dump=", "dump=");
    /* The same UDP and TCP port are different forwards. */
    parse_ok("user,id=n0,hostfwd=tcp::2222-:22,hostfwd=udp::2222-:22");
}

static void test_too_many_hostfwd(void **state)
{
    char s[4096];
    size_t n = (size_t)snprintf(s, sizeof s, "user,id=n0");
    for (int i = 0; i < NETDEV_MAX_HOSTFWD; i++)
        n += (size_t)snprintf(s + n, sizeof s - n, ",hostfwd=tcp::%d-:%d", 10000 + i, 22);
    parse_ok(s);
    assert_int_equal(cfg.nhostfwd, NETDEV_MAX_HOSTFWD);
    snprintf(s + n, sizeof s - n, ",hostfwd=tcp::9999-:22");
    parse_bad(s, "more than");
}

static void test_small_err_buffer(void **state)
{
    char err[8];
    memset(err, 'x', sizeof err);
    assert_int_equal(netdev_parse("user,id=n0,bogus=1", &cfg, err, sizeof err), -1);
    assert_int_equal(err[7], '\0');
    assert_int_equal(netdev_parse("user,id=n0,bogus=1", &cfg, NULL, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_defaults),
        cmocka_unit_test(test_user_full),
        cmocka_unit_test(test_user_net_forms),
        cmocka_unit_test(test_tap),
        cmocka_unit_test(test_bad_strings),
        cmocka_unit_test(test_too_many_hostfwd),
        cmocka_unit_test(test_small_err_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
