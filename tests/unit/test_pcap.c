/* tests/unit/test_pcap.c: the pcap writer's file layout, read back byte by
 * byte; and, when tshark is installed, that tshark reads the file. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "frontends/pcap.h"

struct tmpfile {
    char path[64];
};

static int tmp_setup(void **state)
{
    struct tmpfile *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    snprintf(t->path, sizeof t->path, "/tmp/rivet-test-pcap-XXXXXX");
    int fd = mkstemp(t->path);
    if (fd < 0) {
        free(t);
        return -1;
    }
    close(fd);
    *state = t;
    return 0;
}

static int tmp_teardown(void **state)
{
    struct tmpfile *t = *state;
    unlink(t->path);
    free(t);
    return 0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t buf[1 << 20];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void test_layout(void **state)
{
    struct tmpfile *t = *state;
    char err[256];
    struct pcap *p = pcap_open(t->path, 0, err, sizeof err);
    assert_non_null(p);
    assert_string_equal(pcap_path(p), t->path);

    uint8_t f1[60], f2[1514];
    for (size_t i = 0; i < sizeof f1; i++)
        f1[i] = (uint8_t)i;
    for (size_t i = 0; i < sizeof f2; i++)
        f2[i] = (uint8_t)(0xff - i);
    assert_int_equal(pcap_write(p, 0, f1, sizeof f1), 0);
    /* 3 s + 1.5 ms + 999 ns: the nanoseconds below a microsecond go. */
    assert_int_equal(pcap_write(p, 3001500999ull, f2, sizeof f2), 0);

    /* Flushed per record: readable before close. */
    size_t len;
    const uint8_t *b = slurp(t->path, &len);
    assert_int_equal(len, 24 + 16 + 60 + 16 + 1514);
    pcap_close(p);

    b = slurp(t->path, &len);
    assert_int_equal(len, 24 + 16 + 60 + 16 + 1514);
    assert_int_equal(le32(b + 0), 0xa1b2c3d4u);
    assert_int_equal(le16(b + 4), 2);
    assert_int_equal(le16(b + 6), 4);
    assert_int_equal(le32(b + 8), 0);
    assert_int_equal(le32(b + 12), 0);
    assert_int_equal(le32(b + 16), 65535);
    assert_int_equal(le32(b + 20), 1); /* LINKTYPE_ETHERNET */

    const uint8_t *r = b + 24;
    assert_int_equal(le32(r + 0), 0);
    assert_int_equal(le32(r + 4), 0);
    assert_int_equal(le32(r + 8), 60);
    assert_int_equal(le32(r + 12), 60);
    assert_memory_equal(r + 16, f1, 60);

    r += 16 + 60;
    assert_int_equal(le32(r + 0), 3);
    assert_int_equal(le32(r + 4), 1500);
    assert_int_equal(le32(r + 8), 1514);
    assert_int_equal(le32(r + 12), 1514);
    assert_memory_equal(r + 16, f2, 1514);
}

static void test_snaplen(void **state)
{
    struct tmpfile *t = *state;
    char err[256];
    struct pcap *p = pcap_open(t->path, 100, err, sizeof err);
    assert_non_null(p);
    uint8_t f[300];
    memset(f, 0xab, sizeof f);
    assert_int_equal(pcap_write(p, 1000, f, sizeof f), 0);
    pcap_close(p);
    size_t len;
    const uint8_t *b = slurp(t->path, &len);
    assert_int_equal(len, 24 + 16 + 100);
    assert_int_equal(le32(b + 16), 100);
    assert_int_equal(le32(b + 24 + 4), 1); /* 1000 ns is 1 us */
    assert_int_equal(le32(b + 24 + 8), 100);
    assert_int_equal(le32(b + 24 + 12), 300);
}

static void test_open_errors(void **state)
{
    char err[256] = "";
    assert_null(pcap_open("/nonexistent-dir/x.pcap", 0, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent-dir/x.pcap"));
    assert_non_null(strstr(err, "No such file"));
    assert_null(strchr(err, '\n'));
}

static void test_write_error_sticks(void **state)
{
    if (access("/dev/full", W_OK) != 0) {
        print_message("skipped: no /dev/full\n");
        skip();
    }
    char err[256];
    /* /dev/full swallows the header into stdio's buffer, then fails the
     * flush: pcap_open reports it. */
    assert_null(pcap_open("/dev/full", 0, err, sizeof err));
    assert_non_null(strstr(err, "/dev/full"));
}

/* tshark, when installed, must read the file and see the frames. */
static void test_tshark_reads_it(void **state)
{
    struct tmpfile *t = *state;
    if (system("command -v tshark >/dev/null 2>&1") != 0) {
        print_message("skipped: tshark is not installed\n");
        skip();
    }
    char err[256];
    struct pcap *p = pcap_open(t->path, 0, err, sizeof err);
    assert_non_null(p);
    /* A broadcast ARP request 10.0.2.15 -> who has 10.0.2.2. */
    static const uint8_t arp[42] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
        10, 0, 2, 15, 0, 0, 0, 0, 0, 0, 10, 0, 2, 2,
    };
    assert_int_equal(pcap_write(p, 5000000000ull, arp, sizeof arp), 0);
    pcap_close(p);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "tshark -r %s -T fields -e arp.dst.proto_ipv4 2>/dev/null", t->path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    char line[128] = "";
    char *got = fgets(line, sizeof line, f);
    int rc = pclose(f);
    assert_non_null(got);
    assert_int_equal(rc, 0);
    assert_string_equal(line, "10.0.2.2\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_layout, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_snaplen, tmp_setup, tmp_teardown),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_write_error_sticks),
        cmocka_unit_test_setup_teardown(test_tshark_reads_it, tmp_setup, tmp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
