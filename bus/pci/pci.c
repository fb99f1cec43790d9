/* bus/pci/pci.c: the configuration space of a PCI function (read-only,
 * read-write and write-1-to-clear bits), BAR sizing and decoding, and the
 * function's INTx pin. */
#include "bus/pci/pci.h"

#include <string.h>

#include "bus/pci/msix.h"

static uint32_t ones(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static uint32_t get(const uint8_t *arr, unsigned off, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size && off + i < PCIE_CFG_SIZE; i++)
        v |= (uint32_t)arr[off + i] << (8 * i);
    return v;
}

uint32_t pci_cfg_get(const struct pci_dev *d, unsigned off, unsigned size)
{
    return get(d->config, off, size);
}

static void put(uint8_t *arr, unsigned off, unsigned size, uint32_t v)
{
    for (unsigned i = 0; i < size && off + i < PCIE_CFG_SIZE; i++)
        arr[off + i] = (uint8_t)(v >> (8 * i));
}

void pci_cfg_set(struct pci_dev *d, unsigned off, unsigned size, uint32_t v)
{
    put(d->config, off, size, v);
}

void pci_cfg_set_wmask(struct pci_dev *d, unsigned off, unsigned size, uint32_t mask)
{
    put(d->wmask, off, size, mask);
}

void pci_cfg_set_w1c(struct pci_dev *d, unsigned off, unsigned size, uint32_t mask)
{
    /* A bit is either written or cleared by writing 1, never both. */
    put(d->w1cmask, off, size, mask);
    put(d->wmask, off, size, get(d->wmask, off, size) & ~mask);
}

void pci_dev_init(struct pci_dev *d, uint16_t vendor, uint16_t device, uint32_t class_code,
                  uint16_t subsys_vendor, uint16_t subsys_id, uint8_t revision)
{
    memset(d, 0, sizeof *d);
    d->cfg_size = PCI_CFG_SIZE;
    d->cap_free = PCI_CAP_START;
    for (unsigned i = 0; i < PCI_NUM_BARS; i++)
        d->bar[i].addr = d->bar[i].refused = PCI_ADDR_NONE;
    pci_cfg_set(d, PCI_VENDOR_ID, 2, vendor);
    pci_cfg_set(d, PCI_DEVICE_ID, 2, device);
    pci_cfg_set(d, PCI_REVISION_ID, 1, revision);
    pci_cfg_set(d, PCI_CLASS_PROG, 3, class_code & 0xffffff);
    pci_cfg_set(d, PCI_SUBSYSTEM_VENDOR_ID, 2, subsys_vendor);
    pci_cfg_set(d, PCI_SUBSYSTEM_ID, 2, subsys_id);
    pci_cfg_set(d, PCI_INTERRUPT_PIN, 1, 1);
    /* The I/O and memory decode bits become writable with a BAR of their
     * kind: a function without one hardwires them to 0. */
    pci_cfg_set_wmask(d, PCI_COMMAND, 2,
                      PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
                      PCI_COMMAND_INTX_DISABLE);
    pci_cfg_set_w1c(d, PCI_STATUS, 2, PCI_STATUS_ERRORS);
    pci_cfg_set_wmask(d, PCI_CACHE_LINE_SIZE, 1, 0xff);
    /* Conventional PCI: a bus master's latency timer is read-write
     * (pci_dev_add_pcie_cap hardwires it to 0, as PCI Express wants). */
    pci_cfg_set_wmask(d, PCI_LATENCY_TIMER, 1, 0xff);
    pci_cfg_set_wmask(d, PCI_INTERRUPT_LINE, 1, 0xff);
    strcpy(d->name, "--:--.-");
}

void pci_dev_destroy(struct pci_dev *d)
{
    pci_msix_free(d);
}

void pci_dev_set_pin(struct pci_dev *d, unsigned pin)
{
    if (pin <= PCI_INTX_PINS && !d->host)
        pci_cfg_set(d, PCI_INTERRUPT_PIN, 1, pin);
}

static bool pow2(uint64_t x)
{
    return x && !(x & (x - 1));
}

