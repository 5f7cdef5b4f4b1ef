/* fc.c - a fully connected layer: every output is a weighted sum of every input.

   out[o] = b[o] + Σ_i w[o][i] · in[i]      (fc6: 4096 outputs × 9216 inputs)

   Backward (backward.h):
     dx[i] = Σ_o w[o][i] · dy[o]      (w transposed times dy)
     dw[o][i] += dy[o] · x[i]         (an outer product)
     db[o] += dy[o] */
#include <string.h>

#include "backward.h"
#include "kernels.h"

void fc(float *out, const float *in, const float *w, const float *b, int nin, int nout)
{
    for (int o = 0; o < nout; o++) {
        const float *row = w + (long)o * nin;  /* (nin) */
        /* a double sum: 9216 float terms in a row would drift, and it costs nothing here */
        double sum = 0.0;
        for (int i = 0; i < nin; i++) sum += (double)row[i] * in[i];
        out[o] = (float)(sum + (b ? b[o] : 0.0f));
    }
}

void fc_backward(float *dx, float *dw, float *db, const float *dy, const float *in,
                 const float *w, int nin, int nout)
{
    if (dx) memset(dx, 0, sizeof(float) * (size_t)nin);
    for (int o = 0; o < nout; o++) {
        const float *row = w + (long)o * nin;  /* (nin) */
        float d = dy[o];
        if (db) db[o] += d;
        if (d == 0.0f) continue;               /* a dropped or unchosen output sends nothing */
        if (dx)
            for (int i = 0; i < nin; i++) dx[i] += row[i] * d;
        if (dw) {
            float *drow = dw + (long)o * nin;
            for (int i = 0; i < nin; i++) drow[i] += d * in[i];
        }
    }
}
