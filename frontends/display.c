/* frontends/display.c: surface, dirty tracking, refresh pacing, input queue
 * and screendumps, shared by every display backend (see display.h). */
#include "frontends/display.h"
#include "bus/util.h"

#include <limits.h>
#include <linux/input-event-codes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontends/png.h"
#ifdef HAVE_SDL
#include "frontends/sdl.h"
#endif

#define DISPLAY_QUEUE_LEN 256u

struct display {
    const struct display_backend_ops *ops;
    void *be;

    struct display_surface surface;
    bool have_surface;

    /* Pending damage in surface coordinates, [x0, x1) x [y0, y1). */
    bool dirty;
    unsigned dx0, dy0, dx1, dy1;
    bool redraw;              /* expose/resize/surface removal: draw even if not dirty */
    bool drawn_once;
    uint64_t last_draw_ns;
    uint64_t interval_ns;     /* pacing after the last draw */
    uint64_t (*clock)(void *);
    void *clock_opaque;

    bool grabbed;
    unsigned closes;
    char state[32];
    char title[128];          /* last title given to the backend */

    struct display_event queue[DISPLAY_QUEUE_LEN];
    unsigned q_head, q_len;
    uint8_t down[(KEY_MAX + 1) / 8];   /* keys and buttons the guest sees held */
};

/* ---- formats ---- */

unsigned display_format_bpp(enum display_format f)
{
    switch (f) {
    case DISPLAY_FORMAT_B8G8R8X8:
    case DISPLAY_FORMAT_B8G8R8A8:
    case DISPLAY_FORMAT_X8R8G8B8:
    case DISPLAY_FORMAT_A8R8G8B8:
    case DISPLAY_FORMAT_R8G8B8X8:
    case DISPLAY_FORMAT_R8G8B8A8:
    case DISPLAY_FORMAT_X8B8G8R8:
    case DISPLAY_FORMAT_A8B8G8R8:
        return 4;
    case DISPLAY_FORMAT_R5G6B5:
        return 2;
    case DISPLAY_FORMAT_NONE:
        break;
    }
    return 0;
}

enum display_format display_format_from_virtio_gpu(uint32_t v)
{
    switch (v) {
    case 1: return DISPLAY_FORMAT_B8G8R8A8;
    case 2: return DISPLAY_FORMAT_B8G8R8X8;
    case 3: return DISPLAY_FORMAT_A8R8G8B8;
    case 4: return DISPLAY_FORMAT_X8R8G8B8;
    case 67: return DISPLAY_FORMAT_R8G8B8A8;
    case 68: return DISPLAY_FORMAT_X8B8G8R8;
    case 121: return DISPLAY_FORMAT_A8B8G8R8;
    case 134: return DISPLAY_FORMAT_R8G8B8X8;
    default: return DISPLAY_FORMAT_NONE;
    }
}

void display_surface_to_rgb(const struct display_surface *s, uint8_t *rgb)
{
    unsigned ro, go, bo;   /* byte offsets of R, G, B in a 32-bit pixel */
    switch (s->format) {
    case DISPLAY_FORMAT_B8G8R8X8:
    case DISPLAY_FORMAT_B8G8R8A8: ro = 2; go = 1; bo = 0; break;
    case DISPLAY_FORMAT_X8R8G8B8:
    case DISPLAY_FORMAT_A8R8G8B8: ro = 1; go = 2; bo = 3; break;
    case DISPLAY_FORMAT_R8G8B8X8:
    case DISPLAY_FORMAT_R8G8B8A8: ro = 0; go = 1; bo = 2; break;
    case DISPLAY_FORMAT_X8B8G8R8:
    case DISPLAY_FORMAT_A8B8G8R8: ro = 3; go = 2; bo = 1; break;
    case DISPLAY_FORMAT_R5G6B5:
        for (unsigned y = 0; y < s->height; y++) {
            const uint8_t *p = s->pixels + (size_t)y * s->stride;
            for (unsigned x = 0; x < s->width; x++, p += 2, rgb += 3) {
                unsigned v = p[0] | (unsigned)p[1] << 8;
                unsigned r = v >> 11, g = (v >> 5) & 63, b = v & 31;
                /* Replicate the high bits so that full scale is 255. */
                rgb[0] = (uint8_t)(r << 3 | r >> 2);
                rgb[1] = (uint8_t)(g << 2 | g >> 4);
                rgb[2] = (uint8_t)(b << 3 | b >> 2);
            }
        }
        return;
    default:
        memset(rgb, 0, (size_t)s->width * s->height * 3);
        return;
    }
    for (unsigned y = 0; y < s->height; y++) {
        const uint8_t *p = s->pixels + (size_t)y * s->stride;
        for (unsigned x = 0; x < s->width; x++, p += 4, rgb += 3) {
            rgb[0] = p[ro];
            rgb[1] = p[go];
            rgb[2] = p[bo];
        }
    }
}

