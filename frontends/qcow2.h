/* frontends/qcow2.h: the qcow2 image format (versions 2 and 3), read-write.
 *
 * Supported: L1/L2 tables, refcount tables and blocks of any width (1 to 64
 * bits) with growth of the refcount table, cluster allocation that reuses
 * freed clusters, backing files, zlib-compressed clusters (read; a write
 * rewrites the cluster uncompressed), zero clusters (v3), discard (frees
 * clusters and punches them out of the host file). Refused at open, one
 * line: encryption, external data files, zstd compression, extended L2
 * entries, the dirty and corrupt bits, lazy refcounts, internal snapshots,
 * unknown incompatible features; and corrupt tables (misaligned or
 * out-of-file L1/L2/refcount offsets, metadata clusters whose refcount is
 * zero, tables shared twice).
 *
 * Consistency on disk (no lazy refcounts, like QEMU): L2 tables and
 * refcount blocks are cached and written back in dependency order, with an
 * fdatasync between the steps: data and refcount blocks (a cluster is
 * counted before anything points to it), new refcount table entries, L2
 * tables, L1 entries. A cluster that loses its last reference is freed only
 * after the table that dropped it is durable. So after a crash (kill -9)
 * everything acknowledged by a flush is there and `qemu-img check` finds no
 * errors; at most clusters counted but not yet referenced leak.
 *
 * Corruption met while running (an L2 entry pointing outside the image or
 * into metadata, a refcount that would go below zero or overflow, a
 * compressed cluster that does not inflate) is logged once on stderr and
 * every later request fails with EIO: the device's error state.
 */
#ifndef RIVET_QCOW2_H
#define RIVET_QCOW2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frontends/blkdev.h"
#include "frontends/hostfile.h"

/* The first bytes of a file carry the qcow2 magic ("QFI\xfb"). */
bool qcow2_probe(const uint8_t *buf, size_t len);

/* Opens the image on f (read-write unless f->readonly); owns f from then
 * on, also on failure. NULL with a one-line reason. */
struct blkdev *qcow2_open(struct hostfile *f, char *err, size_t errlen);
/* The backing file as written in the header (NULL: none) and its format
 * from the header extension (NULL: to be probed). */
const char *qcow2_backing_name(const struct blkdev *);
const char *qcow2_backing_format(const struct blkdev *);
/* Reads of unallocated clusters go to b (not owned); NULL: zeros. */
void qcow2_set_backing(struct blkdev *, struct blkdev *b);

/* Writes a new, empty v3 image of `size` bytes (64 KiB clusters, 16-bit
 * refcounts) on the open, empty file fd; backing/backing_fmt may be NULL.
 * 0 or -errno. */
int qcow2_create(int fd, uint64_t size, const char *backing, const char *backing_fmt);

#endif
