/* tests/unit/test_qcow2.c: the qcow2 format through -drive: random
 * reads, writes, discards and write-zeroes against an in-memory reference,
 * across reopen, on images of several cluster sizes and refcount widths,
 * v2 and v3, with and without a backing file; refcount table growth;
 * compressed clusters; everything refused at open; corruption at run time.
 * When qemu-img is installed, it creates some of the images and checks
 * every result (`qemu-img check`: no errors, no leaks; `qemu-img compare`
 * against the reference). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "frontends/drive.h"
#include "frontends/qcow2.h"

static char dir[64];
static bool have_qemu_img;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int r = system(cmd);
    return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

static struct drive *open_drive(const char *path, const char *extra, char *err)
{
    char arg[512];
    snprintf(arg, sizeof arg, "file=%s,if=none,id=d,cache=unsafe%s", path, extra);
    struct drive_opts o;
    if (drive_parse(arg, &o, err, 256) < 0)
        return NULL;
    struct drive *d = drive_open(&o, err, 256);
    drive_opts_free(&o);
    return d;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void check_equal(const struct virtio_blk_backend *be, const uint8_t *ref, uint64_t size)
{
    uint8_t *buf = malloc(size);
    struct iovec v[3] = { { buf, 1536 }, { buf + 1536, 100 * 1024 }, { buf + 1536 + 100 * 1024, size - 1536 - 100 * 1024 } };
    assert_int_equal(be->preadv(be->ctx, v, 3, 0), 0);
    for (uint64_t i = 0; i < size; i++)
        if (buf[i] != ref[i]) {
            fail_msg("byte %llu: %02x, want %02x", (unsigned long long)i, buf[i], ref[i]);
        }
    free(buf);
}

/* n random operations; ref follows what the guest must read */
static void random_ops(const struct virtio_blk_backend *be, uint8_t *ref, uint64_t size, unsigned n, bool zero_ok)
{
    uint8_t *buf = malloc(1 << 20);
    for (unsigned i = 0; i < n; i++) {
        uint64_t len = (rnd() % 512 + 1) * 512, off = rnd() % (size / 512) * 512;
        if (rnd() % 4 == 0)
            len = (rnd() % 4 + 1) * 65536;
        if (off + len > size)
            len = size - off;
        unsigned op = (unsigned)(rnd() % 10);
        if (op < 6) {
            uint8_t seed = (uint8_t)rnd();
            for (uint64_t k = 0; k < len; k++)
                buf[k] = (uint8_t)(seed + k * 7 + (k >> 9));
            struct iovec v[2] = { { buf, 512 }, { buf + 512, len - 512 } };
            assert_int_equal(be->pwritev(be->ctx, v, len > 512 ? 2 : 1, off), 0);
            memcpy(ref + off, buf, len);
        } else if (op < 8) {
            struct iovec v = { buf, len };
            assert_int_equal(be->preadv(be->ctx, &v, 1, off), 0);
            assert_memory_equal(buf, ref + off, len);
        } else if (op == 8 && zero_ok) {
            assert_int_equal(be->write_zeroes(be->ctx, off, len, rnd() & 1), 0);
            memset(ref + off, 0, len);
        } else if (op == 9) {
            assert_int_equal(be->flush(be->ctx), 0);
        }
    }
    free(buf);
}

static void qemu_check(const char *img, const uint8_t *ref, uint64_t size)
{
    if (!have_qemu_img)
        return;
    assert_int_equal(sh("qemu-img check -q %s", img), 0);
    char raw[128];
    snprintf(raw, sizeof raw, "%s/ref.raw", dir);
    FILE *f = fopen(raw, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(ref, 1, size, f), size);
    fclose(f);
    assert_int_equal(sh("qemu-img compare -q -f raw -F qcow2 %s %s", raw, img), 0);
}

static void roundtrip(const char *img, uint64_t size, unsigned nops)
{
    char err[256];
    uint8_t *ref = calloc(1, size);
    struct drive *d = open_drive(img, ",format=qcow2", err);
    if (!d)
        fail_msg("%s", err);
    const struct virtio_blk_backend *be = drive_backend(d);
    assert_int_equal(be->size, size);
    check_equal(be, ref, size);
    random_ops(be, ref, size, nops, true);
    check_equal(be, ref, size);
    drive_close(d);
    qemu_check(img, ref, size);
    d = open_drive(img, "", err); /* probed this time */
    assert_non_null(d);
    be = drive_backend(d);
    check_equal(be, ref, size);
    random_ops(be, ref, size, nops / 2, true);
    /* discard everything: reads zeros (no backing), clusters freed */
    assert_int_equal(be->discard(be->ctx, 0, size), 0);
    drive_close(d);
    memset(ref, 0, size);
    qemu_check(img, ref, size);
    free(ref);
}

