/* lrn.c - local response normalisation across channels (Krizhevsky et al. 2012, §3.3).

   out[c][y][x] = in[c][y][x] / (k + α/n · Σ_{c'=c−n/2}^{c+n/2} in[c'][y][x]²)^β
   with channels outside 0..C−1 counting as zero. Caffe, PyTorch and ONNX all divide α
   by n this way.

   Backward (backward.h):
   y_c = x_c · d_c^−β with d_c = k + α/n · Σ_{c' ∈ W(c)} x_c'², W(c) = [c − n/2, c + (n−1)/2].
   x_j reaches y_j directly (the numerator) and every y_c whose window holds j (through
   d_c, ∂d_c/∂x_j = 2α/n · x_j), so
     dx_j = dy_j · d_j^−β  −  (2αβ/n) · x_j · Σ_{c : j ∈ W(c)} dy_c · x_c · d_c^(−β−1)
   and j ∈ W(c) exactly when c ∈ [j − (n−1)/2, j + n/2]. d_c is recomputed where needed:
   n = 5 channels, no scratch buffer. */
#include <math.h>

#include "backward.h"
#include "kernels.h"

void lrn(float *out, const float *in, Shape s, int size, float alpha, float beta, float k)
{
    long plane = (long)s.h * s.w;
    int half = (size - 1) / 2;  /* PyTorch pads size/2 before and (size−1)/2 after */
    int before = size / 2, after = half;
    for (int c = 0; c < s.c; c++) {
        int c0 = c - before < 0 ? 0 : c - before;
        int c1 = c + after >= s.c ? s.c - 1 : c + after;
        for (long p = 0; p < plane; p++) {
            float sq = 0.0f;
            for (int cc = c0; cc <= c1; cc++) {
                float v = in[cc * plane + p];
                sq += v * v;
            }
            out[c * plane + p] = in[c * plane + p] * powf(k + alpha / (float)size * sq, -beta);
        }
    }
}

/* d_c at pixel p of plane size plane */
static float lrn_denom(const float *in, Shape s, long plane, long p, int c, int size, float alpha, float k)
{
    int c0 = c - size / 2 < 0 ? 0 : c - size / 2;
    int c1 = c + (size - 1) / 2 >= s.c ? s.c - 1 : c + (size - 1) / 2;
    float sq = 0.0f;
    for (int cc = c0; cc <= c1; cc++) {
        float v = in[cc * plane + p];
        sq += v * v;
    }
    return k + alpha / (float)size * sq;
}

void lrn_backward(float *dx, const float *dy, const float *in, Shape s, int size, float alpha,
                  float beta, float k)
{
    long plane = (long)s.h * s.w;
    for (int j = 0; j < s.c; j++) {
        int c0 = j - (size - 1) / 2 < 0 ? 0 : j - (size - 1) / 2;
        int c1 = j + size / 2 >= s.c ? s.c - 1 : j + size / 2;
        for (long p = 0; p < plane; p++) {
            double cross = 0.0;
            for (int c = c0; c <= c1; c++) {
                float d = lrn_denom(in, s, plane, p, c, size, alpha, k);
                cross += (double)dy[c * plane + p] * in[c * plane + p] * powf(d, -beta - 1.0f);
            }
            float dj = lrn_denom(in, s, plane, p, j, size, alpha, k);
            float xj = in[j * plane + p];
            dx[j * plane + p] = (float)(dy[j * plane + p] * powf(dj, -beta) -
                                        2.0 * alpha * beta / size * xj * cross);
        }
    }
}
