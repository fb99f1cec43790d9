/* tests/unit/test_virtio_input.c: virtio keyboard, mouse and tablet: the
 * config select/subsel queries (name, serial, ids, event bits, absolute
 * axis info, unknown selects), events reaching the event queue with their
 * SYN_REPORT, buffering until the driver posts buffers, overflow dropping
 * whole reports, and the status queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "virtio/input.h"
#include "virtq_driver.h"

#define NUM 64

struct fx {
    struct tdrv t;
    struct virtio_dev *dev;
    uint64_t bufs;
    uint16_t posted;
};

static void q_irq(void *ctx, unsigned q) { }
static void c_irq(void *ctx) { }

static struct fx *make(enum virtio_input_kind kind, const struct virtio_input_options *o)
{
    struct fx *f = calloc(1, sizeof *f);
    td_init(&f->t, NUM);
    f->dev = virtio_input_new(&f->t.bus, kind, o);
    assert_non_null(f->dev);
    struct virtio_transport tr = { q_irq, c_irq, f };
    virtio_dev_attach(f->dev, &tr, "test", false);
    f->bufs = td_alloc(&f->t, 8 * NUM);
    return f;
}

static void up(struct fx *f)
{
    virtio_set_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    virtio_set_driver_features(f->dev, virtio_offered_features(f->dev));
    virtio_set_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    assert_true(virtio_queue_set_num(f->dev, 0, NUM));
    virtio_queue_set_addr(f->dev, 0, f->t.desc, f->t.avail, f->t.used);
    virtio_queue_set_ready(f->dev, 0, true);
    virtio_set_status(f->dev, 0xf);
}

static void done(struct fx *f)
{
    virtio_dev_free(f->dev);
    td_free(&f->t);
    free(f);
}

/* Posts n event buffers of 8 bytes. */
static void post(struct fx *f, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        uint16_t d = f->posted % NUM;
        td_desc(&f->t, d, f->bufs + 8 * d, 8, VIRTQ_DESC_F_WRITE, 0);
        td_publish(&f->t, d);
        f->posted++;
    }
    virtio_notify(f->dev, 0);
}

/* The i-th used event. */
static void used_event(struct fx *f, uint16_t i, uint16_t *type, uint16_t *code, int32_t *value)
{
    uint32_t id = td_used_id(&f->t, i);
    uint8_t *b = td_ptr(&f->t, f->bufs + 8 * id);
    *type = virtio_ld16(b);
    *code = virtio_ld16(b + 2);
    *value = (int32_t)virtio_ld32(b + 4);
}

/* select/subsel, then the size and the answer. */
static unsigned query(struct fx *f, uint8_t sel, uint8_t sub, uint8_t *u)
{
    uint8_t s[2] = { sel, sub };
    virtio_config_write(f->dev, 0, s, 2);
    uint8_t cfg[VIRTIO_INPUT_CONFIG_LEN];
    virtio_config_read(f->dev, 0, cfg, sizeof cfg);
    assert_int_equal(cfg[0], sel);
    assert_int_equal(cfg[1], sub);
    memcpy(u, cfg + 8, 128);
    return cfg[2];
}

static bool bit(const uint8_t *u, unsigned n)
{
    return u[n / 8] >> (n % 8) & 1;
}

