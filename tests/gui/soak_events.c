/* soak_events.c - the soak's events (soak.h): a seeded stream of what a user does to the
   window, fed to the window's logic as sdl_main.c's handle_event feeds it, and the files the
   stream drops. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rng.h"
#include "soak.h"
#include "support.h"
#include "ui_keys.h"
#include "util.h"

const char *const soak_ev_names[EV_KINDS] = {"key", "click", "right", "drag", "hover", "wheel",
                                             "resize", "good-drop", "bad-drop", "lesson", "esc-job"};
static const int ev_weight[EV_KINDS] = {46, 14, 3, 5, 7, 3, 3, 6, 5, 6, 2}; /* percent */
const char *const soak_bad_names[BAD_KINDS] = {"truncated.png", "text.png", "a-directory.png", "missing.png",
                                               "fifo.png", "corrupt.lesson", "corrupt.safetensors"};

static int pick(Soak *S, int n) { return (int)(rng_next(&S->rng) % (uint64_t)n); }

void soak_log(Soak *S, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *slot = S->log[S->event % SOAK_LOG];
    int n = snprintf(slot, sizeof S->log[0], "#%ld ", S->event);
    vsnprintf(slot + n, sizeof S->log[0] - (size_t)n, fmt, ap);
    va_end(ap);
}

/* What handle_event does with a key's or a click's UI_FX_* bits. */
static void caller_fx(Soak *S, int fx)
{
    App *A = S->A;
    if (fx & UI_FX_EXPORT) A->export_pending = 1;
    if (fx & UI_FX_FULLSCREEN)
        sdl_check(SDL_SetWindowFullscreen(A->win, A->app.st.fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0),
                  "SDL_SetWindowFullscreen");
    if (fx & UI_FX_QUIT) S->quits++; /* the window would close; the soak goes on */
}

void soak_key(Soak *S, int k, int mods)
{
    caller_fx(S, ui_app_action(&S->A->app, ui_keys_action(k, mods), sdl_now()));
}

void soak_resize(Soak *S, int w, int h)
{
    SDL_SetWindowSize(S->A->win, w, h);
    SDL_PumpEvents();
    SDL_FlushEvents(SDL_FIRSTEVENT, SDL_LASTEVENT);
}

/* ---- the events ---------------------------------------------------------------------------- */

/* A point on something clickable, or anywhere. */
static void target_point(Soak *S, int *x, int *y)
{
    const UiLayout *L = &S->A->app.L;
    UiRect r = {0, 0, S->A->w, S->A->h};
    UiView v = ui_app_view(&S->A->app, sdl_now());
    UiGrid g;
    switch (pick(S, 6)) {
    case 0:
        if (L->npos > 0) r = L->box[pick(S, L->npos)];
        break;
    case 1:
        if (L->nbutton > 0) r = L->button[pick(S, L->nbutton)].r;
        break;
    case 2: r = L->tabs[pick(S, CARD_COUNT)]; break;
    case 3:
        if (ui_view_grid(&v, &g) && g.n > 0) r = ui_grid_tile(&g, pick(S, g.n));
        break;
    case 4: r = L->zoom_area.w > 0 ? L->zoom_area : L->photo_area; break;
    default: break;
    }
    *x = r.x + (r.w > 0 ? pick(S, r.w) : 0);
    *y = r.y + (r.h > 0 ? pick(S, r.h) : 0);
}

static void ev_key(Soak *S)
{
    int i = pick(S, S->nkeys);
    char name[32];
    soak_log(S, "key %s", ui_keys_name(S->keys[i][0], S->keys[i][1], name, sizeof name));
    soak_key(S, S->keys[i][0], S->keys[i][1]);
}

static void ev_click(Soak *S, int right)
{
    App *A = S->A;
    target_point(S, &A->mx, &A->my);
    soak_log(S, "%s click %d,%d (%dx%d)", right ? "right" : "left", A->mx, A->my, A->w, A->h);
    caller_fx(S, ui_app_click(&A->app, A->mx, A->my, right, sdl_now()));
}