static void test_own_images(void **state)
{
    (void)state;
    char img[128];
    snprintf(img, sizeof img, "%s/own.qcow2", dir);
    int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(qcow2_create(fd, 8 << 20, NULL, NULL), 0);
    close(fd);
    roundtrip(img, 8 << 20, 400);
}

static void test_qemu_images(void **state)
{
    (void)state;
    if (!have_qemu_img) {
        print_message("qemu-img not installed: only rivet-created images tested\n");
        return;
    }
    static const char *const opts[] = {
        "compat=0.10,cluster_size=65536", /* version 2 */
        "compat=1.1,cluster_size=512",
        "compat=1.1,cluster_size=4096,refcount_bits=1",
        "compat=1.1,cluster_size=4096,refcount_bits=64",
        "compat=1.1,cluster_size=2097152,refcount_bits=8",
        "compat=0.10,cluster_size=1024",
    };
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++) {
        char img[128];
        snprintf(img, sizeof img, "%s/q%zu.qcow2", dir, i);
        assert_int_equal(sh("qemu-img create -q -f qcow2 -o %s %s 6M", opts[i], img), 0);
        roundtrip(img, 6 << 20, 150);
    }
}

/* 512-byte clusters with 16-bit refcounts: one refcount block covers 256
 * clusters and the table 64 blocks, so 8 MiB of writes grow the table */
static void test_refcount_table_growth(void **state)
{
    (void)state;
    if (!have_qemu_img)
        return;
    char img[128], err[256];
    snprintf(img, sizeof img, "%s/grow.qcow2", dir);
    assert_int_equal(sh("qemu-img create -q -f qcow2 -o cluster_size=512 %s 12M", img), 0);
    uint64_t size = 12 << 20;
    uint8_t *ref = calloc(1, size);
    struct drive *d = open_drive(img, "", err);
    assert_non_null(d);
    const struct virtio_blk_backend *be = drive_backend(d);
    for (uint64_t off = 0; off < size; off += 65536) {
        for (unsigned k = 0; k < 65536; k++)
            ref[off + k] = (uint8_t)(off / 65536 + k);
        struct iovec v = { ref + off, 65536 };
        assert_int_equal(be->pwritev(be->ctx, &v, 1, off), 0);
    }
    check_equal(be, ref, size);
    drive_close(d);
    qemu_check(img, ref, size);
    free(ref);
}

static void test_backing_chain(void **state)
{
    (void)state;
    if (!have_qemu_img)
        return;
    char err[256];
    uint64_t size = 4 << 20;
    uint8_t *ref = calloc(1, size);
    /* base.raw <- mid.qcow2 (v2) <- top.qcow2 (v3), names relative */
    for (uint64_t i = 0; i < size; i++)
        ref[i] = (uint8_t)(i * 31 + (i >> 12));
    char p[128];
    snprintf(p, sizeof p, "%s/base.raw", dir);
    FILE *f = fopen(p, "w");
    fwrite(ref, 1, size, f);
    fclose(f);
    assert_int_equal(sh("cd %s && qemu-img create -q -f qcow2 -o compat=0.10 -b base.raw -F raw mid.qcow2 && "
                        "qemu-io -c 'write -P 0xab 100k 300k' mid.qcow2 > /dev/null && "
                        "qemu-img create -q -f qcow2 -b mid.qcow2 -F qcow2 top.qcow2 && "
                        "qemu-io -c 'write -P 0xcd 350k 100k' -c 'write -z 1M 64k' top.qcow2 > /dev/null", dir), 0);
    memset(ref + 100 * 1024, 0xab, 300 * 1024);
    memset(ref + 350 * 1024, 0xcd, 100 * 1024);
    memset(ref + (1 << 20), 0, 64 * 1024);
    char top[128];
    snprintf(top, sizeof top, "%s/top.qcow2", dir);
    struct drive *d = open_drive(top, "", err);
    if (!d)
        fail_msg("%s", err);
    const struct virtio_blk_backend *be = drive_backend(d);
    check_equal(be, ref, size);
    random_ops(be, ref, size, 300, true);
    check_equal(be, ref, size);
    drive_close(d);
    assert_int_equal(sh("qemu-img check -q %s/mid.qcow2", dir), 0);
    qemu_check(top, ref, size);
    /* the backing files are held read-only: another writer is refused */
    d = open_drive(top, "", err);
    assert_non_null(d);
    snprintf(p, sizeof p, "%s/mid.qcow2", dir);
    assert_null(open_drive(p, "", err));
    assert_non_null(strstr(err, "in use"));
    drive_close(d);
    free(ref);
}

