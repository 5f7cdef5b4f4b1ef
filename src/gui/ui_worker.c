/* ui_worker.c - the compute thread (pthreads): a job queue, stepwise layer computation,
   and the hand-over of new nets and images to the UI (see ui_worker.h). */
#include "ui_worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wfile.h"
#include "util.h"

#define QUEUE 16
#define MAX_NOTES 8
#define PHOTO_MAX_SIDE 1024 /* the display copy; textures stay small on old GPUs */

typedef enum { JOB_WEIGHTS, JOB_IMAGE, JOB_DROP, JOB_EXPORT, JOB_DROPOUT } JobKind;

typedef struct {
    JobKind kind;
    int has_path;
    char path[1024];
    const ArchSpec *arch;
    uint64_t seed;
    int mirror;
    int set_crop, crop;     /* JOB_IMAGE: set the crop seed too */
    int train;              /* JOB_DROPOUT */
    UiExportJob exp;
} Job;

struct UiWorker {
    int threaded, started;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;      /* wakes the worker */
    pthread_cond_t ack;     /* wakes a worker waiting for the UI to see ready = 0 */
    int quit;
    Job q[QUEUE];
    int qhead, qn;
    int target, ready, working;
    int has_input;          /* net has an input (mirrors net->has_input, under mu) */
    char what[96];
    unsigned gen, ui_gen;

    /* worker-owned */
    Net *net;
    Weights *weights;
    Image orig;
    char image_name[256];
    int crop_seed;          /* -1 centre crop */
    int train_dropout;
    Lesson *narr;           /* the narration request being served */
    unsigned narr_gen;      /* gen the last narration was expanded at */
    int narr_done;

    /* narration requests (under mu) */
    Lesson *narr_new;       /* a new request the worker has not picked up */
    int narr_has_new;
    int narr_layers;
    unsigned narr_tag, narr_new_tag;
    const Labels *narr_lb;
    int pub_narr, p_narr_error;
    unsigned p_narr_tag;
    char p_narr[UI_NARRATION_MAX];

    /* published, waiting for the UI (under mu) */
    Net *front;             /* the net the UI holds */
    int pub_net;
    Net *p_net;
    Weights *p_weights;
    int pub_img;
    Image p_photo, p_crop;
    CropBox p_box;
    int p_ow, p_oh, p_mirror, p_crop_seed, p_dropout;
    char p_name[256];

    UiNote notes[MAX_NOTES];
    int nnotes;
};

static void drain(UiWorker *wk);

/* ---- notes -------------------------------------------------------------------------- */

static void note(UiWorker *wk, int error, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void note(UiWorker *wk, int error, const char *fmt, ...)
{
    UiNote n = {.error = error};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n.text, sizeof n.text, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&wk->mu);
    if (wk->nnotes == MAX_NOTES) {
        memmove(wk->notes, wk->notes + 1, sizeof wk->notes[0] * (MAX_NOTES - 1));
        wk->nnotes--;
    }
    wk->notes[wk->nnotes++] = n;
    pthread_mutex_unlock(&wk->mu);
}

/* "loading cat.png": what the status line shows while the worker is busy. */
static void set_what(UiWorker *wk, const char *verb, const char *arg)
{
    char buf[96];
    snprintf(buf, sizeof buf, "%s %.64s", verb, arg);
    pthread_mutex_lock(&wk->mu);
    str_copy(wk->what, sizeof wk->what, buf);
    pthread_mutex_unlock(&wk->mu);
}

/* ---- images ------------------------------------------------------------------------- */

static int image_copy(const Image *in, Image *out, Err *e)
{
    size_t n = (size_t)in->w * in->h * 3;
    out->px = malloc(n);
    if (!out->px) return err_set(e, "out of memory for a %d×%d image", in->w, in->h);
    memcpy(out->px, in->px, n);
    out->w = in->w, out->h = in->h;
    return 0;
}

