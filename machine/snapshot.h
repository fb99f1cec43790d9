/* machine/snapshot.h: a whole machine saved to a file and loaded back
 * (savevm/loadvm/-loadvm), and the machine's state hash.
 *
 * A board describes what it is made of in a `struct snapshot_machine`:
 * its description (a load into another one is refused), its harts, its
 * clock, its RAM regions, a function that runs every device's state hook
 * (bus/state.h) in the board's order, and its drives. The file (see
 * docs/snapshots.md) is
 *
 *     "RIVETSNP" version:u32 desc_len:u32 desc body_len:u64 body crc32:u32
 *
 * where body is one bus/state.h stream: header, clock, RAM (64 KiB chunks:
 * a bitmap of the non-zero 4 KiB pages, those pages zlib-compressed; zero
 * pages are not stored), harts, devices, then the full contents of every
 * writable drive (non-zero 64 KiB chunks, compressed), so that a load
 * gives back exactly what the disks held at the save, raw images included.
 * crc32 (zlib's) covers every byte before it.
 *
 * Loading is in two steps so that a bad file changes nothing:
 * snapshot_parse/snapshot_open check magic, version, lengths, checksum and
 * description; snapshot_load then loads into a FRESH machine of that
 * description (RAM, harts, devices; every drive chunk is decompressed and
 * checked but not written); only snapshot_commit_disks writes the images.
 * Every error is one line in err (no "rivet:" prefix).
 */
#ifndef RIVET_SNAPSHOT_H
#define RIVET_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/device.h"
#include "bus/state.h"

#define SNAPSHOT_MAGIC "RIVETSNP"
#define SNAPSHOT_VERSION 1
#define SNAPSHOT_MAX_RAM 4

struct rv_hart;
struct vclock;

struct snapshot_ram {
    const char *name;
    uint8_t *host;
    uint64_t size;
};

struct snapshot_machine {
    const char *desc;                 /* the machine description (one line) */
    struct rv_hart *harts;
    unsigned nharts;
    struct vclock *clock;
    struct snapshot_ram ram[SNAPSHOT_MAX_RAM];
    unsigned nram;
    /* The board's own fields and every device's state hook, in the
     * board's order (either direction). */
    void (*devices)(void *ctx, struct state *);
    void *ctx;
    const struct devices_drive *drives;
    unsigned ndrives;
};

/* The whole file in memory (malloc'ed into *out). level: zlib level 1-9,
 * or 0 to store pages raw; disks: include the drives' contents. */
int snapshot_encode(const struct snapshot_machine *, int level, bool disks, uint8_t **out, size_t *len,
                    char *err, size_t errlen);
/* snapshot_encode(level 1, disks) written to path (through a temporary
 * file renamed over it: a failed save leaves an older file as it was). */
int snapshot_save(const struct snapshot_machine *, const char *path, char *err, size_t errlen);

struct snapshot_file;
/* Takes ownership of buf (malloc'ed) in every case. NULL after an error. */
struct snapshot_file *snapshot_parse(uint8_t *buf, size_t len, const char *desc, char *err, size_t errlen);
struct snapshot_file *snapshot_open(const char *path, const char *desc, char *err, size_t errlen);
/* Into a fresh machine of the same description; drives are only checked. */
int snapshot_load(struct snapshot_file *, const struct snapshot_machine *, char *err, size_t errlen);
/* After a successful snapshot_load: give every drive its saved contents. */
int snapshot_commit_disks(struct snapshot_file *, const struct snapshot_machine *, char *err, size_t errlen);
void snapshot_close(struct snapshot_file *);

/* The state hash: 64 bits over the harts, the clock and every device's
 * saved state (the stream snapshot_load reads) and every RAM region's
 * bytes (hashed in place). Equal machines have equal hashes; it is what
 * `info status` shows and what record/replay compares. Cost: one pass over
 * RAM (about 0.1 s per GiB). */
uint64_t snapshot_state_hash(const struct snapshot_machine *);
/* The fast 64-bit hash it uses, over any bytes. */
uint64_t snapshot_hash_bytes(uint64_t seed, const void *, size_t);

#endif
