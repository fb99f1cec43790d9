/* tests/fuzz/fuzz_gpu.c: virtio-gpu commands built from the input, through
 * the real device and real queues (control 0, cursor 1). Each command is a
 * header (any type, flags, fence) and a body of fields that are mostly
 * plausible (small resource ids, the eight formats, small sizes) and
 * sometimes anything: resource create/unref, attach backing with scatter
 * lists pointing anywhere (heap, rings, past the end of RAM, any 64-bit
 * address), transfers with any rectangle and offset, set_scanout, flush,
 * EDID, display info, cursor updates; the command may be cut short, split
 * across segments, and the response buffer may be too small or missing.
 *
 * The display callbacks read every pixel of every surface and flushed
 * rectangle they are given, so ASan checks that what the device hands the
 * board really lies inside its host buffers. Resources are capped at 4 MiB
 * of host memory to keep runs fast. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/gpu.h"
#include "fuzz_input.h"
#include "fuzz_ring.h"

struct shown {
    struct virtio_gpu_surface s;
    bool on;
    unsigned sum;
};

static unsigned read_rect(const struct virtio_gpu_surface *s, unsigned x, unsigned y, unsigned w, unsigned h)
{
    unsigned sum = 0;
    for (unsigned r = y; r < y + h; r++)
        for (unsigned c = x * 4; c < (x + w) * 4; c += 61)   /* a sample per cache line */
            sum += s->pixels[r * s->stride + c];
    for (unsigned r = y; h && r < y + h; r += h - 1 ? h - 1 : 1) {   /* first and last bytes */
        sum += s->pixels[r * s->stride + x * 4];
        sum += s->pixels[r * s->stride + (x + w) * 4 - 1];
        if (h == 1)
            break;
    }
    return sum;
}

static void on_scanout(void *ctx, const struct virtio_gpu_surface *s)
{
    struct shown *d = ctx;
    d->on = s != NULL;
    if (s) {
        d->s = *s;
        d->sum += read_rect(s, 0, 0, s->width, s->height);
    }
}

static void on_flush(void *ctx, unsigned x, unsigned y, unsigned w, unsigned h)
{
    struct shown *d = ctx;
    if (!d->on || x + w > d->s.width || y + h > d->s.height || x + w < x || y + h < y) {
        fprintf(stderr, "fuzz_gpu: flush %u,%u %ux%u outside the scanout\n", x, y, w, h);
        abort();
    }
    d->sum += read_rect(&d->s, x, y, w, h);
}

static void on_cursor(void *ctx, const struct virtio_gpu_surface *img, unsigned hx, unsigned hy, int x, int y)
{
    if (img)
        ((struct shown *)ctx)->sum += read_rect(img, 0, 0, img->width, img->height);
}

/* A 32-bit field: mostly small, sometimes 16-bit, sometimes anything. */
static uint32_t field(struct fin *in)
{
    uint8_t m = fin_u8(in);
    if (m < 0xa0)
        return m % 8;
    if (m < 0xf0)
        return fin_u16(in) % 300;
    return fin_u32(in);
}

static const uint32_t formats[] = { 1, 2, 3, 4, 67, 68, 121, 134 };

/* Builds one command at p (up to max bytes); returns its length. */
static unsigned command(struct fring *f, struct fin *in, uint8_t *p, unsigned max, unsigned *q)
{
    uint8_t t = fin_u8(in);
    uint32_t type = t < 0xf0 ? 0x100u + t % 11 : t < 0xf8 ? 0x300u + t % 2 : fin_u32(in);
    *q = type >= 0x300 && type < 0x400;
    memset(p, 0, max);
    virtio_st32(p, type);
    virtio_st32(p + 4, fin_u8(in) & 3);      /* FENCE, INFO_RING_IDX */
    virtio_st64(p + 8, fin_u8(in));
    unsigned len = VIRTIO_GPU_HDR_SIZE;
    if (type == VIRTIO_GPU_CMD_RESOURCE_CREATE_2D) {
        uint8_t fm = fin_u8(in);
        virtio_st32(p + 24, field(in));
        virtio_st32(p + 28, fm < 0xf0 ? formats[fm % 8] : fin_u32(in));
        virtio_st32(p + 32, field(in));
        virtio_st32(p + 36, field(in));
        len += 16;
    } else if (type == VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING) {
        unsigned n = fin_u8(in) % 6;
        virtio_st32(p + 24, field(in));
        virtio_st32(p + 28, fin_u8(in) < 0xf8 ? n : fin_u32(in));
        len += 8;
        for (unsigned i = 0; i < n && len + 16 <= max; i++, len += 16) {
            uint32_t l = fin_u8(in) < 0xe0 ? 4u * field(in) * field(in) : fin_u32(in);
            virtio_st64(p + len, fr_buf(f, in, l));
            virtio_st32(p + len + 8, l);
        }
    } else {
        /* Everything else is a run of 32-bit fields (rectangles, ids,
         * offsets, scanout ids, cursor positions). */
        unsigned n = fin_u8(in) % 12;
        for (unsigned i = 0; i < n; i++, len += 4)
            virtio_st32(p + len, field(in));
    }
    if (fin_u8(in) >= 0xf0)
        len = fin_u8(in) % (len + 1);      /* cut short */
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fin in = { data, size };
    struct fring f;
    fr_init(&f);
    /* Pixel-ish RAM to transfer from. */
    memset(f.ram + FR_HEAP, 0x5a, FR_RAM_SIZE - FR_HEAP);
    struct shown shown = { 0 };
    struct virtio_gpu_options o = { 16 + fin_u8(&in) * 8, 16 + fin_u8(&in) * 8, 4u << 20 };
    struct virtio_gpu_display disp = { &shown, on_scanout, on_flush, on_cursor };
    struct virtio_dev *dev = virtio_gpu_new(&f.bus, &o, &disp);
    if (!dev)
        abort();
    fr_start(&f, dev, 2, ~0ull);

    uint8_t cmd[24 + 8 + 6 * 16 + 64];
    for (unsigned n = 0; in.n && n < 64 && virtio_dev_running(dev); n++) {
        unsigned q;
        unsigned len = command(&f, &in, cmd, sizeof cmd, &q);
        /* The command in one or two readable segments, then a response
         * buffer of some size (or none). */
        struct fr_seg s[3];
        unsigned ns = 0, split = fin_u8(&in) >= 0xe0 ? fin_u8(&in) % (len + 1) : len;
        s[ns++] = (struct fr_seg){ fr_alloc(&f, split), split, false };
        if (split < len)
            s[ns++] = (struct fr_seg){ fr_alloc(&f, len - split), len - split, false };
        memcpy(fr_ptr(&f, s[0].addr, split), cmd, split);
        if (split < len)
            memcpy(fr_ptr(&f, s[1].addr, len - split), cmd + split, len - split);
        uint8_t r = fin_u8(&in);
        if (r < 0xf0) {
            uint32_t rl = r < 0xc0 ? 24 + 8 + 1024 : r % 200;   /* EDID fits */
            s[ns++] = (struct fr_seg){ fr_alloc(&f, rl), rl, true };
        }
        fr_chain(&f, q, s, ns, fin_u8(&in) >= 0xf0);
        virtio_notify(dev, q);
        if (fin_u8(&in) >= 0xfc)
            virtio_reset(dev), fr_start(&f, dev, 2, ~0ull), memset(f.avail_idx, 0, sizeof f.avail_idx),
                memset(f.next_desc, 0, sizeof f.next_desc);
    }
    virtio_dev_free(dev);
    fr_free(&f);
    return 0;
}
