/* frontends/drive.h: disk image files behind `-drive` (raw format).
 *
 *   -drive file=F[,format=raw][,if=none|virtio][,id=ID][,readonly=on]
 *          [,cache=writeback|none|writethrough|directsync|unsafe]
 *          [,discard=unmap|ignore]
 *
 * A drive implements struct virtio_blk_backend (virtio/blk.h) on a file:
 * pread/pwrite (preadv/pwritev), fdatasync for FLUSH (cache=unsafe skips
 * it), fallocate hole punching for DISCARD and WRITE_ZEROES (falling back to
 * writing zeros). cache=none opens with O_DIRECT and bounces requests that
 * are not 4 KiB aligned; writethrough adds O_DSYNC.
 *
 * Locking: open file description (OFD) locks, so that two rivets never
 * write one image. A writer holds an exclusive lock, a read-only user a
 * shared one, at an offset far beyond any image (2^62); each user also
 * holds a one-byte lock at 2^62 + 1 + its pid, which is how a refused
 * opener names the process in the way (OFD locks do not report pids). An
 * image locked by QEMU (bytes 100-299) is refused for writing too.
 */
#ifndef RIVET_DRIVE_H
#define RIVET_DRIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "virtio/blk.h"

enum drive_cache {
    DRIVE_CACHE_WRITEBACK,
    DRIVE_CACHE_NONE,
    DRIVE_CACHE_WRITETHROUGH,
    DRIVE_CACHE_DIRECTSYNC,
    DRIVE_CACHE_UNSAFE,
};

struct drive_opts {
    char *file;
    char *id;            /* NULL when not given (if=virtio) */
    bool if_virtio;      /* if=virtio (the default, as on QEMU's virt): a device is implied */
    bool readonly;
    bool discard;        /* discard=unmap (default) */
    enum drive_cache cache;
};

/* Parses a -drive argument. 0, or -1 with the reason in err. */
int drive_parse(const char *arg, struct drive_opts *, char *err, size_t errlen);
void drive_opts_free(struct drive_opts *);

struct drive;
/* Opens and locks the image. NULL with a one-line reason in err (missing
 * file, not a regular file or block device, locked by process N, ...). */
struct drive *drive_open(const struct drive_opts *, char *err, size_t errlen);
const struct virtio_blk_backend *drive_backend(const struct drive *);
void drive_close(struct drive *);

#endif
