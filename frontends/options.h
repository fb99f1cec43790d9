/* frontends/options.h: parsing rivet's command line. */
#ifndef RIVET_OPTIONS_H
#define RIVET_OPTIONS_H

#include <stdbool.h>

#include "frontends/drive.h"
#include "frontends/net.h"
#include "machine/virt.h"

struct rivet_options {
    struct virt_config machine;
    bool serial_stdio;
    const char *serial_file;
    int realtime;       /* -1 = decide from the terminal, 0 = batch, 1 = sleep */
    /* -device arguments in order, with the ones -drive if=virtio implies */
    char **devices;
    unsigned ndevices;
    struct drive_opts *drives;
    unsigned ndrives;
    const char **chardevs;      /* -chardev arguments, opened by main */
    unsigned nchardevs;
    struct netdev_config *netdevs;  /* -netdev (and -nic), parsed; opened by main */
    const char **netdev_args;       /* their arguments, for messages */
    unsigned nnetdevs;
    bool mmio_legacy;           /* -global virtio-mmio.force-legacy=on */
    const char *display;        /* -display sdl|none (-nographic: none); NULL: the default */
    const char *screendump;     /* -screendump FILE.png */
    char *dumpdtb;              /* owns machine.dumpdtb */
};

/* Fills o. Returns -1 to go on running, or an exit status (0 after --help,
 * 1 after a one-line error on stderr). */
int options_parse(struct rivet_options *o, int argc, char **argv);
/* Frees what options_parse allocated (also after it returned an error). */
void options_free(struct rivet_options *o);

/* Parse a size with an optional K/M/G/T suffix (default unit: `unit`).
 * Returns 0 or -1. */
int options_parse_size(const char *s, unsigned long long unit, unsigned long long *out);

#endif
