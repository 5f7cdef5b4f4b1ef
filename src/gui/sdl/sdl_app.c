/* sdl_app.c - the App shared by the SDL layer's modes (sdl_app.h): the worker behind
   UiApp's function pointers, setup and teardown, one drawn frame, the export trigger. */
#include <stdlib.h>
#include <string.h>

#include "sdl_app.h"
#include "util.h"

double sdl_now(void) { return now_ms() / 1e3; }

/* ---- the worker, as UiApp sees it ------------------------------------------------------ */

static Worker *wk_of(void *ctx) { return ((App *)ctx)->wk; }
static void wk_weights(void *c, const char *path, const ArchSpec *a, uint64_t seed) { worker_weights(wk_of(c), path, a); }
static void wk_image(void *c, const char *path, int mirror) { worker_image(wk_of(c), path, mirror); }
static void wk_image_crop(void *c, const char *path, int mirror, int seed) { worker_image_crop(wk_of(c), path, mirror, seed); }
static void wk_dropout(void *c, int train) { worker_dropout(wk_of(c), train); }
static void wk_narrate(void *c, Lesson *one, int layers, unsigned tag, const Labels *lb)
{
    worker_narrate(wk_of(c), one, layers, tag, lb);
}
static void wk_drop(void *c, const char *path, int mirror) { worker_drop(wk_of(c), path, mirror); }
static void wk_target(void *c, int layers) { worker_target(wk_of(c), layers); }
static int wk_sync(void *c, UiModel *m, UiNote *note) { return worker_sync(wk_of(c), m, note); }
static void wk_engine(void *c, int fast) { worker_engine(wk_of(c), fast); }
static void wk_crops(void *c) { worker_crops(wk_of(c)); }
static void wk_occlusion(void *c) { worker_occlusion(wk_of(c)); }
static void wk_patches(void *c, int layer) { worker_patches(wk_of(c), layer, NULL); }
static void wk_cancel(void *c) { worker_cancel(wk_of(c)); }
static void wk_saliency(void *c, const UiSalTarget *t, int method)
{
    SalParams p = {.method = (ReluMode)method, .layer = t->layer, .cls = t->cls, .c = t->c, .y = t->y, .x = t->x};
    worker_saliency(wk_of(c), &p);
}

/* The training thread, as UiApp sees it: started by the first J, with its own mailbox. */
static void tt_cmd(void *c, UiTrainCmd cmd, const UiTrainSettings *s)
{
    App *A = c;
    Err e = {0};
    if (cmd == UI_TRAIN_CMD_START && !A->tt && !(A->tt = train_thread_start(s, "fashion-mnist", &e)))
        ui_set_message(&A->app.st, 1, sdl_now(), 0, "%s", e.msg);
    if (!A->tt) return;
    if (cmd == UI_TRAIN_CMD_PAUSE || cmd == UI_TRAIN_CMD_RESUME) train_thread_pause(A->tt, cmd == UI_TRAIN_CMD_PAUSE);
    if (cmd == UI_TRAIN_CMD_RESET) train_thread_reset(A->tt, s);
    if (cmd == UI_TRAIN_CMD_NEXT) train_thread_next(A->tt, s);
}
static int tt_sync(void *c, UiTrainSnap *out) { return ((App *)c)->tt ? train_thread_sync(((App *)c)->tt, out) : 0; }

void sdl_app_init(App *A, const UiOptions *o)
{
    UiAppWorker port = {A,        wk_weights, wk_image,  wk_image_crop, wk_dropout,   wk_narrate, wk_drop,
                        wk_target, wk_sync,   wk_engine, wk_crops,      wk_occlusion, wk_patches, wk_cancel,
                        wk_saliency};
    ui_app_init(&A->app, o, &port);
    A->app.tp = (UiAppTrain){A, tt_cmd, tt_sync};
}

int sdl_app_start(App *A, int threaded, Err *e)
{
    A->app.dl.measure = sdl_gfx_measure;
    A->gfx = sdl_gfx_create(A->ren, A->app.a.font, e);
    A->app.dl.measure_ctx = A->gfx;
    if (!A->gfx) return -1;
    A->wk = worker_start(threaded, e);
    if (A->wk && A->app.a.resize) worker_resize(A->wk, A->app.a.resize);
    return A->wk ? 0 : -1;
}

void sdl_app_free(App *A)
{
    worker_stop(A->wk); /* first: it may still write into what the app owns */
    A->wk = NULL;
    train_thread_stop(A->tt); /* joins the training thread */
    A->tt = NULL;
    ui_app_free(&A->app);
    sdl_gfx_free(A->gfx);
    if (A->ren) SDL_DestroyRenderer(A->ren);
    if (A->surf) SDL_FreeSurface(A->surf);
    if (A->win) SDL_DestroyWindow(A->win);
    A->gfx = NULL, A->ren = NULL, A->surf = NULL, A->win = NULL;
}

void sdl_app_frame(App *A, double now, int hover)
{
    ui_app_frame(&A->app, A->w, A->h, now, hover, A->mx, A->my);
    sdl_gfx_upload(A->gfx, &A->app.im);
    sdl_gfx_draw(A->gfx, &A->app.dl);
}

void sdl_app_export(App *A)
{
    UiState *st = &A->app.st;
    WorkerExport job = {0};
    str_copy(job.dir, sizeof job.dir, A->app.export_dir);
    job.layer = ui_pos_layer(st->pos);
    job.norm = (Norm)st->norm;
    job.cmap = (Colormap)st->cmap;
    Err e = {0};
    if (sdl_gfx_read(A->gfx, A->w, A->h, &job.screen, &e) != 0) ui_set_status(st, "%s", e.msg);
    worker_export(A->wk, &job);
    ui_set_status(st, "Exporting to %s…", A->app.export_dir);
}
