/* test_kernels.c - each kernel on cases small enough to check by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "kernels.h"
#include "rng.h"

#define NEAR(a, b) assert_true(fabsf((float)(a) - (float)(b)) < 1e-5f)

static void test_conv_identity_and_bias(void **st)
{
    (void)st;
    /* 1 channel 3×3, kernel 1×1 weight 2, bias 1: out = 2x + 1 */
    float in[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[1] = {2}, b[1] = {1}, out[9];
    conv2d(out, in, w, b, (Shape){1, 3, 3}, (Shape){1, 3, 3}, 1, 1, 0, 1);
    for (int i = 0; i < 9; i++) NEAR(out[i], 2 * in[i] + 1);
}

static void test_conv_stride_and_padding(void **st)
{
    (void)st;
    /* 4×4 input 1..16, 3×3 box filter of ones, stride 2, pad 1: out 2×2
       out[0][0] = window rows -1..1, cols -1..1 -> 1+2+5+6 = 14
       out[0][1] = rows -1..1, cols 1..3 -> 2+3+4+6+7+8 = 30
       out[1][0] = rows 1..3, cols -1..1 -> 5+6+9+10+13+14 = 57
       out[1][1] = rows 1..3, cols 1..3 -> 6+7+8+10+11+12+14+15+16 = 99 */
    float in[16], w[9], out[4];
    for (int i = 0; i < 16; i++) in[i] = (float)(i + 1);
    for (int i = 0; i < 9; i++) w[i] = 1;
    assert_int_equal(conv_out_size(4, 3, 1, 2, 0), 2);
    conv2d(out, in, w, NULL, (Shape){1, 4, 4}, (Shape){1, 2, 2}, 3, 2, 1, 1);
    NEAR(out[0], 14), NEAR(out[1], 30), NEAR(out[2], 57), NEAR(out[3], 99);
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 2; x++)
            NEAR(conv2d_unit(in, w, NULL, (Shape){1, 4, 4}, 1, 3, 2, 1, 1, 0, y, x), out[y * 2 + x]);
}

static void test_conv_groups(void **st)
{
    (void)st;
    /* 4 input channels (constant 1, 2, 3, 4), 2 outputs, groups 2, 1×1 kernels of ones:
       output 0 sees channels 0,1 -> 3; output 1 sees channels 2,3 -> 7. */
    float in[4], w[4] = {1, 1, 1, 1}, out[2];
    for (int c = 0; c < 4; c++) in[c] = (float)(c + 1);
    conv2d(out, in, w, NULL, (Shape){4, 1, 1}, (Shape){2, 1, 1}, 1, 1, 0, 2);
    NEAR(out[0], 3), NEAR(out[1], 7);
    NEAR(conv2d_unit(in, w, NULL, (Shape){4, 1, 1}, 2, 1, 1, 0, 2, 1, 0, 0), 7);
}

static void test_conv_matches_textbook_loops(void **st)
{
    (void)st;
    /* random 6×9×9 input, 4 filters 3×3, stride 2, pad 1, groups 2: fast == textbook everywhere */
    uint64_t s = 7;
    float in[6 * 9 * 9], w[4 * 3 * 3 * 3], b[4], out[4 * 5 * 5];
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) in[i] = rng_normal(&s);
    for (size_t i = 0; i < sizeof w / sizeof *w; i++) w[i] = rng_normal(&s);
    for (int i = 0; i < 4; i++) b[i] = rng_normal(&s);
    Shape is = {6, 9, 9}, os = {4, 5, 5};
    conv2d(out, in, w, b, is, os, 3, 2, 1, 2);
    for (int o = 0; o < 4; o++)
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 5; x++)
                NEAR(out[(o * 5 + y) * 5 + x], conv2d_unit(in, w, b, is, 4, 3, 2, 1, 2, o, y, x));
}

static void test_relu_tanh(void **st)
{
    (void)st;
    float in[4] = {-2, -0.0f, 0.5f, 3}, out[4];
    relu(out, in, 4);
    NEAR(out[0], 0), NEAR(out[1], 0), NEAR(out[2], 0.5f), NEAR(out[3], 3);
    tanh_act(out, in, 4);
    NEAR(out[0], tanhf(-2)), NEAR(out[3], tanhf(3));
}

static void test_lrn(void **st)
{
    (void)st;
    /* 3 channels 1×1 values 1, 2, 3; size 3, alpha 3, beta 1, k 1: alpha/size = 1
       c0: window c0..c1 -> 1+4 = 5   -> 1 / (1+5)  = 1/6
       c1: window c0..c2 -> 14        -> 2 / 15
       c2: window c1..c2 -> 13        -> 3 / 14 */
    float in[3] = {1, 2, 3}, out[3];
    lrn(out, in, (Shape){3, 1, 1}, 3, 3.0f, 1.0f, 1.0f);
    NEAR(out[0], 1.0f / 6), NEAR(out[1], 2.0f / 15), NEAR(out[2], 3.0f / 14);
    /* AlexNet's constants: x / (1 + 1e-4/5 · Σx²)^0.75 */
    float big[5] = {10, 20, 30, 40, 50}, o5[5];
    lrn(o5, big, (Shape){5, 1, 1}, 5, 1e-4f, 0.75f, 1.0f);
    NEAR(o5[2], 30.0f / powf(1.0f + 1e-4f / 5 * (100 + 400 + 900 + 1600 + 2500), 0.75f));
}

