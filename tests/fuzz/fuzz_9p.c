/* tests/fuzz/fuzz_9p.c: 9P2000.L messages of any shape into the server
 * (virtio/9p_server.c), on a fake backend that answers like a small file
 * system: a directory tree of any depth, files of 100000 bytes, links,
 * 1000-entry directories, xattrs up to and beyond the 64 KiB limit, and
 * errors where names say so.
 *
 * The input: one byte of flags (bit 0: read-only share; bits 1-3: the
 * reply room, from 11 bytes to the whole 2 MiB), then messages, each a
 * u16 length, a flag byte (bit 0: set the size field to the real length)
 * and the bytes.
 *
 * Checked besides ASan/UBSan (buffers are exactly as long as the server is
 * told): every reply fits its room, carries its own length, the request's
 * tag and R-type (T+1) or Rlerror; names reaching the backend are single
 * components (never "/" inside, never "." or "", ".." only in walks); a
 * read-only share is never asked to change; no node leaks once the server
 * is reset. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_9p.h"

#define FILE_SIZE 100000u
#define DIR_ENTRIES 1000u

struct p9_node {
    mode_t type;
    unsigned depth;
};

static long live;
static bool ro_share;

static void bug(const char *what)
{
    fprintf(stderr, "fuzz_9p: %s\n", what);
    abort();
}

static void check_name(const char *n, bool walk)
{
    if (!*n || strchr(n, '/') || !strcmp(n, ".") || (!walk && !strcmp(n, "..")) || strlen(n) > 255)
        bug("a bad name reached the backend");
}

/* An xattr name is any non-empty string of up to 255 bytes ('/' and "."
 * included: it names no path). */
static void check_xattr_name(const char *n)
{
    if (!*n || strlen(n) > 255)
        bug("a bad xattr name reached the backend");
}

static void change(void)
{
    if (ro_share)
        bug("a read-only share was asked to change");
}

static struct p9_node *mk(mode_t type, unsigned depth)
{
    struct p9_node *n = malloc(sizeof *n);
    if (!n)
        abort();
    n->type = type;
    n->depth = depth;
    live++;
    return n;
}

static int f_root(void *c, struct p9_node **out) { *out = mk(S_IFDIR, 0); return 0; }

static int f_walk(void *c, struct p9_node *d, const char *name, struct p9_node **out)
{
    check_name(name, true);
    if (d->type != S_IFDIR)
        return -ENOTDIR;
    if (!strcmp(name, ".."))
        return *out = mk(S_IFDIR, d->depth ? d->depth - 1 : 0), 0;
    switch (name[0]) {
    case 'f': *out = mk(S_IFREG, d->depth + 1); return 0;
    case 'l': *out = mk(S_IFLNK, d->depth + 1); return 0;
    case 'n': *out = mk(S_IFIFO, d->depth + 1); return 0;
    case 'x': return -ENOENT;
    default: *out = mk(S_IFDIR, d->depth + 1); return 0;
    }
}

static int f_clone(void *c, struct p9_node *n, struct p9_node **out) { *out = mk(n->type, n->depth); return 0; }

static void f_release(void *c, struct p9_node *n)
{
    if (!n)
        bug("release(NULL)");
    live--;
    free(n);
}

static int f_getattr(void *c, struct p9_node *n, struct p9_attr *a)
{
    memset(a, 0, sizeof *a);
    a->mode = n->type | 0644;
    a->ino = n->depth * 7 + n->type;
    a->size = n->type == S_IFREG ? FILE_SIZE : 4096;
    a->nlink = 1;
    return 0;
}

static int f_setattr(void *c, struct p9_node *n, const struct p9_setattr *a)
{
    change();
    return (a->valid & P9_SETATTR_SIZE) && n->type != S_IFREG ? -EINVAL : 0;
}

