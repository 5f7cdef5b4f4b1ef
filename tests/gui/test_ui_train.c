/* test_ui_train.c - the live-training view (ui_train.h, ui_app_train.c): its texts, the keys
   (J opens it and starts the thread once, Space pauses and resumes, D / M / Z change the next
   run only, R resets, Esc closes) through a fake training port, the frame's texts and
   images from a hand-made snapshot; and `alexscope --train --screenshot` at 1280x720 and
   1920x1080 with --check-fit (skipped without Debian's dataset-fashion-mnist). */
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
#include "ui_test_drawn.h"

static UiApp A;
static int cmds[8];            /* how often each UiTrainCmd was sent */
static UiTrainSettings last;   /* with the last command */
static UiTrainSnap fake;       /* what sync hands over */

static void f_cmd(void *c, UiTrainCmd cmd, const UiTrainSettings *s)
{
    (void)c;
    cmds[cmd]++, last = *s;
    if (cmd == UI_TRAIN_CMD_PAUSE) fake.state = UI_TRAIN_PAUSED, fake.gen++;
    if (cmd == UI_TRAIN_CMD_RESUME) fake.state = UI_TRAIN_RUNNING, fake.gen++;
}
static int f_sync(void *c, UiTrainSnap *out)
{
    (void)c;
    *out = fake;
    return 1;
}
static void f_target(void *c, int layers) { (void)c, (void)layers; }
static int f_model(void *c, UiModel *m, UiNote *note) { return (void)c, (void)m, (void)note, 0; }
static int measure(void *ctx, int font, int px, const char *s)
{
    (void)ctx, (void)font;
    return (int)strlen(s) * px / 2;
}

static int drawn(const char *s) { return ui_test_drawn(&A.dl, s); }

/* Two epochs and a probe, by hand. */
static void fill_fake(void)
{
    memset(&fake, 0, sizeof fake);
    fake.state = UI_TRAIN_RUNNING, fake.gen = 5, fake.run = 1;
    ui_train_settings_default(&fake.cur);
    fake.next = fake.cur;
    fake.ntrain = 2000, fake.ntest = 10000, fake.batch = 64, fake.lr = 0.05f, fake.momentum = 0.9f;
    fake.nep = 2;
    fake.ep[0] = (UiTrainEpoch){1.25f, 0.625f, 0.5f, 1.5f, 2.0f};
    fake.ep[1] = (UiTrainEpoch){0.75f, 0.75f, 0.6875f, 0.875f, 2.0f};
    for (int i = 0; i < 10; i++) ui_train_add_point(&fake, 0.25f * (float)(i + 1), 2.0f - 0.125f * (float)i);
    fake.epoch_images = 640, fake.images_per_s = 3210.4;
    fake.have_probe = 1, fake.test_index = 0, fake.test_label = 9;
    for (int i = 0; i < UI_TRAIN_CLASSES; i++) snprintf(fake.names[i], sizeof fake.names[i], "class%d", i);
    fake.probs[9] = 0.75f, fake.probs[7] = 0.125f, fake.probs[5] = 0.0625f;
    for (int i = 0; i < UI_TRAIN_FILTERS * 25; i++) fake.filters[i] = (float)(i % 7) - 3.0f;
    for (int i = 0; i < UI_TRAIN_FILTERS * UI_TRAIN_MAP * UI_TRAIN_MAP; i++) fake.maps[i] = (float)(i % 11);
}

static void start(void)
{
    char *argv[] = {"alexscope", "--arch", "lenet5"};
    UiOptions o;
    Err e = {0};
    assert_int_equal(ui_options_parse(3, argv, &o, &e), 0);
    memset(&A, 0, sizeof A);
    memset(cmds, 0, sizeof cmds);
    UiAppWorker port;
    memset(&port, 0, sizeof port); /* only the training port is used here */
    port.target = f_target, port.sync = f_model;
    ui_app_init(&A, &o, &port);
    A.tp = (UiAppTrain){NULL, f_cmd, f_sync};
    A.dl.measure = measure;
    fill_fake();
}

