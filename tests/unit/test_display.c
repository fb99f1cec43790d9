/* Unit tests for frontends/display.c and frontends/keymap.c: pixel formats
 * to RGB (and through screendump), dirty tracking and the 60 Hz pacing on a
 * fake clock and a fake backend, letterbox and tablet coordinates, the
 * input queue (dedup, merge, release, close sequence), titles, keymap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontends/display.h"
#include "frontends/keymap.h"
#include "frontends/png.h"

/* ---- a backend that records what the display asks of it ---- */

struct fake {
    unsigned opens, closes, surface_changes, renders, pumps;
    bool last_surface_null;
    bool last_dirty_null;
    struct display_rect last_dirty;
    bool grab_works;
    char title[128];
    struct display *d;
    uint16_t pump_key;   /* pushed by the next pump, if not 0 */
    uint64_t clock_ns;   /* fake clock for timing renders */
    uint64_t render_cost_ns;   /* each render advances clock_ns by this */
};

static uint64_t fake_clock(void *opaque)
{
    return ((struct fake *)opaque)->clock_ns;
}

static void *fake_open(struct display *d, char *err, size_t errlen)
{
    struct fake *f = calloc(1, sizeof *f);
    f->opens++;
    f->grab_works = true;
    f->d = d;
    return f;
}

static void fake_close(void *be) { free(be); }

static void fake_surface_changed(void *be, const struct display_surface *s)
{
    struct fake *f = be;
    f->surface_changes++;
    f->last_surface_null = s == NULL;
}

static void fake_render(void *be, const struct display_surface *s, const struct display_rect *dirty)
{
    struct fake *f = be;
    f->renders++;
    f->clock_ns += f->render_cost_ns;
    f->last_dirty_null = dirty == NULL;
    if (dirty)
        f->last_dirty = *dirty;
}

static void fake_pump(void *be)
{
    struct fake *f = be;
    f->pumps++;
    if (f->pump_key) {
        display_inject_key(f->d, f->pump_key, true);
        f->pump_key = 0;
    }
}

static bool fake_set_grab(void *be, bool grab)
{
    struct fake *f = be;
    return grab && f->grab_works;
}

static void fake_set_title(void *be, const char *t)
{
    struct fake *f = be;
    snprintf(f->title, sizeof f->title, "%s", t);
}

static const struct display_backend_ops fake_ops = {
    .name = "fake",
    .open = fake_open,
    .close = fake_close,
    .surface_changed = fake_surface_changed,
    .render = fake_render,
    .pump = fake_pump,
    .set_grab = fake_set_grab,
    .set_title = fake_set_title,
};

static struct display *open_fake(struct fake **f)
{
    char err[128];
    struct display *d = display_open_ops(&fake_ops, err, sizeof err);
    assert_non_null(d);
    *f = display_backend_state(d);
    /* Draw timing on the fake clock too: a preempted test must not look
     * like a slow draw. */
    display_set_clock(d, fake_clock, *f);
    return d;
}

static struct display *open_none(void)
{
    char err[128];
    struct display *d = display_open("none", err, sizeof err);
    assert_non_null(d);
    assert_string_equal(display_backend_name(d), "none");
    return d;
}

/* ---- formats ---- */

/* Three reference colours and how each format lays them out. */
static const uint8_t ref_rgb[3][3] = { { 0x11, 0x22, 0x33 }, { 0xff, 0x00, 0x80 }, { 0x01, 0xfe, 0x7f } };

static void put_pixel(enum display_format f, uint8_t *p, const uint8_t c[3])
{
    uint8_t r = c[0], g = c[1], b = c[2], a = 0x5a;  /* alpha/X is junk: must be ignored */
    switch (f) {
    case DISPLAY_FORMAT_B8G8R8X8: case DISPLAY_FORMAT_B8G8R8A8:
        p[0] = b; p[1] = g; p[2] = r; p[3] = a; break;
    case DISPLAY_FORMAT_X8R8G8B8: case DISPLAY_FORMAT_A8R8G8B8:
        p[0] = a; p[1] = r; p[2] = g; p[3] = b; break;
    case DISPLAY_FORMAT_R8G8B8X8: case DISPLAY_FORMAT_R8G8B8A8:
        p[0] = r; p[1] = g; p[2] = b; p[3] = a; break;
    case DISPLAY_FORMAT_X8B8G8R8: case DISPLAY_FORMAT_A8B8G8R8:
        p[0] = a; p[1] = b; p[2] = g; p[3] = r; break;
    default:
        fail();
    }
}

