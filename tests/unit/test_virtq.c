/* tests/unit/test_virtq.c: the split virtqueue with crafted rings: direct,
 * chained and indirect chains, 16-bit index wrap-around, EVENT_IDX and
 * interrupt suppression, and every kind of malformed ring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "virtio/queue.h"
#include "virtq_driver.h"

#define NUM 16
#define D_NEXT VIRTQ_DESC_F_NEXT
#define D_WRITE VIRTQ_DESC_F_WRITE
#define D_IND VIRTQ_DESC_F_INDIRECT

struct fx {
    struct tdrv t;
    struct virtq vq;
    struct virtq_elem elem;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    td_init(&f->t, NUM);
    f->vq.bus = &f->t.bus;
    f->vq.num_max = 1024;
    virtq_reset(&f->vq);
    f->vq.num = NUM;
    f->vq.desc = f->t.desc;
    f->vq.avail = f->t.avail;
    f->vq.used = f->t.used;
    f->vq.indirect = true;
    f->vq.ready = true;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    td_free(&f->t);
    free(f);
    return 0;
}

/* Pop must fail with a reason containing `why`. */
static void expect_bad(struct fx *f, const char *why)
{
    int r = virtq_pop(&f->vq, &f->elem);
    if (r != -1 || !strstr(f->vq.error, why))
        fprintf(stderr, "pop returned %d, error '%s', wanted '%s'\n", r, f->vq.error, why);
    assert_int_equal(r, -1);
    assert_non_null(strstr(f->vq.error, why));
}

/* ---- good rings ---- */

static void test_empty(void **state)
{
    struct fx *f = *state;
    assert_int_equal(virtq_pop(&f->vq, &f->elem), 0);
    f->vq.ready = false;
    td_desc(&f->t, 0, td_alloc(&f->t, 8), 8, 0, 0);
    td_publish(&f->t, 0);
    assert_int_equal(virtq_pop(&f->vq, &f->elem), 0); /* not ready: never looked at */
}

static void test_direct(void **state)
{
    struct fx *f = *state;
    uint64_t buf = td_alloc(&f->t, 100);
    memcpy(td_ptr(&f->t, buf), "hello", 5);
    td_desc(&f->t, 3, buf, 100, 0, 0);
    td_publish(&f->t, 3);
    assert_int_equal(virtq_pop(&f->vq, &f->elem), 1);
    assert_int_equal(f->elem.head, 3);
    assert_int_equal(f->elem.n_out, 1);
    assert_int_equal(f->elem.n_in, 0);
    assert_int_equal(f->elem.out_len, 100);
    assert_int_equal(f->elem.seg[0].addr, buf);
    assert_int_equal(virtq_pop(&f->vq, &f->elem), 0);
    assert_int_equal(virtq_push(&f->vq, 3, 7), 0);
    assert_int_equal(td_used_idx(&f->t), 1);
    assert_int_equal(td_used_id(&f->t, 0), 3);
    assert_int_equal(td_used_len(&f->t, 0), 7);
}

static void test_chained(void **state)
{
    struct fx *f = *state;
    uint64_t a = td_alloc(&f->t, 16), b = td_alloc(&f->t, 512), c = td_alloc(&f->t, 1);
    td_desc(&f->t, 5, a, 16, D_NEXT, 9);
    td_desc(&f->t, 9, b, 512, D_NEXT | D_WRITE, 2);
    td_desc(&f->t, 2, c, 1, D_WRITE, 0);
    td_publish(&f->t, 5);
    assert_int_equal(virtq_pop(&f->vq, &f->elem), 1);
    assert_int_equal(f->elem.head, 5);
    assert_int_equal(f->elem.n_out, 1);
    assert_int_equal(f->elem.n_in, 2);
    assert_int_equal(f->elem.out_len, 16);
    assert_int_equal(f->elem.in_len, 513);
    assert_int_equal(f->elem.seg[1].addr, b);
    assert_int_equal(f->elem.seg[2].addr, c);
}

