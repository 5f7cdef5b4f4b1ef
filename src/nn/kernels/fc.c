/* fc.c - a fully connected layer: every output is a weighted sum of every input.

   out[o] = b[o] + Σ_i w[o][i] · in[i]      (fc6: 4096 outputs × 9216 inputs) */
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
