/* machine/snapshot.c: machine snapshots and the state hash (snapshot.h,
 * docs/snapshots.md). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

#include "cpu/riscv/hart_state.h"
#include "machine/clock.h"
#include "machine/snapshot.h"
#include "virtio/blk.h"

#define PAGE 4096u
#define CHUNK (64u * 1024)
#define PAGES_PER_CHUNK (CHUNK / PAGE)
#define HEAD_LEN 16            /* magic, version, desc_len */

enum { M_RAW = 0, M_ZLIB = 1 };

static int snap_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int snap_errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    const uint64_t *w = (const uint64_t *)p;   /* p is 8-byte aligned (RAM pages, malloc) */
    uint64_t acc = 0;
    for (size_t i = 0; i + 8 <= n / 8; i += 8) {
        acc |= w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] | w[i + 7];
        if (acc)
            return false;
    }
    for (size_t i = n & ~(size_t)63; i < n; i++)
        acc |= p[i];
    return !acc;
}

/* ---- the hash ---- */

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull

static inline uint64_t rotl(uint64_t x, int r) { return x << r | x >> (64 - r); }
static inline uint64_t round64(uint64_t acc, uint64_t w) { return rotl(acc + w * P2, 31) * P1; }
static inline uint64_t rd64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

uint64_t snapshot_hash_bytes(uint64_t seed, const void *data, size_t n)
{
    const uint8_t *p = data;
    uint64_t a = seed + P1 + P2, b = seed + P2, c = seed, d = seed - P1;
    size_t len = n;
    for (; n >= 32; p += 32, n -= 32) {
        a = round64(a, rd64(p));
        b = round64(b, rd64(p + 8));
        c = round64(c, rd64(p + 16));
        d = round64(d, rd64(p + 24));
    }
    uint64_t h = rotl(a, 1) + rotl(b, 7) + rotl(c, 12) + rotl(d, 18) + len;
    for (; n >= 8; p += 8, n -= 8)
        h = rotl(h ^ round64(0, rd64(p)), 27) * P1 + P3;
    for (; n; p++, n--)
        h = rotl(h ^ (*p * P1), 11) * P2;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    return h ^ (h >> 32);
}

/* ---- clock and harts ---- */

static void clock_state(struct vclock *c, struct state *st)
{
    state_section(st, "clock", 1);
    state_u64(st, "ticks", &c->ticks);
    state_u64(st, "frac_fs", &c->frac_fs);
    state_u64(st, "fs_per_insn", &c->fs_per_insn);
    state_bool(st, "ceil_rounds", &c->ceil_rounds);
    state_u64(st, "icount", &c->icount);
    if (state_loading(st) && (c->frac_fs >= VCLOCK_FS_PER_TICK || c->fs_per_insn < VCLOCK_MIN_FS_PER_INSN ||
                              c->fs_per_insn > VCLOCK_MAX_FS_PER_INSN))
        state_fail(st, "clock: fraction or rate out of range");
}

static void harts_state(const struct snapshot_machine *sm, struct state *st)
{
    state_section(st, "harts", 1);
    unsigned n = sm->nharts;
    state_unsigned(st, "count", &n);
    if (state_loading(st) && n != sm->nharts)
        state_fail(st, "another number of harts");
    for (unsigned i = 0; i < sm->nharts && !st->error; i++)
        rv_hart_state(&sm->harts[i], st);
}

/* Everything but RAM and disks: what the hash takes as a stream. */
static void cpu_dev_state(const struct snapshot_machine *sm, struct state *st)
{
    harts_state(sm, st);
    if (!st->error)
        sm->devices(sm->ctx, st);
}

void snapshot_hash_cache_free(struct snapshot_hash_cache *hc)
{
    free(hc->page);
    memset(hc, 0, sizeof *hc);
}

static uint64_t page_hash(const struct snapshot_ram *r, uint64_t pg)
{
    uint64_t off = pg << BUS_PAGE_SHIFT;
    uint64_t n = r->size - off < BUS_PAGE_SIZE ? r->size - off : BUS_PAGE_SIZE;
    return snapshot_hash_bytes(0, r->host + off, (size_t)n);
}

