/* frontends/display_host.c: the host display as the machine's
 * devices_display, and screendumps on request. */
#include "frontends/display_host.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "frontends/display.h"
#include "frontends/keymap.h"
#include "machine/display_glue.h"

#define DEFAULT_DUMP "rivet-screendump.png"

struct display_host {
    struct display *d;
    struct devices_display dd;
    const char *dump_path;      /* -screendump FILE, or NULL */
    bool dump_requested;
    bool sigusr1;
    struct sigaction old_usr1;
    uint8_t keys[128];
    /* The last picture of a scanout the guest turned off (Linux resets
     * the device at poweroff): what -screendump writes at exit then. */
    uint8_t *last;
    struct display_surface last_surface;
    /* Test hook RIVET_TEST_KEY=CODE[,PERIOD_MS]: press and release CODE
     * every PERIOD_MS (default 200) of wall time, as if typed in the window. */
    uint16_t test_key;
    uint64_t test_period_ns, test_next_ns;
};

/* A signal handler can only set a flag; SIGUSR1 is process-wide, so the
 * flag is too (one display per process). */
static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
    usr1_seen = 1;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Log lines may land on a terminal in raw mode (no NL to CRNL). */
static const char *eol(void)
{
    return isatty(STDERR_FILENO) ? "\r\n" : "\n";
}

static void dump(struct display_host *h, const char *path, bool quiet_ok)
{
    char err[256];
    if (display_screendump(h->d, path, err, sizeof err) < 0)
        fprintf(stderr, "rivet: screendump %s: %s%s", path, err, eol());
    else if (!quiet_ok)
        fprintf(stderr, "rivet: screendump written to %s%s", path, eol());
}

static void keep_last(struct display_host *h)
{
    const struct display_surface *cur = display_surface(h->d);
    if (!cur || !h->dump_path)
        return;
    size_t row = (size_t)cur->width * display_format_bpp(cur->format);
    uint8_t *copy = malloc(row * cur->height);
    if (!copy)
        return;
    for (unsigned y = 0; y < cur->height; y++)
        memcpy(copy + row * y, cur->pixels + cur->stride * y, row);
    free(h->last);
    h->last = copy;
    h->last_surface = *cur;
    h->last_surface.stride = row;
    h->last_surface.pixels = copy;
}

static void set_scanout(void *ctx, const struct virtio_gpu_surface *s)
{
    struct display_host *h = ctx;
    if (!s) {
        keep_last(h);
        display_set_surface(h->d, NULL);
        return;
    }
    struct display_surface ds = { s->width, s->height, s->stride, display_format_from_virtio_gpu(s->format),
                                  s->pixels };
    display_set_surface(h->d, &ds);
}

static void flush(void *ctx, unsigned x, unsigned y, unsigned w, unsigned hgt)
{
    struct display_host *h = ctx;
    display_update(h->d, (int)x, (int)y, (int)w, (int)hgt);
}

static bool poll_event(void *ctx, struct devices_input_event *out)
{
    struct display_host *h = ctx;
    struct display_event ev;
    while (display_poll_events(h->d, &ev)) {
        memset(out, 0, sizeof *out);
        switch (ev.type) {
        case DISPLAY_EV_KEY:
            *out = (struct devices_input_event){ DEVICES_IN_KEY, ev.key.code, ev.key.down, 0, 0 };
            return true;
        case DISPLAY_EV_BUTTON:
            *out = (struct devices_input_event){ DEVICES_IN_BUTTON, ev.key.code, ev.key.down, 0, 0 };
            return true;
        case DISPLAY_EV_MOUSE_MOTION:
            *out = (struct devices_input_event){ DEVICES_IN_REL, 0, false, ev.rel.dx, ev.rel.dy };
            return true;
        case DISPLAY_EV_POINTER_ABS:
            *out = (struct devices_input_event){ DEVICES_IN_ABS, 0, false, (int32_t)ev.abs.x, (int32_t)ev.abs.y };
            return true;
        case DISPLAY_EV_WHEEL:
            *out = (struct devices_input_event){ DEVICES_IN_WHEEL, 0, false, ev.rel.dx, ev.rel.dy };
            return true;
        case DISPLAY_EV_QUIT_REQUEST:
            out->type = DEVICES_IN_POWERDOWN;
            return true;
        case DISPLAY_EV_QUIT:
            out->type = DEVICES_IN_QUIT;
            return true;
        default:
            break;
        }
    }
    return false;
}

