/* ui_layout.c - panel rectangles for a window size and scale, and hit-testing. */
#include "ui_layout.h"

#include <math.h>
#include <string.h>

#define BASE_W 1280.0f
#define BASE_H 720.0f

static int U(const UiLayout *L, float units) { return (int)lroundf(units * L->s); }

static const struct {
    UiAction action;
    const char *label;
} buttons[] = {
    {ACT_HOME, "|◀"}, {ACT_PREV, "◀ Back"}, {ACT_NEXT, "Next ▶"}, {ACT_END, "▶|"},
    {ACT_MIRROR, "Mirror"}, {ACT_NORM, "Normalise"}, {ACT_CMAP, "Colours"},
    {ACT_KERNELS, "Kernels"}, {ACT_SAMPLE, "Next photo"}, {ACT_LESSONS, "Lessons"}, {ACT_EXPORT, "Export"},
    {ACT_THEME, "Theme"}, {ACT_HELP, "Keys ?"},
};
_Static_assert(sizeof buttons / sizeof buttons[0] <= UI_MAX_BUTTONS, "room for every button");

/* While a lesson plays: right-aligned in the band's head row. */
static const struct {
    UiAction action;
    const char *label;
} lesson_buttons[] = {
    {ACT_PREV, "◀ P"}, {ACT_NEXT, "N ▶"}, {ACT_LESSONS, "Lessons"}, {ACT_LESSON_EXIT, "Leave (Esc)"},
};

static void layout_buttons(UiLayout *L, UiRect row, const DrawList *m)
{
    int n = (int)(sizeof buttons / sizeof buttons[0]);
    int x = row.x, h = row.h;
    L->nbutton = 0;
    for (int i = 0; i < n; i++) {
        int w = dl_measure(m, FONT_SANS, L->px_body, buttons[i].label) + 2 * L->pad;
        if (x + w > row.x + row.w) break; /* a narrow window drops the last buttons */
        L->button[L->nbutton++] = (UiButton){buttons[i].action, buttons[i].label, {x, row.y, w, h}};
        x += w + L->gap / 2;
    }
}

static void layout_lesson_buttons(UiLayout *L, UiRect row, const DrawList *m)
{
    int n = (int)(sizeof lesson_buttons / sizeof lesson_buttons[0]);
    int x = row.x + row.w;
    L->nbutton = 0;
    for (int i = n - 1; i >= 0; i--) { /* from the right; a narrow window drops the first */
        int w = dl_measure(m, FONT_SANS, L->px_body, lesson_buttons[i].label) + 2 * L->pad;
        if (x - w < row.x + row.w / 3) break;
        x -= w;
        L->button[L->nbutton++] = (UiButton){lesson_buttons[i].action, lesson_buttons[i].label, {x, row.y, w, row.h}};
        x -= L->gap / 2;
    }
}

static double volume_log(Shape s)
{
    double v = (double)s.c * s.h * s.w;
    return log10(v < 10 ? 10 : v);
}

/* Box width and height grow with log10 of the position's volume. */
static void layout_strip(UiLayout *L, UiRect strip, const Shape *shapes, int npos)
{
    L->npos = npos < UI_MAX_POS ? npos : UI_MAX_POS;
    if (L->npos <= 0) return;
    double lo = 1e9, hi = -1e9, total = 0;
    for (int i = 0; i < L->npos; i++) {
        double v = volume_log(shapes[i]);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
    }
    double span = hi - lo > 1e-9 ? hi - lo : 1;
    for (int i = 0; i < L->npos; i++) total += 1.0 + 1.5 * (volume_log(shapes[i]) - lo) / span;
    int gap = U(L, 3);
    int row = L->px_small + U(L, 4);
    L->name_y = strip.y + U(L, 2);
    int box_top = L->name_y + row;
    int box_h = strip.h - 3 * row - U(L, 4);
    L->shape_y[0] = box_top + box_h + U(L, 2);
    L->shape_y[1] = L->shape_y[0] + row;
    double avail = strip.w - gap * (L->npos - 1);
    double x = strip.x;
    for (int i = 0; i < L->npos; i++) {
        double t = (volume_log(shapes[i]) - lo) / span;
        int w = (int)(avail * (1.0 + 1.5 * t) / total);
        int h = (int)(box_h * (0.35 + 0.65 * t));
        L->box[i] = (UiRect){(int)x, box_top + (box_h - h) / 2, w, h};
        x += w + gap;
    }
}

