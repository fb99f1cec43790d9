/* tests/unit/test_net_queue.c: what every network backend shares (net.c):
 * frames reach the device only from poll, the bounded queue, drops and
 * counters, capture in both directions on the caller's clock. A fake
 * backend stands in for libslirp and TAP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "frontends/net.h"
#include "frontends/pcap.h"

struct fake {
    struct net_backend base;
    unsigned sent;
    size_t last_sent_len;
    int send_rc;
    unsigned host_frames;     /* enqueued by the next poll */
    uint64_t deadline;
    bool destroyed_flag;
};

static bool *destroyed; /* where the fake reports its destruction */

static int fake_send(struct net_backend *b, const void *frame, size_t len)
{
    struct fake *f = (struct fake *)b;
    f->sent++;
    f->last_sent_len = len;
    return f->send_rc;
}

static void fake_poll(struct net_backend *b)
{
    struct fake *f = (struct fake *)b;
    for (; f->host_frames; f->host_frames--) {
        uint8_t frame[64];
        memset(frame, 0, sizeof frame);
        frame[0] = (uint8_t)f->host_frames;
        net_backend_enqueue(b, frame, sizeof frame);
    }
}

static int fake_fill(struct net_backend *b, struct pollfd *fds, int max)
{
    return 0;
}

static uint64_t fake_deadline(struct net_backend *b)
{
    return ((struct fake *)b)->deadline;
}

static void fake_destroy(struct net_backend *b)
{
    if (destroyed)
        *destroyed = true;
    free(b);
}

static const struct net_backend_ops fake_ops = {
    .send = fake_send,
    .poll = fake_poll,
    .fill_pollfds = fake_fill,
    .next_deadline = fake_deadline,
    .destroy = fake_destroy,
};

struct dev {
    bool ready;
    unsigned budget;          /* frames it takes before it is full; ~0 = any */
    unsigned got;
    uint8_t first_bytes[NET_RX_QUEUE_MAX + 8];
    size_t last_len;
};

static bool dev_can_receive(void *opaque)
{
    struct dev *d = opaque;
    return d->ready && d->got < d->budget;
}

static void dev_rx(void *opaque, const void *frame, size_t len)
{
    struct dev *d = opaque;
    if (d->got < sizeof d->first_bytes)
        d->first_bytes[d->got] = ((const uint8_t *)frame)[0];
    d->got++;
    d->last_len = len;
}

static uint64_t test_now;

static uint64_t test_clock(void *opaque)
{
    return *(uint64_t *)opaque;
}

static struct fake *fake_open(void)
{
    struct fake *f = calloc(1, sizeof *f);
    assert_non_null(f);
    struct netdev_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.type = NETDEV_USER;
    strcpy(cfg.id, "fake0");
    struct net_clock clock = { .now_ns = test_clock, .opaque = &test_now };
    net_backend_init(&f->base, &fake_ops, &cfg, &clock);
    f->deadline = UINT64_MAX;
    return f;
}

static void test_send(void **state)
{
    struct fake *f = fake_open();
    uint8_t frame[NET_FRAME_MAX + 1];
    memset(frame, 0, sizeof frame);
    assert_int_equal(net_backend_send(&f->base, frame, 60), 0);
    assert_int_equal(f->sent, 1);
    assert_int_equal(f->last_sent_len, 60);
    /* Runts and giants never reach the backend. */
    assert_int_equal(net_backend_send(&f->base, frame, NET_FRAME_MIN - 1), -1);
    assert_int_equal(net_backend_send(&f->base, frame, NET_FRAME_MAX + 1), -1);
    assert_int_equal(net_backend_send(&f->base, frame, NET_FRAME_MAX), 0);
    assert_int_equal(f->sent, 2);
    f->send_rc = -1;
    assert_int_equal(net_backend_send(&f->base, frame, 100), -1);
    struct net_stats st = net_backend_stats(&f->base);
    assert_int_equal(st.tx_frames, 2);
    assert_int_equal(st.tx_bytes, 60 + NET_FRAME_MAX);
    assert_int_equal(st.tx_errors, 3);
    assert_string_equal(net_backend_id(&f->base), "fake0");
    assert_int_equal(net_backend_type(&f->base), NETDEV_USER);
    assert_null(net_tap_ifname(&f->base));
    net_backend_close(&f->base);
}

