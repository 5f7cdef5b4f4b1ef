/* test_backward.c - the backward pass (backward.h) against central finite differences in
   double on tiny shapes, every layer kind, through net_backward on one-layer networks and on
   a small whole network; and hand-computed cases for what finite differences cannot see
   (max-pool ties, the guided and deconv ReLUs, accumulation, NULL gradients). The PyTorch
   comparisons are in tests/io/test_backward_torch.c. */
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
#include "kernels.h"
#include "rng.h"

#define NEAR(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-5)
/* max |analytic − numeric| / max |numeric| allowed: a wrong term is off by far more */
#define FD_TOLERANCE 2e-3

/* ---- a network, its loss and its finite differences -------------------------------------- */

typedef struct {
    const ArchSpec *arch;
    Weights w;
    Net *n;
    float *x;       /* the input */
    float *r;       /* L = Σ r · (the last layer's output): dy = r */
    int label;      /* >= 0: L = −log p[label] instead (the network ends in a softmax) */
} Fd;

static void fd_open(Fd *f, const ArchSpec *a, uint64_t seed, int label, float spread)
{
    Err e = {0};
    memset(f, 0, sizeof *f);
    f->arch = a, f->label = label;
    assert_int_equal(weights_alloc(a, &f->w, &e), 0);
    uint64_t s = seed;
    for (int i = 0; i < a->nlayers; i++) {
        for (long j = 0; j < f->w.l[i].nw; j++) f->w.l[i].w[j] = 0.5f * rng_normal(&s);
        for (long j = 0; j < f->w.l[i].nb; j++) f->w.l[i].b[j] = 0.2f * rng_normal(&s);
    }
    assert_non_null(f->n = net_create(a, &f->w, &e));
    long nx = shape_count(a->input), ny = shape_count(f->n->plan.layers[a->nlayers - 1].out);
    f->x = malloc(sizeof(float) * (size_t)nx);
    f->r = malloc(sizeof(float) * (size_t)ny);
    /* inputs at least spread/2 from 0 and from each other: no ReLU kink, no max-pool tie
       within a finite-difference step */
    for (long j = 0; j < nx; j++) f->x[j] = spread * (float)(j - nx / 2) + 0.5f * spread;
    for (long j = nx - 1; j > 0; j--) {
        long k = (long)(rng_uniform(&s) * (float)(j + 1));
        float t = f->x[j]; f->x[j] = f->x[k]; f->x[k] = t;
    }
    for (long j = 0; j < ny; j++) f->r[j] = rng_normal(&s);
}

static void fd_close(Fd *f)
{
    net_free(f->n);
    weights_free(&f->w);
    free(f->x), free(f->r);
}

static double fd_loss(Fd *f)
{
    Err e = {0};
    net_set_input(f->n, f->x);
    assert_int_equal(net_forward(f->n, &e), f->arch->nlayers);
    int ny;
    const float *y = net_output(f->n, &ny);
    if (f->label >= 0) return -log((double)y[f->label]);
    double l = 0;
    for (int j = 0; j < ny; j++) l += (double)f->r[j] * y[j];
    return l;
}

/* max |analytic − (L(v + eps) − L(v − eps)) / 2eps| / max |numeric| over v[0..n) */
static double fd_check(Fd *f, float *v, const float *analytic, long n, float eps, const char *what)
{
    double diff = 0, scale = 1e-12;
    for (long j = 0; j < n; j++) {
        float keep = v[j];
        v[j] = keep + eps;
        double lp = fd_loss(f);
        v[j] = keep - eps;
        double lm = fd_loss(f);
        v[j] = keep;
        double num = (lp - lm) / (2.0 * ((double)(keep + eps) - (double)keep));
        if (fabs(analytic[j] - num) > diff) diff = fabs(analytic[j] - num);
        if (fabs(num) > scale) scale = fabs(num);
    }
    double rel = diff / scale;
    print_message("%-28s %-6s max |grad| %.3g, relative error %.2g\n", f->arch->name, what, scale, rel);
    assert_true(scale > 1e-6);  /* a zero gradient would pass anything */
    return rel;
}