static void layout_left(UiLayout *L, UiRect r)
{
    int head = L->px_body + U(L, 10);
    L->photo_head = ui_cut_top(&r, head);
    L->photo_area = ui_cut_top(&r, (r.h - head) * 2 / 5);
    L->crop_head = ui_cut_top(&r, head);
    ui_cut_bottom(&r, L->px_small + U(L, 6)); /* the receptive-field caption */
    L->crop_area = r;
}

static void layout_right(UiLayout *L, UiRect r, int tile, int patches)
{
    int head = L->px_body + U(L, 10);
    L->zoom_head = L->zoom_area = (UiRect){r.x, r.y, r.w, 0};
    if (tile) { /* the enlarged tile above the cards; without one the cards have it all */
        L->zoom_head = ui_cut_top(&r, head);
        L->zoom_area = ui_cut_top(&r, r.h * (patches ? 40 : 20) / 100);
        ui_cut_top(&r, L->gap);
    }
    UiRect tabs = ui_cut_top(&r, L->px_body + U(L, 14));
    int tw = tabs.w / CARD_COUNT;
    for (int i = 0; i < CARD_COUNT; i++) L->tabs[i] = (UiRect){tabs.x + i * tw, tabs.y, tw - U(L, 2), tabs.h};
    L->card = r;
}

static float layout_scale(int w, int h, float zoom)
{
    float s = fminf(w / BASE_W, h / BASE_H) * (zoom > 0 ? zoom : 1.0f);
    return s < 0.25f ? 0.25f : s;
}

void ui_layout(UiLayout *L, int w, int h, float zoom, const Shape *shapes, int npos, const DrawList *m)
{
    ui_layout_ex(L, w, h, zoom, shapes, npos, m, UI_LAYOUT_TILE, 0);
}

/* The lesson band: a head row (step, buttons), the narration, a thin status line. As tall
   as the narration needs, from two lines to UI_BAND_MAX_PCT percent of the room below
   the strip. */
static void layout_band(UiLayout *L, UiRect *r, int narr_h)
{
    int fixed = U(L, 6) * 2 + U(L, 32) + U(L, 6) + U(L, 22);
    int line = L->px_narr * 13 / 10 + 1;
    int want = narr_h > 0 ? narr_h : U(L, 142);
    int most = r->h * UI_BAND_MAX_PCT / 100 - fixed;
    if (want > most) want = most;
    if (want < 2 * line) want = 2 * line;
    L->band = ui_cut_bottom(r, fixed + want);
    UiRect b = ui_rect_inset(L->band, U(L, 6));
    b.x += L->pad, b.w -= 2 * L->pad;
    L->band_head = ui_cut_top(&b, U(L, 32));
    L->status = ui_cut_bottom(&b, U(L, 22));
    ui_cut_top(&b, U(L, 6));
    L->narr = b;
    L->bottom = L->band_head;
}

