/* bus/pci/host.c: a PCIe host bridge as Linux's pci-host-ecam-generic
 * drives it: the ECAM configuration window, the I/O window, the memory
 * windows BARs may live in, bus 0 with 32 slots and a host bridge function
 * at 00.0, and INTx routing with the standard swizzle. */
#include "bus/pci/pci.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* QEMU's generic PCIe host bridge function, so guests see the same 00.0. */
#define GPEX_VENDOR          0x1b36
#define GPEX_DEVICE          0x0008
#define CLASS_HOST_BRIDGE    0x060000
#define QEMU_SUBSYS_VENDOR   0x1af4
#define QEMU_SUBSYS_ID       0x1100
#define PCI_IO_SPACE_SIZE    0x10000ull

static uint64_t ones(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

struct pci_dev *pci_host_dev(struct pci_host *h, unsigned bus, unsigned slot, unsigned fn)
{
    /* One root bus without bridges; functions 1-7 of a slot are absent. */
    if (bus != 0 || slot >= PCI_SLOTS || fn != 0)
        return NULL;
    return h->slots[slot];
}

/* ---- ECAM ---- */

static struct pci_dev *ecam_dev(struct pci_host *h, uint64_t off)
{
    return pci_host_dev(h, (unsigned)(off >> 20), (unsigned)(off >> 15) & 31, (unsigned)(off >> 12) & 7);
}

static uint64_t ecam_read(void *opaque, uint64_t off, unsigned size)
{
    struct pci_host *h = opaque;
    struct pci_dev *d = ecam_dev(h, off);
    return d ? pci_config_read(d, off & 0xfff, size) : ones(size);
}

static void ecam_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct pci_host *h = opaque;
    struct pci_dev *d = ecam_dev(h, off);
    if (d)
        pci_config_write(d, off & 0xfff, size, (uint32_t)value);
}

/* Configuration accesses are 8, 16 or 32 bits, naturally aligned (PCIe
 * 7.2.2: ECAM takes no other); anything else is an access fault. */
static const struct bus_device_ops ecam_ops = {
    .read = ecam_read,
    .write = ecam_write,
    .sizes = BUS_SIZE_1 | BUS_SIZE_2 | BUS_SIZE_4,
    .aligned = true,
};

/* ---- I/O window: PCI I/O space, where only I/O BARs live ---- */

static uint64_t io_read(void *opaque, uint64_t off, unsigned size)
{
    struct pci_host *h = opaque;
    uint64_t v;
    /* No BAR decodes the port: the master abort reads all ones. */
    return bus_read(&h->io, off, size, &v) ? v : ones(size);
}

static void io_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct pci_host *h = opaque;
    bus_write(&h->io, off, size, value);
}

/* I/O ports take 8-, 16- and 32-bit accesses, aligned or not, as on a PC
 * (the BAR behind decides the rest, on the I/O bus; a port no BAR decodes
 * reads all ones). */
static const struct bus_device_ops io_ops = {
    .read = io_read,
    .write = io_write,
    .sizes = BUS_SIZE_1 | BUS_SIZE_2 | BUS_SIZE_4,
};

/* ---- the host ---- */

struct pci_host *pci_host_new(struct bus *bus, const struct irq_line intx[PCI_INTX_PINS])
{
    struct pci_host *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->bus = bus;
    bus_init(&h->io);
    for (unsigned i = 0; i < PCI_INTX_PINS; i++)
        h->intx[i] = intx ? intx[i] : (struct irq_line){ 0 };
    pci_dev_init(&h->bridge, GPEX_VENDOR, GPEX_DEVICE, CLASS_HOST_BRIDGE, QEMU_SUBSYS_VENDOR,
                 QEMU_SUBSYS_ID, 0);
    pci_dev_set_pin(&h->bridge, 0);
    pci_host_add(h, 0, &h->bridge);
    return h;
}

void pci_host_free(struct pci_host *h)
{
    if (!h)
        return;
    ratelimit_flush(&h->log_rl);
    for (unsigned s = 0; s < PCI_SLOTS; s++) {
        struct pci_dev *d = h->slots[s];
        if (!d)
            continue;
        for (unsigned i = 0; i < PCI_NUM_BARS; i++)
            if (d->bar[i].mapped)
                pci_host_unmap_bar(h, d, i);
        d->host = NULL;
        d->intx_asserted = false;
    }
    if (h->ecam_size)
        bus_unmap(h->bus, h->ecam_base);
    if (h->io_size)
        bus_unmap(h->bus, h->io_base);
    bus_free(&h->io);
    pci_dev_destroy(&h->bridge);
    free(h);
}

int pci_host_map_ecam(struct pci_host *h, uint64_t base, uint64_t size)
{
    if (h->ecam_size || size == 0 || size % PCI_ECAM_BUS_SIZE || size > 256 * PCI_ECAM_BUS_SIZE ||
        bus_map(h->bus, base, size, "pci-ecam", &ecam_ops, h) < 0)
        return -1;
    h->ecam_base = base;
    h->ecam_size = size;
    return 0;
}

