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

#include "bus/bus.h"
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

/* What the state hash keeps between calls: a hash per 4 KiB page of the
 * bus's main RAM, and the dirty generation (bus_dirty_next) it was made
 * at. Zeroed = empty; snapshot_hash_cache_free empties it again (the
 * machine is freed or rebuilt). */
struct snapshot_hash_cache {
    uint64_t *page;
    uint64_t npages;
    const uint8_t *ram;
    uint32_t since;
};
void snapshot_hash_cache_free(struct snapshot_hash_cache *);

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
    /* Optional, for an incremental state hash: the bus whose main RAM is
     * one of ram[] (its dirty pages) and the cache of page hashes. */
    struct bus *bus;
    struct snapshot_hash_cache *hash_cache;
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

/* Clock, harts and devices only (no RAM, no disks), as one bus/state.h
 * stream in memory (malloc'ed into *out; -1: a device could not save),
 * and loaded back into a FRESH machine of the same description (reverse
 * execution keeps RAM apart). */
int snapshot_save_state(const struct snapshot_machine *, uint8_t **out, size_t *len);
int snapshot_load_state(const struct snapshot_machine *, const uint8_t *buf, size_t len, char *err, size_t errlen);

/* The state hash: 64 bits over the harts, the clock and every device's
 * saved state (the stream snapshot_load reads) and every RAM region's
 * contents: a region counts as its 4 KiB pages' hashes
 * (snapshot_hash_bytes(0, page), the last page as long as the region
 * goes) chained in order. Equal machines have equal hashes; it is what `info status` shows
 * and what record/replay compares. With bus and hash_cache set, only the
 * main RAM's pages written since the previous call (bus dirty pages) are
 * hashed again; without, every page is (about 0.1 s per GiB): both give
 * the same value. */
uint64_t snapshot_state_hash(const struct snapshot_machine *);
/* The fast 64-bit hash it uses, over any bytes. */
uint64_t snapshot_hash_bytes(uint64_t seed, const void *, size_t);

#endif
