/* test_gui_soak.c - the window soaked headless (issue 11): the App the real window builds
   (sdl_app_init: UiApp, the worker thread behind its port, the training thread on J), drawn
   by SDL's software renderer on a dummy-driver window, fed N random events from a seeded RNG
   (soak_events.c) the way sdl_main.c's handle_event feeds them: every key the key table binds
   (and a few it does not), clicks (on layer boxes, buttons, tabs, tiles, anywhere), right
   clicks, drags, hovering, the wheel (which the window ignores), resizes from 320x200 to
   8192x8192, drops of good files and of bad ones made here (a truncated PNG, text named
   .png, a directory, a missing path, a FIFO, a corrupt lesson, a corrupt safetensors), and
   lessons picked and stepped through. After each event a frame is built (ui_app_frame) and
   every third one drawn by SDL, as the main loop does after its events; the worker is never
   waited for except, every SOAK_IDLE_EVERY events, briefly and with a bound, so long jobs
   (occlusion, top patches, saliency, training) are started and cancelled by the stream.

   Checked: after every event the state's invariants; no error the app does not owe to a bad
   file (a worker note or boxed message naming none of them, a failed lesson narration, an
   SDL failure on stderr); at the end, with the worker idle, each bad file dropped once more
   is refused with a message naming it and the model stays; the resident memory after a
   warm-up and at the end, both in the same state (lenet5's file, one Fashion-MNIST image,
   1280x720, the worker idle), grew less than 5 MB.

   ALEXSCOPE_SOAK_EVENTS (default 10,000; under AddressSanitizer 1,500 so CI stays near a
   minute or two), ALEXSCOPE_SOAK_SEED (default 11), ALEXSCOPE_SOAK_VERBOSE=1 (every note).
   A failure prints the seed, the event number and the last events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL_ttf.h>

#include "soak.h"
#include "support.h"
#include "ui_keys.h"
#include "util.h"

#ifdef SOAK_ASAN
#include <sanitizer/common_interface_defs.h>
#define SOAK_DEFAULT_EVENTS 1500
#else
#define SOAK_DEFAULT_EVENTS 10000
#endif
#define SOAK_WARMUP 1000      /* RSS is first measured after this many events */
#define SOAK_IDLE_EVERY 40    /* every this many events, wait for the worker ... */
#define SOAK_IDLE_MS 100.0    /* ... at most this long */
#define SOAK_SETTLE_MS 60000.0 /* before measuring RSS: at most this long for the model */
#define SOAK_RSS_LIMIT_KB 5120
#define SOAK_RASTER_EVERY 3   /* frames SDL draws: the draw list is built every frame */

static Soak *soak_now; /* the note hook's way back to the soak */

static int stderr_back(Soak *S);

/* The last events to stderr (restored first when failing). */
void soak_dump_log(Soak *S, int failing)
{
    if (failing && S->redirected) stderr_back(S);
    fprintf(stderr, "soak: seed %llu, event %ld; the last events:\n", (unsigned long long)S->seed, S->event);
    for (long i = S->event - SOAK_LOG + 1; i <= S->event; i++)
        if (i >= 0) fprintf(stderr, "  %s\n", S->log[i % SOAK_LOG]);
}

/* ---- what the app says ----------------------------------------------------------------- */

/* An error text: owed to a bad file (counted per kind), "Busy" under the flood, H on a
   layer that has no patches, or an internal error. */
static void classify(Soak *S, const char *text, int is_note)
{
    for (int k = 0; k < BAD_KINDS; k++)
        if (strstr(text, S->bad[k]) || (k == BAD_LESSON && strstr(text, "99-corrupt.lesson"))) {
            S->bad_msgs[k]++;
            return;
        }
    if (!strncmp(text, "Top patches: ", 13) && strstr(text, "there is no patch to show")) { /* H on a layer after fc */
        S->refusals++;
        return;
    }
    if (!strncmp(text, "Busy: too many requests waiting", 31)) {
        S->busy++;
        return;
    }
    if (S->internal < 3) snprintf(S->first_internal[S->internal], sizeof S->first_internal[0], "event %ld, %s: %s",
                                  S->event, is_note ? "note" : "message", text);
    if (!S->internal++) soak_dump_log(S, 0);
}

