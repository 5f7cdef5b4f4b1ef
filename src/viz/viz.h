/* viz.h - numbers as colours: colormaps, value ranges, and the pixels of feature maps,
   montages, heat strips and filters. Both the PNG export (export.h) and the window
   (gui/ui_images.h) draw with these, so a map looks the same in a file and on screen.

   The rules, in one place:
     range     viz_range skips NaN; an empty or all-NaN run has the range [0, 0].
     unit      viz_unit maps v to 0..1 by [lo, hi], clamped; NaN gives 0; a flat or
               non-finite range (hi <= lo, or hi - lo overflows) gives 0.5, so a dead
               channel is mid-grey (or viridis' teal) rather than black.
     colormap  grey, or viridis (perceptual, readable by colour-blind viewers and on
               projectors) sampled from matplotlib's published table at 33 points and
               interpolated linearly (within 2/255 of the 256-entry table).
     filters   each filter scaled to 0..255 by its own range (shapes, not magnitudes).

       float lo, hi;
       viz_range(map, h * w, &lo, &hi);
       Image im;                                  // or paint into your own buffer:
       viz_channel_image(map, h, w, lo, hi, CMAP_VIRIDIS, 2, &im, &err);
       viz_paint_grid(&canvas, data, shape, NORM_CHANNEL, CMAP_GREY, cols, 1, 0);
       img_free(&im);

   Ownership: viz_*_image return an Image the caller frees (img_free); viz_paint_* write
   into a canvas the caller owns (an Image used as a view of any RGB buffer) and check
   nothing: the caller sizes the canvas. Failure (the *_image functions): -1 and an Err
   ("export: ..."), for empty input or a picture over VIZ_MAX_PIXELS. */
#ifndef ALEXSCOPE_VIZ_H
#define ALEXSCOPE_VIZ_H

#include "img.h"
#include "net.h"

#define VIZ_MAX_PIXELS (64LL * 1000 * 1000) /* one montage; a 4096-channel grid fits */
#define VIZ_STRIP_COLS 64                   /* units per row of an exported heat strip */

typedef enum { CMAP_GREY, CMAP_VIRIDIS } Colormap;
typedef enum { NORM_CHANNEL, NORM_LAYER } Norm;

/* ---- numbers -> colours --------------------------------------------------------------- */

/* v in 0..1 -> rgb (v clamped; NaN is 0). */
void viz_colormap_rgb(Colormap cm, float v, unsigned char rgb[3]);
/* The diverging map of kernels: -1 blue, 0 near-white, +1 red (ColorBrewer RdBu ends). */
void viz_diverging_rgb(float v, unsigned char rgb[3]);
/* Smallest and largest of x[0..n), NaN skipped; [0, 0] if nothing is left. */
void viz_range(const float *x, long n, float *lo, float *hi);
/* v on [lo, hi] as 0..1 (see the rules above). */
float viz_unit(float v, float lo, float hi);
/* Columns of a square-ish montage of n tiles: ceil(sqrt(n)), at least 1. */
int viz_grid_cols(int n);

/* ---- pixels into a caller's canvas ------------------------------------------------------ */

/* One (h, w) map, each value a scale×scale block, at (x0, y0). */
void viz_paint_channel(Image *dst, int x0, int y0, const float *d, int h, int w, float lo, float hi,
                       Colormap cm, int scale);
/* Every channel of data (s.c, s.h, s.w) as tiles in `cols` columns, `gap` pixels apart, each
   normalised by its own range (NORM_CHANNEL) or the whole layer's (NORM_LAYER). The gaps
   are left as they are (clear the canvas first). */
void viz_paint_grid(Image *dst, const float *data, Shape s, Norm norm, Colormap cm, int cols, int scale,
                    int gap);
/* n values as rows of `cols` scale×scale blocks, normalised together by their range. */
void viz_paint_strip(Image *dst, const float *v, int n, int cols, Colormap cm, int scale);
/* One filter f (cin, k, k), cin 3 or 1, as a k×k colour patch (scale× each) at (x0, y0),
   by its own range; bgr 1: weight channel 0 is blue (shown as RGB). */
void viz_paint_filter_rgb(Image *dst, int x0, int y0, const float *f, int cin, int k, int bgr, int scale);

/* ---- whole pictures (what the export writes) ------------------------------------------- */

/* One channel (h, w), values normalised by [lo, hi], scale× enlarged. */
int viz_channel_image(const float *data, int h, int w, float lo, float hi, Colormap cm, int scale,
                      Image *out, Err *e);
/* All channels of a (c, h, w) activation as a montage with 1-pixel white gaps and
   viz_grid_cols(c) columns; a c×1×1 vector: a heat strip VIZ_STRIP_COLS units wide
   (white after the last unit). */
int viz_grid_image(const float *data, Shape s, Norm norm, Colormap cm, int scale, Image *out, Err *e);
/* conv1-style filters w (cout, cin, k, k), cin 3 or 1, as colour tiles with 1-pixel
   white gaps. */
int viz_filters_image(const float *w, int cout, int cin, int k, int bgr, int scale, Image *out, Err *e);

#endif
