/* tests/fuzz/fuzz_drive.c: the drive backend (frontends/drive.c over
 * frontends/hostfile.c) on a real temporary file, called as virtio-blk
 * calls it. The first bytes choose the -drive options: cache mode (none
 * and directsync open with O_DIRECT; requests that are not 512-aligned in
 * offset, length and buffer fall back to the buffered descriptor),
 * discard=unmap|ignore, format=raw or probed, snapshot=on (a qcow2
 * overlay takes the writes), and the image's size and first bytes. Then a
 * script of requests inside the disk, as the device makes them:
 *   0 read, 1 write: u8 flags (bit 0: aligned for O_DIRECT), u32 offset,
 *                    u8 segments (1-4), each u16 length (and a u8
 *                    misalignment when not aligned); write data is a
 *                    pattern from a u8 seed, odd seeds then 8 input bytes
 *   2 discard, 3 write-zeroes (u8 unmap): u8 flags, u32 offset, u16 length
 *   4 flush
 * Checked besides ASan/UBSan: every call answers 0 or -errno; a read
 * returns what a model of the disk says (the written bytes, zeros after
 * write-zeroes; after a discard, zeros, the old bytes or (under a
 * snapshot overlay) the image's; a failed write leaves its range unknown). The file lives in $TMPDIR (default /tmp),
 * unlinked at the end of each input. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "frontends/drive.h"
#include "fuzz_input.h"

#define MAX_SIZE (64u << 10)
#define SEG_MAX 8192u

static uint8_t model[MAX_SIZE], known[MAX_SIZE], orig[MAX_SIZE];
static uint8_t *pool;   /* 4 segments of SEG_MAX + slack, 4 KiB aligned */

/* For replay.c under `make test`: an input opens, writes and unlinks a
 * file; 1500 keep the replay at a few seconds. */
const unsigned fuzz_replay_inputs = 1500;

static void bug(const char *what, uint64_t off)
{
    fprintf(stderr, "fuzz_drive: %s (offset %llu)\n", what, (unsigned long long)off);
    abort();
}

static void check_rc(int r, uint64_t off)
{
    if (r > 0 || r < -4095)
        bug("a request answered neither 0 nor -errno", off);
}

struct req {
    struct iovec iov[4];
    int cnt;
    uint64_t off, len;
};

