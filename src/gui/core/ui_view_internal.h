/* ui_view_internal.h - helpers shared by ui_view*.c (not a public interface). */
#ifndef ALEXSCOPE_UI_VIEW_INTERNAL_H
#define ALEXSCOPE_UI_VIEW_INTERNAL_H

#include "ui_text.h"
#include "ui_view.h"

#define COL(v, c) ui_color((v)->st->theme, (c))
#define US(v, units) ((int)((units) * (v)->L->s + 0.5f))

/* Greedy word wrap inside width w from (x, y); returns the y below the last line. */
int vw_wrap(DrawList *dl, int x, int y, int w, int font, int px, UiColor c, const char *s);
/* The height vw_wrap would take, without drawing. */
int vw_wrap_height(DrawList *dl, int w, int font, int px, const char *s);
/* Lines of a card with their styles; returns the y below. */
int vw_lines(DrawList *dl, const UiView *v, const UiLines *L, UiRect r, int y);
/* The same with body text of px pixels; draw 0 only measures. Lines below r are counted
   as clipped (dl_note_clip). */
int vw_lines_px(DrawList *dl, const UiView *v, const UiLines *L, UiRect r, int y, int px, int draw);
/* dl_text_in with px shrunk (down to min_px) until s fits r's width. */
int vw_text_fit(DrawList *dl, UiRect r, int align, int font, int px, int min_px, UiColor c, const char *s);
void vw_panel(DrawList *dl, const UiView *v, UiRect r);

/* The grid of tiles the centre shows for the current position; 0 if none. */
int vw_center_grid(const UiView *v, UiGrid *g);
/* The enlarged map's rect in the zoom area; 0 if nothing is enlarged. */
int vw_zoom_rect(const UiView *v, int *channel, UiRect *r);
/* Geometry of the fc strip (rows of UI_STRIP_COLS cells); 0 if the position is no vector. */
int vw_strip_geom(const UiView *v, UiRect *area, int *n, int *rows, int *cell_w, int *row_h, int *gap);
/* The unit shown on the cards: the hovered one, else the clicked one; 0 if none. */
int vw_unit(const UiView *v, UiUnit *u);
int vw_is_prob(const UiView *v, int pos);

/* Lessons (ui_view_lesson.c): the narration band, the picker and its rows. */
void vw_lesson_band(DrawList *dl, const UiView *v);
void vw_picker(DrawList *dl, const UiView *v);
/* Row i of the picker; 0 if the picker is closed or the row is scrolled out of view. */
int vw_picker_row(const UiView *v, int i, UiRect *r);
void vw_status(DrawList *dl, const UiView *v, int px);

void vw_center(DrawList *dl, const UiView *v);
void vw_zoom(DrawList *dl, const UiView *v);
void vw_card(DrawList *dl, const UiView *v);
/* 1 if the card shown fits its rect (v->L->card) with body text of px pixels. */
int vw_card_fits(DrawList *dl, const UiView *v, int px);

#endif