static int display_copy(const Image *in, Image *out, Err *e)
{
    int side = in->w > in->h ? in->w : in->h;
    if (side <= PHOTO_MAX_SIDE) return image_copy(in, out, e);
    int w = (int)((long long)in->w * PHOTO_MAX_SIDE / side), h = (int)((long long)in->h * PHOTO_MAX_SIDE / side);
    return img_resize(in, w < 1 ? 1 : w, h < 1 ? 1 : h, out, e);
}

typedef struct {
    float *x;
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

/* Everything an image needs before it can become the input of arch a. */
static int prepare(const Image *orig, const ArchSpec *a, int mirror, int crop, Prepared *p, Err *e)
{
    memset(p, 0, sizeof *p);
    Shape s = a->input;
    p->x = malloc(sizeof(float) * (size_t)s.c * s.h * s.w);
    if (!p->x) return err_set(e, "out of memory for the input tensor");
    if (img_prepare(orig, &a->preproc, s.w, s.h, mirror, crop, p->x, &p->box, e) != 0 ||
        img_crop_rgb(orig, &a->preproc, s.w, s.h, mirror, crop, &p->crop, e) != 0 ||
        display_copy(orig, &p->photo, e) != 0) {
        prepared_free(p);
        return -1;
    }
    return 0;
}

/* Hands photo, crop and box to the UI (replacing an unclaimed earlier hand-over). */
static void publish_image(UiWorker *wk, Prepared *p, int mirror)
{
    pthread_mutex_lock(&wk->mu);
    if (wk->pub_img) img_free(&wk->p_photo), img_free(&wk->p_crop);
    wk->p_photo = p->photo, wk->p_crop = p->crop, wk->p_box = p->box;
    wk->p_ow = wk->orig.w, wk->p_oh = wk->orig.h, wk->p_mirror = mirror, wk->p_crop_seed = wk->crop_seed;
    str_copy(wk->p_name, sizeof wk->p_name, wk->image_name);
    wk->pub_img = 1;
    pthread_mutex_unlock(&wk->mu);
    memset(&p->photo, 0, sizeof p->photo);
    memset(&p->crop, 0, sizeof p->crop);
}

/* Sets ready = 0 and, with a UI thread reading the net, waits until it has seen that. */
static void retire_layers(UiWorker *wk)
{
    pthread_mutex_lock(&wk->mu);
    wk->ready = 0;
    wk->has_input = 0;
    unsigned g = ++wk->gen;
    while (wk->threaded && !wk->quit && wk->front == wk->net && wk->ui_gen != g) pthread_cond_wait(&wk->ack, &wk->mu);
    pthread_mutex_unlock(&wk->mu);
}

static void set_input(UiWorker *wk, Prepared *p)
{
    retire_layers(wk);
    net_set_input(wk->net, p->x);
    pthread_mutex_lock(&wk->mu);
    wk->has_input = 1;
    pthread_mutex_unlock(&wk->mu);
}

/* Forgets layers from k on; like retire_layers, waits until the UI has seen it. */
static void retire_from(UiWorker *wk, int k)
{
    pthread_mutex_lock(&wk->mu);
    if (wk->ready > k) wk->ready = k;
    unsigned g = ++wk->gen;
    while (wk->threaded && !wk->quit && wk->front == wk->net && wk->ui_gen != g) pthread_cond_wait(&wk->ack, &wk->mu);
    pthread_mutex_unlock(&wk->mu);
}

/* ---- jobs --------------------------------------------------------------------------- */

static void job_dropout(UiWorker *wk, const Job *j)
{
    wk->train_dropout = j->train;
    pthread_mutex_lock(&wk->mu);
    wk->p_dropout = j->train;
    pthread_mutex_unlock(&wk->mu);
    Net *n = wk->net;
    if (!n || n->train_dropout == j->train) return;
    int k = 0;
    while (k < n->nlayers && n->layers[k].spec->kind != LK_DROPOUT) k++;
    if (k == n->nlayers) { /* no dropout layer (lenet5): nothing to compute again */
        n->train_dropout = j->train;
        return;
    }
    retire_from(wk, k);
    n->train_dropout = j->train;
    net_reset(n, k);
    note(wk, 0, "Dropout %s: %s", j->train ? "in training mode" : "off (inference)",
         j->train ? "a random half of the units is zeroed, the rest doubled" : "every unit passes unchanged");
}

static void job_image(UiWorker *wk, const Job *j)
{
    Err e = {0};
    Image im = {0};
    if (j->has_path) {
        set_what(wk, "loading", path_base(j->path));
        if (img_load(j->path, &im, &e) != 0) {
            note(wk, 1, "%s\nKeeping the previous image.", e.msg);
            return;
        }
    } else if (!wk->orig.px) {
        return;
    } else if (image_copy(&wk->orig, &im, &e) != 0) {
        note(wk, 1, "%s", e.msg);
        return;
    }
    if (!wk->net) { /* no weights yet: keep the image for when they arrive */
        img_free(&wk->orig);
        wk->orig = im;
        return;
    }
    Prepared p;
    int crop = j->set_crop ? j->crop : wk->crop_seed, crop_changed = crop != wk->crop_seed;
    set_what(wk, "preparing", j->has_path ? path_base(j->path) : wk->image_name);
    if (prepare(&im, wk->net->arch, j->mirror, crop, &p, &e) != 0) {
        img_free(&im);
        note(wk, 1, "%s\nKeeping the previous image.", e.msg);
        return;
    }
    wk->crop_seed = crop;
    img_free(&wk->orig);
    wk->orig = im;
    if (j->has_path) str_copy(wk->image_name, sizeof wk->image_name, path_base(j->path));
    set_input(wk, &p);
    char how[64];
    if (crop < 0) snprintf(how, sizeof how, "centre crop");
    else snprintf(how, sizeof how, "random crop (seed %d)", crop);
    if (j->has_path)
        note(wk, 0, "Opened %s (%d×%d): resized to %d×%d, %s %d×%d%s", wk->image_name, wk->orig.w, wk->orig.h,
             p.box.resized_w, p.box.resized_h, how, p.crop.w, p.crop.h, j->mirror ? ", mirrored" : "");
    else if (crop_changed)
        note(wk, 0, "%s %d×%d at (%d, %d)%s: every layer computed again", how, p.crop.w, p.crop.h, p.box.crop_x, p.box.crop_y,
             j->mirror ? ", mirrored" : "");
    else
        note(wk, 0, "Mirror %s: the crop is flipped left-right and every layer computed again", j->mirror ? "on" : "off");
    publish_image(wk, &p, j->mirror);
    prepared_free(&p);
}

static void free_weights(Weights *w)
{
    if (!w) return;
    weights_free(w);
    free(w);
}

static int load_weights(const Job *j, Weights **out, Net **net, Err *e)
{
    Weights *w = calloc(1, sizeof *w);
    if (!w) return err_set(e, "out of memory");
    int rc = j->has_path ? wfile_load(j->path, j->arch, w, e) : weights_builtin(j->arch, j->seed, w, e);
    if (rc != 0) {
        free(w);
        return -1;
    }
    *net = net_create(w->arch, w, e);
    if (!*net) {
        free_weights(w);
        return -1;
    }
    *out = w;
    return 0;
}

static void job_weights(UiWorker *wk, const Job *j)
{
    Err e = {0};
    Weights *w = NULL;
    Net *n = NULL;
    set_what(wk, "loading weights", j->has_path ? path_base(j->path) : "(built-in)");
    if (load_weights(j, &w, &n, &e) != 0) {
        note(wk, 1, "%s\nKeeping the previous weights.", e.msg);
        if (wk->net || !j->has_path) return;
        /* Nothing to show yet: fall back to the built-in weights so the window works. */
        Job b = {.kind = JOB_WEIGHTS, .arch = j->arch ? j->arch : &arch_alexnet, .seed = 42};
        if (load_weights(&b, &w, &n, &e) != 0) {
            note(wk, 1, "%s", e.msg);
            return;
        }
    }
    int mirror = 0;
    pthread_mutex_lock(&wk->mu);
    mirror = wk->p_mirror;
    pthread_mutex_unlock(&wk->mu);
    Prepared p = {0};
    n->train_dropout = wk->train_dropout;
    int have_image = wk->orig.px && prepare(&wk->orig, n->arch, mirror, wk->crop_seed, &p, &e) == 0;
    if (wk->orig.px && !have_image) note(wk, 1, "%s", e.msg);
    if (have_image) net_set_input(n, p.x);

    pthread_mutex_lock(&wk->mu);
    if (wk->pub_net) { /* the UI never saw the previous one: it is still ours */
        net_free(wk->p_net);
        free_weights(wk->p_weights);
    }
    wk->p_net = n, wk->p_weights = w, wk->pub_net = 1;
    wk->net = n, wk->weights = w;
    wk->ready = 0;
    wk->has_input = have_image;
    wk->gen++;
    pthread_mutex_unlock(&wk->mu);
    if (have_image) publish_image(wk, &p, mirror);
    prepared_free(&p);
    if (j->has_path) note(wk, 0, "Weights: %s (%s, %s)", w->source, w->format, n->arch->name);
}

static int write_png(const char *dir, const char *name, const Image *im, char *list, size_t size, Err *e)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (img_write_png(path, im, e) != 0) return -1;
    size_t used = strlen(list);
    snprintf(list + used, size - used, "%s%s", used ? ", " : "", name);
    return 0;
}