static void test_zero_length_skipped(void **state)
{
    struct fx *f = *state;
    uint64_t a = td_alloc(&f->t, 16);
    td_desc(&f->t, 0, 0, 0, D_NEXT, 1);          /* no bytes: address irrelevant */
    td_desc(&f->t, 1, a, 16, 0, 0);
    td_publish(&f->t, 0);
    assert_int_equal(virtq_pop(&f->vq, &f->elem), 1);
    assert_int_equal(f->elem.n_out, 1);
    assert_int_equal(f->elem.seg[0].addr, a);
}

static void test_indirect(void **state)
{
    struct fx *f = *state;
    uint64_t table = td_alloc(&f->t, 3 * 16);
    uint64_t a = td_alloc(&f->t, 16), b = td_alloc(&f->t, 4096), c = td_alloc(&f->t, 1);
    td_desc_at(&f->t, table, 0, a, 16, D_NEXT, 2);
    td_desc_at(&f->t, table, 2, b, 4096, D_NEXT | D_WRITE, 1);
    td_desc_at(&f->t, table, 1, c, 1, D_WRITE, 0);
    /* the WRITE flag of the descriptor pointing at the table is ignored */
    td_desc(&f->t, 7, table, 3 * 16, D_IND | D_WRITE, 0);
    td_publish(&f->t, 7);
    assert_int_equal(virtq_pop(&f->vq, &f->elem), 1);
    assert_int_equal(f->elem.head, 7);
    assert_int_equal(f->elem.n_out, 1);
    assert_int_equal(f->elem.n_in, 2);
    assert_int_equal(f->elem.in_len, 4097);
    assert_int_equal(f->elem.seg[2].addr, c);
}

static void test_direct_then_indirect(void **state)
{
    struct fx *f = *state;
    uint64_t table = td_alloc(&f->t, 16);
    uint64_t a = td_alloc(&f->t, 16), b = td_alloc(&f->t, 8);
    td_desc_at(&f->t, table, 0, b, 8, D_WRITE, 0);
    td_desc(&f->t, 0, a, 16, D_NEXT, 1);
    td_desc(&f->t, 1, table, 16, D_IND, 0);
    td_publish(&f->t, 0);
    assert_int_equal(virtq_pop(&f->vq, &f->elem), 1);
    assert_int_equal(f->elem.n_out, 1);
    assert_int_equal(f->elem.n_in, 1);
}

static void test_full_queue_chain(void **state)
{
    /* A chain of exactly the queue size is legal, directly or indirectly. */
    struct fx *f = *state;
    for (unsigned i = 0; i < NUM; i++)
        td_desc(&f->t, i, td_alloc(&f->t, 8), 8, i + 1 < NUM ? D_NEXT : 0, (uint16_t)(i + 1));
    td_publish(&f->t, 0);
    assert_int_equal(virtq_pop(&f->vq, &f->elem), 1);
    assert_int_equal(f->elem.n_out, NUM);
    uint64_t table = td_alloc(&f->t, NUM * 16);
    for (unsigned i = 0; i < NUM; i++)
        td_desc_at(&f->t, table, i, td_alloc(&f->t, 8), 8, i + 1 < NUM ? D_NEXT : 0, (uint16_t)(i + 1));
    td_desc(&f->t, 0, table, NUM * 16, D_IND, 0);
    td_publish(&f->t, 0);
    assert_int_equal(virtq_pop(&f->vq, &f->elem), 1);
    assert_int_equal(f->elem.n_out, NUM);
}

static void test_wraparound(void **state)
{
    /* Indices are free-running 16-bit counters; the ring slot is idx % num. */
    struct fx *f = *state;
    f->vq.last_avail = 65534;
    f->vq.used_idx = 65534;
    f->t.avail_idx = 65534;
    for (unsigned k = 0; k < 3; k++) {
        td_desc(&f->t, k, td_alloc(&f->t, 8), 8, 0, 0);
        td_publish(&f->t, (uint16_t)k);
    }
    assert_int_equal(td_ld16(&f->t, f->t.avail + 2), 1); /* wrapped */
    for (unsigned k = 0; k < 3; k++) {
        assert_int_equal(virtq_pop(&f->vq, &f->elem), 1);
        assert_int_equal(f->elem.head, k);
        assert_int_equal(virtq_push(&f->vq, f->elem.head, 8), 0);
    }
    assert_int_equal(virtq_pop(&f->vq, &f->elem), 0);
    assert_int_equal(f->vq.last_avail, 1);
    assert_int_equal(td_used_idx(&f->t), 1);
    assert_int_equal(td_used_id(&f->t, 65534), 0);  /* slot 14 */
    assert_int_equal(td_used_id(&f->t, 65535), 1);  /* slot 15 */
    assert_int_equal(td_used_id(&f->t, 0), 2);      /* slot 0 */
}