void ui_layout_ex(UiLayout *L, int w, int h, float zoom, const Shape *shapes, int npos, const DrawList *m, int flags,
                  int narr_h)
{
    memset(L, 0, sizeof *L);
    L->w = w, L->h = h;
    L->s = layout_scale(w, h, zoom);
    L->px_small = U(L, 12), L->px_body = U(L, 15), L->px_title = U(L, 19), L->px_big = U(L, 26);
    L->pad = U(L, 10), L->gap = U(L, 8);

    UiRect r = {0, 0, w, h};
    L->top = ui_cut_top(&r, U(L, 38));
    L->strip = ui_rect_inset(ui_cut_top(&r, U(L, 104)), L->pad / 2);
    L->strip.x += L->pad / 2, L->strip.w -= L->pad;
    L->lesson = (flags & UI_LAYOUT_LESSON) != 0;
    L->px_narr = U(L, 25);
    if (L->lesson) {
        layout_band(L, &r, narr_h);
    } else {
        UiRect bottom = ui_cut_bottom(&r, U(L, 72));
        L->status = ui_rect_inset(ui_cut_top(&bottom, U(L, 28)), U(L, 2));
        L->status.x += L->pad, L->status.w -= 2 * L->pad;
        L->bottom = ui_rect_inset(bottom, U(L, 6));
        L->bottom.x += L->pad, L->bottom.w -= 2 * L->pad;
    }

    r = ui_rect_inset(r, L->pad);
    int side = U(L, 290), right = U(L, 380);
    if (side > w * 28 / 100) side = w * 28 / 100;
    if (right > w * 34 / 100) right = w * 34 / 100;
    L->left = ui_cut_left(&r, side);
    ui_cut_left(&r, L->gap);
    L->right = ui_cut_right(&r, right);
    ui_cut_right(&r, L->gap);
    L->center = r;
    UiRect c = r;
    L->center_head = ui_cut_top(&c, L->px_title * 6 / 5 + U(L, 12));
    L->center_body = ui_rect_inset(c, U(L, 4));

    layout_strip(L, L->strip, shapes, npos);
    layout_left(L, ui_rect_inset(L->left, U(L, 6)));
    layout_right(L, ui_rect_inset(L->right, U(L, 6)), (flags & UI_LAYOUT_TILE) != 0, (flags & UI_LAYOUT_PATCHES) != 0);
    if (L->lesson) layout_lesson_buttons(L, L->band_head, m);
    else layout_buttons(L, L->bottom, m);
}

int ui_hit_box(const UiLayout *L, int x, int y)
{
    /* The whole column above and below a box counts, so thin boxes are easy to click. */
    for (int i = 0; i < L->npos; i++) {
        UiRect b = L->box[i];
        UiRect col = {b.x, L->strip.y, b.w + U(L, 3), L->strip.h};
        if (ui_rect_contains(col, x, y)) return i;
    }
    return -1;
}

UiAction ui_hit_button(const UiLayout *L, int x, int y)
{
    for (int i = 0; i < L->nbutton; i++)
        if (ui_rect_contains(L->button[i].r, x, y)) return L->button[i].action;
    return ACT_NONE;
}

int ui_hit_tab(const UiLayout *L, int x, int y)
{
    for (int i = 0; i < CARD_COUNT; i++)
        if (ui_rect_contains(L->tabs[i], x, y)) return i;
    return -1;
}

/* ---- grids -------------------------------------------------------------------------- */

void ui_grid_fit(UiGrid *g, UiRect area, int n, int mw, int mh, int gap)
{
    memset(g, 0, sizeof *g);
    g->area = area, g->n = n, g->mw = mw, g->mh = mh, g->gap = gap;
    if (n <= 0 || mw <= 0 || mh <= 0 || area.w <= 0 || area.h <= 0) return;
    double best = -1;
    for (int cols = 1; cols <= n; cols++) {
        int rows = (n + cols - 1) / cols;
        double sw = (double)(area.w - gap * (cols - 1)) / cols / mw;
        double sh = (double)(area.h - gap * (rows - 1)) / rows / mh;
        double sc = sw < sh ? sw : sh;
        if (sc > best) best = sc, g->cols = cols, g->rows = rows;
    }
    if (best <= 0) best = 0.01;
    /* Whole multiples of the map size keep every data pixel the same size on screen;
       below 4× rounding down would waste too much of the panel. */
    if (best >= 4.0) best = floor(best);
    g->tw = (int)(mw * best), g->th = (int)(mh * best);
    if (g->tw < 1) g->tw = 1;
    if (g->th < 1) g->th = 1;
    int used_w = g->cols * g->tw + (g->cols - 1) * gap;
    int used_h = g->rows * g->th + (g->rows - 1) * gap;
    g->x0 = area.x + (area.w - used_w) / 2;
    g->y0 = area.y + (area.h - used_h) / 2;
}

