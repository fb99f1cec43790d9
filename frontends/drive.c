/* frontends/drive.c: -drive: the format chain of a disk image, offered to virtio-blk. */
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

#include "frontends/hostfile.h"
#include "frontends/qcow2.h"
#include "machine/devices.h"


int drive_parse(const char *arg, struct drive_opts *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->if_virtio = true;
    o->discard = true;
    o->locking = true;
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
            if (strcmp(v, "raw") && strcmp(v, "qcow2"))
                rc = errf(err, errlen, "format=%s: supported: raw, qcow2", v);
            free(o->format);
            o->format = strdup(v);
        } else if (!strcmp(k, "snapshot") || !strcmp(k, "file.locking") || !strcmp(k, "locking") ||
                   !strcmp(k, "force-raw")) {
            int b = !strcmp(v, "auto") && strstr(k, "locking") ? 1 : optlist_bool(v);
            if (b < 0)
                rc = errf(err, errlen, "%s=%s: must be on or off", k, v);
            else if (!strcmp(k, "snapshot"))
                o->snapshot = b == 1;
            else if (!strcmp(k, "force-raw"))
                o->force_raw = b == 1;
            else
                o->locking = b == 1;
        } else if (!strcmp(k, "index")) {
            continue; /* -hda's index=0: one disk per -drive anyway */
        } else if (!strcmp(k, "if")) {
            o->if_given = true;
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
            rc = errf(err, errlen, "unknown option '%s' (supported: file, format, if, id, readonly, snapshot, "
                      "cache, discard, file.locking, force-raw)", k);
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
    free(o->format);
    free(o->note);
    o->file = o->id = o->format = o->note = NULL;
}

/* ---- the chain ---- */

#define MAX_CHAIN 32

struct drive {
    struct blkdev *node[MAX_CHAIN + 1];  /* node[0] is the top */
    unsigned n;
    struct virtio_blk_backend be;
};

struct chain_ctx {
    const struct drive_opts *o;
    struct drive *d;
    dev_t dev[MAX_CHAIN + 1];
    ino_t ino[MAX_CHAIN + 1];
};

/* Opens path as node d->n (read-only unless it is the writable top) and,
 * for qcow2, its backing chain below it. */
static int open_node(struct chain_ctx *c, const char *path, const char *format, bool readonly, bool top,
                     char *err, size_t errlen)
{
    struct drive *d = c->d;
    const struct drive_opts *o = c->o;
    if (d->n == MAX_CHAIN)
        return errf(err, errlen, "the backing chain is longer than %u images", MAX_CHAIN);
    char e2[200];
    struct hostfile *f = hostfile_open(path, readonly, (enum hostfile_cache)o->cache, o->discard, e2, sizeof e2);
    if (!f)
        return top ? errf(err, errlen, "%s", e2) : errf(err, errlen, "backing file %s: %s", path, e2);
    const char *who = top ? "" : "backing file ";
    for (unsigned i = 0; i < d->n; i++)
        if (c->dev[i] == f->dev && c->ino[i] == f->ino) {
            hostfile_close(f);
            return errf(err, errlen, "the backing chain has a cycle: %s is already in it", path);
        }
    c->dev[d->n] = f->dev;
    c->ino[d->n] = f->ino;
    if (f->size == 0) {
        hostfile_close(f);
        return errf(err, errlen, "%s%s is empty (0 bytes)", who, path);
    }
    uint8_t head[512] = { 0 };
    int r = hostfile_pread(f, head, f->size < sizeof head ? (size_t)f->size : sizeof head, 0);
    if (r < 0) {
        hostfile_close(f);
        return errf(err, errlen, "%scannot read %s: %s", who, path, strerror(-r));
    }
    bool magic = qcow2_probe(head, sizeof head), probed = !format;
    if (!format)
        format = magic ? "qcow2" : "raw";
    if (!strcmp(format, "raw") && magic && !(top && o->force_raw)) {
        hostfile_close(f);
        return errf(err, errlen, "%s%s starts with the qcow2 magic but format=raw was given: the guest would see "
                    "(and could overwrite) the qcow2 metadata; use format=qcow2, or force-raw=on if you mean it",
                    who, path);
    }
    bool qcow2 = !strcmp(format, "qcow2");
    if (o->locking) {
        unsigned perm = HOSTFILE_PERM_READ, unshared = HOSTFILE_PERM_WRITE;
        if (!readonly)
            perm |= HOSTFILE_PERM_WRITE | (qcow2 ? HOSTFILE_PERM_RESIZE : 0);
        if (qcow2 || readonly)
            unshared |= HOSTFILE_PERM_RESIZE;
        if (hostfile_lock(f, perm, unshared, e2, sizeof e2) < 0) {
            hostfile_close(f);
            return errf(err, errlen, "%s%s", top ? "" : "backing file: ", e2);
        }
    }
    struct blkdev *node;
    if (!qcow2) {
        if (f->size % 512) {
            unsigned long long sz = f->size;
            hostfile_close(f);
            return errf(err, errlen, "%s%s is %llu bytes, not a multiple of 512 (rivet refuses it; QEMU would "
                        "round up)", who, path, sz);
        }
        if (probed && top && !o->readonly && !o->snapshot)
            fprintf(stderr, "rivet: warning: -drive file=%s: no format= given, probed raw; writes that would make "
                    "block 0 look like another format are refused (format=raw lifts this)\n", path);
        node = raw_open(f, probed);
        if (!node) {
            hostfile_close(f);
            return errf(err, errlen, "out of memory");
        }
        d->node[d->n++] = node;
        return 0;
    }
    node = qcow2_open(f, e2, sizeof e2);
    if (!node)
        return errf(err, errlen, "%s%s", top ? "" : "backing file: ", e2);
    d->node[d->n++] = node;
    const char *bname = qcow2_backing_name(node);
    if (!bname)
        return 0;
    char *bpath;
    if (bname[0] == '/') {
        bpath = strdup(bname);
    } else {
        const char *slash = strrchr(path, '/');
        size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
        bpath = malloc(dl + strlen(bname) + 1);
        if (bpath) {
            memcpy(bpath, path, dl);
            strcpy(bpath + dl, bname);
        }
    }
    if (!bpath)
        return errf(err, errlen, "out of memory");
    const char *bfmt = qcow2_backing_format(node);
    if (bfmt && strcmp(bfmt, "raw") && strcmp(bfmt, "qcow2")) {
        errf(err, errlen, "backing file %s: format %s is not supported (raw, qcow2 are)", bpath, bfmt);
        free(bpath);
        return -1;
    }
    unsigned below = d->n;
    r = open_node(c, bpath, bfmt, true, false, err, errlen);
    free(bpath);
    if (r < 0)
        return r;
    qcow2_set_backing(node, d->node[below]);
    return 0;
}

