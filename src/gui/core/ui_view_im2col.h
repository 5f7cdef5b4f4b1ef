/* ui_view_im2col.h - the im2col view (key I on a conv layer): the layer as Caffe computes
   it. The centre shows the patch matrix (one column per window, a slice enlarged and the
   whole matrix as a thumbnail), a few columns as the windows they came from, the weight
   matrix (one row per filter), and for the selected unit the product row · column + b
   next to the naive loops' value; the sizes and MAC counts are plan_im2col's, the numbers
   im2col_unit's (nn/im2col_net.h). Group 1 (the first group) for grouped layers.

       UiIm2col S;
       if (ui_im2col_setup(net, weights, in, pos, st.channel, &st.unit, &S) == 0) {
           UiLines L;  ui_im2col_text(net, &S, &L);   // L.s[UI_IM2COL_SIZES]: "96 × 363 · ..."
       }
       ui_view_im2col_images(&images, &view);           // after ui_view_images
       if (vw_im2col(&dl, &view)) ...                    // drew the centre panel

   Pure; no SDL. vw_im2col draws nothing and returns 0 when the view is off or the position
   is not a conv layer. */
#ifndef ALEXSCOPE_UI_VIEW_IM2COL_H
#define ALEXSCOPE_UI_VIEW_IM2COL_H

#include "im2col_net.h"
#include "ui_text.h"
#include "ui_view.h"

#define UI_IM2COL_SLICE 25   /* columns of the patch matrix enlarged */
#define UI_IM2COL_WINDOWS 5  /* columns drawn as windows (the selected one in the middle) */

typedef struct {
    int layer;               /* arch index of the conv shown */
    PlanIm2col z;            /* the matrix sizes (per group) */
    Shape in, out;
    int k;
    int o, y, x;             /* the filter and output unit followed */
    long column;             /* y·wo + x: its column of the patch matrix */
    long first, count;       /* the columns enlarged */
    long win0;               /* the columns drawn as windows: win0 .. win0 + nwin − 1 */
    int nwin;
    int rgb;                 /* three input channels: windows and filters as colour pictures */
    int have_unit;           /* u is filled (the layer's input was ready) */
    Im2colUnit u;
    long long plan_macs;     /* the naive loops' count, from the plan */
} UiIm2col;

/* The lines of ui_im2col_text, in this order. */
enum {
    UI_IM2COL_TITLE, UI_IM2COL_SIZES, UI_IM2COL_STACK /* "" without groups */, UI_IM2COL_MACS, UI_IM2COL_PATCH, UI_IM2COL_WEIGHTS,
    UI_IM2COL_WINDOWS_CAP, UI_IM2COL_THUMB, UI_IM2COL_PRODUCT, UI_IM2COL_NAIVE, UI_IM2COL_MEMORY,
    UI_IM2COL_NLINES
};

/* Position pos (1..nlayers) of n as the im2col view. channel (or unit, when it is valid and
   at pos) picks the filter, unit the output position (default: the middle one). in: the
   layer's input if it may be read, else NULL (the product is then not shown). 0, or -1 if
   the position is not a conv layer. */
int ui_im2col_setup(const Net *n, const Weights *w, const float *in, int pos, int channel, const UiUnit *unit,
                    UiIm2col *S);
void ui_im2col_text(const Net *n, const UiIm2col *S, UiLines *L);

/* The view is on and the current position is a conv layer. */
int ui_view_im2col_shown(const UiView *v);
/* IMG_IM2COL: the patch matrix, the weight matrix and the window / filter tiles, rebuilt
   when the layer, its data or the followed unit change. */
void ui_view_im2col_images(UiImages *im, const UiView *v);
/* Draws the view in the centre panel; 0 (nothing drawn) when it is not shown. */
int vw_im2col(DrawList *dl, const UiView *v);

#endif