static void test_no_interrupt_flag(void **state)
{
    struct fx *f = *state;
    td_desc(&f->t, 0, td_alloc(&f->t, 8), 8, 0, 0);
    td_publish(&f->t, 0);
    assert_int_equal(virtq_pop(&f->vq, &f->elem), 1);
    virtq_push(&f->vq, 0, 0);
    assert_true(virtq_need_interrupt(&f->vq));
    td_st16(&f->t, f->t.avail, VIRTQ_AVAIL_F_NO_INTERRUPT);
    assert_false(virtq_need_interrupt(&f->vq));
}

static void test_event_idx(void **state)
{
    struct fx *f = *state;
    f->vq.event_idx = true;
    for (unsigned k = 0; k < 8; k++) {
        td_desc(&f->t, k, td_alloc(&f->t, 8), 8, 0, 0);
        td_publish(&f->t, (uint16_t)k);
    }
    /* The device asks to be notified of anything past what it consumed. */
    assert_int_equal(virtq_pop(&f->vq, &f->elem), 1);
    assert_int_equal(td_avail_event(&f->t), 1);
    for (unsigned k = 1; k < 8; k++)
        assert_int_equal(virtq_pop(&f->vq, &f->elem), 1);
    assert_int_equal(td_avail_event(&f->t), 8);
    /* The driver wants an interrupt once used idx passes used_event = 4. */
    td_set_used_event(&f->t, 4);
    td_st16(&f->t, f->t.avail, VIRTQ_AVAIL_F_NO_INTERRUPT); /* ignored under EVENT_IDX */
    for (unsigned k = 0; k < 3; k++)
        virtq_push(&f->vq, (uint16_t)k, 0);
    assert_true(virtq_need_interrupt(&f->vq));  /* first decision always signals */
    virtq_push(&f->vq, 3, 0);                   /* used idx 3 -> 4: event 4 not yet crossed */
    assert_false(virtq_need_interrupt(&f->vq));
    virtq_push(&f->vq, 4, 0);                   /* 4 -> 5: crossed */
    assert_true(virtq_need_interrupt(&f->vq));
    virtq_push(&f->vq, 5, 0);                   /* 5 -> 6: already told */
    assert_false(virtq_need_interrupt(&f->vq));
    /* wrap-around of used_event */
    f->vq.used_idx = 65533;
    f->vq.signalled_used = 65533;
    td_set_used_event(&f->t, 65535);
    virtq_push(&f->vq, 6, 0);                   /* 65533 -> 65534 */
    assert_false(virtq_need_interrupt(&f->vq));
    virtq_push(&f->vq, 7, 0);                   /* 65534 -> 65535 */
    assert_false(virtq_need_interrupt(&f->vq));
    virtq_push(&f->vq, 0, 0);                   /* 65535 -> 0: crossed */
    assert_true(virtq_need_interrupt(&f->vq));
}

static void test_reset(void **state)
{
    struct fx *f = *state;
    f->vq.last_avail = 9;
    f->vq.used_idx = 9;
    virtq_reset(&f->vq);
    assert_false(f->vq.ready);
    assert_int_equal(f->vq.num, 1024);
    assert_int_equal(f->vq.last_avail, 0);
    assert_int_equal(f->vq.desc, 0);
    assert_ptr_equal(f->vq.bus, &f->t.bus);
}

/* ---- malformed rings: each is -1 with a reason, and nothing crashes ---- */

static void test_bad_head(void **state)
{
    struct fx *f = *state;
    td_publish(&f->t, NUM);
    expect_bad(f, "head index 16 out of range");
}

static void test_bad_next(void **state)
{
    struct fx *f = *state;
    td_desc(&f->t, 0, td_alloc(&f->t, 8), 8, D_NEXT, 99);
    td_publish(&f->t, 0);
    expect_bad(f, "next index 99 out of range");
}

