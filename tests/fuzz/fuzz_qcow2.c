/* tests/fuzz/fuzz_qcow2.c: qcow2 headers and tables from a user's file.
 *
 * The first input byte picks the mode. Odd: the rest of the input is the
 * image file (the seeds are small images made by qemu-img). Even: the rest
 * is a list of patches (u16 offset, u8 length, bytes) applied to a
 * built-in healthy image (512-byte clusters, 64 KiB disk, an L2 table, data
 * clusters), so that most inputs get past the magic and the header checks
 * into the tables. The image goes to a memfd and is opened through its
 * /proc/self/fd path, read-write, as -drive would; when it opens, a fixed
 * mix of reads, writes (partial and whole clusters), discards,
 * write-zeroes and flushes runs, then it is closed (writing the tables
 * back) and opened again.
 *
 * Checked besides ASan/UBSan: a refused image says why in one line; a
 * request is answered 0 or -errno, never anything else; the file does not
 * grow beyond what the writes can allocate. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontends/hostfile.h"
#include "frontends/qcow2.h"
#include "fuzz_input.h"

#define CS 512u
#define TEMPLATE_SIZE (10 * CS)

static void bug(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_qcow2: %s (%s)\n", what, detail);
    abort();
}

static void be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/* header | refcount table | refcount block | L1 | L2 | 5 data clusters */
static void template(uint8_t *t)
{
    memset(t, 0, TEMPLATE_SIZE);
    be32(t, 0x514649fb);
    be32(t + 4, 3);
    be32(t + 20, 9);              /* cluster_bits */
    be64(t + 24, 64 << 10);       /* size */
    be32(t + 36, 2);              /* l1_size: 64 entries of 512 B per table */
    be64(t + 40, 3 * CS);
    be64(t + 48, 1 * CS);
    be32(t + 56, 1);
    be32(t + 96, 4);
    be32(t + 100, 104);
    be64(t + CS, 2 * CS);
    for (unsigned c = 0; c < 10; c++)
        t[2 * CS + 2 * c + 1] = 1;
    be64(t + 3 * CS, 4 * CS | 1ull << 63);
    for (unsigned i = 0; i < 5; i++)
        be64(t + 4 * CS + 8 * (i * 3), (5 + i) * CS | 1ull << 63);
    for (unsigned i = 5 * CS; i < TEMPLATE_SIZE; i++)
        t[i] = (uint8_t)(i * 7);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void check_rc(int r, const char *what)
{
    if (r != 0 && (r >= 0 || r < -4095))
        bug("a request returned neither 0 nor -errno", what);
}

static void exercise(struct blkdev *b, struct fin *in)
{
    static uint8_t buf[8192];
    uint64_t size = b->size;
    for (int i = 0; i < 12; i++) {
        uint8_t op = fin_u8(in);
        uint64_t off = (uint64_t)fin_u16(in) * 512 % size;
        uint64_t len = ((uint64_t)fin_u8(in) % 16 + 1) * 512;
        if (len > size - off)
            len = size - off;
        struct iovec v[2] = { { buf, 512 }, { buf + 512, len - 512 } };
        int cnt = len > 512 ? 2 : 1;
        switch (op % 6) {
        case 0: case 1: check_rc(b->ops->preadv(b, v, cnt, off), "read"); break;
        case 2:
            memset(buf, op, len);
            check_rc(b->ops->pwritev(b, v, cnt, off), "write");
            break;
        case 3: check_rc(b->ops->discard(b, off, len), "discard"); break;
        case 4: check_rc(b->ops->write_zeroes(b, off, len, op & 8), "write zeroes"); break;
        case 5: check_rc(b->ops->flush(b), "flush"); break;
        }
    }
}

static struct blkdev *open_fd(int fd, char *err, size_t errlen)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct hostfile *f = hostfile_open(path, false, HOSTFILE_CACHE_UNSAFE, true, err, errlen);
    if (!f)
        bug("cannot open the memfd", err);
    return qcow2_open(f, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1u << 20) || ((data[0] & 1) && size < 1 + 104))
        return 0;
    static uint8_t t[TEMPLATE_SIZE];
    const uint8_t *img = data + 1;
    size_t img_len = size - 1;
    struct fin in = { 0 };
    if (!(data[0] & 1)) {
        template(t);
        struct fin p = { data + 1, size - 1 };
        while (p.n >= 3) {
            uint16_t off = fin_u16(&p) % TEMPLATE_SIZE;
            uint8_t n = fin_u8(&p);
            for (unsigned k = 0; k < n && p.n && off + k < TEMPLATE_SIZE; k++)
                t[off + k] = fin_u8(&p);
        }
        img = t;
        img_len = TEMPLATE_SIZE;
        in = (struct fin){ data + 1, size - 1 }; /* the patches double as the requests */
    } else {
        in = (struct fin){ data + 1 + (size - 1) / 2, (size - 1) - (size - 1) / 2 };
    }
    int fd = memfd_create("qcow2", MFD_CLOEXEC);
    if (fd < 0 || write(fd, img, img_len) != (ssize_t)img_len)
        bug("memfd", "");
    char err[256] = "";
    struct blkdev *b = open_fd(fd, err, sizeof err);
    if (!b) {
        if (!err[0] || strchr(err, '\n'))
            bug("refused without a one-line reason", err);
        close(fd);
        return 0;
    }
    exercise(b, &in);
    b->ops->close(b);
    struct stat st;
    if (fstat(fd, &st) < 0)
        bug("fstat", "");
    /* Allocation goes to free clusters inside the range the refcount table
     * covers, or just past it when the table grows (a new block and table
     * there): at most 12 writes of 16 clusters plus L2 tables. */
    unsigned cb = rd32(img + 20), order = rd32(img + 4) == 3 ? rd32(img + 96) : 4;
    uint64_t cs = 1ull << (cb & 31), rtc = rd32(img + 56);
    uint64_t covered = cb >= 9 && cb <= 21 && order <= 6 ? rtc * cs / 8 * ((cs * 8) >> order) * cs : 0;
    uint64_t limit = (img_len > covered ? img_len : covered) + 12 * 17 * cs + (2 * rtc + 8) * cs + (1u << 20);
    if ((uint64_t)st.st_size > limit)
        bug("the file grew beyond what the writes allocate", "");
    err[0] = 0;
    b = open_fd(fd, err, sizeof err);
    if (b) {
        uint8_t buf[4096];
        struct iovec v = { buf, sizeof buf };
        check_rc(b->ops->preadv(b, &v, 1, 0), "read after reopen");
        b->ops->close(b);
    }
    close(fd);
    return 0;
}
