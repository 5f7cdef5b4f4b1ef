/* resize.c - resampling an 8-bit RGB image with an antialiased triangle (bilinear) filter.

   The same separable scheme PIL (and so torchvision's Resize) uses: when shrinking, the
   filter's support widens by the scale factor so every source pixel contributes; when
   enlarging it is plain bilinear interpolation. Written here rather than taken from
   stb_image_resize because Debian's build of that library aborts on some shrink ratios
   (an assertion on its filter coefficients), and a teaching tool must not crash on a photo. */
#include <math.h>
#include <stdlib.h>

#include "resize.h"

/* Weights for one axis: for each output index, the first source index and its weights. */
typedef struct {
    int *first, *count;
    float *w;   /* (out, taps) */
    int taps;
} Coeffs;

static int coeffs_make(Coeffs *c, int in, int out)
{
    double scale = (double)in / out, filterscale = scale > 1.0 ? scale : 1.0;
    double support = 1.0 * filterscale;
    c->taps = (int)ceil(support) * 2 + 1;
    c->first = malloc(sizeof(int) * (size_t)out);
    c->count = malloc(sizeof(int) * (size_t)out);
    c->w = malloc(sizeof(float) * (size_t)out * (size_t)c->taps);
    if (!c->first || !c->count || !c->w) return -1;
    for (int i = 0; i < out; i++) {
        double center = (i + 0.5) * scale;
        int lo = (int)(center - support + 0.5), hi = (int)(center + support + 0.5);
        if (lo < 0) lo = 0;
        if (hi > in) hi = in;
        if (hi - lo > c->taps) hi = lo + c->taps;
        float *w = c->w + (size_t)i * c->taps;
        double sum = 0.0;
        for (int x = lo; x < hi; x++) {
            double d = fabs((x - center + 0.5) / filterscale);
            double v = d < 1.0 ? 1.0 - d : 0.0;
            w[x - lo] = (float)v;
            sum += v;
        }
        for (int x = lo; x < hi; x++) w[x - lo] = sum > 0 ? (float)(w[x - lo] / sum) : 0.0f;
        c->first[i] = lo, c->count[i] = hi - lo;
    }
    return 0;
}

static void coeffs_free(Coeffs *c)
{
    free(c->first), free(c->count), free(c->w);
}

static unsigned char clamp8(float v)
{
    return v <= 0.0f ? 0 : v >= 255.0f ? 255 : (unsigned char)(v + 0.5f);
}

int resize_rgb8(const unsigned char *in, int iw, int ih, unsigned char *out, int ow, int oh)
{
    Coeffs cx = {0}, cy = {0};
    float *mid = malloc(sizeof(float) * (size_t)ow * (size_t)ih * 3); /* (ih, ow, 3) after the horizontal pass */
    int rc = -1;
    if (!mid || coeffs_make(&cx, iw, ow) || coeffs_make(&cy, ih, oh)) goto done;
    for (int y = 0; y < ih; y++)
        for (int x = 0; x < ow; x++) {
            const float *w = cx.w + (size_t)x * cx.taps;
            const unsigned char *src = in + ((size_t)y * iw + cx.first[x]) * 3;
            float r = 0, g = 0, b = 0;
            for (int t = 0; t < cx.count[x]; t++) r += w[t] * src[3 * t], g += w[t] * src[3 * t + 1], b += w[t] * src[3 * t + 2];
            float *m = mid + ((size_t)y * ow + x) * 3;
            m[0] = r, m[1] = g, m[2] = b;
        }
    for (int y = 0; y < oh; y++) {
        const float *w = cy.w + (size_t)y * cy.taps;
        for (int x = 0; x < ow; x++) {
            float r = 0, g = 0, b = 0;
            for (int t = 0; t < cy.count[y]; t++) {
                const float *m = mid + ((size_t)(cy.first[y] + t) * ow + x) * 3;
                r += w[t] * m[0], g += w[t] * m[1], b += w[t] * m[2];
            }
            unsigned char *o = out + ((size_t)y * ow + x) * 3;
            o[0] = clamp8(r), o[1] = clamp8(g), o[2] = clamp8(b);
        }
    }
    rc = 0;
done:
    free(mid);
    coeffs_free(&cx), coeffs_free(&cy);
    return rc;
}
