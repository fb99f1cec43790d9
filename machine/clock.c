/* machine/clock.c: virtual time, the timer queue, the realtime controller. */
#include "machine/clock.h"

#include <string.h>

void vclock_init(struct vclock *c)
{
    memset(c, 0, sizeof *c);
    c->fs_per_insn = VCLOCK_BATCH_FS_PER_INSN;
    c->ceil_rounds = true;
}

/* frac + insns * rate without overflow for any slice (insns < 2^34 at the
 * highest rate); splits the product otherwise. */
static void add_insns(uint64_t *ticks, uint64_t *frac, uint64_t insns, uint64_t rate)
{
    uint64_t hi = insns >> 24, lo = insns & 0xffffff;
    uint64_t t = *frac + lo * rate;
    *ticks += t / VCLOCK_FS_PER_TICK;
    *frac = t % VCLOCK_FS_PER_TICK;
    if (hi) {
        /* hi * 2^24 * rate fs: 2^24 * rate is whole ticks plus a remainder */
        uint64_t chunk = (1ull << 24) * rate;
        *ticks += hi * (chunk / VCLOCK_FS_PER_TICK);
        uint64_t r = hi * (chunk % VCLOCK_FS_PER_TICK) + *frac;
        *ticks += r / VCLOCK_FS_PER_TICK;
        *frac = r % VCLOCK_FS_PER_TICK;
    }
}

uint64_t vclock_now(const struct vclock *c)
{
    uint64_t extra = c->progress ? c->progress(c->progress_ctx) : 0;
    uint64_t ticks = c->ticks, frac = c->frac_fs;
    add_insns(&ticks, &frac, extra, c->fs_per_insn);
    return ticks;
}