/* Backward from the loss, then every input, weight and bias against finite differences. */
static void fd_run(Fd *f, float eps)
{
    Err e = {0};
    Grads g;
    assert_int_equal(grads_alloc(f->arch, &g, &e), 0);
    float *dx = malloc(sizeof(float) * (size_t)shape_count(f->arch->input));
    fd_loss(f);
    int top = f->arch->nlayers - 1;
    if (f->label >= 0) {
        float loss;
        assert_int_equal(net_backward_loss(f->n, f->label, &g, &loss, &e), 0);
        assert_true(fabs(loss - fd_loss(f)) < 1e-5);
        /* the loss helper gives no input gradient: the same from the logits by hand */
        float p[64], dl[64];
        int ny;
        const float *out = net_output(f->n, &ny);
        assert_true(ny <= 64);
        memcpy(p, out, sizeof(float) * (size_t)ny);
        softmax_ce_backward(dl, p, ny, f->label);
        assert_int_equal(net_backward(f->n, top - 1, dl, RELU_GRADIENT, NULL, dx, &e), 0);
    } else {
        assert_int_equal(net_backward(f->n, top, f->r, RELU_GRADIENT, &g, dx, &e), 0);
    }
    assert_true(fd_check(f, f->x, dx, shape_count(f->arch->input), eps, "dx") <= FD_TOLERANCE);
    for (int i = 0; i < f->arch->nlayers; i++) {
        if (!arch_has_weights(f->arch->layers[i].kind)) continue;
        char what[32];
        snprintf(what, sizeof what, "dw%d", i);
        assert_true(fd_check(f, f->w.l[i].w, g.l[i].w, g.l[i].nw, eps, what) <= FD_TOLERANCE);
        snprintf(what, sizeof what, "db%d", i);
        assert_true(fd_check(f, f->w.l[i].b, g.l[i].b, g.l[i].nb, eps, what) <= FD_TOLERANCE);
    }
    free(dx);
    grads_free(&g);
}

/* ---- one layer at a time ------------------------------------------------------------------ */

static const LayerSpec l_conv[] = {CONV("conv s2 p1 g2", NULL, 4, 3, 2, 1, 2)};
static const LayerSpec l_conv_k1[] = {CONV("conv 5x5/1 p2", NULL, 3, 5, 1, 2, 1)};
static const LayerSpec l_relu[] = {RELU("relu")};
static const LayerSpec l_tanh[] = {TANH("tanh")};
/* α large enough that the cross-channel term matters; n 4 has unequal halves (2 before, 1 after) */
static const LayerSpec l_lrn5[] = {{.kind = LK_LRN, .name = "lrn n5", .lrn_n = 5, .lrn_alpha = 1.0f, .lrn_beta = 0.75f, .lrn_k = 2.0f}};
static const LayerSpec l_lrn4[] = {{.kind = LK_LRN, .name = "lrn n4", .lrn_n = 4, .lrn_alpha = 2.0f, .lrn_beta = 0.6f, .lrn_k = 1.0f}};
static const LayerSpec l_maxc[] = {MAXPOOL("maxpool 3/2 ceil", 3, 2, 1)};
static const LayerSpec l_maxf[] = {MAXPOOL("maxpool 3/2 floor", 3, 2, 0)};
static const LayerSpec l_maxp[] = {{.kind = LK_MAXPOOL, .name = "maxpool 3/2 p1", .k = 3, .stride = 2, .pad = 1}};
static const LayerSpec l_avgc[] = {{.kind = LK_AVGPOOL, .name = "avgpool 3/2 p1 ceil", .k = 3, .stride = 2, .pad = 1, .ceil_mode = 1}};
static const LayerSpec l_avgf[] = {AVGPOOL("avgpool 2/2 floor", 2, 2)};
static const LayerSpec l_fc[] = {FC("fc", NULL, 5)};
static const LayerSpec l_drop[] = {DROP("dropout")};
static const LayerSpec l_soft[] = {SOFTMAX("softmax")};

#define ONE(v, ch, sz) { .name = v[0].name, .input = {ch, sz, sz}, .nlayers = 1, .layers = v }
static const ArchSpec one_layer[] = {
    ONE(l_conv, 4, 6), ONE(l_conv_k1, 2, 4), ONE(l_relu, 3, 3), ONE(l_tanh, 2, 3),
    ONE(l_lrn5, 7, 2), ONE(l_lrn4, 6, 2), ONE(l_maxc, 2, 6), ONE(l_maxf, 2, 6),
    ONE(l_maxp, 2, 5), ONE(l_avgc, 2, 6), ONE(l_avgf, 2, 5), ONE(l_fc, 3, 2),
    ONE(l_drop, 2, 4), ONE(l_soft, 6, 1),
};

