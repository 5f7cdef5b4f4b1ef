/* test_net.c - the full-size networks' shapes, formulas and counts, and the stepwise run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "net.h"
#include "rng.h"

static const PlanLayer *layer(const Net *n, const char *name)
{
    int i = arch_layer_index(n->arch, name);
    assert_true(i >= 0);
    return &n->plan.layers[i];
}

static const LayerRun *run(const Net *n, const char *name)
{
    int i = arch_layer_index(n->arch, name);
    assert_true(i >= 0);
    return &n->run[i];
}

/* The output shapes (h, w, c) of the layers named. */
typedef struct {
    const char *layer;
    int h, w, c;
} Hwc;

static void assert_shapes(const Net *n, int count, const Hwc *want)
{
    for (int i = 0; i < count; i++) {
        const PlanLayer *r = layer(n, want[i].layer);
        assert_int_equal(r->out.h, want[i].h);
        assert_int_equal(r->out.w, want[i].w);
        assert_int_equal(r->out.c, want[i].c);
    }
}

/* A net of arch a without weights (its plan only): net_free it. */
static Net *plan_only(const ArchSpec *a)
{
    Err e = {0};
    Net *n = net_create(a, NULL, &e);
    if (!n) fail_msg("%s", e.msg);
    return n;
}

static void assert_totals(const Net *n, long long params, long long macs)
{
    assert_int_equal(n->plan.total_params, params);
    assert_int_equal(n->plan.total_macs, macs);
}

static void test_alexnet_summary(void **st)
{
    (void)st;
    Net *n = plan_only(&arch_alexnet);
    assert_totals(n, 60965224LL, 724406816LL);
    /* 227 → 55 → 27 → 27 → 13 → 13 → 13 → 6 */
    assert_shapes(n, 10, (const Hwc[]){{"conv1", 55, 55, 96}, {"pool1", 27, 27, 96}, {"conv2", 27, 27, 256},
                                       {"pool2", 13, 13, 256}, {"conv3", 13, 13, 384}, {"conv4", 13, 13, 384},
                                       {"conv5", 13, 13, 256}, {"pool5", 6, 6, 256}, {"fc6", 1, 1, 4096},
                                       {"prob", 1, 1, 1000}});
    assert_string_equal(layer(n, "conv1")->size.nopad, "(227−11)/4+1 = 55");
    assert_string_equal(layer(n, "conv2")->size.padded, "(27+2·2−5)/1+1 = 27");
    assert_string_equal(layer(n, "pool1")->size.nopad, "(55−3)/2+1 = 27");
    assert_string_equal(layer(n, "conv1")->params_expr, "96×11×11×3 + 96 = 34,944");
    assert_string_equal(layer(n, "conv2")->params_expr, "256×5×5×48 + 256 = 307,456");
    assert_string_equal(layer(n, "fc6")->params_expr, "4096×9216 + 4096 = 37,752,832");
    assert_int_equal(layer(n, "conv1")->macs, 105415200LL);
    assert_int_equal(layer(n, "conv2")->macs, 223948800LL);
    assert_int_equal(layer(n, "conv5")->macs, 74760192LL);
    assert_int_equal(layer(n, "fc8")->params_running, 60965224LL);
    assert_int_equal(layer(n, "conv1")->params_running, 34944LL);
    assert_int_equal(layer(n, "conv1")->rf, 11);
    assert_int_equal(layer(n, "pool5")->rf, 195);
    assert_int_equal(layer(n, "pool5")->rf_jump, 32);
    assert_int_equal(layer(n, "conv1")->act_bytes, 55LL * 55 * 96 * 4);
    net_free(n);
}

static void test_224_does_not_divide(void **st)
{
    (void)st;
    SizeCalc c;
    assert_int_equal(size_calc(&arch_alexnet.layers[0], 224, &c), 0);
    assert_false(c.divides);
    assert_true(c.exact == 54.25);
    assert_int_equal(c.out, 54);
    assert_string_equal(c.nopad, "(224−11)/4+1 = 54.25 → 54");
    assert_non_null(strstr(c.rounding, "floor gives 54, ceil gives 55"));
    assert_int_equal(size_calc(&arch_alexnet.layers[1], 224, &c), -1); /* relu has no size */
}

