/* test_saliency.c - tool_saliency (src/tools/saliency.h): the full `alexnet` at 227 with its
   built-in weights (seed 42) on the golden cat (tests/fixtures/golden/mini/input.npy), d fc8[K]
   / d input for the top class K with the three ReLU rules, against PyTorch's maps
   (tests/fixtures/backward/alexnet/, made by tests/gen_backward.py with ReLU backward
   hooks, in float64):

       max |ours − PyTorch| / max |PyTorch|  ≤  1e-4     (1e-4 of the map's max)

   and, on lenet5, a unit's map against finite differences, and the refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "saliency.h"

#define SAL_TOLERANCE 1e-4

static float *read_npy(const char *path, long count)
{
    float *data = NULL;
    int64_t dims[4];
    int nd;
    Err e = {0};
    if (npy_read(path, &data, dims, 4, &nd, &e) != 0) fail_msg("%s", e.msg);
    long n = 1;
    for (int i = 0; i < nd; i++) n *= (long)dims[i];
    if (n != count) fail_msg("%s: %ld values, expected %ld", path, n, count);
    return data;
}

static double rel_error(const float *ours, const float *ref, long n)
{
    double diff = 0, scale = 1e-30;
    for (long i = 0; i < n; i++) {
        double d = fabs((double)ours[i] - ref[i]);
        if (!(d <= diff)) diff = d;
        if (fabs(ref[i]) > scale) scale = fabs(ref[i]);
    }
    return diff / scale;
}

static void test_alexnet_three_methods(void **st)
{
    (void)st;
#if defined(__SANITIZE_ADDRESS__)
    /* 13 s per pass under the sanitizers: the release build checks the maps, and the same
       layer structure runs under them in tests/io/test_backward_torch.c (mini) */
    skip();
#endif
    Err e = {0};
    Weights w;
    assert_int_equal(weights_builtin(&arch_alexnet, WEIGHTS_DEFAULT_SEED, &w, &e), 0);
    Net *n = net_create(&arch_alexnet, &w, &e);
    assert_non_null(n);
    long count = shape_count(arch_alexnet.input);
    float *x = read_npy(FIXTURES "/golden/mini/input.npy", count);
    float *k = read_npy(FIXTURES "/backward/alexnet/class.npy", 1);
    net_set_input(n, x);
    for (int m = 0; m < RELU_MODE_COUNT; m++) {
        SalParams sp = {.method = (ReluMode)m, .layer = -1, .cls = -1};
        SalResult r;
        assert_int_equal(tool_saliency(n, &sp, &r, &e), 0);
        assert_int_equal(r.cls, (int)k[0]); /* the same top class as PyTorch */
        assert_int_equal(r.layer, arch_layer_index(&arch_alexnet, "fc8"));
        char path[512];
        snprintf(path, sizeof path, FIXTURES "/backward/alexnet/%s.npy", relu_mode_name((ReluMode)m));
        float *ref = read_npy(path, count);
        double err = rel_error(r.grad, ref, count);
        print_message("alexnet %-8s class %d: forward %.0f ms, backward %.0f ms, max %.4g, "
                      "error %.2g of the max\n", relu_mode_name((ReluMode)m), r.cls, r.ms_forward,
                      r.ms_backward, r.max, err);
        assert_true(err <= SAL_TOLERANCE);
        /* the map is max over channels of |grad| */
        long q = 227 * 100 + 50, plane = 227 * 227;
        float want = fmaxf(fabsf(r.grad[q]), fmaxf(fabsf(r.grad[plane + q]), fabsf(r.grad[2 * plane + q])));
        assert_true(r.map[q] == want && r.max >= want);
        free(ref);
        sal_result_free(&r);
    }
    free(x), free(k);
    net_free(n);
    weights_free(&w);
}

/* lenet5: the gradient of one conv2 unit by central differences of its activation. */
static void test_unit_against_differences(void **st)
{
    (void)st;
    Err e = {0};
    Weights w;
    const ArchSpec *a = &arch_lenet5;
    assert_int_equal(weights_builtin(a, 7, &w, &e), 0);
    Net *n = net_create(a, &w, &e);
    long count = shape_count(a->input);
    float *x = malloc(sizeof(float) * (size_t)count);
    for (long i = 0; i < count; i++) x[i] = (float)sin(0.37 * (double)i);
    net_set_input(n, x);
    int layer = arch_layer_index(a, "conv2");
    assert_true(layer > 0);
    SalParams sp = {.method = RELU_GRADIENT, .layer = layer, .c = 3, .y = 4, .x = 5};
    SalResult r;
    assert_int_equal(tool_saliency(n, &sp, &r, &e), 0);
    assert_int_equal(r.cls, -1);
    Shape o = n->plan.layers[layer].out;
    long unit = ((long)3 * o.h + 4) * o.w + 5;
    double worst = 0, scale = 0;
    for (long i = 0; i < count; i += 7) {
        float keep = x[i];
        double v[2];
        for (int s = 0; s < 2; s++) {
            x[i] = keep + (s ? 1e-2f : -1e-2f);
            net_set_input(n, x);
            net_run_to(n, layer + 1, &e);
            v[s] = n->run[layer].out_data[unit];
        }
        x[i] = keep;
        double num = (v[1] - v[0]) / 2e-2;
        worst = fmax(worst, fabs(num - r.grad[i]));
        scale = fmax(scale, fabs(num));
    }
    assert_true(scale > 1e-3);
    assert_true(worst <= 1e-3 * scale);
    sal_result_free(&r);
    /* refusals: a unit outside the layer, a class that does not exist */
    net_set_input(n, x);
    sp.c = o.c;
    assert_int_equal(tool_saliency(n, &sp, &r, &e), -1);
    assert_non_null(strstr(e.msg, "channels 0.."));
    SalParams cp = {.method = RELU_GUIDED, .layer = -1, .cls = 10};
    assert_int_equal(tool_saliency(n, &cp, &r, &e), -1);
    assert_non_null(strstr(e.msg, "class 10"));
    free(x);
    net_free(n);
    weights_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alexnet_three_methods),
        cmocka_unit_test(test_unit_against_differences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
