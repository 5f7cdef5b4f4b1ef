/* activation.c - elementwise units: ReLU (AlexNet) and tanh (LeNet-5, a saturating unit),
   their gradients (backward.h), and the names of the ways a ReLU can pass one back. */
#include <math.h>
#include <string.h>

#include "backward.h"
#include "kernels.h"

void relu(float *out, const float *in, long n)
{
    for (long i = 0; i < n; i++) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

void tanh_act(float *out, const float *in, long n)
{
    for (long i = 0; i < n; i++) out[i] = tanhf(in[i]);
}

static const char *const relu_mode_names[] = {"gradient", "guided", "deconv"};
_Static_assert(sizeof relu_mode_names / sizeof relu_mode_names[0] == RELU_MODE_COUNT,
               "one name per ReluMode");

const char *relu_mode_name(ReluMode m)
{
    return m >= 0 && m < RELU_MODE_COUNT ? relu_mode_names[m] : "?";
}

int relu_mode_find(const char *s)
{
    for (int m = 0; m < RELU_MODE_COUNT; m++)
        if (strcmp(s, relu_mode_names[m]) == 0) return m;
    return -1;
}

void relu_backward(float *dx, const float *dy, const float *in, long n, ReluMode mode)
{
    for (long i = 0; i < n; i++) {
        int open = mode == RELU_DECONV ? dy[i] > 0.0f                     /* input ignored */
                 : mode == RELU_GUIDED ? in[i] > 0.0f && dy[i] > 0.0f
                                       : in[i] > 0.0f;
        dx[i] = open ? dy[i] : 0.0f;
    }
}

void tanh_backward(float *dx, const float *dy, const float *out, long n)
{
    for (long i = 0; i < n; i++) dx[i] = dy[i] * (1.0f - out[i] * out[i]);
}
