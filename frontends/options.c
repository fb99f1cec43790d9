/* frontends/options.c: rivet's command line, in QEMU's dialect.
 *
 * One table lists every option with its one-line help; `rivet --help`
 * prints it. Options may be spelled with one dash or two. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus/suggest.h"
#include "frontends/chardev.h"
#include "frontends/compat.h"
#include "frontends/options.h"
#include "machine/rr.h"
#include "bus/trace.h"
#include "bus/util.h"
#include "machine/devices.h"
#include "machine/plugin.h"

struct option_def {
    const char *name;
    const char *arg;   /* NULL: takes no argument */
    const char *help;
    int (*handle)(struct rivet_options *, const char *arg);
};

static int bad(const char *opt, const char *arg, const char *why)
{
    fprintf(stderr, "rivet: %s %s: %s\n", opt, arg ? arg : "", why);
    return -1;
}

int options_parse_size(const char *s, unsigned long long unit, unsigned long long *out)
{
    errno = 0;
    char *end;
    if (!*s || *s == '-')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    unsigned long long mul = unit;
    if (*end) {
        switch (*end) {
        case 'k': case 'K': mul = 1ull << 10; break;
        case 'm': case 'M': mul = 1ull << 20; break;
        case 'g': case 'G': mul = 1ull << 30; break;
        case 't': case 'T': mul = 1ull << 40; break;
        case 'b': case 'B': mul = 1; break;
        default: return -1;
        }
        if (end[1] && !((end[1] == 'i' || end[1] == 'B') && (!end[2] || (end[2] == 'B' && !end[3]))))
            return -1;
    }
    if (v && mul > ~0ull / v)
        return -1;
    *out = v * mul;
    return 0;
}

static int opt_machine(struct rivet_options *o, const char *arg)
{
    struct optlist l;
    if (optlist_parse(arg, &l) < 0)
        return bad("-machine", arg, "out of memory");
    int rc = 0;
    for (unsigned i = 0; i < l.n && !rc; i++) {
        const struct opt *t = &l.v[i];
        if ((!strcmp(t->key, "virt") && !t->value) || (!strcmp(t->key, "type") && t->value && !strcmp(t->value, "virt")))
            continue;
        if (!strcmp(t->key, "dumpdtb") && t->value && t->value[0]) {
            free(o->dumpdtb);
            o->dumpdtb = strdup(t->value);
            o->machine.dumpdtb = o->dumpdtb;
            continue;
        }
        if (!strcmp(t->key, "aia") && t->value) {
            if (!strcmp(t->value, "none"))
                o->machine.aia = VIRT_AIA_NONE;
            else if (!strcmp(t->value, "aplic"))
                o->machine.aia = VIRT_AIA_APLIC;
            else if (!strcmp(t->value, "aplic-imsic"))
                o->machine.aia = VIRT_AIA_APLIC_IMSIC;
            else
                rc = bad("-machine", arg, "aia= takes none, aplic or aplic-imsic");
            continue;
        }
        if (!strcmp(t->key, "accel") && t->value) {
            rc = compat_check_accel("-machine", arg, t->value);
            continue;
        }
        if (!strcmp(t->key, "help") && !t->value) {
            optlist_free(&l);
            printf("Supported machines:\nvirt                 RISC-V VirtIO board (QEMU's virt memory map)\n");
            return OPT_HELP_DONE;
        }
        rc = bad("-machine", arg, t->value ? "unknown machine property (supported: dumpdtb=FILE, aia=none|aplic|aplic-imsic, accel=tcg)"
                                           : "unknown machine (supported: virt)");
    }
    optlist_free(&l);
    return rc;
}

static int opt_bios(struct rivet_options *o, const char *arg)
{
    if (!strcmp(arg, "none"))
        o->machine.bios = NULL;
    else if (!strcmp(arg, "default"))
        o->machine.bios = VIRT_DEFAULT_BIOS;
    else
        o->machine.bios = arg;
    return 0;
}

static int opt_kernel(struct rivet_options *o, const char *arg) { o->machine.kernel = arg; return 0; }
static int opt_initrd(struct rivet_options *o, const char *arg) { o->machine.initrd = arg; return 0; }
static int opt_append(struct rivet_options *o, const char *arg) { o->machine.append = arg; return 0; }
static int opt_dtb(struct rivet_options *o, const char *arg) { o->machine.dtb = arg; return 0; }
static int opt_stats(struct rivet_options *o, const char *arg) { o->machine.stats = true; return 0; }

static int opt_trace(struct rivet_options *o, const char *arg)
{
    char err[128];
    if (!strcmp(arg, "help")) {
        trace_help(stdout);
        return OPT_HELP_DONE;
    }
    if (trace_parse_items(arg, &o->trace_mask, err, sizeof err) < 0)
        return bad("-d", arg, err);
    return 0;
}
static int opt_trace_file(struct rivet_options *o, const char *arg) { o->trace_file = arg; return 0; }
static int opt_trace_filter(struct rivet_options *o, const char *arg)
{
    char err[160];
    if (trace_parse_filter(arg, err, sizeof err) < 0)
        return bad("-dfilter", arg, err);
    return 0;
}

static int opt_nographic(struct rivet_options *o, const char *arg)
{
    o->display = "none";
    o->nographic = true; /* the default serial is the terminal (compat_finish) */
    return 0;
}

