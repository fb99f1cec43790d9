/* virtio/queue.h: the split virtqueue (virtio 1.2, 2.7), device side.
 *
 * All guest memory is reached through the bus's DMA helpers, and every
 * descriptor chain is validated before the device sees it: a head or next
 * index out of range, a loop, a chain longer than the queue, a buffer or
 * table outside RAM (or wrapping), a device-readable descriptor after a
 * device-writable one, an indirect descriptor inside an indirect table, with
 * NEXT, without the feature, or a table of bad length, an avail index that
 * ran ahead by more than the queue size, rings outside RAM or misaligned:
 * virtq_pop returns -1 and leaves a one-line reason in `error`. Guest input
 * can neither crash nor hang the device: every walk is bounded by the queue
 * size.
 */
#ifndef RIVET_VIRTIO_QUEUE_H
#define RIVET_VIRTIO_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/bus.h"

#define VIRTQ_MAX_SIZE 1024

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

/* One guest-physical buffer of a chain (validated to lie in RAM). */
struct virtq_seg {
    uint64_t addr;
    uint32_t len;
};

/* A popped descriptor chain: n_out device-readable segments, then n_in
 * device-writable ones (zero-length descriptors are left out). */
struct virtq_elem {
    uint16_t head;
    unsigned n_out, n_in;
    uint64_t out_len, in_len;        /* byte totals */
    struct virtq_seg seg[VIRTQ_MAX_SIZE];
};

struct virtq {
    struct bus *bus;
    uint16_t num_max;                /* the device's limit */
    uint16_t num;                    /* size the driver chose */
    bool ready;
    uint64_t desc, avail, used;      /* guest-physical ring addresses */
    bool indirect, event_idx;        /* negotiated ring features */
    uint16_t last_avail;             /* next avail ring entry to consume */
    uint16_t used_idx;               /* next used ring entry to fill */
    uint16_t signalled_used;         /* used_idx at the last interrupt */
    bool signalled_valid;
    uint64_t pop_epoch;              /* bus->epoch of the pops counted in `pops` */
    uint32_t pops;                   /* chains popped in that epoch (at most num) */
    char error[160];                 /* reason of the last -1 */
};

/* Back to the initial state of a queue after reset (num = num_max). */
void virtq_reset(struct virtq *);

/* Pops the next available chain into *elem: 1, 0 when the ring is empty,
 * -1 when the ring or the chain is malformed (see `error`). */
int virtq_pop(struct virtq *, struct virtq_elem *);

/* Gives back the last k chains popped (unused: they are the driver's
 * available buffers again, in the same order). */
void virtq_unpop(struct virtq *, unsigned k);

/* Puts the chain with head `head` on the used ring, `len` bytes written.
 * 0, or -1 when the used ring is not in RAM. */
int virtq_push(struct virtq *, uint16_t head, uint32_t len);

/* After pushes: whether the driver wants an interrupt now (flags or
 * used_event, 2.7.7.2 / 2.7.10). Records the point of this decision. */
bool virtq_need_interrupt(struct virtq *);

/* Rings' byte sizes for a queue of `num` entries. */
static inline uint64_t virtq_desc_size(unsigned num) { return 16ull * num; }
static inline uint64_t virtq_avail_size(unsigned num) { return 6ull + 2ull * num; }
static inline uint64_t virtq_used_size(unsigned num) { return 6ull + 8ull * num; }

#endif
