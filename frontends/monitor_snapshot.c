/* frontends/monitor_snapshot.c: the monitor's snapshot commands (savevm,
 * loadvm, delvm, info snapshots) and the state hash line of `info status`,
 * on machine/virt.h's snapshot calls (docs/snapshots.md). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "frontends/monitor.h"

static int do_savevm(struct monitor_call *c, int argc, char **argv)
{
    char name[32], err[512];
    if (argc == 0) {
        /* QEMU's default tag: vm-YYYYMMDDHHMMSS (host time names a file; the
         * machine does not see it) */
        time_t t = time(NULL);
        struct tm tm;
        strftime(name, sizeof name, "vm-%Y%m%d%H%M%S", localtime_r(&t, &tm));
    }
    if (virt_savevm(c->m, argc ? argv[0] : name, err, sizeof err) < 0)
        return monitor_error(c, "savevm: %s", err);
    return 0;
}
MONITOR_COMMAND(savevm) = {
    .name = "savevm", .args = "[NAME]", .max_args = 1,
    .help = "save the whole machine (disks included) as snapshot NAME: a path, or a name in the snapshot folder",
    .run = do_savevm,
};

static int do_loadvm(struct monitor_call *c, int argc, char **argv)
{
    (void)argc;
    char err[512];
    if (virt_loadvm(c->m, argv[0], err, sizeof err) < 0)
        return monitor_error(c, "loadvm: %s", err);
    return 0;
}
MONITOR_COMMAND(loadvm) = {
    .name = "loadvm", .args = "NAME", .min_args = 1, .max_args = 1,
    .help = "go back to snapshot NAME (machine and disks); a bad file changes nothing", .run = do_loadvm,
};

static int do_delvm(struct monitor_call *c, int argc, char **argv)
{
    (void)argc;
    char err[512];
    if (virt_delvm(c->m, argv[0], err, sizeof err) < 0)
        return monitor_error(c, "delvm: %s", err);
    return 0;
}
MONITOR_COMMAND(delvm) = {
    .name = "delvm", .args = "NAME", .min_args = 1, .max_args = 1,
    .help = "delete snapshot NAME", .run = do_delvm,
};

static int do_info_snapshots(struct monitor_call *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    char *out = malloc(64 * 1024);
    if (!out)
        return monitor_error(c, "out of memory");
    virt_list_snapshots(c->m, out, 64 * 1024);
    monitor_printf(c, "%s", out);
    free(out);
    return 0;
}
MONITOR_COMMAND(info_snapshots) = {
    .name = "info snapshots", .help = "the snapshots in the snapshot folder", .run = do_info_snapshots,
};

static void state_hash_line(struct monitor_call *c)
{
    monitor_printf(c, "State hash: %016" PRIx64 "\n", virt_state_hash(c->m));
}
MONITOR_COMMAND(state_hash) = {
    .status = state_hash_line,
};
