/* tests/fuzz/fuzz_hmp.c: the human monitor (frontends/monitor.c) on any
 * text a user or a script can send it: the input cut at newlines, each
 * line run by monitor_run_line on a real virt board (two harts, 16 MiB of
 * RAM whose first bytes are the input) attached as the run loop attaches
 * it: the line parser, x/FMT formats, addresses and $registers, every
 * command of the table (info *, x/xp of any count and size anywhere, cpu,
 * stop/cont, system_reset, quit, help, info chardev, ringbuf_read and
 * ringbuf_write on a 64-byte ring; screendump has no display here).
 *
 * Checked besides ASan/UBSan: a command that fails prints exactly one
 * "Error: " line and one that succeeds none (unless the line itself holds
 * "Error: ", or prints ring bytes); output is whole text. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/chardev.h"
#include "frontends/monitor.h"
#include "machine/virt.h"

struct sink {
    size_t errors, bytes;
};

static void out(void *ctx, const char *text)
{
    struct sink *s = ctx;
    for (const char *p = strstr(text, "Error: "); p; p = strstr(p + 1, "Error: "))
        s->errors++;
    s->bytes += strlen(text);
}

static void serial_sink(void *ctx, const uint8_t *buf, size_t len) { (void)ctx, (void)buf, (void)len; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct virt *board;
    static struct monitor *mon;
    static struct virt_config vc = {
        .ram_size = 16 << 20, .smp = 2, .host = { .serial_write = serial_sink },
    };
    if (!board) {
        board = virt_board_new(&vc);
        mon = monitor_new();
        if (!board || !mon)
            abort();
        monitor_virt(mon)->attach(monitor_virt(mon)->ctx, board);
        /* ringbuf_read/ringbuf_write and info chardev reach a ring (rb)
         * and a chardev that is not one (nul) */
        static struct chardev *cds[2];
        char err[200];
        cds[0] = chardev_open("ringbuf,id=rb,size=64", err, sizeof err);
        cds[1] = chardev_open("null,id=nul", err, sizeof err);
        if (!cds[0] || !cds[1])
            abort();
        monitor_set_chardevs(mon, cds, 2);
    }
    uint8_t *ram = virt_board_ram(board);
    memcpy(ram, data, size < 4096 ? size : 4096);
    unsigned cpu = 0;
    char line[2048];
    for (size_t i = 0; i < size;) {
        size_t n = 0;
        while (i < size && data[i] != '\n') {
            if (n < sizeof line - 1)
                line[n++] = data[i] ? (char)data[i] : ' ';
            i++;
        }
        i++;
        line[n] = 0;
        struct sink s = { 0 };
        int r = monitor_run_line(mon, line, &cpu, out, &s);
        /* the count holds unless the text itself says "Error: ": a line
         * quoted back in an error, or ring bytes that ringbuf_read prints */
        bool echoes = strstr(line, "Error: ") || strstr(line, "ringbuf_read");
        if (!echoes && ((r < 0 && s.errors != 1) || (r == 0 && s.errors)))
            abort();
    }
    return 0;
}