static void test_fd_each_layer(void **st)
{
    (void)st;
    for (int i = 0; i < COUNT(one_layer); i++) {
        Fd f;
        fd_open(&f, &one_layer[i], 100 + (uint64_t)i, -1, 0.05f);
        fd_run(&f, 1e-2f);
        fd_close(&f);
    }
}

static void test_fd_dropout_train_mode(void **st)
{
    (void)st;
    Fd f;
    fd_open(&f, &one_layer[12], 7, -1, 0.05f);
    f.n->train_dropout = 1, f.n->dropout_seed = 99;
    fd_run(&f, 1e-2f);
    /* half the units, roughly, got no gradient: the mask was used */
    Err e = {0};
    float dx[32];
    fd_loss(&f);
    assert_int_equal(net_backward(f.n, 0, f.r, RELU_GRADIENT, NULL, dx, &e), 0);
    int zeros = 0;
    for (int j = 0; j < 32; j++) {
        zeros += dx[j] == 0.0f;
        assert_true(dx[j] == 0.0f || fabsf(dx[j] - 2.0f * f.r[j]) < 1e-6f); /* kept: scaled by 2 */
    }
    assert_true(zeros >= 8 && zeros <= 24);
    fd_close(&f);
}

static void test_fd_softmax_cross_entropy(void **st)
{
    (void)st;
    /* L = −log softmax(x)[2]; dx = p − onehot, by differences of the loss itself */
    float x[5] = {0.3f, -1.2f, 2.0f, 0.7f, -0.1f}, p[5], dx[5];
    softmax(p, x, 5);
    float loss = softmax_ce_backward(dx, p, 5, 2);
    assert_true(fabsf(loss + logf(p[2])) < 1e-6f);
    for (int j = 0; j < 5; j++) {
        double h = 1e-3, xp[5], lp = 0, lm = 0;
        for (int s = -1; s <= 1; s += 2) {
            double m = -1e30, sum = 0;
            for (int i = 0; i < 5; i++) xp[i] = x[i] + (i == j ? s * h : 0), m = fmax(m, xp[i]);
            for (int i = 0; i < 5; i++) sum += exp(xp[i] - m);
            double l = -(xp[2] - m - log(sum));
            if (s < 0) lm = l; else lp = l;
        }
        assert_true(fabs(dx[j] - (lp - lm) / (2 * h)) < 1e-5);
    }
    /* p[label] = 0: an infinite loss, not a NaN */
    float q[2] = {1.0f, 0.0f}, d2[2];
    assert_true(isinf(softmax_ce_backward(d2, q, 2, 1)));
}

/* ---- a whole small network: every kind in one chain, train-mode dropout, the loss helper - */

static const LayerSpec tiny_layers[] = {
    CONV("conv1", NULL, 6, 3, 2, 1, 2), RELU("relu1"),
    {.kind = LK_LRN, .name = "norm1", .lrn_n = 3, .lrn_alpha = 0.5f, .lrn_beta = 0.75f, .lrn_k = 1.0f},
    MAXPOOL("pool1", 2, 2, 1),
    CONV("conv2", NULL, 4, 3, 1, 1, 1), TANH("tanh2"), AVGPOOL("pool2", 2, 1),
    FC("fc3", NULL, 8), RELU("relu3"), DROP("drop3"), FC("fc4", NULL, 5), SOFTMAX("prob"),
};
static const ArchSpec tiny = {.name = "tiny (every kind)", .input = {4, 9, 9},
                              .nlayers = COUNT(tiny_layers), .layers = tiny_layers};

static void test_fd_whole_network(void **st)
{
    (void)st;
    Fd f;
    fd_open(&f, &tiny, 5, 3, 0.01f);
    f.n->train_dropout = 1;
    fd_run(&f, 3e-3f);  /* 1e-2 crosses a ReLU or max-pool switch; 1e-3 is float noise */
    fd_close(&f);
}

/* ---- by hand -------------------------------------------------------------------------------- */

