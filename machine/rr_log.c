/* machine/rr_log.c: the record/replay log's writer and reader (rr_log.h). */
#include "machine/rr_log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "machine/snapshot.h"

/* ---- hashing ---- */

int rr_hash_file(const char *path, uint64_t *hash, uint64_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(1 << 16);
    if (!f || !buf) {
        if (f)
            fclose(f);
        free(buf);
        return -1;
    }
    uint64_t h = snapshot_hash_bytes(0, "rivet image hash 1", 18), n = 0;
    size_t got;
    while ((got = fread(buf, 1, 1 << 16, f)) > 0) {
        h = snapshot_hash_bytes(h, buf, got);
        n += got;
    }
    int bad = ferror(f);
    fclose(f);
    free(buf);
    if (bad)
        return -1;
    *hash = snapshot_hash_bytes(h, &n, sizeof n);
    *size = n;
    return 0;
}

/* ---- little-endian and LEB128 ---- */

static size_t put_uvar(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        p[n++] = (uint8_t)(b | (v ? 0x80 : 0));
    } while (v);
    return n;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* ---- writer ---- */

struct rr_writer {
    FILE *f;
    uint64_t stamp;   /* of the last record */
    bool failed;
    char error[160];
};

static int wfail(struct rr_writer *w, const char *what)
{
    if (!w->failed) {
        w->failed = true;
        snprintf(w->error, sizeof w->error, "%s: %s", what, strerror(errno ? errno : EIO));
    }
    return -1;
}

struct rr_writer *rr_writer_open(const char *path, char *err, size_t errlen)
{
    struct rr_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->f = fopen(path, "wb");
    if (!w->f) {
        snprintf(err, errlen, "cannot create the log: %s", strerror(errno));
        free(w);
        return NULL;
    }
    uint8_t hdr[12];
    memcpy(hdr, RR_MAGIC, 8);
    hdr[8] = RR_VERSION & 0xff;
    hdr[9] = (RR_VERSION >> 8) & 0xff;
    hdr[10] = (RR_VERSION >> 16) & 0xff;
    hdr[11] = RR_VERSION >> 24;
    if (fwrite(hdr, 1, sizeof hdr, w->f) != sizeof hdr) {
        snprintf(err, errlen, "cannot write the log: %s", strerror(errno));
        fclose(w->f);
        free(w);
        return NULL;
    }
    return w;
}

const char *rr_writer_error(const struct rr_writer *w) { return w->failed ? w->error : NULL; }

/* One record from up to three pieces: a leading string (with its NUL), a
 * second string, and data. */
static int emit(struct rr_writer *w, enum rr_type type, uint64_t stamp, const char *s1, const char *s2,
                const void *data, size_t len)
{
    if (w->failed)
        return -1;
    if (stamp < w->stamp) {
        errno = EINVAL;
        snprintf(w->error, sizeof w->error, "internal error: stamp %llu before %llu",
                 (unsigned long long)stamp, (unsigned long long)w->stamp);
        w->failed = true;
        return -1;
    }
    size_t l1 = s1 ? strlen(s1) + 1 : 0, l2 = s2 ? strlen(s2) + 1 : 0;
    uint64_t plen = (uint64_t)l1 + l2 + len;
    if (plen > RR_MAX_PAYLOAD) {
        errno = EFBIG;
        return wfail(w, "record too large");
    }
    uint8_t head[1 + 10 + 10];
    size_t hn = 0;
    head[hn++] = (uint8_t)type;
    hn += put_uvar(head + hn, stamp - w->stamp);
    hn += put_uvar(head + hn, plen);
    uLong crc = crc32(0, head, (uInt)hn);
    if (l1)
        crc = crc32(crc, (const Bytef *)s1, (uInt)l1);
    if (l2)
        crc = crc32(crc, (const Bytef *)s2, (uInt)l2);
    if (len)
        crc = crc32(crc, data, (uInt)len);
    uint8_t tail[4] = { (uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16), (uint8_t)(crc >> 24) };
    errno = 0;
    if (fwrite(head, 1, hn, w->f) != hn || (l1 && fwrite(s1, 1, l1, w->f) != l1) ||
        (l2 && fwrite(s2, 1, l2, w->f) != l2) || (len && fwrite(data, 1, len, w->f) != len) ||
        fwrite(tail, 1, 4, w->f) != 4)
        return wfail(w, "cannot write the log");
    w->stamp = stamp;
    return 0;
}

int rr_write_cmdline(struct rr_writer *w, int argc, const char *const *argv)
{
    size_t n = 0;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        errno = ENOMEM;
        return wfail(w, "cannot write the log");
    }
    size_t k = 0;
    for (int i = 0; i < argc; i++) {
        size_t l = strlen(argv[i]) + 1;
        memcpy(buf + k, argv[i], l);
        k += l;
    }
    int r = emit(w, RR_CMDLINE, w->stamp, NULL, NULL, buf, n);
    free(buf);
    return r;
}