static int opt_serial(struct rivet_options *o, const char *arg)
{
    char out[4096], err[256];
    if (!strcmp(arg, "help")) {
        fputs(chardev_serial_help_text, stdout);
        return OPT_HELP_DONE;
    }
    int r = chardev_serial_spec(arg, "serial0", true, out, sizeof out, err, sizeof err);
    if (r == CHARDEV_SERIAL_ARG && chardev_check(out, err, sizeof err) < 0)
        r = -1;
    if (r < 0)
        return bad("-serial", arg, err);
    o->serial_set = true;
    o->serial = r == CHARDEV_SERIAL_NONE ? NULL : arg;
    return 0;
}

static int opt_display(struct rivet_options *o, const char *arg)
{
    if (!strcmp(arg, "none") || !strcmp(arg, "sdl")) {
        o->display = arg;
        return 0;
    }
    if (!strcmp(arg, "help")) {
        printf("Display backends: sdl (a window), none (headless; -screendump and Ctrl-A s still work)\n");
        return OPT_HELP_DONE;
    }
    return bad("-display", arg, "supported: sdl, none");
}

static int opt_screendump(struct rivet_options *o, const char *arg)
{
    o->screendump = arg;
    return 0;
}

/* YYYY-MM-DD[THH:MM:SS] in UTC, to epoch nanoseconds. */
static int parse_datetime(const char *s, uint64_t *ns)
{
    struct tm tm = { 0 };
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3)
        return -1;
    s += n;
    if (*s == 'T') {
        if (sscanf(s + 1, "%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 3)
            return -1;
        s += 1 + n;
    }
    if (*s)
        return -1;
    if (tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    if (t < 0)
        return -1;
    *ns = (uint64_t)t * 1000000000ull;
    return 0;
}

/* -rtc base=utc|localtime|DATE,clock=host|rt|vm,driftfix=none */
static int opt_rtc(struct rivet_options *o, const char *arg)
{
    struct optlist l;
    if (optlist_parse(arg, &l) < 0)
        return bad("-rtc", arg, "out of memory");
    int rc = 0;
    for (unsigned i = 0; i < l.n && !rc; i++) {
        const char *k = l.v[i].key, *v = l.v[i].value;
        if (!strcmp(k, "base") && v) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
            if (!strcmp(v, "utc")) {
                o->machine.rtc_base_ns = now;
            } else if (!strcmp(v, "localtime")) {
                /* the host's local time, as if it were UTC (QEMU's meaning) */
                struct tm tm;
                time_t t = ts.tv_sec;
                localtime_r(&t, &tm);
                o->machine.rtc_base_ns = now + (uint64_t)((int64_t)tm.tm_gmtoff * 1000000000ll);
            } else if (parse_datetime(v, &o->machine.rtc_base_ns) < 0) {
                rc = bad("-rtc", arg, "base must be utc, localtime or YYYY-MM-DD[THH:MM:SS]");
            }
        } else if (!strcmp(k, "clock") && v) {
            if (!strcmp(v, "vm"))
                o->rtc_clock = VIRT_RTC_VM;
            else if (!strcmp(v, "host"))
                o->rtc_clock = VIRT_RTC_HOST;
            else if (!strcmp(v, "rt"))
                o->rtc_clock = VIRT_RTC_RT;
            else
                rc = bad("-rtc", arg, "clock must be host, rt or vm");
        } else if (!strcmp(k, "driftfix") && v && !strcmp(v, "none")) {
            continue; /* the only choice without an x86 RTC's periodic interrupt */
        } else {
            rc = bad("-rtc", arg, "supported: base=utc|localtime|DATE, clock=host|rt|vm, driftfix=none");
        }
    }
    optlist_free(&l);
    return rc;
}

/* -icount shift=N|auto,sleep=on|off,align=on|off, with QEMU's rules. */
/* -record/-replay FILE and -icount's rr=, rrfile=: one recording or
 * replay per run. */
static int set_rr(struct rivet_options *o, const char *opt, const char *arg, int mode, const char *file)
{
    if (o->rr_mode && o->rr_mode != mode)
        return bad(opt, arg, "a run either records or replays");
    if (file && o->rr_file && strcmp(o->rr_file, file))
        return bad(opt, arg, "one record/replay log per run");
    o->rr_mode = mode;
    if (file)
        o->rr_file = file;
    return 0;
}

static int opt_record(struct rivet_options *o, const char *arg)
{
    return *arg ? set_rr(o, "-record", arg, RR_RECORDING, arg) : bad("-record", arg, "a file name is needed");
}

static int opt_replay(struct rivet_options *o, const char *arg)
{
    return *arg ? set_rr(o, "-replay", arg, RR_REPLAYING, arg) : bad("-replay", arg, "a file name is needed");
}

static int opt_icount(struct rivet_options *o, const char *arg)
{
    const char *rrfile = NULL, *rrsnap = NULL;
    struct optlist l;
    if (optlist_parse(arg, &l) < 0)
        return bad("-icount", arg, "out of memory");
    int rc = 0;
    for (unsigned i = 0; i < l.n && !rc; i++) {
        const char *k = l.v[i].key, *v = l.v[i].value;
        int on = optlist_bool(v);
        if (!strcmp(k, "sleep") && v && (!strcmp(v, "off") || !strcmp(v, "on"))) {
            o->icount_sleep = on;
        } else if (!strcmp(k, "align") && v && (!strcmp(v, "off") || !strcmp(v, "on"))) {
            o->icount_align = on;
        } else if (!strcmp(k, "shift") && v && !strcmp(v, "auto")) {
            o->icount_shift = VIRT_SHIFT_AUTO;
        } else if (!strcmp(k, "rr") && v && (!strcmp(v, "record") || !strcmp(v, "replay"))) {
            rc = set_rr(o, "-icount", arg, !strcmp(v, "record") ? RR_RECORDING : RR_REPLAYING, NULL);
        } else if (!strcmp(k, "rrfile") && v && *v) {
            rrfile = v;
        } else if (!strcmp(k, "rrsnapshot") && v && *v) {
            rrsnap = v;
        } else if (!strcmp(k, "shift") && v) {
            char *end;
            errno = 0;
            long n = strtol(v, &end, 10);
            if (!*v || *end || errno || n < 0 || n > VIRT_SHIFT_MAX)
                rc = bad("-icount", arg, "shift must be auto or 0..10 (2^N ns per instruction)");
            else
                o->icount_shift = (int)n;
        } else {
            rc = bad("-icount", arg,
                     "supported: shift=N|auto, sleep=on|off, align=on|off, rr=record|replay, rrfile=FILE, rrsnapshot=NAME");
        }
    }
    if (!rc && (rrfile || rrsnap) && !o->rr_mode)
        rc = bad("-icount", arg, "rrfile= and rrsnapshot= need rr=record or rr=replay");
    else if (!rc && o->rr_mode && !o->rr_file && !rrfile)
        rc = bad("-icount", arg, "rr= needs rrfile=FILE");
    if (!rc && rrfile) {
        char *f = strdup(rrfile); /* (rrfile points into the option list) */
        if (!f)
            rc = bad("-icount", arg, "out of memory");
        else if ((rc = set_rr(o, "-icount", arg, o->rr_mode, f)) == 0 && o->rr_file == f) {
            free(o->rr_file_arg);
            o->rr_file_arg = f;
        } else
            free(f);
    }
    if (!rc && rrsnap) {
        /* start from that snapshot, as -loadvm NAME */
        free(o->rr_snapshot_arg);
        o->rr_snapshot_arg = strdup(rrsnap);
        if (!o->rr_snapshot_arg)
            rc = bad("-icount", arg, "out of memory");
        else if (o->machine.loadvm && strcmp(o->machine.loadvm, rrsnap))
            rc = bad("-icount", arg, "rrsnapshot= and -loadvm name different snapshots");
        else
            o->machine.loadvm = o->rr_snapshot_arg;
    }
    optlist_free(&l);
    if (rc)
        return rc;
    if (o->icount_align == 1 && o->icount_sleep == 0)
        return bad("-icount", arg, "align=on and sleep=off are incompatible");
    if (o->icount_align == 1 && o->icount_shift == VIRT_SHIFT_AUTO)
        return bad("-icount", arg, "shift=auto and align=on are incompatible");
    if (o->icount_align == 1 && o->icount_shift == OPT_UNSET)
        return bad("-icount", arg, "align=on needs shift=N");
    if (o->icount_sleep == 0 && o->icount_shift == VIRT_SHIFT_AUTO)
        return bad("-icount", arg, "shift=auto and sleep=off are incompatible");
    return 0;
}

static int push_device(struct rivet_options *o, char *arg)
{
    char **v = realloc(o->devices, (o->ndevices + 1) * sizeof *v);
    if (!v || !arg) {
        free(arg);
        return bad("-device", "", "out of memory");
    }
    o->devices = v;
    o->devices[o->ndevices++] = arg;
    return 0;
}

int options_add_device(struct rivet_options *o, char *arg)
{
    return push_device(o, arg);
}

static int opt_device(struct rivet_options *o, const char *arg)
{
    int r = devices_check(arg, stdout);
    if (r > 0)
        return OPT_HELP_DONE;
    return r < 0 ? -1 : push_device(o, strdup(arg));
}

static int add_drive(struct rivet_options *o, const char *opt, const char *optarg, const char *arg)
{
    char err[256];
    struct drive_opts d;
    if (drive_parse(arg, &d, err, sizeof err) < 0)
        return bad(opt, optarg, err);
    if (!d.if_given) { /* a deliberate difference, docs/qemu-compat.md; said once the image opened */
        static const char fmt[] = "rivet: %s %s: no if= given: QEMU's virt board would attach no device, "
                                  "rivet attaches a virtio-blk-pci disk";
        int n = snprintf(NULL, 0, fmt, opt, optarg);
        d.note = n > 0 ? malloc((size_t)n + 1) : NULL;
        if (d.note)
            snprintf(d.note, (size_t)n + 1, fmt, opt, optarg);
    }
    struct drive_opts *v = realloc(o->drives, (o->ndrives + 1) * sizeof *v);
    if (!v) {
        drive_opts_free(&d);
        return bad(opt, optarg, "out of memory");
    }
    o->drives = v;
    if (d.if_virtio) {
        /* QEMU's virt board: if=virtio (the default) implies a
         * virtio-blk-pci device in the first free PCI slot */
        if (!d.id) {
            char id[32];
            snprintf(id, sizeof id, "virtio%u", o->ndrives);
            d.id = strdup(id);
        }
        size_t n = d.id ? strlen(d.id) : 0;
        char *dev = d.id ? malloc(sizeof "virtio-blk-pci,drive=" + 2 * n) : NULL;
        if (dev) {
            char *p = dev + sprintf(dev, "virtio-blk-pci,drive=");
            for (size_t i = 0; i < n; i++) /* a comma in an id doubles */
                if ((*p++ = d.id[i]) == ',')
                    *p++ = ',';
            *p = 0;
        }
        if (push_device(o, dev) < 0) {
            drive_opts_free(&d);
            return -1;
        }
    }
    o->drives[o->ndrives++] = d;
    return 0;
}

static int opt_drive(struct rivet_options *o, const char *arg)
{
    return add_drive(o, "-drive", arg, arg);
}

/* -hda FILE is QEMU's -drive file=FILE,index=0,media=disk */
static int opt_hda(struct rivet_options *o, const char *arg)
{
    size_t n = strlen(arg);
    char *s = malloc(2 * n + sizeof "file=,index=0,media=disk");
    if (!s)
        return bad("-hda", arg, "out of memory");
    char *p = s + sprintf(s, "file=");
    for (size_t i = 0; i < n; i++) /* a comma in a file name doubles */
        if ((*p++ = arg[i]) == ',')
            *p++ = ',';
    strcpy(p, ",index=0,media=disk");
    int r = add_drive(o, "-hda", arg, s);
    free(s);
    return r;
}

static int opt_snapshot(struct rivet_options *o, const char *arg)
{
    (void)arg;
    o->snapshot = true;
    return 0;
}

static int opt_loadvm(struct rivet_options *o, const char *arg)
{
    if (!*arg)
        return bad("-loadvm", arg, "a snapshot name or path is needed");
    if (o->rr_snapshot_arg && strcmp(o->rr_snapshot_arg, arg))
        return bad("-loadvm", arg, "rrsnapshot= and -loadvm name different snapshots");
    o->machine.loadvm = arg;
    return 0;
}

static int opt_chardev(struct rivet_options *o, const char *arg)
{
    if (!strcmp(arg, "help")) {
        fputs(chardev_help_text, stdout);
        return OPT_HELP_DONE;
    }
    char err[256];
    if (chardev_check(arg, err, sizeof err) < 0)
        return bad("-chardev", arg, err);
    const char **v = realloc(o->chardevs, (o->nchardevs + 1) * sizeof *v);
    if (!v)
        return bad("-chardev", arg, "out of memory");
    o->chardevs = v;
    o->chardevs[o->nchardevs++] = arg;
    return 0;
}

/* `text` is parsed, `arg` (what the user wrote) named in messages. */
static int push_netdev(struct rivet_options *o, const char *opt, const char *arg, const char *text)
{
    char err[256];
    struct netdev_config c;
    if (netdev_parse(text, &c, err, sizeof err) < 0)
        return bad(opt, arg, err);
    for (unsigned i = 0; i < o->nnetdevs; i++)
        if (!strcmp(o->netdevs[i].id, c.id)) {
            snprintf(err, sizeof err, "duplicate id '%s'", c.id);
            return bad(opt, arg, err);
        }
    struct netdev_config *v = realloc(o->netdevs, (o->nnetdevs + 1) * sizeof *v);
    if (v)
        o->netdevs = v;
    const char **a = v ? realloc(o->netdev_args, (o->nnetdevs + 1) * sizeof *a) : NULL;
    if (!a)
        return bad(opt, arg, "out of memory");
    o->netdev_args = a;
    o->netdevs[o->nnetdevs] = c;
    o->netdev_args[o->nnetdevs++] = arg;
    return 0;
}

int options_push_netdev(struct rivet_options *o, const char *opt, const char *arg, const char *text)
{
    return push_netdev(o, opt, arg, text);
}

/* -object rng-random|rng-builtin,id=ID (frontends/rng_object.h) */
static int opt_object(struct rivet_options *o, const char *arg)
{
    char err[256];
    struct rng_object_config c;
    int r = rng_object_parse(arg, &c, err, sizeof err);
    if (r > 0)
        return OPT_HELP_DONE; /* -object help */
    if (r < 0)
        return bad("-object", arg, err);
    for (unsigned i = 0; i < o->nobjects; i++)
        if (!strcmp(o->objects[i].id, c.id)) {
            rng_object_config_free(&c);
            return bad("-object", arg, "duplicate id");
        }
    struct rng_object_config *v = realloc(o->objects, (o->nobjects + 1) * sizeof *v);
    if (!v) {
        rng_object_config_free(&c);
        return bad("-object", arg, "out of memory");
    }
    o->objects = v;
    c.arg = arg;
    o->objects[o->nobjects++] = c;
    return 0;
}

static int opt_netdev(struct rivet_options *o, const char *arg)
{
    if (!strcmp(arg, "help")) {
        printf("Netdev backends: user (libslirp: net=, host=, dhcpstart=, dns=, hostfwd=, restrict=, ipv6=, dump=),\n"
               "tap (ifname=, script=no, downscript=no, dump=)\n");
        return OPT_HELP_DONE;
    }
    return push_netdev(o, "-netdev", arg, arg);
}

/* -nic TYPE[,netdev options][,mac=M][,model=M]: QEMU's shorthand for a
 * -netdev with a generated id plus its card. Items are kept as written
 * (",," stays escaped) except mac= and model=, which go to the card. */
static int opt_nic(struct rivet_options *o, const char *arg)
{
    size_t len = strlen(arg);
    char *nd = malloc(len + 32), *dev = malloc(len + 96);
    if (!nd || !dev) {
        free(nd);
        free(dev);
        return bad("-nic", arg, "out of memory");
    }
    char id[24];
    snprintf(id, sizeof id, "nic%u", o->nnetdevs);
    const char *model = "virtio-net-pci"; /* QEMU's default NIC model, "virtio", is the PCI card */
    char mac[32] = "";
    size_t n = 0;
    int rc = 0;
    for (const char *p = arg;;) {
        const char *e = p;
        while (*e && !(*e == ',' && e[1] != ',')) /* ",," is part of the item */
            e += *e == ',' ? 2 : 1;
        size_t il = (size_t)(e - p);
        if (il > 4 && !strncmp(p, "mac=", 4) && il - 4 < sizeof mac)
            snprintf(mac, sizeof mac, ",mac=%.*s", (int)(il - 4), p + 4);
        else if (il > 6 && !strncmp(p, "model=", 6)) {
            if (!strncmp(p + 6, "virtio", il - 6) && il - 6 == 6)
                model = "virtio-net-pci";
            else if (il - 6 == 14 && !strncmp(p + 6, "virtio-net-pci", 14))
                model = "virtio-net-pci";
            else if (il - 6 == 17 && !strncmp(p + 6, "virtio-net-device", 17))
                model = "virtio-net-device";
            else {
                rc = bad("-nic", arg, "model= must be virtio, virtio-net-device or virtio-net-pci");
                break;
            }
        } else {
            memcpy(nd + n, p, il);
            n += il;
            if (n == il) { /* after the type: the id */
                n += (size_t)sprintf(nd + n, ",id=%s", id);
            }
            nd[n++] = ',';
        }
        if (!*e)
            break;
        p = e + 1;
    }
    if (rc == 0) {
        nd[n ? n - 1 : 0] = 0;
        snprintf(dev, len + 96, "%s,netdev=%s%s", model, id, mac);
        if (push_netdev(o, "-nic", arg, nd) < 0 || devices_check(dev, NULL) != 0 ||
            push_device(o, strdup(dev)) < 0)
            rc = -1;
        else /* a deliberate difference, docs/qemu-compat.md */
            fprintf(stderr, "rivet: -nic %s: QEMU 7.2's virt board would attach no card, rivet attaches a %s card\n", arg,
                    model);
    }
    free(nd);
    free(dev);
    return rc;
}

static int opt_global(struct rivet_options *o, const char *arg)
{
    const char *p = "virtio-mmio.force-legacy=";
    if (!strncmp(arg, p, strlen(p))) {
        int b = optlist_bool(arg + strlen(p));
        if (b >= 0) {
            o->mmio_legacy = b;
            return 0;
        }
    }
    return bad("-global", arg, "supported: virtio-mmio.force-legacy=on|off");
}

static int opt_gdb(struct rivet_options *o, const char *arg) { o->gdb = arg; return 0; }
static int opt_gdb_reverse(struct rivet_options *o, const char *arg)
{
    char err[200];
    return reverse_parse(&o->machine.reverse, arg, err, sizeof err) < 0 ? bad("-gdb-reverse", arg, err) : 0;
}

/* -monitor and -qmp take -serial's spellings (chardev_serial_spec). */
static int opt_monitor_dev(const char *opt, const char **slot, const char *arg)
{
    char out[4096], err[256];
    if (*slot)
        return bad(opt, arg, "given twice (rivet has one of each)");
    if (strcmp(arg, "none") && chardev_serial_spec(arg, "monitor0", true, out, sizeof out, err, sizeof err) < 0)
        return bad(opt, arg, err);
    if (!strncmp(arg, "mon:", 4))
        return bad(opt, arg, "mon: belongs to -serial");
    *slot = arg;
    return 0;
}
static int opt_monitor(struct rivet_options *o, const char *arg) { return opt_monitor_dev("-monitor", &o->monitor, arg); }
static int opt_qmp(struct rivet_options *o, const char *arg)
{
    if (!strcmp(arg, "none") || !strncmp(arg, "file:", 5) || !strcmp(arg, "null"))
        return bad("-qmp", arg, "QMP needs a peer: unix:PATH,server=on,wait=off, tcp:HOST:PORT,server=on,wait=off, "
                                "stdio, pty or chardev:ID");
    return opt_monitor_dev("-qmp", &o->qmp, arg);
}
/* -mon [chardev=]ID[,mode=readline|control][,pretty=on|off][,id=NAME]:
 * QEMU's (and libvirt's) way to put a monitor on a -chardev. readline is
 * the human monitor (-monitor chardev:ID), control QMP (-qmp chardev:ID). */
static int opt_mon(struct rivet_options *o, const char *arg)
{
    struct optlist l;
    if (optlist_parse(arg, &l) < 0)
        return bad("-mon", arg, "out of memory");
    const char *cd = NULL, *mode = "readline", *why = NULL;
    for (unsigned i = 0; i < l.n && !why; i++) {
        const char *k = l.v[i].key, *v = l.v[i].value;
        if (i == 0 && !v && *k)
            cd = k;
        else if (!v)
            why = "expected chardev=ID[,mode=readline|control][,pretty=on|off]";
        else if (!strcmp(k, "chardev"))
            cd = v;
        else if (!strcmp(k, "mode")) {
            if (strcmp(v, "readline") && strcmp(v, "control"))
                why = "mode= must be readline (the human monitor) or control (QMP)";
            mode = !strcmp(v, "control") ? "control" : "readline";
        } else if (!strcmp(k, "pretty")) {
            if (strcmp(v, "on") && strcmp(v, "off"))
                why = "pretty= must be on or off";
        } else if (strcmp(k, "id"))
            why = "unknown option (chardev=, mode=, pretty=, id=)";
    }
    if (!why && (!cd || !*cd))
        why = "needs chardev=ID (a -chardev ...,id=ID)";
    bool control = !strcmp(mode, "control");
    if (!why && (control ? o->qmp : o->monitor))
        why = control ? "a QMP monitor is already given (rivet has one)" : "a human monitor is already given (rivet has one)";
    char *ref = NULL;
    if (!why && !(ref = malloc(strlen(cd) + 9)))
        why = "out of memory";
    if (why) {
        optlist_free(&l);
        return bad("-mon", arg, why);
    }
    sprintf(ref, "chardev:%s", cd);
    optlist_free(&l);
    o->mon_ref[control] = ref;
    *(control ? &o->qmp : &o->monitor) = ref;
    return 0;
}
static int opt_no_shutdown(struct rivet_options *o, const char *arg) { o->machine.no_shutdown = true; return 0; }
static int opt_s(struct rivet_options *o, const char *arg) { o->gdb = "tcp::1234"; return 0; }
static int opt_S(struct rivet_options *o, const char *arg) { o->gdb_wait = true; return 0; }
static int opt_help(struct rivet_options *o, const char *arg);
/* Loaded before the rest of the command line (load_plugins). */
static int opt_plugin(struct rivet_options *o, const char *arg) { return 0; }
static int opt_version(struct rivet_options *o, const char *arg)
{
    printf("rivet 0.1 (RISC-V RV64GC full-system emulator)\n");
    return OPT_HELP_DONE;
}

static const struct option_def defs[] = {
    { "machine", "virt[,aia=none|aplic|aplic-imsic][,dumpdtb=FILE]", "the board (only virt); aia= its interrupt controllers, dumpdtb= writes the device tree and exits", opt_machine },
    { "M", "virt[,aia=none|aplic|aplic-imsic][,dumpdtb=FILE]", "same as -machine", opt_machine },
    { "m", "SIZE[,slots=N,maxmem=M]", "guest RAM, with K/M/G suffix (default 512M; 16M to 16G); slots=, maxmem= are checked, unused", compat_opt_m },
    { "smp", "N[,sockets=,cores=,threads=,maxcpus=]", "number of harts, 1 to 8 (default 1); the topology is checked as QEMU does", compat_opt_smp },
    { "cpu", "rv64[,EXT=on|off...]|help", "the CPU model: rv64 (RV64GC) and its optional extensions (-cpu help lists them)", compat_opt_cpu },
    { "accel", "tcg[,thread=single|multi]", "accepted: rivet always interprets (kvm is refused)", compat_opt_accel },
    { "enable-kvm", NULL, "refused: rivet has no KVM", compat_opt_enable_kvm },
    { "bios", "FILE|none|default", "M-mode firmware (default: Debian's OpenSBI fw_dynamic.bin)", opt_bios },
    { "kernel", "FILE", "kernel: ELF, RISC-V Linux Image (plain or gzip), uImage or raw (with -bios none: runs in M-mode)", opt_kernel },
    { "initrd", "FILE", "initial ramdisk", opt_initrd },
    { "append", "CMDLINE", "kernel command line", opt_append },
    { "dtb", "FILE", "use this device tree blob instead of the generated one", opt_dtb },
    { "nographic", NULL, "no display; the serial console on this terminal (Ctrl-A h for keys)", opt_nographic },
    { "serial", "stdio|pty|file:F|tcp:..|chardev:ID|none", "where the UART console goes (-serial help); stdio without -nographic: Ctrl-C ends rivet, with -nographic or mon:stdio it goes to the guest", opt_serial },
    { "display", "sdl|none", "display for -device virtio-gpu-*: a window (default when one can open) or none", opt_display },
    { "screendump", "FILE.png", "write the display to FILE at exit (Ctrl-A s or SIGUSR1: at any time)", opt_screendump },
    { "rtc", "base=utc|localtime|DATE,clock=host|rt|vm", "RTC start (DATE: YYYY-MM-DD[THH:MM:SS] UTC) and the clock it follows", opt_rtc },
    { "icount", "shift=N|auto,sleep=on|off,align=on|off[,rr=record|replay,rrfile=FILE[,rrsnapshot=NAME]]", "2^N ns per instruction, or auto: follow the wall (docs/time.md); rr=: record/replay (docs/replay.md)", opt_icount },
    { "record", "FILE", "record every input of the run into FILE, for -replay (docs/replay.md)", opt_record },
    { "replay", "FILE", "replay the run recorded in FILE: no host input is read (docs/replay.md)", opt_replay },
    { "plugin", "[file=]FILE.so", "load a device plug-in (docs/plugins.md); its devices join -device help", opt_plugin },
    { "device", "NAME[,opt=value...]", "add a device (-device help lists them, -device NAME,help their options)", opt_device },
    { "drive", "file=F[,if=none,id=ID,...]", "a disk image, raw or qcow2 (format=, readonly=on, snapshot=on, cache=, file.locking=off); if=virtio adds the device", opt_drive },
    { "hda", "FILE", "-drive file=FILE: a virtio-blk-pci disk (QEMU's virt attaches none)", opt_hda },
    { "snapshot", NULL, "every -drive gets snapshot=on: writes go to a temporary overlay, the images stay unchanged", opt_snapshot },
    { "loadvm", "NAME", "start from the machine snapshot NAME (a path, or a name in the snapshot folder: docs/snapshots.md)", opt_loadvm },
    { "chardev", "BACKEND,id=ID[,...]", "a character device: stdio, file, pty, socket, null, ringbuf (-chardev help)", opt_chardev },
    { "netdev", "user|tap,id=ID[,...]", "a host network backend: user (hostfwd=tcp::HPORT-:GPORT, dump=F.pcap) or tap (ifname=)", opt_netdev },
    { "fsdev", "local,id=ID,path=DIR,security_model=M", "a host folder for virtio-9p (M: passthrough, mapped-xattr, none; readonly=on)", fsdev_opt_fsdev },
    { "virtfs", "local,path=DIR,mount_tag=TAG,security_model=M", "shorthand for -fsdev local,... plus -device virtio-9p-pci,mount_tag=TAG", fsdev_opt_virtfs },
    { "nic", "user|tap[,...][,mac=M][,model=M]", "shorthand for -netdev TYPE,... plus a virtio-net-pci card (model=virtio-net-device: on virtio-mmio)", opt_nic },
    { "net", "nic[,...]|user[,...]|tap[,...]", "QEMU's legacy spelling: -net nic and -net user on one vlan become a virtio-net-pci card and its backend", compat_opt_net },
    { "object", "rng-random|rng-builtin,id=ID", "a host entropy source for -device virtio-rng-*,rng=ID (filename=F, default /dev/urandom)", opt_object },
    { "global", "virtio-mmio.force-legacy=on", "virtio-mmio version 1 (legacy) registers instead of version 2", opt_global },
    { "gdb", "tcp:[HOST]:PORT|unix:PATH,server=on", "wait for gdb (gdb-multiarch: target remote HOST:PORT)", opt_gdb },
    { "gdb-reverse", "off|window=N,mem=SIZE,interval=N", "reverse execution for gdb: history of the last N instructions (default 1e9) in SIZE of snapshots (default 256M), one every N (default 1e7); docs/debugging.md", opt_gdb_reverse },
    { "s", NULL, "same as -gdb tcp::1234", opt_s },
    { "S", NULL, "start stopped: the guest runs when gdb continues (-s/-gdb) or at the monitor's cont", opt_S },
    { "monitor", "stdio|unix:PATH,server=on,wait=off|tcp:..|chardev:ID|none", "the human monitor (docs/monitor.md); Ctrl-A c on the serial terminal too", opt_monitor },
    { "qmp", "unix:PATH,server=on,wait=off|tcp:..|stdio|chardev:ID", "QEMU's JSON machine protocol (docs/monitor.md)", opt_qmp },
    { "mon", "chardev=ID[,mode=readline|control][,pretty=on|off]", "a monitor on a -chardev: readline is the human monitor, control QMP", opt_mon },
    { "no-shutdown", NULL, "a guest poweroff stops the machine and keeps the monitor (system_reset, quit)", opt_no_shutdown },
    { "stats", NULL, "print instructions retired, seconds and MIPS at exit", opt_stats },
    { "no-reboot", NULL, "a guest reset ends rivet (exit 0) instead of restarting the machine", compat_opt_no_reboot },
    { "daemonize", NULL, "run in the background once set up (not with -nographic; default serial: none)", compat_opt_daemonize },
    { "pidfile", "FILE", "write rivet's pid to FILE (removed at exit)", compat_opt_pidfile },
    { "name", "NAME[,...]", "accepted, no effect (QEMU names its window and threads)", compat_opt_name },
    { "vga", "none", "accepted: rivet has no VGA (use -device virtio-gpu-pci)", compat_opt_vga },
    { "nodefaults", NULL, "no default serial console (as QEMU: add -serial to have one)", compat_opt_nodefaults },
    { "d", "ITEM[,ITEM...]", "trace in_asm, exec, cpu, int, mmu, guest_errors, unimp, mmio, virtio, irq (-d help)", opt_trace },
    { "D", "FILE", "write the -d trace to FILE instead of stderr", opt_trace_file },
    { "dfilter", "START..END|START+SIZE[,...]", "trace only guest code (in_asm, exec, cpu, int) in these ranges", opt_trace_filter },
    { "help", NULL, "print this help", opt_help },
    { "h", NULL, "print this help", opt_help },
    { "version", NULL, "print the version", opt_version },
};

static int opt_help(struct rivet_options *o, const char *arg)
{
    printf("usage: rivet [options]\n"
           "rivet runs an RV64GC guest (OpenSBI, Linux) on the virt board, speaking QEMU's options.\n\n");
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        char left[64];
        snprintf(left, sizeof left, "-%s%s%s", defs[i].name, defs[i].arg ? " " : "", defs[i].arg ? defs[i].arg : "");
        printf("  %-36s %s\n", left, defs[i].help);
    }
    printf("\nExit status: 0 on guest poweroff, the finisher's code on a guest failure,\n"
           "1 on a bad option or image, 3 when a hart is stuck in a trap loop.\n");
    return OPT_HELP_DONE;
}

