/* activation.c - elementwise units: ReLU (AlexNet) and tanh (LeNet-5, a saturating unit). */
#include <math.h>

#include "kernels.h"

void relu(float *out, const float *in, long n)
{
    for (long i = 0; i < n; i++) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

void tanh_act(float *out, const float *in, long n)
{
    for (long i = 0; i < n; i++) out[i] = tanhf(in[i]);
}