int rr_write_image(struct rr_writer *w, const char *role, const char *path, uint64_t size, uint64_t hash)
{
    uint8_t v[16];
    put_u64(v, size);
    put_u64(v + 8, hash);
    return emit(w, RR_IMAGE, w->stamp, role, path, v, sizeof v);
}

int rr_write_input(struct rr_writer *w, uint64_t stamp, const char *channel, const void *data, size_t len)
{
    return emit(w, RR_INPUT, stamp, channel, NULL, data, len);
}

int rr_write_time(struct rr_writer *w, uint64_t stamp, const char *kind, uint64_t value)
{
    uint8_t v[8];
    put_u64(v, value);
    return emit(w, RR_TIME, stamp, kind, NULL, v, sizeof v);
}

int rr_write_entropy(struct rr_writer *w, uint64_t stamp, const char *source, const void *data, size_t len)
{
    return emit(w, RR_ENTROPY, stamp, source, NULL, data, len);
}

int rr_write_checkpoint(struct rr_writer *w, uint64_t stamp, uint64_t hash)
{
    uint8_t v[8];
    put_u64(v, hash);
    return emit(w, RR_CHECKPOINT, stamp, NULL, NULL, v, sizeof v);
}

int rr_write_snapshot(struct rr_writer *w, const char *name)
{
    return emit(w, RR_SNAPSHOT, w->stamp, name, NULL, NULL, 0);
}

int rr_writer_flush(struct rr_writer *w)
{
    if (w->failed)
        return -1;
    errno = 0;
    return fflush(w->f) != 0 ? wfail(w, "cannot write the log") : 0;
}

void rr_writer_abandon(struct rr_writer *w)
{
    fclose(w->f);
    free(w);
}

int rr_writer_close(struct rr_writer *w, uint64_t stamp, uint64_t hash)
{
    uint8_t v[8];
    put_u64(v, hash);
    int r = emit(w, RR_END, stamp, NULL, NULL, v, sizeof v);
    errno = 0;
    if (fclose(w->f) != 0 && r == 0)
        r = wfail(w, "cannot write the log");
    free(w);
    return r;
}

/* ---- reader ---- */

struct rr_reader {
    FILE *f;
    uint64_t off;        /* bytes consumed */
    uint64_t stamp;
    bool ended, failed;
    uint8_t *buf;        /* the current payload */
    size_t cap;
    const char **argv;
    unsigned argv_cap;
    char error[160];
};

static int rfail(struct rr_reader *r, const char *fmt, ...)
{
    if (r->failed)
        return -1;
    r->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
    return -1;
}

static void reader_free(struct rr_reader *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    free(r->buf);
    free(r->argv);
    free(r);
}

struct rr_reader *rr_reader_new(FILE *f, char *err, size_t errlen)
{
    struct rr_reader *r = calloc(1, sizeof *r);
    if (!r) {
        fclose(f);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->f = f;
    uint8_t hdr[12];
    size_t got = fread(hdr, 1, sizeof hdr, f);
    if (got < 8 || memcmp(hdr, RR_MAGIC, 8)) {
        snprintf(err, errlen, "not a rivet record/replay log (no %s magic)", RR_MAGIC);
        reader_free(r);
        return NULL;
    }
    if (got < sizeof hdr) {
        snprintf(err, errlen, "truncated log: the header ends at byte %zu", got);
        reader_free(r);
        return NULL;
    }
    uint32_t v = hdr[8] | hdr[9] << 8 | hdr[10] << 16 | (uint32_t)hdr[11] << 24;
    if (v != RR_VERSION) {
        snprintf(err, errlen, "log format version %u, this rivet reads version %u", v, RR_VERSION);
        reader_free(r);
        return NULL;
    }
    r->off = sizeof hdr;
    return r;
}

struct rr_reader *rr_reader_open(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open the log: %s", strerror(errno));
        return NULL;
    }
    return rr_reader_new(f, err, errlen);
}

const char *rr_reader_error(const struct rr_reader *r) { return r->failed ? r->error : NULL; }
void rr_reader_free(struct rr_reader *r) { reader_free(r); }

/* Reads n bytes into p (and the CRC). 0, or -1 at the end of the file. */
static int get(struct rr_reader *r, void *p, size_t n, uLong *crc)
{
    if (n && fread(p, 1, n, r->f) != n)
        return -1;
    if (crc)
        *crc = crc32(*crc, p, (uInt)n);
    r->off += n;
    return 0;
}

static int get_uvar(struct rr_reader *r, uint64_t *v, uLong *crc, const char *what, uint64_t start)
{
    *v = 0;
    for (unsigned i = 0; i < 10; i++) {
        uint8_t b;
        if (get(r, &b, 1, crc) < 0)
            return rfail(r, "truncated log: the record at byte %llu is cut short", (unsigned long long)start);
        if (i == 9 && b > 1)
            return rfail(r, "corrupted log: the record at byte %llu has a %s beyond 64 bits",
                         (unsigned long long)start, what);
        *v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80))
            return 0;
    }
    return rfail(r, "corrupted log: the record at byte %llu has a %s beyond 64 bits", (unsigned long long)start, what);
}