static void job_export(UiWorker *wk, Job *j)
{
    UiExportJob *x = &j->exp;
    Err e = {0};
    char list[600] = "", name[160];
    set_what(wk, "exporting to", x->dir);
    int ok = mkdir_p(x->dir, &e) == 0;
    Net *n = wk->net;
    if (ok && n && x->layer >= 0 && wk->has_input && !n->layers[x->layer].computed) { /* E pressed while computing */
        Err ce = {0};
        int done = net_run_to(n, x->layer + 1, &ce);
        pthread_mutex_lock(&wk->mu);
        wk->ready = n->done;
        pthread_mutex_unlock(&wk->mu);
        if (done < 0) note(wk, 1, "%s", ce.msg);
    }
    const char *lname = x->layer < 0 ? "input" : n ? n->layers[x->layer].spec->name : "none";
    if (ok && n && (x->layer < 0 ? n->has_input : n->layers[x->layer].computed)) {
        const float *d = x->layer < 0 ? n->input : n->layers[x->layer].out_data;
        Shape s = x->layer < 0 ? n->arch->input : n->layers[x->layer].out;
        int scale = s.h >= 64 ? 1 : s.h >= 16 ? 2 : s.h > 1 ? 4 : 1;
        Image g = {0};
        snprintf(name, sizeof name, "%s_grid.png", lname);
        ok = export_grid_image(d, s, x->norm, x->cmap, scale, &g, &e) == 0 && write_png(x->dir, name, &g, list, sizeof list, &e) == 0;
        img_free(&g);
        if (ok && x->channel >= 0 && x->channel < s.c && s.h > 1) {
            const float *c = d + (size_t)x->channel * s.h * s.w;
            float lo = c[0], hi = c[0];
            for (long i = 1; i < (long)s.h * s.w; i++) lo = c[i] < lo ? c[i] : lo, hi = c[i] > hi ? c[i] : hi;
            snprintf(name, sizeof name, "%s_c%03d.png", lname, x->channel);
            ok = export_channel_image(c, s.h, s.w, lo, hi, x->cmap, 256 / s.h > 1 ? 256 / s.h : 1, &g, &e) == 0 &&
                 write_png(x->dir, name, &g, list, sizeof list, &e) == 0;
            img_free(&g);
        }
    }
    if (ok && x->screen.px) {
        snprintf(name, sizeof name, "%s_screen.png", lname);
        ok = write_png(x->dir, name, &x->screen, list, sizeof list, &e) == 0;
    }
    img_free(&x->screen);
    if (ok) note(wk, 0, "Saved %s in %s", list[0] ? list : "nothing", x->dir);
    else note(wk, 1, "Export failed: %s", e.msg);
}

