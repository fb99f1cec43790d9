/* machine/pci_virt.c: the virt board's PCIe host bridge, wired to the PLIC
 * and mapped at QEMU virt's addresses. */
#include "machine/pci_virt.h"

#include "machine/plic.h"
#include "machine/board.h"

#include <libfdt.h>

#define TRY(x) do { if ((x) < 0) return -1; } while (0)

struct pci_host *virt_pci_create(struct bus *bus, struct plic *plic, uint64_t ram_base, uint64_t ram_size)
{
    return virt_pci_create_wired(bus, plic_set_irq, plic, ram_base, ram_size);
}

struct pci_host *virt_pci_create_wired(struct bus *bus, void (*set)(void *, unsigned, bool), void *sink,
                                       uint64_t ram_base, uint64_t ram_size)
{
    struct irq_line intx[PCI_INTX_PINS];
    for (unsigned i = 0; i < PCI_INTX_PINS; i++)
        intx[i] = (struct irq_line){ set, sink, VIRT_PCIE_IRQ + i };
    struct pci_host *h = pci_host_new(bus, intx);
    if (!h)
        return NULL;
    if (pci_host_map_ecam(h, VIRT_PCIE_ECAM, VIRT_PCIE_ECAM_SIZE) < 0 ||
        pci_host_map_io(h, VIRT_PCIE_PIO, VIRT_PCIE_PIO_SIZE) < 0 ||
        pci_host_add_mem_window(h, VIRT_PCIE_MMIO, VIRT_PCIE_MMIO_SIZE) < 0 ||
        pci_host_add_mem_window(h, virt_pcie_mmio64_base(ram_base, ram_size), VIRT_PCIE_MMIO64_SIZE) < 0) {
        pci_host_free(h);
        return NULL;
    }
    return h;
}

/* The host bridge's node (machine/board.h): pci-host-ecam-generic with
 * the INTx map and the three windows. */
int virt_pci_fdt(const struct board_fdt *b)
{
    void *fdt = b->fdt;
    TRY(board_fdt_begin_at(b, "pci", b->base));
    /* The map repeats every four slots (mask 0x1800 keeps two device-number
     * bits), so slots 0-3 describe all 32: pin P of slot S raises
     * PLIC source 32 + (P - 1 + S) % 4. */
    TRY(fdt_property_cell(fdt, "#address-cells", 3));
    TRY(fdt_property_cell(fdt, "#size-cells", 2));
    TRY(fdt_property_cell(fdt, "#interrupt-cells", 1));
    uint32_t *mask = board_fdt_cells(b, "interrupt-map-mask", 4);
    if (!mask)
        return -1;
    mask[0] = cpu_to_fdt32(0x1800);
    mask[1] = cpu_to_fdt32(0);
    mask[2] = cpu_to_fdt32(0);
    mask[3] = cpu_to_fdt32(7);
    /* child unit address (3), child pin (1), parent phandle, source [, 4 = level high (APLIC)] */
    const unsigned ENTRY = b->irq_cells == 2 ? 7 : 6;
    uint32_t *map = board_fdt_cells(b, "interrupt-map", PCI_INTX_PINS * PCI_INTX_PINS * ENTRY);
    if (!map)
        return -1;
    for (unsigned slot = 0; slot < PCI_INTX_PINS; slot++)
        for (unsigned pin = 1; pin <= PCI_INTX_PINS; pin++) {
            uint32_t *e = map + ((slot * PCI_INTX_PINS) + pin - 1) * ENTRY;
            e[0] = cpu_to_fdt32(slot << 11);
            e[1] = cpu_to_fdt32(0);
            e[2] = cpu_to_fdt32(0);
            e[3] = cpu_to_fdt32(pin);
            e[4] = cpu_to_fdt32(b->plic_phandle);
            e[5] = cpu_to_fdt32(b->irq + (pin - 1 + slot) % PCI_INTX_PINS);
            if (ENTRY == 7)
                e[6] = cpu_to_fdt32(4);
        }
    /* ranges: <pci.hi pci.mid pci.lo  cpu.hi cpu.lo  size.hi size.lo> x3:
     * I/O space, 32-bit memory, 64-bit memory (not prefetchable, as
     * QEMU's: Linux still puts 64-bit prefetchable BARs there). The 64-bit
     * window moves above RAM when RAM would reach it, as on QEMU. */
    uint64_t mmio64 = virt_pcie_mmio64_base(b->ram_base, b->ram_size);
    const struct { uint32_t space; uint64_t pci, cpu, size; } win[3] = {
        { 0x1000000, 0, VIRT_PCIE_PIO, VIRT_PCIE_PIO_SIZE },
        { 0x2000000, VIRT_PCIE_MMIO, VIRT_PCIE_MMIO, VIRT_PCIE_MMIO_SIZE },
        { 0x3000000, mmio64, mmio64, VIRT_PCIE_MMIO64_SIZE },
    };
    uint32_t *r = board_fdt_cells(b, "ranges", 3 * 7);
    if (!r)
        return -1;
    for (unsigned i = 0; i < 3; i++, r += 7) {
        r[0] = cpu_to_fdt32(win[i].space);
        r[1] = cpu_to_fdt32((uint32_t)(win[i].pci >> 32));
        r[2] = cpu_to_fdt32((uint32_t)win[i].pci);
        r[3] = cpu_to_fdt32((uint32_t)(win[i].cpu >> 32));
        r[4] = cpu_to_fdt32((uint32_t)win[i].cpu);
        r[5] = cpu_to_fdt32((uint32_t)(win[i].size >> 32));
        r[6] = cpu_to_fdt32((uint32_t)win[i].size);
    }
    TRY(board_fdt_reg(b, b->base, b->size));
    if (b->msi_phandle[1]) /* MSI-X goes to the S-level IMSIC */
        TRY(fdt_property_cell(fdt, "msi-parent", b->msi_phandle[1]));
    TRY(fdt_property(fdt, "dma-coherent", NULL, 0));
    uint32_t *bus_range = board_fdt_cells(b, "bus-range", 2);
    if (!bus_range)
        return -1;
    bus_range[0] = cpu_to_fdt32(0);
    bus_range[1] = cpu_to_fdt32((uint32_t)(b->size / (1u << 20) - 1)); /* 1 MiB of ECAM per bus */
    TRY(fdt_property_cell(fdt, "linux,pci-domain", 0));
    TRY(fdt_property_string(fdt, "device_type", "pci"));
    TRY(fdt_property_string(fdt, "compatible", "pci-host-ecam-generic"));
    return fdt_end_node(fdt);
}
