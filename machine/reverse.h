/* machine/reverse.h: reverse execution (gdb's reverse-stepi, reverse-
 * continue, ...; docs/debugging.md).
 *
 * History is kept as periodic in-memory snapshots plus deterministic
 * re-execution. A position is the machine's instruction count (all harts,
 * debugger steps included). A snapshot holds the clock, harts and devices
 * (the board's state stream) and, copy-on-write through the bus (bus.h:
 * cow), the contents at the snapshot of every main-RAM page first written
 * after it: going back to snapshot j puts back the pages of every snapshot
 * from the newest down to j. Memory is bounded (mem=) and the window too
 * (window=): the oldest snapshots go first.
 *
 * A debugger stop changes what happens next (the round-robin round is cut
 * there, gdb may single-step), so every stop is also recorded as a "break"
 * (where it cut which slice, or a single step) that re-execution repeats.
 *
 * The board (virt.c) runs the machine through struct reverse_ops; the
 * gdbstub calls reverse_step/reverse_continue.
 */
#ifndef RIVET_REVERSE_H
#define RIVET_REVERSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "cpu/riscv/hart.h"

#define REVERSE_DEFAULT_WINDOW 1000000000ull
#define REVERSE_DEFAULT_MEM (256ull << 20)
#define REVERSE_DEFAULT_INTERVAL 10000000ull

struct reverse_config {
    bool off;
    uint64_t window;    /* instructions of history kept (at least) */
    uint64_t mem;       /* bytes for snapshots */
    uint64_t interval;  /* instructions between periodic snapshots */
};
/* "window=N,mem=SIZE,interval=N" or "off" (-gdb-reverse): 0, or -1 with a
 * one-line reason in err. */
int reverse_parse(struct reverse_config *, const char *spec, char *err, size_t errlen);

/* A cut of the round-robin schedule: the slice of `hart` that starts at
 * position g0 runs exactly k instructions, then the round ends. */
struct reverse_cut {
    uint64_t g0;
    unsigned hart;
    uint64_t k;
};

/* One run of re-execution (reverse_ops.run). */
struct reverse_run {
    uint64_t until;                 /* stop at the first round boundary at or after */
    /* stop at a target instead: k > 0: the slice of cut.hart starting at
     * cut.g0, exactly cut.k instructions into it; k == 0: as soon as the
     * position is cut.g0 (before anything else runs there) */
    bool stop_at_cut;
    struct reverse_cut cut;
    bool halt;                      /* set by a callback: stop after this slice */
    /* after each slice: hart, its start position, the hart's count then, done */
    void (*slice)(void *ctx, unsigned hart, uint64_t g0, uint64_t icount0, uint64_t done, bool step);
    void *ctx;
};

struct reverse_ops {
    void *ctx;
    uint64_t (*pos)(void *ctx);
    uint64_t (*hart_icount)(void *ctx, unsigned hart);
    /* the board's state (clock, harts, devices, its own fields) */
    int (*save)(void *ctx, uint8_t **blob, size_t *len);
    /* back to a saved state; RAM is reverse.c's (it is left as it is) */
    int (*load)(void *ctx, const uint8_t *blob, size_t len);
    /* re-execute: output suppressed, no host input; the history's breaks
     * come from reverse_next_break. Returns 0, or -1 when the machine
     * stopped (poweroff, a stuck hart). */
    int (*run)(void *ctx, struct reverse_run *);
    /* a debugger single step of hart, as gdb's stepi did it */
    void (*step)(void *ctx, unsigned hart);
    /* debugger points logged instead of stopping (NULL: stop again) */
    void (*log_points)(void *ctx, bool on);
};

struct reverse;
struct reverse *reverse_new(const struct reverse_config *, const struct reverse_ops *, struct bus *);
void reverse_free(struct reverse *);

/* Live execution: after each round (a periodic snapshot when due) and at
 * every debugger stop (a snapshot; `cut`: the slice the stop cut, NULL
 * for a stop between rounds). */
void reverse_round(struct reverse *);
void reverse_stopped(struct reverse *, const struct reverse_cut *cut);
/* gdb is about to single-step `hart` live (a break; call reverse_stopped
 * after it), or changed registers or memory (history starts over here). */
void reverse_stepping(struct reverse *, unsigned hart);
void reverse_changed(struct reverse *);
/* Why the machine cannot go back (NULL: it can): set by the board (a
 * realtime clock, drives, host input). */
void reverse_refuse(struct reverse *, const char *why);
const char *reverse_refused(const struct reverse *);

/* What a reverse or replayed command ended at. */
enum reverse_result {
    REVERSE_STOP,       /* at an instruction of `hart`, or a point hit */
    REVERSE_BEGIN,      /* at the start of the history */
    REVERSE_LIVE,       /* back at the head: the machine runs on live */
    REVERSE_ERROR,      /* refused or failed (err) */
};
struct reverse_stop {
    unsigned hart;
    bool hit;                       /* a debugger point: type, addr */
    enum rv_dbg_type type;
    uint64_t addr;
};

/* Is the machine behind the head of its history (forward motion replays)? */
bool reverse_behind(const struct reverse *);
/* One instruction of `hart` back (backward) or forward (only behind the
 * head: at the head gdb's step runs live). */
enum reverse_result reverse_step(struct reverse *, unsigned hart, bool backward, struct reverse_stop *,
                                 char *err, size_t errlen);
/* Back to the last debugger point hit before this position, or (forward,
 * behind the head) to the next one or the head. */
enum reverse_result reverse_continue(struct reverse *, bool backward, struct reverse_stop *, char *err,
                                     size_t errlen);
/* A point hit while points are logged (the board forwards them): hart,
 * what, the position of the stop it stands for (a breakpoint: before the
 * instruction; a watchpoint: after it) and where its slice started (pos
 * for a debugger step). */
void reverse_hit(struct reverse *, unsigned hart, enum rv_dbg_type, uint64_t addr, uint64_t pos, uint64_t g0);

/* The history's breaks, for re-execution (reverse_ops.run): the next one
 * to repeat (NULL: none), and it was repeated. A break is a single step of
 * `hart` at position pos, or a cut of the schedule. */
struct reverse_break {
    uint64_t pos;
    bool step;
    unsigned hart;              /* step */
    struct reverse_cut cut;     /* !step */
};
const struct reverse_break *reverse_next_break(const struct reverse *);
void reverse_break_done(struct reverse *);

/* For `info` and tests: snapshots, bytes held, oldest position, head. */
void reverse_stats(const struct reverse *, unsigned *nsnaps, uint64_t *bytes, uint64_t *oldest, uint64_t *head);

#endif