static void run_job(UiWorker *wk, Job *j)
{
    switch (j->kind) {
    case JOB_WEIGHTS: job_weights(wk, j); break;
    case JOB_IMAGE: job_image(wk, j); break;
    case JOB_DROP: {
        Err e = {0};
        j->kind = wfile_detect(j->path, &e) != WF_UNKNOWN ? JOB_WEIGHTS : JOB_IMAGE;
        j->arch = NULL;
        run_job(wk, j);
        break;
    }
    case JOB_EXPORT: job_export(wk, j); break;
    case JOB_DROPOUT: job_dropout(wk, j); break;
    }
}

/* ---- the loop ------------------------------------------------------------------------ */

/* Layers to compute: what the UI shows, or what the narration needs (lock held). */
static int want(const UiWorker *wk)
{
    Lesson *l = wk->narr_has_new ? wk->narr_new : wk->narr;
    int t = wk->target;
    if (l && wk->net && l->arch == wk->net->arch && wk->narr_layers > t) t = wk->narr_layers;
    return t;
}

static int compute_left(const UiWorker *wk)
{
    return wk->net && wk->has_input && wk->ready < want(wk) && wk->ready < wk->net->nlayers;
}

/* Expands the narration once its layers are in (lock held on entry and exit); 1 if it did. */
static int narrate_once(UiWorker *wk)
{
    if (wk->narr_has_new) { /* only this thread uses wk->narr, so the old one can go now */
        if (wk->narr) lesson_free(wk->narr), free(wk->narr);
        wk->narr = wk->narr_new, wk->narr_tag = wk->narr_new_tag;
        wk->narr_new = NULL, wk->narr_has_new = 0, wk->narr_done = 0;
    }
    Net *n = wk->net;
    if (!wk->narr || !n || n->arch != wk->narr->arch || !wk->has_input) return 0;
    int need = wk->narr_layers < n->nlayers ? wk->narr_layers : n->nlayers;
    if (wk->ready < need || (wk->narr_done && wk->narr_gen == wk->gen)) return 0;
    unsigned gen = wk->gen, tag = wk->narr_tag;
    const Labels *lb = wk->narr_lb;
    wk->working = 1;
    pthread_mutex_unlock(&wk->mu);
    char *text = malloc(UI_NARRATION_MAX);
    Err e = {0};
    int rc = text ? lesson_narration(wk->narr, 0, n, lb, text, UI_NARRATION_MAX, &e) : err_set(&e, "out of memory");
    pthread_mutex_lock(&wk->mu);
    wk->working = 0;
    wk->narr_done = 1, wk->narr_gen = gen;
    str_copy(wk->p_narr, sizeof wk->p_narr, rc == 0 ? text : e.msg);
    wk->p_narr_error = rc != 0, wk->p_narr_tag = tag, wk->pub_narr = 1;
    free(text);
    return 1;
}

