/* test_worker_tools.c - the worker's engine switch and tool jobs (issue 9), in synchronous
   mode: switching engines keeps each layer's naive time and marks the layers computed by
   both; the occlusion job gives tool_occlusion's map; a cancel from the progress callback
   stops a job and keeps the previous result; top patches hold the activations a direct run
   gives; the ten crops are the paper's (mirrors are mirrored), and lenet5 says why it has
   none. LeNet-5 keeps it short; the one AlexNet job (ten crops) runs on the fast engine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools.h"
#include "ui_view_tools.h"
#include "worker.h"

static char samples[1024], chelsea[1100];

static int setup(void **state)
{
    (void)state;
    const char *assets = getenv("ALEXSCOPE_ASSETS");
    snprintf(samples, sizeof samples, "%s/samples", assets ? assets : ALEXSCOPE_SOURCE_ASSETS);
    snprintf(chelsea, sizeof chelsea, "%s/chelsea.png", samples);
    return 0;
}

/* Reads every note; the last one into *last (if any). Returns how many. */
static int sync_all(Worker *wk, UiModel *m, UiNote *last)
{
    UiNote n;
    int count = 0;
    while (worker_sync(wk, m, &n)) {
        if (last) *last = n;
        count++;
    }
    return count;
}

/* A synchronous worker with arch's built-in weights and chelsea.png, `target` layers done. */
static Worker *start(const ArchSpec *a, UiModel *m, int target)
{
    Err e = {0};
    Worker *wk = worker_start(0, &e);
    assert_non_null(wk);
    worker_weights(wk, NULL, a);
    worker_image(wk, chelsea, 0);
    worker_target(wk, target);
    sync_all(wk, m, NULL);
    assert_non_null(m->net);
    assert_int_equal(m->ready, target);
    return wk;
}

static int rel_close(float a, float b, float tol) { return fabsf(a - b) <= tol * (1.0f + fabsf(b)); }

/* ---- the engine switch ------------------------------------------------------------------- */

static void test_engine_switch(void **state)
{
    (void)state;
    UiModel m = {0};
    int n = arch_lenet5.nlayers;
    Worker *wk = start(&arch_lenet5, &m, n);
    double naive_ms[UI_MODEL_MAX_LAYERS];
    static float naive_out[16][8192];
    for (int i = 0; i < n; i++) {
        assert_int_equal(m.by[i], UI_ENGINE_NAIVE);
        assert_int_equal(m.ran[i], 1u << UI_ENGINE_NAIVE);
        assert_true(m.ms[UI_ENGINE_NAIVE][i] == m.net->run[i].ms);
        naive_ms[i] = m.ms[UI_ENGINE_NAIVE][i];
        long count = shape_count(m.net->plan.layers[i].out);
        assert_true(count <= 8192);
        memcpy(naive_out[i], m.net->run[i].out_data, sizeof(float) * (size_t)count);
    }
    UiNote note = {0};
    worker_engine(wk, 1);
    worker_target(wk, n);
    sync_all(wk, &m, &note);
    if (!engine_available(ENGINE_FAST)) { /* a naive-only build says so and goes on */
        assert_non_null(strstr(note.text, "no fast engine"));
        assert_int_equal(m.engine, UI_ENGINE_NAIVE);
        worker_stop(wk);
        ui_model_free(&m);
        return;
    }
    assert_int_equal(m.engine, UI_ENGINE_FAST);
    assert_int_equal(m.ready, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(m.by[i], UI_ENGINE_FAST);
        assert_int_equal(m.ran[i], (1u << UI_ENGINE_NAIVE) | (1u << UI_ENGINE_FAST));
        assert_true(m.ms[UI_ENGINE_NAIVE][i] == naive_ms[i]); /* the naive time is kept */
        assert_true(m.ms[UI_ENGINE_FAST][i] == m.net->run[i].ms);
        long count = shape_count(m.net->plan.layers[i].out);
        for (long k = 0; k < count; k++) assert_true(rel_close(m.net->run[i].out_data[k], naive_out[i][k], 1e-4f));
    }
    char t[200], want[200];
    snprintf(want, sizeof want, "conv1 computed by fast · naive %.1f ms, fast %.1f ms", naive_ms[0],
             m.ms[UI_ENGINE_FAST][0]);
    assert_string_equal(ui_engine_text(&m, 0, t, sizeof t), want);

    /* dropout in training mode: the fast engine is inference only, the naive loops compute */
    worker_engine(wk, 0);
    worker_dropout(wk, 1);
    worker_engine(wk, 1);
    worker_target(wk, n);
    sync_all(wk, &m, &note);
    assert_non_null(strstr(note.text, "training mode"));
    for (int i = 0; i < n; i++) assert_int_equal(m.by[i], UI_ENGINE_NAIVE);
    worker_stop(wk);
    ui_model_free(&m);
}

