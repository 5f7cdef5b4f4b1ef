/* export.c - activations and filters as PNG files and montages.

   Colour: values are first mapped to 0..1 by a range (see Norm), then through a colormap.
   viridis is sampled from its published definition (van der Walt and Smith, matplotlib's
   _viridis_data, CC0) at 33 evenly spaced points and interpolated linearly, which stays
   within 2/255 of the 256-entry table. A flat range (max == min) maps to 0.5, mid-grey
   or viridis' teal, so a dead channel is visibly "nothing" rather than black.

   Sizes: montages keep 1-pixel white gaps between tiles; fc vectors (c×1×1) become a heat
   strip 64 units wide (one block per unit, row after row) instead of c one-pixel tiles. */
#include "export.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define GAP 1
#define GAP_RGB 255
#define STRIP_COLS 64
#define EXPORT_MAX_PIXELS (64LL * 1000 * 1000) /* one montage; a 4096-channel grid fits */

/* ---- colormaps ---------------------------------------------------------------------- */

static const unsigned char viridis[33][3] = {
    { 68,   1,  84}, { 71,  13,  96}, { 72,  24, 106}, { 72,  35, 116},
    { 71,  45, 123}, { 69,  54, 129}, { 66,  64, 134}, { 63,  73, 137},
    { 59,  82, 139}, { 55,  90, 141}, { 51,  99, 141}, { 47, 106, 142},
    { 44, 114, 142}, { 41, 122, 142}, { 38, 129, 142}, { 35, 137, 142},
    { 33, 144, 140}, { 31, 152, 139}, { 31, 159, 136}, { 33, 166, 133},
    { 40, 174, 128}, { 49, 181, 123}, { 62, 188, 116}, { 76, 194, 108},
    { 93, 201,  99}, {110, 206,  88}, {130, 211,  76}, {150, 216,  63},
    {171, 220,  50}, {192, 223,  36}, {213, 226,  26}, {234, 229,  26},
    {253, 231,  37},
};

void colormap_rgb(Colormap cm, float v, unsigned char rgb[3])
{
    if (!(v > 0.0f)) v = 0.0f; /* also catches NaN */
    if (v > 1.0f) v = 1.0f;
    if (cm == CMAP_VIRIDIS) {
        float t = v * 32.0f;
        int i = (int)t;
        if (i >= 32) i = 31;
        float f = t - (float)i;
        for (int c = 0; c < 3; c++) {
            float a = viridis[i][c], b = viridis[i + 1][c];
            rgb[c] = (unsigned char)(a + (b - a) * f + 0.5f);
        }
        return;
    }
    unsigned char g = (unsigned char)(v * 255.0f + 0.5f);
    rgb[0] = rgb[1] = rgb[2] = g;
}

/* ---- helpers ------------------------------------------------------------------------ */

static void range_of(const float *x, long n, float *lo, float *hi)
{
    float a = INFINITY, b = -INFINITY;
    for (long i = 0; i < n; i++) {
        if (isnan(x[i])) continue;
        if (x[i] < a) a = x[i];
        if (x[i] > b) b = x[i];
    }
    if (a > b) a = b = 0.0f; /* empty or all NaN */
    *lo = a;
    *hi = b;
}

static float norm01(float x, float lo, float hi)
{
    if (!(hi > lo) || !isfinite(hi - lo)) return 0.5f;
    return (x - lo) / (hi - lo);
}

static int new_image(Image *im, long long w, long long h, Err *e)
{
    im->w = im->h = 0;
    im->px = NULL;
    if (w <= 0 || h <= 0 || w * h > EXPORT_MAX_PIXELS)
        return err_set(e, "export: a %lld×%lld picture is too large", w, h);
    im->px = malloc((size_t)(w * h * 3));
    if (!im->px) return err_set(e, "export: out of memory for %lld×%lld", w, h);
    im->w = (int)w;
    im->h = (int)h;
    return 0;
}

/* Paints one (h, w) channel, each value a scale×scale block, at (x0, y0) in im. */
static void paint_channel(Image *im, int x0, int y0, const float *d, int h, int w, float lo,
                          float hi, Colormap cm, int scale)
{
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            unsigned char rgb[3];
            colormap_rgb(cm, norm01(d[(size_t)y * w + x], lo, hi), rgb);
            for (int dy = 0; dy < scale; dy++) {
                unsigned char *o = im->px + (((size_t)(y0 + y * scale + dy) * im->w) + x0 + (size_t)x * scale) * 3;
                for (int dx = 0; dx < scale; dx++, o += 3) {
                    o[0] = rgb[0];
                    o[1] = rgb[1];
                    o[2] = rgb[2];
                }
            }
        }
    }
}

