/* ui_anim.h - the sliding window, as numbers and words: where a conv or pooling layer's k×k
   window is at each position, which input cells (and padding zeros) it covers, which output
   unit it makes, and the counter "position 17 of 55 in this row"; the playing state (on,
   paused, speed, position) and its keys. The drawing is ui_view_anim.c's.

       UiAnimSetup S;
       ui_anim_setup(&arch_alexnet, 4, (Shape){96, 27, 27}, UI_ANIM_AUTO, &S);   // conv2
       // S.npanels == 2: with padding (27 -> 27) and without (27 -> 23), side by side
       UiAnimWin w;
       ui_anim_window(&S.panel[0], &S, 0, &w);   // w.y0 == w.x0 == -2: the window starts in the padding
       char t[160];
       ui_anim_counter(&S.panel[0], &w, t, sizeof t);  // "position 1 of 27 in this row · row 1 of 27"

   Positions are row-major from 0 over the widest panel's output (S.count of them); a panel
   whose output is smaller has no window at the positions it lacks (w.has 0). Every size
   comes from conv_out_size / size_calc (nn/arch.h), never typed.

   The state (UiAnimState, kept in UiState) advances with the caller's clock:
       ui_anim_start(&st.anim);                  // A
       each frame: ui_anim_tick(&st.anim, S.count, now);
   Pure: no SDL, no allocation. */
#ifndef ALEXSCOPE_UI_ANIM_H
#define ALEXSCOPE_UI_ANIM_H

#include <stddef.h>

#include "arch.h"

/* What is shown side by side. AUTO: PADDING for a padded layer, else ROUNDING when the size
   does not divide, else LAYER. PAPER: the first convolution at the paper's 224 input,
   floor beside ceil (only where the arch's input is not 224 already). */
typedef enum { UI_ANIM_AUTO, UI_ANIM_LAYER, UI_ANIM_PADDING, UI_ANIM_ROUNDING, UI_ANIM_PAPER, UI_ANIM_VARIANTS } UiAnimVariant;
extern const char *const ui_anim_variant_names[UI_ANIM_VARIANTS]; /* "auto", "layer", "padding", ... */

#define UI_ANIM_PAPER_N 224 /* the input size the paper states (Krizhevsky et al. 2012, section 3.5) */

/* One version of the layer: its window over an input of n_h × n_w. */
typedef struct {
    int n_h, n_w, f, p, s, ceil_mode;
    int out_h, out_w;        /* conv_out_size of each axis */
    int as_run;              /* 1: the layer as the network runs it (its output can be shown) */
    SizeCalc calc;           /* size_calc on n_w with this version's p and rounding */
    char title[96];          /* "with padding p = 2", "without padding", "rounded up (ceil)" */
} UiAnimGeom;

typedef struct {
    int layer;               /* arch layer index */
    const LayerSpec *spec;
    UiAnimVariant variant;   /* resolved (never AUTO) */
    int npanels;             /* 1 or 2 */
    UiAnimGeom panel[2];
    int count, cols;         /* positions (rows × cols of the widest panel), cols per row */
} UiAnimSetup;

/* The window at one position, in input coordinates (negative or >= n: outside the input). */
typedef struct {
    int has;                 /* this panel has a window at this position */
    int k, row, col;         /* position (0-based), its output row and column */
    int y0, x0, f;           /* top-left input cell and size */
    int iy0, iy1, ix0, ix1;  /* the input cells covered, inclusive; iy0 > iy1 if none */
    int pad_cells;           /* cells in the padding (zeros) */
    int over_cells;          /* cells past the padded input: the window hangs over the edge */
} UiAnimWin;

/* Fills S for windowed layer `layer` of a with input shape in; -1 if the layer is not a
   conv or pooling layer. A variant that does not apply to the layer falls back to AUTO. */
int ui_anim_setup(const ArchSpec *a, int layer, Shape in, UiAnimVariant want, UiAnimSetup *S);
/* 1 if variant v applies to the layer (AUTO and LAYER always). */
int ui_anim_applies(const ArchSpec *a, int layer, Shape in, UiAnimVariant v);
/* The next variant after S's that applies (cycles through LAYER, PADDING, ROUNDING, PAPER). */
UiAnimVariant ui_anim_next_variant(const ArchSpec *a, int layer, Shape in, UiAnimVariant cur);

/* Position k (clamped to 0 .. S->count − 1) in panel g. */
void ui_anim_window(const UiAnimGeom *g, const UiAnimSetup *S, int k, UiAnimWin *w);

/* "position 17 of 55 in this row · row 3 of 55" (1-based); past this panel's last position:
   "no position 56 here: this version stops at 55 per row". Returns buf. */
char *ui_anim_counter(const UiAnimGeom *g, const UiAnimWin *w, char *buf, size_t size);
/* "covers rows 8–18, columns 216–226" and the padding / over-the-edge cells; "" where the
   panel has no window. Returns buf. */
char *ui_anim_covers(const UiAnimGeom *g, const UiAnimWin *w, char *buf, size_t size);
/* At the last position: "last position: 55 per row, 55 rows = (227−11)/4+1 = 55"; else "". */
char *ui_anim_done(const UiAnimGeom *g, const UiAnimWin *w, char *buf, size_t size);
/* How neighbouring windows relate: "3×3 windows at stride 2 overlap: neighbours share 1
   column (overlapping pooling, as in the paper)"; "... tile the input"; "... skip ...". */
char *ui_anim_overlap(const UiAnimSetup *S, char *buf, size_t size);
/* The input channel the animation draws for output channel oc: pools the same channel,
   convs the first channel of oc's group. */
int ui_anim_in_channel(const UiAnimSetup *S, Shape in, int oc);

/* ---- playing ---------------------------------------------------------------------------- */

#define UI_ANIM_SPEEDS 9
extern const double ui_anim_speeds[UI_ANIM_SPEEDS]; /* positions per second */
#define UI_ANIM_DEFAULT_SPEED 3

typedef struct {
    int on;                  /* the animation replaces the centre (windowed layers) */
    int playing;             /* 0: paused */
    int k;                   /* current position */
    int speed;               /* index into ui_anim_speeds */
    int variant;             /* UiAnimVariant asked for */
    int count;               /* positions of the current setup (the last tick's) */
    int anchor;              /* 1: re-anchor the clock at the next tick */
    double t0;               /* when position k0 was shown */
    int k0;
} UiAnimState;

void ui_anim_init(UiAnimState *a);
/* A: on (playing from 0, or from where it was paused) / off. */
void ui_anim_toggle(UiAnimState *a);
/* Plays from position k (on). */
void ui_anim_play_from(UiAnimState *a, int k);
/* Shows position k, paused (on). */
void ui_anim_show(UiAnimState *a, int k);
/* Space: pause / play (at the end: from 0 again). */
void ui_anim_pause(UiAnimState *a);
/* → / ←: one position (pauses). */
void ui_anim_step(UiAnimState *a, int delta);
/* [ / ]: slower / faster. */
void ui_anim_speed(UiAnimState *a, int delta);
/* The layer changed: from position 0 again (playing or not as before). */
void ui_anim_rewind(UiAnimState *a);
/* Advances k with the clock; stops at count − 1. */
void ui_anim_tick(UiAnimState *a, int count, double now);

#endif
