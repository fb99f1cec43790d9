/* frontends/display.h: the host side of a guest display, whatever shows it.
 *
 * A display device (virtio-gpu later) owns a framebuffer in host memory and
 * describes it as a surface; the board glue passes it on:
 *
 *   display_set_surface(d, &surface)   mode set / scanout (re)configured
 *   display_update(d, x, y, w, h)      the guest flushed a rectangle
 *   display_set_surface(d, NULL)       scanout disabled
 *
 * The run loop, between CPU slices and never inside one, calls
 *
 *   while (display_poll_events(d, &ev)) ...route ev to virtio-input...
 *   display_refresh(d, host_now_ns);
 *
 * display_refresh draws only when something changed (a flush, a new
 * surface, a window expose or resize), at most DISPLAY_REFRESH_HZ times a
 * second, and never more than a quarter of the thread's time: a draw that
 * took T is followed by at least 4T without drawing (capped at
 * DISPLAY_MAX_INTERVAL_NS). Drawing is mostly the window system's present
 * (4-7 ms for 1024x768 under Xvfb), so a guest flushing its whole screen
 * without pause gets a slower picture, not a slower CPU. An idle display
 * costs the CPU thread a clock compare and an event peek (< 0.1 us). Times are host monotonic nanoseconds, never virtual time:
 * what the window shows has no effect on the guest, so determinism is kept.
 * Events are host input and must enter the machine through the board's one
 * input function (record/replay). When the run loop sleeps (all harts in
 * WFI), it should wake at display_next_refresh_ns() and, while a window is
 * open, at least every 10 ms to poll events.
 *
 * Backends: "none" (headless: no window; screendump, injected input and
 * everything else still work) and "sdl" (frontends/sdl.c, only when built
 * with SDL2). display_open("sdl") returns NULL with a message when SDL
 * cannot open a window (no $DISPLAY), so the caller can fall back to "none".
 *
 * Pointer: while the pointer is not grabbed, motion over the window is
 * reported as an absolute position on the guest image, 0..32767 on each
 * axis (a tablet), with the letterbox bars removed; while grabbed (Ctrl-Alt-G
 * in the SDL window, or display_set_grab) it is reported as relative motion
 * (a mouse). The board routes DISPLAY_EV_POINTER_ABS to a virtio tablet and
 * DISPLAY_EV_MOUSE_MOTION to a virtio mouse; a board without a tablet may
 * call display_set_grab(d, true) when it sees a button press while
 * ungrabbed, as QEMU does.
 *
 * Window close: the first close gives DISPLAY_EV_QUIT_REQUEST (the board
 * asks the guest to power off; the title then says "close again to quit"),
 * the second DISPLAY_EV_QUIT (stop now).
 *
 * Screendump of an absent surface (the guest never enabled a scanout, or
 * disabled it) is an error, not a black picture: a black PNG would look
 * like a guest that drew black and hide the real problem.
 */
#ifndef RIVET_DISPLAY_H
#define RIVET_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISPLAY_REFRESH_HZ 60u
#define DISPLAY_REFRESH_NS (1000000000ull / DISPLAY_REFRESH_HZ)
#define DISPLAY_DUTY_DIVISOR 4u                   /* drawing takes at most 1/4 of the time */
#define DISPLAY_MAX_INTERVAL_NS 250000000ull      /* ... but at least 4 frames a second */
#define DISPLAY_TABLET_MAX 32767u   /* absolute axis range 0..32767 */
#define DISPLAY_MAX_DIM 16384u      /* larger surfaces are refused */

/* Pixel formats, named by byte order in memory (as virtio-gpu names them),
 * with the DRM fourcc name (little-endian 32-bit word) in the comment.
 * Alpha is ignored everywhere: a scanout is opaque. */
enum display_format {
    DISPLAY_FORMAT_NONE = 0,
    DISPLAY_FORMAT_B8G8R8X8,   /* DRM XRGB8888: Linux virtio-gpu's default */
    DISPLAY_FORMAT_B8G8R8A8,   /* DRM ARGB8888 */
    DISPLAY_FORMAT_X8R8G8B8,   /* DRM BGRX8888 */
    DISPLAY_FORMAT_A8R8G8B8,   /* DRM BGRA8888 */
    DISPLAY_FORMAT_R8G8B8X8,   /* DRM XBGR8888 */
    DISPLAY_FORMAT_R8G8B8A8,   /* DRM ABGR8888 */
    DISPLAY_FORMAT_X8B8G8R8,   /* DRM RGBX8888 */
    DISPLAY_FORMAT_A8B8G8R8,   /* DRM RGBA8888 */
    DISPLAY_FORMAT_R5G6B5,     /* DRM RGB565: 16-bit little-endian word rrrrrggg gggbbbbb */
    DISPLAY_FORMAT_XRGB8888 = DISPLAY_FORMAT_B8G8R8X8,
};