/* The port's sync, as sdl_app.c's, with every note seen. */
static int soak_sync(void *ctx, UiModel *m, UiNote *note)
{
    Soak *S = soak_now;
    int r = worker_sync(((App *)ctx)->wk, m, note);
    if (r) {
        S->notes++;
        if (getenv("ALEXSCOPE_SOAK_VERBOSE"))
            fprintf(stderr, "soak: event %ld: %s: %s\n", S->event, note->error ? "error" : "note", note->text);
        if (!note->error && strstr(note->text, "not done, as other weights were loaded while it waited")) S->stale++;
        if (note->error) {
            S->error_notes++;
            classify(S, note->text, 1);
            str_copy(S->note_texts[S->nnote_texts++ % 16], sizeof S->note_texts[0], note->text);
        }
    }
    return r;
}

/* After a frame: a new boxed error message that no note explains, a failed narration. */
static void check_messages(Soak *S)
{
    UiApp *P = &S->A->app;
    const UiState *st = &P->st;
    if (st->message[0] && strcmp(st->message, S->last_msg) != 0) {
        S->messages++;
        str_copy(S->last_msg, sizeof S->last_msg, st->message);
        /* from a note: already classified (the lesson's fallback adds a line to one) */
        int from_note = 0;
        for (int i = 0; i < 16 && i < S->nnote_texts; i++)
            from_note |= S->note_texts[i][0] && !strncmp(st->message, S->note_texts[i], strlen(S->note_texts[i]));
        if (st->message_error && !from_note) classify(S, st->message, 0);
    }
    if (!st->message[0]) S->last_msg[0] = '\0';
    if (st->lesson && P->ls && P->m.narration_tag == P->narr_tag && P->m.narration_error && S->narr_seen != P->narr_tag) {
        S->narr_seen = P->narr_tag;
        S->narr_errors++;
        classify(S, P->m.narration, 0);
    }
}

/* The state a window may be in, whatever came before. */
static void check_invariants(Soak *S)
{
    const UiApp *P = &S->A->app;
    const UiState *st = &P->st;
    int ok = st->pos >= 0 && st->pos <= st->nlayers && st->channel >= -1 && st->zoom >= 0.5f && st->zoom <= 3.0f &&
             st->card >= 0 && st->card < CARD_COUNT && st->sample >= 0 && st->sample < UI_NSAMPLES &&
             st->tool_view >= 0 && st->tool_view <= UI_TOOL_VIEW_SALIENCY && st->sal_method >= 0 && st->sal_method <= 2 &&
             (!st->picker || st->picker_n == 0 || (st->picker_sel >= 0 && st->picker_sel < st->picker_n)) &&
             (!st->lesson || (P->ls && st->lesson_step >= 0 && st->lesson_step < st->lesson_nsteps)) &&
             (!P->m.net || (st->nlayers == P->m.net->nlayers && P->m.ready >= 0 && P->m.ready <= P->m.net->nlayers)) &&
             P->m.progress.done >= 0 && (P->m.progress.total == 0 || P->m.progress.done <= P->m.progress.total) &&
             strlen(st->status) < sizeof st->status && P->dl.n > 0 && !strstr(st->status, "out of memory");
    if (!ok) {
        soak_dump_log(S, 1);
        fprintf(stderr, "soak: invariant broken: pos %d of %d, channel %d, zoom %.2f, card %d, tool %d, picker %d/%d, "
                        "lesson %d step %d/%d, ready %d, draw commands %d, status \"%s\"\n",
                st->pos, st->nlayers, st->channel, st->zoom, st->card, st->tool_view, st->picker_sel, st->picker_n,
                st->lesson, st->lesson_step, st->lesson_nsteps, P->m.ready, P->dl.n, st->status);
        fail();
    }
}

/* ---- the window, headless --------------------------------------------------------------- */

/* One frame as the main loop draws it; SDL rasterises every SOAK_RASTER_EVERY-th (and
   when raster is set, and before an export, which reads the pixels). */
