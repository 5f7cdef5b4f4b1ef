/* test_im2col.c - the patch matrix by hand, a plain matrix product by hand, im2col + matmul
   equal to the naive convolution on AlexNet's conv1 and the grouped conv2, and the matrix
   sizes and MACs of every conv layer of every architecture. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "im2col_net.h"
#include "kernels.h"
#include "net.h"
#include "plan.h"
#include "rng.h"
#include "weights.h"

static void test_im2col_by_hand(void **st)
{
    (void)st;
    /* 2 channels of 4×4: channel 0 holds 1..16, channel 1 holds 101..116. A 3×3 window,
       stride 2, padding 1: (4+2·1−3)/2+1 = 2, so 2×2 positions = 4 columns, 2·3·3 = 18 rows.
       Column p = y·2 + x; rows i = −1 (y = 0) and columns j = −1 (x = 0) are padding zeros. */
    float in[32];
    for (int i = 0; i < 16; i++) in[i] = (float)(i + 1), in[16 + i] = (float)(101 + i);
    static const float want[18][4] = {
        /* channel 0     (0,0) (0,1) (1,0) (1,1) */
        /* i0 j0 */ {0, 0, 0, 6},    /* i0 j1 */ {0, 0, 5, 7},    /* i0 j2 */ {0, 0, 6, 8},
        /* i1 j0 */ {0, 2, 0, 10},   /* i1 j1 */ {1, 3, 9, 11},   /* i1 j2 */ {2, 4, 10, 12},
        /* i2 j0 */ {0, 6, 0, 14},   /* i2 j1 */ {5, 7, 13, 15},  /* i2 j2 */ {6, 8, 14, 16},
        /* channel 1 */
        {0, 0, 0, 106},   {0, 0, 105, 107},   {0, 0, 106, 108},
        {0, 102, 0, 110}, {101, 103, 109, 111}, {102, 104, 110, 112},
        {0, 106, 0, 114}, {105, 107, 113, 115}, {106, 108, 114, 116},
    };
    float cols[18 * 4];
    im2col(cols, in, (Shape){2, 4, 4}, (Shape){1, 2, 2}, 3, 2, 1);
    for (int r = 0; r < 18; r++)
        for (int p = 0; p < 4; p++) assert_true(cols[r * 4 + p] == want[r][p]);
    /* a 3×3 box filter on channel 0 is the column sums of its nine rows: 14, 30, 57, 99 as
       in test_kernels.c's stride-and-padding case */
    float ones[18] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, out[4];
    matmul(out, ones, cols, 1, 18, 4);
    assert_true(out[0] == 14 && out[1] == 30 && out[2] == 57 && out[3] == 99);
    /* one column alone */
    float col[18];
    im2col_column(col, 1, in, (Shape){2, 4, 4}, 3, 2, 1, 2, 3);
    for (int r = 0; r < 18; r++) assert_true(col[r] == want[r][3]);
}

static void test_matmul_by_hand(void **st)
{
    (void)st;
    /* [1 2; 3 4] × [5 6; 7 8] = [19 22; 43 50];  [1 0 −1; 2 1 0] × [1; 2; 3] = [−2; 4] */
    float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, c[4];
    matmul(c, a, b, 2, 2, 2);
    assert_true(c[0] == 19 && c[1] == 22 && c[2] == 43 && c[3] == 50);
    float a2[6] = {1, 0, -1, 2, 1, 0}, b2[3] = {1, 2, 3}, c2[2];
    matmul(c2, a2, b2, 2, 3, 1);
    assert_true(c2[0] == -2 && c2[1] == 4);
}

/* conv_im2col == conv2d on layer `name` of AlexNet with the built-in weights and a random
   input, to 1e-5 of the value (at least 1e-5). */