/* A region's part of the hash: its page hashes chained in order. For the
 * bus's main RAM they come from the cache, brought up to date (the pages
 * dirtied since the cache's generation hashed again); other regions, or
 * without a cache (or memory for one), every page is hashed. */
static uint64_t ram_hash(const struct snapshot_machine *sm, const struct snapshot_ram *r, uint64_t h)
{
    uint64_t n = (r->size + BUS_PAGE_SIZE - 1) >> BUS_PAGE_SHIFT;
    struct snapshot_hash_cache *hc = sm->hash_cache;
    struct bus *b = sm->bus;
    if (hc && b && b->ram == r->host && b->ram_size == r->size && b->dirty_gen) {
        if (hc->ram != r->host || hc->npages != n || !hc->page) {
            snapshot_hash_cache_free(hc);
            if ((hc->page = malloc(n * sizeof *hc->page))) {
                hc->npages = n;
                hc->ram = r->host;
            }
        }
        if (hc->page) {
            uint32_t since = hc->since;
            hc->since = bus_dirty_next(b);
            for (uint64_t pg = 0; pg < n; pg++) {
                if (bus_page_dirty(b, pg, since))
                    hc->page[pg] = page_hash(r, pg);
                h = snapshot_hash_bytes(h, &hc->page[pg], 8);
            }
            return h;
        }
    }
    for (uint64_t pg = 0; pg < n; pg++) {
        uint64_t ph = page_hash(r, pg);
        h = snapshot_hash_bytes(h, &ph, 8);
    }
    return h;
}

uint64_t snapshot_state_hash(const struct snapshot_machine *sm)
{
    uint64_t h = snapshot_hash_bytes(0, "rivet state hash 2", 18);
    for (unsigned i = 0; i < sm->nram; i++)
        h = ram_hash(sm, &sm->ram[i], h);
    struct state st;
    state_init_save(&st);
    clock_state(sm->clock, &st);
    cpu_dev_state(sm, &st);
    h = snapshot_hash_bytes(h, st.buf, st.len);
    state_free(&st);
    return h;
}

int snapshot_save_state(const struct snapshot_machine *sm, uint8_t **out, size_t *len)
{
    struct state st;
    state_init_save(&st);
    clock_state(sm->clock, &st);
    cpu_dev_state(sm, &st);
    if (st.error) {
        state_free(&st);
        return -1;
    }
    *out = st.buf; /* the writer's buffer, handed over */
    *len = st.len;
    return 0;
}

int snapshot_load_state(const struct snapshot_machine *sm, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    struct state st;
    state_init_load(&st, buf, len);
    clock_state(sm->clock, &st);
    if (!st.error)
        cpu_dev_state(sm, &st);
    if (!state_ok(&st, true))
        return snap_errf(err, errlen, "%s", st.why);
    return 0;
}

/* ---- compression ---- */

struct zbuf {
    z_stream z;
    bool init;
    uint8_t *tmp;      /* CHUNK: pages gathered or inflated */
    uint8_t *out;      /* compressBound(CHUNK) */
    size_t outcap;
};

static int zbuf_init(struct zbuf *zb, int level, bool deflate)
{
    memset(zb, 0, sizeof *zb);
    zb->outcap = compressBound(CHUNK) + 64;
    zb->tmp = malloc(CHUNK);
    zb->out = malloc(zb->outcap);
    if (!zb->tmp || !zb->out)
        return -1;
    int r = deflate ? deflateInit(&zb->z, level ? level : 1) : inflateInit(&zb->z);
    zb->init = r == Z_OK;
    return zb->init ? 0 : -1;
}

static void zbuf_free(struct zbuf *zb, bool deflate)
{
    if (zb->init)
        deflate ? deflateEnd(&zb->z) : inflateEnd(&zb->z);
    free(zb->tmp);
    free(zb->out);
}

