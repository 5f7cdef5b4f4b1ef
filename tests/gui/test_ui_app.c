/* test_ui_app.c - the window's logic without SDL (ui_app.c), against a fake worker that
   records every request: what the first load asks for, lesson steps forward and back
   (clamped at both ends) and the input each asks the worker to prepare (image, mirror, crop,
   dropout: only what changed), the step's view waiting for its arch, the fallback when a
   lesson's weights fail, leaving a lesson, the picker, keys that only the caller can do. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "ui_app.h"

/* ---- the fake worker ------------------------------------------------------------------- */

typedef struct {
    int weights, image, crop, dropout, narrate, drop, target; /* calls */
    const ArchSpec *w_arch;
    char w_path[256];     /* "" for built-in */
    uint64_t w_seed;
    char img_path[1024];  /* "" for NULL (the same photo) */
    int img_mirror, crop_seed, train;
    int narr_layers;
    unsigned narr_tag;
    int narr_null;
    int target_layers;
    /* what the next sync publishes */
    Net *publish;
    UiNote note;
    int has_note;
} Fake;

static void f_weights(void *c, const char *path, const ArchSpec *a, uint64_t seed)
{
    Fake *f = c;
    f->weights++, f->w_arch = a, f->w_seed = seed;
    snprintf(f->w_path, sizeof f->w_path, "%s", path ? path : "");
}
static void f_image(void *c, const char *path, int mirror)
{
    Fake *f = c;
    f->image++, f->img_mirror = mirror;
    snprintf(f->img_path, sizeof f->img_path, "%s", path ? path : "");
}
static void f_image_crop(void *c, const char *path, int mirror, int seed)
{
    Fake *f = c;
    f->crop++, f->img_mirror = mirror, f->crop_seed = seed;
    snprintf(f->img_path, sizeof f->img_path, "%s", path ? path : "");
}
static void f_dropout(void *c, int train) { ((Fake *)c)->dropout++, ((Fake *)c)->train = train; }
static void f_narrate(void *c, Lesson *one, int layers, unsigned tag, const Labels *lb)
{
    Fake *f = c;
    f->narrate++, f->narr_layers = layers, f->narr_tag = tag, f->narr_null = one == NULL;
    if (one) lesson_free(one), free(one); /* the worker takes it */
}
static void f_drop(void *c, const char *path, int mirror) { ((Fake *)c)->drop++; }
static void f_target(void *c, int layers) { ((Fake *)c)->target++, ((Fake *)c)->target_layers = layers; }
static int f_sync(void *c, UiModel *m, UiNote *note)
{
    Fake *f = c;
    if (f->publish) m->net = f->publish, f->publish = NULL;
    if (!f->has_note) return 0;
    *note = f->note;
    f->has_note = 0;
    return 1;
}

/* ---- fixtures ---------------------------------------------------------------------------- */

static const char lesson_text[] =
    "title: Five steps\n"
    "arch: alexnet\n"
    "image: samples/chelsea.png\n"
    "\n--- One\nlayer: input\nThe photo.\n"
    "\n--- Two\nlayer: conv1\nmirror: on\nMirrored.\n"
    "\n--- Three\nlayer: pool5\ncrop: random 7\nCropped.\n"
    "\n--- Four\nlayer: conv2\ndropout: train\nDropped.\n"
    "\n--- Five\nlayer: fc6\nimage: samples/coffee.png\nmirror: off\ndropout: eval\nCoffee.\n";

static const char lenet_text[] =
    "title: Small net\n"
    "arch: lenet5\n"
    "weights: /nonexistent/lenet.safetensors\n"
    "\n--- Only\nlayer: conv1\nchannel: 2\nKernels.\n";

static void write_text(const char *name, const char *text) { ts_write_file(ts_path(name), text, strlen(text)); }

static int setup(void **ctx)
{
    if (ts_setup(ctx) != 0) return -1;
    write_text("a-five.lesson", lesson_text);
    write_text("b-lenet.lesson", lenet_text);
    write_text("c-broken.lesson", "title: no arch\n");
    return 0;
}

static UiApp A;
static Fake F;
static Net net_alexnet, net_lenet; /* only arch and nlayers: what the app looks at */

