/* ui_view_saliency.h - the saliency view (key Y, issue 10): the gradient of the target's
   score with respect to the input, drawn in the centre panel from the result the worker
   publishes in UiModel.sal (worker_saliency): the input crop, the map (max |gradient| over
   channels, normalised, grey as `alexscope saliency` writes it) and the signed gradient as
   RGB; the target, the method with its three clickable buttons (B cycles them), the top-5
   classes to click, the map's max, the times and what the weights allow one to conclude.

       ui_view_saliency_images(&images, &view);    // after ui_view_images: IMG_TOOLS
       if (vw_saliency(&dl, &view)) ...            // drew the centre
       UiPick p;  if (ui_sal_pick(&view, x, y, &p)) ...   // a method button or a class row
       ui_sal_click(&st, &view, &p)                // sets st.sal / st.sal_method

   The target (UiState.sal) is the top-1 class until a class (the predictions' strip, or a
   row here) or a unit (a tile or the enlarged map of a layer with maps) is clicked.
   Pure; no SDL. Every number comes from the result or the net, never typed. */
#ifndef ALEXSCOPE_UI_VIEW_SALIENCY_H
#define ALEXSCOPE_UI_VIEW_SALIENCY_H

#include <stddef.h>

#include "backward.h"
#include "ui_view.h"

#define UI_SAL_ROWS 5 /* classes offered as targets */

/* Where the view puts what can be clicked (computed without measuring text). */
typedef struct {
    UiRect img[3];                  /* input, |gradient| map, signed gradient */
    UiRect chip[RELU_MODE_COUNT];   /* the method buttons */
    UiRect row[UI_SAL_ROWS];        /* the classes with the highest scores ... */
    int cls[UI_SAL_ROWS], nrows;    /* ... which they are (0 rows before the scores exist) */
    UiRect text;                    /* the column of explanations */
} UiSalGeom;

/* "class 281 tabby: fc8 score 12.3 (before the softmax)" or "conv5 channel 3 at row 6,
   column 7: activation 1.23"; labels may be NULL. */
char *ui_sal_target_text(const UiSaliency *s, const Net *n, const Labels *labels, char *buf, size_t size);
/* "∂ fc8[281] / ∂ input" or "∂ conv5[3, 6, 7] / ∂ input". */
char *ui_sal_formula(const UiSaliency *s, const Net *n, char *buf, size_t size);
/* What the weights let one conclude from the map. */
const char *ui_sal_weights_note(const UiSaliency *s);

/* The saliency view is on (and there is a net). */
int ui_view_saliency_shown(const UiView *v);
/* 1 and g filled when the view is shown. */
int ui_sal_geom(const UiView *v, UiSalGeom *g);
/* IMG_TOOLS: input | map | signed gradient, side by side (in.w × 3 by in.h). */
void ui_view_saliency_images(UiImages *im, const UiView *v);
/* Draws the centre; 0 (nothing drawn) when the view is off. */
int vw_saliency(DrawList *dl, const UiView *v);

/* A method button (PICK_SAL_METHOD, index = ReluMode) or a class row (PICK_SAL_CLASS,
   index = class) under (x, y); 0 if neither. */
int ui_sal_pick(const UiView *v, int x, int y, UiPick *p);
/* What a click on p does to the target: a saliency pick, a unit of a tile or the enlarged
   map (PICK_TILE / PICK_ZOOM, after st.unit is set) or a cell of an fc strip. Returns
   UI_FX_TOOL when the open saliency view must be computed again, else 0. */
int ui_sal_click(UiState *st, const UiView *v, const UiPick *p);

#endif
