/* machine/reverse.c: reverse execution's history (see reverse.h). */
#include "machine/reverse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/util.h"

struct snap {
    uint64_t pos;
    uint64_t brk;           /* breaks before it (sequence number of the next) */
    uint8_t *state;
    size_t state_len;
    /* undo record: page numbers and their contents at this snapshot */
    uint64_t *pages;
    uint8_t *data;
    size_t n, cap;
};

struct event {
    uint64_t pos;
    struct reverse_cut cut;     /* k == 0: stop at pos */
    struct reverse_stop stop;
};

enum scan_mode { SCAN_STEP, SCAN_HITS };

struct reverse {
    struct reverse_config cfg;
    struct reverse_ops ops;
    struct bus *bus;
    struct snap *snaps;
    size_t nsnaps, capsnaps;
    struct reverse_break *brks;
    uint64_t brk0;              /* sequence number of brks[0] */
    size_t nbrks, capbrks;
    uint64_t cursor;            /* the next break to repeat (== end when live) */
    uint64_t head;              /* position of the head of history */
    bool behind;
    uint64_t bytes;
    const char *why;
    /* the scan in progress */
    enum scan_mode mode;
    bool forward;
    uint64_t lo, hi;            /* events in (lo, hi) forward, [lo, hi) backward */
    unsigned step_hart;
    uint64_t step_insn;         /* the instruction index of step_hart wanted */
    bool have;
    struct event best;
    struct reverse_run *run;
};

/* ---- options ---- */

static int parse_count(const char *v, uint64_t *out)
{
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !(d >= 1) || d > 1e18)
        return -1;
    *out = (uint64_t)d;
    return 0;
}

static int parse_bytes(const char *v, uint64_t *out)
{
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    unsigned long long mul = 1;
    if (end == v)
        return -1;
    switch (*end) {
    case 'k': case 'K': mul = 1ull << 10; end++; break;
    case 'm': case 'M': mul = 1ull << 20; end++; break;
    case 'g': case 'G': mul = 1ull << 30; end++; break;
    case 0: break;
    default: return -1;
    }
    if (*end || n == 0 || n > (1ull << 50) / mul)
        return -1;
    *out = n * mul;
    return 0;
}

int reverse_parse(struct reverse_config *c, const char *spec, char *err, size_t errlen)
{
    *c = (struct reverse_config){ false, REVERSE_DEFAULT_WINDOW, REVERSE_DEFAULT_MEM, REVERSE_DEFAULT_INTERVAL };
    if (!strcmp(spec, "off")) {
        c->off = true;
        return 0;
    }
    if (!strcmp(spec, "on"))
        return 0;
    struct optlist ol;
    if (optlist_parse(spec, &ol) < 0)
        return errf(err, errlen, "out of memory");
    int rc = 0;
    for (unsigned i = 0; i < ol.n && !rc; i++) {
        const char *k = ol.v[i].key, *v = ol.v[i].value;
        if (!v)
            rc = errf(err, errlen, "'%s' needs a value (window=N, mem=SIZE, interval=N, or off)", k);
        else if (!strcmp(k, "window"))
            rc = parse_count(v, &c->window) < 0 ? errf(err, errlen, "bad window '%s'", v) : 0;
        else if (!strcmp(k, "interval"))
            rc = parse_count(v, &c->interval) < 0 ? errf(err, errlen, "bad interval '%s'", v) : 0;
        else if (!strcmp(k, "mem"))
            rc = parse_bytes(v, &c->mem) < 0 ? errf(err, errlen, "bad size '%s'", v) : 0;
        else
            rc = errf(err, errlen, "unknown key '%s' (window, mem, interval)", k);
    }
    optlist_free(&ol);
    return rc;
}

/* ---- snapshots ---- */

static void snap_free(struct reverse *r, struct snap *s)
{
    r->bytes -= s->state_len + s->n * (BUS_PAGE_SIZE + 8);
    free(s->state);
    free(s->pages);
    free(s->data);
    memset(s, 0, sizeof *s);
}