static void test_texts(void **ctx)
{
    (void)ctx;
    UiTrainSettings s;
    char t[300];
    ui_train_settings_default(&s);
    assert_string_equal(ui_train_settings_text(&s, t, sizeof t),
                        "2,000 training images · dropout off · mirroring off · seed 1");
    s.subset = 0, s.dropout = 1, s.mirror = 1, s.seed = 42;
    assert_string_equal(ui_train_settings_text(&s, t, sizeof t), "all 60,000 training images · dropout 0.5 · mirroring on · seed 42");
    assert_int_equal(ui_train_next_subset(500), 2000);
    assert_int_equal(ui_train_next_subset(2000), 10000);
    assert_int_equal(ui_train_next_subset(10000), 0);
    assert_int_equal(ui_train_next_subset(0), 500);
    assert_int_equal(ui_train_next_probe(0), 1);
    assert_int_equal(ui_train_next_probe(2), 4);
    assert_int_equal(ui_train_next_probe(19), 0);
    fill_fake();
    assert_string_equal(ui_train_epoch_text(&fake, t, sizeof t),
                        "epoch 2 of 20: training loss 0.750, training 75.0%, test 68.8%, 2.0 s");
    assert_string_equal(ui_train_status_text(&fake, t, sizeof t), "running · epoch 3, 640 of 2,000 images · 3,210 images/s");
    fake.nep = 0;
    assert_string_equal(ui_train_epoch_text(&fake, t, sizeof t), "");
}

static void test_points_merge(void **ctx)
{
    (void)ctx;
    memset(&fake, 0, sizeof fake);
    for (int i = 0; i < UI_TRAIN_POINTS; i++) ui_train_add_point(&fake, (float)i, (float)i);
    assert_int_equal(fake.npts, UI_TRAIN_POINTS);
    ui_train_add_point(&fake, 1000.0f, 7.0f); /* full: pairs merge, then it is appended */
    assert_int_equal(fake.npts, UI_TRAIN_POINTS / 2 + 1);
    assert_true(fake.pt_loss[0] == 0.5f && fake.pt_x[0] == 1.0f);
    assert_true(fake.pt_loss[1] == 2.5f && fake.pt_x[1] == 3.0f);
    assert_true(fake.pt_loss[UI_TRAIN_POINTS / 2] == 7.0f);
}

static void test_keys(void **ctx)
{
    (void)ctx;
    start();
    ui_app_action(&A, ACT_TRAIN_DROPOUT, 0); /* outside the view: a hint, nothing sent */
    assert_int_equal(cmds[UI_TRAIN_CMD_NEXT], 0);
    assert_non_null(strstr(A.st.status, "press J"));
    ui_app_action(&A, ACT_TRAIN, 0);
    assert_int_equal(A.train_view, 1);
    assert_int_equal(cmds[UI_TRAIN_CMD_START], 1);
    assert_int_equal(last.subset, 2000);
    assert_int_equal(last.epochs, 20);
    ui_app_frame(&A, 1280, 720, 0, 0, 0, 0);
    ui_app_action(&A, ACT_SPACE, 0);
    assert_int_equal(cmds[UI_TRAIN_CMD_PAUSE], 1);
    ui_app_frame(&A, 1280, 720, 0, 0, 0, 0);
    assert_true(drawn("paused · epoch 3"));
    ui_app_action(&A, ACT_SPACE, 0);
    assert_int_equal(cmds[UI_TRAIN_CMD_RESUME], 1);
    int mirror = A.st.mirror;
    ui_app_action(&A, ACT_TRAIN_DROPOUT, 0);
    ui_app_action(&A, ACT_MIRROR, 0);
    ui_app_action(&A, ACT_TRAIN_SUBSET, 0);
    assert_int_equal(A.st.mirror, mirror); /* M changed the next run, not the photo */
    assert_int_equal(cmds[UI_TRAIN_CMD_NEXT], 3);
    assert_true(last.dropout == 1 && last.mirror == 1 && last.subset == 10000);
    ui_app_action(&A, ACT_SAMPLE, 0); /* S: the next test image, sent at once */
    assert_int_equal(cmds[UI_TRAIN_CMD_NEXT], 4);
    assert_int_equal(last.probe, 1);
    assert_int_equal(cmds[UI_TRAIN_CMD_RESET], 0);
    ui_app_action(&A, ACT_TRAIN_RESET, 0);
    assert_int_equal(cmds[UI_TRAIN_CMD_RESET], 1);
    ui_app_action(&A, ACT_DESELECT, 0);
    assert_int_equal(A.train_view, 0);
    ui_app_action(&A, ACT_TRAIN, 0); /* again: the thread is not started twice */
    assert_int_equal(cmds[UI_TRAIN_CMD_START], 1);
    ui_app_free(&A);
}

