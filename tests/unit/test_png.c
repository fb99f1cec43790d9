/* Unit tests for frontends/png.c: every image is decoded again here with a
 * small, strict reader on zlib (chunk layout, every CRC, IHDR fields, the
 * filter byte of each row, all five unfilters, the pixels). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "frontends/png.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint8_t paeth(uint8_t a, uint8_t b, uint8_t c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

struct decoded {
    unsigned w, h;
    uint8_t *rgb;            /* w * h * 3 */
    unsigned idat_chunks;
    unsigned filters_used;   /* bit t set when a row used filter type t */
};

/* Decodes png (as png.c writes it) or fails the test. */
static void decode(const uint8_t *png, size_t len, struct decoded *d)
{
    static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    memset(d, 0, sizeof *d);
    assert_true(len >= 8);
    assert_memory_equal(png, sig, 8);
    size_t pos = 8;
    uint8_t *zdata = NULL;
    size_t zlen = 0;
    int seen_ihdr = 0, seen_iend = 0;
    while (pos < len) {
        assert_true(len - pos >= 12);
        uint32_t clen = be32(png + pos);
        assert_true(clen <= len - pos - 12);
        const uint8_t *type = png + pos + 4;
        const uint8_t *data = png + pos + 8;
        uint32_t crc = (uint32_t)crc32(crc32(0, Z_NULL, 0), type, clen + 4);
        assert_int_equal(crc, be32(data + clen));
        assert_false(seen_iend);  /* nothing after IEND */
        if (memcmp(type, "IHDR", 4) == 0) {
            assert_int_equal(pos, 8);  /* IHDR comes first */
            assert_int_equal(clen, 13);
            d->w = be32(data);
            d->h = be32(data + 4);
            assert_int_equal(data[8], 8);
            assert_int_equal(data[9], 2);
            assert_int_equal(data[10], 0);
            assert_int_equal(data[11], 0);
            assert_int_equal(data[12], 0);
            seen_ihdr = 1;
        } else if (memcmp(type, "IDAT", 4) == 0) {
            assert_true(seen_ihdr);
            assert_true(clen <= 65536);
            zdata = realloc(zdata, zlen + clen + 1);
            assert_non_null(zdata);
            memcpy(zdata + zlen, data, clen);
            zlen += clen;
            d->idat_chunks++;
        } else if (memcmp(type, "IEND", 4) == 0) {
            assert_int_equal(clen, 0);
            seen_iend = 1;
        } else {
            fail_msg("unexpected chunk %.4s", (const char *)type);
        }
        pos += 12 + clen;
    }
    assert_true(seen_ihdr && seen_iend);
    assert_true(d->idat_chunks > 0);

    size_t rowlen = (size_t)d->w * 3;
    size_t rawlen = (rowlen + 1) * d->h;
    uint8_t *raw = malloc(rawlen + 1);
    assert_non_null(raw);
    z_stream z = { 0 };
    assert_int_equal(inflateInit(&z), Z_OK);
    z.next_in = zdata;
    z.avail_in = (uInt)zlen;
    z.next_out = raw;
    z.avail_out = (uInt)rawlen + 1;   /* one spare byte catches excess data */
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    assert_int_equal(z.total_out, rawlen);
    assert_int_equal(z.avail_in, 0);   /* no garbage after the stream */
    inflateEnd(&z);
    free(zdata);

    d->rgb = malloc(rowlen * d->h + 1);
    assert_non_null(d->rgb);
    for (unsigned y = 0; y < d->h; y++) {
        const uint8_t *in = raw + y * (rowlen + 1);
        uint8_t *out = d->rgb + y * rowlen;
        const uint8_t *prev = y ? out - rowlen : NULL;
        uint8_t ft = in[0];
        assert_true(ft <= 4);
        d->filters_used |= 1u << ft;
        for (size_t i = 0; i < rowlen; i++) {
            uint8_t a = i >= 3 ? out[i - 3] : 0;
            uint8_t b = prev ? prev[i] : 0;
            uint8_t c = prev && i >= 3 ? prev[i - 3] : 0;
            uint8_t x = in[1 + i];
            switch (ft) {
            case 0: out[i] = x; break;
            case 1: out[i] = (uint8_t)(x + a); break;
            case 2: out[i] = (uint8_t)(x + b); break;
            case 3: out[i] = (uint8_t)(x + ((a + b) >> 1)); break;
            case 4: out[i] = (uint8_t)(x + paeth(a, b, c)); break;
            }
        }
    }
    free(raw);
}

/* Encodes rgb (stride may exceed w*3), decodes it, compares every pixel. */
static struct decoded roundtrip(unsigned w, unsigned h, const uint8_t *rgb, size_t stride)
{
    uint8_t *png = NULL;
    size_t len = 0;
    char err[128] = "";
    assert_int_equal(png_encode_mem(w, h, rgb, stride, &png, &len, err, sizeof err), 0);
    struct decoded d;
    decode(png, len, &d);
    assert_int_equal(d.w, w);
    assert_int_equal(d.h, h);
    for (unsigned y = 0; y < h; y++)
        assert_memory_equal(d.rgb + (size_t)y * w * 3, rgb + (size_t)y * stride, (size_t)w * 3);
    free(png);
    return d;
}

