/* sdl_main.c - gui_main: arguments, the window's immediate-mode loop (Initialization /
   Update / Draw / De-initialization), the headless screenshot mode, --bench-ui and the
   hidden --selftest-events driver used by tests/test_gui_xvfb.c.

   Who owns what: App owns the window, renderer, SdlGfx, the worker and the UiModel the
   worker hands over. All engine work happens on the worker's thread; this thread only
   syncs, lays out, builds draw commands and draws. */
#include <SDL.h>
#include <SDL_ttf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gui.h"
#include "labels.h"
#include "lesson.h"
#include "sdl_render.h"
#include "ui_lesson.h"
#include "ui_text.h"
#include "ui_view.h"

typedef struct {
    const char *image, *weights, *arch, *font, *export_dir, *screenshot, *step, *selftest;
    const char *selftest_bad, *lesson;
    int lesson_step;      /* --lesson-step N (1-based), 0: the first */
    int w, h, bench, help, sized;
    /* screenshot extras, so docs and tests can show any state */
    int channel, unit[3], has_unit, card, kernels, theme, norm, cmap, mirror, show_keys;
    float zoom;
} GuiArgs;

typedef struct {
    GuiArgs a;
    UiState st;
    UiLayout L;
    UiModel m;
    UiImages im;
    DrawList dl;
    Labels labels;
    int have_labels;
    UiWorker *wk;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Surface *surf;
    SdlGfx *gfx;
    int w, h;             /* output pixels */
    int mx, my;           /* mouse, in output pixels */
    double frame_ms;
    int export_pending;
    char export_dir[512];
    /* the lesson playing (NULL: none) and what was asked of the worker for it */
    Lesson *ls;
    char lesson_image[1024];   /* IMAGE from the command line: replaces the lesson's */
    UiLessonInput in;          /* the input the worker was last asked for */
    int in_known;              /* in describes the worker's input */
    int view_pending;          /* apply the step's view once the lesson's arch is in */
    unsigned narr_tag;
    const ArchSpec *want_arch; /* the arch last asked of the worker (NULL: unknown) */
    char want_weights[1024];
    UiLessonList *list;        /* the picker's lessons */
    char list_error[512];
    UiLessonShow show;
} App;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* ---- arguments ------------------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: alexscope [IMAGE] [--weights FILE] [--arch NAME] [--font FILE.ttf] [--export-dir DIR]\n"
            "       alexscope --lesson FILE.lesson [IMAGE] [--weights FILE]\n"
            "       alexscope --screenshot FILE.png [--step LAYER] [--size WxH] [IMAGE] [options]\n"
            "       alexscope --bench-ui\n"
            "\n"
            "Opens a window that walks one image through AlexNet, one layer at a time.\n"
            "Without IMAGE a bundled sample photo is used; without --weights the built-in\n"
            "untrained weights (seed 42). --arch: alexnet (default), alexnet-tv, lenet5.\n"
            "\n"
            "Keys: Right/PageDown/Space/N next layer, Left/PageUp/P back, Home/End, M mirror,\n"
            "S next sample, G normalisation, C colours, K kernels, 1-4 cards, E export,\n"
            "L lessons, T high contrast, Ctrl+/- size, F11 fullscreen, F1 or ? all keys, Q quit.\n"
            "Drop an image or a weights file (.caffemodel, .onnx, .safetensors) on the window.\n"
            "\n"
            "--lesson plays a lesson (docs/lessons.md): N, PageDown, Right or Space next step,\n"
            "  P, PageUp or Left back, Home/End first/last step, Esc leaves the lesson.\n"
            "  The lesson's arch is loaded (with --weights FILE or the lesson's weights: file,\n"
            "  else built-in weights); IMAGE replaces the lesson's photo.\n"
            "\n"
            "--screenshot renders one frame without a display and writes it as PNG.\n"
            "  --step LAYER    layer name (conv1, pool5, prob), 'input' or a number\n"
            "  --size WxH      default 1280x720\n"
            "  --channel C     enlarge channel C      --unit C,Y,X  click unit (C, Y, X)\n"
            "  --card size|params|field|math          --kernels   show kernels\n"
            "  --theme contrast  --grey  --per-layer  --mirror  --zoom F  --show-keys\n"
            "  --lesson FILE --lesson-step N   show step N (from 1) of a lesson\n"
            "--bench-ui prints frame times (p50/p95) at 1920x1080 with conv3's 384 tiles,\n"
            "  time to first frame, and memory before/after 1,000 steps.\n");
}

static int parse_size(const char *s, int *w, int *h)
{
    return sscanf(s, "%dx%d", w, h) == 2 && *w >= 320 && *h >= 200 && *w <= 8192 && *h <= 8192 ? 0 : -1;
}

