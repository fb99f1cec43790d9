/* virtio/input.c: virtio keyboard, mouse and tablet. */
#include "virtio/input.h"
#include "bus/device.h"

#include <stdlib.h>
#include <string.h>

#define EVENTQ 0
#define STATUSQ 1
#define QUEUE_SIZE 64
#define BITMAP_BYTES 128u
#define BUS_VIRTUAL 0x06

struct input {
    struct virtio_dev vdev;
    enum virtio_input_kind kind;
    uint8_t keys[BITMAP_BYTES];
    char serial[BITMAP_BYTES];
    struct virtio_input_event pend[VIRTIO_INPUT_PENDING];
    unsigned head, count;
    struct virtq_elem elem;
};

static struct input *to_in(struct virtio_dev *d)
{
    return (struct input *)d;
}

static const char *const names[] = {
    [VIRTIO_INPUT_KEYBOARD] = "QEMU Virtio Keyboard",
    [VIRTIO_INPUT_MOUSE] = "QEMU Virtio Mouse",
    [VIRTIO_INPUT_TABLET] = "QEMU Virtio Tablet",
};

static void set_bit(uint8_t *bm, unsigned n)
{
    if (n < BITMAP_BYTES * 8)
        bm[n / 8] |= (uint8_t)(1u << (n % 8));
}

/* The answer to select/subsel in u (128 bytes); returns its size. */
static unsigned answer(struct input *in, uint8_t sel, uint8_t sub, uint8_t *u)
{
    bool pointer = in->kind != VIRTIO_INPUT_KEYBOARD;
    switch (sel) {
    case VIRTIO_INPUT_CFG_ID_NAME: {
        size_t n = strlen(names[in->kind]);
        memcpy(u, names[in->kind], n);
        return (unsigned)n;
    }
    case VIRTIO_INPUT_CFG_ID_SERIAL: {
        size_t n = strnlen(in->serial, sizeof in->serial);
        memcpy(u, in->serial, n);
        return (unsigned)n;
    }
    case VIRTIO_INPUT_CFG_ID_DEVIDS:
        virtio_st16(u, BUS_VIRTUAL);
        virtio_st16(u + 2, 0x0627);
        virtio_st16(u + 4, (uint16_t)(in->kind + 1));
        virtio_st16(u + 6, 1);
        return 8;
    case VIRTIO_INPUT_CFG_EV_BITS:
        switch (sub) {
        case VIRTIO_INPUT_EV_KEY:
            if (!pointer) {
                memcpy(u, in->keys, BITMAP_BYTES);
            } else {
                for (unsigned b = VIRTIO_INPUT_BTN_LEFT; b <= VIRTIO_INPUT_BTN_EXTRA; b++)
                    set_bit(u, b);
            }
            break;
        case VIRTIO_INPUT_EV_REL:
            if (!pointer)
                return 0;
            if (in->kind == VIRTIO_INPUT_MOUSE) {
                set_bit(u, VIRTIO_INPUT_REL_X);
                set_bit(u, VIRTIO_INPUT_REL_Y);
            }
            set_bit(u, VIRTIO_INPUT_REL_HWHEEL);
            set_bit(u, VIRTIO_INPUT_REL_WHEEL);
            break;
        case VIRTIO_INPUT_EV_ABS:
            if (in->kind != VIRTIO_INPUT_TABLET)
                return 0;
            set_bit(u, VIRTIO_INPUT_ABS_X);
            set_bit(u, VIRTIO_INPUT_ABS_Y);
            break;
        case VIRTIO_INPUT_EV_LED:
            if (pointer)
                return 0;
            u[0] = 0x07;  /* LED_NUML, LED_CAPSL, LED_SCROLLL */
            break;
        case VIRTIO_INPUT_EV_REP:
            /* The driver only asks whether the type exists (size != 0). */
            return pointer ? 0 : 1;
        default:
            return 0;
        }
        for (unsigned n = BITMAP_BYTES; n > 0; n--)
            if (u[n - 1])
                return n;
        return 0;
    case VIRTIO_INPUT_CFG_ABS_INFO:
        if (in->kind != VIRTIO_INPUT_TABLET || (sub != VIRTIO_INPUT_ABS_X && sub != VIRTIO_INPUT_ABS_Y))
            return 0;
        virtio_st32(u, 0);                       /* min */
        virtio_st32(u + 4, VIRTIO_INPUT_ABS_MAX); /* max */
        /* fuzz, flat, res: 0 */
        return 20;
    default:  /* UNSET, PROP_BITS (none) and anything unknown */
        return 0;
    }
}

