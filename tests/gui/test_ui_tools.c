/* test_ui_tools.c - keys F, X, O, H and Esc in the window's logic (ui_app.c) with a real
   synchronous worker behind the port: each key asks for its job, the views draw the results
   (IMG_TOOLS inside its image, the texts the tools' numbers give), H only on conv and pool
   layers, Esc cancels a running job before it closes anything; and the key table has the
   four rows (F1 and --help read it). LeNet-5 keeps it short. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "tools.h"
#include "ui_app.h"
#include "ui_keys.h"
#include "ui_test_drawn.h"
#include "ui_view_tools.h"
#include "worker.h"

/* ---- the port: the real worker, counting what the app asked for ------------------------ */

typedef struct {
    Worker *wk;
    int engine, crops, occlusion, patches, cancel;
    int patches_layer;
} Port;

static Port P;
static UiApp A;

static void p_weights(void *c, const char *path, const ArchSpec *a, uint64_t seed)
{
    (void)seed;
    worker_weights(((Port *)c)->wk, path, a);
}
static void p_image(void *c, const char *path, int mirror) { worker_image(((Port *)c)->wk, path, mirror); }
static void p_image_crop(void *c, const char *path, int mirror, int seed)
{
    worker_image_crop(((Port *)c)->wk, path, mirror, seed);
}
static void p_dropout(void *c, int train) { worker_dropout(((Port *)c)->wk, train); }
static void p_narrate(void *c, Lesson *one, int layers, unsigned tag, const Labels *lb)
{
    worker_narrate(((Port *)c)->wk, one, layers, tag, lb);
}
static void p_drop(void *c, const char *path, int mirror) { worker_drop(((Port *)c)->wk, path, mirror); }
static void p_target(void *c, int layers) { worker_target(((Port *)c)->wk, layers); }
static int p_sync(void *c, UiModel *m, UiNote *note) { return worker_sync(((Port *)c)->wk, m, note); }
static void p_engine(void *c, int fast) { ((Port *)c)->engine++, worker_engine(((Port *)c)->wk, fast); }
static void p_crops(void *c) { ((Port *)c)->crops++, worker_crops(((Port *)c)->wk); }
static void p_occlusion(void *c) { ((Port *)c)->occlusion++, worker_occlusion(((Port *)c)->wk); }
static void p_patches(void *c, int layer)
{
    ((Port *)c)->patches++, ((Port *)c)->patches_layer = layer;
    worker_patches(((Port *)c)->wk, layer, NULL);
}
static void p_cancel(void *c) { ((Port *)c)->cancel++, worker_cancel(((Port *)c)->wk); }

/* 8 px per character: enough for layout and fitting */
static int measure(void *ctx, int font, int px, const char *s)
{
    (void)ctx, (void)font;
    return (int)strlen(s) * px / 2;
}

/* The window on lenet5 with the samples' chelsea.png, computed to `pos`. */
static void start(int pos)
{
    char *argv[] = {"alexscope", "--arch", "lenet5"};
    UiOptions o;
    Err e = {0};
    assert_int_equal(ui_options_parse(3, argv, &o, &e), 0);
    memset(&A, 0, sizeof A);
    memset(&P, 0, sizeof P);
    P.wk = worker_start(0, &e);
    assert_non_null(P.wk);
    UiAppWorker port = {&P,       p_weights, p_image,  p_image_crop, p_dropout,   p_narrate, p_drop,
                        p_target, p_sync,    p_engine, p_crops,      p_occlusion, p_patches, p_cancel, NULL};
    ui_app_init(&A, &o, &port);
    A.dl.measure = measure;
    ui_app_load(&A, 0);
    ui_app_absorb(&A, 0);
    assert_non_null(A.m.net);
    ui_jump(&A.st, pos);
    ui_app_frame(&A, 1280, 720, 0, 0, 0, 0);
}

static void stop(void)
{
    worker_stop(P.wk);
    ui_app_free(&A);
}

static int drawn(const char *s) { return ui_test_drawn(&A.dl, s); }

/* Every image command reads inside its image. */
static void images_in_bounds(void)
{
    for (int i = 0; i < A.dl.n; i++) {
        const DrawCmd *c = &A.dl.cmd[i];
        if (c->kind != DC_IMAGE) continue;
        const UiImage *im = &A.im.img[c->image];
        assert_true(im->key != 0);
        assert_true(c->src.x >= 0 && c->src.y >= 0 && c->src.x + c->src.w <= im->w && c->src.y + c->src.h <= im->h);
    }
}

