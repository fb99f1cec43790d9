/* tests/unit/test_drive.c: -drive parsing, opening and locking raw images
 * (QEMU's lock bytes), probing, image sizes
 * (OFD locks conflict between two opens even in one process, which is what
 * lets this test play both rivets), and the block backend's I/O: vectored
 * reads and writes, flush, hole punching, write-zeroes, cache=none. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "frontends/drive.h"

#define SIZE (1u << 20)

struct fx {
    char path[64];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    strcpy(f->path, "/tmp/rivet-test-drive-XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    uint8_t *buf = malloc(SIZE);
    for (unsigned i = 0; i < SIZE; i++)
        buf[i] = (uint8_t)(i * 13 + 1);
    assert_int_equal(write(fd, buf, SIZE), SIZE);
    free(buf);
    close(fd);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    unlink(f->path);
    free(f);
    return 0;
}

static struct drive *open_path(const char *path, const char *extra, char *err)
{
    char arg[256];
    snprintf(arg, sizeof arg, "file=%s,format=raw,if=none,id=d%s", path, extra);
    struct drive_opts o;
    if (drive_parse(arg, &o, err, 256) < 0)
        return NULL;
    struct drive *d = drive_open(&o, err, 256);
    drive_opts_free(&o);
    return d;
}

static void test_parse(void **state)
{
    char err[256];
    struct drive_opts o;
    assert_int_equal(drive_parse("file=/a,,b.img,if=none,id=x,readonly=on,cache=unsafe,discard=ignore", &o, err,
                                 sizeof err), 0);
    assert_string_equal(o.file, "/a,b.img");
    assert_string_equal(o.id, "x");
    assert_true(o.readonly);
    assert_false(o.if_virtio);
    assert_false(o.discard);
    assert_int_equal(o.cache, DRIVE_CACHE_UNSAFE);
    drive_opts_free(&o);
    assert_int_equal(drive_parse("file=/a", &o, err, sizeof err), 0);
    assert_true(o.if_virtio); /* QEMU's virt default */
    assert_null(o.id);
    drive_opts_free(&o);
    assert_int_equal(drive_parse("file=/a,format=qcow2,snapshot=on,file.locking=off", &o, err, sizeof err), 0);
    assert_string_equal(o.format, "qcow2");
    assert_true(o.snapshot);
    assert_false(o.locking);
    assert_false(o.if_given);
    drive_opts_free(&o);
    assert_int_equal(drive_parse("file=/a,if=virtio", &o, err, sizeof err), 0);
    assert_true(o.if_given);
    assert_true(o.locking);
    drive_opts_free(&o);
    assert_int_equal(drive_parse("file=/a,format=vmdk", &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "raw, qcow2"));
    assert_int_equal(drive_parse("file=/a,file.locking=maybe", &o, err, sizeof err), -1);
    assert_int_equal(drive_parse("file=/a,if=none", &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "id="));
    assert_int_equal(drive_parse("if=none,id=x", &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "file="));
    assert_int_equal(drive_parse("file=/a,bogus=1", &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown option 'bogus'"));
    assert_int_equal(drive_parse("file=/a,cache=sometimes", &o, err, sizeof err), -1);
    assert_int_equal(drive_parse("file=/a,readonly=maybe", &o, err, sizeof err), -1);
    assert_int_equal(drive_parse("file=/a,if=scsi", &o, err, sizeof err), -1);
}

static void test_missing_file(void **state)
{
    char err[256];
    assert_null(open_path("/nonexistent/disk.img", "", err));
    assert_non_null(strstr(err, "No such file"));
    assert_null(open_path("/tmp", "", err));
    assert_non_null(strstr(err, "folder"));
}

static void test_lock_writer_excludes(void **state)
{
    struct fx *f = *state;
    char err[256], want[64];
    struct drive *a = open_path(f->path, "", err);
    assert_non_null(a);
    snprintf(want, sizeof want, "process %ld", (long)getpid());
    /* a second writer and a reader are refused, naming the holder */
    assert_null(open_path(f->path, "", err));
    assert_non_null(strstr(err, want));
    assert_null(open_path(f->path, ",readonly=on", err));
    assert_non_null(strstr(err, want));
    drive_close(a);
    /* released with the file */
    struct drive *b = open_path(f->path, "", err);
    assert_non_null(b);
    drive_close(b);
}

static void test_lock_readers_share(void **state)
{
    struct fx *f = *state;
    char err[256];
    struct drive *a = open_path(f->path, ",readonly=on", err);
    struct drive *b = open_path(f->path, ",readonly=on", err);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(drive_backend(a)->readonly);
    assert_null(open_path(f->path, "", err)); /* no writer while they read */
    assert_non_null(strstr(err, "locked"));
    drive_close(a);
    drive_close(b);
}

static void test_qemu_lock(void **state)
{
    struct fx *f = *state;
    char err[256];
    int fd = open(f->path, O_RDWR);
    struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 101, .l_len = 1 };
    assert_int_equal(fcntl(fd, F_OFD_SETLK, &fl), 0);
    assert_null(open_path(f->path, "", err));
    assert_non_null(strstr(err, "\"write\""));
    /* file.locking=off: as QEMU, no locks taken or checked */
    struct drive *d = open_path(f->path, ",file.locking=off", err);
    assert_non_null(d);
    drive_close(d);
    close(fd);
}

