/* test_lesson_grad.c - the gradient lessons' placeholders (src/lesson/lesson_grad.c):
   {backprop...} against central finite differences of the loss and against the whole
   network's backward pass, {saliency:...} against tool_saliency run here on its own Net,
   and bad names with their line. LeNet-5 with the built-in weights on a fixed pattern:
   milliseconds per pass, even under ASan. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backward.h"
#include "lesson.h"
#include "saliency.h"

#define LABEL 3

typedef struct {
    Weights w;
    Net *n;
    float x[32 * 32];
} Fix;

static Fix fx;

/* A smooth fixed pattern in −1..1 (what lenet5's preprocessing gives). */
static void pattern(float *x, float phase)
{
    for (int i = 0; i < 32 * 32; i++) x[i] = 0.9f * sinf(0.21f * (float)(i % 32) + phase) * cosf(0.17f * (float)(i / 32));
}

static int setup(void **st)
{
    (void)st;
    Err e = {0};
    if (weights_builtin(&arch_lenet5, WEIGHTS_DEFAULT_SEED, &fx.w, &e) != 0) return -1;
    if (!(fx.n = net_create(&arch_lenet5, &fx.w, &e))) return -1;
    pattern(fx.x, 0.0f);
    net_set_input(fx.n, fx.x);
    return net_forward(fx.n, &e) < 0 ? -1 : 0;
}

static int teardown(void **st)
{
    (void)st;
    net_free(fx.n);
    weights_free(&fx.w);
    return 0;
}

/* The placeholder's text. */
static void text_of(const char *name, char *text, size_t size)
{
    Err e = {0};
    if (lesson_placeholder(name, fx.n, NULL, text, (int)size, &e) != 0) fail_msg("{%s}: %s", name, e.msg);
}

/* The number the placeholder shows. */
static double num(const char *name)
{
    char text[512], *end;
    text_of(name, text, sizeof text);
    double v = strtod(text, &end);
    if (end == text) fail_msg("{%s} gave '%s', not a number", name, text);
    return v;
}

static void near(double got, double want, double tol, const char *what)
{
    if (fabs(got - want) > tol) fail_msg("%s: %.6g, expected %.6g (±%.2g)", what, got, want, tol);
}

/* −log p[LABEL] after a fresh forward pass. */
static double loss_now(void)
{
    Err e = {0};
    net_set_input(fx.n, fx.x);
    assert_true(net_forward(fx.n, &e) >= 0);
    int count;
    const float *p = net_output(fx.n, &count);
    return -log((double)p[LABEL]);
}

/* dL/dv by a central difference, moving *v by ±h. */
static double central(float *v, float h)
{
    float keep = *v;
    *v = keep + h;
    double up = loss_now();
    *v = keep - h;
    double down = loss_now();
    *v = keep;
    loss_now();
    return (up - down) / (2.0 * h);
}

/* db, dw and dx of conv1 and conv2 against finite differences of the loss: the bias moves
   every unit of its map, so its difference quotient is Σ dy over the map, computed here
   without any backward code. */
static void test_backprop_finite_differences(void **st)
{
    (void)st;
    char name[96];
    static const struct { int layer, o, c, i, j; } cases[] = {{0, 2, 0, 1, 3}, {0, 5, 0, 4, 0}, {3, 7, 4, 2, 2}};
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        const char *lname = arch_lenet5.layers[cases[t].layer].name;
        LayerWeights *lw = &fx.w.l[cases[t].layer];
        snprintf(name, sizeof name, "backprop@%d:%s.db:%d", LABEL, lname, cases[t].o);
        double db = num(name), fd = central(&lw->b[cases[t].o], 1e-2f);
        assert_true(fabs(fd) > 1e-3); /* a test that can fail: the gradient is not ~0 */
        near(db, fd, 2e-4 + 1e-2 * fabs(fd), name);
        long wi = (((long)cases[t].o * (cases[t].layer ? 6 : 1) + cases[t].c) * 5 + cases[t].i) * 5 + cases[t].j;
        snprintf(name, sizeof name, "backprop@%d:%s.dw:%d,%d,%d,%d", LABEL, lname, cases[t].o, cases[t].c, cases[t].i,
                 cases[t].j);
        double dw = num(name);
        fd = central(&lw->w[wi], 1e-2f);
        near(dw, fd, 2e-4 + 1e-2 * fabs(fd), name);
    }
    /* dx at an input pixel (conv1's input is the image) */
    snprintf(name, sizeof name, "backprop@%d:conv1.dx:0,16,16", LABEL);
    double dx = num(name), fd = central(&fx.x[16 * 32 + 16], 1e-2f);
    near(dx, fd, 2e-4 + 1e-2 * fabs(fd), name);
    near(num("backprop@3:loss"), loss_now(), 1e-4, "loss");
}