/* One unit of work with the lock held on entry and exit; 0 when idle. */
static int work_once(UiWorker *wk)
{
    if (wk->qn > 0) {
        Job *j = malloc(sizeof *j);
        if (!j) return 0;
        *j = wk->q[wk->qhead];
        wk->qhead = (wk->qhead + 1) % QUEUE, wk->qn--;
        wk->working = 1;
        pthread_mutex_unlock(&wk->mu);
        run_job(wk, j);
        free(j);
        pthread_mutex_lock(&wk->mu);
        wk->working = 0;
        return 1;
    }
    if (narrate_once(wk)) return 1;
    if (compute_left(wk)) {
        Net *n = wk->net;
        snprintf(wk->what, sizeof wk->what, "computing %s", n->layers[wk->ready].spec->name);
        wk->working = 1;
        pthread_mutex_unlock(&wk->mu);
        Err e = {0};
        int done = net_step(n, &e);
        if (done < 0) note(wk, 1, "%s", e.msg);
        pthread_mutex_lock(&wk->mu);
        wk->working = 0;
        if (done < 0) wk->target = wk->ready, wk->narr_layers = wk->ready; /* no retrying in a loop */
        else wk->ready = n->done;
        return 1;
    }
    return 0;
}

static void *thread_main(void *arg)
{
    UiWorker *wk = arg;
    pthread_mutex_lock(&wk->mu);
    while (!wk->quit)
        if (!work_once(wk)) pthread_cond_wait(&wk->cv, &wk->mu);
    pthread_mutex_unlock(&wk->mu);
    return NULL;
}