/* A fresh app from a command line (space separated) with the fake worker. */
static void start(const char *line)
{
    static char buf[1024];
    char *argv[16] = {"alexscope"};
    int argc = 1;
    snprintf(buf, sizeof buf, "%s", line);
    for (char *t = strtok(buf, " "); t && argc < 16; t = strtok(NULL, " ")) argv[argc++] = t;
    UiOptions o;
    Err e = {0};
    assert_int_equal(ui_options_parse(argc, argv, &o, &e), 0);
    memset(&A, 0, sizeof A);
    memset(&F, 0, sizeof F);
    UiAppWorker port = {&F, f_weights, f_image, f_image_crop, f_dropout, f_narrate, f_drop, f_target, f_sync,
                        NULL, NULL, NULL, NULL, NULL, NULL}; /* no tools: ui_app says so */
    ui_app_init(&A, &o, &port);
    snprintf(A.lessons_dir, sizeof A.lessons_dir, "%s", ts_dir());
    net_alexnet.arch = &arch_alexnet, net_alexnet.nlayers = arch_alexnet.nlayers;
    net_lenet.arch = &arch_lenet5, net_lenet.nlayers = arch_lenet5.nlayers;
}

static void stop(void)
{
    A.m.net = NULL; /* the fake nets are not the model's to free */
    ui_app_free(&A);
}

/* Starts the five-step lesson as `alexscope --lesson FILE [extra]`. */
static void start_lesson(const char *file, const char *extra)
{
    char line[1200];
    snprintf(line, sizeof line, "--lesson %s %s", ts_path(file), extra);
    start(line);
    Err e = {0};
    if (ui_app_open_lesson(&A, &e) != 0) fail_msg("%s", e.msg);
    ui_app_load(&A, 0);
}

static int pos_of(const ArchSpec *a, const char *name) { return arch_layer_index(a, name) + 1; }

/* ---- tests ------------------------------------------------------------------------------- */

static void test_first_load(void **ctx)
{
    start("");
    ui_app_load(&A, 0);
    assert_int_equal(F.weights, 1);
    assert_ptr_equal(F.w_arch, &arch_alexnet);
    assert_string_equal(F.w_path, "");
    assert_int_equal(F.w_seed, 42);
    assert_int_equal(F.image, 1);
    assert_non_null(strstr(F.img_path, "samples/"));
    assert_int_equal(F.crop + F.dropout + F.narrate, 0);
    stop();

    start("--arch lenet5 --mirror cat.png");
    ui_app_load(&A, 0);
    assert_ptr_equal(F.w_arch, &arch_lenet5);
    assert_string_equal(F.img_path, "cat.png");
    assert_int_equal(F.img_mirror, 1);
    stop();

    /* lenet5 (trained on Fashion-MNIST): a Fashion-MNIST test image, S the next, its class names */
    start("--arch lenet5");
    ui_app_load(&A, 0);
    assert_non_null(strstr(F.img_path, "fashion/9-ankle-boot-test00000.png"));
    ui_app_action(&A, ACT_SAMPLE, 0);
    assert_non_null(strstr(F.img_path, "fashion/2-pullover-test00001.png"));
    A.m.arch = &arch_lenet5; /* what the worker would publish */
    UiView v = ui_app_view(&A, 0);
    assert_int_equal(v.labels->count, 10);
    assert_string_equal(v.labels->name[9], "Ankle boot");
    A.m.arch = &arch_alexnet; /* a lesson or a dropped file for alexnet: ImageNet's names */
    v = ui_app_view(&A, 0);
    assert_int_equal(v.labels->count, 1000);
    A.m.arch = NULL;
    stop();

    start("--arch vgg99");
    ui_app_load(&A, 0);
    assert_ptr_equal(F.w_arch, &arch_alexnet);
    assert_true(A.st.message_error);
    assert_non_null(strstr(A.st.message, "--arch vgg99: unknown"));
    stop();

    start("--weights w.onnx");
    ui_app_load(&A, 0);
    assert_null(F.w_arch); /* inferred from the file */
    assert_string_equal(F.w_path, "w.onnx");
    assert_null(A.want_arch);
    stop();
}

