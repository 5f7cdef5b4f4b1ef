/* test_tools.c - src/tools: the engine behind one call (naive and fast agree), the occlusion
   grid and its values, the ten crops, the top-patches index, progress and cancelling, and the
   tensor-to-RGB helper. lenet5 (32×32 grey, built-in weights) keeps every naive pass short,
   also under AddressSanitizer; the expectations are computed here by hand or with a plain
   Net, never with the code under test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "support.h"
#include "tools.h"

static const ArchSpec *lenet(void) { return arch_find("lenet5"); }

static void lenet_weights(Weights *w)
{
    Err e = {0};
    if (weights_builtin(lenet(), WEIGHTS_DEFAULT_SEED, w, &e) != 0) fail_msg("%s", e.msg);
}

/* n normal(0, 1) numbers from seed (caller frees). */
static float *randn(long n, uint64_t seed)
{
    float *x = malloc(sizeof(float) * (size_t)n);
    assert_non_null(x);
    for (long i = 0; i < n; i++) x[i] = rng_normal(&seed);
    return x;
}

static Engine *make(const Weights *w, EngineKind k, int batch)
{
    Err e = {0};
    Engine *g = engine_create(lenet(), w, k, batch, &e);
    if (!g) fail_msg("%s", e.msg);
    return g;
}

/* A plain Net's output of layer k-1 for one input x (a copy, caller frees). */
static float *plain_run(const Weights *w, const float *x, int k)
{
    Err e = {0};
    Net *n = net_create(lenet(), w, &e);
    assert_non_null(n);
    net_set_input(n, x);
    assert_int_equal(net_run_to(n, k, &e), k);
    long count = shape_count(n->plan.layers[k - 1].out);
    float *out = malloc(sizeof(float) * (size_t)count);
    assert_non_null(out);
    memcpy(out, n->run[k - 1].out_data, sizeof(float) * (size_t)count);
    net_free(n);
    return out;
}

/* ---- the engine -------------------------------------------------------------------------- */

static void test_engine_naive_matches_net(void **state)
{
    (void)state;
    Weights w;
    lenet_weights(&w);
    Engine *g = make(&w, ENGINE_NAIVE, 3);
    float *x = randn(3 * 32 * 32, 5);
    Err e = {0};
    const float *out = engine_run(g, x, 3, 3, &e); /* conv1, tanh1, pool1: (3, 6, 14, 14) */
    assert_non_null(out);
    for (int b = 0; b < 3; b++) {
        float *want = plain_run(&w, x + b * 1024, 3);
        assert_memory_equal(out + b * 6 * 14 * 14, want, sizeof(float) * 6 * 14 * 14);
        free(want);
    }
    assert_null(engine_run(g, x, 4, 3, &e)); /* more than max_batch */
    assert_non_null(strstr(e.msg, "1 to 3"));
    free(x);
    engine_free(g);
    weights_free(&w);
}

static void test_engine_fast_agrees(void **state)
{
    (void)state;
    if (!engine_available(ENGINE_FAST)) {
        Err e = {0};
        assert_null(engine_create(lenet(), NULL, ENGINE_FAST, 1, &e));
        assert_non_null(strstr(e.msg, "no fast engine"));
        skip();
    }
    Weights w;
    lenet_weights(&w);
    Engine *naive = make(&w, ENGINE_NAIVE, 3), *fast = make(&w, ENGINE_FAST, 3);
    float *x = randn(3 * 32 * 32, 6);
    Err e = {0};
    for (int k = 1; k <= lenet()->nlayers; k++) {
        long count = 3 * shape_count(engine_plan(naive)->layers[k - 1].out);
        const float *a = engine_run(naive, x, 3, k, &e);
        assert_non_null(a);
        float *keep = malloc(sizeof(float) * (size_t)count);
        assert_non_null(keep);
        memcpy(keep, a, sizeof(float) * (size_t)count);
        const float *b = engine_run(fast, x, 3, k, &e);
        assert_non_null(b);
        double big = 0, diff = 0;
        for (long i = 0; i < count; i++) {
            big = fmax(big, fabs(keep[i]));
            diff = fmax(diff, fabs(keep[i] - b[i]));
        }
        if (!(diff <= 1e-4 * big)) fail_msg("layer %d: |naive - fast| %g > 1e-4 × %g", k - 1, diff, big);
        free(keep);
    }
    free(x);
    engine_free(naive);
    engine_free(fast);
    weights_free(&w);
}

