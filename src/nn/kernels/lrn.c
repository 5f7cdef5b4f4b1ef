/* lrn.c - local response normalisation across channels (Krizhevsky et al. 2012, §3.3).

   out[c][y][x] = in[c][y][x] / (k + α/n · Σ_{c'=c−n/2}^{c+n/2} in[c'][y][x]²)^β
   with channels outside 0..C−1 counting as zero. Caffe, PyTorch and ONNX all divide α
   by n this way. */
#include <math.h>

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
