/* tests/fuzz/fuzz_rr_replay.c: a replay's side of a record/replay log
 * (machine/rr.c) on arbitrary files: rr_open checks the command line (the
 * harness passes the one the log holds, so the rest is reached), the
 * images (none here: a log naming one is refused), the settings and the
 * end; then every handing-out function is asked at every stamp of the log
 * (inputs of every channel, time inputs of both sites, entropy, the
 * display's events through a wrapped display, checkpoints, missed records)
 * and the end is checked. Checked besides ASan/UBSan: a refusal is one
 * line; what is handed out stays inside what was asked for. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/device.h"
#include "machine/display_glue.h"
#include "machine/rr.h"
#include "machine/virt.h"

static void bug(const char *what)
{
    fprintf(stderr, "fuzz_rr_replay: %s\n", what);
    abort();
}

static uint64_t pos;
static uint64_t test_pos(void *ctx)
{
    (void)ctx;
    return pos;
}

static size_t no_fill(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    bug("a replay asked the host for entropy");
    return 0;
}

static bool no_event(void *ctx, struct devices_input_event *ev)
{
    (void)ctx;
    (void)ev;
    bug("a replay read the host display");
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/fuzz_rr_replay.%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    /* the log's own command line, and its stamps (a first pass) */
    char err[512];
    char *argv[64] = { "rivet" };
    int argc = 1;
    uint64_t stamps[512];
    size_t nst = 0;
    struct rr_reader *r = rr_reader_open(path, err, sizeof err);
    if (r) {
        struct rr_record rec;
        while (rr_read(r, &rec) == 1) {
            if (rec.type == RR_CMDLINE && argc == 1)
                for (unsigned i = 0; i < rec.argc && argc < 63; i++)
                    argv[argc++] = strdup(rec.argv[i]);
            if (nst < 512 && (!nst || stamps[nst - 1] != rec.stamp))
                stamps[nst++] = rec.stamp;
        }
        rr_reader_free(r);
    }
    struct rr *rr = rr_open(RR_REPLAYING, path, NULL, argc, argv, NULL, 0, err, sizeof err);
    if (!rr) {
        if (!err[0] || strchr(err, '\n'))
            bug("a log refused without a one-line reason");
    } else {
        struct virt_config cfg = { 0 };
        rr_settings(rr, &cfg);
        rr_attach_position(rr, test_pos, NULL);
        struct devices_display disp = { .poll_event = no_event };
        if (rr_wrap_display(rr, &disp) < 0)
            bug("wrap");
        struct devices_rng host = { .id = "h", .read = no_fill };
        rr_wrap_rng(rr, &host);
        static const char *const inputs[] = { "serial", "quit", "break", "monitor", "display-grab", "chardev:c0",
                                              "netdev:n0" };
        static const char *const times[] = { "jump", "rate", "rtc", "idle-jump", "idle-rate", "idle-rtc" };
        for (size_t k = 0; k < nst; k++) {
            pos = stamps[k];
            for (int round = 0; round < 4; round++) {
                for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
                    const struct rr_event *e = rr_take(rr, RR_INPUT, inputs[i]);
                    if (e && e->len && !e->data)
                        bug("input without data");
                }
                for (size_t i = 0; i < sizeof times / sizeof *times; i++)
                    rr_take(rr, RR_TIME, times[i]);
                uint8_t buf[64];
                size_t n = rr_entropy(rr, "seed", buf, 2, no_fill, NULL);
                if (n > 2)
                    bug("more entropy than asked for");
                if (host.read(host.ctx, buf, sizeof buf) > sizeof buf)
                    bug("more entropy than asked for");
                struct devices_input_event ev;
                while (disp.poll_event(disp.ctx, &ev))
                    ;
            }
            if (rr_checkpoint_due(rr))
                rr_checkpoint(rr, pos, 0);
            rr_check_missed(rr, pos);
        }
        rr_close(rr, pos, pos, 0);
        rr_free(rr);
    }
    for (int i = 1; i < argc; i++)
        free(argv[i]);
    unlink(path);
    return 0;
}