uint64_t vclock_now_ns(const struct vclock *c)
{
    uint64_t extra = c->progress ? c->progress(c->progress_ctx) : 0;
    uint64_t ticks = c->ticks, frac = c->frac_fs;
    add_insns(&ticks, &frac, extra, c->fs_per_insn);
    return ticks * VCLOCK_NS_PER_TICK + frac / VCLOCK_FS_PER_NS;
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
    if (ticks > c->ticks) {
        c->ticks = ticks;
        c->frac_fs = 0;
    }
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

void vclock_set_rate(struct vclock *c, uint64_t fs_per_insn, bool ceil_rounds)
{
    if (fs_per_insn < VCLOCK_MIN_FS_PER_INSN)
        fs_per_insn = VCLOCK_MIN_FS_PER_INSN;
    if (fs_per_insn > VCLOCK_MAX_FS_PER_INSN)
        fs_per_insn = VCLOCK_MAX_FS_PER_INSN;
    c->fs_per_insn = fs_per_insn;
    c->ceil_rounds = ceil_rounds;
}

void vclock_run(struct vclock *c, uint64_t insns)
{
    add_insns(&c->ticks, &c->frac_fs, insns, c->fs_per_insn);
    if (c->ceil_rounds && c->frac_fs) {
        c->ticks++;
        c->frac_fs = 0;
    }
    c->icount += insns;
    vclock_advance(c, c->ticks);
}

uint64_t vclock_insns_until(const struct vclock *c, uint64_t deadline, uint64_t max)
{
    if (deadline <= c->ticks)
        return max;
    /* far deadlines: a slice of max instructions cannot reach them */
    uint64_t reach = c->ticks, frac = c->frac_fs;
    add_insns(&reach, &frac, max, c->fs_per_insn);
    if (deadline > reach)
        return max;
    uint64_t need = (deadline - c->ticks) * VCLOCK_FS_PER_TICK - c->frac_fs;
    uint64_t n = need / c->fs_per_insn + (need % c->fs_per_insn != 0);
    return n < max ? n : max;
}

/* ---- the realtime controller ---- */

void vclock_ctl_init(struct vclock_ctl *c, uint64_t wall_ns, uint64_t guest_ns, uint64_t icount)
{
    memset(c, 0, sizeof *c);
    c->offset_ns = (int64_t)(guest_ns - wall_ns);
    c->period_wall = wall_ns;
    c->period_icount = icount;
    c->rate = VCLOCK_CTL_INITIAL_FS_PER_INSN;
}

uint64_t vclock_ctl_target(const struct vclock_ctl *c, uint64_t wall_ns)
{
    int64_t t = (int64_t)wall_ns + c->offset_ns;
    return t < 0 ? 0 : (uint64_t)t;
}

void vclock_ctl_anchor(struct vclock_ctl *c, uint64_t wall_ns, uint64_t guest_ns)
{
    c->offset_ns = (int64_t)(guest_ns - wall_ns);
}

void vclock_ctl_waited(struct vclock_ctl *c, uint64_t ns)
{
    c->period_wait_ns += ns;
}

static uint64_t clamp_rate(uint64_t r)
{
    return r < VCLOCK_MIN_FS_PER_INSN ? VCLOCK_MIN_FS_PER_INSN
         : r > VCLOCK_MAX_FS_PER_INSN ? VCLOCK_MAX_FS_PER_INSN : r;
}

bool vclock_ctl_update(struct vclock_ctl *c, uint64_t wall_ns, uint64_t guest_ns, uint64_t icount,
                       struct vclock_adjust *adj)
{
    if (c->paused || wall_ns < c->period_wall || wall_ns - c->period_wall < VCLOCK_CTL_PERIOD_NS)
        return false;
    uint64_t dt = wall_ns - c->period_wall;
    uint64_t busy = dt > c->period_wait_ns ? dt - c->period_wait_ns : 0;
    uint64_t n = icount - c->period_icount;
    /* Measure the host's speed over the running part of the period, unless
     * the period was far too long: then the host stalled (suspended, or
     * descheduled), which says nothing about its speed. */
    if (n > 0 && busy >= VCLOCK_CTL_PERIOD_NS / 10 && dt <= 4 * VCLOCK_CTL_PERIOD_NS) {
        uint64_t measured = busy / n * VCLOCK_FS_PER_NS + busy % n * VCLOCK_FS_PER_NS / n;
        measured = clamp_rate(measured);
        c->host_fs_per_insn = measured;
    }
    int64_t err = (int64_t)(guest_ns - vclock_ctl_target(c, wall_ns)); /* > 0: guest ahead */
    adj->jump_ns = 0;
    if (err < -(int64_t)VCLOCK_CTL_MAX_LAG_NS) {
        adj->jump_ns = vclock_ctl_target(c, wall_ns);
        err = 0;
    }
    /* Work the error off over the horizon: a guest ahead runs slower, one
     * behind faster, by at most a factor of 2 either way. */
    const int64_t h = (int64_t)VCLOCK_CTL_HORIZON_NS;
    if (err > h / 2)
        err = h / 2;
    if (err < -h)
        err = -h;
    uint64_t base = c->host_fs_per_insn ? c->host_fs_per_insn : c->rate;
    c->rate = clamp_rate(base / (uint64_t)h * (uint64_t)(h - err) +
                         base % (uint64_t)h * (uint64_t)(h - err) / (uint64_t)h);
    adj->fs_per_insn = c->rate;
    c->period_wall = wall_ns;
    c->period_icount = icount;
    c->period_wait_ns = 0;
    c->adjustments++;
    return true;
}

void vclock_ctl_idle(struct vclock_ctl *c, uint64_t wall_ns, uint64_t guest_ns)
{
    uint64_t target = vclock_ctl_target(c, wall_ns);
    if (guest_ns > target + VCLOCK_CTL_MAX_AHEAD_NS)
        c->offset_ns += (int64_t)(guest_ns - target - VCLOCK_CTL_MAX_AHEAD_NS);
}

void vclock_ctl_pause(struct vclock_ctl *c, uint64_t wall_ns)
{
    if (c->paused)
        return;
    c->paused = true;
    c->paused_at = wall_ns;
}

void vclock_ctl_resume(struct vclock_ctl *c, uint64_t wall_ns, uint64_t icount)
{
    if (!c->paused)
        return;
    c->paused = false;
    if (wall_ns > c->paused_at)
        c->offset_ns -= (int64_t)(wall_ns - c->paused_at);
    c->period_wall = wall_ns;
    c->period_icount = icount;
    c->period_wait_ns = 0;
}