static int parse_card(const char *s)
{
    static const char *const names[CARD_COUNT] = {"size", "params", "field", "math"};
    for (int i = 0; i < CARD_COUNT; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

/* 0, or 2 with a message on stderr. */
static int parse_args(int argc, char **argv, GuiArgs *a)
{
    memset(a, 0, sizeof *a);
    a->w = 1280, a->h = 720, a->channel = -1, a->card = -1, a->cmap = 1, a->zoom = 1.0f;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define TAKE(field)                                                               \
    do {                                                                          \
        if (!val) {                                                               \
            fprintf(stderr, "alexscope: %s needs a value (see --help)\n", s);     \
            return 2;                                                             \
        }                                                                         \
        field = val;                                                              \
        i++;                                                                      \
    } while (0)
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) a->help = 1;
        else if (strcmp(s, "--weights") == 0) TAKE(a->weights);
        else if (strcmp(s, "--arch") == 0) TAKE(a->arch);
        else if (strcmp(s, "--font") == 0) TAKE(a->font);
        else if (strcmp(s, "--export-dir") == 0) TAKE(a->export_dir);
        else if (strcmp(s, "--screenshot") == 0) TAKE(a->screenshot);
        else if (strcmp(s, "--step") == 0) TAKE(a->step);
        else if (strcmp(s, "--selftest-events") == 0) TAKE(a->selftest);
        else if (strcmp(s, "--selftest-bad") == 0) TAKE(a->selftest_bad);
        else if (strcmp(s, "--lesson") == 0) TAKE(a->lesson);
        else if (strcmp(s, "--lesson-step") == 0) {
            const char *v = NULL;
            TAKE(v);
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > LESSON_MAX_STEPS) {
                fprintf(stderr, "alexscope: --lesson-step %s: a step number from 1\n", v);
                return 2;
            }
            a->lesson_step = (int)n;
        }
        else if (strcmp(s, "--bench-ui") == 0) a->bench = 1;
        else if (strcmp(s, "--kernels") == 0) a->kernels = 1;
        else if (strcmp(s, "--show-keys") == 0) a->show_keys = 1;
        else if (strcmp(s, "--grey") == 0) a->cmap = 0;
        else if (strcmp(s, "--per-layer") == 0) a->norm = 1;
        else if (strcmp(s, "--mirror") == 0) a->mirror = 1;
        else if (strcmp(s, "--size") == 0) {
            const char *v = NULL;
            TAKE(v);
            if (parse_size(v, &a->w, &a->h) != 0) {
                fprintf(stderr, "alexscope: --size %s: expected WxH, e.g. 1920x1080\n", v);
                return 2;
            }
            a->sized = 1;
        } else if (strcmp(s, "--theme") == 0) {
            const char *v = NULL;
            TAKE(v);
            a->theme = strcmp(v, "contrast") == 0 || strcmp(v, "high-contrast") == 0;
        } else if (strcmp(s, "--card") == 0) {
            const char *v = NULL;
            TAKE(v);
            if ((a->card = parse_card(v)) < 0) {
                fprintf(stderr, "alexscope: --card %s: one of size, params, field, math\n", v);
                return 2;
            }
        } else if (strcmp(s, "--channel") == 0) {
            const char *v = NULL;
            TAKE(v);
            a->channel = atoi(v);
        } else if (strcmp(s, "--zoom") == 0) {
            const char *v = NULL;
            TAKE(v);
            a->zoom = (float)atof(v);
        } else if (strcmp(s, "--unit") == 0) {
            const char *v = NULL;
            TAKE(v);
            if (sscanf(v, "%d,%d,%d", &a->unit[0], &a->unit[1], &a->unit[2]) != 3) {
                fprintf(stderr, "alexscope: --unit %s: expected C,Y,X\n", v);
                return 2;
            }
            a->has_unit = 1;
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "alexscope: unknown option %s (see --help)\n", s);
            return 2;
        } else if (!a->image) {
            a->image = s;
        } else {
            fprintf(stderr, "alexscope: one image at a time (got %s and %s)\n", a->image, s);
            return 2;
        }
#undef TAKE
    }
    return 0;
}

/* ---- the frame ------------------------------------------------------------------------------- */

static UiView view_of(App *A, double now)
{
    A->show.ls = A->st.lesson ? A->ls : NULL;
    A->show.narration = A->ls && A->m.narration_tag == A->narr_tag ? A->m.narration : NULL;
    A->show.narration_error = A->m.narration_error;
    A->show.list = A->list;
    A->show.list_error = A->list_error[0] ? A->list_error : NULL;
    return (UiView){&A->st, &A->L, &A->m, &A->im, A->have_labels ? &A->labels : NULL, now, A->frame_ms, &A->show};
}

static void absorb_notes(App *A, double now)
{
    UiNote note;
    while (ui_worker_sync(A->wk, &A->m, &note)) {
        if (note.error) ui_set_message(&A->st, 1, now, 15, "%s", note.text);
        else ui_set_status(&A->st, "%s", note.text);
        /* A lesson whose weights file failed, on another arch than the one loaded, would wait
           for its arch forever: fall back to that arch's built-in weights. */
        if (note.error && A->ls && A->st.lesson && A->want_weights[0] && (!A->m.net || A->m.net->arch != A->ls->arch)) {
            ui_set_message(&A->st, 1, now, 15, "%s\nThe lesson goes on with %s's built-in weights.", note.text,
                           A->ls->arch->name);
            A->want_weights[0] = '\0';
            ui_worker_weights(A->wk, NULL, A->ls->arch, 42);
        }
    }
    if (A->m.net && A->st.nlayers != A->m.net->nlayers) { /* another arch came in */
        A->st.nlayers = A->m.net->nlayers;
        if (A->st.pos > A->st.nlayers) A->st.pos = A->st.nlayers;
        A->st.channel = -1;
        ui_clear_selection(&A->st);
    }
}

/* ---- lessons -------------------------------------------------------------------------------- */

/* The step's view, once the lesson's arch is the one loaded (positions depend on it). */
static void lesson_apply_view(App *A)
{
    if (!A->view_pending || !A->ls || !A->st.lesson || !A->m.net || A->m.net->arch != A->ls->arch) return;
    int s = A->st.lesson_step;
    ui_lesson_view(&A->st, A->ls->arch, &A->ls->steps[s]);
    A->view_pending = 0;
}