int pci_host_map_io(struct pci_host *h, uint64_t base, uint64_t size)
{
    if (h->io_size || size == 0 || size > PCI_IO_SPACE_SIZE ||
        bus_map(h->bus, base, size, "pci-io", &io_ops, h) < 0)
        return -1;
    h->io_base = base;
    h->io_size = size;
    for (unsigned s = 0; s < PCI_SLOTS; s++)
        if (h->slots[s])
            pci_dev_attached(h->slots[s]);
    return 0;
}

int pci_host_add_mem_window(struct pci_host *h, uint64_t base, uint64_t size)
{
    if (h->nwin == PCI_HOST_MAX_WINDOWS || size == 0 || base + (size - 1) < base)
        return -1;
    h->win[h->nwin].base = base;
    h->win[h->nwin].size = size;
    h->nwin++;
    for (unsigned s = 0; s < PCI_SLOTS; s++)
        if (h->slots[s])
            pci_dev_attached(h->slots[s]);
    return 0;
}

int pci_host_add(struct pci_host *h, int slot, struct pci_dev *d)
{
    if (d->host)
        return -1;
    if (slot < 0) {
        for (slot = 1; slot < PCI_SLOTS && h->slots[slot]; slot++)
            ;
    }
    if (slot >= PCI_SLOTS || h->slots[slot])
        return -1;
    h->slots[slot] = d;
    d->host = h;
    d->slot = (unsigned)slot;
    snprintf(d->name, sizeof d->name, "00:%02x.0", (unsigned)slot);
    for (unsigned i = 0; i < PCI_NUM_BARS; i++)
        snprintf(d->bar[i].name, sizeof d->bar[i].name, "pci %s BAR%u", d->name, i);
    unsigned pin = pci_cfg_get(d, PCI_INTERRUPT_PIN, 1);
    d->intx_line = pin ? (pin - 1 + (unsigned)slot) % PCI_INTX_PINS : 0;
    pci_dev_attached(d);
    return slot;
}

void pci_host_remove(struct pci_host *h, struct pci_dev *d)
{
    if (!h || d->host != h || h->slots[d->slot] != d)
        return;
    for (unsigned i = 0; i < PCI_NUM_BARS; i++)
        pci_host_unmap_bar(h, d, i);
    if (d->intx_asserted)
        pci_host_set_intx(h, d->intx_line, false);
    d->intx_asserted = false;
    h->slots[d->slot] = NULL;
    d->host = NULL;
    /* Its BARs may have been what kept another function's BAR out. */
    for (unsigned s = 0; s < PCI_SLOTS; s++)
        if (h->slots[s])
            pci_dev_attached(h->slots[s]);
}

/* The name of a region in [addr, addr + size) of b, for the log line. */
static const char *occupant(const struct bus *b, uint64_t addr, uint64_t size)
{
    for (unsigned i = 0; i < b->count; i++) {
        const struct bus_region *r = &b->regions[i];
        if (r->base <= addr + (size - 1) && addr <= r->base + (r->size - 1))
            return r->name ? r->name : "a region";
    }
    return "a region";
}

static bool in_window(const struct pci_host *h, uint64_t addr, uint64_t size)
{
    for (unsigned i = 0; i < h->nwin; i++)
        if (addr >= h->win[i].base && size <= h->win[i].size &&
            addr - h->win[i].base <= h->win[i].size - size)
            return true;
    return false;
}

int pci_host_map_bar(struct pci_host *h, struct pci_dev *d, unsigned i, uint64_t addr)
{
    struct pci_bar *b = &d->bar[i];
    bool io = b->flags & PCI_BAR_IO;
    struct bus *target = io ? &h->io : h->bus;
    const char *why = NULL, *who = "";
    if (io ? addr >= h->io_size || b->size > h->io_size - addr : !in_window(h, addr, b->size)) {
        why = io ? "is outside the I/O window" : "is outside the memory windows";
    } else if (bus_map(target, addr, b->size, b->name, b->ops, b->opaque) < 0) {
        why = "overlaps ";
        who = occupant(target, addr, b->size);
    }
    if (!why) {
        b->mapped = true;
        b->addr = addr;
        b->refused = PCI_ADDR_NONE;
        return 0;
    }
    if (b->refused != addr) {
        b->refused = addr;
        log_guest(&h->log_rl,
                  "pci %s: %s BAR%u at 0x%" PRIx64 " (size 0x%" PRIx64 ") %s%s; left unmapped until it moves",
                  d->name, io ? "I/O" : "memory", i, addr, b->size, why, who);
    }
    return -1;
}

void pci_host_unmap_bar(struct pci_host *h, struct pci_dev *d, unsigned i)
{
    struct pci_bar *b = &d->bar[i];
    if (!b->mapped)
        return;
    bus_unmap((b->flags & PCI_BAR_IO) ? &h->io : h->bus, b->addr);
    b->mapped = false;
    b->addr = PCI_ADDR_NONE;
}

void pci_host_set_intx(struct pci_host *h, unsigned line, bool level)
{
    /* INTx lines are shared open-drain wires: high while any function on
     * them asserts. */
    line %= PCI_INTX_PINS;
    if (level) {
        if (h->intx_count[line]++ == 0)
            irq_raise(&h->intx[line]);
    } else if (h->intx_count[line] && --h->intx_count[line] == 0) {
        irq_lower(&h->intx[line]);
    }
}
