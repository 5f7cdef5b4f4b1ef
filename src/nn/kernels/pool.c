/* pool.c - max and average pooling over k×k windows with a stride.

   AlexNet's pools are "overlapping" (k = 3 > s = 2). The output size (floor or ceil)
   was decided by the caller; windows that run past the input are clipped. */
#include <float.h>

#include "kernels.h"

void maxpool(float *out, const float *in, Shape is, Shape os, int k, int stride, int pad)
{
    for (int c = 0; c < os.c; c++) {
        const float *ip = in + (long)c * is.h * is.w;  /* (h, w) */
        float *op = out + (long)c * os.h * os.w;       /* (ho, wo) */
        for (int y = 0; y < os.h; y++)
            for (int x = 0; x < os.w; x++) {
                float m = -FLT_MAX;
                for (int i = 0; i < k; i++) {
                    int iy = y * stride - pad + i;
                    if (iy < 0 || iy >= is.h) continue;
                    for (int j = 0; j < k; j++) {
                        int ix = x * stride - pad + j;
                        if (ix < 0 || ix >= is.w) continue;
                        float v = ip[iy * is.w + ix];
                        if (v > m) m = v;
                    }
                }
                op[y * os.w + x] = m;
            }
    }
}

void avgpool(float *out, const float *in, Shape is, Shape os, int k, int stride, int pad)
{
    for (int c = 0; c < os.c; c++) {
        const float *ip = in + (long)c * is.h * is.w;
        float *op = out + (long)c * os.h * os.w;
        for (int y = 0; y < os.h; y++)
            for (int x = 0; x < os.w; x++) {
                /* PyTorch divides by the window clipped to the padded input. */
                int y0 = y * stride - pad, x0 = x * stride - pad;
                int y1 = y0 + k < is.h + pad ? y0 + k : is.h + pad;
                int x1 = x0 + k < is.w + pad ? x0 + k : is.w + pad;
                int count = (y1 - y0) * (x1 - x0);
                float sum = 0.0f;
                for (int iy = y0 < 0 ? 0 : y0; iy < y1 && iy < is.h; iy++)
                    for (int ix = x0 < 0 ? 0 : x0; ix < x1 && ix < is.w; ix++)
                        sum += ip[iy * is.w + ix];
                op[y * os.w + x] = count > 0 ? sum / (float)count : 0.0f;
            }
    }
}
