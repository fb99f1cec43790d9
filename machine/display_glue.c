/* machine/display_glue.c: virtio-gpu and virtio-input on the host display. */
#include "machine/display_glue.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "bus/device.h"
#include "machine/devices.h"

struct display_glue {
    struct devices_display disp;
    struct device_display port;   /* what devices see (bus/device.h) */
    bool has_display;
    bool gpu_taken;
    struct virtio_dev *keyboard, *mouse, *tablet;
    bool last_rel;          /* the last pointer motion was relative */
};

static bool claim_scanout(void *ctx, struct virtio_gpu_display *out)
{
    struct display_glue *g = ctx;
    if (!g->has_display || g->gpu_taken)
        return false;
    *out = (struct virtio_gpu_display){ g->disp.ctx, g->disp.set_scanout, g->disp.flush, NULL };
    g->gpu_taken = true;
    return true;
}

/* Host events of a kind go to the first device of that kind. */
static void add_input(void *ctx, struct virtio_dev *d, unsigned kind)
{
    struct display_glue *g = ctx;
    struct virtio_dev **slot = kind == VIRTIO_INPUT_KEYBOARD ? &g->keyboard
                             : kind == VIRTIO_INPUT_MOUSE ? &g->mouse : &g->tablet;
    if (d && !*slot)
        *slot = d;
}

struct display_glue *display_glue_new(const struct devices_display *display)
{
    struct display_glue *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    if (display) {
        g->disp = *display;
        g->has_display = true;
    }
    g->port = (struct device_display){ g, claim_scanout, add_input, g->disp.keys };
    return g;
}

const struct device_display *display_glue_port(struct display_glue *g)
{
    return g ? &g->port : NULL;
}

struct virtio_dev *display_glue_input(struct display_glue *g, struct bus *bus, enum virtio_input_kind kind,
                                      const char *serial)
{
    struct virtio_input_options opt = { .keys = g->disp.keys, .serial = serial };
    struct virtio_dev *d = virtio_input_new(bus, kind, &opt);
    add_input(g, d, kind);
    return d;
}

static struct virtio_dev *pointer(struct display_glue *g)
{
    if (g->tablet && (!g->mouse || !g->last_rel))
        return g->tablet;
    return g->mouse;
}

static void send1(struct virtio_dev *d, uint16_t type, uint16_t code, int32_t value)
{
    struct virtio_input_event ev = { type, code, value };
    if (d)
        virtio_input_send(d, &ev, 1);
}

/* One host event; true when the machine should stop. */
static bool route(struct display_glue *g, const struct devices_input_event *e)
{
    switch (e->type) {
    case DEVICES_IN_KEY:
        send1(g->keyboard, VIRTIO_INPUT_EV_KEY, e->code, e->down);
        return false;
    case DEVICES_IN_BUTTON:
        if (!g->tablet && g->mouse && e->down && g->disp.set_grab && g->disp.grabbed &&
            !g->disp.grabbed(g->disp.ctx)) {
            g->disp.set_grab(g->disp.ctx, true);
            g->last_rel = true;
        }
        send1(pointer(g), VIRTIO_INPUT_EV_KEY, e->code, e->down);
        return false;
    case DEVICES_IN_REL:
        g->last_rel = true;
        if (g->mouse) {
            struct virtio_input_event ev[2] = { { VIRTIO_INPUT_EV_REL, VIRTIO_INPUT_REL_X, e->x },
                                                { VIRTIO_INPUT_EV_REL, VIRTIO_INPUT_REL_Y, e->y } };
            virtio_input_send(g->mouse, ev, 2);
        }
        return false;
    case DEVICES_IN_ABS:
        g->last_rel = false;
        if (g->tablet) {
            struct virtio_input_event ev[2] = { { VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_X, e->x },
                                                { VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_Y, e->y } };
            virtio_input_send(g->tablet, ev, 2);
        }
        return false;
    case DEVICES_IN_WHEEL: {
        struct virtio_input_event ev[2];
        unsigned n = 0;
        if (e->x)
            ev[n++] = (struct virtio_input_event){ VIRTIO_INPUT_EV_REL, VIRTIO_INPUT_REL_HWHEEL, e->x };
        if (e->y)
            ev[n++] = (struct virtio_input_event){ VIRTIO_INPUT_EV_REL, VIRTIO_INPUT_REL_WHEEL, e->y };
        if (n && pointer(g))
            virtio_input_send(pointer(g), ev, n);
        return false;
    }
    case DEVICES_IN_POWERDOWN:
        if (!g->keyboard)
            return true;
        send1(g->keyboard, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_KEY_POWER, 1);
        send1(g->keyboard, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_KEY_POWER, 0);
        return false;
    case DEVICES_IN_QUIT:
        return true;
    }
    return false;
}

bool display_glue_poll(struct display_glue *g)
{
    bool quit = false;
    if (!g || !g->has_display)
        return false;
    struct devices_input_event ev;
    /* bounded: a flood of host events cannot starve the CPU */
    for (int i = 0; i < 256 && g->disp.poll_event && g->disp.poll_event(g->disp.ctx, &ev); i++)
        quit |= route(g, &ev);
    if (g->disp.refresh)
        g->disp.refresh(g->disp.ctx);
    return quit;
}

bool display_glue_powerdown(struct display_glue *g)
{
    if (!g || !g->keyboard)
        return false;
    send1(g->keyboard, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_KEY_POWER, 1);
    send1(g->keyboard, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_KEY_POWER, 0);
    return true;
}

void display_glue_free(struct display_glue *g)
{
    if (!g)
        return;
    if (g->has_display && g->disp.detach)
        g->disp.detach(g->disp.ctx);
    free(g);
}
