/* ui_draw.c - the draw-command list, rectangle helpers and the theme colour table. */
#include "ui_draw.h"

#include <stdlib.h>
#include <string.h>

void dl_init(DrawList *dl) { memset(dl, 0, sizeof *dl); }

void dl_reset(DrawList *dl)
{
    dl->n = 0;
    dl->used = 0;
    dl->nclip = 0;
    dl->clip_on = 0;
}

void dl_free(DrawList *dl)
{
    free(dl->cmd);
    free(dl->arena);
    memset(dl, 0, sizeof *dl);
}

const char *dl_str(const DrawList *dl, const DrawCmd *c) { return dl->arena + c->text; }

static DrawCmd *push(DrawList *dl, DrawKind k)
{
    if (dl->n == dl->cap) {
        int cap = dl->cap ? dl->cap * 2 : 512;
        DrawCmd *p = realloc(dl->cmd, sizeof *p * (size_t)cap);
        if (!p) return NULL;
        dl->cmd = p, dl->cap = cap;
    }
    DrawCmd *c = &dl->cmd[dl->n++];
    memset(c, 0, sizeof *c);
    c->kind = k;
    return c;
}

static int store(DrawList *dl, const char *s, size_t *off)
{
    size_t len = strlen(s) + 1;
    if (dl->used + len > dl->arena_cap) {
        size_t cap = dl->arena_cap ? dl->arena_cap : 16384;
        while (cap < dl->used + len) cap *= 2;
        char *p = realloc(dl->arena, cap);
        if (!p) return -1;
        dl->arena = p, dl->arena_cap = cap;
    }
    memcpy(dl->arena + dl->used, s, len);
    *off = dl->used;
    dl->used += len;
    return 0;
}

void dl_rect(DrawList *dl, UiRect r, UiColor c)
{
    if (r.w <= 0 || r.h <= 0) return;
    DrawCmd *d = push(dl, DC_RECT);
    if (d) d->r = r, d->c = c;
}

void dl_frame(DrawList *dl, UiRect r, UiColor c, int thick)
{
    DrawCmd *d = push(dl, DC_FRAME);
    if (d) d->r = r, d->c = c, d->thick = thick < 1 ? 1 : thick;
}

void dl_line(DrawList *dl, int x0, int y0, int x1, int y1, UiColor c, int thick)
{
    DrawCmd *d = push(dl, DC_LINE);
    if (d) d->r = (UiRect){x0, y0, x1 - x0, y1 - y0}, d->c = c, d->thick = thick < 1 ? 1 : thick;
}

int dl_measure(const DrawList *dl, int font, int px, const char *s)
{
    if (dl->measure) return dl->measure(dl->measure_ctx, font, px, s);
    int chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) chars += (*p & 0xC0) != 0x80;
    return chars * px * 6 / 10;
}

void dl_note_clip(DrawList *dl, const char *s)
{
    if (dl->nclip < DL_CLIP_KEEP) {
        size_t n = strlen(s);
        if (n >= DL_CLIP_LEN) {
            n = DL_CLIP_LEN - 1;
            while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--; /* not inside a UTF-8 sequence */
        }
        memcpy(dl->clip_text[dl->nclip], s, n);
        dl->clip_text[dl->nclip][n] = '\0';
    }
    dl->nclip++;
}

/* Where a line of text drawn at (x, y) puts ink: from the accents (an eighth of the size
   below y) to the bottom of the descenders (1.15 of the size; the font's line is 1.17). */
static UiRect ink(int x, int y, int w, int px) { return (UiRect){x, y + px / 8, w, px * 23 / 20 - px / 8}; }

/* 1 if a is not inside r (a pixel of slack for rounding). */
static int sticks_out(UiRect a, UiRect r)
{
    return a.x < r.x - 1 || a.y < r.y - 1 || a.x + a.w > r.x + r.w + 1 || a.y + a.h > r.y + r.h + 1;
}

static int text_cmd(DrawList *dl, int x, int y, int font, int px, UiColor c, const char *s, int noted)
{
    if (!s || !*s) return 0;
    int w = dl_measure(dl, font, px, s);
    if (!noted && dl->clip_on && sticks_out(ink(x, y, w, px), dl->clip)) dl_note_clip(dl, s);
    size_t off;
    if (store(dl, s, &off) != 0) return 0;
    DrawCmd *d = push(dl, DC_TEXT);
    if (!d) return 0;
    d->r = (UiRect){x, y, 0, px};
    d->c = c, d->font = font, d->px = px, d->text = off;
    return w;
}

int dl_text(DrawList *dl, int x, int y, int font, int px, UiColor c, const char *s)
{
    return text_cmd(dl, x, y, font, px, c, s, 0);
}

