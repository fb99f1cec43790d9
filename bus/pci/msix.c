/* bus/pci/msix.c: the MSI-X capability, its vector table and pending-bit
 * array (in a dedicated memory BAR), masking and message writes. */
#include "bus/pci/msix.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTRY_ADDR_LO  0
#define ENTRY_DATA     8
#define ENTRY_CTRL     12

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t table_len(const struct pci_msix *m)
{
    return (uint64_t)m->nvec * PCI_MSIX_ENTRY_SIZE;
}

static uint64_t pba_len(const struct pci_msix *m)
{
    return (m->nvec + 63) / 64 * 8;
}

static uint16_t control(const struct pci_msix *m)
{
    return (uint16_t)pci_cfg_get(m->dev, m->cap + PCI_MSIX_FLAGS, 2);
}

bool pci_msix_enabled(const struct pci_dev *d)
{
    return d->msix && (control(d->msix) & PCI_MSIX_FLAGS_ENABLE);
}

bool pci_msix_pending(const struct pci_dev *d, unsigned v)
{
    return d->msix && v < d->msix->nvec && (d->msix->pba[v / 64] >> (v % 64) & 1);
}

static void set_pending(struct pci_msix *m, unsigned v, bool on)
{
    uint64_t bit = 1ull << (v % 64);
    m->pba[v / 64] = on ? m->pba[v / 64] | bit : m->pba[v / 64] & ~bit;
}

static bool vector_masked(const struct pci_msix *m, unsigned v)
{
    return m->table[v * PCI_MSIX_ENTRY_SIZE + ENTRY_CTRL] & PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

/* May the function send messages at all right now? */
static bool can_send(const struct pci_msix *m)
{
    uint16_t c = control(m);
    return (c & PCI_MSIX_FLAGS_ENABLE) && !(c & PCI_MSIX_FLAGS_MASKALL) && m->dev->host &&
           pci_dev_bus_master(m->dev);
}

/* The message is a memory write like any bus master's. */
static void send(struct pci_msix *m, unsigned v)
{
    const uint8_t *e = m->table + v * PCI_MSIX_ENTRY_SIZE;
    uint64_t addr = le32(e + ENTRY_ADDR_LO) | (uint64_t)le32(e + ENTRY_ADDR_LO + 4) << 32;
    uint32_t data = le32(e + ENTRY_DATA);
    if (m->sending) {
        /* The message landed in this very function's registers and made it
         * signal again: keep it pending rather than recurse. */
        set_pending(m, v, true);
        return;
    }
    m->sending = true;
    bool ok = bus_write(m->dev->host->bus, addr, 4, data);
    m->sending = false;
    if (ok)
        return;
    m->lost++;
    if ((m->lost & (m->lost - 1)) == 0) /* the 1st, 2nd, 4th, 8th ... */
        fprintf(stderr,
                "rivet: pci %s: MSI-X vector %u message to 0x%" PRIx64
                " went nowhere (no MSI controller there), dropped (%" PRIu64 " so far)\n", m->dev->name, v, addr,
                m->lost);
}

/* Send every pending vector that may go now. */
static void deliver_pending(struct pci_msix *m)
{
    if (!can_send(m) || m->sending)
        return;
    for (unsigned w = 0; w < (m->nvec + 63) / 64; w++)
        while (m->pba[w]) {
            uint64_t bits = m->pba[w];
            unsigned v = 0;
            /* lowest pending vector that is not masked in this word */
            for (; v < 64 && (!(bits >> v & 1) || vector_masked(m, w * 64 + v)); v++)
                ;
            if (v == 64 || !can_send(m))
                break;
            set_pending(m, w * 64 + v, false);
            send(m, w * 64 + v);
        }
}

bool pci_msix_notify(struct pci_dev *d, unsigned v)
{
    struct pci_msix *m = d->msix;
    if (!pci_msix_enabled(d))
        return false;
    if (v >= m->nvec)
        return true;
    if (!can_send(m) || vector_masked(m, v))
        set_pending(m, v, true);
    else
        send(m, v);
    return true;
}

void pci_msix_config_written(struct pci_dev *d)
{
    if (d->msix)
        deliver_pending(d->msix);
}

static uint64_t bar_read(void *opaque, uint64_t off, unsigned size)
{
    struct pci_msix *m = opaque;
    uint64_t v = 0;
    if (off + size <= table_len(m))
        memcpy(&v, m->table + off, size);
    else if (off >= m->pba_off && off - m->pba_off + size <= pba_len(m))
        memcpy(&v, (const uint8_t *)m->pba + (off - m->pba_off), size);
    return v; /* little-endian host (checked by configure) */
}

static void bar_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct pci_msix *m = opaque;
    /* The PBA is read-only; the rest of the BAR is reserved. */
    if (off + size > table_len(m))
        return;
    bool unmasked = false;
    for (unsigned i = 0; i < size; i++) {
        uint64_t o = off + i;
        uint8_t b = (uint8_t)(value >> (8 * i));
        unsigned field = (unsigned)(o % PCI_MSIX_ENTRY_SIZE);
        if (field == ENTRY_ADDR_LO)
            b &= 0xfc;                          /* messages are dword-aligned */
        else if (field == ENTRY_CTRL) {
            b &= PCI_MSIX_ENTRY_CTRL_MASKBIT;   /* the rest is reserved */
            unmasked |= (m->table[o] & PCI_MSIX_ENTRY_CTRL_MASKBIT) && !b;
        } else if (field > ENTRY_CTRL)
            b = 0;
        m->table[o] = b;
    }
    if (unmasked)
        deliver_pending(m);
}

