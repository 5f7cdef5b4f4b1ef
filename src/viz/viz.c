/* viz.c - colormaps, ranges, and map / grid / strip / filter pixels (see viz.h).

   viridis is sampled from its published definition (van der Walt and Smith, matplotlib's
   _viridis_data, CC0) at 33 evenly spaced points and interpolated linearly, which stays
   within 2/255 of the 256-entry table. */
#include "viz.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GAP 1        /* between the tiles of a whole picture */
#define GAP_RGB 255  /* white */

/* ---- numbers -> colours --------------------------------------------------------------- */

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

void viz_colormap_rgb(Colormap cm, float v, unsigned char rgb[3])
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

void viz_diverging_rgb(float v, unsigned char rgb[3])
{
    /* blue (33,102,172) - near white (247,247,247) - red (178,24,43), like ColorBrewer RdBu */
    static const float neg[3] = {33, 102, 172}, mid[3] = {247, 247, 247}, pos[3] = {178, 24, 43};
    if (v < -1) v = -1;
    if (v > 1) v = 1;
    const float *end = v < 0 ? neg : pos;
    float t = fabsf(v);
    for (int i = 0; i < 3; i++) rgb[i] = (unsigned char)lroundf(mid[i] + (end[i] - mid[i]) * t);
}

void viz_range(const float *x, long n, float *lo, float *hi)
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

float viz_unit(float v, float lo, float hi)
{
    if (!(hi > lo) || !isfinite(hi - lo)) return 0.5f;
    float t = (v - lo) / (hi - lo);
    if (!(t > 0.0f)) return 0.0f; /* also NaN */
    return t > 1.0f ? 1.0f : t;
}

int viz_grid_cols(int n)
{
    int c = (int)ceil(sqrt((double)n));
    while (c > 1 && (long long)(c - 1) * (c - 1) >= n) c--; /* guard sqrt rounding */
    while ((long long)c * c < n) c++;
    return c < 1 ? 1 : c;
}

/* ---- pixels into a caller's canvas ------------------------------------------------------ */

static void fill_block(Image *dst, int x0, int y0, int scale, const unsigned char rgb[3])
{
    for (int dy = 0; dy < scale; dy++) {
        unsigned char *o = dst->px + ((size_t)(y0 + dy) * dst->w + x0) * 3;
        for (int dx = 0; dx < scale; dx++, o += 3) memcpy(o, rgb, 3);
    }
}

void viz_paint_channel(Image *dst, int x0, int y0, const float *d, int h, int w, float lo, float hi,
                       Colormap cm, int scale)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            unsigned char rgb[3];
            viz_colormap_rgb(cm, viz_unit(d[(size_t)y * w + x], lo, hi), rgb);
            fill_block(dst, x0 + x * scale, y0 + y * scale, scale, rgb);
        }
}

void viz_paint_grid(Image *dst, const float *data, Shape s, Norm norm, Colormap cm, int cols, int scale,
                    int gap)
{
    long plane = (long)s.h * s.w;
    int tw = s.w * scale + gap, th = s.h * scale + gap;
    float lo = 0, hi = 0;
    if (norm == NORM_LAYER) viz_range(data, plane * s.c, &lo, &hi);
    for (int c = 0; c < s.c; c++) {
        const float *d = data + (size_t)c * plane;
        if (norm == NORM_CHANNEL) viz_range(d, plane, &lo, &hi);
        viz_paint_channel(dst, (c % cols) * tw, (c / cols) * th, d, s.h, s.w, lo, hi, cm, scale);
    }
}

void viz_paint_strip(Image *dst, const float *v, int n, int cols, Colormap cm, int scale)
{
    float lo, hi;
    viz_range(v, n, &lo, &hi);
    for (int i = 0; i < n; i++) viz_paint_channel(dst, (i % cols) * scale, (i / cols) * scale, v + i, 1, 1, lo, hi, cm, scale);
}

