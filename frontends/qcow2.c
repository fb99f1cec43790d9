/* frontends/qcow2.c: qcow2 images (see qcow2.h for what holds and why). */
#define _GNU_SOURCE
#include "frontends/qcow2.h"
#include "bus/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define QCOW2_MAGIC 0x514649fbu

#define INCOMPAT_DIRTY (1ull << 0)
#define INCOMPAT_CORRUPT (1ull << 1)
#define INCOMPAT_DATA_FILE (1ull << 2)
#define INCOMPAT_COMPRESSION (1ull << 3)
#define INCOMPAT_EXTL2 (1ull << 4)
#define COMPAT_LAZY_REFCOUNTS (1ull << 0)

#define EXT_END 0
#define EXT_BACKING_FORMAT 0xe2792acau
#define EXT_CRYPTO 0x0537be77u
#define EXT_DATA_FILE 0x44415441u

#define L1E_OFFSET 0x00fffffffffffe00ull
#define L1E_RESERVED 0x7f000000000001feull
#define L2E_OFFSET 0x00fffffffffffe00ull
#define L2E_COMPRESSED (1ull << 62)
#define OFLAG_COPIED (1ull << 63)
#define L2E_ZERO 1ull
#define RTE_OFFSET 0xfffffffffffffe00ull

#define MAX_L1_BYTES (32u << 20)
#define MAX_RT_BYTES (64u << 20)
#define CACHE_BYTES (32u << 20)
#define HASH_BUCKETS 1024u
#define IOV_SLICE_MAX 1024

struct centry {
    uint64_t off;
    struct centry *next;
    bool dirty, is_l2;
    uint8_t buf[];
};

struct qcow2 {
    struct blkdev bd;
    struct hostfile *f;
    struct blkdev *backing;
    char *backing_name, *backing_fmt;
    bool rw, broken, data_unsynced;
    unsigned version, cb, refcount_order;
    uint64_t cs, l2_entries;
    uint64_t l1_off, l1_size, *l1;
    bool l1_dirty;
    uint64_t rt_off, rt_clusters, rt_entries, *rt;
    bool rt_dirty;
    uint64_t rpb, refmax;
    /* metadata cache */
    struct centry *hash[HASH_BUCKETS];
    unsigned ncached, budget;
    bool in_flush;
    /* clusters (indexes) whose refcount drops once the tables are durable */
    uint64_t *pending;
    size_t npending, pending_cap;
    uint64_t free_hint;
    /* sorted cluster indexes of every metadata cluster: guest data never goes there */
    uint64_t *meta;
    size_t nmeta, meta_cap;
    uint8_t *cow, *dbuf, *zin;
    uint64_t dbuf_host;      /* host entry decompressed in dbuf, or 0 */
    struct iovec sl[IOV_SLICE_MAX];
};

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

bool qcow2_probe(const uint8_t *buf, size_t len)
{
    return len >= 4 && be32(buf) == QCOW2_MAGIC;
}

