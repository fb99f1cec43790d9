/* userbench heldout: a second user-mode CPU workload with code of its own
 * (not tuned against: it checks that the mix's ratio holds elsewhere).
 * Parts: a string-keyed open-addressing hash table, a recursive quicksort
 * of records through a comparison function pointer, an LZ77-style
 * compressor and its decompressor, a Mandelbrot set in doubles, and a
 * sparse matrix-vector product. One checksum line per part and a total. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fold(uint64_t h, uint64_t v)
{
    return (h ^ v) * 0x100000001b3ull + (h >> 29);
}

static uint32_t lcg_s = 12345;
static uint32_t lcg(void)
{
    lcg_s = lcg_s * 1103515245u + 12345u;
    return lcg_s >> 1;
}

/* ---- hash table of short strings */
struct slot { char key[16]; uint32_t count; };

static uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

static uint64_t part_hash(void)
{
    enum { SLOTS = 1 << 16, WORDS = 800000 };
    struct slot *t = calloc(SLOTS, sizeof *t);
    uint64_t probes = 0;
    char w[16];
    for (int i = 0; i < WORDS; i++) {
        int len = 3 + (int)(lcg() % 3); /* at most 19551 words: the table never fills */
        uint32_t r = lcg();
        for (int k = 0; k < len; k++) {
            w[k] = (char)('a' + (r % 7));
            r = r / 7 + (uint32_t)k * 31u;
        }
        w[len] = 0;
        uint32_t h = str_hash(w) & (SLOTS - 1);
        while (t[h].count && strcmp(t[h].key, w) != 0) {
            h = (h + 1) & (SLOTS - 1);
            probes++;
        }
        if (!t[h].count)
            memcpy(t[h].key, w, (size_t)len + 1);
        t[h].count++;
    }
    uint64_t sum = probes;
    for (int i = 0; i < SLOTS; i++)
        if (t[i].count)
            sum = fold(sum, (uint64_t)i * t[i].count);
    free(t);
    return sum;
}

/* ---- quicksort of records */
struct rec { int32_t a; uint32_t b; double c; };

static int cmp_rec(const void *x, const void *y)
{
    const struct rec *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

static void qsort_rec(struct rec *v, int lo, int hi, int (*cmp)(const void *, const void *))
{
    while (lo < hi) {
        struct rec pivot = v[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (cmp(&v[i], &pivot) < 0) i++;
            while (cmp(&v[j], &pivot) > 0) j--;
            if (i <= j) {
                struct rec t = v[i]; v[i] = v[j]; v[j] = t;
                i++; j--;
            }
        }
        if (j - lo < hi - i) {
            qsort_rec(v, lo, j, cmp);
            lo = i;
        } else {
            qsort_rec(v, i, hi, cmp);
            hi = j;
        }
    }
}

static uint64_t part_sort(void)
{
    enum { N = 60000, ROUNDS = 10 };
    struct rec *v = malloc(N * sizeof *v);
    uint64_t h = 0;
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < N; i++) {
            v[i].a = (int32_t)(lcg() % 5000) - 2500;
            v[i].b = lcg();
            v[i].c = (double)i;
        }
        qsort_rec(v, 0, N - 1, cmp_rec);
        for (int i = 0; i < N; i += 97)
            h = fold(h, (uint64_t)(uint32_t)v[i].a ^ v[i].b);
    }
    free(v);
    return h;
}

/* ---- LZ77-style: greedy matches through a 4 KiB hash of 3-byte prefixes */
static size_t lz_pack(const uint8_t *in, size_t n, uint8_t *out)
{
    static int32_t head[4096];
    for (int i = 0; i < 4096; i++)
        head[i] = -1;
    size_t o = 0, i = 0;
    while (i < n) {
        size_t best = 0, dist = 0;
        if (i + 3 <= n) {
            uint32_t k = ((uint32_t)in[i] << 8 ^ (uint32_t)in[i + 1] << 4 ^ in[i + 2]) & 4095;
            int32_t c = head[k];
            head[k] = (int32_t)i;
            if (c >= 0 && i - (size_t)c < 65535) {
                size_t l = 0;
                while (i + l < n && l < 255 && in[c + (int32_t)l] == in[i + l])
                    l++;
                if (l >= 4) {
                    best = l;
                    dist = i - (size_t)c;
                }
            }
        }
        if (best) {
            out[o++] = 0xff;
            out[o++] = (uint8_t)best;
            out[o++] = (uint8_t)dist;
            out[o++] = (uint8_t)(dist >> 8);
            i += best;
        } else {
            if (in[i] == 0xff)
                out[o++] = 0xff, out[o++] = 0;
            else
                out[o++] = in[i];
            i++;
        }
    }
    return o;
}