void viz_paint_filter_rgb(Image *dst, int x0, int y0, const float *f, int cin, int k, int bgr, int scale)
{
    float lo, hi;
    viz_range(f, (long)cin * k * k, &lo, &hi);
    for (int y = 0; y < k; y++)
        for (int x = 0; x < k; x++) {
            unsigned char rgb[3];
            for (int c = 0; c < 3; c++) {
                /* display channel c (R, G, B) reads weight channel c, or 2 - c for BGR */
                int src = cin == 1 ? 0 : (bgr ? 2 - c : c);
                rgb[c] = (unsigned char)(viz_unit(f[((size_t)src * k + y) * k + x], lo, hi) * 255.0f + 0.5f);
            }
            fill_block(dst, x0 + x * scale, y0 + y * scale, scale, rgb);
        }
}

/* ---- whole pictures --------------------------------------------------------------------- */

/* A w×h picture filled with fill (0..255), after the size check. */
static int new_image(Image *im, long long w, long long h, int fill, Err *e)
{
    im->w = im->h = 0;
    im->px = NULL;
    if (w <= 0 || h <= 0 || w * h > VIZ_MAX_PIXELS)
        return err_set(e, "export: a %lld×%lld picture is too large", w, h);
    im->px = malloc((size_t)(w * h * 3));
    if (!im->px) return err_set(e, "export: out of memory for %lld×%lld", w, h);
    im->w = (int)w;
    im->h = (int)h;
    memset(im->px, fill, (size_t)(w * h * 3));
    return 0;
}

/* Clears *out so a failure leaves nothing to free; -1 without an output. */
static int start(Image *out, Err *e)
{
    if (!out) return err_set(e, "export: no output image");
    out->w = out->h = 0;
    out->px = NULL;
    return 0;
}

int viz_channel_image(const float *data, int h, int w, float lo, float hi, Colormap cm, int scale,
                      Image *out, Err *e)
{
    if (start(out, e) != 0) return -1;
    if (!data || h <= 0 || w <= 0) return err_set(e, "export: empty channel");
    if (scale < 1) scale = 1;
    if (new_image(out, (long long)w * scale, (long long)h * scale, 0, e) != 0) return -1;
    viz_paint_channel(out, 0, 0, data, h, w, lo, hi, cm, scale);
    return 0;
}

int viz_grid_image(const float *data, Shape s, Norm norm, Colormap cm, int scale, Image *out, Err *e)
{
    if (start(out, e) != 0) return -1;
    if (!data || s.c <= 0 || s.h <= 0 || s.w <= 0)
        return err_set(e, "export: empty activation %d×%d×%d", s.c, s.h, s.w);
    if (scale < 1) scale = 1;
    if (shape_is_vector(s)) { /* one value per channel has no range of its own */
        int cols = s.c < VIZ_STRIP_COLS ? s.c : VIZ_STRIP_COLS, rows = (s.c + cols - 1) / cols;
        if (new_image(out, (long long)cols * scale, (long long)rows * scale, GAP_RGB, e) != 0) return -1;
        viz_paint_strip(out, data, s.c, cols, cm, scale);
        return 0;
    }
    int cols = viz_grid_cols(s.c), rows = (s.c + cols - 1) / cols;
    long long tw = (long long)s.w * scale, th = (long long)s.h * scale;
    if (new_image(out, cols * tw + (cols - 1) * GAP, rows * th + (rows - 1) * GAP, GAP_RGB, e) != 0) return -1;
    viz_paint_grid(out, data, s, norm, cm, cols, scale, GAP);
    return 0;
}

int viz_filters_image(const float *w, int cout, int cin, int k, int bgr, int scale, Image *out, Err *e)
{
    if (start(out, e) != 0) return -1;
    if (!w || cout <= 0 || k <= 0) return err_set(e, "export: no filters to draw");
    if (cin != 3 && cin != 1)
        return err_set(e, "export: filters with %d input channels cannot be drawn as colours", cin);
    if (scale < 1) scale = 1;
    int cols = viz_grid_cols(cout), rows = (cout + cols - 1) / cols;
    long long t = (long long)k * scale;
    if (new_image(out, cols * t + (cols - 1) * GAP, rows * t + (rows - 1) * GAP, GAP_RGB, e) != 0) return -1;
    long per = (long)cin * k * k;
    for (int o = 0; o < cout; o++)
        viz_paint_filter_rgb(out, (int)((o % cols) * (t + GAP)), (int)((o / cols) * (t + GAP)), w + (size_t)o * per,
                             cin, k, bgr, scale);
    return 0;
}
