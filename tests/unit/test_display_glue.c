/* tests/unit/test_display_glue.c: the board's routing of host display
 * events to virtio input devices (machine/display_glue.c): keys to the
 * keyboard, absolute motion to the tablet, relative motion to the mouse,
 * buttons and wheel to the pointer that moved last, grab on a click with
 * only a mouse, window close -> KEY_POWER (or a stop without a keyboard),
 * second close -> stop; virtio-gpu options and the display hand-off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "machine/devices.h"
#include "machine/display_glue.h"
extern const struct device_desc device_type_virtio_gpu;
#include "virtq_driver.h"

#define NUM 16

/* A fake host display: a script of events, a grab flag, counters. */
struct fake {
    struct devices_input_event ev[16];
    unsigned n, pos;
    bool grab;
    unsigned refreshes, detaches, scanouts;
};

static bool f_poll(void *ctx, struct devices_input_event *ev)
{
    struct fake *f = ctx;
    if (f->pos == f->n)
        return false;
    *ev = f->ev[f->pos++];
    return true;
}
static void f_refresh(void *ctx) { ((struct fake *)ctx)->refreshes++; }
static void f_detach(void *ctx) { ((struct fake *)ctx)->detaches++; }
static void f_set_grab(void *ctx, bool g) { ((struct fake *)ctx)->grab = g; }
static bool f_grabbed(void *ctx) { return ((struct fake *)ctx)->grab; }
static void f_scanout(void *ctx, const struct virtio_gpu_surface *s) { ((struct fake *)ctx)->scanouts++; }

static void push(struct fake *f, enum devices_input_type t, uint16_t code, bool down, int32_t x, int32_t y)
{
    f->ev[f->n++] = (struct devices_input_event){ t, code, down, x, y };
}

/* An input device with its event queue in its own part of test RAM. */
struct dev {
    struct virtio_dev *d;
    struct tdrv q;
    uint64_t bufs;
};

static void q_irq(void *ctx, unsigned q) { }
static void c_irq(void *ctx) { }

