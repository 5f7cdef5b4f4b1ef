/* sdl_fit.h - --check-fit and --check-fit-all: which texts of a frame did not fit where
   they are drawn (the draw list counts them: DrawList.nclip, ui_draw.h).

       sdl_app_frame(A, now, 0);
       int clipped = sdl_fit_report(A);    // "clipped: 2 (first: 'Why 227 …')" on stderr
       rc = sdl_fit_sweep(A);              // after the offscreen renderer exists: 0, or 3

   The sweep renders, at A's size, every position of the arch with every card (with no
   unit, the centre unit and the corner unit), then every step of the --lesson given or of
   every lesson in the lessons folder; it builds draw lists only, and draws and writes a
   frame as PNG (FILE-NNN.png for --screenshot FILE.png, the first SDL_FIT_PICTURES of
   them) only when it clips. Prints one
   line per frame that clips on stderr and a summary on stdout. Internal to src/gui/sdl. */
#ifndef ALEXSCOPE_SDL_FIT_H
#define ALEXSCOPE_SDL_FIT_H

#include "sdl_app.h"

#define SDL_FIT_EXIT 3      /* the exit status when some text did not fit */
#define SDL_FIT_PICTURES 20 /* frames that clip written as PNG, at most */

/* Prints what the last frame clipped on stderr; returns the count. */
int sdl_fit_report(App *A);
/* Returns 0 if nothing clipped, SDL_FIT_EXIT if something did, 1 on an error. */
int sdl_fit_sweep(App *A);

#endif
