/* tests/unit/test_virtio_blk.c: the virtio block device on an in-memory
 * backend, driven through the transport-independent core (no transport at
 * all): features and config, reads and writes (split and merged layouts),
 * FLUSH, GET_ID, DISCARD, WRITE_ZEROES, the error statuses (past the end,
 * not a multiple of 512, read-only, unknown type, host I/O error) and the
 * protocol error of a request without header or status byte. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "virtio/blk.h"
#include "virtq_driver.h"

#define DISK (1u << 20)
#define NUM 64

struct memdisk {
    uint8_t data[DISK];
    unsigned flushes, discards, zeroes;
    bool fail;
};

static int md_rw(struct memdisk *m, bool write, const struct iovec *iov, int cnt, uint64_t off)
{
    if (m->fail)
        return -EIO;
    for (int i = 0; i < cnt; i++) {
        assert_true(off + iov[i].iov_len <= DISK);
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
static int md_flush(void *ctx) { ((struct memdisk *)ctx)->flushes++; return 0; }
static int md_discard(void *ctx, uint64_t off, uint64_t len)
{
    struct memdisk *m = ctx;
    m->discards++;
    memset(m->data + off, 0, len);
    return 0;
}
static int md_zeroes(void *ctx, uint64_t off, uint64_t len, bool unmap)
{
    struct memdisk *m = ctx;
    m->zeroes++;
    memset(m->data + off, 0, len);
    return 0;
}

struct fx {
    struct tdrv t;
    struct memdisk *disk;
    struct virtio_blk_backend be;
    struct virtio_dev *dev;
    unsigned irqs, config_irqs;
    uint16_t next_desc;
};

static void q_irq(void *ctx, unsigned q) { ((struct fx *)ctx)->irqs++; }
static void c_irq(void *ctx) { ((struct fx *)ctx)->config_irqs++; }

static void bring_up(struct fx *f)
{
    virtio_set_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    virtio_set_driver_features(f->dev, virtio_offered_features(f->dev));
    virtio_set_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    assert_true(virtio_get_status(f->dev) & VIRTIO_STATUS_FEATURES_OK);
    assert_true(virtio_queue_set_num(f->dev, 0, NUM));
    virtio_queue_set_addr(f->dev, 0, f->t.desc, f->t.avail, f->t.used);
    virtio_queue_set_ready(f->dev, 0, true);
    virtio_set_status(f->dev, 0xf);
}

static int setup_ro(void **state, bool ro)
{
    struct fx *f = calloc(1, sizeof *f);
    td_init(&f->t, NUM);
    f->disk = calloc(1, sizeof *f->disk);
    for (unsigned i = 0; i < DISK; i++)
        f->disk->data[i] = (uint8_t)(i * 7 + i / 512);
    f->be = (struct virtio_blk_backend){ f->disk, DISK, ro, 4096, md_preadv, md_pwritev, md_flush, md_discard,
                                         md_zeroes };
    struct virtio_blk_options o = { .serial = "SN-1234", .queue_size = NUM };
    f->dev = virtio_blk_new(&f->t.bus, &f->be, &o);
    struct virtio_transport tr = { q_irq, c_irq, f };
    virtio_dev_attach(f->dev, &tr, "test", false);
    bring_up(f);
    *state = f;
    return 0;
}
static int setup(void **state) { return setup_ro(state, false); }
static int setup_readonly(void **state) { return setup_ro(state, true); }

static int teardown(void **state)
{
    struct fx *f = *state;
    virtio_dev_free(f->dev);
    td_free(&f->t);
    free(f->disk);
    free(f);
    return 0;
}

struct req {
    uint64_t hdr, data, status;
};

/* Builds header | data | status as three descriptors (data: out for
 * writes, in otherwise) and runs it. Returns the status byte. */