static void refresh(void *ctx)
{
    struct display_host *h = ctx;
    if (usr1_seen && h->sigusr1) {
        usr1_seen = 0;
        h->dump_requested = true;
    }
    if (h->dump_requested) {
        h->dump_requested = false;
        dump(h, h->dump_path ? h->dump_path : DEFAULT_DUMP, false);
    }
    uint64_t now = now_ns();
    if (h->test_key && now >= h->test_next_ns) {
        display_inject_key(h->d, h->test_key, true);
        display_inject_key(h->d, h->test_key, false);
        h->test_next_ns = now + h->test_period_ns;
    }
    display_refresh(h->d, now);
}

static void set_grab(void *ctx, bool grab)
{
    display_set_grab(((struct display_host *)ctx)->d, grab);
}

static bool grabbed(void *ctx)
{
    return display_grabbed(((struct display_host *)ctx)->d);
}

static void detach(void *ctx)
{
    struct display_host *h = ctx;
    if (h->dump_path && !display_surface(h->d) && h->last) {
        display_set_surface(h->d, &h->last_surface);
        dump(h, h->dump_path, true);
    } else if (h->dump_path) {
        dump(h, h->dump_path, true);
    }
    display_set_surface(h->d, NULL);
}

struct display_host *display_host_open(const char *backend, const char *screendump, char *err, size_t errlen)
{
    struct display_host *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (backend) {
        h->d = display_open(backend, err, errlen);
    } else {
        char why[256];
        h->d = display_open("sdl", why, sizeof why);
        if (!h->d) {
            fprintf(stderr, "rivet: no display window (%s); running headless (-display none)\n", why);
            h->d = display_open("none", err, errlen);
        }
    }
    if (!h->d) {
        free(h);
        return NULL;
    }
    display_set_state(h->d, "running");
    const char *tk = getenv("RIVET_TEST_KEY");
    if (tk) {
        unsigned code = 0, ms = 200;
        if (sscanf(tk, "%u,%u", &code, &ms) >= 1 && code > 0 && code < 1024 && ms > 0) {
            h->test_key = (uint16_t)code;
            h->test_period_ns = ms * 1000000ull;
        }
    }
    h->dump_path = screendump;
    for (unsigned sc = 0; sc < KEYMAP_SDL_SCANCODES; sc++) {
        uint16_t k = keymap_sdl_to_linux(sc);
        if (k && k < 1024)
            h->keys[k / 8] |= (uint8_t)(1u << (k % 8));
    }
    h->keys[116 / 8] |= 1u << (116 % 8);   /* KEY_POWER: the window's close asks with it */
    h->dd = (struct devices_display){
        .ctx = h, .set_scanout = set_scanout, .flush = flush, .poll_event = poll_event, .refresh = refresh,
        .set_grab = set_grab, .grabbed = grabbed, .detach = detach, .keys = h->keys,
    };
    return h;
}

const struct devices_display *display_host_devices(struct display_host *h)
{
    return h ? &h->dd : NULL;
}

int display_host_screendump(struct display_host *h, const char *path, char *err, size_t errlen)
{
    return display_screendump(h->d, path, err, errlen);
}

void display_host_request_screendump(struct display_host *h)
{
    if (h)
        h->dump_requested = true;
}

void display_host_catch_sigusr1(struct display_host *h)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGUSR1, &sa, &h->old_usr1) == 0)
        h->sigusr1 = true;
}

const char *display_host_backend(const struct display_host *h)
{
    return display_backend_name(h->d);
}

void display_host_close(struct display_host *h)
{
    if (!h)
        return;
    if (h->sigusr1)
        sigaction(SIGUSR1, &h->old_usr1, NULL);
    display_close(h->d);
    free(h->last);
    free(h);
}
