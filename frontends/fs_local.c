/* frontends/fs_local.c: the confined local file system backend of
 * virtio-9p (fs_local.h, docs/9p.md).
 *
 * A node is an O_PATH | O_NOFOLLOW descriptor of one file inside the
 * share, plus an open descriptor once the guest opened it. Walks open one
 * checked component relative to the directory's descriptor with openat2
 * (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS), so
 * neither "..", an absolute name, a symbolic link nor a swapped folder can
 * lead a walk outside. Operations on a node's own inode that have no
 * descriptor form (chmod, truncate, utimes, xattrs, reopening for I/O) go
 * through /proc/self/fd/N, which the kernel resolves to exactly that inode
 * without a path walk; they are never used on a symbolic link, which the
 * kernel would follow. The path string a node keeps is only a hint for
 * Tremove, Trename and "..": it is resolved again from the share's root
 * with the same confined walk and checked against the node's inode. */
#define _GNU_SOURCE
#include "frontends/fs_local.h"
#include "bus/util.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define DIRBUF 32768
#define XPREFIX "user.virtfs."

struct fs_local {
    int root;
    dev_t root_dev;
    ino_t root_ino;
    enum fs_model model;
    bool no_openat2;          /* kernel before 5.6: O_NOFOLLOW on single components */
    unsigned nodes, max_nodes;  /* a node holds up to two descriptors; keep rivet's own spare */
    struct virtio_9p_backend be;
};

struct p9_node {
    int fd;                   /* O_PATH (or an open descriptor of a created file) */
    int ofd;                  /* opened for I/O, or -1 */
    mode_t type;              /* S_IFMT bits: the inode behind fd never changes */
    dev_t dev;
    ino_t ino;
    char *path;               /* relative to the root ("" is the root); NULL: unknown */
    char *dbuf;               /* readdir: getdents64 buffer */
    size_t dlen, dpos;
    uint64_t doff;            /* offset of the next entry to hand out */
};

static int neg(void)
{
    return errno ? -errno : -EIO;
}

/* One component relative to dirfd, confined. */
static int open_beneath(struct fs_local *fs, int dirfd, const char *name, int flags, mode_t mode)
{
    flags |= O_CLOEXEC | O_NOFOLLOW;
    if (!fs->no_openat2) {
        struct open_how how = {
            .flags = (uint64_t)flags,
            .mode = (flags & O_CREAT) ? mode : 0,
            .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        long r = syscall(SYS_openat2, dirfd, name, &how, sizeof how);
        if (r >= 0)
            return (int)r;
        if (errno != ENOSYS)
            return neg();
        fs->no_openat2 = true;
    }
    /* the name is one component (the server checked it): O_NOFOLLOW keeps
     * the last and only step from following a link */
    if (strchr(name, '/') || !strcmp(name, "..") || !*name)
        return -EINVAL;
    int fd = openat(dirfd, name, flags, mode);
    return fd < 0 ? neg() : fd;
}

static void procpath(char *buf, size_t len, int fd)
{
    snprintf(buf, len, "/proc/self/fd/%d", fd);
}

static char *join(const char *dir, const char *name)
{
    if (!dir)
        return NULL;
    size_t a = strlen(dir), b = strlen(name);
    if (a + b + 2 > PATH_MAX)
        return NULL;
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    if (a)
        p[a++] = '/';
    memcpy(p + a, name, b + 1);
    return p;
}

static struct p9_node *node_new(struct fs_local *fs, int fd, const struct stat *st, char *path)
{
    struct p9_node *n = fs->nodes < fs->max_nodes ? calloc(1, sizeof *n) : NULL;
    if (!n) {
        close(fd);
        free(path);
        return NULL;
    }
    n->fd = fd;
    n->ofd = -1;
    n->type = st->st_mode & S_IFMT;
    n->dev = st->st_dev;
    n->ino = st->st_ino;
    n->path = path;
    fs->nodes++;
    return n;
}

/* A node for fd (taken over): fstat decides its type. */
static int make_node(struct fs_local *fs, int fd, char *path, struct p9_node **out)
{
    struct stat st;
    if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
        int e = neg();
        close(fd);
        free(path);
        return e;
    }
    *out = node_new(fs, fd, &st, path);
    return *out ? 0 : fs->nodes >= fs->max_nodes ? -EMFILE : -ENOMEM;
}

