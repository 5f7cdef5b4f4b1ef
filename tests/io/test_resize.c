/* test_resize.c - resize_rgb8 (resize.c) against values worked out by hand from the filter
   its header documents: a triangle (tent) w(d) = max(0, 1 - |d|), with d measured in
   source pixels divided by filterscale = max(1, in / out) (so when shrinking the tent is
   widened to cover every source pixel), the output pixel i centred at (i + 0.5) · in / out,
   source pixel x at x + 0.5, the taps clipped to the image and their weights divided by
   their sum. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "resize.h"

/* Resizes in (iw×ih) to ow×oh; the caller frees the result. */
static unsigned char *resize(const unsigned char *in, int iw, int ih, int ow, int oh)
{
    unsigned char *out = malloc((size_t)ow * oh * 3);
    assert_non_null(out);
    memset(out, 0xAA, (size_t)ow * oh * 3); /* so an unwritten pixel shows */
    assert_int_equal(resize_rgb8(in, iw, ih, out, ow, oh), 0);
    return out;
}

/* Weights sum to 1, so a constant image stays that constant at any size, up or down. */
static void test_constant(void **state)
{
    enum { W = 7, H = 5 };
    unsigned char in[W * H * 3];
    for (int i = 0; i < W * H; i++) in[3 * i] = 10, in[3 * i + 1] = 128, in[3 * i + 2] = 250;
    static const int sizes[][2] = {{1, 1}, {3, 2}, {7, 5}, {2, 9}, {13, 11}, {40, 3}, {100, 1}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int ow = sizes[s][0], oh = sizes[s][1];
        unsigned char *out = resize(in, W, H, ow, oh);
        for (int i = 0; i < ow * oh; i++) {
            assert_int_equal(out[3 * i], 10);
            assert_int_equal(out[3 * i + 1], 128);
            assert_int_equal(out[3 * i + 2], 250);
        }
        free(out);
    }
}

/* 4 -> 2 along one axis: in / out = 2, so the tent is 2 pixels wide each side.
   Output 0 is centred at 1.0: sources 0, 1, 2 at distances 0.5, 0.5, 1.5 (halved: 0.25,
   0.25, 0.75) weigh 0.75, 0.75, 0.25, i.e. 3/7, 3/7, 1/7 once divided by 1.75 (source 3
   is outside the taps: (int)(1.0 + 2 + 0.5) = 3 ends them).
   Output 1 is centred at 3.0: sources 1, 2, 3 weigh 1/7, 3/7, 3/7.
   A rows: 0, 70, 140, 210 -> (3·70 + 140) / 7 = 50 and (70 + 3·140 + 3·210) / 7 = 160.
   B rows: 0, 255, 0, 255 -> 3·255 / 7 = 109.3 -> 109 and 4·255 / 7 = 145.7 -> 146
   (antialiased: plain decimation would give 0, 0 or 255, 255). */
static void test_shrink_2_to_1(void **state)
{
    static const unsigned char ramp[4] = {0, 70, 140, 210}, stripes[4] = {0, 255, 0, 255};
    unsigned char in[4 * 3];
    for (int x = 0; x < 4; x++) in[3 * x] = ramp[x], in[3 * x + 1] = stripes[x], in[3 * x + 2] = 33;
    unsigned char *out = resize(in, 4, 1, 2, 1); /* the vertical pass is 1 -> 1: weight 1 */
    static const unsigned char want[2 * 3] = {50, 109, 33, 160, 146, 33};
    assert_memory_equal(out, want, sizeof want);
    free(out);

    /* 4×4 -> 2×2, the same weights on both axes: pixel (x, y) = ramp[x] + vramp[y] with
       vramp 0, 7, 14, 21 -> 5, 16; the weights sum to 1, so out(X, Y) = 50|160 + 5|16. */
    static const unsigned char vramp[4] = {0, 7, 14, 21};
    unsigned char sq[4 * 4 * 3];
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++) {
            unsigned char *p = sq + (y * 4 + x) * 3;
            p[0] = (unsigned char)(ramp[x] + vramp[y]);
            p[1] = (unsigned char)(255 - p[0]);
            p[2] = vramp[y];
        }
    out = resize(sq, 4, 4, 2, 2);
    static const unsigned char want2[2 * 2 * 3] = {
        55, 200, 5,   165, 90, 5,   /* y = 0: 50 + 5, 160 + 5; G = 255 - R */
        66, 189, 16,  176, 79, 16,  /* y = 1: 50 + 16, 160 + 16 */
    };
    assert_memory_equal(out, want2, sizeof want2);
    free(out);
}

/* 2 -> 4: in / out = 0.5, the tent keeps its width 1 (plain bilinear). Centres 0.25, 0.75,
   1.25, 1.75 against sources at 0.5 and 1.5: output 0 sees only source 0 (distance 0.25,
   source 1 is past the taps), output 1 weighs 0.75, 0.25, output 2 0.25, 0.75, output 3
   only source 1. With 0 and 200: 0, 50, 150, 200. */
static void test_enlarge_1_to_2(void **state)
{
    static const unsigned char in[2 * 3] = {0, 200, 40, 200, 0, 40};
    unsigned char *out = resize(in, 2, 1, 4, 1);
    static const unsigned char want[4 * 3] = {0, 200, 40, 50, 150, 40, 150, 50, 40, 200, 0, 40};
    assert_memory_equal(out, want, sizeof want);
    free(out);
}

/* 1:1: each output centre sits on its source pixel (weight 1) and the next source is at
   distance 1 (weight 0), so every byte comes back unchanged. */
static void test_identity(void **state)
{
    enum { W = 9, H = 7 };
    unsigned char in[W * H * 3];
    uint32_t s = 12345;
    for (size_t i = 0; i < sizeof in; i++) in[i] = (unsigned char)((s = s * 1103515245u + 12345u) >> 24);
    unsigned char *out = resize(in, W, H, W, H);
    assert_memory_equal(out, in, sizeof in);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant),
        cmocka_unit_test(test_shrink_2_to_1),
        cmocka_unit_test(test_enlarge_1_to_2),
        cmocka_unit_test(test_identity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
