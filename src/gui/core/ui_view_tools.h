/* ui_view_tools.h - the views of the tools that need many forward passes (issue 9), drawn
   from the results the worker publishes in UiModel: the paper's ten crops (key X) and the
   occlusion map (key O) in the centre panel, the enlarged channel's top patches (key H) in
   the enlarged-channel panel; and the line that says which engine computed a layer.

       ui_view_tools_images(&images, &view);      // after ui_view_images: IMG_TOOLS
       if (vw_tools(&dl, &view)) ...               // drew the centre (crops / occlusion)
       if (vw_patches(&dl, &view)) ...             // drew the enlarged-channel panel
       char t[160];  ui_engine_text(&model, 0, t, sizeof t);
           // "conv1 computed by fast · naive 231.0 ms, fast 19.8 ms"

   Pure; no SDL. Every number comes from the result (the tools' own), never typed. */
#ifndef ALEXSCOPE_UI_VIEW_TOOLS_H
#define ALEXSCOPE_UI_VIEW_TOOLS_H

#include <stddef.h>

#include "ui_view.h"

/* Which engine computed arch layer `layer`, and its time on each engine that ran it. */
char *ui_engine_text(const UiModel *m, int layer, char *buf, size_t size);
/* "(227 − 32)/16 + 1 = 13.19 → 13 positions per axis": the grid of a square of side win
   sliding with stride over n pixels, from the slides' formula. */
char *ui_occ_grid_text(int n, int win, int stride, char *buf, size_t size);
/* The occlusion map's most important position: the one where the probability fell most. */
int ui_occ_most(const UiOcclusion *o);

/* The centre shows a tool (ten crops or occlusion) instead of the layer. */
int ui_view_tools_shown(const UiView *v);
/* IMG_TOOLS: the ten crops, the input under the occlusion map, or the channel's patches. */
void ui_view_tools_images(UiImages *im, const UiView *v);
/* Draws the centre; 0 (nothing drawn) when no tool's view is on. */
int vw_tools(DrawList *dl, const UiView *v);
/* Draws the enlarged-channel panel as the channel's top patches; 0 when H is off. */
int vw_patches(DrawList *dl, const UiView *v);
/* The status line's progress bar for a running tool job in r; 0 when none runs. */
int vw_progress(DrawList *dl, const UiView *v, UiRect r, int px);

#endif