static void fl_release(void *ctx, struct p9_node *n)
{
    struct fs_local *fs = ctx;
    if (!n)
        return;
    fs->nodes--;
    close(n->fd);
    if (n->ofd >= 0)
        close(n->ofd);
    free(n->path);
    free(n->dbuf);
    free(n);
}

static int fl_root(void *ctx, struct p9_node **out)
{
    struct fs_local *fs = ctx;
    int fd = fcntl(fs->root, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return neg();
    return make_node(fs, fd, strdup(""), out);
}

/* The directory `path` (relative to the root), one confined component at
 * a time; the root for "". */
static int resolve_dir(struct fs_local *fs, const char *path, int *out)
{
    int fd = fcntl(fs->root, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return neg();
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save = NULL, *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        int nfd = open_beneath(fs, fd, c, O_PATH | O_DIRECTORY, 0);
        close(fd);
        if (nfd < 0)
            return nfd;
        fd = nfd;
    }
    *out = fd;
    return 0;
}

/* The parent directory of node n and n's name in it, checked to still be
 * n's inode. */
static int parent_of(struct fs_local *fs, struct p9_node *n, int *dirfd, const char **base)
{
    if (!n->path)
        return -ENAMETOOLONG;
    if (!*n->path)
        return -EBUSY; /* the root */
    char dir[PATH_MAX];
    const char *slash = strrchr(n->path, '/');
    size_t dl = slash ? (size_t)(slash - n->path) : 0;
    memcpy(dir, n->path, dl);
    dir[dl] = 0;
    *base = slash ? slash + 1 : n->path;
    int e = resolve_dir(fs, dir, dirfd);
    if (e)
        return e;
    struct stat st;
    if (fstatat(*dirfd, *base, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != n->dev || st.st_ino != n->ino) {
        close(*dirfd);
        return -ENOENT; /* renamed behind the hint's back */
    }
    return 0;
}

static int fl_walk(void *ctx, struct p9_node *dir, const char *name, struct p9_node **out)
{
    struct fs_local *fs = ctx;
    if (dir->type != S_IFDIR)
        return -ENOTDIR;
    if (!strcmp(name, "..")) {
        if ((dir->dev == fs->root_dev && dir->ino == fs->root_ino) || (dir->path && !*dir->path))
            return fl_root(ctx, out);
        if (!dir->path)
            return -ENOENT;
        char up[PATH_MAX];
        snprintf(up, sizeof up, "%s", dir->path);
        char *slash = strrchr(up, '/');
        if (slash)
            *slash = 0;
        else
            up[0] = 0;
        int fd, e = resolve_dir(fs, up, &fd);
        return e ? e : make_node(fs, fd, strdup(up), out);
    }
    int fd = open_beneath(fs, dir->fd, name, O_PATH, 0);
    if (fd < 0)
        return fd;
    return make_node(fs, fd, join(dir->path, name), out);
}

static int fl_clone(void *ctx, struct p9_node *n, struct p9_node **out)
{
    struct fs_local *fs = ctx;
    int fd = fcntl(n->fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return neg();
    struct stat st = { .st_mode = n->type, .st_dev = n->dev, .st_ino = n->ino };
    *out = node_new(fs, fd, &st, n->path ? strdup(n->path) : NULL);
    return *out ? 0 : fs->nodes >= fs->max_nodes ? -EMFILE : -ENOMEM;
}

/* ---- ownership and mode ---- */

static bool has_xattrs(mode_t type)
{
    return type == S_IFREG || type == S_IFDIR;
}

static int64_t xget(int fd, const char *name, void *buf, size_t len)
{
    char p[64];
    procpath(p, sizeof p, fd);
    ssize_t r = getxattr(p, name, buf, len);
    return r < 0 ? neg() : r;
}

static int xset(int fd, const char *name, const void *v, size_t len, int flags)
{
    char p[64];
    procpath(p, sizeof p, fd);
    return setxattr(p, name, v, len, flags) < 0 ? neg() : 0;
}

/* user.virtfs.* values are little-endian, as QEMU writes them, so a
 * folder moves between the two and between hosts. */
static int xset32(int fd, const char *name, uint32_t v)
{
    v = htole32(v);
    return xset(fd, name, &v, sizeof v, 0);
}

static int xset64(int fd, const char *name, uint64_t v)
{
    v = htole64(v);
    return xset(fd, name, &v, sizeof v, 0);
}

static void overlay_mapped(int fd, struct stat *st)
{
    uint32_t v;
    uint64_t d;
    if (xget(fd, XPREFIX "uid", &v, sizeof v) == sizeof v)
        st->st_uid = le32toh(v);
    if (xget(fd, XPREFIX "gid", &v, sizeof v) == sizeof v)
        st->st_gid = le32toh(v);
    if (xget(fd, XPREFIX "mode", &v, sizeof v) == sizeof v)
        st->st_mode = le32toh(v);
    if (xget(fd, XPREFIX "rdev", &d, sizeof d) == sizeof d)
        st->st_rdev = le64toh(d);
}

static void to_attr(struct fs_local *fs, const struct stat *st, struct p9_attr *a)
{
    memset(a, 0, sizeof *a);
    a->mode = st->st_mode;
    a->uid = st->st_uid;
    a->gid = st->st_gid;
    /* Files of other file systems mounted inside the share keep distinct
     * qids: their device goes into the top bits. */
    a->ino = st->st_dev == fs->root_dev ? (uint64_t)st->st_ino
                                        : (uint64_t)st->st_ino ^ ((uint64_t)(st->st_dev * 0x9e3779b9u) << 40);
    a->nlink = st->st_nlink;
    a->rdev = st->st_rdev;
    a->size = (uint64_t)st->st_size;
    a->blksize = (uint64_t)st->st_blksize;
    a->blocks = (uint64_t)st->st_blocks;
    a->atime_sec = st->st_atim.tv_sec;
    a->atime_nsec = st->st_atim.tv_nsec;
    a->mtime_sec = st->st_mtim.tv_sec;
    a->mtime_nsec = st->st_mtim.tv_nsec;
    a->ctime_sec = st->st_ctim.tv_sec;
    a->ctime_nsec = st->st_ctim.tv_nsec;
}

static int attr_of_fd(struct fs_local *fs, int fd, struct p9_attr *a)
{
    struct stat st;
    if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
        return neg();
    if (fs->model == FS_MAPPED_XATTR && has_xattrs(st.st_mode & S_IFMT))
        overlay_mapped(fd, &st);
    to_attr(fs, &st, a);
    return 0;
}

static int fl_getattr(void *ctx, struct p9_node *n, struct p9_attr *a)
{
    return attr_of_fd(ctx, n->fd, a);
}

static int do_chmod(int fd, mode_t type, uint32_t mode)
{
    if (type == S_IFLNK)
        return 0; /* Linux has no modes on links */
    char p[64];
    procpath(p, sizeof p, fd);
    return chmod(p, mode & 07777) < 0 ? neg() : 0;
}

/* A new file's owner and mode, as the security model says. */
static int set_cred(struct fs_local *fs, int fd, mode_t type, uint32_t mode, const struct p9_cred *c,
                    uint64_t rdev)
{
    int e;
    switch (fs->model) {
    case FS_MAPPED_XATTR:
        if (!has_xattrs(type))
            return 0;
        if ((e = xset32(fd, XPREFIX "uid", c->uid)) || (e = xset32(fd, XPREFIX "gid", c->gid)) ||
            (e = xset32(fd, XPREFIX "mode", (uint32_t)type | (mode & 07777))))
            return e;
        if (rdev && (e = xset64(fd, XPREFIX "rdev", rdev)))
            return e;
        return 0;
    case FS_PASSTHROUGH:
        /* chown where the host lets rivet (root, or its own gid) */
        if (fchownat(fd, "", c->uid, c->gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 && errno != EPERM)
            return neg();
        return do_chmod(fd, type, mode);
    case FS_NONE:
        return do_chmod(fd, type, mode);
    }
    return 0;
}

static int fl_setattr(void *ctx, struct p9_node *n, const struct p9_setattr *a)
{
    struct fs_local *fs = ctx;
    if (fs->be.readonly)
        return -EROFS;
    int e;
    char p[64];
    procpath(p, sizeof p, n->fd);
    if (a->valid & P9_SETATTR_MODE) {
        if (fs->model == FS_MAPPED_XATTR) {
            if (has_xattrs(n->type) && (e = xset32(n->fd, XPREFIX "mode", (uint32_t)n->type | a->mode)))
                return e;
        } else if ((e = do_chmod(n->fd, n->type, a->mode))) {
            return e;
        }
    }
    if (a->valid & (P9_SETATTR_UID | P9_SETATTR_GID)) {
        uid_t u = a->valid & P9_SETATTR_UID ? a->uid : (uid_t)-1;
        gid_t g = a->valid & P9_SETATTR_GID ? a->gid : (gid_t)-1;
        if (fs->model == FS_MAPPED_XATTR) {
            if (has_xattrs(n->type)) {
                if ((a->valid & P9_SETATTR_UID) && (e = xset32(n->fd, XPREFIX "uid", a->uid)))
                    return e;
                if ((a->valid & P9_SETATTR_GID) && (e = xset32(n->fd, XPREFIX "gid", a->gid)))
                    return e;
            }
        } else if (fchownat(n->fd, "", u, g, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 &&
                   fs->model == FS_PASSTHROUGH) {
            return neg();
        }
    }
    if (a->valid & P9_SETATTR_SIZE) {
        if (n->type != S_IFREG)
            return n->type == S_IFDIR ? -EISDIR : -EINVAL;
        if (truncate(p, (off_t)a->size) < 0)
            return neg();
    }
    if ((a->valid & (P9_SETATTR_ATIME | P9_SETATTR_MTIME)) && n->type != S_IFLNK) {
        struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT } };
        if (a->valid & P9_SETATTR_ATIME)
            ts[0] = a->valid & P9_SETATTR_ATIME_SET ? (struct timespec){ a->atime_sec, a->atime_nsec }
                                                    : (struct timespec){ 0, UTIME_NOW };
        if (a->valid & P9_SETATTR_MTIME)
            ts[1] = a->valid & P9_SETATTR_MTIME_SET ? (struct timespec){ a->mtime_sec, a->mtime_nsec }
                                                    : (struct timespec){ 0, UTIME_NOW };
        if (utimensat(AT_FDCWD, p, ts, 0) < 0)
            return neg();
    }
    return 0;
}

/* ---- I/O ---- */

/* Regular files and directories open; devices, FIFOs and sockets in the
 * share never do (they would reach host devices or block), nor do links. */
static int reopen(struct fs_local *fs, struct p9_node *n, int flags)
{
    int fd;
    if (n->type == S_IFDIR) {
        if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
            return -EISDIR;
        fd = openat(n->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } else if (n->type == S_IFREG) {
        char p[64];
        procpath(p, sizeof p, n->fd);
        fd = open(p, (flags & (O_ACCMODE | O_TRUNC | O_APPEND | O_DSYNC | O_SYNC)) | O_CLOEXEC | O_NOCTTY);
    } else {
        return n->type == S_IFLNK ? -ELOOP : -ENXIO;
    }
    if (fd < 0)
        return neg();
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_dev != n->dev || st.st_ino != n->ino) {
        close(fd);
        return -ESTALE;
    }
    return fd;
}

static int fl_open(void *ctx, struct p9_node *n, int flags)
{
    struct fs_local *fs = ctx;
    if (fs->be.readonly && ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_APPEND))))
        return -EROFS;
    int fd = reopen(fs, n, flags);
    if (fd < 0)
        return fd;
    if (n->ofd >= 0)
        close(n->ofd);
    n->ofd = fd;
    n->dlen = n->dpos = 0;
    n->doff = 0;
    return 0;
}

