/* weights_builtin.c - the default weights that need no file.

   conv1 is built by hand to look like the trained conv1 in Krizhevsky et al.'s Figure 3:
   the first half of the filters (the paper's GPU 1) are colour-blind oriented edges
   (Gabor functions at 8 angles, 3 frequencies, 2 phases), the second half (GPU 2)
   colour blobs and colour-opponent edges. So layer-1 feature maps show real edges of the
   photo. Every other layer is He-initialised (variance 2/fan_in, uniform) from the seed:
   deterministic, but untrained, and labelled so wherever predictions appear. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rng.h"
#include "weights.h"

#define PI 3.14159265f

/* RGB colour-opponent directions for the colour half: red−green, blue−yellow, and a few mixes. */
static const float opponent[6][3] = {
    {1, -1, 0}, {-0.5f, -0.5f, 1}, {1, 0.2f, -1}, {-1, 1, 0}, {0.5f, 0.5f, -1}, {0.3f, 1, -1},
};

static float gabor(float x, float y, float theta, float freq, float phase, float sigma)
{
    float u = x * cosf(theta) + y * sinf(theta);
    return expf(-(x * x + y * y) / (2 * sigma * sigma)) * cosf(2 * PI * freq * u + phase);
}

/* Filter f of nf, (cin, k, k); colour-blind edges for the first half, colour for the rest. */
static void conv1_filter(float *w, int f, int nf, int cin, int k, int bgr, float gain)
{
    float c = (k - 1) / 2.0f, sigma = k / 4.0f;
    int half = cin == 3 ? nf / 2 : nf;
    float rgb[3] = {1, 1, 1};
    int colour = f >= half;
    int g = colour ? f - half : f;
    float theta = PI * (g % 8) / 8.0f;
    float freq = (g / 8 % 3 + 1) / (float)k * 1.2f;
    float phase = (g / 24) % 2 ? PI / 2 : 0.0f;
    int blob = 0;
    if (colour) {
        const float *o = opponent[g % 6];
        rgb[0] = o[0], rgb[1] = o[1], rgb[2] = o[2];
        blob = g % 3 == 0;     /* a third of the colour filters are plain blobs */
        freq = 0.6f / k;       /* colour edges are coarse, as in the paper */
        theta = PI * (g / 6 % 4) / 4.0f;
    }
    double norm = 0.0;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            float x = j - c, y = i - c;
            float v = blob ? expf(-(x * x + y * y) / (2 * sigma * sigma)) : gabor(x, y, theta, freq, phase, sigma);
            for (int ch = 0; ch < cin; ch++) {
                /* channel ch of the network is red, green or blue depending on the preset */
                int rgb_ch = cin == 3 ? (bgr ? 2 - ch : ch) : 0;
                float cw = cin == 3 ? rgb[rgb_ch] : 1.0f;
                w[((long)ch * k + i) * k + j] = v * cw;
                norm += (double)(v * cw) * (v * cw);
            }
        }
    /* zero-mean for the edges so flat regions give nothing; unit length, then the gain */
    if (!blob) {
        for (int ch = 0; ch < cin; ch++) {
            double mean = 0.0;
            for (int p = 0; p < k * k; p++) mean += w[(long)ch * k * k + p];
            mean /= k * k;
            for (int p = 0; p < k * k; p++) w[(long)ch * k * k + p] -= (float)mean;
        }
        norm = 0.0;
        for (long p = 0; p < (long)cin * k * k; p++) norm += (double)w[p] * w[p];
    }
    float s = norm > 0 ? gain / (float)sqrt(norm) : 0.0f;
    for (long p = 0; p < (long)cin * k * k; p++) w[p] *= s;
}

int weights_builtin(const ArchSpec *a, uint64_t seed, Weights *w, Err *e)
{
    if (weights_alloc(a, w, e) != 0) return -1;
    uint64_t st = seed;
    /* Scale conv1 so a typical input (a step of half the pixel range) gives outputs near 1..10. */
    const Preproc *p = &a->preproc;
    float typical = 128.0f * p->scale / p->std[0];
    int first = arch_first_conv(a);
    for (int i = 0; i < a->nlayers; i++) {
        const LayerSpec *l = &a->layers[i];
        LayerWeights *lw = &w->l[i];
        if (!arch_has_weights(l->kind)) continue;
        long per_out = lw->nw / l->out;  /* fan-in */
        if (i == first) {
            int cin = (int)(per_out / ((long)l->k * l->k));
            for (int f = 0; f < l->out; f++)
                conv1_filter(lw->w + f * per_out, f, l->out, cin, l->k, p->bgr, 4.0f / typical);
            for (int f = 0; f < l->out; f++) lw->b[f] = 0.0f;
        } else {
            /* He's uniform variant: U(−a, a) with a = sqrt(6 / fan_in) has variance 2 / fan_in */
            float lim = sqrtf(6.0f / (float)per_out);
            for (long q = 0; q < lw->nw; q++) lw->w[q] = lim * (2.0f * rng_uniform(&st) - 1.0f);
            for (long q = 0; q < lw->nb; q++) lw->b[q] = 0.01f;
        }
    }
    w->trained = 0;
    snprintf(w->source, sizeof w->source, "built-in, untrained (seed %llu)", (unsigned long long)seed);
    snprintf(w->format, sizeof w->format, "built-in");
    return 0;
}
