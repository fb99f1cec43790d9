/* virtio/blk.h: the virtio block device (virtio 1.2, 5.2).
 *
 * Features: SEG_MAX, BLK_SIZE, FLUSH, RO (read-only backends), DISCARD and
 * WRITE_ZEROES, plus GET_ID (the serial number). Requests are served
 * synchronously when the driver notifies the queue: reading a disk image is
 * deterministic, so it is not host input. Data moves between the image and
 * guest RAM without a bounce buffer (preadv/pwritev into the DMA pointers).
 *
 * A request the device cannot honour gets a status byte: IOERR for a range
 * past the end of the image, a write to a read-only disk, a length that is
 * not a multiple of 512 or a host I/O error; UNSUPP for an unknown type. A
 * request without room for its header or status byte is a protocol error:
 * NEEDS_RESET.
 *
 * The image itself is behind `struct virtio_blk_backend` (frontends/drive.c
 * implements it on a file).
 */
#ifndef RIVET_VIRTIO_BLK_H
#define RIVET_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "bus/bus.h"
#include "virtio/virtio.h"

#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_GEOMETRY 4
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_TOPOLOGY 10
#define VIRTIO_BLK_F_CONFIG_WCE 11
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_SECTOR 512u

/* Where the blocks live. Every call returns 0 or a negative errno; reads
 * and writes transfer everything or fail. */
struct virtio_blk_backend {
    void *ctx;
    uint64_t size;           /* bytes; the guest sees size / 512 sectors */
    bool readonly;
    uint32_t block_size;     /* preferred logical block size (512 or 4096) */
    int (*preadv)(void *ctx, const struct iovec *iov, int iovcnt, uint64_t off);
    int (*pwritev)(void *ctx, const struct iovec *iov, int iovcnt, uint64_t off);
    /* Data written so far is durable when this returns 0. */
    int (*flush)(void *ctx);
    /* Deallocate (punch a hole); reads of the range return zeros. */
    int (*discard)(void *ctx, uint64_t off, uint64_t len);
    /* Make the range read as zeros (may deallocate when unmap). */
    int (*write_zeroes)(void *ctx, uint64_t off, uint64_t len, bool unmap);
};

struct virtio_blk_options {
    const char *serial;      /* GET_ID answer, up to 20 bytes; NULL: empty */
    unsigned queue_size;     /* 0: 256 */
};

/* The backend must outlive the device. NULL when out of memory. */
struct virtio_dev *virtio_blk_new(struct bus *, const struct virtio_blk_backend *,
                                  const struct virtio_blk_options *);

#endif
