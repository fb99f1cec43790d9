/* tests/unit/test_snapshot.c: machine snapshots (machine/snapshot.h) on the
 * real virt board (virt_board_new: RAM, two harts, every platform device,
 * virtio-rng on virtio-mmio, virtio-blk and virtio-rng on virtio-pci, an
 * in-memory disk): a save/load round trip gives back RAM, devices and the
 * disk (same state hash, the same file again); a file cut at every byte, a
 * flipped bit in every byte, another format version, another machine, a
 * missing file: one-line errors, and the machine, its hash and its disk stay
 * exactly as they were. Body errors behind a valid checksum (the checksum
 * recomputed after the damage) take the path that rebuilds the machine and
 * goes back to its previous state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "bus/bus.h"
#include "bus/device.h"
#include "machine/devices.h"
#include "machine/snapshot.h"
#include "machine/virt.h"
#include "virtio/blk.h"

#define RAM_SIZE (4ull << 20)
#define DISK_SIZE (256u << 10)

static uint8_t disk[DISK_SIZE];
static unsigned disk_writes;

static int mem_preadv(void *ctx, const struct iovec *iov, int n, uint64_t off)
{
    (void)ctx;
    for (int i = 0; i < n; off += iov[i].iov_len, i++) {
        if (off + iov[i].iov_len > DISK_SIZE)
            return -5;
        memcpy(iov[i].iov_base, disk + off, iov[i].iov_len);
    }
    return 0;
}

static int mem_pwritev(void *ctx, const struct iovec *iov, int n, uint64_t off)
{
    (void)ctx;
    disk_writes++;
    for (int i = 0; i < n; off += iov[i].iov_len, i++) {
        if (off + iov[i].iov_len > DISK_SIZE)
            return -5;
        memcpy(disk + off, iov[i].iov_base, iov[i].iov_len);
    }
    return 0;
}

static int mem_flush(void *ctx) { (void)ctx; return 0; }

static const struct virtio_blk_backend backend = {
    .size = DISK_SIZE, .block_size = 512, .preadv = mem_preadv, .pwritev = mem_pwritev, .flush = mem_flush,
};
static const struct devices_drive drives[] = { { "d0", &backend } };
static const char *const device_args[] = { "virtio-rng-device,seed=1", "virtio-blk-pci,drive=d0",
                                           "virtio-rng-pci,seed=2" };
static char dir[64], path[128];

static void sink(void *ctx, const uint8_t *b, size_t n) { (void)ctx; (void)b; (void)n; }

static struct virt *board(unsigned smp, uint64_t ram)
{
    /* each board keeps its own configuration (freed with the test's end) */
    static struct devices_config dcs[8];
    static struct virt_config vcs[8];
    static unsigned nb;
    assert_true(nb < 8);
    struct devices_config *dcp = &dcs[nb];
    struct virt_config *vcp = &vcs[nb++];
#define dc (*dcp)
#define vc (*vcp)
    dc = (struct devices_config){ .devices = device_args, .ndevices = 3, .drives = drives, .ndrives = 1 };
    vc = (struct virt_config){ .ram_size = ram, .smp = smp, .devices = &dc, .icount_shift = VIRT_SHIFT_BATCH, .snapshot_dir = dir,
                               .host = { .serial_write = sink } };
    struct virt *m = virt_board_new(&vc);
#undef dc
#undef vc
    assert_non_null(m);
    return m;
}

/* A machine with something in it: RAM patterns, device registers (UART
 * scratch and divisor, PLIC priorities and enables, RTC alarm, CLINT
 * compare, the PCI functions' command registers), a disk with data. */
static void dirty(struct virt *m, unsigned seed)
{
    uint8_t *ram = virt_board_ram(m);
    for (unsigned i = 0; i < 40; i++)
        ram[(i * 7919u * 4099u * (seed + 1)) % RAM_SIZE] = (uint8_t)(i + seed);
    memset(ram + 5 * 65536, 0x5a + seed, 65536);   /* whole chunks */
    struct bus *b = virt_board_bus(m);
    bus_write(b, 0x10000007, 1, 0x40 + seed);          /* UART scratch */
    bus_write(b, 0x0c000000 + 4 * 10, 4, 1 + seed % 7); /* PLIC priority of source 10 */
    bus_write(b, 0x0c002000, 4, 0x400);                 /* enable source 10 for context 0 */
    bus_write(b, 0x02004000, 8, 123456 + seed);         /* mtimecmp[0] */
    bus_write(b, 0x00101008, 4, 1000 + seed);           /* RTC alarm */
    bus_write(b, 0x30000000 + (1 << 15) + 4, 2, 6);     /* PCI 00:01.0 command */
    for (unsigned i = 0; i < 20; i++)
        disk[(i * 104729u * (seed + 3)) % DISK_SIZE] = (uint8_t)(i ^ seed);
    virt_board_step(m, 10 + seed);
}

