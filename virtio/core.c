/* virtio/core.c: device status, feature negotiation, config space, reset,
 * queue plumbing and the failure path, shared by every device and
 * transport. */
#include "virtio/virtio.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/trace.h"

#define RING_FEATURES (VIRTIO_BIT(VIRTIO_F_RING_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX))

void virtio_dev_init(struct virtio_dev *dev, const struct virtio_device_ops *ops, struct bus *bus,
                     const char *name, uint32_t device_id, unsigned nqueues,
                     const uint16_t *queue_max, unsigned config_len)
{
    memset(dev, 0, sizeof *dev);
    dev->ops = ops;
    dev->bus = bus;
    dev->name = name;
    snprintf(dev->label, sizeof dev->label, "%s", name);
    dev->device_id = device_id;
    dev->nqueues = nqueues > VIRTIO_MAX_QUEUES ? VIRTIO_MAX_QUEUES : nqueues;
    dev->config_len = config_len > VIRTIO_CONFIG_MAX ? VIRTIO_CONFIG_MAX : config_len;
    for (unsigned q = 0; q < dev->nqueues; q++) {
        dev->vq[q].bus = bus;
        dev->vq[q].num_max = queue_max[q] > VIRTQ_MAX_SIZE ? VIRTQ_MAX_SIZE : queue_max[q];
        virtq_reset(&dev->vq[q]);
    }
}

void virtio_dev_attach(struct virtio_dev *dev, const struct virtio_transport *t, const char *where,
                       bool legacy)
{
    dev->transport = *t;
    dev->legacy = legacy;
    if (where && *where)
        snprintf(dev->label, sizeof dev->label, "%s (%s)", dev->name, where);
}

void virtio_dev_free(struct virtio_dev *dev)
{
    if (!dev)
        return;
    ratelimit_flush(&dev->log_rl);
    if (dev->ops->free)
        dev->ops->free(dev);
}

uint64_t virtio_offered_features(struct virtio_dev *dev)
{
    uint64_t f = dev->ops->features ? dev->ops->features(dev) : 0;
    f |= RING_FEATURES;
    /* A legacy interface offers no VERSION_1 and has only 32 feature bits. */
    if (dev->legacy)
        return f & 0xffffffffull;
    return f | VIRTIO_BIT(VIRTIO_F_VERSION_1);
}

bool virtio_has_feature(const struct virtio_dev *dev, unsigned bit)
{
    return bit < 64 && (dev->features >> bit) & 1;
}

void virtio_set_driver_features(struct virtio_dev *dev, uint64_t features)
{
    if (dev->status & (VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK))
        return; /* negotiation is over */
    dev->driver_features = features;
}

static void apply_features(struct virtio_dev *dev, uint64_t features)
{
    dev->features = features;
    for (unsigned q = 0; q < dev->nqueues; q++) {
        dev->vq[q].indirect = virtio_has_feature(dev, VIRTIO_F_RING_INDIRECT_DESC);
        dev->vq[q].event_idx = virtio_has_feature(dev, VIRTIO_F_RING_EVENT_IDX);
    }
}

static bool features_acceptable(struct virtio_dev *dev, uint64_t f)
{
    if (f & ~virtio_offered_features(dev))
        return false; /* acked something that was not offered */
    if (!(f & VIRTIO_BIT(VIRTIO_F_VERSION_1)))
        return false;
    return !dev->ops->features_ok || dev->ops->features_ok(dev, f);
}

void virtio_reset(struct virtio_dev *dev)
{
    dev->status = 0;
    dev->driver_features = 0;
    dev->features = 0;
    for (unsigned q = 0; q < dev->nqueues; q++)
        virtq_reset(&dev->vq[q]);
    if (dev->ops->reset)
        dev->ops->reset(dev);
}

void virtio_set_status(struct virtio_dev *dev, uint8_t v)
{
    if (v == 0) {
        virtio_reset(dev);
        return;
    }
    uint8_t old = dev->status;
    /* NEEDS_RESET belongs to the device; the driver only sets bits, and
     * clearing one without a reset is ignored (3.1.1). */
    v = (uint8_t)((v & ~VIRTIO_STATUS_NEEDS_RESET) | (old & VIRTIO_STATUS_NEEDS_RESET));
    if (old & ~v)
        return;
    uint8_t set = (uint8_t)(v & ~old);
    if ((set & VIRTIO_STATUS_FEATURES_OK) && !dev->legacy) {
        if (features_acceptable(dev, dev->driver_features))
            apply_features(dev, dev->driver_features);
        else
            v &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK; /* the driver reads it back and gives up */
    }
    if (set & VIRTIO_STATUS_DRIVER_OK) {
        if (dev->legacy) {
            apply_features(dev, dev->driver_features & virtio_offered_features(dev));
        } else if (!(v & VIRTIO_STATUS_FEATURES_OK)) {
            v &= (uint8_t)~VIRTIO_STATUS_DRIVER_OK; /* no negotiated features: not live */
            set &= (uint8_t)~VIRTIO_STATUS_DRIVER_OK;
        }
    }
    dev->status = v;
    if ((set & VIRTIO_STATUS_DRIVER_OK) && dev->ops->activate && virtio_dev_running(dev))
        dev->ops->activate(dev);
}