/* ---- title ---- */

char *display_title(const struct display *d, char *buf, size_t len)
{
    snprintf(buf, len, "rivet - %s%s%s", d->state,
             d->grabbed ? " (grabbed: Ctrl-Alt-G releases)" : "",
             d->closes ? " (close again to quit)" : "");
    return buf;
}

static void update_title(struct display *d)
{
    char t[sizeof d->title];
    display_title(d, t, sizeof t);
    if (strcmp(t, d->title) == 0)
        return;
    memcpy(d->title, t, sizeof t);
    if (d->ops->set_title)
        d->ops->set_title(d->be, d->title);
}

void display_set_state(struct display *d, const char *state)
{
    snprintf(d->state, sizeof d->state, "%s", state ? state : "");
    update_title(d);
}

void display_set_grab(struct display *d, bool grab)
{
    if (d->ops->set_grab)
        grab = d->ops->set_grab(d->be, grab);
    d->grabbed = grab;
    update_title(d);
}

bool display_grabbed(const struct display *d)
{
    return d->grabbed;
}

/* ---- open/close ---- */

static const struct display_backend_ops none_ops = { .name = "none" };

static uint64_t monotonic_ns(void *opaque)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void display_set_clock(struct display *d, uint64_t (*clock)(void *opaque), void *opaque)
{
    d->clock = clock ? clock : monotonic_ns;
    d->clock_opaque = opaque;
}

struct display *display_open_ops(const struct display_backend_ops *ops, char *err, size_t errlen)
{
    struct display *d = calloc(1, sizeof *d);
    if (!d) {
        errf(err, errlen, "out of memory");
        return NULL;
    }
    d->ops = ops;
    d->clock = monotonic_ns;
    d->interval_ns = DISPLAY_REFRESH_NS;
    snprintf(d->state, sizeof d->state, "running");
    if (ops->open) {
        d->be = ops->open(d, err, errlen);
        if (!d->be) {
            free(d);
            return NULL;
        }
    }
    update_title(d);
    return d;
}

struct display *display_open(const char *backend, char *err, size_t errlen)
{
    if (strcmp(backend, "none") == 0)
        return display_open_ops(&none_ops, err, errlen);
    if (strcmp(backend, "sdl") == 0) {
#ifdef HAVE_SDL
        return display_open_ops(&sdl_display_ops, err, errlen);
#else
        errf(err, errlen, "this rivet was built without SDL2 (install libsdl2-dev and re-run ./configure)");
        return NULL;
#endif
    }
    errf(err, errlen, "unknown display '%s' (choose none or sdl)", backend);
    return NULL;
}

void display_close(struct display *d)
{
    if (!d)
        return;
    if (d->ops->close)
        d->ops->close(d->be);
    free(d);
}

const char *display_backend_name(const struct display *d)
{
    return d->ops->name;
}

const struct display_backend_ops *display_backend_ops(const struct display *d)
{
    return d->ops;
}

void *display_backend_state(const struct display *d)
{
    return d->be;
}

/* ---- surface and damage ---- */

static void mark_all_dirty(struct display *d)
{
    d->dirty = true;
    d->dx0 = d->dy0 = 0;
    d->dx1 = d->surface.width;
    d->dy1 = d->surface.height;
}

int display_set_surface(struct display *d, const struct display_surface *s)
{
    int rc = 0;
    if (s) {
        unsigned bpp = display_format_bpp(s->format);
        if (bpp == 0 || !s->pixels || s->width == 0 || s->height == 0 ||
            s->width > DISPLAY_MAX_DIM || s->height > DISPLAY_MAX_DIM ||
            s->stride < (size_t)s->width * bpp || s->stride > INT_MAX) {
            s = NULL;
            rc = -1;
        }
    }
    d->dirty = false;
    d->redraw = true;
    if (s) {
        d->surface = *s;
        d->have_surface = true;
        mark_all_dirty(d);
    } else {
        memset(&d->surface, 0, sizeof d->surface);
        d->have_surface = false;
    }
    if (d->ops->surface_changed)
        d->ops->surface_changed(d->be, d->have_surface ? &d->surface : NULL);
    return rc;
}

const struct display_surface *display_surface(const struct display *d)
{
    return d->have_surface ? &d->surface : NULL;
}