/* Applies step st.lesson_step: input through the worker, the view, the narration. */
static void lesson_go(App *A)
{
    const Lesson *ls = A->ls;
    if (!ls || !A->st.lesson) return;
    int s = A->st.lesson_step;
    const LessonStep *step = &ls->steps[s];
    UiLessonInput in;
    ui_lesson_input(ls, s, A->lesson_image, &in);
    if (!A->in_known || strcmp(in.path, A->in.path) != 0) ui_worker_image_crop(A->wk, in.path, in.mirror, in.crop_seed);
    else if (in.mirror != A->in.mirror || in.crop_seed != A->in.crop_seed)
        ui_worker_image_crop(A->wk, NULL, in.mirror, in.crop_seed);
    if (!A->in_known || in.dropout != A->in.dropout) ui_worker_dropout(A->wk, in.dropout);
    A->in = in, A->in_known = 1;
    A->st.mirror = in.mirror;
    A->view_pending = 1;
    lesson_apply_view(A);
    int layers = ui_lesson_pos(ls->arch, step);
    if (step->layer + 1 > layers) layers = step->layer + 1;
    ui_worker_narrate(A->wk, ui_lesson_one_step(ls, s), layers, ++A->narr_tag, A->have_labels ? &A->labels : NULL);
}

/* Takes ls: loads its arch (and weights file) if that is not what is loaded, then step 0. */
static void lesson_start(App *A, Lesson *ls, int step)
{
    if (A->ls) lesson_free(A->ls), free(A->ls);
    A->ls = ls;
    const char *wpath = ls->weights[0] ? ls->weights : NULL;
    if (A->want_arch != ls->arch || (wpath && strcmp(wpath, A->want_weights) != 0)) {
        ui_worker_weights(A->wk, wpath, ls->arch, 42);
        A->want_arch = ls->arch;
        snprintf(A->want_weights, sizeof A->want_weights, "%s", wpath ? wpath : "");
        ui_set_status(&A->st, "Lesson \"%s\" uses %s: loading %s…", ls->title, ls->arch->name,
                      wpath ? wpath : "its built-in weights");
    }
    ui_lesson_begin(&A->st, ls->nsteps);
    ui_lesson_goto(&A->st, step);
    lesson_go(A);
}

/* Esc: back to the free view; the lesson's crop and dropout mask go, mirror stays. */
static void lesson_leave(App *A)
{
    A->st.lesson = 0;
    if (A->in.dropout) ui_worker_dropout(A->wk, 0), A->in.dropout = 0;
    if (A->in.crop_seed >= 0) ui_worker_image_crop(A->wk, NULL, A->st.mirror, -1), A->in.crop_seed = -1;
    ui_worker_narrate(A->wk, NULL, 0, ++A->narr_tag, NULL);
    ui_set_status(&A->st, "Left the lesson \"%s\" (L: lessons)", A->ls ? A->ls->title : "");
    if (A->ls) lesson_free(A->ls), free(A->ls);
    A->ls = NULL;
}

static void picker_open(App *A)
{
    char dir[1024];
    asset_path("../lessons", dir, sizeof dir);
    if (!A->list && !(A->list = calloc(1, sizeof *A->list))) {
        A->st.picker = 0;
        ui_set_status(&A->st, "out of memory");
        return;
    }
    Err e = {0};
    A->list_error[0] = '\0';
    int n = ui_lesson_list(dir, A->list, &e);
    if (n < 0) snprintf(A->list_error, sizeof A->list_error, "%s", e.msg), n = 0;
    A->st.picker_n = n;
    A->st.picker_sel = 0;
    const char *cur = A->ls ? strrchr(A->ls->path, '/') : NULL; /* the paths may be spelled differently */
    cur = cur ? cur + 1 : A->ls ? A->ls->path : NULL;
    for (int i = 0; cur && i < n; i++)
        if (strcmp(A->list->e[i].file, cur) == 0) A->st.picker_sel = i;
}

/* Enter or a click in the picker: a lesson that does not load says why and changes nothing. */
static void picker_pick(App *A)
{
    A->st.picker = 0;
    if (!A->list || A->st.picker_sel < 0 || A->st.picker_sel >= A->list->n) return;
    const UiLessonEntry *en = &A->list->e[A->st.picker_sel];
    Lesson *ls = malloc(sizeof *ls);
    Err e = {0};
    if (!ls || lesson_load(en->path, ls, &e) != 0) {
        ui_set_message(&A->st, 1, now_s(), 0, "%s", ls ? e.msg : "out of memory");
        free(ls);
        return;
    }
    A->lesson_image[0] = '\0'; /* the command line's IMAGE was for the first lesson */
    lesson_start(A, ls, 0);
}

/* Update and Draw for one frame; does not present. */
static void app_frame(App *A, double now, int hover)
{
    absorb_notes(A, now);
    lesson_apply_view(A);
    ui_tick(&A->st, now);
    ui_worker_target(A->wk, A->st.pos);
    Shape shapes[UI_MAX_POS];
    int npos = ui_view_shapes(&A->m, shapes, UI_MAX_POS);
    ui_layout_ex(&A->L, A->w, A->h, A->st.zoom, shapes, npos, &A->dl, A->st.lesson);
    UiView v = view_of(A, now);
    if (hover) ui_hover(&A->st, &v, A->mx, A->my);
    ui_view_images(&A->im, &v);
    sdl_gfx_upload(A->gfx, &A->im);
    dl_reset(&A->dl);
    ui_view_build(&A->dl, &v);
    sdl_gfx_draw(A->gfx, &A->dl);
}