static void cow(void *ctx, uint64_t page)
{
    struct reverse *r = ctx;
    struct snap *s = &r->snaps[r->nsnaps - 1];
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        uint64_t *p = realloc(s->pages, cap * sizeof *p);
        if (p)
            s->pages = p;
        uint8_t *d = p ? realloc(s->data, cap * BUS_PAGE_SIZE) : NULL;
        if (!d) {
            /* no memory for the old contents: the history ends here */
            fprintf(stderr, "rivet: reverse execution: out of memory, history dropped\n");
            abort();
        }
        s->data = d;
        s->cap = cap;
    }
    uint64_t len = r->bus->ram_size - (page << BUS_PAGE_SHIFT);
    if (len > BUS_PAGE_SIZE)
        len = BUS_PAGE_SIZE;
    s->pages[s->n] = page;
    memcpy(s->data + s->n * BUS_PAGE_SIZE, r->bus->ram + (page << BUS_PAGE_SHIFT), len);
    s->n++;
    r->bytes += BUS_PAGE_SIZE + 8;
}

/* A new copy-on-write generation: the next write to any page copies it
 * into the newest snapshot's record. */
static void cow_start(struct reverse *r)
{
    r->bus->cow = cow;
    r->bus->cow_ctx = r;
    r->bus->cow_since = bus_dirty_next(r->bus);
}

static void drop_oldest(struct reverse *r)
{
    snap_free(r, &r->snaps[0]);
    memmove(r->snaps, r->snaps + 1, (r->nsnaps - 1) * sizeof *r->snaps);
    r->nsnaps--;
    uint64_t keep = r->snaps[0].brk;
    size_t drop = 0;
    while (drop < r->nbrks && r->brk0 + drop < keep)
        drop++;
    memmove(r->brks, r->brks + drop, (r->nbrks - drop) * sizeof *r->brks);
    r->nbrks -= drop;
    r->brk0 += drop;
}

static void trim(struct reverse *r)
{
    while (r->nsnaps > 2 && (r->bytes > r->cfg.mem || r->snaps[1].pos + r->cfg.window <= r->head))
        drop_oldest(r);
}

static void take(struct reverse *r)
{
    if (r->why && r->nsnaps)
        return; /* refused: no history to keep */
    uint64_t pos = r->ops.pos(r->ops.ctx);
    if (r->nsnaps) {
        const struct snap *l = &r->snaps[r->nsnaps - 1];
        if (l->pos == pos && l->brk == r->cursor)
            return;
    }
    if (r->nsnaps == r->capsnaps) {
        size_t cap = r->capsnaps ? 2 * r->capsnaps : 64;
        struct snap *n = realloc(r->snaps, cap * sizeof *n);
        if (!n)
            return; /* (the previous snapshot's record goes on) */
        r->snaps = n;
        r->capsnaps = cap;
    }
    struct snap s = { .pos = pos, .brk = r->cursor };
    if (r->ops.save(r->ops.ctx, &s.state, &s.state_len) < 0)
        return;
    r->snaps[r->nsnaps++] = s;
    r->bytes += s.state_len;
    cow_start(r);
    if (!r->behind && pos > r->head)
        r->head = pos;
    trim(r);
}

struct reverse *reverse_new(const struct reverse_config *cfg, const struct reverse_ops *ops, struct bus *bus)
{
    struct reverse *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->cfg = *cfg;
    if (!r->cfg.window)
        r->cfg.window = REVERSE_DEFAULT_WINDOW;
    if (!r->cfg.mem)
        r->cfg.mem = REVERSE_DEFAULT_MEM;
    if (!r->cfg.interval)
        r->cfg.interval = REVERSE_DEFAULT_INTERVAL;
    r->ops = *ops;
    r->bus = bus;
    take(r);
    if (!r->nsnaps) {
        reverse_free(r);
        return NULL;
    }
    return r;
}