uint8_t virtio_get_status(const struct virtio_dev *dev)
{
    return dev->status;
}

void virtio_config_read(struct virtio_dev *dev, unsigned off, void *buf, unsigned len)
{
    memset(buf, 0, len);
    if (off >= dev->config_len)
        return;
    if (len > dev->config_len - off)
        len = dev->config_len - off;
    if (dev->ops->config_read)
        dev->ops->config_read(dev, off, buf, len);
    else
        memcpy(buf, dev->config + off, len);
}

void virtio_config_write(struct virtio_dev *dev, unsigned off, const void *buf, unsigned len)
{
    if (off >= dev->config_len || len > dev->config_len - off || !dev->ops->config_write)
        return;
    dev->ops->config_write(dev, off, buf, len);
}

bool virtio_dev_running(const struct virtio_dev *dev)
{
    return (dev->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)) ==
           VIRTIO_STATUS_DRIVER_OK;
}

void virtio_notify(struct virtio_dev *dev, unsigned q)
{
    if (TRACE_ON(TRACE_VIRTIO))
        trace_printf("virtio: %s notify q%u%s\n", dev->label, q,
                     q >= dev->nqueues || !dev->vq[q].ready || !virtio_dev_running(dev) ? " (ignored: not running)" : "");
    if (q >= dev->nqueues || !dev->vq[q].ready || !virtio_dev_running(dev))
        return;
    if (dev->bus)
        dev->bus->epoch++; /* the driver ran: it may have added buffers */
    dev->ops->queue_notify(dev, q);
}

struct virtq *virtio_queue(struct virtio_dev *dev, unsigned q)
{
    return q < dev->nqueues ? &dev->vq[q] : NULL;
}

bool virtio_queue_set_num(struct virtio_dev *dev, unsigned q, unsigned num)
{
    struct virtq *vq = virtio_queue(dev, q);
    if (!vq || vq->ready || num == 0 || num > vq->num_max || (num & (num - 1)))
        return false;
    vq->num = (uint16_t)num;
    return true;
}

void virtio_queue_set_addr(struct virtio_dev *dev, unsigned q, uint64_t desc, uint64_t avail, uint64_t used)
{
    struct virtq *vq = virtio_queue(dev, q);
    if (!vq || vq->ready)
        return;
    vq->desc = desc;
    vq->avail = avail;
    vq->used = used;
}

void virtio_queue_set_ready(struct virtio_dev *dev, unsigned q, bool ready)
{
    struct virtq *vq = virtio_queue(dev, q);
    if (!vq)
        return;
    if (!ready) {
        /* Disabling a queue forgets its progress, as a reset of it would. */
        struct virtq keep = *vq;
        virtq_reset(vq);
        vq->num = keep.num;
        vq->indirect = keep.indirect;
        vq->event_idx = keep.event_idx;
        return;
    }
    vq->ready = true;
}

int virtio_pop(struct virtio_dev *dev, unsigned q, struct virtq_elem *elem)
{
    if (q >= dev->nqueues || !virtio_dev_running(dev))
        return 0;
    int r = virtq_pop(&dev->vq[q], elem);
    if (r > 0 && TRACE_ON(TRACE_VIRTIO))
        trace_printf("virtio: %s q%u pop head %u: %u out (%" PRIu64 " bytes), %u in (%" PRIu64 " bytes)\n", dev->label,
                     q, elem->head, elem->n_out, elem->out_len, elem->n_in, elem->in_len);
    if (r < 0)
        virtio_dev_fail(dev, "queue %u: %s", q, dev->vq[q].error);
    return r;
}

void virtio_push(struct virtio_dev *dev, unsigned q, const struct virtq_elem *elem, uint32_t written)
{
    if (q >= dev->nqueues || !virtio_dev_running(dev))
        return;
    if (written > elem->in_len)
        written = (uint32_t)elem->in_len;
    if (TRACE_ON(TRACE_VIRTIO))
        trace_printf("virtio: %s q%u push head %u: %" PRIu32 " bytes written\n", dev->label, q, elem->head, written);
    if (virtq_push(&dev->vq[q], elem->head, written) < 0)
        virtio_dev_fail(dev, "queue %u: %s", q, dev->vq[q].error);
}

void virtio_queue_done(struct virtio_dev *dev, unsigned q)
{
    if (q >= dev->nqueues || !virtio_dev_running(dev))
        return;
    bool want = virtq_need_interrupt(&dev->vq[q]);
    if (TRACE_ON(TRACE_VIRTIO))
        trace_printf("virtio: %s q%u %s\n", dev->label, q, want ? "interrupt" : "no interrupt (suppressed by the driver)");
    if (want && dev->transport.queue_interrupt)
        dev->transport.queue_interrupt(dev->transport.ctx, q);
}