static void test_delivery_only_from_poll(void **state)
{
    struct fake *f = fake_open();
    struct dev d = { .ready = true, .budget = ~0u };
    net_backend_set_receiver(&f->base, dev_can_receive, dev_rx, &d);
    uint8_t frame[60] = { 0x42 };
    /* A frame a backend produces outside poll (libslirp answering inside
     * send) waits for the next poll. */
    assert_true(net_backend_enqueue(&f->base, frame, sizeof frame));
    assert_int_equal(d.got, 0);
    assert_int_equal(net_backend_next_deadline(&f->base), test_now);
    net_backend_poll(&f->base);
    assert_int_equal(d.got, 1);
    assert_int_equal(d.first_bytes[0], 0x42);
    assert_int_equal(d.last_len, 60);
    /* Frames the host side has at poll time are delivered in that poll. */
    f->host_frames = 3;
    net_backend_poll(&f->base);
    assert_int_equal(d.got, 4);
    assert_int_equal(d.first_bytes[1], 3);
    assert_int_equal(d.first_bytes[3], 1);
    struct net_stats st = net_backend_stats(&f->base);
    assert_int_equal(st.rx_frames, 4);
    assert_int_equal(st.rx_bytes, 60 + 3 * 64);
    assert_int_equal(st.rx_dropped, 0);
    /* Nothing queued: the backend's own deadline. */
    f->deadline = 12345;
    assert_int_equal(net_backend_next_deadline(&f->base), 12345);
    net_backend_close(&f->base);
}

static void test_bounded_queue(void **state)
{
    struct fake *f = fake_open();
    struct dev d = { .ready = false, .budget = ~0u };
    net_backend_set_receiver(&f->base, dev_can_receive, dev_rx, &d);
    uint8_t frame[60];
    for (unsigned i = 0; i < NET_RX_QUEUE_MAX + 10; i++) {
        frame[0] = (uint8_t)i;
        bool queued = net_backend_enqueue(&f->base, frame, sizeof frame);
        assert_int_equal(queued, i < NET_RX_QUEUE_MAX);
    }
    assert_int_equal(net_backend_queue_room(&f->base), 0);
    net_backend_poll(&f->base);
    assert_int_equal(d.got, 0);
    /* The device cannot take them: no reason to wake up for the queue. */
    assert_int_equal(net_backend_next_deadline(&f->base), UINT64_MAX);
    assert_int_equal(net_backend_stats(&f->base).rx_dropped, 10);

    /* The device takes 5, then is full again; order is kept. */
    d.ready = true;
    d.budget = 5;
    net_backend_poll(&f->base);
    assert_int_equal(d.got, 5);
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(d.first_bytes[i], i);
    d.budget = ~0u;
    net_backend_poll(&f->base);
    assert_int_equal(d.got, NET_RX_QUEUE_MAX);
    for (unsigned i = 0; i < NET_RX_QUEUE_MAX; i++)
        assert_int_equal(d.first_bytes[i], (uint8_t)i);
    assert_int_equal(net_backend_queue_room(&f->base), NET_RX_QUEUE_MAX);

    /* Bad lengths are never queued. */
    assert_false(net_backend_enqueue(&f->base, frame, NET_FRAME_MIN - 1));
    assert_int_equal(net_backend_stats(&f->base).rx_dropped, 11);
    /* Closing with frames still queued frees them (ASan checks). */
    d.ready = false;
    assert_true(net_backend_enqueue(&f->base, frame, sizeof frame));
    net_backend_close(&f->base);
}