/* Compress n bytes into zb->out; returns the length, or 0 on failure. */
static size_t zcompress(struct zbuf *zb, const uint8_t *p, size_t n)
{
    deflateReset(&zb->z);
    zb->z.next_in = (Bytef *)p;
    zb->z.avail_in = (uInt)n;
    zb->z.next_out = zb->out;
    zb->z.avail_out = (uInt)zb->outcap;
    if (deflate(&zb->z, Z_FINISH) != Z_STREAM_END)
        return 0;
    return zb->outcap - zb->z.avail_out;
}

/* Inflate exactly `want` bytes into dst: 0, or -1. */
static int zexpand(struct zbuf *zb, const uint8_t *src, size_t n, uint8_t *dst, size_t want)
{
    inflateReset(&zb->z);
    zb->z.next_in = (Bytef *)src;
    zb->z.avail_in = (uInt)n;
    zb->z.next_out = dst;
    zb->z.avail_out = (uInt)want;
    int r = inflate(&zb->z, Z_FINISH);
    return r == Z_STREAM_END && zb->z.avail_out == 0 && zb->z.avail_in == 0 ? 0 : -1;
}

/* One chunk's payload: method and data (compressed, or raw when level 0
 * or when compression does not pay). */
static void put_payload(struct state *st, struct zbuf *zb, int level, const uint8_t *p, size_t n)
{
    size_t clen = level ? zcompress(zb, p, n) : 0;
    uint8_t method = clen && clen < n ? M_ZLIB : M_RAW;
    state_u8(st, "method", &method);
    size_t len = method == M_ZLIB ? clen : n;
    state_blob(st, "data", method == M_ZLIB ? zb->out : (uint8_t *)p, &len, len);
}

/* Read a payload of `want` bytes into dst (NULL: check only, into zb->tmp). */
static void get_payload(struct state *st, struct zbuf *zb, uint8_t *dst, size_t want)
{
    uint8_t method = 0;
    state_u8(st, "method", &method);
    size_t len = 0;
    state_blob(st, "data", zb->out, &len, zb->outcap);
    if (st->error)
        return;
    if (!dst)
        dst = zb->tmp;
    if (method == M_RAW) {
        if (len != want)
            state_fail(st, "chunk of the wrong length");
        else
            memcpy(dst, zb->out, len);
    } else if (method != M_ZLIB || zexpand(zb, zb->out, len, dst, want) < 0) {
        state_fail(st, "chunk does not decompress");
    }
}

/* ---- RAM ---- */

static uint16_t chunk_pages(const struct snapshot_ram *r, uint64_t c)
{
    uint16_t bits = 0;
    for (unsigned i = 0; i < PAGES_PER_CHUNK; i++) {
        uint64_t off = c * CHUNK + (uint64_t)i * PAGE;
        if (off >= r->size)
            break;
        uint64_t n = r->size - off < PAGE ? r->size - off : PAGE;
        if (!all_zero(r->host + off, n))
            bits |= (uint16_t)(1u << i);
    }
    return bits;
}

static uint64_t page_len(const struct snapshot_ram *r, uint64_t off)
{
    return r->size - off < PAGE ? r->size - off : PAGE;
}

/* RAM chunks are compressed by a few threads (each chunk on its own, so the
 * file is the same whatever the number of threads), then written in order. */
#define ZTHREADS 4

struct zjob {
    const struct snapshot_ram *r;
    const uint16_t *bits;
    uint64_t nchunks;
    int level;
    uint8_t **out;          /* per chunk: its payload (malloc'ed) */
    uint32_t *len;
    uint8_t *method;
    _Atomic uint64_t next;
    _Atomic bool fail;
};

/* The non-zero pages of chunk c, gathered into tmp (or in place when all are). */
static const uint8_t *gather(const struct snapshot_ram *r, uint64_t c, uint16_t bits, uint8_t *tmp, size_t *n)
{
    *n = 0;
    if (bits == 0xffff) {
        *n = CHUNK;
        return r->host + c * CHUNK;
    }
    for (unsigned i = 0; i < PAGES_PER_CHUNK; i++)
        if (bits >> i & 1) {
            uint64_t off = c * CHUNK + (uint64_t)i * PAGE, pl = page_len(r, off);
            memcpy(tmp + *n, r->host + off, pl);
            *n += pl;
        }
    return tmp;
}