void reverse_free(struct reverse *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nsnaps; i++)
        snap_free(r, &r->snaps[i]);
    free(r->snaps);
    free(r->brks);
    if (r->bus->cow_ctx == r) {
        r->bus->cow_since = 0;
        r->bus->cow = NULL;
    }
    free(r);
}

void reverse_refuse(struct reverse *r, const char *why)
{
    if (r && !r->why)
        r->why = why;
}

const char *reverse_refused(const struct reverse *r)
{
    return r ? r->why : "reverse execution is off (-gdb-reverse off)";
}

/* ---- live execution ---- */

void reverse_round(struct reverse *r)
{
    if (r && !r->why && (!r->nsnaps || r->ops.pos(r->ops.ctx) >= r->snaps[r->nsnaps - 1].pos + r->cfg.interval))
        take(r);
}

static void add_break(struct reverse *r, const struct reverse_break *b)
{
    if (r->nbrks == r->capbrks) {
        size_t cap = r->capbrks ? 2 * r->capbrks : 64;
        struct reverse_break *n = realloc(r->brks, cap * sizeof *n);
        if (!n) {
            reverse_refuse(r, "out of memory for the history");
            return;
        }
        r->brks = n;
        r->capbrks = cap;
    }
    r->brks[r->nbrks++] = *b;
    r->cursor = r->brk0 + r->nbrks;
}

void reverse_stopped(struct reverse *r, const struct reverse_cut *cut)
{
    if (!r || r->behind)
        return;
    if (cut)
        add_break(r, &(struct reverse_break){ .pos = cut->g0 + cut->k, .cut = *cut });
    r->head = r->ops.pos(r->ops.ctx);
    take(r);
}

void reverse_stepping(struct reverse *r, unsigned hart)
{
    if (!r || r->behind)
        return;
    add_break(r, &(struct reverse_break){ .pos = r->ops.pos(r->ops.ctx), .step = true, .hart = hart });
}

void reverse_changed(struct reverse *r)
{
    if (!r)
        return;
    while (r->nsnaps)
        snap_free(r, &r->snaps[--r->nsnaps]);
    r->brk0 += r->nbrks;
    r->nbrks = 0;
    r->cursor = r->brk0;
    r->behind = false;
    r->head = r->ops.pos(r->ops.ctx);
    take(r);
}

const struct reverse_break *reverse_next_break(const struct reverse *r)
{
    if (r->cursor < r->brk0 || r->cursor >= r->brk0 + r->nbrks)
        return NULL;
    return &r->brks[r->cursor - r->brk0];
}

void reverse_break_done(struct reverse *r)
{
    r->cursor++;
}

bool reverse_behind(const struct reverse *r)
{
    return r && r->behind;
}

void reverse_stats(const struct reverse *r, unsigned *nsnaps, uint64_t *bytes, uint64_t *oldest, uint64_t *head)
{
    *nsnaps = (unsigned)r->nsnaps;
    *bytes = r->bytes;
    *oldest = r->snaps[0].pos;
    *head = r->head;
}

/* ---- going back ---- */

/* The machine as it was at snapshot j: RAM records from the newest down to
 * j, then the board's state. Later snapshots are dropped (re-execution
 * takes them again). */