static void request_export(App *A)
{
    UiExportJob job = {0};
    snprintf(job.dir, sizeof job.dir, "%s", A->export_dir);
    job.layer = ui_pos_layer(A->st.pos);
    job.channel = A->st.channel;
    job.norm = (Norm)A->st.norm;
    job.cmap = (Colormap)A->st.cmap;
    Err e = {0};
    if (sdl_gfx_read(A->gfx, A->w, A->h, &job.screen, &e) != 0) ui_set_status(&A->st, "%s", e.msg);
    ui_worker_export(A->wk, &job);
    ui_set_status(&A->st, "Exporting to %s…", A->export_dir);
}

/* Turns UI_FX_* bits into work. */
static void apply_fx(App *A, int fx, int *running)
{
    if (fx & UI_FX_IMAGE) ui_worker_image(A->wk, NULL, A->st.mirror), A->in.mirror = A->st.mirror; /* mirror: the same photo again */
    if (fx & UI_FX_LEAVE) lesson_leave(A);
    if (fx & UI_FX_LESSONS) picker_open(A);
    if (fx & UI_FX_PICK) picker_pick(A);
    if (fx & UI_FX_STEP) lesson_go(A);
    if (fx & UI_FX_RUN) ui_worker_target(A->wk, A->st.pos);
    if (fx & UI_FX_EXPORT) A->export_pending = 1;
    if ((fx & UI_FX_FULLSCREEN) && A->win)
        sdl_check(SDL_SetWindowFullscreen(A->win, A->st.fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0), "SDL_SetWindowFullscreen");
    if (fx & UI_FX_QUIT) *running = 0;
}

static void open_sample(App *A)
{
    char path[1024];
    asset_path(ui_samples[A->st.sample], path, sizeof path);
    ui_worker_image(A->wk, path, A->st.mirror);
    snprintf(A->in.path, sizeof A->in.path, "%s", path);
    ui_set_status(&A->st, "Opening %s…", ui_samples[A->st.sample]);
}

/* ---- setup shared by every mode --------------------------------------------------------------- */

static int app_init(App *A, Err *e)
{
    ui_state_init(&A->st, arch_alexnet.nlayers);
    ui_images_init(&A->im);
    dl_init(&A->dl);
    const GuiArgs *a = &A->a;
    A->st.theme = a->theme, A->st.norm = a->norm, A->st.cmap = a->cmap, A->st.mirror = a->mirror;
    A->st.kernels = a->kernels, A->st.zoom = a->zoom > 0.3f && a->zoom < 4 ? a->zoom : 1.0f;
    const char *dir = a->export_dir ? a->export_dir : ".";
    if (dir[0] == '/') snprintf(A->export_dir, sizeof A->export_dir, "%s", dir);
    else {
        char cwd[400];
        if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, ".");
        snprintf(A->export_dir, sizeof A->export_dir, "%s/%s", cwd, strcmp(dir, ".") == 0 ? "" : dir);
        size_t n = strlen(A->export_dir);
        if (n > 1 && A->export_dir[n - 1] == '/') A->export_dir[n - 1] = '\0';
    }
    Err le = {0};
    A->have_labels = labels_load(NULL, &A->labels, &le) == 0;
    if (!A->have_labels) ui_set_status(&A->st, "No class names (%s): showing class numbers", le.msg);
    A->dl.measure = sdl_gfx_measure;
    A->gfx = sdl_gfx_create(A->ren, a->font, e);
    A->dl.measure_ctx = A->gfx;
    return A->gfx ? 0 : -1;
}

/* Queues the weights and the first image. */
static int app_load(App *A)
{
    const GuiArgs *a = &A->a;
    const ArchSpec *arch = NULL;
    if (a->arch && !(arch = arch_find(a->arch))) {
        ui_set_message(&A->st, 1, now_s(), 0, "--arch %s: unknown; using alexnet", a->arch);
        arch = &arch_alexnet;
    }
    if (A->ls) { /* the lesson's arch, whatever --arch says */
        if (arch && arch != A->ls->arch)
            fprintf(stderr, "alexscope: --arch %s ignored: the lesson is for %s\n", arch->name, A->ls->arch->name);
        arch = A->ls->arch;
        const char *w = a->weights ? a->weights : A->ls->weights[0] ? A->ls->weights : NULL;
        ui_worker_weights(A->wk, w, arch, 42);
        A->want_arch = arch;
        snprintf(A->want_weights, sizeof A->want_weights, "%s", w ? w : "");
        if (a->image) snprintf(A->lesson_image, sizeof A->lesson_image, "%s", a->image);
        Lesson *ls = A->ls;
        A->ls = NULL;
        lesson_start(A, ls, a->lesson_step > 0 ? a->lesson_step - 1 : 0);
        return 0;
    }
    if (!a->weights && !arch) arch = &arch_alexnet;
    A->want_arch = a->weights ? NULL : arch;
    ui_worker_weights(A->wk, a->weights, arch, 42);
    if (a->image) ui_worker_image(A->wk, a->image, A->st.mirror), snprintf(A->in.path, sizeof A->in.path, "%s", a->image);
    else open_sample(A);
    A->in_known = 1, A->in.crop_seed = -1;
    return 0;
}

static void app_free(App *A)
{
    ui_worker_stop(A->wk);
    A->wk = NULL;
    if (A->ls) lesson_free(A->ls), free(A->ls);
    free(A->list);
    ui_model_free(&A->m);
    sdl_gfx_free(A->gfx);
    ui_images_free(&A->im);
    dl_free(&A->dl);
    if (A->have_labels) labels_free(&A->labels);
    if (A->ren) SDL_DestroyRenderer(A->ren);
    if (A->surf) SDL_FreeSurface(A->surf);
    if (A->win) SDL_DestroyWindow(A->win);
}

