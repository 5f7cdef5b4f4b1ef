/* softmax.c - probabilities from scores. Subtracting the largest score first changes
   nothing mathematically but keeps exp() from overflowing on logits like 1000.
   Backward (backward.h): through the softmax alone, and fused with cross-entropy. */
#include <math.h>

#include "backward.h"
#include "kernels.h"

void softmax(float *out, const float *in, int n)
{
    float m = in[0];
    for (int i = 1; i < n; i++) if (in[i] > m) m = in[i];
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += exp((double)in[i] - m);
    for (int i = 0; i < n; i++) out[i] = (float)(exp((double)in[i] - m) / sum);
}

void softmax_backward(float *dx, const float *dy, const float *p, int n)
{
    double dot = 0.0;  /* Σ_j dy_j · p_j */
    for (int j = 0; j < n; j++) dot += (double)dy[j] * p[j];
    for (int i = 0; i < n; i++) dx[i] = (float)(p[i] * (dy[i] - dot));
}

float softmax_ce_backward(float *dx, const float *p, int n, int label)
{
    for (int i = 0; i < n; i++) dx[i] = p[i] - (i == label ? 1.0f : 0.0f);
    return p[label] > 0.0f ? -logf(p[label]) : INFINITY;
}
