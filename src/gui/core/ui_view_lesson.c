/* ui_view_lesson.c - the lesson's narration band (step, title, the text in large type,
   the status line) and the lesson picker. */
#include "ui_view_internal.h"

#include <stdio.h>
#include <string.h>

/* Draws (draw 1) or measures the narration: paragraphs split at blank lines, a gap
   between them. Returns the height used. */
static int narration_text(DrawList *dl, const UiView *v, int draw, UiRect r, int px, UiColor c, const char *text)
{
    char para[UI_NARRATION_MAX];
    int y = r.y, gap = px / 2;
    const char *p = text;
    while (*p) {
        while (*p == '\n') p++;
        if (!*p) break;
        const char *e = strstr(p, "\n\n");
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n >= sizeof para) n = sizeof para - 1;
        memcpy(para, p, n);
        para[n] = '\0';
        for (char *q = para; *q; q++)
            if (*q == '\n') *q = ' ';
        if (y > r.y) y += gap;
        y = draw ? vw_wrap(dl, r.x, y, r.w, FONT_SANS, px, c, para) : y + vw_wrap_height(dl, r.w, FONT_SANS, px, para);
        p += n;
    }
    return y - r.y;
}

/* In a lesson the band and the card share the height: the narration is as large as
   lets the card keep body text one unit under its usual size, from 1.7× the body text
   down to 1.2×, and smaller still (vw_lesson_band) only if it fills the tallest band. */
void ui_view_layout(UiLayout *L, int w, int h, const UiView *v, DrawList *dl)
{
    const UiState *st = v->st;
    Shape shapes[UI_MAX_POS], s;
    int npos = ui_view_shapes(v->m, shapes, UI_MAX_POS), flags = st->lesson ? UI_LAYOUT_LESSON : 0;
    if (st->channel >= 0 && st->pos < npos && ui_view_data(v, st->pos, &s) && (s.h > 1 || s.w > 1) && st->channel < s.c)
        flags |= UI_LAYOUT_TILE;
    if (st->tool_view == UI_TOOL_VIEW_PATCHES && st->pos > 0 && !st->lesson) flags |= UI_LAYOUT_TILE | UI_LAYOUT_PATCHES; /* H */
    ui_layout_ex(L, w, h, st->zoom, shapes, npos, dl, flags, 0);
    const char *text = v->lesson && v->lesson->ls ? v->lesson->narration : NULL;
    if (!st->lesson || !text) return;
    int hi = L->px_narr, lo = L->px_body * 6 / 5, card = L->px_body - US(v, 1), nw = L->narr.w;
    for (int px = hi; px >= lo; px--) {
        int need = narration_text(dl, v, 0, (UiRect){0, 0, nw, 0}, px, (UiColor){0, 0, 0, 0}, text);
        ui_layout_ex(L, w, h, st->zoom, shapes, npos, dl, flags, need);
        L->px_narr = px;
        if (px == lo || (need <= L->narr.h && vw_card_fits(dl, v, card))) break;
    }
}

void vw_lesson_band(DrawList *dl, const UiView *v)
{
    const UiLayout *L = v->L;
    const UiState *st = v->st;
    const Lesson *ls = v->lesson ? v->lesson->ls : NULL;
    dl_rect(dl, L->band, COL(v, TC_PANEL));
    dl_line(dl, L->band.x, L->band.y, L->band.x + L->band.w, L->band.y, COL(v, TC_ACCENT), US(v, 2));
    UiRect head = L->band_head;
    int right = L->nbutton > 0 ? L->button[L->nbutton - 1].r.x - L->gap : head.x + head.w;
    UiRect left = {head.x, head.y, right - head.x, head.h};
    dl_clip(dl, left);
    if (ls && st->lesson_step >= 0 && st->lesson_step < ls->nsteps) {
        char n[64];
        snprintf(n, sizeof n, "Step %d of %d", st->lesson_step + 1, ls->nsteps);
        int x = left.x + dl_text_in(dl, left, -1, FONT_BOLD, L->px_title, COL(v, TC_ACCENT), n) + L->pad;
        UiRect t = {x, left.y, left.w - (x - left.x), left.h};
        dl_text_in(dl, t, -1, FONT_BOLD, L->px_title, COL(v, TC_TEXT), ls->steps[st->lesson_step].title);
    }
    dl_unclip(dl);

    UiRect r = L->narr;
    const char *text = v->lesson ? v->lesson->narration : NULL;
    dl_clip(dl, r);
    if (!ls) {
        dl_text(dl, r.x, r.y, FONT_SANS, L->px_narr, COL(v, TC_DIM), "No lesson loaded.");
    } else if (!text) {
        static const char *const spin[] = {"◐", "◓", "◑", "◒"};
        char t[160];
        snprintf(t, sizeof t, "%s computing…  %s", spin[(int)(v->now * 6) % 4], v->m->busy_what);
        dl_text(dl, r.x, r.y, FONT_SANS, L->px_narr, COL(v, TC_DIM), t);
    } else {
        /* As large as fits: what ui_view_layout chose, down to the body text for the longest steps. */
        int px = L->px_narr, min_px = L->px_body;
        while (px > min_px && narration_text(dl, v, 0, r, px, COL(v, TC_TEXT), text) > r.h) px--;
        UiColor c = COL(v, v->lesson->narration_error ? TC_ERROR : TC_TEXT);
        narration_text(dl, v, 1, r, px, c, text);
    }
    dl_unclip(dl);
    vw_status(dl, v, L->px_small);
}

