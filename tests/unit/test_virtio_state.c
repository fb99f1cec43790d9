/* tests/unit/test_virtio_state.c: save/load of every virtio device over
 * bus/state.h, busy: each device is saved with work in flight (requests
 * on the avail ring that the device has not consumed yet, a frame or
 * events waiting for guest buffers, resources and a scanout), loaded into
 * a fresh instance made with the same options, saved again (byte for
 * byte), and the loaded instance must finish the work: the used ring gets
 * the right entries and the data is right. Every truncation of each stream
 * must fail cleanly, and hostile values (a queue size that is not a power
 * of two, rings outside RAM, indices past a buffer) are refused.
 *
 * rivet's devices complete a request inside the notify that pops it, so
 * "in flight" between two CPU slices means published on the avail ring and
 * not consumed yet (last_avail behind avail->idx), or waiting inside the
 * device (net's frame, input's events, rng's host-entropy request). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <cmocka.h>

#include "fixture.h"
#include "virtio/blk.h"
#include "virtio/console.h"
#include "virtio/gpu.h"
#include "virtio/input.h"
#include "virtio/net.h"
#include "virtio/rng.h"

#define NUM 16

static void dev_save(void *d, struct state *st) { virtio_dev_state(d, st); }
static void dev_load(void *d, struct state *st) { virtio_dev_state(d, st); }
static void dev_drop(void *d) { virtio_dev_free(d); }

/* The round trip of the contract; returns the loaded device (attached to
 * f's counting transport) and frees the busy one. */
static struct virtio_dev *reload(struct fx_virtio *f, struct virtio_dev *busy, void *(*make)(void *), void *ctx)
{
    struct state saved = fx_save(dev_save, busy);
    struct virtio_dev *fresh = make(ctx);
    assert_non_null(fresh);
    fx_virtio_attach(f, fresh);
    fx_roundtrip(dev_save, dev_load, &saved, fresh);
    fx_truncations_fail(dev_load, &saved, make, dev_drop, ctx);
    state_free(&saved);
    virtio_dev_free(busy);
    return fresh;
}

/* ---- virtio-blk ---- */