static void test_lesson_steps_ask_for_inputs(void **ctx)
{
    start_lesson("a-five.lesson", "");
    /* step 1: the lesson's arch and photo, no crop, dropout off */
    assert_int_equal(F.weights, 1);
    assert_ptr_equal(F.w_arch, &arch_alexnet);
    assert_true(A.st.lesson);
    assert_int_equal(A.st.lesson_step, 0);
    assert_int_equal(A.st.lesson_nsteps, 5);
    assert_int_equal(F.crop, 1);
    assert_non_null(strstr(F.img_path, "chelsea.png"));
    assert_int_equal(F.img_mirror, 0);
    assert_int_equal(F.crop_seed, -1);
    assert_int_equal(F.dropout, 1);
    assert_int_equal(F.train, 0);
    assert_int_equal(F.narrate, 1);
    assert_int_equal(F.narr_tag, A.narr_tag);
    assert_int_equal(F.narr_layers, 0); /* the input: nothing to compute first */

    /* step 2: mirror on: the same photo again, mirrored */
    assert_int_equal(ui_app_action(&A, ACT_NEXT, 0), 0);
    assert_int_equal(A.st.lesson_step, 1);
    assert_int_equal(F.crop, 2);
    assert_string_equal(F.img_path, "");
    assert_int_equal(F.img_mirror, 1);
    assert_int_equal(A.st.mirror, 1);
    assert_int_equal(F.dropout, 1); /* unchanged: not asked again */
    assert_int_equal(F.narr_layers, pos_of(&arch_alexnet, "conv1"));

    /* step 3: a random crop, mirror stays */
    ui_app_action(&A, ACT_NEXT, 0);
    assert_int_equal(F.crop, 3);
    assert_int_equal(F.crop_seed, 7);
    assert_int_equal(F.img_mirror, 1);

    /* step 4: crop is per step (back to the centre), dropout in training mode */
    ui_app_action(&A, ACT_NEXT, 0);
    assert_int_equal(F.crop, 4);
    assert_int_equal(F.crop_seed, -1);
    assert_int_equal(F.dropout, 2);
    assert_int_equal(F.train, 1);

    /* step 5: another photo, mirror off, dropout off */
    ui_app_action(&A, ACT_NEXT, 0);
    assert_int_equal(A.st.lesson_step, 4);
    assert_int_equal(F.crop, 5);
    assert_non_null(strstr(F.img_path, "coffee.png"));
    assert_int_equal(F.img_mirror, 0);
    assert_int_equal(F.dropout, 3);
    assert_int_equal(F.train, 0);

    /* past the end: stays on the last step, asks for nothing new but the narration */
    int narr = F.narrate;
    ui_app_action(&A, ACT_NEXT, 0);
    assert_int_equal(A.st.lesson_step, 4);
    assert_int_equal(F.crop, 5);
    assert_int_equal(F.dropout, 3);
    assert_int_equal(F.narrate, narr + 1);

    /* back one: the photo again, dropout in training */
    ui_app_action(&A, ACT_PREV, 0);
    assert_int_equal(A.st.lesson_step, 3);
    assert_non_null(strstr(F.img_path, "chelsea.png"));
    assert_int_equal(F.train, 1);

    /* Home, then before the first step: step 0 */
    ui_app_action(&A, ACT_HOME, 0);
    assert_int_equal(A.st.lesson_step, 0);
    ui_app_action(&A, ACT_PREV, 0);
    assert_int_equal(A.st.lesson_step, 0);
    ui_app_action(&A, ACT_END, 0);
    assert_int_equal(A.st.lesson_step, 4);
    assert_int_equal(F.weights, 1); /* the arch never changed */
    stop();
}

static void test_lesson_step_option_and_image(void **ctx)
{
    start_lesson("a-five.lesson", "--lesson-step 3 dog.png");
    assert_int_equal(A.st.lesson_step, 2);
    assert_string_equal(F.img_path, "dog.png"); /* IMAGE replaces the lesson's photo */
    assert_int_equal(F.crop_seed, 7);
    stop();

    char line[1200]; /* --lesson-step past the end */
    snprintf(line, sizeof line, "--lesson %s --lesson-step 6", ts_path("a-five.lesson"));
    start(line);
    Err e = {0};
    assert_int_equal(ui_app_open_lesson(&A, &e), -1);
    assert_non_null(strstr(e.msg, "--lesson-step 6: "));
    assert_non_null(strstr(e.msg, "has 5 steps"));
    assert_null(A.ls);
    stop();
}

