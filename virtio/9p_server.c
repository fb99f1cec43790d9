/* virtio/9p_server.c: the 9P2000.L server. Each T-message is parsed whole
 * (every field bounds-checked against the message's size, every name
 * checked) before anything is done, then answered through the backend
 * (virtio/9p.h). Anything malformed, unknown or out of place is an
 * Rlerror, never a failure of the device. Requests are served one at a
 * time and completely, so Tflush has nothing to cancel. */
#include "virtio/9p.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
    Tlerror = 6, Rlerror, Tstatfs = 8, Rstatfs, Tlopen = 12, Rlopen, Tlcreate = 14, Rlcreate,
    Tsymlink = 16, Rsymlink, Tmknod = 18, Rmknod, Trename = 20, Rrename, Treadlink = 22, Rreadlink,
    Tgetattr = 24, Rgetattr, Tsetattr = 26, Rsetattr, Txattrwalk = 30, Rxattrwalk,
    Txattrcreate = 32, Rxattrcreate, Treaddir = 40, Rreaddir, Tfsync = 50, Rfsync, Tlock = 52, Rlock,
    Tgetlock = 54, Rgetlock, Tlink = 70, Rlink, Tmkdir = 72, Rmkdir, Trenameat = 74, Rrenameat,
    Tunlinkat = 76, Runlinkat, Tversion = 100, Rversion, Tauth = 102, Rauth, Tattach = 104, Rattach,
    Tflush = 108, Rflush, Twalk = 110, Rwalk, Tread = 116, Rread, Twrite = 118, Rwrite,
    Tclunk = 120, Rclunk, Tremove = 122, Rremove,
};

#define HDR 7                 /* size[4] type[1] tag[2] */
#define NOFID 0xffffffffu
#define NAME_MAX_9P 255
#define TARGET_MAX 4095
#define DEFAULT_MSIZE 8192u
#define FID_BUCKETS 4096u

/* Tlopen/Tlcreate flags (Linux's generic values, whatever the host's) */
#define DOTL_ACCMODE 3u
#define DOTL_CREATE 0100u
#define DOTL_EXCL 0200u
#define DOTL_TRUNC 01000u
#define DOTL_APPEND 02000u
#define DOTL_DSYNC 010000u
#define DOTL_SYNC 04000000u

#define LOCK_SUCCESS 0
#define LOCK_TYPE_UNLCK 2
#define AT_REMOVEDIR_9P 0x200u
#define GETATTR_BASIC 0x7ffull

enum fid_kind { FID_NODE, FID_OPEN, FID_XREAD, FID_XWRITE };

struct fid {
    uint32_t id;
    struct fid *next;
    struct p9_node *node;
    enum fid_kind kind;
    uint32_t uid;
    /* xattr fids: the value read (FID_XREAD) or being written */
    uint8_t *xbuf;
    uint64_t xlen, xcopied;
    char *xname;
    int xflags;
};

struct p9_server {
    const struct virtio_9p_backend *be;
    uint32_t msize;
    unsigned nfids;
    struct fid *bucket[FID_BUCKETS];
};

/* ---- reading and writing message fields ---- */

struct rd {
    const uint8_t *p;
    size_t len, pos;
    bool bad;
};

static const uint8_t *take(struct rd *r, size_t n)
{
    if (r->bad || n > r->len - r->pos) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p + r->pos;
    r->pos += n;
    return p;
}

static uint8_t r8(struct rd *r) { const uint8_t *p = take(r, 1); return p ? p[0] : 0; }
static uint16_t r16(struct rd *r) { const uint8_t *p = take(r, 2); return p ? (uint16_t)(p[0] | p[1] << 8) : 0; }
static uint32_t r32(struct rd *r)
{
    const uint8_t *p = take(r, 4);
    return p ? p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}
static uint64_t r64(struct rd *r) { uint64_t lo = r32(r); return lo | (uint64_t)r32(r) << 32; }

/* A string field into out[cap] (NUL-terminated); too long or holding a
 * NUL: marks *why (the message is well-formed, the name is not). */
static void rstr(struct rd *r, char *out, size_t cap, int *why)
{
    uint16_t n = r16(r);
    const uint8_t *p = take(r, n);
    out[0] = 0;
    if (!p)
        return;
    if (n >= cap || memchr(p, 0, n)) {
        if (!*why)
            *why = n >= cap ? -ENAMETOOLONG : -EINVAL;
        return;
    }
    memcpy(out, p, n);
    out[n] = 0;
}

/* A name of a directory entry: one component. */
static int check_name(const char *s, bool dotdot_ok)
{
    if (!*s || strchr(s, '/') || !strcmp(s, "."))
        return -EINVAL;
    if (!strcmp(s, ".."))
        return dotdot_ok ? 0 : -EINVAL;
    return 0;
}

