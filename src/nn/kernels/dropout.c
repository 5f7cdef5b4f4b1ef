/* dropout.c - identity at inference; in train mode each unit survives with probability
   1 − ratio and is scaled by 1/(1 − ratio) so the expected sum stays the same
   (the "inverted dropout" PyTorch uses). */
#include <string.h>

#include "backward.h"
#include "kernels.h"
#include "rng.h"

void dropout(float *out, const float *in, long n, float ratio, unsigned char *mask, uint64_t seed)
{
    if (!mask) {
        if (out != in) memcpy(out, in, sizeof(float) * (size_t)n);
        return;
    }
    uint64_t st = seed;
    float keep = 1.0f - ratio, scale = keep > 0.0f ? 1.0f / keep : 0.0f;
    for (long i = 0; i < n; i++) {
        mask[i] = rng_uniform(&st) < keep;
        out[i] = mask[i] ? in[i] * scale : 0.0f;
    }
}

void dropout_backward(float *dx, const float *dy, long n, float ratio, const unsigned char *mask)
{
    if (!mask) {
        memcpy(dx, dy, sizeof(float) * (size_t)n);
        return;
    }
    float keep = 1.0f - ratio, scale = keep > 0.0f ? 1.0f / keep : 0.0f; /* dropout's scale */
    for (long i = 0; i < n; i++) dx[i] = mask[i] ? dy[i] * scale : 0.0f;
}