static size_t lz_unpack(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (in[i] != 0xff) {
            out[o++] = in[i++];
        } else if (in[i + 1] == 0) {
            out[o++] = 0xff;
            i += 2;
        } else {
            size_t l = in[i + 1], d = (size_t)in[i + 2] | (size_t)in[i + 3] << 8;
            for (size_t k = 0; k < l; k++, o++)
                out[o] = out[o - d];
            i += 4;
        }
    }
    return o;
}

static uint64_t part_lz(void)
{
    enum { N = 256 * 1024, ROUNDS = 16 };
    uint8_t *in = malloc(N), *packed = malloc(2 * N + 16), *back = malloc(N);
    static const char *words[] = { "the ", "emulator ", "runs ", "guest ", "code ", "fast ", "and ", "well ", "\n" };
    size_t n = 0;
    while (n < N - 16) {
        const char *w = words[lcg() % 9];
        size_t l = strlen(w);
        memcpy(in + n, w, l);
        n += l;
        if (lcg() % 5 == 0)
            in[n++] = (uint8_t)lcg();
    }
    uint64_t h = 0;
    for (int r = 0; r < ROUNDS; r++) {
        in[r * 1000] ^= (uint8_t)r;
        size_t p = lz_pack(in, n, packed);
        size_t u = lz_unpack(packed, p, back);
        if (u != n || memcmp(in, back, n) != 0)
            return 0xbad;
        h = fold(h, p);
    }
    free(in);
    free(packed);
    free(back);
    return h;
}

/* ---- Mandelbrot in doubles */
static uint64_t part_mandel(void)
{
    enum { W = 240, H = 180, ITER = 256 };
    uint64_t h = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double cr = -2.2 + 3.2 * x / W, ci = -1.2 + 2.4 * y / H;
            double zr = 0, zi = 0;
            int k = 0;
            while (k < ITER && zr * zr + zi * zi < 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2 * zr * zi + ci;
                zr = t;
                k++;
            }
            h = fold(h, (uint64_t)k);
        }
    return h;
}

/* ---- sparse matrix (CSR) times vector, integer */
static uint64_t part_spmv(void)
{
    enum { N = 20000, PER_ROW = 12, ROUNDS = 60 };
    int32_t *col = malloc(N * PER_ROW * sizeof *col);
    int32_t *val = malloc(N * PER_ROW * sizeof *val);
    int64_t *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    for (int i = 0; i < N * PER_ROW; i++) {
        col[i] = (int32_t)(lcg() % N);
        val[i] = (int32_t)(lcg() % 19) - 9;
    }
    for (int i = 0; i < N; i++)
        x[i] = i % 7;
    uint64_t h = 0;
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < N; i++) {
            int64_t s = 0;
            for (int k = i * PER_ROW; k < (i + 1) * PER_ROW; k++)
                s += val[k] * x[col[k]];
            y[i] = s;
        }
        for (int i = 0; i < N; i++)
            x[i] = (y[i] >> 2) ^ (y[i] & 3);
        h = fold(h, (uint64_t)x[r * 7]);
    }
    free(col);
    free(val);
    free(x);
    free(y);
    return h;
}

int main(void)
{
    static const struct { const char *name; uint64_t (*fn)(void); } parts[] = {
        { "hash", part_hash }, { "sort", part_sort }, { "lz", part_lz },
        { "mandel", part_mandel }, { "spmv", part_spmv },
    };
    uint64_t total = 0;
    for (unsigned i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        uint64_t h = parts[i].fn();
        printf("%s checksum=0x%016llx\n", parts[i].name, (unsigned long long)h);
        total = fold(total, h);
    }
    printf("heldout checksum=0x%016llx\n", (unsigned long long)total);
    return 0;
}
