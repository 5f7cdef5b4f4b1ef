/* sdl_headless.c - the window without a display: --screenshot renders one frame with the
   software renderer and writes it as PNG; --bench-ui times frames at 1920x1080. The worker
   runs synchronously (every job inside the call that queues it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdl_app.h"
#include "sdl_fit.h"
#include "ui_text.h"
#include "ui_view_anim.h"

static int offscreen_init(App *A, int w, int h, Err *e)
{
    A->w = w, A->h = h;
    A->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!A->surf) return err_set(e, "SDL_CreateRGBSurfaceWithFormat: %s", SDL_GetError());
    A->ren = SDL_CreateSoftwareRenderer(A->surf);
    if (!A->ren) return err_set(e, "SDL_CreateSoftwareRenderer: %s", SDL_GetError());
    return sdl_app_start(A, 0, e);
}

/* What --channel / --unit / --card / --show-keys / --view ask for, on top of the position
   (--view's job runs here: the worker is synchronous). */
static void apply_extras(UiApp *P)
{
    const UiOptions *a = &P->a;
    if (a->has_unit) ui_select_unit(&P->st, P->st.pos, a->unit[0], a->unit[1], a->unit[2]);
    if (a->has_unit && P->st.pos > 0) /* the clicked unit is the saliency map's target too */
        P->st.sal = (UiSalTarget){ui_pos_layer(P->st.pos), -1, a->unit[0], a->unit[1], a->unit[2]};
    if (a->card >= 0) P->st.card = a->card;
    P->st.help = a->show_keys;
    if (a->view) {
        ui_app_tool(P, a->view);
        ui_app_absorb(P, sdl_now());
    }
}

/* Applies --step / --channel / --unit / --card after the model is in. */
static int apply_screenshot_state(App *A)
{
    UiApp *P = &A->app;
    const UiOptions *a = &P->a;
    ui_app_absorb(P, sdl_now());
    if (!P->m.net) return -1;
    if (P->st.lesson) { /* the step says what to show; explicit options still win */
        ui_app_apply_view(P);
        worker_target(A->wk, P->st.pos);
        ui_app_absorb(P, sdl_now());
        if (a->channel >= 0) P->st.channel = a->channel;
        apply_extras(P);
        return P->view_pending ? -1 : 0;
    }
    if (a->step) {
        int pos = ui_parse_pos(P->m.net->arch, a->step);
        if (pos < 0) {
            fprintf(stderr, "alexscope: --step %s: no such layer in %s\n", a->step, P->m.net->arch->name);
            return -1;
        }
        ui_jump(&P->st, pos);
    }
    worker_target(A->wk, P->st.pos); /* synchronous here */
    if (a->fast) { /* --engine fast: after the naive run, so the status line shows both times */
        worker_engine(A->wk, 1);
        worker_target(A->wk, P->st.pos);
    }
    ui_app_absorb(P, sdl_now());
    P->st.channel = a->channel;
    apply_extras(P);
    return 0;
}

/* --train: the run's epochs (--train-epochs) are trained before the picture is taken. */
static void wait_training(App *A)
{
    UiTrainSnap *s = A->app.train;
    while (A->tt && s && (train_thread_sync(A->tt, s), s->state != UI_TRAIN_DONE && s->state != UI_TRAIN_ERROR))
        SDL_Delay(20);
}

/* pattern's one %[0][width]d replaced by i (checked by ui_options_parse). */
static void frame_path(const char *pattern, int i, char *out, size_t size)
{
    const char *p = strchr(pattern, '%'), *q = p ? p + 1 : NULL;
    if (!p) {
        snprintf(out, size, "%s", pattern);
        return;
    }
    int zero = *q == '0', width = 0;
    while (*q >= '0' && *q <= '9') width = width * 10 + (*q++ - '0');
    char num[32];
    if (width > 20) width = 20;
    if (zero) snprintf(num, sizeof num, "%0*d", width, i);
    else snprintf(num, sizeof num, "%*d", width, i);
    snprintf(out, size, "%.*s%s%s", (int)(p - pattern), pattern, num, q + 1);
}

static int write_shot(App *A, const char *path)
{
    Err e = {0};
    Image shot = {0};
    int rc = 0;
    if (sdl_gfx_read(A->gfx, A->w, A->h, &shot, &e) != 0 || img_write_png(path, &shot, &e) != 0) {
        fprintf(stderr, "alexscope: %s\n", e.msg);
        rc = -1;
    }
    img_free(&shot);
    return rc;
}

/* --animate K: one frame at position K; --animate all: every position (or --frames N of
   them, first and last included) as FILE's numbered sequence. */
static int animate_shots(App *A)
{
    UiApp *P = &A->app;
    const UiOptions *a = &P->a;
    UiAnimSetup S;
    if (!ui_view_anim_setup(&P->m, &P->st, &S)) {
        fprintf(stderr, "alexscope: --animate: %s is not a conv or pooling layer\n", ui_pos_name(P->m.net, P->st.pos));
        return -1;
    }
    int all = a->animate == UI_OPT_ANIM_ALL;
    if (!all && a->animate >= S.count) {
        fprintf(stderr, "alexscope: --animate %d: %s's window has positions 0 to %d\n", a->animate, S.spec->name, S.count - 1);
        return -1;
    }
    int n = !all ? 1 : a->frames > 0 && a->frames < S.count ? a->frames : S.count;
    for (int i = 0; i < n; i++) {
        int k = !all ? a->animate : n == 1 ? 0 : (int)((long long)i * (S.count - 1) / (n - 1));
        ui_anim_show(&P->st.anim, k);
        sdl_app_frame(A, sdl_now(), 0);
        char path[1200], text[1024];
        frame_path(all ? a->screenshot : "", i, path, sizeof path);
        if (write_shot(A, all ? path : a->screenshot) != 0) return -1;
        if (a->verbose) {
            UiView v = ui_app_view(P, sdl_now());
            printf("%s%sposition %d (of 0 to %d)\n%s", all ? path : "", all ? ": " : "", k, S.count - 1,
                   ui_view_anim_text(&v, text, sizeof text));
        }
    }
    if (all) printf("%d frames of %s's sliding window written (%s)\n", n, S.spec->name, a->screenshot);
    return 0;
}

