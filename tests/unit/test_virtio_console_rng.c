/* tests/unit/test_virtio_console_rng.c: the virtio console (transmit to the
 * port, receive into posted buffers, EMERG_WRITE, an unconnected port) and
 * the virtio entropy device (seeded: reproducible; unseeded: pending until
 * the machine feeds host entropy; the 64 KiB cap). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "virtio/console.h"
#include "virtio/rng.h"
#include "virtq_driver.h"

#define NUM 16

struct fx {
    struct tdrv rx, tx;   /* two queues' rings, in one RAM (rx.bus) */
    struct virtio_dev *dev;
    uint8_t out[8192];
    size_t out_len;
    unsigned irqs;
};

static void port_write(void *ctx, const uint8_t *buf, size_t len)
{
    struct fx *f = ctx;
    memcpy(f->out + f->out_len, buf, len);
    f->out_len += len;
}

static void q_irq(void *ctx, unsigned q) { ((struct fx *)ctx)->irqs++; }
static void c_irq(void *ctx) {}

static void start(struct fx *f, unsigned nq)
{
    struct virtio_transport tr = { q_irq, c_irq, f };
    virtio_dev_attach(f->dev, &tr, NULL, false);
    virtio_set_status(f->dev, 3);
    virtio_set_driver_features(f->dev, VIRTIO_BIT(VIRTIO_F_VERSION_1));
    virtio_set_status(f->dev, 0xb);
    struct tdrv *t[2] = { &f->rx, &f->tx };
    for (unsigned q = 0; q < nq; q++) {
        virtio_queue_set_num(f->dev, q, NUM);
        virtio_queue_set_addr(f->dev, q, t[q]->desc, t[q]->avail, t[q]->used);
        virtio_queue_set_ready(f->dev, q, true);
    }
    virtio_set_status(f->dev, 0xf);
}

static struct fx *make(void)
{
    struct fx *f = calloc(1, sizeof *f);
    td_init(&f->rx, NUM);
    /* the tx rings live in the same RAM, further up */
    f->tx = f->rx;
    f->tx.desc = TD_RAM_BASE + 0x10000;
    f->tx.avail = f->tx.desc + 16 * NUM;
    f->tx.used = f->tx.desc + 0x1000;
    f->tx.heap = TD_HEAP + (4 << 20);
    return f;
}

static int setup_console(void **state)
{
    struct fx *f = make();
    struct virtio_console_port port = { port_write, f };
    f->dev = virtio_console_new(&f->rx.bus, &port);
    start(f, 2);
    *state = f;
    return 0;
}

static int setup_unconnected(void **state)
{
    struct fx *f = make();
    f->dev = virtio_console_new(&f->rx.bus, NULL);
    start(f, 2);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    virtio_dev_free(f->dev);
    td_free(&f->rx);
    free(f);
    return 0;
}

static void test_transmit(void **state)
{
    struct fx *f = *state;
    uint64_t a = td_alloc(&f->tx, 6), b = td_alloc(&f->tx, 7);
    memcpy(td_ptr(&f->tx, a), "hello ", 6);
    memcpy(td_ptr(&f->tx, b), "world\n", 6);
    td_desc(&f->tx, 0, a, 6, VIRTQ_DESC_F_NEXT, 1);
    td_desc(&f->tx, 1, b, 6, 0, 0);
    td_publish(&f->tx, 0);
    virtio_notify(f->dev, 1);
    assert_int_equal(f->out_len, 12);
    assert_memory_equal(f->out, "hello world\n", 12);
    assert_int_equal(td_used_idx(&f->tx), 1);
    assert_int_equal(f->irqs, 1);
}