static void test_view_waits_for_the_arch(void **ctx)
{
    start_lesson("b-lenet.lesson", "");
    assert_ptr_equal(F.w_arch, &arch_lenet5);
    assert_string_equal(F.w_path, "/nonexistent/lenet.safetensors");
    assert_int_equal(A.view_pending, 1); /* no net yet: positions are unknown */
    assert_int_equal(A.st.pos, 0);

    F.publish = &net_alexnet; /* still the old arch */
    ui_app_absorb(&A, 0);
    ui_app_apply_view(&A);
    assert_int_equal(A.view_pending, 1);
    assert_int_equal(A.st.pos, 0);

    F.publish = &net_lenet;
    ui_app_absorb(&A, 0);
    assert_int_equal(A.st.nlayers, arch_lenet5.nlayers);
    ui_app_apply_view(&A);
    assert_int_equal(A.view_pending, 0);
    assert_int_equal(A.st.pos, pos_of(&arch_lenet5, "conv1"));
    assert_int_equal(A.st.channel, 2);
    stop();
}

static void test_failed_lesson_weights_fall_back(void **ctx)
{
    start_lesson("b-lenet.lesson", "");
    F.publish = &net_alexnet;
    F.has_note = 1;
    F.note.error = 1;
    snprintf(F.note.text, sizeof F.note.text, "/nonexistent/lenet.safetensors: cannot open");
    ui_app_absorb(&A, 0);
    assert_int_equal(F.weights, 2);
    assert_ptr_equal(F.w_arch, &arch_lenet5);
    assert_string_equal(F.w_path, "");
    assert_true(A.st.message_error);
    assert_non_null(strstr(A.st.message, "lenet5's built-in weights"));
    /* a second failure no longer retries */
    F.has_note = 1;
    ui_app_absorb(&A, 0);
    assert_int_equal(F.weights, 2);
    stop();
}

static void test_leave(void **ctx)
{
    start_lesson("a-five.lesson", "--lesson-step 4"); /* dropout on, centre crop, mirrored */
    int crop = F.crop, drop = F.dropout;
    assert_int_equal(F.train, 1);
    ui_app_action(&A, ACT_DESELECT, 0); /* Esc with no overlay leaves */
    assert_false(A.st.lesson);
    assert_null(A.ls);
    assert_int_equal(F.dropout, drop + 1);
    assert_int_equal(F.train, 0);
    assert_int_equal(F.crop, crop); /* the centre crop already */
    assert_true(F.narr_null);
    assert_non_null(strstr(A.st.status, "Left the lesson \"Five steps\""));
    /* now the keys step layers again */
    int pos = A.st.pos;
    ui_app_action(&A, ACT_NEXT, 0);
    assert_int_equal(A.st.pos, pos + 1);
    assert_int_equal(F.target_layers, pos + 1);
    stop();

    start_lesson("a-five.lesson", "--lesson-step 3"); /* random crop 7, dropout off */
    assert_int_equal(F.crop_seed, 7);
    crop = F.crop, drop = F.dropout;
    ui_app_action(&A, ACT_LESSON_EXIT, 0); /* the lesson bar's button */
    assert_false(A.st.lesson);
    assert_int_equal(F.dropout, drop);
    assert_int_equal(F.crop, crop + 1);
    assert_int_equal(F.crop_seed, -1);
    assert_string_equal(F.img_path, ""); /* the same photo */
    assert_int_equal(F.img_mirror, 1);   /* mirror stays */
    stop();
}

static void test_picker(void **ctx)
{
    start_lesson("a-five.lesson", "--lesson-step 2");
    ui_app_action(&A, ACT_LESSONS, 0);
    assert_true(A.st.picker);
    assert_int_equal(A.st.picker_n, 3);
    assert_int_equal(A.st.picker_sel, 0); /* the lesson playing */
    assert_string_equal(A.list->e[2].title, "");

    ui_app_action(&A, ACT_NEXT, 0); /* the picker takes the arrows */
    assert_int_equal(A.st.picker_sel, 1);
    assert_int_equal(A.st.lesson_step, 1);
    ui_app_action(&A, ACT_PICK, 0);
    assert_false(A.st.picker);
    assert_non_null(A.ls);
    assert_string_equal(A.ls->title, "Small net");
    assert_int_equal(A.st.lesson_step, 0);
    assert_int_equal(A.st.lesson_nsteps, 1);
    assert_ptr_equal(F.w_arch, &arch_lenet5); /* another arch: asked for */
    assert_int_equal(F.weights, 2);

    /* a lesson that does not load says why and changes nothing */
    ui_app_action(&A, ACT_LESSONS, 0);
    assert_int_equal(A.st.picker_sel, 1);
    ui_app_action(&A, ACT_END, 0);
    ui_app_action(&A, ACT_PICK, 0);
    assert_false(A.st.picker);
    assert_true(A.st.message_error);
    assert_non_null(strstr(A.st.message, "c-broken.lesson"));
    assert_string_equal(A.ls->title, "Small net");
    stop();
}

