/* test_train_thread.c - the window's training thread (train_thread.h): a run's epochs equal
   trainer_epoch's for the same config and seed (and its final filters the same weights),
   pause stops progress, reset starts a new run with the new settings, stop joins; a missing
   data set says where and which package. The data set tests are skipped without
   /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support.h"
#include "train_thread.h"

#define DATA "/usr/share/datasets/fashion-mnist"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int have_data(void) { return access(DATA, R_OK) == 0; }

/* Syncs until pred(s) holds; fails after 60 s. */
static void wait_for(TrainThread *tt, UiTrainSnap *s, int (*pred)(const UiTrainSnap *))
{
    for (int i = 0; i < 6000; i++) {
        train_thread_sync(tt, s);
        if (pred(s)) return;
        sleep_ms(10);
    }
    fail_msg("timed out in state %s", ui_train_state_names[s->state]);
}

static int finished(const UiTrainSnap *s) { return s->state == UI_TRAIN_DONE || s->state == UI_TRAIN_ERROR; }
static int trained_some(const UiTrainSnap *s) { return s->state == UI_TRAIN_RUNNING && s->epoch_images > 0; }
static int paused(const UiTrainSnap *s) { return s->state == UI_TRAIN_PAUSED; }
static int probe_2(const UiTrainSnap *s) { return s->test_index == 2; }
static int reset_done(const UiTrainSnap *s) { return s->run == 2 && s->cur.dropout == 1; }

static UiTrainSnap snap, snap2;

static void test_same_as_trainer(void **ctx)
{
    (void)ctx;
    if (!have_data()) skip();
    UiTrainSettings st;
    ui_train_settings_default(&st);
    st.subset = 300, st.epochs = 2, st.test_max = 200, st.seed = 7, st.mirror = 1;
    Err e = {0};
    TrainThread *tt = train_thread_start(&st, "fashion-mnist", &e);
    assert_non_null(tt);
    memset(&snap, 0, sizeof snap);
    wait_for(tt, &snap, finished);
    train_thread_stop(tt);
    assert_int_equal(snap.state, UI_TRAIN_DONE);
    assert_int_equal(snap.nep, 2);
    assert_int_equal(snap.ntrain, 300);
    assert_int_equal(snap.ntest, 200);
    assert_true(snap.npts >= 2);

    IdxSet tr, te;
    assert_int_equal(idx_load_split("fashion-mnist", "train", &tr, &e), 0);
    assert_int_equal(idx_load_split("fashion-mnist", "t10k", &te, &e), 0);
    IdxSet te200 = te;
    te200.n = 200;
    TrainConfig c;
    train_thread_config(&st, &c);
    Trainer *t = trainer_create(&c, &tr, &te200, &e);
    assert_non_null(t);
    for (int i = 0; i < 2; i++) {
        TrainEpoch ep;
        assert_int_equal(trainer_epoch(t, &ep, &e), 0);
        assert_true(snap.ep[i].train_loss == (float)ep.train_loss); /* bit for bit */
        assert_true(snap.ep[i].train_acc == (float)ep.train_acc);
        assert_true(snap.ep[i].test_acc == (float)ep.test_acc);
        assert_true(snap.ep[i].test_loss == (float)t->last_test.loss);
    }
    assert_memory_equal(snap.filters, t->weights.l[0].w, sizeof snap.filters);
    assert_true(snap.test_label == te.labels[snap.test_index]);
    float sum = 0;
    for (int k = 0; k < UI_TRAIN_CLASSES; k++) sum += snap.probs[k];
    assert_true(sum > 0.999f && sum < 1.001f);
    trainer_free(t);
    idx_set_free(&tr);
    idx_set_free(&te);
}

static void test_pause_reset_stop(void **ctx)
{
    (void)ctx;
    if (!have_data()) skip();
    UiTrainSettings st;
    ui_train_settings_default(&st);
    st.subset = 400, st.epochs = 3, st.test_max = 100;
    Err e = {0};
    TrainThread *tt = train_thread_start(&st, "fashion-mnist", &e);
    assert_non_null(tt);
    memset(&snap, 0, sizeof snap);
    wait_for(tt, &snap, trained_some);
    train_thread_pause(tt, 1);
    wait_for(tt, &snap, paused);
    sleep_ms(400);
    snap2 = snap;
    assert_int_equal(train_thread_sync(tt, &snap2), 0); /* nothing new while paused */
    assert_int_equal(snap2.epoch_images, snap.epoch_images);
    assert_int_equal(snap2.nep, snap.nep);
    st.probe = 2; /* another test image, shown while paused; training stays where it was */
    train_thread_next(tt, &st);
    wait_for(tt, &snap2, probe_2);
    assert_int_equal(snap2.state, UI_TRAIN_PAUSED);
    assert_int_equal(snap2.epoch_images, snap.epoch_images);
    assert_int_equal(snap2.test_label, 1); /* Fashion-MNIST's test image 2 is a trouser */

    st.dropout = 1;
    train_thread_next(tt, &st);
    assert_int_equal(train_thread_sync(tt, &snap2), 1); /* the next run's settings show at once */
    assert_int_equal(snap2.next.dropout, 1);
    assert_int_equal(snap2.cur.dropout, 0);
    train_thread_reset(tt, &st);
    wait_for(tt, &snap, reset_done);
    assert_int_equal(snap.nep, 0);
    assert_true(snap.state == UI_TRAIN_RUNNING);
    train_thread_stop(tt); /* mid-epoch: joins after the current batch */
}

static void test_missing_data(void **ctx)
{
    (void)ctx;
    UiTrainSettings st;
    ui_train_settings_default(&st);
    Err e = {0};
    TrainThread *tt = train_thread_start(&st, "/nonexistent/fashion", &e);
    assert_non_null(tt);
    memset(&snap, 0, sizeof snap);
    wait_for(tt, &snap, finished);
    assert_int_equal(snap.state, UI_TRAIN_ERROR);
    assert_non_null(strstr(snap.msg, "/nonexistent/fashion"));
    assert_non_null(strstr(snap.msg, "dataset-fashion-mnist"));
    train_thread_reset(tt, &st); /* nothing to train: stays stopped, no crash */
    train_thread_pause(tt, 1);
    train_thread_stop(tt);
    train_thread_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_same_as_trainer), cmocka_unit_test(test_pause_reset_stop),
                                       cmocka_unit_test(test_missing_data)};
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