/* The same numbers against net_backward's whole-network gradients, and the checks the lesson
   reports: both maximum differences are float rounding. */
static void test_backprop_matches_net_backward(void **st)
{
    (void)st;
    Err e = {0};
    Grads g;
    assert_int_equal(grads_alloc(&arch_lenet5, &g, &e), 0);
    float loss, dinput[32 * 32], dl[10];
    loss_now();
    assert_int_equal(net_backward_loss(fx.n, LABEL, &g, &loss, &e), 0);
    softmax_ce_backward(dl, fx.n->run[fx.n->nlayers - 1].out_data, 10, LABEL);
    assert_int_equal(net_backward(fx.n, fx.n->nlayers - 2, dl, RELU_GRADIENT, NULL, dinput, &e), 0);
    near(num("backprop@3:conv2.db:9"), g.l[3].b[9], 1e-3 * fabs(g.l[3].b[9]) + 1e-9, "conv2 db");
    near(num("backprop@3:conv1.dw:4,0,0,1"), g.l[0].w[4 * 25 + 1], 1e-3 * fabs(g.l[0].w[4 * 25 + 1]) + 1e-9, "dw");
    near(num("backprop@3:conv1.dx:0,3,30"), dinput[3 * 32 + 30], 1e-3 * fabs(dinput[3 * 32 + 30]) + 1e-9, "dx");
    double maxdw = 0;
    for (long i = 0; i < g.l[0].nw; i++) maxdw = fmax(maxdw, fabs(g.l[0].w[i]));
    near(num("backprop@3:conv1.dw_max"), maxdw, 1e-2 * maxdw, "dw_max");
    assert_true(num("backprop@3:conv1.maxdiff") < 1e-6);
    assert_true(num("backprop@3:conv2.maxdiff") < 1e-6);
    assert_true(num("backprop@3:conv1.maxdiff_net") < 1e-7);
    grads_free(&g);
}

/* The written-out sums end in their total and count; sgd is w − lr·dw with w read here. */
static void test_backprop_texts(void **st)
{
    (void)st;
    char text[512], want[128];
    double db = num("backprop@3:conv1.db:1");
    text_of("backprop@3:conv1.db_expr:1", text, sizeof text);
    snprintf(want, sizeof want, " = %.4g (784 terms)", db);
    if (!strstr(text, want) || !strstr(text, " + … + ")) fail_msg("db_expr: %s (wanted %s)", text, want);
    text_of("backprop@3:conv1.dx_expr:0,0,0", text, sizeof text); /* a corner: one window per filter */
    snprintf(want, sizeof want, " = %.4g (6 terms)", num("backprop@3:conv1.dx:0,0,0"));
    if (!strstr(text, want)) fail_msg("dx_expr at a corner: %s (wanted %s)", text, want);
    double w = fx.w.l[0].w[2 * 25 + 1 * 5 + 3], dw = num("backprop@3:conv1.dw:2,0,1,3");
    text_of("backprop@3:conv1.sgd:2,0,1,3,0.5", text, sizeof text);
    const char *eq = strrchr(text, '=');
    assert_non_null(eq);
    near(strtod(eq + 1, NULL), w - 0.5 * dw, 1e-3 * fabs(w - 0.5 * dw) + 1e-6, "sgd");
    near(num("backprop@3:conv1.w:2,0,1,3"), w, 1e-3 * fabs(w), "w");
    /* the top-1 by default, and the label's probability */
    int count, top;
    const float *p = net_output(fx.n, &count);
    topk(p, count, 1, &top);
    near(num("backprop:class"), top, 0, "default class");
    near(num("backprop@3:p"), 100.0 * p[LABEL], 0.06, "p");
}

/* The map's maximum and its central share against tool_saliency on a Net of this test's
   own; a new input is seen (the cache is keyed on it); a run that stopped at conv1 is
   completed on a copy, never on the lesson's Net. */
static void check_saliency(const float *x)
{
    Err e = {0};
    Net *own = net_create(&arch_lenet5, &fx.w, &e);
    assert_non_null(own);
    net_set_input(own, x);
    SalParams sp = {.method = RELU_GUIDED, .layer = -1, .cls = -1};
    SalResult r;
    assert_int_equal(tool_saliency(own, &sp, &r, &e), 0);
    double all = 0, mid = 0;
    for (int y = 0; y < 32; y++)
        for (int xx = 0; xx < 32; xx++) {
            all += r.map[y * 32 + xx];
            if (y >= 8 && y < 24 && xx >= 8 && xx < 24) mid += r.map[y * 32 + xx];
        }
    near(num("saliency:guided.max"), r.max, 5e-3 * r.max, "guided.max");
    near(num("saliency:guided.center_pct"), 100.0 * mid / all, 0.051, "center_pct");
    near(num("saliency:class"), r.cls, 0, "class");
    near(num("saliency:score"), r.score, 1e-3 * fabs(r.score), "score");
    sal_result_free(&r);
    sp.layer = own->nlayers - 1, sp.c = (int)num("saliency:class"), sp.method = RELU_GRADIENT; /* d p / d input */
    assert_int_equal(tool_saliency(own, &sp, &r, &e), 0);
    near(num("saliency:prob.max"), r.max, 5e-3 * r.max, "prob.max");
    sal_result_free(&r);
    net_free(own);
}

