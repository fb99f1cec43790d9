/* Integer kernel: table-driven CRC32 and a multiply-heavy hash over
 * generated data, then heapsorts of salted copies of it (ALU, shifts,
 * loads, multiplies, data-dependent control flow). */
#include "bench.h"

#define DATA_WORDS (64 * 1024)      /* 256 KiB */
#define CRC_ROUNDS 300
#define SORT_ROUNDS 8
#define SORT_WORDS (64 * 1024)

static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32(const uint8_t *p, size_t n, uint32_t crc)
{
    crc = ~crc;
    while (n--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static void sift_down(uint32_t *a, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && a[child] < a[child + 1])
            child++;
        if (a[root] >= a[child])
            return;
        uint32_t t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void heapsort(uint32_t *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (size_t end = n - 1; end > 0; end--) {
        uint32_t t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift_down(a, 0, end);
    }
}

uint64_t kernel_integer(void)
{
    uint32_t *data = heap_alloc(DATA_WORDS * sizeof(uint32_t));
    uint32_t *sorted = heap_alloc(SORT_WORDS * sizeof(uint32_t));
    struct rng r = { 0x123456789abcdefULL };
    uint64_t sum = 0;

    if (!data || !sorted)
        return 0;
    for (size_t i = 0; i < DATA_WORDS; i++)
        data[i] = (uint32_t)(rng_next(&r) >> 16);

    crc_init();
    /* the standard check value: a wrong CRC means a broken CPU */
    if (crc32((const uint8_t *)"123456789", 9, 0) != 0xcbf43926u)
        return 0xbadc0000000000c3ULL;
    uint32_t crc = 0;
    for (int round = 0; round < CRC_ROUNDS; round++) {
        crc = crc32((const uint8_t *)data, DATA_WORDS * sizeof(uint32_t), crc);
        data[round * 97] ^= crc;        /* every round sees new data */
        uint64_t h = crc;
        for (size_t i = 0; i < DATA_WORDS; i += 2)
            h = (h ^ data[i]) * 0x100000001b3ULL + (data[i + 1] >> 3);
        sum = mix64(sum, h);
    }
    sum = mix64(sum, crc);
    mark("crc32");

    for (int round = 0; round < SORT_ROUNDS; round++) {
        uint32_t salt = (uint32_t)(sum >> 7);
        for (size_t i = 0; i < SORT_WORDS; i++)
            sorted[i] = (data[i] ^ salt) * 0x9e3779b1u;
        heapsort(sorted, SORT_WORDS);
        for (size_t i = 1; i < SORT_WORDS; i++)
            if (sorted[i - 1] > sorted[i])
                return 0xbad0000000000000ULL | i;   /* not sorted */
        for (size_t i = 0; i < SORT_WORDS; i += 7)
            sum = mix64(sum, (uint64_t)sorted[i] * (i + 1));
    }
    mark("sort");
    return sum;
}