static void test_relu_modes(void **st)
{
    (void)st;
    /* in:  +1  +1  −1  −1;  dy: +2  −3  +4  −5 */
    float in[4] = {1, 1, -1, -1}, dy[4] = {2, -3, 4, -5}, dx[4];
    relu_backward(dx, dy, in, 4, RELU_GRADIENT);
    NEAR(dx[0], 2), NEAR(dx[1], -3), NEAR(dx[2], 0), NEAR(dx[3], 0);
    relu_backward(dx, dy, in, 4, RELU_GUIDED);
    NEAR(dx[0], 2), NEAR(dx[1], 0), NEAR(dx[2], 0), NEAR(dx[3], 0);
    relu_backward(dx, dy, in, 4, RELU_DECONV);
    NEAR(dx[0], 2), NEAR(dx[1], 0), NEAR(dx[2], 4), NEAR(dx[3], 0);
    assert_int_equal(relu_mode_find("guided"), RELU_GUIDED);
    assert_int_equal(relu_mode_find("deconv"), RELU_DECONV);
    assert_int_equal(relu_mode_find("saliency"), -1);
    assert_string_equal(relu_mode_name(RELU_GRADIENT), "gradient");
}

static void test_maxpool_ties_and_overlap(void **st)
{
    (void)st;
    /* 1×3×3 all 5 except the centre 7 → windows 2×2 stride 1: each window's max is the centre,
       so it collects all four gradients (1+2+3+4). Then all equal: each window's first
       (top-left) position wins, as the forward's strict ">" picks it. */
    float in[9] = {5, 5, 5, 5, 7, 5, 5, 5, 5}, dy[4] = {1, 2, 3, 4}, dx[9];
    Shape is = {1, 3, 3}, os = {1, 2, 2};
    maxpool_backward(dx, dy, in, is, os, 2, 1, 0);
    for (int j = 0; j < 9; j++) NEAR(dx[j], j == 4 ? 10 : 0);
    for (int j = 0; j < 9; j++) in[j] = 5;
    maxpool_backward(dx, dy, in, is, os, 2, 1, 0);
    /* window (0,0) → (0,0); (0,1) → (0,1); (1,0) → (1,0); (1,1) → (1,1) */
    NEAR(dx[0], 1), NEAR(dx[1], 2), NEAR(dx[3], 3), NEAR(dx[4], 4);
    NEAR(dx[2] + dx[5] + dx[6] + dx[7] + dx[8], 0);
}

static void test_avgpool_counts(void **st)
{
    (void)st;
    /* 1×1×3 row, k 3 s 2 pad 1, ceil → 2 outputs over [-1,1] and [1,3] (clipped to [1,2]+pad):
       counts 3 and 3 (the window is clipped to the PADDED input 0..4 → [1,4) = 3) */
    float dy[2] = {3, 6}, dx[3];
    avgpool_backward(dx, dy, (Shape){1, 1, 3}, (Shape){1, 1, 2}, 1, 2, 0);
    NEAR(dx[0], 3), NEAR(dx[1], 0), NEAR(dx[2], 6);  /* k 1 stride 2: picks columns 0 and 2 */
    float dy1[2] = {3, 6}, dx1[4];
    avgpool_backward(dx1, dy1, (Shape){1, 1, 4}, (Shape){1, 1, 2}, 1, 2, 0);
    NEAR(dx1[0], 3), NEAR(dx1[1], 0), NEAR(dx1[2], 6), NEAR(dx1[3], 0);
}

