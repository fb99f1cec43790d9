/* machine/rr.c: record and replay (rr.h, docs/replay.md). */
#include "machine/rr.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/random.h>

#include "bus/device.h"
#include "machine/display_glue.h"
#include "machine/virt.h"

struct rr {
    enum rr_mode mode;
    char *path;
    char *snapshot;
    struct rr_writer *w;
    bool write_failed;      /* reported once; the guest goes on */
    uint64_t (*pos)(void *ctx);     /* the stamp: the attached machine's position */
    void *pos_ctx;
    /* every record of the run, in order (recording: as written) */
    struct rr_event *ev;
    size_t nev, cap;
    size_t next;            /* feeding: the next record handed out */
    uint64_t head;          /* the recording's head: its position at the last record logged */
    bool reexec;            /* a recording re-executing from memory (rr_seek) */
    uint64_t next_cp;       /* position of the next checkpoint */
    uint64_t end_stamp, end_hash;   /* replay: the log's end */
    uint64_t setting[8];            /* replay: the recording's settings (rr_settings) */
    unsigned settings_seen;         /* (a bit per setting) */
    void **wrappers;                /* rr_wrap_*: freed with it */
    size_t nwrappers;
    struct devices_rng *host_rng;
};

enum rr_mode rr_mode(const struct rr *rr) { return rr ? rr->mode : RR_OFF; }
const char *rr_snapshot(const struct rr *rr) { return rr ? rr->snapshot : NULL; }
static uint64_t machine_position(void *m) { return virt_rr_position(m); }
void rr_attach(struct rr *rr, struct virt *m) { rr_attach_position(rr, m ? machine_position : NULL, m); }
void rr_attach_position(struct rr *rr, uint64_t (*pos)(void *ctx), void *ctx)
{
    if (rr) {
        rr->pos = pos;
        rr->pos_ctx = ctx;
    }
}
uint64_t rr_position(const struct rr *rr) { return rr && rr->pos ? rr->pos(rr->pos_ctx) : 0; }
bool rr_feeding(const struct rr *rr) { return rr && (rr->mode == RR_REPLAYING || rr->reexec); }
bool rr_reexecuting(const struct rr *rr) { return rr && rr->reexec; }

static int push(struct rr *rr, enum rr_type type, uint64_t stamp, const char *name, const void *data, size_t len,
                uint64_t value)
{
    if (rr->nev == rr->cap) {
        size_t nc = rr->cap ? rr->cap * 2 : 256;
        struct rr_event *n = realloc(rr->ev, nc * sizeof *n);
        if (!n)
            return -1;
        rr->ev = n;
        rr->cap = nc;
    }
    struct rr_event *e = &rr->ev[rr->nev];
    *e = (struct rr_event){ .type = type, .stamp = stamp, .len = len, .value = value };
    e->name = strdup(name ? name : "");
    e->data = malloc(len ? len : 1);
    if (!e->name || !e->data) {
        free(e->name);
        free(e->data);
        return -1;
    }
    if (len)
        memcpy(e->data, data, len);
    rr->nev++;
    return 0;
}

/* The first failed write stops the recording (the log stays incomplete:
 * a replay refuses it); the guest goes on. */
static void wrote_w(struct rr *rr, struct rr_writer *w, int r)
{
    if (r < 0 && !rr->write_failed) {
        rr->write_failed = true;
        fprintf(stderr, "rivet: -record %s: %s: the recording stops here, the guest goes on\n", rr->path,
                rr_writer_error(w));
    }
}

static void wrote(struct rr *rr, int r)
{
    wrote_w(rr, rr->w, r);
}

/* ---- the command line ---- */

/* The command line as compared: without argv[0], -record/-replay FILE,
 * -loadvm NAME and -icount's rr, rrfile and rrsnapshot keys (an -icount
 * left empty goes). The snapshot is compared as an image. */