static void test_loop(void **state)
{
    struct fx *f = *state;
    uint64_t a = td_alloc(&f->t, 8);
    td_desc(&f->t, 0, a, 8, D_NEXT, 1);
    td_desc(&f->t, 1, a, 8, D_NEXT, 2);
    td_desc(&f->t, 2, a, 8, D_NEXT, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "loops");
}

static void test_self_loop(void **state)
{
    struct fx *f = *state;
    td_desc(&f->t, 4, td_alloc(&f->t, 8), 8, D_NEXT, 4);
    td_publish(&f->t, 4);
    expect_bad(f, "loops");
}

static void test_indirect_loop(void **state)
{
    struct fx *f = *state;
    uint64_t table = td_alloc(&f->t, 32), a = td_alloc(&f->t, 8);
    td_desc_at(&f->t, table, 0, a, 8, D_NEXT, 1);
    td_desc_at(&f->t, table, 1, a, 8, D_NEXT, 0);
    td_desc(&f->t, 0, table, 32, D_IND, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "loops at indirect descriptor");
}

static void test_chain_longer_than_queue(void **state)
{
    /* 2 direct descriptors and an indirect table of 15: 17 > 16 */
    struct fx *f = *state;
    uint64_t table = td_alloc(&f->t, 15 * 16), a = td_alloc(&f->t, 8);
    for (unsigned i = 0; i < 15; i++)
        td_desc_at(&f->t, table, i, a, 8, i < 14 ? D_NEXT : 0, (uint16_t)(i + 1));
    td_desc(&f->t, 0, a, 8, D_NEXT, 1);
    td_desc(&f->t, 1, a, 8, D_NEXT, 2);
    td_desc(&f->t, 2, table, 15 * 16, D_IND, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "longer than the queue size");
}

static void test_indirect_table_too_long(void **state)
{
    struct fx *f = *state;
    uint64_t table = td_alloc(&f->t, 17 * 16);
    td_desc(&f->t, 0, table, 17 * 16, D_IND, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "longer than the queue size");
}

static void test_outside_ram(void **state)
{
    struct fx *f = *state;
    td_desc(&f->t, 0, 0x1000, 8, 0, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "not in RAM");
}

static void test_past_end_of_ram(void **state)
{
    struct fx *f = *state;
    td_desc(&f->t, 0, TD_RAM_BASE + TD_RAM_SIZE - 10, 100, D_WRITE, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "not in RAM");
}

static void test_wrapping_address(void **state)
{
    struct fx *f = *state;
    td_desc(&f->t, 0, 0xfffffffffffffff0ull, 0x20, 0, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "not in RAM");
}

static void test_huge_length(void **state)
{
    struct fx *f = *state;
    td_desc(&f->t, 0, TD_RAM_BASE, 0xffffffffu, 0, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "not in RAM");
}

static void test_readable_after_writable(void **state)
{
    struct fx *f = *state;
    uint64_t a = td_alloc(&f->t, 8);
    td_desc(&f->t, 0, a, 8, D_WRITE | D_NEXT, 1);
    td_desc(&f->t, 1, a, 8, 0, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "device-readable descriptor 1 after a device-writable one");
}

static void test_readable_after_writable_indirect(void **state)
{
    /* writable direct descriptor, then a readable one inside the table */
    struct fx *f = *state;
    uint64_t table = td_alloc(&f->t, 16), a = td_alloc(&f->t, 8);
    td_desc_at(&f->t, table, 0, a, 8, 0, 0);
    td_desc(&f->t, 0, a, 8, D_WRITE | D_NEXT, 1);
    td_desc(&f->t, 1, table, 16, D_IND, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "after a device-writable one");
}

static void test_indirect_in_indirect(void **state)
{
    struct fx *f = *state;
    uint64_t t1 = td_alloc(&f->t, 16), t2 = td_alloc(&f->t, 16), a = td_alloc(&f->t, 8);
    td_desc_at(&f->t, t2, 0, a, 8, 0, 0);
    td_desc_at(&f->t, t1, 0, t2, 16, D_IND, 0);
    td_desc(&f->t, 0, t1, 16, D_IND, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "indirect descriptor inside an indirect table");
}