static void test_compressed(void **state)
{
    (void)state;
    if (!have_qemu_img)
        return;
    char err[256];
    uint64_t size = 2 << 20;
    uint8_t *ref = calloc(1, size);
    for (uint64_t i = 0; i < size; i++)
        ref[i] = (uint8_t)((i / 1000) * 3);
    char p[128], img[128];
    snprintf(p, sizeof p, "%s/c.raw", dir);
    snprintf(img, sizeof img, "%s/c.qcow2", dir);
    FILE *f = fopen(p, "w");
    fwrite(ref, 1, size, f);
    fclose(f);
    assert_int_equal(sh("qemu-img convert -c -f raw -O qcow2 %s %s", p, img), 0);
    struct drive *d = open_drive(img, "", err);
    assert_non_null(d);
    const struct virtio_blk_backend *be = drive_backend(d);
    check_equal(be, ref, size);
    random_ops(be, ref, size, 200, true); /* rewrites compressed clusters */
    check_equal(be, ref, size);
    drive_close(d);
    qemu_check(img, ref, size);
    free(ref);
}

static void expect_refused(const char *create, const char *extra, const char *want)
{
    char img[128], err[256];
    snprintf(img, sizeof img, "%s/r.qcow2", dir);
    unlink(img);
    char cmd[1024], *o = cmd; /* every %s is the image */
    for (const char *c = create; *c && o < cmd + sizeof cmd - sizeof img; c++) {
        if (c[0] == '%' && c[1] == 's') {
            o += sprintf(o, "%s", img);
            c++;
        } else {
            *o++ = *c;
        }
    }
    *o = 0;
    assert_int_equal(sh("%s", cmd), 0);
    assert_null(open_drive(img, extra, err));
    if (!strstr(err, want))
        fail_msg("'%s': got '%s', want '%s'", create, err, want);
    assert_null(strchr(err, '\n'));
}

static void test_refused(void **state)
{
    (void)state;
    if (!have_qemu_img)
        return;
    expect_refused("qemu-img create -q -f qcow2 -o lazy_refcounts=on %s 1M", "", "lazy_refcounts");
    expect_refused("qemu-img create -q -f qcow2 -o compression_type=zstd %s 1M", "", "zstd");
    expect_refused("qemu-img create -q -f qcow2 -o data_file=%s.data %s 1M >/dev/null 2>&1 || "
                   "qemu-img create -q -f qcow2 -o data_file=/tmp/x %s 1M", "", "external data");
    /* crypt_method = 2 (LUKS) poked into the header: creating a real LUKS
     * image takes qemu-img seconds */
    expect_refused("qemu-img create -q -f qcow2 %s 1M && printf '\\002' | dd of=%s bs=1 seek=35 conv=notrunc "
                   "2>/dev/null", "", "encrypt");
    expect_refused("qemu-img create -q -f qcow2 %s 1M && qemu-img snapshot -c s1 %s", "", "internal snapshots");
    expect_refused("qemu-img create -q -f qcow2 -o extended_l2=on %s 1M", "", "extended L2");
    /* header bits poked by hand: dirty, corrupt, unknown incompatible */
    expect_refused("qemu-img create -q -f qcow2 %s 1M && printf '\\001' | dd of=%s bs=1 seek=79 conv=notrunc "
                   "2>/dev/null", "", "dirty");
    expect_refused("qemu-img create -q -f qcow2 %s 1M && printf '\\002' | dd of=%s bs=1 seek=79 conv=notrunc "
                   "2>/dev/null", "", "corrupt");
    expect_refused("qemu-img create -q -f qcow2 %s 1M && printf '\\200' | dd of=%s bs=1 seek=79 conv=notrunc "
                   "2>/dev/null", "", "unknown incompatible");
    /* a corrupt L1 entry and a corrupt refcount table entry */
    expect_refused("qemu-img create -q -f qcow2 %s 1M && qemu-io -c 'write 0 4k' %s >/dev/null && "
                   "printf '\\377' | dd of=%s bs=1 seek=$((0x30000+5)) conv=notrunc 2>/dev/null", "",
                   "corrupt L1");
    expect_refused("qemu-img create -q -f qcow2 %s 1M && printf '\\007' | dd of=%s bs=1 seek=$((0x10000+6)) "
                   "conv=notrunc 2>/dev/null", "", "corrupt refcount table");
    /* a refcount block saying the L1 table is free */
    expect_refused("qemu-img create -q -f qcow2 %s 1M && printf '\\000' | dd of=%s bs=1 seek=$((0x20000+7)) "
                   "conv=notrunc 2>/dev/null", "", "refcount 0");
    /* format=raw on a qcow2 file, unless insisted */
    expect_refused("qemu-img create -q -f qcow2 %s 1M", ",format=raw", "force-raw=on");
    /* a backing chain that loops */
    expect_refused("cd $(dirname %s) && qemu-img create -q -f qcow2 -b r.qcow2 -F qcow2 loop.qcow2 1M -u && "
                   "qemu-img create -q -f qcow2 -b loop.qcow2 -F qcow2 r.qcow2 1M -u", "", "cycle");
}

