/* frontends/png.c: PNG encoder on zlib (see png.h). Written from the PNG
 * specification (ISO/IEC 15948, W3C PNG 2nd edition): signature, IHDR,
 * IDAT*, IEND; each chunk is length, type, data, CRC-32 of type and data. */
#include "frontends/png.h"
#include "bus/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* Large enough that a 1024x768 screendump is a handful of chunks, small
 * enough to live on the heap without thought. */
#define PNG_IDAT_MAX 65536u

enum { FILTER_NONE, FILTER_SUB, FILTER_UP, FILTER_AVERAGE, FILTER_PAETH, FILTER_COUNT };

/* Where encoded bytes go: a FILE or a growing memory buffer. */
struct png_sink {
    FILE *f;
    uint8_t *buf;
    size_t len, cap;
    bool failed;
    int write_errno;  /* why the FILE failed */
};

static void sink_put(struct png_sink *s, const void *p, size_t n)
{
    if (s->failed || n == 0)
        return;
    if (s->f) {
        if (fwrite(p, 1, n, s->f) != n) {
            s->failed = true;
            s->write_errno = errno ? errno : EIO;
        }
        return;
    }
    if (n > s->cap - s->len) {
        size_t cap = s->cap ? s->cap : 4096;
        while (n > cap - s->len) {
            if (cap > SIZE_MAX / 2) {
                s->failed = true;
                return;
            }
            cap *= 2;
        }
        uint8_t *nb = realloc(s->buf, cap);
        if (!nb) {
            s->failed = true;
            return;
        }
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put_chunk(struct png_sink *s, const char type[4], const uint8_t *data, uint32_t len)
{
    uint8_t hdr[8];
    put_be32(hdr, len);
    memcpy(hdr + 4, type, 4);
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, (const Bytef *)type, 4);
    if (len)
        crc = crc32(crc, data, len);
    uint8_t tail[4];
    put_be32(tail, (uint32_t)crc);
    sink_put(s, hdr, sizeof hdr);
    sink_put(s, data, len);
    sink_put(s, tail, sizeof tail);
}

static uint8_t paeth(uint8_t a, uint8_t b, uint8_t c)
{
    int p = (int)a + b - c;
    int pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    if (pa <= pb && pa <= pc)
        return a;
    return pb <= pc ? b : c;
}

/* Filters one row (n bytes, bpp 3) with every filter type into out[t]
 * (each n + 1 bytes, the first being the type) and returns the type whose
 * bytes, read as signed, have the smallest sum of magnitudes. */
static int filter_row(const uint8_t *cur, const uint8_t *prev, size_t n,
                      uint8_t *out[FILTER_COUNT])
{
    const size_t bpp = 3;
    unsigned long sum[FILTER_COUNT] = { 0 };
    for (int t = 0; t < FILTER_COUNT; t++)
        out[t][0] = (uint8_t)t;
    for (size_t i = 0; i < n; i++) {
        uint8_t x = cur[i];
        uint8_t a = i >= bpp ? cur[i - bpp] : 0;
        uint8_t b = prev[i];
        uint8_t c = i >= bpp ? prev[i - bpp] : 0;
        uint8_t v[FILTER_COUNT] = {
            x,
            (uint8_t)(x - a),
            (uint8_t)(x - b),
            (uint8_t)(x - ((a + b) >> 1)),
            (uint8_t)(x - paeth(a, b, c)),
        };
        for (int t = 0; t < FILTER_COUNT; t++) {
            out[t][i + 1] = v[t];
            sum[t] += v[t] < 128 ? v[t] : 256u - v[t];
        }
    }
    int best = 0;
    for (int t = 1; t < FILTER_COUNT; t++)
        if (sum[t] < sum[best])
            best = t;
    return best;
}

/* Runs deflate over `in` (or finishes the stream when flush is Z_FINISH),
 * emitting a full IDAT whenever the output buffer fills. */
static int deflate_into(z_stream *z, struct png_sink *s, uint8_t *idat,
                        const uint8_t *in, size_t len, int flush)
{
    z->next_in = (Bytef *)in;
    z->avail_in = (uInt)len;
    for (;;) {
        int rc = deflate(z, flush);
        if (rc == Z_STREAM_ERROR)
            return -1;
        bool done = flush == Z_FINISH ? rc == Z_STREAM_END
                                      : z->avail_in == 0 && z->avail_out != 0;
        if (z->avail_out == 0 || (done && flush == Z_FINISH && z->avail_out < PNG_IDAT_MAX)) {
            put_chunk(s, "IDAT", idat, PNG_IDAT_MAX - z->avail_out);
            z->next_out = idat;
            z->avail_out = PNG_IDAT_MAX;
        }
        if (done)
            break;
    }
    return 0;
}

static int encode(struct png_sink *s, unsigned w, unsigned h, const uint8_t *rgb,
                  size_t stride, char *err, size_t errlen)
{
    if (w == 0 || h == 0 || w > PNG_MAX_DIM || h > PNG_MAX_DIM) {
        errf(err, errlen, "bad image size %ux%u (1..%u each way)", w, h, PNG_MAX_DIM);
        return -1;
    }
    size_t rowlen = (size_t)w * 3;
    if (!rgb || stride < rowlen) {
        errf(err, errlen, "bad pixel buffer (stride %zu for width %u)", stride, w);
        return -1;
    }

    static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    sink_put(s, signature, sizeof signature);
    uint8_t ihdr[13];
    put_be32(ihdr, w);
    put_be32(ihdr + 4, h);
    ihdr[8] = 8;   /* bits per sample */
    ihdr[9] = 2;   /* truecolour */
    ihdr[10] = 0;  /* deflate */
    ihdr[11] = 0;  /* adaptive filtering, five basic types */
    ihdr[12] = 0;  /* no interlace */
    put_chunk(s, "IHDR", ihdr, sizeof ihdr);

    uint8_t *idat = malloc(PNG_IDAT_MAX);
    uint8_t *zero = calloc(1, rowlen);
    uint8_t *rows = malloc((rowlen + 1) * FILTER_COUNT);
    int rc = -1;
    z_stream z;
    memset(&z, 0, sizeof z);
    bool z_ok = false;
    if (!idat || !zero || !rows) {
        errf(err, errlen, "out of memory");
        goto out;
    }
    if (deflateInit(&z, Z_DEFAULT_COMPRESSION) != Z_OK) {
        errf(err, errlen, "zlib deflateInit failed");
        goto out;
    }
    z_ok = true;
    z.next_out = idat;
    z.avail_out = PNG_IDAT_MAX;

    uint8_t *filtered[FILTER_COUNT];
    for (int t = 0; t < FILTER_COUNT; t++)
        filtered[t] = rows + (size_t)t * (rowlen + 1);
    const uint8_t *prev = zero;
    for (unsigned y = 0; y < h; y++) {
        const uint8_t *cur = rgb + (size_t)y * stride;
        int t = filter_row(cur, prev, rowlen, filtered);
        if (deflate_into(&z, s, idat, filtered[t], rowlen + 1, Z_NO_FLUSH) < 0) {
            errf(err, errlen, "zlib deflate failed");
            goto out;
        }
        prev = cur;
    }
    if (deflate_into(&z, s, idat, NULL, 0, Z_FINISH) < 0) {
        errf(err, errlen, "zlib deflate failed");
        goto out;
    }
    put_chunk(s, "IEND", NULL, 0);
    if (s->failed) {
        if (s->f)
            errf(err, errlen, "write failed: %s", strerror(s->write_errno));
        else
            errf(err, errlen, "out of memory");
        goto out;
    }
    rc = 0;
out:
    if (z_ok)
        deflateEnd(&z);
    free(idat);
    free(zero);
    free(rows);
    return rc;
}

int png_encode_mem(unsigned w, unsigned h, const uint8_t *rgb, size_t stride,
                   uint8_t **out, size_t *out_len, char *err, size_t errlen)
{
    struct png_sink s = { 0 };
    if (encode(&s, w, h, rgb, stride, err, errlen) < 0) {
        free(s.buf);
        return -1;
    }
    *out = s.buf;
    *out_len = s.len;
    return 0;
}

int png_write(const char *path, unsigned w, unsigned h, const uint8_t *rgb,
              size_t stride, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        errf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    /* Only a regular file is removed after a failure: the path may be a
     * device or a pipe (/dev/stdout, /dev/full) that is not ours. */
    struct stat st;
    bool regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    struct png_sink s = { .f = f };
    int rc = encode(&s, w, h, rgb, stride, err, errlen);
    if (fclose(f) != 0 && rc == 0) {
        errf(err, errlen, "write failed: %s", strerror(errno));
        rc = -1;
    }
    if (rc < 0) {
        /* Prefix the file name once, whatever went wrong after fopen. */
        if (err && errlen) {
            char why[256];
            snprintf(why, sizeof why, "%s", err);
            errf(err, errlen, "%s: %s", path, why);
        }
        if (regular)
            remove(path);
    }
    return rc;
}