static uint8_t request(struct fx *f, uint32_t type, uint64_t sector, uint32_t len, bool data_in, struct req *r)
{
    r->hdr = td_alloc(&f->t, 16);
    r->data = len ? td_alloc(&f->t, len) : 0;
    r->status = td_alloc(&f->t, 1);
    td_st32(&f->t, r->hdr, type);
    td_st32(&f->t, r->hdr + 4, 0);
    td_st64(&f->t, r->hdr + 8, sector);
    *td_ptr(&f->t, r->status) = 0xee;
    uint16_t h = f->next_desc;
    f->next_desc = (uint16_t)((f->next_desc + 3) % (NUM - 2));
    if (len) {
        td_desc(&f->t, h, r->hdr, 16, VIRTQ_DESC_F_NEXT, h + 1);
        td_desc(&f->t, h + 1, r->data, len, VIRTQ_DESC_F_NEXT | (data_in ? VIRTQ_DESC_F_WRITE : 0), h + 2);
        td_desc(&f->t, h + 2, r->status, 1, VIRTQ_DESC_F_WRITE, 0);
    } else {
        td_desc(&f->t, h, r->hdr, 16, VIRTQ_DESC_F_NEXT, h + 1);
        td_desc(&f->t, h + 1, r->status, 1, VIRTQ_DESC_F_WRITE, 0);
    }
    td_publish(&f->t, h);
    virtio_notify(f->dev, 0);
    return *td_ptr(&f->t, r->status);
}

static void test_config(void **state)
{
    struct fx *f = *state;
    uint8_t c[60];
    virtio_config_read(f->dev, 0, c, sizeof c);
    assert_int_equal(virtio_ld64(c), DISK / 512);           /* capacity */
    assert_int_equal(virtio_ld32(c + 12), NUM - 2);         /* seg_max */
    assert_int_equal(virtio_ld32(c + 20), 4096);            /* blk_size */
    assert_true(virtio_ld32(c + 36) > 0);                   /* max_discard_sectors */
    assert_true(virtio_ld32(c + 40) > 0);                   /* max_discard_seg */
    assert_int_equal(virtio_ld32(c + 44), 8);               /* discard_sector_alignment */
    assert_true(virtio_ld32(c + 48) > 0);                   /* max_write_zeroes_sectors */
    assert_int_equal(c[56], 1);                             /* write_zeroes_may_unmap */
    uint64_t feat = virtio_offered_features(f->dev);
    assert_true(feat & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX));
    assert_true(feat & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE));
    assert_true(feat & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
    assert_true(feat & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD));
    assert_true(feat & VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES));
    assert_false(feat & VIRTIO_BIT(VIRTIO_BLK_F_RO));
    assert_int_equal(f->dev->device_id, 2);
}

static void test_read(void **state)
{
    struct fx *f = *state;
    struct req r;
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, 3, 4096, true, &r), VIRTIO_BLK_S_OK);
    assert_memory_equal(td_ptr(&f->t, r.data), f->disk->data + 3 * 512, 4096);
    assert_int_equal(td_used_idx(&f->t), 1);
    assert_int_equal(td_used_len(&f->t, 0), 4097);
    assert_int_equal(f->irqs, 1);
}

static void test_write(void **state)
{
    struct fx *f = *state;
    uint8_t buf[1024];
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(0xa5 ^ i);
    /* header and data merged in one descriptor, status separate (ANY_LAYOUT) */
    uint64_t hdr = td_alloc(&f->t, 16 + sizeof buf), st = td_alloc(&f->t, 1);
    td_st32(&f->t, hdr, VIRTIO_BLK_T_OUT);
    td_st64(&f->t, hdr + 8, 100);
    memcpy(td_ptr(&f->t, hdr + 16), buf, sizeof buf);
    td_desc(&f->t, 10, hdr, 16 + sizeof buf, VIRTQ_DESC_F_NEXT, 11);
    td_desc(&f->t, 11, st, 1, VIRTQ_DESC_F_WRITE, 0);
    td_publish(&f->t, 10);
    virtio_notify(f->dev, 0);
    assert_int_equal(*td_ptr(&f->t, st), VIRTIO_BLK_S_OK);
    assert_memory_equal(f->disk->data + 100 * 512, buf, sizeof buf);
    assert_int_equal(td_used_len(&f->t, 0), 1);
}

