/* virtio/mmio.c: the virtio-mmio register file. */
#include "virtio/mmio.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    REG_MAGIC = 0x000,
    REG_VERSION = 0x004,
    REG_DEVICE_ID = 0x008,
    REG_VENDOR_ID = 0x00c,
    REG_DEVICE_FEATURES = 0x010,
    REG_DEVICE_FEATURES_SEL = 0x014,
    REG_DRIVER_FEATURES = 0x020,
    REG_DRIVER_FEATURES_SEL = 0x024,
    REG_GUEST_PAGE_SIZE = 0x028,   /* legacy */
    REG_QUEUE_SEL = 0x030,
    REG_QUEUE_NUM_MAX = 0x034,
    REG_QUEUE_NUM = 0x038,
    REG_QUEUE_ALIGN = 0x03c,       /* legacy */
    REG_QUEUE_PFN = 0x040,         /* legacy */
    REG_QUEUE_READY = 0x044,
    REG_QUEUE_NOTIFY = 0x050,
    REG_INTERRUPT_STATUS = 0x060,
    REG_INTERRUPT_ACK = 0x064,
    REG_STATUS = 0x070,
    REG_QUEUE_DESC_LOW = 0x080,
    REG_QUEUE_DESC_HIGH = 0x084,
    REG_QUEUE_DRIVER_LOW = 0x090,
    REG_QUEUE_DRIVER_HIGH = 0x094,
    REG_QUEUE_DEVICE_LOW = 0x0a0,
    REG_QUEUE_DEVICE_HIGH = 0x0a4,
    REG_SHM_SEL = 0x0ac,
    REG_SHM_LEN_LOW = 0x0b0,
    REG_SHM_LEN_HIGH = 0x0b4,
    REG_SHM_BASE_LOW = 0x0b8,
    REG_SHM_BASE_HIGH = 0x0bc,
    REG_QUEUE_RESET = 0x0c0,
    REG_CONFIG_GENERATION = 0x0fc,
    REG_CONFIG = 0x100,
};

#define INT_VRING 1u
#define INT_CONFIG 2u

struct virtio_mmio {
    struct virtio_dev *dev;
    struct irq_line irq;
    bool level;
    bool legacy;
    uint32_t dev_features_sel, drv_features_sel, queue_sel, shm_sel;
    uint32_t isr;
    uint32_t guest_page_size;                 /* legacy */
    uint32_t queue_align[VIRTIO_MAX_QUEUES];  /* legacy */
    uint32_t queue_pfn[VIRTIO_MAX_QUEUES];    /* legacy */
};

static void update_line(struct virtio_mmio *m)
{
    bool level = m->isr != 0;
    if (level != m->level) {
        m->level = level;
        irq_set(&m->irq, level);
    }
}

static void queue_interrupt(void *ctx, unsigned q)
{
    struct virtio_mmio *m = ctx;
    m->isr |= INT_VRING;
    update_line(m);
}

static void config_interrupt(void *ctx)
{
    struct virtio_mmio *m = ctx;
    m->isr |= INT_CONFIG;
    update_line(m);
}

static void transport_reset(struct virtio_mmio *m)
{
    m->isr = 0;
    update_line(m);
    m->dev_features_sel = m->drv_features_sel = m->queue_sel = m->shm_sel = 0;
    for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++) {
        m->queue_align[q] = 4096;
        m->queue_pfn[q] = 0;
    }
}

struct virtio_mmio *virtio_mmio_new(struct virtio_dev *dev, uint64_t base, struct irq_line irq, bool legacy)
{
    struct virtio_mmio *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->dev = dev;
    m->irq = irq;
    m->legacy = legacy;
    m->guest_page_size = 4096;
    transport_reset(m);
    if (dev) {
        char where[40];
        snprintf(where, sizeof where, "virtio-mmio@%" PRIx64, base);
        struct virtio_transport t = { queue_interrupt, config_interrupt, m };
        virtio_dev_attach(dev, &t, where, legacy);
    }
    return m;
}

void virtio_mmio_free(struct virtio_mmio *m)
{
    free(m);
}

struct virtio_dev *virtio_mmio_dev(const struct virtio_mmio *m)
{
    return m->dev;
}

