/* virtio/blk.c: the virtio block device. */
#include "virtio/blk.h"
#include "bus/device.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_QUEUE 256
#define MAX_DISCARD_SECTORS (1u << 22)   /* 2 GiB per segment */
#define MAX_DISCARD_SEGS 32u
#define CONFIG_LEN 60                    /* through write_zeroes_may_unmap */

/* virtio_blk_config offsets */
enum {
    CFG_CAPACITY = 0,
    CFG_SEG_MAX = 12,
    CFG_BLK_SIZE = 20,
    CFG_MAX_DISCARD_SECTORS = 36,
    CFG_MAX_DISCARD_SEG = 40,
    CFG_DISCARD_ALIGN = 44,
    CFG_MAX_WZ_SECTORS = 48,
    CFG_MAX_WZ_SEG = 52,
    CFG_WZ_MAY_UNMAP = 56,
};

struct blk {
    struct virtio_dev vdev;
    struct virtio_blk_backend be;
    char serial[VIRTIO_BLK_ID_BYTES];
    uint64_t sectors;
    struct virtq_elem elem;
    struct iovec iov[VIRTQ_MAX_SIZE];
};

static struct blk *to_blk(struct virtio_dev *d)
{
    return (struct blk *)d;
}

static uint64_t blk_features(struct virtio_dev *d)
{
    struct blk *b = to_blk(d);
    uint64_t f = VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
                 VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
    if (b->be.readonly)
        f |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
    else
        f |= VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) | VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
    return f;
}

/* Fills iov with host pointers to `len` bytes of the element's out
 * (writable=false) or in segments starting at byte `off`. Returns the
 * number of iovecs, or -1 if RAM vanished (cannot happen after a pop). */
static int map_iov(struct blk *b, bool writable, uint64_t off, uint64_t len)
{
    const struct virtq_elem *e = &b->elem;
    unsigned first = writable ? e->n_out : 0, n = writable ? e->n_in : e->n_out;
    int cnt = 0;
    for (unsigned i = first; i < first + n && len; i++) {
        const struct virtq_seg *s = &e->seg[i];
        if (off >= s->len) {
            off -= s->len;
            continue;
        }
        uint64_t chunk = s->len - off;
        if (chunk > len)
            chunk = len;
        void *p = writable ? bus_dma_w(b->vdev.bus, s->addr + off, chunk)
                           : bus_dma(b->vdev.bus, s->addr + off, chunk);
        if (!p)
            return -1;
        b->iov[cnt].iov_base = p;
        b->iov[cnt].iov_len = (size_t)chunk;
        cnt++;
        len -= chunk;
        off = 0;
    }
    return len ? -1 : cnt;
}

/* [sector, sector + bytes/512) inside the disk? */
static bool in_range(const struct blk *b, uint64_t sector, uint64_t bytes)
{
    return sector <= b->sectors && bytes / VIRTIO_BLK_SECTOR <= b->sectors - sector;
}

static uint8_t rw(struct blk *b, bool write, uint64_t sector, uint64_t data_len, uint32_t *written)
{
    if (data_len % VIRTIO_BLK_SECTOR || !in_range(b, sector, data_len))
        return VIRTIO_BLK_S_IOERR;
    if (write && b->be.readonly)
        return VIRTIO_BLK_S_IOERR;
    if (data_len == 0)
        return VIRTIO_BLK_S_OK;
    int cnt = map_iov(b, !write, write ? 16 : 0, data_len);
    if (cnt < 0)
        return VIRTIO_BLK_S_IOERR;
    int r = write ? b->be.pwritev(b->be.ctx, b->iov, cnt, sector * VIRTIO_BLK_SECTOR)
                  : b->be.preadv(b->be.ctx, b->iov, cnt, sector * VIRTIO_BLK_SECTOR);
    if (r < 0)
        return VIRTIO_BLK_S_IOERR;
    if (!write)
        *written = (uint32_t)data_len;
    return VIRTIO_BLK_S_OK;
}