static char **normalize(int argc, char **argv, int *outc)
{
    char **out = calloc((size_t)argc + 1, sizeof *out);
    int n = 0;
    if (!out)
        return NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *o = a[0] == '-' && a[1] == '-' ? a + 1 : a;
        /* (-loadvm's snapshot is checked as an image, and rrsnapshot= is the same) */
        if ((!strcmp(o, "-record") || !strcmp(o, "-replay") || !strcmp(o, "-loadvm")) && i + 1 < argc) {
            i++;
            continue;
        }
        if (!strcmp(o, "-icount") && i + 1 < argc) {
            const char *v = argv[++i];
            char *kept = calloc(strlen(v) + 1, 1);
            if (!kept)
                goto fail;
            const char *p = v;
            while (*p) {
                const char *e = strchr(p, ',');
                size_t l = e ? (size_t)(e - p) : strlen(p);
                if (!(l >= 3 && !strncmp(p, "rr=", 3)) && !(l >= 7 && !strncmp(p, "rrfile=", 7)) &&
                    !(l >= 11 && !strncmp(p, "rrsnapshot=", 11))) {
                    if (*kept)
                        strcat(kept, ",");
                    strncat(kept, p, l);
                }
                p += l + (e ? 1 : 0);
            }
            if (!*kept) {
                free(kept);
                continue;
            }
            if (!(out[n++] = strdup(o)) || !(out[n++] = kept)) {
                free(kept);
                goto fail;
            }
            continue;
        }
        if (!(out[n++] = strdup(a)))
            goto fail;
    }
    *outc = n;
    return out;
fail:
    for (int k = 0; k < n; k++)
        free(out[k]);
    free(out);
    return NULL;
}

static void free_argv(char **v, int n)
{
    for (int k = 0; v && k < n; k++)
        free(v[k]);
    free(v);
}

/* ---- what the frontend chose from the host ---- */

static const char *const settings[] = { "rtc-base", "icount-shift", "icount-sleep", "icount-align", "rtc-clock" };
#define NSETTINGS (sizeof settings / sizeof *settings)

static int setting(const char *name)
{
    for (unsigned i = 0; i < NSETTINGS; i++)
        if (!strcmp(settings[i], name))
            return (int)i;
    return -1;
}

static uint64_t get_setting(const struct virt_config *c, unsigned i)
{
    switch (i) {
    case 0: return c->rtc_base_ns;
    case 1: return (uint64_t)(int64_t)c->icount_shift;
    case 2: return c->icount_sleep;
    case 3: return c->icount_align;
    default: return (uint64_t)(int64_t)c->rtc_clock;
    }
}

static void set_setting(struct virt_config *c, unsigned i, uint64_t v)
{
    switch (i) {
    case 0: c->rtc_base_ns = v; break;
    case 1: c->icount_shift = (int)(int64_t)v; break;
    case 2: c->icount_sleep = v != 0; break;
    case 3: c->icount_align = v != 0; break;
    default: c->rtc_clock = (int)(int64_t)v; break;
    }
}

/* ---- open ---- */

