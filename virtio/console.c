/* virtio/console.c: the virtio console device (single port, no MULTIPORT). */
#include "virtio/console.h"

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
