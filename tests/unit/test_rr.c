/* tests/unit/test_rr.c: record/replay's run-side logic (machine/rr.h), with
 * positions set by the test: the command line compared without the
 * record/replay options, images checked, settings carried, inputs handed
 * out only at their position, a record passed over caught, checkpoints
 * compared, and rr_seek's re-execution from memory. */
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

#include "machine/rr.h"
#include "machine/virt.h"

static char logpath[64], imgpath[64];
static uint64_t pos;

static uint64_t test_pos(void *ctx)
{
    (void)ctx;
    return pos;
}

static int setup(void **state)
{
    (void)state;
    snprintf(logpath, sizeof logpath, "/tmp/test_rr.%d.log", (int)getpid());
    snprintf(imgpath, sizeof imgpath, "/tmp/test_rr.%d.img", (int)getpid());
    FILE *f = fopen(imgpath, "wb");
    assert_non_null(f);
    fputs("an image", f);
    fclose(f);
    pos = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(logpath);
    unlink(imgpath);
    return 0;
}

static char *rec_argv[] = { "rivet", "-M", "virt", "-record", "X", "-icount", "shift=auto,rr=record,rrfile=X", "-m", "64M" };
static char *rep_argv[] = { "rivet", "-M", "virt", "-replay", "X", "-icount", "shift=auto,rrfile=X,rr=replay", "-m", "64M" };
static char *other_argv[] = { "rivet", "-M", "virt", "-replay", "X", "-icount", "shift=auto", "-m", "128M" };

static struct rr *open_mode(enum rr_mode mode, char **argv, char *err)
{
    struct rr_image img = { "kernel", imgpath };
    return rr_open(mode, logpath, NULL, 9, argv, &img, 1, err, 256);
}

static size_t fill_ab(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    memset(buf, 0xab, len);
    return len;
}

/* A recording: serial at 5, time at 7, entropy at 9, a checkpoint at 10, end at 12. */
static void record_sample(void)
{
    char err[256];
    struct rr *rr = open_mode(RR_RECORDING, rec_argv, err);
    assert_non_null(rr);
    assert_int_equal(rr_mode(rr), RR_RECORDING);
    struct virt_config cfg = { .rtc_base_ns = 1234, .icount_shift = VIRT_SHIFT_AUTO, .icount_sleep = true };
    rr_settings(rr, &cfg);
    rr_attach_position(rr, test_pos, NULL);
    pos = 5;
    rr_log_input(rr, "serial", "ls\n", 3);
    pos = 7;
    rr_log_time(rr, "rate", 999);
    pos = 9;
    uint8_t b[2];
    assert_int_equal(rr_entropy(rr, "seed", b, 2, fill_ab, NULL), 2);
    pos = 12;
    assert_int_equal(rr_close(rr, 12, 100, 0xabc), 0);
    rr_free(rr);
}

static void test_record_replay(void **state)
{
    (void)state;
    char err[256];
    struct rr *rr = open_mode(RR_RECORDING, rec_argv, err);
    assert_non_null(rr);
    struct virt_config cfg = { .rtc_base_ns = 1234, .icount_shift = VIRT_SHIFT_AUTO, .icount_sleep = true };
    rr_settings(rr, &cfg);
    rr_attach_position(rr, test_pos, NULL);
    assert_false(rr_feeding(rr));
    pos = 5;
    rr_log_input(rr, "serial", "ls\n", 3);
    pos = 7;
    rr_log_time(rr, "rate", 999);
    pos = 9;
    uint8_t b[4];
    assert_int_equal(rr_entropy(rr, "seed", b, 4, fill_ab, NULL), 4);
    assert_int_equal(rr_close(rr, 12, 100, 0xabc), 0);
    rr_free(rr);

    /* the other spelling of the same command line replays it */
    rr = open_mode(RR_REPLAYING, rep_argv, err);
    assert_non_null(rr);
    struct virt_config c2 = { 0 };
    rr_settings(rr, &c2);
    assert_int_equal(c2.rtc_base_ns, 1234);
    assert_int_equal(c2.icount_shift, VIRT_SHIFT_AUTO);
    assert_true(c2.icount_sleep);
    rr_attach_position(rr, test_pos, NULL);
    assert_true(rr_feeding(rr));
    pos = 4;
    assert_null(rr_take(rr, RR_INPUT, "serial"));     /* not yet */
    assert_int_equal(rr_check_missed(rr, 4), 0);
    pos = 5;
    assert_null(rr_take(rr, RR_INPUT, "chardev:c0")); /* another channel */
    assert_true(rr_pending_now(rr));
    const struct rr_event *e = rr_take(rr, RR_INPUT, "serial");
    assert_non_null(e);
    assert_int_equal(e->len, 3);
    assert_memory_equal(e->data, "ls\n", 3);
    assert_false(rr_pending_now(rr));
    pos = 7;
    assert_null(rr_take(rr, RR_TIME, "idle-rate"));   /* another site */
    e = rr_take(rr, RR_TIME, "rate");
    assert_non_null(e);
    assert_int_equal(e->value, 999);
    pos = 9;
    memset(b, 0, sizeof b);
    assert_int_equal(rr_entropy(rr, "seed", b, 4, NULL, NULL), 4); /* from the log, the host not asked */
    assert_int_equal(b[0], 0xab);
    assert_false(rr_more(rr));
    assert_int_equal(rr_close(rr, 12, 100, 0xabc), 0);
    rr_free(rr);
}

