/* machine/clock.h: virtual time, the timer queue, and the controller that
 * keeps virtual time on the host's wall clock in realtime runs.
 *
 * Guest-visible time is always a function of the instruction count: the
 * unit is the mtime tick (10 MHz, 100 ns) and every instruction the clock
 * counts adds `fs_per_insn` femtoseconds. With several harts the clock
 * counts rounds, not harts: a round of round-robin slices adds the longest
 * slice run in it (vclock_run). The only other ways time moves are explicit
 * steps at round boundaries: vclock_advance (a jump forward, which also
 * fires due timers) and vclock_set_rate. In deterministic runs the machine
 * makes those steps from guest state alone (jump to the next deadline when
 * every hart waits); in realtime runs the machine's run loop also makes
 * them from the host clock, through one function (machine/virt.c,
 * time_input), at most every VCLOCK_CTL_PERIOD_NS of host time while the
 * guest runs: that is what a record/replay log needs to hold.
 *
 * Rates: batch mode (the default without a terminal or network) counts
 * 10 ns per instruction and rounds each round up to a whole tick
 * (`ceil_rounds`), which is what rivet always did; `-icount shift=N` is
 * exactly 2^N ns per instruction with the remainder carried; realtime runs
 * (`shift=auto`) get rates from struct vclock_ctl below.
 */
#ifndef RIVET_CLOCK_H
#define RIVET_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define VCLOCK_HZ 10000000ull
#define VCLOCK_NS_PER_TICK (1000000000ull / VCLOCK_HZ)
#define VCLOCK_FS_PER_NS 1000000ull
#define VCLOCK_FS_PER_TICK (VCLOCK_NS_PER_TICK * VCLOCK_FS_PER_NS)
/* Batch mode: 10 ns per instruction (a 100 MIPS machine), rounds rounded up. */
#define VCLOCK_BATCH_FS_PER_INSN (10 * VCLOCK_FS_PER_NS)
#define VCLOCK_INSNS_PER_TICK (VCLOCK_FS_PER_TICK / VCLOCK_BATCH_FS_PER_INSN)
/* Rates are kept between these (1 fs .. 1024 ns = shift=10 per instruction). */
#define VCLOCK_MIN_FS_PER_INSN 1ull
#define VCLOCK_MAX_FS_PER_INSN (1024ull * VCLOCK_FS_PER_NS)

struct vtimer {
    uint64_t deadline;      /* in ticks */
    bool armed;
    void (*cb)(void *opaque);
    void *opaque;
    struct vtimer *next;    /* the clock's list of all registered timers */
};

struct vclock {
    uint64_t ticks;         /* time at the start of the current slice */
    uint64_t frac_fs;       /* and the part of a tick below it (< VCLOCK_FS_PER_TICK) */
    uint64_t fs_per_insn;   /* the rate */
    bool ceil_rounds;       /* each round ends on a whole tick (batch mode's rule) */
    uint64_t icount;        /* instructions counted (per round: the longest slice) */
    /* Instructions the running hart has executed in this slice, so devices
     * read exact time mid-slice. Set by the machine; may be NULL. */
    uint64_t (*progress)(void *ctx);
    void *progress_ctx;
    struct vtimer *timers;
};

/* Starts at time 0 at batch mode's rate. */
void vclock_init(struct vclock *);
/* Exact current time in ticks. */
uint64_t vclock_now(const struct vclock *);
/* Current time in ns (with the sub-tick part). */
uint64_t vclock_now_ns(const struct vclock *);
/* Register a timer (disarmed). */
void vclock_add_timer(struct vclock *, struct vtimer *, void (*cb)(void *), void *opaque);
void vtimer_mod(struct vtimer *, uint64_t deadline);
void vtimer_del(struct vtimer *);
/* The earliest armed deadline, or UINT64_MAX. */
uint64_t vclock_next_deadline(const struct vclock *);
/* Move time to `ticks` (never backwards; a move forward drops the sub-tick
 * part) and fire, in deadline order, every armed timer whose deadline has
 * passed. A timer is disarmed before its callback runs, which may re-arm it. */
void vclock_advance(struct vclock *, uint64_t ticks);
/* Between rounds: instructions count `fs_per_insn` (clamped to the limits
 * above) from now on. */