/* ---- occlusion --------------------------------------------------------------------------- */

static void test_occ_cells(void **state)
{
    (void)state;
    assert_int_equal(tool_occ_cells(227, 32, 16), 13); /* 195/16 = 12.19 → 12, + 1 */
    assert_int_equal(tool_occ_cells(224, 32, 16), 13); /* 192/16 = 12 exactly */
    assert_int_equal(tool_occ_cells(32, 7, 4), 7);     /* 25/4 = 6.25 → 6, + 1 */
    assert_int_equal(tool_occ_cells(32, 5, 3), 10);    /* 27/3 = 9, + 1 */
    assert_int_equal(tool_occ_cells(32, 32, 1), 1);
    assert_int_equal(tool_occ_cells(32, 33, 1), 0);
    assert_int_equal(tool_occ_cells(32, 0, 1), 0);
}

typedef struct {
    int calls, last_done, last_total;
    atomic_int *cancel_at_first; /* set after the first call */
} Seen;

static void seen_fn(void *ctx, int done, int total)
{
    Seen *s = ctx;
    s->calls++, s->last_done = done, s->last_total = total;
    if (s->cancel_at_first) atomic_store(s->cancel_at_first, 1);
}

/* lenet5, window 7, stride 4: a 7×7 grid, in batches of 4 (12 full and one of 1). */
static void test_occlusion_values(void **state)
{
    (void)state;
    Weights w;
    lenet_weights(&w);
    Engine *g = make(&w, ENGINE_NAIVE, 4);
    float *x = randn(32 * 32, 11);
    OccParams p = {.win = 7, .stride = 4, .cls = -1};
    OccResult r;
    Seen seen = {0};
    ToolProgress pr = {seen_fn, &seen, NULL};
    Err e = {0};
    if (tool_occlusion(g, x, &p, &r, &pr, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(r.rows, 7);
    assert_int_equal(r.cols, 7);
    assert_int_equal(seen.calls, 13); /* ceil(49 / 4) batches */
    assert_int_equal(seen.last_done, 49);
    assert_int_equal(seen.last_total, 49);
    /* the class: the plain run's top-1, and p0 its probability */
    float *p0 = plain_run(&w, x, lenet()->nlayers);
    int best = 0;
    for (int c = 1; c < 10; c++)
        if (p0[c] > p0[best]) best = c;
    assert_int_equal(r.cls, best);
    assert_true(r.p0 == p0[best]);
    /* position (2, 5): rows 8..14, columns 20..26 zeroed by hand, then a plain run */
    float *xo = malloc(sizeof(float) * 1024);
    assert_non_null(xo);
    memcpy(xo, x, sizeof(float) * 1024);
    for (int y = 8; y < 15; y++)
        for (int c = 20; c < 27; c++) xo[y * 32 + c] = 0;
    float *po = plain_run(&w, xo, lenet()->nlayers);
    assert_true(r.map[2 * 7 + 5] == po[best]);
    assert_true(r.map[2 * 7 + 5] != r.map[0]); /* different squares, different values */
    /* the last position (6, 6), alone in the last batch: rows and columns 24..30 */
    memcpy(xo, x, sizeof(float) * 1024);
    for (int y = 24; y < 31; y++)
        for (int c = 24; c < 31; c++) xo[y * 32 + c] = 0;
    float *pl = plain_run(&w, xo, lenet()->nlayers);
    assert_true(r.map[48] == pl[best]);
    occ_result_free(&r);
    free(pl);
    free(po);
    free(xo);
    free(p0);
    free(x);
    engine_free(g);
    weights_free(&w);
}

static void test_occlusion_refuses_and_cancels(void **state)
{
    (void)state;
    Weights w;
    lenet_weights(&w);
    Engine *g = make(&w, ENGINE_NAIVE, 4);
    float *x = randn(32 * 32, 12);
    OccResult r;
    Err e = {0};
    OccParams big = {.win = 33, .stride = 1, .cls = -1}, zero = {.win = 4, .stride = 0, .cls = -1};
    assert_int_equal(tool_occlusion(g, x, &big, &r, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "1 to 32"));
    assert_int_equal(tool_occlusion(g, x, &zero, &r, NULL, &e), -1);
    atomic_int cancel = 0;
    Seen seen = {.cancel_at_first = &cancel};
    ToolProgress pr = {seen_fn, &seen, &cancel};
    OccParams p = {.win = 4, .stride = 4, .cls = 3};
    assert_int_equal(tool_occlusion(g, x, &p, &r, &pr, &e), -1);
    assert_string_equal(e.msg, "cancelled");
    assert_int_equal(seen.calls, 1); /* stopped before the second batch */
    assert_null(r.map);
    free(x);
    engine_free(g);
    weights_free(&w);
}

/* ---- the ten crops ------------------------------------------------------------------------ */

/* lenet5's 32×32 crops from a 1×40×36 tensor (h 40, w 36): corners at x 0 / 4, y 0 / 8, the
   centre at (2, 4). Each crop's softmax is a plain run on the crop cut here by hand. */
static void test_crops(void **state)
{
    (void)state;
    Weights w;
    lenet_weights(&w);
    Engine *g = make(&w, ENGINE_NAIVE, 3);
    float *big = randn(40 * 36, 21);
    CropsResult r;
    Err e = {0};
    Seen seen = {0};
    ToolProgress pr = {seen_fn, &seen, NULL};
    if (tool_crops(g, big, 36, 40, &r, &pr, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(r.count, 10);
    assert_int_equal(seen.calls, 4); /* batches of 3: 3, 3, 3, 1 */
    assert_int_equal(seen.last_done, 10);
    const int xs[5] = {0, 4, 0, 4, 2}, ys[5] = {0, 0, 8, 8, 4};
    ModelCrop want[10];
    assert_int_equal(model_ten_crops(36, 40, 32, 32, want), 0);
    float crop[1024];
    for (int i = 0; i < 10; i++) {
        assert_int_equal(r.box[i].x, xs[i % 5]);
        assert_int_equal(r.box[i].y, ys[i % 5]);
        assert_int_equal(r.box[i].mirror, i >= 5);
        assert_string_equal(r.box[i].name, want[i].name);
        for (int y = 0; y < 32; y++)
            for (int c = 0; c < 32; c++)
                crop[y * 32 + c] = big[(ys[i % 5] + y) * 36 + xs[i % 5] + (i >= 5 ? 31 - c : c)];
        float *p = plain_run(&w, crop, lenet()->nlayers);
        assert_memory_equal(r.probs + i * 10, p, sizeof(float) * 10);
        free(p);
    }
    for (int c = 0; c < 10; c++) {
        double s = 0;
        for (int i = 0; i < 10; i++) s += r.probs[i * 10 + c];
        assert_float_equal(r.mean[c], s / 10, 1e-6);
    }
    crops_result_free(&r);
    assert_int_equal(tool_crops(g, big, 31, 40, &r, NULL, &e), -1); /* narrower than the crop */
    free(big);
    engine_free(g);
    weights_free(&w);
}

/* ---- top patches -------------------------------------------------------------------------- */

/* Five images into conv2's index (count 3) in batches of 2 and 3, checked against plain runs:
   each hit's value is conv2's output at (channel, y, x) for that image and that image's
   maximum in the channel; lists are sorted; an image appears at most once per channel; the
   first of each list is the best over all five. */
static void test_patches_index(void **state)
{
    (void)state;
    Weights w;
    lenet_weights(&w);
    Engine *g = make(&w, ENGINE_NAIVE, 3);
    const Plan *p = engine_plan(g);
    int layer = arch_layer_index(lenet(), "conv2");
    PatchIndex ix;
    Err e = {0};
    if (patches_begin(&ix, p, layer, 3, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(ix.channels, 16);
    assert_int_equal(ix.hits[0].image, -1);
    float *x = randn(5 * 1024, 31);
    assert_int_equal(patches_add(&ix, g, x, 2, &e), 0);
    assert_int_equal(patches_add(&ix, g, x + 2 * 1024, 3, &e), 0);
    assert_int_equal(ix.images, 5);
    float *out[5];
    for (int i = 0; i < 5; i++) out[i] = plain_run(&w, x + i * 1024, layer + 1); /* (16, 10, 10) */
    for (int c = 0; c < 16; c++) {
        const PatchHit *h = ix.hits + c * 3;
        float top = -INFINITY;
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 100; j++) top = fmaxf(top, out[i][c * 100 + j]);
        assert_true(h[0].value == top);
        for (int k = 0; k < 3; k++) {
            assert_in_range(h[k].image, 0, 4);
            assert_true(h[k].value == out[h[k].image][c * 100 + h[k].y * 10 + h[k].x]);
            for (int j = 0; j < 100; j++) assert_true(out[h[k].image][c * 100 + j] <= h[k].value);
            if (k) assert_true(h[k].value <= h[k - 1].value);
            for (int k2 = 0; k2 < k; k2++) assert_int_not_equal(h[k].image, h[k2].image);
        }
    }
    for (int i = 0; i < 5; i++) free(out[i]);
    patches_free(&ix);
    free(x);
    engine_free(g);
    weights_free(&w);
}

static void test_patches_refuses(void **state)
{
    (void)state;
    Plan p;
    Err e = {0};
    PatchIndex ix;
    assert_int_equal(plan_build(lenet(), &p, &e), 0);
    assert_int_equal(patches_begin(&ix, &p, arch_layer_index(lenet(), "fc3"), 9, &e), -1);
    assert_non_null(strstr(e.msg, "fc3"));
    assert_int_equal(patches_begin(&ix, &p, arch_layer_index(lenet(), "tanh3"), 9, &e), -1);
    assert_int_equal(patches_begin(&ix, &p, arch_layer_index(lenet(), "prob"), 9, &e), -1);
    assert_int_equal(patches_begin(&ix, &p, 0, 65, &e), -1);
    assert_int_equal(patches_begin(&ix, &p, 99, 9, &e), -1);
    assert_int_equal(patches_begin(&ix, &p, arch_layer_index(lenet(), "tanh2"), 9, &e), 0);
    patches_free(&ix);
}

/* Receptive fields by hand. alexnet conv1: 11 wide, every 4 pixels from 0; conv5: 163 wide,
   every 16, from −64 (the paddings of conv2..conv5: 2·8 + 1·16 + 1·16 + 1·16). lenet5 pool2:
   16 wide, every 4. */
static void test_patches_field(void **state)
{
    (void)state;
    Plan p;
    Err e = {0};
    int y0, x0, side;
    assert_int_equal(plan_build(arch_find("alexnet"), &p, &e), 0);
    patches_field(&p, arch_layer_index(arch_find("alexnet"), "conv1"), 2, 3, &y0, &x0, &side);
    assert_int_equal(y0, 8), assert_int_equal(x0, 12), assert_int_equal(side, 11);
    patches_field(&p, arch_layer_index(arch_find("alexnet"), "conv5"), 0, 12, &y0, &x0, &side);
    assert_int_equal(y0, -64), assert_int_equal(x0, -64 + 12 * 16), assert_int_equal(side, 163);
    assert_int_equal(plan_build(lenet(), &p, &e), 0);
    patches_field(&p, arch_layer_index(lenet(), "pool2"), 1, 4, &y0, &x0, &side);
    assert_int_equal(y0, 4), assert_int_equal(x0, 16), assert_int_equal(side, 16);
}

typedef struct {
    int calls;
} Loads;

/* Image 2 is "unreadable"; the others are i + 1 everywhere. */
static int fake_load(void *ctx, int i, float *x, Err *e)
{
    Loads *l = ctx;
    (void)e;
    l->calls++;
    if (i == 2) return 1;
    for (int j = 0; j < 1024; j++) x[j] = (float)(i + 1) * 0.1f;
    return 0;
}

static void test_patches_run(void **state)
{
    (void)state;
    Weights w;
    lenet_weights(&w);
    Engine *g = make(&w, ENGINE_NAIVE, 2);
    PatchIndex ix;
    Err e = {0};
    assert_int_equal(patches_begin(&ix, engine_plan(g), 0, 4, &e), 0);
    Loads l = {0};
    Seen seen = {0};
    ToolProgress pr = {seen_fn, &seen, NULL};
    assert_int_equal(patches_run(&ix, g, 5, fake_load, &l, &pr, &e), 4);
    assert_int_equal(l.calls, 5);
    assert_int_equal(ix.images, 4);
    assert_int_equal(seen.last_done, 5);
    for (int c = 0; c < ix.channels; c++)
        for (int k = 0; k < 4; k++) {
            assert_int_not_equal(ix.hits[c * 4 + k].image, 2); /* the skipped one has no hits */
            assert_in_range(ix.hits[c * 4 + k].image, 0, 4);   /* the loader's numbers */
        }
    atomic_int cancel = 1;
    ToolProgress stop = {NULL, NULL, &cancel};
    assert_int_equal(patches_run(&ix, g, 5, fake_load, &l, &stop, &e), -1);
    assert_string_equal(e.msg, "cancelled");
    patches_free(&ix);
    engine_free(g);
    weights_free(&w);
}

/* ---- the tensor as RGB ---------------------------------------------------------------- */

/* Caffe's preset: BGR, x = pixel − mean (104, 117, 123 rounded in the table). A 3×1×2 tensor
   with B, G, R planes; pixel (0, 0) of the window is outside (grey). */
static void test_tensor_rgb(void **state)
{
    (void)state;
    const Preproc *p = preproc_find("caffe");
    assert_non_null(p);
    float x[6];
    const float b[2] = {10, -200}, gch[2] = {0, 300}, r[2] = {-5.5f, 1};
    for (int i = 0; i < 2; i++) x[i] = b[i], x[2 + i] = gch[i], x[4 + i] = r[i];
    Image im;
    Err e = {0};
    assert_int_equal(tool_tensor_rgb(p, x, (Shape){3, 1, 2}, -1, -1, 2, 3, &im, &e), 0);
    assert_int_equal(im.w, 3), assert_int_equal(im.h, 2);
    for (int i = 0; i < 3; i++) assert_int_equal(im.px[i], 128); /* row -1: padding */
    const unsigned char *px = im.px + 3 * 4;                        /* (0, 0) of the tensor */
    assert_int_equal(px[0], (int)lroundf(-5.5f + p->mean[2]));     /* R from plane 2 */
    assert_int_equal(px[1], (int)lroundf(0 + p->mean[1]));
    assert_int_equal(px[2], (int)lroundf(10 + p->mean[0]));
    px = im.px + 3 * 5;                                             /* (0, 1): clamped */
    assert_int_equal(px[1], 255);
    assert_int_equal(px[2], 0);
    img_free(&im);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_naive_matches_net),
        cmocka_unit_test(test_engine_fast_agrees),
        cmocka_unit_test(test_occ_cells),
        cmocka_unit_test(test_occlusion_values),
        cmocka_unit_test(test_occlusion_refuses_and_cancels),
        cmocka_unit_test(test_crops),
        cmocka_unit_test(test_patches_index),
        cmocka_unit_test(test_patches_refuses),
        cmocka_unit_test(test_patches_field),
        cmocka_unit_test(test_patches_run),
        cmocka_unit_test(test_tensor_rgb),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
