/* tests/unit/test_rr_log.c: the record/replay log format (machine/rr_log.h):
 * round trip of every record type, truncation at every byte, every single
 * flipped bit, disk full while writing. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "machine/rr_log.h"

static char path[64];

static int setup(void **state)
{
    snprintf(path, sizeof path, "/tmp/test_rr_log.%d", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    unlink(path);
    return 0;
}

static const char *const argv[] = { "rivet", "-M", "virt", "-kernel", "Image" };
static const uint8_t frame[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0, 0x12, 0x34, 0x56, 8, 6 };

/* A log with one record of every type; returns its bytes. */
static uint8_t *sample(size_t *len)
{
    char err[160];
    struct rr_writer *w = rr_writer_open(path, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(rr_write_cmdline(w, 5, argv), 0);
    assert_int_equal(rr_write_image(w, "kernel", "/x/Image", 12345, 0x1122334455667788ull), 0);
    assert_int_equal(rr_write_snapshot(w, "boot"), 0);
    assert_int_equal(rr_write_input(w, 1000, "serial0", "ls\n", 3), 0);
    assert_int_equal(rr_write_input(w, 1000, "net0", frame, sizeof frame), 0);
    assert_int_equal(rr_write_time(w, 5000000, "rate", 987654321), 0);
    assert_int_equal(rr_write_entropy(w, 5000001, "virtio-rng", "\x01\x02\x00\x03", 4), 0);
    assert_int_equal(rr_write_input(w, 6000000, "kbd", NULL, 0), 0);
    assert_int_equal(rr_write_checkpoint(w, 100000000, 0xdeadbeefcafef00dull), 0);
    assert_null(rr_writer_error(w));
    assert_int_equal(rr_writer_close(w, 123456789012ull, 42), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *buf = malloc(4096);
    *len = fread(buf, 1, 4096, f);
    fclose(f);
    return buf;
}

static struct rr_reader *reader_of(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    FILE *f = fmemopen(len ? (void *)buf : (void *)"", len, "rb");
    assert_non_null(f);
    return rr_reader_new(f, err, errlen);
}

/* Reads a whole log: the number of records, or -1. */
static int read_all(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    struct rr_reader *r = reader_of(buf, len, err, errlen);
    if (!r)
        return -1;
    struct rr_record rec;
    int n = 0, k;
    while ((k = rr_read(r, &rec)) == 1)
        n++;
    if (k < 0)
        snprintf(err, errlen, "%s", rr_reader_error(r));
    rr_reader_free(r);
    return k < 0 ? -1 : n;
}

static void test_round_trip(void **state)
{
    size_t len;
    uint8_t *buf = sample(&len);
    char err[160];
    struct rr_reader *r = reader_of(buf, len, err, sizeof err);
    assert_non_null(r);
    struct rr_record rec;
    assert_int_equal(rr_read(r, &rec), 1);
    assert_int_equal(rec.type, RR_CMDLINE);
    assert_int_equal(rec.argc, 5);
    for (unsigned i = 0; i < 5; i++)
        assert_string_equal(rec.argv[i], argv[i]);
    assert_null(rec.argv[5]);
    assert_int_equal(rr_read(r, &rec), 1);
    assert_int_equal(rec.type, RR_IMAGE);
    assert_string_equal(rec.name, "kernel");
    assert_string_equal(rec.path, "/x/Image");
    assert_int_equal(rec.value2, 12345);
    assert_int_equal(rec.value, 0x1122334455667788ull);
    assert_int_equal(rr_read(r, &rec), 1);
    assert_int_equal(rec.type, RR_SNAPSHOT);
    assert_string_equal(rec.name, "boot");
    assert_int_equal(rr_read(r, &rec), 1);
    assert_int_equal(rec.type, RR_INPUT);
    assert_int_equal(rec.stamp, 1000);
    assert_string_equal(rec.name, "serial0");
    assert_int_equal(rec.len, 3);
    assert_memory_equal(rec.data, "ls\n", 3);
    assert_int_equal(rr_read(r, &rec), 1);
    assert_int_equal(rec.stamp, 1000);
    assert_string_equal(rec.name, "net0");
    assert_int_equal(rec.len, sizeof frame);
    assert_memory_equal(rec.data, frame, sizeof frame);
    assert_int_equal(rr_read(r, &rec), 1);
    assert_int_equal(rec.type, RR_TIME);
    assert_int_equal(rec.stamp, 5000000);
    assert_string_equal(rec.name, "rate");
    assert_int_equal(rec.value, 987654321);
    assert_int_equal(rr_read(r, &rec), 1);
    assert_int_equal(rec.type, RR_ENTROPY);
    assert_int_equal(rec.len, 4);
    assert_memory_equal(rec.data, "\x01\x02\x00\x03", 4);
    assert_int_equal(rr_read(r, &rec), 1);
    assert_int_equal(rec.type, RR_INPUT);
    assert_string_equal(rec.name, "kbd");
    assert_int_equal(rec.len, 0);
    assert_int_equal(rr_read(r, &rec), 1);
    assert_int_equal(rec.type, RR_CHECKPOINT);
    assert_int_equal(rec.stamp, 100000000);
    assert_int_equal(rec.value, 0xdeadbeefcafef00dull);
    assert_int_equal(rr_read(r, &rec), 1);
    assert_int_equal(rec.type, RR_END);
    assert_int_equal(rec.stamp, 123456789012ull);
    assert_int_equal(rec.value, 42);
    assert_int_equal(rr_read(r, &rec), 0);
    assert_int_equal(rr_read(r, &rec), 0);
    rr_reader_free(r);
    free(buf);
}

static void test_truncated_everywhere(void **state)
{
    size_t len;
    uint8_t *buf = sample(&len);
    char err[160];
    assert_int_equal(read_all(buf, len, err, sizeof err), 10);
    for (size_t cut = 0; cut < len; cut++) {
        err[0] = 0;
        if (read_all(buf, cut, err, sizeof err) != -1)
            fail_msg("a log cut at byte %zu of %zu was accepted", cut, len);
        assert_non_null(strchr(err, ' '));
        assert_null(strchr(err, '\n'));
        if (cut >= 8)
            assert_non_null(strstr(err, "truncated"));
    }
    free(buf);
}

static void test_every_flipped_bit(void **state)
{
    size_t len;
    uint8_t *buf = sample(&len);
    char err[160];
    for (size_t i = 0; i < len; i++)
        for (int b = 0; b < 8; b++) {
            buf[i] ^= (uint8_t)(1u << b);
            if (read_all(buf, len, err, sizeof err) != -1)
                fail_msg("bit %d of byte %zu flipped was accepted", b, i);
            buf[i] ^= (uint8_t)(1u << b);
        }
    /* and garbage after the end */
    uint8_t *more = malloc(len + 1);
    memcpy(more, buf, len);
    more[len] = RR_INPUT;
    assert_int_equal(read_all(more, len + 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "after the final record"));
    free(more);
    free(buf);
}

static void test_header_errors(void **state)
{
    char err[160];
    assert_int_equal(read_all((const uint8_t *)"RIVET-RX\1\0\0\0", 12, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a rivet record/replay log"));
    assert_int_equal(read_all((const uint8_t *)"RIVET-RR\2\0\0\0", 12, err, sizeof err), -1);
    assert_non_null(strstr(err, "version 2"));
    assert_int_equal(read_all((const uint8_t *)"RIVET-RR\1\0\0\0", 12, err, sizeof err), -1);
    assert_non_null(strstr(err, "without its final record"));
    assert_null(rr_reader_open("/nonexistent/log", err, sizeof err));
    assert_non_null(strstr(err, "cannot open the log"));
}

static void test_writer_errors(void **state)
{
    char err[160];
    assert_null(rr_writer_open("/nonexistent/dir/log", err, sizeof err));
    assert_non_null(strstr(err, "cannot create the log"));
    /* stamps must not go back */
    struct rr_writer *w = rr_writer_open(path, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(rr_write_input(w, 10, "serial0", "a", 1), 0);
    assert_int_equal(rr_write_input(w, 9, "serial0", "b", 1), -1);
    assert_non_null(rr_writer_error(w));
    assert_int_equal(rr_write_checkpoint(w, 20, 1), -1);
    assert_int_equal(rr_writer_close(w, 30, 0), -1);
    /* disk full: the first failed write is reported, later calls fail */
    if (access("/dev/full", W_OK) == 0) {
        w = rr_writer_open("/dev/full", err, sizeof err);
        assert_non_null(w); /* the header is still in stdio's buffer */
        uint8_t big[8192] = { 0 };
        int r = 0;
        for (int i = 0; i < 64 && r == 0; i++)
            r = rr_write_input(w, (uint64_t)i, "net0", big, sizeof big);
        assert_int_equal(r, -1);
        assert_non_null(strstr(rr_writer_error(w), "No space left"));
        assert_int_equal(rr_writer_close(w, 100, 0), -1);
    }
}

static void test_hash(void **state)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("hello, world\n", f);
    fclose(f);
    uint64_t h1, h2, size;
    assert_int_equal(rr_hash_file(path, &h1, &size), 0);
    assert_int_equal(size, 13);
    f = fopen(path, "wb");
    fputs("hello, world!", f);
    fclose(f);
    assert_int_equal(rr_hash_file(path, &h2, &size), 0);
    assert_true(h1 != h2);
    assert_int_equal(rr_hash_file("/nonexistent", &h2, &size), -1);
    /* files that differ only in their last byte, past a whole word */
    f = fopen(path, "wb");
    fputs("abcdefgh1", f);
    fclose(f);
    assert_int_equal(rr_hash_file(path, &h1, &size), 0);
    f = fopen(path, "wb");
    fputs("abcdefgh2", f);
    fclose(f);
    assert_int_equal(rr_hash_file(path, &h2, &size), 0);
    assert_true(h1 != h2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_flipped_bit, setup, teardown),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test_setup_teardown(test_writer_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hash, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