/* ---- the picker ------------------------------------------------------------------------ */

typedef struct {
    UiRect panel, list;
    int row_h, first, rows;
} PickerGeom;

static void picker_geom(const UiView *v, PickerGeom *g)
{
    const UiLayout *L = v->L;
    int w = US(v, 820) < L->w - 2 * L->pad ? US(v, 820) : L->w - 2 * L->pad;
    int h = L->h - 2 * US(v, 40);
    g->panel = (UiRect){(L->w - w) / 2, (L->h - h) / 2, w, h};
    UiRect in = ui_rect_inset(g->panel, L->pad);
    ui_cut_top(&in, L->px_big + US(v, 14));
    ui_cut_bottom(&in, L->px_small + US(v, 10));
    g->list = in;
    g->row_h = L->px_title + L->px_small + US(v, 14);
    g->rows = g->row_h > 0 ? in.h / g->row_h : 0;
    if (g->rows < 1) g->rows = 1;
    int n = v->st->picker_n, sel = v->st->picker_sel;
    g->first = sel >= g->rows ? sel - g->rows + 1 : 0;
    if (g->first > n - g->rows) g->first = n - g->rows > 0 ? n - g->rows : 0;
}

int vw_picker_row(const UiView *v, int i, UiRect *r)
{
    if (!v->st->picker) return 0;
    PickerGeom g;
    picker_geom(v, &g);
    if (i < g.first || i >= g.first + g.rows || i >= v->st->picker_n) return 0;
    *r = (UiRect){g.list.x, g.list.y + (i - g.first) * g.row_h, g.list.w, g.row_h - US(v, 4)};
    return 1;
}

void vw_picker(DrawList *dl, const UiView *v)
{
    const UiLayout *L = v->L;
    const UiState *st = v->st;
    if (!st->picker) return;
    dl_rect(dl, (UiRect){0, 0, L->w, L->h}, COL(v, TC_SHADE));
    PickerGeom g;
    picker_geom(v, &g);
    vw_panel(dl, v, g.panel);
    dl_frame(dl, g.panel, COL(v, TC_ACCENT), US(v, 2));
    UiRect in = ui_rect_inset(g.panel, L->pad);
    dl_text(dl, in.x, in.y, FONT_BOLD, L->px_big, COL(v, TC_ACCENT), "Lessons");
    const UiLessonList *list = v->lesson ? v->lesson->list : NULL;
    if (!list || list->n == 0) {
        const char *why = v->lesson && v->lesson->list_error ? v->lesson->list_error : "No .lesson files in the lessons folder.";
        vw_wrap(dl, g.list.x, g.list.y, g.list.w, FONT_SANS, L->px_title, COL(v, TC_WARN), why);
    }
    for (int i = 0; list && i < list->n && i < st->picker_n; i++) {
        UiRect r;
        if (!vw_picker_row(v, i, &r)) continue;
        const UiLessonEntry *e = &list->e[i];
        int sel = i == st->picker_sel;
        dl_rect(dl, r, COL(v, sel ? TC_ACCENT : TC_BUTTON));
        UiRect t = ui_rect_inset(r, US(v, 4));
        t.x += L->pad / 2, t.w -= L->pad;
        dl_clip(dl, t);
        UiColor fg = COL(v, sel ? TC_ON_ACCENT : TC_TEXT);
        dl_text(dl, t.x, t.y, FONT_BOLD, L->px_title, e->error[0] ? COL(v, sel ? TC_ON_ACCENT : TC_ERROR) : fg,
                e->error[0] ? "(does not load)" : e->title);
        char sub[700];
        if (e->error[0]) snprintf(sub, sizeof sub, "%s", e->error);
        else snprintf(sub, sizeof sub, "%s · %d steps", e->file, e->nsteps);
        dl_text(dl, t.x, t.y + L->px_title + US(v, 4), FONT_SANS, L->px_small, sel ? fg : COL(v, TC_DIM), sub);
        dl_unclip(dl);
    }
    UiRect foot = {g.list.x, g.list.y + g.list.h + US(v, 4), g.list.w, L->px_small + US(v, 6)};
    char hint[1200];
    snprintf(hint, sizeof hint, "↑ ↓  choose    Enter or click  start    Esc  close        %s", list ? list->dir : "");
    dl_clip(dl, foot);
    dl_text_in(dl, foot, -1, FONT_SANS, L->px_small, COL(v, TC_DIM), hint);
    dl_unclip(dl);
}