void soak_frame(Soak *S, int hover, int raster)
{
    App *A = S->A;
    if (SDL_GetRendererOutputSize(A->ren, &A->w, &A->h) != 0) sdl_check(-1, "SDL_GetRendererOutputSize");
    double t0 = sdl_now();
    ui_app_frame(&A->app, A->w, A->h, t0, hover, A->mx, A->my); /* sdl_app_frame, timed in two parts */
    double t1 = sdl_now();
    if (raster || A->export_pending || S->frames % SOAK_RASTER_EVERY == 0) {
        sdl_gfx_upload(A->gfx, &A->app.im);
        sdl_gfx_draw(A->gfx, &A->app.dl);
        S->rasters++;
    }
    if (A->export_pending) A->export_pending = 0, sdl_app_export(A), S->exports++;
    SDL_RenderPresent(A->ren);
    A->app.frame_ms = (sdl_now() - t0) * 1e3;
    S->frames++, S->frame_ms += A->app.frame_ms, S->core_ms += (t1 - t0) * 1e3;
    check_messages(S);
}

static long rss_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    while (kb < 0 && fgets(line, sizeof line, f)) sscanf(line, "VmRSS: %ld", &kb);
    fclose(f);
    return kb;
}

/* Frames until the worker has nothing to do (or ms have passed); 1 if it is idle. */
static int settle(Soak *S, double ms)
{
    double end = now_ms() + ms;
    for (;;) {
        soak_frame(S, 1, 0);
        if (!worker_busy(S->A->wk) && !S->A->app.m.busy) return 1;
        if (now_ms() > end) return 0;
        SDL_Delay(15);
    }
}

/* The window's stderr goes to a file while it runs: SDL failures there count as errors. */
static void stderr_to_file(Soak *S)
{
    snprintf(S->stderr_path, sizeof S->stderr_path, "/tmp/alexscope-soak-stderr-%d.log", (int)getpid());
    fprintf(stderr, "soak: the window's stderr goes to %s while it runs\n", S->stderr_path);
    fflush(stderr);
    S->saved_stderr = dup(2);
    int fd = open(S->stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0 && S->saved_stderr >= 0);
    dup2(fd, 2);
    close(fd);
    S->redirected = 1;
}