int dl_text_in(DrawList *dl, UiRect r, int align, int font, int px, UiColor c, const char *s)
{
    if (!s || !*s) return 0;
    int w = dl_measure(dl, font, px, s);
    int x = align < 0 ? r.x : align > 0 ? r.x + r.w - w : r.x + (r.w - w) / 2;
    int y = r.y + (r.h - px * 6 / 5) / 2;
    int over = sticks_out(ink(x, y, w, px), r);
    if (over) dl_note_clip(dl, s);
    return text_cmd(dl, x, y, font, px, c, s, over);
}

void dl_image(DrawList *dl, int image, UiRect src, UiRect dst, UiColor tint)
{
    if (dst.w <= 0 || dst.h <= 0 || src.w <= 0 || src.h <= 0) return;
    DrawCmd *d = push(dl, DC_IMAGE);
    if (d) d->image = image, d->src = src, d->r = dst, d->c = tint;
}

void dl_clip(DrawList *dl, UiRect r)
{
    dl->clip = r, dl->clip_on = 1;
    DrawCmd *d = push(dl, DC_CLIP);
    if (d) d->r = r;
}

void dl_unclip(DrawList *dl)
{
    dl->clip_on = 0;
    push(dl, DC_UNCLIP);
}

/* ---- rectangles ---------------------------------------------------------------------- */

int ui_rect_contains(UiRect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

UiRect ui_rect_inset(UiRect r, int d)
{
    r.x += d, r.y += d, r.w -= 2 * d, r.h -= 2 * d;
    if (r.w < 0) r.w = 0;
    if (r.h < 0) r.h = 0;
    return r;
}

static int clampn(int n, int max) { return n < 0 ? 0 : n > max ? max : n; }

UiRect ui_cut_top(UiRect *r, int n)
{
    n = clampn(n, r->h);
    UiRect out = {r->x, r->y, r->w, n};
    r->y += n, r->h -= n;
    return out;
}

UiRect ui_cut_bottom(UiRect *r, int n)
{
    n = clampn(n, r->h);
    r->h -= n;
    return (UiRect){r->x, r->y + r->h, r->w, n};
}

UiRect ui_cut_left(UiRect *r, int n)
{
    n = clampn(n, r->w);
    UiRect out = {r->x, r->y, n, r->h};
    r->x += n, r->w -= n;
    return out;
}

UiRect ui_cut_right(UiRect *r, int n)
{
    n = clampn(n, r->w);
    r->w -= n;
    return (UiRect){r->x + r->w, r->y, n, r->h};
}

/* ---- theme ---------------------------------------------------------------------------- */

const char *const ui_theme_names[THEME_COUNT] = {"dark", "high contrast"};

#define RGB(v) {(unsigned char)((v) >> 16), (unsigned char)((v) >> 8), (unsigned char)(v), 255}

/* Dark: calm slate greys, one cyan accent, amber for warnings. High contrast: pure black
   and white with yellow, for washed-out projectors. */
static const UiColor theme_table[THEME_COUNT][TC_COUNT] = {
    [THEME_DARK] = {
        [TC_BG] = RGB(0x14171c), [TC_PANEL] = RGB(0x1e232a), [TC_EDGE] = RGB(0x39414c),
        [TC_TEXT] = RGB(0xe8eaed), [TC_DIM] = RGB(0x9aa4b1), [TC_ACCENT] = RGB(0x4fc3f7),
        [TC_ON_ACCENT] = RGB(0x0b1015), [TC_WARN] = RGB(0xffb74d), [TC_ERROR] = RGB(0xff6e6e),
        [TC_BOX] = RGB(0x2b323c), [TC_BOX_DONE] = RGB(0x35566b), [TC_RF] = RGB(0xff4081),
        [TC_BAR1] = RGB(0x4fc3f7), [TC_BAR2] = RGB(0xffb74d), [TC_BUTTON] = RGB(0x2b323c),
        [TC_SHADE] = {0, 0, 0, 200},
    },
    [THEME_CONTRAST] = {
        [TC_BG] = RGB(0x000000), [TC_PANEL] = RGB(0x000000), [TC_EDGE] = RGB(0xffffff),
        [TC_TEXT] = RGB(0xffffff), [TC_DIM] = RGB(0xe0e0e0), [TC_ACCENT] = RGB(0xffff00),
        [TC_ON_ACCENT] = RGB(0x000000), [TC_WARN] = RGB(0xffff00), [TC_ERROR] = RGB(0xff5050),
        [TC_BOX] = RGB(0x202020), [TC_BOX_DONE] = RGB(0x0050a0), [TC_RF] = RGB(0x00ff00),
        [TC_BAR1] = RGB(0x00ffff), [TC_BAR2] = RGB(0xffff00), [TC_BUTTON] = RGB(0x000000),
        [TC_SHADE] = {0, 0, 0, 230},
    },
};

UiColor ui_color(int theme, ThemeColor c)
{
    if (theme < 0 || theme >= THEME_COUNT) theme = THEME_DARK;
    return theme_table[theme][c];
}
