/* tests/unit/test_virtio_gpu.c: the virtio-gpu command parser, driven
 * through the transport-independent core: display info, EDID, the 2D
 * resource life cycle down to the pixels the display callback sees,
 * fences, the cursor queue, and hostile commands (unknown resource ids,
 * rectangles outside or overflowing, backing outside RAM or too short,
 * oversized resources and the memory cap, short and unknown commands,
 * missing or tiny response buffers) that must get error responses and
 * leave the device working. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "virtio/gpu.h"
#include "virtq_driver.h"

#define NUM 64

struct fx {
    struct tdrv t, cur;      /* control queue; cursor queue (same RAM) */
    struct virtio_dev *dev;
    uint16_t next, cnext;
    uint8_t resp[2048];
    uint32_t resp_len;
    /* what the display saw */
    unsigned scanouts, flushes, cursors;
    bool shown;
    struct virtio_gpu_surface surf;
    unsigned fx_, fy, fw, fh;
    bool cursor_shown;
    int cx, cy;
};

static void on_scanout(void *ctx, const struct virtio_gpu_surface *s)
{
    struct fx *f = ctx;
    f->scanouts++;
    /* the old surface must still be readable now (ASan checks) */
    if (f->shown) {
        volatile uint8_t sink = 0;
        for (unsigned y = 0; y < f->surf.height; y++)
            for (size_t x = 0; x < (size_t)f->surf.width * 4; x++)
                sink ^= f->surf.pixels[y * f->surf.stride + x];
        (void)sink;
    }
    f->shown = s != NULL;
    if (s)
        f->surf = *s;
}

static void on_flush(void *ctx, unsigned x, unsigned y, unsigned w, unsigned h)
{
    struct fx *f = ctx;
    f->flushes++;
    f->fx_ = x;
    f->fy = y;
    f->fw = w;
    f->fh = h;
}

static void on_cursor(void *ctx, const struct virtio_gpu_surface *img, unsigned hx, unsigned hy, int x, int y)
{
    struct fx *f = ctx;
    f->cursors++;
    f->cursor_shown = img != NULL;
    f->cx = x;
    f->cy = y;
}

static void q_irq(void *ctx, unsigned q) { }
static void c_irq(void *ctx) { }

static int setup_opts(void **state, uint64_t hostmem)
{
    struct fx *f = calloc(1, sizeof *f);
    td_init(&f->t, NUM);
    f->cur = f->t;
    f->cur.num = 16;
    f->cur.desc = TD_RAM_BASE + 0x80000;
    f->cur.avail = f->cur.desc + 16 * 16;
    f->cur.used = TD_RAM_BASE + 0x81000;
    struct virtio_gpu_options o = { .max_hostmem = hostmem };
    struct virtio_gpu_display d = { f, on_scanout, on_flush, on_cursor };
    f->dev = virtio_gpu_new(&f->t.bus, &o, &d);
    struct virtio_transport tr = { q_irq, c_irq, f };
    virtio_dev_attach(f->dev, &tr, "test", false);
    virtio_set_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    virtio_set_driver_features(f->dev, virtio_offered_features(f->dev));
    virtio_set_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    assert_true(virtio_queue_set_num(f->dev, 0, NUM));
    virtio_queue_set_addr(f->dev, 0, f->t.desc, f->t.avail, f->t.used);
    virtio_queue_set_ready(f->dev, 0, true);
    assert_true(virtio_queue_set_num(f->dev, 1, 16));
    virtio_queue_set_addr(f->dev, 1, f->cur.desc, f->cur.avail, f->cur.used);
    virtio_queue_set_ready(f->dev, 1, true);
    virtio_set_status(f->dev, 0xf);
    assert_true(virtio_dev_running(f->dev));
    *state = f;
    return 0;
}
static int setup(void **state) { return setup_opts(state, 0); }

static int teardown(void **state)
{
    struct fx *f = *state;
    virtio_dev_free(f->dev);
    td_free(&f->t);
    free(f);
    return 0;
}

/* Sends a command of clen bytes with a response buffer of rlen bytes (0:
 * none); returns the response type (0 when nothing was written). */