/* "aligned full DWORD or aligned full QWORD transactions" (PCIe 7.7.2):
 * nothing else reaches the table or the PBA. */
const struct bus_device_ops pci_msix_bar_ops = {
    .read = bar_read,
    .write = bar_write,
    .sizes = BUS_SIZE_4 | BUS_SIZE_8,
    .aligned = true,
};

int pci_msix_init(struct pci_dev *d, unsigned nvec, unsigned bar)
{
    if (d->msix || d->host || nvec == 0 || nvec > PCI_MSIX_MAX_VECTORS ||
        d->cap_free + PCI_MSIX_CAP_LEN > PCI_CFG_SIZE)
        return -1;
    struct pci_msix *m = calloc(1, sizeof *m);
    if (!m)
        return -1;
    m->dev = d;
    m->nvec = nvec;
    m->bar = bar;
    /* As QEMU lays it out for a few vectors: table at 0, PBA at 2 KiB of a
     * 4 KiB BAR; larger tables get the PBA on the next 4 KiB page. */
    uint64_t tlen = table_len(m);
    m->pba_off = tlen <= 0x800 ? 0x800 : (tlen + 0xfff) & ~0xfffull;
    m->bar_size = 0x1000;
    while (m->bar_size < m->pba_off + pba_len(m))
        m->bar_size <<= 1;
    m->table = calloc(nvec, PCI_MSIX_ENTRY_SIZE);
    m->pba = calloc((nvec + 63) / 64, sizeof *m->pba);
    if (!m->table || !m->pba ||
        pci_dev_add_bar(d, bar, m->bar_size, PCI_BAR_MEM32, &pci_msix_bar_ops, m) < 0) {
        free(m->table);
        free(m->pba);
        free(m);
        return -1;
    }
    int cap = pci_dev_add_cap(d, PCI_CAP_ID_MSIX, PCI_MSIX_CAP_LEN); /* fits: checked above */
    m->cap = (unsigned)cap;
    pci_cfg_set(d, m->cap + PCI_MSIX_FLAGS, 2, nvec - 1);
    pci_cfg_set_wmask(d, m->cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    pci_cfg_set(d, m->cap + PCI_MSIX_TABLE, 4, bar);
    pci_cfg_set(d, m->cap + PCI_MSIX_PBA, 4, (uint32_t)m->pba_off | bar);
    for (unsigned v = 0; v < nvec; v++)
        m->table[v * PCI_MSIX_ENTRY_SIZE + ENTRY_CTRL] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
    d->msix = m;
    return cap;
}

void pci_msix_free(struct pci_dev *d)
{
    struct pci_msix *m = d->msix;
    if (!m)
        return;
    free(m->table);
    free(m->pba);
    free(m);
    d->msix = NULL;
}

void pci_msix_state(struct pci_dev *d, struct state *st)
{
    struct pci_msix *m = d->msix;
    state_section(st, "msix", 1);
    unsigned nvec = m->nvec;
    state_unsigned(st, "vectors", &nvec);
    if (state_loading(st) && nvec != m->nvec)
        state_fail(st, "msix: another number of vectors");
    if (st->error)
        return;
    state_bytes(st, "table", m->table, table_len(m));
    state_bytes(st, "pba", m->pba, pba_len(m));
    if (!state_loading(st))
        return;
    for (uint64_t o = 0; o < table_len(m); o++) {
        unsigned field = (unsigned)(o % PCI_MSIX_ENTRY_SIZE);
        if (field == ENTRY_ADDR_LO)
            m->table[o] &= 0xfc;
        else if (field == ENTRY_CTRL)
            m->table[o] &= PCI_MSIX_ENTRY_CTRL_MASKBIT;
        else if (field > ENTRY_CTRL)
            m->table[o] = 0;
    }
    if (nvec % 64)
        m->pba[nvec / 64] &= (1ull << (nvec % 64)) - 1;
}