static int fl_create(void *ctx, struct p9_node *dir, const char *name, int flags, uint32_t mode,
                     const struct p9_cred *c, struct p9_node **out, struct p9_attr *attr)
{
    struct fs_local *fs = ctx;
    if (fs->be.readonly)
        return -EROFS;
    if (dir->type != S_IFDIR)
        return -ENOTDIR;
    int oflags = flags & (O_ACCMODE | O_TRUNC | O_APPEND | O_DSYNC | O_SYNC);
    mode_t hmode = fs->model == FS_MAPPED_XATTR ? 0600 : (mode & 0777);
    bool created = true;
    int fd = open_beneath(fs, dir->fd, name, oflags | O_CREAT | O_EXCL, hmode);
    if (fd == -EEXIST && !(flags & O_EXCL)) {
        created = false;
        fd = open_beneath(fs, dir->fd, name, oflags, 0);
    }
    if (fd < 0)
        return fd;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -EEXIST;
    }
    int e = created ? set_cred(fs, fd, S_IFREG, mode, c, 0) : 0;
    int pfd = e ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (e || pfd < 0) {
        if (created)
            unlinkat(dir->fd, name, 0);
        close(fd);
        return e ? e : -EMFILE;
    }
    struct p9_node *n = node_new(fs, pfd, &st, join(dir->path, name));
    if (!n) {
        close(fd);
        return -ENOMEM;
    }
    n->ofd = fd;
    *out = n;
    return attr_of_fd(fs, pfd, attr);
}

