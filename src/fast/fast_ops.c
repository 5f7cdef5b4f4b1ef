/* fast_ops.c - the fast engine's other layers for a batch of n images: fully connected as
   SGEMV (one image) or SGEMM (a batch: where batching pays, the weights are read once for
   all images), each thread a slice of the outputs; LRN and pooling plane by plane, with the
   loops ordered so the innermost one walks contiguous memory. Same formulas, padding and
   rounding as nn/kernels/ (lrn.c, pool.c, fc.c). */
#include <float.h>
#include <math.h>

#include <cblas.h>

#include "fast_impl.h"
#include "fast_pool.h"

void fk_fc_part(float *out, const float *in, const float *w, const float *b, int n, int nin,
                int nout, int part, int nparts)
{
    long o0, o1; /* this part's outputs: rows [o0, o1) of w */
    fpool_range(nout, part, nparts, &o0, &o1);
    if (o1 <= o0) return;
    for (int img = 0; img < n; img++)
        for (long o = o0; o < o1; o++) out[(long)img * nout + o] = b[o];
    if (n == 1)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)(o1 - o0), nin, 1.0f, w + o0 * nin, nin, in, 1,
                    1.0f, out + o0, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, (int)(o1 - o0), nin, 1.0f, in, nin,
                    w + o0 * nin, nin, 1.0f, out + o0, nout);
}

void fk_lrn(float *out, const float *in, Shape s, long p0, long p1, int size, float alpha,
            float beta, float k)
{
    long plane = (long)s.h * s.w;
    int before = size / 2, after = (size - 1) / 2; /* as nn/kernels/lrn.c */
    float a = alpha / (float)size;
    for (long q = p0; q < p1; q++) {
        int c = (int)(q % s.c);
        const float *x = in + (q - c) * plane; /* this image */
        int c0 = c - before < 0 ? 0 : c - before;
        int c1 = c + after >= s.c ? s.c - 1 : c + after;
        float *sq = out + q * plane; /* the sum of squares first, in the same order */
        for (long p = 0; p < plane; p++) sq[p] = 0.0f;
        for (int cc = c0; cc <= c1; cc++) {
            const float *v = x + cc * plane;
            for (long p = 0; p < plane; p++) sq[p] += v[p] * v[p];
        }
        const float *xc = x + c * plane;
        if (beta == 0.75f) /* AlexNet's: d^−3/4 = 1/√(d·√d), which vectorises; powf does not */
            for (long p = 0; p < plane; p++) {
                float d = k + a * sq[p];
                sq[p] = xc[p] / sqrtf(d * sqrtf(d));
            }
        else
            for (long p = 0; p < plane; p++) sq[p] = xc[p] * powf(k + a * sq[p], -beta);
    }
}

/* The output columns [*x0, *x1) whose input column x·s − p + j lies inside 0..w−1. */
static void cols_inside(int ow, int w, int stride, int pad, int j, int *x0, int *x1)
{
    int a = 0, b = ow;
    while (a < b && a * stride - pad + j < 0) a++;
    while (b > a && (b - 1) * stride - pad + j >= w) b--;
    *x0 = a, *x1 = b;
}

/* Max (avg 0) or sum (avg 1) of every window of one (h, w) plane into op (ho, wo), a window
   row and column at a time: the inner loop runs over the output columns. */
static void pool_plane(float *op, const float *ip, Shape is, Shape os, int k, int stride, int pad, int avg)
{
    for (int y = 0; y < os.h; y++) {
        float *orow = op + (long)y * os.w;
        for (int x = 0; x < os.w; x++) orow[x] = avg ? 0.0f : -FLT_MAX;
        for (int i = 0; i < k; i++) {
            int iy = y * stride - pad + i;
            if (iy < 0 || iy >= is.h) continue;
            for (int j = 0; j < k; j++) {
                int x0, x1;
                cols_inside(os.w, is.w, stride, pad, j, &x0, &x1);
                const float *row = ip + (long)iy * is.w - pad + j;
                if (avg)
                    for (int x = x0; x < x1; x++) orow[x] += row[(long)x * stride];
                else
                    for (int x = x0; x < x1; x++) {
                        float v = row[(long)x * stride];
                        orow[x] = v > orow[x] ? v : orow[x];
                    }
            }
        }
    }
}

void fk_maxpool(float *out, const float *in, Shape is, Shape os, long p0, long p1, int k, int stride, int pad)
{
    long ip = (long)is.h * is.w, op = (long)os.h * os.w;
    for (long c = p0; c < p1; c++)
        pool_plane(out + c * op, in + c * ip, is, os, k, stride, pad, 0);
}

/* How much of a window of k starting at start lies before limit (the padded input's end). */
static int window_span(int start, int k, int limit) { return (start + k < limit ? start + k : limit) - start; }

void fk_avgpool(float *out, const float *in, Shape is, Shape os, long p0, long p1, int k, int stride, int pad)
{
    long ip = (long)is.h * is.w, op = (long)os.h * os.w;
    for (long c = p0; c < p1; c++) {
        float *o = out + c * op;
        pool_plane(o, in + c * ip, is, os, k, stride, pad, 1);
        /* PyTorch divides by the window clipped to the padded input (as nn's pool.c) */
        for (int y = 0; y < os.h; y++) {
            int rows = window_span(y * stride - pad, k, is.h + pad);
            for (int x = 0; x < os.w; x++) {
                int count = rows * window_span(x * stride - pad, k, is.w + pad);
                o[y * os.w + x] = count > 0 ? o[y * os.w + x] / (float)count : 0.0f;
            }
        }
    }
}
