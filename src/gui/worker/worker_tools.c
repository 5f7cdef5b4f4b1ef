/* worker_tools.c - the engine switch (key F) and the jobs of the tools that need many
   forward passes (keys X, O, H: the paper's ten crops, Zeiler & Fergus's occlusion map and
   top patches, from src/tools), with progress and cancel; and each layer's time on each
   engine. Runs on the worker thread (see worker.h); takes the lock only to publish. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"
#include "util.h"
#include "worker_impl.h"
#ifdef ALEXSCOPE_HAVE_FAST
#include "fast.h"
#endif

#define PATCH_COUNT 9        /* patches kept per channel: Zeiler & Fergus's top 9 */
#define PATCH_MAX_IMAGES 200 /* images of a folder looked at (each keeps its input as RGB) */
#define TOOL_BATCH 16        /* inputs per engine_run on the fast engine */

static int fast_built(void) { return engine_available(ENGINE_FAST); }

/* ---- computing the layers --------------------------------------------------------------- */

int worker_compute(Worker *wk, Net *n, UiEngine *used, Err *e)
{
    *used = UI_ENGINE_NAIVE;
#ifdef ALEXSCOPE_HAVE_FAST
    WorkerOwn *o = &wk->own;
    /* From scratch only: fast_net_run rewrites every layer up to k, and the UI may be
       reading the layers already done. Dropout's train mode needs the naive loops. */
    if (o->engine == UI_ENGINE_FAST && n->done == 0 && !n->train_dropout && o->model &&
        n->weights == &o->model->weights) {
        if (!o->fast && !(o->fast = fast_create(n->arch, n->weights, 1, e))) return -1;
        *used = UI_ENGINE_FAST;
        return fast_net_run(o->fast, n, n->nlayers, e);
    }
#else
    (void)wk;
#endif
    return net_step(n, e);
}

void worker_record_times(Worker *wk, const Net *n, int from, UiEngine used)
{
    Published *pub = &wk->pub;
    for (int i = from; i < n->done && i < UI_MODEL_MAX_LAYERS; i++) {
        pub->by[i] = used;
        pub->ran[i] |= 1u << used;
        pub->ms[used][i] = n->run[i].ms;
    }
}

static void free_fast(WorkerOwn *o)
{
#ifdef ALEXSCOPE_HAVE_FAST
    fast_free(o->fast);
#endif
    o->fast = NULL;
}

void worker_tools_new_model(Worker *wk)
{
    free_fast(&wk->own);
    pthread_mutex_lock(&wk->mu);
    memset(wk->pub.by, 0, sizeof wk->pub.by);
    memset(wk->pub.ran, 0, sizeof wk->pub.ran);
    memset(wk->pub.ms, 0, sizeof wk->pub.ms);
    pthread_mutex_unlock(&wk->mu);
}

void worker_tools_free(Worker *wk)
{
    free_fast(&wk->own);
    ui_crops_free(&wk->pub.crops);
    ui_occ_free(&wk->pub.occ);
    ui_patches_free(&wk->pub.patches);
    ui_sal_free(&wk->pub.sal);
}

/* Moves one published result into m's slot; the slot's old content goes to old. */
#define ADOPT(field, has)                                                                                              \
    do {                                                                                                               \
        if (pub->has) {                                                                                                \
            old->field = m->field, m->field = pub->field;                                                              \
            memset(&pub->field, 0, sizeof pub->field);                                                                 \
            pub->has = 0;                                                                                              \
        }                                                                                                              \
    } while (0)

/* What is published after this is the new model's. */
void worker_tools_forget(Worker *wk)
{
    Published *pub = &wk->pub;
    ui_crops_free(&pub->crops);
    ui_occ_free(&pub->occ);
    ui_patches_free(&pub->patches);
    ui_sal_free(&pub->sal);
    pub->has_crops = pub->has_occ = pub->has_patches = pub->has_sal = 0;
    pub->forget = 1;
    pub->tools_gen++;
}

