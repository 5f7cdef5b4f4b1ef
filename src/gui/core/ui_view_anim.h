/* ui_view_anim.h - the sliding window in the window's centre: the current position's layer
   as a UiAnimSetup, the input channel's picture, and the draw commands (one or two panels:
   the input with its frame of padding zeros and the window, the output map filling in, the
   counters). The numbers and words are ui_anim.c's.

       UiAnimSetup S;
       if (ui_view_anim_setup(&model, &st, &S)) ui_anim_tick(&st.anim, S.count, now);
       ui_view_anim_images(&images, &view);            // after ui_view_images
       if (!vw_anim(&dl, &view)) vw_center(&dl, &view); // in ui_view_build
       char t[512];  ui_view_anim_text(&view, t, sizeof t);   // the counters, one line each

   Pure; no SDL. Draws nothing and returns 0 when the animation is off or the position is not
   a conv or pooling layer. */
#ifndef ALEXSCOPE_UI_VIEW_ANIM_H
#define ALEXSCOPE_UI_VIEW_ANIM_H

#include "ui_anim.h"
#include "ui_view.h"

/* The setup for st's position (whether or not the animation is on); 0 if that position is
   not a windowed layer or no network is loaded. */
int ui_view_anim_setup(const UiModel *m, const UiState *st, UiAnimSetup *S);
/* The input channel's picture (IMG_ANIM) when it is needed and its data changed. */
void ui_view_anim_images(UiImages *im, const UiView *v);
/* Draws the animation over the centre panel; 0 (nothing drawn) when it is not shown. */
int vw_anim(DrawList *dl, const UiView *v);
/* Each panel's title, counter, covered cells and (at the end) the formula, one per line;
   "" when not shown. Returns buf. */
char *ui_view_anim_text(const UiView *v, char *buf, size_t size);

#endif
