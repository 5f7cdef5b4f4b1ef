/* export.h - feature maps and filters as pictures (PNG through stb_image_write).

   Normalisation: each channel is mapped to 0..1 by its own min and max (NORM_CHANNEL) or
   by the whole layer's (NORM_LAYER); a flat channel is drawn mid-grey. Colormaps: grey,
   or viridis (perceptual, readable by colour-blind viewers and on projectors), sampled from
   matplotlib's published table at 33 points and interpolated (within 2/255). Montages have
   1-pixel white gaps and ceil(sqrt(c)) columns; an fc vector (c×1×1) is drawn as a heat
   strip 64 units wide, normalised over the whole vector. Images returned here are owned by
   the caller (img_free). */
#ifndef ALEXSCOPE_EXPORT_H
#define ALEXSCOPE_EXPORT_H

#include "img.h"
#include "net.h"

typedef enum { CMAP_GREY, CMAP_VIRIDIS } Colormap;
typedef enum { NORM_CHANNEL, NORM_LAYER } Norm;

/* v in 0..1 -> rgb */
void colormap_rgb(Colormap cm, float v, unsigned char rgb[3]);

/* One channel (h, w) of data as an image, values normalised by [lo, hi]. */
int export_channel_image(const float *data, int h, int w, float lo, float hi, Colormap cm,
                         int scale, Image *out, Err *e);

/* All channels of a (c, h, w) activation as a grid montage with 1-pixel gaps
   (a c×1×1 vector: the heat strip). */
int export_grid_image(const float *data, Shape s, Norm norm, Colormap cm, int scale, Image *out, Err *e);

/* conv1-style filters w (cout, 3, k, k) as RGB tiles, each filter scaled to 0..255 by its
   own range; channel order bgr = 1 swaps to RGB for display. */
int export_filters_image(const float *w, int cout, int cin, int k, int bgr, int scale, Image *out, Err *e);

/* Writes DIR/NAME_cNNN.png for every channel, DIR/NAME_grid.png, and for conv1
   DIR/conv1_filters.png. Returns the number of files written, -1 on error.
   DIR is created if missing (mkdir -p). Channel files are enlarged to about 128 px, grid
   tiles to about 48 px, filters 4×. A vector layer (fc, c×1×1) writes only
   DIR/NAME_strip.png (8 px per unit). The filters file is written for the network's first
   conv when it reads 3 (or 1) input channels; bgr comes from n->arch->preproc. */
int export_layer(const Net *n, int layer, const char *dir, Norm norm, Colormap cm, Err *e);

#endif