static uint64_t config_read(struct virtio_mmio *m, unsigned off, unsigned size)
{
    uint8_t b[8] = { 0 };
    if (m->dev)
        virtio_config_read(m->dev, off, b, size);
    return virtio_ld64(b);
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct virtio_mmio *m = opaque;
    struct virtio_dev *dev = m->dev;
    if (off >= REG_CONFIG)
        return config_read(m, (unsigned)(off - REG_CONFIG), size);
    switch (off) {
    case REG_MAGIC: return VIRTIO_MMIO_MAGIC;
    case REG_VERSION: return m->legacy ? 1 : 2;
    case REG_DEVICE_ID: return dev ? dev->device_id : 0;
    case REG_VENDOR_ID: return VIRTIO_MMIO_VENDOR;
    }
    if (!dev)
        return 0;
    struct virtq *vq = virtio_queue(dev, m->queue_sel);
    switch (off) {
    case REG_DEVICE_FEATURES:
        return m->dev_features_sel > 1 ? 0 : (uint32_t)(virtio_offered_features(dev) >> (32 * m->dev_features_sel));
    case REG_QUEUE_NUM_MAX:
        return vq ? vq->num_max : 0;
    case REG_QUEUE_READY:
        return !m->legacy && vq && vq->ready;
    case REG_QUEUE_PFN:
        return m->legacy && vq ? m->queue_pfn[m->queue_sel] : 0;
    case REG_INTERRUPT_STATUS:
        return m->isr;
    case REG_STATUS:
        return virtio_get_status(dev);
    case REG_QUEUE_DESC_LOW: return vq && !m->legacy ? (uint32_t)vq->desc : 0;
    case REG_QUEUE_DESC_HIGH: return vq && !m->legacy ? (uint32_t)(vq->desc >> 32) : 0;
    case REG_QUEUE_DRIVER_LOW: return vq && !m->legacy ? (uint32_t)vq->avail : 0;
    case REG_QUEUE_DRIVER_HIGH: return vq && !m->legacy ? (uint32_t)(vq->avail >> 32) : 0;
    case REG_QUEUE_DEVICE_LOW: return vq && !m->legacy ? (uint32_t)vq->used : 0;
    case REG_QUEUE_DEVICE_HIGH: return vq && !m->legacy ? (uint32_t)(vq->used >> 32) : 0;
    case REG_SHM_LEN_LOW:
    case REG_SHM_LEN_HIGH:
    case REG_SHM_BASE_LOW:
    case REG_SHM_BASE_HIGH:
        return m->legacy ? 0 : 0xffffffffu; /* no shared memory regions: length -1 */
    case REG_CONFIG_GENERATION:
        return m->legacy ? 0 : dev->config_generation;
    default:
        return 0;
    }
}

/* Legacy queue layout (2.7 of virtio 0.9.5 / 4.2.4): desc at PFN * page
 * size, avail right after it, used at the next QueueAlign boundary. */
static void legacy_set_pfn(struct virtio_mmio *m, unsigned q, uint32_t pfn)
{
    struct virtio_dev *dev = m->dev;
    struct virtq *vq = virtio_queue(dev, q);
    if (!vq)
        return;
    if (pfn == 0) {
        virtio_queue_set_ready(dev, q, false);
        m->queue_pfn[q] = 0;
        return;
    }
    uint32_t align = m->queue_align[q], page = m->guest_page_size;
    if (!align || (align & (align - 1)) || !page || (page & (page - 1))) {
        virtio_dev_fail(dev, "queue %u: bad legacy page size %" PRIu32 " or alignment %" PRIu32, q, page, align);
        return;
    }
    virtio_queue_set_ready(dev, q, false);
    uint64_t desc = (uint64_t)pfn * page;
    uint64_t avail = desc + virtq_desc_size(vq->num);
    uint64_t used = (avail + virtq_avail_size(vq->num) + align - 1) & ~(uint64_t)(align - 1);
    virtio_queue_set_addr(dev, q, desc, avail, used);
    virtio_queue_set_ready(dev, q, true);
    m->queue_pfn[q] = pfn;
}