static uint32_t cmd(struct fx *f, const void *c, uint32_t clen, uint32_t rlen)
{
    uint64_t out = td_alloc(&f->t, clen), in = rlen ? td_alloc(&f->t, rlen) : 0;
    memcpy(td_ptr(&f->t, out), c, clen);
    if (rlen)
        memset(td_ptr(&f->t, in), 0xee, rlen);
    uint16_t h = f->next;
    f->next = (uint16_t)((f->next + 2) % NUM);
    td_desc(&f->t, h, out, clen, rlen ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)((h + 1) % NUM));
    if (rlen)
        td_desc(&f->t, (h + 1) % NUM, in, rlen, VIRTQ_DESC_F_WRITE, 0);
    uint16_t before = td_used_idx(&f->t);
    td_publish(&f->t, h);
    virtio_notify(f->dev, 0);
    assert_int_equal(td_used_idx(&f->t), (uint16_t)(before + 1));
    f->resp_len = td_used_len(&f->t, before);
    if (!rlen || f->resp_len < 4)
        return 0;
    memcpy(f->resp, td_ptr(&f->t, in), rlen < sizeof f->resp ? rlen : sizeof f->resp);
    return virtio_ld32(f->resp);
}

static void hdr(uint8_t *c, uint32_t type)
{
    memset(c, 0, 24);
    virtio_st32(c, type);
}

static uint32_t create(struct fx *f, uint32_t id, uint32_t fmt, uint32_t w, uint32_t h)
{
    uint8_t c[40];
    hdr(c, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D);
    virtio_st32(c + 24, id);
    virtio_st32(c + 28, fmt);
    virtio_st32(c + 32, w);
    virtio_st32(c + 36, h);
    return cmd(f, c, sizeof c, 24);
}

static uint32_t simple(struct fx *f, uint32_t type, uint32_t id)
{
    uint8_t c[32];
    hdr(c, type);
    virtio_st32(c + 24, id);
    virtio_st32(c + 28, 0);
    return cmd(f, c, sizeof c, 24);
}

/* ATTACH_BACKING with n entries {addr[i], len[i]}. */
static uint32_t attach(struct fx *f, uint32_t id, unsigned n, const uint64_t *addr, const uint32_t *len)
{
    uint8_t c[32 + 16 * 8];
    hdr(c, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING);
    virtio_st32(c + 24, id);
    virtio_st32(c + 28, n);
    for (unsigned i = 0; i < n; i++) {
        virtio_st64(c + 32 + 16 * i, addr[i]);
        virtio_st32(c + 40 + 16 * i, len[i]);
        virtio_st32(c + 44 + 16 * i, 0);
    }
    return cmd(f, c, 32 + 16 * n, 24);
}

static void rect(uint8_t *p, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    virtio_st32(p, x);
    virtio_st32(p + 4, y);
    virtio_st32(p + 8, w);
    virtio_st32(p + 12, h);
}

static uint32_t transfer(struct fx *f, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint64_t off)
{
    uint8_t c[56] = { 0 };
    hdr(c, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D);
    rect(c + 24, x, y, w, h);
    virtio_st64(c + 40, off);
    virtio_st32(c + 48, id);
    return cmd(f, c, sizeof c, 24);
}

static uint32_t scanout(struct fx *f, uint32_t sid, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    uint8_t c[48];
    hdr(c, VIRTIO_GPU_CMD_SET_SCANOUT);
    rect(c + 24, x, y, w, h);
    virtio_st32(c + 40, sid);
    virtio_st32(c + 44, id);
    return cmd(f, c, sizeof c, 24);
}

static uint32_t flush(struct fx *f, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    uint8_t c[48] = { 0 };
    hdr(c, VIRTIO_GPU_CMD_RESOURCE_FLUSH);
    rect(c + 24, x, y, w, h);
    virtio_st32(c + 40, id);
    return cmd(f, c, sizeof c, 24);
}