/* ---- occlusion --------------------------------------------------------------------------- */

static Engine *same_engine(const UiModel *m)
{
    Err e = {0};
    int fast = engine_available(ENGINE_FAST);
    Engine *g = engine_create(m->arch, m->weights, fast ? ENGINE_FAST : ENGINE_NAIVE, fast ? 16 : 1, &e);
    assert_non_null(g);
    return g;
}

static void test_occlusion_job(void **state)
{
    (void)state;
    UiModel m = {0};
    Worker *wk = start(&arch_lenet5, &m, 0);
    worker_occlusion(wk);
    sync_all(wk, &m, NULL);
    const UiOcclusion *o = &m.occ;
    assert_true(o->valid);
    /* lenet5's 32×32 input: a square of 8, stride 4: (32 − 8)/4 + 1 = 7 positions per axis */
    assert_int_equal(o->win, 8);
    assert_int_equal(o->stride, 4);
    assert_int_equal(o->rows, 7);
    assert_int_equal(o->cols, 7);
    assert_int_equal(o->input.w, 32);
    assert_int_equal(m.progress.running, UI_TOOL_NONE);

    Engine *g = same_engine(&m);
    OccParams p = {.win = 8, .stride = 4, .cls = -1};
    OccResult r;
    Err e = {0};
    assert_int_equal(tool_occlusion(g, m.net->input, &p, &r, NULL, &e), 0);
    assert_int_equal(r.cls, o->cls);
    assert_true(rel_close(o->p0, r.p0, 1e-6f));
    for (int i = 0; i < 49; i++) assert_true(rel_close(o->map[i], r.map[i], 1e-6f));
    occ_result_free(&r);
    engine_free(g);

    char t[128];
    assert_string_equal(ui_occ_grid_text(227, 32, 16, t, sizeof t), "(227 − 32)/16 + 1 = 13.19 → 13 positions per axis");
    float map[6] = {0.5f, 0.4f, 0.1f, 0.3f, 0.2f, 0.6f};
    UiOcclusion tiny = {.rows = 2, .cols = 3, .map = map};
    assert_int_equal(ui_occ_most(&tiny), 2); /* the lowest probability: the largest drop */
    worker_stop(wk);
    ui_model_free(&m);
}

/* ---- cancel ------------------------------------------------------------------------------- */

typedef struct {
    Worker *wk;
    int calls;
} CancelHook;

static void cancel_after_first(void *ctx, int done, int total)
{
    CancelHook *h = ctx;
    assert_true(done > 0 && done <= total);
    if (h->calls++ == 0) worker_cancel(h->wk);
}

static void test_cancel(void **state)
{
    (void)state;
    UiModel m = {0};
    Worker *wk = start(&arch_lenet5, &m, 0);
    worker_occlusion(wk); /* a first map, which the cancelled job must leave alone */
    sync_all(wk, &m, NULL);
    assert_true(m.occ.valid);
    const float *kept = m.occ.map;
    float first = kept[0];

    CancelHook h = {wk, 0};
    worker_set_progress_hook(wk, cancel_after_first, &h);
    UiNote note = {0};
    worker_occlusion(wk);
    sync_all(wk, &m, &note);
    assert_int_equal(h.calls, 1); /* stopped before the second batch */
    assert_non_null(strstr(note.text, "cancelled"));
    assert_false(note.error);
    assert_ptr_equal(m.occ.map, kept);
    assert_true(m.occ.map[0] == first);
    assert_int_equal(m.progress.running, UI_TOOL_NONE);

    /* the next job is not cancelled by the old flag */
    worker_set_progress_hook(wk, NULL, NULL);
    worker_patches(wk, 0, samples);
    sync_all(wk, &m, &note);
    assert_true(m.patches.valid);
    worker_stop(wk);
    ui_model_free(&m);
}

