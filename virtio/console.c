/* virtio/console.c: the virtio console device (single port, no MULTIPORT). */
#include "virtio/console.h"
#include "bus/device.h"

#include <stdlib.h>
#include <string.h>

#define QUEUE_SIZE 128
#define RXQ 0
#define TXQ 1
#define CONFIG_LEN 12   /* cols, rows, max_nr_ports, emerg_wr */
#define CFG_EMERG_WR 8

struct console {
    struct virtio_dev vdev;
    struct virtio_console_port port;
    bool connected;
    struct virtq_elem elem;
};

static struct console *to_con(struct virtio_dev *d)
{
    return (struct console *)d;
}

static void emit(struct console *c, const uint8_t *buf, size_t len)
{
    if (c->connected && len)
        c->port.write(c->port.ctx, buf, len);
}

static uint64_t console_features(struct virtio_dev *d)
{
    return VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE);
}

static void console_config_write(struct virtio_dev *d, unsigned off, const void *buf, unsigned len)
{
    /* emerg_wr: a 32-bit write whose low byte is one character. */
    if (off == CFG_EMERG_WR && len == 4)
        emit(to_con(d), buf, 1);
}

static void transmit(struct console *c)
{
    bool any = false;
    while (virtio_pop(&c->vdev, TXQ, &c->elem) > 0) {
        uint8_t buf[4096];
        for (uint64_t off = 0; off < c->elem.out_len;) {
            long n = virtio_elem_read(&c->vdev, &c->elem, off, buf, sizeof buf);
            if (n <= 0)
                break;
            emit(c, buf, (size_t)n);
            off += (uint64_t)n;
        }
        virtio_push(&c->vdev, TXQ, &c->elem, 0);
        any = true;
    }
    if (any)
        virtio_queue_done(&c->vdev, TXQ);
}

static void console_notify(struct virtio_dev *d, unsigned q)
{
    /* New receive buffers need no action: the machine's next input poll
     * finds them. */
    if (q == TXQ)
        transmit(to_con(d));
}

size_t virtio_console_receive(struct virtio_dev *d, const uint8_t *buf, size_t len)
{
    struct console *c = to_con(d);
    size_t done = 0;
    while (done < len && virtio_dev_running(d)) {
        if (virtio_pop(d, RXQ, &c->elem) <= 0)
            break;
        size_t n = len - done;
        if (n > c->elem.in_len)
            n = (size_t)c->elem.in_len;
        long w = virtio_elem_write(d, &c->elem, 0, buf + done, n);
        if (w < 0)
            w = 0;
        virtio_push(d, RXQ, &c->elem, (uint32_t)w);
        done += (size_t)w;
        if (w == 0)
            break; /* a receive buffer of no room: wait for better ones */
    }
    if (done)
        virtio_queue_done(d, RXQ);
    return done;
}

static void console_free(struct virtio_dev *d)
{
    free(to_con(d));
}

static const struct virtio_device_ops console_ops = {
    .features = console_features,
    .config_write = console_config_write,
    .queue_notify = console_notify,
    .free = console_free,
};

struct virtio_dev *virtio_console_new(struct bus *bus, const struct virtio_console_port *port)
{
    struct console *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    static const uint16_t qmax[2] = { QUEUE_SIZE, QUEUE_SIZE };
    virtio_dev_init(&c->vdev, &console_ops, bus, "virtio-console", VIRTIO_ID_CONSOLE, 2, qmax, CONFIG_LEN);
    if (port && port->write) {
        c->port = *port;
        c->connected = true;
    }
    virtio_st32(c->vdev.config + 4, 1); /* max_nr_ports (meaningful with MULTIPORT only) */
    return &c->vdev;
}

/* ---- the device types (bus/device.h) ---- */

/* Console bytes from the chardev wait here while the guest lags. */
struct console_input {
    const struct devices_chardev *chardev;
    uint8_t in[4096];
    size_t len, pos;
};

static int console_create(struct device_instance *in, const struct device_args *a, char *err, size_t errlen)
{
    struct virtio_console_port port = { 0 };
    if (a->chardev) {
        struct console_input *ci = calloc(1, sizeof *ci);
        if (!ci)
            return errf(err, errlen, "out of memory");
        ci->chardev = a->chardev;
        in->priv = ci;
        port.write = a->chardev->write;
        port.ctx = a->chardev->ctx;
    }
    in->vdev = virtio_console_new(a->bus, a->chardev ? &port : NULL);
    return in->vdev ? 0 : errf(err, errlen, "out of memory");
}

/* Reading goes on while the guest lags (bytes wait in priv) so that the
 * user's quit key is seen; it stops when that buffer is full. */
static bool console_poll(struct device_instance *in)
{
    struct console_input *ci = in->priv;
    bool quit = false;
    if (!ci || !ci->chardev->read)
        return false;
    memmove(ci->in, ci->in + ci->pos, ci->len - ci->pos);
    ci->len -= ci->pos;
    ci->pos = 0;
    if (ci->len < sizeof ci->in)
        ci->len += ci->chardev->read(ci->chardev->ctx, ci->in + ci->len, sizeof ci->in - ci->len, &quit);
    if (ci->len)
        ci->pos += virtio_console_receive(in->vdev, ci->in, ci->len);
    return quit;
}

static const struct device_option console_options[] = {
    { .name = "chardev", .type = DEVOPT_CHARDEV, .arg = "ID",
      .help = "the -chardev ...,id=ID for its input and output (default: unconnected)" },
    DEVOPT_END,
};

DEVICE_TYPE(virtio_console) = {
    .name = "virtio-console",
    .help = "console (Linux hvcN) on a -chardev (chardev=ID)",
    .kind = DEVICE_VIRTIO,
    .options = console_options,
    .create = console_create,
    .poll = console_poll,
};

static const struct device_option serial_options[] = {
    { .name = "max_ports", .type = DEVOPT_U64, .arg = "N",
      .help = "accepted for QEMU's sake; rivet's device has one port", .def = "1", .min = 1,
      .max = UINT32_MAX },
    DEVOPT_END,
};

DEVICE_TYPE(virtio_serial) = {
    .name = "virtio-serial",
    .help = "QEMU's spelling of the console: add -device virtconsole for its port",
    .kind = DEVICE_VIRTIO,
    .options = serial_options,
    .takes_port = true,
    .create = console_create,
    .poll = console_poll,
};

static const struct device_option virtconsole_options[] = {
    { .name = "chardev", .type = DEVOPT_CHARDEV, .arg = "ID",
      .help = "the -chardev ...,id=ID for its input and output (default: unconnected)" },
    { .name = "name", .type = DEVOPT_STR, .arg = "NAME",
      .help = "port name (accepted, unused: the port is a console, not named)" },
    DEVOPT_END,
};

DEVICE_TYPE(virtconsole) = {
    .name = "virtconsole",
    .help = "the console port of the previous virtio-serial-device/-pci (chardev=ID)",
    .kind = DEVICE_PORT,
    .port_of = "virtio-serial",
    .options = virtconsole_options,
};
