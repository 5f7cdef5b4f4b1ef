/* ui_app.c - the window's logic without a display (ui_app.h): options into state, the
   lesson controller, the picker, keys / clicks / drops, and one frame's draw list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui_app.h"
#include "ui_view_anim.h"
#include "util.h"
#include "weights.h"

/* ---- setup ------------------------------------------------------------------------------ */

void ui_app_init(UiApp *A, const UiOptions *o, const UiAppWorker *wk)
{
    A->a = *o;
    A->wk = *wk;
    ui_state_init(&A->st, arch_alexnet.nlayers);
    ui_images_init(&A->im);
    dl_init(&A->dl);
    A->st.theme = o->theme, A->st.norm = o->norm, A->st.cmap = o->cmap, A->st.mirror = o->mirror;
    A->st.kernels = o->kernels, A->st.zoom = o->zoom;
    A->st.im2col = o->im2col;
    A->st.fast = o->fast;
    A->st.sal_method = o->sal_method;
    A->st.anim.variant = o->compare;
    if (o->animate >= 0) ui_anim_show(&A->st.anim, o->animate);
    else if (o->animate == UI_OPT_ANIM_ALL) ui_anim_play_from(&A->st.anim, 0);
    const char *dir = o->export_dir ? o->export_dir : ".";
    if (dir[0] == '/') snprintf(A->export_dir, sizeof A->export_dir, "%s", dir);
    else {
        char cwd[400];
        if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, ".");
        snprintf(A->export_dir, sizeof A->export_dir, "%s/%s", cwd, strcmp(dir, ".") == 0 ? "" : dir);
        size_t n = strlen(A->export_dir);
        if (n > 1 && A->export_dir[n - 1] == '/') A->export_dir[n - 1] = '\0';
    }
    asset_path("../lessons", A->lessons_dir, sizeof A->lessons_dir);
    Err le = {0};
    A->fashion = o->arch && arch_find(o->arch) == &arch_lenet5; /* trained on Fashion-MNIST (issue 10) */
    for (int i = 0; i < 2; i++)
        if (!(A->have_labels[i] = labels_load_for(i ? 10 : 1000, &A->labels[i], &le) == 0))
            ui_set_status(&A->st, "No class names (%s): showing class numbers", le.msg);
}

/* The class names for a network of arch: Fashion-MNIST's for lenet5, else ImageNet's. */
static const Labels *labels_of(const UiApp *A, const ArchSpec *arch)
{
    int i = arch == &arch_lenet5;
    return A->have_labels[i] ? &A->labels[i] : NULL;
}

static void drop_lesson(UiApp *A)
{
    if (A->ls) lesson_free(A->ls), free(A->ls);
    A->ls = NULL;
}

void ui_app_free(UiApp *A)
{
    drop_lesson(A);
    free(A->list);
    A->list = NULL;
    ui_model_free(&A->m);
    free(A->train);
    A->train = NULL;
    ui_images_free(&A->im);
    dl_free(&A->dl);
    for (int i = 0; i < 2; i++)
        if (A->have_labels[i]) labels_free(&A->labels[i]), A->have_labels[i] = 0;
}

int ui_app_open_lesson(UiApp *A, Err *e)
{
    const UiOptions *a = &A->a;
    drop_lesson(A);
    Lesson *ls = malloc(sizeof *ls);
    if (!ls) return err_set(e, "out of memory");
    if (lesson_load(a->lesson, ls, e) != 0) return free(ls), -1;
    if (a->weights && strlen(a->weights) < sizeof ls->weights) /* --weights wins over the lesson's */
        snprintf(ls->weights, sizeof ls->weights, "%s", a->weights);
    if (a->lesson_step > ls->nsteps) {
        err_set(e, "--lesson-step %d: %s has %d steps", a->lesson_step, a->lesson, ls->nsteps);
        lesson_free(ls), free(ls);
        return -1;
    }
    A->ls = ls;
    return 0;
}

/* ---- lessons ------------------------------------------------------------------------------ */

void ui_app_apply_view(UiApp *A)
{
    if (!A->view_pending || !A->ls || !A->st.lesson || !A->m.net || A->m.net->arch != A->ls->arch) return;
    ui_lesson_view(&A->st, A->ls->arch, &A->ls->steps[A->st.lesson_step]);
    A->view_pending = 0;
}

/* Applies step st.lesson_step: the input through the worker (only what changed), the
   view, the narration. */
