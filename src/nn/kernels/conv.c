/* conv.c - 2-D convolution with stride, padding on each side, and groups.

   out[o][y][x] = b[o] + Σ_c Σ_i Σ_j w[o][c][i][j] · in[g·cin_g + c][y·s − p + i][x·s − p + j]

   conv2d computes exactly that sum, but with the loops ordered so the innermost one
   walks contiguous output pixels of a row (for o, c, i, j: for y: for x), which the
   compiler vectorises; conv2d_unit is the same sum for one unit written the textbook
   way, and the tests check the two agree.

   Backward (backward.h): each product w·x in that sum sends dy[o][y][x]·w back to x and
   dy[o][y][x]·x back to w:
     dx[g·cin_g + c][y·s − p + i][x·s − p + j] += w[o][c][i][j] · dy[o][y][x]
     dw[o][c][i][j]                            += x[g·cin_g + c][y·s − p + i][x·s − p + j] · dy[o][y][x]
     db[o]                                     += dy[o][y][x]
   conv2d_backward runs conv2d's loops, so its innermost loop walks a row of dy. */
#include <string.h>

#include "backward.h"
#include "kernels.h"

/* The output columns [*x0, *x1) whose input column x·stride − pad + j lies inside the row. */
static void conv_cols(int stride, int pad, int j, int in_w, int out_w, int *x0, int *x1)
{
    *x0 = 0, *x1 = out_w;
    while (*x0 < *x1 && *x0 * stride - pad + j < 0) (*x0)++;
    while (*x1 > *x0 && (*x1 - 1) * stride - pad + j >= in_w) (*x1)--;
}

void conv2d(float *out, const float *in, const float *w, const float *b,
            Shape is, Shape os, int k, int stride, int pad, int groups)
{
    int cin_g = is.c / groups;   /* input channels each filter sees */
    int cout_g = os.c / groups;  /* filters per group */
    for (int o = 0; o < os.c; o++) {
        int g = o / cout_g;
        float *op = out + (long)o * os.h * os.w;                 /* (ho, wo) */
        for (int p = 0; p < os.h * os.w; p++) op[p] = b ? b[o] : 0.0f;
        for (int c = 0; c < cin_g; c++) {
            const float *ip = in + (long)(g * cin_g + c) * is.h * is.w;  /* (h, w) */
            const float *wp = w + ((long)o * cin_g + c) * k * k;      /* (k, k) */
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    float wv = wp[i * k + j];
                    int x0, x1;
                    conv_cols(stride, pad, j, is.w, os.w, &x0, &x1);
                    for (int y = 0; y < os.h; y++) {
                        int iy = y * stride - pad + i;
                        if (iy < 0 || iy >= is.h) continue;
                        const float *row = ip + (long)iy * is.w - pad + j;
                        float *orow = op + (long)y * os.w;
                        if (stride == 1)
                            for (int x = x0; x < x1; x++) orow[x] += wv * row[x];
                        else
                            for (int x = x0; x < x1; x++) orow[x] += wv * row[x * stride];
                    }
                }
            }
        }
    }
}

void conv2d_backward(float *dx, float *dw, float *db, const float *dy, const float *in,
                     const float *w, Shape is, Shape os, int k, int stride, int pad, int groups)
{
    int cin_g = is.c / groups, cout_g = os.c / groups;
    long plane = (long)os.h * os.w;
    if (dx) memset(dx, 0, sizeof(float) * (size_t)shape_count(is));
    for (int o = 0; o < os.c; o++) {
        int g = o / cout_g;
        const float *dp = dy + (long)o * plane;                           /* (ho, wo) */
        if (db) {
            double sum = 0.0;
            for (long q = 0; q < plane; q++) sum += dp[q];
            db[o] += (float)sum;
        }
        for (int c = 0; c < cin_g; c++) {
            long ioff = (long)(g * cin_g + c) * is.h * is.w;                 /* (h, w) */
            const float *wp = w + ((long)o * cin_g + c) * k * k;            /* (k, k) */
            float *dwp = dw ? dw + ((long)o * cin_g + c) * k * k : NULL;
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    float wv = wp[i * k + j];
                    int x0, x1;
                    conv_cols(stride, pad, j, is.w, os.w, &x0, &x1);
                    double wsum = 0.0;
                    for (int y = 0; y < os.h; y++) {
                        int iy = y * stride - pad + i;
                        if (iy < 0 || iy >= is.h) continue;
                        long roff = ioff + (long)iy * is.w - pad + j; /* + x·stride: the input */
                        const float *drow = dp + (long)y * os.w;
                        if (dx) {
                            float *dxrow = dx + roff;
                            if (stride == 1)
                                for (int x = x0; x < x1; x++) dxrow[x] += wv * drow[x];
                            else
                                for (int x = x0; x < x1; x++) dxrow[x * stride] += wv * drow[x];
                        }
                        if (dwp) {
                            const float *row = in + roff;
                            float s = 0.0f;
                            for (int x = x0; x < x1; x++) s += row[x * stride] * drow[x];
                            wsum += s;
                        }
                    }
                    if (dwp) dwp[i * k + j] += (float)wsum;
                }
            }
        }
    }
}

float conv2d_unit(const float *in, const float *w, const float *b, Shape is,
                  int cout, int k, int stride, int pad, int groups, int o, int y, int x)
{
    int cin_g = is.c / groups, g = o / (cout / groups);
    float sum = 0.0f;
    for (int c = 0; c < cin_g; c++)
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) {
                int iy = y * stride - pad + i, ix = x * stride - pad + j;
                if (iy < 0 || iy >= is.h || ix < 0 || ix >= is.w) continue; /* zero padding */
                sum += w[(((long)o * cin_g + c) * k + i) * k + j] *
                       in[((long)(g * cin_g + c) * is.h + iy) * is.w + ix];
            }
    return sum + (b ? b[o] : 0.0f);
}