/* DISCARD and WRITE_ZEROES: an array of {le64 sector, le32 num, le32 flags}. */
static uint8_t discard_or_zero(struct blk *b, uint32_t type, uint64_t data_len)
{
    bool zero = type == VIRTIO_BLK_T_WRITE_ZEROES;
    if (b->be.readonly)
        return VIRTIO_BLK_S_IOERR;
    if (data_len == 0 || data_len % 16 || data_len / 16 > MAX_DISCARD_SEGS)
        return VIRTIO_BLK_S_UNSUPP;
    for (uint64_t i = 0; i < data_len / 16; i++) {
        uint8_t seg[16];
        if (virtio_elem_read(&b->vdev, &b->elem, 16 + 16 * i, seg, 16) != 16)
            return VIRTIO_BLK_S_IOERR;
        uint64_t sector = virtio_ld64(seg);
        uint32_t num = virtio_ld32(seg + 8), flags = virtio_ld32(seg + 12);
        bool unmap = flags & 1;
        /* Unknown flags, or unmap on a discard (5.2.6.2), are unsupported. */
        if ((flags & ~1u) || (unmap && !zero))
            return VIRTIO_BLK_S_UNSUPP;
        if (num > MAX_DISCARD_SECTORS || !in_range(b, sector, (uint64_t)num * VIRTIO_BLK_SECTOR))
            return VIRTIO_BLK_S_IOERR;
        uint64_t off = sector * VIRTIO_BLK_SECTOR, len = (uint64_t)num * VIRTIO_BLK_SECTOR;
        if (len == 0)
            continue;
        int r = zero ? b->be.write_zeroes(b->be.ctx, off, len, unmap) : b->be.discard(b->be.ctx, off, len);
        if (r < 0)
            return VIRTIO_BLK_S_IOERR;
    }
    return VIRTIO_BLK_S_OK;
}

/* Serves one request; false when the device had to give up (NEEDS_RESET). */
static bool handle(struct blk *b)
{
    struct virtq_elem *e = &b->elem;
    uint8_t hdr[16];
    if (e->out_len < sizeof hdr || e->in_len < 1) {
        virtio_dev_fail(&b->vdev, "request %u has no room for its header or status byte", e->head);
        return false;
    }
    if (virtio_elem_read(&b->vdev, e, 0, hdr, sizeof hdr) != (long)sizeof hdr) {
        virtio_dev_fail(&b->vdev, "request %u: header not readable", e->head);
        return false;
    }
    uint32_t type = virtio_ld32(hdr);
    uint64_t sector = virtio_ld64(hdr + 8);
    uint64_t in_data = e->in_len - 1, out_data = e->out_len - sizeof hdr;
    uint32_t written = 0;
    uint8_t status;
    switch (type) {
    case VIRTIO_BLK_T_IN:
        status = rw(b, false, sector, in_data, &written);
        break;
    case VIRTIO_BLK_T_OUT:
        status = rw(b, true, sector, out_data, &written);
        break;
    case VIRTIO_BLK_T_FLUSH:
        status = b->be.flush(b->be.ctx) < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
        break;
    case VIRTIO_BLK_T_GET_ID: {
        size_t n = in_data < VIRTIO_BLK_ID_BYTES ? (size_t)in_data : VIRTIO_BLK_ID_BYTES;
        long w = virtio_elem_write(&b->vdev, e, 0, b->serial, n);
        status = w == (long)n ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
        written = (uint32_t)n;
        break;
    }
    case VIRTIO_BLK_T_DISCARD:
    case VIRTIO_BLK_T_WRITE_ZEROES:
        status = discard_or_zero(b, type, out_data);
        break;
    default:
        status = VIRTIO_BLK_S_UNSUPP;
        break;
    }
    virtio_elem_write(&b->vdev, e, e->in_len - 1, &status, 1);
    virtio_push(&b->vdev, 0, e, written + 1);
    return true;
}