static void *zworker(void *arg)
{
    struct zjob *j = arg;
    struct zbuf zb;
    if (zbuf_init(&zb, j->level, true) < 0) {
        j->fail = true;
        zbuf_free(&zb, true);
        return NULL;
    }
    for (uint64_t c; !j->fail && (c = atomic_fetch_add(&j->next, 1)) < j->nchunks;) {
        if (!j->bits[c])
            continue;
        size_t n;
        const uint8_t *src = gather(j->r, c, j->bits[c], zb.tmp, &n);
        size_t clen = zcompress(&zb, src, n);
        bool z = clen && clen < n;
        j->method[c] = z ? M_ZLIB : M_RAW;
        j->len[c] = (uint32_t)(z ? clen : n);
        if (!(j->out[c] = malloc(j->len[c])))
            j->fail = true;
        else
            memcpy(j->out[c], z ? zb.out : src, j->len[c]);
    }
    zbuf_free(&zb, true);
    return NULL;
}

static void ram_save(struct state *st, const struct snapshot_ram *r, struct zbuf *zb, int level)
{
    state_section(st, "ram", 1);
    uint64_t size = r->size;
    state_u64(st, "size", &size);
    uint64_t nchunks = (r->size + CHUNK - 1) / CHUNK;
    uint16_t *bits = calloc(nchunks ? nchunks : 1, sizeof *bits);
    struct zjob j = { .r = r, .bits = bits, .nchunks = nchunks, .level = level };
    if (level) {
        j.out = calloc(nchunks ? nchunks : 1, sizeof *j.out);
        j.len = calloc(nchunks ? nchunks : 1, sizeof *j.len);
        j.method = calloc(nchunks ? nchunks : 1, 1);
    }
    if (!bits || (level && (!j.out || !j.len || !j.method))) {
        state_fail(st, "out of memory");
        goto out;
    }
    uint32_t count = 0;
    for (uint64_t c = 0; c < nchunks; c++)
        count += (bits[c] = chunk_pages(r, c)) != 0;
    if (level) {
        pthread_t t[ZTHREADS - 1];
        unsigned nt = 0;
        for (; count > 64 && nt < ZTHREADS - 1; nt++)
            if (pthread_create(&t[nt], NULL, zworker, &j) != 0)
                break;
        zworker(&j);
        for (unsigned i = 0; i < nt; i++)
            pthread_join(t[i], NULL);
        if (j.fail) {
            state_fail(st, "out of memory");
            goto out;
        }
    }
    state_u32(st, "chunks", &count);
    for (uint64_t c = 0; c < nchunks && !st->error; c++) {
        if (!bits[c])
            continue;
        uint32_t idx = (uint32_t)c;
        state_u32(st, "index", &idx);
        state_u16(st, "pages", &bits[c]);
        if (level) {
            size_t len = j.len[c];
            state_u8(st, "method", &j.method[c]);
            state_blob(st, "data", j.out[c], &len, len);
        } else {
            size_t n;
            const uint8_t *src = gather(r, c, bits[c], zb->tmp, &n);
            put_payload(st, zb, 0, src, n);
        }
    }
out:
    for (uint64_t c = 0; j.out && c < nchunks; c++)
        free(j.out[c]);
    free(j.out);
    free(j.len);
    free(j.method);
    free(bits);
}

