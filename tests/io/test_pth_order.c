/* test_pth_order.c - safetensors files whose names are neither Caffe's nor torchvision's,
   matched by shape and order (wfile_match.c, shared with the .pth reader): a PyTorch port of
   the 2012 network named features.0, .4, .8, ... with its data sorted by name as the
   safetensors library writes it; meaningless names with the arch inferred; layers of equal
   shape told apart by the data's order; and the refusals when shapes do not add up. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "support.h"
#include "wfile_impl.h"
#include "wfile_writer.h"

static void add(StT *t, const char *name, const float *v, long n, const int64_t *dims, int nd)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->dtype = "F32";
    t->nd = nd;
    memcpy(t->dims, dims, (size_t)nd * sizeof *dims);
    b_put(&t->data, v, (size_t)n * sizeof *v);
}

/* Layer i of w as a weight (2-D fc, 4-D conv) and a bias tensor named pre.weight / pre.bias. */
static void add_layer(StT *t, const Weights *w, int i, const char *wname, const char *bname)
{
    const LayerSpec *l = &w->arch->layers[i];
    int64_t d[4];
    int nd = wfile_expected_dims(l, w->l[i].nw, w->l[i].nb, 0, d);
    add(&t[0], wname, w->l[i].w, w->l[i].nw, d, nd);
    int64_t nb = w->l[i].nb;
    add(&t[1], bname, w->l[i].b, w->l[i].nb, &nb, 1);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const StT *)a)->name, ((const StT *)b)->name);
}

/* The golden 2012 "mini" network, saved as a PyTorch port would name it, in the safetensors
   library's data order (by name: classifier.* first, features.10 before features.4). */
static void test_port_2012(void **state)
{
    (void)state;
    static const char *const port[] = {"features.0", "features.4", "features.8", "features.10",
                                       "features.12", "classifier.1", "classifier.4", "classifier.6"};
    Weights ref, w;
    Err e = {{0}};
    assert_int_equal(wfile_load(FIXTURES "/golden/mini/mini.safetensors", &golden_arch_mini, &ref, &e), 0);
    StT t[16];
    for (int k = 0; k < 8; k++) {
        char wn[64], bn[64];
        snprintf(wn, sizeof wn, "%s.weight", port[k]);
        snprintf(bn, sizeof bn, "%s.bias", port[k]);
        add_layer(&t[2 * k], &ref, wfile_weighted_layer(&golden_arch_mini, k), wn, bn);
    }
    qsort(t, 16, sizeof *t, by_name);
    const char *p = ts_path("port.safetensors");
    st_write(p, t, 16, NULL);
    expect_load(p, &golden_arch_mini, &golden_arch_mini, &ref, "safetensors");
    assert_int_equal(wfile_load(p, &golden_arch_mini, &w, &e), 0);
    assert_non_null(strstr(w.match, "matched by shape and order: 'features.0.weight' -> conv1, 'features.0.bias' -> "
                                    "conv1, 'features.4.weight' -> conv2, 'features.4.bias' -> conv2"));
    assert_non_null(strstr(w.match, "'features.12.bias' -> conv5, 'classifier.1.weight' -> fc6"));
    weights_free(&w);
    weights_free(&ref);
}

/* LeNet-5 under names that say nothing, in a shuffled order: the arch is inferred from the
   shapes, and the weights are the file's. */
static void test_infer_by_shape(void **state)
{
    (void)state;
    Weights ref, w;
    Err e = {{0}};
    fill_ref(&arch_lenet5, &ref);
    static const int order[] = {3, 0, 4, 1, 2}; /* the k-th weighted layer written k-th in this order */
    StT t[10];
    for (int k = 0; k < 5; k++) {
        char wn[32], bn[32];
        snprintf(wn, sizeof wn, "p%d", 10 - k);
        snprintf(bn, sizeof bn, "q%d", k);
        add_layer(&t[2 * k], &ref, wfile_weighted_layer(&arch_lenet5, order[k]), wn, bn);
    }
    const char *p = ts_path("lenet-anon.safetensors");
    st_write(p, t, 10, NULL);
    expect_load(p, NULL, &arch_lenet5, &ref, "safetensors");
    assert_int_equal(wfile_load(p, NULL, &w, &e), 0);
    assert_non_null(strstr(w.match, "'p9' -> conv1"));
    weights_free(&w);

    /* an extra float tensor: refused, not ignored */
    StT u[11];
    for (int k = 0; k < 5; k++) add_layer(&u[2 * k], &ref, wfile_weighted_layer(&arch_lenet5, k), "w", "b");
    for (int k = 0; k < 10; k++) snprintf(u[k].name, sizeof u[k].name, "t%d", k);
    float extra[3] = {1, 2, 3};
    int64_t three = 3;
    add(&u[10], "mean", extra, 3, &three, 1);
    st_write(p, u, 11, NULL);
    expect_fail(p, &arch_lenet5, "tensor 'mean' (3) fits no layer of lenet5", NULL, NULL);
    /* a layer without a tensor of its shape: named, with the shape it needs */
    static const int without_fc4[] = {0, 1, 2, 4};
    for (int k = 0; k < 4; k++) add_layer(&u[2 * k], &ref, wfile_weighted_layer(&arch_lenet5, without_fc4[k]), "w", "b");
    for (int k = 0; k < 8; k++) snprintf(u[k].name, sizeof u[k].name, "t%d", k);
    st_write(p, u, 8, NULL);
    expect_fail(p, &arch_lenet5, "fc4: missing weight: no tensor is named fc4.weight", "nor has its shape 84×120", NULL);
    weights_free(&ref);
}

/* Two layers of the same shape: the first in the data's order is the earlier layer, whatever
   the names' alphabetical order. */
static void test_ties_by_order(void **state)
{
    (void)state;
    static const LayerSpec layers[] = {
        {.kind = LK_CONV, .name = "c1", .out = 4, .k = 3, .stride = 1, .pad = 1, .groups = 1},
        {.kind = LK_CONV, .name = "c2", .out = 4, .k = 3, .stride = 1, .pad = 1, .groups = 1},
        {.kind = LK_CONV, .name = "c3", .out = 4, .k = 3, .stride = 1, .pad = 1, .groups = 1},
        {.kind = LK_FC, .name = "f4", .out = 2},
    };
    const ArchSpec same = {.name = "same", .input = {4, 4, 4}, .nlayers = 4, .layers = layers};
    Weights ref, w;
    Err e = {{0}};
    fill_ref(&same, &ref);
    StT t[8];
    static const char *const names[] = {"z.w", "z.b", "y.w", "y.b", "x.w", "x.b", "a.w", "a.b"};
    for (int k = 0; k < 4; k++) add_layer(&t[2 * k], &ref, k, names[2 * k], names[2 * k + 1]);
    const char *p = ts_path("same.safetensors");
    st_write(p, t, 8, NULL);
    expect_load(p, &same, &same, &ref, "safetensors");
    assert_int_equal(wfile_load(p, &same, &w, &e), 0);
    assert_string_equal(w.match, "matched by shape and order: 'z.w' -> c1, 'z.b' -> c1, 'y.w' -> c2, 'y.b' -> c2, "
                                 "'x.w' -> c3, 'x.b' -> c3, 'a.w' -> f4, 'a.b' -> f4");
    weights_free(&w);
    weights_free(&ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_port_2012),
        cmocka_unit_test(test_infer_by_shape),
        cmocka_unit_test(test_ties_by_order),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