/* Down (a click), four moves with a frame each; the window has no drag of its own. */
static void ev_drag(Soak *S)
{
    ev_click(S, 0);
    int x = S->A->mx, y = S->A->my;
    for (int i = 0; i < 4; i++) {
        soak_frame(S, 1, 1);
        S->A->mx = x + pick(S, 401) - 200, S->A->my = y + pick(S, 401) - 200;
    }
}

static void ev_resize(Soak *S)
{
    static const int sizes[][2] = {{320, 200}, {640, 360}, {800, 600}, {1024, 768}, {1280, 720}, {1366, 768},
                                   {1920, 1080}, {2560, 1440}, {3840, 2160}, {8192, 8192}, {8192, 200}, {320, 8192}};
    int n = (int)(sizeof sizes / sizeof sizes[0]), i = pick(S, n);
    int w = pick(S, 4) ? sizes[i][0] : 320 + pick(S, 2000), h = pick(S, 4) ? sizes[i][1] : 200 + pick(S, 1200);
    soak_log(S, "resize %dx%d", w, h);
    soak_resize(S, w, h);
    if ((long)w * h > 1920L * 1080) { /* one frame that big, then back to an ordinary size */
        soak_frame(S, 1, 1);
        soak_resize(S, 1280, 720);
    }
}

static void ev_drop(Soak *S, int bad)
{
    const char *path;
    int k = 0;
    if (bad) {
        k = pick(S, BAD_KINDS);
        S->bad_dropped[k]++;
        path = S->bad[k];
    } else {
        path = S->good[pick(S, S->ngood)];
    }
    soak_log(S, "drop %s", path);
    long busy = S->busy;
    ui_app_drop(&S->A->app, path, sdl_now());
    size_t n = strlen(path);
    if (!bad && n > 7 && !strcmp(path + n - 7, ".lesson") && S->A->app.st.lesson) S->lesson_drops++;
    soak_frame(S, 1, 0); /* a full queue refuses the drop at once, with "Busy" */
    if (S->busy > busy) {
        S->drop_busy++;
        if (bad) S->bad_dropped[k]--;
    }
}

/* In a lesson: a step (N, P, PgDn, Home, End ...) or Esc; else L, some ↓, Enter. */
static void ev_lesson(Soak *S)
{
    UiApp *P = &S->A->app;
    if (P->st.lesson && pick(S, 12)) {
        static const int steps[] = {'n', 'n', 'n', UI_KEY_PAGEDOWN, UI_KEY_RIGHT, 'p', UI_KEY_PAGEUP, UI_KEY_LEFT,
                                    UI_KEY_HOME, UI_KEY_END, UI_KEY_SPACE};
        int k = steps[pick(S, (int)(sizeof steps / sizeof steps[0]))];
        soak_log(S, "lesson step key %d (step %d of %d)", k, P->st.lesson_step + 1, P->st.lesson_nsteps);
        soak_key(S, k, 0);
        return;
    }
    if (P->st.lesson) {
        soak_log(S, "lesson: Esc");
        soak_key(S, UI_KEY_ESCAPE, 0);
        return;
    }
    int downs = pick(S, 24);
    soak_log(S, "lesson picker: L, %d x down, Enter", downs);
    if (!P->st.picker) soak_key(S, 'l', 0);
    soak_frame(S, 0, 0);
    for (int i = 0; i < downs; i++) soak_key(S, UI_KEY_DOWN, 0);
    soak_key(S, UI_KEY_ENTER, 0);
}

void soak_event(Soak *S)
{
    int r = pick(S, 100), k = 0;
    while (r >= ev_weight[k]) r -= ev_weight[k++];
    App *A = S->A;
    switch ((EvKind)k) {
    case EV_KEY: ev_key(S); break;
    case EV_CLICK: ev_click(S, 0); break;
    case EV_RIGHT: ev_click(S, 1); break;
    case EV_DRAG: ev_drag(S); break;
    case EV_HOVER:
        target_point(S, &A->mx, &A->my);
        soak_log(S, "hover %d,%d", A->mx, A->my);
        break;
    case EV_WHEEL: soak_log(S, "wheel (the window has no wheel binding)"); break;
    case EV_RESIZE: ev_resize(S); break;
    case EV_GOOD: ev_drop(S, 0); break;
    case EV_BAD: ev_drop(S, 1); break;
    case EV_LESSON: ev_lesson(S); break;
    case EV_CANCEL: /* a long job running: Esc stops it */
        soak_log(S, "Esc (job %s)", ui_tool_names[A->app.m.progress.running]);
        soak_key(S, UI_KEY_ESCAPE, 0);
        break;
    case EV_KINDS: break;
    }
    S->count[k]++;
}