void worker_tools_adopt(Worker *wk, UiModel *m, UiModel *old)
{
    Published *pub = &wk->pub;
    if (pub->forget) { /* the UI's results are the old model's */
        ui_crops_free(&m->crops);
        ui_occ_free(&m->occ);
        ui_patches_free(&m->patches);
        ui_sal_free(&m->sal);
        pub->forget = 0;
    }
    ADOPT(crops, has_crops);
    ADOPT(occ, has_occ);
    ADOPT(patches, has_patches);
    ADOPT(sal, has_sal);
    m->tools_gen = pub->tools_gen;
    m->engine = pub->engine;
    m->fast_built = fast_built();
    memcpy(m->by, pub->by, sizeof m->by);
    memcpy(m->ran, pub->ran, sizeof m->ran);
    memcpy(m->ms, pub->ms, sizeof m->ms);
    m->progress = pub->progress;
}

/* ---- the engine switch ------------------------------------------------------------------- */

static void job_engine(Worker *wk, UiEngine want)
{
    WorkerOwn *o = &wk->own;
    if (want == UI_ENGINE_FAST && !fast_built()) {
        worker_note(wk, 0, "F: this build has no fast engine (no BLAS was found when it was built): the naive loops "
                           "go on");
        return;
    }
    o->engine = want;
    pthread_mutex_lock(&wk->mu);
    wk->pub.engine = want;
    pthread_mutex_unlock(&wk->mu);
    Net *n = o->net;
    if (want == UI_ENGINE_FAST && n && n->train_dropout) {
        worker_note(wk, 0, "Fast engine on, but dropout is in training mode here: the fast engine computes inference "
                           "only, so the naive loops compute these layers");
        return;
    }
    if (n && n->has_input) {
        worker_retire(wk, 0, 0);
        net_reset(n, 0);
    }
    if (want == UI_ENGINE_FAST) worker_note(wk, 0, "Fast engine: im2col + SGEMM (%s)", engine_blas());
    else worker_note(wk, 0, "Naive engine: the loops of src/nn/kernels");
}

/* ---- what the tools' jobs share ------------------------------------------------------------ */

static void on_progress(void *ctx, int done, int total)
{
    Worker *wk = ctx;
    pthread_mutex_lock(&wk->mu);
    wk->pub.progress.done = done, wk->pub.progress.total = total;
    void (*hook)(void *, int, int) = wk->hook;
    void *hook_ctx = wk->hook_ctx;
    pthread_mutex_unlock(&wk->mu);
    if (hook) hook(hook_ctx, done, total);
}

static void progress_begin(Worker *wk, UiToolKind k, int total, const char *what)
{
    pthread_mutex_lock(&wk->mu);
    UiProgress *p = &wk->pub.progress;
    p->running = k, p->done = 0, p->total = total;
    str_copy(p->what, sizeof p->what, what);
    str_copy(wk->pub.what, sizeof wk->pub.what, what);
    pthread_mutex_unlock(&wk->mu);
}

static void progress_end(Worker *wk)
{
    pthread_mutex_lock(&wk->mu);
    memset(&wk->pub.progress, 0, sizeof wk->pub.progress);
    pthread_mutex_unlock(&wk->mu);
}

void worker_tool_progress(Worker *wk, UiToolKind k, int total, const char *what)
{
    if (k == UI_TOOL_NONE) progress_end(wk);
    else progress_begin(wk, k, total, what);
}

/* The tools' engine: the fast one when built (they need many passes), else the naive loops. */
static Engine *tool_engine(const Model *m, Err *e)
{
    int fast = fast_built();
    return engine_create(m->arch, &m->weights, fast ? ENGINE_FAST : ENGINE_NAIVE, fast ? TOOL_BATCH : 1, e);
}

/* A job that did not finish: "cancelled" says so, the previous result stays. */
static void note_failed(Worker *wk, const char *tool, const Err *e)
{
    if (strcmp(e->msg, "cancelled") == 0)
        worker_note(wk, 0, "%s cancelled (Esc): the previous result stays", tool);
    else worker_note(wk, 1, "%s: %s", tool, e->msg);
}

