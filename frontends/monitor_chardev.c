/* frontends/monitor_chardev.c: the monitor's commands on -chardev's:
 * info chardev, ringbuf_read and ringbuf_write (QEMU's: a ringbuf chardev
 * keeps what its device wrote until the monitor reads it). QMP's
 * ringbuf-read / ringbuf-write (frontends/qmp.c) use the same two
 * functions below. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/chardev.h"
#include "frontends/monitor.h"

#define RINGBUF_READ_MAX (1u << 20)

struct chardev *monitor_ringbuf(struct monitor *mon, const char *id, char *err, size_t errlen)
{
    struct chardev *cd = monitor_chardev(mon, id);
    if (!cd)
        snprintf(err, errlen, "Device '%s' not found", id);
    else if (!chardev_is_ringbuf(cd))
        snprintf(err, errlen, "%s is not a ringbuf device", id);
    return cd && chardev_is_ringbuf(cd) ? cd : NULL;
}

static int do_info_chardev(struct monitor_call *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    struct chardev *const *cds;
    unsigned n = monitor_chardev_list(c->mon, &cds);
    if (!n)
        monitor_printf(c, "no -chardev\n");
    for (unsigned i = 0; i < n; i++) {
        char d[512];
        chardev_describe(cds[i], d, sizeof d);
        monitor_printf(c, "%s: filename=%s\n", chardev_id(cds[i]), d);
    }
    return 0;
}
MONITOR_COMMAND(info_chardev) = {
    .name = "info chardev", .help = "the -chardev's: id and backend", .run = do_info_chardev,
};

static int do_ringbuf_read(struct monitor_call *c, int argc, char **argv)
{
    (void)argc;
    char err[300], *end;
    struct chardev *cd = monitor_ringbuf(c->mon, argv[0], err, sizeof err);
    if (!cd)
        return monitor_error(c, "%s", err);
    unsigned long size = strtoul(argv[1], &end, 0);
    if (*end || !*argv[1] || argv[1][0] == '-' || size > RINGBUF_READ_MAX)
        return monitor_error(c, "size '%s': a number up to %u", argv[1], RINGBUF_READ_MAX);
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return monitor_error(c, "out of memory");
    size_t got = chardev_ringbuf_read(cd, buf, size);
    /* as text; control bytes, DEL, bytes above 0x7f and \ escaped */
    char line[1024];
    size_t k = 0;
    for (size_t i = 0; i < got; i++) {
        uint8_t ch = buf[i];
        if (k + 8 >= sizeof line) {
            line[k] = 0;
            monitor_printf(c, "%s", line);
            k = 0;
        }
        if (ch == '\\')
            line[k++] = '\\', line[k++] = '\\';
        else if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch >= 0x7f)
            k += (size_t)snprintf(line + k, sizeof line - k, "\\u%04X", ch);
        else
            line[k++] = (char)ch;
    }
    line[k] = 0;
    monitor_printf(c, "%s\n", line);
    free(buf);
    return 0;
}
MONITOR_COMMAND(ringbuf_read) = {
    .name = "ringbuf_read", .args = "DEVICE SIZE", .min_args = 2, .max_args = 2,
    .help = "take up to SIZE bytes out of ringbuf chardev DEVICE and print them", .run = do_ringbuf_read,
};

static int do_ringbuf_write(struct monitor_call *c, int argc, char **argv)
{
    (void)argc;
    char err[300];
    struct chardev *cd = monitor_ringbuf(c->mon, argv[0], err, sizeof err);
    if (!cd)
        return monitor_error(c, "%s", err);
    chardev_write(cd, (const uint8_t *)argv[1], strlen(argv[1]));
    return 0;
}
MONITOR_COMMAND(ringbuf_write) = {
    .name = "ringbuf_write", .args = "DEVICE DATA", .min_args = 2, .max_args = 2,
    .help = "write DATA into ringbuf chardev DEVICE", .run = do_ringbuf_write,
};
