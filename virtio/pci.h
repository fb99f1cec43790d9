/* virtio/pci.h: the virtio-pci modern transport (virtio 1.2, 4.1).
 *
 * A virtio device becomes a PCI function on the host bridge of bus/pci/:
 * vendor 0x1af4, device 0x1040 + the virtio device ID, revision 1 (modern
 * only: no legacy I/O BAR), subsystem 1af4:1100 and a class code per device
 * type, as QEMU shows `-device virtio-*-pci,disable-legacy=on`. Layout, as
 * QEMU's:
 *
 *   BAR 1  32-bit memory, 4 KiB: MSI-X table (0) and PBA (0x800)
 *   BAR 4  64-bit prefetchable memory, 16 KiB:
 *          0x0000 common configuration   (cfg_type 1)
 *          0x1000 ISR status             (cfg_type 3, read-to-clear)
 *          0x2000 device configuration   (cfg_type 4)
 *          0x3000 notifications          (cfg_type 2, notify_off_multiplier 4:
 *                                         queue q's doorbell is 0x3000 + 4q)
 *
 * Interrupts: while MSI-X is off, the ISR bits and INTx (the level is
 * ISR != 0; the host bridge shares and swizzles the lines). While MSI-X is
 * on, queue interrupts go to the queue's msix_vector and config changes to
 * config_msix_vector (NO_VECTOR: none). The virt board has no MSI
 * controller yet, so Linux stays on INTx.
 *
 * The PCI configuration access capability (cfg_type 5) reaches BAR 4
 * through configuration space. Capabilities sit at QEMU's offsets and are
 * linked newest first, as QEMU's, so configuration dumps match.
 *
 * Not offered: VIRTIO_F_RING_RESET (queue_reset reads 0, writes are
 * ignored), NOTIFICATION_DATA, shared memory regions.
 */
#ifndef RIVET_VIRTIO_PCI_H
#define RIVET_VIRTIO_PCI_H

#include <stdint.h>

#include "bus/pci/pci.h"
#include "virtio/virtio.h"

#define VIRTIO_PCI_VENDOR          0x1af4
#define VIRTIO_PCI_DEVICE_MODERN   0x1040   /* + virtio device ID */
#define VIRTIO_PCI_SUBSYS_ID       0x1100   /* QEMU's, for modern-only devices */
#define VIRTIO_PCI_REVISION        1
#define VIRTIO_PCI_NO_VECTOR       0xffff
#define VIRTIO_PCI_MSIX_BAR        1
#define VIRTIO_PCI_BAR             4
#define VIRTIO_PCI_BAR_SIZE        0x4000
#define VIRTIO_PCI_COMMON_OFF      0x0000
#define VIRTIO_PCI_ISR_OFF         0x1000
#define VIRTIO_PCI_DEVICE_OFF      0x2000
#define VIRTIO_PCI_NOTIFY_OFF      0x3000
#define VIRTIO_PCI_REGION_SIZE     0x1000
#define VIRTIO_PCI_NOTIFY_MULT     4

/* virtio_pci_cap.cfg_type (4.1.4) */
#define VIRTIO_PCI_CAP_COMMON_CFG  1
#define VIRTIO_PCI_CAP_NOTIFY_CFG  2
#define VIRTIO_PCI_CAP_ISR_CFG     3
#define VIRTIO_PCI_CAP_DEVICE_CFG  4
#define VIRTIO_PCI_CAP_PCI_CFG     5

/* Common configuration structure (4.1.4.3). */
#define VIRTIO_PCI_COMMON_DFSELECT  0x00
#define VIRTIO_PCI_COMMON_DF        0x04
#define VIRTIO_PCI_COMMON_GFSELECT  0x08
#define VIRTIO_PCI_COMMON_GF        0x0c
#define VIRTIO_PCI_COMMON_MSIX      0x10
#define VIRTIO_PCI_COMMON_NUMQ      0x12
#define VIRTIO_PCI_COMMON_STATUS    0x14
#define VIRTIO_PCI_COMMON_CFGGEN    0x15
#define VIRTIO_PCI_COMMON_Q_SELECT  0x16
#define VIRTIO_PCI_COMMON_Q_SIZE    0x18
#define VIRTIO_PCI_COMMON_Q_MSIX    0x1a
#define VIRTIO_PCI_COMMON_Q_ENABLE  0x1c
#define VIRTIO_PCI_COMMON_Q_NOFF    0x1e
#define VIRTIO_PCI_COMMON_Q_DESC    0x20
#define VIRTIO_PCI_COMMON_Q_AVAIL   0x28
#define VIRTIO_PCI_COMMON_Q_USED    0x30
#define VIRTIO_PCI_COMMON_Q_NDATA   0x38
#define VIRTIO_PCI_COMMON_Q_RESET   0x3a
#define VIRTIO_PCI_COMMON_LEN       0x3c

#define VIRTIO_PCI_ISR_QUEUE       1u
#define VIRTIO_PCI_ISR_CONFIG      2u

struct virtio_pci;

/* The class code QEMU gives a virtio device of this ID (blk 0x010000, net
 * 0x020000, console 0x078000, gpu 0x038000, input 0x098000, 9p 0x000200,
 * others 0x00ff00). */
uint32_t virtio_pci_class(uint32_t device_id);

/* Makes dev a PCI function and plugs it into host at slot (1..31, or -1
 * for the first free one). nvec MSI-X vectors (0: 2, as QEMU's blk, rng and
 * serial); class_code 0: virtio_pci_class(). NULL when the slot is taken,
 * the bus is full, or out of memory. The transport does not own dev: free
 * it after the transport. */
struct virtio_pci *virtio_pci_new(struct virtio_dev *dev, struct pci_host *host, int slot, unsigned nvec,
                                  uint32_t class_code);
/* Unplugs the function (if the host still exists) and frees the transport. */
void virtio_pci_free(struct virtio_pci *);
struct virtio_dev *virtio_pci_dev(const struct virtio_pci *);
struct pci_dev *virtio_pci_function(struct virtio_pci *);
/* The slot it was plugged into. */
unsigned virtio_pci_slot(const struct virtio_pci *);

/* State (bus/state.h, either direction): the transport's registers
 * (selectors, ISR, MSI-X vectors), the PCI function (configuration space,
 * BAR placement, MSI-X table; pci_dev_state), then the device's
 * (virtio_dev_state). A load goes into a function made the same way and
 * attached to the same host; on failure the transport is reset. */
void virtio_pci_state(struct virtio_pci *, struct state *);

#endif
