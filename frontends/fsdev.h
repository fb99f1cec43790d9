/* frontends/fsdev.h: -fsdev local,... and QEMU's -virtfs shorthand: shared
 * host folders for virtio-9p (the backend is fs_local.c).
 *
 *   -fsdev local,id=ID,path=DIR,security_model=passthrough|mapped-xattr|mapped|none[,readonly=on]
 *   -virtfs local,path=DIR,mount_tag=TAG,security_model=...[,readonly=on][,id=ID]
 *       = -fsdev local,id=ID (default: TAG),... plus -device virtio-9p-pci,fsdev=ID,mount_tag=TAG
 */
#ifndef RIVET_FSDEV_H
#define RIVET_FSDEV_H

#include <stdbool.h>

#include "frontends/fs_local.h"

struct rivet_options;

struct fsdev_opts {
    char *id, *path;
    enum fs_model model;
    bool readonly;
    const char *opt;      /* "-fsdev" or "-virtfs", and its argument, for messages */
    const char *arg;
};

/* options.c's handlers: 0, or -1 after one line on stderr. */
int fsdev_opt_fsdev(struct rivet_options *, const char *arg);
int fsdev_opt_virtfs(struct rivet_options *, const char *arg);
void fsdev_opts_free(struct rivet_options *);

#endif