/* Restores stderr and shows what the window wrote; returns its "alexscope:" lines. */
static int stderr_back(Soak *S)
{
    fflush(stderr);
    dup2(S->saved_stderr, 2);
    close(S->saved_stderr);
    S->redirected = 0;
    unsigned char *text = ts_slurp(S->stderr_path, NULL);
    int errors = 0;
    for (char *l = (char *)text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
        errors += !strncmp(l, "alexscope:", 10) || strstr(l, "runtime error") != NULL;
    if (text && text[0]) fprintf(stderr, "soak: the window's stderr:\n%s", (char *)text);
    free(text);
    unlink(S->stderr_path);
    return errors;
}

/* No job, lesson, training view or overlay; 1280x720; the worker idle (1) or not yet. */
static int quiet(Soak *S)
{
    UiApp *P = &S->A->app;
    for (int i = 0; i < 5 && (P->m.progress.running || P->st.lesson); i++) /* Esc deselects, cancels, leaves */
        soak_key(S, UI_KEY_ESCAPE, 0), soak_frame(S, 0, 0);
    if (P->train_view) soak_key(S, 'j', 0);
    if (P->st.picker) soak_key(S, 'l', 0);
    P->st.help = 0, P->st.tool_view = 0, P->st.channel = -1; /* what several keys would undo */
    soak_resize(S, 1280, 720);
    return settle(S, SOAK_SETTLE_MS);
}

/* The training thread the same way before both readings: run 2 s (resumed if paused), then
   paused. What a run touches (its batches, BLAS's buffers) is then touched by both. */
static void train_steady(Soak *S)
{
    UiApp *P = &S->A->app;
    if (!P->train || !P->tp.cmd || !P->tp.sync) return;
    P->tp.sync(P->tp.ctx, P->train); /* the view syncs it only while shown */
    if (P->train->state == UI_TRAIN_PAUSED) P->tp.cmd(P->tp.ctx, UI_TRAIN_CMD_RESUME, &P->train_next);
    for (double end = now_ms() + 2000; now_ms() < end;) soak_frame(S, 0, 0), SDL_Delay(20);
    P->tp.sync(P->tp.ctx, P->train);
    if (P->train->state == UI_TRAIN_RUNNING) P->tp.cmd(P->tp.ctx, UI_TRAIN_CMD_PAUSE, &P->train_next);
    for (double end = now_ms() + SOAK_SETTLE_MS; P->train->state == UI_TRAIN_RUNNING && now_ms() < end;)
        soak_frame(S, 0, 0), SDL_Delay(20), P->tp.sync(P->tp.ctx, P->train);
}

/* The same state before both RSS readings: lenet5's file, the first sample, 1280x720, the
   training paused after running. */
static long settled_rss(Soak *S, const char *weights)
{
    UiApp *P = &S->A->app;
    quiet(S);
    ui_app_drop(P, weights, sdl_now());
    ui_app_drop(P, S->good[0], sdl_now());
    soak_key(S, UI_KEY_HOME, 0);
    int idle = settle(S, SOAK_SETTLE_MS);
    /* what earlier views left: each image slot keeps its last picture (the alexnet im2col
       matrix: 3.3 MB, and its texture 4.4 MB), and the text cache fills over thousands of
       events. Emptied, then the frames below make what this view shows again. */
    ui_images_free(&P->im);
    ui_images_init(&P->im);
    sdl_gfx_clear(S->A->gfx);
    for (int i = 0; i < 20; i++) soak_frame(S, 0, 1);
    train_steady(S);
    if (!idle || P->m.arch != &arch_lenet5) { /* the two readings would not compare */
        soak_dump_log(S, 1);
        fail_msg("the worker did not settle on lenet5 within %.0f s", SOAK_SETTLE_MS / 1e3);
    }
    malloc_trim(0); /* what is freed goes back: the reading is what is held, not the heap's slack */
    long kb = rss_kb();
    struct mallinfo2 mi = mallinfo2();
#ifdef SOAK_ASAN
    if (getenv("ALEXSCOPE_SOAK_HEAP_PROFILE")) { /* the live heap by allocating stack (to the window's stderr) */
        fprintf(stderr, "soak: the heap at event %ld:\n", S->event);
        __sanitizer_print_memory_profile(95, 40);
    }
#endif
    if (getenv("ALEXSCOPE_SOAK_MALLOC_INFO")) { /* each arena (thread) in XML, to see who holds what */
        char path[64];
        snprintf(path, sizeof path, "/tmp/alexscope-soak-malloc-%d-%ld.xml", (int)getpid(), S->event);
        FILE *f = fopen(path, "w");
        if (f) malloc_info(0, f), fclose(f);
        char cmd[160]; /* and the mappings, for what is resident outside malloc */
        snprintf(cmd, sizeof cmd, "cp /proc/%d/smaps /tmp/alexscope-soak-smaps-%d-%ld.txt", (int)getpid(), (int)getpid(),
                 S->event);
        if (system(cmd) != 0) fprintf(stderr, "soak: %s failed\n", cmd);
    }
    fprintf(stderr, "soak: RSS %ld KiB at event %ld (%s, %s; heap in use %zu KiB, of it mapped %zu KiB; training %s)\n", kb,
            S->event, P->m.arch ? P->m.arch->name : "?", idle ? "worker idle" : "worker still busy",
            (mi.uordblks + mi.hblkhd) >> 10, mi.hblkhd >> 10, P->train ? ui_train_state_names[P->train->state] : "off");
    return kb;
}

/* With the worker idle, each bad file dropped once more must be refused with a note naming
   it (the boxed message goes after 15 s), and the image and weights shown must stay. */
static void check_bad_drops(Soak *S)
{
    UiApp *P = &S->A->app;
    int idle = quiet(S);
    for (int k = 0; k < BAD_KINDS; k++) {
        idle = idle && settle(S, SOAK_SETTLE_MS);
        long before = S->bad_msgs[k];
        unsigned gen = P->m.net_gen, img = P->m.image_gen;
        soak_log(S, "final drop %s", S->bad[k]);
        ui_app_drop(P, S->bad[k], sdl_now());
        settle(S, SOAK_SETTLE_MS);
        int kept = P->m.net_gen == gen && P->m.image_gen == img;
        if (S->bad_msgs[k] == before || (idle && !kept)) {
            soak_dump_log(S, 1);
            fail_msg("dropping %s (worker %s): %ld notes naming it, the box says \"%s\", weights %s, image %s",
                     S->bad[k], idle ? "idle" : "busy", S->bad_msgs[k] - before, P->st.message,
                     P->m.net_gen != gen ? "replaced" : "kept", P->m.image_gen != img ? "replaced" : "kept");
        }
    }
}

/* The summary: events by kind, frames, what the app said, how the bad files were refused. */
static void report(const Soak *S, long events, double seconds, double join, int stderr_errors)
{
    fprintf(stderr, "soak: %ld events in %.1f s (seed %llu; the threads joined in %.2f s):", events, seconds,
            (unsigned long long)S->seed, join);
    for (int k = 0; k < EV_KINDS; k++) fprintf(stderr, " %s %ld", soak_ev_names[k], S->count[k]);
    double n = S->frames ? (double)S->frames : 1.0;
    fprintf(stderr, "\nsoak: %ld frames (%ld drawn by SDL), %.1f ms each (%.1f ms of it ui_app_frame)\n", S->frames,
            S->rasters, S->frame_ms / n, S->core_ms / n);
    fprintf(stderr, "soak: %ld notes (%ld errors), %ld boxed messages; bad files (messages/drops):", S->notes,
            S->error_notes, S->messages);
    for (int k = 0; k < BAD_KINDS; k++) fprintf(stderr, " %s %ld/%ld", soak_bad_names[k], S->bad_msgs[k], S->bad_dropped[k]);
    fprintf(stderr, "\nsoak: lessons started by a drop %ld; \"Busy\" refusals %ld (of drops %ld); quit keys %ld; "
                    "exports %ld; Y, H or E dropped, as weights replaced the network first, %ld; H refused after fc %ld\n",
            S->lesson_drops, S->busy, S->drop_busy, S->quits, S->exports, S->stale, S->refusals);
    fprintf(stderr, "soak: internal errors %ld, narration errors %ld, stderr errors %d\n", S->internal, S->narr_errors,
            stderr_errors);
}

/* Runs the soak: args are the window's command line after "alexscope". */
static void soak(int argc, char **argv, long events, int measure)
{
    Soak *S = calloc(1, sizeof *S);
    App *A = calloc(1, sizeof *A);
    assert_true(S && A);
    soak_now = S;
    S->A = A;
    const char *env = getenv("ALEXSCOPE_SOAK_SEED");
    S->seed = S->rng = env ? strtoull(env, NULL, 10) : 11;
    const char *assets = getenv("ALEXSCOPE_ASSETS") ? getenv("ALEXSCOPE_ASSETS") : ALEXSCOPE_SOURCE_ASSETS;
    char weights[1200];
    snprintf(weights, sizeof weights, "%s/weights/lenet5-fashion.safetensors", assets);

    UiOptions o;
    Err e = {0};
    assert_int_equal(ui_options_parse(argc, argv, &o, &e), 0);
    o.export_dir = ts_path("export");
    sdl_app_init(A, &o);
    A->app.wk.sync = soak_sync;
    soak_make_files(S, assets);
    soak_collect_keys(S);
    soak_add_good(S, assets, "fashion/*.png"); /* good[0]: before the RSS readings */
    soak_add_good(S, assets, "samples/*.[pj][np]g");
    soak_add_good(S, SOURCE_DIR, "lessons/*.lesson"); /* a drop plays the lesson */
    assert_true(S->ngood > 10);
    str_copy(S->good[S->ngood++], sizeof S->good[0], weights);

    /* glibc raises its mmap and trim thresholds as big blocks are freed (up to 32 and 64 MB),
       and then keeps that much freed memory resident in each thread's arena, where
       malloc_trim does not reach: fixed thresholds make a reading what is held */
    mallopt(M_MMAP_THRESHOLD, 256 << 10);
    mallopt(M_TRIM_THRESHOLD, 1 << 20);
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    assert_int_equal(SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS), 0);
    assert_int_equal(TTF_Init(), 0);
    A->win = SDL_CreateWindow("alexscope soak", 0, 0, o.w, o.h, SDL_WINDOW_RESIZABLE);
    assert_non_null(A->win);
    A->ren = SDL_CreateRenderer(A->win, -1, SDL_RENDERER_SOFTWARE);
    assert_non_null(A->ren);
    if (sdl_app_start(A, 1, &e) != 0) fail_msg("%s", e.msg);
    stderr_to_file(S);

    double t0 = now_ms();
    ui_app_load(&A->app, sdl_now());
    soak_frame(S, 0, 1);
    /* what the soak found, first: I at the input read run[-2] (ui_view_data, before pos < 0 was refused) */
    settle(S, SOAK_SETTLE_MS);
    soak_key(S, UI_KEY_HOME, 0), soak_key(S, 'i', 0), soak_frame(S, 1, 1), soak_key(S, 'i', 0);
    /* J's thread holds Fashion-MNIST (tens of MB) from its first J on: started before either RSS reading */
    soak_key(S, 'j', 0);
    for (double end = now_ms() + SOAK_SETTLE_MS; A->app.train && now_ms() < end &&
                                                 (A->app.train->state == UI_TRAIN_OFF || A->app.train->state == UI_TRAIN_LOADING);)
        soak_frame(S, 0, 0), SDL_Delay(20);
    soak_key(S, 'j', 0);
    long rss0 = 0, rss1 = 0;
    for (S->event = 0; S->event < events; S->event++) {
        long resizes = S->count[EV_RESIZE];
        if (measure && S->event == SOAK_WARMUP) rss0 = settled_rss(S, weights);
        soak_event(S);
        soak_frame(S, 1, S->count[EV_RESIZE] != resizes);
        check_invariants(S);
        if (S->event % SOAK_IDLE_EVERY == SOAK_IDLE_EVERY - 1) settle(S, SOAK_IDLE_MS);
    }
    if (measure) rss1 = settled_rss(S, weights);
    check_bad_drops(S);
    double t_events = (now_ms() - t0) / 1e3;
    if (A->app.m.progress.running) soak_key(S, UI_KEY_ESCAPE, 0);
    double t1 = now_ms();
    sdl_app_free(A); /* joins the worker and the training thread */
    double t_join = (now_ms() - t1) / 1e3;
    int stderr_errors = stderr_back(S);

    report(S, events, t_events, t_join, stderr_errors);
    if (measure) fprintf(stderr, "soak: RSS after %d events %ld KiB, after %ld: %ld KiB (%+ld KiB)\n", SOAK_WARMUP, rss0,
                         events, rss1, rss1 - rss0);
    for (int i = 0; i < S->internal && i < 3; i++) fprintf(stderr, "soak: internal error: %s\n", S->first_internal[i]);

    long internal = S->internal, grew = rss1 - rss0;
    /* all put away before any verdict: a failure must not leave SDL up for the next test */
    TTF_Quit();
    SDL_Quit();
    free(A);
    free(S);
    soak_now = NULL;
    assert_int_equal(internal, 0);
    assert_int_equal(stderr_errors, 0);
#ifndef SOAK_ASAN /* AddressSanitizer's quarantine holds freed memory: its RSS says nothing */
    if (measure) assert_true(grew < SOAK_RSS_LIMIT_KB);
#else
    (void)grew;
#endif
}

static long soak_events(void)
{
    const char *env = getenv("ALEXSCOPE_SOAK_EVENTS");
    long n = env ? strtol(env, NULL, 10) : SOAK_DEFAULT_EVENTS;
    return n > 0 ? n : SOAK_DEFAULT_EVENTS;
}

/* LeNet-5 with its shipped weights: fast enough for the full count. */
static void test_soak_lenet5(void **state)
{
    char weights[1200];
    const char *assets = getenv("ALEXSCOPE_ASSETS") ? getenv("ALEXSCOPE_ASSETS") : ALEXSCOPE_SOURCE_ASSETS;
    snprintf(weights, sizeof weights, "%s/weights/lenet5-fashion.safetensors", assets);
    char *argv[] = {"alexscope", "--arch", "lenet5", "--weights", weights, NULL};
    long n = soak_events();
    soak(5, argv, n, n > SOAK_WARMUP);
}

/* AlexNet's built-in weights (the window's default): a tenth as many events. */
static void test_soak_alexnet(void **state)
{
    char *argv[] = {"alexscope", NULL};
    long n = soak_events() / 10;
    soak(1, argv, n > 50 ? n : 50, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_soak_lenet5),
        cmocka_unit_test(test_soak_alexnet),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