void display_update(struct display *d, int x, int y, int w, int h)
{
    if (!d->have_surface || w <= 0 || h <= 0)
        return;
    long long x0 = x, y0 = y, x1 = (long long)x + w, y1 = (long long)y + h;
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > d->surface.width) x1 = d->surface.width;
    if (y1 > d->surface.height) y1 = d->surface.height;
    if (x0 >= x1 || y0 >= y1)
        return;
    if (!d->dirty) {
        d->dirty = true;
        d->dx0 = (unsigned)x0; d->dy0 = (unsigned)y0;
        d->dx1 = (unsigned)x1; d->dy1 = (unsigned)y1;
        return;
    }
    if ((unsigned)x0 < d->dx0) d->dx0 = (unsigned)x0;
    if ((unsigned)y0 < d->dy0) d->dy0 = (unsigned)y0;
    if ((unsigned)x1 > d->dx1) d->dx1 = (unsigned)x1;
    if ((unsigned)y1 > d->dy1) d->dy1 = (unsigned)y1;
}

bool display_dirty_rect(const struct display *d, struct display_rect *r)
{
    if (!d->dirty)
        return false;
    r->x = (int)d->dx0;
    r->y = (int)d->dy0;
    r->w = d->dx1 - d->dx0;
    r->h = d->dy1 - d->dy0;
    return true;
}

void display_invalidate(struct display *d)
{
    d->redraw = true;
}

uint64_t display_next_refresh_ns(const struct display *d)
{
    if (!d->dirty && !d->redraw)
        return 0;
    return d->drawn_once ? d->last_draw_ns + d->interval_ns : 1;
}

bool display_refresh(struct display *d, uint64_t now_ns)
{
    if (!d->dirty && !d->redraw)
        return false;
    if (d->drawn_once && now_ns - d->last_draw_ns < d->interval_ns)
        return false;
    if (d->ops->render) {
        struct display_rect r;
        bool dirty = display_dirty_rect(d, &r);
        uint64_t start = d->clock(d->clock_opaque);
        d->ops->render(d->be, d->have_surface ? &d->surface : NULL,
                       d->have_surface && dirty ? &r : NULL);
        uint64_t cost = d->clock(d->clock_opaque) - start;
        uint64_t interval = cost > DISPLAY_MAX_INTERVAL_NS / DISPLAY_DUTY_DIVISOR
                                ? DISPLAY_MAX_INTERVAL_NS : cost * DISPLAY_DUTY_DIVISOR;
        d->interval_ns = interval > DISPLAY_REFRESH_NS ? interval : DISPLAY_REFRESH_NS;
    }
    d->dirty = false;
    d->redraw = false;
    d->drawn_once = true;
    d->last_draw_ns = now_ns;
    return true;
}