void vclock_set_rate(struct vclock *, uint64_t fs_per_insn, bool ceil_rounds);
/* A round of `insns` instructions ended: count them, then fire due timers. */
void vclock_run(struct vclock *, uint64_t insns);
/* Instructions from the start of this round until time reaches `deadline`
 * (> now), at the current rate, capped at `max`. */
uint64_t vclock_insns_until(const struct vclock *, uint64_t deadline, uint64_t max);

/* The realtime controller. It maps host monotonic time to the guest time it
 * should be (guest_ns = wall_ns + offset_ns) and, at most once per
 * VCLOCK_CTL_PERIOD_NS of host time, picks a new rate from the measured
 * host speed (instructions per host ns while the guest runs, host waits
 * excluded) so that guest time meets the wall over the next
 * VCLOCK_CTL_HORIZON_NS (the measurement is the last period's: one
 * period after the host's speed changes by a factor k, the guest is off by
 * up to (k - 1) * 100 ms), or a jump forward when the guest lags more than
 * VCLOCK_CTL_MAX_LAG_NS (the host stalled). Pure arithmetic on the numbers
 * it is given: no host calls, so it can be tested and replayed.
 *
 * Paused (vclock_ctl_pause/resume): a stopped machine's time stands still.
 * The host time between pause and resume is taken out of the mapping, so
 * the guest sees neither a jump nor a catch-up afterwards. The gdb stub and
 * the monitor stop the machine through the run loop, which calls these. */
#define VCLOCK_CTL_PERIOD_NS 100000000ull    /* 100 ms: at most 10 adjustments a second */
#define VCLOCK_CTL_HORIZON_NS 500000000ull   /* an error is worked off over 0.5 s of running */
#define VCLOCK_CTL_MAX_AHEAD_NS 50000000ull  /* an idle guest waits for the wall at most this much beyond its own time */
#define VCLOCK_CTL_MAX_LAG_NS 1000000000ull  /* a longer lag is jumped over */
#define VCLOCK_CTL_INITIAL_FS_PER_INSN (2 * VCLOCK_FS_PER_NS) /* 500 MIPS until measured */

struct vclock_ctl {
    int64_t offset_ns;          /* guest ns the wall says = wall ns + offset_ns */
    uint64_t period_wall;       /* start of the measuring period (host ns) */
    uint64_t period_icount;
    uint64_t period_wait_ns;    /* host ns waited in it (guest idle) */
    uint64_t host_fs_per_insn;  /* host time per guest instruction, 0 = not measured */
    uint64_t rate;              /* the rate it last chose */
    uint64_t adjustments;       /* how many it made */
    bool paused;
    uint64_t paused_at;
};

struct vclock_adjust {
    uint64_t fs_per_insn;       /* the new rate */
    uint64_t jump_ns;           /* 0, or guest time to jump forward to first */
};

/* The guest's time is guest_ns when the host's monotonic clock reads wall_ns. */
void vclock_ctl_init(struct vclock_ctl *, uint64_t wall_ns, uint64_t guest_ns, uint64_t icount);
/* The guest time (ns) that host time wall_ns stands for. */
uint64_t vclock_ctl_target(const struct vclock_ctl *, uint64_t wall_ns);
/* Re-anchor the mapping: guest_ns now stands for wall_ns. */
void vclock_ctl_anchor(struct vclock_ctl *, uint64_t wall_ns, uint64_t guest_ns);
/* The host waited `ns` for an idle guest (not counted as running time). */
void vclock_ctl_waited(struct vclock_ctl *, uint64_t ns);
/* At a round boundary after guest instructions ran: true (and *adj filled)
 * when a period is over and an adjustment is due. */
bool vclock_ctl_update(struct vclock_ctl *, uint64_t wall_ns, uint64_t guest_ns, uint64_t icount,
                       struct vclock_adjust *adj);
/* Every hart starts waiting: a guest that got more than
 * VCLOCK_CTL_MAX_AHEAD_NS ahead of the wall (the host got much faster
 * within a period) is forgiven the excess by moving the mapping, so that
 * an idle wait never outlasts the guest's own timeout by more than that. */
void vclock_ctl_idle(struct vclock_ctl *, uint64_t wall_ns, uint64_t guest_ns);
void vclock_ctl_pause(struct vclock_ctl *, uint64_t wall_ns);
void vclock_ctl_resume(struct vclock_ctl *, uint64_t wall_ns, uint64_t icount);

#endif