static void test_frame(void **ctx)
{
    (void)ctx;
    start();
    ui_app_action(&A, ACT_TRAIN, 0);
    static const int sizes[2][2] = {{1280, 720}, {1920, 1080}};
    for (int s = 0; s < 2; s++) {
        ui_app_frame(&A, sizes[s][0], sizes[s][1], 0, 0, 0, 0);
        assert_true(drawn("Training LeNet-5 on Fashion-MNIST, live"));
        assert_true(drawn("running · epoch 3, 640 of 2,000 images · 3,210 images/s"));
        assert_true(drawn("Test image 0 (class9)"));
        assert_true(drawn("class9 75.0%"));
        assert_true(drawn("class7 12.5%"));
        assert_true(drawn("class5 6.2%"));
        assert_true(drawn("epoch 2 of 20: training loss 0.750"));
        assert_true(drawn("R starts: 2,000 training images"));
        const UiImage *im = &A.im.img[IMG_TOOLS];
        assert_true(im->key != 0);
        int images = 0;
        for (int i = 0; i < A.dl.n; i++) {
            const DrawCmd *c = &A.dl.cmd[i];
            if (c->kind != DC_IMAGE) continue;
            images++;
            assert_true(c->src.x >= 0 && c->src.y >= 0 && c->src.x + c->src.w <= im->w && c->src.y + c->src.h <= im->h);
        }
        assert_int_equal(images, 6 + 1 + 6); /* filters, the image, its maps */
    }
    fake.state = UI_TRAIN_ERROR;
    snprintf(fake.msg, sizeof fake.msg, "no data: install dataset-fashion-mnist");
    ui_app_frame(&A, 1280, 720, 0, 0, 0, 0);
    assert_true(drawn("no data: install dataset-fashion-mnist"));
    ui_app_free(&A);
}

static void test_screenshot(void **ctx)
{
    (void)ctx;
    if (access("/usr/share/datasets/fashion-mnist", R_OK) != 0) skip();
    static const int sizes[2][2] = {{1280, 720}, {1920, 1080}};
    for (int s = 0; s < 2; s++) {
        char path[512], cmd[1024];
        snprintf(path, sizeof path, "%s/train-%d.png", ts_dir(), sizes[s][0]);
        snprintf(cmd, sizeof cmd, "--screenshot '%s' --size %dx%d --check-fit --arch lenet5 --train --train-epochs 1 "
                 "--subset 200", path, sizes[s][0], sizes[s][1]);
        assert_int_equal(ts_run("SDL_VIDEODRIVER=dummy", cmd, NULL, NULL), 0);
        size_t len = 0;
        unsigned char *png = ts_slurp(path, &len); /* the IHDR's width and height */
        assert_true(png && len > 20000);
        assert_int_equal((png[16] << 24 | png[17] << 16 | png[18] << 8 | png[19]), sizes[s][0]);
        assert_int_equal((png[20] << 24 | png[21] << 16 | png[22] << 8 | png[23]), sizes[s][1]);
        free(png);
        remove(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_texts), cmocka_unit_test(test_points_merge),
                                       cmocka_unit_test(test_keys), cmocka_unit_test(test_frame),
                                       cmocka_unit_test(test_screenshot)};
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
