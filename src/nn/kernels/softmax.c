/* softmax.c - probabilities from scores. Subtracting the largest score first changes
   nothing mathematically but keeps exp() from overflowing on logits like 1000. */
#include <math.h>

#include "kernels.h"

void softmax(float *out, const float *in, int n)
{
    float m = in[0];
    for (int i = 1; i < n; i++) if (in[i] > m) m = in[i];
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += exp((double)in[i] - m);
    for (int i = 0; i < n; i++) out[i] = (float)(exp((double)in[i] - m) / sum);
}
