/* bus/state.h: the one serializer for device state (save/load, snapshots,
 * record/replay).
 *
 * A `struct state` is either a writer (a growable buffer) or a reader (a
 * borrowed byte range). Devices describe their state once, with the same
 * calls for both directions:
 *
 *     void foo_state(struct foo *f, struct state *st) {
 *         state_section(st, "foo", 1);        // name and version
 *         state_u32(st, "ier", &f->ier);
 *         state_bytes(st, "fifo", f->fifo, sizeof f->fifo);
 *     }
 *
 * and, when loading, check what they read (indices in range, sizes
 * consistent) with state_fail. Every field is tagged on the wire:
 *
 *     field   := type:u8  namelen:u8  name[namelen]  payload
 *     payload := u8 | u16 | u32 | u64 (little-endian) | bool (a byte, 0 or 1)
 *              | bytes: len:u32 data[len] | section: version:u32
 *
 * A reader checks the type, the name, the length and every bound; the first
 * mismatch or truncation sets `error` (with a reason) and every later call
 * does nothing but zero what it would have filled, so callers check once,
 * at the end (state_ok). A stream of a whole machine starts with
 * state_header (magic "RVSTATE" and STATE_FORMAT, the encoding's version);
 * each section carries its own version, which load hooks may branch on
 * (state_section returns the stored one and refuses a newer one).
 */
#ifndef RIVET_STATE_H
#define RIVET_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATE_FORMAT 1
#define STATE_NAME_MAX 32

struct state {
    uint8_t *buf;         /* writer: owned, grows; reader: borrowed */
    size_t len, cap, pos;
    bool loading;
    bool error;
    bool to_file;         /* writer: for a snapshot file that must load again (a device
                           * whose state cannot be carried fails the save) */
    char why[96];         /* the first error */
};

/* A writer (empty) or a reader of buf[len] (not copied; must outlive it). */
void state_init_save(struct state *);
void state_init_load(struct state *, const void *buf, size_t len);
/* Frees a writer's buffer (a reader owns nothing). */
void state_free(struct state *);

static inline bool state_loading(const struct state *st) { return st->loading; }
/* True while no error happened; for a reader, also requires that all input
 * was consumed when `at_end`. */
bool state_ok(struct state *, bool at_end);
/* Marks the stream bad (a load hook found an inconsistent value). */
void state_fail(struct state *, const char *why);

/* Stream header (magic and STATE_FORMAT). */
void state_header(struct state *);
/* A named, versioned group of fields. Returns the version: `version` when
 * saving, the stored one (<= version) when loading; 0 after an error. */
unsigned state_section(struct state *, const char *name, unsigned version);

void state_u8(struct state *, const char *name, uint8_t *);
void state_u16(struct state *, const char *name, uint16_t *);
void state_u32(struct state *, const char *name, uint32_t *);
void state_u64(struct state *, const char *name, uint64_t *);
void state_bool(struct state *, const char *name, bool *);
void state_int(struct state *, const char *name, int *);       /* as 32 bits */
void state_unsigned(struct state *, const char *name, unsigned *); /* as 32 bits */
/* Exactly len bytes (a load of another length is an error). */
void state_bytes(struct state *, const char *name, void *, size_t len);
/* Up to max bytes; *len is the length written / read. */
void state_blob(struct state *, const char *name, void *, size_t *len, size_t max);

#endif
