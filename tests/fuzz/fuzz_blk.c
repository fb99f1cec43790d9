/* tests/fuzz/fuzz_blk.c: virtio-blk requests of every shape against a
 * 64 KiB in-memory disk. The input chooses the features, a read-only disk
 * or not, and then batches of requests: any type (IN, OUT, FLUSH, GET_ID,
 * DISCARD, WRITE_ZEROES or a raw number), any sector, 1..8 segments of any
 * length and direction (header split across segments, status byte missing
 * or in a readable segment, buffers overlapping the rings or outside RAM),
 * direct or indirect chains, then a notify.
 *
 * Checked besides ASan/UBSan: the device never asks the backend for a byte
 * outside the disk, never writes to a read-only disk, uses every chain it
 * was given unless it went to NEEDS_RESET, and never reports more bytes
 * written than a chain can hold. (The disk is static, refilled per input.) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/blk.h"
#include "fuzz_input.h"
#include "fuzz_ring.h"

#define DISK (64u << 10)

struct memdisk {
    uint8_t data[DISK];
    bool readonly;
};

static void bug(const char *what)
{
    fprintf(stderr, "fuzz_blk: %s\n", what);
    abort();
}

static void check_range(struct memdisk *m, uint64_t off, uint64_t len, bool write)
{
    if (off > DISK || len > DISK - off)
        bug("backend access outside the disk");
    if (write && m->readonly)
        bug("write to a read-only disk");
}

static int md_rw(struct memdisk *m, bool write, const struct iovec *iov, int cnt, uint64_t off)
{
    for (int i = 0; i < cnt; i++) {
        check_range(m, off, iov[i].iov_len, write);
        if (write)
            memcpy(m->data + off, iov[i].iov_base, iov[i].iov_len);
        else
            memcpy(iov[i].iov_base, m->data + off, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    return 0;
}
static int md_preadv(void *ctx, const struct iovec *iov, int cnt, uint64_t off) { return md_rw(ctx, false, iov, cnt, off); }
static int md_pwritev(void *ctx, const struct iovec *iov, int cnt, uint64_t off) { return md_rw(ctx, true, iov, cnt, off); }
static int md_flush(void *ctx) { return 0; }
static int md_discard(void *ctx, uint64_t off, uint64_t len)
{
    check_range(ctx, off, len, true);
    memset(((struct memdisk *)ctx)->data + off, 0, len);
    return 0;
}
static int md_zeroes(void *ctx, uint64_t off, uint64_t len, bool unmap) { return md_discard(ctx, off, len); }

static const uint32_t types[] = {
    VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH, VIRTIO_BLK_T_GET_ID,
    VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_WRITE_ZEROES,
};

/* A length: mostly small, sometimes sector-sized, sometimes anything. */
static uint32_t seg_len(struct fin *in)
{
    uint8_t m = fin_u8(in);
    if (m < 0x80)
        return m % 33;
    if (m < 0xe0)
        return 512u * (1 + fin_u8(in) % 8) + (m & 1);
    return fin_u32(in);
}

/* One request: its segments, their bytes, published on queue 0. */
/* Returns the ring descriptors it took; *wild when a buffer may overlap
 * the rings (then the device's data may land on the used ring). */
static unsigned request(struct fring *f, struct fin *in, uint32_t *capacity, bool *wild)
{
    struct fr_seg s[8];
    unsigned n = 1 + fin_u8(in) % 8;
    uint8_t head[16];
    uint8_t t = fin_u8(in);
    virtio_st32(head, t < 0xf0 ? types[t % 6] : fin_u32(in));
    virtio_st32(head + 4, 0);
    uint8_t sm = fin_u8(in);
    virtio_st64(head + 8, sm < 0xc0 ? sm % (DISK / 512 + 4) : fin_u64(in));

    *capacity = 0;
    for (unsigned i = 0; i < n; i++) {
        uint8_t kind = fin_u8(in);
        s[i].len = i == 0 && kind < 0xf0 ? 16 : seg_len(in);
        s[i].addr = fr_buf(f, in, s[i].len);
        if (s[i].addr < FR_RAM_BASE + FR_HEAP || s[i].addr - FR_RAM_BASE >= FR_RAM_SIZE)
            *wild = true;
        s[i].write = i == n - 1 ? kind < 0xf0 : (kind & 1);
        if (s[i].write)
            *capacity += s[i].len;
        uint8_t *p = fr_ptr(f, s[i].addr, s[i].len);
        if (!p || s[i].write)
            continue;
        if (i == 0)
            memcpy(p, head, s[i].len < 16 ? s[i].len : 16);
        else /* payload: discard ranges, data */
            for (unsigned j = 0; j < s[i].len && j < 16; j++)
                p[j] = fin_u8(in);
    }
    bool indirect = fin_u8(in) >= 0xe0;
    fr_chain(f, 0, s, n, indirect);
    return indirect ? 1 : n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fin in = { data, size };
    struct fring f;
    fr_init(&f);
    static struct memdisk disk;
    memset(disk.data, 0xa5, sizeof disk.data);
    uint8_t cfg = fin_u8(&in);
    disk.readonly = cfg & 1;
    struct virtio_blk_backend be = {
        &disk, DISK, disk.readonly, (cfg & 2) ? 4096 : 512,
        md_preadv, md_pwritev, md_flush, md_discard, md_zeroes,
    };
    struct virtio_blk_options opt = { "fuzz-serial-0123456789", FR_NUM };
    struct virtio_dev *dev = virtio_blk_new(&f.bus, &be, &opt);
    if (!dev)
        abort();
    fr_start(&f, dev, 1, ~(uint64_t)fin_u32(&in));

    /* Once a buffer overlapped the rings, the device's data may have
     * landed on them (an avail idx bumped by a status byte makes the device
     * take a phantom request, and the next real one looks like old news):
     * the ring checks are off for the rest of the input. */
    bool wild = false;
    for (unsigned batch = 0; in.n && batch < 64; batch++) {
        unsigned k = 1 + fin_u8(&in) % 3;
        uint32_t cap[3];
        unsigned descs = 0;
        uint16_t before = fr_used_idx(&f, 0);
        for (unsigned i = 0; i < k; i++)
            descs += request(&f, &in, &cap[i], &wild);
        virtio_notify(dev, 0);
        if (!virtio_dev_running(dev))
            break;
        if (!wild && fr_used_idx(&f, 0) != (uint16_t)(before + k))
            bug("a request was left on the ring of a running device");
        /* (When the batch reused descriptors, a chain is not what we wrote;
         * when a buffer overlaps the rings, the used ring is not either.) */
        for (unsigned i = 0; i < k && descs <= FR_NUM && !wild; i++) {
            uint16_t slot = (uint16_t)(before + i) % FR_NUM;
            uint32_t len = virtio_ld32(fr_ptr(&f, fr_used_addr(0) + 8 + 8 * slot, 4));
            if (len > cap[i])
                bug("used length beyond the chain's writable bytes");
        }
    }
    virtio_dev_free(dev);
    fr_free(&f);
    return 0;
}