static uint8_t *pattern(unsigned w, unsigned h, size_t stride, unsigned seed)
{
    uint8_t *p = malloc(stride * h);
    assert_non_null(p);
    uint32_t r = seed * 2654435761u + 1;
    for (unsigned y = 0; y < h; y++) {
        for (size_t i = 0; i < stride; i++) {
            r = r * 1664525u + 1013904223u;
            /* Mixed content: smooth gradients, flat areas, and noise, so
             * every filter type has rows it wins on. */
            unsigned x = (unsigned)(i / 3);
            uint8_t v;
            switch ((y / 8) % 4) {
            case 0: v = (uint8_t)(x + y * (i % 3 + 1)); break;
            case 1: v = (uint8_t)((x / 4) * 40); break;
            case 2: v = (uint8_t)(r >> 24); break;
            default: v = (uint8_t)(y * 3 + x * x); break;
            }
            p[(size_t)y * stride + i] = i < (size_t)w * 3 ? v : 0xEE;
        }
    }
    return p;
}

static void test_one_pixel(void **state)
{
    const uint8_t px[3] = { 0x12, 0x34, 0x56 };
    struct decoded d = roundtrip(1, 1, px, 3);
    assert_memory_equal(d.rgb, px, 3);
    free(d.rgb);
}

static void test_odd_size_with_padding(void **state)
{
    /* 3x7 with a stride of 16: the padding bytes must not leak in. */
    uint8_t *p = pattern(3, 7, 16, 1);
    struct decoded d = roundtrip(3, 7, p, 16);
    free(d.rgb);
    free(p);
}

static void test_large_uses_all_filters_and_chunks(void **state)
{
    unsigned w = 1024, h = 768;
    uint8_t *p = pattern(w, h, (size_t)w * 3, 7);
    struct decoded d = roundtrip(w, h, p, (size_t)w * 3);
    /* Noise rows do not compress: the stream spans many 64 KiB IDATs. */
    assert_true(d.idat_chunks > 1);
    /* The pattern is built so that each filter type wins some rows. */
    assert_int_equal(d.filters_used, 0x1f);
    free(d.rgb);
    free(p);
}

static void test_flat_image_is_small(void **state)
{
    unsigned w = 640, h = 480;
    uint8_t *p = calloc((size_t)w * 3, h);
    uint8_t *png;
    size_t len;
    assert_int_equal(png_encode_mem(w, h, p, (size_t)w * 3, &png, &len, NULL, 0), 0);
    assert_true(len < 4096);
    struct decoded d;
    decode(png, len, &d);
    assert_int_equal(d.idat_chunks, 1);
    free(d.rgb);
    free(png);
    free(p);
}

static void test_every_width_small(void **state)
{
    /* Widths 1..9 x heights 1..5 cover the filters' left-edge handling. */
    for (unsigned w = 1; w <= 9; w++) {
        for (unsigned h = 1; h <= 5; h++) {
            uint8_t *p = pattern(w, h, (size_t)w * 3 + 1, w * 16 + h);
            struct decoded d = roundtrip(w, h, p, (size_t)w * 3 + 1);
            free(d.rgb);
            free(p);
        }
    }
}

static void test_file_matches_memory(void **state)
{
    unsigned w = 37, h = 23;
    uint8_t *p = pattern(w, h, (size_t)w * 3, 3);
    char path[] = "/tmp/rivet-test-png-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[256] = "";
    assert_int_equal(png_write(path, w, h, p, (size_t)w * 3, err, sizeof err), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    unlink(path);
    uint8_t *png;
    size_t len;
    assert_int_equal(png_encode_mem(w, h, p, (size_t)w * 3, &png, &len, err, sizeof err), 0);
    assert_int_equal(n, len);
    assert_memory_equal(buf, png, len);
    free(png);
    free(p);
}

static void test_errors(void **state)
{
    uint8_t px[12] = { 0 };
    char err[256];
    uint8_t *png = (uint8_t *)1;
    size_t len = 0;
    assert_int_equal(png_encode_mem(0, 1, px, 3, &png, &len, err, sizeof err), -1);
    assert_non_null(strstr(err, "size"));
    assert_int_equal(png_encode_mem(1, 0, px, 3, &png, &len, err, sizeof err), -1);
    assert_int_equal(png_encode_mem(PNG_MAX_DIM + 1, 1, px, 3, &png, &len, NULL, 0), -1);
    assert_int_equal(png_encode_mem(2, 2, px, 5, &png, &len, err, sizeof err), -1);
    assert_non_null(strstr(err, "stride"));
    assert_ptr_equal(png, (uint8_t *)1);   /* untouched on failure */

    assert_int_equal(png_write("/nonexistent-dir/x.png", 1, 1, px, 3, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent-dir/x.png"));
    assert_non_null(strstr(err, "No such file"));

    /* A write error (full disk) is reported; a device is never removed. */
    if (access("/dev/full", W_OK) == 0) {
        uint8_t *black = calloc(64 * 64, 3);
        assert_int_equal(png_write("/dev/full", 64, 64, black, 64 * 3, err, sizeof err), -1);
        assert_non_null(strstr(err, "/dev/full"));
        assert_int_equal(access("/dev/full", F_OK), 0);   /* not removed */
        free(black);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_pixel),
        cmocka_unit_test(test_odd_size_with_padding),
        cmocka_unit_test(test_large_uses_all_filters_and_chunks),
        cmocka_unit_test(test_flat_image_is_small),
        cmocka_unit_test(test_every_width_small),
        cmocka_unit_test(test_file_matches_memory),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