static void check_layer(const char *name, uint64_t seed)
{
    const ArchSpec *a = &arch_alexnet;
    static Plan p;
    Weights w;
    Err e = {0};
    assert_int_equal(plan_build(a, &p, &e), 0);
    assert_int_equal(weights_builtin(a, WEIGHTS_DEFAULT_SEED, &w, &e), 0);
    int i = arch_layer_index(a, name);
    assert_true(i >= 0);
    const PlanLayer *r = &p.layers[i];
    const LayerSpec *l = r->spec;
    PlanIm2col z;
    assert_int_equal(plan_im2col(r, &z), 0);
    long nin = shape_count(r->in), nout = shape_count(r->out);
    float *in = malloc(sizeof(float) * (size_t)nin), *naive = malloc(sizeof(float) * (size_t)nout),
          *mm = malloc(sizeof(float) * (size_t)nout), *cols = malloc(sizeof(float) * (size_t)z.rows * (size_t)z.cols);
    assert_non_null(in), assert_non_null(naive), assert_non_null(mm), assert_non_null(cols);
    for (long k = 0; k < nin; k++) in[k] = rng_normal(&seed);
    conv2d(naive, in, w.l[i].w, w.l[i].b, r->in, r->out, l->k, l->stride, l->pad, l->groups);
    conv2d_im2col(mm, in, w.l[i].w, w.l[i].b, r->in, r->out, l->k, l->stride, l->pad, l->groups, cols);
    double worst = 0;
    for (long k = 0; k < nout; k++) {
        double d = fabs((double)mm[k] - naive[k]), tol = 1e-5 * fmax(1.0, fabs(naive[k]));
        if (d > tol) fail_msg("%s unit %ld: im2col·W %g, naive %g", name, k, mm[k], naive[k]);
        worst = fmax(worst, d);
    }
    print_message("%s: max |im2col·W − naive| = %g over %ld units\n", name, worst, nout);
    free(in), free(naive), free(mm), free(cols);
    weights_free(&w);
}

static void test_conv1_as_matmul(void **st)
{
    (void)st;
    check_layer("conv1", 1);
}

static void test_grouped_conv2_as_two_matmuls(void **st)
{
    (void)st;
    check_layer("conv2", 2);
}

static void test_sizes_and_macs(void **st)
{
    (void)st;
    static Plan p;
    assert_int_equal(plan_build(&arch_alexnet, &p, NULL), 0);
    PlanIm2col z;
    /* conv1: 3·11·11 = 363 rows, 55·55 = 3,025 columns; 96 filters of 363 weights */
    assert_int_equal(plan_im2col(&p.layers[arch_layer_index(&arch_alexnet, "conv1")], &z), 0);
    assert_int_equal(z.rows, 363);
    assert_int_equal(z.cols, 3025);
    assert_int_equal(z.wrows, 96);
    assert_int_equal(z.groups, 1);
    assert_true(z.patch_bytes == 363LL * 3025 * 4 && z.in_bytes == 227LL * 227 * 3 * 4);
    /* conv2, two groups: 48·5·5 = 1,200 rows, 27·27 = 729 columns, 128 filters per group */
    assert_int_equal(plan_im2col(&p.layers[arch_layer_index(&arch_alexnet, "conv2")], &z), 0);
    assert_true(z.rows == 1200 && z.cols == 729 && z.wrows == 128 && z.groups == 2);
    assert_int_equal(plan_im2col(&p.layers[arch_layer_index(&arch_alexnet, "relu1")], &z), -1);
    /* every conv layer of every architecture: rows · cols · cout is the plan's MAC count */
    int convs = 0;
    for (int a = 0; arch_all[a]; a++) {
        assert_int_equal(plan_build(arch_all[a], &p, NULL), 0);
        for (int i = 0; i < p.nlayers; i++) {
            if (p.layers[i].spec->kind != LK_CONV) continue;
            assert_int_equal(plan_im2col(&p.layers[i], &z), 0);
            assert_true((long long)z.rows * z.cols * p.layers[i].out.c == p.layers[i].macs);
            assert_true(z.macs == p.layers[i].macs);
            convs++;
        }
    }
    assert_int_equal(convs, 5 + 5 + 2);
}