/* A result that explains why there is none (valid 0, why set) still replaces the old one. */
#define PUBLISH(wk, field, has, freefn, value)                                                                         \
    do {                                                                                                               \
        pthread_mutex_lock(&(wk)->mu);                                                                                 \
        if ((wk)->pub.has) freefn(&(wk)->pub.field);                                                                   \
        (wk)->pub.field = (value);                                                                                     \
        (wk)->pub.has = 1;                                                                                             \
        (wk)->pub.tools_gen++;                                                                                         \
        pthread_mutex_unlock(&(wk)->mu);                                                                               \
    } while (0)

/* ---- ten crops ------------------------------------------------------------------------------ */

static void mirror_rgb(Image *im)
{
    for (int y = 0; y < im->h; y++)
        for (int x = 0; x < im->w / 2; x++)
            for (int c = 0; c < 3; c++) {
                unsigned char *a = im->px + 3 * ((size_t)y * im->w + x) + c;
                unsigned char *b = im->px + 3 * ((size_t)y * im->w + (im->w - 1 - x)) + c;
                unsigned char t = *a;
                *a = *b, *b = t;
            }
}

/* The ten crops as pictures, cut from the resized photo as the network saw them. */
static int crops_images(const Model *m, const float *big, int bw, int bh, const CropsResult *r, UiCrops *c, Err *e)
{
    Shape in = m->arch->input, bs = {in.c, bh, bw};
    for (int i = 0; i < 10; i++) {
        if (tool_tensor_rgb(&m->preproc, big, bs, r->box[i].y, r->box[i].x, in.h, in.w, &c->img[i], e) != 0) return -1;
        if (r->box[i].mirror) mirror_rgb(&c->img[i]);
        str_copy(c->name[i], sizeof c->name[i], r->box[i].name);
        c->x[i] = r->box[i].x, c->y[i] = r->box[i].y, c->mirror[i] = r->box[i].mirror;
    }
    return 0;
}

static void job_crops(Worker *wk)
{
    WorkerOwn *o = &wk->own;
    if (!o->model || !o->image_path[0]) {
        worker_note(wk, 0, "X: open a photo first (S for a sample, or drop one)");
        return;
    }
    UiCrops c = {.arch = o->model->arch};
    str_copy(c.image_name, sizeof c.image_name, o->image_name);
    Err e = {0};
    float *big = NULL;
    int bw = 0, bh = 0;
    double t0 = now_ms();
    char what[128];
    snprintf(what, sizeof what, "ten crops of %.100s", o->image_name);
    progress_begin(wk, UI_TOOL_CROPS, 10, what);
    if (model_full_input(o->model, o->image_path, NULL, &big, &bw, &bh, &e) != 0) {
        progress_end(wk);
        snprintf(c.why, sizeof c.why, "%.200s. The paper cuts its ten crops from the photo resized to 256 px; %s's "
                 "preprocessing scales the whole photo to its input, so there is nothing to cut.", e.msg,
                 o->model->arch->name);
        worker_note(wk, 0, "X: no ten crops for %s (it has no resize larger than its input)", o->model->arch->name);
        PUBLISH(wk, crops, has_crops, ui_crops_free, c);
        return;
    }
    Engine *g = tool_engine(o->model, &e);
    CropsResult r = {0};
    ToolProgress pr = {on_progress, wk, &wk->cancel};
    int rc = g ? tool_crops(g, big, bw, bh, &r, &pr, &e) : -1;
    if (rc == 0) {
        c.engine = engine_name(engine_kind(g));
        c.count = r.count, c.probs = r.probs, c.mean = r.mean;
        c.big_w = bw, c.big_h = bh, c.crop_w = o->model->arch->input.w, c.crop_h = o->model->arch->input.h;
        r.probs = r.mean = NULL;
        rc = crops_images(o->model, big, bw, bh, &r, &c, &e);
    }
    engine_free(g);
    free(big);
    progress_end(wk);
    if (rc != 0) {
        ui_crops_free(&c);
        note_failed(wk, "Ten crops", &e);
        return;
    }
    c.valid = 1, c.ms = now_ms() - t0;
    worker_note(wk, 0, "Ten crops of %s: 10 forward passes on the %s engine in %.2f s", c.image_name, c.engine,
                c.ms / 1e3);
    PUBLISH(wk, crops, has_crops, ui_crops_free, c);
}