static void test_receive(void **state)
{
    struct fx *f = *state;
    /* nothing posted: nothing taken */
    assert_int_equal(virtio_console_receive(f->dev, (const uint8_t *)"abc", 3), 0);
    uint64_t b0 = td_alloc(&f->rx, 4), b1 = td_alloc(&f->rx, 4);
    td_desc(&f->rx, 0, b0, 4, VIRTQ_DESC_F_WRITE, 0);
    td_desc(&f->rx, 1, b1, 4, VIRTQ_DESC_F_WRITE, 0);
    td_publish(&f->rx, 0);
    td_publish(&f->rx, 1);
    /* 10 bytes, 8 bytes of buffers: 8 taken, one interrupt */
    assert_int_equal(virtio_console_receive(f->dev, (const uint8_t *)"0123456789", 10), 8);
    assert_memory_equal(td_ptr(&f->rx, b0), "0123", 4);
    assert_memory_equal(td_ptr(&f->rx, b1), "4567", 4);
    assert_int_equal(td_used_len(&f->rx, 0), 4);
    assert_int_equal(td_used_len(&f->rx, 1), 4);
    assert_int_equal(f->irqs, 1);
    td_publish(&f->rx, 0);
    assert_int_equal(virtio_console_receive(f->dev, (const uint8_t *)"89", 2), 2);
    assert_int_equal(td_used_len(&f->rx, 2), 2);
}

static void test_receive_before_driver_ok(void **state)
{
    struct fx *f = *state;
    virtio_reset(f->dev);
    assert_int_equal(virtio_console_receive(f->dev, (const uint8_t *)"x", 1), 0);
}

static void test_emerg_write(void **state)
{
    struct fx *f = *state;
    assert_true(virtio_offered_features(f->dev) & VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE));
    uint8_t v[4] = { 'Z', 0, 0, 0 };
    virtio_config_write(f->dev, 8, v, 4);
    assert_int_equal(f->out_len, 1);
    assert_int_equal(f->out[0], 'Z');
    assert_int_equal(f->dev->device_id, 3);
}

static void test_unconnected(void **state)
{
    struct fx *f = *state;
    uint64_t a = td_alloc(&f->tx, 4);
    td_desc(&f->tx, 0, a, 4, 0, 0);
    td_publish(&f->tx, 0);
    virtio_notify(f->dev, 1);
    assert_int_equal(td_used_idx(&f->tx), 1); /* consumed, dropped */
    assert_int_equal(f->out_len, 0);
}

/* ---- rng ---- */

static void rng_request(struct fx *f, uint16_t head, uint64_t buf, uint32_t len)
{
    td_desc(&f->rx, head, buf, len, VIRTQ_DESC_F_WRITE, 0);
    td_publish(&f->rx, head);
}

static void test_rng_seeded_reproducible(void **state)
{
    uint8_t got[2][64];
    for (int run = 0; run < 2; run++) {
        struct fx *f = make();
        uint64_t seed = 42;
        f->dev = virtio_rng_new(&f->rx.bus, &seed);
        start(f, 1);
        uint64_t a = td_alloc(&f->rx, 64);
        rng_request(f, 0, a, 64);
        virtio_notify(f->dev, 0);
        assert_int_equal(td_used_idx(&f->rx), 1);
        assert_int_equal(td_used_len(&f->rx, 0), 64);
        memcpy(got[run], td_ptr(&f->rx, a), 64);
        assert_int_equal(f->dev->device_id, 4);
        virtio_dev_free(f->dev);
        td_free(&f->rx);
        free(f);
    }
    assert_memory_equal(got[0], got[1], 64);
    static const uint8_t zero[64];
    assert_memory_not_equal(got[0], zero, 64);
}

static void test_rng_seeds_differ(void **state)
{
    uint8_t got[2][32];
    for (int run = 0; run < 2; run++) {
        struct fx *f = make();
        uint64_t seed = (uint64_t)run;
        f->dev = virtio_rng_new(&f->rx.bus, &seed);
        start(f, 1);
        uint64_t a = td_alloc(&f->rx, 32);
        rng_request(f, 0, a, 32);
        virtio_notify(f->dev, 0);
        memcpy(got[run], td_ptr(&f->rx, a), 32);
        virtio_dev_free(f->dev);
        td_free(&f->rx);
        free(f);
    }
    assert_memory_not_equal(got[0], got[1], 32);
}