/* Segments for a read or write at a place within the disk. */
static bool make_req(struct fin *in, uint64_t size, struct req *q)
{
    bool aligned = fin_u8(in) & 1;
    uint64_t off = fin_u32(in) % size;
    unsigned nseg = 1 + fin_u8(in) % 4;
    if (aligned)
        off &= ~511ull;
    q->off = off;
    q->len = 0;
    q->cnt = 0;
    for (unsigned i = 0; i < nseg; i++) {
        uint64_t l = fin_u16(in) % SEG_MAX;
        unsigned shift = aligned ? 0 : fin_u8(in) % 64;
        if (aligned)
            l &= ~511ull;
        if (l > size - off - q->len)
            l = size - off - q->len;
        q->iov[q->cnt++] = (struct iovec){ pool + i * (SEG_MAX + 4096) + shift, (size_t)l };
        q->len += l;
    }
    return q->len > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fin in = { data, size };
    if (!pool && posix_memalign((void **)&pool, 4096, 4 * (SEG_MAX + 4096)))
        abort();
    static const char *const caches[] = { "writeback", "none", "writethrough", "directsync", "unsafe" };
    uint8_t mode = fin_u8(&in);
    const char *cache = caches[(mode & 7) % 5];
    bool discard = !(mode & 8), probe = mode & 16, snapshot = mode & 32;
    uint64_t disk = 512 + (fin_u16(&in) % (MAX_SIZE - 511));
    if (fin_u8(&in) & 1)
        disk &= ~511ull;

    /* tmpfs: fdatasync costs nothing there (on a disk, flushes made an
     * input take milliseconds); Linux 6.6+ tmpfs takes O_DIRECT too. */
    const char *dir = getenv("FUZZ_DRIVE_DIR");
    if (!dir || !*dir)
        dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    setenv("TMPDIR", dir, 1);   /* snapshot=on's overlay too */
    char path[512];
    snprintf(path, sizeof path, "%s/fuzz_drive.XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    /* The image: a few input bytes at the start, then a pattern. */
    unsigned head = fin_u8(&in) % 64;
    for (uint64_t i = 0; i < disk; i++)
        model[i] = i < head ? fin_u8(&in) : (uint8_t)(i * 7 + 3);
    if (write(fd, model, disk) != (ssize_t)disk)
        abort();
    memcpy(orig, model, disk);
    close(fd);
    memset(known, 1, disk);

    char arg[700], err[256];
    snprintf(arg, sizeof arg, "file=%s,if=none,id=d,cache=%s,discard=%s%s%s,file.locking=off", path, cache,
             discard ? "unmap" : "ignore", probe ? "" : ",format=raw", snapshot ? ",snapshot=on" : "");
    struct drive_opts o;
    if (drive_parse(arg, &o, err, sizeof err) < 0) {
        fprintf(stderr, "fuzz_drive: %s: %s\n", arg, err);
        abort();
    }
    struct drive *d = drive_open(&o, err, sizeof err);
    drive_opts_free(&o);
    if (!d) {   /* probed as something else, or O_DIRECT refused: one line */
        unlink(path);
        return 0;
    }
    const struct virtio_blk_backend *be = drive_backend(d);
    if (be->size != disk)
        bug("the backend's size is not the file's", be->size);

    for (unsigned n = 0; in.n && n < 64; n++) {
        struct req q;
        uint8_t op = fin_u8(&in) % 5;
        if (op == 0) {
            if (!make_req(&in, disk, &q))
                continue;
            int r = be->preadv(be->ctx, q.iov, q.cnt, q.off);
            check_rc(r, q.off);
            if (r < 0)
                bug("a read inside the disk failed", q.off);
            uint64_t at = q.off;
            for (int i = 0; i < q.cnt; i++)
                for (size_t k = 0; k < q.iov[i].iov_len; k++, at++) {
                    uint8_t got = ((uint8_t *)q.iov[i].iov_base)[k];
                    if (known[at] == 1 && got != model[at])
                        bug("a read returned other bytes than were written", at);
                    if (known[at] == 2 && got != 0 && got != model[at] && got != orig[at])
                        bug("a discarded byte reads neither as zero nor as before", at);
                }
        } else if (op == 1) {
            if (!make_req(&in, disk, &q))
                continue;
            uint8_t seed = fin_u8(&in);
            for (int i = 0; i < q.cnt; i++)
                for (size_t k = 0; k < q.iov[i].iov_len; k++)
                    ((uint8_t *)q.iov[i].iov_base)[k] = (uint8_t)(seed + k * 13 + i);
            /* odd seeds: the first 8 bytes from the input (a qcow2 magic ...) */
            for (size_t k = 0; (seed & 1) && k < 8 && k < q.iov[0].iov_len; k++)
                ((uint8_t *)q.iov[0].iov_base)[k] = fin_u8(&in);
            int r = be->pwritev(be->ctx, q.iov, q.cnt, q.off);
            check_rc(r, q.off);
            uint64_t at = q.off;
            for (int i = 0; i < q.cnt; i++)
                for (size_t k = 0; k < q.iov[i].iov_len; k++, at++) {
                    model[at] = ((uint8_t *)q.iov[i].iov_base)[k];
                    known[at] = r == 0;  /* a refused write (block 0 of a probed raw image): unknown */
                }
        } else if (op == 2 || op == 3) {
            bool aligned = fin_u8(&in) & 1;
            uint64_t off = fin_u32(&in) % disk, len = fin_u16(&in);
            bool unmap = op == 3 && (fin_u8(&in) & 1);
            if (aligned) {
                off &= ~511ull;
                len &= ~511ull;
            }
            if (len > disk - off)
                len = disk - off;
            if (!len)
                continue;
            int r = op == 2 ? be->discard(be->ctx, off, len) : be->write_zeroes(be->ctx, off, len, unmap);
            check_rc(r, off);
            for (uint64_t i = off; i < off + len; i++) {
                if (op == 3 && r == 0) {
                    model[i] = 0;
                    known[i] = 1;
                } else if (r == 0) {
                    known[i] = known[i] ? 2 : 0;   /* zeros, what was there, or (snapshot) the image's */
                } else {
                    known[i] = 0;
                }
            }
        } else {
            check_rc(be->flush(be->ctx), 0);
        }
    }
    drive_close(d);
    unlink(path);
    return 0;
}
