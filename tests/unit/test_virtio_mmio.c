/* tests/unit/test_virtio_mmio.c: the virtio core through the virtio-mmio
 * transport, with a dummy device: registers, the status state machine,
 * feature negotiation, config space and its generation, queue setup,
 * notifications and interrupts, NEEDS_RESET on a malformed ring, reset,
 * legacy (version 1) registers and state save/load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"
#include "virtio/mmio.h"
#include "virtio/virtio.h"
#include "virtq_driver.h"

#define DEV_FEATURE_A 3
#define DEV_FEATURE_B 7
#define DUMMY_ID 42

enum {
    R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_VENDOR = 0x00c,
    R_DEV_FEAT = 0x010, R_DEV_FEAT_SEL = 0x014, R_DRV_FEAT = 0x020, R_DRV_FEAT_SEL = 0x024,
    R_PAGE_SIZE = 0x028, R_QSEL = 0x030, R_QNUM_MAX = 0x034, R_QNUM = 0x038, R_QALIGN = 0x03c,
    R_QPFN = 0x040, R_QREADY = 0x044, R_NOTIFY = 0x050, R_ISR = 0x060, R_ACK = 0x064, R_STATUS = 0x070,
    R_DESC_LO = 0x080, R_DESC_HI = 0x084, R_AVAIL_LO = 0x090, R_AVAIL_HI = 0x094, R_USED_LO = 0x0a0,
    R_USED_HI = 0x0a4, R_SHM_SEL = 0x0ac, R_SHM_LEN_LO = 0x0b0, R_SHM_LEN_HI = 0x0b4, R_GEN = 0x0fc,
    R_CONFIG = 0x100,
};

struct dummy {
    struct virtio_dev vdev;
    unsigned notifies, resets, activates, handled, config_writes;
    uint8_t last_write[8];
    struct virtq_elem elem;
};

static uint64_t dummy_features(struct virtio_dev *d)
{
    return VIRTIO_BIT(DEV_FEATURE_A) | VIRTIO_BIT(DEV_FEATURE_B);
}

static void dummy_config_write(struct virtio_dev *d, unsigned off, const void *buf, unsigned len)
{
    struct dummy *x = (struct dummy *)d;
    x->config_writes++;
    memcpy(x->last_write, buf, len);
}

/* Consumes every chain, writing its head number into the first writable byte. */
static void dummy_notify(struct virtio_dev *d, unsigned q)
{
    struct dummy *x = (struct dummy *)d;
    x->notifies++;
    int r;
    bool any = false;
    while ((r = virtio_pop(d, q, &x->elem)) > 0) {
        uint8_t b = (uint8_t)x->elem.head;
        long w = virtio_elem_write(d, &x->elem, 0, &b, x->elem.in_len ? 1 : 0);
        virtio_push(d, q, &x->elem, (uint32_t)w);
        x->handled++;
        any = true;
    }
    if (any)
        virtio_queue_done(d, q);
}

static void dummy_activate(struct virtio_dev *d) { ((struct dummy *)d)->activates++; }
static void dummy_reset(struct virtio_dev *d) { ((struct dummy *)d)->resets++; }

static const struct virtio_device_ops dummy_ops = {
    .features = dummy_features,
    .config_write = dummy_config_write,
    .queue_notify = dummy_notify,
    .activate = dummy_activate,
    .reset = dummy_reset,
};

struct sink {
    bool level;
    unsigned changes;
};

static void sink_set(void *opaque, unsigned n, bool level)
{
    struct sink *s = opaque;
    s->level = level;
    s->changes++;
}

struct fx {
    struct tdrv t;
    struct dummy dev;
    struct sink sink;
    struct virtio_mmio *m;
    struct virtio_mmio *empty;
};

