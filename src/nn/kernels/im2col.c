/* im2col.c - a convolution as Caffe computes it: every window becomes a column of one big
   "patch matrix", and the whole layer becomes one matrix product per group.

   patch matrix (cin_g·k·k, ho·wo):  column p = y·wo + x is the window of output unit (y, x),
                                     row r = (c·k + i)·k + j holds in[c][y·s − p + i][x·s − p + j]
                                     (0 where the window lies on the padding)
   weight matrix (cout_g, cin_g·k·k): the filters (cout, cin_g, k, k) as they are stored
   out_g (cout_g, ho·wo)           =  weights × patches + b, i.e. (55×55×96 after a reshape)

   The products are the naive loops' products (nn/kernels/conv.c), one per MAC, in another
   order. These loops are written to be read; the fast engine (src/fast) packs the same
   matrix with memcpy and hands the product to a BLAS. */
#include "kernels.h"

void im2col_column(float *col, long step, const float *in, Shape is, int k, int stride, int pad, int wo, long p)
{
    int y = (int)(p / wo), x = (int)(p % wo);
    long r = 0;
    for (int c = 0; c < is.c; c++)
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++, r++) {
                int iy = y * stride - pad + i, ix = x * stride - pad + j;
                int inside = iy >= 0 && iy < is.h && ix >= 0 && ix < is.w;
                col[r * step] = inside ? in[((long)c * is.h + iy) * is.w + ix] : 0.0f;
            }
}

void im2col(float *cols, const float *in, Shape is, Shape os, int k, int stride, int pad)
{
    long ncols = (long)os.h * os.w;
    for (long p = 0; p < ncols; p++)   /* one window, one column */
        im2col_column(cols + p, ncols, in, is, k, stride, pad, os.w, p);
}

/* c[i][j] = Σ_r a[i][r] · b[r][j]. The loops run i, r, j so the innermost one walks a row of
   b and of c (contiguous, the compiler vectorises it); each c[i][j] still adds its terms in
   the order r = 0, 1, 2, ... */
void matmul(float *c, const float *a, const float *b, int m, int kk, int n)
{
    for (int i = 0; i < m; i++) {
        float *ci = c + (long)i * n;                  /* row i of c (n) */
        for (int j = 0; j < n; j++) ci[j] = 0.0f;
        for (int r = 0; r < kk; r++) {
            float air = a[(long)i * kk + r];
            const float *br = b + (long)r * n;        /* row r of b (n) */
            for (int j = 0; j < n; j++) ci[j] += air * br[j];
        }
    }
}

void conv2d_im2col(float *out, const float *in, const float *w, const float *b, Shape is, Shape os, int k,
                   int stride, int pad, int groups, float *cols)
{
    int cin_g = is.c / groups, cout_g = os.c / groups;
    int rows = cin_g * k * k;
    long npix = (long)os.h * os.w;
    Shape gs = {cin_g, is.h, is.w};   /* one group's input channels */
    for (int g = 0; g < groups; g++) {
        im2col(cols, in + (long)g * cin_g * is.h * is.w, gs, os, k, stride, pad);
        float *og = out + (long)g * cout_g * npix;          /* (cout_g, ho·wo) */
        matmul(og, w + (long)g * cout_g * rows, cols, cout_g, rows, (int)npix);
        /* the bias last, as Caffe does (a second GEMM with a row of ones there) */
        for (int o = 0; o < cout_g && b; o++)
            for (long p = 0; p < npix; p++) og[o * npix + p] += b[g * cout_g + o];
    }
}