static int64_t fl_pread(void *ctx, struct p9_node *n, void *buf, size_t len, uint64_t off)
{
    if (n->ofd < 0)
        return -EBADF;
    ssize_t r = pread(n->ofd, buf, len, (off_t)off);
    return r < 0 ? neg() : r;
}

static int64_t fl_pwrite(void *ctx, struct p9_node *n, const void *buf, size_t len, uint64_t off)
{
    struct fs_local *fs = ctx;
    if (fs->be.readonly)
        return -EROFS;
    if (n->ofd < 0)
        return -EBADF;
    ssize_t r = pwrite(n->ofd, buf, len, (off_t)off);
    return r < 0 ? neg() : r;
}

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static int fl_readdir(void *ctx, struct p9_node *n, uint64_t off,
                      int (*emit)(void *arg, const struct p9_dirent *), void *arg)
{
    if (n->ofd < 0 || n->type != S_IFDIR)
        return -EBADF;
    if (!n->dbuf && !(n->dbuf = malloc(DIRBUF)))
        return -ENOMEM;
    if (off != n->doff) {
        if (lseek(n->ofd, (off_t)off, SEEK_SET) < 0)
            return neg();
        n->dlen = n->dpos = 0;
        n->doff = off;
    }
    for (;;) {
        if (n->dpos >= n->dlen) {
            long r = syscall(SYS_getdents64, n->ofd, n->dbuf, DIRBUF);
            if (r < 0)
                return neg();
            if (r == 0)
                return 0;
            n->dlen = (size_t)r;
            n->dpos = 0;
        }
        struct linux_dirent64 *d = (struct linux_dirent64 *)(n->dbuf + n->dpos);
        struct p9_dirent e = { .ino = d->d_ino, .off = (uint64_t)d->d_off, .type = d->d_type, .name = d->d_name };
        if (emit(arg, &e))
            return 0;
        n->dpos += d->d_reclen;
        n->doff = (uint64_t)d->d_off;
    }
}

