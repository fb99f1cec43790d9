/* virtio/9p.h: virtio-9p (device ID 9) and its 9P2000.L server, on a file
 * system backend.
 *
 * The server (virtio/9p_server.c) parses every message the guest sends,
 * keeps the fid table and answers; it never touches the host's file
 * system itself. A backend (frontends/fs_local.c for -fsdev local) does the
 * file operations on opaque nodes. Names reaching the backend are checked
 * single components (1..255 bytes, no '/', no NUL, never "." or ".."; only
 * walk may pass ".."), so a backend only has to keep each operation on its
 * node and inside its share.
 *
 * Errors are negative errno values of the host (Linux, whose numbers
 * 9P2000.L uses on the wire).
 */
#ifndef RIVET_VIRTIO_9P_H
#define RIVET_VIRTIO_9P_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"

#define VIRTIO_ID_9P 9
#define P9_MAX_MSIZE (2u << 20)    /* the largest msize the server agrees to */
#define P9_MIN_MSIZE 4096u
#define P9_MAX_FIDS 65536u
#define P9_MAX_WALK 16             /* names in one Twalk (P9_MAXWELEM) */
#define P9_XATTR_MAX 65536u        /* an xattr value or list (XATTR_SIZE_MAX) */

struct p9_node;   /* the backend's: a file it holds for a fid */

struct p9_attr {
    uint32_t mode, uid, gid;
    uint64_t ino;                  /* unique in the share: the qid path */
    uint64_t nlink, rdev, size, blksize, blocks;
    int64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};

/* Tsetattr's valid bits */
#define P9_SETATTR_MODE 0x1u
#define P9_SETATTR_UID 0x2u
#define P9_SETATTR_GID 0x4u
#define P9_SETATTR_SIZE 0x8u
#define P9_SETATTR_ATIME 0x10u
#define P9_SETATTR_MTIME 0x20u
#define P9_SETATTR_CTIME 0x40u
#define P9_SETATTR_ATIME_SET 0x80u
#define P9_SETATTR_MTIME_SET 0x100u

struct p9_setattr {
    uint32_t valid, mode, uid, gid;
    uint64_t size;
    int64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec;
};

struct p9_statfs {
    uint32_t type, bsize, namelen;
    uint64_t blocks, bfree, bavail, files, ffree, fsid;
};

struct p9_dirent {
    uint64_t ino, off;             /* off: where the entry after this one starts */
    uint8_t type;                  /* DT_* */
    const char *name;
};

/* Owner of a new file: the attaching user's uid, the message's gid. */
struct p9_cred {
    uint32_t uid, gid;
};

struct virtio_9p_backend {
    void *ctx;
    bool readonly;                 /* the server refuses every change with EROFS */
    /* Nodes: the share's root; one step from a directory (a checked name,
     * or ".." which never leaves the share: at its root it is the root);
     * a copy; release. */
    int (*root)(void *ctx, struct p9_node **out);
    int (*walk)(void *ctx, struct p9_node *dir, const char *name, struct p9_node **out);
    int (*clone)(void *ctx, struct p9_node *n, struct p9_node **out);
    void (*release)(void *ctx, struct p9_node *n);
    int (*getattr)(void *ctx, struct p9_node *n, struct p9_attr *out);
    int (*setattr)(void *ctx, struct p9_node *n, const struct p9_setattr *);
    /* Opens the node for I/O (flags: O_ACCMODE | O_TRUNC | O_APPEND of the
     * host); only regular files and directories open. */
    int (*open)(void *ctx, struct p9_node *n, int flags);
    /* Creates and opens `name` in dir; *out is the new, open node. */
    int (*create)(void *ctx, struct p9_node *dir, const char *name, int flags, uint32_t mode,
                  const struct p9_cred *, struct p9_node **out, struct p9_attr *attr);
    int64_t (*pread)(void *ctx, struct p9_node *n, void *buf, size_t len, uint64_t off);
    int64_t (*pwrite)(void *ctx, struct p9_node *n, const void *buf, size_t len, uint64_t off);
    /* Entries of an open directory from offset `off` (0: the start, else
     * an earlier entry's off). emit returns non-zero when the entry did
     * not fit: it is handed out again by the next call. 0 or -errno. */
    int (*readdir)(void *ctx, struct p9_node *n, uint64_t off,
                   int (*emit)(void *arg, const struct p9_dirent *), void *arg);
    int (*mkdir)(void *ctx, struct p9_node *dir, const char *name, uint32_t mode,
                 const struct p9_cred *, struct p9_attr *out);
    int (*symlink)(void *ctx, struct p9_node *dir, const char *name, const char *target,
                   const struct p9_cred *, struct p9_attr *out);
    int (*mknod)(void *ctx, struct p9_node *dir, const char *name, uint32_t mode, uint32_t major,
                 uint32_t minor, const struct p9_cred *, struct p9_attr *out);
    int (*link)(void *ctx, struct p9_node *dir, struct p9_node *target, const char *name);
    /* The link's target, at most len bytes (not NUL-terminated): its length. */
    int (*readlink)(void *ctx, struct p9_node *n, char *buf, size_t len);
    int (*rename)(void *ctx, struct p9_node *n, struct p9_node *newdir, const char *name);
    int (*renameat)(void *ctx, struct p9_node *olddir, const char *oldname, struct p9_node *newdir,
                    const char *newname);
    int (*unlinkat)(void *ctx, struct p9_node *dir, const char *name, bool isdir);
    int (*remove)(void *ctx, struct p9_node *n);
    int (*fsync)(void *ctx, struct p9_node *n, bool datasync);
    int (*statfs)(void *ctx, struct p9_node *n, struct p9_statfs *out);
    /* Extended attributes: the value's (list's) length, or -errno; with
     * len 0 only the length. */
    int64_t (*getxattr)(void *ctx, struct p9_node *n, const char *name, void *buf, size_t len);
    int64_t (*listxattr)(void *ctx, struct p9_node *n, char *buf, size_t len);
    int (*setxattr)(void *ctx, struct p9_node *n, const char *name, const void *val, size_t len,
                    int flags);
    int (*removexattr)(void *ctx, struct p9_node *n, const char *name);
};

/* ---- the protocol server (9p_server.c), transport-free ---- */

struct p9_server;
struct p9_server *p9_server_new(const struct virtio_9p_backend *);
/* Answers one T-message req[len] with an R-message of at most reply_max
 * bytes in reply; returns its length (0: not even an error fits). */
size_t p9_server_handle(struct p9_server *, const uint8_t *req, size_t len, uint8_t *reply,
                        size_t reply_max);
/* Clunks every fid (device reset, Tversion). */
void p9_server_reset(struct p9_server *);
unsigned p9_server_fids(const struct p9_server *);
uint32_t p9_server_msize(const struct p9_server *);
void p9_server_free(struct p9_server *);

/* ---- the virtio device (9p.c) ---- */

struct virtio_dev;
/* tag: the mount tag (1..254 bytes). NULL on out of memory. */
struct virtio_dev *virtio_9p_new(struct bus *, const struct virtio_9p_backend *, const char *tag);

#endif