/* snapshot=on: a temporary qcow2 overlay over the (read-only) chain. */
static int add_overlay(struct drive *d, const struct drive_opts *o, char *err, size_t errlen)
{
    const char *tmpdir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/rivet-snapshot-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/var/tmp");
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0)
        return errf(err, errlen, "snapshot=on: cannot create a temporary file in %s: %s",
                    tmpdir && *tmpdir ? tmpdir : "/var/tmp", strerror(errno));
    unlink(path); /* gone at exit, whatever the exit */
    char *real = realpath(o->file, NULL);
    int r = qcow2_create(fd, d->node[0]->size, real ? real : o->file, d->node[0]->format);
    free(real);
    if (r < 0) {
        close(fd);
        return errf(err, errlen, "snapshot=on: cannot write the temporary overlay: %s", strerror(-r));
    }
    char fdpath[64], e2[200];
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
    struct hostfile *f = hostfile_open(fdpath, false, (enum hostfile_cache)o->cache, true, e2, sizeof e2);
    close(fd);
    if (!f)
        return errf(err, errlen, "snapshot=on: %s", e2);
    struct blkdev *ov = qcow2_open(f, e2, sizeof e2);
    if (!ov)
        return errf(err, errlen, "snapshot=on: %s", e2);
    qcow2_set_backing(ov, d->node[0]);
    memmove(d->node + 1, d->node, d->n * sizeof *d->node);
    d->node[0] = ov;
    d->n++;
    return 0;
}

/* ---- the guest's view ---- */

static int be_preadv(void *ctx, const struct iovec *iov, int cnt, uint64_t off)
{
    struct blkdev *b = ((struct drive *)ctx)->node[0];
    return b->ops->preadv(b, iov, cnt, off);
}

static int be_pwritev(void *ctx, const struct iovec *iov, int cnt, uint64_t off)
{
    struct blkdev *b = ((struct drive *)ctx)->node[0];
    return b->ops->pwritev(b, iov, cnt, off);
}

static int be_flush(void *ctx)
{
    struct blkdev *b = ((struct drive *)ctx)->node[0];
    return b->ops->flush(b);
}

static int be_discard(void *ctx, uint64_t off, uint64_t len)
{
    struct blkdev *b = ((struct drive *)ctx)->node[0];
    return b->ops->discard(b, off, len);
}

static int be_write_zeroes(void *ctx, uint64_t off, uint64_t len, bool unmap)
{
    struct blkdev *b = ((struct drive *)ctx)->node[0];
    return b->ops->write_zeroes(b, off, len, unmap);
}

struct drive *drive_open(const struct drive_opts *o, char *err, size_t errlen)
{
    struct drive *d = calloc(1, sizeof *d);
    struct chain_ctx *c = calloc(1, sizeof *c);
    if (!d || !c) {
        free(d);
        free(c);
        errf(err, errlen, "out of memory");
        return NULL;
    }
    c->o = o;
    c->d = d;
    int r = open_node(c, o->file, o->format, o->readonly || o->snapshot, true, err, errlen);
    free(c);
    if (r == 0 && o->snapshot && !o->readonly)
        r = add_overlay(d, o, err, errlen);
    if (r < 0) {
        drive_close(d);
        return NULL;
    }
    d->be = (struct virtio_blk_backend){
        .ctx = d,
        .size = d->node[0]->size,
        .readonly = o->readonly,
        .block_size = 512,
        .preadv = be_preadv,
        .pwritev = be_pwritev,
        .flush = be_flush,
        .discard = be_discard,
        .write_zeroes = be_write_zeroes,
    };
    return d;
}

const struct virtio_blk_backend *drive_backend(const struct drive *d)
{
    return &d->be;
}

void drive_close(struct drive *d)
{
    if (!d)
        return;
    for (unsigned i = 0; i < d->n; i++) /* top first: a qcow2 writes back before its backing goes */
        blkdev_close(d->node[i]);
    free(d);
}
