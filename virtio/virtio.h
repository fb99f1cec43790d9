/* virtio/virtio.h: the transport-independent virtio device (virtio 1.2).
 *
 * A device (blk, console, rng, ...) embeds a `struct virtio_dev` and fills
 * in `struct virtio_device_ops`. A transport (virtio/mmio.c, later
 * virtio/pci.c) owns the registers, the notification doorbell and the
 * interrupt line; it drives the device only through the virtio_* functions
 * below and hears back through `struct virtio_transport` (interrupts). The
 * device never learns which transport carries it.
 *
 *   transport register write  ->  virtio_set_status / virtio_set_driver_features
 *                                 virtio_queue_set_* / virtio_notify
 *   device has used buffers   ->  virtio_queue_done -> transport->interrupt
 *   guest broke a ring        ->  virtio_dev_fail: NEEDS_RESET, one log
 *                                 line, config-change interrupt
 */
#ifndef RIVET_VIRTIO_H
#define RIVET_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "bus/state.h"
#include "bus/util.h"
#include "virtio/queue.h"

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

/* Reserved (transport and ring) feature bits (6). */
#define VIRTIO_F_RING_INDIRECT_DESC 28
#define VIRTIO_F_RING_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_BIT(n) (1ull << (n))

/* Device IDs (5). */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4

#define VIRTIO_MAX_QUEUES 8
#define VIRTIO_CONFIG_MAX 256

struct virtio_dev;

struct virtio_device_ops {
    /* Device-specific feature bits the device offers (bits 0-23 and any
     * device bits above 40). The core adds VERSION_1, INDIRECT_DESC and
     * EVENT_IDX. */
    uint64_t (*features)(struct virtio_dev *);
    /* Optional: refuse a feature combination at FEATURES_OK (return false). */
    bool (*features_ok)(struct virtio_dev *, uint64_t acked);
    /* Optional: produce config bytes [off, off+len). Without it the core
     * reads dev->config. The device calls virtio_config_changed after it
     * changes its config on its own. */
    void (*config_read)(struct virtio_dev *, unsigned off, void *buf, unsigned len);
    /* Optional: a driver write to config space (already bounds-checked). */
    void (*config_write)(struct virtio_dev *, unsigned off, const void *buf, unsigned len);
    /* The driver notified queue q (ready, DRIVER_OK, not NEEDS_RESET). */
    void (*queue_notify)(struct virtio_dev *, unsigned q);
    /* Optional: DRIVER_OK was set; features and queues are final. */
    void (*activate)(struct virtio_dev *);
    /* Optional: return device-specific state to its initial value. The core
     * has already reset status, features and every queue. */
    void (*reset)(struct virtio_dev *);
    /* Optional: device-specific state (bus/state.h), after the core's;
     * one function for both directions. Loading, it checks what it read
     * (state_fail) and re-derives what follows from it. Devices never hold
     * a popped chain across a return to the run loop, so the rings' indices
     * (saved by the core) are the requests in flight. */
    void (*state)(struct virtio_dev *, struct state *);
    /* Frees the device (the struct that embeds the virtio_dev). */
    void (*free)(struct virtio_dev *);
};

/* What the transport hears from the core. */
struct virtio_transport {
    /* A used-buffer notification for queue q is due. */
    void (*queue_interrupt)(void *ctx, unsigned q);
    /* A configuration-change notification is due (also on NEEDS_RESET). */
    void (*config_interrupt)(void *ctx);
    void *ctx;
};

struct virtio_dev {
    const struct virtio_device_ops *ops;
    struct bus *bus;
    const char *name;            /* "virtio-blk", for log lines */
    char label[48];              /* name plus where the transport put it */
    uint32_t device_id;
    uint8_t status;
    bool legacy;                 /* set by the transport: pre-1.0 driver interface */
    uint64_t driver_features;    /* written by the driver */
    uint64_t features;           /* negotiated (valid from FEATURES_OK) */
    uint32_t config_generation;
    uint8_t config[VIRTIO_CONFIG_MAX];
    unsigned config_len;
    unsigned nqueues;
    struct virtq vq[VIRTIO_MAX_QUEUES];
    struct virtio_transport transport;
    unsigned failures;           /* times the device went to NEEDS_RESET */
    struct ratelimit log_rl;     /* the guest-provoked messages of this device */
};

/* For devices: set up the common part. queue_max[i] is the largest size of
 * queue i (a power of two, at most VIRTQ_MAX_SIZE). */
void virtio_dev_init(struct virtio_dev *, const struct virtio_device_ops *, struct bus *,
                     const char *name, uint32_t device_id, unsigned nqueues,
                     const uint16_t *queue_max, unsigned config_len);
/* For transports: connect the interrupt callbacks and name the device. */
void virtio_dev_attach(struct virtio_dev *, const struct virtio_transport *, const char *where,
                       bool legacy);