static void test_keyboard_config(void **state)
{
    struct fx *f = make(VIRTIO_INPUT_KEYBOARD, NULL);
    uint8_t u[128];
    unsigned n = query(f, VIRTIO_INPUT_CFG_ID_NAME, 0, u);
    assert_int_equal(n, strlen("QEMU Virtio Keyboard"));
    assert_memory_equal(u, "QEMU Virtio Keyboard", n);
    assert_int_equal(query(f, VIRTIO_INPUT_CFG_ID_SERIAL, 0, u), 0);
    assert_int_equal(query(f, VIRTIO_INPUT_CFG_ID_DEVIDS, 0, u), 8);
    assert_int_equal(virtio_ld16(u), 6);
    assert_int_equal(virtio_ld16(u + 2), 0x0627);
    assert_int_equal(virtio_ld16(u + 4), 1);
    n = query(f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_KEY, u);
    assert_int_equal(n, 32);    /* codes 1..255 */
    assert_false(bit(u, 0));
    assert_true(bit(u, 1));     /* KEY_ESC */
    assert_true(bit(u, 30));    /* KEY_A */
    assert_true(bit(u, VIRTIO_INPUT_KEY_POWER));
    assert_true(query(f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_REP, u) > 0);
    assert_int_equal(query(f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_LED, u), 1);
    assert_int_equal(u[0], 7);
    assert_int_equal(query(f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_REL, u), 0);
    assert_int_equal(query(f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_ABS, u), 0);
    assert_int_equal(query(f, VIRTIO_INPUT_CFG_ABS_INFO, 0, u), 0);
    assert_int_equal(query(f, VIRTIO_INPUT_CFG_PROP_BITS, 0, u), 0);
    assert_int_equal(query(f, VIRTIO_INPUT_CFG_UNSET, 0, u), 0);
    assert_int_equal(query(f, 0x77, 0x99, u), 0);
    /* the answer area is read-only */
    uint8_t junk[4] = { 1, 2, 3, 4 };
    query(f, VIRTIO_INPUT_CFG_ID_NAME, 0, u);
    virtio_config_write(f->dev, 2, junk, 4);
    virtio_config_write(f->dev, 8, junk, 4);
    uint8_t cfg[VIRTIO_INPUT_CONFIG_LEN];
    virtio_config_read(f->dev, 0, cfg, sizeof cfg);
    assert_int_equal(cfg[2], strlen("QEMU Virtio Keyboard"));
    assert_memory_equal(cfg + 8, "QEMU", 4);
    done(f);
}

static void test_keyboard_keymap_and_serial(void **state)
{
    uint8_t keys[128] = { 0 };
    keys[0] = 0x03;              /* bit 0 (reserved, dropped) and KEY_ESC */
    keys[240 / 8] |= 1 << (240 % 8);
    keys[0x2a0 / 8] |= 1;        /* a code above 255 */
    struct virtio_input_options o = { .keys = keys, .serial = "kbd-1" };
    struct fx *f = make(VIRTIO_INPUT_KEYBOARD, &o);
    uint8_t u[128];
    unsigned n = query(f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_KEY, u);
    assert_int_equal(n, 0x2a0 / 8 + 1);
    assert_false(bit(u, 0));
    assert_true(bit(u, 1));
    assert_false(bit(u, 2));
    assert_true(bit(u, 240));
    assert_true(bit(u, 0x2a0));
    assert_int_equal(query(f, VIRTIO_INPUT_CFG_ID_SERIAL, 0, u), 5);
    assert_memory_equal(u, "kbd-1", 5);
    done(f);
}

static void test_mouse_config(void **state)
{
    struct fx *f = make(VIRTIO_INPUT_MOUSE, NULL);
    uint8_t u[128];
    unsigned n = query(f, VIRTIO_INPUT_CFG_ID_NAME, 0, u);
    assert_memory_equal(u, "QEMU Virtio Mouse", n);
    query(f, VIRTIO_INPUT_CFG_ID_DEVIDS, 0, u);
    assert_int_equal(virtio_ld16(u + 4), 2);
    assert_true(query(f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_KEY, u) > 0);
    assert_true(bit(u, VIRTIO_INPUT_BTN_LEFT));
    assert_true(bit(u, VIRTIO_INPUT_BTN_RIGHT));
    assert_true(bit(u, VIRTIO_INPUT_BTN_MIDDLE));
    assert_false(bit(u, 30));
    assert_int_equal(query(f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_REL, u), 2);
    assert_true(bit(u, VIRTIO_INPUT_REL_X));
    assert_true(bit(u, VIRTIO_INPUT_REL_Y));
    assert_true(bit(u, VIRTIO_INPUT_REL_WHEEL));
    assert_true(bit(u, VIRTIO_INPUT_REL_HWHEEL));
    assert_int_equal(query(f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_ABS, u), 0);
    assert_int_equal(query(f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_REP, u), 0);
    assert_int_equal(query(f, VIRTIO_INPUT_CFG_ABS_INFO, 0, u), 0);
    done(f);
}