int pci_dev_add_bar(struct pci_dev *d, unsigned index, uint64_t size, unsigned flags,
                    const struct bus_device_ops *ops, void *opaque)
{
    bool io = flags & PCI_BAR_IO, mem64 = flags & PCI_BAR_MEM64;
    if (d->host || !ops || index >= PCI_NUM_BARS || !pow2(size) ||
        (flags & ~(unsigned)(PCI_BAR_IO | PCI_BAR_MEM64 | PCI_BAR_PREFETCH)))
        return -1;
    if (io ? (mem64 || (flags & PCI_BAR_PREFETCH) || size < 4 || size > 256)
           : (size < 16 || (!mem64 && size > (1ull << 31)) || (mem64 && index + 1 >= PCI_NUM_BARS)))
        return -1;
    /* The slot, and for a 64-bit BAR the next one, must be free: neither
     * declared nor the upper half of the BAR before. */
    for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
        const struct pci_bar *b = &d->bar[i];
        if (!b->size)
            continue;
        unsigned last = i + ((b->flags & PCI_BAR_MEM64) ? 1 : 0);
        unsigned nlast = index + (mem64 ? 1 : 0);
        if (!(last < index || i > nlast))
            return -1;
    }
    struct pci_bar *b = &d->bar[index];
    b->size = size;
    b->flags = flags;
    b->ops = ops;
    b->opaque = opaque;
    unsigned reg = PCI_BASE_ADDRESS_0 + 4 * index;
    /* Sizing falls out of the write mask: the address bits below the size
     * and the type bits are read-only, so all ones reads back ~(size - 1)
     * with the type bits. */
    pci_cfg_set(d, reg, 4, flags & (io ? 0x1 : 0xf));
    pci_cfg_set_wmask(d, reg, 4, (uint32_t)~(size - 1) & (io ? ~0x3u : ~0xfu));
    if (mem64)
        pci_cfg_set_wmask(d, reg + 4, 4, (uint32_t)(~(size - 1) >> 32));
    uint16_t cmd_mask = (uint16_t)get(d->wmask, PCI_COMMAND, 2);
    cmd_mask |= io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
    pci_cfg_set_wmask(d, PCI_COMMAND, 2, cmd_mask);
    return 0;
}

int pci_dev_add_cap(struct pci_dev *d, uint8_t id, unsigned len)
{
    unsigned off = d->cap_free;
    if (len < 2 || off + len > PCI_CFG_SIZE || d->host)
        return -1;
    pci_cfg_set(d, off, 1, id);
    pci_cfg_set(d, off + 1, 1, 0);
    pci_cfg_set(d, d->cap_last ? d->cap_last + 1 : PCI_CAPABILITY_LIST, 1, off);
    pci_cfg_set(d, PCI_STATUS, 2, pci_cfg_get(d, PCI_STATUS, 2) | PCI_STATUS_CAP_LIST);
    d->cap_last = off;
    d->cap_free = (off + len + 3) & ~3u;
    return (int)off;
}

/* ---- INTx ---- */

static void update_intx(struct pci_dev *d)
{
    uint16_t status = (uint16_t)pci_cfg_get(d, PCI_STATUS, 2);
    status = (uint16_t)(d->irq_level ? status | PCI_STATUS_INTERRUPT : status & ~PCI_STATUS_INTERRUPT);
    pci_cfg_set(d, PCI_STATUS, 2, status);
    bool drive = d->host && d->irq_level && pci_cfg_get(d, PCI_INTERRUPT_PIN, 1) &&
                  !(pci_cfg_get(d, PCI_COMMAND, 2) & PCI_COMMAND_INTX_DISABLE) &&
                  !pci_msix_enabled(d);
    if (drive != d->intx_asserted) {
        d->intx_asserted = drive;
        pci_host_set_intx(d->host, d->intx_line, drive);
    }
}

void pci_set_irq(struct pci_dev *d, bool level)
{
    d->irq_level = level;
    update_intx(d);
}

void pci_dev_status_set(struct pci_dev *d, uint16_t bits)
{
    pci_cfg_set(d, PCI_STATUS, 2, pci_cfg_get(d, PCI_STATUS, 2) | bits);
}

bool pci_dev_bus_master(const struct pci_dev *d)
{
    return pci_cfg_get(d, PCI_COMMAND, 2) & PCI_COMMAND_MASTER;
}

/* ---- BAR decoding ---- */

/* Where BAR i decodes now, or PCI_ADDR_NONE: decode of its kind off, the
 * reset address 0 (not a place anyone assigns, as QEMU treats it), or a
 * range that wraps. */
static uint64_t bar_target(const struct pci_dev *d, unsigned i)
{
    const struct pci_bar *b = &d->bar[i];
    unsigned reg = PCI_BASE_ADDRESS_0 + 4 * i;
    uint16_t cmd = (uint16_t)pci_cfg_get(d, PCI_COMMAND, 2);
    uint64_t addr;
    if (b->flags & PCI_BAR_IO) {
        if (!(cmd & PCI_COMMAND_IO))
            return PCI_ADDR_NONE;
        addr = pci_cfg_get(d, reg, 4) & ~0x3u;
    } else {
        if (!(cmd & PCI_COMMAND_MEMORY))
            return PCI_ADDR_NONE;
        addr = pci_cfg_get(d, reg, 4) & ~0xfu;
        if (b->flags & PCI_BAR_MEM64)
            addr |= (uint64_t)pci_cfg_get(d, reg + 4, 4) << 32;
    }
    if (addr == 0 || addr + (b->size - 1) < addr)
        return PCI_ADDR_NONE;
    return addr;
}