static void test_no_receiver(void **state)
{
    struct fake *f = fake_open();
    f->host_frames = 4;
    assert_int_equal(net_backend_next_deadline(&f->base), UINT64_MAX);
    net_backend_poll(&f->base);
    assert_int_equal(net_backend_stats(&f->base).rx_dropped, 4);
    assert_int_equal(net_backend_queue_room(&f->base), NET_RX_QUEUE_MAX);
    /* NULL can_receive means always ready. */
    struct dev d = { .budget = 0 };
    net_backend_set_receiver(&f->base, NULL, dev_rx, &d);
    f->host_frames = 2;
    net_backend_poll(&f->base);
    assert_int_equal(d.got, 2);
    net_backend_close(&f->base);
    net_backend_close(NULL);
}

static void test_close_destroys(void **state)
{
    bool gone = false;
    destroyed = &gone;
    struct fake *f = fake_open();
    net_backend_close(&f->base);
    destroyed = NULL;
    assert_true(gone);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Both directions, stamped with the backend's clock: sends when sent,
 * host frames when delivered, dropped ones not at all. */
static void test_dump(void **state)
{
    char path[] = "/tmp/rivet-test-netq-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);

    struct fake *f = fake_open();
    struct dev d = { .ready = false, .budget = ~0u };
    net_backend_set_receiver(&f->base, dev_can_receive, dev_rx, &d);
    char err[256];
    assert_int_equal(net_backend_dump(&f->base, "/nonexistent-dir/x.pcap", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent-dir/x.pcap"));
    assert_int_equal(net_backend_dump(&f->base, path, err, sizeof err), 0);

    uint8_t out[70];
    memset(out, 0xee, sizeof out);
    test_now = 1000000000ull; /* 1 s */
    assert_int_equal(net_backend_send(&f->base, out, sizeof out), 0);
    uint8_t in[60];
    memset(in, 0x11, sizeof in);
    test_now = 2000000000ull;
    assert_true(net_backend_enqueue(&f->base, in, sizeof in));
    net_backend_poll(&f->base); /* not ready: nothing delivered, nothing captured */
    test_now = 3000002000ull;   /* 3 s + 2 us */
    d.ready = true;
    net_backend_poll(&f->base);
    assert_int_equal(d.got, 1);
    net_backend_close(&f->base);

    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    uint8_t b[512];
    size_t n = fread(b, 1, sizeof b, fp);
    fclose(fp);
    unlink(path);
    assert_int_equal(n, 24 + 16 + 70 + 16 + 60);
    assert_int_equal(le32(b), PCAP_MAGIC_US);
    const uint8_t *r = b + 24;
    assert_int_equal(le32(r), 1);
    assert_int_equal(le32(r + 4), 0);
    assert_int_equal(le32(r + 8), 70);
    assert_int_equal(r[16], 0xee);
    r += 16 + 70;
    assert_int_equal(le32(r), 3);
    assert_int_equal(le32(r + 4), 2);
    assert_int_equal(le32(r + 8), 60);
    assert_int_equal(r[16], 0x11);
    test_now = 0;
}

/* Unknown types and a build without libslirp give a reason, not a crash. */
static void test_open_errors(void **state)
{
    struct netdev_config cfg;
    char err[256] = "";
    memset(&cfg, 0, sizeof cfg);
    strcpy(cfg.id, "x");
    cfg.type = (enum netdev_type)99;
    assert_null(netdev_open(&cfg, NULL, err, sizeof err));
    assert_non_null(strstr(err, "unknown"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_send),
        cmocka_unit_test(test_delivery_only_from_poll),
        cmocka_unit_test(test_bounded_queue),
        cmocka_unit_test(test_no_receiver),
        cmocka_unit_test(test_close_destroys),
        cmocka_unit_test(test_dump),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
