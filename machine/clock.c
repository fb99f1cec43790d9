/* machine/clock.c: virtual time and the timer queue. */
#include "machine/clock.h"

#include <string.h>

void vclock_init(struct vclock *c)
{
    memset(c, 0, sizeof *c);
}

uint64_t vclock_now(const struct vclock *c)
{
    uint64_t extra = c->progress ? c->progress(c->progress_ctx) : 0;
    return c->ticks + extra / VCLOCK_INSNS_PER_TICK;
}

void vclock_add_timer(struct vclock *c, struct vtimer *t, void (*cb)(void *), void *opaque)
{
    t->deadline = 0;
    t->armed = false;
    t->cb = cb;
    t->opaque = opaque;
    t->next = c->timers;
    c->timers = t;
}

void vtimer_mod(struct vtimer *t, uint64_t deadline)
{
    t->deadline = deadline;
    t->armed = true;
}

void vtimer_del(struct vtimer *t)
{
    t->armed = false;
}

uint64_t vclock_next_deadline(const struct vclock *c)
{
    uint64_t best = UINT64_MAX;
    for (const struct vtimer *t = c->timers; t; t = t->next)
        if (t->armed && t->deadline < best)
            best = t->deadline;
    return best;
}

void vclock_advance(struct vclock *c, uint64_t ticks)
{
    if (ticks > c->ticks)
        c->ticks = ticks;
    for (;;) {
        struct vtimer *due = NULL;
        for (struct vtimer *t = c->timers; t; t = t->next)
            if (t->armed && t->deadline <= c->ticks && (!due || t->deadline < due->deadline))
                due = t;
        if (!due)
            return;
        due->armed = false;
        due->cb(due->opaque);
    }
}