/* Corruption found while running: log once, fail from now on. */
static int corrupt(struct qcow2 *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int corrupt(struct qcow2 *q, const char *fmt, ...)
{
    if (!q->broken) {
        char msg[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        fprintf(stderr, "rivet: qcow2 %s: corrupt image: %s; the disk fails every request from now on\n",
                q->f->path, msg);
        q->broken = true;
    }
    return -EIO;
}

/* ---- the set of metadata clusters ---- */

static size_t meta_pos(const struct qcow2 *q, uint64_t c)
{
    size_t lo = 0, hi = q->nmeta;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (q->meta[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool is_meta(const struct qcow2 *q, uint64_t c)
{
    size_t i = meta_pos(q, c);
    return i < q->nmeta && q->meta[i] == c;
}

/* Adds cluster c; -1 when it is there already (a table used twice). */
static int meta_add(struct qcow2 *q, uint64_t c)
{
    size_t i = meta_pos(q, c);
    if (i < q->nmeta && q->meta[i] == c)
        return -1;
    if (q->nmeta == q->meta_cap) {
        size_t cap = q->meta_cap ? q->meta_cap * 2 : 64;
        uint64_t *m = realloc(q->meta, cap * sizeof *m);
        if (!m)
            return -2;
        q->meta = m;
        q->meta_cap = cap;
    }
    memmove(q->meta + i + 1, q->meta + i, (q->nmeta - i) * sizeof *q->meta);
    q->meta[i] = c;
    q->nmeta++;
    return 0;
}

static void meta_del(struct qcow2 *q, uint64_t c)
{
    size_t i = meta_pos(q, c);
    if (i < q->nmeta && q->meta[i] == c) {
        memmove(q->meta + i, q->meta + i + 1, (q->nmeta - i - 1) * sizeof *q->meta);
        q->nmeta--;
    }
}

/* ---- metadata cache: L2 tables and refcount blocks ---- */

static unsigned bucket(const struct qcow2 *q, uint64_t off)
{
    return (unsigned)(off >> q->cb) & (HASH_BUCKETS - 1);
}

static struct centry *cache_find(struct qcow2 *q, uint64_t off)
{
    for (struct centry *e = q->hash[bucket(q, off)]; e; e = e->next)
        if (e->off == off)
            return e;
    return NULL;
}

static int meta_flush(struct qcow2 *q);

static void cache_drop_clean(struct qcow2 *q)
{
    for (unsigned b = 0; b < HASH_BUCKETS; b++) {
        struct centry **pp = &q->hash[b];
        while (*pp) {
            struct centry *e = *pp;
            if (e->dirty) {
                pp = &e->next;
            } else {
                *pp = e->next;
                free(e);
                q->ncached--;
            }
        }
    }
}

/* The table at off; `fresh` makes a zeroed one instead of reading. NULL
 * with -errno in *rc. The pointer is valid until the next cache_get. */
static struct centry *cache_get(struct qcow2 *q, uint64_t off, bool is_l2, bool fresh, int *rc)
{
    struct centry *e = cache_find(q, off);
    if (e) {
        if (fresh) {
            memset(e->buf, 0, q->cs);
            e->dirty = true;
            e->is_l2 = is_l2;
        }
        if (e->is_l2 != is_l2) {
            *rc = corrupt(q, "cluster 0x%llx is both an L2 table and a refcount block", (unsigned long long)off);
            return NULL;
        }
        return e;
    }
    if (q->ncached >= q->budget && !q->in_flush) {
        int r = meta_flush(q);
        if (r < 0) {
            *rc = r;
            return NULL;
        }
        cache_drop_clean(q);
    }
    e = malloc(sizeof *e + q->cs);
    if (!e) {
        *rc = -ENOMEM;
        return NULL;
    }
    if (fresh) {
        memset(e->buf, 0, q->cs);
    } else {
        int r = hostfile_pread(q->f, e->buf, q->cs, off);
        if (r < 0) {
            free(e);
            *rc = r == -EIO ? corrupt(q, "table at 0x%llx is beyond the end of the file", (unsigned long long)off) : r;
            return NULL;
        }
    }
    e->off = off;
    e->dirty = fresh;
    e->is_l2 = is_l2;
    unsigned b = bucket(q, off);
    e->next = q->hash[b];
    q->hash[b] = e;
    q->ncached++;
    return e;
}

/* ---- refcounts ---- */

static uint64_t rb_read(const struct qcow2 *q, const uint8_t *b, uint64_t i)
{
    switch (q->refcount_order) {
    case 0: case 1: case 2: {
        unsigned bits = 1u << q->refcount_order, per = 8 / bits;
        return (b[i / per] >> ((i % per) * bits)) & ((1u << bits) - 1);
    }
    case 3: return b[i];
    case 4: return (uint64_t)b[2 * i] << 8 | b[2 * i + 1];
    case 5: return be32(b + 4 * i);
    default: return be64(b + 8 * i);
    }
}

static void rb_write(const struct qcow2 *q, uint8_t *b, uint64_t i, uint64_t v)
{
    switch (q->refcount_order) {
    case 0: case 1: case 2: {
        unsigned bits = 1u << q->refcount_order, per = 8 / bits, sh = (unsigned)(i % per) * bits;
        unsigned mask = ((1u << bits) - 1) << sh;
        b[i / per] = (uint8_t)((b[i / per] & ~mask) | ((unsigned)v << sh & mask));
        break;
    }
    case 3: b[i] = (uint8_t)v; break;
    case 4: b[2 * i] = (uint8_t)(v >> 8); b[2 * i + 1] = (uint8_t)v; break;
    case 5: put32(b + 4 * i, (uint32_t)v); break;
    default: put64(b + 8 * i, v); break;
    }
}

/* Refcount of cluster c into *v; 0 or -errno. */
static int rc_get(struct qcow2 *q, uint64_t c, uint64_t *v)
{
    uint64_t ti = c / q->rpb;
    *v = 0;
    if (ti >= q->rt_entries || !q->rt[ti])
        return 0;
    int r;
    struct centry *e = cache_get(q, q->rt[ti], false, false, &r);
    if (!e)
        return r;
    *v = rb_read(q, e->buf, c % q->rpb);
    return 0;
}

/* Sets the refcount of c, whose refcount block exists. */
static int rc_set(struct qcow2 *q, uint64_t c, uint64_t v)
{
    uint64_t ti = c / q->rpb;
    if (ti >= q->rt_entries || !q->rt[ti])
        return corrupt(q, "cluster %llu has no refcount block", (unsigned long long)c);
    int r;
    struct centry *e = cache_get(q, q->rt[ti], false, false, &r);
    if (!e)
        return r;
    rb_write(q, e->buf, c % q->rpb, v);
    e->dirty = true;
    return 0;
}

/* The refcount table is full: a bigger one, with a new refcount block
 * (at the first cluster of the range it covers, which nothing uses yet)
 * counting itself and the new table; then the header points to it. */
static int rt_grow(struct qcow2 *q, uint64_t ti)
{
    uint64_t entries = q->rt_entries * 2;
    if (entries < ti + 1)
        entries = ti + 1;
    uint64_t tcl = (entries * 8 + q->cs - 1) / q->cs;
    entries = tcl * q->cs / 8;
    if (tcl * q->cs > MAX_RT_BYTES || tcl + 1 > q->rpb)
        return corrupt(q, "the refcount table would grow beyond %u MiB", MAX_RT_BYTES >> 20);
    uint64_t rb_cl = ti * q->rpb; /* first cluster the new block covers */
    uint64_t *nt = calloc(entries, 8);
    uint8_t *buf = calloc(1, tcl * q->cs > q->cs ? tcl * q->cs : q->cs);
    if (!nt || !buf) {
        free(nt);
        free(buf);
        return -ENOMEM;
    }
    memcpy(nt, q->rt, q->rt_entries * 8);
    nt[ti] = rb_cl << q->cb;
    /* the new refcount block */
    for (uint64_t k = 0; k <= tcl; k++)
        rb_write(q, buf, k, 1);
    int r = hostfile_pwrite(q->f, buf, q->cs, rb_cl << q->cb);
    /* the new table, right after it */
    memset(buf, 0, tcl * q->cs);
    for (uint64_t i = 0; i < entries; i++)
        put64(buf + 8 * i, nt[i]);
    if (r == 0)
        r = hostfile_pwrite(q->f, buf, tcl * q->cs, (rb_cl + 1) << q->cb);
    /* everything the table points to must be durable before the header moves */
    if (r == 0)
        r = meta_flush(q);
    if (r == 0)
        r = hostfile_flush(q->f);
    uint8_t h[12];
    put64(h, (rb_cl + 1) << q->cb);
    put32(h + 8, (uint32_t)tcl);
    if (r == 0)
        r = hostfile_pwrite(q->f, h, sizeof h, 48);
    if (r == 0)
        r = hostfile_flush(q->f);
    free(buf);
    if (r < 0) {
        free(nt);
        return r;
    }
    uint64_t old_off = q->rt_off, old_cl = q->rt_clusters;
    free(q->rt);
    q->rt = nt;
    q->rt_entries = entries;
    q->rt_off = (rb_cl + 1) << q->cb;
    q->rt_clusters = tcl;
    for (uint64_t k = 0; k <= tcl; k++)
        meta_add(q, rb_cl + k);
    /* the old table is unused from now on (the header no longer names it) */
    for (uint64_t k = 0; k < old_cl; k++) {
        uint64_t c = (old_off >> q->cb) + k, v;
        meta_del(q, c);
        if ((r = rc_get(q, c, &v)) < 0)
            return r;
        if (v == 0)
            return corrupt(q, "the old refcount table had no refcount");
        if ((r = rc_set(q, c, v - 1)) < 0)
            return r;
        if (v == 1 && c < q->free_hint)
            q->free_hint = c;
    }
    return 0;
}

/* n contiguous free clusters with refcount 1; the first index in *out. */
static int alloc_clusters(struct qcow2 *q, uint64_t n, uint64_t *out)
{
    uint64_t c = q->free_hint;
    int r;
    for (;;) {
        if (c >> (62 - q->cb))
            return -ENOSPC;
        uint64_t ti = c / q->rpb;
        if (ti >= q->rt_entries) {
            if ((r = rt_grow(q, ti)) < 0)
                return r;
            continue;
        }
        if (!q->rt[ti]) {
            /* no block counts this range, so all of it is free: the new
             * block goes to its first free cluster and counts itself */
            struct centry *e = cache_get(q, c << q->cb, false, true, &r);
            if (!e)
                return r;
            rb_write(q, e->buf, c % q->rpb, 1);
            q->rt[ti] = c << q->cb;
            q->rt_dirty = true;
            meta_add(q, c);
            c++;
            continue;
        }
        uint64_t k = 0, v = 0;
        for (; k < n; k++) {
            if ((c + k) / q->rpb != ti)
                break;
            if ((r = rc_get(q, c + k, &v)) < 0)
                return r;
            if (v)
                break;
        }
        if (k < n) {
            if (n == 1 && c == q->free_hint)
                q->free_hint = c + 1;
            c += k + (v ? 1 : 0);
            continue;
        }
        for (k = 0; k < n; k++)
            if ((r = rc_set(q, c + k, 1)) < 0)
                return r;
        if (n == 1 && c == q->free_hint)
            q->free_hint = c + 1;
        *out = c;
        return 0;
    }
}

/* Drops one reference to clusters [c, c + n) once the tables are durable. */
static int free_later(struct qcow2 *q, uint64_t c, uint64_t n)
{
    for (uint64_t k = 0; k < n; k++) {
        if (is_meta(q, c + k) || c + k == 0)
            return corrupt(q, "a data entry points at metadata cluster 0x%llx", (unsigned long long)((c + k) << q->cb));
        if (q->npending == q->pending_cap) {
            size_t cap = q->pending_cap ? q->pending_cap * 2 : 256;
            uint64_t *p = realloc(q->pending, cap * sizeof *p);
            if (!p)
                return -ENOMEM;
            q->pending = p;
            q->pending_cap = cap;
        }
        q->pending[q->npending++] = c + k;
    }
    return 0;
}

static int apply_frees(struct qcow2 *q)
{
    int r = 0;
    for (size_t i = 0; i < q->npending && r == 0; i++) {
        uint64_t c = q->pending[i], v;
        if ((r = rc_get(q, c, &v)) < 0)
            break;
        if (v == 0) {
            r = corrupt(q, "cluster %llu freed twice (refcount already 0)", (unsigned long long)c);
            break;
        }
        r = rc_set(q, c, v - 1);
        if (r == 0 && v == 1) {
            if (c < q->free_hint)
                q->free_hint = c;
            hostfile_punch(q->f, c << q->cb, q->cs);
        }
    }
    q->npending = 0;
    return r;
}

/* Writes back the dirty cached clusters of one kind (refcount blocks or L2
 * tables); *wrote tells whether any was written. */
static int write_cached(struct qcow2 *q, bool is_l2, bool *wrote)
{
    *wrote = false;
    for (unsigned b = 0; b < HASH_BUCKETS; b++)
        for (struct centry *e = q->hash[b]; e; e = e->next)
            if (e->dirty && e->is_l2 == is_l2) {
                int r = hostfile_pwrite(q->f, e->buf, q->cs, e->off);
                e->dirty = false;
                *wrote = true;
                if (r)
                    return r;
            }
    return 0;
}

/* Writes a whole in-memory table (L1 or refcount table) big-endian at off
 * and flushes it; -ENOMEM leaves *dirty set, anything else clears it. */
static int write_table(struct qcow2 *q, const uint64_t *t, uint64_t n,
                       uint64_t off, bool *dirty)
{
    uint8_t *buf = malloc(n * 8);
    if (!buf)
        return -ENOMEM;
    for (uint64_t i = 0; i < n; i++)
        put64(buf + 8 * i, t[i]);
    int r = hostfile_pwrite(q->f, buf, n * 8, off);
    free(buf);
    if (r == 0)
        r = hostfile_flush(q->f);
    *dirty = false;
    return r;
}

/* Writes the cached metadata back in dependency order (see qcow2.h). */
static int meta_flush(struct qcow2 *q)
{
    if (!q->rw || q->in_flush)
        return 0;
    q->in_flush = true;
    int r = 0;
    for (int pass = 0; pass < 2 && r == 0; pass++) {
        bool wrote;
        /* 1. refcount blocks (and the data written before them) */
        r = write_cached(q, false, &wrote);
        if (r == 0 && (wrote || q->data_unsynced)) {
            r = hostfile_flush(q->f);
            q->data_unsynced = false;
        }
        /* 2. refcount table entries for new blocks */
        if (r == 0 && q->rt_dirty)
            r = write_table(q, q->rt, q->rt_entries, q->rt_off, &q->rt_dirty);
        /* 3. L2 tables */
        if (r == 0 && (r = write_cached(q, true, &wrote)) == 0 && wrote)
            r = hostfile_flush(q->f);
        /* 4. L1 entries */
        if (r == 0 && q->l1_dirty)
            r = write_table(q, q->l1, q->l1_size, q->l1_off, &q->l1_dirty);
        /* 5. what the tables no longer reference can be counted down now;
         * a second pass writes those counts */
        if (r == 0 && q->npending)
            r = apply_frees(q);
        else
            break;
    }
    q->in_flush = false;
    return r;
}

/* ---- mapping ---- */

/* The L2 entry of guest cluster gc into *e (0 when no L2 table). */
static int l2_get(struct qcow2 *q, uint64_t gc, uint64_t *out)
{
    uint64_t l1i = gc / q->l2_entries;
    *out = 0;
    if (l1i >= q->l1_size)
        return corrupt(q, "guest cluster %llu beyond the L1 table", (unsigned long long)gc);
    uint64_t l2off = q->l1[l1i] & L1E_OFFSET;
    if (!l2off)
        return 0;
    int r;
    struct centry *e = cache_get(q, l2off, true, false, &r);
    if (!e)
        return r;
    *out = be64(e->buf + 8 * (gc % q->l2_entries));
    return 0;
}

/* Sets the L2 entry of gc, allocating the L2 table when needed. */
static int l2_set(struct qcow2 *q, uint64_t gc, uint64_t v)
{
    uint64_t l1i = gc / q->l2_entries;
    if (l1i >= q->l1_size)
        return corrupt(q, "guest cluster %llu beyond the L1 table", (unsigned long long)gc);
    int r;
    struct centry *e;
    uint64_t l2off = q->l1[l1i] & L1E_OFFSET;
    if (!l2off) {
        uint64_t c;
        if ((r = alloc_clusters(q, 1, &c)) < 0)
            return r;
        l2off = c << q->cb;
        meta_add(q, c);
        if (!(e = cache_get(q, l2off, true, true, &r)))
            return r;
        q->l1[l1i] = l2off | OFLAG_COPIED;
        q->l1_dirty = true;
    } else if (!(e = cache_get(q, l2off, true, false, &r))) {
        return r;
    }
    put64(e->buf + 8 * (gc % q->l2_entries), v);
    e->dirty = true;
    return 0;
}

enum kind { K_UNALLOC, K_ZERO, K_NORMAL, K_COMPRESSED };

/* Classifies an L2 entry; for K_NORMAL the host offset in *host. */
static int classify(struct qcow2 *q, uint64_t e, uint64_t *host, enum kind *k)
{
    if (e & L2E_COMPRESSED) {
        *k = K_COMPRESSED;
        return 0;
    }
    uint64_t off = e & L2E_OFFSET;
    if (q->version >= 3 && (e & L2E_ZERO)) {
        *k = K_ZERO;
        return 0;
    }
    if (!off) {
        *k = K_UNALLOC;
        return 0;
    }
    if (off & (q->cs - 1))
        return corrupt(q, "data cluster offset 0x%llx is not aligned", (unsigned long long)off);
    if (is_meta(q, off >> q->cb))
        return corrupt(q, "data cluster at 0x%llx overlaps metadata", (unsigned long long)off);
    if (off >= q->f->size)
        return corrupt(q, "data cluster at 0x%llx is beyond the end of the file", (unsigned long long)off);
    *host = off;
    *k = K_NORMAL;
    return 0;
}

/* The clusters a compressed entry occupies. */
static void compressed_range(const struct qcow2 *q, uint64_t e, uint64_t *host, uint64_t *len)
{
    unsigned x = 62 - (q->cb - 8);
    uint64_t off = e & ((1ull << x) - 1);
    uint64_t nsect = ((e >> x) & ((1ull << (q->cb - 8)) - 1)) + 1;
    *host = off;
    *len = nsect * 512 - (off & 511);
}

static int decompress(struct qcow2 *q, uint64_t e)
{
    if (q->dbuf_host == e)
        return 0;
    uint64_t host, len;
    compressed_range(q, e, &host, &len);
    if (host >= q->f->size)
        return corrupt(q, "compressed cluster at 0x%llx is beyond the end of the file", (unsigned long long)host);
    if (len > q->f->size - host)
        len = q->f->size - host;
    if (len > 2 * q->cs)
        len = 2 * q->cs;
    int r = hostfile_pread(q->f, q->zin, len, host);
    if (r < 0)
        return r;
    z_stream z = { 0 };
    if (inflateInit2(&z, -12) != Z_OK)
        return -ENOMEM;
    z.next_in = q->zin;
    z.avail_in = (uInt)len;
    z.next_out = q->dbuf;
    z.avail_out = (uInt)q->cs;
    int zr = inflate(&z, Z_FINISH);
    bool ok = (zr == Z_STREAM_END || zr == Z_BUF_ERROR) && z.avail_out == 0;
    inflateEnd(&z);
    if (!ok) {
        q->dbuf_host = 0;
        return corrupt(q, "compressed cluster at 0x%llx does not inflate", (unsigned long long)host);
    }
    q->dbuf_host = e;
    return 0;
}

/* Reads [off, off + len) of the backing node (zeros past its end) into
 * iov+skip. */
static int read_backing(struct qcow2 *q, const struct iovec *iov, int cnt, uint64_t skip, uint64_t off, uint64_t len)
{
    uint64_t have = 0;
    if (q->backing && off < q->backing->size)
        have = q->backing->size - off < len ? q->backing->size - off : len;
    if (have) {
        struct iovec v[64];
        int n = iov_slice(iov, cnt, skip, have, v, 64);
        int r;
        if (n < 0) { /* very fragmented: bounce */
            uint8_t *buf = malloc(have);
            if (!buf)
                return -ENOMEM;
            struct iovec b = { buf, have };
            r = q->backing->ops->preadv(q->backing, &b, 1, off);
            if (r == 0)
                iov_from_buf(iov, cnt, skip, buf, have);
            free(buf);
        } else {
            r = q->backing->ops->preadv(q->backing, v, n, off);
        }
        if (r < 0)
            return r;
    }
    if (have < len)
        iov_zero(iov, cnt, skip + have, len - have);
    return 0;
}

/* A run of guest bytes contiguous on the host, for one preadv/pwritev. */
struct run {
    uint64_t host, skip, len;
    uint64_t first_gc, ngc;  /* new clusters: their L2 entries are set after the write */
    uint64_t *old;           /* per new cluster: the entry it replaces */
    bool fresh;
};

static int run_io(struct qcow2 *q, bool write, const struct iovec *iov, int cnt, struct run *run)
{
    if (!run->len)
        return 0;
    int n = iov_slice(iov, cnt, run->skip, run->len, q->sl, IOV_SLICE_MAX);
    if (n < 0)
        return -EINVAL;
    int r = write ? hostfile_pwritev(q->f, q->sl, n, run->host) : hostfile_preadv(q->f, q->sl, n, run->host);
    if (r == 0 && write)
        q->data_unsynced = true;
    run->len = 0;
    return r;
}

static int q_preadv(struct blkdev *b, const struct iovec *iov, int cnt, uint64_t off)
{
    struct qcow2 *q = (struct qcow2 *)b;
    if (q->broken)
        return -EIO;
    uint64_t len = iov_size(iov, cnt), pos = 0;
    if (off > q->bd.size || len > q->bd.size - off)
        return -EINVAL;
    struct run run = { 0 };
    int r = 0;
    while (pos < len && r == 0) {
        uint64_t g = off + pos, gc = g >> q->cb, in = g & (q->cs - 1);
        uint64_t n = q->cs - in < len - pos ? q->cs - in : len - pos;
        uint64_t e, host = 0;
        enum kind k;
        if ((r = l2_get(q, gc, &e)) < 0 || (r = classify(q, e, &host, &k)) < 0)
            break;
        if (k == K_NORMAL && host + in + n > q->f->size) {
            /* past the end of the file reads as zeros, like a hole */
            if ((r = run_io(q, false, iov, cnt, &run)) < 0)
                break;
            uint64_t have = host + in < q->f->size ? q->f->size - host - in : 0;
            iov_zero(iov, cnt, pos + have, n - have);
            if (have)
                run = (struct run){ .host = host + in, .skip = pos, .len = have };
            r = run_io(q, false, iov, cnt, &run);
        } else if (k == K_NORMAL) {
            if (run.len && run.host + run.len == host + in) {
                run.len += n;
            } else {
                r = run_io(q, false, iov, cnt, &run);
                run = (struct run){ .host = host + in, .skip = pos, .len = n };
            }
        } else {
            r = run_io(q, false, iov, cnt, &run);
            if (r < 0)
                break;
            if (k == K_ZERO)
                iov_zero(iov, cnt, pos, n);
            else if (k == K_UNALLOC)
                r = read_backing(q, iov, cnt, pos, g, n);
            else if ((r = decompress(q, e)) == 0)
                iov_from_buf(iov, cnt, pos, q->dbuf + in, n);
        }
        pos += n;
    }
    if (r == 0)
        r = run_io(q, false, iov, cnt, &run);
    return r;
}

/* The whole current content of guest cluster gc (entry e) into buf. */
static int fill_cluster(struct qcow2 *q, uint64_t gc, uint64_t e, uint8_t *buf)
{
    uint64_t host = 0;
    enum kind k;
    int r = classify(q, e, &host, &k);
    if (r < 0)
        return r;
    struct iovec v = { buf, q->cs };
    uint64_t g = gc << q->cb, n = q->bd.size - g < q->cs ? q->bd.size - g : q->cs;
    if (n < q->cs)
        memset(buf + n, 0, q->cs - n);
    v.iov_len = n;
    switch (k) {
    case K_ZERO: memset(buf, 0, q->cs); return 0;
    case K_UNALLOC: return read_backing(q, &v, 1, 0, g, n);
    case K_NORMAL:
        n = host < q->f->size ? q->f->size - host : 0;
        if (n > q->cs)
            n = q->cs;
        memset(buf + n, 0, q->cs - n);
        return n ? hostfile_pread(q->f, buf, n, host) : 0;
    case K_COMPRESSED:
        if ((r = decompress(q, e)) < 0)
            return r;
        memcpy(buf, q->dbuf, q->cs);
        return 0;
    }
    return 0;
}

/* Drops the clusters entry e held (once the new mapping is durable). */
static int release_entry(struct qcow2 *q, uint64_t e)
{
    if (e & L2E_COMPRESSED) {
        uint64_t host, len;
        compressed_range(q, e, &host, &len);
        host &= ~511ull;
        uint64_t c0 = host >> q->cb, c1 = (host + len - 1) >> q->cb;
        if (q->dbuf_host == e)
            q->dbuf_host = 0;
        return free_later(q, c0, c1 - c0 + 1);
    }
    uint64_t off = e & L2E_OFFSET;
    if (off & (q->cs - 1))
        return corrupt(q, "data cluster offset 0x%llx is not aligned", (unsigned long long)off);
    if (off)
        return free_later(q, off >> q->cb, 1);
    return 0;
}

/* New clusters of a finished run: point their L2 entries at them. */
static int run_commit(struct qcow2 *q, struct run *run)
{
    int r = 0;
    for (uint64_t i = 0; i < run->ngc && r == 0; i++) {
        r = l2_set(q, run->first_gc + i, ((run->host >> q->cb) + i) << q->cb | OFLAG_COPIED);
        if (r == 0)
            r = release_entry(q, run->old[i]);
    }
    run->ngc = 0;
    return r;
}

static int write_run(struct qcow2 *q, const struct iovec *iov, int cnt, struct run *run)
{
    int r = run_io(q, true, iov, cnt, run);
    if (r == 0)
        r = run_commit(q, run);
    run->ngc = 0;
    return r;
}

static int q_pwritev(struct blkdev *b, const struct iovec *iov, int cnt, uint64_t off)
{
    struct qcow2 *q = (struct qcow2 *)b;
    if (q->broken)
        return -EIO;
    if (!q->rw)
        return -EROFS;
    uint64_t len = iov_size(iov, cnt), pos = 0;
    if (off > q->bd.size || len > q->bd.size - off)
        return -EINVAL;
    uint64_t maxnew = len / q->cs + 2;
    uint64_t *old = malloc(maxnew * sizeof *old);
    if (!old)
        return -ENOMEM;
    struct run run = { .old = old };
    int r = 0;
    while (pos < len && r == 0) {
        uint64_t g = off + pos, gc = g >> q->cb, in = g & (q->cs - 1);
        uint64_t n = q->cs - in < len - pos ? q->cs - in : len - pos;
        uint64_t e, host = 0;
        enum kind k;
        if ((r = l2_get(q, gc, &e)) < 0 || (r = classify(q, e, &host, &k)) < 0)
            break;
        if (k == K_NORMAL && (e & OFLAG_COPIED)) {
            /* in place */
            if (run.len && !run.ngc && run.host + run.len == host + in) {
                run.len += n;
            } else {
                if ((r = write_run(q, iov, cnt, &run)) < 0)
                    break;
                run = (struct run){ .host = host + in, .skip = pos, .len = n, .old = old };
            }
        } else if (n == q->cs) {
            /* a whole new cluster: no copy needed */
            uint64_t c;
            if ((r = alloc_clusters(q, 1, &c)) < 0)
                break;
            if (run.len && run.ngc && run.host + run.len == c << q->cb) {
                run.len += n;
            } else {
                if ((r = write_run(q, iov, cnt, &run)) < 0)
                    break;
                run = (struct run){ .host = c << q->cb, .skip = pos, .len = n, .first_gc = gc, .old = old };
            }
            old[run.ngc++] = e;
        } else {
            /* part of a cluster that is not ours alone: copy on write */
            if ((r = write_run(q, iov, cnt, &run)) < 0)
                break;
            if ((r = fill_cluster(q, gc, e, q->cow)) < 0)
                break;
            iov_to_buf(iov, cnt, pos, q->cow + in, n);
            uint64_t c;
            if ((r = alloc_clusters(q, 1, &c)) < 0)
                break;
            if ((r = hostfile_pwrite(q->f, q->cow, q->cs, c << q->cb)) < 0)
                break;
            q->data_unsynced = true;
            if ((r = l2_set(q, gc, c << q->cb | OFLAG_COPIED)) < 0 || (r = release_entry(q, e)) < 0)
                break;
        }
        pos += n;
    }
    if (r == 0)
        r = write_run(q, iov, cnt, &run);
    free(old);
    return r;
}

static int q_flush(struct blkdev *b)
{
    struct qcow2 *q = (struct qcow2 *)b;
    if (q->broken)
        return -EIO;
    if (!q->rw)
        return 0;
    int r = meta_flush(q);
    if (r == 0 && q->data_unsynced) {
        r = hostfile_flush(q->f);
        q->data_unsynced = false;
    }
    return r;
}

static int write_zero_bytes(struct qcow2 *q, uint64_t off, uint64_t len)
{
    static const uint8_t zeros[65536];
    int r = 0;
    while (len && r == 0) {
        struct iovec v = { (void *)zeros, len < sizeof zeros ? (size_t)len : sizeof zeros };
        r = q_pwritev(&q->bd, &v, 1, off);
        off += v.iov_len;
        len -= v.iov_len;
    }
    return r;
}

/* Discard (zero = false) or write zeros over [off, off + len): whole
 * clusters lose their host cluster; partial ones are written when zeroing. */
static int unmap_range(struct qcow2 *q, uint64_t off, uint64_t len, bool zero)
{
    if (q->broken)
        return -EIO;
    if (!q->rw)
        return -EROFS;
    if (off > q->bd.size || len > q->bd.size - off)
        return -EINVAL;
    uint64_t end = off + len;
    uint64_t a = (off + q->cs - 1) & ~(q->cs - 1), z = end & ~(q->cs - 1);
    if (end == q->bd.size)
        z = (end + q->cs - 1) & ~(q->cs - 1); /* the last, partial cluster counts as whole */
    if (a >= z)
        return zero ? write_zero_bytes(q, off, len) : 0;
    int r = 0;
    if (zero && off < a)
        r = write_zero_bytes(q, off, a - off);
    if (zero && r == 0 && z < end)
        r = write_zero_bytes(q, z, end - z);
    /* v2 has no zero clusters: over a backing file zeros must be written */
    bool zero_by_writing = zero && q->version < 3 && q->backing;
    /* v3 over a backing file: the zero flag hides the backing data */
    uint64_t nv = q->version >= 3 && q->backing ? L2E_ZERO : 0;
    for (uint64_t g = a; g < z && r == 0; g += q->cs) {
        uint64_t gc = g >> q->cb, e;
        if (zero_by_writing) {
            r = write_zero_bytes(q, g, q->bd.size - g < q->cs ? q->bd.size - g : q->cs);
            continue;
        }
        if ((r = l2_get(q, gc, &e)) < 0)
            break;
        if (e == nv || (!nv && !(e & (L2E_OFFSET | L2E_COMPRESSED))))
            continue;
        if ((r = l2_set(q, gc, nv)) < 0)
            break;
        r = release_entry(q, e);
    }
    return r;
}

static int q_discard(struct blkdev *b, uint64_t off, uint64_t len)
{
    struct qcow2 *q = (struct qcow2 *)b;
    if (!q->f->discard)
        return 0;
    return unmap_range(q, off, len, false);
}

static int q_write_zeroes(struct blkdev *b, uint64_t off, uint64_t len, bool unmap)
{
    (void)unmap;
    return unmap_range((struct qcow2 *)b, off, len, true);
}

static void q_free(struct qcow2 *q)
{
    for (unsigned b = 0; b < HASH_BUCKETS; b++)
        while (q->hash[b]) {
            struct centry *e = q->hash[b];
            q->hash[b] = e->next;
            free(e);
        }
    hostfile_close(q->f);
    free(q->backing_name);
    free(q->backing_fmt);
    free(q->l1);
    free(q->rt);
    free(q->pending);
    free(q->meta);
    free(q->cow);
    free(q->dbuf);
    free(q->zin);
    free(q);
}

static void q_close(struct blkdev *b)
{
    struct qcow2 *q = (struct qcow2 *)b;
    if (q->rw && !q->broken) {
        int r = meta_flush(q);
        if (r == 0)
            r = meta_flush(q); /* the frees the first one applied */
        if (r < 0)
            if (!q->broken) /* corruption was logged already */
                fprintf(stderr, "rivet: qcow2 %s: writing the tables back failed: %s\n", q->f->path, strerror(-r));
    }
    q_free(q);
}

static const struct blkdev_ops qcow2_ops = {
    q_preadv, q_pwritev, q_flush, q_discard, q_write_zeroes, q_close,
};

const char *qcow2_backing_name(const struct blkdev *b)
{
    return ((const struct qcow2 *)b)->backing_name;
}

const char *qcow2_backing_format(const struct blkdev *b)
{
    return ((const struct qcow2 *)b)->backing_fmt;
}

void qcow2_set_backing(struct blkdev *b, struct blkdev *backing)
{
    ((struct qcow2 *)b)->backing = backing;
}

/* ---- open ---- */

static int parse_header(struct qcow2 *q, const uint8_t *h, char *err, size_t errlen)
{
    uint64_t fsize = q->f->size;
    if (be32(h) != QCOW2_MAGIC)
        return errf(err, errlen, "not a qcow2 image (no magic)");
    q->version = be32(h + 4);
    if (q->version != 2 && q->version != 3)
        return errf(err, errlen, "qcow2 version %u is not supported (2 and 3 are)", q->version);
    uint64_t bf_off = be64(h + 8);
    uint32_t bf_size = be32(h + 16);
    q->cb = be32(h + 20);
    if (q->cb < 9 || q->cb > 21)
        return errf(err, errlen, "qcow2: cluster_bits %u out of range 9..21", q->cb);
    q->cs = 1ull << q->cb;
    q->l2_entries = q->cs / 8;
    q->bd.size = be64(h + 24);
    if (be32(h + 32))
        return errf(err, errlen, "qcow2: encrypted images are not supported");
    q->l1_size = be32(h + 36);
    q->l1_off = be64(h + 40);
    q->rt_off = be64(h + 48);
    q->rt_clusters = be32(h + 56);
    if (be32(h + 60))
        return errf(err, errlen, "qcow2: internal snapshots are not supported (%u; qemu-img snapshot -d removes them)",
                    be32(h + 60));
    uint64_t hdr_len = 72;
    q->refcount_order = 4;
    if (q->version == 3) {
        uint64_t incompat = be64(h + 72), compat = be64(h + 80);
        q->refcount_order = be32(h + 96);
        hdr_len = be32(h + 100);
        if (hdr_len < 104 || hdr_len > q->cs)
            return errf(err, errlen, "qcow2: header length %llu is invalid", (unsigned long long)hdr_len);
        if (incompat & INCOMPAT_DIRTY)
            return errf(err, errlen, "qcow2: the dirty bit is set (lazy refcounts not written back; "
                        "`qemu-img check -r all` repairs it)");
        if (incompat & INCOMPAT_CORRUPT)
            return errf(err, errlen, "qcow2: the image is marked corrupt (`qemu-img check -r all` repairs it)");
        if (incompat & INCOMPAT_DATA_FILE)
            return errf(err, errlen, "qcow2: external data files are not supported");
        if (incompat & INCOMPAT_EXTL2)
            return errf(err, errlen, "qcow2: extended L2 entries (subclusters) are not supported");
        if (incompat & INCOMPAT_COMPRESSION) {
            unsigned type = hdr_len > 104 ? h[104] : 0;
            if (type == 1)
                return errf(err, errlen, "qcow2: zstd compression is not supported (zlib is)");
            if (type != 0)
                return errf(err, errlen, "qcow2: compression type %u is not supported", type);
        }
        uint64_t unknown = incompat & ~(INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_DATA_FILE |
                                        INCOMPAT_COMPRESSION | INCOMPAT_EXTL2);
        if (unknown)
            return errf(err, errlen, "qcow2: unknown incompatible features 0x%llx", (unsigned long long)unknown);
        if (compat & COMPAT_LAZY_REFCOUNTS)
            return errf(err, errlen, "qcow2: lazy_refcounts=on is not supported "
                        "(`qemu-img amend -o lazy_refcounts=off` turns it off)");
        if (q->refcount_order > 6)
            return errf(err, errlen, "qcow2: refcount_order %u out of range 0..6", q->refcount_order);
    }
    q->rpb = (q->cs * 8) >> q->refcount_order;
    q->refmax = q->refcount_order == 6 ? UINT64_MAX : (1ull << (1u << q->refcount_order)) - 1;
    if (q->bd.size == 0)
        return errf(err, errlen, "qcow2: the virtual disk size is 0");
    if (q->bd.size % 512)
        return errf(err, errlen, "qcow2: the virtual size %llu is not a multiple of 512",
                    (unsigned long long)q->bd.size);
    if (q->bd.size > (1ull << 56))
        return errf(err, errlen, "qcow2: the virtual size is too large");
    uint64_t per_l2 = q->cs * q->l2_entries;
    uint64_t need = (q->bd.size + per_l2 - 1) / per_l2;
    if (q->l1_size < need)
        return errf(err, errlen, "qcow2: corrupt L1 table: %llu entries for a disk that needs %llu",
                    (unsigned long long)q->l1_size, (unsigned long long)need);
    if (q->l1_size * 8 > MAX_L1_BYTES)
        return errf(err, errlen, "qcow2: the L1 table is too large");
    if (q->l1_off & (q->cs - 1) || !q->l1_off || q->l1_off > fsize || q->l1_size * 8 > fsize - q->l1_off)
        return errf(err, errlen, "qcow2: corrupt L1 table offset 0x%llx", (unsigned long long)q->l1_off);
    if (q->rt_off & (q->cs - 1) || !q->rt_off || !q->rt_clusters || q->rt_clusters * q->cs > MAX_RT_BYTES ||
        q->rt_off > fsize || q->rt_clusters * q->cs > fsize - q->rt_off)
        return errf(err, errlen, "qcow2: corrupt refcount table offset 0x%llx (%llu clusters)",
                    (unsigned long long)q->rt_off, (unsigned long long)q->rt_clusters);
    q->rt_entries = q->rt_clusters * q->cs / 8;
    /* header extensions */
    for (uint64_t p = hdr_len; p + 8 <= q->cs;) {
        uint32_t type = be32(h + p), len = be32(h + p + 4);
        if (type == EXT_END)
            break;
        if (len > q->cs - p - 8)
            return errf(err, errlen, "qcow2: corrupt header extension 0x%x", type);
        if (type == EXT_DATA_FILE)
            return errf(err, errlen, "qcow2: external data files are not supported");
        if (type == EXT_CRYPTO)
            return errf(err, errlen, "qcow2: encrypted images are not supported");
        if (type == EXT_BACKING_FORMAT && len > 0 && len < 64) {
            free(q->backing_fmt);
            q->backing_fmt = strndup((const char *)h + p + 8, len);
        }
        p += 8 + ((len + 7ull) & ~7ull);
    }
    if (bf_off) {
        if (bf_size == 0 || bf_size > 1023 || bf_off > q->cs - bf_size)
            return errf(err, errlen, "qcow2: corrupt backing file name (offset %llu, %u bytes)",
                        (unsigned long long)bf_off, bf_size);
        q->backing_name = strndup((const char *)h + bf_off, bf_size);
        if (!q->backing_name || strlen(q->backing_name) != bf_size)
            return errf(err, errlen, "qcow2: corrupt backing file name");
    }
    return 0;
}

static int load_tables(struct qcow2 *q, char *err, size_t errlen)
{
    uint64_t fsize = q->f->size;
    q->l1 = malloc(q->l1_size * 8 + 8);
    q->rt = malloc(q->rt_entries * 8);
    uint8_t *buf = malloc((q->l1_size > q->rt_entries ? q->l1_size : q->rt_entries) * 8 + 8);
    if (!q->l1 || !q->rt || !buf) {
        free(buf);
        return errf(err, errlen, "out of memory");
    }
    int r = hostfile_pread(q->f, buf, q->l1_size * 8, q->l1_off);
    for (uint64_t i = 0; r == 0 && i < q->l1_size; i++)
        q->l1[i] = be64(buf + 8 * i);
    if (r == 0)
        r = hostfile_pread(q->f, buf, q->rt_entries * 8, q->rt_off);
    for (uint64_t i = 0; r == 0 && i < q->rt_entries; i++)
        q->rt[i] = be64(buf + 8 * i);
    free(buf);
    if (r < 0)
        return errf(err, errlen, "qcow2: cannot read the tables: %s", strerror(-r));
    /* every metadata cluster, once */
    bool dup = meta_add(q, 0) < 0;
    for (uint64_t k = 0; k < (q->l1_size * 8 + q->cs - 1) / q->cs; k++)
        dup |= meta_add(q, (q->l1_off >> q->cb) + k) < 0;
    for (uint64_t k = 0; k < q->rt_clusters; k++)
        dup |= meta_add(q, (q->rt_off >> q->cb) + k) < 0;
    if (dup)
        return errf(err, errlen, "qcow2: corrupt header: the L1 and refcount tables overlap");
    for (uint64_t i = 0; i < q->rt_entries; i++) {
        uint64_t o = q->rt[i];
        if (!o)
            continue;
        if (o & ~RTE_OFFSET || o & (q->cs - 1) || o > fsize - q->cs || fsize < q->cs)
            return errf(err, errlen, "qcow2: corrupt refcount table: entry %llu = 0x%llx",
                        (unsigned long long)i, (unsigned long long)o);
        if (meta_add(q, o >> q->cb) < 0)
            return errf(err, errlen, "qcow2: corrupt refcount table: block 0x%llx used twice",
                        (unsigned long long)o);
    }
    for (uint64_t i = 0; i < q->l1_size; i++) {
        uint64_t e = q->l1[i], o = e & L1E_OFFSET;
        if (!e)
            continue;
        if (e & L1E_RESERVED || o & (q->cs - 1) || !o || fsize < q->cs || o > fsize - q->cs)
            return errf(err, errlen, "qcow2: corrupt L1 table: entry %llu = 0x%llx",
                        (unsigned long long)i, (unsigned long long)e);
        if (meta_add(q, o >> q->cb) < 0)
            return errf(err, errlen, "qcow2: corrupt L1 table: L2 table 0x%llx used twice or overlapping",
                        (unsigned long long)o);
    }
    /* each metadata cluster must be counted, or allocation would hand it out */
    for (size_t i = 0; i < q->nmeta; i++) {
        uint64_t v;
        if (rc_get(q, q->meta[i], &v) < 0 || q->broken)
            return errf(err, errlen, "qcow2: cannot read the refcount blocks");
        if (v == 0)
            return errf(err, errlen, "qcow2: corrupt refcounts: metadata cluster at 0x%llx has refcount 0",
                        (unsigned long long)(q->meta[i] << q->cb));
    }
    return 0;
}

struct blkdev *qcow2_open(struct hostfile *f, char *err, size_t errlen)
{
    struct qcow2 *q = calloc(1, sizeof *q);
    if (!q) {
        hostfile_close(f);
        errf(err, errlen, "out of memory");
        return NULL;
    }
    q->f = f;
    q->bd.ops = &qcow2_ops;
    q->bd.format = "qcow2";
    q->rw = !f->readonly;
    uint8_t *h = calloc(1, 1u << 21);
    if (!h) {
        errf(err, errlen, "out of memory");
        goto fail;
    }
    uint64_t n = f->size < (1u << 21) ? f->size : (1u << 21);
    if (n < 104 || hostfile_pread(f, h, n, 0) < 0) {
        free(h);
        errf(err, errlen, "qcow2: the header is truncated");
        goto fail;
    }
    int r = parse_header(q, h, err, errlen);
    if (r == 0 && n < q->cs)
        r = errf(err, errlen, "qcow2: the header is truncated");
    free(h);
    if (r < 0)
        goto fail;
    q->budget = CACHE_BYTES >> q->cb;
    if (q->budget < 16)
        q->budget = 16;
    q->cow = malloc(q->cs);
    q->dbuf = malloc(q->cs);
    q->zin = malloc(2 * q->cs);
    if (!q->cow || !q->dbuf || !q->zin) {
        errf(err, errlen, "out of memory");
        goto fail;
    }
    if (load_tables(q, err, errlen) < 0)
        goto fail;
    if (q->rw && q->version == 3) {
        /* autoclear features (bitmaps) are not kept up to date: clear them */
        uint8_t z[8] = { 0 }, cur[8];
        if (hostfile_pread(f, cur, 8, 88) == 0 && be64(cur) && hostfile_pwrite(f, z, 8, 88) < 0) {
            errf(err, errlen, "qcow2: cannot write the header");
            goto fail;
        }
    }
    return &q->bd;
fail:
    q_free(q);
    return NULL;
}

/* ---- create ---- */

int qcow2_create(int fd, uint64_t size, const char *backing, const char *backing_fmt)
{
    const unsigned cb = 16;
    const uint64_t cs = 1ull << cb;
    uint64_t l1_size = (size + (cs * cs / 8) - 1) / (cs * cs / 8);
    uint64_t l1_cl = (l1_size * 8 + cs - 1) / cs;
    if (!l1_cl)
        l1_cl = 1;
    uint64_t ncl = 3 + l1_cl;
    if (ncl > cs / 2 || (backing && strlen(backing) > 1023))
        return -EINVAL;
    uint8_t *buf = calloc(ncl, cs);
    if (!buf)
        return -ENOMEM;
    uint8_t *h = buf;
    put32(h, QCOW2_MAGIC);
    put32(h + 4, 3);
    put32(h + 20, cb);
    put64(h + 24, size);
    put32(h + 36, (uint32_t)l1_size);
    put64(h + 40, 3 * cs);
    put64(h + 48, cs);
    put32(h + 56, 1);
    put32(h + 96, 4);
    put32(h + 100, 104);
    size_t p = 104;
    if (backing_fmt) {
        size_t n = strlen(backing_fmt);
        put32(h + p, EXT_BACKING_FORMAT);
        put32(h + p + 4, (uint32_t)n);
        memcpy(h + p + 8, backing_fmt, n);
        p += 8 + ((n + 7) & ~7u);
    }
    p += 8; /* end of extensions */
    if (backing) {
        put64(h + 8, p);
        put32(h + 16, (uint32_t)strlen(backing));
        memcpy(h + p, backing, strlen(backing));
    }
    put64(buf + cs, 2 * cs); /* refcount table -> block at cluster 2 */
    for (uint64_t k = 0; k < ncl; k++)
        buf[2 * cs + 2 * k + 1] = 1; /* 16-bit big-endian refcounts of 1 */
    int r = 0;
    uint64_t total = ncl * cs, done = 0;
    while (done < total) {
        ssize_t w = pwrite(fd, buf + done, total - done, (off_t)done);
        if (w <= 0) {
            r = w < 0 ? -errno : -EIO;
            break;
        }
        done += (uint64_t)w;
    }
    free(buf);
    return r;
}
