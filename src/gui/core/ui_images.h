/* ui_images.h - the pictures the window shows, as RGB pixel buffers built by pure code:
   the photo and the crop (from the worker), the feature-map atlas of the current layer,
   the fc heat strip, and the kernels.

   Each image carries a key; the backend re-uploads its texture only when the key changes,
   so the 384 tiles of conv3 are one texture built once per (layer, normalisation,
   colormap), not 384 uploads a frame.

       UiImages im;  ui_images_init(&im);
       ui_images_atlas(&im, run->out_data, run->out, NORM_CHANNEL, CMAP_VIRIDIS, key);
       UiRect src = ui_atlas_src(&im, 17);     // channel 17's pixels in the atlas
       ui_images_free(&im);

   Colours, ranges (NaN skipped) and filter patches come from viz.h, so the window and the
   PNG export draw a map alike; the layouts differ (no gaps here, black background).

   Ownership: every buffer belongs to the UiImages (freed by ui_images_free); the data
   passed in is only read during the call. Failure: -1 when a buffer cannot be allocated
   (the previous picture stays). */
#ifndef ALEXSCOPE_UI_IMAGES_H
#define ALEXSCOPE_UI_IMAGES_H

#include <stdint.h>

#include "img.h"
#include "net.h"
#include "ui_draw.h"
#include "viz.h"

typedef enum { IMG_PHOTO, IMG_CROP, IMG_ATLAS, IMG_STRIP, IMG_KERNELS, IMG_ANIM, IMG_IM2COL, IMG_TOOLS, IMG_COUNT } UiImageId; /* IMG_TOOLS: ui_view_tools.c's crops / occlusion / patches */ /* IMG_ANIM: ui_view_anim.c's input channel; IMG_IM2COL: ui_view_im2col.c's matrices */

typedef struct {
    int w, h;
    unsigned char *rgb;   /* (h, w, 3) */
    uint64_t key;         /* 0: empty */
} UiImage;

#define UI_STRIP_COLS 128 /* fc vectors are drawn as rows of this many units */

typedef struct {
    UiImage img[IMG_COUNT];
    int atlas_cols, atlas_n, atlas_mw, atlas_mh;
    int kern_n, kern_cols, kern_k, kern_rgb, kern_groups; /* kernel atlas layout */
} UiImages;

void ui_images_init(UiImages *im);
void ui_images_free(UiImages *im);

/* A hash for building keys: ui_key(ui_key(0, a), b) ... never returns 0. */
uint64_t ui_key(uint64_t h, uint64_t v);

/* Copies an RGB image in (photo / crop). 0, or -1 out of memory (the old one stays). */
int ui_images_set(UiImages *im, UiImageId id, const Image *src, uint64_t key);

/* All channels of data (c, h, w) as one atlas, each channel normalised by its own range
   (NORM_CHANNEL) or the layer's (NORM_LAYER), through the colormap. No-op if key matches. */
int ui_images_atlas(UiImages *im, const float *data, Shape s, Norm norm, Colormap cm, uint64_t key);
UiRect ui_atlas_src(const UiImages *im, int channel);

/* A vector of n values as rows of UI_STRIP_COLS cells, normalised by its range. */
int ui_images_strip(UiImages *im, const float *v, int n, Colormap cm, uint64_t key);

/* Kernels of conv layer weights w (cout, cin_g, k, k):
   cin_g == 3 (first layer): every filter as an RGB tile (bgr: swap to RGB), in bands of
   cout/groups filters (the paper's Figure 3 shows conv1's two GPUs as two bands);
   otherwise: the cin_g slices of filter 'o' in viz_diverging_rgb (blue < 0 < red). */
int ui_images_kernels(UiImages *im, const float *w, int cout, int cin_g, int k, int bgr, int groups, int o,
                      uint64_t key);
UiRect ui_kernel_src(const UiImages *im, int i);

#endif
