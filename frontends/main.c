/* frontends/main.c: rivet's command line (QEMU's dialect) and the host side
 * of the machine: terminal, files, wall clock. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bus/trace.h"
#include "frontends/chardev.h"
#include "frontends/compat.h"
#include "frontends/display_host.h"
#include "frontends/drive.h"
#include "frontends/net_host.h"
#include "frontends/gdb_server.h"
#include "frontends/monitor.h"
#include "frontends/qmp.h"
#include "frontends/options.h"
#include "frontends/rng_object.h"
#include "frontends/term.h"
#include "machine/devices.h"
#include "machine/display_glue.h"
#include "machine/rr.h"
#include "machine/virt.h"

struct host {
    struct chardev *serial;   /* -serial, or NULL */
    struct chardev **chardevs;
    unsigned nchardevs;
    struct net_host *net;
    struct display_host *display;   /* -display, or NULL without a display device */
    int daemon_fd;                  /* -daemonize: tell the parent when started, or -1 */
    struct gdb_server *gdb;         /* -s/-gdb, or NULL */
    bool pending_break;             /* Ctrl-A b, until the machine takes it */
    struct monitor *mon;            /* HMP and QMP (frontends/monitor.h) */
    struct chardev *mon_cd;         /* -monitor DEV's */
    struct qmp *qmp;                /* -qmp DEV's */
    unsigned gdb_cpu;               /* gdb's `monitor cpu N` */
};

static bool host_serial_break(void *ctx)
{
    struct host *h = ctx;
    bool b = h->pending_break;
    h->pending_break = false;
    return b;
}

static void host_started(void *ctx)
{
    struct host *h = ctx;
    if (h->daemon_fd >= 0)
        compat_daemon_ready(h->daemon_fd);
    h->daemon_fd = -1;
}

static void host_serial_write(void *ctx, const uint8_t *buf, size_t len)
{
    struct host *h = ctx;
    if (h->serial)
        chardev_write(h->serial, buf, len);
}

static size_t host_serial_read(void *ctx, uint8_t *buf, size_t len, bool *quit)
{
    struct host *h = ctx;
    if (!h->serial)
        return 0;
    int ev = 0;
    size_t n = chardev_read_event(h->serial, buf, len, &ev);
    if (h->mon && monitor_serial_active(h->mon)) {
        monitor_serial_input(h->mon, buf, n); /* typed into the monitor (Ctrl-A c) */
        n = 0;
    }
    if (ev == TERM_EV_MONITOR && h->mon)
        monitor_serial_toggle(h->mon);
    if (ev == TERM_EV_QUIT)
        *quit = true;
    if (ev == TERM_EV_BREAK)
        h->pending_break = true;
    if (ev == TERM_EV_SCREENDUMP) {
        if (h->display)
            display_host_request_screendump(h->display);
        else
            fprintf(stderr, "\r\nrivet: no display to dump (add -device virtio-gpu-device)\r\n");
    }
    return n;
}

