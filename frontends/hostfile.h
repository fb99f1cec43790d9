/* frontends/hostfile.h: a host file under a disk's format node, and the
 * raw format on it.
 *
 * I/O: pread/pwrite (preadv/pwritev), fdatasync (cache=unsafe skips it),
 * fallocate hole punching and zero ranges (falling back to writing zeros).
 * cache=none opens a second descriptor with O_DIRECT and uses it for
 * requests that are 512-byte aligned; writethrough adds O_DSYNC.
 *
 * Locking is QEMU's (block/file-posix.c): open file description (OFD)
 * read locks on one byte per permission. A user holds byte 100+i for each
 * permission i it takes and byte 200+i for each it does not let others
 * take (0 consistent read, 1 write, 2 write unchanged, 3 resize), then
 * checks that nobody holds the opposite byte. Observed on QEMU 7.2 in
 * /proc/locks: qemu-system with a read-write raw disk holds 100-101 and
 * 201; a read-write qcow2 file 100-101, 103, 201, 203; a read-only one 100,
 * 201, 203. rivet takes the same bytes, so QEMU and rivet refuse each
 * other's images exactly as two QEMUs do. OFD locks do not record a pid:
 * rivet also holds a one-byte marker at 2^62 + 1 + its pid, and a refused
 * opener names the holder from those markers or, for QEMU, from the
 * `lock:` lines of /proc/PID/fdinfo of processes that have the file open.
 */
#ifndef RIVET_HOSTFILE_H
#define RIVET_HOSTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "frontends/blkdev.h"

enum hostfile_cache {
    HOSTFILE_CACHE_WRITEBACK,
    HOSTFILE_CACHE_NONE,
    HOSTFILE_CACHE_WRITETHROUGH,
    HOSTFILE_CACHE_DIRECTSYNC,
    HOSTFILE_CACHE_UNSAFE,
};

/* QEMU's permission bits (lock byte 100 + bit number, 200 + bit number) */
#define HOSTFILE_PERM_READ 1u
#define HOSTFILE_PERM_WRITE 2u
#define HOSTFILE_PERM_WRITE_UNCHANGED 4u
#define HOSTFILE_PERM_RESIZE 8u

struct hostfile {
    int fd;                  /* O_DIRECT with cache=none, else == fd_buffered */
    int fd_buffered;
    bool direct, no_flush, discard, readonly;
    dev_t dev;
    ino_t ino;
    uint64_t size;           /* at open, or as grown by writes */
    char *path;
    struct iovec scratch[1024];
};

/* Opens path (read-only or read-write). NULL with a one-line reason. */
struct hostfile *hostfile_open(const char *path, bool readonly, enum hostfile_cache, bool discard,
                               char *err, size_t errlen);
/* Takes QEMU's locks for `perm`, refusing others `unshared`; -1 with the
 * reason (naming the holder when it can). */
int hostfile_lock(struct hostfile *, unsigned perm, unsigned unshared, char *err, size_t errlen);
void hostfile_close(struct hostfile *);

int hostfile_preadv(struct hostfile *, const struct iovec *, int cnt, uint64_t off);
int hostfile_pwritev(struct hostfile *, const struct iovec *, int cnt, uint64_t off);
int hostfile_pread(struct hostfile *, void *buf, size_t len, uint64_t off);
int hostfile_pwrite(struct hostfile *, const void *buf, size_t len, uint64_t off);
int hostfile_flush(struct hostfile *);
/* deallocate (a hint: no-op where holes are not supported or discard=ignore) */
int hostfile_punch(struct hostfile *, uint64_t off, uint64_t len);
int hostfile_write_zeroes(struct hostfile *, uint64_t off, uint64_t len, bool unmap);

/* The raw format on f (owns f). With guard_block0 (a probed format), a
 * write that would make block 0 look like another format is refused, as
 * QEMU does. */
struct blkdev *raw_open(struct hostfile *f, bool guard_block0);

/* The pid holding QEMU lock byte `byte` on f, or -1 (test helper too). */
long hostfile_lock_holder(struct hostfile *, unsigned byte);

#endif