void virtio_config_changed(struct virtio_dev *dev)
{
    dev->config_generation++;
    if (TRACE_ON(TRACE_VIRTIO))
        trace_printf("virtio: %s config changed%s\n", dev->label,
                     dev->status & VIRTIO_STATUS_DRIVER_OK ? ", config interrupt" : "");
    if ((dev->status & VIRTIO_STATUS_DRIVER_OK) && dev->transport.config_interrupt)
        dev->transport.config_interrupt(dev->transport.ctx);
}

void virtio_dev_fail(struct virtio_dev *dev, const char *fmt, ...)
{
    if (dev->status & VIRTIO_STATUS_NEEDS_RESET)
        return;
    dev->status |= VIRTIO_STATUS_NEEDS_RESET;
    dev->failures++;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_guest(&dev->log_rl, "%s: %s; the device needs a reset", dev->label, msg);
    if (dev->transport.config_interrupt)
        dev->transport.config_interrupt(dev->transport.ctx);
}

/* Walk the out (writable=false) or in segments from byte `off`. */
static long elem_copy(struct virtio_dev *dev, const struct virtq_elem *e, bool writable, uint64_t off,
                      uint8_t *buf, size_t len)
{
    unsigned first = writable ? e->n_out : 0, n = writable ? e->n_in : e->n_out;
    size_t done = 0;
    for (unsigned i = first; i < first + n && done < len; i++) {
        const struct virtq_seg *s = &e->seg[i];
        if (off >= s->len) {
            off -= s->len;
            continue;
        }
        size_t chunk = s->len - off;
        if (chunk > len - done)
            chunk = len - done;
        int r = writable ? bus_dma_write(dev->bus, s->addr + off, buf + done, chunk)
                         : bus_dma_read(dev->bus, s->addr + off, buf + done, chunk);
        if (r < 0)
            return -1;
        done += chunk;
        off = 0;
    }
    return (long)done;
}

long virtio_elem_read(struct virtio_dev *dev, const struct virtq_elem *e, uint64_t off, void *buf, size_t len)
{
    return elem_copy(dev, e, false, off, buf, len);
}

long virtio_elem_write(struct virtio_dev *dev, const struct virtq_elem *e, uint64_t off, const void *buf,
                       size_t len)
{
    return elem_copy(dev, e, true, off, (uint8_t *)buf, len);
}

/* ---- device state ---- */

/* The rings of an enabled queue are where virtq_pop/push would reach them:
 * aligned (2.7) and in RAM. */
static bool rings_ok(struct virtio_dev *dev, const struct virtq *vq)
{
    return !(vq->desc & 15) && !(vq->avail & 1) && !(vq->used & 3) &&
           bus_dma(dev->bus, vq->desc, virtq_desc_size(vq->num)) &&
           bus_dma(dev->bus, vq->avail, virtq_avail_size(vq->num) + 2) &&
           bus_dma(dev->bus, vq->used, virtq_used_size(vq->num) + 2);
}

void virtio_dev_state(struct virtio_dev *dev, struct state *st)
{
    bool load = state_loading(st);
    state_section(st, "virtio", 1);
    uint32_t id = dev->device_id;
    unsigned nq = dev->nqueues, clen = dev->config_len;
    state_u32(st, "device_id", &id);
    state_unsigned(st, "queues", &nq);
    state_unsigned(st, "config_len", &clen);
    if (load && (id != dev->device_id || nq != dev->nqueues || clen != dev->config_len))
        state_fail(st, "virtio: another device type");
    state_u8(st, "status", &dev->status);
    state_u64(st, "driver_features", &dev->driver_features);
    state_u64(st, "features", &dev->features);
    state_u32(st, "config_generation", &dev->config_generation);
    state_bytes(st, "config", dev->config, st->error ? 0 : dev->config_len);
    state_unsigned(st, "failures", &dev->failures);
    for (unsigned q = 0; q < dev->nqueues && !st->error; q++) {
        struct virtq *vq = &dev->vq[q];
        state_u16(st, "num", &vq->num);
        state_bool(st, "ready", &vq->ready);
        state_u64(st, "desc", &vq->desc);
        state_u64(st, "avail", &vq->avail);
        state_u64(st, "used", &vq->used);
        state_u16(st, "last_avail", &vq->last_avail);
        state_u16(st, "used_idx", &vq->used_idx);
        state_u16(st, "signalled_used", &vq->signalled_used);
        state_bool(st, "signalled_valid", &vq->signalled_valid);
        if (!load || st->error)
            continue;
        vq->pops = 0; /* a new epoch of the driver's */
        if (vq->num == 0 || vq->num > vq->num_max || (vq->num & (vq->num - 1)))
            state_fail(st, "virtio: a queue size that is not a power of two up to the maximum");
        else if (vq->ready && !rings_ok(dev, vq))
            state_fail(st, "virtio: an enabled queue's rings are misaligned or not in RAM");
    }
    if (load && !st->error) {
        /* features the device does not offer cannot have been negotiated */
        dev->features &= virtio_offered_features(dev);
        apply_features(dev, dev->features);
    }
    if (dev->ops->state && !st->error)
        dev->ops->state(dev, st);
    if (load && st->error) {
        /* a failed load leaves a device that is safe to free or reset */
        virtio_reset(dev);
    }
}