static void ram_load(struct state *st, const struct snapshot_ram *r, struct zbuf *zb)
{
    state_section(st, "ram", 1);
    uint64_t size = 0;
    state_u64(st, "size", &size);
    if (!st->error && size != r->size)
        state_fail(st, "RAM of another size");
    uint64_t nchunks = (r->size + CHUNK - 1) / CHUNK;
    uint32_t count = 0;
    state_u32(st, "chunks", &count);
    if (!st->error && count > nchunks)
        state_fail(st, "more RAM chunks than RAM");
    int64_t prev = -1;
    uint8_t *buf = malloc(CHUNK);
    if (!buf)
        state_fail(st, "out of memory");
    for (uint32_t k = 0; k < count && !st->error; k++) {
        uint32_t idx = 0;
        uint16_t bits = 0;
        state_u32(st, "index", &idx);
        state_u16(st, "pages", &bits);
        if (st->error)
            break;
        if ((int64_t)idx <= prev || idx >= nchunks || !bits) {
            state_fail(st, "RAM chunk out of order or empty");
            break;
        }
        prev = idx;
        uint64_t want = 0;
        for (unsigned i = 0; i < PAGES_PER_CHUNK; i++)
            if (bits >> i & 1) {
                uint64_t off = (uint64_t)idx * CHUNK + (uint64_t)i * PAGE;
                if (off >= r->size) {
                    state_fail(st, "RAM page outside RAM");
                    break;
                }
                want += page_len(r, off);
            }
        if (st->error)
            break;
        get_payload(st, zb, buf, want);
        if (st->error)
            break;
        size_t n = 0;
        for (unsigned i = 0; i < PAGES_PER_CHUNK; i++)
            if (bits >> i & 1) {
                uint64_t off = (uint64_t)idx * CHUNK + (uint64_t)i * PAGE, pl = page_len(r, off);
                memcpy(r->host + off, buf + n, pl);
                n += pl;
            }
    }
    free(buf);
}

/* ---- drives ---- */

static uint64_t chunk_len(uint64_t size, uint64_t c)
{
    return size - c * CHUNK < CHUNK ? size - c * CHUNK : CHUNK;
}

static int disk_read(const struct virtio_blk_backend *b, uint64_t c, uint8_t *buf)
{
    struct iovec iov = { buf, chunk_len(b->size, c) };
    return b->preadv(b->ctx, &iov, 1, c * CHUNK);
}

static void disks_save(struct state *st, const struct snapshot_machine *sm, struct zbuf *zb, int level, bool disks)
{
    state_section(st, "disks", 1);
    state_bool(st, "contents", &disks);
    unsigned n = disks ? sm->ndrives : 0;
    state_unsigned(st, "drives", &n);
    for (unsigned d = 0; d < n && !st->error; d++) {
        const struct virtio_blk_backend *b = sm->drives[d].backend;
        state_section(st, "disk", 1);
        uint64_t size = b->size;
        state_u64(st, "size", &size);
        bool stored = !b->readonly;
        state_bool(st, "stored", &stored);
        if (!stored)
            continue;
        /* first the count: one pass to find the non-zero chunks */
        uint64_t nchunks = (b->size + CHUNK - 1) / CHUNK;
        uint8_t *nz = calloc(nchunks ? nchunks : 1, 1);
        if (!nz) {
            state_fail(st, "out of memory");
            return;
        }
        uint64_t count = 0;
        for (uint64_t c = 0; c < nchunks; c++) {
            if (disk_read(b, c, zb->tmp) < 0) {
                state_fail(st, "cannot read a drive");
                break;
            }
            count += nz[c] = !all_zero(zb->tmp, chunk_len(b->size, c));
        }
        state_u64(st, "chunks", &count);
        for (uint64_t c = 0; c < nchunks && !st->error; c++) {
            if (!nz[c])
                continue;
            if (disk_read(b, c, zb->tmp) < 0) {
                state_fail(st, "cannot read a drive");
                break;
            }
            state_u64(st, "index", &c);
            /* zcompress reads tmp and writes out: no overlap */
            put_payload(st, zb, level, zb->tmp, chunk_len(b->size, c));
        }
        free(nz);
    }
}

/* Check (commit false) or write (commit true) the drives' contents.
 * Returns -1 with err on an I/O error while committing. */