struct wr {
    uint8_t *p;
    size_t max, pos;
    bool full;
};

static uint8_t *put(struct wr *w, size_t n)
{
    if (w->full || n > w->max - w->pos) {
        w->full = true;
        return NULL;
    }
    uint8_t *p = w->p + w->pos;
    w->pos += n;
    return p;
}

static void w8(struct wr *w, uint8_t v) { uint8_t *p = put(w, 1); if (p) p[0] = v; }
static void w16(struct wr *w, uint16_t v) { uint8_t *p = put(w, 2); if (p) p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void w32(struct wr *w, uint32_t v) { w16(w, (uint16_t)v); w16(w, (uint16_t)(v >> 16)); }
static void w64(struct wr *w, uint64_t v) { w32(w, (uint32_t)v); w32(w, (uint32_t)(v >> 32)); }
static void wbytes(struct wr *w, const void *s, size_t n)
{
    uint8_t *p = put(w, n);
    if (p && n)
        memcpy(p, s, n);
}
static void wstr(struct wr *w, const char *s, size_t n)
{
    w16(w, (uint16_t)n);
    wbytes(w, s, n);
}

static uint8_t qid_type_of_mode(uint32_t mode)
{
    return S_ISDIR(mode) ? 0x80 : S_ISLNK(mode) ? 0x02 : 0;
}

static void wqid(struct wr *w, uint8_t type, uint64_t path)
{
    w8(w, type);
    w32(w, 0); /* version: the Linux client matches inodes on it; one per file */
    w64(w, path);
}

static void wqid_attr(struct wr *w, const struct p9_attr *a)
{
    wqid(w, qid_type_of_mode(a->mode), a->ino);
}

/* ---- fids ---- */

static struct fid **slot(struct p9_server *s, uint32_t id)
{
    struct fid **f = &s->bucket[(id ^ (id >> 12)) % FID_BUCKETS];
    while (*f && (*f)->id != id)
        f = &(*f)->next;
    return f;
}

static struct fid *get_fid(struct p9_server *s, uint32_t id)
{
    return *slot(s, id);
}

static int new_fid(struct p9_server *s, uint32_t id, struct fid **out)
{
    if (id == NOFID)
        return -EINVAL;
    struct fid **f = slot(s, id);
    if (*f)
        return -EEXIST;
    if (s->nfids >= P9_MAX_FIDS)
        return -EMFILE;
    struct fid *n = calloc(1, sizeof *n);
    if (!n)
        return -ENOMEM;
    n->id = id;
    *f = n;
    s->nfids++;
    *out = n;
    return 0;
}

static void drop_xattr(struct fid *f)
{
    free(f->xbuf);
    free(f->xname);
    f->xbuf = NULL;
    f->xname = NULL;
    f->xlen = f->xcopied = 0;
}

static void free_fid(struct p9_server *s, uint32_t id)
{
    struct fid **pf = slot(s, id), *f = *pf;
    if (!f)
        return;
    *pf = f->next;
    if (f->node)
        s->be->release(s->be->ctx, f->node);
    drop_xattr(f);
    free(f);
    s->nfids--;
}

void p9_server_reset(struct p9_server *s)
{
    for (unsigned b = 0; b < FID_BUCKETS; b++)
        while (s->bucket[b])
            free_fid(s, s->bucket[b]->id);
}

/* ---- the messages ---- */

struct req {
    struct p9_server *s;
    const struct virtio_9p_backend *be;
    struct rd r;
    struct wr w;
    int name_err;       /* a name field that is too long or holds a NUL */
};

#define BE(q) (q)->be->ctx

/* Parsing is complete and the names are well-formed. */
static int parsed(struct req *q)
{
    if (q->r.bad)
        return -EINVAL;
    return q->name_err;
}

/* A fid that names a file (not an xattr fid). */
static int node_fid(struct req *q, uint32_t id, struct fid **out)
{
    struct fid *f = get_fid(q->s, id);
    if (!f)
        return -EBADF;
    if (f->kind == FID_XREAD || f->kind == FID_XWRITE)
        return -EINVAL;
    *out = f;
    return 0;
}

static int ro(struct req *q)
{
    return q->be->readonly ? -EROFS : 0;
}

static int do_version(struct req *q)
{
    uint32_t msize = r32(&q->r);
    char ver[32];
    rstr(&q->r, ver, sizeof ver, &q->name_err);
    if (q->r.bad)
        return -EINVAL;
    p9_server_reset(q->s);
    if (msize > P9_MAX_MSIZE)
        msize = P9_MAX_MSIZE;
    if (msize < P9_MIN_MSIZE)
        return -EINVAL;
    q->s->msize = msize;
    w32(&q->w, msize);
    const char *v = !q->name_err && !strcmp(ver, "9P2000.L") ? "9P2000.L" : "unknown";
    wstr(&q->w, v, strlen(v));
    return 0;
}

static int do_attach(struct req *q)
{
    char uname[NAME_MAX_9P + 1], aname[NAME_MAX_9P + 1];
    uint32_t fid = r32(&q->r), afid = r32(&q->r);
    int junk = 0;
    rstr(&q->r, uname, sizeof uname, &junk);
    rstr(&q->r, aname, sizeof aname, &junk); /* always the share's root */
    uint32_t n_uname = r32(&q->r);
    if (q->r.bad)
        return -EINVAL;
    if (afid != NOFID)
        return -EOPNOTSUPP;
    struct fid *f;
    int e = new_fid(q->s, fid, &f);
    if (e)
        return e;
    struct p9_attr a;
    if ((e = q->be->root(BE(q), &f->node)) < 0 || (e = q->be->getattr(BE(q), f->node, &a)) < 0) {
        free_fid(q->s, fid);
        return e;
    }
    f->uid = n_uname == NOFID ? 65534 : n_uname;
    wqid_attr(&q->w, &a);
    return 0;
}

static int do_walk(struct req *q)
{
    uint32_t fid = r32(&q->r), newfid = r32(&q->r);
    uint16_t n = r16(&q->r);
    if (q->r.bad)
        return -EINVAL;
    if (n > P9_MAX_WALK)
        return -E2BIG;
    char names[P9_MAX_WALK][NAME_MAX_9P + 1];
    for (unsigned i = 0; i < n; i++)
        rstr(&q->r, names[i], sizeof names[i], &q->name_err);
    int e = parsed(q);
    if (e)
        return e;
    for (unsigned i = 0; i < n; i++)
        if ((e = check_name(names[i], true)))
            return e;
    struct fid *f;
    if ((e = node_fid(q, fid, &f)))
        return e;
    if (newfid != fid && get_fid(q->s, newfid))
        return -EEXIST;
    if (newfid == NOFID)
        return -EINVAL;
    struct p9_node *cur;
    if ((e = q->be->clone(BE(q), f->node, &cur)) < 0)
        return e;
    struct p9_attr qa[P9_MAX_WALK];
    unsigned done = 0;
    for (; done < n; done++) {
        struct p9_node *next;
        e = q->be->walk(BE(q), cur, names[done], &next);
        if (e >= 0 && (e = q->be->getattr(BE(q), next, &qa[done])) < 0)
            q->be->release(BE(q), next);
        if (e < 0)
            break;
        q->be->release(BE(q), cur);
        cur = next;
    }
    if (done < n) {
        q->be->release(BE(q), cur);
        if (done == 0)
            return e;
    } else {
        struct fid *nf = f;
        if (newfid != fid) {
            uint32_t uid = f->uid;
            if ((e = new_fid(q->s, newfid, &nf))) {
                q->be->release(BE(q), cur);
                return e;
            }
            nf->uid = uid;
        } else {
            q->be->release(BE(q), f->node);
            nf->kind = FID_NODE;
        }
        nf->node = cur;
    }
    w16(&q->w, (uint16_t)done);
    for (unsigned i = 0; i < done; i++)
        wqid_attr(&q->w, &qa[i]);
    return 0;
}

static int host_open_flags(uint32_t fl)
{
    int h = (fl & DOTL_ACCMODE) == 1 ? O_WRONLY : (fl & DOTL_ACCMODE) == 2 ? O_RDWR : O_RDONLY;
    if (fl & DOTL_TRUNC)
        h |= O_TRUNC;
    if (fl & DOTL_APPEND)
        h |= O_APPEND;
    if (fl & DOTL_DSYNC)
        h |= O_DSYNC;
    if (fl & DOTL_SYNC)
        h |= O_SYNC;
    return h;
}

static bool writes(uint32_t fl)
{
    return (fl & DOTL_ACCMODE) != 0 || (fl & (DOTL_TRUNC | DOTL_APPEND | DOTL_CREATE));
}

static int do_lopen(struct req *q)
{
    uint32_t fid = r32(&q->r), flags = r32(&q->r);
    int e = parsed(q);
    struct fid *f;
    if (e || (e = node_fid(q, fid, &f)))
        return e;
    if (f->kind != FID_NODE)
        return -EBADF;
    if ((flags & DOTL_ACCMODE) == 3)
        return -EINVAL;
    if (writes(flags) && (e = ro(q)))
        return e;
    struct p9_attr a;
    if ((e = q->be->open(BE(q), f->node, host_open_flags(flags))) < 0 ||
        (e = q->be->getattr(BE(q), f->node, &a)) < 0)
        return e;
    f->kind = FID_OPEN;
    wqid_attr(&q->w, &a);
    w32(&q->w, 0); /* iounit: msize decides */
    return 0;
}

static int do_lcreate(struct req *q)
{
    char name[NAME_MAX_9P + 1];
    uint32_t fid = r32(&q->r);
    rstr(&q->r, name, sizeof name, &q->name_err);
    uint32_t flags = r32(&q->r), mode = r32(&q->r), gid = r32(&q->r);
    int e = parsed(q);
    struct fid *f;
    if (e || (e = check_name(name, false)) || (e = node_fid(q, fid, &f)))
        return e;
    if (f->kind != FID_NODE)
        return -EBADF;
    if ((flags & DOTL_ACCMODE) == 3)
        return -EINVAL;
    if ((e = ro(q)))
        return e;
    struct p9_cred c = { f->uid, gid };
    struct p9_node *n;
    struct p9_attr a;
    if ((e = q->be->create(BE(q), f->node, name, host_open_flags(flags) | (flags & DOTL_EXCL ? O_EXCL : 0),
                           mode & 07777, &c, &n, &a)) < 0)
        return e;
    q->be->release(BE(q), f->node);
    f->node = n;
    f->kind = FID_OPEN;
    wqid_attr(&q->w, &a);
    w32(&q->w, 0);
    return 0;
}

static int do_symlink(struct req *q)
{
    char name[NAME_MAX_9P + 1], target[TARGET_MAX + 1];
    uint32_t fid = r32(&q->r);
    rstr(&q->r, name, sizeof name, &q->name_err);
    rstr(&q->r, target, sizeof target, &q->name_err);
    uint32_t gid = r32(&q->r);
    int e = parsed(q);
    struct fid *f;
    if (e || (e = check_name(name, false)) || (e = node_fid(q, fid, &f)) || (e = ro(q)))
        return e;
    if (!*target)
        return -ENOENT;
    struct p9_cred c = { f->uid, gid };
    struct p9_attr a;
    if ((e = q->be->symlink(BE(q), f->node, name, target, &c, &a)) < 0)
        return e;
    wqid_attr(&q->w, &a);
    return 0;
}

static int do_mknod(struct req *q)
{
    char name[NAME_MAX_9P + 1];
    uint32_t fid = r32(&q->r);
    rstr(&q->r, name, sizeof name, &q->name_err);
    uint32_t mode = r32(&q->r), major = r32(&q->r), minor = r32(&q->r), gid = r32(&q->r);
    int e = parsed(q);
    struct fid *f;
    if (e || (e = check_name(name, false)) || (e = node_fid(q, fid, &f)) || (e = ro(q)))
        return e;
    struct p9_cred c = { f->uid, gid };
    struct p9_attr a;
    if ((e = q->be->mknod(BE(q), f->node, name, mode, major, minor, &c, &a)) < 0)
        return e;
    wqid_attr(&q->w, &a);
    return 0;
}

static int do_mkdir(struct req *q)
{
    char name[NAME_MAX_9P + 1];
    uint32_t fid = r32(&q->r);
    rstr(&q->r, name, sizeof name, &q->name_err);
    uint32_t mode = r32(&q->r), gid = r32(&q->r);
    int e = parsed(q);
    struct fid *f;
    if (e || (e = check_name(name, false)) || (e = node_fid(q, fid, &f)) || (e = ro(q)))
        return e;
    struct p9_cred c = { f->uid, gid };
    struct p9_attr a;
    if ((e = q->be->mkdir(BE(q), f->node, name, mode & 07777, &c, &a)) < 0)
        return e;
    wqid_attr(&q->w, &a);
    return 0;
}

static int do_rename(struct req *q)
{
    char name[NAME_MAX_9P + 1];
    uint32_t fid = r32(&q->r), dfid = r32(&q->r);
    rstr(&q->r, name, sizeof name, &q->name_err);
    int e = parsed(q);
    struct fid *f, *d;
    if (e || (e = check_name(name, false)) || (e = node_fid(q, fid, &f)) || (e = node_fid(q, dfid, &d)) ||
        (e = ro(q)))
        return e;
    return q->be->rename(BE(q), f->node, d->node, name);
}

static int do_renameat(struct req *q)
{
    char oname[NAME_MAX_9P + 1], nname[NAME_MAX_9P + 1];
    uint32_t ofid = r32(&q->r);
    rstr(&q->r, oname, sizeof oname, &q->name_err);
    uint32_t nfid = r32(&q->r);
    rstr(&q->r, nname, sizeof nname, &q->name_err);
    int e = parsed(q);
    struct fid *o, *n;
    if (e || (e = check_name(oname, false)) || (e = check_name(nname, false)) || (e = node_fid(q, ofid, &o)) ||
        (e = node_fid(q, nfid, &n)) || (e = ro(q)))
        return e;
    return q->be->renameat(BE(q), o->node, oname, n->node, nname);
}

static int do_unlinkat(struct req *q)
{
    char name[NAME_MAX_9P + 1];
    uint32_t fid = r32(&q->r);
    rstr(&q->r, name, sizeof name, &q->name_err);
    uint32_t flags = r32(&q->r);
    int e = parsed(q);
    struct fid *f;
    if (e || (e = check_name(name, false)) || (e = node_fid(q, fid, &f)) || (e = ro(q)))
        return e;
    if (flags & ~AT_REMOVEDIR_9P)
        return -EINVAL;
    return q->be->unlinkat(BE(q), f->node, name, flags & AT_REMOVEDIR_9P);
}

static int do_link(struct req *q)
{
    char name[NAME_MAX_9P + 1];
    uint32_t dfid = r32(&q->r), fid = r32(&q->r);
    rstr(&q->r, name, sizeof name, &q->name_err);
    int e = parsed(q);
    struct fid *d, *f;
    if (e || (e = check_name(name, false)) || (e = node_fid(q, dfid, &d)) || (e = node_fid(q, fid, &f)) ||
        (e = ro(q)))
        return e;
    return q->be->link(BE(q), d->node, f->node, name);
}

static int do_readlink(struct req *q)
{
    uint32_t fid = r32(&q->r);
    int e = parsed(q);
    struct fid *f;
    if (e || (e = node_fid(q, fid, &f)))
        return e;
    char buf[TARGET_MAX + 1];
    int n = q->be->readlink(BE(q), f->node, buf, TARGET_MAX);
    if (n < 0)
        return n;
    wstr(&q->w, buf, (size_t)n);
    return 0;
}

static int do_getattr(struct req *q)
{
    uint32_t fid = r32(&q->r);
    (void)r64(&q->r); /* request_mask: everything basic is always there */
    int e = parsed(q);
    struct fid *f;
    if (e || (e = node_fid(q, fid, &f)))
        return e;
    struct p9_attr a;
    if ((e = q->be->getattr(BE(q), f->node, &a)) < 0)
        return e;
    struct wr *w = &q->w;
    w64(w, GETATTR_BASIC);
    wqid_attr(w, &a);
    w32(w, a.mode);
    w32(w, a.uid);
    w32(w, a.gid);
    w64(w, a.nlink);
    w64(w, a.rdev);
    w64(w, a.size);
    w64(w, a.blksize);
    w64(w, a.blocks);
    w64(w, (uint64_t)a.atime_sec);
    w64(w, (uint64_t)a.atime_nsec);
    w64(w, (uint64_t)a.mtime_sec);
    w64(w, (uint64_t)a.mtime_nsec);
    w64(w, (uint64_t)a.ctime_sec);
    w64(w, (uint64_t)a.ctime_nsec);
    for (int i = 0; i < 4; i++) /* btime, gen, data_version: not given */
        w64(w, 0);
    return 0;
}

static int do_setattr(struct req *q)
{
    struct p9_setattr a;
    uint32_t fid = r32(&q->r);
    a.valid = r32(&q->r);
    a.mode = r32(&q->r);
    a.uid = r32(&q->r);
    a.gid = r32(&q->r);
    a.size = r64(&q->r);
    a.atime_sec = (int64_t)r64(&q->r);
    a.atime_nsec = (int64_t)r64(&q->r);
    a.mtime_sec = (int64_t)r64(&q->r);
    a.mtime_nsec = (int64_t)r64(&q->r);
    int e = parsed(q);
    struct fid *f;
    if (e || (e = node_fid(q, fid, &f)))
        return e;
    if (a.valid & ~0x1ffu)
        return -EINVAL;
    if (a.valid && (e = ro(q)))
        return e;
    if (((a.valid & P9_SETATTR_ATIME_SET) && (uint64_t)a.atime_nsec >= 1000000000u) ||
        ((a.valid & P9_SETATTR_MTIME_SET) && (uint64_t)a.mtime_nsec >= 1000000000u))
        return -EINVAL;
    if ((a.valid & P9_SETATTR_SIZE) && a.size > (uint64_t)INT64_MAX)
        return -EFBIG;
    a.mode &= 07777;
    return a.valid ? q->be->setattr(BE(q), f->node, &a) : 0;
}

static int do_xattrwalk(struct req *q)
{
    char name[NAME_MAX_9P + 1];
    uint32_t fid = r32(&q->r), newfid = r32(&q->r);
    rstr(&q->r, name, sizeof name, &q->name_err);
    int e = parsed(q);
    struct fid *f, *nf;
    if (e || (e = node_fid(q, fid, &f)))
        return e;
    if (newfid == fid || get_fid(q->s, newfid))
        return -EEXIST;
    uint8_t *buf = malloc(P9_XATTR_MAX);
    if (!buf)
        return -ENOMEM;
    int64_t n = *name ? q->be->getxattr(BE(q), f->node, name, buf, P9_XATTR_MAX)
                      : q->be->listxattr(BE(q), f->node, (char *)buf, P9_XATTR_MAX);
    if (n < 0 || n > (int64_t)P9_XATTR_MAX) {
        free(buf);
        return n < 0 ? (int)n : -E2BIG;
    }
    struct p9_node *node;
    if ((e = q->be->clone(BE(q), f->node, &node)) < 0) {
        free(buf);
        return e;
    }
    uint32_t uid = f->uid;
    if ((e = new_fid(q->s, newfid, &nf))) {
        q->be->release(BE(q), node);
        free(buf);
        return e;
    }
    nf->uid = uid;
    nf->node = node;
    nf->kind = FID_XREAD;
    nf->xbuf = buf;
    nf->xlen = (uint64_t)n;
    w64(&q->w, (uint64_t)n);
    return 0;
}

static int do_xattrcreate(struct req *q)
{
    char name[NAME_MAX_9P + 1];
    uint32_t fid = r32(&q->r);
    rstr(&q->r, name, sizeof name, &q->name_err);
    uint64_t size = r64(&q->r);
    uint32_t flags = r32(&q->r);
    int e = parsed(q);
    struct fid *f;
    if (e || (e = node_fid(q, fid, &f)))
        return e;
    if (f->kind != FID_NODE || !*name || (flags & ~3u))
        return -EINVAL;
    if ((e = ro(q)))
        return e;
    if (size > P9_XATTR_MAX)
        return -E2BIG;
    f->xbuf = malloc(size ? (size_t)size : 1);
    f->xname = strdup(name);
    if (!f->xbuf || !f->xname) {
        drop_xattr(f);
        return -ENOMEM;
    }
    f->xlen = size;
    f->xflags = (int)flags;
    f->kind = FID_XWRITE;
    return 0;
}

/* Readdir entries into the reply: qid[13] offset[8] type[1] name[s]. */
struct dir_fill {
    struct wr *w;
    size_t limit;     /* w->pos may not pass this */
    unsigned n;
};

static int emit_entry(void *arg, const struct p9_dirent *d)
{
    struct dir_fill *df = arg;
    size_t len = strlen(d->name);
    if (len > NAME_MAX_9P)
        return 0; /* cannot be named in 9P: skipped */
    if (df->w->pos + 24 + len > df->limit)
        return 1;
    uint8_t t = d->type == 4 /* DT_DIR */ ? 0x80 : d->type == 10 /* DT_LNK */ ? 0x02 : 0;
    wqid(df->w, t, d->ino);
    w64(df->w, d->off);
    w8(df->w, d->type);
    wstr(df->w, d->name, len);
    df->n++;
    return 0;
}

static int do_readdir(struct req *q)
{
    uint32_t fid = r32(&q->r);
    uint64_t off = r64(&q->r);
    uint32_t count = r32(&q->r);
    int e = parsed(q);
    struct fid *f;
    if (e || (e = node_fid(q, fid, &f)))
        return e;
    if (f->kind != FID_OPEN)
        return -EBADF;
    size_t room = q->w.max - q->w.pos - 4;
    if (count > room)
        count = (uint32_t)room;
    size_t at = q->w.pos;
    w32(&q->w, 0);
    struct dir_fill df = { &q->w, q->w.pos + count, 0 };
    if ((e = q->be->readdir(BE(q), f->node, off, emit_entry, &df)) < 0)
        return e;
    uint32_t n = (uint32_t)(q->w.pos - at - 4);
    q->w.p[at] = (uint8_t)n, q->w.p[at + 1] = (uint8_t)(n >> 8);
    q->w.p[at + 2] = (uint8_t)(n >> 16), q->w.p[at + 3] = (uint8_t)(n >> 24);
    return 0;
}

static int do_read(struct req *q)
{
    uint32_t fid = r32(&q->r);
    uint64_t off = r64(&q->r);
    uint32_t count = r32(&q->r);
    int e = parsed(q);
    struct fid *f = get_fid(q->s, fid);
    if (e)
        return e;
    if (!f)
        return -EBADF;
    size_t room = q->w.max - q->w.pos - 4;
    if (count > room)
        count = (uint32_t)room;
    size_t at = q->w.pos;
    w32(&q->w, 0);
    int64_t n;
    if (f->kind == FID_XREAD) {
        n = off >= f->xlen ? 0 : (int64_t)(f->xlen - off < count ? f->xlen - off : count);
        if (n)
            memcpy(q->w.p + q->w.pos, f->xbuf + off, (size_t)n);
    } else if (f->kind == FID_OPEN) {
        if (off > (uint64_t)INT64_MAX)
            return -EINVAL;
        n = q->be->pread(BE(q), f->node, q->w.p + q->w.pos, count, off);
        if (n < 0)
            return (int)n;
    } else {
        return -EBADF;
    }
    q->w.pos += (size_t)n;
    q->w.p[at] = (uint8_t)n, q->w.p[at + 1] = (uint8_t)(n >> 8);
    q->w.p[at + 2] = (uint8_t)(n >> 16), q->w.p[at + 3] = (uint8_t)(n >> 24);
    return 0;
}

static int do_write(struct req *q)
{
    uint32_t fid = r32(&q->r);
    uint64_t off = r64(&q->r);
    uint32_t count = r32(&q->r);
    const uint8_t *data = take(&q->r, count);
    int e = parsed(q);
    struct fid *f = get_fid(q->s, fid);
    if (e)
        return e;
    if (!f)
        return -EBADF;
    int64_t n;
    if (f->kind == FID_XWRITE) {
        if (off > f->xlen || count > f->xlen - off)
            return -ENOSPC;
        memcpy(f->xbuf + off, data, count);
        f->xcopied += count;
        n = count;
    } else if (f->kind == FID_OPEN) {
        if ((e = ro(q)))
            return e;
        if (off > (uint64_t)INT64_MAX - count)
            return -EFBIG;
        n = q->be->pwrite(BE(q), f->node, data, count, off);
        if (n < 0)
            return (int)n;
    } else {
        return -EBADF;
    }
    w32(&q->w, (uint32_t)n);
    return 0;
}

static int do_clunk(struct req *q)
{
    uint32_t fid = r32(&q->r);
    int e = parsed(q);
    if (e)
        return e;
    struct fid *f = get_fid(q->s, fid);
    if (!f)
        return -EBADF;
    if (f->kind == FID_XWRITE) {
        if (f->xcopied != f->xlen)
            e = -EINVAL;
        else if (f->xlen == 0)
            e = q->be->removexattr(BE(q), f->node, f->xname);
        else
            e = q->be->setxattr(BE(q), f->node, f->xname, f->xbuf, (size_t)f->xlen, f->xflags);
    }
    free_fid(q->s, fid);
    return e < 0 ? e : 0;
}

static int do_remove(struct req *q)
{
    uint32_t fid = r32(&q->r);
    int e = parsed(q);
    struct fid *f;
    if (e || (e = node_fid(q, fid, &f)))
        return e;
    e = ro(q);
    if (!e)
        e = q->be->remove(BE(q), f->node);
    free_fid(q->s, fid); /* clunked whatever the outcome */
    return e < 0 ? e : 0;
}

static int do_fsync(struct req *q)
{
    uint32_t fid = r32(&q->r);
    uint32_t datasync = q->r.len - q->r.pos >= 4 ? r32(&q->r) : 0; /* older clients omit it */
    int e = parsed(q);
    struct fid *f;
    if (e || (e = node_fid(q, fid, &f)))
        return e;
    return q->be->fsync(BE(q), f->node, datasync != 0);
}

static int do_statfs(struct req *q)
{
    uint32_t fid = r32(&q->r);
    int e = parsed(q);
    struct fid *f;
    if (e || (e = node_fid(q, fid, &f)))
        return e;
    struct p9_statfs st;
    if ((e = q->be->statfs(BE(q), f->node, &st)) < 0)
        return e;
    struct wr *w = &q->w;
    w32(w, st.type);
    w32(w, st.bsize);
    w64(w, st.blocks);
    w64(w, st.bfree);
    w64(w, st.bavail);
    w64(w, st.files);
    w64(w, st.ffree);
    w64(w, st.fsid);
    w32(w, st.namelen);
    return 0;
}

/* Locks are the client's business (the Linux client keeps POSIX locks
 * itself and asks the server only to share them with other clients, and
 * this share has one): Tlock always succeeds, Tgetlock finds no conflict. */
static int do_lock(struct req *q, bool get)
{
    char client[NAME_MAX_9P + 1];
    uint32_t fid = r32(&q->r);
    uint8_t type = r8(&q->r);
    if (!get)
        (void)r32(&q->r); /* flags */
    uint64_t start = r64(&q->r), length = r64(&q->r);
    uint32_t proc = r32(&q->r);
    rstr(&q->r, client, sizeof client, &q->name_err);
    int e = parsed(q);
    struct fid *f;
    if (e || (e = node_fid(q, fid, &f)))
        return e;
    if (type > LOCK_TYPE_UNLCK)
        return -EINVAL;
    if (!get) {
        w8(&q->w, LOCK_SUCCESS);
        return 0;
    }
    w8(&q->w, LOCK_TYPE_UNLCK);
    w64(&q->w, start);
    w64(&q->w, length);
    w32(&q->w, proc);
    wstr(&q->w, client, strlen(client));
    return 0;
}

static int dispatch(struct req *q, uint8_t type)
{
    switch (type) {
    case Tversion: return do_version(q);
    case Tattach: return do_attach(q);
    case Twalk: return do_walk(q);
    case Tlopen: return do_lopen(q);
    case Tlcreate: return do_lcreate(q);
    case Tread: return do_read(q);
    case Twrite: return do_write(q);
    case Tclunk: return do_clunk(q);
    case Tremove: return do_remove(q);
    case Tgetattr: return do_getattr(q);
    case Tsetattr: return do_setattr(q);
    case Treaddir: return do_readdir(q);
    case Tstatfs: return do_statfs(q);
    case Tmkdir: return do_mkdir(q);
    case Tsymlink: return do_symlink(q);
    case Treadlink: return do_readlink(q);
    case Tlink: return do_link(q);
    case Trename: return do_rename(q);
    case Trenameat: return do_renameat(q);
    case Tunlinkat: return do_unlinkat(q);
    case Tfsync: return do_fsync(q);
    case Txattrwalk: return do_xattrwalk(q);
    case Txattrcreate: return do_xattrcreate(q);
    case Tmknod: return do_mknod(q);
    case Tlock: return do_lock(q, false);
    case Tgetlock: return do_lock(q, true);
    case Tflush: (void)r16(&q->r); return parsed(q); /* every request is already answered */
    default: return -EOPNOTSUPP; /* Tauth, 9P2000's Topen/Tcreate/Tstat/Twstat, R-messages, junk */
    }
}

static void put_header(uint8_t *p, uint32_t size, uint8_t type, uint16_t tag)
{
    p[0] = (uint8_t)size, p[1] = (uint8_t)(size >> 8), p[2] = (uint8_t)(size >> 16), p[3] = (uint8_t)(size >> 24);
    p[4] = type;
    p[5] = (uint8_t)tag, p[6] = (uint8_t)(tag >> 8);
}

static size_t lerror(uint8_t *reply, uint16_t tag, int err)
{
    put_header(reply, HDR + 4, Rlerror, tag);
    uint32_t e = (uint32_t)(err < 0 ? -err : err);
    reply[7] = (uint8_t)e, reply[8] = (uint8_t)(e >> 8), reply[9] = (uint8_t)(e >> 16), reply[10] = (uint8_t)(e >> 24);
    return HDR + 4;
}

size_t p9_server_handle(struct p9_server *s, const uint8_t *req, size_t len, uint8_t *reply, size_t reply_max)
{
    if (len < HDR || reply_max < HDR + 4)
        return 0;
    uint32_t size = req[0] | (uint32_t)req[1] << 8 | (uint32_t)req[2] << 16 | (uint32_t)req[3] << 24;
    uint8_t type = req[4];
    uint16_t tag = (uint16_t)(req[5] | req[6] << 8);
    if (size < HDR || size > len)
        return lerror(reply, tag, -EINVAL);
    if (type != Tversion && size > s->msize)
        return lerror(reply, tag, -EMSGSIZE);
    if (type != Tversion && reply_max > s->msize)
        reply_max = s->msize;
    struct req q = {
        .s = s, .be = s->be,
        .r = { .p = req + HDR, .len = size - HDR },
        .w = { .p = reply, .max = reply_max, .pos = HDR },
    };
    int e = dispatch(&q, type);
    if (e == 0 && q.w.full)
        e = -EMSGSIZE;
    if (e < 0)
        return lerror(reply, tag, e);
    put_header(reply, (uint32_t)q.w.pos, (uint8_t)(type + 1), tag);
    return q.w.pos;
}

struct p9_server *p9_server_new(const struct virtio_9p_backend *be)
{
    struct p9_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->be = be;
    s->msize = DEFAULT_MSIZE;
    return s;
}

unsigned p9_server_fids(const struct p9_server *s)
{
    return s->nfids;
}

uint32_t p9_server_msize(const struct p9_server *s)
{
    return s->msize;
}

void p9_server_free(struct p9_server *s)
{
    if (!s)
        return;
    p9_server_reset(s);
    free(s);
}
