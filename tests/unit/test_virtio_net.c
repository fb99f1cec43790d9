/* tests/unit/test_virtio_net.c: the virtio network device driven through
 * the transport-independent core on a recording backend: features and
 * config (MAC, link up, MTU), transmit (header stripped, NEEDS_CSUM
 * completed, runts and GSO refused), receive with and without mergeable
 * buffers (header and num_buffers, a frame too big for a buffer dropped
 * and counted without a byte written past the buffer, a frame waiting for
 * buffers), can_receive, and the control queue (RX mode, MAC table and
 * address, unknown commands, a command without room for its ack). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "virtio/net.h"
#include "virtq_driver.h"

#define NUM 16

struct fx {
    struct tdrv rx, tx, ctrl;      /* one RAM, three rings */
    struct virtio_dev *dev;
    unsigned irqs, config_irqs;
    uint8_t sent[4][2048];
    size_t sent_len[4];
    unsigned nsent;
    bool refuse;
};

static int be_send(void *ctx, const void *frame, size_t len)
{
    struct fx *f = ctx;
    if (f->refuse)
        return -1;
    if (f->nsent < 4 && len <= sizeof f->sent[0]) {
        memcpy(f->sent[f->nsent], frame, len);
        f->sent_len[f->nsent] = len;
    }
    f->nsent++;
    return 0;
}

static void q_irq(void *ctx, unsigned q) { ((struct fx *)ctx)->irqs++; }
static void c_irq(void *ctx) { ((struct fx *)ctx)->config_irqs++; }

static void ring_at(struct tdrv *t, const struct tdrv *base, uint64_t at)
{
    *t = *base;
    t->avail_idx = 0;
    t->desc = at;
    t->avail = t->desc + 16ull * NUM;
    t->used = (t->avail + 6 + 2ull * NUM + 4095) & ~4095ull;
}

static void bring_up(struct fx *f, uint64_t features)
{
    struct tdrv *q[3] = { &f->rx, &f->tx, &f->ctrl };
    virtio_set_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    virtio_set_driver_features(f->dev, features);
    virtio_set_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    assert_true(virtio_get_status(f->dev) & VIRTIO_STATUS_FEATURES_OK);
    for (unsigned i = 0; i < 3; i++) {
        assert_true(virtio_queue_set_num(f->dev, i, NUM));
        virtio_queue_set_addr(f->dev, i, q[i]->desc, q[i]->avail, q[i]->used);
        virtio_queue_set_ready(f->dev, i, true);
    }
    virtio_set_status(f->dev, 0xf);
}

static int setup_features(void **state, bool mrg)
{
    struct fx *f = calloc(1, sizeof *f);
    td_init(&f->rx, NUM);
    ring_at(&f->tx, &f->rx, TD_RAM_BASE + 0x10000);
    ring_at(&f->ctrl, &f->rx, TD_RAM_BASE + 0x20000);
    struct virtio_net_backend be = { f, be_send };
    struct virtio_net_options o = { .mac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 }, .queue_size = NUM };
    f->dev = virtio_net_new(&f->rx.bus, &be, &o);
    assert_non_null(f->dev);
    struct virtio_transport tr = { q_irq, c_irq, f };
    virtio_dev_attach(f->dev, &tr, "test", false);
    uint64_t feat = virtio_offered_features(f->dev);
    if (!mrg)
        feat &= ~VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF);
    assert_false(virtio_net_can_receive(f->dev)); /* not running yet */
    bring_up(f, feat);
    *state = f;
    return 0;
}
static int setup(void **state) { return setup_features(state, true); }
static int setup_nomrg(void **state) { return setup_features(state, false); }

static int teardown(void **state)
{
    struct fx *f = *state;
    virtio_dev_free(f->dev);
    td_free(&f->rx);
    free(f);
    return 0;
}

static void test_features_config(void **state)
{
    struct fx *f = *state;
    uint64_t feat = virtio_offered_features(f->dev);
    const unsigned want[] = { VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS, VIRTIO_NET_F_MRG_RXBUF, VIRTIO_NET_F_CTRL_VQ,
                              VIRTIO_NET_F_CTRL_RX, VIRTIO_NET_F_MTU, VIRTIO_NET_F_CSUM, VIRTIO_NET_F_GUEST_CSUM,
                              VIRTIO_F_VERSION_1 };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_true(feat & VIRTIO_BIT(want[i]));
    assert_false(feat & VIRTIO_BIT(11)); /* no HOST_TSO4 */
    assert_false(feat & VIRTIO_BIT(22)); /* no MQ */
    uint8_t cfg[12];
    virtio_config_read(f->dev, 0, cfg, sizeof cfg);
    const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
    assert_memory_equal(cfg, mac, 6);
    assert_int_equal(virtio_ld16(cfg + 6), VIRTIO_NET_S_LINK_UP);
    assert_int_equal(virtio_ld16(cfg + 10), 1500);
}