static int disks_load(struct state *st, const struct snapshot_machine *sm, struct zbuf *zb, bool commit,
                      char *err, size_t errlen)
{
    state_section(st, "disks", 1);
    bool contents = false;
    state_bool(st, "contents", &contents);
    unsigned n = 0;
    state_unsigned(st, "drives", &n);
    if (!st->error && n != (contents ? sm->ndrives : 0))
        state_fail(st, "another number of drives");
    uint8_t *cur = commit ? malloc(CHUNK) : NULL, *want = commit ? malloc(CHUNK) : NULL;
    if (commit && (!cur || !want))
        state_fail(st, "out of memory");
    int rc = 0;
    for (unsigned d = 0; d < n && !st->error && rc == 0; d++) {
        const struct virtio_blk_backend *b = sm->drives[d].backend;
        state_section(st, "disk", 1);
        uint64_t size = 0;
        state_u64(st, "size", &size);
        if (!st->error && size != b->size)
            state_fail(st, "a drive of another size");
        bool stored = false;
        state_bool(st, "stored", &stored);
        if (!stored)
            continue;
        uint64_t nchunks = (b->size + CHUNK - 1) / CHUNK, count = 0;
        state_u64(st, "chunks", &count);
        if (!st->error && count > nchunks)
            state_fail(st, "more drive chunks than the drive holds");
        uint64_t next = 0;   /* chunks below this one are done */
        for (uint64_t k = 0; k <= count && !st->error && rc == 0; k++) {
            uint64_t idx = nchunks;   /* after the last entry: the rest is zeros */
            if (k < count) {
                state_u64(st, "index", &idx);
                if (!st->error && (idx < next || idx >= nchunks))
                    state_fail(st, "drive chunk out of order");
                if (st->error)
                    break;
            }
            if (commit) {
                /* the chunks in between were zeros */
                memset(want, 0, CHUNK);
                for (uint64_t c = next; c < idx && rc == 0; c++) {
                    uint64_t l = chunk_len(b->size, c);
                    struct iovec iov = { want, l };
                    if (disk_read(b, c, cur) < 0)
                        rc = snap_errf(err, errlen, "cannot read drive '%s'", sm->drives[d].id);
                    else if (!all_zero(cur, l) && b->pwritev(b->ctx, &iov, 1, c * CHUNK) < 0)
                        rc = snap_errf(err, errlen, "cannot write drive '%s'", sm->drives[d].id);
                }
            }
            if (k == count || rc)
                break;
            uint64_t l = chunk_len(b->size, idx);
            get_payload(st, zb, commit ? want : NULL, l);
            if (commit && !st->error) {
                struct iovec iov = { want, l };
                if (disk_read(b, idx, cur) < 0)
                    rc = snap_errf(err, errlen, "cannot read drive '%s'", sm->drives[d].id);
                else if (memcmp(cur, want, l) && b->pwritev(b->ctx, &iov, 1, idx * CHUNK) < 0)
                    rc = snap_errf(err, errlen, "cannot write drive '%s'", sm->drives[d].id);
            }
            next = idx + 1;
        }
        if (commit && rc == 0 && !st->error && b->flush && b->flush(b->ctx) < 0)
            rc = snap_errf(err, errlen, "cannot flush drive '%s'", sm->drives[d].id);
    }
    free(cur);
    free(want);
    return rc;
}

/* ---- the file ---- */

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

int snapshot_encode(const struct snapshot_machine *sm, int level, bool disks, uint8_t **out, size_t *outlen,
                    char *err, size_t errlen)
{
    struct zbuf zb;
    if (zbuf_init(&zb, level, true) < 0) {
        zbuf_free(&zb, true);
        return snap_errf(err, errlen, "out of memory");
    }
    struct state st;
    state_init_save(&st);
    st.to_file = true;
    state_header(&st);
    clock_state(sm->clock, &st);
    for (unsigned i = 0; i < sm->nram && !st.error; i++)
        ram_save(&st, &sm->ram[i], &zb, level);
    if (!st.error)
        cpu_dev_state(sm, &st);
    if (!st.error)
        disks_save(&st, sm, &zb, level, disks);
    zbuf_free(&zb, true);
    if (!state_ok(&st, false)) {
        int r = snap_errf(err, errlen, "%s", st.why);
        state_free(&st);
        return r;
    }
    size_t dlen = strlen(sm->desc);
    size_t total = HEAD_LEN + dlen + 8 + st.len + 4;
    uint8_t *f = malloc(total);
    if (!f) {
        state_free(&st);
        return snap_errf(err, errlen, "out of memory");
    }
    memcpy(f, SNAPSHOT_MAGIC, 8);
    put_le(f + 8, SNAPSHOT_VERSION, 4);
    put_le(f + 12, dlen, 4);
    memcpy(f + HEAD_LEN, sm->desc, dlen);
    put_le(f + HEAD_LEN + dlen, st.len, 8);
    memcpy(f + HEAD_LEN + dlen + 8, st.buf, st.len);
    state_free(&st);
    put_le(f + total - 4, crc32(0, f, (uInt)(total - 4)), 4);
    *out = f;
    *outlen = total;
    return 0;
}

