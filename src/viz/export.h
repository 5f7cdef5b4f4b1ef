/* export.h - a layer's feature maps and filters as PNG files. The pictures come from viz.h
   (colormaps, ranges, montages); this module only chooses sizes and names and writes.

       if (export_layer(net, 0, "out/png", NORM_CHANNEL, CMAP_VIRIDIS, &err) < 0) { ... err.msg ... }
       // out/png/conv1_c000.png ... conv1_c095.png, conv1_grid.png, conv1_filters.png

   Sizes: a channel file is enlarged to about 128 px, a grid tile to about 48 px, filters 4×;
   a vector layer (fc, c×1×1) becomes one heat strip, 8 px per unit.
   Failure: -1 and an Err that names the directory or file and the problem. */
#ifndef ALEXSCOPE_EXPORT_H
#define ALEXSCOPE_EXPORT_H

#include "img.h"
#include "net.h"
#include "viz.h"

/* Writes DIR/NAME_cNNN.png for every channel of data (shape s) and DIR/NAME_grid.png, or
   for a vector only DIR/NAME_strip.png. DIR is created if missing (mkdir -p). Returns the
   number of files written, -1 on error. */
int export_maps(const float *data, Shape s, const char *name, const char *dir, Norm norm, Colormap cm, Err *e);

/* export_maps of a computed layer, named after it, plus DIR/NAME_filters.png for the
   network's first conv when it reads 3 (or 1) input channels (bgr from n->arch->preproc).
   Returns the number of files written, -1 on error (also for a layer not computed yet). */
int export_layer(const Net *n, int layer, const char *dir, Norm norm, Colormap cm, Err *e);

#endif
