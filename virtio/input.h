/* virtio/input.h: virtio input devices (virtio 1.2, 5.8): keyboard, mouse
 * and tablet, as Linux evdev sees them.
 *
 * The driver learns what the device is through the config space: it
 * writes select/subsel and reads back size and the answer (name, serial,
 * device ids, property bits, event bits per type, absolute axis info).
 * Events go to the guest on the event queue, 8 bytes each (type, code,
 * value); the status queue (LEDs from the guest) is read and dropped.
 *
 * Host input enters through virtio_input_send, called by the board between
 * CPU slices only; events wait in a bounded buffer until the driver has
 * posted event buffers. A full buffer drops whole reports, never half of
 * one (a key stays consistent: down and up are separate reports).
 *
 *   keyboard  EV_KEY (the keys the caller lists, default 1..255), EV_REP,
 *             EV_LED (num, caps, scroll lock)
 *   mouse     EV_KEY BTN_LEFT/RIGHT/MIDDLE/SIDE/EXTRA, EV_REL X/Y/HWHEEL/WHEEL
 *   tablet    the mouse's buttons and wheels, EV_ABS X/Y 0..32767
 * Names and ids are QEMU's ("QEMU Virtio Keyboard", bus 6, vendor 0x0627,
 * product 1/2/3), so a guest sees the same devices on both.
 */
#ifndef RIVET_VIRTIO_INPUT_H
#define RIVET_VIRTIO_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/bus.h"
#include "virtio/virtio.h"

#define VIRTIO_ID_INPUT 18

/* config select values */
#define VIRTIO_INPUT_CFG_UNSET 0x00
#define VIRTIO_INPUT_CFG_ID_NAME 0x01
#define VIRTIO_INPUT_CFG_ID_SERIAL 0x02
#define VIRTIO_INPUT_CFG_ID_DEVIDS 0x03
#define VIRTIO_INPUT_CFG_PROP_BITS 0x10
#define VIRTIO_INPUT_CFG_EV_BITS 0x11
#define VIRTIO_INPUT_CFG_ABS_INFO 0x12
#define VIRTIO_INPUT_CONFIG_LEN 136u

/* Linux input event types and the codes the devices use
 * (linux/input-event-codes.h). */
#define VIRTIO_INPUT_EV_SYN 0x00
#define VIRTIO_INPUT_EV_KEY 0x01
#define VIRTIO_INPUT_EV_REL 0x02
#define VIRTIO_INPUT_EV_ABS 0x03
#define VIRTIO_INPUT_EV_LED 0x11
#define VIRTIO_INPUT_EV_REP 0x14
#define VIRTIO_INPUT_SYN_REPORT 0
#define VIRTIO_INPUT_BTN_LEFT 0x110
#define VIRTIO_INPUT_BTN_RIGHT 0x111
#define VIRTIO_INPUT_BTN_MIDDLE 0x112
#define VIRTIO_INPUT_BTN_SIDE 0x113
#define VIRTIO_INPUT_BTN_EXTRA 0x114
#define VIRTIO_INPUT_REL_X 0x00
#define VIRTIO_INPUT_REL_Y 0x01
#define VIRTIO_INPUT_REL_HWHEEL 0x06
#define VIRTIO_INPUT_REL_WHEEL 0x08
#define VIRTIO_INPUT_ABS_X 0x00
#define VIRTIO_INPUT_ABS_Y 0x01
#define VIRTIO_INPUT_ABS_MAX 32767
#define VIRTIO_INPUT_KEY_POWER 116

#define VIRTIO_INPUT_PENDING 256u   /* events buffered for the guest */

enum virtio_input_kind {
    VIRTIO_INPUT_KEYBOARD,
    VIRTIO_INPUT_MOUSE,
    VIRTIO_INPUT_TABLET,
};

struct virtio_input_event {
    uint16_t type, code;
    int32_t value;
};

struct virtio_input_options {
    /* Keyboard: the EV_KEY codes it reports, a bitmap of 1024 bits (128
     * bytes, bit n = code n); NULL: every code from 1 to 255. */
    const uint8_t *keys;
    const char *serial;     /* ID_SERIAL answer; NULL: empty */
};

/* NULL when out of memory. opt may be NULL. */
struct virtio_dev *virtio_input_new(struct bus *, enum virtio_input_kind, const struct virtio_input_options *opt);

/* Host input: queues n events and a SYN_REPORT after them, delivering
 * what the driver has room for now. False (nothing queued) when the
 * buffer cannot hold the report or the driver is not running. */
bool virtio_input_send(struct virtio_dev *, const struct virtio_input_event *ev, unsigned n);

/* The kind the device was created as. */
enum virtio_input_kind virtio_input_kind(struct virtio_dev *);

/* Events waiting for guest buffers (tests). */
unsigned virtio_input_pending(struct virtio_dev *);

#endif