/* Frees the device through its ops (NULL is a no-op). */
void virtio_dev_free(struct virtio_dev *);

/* Offered features: the device's plus the transport/ring ones. */
uint64_t virtio_offered_features(struct virtio_dev *);
bool virtio_has_feature(const struct virtio_dev *, unsigned bit);

/* ---- called by transports ---- */
/* Driver feature bits (before FEATURES_OK; ignored after). */
void virtio_set_driver_features(struct virtio_dev *, uint64_t features);
/* Status register write: 0 resets, otherwise the state machine of 3.1.
 * FEATURES_OK is kept only when the acked features are a subset of the
 * offered ones and include VERSION_1 (modern). */
void virtio_set_status(struct virtio_dev *, uint8_t status);
uint8_t virtio_get_status(const struct virtio_dev *);
/* Reset: status, features and every queue back to the initial state. */
void virtio_reset(struct virtio_dev *);
/* Config space access; out-of-range bytes read 0 and writes are dropped. */
void virtio_config_read(struct virtio_dev *, unsigned off, void *buf, unsigned len);
void virtio_config_write(struct virtio_dev *, unsigned off, const void *buf, unsigned len);
/* The guest's doorbell for queue q. */
void virtio_notify(struct virtio_dev *, unsigned q);
/* Queue registers. A queue whose number is out of range is NULL. */
struct virtq *virtio_queue(struct virtio_dev *, unsigned q);
/* Queue size: 0 < num <= num_max, a power of two; false otherwise. */
bool virtio_queue_set_num(struct virtio_dev *, unsigned q, unsigned num);
void virtio_queue_set_addr(struct virtio_dev *, unsigned q, uint64_t desc, uint64_t avail,
                           uint64_t used);
void virtio_queue_set_ready(struct virtio_dev *, unsigned q, bool ready);

/* ---- called by devices ---- */
/* True when the device may process queues (DRIVER_OK, no NEEDS_RESET). */
bool virtio_dev_running(const struct virtio_dev *);
/* Next available element of queue q: 1, 0 when empty, -1 when the ring is
 * malformed (the device is then in NEEDS_RESET; stop processing). */
int virtio_pop(struct virtio_dev *, unsigned q, struct virtq_elem *);
/* Return an element with `written` bytes written into its writable part. */
void virtio_push(struct virtio_dev *, unsigned q, const struct virtq_elem *, uint32_t written);
/* After a batch of pushes: interrupt the driver unless it suppressed it. */
void virtio_queue_done(struct virtio_dev *, unsigned q);
/* The device changed its config: bump the generation, tell the driver. */
void virtio_config_changed(struct virtio_dev *);
/* The guest broke the protocol: NEEDS_RESET, one log line naming the
 * device, a config-change interrupt. Later failures until reset are quiet. */
void virtio_dev_fail(struct virtio_dev *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Copy between an element's device-readable (out) / device-writable (in)
 * bytes at `off` and a host buffer. Return the bytes copied (short at the
 * end of the element's data); -1 if guest RAM vanished under it. */
long virtio_elem_read(struct virtio_dev *, const struct virtq_elem *, uint64_t off, void *buf,
                      size_t len);
long virtio_elem_write(struct virtio_dev *, const struct virtq_elem *, uint64_t off,
                       const void *buf, size_t len);

/* Device state over bus/state.h: the common part (status, features,
 * config bytes, queues) then the device's own (ops->state). Saving or
 * loading (state_loading); a load goes into a fresh device made with the
 * same options and fails (st->error) on a short or inconsistent stream:
 * another device type or queue count, a queue size that is not a power of
 * two up to the maximum, an enabled queue whose rings are misaligned or
 * not in RAM. */
void virtio_dev_state(struct virtio_dev *, struct state *);

/* Little-endian helpers for config structs and ring fields. */
static inline void virtio_st16(void *p, uint16_t v) { uint8_t *b = p; b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8); }
static inline void virtio_st32(void *p, uint32_t v) { virtio_st16(p, (uint16_t)v); virtio_st16((uint8_t *)p + 2, (uint16_t)(v >> 16)); }
static inline void virtio_st64(void *p, uint64_t v) { virtio_st32(p, (uint32_t)v); virtio_st32((uint8_t *)p + 4, (uint32_t)(v >> 32)); }
static inline uint16_t virtio_ld16(const void *p) { const uint8_t *b = p; return (uint16_t)(b[0] | b[1] << 8); }
static inline uint32_t virtio_ld32(const void *p) { return virtio_ld16(p) | (uint32_t)virtio_ld16((const uint8_t *)p + 2) << 16; }
static inline uint64_t virtio_ld64(const void *p) { return virtio_ld32(p) | (uint64_t)virtio_ld32((const uint8_t *)p + 4) << 32; }

#endif
