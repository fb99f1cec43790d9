/* tests/guest/display_demo.c: drives the SDL display backend for
 * tests/guest/display_sdl.sh (under Xvfb). Not part of librivet; the script
 * builds it against frontends/{display,sdl,png,keymap}.c.
 *
 * Usage: display_demo DIR
 *   1. opens "sdl", shows a 640x480 B8G8R8X8 test pattern (colour bars on
 *      top, a checkerboard below), moves the window to 0,0, then writes
 *      DIR/ready1 ("x y w h" of the window) and waits for DIR/shot1;
 *   2. widens the window to 960x480 (the image must be letterboxed), writes
 *      DIR/ready2 and waits for DIR/shot2;
 *      then changes 100x100 pixels but flushes only 50x50 of them, writes
 *      DIR/ready3 and waits for DIR/shot3;
 *   3. pushes synthetic SDL events (keys, Ctrl-Alt-G, mouse, wheel, focus
 *      loss, window close) and checks what display_poll_events returns;
 *   4. writes DIR/dump.png with display_screendump.
 * Prints "ok ..." / "not ok ..." per check; exits 0 when all pass.
 */
#include <SDL.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "frontends/display.h"
#include "frontends/sdl.h"

#define W 640
#define H 480

struct demo {
    struct display *d;
    SDL_Window *win;
    const char *dir;
    int failures;
};

static const uint32_t bars[8] = {
    0xffffff, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, 0x808080,
};
static const uint32_t checks[2] = { 0x202020, 0xe0e0e0 };

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void check(struct demo *m, int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "not ok", what);
    fflush(stdout);
    if (!ok)
        m->failures++;
}

/* Runs the display as a run loop would for ms milliseconds; events are
 * drained and discarded (real X events: expose, focus, enter). */
static void run_for(struct demo *m, unsigned ms)
{
    uint64_t end = now_ns() + (uint64_t)ms * 1000000u;
    struct display_event ev;
    while (now_ns() < end) {
        while (display_poll_events(m->d, &ev))
            ;
        display_refresh(m->d, now_ns());
        usleep(5000);
    }
}

static void write_geometry(struct demo *m, const char *name)
{
    int x, y, w, h;
    SDL_GetWindowPosition(m->win, &x, &y);
    SDL_GetWindowSize(m->win, &w, &h);
    char path[512], tmp[520];
    snprintf(path, sizeof path, "%s/%s", m->dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        perror(tmp);
        exit(1);
    }
    fprintf(f, "%d %d %d %d\n", x, y, w, h);
    fclose(f);
    rename(tmp, path);
    printf("# %s: window at %d,%d size %dx%d\n", name, x, y, w, h);
    fflush(stdout);
}

static void wait_for(struct demo *m, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", m->dir, name);
    for (int i = 0; i < 3000 && access(path, F_OK) != 0; i++)
        run_for(m, 10);
    if (access(path, F_OK) != 0) {
        fprintf(stderr, "display_demo: %s never appeared\n", path);
        exit(1);
    }
}

/* Next event that is not pointer motion, or type NONE after a short wait
 * (pushed events are queued at once; the wait covers a slow pump). */
static struct display_event next_event(struct demo *m, bool skip_motion)
{
    struct display_event ev;
    for (int tries = 0; tries < 50; tries++) {
        while (display_poll_events(m->d, &ev)) {
            if (skip_motion && (ev.type == DISPLAY_EV_POINTER_ABS || ev.type == DISPLAY_EV_MOUSE_MOTION))
                continue;
            return ev;
        }
        SDL_Delay(2);
    }
    memset(&ev, 0, sizeof ev);
    return ev;
}

static void drain(struct demo *m)
{
    struct display_event ev;
    SDL_Delay(20);
    while (display_poll_events(m->d, &ev))
        ;
}

static void push_key(struct demo *m, SDL_Scancode sc, bool down, Uint16 mod, bool repeat)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = down ? SDL_KEYDOWN : SDL_KEYUP;
    e.key.windowID = SDL_GetWindowID(m->win);
    e.key.state = down ? SDL_PRESSED : SDL_RELEASED;
    e.key.repeat = repeat;
    e.key.keysym.scancode = sc;
    e.key.keysym.sym = SDL_GetKeyFromScancode(sc);
    e.key.keysym.mod = mod;
    SDL_PushEvent(&e);
}