static void drain(UiWorker *wk)
{
    if (wk->threaded) return;
    pthread_mutex_lock(&wk->mu);
    while (work_once(wk)) {}
    pthread_mutex_unlock(&wk->mu);
}

UiWorker *ui_worker_start(int threaded, Err *e)
{
    UiWorker *wk = calloc(1, sizeof *wk);
    if (!wk) {
        err_set(e, "out of memory");
        return NULL;
    }
    wk->threaded = threaded;
    wk->crop_seed = wk->p_crop_seed = -1;
    pthread_mutex_init(&wk->mu, NULL);
    pthread_cond_init(&wk->cv, NULL);
    pthread_cond_init(&wk->ack, NULL);
    if (threaded) {
        int rc = pthread_create(&wk->th, NULL, thread_main, wk);
        if (rc != 0) {
            err_set(e, "cannot start the compute thread (%s)", strerror(rc));
            ui_worker_stop(wk);
            return NULL;
        }
        wk->started = 1;
    }
    return wk;
}

void ui_worker_stop(UiWorker *wk)
{
    if (!wk) return;
    pthread_mutex_lock(&wk->mu);
    wk->quit = 1;
    pthread_cond_broadcast(&wk->cv);
    pthread_cond_broadcast(&wk->ack);
    pthread_mutex_unlock(&wk->mu);
    if (wk->started) pthread_join(wk->th, NULL);
    for (int i = 0; i < wk->qn; i++) img_free(&wk->q[(wk->qhead + i) % QUEUE].exp.screen);
    if (wk->pub_net) net_free(wk->p_net), free_weights(wk->p_weights);
    if (wk->pub_img) img_free(&wk->p_photo), img_free(&wk->p_crop);
    img_free(&wk->orig);
    if (wk->narr) lesson_free(wk->narr), free(wk->narr);
    if (wk->narr_new) lesson_free(wk->narr_new), free(wk->narr_new);
    pthread_cond_destroy(&wk->ack);
    pthread_cond_destroy(&wk->cv);
    pthread_mutex_destroy(&wk->mu);
    free(wk);
}

static void push(UiWorker *wk, const Job *j)
{
    pthread_mutex_lock(&wk->mu);
    if (wk->qn == QUEUE) {
        pthread_mutex_unlock(&wk->mu);
        note(wk, 1, "Busy: too many requests waiting, try again in a moment");
        return;
    }
    wk->q[(wk->qhead + wk->qn) % QUEUE] = *j;
    wk->qn++;
    pthread_cond_signal(&wk->cv);
    pthread_mutex_unlock(&wk->mu);
    drain(wk);
}

static void set_path(Job *j, const char *path)
{
    j->has_path = path != NULL;
    if (path) str_copy(j->path, sizeof j->path, path);
}

void ui_worker_weights(UiWorker *wk, const char *path, const ArchSpec *arch, uint64_t seed)
{
    Job j = {.kind = JOB_WEIGHTS, .arch = arch, .seed = seed};
    if (!path && !arch) j.arch = &arch_alexnet;
    set_path(&j, path);
    push(wk, &j);
}

void ui_worker_image(UiWorker *wk, const char *path, int mirror)
{
    Job j = {.kind = JOB_IMAGE, .mirror = mirror};
    set_path(&j, path);
    push(wk, &j);
}

void ui_worker_image_crop(UiWorker *wk, const char *path, int mirror, int crop_seed)
{
    Job j = {.kind = JOB_IMAGE, .mirror = mirror, .set_crop = 1, .crop = crop_seed < 0 ? -1 : crop_seed};
    set_path(&j, path);
    push(wk, &j);
}

void ui_worker_dropout(UiWorker *wk, int train)
{
    Job j = {.kind = JOB_DROPOUT, .train = train != 0};
    push(wk, &j);
}

