/* machine/pci_virt.c: the virt board's PCIe host bridge, wired to the PLIC
 * and mapped at QEMU virt's addresses. */
#include "machine/pci_virt.h"

#include "machine/plic.h"

struct pci_host *virt_pci_create(struct bus *bus, struct plic *plic, uint64_t ram_base, uint64_t ram_size)
{
    struct irq_line intx[PCI_INTX_PINS];
    for (unsigned i = 0; i < PCI_INTX_PINS; i++)
        intx[i] = (struct irq_line){ plic_set_irq, plic, VIRT_PCIE_IRQ + i };
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