/* ---- headless: screenshot and bench ---------------------------------------------------------- */

static int offscreen_init(App *A, int w, int h, Err *e)
{
    A->w = w, A->h = h;
    A->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!A->surf) return err_set(e, "SDL_CreateRGBSurfaceWithFormat: %s", SDL_GetError());
    A->ren = SDL_CreateSoftwareRenderer(A->surf);
    if (!A->ren) return err_set(e, "SDL_CreateSoftwareRenderer: %s", SDL_GetError());
    if (app_init(A, e) != 0) return -1;
    A->wk = ui_worker_start(0, e);
    return A->wk ? 0 : -1;
}

/* Applies --step / --channel / --unit / --card after the model is in. */
static int apply_screenshot_state(App *A)
{
    const GuiArgs *a = &A->a;
    absorb_notes(A, now_s());
    if (!A->m.net) return -1;
    if (A->st.lesson) { /* the step says what to show; explicit options still win */
        lesson_apply_view(A);
        ui_worker_target(A->wk, A->st.pos);
        absorb_notes(A, now_s());
        if (a->channel >= 0) A->st.channel = a->channel;
        if (a->has_unit) ui_select_unit(&A->st, A->st.pos, a->unit[0], a->unit[1], a->unit[2]);
        if (a->card >= 0) A->st.card = a->card;
        A->st.help = a->show_keys;
        return A->view_pending ? -1 : 0;
    }
    if (a->step) {
        int pos = ui_parse_pos(A->m.net->arch, a->step);
        if (pos < 0) {
            fprintf(stderr, "alexscope: --step %s: no such layer in %s\n", a->step, A->m.net->arch->name);
            return -1;
        }
        ui_jump(&A->st, pos);
    }
    ui_worker_target(A->wk, A->st.pos); /* synchronous here */
    absorb_notes(A, now_s());
    A->st.channel = a->channel;
    if (a->has_unit) ui_select_unit(&A->st, A->st.pos, a->unit[0], a->unit[1], a->unit[2]);
    if (a->card >= 0) A->st.card = a->card;
    A->st.help = a->show_keys;
    return 0;
}

static int screenshot_mode(App *A)
{
    Err e = {0};
    if (offscreen_init(A, A->a.w, A->a.h, &e) != 0) {
        fprintf(stderr, "alexscope: %s\n", e.msg);
        return 1;
    }
    app_load(A);
    int rc = apply_screenshot_state(A);
    int failed = A->st.message[0] && A->st.message_error;
    if (failed) fprintf(stderr, "alexscope: %s\n", A->st.message);
    app_frame(A, now_s(), 0);
    Image shot = {0};
    if (sdl_gfx_read(A->gfx, A->w, A->h, &shot, &e) != 0 || img_write_png(A->a.screenshot, &shot, &e) != 0) {
        fprintf(stderr, "alexscope: %s\n", e.msg);
        rc = -1;
    }
    img_free(&shot);
    return rc != 0 || failed ? 1 : 0;
}

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

static int bench_mode(App *A, double t0)
{
    Err e = {0};
    if (offscreen_init(A, 1920, 1080, &e) != 0) {
        fprintf(stderr, "alexscope: %s\n", e.msg);
        return 1;
    }
    app_frame(A, now_s(), 0); /* what the window shows before the weights are in */
    double first = now_s() - t0;
    app_load(A);
    ui_jump(&A->st, arch_layer_index(&arch_alexnet, "conv3") + 1);
    ui_worker_target(A->wk, A->st.nlayers); /* everything, synchronously */
    double t1 = now_s();
    app_frame(A, now_s(), 0);
    double first_full = now_s() - t0, full_frame = now_s() - t1;
    printf("alexscope --bench-ui: 1920x1080, software renderer, %s\n", A->m.weights ? A->m.weights->source : "?");
    printf("time to first frame: %.1f ms (window up, weights loading); first conv3 frame %.1f ms after start "
           "(built-in weights + all 23 layers computed), that frame itself %.1f ms\n",
           first * 1e3, first_full * 1e3, full_frame * 1e3);
    enum { N = 300, STEPS = 1000 };
    static double ms[STEPS];
    UiGrid g;
    UiView v = view_of(A, now_s());
    int have_grid = ui_view_grid(&v, &g);
    for (int i = 0; i < N; i++) { /* hover moves over the tiles: new value strings, rf boxes */
        UiRect t = have_grid ? ui_grid_tile(&g, (i * 37) % g.n) : (UiRect){0, 0, 1, 1};
        A->mx = t.x + t.w / 2, A->my = t.y + t.h / 2;
        double s = now_s();
        app_frame(A, s, 1);
        ms[i] = (now_s() - s) * 1e3;
    }
    report("conv3, 384 tiles, hovering:", ms, N);
    long before = rss_kb();
    for (int i = 0; i < STEPS; i++) {
        int dir = (i / A->st.nlayers) % 2 == 0 ? 1 : -1;
        if (ui_step(&A->st, dir) == 0) ui_step(&A->st, -dir);
        double s = now_s();
        app_frame(A, s, 0);
        ms[i] = (now_s() - s) * 1e3;
    }
    long after = rss_kb();
    report("stepping (atlas rebuilt each step):", ms, STEPS);
    printf("RSS before 1,000 steps: %ld KiB, after: %ld KiB (%+ld KiB)\n", before, after, after - before);
    return 0;
}

/* ---- the window -------------------------------------------------------------------------------- */

