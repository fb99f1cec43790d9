/* frontends/hostfile.c: host files under disk images, QEMU's image locks,
 * and the raw format. */
#define _GNU_SOURCE
#include "frontends/hostfile.h"
#include "bus/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontends/qcow2.h"

#define MARKER_BASE ((1ll << 62) + 1)
#define DIRECT_ALIGN 512u
#define ZERO_CHUNK (64u << 10)

/* ---- iovec helpers (blkdev.h) ---- */

uint64_t iov_size(const struct iovec *iov, int cnt)
{
    uint64_t n = 0;
    for (int i = 0; i < cnt; i++)
        n += iov[i].iov_len;
    return n;
}

int iov_slice(const struct iovec *iov, int cnt, uint64_t skip, uint64_t len, struct iovec *out, int max)
{
    int n = 0;
    for (int i = 0; i < cnt && len; i++) {
        if (skip >= iov[i].iov_len) {
            skip -= iov[i].iov_len;
            continue;
        }
        uint64_t take = iov[i].iov_len - skip;
        if (take > len)
            take = len;
        if (n == max)
            return -1;
        out[n].iov_base = (uint8_t *)iov[i].iov_base + skip;
        out[n].iov_len = (size_t)take;
        n++;
        len -= take;
        skip = 0;
    }
    return n;
}

static void iov_copy(const struct iovec *iov, int cnt, uint64_t skip, uint8_t *buf, const uint8_t *src,
                     uint64_t len)
{
    for (int i = 0; i < cnt && len; i++) {
        if (skip >= iov[i].iov_len) {
            skip -= iov[i].iov_len;
            continue;
        }
        size_t take = iov[i].iov_len - (size_t)skip;
        if (take > len)
            take = (size_t)len;
        uint8_t *p = (uint8_t *)iov[i].iov_base + skip;
        if (buf) {
            memcpy(buf, p, take);
            buf += take;
        } else if (src) {
            memcpy(p, src, take);
            src += take;
        } else {
            memset(p, 0, take);
        }
        len -= take;
        skip = 0;
    }
}

void iov_to_buf(const struct iovec *iov, int cnt, uint64_t skip, void *buf, uint64_t len)
{
    iov_copy(iov, cnt, skip, buf, NULL, len);
}

void iov_from_buf(const struct iovec *iov, int cnt, uint64_t skip, const void *buf, uint64_t len)
{
    iov_copy(iov, cnt, skip, NULL, buf, len);
}

void iov_zero(const struct iovec *iov, int cnt, uint64_t skip, uint64_t len)
{
    iov_copy(iov, cnt, skip, NULL, NULL, len);
}

/* ---- open ---- */

struct hostfile *hostfile_open(const char *path, bool readonly, enum hostfile_cache cache, bool discard,
                               char *err, size_t errlen)
{
    struct hostfile *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        errf(err, errlen, "out of memory");
        return NULL;
    }
    f->fd = f->fd_buffered = -1;
    f->readonly = readonly;
    int flags = (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
    if (cache == HOSTFILE_CACHE_WRITETHROUGH || cache == HOSTFILE_CACHE_DIRECTSYNC)
        flags |= O_DSYNC;
    struct stat st;
    /* a folder opens read-only: say what it is rather than EISDIR */
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        errf(err, errlen, "is a folder, not an image");
        goto fail;
    }
    f->fd_buffered = open(path, flags);
    if (f->fd_buffered < 0) {
        errf(err, errlen, "cannot open the image: %s", strerror(errno));
        goto fail;
    }
    if (fstat(f->fd_buffered, &st) < 0) {
        errf(err, errlen, "cannot stat the image: %s", strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        errf(err, errlen, "not a regular file or block device");
        goto fail;
    }
    off_t size = S_ISREG(st.st_mode) ? st.st_size : lseek(f->fd_buffered, 0, SEEK_END);
    if (size < 0) {
        errf(err, errlen, "cannot find the image size: %s", strerror(errno));
        goto fail;
    }
    f->size = (uint64_t)size;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->fd = f->fd_buffered;
    if (cache == HOSTFILE_CACHE_NONE || cache == HOSTFILE_CACHE_DIRECTSYNC) {
        f->fd = open(path, flags | O_DIRECT);
        if (f->fd < 0) {
            errf(err, errlen, "cache=%s needs O_DIRECT: %s (use cache=writeback)",
                 cache == HOSTFILE_CACHE_NONE ? "none" : "directsync", strerror(errno));
            goto fail;
        }
        f->direct = true;
    }
    f->no_flush = cache == HOSTFILE_CACHE_UNSAFE;
    f->discard = discard;
    return f;
fail:
    hostfile_close(f);
    return NULL;
}

void hostfile_close(struct hostfile *f)
{
    if (!f)
        return;
    if (f->fd >= 0 && f->fd != f->fd_buffered)
        close(f->fd);
    if (f->fd_buffered >= 0)
        close(f->fd_buffered);
    free(f->path);
    free(f);
}

/* ---- locks ---- */

