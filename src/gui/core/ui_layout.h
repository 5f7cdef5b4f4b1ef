/* ui_layout.h - where every panel is, for a window size and UI scale, and hit-testing
   (point -> layer box, button, tab, tile, pixel; unit -> receptive-field box).

   The design is drawn for 1280×720 in layout units; the scale is
   min(w / 1280, h / 720) × zoom, so a 4K projector gets the same picture three times
   larger and Ctrl +/- grows every font and panel together.

       UiLayout L;
       ui_layout(&L, 1920, 1080, st.zoom, shapes, arch->nlayers + 1, &drawlist);
       int pos = ui_hit_box(&L, mx, my);        // -1: not on a layer box

   What is shown changes the split: the right column keeps room for the enlarged tile
   only when one is shown (UI_LAYOUT_TILE), and a lesson's band is as tall as its
   narration needs (narr_h), within limits that leave the panels room. ui_view_layout
   (ui_view.h) works both out from the state.

   Pure; no SDL, no allocation. */
#ifndef ALEXSCOPE_UI_LAYOUT_H
#define ALEXSCOPE_UI_LAYOUT_H

#include "net.h"
#include "ui_draw.h"
#include "ui_state.h"

#define UI_MAX_POS 64
#define UI_MAX_BUTTONS 14

typedef struct {
    UiAction action;
    const char *label;
    UiRect r;
} UiButton;

typedef struct {
    int w, h;
    float s;                    /* pixels per layout unit */
    int px_small, px_body, px_title, px_big;
    int pad, gap;
    UiRect top, strip, left, center, right, bottom, status;
    UiRect photo_head, photo_area, crop_head, crop_area;
    UiRect center_head, center_body;
    UiRect zoom_head, zoom_area;  /* empty when no tile is shown */
    UiRect tabs[CARD_COUNT], card;
    int npos;
    UiRect box[UI_MAX_POS];     /* pipeline strip: one box per position */
    int name_y, shape_y[2];     /* text rows above and (staggered) below the boxes */
    int nbutton;
    UiButton button[UI_MAX_BUTTONS];
    /* lesson mode: the bottom is a tall narration band instead of the button row */
    int lesson;
    int px_narr;                /* narration text: 1.7× the body text, less to give the card room */
    UiRect band, band_head, narr;
} UiLayout;

enum {
    UI_LAYOUT_LESSON = 1, /* a narration band with the lesson's buttons at the bottom */
    UI_LAYOUT_TILE = 2,   /* an enlarged tile above the cards */
    UI_LAYOUT_PATCHES = 4,/* with UI_LAYOUT_TILE: twice its room, for the top patches (key H) */
};

/* shapes: output shape of every position (shapes[0] = the input). With a tile, no lesson. */
void ui_layout(UiLayout *L, int w, int h, float zoom, const Shape *shapes, int npos, const DrawList *measure);
/* flags: UI_LAYOUT_*; narr_h: the narration's height in pixels (its width, narr.w, does
   not depend on it), 0 for the usual band. The band takes at most UI_BAND_MAX_PCT percent
   of the height below the strip. */
void ui_layout_ex(UiLayout *L, int w, int h, float zoom, const Shape *shapes, int npos, const DrawList *measure,
                  int flags, int narr_h);
#define UI_BAND_MAX_PCT 40

int ui_hit_box(const UiLayout *L, int x, int y);         /* position or -1 */
UiAction ui_hit_button(const UiLayout *L, int x, int y); /* ACT_NONE if none */
int ui_hit_tab(const UiLayout *L, int x, int y);         /* UiCard or -1 */

/* ---- grids of tiles --------------------------------------------------------------- */

typedef struct {
    UiRect area;
    int n, cols, rows;
    int mw, mh;       /* one map's size in data pixels */
    int tw, th, gap;  /* one tile on screen */
    int x0, y0;       /* top-left of the first tile */
} UiGrid;

/* Fits n maps of mw×mh into area with the largest tiles that keep the aspect. */
void ui_grid_fit(UiGrid *g, UiRect area, int n, int mw, int mh, int gap);
UiRect ui_grid_tile(const UiGrid *g, int i);
/* Point -> tile index and the data pixel (py, px) under it; 0 if not on a tile. */
int ui_grid_hit(const UiGrid *g, int x, int y, int *tile, int *py, int *px);

/* ---- images ------------------------------------------------------------------------- */

/* The largest rect with aspect iw:ih centred in area. */
UiRect ui_fit(UiRect area, int iw, int ih);
/* Screen point in dst (showing an iw×ih image) -> image pixel; 0 if outside. */
int ui_to_image(UiRect dst, int iw, int ih, int x, int y, int *ix, int *iy);
/* Image rect (in the image's pixels) -> screen rect inside dst. */
UiRect ui_from_image(UiRect dst, int iw, int ih, UiRect r);

/* ---- receptive field ---------------------------------------------------------------- */

/* The input pixels unit (y, x) of run r sees: left = rf_start + x·rf_jump, size rf,
   clipped to the in_w × in_h input. r NULL means the input itself (1×1). Returns 1 and
   the box, with *clipped set when the box was cut at an edge; 0 when the layer has no
   spatial receptive field (fc). */
int ui_rf_box(const PlanLayer *r, int y, int x, int in_h, int in_w, UiRect *box, int *clipped);

#endif
