/* ui_worker.h - the background thread that owns the slow work: loading weights and
   images, preprocessing, computing layers, writing exports. The UI thread never waits
   for it (a mutex held for a few copies at most).

   The worker owns the Net while it computes. The UI reads a published snapshot
   (UiModel): the Net's spec fields any time, a layer's out_data / stats only for layers
   below model.ready. Before the worker overwrites layers (a new image or mirror), it sets
   ready = 0 and waits until the UI's next ui_worker_sync() has seen that, so the UI is
   never reading a buffer being written.

       UiWorker *wk = ui_worker_start(1, &err);       // 0: run every job inside the call
       ui_worker_weights(wk, NULL, arch_find("alexnet"), 42);
       ui_worker_image(wk, "cat.png", 0);
       ui_worker_target(wk, 5);                       // compute 5 layers
       each frame:  ui_worker_sync(wk, &model, &msg);
       ui_worker_stop(wk);  ui_model_free(&model);

   Ownership: the UiModel's net, weights and images belong to the UI once synced; the
   worker hands over a new Net / images and never touches the old ones again. */
#ifndef ALEXSCOPE_UI_WORKER_H
#define ALEXSCOPE_UI_WORKER_H

#include <stdint.h>

#include "export.h"
#include "img.h"
#include "labels.h"
#include "lesson.h"
#include "net.h"

#define UI_NARRATION_MAX 8192

typedef struct {
    const ArchSpec *arch;   /* NULL until the first weights are in */
    Net *net;
    Weights *weights;
    int ready;              /* layers of net whose out_data may be read */
    int has_input;          /* net->input may be read */
    unsigned data_gen;      /* bumps whenever the activations are recomputed from scratch */
    Image photo;            /* display copy of the photo (at most 1024 px a side) */
    Image crop;             /* the crop the network sees, RGB */
    CropBox box;            /* in the original photo's pixels */
    int orig_w, orig_h;     /* the original photo's size */
    char image_name[256];
    int mirror;
    unsigned image_gen;     /* bumps when photo / crop change */
    unsigned net_gen;       /* bumps when net / weights change */
    int busy;               /* the worker has something to do */
    char busy_what[96];     /* "computing conv2", "loading weights" */
    int crop_seed;          /* -1: centre crop, else the seed of a random crop */
    int train_dropout;      /* dropout layers use a random mask */
    unsigned narration_tag; /* the ui_worker_narrate() request the text below answers */
    int narration_error;
    char narration[UI_NARRATION_MAX];
} UiModel;

typedef struct {
    char text[512];
    int error;
} UiNote;

typedef struct UiWorker UiWorker;

/* threaded 0: every job runs synchronously inside the call that queues it (screenshot
   mode, tests). NULL and an Err if the thread cannot start. */
UiWorker *ui_worker_start(int threaded, Err *e);
/* Stops the thread and frees what the worker still owns (not the synced model). */
void ui_worker_stop(UiWorker *wk);

/* path NULL: built-in weights for arch with seed. arch NULL: infer from the file. */
void ui_worker_weights(UiWorker *wk, const char *path, const ArchSpec *arch, uint64_t seed);
/* path NULL: the current image again (for mirror). */
void ui_worker_image(UiWorker *wk, const char *path, int mirror);
/* Like ui_worker_image, and also sets the crop: -1 centre, else a random crop with that
   seed (ui_worker_image keeps the current crop). */
void ui_worker_image_crop(UiWorker *wk, const char *path, int mirror, int crop_seed);
/* Dropout layers in training mode (a seeded random mask) or as the identity; the layers
   from the first dropout layer on are computed again. Stays for later weights too. */
void ui_worker_dropout(UiWorker *wk, int train);
/* Expands the only step of `one` (from ui_lesson_one_step; the worker takes it and frees
   it) once `layers` layers are computed on a net of one->arch, and again whenever the
   activations change; the text arrives in UiModel.narration with narration_tag = tag.
   one NULL: stop narrating. lb (may be NULL) must outlive the worker. */
void ui_worker_narrate(UiWorker *wk, Lesson *one, int layers, unsigned tag, const Labels *lb);
/* A dropped file: weights if wfile_detect knows it, else an image. */
void ui_worker_drop(UiWorker *wk, const char *path, int mirror);
/* Compute until `layers` layers are done. */
void ui_worker_target(UiWorker *wk, int layers);

typedef struct {
    char dir[512];
    int layer;            /* arch layer, -1: the input */
    int channel;          /* enlarged channel, -1: none */
    Norm norm;
    Colormap cmap;
    Image screen;         /* window pixels; the job takes ownership */
} UiExportJob;
/* Writes <dir>/<layer>_grid.png, <layer>_cNNN.png and <layer>_screen.png. */
void ui_worker_export(UiWorker *wk, UiExportJob *job);

/* The UI's frame start: adopts what the worker published into m (freeing what m held
   before), copies the oldest note into *note (returns 1 if there was one). */
int ui_worker_sync(UiWorker *wk, UiModel *m, UiNote *note);
/* 1 while the worker has queued or running jobs or layers left to compute. */
int ui_worker_busy(UiWorker *wk);

void ui_model_free(UiModel *m);

#endif
