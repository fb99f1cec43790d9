/* virtio/pci.c: the virtio-pci modern register file (common configuration,
 * ISR, device configuration, notifications), its PCI function and its
 * interrupts (INTx with ISR bits, or MSI-X vectors). */
#include "virtio/pci.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/pci/msix.h"

#define CAP_LEN        16      /* struct virtio_pci_cap */
#define NOTIFY_CAP_LEN 20      /* + notify_off_multiplier */
#define PCICFG_CAP_LEN 20      /* + pci_cfg_data */
#define CAP_BAR        4       /* offsets inside struct virtio_pci_cap */
#define CAP_OFFSET     8
#define CAP_LENGTH     12
#define CAP_DATA       16      /* pci_cfg_data / notify_off_multiplier */
#define DEFAULT_NVEC   2

struct virtio_pci {
    struct pci_dev pci;
    struct virtio_dev *dev;
    unsigned nvec;
    uint32_t dfselect, gfselect;
    uint16_t queue_sel;
    uint16_t config_vector;
    uint16_t queue_vector[VIRTIO_MAX_QUEUES];
    uint8_t isr;
    unsigned pcicfg;        /* offset of the PCI configuration access capability */
    bool logged_odd;
};

uint32_t virtio_pci_class(uint32_t device_id)
{
    switch (device_id) {
    case VIRTIO_ID_NET: return 0x020000;     /* network, ethernet */
    case VIRTIO_ID_BLOCK: return 0x010000;   /* storage, SCSI: what QEMU says */
    case VIRTIO_ID_CONSOLE: return 0x078000; /* communication, other */
    case 9: return 0x000200;                 /* 9p: QEMU's class id 0x0002 */
    case 16: return 0x038000;                /* gpu: display, other */
    case 18: return 0x098000;                /* input: input, other */
    default: return 0x00ff00;                /* rng and the rest: unclassified */
    }
}

/* ---- interrupts ---- */

/* INTx follows the ISR while MSI-X is off (4.1.4.5.1); the PCI layer also
 * keeps the pin quiet while MSI-X is on. */
static void update_intx(struct virtio_pci *vp)
{
    pci_set_irq(&vp->pci, vp->isr != 0 && !pci_msix_enabled(&vp->pci));
}

static void queue_interrupt(void *ctx, unsigned q)
{
    struct virtio_pci *vp = ctx;
    if (pci_msix_enabled(&vp->pci)) {
        uint16_t v = q < VIRTIO_MAX_QUEUES ? vp->queue_vector[q] : VIRTIO_PCI_NO_VECTOR;
        if (v != VIRTIO_PCI_NO_VECTOR)
            pci_msix_notify(&vp->pci, v);
        return;
    }
    vp->isr |= VIRTIO_PCI_ISR_QUEUE;
    update_intx(vp);
}

static void config_interrupt(void *ctx)
{
    struct virtio_pci *vp = ctx;
    vp->isr |= VIRTIO_PCI_ISR_CONFIG; /* set with MSI-X too (4.1.4.5.1) */
    if (pci_msix_enabled(&vp->pci)) {
        if (vp->config_vector != VIRTIO_PCI_NO_VECTOR)
            pci_msix_notify(&vp->pci, vp->config_vector);
        return;
    }
    update_intx(vp);
}

static void transport_reset(struct virtio_pci *vp)
{
    vp->dfselect = vp->gfselect = 0;
    vp->queue_sel = 0;
    vp->config_vector = VIRTIO_PCI_NO_VECTOR;
    for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
        vp->queue_vector[q] = VIRTIO_PCI_NO_VECTOR;
    vp->isr = 0;
    update_intx(vp);
}

/* A vector the table has, else NO_VECTOR: the driver reads the field back
 * to learn that the mapping failed (4.1.5.1.2), as on QEMU. Kept whether
 * or not MSI-X is enabled yet. */
static uint16_t valid_vector(const struct virtio_pci *vp, uint32_t v)
{
    return v < vp->nvec ? (uint16_t)v : VIRTIO_PCI_NO_VECTOR;
}

