/* export.h - feature maps and filters as pictures (PNG through stb_image_write).

   Normalisation: each channel is mapped to 0..1 by its own min and max (NORM_CHANNEL) or
   by the whole layer's (NORM_LAYER); a flat channel is drawn mid-grey. Colormaps: grey,
   or viridis (perceptual, readable by colour-blind viewers and on projectors). */
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

/* All channels of a (c, h, w) activation as a grid montage with 1-pixel gaps. */
int export_grid_image(const float *data, Shape s, Norm norm, Colormap cm, int scale, Image *out, Err *e);

/* conv1-style filters w (cout, 3, k, k) as RGB tiles, each filter scaled to 0..255 by its
   own range; channel order bgr = 1 swaps to RGB for display. */
int export_filters_image(const float *w, int cout, int cin, int k, int bgr, int scale, Image *out, Err *e);

/* Writes DIR/NAME_cNNN.png for every channel, DIR/NAME_grid.png, and for conv1
   DIR/conv1_filters.png. Returns the number of files written, -1 on error. */
int export_layer(const Net *n, int layer, const char *dir, Norm norm, Colormap cm, Err *e);

#endif