static void dev_up(struct dev *v, struct tdrv *t, unsigned k)
{
    v->q = *t;
    v->q.num = NUM;
    v->q.desc = TD_RAM_BASE + 0x10000 * (k + 1);
    v->q.avail = v->q.desc + 16 * NUM;
    v->q.used = v->q.desc + 0x1000;
    v->q.avail_idx = 0;
    v->bufs = v->q.desc + 0x2000;
    struct virtio_transport tr = { q_irq, c_irq, NULL };
    virtio_dev_attach(v->d, &tr, "test", false);
    virtio_set_status(v->d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    virtio_set_driver_features(v->d, virtio_offered_features(v->d));
    virtio_set_status(v->d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    assert_true(virtio_queue_set_num(v->d, 0, NUM));
    virtio_queue_set_addr(v->d, 0, v->q.desc, v->q.avail, v->q.used);
    virtio_queue_set_ready(v->d, 0, true);
    virtio_set_status(v->d, 0xf);
    for (unsigned i = 0; i < NUM; i++) {
        td_desc(&v->q, i, v->bufs + 8 * i, 8, VIRTQ_DESC_F_WRITE, 0);
        td_publish(&v->q, (uint16_t)i);
    }
    virtio_notify(v->d, 0);
}

/* The i-th event the device delivered: type, code, value. */
static void got(struct dev *v, uint16_t i, uint16_t type, uint16_t code, int32_t value)
{
    assert_true(td_used_idx(&v->q) > i);
    uint8_t *b = td_ptr(&v->q, v->bufs + 8 * td_used_id(&v->q, i));
    assert_int_equal(virtio_ld16(b), type);
    assert_int_equal(virtio_ld16(b + 2), code);
    assert_int_equal((int32_t)virtio_ld32(b + 4), value);
}

static struct devices_display display_of(struct fake *f)
{
    return (struct devices_display){ .ctx = f, .set_scanout = f_scanout, .poll_event = f_poll,
                                     .refresh = f_refresh, .set_grab = f_set_grab, .grabbed = f_grabbed,
                                     .detach = f_detach };
}

static void test_routing(void **state)
{
    struct tdrv t;
    td_init(&t, NUM);
    struct fake f = { 0 };
    struct devices_display dd = display_of(&f);
    struct display_glue *g = display_glue_new(&dd);
    struct dev kbd = { .d = display_glue_input(g, &t.bus, VIRTIO_INPUT_KEYBOARD, NULL) };
    struct dev mouse = { .d = display_glue_input(g, &t.bus, VIRTIO_INPUT_MOUSE, NULL) };
    struct dev tab = { .d = display_glue_input(g, &t.bus, VIRTIO_INPUT_TABLET, NULL) };
    dev_up(&kbd, &t, 0);
    dev_up(&mouse, &t, 1);
    dev_up(&tab, &t, 2);

    push(&f, DEVICES_IN_KEY, 30, true, 0, 0);
    push(&f, DEVICES_IN_ABS, 0, false, 100, 32767);
    push(&f, DEVICES_IN_BUTTON, VIRTIO_INPUT_BTN_LEFT, true, 0, 0);
    push(&f, DEVICES_IN_REL, 0, false, -3, 4);
    push(&f, DEVICES_IN_WHEEL, 0, false, 0, -1);
    assert_false(display_glue_poll(g));
    assert_int_equal(f.refreshes, 1);
    /* keyboard: KEY_A down, SYN */
    assert_int_equal(td_used_idx(&kbd.q), 2);
    got(&kbd, 0, VIRTIO_INPUT_EV_KEY, 30, 1);
    got(&kbd, 1, VIRTIO_INPUT_EV_SYN, 0, 0);
    /* tablet: X, Y, SYN, then the button (the tablet moved last) */
    assert_int_equal(td_used_idx(&tab.q), 5);
    got(&tab, 0, VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_X, 100);
    got(&tab, 1, VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_Y, 32767);
    got(&tab, 2, VIRTIO_INPUT_EV_SYN, 0, 0);
    got(&tab, 3, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_BTN_LEFT, 1);
    /* mouse: relative motion, then the wheel (the mouse moved last) */
    assert_int_equal(td_used_idx(&mouse.q), 5);
    got(&mouse, 0, VIRTIO_INPUT_EV_REL, VIRTIO_INPUT_REL_X, -3);
    got(&mouse, 1, VIRTIO_INPUT_EV_REL, VIRTIO_INPUT_REL_Y, 4);
    got(&mouse, 3, VIRTIO_INPUT_EV_REL, VIRTIO_INPUT_REL_WHEEL, -1);
    assert_false(f.grab);   /* a tablet exists: no grab needed */

    /* first close: KEY_POWER press and release; second: stop */
    f.n = f.pos = 0;
    push(&f, DEVICES_IN_POWERDOWN, 0, false, 0, 0);
    assert_false(display_glue_poll(g));
    got(&kbd, 2, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_KEY_POWER, 1);
    got(&kbd, 4, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_KEY_POWER, 0);
    f.n = f.pos = 0;
    push(&f, DEVICES_IN_QUIT, 0, false, 0, 0);
    assert_true(display_glue_poll(g));

    display_glue_free(g);
    assert_int_equal(f.detaches, 1);
    virtio_dev_free(kbd.d);
    virtio_dev_free(mouse.d);
    virtio_dev_free(tab.d);
    td_free(&t);
}

static void test_mouse_only_grabs_and_no_keyboard_stops(void **state)
{
    struct tdrv t;
    td_init(&t, NUM);
    struct fake f = { 0 };
    struct devices_display dd = display_of(&f);
    struct display_glue *g = display_glue_new(&dd);
    struct dev mouse = { .d = display_glue_input(g, &t.bus, VIRTIO_INPUT_MOUSE, NULL) };
    dev_up(&mouse, &t, 0);
    push(&f, DEVICES_IN_ABS, 0, false, 5, 5);     /* nowhere to go: dropped */
    push(&f, DEVICES_IN_BUTTON, VIRTIO_INPUT_BTN_RIGHT, true, 0, 0);
    push(&f, DEVICES_IN_KEY, 30, true, 0, 0);     /* no keyboard: dropped */
    assert_false(display_glue_poll(g));
    assert_true(f.grab);
    assert_int_equal(td_used_idx(&mouse.q), 2);
    got(&mouse, 0, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_BTN_RIGHT, 1);
    f.n = f.pos = 0;
    push(&f, DEVICES_IN_POWERDOWN, 0, false, 0, 0);
    assert_true(display_glue_poll(g));            /* no keyboard: a clean stop */
    display_glue_free(g);
    virtio_dev_free(mouse.d);
    td_free(&t);
}

/* A gpu made the way the registry does, through its descriptor. */
static struct virtio_dev *make_gpu(struct display_glue *g, struct bus *bus, const char *arg)
{
    struct optlist o;
    assert_int_equal(optlist_parse(arg, &o), 0);
    struct device_args a = { .desc = &device_type_virtio_gpu, .bus = bus, .opts = &o,
                             .display = display_glue_port(g) };
    struct device_instance in = { 0 };
    char err[64];
    assert_int_equal(device_type_virtio_gpu.create(&in, &a, err, sizeof err), 0);
    optlist_free(&o);
    return in.vdev;
}

static void test_gpu_options_and_no_display(void **state)
{
    struct tdrv t;
    td_init(&t, NUM);
    assert_int_equal(devices_check("virtio-gpu-device,xres=1024", NULL), 0);
    assert_int_equal(devices_check("virtio-gpu-device,xres=0x400", NULL), 0);
    assert_int_equal(devices_check("virtio-gpu-device,xres=16,yres=4095", NULL), 0);
    assert_int_equal(devices_check("virtio-gpu-device,xres=15", NULL), -1);
    assert_int_equal(devices_check("virtio-gpu-device,yres=4096", NULL), -1);
    assert_int_equal(devices_check("virtio-gpu-device,xres=-1", NULL), -1);
    assert_int_equal(devices_check("virtio-gpu-device,xres=12x", NULL), -1);
    assert_int_equal(devices_check("virtio-gpu-device,xres=", NULL), -1);
    /* no host display: devices work, polls do nothing */
    struct display_glue *g = display_glue_new(NULL);
    struct virtio_dev *gpu = make_gpu(g, &t.bus, "virtio-gpu-device,xres=800,yres=600");
    assert_non_null(gpu);
    assert_false(display_glue_poll(g));
    display_glue_free(g);
    virtio_dev_free(gpu);
    /* with a display: only the first gpu is connected */
    struct fake f = { 0 };
    struct devices_display dd = display_of(&f);
    g = display_glue_new(&dd);
    struct virtio_dev *g1 = make_gpu(g, &t.bus, "virtio-gpu-device"), *g2 = make_gpu(g, &t.bus, "virtio-gpu-device");
    virtio_reset(g1);
    virtio_reset(g2);
    display_glue_free(g);
    virtio_dev_free(g1);
    virtio_dev_free(g2);
    td_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routing),
        cmocka_unit_test(test_mouse_only_grabs_and_no_keyboard_stops),
        cmocka_unit_test(test_gpu_options_and_no_display),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
