/* virtio/mmio.h: the virtio-mmio transport (virtio 1.2, 4.2).
 *
 * One bus device per slot (0x200 bytes used of a 0x1000 window): version 2
 * (modern) registers by default, or version 1 (legacy: GuestPageSize,
 * QueueAlign, QueuePFN, 32 feature bits, no FEATURES_OK) when asked. The
 * transport owns the registers, the queue selectors, InterruptStatus and
 * the interrupt line (high while InterruptStatus is nonzero); everything
 * else goes to the virtio core. A slot without a device answers magic,
 * version and device ID 0, which drivers skip.
 */
#ifndef RIVET_VIRTIO_MMIO_H
#define RIVET_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/bus.h"
#include "bus/irq.h"
#include "virtio/virtio.h"

#define VIRTIO_MMIO_SIZE 0x1000
#define VIRTIO_MMIO_MAGIC 0x74726976u   /* "virt" */
#define VIRTIO_MMIO_VENDOR 0x554d4551u  /* "QEMU", as QEMU's */

struct virtio_mmio;

/* dev may be NULL (an empty slot). base only names the device in log
 * lines. The transport does not own dev: free it after the transport. */
struct virtio_mmio *virtio_mmio_new(struct virtio_dev *dev, uint64_t base, struct irq_line irq, bool legacy);
void virtio_mmio_free(struct virtio_mmio *);
struct virtio_dev *virtio_mmio_dev(const struct virtio_mmio *);

/* State (bus/state.h, either direction): the transport's registers
 * (selectors, InterruptStatus, legacy queue PFNs), then the device's
 * (virtio_dev_state). A load goes into a transport made the same way (same
 * device type, same interface version); on success the interrupt line
 * follows InterruptStatus, on failure the transport is reset. */
void virtio_mmio_state(struct virtio_mmio *, struct state *);

extern const struct bus_device_ops virtio_mmio_ops;

#endif
