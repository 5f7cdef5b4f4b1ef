/* sdl_app.h - what the SDL layer's files share (sdl_main.c, sdl_headless.c,
   sdl_selftest.c): the App (the display-free UiApp plus the window, renderer, SdlGfx and
   worker), its setup and teardown, one drawn frame, and the export trigger.

       App *A = calloc(1, sizeof *A);
       sdl_app_init(A, &options);                 // UiApp only; no SDL yet
       A->ren = ...;  sdl_app_start(A, threaded, &err);   // fonts, worker
       sdl_app_frame(A, now, 1);  SDL_RenderPresent(A->ren);
       sdl_app_free(A);

   Internal to src/gui/sdl_*.c. Who owns what: App owns the window, renderer, surface,
   SdlGfx and worker; A->app owns the UiModel the worker hands over. All engine work
   happens on the worker's thread (or inside the call, headless); this thread only syncs,
   lays out, builds draw commands and draws. Times are seconds of now_ms() / 1e3. */
#ifndef ALEXSCOPE_SDL_APP_H
#define ALEXSCOPE_SDL_APP_H

#include <SDL.h>

#include "sdl_render.h"
#include "ui_app.h"
#include "train_thread.h"
#include "worker.h"

typedef struct {
    UiApp app;
    Worker *wk;
    TrainThread *tt;      /* the training thread, from the first J (NULL before) */
    SDL_Window *win;      /* NULL headless */
    SDL_Renderer *ren;
    SDL_Surface *surf;    /* headless: what the software renderer draws into */
    SdlGfx *gfx;
    int w, h;             /* output pixels */
    int mx, my;           /* mouse, in output pixels */
    int export_pending;   /* E: export after this frame is drawn */
} App;

/* The clock every sdl_*.c file uses: seconds. */
double sdl_now(void);

/* The display-free part (ui_app_init with the worker behind A->wk). */
void sdl_app_init(App *A, const UiOptions *o);
/* After A->ren exists: fonts and the worker (threaded 0: jobs run inside each call). */
int sdl_app_start(App *A, int threaded, Err *e);
void sdl_app_free(App *A);

/* Update and Draw of one frame (does not present). hover: use the mouse position. */
void sdl_app_frame(App *A, double now, int hover);
/* E: the window's pixels and the current layer to the export folder (on the worker). */
void sdl_app_export(App *A);

/* sdl_headless.c: --screenshot and --bench-ui (t0: when the program started). */
int sdl_screenshot_mode(App *A);
int sdl_bench_mode(App *A, double t0);

/* sdl_selftest.c: --selftest-events, one scripted event per frame. */
typedef struct {
    int step;            /* next scripted event */
    int phase;           /* 0 keys, 1 good drop, 2 bad drop, 3 done; 10.. a lesson first */
    double phase_t;
    char good_name[256];
    int failures;
} SdlSelfTest;
void sdl_selftest_begin(App *A, SdlSelfTest *t);
void sdl_selftest_tick(App *A, SdlSelfTest *t, double now);

#endif
