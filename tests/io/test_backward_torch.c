/* test_backward_torch.c - the backward pass (src/nn/backward.h) against PyTorch autograd.

   tests/fixtures/backward/ is made by tests/gen_backward.py (Debian's python3-torch; CI
   only reads the files): for each layer kind its input, output gradient dy and PyTorch's
   dx (and dw, db), computed in float64; and the golden `mini` network (tests/fixtures/golden/
   mini: the cat, mini.safetensors) with a cross-entropy loss and train-mode dropout under
   alexscope's own masks: the input gradient and every weight and bias gradient. Each must
   satisfy

       max |ours − PyTorch| / max |PyTorch|  ≤  1e-4          (GOLDEN_TOLERANCE)

   The saliency maps of the full alexnet are checked in tests/tools/test_saliency.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch_table.h"
#include "backward.h"
#include "golden.h"
#include "kernels.h"

/* DIR/sub/name.npy, with its element count checked. Caller frees. */
static float *read_fixture(const char *sub, const char *name, long count)
{
    char dir[256];
    int64_t dims[4];
    int nd;
    snprintf(dir, sizeof dir, "../backward/%s", sub); /* golden_read_ref reads under golden/ */
    float *data = golden_read_ref(dir, name, dims, &nd);
    long n = 1;
    for (int i = 0; i < nd; i++) n *= (long)dims[i];
    if (n != count) fail_msg("%s/%s: %ld values, expected %ld", sub, name, n, count);
    return data;
}

/* ours against sub/name.npy; prints the error; returns 1 if over the tolerance */
static int compare(const char *sub, const char *name, const float *ours, long count)
{
    float *ref = read_fixture(sub, name, count);
    double err = golden_rel_error(ours, ref, count);
    free(ref);
    print_message("  %-14s %-10s relative error %.2g\n", sub, name, err);
    return !(err <= GOLDEN_TOLERANCE);
}

/* ---- one layer kind at a time (the same table as gen_backward.py's layer_cases) ---------- */

static const LayerSpec t_conv[] = {CONV("conv", NULL, 6, 3, 2, 1, 2)};
static const LayerSpec t_conv_k5[] = {CONV("conv-k5", NULL, 4, 5, 1, 2, 1)};
static const LayerSpec t_relu[] = {RELU("relu")};
static const LayerSpec t_tanh[] = {TANH("tanh")};
static const LayerSpec t_lrn[] = {LRN("lrn")};
static const LayerSpec t_lrn4[] = {{.kind = LK_LRN, .name = "lrn-n4", .lrn_n = 4, .lrn_alpha = 2.0f, .lrn_beta = 0.6f, .lrn_k = 1.0f}};
static const LayerSpec t_maxc[] = {MAXPOOL("maxpool-ceil", 3, 2, 1)};
static const LayerSpec t_maxf[] = {MAXPOOL("maxpool-floor", 3, 2, 0)};
static const LayerSpec t_maxp[] = {{.kind = LK_MAXPOOL, .name = "maxpool-pad", .k = 3, .stride = 2, .pad = 1}};
static const LayerSpec t_avgc[] = {{.kind = LK_AVGPOOL, .name = "avgpool-ceil", .k = 3, .stride = 2, .pad = 1, .ceil_mode = 1}};
static const LayerSpec t_avgf[] = {AVGPOOL("avgpool-floor", 2, 2)};
static const LayerSpec t_fc[] = {FC("fc", NULL, 5)};
static const LayerSpec t_drop[] = {DROP("dropout")};
static const LayerSpec t_soft[] = {SOFTMAX("softmax")};

#define ONE(v, ch, h, w) { .name = v[0].name, .input = {ch, h, w}, .nlayers = 1, .layers = v }
static const ArchSpec torch_layers[] = {
    ONE(t_conv, 4, 7, 7), ONE(t_conv_k5, 3, 6, 6), ONE(t_relu, 3, 4, 4), ONE(t_tanh, 2, 3, 3),
    ONE(t_lrn, 7, 3, 3), ONE(t_lrn4, 6, 2, 2), ONE(t_maxc, 2, 6, 6), ONE(t_maxf, 2, 6, 6),
    ONE(t_maxp, 2, 5, 5), ONE(t_avgc, 2, 6, 6), ONE(t_avgf, 2, 5, 5), ONE(t_fc, 3, 2, 2),
    ONE(t_drop, 2, 4, 4), ONE(t_soft, 6, 1, 1),
};

