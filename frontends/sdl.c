/* frontends/sdl.c: SDL2 window, renderer and input for the display (see
 * sdl.h and display.h). Everything runs on the machine thread between CPU
 * slices; nothing here waits. */
#include "frontends/sdl.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/keymap.h"

/* keymap.c indexes its table by USB HID usage; these are the SDL values it
 * relies on. */
_Static_assert(SDL_NUM_SCANCODES == KEYMAP_SDL_SCANCODES, "SDL scancode count");
_Static_assert(SDL_SCANCODE_A == 0x04 && SDL_SCANCODE_RETURN == 0x28 &&
               SDL_SCANCODE_NONUSBACKSLASH == 0x64 && SDL_SCANCODE_LCTRL == 0xe0 &&
               SDL_SCANCODE_RGUI == 0xe7 && SDL_SCANCODE_AUDIONEXT == 258 &&
               SDL_SCANCODE_AUDIOFASTFORWARD == 286, "SDL scancodes are HID usages");

#define SDL_PUMP_INTERVAL_MS 2u
#define SDL_EVENTS_PER_PUMP 64

struct sdl_display {
    struct display *d;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    Uint32 win_id;
    unsigned surf_w, surf_h;   /* size of the last surface, to resize the window only on a mode change */
    Uint32 last_pump;
    bool tex_error_logged;
};

static Uint32 sdl_format(enum display_format f)
{
    /* SDL's packed formats are named from the most significant bit of a
     * native (little-endian) word, the display's by memory order. Alpha
     * formats map to their X twins: a scanout is opaque. */
    switch (f) {
    case DISPLAY_FORMAT_B8G8R8X8:
    case DISPLAY_FORMAT_B8G8R8A8: return SDL_PIXELFORMAT_RGB888;    /* 0x00RRGGBB */
    case DISPLAY_FORMAT_X8R8G8B8:
    case DISPLAY_FORMAT_A8R8G8B8: return SDL_PIXELFORMAT_BGRX8888;  /* 0xBBGGRR00 */
    case DISPLAY_FORMAT_R8G8B8X8:
    case DISPLAY_FORMAT_R8G8B8A8: return SDL_PIXELFORMAT_BGR888;    /* 0x00BBGGRR */
    case DISPLAY_FORMAT_X8B8G8R8:
    case DISPLAY_FORMAT_A8B8G8R8: return SDL_PIXELFORMAT_RGBX8888;  /* 0xRRGGBB00 */
    case DISPLAY_FORMAT_R5G6B5: return SDL_PIXELFORMAT_RGB565;
    default: return SDL_PIXELFORMAT_UNKNOWN;
    }
}

static void sdl_close(void *opaque)
{
    struct sdl_display *s = opaque;
    if (!s)
        return;
    if (s->tex)
        SDL_DestroyTexture(s->tex);
    if (s->ren)
        SDL_DestroyRenderer(s->ren);
    if (s->win)
        SDL_DestroyWindow(s->win);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    if (SDL_WasInit(SDL_INIT_EVERYTHING) == 0)
        SDL_Quit();
    free(s);
}

static void *sdl_open(struct display *d, char *err, size_t errlen)
{
    /* The terminal code owns SIGINT/SIGTERM; a window close is ours to
     * count (two closes quit), not SDL's. */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
#ifdef SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE
    SDL_SetHint(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, "0");
#endif
    /* A grab takes the keyboard too, so Alt-Tab and friends reach the guest. */
    SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "1");

    /* Without a window system SDL would fall back to its offscreen or
     * dummy driver: an invisible "window" the user cannot see, so report
     * it as a failure and let the caller fall back to -display none. An
     * explicit SDL_VIDEODRIVER (kmsdrm on a console, offscreen in tests)
     * is taken as asked. */
    const char *asked = getenv("SDL_VIDEODRIVER");
    bool explicit_driver = asked && *asked;
#ifndef __APPLE__
    const char *x11 = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    if (!explicit_driver && !(x11 && *x11) && !(wl && *wl)) {
        snprintf(err, errlen, "cannot open an SDL window: no window system ($DISPLAY and $WAYLAND_DISPLAY are unset)");
        return NULL;
    }