static void log_odd(struct virtio_pci *vp, const char *what, uint64_t off, unsigned size)
{
    if (vp->logged_odd)
        return;
    vp->logged_odd = true;
    fprintf(stderr, "rivet: %s: ignored %u-byte %s at BAR%u offset 0x%" PRIx64 " (logged once)\n",
            vp->dev->label, size, what, VIRTIO_PCI_BAR, off);
}

/* ---- common configuration ---- */

/* The structure as the driver would read it now. Reads have no side
 * effects, so any size and alignment can be served from this image. */
static void common_image(struct virtio_pci *vp, uint8_t img[VIRTIO_PCI_COMMON_LEN])
{
    struct virtio_dev *dev = vp->dev;
    unsigned q = vp->queue_sel;
    struct virtq *vq = virtio_queue(dev, q);
    uint64_t f = virtio_offered_features(dev);
    memset(img, 0, VIRTIO_PCI_COMMON_LEN);
    virtio_st32(img + VIRTIO_PCI_COMMON_DFSELECT, vp->dfselect);
    virtio_st32(img + VIRTIO_PCI_COMMON_DF, vp->dfselect <= 1 ? (uint32_t)(f >> (32 * vp->dfselect)) : 0);
    virtio_st32(img + VIRTIO_PCI_COMMON_GFSELECT, vp->gfselect);
    virtio_st32(img + VIRTIO_PCI_COMMON_GF,
                vp->gfselect <= 1 ? (uint32_t)(dev->driver_features >> (32 * vp->gfselect)) : 0);
    virtio_st16(img + VIRTIO_PCI_COMMON_MSIX, vp->config_vector);
    virtio_st16(img + VIRTIO_PCI_COMMON_NUMQ, (uint16_t)dev->nqueues);
    img[VIRTIO_PCI_COMMON_STATUS] = virtio_get_status(dev);
    img[VIRTIO_PCI_COMMON_CFGGEN] = (uint8_t)dev->config_generation;
    virtio_st16(img + VIRTIO_PCI_COMMON_Q_SELECT, vp->queue_sel);
    /* An absent queue reads size 0 and everything else 0 (4.1.4.3.1). */
    if (vq) {
        virtio_st16(img + VIRTIO_PCI_COMMON_Q_SIZE, vq->num);
        virtio_st16(img + VIRTIO_PCI_COMMON_Q_MSIX, vp->queue_vector[q]);
        virtio_st16(img + VIRTIO_PCI_COMMON_Q_ENABLE, vq->ready);
        virtio_st16(img + VIRTIO_PCI_COMMON_Q_NOFF, (uint16_t)q);
        virtio_st64(img + VIRTIO_PCI_COMMON_Q_DESC, vq->desc);
        virtio_st64(img + VIRTIO_PCI_COMMON_Q_AVAIL, vq->avail);
        virtio_st64(img + VIRTIO_PCI_COMMON_Q_USED, vq->used);
    }
}

static uint64_t common_read(struct virtio_pci *vp, uint64_t off, unsigned size)
{
    uint8_t img[VIRTIO_PCI_COMMON_LEN];
    if (off >= VIRTIO_PCI_COMMON_LEN)
        return 0; /* the rest of the region is reserved */
    common_image(vp, img);
    uint64_t v = 0;
    for (unsigned i = 0; i < size && off + i < VIRTIO_PCI_COMMON_LEN; i++)
        v |= (uint64_t)img[off + i] << (8 * i);
    return v;
}

/* One half (or all) of a 64-bit ring address: the driver may write the two
 * 32-bit halves separately (4.1.3.1). Ignored while the queue is enabled. */