/* ---- setup ---------------------------------------------------------------------------------- */

void soak_add_good(Soak *S, const char *dir, const char *pattern)
{
    char path[1200];
    glob_t g;
    snprintf(path, sizeof path, "%s/%s", dir, pattern);
    if (glob(path, 0, NULL, &g) != 0) return;
    for (size_t i = 0; i < g.gl_pathc && S->ngood < SOAK_GOOD - 1; i++)
        str_copy(S->good[S->ngood++], sizeof S->good[0], g.gl_pathv[i]);
    globfree(&g);
}

/* The bad files in ts_dir, and a lessons folder: the shipped lessons and a corrupt one. */
void soak_make_files(Soak *S, const char *assets)
{
    static int run;
    char name[128];
    run++;
    for (int k = 0; k < BAD_KINDS; k++)
        snprintf(name, sizeof name, "run%d-%s", run, soak_bad_names[k]), str_copy(S->bad[k], sizeof S->bad[k], ts_path(name));
    char src[1200];
    snprintf(src, sizeof src, "%s/samples/chelsea.png", assets);
    size_t n;
    unsigned char *png = ts_slurp(src, &n);
    ts_write_file(S->bad[BAD_TRUNC_PNG], png, n / 3);
    free(png);
    ts_write_file(S->bad[BAD_TEXT_PNG], "this is not a picture\n", 22);
    assert_int_equal(mkdir(S->bad[BAD_DIR], 0755), 0);
    assert_int_equal(mkfifo(S->bad[BAD_FIFO], 0644), 0);
    static const char lesson[] = "title: broken\narch: nosuchnet\n--- a step\nlayer: conv9\n{conv9.out_c\n";
    ts_write_file(S->bad[BAD_LESSON], lesson, sizeof lesson - 1);
    /* a safetensors header whose tensor reaches past the end of the file */
    static const char json[] = "{\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[6,1,5,5],\"data_offsets\":[0,600]}}";
    unsigned char st[8 + sizeof json + 16] = {(unsigned char)(sizeof json - 1)};
    memcpy(st + 8, json, sizeof json - 1);
    ts_write_file(S->bad[BAD_ST], st, sizeof st - 1);
    char dir[1100], cmd[5000];
    snprintf(name, sizeof name, "run%d-lessons", run);
    snprintf(dir, sizeof dir, "%s", ts_path(name));
    snprintf(cmd, sizeof cmd, "mkdir %s && ln -s %s/*.lesson %s/ && cp %s %s/99-corrupt.lesson", dir,
             SOURCE_DIR "/lessons", dir, S->bad[BAD_LESSON], dir);
    assert_int_equal(system(cmd), 0);
    str_copy(S->A->app.lessons_dir, sizeof S->A->app.lessons_dir, dir);
}

void soak_collect_keys(Soak *S)
{
    for (int i = 0; i < ui_keys_count; i++)
        for (const UiKeyBind *b = ui_keys[i].bind; b < ui_keys[i].bind + UI_KEYS_PER_ROW && b->key; b++)
            if (S->nkeys < 60) S->keys[S->nkeys][0] = b->key, S->keys[S->nkeys][1] = b->mods, S->nkeys++;
    static const int unbound[][2] = {{'u', 0}, {'w', 0}, {'+', 0}, {UI_KEY_F1, UI_MOD_CTRL}};
    for (int i = 0; i < 4; i++) S->keys[S->nkeys][0] = unbound[i][0], S->keys[S->nkeys][1] = unbound[i][1], S->nkeys++;
}
