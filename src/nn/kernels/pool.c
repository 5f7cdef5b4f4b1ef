/* pool.c - max and average pooling over k×k windows with a stride, and their gradients.

   AlexNet's pools are "overlapping" (k = 3 > s = 2). The output size (floor or ceil)
   was decided by the caller; windows that run past the input are clipped.

   Backward (backward.h), output first like the forward:
   Max:     the output took one input, its window's maximum, so dy goes back to that one
            position, found again with the forward's rule (the first strictly larger value
            wins: ties go to the first in the window, row by row, as in PyTorch).
   Average: the output was the mean of count inputs, so each gets dy / count.
   Windows overlap, so an input in two windows sums both. */
#include <float.h>
#include <string.h>

#include "backward.h"
#include "kernels.h"

/* Where the maximum of output (y, x)'s window is in the plane ip (h, w): its index, or -1
   if no value beats -FLT_MAX. Padding never wins. */
static long max_at(const float *ip, Shape is, int k, int stride, int pad, int y, int x)
{
    float m = -FLT_MAX;
    long at = -1;
    for (int i = 0; i < k; i++) {
        int iy = y * stride - pad + i;
        if (iy < 0 || iy >= is.h) continue;
        for (int j = 0; j < k; j++) {
            int ix = x * stride - pad + j;
            if (ix < 0 || ix >= is.w) continue;
            float v = ip[iy * is.w + ix];
            if (v > m) m = v, at = (long)iy * is.w + ix;
        }
    }
    return at;
}

void maxpool(float *out, const float *in, Shape is, Shape os, int k, int stride, int pad)
{
    for (int c = 0; c < os.c; c++) {
        const float *ip = in + (long)c * is.h * is.w;  /* (h, w) */
        float *op = out + (long)c * os.h * os.w;       /* (ho, wo) */
        for (int y = 0; y < os.h; y++)
            for (int x = 0; x < os.w; x++) {
                long at = max_at(ip, is, k, stride, pad, y, x);
                op[y * os.w + x] = at >= 0 ? ip[at] : -FLT_MAX;
            }
    }
}

void maxpool_backward(float *dx, const float *dy, const float *in, Shape is, Shape os, int k,
                      int stride, int pad)
{
    memset(dx, 0, sizeof(float) * (size_t)shape_count(is));
    for (int c = 0; c < os.c; c++) {
        const float *ip = in + (long)c * is.h * is.w;
        const float *dp = dy + (long)c * os.h * os.w;
        float *dxp = dx + (long)c * is.h * is.w;
        for (int y = 0; y < os.h; y++)
            for (int x = 0; x < os.w; x++) {
                long at = max_at(ip, is, k, stride, pad, y, x);
                if (at >= 0) dxp[at] += dp[y * os.w + x];
            }
    }
}

/* Output (y, x)'s window: rows [*y0, *y1) and columns [*x0, *x1), clipped to the padded
   input (so it may start in the padding); returns how many positions that is, what
   PyTorch divides by (count_include_pad). */
static int avg_window(Shape is, int k, int stride, int pad, int y, int x, int *y0, int *y1, int *x0, int *x1)
{
    *y0 = y * stride - pad, *x0 = x * stride - pad;
    *y1 = *y0 + k < is.h + pad ? *y0 + k : is.h + pad;
    *x1 = *x0 + k < is.w + pad ? *x0 + k : is.w + pad;
    return (*y1 - *y0) * (*x1 - *x0);
}

void avgpool(float *out, const float *in, Shape is, Shape os, int k, int stride, int pad)
{
    for (int c = 0; c < os.c; c++) {
        const float *ip = in + (long)c * is.h * is.w;
        float *op = out + (long)c * os.h * os.w;
        for (int y = 0; y < os.h; y++)
            for (int x = 0; x < os.w; x++) {
                int y0, y1, x0, x1, count = avg_window(is, k, stride, pad, y, x, &y0, &y1, &x0, &x1);
                float sum = 0.0f;
                for (int iy = y0 < 0 ? 0 : y0; iy < y1 && iy < is.h; iy++)
                    for (int ix = x0 < 0 ? 0 : x0; ix < x1 && ix < is.w; ix++)
                        sum += ip[iy * is.w + ix];
                op[y * os.w + x] = count > 0 ? sum / (float)count : 0.0f;
            }
    }
}

void avgpool_backward(float *dx, const float *dy, Shape is, Shape os, int k, int stride, int pad)
{
    memset(dx, 0, sizeof(float) * (size_t)shape_count(is));
    for (int c = 0; c < os.c; c++) {
        const float *dp = dy + (long)c * os.h * os.w;
        float *dxp = dx + (long)c * is.h * is.w;
        for (int y = 0; y < os.h; y++)
            for (int x = 0; x < os.w; x++) {
                int y0, y1, x0, x1, count = avg_window(is, k, stride, pad, y, x, &y0, &y1, &x0, &x1);
                if (count <= 0) continue;
                float share = dp[y * os.w + x] / (float)count;
                for (int iy = y0 < 0 ? 0 : y0; iy < y1 && iy < is.h; iy++)
                    for (int ix = x0 < 0 ? 0 : x0; ix < x1 && ix < is.w; ix++)
                        dxp[iy * is.w + ix] += share;
            }
    }
}