static void set_ring_addr(struct virtio_pci *vp, uint64_t off, uint64_t value, unsigned size)
{
    struct virtio_dev *dev = vp->dev;
    struct virtq *vq = virtio_queue(dev, vp->queue_sel);
    if (!vq || vq->ready)
        return;
    uint64_t a[3] = { vq->desc, vq->avail, vq->used };
    unsigned which = (unsigned)((off - VIRTIO_PCI_COMMON_Q_DESC) / 8);
    if (size == 8)
        a[which] = value;
    else if (off & 4)
        a[which] = (a[which] & 0xffffffffull) | (value & 0xffffffffull) << 32;
    else
        a[which] = (a[which] & ~0xffffffffull) | (value & 0xffffffffull);
    virtio_queue_set_addr(dev, vp->queue_sel, a[0], a[1], a[2]);
}

/* The bus has checked the width (natural, see bar_rules): a 32-bit half
 * of a 64-bit ring address is the only access narrower than its field. */
static void common_write(struct virtio_pci *vp, uint64_t off, uint64_t value, unsigned size)
{
    struct virtio_dev *dev = vp->dev;
    uint64_t field = off;
    if (off >= VIRTIO_PCI_COMMON_Q_DESC && off < VIRTIO_PCI_COMMON_Q_NDATA)
        field = off & ~7ull;
    uint32_t v = (uint32_t)value;
    unsigned q = vp->queue_sel;
    struct virtq *vq = virtio_queue(dev, q);
    switch (field) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        vp->dfselect = v;
        break;
    case VIRTIO_PCI_COMMON_GFSELECT:
        vp->gfselect = v;
        break;
    case VIRTIO_PCI_COMMON_GF:
        if (vp->gfselect <= 1) {
            unsigned sh = 32 * vp->gfselect;
            uint64_t f = dev->driver_features & ~(0xffffffffull << sh);
            virtio_set_driver_features(dev, f | (uint64_t)v << sh);
        }
        break;
    case VIRTIO_PCI_COMMON_MSIX:
        vp->config_vector = valid_vector(vp, v & 0xffff);
        break;
    case VIRTIO_PCI_COMMON_STATUS:
        virtio_set_status(dev, (uint8_t)v);
        if ((uint8_t)v == 0)
            transport_reset(vp);
        break;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        vp->queue_sel = (uint16_t)v;
        break;
    case VIRTIO_PCI_COMMON_Q_SIZE:
        if (vq && !vq->ready && !virtio_queue_set_num(dev, q, v & 0xffff))
            virtio_dev_fail(dev, "queue %u: size %u is not a power of two up to %u", q, v & 0xffff, vq->num_max);
        break;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        if (vq)
            vp->queue_vector[q] = valid_vector(vp, v & 0xffff);
        break;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        /* Only 1 means something: a queue is disabled by a device reset
         * (queue_reset is not offered). */
        if (vq && (v & 0xffff) == 1)
            virtio_queue_set_ready(dev, q, true);
        break;
    case VIRTIO_PCI_COMMON_Q_DESC:
    case VIRTIO_PCI_COMMON_Q_AVAIL:
    case VIRTIO_PCI_COMMON_Q_USED:
        set_ring_addr(vp, off, value, size);
        break;
    default:
        break; /* read-only fields, and queue_reset (not offered) */
    }
}

/* ---- the BAR ---- */

static uint64_t bar_read(void *opaque, uint64_t off, unsigned size)
{
    struct virtio_pci *vp = opaque;
    uint64_t region = off / VIRTIO_PCI_REGION_SIZE, o = off % VIRTIO_PCI_REGION_SIZE;
    switch (region) {
    case 0:
        return common_read(vp, o, size);
    case 1: {
        if (o != 0)
            return 0;
        /* Read-to-clear (4.1.4.5). */
        uint8_t isr = vp->isr;
        vp->isr = 0;
        update_intx(vp);
        return isr;
    }
    case 2: {
        uint8_t b[8] = { 0 };
        virtio_config_read(vp->dev, (unsigned)o, b, size);
        return virtio_ld64(b);
    }
    default:
        return 0; /* notifications are write-only */
    }
}