static void test_tv_and_lenet(void **st)
{
    (void)st;
    Net *n = plan_only(&arch_alexnet_tv);
    assert_totals(n, 61100840LL, 714188480LL);
    assert_shapes(n, 2, (const Hwc[]){{"conv1", 55, 55, 64}, {"pool5", 6, 6, 256}});
    assert_int_equal(arch_layer_index(&arch_alexnet_tv, "norm1"), -1);
    /* torchvision's classifier: Dropout, Linear, ReLU, Dropout, Linear, ReLU, Linear; then
       our softmax, marked as added */
    const char *order[] = {"pool5", "drop6", "fc6", "relu6", "drop7", "fc7", "relu7", "fc8", "prob"};
    int p5 = arch_layer_index(&arch_alexnet_tv, "pool5");
    assert_int_equal(p5 + 9, arch_alexnet_tv.nlayers);
    for (int i = 0; i < 9; i++) assert_string_equal(arch_alexnet_tv.layers[p5 + i].name, order[i]);
    assert_shapes(n, 2, (const Hwc[]){{"drop6", 6, 6, 256}, {"drop7", 1, 1, 4096}}); /* on the 9,216 inputs */
    assert_non_null(arch_alexnet_tv.layers[arch_alexnet_tv.nlayers - 1].added);
    for (int i = 0; i < arch_alexnet_tv.nlayers - 1; i++) assert_null(arch_alexnet_tv.layers[i].added);
    for (int i = 0; i < arch_alexnet.nlayers; i++) assert_null(arch_alexnet.layers[i].added); /* Caffe has prob */
    assert_string_equal(layer(n, "fc6")->params_expr, "4096×9216 + 4096 = 37,752,832");
    net_free(n);
    n = plan_only(&arch_lenet5);
    assert_shapes(n, 2, (const Hwc[]){{"conv1", 28, 28, 6}, {"pool2", 5, 5, 16}});
    assert_int_equal(n->plan.total_params, 61706LL); /* the modern LeNet-5 with a full C3 */
    assert_non_null(strstr(arch_lenet5.note, "not LeCun 1998"));
    assert_non_null(strstr(arch_lenet5.title, "simplification"));
    assert_null(arch_alexnet.note);
    net_free(n);
}

static float *test_input(const ArchSpec *a)
{
    long count = (long)a->input.c * a->input.h * a->input.w;
    float *x = malloc(sizeof(float) * (size_t)count);
    uint64_t s = 3;
    for (long i = 0; i < count; i++) x[i] = 50.0f * rng_normal(&s);
    return x;
}

/* A net of arch a with its built-in weights for seed (into w); free both with done. */
static Net *builtin_net(const ArchSpec *a, uint64_t seed, Weights *w)
{
    Err e = {0};
    if (weights_builtin(a, seed, w, &e) != 0) fail_msg("%s", e.msg);
    Net *n = net_create(a, w, &e);
    if (!n) fail_msg("%s", e.msg);
    return n;
}

static void done(Net *n, Weights *w, float *x)
{
    free(x);
    net_free(n);
    weights_free(w);
}

static void test_builtin_weights_run(void **st)
{
    (void)st;
    Err e = {0};
    Weights w, w2;
    Net *n = builtin_net(&arch_alexnet, WEIGHTS_DEFAULT_SEED, &w);
    assert_int_equal(weights_builtin(&arch_alexnet, WEIGHTS_DEFAULT_SEED, &w2, &e), 0);
    assert_false(w.trained);
    assert_non_null(strstr(w.source, "untrained"));
    int fc8 = arch_layer_index(&arch_alexnet, "fc8");
    assert_memory_equal(w.l[fc8].w, w2.l[fc8].w, sizeof(float) * (size_t)w.l[fc8].nw); /* deterministic */
    weights_free(&w2);

    assert_int_equal(net_step(n, &e), -1); /* no input yet */
    float *x = test_input(&arch_alexnet);
    net_set_input(n, x);
    assert_int_equal(net_step(n, &e), 1);
    assert_true(n->run[0].computed);
    assert_false(n->run[1].computed);
    assert_int_equal(net_run_to(n, 4, &e), 4); /* through pool1 */
    assert_int_equal(net_forward(n, &e), n->nlayers);
    assert_int_equal(net_step(n, &e), 0);

    int count;
    const float *p = net_output(n, &count);
    assert_int_equal(count, 1000);
    double sum = 0;
    for (int i = 0; i < count; i++) sum += p[i];
    assert_true(sum > 0.999 && sum < 1.001);
    const LayerRun *relu1 = run(n, "relu1");
    assert_true(relu1->min >= 0.0f);
    assert_true(relu1->zero_frac > 0.1f && relu1->zero_frac < 0.9f); /* edges respond on one side */
    assert_true(run(n, "conv1")->min < 0.0f);                      /* pre-ReLU output is kept too */

    /* conv1 is the hand-built edge bank: an edge detector is zero-mean, so a flat input gives 0 */
    float saved = n->run[0].out_data[0];
    int top[5];
    topk(p, count, 5, top);
    assert_true(p[top[0]] >= p[top[1]] && p[top[1]] >= p[top[4]]);

    /* stepping again after a reset gives the same numbers */
    net_reset(n, 0);
    net_run_to(n, 1, &e);
    assert_true(n->run[0].out_data[0] == saved);
    done(n, &w, x);
}

