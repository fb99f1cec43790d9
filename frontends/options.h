/* frontends/options.h: parsing rivet's command line. */
#ifndef RIVET_OPTIONS_H
#define RIVET_OPTIONS_H

#include <stdbool.h>

#include "frontends/drive.h"
#include "frontends/fsdev.h"
#include "frontends/net.h"
#include "frontends/rng_object.h"
#include "machine/virt.h"

#define OPT_UNSET (-100)

struct rivet_options {
    struct virt_config machine;
    /* -serial SPEC (frontends/chardev.h, chardev_serial_spec); NULL: no
     * serial console. compat_finish sets the default. */
    const char *serial;
    /* -icount and -rtc clock=; OPT_UNSET: main decides from the terminal,
     * network and display (frontends/main.c, time_defaults) */
    int icount_shift;   /* 0..10, VIRT_SHIFT_AUTO */
    int icount_sleep, icount_align;  /* 0, 1 */
    int rtc_clock;      /* VIRT_RTC_* */
    /* -record FILE, -replay FILE, -icount rr=record|replay,rrfile=FILE
     * (docs/replay.md): rr_mode is machine/rr.h's RR_* (0: off) */
    int rr_mode;
    const char *rr_file;
    char *rr_file_arg;          /* rrfile=FILE (rr_file points to it) */
    char *rr_snapshot_arg;      /* rrsnapshot=NAME (machine.loadvm points to it) */
    /* -device arguments in order, with the ones -drive if=virtio implies */
    char **devices;
    unsigned ndevices;
    struct drive_opts *drives;
    unsigned ndrives;
    bool snapshot;              /* -snapshot: every drive gets snapshot=on */
    const char **chardevs;      /* -chardev arguments, opened by main */
    unsigned nchardevs;
    struct netdev_config *netdevs;  /* -netdev (and -nic), parsed; opened by main */
    const char **netdev_args;       /* their arguments, for messages */
    unsigned nnetdevs;
    struct fsdev_opts *fsdevs;  /* -fsdev, -virtfs (frontends/fsdev.h); opened by main */
    unsigned nfsdevs;
    bool mmio_legacy;           /* -global virtio-mmio.force-legacy=on */
    const char *display;        /* -display sdl|none (-nographic: none); NULL: the default */
    const char *screendump;     /* -screendump FILE.png */
    char *dumpdtb;              /* owns machine.dumpdtb */
    /* frontends/compat.c */
    const char *name;           /* -name (accepted, unused) */
    const char *pidfile;        /* -pidfile FILE */
    bool daemonize;             /* -daemonize */
    bool nographic;             /* -nographic was given */
    bool nodefaults;            /* -nodefaults: no default serial */
    bool serial_set;            /* -serial was given: no default serial */
    unsigned trace_mask;        /* -d items (bus/trace.h) */
    const char *trace_file;     /* -D FILE; NULL: stderr */
    struct compat_net *legacy_net;      /* -net (frontends/compat_net.c) */
    struct rng_object_config *objects;  /* -object rng-*, opened by main */
    unsigned nobjects;
    const char *gdb;            /* -gdb DEV (-s: tcp::1234); NULL: no gdbstub */
    bool gdb_wait;              /* -S: start stopped, for gdb or the monitor's cont */
    const char *monitor;        /* -monitor DEV (a -serial spelling, or none); NULL: Ctrl-A c only */
    const char *qmp;            /* -qmp DEV; NULL: none */
    char *mon_ref[2];           /* own "chardev:ID" of -mon chardev=ID: [0] mode=readline (monitor), [1] control (qmp) */
};

/* What an option's handler returns after printing help (--help, -device
 * help, -cpu help ...): the parse ends and the program exits 0. Nothing in
 * the parser calls exit(), so tests/fuzz/fuzz_options.c can drive it. */
#define OPT_HELP_DONE 1

/* Fills o. Returns -1 to go on running, or an exit status (0 after --help,
 * 1 after a one-line error on stderr). */
int options_parse(struct rivet_options *o, int argc, char **argv);
/* Appends a -device argument (taken over, freed on failure) that an option
 * implies, already checked with devices_check. 0, or -1 after one line. */
int options_add_device(struct rivet_options *o, char *arg);
/* Frees what options_parse allocated (also after it returned an error). */
void options_free(struct rivet_options *o);

/* For compat_net.c: a -netdev (`text` parsed, `arg` named in messages by
 * `opt`). 0 or -1 after one line. */
int options_push_netdev(struct rivet_options *, const char *opt, const char *arg, const char *text);

/* Parse a size with an optional K/M/G/T suffix (default unit: `unit`).
 * Returns 0 or -1. */
int options_parse_size(const char *s, unsigned long long unit, unsigned long long *out);

#endif