static int setup_common(void **state, bool legacy)
{
    struct fx *f = calloc(1, sizeof *f);
    td_init(&f->t, 8);
    static const uint16_t qmax[2] = { 8, 16 };
    virtio_dev_init(&f->dev.vdev, &dummy_ops, &f->t.bus, "dummy", DUMMY_ID, 2, qmax, 8);
    memcpy(f->dev.vdev.config, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
    f->m = virtio_mmio_new(&f->dev.vdev, 0x10001000, (struct irq_line){ sink_set, &f->sink, 1 }, legacy);
    f->empty = virtio_mmio_new(NULL, 0x10002000, (struct irq_line){ sink_set, &f->sink, 2 }, false);
    *state = f;
    return 0;
}

static int setup(void **state) { return setup_common(state, false); }
static int setup_legacy(void **state) { return setup_common(state, true); }

static int teardown(void **state)
{
    struct fx *f = *state;
    virtio_mmio_free(f->m);
    virtio_mmio_free(f->empty);
    td_free(&f->t);
    free(f);
    return 0;
}

static uint32_t rd(struct fx *f, uint64_t off) { return (uint32_t)virtio_mmio_ops.read(f->m, off, 4); }
static void wr(struct fx *f, uint64_t off, uint32_t v) { virtio_mmio_ops.write(f->m, off, v, 4); }

static void negotiate(struct fx *f, uint64_t features)
{
    wr(f, R_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    wr(f, R_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(f, R_DRV_FEAT_SEL, 0);
    wr(f, R_DRV_FEAT, (uint32_t)features);
    wr(f, R_DRV_FEAT_SEL, 1);
    wr(f, R_DRV_FEAT, (uint32_t)(features >> 32));
    wr(f, R_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
}

static void setup_queue(struct fx *f, unsigned q)
{
    wr(f, R_QSEL, q);
    assert_int_equal(rd(f, R_QREADY), 0);
    wr(f, R_QNUM, f->t.num);
    wr(f, R_DESC_LO, (uint32_t)f->t.desc);
    wr(f, R_DESC_HI, (uint32_t)(f->t.desc >> 32));
    wr(f, R_AVAIL_LO, (uint32_t)f->t.avail);
    wr(f, R_AVAIL_HI, (uint32_t)(f->t.avail >> 32));
    wr(f, R_USED_LO, (uint32_t)f->t.used);
    wr(f, R_USED_HI, (uint32_t)(f->t.used >> 32));
    wr(f, R_QREADY, 1);
    assert_int_equal(rd(f, R_QREADY), 1);
}

static void bring_up(struct fx *f, uint64_t features)
{
    negotiate(f, features | VIRTIO_BIT(VIRTIO_F_VERSION_1));
    assert_true(rd(f, R_STATUS) & VIRTIO_STATUS_FEATURES_OK);
    setup_queue(f, 0);
    wr(f, R_STATUS, 0xf & ~0u);
}

/* One readable + one writable descriptor at head `head`. */
static uint64_t post(struct fx *f, uint16_t head)
{
    uint64_t out = td_alloc(&f->t, 8), in = td_alloc(&f->t, 8);
    td_desc(&f->t, head, out, 8, VIRTQ_DESC_F_NEXT, (uint16_t)(head + 1));
    td_desc(&f->t, head + 1, in, 8, VIRTQ_DESC_F_WRITE, 0);
    td_publish(&f->t, head);
    return in;
}

static void test_identity(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rd(f, R_MAGIC), 0x74726976);
    assert_int_equal(rd(f, R_VERSION), 2);
    assert_int_equal(rd(f, R_DEVICE_ID), DUMMY_ID);
    assert_int_equal(rd(f, R_VENDOR), 0x554d4551);
    assert_int_equal(rd(f, R_QNUM_MAX), 8);
    wr(f, R_QSEL, 1);
    assert_int_equal(rd(f, R_QNUM_MAX), 16);
    wr(f, R_QSEL, 2);
    assert_int_equal(rd(f, R_QNUM_MAX), 0); /* no such queue */
    /* no shared memory regions: length reads as -1 */
    assert_int_equal(rd(f, R_SHM_LEN_LO), 0xffffffffu);
    assert_int_equal(rd(f, R_SHM_LEN_HI), 0xffffffffu);
    /* registers are 32-bit only: the bus refuses anything else (an access
     * fault, the device is not called); the configuration takes 1, 2 and
     * 4 aligned bytes */
    for (unsigned size = 1; size <= 8; size *= 2) {
        assert_true(bus_access_ok(&virtio_mmio_ops, R_STATUS, size) == (size == 4));
        assert_true(bus_access_ok(&virtio_mmio_ops, 0x100, size) == (size != 8));
        assert_true(bus_access_ok(&virtio_mmio_ops, 0x1f8, size) == (size != 8));
    }
    assert_false(bus_access_ok(&virtio_mmio_ops, R_MAGIC + 1, 4));
    assert_false(bus_access_ok(&virtio_mmio_ops, R_MAGIC + 2, 4));
    assert_false(bus_access_ok(&virtio_mmio_ops, 0xfc + 2, 2));
    assert_false(bus_access_ok(&virtio_mmio_ops, 0x102, 4));
    assert_false(bus_access_ok(&virtio_mmio_ops, 0x101, 2));
}

static void test_empty_slot(void **state)
{
    struct fx *f = *state;
    assert_int_equal(virtio_mmio_ops.read(f->empty, R_MAGIC, 4), 0x74726976);
    assert_int_equal(virtio_mmio_ops.read(f->empty, R_VERSION, 4), 2);
    assert_int_equal(virtio_mmio_ops.read(f->empty, R_DEVICE_ID, 4), 0);
    assert_int_equal(virtio_mmio_ops.read(f->empty, R_STATUS, 4), 0);
    assert_int_equal(virtio_mmio_ops.read(f->empty, R_CONFIG, 4), 0);
    virtio_mmio_ops.write(f->empty, R_STATUS, 0xff, 4); /* ignored */
    virtio_mmio_ops.write(f->empty, R_NOTIFY, 0, 4);
    assert_int_equal(virtio_mmio_ops.read(f->empty, R_STATUS, 4), 0);
}

static void test_features_offered(void **state)
{
    struct fx *f = *state;
    wr(f, R_DEV_FEAT_SEL, 0);
    uint32_t lo = rd(f, R_DEV_FEAT);
    wr(f, R_DEV_FEAT_SEL, 1);
    uint32_t hi = rd(f, R_DEV_FEAT);
    wr(f, R_DEV_FEAT_SEL, 2);
    assert_int_equal(rd(f, R_DEV_FEAT), 0);
    assert_int_equal(lo, (1u << DEV_FEATURE_A) | (1u << DEV_FEATURE_B) | (1u << VIRTIO_F_RING_INDIRECT_DESC) |
                             (1u << VIRTIO_F_RING_EVENT_IDX));
    assert_int_equal(hi, 1); /* VERSION_1 */
}

static void test_features_ok(void **state)
{
    struct fx *f = *state;
    negotiate(f, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(DEV_FEATURE_A) |
                     VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX));
    assert_int_equal(rd(f, R_STATUS), 0xb);
    assert_true(virtio_has_feature(&f->dev.vdev, DEV_FEATURE_A));
    assert_false(virtio_has_feature(&f->dev.vdev, DEV_FEATURE_B));
    assert_true(f->dev.vdev.vq[0].event_idx);
    assert_false(f->dev.vdev.vq[0].indirect);
    /* after FEATURES_OK, feature writes do nothing */
    wr(f, R_DRV_FEAT_SEL, 0);
    wr(f, R_DRV_FEAT, 1u << DEV_FEATURE_B);
    assert_false(virtio_has_feature(&f->dev.vdev, DEV_FEATURE_B));
    assert_int_equal(f->dev.vdev.driver_features & VIRTIO_BIT(DEV_FEATURE_B), 0);
}

static void test_features_not_offered(void **state)
{
    struct fx *f = *state;
    negotiate(f, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(5)); /* bit 5 was not offered */
    assert_int_equal(rd(f, R_STATUS), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    negotiate(f, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(40));
    assert_false(rd(f, R_STATUS) & VIRTIO_STATUS_FEATURES_OK);
}

static void test_version_1_required(void **state)
{
    struct fx *f = *state;
    negotiate(f, VIRTIO_BIT(DEV_FEATURE_A));
    assert_false(rd(f, R_STATUS) & VIRTIO_STATUS_FEATURES_OK);
    /* and DRIVER_OK without FEATURES_OK does not make the device live */
    wr(f, R_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
    assert_false(rd(f, R_STATUS) & VIRTIO_STATUS_DRIVER_OK);
    assert_int_equal(f->dev.activates, 0);
}

static void test_status_bits_only_set(void **state)
{
    struct fx *f = *state;
    negotiate(f, VIRTIO_BIT(VIRTIO_F_VERSION_1));
    wr(f, R_STATUS, VIRTIO_STATUS_ACKNOWLEDGE); /* clears DRIVER, FEATURES_OK: ignored */
    assert_int_equal(rd(f, R_STATUS), 0xb);
}

static void test_queue_and_interrupt(void **state)
{
    struct fx *f = *state;
    bring_up(f, 0);
    assert_int_equal(f->dev.activates, 1);
    assert_int_equal(rd(f, R_STATUS), 0xf);
    uint64_t in = post(f, 0);
    assert_false(f->sink.level);
    wr(f, R_NOTIFY, 0);
    assert_int_equal(f->dev.handled, 1);
    assert_int_equal(td_used_idx(&f->t), 1);
    assert_int_equal(td_used_len(&f->t, 0), 1);
    assert_int_equal(*td_ptr(&f->t, in), 0);
    assert_true(f->sink.level);
    assert_int_equal(rd(f, R_ISR), 1);
    wr(f, R_ACK, 1);
    assert_false(f->sink.level);
    assert_int_equal(rd(f, R_ISR), 0);
    /* a notify for a queue that is not ready, or does not exist, is ignored */
    wr(f, R_NOTIFY, 1);
    wr(f, R_NOTIFY, 7);
    assert_int_equal(f->dev.notifies, 1);
    /* suppressed interrupt */
    td_st16(&f->t, f->t.avail, VIRTQ_AVAIL_F_NO_INTERRUPT);
    post(f, 2);
    wr(f, R_NOTIFY, 0);
    assert_int_equal(f->dev.handled, 2);
    assert_false(f->sink.level);
}

static void test_queue_registers(void **state)
{
    struct fx *f = *state;
    negotiate(f, VIRTIO_BIT(VIRTIO_F_VERSION_1));
    setup_queue(f, 0);
    assert_int_equal(rd(f, R_DESC_LO), (uint32_t)f->t.desc);
    assert_int_equal(rd(f, R_USED_LO), (uint32_t)f->t.used);
    /* addresses and size are frozen while the queue is ready */
    wr(f, R_DESC_LO, 0x1234);
    wr(f, R_QNUM, 4);
    assert_int_equal(f->dev.vdev.vq[0].desc, f->t.desc);
    assert_int_equal(f->dev.vdev.vq[0].num, 8);
    wr(f, R_QREADY, 0);
    assert_int_equal(rd(f, R_QREADY), 0);
}

static void test_bad_queue_size(void **state)
{
    struct fx *f = *state;
    negotiate(f, VIRTIO_BIT(VIRTIO_F_VERSION_1));
    wr(f, R_QSEL, 0);
    wr(f, R_QNUM, 6);
    assert_true(rd(f, R_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
    wr(f, R_STATUS, 0);
    negotiate(f, VIRTIO_BIT(VIRTIO_F_VERSION_1));
    wr(f, R_QNUM, 16); /* above QueueNumMax 8 */
    assert_true(rd(f, R_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
}

static void test_malformed_ring_needs_reset(void **state)
{
    struct fx *f = *state;
    bring_up(f, 0);
    td_desc(&f->t, 0, td_alloc(&f->t, 8), 8, VIRTQ_DESC_F_NEXT, 0); /* loops on itself */
    td_publish(&f->t, 0);
    wr(f, R_NOTIFY, 0);
    uint32_t st = rd(f, R_STATUS);
    assert_true(st & VIRTIO_STATUS_NEEDS_RESET);
    assert_true(st & VIRTIO_STATUS_DRIVER_OK); /* the driver's bits stay */
    assert_int_equal(rd(f, R_ISR), 2);          /* config change */
    assert_true(f->sink.level);
    assert_int_equal(f->dev.vdev.failures, 1);
    /* the device is dead until reset: notifies are ignored, no second report */
    post(f, 2);
    wr(f, R_NOTIFY, 0);
    assert_int_equal(f->dev.handled, 0);
    assert_int_equal(f->dev.vdev.failures, 1);
    /* a status write cannot clear NEEDS_RESET */
    wr(f, R_STATUS, st & ~VIRTIO_STATUS_NEEDS_RESET);
    assert_true(rd(f, R_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
    /* reset: everything back to the start */
    wr(f, R_STATUS, 0);
    assert_int_equal(rd(f, R_STATUS), 0);
    assert_int_equal(rd(f, R_ISR), 0);
    assert_false(f->sink.level);
    assert_int_equal(f->dev.resets, 1);
    wr(f, R_QSEL, 0);
    assert_int_equal(rd(f, R_QREADY), 0);
    assert_int_equal(rd(f, R_DESC_LO), 0);
    assert_int_equal(f->dev.vdev.vq[0].last_avail, 0);
    assert_int_equal(f->dev.vdev.features, 0);
    /* and the driver can start over */
    memset(td_ptr(&f->t, f->t.desc), 0, 0x3000);
    f->t.avail_idx = 0;
    bring_up(f, 0);
    post(f, 0);
    wr(f, R_NOTIFY, 0);
    assert_int_equal(f->dev.handled, 1);
}

static void test_config_space(void **state)
{
    struct fx *f = *state;
    assert_int_equal(virtio_mmio_ops.read(f->m, R_CONFIG, 1), 0x11);
    assert_int_equal(virtio_mmio_ops.read(f->m, R_CONFIG + 1, 2), 0x3322);
    assert_int_equal(virtio_mmio_ops.read(f->m, R_CONFIG + 4, 4), 0x88776655);
    assert_int_equal(virtio_mmio_ops.read(f->m, R_CONFIG, 8), 0x8877665544332211ull);
    assert_int_equal(virtio_mmio_ops.read(f->m, R_CONFIG + 6, 4), 0x8877); /* past the end reads 0 */
    assert_int_equal(virtio_mmio_ops.read(f->m, R_CONFIG + 0x100, 4), 0);
    virtio_mmio_ops.write(f->m, R_CONFIG + 2, 0xabcd, 2);
    assert_int_equal(f->dev.config_writes, 1);
    assert_int_equal(f->dev.last_write[0], 0xcd);
    virtio_mmio_ops.write(f->m, R_CONFIG + 7, 0xabcd, 2); /* crosses the end: dropped */
    assert_int_equal(f->dev.config_writes, 1);
}

static void test_config_generation(void **state)
{
    struct fx *f = *state;
    uint32_t g = rd(f, R_GEN);
    virtio_config_changed(&f->dev.vdev);
    assert_int_equal(rd(f, R_GEN), g + 1);
    assert_false(f->sink.level); /* no interrupt before DRIVER_OK */
    bring_up(f, 0);
    virtio_config_changed(&f->dev.vdev);
    assert_int_equal(rd(f, R_GEN), g + 2);
    assert_int_equal(rd(f, R_ISR), 2);
    assert_true(f->sink.level);
}

static void mmio_state(void *m, struct state *st) { virtio_mmio_state(m, st); }

/* Saved busy (a request done and its interrupt pending, another published
 * and not yet notified), loaded into a fresh transport and device: the same
 * bytes again, the line up, and the request in flight completes there. */
static void test_snapshot(void **state)
{
    struct fx *f = *state;
    bring_up(f, VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX));
    post(f, 0);
    wr(f, R_NOTIFY, 0);
    uint64_t in = post(f, 2);
    wr(f, R_QSEL, 1);
    struct state s = fx_save(mmio_state, f->m);
    struct dummy d2 = { 0 };
    struct sink sink2 = { 0 };
    static const uint16_t qmax[2] = { 8, 16 };
    virtio_dev_init(&d2.vdev, &dummy_ops, &f->t.bus, "dummy", DUMMY_ID, 2, qmax, 8);
    struct virtio_mmio *m2 = virtio_mmio_new(&d2.vdev, 0x10003000, (struct irq_line){ sink_set, &sink2, 3 }, false);
    fx_roundtrip(mmio_state, mmio_state, &s, m2);
    assert_true(sink2.level);                      /* InterruptStatus 1: the line follows */
    assert_int_equal(virtio_mmio_ops.read(m2, R_STATUS, 4), 0xf);
    assert_int_equal(virtio_mmio_ops.read(m2, R_QNUM_MAX, 4), 16);   /* queue 1 selected */
    assert_true(d2.vdev.vq[0].event_idx);
    assert_int_equal(d2.vdev.vq[0].last_avail, 1);
    virtio_mmio_ops.write(m2, R_NOTIFY, 0, 4);
    assert_int_equal(td_used_idx(&f->t), 2);
    assert_int_equal(td_used_id(&f->t, 1), 2);
    assert_int_equal(*td_ptr(&f->t, in), 2);       /* the dummy writes the head */
    assert_int_equal(d2.handled, 1);
    /* every truncation and a legacy transport are refused, and leave a
     * reset transport (line low) */
    for (size_t n = 0; n < s.len; n++) {
        struct state t;
        state_init_load(&t, s.buf, n);
        virtio_mmio_state(m2, &t);
        assert_false(state_ok(&t, true));
        assert_false(sink2.level);
    }
    struct virtio_mmio *legacy = virtio_mmio_new(&d2.vdev, 0x10004000, (struct irq_line){ 0 }, true);
    struct state t;
    state_init_load(&t, s.buf, s.len);
    virtio_mmio_state(legacy, &t);
    assert_false(state_ok(&t, true));
    virtio_mmio_free(legacy);
    virtio_mmio_free(m2);
    state_free(&s);
}

static void test_legacy(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rd(f, R_VERSION), 1);
    wr(f, R_DEV_FEAT_SEL, 1);
    assert_int_equal(rd(f, R_DEV_FEAT), 0); /* no VERSION_1, only 32 bits */
    wr(f, R_DEV_FEAT_SEL, 0);
    assert_true(rd(f, R_DEV_FEAT) & (1u << DEV_FEATURE_A));
    wr(f, R_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(f, R_DRV_FEAT_SEL, 0);
    wr(f, R_DRV_FEAT, (1u << DEV_FEATURE_A) | (1u << 5)); /* 5 not offered: masked */
    wr(f, R_PAGE_SIZE, 4096);
    wr(f, R_QSEL, 0);
    assert_int_equal(rd(f, R_QPFN), 0);
    wr(f, R_QNUM, 8);
    wr(f, R_QALIGN, 4096);
    uint64_t base = TD_RAM_BASE + 0x10000;
    wr(f, R_QPFN, (uint32_t)(base >> 12));
    assert_int_equal(rd(f, R_QPFN), base >> 12);
    struct virtq *vq = &f->dev.vdev.vq[0];
    assert_true(vq->ready);
    assert_int_equal(vq->desc, base);
    assert_int_equal(vq->avail, base + 128);
    assert_int_equal(vq->used, base + 4096); /* 128 + 6 + 16 rounded up to 4096 */
    wr(f, R_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
    assert_int_equal(rd(f, R_STATUS), 7);
    assert_true(virtio_has_feature(&f->dev.vdev, DEV_FEATURE_A));
    assert_false(virtio_has_feature(&f->dev.vdev, 5));
    /* a request through the legacy layout */
    f->t.desc = vq->desc;
    f->t.avail = vq->avail;
    f->t.used = vq->used;
    post(f, 0);
    wr(f, R_NOTIFY, 0);
    assert_int_equal(td_used_idx(&f->t), 1);
    assert_true(f->sink.level);
    wr(f, R_QPFN, 0);
    assert_false(vq->ready);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_identity), T(test_empty_slot), T(test_features_offered), T(test_features_ok),
        T(test_features_not_offered), T(test_version_1_required), T(test_status_bits_only_set),
        T(test_queue_and_interrupt), T(test_queue_registers), T(test_bad_queue_size),
        T(test_malformed_ring_needs_reset), T(test_config_space), T(test_config_generation), T(test_snapshot),
        cmocka_unit_test_setup_teardown(test_legacy, setup_legacy, teardown),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