static void bar_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct virtio_pci *vp = opaque;
    uint64_t region = off / VIRTIO_PCI_REGION_SIZE, o = off % VIRTIO_PCI_REGION_SIZE;
    switch (region) {
    case 0:
        common_write(vp, o, value, size);
        break;
    case 2: {
        uint8_t b[8];
        virtio_st64(b, value);
        virtio_config_write(vp->dev, (unsigned)o, b, size);
        break;
    }
    case 3:
        /* The doorbell's address names the queue; the value is not needed
         * without NOTIFICATION_DATA (as QEMU). */
        if (o % VIRTIO_PCI_NOTIFY_MULT)
            log_odd(vp, "notification", off, size);
        else
            virtio_notify(vp->dev, (unsigned)(o / VIRTIO_PCI_NOTIFY_MULT));
        break;
    default:
        break; /* the ISR is read-only */
    }
}

#define R(start, end, sizes) { (start), (end), (sizes), true }
#define COMMON(x) (VIRTIO_PCI_COMMON_OFF + VIRTIO_PCI_COMMON_##x)
/* Every field at its natural width (4.1.3.1), 64-bit ring addresses also
 * as two 32-bit halves; the ISR byte; the device configuration with 8-,
 * 16- and 32-bit accesses (as virtio-mmio); notifications 16-bit (the
 * queue index) or 32-bit (with NOTIFICATION_DATA). Reserved space takes
 * 8- to 32-bit accesses (reads 0, writes ignored). */
static const struct bus_access_rule bar_rules[] = {
    R(COMMON(DFSELECT), COMMON(MSIX), BUS_SIZE_4),
    R(COMMON(MSIX), COMMON(STATUS), BUS_SIZE_2),
    R(COMMON(STATUS), COMMON(Q_SELECT), BUS_SIZE_1),
    R(COMMON(Q_SELECT), COMMON(Q_DESC), BUS_SIZE_2),
    R(COMMON(Q_DESC), COMMON(Q_NDATA), BUS_SIZE_4 | BUS_SIZE_8),
    R(COMMON(Q_NDATA), COMMON(LEN), BUS_SIZE_2),
    R(VIRTIO_PCI_ISR_OFF, VIRTIO_PCI_ISR_OFF + VIRTIO_PCI_REGION_SIZE, BUS_SIZE_1),
    R(VIRTIO_PCI_NOTIFY_OFF, VIRTIO_PCI_NOTIFY_OFF + VIRTIO_PCI_REGION_SIZE, BUS_SIZE_2 | BUS_SIZE_4),
    { 0 },
};
#undef R
#undef COMMON

static const struct bus_device_ops virtio_pci_bar_ops = {
    .read = bar_read,
    .write = bar_write,
    .sizes = BUS_SIZE_1 | BUS_SIZE_2 | BUS_SIZE_4,
    .aligned = true,
    .rules = bar_rules,
};

/* ---- the configuration access capability (cfg_type 5, 4.1.4.9) ----
 * pci_cfg_data is a window into BAR cap.bar at cap.offset, cap.length (1,
 * 2 or 4) bytes wide, for firmware that cannot map the BAR. Anything else
 * (another BAR, an out-of-range offset, an access the BAR would refuse on
 * the bus) reads 0 and writes nothing. */

static bool pcicfg_window(struct virtio_pci *vp, uint32_t *off, unsigned *len)
{
    struct pci_dev *d = &vp->pci;
    unsigned c = vp->pcicfg;
    *off = pci_cfg_get(d, c + CAP_OFFSET, 4);
    *len = pci_cfg_get(d, c + CAP_LENGTH, 4);
    return pci_cfg_get(d, c + CAP_BAR, 1) == VIRTIO_PCI_BAR && (*len == 1 || *len == 2 || *len == 4) &&
           *off < VIRTIO_PCI_BAR_SIZE && bus_access_ok(&virtio_pci_bar_ops, *off, *len);
}

static bool touches_data(const struct virtio_pci *vp, unsigned off, unsigned size)
{
    unsigned data = vp->pcicfg + CAP_DATA;
    return off < data + 4 && data < off + size;
}