/* ---- names in a directory ---- */

/* The new entry dir/name as a node (confined), for its owner and attrs. */
static int open_new(struct fs_local *fs, struct p9_node *dir, const char *name, int extra, int *fd)
{
    *fd = open_beneath(fs, dir->fd, name, O_PATH | extra, 0);
    return *fd < 0 ? *fd : 0;
}

static int fl_mkdir(void *ctx, struct p9_node *dir, const char *name, uint32_t mode, const struct p9_cred *c,
                    struct p9_attr *a)
{
    struct fs_local *fs = ctx;
    if (fs->be.readonly)
        return -EROFS;
    if (mkdirat(dir->fd, name, fs->model == FS_MAPPED_XATTR ? 0700 : (mode & 0777)) < 0)
        return neg();
    int fd, e = open_new(fs, dir, name, O_DIRECTORY, &fd);
    if (e)
        return e;
    if (!(e = set_cred(fs, fd, S_IFDIR, mode, c, 0)))
        e = attr_of_fd(fs, fd, a);
    close(fd);
    return e;
}

static int fl_symlink(void *ctx, struct p9_node *dir, const char *name, const char *target,
                      const struct p9_cred *c, struct p9_attr *a)
{
    struct fs_local *fs = ctx;
    if (fs->be.readonly)
        return -EROFS;
    if (symlinkat(target, dir->fd, name) < 0)
        return neg();
    int fd, e = open_new(fs, dir, name, 0, &fd);
    if (e)
        return e;
    if (fs->model == FS_PASSTHROUGH && fchownat(fd, "", c->uid, c->gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 &&
        errno != EPERM)
        e = neg();
    if (!e)
        e = attr_of_fd(fs, fd, a);
    close(fd);
    return e;
}

static int fl_mknod(void *ctx, struct p9_node *dir, const char *name, uint32_t mode, uint32_t major,
                    uint32_t minor, const struct p9_cred *c, struct p9_attr *a)
{
    struct fs_local *fs = ctx;
    if (fs->be.readonly)
        return -EROFS;
    mode_t type = mode & S_IFMT;
    if (!type)
        type = S_IFREG;
    if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK && type != S_IFCHR && type != S_IFBLK)
        return -EINVAL;
    uint64_t rdev = (type == S_IFCHR || type == S_IFBLK) ? makedev(major, minor) : 0;
    int fd, e;
    if (fs->model == FS_MAPPED_XATTR) {
        /* a regular file standing for it: the host never sees a device */
        fd = open_beneath(fs, dir->fd, name, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0)
            return fd;
        e = set_cred(fs, fd, S_IFREG, mode, c, 0);
        if (!e)
            e = xset32(fd, XPREFIX "mode", (uint32_t)type | (mode & 07777));
        if (!e && rdev)
            e = xset64(fd, XPREFIX "rdev", rdev);
    } else {
        if (mknodat(dir->fd, name, type | (mode & 0777), (dev_t)rdev) < 0)
            return neg();
        if ((e = open_new(fs, dir, name, 0, &fd)))
            return e;
        e = set_cred(fs, fd, type, mode, c, 0);
    }
    if (!e)
        e = attr_of_fd(fs, fd, a);
    close(fd);
    return e;
}