static int restore(struct reverse *r, size_t j)
{
    uint8_t *ram = r->bus->ram;
    for (size_t k = r->nsnaps; k-- > j;) {
        struct snap *s = &r->snaps[k];
        for (size_t i = 0; i < s->n; i++) {
            uint64_t off = s->pages[i] << BUS_PAGE_SHIFT;
            uint64_t len = r->bus->ram_size - off < BUS_PAGE_SIZE ? r->bus->ram_size - off : BUS_PAGE_SIZE;
            memcpy(ram + off, s->data + i * BUS_PAGE_SIZE, len);
        }
    }
    /* the pages put back are written, for the other dirty-page consumers */
    r->bus->cow_since = 0;
    for (size_t k = j; k < r->nsnaps; k++)
        for (size_t i = 0; i < r->snaps[k].n; i++)
            bus_mark_dirty(r->bus, r->bus->ram_base + (r->snaps[k].pages[i] << BUS_PAGE_SHIFT));
    while (r->nsnaps > j + 1)
        snap_free(r, &r->snaps[--r->nsnaps]);
    struct snap *s = &r->snaps[j];
    r->bytes -= s->n * (BUS_PAGE_SIZE + 8);
    s->n = 0;
    if (r->ops.load(r->ops.ctx, s->state, s->state_len) < 0)
        return -1;
    r->cursor = s->brk;
    r->behind = true;
    cow_start(r);
    return 0;
}

static void consider(struct reverse *r, const struct event *e)
{
    if (r->forward) {
        if (e->pos > r->lo && e->pos <= r->hi && (!r->have || e->pos < r->best.pos)) {
            r->best = *e;
            r->have = true;
            r->run->halt = true; /* the first one is the one */
        }
    } else if (e->pos >= r->lo && e->pos < r->hi && (!r->have || e->pos >= r->best.pos)) {
        r->best = *e;
        r->have = true;
    }
}

static void on_slice(void *ctx, unsigned hart, uint64_t g0, uint64_t icount0, uint64_t done, bool step)
{
    struct reverse *r = ctx;
    if (r->mode != SCAN_STEP || hart != r->step_hart)
        return;
    uint64_t want = r->step_insn;
    if (want < icount0 || want >= icount0 + done)
        return;
    uint64_t k = want - icount0 + (r->forward ? 1 : 0); /* before it / after it */
    struct event e = { .pos = g0 + k, .cut = { g0, hart, step ? 0 : k }, .stop = { .hart = hart } };
    if (step || k == 0)
        e.cut = (struct reverse_cut){ g0 + k, hart, 0 };
    consider(r, &e);
}

void reverse_hit(struct reverse *r, unsigned hart, enum rv_dbg_type type, uint64_t addr, uint64_t pos, uint64_t g0)
{
    if (!r || r->mode != SCAN_HITS || !r->run)
        return;
    struct event e = { .pos = pos, .cut = { g0, hart, pos - g0 },
                       .stop = { .hart = hart, .hit = true, .type = type, .addr = addr } };
    if (e.cut.k == 0)
        e.cut.g0 = pos;
    consider(r, &e);
}

static int run(struct reverse *r, struct reverse_run *run)
{
    run->slice = on_slice;
    run->ctx = r;
    r->run = run;
    r->ops.log_points(r->ops.ctx, true); /* re-execution never stops at a point */
    int rc = r->ops.run(r->ops.ctx, run);
    r->ops.log_points(r->ops.ctx, false);
    r->run = NULL;
    return rc;
}

/* Go to the event found: from the newest snapshot before it, re-execute
 * to exactly there. */
static enum reverse_result go_to(struct reverse *r, struct reverse_stop *out, char *err, size_t errlen)
{
    size_t j = r->nsnaps;
    while (j > 1 && r->snaps[j - 1].pos > r->best.pos)
        j--;
    if (j == 0 || r->snaps[j - 1].pos > r->best.pos)
        return errf(err, errlen, "the history has no snapshot before its event"), REVERSE_ERROR;
    j--;
    enum scan_mode mode = r->mode;
    r->mode = SCAN_STEP;
    r->step_hart = ~0u; /* nothing to find: just go */
    if (restore(r, j) < 0)
        return errf(err, errlen, "cannot restore a snapshot"), REVERSE_ERROR;
    if (r->snaps[j].pos != r->best.pos || r->best.cut.k) {
        struct reverse_run rr = { .until = r->best.pos + 1, .stop_at_cut = true, .cut = r->best.cut };
        if (run(r, &rr) < 0)
            return errf(err, errlen, "the machine stopped during re-execution"), REVERSE_ERROR;
    }
    r->mode = mode;
    uint64_t pos = r->ops.pos(r->ops.ctx);
    if (pos != r->best.pos)
        return errf(err, errlen, "re-execution went to instruction %llu instead of %llu (history diverged)",
                    (unsigned long long)pos, (unsigned long long)r->best.pos),
               REVERSE_ERROR;
    r->behind = pos < r->head || r->cursor < r->brk0 + r->nbrks;
    *out = r->best.stop;
    return REVERSE_STOP;
}

