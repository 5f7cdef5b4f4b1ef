/* ui_images.c - pixel buffers for the photo, the crop, feature-map atlases, fc strips
   and kernels (see ui_images.h); the colours and ranges are viz.c's, as in the export. */
#include "ui_images.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ui_images_init(UiImages *im) { memset(im, 0, sizeof *im); }

void ui_images_free(UiImages *im)
{
    for (int i = 0; i < IMG_COUNT; i++) free(im->img[i].rgb);
    memset(im, 0, sizeof *im);
}

uint64_t ui_key(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h ? h : 1;
}

/* Makes img w×h (reusing its buffer when the size matches). */
static int reshape(UiImage *img, int w, int h)
{
    if (img->rgb && img->w == w && img->h == h) return 0;
    unsigned char *p = malloc((size_t)w * h * 3);
    if (!p) return -1;
    free(img->rgb);
    img->rgb = p, img->w = w, img->h = h;
    return 0;
}

int ui_images_set(UiImages *im, UiImageId id, const Image *src, uint64_t key)
{
    UiImage *img = &im->img[id];
    if (img->key == key && key) return 0;
    if (!src || !src->px || src->w <= 0 || src->h <= 0) {
        img->key = 0;
        return 0;
    }
    if (reshape(img, src->w, src->h) != 0) return -1;
    memcpy(img->rgb, src->px, (size_t)src->w * src->h * 3);
    img->key = key;
    return 0;
}

/* The UiImage's buffer seen as an Image, for viz_paint_*. */
static Image canvas(UiImage *img) { return (Image){img->w, img->h, img->rgb}; }

int ui_images_atlas(UiImages *im, const float *data, Shape s, Norm norm, Colormap cm, uint64_t key)
{
    UiImage *img = &im->img[IMG_ATLAS];
    if (img->key == key && key) return 0;
    int cols = viz_grid_cols(s.c), rows = (s.c + cols - 1) / cols;
    if (reshape(img, cols * s.w, rows * s.h) != 0) return -1;
    memset(img->rgb, 0, (size_t)img->w * img->h * 3);
    Image c = canvas(img);
    viz_paint_grid(&c, data, s, norm, cm, cols, 1, 0);
    im->atlas_cols = cols, im->atlas_n = s.c, im->atlas_mw = s.w, im->atlas_mh = s.h;
    img->key = key;
    return 0;
}

UiRect ui_atlas_src(const UiImages *im, int channel)
{
    int cols = im->atlas_cols > 0 ? im->atlas_cols : 1;
    return (UiRect){(channel % cols) * im->atlas_mw, (channel / cols) * im->atlas_mh, im->atlas_mw, im->atlas_mh};
}

int ui_images_strip(UiImages *im, const float *v, int n, Colormap cm, uint64_t key)
{
    UiImage *img = &im->img[IMG_STRIP];
    if (img->key == key && key) return 0;
    int cols = n < UI_STRIP_COLS ? n : UI_STRIP_COLS, rows = (n + cols - 1) / cols;
    if (cols <= 0 || reshape(img, cols, rows) != 0) return -1;
    memset(img->rgb, 0, (size_t)cols * rows * 3);
    Image c = canvas(img);
    viz_paint_strip(&c, v, n, cols, cm, 1);
    img->key = key;
    return 0;
}

/* conv1: each filter scaled to 0..255 by its own range, in bands of cout/groups. */
static int kernels_rgb(UiImages *im, const float *w, int cout, int k, int bgr, int groups)
{
    UiImage *img = &im->img[IMG_KERNELS];
    int per = cout / groups, cols = per >= 12 ? 12 : per, rows_g = (per + cols - 1) / cols;
    int cell = k + 1, band = rows_g * cell + 2;
    if (reshape(img, cols * cell, groups * band) != 0) return -1;
    memset(img->rgb, 0, (size_t)img->w * img->h * 3);
    Image c = canvas(img);
    for (int o = 0; o < cout; o++) {
        int g = o / per, j = o % per;
        viz_paint_filter_rgb(&c, (j % cols) * cell, g * band + (j / cols) * cell, w + 3L * k * k * o, 3, k, bgr, 1);
    }
    im->kern_n = cout, im->kern_cols = cols, im->kern_k = k, im->kern_rgb = 1, im->kern_groups = groups;
    return 0;
}

/* Deeper layers: the cin_g slices of one filter, symmetric around 0 so white means 0. */
static int kernels_slices(UiImages *im, const float *w, int cin_g, int k, int o)
{
    UiImage *img = &im->img[IMG_KERNELS];
    int cols = viz_grid_cols(cin_g), rows = (cin_g + cols - 1) / cols, cell = k + 1;
    if (reshape(img, cols * cell, rows * cell) != 0) return -1;
    memset(img->rgb, 0, (size_t)img->w * img->h * 3);
    const float *f = w + (size_t)o * cin_g * k * k;
    float lo, hi;
    viz_range(f, (long)cin_g * k * k, &lo, &hi);
    float m = fmaxf(fabsf(lo), fabsf(hi));
    if (m <= 0) m = 1;
    for (int c = 0; c < cin_g; c++) {
        int x0 = (c % cols) * cell, y0 = (c / cols) * cell;
        for (int y = 0; y < k; y++)
            for (int x = 0; x < k; x++)
                viz_diverging_rgb(f[((size_t)c * k + y) * k + x] / m, img->rgb + ((size_t)(y0 + y) * img->w + x0 + x) * 3);
    }
    im->kern_n = cin_g, im->kern_cols = cols, im->kern_k = k, im->kern_rgb = 0, im->kern_groups = 1;
    return 0;
}

int ui_images_kernels(UiImages *im, const float *w, int cout, int cin_g, int k, int bgr, int groups, int o,
                      uint64_t key)
{
    UiImage *img = &im->img[IMG_KERNELS];
    if (img->key == key && key) return 0;
    int rc = cin_g == 3 ? kernels_rgb(im, w, cout, k, bgr, groups > 0 ? groups : 1) : kernels_slices(im, w, cin_g, k, o);
    img->key = rc == 0 ? key : 0;
    return rc;
}

UiRect ui_kernel_src(const UiImages *im, int i)
{
    int k = im->kern_k, cell = k + 1, cols = im->kern_cols > 0 ? im->kern_cols : 1;
    if (im->kern_rgb) {
        int per = im->kern_n / (im->kern_groups > 0 ? im->kern_groups : 1);
        int rows_g = (per + cols - 1) / cols, band = rows_g * cell + 2;
        int g = i / per, j = i % per;
        return (UiRect){(j % cols) * cell, g * band + (j / cols) * cell, k, k};
    }
    return (UiRect){(i % cols) * cell, (i / cols) * cell, k, k};
}
