/* worker_jobs.c - what each request does on the worker thread: load weights, load or
   re-crop an image, switch dropout, export (see worker.h; the mailboxes in worker_impl.h).
   Jobs run without the lock and take it only to publish. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "util.h"
#include "wfile.h"
#include "worker_impl.h"

#define PHOTO_MAX_SIDE 1024 /* the display copy; textures stay small on old GPUs */

/* ---- images ------------------------------------------------------------------------- */

static int image_copy(Worker *wk, const Image *in, Image *out, Err *e)
{
    size_t n = (size_t)in->w * in->h * 3;
    out->px = worker_alloc(wk, n);
    if (!out->px) return err_set(e, "out of memory for a %d×%d image", in->w, in->h);
    memcpy(out->px, in->px, n);
    out->w = in->w, out->h = in->h;
    return 0;
}

static int display_copy(Worker *wk, const Image *in, Image *out, Err *e)
{
    int side = in->w > in->h ? in->w : in->h;
    if (side <= PHOTO_MAX_SIDE) return image_copy(wk, in, out, e);
    int w = (int)((long long)in->w * PHOTO_MAX_SIDE / side), h = (int)((long long)in->h * PHOTO_MAX_SIDE / side);
    return img_resize(in, w < 1 ? 1 : w, h < 1 ? 1 : h, out, e);
}

/* An image made ready for one model: its input tensor, the crop and the display copy. */
typedef struct {
    float *x;               /* model_input_count floats */
    Image crop, photo;
    CropBox box;
} Prepared;

static void prepared_free(Prepared *p)
{
    free(p->x);
    img_free(&p->crop);
    img_free(&p->photo);
    memset(p, 0, sizeof *p);
}

static int prepare(Worker *wk, const Image *orig, const Model *m, int mirror, int crop, Prepared *p, Err *e)
{
    memset(p, 0, sizeof *p);
    p->x = worker_alloc(wk, sizeof(float) * (size_t)model_input_count(m));
    if (!p->x) return err_set(e, "out of memory for the input tensor");
    if (model_prepare(m, orig, mirror, crop, p->x, &p->box, &p->crop, e) != 0 ||
        display_copy(wk, orig, &p->photo, e) != 0) {
        prepared_free(p);
        return -1;
    }
    return 0;
}

/* Hands photo, crop and box to the UI (replacing an unclaimed earlier hand-over). */
static void publish_image(Worker *wk, Prepared *p, int mirror)
{
    Published *pub = &wk->pub;
    pthread_mutex_lock(&wk->mu);
    if (pub->has_image) img_free(&pub->photo), img_free(&pub->crop);
    pub->photo = p->photo, pub->crop = p->crop, pub->box = p->box;
    pub->orig_w = wk->own.orig.w, pub->orig_h = wk->own.orig.h;
    pub->mirror = mirror, pub->crop_seed = wk->own.crop_seed;
    str_copy(pub->image_name, sizeof pub->image_name, wk->own.image_name);
    pub->has_image = 1;
    pthread_mutex_unlock(&wk->mu);
    memset(&p->photo, 0, sizeof p->photo);
    memset(&p->crop, 0, sizeof p->crop);
}

static void set_input(Worker *wk, const Prepared *p)
{
    worker_retire(wk, 0, 1);
    net_set_input(wk->own.net, p->x);
    pthread_mutex_lock(&wk->mu);
    wk->pub.has_input = 1;
    pthread_mutex_unlock(&wk->mu);
}

/* ---- jobs --------------------------------------------------------------------------- */

static void job_dropout(Worker *wk, const Job *j)
{
    wk->own.train_dropout = j->train;
    pthread_mutex_lock(&wk->mu);
    wk->pub.dropout = j->train;
    pthread_mutex_unlock(&wk->mu);
    Net *n = wk->own.net;
    if (!n || n->train_dropout == j->train) return;
    int k = 0;
    while (k < n->nlayers && n->plan.layers[k].spec->kind != LK_DROPOUT) k++;
    if (k == n->nlayers) { /* no dropout layer (lenet5): nothing to compute again */
        n->train_dropout = j->train;
        return;
    }
    worker_retire(wk, k, 0);
    n->train_dropout = j->train;
    net_reset(n, k);
    worker_note(wk, 0, "Dropout %s: %s", j->train ? "in training mode" : "off (inference)",
                j->train ? "a random half of the units is zeroed, the rest doubled" : "every unit passes unchanged");
}