static void test_format_bpp_and_virtio_mapping(void **state)
{
    assert_int_equal(display_format_bpp(DISPLAY_FORMAT_XRGB8888), 4);
    assert_int_equal(display_format_bpp(DISPLAY_FORMAT_R5G6B5), 2);
    assert_int_equal(display_format_bpp(DISPLAY_FORMAT_NONE), 0);
    assert_int_equal(display_format_bpp((enum display_format)999), 0);
    assert_int_equal(display_format_from_virtio_gpu(1), DISPLAY_FORMAT_B8G8R8A8);
    assert_int_equal(display_format_from_virtio_gpu(2), DISPLAY_FORMAT_B8G8R8X8);
    assert_int_equal(display_format_from_virtio_gpu(3), DISPLAY_FORMAT_A8R8G8B8);
    assert_int_equal(display_format_from_virtio_gpu(4), DISPLAY_FORMAT_X8R8G8B8);
    assert_int_equal(display_format_from_virtio_gpu(67), DISPLAY_FORMAT_R8G8B8A8);
    assert_int_equal(display_format_from_virtio_gpu(68), DISPLAY_FORMAT_X8B8G8R8);
    assert_int_equal(display_format_from_virtio_gpu(121), DISPLAY_FORMAT_A8B8G8R8);
    assert_int_equal(display_format_from_virtio_gpu(134), DISPLAY_FORMAT_R8G8B8X8);
    assert_int_equal(display_format_from_virtio_gpu(0), DISPLAY_FORMAT_NONE);
    assert_int_equal(display_format_from_virtio_gpu(5), DISPLAY_FORMAT_NONE);
}

static void test_formats_to_rgb_and_screendump(void **state)
{
    static const enum display_format fmts[] = {
        DISPLAY_FORMAT_B8G8R8X8, DISPLAY_FORMAT_B8G8R8A8, DISPLAY_FORMAT_X8R8G8B8,
        DISPLAY_FORMAT_A8R8G8B8, DISPLAY_FORMAT_R8G8B8X8, DISPLAY_FORMAT_R8G8B8A8,
        DISPLAY_FORMAT_X8B8G8R8, DISPLAY_FORMAT_A8B8G8R8,
    };
    /* 3x2, stride 16 (one pixel of padding per row, filled with junk). */
    enum { W = 3, H = 2, STRIDE = 16 };
    char path[] = "/tmp/rivet-test-display-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        uint8_t px[STRIDE * H];
        memset(px, 0xcd, sizeof px);
        uint8_t want[W * H * 3];
        for (unsigned y = 0; y < H; y++) {
            for (unsigned x = 0; x < W; x++) {
                const uint8_t *c = ref_rgb[(x + y) % 3];
                put_pixel(fmts[i], px + y * STRIDE + x * 4, c);
                memcpy(want + (y * W + x) * 3, c, 3);
            }
        }
        struct display_surface s = { W, H, STRIDE, fmts[i], px };
        uint8_t got[W * H * 3];
        display_surface_to_rgb(&s, got);
        assert_memory_equal(got, want, sizeof want);

        /* The screendump is exactly the PNG of the expected pixels. */
        struct display *d = open_none();
        assert_int_equal(display_set_surface(d, &s), 0);
        char err[256] = "";
        assert_int_equal(display_screendump(d, path, err, sizeof err), 0);
        display_close(d);
        uint8_t *png;
        size_t len;
        assert_int_equal(png_encode_mem(W, H, want, W * 3, &png, &len, err, sizeof err), 0);
        uint8_t file[4096];
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t n = fread(file, 1, sizeof file, f);
        fclose(f);
        assert_int_equal(n, len);
        assert_memory_equal(file, png, len);
        free(png);
    }
    unlink(path);
}

static void test_rgb565(void **state)
{
    /* white, pure red, pure green, pure blue, and a mid value */
    const uint16_t v[5] = { 0xffff, 0xf800, 0x07e0, 0x001f, (uint16_t)(16 << 11 | 32 << 5 | 16) };
    uint8_t px[10];
    for (int i = 0; i < 5; i++) {
        px[2 * i] = (uint8_t)v[i];
        px[2 * i + 1] = (uint8_t)(v[i] >> 8);
    }
    struct display_surface s = { 5, 1, 10, DISPLAY_FORMAT_R5G6B5, px };
    uint8_t got[15];
    display_surface_to_rgb(&s, got);
    const uint8_t want[15] = { 255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0x84, 0x82, 0x84 };
    assert_memory_equal(got, want, sizeof want);
}