static void update_config(struct input *in)
{
    uint8_t *c = in->vdev.config;
    memset(c + 2, 0, VIRTIO_INPUT_CONFIG_LEN - 2);
    c[2] = (uint8_t)answer(in, c[0], c[1], c + 8);
}

static void input_config_write(struct virtio_dev *d, unsigned off, const void *buf, unsigned len)
{
    struct input *in = to_in(d);
    /* Only select and subsel are writable. */
    for (unsigned i = 0; i < len; i++)
        if (off + i < 2)
            d->config[off + i] = ((const uint8_t *)buf)[i];
    update_config(in);
}

/* Moves pending events into the guest's buffers. */
static void deliver(struct input *in)
{
    struct virtio_dev *d = &in->vdev;
    bool any = false;
    while (in->count && virtio_dev_running(d)) {
        if (virtio_pop(d, EVENTQ, &in->elem) <= 0)
            break;
        const struct virtio_input_event *ev = &in->pend[in->head];
        uint8_t b[8];
        virtio_st16(b, ev->type);
        virtio_st16(b + 2, ev->code);
        virtio_st32(b + 4, (uint32_t)ev->value);
        long w = virtio_elem_write(d, &in->elem, 0, b, sizeof b);
        virtio_push(d, EVENTQ, &in->elem, w > 0 ? (uint32_t)w : 0);
        any = true;
        /* A buffer too small still consumes its event: the guest asked
         * for it and would otherwise stall the queue forever. */
        in->head = (in->head + 1) % VIRTIO_INPUT_PENDING;
        in->count--;
    }
    if (any)
        virtio_queue_done(d, EVENTQ);
}

bool virtio_input_send(struct virtio_dev *d, const struct virtio_input_event *ev, unsigned n)
{
    struct input *in = to_in(d);
    if (!virtio_dev_running(d) || n + 1 > VIRTIO_INPUT_PENDING - in->count)
        return false;
    for (unsigned i = 0; i <= n; i++) {
        struct virtio_input_event e = { VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0 };
        if (i < n)
            e = ev[i];
        in->pend[(in->head + in->count) % VIRTIO_INPUT_PENDING] = e;
        in->count++;
    }
    deliver(in);
    return true;
}

static void input_notify(struct virtio_dev *d, unsigned q)
{
    struct input *in = to_in(d);
    if (q == EVENTQ) {
        deliver(in);
        return;
    }
    /* Status (LED) events: acknowledged, nothing to show them on. */
    bool any = false;
    while (virtio_pop(d, STATUSQ, &in->elem) > 0) {
        virtio_push(d, STATUSQ, &in->elem, 0);
        any = true;
    }
    if (any)
        virtio_queue_done(d, STATUSQ);
}

static uint64_t input_features(struct virtio_dev *d)
{
    return 0;
}

static void input_reset(struct virtio_dev *d)
{
    struct input *in = to_in(d);
    in->head = in->count = 0;
    d->config[0] = d->config[1] = 0;
    update_config(in);
}

/* Events waiting for guest buffers; select/subsel are config bytes (the
 * core's), the answer is computed again. */
static void input_state(struct virtio_dev *d, struct state *st)
{
    struct input *in = to_in(d);
    state_section(st, "virtio-input", 1);
    state_unsigned(st, "head", &in->head);
    state_unsigned(st, "count", &in->count);
    for (unsigned i = 0; i < VIRTIO_INPUT_PENDING && !st->error; i++) {
        struct virtio_input_event *e = &in->pend[i];
        state_u16(st, "type", &e->type);
        state_u16(st, "code", &e->code);
        uint32_t v = (uint32_t)e->value;
        state_u32(st, "value", &v);
        e->value = (int32_t)v;
    }
    if (!state_loading(st))
        return;
    if (!st->error && (in->head >= VIRTIO_INPUT_PENDING || in->count > VIRTIO_INPUT_PENDING))
        state_fail(st, "virtio-input: event queue indices out of range");
    if (st->error)
        in->head = in->count = 0;
    update_config(in);
}