int snapshot_save(const struct snapshot_machine *sm, const char *path, char *err, size_t errlen)
{
    uint8_t *f;
    size_t len;
    if (snapshot_encode(sm, 1, true, &f, &len, err, errlen) < 0)
        return -1;
    size_t pl = strlen(path) + 8;
    char *tmp = malloc(pl);
    if (!tmp) {
        free(f);
        return snap_errf(err, errlen, "out of memory");
    }
    snprintf(tmp, pl, "%s.new", path);
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = snap_errf(err, errlen, "cannot create '%s': %s", tmp, strerror(errno));
    } else {
        size_t done = 0;
        while (done < len) {
            ssize_t w = write(fd, f + done, len - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                rc = snap_errf(err, errlen, "cannot write '%s': %s", tmp, w < 0 ? strerror(errno) : "short write");
                break;
            }
            done += (size_t)w;
        }
        if (close(fd) < 0 && rc == 0)
            rc = snap_errf(err, errlen, "cannot write '%s': %s", tmp, strerror(errno));
        if (rc == 0 && rename(tmp, path) < 0)
            rc = snap_errf(err, errlen, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
        if (rc < 0)
            unlink(tmp);
    }
    free(tmp);
    free(f);
    return rc;
}

struct snapshot_file {
    uint8_t *buf;
    size_t len;
    const uint8_t *body;
    size_t body_len;
    size_t disk_pos;    /* where the disks section starts in body (after a load) */
    bool loaded;
};

void snapshot_close(struct snapshot_file *sf)
{
    if (!sf)
        return;
    free(sf->buf);
    free(sf);
}

/* The first word where two descriptions differ, for the message. */
static void first_diff(const char *a, const char *b, char *wa, char *wb, size_t n)
{
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    if (a[i] == ' ' || b[i] == ' ' || !a[i] || !b[i]) {
        /* one has a word more (or less) here */
        a += i + (a[i] == ' ');
        b += i + (b[i] == ' ');
    } else {
        while (i > 0 && a[i - 1] != ' ')
            i--;
        a += i;
        b += i;
    }
    size_t la = strcspn(a, " "), lb = strcspn(b, " ");
    if (la > 40)
        la = 40;
    if (lb > 40)
        lb = 40;
    snprintf(wa, n, "%.*s", (int)(la ? la : 9), la ? a : "(nothing)");
    snprintf(wb, n, "%.*s", (int)(lb ? lb : 9), lb ? b : "(nothing)");
}

