/* bus/pci/msix.h: the MSI-X capability of a PCI function, with its vector
 * table and pending-bit array in a memory BAR of their own.
 *
 * An MSI-X message is a 32-bit memory write of the vector's data to the
 * vector's address, made by the function as a bus master; that is what
 * pci_msix_notify does, on the host's bus. On the virt board with
 * aia=aplic-imsic the write lands on an IMSIC interrupt file's setipnum
 * register (machine/imsic.h) and is the interrupt; a message to an address
 * where nothing is mapped is dropped, with a rate-limited log line (the
 * 1st, 2nd, 4th, 8th ... of the function). Without an IMSIC (the default
 * PLIC board, aia=aplic) Linux finds no MSI domain, does not keep MSI-X
 * enabled and uses INTx, which is what a device must do while MSI-X is off
 * (pci_msix_notify returns false; use pci_set_irq).
 */
#ifndef RIVET_PCI_MSIX_H
#define RIVET_PCI_MSIX_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/pci/pci.h"
#include "bus/state.h"

#define PCI_MSIX_MAX_VECTORS  2048
#define PCI_MSIX_CAP_LEN      12
#define PCI_MSIX_FLAGS        2        /* message control, in the capability */
#define PCI_MSIX_TABLE        4        /* table offset | BIR */
#define PCI_MSIX_PBA          8        /* PBA offset | BIR */
#define PCI_MSIX_FLAGS_QSIZE  0x07ff   /* table size - 1 */
#define PCI_MSIX_FLAGS_MASKALL 0x4000
#define PCI_MSIX_FLAGS_ENABLE 0x8000
#define PCI_MSIX_ENTRY_SIZE   16
#define PCI_MSIX_ENTRY_CTRL_MASKBIT 1

struct pci_msix {
    struct pci_dev *dev;
    unsigned nvec;
    unsigned cap;                      /* capability offset */
    unsigned bar;                      /* BAR index of table and PBA */
    uint64_t bar_size, pba_off;        /* the table is at offset 0 */
    uint8_t *table;                    /* nvec entries of 16 bytes */
    uint64_t *pba;                     /* (nvec + 63) / 64 words */
    bool sending;                      /* a message write is in progress */
    uint64_t lost;                     /* messages that went nowhere */
};

/* Adds the MSI-X capability with nvec (1..2048) vectors and declares BAR
 * `bar` as a 32-bit memory BAR holding the table (offset 0) and the PBA.
 * Every vector starts masked. Returns the capability offset, or -1. */
int pci_msix_init(struct pci_dev *, unsigned nvec, unsigned bar);
/* Frees the storage (pci_dev_destroy calls it). */
void pci_msix_free(struct pci_dev *);

/* Whether the guest enabled MSI-X (the function must not use INTx then). */
bool pci_msix_enabled(const struct pci_dev *);
/* Signals vector: returns false when MSI-X is off (use INTx instead).
 * Otherwise, when the function or the vector is masked or bus mastering
 * is off, sets the vector's pending bit; else writes the message. Vectors
 * past the table are dropped (true). */
bool pci_msix_notify(struct pci_dev *, unsigned vector);
bool pci_msix_pending(const struct pci_dev *, unsigned vector);

/* For pci.c: the guest wrote the capability (enable / function mask). */
void pci_msix_config_written(struct pci_dev *);
/* The vector table and the PBA (bus/state.h, either direction); a load
 * keeps what a guest write could (as bar_write) and fails on another
 * vector count. pci_dev_state calls it. */
void pci_msix_state(struct pci_dev *, struct state *);

/* The table/PBA BAR; opaque is the struct pci_msix. */
extern const struct bus_device_ops pci_msix_bar_ops;

#endif
