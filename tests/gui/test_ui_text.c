/* test_ui_text.c - the card strings (ui_text.c): size formulas, why 227, parameters,
   receptive fields and "show the math", against alexnet and its built-in weights. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "rng.h"
#include "ui_text.h"

static Weights weights;
static Net *net;

static int layer(const char *name) { return arch_layer_index(&arch_alexnet, name); }

static int setup(void **ctx)
{
    (void)ctx;
    Err e = {0};
    if (weights_builtin(&arch_alexnet, WEIGHTS_DEFAULT_SEED, &weights, &e) != 0) return -1;
    net = net_create(&arch_alexnet, &weights, &e);
    if (!net) return -1;
    Shape s = arch_alexnet.input;
    size_t n = (size_t)s.c * s.h * s.w;
    float *x = malloc(n * sizeof *x);
    if (!x) return -1;
    uint64_t seed = 7;
    for (size_t i = 0; i < n; i++) x[i] = 100.0f * (rng_uniform(&seed) - 0.5f);
    net_set_input(net, x);
    free(x);
    return net_run_to(net, layer("relu2") + 1, &e) < 0 ? -1 : 0;
}

static int teardown(void **ctx)
{
    (void)ctx;
    net_free(net);
    weights_free(&weights);
    return 0;
}

/* 1 if some line of L contains s */
static int has(const UiLines *L, const char *s)
{
    for (int i = 0; i < L->n; i++)
        if (strstr(L->s[i], s)) return 1;
    return 0;
}

#define LINES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* What text (ui_formula_text, ui_params_text) writes for the layer called name (NULL: the
   input): some line contains each of yes, none any of no (NULL-terminated, or NULL). */
static void expect_lines(void (*text)(const Net *, int, UiLines *), const char *name, const char *const *yes,
                         const char *const *no)
{
    UiLines L;
    text(net, name ? layer(name) : -1, &L);
    for (; yes && *yes; yes++)
        if (!has(&L, *yes)) fail_msg("%s: no line has '%s'", name ? name : "input", *yes);
    for (; no && *no; no++)
        if (has(&L, *no)) fail_msg("%s: a line has '%s'", name ? name : "input", *no);
}

static void test_shapes(void **ctx)
{
    (void)ctx;
    char b[32];
    assert_string_equal(shape_hwc((Shape){96, 55, 55}, b, sizeof b), "55×55×96");
    assert_string_equal(shape_hwc((Shape){4096, 1, 1}, b, sizeof b), "4096");
    assert_string_equal(shape_hwc(ui_pos_shape(net, 0), b, sizeof b), "227×227×3");
    assert_string_equal(shape_hwc(ui_pos_shape(net, layer("pool5") + 1), b, sizeof b), "6×6×256");
    assert_string_equal(ui_pos_name(net, 0), "input");
    assert_string_equal(ui_pos_name(net, net->nlayers), "prob");
}

static void test_formulas(void **ctx)
{
    (void)ctx;
    /* the paper's 224 does not divide: 54.25, computed, and why 227; 6,400: what fc6 would
       get with floor rounding at 224 */
    expect_lines(ui_formula_text, "conv1", LINES("(227+2·0−11)/4+1 = 55", "55×55×96", "54.25", "224", "6,400"), NULL);
    expect_lines(ui_formula_text, "pool1", LINES("(55+2·0−3)/2+1 = 27"), LINES("54.25"));
    expect_lines(ui_formula_text, "conv2", LINES("(27+2·2−5)/1+1 = 27"), NULL);
    expect_lines(ui_formula_text, "relu1", LINES("max(0, x)"), NULL);
    expect_lines(ui_formula_text, "fc6", LINES("9,216"), NULL);
    expect_lines(ui_formula_text, NULL, LINES("227×227×3", "54.25"), NULL);
}

/* Issue 8, correction 1: at 224 this network (conv floor, Caffe's pools ceil) still reaches
   54 → 27 → 13 → 6 and fc6 gets 9,216 inputs; only floor everywhere gives 54 → 26 → 12 → 5
   and 6,400. conv1's 54 windows start at 0, 4, … 212 and end at 222. The paper's 55 is
   cuda-convnet's 1 + ceil(213/4). At 227 the 11-wide windows, 4 apart, overlap: they do
   not "tile" the input. */