/* Bytes per pixel of a format; 0 for DISPLAY_FORMAT_NONE or unknown. */
unsigned display_format_bpp(enum display_format);

/* The display format for a VIRTIO_GPU_FORMAT_* value (virtio spec 5.7.6.8:
 * 1 B8G8R8A8, 2 B8G8R8X8, 3 A8R8G8B8, 4 X8R8G8B8, 67 R8G8B8A8, 68 X8B8G8R8,
 * 121 A8B8G8R8, 134 R8G8B8X8); DISPLAY_FORMAT_NONE for anything else. */
enum display_format display_format_from_virtio_gpu(uint32_t virtio_format);

/* A framebuffer in host memory, owned by the device. pixels must stay valid
 * and at least stride * (height - 1) + width * bpp bytes long until the next
 * display_set_surface; the display reads it during display_refresh and
 * display_screendump, never elsewhere. */
struct display_surface {
    unsigned width, height;
    size_t stride;               /* bytes from one row to the next */
    enum display_format format;
    const uint8_t *pixels;
};

struct display_rect {
    int x, y;
    unsigned w, h;
};

enum display_event_type {
    DISPLAY_EV_NONE = 0,
    DISPLAY_EV_KEY,           /* key: Linux KEY_* code, down or up (no autorepeat: the guest repeats) */
    DISPLAY_EV_BUTTON,        /* key: BTN_LEFT/RIGHT/MIDDLE/SIDE/EXTRA, down or up */
    DISPLAY_EV_MOUSE_MOTION,  /* rel: dx, dy in host pixels (pointer grabbed) */
    DISPLAY_EV_POINTER_ABS,   /* abs: x, y in 0..DISPLAY_TABLET_MAX (pointer not grabbed) */
    DISPLAY_EV_WHEEL,         /* rel: dx (REL_HWHEEL, + right), dy (REL_WHEEL, + up) in notches */
    DISPLAY_EV_QUIT_REQUEST,  /* first window close: ask the guest to power off */
    DISPLAY_EV_QUIT,          /* second window close: stop now */
};

struct display_event {
    enum display_event_type type;
    union {
        struct { uint16_t code; bool down; } key;
        struct { int32_t dx, dy; } rel;
        struct { uint32_t x, y; } abs;
    };
};

struct display;

/* Opens a display on the named backend ("none" or "sdl"). NULL and a
 * one-line reason in err when the backend is unknown, not built in, or
 * cannot start. */
struct display *display_open(const char *backend, char *err, size_t errlen);

/* Closes the window (if any) and frees. NULL is a no-op. */
void display_close(struct display *);

/* The backend's name ("none", "sdl"). */
const char *display_backend_name(const struct display *);

/* Sets (or with NULL, removes) the surface and marks all of it dirty.
 * -1 with the surface removed when it is malformed (size 0 or above
 * DISPLAY_MAX_DIM, unknown format, stride too small or above INT_MAX, no
 * pixels): a guest
 * can cause that, and the display then shows black. */
int display_set_surface(struct display *, const struct display_surface *);

/* The current surface, or NULL. */
const struct display_surface *display_surface(const struct display *);

/* Marks a rectangle dirty (a RESOURCE_FLUSH). Clipped to the surface;
 * successive updates merge into their bounding box until the next refresh. */
void display_update(struct display *, int x, int y, int w, int h);

/* Draws if something changed and the pacing interval (DISPLAY_REFRESH_NS,
 * or DISPLAY_DUTY_DIVISOR times the last draw's duration, whichever is
 * longer, at most DISPLAY_MAX_INTERVAL_NS) passed since the last draw (the
 * first draw is immediate). True if it drew. */
bool display_refresh(struct display *, uint64_t now_ns);

/* The clock display_refresh times its drawing with (host monotonic
 * nanoseconds by default); tests substitute a fake one. */