static int fl_link(void *ctx, struct p9_node *dir, struct p9_node *target, const char *name)
{
    struct fs_local *fs = ctx;
    if (fs->be.readonly)
        return -EROFS;
    if (target->type == S_IFDIR)
        return -EPERM;
    if (target->type == S_IFLNK) {
        /* through /proc the kernel would follow the link: only the
         * descriptor itself (needs CAP_DAC_READ_SEARCH) */
        return linkat(target->fd, "", dir->fd, name, AT_EMPTY_PATH) < 0 ? (errno == ENOENT ? -EPERM : neg()) : 0;
    }
    char p[64];
    procpath(p, sizeof p, target->fd);
    return linkat(AT_FDCWD, p, dir->fd, name, AT_SYMLINK_FOLLOW) < 0 ? neg() : 0;
}

static int fl_readlink(void *ctx, struct p9_node *n, char *buf, size_t len)
{
    if (n->type != S_IFLNK)
        return -EINVAL;
    ssize_t r = readlinkat(n->fd, "", buf, len);
    return r < 0 ? neg() : (int)r;
}

static int fl_rename(void *ctx, struct p9_node *n, struct p9_node *newdir, const char *name)
{
    struct fs_local *fs = ctx;
    if (fs->be.readonly)
        return -EROFS;
    int pfd;
    const char *base;
    int e = parent_of(fs, n, &pfd, &base);
    if (e)
        return e;
    e = renameat(pfd, base, newdir->fd, name) < 0 ? neg() : 0;
    close(pfd);
    if (!e) {
        free(n->path);
        n->path = join(newdir->path, name);
    }
    return e;
}