static int grid_cols(int n)
{
    int c = (int)ceil(sqrt((double)n));
    while (c > 1 && (long long)(c - 1) * (c - 1) >= n) c--; /* guard sqrt rounding */
    while ((long long)c * c < n) c++;
    return c < 1 ? 1 : c;
}

/* ---- public ------------------------------------------------------------------------- */

int export_channel_image(const float *data, int h, int w, float lo, float hi, Colormap cm,
                         int scale, Image *out, Err *e)
{
    if (!out) return err_set(e, "export: no output image");
    out->w = out->h = 0;
    out->px = NULL;
    if (!data || h <= 0 || w <= 0) return err_set(e, "export: empty channel");
    if (scale < 1) scale = 1;
    if (new_image(out, (long long)w * scale, (long long)h * scale, e) != 0) return -1;
    paint_channel(out, 0, 0, data, h, w, lo, hi, cm, scale);
    return 0;
}

/* c values as rows of STRIP_COLS blocks, normalised together (one value per channel has
   no range of its own). */
static int strip_image(const float *data, int c, Colormap cm, int scale, Image *out, Err *e)
{
    int cols = c < STRIP_COLS ? c : STRIP_COLS;
    int rows = (c + cols - 1) / cols;
    if (new_image(out, (long long)cols * scale, (long long)rows * scale, e) != 0) return -1;
    memset(out->px, GAP_RGB, (size_t)out->w * out->h * 3); /* unused tail of the last row */
    float lo, hi;
    range_of(data, c, &lo, &hi);
    for (int i = 0; i < c; i++)
        paint_channel(out, (i % cols) * scale, (i / cols) * scale, data + i, 1, 1, lo, hi, cm, scale);
    return 0;
}

int export_grid_image(const float *data, Shape s, Norm norm, Colormap cm, int scale, Image *out, Err *e)
{
    if (!out) return err_set(e, "export: no output image");
    out->w = out->h = 0;
    out->px = NULL;
    if (!data || s.c <= 0 || s.h <= 0 || s.w <= 0)
        return err_set(e, "export: empty activation %d×%d×%d", s.c, s.h, s.w);
    if (scale < 1) scale = 1;
    if (s.h == 1 && s.w == 1) return strip_image(data, s.c, cm, scale, out, e);

    int cols = grid_cols(s.c);
    int rows = (s.c + cols - 1) / cols;
    long long tw = (long long)s.w * scale, th = (long long)s.h * scale;
    if (new_image(out, cols * tw + (cols - 1) * GAP, rows * th + (rows - 1) * GAP, e) != 0) return -1;
    memset(out->px, GAP_RGB, (size_t)out->w * out->h * 3);

    long plane = (long)s.h * s.w;
    float lo = 0, hi = 0;
    if (norm == NORM_LAYER) range_of(data, plane * s.c, &lo, &hi);
    for (int c = 0; c < s.c; c++) {
        const float *d = data + (size_t)c * plane;
        if (norm == NORM_CHANNEL) range_of(d, plane, &lo, &hi);
        paint_channel(out, (int)((c % cols) * (tw + GAP)), (int)((c / cols) * (th + GAP)),
                      d, s.h, s.w, lo, hi, cm, scale);
    }
    return 0;
}

int export_filters_image(const float *w, int cout, int cin, int k, int bgr, int scale, Image *out, Err *e)
{
    if (!out) return err_set(e, "export: no output image");
    out->w = out->h = 0;
    out->px = NULL;
    if (!w || cout <= 0 || k <= 0) return err_set(e, "export: no filters to draw");
    if (cin != 3 && cin != 1)
        return err_set(e, "export: filters with %d input channels cannot be drawn as colours", cin);
    if (scale < 1) scale = 1;

    int cols = grid_cols(cout);
    int rows = (cout + cols - 1) / cols;
    long long t = (long long)k * scale;
    if (new_image(out, cols * t + (cols - 1) * GAP, rows * t + (rows - 1) * GAP, e) != 0) return -1;
    memset(out->px, GAP_RGB, (size_t)out->w * out->h * 3);

    long per = (long)cin * k * k;
    for (int o = 0; o < cout; o++) {
        const float *f = w + (size_t)o * per; /* (cin, k, k) */
        float lo, hi;
        range_of(f, per, &lo, &hi); /* each filter its own range: shapes, not magnitudes */
        int x0 = (int)((o % cols) * (t + GAP)), y0 = (int)((o / cols) * (t + GAP));
        for (int y = 0; y < k; y++) {
            for (int x = 0; x < k; x++) {
                unsigned char rgb[3];
                for (int c = 0; c < 3; c++) {
                    /* display channel c (R, G, B) reads weight channel c, or 2 - c for BGR */
                    int src = cin == 1 ? 0 : (bgr ? 2 - c : c);
                    float v = norm01(f[((size_t)src * k + y) * k + x], lo, hi);
                    if (!(v > 0.0f)) v = 0.0f;
                    if (v > 1.0f) v = 1.0f;
                    rgb[c] = (unsigned char)(v * 255.0f + 0.5f);
                }
                for (int dy = 0; dy < scale; dy++) {
                    unsigned char *p = out->px + (((size_t)(y0 + y * scale + dy) * out->w) + x0 + (size_t)x * scale) * 3;
                    for (int dx = 0; dx < scale; dx++, p += 3) memcpy(p, rgb, 3);
                }
            }
        }
    }
    return 0;
}