static uint8_t *read_file(const char *p, size_t *len)
{
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void write_file(const char *p, const uint8_t *buf, size_t len)
{
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/rivet-snaptest-XXXXXX", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/s1", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static void test_roundtrip(void **state)
{
    (void)state;
    char err[256];
    memset(disk, 0, sizeof disk);
    struct virt *m = board(2, RAM_SIZE);
    dirty(m, 1);
    uint64_t h1 = virt_state_hash(m);
    assert_int_equal(virt_state_hash(m), h1);   /* a pure function */
    static uint8_t disk1[DISK_SIZE];
    memcpy(disk1, disk, DISK_SIZE);
    assert_int_equal(virt_savevm(m, "s1", err, sizeof err), 0);
    size_t len1;
    uint8_t *f1 = read_file(path, &len1);
    assert_true(len1 < 200 * 1024);   /* zero pages are not stored */

    /* change everything, then go back */
    dirty(m, 2);
    assert_int_not_equal(virt_state_hash(m), h1);
    assert_int_not_equal(memcmp(disk, disk1, DISK_SIZE), 0);
    assert_int_equal(virt_loadvm(m, "s1", err, sizeof err), 0);
    assert_int_equal(virt_state_hash(m), h1);
    assert_memory_equal(disk, disk1, DISK_SIZE);
    /* the incremental hash after a load and after writes (device DMA, the
     * raw pointer) is the one computed from scratch */
    assert_int_equal(virt_board_state_hash_full(m), h1);
    assert_int_equal(bus_dma_write(virt_board_bus(m), 0x80000000 + 3 * 4096 + 17, "xyz", 3), 0);
    assert_int_equal(virt_state_hash(m), virt_board_state_hash_full(m));
    virt_board_ram(m)[RAM_SIZE - 1] ^= 1;
    assert_int_equal(virt_state_hash(m), virt_board_state_hash_full(m));
    virt_board_ram(m)[RAM_SIZE - 1] ^= 1;
    assert_int_equal(bus_dma_write(virt_board_bus(m), 0x80000000 + 3 * 4096 + 17, "\0\0\0", 3), 0);
    assert_int_equal(virt_state_hash(m), h1);

    /* a second save of the loaded machine is the same file */
    assert_int_equal(virt_savevm(m, "s2", err, sizeof err), 0);
    char p2[160];
    snprintf(p2, sizeof p2, "%s/s2", dir);
    size_t len2;
    uint8_t *f2 = read_file(p2, &len2);
    assert_int_equal(len1, len2);
    assert_memory_equal(f1, f2, len1);

    /* the same file into a machine built fresh (as -loadvm does) */
    virt_board_free(m);
    memset(disk, 0xee, 4096);
    m = board(2, RAM_SIZE);
    assert_int_equal(virt_loadvm(m, path, err, sizeof err), 0);   /* a NAME with '/' is a path */
    assert_int_equal(virt_state_hash(m), h1);
    assert_memory_equal(disk, disk1, DISK_SIZE);

    /* list and delete */
    char list[1024];
    virt_list_snapshots(m, list, sizeof list);
    assert_non_null(strstr(list, "s1 "));
    assert_non_null(strstr(list, "s2 "));
    assert_int_equal(virt_delvm(m, "s2", err, sizeof err), 0);
    assert_int_equal(virt_delvm(m, "s2", err, sizeof err), -1);
    assert_null(strchr(err, '\n'));
    virt_list_snapshots(m, list, sizeof list);
    assert_null(strstr(list, "s2 "));
    free(f1);
    free(f2);
    virt_board_free(m);
}

/* A bad file: one line, and nothing changed (hash, disk, no disk write). */
static unsigned nrefused;
static void refused(struct virt *m, const char *name, const char *want, uint64_t h, const uint8_t *disk_then)
{
    char err[256] = "";
    unsigned w = disk_writes;
    assert_int_equal(virt_loadvm(m, name, err, sizeof err), -1);
    assert_true(err[0]);
    assert_null(strchr(err, '\n'));
    if (want && !strstr(err, want))
        fail_msg("'%s' does not say '%s'", err, want);
    assert_int_equal(disk_writes, w);
    if (nrefused++ % 16 == 0) {   /* (a pass over RAM) */
        assert_memory_equal(disk, disk_then, DISK_SIZE);
        assert_int_equal(virt_state_hash(m), h);
    }
}

static void fix_crc(uint8_t *buf, size_t len)
{
    uint32_t c = (uint32_t)crc32(0, buf, (uInt)(len - 4));
    for (unsigned i = 0; i < 4; i++)
        buf[len - 4 + i] = (uint8_t)(c >> (8 * i));
}

static void test_bad_files(void **state)
{
    (void)state;
    char err[256];
    memset(disk, 0, sizeof disk);
    struct virt *m = board(2, RAM_SIZE);
    dirty(m, 3);
    assert_int_equal(virt_savevm(m, "good", err, sizeof err), 0);
    char good[160], bad[160];
    snprintf(good, sizeof good, "%s/good", dir);
    snprintf(bad, sizeof bad, "%s/bad", dir);
    size_t len;
    uint8_t *f = read_file(good, &len);
    dirty(m, 4);   /* the machine now differs from the file */
    uint64_t h = virt_state_hash(m);
    static uint8_t disk_now[DISK_SIZE];
    memcpy(disk_now, disk, DISK_SIZE);

    refused(m, "missing", "cannot open", h, disk_now);
    refused(m, "", "not a snapshot name", h, disk_now);
    refused(m, dir, "not a regular file", h, disk_now);
    /* cut at every byte */
    for (size_t n = 0; n < len; n++) {
        write_file(bad, f, n);
        refused(m, "bad", n < 8 || n >= 16 ? NULL : "truncated", h, disk_now);
    }
    /* one flipped bit in every byte */
    assert_true(len > 64);
    uint8_t *g = malloc(len + 64);
    assert_non_null(g);
    for (size_t i = 0; i < len; i++) {
        memcpy(g, f, len);
        g[i] ^= (uint8_t)(1u << (i % 8));
        write_file(bad, g, len);
        refused(m, "bad", NULL, h, disk_now);
    }
    /* another format version, another machine */
    memcpy(g, f, len);
    g[8] = 2;
    write_file(bad, g, len);
    refused(m, "bad", "format version 2", h, disk_now);
    struct virt *other = board(1, RAM_SIZE);
    refused(other, "good", "another machine", virt_state_hash(other), disk_now);
    virt_board_free(other);
    /* damage behind a valid checksum: the body parser refuses (or loads a
     * changed byte of RAM); a refusal rebuilds the machine as it was */
    size_t body = 16 + (size_t)(f[12] | f[13] << 8) + 8;
    unsigned refusals = 0;
    for (size_t i = body; i < len - 4; i += 1 + (len - body) / 150) {
        memcpy(g, f, len);
        g[i] ^= 0x10;
        fix_crc(g, len);
        write_file(bad, g, len);
        unsigned w = disk_writes;
        if (virt_loadvm(m, "bad", err, sizeof err) == 0) {
            /* loaded: it was data; go back to the machine under test */
            assert_int_equal(virt_loadvm(m, "good", err, sizeof err), 0);
            dirty(m, 4);
            memcpy(disk, disk_now, DISK_SIZE);
            h = virt_state_hash(m);
            continue;
        }
        refusals++;
        assert_null(strchr(err, '\n'));
        assert_int_equal(disk_writes, w);
        assert_memory_equal(disk, disk_now, DISK_SIZE);
        assert_int_equal(virt_state_hash(m), h);
    }
    assert_true(refusals > 20);
    /* a body cut short behind a valid checksum */
    for (size_t n = body; n < len - 4; n += 1 + (len - body) / 100) {
        memcpy(g, f, len);
        size_t blen = n - body;
        for (unsigned k = 0; k < 8; k++)
            g[body - 8 + k] = (uint8_t)((uint64_t)blen >> (8 * k));
        memmove(g + n, f + len - 4, 4);
        fix_crc(g, n + 4);
        write_file(bad, g, n + 4);
        refused(m, "bad", "corrupted", h, disk_now);
    }
    free(g);
    free(f);
    virt_board_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