static void test_why_227(void **ctx)
{
    (void)ctx;
    expect_lines(ui_formula_text, "conv1",
                 LINES("conv1 at 224: (224−11)/4+1 = 54.25 → 54", "ceil pools (as here): 54 → 27 → 13 → 6, fc6 9,216",
                       "floor everywhere: 54 → 26 → 12 → 5, fc6 6,400", "the paper's 55: cuda-convnet's 1 + ceil(",
                       "55 overlapping windows, 11 wide, 4 apart"),
                 LINES("tile", "fc6 would get 6,400"));
    expect_lines(ui_formula_text, NULL, LINES("pixels 0–222 of 0–223", "conv1 at 227: (227−11)/4+1 = 55"), NULL);
    /* torchvision's AlexNet takes 224 (conv1 padded by 2, pools floor): no 227 story, no
       cuda-convnet line (its ceil would be 56, not the paper's 55) */
    UiLines L;
    ui_lines_clear(&L);
    ui_why227_text(&arch_alexnet_tv, &L);
    assert_true(has(&L, "The paper's 224, as this network takes it"));
    assert_true(has(&L, "(224+2·2−11)/4+1 = 55.25 → 55"));
    assert_false(has(&L, "cuda-convnet"));
    assert_false(has(&L, "ceil pools"));
    ui_lines_clear(&L);
    ui_why227_text(&arch_lenet5, &L);
    assert_int_equal(L.n, 0);
}

/* Corrections 6, 7, 12: LRN's window and whose formula it is; inverted dropout against the
   paper's; softmax's training loss. */
static void test_lrn_dropout_softmax(void **ctx)
{
    (void)ctx;
    expect_lines(ui_formula_text, "norm1",
                 LINES("x / (k + α/n·Σx²)^β", "channels c−2 … c+2 (n = 5)", "clipped at the first and last channel",
                       "the paper's has no /n", "k = 1, α = 0.0001, β = 0.75"),
                 LINES("neighbouring channels"));
    expect_lines(ui_formula_text, "drop6",
                 LINES("here (testing): the identity, 4096 → 4096", "inverted dropout (Caffe, PyTorch): ×2 in training",
                       "the paper: no ×2 in training, outputs ×0.5 at test; same on average"),
                 NULL);
    expect_lines(ui_formula_text, "prob", LINES("cross-entropy"), LINES("added by alexscope"));
}

static void test_params(void **ctx)
{
    (void)ctx;
    assert_true(net->plan.total_params == 60965224LL);
    expect_lines(ui_params_text, "conv1", LINES("96×11×11×3 + 96 = 34,944", "of 60,965,224"), NULL);
    expect_lines(ui_params_text, "conv2", LINES("2 groups"), NULL);
    expect_lines(ui_params_text, "relu1", LINES("no parameters"), NULL);
    double pp, mp;
    ui_layer_shares(net, layer("fc6"), &pp, &mp);
    assert_true(pp > 61.5 && pp < 62.5);
    double conv_macs = 0;
    for (int i = 0; i < net->nlayers; i++)
        if (net->plan.layers[i].spec->kind == LK_CONV) {
            ui_layer_shares(net, i, &pp, &mp);
            conv_macs += mp;
        }
    assert_true(conv_macs > 91.0 && conv_macs < 93.0);
    char sum[200];
    ui_params_summary(net, sum, sizeof sum);
    assert_non_null(strstr(sum, "fc6 holds 61.9%"));
    assert_non_null(strstr(sum, "91.9%"));
}

/* ui_rf_text for unit (y, x) of the layer called name: some line has each of yes, none any of no. */
static void expect_rf(const char *name, int y, int x, const char *const *yes, const char *const *no)
{
    UiLines L;
    ui_rf_text(net, layer(name), y, x, &L);
    for (; yes && *yes; yes++)
        if (!has(&L, *yes)) fail_msg("%s (%d, %d): no line has '%s'", name, y, x, *yes);
    for (; no && *no; no++)
        if (has(&L, *no)) fail_msg("%s (%d, %d): a line has '%s'", name, y, x, *no);
}

static void test_receptive_text(void **ctx)
{
    (void)ctx;
    expect_rf("conv1", 0, 0, LINES("11×11", "11 = 1 + (11 − 1)·1"), NULL);
    /* a central unit has no padding line; pool5's 195×195 is 73.8% of 227×227 */
    expect_rf("pool5", 2, 2, LINES("195×195", "195 = 163 + (3 − 1)·16", "73.8% of the 227×227 input"),
              LINES("padding"));
    expect_rf("fc6", -1, -1, LINES("whole"), NULL);
    /* an edge unit of conv2 (padding 2): its 51×51 field starts at −16 (rf_start −2·8), so
       rows and columns 0..34 are on the image: 35·35 = 1,225 of 2,601 pixels, 52.9% padding */
    expect_rf("conv2", 0, 0,
              LINES("rows -16..34, cols -16..34", "35×35 of it on the image: 52.9% of the field is padding",
                    "on the image: 2.4% of the 227×227 input", "theoretical"),
              NULL);
    /* LRN mixes channels: it does not work "unit by unit"; ReLU works value by value */
    expect_rf("norm1", -1, -1, LINES("norm1 mixes 5 channels at the same position"), LINES("unit by unit"));
    expect_rf("relu1", -1, -1, LINES("relu1 works value by value: the field stays 11×11"), NULL);
}

