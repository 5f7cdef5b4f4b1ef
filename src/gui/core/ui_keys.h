/* ui_keys.h - the window's one key table: which key does what, and the help line that says
   so. The key handling (ui_keys_action), the F1 overlay (ui_keys[]) and --help
   (ui_keys_help) all read it, so a new key is one row here.

       UiAction a = ui_keys_action('n', 0);                       // ACT_NEXT
       UiAction z = ui_keys_action('+', UI_MOD_CTRL);             // ACT_ZOOM_IN
       for (int i = 0; i < ui_keys_count; i++) draw(ui_keys[i].keys, ui_keys[i].what);
       char buf[4096];  ui_keys_help(buf, sizeof buf);            // the rows as text

   Keys are display-free codes: a printable key is its lower-case ASCII character ('n',
   '1', '?', '+', ' '), Backspace / Enter / Esc their ASCII control codes, the others
   UI_KEY_* from 0x100. The backend translates its own key codes (sdl_main.c does SDL's,
   including keypad keys and the layout details noted there). Static data; no allocation. */
#ifndef ALEXSCOPE_UI_KEYS_H
#define ALEXSCOPE_UI_KEYS_H

#include <stddef.h>

#include "ui_state.h"

enum {
    UI_KEY_BACKSPACE = '\b',
    UI_KEY_ENTER = '\r',
    UI_KEY_ESCAPE = 27,
    UI_KEY_SPACE = ' ',
    UI_KEY_RIGHT = 0x100, UI_KEY_LEFT, UI_KEY_UP, UI_KEY_DOWN, UI_KEY_PAGEUP, UI_KEY_PAGEDOWN,
    UI_KEY_HOME, UI_KEY_END, UI_KEY_F1, UI_KEY_F11,
};

/* Modifier bits. A binding fires when its modifiers are all held; others held are ignored. */
enum { UI_MOD_CTRL = 1, UI_MOD_SHIFT = 2 };

#define UI_KEYS_PER_ROW 6

typedef struct {
    int key;        /* 0 ends a row's list */
    int mods;       /* UI_MOD_* that must be held */
    UiAction act;
} UiKeyBind;

/* One help line. Rows without bindings describe the mouse and drag and drop. */
typedef struct {
    const char *keys;   /* as the help shows them: "→  PgDn  Space  N" */
    const char *what;   /* "next layer; in a lesson, next step" */
    UiKeyBind bind[UI_KEYS_PER_ROW];
} UiKeyRow;

extern const UiKeyRow ui_keys[];
extern const int ui_keys_count;

/* The action bound to key with modifiers mods held; ACT_NONE if none. */
UiAction ui_keys_action(int key, int mods);

/* A key's name as the help spells it ("→", "PgDn", "N", "Ctrl W"); "?" + code if unknown.
   Returns buf. */
const char *ui_keys_name(int key, int mods, char *buf, size_t size);

/* Every row as "  KEYS  WHAT\n", WHAT aligned in one column (UTF-8 aware). Returns the
   length the whole text needs (like snprintf); buf is always terminated when size > 0. */
int ui_keys_help(char *buf, size_t size);

#endif
