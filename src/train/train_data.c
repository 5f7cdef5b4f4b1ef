/* train_data.c - a data set's images as LeNet-5's input: the 28×28 image on a 2-pixel black
   border (32×32, what LeNet-5 was fed), normalised exactly as model_prepare normalises the
   same picture saved as a 32×32 PNG; the seeded subset and shuffle. */
#include <stdlib.h>
#include <string.h>

#include "img.h"
#include "rng.h"
#include "train.h"

int train_data_lut(const Preproc *p, float lut[256], Err *e)
{
    /* every grey level once, as the first 256 pixels of a 32×32 RGB image: no resize, no
       crop, so img_prepare applies only its per-pixel arithmetic */
    Image im;
    if (img_alloc(&im, TRAIN_SIDE, TRAIN_SIDE, e) != 0) return -1;
    memset(im.px, 0, (size_t)TRAIN_SIDE * TRAIN_SIDE * 3);
    for (int v = 0; v < 256; v++) im.px[v * 3] = im.px[v * 3 + 1] = im.px[v * 3 + 2] = (unsigned char)v;
    float *x = malloc(sizeof(float) * 3 * TRAIN_SIDE * TRAIN_SIDE);
    int rc = x ? img_prepare(&im, p, TRAIN_SIDE, TRAIN_SIDE, 0, -1, x, NULL, e) : err_set(e, "out of memory");
    if (rc == 0) memcpy(lut, x, sizeof(float) * 256);
    free(x);
    img_free(&im);
    return rc;
}

void train_data_image(const IdxSet *s, int i, const float lut[256], int mirror, float *x)
{
    int oy = (TRAIN_SIDE - s->h) / 2, ox = (TRAIN_SIDE - s->w) / 2;
    const unsigned char *p = s->pixels + (size_t)i * s->h * s->w; /* (h, w) */
    for (int k = 0; k < TRAIN_SIDE * TRAIN_SIDE; k++) x[k] = lut[0];
    for (int y = 0; y < s->h; y++) {
        float *row = x + (size_t)(oy + y) * TRAIN_SIDE + ox;
        const unsigned char *src = p + (size_t)y * s->w;
        for (int c = 0; c < s->w; c++) row[c] = lut[src[mirror ? s->w - 1 - c : c]];
    }
}

int train_data_check(const IdxSet *s, Err *e)
{
    if (s->n < 1) return err_set(e, "%s: no images", s->source);
    if (s->h > TRAIN_SIDE || s->w > TRAIN_SIDE || s->h < 1 || s->w < 1)
        return err_set(e, "%s: images of %d×%d; LeNet-5 takes 28×28 (on a border to 32×32), at most 32×32", s->source,
                       s->h, s->w);
    if (s->classes > TRAIN_MAX_CLASSES)
        return err_set(e, "%s: labels go up to %d; LeNet-5 here has %d outputs (labels 0 to %d)", s->source,
                       s->classes - 1, TRAIN_MAX_CLASSES, TRAIN_MAX_CLASSES - 1);
    return 0;
}

void train_data_shuffle(int *v, int n, uint64_t seed)
{
    uint64_t st = seed;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(rng_next(&st) % (uint64_t)(i + 1));
        int t = v[i];
        v[i] = v[j], v[j] = t;
    }
}

void train_data_subset(int n, int k, uint64_t seed, int *idx)
{
    if (k >= n) {
        for (int i = 0; i < n; i++) idx[i] = i;
        return;
    }
    /* the first k of a seeded shuffle of 0..n−1 (partial Fisher–Yates) */
    int *all = malloc(sizeof(int) * (size_t)n);
    uint64_t st = seed ^ 0x5eb5e7ull;
    if (!all) { /* fall back to every (n / k)-th image: still deterministic */
        for (int i = 0; i < k; i++) idx[i] = (int)((long long)i * n / k);
        return;
    }
    for (int i = 0; i < n; i++) all[i] = i;
    for (int i = 0; i < k; i++) {
        int j = i + (int)(rng_next(&st) % (uint64_t)(n - i));
        int t = all[i];
        all[i] = all[j], all[j] = t;
        idx[i] = all[i];
    }
    free(all);
}
