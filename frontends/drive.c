/* frontends/drive.c: raw disk image files for virtio-blk. */
#define _GNU_SOURCE
#include "frontends/drive.h"
#include "bus/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "machine/devices.h"

#define LOCK_BASE (1ll << 62)
#define DIRECT_ALIGN 512u
#define ZERO_CHUNK (64u << 10)

struct drive {
    int fd;              /* the image (O_DIRECT with cache=none) */
    int fd_buffered;     /* cache=none: for requests O_DIRECT refuses; else fd */
    bool direct, no_flush, discard;
    struct virtio_blk_backend be;
    struct iovec scratch[VIRTQ_MAX_SIZE];
};

int drive_parse(const char *arg, struct drive_opts *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->if_virtio = true;
    o->discard = true;
    struct optlist kv;
    if (optlist_parse(arg, &kv) < 0)
        return errf(err, errlen, "out of memory");
    int rc = 0;
    for (unsigned i = 0; i < kv.n && rc == 0; i++) {
        const char *k = kv.v[i].key, *v = kv.v[i].value;
        if (!v) {
            rc = errf(err, errlen, "'%s' needs a value (%s=...)", k, k);
        } else if (!strcmp(k, "file")) {
            free(o->file);
            o->file = strdup(v);
        } else if (!strcmp(k, "id")) {
            free(o->id);
            o->id = strdup(v);
        } else if (!strcmp(k, "format")) {
            if (strcmp(v, "raw"))
                rc = errf(err, errlen, "format=%s: only raw images are supported", v);
        } else if (!strcmp(k, "if")) {
            if (!strcmp(v, "none"))
                o->if_virtio = false;
            else if (!strcmp(v, "virtio"))
                o->if_virtio = true;
            else
                rc = errf(err, errlen, "if=%s: supported: none, virtio", v);
        } else if (!strcmp(k, "readonly") || !strcmp(k, "read-only")) {
            int b = optlist_bool(v);
            if (b < 0)
                rc = errf(err, errlen, "%s=%s: must be on or off", k, v);
            o->readonly = b == 1;
        } else if (!strcmp(k, "cache")) {
            if (!strcmp(v, "writeback"))
                o->cache = DRIVE_CACHE_WRITEBACK;
            else if (!strcmp(v, "none"))
                o->cache = DRIVE_CACHE_NONE;
            else if (!strcmp(v, "writethrough"))
                o->cache = DRIVE_CACHE_WRITETHROUGH;
            else if (!strcmp(v, "directsync"))
                o->cache = DRIVE_CACHE_DIRECTSYNC;
            else if (!strcmp(v, "unsafe"))
                o->cache = DRIVE_CACHE_UNSAFE;
            else
                rc = errf(err, errlen, "cache=%s: supported: writeback, none, writethrough, directsync, unsafe", v);
        } else if (!strcmp(k, "discard")) {
            if (!strcmp(v, "unmap") || !strcmp(v, "on"))
                o->discard = true;
            else if (!strcmp(v, "ignore") || !strcmp(v, "off"))
                o->discard = false;
            else
                rc = errf(err, errlen, "discard=%s: supported: unmap, ignore", v);
        } else if (!strcmp(k, "media")) {
            if (strcmp(v, "disk"))
                rc = errf(err, errlen, "media=%s: only disk is supported", v);
        } else if (!strcmp(k, "aio")) {
            continue; /* requests are served synchronously whatever the choice */
        } else {
            rc = errf(err, errlen, "unknown option '%s' (supported: file, format, if, id, readonly, cache, "
                      "discard)", k);
        }
    }
    optlist_free(&kv);
    if (rc == 0 && (!o->file || !*o->file))
        rc = errf(err, errlen, "file= is required");
    if (rc == 0 && !o->if_virtio && !o->id)
        rc = errf(err, errlen, "if=none needs id=ID (for -device virtio-blk-device,drive=ID)");
    if (rc < 0)
        drive_opts_free(o);
    return rc;
}

void drive_opts_free(struct drive_opts *o)
{
    free(o->file);
    free(o->id);
    o->file = o->id = NULL;
}