static size_t fake_entropy(void *ctx, uint8_t *buf, size_t len)
{
    memset(buf, 0x5a, len);
    *(unsigned *)ctx += (unsigned)len;
    return len;
}

static void test_rng_host_pending(void **state)
{
    struct fx *f = make();
    f->dev = virtio_rng_new(&f->rx.bus, NULL);
    start(f, 1);
    assert_false(virtio_rng_pending(f->dev));
    uint64_t a = td_alloc(&f->rx, 16);
    rng_request(f, 0, a, 16);
    virtio_notify(f->dev, 0);
    /* host entropy is input: nothing happens until the machine polls */
    assert_int_equal(td_used_idx(&f->rx), 0);
    assert_true(virtio_rng_pending(f->dev));
    unsigned given = 0;
    virtio_rng_fill(f->dev, fake_entropy, &given);
    assert_int_equal(given, 16);
    assert_int_equal(td_used_idx(&f->rx), 1);
    assert_int_equal(*td_ptr(&f->rx, a + 15), 0x5a);
    assert_false(virtio_rng_pending(f->dev));
    assert_int_equal(f->irqs, 1);
    virtio_dev_free(f->dev);
    td_free(&f->rx);
    free(f);
}

static void test_rng_cap(void **state)
{
    struct fx *f = make();
    uint64_t seed = 1;
    f->dev = virtio_rng_new(&f->rx.bus, &seed);
    start(f, 1);
    uint64_t a = td_alloc(&f->rx, 1 << 20);
    rng_request(f, 0, a, 1 << 20);
    virtio_notify(f->dev, 0);
    assert_int_equal(td_used_len(&f->rx, 0), 64 << 10);
    virtio_dev_free(f->dev);
    td_free(&f->rx);
    free(f);
}

static void test_rng_snapshot(void **state)
{
    struct fx *f = make();
    uint64_t seed = 7;
    f->dev = virtio_rng_new(&f->rx.bus, &seed);
    start(f, 1);
    struct state s;
    state_init_save(&s);
    virtio_dev_state(f->dev, &s);
    assert_true(state_ok(&s, false));
    uint64_t a = td_alloc(&f->rx, 16), b = td_alloc(&f->rx, 16);
    rng_request(f, 0, a, 16);
    virtio_notify(f->dev, 0);
    /* back in time: the same bytes again */
    struct state in;
    state_init_load(&in, s.buf, s.len);
    virtio_dev_state(f->dev, &in);
    assert_true(state_ok(&in, true));
    memset(td_ptr(&f->rx, f->rx.used), 0, 4 + 8 * NUM);
    f->rx.avail_idx = 0;
    rng_request(f, 0, b, 16);
    virtio_notify(f->dev, 0);
    assert_memory_equal(td_ptr(&f->rx, a), td_ptr(&f->rx, b), 16);
    state_free(&s);
    virtio_dev_free(f->dev);
    td_free(&f->rx);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_transmit, setup_console, teardown),
        cmocka_unit_test_setup_teardown(test_receive, setup_console, teardown),
        cmocka_unit_test_setup_teardown(test_receive_before_driver_ok, setup_console, teardown),
        cmocka_unit_test_setup_teardown(test_emerg_write, setup_console, teardown),
        cmocka_unit_test_setup_teardown(test_unconnected, setup_unconnected, teardown),
        cmocka_unit_test(test_rng_seeded_reproducible),
        cmocka_unit_test(test_rng_seeds_differ),
        cmocka_unit_test(test_rng_host_pending),
        cmocka_unit_test(test_rng_cap),
        cmocka_unit_test(test_rng_snapshot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
