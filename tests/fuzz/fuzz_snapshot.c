/* tests/fuzz/fuzz_snapshot.c: snapshot files (machine/snapshot.c) loaded
 * into the virt board (virt_board_new, 2 harts, 1 MiB of RAM, virtio-rng
 * on virtio-mmio, virtio-blk and virtio-rng on virtio-pci, a 64 KiB
 * in-memory disk) through virt_loadvm, as the monitor's loadvm does.
 *
 * The first byte picks what the rest is:
 *   0  the whole file (magic, version, lengths, description, checksum)
 *   1  XOR patches over the healthy body the harness saved at start
 *      (u8 n, then n records of u32 offset, u8 xor; then u32: when not
 *      zero, the body is cut there), wrapped in a correct header and
 *      checksum, so the fuzzer reaches every section's parser at once
 *   2  the body itself, wrapped the same way
 *
 * Checked besides ASan/UBSan and the timeout: a refused file gives one
 * line and leaves the machine as it was (the same state hash) and the disk
 * unwritten; an accepted one saves again. An unpatched healthy body
 * loads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

#include "machine/devices.h"
#include "machine/snapshot.h"
#include "machine/virt.h"
#include "virtio/blk.h"
#include "fuzz_input.h"

#define DISK 65536u

static uint8_t disk[DISK];
static unsigned disk_writes;

static int mem_preadv(void *ctx, const struct iovec *iov, int n, uint64_t off)
{
    (void)ctx;
    for (int i = 0; i < n; off += iov[i].iov_len, i++) {
        if (off > DISK || iov[i].iov_len > DISK - off)
            abort();
        memcpy(iov[i].iov_base, disk + off, iov[i].iov_len);
    }
    return 0;
}

static int mem_pwritev(void *ctx, const struct iovec *iov, int n, uint64_t off)
{
    (void)ctx;
    disk_writes++;
    for (int i = 0; i < n; off += iov[i].iov_len, i++) {
        if (off > DISK || iov[i].iov_len > DISK - off)
            abort();
        memcpy(disk + off, iov[i].iov_base, iov[i].iov_len);
    }
    return 0;
}

static const struct virtio_blk_backend backend = { .size = DISK, .block_size = 512, .preadv = mem_preadv,
                                                   .pwritev = mem_pwritev };
static const struct devices_drive drives[] = { { "d0", &backend } };
static const char *const device_args[] = { "virtio-rng-device,seed=1", "virtio-blk-pci,drive=d0",
                                           "virtio-rng-pci,seed=2" };
static void sink(void *ctx, const uint8_t *b, size_t n) { (void)ctx; (void)b; (void)n; }

static struct virt *m;
static uint8_t *head;        /* the healthy file's header up to the body length */
static size_t head_len;
static uint8_t *body;
static size_t body_len;
static char dir[64], path[96], healthy[96], again[96];

static void cleanup(void)
{
    unlink(path);
    unlink(healthy);
    unlink(again);
    rmdir(dir);
}

static void init(void)
{
    static struct devices_config dc = { .devices = device_args, .ndevices = 3, .drives = drives, .ndrives = 1 };
    static struct virt_config vc = { .ram_size = 1u << 20, .smp = 2, .devices = &dc, .icount_shift = VIRT_SHIFT_BATCH,
                                     .host = { .serial_write = sink } };
    m = virt_board_new(&vc);
    if (!m)
        abort();
    for (unsigned i = 0; i < 4096; i += 7)
        virt_board_ram(m)[i * 13] = (uint8_t)i;
    for (unsigned i = 0; i < DISK; i += 999)
        disk[i] = (uint8_t)(i >> 3);
    struct bus *b = virt_board_bus(m);
    bus_write(b, 0x10000007, 1, 0x42);
    bus_write(b, 0x0c000000 + 40, 4, 3);
    bus_write(b, 0x02004000, 8, 5000);
    virt_board_step(m, 100);
    snprintf(dir, sizeof dir, "%s/rivet-fuzz-snapshot-XXXXXX", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/file", dir);
    snprintf(healthy, sizeof healthy, "%s/healthy", dir);
    snprintf(again, sizeof again, "%s/again", dir);
    atexit(cleanup);
    char err[256];
    if (virt_savevm(m, healthy, err, sizeof err) < 0) {
        fprintf(stderr, "fuzz_snapshot: %s\n", err);
        abort();
    }
    FILE *hf = fopen(healthy, "rb");
    if (!hf)
        abort();
    fseek(hf, 0, SEEK_END);
    long len = ftell(hf);
    fseek(hf, 0, SEEK_SET);
    uint8_t *f = malloc((size_t)len);
    if (!f || fread(f, 1, (size_t)len, hf) != (size_t)len)
        abort();
    fclose(hf);
    size_t dlen = (size_t)(f[12] | f[13] << 8 | f[14] << 16 | (uint32_t)f[15] << 24);
    head_len = 16 + dlen;
    head = f;
    body = f + head_len + 8;
    body_len = (size_t)len - head_len - 8 - 4;
}

static void put_file(const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        abort();
}

/* header + body + checksum */
static void put_wrapped(const uint8_t *b, size_t len)
{
    size_t total = head_len + 8 + len + 4;
    uint8_t *f = malloc(total);
    if (!f)
        abort();
    memcpy(f, head, head_len);
    for (unsigned i = 0; i < 8; i++)
        f[head_len + i] = (uint8_t)((uint64_t)len >> (8 * i));
    memcpy(f + head_len + 8, b, len);
    uint32_t c = (uint32_t)crc32(0, f, (uInt)(total - 4));
    for (unsigned i = 0; i < 4; i++)
        f[total - 4 + i] = (uint8_t)(c >> (8 * i));
    put_file(f, total);
    free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!m)
        init();
    struct fin in = { data, size };
    uint8_t mode = fin_u8(&in) % 3;
    bool pristine = false;
    if (mode == 0) {
        put_file(in.p, in.n);
    } else if (mode == 2) {
        put_wrapped(in.p, in.n);
    } else {
        uint8_t *b = malloc(body_len);
        if (!b)
            abort();
        memcpy(b, body, body_len);
        unsigned n = fin_u8(&in);
        pristine = n == 0;
        for (unsigned i = 0; i < n; i++) {
            uint32_t off = fin_u32(&in) % body_len;
            b[off] ^= fin_u8(&in);
        }
        uint32_t cut = fin_u32(&in);
        size_t len = cut ? cut % body_len : body_len;
        pristine &= !cut;
        put_wrapped(b, len);
        free(b);
    }
    uint64_t h = virt_state_hash(m);
    unsigned w = disk_writes;
    char err[256] = "";
    if (virt_loadvm(m, path, err, sizeof err) < 0) {
        if (pristine || !err[0] || strchr(err, '\n') || virt_state_hash(m) != h || disk_writes != w) {
            fprintf(stderr, "fuzz_snapshot: bad refusal: %s\n", err);
            abort();
        }
        return 0;
    }
    /* loaded: it saves again; then back to the healthy machine */
    if (virt_savevm(m, again, err, sizeof err) < 0) {
        fprintf(stderr, "fuzz_snapshot: a loaded machine does not save: %s\n", err);
        abort();
    }
    if (virt_loadvm(m, healthy, err, sizeof err) < 0) {
        fprintf(stderr, "fuzz_snapshot: the healthy file does not load: %s\n", err);
        abort();
    }
    return 0;
}