static void test_saliency_matches_tool(void **st)
{
    (void)st;
    Err e = {0};
    check_saliency(fx.x);
    float other[32 * 32];
    pattern(other, 1.3f);
    net_set_input(fx.n, other);
    assert_true(net_run_to(fx.n, 1, &e) >= 0);
    check_saliency(other);
    assert_int_equal(fx.n->done, 1); /* only read */
    char text[64];
    text_of("saliency:center_area_pct", text, sizeof text);
    assert_string_equal(text, "25.0%");
    loss_now(); /* the fixture's input again */
}

static void test_not_computed_while_checking(void **st)
{
    (void)st;
    static Lesson ls;
    Err e = {0};
    const char *text = "title: T\narch: lenet5\n--- S\nlayer: conv1\n"
                       "{150 = backprop:conv1.dx_terms:0,16,16} {6 = backprop:conv1.dx_terms:0,0,0} "
                       "{1,180 = backprop:conv1.compared} {25.0% = saliency:center_area_pct}\n";
    if (lesson_parse(text, "t.lesson", &ls, &e) != 0) fail_msg("%s", e.msg);
    lesson_free(&ls);
    /* values need a run: refused as checked numbers */
    const char *run = "title: T\narch: lenet5\n--- S\nlayer: conv1\n{1 = backprop:loss}\n";
    assert_int_equal(lesson_parse(run, "t.lesson", &ls, &e), -1);
    assert_non_null(strstr(e.msg, "t.lesson:5: {1 = backprop:loss}: a checked number must follow from the network's structure"));
}

static void test_bad_names_have_lines(void **st)
{
    (void)st;
    static Lesson ls;
    static const struct { const char *arch, *ph, *want; } cases[] = {
        {"lenet5", "saliency:gradient.maxx", "unknown field in {saliency:gradient.maxx}"},
        {"lenet5", "saliency:sideways.max", "unknown method 'sideways'"},
        {"lenet5", "saliency:max", "unknown field in {saliency:max}"},
        {"lenet5", "backprop:conv9.dw:0,0,0,0", "'conv9' is not a conv layer of lenet5"},
        {"lenet5", "backprop:fc3.db:0", "'fc3' is not a conv layer"},
        {"lenet5", "backprop:conv1.dw:0,0,2", "dw takes 4 numbers after ':'"},
        {"lenet5", "backprop:conv1.dw:6,0,0,0", "number 1 must be a whole number 0..5 for conv1"},
        {"lenet5", "backprop:conv1.dx:0,32,0", "number 2 must be a whole number 0..31"},
        {"lenet5", "backprop@10:loss", "the class after '@' must be 0..9"},
        {"lenet5", "backprop:conv1.dz:0", "unknown field 'dz'"},
        {"lenet5", "backprop:conv1", "write {backprop:loss}"},
        {"lenet5", "backprop:conv1.db:x", "the arguments are numbers"},
        {"lenet5", "backprop:conv1.sgd:0,0,0,0,-1", "the learning rate (the fifth number) must be above 0"},
        {"lenet5", "150 = backprop:conv1.dx_terms:0,0,0", "the text states 150 but"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        const char *ph = cases[i].ph;
        snprintf(text, sizeof text, "title: T\narch: %s\n--- S\nlayer: conv1\nFine.\nThen {%s}.\n", cases[i].arch, ph);
        Err e = {0};
        assert_int_equal(lesson_parse(text, "t.lesson", &ls, &e), -1);
        if (!strstr(e.msg, "t.lesson:6: ") || !strstr(e.msg, cases[i].want))
            fail_msg("{%s}: wanted 't.lesson:6: ... %s' in: %s", ph, cases[i].want, e.msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backprop_finite_differences),
        cmocka_unit_test(test_backprop_matches_net_backward),
        cmocka_unit_test(test_backprop_texts),
        cmocka_unit_test(test_saliency_matches_tool),
        cmocka_unit_test(test_not_computed_while_checking),
        cmocka_unit_test(test_bad_names_have_lines),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