static void test_bad_surfaces(void **state)
{
    struct fake *f;
    struct display *d = open_fake(&f);
    uint8_t px[64] = { 0 };
    struct display_surface good = { 4, 2, 16, DISPLAY_FORMAT_XRGB8888, px };
    assert_int_equal(display_set_surface(d, &good), 0);
    assert_non_null(display_surface(d));
    assert_false(f->last_surface_null);

    struct display_surface bad[] = {
        { 4, 2, 15, DISPLAY_FORMAT_XRGB8888, px },       /* stride too small */
        { 0, 2, 16, DISPLAY_FORMAT_XRGB8888, px },
        { 4, 0, 16, DISPLAY_FORMAT_XRGB8888, px },
        { 4, 2, 16, DISPLAY_FORMAT_NONE, px },
        { 4, 2, 16, (enum display_format)77, px },
        { 4, 2, 16, DISPLAY_FORMAT_XRGB8888, NULL },
        { 4, 2, (size_t)INT_MAX + 1, DISPLAY_FORMAT_XRGB8888, px },
        { DISPLAY_MAX_DIM + 1, 1, (DISPLAY_MAX_DIM + 1) * 4, DISPLAY_FORMAT_XRGB8888, px },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(display_set_surface(d, &good), 0);
        assert_int_equal(display_set_surface(d, &bad[i]), -1);
        assert_null(display_surface(d));
        assert_true(f->last_surface_null);
    }
    /* No surface: the window is redrawn black (render without dirty). */
    assert_true(display_refresh(d, 0));
    assert_true(f->last_dirty_null);

    char err[256];
    assert_int_equal(display_screendump(d, "/tmp/never-written.png", err, sizeof err), -1);
    assert_non_null(strstr(err, "no display output"));
    assert_int_equal(access("/tmp/never-written.png", F_OK), -1);

    assert_int_equal(display_set_surface(d, &good), 0);
    assert_int_equal(display_screendump(d, "/nonexistent-dir/x.png", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent-dir/x.png"));
    display_close(d);
}

/* ---- dirty tracking and pacing ---- */

static void test_dirty_union_and_clipping(void **state)
{
    struct fake *f;
    struct display *d = open_fake(&f);
    struct display_rect r;
    display_update(d, 0, 0, 10, 10);   /* no surface: ignored */
    assert_false(display_dirty_rect(d, &r));

    uint8_t *px = calloc(100 * 50, 4);
    struct display_surface s = { 100, 50, 400, DISPLAY_FORMAT_XRGB8888, px };
    display_set_surface(d, &s);
    assert_true(display_dirty_rect(d, &r));   /* a new surface is all dirty */
    assert_int_equal(r.x, 0); assert_int_equal(r.y, 0);
    assert_int_equal(r.w, 100); assert_int_equal(r.h, 50);
    assert_true(display_refresh(d, 1000));
    assert_false(display_dirty_rect(d, &r));

    display_update(d, 10, 20, 5, 5);
    display_update(d, 30, 5, 2, 2);
    assert_true(display_dirty_rect(d, &r));
    assert_int_equal(r.x, 10); assert_int_equal(r.y, 5);
    assert_int_equal(r.w, 22); assert_int_equal(r.h, 20);

    display_refresh(d, 1000 + DISPLAY_REFRESH_NS);
    assert_int_equal(f->last_dirty.x, 10);
    assert_int_equal(f->last_dirty.w, 22);

    /* Clipping, empty and hostile rectangles. */
    display_update(d, -5, -5, 10, 10);
    assert_true(display_dirty_rect(d, &r));
    assert_int_equal(r.x, 0); assert_int_equal(r.y, 0);
    assert_int_equal(r.w, 5); assert_int_equal(r.h, 5);
    display_refresh(d, 1000 + 2 * DISPLAY_REFRESH_NS);
    display_update(d, 95, 45, INT_MAX, INT_MAX);
    assert_true(display_dirty_rect(d, &r));
    assert_int_equal(r.x, 95); assert_int_equal(r.w, 5);
    assert_int_equal(r.y, 45); assert_int_equal(r.h, 5);
    display_refresh(d, 1000 + 3 * DISPLAY_REFRESH_NS);
    display_update(d, 100, 0, 10, 10);
    display_update(d, 0, 50, 10, 10);
    display_update(d, INT_MIN, INT_MIN, INT_MAX, INT_MAX);
    display_update(d, 0, 0, 0, 10);
    display_update(d, 0, 0, -1, 10);
    assert_false(display_dirty_rect(d, &r));
    display_close(d);
    free(px);
}

static void test_refresh_rate_limit(void **state)
{
    struct fake *f;
    struct display *d = open_fake(&f);
    uint8_t *px = calloc(64 * 64, 4);
    struct display_surface s = { 64, 64, 256, DISPLAY_FORMAT_XRGB8888, px };
    display_set_surface(d, &s);
    const uint64_t t0 = 5000000000ull;
    const uint64_t frame = DISPLAY_REFRESH_NS;
    assert_int_equal(frame, 16666666);

    assert_int_equal(display_next_refresh_ns(d), 1);   /* never drawn: now */
    assert_true(display_refresh(d, t0));               /* first draw is immediate */
    assert_int_equal(f->renders, 1);
    assert_false(f->last_dirty_null);
    assert_int_equal(display_next_refresh_ns(d), 0);   /* nothing pending */

    /* Nothing changed: no draw however much time passes. */
    assert_false(display_refresh(d, t0 + 10 * frame));
    assert_int_equal(f->renders, 1);

    /* A flush right after a draw waits for the frame interval. */
    display_update(d, 1, 1, 1, 1);
    assert_int_equal(display_next_refresh_ns(d), t0 + frame);
    assert_false(display_refresh(d, t0 + 1));
    assert_false(display_refresh(d, t0 + frame - 1));
    display_update(d, 2, 2, 1, 1);   /* merges meanwhile */
    assert_true(display_refresh(d, t0 + frame));
    assert_int_equal(f->renders, 2);
    assert_int_equal(f->last_dirty.x, 1);
    assert_int_equal(f->last_dirty.w, 2);

    /* A storm of flushes over one second draws at most 60 (+1) times. */
    uint64_t t = t0 + frame;
    unsigned before = f->renders;
    for (int i = 0; i < 100000; i++) {
        t += 10000;   /* every 10 us */
        display_update(d, i % 64, i % 61, 1, 1);
        display_refresh(d, t);
    }
    unsigned drawn = f->renders - before;
    assert_true(drawn >= 59 && drawn <= 61);

    /* Expose: a redraw without upload, also paced. */
    display_refresh(d, t + frame);   /* flush what the storm left */
    display_invalidate(d);
    assert_false(display_refresh(d, t + frame + 1));
    assert_true(display_refresh(d, t + 2 * frame));
    assert_true(f->last_dirty_null);
    display_close(d);
    free(px);
}

static void test_slow_draws_take_at_most_a_quarter(void **state)
{
    struct fake *f;
    struct display *d = open_fake(&f);
    uint8_t *px = calloc(64 * 64, 4);
    struct display_surface s = { 64, 64, 256, DISPLAY_FORMAT_XRGB8888, px };
    display_set_surface(d, &s);
    const uint64_t ms = 1000000;

    /* A 10 ms draw: the next one waits 40 ms, not 16.7. */
    f->render_cost_ns = 10 * ms;
    assert_true(display_refresh(d, 1000 * ms));
    display_update(d, 0, 0, 1, 1);
    assert_int_equal(display_next_refresh_ns(d), 1040 * ms);
    assert_false(display_refresh(d, 1017 * ms));
    assert_false(display_refresh(d, 1039 * ms));
    assert_true(display_refresh(d, 1040 * ms));

    /* Over a second of continuous flushes, drawing takes <= 1/4 of it. */
    uint64_t busy = 0, t;
    for (t = 2000 * ms; t < 3000 * ms; t += ms / 10) {
        display_update(d, 0, 0, 64, 64);
        if (display_refresh(d, t))
            busy += f->render_cost_ns;
    }
    assert_true(busy <= 250 * ms + f->render_cost_ns);
    assert_true(busy >= 200 * ms);

    /* A pathological 1 s draw is followed by 250 ms, not 4 s. */
    f->render_cost_ns = 1000 * ms;
    display_refresh(d, 5000 * ms);
    display_update(d, 0, 0, 1, 1);
    assert_int_equal(display_next_refresh_ns(d), 5250 * ms);

    /* Fast draws again: back to 60 Hz. */
    f->render_cost_ns = 1 * ms;
    assert_true(display_refresh(d, 5250 * ms));
    display_update(d, 0, 0, 1, 1);
    assert_int_equal(display_next_refresh_ns(d), 5250 * ms + DISPLAY_REFRESH_NS);
    display_close(d);
    free(px);
}

static void test_none_backend_paces_too(void **state)
{
    struct display *d = open_none();
    uint8_t px[16] = { 0 };
    struct display_surface s = { 2, 2, 8, DISPLAY_FORMAT_XRGB8888, px };
    display_set_surface(d, &s);
    assert_true(display_refresh(d, 0));
    display_update(d, 0, 0, 1, 1);
    assert_false(display_refresh(d, 1));
    assert_true(display_refresh(d, DISPLAY_REFRESH_NS));
    struct display_event ev;
    assert_false(display_poll_events(d, &ev));
    display_set_grab(d, true);    /* no backend: the state is kept */
    assert_true(display_grabbed(d));
    display_close(d);
}

/* ---- geometry ---- */

static void test_letterbox(void **state)
{
    struct display_rect r = display_letterbox(800, 600, 640, 480);
    assert_int_equal(r.x, 0); assert_int_equal(r.y, 0);
    assert_int_equal(r.w, 800); assert_int_equal(r.h, 600);
    r = display_letterbox(1280, 480, 640, 480);   /* wide window: bars left and right */
    assert_int_equal(r.x, 320); assert_int_equal(r.y, 0);
    assert_int_equal(r.w, 640); assert_int_equal(r.h, 480);
    r = display_letterbox(640, 1000, 640, 480);   /* tall window: bars top and bottom */
    assert_int_equal(r.x, 0); assert_int_equal(r.y, 260);
    assert_int_equal(r.w, 640); assert_int_equal(r.h, 480);
    r = display_letterbox(1000, 1000, 1024, 768);
    assert_int_equal(r.w, 1000); assert_int_equal(r.h, 750);
    assert_int_equal(r.x, 0); assert_int_equal(r.y, 125);
    r = display_letterbox(1, 1000, 1024, 768);    /* degenerate but never empty */
    assert_int_equal(r.w, 1); assert_int_equal(r.h, 1);
    r = display_letterbox(0, 100, 10, 10);
    assert_int_equal(r.w, 0);
    r = display_letterbox(100, 100, 0, 10);
    assert_int_equal(r.h, 0);
    r = display_letterbox(16384, 16384, 16384, 1);
    assert_int_equal(r.w, 16384); assert_int_equal(r.h, 1);
    assert_int_equal(r.y, 8191);
}

static void test_tablet_coordinates(void **state)
{
    /* 640x480 image in a 960x480 window: bars 160 wide on both sides. */
    struct display_rect lb = display_letterbox(960, 480, 640, 480);
    uint32_t x, y;
    assert_true(display_window_to_tablet(&lb, 160, 0, &x, &y));
    assert_int_equal(x, 0); assert_int_equal(y, 0);
    assert_true(display_window_to_tablet(&lb, 799, 479, &x, &y));
    assert_int_equal(x, DISPLAY_TABLET_MAX); assert_int_equal(y, DISPLAY_TABLET_MAX);
    assert_true(display_window_to_tablet(&lb, 160 + 320, 240, &x, &y));
    assert_int_equal(x, (320 * 32767 + 319) / 639);
    assert_int_equal(y, (240 * 32767 + 239) / 479);
    /* On the bars and outside the window: clamped to the image edge. */
    assert_true(display_window_to_tablet(&lb, 10, -50, &x, &y));
    assert_int_equal(x, 0); assert_int_equal(y, 0);
    assert_true(display_window_to_tablet(&lb, 950, 10000, &x, &y));
    assert_int_equal(x, DISPLAY_TABLET_MAX); assert_int_equal(y, DISPLAY_TABLET_MAX);
    assert_true(display_window_to_tablet(&lb, INT_MIN, INT_MAX, &x, &y));
    assert_int_equal(x, 0); assert_int_equal(y, DISPLAY_TABLET_MAX);
    /* Monotonic across the whole width. */
    uint32_t prev = 0;
    for (int wx = 160; wx < 800; wx++) {
        display_window_to_tablet(&lb, wx, 0, &x, &y);
        assert_true(x >= prev);
        prev = x;
    }
    struct display_rect empty = { 0, 0, 0, 0 };
    x = y = 7;
    assert_false(display_window_to_tablet(&empty, 1, 1, &x, &y));
    assert_int_equal(x, 7);
    struct display_rect one = { 5, 5, 1, 1 };
    assert_true(display_window_to_tablet(&one, 5, 5, &x, &y));
    assert_int_equal(x, 0);
}

/* ---- input ---- */

static bool next(struct display *d, struct display_event *ev)
{
    memset(ev, 0, sizeof *ev);
    return display_poll_events(d, ev);
}

static void test_keys_dedup_and_release(void **state)
{
    struct display *d = open_none();
    struct display_event ev;
    display_inject_key(d, KEY_A, true);
    display_inject_key(d, KEY_A, true);      /* host autorepeat: dropped */
    display_inject_key(d, KEY_B, false);     /* never down: dropped */
    display_inject_key(d, BTN_LEFT, true);
    display_inject_key(d, KEY_LEFTSHIFT, true);
    display_inject_key(d, 0, true);          /* KEY_RESERVED: dropped */
    display_inject_key(d, KEY_MAX + 1, true);
    assert_true(next(d, &ev));
    assert_int_equal(ev.type, DISPLAY_EV_KEY);
    assert_int_equal(ev.key.code, KEY_A);
    assert_true(ev.key.down);
    assert_true(next(d, &ev));
    assert_int_equal(ev.type, DISPLAY_EV_BUTTON);
    assert_int_equal(ev.key.code, BTN_LEFT);
    assert_true(next(d, &ev));
    assert_int_equal(ev.key.code, KEY_LEFTSHIFT);
    assert_false(next(d, &ev));

    /* Focus lost: everything held goes up, in code order
     * (KEY_A 30 < KEY_LEFTSHIFT 42 < BTN_LEFT 0x110). */
    display_release_keys(d);
    const uint16_t want[] = { KEY_A, KEY_LEFTSHIFT, BTN_LEFT };
    const enum display_event_type types[] = { DISPLAY_EV_KEY, DISPLAY_EV_KEY, DISPLAY_EV_BUTTON };
    for (int i = 0; i < 3; i++) {
        assert_true(next(d, &ev));
        assert_int_equal(ev.type, types[i]);
        assert_int_equal(ev.key.code, want[i]);
        assert_false(ev.key.down);
    }
    assert_false(next(d, &ev));
    display_release_keys(d);                 /* nothing left */
    assert_false(next(d, &ev));
    display_close(d);
}

static void test_motion_merge_and_overflow(void **state)
{
    struct display *d = open_none();
    struct display_event ev;
    struct display_event m = { .type = DISPLAY_EV_MOUSE_MOTION, .rel = { 3, -2 } };
    display_inject_event(d, &m);
    display_inject_event(d, &m);
    m.rel.dx = INT32_MAX;
    display_inject_event(d, &m);             /* saturates, does not wrap */
    struct display_event a = { .type = DISPLAY_EV_POINTER_ABS, .abs = { 1, 2 } };
    display_inject_event(d, &a);
    a.abs.x = 100;
    display_inject_event(d, &a);             /* replaces the queued position */
    struct display_event w = { .type = DISPLAY_EV_WHEEL, .rel = { 0, -1 } };
    display_inject_event(d, &w);
    display_inject_event(d, &m);             /* after the wheel: a new motion */
    assert_true(next(d, &ev));
    assert_int_equal(ev.type, DISPLAY_EV_MOUSE_MOTION);
    assert_int_equal(ev.rel.dx, INT32_MAX);
    assert_int_equal(ev.rel.dy, -6);
    assert_true(next(d, &ev));
    assert_int_equal(ev.type, DISPLAY_EV_POINTER_ABS);
    assert_int_equal(ev.abs.x, 100);
    assert_int_equal(ev.abs.y, 2);
    assert_true(next(d, &ev));
    assert_int_equal(ev.type, DISPLAY_EV_WHEEL);
    assert_int_equal(ev.rel.dy, -1);
    assert_true(next(d, &ev));
    assert_int_equal(ev.type, DISPLAY_EV_MOUSE_MOTION);
    assert_false(next(d, &ev));

    /* A full queue drops new events and keeps the old ones. */
    for (int i = 0; i < 300; i++)
        display_inject_event(d, &w);
    int n = 0;
    while (next(d, &ev))
        n++;
    assert_int_equal(n, 256);
    /* A key dropped for lack of room is not remembered as down. */
    for (int i = 0; i < 256; i++)
        display_inject_event(d, &w);
    display_inject_key(d, KEY_Q, true);
    while (next(d, &ev))
        assert_int_equal(ev.type, DISPLAY_EV_WHEEL);
    display_inject_key(d, KEY_Q, true);
    assert_true(next(d, &ev));
    assert_int_equal(ev.key.code, KEY_Q);
    display_close(d);
}

static void test_close_sequence_and_title(void **state)
{
    struct fake *f;
    struct display *d = open_fake(&f);
    char t[128];
    assert_string_equal(display_title(d, t, sizeof t), "rivet - running");
    assert_string_equal(f->title, "rivet - running");
    display_set_grab(d, true);
    assert_true(display_grabbed(d));
    assert_string_equal(f->title, "rivet - running (grabbed: Ctrl-Alt-G releases)");
    display_set_grab(d, false);
    assert_string_equal(f->title, "rivet - running");
    f->grab_works = false;
    display_set_grab(d, true);
    assert_false(display_grabbed(d));
    assert_string_equal(f->title, "rivet - running");
    display_set_state(d, "paused");
    assert_string_equal(f->title, "rivet - paused");
    display_set_state(d, "running");

    struct display_event ev;
    display_request_close(d);
    assert_true(next(d, &ev));
    assert_int_equal(ev.type, DISPLAY_EV_QUIT_REQUEST);
    assert_string_equal(f->title, "rivet - running (close again to quit)");
    display_request_close(d);
    assert_true(next(d, &ev));
    assert_int_equal(ev.type, DISPLAY_EV_QUIT);
    display_request_close(d);
    assert_true(next(d, &ev));
    assert_int_equal(ev.type, DISPLAY_EV_QUIT);

    /* poll pumps the backend only when the queue is empty. */
    unsigned pumps = f->pumps;
    f->pump_key = KEY_ENTER;
    assert_true(next(d, &ev));
    assert_int_equal(ev.key.code, KEY_ENTER);
    assert_int_equal(f->pumps, pumps + 1);
    assert_false(next(d, &ev));
    display_close(d);
}

static void test_open_errors(void **state)
{
    char err[256];
    assert_null(display_open("vnc", err, sizeof err));
    assert_non_null(strstr(err, "unknown display 'vnc'"));
#ifndef HAVE_SDL
    assert_null(display_open("sdl", err, sizeof err));
    assert_non_null(strstr(err, "without SDL2"));
#endif
    display_close(NULL);
}

/* ---- keymap ---- */

static void test_keymap(void **state)
{
    /* SDL scancode (USB HID usage) -> Linux */
    assert_int_equal(keymap_sdl_to_linux(0x04), KEY_A);
    assert_int_equal(keymap_sdl_to_linux(0x1d), KEY_Z);
    assert_int_equal(keymap_sdl_to_linux(0x0a), KEY_G);
    assert_int_equal(keymap_sdl_to_linux(0x1e), KEY_1);
    assert_int_equal(keymap_sdl_to_linux(0x27), KEY_0);
    assert_int_equal(keymap_sdl_to_linux(0x28), KEY_ENTER);
    assert_int_equal(keymap_sdl_to_linux(0x29), KEY_ESC);
    assert_int_equal(keymap_sdl_to_linux(0x2a), KEY_BACKSPACE);
    assert_int_equal(keymap_sdl_to_linux(0x2b), KEY_TAB);
    assert_int_equal(keymap_sdl_to_linux(0x2c), KEY_SPACE);
    assert_int_equal(keymap_sdl_to_linux(0x35), KEY_GRAVE);
    assert_int_equal(keymap_sdl_to_linux(0x3a), KEY_F1);
    assert_int_equal(keymap_sdl_to_linux(0x43), KEY_F10);
    assert_int_equal(keymap_sdl_to_linux(0x44), KEY_F11);
    assert_int_equal(keymap_sdl_to_linux(0x45), KEY_F12);
    assert_int_equal(keymap_sdl_to_linux(0x46), KEY_SYSRQ);
    assert_int_equal(keymap_sdl_to_linux(0x4f), KEY_RIGHT);
    assert_int_equal(keymap_sdl_to_linux(0x52), KEY_UP);
    assert_int_equal(keymap_sdl_to_linux(0x58), KEY_KPENTER);
    assert_int_equal(keymap_sdl_to_linux(0x59), KEY_KP1);
    assert_int_equal(keymap_sdl_to_linux(0x62), KEY_KP0);
    assert_int_equal(keymap_sdl_to_linux(0x63), KEY_KPDOT);
    assert_int_equal(keymap_sdl_to_linux(0x64), KEY_102ND);
    assert_int_equal(keymap_sdl_to_linux(0x65), KEY_COMPOSE);
    assert_int_equal(keymap_sdl_to_linux(0xe0), KEY_LEFTCTRL);
    assert_int_equal(keymap_sdl_to_linux(0xe2), KEY_LEFTALT);
    assert_int_equal(keymap_sdl_to_linux(0xe6), KEY_RIGHTALT);
    assert_int_equal(keymap_sdl_to_linux(0xe7), KEY_RIGHTMETA);
    assert_int_equal(keymap_sdl_to_linux(0x87), KEY_RO);
    assert_int_equal(keymap_sdl_to_linux(0x89), KEY_YEN);
    assert_int_equal(keymap_sdl_to_linux(261), KEY_PLAYPAUSE);
    assert_int_equal(keymap_sdl_to_linux(0), 0);
    assert_int_equal(keymap_sdl_to_linux(0x01), 0);
    assert_int_equal(keymap_sdl_to_linux(511), 0);
    assert_int_equal(keymap_sdl_to_linux(512), 0);
    assert_int_equal(keymap_sdl_to_linux(UINT_MAX), 0);

    /* A 105-key PC keyboard: every key maps, and to distinct codes except
     * the ISO '#' key which shares KEY_BACKSLASH by design. */
    unsigned pc105[] = {
        0x29, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45,
        0x46, 0x47, 0x48,
        0x35, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2d, 0x2e, 0x2a,
        0x49, 0x4a, 0x4b, 0x53, 0x54, 0x55, 0x56,
        0x2b, 0x14, 0x1a, 0x08, 0x15, 0x17, 0x1c, 0x18, 0x0c, 0x12, 0x13, 0x2f, 0x30, 0x28,
        0x4c, 0x4d, 0x4e, 0x5f, 0x60, 0x61, 0x57,
        0x39, 0x04, 0x16, 0x07, 0x09, 0x0a, 0x0b, 0x0d, 0x0e, 0x0f, 0x33, 0x34, 0x32,
        0x5c, 0x5d, 0x5e,
        0xe1, 0x64, 0x1d, 0x1b, 0x06, 0x19, 0x05, 0x11, 0x10, 0x36, 0x37, 0x38, 0xe5,
        0x52, 0x59, 0x5a, 0x5b, 0x58,
        0xe0, 0xe3, 0xe2, 0x2c, 0xe6, 0xe7, 0x65, 0xe4, 0x50, 0x51, 0x4f, 0x62, 0x63,
    };
    assert_int_equal(sizeof pc105 / sizeof pc105[0], 105);
    uint8_t seen[KEY_MAX + 1] = { 0 };
    for (size_t i = 0; i < 105; i++) {
        uint16_t c = keymap_sdl_to_linux(pc105[i]);
        assert_true(c != 0);
        assert_true(c < 256);   /* all keyboard keys, no buttons */
        if (pc105[i] != 0x32)
            assert_int_equal(seen[c], 0);
        seen[c] = 1;
    }

    assert_int_equal(keymap_sdl_button_to_linux(1), BTN_LEFT);
    assert_int_equal(keymap_sdl_button_to_linux(2), BTN_MIDDLE);
    assert_int_equal(keymap_sdl_button_to_linux(3), BTN_RIGHT);
    assert_int_equal(keymap_sdl_button_to_linux(4), BTN_SIDE);
    assert_int_equal(keymap_sdl_button_to_linux(5), BTN_EXTRA);
    assert_int_equal(keymap_sdl_button_to_linux(0), 0);
    assert_int_equal(keymap_sdl_button_to_linux(6), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_bpp_and_virtio_mapping),
        cmocka_unit_test(test_formats_to_rgb_and_screendump),
        cmocka_unit_test(test_rgb565),
        cmocka_unit_test(test_bad_surfaces),
        cmocka_unit_test(test_dirty_union_and_clipping),
        cmocka_unit_test(test_refresh_rate_limit),
        cmocka_unit_test(test_slow_draws_take_at_most_a_quarter),
        cmocka_unit_test(test_none_backend_paces_too),
        cmocka_unit_test(test_letterbox),
        cmocka_unit_test(test_tablet_coordinates),
        cmocka_unit_test(test_keys_dedup_and_release),
        cmocka_unit_test(test_motion_merge_and_overflow),
        cmocka_unit_test(test_close_sequence_and_title),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_keymap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