/* "Opened cat.png (...)", "random crop (seed 3) ...", "Mirror on: ...": what changed. */
static void note_image(Worker *wk, const Job *j, const Prepared *p, int crop_changed)
{
    const WorkerOwn *o = &wk->own;
    char how[64];
    if (o->crop_seed < 0) snprintf(how, sizeof how, "centre crop");
    else snprintf(how, sizeof how, "random crop (seed %d)", o->crop_seed);
    const char *mirrored = j->mirror ? ", mirrored" : "";
    char steps[256];
    if (j->has_path) worker_note(wk, 0, "Opened %s: %s", o->image_name, img_crop_text(&p->box, steps, sizeof steps));
    else if (crop_changed)
        worker_note(wk, 0, "%s %d×%d at (%d, %d)%s: every layer computed again", how, p->crop.w, p->crop.h,
                    p->box.crop_x, p->box.crop_y, mirrored);
    else
        worker_note(wk, 0, "Mirror %s: the crop is flipped left-right and every layer computed again",
                    j->mirror ? "on" : "off");
}

static void job_image(Worker *wk, const Job *j)
{
    WorkerOwn *o = &wk->own;
    Err e = {0};
    Image im = {0};
    if (j->has_path) {
        worker_set_what(wk, "loading", path_base(j->path));
        if (img_load(j->path, &im, &e) != 0) {
            worker_note(wk, 1, "%s\nKeeping the previous image.", e.msg);
            return;
        }
    } else if (!o->orig.px) {
        return;
    } else if (image_copy(wk, &o->orig, &im, &e) != 0) {
        worker_note(wk, 1, "%s", e.msg);
        return;
    }
    if (!o->net) { /* no weights yet: keep the image for when they arrive */
        img_free(&o->orig);
        o->orig = im;
        if (j->has_path) str_copy(o->image_path, sizeof o->image_path, j->path);
        return;
    }
    Prepared p;
    int crop = j->set_crop ? j->crop : o->crop_seed, crop_changed = crop != o->crop_seed;
    worker_set_what(wk, "preparing", j->has_path ? path_base(j->path) : o->image_name);
    if (prepare(wk, &im, o->model, j->mirror, crop, &p, &e) != 0) {
        img_free(&im);
        worker_note(wk, 1, "%s\nKeeping the previous image.", e.msg);
        return;
    }
    o->crop_seed = crop;
    img_free(&o->orig);
    o->orig = im;
    if (j->has_path) {
        str_copy(o->image_name, sizeof o->image_name, path_base(j->path));
        str_copy(o->image_path, sizeof o->image_path, j->path);
    }
    set_input(wk, &p);
    note_image(wk, j, &p, crop_changed);
    publish_image(wk, &p, j->mirror);
    prepared_free(&p);
}

/* model_load + net_create; path NULL: the built-in weights of arch. */
static int load_model(Worker *wk, const char *path, const ArchSpec *arch, Model **out, Net **net, Err *e)
{
    Model *m = worker_alloc(wk, sizeof *m);
    if (!m) return err_set(e, "out of memory for the weights");
    if (model_load(m, path, arch ? arch->name : NULL, NULL, e) != 0) {
        free(m);
        return -1;
    }
    if (wk->own.resize) model_set_resize(m, wk->own.resize == 1 ? "warp" : "short", e);
    *net = net_create(m->arch, &m->weights, e);
    if (!*net) {
        ui_model_drop(m);
        return -1;
    }
    *out = m;
    return 0;
}

static void job_weights(Worker *wk, const Job *j)
{
    WorkerOwn *o = &wk->own;
    Err e = {0};
    Model *m = NULL;
    Net *n = NULL;
    const char *path = j->has_path ? j->path : NULL;
    worker_set_what(wk, "loading weights", path ? path_base(path) : "(the default)");
    if (load_model(wk, path, j->arch, &m, &n, &e) != 0) {
        worker_note(wk, 1, "%s\nKeeping the previous weights.", e.msg);
        if (o->net || !path) return;
        /* Nothing to show yet: fall back to the built-in weights so the window works. */
        if (load_model(wk, MODEL_BUILTIN, j->arch, &m, &n, &e) != 0) {
            worker_note(wk, 1, "%s", e.msg);
            return;
        }
    }
    pthread_mutex_lock(&wk->mu);
    int mirror = wk->pub.mirror;
    pthread_mutex_unlock(&wk->mu);
    Prepared p = {0};
    n->train_dropout = o->train_dropout;
    int have_image = o->orig.px && prepare(wk, &o->orig, m, mirror, o->crop_seed, &p, &e) == 0;
    if (o->orig.px && !have_image) worker_note(wk, 1, "%s", e.msg);
    if (have_image) net_set_input(n, p.x);

    worker_tools_new_model(wk); /* the fast engine borrowed the old weights */
    Published *pub = &wk->pub;
    pthread_mutex_lock(&wk->mu);
    if (pub->has_model) { /* the UI never saw the previous one: it is still ours */
        net_free(pub->net);
        ui_model_drop(pub->model);
    }
    pub->model = m, pub->net = n, pub->has_model = 1;
    o->model = m, o->net = n;
    pub->serial = ++o->model_serial;
    worker_tools_forget(wk);
    pub->ready = 0;
    pub->has_input = have_image;
    pub->gen++;
    pthread_mutex_unlock(&wk->mu);
    if (have_image) publish_image(wk, &p, mirror);
    prepared_free(&p);
    if (path && strcmp(path, MODEL_BUILTIN)) /* a file (or a fallback from one) says what was loaded */
        worker_note(wk, 0, "Weights: %s (%s, %s)", m->weights.source, m->weights.format, m->arch->name);
}