static int f_open(void *c, struct p9_node *n, int flags)
{
    if ((flags & 3) && ro_share)
        bug("a read-only share was asked to open for writing");
    return n->type == S_IFREG || n->type == S_IFDIR ? 0 : -ENXIO;
}

static int f_create(void *c, struct p9_node *d, const char *name, int flags, uint32_t mode, const struct p9_cred *cr,
                    struct p9_node **out, struct p9_attr *a)
{
    check_name(name, false);
    change();
    if (name[0] == 'x')
        return -EEXIST;
    *out = mk(S_IFREG, d->depth + 1);
    return f_getattr(c, *out, a);
}

static int64_t f_pread(void *c, struct p9_node *n, void *buf, size_t len, uint64_t off)
{
    if (n->type != S_IFREG)
        return -EISDIR;
    if (off >= FILE_SIZE)
        return 0;
    size_t k = FILE_SIZE - off < len ? (size_t)(FILE_SIZE - off) : len;
    memset(buf, 0x5a, k);   /* every byte the server offered must be writable */
    return (int64_t)k;
}

static int64_t f_pwrite(void *c, struct p9_node *n, const void *buf, size_t len, uint64_t off)
{
    change();
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i++)   /* every byte offered must be readable */
        sum ^= ((const uint8_t *)buf)[i];
    return sum == 0xdeadbeefu ? -EIO : (int64_t)len;
}

static int f_readdir(void *c, struct p9_node *n, uint64_t off, int (*emit)(void *, const struct p9_dirent *), void *arg)
{
    static const char *const names[] = { ".", "..", "file", "a-much-longer-name-of-a-directory-entry", "l" };
    char name[300];
    for (uint64_t i = off; i < DIR_ENTRIES; i++) {
        if (i % 97 == 96)
            memset(name, 'n', 260), name[260] = 0;   /* too long for 9P: the server skips it */
        else
            snprintf(name, sizeof name, "%s%llu", names[i % 5], (unsigned long long)i);
        struct p9_dirent d = { .ino = i, .off = i + 1, .type = (uint8_t)(i % 3 ? 8 : 4), .name = name };
        if (emit(arg, &d))
            break;
    }
    return 0;
}

static int f_dirop(struct p9_node *d, const char *name, struct p9_attr *a, mode_t type)
{
    check_name(name, false);
    change();
    if (name[0] == 'x')
        return -EEXIST;
    struct p9_node tmp = { type, d->depth + 1 };
    return a ? f_getattr(NULL, &tmp, a) : 0;
}

static int f_mkdir(void *c, struct p9_node *d, const char *name, uint32_t mode, const struct p9_cred *cr, struct p9_attr *a)
{
    return f_dirop(d, name, a, S_IFDIR);
}

static int f_symlink(void *c, struct p9_node *d, const char *name, const char *target, const struct p9_cred *cr,
                     struct p9_attr *a)
{
    if (!*target)
        bug("empty symlink target");
    return f_dirop(d, name, a, S_IFLNK);
}

static int f_mknod(void *c, struct p9_node *d, const char *name, uint32_t mode, uint32_t ma, uint32_t mi,
                   const struct p9_cred *cr, struct p9_attr *a)
{
    return f_dirop(d, name, a, S_IFIFO);
}

static int f_link(void *c, struct p9_node *d, struct p9_node *t, const char *name) { return f_dirop(d, name, NULL, 0); }

static int f_readlink(void *c, struct p9_node *n, char *buf, size_t len)
{
    if (n->type != S_IFLNK)
        return -EINVAL;
    memset(buf, '/', len);   /* the longest target there can be */
    return (int)len;
}

static int f_rename(void *c, struct p9_node *n, struct p9_node *d, const char *name) { return f_dirop(d, name, NULL, 0); }

static int f_renameat(void *c, struct p9_node *od, const char *on, struct p9_node *nd, const char *nn)
{
    check_name(on, false);
    return f_dirop(nd, nn, NULL, 0);
}