static void set_addr_half(struct virtio_dev *dev, unsigned q, uint64_t off, uint32_t v)
{
    struct virtq *vq = virtio_queue(dev, q);
    if (!vq || vq->ready)
        return;
    uint64_t a[3] = { vq->desc, vq->avail, vq->used };
    unsigned which = (unsigned)((off - REG_QUEUE_DESC_LOW) >> 4);
    bool high = off & 4;
    if (high)
        a[which] = (a[which] & 0xffffffffull) | (uint64_t)v << 32;
    else
        a[which] = (a[which] & ~0xffffffffull) | v;
    virtio_queue_set_addr(dev, q, a[0], a[1], a[2]);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct virtio_mmio *m = opaque;
    struct virtio_dev *dev = m->dev;
    if (!dev)
        return;
    if (off >= REG_CONFIG) {
        uint8_t b[8];
        virtio_st64(b, value);
        virtio_config_write(dev, (unsigned)(off - REG_CONFIG), b, size);
        return;
    }
    uint32_t v = (uint32_t)value;
    unsigned q = m->queue_sel;
    struct virtq *vq = virtio_queue(dev, q);
    switch (off) {
    case REG_DEVICE_FEATURES_SEL:
        m->dev_features_sel = v;
        break;
    case REG_DRIVER_FEATURES:
        if (m->drv_features_sel <= 1) {
            unsigned sh = 32 * m->drv_features_sel;
            uint64_t f = dev->driver_features & ~(0xffffffffull << sh);
            virtio_set_driver_features(dev, f | (uint64_t)v << sh);
        }
        break;
    case REG_DRIVER_FEATURES_SEL:
        m->drv_features_sel = v;
        break;
    case REG_GUEST_PAGE_SIZE:
        if (m->legacy)
            m->guest_page_size = v;
        break;
    case REG_QUEUE_SEL:
        m->queue_sel = v;
        break;
    case REG_QUEUE_NUM:
        if (vq && !vq->ready && !virtio_queue_set_num(dev, q, v))
            virtio_dev_fail(dev, "queue %u: size %" PRIu32 " is not a power of two up to %u", q, v, vq->num_max);
        break;
    case REG_QUEUE_ALIGN:
        if (m->legacy && vq)
            m->queue_align[q] = v;
        break;
    case REG_QUEUE_PFN:
        if (m->legacy)
            legacy_set_pfn(m, q, v);
        break;
    case REG_QUEUE_READY:
        if (!m->legacy && vq)
            virtio_queue_set_ready(dev, q, v & 1);
        break;
    case REG_QUEUE_NOTIFY:
        virtio_notify(dev, v & 0xffff);
        break;
    case REG_INTERRUPT_ACK:
        m->isr &= ~v;
        update_line(m);
        break;
    case REG_STATUS:
        virtio_set_status(dev, (uint8_t)v);
        if ((v & 0xff) == 0)
            transport_reset(m);
        break;
    case REG_QUEUE_DESC_LOW:
    case REG_QUEUE_DESC_HIGH:
    case REG_QUEUE_DRIVER_LOW:
    case REG_QUEUE_DRIVER_HIGH:
    case REG_QUEUE_DEVICE_LOW:
    case REG_QUEUE_DEVICE_HIGH:
        if (!m->legacy)
            set_addr_half(dev, q, off, v);
        break;
    case REG_SHM_SEL:
        m->shm_sel = v;
        break;
    default:
        break; /* read-only or unknown: ignored */
    }
}

/* The registers are 32-bit (4.2.2.2: "32 bit wide and aligned"); the
 * device configuration takes 8-, 16- and 32-bit aligned accesses (64-bit
 * fields are read as two 32-bit halves). */
static const struct bus_access_rule mmio_rules[] = {
    { REG_MAGIC, REG_CONFIG, BUS_SIZE_4, true },
    { 0 },
};

const struct bus_device_ops virtio_mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .sizes = BUS_SIZE_1 | BUS_SIZE_2 | BUS_SIZE_4,
    .aligned = true,
    .rules = mmio_rules,
};

void virtio_mmio_state(struct virtio_mmio *m, struct state *st)
{
    bool load = state_loading(st);
    state_section(st, "virtio-mmio", 1);
    bool present = m->dev != NULL, legacy = m->legacy;
    state_bool(st, "present", &present);
    state_bool(st, "legacy", &legacy);
    if (load && (present != (m->dev != NULL) || legacy != m->legacy))
        state_fail(st, "virtio-mmio: another device or interface version in the slot");
    state_u32(st, "dev_features_sel", &m->dev_features_sel);
    state_u32(st, "drv_features_sel", &m->drv_features_sel);
    state_u32(st, "queue_sel", &m->queue_sel);
    state_u32(st, "shm_sel", &m->shm_sel);
    state_u32(st, "isr", &m->isr);
    state_u32(st, "guest_page_size", &m->guest_page_size);
    state_bytes(st, "queue_align", m->queue_align, sizeof m->queue_align);
    state_bytes(st, "queue_pfn", m->queue_pfn, sizeof m->queue_pfn);
    if (m->dev && !st->error)
        virtio_dev_state(m->dev, st);
    if (!load)
        return;
    if (st->error)
        transport_reset(m);
    m->isr &= INT_VRING | INT_CONFIG;   /* what the device can set */
    update_line(m);
}