static UiAction key_action(const SDL_Keysym *k)
{
    int ctrl = (k->mod & KMOD_CTRL) != 0, shift = (k->mod & KMOD_SHIFT) != 0;
    switch (k->sym) {
    case SDLK_RIGHT: case SDLK_PAGEDOWN: case SDLK_SPACE: case SDLK_DOWN: return ACT_NEXT;
    case SDLK_LEFT: case SDLK_PAGEUP: case SDLK_BACKSPACE: case SDLK_UP: return ACT_PREV;
    case SDLK_HOME: return ACT_HOME;
    case SDLK_END: return ACT_END;
    case SDLK_F1: case SDLK_QUESTION: return ACT_HELP;
    case SDLK_SLASH: return shift ? ACT_HELP : ACT_NONE;
    case SDLK_F11: return ACT_FULLSCREEN;
    case SDLK_ESCAPE: return ACT_DESELECT;
    case SDLK_PLUS: case SDLK_KP_PLUS: case SDLK_EQUALS: return ctrl ? ACT_ZOOM_IN : ACT_NONE;
    case SDLK_MINUS: case SDLK_KP_MINUS: return ctrl ? ACT_ZOOM_OUT : ACT_NONE;
    case SDLK_0: case SDLK_KP_0: return ctrl ? ACT_ZOOM_RESET : ACT_NONE;
    case SDLK_1: return ACT_CARD_SIZE;
    case SDLK_2: return ACT_CARD_PARAMS;
    case SDLK_3: return ACT_CARD_RF;
    case SDLK_4: return ACT_CARD_MATH;
    case SDLK_m: return ACT_MIRROR;
    case SDLK_n: return ACT_NEXT;  /* lessons: N / P, as on a clicker's keyboard */
    case SDLK_p: return ACT_PREV;
    case SDLK_g: return ACT_NORM;
    case SDLK_l: return ACT_LESSONS;
    case SDLK_RETURN: case SDLK_KP_ENTER: return ACT_PICK;
    case SDLK_c: return ACT_CMAP;
    case SDLK_s: return ACT_SAMPLE;
    case SDLK_k: return ACT_KERNELS;
    case SDLK_e: return ACT_EXPORT;
    case SDLK_t: return ACT_THEME;
    case SDLK_q: return ACT_QUIT;
    case SDLK_w: return ctrl ? ACT_QUIT : ACT_NONE;
    default: return ACT_NONE;
    }
}

/* Window coordinates -> renderer output pixels (HiDPI windows differ). */
static void to_output(App *A, int x, int y, int *ox, int *oy)
{
    int ww = 1, wh = 1;
    SDL_GetWindowSize(A->win, &ww, &wh);
    *ox = ww > 0 ? x * A->w / ww : x;
    *oy = wh > 0 ? y * A->h / wh : y;
}

static void handle_event(App *A, const SDL_Event *ev, int *running)
{
    int fx = 0;
    switch (ev->type) {
    case SDL_QUIT: *running = 0; break;
    case SDL_KEYDOWN: {
        UiAction act = key_action(&ev->key.keysym);
        fx = ui_apply(&A->st, act);
        if (act == ACT_SAMPLE) open_sample(A), fx &= ~UI_FX_IMAGE;
        break;
    }
    case SDL_MOUSEMOTION: to_output(A, ev->motion.x, ev->motion.y, &A->mx, &A->my); break;
    case SDL_MOUSEBUTTONDOWN: {
        to_output(A, ev->button.x, ev->button.y, &A->mx, &A->my);
        if (ev->button.button == SDL_BUTTON_RIGHT) {
            ui_apply(&A->st, ACT_DESELECT);
            break;
        }
        UiView v = view_of(A, now_s());
        UiAction act = ui_hit_button(&A->L, A->mx, A->my);
        fx = ui_click(&A->st, &v, A->mx, A->my);
        if (act == ACT_SAMPLE) open_sample(A), fx &= ~UI_FX_IMAGE;
        break;
    }
    case SDL_DROPFILE:
        if (ev->drop.file) {
            ui_worker_drop(A->wk, ev->drop.file, A->st.mirror);
            A->in_known = 0, A->want_arch = NULL; /* an image or weights: either way, unknown now */
            ui_set_status(&A->st, "Opening %s…", ev->drop.file);
            SDL_free(ev->drop.file);
        }
        break;
    default: break;
    }
    apply_fx(A, fx, running);
}

/* ---- --selftest-events: real events through the real loop --------------------------------------- */

typedef struct {
    int step;            /* next scripted event */
    int phase;           /* 0 keys, 1 good drop, 2 bad drop, 3 done; 10.. a lesson first */
    double phase_t;
    char good_name[256];
    int failures;
} SelfTest;

static void push_key(SDL_Keycode sym, Uint16 mod)
{
    SDL_Event ev = {0};
    ev.type = SDL_KEYDOWN;
    ev.key.keysym.sym = sym;
    ev.key.keysym.mod = mod;
    ev.key.state = SDL_PRESSED;
    sdl_check(SDL_PushEvent(&ev) < 0 ? -1 : 0, "SDL_PushEvent");
}

static void push_drop(const char *path)
{
    SDL_Event ev = {0};
    ev.type = SDL_DROPFILE;
    ev.drop.file = SDL_strdup(path);
    sdl_check(SDL_PushEvent(&ev) < 0 ? -1 : 0, "SDL_PushEvent");
}

/* With --lesson: N (and the other "next" keys) through every step, P back to the first,
   the picker (L, Down, Enter), Esc; then the ordinary script. One key per settled frame. */