/* Bring the bus in line with the BARs and the command register. Returns
 * whether a BAR left the place it was mapped at. */
static bool update_bars(struct pci_dev *d)
{
    bool freed = false;
    if (!d->host)
        return false;
    for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
        struct pci_bar *b = &d->bar[i];
        if (!b->size)
            continue;
        uint64_t want = bar_target(d, i);
        if (b->mapped && b->addr == want)
            continue;
        if (b->mapped) {
            pci_host_unmap_bar(d->host, d, i);
            freed = true;
        }
        if (want == PCI_ADDR_NONE)
            b->refused = PCI_ADDR_NONE;
        else
            pci_host_map_bar(d->host, d, i, want);
    }
    return freed;
}

/* A BAR that moved away or stopped decoding may have been what kept
 * another one (of any function on the bus) unmapped: try those again. */
static void sync_bars(struct pci_dev *d)
{
    if (!update_bars(d))
        return;
    for (unsigned s = 0; s < PCI_SLOTS; s++)
        if (d->host->slots[s])
            update_bars(d->host->slots[s]);
}

void pci_dev_attached(struct pci_dev *d)
{
    update_bars(d);
    update_intx(d);
}

/* ---- guest accesses ---- */

static bool access_ok(const struct pci_dev *d, unsigned off, unsigned size)
{
    return (size == 1 || size == 2 || size == 4) && (off & (size - 1)) == 0 &&
           off < d->cfg_size && size <= d->cfg_size - off;
}

static bool overlaps(unsigned off, unsigned size, unsigned start, unsigned len)
{
    return off < start + len && start < off + size;
}

uint32_t pci_config_read(struct pci_dev *d, unsigned off, unsigned size)
{
    if (!access_ok(d, off, size))
        return ones(size);
    uint32_t v = pci_cfg_get(d, off, size);
    if (d->ops && d->ops->config_read)
        v = d->ops->config_read(d, off, size, v) & ones(size);
    return v;
}

void pci_config_write(struct pci_dev *d, unsigned off, unsigned size, uint32_t value)
{
    if (!access_ok(d, off, size))
        return;
    for (unsigned i = 0; i < size; i++) {
        unsigned o = off + i;
        uint8_t v = (uint8_t)(value >> (8 * i));
        uint8_t cur = d->config[o];
        cur = (uint8_t)((cur & ~d->wmask[o]) | (v & d->wmask[o]));
        cur &= (uint8_t)~(v & d->w1cmask[o]);
        d->config[o] = cur;
    }
    bool cmd = overlaps(off, size, PCI_COMMAND, 2);
    bool msix = d->msix && overlaps(off, size, d->msix->cap, PCI_MSIX_CAP_LEN);
    if (cmd || overlaps(off, size, PCI_BASE_ADDRESS_0, 4 * PCI_NUM_BARS))
        sync_bars(d);
    if (cmd || msix) {
        /* Interrupt disable, MSI-X enable and bus mastering decide how the
         * function may signal now. */
        update_intx(d);
        pci_msix_config_written(d);
    }
    if (d->ops && d->ops->config_write)
        d->ops->config_write(d, off, size, value);
}

/* ---- state ---- */

void pci_dev_state(struct pci_dev *d, struct state *st)
{
    bool load = state_loading(st);
    state_section(st, "pci", 1);
    unsigned n = d->cfg_size;
    bool msix = d->msix != NULL;
    state_unsigned(st, "cfg_size", &n);
    state_bool(st, "msix", &msix);
    if (load && (n != d->cfg_size || msix != (d->msix != NULL)))
        state_fail(st, "pci: another kind of function");
    if (st->error)
        return;
    uint8_t cfg[PCIE_CFG_SIZE];
    memcpy(cfg, d->config, d->cfg_size);
    state_bytes(st, "config", cfg, d->cfg_size);
    state_bool(st, "irq_level", &d->irq_level);
    if (d->msix && !st->error)
        pci_msix_state(d, st);
    if (!load || st->error)
        return;
    for (unsigned i = 0; i < d->cfg_size; i++) {
        uint8_t m = d->wmask[i] | d->w1cmask[i];
        d->config[i] = (uint8_t)((d->config[i] & ~m) | (cfg[i] & m));
    }
    sync_bars(d);
    update_intx(d);
    pci_msix_config_written(d);
}

void pci_host_state(struct pci_host *h, struct state *st)
{
    state_section(st, "pci-host", 1);
    pci_dev_state(&h->bridge, st);
}