static const char *const perm_names[] = { "consistent read", "write", "write unchanged", "resize" };

static int lock_range(int fd, int cmd, short type, off_t start, off_t len, struct flock *out)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
    int r = fcntl(fd, cmd, &fl);
    if (out)
        *out = fl;
    return r;
}

/* Someone else holds byte `byte`. */
static bool byte_taken(int fd, unsigned byte)
{
    struct flock fl;
    return lock_range(fd, F_OFD_GETLK, F_WRLCK, byte, 1, &fl) == 0 && fl.l_type != F_UNLCK;
}

/* Does one of pid's open files on (dev, ino) hold lock byte `byte`? */
static bool proc_holds(long pid, dev_t dev, ino_t ino, unsigned byte)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%ld/fd", pid);
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char p[300];
        struct stat st;
        snprintf(p, sizeof p, "/proc/%ld/fd/%s", pid, e->d_name);
        if (stat(p, &st) < 0 || st.st_dev != dev || st.st_ino != ino)
            continue;
        snprintf(p, sizeof p, "/proc/%ld/fdinfo/%s", pid, e->d_name);
        FILE *fi = fopen(p, "r");
        if (!fi)
            continue;
        char line[256];
        while (!found && fgets(line, sizeof line, fi)) {
            unsigned long long a, b;
            char *s = strstr(line, "OFDLCK");
            if (strncmp(line, "lock:", 5) || !s)
                continue;
            /* "lock:\t1: OFDLCK ADVISORY  READ -1 fe:00:123 100 101" */
            char *last = strrchr(line, ' ');
            if (!last)
                continue;
            *last = 0;
            char *prev = strrchr(line, ' ');
            if (prev && sscanf(prev, "%llu", &a) == 1 && sscanf(last + 1, "%llu", &b) == 1 && a <= byte &&
                byte <= b)
                found = true;
        }
        fclose(fi);
    }
    closedir(d);
    return found;
}

long hostfile_lock_holder(struct hostfile *f, unsigned byte)
{
    /* rivet's own markers first */
    struct flock fl;
    if (lock_range(f->fd_buffered, F_OFD_GETLK, F_WRLCK, MARKER_BASE, 1ll << 32, &fl) == 0 &&
        fl.l_type != F_UNLCK) {
        /* a marker only says "a rivet"; make sure it is the one in the way */
        long pid = (long)(fl.l_start - MARKER_BASE);
        if (proc_holds(pid, f->dev, f->ino, byte))
            return pid;
    }
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    long holder = -1;
    struct dirent *e;
    while (holder < 0 && (e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid == (long)getpid())
            continue;
        if (proc_holds(pid, f->dev, f->ino, byte))
            holder = pid;
    }
    closedir(d);
    return holder;
}

static int lock_conflict(struct hostfile *f, unsigned byte, const char *what, char *err, size_t errlen)
{
    long pid = hostfile_lock_holder(f, byte);
    if (pid > 0) {
        char comm[64] = "", p[64];
        snprintf(p, sizeof p, "/proc/%ld/comm", pid);
        FILE *c = fopen(p, "r");
        if (c) {
            if (!fgets(comm, sizeof comm, c))
                comm[0] = 0;
            comm[strcspn(comm, "\n")] = 0;
            fclose(c);
        }
        return errf(err, errlen, "the image is in use: process %ld (%s) holds it%s (locked: \"%s\"; "
                    "file.locking=off overrides)", pid, comm[0] ? comm : "?", what, perm_names[byte % 100]);
    }
    return errf(err, errlen, "the image is in use by another process%s (locked: \"%s\"; file.locking=off "
                "overrides)", what, perm_names[byte % 100]);
}

