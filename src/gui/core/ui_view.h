/* ui_view.h - one frame as draw commands, and what the mouse is over.

   Immediate mode: every frame the whole window is rebuilt from the state, the layout and
   the model; nothing here remembers anything between frames.

       UiView v = {&st, &layout, &model, &images, &labels, now};
       ui_view_images(&v_mut_images, &v);       // (re)build atlas / strip / kernels if keys changed
       ui_hover(&st, &v, mx, my);               // mouse moved
       fx |= ui_click(&st, &v, mx, my);         // mouse clicked
       dl_reset(&dl);  ui_view_build(&dl, &v);  // then the backend draws dl

   Pure; no SDL. */
#ifndef ALEXSCOPE_UI_VIEW_H
#define ALEXSCOPE_UI_VIEW_H

#include "labels.h"
#include "ui_draw.h"
#include "ui_images.h"
#include "ui_layout.h"
#include "ui_lesson.h"
#include "ui_state.h"
#include "ui_model.h"

typedef struct {
    const UiState *st;
    const UiLayout *L;
    const UiModel *m;      /* m->net NULL while the first weights load */
    const UiImages *im;
    const Labels *labels;  /* NULL: "class N" */
    double now;            /* seconds, for the busy animation */
    double frame_ms;       /* last frame's time, shown in the status line (0: hidden) */
    const UiLessonShow *lesson; /* NULL: no lesson, no picker */
} UiView;

typedef enum {
    PICK_NONE, PICK_BOX, PICK_BUTTON, PICK_TAB, PICK_TILE, PICK_ZOOM, PICK_STRIP, PICK_LESSON,
    PICK_SAL_METHOD, PICK_SAL_CLASS /* the saliency view's buttons and classes (ui_view_saliency.h) */
} UiPickKind;

typedef struct {
    UiPickKind kind;
    int pos;              /* PICK_BOX */
    UiAction action;      /* PICK_BUTTON */
    int card;             /* PICK_TAB */
    int c, y, x;          /* PICK_TILE / PICK_ZOOM: unit of the current position */
    int index;            /* PICK_STRIP: unit of a vector; PICK_LESSON: entry of the picker;
                             PICK_SAL_METHOD: ReluMode; PICK_SAL_CLASS: class */
} UiPick;

/* Rebuilds the atlas, fc strip and kernel images when their keys change. */
void ui_view_images(UiImages *im, const UiView *v);
void ui_view_build(DrawList *dl, const UiView *v);

void ui_pick(const UiView *v, int x, int y, UiPick *p);
void ui_hover(UiState *st, const UiView *v, int x, int y);
/* Returns UI_FX_* bits (a layer box or button may need a recompute). */
int ui_click(UiState *st, const UiView *v, int x, int y);

/* Shapes of every position for ui_layout (npos = nlayers + 1); 0 without a net. */
int ui_view_shapes(const UiModel *m, Shape *shapes, int max);
/* Lays out *L (which v->L points to) for what v shows: the enlarged tile's room only when a
   channel is kept, a lesson band as tall as its narration needs. dl measures text. */
void ui_view_layout(UiLayout *L, int w, int h, const UiView *v, DrawList *dl);

/* The grid of tiles the centre shows now; 0 if it shows no tiles. */
int ui_view_grid(const UiView *v, UiGrid *g);

/* The data of the current position if it may be read now, else NULL. */
const float *ui_view_data(const UiView *v, int pos, Shape *s);

#endif