static void test_indirect_bad_length(void **state)
{
    struct fx *f = *state;
    uint64_t table = td_alloc(&f->t, 64);
    td_desc(&f->t, 0, table, 24, D_IND, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "bad length 24");
}

static void test_indirect_zero_length(void **state)
{
    struct fx *f = *state;
    td_desc(&f->t, 0, td_alloc(&f->t, 16), 0, D_IND, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "bad length 0");
}

static void test_indirect_without_feature(void **state)
{
    struct fx *f = *state;
    f->vq.indirect = false;
    uint64_t table = td_alloc(&f->t, 16);
    td_desc_at(&f->t, table, 0, td_alloc(&f->t, 8), 8, 0, 0);
    td_desc(&f->t, 0, table, 16, D_IND, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "without RING_INDIRECT_DESC");
}

static void test_indirect_with_next(void **state)
{
    struct fx *f = *state;
    uint64_t table = td_alloc(&f->t, 16);
    td_desc_at(&f->t, table, 0, td_alloc(&f->t, 8), 8, 0, 0);
    td_desc(&f->t, 0, table, 16, D_IND | D_NEXT, 1);
    td_desc(&f->t, 1, td_alloc(&f->t, 8), 8, 0, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "has the NEXT flag");
}

static void test_indirect_table_outside_ram(void **state)
{
    struct fx *f = *state;
    td_desc(&f->t, 0, TD_RAM_BASE + TD_RAM_SIZE - 16, 32, D_IND, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "indirect table");
    td_desc(&f->t, 0, 0xfffffffffffffff0ull, 32, D_IND, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "not in RAM");
}

static void test_indirect_next_out_of_range(void **state)
{
    struct fx *f = *state;
    uint64_t table = td_alloc(&f->t, 32);
    td_desc_at(&f->t, table, 0, td_alloc(&f->t, 8), 8, D_NEXT, 2);  /* table has 2 entries */
    td_desc(&f->t, 0, table, 32, D_IND, 0);
    td_publish(&f->t, 0);
    expect_bad(f, "next index 2 out of range (indirect table of 2");
}

static void test_avail_runs_ahead(void **state)
{
    struct fx *f = *state;
    td_st16(&f->t, f->t.avail + 2, NUM + 1);
    expect_bad(f, "ahead of the device");
}

/* The used ring laid over the avail ring: each push moves the avail index
 * on, so a device that pops until the ring is empty would never stop. A
 * queue pops at most its size between two runs of the driver (bus epoch),
 * then reports the ring. */
static void test_device_writes_refill_avail(void **state)
{
    struct fx *f = *state;
    for (unsigned k = 0; k < NUM; k++)
        td_desc(&f->t, k, td_alloc(&f->t, 8), 8, 0, 0);
    td_publish(&f->t, 0);
    f->vq.used = f->t.avail; /* used idx at the avail idx */
    f->vq.used_idx = 5;      /* each push leaves the avail idx 5 ahead */
    unsigned pops = 0;
    int r;
    while ((r = virtq_pop(&f->vq, &f->elem)) == 1 && pops < 10 * NUM) {
        pops++;
        assert_int_equal(virtq_push(&f->vq, f->elem.head, 0), 0);
    }
    assert_int_equal(r, -1);
    assert_int_equal(pops, NUM);
    assert_non_null(strstr(f->vq.error, "refill the avail ring"));
    /* Once the driver ran (a new epoch), the queue takes chains again. */
    f->t.bus.epoch++;
    assert_int_equal(virtq_pop(&f->vq, &f->elem), 1);
}

/* A full ring in one epoch is fine, and so is a ring refilled after the
 * driver ran; chains given back (unpop) do not count. */
static void test_full_ring_per_epoch(void **state)
{
    struct fx *f = *state;
    for (unsigned round = 0; round < 3; round++) {
        for (unsigned k = 0; k < NUM; k++) {
            td_desc(&f->t, k, td_alloc(&f->t, 8), 8, 0, 0);
            td_publish(&f->t, (uint16_t)k);
        }
        for (unsigned k = 0; k < NUM; k++) {
            assert_int_equal(virtq_pop(&f->vq, &f->elem), 1);
            if (k == 3) {
                virtq_unpop(&f->vq, 1);
                assert_int_equal(virtq_pop(&f->vq, &f->elem), 1);
            }
            assert_int_equal(virtq_push(&f->vq, f->elem.head, 0), 0);
        }
        assert_int_equal(virtq_pop(&f->vq, &f->elem), 0);
        f->t.bus.epoch++;
    }
}