static int layer_case(const ArchSpec *a)
{
    Err e = {0};
    Weights w;
    Grads g;
    assert_int_equal(weights_alloc(a, &w, &e), 0);
    assert_int_equal(grads_alloc(a, &g, &e), 0);
    const char *sub = a->name;
    if (w.l[0].w) {
        float *fw = read_fixture(sub, "w", w.l[0].nw), *fb = read_fixture(sub, "b", w.l[0].nb);
        memcpy(w.l[0].w, fw, sizeof(float) * (size_t)w.l[0].nw);
        memcpy(w.l[0].b, fb, sizeof(float) * (size_t)w.l[0].nb);
        free(fw), free(fb);
    }
    Net *n = net_create(a, &w, &e);
    assert_non_null(n);
    long nx = shape_count(a->input), ny = shape_count(n->plan.layers[0].out);
    float *x = read_fixture(sub, "x", nx), *dy = read_fixture(sub, "dy", ny);
    float *dx = malloc(sizeof(float) * (size_t)nx);
    if (a->layers[0].kind == LK_DROPOUT) n->train_dropout = 1, n->dropout_seed = 99;
    net_set_input(n, x);
    assert_int_equal(net_forward(n, &e), 1);
    assert_int_equal(net_backward(n, 0, dy, RELU_GRADIENT, &g, dx, &e), 0);
    int bad = compare(sub, "dx", dx, nx);
    if (g.l[0].w) bad += compare(sub, "dw", g.l[0].w, g.l[0].nw) + compare(sub, "db", g.l[0].b, g.l[0].nb);
    free(x), free(dy), free(dx);
    net_free(n);
    weights_free(&w);
    grads_free(&g);
    return bad;
}

static void test_each_layer_kind(void **st)
{
    (void)st;
    int bad = 0;
    for (int i = 0; i < (int)(sizeof torch_layers / sizeof torch_layers[0]); i++)
        bad += layer_case(&torch_layers[i]);
    assert_int_equal(bad, 0);
}

static void test_softmax_cross_entropy(void **st)
{
    (void)st;
    float *x = read_fixture("softmax-ce", "x", 10), *lab = read_fixture("softmax-ce", "label", 1);
    float p[10], dx[10];
    softmax(p, x, 10);
    float loss = softmax_ce_backward(dx, p, 10, (int)lab[0]);
    assert_true(loss > 0.0f && isfinite(loss));
    assert_int_equal(compare("softmax-ce", "dx", dx, 10), 0);
    free(x), free(lab);
}

/* ---- the golden mini network: loss, train-mode dropout, every gradient --------------------- */

#define MINI_LABEL 3 /* gen_backward.py's LABEL */

static void test_mini_network(void **st)
{
    (void)st;
    Weights w;
    Net *n = golden_load(&golden_cases[0], &w); /* mini.safetensors, input.npy set */
    Err e = {0};
    Grads g;
    assert_int_equal(grads_alloc(n->arch, &g, &e), 0);
    n->train_dropout = 1; /* dropout_seed 1: the masks gen_backward.py draws */
    assert_int_equal(net_forward(n, &e), n->nlayers);
    float loss, *ref_loss = read_fixture("mini", "loss", 1);
    assert_int_equal(net_backward_loss(n, MINI_LABEL, &g, &loss, &e), 0);
    print_message("  mini loss %.6f, PyTorch %.6f\n", loss, ref_loss[0]);
    assert_true(fabsf(loss - ref_loss[0]) <= 1e-4f * fabsf(ref_loss[0]));
    free(ref_loss);

    int last = n->nlayers - 1, bad = 0;
    float dl[10];
    softmax_ce_backward(dl, n->run[last].out_data, 10, MINI_LABEL);
    long nx = shape_count(n->arch->input);
    float *dinput = malloc(sizeof(float) * (size_t)nx);
    assert_int_equal(net_backward(n, last - 1, dl, RELU_GRADIENT, NULL, dinput, &e), 0);
    bad += compare("mini", "dinput", dinput, nx);
    for (int i = 0; i < n->nlayers; i++) {
        if (!g.l[i].w) continue;
        char name[64];
        snprintf(name, sizeof name, "%s.dw", n->arch->layers[i].name);
        bad += compare("mini", name, g.l[i].w, g.l[i].nw);
        snprintf(name, sizeof name, "%s.db", n->arch->layers[i].name);
        bad += compare("mini", name, g.l[i].b, g.l[i].nb);
    }
    assert_int_equal(bad, 0);
    free(dinput);
    grads_free(&g);
    net_free(n);
    weights_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_layer_kind),
        cmocka_unit_test(test_softmax_cross_entropy),
        cmocka_unit_test(test_mini_network),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
