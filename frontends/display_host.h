/* frontends/display_host.h: the host display (frontends/display.h) handed
 * to the machine as a `struct devices_display` (machine/display_glue.h):
 * virtio-gpu's scanout and flushes go to display_set_surface and
 * display_update, the window's events come back as machine input events,
 * and the machine's poll path drives display_refresh (60 Hz at most, only
 * after a change).
 *
 * Screendumps: `-screendump FILE.png` writes FILE when the machine stops
 * (the last moment the guest's pixels exist); Ctrl-A s on the terminal
 * and SIGUSR1 ask for one at any time, written at the next poll between
 * CPU slices to the -screendump FILE, or to rivet-screendump.png in the
 * current directory without one. Each prints one line on stderr.
 */
#ifndef RIVET_DISPLAY_HOST_H
#define RIVET_DISPLAY_HOST_H

#include <stdbool.h>
#include <stddef.h>

struct display_host;
struct devices_display;

/* backend: "sdl", "none", or NULL for the default (sdl if a window can be
 * opened, else none with a one-line note on stderr). NULL and a reason in
 * err when an explicitly named backend cannot start. */
struct display_host *display_host_open(const char *backend, const char *screendump, char *err, size_t errlen);

/* What the machine gets (devices_config.display). */
const struct devices_display *display_host_devices(struct display_host *);

/* Ask for a screendump at the next poll (Ctrl-A s). */
/* Now (the monitor's screendump): 0, or -1 with a one-line reason. */
int display_host_screendump(struct display_host *, const char *path, char *err, size_t errlen);
void display_host_request_screendump(struct display_host *);

/* SIGUSR1 asks for a screendump from now on (until close). */
void display_host_catch_sigusr1(struct display_host *);

/* The backend in use ("sdl", "none"). */
const char *display_host_backend(const struct display_host *);

void display_host_close(struct display_host *);

#endif
