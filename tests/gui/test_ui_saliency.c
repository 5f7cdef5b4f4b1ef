/* test_ui_saliency.c - the saliency view (key Y, issue 10) with a synchronous worker: the
   job's map is tool_saliency's on the same Net (each method, a class and a unit), and a unit's
   map is zero outside its receptive field; Y and B are in the key table and B cycles the
   method (recomputing only while the view is open); clicking a class row, a method button,
   a tile and an fc strip cell sets the target and recomputes; the view's texts. LeNet-5 keeps
   it short under ASan; one AlexNet job (guided, the fast engine's forward) checks the ReLUs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saliency.h"
#include "ui_app.h"
#include "ui_keys.h"
#include "ui_test_drawn.h"
#include "ui_view_saliency.h"
#include "worker.h"

static char chelsea[1100];
static Worker *W;
static UiApp A;

static void p_weights(void *c, const char *path, const ArchSpec *a, uint64_t seed)
{
    (void)c, (void)seed;
    worker_weights(W, path, a);
}
static void p_image(void *c, const char *path, int mirror) { (void)c, worker_image(W, path, mirror); }
static void p_image_crop(void *c, const char *path, int mirror, int seed) { (void)c, worker_image_crop(W, path, mirror, seed); }
static void p_dropout(void *c, int train) { (void)c, worker_dropout(W, train); }
static void p_narrate(void *c, Lesson *one, int layers, unsigned tag, const Labels *lb)
{
    (void)c, worker_narrate(W, one, layers, tag, lb);
}
static void p_drop(void *c, const char *path, int mirror) { (void)c, worker_drop(W, path, mirror); }
static void p_target(void *c, int layers) { (void)c, worker_target(W, layers); }
static int p_sync(void *c, UiModel *m, UiNote *note) { return (void)c, worker_sync(W, m, note); }
static int jobs; /* saliency requests */
static void p_saliency(void *c, const UiSalTarget *t, int method)
{
    (void)c;
    SalParams p = {.method = (ReluMode)method, .layer = t->layer, .cls = t->cls, .c = t->c, .y = t->y, .x = t->x};
    jobs++;
    worker_saliency(W, &p);
}

static int measure(void *ctx, int font, int px, const char *s)
{
    (void)ctx, (void)font;
    return (int)strlen(s) * px / 2;
}

static int setup(void **state)
{
    (void)state;
    const char *assets = getenv("ALEXSCOPE_ASSETS");
    snprintf(chelsea, sizeof chelsea, "%s/samples/chelsea.png", assets ? assets : ALEXSCOPE_SOURCE_ASSETS);
    return 0;
}

/* The window on lenet5 (its default weights) with chelsea.png, at position pos. */
static void start(int pos)
{
    char *argv[] = {"alexscope", "--arch", "lenet5", chelsea};
    UiOptions o;
    Err e = {0};
    assert_int_equal(ui_options_parse(4, argv, &o, &e), 0);
    memset(&A, 0, sizeof A);
    jobs = 0;
    W = worker_start(0, &e);
    assert_non_null(W);
    UiAppWorker port = {NULL, p_weights, p_image, p_image_crop, p_dropout, p_narrate, p_drop, p_target, p_sync,
                        NULL, NULL,      NULL,    NULL,         NULL,      p_saliency};
    ui_app_init(&A, &o, &port);
    A.dl.measure = measure;
    ui_app_load(&A, 0);
    ui_app_absorb(&A, 0);
    assert_non_null(A.m.net);
    ui_jump(&A.st, pos);
    ui_app_frame(&A, 1280, 720, 0, 0, 0, 0); /* asks for the layers (computed at once: synchronous) */
    ui_app_frame(&A, 1280, 720, 0, 0, 0, 0); /* shows them */
    assert_int_equal(A.m.ready, pos);
}

static void stop(void)
{
    worker_stop(W);
    ui_app_free(&A);
}

static int drawn(const char *s) { return ui_test_drawn(&A.dl, s); }

/* The published map is tool_saliency's on the same (synced) Net, bit for bit. */
static void same_as_tool(const UiSaliency *u, Net *n, const SalParams *p)
{
    SalResult r;
    Err e = {0};
    assert_int_equal(tool_saliency(n, p, &r, &e), 0);
    assert_true(u->valid);
    assert_int_equal(u->method, (int)p->method);
    assert_int_equal(u->layer, r.layer);
    assert_int_equal(u->cls, r.cls);
    assert_int_equal(u->c, r.c);
    assert_true(u->max == r.max && u->max > 0);
    long plane = (long)r.in.h * r.in.w;
    assert_memory_equal(u->map, r.map, sizeof(float) * (size_t)plane);
    assert_memory_equal(u->grad, r.grad, sizeof(float) * (size_t)(plane * r.in.c));
    sal_result_free(&r);
}