/* The leading NUL-terminated string of p[0..len): its length with the NUL,
 * or 0 when there is none. */
static size_t str_len(const uint8_t *p, size_t len)
{
    const uint8_t *z = memchr(p, 0, len);
    return z ? (size_t)(z - p) + 1 : 0;
}

int rr_read(struct rr_reader *r, struct rr_record *rec)
{
    if (r->failed)
        return -1;
    uint64_t start = r->off;
    uint8_t type;
    uLong crc = crc32(0, NULL, 0);
    if (get(r, &type, 1, &crc) < 0) {
        if (r->ended)
            return 0;
        return rfail(r, "truncated log: it ends at byte %llu without its final record (the recording was cut short)",
                     (unsigned long long)start);
    }
    if (r->ended)
        return rfail(r, "corrupted log: data after the final record, at byte %llu", (unsigned long long)start);
    if (type < RR_CMDLINE || type > RR_TYPE_MAX)
        return rfail(r, "corrupted log: unknown record type %u at byte %llu", type, (unsigned long long)start);
    uint64_t delta, plen;
    if (get_uvar(r, &delta, &crc, "stamp", start) < 0 || get_uvar(r, &plen, &crc, "length", start) < 0)
        return -1;
    if (plen > RR_MAX_PAYLOAD)
        return rfail(r, "corrupted log: the record at byte %llu claims %llu bytes", (unsigned long long)start,
                     (unsigned long long)plen);
    if (delta > UINT64_MAX - r->stamp)
        return rfail(r, "corrupted log: the record at byte %llu has a stamp beyond 64 bits", (unsigned long long)start);
    if (r->cap < plen + 1) {
        uint8_t *nb = realloc(r->buf, plen + 1);
        if (!nb)
            return rfail(r, "out of memory");
        r->buf = nb;
        r->cap = plen + 1;
    }
    uint8_t tail[4];
    if (get(r, r->buf, plen, &crc) < 0 || get(r, tail, 4, NULL) < 0)
        return rfail(r, "truncated log: the record at byte %llu is cut short", (unsigned long long)start);
    r->buf[plen] = 0;
    uint32_t want = tail[0] | tail[1] << 8 | tail[2] << 16 | (uint32_t)tail[3] << 24;
    if (want != (uint32_t)crc)
        return rfail(r, "corrupted log: bad checksum of the record at byte %llu", (unsigned long long)start);

    memset(rec, 0, sizeof *rec);
    rec->type = type;
    rec->stamp = r->stamp + delta;
    const uint8_t *p = r->buf;
    size_t len = plen;
    rec->name = "";
    bool named = type == RR_IMAGE || type == RR_INPUT || type == RR_TIME || type == RR_ENTROPY || type == RR_SNAPSHOT;
    if (named) {
        size_t n = str_len(p, len);
        if (!n)
            return rfail(r, "corrupted log: the record at byte %llu has no name", (unsigned long long)start);
        rec->name = (const char *)p;
        p += n;
        len -= n;
    }
    if (type == RR_IMAGE) {
        size_t n = str_len(p, len);
        if (!n)
            return rfail(r, "corrupted log: the image record at byte %llu has no path", (unsigned long long)start);
        rec->path = (const char *)p;
        p += n;
        len -= n;
    }
    size_t fixed = type == RR_IMAGE ? 16 : (type == RR_TIME || type == RR_CHECKPOINT || type == RR_END) ? 8 : 0;
    bool exact = type != RR_INPUT && type != RR_ENTROPY && type != RR_CMDLINE;
    if (exact && len != fixed)
        return rfail(r, "corrupted log: the record at byte %llu has %zu bytes where %zu belong",
                     (unsigned long long)start, len, fixed);
    if (type == RR_IMAGE) {
        rec->value2 = get_u64(p);
        rec->value = get_u64(p + 8);
    } else if (fixed) {
        rec->value = get_u64(p);
    } else {
        rec->data = p;
        rec->len = len;
    }
    if (type == RR_CMDLINE) {
        if (len && p[len - 1] != 0)
            return rfail(r, "corrupted log: the command line at byte %llu is not NUL-terminated",
                         (unsigned long long)start);
        unsigned argc = 0;
        for (size_t i = 0; i < len; i++)
            argc += p[i] == 0;
        if (argc + 1 > r->argv_cap) {
            const char **na = realloc(r->argv, (argc + 1) * sizeof *na);
            if (!na)
                return rfail(r, "out of memory");
            r->argv = na;
            r->argv_cap = argc + 1;
        }
        size_t k = 0;
        for (unsigned i = 0; i < argc; i++) {
            r->argv[i] = (const char *)p + k;
            k += strlen((const char *)p + k) + 1;
        }
        r->argv[argc] = NULL;
        rec->argc = argc;
        rec->argv = r->argv;
    }
    r->stamp = rec->stamp;
    if (type == RR_END)
        r->ended = true;
    return 1;
}