static int uses_image(UiImageId id)
{
    for (int i = 0; i < A.dl.n; i++)
        if (A.dl.cmd[i].kind == DC_IMAGE && A.dl.cmd[i].image == (int)id) return 1;
    return 0;
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_occlusion_key(void **state)
{
    (void)state;
    start(arch_lenet5.nlayers);
    ui_app_action(&A, ui_keys_action('o', 0), 0);
    assert_int_equal(P.occlusion, 1);
    assert_int_equal(A.st.tool_view, UI_TOOL_VIEW_OCCLUSION);
    ui_app_frame(&A, 1280, 720, 0, 0, 0, 0);
    assert_true(A.m.occ.valid);
    assert_true(drawn("(32 − 8)/4 + 1 = 7.00 → 7 positions per axis"));
    assert_true(drawn("Most important"));
    assert_true(uses_image(IMG_TOOLS));
    assert_int_equal(A.im.img[IMG_TOOLS].w, 32); /* the input, under the map */
    images_in_bounds();
    ui_app_action(&A, ui_keys_action('o', 0), 0); /* O again closes it */
    assert_int_equal(A.st.tool_view, 0);
    assert_int_equal(P.occlusion, 1);
    stop();
}

static void test_crops_key_lenet(void **state)
{
    (void)state;
    start(1);
    ui_app_action(&A, ui_keys_action('x', 0), 0);
    assert_int_equal(P.crops, 1);
    ui_app_frame(&A, 1920, 1080, 0, 0, 0, 0);
    assert_false(A.m.crops.valid);
    assert_true(drawn("256")); /* the note: the paper cuts them from the 256 px photo */
    ui_app_action(&A, ACT_NEXT, 0); /* another layer closes the crops */
    assert_int_equal(A.st.tool_view, 0);
    stop();
}

static void test_patches_key(void **state)
{
    (void)state;
    int fc = arch_layer_index(&arch_lenet5, "fc3");
    assert_true(fc > 0);
    start(fc + 1);
    ui_app_action(&A, ui_keys_action('h', 0), 0); /* an fc layer: no patches, a status line says why */
    assert_int_equal(P.patches, 0);
    assert_int_equal(A.st.tool_view, 0);
    assert_non_null(strstr(A.st.status, "conv and pooling"));

    ui_jump(&A.st, 1); /* conv1 */
    ui_app_action(&A, ui_keys_action('h', 0), 0);
    assert_int_equal(P.patches, 1);
    assert_int_equal(P.patches_layer, 0);
    ui_app_frame(&A, 1280, 720, 0, 0, 0, 0);
    assert_true(ui_app_patches_ready(&A));
    assert_true(drawn("Click a tile"));
    ui_select_tile(&A.st, 3);
    ui_app_frame(&A, 1280, 720, 0, 0, 0, 0);
    const UiPatches *pt = &A.m.patches; /* the photo's folder: whatever the sample folder holds */
    int seen = pt->nimages - pt->skipped;
    assert_true(seen >= 1);
    char want[96];
    snprintf(want, sizeof want, "channel 3: top %d of %d images", seen < pt->count ? seen : pt->count, seen);
    assert_true(drawn(want));
    assert_int_equal(A.im.img[IMG_TOOLS].w, 5 * A.m.patches.count); /* the 5×5 fields side by side */
    assert_int_equal(A.im.img[IMG_TOOLS].h, 5);
    images_in_bounds();

    ui_jump(&A.st, 2); /* H stays on; on a layer without an index, H finds that one's */
    assert_int_equal(A.st.tool_view, UI_TOOL_VIEW_PATCHES);
    assert_false(ui_app_patches_ready(&A));
    ui_app_action(&A, ui_keys_action('h', 0), 0);
    assert_int_equal(P.patches, 2);
    assert_int_equal(P.patches_layer, 1);
    assert_int_equal(A.st.tool_view, UI_TOOL_VIEW_PATCHES);
    stop();
}

static void test_engine_key_and_esc(void **state)
{
    (void)state;
    start(1);
    ui_app_action(&A, ui_keys_action('f', 0), 0);
    assert_int_equal(P.engine, 1);
    ui_app_frame(&A, 1280, 720, 0, 0, 0, 0);
    assert_int_equal(A.m.engine, engine_available(ENGINE_FAST) ? UI_ENGINE_FAST : UI_ENGINE_NAIVE);

    /* Esc while a job runs cancels it and closes nothing */
    ui_select_tile(&A.st, 2);
    A.m.progress.running = UI_TOOL_OCCLUSION; /* as a sync would show mid-job */
    ui_app_action(&A, ui_keys_action(UI_KEY_ESCAPE, 0), 0);
    assert_int_equal(P.cancel, 1);
    assert_int_equal(A.st.channel, 2);
    A.m.progress.running = UI_TOOL_NONE;
    ui_app_action(&A, ui_keys_action(UI_KEY_ESCAPE, 0), 0);
    assert_int_equal(P.cancel, 1);
    assert_int_equal(A.st.channel, -1);
    stop();
}

static void test_key_rows(void **state)
{
    (void)state;
    assert_int_equal(ui_keys_action('f', 0), ACT_ENGINE);
    assert_int_equal(ui_keys_action('x', 0), ACT_CROPS);
    assert_int_equal(ui_keys_action('o', 0), ACT_OCCLUSION);
    assert_int_equal(ui_keys_action('h', 0), ACT_PATCHES);
    static char help[8192];
    assert_true(ui_keys_help(help, sizeof help) < (int)sizeof help);
    assert_non_null(strstr(help, "ten crops"));
    assert_non_null(strstr(help, "occlusion map"));
    assert_non_null(strstr(help, "top patches"));
    assert_non_null(strstr(help, "engine: naive loops / fast"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_occlusion_key),        cmocka_unit_test(test_crops_key_lenet),
        cmocka_unit_test(test_patches_key),          cmocka_unit_test(test_engine_key_and_esc),
        cmocka_unit_test(test_key_rows),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
