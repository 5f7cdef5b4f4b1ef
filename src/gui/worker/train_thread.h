/* train_thread.h - the window's training thread (key J, --train): LeNet-5 trained on
   Fashion-MNIST by train.h / train_live.h on a thread of its own, apart from the worker, so
   the window's other jobs go on. A small mailbox connects it to the UI: commands in (pause,
   resume, reset with new settings), snapshots out (UiTrainSnap, ui_train.h), each a whole
   copy made under the mutex; the thread never shares a buffer with the UI.

       UiTrainSettings s;  ui_train_settings_default(&s);
       TrainThread *tt = train_thread_start(&s, "fashion-mnist", &err);
       each frame:  train_thread_sync(tt, snap);          // 1 if snap changed
       train_thread_pause(tt, 1);  train_thread_reset(tt, &s2);
       train_thread_stop(tt);                              // joins; frees everything

   The thread loads the data set first (a missing folder: state UI_TRAIN_ERROR and a message
   naming the folder and the Debian package dataset-fashion-mnist), then trains the run's
   epochs one mini-batch at a time, checking for commands between batches, and publishes at
   most every UI_TRAIN_PUBLISH_MS (and after every epoch and change of state). After the
   last epoch it waits (UI_TRAIN_DONE) for a reset or the stop.

   Deterministic: a run's epochs equal trainer_epoch's for train_thread_config's TrainConfig
   and test images [0, test_max) (tests/gui/test_train_thread.c).
   Failure: NULL and an Err if the thread cannot start; later failures arrive in the snapshot. */
#ifndef ALEXSCOPE_TRAIN_THREAD_H
#define ALEXSCOPE_TRAIN_THREAD_H

#include "err.h"
#include "train.h"
#include "ui_train.h"

#define UI_TRAIN_PUBLISH_MS 200.0
#define UI_TRAIN_EVAL_MAX 2000     /* training accuracy on at most this many of the run's images */
#define UI_TRAIN_POINT_BATCHES 4   /* a running-loss point every 4 mini-batches */

typedef struct TrainThread TrainThread;

/* The trainer's config for a run: train_config_default with s's subset, dropout (0.5),
   mirror, seed and epochs. */
void train_thread_config(const UiTrainSettings *s, TrainConfig *c);

/* dataset: a name or folder for idx_load_split ("fashion-mnist"). */
TrainThread *train_thread_start(const UiTrainSettings *s, const char *dataset, Err *e);
void train_thread_pause(TrainThread *tt, int paused);
/* Starts a new run with s (new seeded weights, the curves start over). */
void train_thread_reset(TrainThread *tt, const UiTrainSettings *s);
/* What R will start (shown in the snapshot's next). */
void train_thread_next(TrainThread *tt, const UiTrainSettings *s);
/* Copies the newest snapshot into out if it differs from out->gen / out->run; 1 if it did. */
int train_thread_sync(TrainThread *tt, UiTrainSnap *out);
void train_thread_stop(TrainThread *tt);

#endif
