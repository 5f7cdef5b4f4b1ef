/* fast_conv.c - a convolution as Caffe computes it: im2col, then one matrix product.

   im2col copies every k×k window of the input (one group's channels) into a column:
   cols (cin_g·k·k, ho·wo), row (c·k + i)·k + j, column y·wo + x holding
   in[c][y·s − p + i][x·s − p + j] (0 in the padding). The weights (cout, cin_g, k, k) are
   already a row-major (cout, cin_g·k·k) matrix, so group g's output is

       out_g (cout_g, ho·wo) = b + w_g (cout_g, cin_g·k·k) × cols      (cblas_sgemm)

   — the same multiply-accumulates as the naive loops (nn/kernels/conv.c), in another order. */
#include <string.h>

#include <cblas.h>

#include "fast_impl.h"

static int conv_is_pointwise(int k, int stride, int pad) { return k == 1 && stride == 1 && pad == 0; }

long fk_conv_scratch(Shape in, Shape out, int k, int stride, int pad, int groups)
{
    if (conv_is_pointwise(k, stride, pad)) return 0;
    return (long)(in.c / groups) * k * k * out.h * out.w;
}

/* cols (c·k·k, ho·wo) from in (c, h, w) */
static void im2col(float *cols, const float *in, int c, Shape is, Shape os, int k, int stride, int pad)
{
    long npix = (long)os.h * os.w;
    for (int ch = 0; ch < c; ch++) {
        const float *ip = in + (long)ch * is.h * is.w;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) {
                float *row = cols + ((long)(ch * k + i) * k + j) * npix;
                /* output columns x whose input column x·s − p + j lies inside the row */
                int x0 = 0, x1 = os.w;
                while (x0 < x1 && x0 * stride - pad + j < 0) x0++;
                while (x1 > x0 && (x1 - 1) * stride - pad + j >= is.w) x1--;
                for (int y = 0; y < os.h; y++) {
                    float *r = row + (long)y * os.w;
                    int iy = y * stride - pad + i;
                    if (iy < 0 || iy >= is.h) {
                        memset(r, 0, sizeof(float) * (size_t)os.w);
                        continue;
                    }
                    const float *src = ip + (long)iy * is.w - pad + j;
                    for (int x = 0; x < x0; x++) r[x] = 0.0f;
                    if (stride == 1)
                        memcpy(r + x0, src + x0, sizeof(float) * (size_t)(x1 - x0));
                    else
                        for (int x = x0; x < x1; x++) r[x] = src[(long)x * stride];
                    for (int x = x1; x < os.w; x++) r[x] = 0.0f;
                }
            }
    }
}

void fk_conv(float *out, const float *in, const float *w, const float *b, int n, Shape is,
             Shape os, int k, int stride, int pad, int groups, float *cols)
{
    int cin_g = is.c / groups, cout_g = os.c / groups;
    int kk = cin_g * k * k;
    long npix = (long)os.h * os.w, in_count = shape_count(is), out_count = shape_count(os);
    for (int img = 0; img < n; img++) {
        const float *x = in + img * in_count;
        float *y = out + img * out_count;
        for (int o = 0; o < os.c; o++)
            for (long p = 0; p < npix; p++) y[o * npix + p] = b[o];
        for (int g = 0; g < groups; g++) {
            const float *xg = x + (long)g * cin_g * is.h * is.w;
            const float *m = xg;
            if (!conv_is_pointwise(k, stride, pad)) {
                im2col(cols, xg, cin_g, is, os, k, stride, pad);
                m = cols;
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cout_g, (int)npix, kk, 1.0f,
                        w + (long)g * cout_g * kk, kk, m, (int)npix, 1.0f, y + g * cout_g * npix,
                        (int)npix);
        }
    }
}