/* The bytes QEMU 7.2 holds (seen in /proc/locks): a read-write raw disk
 * 100-101 and 201; rivet takes the same ones. */
static void test_lock_bytes(void **state)
{
    struct fx *f = *state;
    char err[256];
    struct drive *d = open_path(f->path, "", err);
    assert_non_null(d);
    int fd = open(f->path, O_RDONLY);
    for (int b = 99; b <= 204; b++) {
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = b, .l_len = 1 };
        assert_int_equal(fcntl(fd, F_OFD_GETLK, &fl), 0);
        bool held = fl.l_type != F_UNLCK;
        assert_int_equal(held, b == 100 || b == 101 || b == 201);
    }
    drive_close(d);
    d = open_path(f->path, ",readonly=on", err);
    for (int b = 99; b <= 204; b++) {
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = b, .l_len = 1 };
        assert_int_equal(fcntl(fd, F_OFD_GETLK, &fl), 0);
        bool held = fl.l_type != F_UNLCK;
        assert_int_equal(held, b == 100 || b == 201 || b == 203);
    }
    drive_close(d);
    close(fd);
}

/* 0 bytes and a size that is not a multiple of 512: one line each */
static void test_sizes(void **state)
{
    struct fx *f = *state;
    char err[256];
    assert_int_equal(truncate(f->path, 1000), 0);
    assert_null(open_path(f->path, "", err));
    assert_non_null(strstr(err, "not a multiple of 512"));
    assert_int_equal(truncate(f->path, 0), 0);
    assert_null(open_path(f->path, "", err));
    assert_non_null(strstr(err, "empty"));
}

/* a probed raw image: block 0 may not be made to look like qcow2 */
static void test_probed_raw_block0(void **state)
{
    struct fx *f = *state;
    char err[256], arg[256];
    snprintf(arg, sizeof arg, "file=%s,if=none,id=d", f->path);
    struct drive_opts o;
    assert_int_equal(drive_parse(arg, &o, err, sizeof err), 0);
    struct drive *d = drive_open(&o, err, sizeof err);
    drive_opts_free(&o);
    assert_non_null(d);
    const struct virtio_blk_backend *be = drive_backend(d);
    uint8_t blk[512] = { 'Q', 'F', 'I', 0xfb };
    struct iovec v = { blk, sizeof blk };
    assert_int_equal(be->pwritev(be->ctx, &v, 1, 0), -EPERM);
    assert_int_equal(be->pwritev(be->ctx, &v, 1, 512), 0); /* elsewhere: fine */
    blk[0] = 0xeb; /* an MBR-ish block 0: fine */
    assert_int_equal(be->pwritev(be->ctx, &v, 1, 0), 0);
    drive_close(d);
    /* format=raw lifts the restriction */
    d = open_path(f->path, "", err);
    blk[0] = 'Q';
    be = drive_backend(d);
    assert_int_equal(be->pwritev(be->ctx, &v, 1, 0), 0);
    drive_close(d);
}

