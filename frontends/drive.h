/* frontends/drive.h: disk images behind `-drive`.
 *
 *   -drive file=F[,format=raw|qcow2][,if=none|virtio][,id=ID][,readonly=on]
 *          [,snapshot=on][,cache=writeback|none|writethrough|directsync|unsafe]
 *          [,discard=unmap|ignore][,file.locking=on|off|auto][,force-raw=on]
 *
 * A drive is a chain of format nodes (frontends/blkdev.h): raw
 * (frontends/hostfile.c) or qcow2 (frontends/qcow2.c) on a host file, a
 * qcow2 image's backing files below it (read-only, named relative to the
 * image, format from the image or probed; cycles refused), and with
 * snapshot=on (or -snapshot) a temporary qcow2 overlay on top that takes
 * every write. The overlay is unlinked as soon as it is open, so it is gone
 * at exit however rivet ends. The top node is offered to the guest device
 * as a struct virtio_blk_backend (virtio/blk.h).
 *
 * Without format=, the format is probed as QEMU does: qcow2 when the file
 * starts with the qcow2 magic, else raw with a one-line warning; the guest
 * may then not write a block 0 that would probe as another format. An
 * explicit format=raw on a file with the qcow2 magic is refused (the guest
 * would see the qcow2 metadata and could destroy it) unless force-raw=on.
 *
 * Locking: QEMU's byte-range locks (hostfile.h), so QEMU and rivet refuse
 * each other's images; file.locking=off (or locking=off) skips them.
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
    bool if_given;       /* if= was on the command line */
    bool readonly;
    bool discard;        /* discard=unmap (default) */
    enum drive_cache cache;
    char *format;        /* "raw", "qcow2" or NULL: probe */
    bool snapshot;       /* snapshot=on or -snapshot: writes go to a temporary overlay */
    bool locking;        /* file.locking=on|auto (default) */
    bool force_raw;      /* force-raw=on: format=raw even on a qcow2 file */
    char *note;          /* a line to print once the image opened (or NULL) */
};

/* Parses a -drive argument. 0, or -1 with the reason in err. */
int drive_parse(const char *arg, struct drive_opts *, char *err, size_t errlen);
void drive_opts_free(struct drive_opts *);

struct drive;
/* Opens and locks the image and its backing chain. NULL with a one-line
 * reason in err (missing file, a folder, locked by process N, corrupt
 * qcow2 tables, a cycle in the backing chain, ...). */
struct drive *drive_open(const struct drive_opts *, char *err, size_t errlen);
const struct virtio_blk_backend *drive_backend(const struct drive *);
void drive_close(struct drive *);

#endif
