/* machine/pci_virt.h: the PCIe host bridge of the virt board, at QEMU
 * virt's addresses, and its place in the device tree.
 *
 *   ECAM     0x30000000, 256 MiB (buses 0-255; bus 0 is populated)
 *   I/O      0x03000000, 64 KiB (PCI ports 0-0xffff)
 *   MMIO     0x40000000-0x7fffffff (32-bit BARs)
 *   MMIO64   16 GiB at the first 16 GiB boundary above RAM (0x4_0000_0000
 *            for up to 14 GiB of RAM at 0x80000000), as QEMU places it
 *   INTA-D   PLIC sources 32-35; slot s pin p raises 32 + (p - 1 + s) % 4
 */
#ifndef RIVET_PCI_VIRT_H
#define RIVET_PCI_VIRT_H

#include <stdint.h>

#include "bus/bus.h"
#include "bus/pci/pci.h"

#define VIRT_PCIE_ECAM         0x30000000ull
#define VIRT_PCIE_ECAM_SIZE    0x10000000ull
#define VIRT_PCIE_PIO          0x3000000ull
#define VIRT_PCIE_PIO_SIZE     0x10000ull
#define VIRT_PCIE_MMIO         0x40000000ull
#define VIRT_PCIE_MMIO_SIZE    0x40000000ull
#define VIRT_PCIE_MMIO64_SIZE  0x400000000ull
#define VIRT_PCIE_IRQ          32u      /* INTA; INTB..INTD follow */

struct plic;

static inline uint64_t virt_pcie_mmio64_base(uint64_t ram_base, uint64_t ram_size)
{
    uint64_t end = ram_base + ram_size;
    return (end + VIRT_PCIE_MMIO64_SIZE - 1) & ~(VIRT_PCIE_MMIO64_SIZE - 1);
}

/* Creates the host bridge with INTA-D on PLIC sources 32-35 and maps its
 * ECAM, I/O and memory windows on bus. NULL when out of memory or when a
 * window overlaps something already mapped. Free with pci_host_free. */
struct pci_host *virt_pci_create(struct bus *, struct plic *, uint64_t ram_base, uint64_t ram_size);
/* The same with INTA-D on any wired controller (set(sink, VIRT_PCIE_IRQ + pin, level)). */
struct pci_host *virt_pci_create_wired(struct bus *, void (*set)(void *, unsigned, bool), void *sink,
                                       uint64_t ram_base, uint64_t ram_size);

/* Its device-tree node: the row's base/size are the ECAM, irq is INTA. */
struct board_fdt;
int virt_pci_fdt(const struct board_fdt *);

#endif
