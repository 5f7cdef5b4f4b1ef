/* golden.c - the golden fixtures' networks, cases, reading and comparison (golden.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch_table.h"
#include "golden.h"
#include "npy.h"
#include "wfile.h"

#define GOLDEN FIXTURES "/golden"

/* ---- the two networks, as the real tables in src/nn/arch.c --------------------------- */

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
const ArchSpec golden_arch_mini = {
    .name = "mini", .title = "golden test: reduced-width alexnet",
    .input = {3, 227, 227}, .nlayers = COUNT(mini_layers), .layers = mini_layers,
};
const ArchSpec golden_arch_mini_tv = {
    .name = "mini-tv", .title = "golden test: reduced-width alexnet-tv",
    .input = {3, 224, 224}, .nlayers = COUNT(mini_tv_layers), .layers = mini_tv_layers,
};

const GoldenCase golden_cases[] = {
    {"mini.safetensors", &golden_arch_mini, "mini", "mini.safetensors"},
    {"mini-f16.safetensors", &golden_arch_mini, "mini", "mini-f16.safetensors"},
    {"mini-bf16.safetensors", &golden_arch_mini, "mini", "mini-bf16.safetensors"},
    {"mini-v1.caffemodel", &golden_arch_mini, "mini", "mini-v1.caffemodel"},
    {"mini-v2.caffemodel", &golden_arch_mini, "mini", "mini-v2.caffemodel"},
    {"mini-zoo.onnx", &golden_arch_mini, "mini", "mini-zoo.onnx"},
    {"mini-tv.safetensors", &golden_arch_mini_tv, "mini-tv", "mini-tv.safetensors"},
    {"mini-tv.onnx", &golden_arch_mini_tv, "mini-tv", "mini-tv.onnx"},
    {"mini-tv-matmul.onnx", &golden_arch_mini_tv, "mini-tv", "mini-tv-matmul.onnx"},
};
const int golden_ncases = COUNT(golden_cases);

const GoldenCase golden_shape_cases[] = {
    {"shapes mini", &golden_arch_mini, "mini", NULL},
    {"shapes mini-tv", &golden_arch_mini_tv, "mini-tv", NULL},
};
const int golden_nshape_cases = COUNT(golden_shape_cases);

/* ---- helpers ---------------------------------------------------------------------- */

float *golden_read_ref(const char *dir, const char *name, int64_t *dims, int *ndim)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s.npy", GOLDEN, dir, name);
    float *data = NULL;
    Err e = {0};
    if (npy_read(path, &data, dims, 4, ndim, &e) != 0) fail_msg("%s", e.msg);
    return data;
}

void golden_check_shape(const char *file, const PlanLayer *l, const int64_t *dims, int ndim)
{
    Shape s = l->out;
    int ok = (ndim == 3 && dims[0] == s.c && dims[1] == s.h && dims[2] == s.w) ||
             (ndim == 1 && dims[0] == s.c && s.h == 1 && s.w == 1);
    if (!ok)
        fail_msg("%s: %s is %d×%d×%d, the reference has %d dims (%lld, %lld, %lld)", file,
                 l->spec->name, s.c, s.h, s.w, ndim, (long long)dims[0],
                 (long long)(ndim > 1 ? dims[1] : 0), (long long)(ndim > 2 ? dims[2] : 0));
}

double golden_rel_error(const float *ours, const float *ref, long n)
{
    double diff = 0, scale = 0;
    for (long i = 0; i < n; i++) {
        double d = fabs((double)ours[i] - (double)ref[i]);
        if (!(d <= diff)) diff = d; /* a NaN makes the error NaN, not 0 */
        if (fabs((double)ref[i]) > scale) scale = fabs((double)ref[i]);
    }
    return diff / (scale > 1e-30 ? scale : 1e-30);
}

Net *golden_load(const GoldenCase *c, Weights *w)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", GOLDEN, c->dir, c->file);
    Err e = {0};
    if (wfile_load(path, c->arch, w, &e) != 0) fail_msg("%s", e.msg);
    Net *n = net_create(c->arch, w, &e);
    if (!n) fail_msg("%s: %s", c->file, e.msg);
    int64_t dims[4];
    int ndim;
    float *x = golden_read_ref(c->dir, "input", dims, &ndim);
    assert_int_equal(ndim, 3);
    assert_true(dims[0] == c->arch->input.c && dims[1] == c->arch->input.h && dims[2] == c->arch->input.w);
    net_set_input(n, x);
    free(x);
    return n;
}

int golden_compare(const GoldenCase *c, const Net *n, const char *engine)
{
    double worst = 0;
    const char *worst_name = "";
    int bad = 0;
    for (int i = 0; i < n->nlayers; i++) {
        const PlanLayer *l = &n->plan.layers[i];
        int64_t dims[4];
        int ndim;
        float *ref = golden_read_ref(c->dir, l->spec->name, dims, &ndim);
        golden_check_shape(c->file, l, dims, ndim);
        assert_true(n->run[i].computed);
        double err = golden_rel_error(n->run[i].out_data, ref, shape_count(l->out));
        free(ref);
        if (!(err <= GOLDEN_TOLERANCE)) {
            print_message("%s (%s): %s relative error %.3g > %g\n", c->file, engine, l->spec->name,
                          err, GOLDEN_TOLERANCE);
            bad++;
        }
        if (!(err <= worst)) worst = err, worst_name = l->spec->name;
    }
    print_message("%-24s %-5s worst relative error %.3g (%s)\n", c->file, engine, worst, worst_name);
    return bad;
}