#endif
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        snprintf(err, errlen, "cannot open an SDL window: %s", SDL_GetError());
        return NULL;
    }
    const char *driver = SDL_GetCurrentVideoDriver();
    if (!explicit_driver && driver && (strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0)) {
        snprintf(err, errlen, "cannot open an SDL window: no window system (SDL found only its '%s' driver)", driver);
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return NULL;
    }
    struct sdl_display *s = calloc(1, sizeof *s);
    if (!s) {
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->d = d;
    s->win = SDL_CreateWindow("rivet", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                              640, 480, SDL_WINDOW_RESIZABLE | SDL_WINDOW_SHOWN);
    if (!s->win) {
        snprintf(err, errlen, "cannot create an SDL window: %s", SDL_GetError());
        sdl_close(s);
        return NULL;
    }
    s->win_id = SDL_GetWindowID(s->win);
    /* No PRESENTVSYNC: presenting must never wait for the monitor. */
    s->ren = SDL_CreateRenderer(s->win, -1, 0);
    if (!s->ren)
        s->ren = SDL_CreateRenderer(s->win, -1, SDL_RENDERER_SOFTWARE);
    if (!s->ren) {
        snprintf(err, errlen, "cannot create an SDL renderer: %s", SDL_GetError());
        sdl_close(s);
        return NULL;
    }
    SDL_SetRenderDrawColor(s->ren, 0, 0, 0, 255);
    /* Keys are keys: no IME composing or text events. */
    SDL_StopTextInput();
    display_invalidate(d);
    return s;
}

/* Recreates the texture for the surface; resizes the window when the mode
 * changed, within the screen's usable area. */
static void sdl_surface_changed(void *opaque, const struct display_surface *surf)
{
    struct sdl_display *s = opaque;
    if (s->tex) {
        SDL_DestroyTexture(s->tex);
        s->tex = NULL;
    }
    if (!surf)
        return;
    s->tex = SDL_CreateTexture(s->ren, sdl_format(surf->format), SDL_TEXTUREACCESS_STREAMING,
                               (int)surf->width, (int)surf->height);
    if (!s->tex) {
        if (!s->tex_error_logged)
            fprintf(stderr, "rivet: sdl: cannot create a %ux%u texture: %s\n",
                    surf->width, surf->height, SDL_GetError());
        s->tex_error_logged = true;
        return;
    }
    SDL_SetTextureBlendMode(s->tex, SDL_BLENDMODE_NONE);
    if (surf->width == s->surf_w && surf->height == s->surf_h)
        return;
    s->surf_w = surf->width;
    s->surf_h = surf->height;
    if (SDL_GetWindowFlags(s->win) & (SDL_WINDOW_MAXIMIZED | SDL_WINDOW_FULLSCREEN | SDL_WINDOW_FULLSCREEN_DESKTOP))
        return;
    unsigned w = surf->width, h = surf->height;
    SDL_Rect usable;
    int idx = SDL_GetWindowDisplayIndex(s->win);
    if (idx >= 0 && SDL_GetDisplayUsableBounds(idx, &usable) == 0 && usable.w > 0 && usable.h > 0 &&
        (w > (unsigned)usable.w || h > (unsigned)usable.h)) {
        struct display_rect fit = display_letterbox((unsigned)usable.w, (unsigned)usable.h, w, h);
        w = fit.w;
        h = fit.h;
    }
    /* Keep the window's centre where it was (it opened centred at its
     * first size), inside the usable area: growing from the top-left
     * corner would push a large mode off the screen. */
    int x, y, ow, oh;
    SDL_GetWindowPosition(s->win, &x, &y);
    SDL_GetWindowSize(s->win, &ow, &oh);
    SDL_SetWindowSize(s->win, (int)w, (int)h);
    if (idx >= 0 && SDL_GetDisplayUsableBounds(idx, &usable) == 0) {
        x += (ow - (int)w) / 2;
        y += (oh - (int)h) / 2;
        if (x + (int)w > usable.x + usable.w)
            x = usable.x + usable.w - (int)w;
        if (y + (int)h > usable.y + usable.h)
            y = usable.y + usable.h - (int)h;
        if (x < usable.x)
            x = usable.x;
        if (y < usable.y)
            y = usable.y;
        SDL_SetWindowPosition(s->win, x, y);
    }
}