static void test_pool_floor_and_ceil(void **st)
{
    (void)st;
    /* 1..25 as 5×5; 2×2 stride 2: floor -> 2×2, ceil -> 3×3 (last window clipped) */
    float in[25], out[9];
    for (int i = 0; i < 25; i++) in[i] = (float)(i + 1);
    assert_int_equal(conv_out_size(5, 2, 0, 2, 0), 2);
    assert_int_equal(conv_out_size(5, 2, 0, 2, 1), 3);
    maxpool(out, in, (Shape){1, 5, 5}, (Shape){1, 2, 2}, 2, 2, 0);
    NEAR(out[0], 7), NEAR(out[1], 9), NEAR(out[2], 17), NEAR(out[3], 19);
    maxpool(out, in, (Shape){1, 5, 5}, (Shape){1, 3, 3}, 2, 2, 0);
    NEAR(out[2], 10), NEAR(out[6], 22), NEAR(out[8], 25);
    /* overlapping 3/2 as in AlexNet: 55 -> 27 either way, 13 -> 6 */
    assert_int_equal(conv_out_size(55, 3, 0, 2, 0), 27);
    assert_int_equal(conv_out_size(55, 3, 0, 2, 1), 27);
    assert_int_equal(conv_out_size(13, 3, 0, 2, 1), 6);
    /* the 224 discrepancy: 54 -> 26 (floor) but 55 -> 27 */
    assert_int_equal(conv_out_size(54, 3, 0, 2, 1), 27);
    assert_int_equal(conv_out_size(54, 3, 0, 2, 0), 26);
}

static void test_avgpool(void **st)
{
    (void)st;
    /* three rows of 1..9, 3×3 windows, stride 3: the means 2, 5, 8 */
    float in[27], out[3];
    for (int i = 0; i < 27; i++) in[i] = (float)(i % 9 + 1);
    avgpool(out, in, (Shape){1, 3, 9}, (Shape){1, 1, 3}, 3, 3, 0);
    NEAR(out[0], 2), NEAR(out[1], 5), NEAR(out[2], 8);
    /* padding 1 on a 2×2 input of ones, 2×2 windows stride 2: the corner window holds one
       real value and three pads; PyTorch's default divides by 4 */
    float ones[4] = {1, 1, 1, 1}, o4[4];
    avgpool(o4, ones, (Shape){1, 2, 2}, (Shape){1, 2, 2}, 2, 2, 1);
    NEAR(o4[0], 0.25f), NEAR(o4[3], 0.25f);
}

static void test_fc(void **st)
{
    (void)st;
    float in[3] = {1, 2, 3}, w[6] = {1, 0, -1, 0.5f, 0.5f, 0.5f}, b[2] = {10, -1}, out[2];
    fc(out, in, w, b, 3, 2);
    NEAR(out[0], 10 + 1 - 3), NEAR(out[1], -1 + 3);
}

static void test_dropout(void **st)
{
    (void)st;
    float in[1000], out[1000];
    unsigned char mask[1000];
    for (int i = 0; i < 1000; i++) in[i] = 1.0f;
    dropout(out, in, 1000, 0.5f, NULL, 1);
    for (int i = 0; i < 1000; i++) NEAR(out[i], 1.0f);
    dropout(out, in, 1000, 0.5f, mask, 42);
    int kept = 0;
    for (int i = 0; i < 1000; i++) {
        kept += mask[i];
        NEAR(out[i], mask[i] ? 2.0f : 0.0f); /* survivors scaled by 1/(1-p) */
    }
    assert_true(kept > 430 && kept < 570);
    unsigned char again[1000];
    dropout(out, in, 1000, 0.5f, again, 42);
    assert_memory_equal(mask, again, 1000); /* same seed, same mask */
}

static void test_softmax_large_logits(void **st)
{
    (void)st;
    float in[3] = {1000, 1001, 1002}, out[3];
    softmax(out, in, 3);
    float e0 = expf(-2), e1 = expf(-1), sum = e0 + e1 + 1;
    NEAR(out[0], e0 / sum), NEAR(out[1], e1 / sum), NEAR(out[2], 1 / sum);
    float neg[2] = {-1000, 0}, o2[2];
    softmax(o2, neg, 2);
    NEAR(o2[0], 0), NEAR(o2[1], 1);
    assert_false(isnan(o2[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_identity_and_bias), cmocka_unit_test(test_conv_stride_and_padding),
        cmocka_unit_test(test_conv_groups), cmocka_unit_test(test_conv_matches_textbook_loops),
        cmocka_unit_test(test_relu_tanh), cmocka_unit_test(test_lrn), cmocka_unit_test(test_pool_floor_and_ceil),
        cmocka_unit_test(test_avgpool), cmocka_unit_test(test_fc), cmocka_unit_test(test_dropout),
        cmocka_unit_test(test_softmax_large_logits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