static int f_unlinkat(void *c, struct p9_node *d, const char *name, bool isdir) { return f_dirop(d, name, NULL, 0); }
static int f_remove(void *c, struct p9_node *n) { change(); return n->depth ? 0 : -EBUSY; }
static int f_fsync(void *c, struct p9_node *n, bool ds) { return 0; }

static int f_statfs(void *c, struct p9_node *n, struct p9_statfs *s)
{
    memset(s, 0, sizeof *s);
    s->bsize = 4096;
    s->namelen = 255;
    return 0;
}

/* "user.big" is larger than the server accepts; others are their own name. */
static int64_t f_getxattr(void *c, struct p9_node *n, const char *name, void *buf, size_t len)
{
    check_xattr_name(name);
    size_t want = !strcmp(name, "user.big") ? P9_XATTR_MAX + 1 : strlen(name);
    if (name[0] == 'x')
        return -ENODATA;
    if (!len)
        return (int64_t)want;
    if (want > len)
        return -ERANGE;
    memcpy(buf, name, want);
    return (int64_t)want;
}

static int64_t f_listxattr(void *c, struct p9_node *n, char *buf, size_t len)
{
    static const char list[] = "user.a\0user.bb\0";
    if (len && len < sizeof list)
        return -ERANGE;
    if (len)
        memcpy(buf, list, sizeof list);
    return sizeof list;
}

static int f_setxattr(void *c, struct p9_node *n, const char *name, const void *v, size_t len, int flags)
{
    change();
    check_xattr_name(name);
    if (!len || len > P9_XATTR_MAX)
        bug("setxattr of a bad length");
    return 0;
}

static int f_removexattr(void *c, struct p9_node *n, const char *name)
{
    change();
    check_xattr_name(name);
    return 0;
}

static struct virtio_9p_backend be = {
    .root = f_root, .walk = f_walk, .clone = f_clone, .release = f_release, .getattr = f_getattr,
    .setattr = f_setattr, .open = f_open, .create = f_create, .pread = f_pread, .pwrite = f_pwrite,
    .readdir = f_readdir, .mkdir = f_mkdir, .symlink = f_symlink, .mknod = f_mknod, .link = f_link,
    .readlink = f_readlink, .rename = f_rename, .renameat = f_renameat, .unlinkat = f_unlinkat,
    .remove = f_remove, .fsync = f_fsync, .statfs = f_statfs, .getxattr = f_getxattr,
    .listxattr = f_listxattr, .setxattr = f_setxattr, .removexattr = f_removexattr,
};


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fin in = { data, size };
    uint8_t flags = fin_u8(&in);
    ro_share = flags & 1;
    be.readonly = ro_share;
    size_t room = rooms[(flags >> 1) & 7];
    struct p9_server *s = p9_server_new(&be);
    uint8_t *reply = malloc(room);
    if (!s || !reply)
        abort();
    while (in.n) {
        size_t len;
        uint8_t *msg = p9_next_msg(&in, &len);
        size_t r = p9_server_handle(s, msg, len, reply, room);
        if (r > room)
            bug("reply longer than its room");
        if (r) {
            uint32_t rs = reply[0] | (uint32_t)reply[1] << 8 | (uint32_t)reply[2] << 16 | (uint32_t)reply[3] << 24;
            if (rs != r)
                bug("reply size field is not its length");
            if (len < 7)
                bug("a reply to less than a header");
            if (reply[5] != msg[5] || reply[6] != msg[6])
                bug("reply tag differs");
            if (reply[4] != 7 && reply[4] != (uint8_t)(msg[4] + 1))
                bug("reply type is neither Rlerror nor T+1");
        } else if (len >= 7 && room >= 11) {
            bug("no reply although an Rlerror fits");
        }
        free(msg);
    }
    p9_server_free(s);
    free(reply);
    if (live != 0)
        bug("nodes leaked");
    return 0;
}