static void test_read_scattered_with_status_in_data(void **state)
{
    /* data in several segments, the status byte the last byte of the last one */
    struct fx *f = *state;
    uint64_t hdr = td_alloc(&f->t, 16), a = td_alloc(&f->t, 512), b = td_alloc(&f->t, 1024 + 1);
    td_st32(&f->t, hdr, VIRTIO_BLK_T_IN);
    td_st64(&f->t, hdr + 8, 7);
    td_desc(&f->t, 0, hdr, 16, VIRTQ_DESC_F_NEXT, 1);
    td_desc(&f->t, 1, a, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
    td_desc(&f->t, 2, b, 1025, VIRTQ_DESC_F_WRITE, 0);
    td_publish(&f->t, 0);
    virtio_notify(f->dev, 0);
    assert_int_equal(*td_ptr(&f->t, b + 1024), VIRTIO_BLK_S_OK);
    assert_memory_equal(td_ptr(&f->t, a), f->disk->data + 7 * 512, 512);
    assert_memory_equal(td_ptr(&f->t, b), f->disk->data + 8 * 512, 1024);
}

static void test_past_end(void **state)
{
    struct fx *f = *state;
    struct req r;
    uint64_t last = DISK / 512 - 1;
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, last, 512, true, &r), VIRTIO_BLK_S_OK);
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, last, 1024, true, &r), VIRTIO_BLK_S_IOERR);
    assert_int_equal(request(f, VIRTIO_BLK_T_OUT, last + 1, 512, false, &r), VIRTIO_BLK_S_IOERR);
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, UINT64_MAX, 512, true, &r), VIRTIO_BLK_S_IOERR);
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, UINT64_MAX / 512, 512, true, &r), VIRTIO_BLK_S_IOERR);
    /* the device still works after the errors */
    assert_int_equal(virtio_get_status(f->dev) & VIRTIO_STATUS_NEEDS_RESET, 0);
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, 0, 512, true, &r), VIRTIO_BLK_S_OK);
}

static void test_not_sector_multiple(void **state)
{
    struct fx *f = *state;
    struct req r;
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, 0, 100, true, &r), VIRTIO_BLK_S_IOERR);
    assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 0, 513, false, &r), VIRTIO_BLK_S_IOERR);
}

static void test_flush_and_get_id(void **state)
{
    struct fx *f = *state;
    struct req r;
    assert_int_equal(request(f, VIRTIO_BLK_T_FLUSH, 0, 0, false, &r), VIRTIO_BLK_S_OK);
    assert_int_equal(f->disk->flushes, 1);
    assert_int_equal(request(f, VIRTIO_BLK_T_GET_ID, 0, 20, true, &r), VIRTIO_BLK_S_OK);
    assert_memory_equal(td_ptr(&f->t, r.data), "SN-1234\0\0\0\0\0\0\0\0\0\0\0\0", 20);
}

static void test_unknown_type(void **state)
{
    struct fx *f = *state;
    struct req r;
    assert_int_equal(request(f, 99, 0, 0, false, &r), VIRTIO_BLK_S_UNSUPP);
}

static void test_host_error(void **state)
{
    struct fx *f = *state;
    struct req r;
    f->disk->fail = true;
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, 0, 512, true, &r), VIRTIO_BLK_S_IOERR);
}

static uint8_t discard_req(struct fx *f, uint32_t type, uint64_t sector, uint32_t num, uint32_t flags)
{
    uint64_t hdr = td_alloc(&f->t, 32), st = td_alloc(&f->t, 1);
    td_st32(&f->t, hdr, type);
    td_st64(&f->t, hdr + 8, 0);
    td_st64(&f->t, hdr + 16, sector);
    td_st32(&f->t, hdr + 24, num);
    td_st32(&f->t, hdr + 28, flags);
    td_desc(&f->t, 20, hdr, 32, VIRTQ_DESC_F_NEXT, 21);
    td_desc(&f->t, 21, st, 1, VIRTQ_DESC_F_WRITE, 0);
    td_publish(&f->t, 20);
    virtio_notify(f->dev, 0);
    return *td_ptr(&f->t, st);
}