/* The real thread: the UI sees the job's progress, and its Esc (worker_cancel from this
   thread) stops the job. The hook holds the first batch until the UI has cancelled. */
static atomic_int ui_cancelled;

static void wait_for_ui(void *ctx, int done, int total)
{
    (void)ctx, (void)done, (void)total;
    for (int i = 0; i < 5000 && !atomic_load(&ui_cancelled); i++) nanosleep(&(struct timespec){0, 1000000}, NULL);
}

static void test_cancel_threaded(void **state)
{
    (void)state;
    Err e = {0};
    UiModel m = {0};
    Worker *wk = worker_start(1, &e);
    assert_non_null(wk);
    worker_weights(wk, NULL, &arch_lenet5);
    worker_image(wk, chelsea, 0);
    atomic_store(&ui_cancelled, 0);
    worker_set_progress_hook(wk, wait_for_ui, NULL);
    worker_occlusion(wk);
    UiNote note = {0};
    int seen = 0;
    for (int i = 0; i < 5000 && !seen; i++) { /* the UI's frames */
        sync_all(wk, &m, &note);
        seen = m.progress.running == UI_TOOL_OCCLUSION && m.progress.done > 0;
        if (!seen) nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    assert_true(seen);
    assert_int_equal(m.progress.total, 49);
    assert_true(m.busy);
    worker_cancel(wk); /* Esc */
    atomic_store(&ui_cancelled, 1);
    for (int i = 0; i < 5000 && worker_busy(wk); i++) nanosleep(&(struct timespec){0, 1000000}, NULL);
    sync_all(wk, &m, &note);
    assert_non_null(strstr(note.text, "Occlusion cancelled"));
    assert_false(m.occ.valid);
    assert_int_equal(m.progress.running, UI_TOOL_NONE);
    worker_stop(wk);
    ui_model_free(&m);
}

/* ---- top patches -------------------------------------------------------------------------- */

static void test_patches(void **state)
{
    (void)state;
    UiModel m = {0};
    Worker *wk = start(&arch_lenet5, &m, 0);
    int layer = 0; /* conv1: 6 channels of 28×28 */
    worker_patches(wk, layer, NULL); /* the photo's folder: the samples */
    sync_all(wk, &m, NULL);
    const UiPatches *p = &m.patches;
    assert_true(p->valid);
    assert_int_equal(p->layer, layer);
    assert_int_equal(p->channels, 6);
    assert_int_equal(p->nimages, 4); /* astronaut, chelsea, coffee, rocket */
    assert_string_equal(p->names[1], "chelsea.png");
    int c = 2;
    const UiPatchHit *h = p->hits + (size_t)c * (size_t)p->count;
    for (int i = 1; i < 4; i++) assert_true(h[i].value <= h[i - 1].value);
    assert_int_equal(h[4].image, -1); /* one hit per image: four images, four hits */
    assert_int_equal(h[0].side, 5);   /* conv1's 5×5 receptive field, no padding */
    assert_int_equal(h[0].y0, h[0].y);

    /* the best hit's value is what a direct naive run of that image gives at that unit */
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", samples, p->names[h[0].image]);
    Err e = {0};
    Image im;
    assert_int_equal(img_load(path, &im, &e), 0);
    float x[32 * 32];
    assert_int_equal(model_prepare(m.model, &im, 0, -1, x, NULL, NULL, &e), 0);
    img_free(&im);
    Net *n = net_create(m.arch, m.weights, &e);
    assert_non_null(n);
    net_set_input(n, x);
    assert_int_equal(net_run_to(n, 1, &e), 1);
    float direct = n->run[0].out_data[((size_t)c * 28 + (size_t)h[0].y) * 28 + (size_t)h[0].x];
    assert_true(rel_close(h[0].value, direct, 1e-4f));
    net_free(n);
    worker_stop(wk);
    ui_model_free(&m);
}

/* H or Y names a layer or unit of the network the UI shows; weights loaded before the job
   ran replaced that network: the job is dropped with a note, not run on the new one. */
static void test_stale_request_dropped(void **state)
{
    (void)state;
    UiModel m = {0};
    Worker *wk = start(&arch_lenet5, &m, 0);
    worker_weights(wk, NULL, &arch_alexnet); /* done at once (no thread); the UI has not seen it */
    worker_patches(wk, 11, NULL);            /* lenet5's f6: alexnet's fc6 has no patches either way */
    SalParams sp = {.method = RELU_GRADIENT, .layer = 11, .cls = 3, .c = 3};
    worker_saliency(wk, &sp);
    UiNote n;
    int dropped = 0, errors = 0;
    while (worker_sync(wk, &m, &n)) {
        dropped += strstr(n.text, "not done, as other weights were loaded while it waited") != NULL;
        errors += n.error;
    }
    assert_int_equal(dropped, 2);
    assert_int_equal(errors, 0);
    assert_false(m.patches.valid);
    assert_ptr_equal(m.arch, &arch_alexnet);
    /* E on alexnet's prob (layer 23) behind lenet5's weights: it has 12 layers (found by the
       soak: the export read the plan past its last layer and crashed) */
    worker_weights(wk, NULL, &arch_lenet5);
    WorkerExport x = {.layer = 23};
    snprintf(x.dir, sizeof x.dir, "%s", "/nonexistent/never-written");
    Err ee = {0};
    assert_int_equal(img_alloc(&x.screen, 4, 4, &ee), 0); /* owned by the job, freed when dropped */
    worker_export(wk, &x);
    dropped = errors = 0;
    while (worker_sync(wk, &m, &n)) {
        dropped += strstr(n.text, "Export: not done, as other weights were loaded while it waited") != NULL;
        errors += n.error;
    }
    assert_int_equal(dropped, 1);
    assert_int_equal(errors, 0);
    /* asked again, about the network now shown: it runs */
    worker_image(wk, chelsea, 0);
    sync_all(wk, &m, NULL);
    worker_patches(wk, 0, NULL);
    sync_all(wk, &m, NULL);
    assert_true(m.patches.valid);
    worker_stop(wk);
    ui_model_free(&m);
}

/* ---- ten crops ---------------------------------------------------------------------------- */

static void test_crops_lenet_says_why(void **state)
{
    (void)state;
    UiModel m = {0};
    Worker *wk = start(&arch_lenet5, &m, 0);
    worker_crops(wk);
    sync_all(wk, &m, NULL);
    assert_false(m.crops.valid);
    assert_non_null(strstr(m.crops.why, "256"));
    worker_stop(wk);
    ui_model_free(&m);
}

static void test_crops_alexnet(void **state)
{
    (void)state;
    if (!engine_available(ENGINE_FAST)) skip(); /* ten naive AlexNet passes are too slow under ASan */
    UiModel m = {0};
    Worker *wk = start(&arch_alexnet, &m, 0);
    worker_crops(wk);
    sync_all(wk, &m, NULL);
    const UiCrops *c = &m.crops;
    assert_true(c->valid);
    assert_int_equal(c->count, 1000);
    assert_int_equal(c->big_w, 256); /* Caffe's warp to 256×256, corners at 0 and 256 − 227 = 29 */
    assert_int_equal(c->x[1], 29);
    assert_int_equal(c->x[4], 14);   /* the centre: (256 − 227)/2 rounded down */
    assert_int_equal(c->mirror[5], 1);
    double sum = 0;
    for (int k = 0; k < 1000; k++) {
        double mean = 0;
        for (int i = 0; i < 10; i++) mean += c->probs[i * 1000 + k];
        assert_true(fabs(mean / 10 - c->mean[k]) < 1e-6);
        sum += c->mean[k];
    }
    assert_true(fabs(sum - 1) < 1e-3);
    /* crop 5 is crop 0 mirrored: pixel (y, x) of one is (y, w − 1 − x) of the other */
    const Image *a = &c->img[0], *b = &c->img[5];
    assert_int_equal(a->w, 227);
    for (int y = 0; y < a->h; y += 13)
        for (int x = 0; x < a->w; x += 7)
            assert_memory_equal(a->px + 3 * ((size_t)y * a->w + x), b->px + 3 * ((size_t)y * b->w + (a->w - 1 - x)), 3);
    worker_stop(wk);
    ui_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_switch), cmocka_unit_test(test_occlusion_job),
        cmocka_unit_test(test_cancel),        cmocka_unit_test(test_cancel_threaded),
        cmocka_unit_test(test_patches),       cmocka_unit_test(test_stale_request_dropped),
        cmocka_unit_test(test_crops_lenet_says_why), cmocka_unit_test(test_crops_alexnet),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