static void selftest_lesson(App *A, SelfTest *t, int idle)
{
    static const SDL_Keycode next[] = {SDLK_n, SDLK_PAGEDOWN, SDLK_RIGHT, SDLK_SPACE};
    static const SDL_Keycode prev[] = {SDLK_p, SDLK_PAGEUP, SDLK_LEFT};
    int settled = idle && (!A->ls || A->m.narration_tag == A->narr_tag);
    if (!settled) return;
    if (A->st.lesson && A->m.narration_error) {
        fprintf(stderr, "selftest: step %d: %s\n", A->st.lesson_step + 1, A->m.narration);
        t->failures++;
    }
    switch (t->phase) {
    case 10: /* forward */
        if (A->st.lesson_step + 1 < A->st.lesson_nsteps) push_key(next[t->step++ % 4], 0);
        else t->phase = 11;
        break;
    case 11: /* back */
        if (A->st.lesson_step > 0) push_key(prev[t->step++ % 3], 0);
        else t->phase = 12;
        break;
    case 12:
        fprintf(stderr, "selftest: lesson \"%s\": %d steps forward and back\n", A->ls ? A->ls->title : "?", t->step);
        if (!A->st.lesson) fprintf(stderr, "selftest: the lesson stopped\n"), t->failures++;
        push_key(SDLK_l, 0), t->phase = 13;
        break;
    case 13:
        if (!A->st.picker || A->st.picker_n < 1) fprintf(stderr, "selftest: L opened no lesson list\n"), t->failures++;
        push_key(SDLK_DOWN, 0), t->phase = 14;
        break;
    case 14: push_key(SDLK_RETURN, 0), t->phase = 15; break;
    case 15:
        if (A->st.picker || (!A->st.lesson && !A->st.message[0])) fprintf(stderr, "selftest: Enter started nothing\n"), t->failures++;
        else fprintf(stderr, "selftest: picked \"%s\"\n", A->ls ? A->ls->title : A->st.message);
        A->st.message[0] = '\0';
        push_key(SDLK_ESCAPE, 0), t->phase = 16;
        break;
    default:
        if (A->st.lesson) fprintf(stderr, "selftest: Esc did not leave the lesson\n"), t->failures++;
        t->phase = 0, t->step = 0;
        break;
    }
}

/* One scripted event per frame; waits for the worker between the drops. */
static void selftest_tick(App *A, SelfTest *t, double now)
{
    static const struct {
        SDL_Keycode sym;
        Uint16 mod;
    } keys[40] = {
        {SDLK_RIGHT, 0}, {SDLK_RIGHT, 0}, {SDLK_RIGHT, 0}, {SDLK_PAGEDOWN, 0}, {SDLK_SPACE, 0},
        {SDLK_LEFT, 0}, {SDLK_PAGEUP, 0}, {SDLK_g, 0}, {SDLK_c, 0}, {SDLK_k, 0},
        {SDLK_k, 0}, {SDLK_2, 0}, {SDLK_3, 0}, {SDLK_4, 0}, {SDLK_1, 0},
        {SDLK_t, 0}, {SDLK_t, 0}, {SDLK_F1, 0}, {SDLK_ESCAPE, 0}, {SDLK_EQUALS, KMOD_LCTRL},
        {SDLK_MINUS, KMOD_LCTRL}, {SDLK_0, KMOD_LCTRL}, {SDLK_m, 0}, {SDLK_m, 0}, {SDLK_END, 0},
        {SDLK_LEFT, 0}, {SDLK_LEFT, 0}, {SDLK_HOME, 0}, {SDLK_s, 0}, {SDLK_RIGHT, 0},
        {SDLK_RIGHT, 0}, {SDLK_g, 0}, {SDLK_SLASH, KMOD_LSHIFT}, {SDLK_ESCAPE, 0}, {SDLK_RIGHT, 0},
        {SDLK_PAGEDOWN, 0}, {SDLK_PAGEDOWN, 0}, {SDLK_PAGEUP, 0}, {SDLK_e, 0}, {SDLK_HOME, 0},
    };
    int idle = !A->m.busy && !ui_worker_busy(A->wk);
    if (t->phase >= 10) {
        selftest_lesson(A, t, idle);
        return;
    }
    if (t->phase == 0) {
        if (t->step < 40) {
            if (keys[t->step].sym == SDLK_e && !A->a.export_dir) push_key(SDLK_RIGHT, 0);
            else push_key(keys[t->step].sym, keys[t->step].mod);
            t->step++;
        } else if (idle) {
            push_drop(A->a.selftest);
            t->phase = 1, t->phase_t = now;
        }
    } else if (t->phase == 1 && idle && now - t->phase_t > 0.2) {
        const char *b = strrchr(A->a.selftest, '/');
        snprintf(t->good_name, sizeof t->good_name, "%s", b ? b + 1 : A->a.selftest);
        if (strcmp(A->m.image_name, t->good_name) != 0) {
            fprintf(stderr, "selftest: dropping %s did not open it (showing %s)\n", A->a.selftest, A->m.image_name);
            t->failures++;
        }
        A->st.message[0] = '\0';
        push_drop(A->a.selftest_bad ? A->a.selftest_bad : "/nonexistent/alexscope-selftest.png");
        t->phase = 2, t->phase_t = now;
    } else if (t->phase == 2 && idle && now - t->phase_t > 0.2) {
        if (!A->st.message[0] || !A->st.message_error) {
            fprintf(stderr, "selftest: the bad file showed no message\n");
            t->failures++;
        } else {
            fprintf(stderr, "selftest: bad file refused: %s\n", A->st.message);
        }
        if (strcmp(A->m.image_name, t->good_name) != 0) {
            fprintf(stderr, "selftest: the bad file replaced the image\n");
            t->failures++;
        }
        SDL_Event q = {.type = SDL_QUIT};
        SDL_PushEvent(&q);
        t->phase = 3;
    }
}