static uint8_t disk[64 << 10];
static int mem_preadv(void *ctx, const struct iovec *iov, int n, uint64_t off)
{
    for (int i = 0; i < n; i++) {
        if (off + iov[i].iov_len > sizeof disk)
            return -1;
        memcpy(iov[i].iov_base, disk + off, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    return 0;
}
static int mem_pwritev(void *ctx, const struct iovec *iov, int n, uint64_t off)
{
    for (int i = 0; i < n; i++) {
        if (off + iov[i].iov_len > sizeof disk)
            return -1;
        memcpy(disk + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    return 0;
}
static int mem_flush(void *ctx) { return 0; }
static const struct virtio_blk_backend mem_disk = {
    .size = sizeof disk, .block_size = 512, .preadv = mem_preadv, .pwritev = mem_pwritev, .flush = mem_flush,
};
static struct fx_virtio fxb;
static void *make_blk(void *ctx)
{
    struct virtio_blk_options o = { .serial = "state" };
    return virtio_blk_new(fx_bus(&fxb), &mem_disk, &o);
}

/* A request at descriptors 3i..3i+2: header, data, status. */
static void blk_request(struct tdrv *t, unsigned i, uint32_t type, uint64_t sector, uint64_t data, uint64_t status)
{
    uint64_t hdr = td_alloc(t, 16);
    td_st32(t, hdr, type);
    td_st32(t, hdr + 4, 0);
    td_st64(t, hdr + 8, sector);
    td_desc(t, 3 * i, hdr, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(3 * i + 1));
    td_desc(t, 3 * i + 1, data, 512, VIRTQ_DESC_F_NEXT | (type == 0 ? VIRTQ_DESC_F_WRITE : 0), (uint16_t)(3 * i + 2));
    td_desc(t, 3 * i + 2, status, 1, VIRTQ_DESC_F_WRITE, 0);
    td_publish(t, (uint16_t)(3 * i));
}

static void test_blk(void **state)
{
    struct fx_virtio *f = &fxb;
    fx_virtio_init(f, 1, NUM);
    for (unsigned i = 0; i < sizeof disk; i++)
        disk[i] = (uint8_t)(i * 7 + 3);
    struct virtio_dev *a = make_blk(NULL);
    fx_virtio_attach(f, a);
    fx_virtio_up(f, a);
    struct tdrv *t = &f->q[0];
    /* one request done, then a read and a write in flight */
    uint64_t d0 = td_alloc(t, 512), s0 = td_alloc(t, 1), d1 = td_alloc(t, 512), s1 = td_alloc(t, 1);
    uint64_t d2 = td_alloc(t, 512), s2 = td_alloc(t, 1);
    blk_request(t, 0, 0, 1, d0, s0);
    virtio_notify(a, 0);
    assert_int_equal(td_used_idx(t), 1);
    blk_request(t, 1, 0, 5, d1, s1);              /* read sector 5 */
    memset(td_ptr(t, d2), 0xa5, 512);
    blk_request(t, 2, 1, 9, d2, s2);              /* write sector 9 */
    *td_ptr(t, s1) = *td_ptr(t, s2) = 0xff;
    td_set_used_event(t, 2);                      /* EVENT_IDX: interrupt once past entry 2 */
    struct virtio_dev *b = reload(f, a, make_blk, NULL);
    assert_int_equal(td_used_idx(t), 1);          /* nothing completed by the round trip */
    virtio_notify(b, 0);
    assert_int_equal(td_used_idx(t), 3);
    assert_int_equal(td_used_id(t, 1), 3);
    assert_int_equal(td_used_len(t, 1), 513);
    assert_int_equal(td_used_id(t, 2), 6);
    assert_int_equal(*td_ptr(t, s1), 0);
    assert_int_equal(*td_ptr(t, s2), 0);
    assert_memory_equal(td_ptr(t, d1), disk + 5 * 512, 512);
    for (unsigned i = 0; i < 512; i++)
        assert_int_equal(disk[9 * 512 + i], 0xa5);
    assert_int_equal(f->irqs[0], 2);
    virtio_dev_free(b);
    fx_virtio_free(f);
}

/* ---- virtio-console ---- */

static struct fx_virtio fxc;
static uint8_t con_out[64];
static size_t con_len;
static void con_write(void *ctx, const uint8_t *buf, size_t len)
{
    memcpy(con_out + con_len, buf, len);
    con_len += len;
}
static void *make_console(void *ctx)
{
    struct virtio_console_port p = { con_write, NULL };
    return virtio_console_new(fx_bus(&fxc), &p);
}

static void test_console(void **state)
{
    struct fx_virtio *f = &fxc;
    fx_virtio_init(f, 2, NUM);
    con_len = 0;
    struct virtio_dev *a = make_console(NULL);
    fx_virtio_attach(f, a);
    fx_virtio_up(f, a);
    struct tdrv *rx = &f->q[0], *tx = &f->q[1];
    /* a receive buffer posted, output queued and not yet notified */
    uint64_t in = td_alloc(rx, 16), out = td_alloc(tx, 5);
    td_desc(rx, 0, in, 16, VIRTQ_DESC_F_WRITE, 0);
    td_publish(rx, 0);
    memcpy(td_ptr(tx, out), "hello", 5);
    td_desc(tx, 4, out, 5, 0, 0);
    td_publish(tx, 4);
    struct virtio_dev *b = reload(f, a, make_console, NULL);
    assert_int_equal(con_len, 0);
    virtio_notify(b, 1);
    assert_int_equal(con_len, 5);
    assert_memory_equal(con_out, "hello", 5);
    assert_int_equal(td_used_idx(tx), 1);
    assert_int_equal(td_used_id(tx, 0), 4);
    assert_int_equal(virtio_console_receive(b, (const uint8_t *)"hi", 2), 2);
    assert_int_equal(td_used_idx(rx), 1);
    assert_int_equal(td_used_len(rx, 0), 2);
    assert_memory_equal(td_ptr(rx, in), "hi", 2);
    virtio_dev_free(b);
    fx_virtio_free(f);
}

/* ---- virtio-rng ---- */

static struct fx_virtio fxr;
static void *make_rng(void *ctx)
{
    uint64_t seed = 42;
    return virtio_rng_new(fx_bus(&fxr), &seed);
}

static void test_rng(void **state)
{
    struct fx_virtio *f = &fxr;
    fx_virtio_init(f, 1, NUM);
    struct virtio_dev *a = make_rng(NULL);
    fx_virtio_attach(f, a);
    fx_virtio_up(f, a);
    struct tdrv *t = &f->q[0];
    uint64_t x = td_alloc(t, 32);
    td_desc(t, 0, x, 32, VIRTQ_DESC_F_WRITE, 0);
    td_publish(t, 0);
    virtio_notify(a, 0);                           /* the generator moves on */
    uint64_t y = td_alloc(t, 32);
    td_desc(t, 1, y, 32, VIRTQ_DESC_F_WRITE, 0);
    td_publish(t, 1);                              /* in flight */
    struct state s = fx_save(dev_save, a);
    virtio_notify(a, 0);                           /* what the original makes of it */
    uint8_t want[32];
    memcpy(want, td_ptr(t, y), 32);
    memset(td_ptr(t, y), 0, 32);
    struct virtio_dev *b = make_rng(NULL);
    fx_virtio_attach(f, b);
    fx_roundtrip(dev_save, dev_load, &s, b);
    fx_truncations_fail(dev_load, &s, make_rng, dev_drop, NULL);
    state_free(&s);
    virtio_dev_free(a);
    td_st16(t, t->used + 2, 1);                     /* the used ring as at the save */
    virtio_notify(b, 0);
    assert_int_equal(td_used_idx(t), 2);
    assert_int_equal(td_used_id(t, 1), 1);
    assert_int_equal(td_used_len(t, 1), 32);
    assert_memory_equal(td_ptr(t, y), want, 32);
    virtio_dev_free(b);
    fx_virtio_free(f);
}

/* ---- virtio-net ---- */

static struct fx_virtio fxn;
static uint8_t sent[2048];
static size_t sent_len;
static int net_send(void *ctx, const void *frame, size_t len)
{
    memcpy(sent, frame, len);
    sent_len = len;
    return 0;
}
static const struct virtio_net_backend net_be = { .send = net_send };
static void *make_net(void *ctx)
{
    struct virtio_net_options o = { .mac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 }, .queue_size = NUM };
    return virtio_net_new(fx_bus(&fxn), &net_be, &o);
}

static void test_net(void **state)
{
    struct fx_virtio *f = &fxn;
    fx_virtio_init(f, 3, NUM);
    sent_len = 0;
    struct virtio_dev *a = make_net(NULL);
    fx_virtio_attach(f, a);
    fx_virtio_up(f, a);
    struct tdrv *rx = &f->q[0], *tx = &f->q[1];
    /* a frame arrives before any receive buffer: it waits in the device */
    uint8_t frame[60];
    for (unsigned i = 0; i < sizeof frame; i++)
        frame[i] = (uint8_t)(i + 1);
    assert_true(virtio_net_receive(a, frame, sizeof frame));
    assert_false(virtio_net_can_receive(a));
    /* a frame to send, published, not notified */
    uint64_t out = td_alloc(tx, 12 + 42);
    memset(td_ptr(tx, out), 0, 12);
    memset(td_ptr(tx, out + 12), 0x33, 42);
    td_desc(tx, 0, out, 12 + 42, 0, 0);
    td_publish(tx, 0);
    struct virtio_dev *b = reload(f, a, make_net, NULL);
    assert_false(virtio_net_can_receive(b));       /* the frame still waits */
    uint64_t in = td_alloc(rx, 1514 + 12);
    td_desc(rx, 0, in, 1514 + 12, VIRTQ_DESC_F_WRITE, 0);
    td_publish(rx, 0);
    virtio_notify(b, 0);
    assert_int_equal(td_used_idx(rx), 1);
    assert_int_equal(td_used_len(rx, 0), 12 + sizeof frame);
    assert_memory_equal(td_ptr(rx, in + 12), frame, sizeof frame);
    virtio_notify(b, 1);
    assert_int_equal(sent_len, 42);
    assert_int_equal(sent[41], 0x33);
    assert_int_equal(td_used_idx(tx), 1);
    assert_int_equal(virtio_net_stats(b).rx_frames, 1);
    virtio_dev_free(b);
    fx_virtio_free(f);
}

/* ---- virtio-gpu ---- */

static struct fx_virtio fxg;
struct shown {
    const struct virtio_gpu_surface *s;
    struct virtio_gpu_surface copy;
    unsigned flushes, sets;
};
static struct shown shown;
static void set_scanout(void *ctx, const struct virtio_gpu_surface *s)
{
    shown.sets++;
    shown.s = s ? &shown.copy : NULL;
    if (s)
        shown.copy = *s;
}
static void flush(void *ctx, unsigned x, unsigned y, unsigned w, unsigned h) { shown.flushes++; }
static void *make_gpu(void *ctx)
{
    struct virtio_gpu_options o = { 0 };
    struct virtio_gpu_display d = { .set_scanout = set_scanout, .flush = flush };
    return virtio_gpu_new(fx_bus(&fxg), &o, &d);
}

/* A control command at descriptors 2i (command) and 2i+1 (response). */
static uint64_t gpu_cmd(struct tdrv *t, unsigned i, const uint32_t *words, unsigned n)
{
    uint64_t c = td_alloc(t, 4ull * n), r = td_alloc(t, 64);
    memset(td_ptr(t, c), 0, 4ull * n);
    memcpy(td_ptr(t, c), words, 4ull * n);
    td_desc(t, 2 * i, c, 4 * n, VIRTQ_DESC_F_NEXT, (uint16_t)(2 * i + 1));
    td_desc(t, 2 * i + 1, r, 64, VIRTQ_DESC_F_WRITE, 0);
    td_publish(t, (uint16_t)(2 * i));
    return r;
}

static void test_gpu(void **state)
{
    struct fx_virtio *f = &fxg;
    fx_virtio_init(f, 2, NUM);
    memset(&shown, 0, sizeof shown);
    struct virtio_dev *a = make_gpu(NULL);
    fx_virtio_attach(f, a);
    fx_virtio_up(f, a);
    struct tdrv *t = &f->q[0];
    uint64_t px = td_alloc(t, 8 * 8 * 4);
    for (unsigned i = 0; i < 256; i++)
        td_ptr(t, px)[i] = (uint8_t)i;
    uint32_t create[10] = { VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 0, 0, 0, 0, 0, 7, 1, 8, 8 };
    uint32_t attach[12] = { VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0, 0, 0, 0, 0, 7, 1,
                            (uint32_t)px, (uint32_t)(px >> 32), 256, 0 };
    uint32_t scan[12] = { VIRTIO_GPU_CMD_SET_SCANOUT, 0, 0, 0, 0, 0, 0, 0, 8, 8, 0, 7 };
    gpu_cmd(t, 0, create, 10);
    gpu_cmd(t, 1, attach, 12);
    gpu_cmd(t, 2, scan, 12);
    virtio_notify(a, 0);
    assert_int_equal(td_used_idx(t), 3);
    assert_int_equal(shown.sets, 1);
    /* in flight: a transfer of the backing into the resource, a flush */
    uint32_t xfer[14] = { VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, 0, 0, 0, 0, 0, 0, 0, 8, 8, 0, 0, 7, 0 };
    uint32_t fl[12] = { VIRTIO_GPU_CMD_RESOURCE_FLUSH, 0, 0, 0, 0, 0, 0, 0, 8, 8, 7, 0 };
    uint64_t r1 = gpu_cmd(t, 3, xfer, 14), r2 = gpu_cmd(t, 4, fl, 12);
    memset(&shown, 0, sizeof shown);
    struct virtio_dev *b = reload(f, a, make_gpu, NULL);
    assert_non_null(shown.s);                      /* the loaded scanout is shown again */
    assert_int_equal(shown.copy.width, 8);
    virtio_notify(b, 0);
    assert_int_equal(td_used_idx(t), 5);
    assert_int_equal(td_used_id(t, 3), 6);
    assert_int_equal(td_used_id(t, 4), 8);
    assert_int_equal(td_ld32(t, r1), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(td_ld32(t, r2), VIRTIO_GPU_RESP_OK_NODATA);
    assert_int_equal(shown.flushes, 1);
    assert_non_null(shown.s);
    assert_memory_equal(shown.copy.pixels, td_ptr(t, px), 256);
    virtio_dev_free(b);
    fx_virtio_free(f);
}

/* A resource whose backing left RAM, a scanout outside its resource: the
 * load is refused and the fresh device stays empty. */
static void test_gpu_hostile(void **state)
{
    struct fx_virtio *f = &fxg;
    fx_virtio_init(f, 2, NUM);
    struct virtio_dev *a = make_gpu(NULL);
    fx_virtio_attach(f, a);
    fx_virtio_up(f, a);
    struct tdrv *t = &f->q[0];
    uint64_t px = td_alloc(t, 256);
    uint32_t create[10] = { VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 0, 0, 0, 0, 0, 3, 1, 8, 8 };
    uint32_t attach[12] = { VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0, 0, 0, 0, 0, 3, 1,
                            (uint32_t)px, (uint32_t)(px >> 32), 256, 0 };
    gpu_cmd(t, 0, create, 10);
    gpu_cmd(t, 1, attach, 12);
    virtio_notify(a, 0);
    struct state s = fx_save(dev_save, a);
    /* the backing address, as saved, moved past the end of RAM */
    uint64_t want = px, bad = TD_RAM_BASE + TD_RAM_SIZE;
    uint8_t *hit = NULL;
    for (size_t i = 0; i + 8 <= s.len; i++)
        if (!memcmp(s.buf + i, &want, 8))
            hit = s.buf + i;
    assert_non_null(hit);
    memcpy(hit, &bad, 8);
    struct virtio_dev *b = make_gpu(NULL);
    fx_virtio_attach(f, b);
    struct state in;
    state_init_load(&in, s.buf, s.len);
    virtio_dev_state(b, &in);
    assert_false(state_ok(&in, true));
    assert_non_null(strstr(in.why, "outside RAM"));
    state_free(&s);
    virtio_dev_free(a);
    virtio_dev_free(b);
    fx_virtio_free(f);
}

/* ---- virtio-input ---- */

static struct fx_virtio fxi;
static void *make_kbd(void *ctx) { return virtio_input_new(fx_bus(&fxi), VIRTIO_INPUT_KEYBOARD, NULL); }

static void test_input(void **state)
{
    struct fx_virtio *f = &fxi;
    fx_virtio_init(f, 2, NUM);
    struct virtio_dev *a = make_kbd(NULL);
    fx_virtio_attach(f, a);
    fx_virtio_up(f, a);
    /* the driver reads the name (select 1) ... */
    uint8_t sel = 1;
    virtio_config_write(a, 0, &sel, 1);
    /* ... and key presses arrive before any event buffer */
    struct virtio_input_event ev = { 1, 30, 1 };
    assert_true(virtio_input_send(a, &ev, 1));
    assert_int_equal(virtio_input_pending(a), 2);
    struct virtio_dev *b = reload(f, a, make_kbd, NULL);
    assert_int_equal(virtio_input_pending(b), 2);
    uint8_t name[4];
    virtio_config_read(b, 8, name, 4);
    assert_memory_equal(name, "QEMU", 4);
    struct tdrv *t = &f->q[0];
    uint64_t e0 = td_alloc(t, 8), e1 = td_alloc(t, 8);
    td_desc(t, 0, e0, 8, VIRTQ_DESC_F_WRITE, 0);
    td_desc(t, 1, e1, 8, VIRTQ_DESC_F_WRITE, 0);
    td_publish(t, 0);
    td_publish(t, 1);
    virtio_notify(b, 0);
    assert_int_equal(td_used_idx(t), 2);
    assert_int_equal(td_used_len(t, 0), 8);
    assert_int_equal(td_ld16(t, e0), 1);           /* EV_KEY */
    assert_int_equal(td_ld16(t, e0 + 2), 30);
    assert_int_equal(td_ld32(t, e0 + 4), 1);
    assert_int_equal(td_ld16(t, e1), 0);           /* SYN_REPORT */
    assert_int_equal(virtio_input_pending(b), 0);
    virtio_dev_free(b);
    fx_virtio_free(f);
}

/* ---- the common part: hostile streams ---- */

/* Saves a (running) rng, patches a field's payload in the stream (after
 * `skip` bytes: 4 for a byte string's length), loads. */
static bool load_patched_at(struct fx_virtio *f, const char *field, size_t skip, const void *val, size_t len)
{
    struct virtio_dev *a = make_rng(NULL);
    fx_virtio_attach(f, a);
    fx_virtio_up(f, a);
    struct state s = fx_save(dev_save, a);
    /* a field is tagged: type, name length, name, payload */
    size_t nl = strlen(field);
    uint8_t *p = NULL;
    for (size_t i = 0; i + nl + 1 < s.len; i++)
        if (s.buf[i] == nl && !memcmp(s.buf + i + 1, field, nl)) {
            p = s.buf + i + 1 + nl;
            break;
        }
    assert_non_null(p);
    memcpy(p + skip, val, len);
    struct virtio_dev *b = make_rng(NULL);
    fx_virtio_attach(f, b);
    struct state in;
    state_init_load(&in, s.buf, s.len);
    virtio_dev_state(b, &in);
    bool ok = state_ok(&in, true);
    if (!ok) /* a refused load leaves a reset device */
        assert_int_equal(virtio_get_status(b), 0);
    state_free(&s);
    virtio_dev_free(a);
    virtio_dev_free(b);
    return ok;
}

static bool load_patched(struct fx_virtio *f, const char *field, const void *val, size_t len)
{
    return load_patched_at(f, field, 0, val, len);
}

static void test_hostile_common(void **state)
{
    struct fx_virtio *f = &fxr;
    fx_virtio_init(f, 1, NUM);
    uint16_t num = 6, big = 2048, ok = 8;
    assert_false(load_patched(f, "num", &num, 2));          /* not a power of two */
    assert_false(load_patched(f, "num", &big, 2));          /* past the maximum */
    assert_true(load_patched(f, "num", &ok, 2));
    uint64_t out = TD_RAM_BASE + TD_RAM_SIZE, odd = TD_RAM_BASE + 0x1001;
    assert_false(load_patched(f, "desc", &out, 8));         /* rings outside RAM */
    assert_false(load_patched(f, "used", &out, 8));
    assert_false(load_patched(f, "desc", &odd, 8));         /* misaligned */
    uint32_t id = 2;
    assert_false(load_patched(f, "device_id", &id, 4));     /* another device */
    uint8_t zero[32] = { 0 };
    assert_false(load_patched_at(f, "xoshiro", 4, zero, 32)); /* a dead generator */
    /* the avail index may be anything: it is the guest's, checked at pop */
    uint16_t la = 0xfff0;
    assert_true(load_patched(f, "last_avail", &la, 2));
    fx_virtio_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blk),   cmocka_unit_test(test_console), cmocka_unit_test(test_rng),
        cmocka_unit_test(test_net),   cmocka_unit_test(test_gpu),     cmocka_unit_test(test_gpu_hostile),
        cmocka_unit_test(test_input), cmocka_unit_test(test_hostile_common),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
