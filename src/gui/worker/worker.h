/* worker.h - the window's background thread: it owns the slow work (loading weights and
   images, preprocessing, computing layers, expanding a lesson's narration, writing
   exports), so the UI thread never waits for it longer than a few copies under a mutex.

   Three mailboxes connect the two threads (worker_impl.h): the job queue (UI -> worker),
   the published model (worker -> UI: new nets and images, progress, notes) and the
   narration box (a lesson step to expand, and its text).

       Worker *wk = worker_start(1, &err);            // 0: every job runs inside the call
       worker_weights(wk, NULL, arch_find("alexnet")); // built-in weights
       worker_image(wk, "cat.png", 0);
       worker_target(wk, 5);                          // compute 5 layers
       each frame:  while (worker_sync(wk, &model, &note)) show(note.text);
       worker_stop(wk);  ui_model_free(&model);

   Ownership: the worker owns the Net while it computes. The UI reads the published UiModel:
   the net's plan any time, a layer's run data only for layers below model.ready. Before
   the worker overwrites layers (a new image, mirror, dropout) it sets ready = 0 and waits
   until the UI's next worker_sync has seen that, so the UI never reads a buffer being
   written. Once synced, the model, net and images belong to the UiModel; the worker hands
   over new ones and never touches the old ones again.

   Failure: requests return nothing; what went wrong arrives as a UiNote with error = 1
   ("cat.png: not a PNG ...\nKeeping the previous image.") and the previous weights or image
   stay. A request that cannot be queued (queue full, out of memory) is refused with a note. */
#ifndef ALEXSCOPE_WORKER_H
#define ALEXSCOPE_WORKER_H

#include "labels.h"
#include "lesson.h"
#include "saliency.h"
#include "ui_model.h"
#include "viz.h"

typedef struct Worker Worker;

/* threaded 0: every job runs synchronously inside the call that queues it (screenshot
   mode, tests). NULL and an Err if the thread cannot start. */
Worker *worker_start(int threaded, Err *e);
/* Stops the thread and frees what the worker still owns (not the synced model). */
void worker_stop(Worker *wk);

/* path NULL: the built-in weights of arch (WEIGHTS_DEFAULT_SEED; arch NULL: alexnet).
   arch NULL with a file: inferred from the file. If the first weights fail to load, the
   built-in ones are used so the window has something to show. */
void worker_weights(Worker *wk, const char *path, const ArchSpec *arch);
/* path NULL: the current image again (for mirror). Keeps the current crop. */
void worker_image(Worker *wk, const char *path, int mirror);
/* Like worker_image, and also sets the crop: -1 centre, else a random crop with that seed. */
void worker_image_crop(Worker *wk, const char *path, int mirror, int crop_seed);
/* Dropout layers in training mode (a seeded random mask) or as the identity; the layers
   from the first dropout layer on are computed again. Stays for later weights too. */
void worker_dropout(Worker *wk, int train);
/* Expands the only step of `one` (from ui_lesson_one_step; the worker takes it and frees
   it) once `layers` layers are computed on a net of one->arch, and again whenever the
   activations change; the text arrives in UiModel.narration with narration_tag = tag.
   one NULL: stop narrating. lb (may be NULL) must outlive the worker. */
void worker_narrate(Worker *wk, Lesson *one, int layers, unsigned tag, const Labels *lb);
/* --resize "warp" or "short" (NULL: each preset's own) for the weights loaded after this
   request: call it before the first worker_weights. */
void worker_resize(Worker *wk, const char *mode);
/* A dropped file: weights if wfile_detect knows it, else an image. */
void worker_drop(Worker *wk, const char *path, int mirror);
/* Compute until `layers` layers are done. */
void worker_target(Worker *wk, int layers);

typedef struct {
    char dir[512];
    int layer;            /* arch layer, -1: the input */
    Norm norm;
    Colormap cmap;
    Image screen;         /* window pixels (may be empty); the worker takes ownership */
} WorkerExport;
/* export_layer (or, for the input, export_maps named "input") into dir, computing the
   layer first if needed, plus <dir>/<layer>_screen.png. */
void worker_export(Worker *wk, WorkerExport *job);

/* ---- the engines and the tools (issue 9) ---- */

/* The engine the layers are computed with (key F): 0 the naive loops, 1 the fast engine
   (im2col + SGEMM). Without a fast engine in this build, or with dropout in training mode
   (the fast engine is inference only), a note says why and the naive loops go on. Every
   layer is computed again; each layer's time on each engine stays in UiModel.ms. */
void worker_engine(Worker *wk, int fast);
/* The paper's ten crops of the current photo (model_full_input + tool_crops). */
void worker_crops(Worker *wk);
/* The occlusion map of the current input for its top-1 class: a 32×32 square, stride 16
   (inputs under 100 px: a quarter and an eighth of the side). */
void worker_occlusion(Worker *wk);
/* The top patches of every channel of arch layer `layer` over the images in folder (NULL:
   the current photo's folder, else the samples). */
void worker_patches(Worker *wk, int layer, const char *folder);
/* The gradient image (tool_saliency) of p's class score or unit for the current input, on the
   worker's own Net (the layers already computed are reused; the rest up to p's layer are
   computed first); the result goes to UiModel.sal. */
void worker_saliency(Worker *wk, const SalParams *p);
/* The tools run on the fast engine when this build has it (they need many passes), else on
   the naive loops; progress goes to UiModel.progress, the result to UiModel.crops / occ /
   patches (replacing the previous one), and a note says what it found and how long it took.

   Stops the running tool job after its current batch (any thread): its note says
   "cancelled" and the previous result stays. */
void worker_cancel(Worker *wk);
/* Test hook: fn(ctx, done, total) after each batch of a tool job, on the worker thread. */
void worker_set_progress_hook(Worker *wk, void (*fn)(void *ctx, int done, int total), void *ctx);

/* The UI's frame start: adopts what the worker published into m (freeing what m held
   before), copies the oldest note into *note (returns 1 if there was one). */
int worker_sync(Worker *wk, UiModel *m, UiNote *note);
/* 1 while the worker has queued or running jobs or layers left to compute. */
int worker_busy(Worker *wk);

/* Test hook, for the out-of-memory paths only: the n-th allocation the worker makes for a
   request or a job from now on fails (1: the next one; 0: none fail). Allocations inside
   other modules (decoding, net_create) are not counted. */
void worker_set_alloc_fail(Worker *wk, int n);

#endif