/* Every -plugin first, so that a plug-in's devices are known to -device
 * wherever the two stand on the command line. */
static int load_plugins(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1])
            continue;
        const char *name = a + 1 + (a[1] == '-');
        for (size_t k = 0; k < sizeof defs / sizeof defs[0]; k++)
            if (!strcmp(defs[k].name, name) && defs[k].arg) {
                if (defs[k].handle == opt_plugin && plugin_load(argv[i + 1]) < 0)
                    return -1;
                i++;
                break;
            }
    }
    return 0;
}

int options_parse(struct rivet_options *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->machine.ram_size = VIRT_DEFAULT_RAM;
    o->machine.smp = 1;
    o->machine.bios = VIRT_DEFAULT_BIOS;
    o->icount_shift = OPT_UNSET;
    o->icount_sleep = OPT_UNSET;
    o->icount_align = OPT_UNSET;
    o->rtc_clock = OPT_UNSET;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    o->machine.rtc_base_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    if (load_plugins(argc, argv) < 0)
        return 1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            fprintf(stderr, "rivet: unexpected argument '%s' (see rivet --help)\n", a);
            return 1;
        }
        const char *name = a + 1 + (a[1] == '-');
        const struct option_def *d = NULL;
        for (size_t k = 0; k < sizeof defs / sizeof defs[0]; k++)
            if (!strcmp(defs[k].name, name))
                d = &defs[k];
        if (!d) {
            const char *names[sizeof defs / sizeof defs[0]];
            for (size_t k = 0; k < sizeof defs / sizeof defs[0]; k++)
                names[k] = defs[k].name;
            const char *near = suggest_nearest(name, names, sizeof defs / sizeof defs[0]);
            if (near)
                fprintf(stderr, "rivet: unknown option '%s'; did you mean '-%s'? (see rivet --help)\n", a, near);
            else
                fprintf(stderr, "rivet: unknown option '%s' (see rivet --help)\n", a);
            return 1;
        }
        const char *arg = NULL;
        if (d->arg) {
            if (i + 1 >= argc) {
                fprintf(stderr, "rivet: option '%s' needs an argument: %s\n", a, d->arg);
                return 1;
            }
            arg = argv[++i];
        }
        int r = d->handle(o, arg);
        if (r != 0)
            return r < 0 ? 1 : 0;   /* an error, or help printed */
    }
    for (unsigned i = 0; o->snapshot && i < o->ndrives; i++)
        o->drives[i].snapshot = true;
    if (compat_finish(o) < 0)
        return 1;
    if (o->gdb_wait && !o->gdb) {
        bool term = o->serial && (!strcmp(o->serial, "stdio") || !strcmp(o->serial, "mon:stdio")) &&
                    isatty(STDIN_FILENO); /* Ctrl-A c */
        if ((!o->monitor || !strcmp(o->monitor, "none")) && !o->qmp && !term) {
            fprintf(stderr, "rivet: -S: needs -s, -gdb, -monitor or -qmp (something to continue from)\n");
            return 1;
        }
        o->machine.start_stopped = true;
    }
    if (o->rr_mode && o->gdb) {
        fprintf(stderr, "rivet: %s %s: a debugger changes the machine from outside, which a log does not "
                "hold yet (drop -s/-gdb)\n", o->rr_mode == RR_RECORDING ? "-record" : "-replay", o->rr_file);
        return 1;
    }
    if (o->rr_mode && o->nfsdevs) {
        fprintf(stderr, "rivet: %s %s: a shared folder's files are host input the log does not hold (drop -virtfs/-fsdev)\n",
                o->rr_mode == RR_RECORDING ? "-record" : "-replay", o->rr_file);
        return 1;
    }
    return -1;
}

