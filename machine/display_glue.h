/* machine/display_glue.h: the board side of a display and its input
 * devices: virtio-gpu's scanout goes to the host display, host input
 * events go to the virtio keyboard, mouse and tablet.
 *
 * The host display (frontends/display.h, opened by frontends/main.c) is
 * handed in as plain callbacks, `struct devices_display`, so machine/ and
 * virtio/ never include frontends/. Everything here runs on the machine
 * thread; host input is read only in display_glue_poll, which devices_poll
 * calls between CPU slices (the board's one input path), and which also
 * lets the display redraw (at most 60 Hz, only after a change: drawing
 * has no effect on the guest).
 *
 * Routing: keys to the first keyboard; absolute pointer positions to the
 * first tablet, relative motion to the first mouse; buttons and wheel to
 * whichever of the two had the last motion (the tablet first). With a
 * mouse but no tablet, a click while the pointer is not grabbed grabs it
 * (as QEMU does), since only relative motion can reach the guest.
 *
 * Window close: the first (DEVICES_IN_POWERDOWN) asks the guest to power
 * off by pressing and releasing KEY_POWER on the keyboard (a desktop
 * guest's logind or acpid-like daemon acts on it; there is no ACPI on
 * virt); without a keyboard the machine stops at once. The second close
 * (DEVICES_IN_QUIT) stops the machine.
 */
#ifndef RIVET_DISPLAY_GLUE_H
#define RIVET_DISPLAY_GLUE_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/bus.h"
#include "virtio/gpu.h"
#include "virtio/input.h"

enum devices_input_type {
    DEVICES_IN_KEY,        /* code: Linux KEY_*, down */
    DEVICES_IN_BUTTON,     /* code: BTN_*, down */
    DEVICES_IN_REL,        /* x, y: relative motion */
    DEVICES_IN_ABS,        /* x, y: 0..32767 */
    DEVICES_IN_WHEEL,      /* x: REL_HWHEEL, y: REL_WHEEL notches */
    DEVICES_IN_POWERDOWN,  /* first window close */
    DEVICES_IN_QUIT,       /* second window close */
};

struct devices_input_event {
    enum devices_input_type type;
    uint16_t code;
    bool down;
    int32_t x, y;
};

/* The host display, as the board sees it. Any callback may be NULL. */
struct devices_display {
    void *ctx;
    /* virtio-gpu's scanout and flushes (see virtio/gpu.h). */
    void (*set_scanout)(void *ctx, const struct virtio_gpu_surface *s);
    void (*flush)(void *ctx, unsigned x, unsigned y, unsigned w, unsigned h);
    /* Next host input event, without blocking; false when none. */
    bool (*poll_event)(void *ctx, struct devices_input_event *ev);
    /* Redraw if something changed and the frame interval passed. */
    void (*refresh)(void *ctx);
    void (*set_grab)(void *ctx, bool grab);
    bool (*grabbed)(void *ctx);
    /* The machine is being torn down (exit or reboot): the last moment
     * the scanout's pixels are valid (screendump at exit). */
    void (*detach)(void *ctx);
    /* EV_KEY bitmap (128 bytes) for virtio keyboards; NULL: codes 1-255. */
    const uint8_t *keys;
};

struct display_glue;

/* display may be NULL (no host display: devices still work, show nothing
 * and get no input). NULL when out of memory. */
struct display_glue *display_glue_new(const struct devices_display *display);

/* What the devices see of it (bus/device.h): virtio-gpu claims the
 * scanout (the first one drives the display; later ones show nothing),
 * virtio-input devices register for host events of their kind. */
struct device_display;
const struct device_display *display_glue_port(struct display_glue *);

/* Makes a virtio input device and routes host events of its kind to it
 * (what virtio/input.c's descriptor does; for tests). */
struct virtio_dev *display_glue_input(struct display_glue *, struct bus *, enum virtio_input_kind,
                                      const char *serial);

/* Between CPU slices: host events to the input devices, then a redraw.
 * True when the user asked to stop the machine. */
bool display_glue_poll(struct display_glue *);

/* Calls the display's detach and frees. Must run before the devices are
 * freed. NULL is a no-op. */
void display_glue_free(struct display_glue *);

/* The monitor's system_powerdown: KEY_POWER pressed and released on the
 * first virtio keyboard. false when there is none. */
bool display_glue_powerdown(struct display_glue *);

#endif