static uint32_t cfg_read_hook(struct pci_dev *d, unsigned off, unsigned size, uint32_t value)
{
    struct virtio_pci *vp = d->opaque;
    uint32_t boff;
    unsigned len;
    if (!touches_data(vp, off, size) || !pcicfg_window(vp, &boff, &len))
        return value;
    uint32_t v = (uint32_t)bar_read(vp, boff, len);
    /* The guest may read the data field with any width: shift it into place. */
    unsigned data = vp->pcicfg + CAP_DATA;
    uint64_t bytes = (uint64_t)value;
    for (unsigned i = 0; i < size; i++) {
        unsigned o = off + i;
        if (o >= data && o < data + 4) {
            bytes &= ~(0xffull << (8 * i));
            bytes |= (uint64_t)((v >> (8 * (o - data))) & 0xff) << (8 * i);
        }
    }
    return (uint32_t)bytes;
}

static void cfg_write_hook(struct pci_dev *d, unsigned off, unsigned size, uint32_t value)
{
    struct virtio_pci *vp = d->opaque;
    uint32_t boff;
    unsigned len;
    if (off != vp->pcicfg + CAP_DATA || !pcicfg_window(vp, &boff, &len))
        return;
    bar_write(vp, boff, value & (len == 4 ? 0xffffffffu : (1u << (8 * len)) - 1), len);
}

static const struct pci_dev_ops virtio_pci_cfg_ops = { cfg_read_hook, cfg_write_hook };

/* ---- the function ---- */

static unsigned add_cap(struct pci_dev *d, uint8_t type, uint32_t off, unsigned len)
{
    int c = pci_dev_add_cap(d, PCI_CAP_ID_VNDR, len);
    if (c < 0)
        return 0; /* cannot happen: five small capabilities fit in 192 bytes */
    unsigned u = (unsigned)c;
    pci_cfg_set(d, u + 2, 1, len);          /* cap_len */
    pci_cfg_set(d, u + 3, 1, type);         /* cfg_type */
    if (type == VIRTIO_PCI_CAP_PCI_CFG) {
        /* bar, offset, length and data are the driver's to write */
        pci_cfg_set_wmask(d, u + CAP_BAR, 1, 0xff);
        pci_cfg_set_wmask(d, u + CAP_OFFSET, 4, 0xffffffff);
        pci_cfg_set_wmask(d, u + CAP_LENGTH, 4, 0xffffffff);
        pci_cfg_set_wmask(d, u + CAP_DATA, 4, 0xffffffff);
        return u;
    }
    pci_cfg_set(d, u + CAP_BAR, 1, VIRTIO_PCI_BAR);
    pci_cfg_set(d, u + CAP_OFFSET, 4, off);
    pci_cfg_set(d, u + CAP_LENGTH, 4, VIRTIO_PCI_REGION_SIZE);
    if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
        pci_cfg_set(d, u + CAP_DATA, 4, VIRTIO_PCI_NOTIFY_MULT);
    return u;
}

/* QEMU links its capabilities newest first (0x34 -> MSI-X -> ... ->
 * common); the same chain makes lspci and config dumps identical. */
static void link_newest_first(struct pci_dev *d)
{
    unsigned offs[16], n = 0;
    for (unsigned c = pci_cfg_get(d, PCI_CAPABILITY_LIST, 1); c && n < 16; c = pci_cfg_get(d, c + 1, 1))
        offs[n++] = c;
    pci_cfg_set(d, PCI_CAPABILITY_LIST, 1, n ? offs[n - 1] : 0);
    for (unsigned i = n; i-- > 0;)
        pci_cfg_set(d, offs[i] + 1, 1, i ? offs[i - 1] : 0);
}