void options_free(struct rivet_options *o)
{
    for (unsigned i = 0; i < o->ndevices; i++)
        free(o->devices[i]);
    free(o->devices);
    for (unsigned i = 0; i < o->ndrives; i++)
        drive_opts_free(&o->drives[i]);
    free(o->drives);
    free(o->chardevs);
    free(o->netdevs);
    free(o->netdev_args);
    o->netdevs = NULL;
    o->netdev_args = NULL;
    o->nnetdevs = 0;
    o->devices = NULL;
    o->drives = NULL;
    o->chardevs = NULL;
    o->ndevices = o->ndrives = o->nchardevs = 0;
    fsdev_opts_free(o);
    compat_net_free(o);
    for (unsigned i = 0; i < o->nobjects; i++)
        rng_object_config_free(&o->objects[i]);
    free(o->objects);
    o->objects = NULL;
    o->nobjects = 0;
    free(o->dumpdtb);
    o->dumpdtb = NULL;
    free(o->rr_snapshot_arg);
    o->rr_snapshot_arg = NULL;
    free(o->rr_file_arg);
    o->rr_file_arg = NULL;
    o->machine.dumpdtb = NULL;
    free(o->mon_ref[0]);
    free(o->mon_ref[1]);
    o->mon_ref[0] = o->mon_ref[1] = NULL;
}