/* ---- the job ------------------------------------------------------------------------------ */

static void test_job_is_tool_saliency(void **state)
{
    (void)state;
    start(0); /* nothing computed beyond the input: the job computes the layers it needs */
    const Net *n = A.m.net;
    int fc = saliency_score_layer(n->arch);
    assert_int_equal(fc, n->nlayers - 2); /* fc5, under the softmax */
    for (int m = 0; m < RELU_MODE_COUNT; m++) {
        SalParams p = {.method = (ReluMode)m, .layer = -1, .cls = -1};
        worker_saliency(W, &p);
        ui_app_absorb(&A, 0);
        assert_true(A.m.ready >= fc + 1);
        const float *s = A.m.net->run[fc].out_data;
        int top = 0;
        for (int i = 1; i < 10; i++) top = s[i] > s[top] ? i : top;
        assert_int_equal(A.m.sal.cls, top); /* the top-1 class by default */
        assert_true(A.m.sal.score == s[top]);
        same_as_tool(&A.m.sal, A.m.net, &p);
    }
    stop();
}

/* A conv2 unit's gradient lives in its receptive field: 14×14 input pixels from 2·(y, x). */
static void test_unit_map_in_its_field(void **state)
{
    (void)state;
    start(0);
    int conv2 = arch_layer_index(A.m.net->arch, "conv2");
    const PlanLayer *pl = &A.m.net->plan.layers[conv2];
    assert_int_equal(pl->rf, 14);
    assert_int_equal(pl->rf_jump, 2);
    SalParams p = {.method = RELU_GRADIENT, .layer = conv2, .c = 3, .y = 4, .x = 7};
    worker_saliency(W, &p);
    ui_app_absorb(&A, 0);
    const UiSaliency *u = &A.m.sal;
    assert_int_equal(u->cls, -1);
    int inside = 0;
    for (int y = 0; y < u->in.h; y++)
        for (int x = 0; x < u->in.w; x++) {
            int in = y >= 8 && y < 8 + 14 && x >= 14 && x < 14 + 14;
            float v = u->map[y * u->in.w + x];
            if (!in) assert_true(v == 0.0f);
            inside += in && v > 0;
        }
    assert_true(inside > 100); /* most of the 196 pixels move it */
    same_as_tool(u, A.m.net, &p);
    /* a unit out of range: a note, no result replaced */
    SalParams bad = {.method = RELU_GRADIENT, .layer = conv2, .c = 16};
    worker_saliency(W, &bad);
    UiNote note = {0};
    int got = 0;
    while (worker_sync(W, &A.m, &note)) got = 1;
    assert_true(got && note.error && strstr(note.text, "channels 0..15"));
    assert_int_equal(A.m.sal.c, 3);
    stop();
}

/* AlexNet at 227, guided: ReLUs that pass only positive gradients, on the fast engine's forward. */
static void test_alexnet_guided(void **state)
{
    (void)state;
    Err e = {0};
    UiModel m = {0};
    W = worker_start(0, &e);
    worker_weights(W, NULL, &arch_alexnet);
    worker_engine(W, 1);
    worker_image(W, chelsea, 0);
    while (worker_sync(W, &m, NULL)) {}
    SalParams p = {.method = RELU_GUIDED, .layer = -1, .cls = 281};
    worker_saliency(W, &p);
    while (worker_sync(W, &m, NULL)) {}
    print_message("alexnet guided: forward %.0f ms (%d layers reused), backward %.0f ms, job %.0f ms\n",
                  m.sal.ms_forward, m.sal.reused, m.sal.ms_backward, m.sal.ms);
    assert_int_equal(m.sal.cls, 281);
    assert_int_equal(m.sal.layer, arch_layer_index(&arch_alexnet, "fc8"));
    assert_false(m.sal.trained);
    same_as_tool(&m.sal, m.net, &p);
    worker_stop(W);
    ui_model_free(&m);
}

/* ---- keys and clicks ---------------------------------------------------------------------- */

static void test_keys(void **state)
{
    (void)state;
    assert_int_equal(ui_keys_action('y', 0), ACT_SALIENCY);
    assert_int_equal(ui_keys_action('b', 0), ACT_SAL_METHOD);
    UiState st;
    ui_state_init(&st, 8);
    assert_int_equal(st.sal.layer, -1);
    assert_int_equal(st.sal.cls, -1);
    int want[] = {RELU_GUIDED, RELU_DECONV, RELU_GRADIENT};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ui_apply(&st, ACT_SAL_METHOD), 0); /* view closed: nothing to compute */
        assert_int_equal(st.sal_method, want[i]);
    }
    assert_int_equal(ui_apply(&st, ACT_SALIENCY), UI_FX_TOOL);
    assert_int_equal(st.tool_view, UI_TOOL_VIEW_SALIENCY);
    assert_int_equal(ui_apply(&st, ACT_SAL_METHOD), UI_FX_TOOL);
    assert_int_equal(ui_apply(&st, ACT_SALIENCY), 0);
    assert_int_equal(st.tool_view, 0);
}