static int fl_renameat(void *ctx, struct p9_node *od, const char *on, struct p9_node *nd, const char *nn)
{
    struct fs_local *fs = ctx;
    if (fs->be.readonly)
        return -EROFS;
    return renameat(od->fd, on, nd->fd, nn) < 0 ? neg() : 0;
}

static int fl_unlinkat(void *ctx, struct p9_node *dir, const char *name, bool isdir)
{
    struct fs_local *fs = ctx;
    if (fs->be.readonly)
        return -EROFS;
    return unlinkat(dir->fd, name, isdir ? AT_REMOVEDIR : 0) < 0 ? neg() : 0;
}

static int fl_remove(void *ctx, struct p9_node *n)
{
    struct fs_local *fs = ctx;
    if (fs->be.readonly)
        return -EROFS;
    int pfd;
    const char *base;
    int e = parent_of(fs, n, &pfd, &base);
    if (e)
        return e;
    e = unlinkat(pfd, base, n->type == S_IFDIR ? AT_REMOVEDIR : 0) < 0 ? neg() : 0;
    close(pfd);
    return e;
}

static int fl_fsync(void *ctx, struct p9_node *n, bool datasync)
{
    int fd = n->ofd, tmp = -1;
    if (fd < 0) {
        if (n->type != S_IFREG && n->type != S_IFDIR)
            return 0;
        if ((tmp = fd = reopen(ctx, n, O_RDONLY)) < 0)
            return fd;
    }
    int r = (datasync ? fdatasync(fd) : fsync(fd)) < 0 ? neg() : 0;
    if (tmp >= 0)
        close(tmp);
    return r;
}

static int fl_statfs(void *ctx, struct p9_node *n, struct p9_statfs *out)
{
    struct statfs st;
    if (fstatfs(n->fd, &st) < 0)
        return neg();
    uint64_t fsid;
    memcpy(&fsid, &st.f_fsid, sizeof fsid < sizeof st.f_fsid ? sizeof fsid : sizeof st.f_fsid);
    *out = (struct p9_statfs){
        .type = (uint32_t)st.f_type, .bsize = (uint32_t)st.f_bsize, .namelen = (uint32_t)st.f_namelen,
        .blocks = st.f_blocks, .bfree = st.f_bfree, .bavail = st.f_bavail, .files = st.f_files,
        .ffree = st.f_ffree, .fsid = fsid,
    };
    return 0;
}

/* ---- extended attributes: the user namespace only ---- */

static int xattr_name(struct fs_local *fs, const char *name, bool hidden_ok)
{
    if (strncmp(name, "user.", 5))
        return -EOPNOTSUPP;
    if (fs->model == FS_MAPPED_XATTR && !strncmp(name, XPREFIX, strlen(XPREFIX)))
        return hidden_ok ? -ENODATA : -EACCES;
    return 0;
}

static int64_t fl_getxattr(void *ctx, struct p9_node *n, const char *name, void *buf, size_t len)
{
    int e = xattr_name(ctx, name, true);
    if (e)
        return e;
    if (!has_xattrs(n->type))
        return -ENODATA;
    return xget(n->fd, name, buf, len);
}