static void test_io(void **state)
{
    struct fx *f = *state;
    char err[256];
    struct drive *d = open_path(f->path, "", err);
    assert_non_null(d);
    const struct virtio_blk_backend *be = drive_backend(d);
    assert_int_equal(be->size, SIZE);
    assert_false(be->readonly);
    uint8_t a[512], b[1536], c[2048];
    struct iovec rv[2] = { { a, sizeof a }, { b, sizeof b } };
    assert_int_equal(be->preadv(be->ctx, rv, 2, 4096), 0);
    for (unsigned i = 0; i < 2048; i++)
        assert_int_equal(i < 512 ? a[i] : b[i - 512], (uint8_t)((4096 + i) * 13 + 1));
    memset(c, 0x77, sizeof c);
    struct iovec wv = { c, sizeof c };
    assert_int_equal(be->pwritev(be->ctx, &wv, 1, 8192), 0);
    assert_int_equal(be->flush(be->ctx), 0);
    assert_int_equal(be->preadv(be->ctx, rv, 2, 8192), 0);
    assert_int_equal(a[0], 0x77);
    assert_int_equal(b[1535], 0x77);
    /* past the end: the device checks ranges, the backend reports EIO */
    assert_true(be->preadv(be->ctx, rv, 2, SIZE - 512) < 0);
    /* discard and write-zeroes read back as zeros */
    assert_int_equal(be->discard(be->ctx, 65536, 65536), 0);
    assert_int_equal(be->write_zeroes(be->ctx, 3 * 65536, 4096, false), 0);
    assert_int_equal(be->write_zeroes(be->ctx, 4 * 65536, 4096, true), 0);
    static const uint8_t zero[2048];
    struct iovec zv = { c, sizeof c };
    assert_int_equal(be->preadv(be->ctx, &zv, 1, 65536 + 4096), 0);
    assert_memory_equal(c, zero, sizeof c);
    assert_int_equal(be->preadv(be->ctx, &zv, 1, 3 * 65536), 0);
    assert_memory_equal(c, zero, sizeof c);
    assert_int_equal(be->preadv(be->ctx, &zv, 1, 4 * 65536 + 2048), 0);
    assert_memory_equal(c, zero, sizeof c);
    assert_int_equal(be->preadv(be->ctx, &zv, 1, 3 * 65536 + 4096), 0);
    assert_int_not_equal(c[0], 0); /* right after the zeroed range: data */
    drive_close(d);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_size, SIZE); /* holes keep the size */
}

static void test_cache_none(void **state)
{
    struct fx *f = *state;
    char err[256];
    struct drive *d = open_path(f->path, ",cache=none", err);
    if (!d) {
        /* the file system of /tmp may not do O_DIRECT (tmpfs) */
        assert_non_null(strstr(err, "O_DIRECT"));
        return;
    }
    const struct virtio_blk_backend *be = drive_backend(d);
    uint8_t *al = aligned_alloc(4096, 8192), odd[1000];
    struct iovec v = { al, 8192 };
    assert_int_equal(be->preadv(be->ctx, &v, 1, 0), 0);
    assert_int_equal(al[1], (uint8_t)(1 * 13 + 1));
    struct iovec u = { odd, sizeof odd }; /* unaligned: the buffered fallback */
    assert_int_equal(be->preadv(be->ctx, &u, 1, 3), 0);
    assert_int_equal(odd[0], (uint8_t)(3 * 13 + 1));
    free(al);
    drive_close(d);
}

static void test_readonly_backend(void **state)
{
    struct fx *f = *state;
    char err[256];
    struct drive *d = open_path(f->path, ",readonly=on", err);
    assert_non_null(d);
    uint8_t x[512] = { 0 };
    struct iovec v = { x, sizeof x };
    const struct virtio_blk_backend *be = drive_backend(d);
    assert_true(be->pwritev(be->ctx, &v, 1, 0) < 0); /* O_RDONLY underneath too */
    drive_close(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test_setup_teardown(test_lock_writer_excludes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_readers_share, setup, teardown),
        cmocka_unit_test_setup_teardown(test_qemu_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probed_raw_block0, setup, teardown),
        cmocka_unit_test_setup_teardown(test_io, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_backend, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