int sdl_screenshot_mode(App *A)
{
    UiApp *P = &A->app;
    Err e = {0};
    if (offscreen_init(A, P->a.w, P->a.h, &e) != 0) {
        fprintf(stderr, "alexscope: %s\n", e.msg);
        return 1;
    }
    if (P->a.check_fit == 2) return sdl_fit_sweep(A);
    ui_app_load(P, sdl_now());
    int rc = apply_screenshot_state(A);
    int failed = P->st.message[0] && P->st.message_error;
    if (failed) fprintf(stderr, "alexscope: %s\n", P->st.message);
    if (rc == 0 && P->a.animate != UI_OPT_ANIM_NONE) return animate_shots(A) != 0 || failed ? 1 : 0;
    if (P->train_view) wait_training(A);
    sdl_app_frame(A, sdl_now(), 0);
    Image shot = {0};
    if (sdl_gfx_read(A->gfx, A->w, A->h, &shot, &e) != 0 || img_write_png(P->a.screenshot, &shot, &e) != 0) {
        fprintf(stderr, "alexscope: %s\n", e.msg);
        rc = -1;
    }
    img_free(&shot);
    int clipped = P->a.check_fit || P->a.verbose ? sdl_fit_report(A) : 0;
    return rc != 0 || failed ? 1 : clipped && P->a.check_fit ? SDL_FIT_EXIT : 0;
}

/* ---- --bench-ui ------------------------------------------------------------------------------- */

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kb) == 1) break;
    if (f) fclose(f);
    return kb;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, double *ms, int n)
{
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    printf("%-34s p50 %6.2f ms   p95 %6.2f ms   max %6.2f ms   (%d frames)\n", what, ms[n / 2], ms[n * 95 / 100],
           ms[n - 1], n);
}

int sdl_bench_mode(App *A, double t0)
{
    UiApp *P = &A->app;
    Err e = {0};
    if (offscreen_init(A, 1920, 1080, &e) != 0) {
        fprintf(stderr, "alexscope: %s\n", e.msg);
        return 1;
    }
    sdl_app_frame(A, sdl_now(), 0); /* what the window shows before the weights are in */
    double first = sdl_now() - t0;
    ui_app_load(P, sdl_now());
    ui_jump(&P->st, arch_layer_index(&arch_alexnet, "conv3") + 1);
    worker_target(A->wk, P->st.nlayers); /* everything, synchronously */
    double t1 = sdl_now();
    sdl_app_frame(A, sdl_now(), 0);
    double first_full = sdl_now() - t0, full_frame = sdl_now() - t1;
    printf("alexscope --bench-ui: 1920x1080, software renderer, %s\n", P->m.weights ? P->m.weights->source : "?");
    printf("time to first frame: %.1f ms (window up, weights loading); first conv3 frame %.1f ms after start "
           "(built-in weights + all 23 layers computed), that frame itself %.1f ms\n",
           first * 1e3, first_full * 1e3, full_frame * 1e3);
    enum { N = 300, STEPS = 1000 };
    static double ms[STEPS];
    UiGrid g;
    UiView v = ui_app_view(P, sdl_now());
    int have_grid = ui_view_grid(&v, &g);
    for (int i = 0; i < N; i++) { /* hover moves over the tiles: new value strings, rf boxes */
        UiRect t = have_grid ? ui_grid_tile(&g, (i * 37) % g.n) : (UiRect){0, 0, 1, 1};
        A->mx = t.x + t.w / 2, A->my = t.y + t.h / 2;
        double s = sdl_now();
        sdl_app_frame(A, s, 1);
        ms[i] = (sdl_now() - s) * 1e3;
    }
    report("conv3, 384 tiles, hovering:", ms, N);
    static const char *const slide[] = {"conv1", "conv2", "pool1"}; /* one panel, two panels, a pool */
    for (int l = 0; l < 3; l++) { /* the sliding window: a new position every frame */
        ui_jump(&P->st, arch_layer_index(&arch_alexnet, slide[l]) + 1);
        for (int i = 0; i < N; i++) {
            ui_anim_show(&P->st.anim, i * 3);
            double s = sdl_now();
            sdl_app_frame(A, s, 0);
            ms[i] = (sdl_now() - s) * 1e3;
        }
        char what[64];
        snprintf(what, sizeof what, "%s sliding window, animating:", slide[l]);
        report(what, ms, N);
    }
    P->st.anim.on = 0;
    long before = rss_kb();
    for (int i = 0; i < STEPS; i++) {
        int dir = (i / P->st.nlayers) % 2 == 0 ? 1 : -1;
        if (ui_step(&P->st, dir) == 0) ui_step(&P->st, -dir);
        double s = sdl_now();
        sdl_app_frame(A, s, 0);
        ms[i] = (sdl_now() - s) * 1e3;
    }
    long after = rss_kb();
    report("stepping (atlas rebuilt each step):", ms, STEPS);
    printf("RSS before 1,000 steps: %ld KiB, after: %ld KiB (%+ld KiB)\n", before, after, after - before);
    return 0;
}