static void host_wait(void *ctx, uint64_t us)
{
    struct host *h = ctx;
    /* a window's events are not on an fd here: look at them every 10 ms */
    if (h->display && !strcmp(display_host_backend(h->display), "sdl") && us > 10000)
        us = 10000;
    struct pollfd p[1 + 16 + 64 + 2 + 2];
    nfds_t n = 0;
    n += (nfds_t)net_host_fill_pollfds(h->net, p, 64); /* packets wake an idle machine */
    int gfd[2];
    for (unsigned i = 0, k = gdb_server_fds(h->gdb, gfd, 2); i < k; i++)
        p[n++] = (struct pollfd){ .fd = gfd[i], .events = POLLIN }; /* gdb's Ctrl-C or connection */
    if (h->mon)
        for (unsigned i = 0, k = monitor_fds(h->mon, gfd, 2); i < k; i++)
            p[n++] = (struct pollfd){ .fd = gfd[i], .events = POLLIN }; /* -monitor, -qmp */
    int sfd = h->serial ? chardev_poll_fd(h->serial) : -1;
    if (sfd >= 0)
        p[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
    for (unsigned i = 0; i < h->nchardevs && n < sizeof p / sizeof p[0]; i++) {
        int fd = chardev_poll_fd(h->chardevs[i]);
        if (fd >= 0)
            p[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
    }
    int ms = (int)((us + 999) / 1000);
    poll(p, n, ms);
}

/* What can still wake a machine whose harts all wait with no timer armed. */
static bool host_input_possible(void *ctx)
{
    struct host *h = ctx;
    if ((h->serial && chardev_input_possible(h->serial)) || net_host_count(h->net) || h->gdb)
        return true;
    int mfd[2];
    if (h->mon && monitor_fds(h->mon, mfd, 2))
        return true; /* a monitor or QMP client may come */
    if (h->display && !strcmp(display_host_backend(h->display), "sdl"))
        return true; /* window events, virtio-input */
    for (unsigned i = 0; i < h->nchardevs; i++)
        if (chardev_input_possible(h->chardevs[i]))
            return true;
    return false;
}

static void chardev_write_cb(void *ctx, const uint8_t *buf, size_t len)
{
    chardev_write(ctx, buf, len);
}

static size_t chardev_read_cb(void *ctx, uint8_t *buf, size_t len, bool *quit)
{
    return chardev_read(ctx, buf, len, quit);
}

/* The host objects behind -chardev and -drive, handed to the machine. */
struct host_objects {
    struct chardev **chardevs;      /* every -chardev; the serial's (chardev:ID) is not among cd */
    struct devices_chardev *cd;
    unsigned ncd;
    struct chardev *serial;         /* the serial console's, or NULL */
    bool serial_owned;              /* opened for -serial (not a -chardev's) */
    struct drive **drives;
    struct devices_netdev *rr_nd;  /* -record/-replay: the netdevs, wrapped (machine/rr.h) */
    struct devices_drive *dd;
    struct net_host *net;
    struct fs_local **fs;
    struct devices_fsdev *fd;
    struct rng_object **rngs;       /* -object rng-* */
    struct devices_rng *dr;
    struct devices_config cfg;
};

static void close_objects(struct host_objects *ho, const struct rivet_options *o)
{
    for (unsigned i = 0; ho->chardevs && i < o->nchardevs; i++)
        chardev_close(ho->chardevs[i]);
    if (ho->serial_owned)
        chardev_close(ho->serial);
    for (unsigned i = 0; ho->drives && i < o->ndrives; i++)
        drive_close(ho->drives[i]);
    net_host_close(ho->net);
    for (unsigned i = 0; ho->fs && i < o->nfsdevs; i++)
        fs_local_close(ho->fs[i]);
    free(ho->fs);
    free(ho->fd);
    for (unsigned i = 0; ho->rngs && i < o->nobjects; i++)
        rng_object_close(ho->rngs[i]);
    free(ho->rngs);
    free(ho->dr);
    free(ho->chardevs);
    free(ho->cd);
    free(ho->drives);
    free(ho->rr_nd);
    free(ho->dd);
}

/* The ID of a "chardev:ID" spelling (-monitor, -qmp, -mon), or NULL. */
static const char *chardev_ref(const char *spec)
{
    return spec && !strncmp(spec, "chardev:", 8) && spec[8] ? spec + 8 : NULL;
}

static struct chardev *host_chardev(struct chardev **cds, unsigned n, const char *id)
{
    for (unsigned i = 0; i < n; i++)
        if (cds[i] && !strcmp(chardev_id(cds[i]), id))
            return cds[i];
    return NULL;
}

/* -record/-replay: what devices read from the host goes through the log
 * (machine/rr.h); a replay opens no network at all (its netdevs are ids). */
static int wrap_objects(struct host_objects *ho, const struct rivet_options *o, struct rr *rr)
{
    for (unsigned i = 0; i < ho->ncd; i++)
        if (rr_wrap_chardev(rr, &ho->cd[i]) < 0)
            return -1;
    for (unsigned i = 0; i < o->nobjects; i++)
        if (rr_wrap_rng(rr, &ho->dr[i]) < 0)
            return -1;
    if (!(ho->rr_nd = calloc(o->nnetdevs + 1, sizeof *ho->rr_nd)))
        return -1;
    for (unsigned i = 0; i < o->nnetdevs; i++) {
        if (rr_mode(rr) == RR_REPLAYING)
            ho->rr_nd[i] = (struct devices_netdev){ .id = o->netdevs[i].id };
        else
            ho->rr_nd[i] = net_host_netdevs(ho->net)[i];
        if (rr_wrap_netdev(rr, &ho->rr_nd[i]) < 0)
            return -1;
    }
    ho->cfg.netdevs = ho->rr_nd;
    ho->cfg.nnetdevs = o->nnetdevs;
    ho->cfg.host_rng = rr_host_rng(rr);
    return 0;
}

static int open_objects(struct host_objects *ho, struct rivet_options *o, struct rr *rr)
{
    char err[256];
    memset(ho, 0, sizeof *ho);
    ho->chardevs = calloc(o->nchardevs + 1, sizeof *ho->chardevs);
    ho->cd = calloc(o->nchardevs + 1, sizeof *ho->cd);
    ho->drives = calloc(o->ndrives + 1, sizeof *ho->drives);
    ho->dd = calloc(o->ndrives + 1, sizeof *ho->dd);
    if (!ho->chardevs || !ho->cd || !ho->drives || !ho->dd) {
        fprintf(stderr, "rivet: out of memory\n");
        return -1;
    }
    char sarg[4096];
    int skind = o->serial ? chardev_serial_spec(o->serial, "serial0", !o->nographic, sarg, sizeof sarg, err,
                                                sizeof err)
                          : CHARDEV_SERIAL_NONE;
    if (skind < 0) { /* cannot happen: options_parse checked it */
        fprintf(stderr, "rivet: -serial %s: %s\n", o->serial, err);
        return -1;
    }
    for (unsigned i = 0; i < o->nchardevs; i++) {
        const char *a = o->chardevs[i];
        /* stdio is one terminal: it cannot also be the serial console */
        if (skind == CHARDEV_SERIAL_ARG && !strncmp(sarg, "stdio,", 6) && !strncmp(a, "stdio", 5) &&
            (a[5] == ',' || !a[5])) {
            fprintf(stderr, "rivet: -chardev %s: the terminal is already the serial console (add -serial none)\n", a);
            return -1;
        }
        ho->chardevs[i] = chardev_open(a, err, sizeof err);
        if (!ho->chardevs[i]) {
            fprintf(stderr, "rivet: -chardev %s: %s\n", a, err);
            return -1;
        }
        const char *id = chardev_id(ho->chardevs[i]);
        for (unsigned k = 0; k < i; k++)
            if (!strcmp(chardev_id(ho->chardevs[k]), id)) {
                fprintf(stderr, "rivet: -chardev %s: duplicate id '%s'\n", a, id);
                return -1;
            }
        const char *mid = chardev_ref(o->monitor), *qid = chardev_ref(o->qmp);
        if (skind == CHARDEV_SERIAL_REF && !strcmp(id, sarg))
            ho->serial = ho->chardevs[i]; /* the UART's: no device may take it */
        else if ((mid && !strcmp(id, mid)) || (qid && !strcmp(id, qid)))
            continue;                     /* a monitor's (open_monitor): no device may take it either */
        else
            ho->cd[ho->ncd++] = (struct devices_chardev){ id, ho->chardevs[i], chardev_write_cb, chardev_read_cb };
    }
    if (skind == CHARDEV_SERIAL_REF && !ho->serial) {
        fprintf(stderr, "rivet: -serial %s: no -chardev with id=%s\n", o->serial, sarg);
        return -1;
    }
    const struct { const char *opt, *spec, *id, *what; } refs[] = {
        { "-serial", o->serial, skind == CHARDEV_SERIAL_REF ? sarg : NULL, "the serial console" },
        { "-monitor", o->monitor, chardev_ref(o->monitor), "the monitor" },
        { "-qmp", o->qmp, chardev_ref(o->qmp), "the QMP monitor" },
    };
    for (unsigned r = 0; r < 3; r++) {
        if (!refs[r].id)
            continue;
        if (r && !host_chardev(ho->chardevs, o->nchardevs, refs[r].id)) {
            fprintf(stderr, "rivet: %s %s: no -chardev with id=%s\n", refs[r].opt, refs[r].spec, refs[r].id);
            return -1;
        }
        for (unsigned k = 0; k < r; k++)
            if (refs[k].id && !strcmp(refs[k].id, refs[r].id)) {
                fprintf(stderr, "rivet: %s %s: chardev '%s' is already %s (%s %s)\n", refs[r].opt, refs[r].spec,
                        refs[r].id, refs[k].what, refs[k].opt, refs[k].spec);
                return -1;
            }
        for (unsigned i = 0; i < o->ndevices; i++) {
            struct optlist l;
            if (optlist_parse(o->devices[i], &l) < 0)
                continue;
            const char *c = optlist_get(&l, "chardev");
            bool taken = c && !strcmp(c, refs[r].id);
            optlist_free(&l);
            if (taken) {
                fprintf(stderr, "rivet: -device %s: chardev '%s' is already %s (%s %s)\n", o->devices[i],
                        refs[r].id, refs[r].what, refs[r].opt, refs[r].spec);
                return -1;
            }
        }
    }
    if (skind == CHARDEV_SERIAL_ARG) {
        for (unsigned k = 0; k < o->nchardevs; k++)
            if (!strcmp(chardev_id(ho->chardevs[k]), "serial0")) {
                fprintf(stderr, "rivet: -serial %s: the id serial0 is taken by -chardev %s\n", o->serial,
                        o->chardevs[k]);
                return -1;
            }
        ho->serial = chardev_open(sarg, err, sizeof err);
        if (!ho->serial) {
            fprintf(stderr, "rivet: -serial %s: %s\n", o->serial, err);
            return -1;
        }
        ho->serial_owned = true;
    }
    for (unsigned i = 0; i < o->ndrives; i++) {
        const struct drive_opts *d = &o->drives[i];
        for (unsigned k = 0; k < i; k++)
            if (!strcmp(ho->dd[k].id, d->id)) {
                fprintf(stderr, "rivet: -drive file=%s: duplicate id '%s'\n", d->file, d->id);
                return -1;
            }
        ho->drives[i] = drive_open(d, err, sizeof err);
        if (!ho->drives[i]) {
            fprintf(stderr, "rivet: -drive file=%s: %s\n", d->file, err);
            return -1;
        }
        if (d->note)
            fprintf(stderr, "%s\n", d->note);
        ho->dd[i] = (struct devices_drive){ d->id, drive_backend(ho->drives[i]) };
    }
    ho->fs = calloc(o->nfsdevs + 1, sizeof *ho->fs);
    ho->fd = calloc(o->nfsdevs + 1, sizeof *ho->fd);
    if (!ho->fs || !ho->fd) {
        fprintf(stderr, "rivet: out of memory\n");
        return -1;
    }
    for (unsigned i = 0; i < o->nfsdevs; i++) {
        const struct fsdev_opts *f = &o->fsdevs[i];
        ho->fs[i] = fs_local_open(f->path, f->model, f->readonly, err, sizeof err);
        if (!ho->fs[i]) {
            fprintf(stderr, "rivet: %s %s: %s\n", f->opt, f->arg, err);
            return -1;
        }
        ho->fd[i] = (struct devices_fsdev){ f->id, fs_local_backend(ho->fs[i]) };
    }
    ho->rngs = calloc(o->nobjects + 1, sizeof *ho->rngs);
    ho->dr = calloc(o->nobjects + 1, sizeof *ho->dr);
    if (!ho->rngs || !ho->dr) {
        fprintf(stderr, "rivet: out of memory\n");
        return -1;
    }
    for (unsigned i = 0; i < o->nobjects; i++) {
        const struct rng_object_config *r = &o->objects[i];
        if (!(ho->rngs[i] = rng_object_open(r, err, sizeof err))) {
            fprintf(stderr, "rivet: -object %s: %s\n", r->arg, err);
            return -1;
        }
        ho->dr[i] = (struct devices_rng){ r->id, ho->rngs[i], rng_object_read };
    }
    ho->net = net_host_open(o->netdevs, o->netdev_args, rr_mode(rr) == RR_REPLAYING ? 0 : o->nnetdevs);
    if (!ho->net)
        return -1;
    ho->cfg = (struct devices_config){
        .devices = (const char *const *)o->devices, .ndevices = o->ndevices,
        .drives = ho->dd, .ndrives = o->ndrives,
        .chardevs = ho->cd, .nchardevs = ho->ncd,
        .netdevs = net_host_netdevs(ho->net), .nnetdevs = net_host_count(ho->net),
        .fsdevs = ho->fd, .nfsdevs = o->nfsdevs,
        .rngs = ho->dr, .nrngs = o->nobjects,
        .mmio_legacy = o->mmio_legacy,
    };
    if (rr && wrap_objects(ho, o, rr) < 0) {
        fprintf(stderr, "rivet: out of memory\n");
        return -1;
    }
    return devices_validate(&ho->cfg, VIRT_VIRTIO_MMIO_SLOTS);
}

/* A display opens when a display device exists, or when asked for by
 * -display sdl or -screendump. */
static int open_display(struct rivet_options *o, struct host *host)
{
    bool device = false, input = false;
    for (unsigned i = 0; i < o->ndevices; i++) {
        const char *d = o->devices[i];
        device |= !strncmp(d, "virtio-gpu-", 11);
        input |= !strncmp(d, "virtio-keyboard-", 16) || !strncmp(d, "virtio-mouse-", 13) ||
                 !strncmp(d, "virtio-tablet-", 14);
    }
    bool asked = o->display && !strcmp(o->display, "sdl");
    if (!device && !asked && !o->screendump && !input)
        return 0;
    char err[256];
    host->display = display_host_open(device || asked ? o->display : "none", o->screendump, err, sizeof err);
    if (!host->display) {
        fprintf(stderr, "rivet: -display %s: %s\n", o->display ? o->display : "sdl", err);
        return -1;
    }
    display_host_catch_sigusr1(host->display);
    return 0;
}

static void gdb_monitor(void *ctx, const char *cmd, void (*out)(void *octx, const char *text), void *octx)
{
    struct host *h = ctx;
    monitor_run_line(h->mon, cmd, &h->gdb_cpu, out, octx);
}

/* The monitor: Ctrl-A c on a terminal serial console, -monitor DEV, -qmp
 * DEV, gdb's `monitor CMD`. 0, or -1 after one line. */
/* Opens the chardev of -monitor DEV / -qmp DEV (a -serial spelling; options
 * checked it). stdio is one terminal: not when the serial console, a
 * -chardev or the other monitor has it. NULL after one line on stderr. */
static struct chardev *open_mon_dev(struct host *h, const char *opt, const char *spec, const char *id)
{
    char arg[4096], err[256];
    if (chardev_serial_spec(spec, id, true, arg, sizeof arg, err, sizeof err) != CHARDEV_SERIAL_ARG) {
        fprintf(stderr, "rivet: %s %s: cannot be a monitor\n", opt, spec);
        return NULL;
    }
    if (!strncmp(arg, "stdio,", 6)) {
        const char *why = NULL;
        if (h->serial && chardev_is_stdio(h->serial))
            why = "the terminal is already the serial console (add -serial none, or use -serial mon:stdio and Ctrl-A c)";
        for (unsigned i = 0; i < h->nchardevs; i++)
            if (chardev_is_stdio(h->chardevs[i]))
                why = "the terminal is already a -chardev stdio";
        if (h->mon_cd && chardev_is_stdio(h->mon_cd))
            why = "the terminal is already the monitor (-monitor stdio)";
        if (why) {
            fprintf(stderr, "rivet: %s %s: %s\n", opt, spec, why);
            return NULL;
        }
    }
    struct chardev *cd = chardev_open(arg, err, sizeof err);
    if (!cd)
        fprintf(stderr, "rivet: %s %s: %s\n", opt, spec, err);
    return cd;
}

static int open_monitor(struct rivet_options *o, struct host *h)
{
    h->mon = monitor_new();
    if (!h->mon) {
        fprintf(stderr, "rivet: out of memory\n");
        return -1;
    }
    monitor_set_display(h->mon, h->display);
    monitor_set_chardevs(h->mon, h->chardevs, h->nchardevs);
    if (h->serial && chardev_is_stdio(h->serial))
        monitor_set_serial(h->mon, h->serial);
    const char *ref = chardev_ref(o->monitor);
    if (ref) { /* a -chardev's (checked by open_objects; closed by close_objects) */
        struct chardev *cd = host_chardev(h->chardevs, h->nchardevs, ref);
        if (!cd || monitor_add_chardev(h->mon, cd, chardev_is_stdio(cd) && isatty(STDIN_FILENO)) < 0) {
            fprintf(stderr, "rivet: -monitor %s: %s\n", o->monitor, cd ? "out of memory" : "no such -chardev");
            return -1;
        }
    } else if (o->monitor && strcmp(o->monitor, "none")) {
        if (!(h->mon_cd = open_mon_dev(h, "-monitor", o->monitor, "monitor0")))
            return -1;
        monitor_add_chardev(h->mon, h->mon_cd, chardev_is_stdio(h->mon_cd) && isatty(STDIN_FILENO));
    }
    if ((ref = chardev_ref(o->qmp))) {
        struct chardev *cd = host_chardev(h->chardevs, h->nchardevs, ref);
        if (!cd || !(h->qmp = qmp_new(h->mon, cd, false))) {
            fprintf(stderr, "rivet: -qmp %s: %s\n", o->qmp, cd ? "out of memory" : "no such -chardev");
            return -1;
        }
    } else if (o->qmp) {
        struct chardev *cd = open_mon_dev(h, "-qmp", o->qmp, "qmp0");
        if (!cd)
            return -1;
        h->qmp = qmp_new(h->mon, cd, true);
        if (!h->qmp) {
            chardev_close(cd);
            fprintf(stderr, "rivet: out of memory\n");
            return -1;
        }
    }
    o->machine.monitor = monitor_virt(h->mon);
    return 0;
}

static void close_monitor(struct host *h)
{
    qmp_free(h->qmp);
    monitor_free(h->mon);
    chardev_close(h->mon_cd);
}

static uint64_t host_monotonic_ns(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t host_realtime_ns(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* How time flows when -icount / -rtc clock= leave it open (docs/time.md).
 * A realtime run is one where someone or something outside lives in wall
 * time: a terminal on the console, a network peer (whose replies and the
 * guest's timeouts must agree), an SDL window. It gets shift=auto (full
 * speed, guest time on the wall) and an RTC on the host's clock; any other
 * run is batch: 10 ns per instruction, idle time skipped, RTC on virtual
 * time, a pure function of the command line. */
static void time_defaults(struct rivet_options *o, bool interactive)
{
    struct virt_config *m = &o->machine;
    m->icount_sleep = o->icount_sleep != OPT_UNSET ? o->icount_sleep : interactive || o->icount_align == 1;
    if (o->icount_shift != OPT_UNSET)
        m->icount_shift = o->icount_shift;
    else
        m->icount_shift = m->icount_sleep ? VIRT_SHIFT_AUTO : VIRT_SHIFT_BATCH;
    m->icount_align = o->icount_align == 1;
    if (o->rtc_clock != OPT_UNSET)
        m->rtc_clock = o->rtc_clock;
    else
        m->rtc_clock = m->icount_shift == VIRT_SHIFT_AUTO ? VIRT_RTC_HOST : VIRT_RTC_VM;
}

/* -record/-replay (docs/replay.md): the log opens last, when every image
 * is known and every setting chosen; a replay refuses here, before the
 * guest runs, so nothing is written to the images. */
static struct rr *open_rr(struct rivet_options *o, int argc, char **argv)
{
    const struct virt_config *c = &o->machine;
    struct rr_image *img = calloc(o->ndrives + 6, sizeof *img);
    char *snapfile = NULL;
    unsigned n = 0;
    if (!img) {
        fprintf(stderr, "rivet: out of memory\n");
        return NULL;
    }
    const char *fixed[][2] = { { "bios", c->bios }, { "kernel", c->kernel }, { "initrd", c->initrd }, { "dtb", c->dtb } };
    for (unsigned i = 0; i < 4; i++)
        if (fixed[i][1]) {
            snprintf(img[n].role, sizeof img[n].role, "%s", fixed[i][0]);
            img[n++].path = fixed[i][1];
        }
    for (unsigned i = 0; i < o->ndrives; i++)
        if (o->drives[i].file) {
            snprintf(img[n].role, sizeof img[n].role, "drive%u", i);
            img[n++].path = o->drives[i].file;
        }
    if (c->loadvm && (snapfile = virt_snapshot_file(c, c->loadvm))) {
        snprintf(img[n].role, sizeof img[n].role, "snapshot");
        img[n++].path = snapfile;
    }
    char err[512];
    struct rr *rr = rr_open(o->rr_mode, o->rr_file, o->rr_mode == RR_RECORDING ? c->loadvm : NULL, argc, argv, img, n, err, sizeof err);
    if (!rr)
        fprintf(stderr, "rivet: %s\n", err);
    free(img);
    free(snapfile);
    return rr;
}

int main(int argc, char **argv)
{
    struct rivet_options o;
    int rc = options_parse(&o, argc, argv);
    if (rc >= 0) { /* --help, -version, or a bad option (already reported) */
        options_free(&o);
        return rc;
    }
    /* the trace file opens first: a -D that cannot be written stops here */
    if ((o.trace_mask || o.trace_file) && trace_start(o.trace_mask, o.trace_file) < 0) {
        options_free(&o);
        return 1;
    }

    /* -daemonize: everything below runs in the child; its errors still
     * reach this terminal, and the parent exits once it is ready. */
    int daemon_fd = -1;
    if (o.daemonize && (daemon_fd = compat_daemonize()) < 0) {
        options_free(&o);
        return 1;
    }
    if (o.pidfile && compat_write_pidfile(o.pidfile) < 0) {
        options_free(&o);
        return 1;
    }

    /* snapshots by name live next to the first disk (docs/snapshots.md) */
    char *snapdir = NULL;
    if (o.ndrives && o.drives[0].file && (snapdir = malloc(strlen(o.drives[0].file) + 11)))
        sprintf(snapdir, "%s.snapshots", o.drives[0].file);
    o.machine.snapshot_dir = snapdir;
    struct rr *rr = NULL;
    if (o.rr_mode && !o.machine.dumpdtb && !(rr = open_rr(&o, argc, argv))) {
        free(snapdir);
        options_free(&o);
        return 1;
    }
    o.machine.rr = rr;

    struct host_objects ho;
    if (open_objects(&ho, &o, rr) < 0) {
        close_objects(&ho, &o);
        rr_free(rr);
        free(snapdir);
        options_free(&o);
        return 1;
    }
    o.machine.devices = &ho.cfg;

    struct host host = { .serial = ho.serial, .chardevs = ho.chardevs, .nchardevs = o.nchardevs, .net = ho.net };
    if (open_display(&o, &host) < 0) {
        close_objects(&ho, &o);
        rr_free(rr);
        free(snapdir);
        options_free(&o);
        return 1;
    }
    ho.cfg.display = display_host_devices(host.display);
    struct devices_display rr_display; /* -record/-replay: its input through the log */
    if (rr && ho.cfg.display) {
        rr_display = *ho.cfg.display;
        if (rr_wrap_display(rr, &rr_display) < 0) {
            fprintf(stderr, "rivet: out of memory\n");
            display_host_close(host.display);
            close_objects(&ho, &o);
            rr_free(rr);
            free(snapdir);
            options_free(&o);
            return 1;
        }
        ho.cfg.display = &rr_display;
    }
    o.machine.host = (struct host_io){
        .ctx = &host,
        .serial_write = host_serial_write,
        .serial_read = host_serial_read,
        .wait = host_wait,
        .monotonic_ns = host_monotonic_ns,
        .realtime_ns = host_realtime_ns,
        .started = host_started,
        .serial_break = host_serial_break,
        .input_possible = host_input_possible,
    };
    bool stdio_chardev = ho.serial_owned && chardev_is_stdio(ho.serial), peer = false;
    for (unsigned i = 0; i < o.nchardevs; i++) {
        stdio_chardev |= chardev_is_stdio(ho.chardevs[i]);
        peer |= chardev_is_interactive(ho.chardevs[i]);
    }
    peer |= ho.serial_owned && chardev_is_interactive(ho.serial);
    if (open_monitor(&o, &host) < 0) {
        close_monitor(&host);
        display_host_close(host.display);
        close_objects(&ho, &o);
        rr_free(rr);
        free(snapdir);
        options_free(&o);
        return 1;
    }
    /* a socket monitor's peer lives in wall time (as a socket serial's) */
    peer |= (host.mon_cd && chardev_is_interactive(host.mon_cd)) || host.qmp;
    time_defaults(&o, (isatty(STDIN_FILENO) && stdio_chardev) || peer ||
                          net_host_count(ho.net) ||
                          (host.display && !strcmp(display_host_backend(host.display), "sdl")));
    host.daemon_fd = daemon_fd;
    bool gdb_failed = false;
    if (o.gdb) {
        char err[256];
        host.gdb = gdb_server_open(o.gdb, o.gdb_wait, err, sizeof err);
        if (host.gdb) {
            o.machine.debugger = gdb_server_debugger(host.gdb);
            gdb_server_set_monitor(host.gdb, gdb_monitor, &host);
        }
        else
            fprintf(stderr, "rivet: -gdb %s: %s\n", o.gdb, err);
        gdb_failed = !host.gdb;
    }
    rr_settings(rr, &o.machine);
    rc = gdb_failed ? 1 : virt_run(&o.machine);
    free(snapdir);
    gdb_server_close(host.gdb);
    close_monitor(&host);
    if (o.machine.stats)
        net_host_print_stats(ho.net, stderr);
    display_host_close(host.display);
    close_objects(&ho, &o);
    rr_free(rr); /* after the backends: they may still hold its wrappers */
    options_free(&o);
    trace_stop();
    return rc;
}