static void push_window(struct demo *m, Uint8 what)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_WINDOWEVENT;
    e.window.windowID = SDL_GetWindowID(m->win);
    e.window.event = what;
    SDL_PushEvent(&e);
}

static bool is_key(struct display_event ev, enum display_event_type t, uint16_t code, bool down)
{
    return ev.type == t && ev.key.code == code && ev.key.down == down;
}

static void input_tests(struct demo *m)
{
    char msg[160];
    struct display_event ev;
    Uint32 id = SDL_GetWindowID(m->win);
    /* Park the X pointer inside the window first: grabbing then moves
     * nothing, so no real motion races the pushed events. */
    SDL_WarpMouseInWindow(m->win, 300, 200);
    SDL_Delay(100);
    drain(m);

    push_key(m, SDL_SCANCODE_A, true, 0, false);
    push_key(m, SDL_SCANCODE_A, true, 0, true);   /* autorepeat: not passed on */
    push_key(m, SDL_SCANCODE_A, false, 0, false);
    ev = next_event(m, true);
    check(m, is_key(ev, DISPLAY_EV_KEY, KEY_A, true), "SDL_SCANCODE_A down -> KEY_A down");
    ev = next_event(m, true);
    check(m, is_key(ev, DISPLAY_EV_KEY, KEY_A, false), "SDL_SCANCODE_A up -> KEY_A up (repeat dropped)");

    push_key(m, SDL_SCANCODE_KP_ENTER, true, 0, false);
    push_key(m, SDL_SCANCODE_KP_ENTER, false, 0, false);
    ev = next_event(m, true);
    check(m, is_key(ev, DISPLAY_EV_KEY, KEY_KPENTER, true), "keypad Enter -> KEY_KPENTER");
    next_event(m, true);

    /* Ctrl-Alt-G grabs; G itself never reaches the guest. */
    push_key(m, SDL_SCANCODE_LCTRL, true, KMOD_LCTRL, false);
    push_key(m, SDL_SCANCODE_LALT, true, KMOD_LCTRL | KMOD_LALT, false);
    push_key(m, SDL_SCANCODE_G, true, KMOD_LCTRL | KMOD_LALT, false);
    push_key(m, SDL_SCANCODE_G, false, KMOD_LCTRL | KMOD_LALT, false);
    push_key(m, SDL_SCANCODE_LALT, false, KMOD_LCTRL, false);
    push_key(m, SDL_SCANCODE_LCTRL, false, 0, false);
    ev = next_event(m, true);
    check(m, is_key(ev, DISPLAY_EV_KEY, KEY_LEFTCTRL, true), "LCtrl down passed on");
    ev = next_event(m, true);
    check(m, is_key(ev, DISPLAY_EV_KEY, KEY_LEFTALT, true), "LAlt down passed on");
    ev = next_event(m, true);
    check(m, is_key(ev, DISPLAY_EV_KEY, KEY_LEFTALT, false), "G swallowed; LAlt up next");
    ev = next_event(m, true);
    check(m, is_key(ev, DISPLAY_EV_KEY, KEY_LEFTCTRL, false), "LCtrl up");
    check(m, display_grabbed(m->d), "Ctrl-Alt-G grabs the pointer");
    snprintf(msg, sizeof msg, "title while grabbed: '%s'", SDL_GetWindowTitle(m->win));
    check(m, strcmp(SDL_GetWindowTitle(m->win), "rivet - running (grabbed: Ctrl-Alt-G releases)") == 0, msg);
    check(m, SDL_GetRelativeMouseMode() == SDL_TRUE, "SDL relative mouse mode on");

    /* Grabbed: motion is relative. */
    drain(m);
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEMOTION;
    e.motion.windowID = id;
    e.motion.x = 10;
    e.motion.y = 10;
    e.motion.xrel = 5;
    e.motion.yrel = -3;
    SDL_PushEvent(&e);
    ev = next_event(m, false);
    snprintf(msg, sizeof msg, "grabbed motion -> MOUSE_MOTION 5,-3 (got type %d %d,%d)",
             ev.type, ev.rel.dx, ev.rel.dy);
    check(m, ev.type == DISPLAY_EV_MOUSE_MOTION && ev.rel.dx == 5 && ev.rel.dy == -3, msg);

    push_key(m, SDL_SCANCODE_G, true, KMOD_RCTRL | KMOD_RALT, false);
    push_key(m, SDL_SCANCODE_G, false, KMOD_RCTRL | KMOD_RALT, false);
    drain(m);
    check(m, !display_grabbed(m->d), "Ctrl-Alt-G again releases");
    check(m, strcmp(SDL_GetWindowTitle(m->win), "rivet - running") == 0, "title back to 'rivet - running'");
    check(m, SDL_GetRelativeMouseMode() == SDL_FALSE, "SDL relative mouse mode off");

    /* Not grabbed: absolute, through the letterbox of the 960x480 window
     * (image 640 wide from x = 160). First for real: warp the X pointer
     * there and let the motion come back through the X server; it also
     * parks the pointer, so no stray motion races the pushed events. */
    uint32_t wx = (320 * 32767 + 319) / 639, wy = (240 * 32767 + 239) / 479;
    SDL_WarpMouseInWindow(m->win, 160 + 320, 240);
    struct display_event last_abs = { .type = DISPLAY_EV_NONE };
    for (int i = 0; i < 30; i++) {
        SDL_Delay(10);
        while (display_poll_events(m->d, &ev))
            if (ev.type == DISPLAY_EV_POINTER_ABS)
                last_abs = ev;
    }
    snprintf(msg, sizeof msg, "X pointer warped to window 480,240 -> POINTER_ABS %u,%u (got type %d %u,%u)",
             wx, wy, last_abs.type, last_abs.abs.x, last_abs.abs.y);
    check(m, last_abs.type == DISPLAY_EV_POINTER_ABS && last_abs.abs.x == wx && last_abs.abs.y == wy, msg);

    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEMOTION;
    e.motion.windowID = id;
    e.motion.x = 160 + 639;
    e.motion.y = 0;
    SDL_PushEvent(&e);
    ev = next_event(m, false);
    snprintf(msg, sizeof msg, "pushed motion at window 799,0 -> POINTER_ABS 32767,0 (got type %d %u,%u)",
             ev.type, ev.abs.x, ev.abs.y);
    check(m, ev.type == DISPLAY_EV_POINTER_ABS && ev.abs.x == DISPLAY_TABLET_MAX && ev.abs.y == 0, msg);

    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.windowID = id;
    e.button.button = SDL_BUTTON_RIGHT;
    e.button.state = SDL_PRESSED;
    e.button.x = 50;      /* on the left bar: clamps to the image's left edge */
    e.button.y = 479;
    SDL_PushEvent(&e);
    e.type = SDL_MOUSEBUTTONUP;
    e.button.state = SDL_RELEASED;
    SDL_PushEvent(&e);
    ev = next_event(m, false);
    snprintf(msg, sizeof msg, "click on the bar -> POINTER_ABS 0,32767 first (got type %d %u,%u)",
             ev.type, ev.abs.x, ev.abs.y);
    check(m, ev.type == DISPLAY_EV_POINTER_ABS && ev.abs.x == 0 && ev.abs.y == DISPLAY_TABLET_MAX, msg);
    ev = next_event(m, true);
    check(m, is_key(ev, DISPLAY_EV_BUTTON, BTN_RIGHT, true), "right button down -> BTN_RIGHT");
    ev = next_event(m, true);
    check(m, is_key(ev, DISPLAY_EV_BUTTON, BTN_RIGHT, false), "right button up");

    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEWHEEL;
    e.wheel.windowID = id;
    e.wheel.y = 2;
    e.wheel.direction = SDL_MOUSEWHEEL_NORMAL;
    SDL_PushEvent(&e);
    e.wheel.y = 1;
    e.wheel.direction = SDL_MOUSEWHEEL_FLIPPED;
    SDL_PushEvent(&e);
    ev = next_event(m, true);
    check(m, ev.type == DISPLAY_EV_WHEEL && ev.rel.dy == 2 && ev.rel.dx == 0, "wheel up 2 -> WHEEL dy 2");
    ev = next_event(m, true);
    check(m, ev.type == DISPLAY_EV_WHEEL && ev.rel.dy == -1, "flipped wheel -> WHEEL dy -1");

    /* Focus lost while a key is held: the guest sees it released. */
    push_key(m, SDL_SCANCODE_S, true, 0, false);
    push_window(m, SDL_WINDOWEVENT_FOCUS_LOST);
    ev = next_event(m, true);
    check(m, is_key(ev, DISPLAY_EV_KEY, KEY_S, true), "S down");
    ev = next_event(m, true);
    check(m, is_key(ev, DISPLAY_EV_KEY, KEY_S, false), "focus lost -> S released");

    /* The test hook. */
    display_inject_key(m->d, KEY_F12, true);
    ev = next_event(m, true);
    check(m, is_key(ev, DISPLAY_EV_KEY, KEY_F12, true), "display_inject_key");
    display_inject_key(m->d, KEY_F12, false);
    next_event(m, true);

    /* Close twice. */
    push_window(m, SDL_WINDOWEVENT_CLOSE);
    ev = next_event(m, true);
    check(m, ev.type == DISPLAY_EV_QUIT_REQUEST, "first close -> QUIT_REQUEST");
    snprintf(msg, sizeof msg, "title after a close: '%s'", SDL_GetWindowTitle(m->win));
    check(m, strstr(SDL_GetWindowTitle(m->win), "close again to quit") != NULL, msg);
    push_window(m, SDL_WINDOWEVENT_CLOSE);
    ev = next_event(m, true);
    check(m, ev.type == DISPLAY_EV_QUIT, "second close -> QUIT");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: display_demo DIR\n");
        return 2;
    }
    struct demo m = { .dir = argv[1] };
    char err[256];
    m.d = display_open("sdl", err, sizeof err);
    if (!m.d) {
        fprintf(stderr, "display_demo: %s\n", err);
        return 2;
    }
    m.win = sdl_display_window(m.d);
    if (!m.win) {
        fprintf(stderr, "display_demo: no SDL window\n");
        return 2;
    }
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(SDL_GetRenderer(m.win), &info) == 0)
        printf("# SDL %s video driver, %s renderer\n", SDL_GetCurrentVideoDriver(), info.name);

    /* B8G8R8X8 (DRM XRGB8888): what Linux's virtio-gpu driver scans out.
     * The X bytes hold junk on purpose. */
    size_t stride = W * 4 + 64;
    uint8_t *px = malloc(stride * H);
    for (unsigned y = 0; y < H; y++) {
        for (unsigned x = 0; x < W; x++) {
            uint32_t c = y < H / 2 ? bars[x / (W / 8)] : checks[(x / 40 + (y - H / 2) / 40) % 2];
            uint8_t *p = px + y * stride + x * 4;
            p[0] = (uint8_t)c;
            p[1] = (uint8_t)(c >> 8);
            p[2] = (uint8_t)(c >> 16);
            p[3] = 0xa5;
        }
    }
    struct display_surface s = { W, H, stride, DISPLAY_FORMAT_B8G8R8X8, px };
    check(&m, display_set_surface(m.d, &s) == 0, "display_set_surface 640x480 B8G8R8X8");
    display_update(m.d, 0, 0, W, H);
    SDL_SetWindowPosition(m.win, 0, 0);
    run_for(&m, 700);
    int ww, wh;
    SDL_GetWindowSize(m.win, &ww, &wh);
    check(&m, ww == W && wh == H, "the window took the surface's size");
    write_geometry(&m, "ready1");
    wait_for(&m, "shot1");

    SDL_SetWindowSize(m.win, 960, 480);
    run_for(&m, 700);
    write_geometry(&m, "ready2");
    wait_for(&m, "shot2");

    /* A partial flush: 100x100 pixels change, only the top-left 50x50 of
     * them is flushed, so only that part may show up. */
    for (unsigned y = 300; y < 400; y++) {
        for (unsigned x = 200; x < 300; x++) {
            uint8_t *p = px + y * stride + x * 4;
            p[0] = 0x00; p[1] = 0x80; p[2] = 0xff;   /* orange FF8000 */
        }
    }
    display_update(m.d, 200, 300, 50, 50);
    run_for(&m, 300);
    write_geometry(&m, "ready3");
    wait_for(&m, "shot3");

    input_tests(&m);

    char path[512];
    snprintf(path, sizeof path, "%s/dump.png", m.dir);
    check(&m, display_screendump(m.d, path, err, sizeof err) == 0, "display_screendump");

    display_close(m.d);
    free(px);
    printf("%s: %d failure(s)\n", m.failures ? "FAIL" : "PASS", m.failures);
    return m.failures ? 1 : 0;
}