/* ---- I/O ---- */

static bool aligned(const struct iovec *iov, int cnt, uint64_t off)
{
    if (off % DIRECT_ALIGN)
        return false;
    for (int i = 0; i < cnt; i++)
        if ((uintptr_t)iov[i].iov_base % DIRECT_ALIGN || iov[i].iov_len % DIRECT_ALIGN)
            return false;
    return true;
}

/* Transfers all of iov at off on fd; 0 or -errno. */
static int full_io(struct drive *d, int fd, bool write, const struct iovec *iov, int cnt, uint64_t off)
{
    struct iovec *v = d->scratch;
    if (cnt > VIRTQ_MAX_SIZE)
        return -EINVAL;
    memcpy(v, iov, (size_t)cnt * sizeof *v);
    int i = 0;
    while (i < cnt && v[i].iov_len == 0)
        i++;
    while (i < cnt) {
        int n_iov = cnt - i < IOV_MAX ? cnt - i : IOV_MAX;
        ssize_t n = write ? pwritev(fd, v + i, n_iov, (off_t)off) : preadv(fd, v + i, n_iov, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return -EIO; /* the image shrank under us */
        off += (uint64_t)n;
        while (i < cnt && n > 0) {
            if ((size_t)n >= v[i].iov_len) {
                n -= (ssize_t)v[i].iov_len;
                i++;
            } else {
                v[i].iov_base = (uint8_t *)v[i].iov_base + n;
                v[i].iov_len -= (size_t)n;
                n = 0;
            }
        }
        while (i < cnt && v[i].iov_len == 0)
            i++;
    }
    return 0;
}

static int rw(struct drive *d, bool write, const struct iovec *iov, int cnt, uint64_t off)
{
    if (d->direct && aligned(iov, cnt, off)) {
        int r = full_io(d, d->fd, write, iov, cnt, off);
        if (r != -EINVAL)
            return r;
        /* the host file system wants larger alignment: buffered it is */
    }
    return full_io(d, d->fd_buffered, write, iov, cnt, off);
}

static int drive_preadv(void *ctx, const struct iovec *iov, int cnt, uint64_t off)
{
    return rw(ctx, false, iov, cnt, off);
}

static int drive_pwritev(void *ctx, const struct iovec *iov, int cnt, uint64_t off)
{
    return rw(ctx, true, iov, cnt, off);
}

static int drive_flush(void *ctx)
{
    struct drive *d = ctx;
    if (d->no_flush)
        return 0;
    return fdatasync(d->fd) < 0 ? -errno : 0;
}

static int write_zero_bytes(struct drive *d, uint64_t off, uint64_t len)
{
    static const uint8_t zeros[ZERO_CHUNK];
    while (len) {
        struct iovec v = { (void *)zeros, len < ZERO_CHUNK ? (size_t)len : ZERO_CHUNK };
        int r = full_io(d, d->fd_buffered, true, &v, 1, off);
        if (r < 0)
            return r;
        off += v.iov_len;
        len -= v.iov_len;
    }
    return 0;
}

static int drive_discard(void *ctx, uint64_t off, uint64_t len)
{
    struct drive *d = ctx;
    if (!d->discard)
        return 0;
    if (fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0)
        return 0;
    /* Discard is a hint: a file system without holes simply keeps the data. */
    return errno == EOPNOTSUPP || errno == ENOSYS ? 0 : -errno;
}

static int drive_write_zeroes(void *ctx, uint64_t off, uint64_t len, bool unmap)
{
    struct drive *d = ctx;
    if (unmap && d->discard &&
        fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0)
        return 0;
    if (fallocate(d->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0)
        return 0;
    return write_zero_bytes(d, off, len);
}

/* ---- open and lock ---- */

static int lock_range(int fd, int cmd, short type, off_t start, off_t len, struct flock *out)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
    int r = fcntl(fd, cmd, &fl);
    if (out)
        *out = fl;
    return r;
}

/* The pid of a process whose marker conflicts with a `type` lock, or -1. */
static long lock_holder(int fd, short type)
{
    struct flock fl;
    if (lock_range(fd, F_OFD_GETLK, type, LOCK_BASE + 1, 1ll << 32, &fl) < 0 || fl.l_type == F_UNLCK)
        return -1;
    return (long)(fl.l_start - LOCK_BASE - 1);
}

static int take_locks(int fd, bool readonly, char *err, size_t errlen)
{
    short type = readonly ? F_RDLCK : F_WRLCK;
    if (lock_range(fd, F_OFD_SETLK, type, LOCK_BASE, 1, NULL) < 0) {
        if (errno != EAGAIN && errno != EACCES)
            return 0; /* a file system without locks: nothing to protect with */
        long pid = lock_holder(fd, type);
        const char *how = readonly ? "written" : "used";
        if (pid > 0)
            return errf(err, errlen, "the image is being %s by process %ld (locked)", how, pid);
        return errf(err, errlen, "the image is being %s by another process (locked)", how);
    }
    lock_range(fd, F_OFD_SETLK, type, LOCK_BASE + 1 + getpid(), 1, NULL);
    if (!readonly) {
        /* QEMU's image locks live in bytes 100..299 */
        struct flock fl;
        if (lock_range(fd, F_OFD_GETLK, F_WRLCK, 100, 200, &fl) == 0 && fl.l_type != F_UNLCK)
            return errf(err, errlen, "the image is locked by another program (QEMU?)");
    }
    return 0;
}

struct drive *drive_open(const struct drive_opts *o, char *err, size_t errlen)
{
    struct drive *d = calloc(1, sizeof *d);
    if (!d) {
        errf(err, errlen, "out of memory");
        return NULL;
    }
    d->fd = d->fd_buffered = -1;
    int flags = (o->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
    if (o->cache == DRIVE_CACHE_WRITETHROUGH || o->cache == DRIVE_CACHE_DIRECTSYNC)
        flags |= O_DSYNC;
    d->fd_buffered = open(o->file, flags);
    if (d->fd_buffered < 0) {
        errf(err, errlen, "cannot open the image: %s", strerror(errno));
        goto fail;
    }
    struct stat st;
    if (fstat(d->fd_buffered, &st) < 0) {
        errf(err, errlen, "cannot stat the image: %s", strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        errf(err, errlen, "not a regular file or block device");
        goto fail;
    }
    off_t size = S_ISREG(st.st_mode) ? st.st_size : lseek(d->fd_buffered, 0, SEEK_END);
    if (size < 0) {
        errf(err, errlen, "cannot find the image size: %s", strerror(errno));
        goto fail;
    }
    if (take_locks(d->fd_buffered, o->readonly, err, errlen) < 0)
        goto fail;
    d->fd = d->fd_buffered;
    if (o->cache == DRIVE_CACHE_NONE || o->cache == DRIVE_CACHE_DIRECTSYNC) {
        d->fd = open(o->file, flags | O_DIRECT);
        if (d->fd < 0) {
            errf(err, errlen, "cache=%s needs O_DIRECT: %s (use cache=writeback)",
                 o->cache == DRIVE_CACHE_NONE ? "none" : "directsync", strerror(errno));
            goto fail;
        }
        d->direct = true;
    }
    d->no_flush = o->cache == DRIVE_CACHE_UNSAFE;
    d->discard = o->discard;
    d->be = (struct virtio_blk_backend){
        .ctx = d,
        .size = (uint64_t)size,
        .readonly = o->readonly,
        .block_size = 512,
        .preadv = drive_preadv,
        .pwritev = drive_pwritev,
        .flush = drive_flush,
        .discard = drive_discard,
        .write_zeroes = drive_write_zeroes,
    };
    return d;
fail:
    drive_close(d);
    return NULL;
}

const struct virtio_blk_backend *drive_backend(const struct drive *d)
{
    return &d->be;
}

void drive_close(struct drive *d)
{
    if (!d)
        return;
    if (d->fd >= 0 && d->fd != d->fd_buffered)
        close(d->fd);
    if (d->fd_buffered >= 0)
        close(d->fd_buffered);
    free(d);
}
