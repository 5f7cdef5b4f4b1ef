/* test_fast.c - the fast engine (im2col + SGEMM) against the naive loops and PyTorch.

   Agreement means, on every layer, max |fast − naive| / max |naive| ≤ 1e-4 (the golden
   tests' measure, GOLDEN_TOLERANCE): for every architecture with its built-in weights at
   batch 1 and batch 3 (three different inputs, each item equal to its own naive run), for
   hand-written odd shapes (1×1 conv, stride > kernel, groups 2, a 5×5 input, padded average
   pooling, ceil pooling), and against the golden PyTorch fixtures in every weight format.
   One convolution is checked against numbers worked out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arch_table.h"
#include "fast.h"
#include "golden.h"
#include "rng.h"

#define BATCH 3

/* ---- odd shapes -------------------------------------------------------------------- */

/* input 2×5×5 → 6×5×5 → 4×5×5 (groups 2, LRN of 4) → 4×3×3 (avg, pad 1, ceil) → 6×2×2 (k2 s3 p1 g2)
   → 6×2×2 (max 3/2 p1 ceil) → 6×1×1 (k1 s2: a 1×1 conv with stride) → 5 → softmax */
static const LayerSpec odd_layers[] = {
    CONV("c1x1", NULL, 6, 1, 1, 0, 1), TANH("tanh1"),
    CONV("cg2", NULL, 4, 3, 1, 1, 2),
    /* an even size: 2 channels before, 1 after; α large enough to matter; β not AlexNet's 0.75 */
    {.kind = LK_LRN, .name = "norm4", .lrn_n = 4, .lrn_alpha = 0.5f, .lrn_beta = 0.6f, .lrn_k = 2.0f},
    {.kind = LK_AVGPOOL, .name = "avgpad", .k = 3, .stride = 2, .pad = 1, .ceil_mode = 1},
    CONV("cs3", NULL, 6, 2, 3, 1, 2), RELU("relu"),
    {.kind = LK_MAXPOOL, .name = "maxceil", .k = 3, .stride = 2, .pad = 1, .ceil_mode = 1},
    CONV("c1s2", NULL, 6, 1, 2, 0, 1),
    FC("fc", NULL, 5), DROP("drop"), SOFTMAX("prob"),
};
static const ArchSpec arch_odd = {
    .name = "odd", .title = "odd shapes", .input = {2, 5, 5},
    .nlayers = COUNT(odd_layers), .layers = odd_layers,
};

/* in 1×3×3 = 1..9, one 2×2 filter of ones, bias 0.5, stride 1 */
static const LayerSpec tiny_layers[] = { CONV("conv", NULL, 1, 2, 1, 0, 1) };
static const ArchSpec arch_tiny = {
    .name = "tiny", .title = "a hand-computed conv", .input = {1, 3, 3},
    .nlayers = COUNT(tiny_layers), .layers = tiny_layers,
};

/* ---- helpers ---------------------------------------------------------------------- */

static float *random_input(const ArchSpec *a, int n, uint64_t seed)
{
    long count = shape_count(a->input) * n;
    float *x = malloc(sizeof(float) * (size_t)count);
    assert_non_null(x);
    uint64_t st = seed;
    for (long i = 0; i < count; i++) x[i] = rng_normal(&st);
    return x;
}

/* Built-in weights for the real networks; normal(0, 0.5) numbers for a test network. */
static void test_weights(const ArchSpec *a, Weights *w)
{
    Err e = {0};
    int real = 0;
    for (int i = 0; arch_all[i]; i++) real |= arch_all[i] == a;
    if (real) {
        if (weights_builtin(a, WEIGHTS_DEFAULT_SEED, w, &e) != 0) fail_msg("%s", e.msg);
        return;
    }
    if (weights_alloc(a, w, &e) != 0) fail_msg("%s", e.msg);
    uint64_t st = 7;
    for (int i = 0; i < a->nlayers; i++) {
        for (long j = 0; j < w->l[i].nw; j++) w->l[i].w[j] = 0.5f * rng_normal(&st);
        for (long j = 0; j < w->l[i].nb; j++) w->l[i].b[j] = 0.5f * rng_normal(&st);
    }
}

