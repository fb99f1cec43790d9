/* frontends/keymap.c: USB HID keyboard usages (= SDL scancodes) to Linux key
 * codes. Indices are the usage IDs of the USB HID Usage Tables, keyboard
 * page (0x07); the names in comments are SDL's SDL_SCANCODE_* names. Keys
 * Linux has no code for stay 0. */
#include "frontends/keymap.h"

#include <linux/input-event-codes.h>

static const uint16_t sdl_to_linux[KEYMAP_SDL_SCANCODES] = {
    /* 0x04..0x1d: letters */
    [0x04] = KEY_A, [0x05] = KEY_B, [0x06] = KEY_C, [0x07] = KEY_D,
    [0x08] = KEY_E, [0x09] = KEY_F, [0x0a] = KEY_G, [0x0b] = KEY_H,
    [0x0c] = KEY_I, [0x0d] = KEY_J, [0x0e] = KEY_K, [0x0f] = KEY_L,
    [0x10] = KEY_M, [0x11] = KEY_N, [0x12] = KEY_O, [0x13] = KEY_P,
    [0x14] = KEY_Q, [0x15] = KEY_R, [0x16] = KEY_S, [0x17] = KEY_T,
    [0x18] = KEY_U, [0x19] = KEY_V, [0x1a] = KEY_W, [0x1b] = KEY_X,
    [0x1c] = KEY_Y, [0x1d] = KEY_Z,
    /* 0x1e..0x27: digit row, 1 first and 0 last */
    [0x1e] = KEY_1, [0x1f] = KEY_2, [0x20] = KEY_3, [0x21] = KEY_4,
    [0x22] = KEY_5, [0x23] = KEY_6, [0x24] = KEY_7, [0x25] = KEY_8,
    [0x26] = KEY_9, [0x27] = KEY_0,
    [0x28] = KEY_ENTER,          /* RETURN */
    [0x29] = KEY_ESC,
    [0x2a] = KEY_BACKSPACE,
    [0x2b] = KEY_TAB,
    [0x2c] = KEY_SPACE,
    [0x2d] = KEY_MINUS,
    [0x2e] = KEY_EQUAL,
    [0x2f] = KEY_LEFTBRACE,      /* LEFTBRACKET */
    [0x30] = KEY_RIGHTBRACE,     /* RIGHTBRACKET */
    [0x31] = KEY_BACKSLASH,
    /* NONUSHASH: the key left of Enter on ISO keyboards. PC keyboards send
     * the same scancode for it as for backslash, and so does Linux. */
    [0x32] = KEY_BACKSLASH,
    [0x33] = KEY_SEMICOLON,
    [0x34] = KEY_APOSTROPHE,
    [0x35] = KEY_GRAVE,
    [0x36] = KEY_COMMA,
    [0x37] = KEY_DOT,            /* PERIOD */
    [0x38] = KEY_SLASH,
    [0x39] = KEY_CAPSLOCK,
    [0x3a] = KEY_F1, [0x3b] = KEY_F2, [0x3c] = KEY_F3, [0x3d] = KEY_F4,
    [0x3e] = KEY_F5, [0x3f] = KEY_F6, [0x40] = KEY_F7, [0x41] = KEY_F8,
    [0x42] = KEY_F9, [0x43] = KEY_F10, [0x44] = KEY_F11, [0x45] = KEY_F12,
    [0x46] = KEY_SYSRQ,          /* PRINTSCREEN */
    [0x47] = KEY_SCROLLLOCK,
    [0x48] = KEY_PAUSE,
    [0x49] = KEY_INSERT,
    [0x4a] = KEY_HOME,
    [0x4b] = KEY_PAGEUP,
    [0x4c] = KEY_DELETE,
    [0x4d] = KEY_END,
    [0x4e] = KEY_PAGEDOWN,
    [0x4f] = KEY_RIGHT,
    [0x50] = KEY_LEFT,
    [0x51] = KEY_DOWN,
    [0x52] = KEY_UP,
    [0x53] = KEY_NUMLOCK,        /* NUMLOCKCLEAR */
    [0x54] = KEY_KPSLASH,        /* KP_DIVIDE */
    [0x55] = KEY_KPASTERISK,     /* KP_MULTIPLY */
    [0x56] = KEY_KPMINUS,
    [0x57] = KEY_KPPLUS,
    [0x58] = KEY_KPENTER,
    [0x59] = KEY_KP1, [0x5a] = KEY_KP2, [0x5b] = KEY_KP3, [0x5c] = KEY_KP4,
    [0x5d] = KEY_KP5, [0x5e] = KEY_KP6, [0x5f] = KEY_KP7, [0x60] = KEY_KP8,
    [0x61] = KEY_KP9, [0x62] = KEY_KP0,
    [0x63] = KEY_KPDOT,          /* KP_PERIOD */
    [0x64] = KEY_102ND,          /* NONUSBACKSLASH: the 105th key, left of Z */
    [0x65] = KEY_COMPOSE,        /* APPLICATION: the context-menu key */
    [0x66] = KEY_POWER,
    [0x67] = KEY_KPEQUAL,        /* KP_EQUALS */
    [0x68] = KEY_F13, [0x69] = KEY_F14, [0x6a] = KEY_F15, [0x6b] = KEY_F16,
    [0x6c] = KEY_F17, [0x6d] = KEY_F18, [0x6e] = KEY_F19, [0x6f] = KEY_F20,
    [0x70] = KEY_F21, [0x71] = KEY_F22, [0x72] = KEY_F23, [0x73] = KEY_F24,
    [0x74] = KEY_OPEN,           /* EXECUTE */
    [0x75] = KEY_HELP,
    [0x76] = KEY_PROPS,          /* MENU */
    [0x77] = KEY_FRONT,          /* SELECT */
    [0x78] = KEY_STOP,
    [0x79] = KEY_AGAIN,
    [0x7a] = KEY_UNDO,
    [0x7b] = KEY_CUT,
    [0x7c] = KEY_COPY,
    [0x7d] = KEY_PASTE,
    [0x7e] = KEY_FIND,
    [0x7f] = KEY_MUTE,
    [0x80] = KEY_VOLUMEUP,
    [0x81] = KEY_VOLUMEDOWN,
    [0x85] = KEY_KPCOMMA,
    [0x86] = KEY_KPEQUAL,        /* KP_EQUALSAS400 */
    [0x87] = KEY_RO,             /* INTERNATIONAL1 */
    [0x88] = KEY_KATAKANAHIRAGANA, /* INTERNATIONAL2 */
    [0x89] = KEY_YEN,            /* INTERNATIONAL3 */
    [0x8a] = KEY_HENKAN,         /* INTERNATIONAL4 */
    [0x8b] = KEY_MUHENKAN,       /* INTERNATIONAL5 */
    [0x8c] = KEY_KPJPCOMMA,      /* INTERNATIONAL6 */
    [0x90] = KEY_HANGEUL,        /* LANG1 */
    [0x91] = KEY_HANJA,          /* LANG2 */
    [0x92] = KEY_KATAKANA,       /* LANG3 */
    [0x93] = KEY_HIRAGANA,       /* LANG4 */
    [0x94] = KEY_ZENKAKUHANKAKU, /* LANG5 */
    [0x99] = KEY_ALTERASE,
    [0x9a] = KEY_SYSRQ,
    [0x9b] = KEY_CANCEL,
    [0xb6] = KEY_KPLEFTPAREN,
    [0xb7] = KEY_KPRIGHTPAREN,
    [0xd7] = KEY_KPPLUSMINUS,
    [0xe0] = KEY_LEFTCTRL,
    [0xe1] = KEY_LEFTSHIFT,
    [0xe2] = KEY_LEFTALT,
    [0xe3] = KEY_LEFTMETA,       /* LGUI */
    [0xe4] = KEY_RIGHTCTRL,
    [0xe5] = KEY_RIGHTSHIFT,
    [0xe6] = KEY_RIGHTALT,       /* AltGr */
    [0xe7] = KEY_RIGHTMETA,      /* RGUI */
    /* SDL's own codes beyond the keyboard page */
    [258] = KEY_NEXTSONG,        /* AUDIONEXT */
    [259] = KEY_PREVIOUSSONG,    /* AUDIOPREV */
    [260] = KEY_STOPCD,          /* AUDIOSTOP */
    [261] = KEY_PLAYPAUSE,       /* AUDIOPLAY */
    [262] = KEY_MUTE,            /* AUDIOMUTE */
    [263] = KEY_MEDIA,           /* MEDIASELECT */
    [264] = KEY_WWW,
    [265] = KEY_MAIL,
    [266] = KEY_CALC,            /* CALCULATOR */
    [267] = KEY_COMPUTER,
    [268] = KEY_SEARCH,          /* AC_SEARCH */
    [269] = KEY_HOMEPAGE,        /* AC_HOME */
    [270] = KEY_BACK,            /* AC_BACK */
    [271] = KEY_FORWARD,         /* AC_FORWARD */
    [272] = KEY_STOP,            /* AC_STOP */
    [273] = KEY_REFRESH,         /* AC_REFRESH */
    [274] = KEY_BOOKMARKS,       /* AC_BOOKMARKS */
    [275] = KEY_BRIGHTNESSDOWN,
    [276] = KEY_BRIGHTNESSUP,
    [277] = KEY_SWITCHVIDEOMODE, /* DISPLAYSWITCH */
    [278] = KEY_KBDILLUMTOGGLE,
    [279] = KEY_KBDILLUMDOWN,
    [280] = KEY_KBDILLUMUP,
    [281] = KEY_EJECTCD,         /* EJECT */
    [282] = KEY_SLEEP,
    [283] = KEY_PROG1,           /* APP1 */
    [284] = KEY_PROG2,           /* APP2 */
    [285] = KEY_REWIND,          /* AUDIOREWIND */
    [286] = KEY_FASTFORWARD,     /* AUDIOFASTFORWARD */
};

uint16_t keymap_sdl_to_linux(unsigned scancode)
{
    return scancode < KEYMAP_SDL_SCANCODES ? sdl_to_linux[scancode] : 0;
}

uint16_t keymap_sdl_button_to_linux(unsigned button)
{
    switch (button) {
    case 1: return BTN_LEFT;
    case 2: return BTN_MIDDLE;
    case 3: return BTN_RIGHT;
    case 4: return BTN_SIDE;
    case 5: return BTN_EXTRA;
    default: return 0;
    }
}