int display_screendump(struct display *d, const char *path, char *err, size_t errlen)
{
    if (!d->have_surface) {
        errf(err, errlen, "%s: no display output (the guest has not enabled a scanout)", path);
        return -1;
    }
    const struct display_surface *s = &d->surface;
    uint8_t *rgb = malloc((size_t)s->width * s->height * 3);
    if (!rgb) {
        errf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    display_surface_to_rgb(s, rgb);
    int rc = png_write(path, s->width, s->height, rgb, (size_t)s->width * 3, err, errlen);
    free(rgb);
    return rc;
}

/* ---- input ---- */

static bool key_is_down(const struct display *d, uint16_t code)
{
    return code <= KEY_MAX && (d->down[code / 8] >> (code % 8) & 1);
}

static void key_set(struct display *d, uint16_t code, bool down)
{
    if (code > KEY_MAX)
        return;
    if (down)
        d->down[code / 8] |= (uint8_t)(1u << (code % 8));
    else
        d->down[code / 8] &= (uint8_t)~(1u << (code % 8));
}

static int32_t add_sat(int32_t a, int32_t b)
{
    long long s = (long long)a + b;
    return s > INT32_MAX ? INT32_MAX : s < INT32_MIN ? INT32_MIN : (int32_t)s;
}

void display_push_event(struct display *d, const struct display_event *ev)
{
    switch (ev->type) {
    case DISPLAY_EV_KEY:
    case DISPLAY_EV_BUTTON:
        /* The guest sees each key go down once and up once: host
         * autorepeat and ups of keys it never saw down (the G of
         * Ctrl-Alt-G, keys held when the window got focus) are dropped. */
        if (ev->key.code == 0 || ev->key.code > KEY_MAX || key_is_down(d, ev->key.code) == ev->key.down)
            return;
        break;
    case DISPLAY_EV_MOUSE_MOTION:
    case DISPLAY_EV_POINTER_ABS:
        if (d->q_len) {
            struct display_event *last = &d->queue[(d->q_head + d->q_len - 1) % DISPLAY_QUEUE_LEN];
            if (last->type == ev->type) {
                if (ev->type == DISPLAY_EV_POINTER_ABS) {
                    last->abs = ev->abs;
                } else {
                    last->rel.dx = add_sat(last->rel.dx, ev->rel.dx);
                    last->rel.dy = add_sat(last->rel.dy, ev->rel.dy);
                }
                return;
            }
        }
        break;
    case DISPLAY_EV_NONE:
        return;
    default:
        break;
    }
    if (d->q_len == DISPLAY_QUEUE_LEN)
        return;
    if (ev->type == DISPLAY_EV_KEY || ev->type == DISPLAY_EV_BUTTON)
        key_set(d, ev->key.code, ev->key.down);
    d->queue[(d->q_head + d->q_len) % DISPLAY_QUEUE_LEN] = *ev;
    d->q_len++;
}

void display_release_keys(struct display *d)
{
    for (unsigned code = 1; code <= KEY_MAX; code++) {
        if (!key_is_down(d, (uint16_t)code))
            continue;
        bool button = code >= BTN_MISC && code < KEY_OK;
        struct display_event ev = {
            .type = button ? DISPLAY_EV_BUTTON : DISPLAY_EV_KEY,
            .key = { .code = (uint16_t)code, .down = false },
        };
        display_push_event(d, &ev);
    }
}

void display_request_close(struct display *d)
{
    struct display_event ev = {
        .type = d->closes ? DISPLAY_EV_QUIT : DISPLAY_EV_QUIT_REQUEST,
    };
    if (d->closes < 2)
        d->closes++;
    display_push_event(d, &ev);
    update_title(d);
}

bool display_poll_events(struct display *d, struct display_event *ev)
{
    if (d->q_len == 0 && d->ops->pump)
        d->ops->pump(d->be);
    if (d->q_len == 0)
        return false;
    *ev = d->queue[d->q_head];
    d->q_head = (d->q_head + 1) % DISPLAY_QUEUE_LEN;
    d->q_len--;
    return true;
}

void display_inject_key(struct display *d, uint16_t linux_code, bool down)
{
    struct display_event ev = {
        .type = linux_code >= BTN_MISC && linux_code < KEY_OK ? DISPLAY_EV_BUTTON : DISPLAY_EV_KEY,
        .key = { .code = linux_code, .down = down },
    };
    display_push_event(d, &ev);
}

void display_inject_event(struct display *d, const struct display_event *ev)
{
    display_push_event(d, ev);
}

/* ---- pointer geometry ---- */

struct display_rect display_letterbox(unsigned win_w, unsigned win_h,
                                      unsigned surf_w, unsigned surf_h)
{
    struct display_rect r = { 0, 0, 0, 0 };
    if (!win_w || !win_h || !surf_w || !surf_h)
        return r;
    uint64_t w, h;
    if ((uint64_t)win_w * surf_h <= (uint64_t)win_h * surf_w) {
        /* Window narrower than the image: full width, bars above and below. */
        w = win_w;
        h = ((uint64_t)win_w * surf_h + surf_w / 2) / surf_w;
    } else {
        h = win_h;
        w = ((uint64_t)win_h * surf_w + surf_h / 2) / surf_h;
    }
    if (w > win_w) w = win_w;
    if (h > win_h) h = win_h;
    if (w == 0) w = 1;
    if (h == 0) h = 1;
    r.w = (unsigned)w;
    r.h = (unsigned)h;
    r.x = (int)((win_w - r.w) / 2);
    r.y = (int)((win_h - r.h) / 2);
    return r;
}

static uint32_t scale_axis(int pos, int origin, unsigned len)
{
    long long p = (long long)pos - origin;
    if (p < 0)
        p = 0;
    if (p > (long long)len - 1)
        p = (long long)len - 1;
    if (len < 2)
        return 0;
    /* First pixel 0, last pixel DISPLAY_TABLET_MAX, rounded in between. */
    return (uint32_t)((p * DISPLAY_TABLET_MAX + (len - 1) / 2) / (len - 1));
}

bool display_window_to_tablet(const struct display_rect *dest, int wx, int wy,
                              uint32_t *ax, uint32_t *ay)
{
    if (dest->w == 0 || dest->h == 0)
        return false;
    *ax = scale_axis(wx, dest->x, dest->w);
    *ay = scale_axis(wy, dest->y, dest->h);
    return true;
}