static float *random_input(const ArchSpec *a, uint64_t seed)
{
    long n = shape_count(a->input);
    float *x = malloc(sizeof(float) * (size_t)n);
    assert_non_null(x);
    for (long k = 0; k < n; k++) x[k] = rng_normal(&seed);
    return x;
}

/* One unit through the patch matrix equals the naive value and what the run computed; the
   group of a grouped layer's filter is the right one; errors instead of garbage. */
static void test_net_unit_and_maxdiff(void **st)
{
    (void)st;
    Weights w;
    Err e = {0};
    assert_int_equal(weights_builtin(&arch_alexnet, WEIGHTS_DEFAULT_SEED, &w, &e), 0);
    Net *n = net_create(&arch_alexnet, &w, &e);
    assert_non_null(n);
    Im2colUnit u;
    float d;
    const PlanLayer *r = n->plan.layers;
    assert_int_equal(im2col_net_maxdiff(n, 0, &d, &e), -1); /* no input yet */
    float *x = random_input(&arch_alexnet, 3);
    net_set_input(n, x);
    int conv2 = arch_layer_index(&arch_alexnet, "conv2");
    assert_int_equal(im2col_net_maxdiff(n, conv2, &d, &e), -1); /* pool1 not run */
    assert_int_equal(net_run_to(n, conv2, &e), conv2); /* through pool1: conv2's input */
    assert_int_equal(im2col_unit(&r[1], &w.l[1], x, 0, 0, 0, &u, &e), -1);  /* relu1: no conv */
    assert_int_equal(im2col_unit(&r[0], &w.l[0], x, 96, 0, 0, &u, &e), -1); /* no filter 96 */
    /* conv1 filter 5 at (27, 27): column 27·55 + 27 = 1,512 */
    assert_int_equal(im2col_unit(&r[0], &w.l[0], x, 5, 27, 27, &u, &e), 0);
    assert_int_equal(u.column, 1512);
    assert_int_equal(u.group, 0);
    const float *c1 = n->run[0].out_data;
    assert_true(fabsf(u.product - u.naive) <= 1e-5f * fmaxf(1.0f, fabsf(u.naive)));
    assert_true(fabsf(u.naive - c1[(5 * 55 + 27) * 55 + 27]) <= 1e-5f * fmaxf(1.0f, fabsf(u.naive)));
    /* conv2 filter 200 is in the second group (128 per group): it reads channels 48..95 */
    assert_int_equal(im2col_unit(&r[conv2], &w.l[conv2], net_layer_input(n, conv2), 200, 0, 26, &u, &e), 0);
    assert_int_equal(u.group, 1);
    assert_int_equal(u.column, 26);
    assert_true(fabsf(u.product - u.naive) <= 1e-5f * fmaxf(1.0f, fabsf(u.naive)));
    assert_int_equal(im2col_net_maxdiff(n, 1, &d, &e), -1);
    net_free(n), free(x), weights_free(&w);

    /* the whole layer: lenet5's conv2 (16 filters of 5×5×6 on 14×14) */
    assert_int_equal(weights_builtin(&arch_lenet5, WEIGHTS_DEFAULT_SEED, &w, &e), 0);
    n = net_create(&arch_lenet5, &w, &e);
    x = random_input(&arch_lenet5, 4);
    net_set_input(n, x);
    assert_int_equal(net_forward(n, &e), n->nlayers);
    d = -1;
    assert_int_equal(im2col_net_maxdiff(n, arch_layer_index(&arch_lenet5, "conv2"), &d, &e), 0);
    assert_true(d >= 0.0f && d < 1e-5f);
    net_free(n), free(x), weights_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_im2col_by_hand),         cmocka_unit_test(test_matmul_by_hand),
        cmocka_unit_test(test_conv1_as_matmul),        cmocka_unit_test(test_grouped_conv2_as_two_matmuls),
        cmocka_unit_test(test_sizes_and_macs),         cmocka_unit_test(test_net_unit_and_maxdiff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