/* ---- occlusion ------------------------------------------------------------------------------ */

static void job_occlusion(Worker *wk)
{
    WorkerOwn *o = &wk->own;
    if (!o->net || !o->net->has_input) {
        worker_note(wk, 0, "O: open a photo first (S for a sample, or drop one)");
        return;
    }
    Shape in = o->model->arch->input;
    int side = in.h < in.w ? in.h : in.w;
    OccParams p = {.win = side < 100 ? side / 4 : 32, .stride = side < 100 ? side / 8 : 16, .cls = -1};
    UiOcclusion u = {.arch = o->model->arch, .win = p.win, .stride = p.stride, .in_w = in.w, .in_h = in.h};
    str_copy(u.image_name, sizeof u.image_name, o->image_name);
    Err e = {0};
    double t0 = now_ms();
    char what[128];
    snprintf(what, sizeof what, "occlusion map of %.100s", o->image_name);
    int cells = ((in.h - p.win) / p.stride + 1) * ((in.w - p.win) / p.stride + 1);
    progress_begin(wk, UI_TOOL_OCCLUSION, cells, what);
    Engine *g = tool_engine(o->model, &e);
    OccResult r = {0};
    ToolProgress pr = {on_progress, wk, &wk->cancel};
    int rc = g ? tool_occlusion(g, o->net->input, &p, &r, &pr, &e) : -1;
    if (rc == 0) {
        u.engine = engine_name(engine_kind(g));
        u.rows = r.rows, u.cols = r.cols, u.cls = r.cls, u.p0 = r.p0, u.map = r.map;
        rc = tool_tensor_rgb(&o->model->preproc, o->net->input, in, 0, 0, in.h, in.w, &u.input, &e);
    }
    engine_free(g);
    progress_end(wk);
    if (rc != 0) {
        ui_occ_free(&u);
        note_failed(wk, "Occlusion", &e);
        return;
    }
    u.valid = 1, u.ms = now_ms() - t0;
    worker_note(wk, 0, "Occlusion map of %s: %d×%d positions, %d forward passes on the %s engine in %.2f s",
                u.image_name, u.rows, u.cols, u.rows * u.cols + 1, u.engine, u.ms / 1e3);
    PUBLISH(wk, occ, has_occ, ui_occ_free, u);
}

/* ---- top patches ----------------------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

typedef char PatchName[64];

/* The image files of dir (at most PATCH_MAX_IMAGES, by name); -1 if it cannot be read. */
static int list_images(const char *dir, PatchName **out, Err *e)
{
    DIR *d = opendir(dir);
    if (!d) return err_set(e, "%s: cannot read this folder", dir);
    PatchName *names = calloc(PATCH_MAX_IMAGES, sizeof *names);
    int n = 0;
    for (struct dirent *de; names && n < PATCH_MAX_IMAGES && (de = readdir(d));)
        if (de->d_name[0] != '.' && img_is_image_name(de->d_name) && strlen(de->d_name) < sizeof names[0])
            str_copy(names[n++], sizeof names[0], de->d_name);
    closedir(d);
    if (!names) return err_set(e, "out of memory");
    qsort(names, (size_t)n, sizeof names[0], cmp_name);
    *out = names;
    return n;
}

typedef struct {
    const Model *m;
    const char *dir;
    UiPatches *u;
} PatchFolder;