static void test_math(void **ctx)
{
    (void)ctx;
    UiMath m;
    int c2 = layer("conv2");
    /* channel 200 is in the second half: it reads input channels 48..95 */
    assert_int_equal(ui_math(net, c2, 200, 10, 12, &m), 0);
    assert_int_equal(m.conv, c2);
    assert_int_equal(m.relu, layer("relu2"));
    assert_int_equal(m.group, 1);
    assert_int_equal(m.c0, 48);
    assert_int_equal(m.cin_g, 48);
    assert_int_equal(m.terms, 48 * 5 * 5);
    assert_int_equal(m.y0, 10 - 2);
    assert_true(fabsf(m.pre - m.stored) <= 1e-3f * (1 + fabsf(m.stored)));
    assert_true(fabsf(m.check - m.stored) <= 1e-3f * (1 + fabsf(m.stored)));
    assert_true(m.after_relu == (m.pre > 0 ? m.pre : 0.0f));
    UiLines L;
    ui_math_text(net, &m, &L);
    assert_true(has(&L, "group 2 of 2"));
    assert_true(has(&L, "48–95"));
    assert_true(has(&L, "1,200 terms"));
    assert_true(has(&L, "ReLU"));
    /* the ReLU's unit shows the conv underneath it; channel 0 reads the first half */
    assert_int_equal(ui_math(net, layer("relu2"), 0, 0, 0, &m), 0);
    assert_int_equal(m.conv, c2);
    assert_int_equal(m.c0, 0);
    assert_true(m.patch[0][0] == 0.0f); /* top-left corner is padding */
    /* conv1 reads all 3 channels; the value matches conv2d_unit */
    assert_int_equal(ui_math(net, layer("conv1"), 5, 3, 4, &m), 0);
    assert_int_equal(m.groups, 1);
    assert_int_equal(m.cin_g, 3);
    assert_true(fabsf(m.check - m.stored) <= 1e-3f * (1 + fabsf(m.stored)));
    ui_math_text(net, &m, &L);
    assert_true(has(&L, "all 3 input channels"));
    /* not a conv, out of range, not computed yet */
    assert_int_equal(ui_math(net, layer("pool1"), 0, 0, 0, &m), -1);
    assert_int_equal(ui_math(net, c2, 256, 0, 0, &m), -1);
    assert_int_equal(ui_math(net, c2, 0, 27, 0, &m), -1);
    assert_int_equal(ui_math(net, layer("conv3"), 0, 0, 0, &m), -1);
}

/* LeNet-5's conv is followed by tanh: the card says tanh, with the value tanh1 computed. */
static void test_math_tanh(void **ctx)
{
    (void)ctx;
    Weights w;
    Err e = {0};
    assert_int_equal(weights_builtin(&arch_lenet5, WEIGHTS_DEFAULT_SEED, &w, &e), 0);
    Net *n = net_create(&arch_lenet5, &w, &e);
    assert_non_null(n);
    float x[32 * 32];
    for (int i = 0; i < 32 * 32; i++) x[i] = (float)((i * 37) % 64) / 32.0f - 1.0f;
    net_set_input(n, x);
    assert_int_equal(net_run_to(n, 2, &e), 2);
    UiMath m;
    int tanh1 = arch_layer_index(&arch_lenet5, "tanh1");
    assert_int_equal(ui_math(n, tanh1, 3, 7, 9, &m), 0);
    assert_int_equal(m.relu, tanh1);
    assert_true(m.act_tanh);
    float want = n->run[tanh1].out_data[(3 * 28 + 7) * 28 + 9];
    assert_true(fabsf(m.after_relu - want) <= 1e-6f);
    UiLines L;
    ui_math_text(n, &m, &L);
    assert_true(has(&L, "tanh("));
    assert_false(has(&L, "ReLU"));
    net_free(n);
    weights_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes), cmocka_unit_test(test_formulas),       cmocka_unit_test(test_params),
        cmocka_unit_test(test_receptive_text), cmocka_unit_test(test_math), cmocka_unit_test(test_math_tanh),           cmocka_unit_test(test_why_227),
        cmocka_unit_test(test_lrn_dropout_softmax),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
