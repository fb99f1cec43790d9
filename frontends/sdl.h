/* frontends/sdl.h: the SDL2 window backend of frontends/display.h
 * (`-display sdl`). Built only when configure found SDL2 (HAVE_SDL).
 *
 * The window shows the surface scaled to the window with its aspect kept
 * (black bars), through a streaming texture that only the dirty rectangle
 * is uploaded to. Presenting does not wait for vsync, so a draw never
 * blocks the CPU thread. Events are read with SDL_PeepEvents and the X
 * connection is pumped at most every 2 ms, which bounds what polling costs.
 *
 * Keys go to the guest by physical position (frontends/keymap.h);
 * Ctrl-Alt-G grabs and releases the pointer and the keyboard and is not
 * passed on (the Ctrl and Alt presses before it are). Losing focus lifts
 * every key the guest saw held. SDL's own SIGINT/SIGTERM handlers are
 * turned off: the terminal code owns those signals.
 */
#ifndef RIVET_SDL_H
#define RIVET_SDL_H

#include "frontends/display.h"

struct SDL_Window;

extern const struct display_backend_ops sdl_display_ops;

/* The SDL window of a display opened on "sdl", or NULL for other backends.
 * Tests use it to address synthetic events (SDL_PushEvent) and to resize. */
struct SDL_Window *sdl_display_window(const struct display *);

#endif