void ui_worker_narrate(UiWorker *wk, Lesson *one, int layers, unsigned tag, const Labels *lb)
{
    pthread_mutex_lock(&wk->mu);
    if (wk->narr_has_new && wk->narr_new) lesson_free(wk->narr_new), free(wk->narr_new); /* never picked up */
    wk->narr_new = one, wk->narr_has_new = 1, wk->narr_new_tag = tag;
    wk->narr_layers = layers, wk->narr_lb = lb;
    pthread_cond_signal(&wk->cv);
    pthread_mutex_unlock(&wk->mu);
    drain(wk);
}

void ui_worker_drop(UiWorker *wk, const char *path, int mirror)
{
    Job j = {.kind = JOB_DROP, .mirror = mirror};
    set_path(&j, path);
    push(wk, &j);
}

void ui_worker_export(UiWorker *wk, UiExportJob *x)
{
    Job j = {.kind = JOB_EXPORT, .exp = *x};
    memset(&x->screen, 0, sizeof x->screen); /* ownership moved into the job */
    push(wk, &j);
}

void ui_worker_target(UiWorker *wk, int layers)
{
    pthread_mutex_lock(&wk->mu);
    if (wk->target != layers) {
        wk->target = layers;
        pthread_cond_signal(&wk->cv);
    }
    pthread_mutex_unlock(&wk->mu);
    drain(wk);
}

int ui_worker_busy(UiWorker *wk)
{
    pthread_mutex_lock(&wk->mu);
    int busy = wk->qn > 0 || wk->working || compute_left(wk);
    pthread_mutex_unlock(&wk->mu);
    return busy;
}

void ui_model_free(UiModel *m)
{
    net_free(m->net);
    free_weights(m->weights);
    img_free(&m->photo);
    img_free(&m->crop);
    memset(m, 0, sizeof *m);
}

int ui_worker_sync(UiWorker *wk, UiModel *m, UiNote *out)
{
    Net *old_net = NULL;
    Weights *old_w = NULL;
    Image old_photo = {0}, old_crop = {0};
    int got = 0;
    pthread_mutex_lock(&wk->mu);
    if (wk->pub_net) {
        old_net = m->net, old_w = m->weights;
        m->net = wk->p_net, m->weights = wk->p_weights, m->arch = wk->p_net->arch;
        wk->front = m->net;
        wk->pub_net = 0;
        m->net_gen++;
    }
    if (wk->pub_img) {
        old_photo = m->photo, old_crop = m->crop;
        m->photo = wk->p_photo, m->crop = wk->p_crop, m->box = wk->p_box;
        m->orig_w = wk->p_ow, m->orig_h = wk->p_oh, m->mirror = wk->p_mirror;
        str_copy(m->image_name, sizeof m->image_name, wk->p_name);
        memset(&wk->p_photo, 0, sizeof wk->p_photo);
        memset(&wk->p_crop, 0, sizeof wk->p_crop);
        wk->pub_img = 0;
        m->image_gen++;
    }
    int current = m->net && m->net == wk->net;
    m->ready = current ? wk->ready : 0;
    m->has_input = current && wk->has_input;
    m->data_gen = wk->gen;
    wk->ui_gen = wk->gen;
    pthread_cond_broadcast(&wk->ack);
    m->busy = wk->qn > 0 || wk->working || compute_left(wk);
    m->crop_seed = wk->p_crop_seed, m->train_dropout = wk->p_dropout;
    if (wk->pub_narr) {
        str_copy(m->narration, sizeof m->narration, wk->p_narr);
        m->narration_tag = wk->p_narr_tag, m->narration_error = wk->p_narr_error;
        wk->pub_narr = 0;
    }
    str_copy(m->busy_what, sizeof m->busy_what, wk->what);
    if (wk->nnotes > 0 && out) {
        *out = wk->notes[0];
        memmove(wk->notes, wk->notes + 1, sizeof wk->notes[0] * (size_t)(wk->nnotes - 1));
        wk->nnotes--;
        got = 1;
    }
    pthread_mutex_unlock(&wk->mu);
    net_free(old_net);
    free_weights(old_w);
    img_free(&old_photo);
    img_free(&old_crop);
    return got;
}