static void test_rings_outside_ram(void **state)
{
    struct fx *f = *state;
    f->vq.desc = 0x2000;
    expect_bad(f, "descriptor table");
    f->vq.desc = f->t.desc;
    f->vq.avail = TD_RAM_BASE + TD_RAM_SIZE - 4;
    expect_bad(f, "avail ring");
    f->vq.avail = f->t.avail;
    f->vq.used = 0x4000;
    f->vq.event_idx = true; /* pop writes avail_event in the used ring */
    expect_bad(f, "used ring");
    assert_int_equal(virtq_push(&f->vq, 0, 0), -1);
}

static void test_misaligned_rings(void **state)
{
    struct fx *f = *state;
    f->vq.desc = f->t.desc + 8;
    expect_bad(f, "misaligned");
    f->vq.desc = f->t.desc;
    f->vq.used = f->t.used + 2;
    expect_bad(f, "misaligned");
}

static void test_bad_size(void **state)
{
    struct fx *f = *state;
    f->vq.num = 12;
    expect_bad(f, "power of two");
}

static void test_garbage_never_crashes(void **state)
{
    /* Random descriptor tables: pop returns -1, 0 or 1, never more than
     * NUM segments, and only ever RAM addresses. */
    struct fx *f = *state;
    uint32_t x = 12345;
    for (unsigned round = 0; round < 2000; round++) {
        for (unsigned i = 0; i < NUM * 16 + 6 + 2 * NUM; i++) {
            x = x * 1103515245u + 12345u;
            td_ptr(&f->t, f->t.desc)[i] = (uint8_t)(x >> 16);
        }
        /* mostly plausible addresses, so walks go deep */
        for (unsigned i = 0; i < NUM; i++) {
            x = x * 1103515245u + 12345u;
            if (x & 0x10000)
                td_st64(&f->t, f->t.desc + 16 * i, TD_RAM_BASE + (x % (TD_RAM_SIZE / 2)));
            td_st32(&f->t, f->t.desc + 16 * i + 8, (x >> 8) & 0x3ff);
        }
        td_st16(&f->t, f->t.avail + 2, 1);
        td_st16(&f->t, f->t.avail + 4, (uint16_t)(x % (NUM + 1))); /* sometimes out of range */
        f->vq.last_avail = 0;
        f->vq.event_idx = x & 0x20000;
        int r = virtq_pop(&f->vq, &f->elem);
        assert_true(r >= -1 && r <= 1);
        if (r == 1) {
            assert_true(f->elem.n_out + f->elem.n_in <= NUM);
            for (unsigned s = 0; s < f->elem.n_out + f->elem.n_in; s++)
                assert_non_null(bus_dma(&f->t.bus, f->elem.seg[s].addr, f->elem.seg[s].len));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_empty), T(test_direct), T(test_chained), T(test_zero_length_skipped), T(test_indirect),
        T(test_direct_then_indirect), T(test_full_queue_chain), T(test_wraparound), T(test_no_interrupt_flag),
        T(test_event_idx), T(test_reset),
        T(test_bad_head), T(test_bad_next), T(test_loop), T(test_self_loop), T(test_indirect_loop),
        T(test_chain_longer_than_queue), T(test_indirect_table_too_long), T(test_outside_ram),
        T(test_past_end_of_ram), T(test_wrapping_address), T(test_huge_length), T(test_readable_after_writable),
        T(test_readable_after_writable_indirect), T(test_indirect_in_indirect), T(test_indirect_bad_length),
        T(test_indirect_zero_length), T(test_indirect_without_feature), T(test_indirect_with_next),
        T(test_indirect_table_outside_ram), T(test_indirect_next_out_of_range), T(test_avail_runs_ahead),
        T(test_device_writes_refill_avail), T(test_full_ring_per_epoch), T(test_rings_outside_ram), T(test_misaligned_rings), T(test_bad_size), T(test_garbage_never_crashes),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