static void test_tablet_config(void **state)
{
    struct fx *f = make(VIRTIO_INPUT_TABLET, NULL);
    uint8_t u[128];
    unsigned n = query(f, VIRTIO_INPUT_CFG_ID_NAME, 0, u);
    assert_memory_equal(u, "QEMU Virtio Tablet", n);
    query(f, VIRTIO_INPUT_CFG_ID_DEVIDS, 0, u);
    assert_int_equal(virtio_ld16(u + 4), 3);
    assert_int_equal(query(f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_ABS, u), 1);
    assert_int_equal(u[0], 3);
    assert_true(query(f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_KEY, u) > 0);
    assert_true(bit(u, VIRTIO_INPUT_BTN_LEFT));
    assert_true(query(f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_REL, u) > 0);
    assert_false(bit(u, VIRTIO_INPUT_REL_X));
    assert_true(bit(u, VIRTIO_INPUT_REL_WHEEL));
    for (uint8_t axis = 0; axis < 2; axis++) {
        assert_int_equal(query(f, VIRTIO_INPUT_CFG_ABS_INFO, axis, u), 20);
        assert_int_equal(virtio_ld32(u), 0);
        assert_int_equal(virtio_ld32(u + 4), 32767);
        assert_int_equal(virtio_ld32(u + 8), 0);
    }
    assert_int_equal(query(f, VIRTIO_INPUT_CFG_ABS_INFO, 2, u), 0);
    done(f);
}

static void test_events(void **state)
{
    struct fx *f = make(VIRTIO_INPUT_KEYBOARD, NULL);
    struct virtio_input_event ev = { VIRTIO_INPUT_EV_KEY, 30, 1 };
    /* before DRIVER_OK nothing is accepted */
    assert_false(virtio_input_send(f->dev, &ev, 1));
    up(f);
    post(f, 4);
    assert_true(virtio_input_send(f->dev, &ev, 1));
    assert_int_equal(td_used_idx(&f->t), 2);
    uint16_t type, code;
    int32_t value;
    used_event(f, 0, &type, &code, &value);
    assert_int_equal(type, VIRTIO_INPUT_EV_KEY);
    assert_int_equal(code, 30);
    assert_int_equal(value, 1);
    assert_int_equal(td_used_len(&f->t, 0), 8);
    used_event(f, 1, &type, &code, &value);
    assert_int_equal(type, VIRTIO_INPUT_EV_SYN);
    assert_int_equal(code, VIRTIO_INPUT_SYN_REPORT);
    /* two buffers left: the key-up report fits, the next waits */
    ev.value = 0;
    assert_true(virtio_input_send(f->dev, &ev, 1));
    assert_true(virtio_input_send(f->dev, &ev, 1));
    assert_int_equal(td_used_idx(&f->t), 4);
    assert_int_equal(virtio_input_pending(f->dev), 2);
    post(f, 8);
    assert_int_equal(td_used_idx(&f->t), 6);
    assert_int_equal(virtio_input_pending(f->dev), 0);
    /* overflow drops whole reports */
    unsigned accepted = 0;
    for (int i = 0; i < 200; i++)
        accepted += virtio_input_send(f->dev, &ev, 1);
    assert_int_equal(accepted, 6 / 2 + VIRTIO_INPUT_PENDING / 2);
    assert_int_equal(virtio_input_pending(f->dev) % 2, 0);
    /* reset drops what waits */
    virtio_reset(f->dev);
    assert_int_equal(virtio_input_pending(f->dev), 0);
    done(f);
}

static void test_status_queue(void **state)
{
    struct fx *f = make(VIRTIO_INPUT_KEYBOARD, NULL);
    up(f);
    /* the status queue uses its own ring */
    struct tdrv s = f->t;
    s.desc = TD_RAM_BASE + 0x80000;
    s.avail = s.desc + 16 * NUM;
    s.used = TD_RAM_BASE + 0x82000;
    s.avail_idx = 0;
    assert_true(virtio_queue_set_num(f->dev, 1, NUM));
    virtio_queue_set_addr(f->dev, 1, s.desc, s.avail, s.used);
    virtio_queue_set_ready(f->dev, 1, true);
    uint64_t b = td_alloc(&f->t, 8);
    uint8_t led[8] = { VIRTIO_INPUT_EV_LED, 0, 1, 0, 1, 0, 0, 0 };
    memcpy(td_ptr(&f->t, b), led, 8);
    td_desc(&s, 0, b, 8, 0, 0);
    td_publish(&s, 0);
    virtio_notify(f->dev, 1);
    assert_int_equal(td_used_idx(&s), 1);
    assert_true(virtio_dev_running(f->dev));
    done(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyboard_config),
        cmocka_unit_test(test_keyboard_keymap_and_serial),
        cmocka_unit_test(test_mouse_config),
        cmocka_unit_test(test_tablet_config),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_status_queue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
