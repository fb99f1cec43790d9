/* machine/clock.h: virtual time and the timer queue.
 *
 * Virtual time is derived from the instruction count, so a run is a pure
 * function of its inputs. The unit of time is the mtime tick (10 MHz); one
 * tick is VCLOCK_INSNS_PER_TICK instructions of a running hart (a 100 MIPS
 * virtual machine). With several harts, time advances once per round-robin
 * round, not once per hart.
 */
#ifndef RIVET_CLOCK_H
#define RIVET_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define VCLOCK_HZ 10000000ull
#define VCLOCK_INSNS_PER_TICK 10ull

struct vtimer {
    uint64_t deadline;      /* in ticks */
    bool armed;
    void (*cb)(void *opaque);
    void *opaque;
    struct vtimer *next;    /* the clock's list of all registered timers */
};

struct vclock {
    uint64_t ticks;         /* time at the start of the current slice */
    /* Instructions the running hart has executed in this slice, so devices
     * read exact time mid-slice. Set by the machine; may be NULL. */
    uint64_t (*progress)(void *ctx);
    void *progress_ctx;
    struct vtimer *timers;
};

void vclock_init(struct vclock *);
/* Exact current time in ticks. */
uint64_t vclock_now(const struct vclock *);
/* Register a timer (disarmed). */
void vclock_add_timer(struct vclock *, struct vtimer *, void (*cb)(void *), void *opaque);
void vtimer_mod(struct vtimer *, uint64_t deadline);
void vtimer_del(struct vtimer *);
/* The earliest armed deadline, or UINT64_MAX. */
uint64_t vclock_next_deadline(const struct vclock *);
/* Move time to `ticks` (never backwards) and fire, in deadline order, every
 * armed timer whose deadline has passed. A timer is disarmed before its
 * callback runs, which may re-arm it. */
void vclock_advance(struct vclock *, uint64_t ticks);

#endif
