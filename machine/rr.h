/* machine/rr.h: record and replay (issue #14, docs/replay.md).
 *
 * A recording (-record FILE) logs everything that enters the machine from
 * outside, stamped with the machine's position (rr_position), through the
 * file format of machine/rr_log.h; a replay (-replay FILE) feeds the same
 * items back at the same positions and reads nothing from the host. Every
 * record of the run is also kept in memory, in order: the recording's as
 * written, the replay's loaded from the file at the start, so that a
 * re-execution from an earlier in-memory snapshot (reverse execution,
 * issue #17) takes its inputs from memory again (rr_seek).
 *
 * The position is the number of instructions retired by all harts since
 * the run started, plus one for each step of the run loop that changes the
 * machine without retiring an instruction (a time input, a jump of idle
 * time to a timer deadline): two inputs that a recording saw at the same
 * instruction count but on either side of such a step get different
 * stamps. It depends on the guest and the log only, never on the host.
 *
 * Where inputs are taken (all between slices, in virt.c's run loop, except
 * the seed CSR, which is stamped with the running hart's position):
 *   console bytes, break, quit         poll_host              RR_INPUT
 *   chardev bytes, network frames in   device poll hooks      RR_INPUT
 *   host entropy (virtio-rng, seed)    device poll, hart      RR_ENTROPY
 *   rate/jump/RTC adjustments          time_input             RR_TIME
 */
#ifndef RIVET_RR_H
#define RIVET_RR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/rr_log.h"

enum rr_mode { RR_OFF, RR_RECORDING, RR_REPLAYING };

struct rr;
struct virt;
struct virt_config;

/* An image the run reads: role ("bios", "kernel", "initrd", "dtb",
 * "drive0"...) and path. */
struct rr_image {
    char role[32];
    const char *path;
};

/* Starts a recording or loads a replay. argv is the command line (the
 * -record/-replay option and the rr keys of -icount are left out when it
 * is compared); images are hashed. A replay loads the
 * whole log and refuses, with one line naming the file, a log that is not
 * complete and valid, another command line or another image. NULL with
 * the line in err. */
struct rr *rr_open(enum rr_mode, const char *path, const char *snapshot, int argc, char **argv,
                   const struct rr_image *, unsigned nimages, char *err, size_t errlen);
/* Ends the run: a recording writes its end (the final hash); a replay
 * checks it. 0, or -1 after a one-line message (a replay that diverged at
 * the end, a recording that could not be completed). Nothing is logged or
 * fed after it; rr_free frees. */
int rr_close(struct rr *, uint64_t position, uint64_t insns, uint64_t hash);
void rr_free(struct rr *);

/* Before the machine is built, once the frontend chose its settings
 * from the host: a recording logs them, a replay puts the recording's in
 * cfg (see rr_open). */
void rr_settings(struct rr *, struct virt_config *cfg);

/* Host resources (bus/device.h), wrapped in place, before the devices are
 * planned, so that what a device reads from them is logged (recording) or
 * handed out from the log (replay: the original is never read; a replay's
 * netdev needs only its id, its callbacks may be NULL). The wrappers live
 * until rr_free. 0, or -1 when out of memory. */
struct devices_chardev;
struct devices_netdev;
struct devices_rng;
int rr_wrap_chardev(struct rr *, struct devices_chardev *);
int rr_wrap_netdev(struct rr *, struct devices_netdev *);
int rr_wrap_rng(struct rr *, struct devices_rng *);
/* The host display (machine/display_glue.h): input events and the pointer
 * grab through the log; the picture passes through. */
struct devices_display;
int rr_wrap_display(struct rr *, struct devices_display *);
/* Host entropy (getrandom) through the log, for devices without an rng=
 * source (devices_config.host_rng). */
const struct devices_rng *rr_host_rng(struct rr *);

enum rr_mode rr_mode(const struct rr *);       /* RR_OFF for NULL */
const char *rr_snapshot(const struct rr *);     /* the snapshot the recording starts from, or NULL */

/* The machine being run (virt.c calls this when it builds one). */
void rr_attach(struct rr *, struct virt *);
/* Another source of positions (tests/unit/test_rr.c). */
void rr_attach_position(struct rr *, uint64_t (*pos)(void *ctx), void *ctx);
/* The current stamp: virt_rr_position of the attached machine. */
uint64_t rr_position(const struct rr *);

/* Is input taken from the in-memory list now (a replay, or a recording
 * re-executing an interval after rr_seek)? Then the host is not read. */
bool rr_feeding(const struct rr *);
/* While a recording re-executes (after rr_seek), until the position gets
 * back to the recording's head; outputs should then be suppressed. */
bool rr_reexecuting(const struct rr *);
/* The next record handed out is the first one with stamp >= stamp; until
 * the position reaches the recording's head, input comes from memory. */
void rr_seek(struct rr *, uint64_t stamp);

/* ---- the run loop's side ----
 * Recording: log(...) writes the item at the current position. Feeding:
 * take(...) hands out the next record if it is of this type and channel
 * and stamped with the current position (else NULL / 0). */
void rr_log_input(struct rr *, const char *channel, const void *data, size_t len);
void rr_log_entropy(struct rr *, const char *source, const void *data, size_t len);
void rr_log_time(struct rr *, const char *kind, uint64_t value);
const struct rr_event *rr_take(struct rr *, enum rr_type, const char *channel);
/* Is there a record stamped with the current position not handed out
 * yet? (A replay's run loop must not move on while there is.) */
bool rr_pending_now(const struct rr *);
/* Are records other than the end left (could a replayed input still wake
 * the machine)? */
bool rr_more(const struct rr *);

/* A handed-out record (valid until rr_free). */
struct rr_event {
    enum rr_type type;
    uint64_t stamp;
    char *name;
    uint8_t *data;
    size_t len;
    uint64_t value;
};

/* Checkpoints: every RR_CHECKPOINT_INTERVAL of position, call with the
 * machine's state hash. Recording: logged. Replay: compared; a mismatch
 * prints "replay diverged at instruction N (expected hash H1, got H2)" and
 * returns -1 (the run stops). */
#define RR_CHECKPOINT_INTERVAL 100000000ull
bool rr_checkpoint_due(const struct rr *);
int rr_checkpoint(struct rr *, uint64_t insns, uint64_t hash);
/* A replay whose log has a record the run went past (not taken at its
 * position): one line, -1. */
int rr_check_missed(struct rr *, uint64_t insns);

/* Host entropy for one consumer: recording reads it with fill and logs it,
 * feeding hands out the logged bytes. Returns the bytes given. */
size_t rr_entropy(struct rr *, const char *source, uint8_t *buf, size_t len,
                  size_t (*fill)(void *ctx, uint8_t *buf, size_t len), void *ctx);

#endif