static int window_init(App *A, Err *e)
{
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) return err_set(e, "cannot open a window: %s", SDL_GetError());
    /* With no display SDL falls back to a driver that shows nothing; a window nobody can
       see would look like a hang. Unless asked for explicitly, say so instead. */
    const char *driver = SDL_GetCurrentVideoDriver();
    const char *asked = getenv("SDL_VIDEODRIVER");
    if (driver && (!strcmp(driver, "offscreen") || !strcmp(driver, "dummy") || !strcmp(driver, "evdev")) &&
        !(asked && *asked))
        return err_set(e, "no display to open a window on (SDL chose its '%s' driver; is DISPLAY set?). "
                          "Run it on a desktop, or use --screenshot FILE.png for a picture without a display", driver);
    A->win = SDL_CreateWindow("alexscope", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, A->a.w, A->a.h,
                              SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!A->win) return err_set(e, "SDL_CreateWindow: %s", SDL_GetError());
    SDL_SetWindowMinimumSize(A->win, 640, 360);
    A->ren = SDL_CreateRenderer(A->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!A->ren) A->ren = SDL_CreateRenderer(A->win, -1, SDL_RENDERER_SOFTWARE);
    if (!A->ren) return err_set(e, "SDL_CreateRenderer: %s", SDL_GetError());
    if (SDL_GetRendererOutputSize(A->ren, &A->w, &A->h) != 0) return err_set(e, "SDL_GetRendererOutputSize: %s", SDL_GetError());
    SDL_EventState(SDL_DROPFILE, SDL_ENABLE);
    if (app_init(A, e) != 0) return -1;
    A->wk = ui_worker_start(1, e);
    return A->wk ? 0 : -1;
}

static int window_mode(App *A)
{
    // Initialization ------------------------------------------------------------------------
    Err e = {0};
    if (window_init(A, &e) != 0) {
        fprintf(stderr, "alexscope: %s\n", e.msg);
        return 1;
    }
    app_load(A);
    SelfTest test = {.phase = A->ls ? 10 : 0};
    int running = 1;
    double start = now_s();
    while (running) {
        // Update --------------------------------------------------------------------------------
        SDL_Event ev;
        int timeout = A->m.busy || A->st.message[0] || A->a.selftest ? 16 : 50;
        if (SDL_WaitEventTimeout(&ev, timeout)) {
            handle_event(A, &ev, &running);
            while (running && SDL_PollEvent(&ev)) handle_event(A, &ev, &running);
        }
        double t0 = now_s();
        if (A->a.selftest) {
            selftest_tick(A, &test, t0);
            if (t0 - start > 120) {
                fprintf(stderr, "selftest: timed out\n");
                test.failures++;
                running = 0;
            }
        }
        if (SDL_GetRendererOutputSize(A->ren, &A->w, &A->h) != 0) sdl_check(-1, "SDL_GetRendererOutputSize");
        // Draw ----------------------------------------------------------------------------------
        app_frame(A, t0, 1);
        if (A->export_pending) {
            A->export_pending = 0;
            request_export(A);
        }
        SDL_RenderPresent(A->ren);
        A->frame_ms = (now_s() - t0) * 1e3;
    }
    // De-initialization -------------------------------------------------------------------------
    return test.failures ? 1 : 0;
}

int gui_main(int argc, char **argv)
{
    double t0 = now_s();
    App *A = calloc(1, sizeof *A);
    if (!A) {
        fprintf(stderr, "alexscope: out of memory\n");
        return 1;
    }
    int rc = parse_args(argc, argv, &A->a);
    if (rc != 0 || A->a.help) {
        if (A->a.help) usage(stdout);
        free(A);
        return rc;
    }
    if (A->a.lesson) { /* a bad lesson stops here, before any window opens */
        Err e = {0};
        A->ls = malloc(sizeof *A->ls);
        if (!A->ls || lesson_load(A->a.lesson, A->ls, &e) != 0) {
            fprintf(stderr, "alexscope: %s\n", A->ls ? e.msg : "out of memory");
            free(A->ls);
            free(A);
            return 1;
        }
        if (A->a.weights && strlen(A->a.weights) < sizeof A->ls->weights) /* --weights wins over the lesson's */
            snprintf(A->ls->weights, sizeof A->ls->weights, "%s", A->a.weights);
        if (A->a.lesson_step > A->ls->nsteps) {
            fprintf(stderr, "alexscope: --lesson-step %d: %s has %d steps\n", A->a.lesson_step, A->a.lesson, A->ls->nsteps);
            lesson_free(A->ls), free(A->ls), free(A);
            return 1;
        }
    } else if (A->a.lesson_step) {
        fprintf(stderr, "alexscope: --lesson-step needs --lesson FILE\n");
        free(A);
        return 2;
    }
    if (TTF_Init() != 0) {
        fprintf(stderr, "alexscope: TTF_Init: %s\n", TTF_GetError());
        if (A->ls) lesson_free(A->ls), free(A->ls);
        free(A);
        return 1;
    }
    if (A->a.screenshot) rc = screenshot_mode(A);
    else if (A->a.bench) rc = bench_mode(A, t0);
    else rc = window_mode(A);
    app_free(A);
    free(A);
    TTF_Quit();
    SDL_Quit();
    return rc;
}