static void test_force_raw(void **state)
{
    (void)state;
    char img[128], err[256];
    snprintf(img, sizeof img, "%s/fr.qcow2", dir);
    int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_int_equal(qcow2_create(fd, 1 << 20, NULL, NULL), 0);
    close(fd);
    struct drive *d = open_drive(img, ",format=raw,force-raw=on", err);
    assert_non_null(d);
    assert_int_equal(drive_backend(d)->size, 4 * 65536); /* the file as it is */
    drive_close(d);
}

/* a data cluster pointing into metadata, found while running */
static void test_runtime_corruption(void **state)
{
    (void)state;
    if (!have_qemu_img)
        return;
    char img[128], err[256];
    snprintf(img, sizeof img, "%s/rc.qcow2", dir);
    /* the first L2 entry of the (only) L2 table at 0x50000 points at the L1 table */
    assert_int_equal(sh("qemu-img create -q -f qcow2 %s 1M && qemu-io -c 'write 0 4k' %s >/dev/null && "
                        "printf '\\200\\000\\000\\000\\000\\003\\000\\000' | dd of=%s bs=1 seek=$((0x40000)) "
                        "conv=notrunc 2>/dev/null", img, img, img), 0);
    struct drive *d = open_drive(img, "", err);
    if (!d)
        fail_msg("%s", err);
    const struct virtio_blk_backend *be = drive_backend(d);
    uint8_t buf[4096];
    struct iovec v = { buf, sizeof buf };
    assert_int_equal(be->preadv(be->ctx, &v, 1, 0), -5);   /* EIO, logged once */
    assert_int_equal(be->pwritev(be->ctx, &v, 1, 65536), -5); /* the device stays failed */
    assert_int_equal(be->preadv(be->ctx, &v, 1, 65536), -5);
    drive_close(d);
    assert_int_equal(sh("qemu-img check -q %s >/dev/null 2>&1", img) != 0, 1);
}

static void test_snapshot(void **state)
{
    (void)state;
    char img[128], err[256];
    snprintf(img, sizeof img, "%s/snap.raw", dir);
    uint64_t size = 1 << 20;
    uint8_t *ref = calloc(1, size);
    FILE *f = fopen(img, "w");
    for (uint64_t i = 0; i < size; i++)
        ref[i] = (uint8_t)i;
    fwrite(ref, 1, size, f);
    fclose(f);
    struct drive *d = open_drive(img, ",format=raw,snapshot=on", err);
    assert_non_null(d);
    const struct virtio_blk_backend *be = drive_backend(d);
    assert_false(be->readonly);
    uint8_t *work = malloc(size);
    memcpy(work, ref, size);
    random_ops(be, work, size, 200, true);
    check_equal(be, work, size);
    /* the image is only read: a second reader is fine, a writer is not */
    struct drive *r = open_drive(img, ",format=raw,readonly=on", err);
    assert_non_null(r);
    drive_close(r);
    assert_null(open_drive(img, ",format=raw", err));
    drive_close(d);
    uint8_t *now = malloc(size);
    f = fopen(img, "r");
    assert_int_equal(fread(now, 1, size, f), size);
    fclose(f);
    assert_memory_equal(now, ref, size);
    free(now);
    free(work);
    free(ref);
}

static int group_setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/rivet-test-qcow2-XXXXXX");
    assert_non_null(mkdtemp(dir));
    have_qemu_img = sh("qemu-img --version >/dev/null 2>&1 && qemu-io --version >/dev/null 2>&1") == 0;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    sh("rm -rf %s", dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_own_images),
        cmocka_unit_test(test_qemu_images),
        cmocka_unit_test(test_refcount_table_growth),
        cmocka_unit_test(test_backing_chain),
        cmocka_unit_test(test_compressed),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_force_raw),
        cmocka_unit_test(test_runtime_corruption),
        cmocka_unit_test(test_snapshot),
    };
    if (getenv("CMOCKA_TEST_FILTER"))
        cmocka_set_test_filter(getenv("CMOCKA_TEST_FILTER"));
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
