/* ui_keys.c - the window's key table (ui_keys.h). The rows are in the order the F1 overlay
   shows them; a binding's action is what ui_apply() gets. */
#include <stdio.h>
#include <string.h>

#include "ui_keys.h"

const UiKeyRow ui_keys[] = {
    /* ↓ and ↑ move in the lesson picker too (the L row says so). */
    {"→  PgDn  Space  N", "next layer; in a lesson, next step",
     {{UI_KEY_RIGHT, 0, ACT_RIGHT}, {UI_KEY_PAGEDOWN, 0, ACT_NEXT}, {UI_KEY_SPACE, 0, ACT_SPACE}, {'n', 0, ACT_NEXT},
      {UI_KEY_DOWN, 0, ACT_NEXT}}},
    {"←  PgUp  Backspace  P", "previous layer / step (clickers send PgUp)",
     {{UI_KEY_LEFT, 0, ACT_LEFT}, {UI_KEY_PAGEUP, 0, ACT_PREV}, {UI_KEY_BACKSPACE, 0, ACT_PREV}, {'p', 0, ACT_PREV},
      {UI_KEY_UP, 0, ACT_PREV}}},
    {"Home  End", "input / last layer; first / last step", {{UI_KEY_HOME, 0, ACT_HOME}, {UI_KEY_END, 0, ACT_END}}},
    {"L", "lessons: pick one (↑ ↓ Enter); Esc leaves a lesson", {{'l', 0, ACT_LESSONS}, {UI_KEY_ENTER, 0, ACT_PICK}}},
    {"click a layer box", "jump to it", {{0}}},
    {"click a tile", "enlarge that channel", {{0}}},
    {"click a unit (enlarged)", "show the math (conv layers)", {{0}}},
    {"hover a unit", "its value and receptive field", {{0}}},
    {"M", "mirror the photo left-right", {{'m', 0, ACT_MIRROR}}},
    {"S", "next sample photo", {{'s', 0, ACT_SAMPLE}}},
    {"drop a file", "open an image or weights file", {{0}}},
    {"G", "normalise per channel / per layer", {{'g', 0, ACT_NORM}}},
    {"C", "colours: viridis / grey", {{'c', 0, ACT_CMAP}}},
    {"K", "kernels instead of feature maps", {{'k', 0, ACT_KERNELS}}},
    {"I", "conv layer as a matrix product (im2col)", {{'i', 0, ACT_IM2COL}}},
    {"F", "engine: naive loops / fast (im2col + BLAS)", {{'f', 0, ACT_ENGINE}}},
    {"X", "the paper's ten crops, averaged", {{'x', 0, ACT_CROPS}}},
    {"O", "occlusion map: which part made the guess", {{'o', 0, ACT_OCCLUSION}}},
    {"H", "top patches of the channel (many photos)", {{'h', 0, ACT_PATCHES}}},
    {"Y  B", "why? gradient image of the clicked class / unit; B: method",
     {{'y', 0, ACT_SALIENCY}, {'b', 0, ACT_SAL_METHOD}}},
    {"J", "train LeNet-5 live on Fashion-MNIST (view on / off)", {{'j', 0, ACT_TRAIN}}},
    {"Space  R  D  M  Z  S", "training view: pause; reset; dropout, mirror, subset; image",
     {{'r', 0, ACT_TRAIN_RESET}, {'d', 0, ACT_TRAIN_DROPOUT}, {'z', 0, ACT_TRAIN_SUBSET}}},
    /* While the window slides, Space / → / ← pause and step it; PgDn / PgUp / N / P (what
       clickers send) still move between layers and lesson steps. */
    {"A", "sliding window on / off (conv and pool layers)", {{'a', 0, ACT_ANIM}}},
    {"Space  →  ←", "while it slides: pause / play, one position", {{0}}},
    {"[  ]  V", "while it slides: slower / faster; compare",
     {{'[', 0, ACT_ANIM_SLOWER}, {']', 0, ACT_ANIM_FASTER}, {'v', 0, ACT_ANIM_VARIANT}}},
    {"1 2 3 4", "cards: size, params, field, math",
     {{'1', 0, ACT_CARD_SIZE}, {'2', 0, ACT_CARD_PARAMS}, {'3', 0, ACT_CARD_RF}, {'4', 0, ACT_CARD_MATH}}},
    {"E", "export the layer's PNGs and a screenshot", {{'e', 0, ACT_EXPORT}}},
    {"T", "high-contrast theme", {{'t', 0, ACT_THEME}}},
    {"Ctrl +  Ctrl −  Ctrl 0", "bigger / smaller / normal",
     {{'+', UI_MOD_CTRL, ACT_ZOOM_IN}, {'-', UI_MOD_CTRL, ACT_ZOOM_OUT}, {'0', UI_MOD_CTRL, ACT_ZOOM_RESET}}},
    {"F11", "fullscreen", {{UI_KEY_F11, 0, ACT_FULLSCREEN}}},
    {"F1  ?", "this help", {{UI_KEY_F1, 0, ACT_HELP}, {'?', 0, ACT_HELP}}},
    {"Esc", "close / deselect; cancel a long job", {{UI_KEY_ESCAPE, 0, ACT_DESELECT}}},
    {"Q  Ctrl W", "quit", {{'q', 0, ACT_QUIT}, {'w', UI_MOD_CTRL, ACT_QUIT}}},
};
const int ui_keys_count = (int)(sizeof ui_keys / sizeof ui_keys[0]);