static enum reverse_result search_back(struct reverse *r, struct reverse_stop *out, char *err, size_t errlen)
{
    uint64_t p = r->ops.pos(r->ops.ctx);
    r->forward = false;
    r->have = false;
    r->hi = p;
    size_t k = r->nsnaps;
    while (k > 0 && r->snaps[k - 1].pos >= p)
        k--;
    uint64_t until = p;
    while (k-- > 0) {
        uint64_t from = r->snaps[k].pos;
        r->lo = from;
        if (restore(r, k) < 0)
            return errf(err, errlen, "cannot restore a snapshot"), REVERSE_ERROR;
        struct reverse_run rr = { .until = until };
        if (run(r, &rr) < 0)
            return errf(err, errlen, "the machine stopped during re-execution"), REVERSE_ERROR;
        if (r->have)
            return go_to(r, out, err, errlen);
        until = from;
    }
    if (restore(r, 0) < 0)
        return errf(err, errlen, "cannot restore a snapshot"), REVERSE_ERROR;
    return REVERSE_BEGIN;
}

static enum reverse_result search_forward(struct reverse *r, struct reverse_stop *out, char *err, size_t errlen)
{
    uint64_t p = r->ops.pos(r->ops.ctx);
    uint64_t head = r->head;
    r->forward = true;
    r->have = false;
    r->lo = p;
    r->hi = head;
    size_t k = r->nsnaps;
    while (k > 1 && r->snaps[k - 1].pos > p)
        k--;
    if (restore(r, k - 1) < 0)
        return errf(err, errlen, "cannot restore a snapshot"), REVERSE_ERROR;
    struct reverse_run rr = { .until = head };
    if (run(r, &rr) < 0)
        return errf(err, errlen, "the machine stopped during re-execution"), REVERSE_ERROR;
    if (r->have)
        return go_to(r, out, err, errlen);
    uint64_t pos = r->ops.pos(r->ops.ctx);
    if (pos != head || r->cursor != r->brk0 + r->nbrks)
        return errf(err, errlen, "re-execution ended at instruction %llu, not at the head %llu (history diverged)",
                    (unsigned long long)pos, (unsigned long long)head),
               REVERSE_ERROR;
    r->behind = false;
    return REVERSE_LIVE;
}

enum reverse_result reverse_step(struct reverse *r, unsigned hart, bool backward, struct reverse_stop *out,
                                 char *err, size_t errlen)
{
    if (reverse_refused(r))
        return errf(err, errlen, "%s", reverse_refused(r)), REVERSE_ERROR;
    uint64_t n = r->ops.hart_icount(r->ops.ctx, hart);
    if (backward && n == 0)
        return REVERSE_BEGIN;
    r->mode = SCAN_STEP;
    r->step_hart = hart;
    r->step_insn = backward ? n - 1 : n;
    return backward ? search_back(r, out, err, errlen) : search_forward(r, out, err, errlen);
}

enum reverse_result reverse_continue(struct reverse *r, bool backward, struct reverse_stop *out, char *err,
                                     size_t errlen)
{
    if (reverse_refused(r))
        return errf(err, errlen, "%s", reverse_refused(r)), REVERSE_ERROR;
    r->mode = SCAN_HITS;
    return backward ? search_back(r, out, err, errlen) : search_forward(r, out, err, errlen);
}
