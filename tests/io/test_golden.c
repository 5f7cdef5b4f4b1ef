/* test_golden.c - the engine against PyTorch, layer by layer, for every weight format.

   tests/fixtures/golden/ holds two reduced-width AlexNets made by tests/gen_golden.py:
   "mini" (the 2012 / Caffe network: LRN, groups 2, ceil pools, input 3×227×227) and
   "mini-tv" (torchvision's: no LRN, no groups, floor pools, input 3×224×224), each with an
   input tensor, PyTorch's output of every layer (LAYER.npy, computed in float64) and the
   same weights in every file format. For each file: wfile_load → net_create → forward on
   input.npy → every layer's output must satisfy

       max |ours − ref| / max(max |ref|, 1e-30)  ≤  1e-4

   The weights are bfloat16 numbers, so the F32, F16 and BF16 files share the references. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch_table.h"
#include "net.h"
#include "npy.h"
#include "wfile.h"

#define GOLDEN FIXTURES "/golden"
#define TOLERANCE 1e-4

/* ---- the two networks, as the real tables in src/arch.c ------------------------------ */

/* alexnet with widths 8/16/24/24/16 and fc 32/32/10 */
static const LayerSpec mini_layers[] = {
    CONV("conv1", NULL, 8, 11, 4, 0, 1), RELU("relu1"), LRN("norm1"), MAXPOOL("pool1", 3, 2, 1),
    CONV("conv2", NULL, 16, 5, 1, 2, 2), RELU("relu2"), LRN("norm2"), MAXPOOL("pool2", 3, 2, 1),
    CONV("conv3", NULL, 24, 3, 1, 1, 1), RELU("relu3"),
    CONV("conv4", NULL, 24, 3, 1, 1, 2), RELU("relu4"),
    CONV("conv5", NULL, 16, 3, 1, 1, 2), RELU("relu5"), MAXPOOL("pool5", 3, 2, 1),
    FC("fc6", NULL, 32), RELU("relu6"), DROP("drop6"),
    FC("fc7", NULL, 32), RELU("relu7"), DROP("drop7"),
    FC("fc8", NULL, 10), SOFTMAX("prob"),
};

/* alexnet-tv with widths 8/16/24/16/16 and fc 32/32/10, in torchvision's order: dropout
   before fc6 (on pool5's 16×6×6) and before fc7, none before fc8, softmax added */
static const LayerSpec mini_tv_layers[] = {
    CONV("conv1", "features.0", 8, 11, 4, 2, 1), RELU("relu1"), MAXPOOL("pool1", 3, 2, 0),
    CONV("conv2", "features.3", 16, 5, 1, 2, 1), RELU("relu2"), MAXPOOL("pool2", 3, 2, 0),
    CONV("conv3", "features.6", 24, 3, 1, 1, 1), RELU("relu3"),
    CONV("conv4", "features.8", 16, 3, 1, 1, 1), RELU("relu4"),
    CONV("conv5", "features.10", 16, 3, 1, 1, 1), RELU("relu5"), MAXPOOL("pool5", 3, 2, 0),
    DROP("drop6"), FC("fc6", "classifier.1", 32), RELU("relu6"),
    DROP("drop7"), FC("fc7", "classifier.4", 32), RELU("relu7"),
    FC("fc8", "classifier.6", 10), SOFTMAX_ADDED("prob", "added by alexscope"),
};

/* preproc is not under test: input.npy is already preprocessed */
static const ArchSpec arch_mini = {
    .name = "mini", .title = "golden test: reduced-width alexnet",
    .input = {3, 227, 227}, .nlayers = COUNT(mini_layers), .layers = mini_layers,
};
static const ArchSpec arch_mini_tv = {
    .name = "mini-tv", .title = "golden test: reduced-width alexnet-tv",
    .input = {3, 224, 224}, .nlayers = COUNT(mini_tv_layers), .layers = mini_tv_layers,
};

typedef struct {
    const char *name;   /* the test's name */
    const ArchSpec *arch;
    const char *dir;    /* under GOLDEN: input.npy and LAYER.npy */
    const char *file;   /* weight file in dir; NULL for the shape test */
} Case;

static const Case cases[] = {
    {"mini.safetensors", &arch_mini, "mini", "mini.safetensors"},
    {"mini-f16.safetensors", &arch_mini, "mini", "mini-f16.safetensors"},
    {"mini-bf16.safetensors", &arch_mini, "mini", "mini-bf16.safetensors"},
    {"mini-v1.caffemodel", &arch_mini, "mini", "mini-v1.caffemodel"},
    {"mini-v2.caffemodel", &arch_mini, "mini", "mini-v2.caffemodel"},
    {"mini-zoo.onnx", &arch_mini, "mini", "mini-zoo.onnx"},
    {"mini-tv.safetensors", &arch_mini_tv, "mini-tv", "mini-tv.safetensors"},
    {"mini-tv.onnx", &arch_mini_tv, "mini-tv", "mini-tv.onnx"},
    {"mini-tv-matmul.onnx", &arch_mini_tv, "mini-tv", "mini-tv-matmul.onnx"},
};

static const Case shape_cases[] = {
    {"shapes mini", &arch_mini, "mini", NULL},
    {"shapes mini-tv", &arch_mini_tv, "mini-tv", NULL},
};