struct snapshot_file *snapshot_parse(uint8_t *buf, size_t len, const char *desc, char *err, size_t errlen)
{
    const char *why = NULL;
    char tmp[200];
    if (len < 8) {
        why = len && !memcmp(buf, SNAPSHOT_MAGIC, len) ? "truncated" : "not a rivet snapshot";
    } else if (memcmp(buf, SNAPSHOT_MAGIC, 8)) {
        why = "not a rivet snapshot";
    } else if (len < HEAD_LEN) {
        why = "truncated";
    } else if (get_le(buf + 8, 4) != SNAPSHOT_VERSION) {
        snprintf(tmp, sizeof tmp, "snapshot format version %u (this rivet reads version %u)",
                 (unsigned)get_le(buf + 8, 4), SNAPSHOT_VERSION);
        why = tmp;
    } else {
        uint64_t dlen = get_le(buf + 12, 4);
        if (dlen > len - HEAD_LEN || len - HEAD_LEN - dlen < 8 + 4) {
            why = "truncated";
        } else {
            uint64_t blen = get_le(buf + HEAD_LEN + dlen, 8);
            size_t rest = len - HEAD_LEN - dlen - 8 - 4;
            if (blen > rest)
                why = "truncated";
            else if (blen < rest)
                why = "corrupted (bytes after the end)";
            else if (get_le(buf + len - 4, 4) != crc32(0, buf, (uInt)(len - 4)))
                why = "corrupted (checksum mismatch)";
            else if (dlen != strlen(desc) || memcmp(buf + HEAD_LEN, desc, dlen)) {
                char *d = malloc(dlen + 1);
                if (!d) {
                    why = "out of memory";
                } else {
                    memcpy(d, buf + HEAD_LEN, dlen);
                    d[dlen] = 0;
                    if (strlen(d) != dlen) {
                        why = "corrupted (machine description)";
                    } else {
                        char wa[48], wb[48];
                        first_diff(d, desc, wa, wb, sizeof wa);
                        snprintf(tmp, sizeof tmp, "made on another machine (snapshot: '%s', this machine: '%s')",
                                 wa, wb);
                        why = tmp;
                    }
                    free(d);
                }
            } else {
                struct snapshot_file *sf = calloc(1, sizeof *sf);
                if (!sf) {
                    why = "out of memory";
                } else {
                    sf->buf = buf;
                    sf->len = len;
                    sf->body = buf + HEAD_LEN + dlen + 8;
                    sf->body_len = blen;
                    return sf;
                }
            }
        }
    }
    snap_errf(err, errlen, "%s", why);
    free(buf);
    return NULL;
}

struct snapshot_file *snapshot_open(const char *path, const char *desc, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snap_errf(err, errlen, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        snap_errf(err, errlen, "not a regular file");
        close(fd);
        return NULL;
    }
    size_t len = (size_t)sb.st_size;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) {
        snap_errf(err, errlen, "out of memory (%zu bytes)", len);
        close(fd);
        return NULL;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t r = read(fd, buf + done, len - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snap_errf(err, errlen, "cannot read: %s", strerror(errno));
            close(fd);
            free(buf);
            return NULL;
        }
        if (r == 0)
            break;
        done += (size_t)r;
    }
    close(fd);
    return snapshot_parse(buf, done, desc, err, errlen);
}

int snapshot_load(struct snapshot_file *sf, const struct snapshot_machine *sm, char *err, size_t errlen)
{
    struct zbuf zb;
    if (zbuf_init(&zb, 0, false) < 0) {
        zbuf_free(&zb, false);
        return snap_errf(err, errlen, "out of memory");
    }
    struct state st;
    state_init_load(&st, sf->body, sf->body_len);
    state_header(&st);
    clock_state(sm->clock, &st);
    for (unsigned i = 0; i < sm->nram && !st.error; i++)
        ram_load(&st, &sm->ram[i], &zb);
    if (!st.error)
        cpu_dev_state(sm, &st);
    sf->disk_pos = st.pos;
    if (!st.error)
        disks_load(&st, sm, &zb, false, err, errlen);
    zbuf_free(&zb, false);
    if (!state_ok(&st, true))
        return snap_errf(err, errlen, "corrupted: %s", st.why);
    sf->loaded = true;
    return 0;
}

int snapshot_commit_disks(struct snapshot_file *sf, const struct snapshot_machine *sm, char *err, size_t errlen)
{
    if (!sf->loaded)
        return snap_errf(err, errlen, "internal error: commit before load");
    struct zbuf zb;
    if (zbuf_init(&zb, 0, false) < 0) {
        zbuf_free(&zb, false);
        return snap_errf(err, errlen, "out of memory");
    }
    struct state st;
    state_init_load(&st, sf->body + sf->disk_pos, sf->body_len - sf->disk_pos);
    int rc = disks_load(&st, sm, &zb, true, err, errlen);
    zbuf_free(&zb, false);
    if (rc == 0 && !state_ok(&st, true))
        rc = snap_errf(err, errlen, "corrupted: %s", st.why);
    return rc;
}
