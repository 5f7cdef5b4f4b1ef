/* soak.h - what the window's soak test (test_gui_soak.c) and its event stream
   (soak_events.c) share: the Soak state, the event kinds, the bad files, and the calls each
   side makes of the other (prefix soak_).

       Soak *S = calloc(1, sizeof *S);  S->A = app;  S->rng = seed;
       soak_make_files(S, assets);  soak_collect_keys(S);  soak_add_good(S, assets, "fashion/[0-9]-*.png");
       each event:  soak_event(S);  soak_frame(S, 1, 0);

   Test code: failures are cmocka assertions. The Soak owns nothing but its own arrays. */
#ifndef ALEXSCOPE_TEST_SOAK_H
#define ALEXSCOPE_TEST_SOAK_H

#include <stdint.h>

#include "sdl_app.h"

#if defined(__SANITIZE_ADDRESS__)
#define SOAK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOAK_ASAN 1
#endif
#endif

typedef enum {
    EV_KEY, EV_CLICK, EV_RIGHT, EV_DRAG, EV_HOVER, EV_WHEEL, EV_RESIZE, EV_GOOD, EV_BAD, EV_LESSON, EV_CANCEL,
    EV_KINDS
} EvKind;
extern const char *const soak_ev_names[EV_KINDS];

enum { BAD_TRUNC_PNG, BAD_TEXT_PNG, BAD_DIR, BAD_MISSING, BAD_FIFO, BAD_LESSON, BAD_ST, BAD_KINDS };
extern const char *const soak_bad_names[BAD_KINDS];

#define SOAK_GOOD 64
#define SOAK_LOG 48

typedef struct {
    App *A;
    uint64_t rng, seed;
    long event;                     /* the event being fed */
    long count[EV_KINDS];
    int keys[64][2], nkeys;         /* every (key, mods) the table binds, and some it does not */
    char good[SOAK_GOOD][1024];     /* files a drop opens (and lesson files, which it refuses) */
    int ngood;
    char bad[BAD_KINDS][1024];
    long bad_dropped[BAD_KINDS], bad_msgs[BAD_KINDS];
    long frames, rasters, drop_busy;/* frames built, drawn by SDL; drops refused as "Busy" */
    double frame_ms, core_ms;       /* all of the frames, and their ui_app_frame part */
    long notes, error_notes, busy, stale, refusals, messages, lesson_drops, internal, narr_errors, quits, exports;
    char first_internal[3][700];
    char last_msg[512];
    char note_texts[16][512];       /* the last error notes: a boxed message may be one */
    int nnote_texts;
    unsigned narr_seen;
    char log[SOAK_LOG][128];        /* the last events, for a failure's report */
    char stderr_path[256];
    int saved_stderr, redirected;
} Soak;

/* soak_events.c */
void soak_event(Soak *S);                 /* one random event, counted in S->count */
void soak_key(Soak *S, int key, int mods);/* as a key press reaches the window */
void soak_resize(Soak *S, int w, int h);
void soak_log(Soak *S, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The bad files in ts_dir (S->bad) and a lessons folder of the shipped lessons and a
   corrupt one, which becomes the picker's. */
void soak_make_files(Soak *S, const char *assets);
void soak_collect_keys(Soak *S);
void soak_add_good(Soak *S, const char *dir, const char *pattern); /* glob pattern under dir */

/* test_gui_soak.c */
void soak_frame(Soak *S, int hover, int raster);
void soak_dump_log(Soak *S, int failing);

#endif