static void blk_notify(struct virtio_dev *d, unsigned q)
{
    struct blk *b = to_blk(d);
    bool any = false;
    while (virtio_pop(d, 0, &b->elem) > 0) {
        if (!handle(b))
            return;
        any = true;
    }
    if (any)
        virtio_queue_done(d, 0);
}

static void blk_free(struct virtio_dev *d)
{
    free(to_blk(d));
}

static const struct virtio_device_ops blk_ops = {
    .features = blk_features,
    .queue_notify = blk_notify,
    .free = blk_free,
};

struct virtio_dev *virtio_blk_new(struct bus *bus, const struct virtio_blk_backend *be,
                                  const struct virtio_blk_options *opt)
{
    struct blk *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    unsigned qs = opt && opt->queue_size ? opt->queue_size : DEFAULT_QUEUE;
    if (qs < 4 || qs > VIRTQ_MAX_SIZE || (qs & (qs - 1)))
        qs = DEFAULT_QUEUE;
    uint16_t qmax[1] = { (uint16_t)qs };
    virtio_dev_init(&b->vdev, &blk_ops, bus, "virtio-blk", VIRTIO_ID_BLOCK, 1, qmax, CONFIG_LEN);
    b->be = *be;
    if (opt && opt->serial) /* not NUL-terminated when 20 bytes long (5.2.6) */
        memcpy(b->serial, opt->serial, strnlen(opt->serial, sizeof b->serial));
    b->sectors = be->size / VIRTIO_BLK_SECTOR;
    uint32_t bs = be->block_size >= VIRTIO_BLK_SECTOR ? be->block_size : VIRTIO_BLK_SECTOR;
    uint8_t *c = b->vdev.config;
    virtio_st64(c + CFG_CAPACITY, b->sectors);
    /* header and status take two descriptors of a chain no longer than the queue */
    virtio_st32(c + CFG_SEG_MAX, qs - 2);
    virtio_st32(c + CFG_BLK_SIZE, bs);
    virtio_st32(c + CFG_MAX_DISCARD_SECTORS, MAX_DISCARD_SECTORS);
    virtio_st32(c + CFG_MAX_DISCARD_SEG, MAX_DISCARD_SEGS);
    virtio_st32(c + CFG_DISCARD_ALIGN, bs / VIRTIO_BLK_SECTOR);
    virtio_st32(c + CFG_MAX_WZ_SECTORS, MAX_DISCARD_SECTORS);
    virtio_st32(c + CFG_MAX_WZ_SEG, MAX_DISCARD_SEGS);
    c[CFG_WZ_MAY_UNMAP] = 1;
    return &b->vdev;
}

/* ---- the device type (bus/device.h) ---- */

static const char *check_serial(const char *v)
{
    return strlen(v) > VIRTIO_BLK_ID_BYTES ? "at most 20 characters" : NULL;
}

static const struct device_option blk_options[] = {
    { .name = "drive", .type = DEVOPT_DRIVE, .arg = "ID", .help = "the -drive ...,id=ID holding the image",
      .required = true },
    { .name = "serial", .type = DEVOPT_STR, .arg = "STRING",
      .help = "serial number the guest reads (GET_ID), up to 20 characters",
      .check = check_serial },
    { .name = "queue-size", .type = DEVOPT_U64, .arg = "N", .help = "virtqueue size", .def = "256",
      .min = 4, .max = VIRTQ_MAX_SIZE, .pow2 = true },
    DEVOPT_END,
};

static int blk_create(struct device_instance *in, const struct device_args *a, char *err, size_t errlen)
{
    struct virtio_blk_options o = { .serial = device_opt(a, "serial") };
    uint64_t qs;
    if (device_opt_u64(a, "queue-size", &qs))
        o.queue_size = (unsigned)qs;
    in->vdev = virtio_blk_new(a->bus, a->drive->backend, &o);
    return in->vdev ? 0 : errf(err, errlen, "out of memory");
}

DEVICE_TYPE(virtio_blk) = {
    .name = "virtio-blk",
    .help = "block device on a -drive (drive=ID)",
    .kind = DEVICE_VIRTIO,
    .options = blk_options,
    .create = blk_create,
};