static void lesson_go(UiApp *A)
{
    const Lesson *ls = A->ls;
    if (!ls || !A->st.lesson) return;
    int s = A->st.lesson_step;
    const LessonStep *step = &ls->steps[s];
    UiLessonInput in;
    ui_lesson_input(ls, s, A->lesson_image, &in);
    if (!A->in_known || strcmp(in.path, A->in.path) != 0) A->wk.image_crop(A->wk.ctx, in.path, in.mirror, in.crop_seed);
    else if (in.mirror != A->in.mirror || in.crop_seed != A->in.crop_seed)
        A->wk.image_crop(A->wk.ctx, NULL, in.mirror, in.crop_seed);
    if (!A->in_known || in.dropout != A->in.dropout) A->wk.dropout(A->wk.ctx, in.dropout);
    A->in = in, A->in_known = 1;
    A->st.mirror = in.mirror;
    A->view_pending = 1;
    ui_app_apply_view(A);
    int layers = ui_lesson_pos(ls->arch, step);
    if (step->layer + 1 > layers) layers = step->layer + 1;
    A->wk.narrate(A->wk.ctx, ui_lesson_one_step(ls, s), layers, ++A->narr_tag, labels_of(A, ls->arch));
}

/* Takes ls: loads its arch (and weights file) if that is not what is loaded, then `step`. */
static void lesson_start(UiApp *A, Lesson *ls, int step)
{
    if (A->ls != ls) drop_lesson(A);
    A->ls = ls;
    A->fashion = ls->arch == &arch_lenet5; /* S: Fashion-MNIST samples for lenet5 */
    const char *wpath = ls->weights[0] ? ls->weights : NULL;
    if (A->want_arch != ls->arch || (wpath && strcmp(wpath, A->want_weights) != 0)) {
        A->wk.weights(A->wk.ctx, wpath, ls->arch, WEIGHTS_DEFAULT_SEED);
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
static void lesson_leave(UiApp *A)
{
    A->st.lesson = 0;
    if (A->in.dropout) A->wk.dropout(A->wk.ctx, 0), A->in.dropout = 0;
    if (A->in.crop_seed >= 0) A->wk.image_crop(A->wk.ctx, NULL, A->st.mirror, -1), A->in.crop_seed = -1;
    A->wk.narrate(A->wk.ctx, NULL, 0, ++A->narr_tag, NULL);
    ui_set_status(&A->st, "Left the lesson \"%s\" (L: lessons)", A->ls ? A->ls->title : "");
    drop_lesson(A);
}

static void picker_open(UiApp *A)
{
    if (!A->list && !(A->list = calloc(1, sizeof *A->list))) {
        A->st.picker = 0;
        ui_set_status(&A->st, "out of memory");
        return;
    }
    Err e = {0};
    A->list_error[0] = '\0';
    int n = ui_lesson_list(A->lessons_dir, A->list, &e);
    if (n < 0) snprintf(A->list_error, sizeof A->list_error, "%s", e.msg), n = 0;
    A->st.picker_n = n;
    A->st.picker_sel = 0;
    const char *cur = A->ls ? path_base(A->ls->path) : NULL; /* the paths may be spelled differently */
    for (int i = 0; cur && i < n; i++)
        if (strcmp(A->list->e[i].file, cur) == 0) A->st.picker_sel = i;
}

/* Enter or a click in the picker: a lesson that does not load says why and changes nothing. */
static void picker_pick(UiApp *A, double now)
{
    A->st.picker = 0;
    if (!A->list || A->st.picker_sel < 0 || A->st.picker_sel >= A->list->n) return;
    const UiLessonEntry *en = &A->list->e[A->st.picker_sel];
    Lesson *ls = malloc(sizeof *ls);
    Err e = {0};
    if (!ls || lesson_load(en->path, ls, &e) != 0) {
        ui_set_message(&A->st, 1, now, 0, "%s", ls ? e.msg : "out of memory");
        free(ls);
        return;
    }
    A->lesson_image[0] = '\0'; /* the command line's IMAGE was for the first lesson */
    lesson_start(A, ls, 0);
}

/* ---- input ------------------------------------------------------------------------------- */

/* Fashion-MNIST test images as LeNet-5 sees them (assets/fashion/CREDITS.md), for lenet5. */
static const char *const fashion_samples[] = {
    "fashion/9-ankle-boot-test00000.png", "fashion/2-pullover-test00001.png", "fashion/1-trouser-test00002.png",
    "fashion/6-shirt-test00004.png",      "fashion/4-coat-test00006.png",     "fashion/5-sandal-test00008.png",
    "fashion/7-sneaker-test00009.png",    "fashion/3-dress-test00013.png",    "fashion/8-bag-test00018.png",
    "fashion/0-t-shirt-top-test00019.png",
};

static void open_sample(UiApp *A)
{
    char path[1024];
    const char *name = ui_samples[A->st.sample];
    if (A->fashion) name = fashion_samples[A->fashion_sample++ % (int)(sizeof fashion_samples / sizeof *fashion_samples)];
    asset_path(name, path, sizeof path);
    A->wk.image(A->wk.ctx, path, A->st.mirror);
    snprintf(A->in.path, sizeof A->in.path, "%s", path);
    ui_set_status(&A->st, "Opening %s…", name);
}

void ui_app_load(UiApp *A, double now)
{
    const UiOptions *a = &A->a;
    const ArchSpec *arch = NULL;
    if (a->arch && !(arch = arch_find(a->arch))) {
        ui_set_message(&A->st, 1, now, 0, "--arch %s: unknown; using alexnet", a->arch);
        arch = &arch_alexnet;
    }
    if (A->ls) { /* the lesson's arch, whatever --arch says */
        if (arch && arch != A->ls->arch)
            fprintf(stderr, "alexscope: --arch %s ignored: the lesson is for %s\n", arch->name, A->ls->arch->name);
        arch = A->ls->arch;
        const char *w = a->weights ? a->weights : A->ls->weights[0] ? A->ls->weights : NULL;
        A->wk.weights(A->wk.ctx, w, arch, WEIGHTS_DEFAULT_SEED);
        A->want_arch = arch;
        snprintf(A->want_weights, sizeof A->want_weights, "%s", w ? w : "");
        if (a->image) snprintf(A->lesson_image, sizeof A->lesson_image, "%s", a->image);
        lesson_start(A, A->ls, a->lesson_step > 0 ? a->lesson_step - 1 : 0);
        return;
    }
    if (!a->weights && !arch) arch = &arch_alexnet;
    A->want_arch = a->weights ? NULL : arch;
    A->wk.weights(A->wk.ctx, a->weights, arch, WEIGHTS_DEFAULT_SEED);
    /* --engine fast (a screenshot switches after the naive run, to show both times) */
    if (A->st.fast && A->wk.engine && !a->screenshot) A->wk.engine(A->wk.ctx, 1);
    if (a->image) A->wk.image(A->wk.ctx, a->image, A->st.mirror), snprintf(A->in.path, sizeof A->in.path, "%s", a->image);
    else open_sample(A);
    A->in_known = 1, A->in.crop_seed = -1;
    if (a->train) ui_app_train_action(A, ACT_TRAIN); /* --train: the training view */
}

void ui_app_absorb(UiApp *A, double now)
{
    UiNote note;
    while (A->wk.sync(A->wk.ctx, &A->m, &note)) {
        if (note.error) ui_set_message(&A->st, 1, now, 15, "%s", note.text);
        else ui_set_status(&A->st, "%s", note.text);
        /* A lesson whose weights file failed, on another arch than the one loaded, would wait
           for its arch forever: fall back to that arch's built-in weights. */
        if (note.error && A->ls && A->st.lesson && A->want_weights[0] && (!A->m.net || A->m.net->arch != A->ls->arch)) {
            ui_set_message(&A->st, 1, now, 15, "%s\nThe lesson goes on with %s's built-in weights.", note.text,
                           A->ls->arch->name);
            A->want_weights[0] = '\0';
            A->wk.weights(A->wk.ctx, NULL, A->ls->arch, WEIGHTS_DEFAULT_SEED);
        }
    }
    if (A->m.net && A->st.nlayers != A->m.net->nlayers) { /* another arch came in */
        A->st.nlayers = A->m.net->nlayers;
        if (A->st.pos > A->st.nlayers) A->st.pos = A->st.nlayers;
        A->st.channel = -1;
        A->st.sal = (UiSalTarget){-1, -1, 0, 0, 0}; /* the saliency map follows the top-1 class again */
        ui_clear_selection(&A->st);
    }
}

/* Turns UI_FX_* bits into work; returns the bits only the caller can act on. */
static int apply_fx(UiApp *A, int fx, double now)
{
    if (fx & UI_FX_IMAGE) A->wk.image(A->wk.ctx, NULL, A->st.mirror), A->in.mirror = A->st.mirror; /* the same photo again */
    if (fx & UI_FX_LEAVE) lesson_leave(A);
    if (fx & UI_FX_LESSONS) picker_open(A);
    if (fx & UI_FX_PICK) picker_pick(A, now);
    if (fx & UI_FX_STEP) lesson_go(A);
    if (fx & UI_FX_RUN) A->wk.target(A->wk.ctx, A->st.pos);
    return fx & (UI_FX_EXPORT | UI_FX_FULLSCREEN | UI_FX_QUIT);
}

/* A and V need the layer: say why nothing slides, or which comparison is shown. */
static void anim_action(UiApp *A, UiAction act)
{
    UiAnimSetup S;
    int ok = ui_view_anim_setup(&A->m, &A->st, &S);
    if (act == ACT_ANIM && A->st.anim.on && !ok)
        ui_set_status(&A->st, "A: the window slides over conv and pooling layers; go to one (N / P)");
    if (act == ACT_ANIM_VARIANT && ok) {
        const PlanLayer *pl = &A->m.net->plan.layers[S.layer];
        A->st.anim.variant = ui_anim_next_variant(A->m.net->arch, S.layer, pl->in, S.variant);
        ui_view_anim_setup(&A->m, &A->st, &S);
        ui_set_status(&A->st, "Sliding window: %s%s%s", S.panel[0].title, S.npanels > 1 ? " beside " : "",
                      S.npanels > 1 ? S.panel[1].title : "");
    }
}

/* I: the im2col view needs a conv layer; say so when there is none here. */
static void im2col_action(UiApp *A)
{
    const Net *n = A->m.net;
    int layer = ui_pos_layer(A->st.pos);
    if (A->st.im2col && (!n || layer < 0 || n->plan.layers[layer].spec->kind != LK_CONV))
        ui_set_status(&A->st, "I: the im2col view shows conv layers; go to one (N / P)");
}

/* F: the worker switches engines and says what it did (or why not). */
static void engine_action(UiApp *A)
{
    if (!A->wk.engine) {
        A->st.fast = 0;
        ui_set_status(&A->st, "F: this window has no engine switch");
        return;
    }
    A->wk.engine(A->wk.ctx, A->st.fast);
    ui_set_status(&A->st, "Switching to the %s engine…", A->st.fast ? "fast" : "naive");
    if (A->m.net && !A->m.fast_built) A->st.fast = 0; /* the worker's note says why; F stays naive */
}

/* The conv or pool layer whose channels H indexes, else -1. */
static int patches_layer(const UiApp *A)
{
    const Net *n = A->m.net;
    int layer = ui_pos_layer(A->st.pos);
    if (!n || layer < 0) return -1;
    const PlanLayer *l = &n->plan.layers[layer];
    return l->spec->kind == LK_FC || l->spec->kind == LK_SOFTMAX || l->rf <= 0 || l->out.h * l->out.w <= 1 ? -1 : layer;
}

int ui_app_patches_ready(const UiApp *A)
{
    const UiPatches *p = &A->m.patches;
    int layer = patches_layer(A);
    return layer >= 0 && p->valid && p->arch == A->m.arch && p->layer == layer;
}

/* X, O, H, Y opened a tool's view: start its job (H: only when this layer has no index yet). */
static void tool_action(UiApp *A)
{
    const UiAppWorker *w = &A->wk;
    switch (A->st.tool_view) {
    case UI_TOOL_VIEW_CROPS:
        if (w->crops) w->crops(w->ctx);
        break;
    case UI_TOOL_VIEW_OCCLUSION:
        if (w->occlusion) w->occlusion(w->ctx);
        break;
    case UI_TOOL_VIEW_PATCHES: {
        int layer = patches_layer(A);
        if (layer < 0) {
            A->st.tool_view = 0;
            ui_set_status(&A->st, "H: top patches are for conv and pooling layers; go to one (N / P)");
        } else if (!ui_app_patches_ready(A) && w->patches) {
            w->patches(w->ctx, layer);
        }
        break;
    }
    case UI_TOOL_VIEW_SALIENCY:
        if (w->saliency) w->saliency(w->ctx, &A->st.sal, A->st.sal_method);
        else A->st.tool_view = 0, ui_set_status(&A->st, "Y: this window has no saliency maps");
        break;
    default: break;
    }
}

void ui_app_tool(UiApp *A, int view)
{
    A->st.tool_view = view;
    tool_action(A);
}

int ui_app_action(UiApp *A, UiAction act, double now)
{
    if (ui_app_train_action(A, act)) return 0; /* J, and the training view's keys (ui_app_train.c) */
    if (act == ACT_DESELECT && A->m.progress.running && A->wk.cancel) { /* Esc stops a long job first */
        A->wk.cancel(A->wk.ctx);
        ui_set_status(&A->st, "Cancelling the %s…", ui_tool_names[A->m.progress.running]);
        return 0;
    }
    if (act == ACT_PATCHES && A->st.tool_view == UI_TOOL_VIEW_PATCHES && !ui_app_patches_ready(A)) {
        tool_action(A); /* on, but not for this layer: find this layer's */
        return 0;
    }
    int fx = ui_apply(&A->st, act);
    if (act == ACT_ENGINE) engine_action(A);
    if (fx & UI_FX_TOOL) tool_action(A);
    if (act == ACT_IM2COL) im2col_action(A);
    if (act == ACT_ANIM || act == ACT_ANIM_VARIANT) anim_action(A, act);
    if (act == ACT_SAMPLE) open_sample(A), fx &= ~UI_FX_IMAGE;
    return apply_fx(A, fx, now);
}

int ui_app_click(UiApp *A, int x, int y, int right, double now)
{
    if (A->train_view) return 0; /* the training view has no clickable parts */
    if (right) {
        ui_apply(&A->st, ACT_DESELECT);
        return 0;
    }
    UiView v = ui_app_view(A, now);
    UiAction act = ui_hit_button(&A->L, x, y);
    int fx = ui_click(&A->st, &v, x, y);
    if (fx & UI_FX_TOOL) tool_action(A); /* a saliency target or method was clicked */
    if (act == ACT_SAMPLE) open_sample(A), fx &= ~UI_FX_IMAGE;
    return apply_fx(A, fx, now);
}

void ui_app_drop(UiApp *A, const char *path, double now)
{
    size_t n = strlen(path);
    if (n > 7 && !strcmp(path + n - 7, ".lesson")) { /* a lesson plays, as L would open it */
        Lesson *ls = malloc(sizeof *ls);
        Err e = {0};
        if (!ls || lesson_load(path, ls, &e) != 0) {
            ui_set_message(&A->st, 1, now, 0, "%s", ls ? e.msg : "out of memory");
            free(ls);
            return;
        }
        A->st.picker = 0;
        A->lesson_image[0] = '\0';
        lesson_start(A, ls, 0);
        return;
    }
    A->wk.drop(A->wk.ctx, path, A->st.mirror);
    A->in_known = 0, A->want_arch = NULL; /* an image or weights: either way, unknown now */
    ui_set_status(&A->st, "Opening %s…", path);
}

/* ---- the frame ------------------------------------------------------------------------------ */

UiView ui_app_view(UiApp *A, double now)
{
    A->show.ls = A->st.lesson ? A->ls : NULL;
    A->show.narration = A->ls && A->m.narration_tag == A->narr_tag ? A->m.narration : NULL;
    A->show.narration_error = A->m.narration_error;
    A->show.list = A->list;
    A->show.list_error = A->list_error[0] ? A->list_error : NULL;
    return (UiView){&A->st, &A->L, &A->m, &A->im, labels_of(A, A->m.arch), now, A->frame_ms, &A->show};
}

void ui_app_frame(UiApp *A, int w, int h, double now, int hover, int mx, int my)
{
    ui_app_absorb(A, now);
    ui_app_apply_view(A);
    ui_tick(&A->st, now);
    UiAnimSetup as;
    ui_anim_tick(&A->st.anim, ui_view_anim_setup(&A->m, &A->st, &as) ? as.count : 0, now);
    A->wk.target(A->wk.ctx, A->st.pos);
    UiView v = ui_app_view(A, now);
    ui_view_layout(&A->L, w, h, &v, &A->dl);
    if (A->train_view && A->train) { /* the whole window */
        ui_app_train_frame(A, &v);
        return;
    }
    if (hover) ui_hover(&A->st, &v, mx, my);
    ui_view_images(&A->im, &v);
    ui_view_anim_images(&A->im, &v);
    dl_reset(&A->dl);
    ui_view_build(&A->dl, &v);
}