static void test_config_and_features(void **state)
{
    struct fx *f = *state;
    uint8_t cfg[16];
    virtio_config_read(f->dev, 0, cfg, sizeof cfg);
    assert_int_equal(virtio_ld32(cfg), 0);       /* events_read */
    assert_int_equal(virtio_ld32(cfg + 8), 1);   /* num_scanouts */
    assert_int_equal(virtio_ld32(cfg + 12), 0);  /* num_capsets */
    assert_true(virtio_offered_features(f->dev) & VIRTIO_BIT(VIRTIO_GPU_F_EDID));
    assert_false(virtio_offered_features(f->dev) & VIRTIO_BIT(VIRTIO_GPU_F_VIRGL));
    /* events_clear is write-1-to-clear; num_scanouts is read-only */
    uint8_t ones[4] = { 0xff, 0xff, 0xff, 0xff };
    virtio_config_write(f->dev, 4, ones, 4);
    virtio_config_write(f->dev, 8, ones, 4);
    virtio_config_read(f->dev, 0, cfg, sizeof cfg);
    assert_int_equal(virtio_ld32(cfg), 0);
    assert_int_equal(virtio_ld32(cfg + 8), 1);
}

static void test_display_info(void **state)
{
    struct fx *f = *state;
    uint8_t c[24];
    hdr(c, VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
    assert_int_equal(cmd(f, c, 24, 408), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
    assert_int_equal(f->resp_len, 408);
    assert_int_equal(virtio_ld32(f->resp + 24 + 8), 1024);
    assert_int_equal(virtio_ld32(f->resp + 24 + 12), 768);
    assert_int_equal(virtio_ld32(f->resp + 24 + 16), 1);
    assert_int_equal(virtio_ld32(f->resp + 48 + 16), 0);  /* scanout 1 disabled */
    /* a response buffer too small for the answer: ERR_UNSPEC */
    assert_int_equal(cmd(f, c, 24, 100), VIRTIO_GPU_RESP_ERR_UNSPEC);
    assert_int_equal(f->resp_len, 24);
}

static void test_edid(void **state)
{
    struct fx *f = *state;
    uint8_t c[32] = { 0 };
    hdr(c, VIRTIO_GPU_CMD_GET_EDID);
    assert_int_equal(cmd(f, c, 32, 1056), VIRTIO_GPU_RESP_OK_EDID);
    assert_int_equal(f->resp_len, 1056);
    assert_int_equal(virtio_ld32(f->resp + 24), 128);
    const uint8_t *e = f->resp + 32;
    static const uint8_t magic[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
    assert_memory_equal(e, magic, 8);
    unsigned sum = 0;
    for (int i = 0; i < 128; i++)
        sum += e[i];
    assert_int_equal(sum % 256, 0);
    assert_int_equal(e[18], 1);
    assert_int_equal(e[19], 4);
    /* preferred detailed timing: 1024 x 768 */
    assert_int_equal(e[56] | (e[58] >> 4) << 8, 1024);
    assert_int_equal(e[59] | (e[61] >> 4) << 8, 768);
    assert_true(e[54] | e[55]);
    /* a scanout that does not exist */
    virtio_st32(c + 24, 1);
    assert_int_equal(cmd(f, c, 32, 1056), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
}

static void test_edid_sizes(void **state)
{
    static const unsigned sizes[][2] = { { 16, 16 }, { 640, 480 }, { 1920, 1080 }, { 3840, 2160 }, { 4095, 4095 } };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        uint8_t e[128];
        virtio_gpu_make_edid(sizes[k][0], sizes[k][1], e);
        unsigned sum = 0;
        for (int i = 0; i < 128; i++)
            sum += e[i];
        assert_int_equal(sum % 256, 0);
        assert_int_equal(e[56] | (e[58] >> 4) << 8, sizes[k][0]);
        assert_int_equal(e[59] | (e[61] >> 4) << 8, sizes[k][1]);
        assert_true(e[54] | e[55]);
    }
}

/* The whole life of a 2D resource, as Linux's fbdev drives it. */
static void test_resource_to_screen(void **state)
{
    struct fx *f = *state;
    const unsigned W = 64, H = 32;
    assert_int_equal(create(f, 7, 2 /* B8G8R8X8 */, W, H), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(virtio_gpu_hostmem(f->dev), W * H * 4);
    /* backing in two pieces, apart in guest memory */
    uint64_t a = td_alloc(&f->t, 3000), gap = td_alloc(&f->t, 512), b = td_alloc(&f->t, W * H * 4 - 3000);
    (void)gap;
    for (unsigned i = 0; i < W * H * 4; i++)
        *td_ptr(&f->t, i < 3000 ? a + i : b + i - 3000) = (uint8_t)(i * 13 + 1);
    uint64_t addr[2] = { a, b };
    uint32_t len[2] = { 3000, W * H * 4 - 3000 };
    assert_int_equal(attach(f, 7, 2, addr, len), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(scanout(f, 0, 7, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(f->scanouts, 1);
    assert_true(f->shown);
    assert_int_equal(f->surf.width, W);
    assert_int_equal(f->surf.height, H);
    assert_int_equal(f->surf.stride, W * 4);
    assert_int_equal(f->surf.format, 2);
    /* nothing transferred yet: zeros */
    assert_int_equal(f->surf.pixels[0], 0);
    assert_int_equal(transfer(f, 7, 0, 0, W, H, 0), VIRTIO_GPU_RESP_OK_NODATA);
    for (unsigned i = 0; i < W * H * 4; i++)
        assert_int_equal(f->surf.pixels[i], (uint8_t)(i * 13 + 1));
    /* a partial transfer reads rows a stride apart from offset */
    for (unsigned i = 0; i < 3000; i++)
        *td_ptr(&f->t, a + i) = 0;
    for (unsigned i = 0; i < W * H * 4 - 3000; i++)
        *td_ptr(&f->t, b + i) = 0;
    assert_int_equal(transfer(f, 7, 8, 4, 4, 2, 4 * W * 4 + 8 * 4), VIRTIO_GPU_RESP_OK_NODATA);
    for (unsigned y = 0; y < H; y++)
        for (unsigned x = 0; x < W; x++) {
            unsigned i = (y * W + x) * 4;
            bool in = x >= 8 && x < 12 && y >= 4 && y < 6;
            assert_int_equal(f->surf.pixels[i], in ? 0 : (uint8_t)(i * 13 + 1));
        }
    assert_int_equal(flush(f, 7, 8, 4, 4, 2), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(f->flushes, 1);
    assert_int_equal(f->fx_, 8);
    assert_int_equal(f->fy, 4);
    assert_int_equal(f->fw, 4);
    assert_int_equal(f->fh, 2);
    /* a scanout showing part of the resource: flushes are clipped and moved */
    assert_int_equal(scanout(f, 0, 7, 16, 8, 32, 16), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(f->surf.width, 32);
    assert_int_equal(flush(f, 7, 0, 0, 20, 10), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(f->fx_, 0);
    assert_int_equal(f->fy, 0);
    assert_int_equal(f->fw, 4);
    assert_int_equal(f->fh, 2);
    unsigned before = f->flushes;
    assert_int_equal(flush(f, 7, 0, 0, 8, 8), VIRTIO_GPU_RESP_OK_NODATA);  /* outside the scanout */
    assert_int_equal(f->flushes, before);
    /* detach, unref: the scanout goes away, memory is given back */
    assert_int_equal(simple(f, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 7), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(transfer(f, 7, 0, 0, W, H, 0), VIRTIO_GPU_RESP_ERR_UNSPEC);
    assert_int_equal(simple(f, VIRTIO_GPU_CMD_RESOURCE_UNREF, 7), VIRTIO_GPU_RESP_OK_NODATA);
    assert_false(f->shown);
    assert_int_equal(virtio_gpu_hostmem(f->dev), 0);
    assert_int_equal(simple(f, VIRTIO_GPU_CMD_RESOURCE_UNREF, 7), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
}

static void test_fence_echo(void **state)
{
    struct fx *f = *state;
    uint8_t c[40] = { 0 };
    hdr(c, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D);
    virtio_st32(c + 4, VIRTIO_GPU_FLAG_FENCE);
    virtio_st64(c + 8, 0x1122334455667788ull);
    virtio_st32(c + 16, 5);
    virtio_st32(c + 24, 1);
    virtio_st32(c + 28, 1);
    virtio_st32(c + 32, 4);
    virtio_st32(c + 36, 4);
    assert_int_equal(cmd(f, c, 40, 24), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(virtio_ld32(f->resp + 4) & VIRTIO_GPU_FLAG_FENCE, VIRTIO_GPU_FLAG_FENCE);
    assert_true(virtio_ld64(f->resp + 8) == 0x1122334455667788ull);
    /* without the flag, no fence id comes back */
    virtio_st32(c + 4, 0);
    virtio_st32(c + 24, 2);
    assert_int_equal(cmd(f, c, 40, 24), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(virtio_ld32(f->resp + 4), 0);
    assert_true(virtio_ld64(f->resp + 8) == 0);
}

static void test_hostile_ids_and_params(void **state)
{
    struct fx *f = *state;
    uint64_t ba = td_alloc(&f->t, 4096);
    uint32_t bl = 4096;
    /* unknown resource ids everywhere */
    assert_int_equal(attach(f, 99, 1, &ba, &bl), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    assert_int_equal(simple(f, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 99), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    assert_int_equal(transfer(f, 99, 0, 0, 1, 1, 0), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    assert_int_equal(flush(f, 99, 0, 0, 1, 1), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    assert_int_equal(scanout(f, 0, 99, 0, 0, 1, 1), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    assert_int_equal(simple(f, VIRTIO_GPU_CMD_RESOURCE_UNREF, 0), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    /* create: id 0, duplicate, bad format, zero and oversized sizes */
    assert_int_equal(create(f, 0, 2, 4, 4), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    assert_int_equal(create(f, 1, 2, 16, 16), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(create(f, 1, 2, 16, 16), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    assert_int_equal(create(f, 2, 0, 4, 4), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    assert_int_equal(create(f, 2, 5, 4, 4), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    assert_int_equal(create(f, 2, 2, 0, 4), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    assert_int_equal(create(f, 2, 2, 4, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    assert_int_equal(create(f, 2, 2, 16385, 1), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    assert_int_equal(create(f, 2, 2, 0xffffffffu, 0xffffffffu), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    /* 16384 x 16384 x 4 = 1 GiB: above the 256 MiB cap, nothing allocated */
    assert_int_equal(create(f, 2, 2, 16384, 16384), VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
    assert_int_equal(virtio_gpu_hostmem(f->dev), 16 * 16 * 4);
    /* rectangles outside the resource, including ones that overflow */
    assert_int_equal(flush(f, 1, 0, 0, 17, 1), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    assert_int_equal(flush(f, 1, 0xffffffffu, 0, 2, 1), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    assert_int_equal(flush(f, 1, 0, 0xfffffff0u, 1, 0x20), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    assert_int_equal(scanout(f, 0, 1, 8, 8, 9, 8), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    assert_int_equal(scanout(f, 0, 1, 0, 0, 0, 8), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    assert_int_equal(scanout(f, 1, 1, 0, 0, 16, 16), VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
    assert_int_equal(scanout(f, 0xffffffffu, 1, 0, 0, 16, 16), VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
    assert_int_equal(f->scanouts, 0);
    /* transfers: no backing yet, rect outside, then backing too short */
    assert_int_equal(transfer(f, 1, 0, 0, 16, 16, 0), VIRTIO_GPU_RESP_ERR_UNSPEC);
    uint32_t short_len = 100;
    assert_int_equal(attach(f, 1, 1, &ba, &short_len), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(attach(f, 1, 1, &ba, &bl), VIRTIO_GPU_RESP_ERR_UNSPEC);  /* already attached */
    assert_int_equal(transfer(f, 1, 0, 0, 17, 1, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    assert_int_equal(transfer(f, 1, 0, 0, 16, 16, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    assert_int_equal(transfer(f, 1, 0, 0, 5, 1, 0), VIRTIO_GPU_RESP_OK_NODATA);   /* 20 of 100 bytes */
    assert_int_equal(transfer(f, 1, 0, 1, 16, 1, 64), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    assert_int_equal(transfer(f, 1, 0, 0, 4, 1, 90), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    assert_int_equal(transfer(f, 1, 0, 0, 4, 1, 0xffffffffffffff00ull), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    assert_int_equal(transfer(f, 1, 0, 0, 4, 1, 84), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(simple(f, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 1), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(simple(f, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 1), VIRTIO_GPU_RESP_ERR_UNSPEC);
    assert_true(virtio_dev_running(f->dev));
}

static void test_hostile_backing(void **state)
{
    struct fx *f = *state;
    assert_int_equal(create(f, 3, 2, 16, 16), VIRTIO_GPU_RESP_OK_NODATA);
    /* outside RAM, straddling its end, wrapping the address space */
    uint64_t addr[3] = { 0x1000, TD_RAM_BASE + TD_RAM_SIZE - 16, 0xfffffffffffff000ull };
    uint32_t len[3] = { 1024, 32, 0x2000 };
    for (int i = 0; i < 3; i++)
        assert_int_equal(attach(f, 3, 1, &addr[i], &len[i]), VIRTIO_GPU_RESP_ERR_UNSPEC);
    /* one good entry and one bad: refused as a whole */
    uint64_t mix[2] = { td_alloc(&f->t, 512), 0x1000 };
    uint32_t mixl[2] = { 512, 512 };
    assert_int_equal(attach(f, 3, 2, mix, mixl), VIRTIO_GPU_RESP_ERR_UNSPEC);
    /* nr_entries: zero, larger than the command holds, absurd */
    uint8_t c[48] = { 0 };
    hdr(c, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING);
    virtio_st32(c + 24, 3);
    virtio_st32(c + 28, 0);
    assert_int_equal(cmd(f, c, 32, 24), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    virtio_st32(c + 28, 2);
    virtio_st64(c + 32, mix[0]);
    virtio_st32(c + 40, 512);
    assert_int_equal(cmd(f, c, 48, 24), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    virtio_st32(c + 28, 0xffffffffu);
    assert_int_equal(cmd(f, c, 48, 24), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    /* still usable */
    assert_int_equal(attach(f, 3, 1, mix, mixl), VIRTIO_GPU_RESP_OK_NODATA);
    assert_true(virtio_dev_running(f->dev));
}

static void test_malformed_commands(void **state)
{
    struct fx *f = *state;
    uint8_t c[64] = { 0 };
    /* shorter than its type needs */
    hdr(c, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D);
    virtio_st32(c + 24, 5);
    assert_int_equal(cmd(f, c, 24, 24), VIRTIO_GPU_RESP_ERR_UNSPEC);
    assert_int_equal(cmd(f, c, 39, 24), VIRTIO_GPU_RESP_ERR_UNSPEC);
    assert_int_equal(virtio_gpu_hostmem(f->dev), 0);
    hdr(c, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D);
    assert_int_equal(cmd(f, c, 50, 24), VIRTIO_GPU_RESP_ERR_UNSPEC);
    /* no header at all */
    assert_int_equal(cmd(f, c, 8, 24), VIRTIO_GPU_RESP_ERR_UNSPEC);
    /* unknown and unsupported types (3D, capsets, cursor on the control queue) */
    static const uint32_t bad[] = { 0, 0x0108, 0x0109, 0x010c, 0x0200, 0x0300, 0x1100, 0xffffffffu };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hdr(c, bad[i]);
        assert_int_equal(cmd(f, c, 64, 24), VIRTIO_GPU_RESP_ERR_UNSPEC);
    }
    /* longer than needed is fine */
    hdr(c, VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
    assert_int_equal(cmd(f, c, 64, 408), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
    /* no room for a response: consumed, nothing written, device fine */
    hdr(c, VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
    assert_int_equal(cmd(f, c, 24, 0), 0);
    assert_int_equal(f->resp_len, 0);
    assert_int_equal(cmd(f, c, 24, 16), 0);
    assert_int_equal(f->resp_len, 0);
    assert_int_equal(cmd(f, c, 24, 408), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
    assert_true(virtio_dev_running(f->dev));
}

static void test_memory_cap(void **state)
{
    struct fx *f = *state;   /* 1 MiB cap */
    assert_int_equal(create(f, 1, 2, 256, 256), VIRTIO_GPU_RESP_OK_NODATA);   /* 256 KiB */
    assert_int_equal(create(f, 2, 2, 512, 384), VIRTIO_GPU_RESP_OK_NODATA);   /* 768 KiB */
    assert_int_equal(create(f, 3, 2, 1, 1), VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
    assert_int_equal(simple(f, VIRTIO_GPU_CMD_RESOURCE_UNREF, 1), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(create(f, 3, 2, 256, 256), VIRTIO_GPU_RESP_OK_NODATA);
    /* a reset frees everything, after the display let go of it */
    assert_int_equal(scanout(f, 0, 3, 0, 0, 256, 256), VIRTIO_GPU_RESP_OK_NODATA);
    assert_true(f->shown);
    virtio_reset(f->dev);
    assert_false(f->shown);
    assert_int_equal(virtio_gpu_hostmem(f->dev), 0);
}
static int setup_small(void **state) { return setup_opts(state, 1 << 20); }

static void test_many_resources(void **state)
{
    struct fx *f = *state;
    unsigned ok = 0;
    for (uint32_t id = 1; id <= VIRTIO_GPU_MAX_RESOURCES + 8; id++) {
        f->t.heap = TD_HEAP;   /* reuse the buffers: each command is done at once */
        uint32_t r = create(f, id, 2, 1, 1);
        if (r == VIRTIO_GPU_RESP_OK_NODATA)
            ok++;
        else
            assert_int_equal(r, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
    }
    assert_int_equal(ok, VIRTIO_GPU_MAX_RESOURCES);
}

static void cursor_cmd(struct fx *f, uint32_t type, uint32_t id, int x, int y)
{
    uint8_t c[56] = { 0 };
    hdr(c, type);
    virtio_st32(c + 28, (uint32_t)x);
    virtio_st32(c + 32, (uint32_t)y);
    virtio_st32(c + 40, id);
    uint64_t out = td_alloc(&f->t, sizeof c);
    memcpy(td_ptr(&f->t, out), c, sizeof c);
    uint16_t h = f->cnext;
    f->cnext = (uint16_t)((f->cnext + 1) % 16);
    td_desc(&f->cur, h, out, sizeof c, 0, 0);
    uint16_t before = td_used_idx(&f->cur);
    td_publish(&f->cur, h);
    virtio_notify(f->dev, 1);
    assert_int_equal(td_used_idx(&f->cur), (uint16_t)(before + 1));
}

static void test_cursor(void **state)
{
    struct fx *f = *state;
    assert_int_equal(create(f, 9, 1, 64, 64), VIRTIO_GPU_RESP_OK_NODATA);
    cursor_cmd(f, VIRTIO_GPU_CMD_UPDATE_CURSOR, 9, 10, 20);
    assert_int_equal(f->cursors, 1);
    assert_true(f->cursor_shown);
    cursor_cmd(f, VIRTIO_GPU_CMD_MOVE_CURSOR, 0, 30, 40);
    assert_int_equal(f->cursors, 2);
    assert_true(f->cursor_shown);
    assert_int_equal(f->cx, 30);
    assert_int_equal(f->cy, 40);
    /* unknown resource: hidden; junk type: ignored */
    cursor_cmd(f, VIRTIO_GPU_CMD_UPDATE_CURSOR, 1234, 0, 0);
    assert_false(f->cursor_shown);
    cursor_cmd(f, 0x777, 9, 0, 0);
    assert_int_equal(f->cursors, 3);
    /* unref of the cursor's resource hides it */
    cursor_cmd(f, VIRTIO_GPU_CMD_UPDATE_CURSOR, 9, 1, 1);
    assert_true(f->cursor_shown);
    assert_int_equal(simple(f, VIRTIO_GPU_CMD_RESOURCE_UNREF, 9), VIRTIO_GPU_RESP_OK_NODATA);
    assert_false(f->cursor_shown);
}

/* 20000 commands with random fields, biased towards small ids and
 * sizes so that many succeed and later ones hit live resources: every one
 * gets a response, the device keeps running, memory accounting stays
 * within the cap (ASan/UBSan builds check the host accesses). */
static void test_random_commands(void **state)
{
    struct fx *f = *state;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    static const uint32_t types[] = {
        VIRTIO_GPU_CMD_GET_DISPLAY_INFO, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, VIRTIO_GPU_CMD_RESOURCE_UNREF,
        VIRTIO_GPU_CMD_SET_SCANOUT, VIRTIO_GPU_CMD_RESOURCE_FLUSH, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D,
        VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, VIRTIO_GPU_CMD_GET_EDID,
    };
    uint64_t pool = td_alloc(&f->t, 64 * 1024);
    /* live, backed resources to start from */
    for (uint32_t id = 1; id <= 5; id++) {
        uint32_t len = 64 * 64 * 4;
        assert_int_equal(create(f, id, 2, 64, 64), VIRTIO_GPU_RESP_OK_NODATA);
        assert_int_equal(attach(f, id, 1, &pool, &len), VIRTIO_GPU_RESP_OK_NODATA);
    }
    uint64_t heap = f->t.heap;
    for (int i = 0; i < 20000; i++) {
        uint8_t c[64];
        for (int k = 0; k < 64; k += 8) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            memcpy(c + k, &seed, 8);
        }
        uint32_t r = (uint32_t)(seed >> 32);
        virtio_st32(c, types[r % (sizeof types / sizeof types[0])]);
        if (r & 0x100)
            virtio_st32(c + 24, 1 + r % 5);                 /* a small resource id */
        if (r & 0x200) {                                    /* small rects / sizes / formats */
            virtio_st32(c + 28, (r & 0x400) ? 2 : (r >> 3) % 64);
            virtio_st32(c + 32, (r >> 5) % 80);
            virtio_st32(c + 36, (r >> 9) % 80);
            virtio_st32(c + 40, (r >> 13) % 3 ? (r >> 13) % 70 : 0);
            virtio_st32(c + 44, 1 + (r >> 17) % 5);
        }
        if (virtio_ld32(c) == VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING && (r & 0x800)) {
            virtio_st32(c + 28, 2);                         /* two entries, in or near RAM */
            virtio_st64(c + 32, (r & 0x1000) ? pool + (r >> 20) % 4096 : TD_RAM_BASE + TD_RAM_SIZE - (r >> 20) % 8192);
            virtio_st32(c + 40, (r >> 8) % 40000);
            virtio_st64(c + 48, pool + 32768);
            virtio_st32(c + 56, (r >> 4) % 32768);
        }
        uint32_t t = virtio_ld32(c);
        bool rect_cmd = t == VIRTIO_GPU_CMD_SET_SCANOUT || t == VIRTIO_GPU_CMD_RESOURCE_FLUSH ||
                        t == VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D;
        if (rect_cmd && (r & 0x100)) {                      /* small rect, a live id in its place */
            rect(c + 24, (r >> 3) % 40, (r >> 7) % 40, (r >> 11) % 60, (r >> 17) % 60);
            unsigned at = t == VIRTIO_GPU_CMD_SET_SCANOUT ? 44 : t == VIRTIO_GPU_CMD_RESOURCE_FLUSH ? 40 : 48;
            virtio_st32(c + at, 1 + r % 5);
            if (t == VIRTIO_GPU_CMD_SET_SCANOUT)
                virtio_st32(c + 40, (r & 0x10000) ? 1 : 0);
            if (t == VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D)
                virtio_st64(c + 40, (r & 0x2000) ? (r >> 6) % 20000 : 0);
        }
        uint32_t clen = i % 7 == 0 ? 8 + (r >> 24) % 57 : 64;     /* some truncated */
        uint32_t rlen = i % 11 == 0 ? (r >> 16) % 64 : 1056;     /* some without room */
        f->t.heap = heap;
        uint32_t resp = cmd(f, c, clen, rlen);
        if (rlen >= 24)
            assert_true((resp >= VIRTIO_GPU_RESP_OK_NODATA && resp <= VIRTIO_GPU_RESP_OK_EDID) ||
                        (resp >= VIRTIO_GPU_RESP_ERR_UNSPEC && resp <= VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER));
        else
            assert_int_equal(f->resp_len, 0);
        assert_true(virtio_gpu_hostmem(f->dev) <= VIRTIO_GPU_DEFAULT_HOSTMEM);
        assert_true(virtio_dev_running(f->dev));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_config_and_features, setup, teardown),
        cmocka_unit_test_setup_teardown(test_display_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edid, setup, teardown),
        cmocka_unit_test(test_edid_sizes),
        cmocka_unit_test_setup_teardown(test_resource_to_screen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fence_echo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_ids_and_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_backing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_cap, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_many_resources, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cursor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_commands, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