/* ---- helpers ---------------------------------------------------------------------- */

/* Reads GOLDEN/dir/name.npy; fails the test if it cannot. */
static float *read_ref(const char *dir, const char *name, int64_t *dims, int *ndim)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s.npy", GOLDEN, dir, name);
    float *data = NULL;
    Err e = {0};
    if (npy_read(path, &data, dims, 4, ndim, &e) != 0) fail_msg("%s", e.msg);
    return data;
}

/* The reference's shape must be the layer's: (C, H, W) for maps, (N) for vectors. */
static void check_shape(const char *file, const PlanLayer *l, const int64_t *dims, int ndim)
{
    Shape s = l->out;
    int ok = (ndim == 3 && dims[0] == s.c && dims[1] == s.h && dims[2] == s.w) ||
             (ndim == 1 && dims[0] == s.c && s.h == 1 && s.w == 1);
    if (!ok)
        fail_msg("%s: %s is %d×%d×%d, the reference has %d dims (%lld, %lld, %lld)", file,
                 l->spec->name, s.c, s.h, s.w, ndim, (long long)dims[0],
                 (long long)(ndim > 1 ? dims[1] : 0), (long long)(ndim > 2 ? dims[2] : 0));
}

/* max |a − b| / max(max |ref|, 1e-30) */
static double rel_error(const float *ours, const float *ref, long n)
{
    double diff = 0, scale = 0;
    for (long i = 0; i < n; i++) {
        double d = fabs((double)ours[i] - (double)ref[i]);
        if (!(d <= diff)) diff = d; /* a NaN makes the error NaN, not 0 */
        if (fabs((double)ref[i]) > scale) scale = fabs((double)ref[i]);
    }
    return diff / (scale > 1e-30 ? scale : 1e-30);
}

/* ---- tests ------------------------------------------------------------------------ */

/* Every reference file has the shape of its layer (with zero weights: no loader needed). */
static void test_shapes(void **state)
{
    const Case *c = *state;
    Err e = {0};
    Weights w;
    assert_int_equal(weights_alloc(c->arch, &w, &e), 0);
    Net *n = net_create(c->arch, &w, &e);
    if (!n) fail_msg("%s: %s", c->dir, e.msg);

    int64_t dims[4];
    int ndim;
    float *x = read_ref(c->dir, "input", dims, &ndim);
    free(x);
    assert_int_equal(ndim, 3);
    assert_true(dims[0] == c->arch->input.c && dims[1] == c->arch->input.h && dims[2] == c->arch->input.w);
    for (int i = 0; i < n->nlayers; i++) {
        float *ref = read_ref(c->dir, n->plan.layers[i].spec->name, dims, &ndim);
        check_shape(c->dir, &n->plan.layers[i], dims, ndim);
        free(ref);
    }
    net_free(n);
    weights_free(&w);
}

static void test_file(void **state)
{
    const Case *c = *state;
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", GOLDEN, c->dir, c->file);

    Err e = {0};
    Weights w;
    if (wfile_load(path, c->arch, &w, &e) != 0) fail_msg("%s", e.msg);
    Net *n = net_create(c->arch, &w, &e);
    if (!n) fail_msg("%s: %s", c->file, e.msg);

    int64_t dims[4];
    int ndim;
    float *x = read_ref(c->dir, "input", dims, &ndim);
    net_set_input(n, x);
    free(x);
    if (net_forward(n, &e) < 0) fail_msg("%s: %s", c->file, e.msg);

    double worst = 0;
    const char *worst_name = "";
    int bad = 0;
    for (int i = 0; i < n->nlayers; i++) {
        const PlanLayer *l = &n->plan.layers[i];
        float *ref = read_ref(c->dir, l->spec->name, dims, &ndim);
        check_shape(c->file, l, dims, ndim);
        const float *out = n->run[i].out_data;
        assert_non_null(out);
        double err = rel_error(out, ref, shape_count(l->out));
        free(ref);
        if (!(err <= TOLERANCE)) {
            print_message("%s: %s relative error %.3g > %g\n", c->file, l->spec->name, err, TOLERANCE);
            bad++;
        }
        if (!(err <= worst)) worst = err, worst_name = l->spec->name;
    }
    print_message("%-24s worst relative error %.3g (%s)\n", c->file, worst, worst_name);
    net_free(n);
    weights_free(&w);
    if (bad) fail_msg("%s: %d layer(s) differ from PyTorch by more than %g", c->file, bad, TOLERANCE);
}

int main(void)
{
    struct CMUnitTest tests[COUNT(shape_cases) + COUNT(cases)];
    int k = 0;
    for (int i = 0; i < COUNT(shape_cases); i++) {
        struct CMUnitTest t = cmocka_unit_test_prestate(test_shapes, (void *)&shape_cases[i]);
        t.name = shape_cases[i].name;
        tests[k++] = t;
    }
    for (int i = 0; i < COUNT(cases); i++) {
        struct CMUnitTest t = cmocka_unit_test_prestate(test_file, (void *)&cases[i]);
        t.name = cases[i].name;
        tests[k++] = t;
    }
    return cmocka_run_group_tests_name("golden", tests, NULL, NULL);
}