static struct rr *fail(struct rr *rr, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#include <stdarg.h>
static struct rr *fail(struct rr *rr, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    rr_free(rr);
    return NULL;
}

static struct rr *open_record(struct rr *rr, int argc, char **argv, const struct rr_image *img, unsigned nimg,
                              char *err, size_t errlen)
{
    /* hash first: a missing image is the image's error, and no log is made */
    uint64_t *h = calloc(nimg + 1, sizeof *h), *sz = calloc(nimg + 1, sizeof *sz);
    if (!h || !sz) {
        free(h);
        free(sz);
        return fail(rr, err, errlen, "-record %s: out of memory", rr->path);
    }
    for (unsigned i = 0; i < nimg; i++)
        if (rr_hash_file(img[i].path, &h[i], &sz[i]) < 0) {
            free(h);
            free(sz);
            return fail(rr, err, errlen, "-record %s: cannot read the %s image %s", rr->path, img[i].role,
                        img[i].path);
        }
    char e2[200];
    rr->w = rr_writer_open(rr->path, e2, sizeof e2);
    if (!rr->w) {
        free(h);
        free(sz);
        return fail(rr, err, errlen, "-record %s: %s", rr->path, e2);
    }
    int nc = 0;
    char **cl = normalize(argc, argv, &nc);
    int r = cl ? rr_write_cmdline(rr->w, nc, (const char *const *)cl) : -1;
    free_argv(cl, nc);
    for (unsigned i = 0; i < nimg && r == 0; i++)
        r = rr_write_image(rr->w, img[i].role, img[i].path, sz[i], h[i]);
    free(h);
    free(sz);
    if (r == 0 && rr->snapshot)
        r = rr_write_snapshot(rr->w, rr->snapshot);
    if (r < 0)
        return fail(rr, err, errlen, "-record %s: %s", rr->path, rr_writer_error(rr->w));
    rr->next_cp = RR_CHECKPOINT_INTERVAL;
    return rr;
}

static struct rr *open_replay(struct rr *rr, int argc, char **argv, const struct rr_image *img, unsigned nimg,
                              char *err, size_t errlen)
{
    char e2[256];
    struct rr_reader *rd = rr_reader_open(rr->path, e2, sizeof e2);
    if (!rd)
        return fail(rr, err, errlen, "-replay %s: %s", rr->path, e2);
    struct rr_record rec;
    int r, nc = 0;
    bool cmdline = false, ended = false;
    unsigned nimg_seen = 0;
    char **cl = normalize(argc, argv, &nc);
    if (!cl) {
        rr_reader_free(rd);
        return fail(rr, err, errlen, "-replay %s: out of memory", rr->path);
    }
    while ((r = rr_read(rd, &rec)) == 1) {
        switch (rec.type) {
        case RR_CMDLINE: {
            bool same = (int)rec.argc == nc;
            for (int i = 0; same && i < nc; i++)
                same = !strcmp(rec.argv[i], cl[i]);
            if (!same) {
                free_argv(cl, nc);
                rr_reader_free(rd);
                return fail(rr, err, errlen, "-replay %s: recorded with another command line", rr->path);
            }
            cmdline = true;
            break;
        }
        case RR_IMAGE: {
            const struct rr_image *im = NULL;
            for (unsigned i = 0; i < nimg; i++)
                if (!strcmp(img[i].role, rec.name))
                    im = &img[i];
            uint64_t h, sz;
            if (!im || rr_hash_file(im->path, &h, &sz) < 0 || h != rec.value || sz != rec.value2) {
                if (im)
                    snprintf(e2, sizeof e2, "the %s image %s differs from the recording's", rec.name, im->path);
                else
                    snprintf(e2, sizeof e2, "the recording had a %s image (%s), this run has none", rec.name,
                             rec.path);
                free_argv(cl, nc);
                rr_reader_free(rd);
                return fail(rr, err, errlen, "-replay %s: %s", rr->path, e2);
            }
            nimg_seen++;
            break;
        }
        case RR_SNAPSHOT:
            free(rr->snapshot);
            rr->snapshot = strdup(rec.name);
            break;
        case RR_END:
            ended = true;
            rr->end_stamp = rec.stamp;
            rr->end_hash = rec.value;
            break;
        case RR_TIME:
            if (rec.stamp == 0 && rr->nev == 0 && setting(rec.name) >= 0) {
                rr->setting[setting(rec.name)] = rec.value;
                rr->settings_seen |= 1u << setting(rec.name);
                break;
            }
            /* fall through */
        default:
            if (push(rr, rec.type, rec.stamp, rec.name, rec.data, rec.len, rec.value) < 0) {
                free_argv(cl, nc);
                rr_reader_free(rd);
                return fail(rr, err, errlen, "-replay %s: out of memory", rr->path);
            }
        }
    }
    free_argv(cl, nc);
    if (r < 0) {
        snprintf(e2, sizeof e2, "%s", rr_reader_error(rd));
        rr_reader_free(rd);
        return fail(rr, err, errlen, "-replay %s: %s", rr->path, e2);
    }
    rr_reader_free(rd);
    if (!ended)
        return fail(rr, err, errlen, "-replay %s: the log has no end", rr->path);
    if (!cmdline)
        return fail(rr, err, errlen, "-replay %s: the log has no command line", rr->path);
    if (nimg_seen != nimg)
        return fail(rr, err, errlen, "-replay %s: recorded with other images", rr->path);
    if (rr->settings_seen != (1u << NSETTINGS) - 1)
        return fail(rr, err, errlen, "-replay %s: the log lacks the recording's settings", rr->path);
    rr->next_cp = RR_CHECKPOINT_INTERVAL;
    return rr;
}

struct rr *rr_open(enum rr_mode mode, const char *path, const char *snapshot, int argc, char **argv,
                   const struct rr_image *img, unsigned nimg, char *err, size_t errlen)
{
    struct rr *rr = calloc(1, sizeof *rr);
    if (!rr || !(rr->path = strdup(path)) || (snapshot && !(rr->snapshot = strdup(snapshot))))
        return fail(rr, err, errlen, "%s %s: out of memory", mode == RR_RECORDING ? "-record" : "-replay", path);
    rr->mode = mode;
    if (mode == RR_RECORDING)
        return open_record(rr, argc, argv, img, nimg, err, errlen);
    if (snapshot)
        return fail(rr, err, errlen, "-replay %s: rrsnapshot= is the recording's (the log names it)", path);
    return open_replay(rr, argc, argv, img, nimg, err, errlen);
}

void rr_settings(struct rr *rr, struct virt_config *cfg)
{
    for (unsigned i = 0; rr && i < NSETTINGS; i++) {
        if (rr->mode == RR_RECORDING)
            wrote(rr, rr_write_time(rr->w, 0, settings[i], get_setting(cfg, i)));
        else if (rr->mode == RR_REPLAYING)
            set_setting(cfg, i, rr->setting[i]);
    }
}

void rr_free(struct rr *rr)
{
    if (!rr)
        return;
    for (size_t i = 0; i < rr->nwrappers; i++)
        free(rr->wrappers[i]);
    free(rr->wrappers);
    if (rr->w) /* never closed (the machine could not be built): the log stays incomplete */
        rr_writer_abandon(rr->w);
    for (size_t i = 0; i < rr->nev; i++) {
        free(rr->ev[i].name);
        free(rr->ev[i].data);
    }
    free(rr->ev);
    free(rr->path);
    free(rr->snapshot);
    free(rr);
}

int rr_close(struct rr *rr, uint64_t position, uint64_t insns, uint64_t hash)
{
    if (!rr)
        return 0;
    int rc = 0;
    if (rr->mode == RR_RECORDING) {
        struct rr_writer *w = rr->w;
        rr->w = NULL;
        wrote_w(rr, w, rr_writer_flush(w));
        if (rr_writer_close(w, position, hash) < 0) {
            if (!rr->write_failed)
                fprintf(stderr, "rivet: -record %s: cannot write the log's end: the log is not complete\n",
                        rr->path);
            rc = -1;
        }
    } else if (rr->mode == RR_REPLAYING) {
        if (rr->next < rr->nev) {
            fprintf(stderr, "rivet: replay diverged at instruction %" PRIu64 " (the run ended before the log's "
                    "record at position %" PRIu64 ")\n", insns, rr->ev[rr->next].stamp);
            rc = -1;
        } else if (hash != rr->end_hash || position != rr->end_stamp) {
            fprintf(stderr, "rivet: replay diverged at instruction %" PRIu64 " (expected hash %016" PRIx64
                    ", got %016" PRIx64 ")\n", insns, rr->end_hash, hash);
            rc = -1;
        }
    }
    rr->mode = RR_OFF; /* done: nothing more is logged or fed */
    return rc;
}

/* ---- seeking (reverse execution) ---- */

void rr_seek(struct rr *rr, uint64_t stamp)
{
    if (!rr)
        return;
    size_t i = 0;
    while (i < rr->nev && rr->ev[i].stamp < stamp)
        i++;
    rr->next = i;
    if (rr->mode == RR_RECORDING)
        rr->reexec = stamp < rr->head || i < rr->nev;
    rr->next_cp = (stamp / RR_CHECKPOINT_INTERVAL + 1) * RR_CHECKPOINT_INTERVAL;
}

/* A recording re-executing has caught up with its head: record again. */
static void catch_up(struct rr *rr)
{
    if (rr->reexec && rr->next >= rr->nev && rr_position(rr) >= rr->head)
        rr->reexec = false;
}

/* ---- logging and taking ---- */

static bool recording(struct rr *rr)
{
    if (!rr || rr->mode != RR_RECORDING)
        return false;
    catch_up(rr);
    return !rr->reexec;
}

void rr_log_input(struct rr *rr, const char *channel, const void *data, size_t len)
{
    if (!recording(rr))
        return;
    uint64_t s = rr_position(rr);
    rr->head = s;
    push(rr, RR_INPUT, s, channel, data, len, 0);
    wrote(rr, rr_write_input(rr->w, s, channel, data, len));
}

void rr_log_entropy(struct rr *rr, const char *source, const void *data, size_t len)
{
    if (!recording(rr))
        return;
    uint64_t s = rr_position(rr);
    rr->head = s;
    push(rr, RR_ENTROPY, s, source, data, len, 0);
    wrote(rr, rr_write_entropy(rr->w, s, source, data, len));
}

void rr_log_time(struct rr *rr, const char *kind, uint64_t value)
{
    if (!recording(rr))
        return;
    uint64_t s = rr_position(rr);
    rr->head = s;
    push(rr, RR_TIME, s, kind, NULL, 0, value);
    wrote(rr, rr_write_time(rr->w, s, kind, value));
}

/* Checkpoints are not handed out by rr_take: skip past them when they are
 * next (rr_checkpoint checks them in a replay). */
const struct rr_event *rr_take(struct rr *rr, enum rr_type type, const char *channel)
{
    if (!rr_feeding(rr) || rr->next >= rr->nev)
        return NULL;
    const struct rr_event *e = &rr->ev[rr->next];
    if (e->type != type || e->stamp != rr_position(rr) || strcmp(e->name, channel))
        return NULL;
    rr->next++;
    if (rr->reexec)
        catch_up(rr);
    return e;
}

bool rr_pending_now(const struct rr *rr)
{
    return rr_feeding(rr) && rr->next < rr->nev && rr->ev[rr->next].stamp == rr_position(rr);
}

bool rr_more(const struct rr *rr)
{
    return rr_feeding(rr) && rr->next < rr->nev;
}

bool rr_checkpoint_due(const struct rr *rr)
{
    return rr && rr->mode != RR_OFF && rr_position(rr) >= rr->next_cp;
}

int rr_checkpoint(struct rr *rr, uint64_t insns, uint64_t hash)
{
    uint64_t s = rr_position(rr);
    rr->next_cp = (s / RR_CHECKPOINT_INTERVAL + 1) * RR_CHECKPOINT_INTERVAL;
    if (recording(rr)) {
        rr->head = s;
        push(rr, RR_CHECKPOINT, s, "", NULL, 0, hash);
        wrote(rr, rr_write_checkpoint(rr->w, s, hash));
        wrote(rr, rr_writer_flush(rr->w)); /* a full disk shows now, not at the end */
        return 0;
    }
    if (!rr_feeding(rr))
        return 0;
    /* (a recording re-executing checks its own checkpoints too) */
    if (rr->next < rr->nev && rr->ev[rr->next].type == RR_CHECKPOINT && rr->ev[rr->next].stamp == s) {
        const struct rr_event *e = &rr->ev[rr->next++];
        if (e->value != hash) {
            fprintf(stderr, "rivet: replay diverged at instruction %" PRIu64 " (expected hash %016" PRIx64
                    ", got %016" PRIx64 ")\n", insns, e->value, hash);
            return -1;
        }
        return 0;
    }
    return rr_check_missed(rr, insns);
}

int rr_check_missed(struct rr *rr, uint64_t insns)
{
    if (!rr_feeding(rr) || rr->next >= rr->nev)
        return 0;
    const struct rr_event *e = &rr->ev[rr->next];
    uint64_t s = rr_position(rr);
    if (e->stamp >= s)
        return 0;
    fprintf(stderr, "rivet: replay diverged at instruction %" PRIu64 " (the log's %s record at position %" PRIu64
            " was not taken; now at %" PRIu64 ")\n", insns,
            e->type == RR_INPUT ? "input" : e->type == RR_TIME ? "time" : e->type == RR_ENTROPY ? "entropy"
                                                                     : "checkpoint",
            e->stamp, s);
    return -1;
}

size_t rr_entropy(struct rr *rr, const char *source, uint8_t *buf, size_t len,
                  size_t (*fill)(void *ctx, uint8_t *buf, size_t len), void *ctx)
{
    if (rr_feeding(rr)) {
        const struct rr_event *e = rr_take(rr, RR_ENTROPY, source);
        if (!e)
            return 0;
        size_t n = e->len < len ? e->len : len;
        memcpy(buf, e->data, n);
        return n;
    }
    size_t n = fill(ctx, buf, len);
    rr_log_entropy(rr, source, buf, n); /* (none too: a replay must hand out none there) */
    return n;
}

/* ---- host resources ---- */

static void *wrapper(struct rr *rr, size_t size)
{
    void **v = realloc(rr->wrappers, (rr->nwrappers + 1) * sizeof *v);
    if (!v)
        return NULL;
    rr->wrappers = v;
    void *w = calloc(1, size);
    if (w)
        rr->wrappers[rr->nwrappers++] = w;
    return w;
}

struct rr_chardev {
    struct rr *rr;
    struct devices_chardev real;
    char chan[80];
};

static void cd_write(void *ctx, const uint8_t *buf, size_t len)
{
    struct rr_chardev *w = ctx;
    if (w->real.write)
        w->real.write(w->real.ctx, buf, len);
}

static size_t cd_read(void *ctx, uint8_t *buf, size_t len, bool *quit)
{
    struct rr_chardev *w = ctx;
    if (rr_feeding(w->rr)) {
        const struct rr_event *e = rr_take(w->rr, RR_INPUT, w->chan);
        size_t n = e ? (e->len < len ? e->len : len) : 0;
        if (n)
            memcpy(buf, e->data, n);
        return n;
    }
    size_t n = w->real.read ? w->real.read(w->real.ctx, buf, len, quit) : 0;
    if (n)
        rr_log_input(w->rr, w->chan, buf, n);
    return n;
}

int rr_wrap_chardev(struct rr *rr, struct devices_chardev *io)
{
    if (!rr || rr->mode == RR_OFF)
        return 0;
    struct rr_chardev *w = wrapper(rr, sizeof *w);
    if (!w)
        return -1;
    w->rr = rr;
    w->real = *io;
    snprintf(w->chan, sizeof w->chan, "chardev:%s", io->id);
    io->ctx = w;
    io->read = cd_read;
    io->write = cd_write;
    return 0;
}

struct rr_netdev {
    struct rr *rr;
    struct devices_netdev real;
    char chan[80];
    bool (*can_receive)(void *opaque);
    void (*rx)(void *opaque, const void *frame, size_t len);
    void *opaque;
};

static int nd_send(void *ctx, const void *frame, size_t len)
{
    struct rr_netdev *w = ctx;
    if (rr_feeding(w->rr) || !w->real.send)
        return 0; /* a replay's frames go nowhere: the answers are in the log */
    return w->real.send(w->real.ctx, frame, len);
}

static bool nd_can_receive(void *ctx)
{
    struct rr_netdev *w = ctx;
    return !w->can_receive || w->can_receive(w->opaque);
}

static void nd_rx(void *ctx, const void *frame, size_t len)
{
    struct rr_netdev *w = ctx;
    rr_log_input(w->rr, w->chan, frame, len);
    if (w->rx)
        w->rx(w->opaque, frame, len);
}

static void nd_set_receiver(void *ctx, bool (*can_receive)(void *opaque),
                            void (*rx)(void *opaque, const void *frame, size_t len), void *opaque)
{
    struct rr_netdev *w = ctx;
    w->can_receive = can_receive;
    w->rx = rx;
    w->opaque = opaque;
    if (w->real.set_receiver)
        w->real.set_receiver(w->real.ctx, can_receive ? nd_can_receive : NULL, rx ? nd_rx : NULL, rx ? w : NULL);
}

static void nd_poll(void *ctx)
{
    struct rr_netdev *w = ctx;
    if (rr_feeding(w->rr)) {
        const struct rr_event *e;
        while ((e = rr_take(w->rr, RR_INPUT, w->chan)))
            if (w->rx)
                w->rx(w->opaque, e->data, e->len);
        return;
    }
    if (w->real.poll)
        w->real.poll(w->real.ctx);
}

static void nd_set_clock(void *ctx, uint64_t (*now_ns)(void *clock), void *clock)
{
    struct rr_netdev *w = ctx;
    if (w->real.set_clock)
        w->real.set_clock(w->real.ctx, now_ns, clock);
}

int rr_wrap_netdev(struct rr *rr, struct devices_netdev *io)
{
    if (!rr || rr->mode == RR_OFF)
        return 0;
    struct rr_netdev *w = wrapper(rr, sizeof *w);
    if (!w)
        return -1;
    w->rr = rr;
    w->real = *io;
    snprintf(w->chan, sizeof w->chan, "netdev:%s", io->id);
    io->ctx = w;
    io->send = nd_send;
    io->set_receiver = nd_set_receiver;
    io->poll = nd_poll;
    io->set_clock = nd_set_clock;
    return 0;
}

struct rr_rng {
    struct rr *rr;
    struct devices_rng real;
    char chan[80];
};

static size_t rng_read(void *ctx, uint8_t *buf, size_t len)
{
    struct rr_rng *w = ctx;
    return rr_entropy(w->rr, w->chan, buf, len, w->real.read, w->real.ctx);
}

int rr_wrap_rng(struct rr *rr, struct devices_rng *io)
{
    if (!rr || rr->mode == RR_OFF)
        return 0;
    struct rr_rng *w = wrapper(rr, sizeof *w);
    if (!w)
        return -1;
    w->rr = rr;
    w->real = *io;
    snprintf(w->chan, sizeof w->chan, "rng:%s", io->id);
    io->ctx = w;
    io->read = rng_read;
    return 0;
}

static size_t host_entropy(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    ssize_t n = getrandom(buf, len, GRND_NONBLOCK);
    return n > 0 ? (size_t)n : 0;
}

const struct devices_rng *rr_host_rng(struct rr *rr)
{
    if (!rr || rr->mode == RR_OFF)
        return NULL;
    if (!rr->host_rng) {
        struct devices_rng *r = wrapper(rr, sizeof *r);
        if (!r)
            return NULL;
        *r = (struct devices_rng){ .id = "host", .read = host_entropy };
        if (rr_wrap_rng(rr, r) < 0)
            return NULL;
        rr->host_rng = r;
    }
    return rr->host_rng;
}

/* The host display: its input events (keys, buttons, motion, wheel, a
 * window close) and whether it holds the pointer grabbed are input; what
 * it shows is output and passes through. */
struct rr_display {
    struct rr *rr;
    struct devices_display real;
};

static void dp_set_scanout(void *ctx, const struct virtio_gpu_surface *sf)
{
    struct rr_display *w = ctx;
    w->real.set_scanout(w->real.ctx, sf);
}

static void dp_flush(void *ctx, unsigned x, unsigned y, unsigned wd, unsigned h)
{
    struct rr_display *w = ctx;
    w->real.flush(w->real.ctx, x, y, wd, h);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool dp_poll_event(void *ctx, struct devices_input_event *ev)
{
    struct rr_display *w = ctx;
    uint8_t b[17];
    if (rr_feeding(w->rr)) {
        const struct rr_event *e = rr_take(w->rr, RR_INPUT, "display");
        if (!e || e->len != sizeof b)
            return false;
        *ev = (struct devices_input_event){ .type = (enum devices_input_type)get32(e->data),
                                            .code = (uint16_t)get32(e->data + 4), .down = e->data[8] != 0,
                                            .x = (int32_t)get32(e->data + 9), .y = (int32_t)get32(e->data + 13) };
        return true;
    }
    if (!w->real.poll_event(w->real.ctx, ev))
        return false;
    put32(b, (uint32_t)ev->type);
    put32(b + 4, ev->code);
    b[8] = ev->down;
    put32(b + 9, (uint32_t)ev->x);
    put32(b + 13, (uint32_t)ev->y);
    rr_log_input(w->rr, "display", b, sizeof b);
    return true;
}

static void dp_refresh(void *ctx)
{
    struct rr_display *w = ctx;
    w->real.refresh(w->real.ctx);
}

static void dp_set_grab(void *ctx, bool grab)
{
    struct rr_display *w = ctx;
    if (!rr_feeding(w->rr)) /* a replay does not take the host's pointer */
        w->real.set_grab(w->real.ctx, grab);
}

static bool dp_grabbed(void *ctx)
{
    struct rr_display *w = ctx;
    if (rr_feeding(w->rr)) {
        const struct rr_event *e = rr_take(w->rr, RR_INPUT, "display-grab");
        return e && e->len == 1 && e->data[0];
    }
    uint8_t g = w->real.grabbed(w->real.ctx);
    rr_log_input(w->rr, "display-grab", &g, 1);
    return g;
}

static void dp_detach(void *ctx)
{
    struct rr_display *w = ctx;
    w->real.detach(w->real.ctx);
}

int rr_wrap_display(struct rr *rr, struct devices_display *io)
{
    if (!rr || rr->mode == RR_OFF)
        return 0;
    struct rr_display *w = wrapper(rr, sizeof *w);
    if (!w)
        return -1;
    w->rr = rr;
    w->real = *io;
    io->ctx = w;
    /* a callback the display lacks stays NULL */
    io->set_scanout = io->set_scanout ? dp_set_scanout : NULL;
    io->flush = io->flush ? dp_flush : NULL;
    io->poll_event = io->poll_event ? dp_poll_event : NULL;
    io->refresh = io->refresh ? dp_refresh : NULL;
    io->set_grab = io->set_grab ? dp_set_grab : NULL;
    io->grabbed = io->grabbed ? dp_grabbed : NULL;
    io->detach = io->detach ? dp_detach : NULL;
    return 0;
}
