/* virtio/console.h: the virtio console device (virtio 1.2, 5.3), one port.
 *
 * Linux names it hvcN (hvc0, or hvc1 when the SBI console took hvc0). Guest
 * output on transmitq0 goes to the port's write callback at once (output is
 * not input: it needs no care for determinism); host input is handed in by
 * the machine between CPU slices with virtio_console_receive, which takes
 * only what fits in the receive buffers the driver posted. Without a port
 * the device still exists; its output is dropped and nothing is received.
 * EMERG_WRITE is offered (a config write of one character).
 */
#ifndef RIVET_VIRTIO_CONSOLE_H
#define RIVET_VIRTIO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "virtio/virtio.h"

#define VIRTIO_CONSOLE_F_SIZE 0
#define VIRTIO_CONSOLE_F_MULTIPORT 1
#define VIRTIO_CONSOLE_F_EMERG_WRITE 2

/* The host end of the port. */
struct virtio_console_port {
    void (*write)(void *ctx, const uint8_t *buf, size_t len);
    void *ctx;
};

/* port may be NULL (unconnected); it is copied. NULL when out of memory. */
struct virtio_dev *virtio_console_new(struct bus *, const struct virtio_console_port *port);

/* Host input for the guest: returns how many bytes of buf were delivered
 * (0 when the driver is not ready or posted no receive buffers). */
size_t virtio_console_receive(struct virtio_dev *, const uint8_t *buf, size_t len);

#endif