static void input_free(struct virtio_dev *d)
{
    free(to_in(d));
}

static const struct virtio_device_ops input_ops = {
    .features = input_features,
    .config_write = input_config_write,
    .queue_notify = input_notify,
    .reset = input_reset,
    .state = input_state,
    .free = input_free,
};

struct virtio_dev *virtio_input_new(struct bus *bus, enum virtio_input_kind kind, const struct virtio_input_options *opt)
{
    if (kind > VIRTIO_INPUT_TABLET)
        return NULL;
    struct input *in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    static const uint16_t qmax[2] = { QUEUE_SIZE, QUEUE_SIZE };
    static const char *const dev_names[] = { "virtio-keyboard", "virtio-mouse", "virtio-tablet" };
    virtio_dev_init(&in->vdev, &input_ops, bus, dev_names[kind], VIRTIO_ID_INPUT, 2, qmax, VIRTIO_INPUT_CONFIG_LEN);
    in->kind = kind;
    if (opt && opt->keys) {
        memcpy(in->keys, opt->keys, BITMAP_BYTES);
        in->keys[0] &= (uint8_t)~1u;  /* KEY_RESERVED is not a key */
    } else {
        for (unsigned k = 1; k < 256; k++)
            set_bit(in->keys, k);
    }
    if (opt && opt->serial)
        strncpy(in->serial, opt->serial, sizeof in->serial - 1);
    update_config(in);
    return &in->vdev;
}

enum virtio_input_kind virtio_input_kind(struct virtio_dev *d)
{
    return to_in(d)->kind;
}

unsigned virtio_input_pending(struct virtio_dev *d)
{
    return to_in(d)->count;
}

/* ---- the device types (bus/device.h): one per kind ---- */

static int input_create(struct device_instance *in, const struct device_args *a, enum virtio_input_kind kind,
                        char *err, size_t errlen)
{
    struct virtio_input_options opt = { .keys = a->display ? a->display->keys : NULL,
                                        .serial = device_opt(a, "serial") };
    in->vdev = virtio_input_new(a->bus, kind, &opt);
    if (!in->vdev)
        return errf(err, errlen, "out of memory");
    if (a->display)
        a->display->add_input(a->display->ctx, in->vdev, kind);
    return 0;
}

static int keyboard_create(struct device_instance *in, const struct device_args *a, char *err, size_t errlen)
{
    return input_create(in, a, VIRTIO_INPUT_KEYBOARD, err, errlen);
}
static int mouse_create(struct device_instance *in, const struct device_args *a, char *err, size_t errlen)
{
    return input_create(in, a, VIRTIO_INPUT_MOUSE, err, errlen);
}
static int tablet_create(struct device_instance *in, const struct device_args *a, char *err, size_t errlen)
{
    return input_create(in, a, VIRTIO_INPUT_TABLET, err, errlen);
}

static const struct device_option input_options[] = {
    { .name = "serial", .type = DEVOPT_STR, .arg = "STRING", .help = "serial the guest reads (default: empty)" },
    DEVOPT_END,
};

DEVICE_TYPE(virtio_keyboard) = {
    .name = "virtio-keyboard",
    .help = "keyboard (the display window's keys)",
    .kind = DEVICE_VIRTIO,
    .options = input_options,
    .create = keyboard_create,
};
DEVICE_TYPE(virtio_mouse) = {
    .name = "virtio-mouse",
    .help = "mouse (relative; Ctrl-Alt-G grabs the pointer)",
    .kind = DEVICE_VIRTIO,
    .options = input_options,
    .create = mouse_create,
};
DEVICE_TYPE(virtio_tablet) = {
    .name = "virtio-tablet",
    .help = "tablet (absolute pointer)",
    .kind = DEVICE_VIRTIO,
    .options = input_options,
    .create = tablet_create,
};