/* A dropped .lesson plays from its first step, as the picker would open it; one that does not
   load says why, and neither goes to the worker as an image. */
static void test_drop_lesson(void **ctx)
{
    (void)ctx;
    start("");
    ui_app_load(&A, 0);
    int drops = F.drop;
    ui_app_drop(&A, ts_path("b-lenet.lesson"), 0);
    assert_int_equal(F.drop, drops);
    assert_non_null(A.ls);
    assert_true(A.st.lesson);
    assert_string_equal(A.ls->title, "Small net");
    assert_int_equal(A.st.lesson_step, 0);
    assert_ptr_equal(F.w_arch, &arch_lenet5);

    ui_app_drop(&A, ts_path("c-broken.lesson"), 0);
    assert_int_equal(F.drop, drops);
    assert_true(A.st.message_error);
    assert_non_null(strstr(A.st.message, "c-broken.lesson"));
    assert_string_equal(A.ls->title, "Small net");
    stop();
}

static void test_free_view_keys(void **ctx)
{
    start("");
    ui_app_load(&A, 0);
    int images = F.image;
    assert_int_equal(ui_app_action(&A, ACT_SAMPLE, 0), 0);
    assert_int_equal(F.image, images + 1); /* the next sample, not the same photo again */
    assert_non_null(strstr(F.img_path, ui_samples[1]));
    assert_int_equal(ui_app_action(&A, ACT_MIRROR, 0), 0);
    assert_int_equal(F.image, images + 2);
    assert_string_equal(F.img_path, "");
    assert_int_equal(F.img_mirror, 1);
    assert_int_equal(A.in.mirror, 1);
    assert_int_equal(ui_app_action(&A, ACT_END, 0), 0);
    assert_int_equal(F.target_layers, arch_alexnet.nlayers);
    /* what only the window can do comes back */
    assert_int_equal(ui_app_action(&A, ACT_EXPORT, 0), UI_FX_EXPORT);
    assert_int_equal(ui_app_action(&A, ACT_FULLSCREEN, 0), UI_FX_FULLSCREEN);
    assert_int_equal(ui_app_action(&A, ACT_QUIT, 0), UI_FX_QUIT);
    assert_int_equal(ui_app_action(&A, ACT_LESSON_EXIT, 0), 0); /* no lesson: nothing */
    ui_app_drop(&A, "/tmp/x.onnx", 0);
    assert_int_equal(F.drop, 1);
    assert_false(A.in_known);
    assert_null(A.want_arch);
    assert_non_null(strstr(A.st.status, "Opening /tmp/x.onnx"));
    stop();
}

static void test_options_into_state(void **ctx)
{
    start("--theme contrast --per-layer --grey --kernels --mirror --zoom 2 --export-dir /tmp/out/");
    assert_int_equal(A.st.theme, 1);
    assert_int_equal(A.st.norm, 1);
    assert_int_equal(A.st.cmap, 0);
    assert_int_equal(A.st.kernels, 1);
    assert_int_equal(A.st.mirror, 1);
    assert_true(A.st.zoom == 2.0f);
    assert_string_equal(A.export_dir, "/tmp/out/");
    stop();
    start("--export-dir rel/");
    char cwd[400], want[600];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(want, sizeof want, "%s/rel", cwd);
    assert_string_equal(A.export_dir, want);
    stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_load),          cmocka_unit_test(test_lesson_steps_ask_for_inputs),
        cmocka_unit_test(test_lesson_step_option_and_image), cmocka_unit_test(test_view_waits_for_the_arch),
        cmocka_unit_test(test_failed_lesson_weights_fall_back), cmocka_unit_test(test_leave),
        cmocka_unit_test(test_picker),              cmocka_unit_test(test_drop_lesson),
        cmocka_unit_test(test_free_view_keys),      cmocka_unit_test(test_options_into_state),
    };
    return cmocka_run_group_tests(tests, setup, ts_teardown);
}