void display_set_clock(struct display *, uint64_t (*clock)(void *opaque), void *opaque);

/* When the next display_refresh would draw: 0 if nothing is pending, else
 * the earliest now_ns at which it will. */
uint64_t display_next_refresh_ns(const struct display *);

/* Writes the current surface to a PNG file. -1 and a reason in err when
 * there is no surface or the file cannot be written. */
int display_screendump(struct display *, const char *path, char *err, size_t errlen);

/* Converts a surface to packed RGB (width * 3 bytes a row, no padding)
 * into rgb, which holds width * height * 3 bytes. */
void display_surface_to_rgb(const struct display_surface *, uint8_t *rgb);

/* Next input event, without blocking. False when there is none. */
bool display_poll_events(struct display *, struct display_event *ev);

/* Pointer grab: the SDL window captures the pointer (relative mode) and
 * the keyboard; the title says so. No-op for "none" apart from the state. */
void display_set_grab(struct display *, bool grab);
bool display_grabbed(const struct display *);

/* The machine state shown in the title: "running", "paused", ... (copied;
 * at most 31 characters kept). */
void display_set_state(struct display *, const char *state);

/* The window title for the current state, e.g. "rivet - running",
 * "rivet - running (grabbed: Ctrl-Alt-G releases)",
 * "rivet - paused (close again to quit)". Returns buf. */
char *display_title(const struct display *, char *buf, size_t len);

/* Test hooks: queue input as if it came from the host window (works on
 * every backend, "none" included), so a test can prove that a key press
 * reaches the guest. */
void display_inject_key(struct display *, uint16_t linux_code, bool down);
void display_inject_event(struct display *, const struct display_event *);

/* Letterboxing: the largest rectangle with the surface's aspect ratio that
 * fits a win_w x win_h window, centred. An empty window or surface gives a
 * zero rectangle. */
struct display_rect display_letterbox(unsigned win_w, unsigned win_h,
                                      unsigned surf_w, unsigned surf_h);

/* Maps a window position to tablet coordinates (0..DISPLAY_TABLET_MAX) on
 * the image inside dest; positions on the bars clamp to the nearest edge.
 * False (and nothing written) when dest is empty. */
bool display_window_to_tablet(const struct display_rect *dest, int wx, int wy,
                              uint32_t *ax, uint32_t *ay);

/* ---- For backends (frontends/sdl.c) and tests ----
 *
 * A backend is a table of functions over its own state. display.c calls
 * them from the display_* functions above, all on the one machine thread.
 * open returns the backend state or NULL with err filled. render gets the
 * dirty rectangle in surface coordinates (whole surface after a
 * surface_changed) or NULL when only a redraw of what it has is needed (or
 * there is no surface). pump translates pending host events by calling
 * display_push_event / display_request_close / display_set_grab. */
struct display_backend_ops {
    const char *name;
    void *(*open)(struct display *, char *err, size_t errlen);
    void (*close)(void *be);
    void (*surface_changed)(void *be, const struct display_surface *s);  /* s may be NULL */
    void (*render)(void *be, const struct display_surface *s, const struct display_rect *dirty);
    void (*pump)(void *be);
    bool (*set_grab)(void *be, bool grab);   /* returns the state reached (false: could not grab) */
    void (*set_title)(void *be, const char *title);
};

/* Opens a display on a backend table (tests use a fake one). */
struct display *display_open_ops(const struct display_backend_ops *, char *err, size_t errlen);

/* The backend table and state of an open display. */
const struct display_backend_ops *display_backend_ops(const struct display *);
void *display_backend_state(const struct display *);

/* Queues an event for display_poll_events. Pointer motion is merged with
 * a queued motion of the same kind; keys are tracked so that
 * display_release_keys can lift them. A full queue (256) drops the event. */
void display_push_event(struct display *, const struct display_event *);

/* Sends key-up for every key and button still down (focus lost). */
void display_release_keys(struct display *);

/* A window close: the first queues DISPLAY_EV_QUIT_REQUEST, later ones
 * DISPLAY_EV_QUIT. */
void display_request_close(struct display *);

/* The window needs drawing again (expose, resize) though nothing changed. */
void display_invalidate(struct display *);

/* The pending dirty rectangle in surface coordinates; false if none. */
bool display_dirty_rect(const struct display *, struct display_rect *r);

#endif