static void test_discard_and_write_zeroes(void **state)
{
    struct fx *f = *state;
    static const uint8_t zero[2048];
    assert_int_equal(discard_req(f, VIRTIO_BLK_T_DISCARD, 8, 4, 0), VIRTIO_BLK_S_OK);
    assert_int_equal(f->disk->discards, 1);
    assert_memory_equal(f->disk->data + 8 * 512, zero, 2048);
    assert_int_equal(discard_req(f, VIRTIO_BLK_T_WRITE_ZEROES, 16, 2, 1), VIRTIO_BLK_S_OK);
    assert_int_equal(f->disk->zeroes, 1);
    assert_memory_equal(f->disk->data + 16 * 512, zero, 1024);
    assert_int_not_equal(f->disk->data[18 * 512 + 1], 0);
    /* unmap on a discard and unknown flags are unsupported; ranges checked */
    assert_int_equal(discard_req(f, VIRTIO_BLK_T_DISCARD, 8, 4, 1), VIRTIO_BLK_S_UNSUPP);
    assert_int_equal(discard_req(f, VIRTIO_BLK_T_WRITE_ZEROES, 8, 4, 2), VIRTIO_BLK_S_UNSUPP);
    assert_int_equal(discard_req(f, VIRTIO_BLK_T_DISCARD, DISK / 512 - 1, 2, 0), VIRTIO_BLK_S_IOERR);
    assert_int_equal(f->disk->discards, 1);
}

static void test_readonly(void **state)
{
    struct fx *f = *state;
    struct req r;
    uint8_t before[1024];
    memcpy(before, f->disk->data, sizeof before);
    assert_true(virtio_offered_features(f->dev) & VIRTIO_BIT(VIRTIO_BLK_F_RO));
    assert_false(virtio_offered_features(f->dev) & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD));
    assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 0, 1024, false, &r), VIRTIO_BLK_S_IOERR);
    assert_int_equal(discard_req(f, VIRTIO_BLK_T_WRITE_ZEROES, 0, 2, 0), VIRTIO_BLK_S_IOERR);
    assert_memory_equal(f->disk->data, before, sizeof before);
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, 0, 512, true, &r), VIRTIO_BLK_S_OK);
}

static void test_no_status_byte(void **state)
{
    struct fx *f = *state;
    uint64_t hdr = td_alloc(&f->t, 16);
    td_st32(&f->t, hdr, VIRTIO_BLK_T_IN);
    td_desc(&f->t, 0, hdr, 16, 0, 0);
    td_publish(&f->t, 0);
    virtio_notify(f->dev, 0);
    assert_true(virtio_get_status(f->dev) & VIRTIO_STATUS_NEEDS_RESET);
    assert_int_equal(f->config_irqs, 1);
}

static void test_short_header(void **state)
{
    struct fx *f = *state;
    uint64_t hdr = td_alloc(&f->t, 8), st = td_alloc(&f->t, 1);
    td_desc(&f->t, 0, hdr, 8, VIRTQ_DESC_F_NEXT, 1);
    td_desc(&f->t, 1, st, 1, VIRTQ_DESC_F_WRITE, 0);
    td_publish(&f->t, 0);
    virtio_notify(f->dev, 0);
    assert_true(virtio_get_status(f->dev) & VIRTIO_STATUS_NEEDS_RESET);
}

static void test_batch_one_interrupt(void **state)
{
    struct fx *f = *state;
    for (unsigned k = 0; k < 5; k++) {
        uint64_t hdr = td_alloc(&f->t, 16), d = td_alloc(&f->t, 512), st = td_alloc(&f->t, 1);
        td_st32(&f->t, hdr, VIRTIO_BLK_T_IN);
        td_st64(&f->t, hdr + 8, k);
        td_desc(&f->t, 3 * k, hdr, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(3 * k + 1));
        td_desc(&f->t, 3 * k + 1, d, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, (uint16_t)(3 * k + 2));
        td_desc(&f->t, 3 * k + 2, st, 1, VIRTQ_DESC_F_WRITE, 0);
        td_publish(&f->t, (uint16_t)(3 * k));
    }
    virtio_notify(f->dev, 0);
    assert_int_equal(td_used_idx(&f->t), 5);
    assert_int_equal(f->irqs, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_config), T(test_read), T(test_write), T(test_read_scattered_with_status_in_data), T(test_past_end),
        T(test_not_sector_multiple), T(test_flush_and_get_id), T(test_unknown_type), T(test_host_error),
        T(test_discard_and_write_zeroes), T(test_no_status_byte), T(test_short_header), T(test_batch_one_interrupt),
        cmocka_unit_test_setup_teardown(test_readonly, setup_readonly, teardown),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