UiAction ui_keys_action(int key, int mods)
{
    for (int i = 0; key && i < ui_keys_count; i++)
        for (const UiKeyBind *b = ui_keys[i].bind; b < ui_keys[i].bind + UI_KEYS_PER_ROW && b->key; b++)
            if (b->key == key && (mods & b->mods) == b->mods) return b->act;
    return ACT_NONE;
}

const char *ui_keys_name(int key, int mods, char *buf, size_t size)
{
    static const struct {
        int key;
        const char *name;
    } names[] = {
        {UI_KEY_BACKSPACE, "Backspace"}, {UI_KEY_ENTER, "Enter"}, {UI_KEY_ESCAPE, "Esc"}, {UI_KEY_SPACE, "Space"},
        {UI_KEY_RIGHT, "→"}, {UI_KEY_LEFT, "←"}, {UI_KEY_UP, "↑"}, {UI_KEY_DOWN, "↓"},
        {UI_KEY_PAGEUP, "PgUp"}, {UI_KEY_PAGEDOWN, "PgDn"}, {UI_KEY_HOME, "Home"}, {UI_KEY_END, "End"},
        {UI_KEY_F1, "F1"}, {UI_KEY_F11, "F11"}, {'-', "−"},
    };
    char one[2] = {0};
    const char *name = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].key == key) name = names[i].name;
    if (!name && key > ' ' && key < 127) {
        one[0] = (char)(key >= 'a' && key <= 'z' ? key - 'a' + 'A' : key);
        name = one;
    }
    if (name) snprintf(buf, size, "%s%s%s", mods & UI_MOD_CTRL ? "Ctrl " : "", mods & UI_MOD_SHIFT ? "Shift " : "", name);
    else snprintf(buf, size, "?%d", key);
    return buf;
}

/* Columns a UTF-8 string takes in a terminal (one per code point). */
static int columns(const char *s)
{
    int n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

int ui_keys_help(char *buf, size_t size)
{
    enum { KEY_COLUMN = 26 };
    int len = 0;
    if (size > 0) buf[0] = '\0';
    for (int i = 0; i < ui_keys_count; i++) {
        int pad = KEY_COLUMN - columns(ui_keys[i].keys);
        char *dst = (size_t)len < size ? buf + len : NULL;
        size_t room = dst ? size - (size_t)len : 0;
        int n = snprintf(dst, room, "  %s%*s%s\n", ui_keys[i].keys, pad > 1 ? pad : 1, "", ui_keys[i].what);
        if (n < 0) return -1;
        len += n;
    }
    return len;
}