static void click_center(UiRect r) { ui_app_click(&A, r.x + r.w / 2, r.y + r.h / 2, 0, 0); }

static void test_clicks_in_the_view(void **state)
{
    (void)state;
    start(0);
    ui_app_action(&A, ACT_SALIENCY, 0);
    assert_int_equal(jobs, 1);
    ui_app_frame(&A, 1280, 720, 0, 0, 0, 0);
    UiView v = ui_app_view(&A, 0);
    UiSalGeom g;
    assert_true(ui_sal_geom(&v, &g));
    assert_int_equal(g.nrows, 5);
    int third = g.cls[2];
    click_center(g.row[2]);
    ui_app_absorb(&A, 0);
    assert_int_equal(jobs, 2);
    assert_int_equal(A.st.sal.layer, -1);
    assert_int_equal(A.st.sal.cls, third);
    assert_int_equal(A.m.sal.cls, third);
    click_center(g.chip[RELU_DECONV]);
    ui_app_absorb(&A, 0);
    assert_int_equal(A.st.sal_method, RELU_DECONV);
    assert_int_equal(A.m.sal.method, RELU_DECONV);
    assert_int_equal(A.m.sal.cls, third);
    click_center(g.chip[RELU_DECONV]); /* the same again: nothing new to compute */
    assert_int_equal(jobs, 3);
    /* the texts: formula, target, method, the weights' note, the time */
    ui_app_frame(&A, 1280, 720, 0, 0, 0, 0);
    char t[300], name[64];
    snprintf(t, sizeof t, "∂ fc5[%d] / ∂ input", third);
    assert_true(drawn(t));
    snprintf(t, sizeof t, "class %d %s: fc5 score", third, labels_name(&A.labels[1], third, name, sizeof name));
    assert_true(drawn(t));
    assert_true(drawn("deconv (Zeiler & Fergus 2014)"));
    assert_true(drawn("This network has no ReLU (tanh): the same map."));
    assert_true(drawn(ui_sal_weights_note(&A.m.sal)));
    assert_true(drawn(A.m.sal.trained ? "Trained weights" : "Untrained weights"));
    assert_true(drawn("max |gradient|"));
    stop();
}

static void test_clicks_outside(void **state)
{
    (void)state;
    start(2); /* tanh1 of lenet5: 6 maps of 28×28 */
    UiView v = ui_app_view(&A, 0);
    UiGrid g;
    assert_true(ui_view_grid(&v, &g));
    UiRect tile = ui_grid_tile(&g, 4);
    ui_app_click(&A, tile.x + 1, tile.y + 1, 0, 0); /* row 0 (or 1), column 0 (or 1) of channel 4 */
    assert_int_equal(A.st.sal.layer, 1);
    assert_int_equal(A.st.sal.cls, -1);
    assert_int_equal(A.st.sal.c, 4);
    assert_int_equal(A.st.sal.y, A.st.unit.y);
    assert_int_equal(A.st.sal.x, A.st.unit.x);
    assert_int_equal(jobs, 0); /* the view is closed: only the target changed */
    ui_app_action(&A, ACT_SALIENCY, 0);
    ui_app_absorb(&A, 0);
    assert_int_equal(A.m.sal.layer, 1);
    assert_int_equal(A.m.sal.c, 4);
    /* a cell of the class scores' strip (fc5) follows that class */
    ui_jump(&A.st, arch_layer_index(A.m.net->arch, "fc5") + 1);
    A.wk.target(A.wk.ctx, A.st.pos);
    ui_app_frame(&A, 1280, 720, 0, 0, 0, 0);
    UiPick p = {.kind = PICK_STRIP, .index = 7};
    v = ui_app_view(&A, 0);
    assert_int_equal(ui_sal_click(&A.st, &v, &p), 0);
    assert_int_equal(A.st.sal.layer, -1);
    assert_int_equal(A.st.sal.cls, 7);
    stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_job_is_tool_saliency), cmocka_unit_test(test_unit_map_in_its_field),
        cmocka_unit_test(test_alexnet_guided),       cmocka_unit_test(test_keys),
        cmocka_unit_test(test_clicks_in_the_view),   cmocka_unit_test(test_clicks_outside),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