/* Every layer of the fast run's batch item b against the naive run n. */
static void expect_agree(const FastNet *f, int b, const Net *n, const char *what)
{
    for (int i = 0; i < n->nlayers; i++) {
        long count = shape_count(n->plan.layers[i].out);
        const float *fo = fast_layer_output(f, i);
        assert_non_null(fo);
        double err = golden_rel_error(fo + b * count, n->run[i].out_data, count);
        if (!(err <= GOLDEN_TOLERANCE))
            fail_msg("%s %s item %d: %s relative error %.3g > %g", n->arch->name, what, b,
                     n->plan.layers[i].spec->name, err, GOLDEN_TOLERANCE);
    }
}

/* Naive runs of three inputs, then the fast engine at batch 1 and batch 3. */
static void check_arch(const ArchSpec *a)
{
    Err e = {0};
    Weights w;
    test_weights(a, &w);
    long in_count = shape_count(a->input);
    float *x = random_input(a, BATCH, 1234);
    Net *naive[BATCH];
    for (int b = 0; b < BATCH; b++) {
        naive[b] = net_create(a, &w, &e);
        if (!naive[b]) fail_msg("%s", e.msg);
        net_set_input(naive[b], x + b * in_count);
        assert_int_equal(net_forward(naive[b], &e), a->nlayers);
    }
    FastNet *f = fast_create(a, &w, BATCH, &e);
    if (!f) fail_msg("%s", e.msg);
    for (int b = 0; b < BATCH; b++) { /* batch 1, each input */
        assert_int_equal(fast_run(f, x + b * in_count, 1, a->nlayers, &e), 0);
        expect_agree(f, 0, naive[b], "batch 1");
    }
    assert_int_equal(fast_run(f, x, BATCH, a->nlayers, &e), 0);
    for (int b = 0; b < BATCH; b++) expect_agree(f, b, naive[b], "batch 3");
    /* the three inputs really differ: the last layer's items are not all the same */
    long last = shape_count(naive[0]->plan.layers[a->nlayers - 1].out);
    const float *out = fast_layer_output(f, a->nlayers - 1);
    assert_true(golden_rel_error(out, out + last, last) > 1e-3);
    fast_free(f);
    for (int b = 0; b < BATCH; b++) net_free(naive[b]);
    free(x);
    weights_free(&w);
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_archs(void **state)
{
    for (int i = 0; arch_all[i]; i++) check_arch(arch_all[i]);
}

static void test_odd_shapes(void **state)
{
    Plan p;
    Err e = {0};
    if (plan_build(&arch_odd, &p, &e) != 0) fail_msg("%s", e.msg);
    /* the shapes the comment above promises */
    assert_int_equal(p.layers[4].out.h, 3);
    assert_int_equal(p.layers[5].out.h, 2);
    assert_int_equal(p.layers[7].out.h, 2);
    assert_int_equal(p.layers[8].out.h, 1);
    check_arch(&arch_odd);
}

static void test_hand_computed(void **state)
{
    Err e = {0};
    Weights w;
    assert_int_equal(weights_alloc(&arch_tiny, &w, &e), 0);
    for (int j = 0; j < 4; j++) w.l[0].w[j] = 1.0f;
    w.l[0].b[0] = 0.5f;
    float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    FastNet *f = fast_create(&arch_tiny, &w, 1, &e);
    assert_non_null(f);
    assert_int_equal(fast_run(f, x, 1, 1, &e), 0);
    const float *o = fast_layer_output(f, 0);
    /* 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9, each + 0.5 */
    assert_true(o[0] == 12.5f && o[1] == 16.5f && o[2] == 24.5f && o[3] == 28.5f);
    assert_true(fast_layer_ms(f, 0) >= 0.0);
    fast_free(f);
    weights_free(&w);
}

/* fast_net_run fills a Net as net_run_to does: outputs, statistics, computed, done. */
static void test_net_run(void **state)
{
    const ArchSpec *a = &arch_alexnet;
    Err e = {0};
    Weights w;
    test_weights(a, &w);
    float *x = random_input(a, 1, 99);
    Net *ref = net_create(a, &w, &e), *n = net_create(a, &w, &e);
    assert_true(ref && n);
    net_set_input(ref, x);
    net_set_input(n, x);
    int k = arch_layer_index(a, "pool2") + 1;
    assert_int_equal(net_run_to(ref, k, &e), k);
    FastNet *f = fast_create(a, &w, 1, &e);
    assert_non_null(f);
    assert_int_equal(fast_net_run(f, n, k, &e), k);
    assert_int_equal(n->done, k);
    for (int i = 0; i < a->nlayers; i++) {
        assert_int_equal(n->run[i].computed, i < k);
        if (i >= k) continue;
        long count = shape_count(n->plan.layers[i].out);
        assert_true(golden_rel_error(n->run[i].out_data, ref->run[i].out_data, count) <= GOLDEN_TOLERANCE);
        float scale = fmaxf(fabsf(ref->run[i].min), fabsf(ref->run[i].max));
        assert_true(fabsf(n->run[i].min - ref->run[i].min) <= 1e-4f * scale);
        assert_true(fabsf(n->run[i].max - ref->run[i].max) <= 1e-4f * scale);
        assert_true(fabsf(n->run[i].mean - ref->run[i].mean) <= 1e-4f * scale);
        assert_true(fabsf(n->run[i].zero_frac - ref->run[i].zero_frac) <= 1e-3f);
    }
    /* then the naive engine carries on from where the fast one stopped */
    assert_int_equal(net_forward(n, &e), a->nlayers);

    /* refused: batch out of range, train-mode dropout, another network's run */
    assert_int_equal(fast_run(f, x, 2, a->nlayers, &e), -1);
    assert_int_equal(fast_run(f, x, 0, a->nlayers, &e), -1);
    net_set_input(n, x);
    n->train_dropout = 1;
    assert_int_equal(fast_net_run(f, n, a->nlayers, &e), -1);
    assert_non_null(strstr(e.msg, "inference"));
    Weights w2;
    test_weights(a, &w2);
    Net *other = net_create(a, &w2, &e);
    net_set_input(other, x);
    assert_int_equal(fast_net_run(f, other, 3, &e), -1);
    net_free(other);
    weights_free(&w2);

    assert_non_null(fast_blas_name());
    fast_free(f);
    net_free(n);
    net_free(ref);
    free(x);
    weights_free(&w);
}

/* fast_create checks the weights like net_create. */
static void test_create_refuses(void **state)
{
    Err e = {0};
    Weights w;
    test_weights(&arch_lenet5, &w);
    assert_null(fast_create(&arch_alexnet, &w, 1, &e)); /* lenet5's weights */
    assert_null(fast_create(&arch_lenet5, &w, 0, &e));
    assert_null(fast_create(&arch_lenet5, NULL, 1, &e));
    w.l[0].nb--;
    assert_null(fast_create(&arch_lenet5, &w, 1, &e));
    w.l[0].nb++;
    weights_free(&w);
}

/* The golden PyTorch comparison, every weight format, with the fast engine. */
static void test_golden(void **state)
{
    const GoldenCase *c = *state;
    Err e = {0};
    Weights w;
    Net *n = golden_load(c, &w);
    FastNet *f = fast_create(c->arch, &w, 1, &e);
    if (!f) fail_msg("%s: %s", c->file, e.msg);
    assert_int_equal(fast_net_run(f, n, n->nlayers, &e), n->nlayers);
    int bad = golden_compare(c, n, "fast");
    fast_free(f);
    net_free(n);
    weights_free(&w);
    if (bad) fail_msg("%s: %d layer(s) differ from PyTorch by more than %g", c->file, bad, GOLDEN_TOLERANCE);
}

int main(void)
{
    struct CMUnitTest tests[64] = {
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_odd_shapes),
        cmocka_unit_test(test_archs),
        cmocka_unit_test(test_net_run),
        cmocka_unit_test(test_create_refuses),
    };
    int k = 5;
    for (int i = 0; i < golden_ncases; i++) {
        struct CMUnitTest t = cmocka_unit_test_prestate(test_golden, (void *)&golden_cases[i]);
        t.name = golden_cases[i].name;
        tests[k++] = t;
    }
    return _cmocka_run_group_tests("fast", tests, (size_t)k, NULL, NULL);
}