struct virtio_pci *virtio_pci_new(struct virtio_dev *dev, struct pci_host *host, int slot, unsigned nvec,
                                  uint32_t class_code)
{
    struct virtio_pci *vp = calloc(1, sizeof *vp);
    if (!vp || !dev || !host)
        goto fail;
    vp->dev = dev;
    vp->nvec = nvec ? nvec : DEFAULT_NVEC;
    struct pci_dev *d = &vp->pci;
    pci_dev_init(d, VIRTIO_PCI_VENDOR, (uint16_t)(VIRTIO_PCI_DEVICE_MODERN + dev->device_id),
                 class_code ? class_code : virtio_pci_class(dev->device_id), VIRTIO_PCI_VENDOR,
                 VIRTIO_PCI_SUBSYS_ID, VIRTIO_PCI_REVISION);
    d->opaque = vp;
    d->ops = &virtio_pci_cfg_ops;
    /* QEMU hardwires the latency timer to 0, also on its conventional
     * functions; Linux's write of 64 then reads back 0 on both. */
    pci_cfg_set_wmask(d, PCI_LATENCY_TIMER, 1, 0);
    if (pci_dev_add_bar(d, VIRTIO_PCI_BAR, VIRTIO_PCI_BAR_SIZE, PCI_BAR_MEM64 | PCI_BAR_PREFETCH,
                        &virtio_pci_bar_ops, vp) < 0)
        goto fail;
    /* QEMU's offsets: 0x40 common, 0x50 ISR, 0x60 device, 0x70 notify,
     * 0x84 configuration access, 0x98 MSI-X. */
    add_cap(d, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF, CAP_LEN);
    add_cap(d, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF, CAP_LEN);
    add_cap(d, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_OFF, CAP_LEN);
    add_cap(d, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFF, NOTIFY_CAP_LEN);
    vp->pcicfg = add_cap(d, VIRTIO_PCI_CAP_PCI_CFG, 0, PCICFG_CAP_LEN);
    if (pci_msix_init(d, vp->nvec, VIRTIO_PCI_MSIX_BAR) < 0)
        goto fail;
    link_newest_first(d);
    transport_reset(vp);
    if (pci_host_add(host, slot, d) < 0)
        goto fail;
    char where[40];
    snprintf(where, sizeof where, "virtio-pci %s", d->name);
    struct virtio_transport t = { queue_interrupt, config_interrupt, vp };
    virtio_dev_attach(dev, &t, where, false);
    return vp;
fail:
    if (vp)
        pci_dev_destroy(&vp->pci);
    free(vp);
    return NULL;
}

void virtio_pci_free(struct virtio_pci *vp)
{
    if (!vp)
        return;
    if (vp->pci.host)
        pci_host_remove(vp->pci.host, &vp->pci);
    pci_dev_destroy(&vp->pci);
    free(vp);
}

struct virtio_dev *virtio_pci_dev(const struct virtio_pci *vp)
{
    return vp->dev;
}

struct pci_dev *virtio_pci_function(struct virtio_pci *vp)
{
    return &vp->pci;
}

unsigned virtio_pci_slot(const struct virtio_pci *vp)
{
    return vp->pci.slot;
}

void virtio_pci_state(struct virtio_pci *vp, struct state *st)
{
    bool load = state_loading(st);
    state_section(st, "virtio-pci", 1);
    unsigned nvec = vp->nvec;
    state_unsigned(st, "vectors", &nvec);
    if (load && nvec != vp->nvec)
        state_fail(st, "virtio-pci: another number of MSI-X vectors");
    state_u32(st, "dfselect", &vp->dfselect);
    state_u32(st, "gfselect", &vp->gfselect);
    state_u16(st, "queue_sel", &vp->queue_sel);
    state_u16(st, "config_vector", &vp->config_vector);
    state_bytes(st, "queue_vector", vp->queue_vector, sizeof vp->queue_vector);
    state_u8(st, "isr", &vp->isr);
    if (!st->error)
        pci_dev_state(&vp->pci, st);
    if (!st->error)
        virtio_dev_state(vp->dev, st);
    if (!load)
        return;
    if (st->error) {
        transport_reset(vp);
        return;
    }
    /* Vectors from a stream may be anything: keep them inside the table. */
    vp->config_vector = valid_vector(vp, vp->config_vector);
    for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
        vp->queue_vector[q] = valid_vector(vp, vp->queue_vector[q]);
    vp->isr &= VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG;
    update_intx(vp);
}
