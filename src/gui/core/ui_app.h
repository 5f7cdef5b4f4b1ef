/* ui_app.h - the window's logic without a display: what a key, a click or a dropped file
   does, the lesson controller (which step, what the worker must prepare for it, when the
   step's view can be applied), the lesson picker, and one frame's layout, images and draw
   list. The SDL layer (sdl_*.c) turns events into these calls and draws app.dl.

       UiApp *A = calloc(1, sizeof *A);
       ui_app_init(A, &options, &port);           // port: the worker behind function pointers
       ui_app_load(A, now);                       // queue weights and the first image
       each frame:
           fx = ui_app_action(A, ui_keys_action(key, mods), now);   // or ui_app_click / ui_app_drop
           ui_app_frame(A, w, h, now, 1, mx, my);                  // then draw A->dl, A->im
           fx & UI_FX_QUIT / UI_FX_FULLSCREEN / UI_FX_EXPORT: the caller's to do
       ui_app_free(A);

   The worker is reached only through UiAppWorker, so tests pass fakes that record the
   requests and fill the UiModel themselves. Times are seconds on the caller's clock.
   Ownership: UiApp owns its lesson, the picker's list, the synced UiModel, images, draw list
   and labels (ui_app_free); it never owns the worker. */
#ifndef ALEXSCOPE_UI_APP_H
#define ALEXSCOPE_UI_APP_H

#include <stdint.h>

#include "labels.h"
#include "lesson.h"
#include "ui_draw.h"
#include "ui_images.h"
#include "ui_layout.h"
#include "ui_lesson.h"
#include "ui_options.h"
#include "ui_state.h"
#include "ui_train.h"
#include "ui_view.h"
#include "ui_model.h" /* UiModel, UiNote */

/* The worker's requests (worker.h has their meaning); ctx is passed back. */
typedef struct {
    void *ctx;
    void (*weights)(void *ctx, const char *path, const ArchSpec *arch, uint64_t seed);
    void (*image)(void *ctx, const char *path, int mirror);
    void (*image_crop)(void *ctx, const char *path, int mirror, int crop_seed);
    void (*dropout)(void *ctx, int train);
    /* takes one (free with lesson_free and free) */
    void (*narrate)(void *ctx, Lesson *one, int layers, unsigned tag, const Labels *lb);
    void (*drop)(void *ctx, const char *path, int mirror);
    void (*target)(void *ctx, int layers);
    /* adopts what the worker published into m; 1 and *note if a note was waiting */
    int (*sync)(void *ctx, UiModel *m, UiNote *note);
    /* the engines and the tools (issue 9); NULL: not offered (a note says so) */
    void (*engine)(void *ctx, int fast);
    void (*crops)(void *ctx);
    void (*occlusion)(void *ctx);
    void (*patches)(void *ctx, int layer);
    void (*cancel)(void *ctx); /* stop the running tool job */
    /* the saliency map of target t by method (ReluMode; key Y); NULL: not offered */
    void (*saliency)(void *ctx, const UiSalTarget *t, int method);
} UiAppWorker;

/* The training thread (issue 10, train_thread.h), set after ui_app_init; zero: not offered.
   START starts it with s (once), RESET starts a new run with s, NEXT records s for the next
   reset; sync copies the newest snapshot into out (1 if it changed). */
typedef struct {
    void *ctx;
    void (*cmd)(void *ctx, UiTrainCmd cmd, const UiTrainSettings *s);
    int (*sync)(void *ctx, UiTrainSnap *out);
} UiAppTrain;

typedef struct {
    UiOptions a;
    UiAppWorker wk;
    UiAppTrain tp;
    UiState st;
    UiLayout L;
    UiModel m;
    UiImages im;
    DrawList dl;               /* the caller sets dl.measure / measure_ctx */
    Labels labels[2];          /* ImageNet's 1000 class names, Fashion-MNIST's 10 (lenet5), both kept
                                  for the window's life: a narration job may hold either */
    int have_labels[2];
    char export_dir[512];      /* absolute */
    char lessons_dir[1024];    /* where the picker looks */
    /* the lesson playing (NULL: none) and what was asked of the worker for it */
    Lesson *ls;
    char lesson_image[1024];   /* IMAGE from the command line: replaces the lesson's */
    UiLessonInput in;          /* the input the worker was last asked for */
    int in_known;              /* in describes the worker's input */
    int view_pending;          /* apply the step's view once the lesson's arch is in */
    unsigned narr_tag;         /* the last narration asked for */
    const ArchSpec *want_arch; /* the arch last asked of the worker (NULL: unknown) */
    char want_weights[1024];
    UiLessonList *list;        /* the picker's lessons */
    char list_error[512];
    UiLessonShow show;
    double frame_ms;           /* the last frame's time, for the status line (the caller's) */
    int fashion;               /* lenet5: the samples (S) are assets/fashion's, the classes Fashion-MNIST's */
    int fashion_sample;        /* the next of them */
    int train_view;            /* J: the window shows live training (ui_train.h) */
    UiTrainSettings train_next;/* what R starts */
    UiTrainSnap *train;        /* the last snapshot (NULL until J) */
} UiApp;

/* State from the options, labels (a status line if missing), the export folder made
   absolute, the lessons folder. A must be zeroed. Allocates nothing yet. */
void ui_app_init(UiApp *A, const UiOptions *o, const UiAppWorker *wk);
void ui_app_free(UiApp *A);

/* --lesson: loads the lesson before any window opens (--weights replaces its weights
   file; --lesson-step must exist). -1 and an Err if it does not load. */
int ui_app_open_lesson(UiApp *A, Err *e);

/* Queues the weights and the first image (or starts the lesson at --lesson-step). */
void ui_app_load(UiApp *A, double now);

/* Adopts what the worker published: notes become status lines or messages; a lesson whose
   weights failed falls back to built-in weights; another arch resets the position. */
void ui_app_absorb(UiApp *A, double now);
/* Applies the lesson step's view once the lesson's arch is loaded (view_pending). */
void ui_app_apply_view(UiApp *A);

/* A key's action, a click (right: deselect) or a dropped file. Returns the UI_FX_* bits
   left for the caller: UI_FX_QUIT, UI_FX_FULLSCREEN, UI_FX_EXPORT. */
int ui_app_action(UiApp *A, UiAction act, double now);
int ui_app_click(UiApp *A, int x, int y, int right, double now);
/* A dropped file: a .lesson plays from its first step (one that does not load says why in
   a message); anything else goes to the worker, which opens it as weights or an image. */
void ui_app_drop(UiApp *A, const char *path, double now);

/* Opens a tool's view (UI_TOOL_VIEW_*, as X / O / H do) and starts its job. */
void ui_app_tool(UiApp *A, int view);
/* H's index exists for the current layer. */
int ui_app_patches_ready(const UiApp *A);

/* J and, in the training view, Space / R / D / M / Z / Esc (ui_app_train.c); 1 if handled. */
int ui_app_train_action(UiApp *A, UiAction act);
/* The training view's frame (called by ui_app_frame while A->train_view). */
void ui_app_train_frame(UiApp *A, UiView *v);

/* What the view draws from now. */
UiView ui_app_view(UiApp *A, double now);
/* One frame for a w x h output: absorb, lesson view, layout, hover (if hover), images and
   the draw list A->dl. */
void ui_app_frame(UiApp *A, int w, int h, double now, int hover, int mx, int my);

#endif
