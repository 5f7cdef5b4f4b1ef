/* sdl_fit.c - --check-fit: report the texts a frame could not fit; --check-fit-all: the
   same over every layer × card and every lesson step (sdl_fit.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdl_fit.h"
#include "ui_text.h"
#include "util.h"

static void print_clips(const DrawList *dl)
{
    fprintf(stderr, "clipped: %d", dl->nclip);
    for (int i = 0; i < dl->nclip && i < DL_CLIP_KEEP; i++) fprintf(stderr, "%s'%s'", i ? ", " : " (first: ", dl->clip_text[i]);
    fprintf(stderr, "%s\n", dl->nclip > 0 ? ")" : "");
}

int sdl_fit_report(App *A)
{
    print_clips(&A->app.dl);
    return A->app.dl.nclip;
}

typedef struct {
    App *A;
    int frames, bad;
    char base[1024]; /* --screenshot FILE without ".png": where frames that clip go */
} Fit;

/* Builds the frame's draw list; if a text did not fit, says which and writes the picture. */
static void fit_check(Fit *F, const char *what)
{
    App *A = F->A;
    UiApp *P = &A->app;
    ui_app_frame(P, A->w, A->h, sdl_now(), 0, 0, 0);
    F->frames++;
    if (P->dl.nclip == 0) return;
    F->bad++;
    fprintf(stderr, "%s: ", what);
    print_clips(&P->dl);
    if (!F->base[0] || F->bad > SDL_FIT_PICTURES) return;
    sdl_gfx_upload(A->gfx, &P->im);
    sdl_gfx_draw(A->gfx, &P->dl);
    char path[1100];
    Err e = {0};
    Image shot = {0};
    snprintf(path, sizeof path, "%s-%03d.png", F->base, F->bad);
    if (sdl_gfx_read(A->gfx, A->w, A->h, &shot, &e) != 0 || img_write_png(path, &shot, &e) != 0)
        fprintf(stderr, "alexscope: %s\n", e.msg);
    else fprintf(stderr, "  (%s)\n", path);
    img_free(&shot);
}

/* Every position with every card: no unit, the centre unit and the corner unit of a
   spatial layer (the corner's field is partly padding: the longest field text). */
static void sweep_layers(Fit *F)
{
    UiApp *P = &F->A->app;
    Lesson *ls = P->ls;
    P->ls = NULL; /* the free view first */
    ui_app_load(P, sdl_now());
    ui_app_absorb(P, sdl_now());
    P->ls = ls;
    if (!P->m.net) return;
    worker_target(F->A->wk, P->st.nlayers); /* every layer, synchronously */
    ui_app_absorb(P, sdl_now());
    for (int pos = 0; pos <= P->m.net->nlayers; pos++) {
        Shape s = ui_pos_shape(P->m.net, pos);
        int units = pos > 0 && (s.h > 1 || s.w > 1) ? 2 : 0;
        for (int card = 0; card < CARD_COUNT; card++)
            for (int u = 0; u <= units; u++) {
                ui_jump(&P->st, pos);
                P->st.channel = -1;
                ui_clear_selection(&P->st);
                if (u > 0) ui_select_unit(&P->st, pos, s.c / 3, u == 1 ? s.h / 2 : 0, u == 1 ? s.w / 2 : 0);
                P->st.card = card;
                char what[160];
                snprintf(what, sizeof what, "%s %s card %s%s", P->m.net->arch->name, ui_pos_name(P->m.net, pos),
                         ui_card_names[card], u == 0 ? "" : u == 1 ? " (centre unit)" : " (corner unit)");
                fit_check(F, what);
            }
    }
}

/* Every step of one lesson, as --lesson FILE --lesson-step N shows it. */
static int sweep_lesson(Fit *F, const char *path)
{
    UiApp *P = &F->A->app;
    Err e = {0};
    P->a.lesson = path, P->a.lesson_step = 0;
    if (ui_app_open_lesson(P, &e) != 0) {
        fprintf(stderr, "alexscope: %s\n", e.msg);
        return -1;
    }
    ui_app_load(P, sdl_now());
    for (int s = 0; P->ls && s < P->ls->nsteps; s++) {
        if (s > 0) ui_app_action(P, ACT_NEXT, sdl_now());
        ui_app_absorb(P, sdl_now());
        ui_app_apply_view(P);
        worker_target(F->A->wk, P->st.pos);
        ui_app_absorb(P, sdl_now());
        char what[1200];
        snprintf(what, sizeof what, "%s step %d", path_base(path), s + 1);
        fit_check(F, what);
    }
    return 0;
}

int sdl_fit_sweep(App *A)
{
    UiApp *P = &A->app;
    Fit F = {.A = A};
    const char *shot = P->a.screenshot, *dot = strrchr(shot, '.');
    snprintf(F.base, sizeof F.base, "%.*s", (int)(dot && !strchr(dot, '/') ? dot - shot : (long)strlen(shot)), shot);
    const char *one = P->a.lesson;
    sweep_layers(&F);
    int layer_frames = F.frames, failed = 0;
    if (one) {
        failed |= sweep_lesson(&F, one) != 0;
    } else {
        UiLessonList *list = calloc(1, sizeof *list);
        Err e = {0};
        if (!list || ui_lesson_list(P->lessons_dir, list, &e) < 0) {
            fprintf(stderr, "alexscope: %s\n", list ? e.msg : "out of memory");
            failed = 1;
        }
        for (int i = 0; list && i < list->n; i++) failed |= sweep_lesson(&F, list->e[i].path) != 0;
        free(list);
    }
    printf("check-fit %dx%d: %d frames (%d of layers and cards, %d of lesson steps), %d with text that does not fit\n",
           A->w, A->h, F.frames, layer_frames, F.frames - layer_frames, F.bad);
    return failed ? 1 : F.bad ? SDL_FIT_EXIT : 0;
}