static void sdl_render(void *opaque, const struct display_surface *surf, const struct display_rect *dirty)
{
    struct sdl_display *s = opaque;
    if (surf && s->tex && dirty) {
        unsigned bpp = display_format_bpp(surf->format);
        SDL_Rect r = { dirty->x, dirty->y, (int)dirty->w, (int)dirty->h };
        const uint8_t *p = surf->pixels + (size_t)dirty->y * surf->stride + (size_t)dirty->x * bpp;
        if (SDL_UpdateTexture(s->tex, &r, p, (int)surf->stride) != 0 && !s->tex_error_logged) {
            fprintf(stderr, "rivet: sdl: texture update failed: %s\n", SDL_GetError());
            s->tex_error_logged = true;
        }
    }
    /* A minimized window shows nothing: keep the texture current (for the
     * redraw on restore) but skip the costly present. */
    if (SDL_GetWindowFlags(s->win) & (SDL_WINDOW_MINIMIZED | SDL_WINDOW_HIDDEN))
        return;
    SDL_RenderClear(s->ren);
    if (surf && s->tex) {
        int ow = 0, oh = 0;
        SDL_GetRendererOutputSize(s->ren, &ow, &oh);
        if (ow > 0 && oh > 0) {
            struct display_rect lb = display_letterbox((unsigned)ow, (unsigned)oh, surf->width, surf->height);
            SDL_Rect dst = { lb.x, lb.y, (int)lb.w, (int)lb.h };
            SDL_RenderCopy(s->ren, s->tex, NULL, &dst);
        }
    }
    SDL_RenderPresent(s->ren);
}

static bool sdl_set_grab(void *opaque, bool grab)
{
    struct sdl_display *s = opaque;
    SDL_SetWindowGrab(s->win, grab ? SDL_TRUE : SDL_FALSE);
    if (SDL_SetRelativeMouseMode(grab ? SDL_TRUE : SDL_FALSE) != 0 && grab) {
        fprintf(stderr, "rivet: sdl: cannot grab the pointer: %s\n", SDL_GetError());
        SDL_SetWindowGrab(s->win, SDL_FALSE);
        return false;
    }
    return grab;
}

static void sdl_set_title(void *opaque, const char *title)
{
    struct sdl_display *s = opaque;
    SDL_SetWindowTitle(s->win, title);
}

/* Window coordinates to the tablet range, through the same letterbox the
 * renderer uses (in window units, which equal output pixels up to a
 * uniform HiDPI factor). */
static bool pointer_abs(struct sdl_display *s, int x, int y, struct display_event *ev)
{
    const struct display_surface *surf = display_surface(s->d);
    int ww = 0, wh = 0;
    SDL_GetWindowSize(s->win, &ww, &wh);
    if (!surf || ww <= 0 || wh <= 0)
        return false;
    struct display_rect lb = display_letterbox((unsigned)ww, (unsigned)wh, surf->width, surf->height);
    ev->type = DISPLAY_EV_POINTER_ABS;
    return display_window_to_tablet(&lb, x, y, &ev->abs.x, &ev->abs.y);
}

static void handle_key(struct sdl_display *s, const SDL_KeyboardEvent *k)
{
    if (k->repeat)
        return;
    bool down = k->type == SDL_KEYDOWN;
    if (down && k->keysym.scancode == SDL_SCANCODE_G &&
        (k->keysym.mod & KMOD_CTRL) && (k->keysym.mod & KMOD_ALT)) {
        display_set_grab(s->d, !display_grabbed(s->d));
        return;
    }
    uint16_t code = keymap_sdl_to_linux((unsigned)k->keysym.scancode);
    if (code) {
        struct display_event ev = { .type = DISPLAY_EV_KEY, .key = { code, down } };
        display_push_event(s->d, &ev);
    }
}