/* E pressed while the layer is still being computed: compute it first. */
static void compute_for_export(Worker *wk, Net *n, int layer)
{
    if (layer < 0 || !n->has_input || n->run[layer].computed) return;
    Err e = {0};
    int done = net_run_to(n, layer + 1, &e);
    pthread_mutex_lock(&wk->mu);
    wk->pub.ready = n->done;
    pthread_mutex_unlock(&wk->mu);
    if (done < 0) worker_note(wk, 1, "%s", e.msg);
}

static void job_export(Worker *wk, Job *j)
{
    WorkerExport *x = &j->exp;
    Err e = {0};
    Net *n = wk->own.net;
    if (n && x->layer >= n->nlayers) { /* the UI's layer, of the model it showed (for_model) */
        img_free(&x->screen);
        worker_note(wk, 1, "Export failed: %s has layers 0 to %d, not %d", n->arch->name, n->nlayers - 1, x->layer);
        return;
    }
    worker_set_what(wk, "exporting to", x->dir);
    int ok = mkdir_p(x->dir, &e) == 0, files = 0;
    if (ok && n) compute_for_export(wk, n, x->layer);
    const char *lname = x->layer < 0 ? "input" : n ? n->plan.layers[x->layer].spec->name : "none";
    if (ok && n && (x->layer < 0 ? n->has_input : n->run[x->layer].computed)) {
        files = x->layer < 0 ? export_maps(n->input, n->arch->input, lname, x->dir, x->norm, x->cmap, &e)
                             : export_layer(n, x->layer, x->dir, x->norm, x->cmap, &e);
        ok = files >= 0;
    }
    if (ok && x->screen.px) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s_screen.png", x->dir, lname);
        ok = img_write_png(path, &x->screen, &e) == 0;
        files += ok;
    }
    img_free(&x->screen);
    if (ok) worker_note(wk, 0, "Saved %d file%s (%s_*.png) in %s", files, files == 1 ? "" : "s", lname, x->dir);
    else worker_note(wk, 1, "Export failed: %s", e.msg);
}

void worker_run_job(Worker *wk, Job *j)
{
    /* asked about a layer or unit of the model the UI showed, queued behind weights that
       replaced it: the new model may not have that layer */
    if (j->for_model && j->for_model != wk->own.model_serial) {
        worker_note(wk, 0, "%s: not done, as other weights were loaded while it waited",
                    j->kind == JOB_EXPORT ? "Export" : j->kind == JOB_PATCHES ? "Top patches" : "Saliency map");
        if (j->kind == JOB_EXPORT) img_free(&j->exp.screen);
        return;
    }
    switch (j->kind) {
    case JOB_WEIGHTS: job_weights(wk, j); break;
    case JOB_IMAGE: job_image(wk, j); break;
    case JOB_DROP: {
        Err e = {0};
        j->kind = wfile_detect(j->path, &e) != WF_UNKNOWN ? JOB_WEIGHTS : JOB_IMAGE;
        j->arch = NULL;
        worker_run_job(wk, j);
        break;
    }
    case JOB_EXPORT: job_export(wk, j); break;
    case JOB_DROPOUT: job_dropout(wk, j); break;
    case JOB_RESIZE: wk->own.resize = j->resize; break;
    case JOB_ENGINE:
    case JOB_CROPS:
    case JOB_OCCLUSION:
    case JOB_PATCHES:
    case JOB_SALIENCY: worker_tool_job(wk, j); break;
    case JOB_COUNT: break;
    }
}

void worker_free_job(Job *j)
{
    if (!j) return;
    img_free(&j->exp.screen);
    free(j);
}