/* patches_run's loader: image i's input, and its crop as RGB for the patches. */
static int load_image(void *ctx, int i, float *x, Err *e)
{
    (void)e;
    PatchFolder *f = ctx;
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", f->dir, f->u->names[i]);
    Image im;
    Err le = {0};
    int rc = img_load(path, &im, &le);
    if (rc == 0) rc = model_prepare(f->m, &im, 0, -1, x, NULL, &f->u->inputs[i], &le), img_free(&im);
    if (rc != 0) f->u->skipped++;
    return rc != 0;
}

/* The index's hits with their receptive fields, as the view draws them. */
static int patches_hits(const PatchIndex *ix, const Plan *p, UiPatches *u, Err *e)
{
    size_t n = (size_t)ix->channels * (size_t)ix->count;
    if (!(u->hits = calloc(n, sizeof *u->hits))) return err_set(e, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const PatchHit *h = &ix->hits[i];
        UiPatchHit *d = &u->hits[i];
        d->value = h->value, d->image = h->image, d->y = h->y, d->x = h->x;
        if (h->image >= 0) patches_field(p, ix->layer, h->y, h->x, &d->y0, &d->x0, &d->side);
    }
    u->channels = ix->channels, u->count = ix->count;
    return 0;
}

static void job_patches(Worker *wk, const Job *j)
{
    WorkerOwn *o = &wk->own;
    if (!o->model || !o->net) return;
    UiPatches u = {.arch = o->model->arch, .layer = j->layer};
    if (j->has_path) str_copy(u.folder, sizeof u.folder, j->path);
    else if (o->image_path[0]) {
        str_copy(u.folder, sizeof u.folder, o->image_path);
        char *slash = strrchr(u.folder, '/');
        if (slash) *slash = '\0';
        else str_copy(u.folder, sizeof u.folder, ".");
    } else asset_path("samples", u.folder, sizeof u.folder);
    Err e = {0};
    double t0 = now_ms();
    PatchIndex ix = {0};
    int n = patches_begin(&ix, &o->net->plan, j->layer, PATCH_COUNT, &e);
    if (n == 0) n = list_images(u.folder, &u.names, &e);
    if (n == 0) n = err_set(&e, "%s: no images (PNG, JPEG, BMP ...) in this folder", u.folder);
    if (n > 0 && !(u.inputs = calloc((size_t)n, sizeof *u.inputs))) n = err_set(&e, "out of memory");
    Engine *g = n > 0 ? tool_engine(o->model, &e) : NULL;
    int rc = g ? 0 : -1;
    if (g) {
        u.nimages = n;
        char what[128];
        snprintf(what, sizeof what, "top patches of %s over %d images", o->net->plan.layers[j->layer].spec->name, n);
        progress_begin(wk, UI_TOOL_PATCHES, n, what);
        ToolProgress pr = {on_progress, wk, &wk->cancel};
        PatchFolder f = {o->model, u.folder, &u};
        rc = patches_run(&ix, g, n, load_image, &f, &pr, &e) < 0 ? -1 : patches_hits(&ix, &o->net->plan, &u, &e);
        u.engine = engine_name(engine_kind(g));
        progress_end(wk);
    }
    engine_free(g);
    patches_free(&ix);
    if (rc != 0) {
        ui_patches_free(&u);
        note_failed(wk, "Top patches", &e);
        return;
    }
    u.valid = 1, u.ms = now_ms() - t0;
    worker_note(wk, 0, "Top patches of %s: %d images of %s on the %s engine in %.2f s%s", o->net->plan.layers[u.layer].spec->name,
                u.nimages - u.skipped, u.folder, u.engine, u.ms / 1e3, u.skipped ? " (some files skipped)" : "");
    PUBLISH(wk, patches, has_patches, ui_patches_free, u);
}

void worker_tool_job(Worker *wk, const Job *j)
{
    switch (j->kind) {
    case JOB_ENGINE: job_engine(wk, (UiEngine)j->engine); break;
    case JOB_CROPS: job_crops(wk); break;
    case JOB_OCCLUSION: job_occlusion(wk); break;
    case JOB_PATCHES: job_patches(wk, j); break;
    case JOB_SALIENCY: worker_saliency_job(wk, j); break;
    default: break;
    }
}