static void test_refusals(void **state)
{
    (void)state;
    char err[256];
    record_sample();
    assert_null(open_mode(RR_REPLAYING, other_argv, err));
    assert_non_null(strstr(err, "recorded with another command line"));
    FILE *f = fopen(imgpath, "ab");
    fputs("!", f);
    fclose(f);
    assert_null(open_mode(RR_REPLAYING, rep_argv, err));
    assert_non_null(strstr(err, "the kernel image"));
    assert_non_null(strstr(err, "differs from the recording's"));
    assert_null(strchr(err, '\n'));
}

static void test_missed_and_diverged(void **state)
{
    (void)state;
    char err[256];
    struct rr *rr = open_mode(RR_RECORDING, rec_argv, err);
    struct virt_config cfg = { 0 };
    rr_settings(rr, &cfg);
    rr_attach_position(rr, test_pos, NULL);
    pos = 3;
    rr_log_input(rr, "serial", "x", 1);
    pos = RR_CHECKPOINT_INTERVAL + 4;
    assert_true(rr_checkpoint_due(rr));
    assert_int_equal(rr_checkpoint(rr, 77, 0x1111), 0);
    assert_false(rr_checkpoint_due(rr));
    assert_int_equal(rr_close(rr, pos, 80, 0x2222), 0);
    rr_free(rr);

    rr = open_mode(RR_REPLAYING, rep_argv, err);
    assert_non_null(rr);
    rr_attach_position(rr, test_pos, NULL);
    pos = 4; /* the input at 3 was passed over */
    assert_int_equal(rr_check_missed(rr, 4), -1);
    rr_free(rr);

    rr = open_mode(RR_REPLAYING, rep_argv, err);
    rr_attach_position(rr, test_pos, NULL);
    pos = 3;
    assert_non_null(rr_take(rr, RR_INPUT, "serial"));
    pos = RR_CHECKPOINT_INTERVAL + 4;
    assert_true(rr_checkpoint_due(rr));
    assert_int_equal(rr_checkpoint(rr, 77, 0x1112), -1); /* "replay diverged at instruction 77 ..." */
    rr_free(rr);

    rr = open_mode(RR_REPLAYING, rep_argv, err);
    rr_attach_position(rr, test_pos, NULL);
    pos = 3;
    assert_non_null(rr_take(rr, RR_INPUT, "serial"));
    pos = RR_CHECKPOINT_INTERVAL + 4;
    assert_int_equal(rr_checkpoint(rr, 77, 0x1111), 0);
    assert_int_equal(rr_close(rr, pos, 80, 0x2223), -1); /* the end's hash */
    rr_free(rr);
}

/* rr_seek: a recording re-executes from memory until it is back at its head. */
static void test_seek(void **state)
{
    (void)state;
    char err[256];
    struct rr *rr = open_mode(RR_RECORDING, rec_argv, err);
    struct virt_config cfg = { 0 };
    rr_settings(rr, &cfg);
    rr_attach_position(rr, test_pos, NULL);
    pos = 5;
    rr_log_input(rr, "serial", "a", 1);
    pos = 9;
    rr_log_input(rr, "serial", "b", 1);
    pos = 12;
    rr_seek(rr, 6); /* back to 6: the next input is the one at 9 */
    pos = 6;
    assert_true(rr_reexecuting(rr));
    assert_true(rr_feeding(rr));
    rr_log_input(rr, "serial", "zzz", 3); /* not logged: host input is not read now */
    pos = 9;
    const struct rr_event *e = rr_take(rr, RR_INPUT, "serial");
    assert_non_null(e);
    assert_memory_equal(e->data, "b", 1);
    /* caught up: recording again */
    rr_log_input(rr, "serial", "c", 1);
    assert_false(rr_reexecuting(rr));
    rr_seek(rr, 0);
    pos = 5;
    e = rr_take(rr, RR_INPUT, "serial");
    assert_non_null(e);
    assert_memory_equal(e->data, "a", 1);
    pos = 9;
    assert_memory_equal(rr_take(rr, RR_INPUT, "serial")->data, "b", 1);
    assert_memory_equal(rr_take(rr, RR_INPUT, "serial")->data, "c", 1);
    assert_false(rr_reexecuting(rr));
    assert_int_equal(rr_close(rr, 10, 0, 1), 0);
    rr_free(rr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_record_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missed_and_diverged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seek, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