static int write_png(const char *dir, const char *name, const char *suffix, const Image *im, Err *e)
{
    char path[4352];
    int n = snprintf(path, sizeof path, "%s/%s%s.png", dir, name, suffix);
    if (n < 0 || n >= (int)sizeof path) return err_set(e, "%s: path too long", dir);
    return img_write_png(path, im, e);
}

/* Up-scaling so small maps are still visible: one channel file about 128 px wide,
   a grid tile about 48 px. */
static int channel_scale(Shape s)
{
    int m = s.h > s.w ? s.h : s.w;
    return m >= 128 ? 1 : 128 / m;
}
static int tile_scale(Shape s)
{
    int m = s.h > s.w ? s.h : s.w;
    return m >= 48 ? 1 : 48 / m;
}

static int is_first_conv(const Net *n, int layer)
{
    for (int i = 0; i < layer; i++)
        if (n->layers[i].spec && n->layers[i].spec->kind == LK_CONV) return 0;
    return n->layers[layer].spec && n->layers[layer].spec->kind == LK_CONV;
}

int export_layer(const Net *n, int layer, const char *dir, Norm norm, Colormap cm, Err *e)
{
    if (!dir || !*dir) return err_set(e, "export: no output directory");
    if (!n || !n->layers || layer < 0 || layer >= n->nlayers)
        return err_set(e, "export: no layer %d", layer);
    const LayerRun *L = &n->layers[layer];
    const char *name = L->spec && L->spec->name ? L->spec->name : "layer";
    if (!L->computed || !L->out_data)
        return err_set(e, "export: layer %s has not been computed yet", name);
    Shape s = L->out;
    if (s.c <= 0 || s.h <= 0 || s.w <= 0) return err_set(e, "export: layer %s is empty", name);
    if (mkdir_p(dir, e) != 0) return -1;

    int files = 0;
    Image im;
    if (s.h == 1 && s.w == 1) {
        /* a vector: one heat strip, no per-unit files */
        if (export_grid_image(L->out_data, s, norm, cm, 8, &im, e) != 0) return -1;
        int rc = write_png(dir, name, "_strip", &im, e);
        img_free(&im);
        return rc != 0 ? -1 : 1;
    }

    long plane = (long)s.h * s.w;
    float llo = 0, lhi = 0;
    if (norm == NORM_LAYER) range_of(L->out_data, plane * s.c, &llo, &lhi);
    for (int c = 0; c < s.c; c++) {
        const float *d = L->out_data + (size_t)c * plane;
        float lo = llo, hi = lhi;
        if (norm == NORM_CHANNEL) range_of(d, plane, &lo, &hi);
        char suffix[32];
        snprintf(suffix, sizeof suffix, "_c%03d", c);
        if (export_channel_image(d, s.h, s.w, lo, hi, cm, channel_scale(s), &im, e) != 0) return -1;
        int rc = write_png(dir, name, suffix, &im, e);
        img_free(&im);
        if (rc != 0) return -1;
        files++;
    }

    if (export_grid_image(L->out_data, s, norm, cm, tile_scale(s), &im, e) != 0) return -1;
    int rc = write_png(dir, name, "_grid", &im, e);
    img_free(&im);
    if (rc != 0) return -1;
    files++;

    /* The first conv's filters look at pixels, so they can be drawn as colour patches. */
    const LayerWeights *lw = n->weights && n->weights->l ? &n->weights->l[layer] : NULL;
    int cin = L->in.c;
    if (is_first_conv(n, layer) && (cin == 3 || cin == 1) && lw && lw->w &&
        lw->nw == (long)L->spec->out * cin * L->spec->k * L->spec->k) {
        int bgr = n->arch ? n->arch->preproc.bgr : 0;
        if (export_filters_image(lw->w, L->spec->out, cin, L->spec->k, bgr, 4, &im, e) != 0) return -1;
        rc = write_png(dir, name, "_filters", &im, e);
        img_free(&im);
        if (rc != 0) return -1;
        files++;
    }
    return files;
}