/* A tx chain: the 12-byte header and the frame in two descriptors. */
static void transmit(struct fx *f, uint16_t head, const uint8_t hdr[12], const void *frame, uint32_t len)
{
    uint64_t h = td_alloc(&f->rx, 12), d = td_alloc(&f->rx, len);
    memcpy(td_ptr(&f->rx, h), hdr, 12);
    memcpy(td_ptr(&f->rx, d), frame, len);
    td_desc(&f->tx, head, h, 12, VIRTQ_DESC_F_NEXT, (uint16_t)(head + 1));
    td_desc(&f->tx, (uint16_t)(head + 1), d, len, 0, 0);
    td_publish(&f->tx, head);
    virtio_notify(f->dev, 1);
}

static void test_transmit(void **state)
{
    struct fx *f = *state;
    uint8_t hdr[12] = { 0 }, frame[60];
    for (unsigned i = 0; i < sizeof frame; i++)
        frame[i] = (uint8_t)i;
    transmit(f, 0, hdr, frame, sizeof frame);
    assert_int_equal(f->nsent, 1);
    assert_int_equal(f->sent_len[0], sizeof frame);
    assert_memory_equal(f->sent[0], frame, sizeof frame);
    assert_int_equal(td_used_idx(&f->tx), 1);
    assert_int_equal(td_used_len(&f->tx, 0), 0);
    assert_true(f->irqs > 0);

    /* NEEDS_CSUM: ones' complement sum over [start, end) into start+off */
    memset(frame, 0, sizeof frame);
    frame[34] = 0x12; frame[35] = 0x34; frame[36] = 0xab; frame[37] = 0xcd; frame[38] = 0xff;
    hdr[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    virtio_st16(hdr + 6, 34);
    virtio_st16(hdr + 8, 6);   /* the field lies at 40, zero (no pseudo-header here) */
    transmit(f, 2, hdr, frame, sizeof frame);
    assert_int_equal(f->nsent, 2);
    uint32_t s = 0x1234 + 0xabcd + 0xff00;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    assert_int_equal(f->sent[1][40] << 8 | f->sent[1][41], (~s) & 0xffff);

    /* checksum position past the end, a runt, GSO, a refusing backend */
    struct virtio_net_stats before = virtio_net_stats(f->dev);
    virtio_st16(hdr + 6, 58);
    transmit(f, 4, hdr, frame, sizeof frame);
    memset(hdr, 0, sizeof hdr);
    transmit(f, 6, hdr, frame, 10);
    hdr[1] = 1; /* GSO_TCPV4 */
    transmit(f, 8, hdr, frame, sizeof frame);
    hdr[1] = 0;
    f->refuse = true;
    transmit(f, 10, hdr, frame, sizeof frame);
    struct virtio_net_stats st = virtio_net_stats(f->dev);
    assert_int_equal(f->nsent, 2);
    assert_int_equal(st.tx_errors - before.tx_errors, 4);
    assert_int_equal(st.tx_frames, 2);
    assert_int_equal(td_used_idx(&f->tx), 6); /* every chain was returned */
    assert_int_equal(virtio_get_status(f->dev) & VIRTIO_STATUS_NEEDS_RESET, 0);
}

/* Offers one writable rx buffer of `len` bytes at descriptor `head`;
 * fills the buffer and 16 guard bytes after it with 0xee. */
static uint64_t rx_buffer(struct fx *f, uint16_t head, uint32_t len)
{
    uint64_t a = td_alloc(&f->rx, len + 16);
    memset(td_ptr(&f->rx, a), 0xee, len + 16);
    td_desc(&f->rx, head, a, len, VIRTQ_DESC_F_WRITE, 0);
    td_publish(&f->rx, head);
    return a;
}

static void frame_fill(uint8_t *p, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(seed + i * 13);
}

static void test_rx_no_mrg(void **state)
{
    struct fx *f = *state;
    uint8_t frame[1514];
    frame_fill(frame, sizeof frame, 1);
    assert_false(virtio_net_can_receive(f->dev)); /* no buffers */
    uint64_t small = rx_buffer(f, 0, 100);
    assert_true(virtio_net_can_receive(f->dev));
    /* too big for the buffer: dropped, counted, buffer untouched and kept */
    assert_true(virtio_net_receive(f->dev, frame, sizeof frame));
    assert_int_equal(virtio_net_stats(f->dev).rx_too_big, 1);
    assert_int_equal(td_used_idx(&f->rx), 0);
    for (unsigned i = 0; i < 116; i++)
        assert_int_equal(td_ptr(&f->rx, small)[i], 0xee);
    /* a frame that fits goes to the same buffer */
    assert_true(virtio_net_receive(f->dev, frame, 60));
    assert_int_equal(td_used_idx(&f->rx), 1);
    assert_int_equal(td_used_id(&f->rx, 0), 0);
    assert_int_equal(td_used_len(&f->rx, 0), 72);
    uint8_t *b = td_ptr(&f->rx, small);
    assert_int_equal(b[0], VIRTIO_NET_HDR_F_DATA_VALID);
    assert_int_equal(b[1], 0);
    assert_int_equal(virtio_ld16(b + 10), 1); /* num_buffers */
    assert_memory_equal(b + 12, frame, 60);
    assert_int_equal(b[72], 0xee);
    assert_int_equal(b[100], 0xee);
    /* a full-size frame in a big enough buffer */
    uint64_t big = rx_buffer(f, 1, 12 + 1514);
    assert_true(virtio_net_receive(f->dev, frame, sizeof frame));
    assert_int_equal(td_used_len(&f->rx, 1), 12 + 1514);
    assert_memory_equal(td_ptr(&f->rx, big) + 12, frame, sizeof frame);
    assert_int_equal(td_ptr(&f->rx, big)[12 + 1514], 0xee);
    struct virtio_net_stats st = virtio_net_stats(f->dev);
    assert_int_equal(st.rx_frames, 2);
    assert_int_equal(st.rx_bytes, 60 + 1514);
    assert_false(virtio_net_can_receive(f->dev));
}

static void test_rx_mrg(void **state)
{
    struct fx *f = *state;
    uint8_t frame[250], got[250];
    frame_fill(frame, sizeof frame, 7);
    uint64_t a[3];
    for (uint16_t i = 0; i < 3; i++)
        a[i] = rx_buffer(f, i, 100);
    assert_true(virtio_net_receive(f->dev, frame, sizeof frame));
    /* 12 + 250 = 262 bytes: 100 + 100 + 62 */
    assert_int_equal(td_used_idx(&f->rx), 3);
    assert_int_equal(td_used_len(&f->rx, 0), 100);
    assert_int_equal(td_used_len(&f->rx, 1), 100);
    assert_int_equal(td_used_len(&f->rx, 2), 62);
    assert_int_equal(virtio_ld16(td_ptr(&f->rx, a[0]) + 10), 3);
    memcpy(got, td_ptr(&f->rx, a[0]) + 12, 88);
    memcpy(got + 88, td_ptr(&f->rx, a[1]), 100);
    memcpy(got + 188, td_ptr(&f->rx, a[2]), 62);
    assert_memory_equal(got, frame, sizeof frame);
    assert_int_equal(td_ptr(&f->rx, a[2])[62], 0xee);
    assert_int_equal(td_ptr(&f->rx, a[2])[100], 0xee);

    /* the ring runs dry mid-frame: nothing is used, the frame waits */
    uint64_t b0 = rx_buffer(f, 3, 100);
    assert_true(virtio_net_receive(f->dev, frame, sizeof frame));
    assert_int_equal(td_used_idx(&f->rx), 3);
    assert_false(virtio_net_can_receive(f->dev));
    assert_false(virtio_net_receive(f->dev, frame, 60)); /* one frame waits at most */
    uint64_t b1 = rx_buffer(f, 4, 200);
    unsigned irqs = f->irqs;
    td_set_used_event(&f->rx, td_used_idx(&f->rx)); /* EVENT_IDX: interrupt on the next one */
    virtio_notify(f->dev, 0); /* the driver adds buffers: the frame goes */
    assert_int_equal(td_used_idx(&f->rx), 5);
    assert_true(f->irqs > irqs);
    assert_int_equal(virtio_ld16(td_ptr(&f->rx, b0) + 10), 2);
    assert_int_equal(td_used_len(&f->rx, 4), 162);
    assert_memory_equal(td_ptr(&f->rx, b1), frame + 88, 162);
    assert_int_equal(virtio_net_stats(f->dev).rx_frames, 2);

    /* the first buffer smaller than the header: dropped, buffer kept */
    rx_buffer(f, 5, 8);
    assert_true(virtio_net_receive(f->dev, frame, 60));
    assert_int_equal(virtio_net_stats(f->dev).rx_too_big, 1);
    assert_int_equal(td_used_idx(&f->rx), 5);

    /* reset forgets a waiting frame */
    virtio_set_status(f->dev, 0);
    assert_false(virtio_net_can_receive(f->dev));
}

/* A control command: class, command, data (out), ack (in). Returns the ack. */
static uint8_t ctrl(struct fx *f, uint16_t head, uint8_t cls, uint8_t cmd, const void *data, uint32_t len)
{
    uint64_t h = td_alloc(&f->rx, 2), d = td_alloc(&f->rx, len + 1), ack = td_alloc(&f->rx, 1);
    td_ptr(&f->rx, h)[0] = cls;
    td_ptr(&f->rx, h)[1] = cmd;
    memcpy(td_ptr(&f->rx, d), data, len);
    *td_ptr(&f->rx, ack) = 0xee;
    td_desc(&f->ctrl, head, h, 2, VIRTQ_DESC_F_NEXT, (uint16_t)(head + 1));
    td_desc(&f->ctrl, (uint16_t)(head + 1), d, len, VIRTQ_DESC_F_NEXT, (uint16_t)(head + 2));
    td_desc(&f->ctrl, (uint16_t)(head + 2), ack, 1, VIRTQ_DESC_F_WRITE, 0);
    td_publish(&f->ctrl, head);
    virtio_notify(f->dev, 2);
    return *td_ptr(&f->rx, ack);
}

static void test_ctrl(void **state)
{
    struct fx *f = *state;
    uint8_t on = 1, off = 0;
    assert_int_equal(ctrl(f, 0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1), VIRTIO_NET_OK);
    assert_true(virtio_net_stats(f->dev).promisc);
    assert_int_equal(ctrl(f, 3, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, &on, 1), VIRTIO_NET_OK);
    assert_true(virtio_net_stats(f->dev).allmulti);
    assert_int_equal(ctrl(f, 6, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1), VIRTIO_NET_OK);
    assert_false(virtio_net_stats(f->dev).promisc);
    assert_int_equal(ctrl(f, 9, VIRTIO_NET_CTRL_RX, 77, &on, 1), VIRTIO_NET_ERR);
    assert_int_equal(ctrl(f, 12, 9, 0, &on, 1), VIRTIO_NET_ERR);
    /* MAC table: 1 unicast entry, 0 multicast; then a truncated one */
    uint8_t table[4 + 6 + 4] = { 1, 0, 0, 0, 0x52, 0x54, 0, 1, 2, 3, 0, 0, 0, 0 };
    assert_int_equal(ctrl(f, 0, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, table, sizeof table),
                     VIRTIO_NET_OK);
    table[0] = 5;
    assert_int_equal(ctrl(f, 3, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, table, sizeof table),
                     VIRTIO_NET_ERR);
    const uint8_t mac[6] = { 0x52, 0x54, 0, 0xaa, 0xbb, 0xcc };
    assert_int_equal(ctrl(f, 6, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mac, 6), VIRTIO_NET_OK);
    uint8_t cfg[6];
    virtio_config_read(f->dev, 0, cfg, 6);
    assert_memory_equal(cfg, mac, 6);
    assert_int_equal(td_used_idx(&f->ctrl), 8);
    /* reset restores the configured MAC (and forgets the rx mode) */
    virtio_set_status(f->dev, 0);
    virtio_config_read(f->dev, 0, cfg, 6);
    assert_int_equal(cfg[3], 0x12);
    assert_false(virtio_net_stats(f->dev).allmulti);
    bring_up(f, virtio_offered_features(f->dev));
    f->ctrl.avail_idx = 0;
    assert_int_equal(td_used_len(&f->ctrl, 7), 1);
    /* no room for the ack: a protocol error */
    uint64_t h = td_alloc(&f->rx, 3);
    td_desc(&f->ctrl, 0, h, 3, 0, 0);
    td_publish(&f->ctrl, 0);
    virtio_notify(f->dev, 2);
    assert_true(virtio_get_status(f->dev) & VIRTIO_STATUS_NEEDS_RESET);
    assert_true(f->config_irqs > 0);
    assert_false(virtio_net_can_receive(f->dev));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_features_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transmit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_no_mrg, setup_nomrg, teardown),
        cmocka_unit_test_setup_teardown(test_rx_mrg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ctrl, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