static void handle_event(struct sdl_display *s, const SDL_Event *e)
{
    struct display *d = s->d;
    struct display_event ev;
    switch (e->type) {
    case SDL_WINDOWEVENT:
        if (e->window.windowID != s->win_id)
            break;
        switch (e->window.event) {
        case SDL_WINDOWEVENT_CLOSE:
            display_request_close(d);
            break;
        case SDL_WINDOWEVENT_FOCUS_LOST:
            display_release_keys(d);
            break;
        case SDL_WINDOWEVENT_SHOWN:
        case SDL_WINDOWEVENT_EXPOSED:
        case SDL_WINDOWEVENT_SIZE_CHANGED:
        case SDL_WINDOWEVENT_RESTORED:
            display_invalidate(d);
            break;
        default:
            break;
        }
        break;
#if SDL_VERSION_ATLEAST(2, 0, 22)
    case SDL_QUIT:
        /* With QUIT_ON_LAST_WINDOW_CLOSE off this is a quit from the
         * desktop (log out, Cmd-Q): the same as a close. Older SDL sends it
         * after every window close as well, so there it is ignored. */
        display_request_close(d);
        break;
#endif
    case SDL_KEYDOWN:
    case SDL_KEYUP:
        if (e->key.windowID == s->win_id || e->key.windowID == 0)
            handle_key(s, &e->key);
        break;
    case SDL_MOUSEMOTION:
        if (e->motion.windowID != s->win_id)
            break;
        if (display_grabbed(d)) {
            ev = (struct display_event){ .type = DISPLAY_EV_MOUSE_MOTION,
                                         .rel = { e->motion.xrel, e->motion.yrel } };
            display_push_event(d, &ev);
        } else if (pointer_abs(s, e->motion.x, e->motion.y, &ev)) {
            display_push_event(d, &ev);
        }
        break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: {
        if (e->button.windowID != s->win_id)
            break;
        uint16_t code = keymap_sdl_button_to_linux(e->button.button);
        if (!code)
            break;
        /* A click lands where the pointer is, even if no motion came first. */
        if (!display_grabbed(d) && pointer_abs(s, e->button.x, e->button.y, &ev))
            display_push_event(d, &ev);
        ev = (struct display_event){ .type = DISPLAY_EV_BUTTON,
                                     .key = { code, e->type == SDL_MOUSEBUTTONDOWN } };
        display_push_event(d, &ev);
        break;
    }
    case SDL_MOUSEWHEEL: {
        if (e->wheel.windowID != s->win_id)
            break;
        int dx = e->wheel.x, dy = e->wheel.y;
        if (e->wheel.direction == SDL_MOUSEWHEEL_FLIPPED) {
            dx = -dx;
            dy = -dy;
        }
        if (dx || dy) {
            ev = (struct display_event){ .type = DISPLAY_EV_WHEEL, .rel = { dx, dy } };
            display_push_event(d, &ev);
        }
        break;
    }
    case SDL_RENDER_TARGETS_RESET:
    case SDL_RENDER_DEVICE_RESET: {
        /* Texture contents are gone: rebuild and upload everything. */
        const struct display_surface *surf = display_surface(d);
        sdl_surface_changed(s, surf);
        if (surf)
            display_update(d, 0, 0, (int)surf->width, (int)surf->height);
        display_invalidate(d);
        break;
    }
    default:
        break;
    }
}

static void sdl_pump(void *opaque)
{
    struct sdl_display *s = opaque;
    /* Pumping talks to the X server; peeking only reads SDL's queue (which
     * also holds events pushed by tests). */
    Uint32 now = SDL_GetTicks();
    if (now - s->last_pump >= SDL_PUMP_INTERVAL_MS) {
        SDL_PumpEvents();
        s->last_pump = now;
    }
    SDL_Event evs[SDL_EVENTS_PER_PUMP];
    int n = SDL_PeepEvents(evs, SDL_EVENTS_PER_PUMP, SDL_GETEVENT, SDL_FIRSTEVENT, SDL_LASTEVENT);
    for (int i = 0; i < n; i++)
        handle_event(s, &evs[i]);
}

const struct display_backend_ops sdl_display_ops = {
    .name = "sdl",
    .open = sdl_open,
    .close = sdl_close,
    .surface_changed = sdl_surface_changed,
    .render = sdl_render,
    .pump = sdl_pump,
    .set_grab = sdl_set_grab,
    .set_title = sdl_set_title,
};

struct SDL_Window *sdl_display_window(const struct display *d)
{
    if (display_backend_ops(d) != &sdl_display_ops)
        return NULL;
    const struct sdl_display *s = display_backend_state(d);
    return s->win;
}
