/* frontends/blkdev.h: one node of a disk's format chain, as seen from above.
 *
 * A disk image is a chain of nodes: a format (raw: frontends/hostfile.c,
 * qcow2: frontends/qcow2.c) over a host file, and for qcow2 a backing node
 * below it. frontends/drive.c stacks them and offers the top node to the
 * guest device as a struct virtio_blk_backend, so virtio-blk never knows
 * the format. Every call returns 0 or a negative errno; reads and writes
 * transfer everything or fail.
 */
#ifndef RIVET_BLKDEV_H
#define RIVET_BLKDEV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

struct blkdev;

struct blkdev_ops {
    int (*preadv)(struct blkdev *, const struct iovec *, int iovcnt, uint64_t off);
    int (*pwritev)(struct blkdev *, const struct iovec *, int iovcnt, uint64_t off);
    /* everything written so far is durable (and, for qcow2, consistent on
     * disk) when this returns 0 */
    int (*flush)(struct blkdev *);
    /* deallocate; reads of the range may return anything */
    int (*discard)(struct blkdev *, uint64_t off, uint64_t len);
    /* reads of the range return zeros afterwards */
    int (*write_zeroes)(struct blkdev *, uint64_t off, uint64_t len, bool unmap);
    /* flushes what a clean shutdown needs, closes the node (not its backing) */
    void (*close)(struct blkdev *);
};

struct blkdev {
    const struct blkdev_ops *ops;
    uint64_t size;           /* bytes the guest sees */
    const char *format;      /* "raw", "qcow2" */
};

static inline void blkdev_close(struct blkdev *b)
{
    if (b)
        b->ops->close(b);
}

/* ---- iovec helpers shared by the formats ---- */

/* The part [skip, skip + len) of iov as at most `max` entries in out;
 * returns the count, or -1 when it does not fit. */
int iov_slice(const struct iovec *iov, int cnt, uint64_t skip, uint64_t len, struct iovec *out, int max);
/* Copies len bytes at iov+skip to/from buf. */
void iov_to_buf(const struct iovec *iov, int cnt, uint64_t skip, void *buf, uint64_t len);
void iov_from_buf(const struct iovec *iov, int cnt, uint64_t skip, const void *buf, uint64_t len);
void iov_zero(const struct iovec *iov, int cnt, uint64_t skip, uint64_t len);
uint64_t iov_size(const struct iovec *iov, int cnt);

#endif