static int64_t fl_listxattr(void *ctx, struct p9_node *n, char *buf, size_t len)
{
    if (!has_xattrs(n->type))
        return 0;
    char p[64], *all = malloc(P9_XATTR_MAX);
    if (!all)
        return -ENOMEM;
    procpath(p, sizeof p, n->fd);
    ssize_t r = listxattr(p, all, P9_XATTR_MAX);
    if (r < 0) {
        int e = neg();
        free(all);
        return e;
    }
    size_t out = 0;
    for (ssize_t i = 0; i < r;) {
        size_t l = strnlen(all + i, (size_t)(r - i));
        if (i + (ssize_t)l < r && xattr_name(ctx, all + i, true) == 0) {
            if (len && out + l + 1 > len) {
                free(all);
                return -ERANGE;
            }
            if (len)
                memcpy(buf + out, all + i, l + 1);
            out += l + 1;
        }
        i += (ssize_t)l + 1;
    }
    free(all);
    return (int64_t)out;
}

static int fl_setxattr(void *ctx, struct p9_node *n, const char *name, const void *val, size_t len, int flags)
{
    struct fs_local *fs = ctx;
    if (fs->be.readonly)
        return -EROFS;
    int e = xattr_name(fs, name, false);
    if (e)
        return e;
    if (!has_xattrs(n->type))
        return -EPERM;
    return xset(n->fd, name, val, len, flags);
}

static int fl_removexattr(void *ctx, struct p9_node *n, const char *name)
{
    struct fs_local *fs = ctx;
    if (fs->be.readonly)
        return -EROFS;
    int e = xattr_name(fs, name, false);
    if (e)
        return e;
    if (!has_xattrs(n->type))
        return -EPERM;
    char p[64];
    procpath(p, sizeof p, n->fd);
    return removexattr(p, name) < 0 ? neg() : 0;
}

/* ---- the share ---- */

struct fs_local *fs_local_open(const char *path, enum fs_model model, bool readonly, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        errf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (!S_ISDIR(st.st_mode)) {
        errf(err, errlen, "%s is not a folder", path);
        return NULL;
    }
    /* reopening a file for I/O goes through /proc/self/fd */
    int pfd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (pfd < 0) {
        errf(err, errlen, "needs /proc mounted (to open shared files by descriptor)");
        return NULL;
    }
    close(pfd);
    struct fs_local *fs = calloc(1, sizeof *fs);
    if (!fs) {
        errf(err, errlen, "out of memory");
        return NULL;
    }
    fs->root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fs->root < 0 || fstat(fs->root, &st) < 0) {
        errf(err, errlen, "%s: %s", path, strerror(errno));
        if (fs->root >= 0)
            close(fs->root);
        free(fs);
        return NULL;
    }
    fs->root_dev = st.st_dev;
    fs->root_ino = st.st_ino;
    fs->model = model;
    /* every fid the guest holds is a descriptor or two */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    /* a guest holding many fids gets EMFILE before rivet runs out of
     * descriptors for its own files and sockets */
    uint64_t lim = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (uint64_t)rl.rlim_cur : 1024;
    fs->max_nodes = lim > 512 ? (unsigned)((lim - 256 < 2u * P9_MAX_FIDS ? lim - 256 : 2u * P9_MAX_FIDS) / 2) : 128;
    fs->be = (struct virtio_9p_backend){
        .ctx = fs, .readonly = readonly,
        .root = fl_root, .walk = fl_walk, .clone = fl_clone, .release = fl_release,
        .getattr = fl_getattr, .setattr = fl_setattr, .open = fl_open, .create = fl_create,
        .pread = fl_pread, .pwrite = fl_pwrite, .readdir = fl_readdir, .mkdir = fl_mkdir,
        .symlink = fl_symlink, .mknod = fl_mknod, .link = fl_link, .readlink = fl_readlink,
        .rename = fl_rename, .renameat = fl_renameat, .unlinkat = fl_unlinkat, .remove = fl_remove,
        .fsync = fl_fsync, .statfs = fl_statfs, .getxattr = fl_getxattr, .listxattr = fl_listxattr,
        .setxattr = fl_setxattr, .removexattr = fl_removexattr,
    };
    return fs;
}

const struct virtio_9p_backend *fs_local_backend(struct fs_local *fs)
{
    return &fs->be;
}

void fs_local_close(struct fs_local *fs)
{
    if (!fs)
        return;
    close(fs->root);
    free(fs);
}