int hostfile_lock(struct hostfile *f, unsigned perm, unsigned unshared, char *err, size_t errlen)
{
    int fd = f->fd_buffered;
    for (unsigned i = 0; i < 4; i++) {
        if ((perm >> i & 1) && lock_range(fd, F_OFD_SETLK, F_RDLCK, 100 + i, 1, NULL) < 0)
            goto no_locks;
        if ((unshared >> i & 1) && lock_range(fd, F_OFD_SETLK, F_RDLCK, 200 + i, 1, NULL) < 0)
            goto no_locks;
    }
    for (unsigned i = 0; i < 4; i++) {
        if ((perm >> i & 1) && byte_taken(fd, 200 + i))
            return lock_conflict(f, 200 + i, " and does not share", err, errlen);
        if ((unshared >> i & 1) && byte_taken(fd, 100 + i))
            return lock_conflict(f, 100 + i, "", err, errlen);
    }
    lock_range(fd, F_OFD_SETLK, F_RDLCK, MARKER_BASE + getpid(), 1, NULL);
    return 0;
no_locks:
    if (errno == EAGAIN || errno == EACCES) /* a write lock on our read bytes: not QEMU, but in the way */
        return errf(err, errlen, "the image is locked by another program");
    return 0; /* a file system without locks: nothing to protect with */
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
static int full_io(struct hostfile *f, int fd, bool write, const struct iovec *iov, int cnt, uint64_t off)
{
    struct iovec *v = f->scratch;
    if (cnt > (int)(sizeof f->scratch / sizeof *v))
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
    if (write && off > f->size)
        f->size = off;
    return 0;
}

static int rw(struct hostfile *f, bool write, const struct iovec *iov, int cnt, uint64_t off)
{
    if (f->direct && aligned(iov, cnt, off)) {
        int r = full_io(f, f->fd, write, iov, cnt, off);
        if (r != -EINVAL)
            return r;
        /* the host file system wants larger alignment: buffered it is */
    }
    return full_io(f, f->fd_buffered, write, iov, cnt, off);
}

int hostfile_preadv(struct hostfile *f, const struct iovec *iov, int cnt, uint64_t off)
{
    return rw(f, false, iov, cnt, off);
}

int hostfile_pwritev(struct hostfile *f, const struct iovec *iov, int cnt, uint64_t off)
{
    return rw(f, true, iov, cnt, off);
}

int hostfile_pread(struct hostfile *f, void *buf, size_t len, uint64_t off)
{
    struct iovec v = { buf, len };
    return full_io(f, f->fd_buffered, false, &v, 1, off);
}

int hostfile_pwrite(struct hostfile *f, const void *buf, size_t len, uint64_t off)
{
    struct iovec v = { (void *)buf, len };
    return full_io(f, f->fd_buffered, true, &v, 1, off);
}

int hostfile_flush(struct hostfile *f)
{
    if (f->no_flush)
        return 0;
    return fdatasync(f->fd_buffered) < 0 ? -errno : 0;
}

int hostfile_punch(struct hostfile *f, uint64_t off, uint64_t len)
{
    if (!f->discard)
        return 0;
    if (fallocate(f->fd_buffered, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0)
        return 0;
    /* Discard is a hint: a file system without holes simply keeps the data. */
    return errno == EOPNOTSUPP || errno == ENOSYS ? 0 : -errno;
}

static int write_zero_bytes(struct hostfile *f, uint64_t off, uint64_t len)
{
    static const uint8_t zeros[ZERO_CHUNK];
    while (len) {
        struct iovec v = { (void *)zeros, len < ZERO_CHUNK ? (size_t)len : ZERO_CHUNK };
        int r = full_io(f, f->fd_buffered, true, &v, 1, off);
        if (r < 0)
            return r;
        off += v.iov_len;
        len -= v.iov_len;
    }
    return 0;
}

int hostfile_write_zeroes(struct hostfile *f, uint64_t off, uint64_t len, bool unmap)
{
    int fd = f->fd_buffered;
    if (unmap && f->discard && off + len <= f->size &&
        fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0)
        return 0;
    if (off + len <= f->size && fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0)
        return 0;
    return write_zero_bytes(f, off, len);
}

/* ---- the raw format ---- */

struct raw {
    struct blkdev bd;
    struct hostfile *f;
    bool guard_block0;
};

static int raw_preadv(struct blkdev *b, const struct iovec *iov, int cnt, uint64_t off)
{
    struct raw *r = (struct raw *)b;
    return hostfile_preadv(r->f, iov, cnt, off);
}

static int raw_pwritev(struct blkdev *b, const struct iovec *iov, int cnt, uint64_t off)
{
    struct raw *r = (struct raw *)b;
    if (r->guard_block0 && off < 512) {
        /* QEMU's rule for probed raw images: the guest may not write a
         * block 0 that would be probed as another format next time */
        uint8_t head[512] = { 0 };
        uint64_t n = iov_size(iov, cnt);
        if (n > 512 - off)
            n = 512 - off;
        if (hostfile_pread(r->f, head, 512, 0) < 0 && r->f->size >= 512)
            return -EIO;
        iov_to_buf(iov, cnt, 0, head + off, n);
        if (qcow2_probe(head, sizeof head))
            return -EPERM;
    }
    return hostfile_pwritev(r->f, iov, cnt, off);
}

static int raw_flush(struct blkdev *b)
{
    return hostfile_flush(((struct raw *)b)->f);
}

static int raw_discard(struct blkdev *b, uint64_t off, uint64_t len)
{
    return hostfile_punch(((struct raw *)b)->f, off, len);
}

static int raw_write_zeroes(struct blkdev *b, uint64_t off, uint64_t len, bool unmap)
{
    /* zeros never look like a format: no block 0 guard needed */
    return hostfile_write_zeroes(((struct raw *)b)->f, off, len, unmap);
}

static void raw_close(struct blkdev *b)
{
    struct raw *r = (struct raw *)b;
    hostfile_close(r->f);
    free(r);
}

static const struct blkdev_ops raw_ops = {
    raw_preadv, raw_pwritev, raw_flush, raw_discard, raw_write_zeroes, raw_close,
};

struct blkdev *raw_open(struct hostfile *f, bool guard_block0)
{
    struct raw *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->bd = (struct blkdev){ &raw_ops, f->size, "raw" };
    r->f = f;
    r->guard_block0 = guard_block0;
    return &r->bd;
}
