/* frontends/keymap.h: host key and button codes to Linux input codes.
 *
 * SDL2 scancodes are the USB HID keyboard usages (usage page 0x07: 4 = A,
 * 0x28 = Return, 0xE0..0xE7 = modifiers) plus a few SDL additions from 258
 * up (media and application keys). They name the physical key position,
 * not the symbol the host layout puts on it, which is what a guest wants:
 * the guest applies its own layout. The table needs no SDL headers, so the
 * mapping builds and is tested without SDL.
 *
 * Codes are Linux's (linux/input-event-codes.h): KEY_* for keys, BTN_* for
 * mouse buttons, the values a virtio-input device reports (EV_KEY).
 */
#ifndef RIVET_KEYMAP_H
#define RIVET_KEYMAP_H

#include <stdint.h>

/* Number of entries in the SDL scancode table (SDL_NUM_SCANCODES). */
#define KEYMAP_SDL_SCANCODES 512u

/* Linux KEY_* code for an SDL scancode; 0 (KEY_RESERVED) when the key has
 * no Linux equivalent or the scancode is out of range. Covers the full
 * 105-key PC keyboard plus the Japanese/Korean, F13-F24, editing and media
 * keys. */
uint16_t keymap_sdl_to_linux(unsigned scancode);

/* Linux BTN_* code for an SDL mouse button (1 left, 2 middle, 3 right,
 * 4 X1, 5 X2); 0 for others. */
uint16_t keymap_sdl_button_to_linux(unsigned button);

#endif