UiRect ui_grid_tile(const UiGrid *g, int i)
{
    if (g->cols <= 0) return (UiRect){0, 0, 0, 0};
    int col = i % g->cols, row = i / g->cols;
    return (UiRect){g->x0 + col * (g->tw + g->gap), g->y0 + row * (g->th + g->gap), g->tw, g->th};
}

int ui_grid_hit(const UiGrid *g, int x, int y, int *tile, int *py, int *px)
{
    if (g->cols <= 0 || x < g->x0 || y < g->y0) return 0;
    int col = (x - g->x0) / (g->tw + g->gap), row = (y - g->y0) / (g->th + g->gap);
    if (col >= g->cols || row >= g->rows) return 0;
    int i = row * g->cols + col;
    if (i >= g->n) return 0;
    UiRect t = ui_grid_tile(g, i);
    if (!ui_rect_contains(t, x, y)) return 0; /* in the gap */
    *tile = i;
    *px = (x - t.x) * g->mw / t.w;
    *py = (y - t.y) * g->mh / t.h;
    return 1;
}

/* ---- images ------------------------------------------------------------------------- */

UiRect ui_fit(UiRect area, int iw, int ih)
{
    if (iw <= 0 || ih <= 0 || area.w <= 0 || area.h <= 0) return (UiRect){area.x, area.y, 0, 0};
    double sc = fmin((double)area.w / iw, (double)area.h / ih);
    int w = (int)(iw * sc), h = (int)(ih * sc);
    return (UiRect){area.x + (area.w - w) / 2, area.y + (area.h - h) / 2, w, h};
}

int ui_to_image(UiRect dst, int iw, int ih, int x, int y, int *ix, int *iy)
{
    if (!ui_rect_contains(dst, x, y)) return 0;
    *ix = (int)((long long)(x - dst.x) * iw / dst.w);
    *iy = (int)((long long)(y - dst.y) * ih / dst.h);
    return 1;
}

UiRect ui_from_image(UiRect dst, int iw, int ih, UiRect r)
{
    if (iw <= 0 || ih <= 0) return (UiRect){dst.x, dst.y, 0, 0};
    double sx = (double)dst.w / iw, sy = (double)dst.h / ih;
    int x0 = dst.x + (int)lround(r.x * sx), y0 = dst.y + (int)lround(r.y * sy);
    int x1 = dst.x + (int)lround((r.x + r.w) * sx), y1 = dst.y + (int)lround((r.y + r.h) * sy);
    return (UiRect){x0, y0, x1 - x0, y1 - y0};
}

/* ---- receptive field ---------------------------------------------------------------- */

static int clip_span(int start, int size, int n, int *lo, int *len)
{
    int a = start < 0 ? 0 : start, b = start + size > n ? n : start + size;
    *lo = a, *len = b - a;
    return a != start || b != start + size;
}

int ui_rf_box(const PlanLayer *r, int y, int x, int in_h, int in_w, UiRect *box, int *clipped)
{
    int rf = 1, jump = 1, start = 0;
    if (r) rf = r->rf, jump = r->rf_jump, start = r->rf_start;
    if (rf <= 0) return 0;
    int cx = clip_span(start + x * jump, rf, in_w, &box->x, &box->w);
    int cy = clip_span(start + y * jump, rf, in_h, &box->y, &box->h);
    if (clipped) *clipped = cx || cy;
    return 1;
}
