/* test_golden.c - the engine against PyTorch, layer by layer, for every weight format.

   tests/fixtures/golden/ holds two reduced-width AlexNets made by tests/gen_golden.py:
   "mini" (the 2012 / Caffe network: LRN, groups 2, ceil pools, input 3×227×227) and
   "mini-tv" (torchvision's: no LRN, no groups, floor pools, input 3×224×224), each with an
   input tensor, PyTorch's output of every layer (LAYER.npy, computed in float64) and the
   same weights in every file format. For each file: wfile_load → net_create → forward on
   input.npy → every layer's output must satisfy

       max |ours − ref| / max(max |ref|, 1e-30)  ≤  1e-4

   The weights are bfloat16 numbers, so the F32, F16 and BF16 files share the references.
   The networks, cases and comparison live in tests/support/golden.c (tests/fast/ runs the
   same cases with the fast engine). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "golden.h"
#include "net.h"

/* Every reference file has the shape of its layer (with zero weights: no loader needed). */
static void test_shapes(void **state)
{
    const GoldenCase *c = *state;
    Err e = {0};
    Weights w;
    assert_int_equal(weights_alloc(c->arch, &w, &e), 0);
    Net *n = net_create(c->arch, &w, &e);
    if (!n) fail_msg("%s: %s", c->dir, e.msg);

    int64_t dims[4];
    int ndim;
    float *x = golden_read_ref(c->dir, "input", dims, &ndim);
    free(x);
    assert_int_equal(ndim, 3);
    assert_true(dims[0] == c->arch->input.c && dims[1] == c->arch->input.h && dims[2] == c->arch->input.w);
    for (int i = 0; i < n->nlayers; i++) {
        float *ref = golden_read_ref(c->dir, n->plan.layers[i].spec->name, dims, &ndim);
        golden_check_shape(c->dir, &n->plan.layers[i], dims, ndim);
        free(ref);
    }
    net_free(n);
    weights_free(&w);
}

static void test_file(void **state)
{
    const GoldenCase *c = *state;
    Err e = {0};
    Weights w;
    Net *n = golden_load(c, &w);
    if (net_forward(n, &e) < 0) fail_msg("%s: %s", c->file, e.msg);
    int bad = golden_compare(c, n, "naive");
    net_free(n);
    weights_free(&w);
    if (bad) fail_msg("%s: %d layer(s) differ from PyTorch by more than %g", c->file, bad, GOLDEN_TOLERANCE);
}

int main(void)
{
    struct CMUnitTest tests[64];
    int k = 0;
    for (int i = 0; i < golden_nshape_cases; i++) {
        struct CMUnitTest t = cmocka_unit_test_prestate(test_shapes, (void *)&golden_shape_cases[i]);
        t.name = golden_shape_cases[i].name;
        tests[k++] = t;
    }
    for (int i = 0; i < golden_ncases; i++) {
        struct CMUnitTest t = cmocka_unit_test_prestate(test_file, (void *)&golden_cases[i]);
        t.name = golden_cases[i].name;
        tests[k++] = t;
    }
    return _cmocka_run_group_tests("golden", tests, (size_t)k, NULL, NULL);
}
