/* ui_train.h - the live-training view (key J, `alexscope --train`): LeNet-5 learning
   Fashion-MNIST on its own thread (gui/worker/train_thread.h), shown from snapshots the
   thread publishes: loss and accuracy curves, conv1's six filters, one test image with its
   conv1 feature maps and its top-3 classes, the settings of the run and of the next reset.

       UiTrainSnap *s = calloc(1, sizeof *s);       // the UI's copy (about 40 KB)
       port.train_sync(ctx, s);                      // each frame: copies the newest snapshot
       ui_train_images(&images, &view, s);           // IMG_TOOLS: filters, image, maps
       vw_train(&dl, &view, s);                      // the whole window
       char t[200];  ui_train_settings_text(&s->cur, t, sizeof t);
           // "2,000 training images · dropout off · mirroring off · seed 1"

   A snapshot is plain data, copied whole under the thread's mutex: the UI never shares a
   buffer with the thread. Every number it shows is the trainer's (train.h), never typed.
   Pure; no SDL, no threads. */
#ifndef ALEXSCOPE_UI_TRAIN_H
#define ALEXSCOPE_UI_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "ui_view.h"

#define UI_TRAIN_EPOCHS 64    /* epochs a run keeps (and trains at most) */
#define UI_TRAIN_POINTS 256   /* running-loss points kept (pairs merged when full) */
#define UI_TRAIN_SIDE 32      /* LeNet-5's input */
#define UI_TRAIN_MAP 28       /* conv1's output side */
#define UI_TRAIN_FILTERS 6    /* conv1's channels */
#define UI_TRAIN_K 5          /* conv1's kernel */
#define UI_TRAIN_CLASSES 10

typedef enum { UI_TRAIN_OFF, UI_TRAIN_LOADING, UI_TRAIN_RUNNING, UI_TRAIN_PAUSED, UI_TRAIN_DONE, UI_TRAIN_ERROR } UiTrainState;
extern const char *const ui_train_state_names[UI_TRAIN_ERROR + 1];

/* What a run is; D / M / Z change the next run's, R starts it. */
typedef struct {
    int subset;          /* training images per epoch; 0: all 60,000 */
    int dropout;         /* 1: dropout 0.5 after tanh3 and tanh4 */
    int mirror;          /* 1: each training image mirrored on a seeded coin per epoch */
    int epochs;          /* the run stops after this many (≤ UI_TRAIN_EPOCHS) */
    int test_max;        /* test images evaluated after each epoch; 0: all 10,000 */
    uint64_t seed;
    int probe;           /* the test image shown with its maps (S); applies at once */
} UiTrainSettings;

/* 2,000 images, no dropout, no mirroring, 20 epochs, the first 2,000 test images (an epoch
   of a few seconds), seed 1. */
void ui_train_settings_default(UiTrainSettings *s);
/* S: the next of the test images assets/fashion has as PNGs (0, 1, 2, 4, 6, 8, 9, 13, 18,
   19: one per class), after index. */
int ui_train_next_probe(int index);
/* Z: the next subset size: 500 → 2,000 → 10,000 → all → 500. */
int ui_train_next_subset(int subset);

typedef struct {
    float train_loss;    /* mean cross-entropy over the epoch, as trained */
    float train_acc;     /* inference, after the epoch */
    float test_acc;
    float test_loss;     /* mean cross-entropy on the test images, after the epoch */
    float seconds;       /* the epoch's wall time, evaluation included */
} UiTrainEpoch;

typedef struct {
    UiTrainState state;
    char msg[512];       /* why it stopped (error), or "" */
    unsigned gen;        /* +1 per publish */
    unsigned run;        /* +1 per reset */
    UiTrainSettings cur; /* the run's */
    UiTrainSettings next;/* what R starts */
    int ntrain, ntest;   /* images per epoch, test images evaluated */
    int batch;
    float lr, momentum;
    int nep;
    UiTrainEpoch ep[UI_TRAIN_EPOCHS];
    int npts;            /* the running loss: the mean over the last few batches, at x epochs */
    float pt_x[UI_TRAIN_POINTS], pt_loss[UI_TRAIN_POINTS];
    int epoch_images;    /* images trained in the epoch in progress */
    double images_per_s; /* training speed (SGD steps only) in the epoch in progress or last */
    int have_probe;
    float filters[UI_TRAIN_FILTERS * UI_TRAIN_K * UI_TRAIN_K]; /* conv1.w (6, 1, 5, 5) */
    int test_index, test_label;                 /* the probe: one test image */
    float image[UI_TRAIN_SIDE * UI_TRAIN_SIDE];  /* as the network sees it (1, 32, 32) */
    float maps[UI_TRAIN_FILTERS * UI_TRAIN_MAP * UI_TRAIN_MAP]; /* its conv1 output (6, 28, 28) */
    float probs[UI_TRAIN_CLASSES];
    char names[UI_TRAIN_CLASSES][32]; /* the class names (assets/fashion-mnist-classes.txt) */
} UiTrainSnap;

/* What the UI asks of the training thread (UiAppWorker.train). */
typedef enum { UI_TRAIN_CMD_START, UI_TRAIN_CMD_PAUSE, UI_TRAIN_CMD_RESUME, UI_TRAIN_CMD_RESET, UI_TRAIN_CMD_NEXT } UiTrainCmd;

/* Appends a running-loss point, merging neighbours pairwise when the array is full. */
void ui_train_add_point(UiTrainSnap *s, float x, float loss);

/* "2,000 training images · dropout off · mirroring off · seed 1" */
char *ui_train_settings_text(const UiTrainSettings *s, char *buf, size_t size);
/* "epoch 3 of 20: training loss 0.512, training 81.2%, test 79.9%, 2.4 s" for the last epoch;
   "" before the first. */
char *ui_train_epoch_text(const UiTrainSnap *s, char *buf, size_t size);
/* The state line: "running · epoch 4, 1,280 of 2,000 images · 2,950 images/s". */
char *ui_train_status_text(const UiTrainSnap *s, char *buf, size_t size);

/* IMG_TOOLS: the six filters, the test image and its six maps side by side. */
void ui_train_images(UiImages *im, const UiView *v, const UiTrainSnap *s);
/* The whole window as the training view. */
void vw_train(DrawList *dl, const UiView *v, const UiTrainSnap *s);

#endif