static void test_train_dropout_mask(void **st)
{
    (void)st;
    Err e = {0};
    Weights w;
    Net *n = builtin_net(&arch_alexnet, 1, &w);
    float *x = test_input(&arch_alexnet);
    int d6 = arch_layer_index(&arch_alexnet, "drop6");
    net_set_input(n, x);
    assert_int_equal(net_run_to(n, d6 + 1, &e), d6 + 1);
    /* inference: the identity */
    assert_memory_equal(n->run[d6].out_data, n->run[d6 - 1].out_data, sizeof(float) * 4096);
    n->train_dropout = 1;
    net_reset(n, d6);
    assert_int_equal(net_run_to(n, d6 + 1, &e), d6 + 1);
    int kept = 0;
    for (int i = 0; i < 4096; i++) {
        float in = n->run[d6 - 1].out_data[i], out = n->run[d6].out_data[i];
        kept += n->drop_mask[i];
        assert_true(out == (n->drop_mask[i] ? 2.0f * in : 0.0f));
    }
    assert_true(kept > 1848 && kept < 2248); /* about half, for p = 0.5 */
    done(n, &w, x);
}

/* alexnet-tv in train mode: drop6 zeroes or doubles pool5's 9,216 values (fc6's inputs),
   drop7 relu6's 4,096, and fc8 reads relu7 directly. */
static void test_tv_train_dropout(void **st)
{
    (void)st;
    Err e = {0};
    Weights w;
    const ArchSpec *a = &arch_alexnet_tv;
    Net *n = builtin_net(a, 1, &w);
    float *x = test_input(a);
    int d6 = arch_layer_index(a, "drop6"), d7 = arch_layer_index(a, "drop7"), f8 = arch_layer_index(a, "fc8");
    assert_int_equal(a->layers[d6 - 1].kind, LK_MAXPOOL);
    assert_int_equal(a->layers[d6 + 1].kind, LK_FC);
    assert_int_equal(a->layers[f8 - 1].kind, LK_RELU);
    net_set_input(n, x);
    assert_int_equal(net_forward(n, &e), a->nlayers);
    float eval8[1000];
    memcpy(eval8, n->run[f8].out_data, sizeof eval8);
    n->train_dropout = 1;
    net_reset(n, d6);
    assert_int_equal(net_run_to(n, d6 + 1, &e), d6 + 1);
    int kept = 0, nonzero = 0;
    for (int i = 0; i < 9216; i++) {
        float in = n->run[d6 - 1].out_data[i], out = n->run[d6].out_data[i];
        kept += n->drop_mask[i];
        nonzero += in != 0.0f;
        assert_true(out == (n->drop_mask[i] ? 2.0f * in : 0.0f));
    }
    assert_true(nonzero > 0);
    assert_true(kept > 4308 && kept < 4908); /* about half of 9,216 */
    assert_int_equal(net_forward(n, &e), a->nlayers);
    for (int i = 0; i < 4096; i++) {
        float in = n->run[d7 - 1].out_data[i], out = n->run[d7].out_data[i];
        assert_true(out == (n->drop_mask[i] ? 2.0f * in : 0.0f)); /* the mask of the last dropout */
    }
    assert_memory_not_equal(eval8, n->run[f8].out_data, sizeof eval8);
    done(n, &w, x);
}

static void test_weight_count_mismatch(void **st)
{
    (void)st;
    Err e = {0};
    Weights w;
    assert_int_equal(weights_builtin(&arch_lenet5, 1, &w, &e), 0);
    w.l[0].nw -= 1; /* as a bad loader would leave it */
    assert_null(net_create(&arch_lenet5, &w, &e));
    assert_non_null(strstr(e.msg, "conv1"));
    w.l[0].nw += 1;
    weights_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alexnet_summary), cmocka_unit_test(test_224_does_not_divide),
        cmocka_unit_test(test_tv_and_lenet),    cmocka_unit_test(test_builtin_weights_run),
        cmocka_unit_test(test_train_dropout_mask), cmocka_unit_test(test_tv_train_dropout),
        cmocka_unit_test(test_weight_count_mismatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