static void test_conv_and_fc_accumulate(void **st)
{
    (void)st;
    /* 1×2×2 input (1 2; 3 4), one 1×1 filter w = 2, dy = (1 1; 1 1):
       dx = 2 everywhere, dw = 1+2+3+4 = 10, db = 4; twice → dw 20, db 8, dx still 2 */
    float in[4] = {1, 2, 3, 4}, w[1] = {2}, dy[4] = {1, 1, 1, 1}, dx[4], dw[1] = {0}, db[1] = {0};
    for (int t = 0; t < 2; t++)
        conv2d_backward(dx, dw, db, dy, in, w, (Shape){1, 2, 2}, (Shape){1, 2, 2}, 1, 1, 0, 1);
    for (int j = 0; j < 4; j++) NEAR(dx[j], 2);
    NEAR(dw[0], 20), NEAR(db[0], 8);
    conv2d_backward(NULL, NULL, db, dy, in, w, (Shape){1, 2, 2}, (Shape){1, 2, 2}, 1, 1, 0, 1);
    NEAR(db[0], 12);
    /* fc 2 → 2, w = (1 2; 3 4), x = (1, −1), dy = (1, 10):
       dx = (1·1 + 3·10, 2·1 + 4·10) = (31, 42); dw = (1 −1; 10 −10); db = (1, 10) */
    float fw[4] = {1, 2, 3, 4}, fx[2] = {1, -1}, fdy[2] = {1, 10}, fdx[2], fdw[4] = {0}, fdb[2] = {0};
    fc_backward(fdx, fdw, fdb, fdy, fx, fw, 2, 2);
    NEAR(fdx[0], 31), NEAR(fdx[1], 42);
    NEAR(fdw[0], 1), NEAR(fdw[1], -1), NEAR(fdw[2], 10), NEAR(fdw[3], -10), NEAR(fdb[1], 10);
}

static void test_net_backward_refuses(void **st)
{
    (void)st;
    Fd f;
    fd_open(&f, &tiny, 5, 3, 0.01f);
    Err e = {0};
    float dx[4 * 9 * 9], dtop[8] = {0};
    net_set_input(f.n, f.x);
    assert_int_equal(net_backward(f.n, 7, dtop, RELU_GRADIENT, NULL, dx, &e), -1);
    assert_non_null(strstr(e.msg, "fc3 has not been computed"));
    assert_int_equal(net_backward(f.n, 12, dtop, RELU_GRADIENT, NULL, dx, &e), -1);
    assert_int_equal(net_backward_loss(f.n, 3, NULL, NULL, &e), -1);
    net_forward(f.n, &e);
    assert_int_equal(net_backward_loss(f.n, 5, NULL, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "label 5"));
    Grads g;  /* gradients for another network */
    assert_int_equal(grads_alloc(&one_layer[0], &g, &e), 0);
    assert_int_equal(net_backward(f.n, 7, dtop, RELU_GRADIENT, &g, dx, &e), -1);
    grads_free(&g);
    fd_close(&f);
}

/* Stopping at a layer and going on from there is the whole backward pass: net_backward_to
   down to pool1's output, then from pool1 to the input, gives net_backward's input gradient
   (train-mode dropout included: the masks come from the same seeds). */
static void test_net_backward_to(void **st)
{
    (void)st;
    Fd f;
    fd_open(&f, &tiny, 7, 3, 0.01f);
    f.n->train_dropout = 1;
    Err e = {0};
    net_set_input(f.n, f.x);
    assert_true(net_forward(f.n, &e) >= 0);
    int top = tiny.nlayers - 1, pool1 = 3;
    float whole[4 * 9 * 9], part[4 * 9 * 9], dpool[6 * 3 * 3];
    assert_int_equal(shape_count(f.n->plan.layers[pool1].out), 6 * 3 * 3); /* 9 → 5 → 3 */
    assert_int_equal(net_backward(f.n, top, f.r, RELU_GRADIENT, NULL, whole, &e), 0);
    assert_int_equal(net_backward_to(f.n, top, f.r, pool1, RELU_GRADIENT, NULL, dpool, &e), 0);
    assert_int_equal(net_backward_to(f.n, pool1, dpool, -1, RELU_GRADIENT, NULL, part, &e), 0);
    for (int i = 0; i < 4 * 9 * 9; i++) assert_true(part[i] == whole[i]);
    assert_int_equal(net_backward_to(f.n, pool1, dpool, pool1, RELU_GRADIENT, NULL, part, &e), -1);
    assert_non_null(strstr(e.msg, "not to layer 3"));
    fd_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fd_each_layer),
        cmocka_unit_test(test_fd_dropout_train_mode),
        cmocka_unit_test(test_fd_softmax_cross_entropy),
        cmocka_unit_test(test_fd_whole_network),
        cmocka_unit_test(test_relu_modes),
        cmocka_unit_test(test_maxpool_ties_and_overlap),
        cmocka_unit_test(test_avgpool_counts),
        cmocka_unit_test(test_conv_and_fc_accumulate),
        cmocka_unit_test(test_net_backward_to),
        cmocka_unit_test(test_net_backward_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
