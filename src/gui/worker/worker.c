/* worker.c - the compute thread (pthreads) and its mailboxes: queueing requests, the loop
   that runs jobs, narrations and layer steps, and the hand-over to the UI in worker_sync
   (see worker.h; the jobs themselves are in worker_jobs.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "worker_impl.h"

static const char *const job_names[JOB_COUNT] = {"load weights", "load image", "open dropped file", "export",
                                                 "switch dropout", "set the resize", "switch the engine",
                                                 "compute the ten crops", "compute the occlusion map",
                                                 "find the top patches", "compute the saliency map"};

/* ---- helpers for the jobs ------------------------------------------------------------ */

void *worker_alloc(Worker *wk, size_t size)
{
    pthread_mutex_lock(&wk->mu);
    int fail = wk->alloc_fail > 0 && --wk->alloc_fail == 0;
    pthread_mutex_unlock(&wk->mu);
    return fail ? NULL : malloc(size);
}

void worker_set_alloc_fail(Worker *wk, int n)
{
    pthread_mutex_lock(&wk->mu);
    wk->alloc_fail = n > 0 ? n : 0;
    pthread_mutex_unlock(&wk->mu);
}

void worker_note(Worker *wk, int error, const char *fmt, ...)
{
    UiNote n = {.error = error};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n.text, sizeof n.text, fmt, ap);
    va_end(ap);
    Published *pub = &wk->pub;
    pthread_mutex_lock(&wk->mu);
    if (pub->nnotes == WORKER_NOTES) { /* the oldest goes */
        memmove(pub->notes, pub->notes + 1, sizeof pub->notes[0] * (WORKER_NOTES - 1));
        pub->nnotes--;
    }
    pub->notes[pub->nnotes++] = n;
    pthread_mutex_unlock(&wk->mu);
}

/* "loading cat.png": what the status line shows while the worker is busy. */
void worker_set_what(Worker *wk, const char *verb, const char *arg)
{
    char buf[96];
    snprintf(buf, sizeof buf, "%s %.64s", verb, arg);
    pthread_mutex_lock(&wk->mu);
    str_copy(wk->pub.what, sizeof wk->pub.what, buf);
    pthread_mutex_unlock(&wk->mu);
}

void worker_retire(Worker *wk, int k, int drop_input)
{
    Published *pub = &wk->pub;
    pthread_mutex_lock(&wk->mu);
    if (pub->ready > k) pub->ready = k;
    if (drop_input) pub->has_input = 0;
    unsigned g = ++pub->gen;
    while (wk->threaded && !wk->q.quit && pub->front == wk->own.net && pub->ui_gen != g)
        pthread_cond_wait(&wk->ack, &wk->mu);
    pthread_mutex_unlock(&wk->mu);
}

/* ---- the loop (every function here runs with the lock held) -------------------------- */

/* Layers to compute: what the UI shows, or what the narration needs. */
static int want(const Worker *wk)
{
    const Lesson *l = wk->narr.has_request ? wk->narr.request : wk->own.narr;
    const Net *n = wk->own.net;
    int t = wk->q.target;
    if (l && n && l->arch == n->arch && wk->narr.layers > t) t = wk->narr.layers;
    return t;
}

static int compute_left(const Worker *wk)
{
    const Net *n = wk->own.net;
    return n && wk->pub.has_input && wk->pub.ready < want(wk) && wk->pub.ready < n->nlayers;
}

static int busy(const Worker *wk) { return wk->q.count > 0 || wk->pub.working || compute_left(wk); }

/* Expands the narration once its layers are in; 1 if it did. */
static int narrate_once(Worker *wk)
{
    WorkerOwn *o = &wk->own;
    NarrationBox *b = &wk->narr;
    if (b->has_request) { /* only this thread uses o->narr, so the old one can go now */
        if (o->narr) lesson_free(o->narr), free(o->narr);
        o->narr = b->request, o->narr_tag = b->request_tag, o->narr_done = 0;
        b->request = NULL, b->has_request = 0;
    }
    Net *n = o->net;
    if (!o->narr || !n || n->arch != o->narr->arch || !wk->pub.has_input) return 0;
    int need = b->layers < n->nlayers ? b->layers : n->nlayers;
    if (wk->pub.ready < need || (o->narr_done && o->narr_gen == wk->pub.gen)) return 0;
    unsigned gen = wk->pub.gen, tag = o->narr_tag;
    const Labels *lb = b->labels;
    wk->pub.working = 1;
    pthread_mutex_unlock(&wk->mu);
    char *text = worker_alloc(wk, UI_NARRATION_MAX);
    Err e = {0};
    int rc = text ? lesson_narration(o->narr, 0, n, lb, text, UI_NARRATION_MAX, &e)
                  : err_set(&e, "out of memory for the narration");
    pthread_mutex_lock(&wk->mu);
    wk->pub.working = 0;
    o->narr_done = 1, o->narr_gen = gen;
    str_copy(b->text, sizeof b->text, rc == 0 ? text : e.msg);
    b->error = rc != 0, b->tag = tag, b->has_text = 1;
    free(text);
    return 1;
}

static int compute_once(Worker *wk)
{
    Net *n = wk->own.net;
    Published *pub = &wk->pub;
    snprintf(pub->what, sizeof pub->what, "computing %s", n->plan.layers[pub->ready].spec->name);
    pub->working = 1;
    pthread_mutex_unlock(&wk->mu);
    Err e = {0};
    int from = n->done;
    UiEngine used = UI_ENGINE_NAIVE;
    int done = worker_compute(wk, n, &used, &e);
    if (done < 0) worker_note(wk, 1, "%s", e.msg);
    pthread_mutex_lock(&wk->mu);
    pub->working = 0;
    if (done < 0) wk->q.target = pub->ready, wk->narr.layers = pub->ready; /* no retrying in a loop */
    else pub->ready = n->done, worker_record_times(wk, n, from, used);
    return 1;
}

/* One unit of work; 0 when idle. */
static int work_once(Worker *wk)
{
    JobQueue *q = &wk->q;
    if (q->count > 0) {
        Job *j = q->jobs[q->head];
        q->jobs[q->head] = NULL;
        q->head = (q->head + 1) % WORKER_QUEUE, q->count--;
        wk->pub.working = 1;
        pthread_mutex_unlock(&wk->mu);
        worker_run_job(wk, j);
        worker_free_job(j);
        pthread_mutex_lock(&wk->mu);
        wk->pub.working = 0;
        return 1;
    }
    if (narrate_once(wk)) return 1;
    if (compute_left(wk)) return compute_once(wk);
    return 0;
}

static void *thread_main(void *arg)
{
    Worker *wk = arg;
    pthread_mutex_lock(&wk->mu);
    while (!wk->q.quit)
        if (!work_once(wk)) pthread_cond_wait(&wk->cv, &wk->mu);
    pthread_mutex_unlock(&wk->mu);
    return NULL;
}

/* Synchronous mode: everything there is to do, now. Called without the lock. */
static void drain(Worker *wk)
{
    if (wk->threaded) return;
    pthread_mutex_lock(&wk->mu);
    while (work_once(wk)) {}
    pthread_mutex_unlock(&wk->mu);
}

/* ---- start and stop ------------------------------------------------------------------- */

Worker *worker_start(int threaded, Err *e)
{
    Worker *wk = calloc(1, sizeof *wk);
    if (!wk) {
        err_set(e, "out of memory");
        return NULL;
    }
    wk->threaded = threaded;
    wk->own.crop_seed = wk->pub.crop_seed = -1;
    pthread_mutex_init(&wk->mu, NULL);
    pthread_cond_init(&wk->cv, NULL);
    pthread_cond_init(&wk->ack, NULL);
    if (threaded) {
        int rc = pthread_create(&wk->th, NULL, thread_main, wk);
        if (rc != 0) {
            err_set(e, "cannot start the compute thread (%s)", strerror(rc));
            worker_stop(wk);
            return NULL;
        }
        wk->started = 1;
    }
    return wk;
}

void worker_stop(Worker *wk)
{
    if (!wk) return;
    pthread_mutex_lock(&wk->mu);
    wk->q.quit = 1;
    pthread_cond_broadcast(&wk->cv);
    pthread_cond_broadcast(&wk->ack);
    pthread_mutex_unlock(&wk->mu);
    if (wk->started) pthread_join(wk->th, NULL);
    for (int i = 0; i < wk->q.count; i++) worker_free_job(wk->q.jobs[(wk->q.head + i) % WORKER_QUEUE]);
    if (wk->pub.has_model) net_free(wk->pub.net), ui_model_drop(wk->pub.model);
    if (wk->pub.has_image) img_free(&wk->pub.photo), img_free(&wk->pub.crop);
    img_free(&wk->own.orig);
    if (wk->own.narr) lesson_free(wk->own.narr), free(wk->own.narr);
    if (wk->narr.request) lesson_free(wk->narr.request), free(wk->narr.request);
    worker_tools_free(wk);
    pthread_cond_destroy(&wk->ack);
    pthread_cond_destroy(&wk->cv);
    pthread_mutex_destroy(&wk->mu);
    free(wk);
}

/* ---- requests (UI thread) ------------------------------------------------------------- */

/* Queues a copy of *j; refused with a note when the queue is full or memory is out (then
   j's export screen is freed: the request owned it). */
static void push(Worker *wk, const Job *j)
{
    Job *copy = worker_alloc(wk, sizeof *copy);
    if (!copy) {
        Job dead = *j;
        img_free(&dead.exp.screen);
        worker_note(wk, 1, "Out of memory: the request to %s was refused", job_names[j->kind]);
        return;
    }
    *copy = *j;
    JobQueue *q = &wk->q;
    pthread_mutex_lock(&wk->mu);
    if (q->count == WORKER_QUEUE) {
        pthread_mutex_unlock(&wk->mu);
        worker_free_job(copy);
        worker_note(wk, 1, "Busy: too many requests waiting, try again in a moment");
        return;
    }
    q->jobs[(q->head + q->count) % WORKER_QUEUE] = copy;
    q->count++;
    pthread_cond_signal(&wk->cv);
    pthread_mutex_unlock(&wk->mu);
    drain(wk);
}

static void set_path(Job *j, const char *path)
{
    j->has_path = path != NULL;
    if (path) str_copy(j->path, sizeof j->path, path);
}

void worker_weights(Worker *wk, const char *path, const ArchSpec *arch)
{
    Job j = {.kind = JOB_WEIGHTS, .arch = arch};
    set_path(&j, path);
    push(wk, &j);
}

void worker_image(Worker *wk, const char *path, int mirror)
{
    Job j = {.kind = JOB_IMAGE, .mirror = mirror};
    set_path(&j, path);
    push(wk, &j);
}

void worker_image_crop(Worker *wk, const char *path, int mirror, int crop_seed)
{
    Job j = {.kind = JOB_IMAGE, .mirror = mirror, .set_crop = 1, .crop = crop_seed < 0 ? -1 : crop_seed};
    set_path(&j, path);
    push(wk, &j);
}

void worker_dropout(Worker *wk, int train)
{
    Job j = {.kind = JOB_DROPOUT, .train = train != 0};
    push(wk, &j);
}

void worker_resize(Worker *wk, const char *mode)
{
    Job j = {.kind = JOB_RESIZE, .resize = !mode ? 0 : !strcmp(mode, "warp") ? 1 : 2};
    push(wk, &j);
}

void worker_drop(Worker *wk, const char *path, int mirror)
{
    Job j = {.kind = JOB_DROP, .mirror = mirror};
    set_path(&j, path);
    push(wk, &j);
}

/* The serial of the model the UI holds: a job naming one of its layers carries it. */
static unsigned front_model(Worker *wk)
{
    pthread_mutex_lock(&wk->mu);
    unsigned s = wk->pub.front_serial;
    pthread_mutex_unlock(&wk->mu);
    return s;
}

void worker_export(Worker *wk, WorkerExport *x)
{
    Job j = {.kind = JOB_EXPORT, .exp = *x, .for_model = front_model(wk)};
    memset(&x->screen, 0, sizeof x->screen); /* ownership moved into the request */
    push(wk, &j);
}

void worker_engine(Worker *wk, int fast)
{
    Job j = {.kind = JOB_ENGINE, .engine = fast ? UI_ENGINE_FAST : UI_ENGINE_NAIVE};
    push(wk, &j);
}

/* A new tool job: a cancel meant for the previous one must not stop it. */
static void push_tool(Worker *wk, Job *j)
{
    atomic_store(&wk->cancel, 0);
    push(wk, j);
}

void worker_crops(Worker *wk)
{
    Job j = {.kind = JOB_CROPS};
    push_tool(wk, &j);
}

void worker_occlusion(Worker *wk)
{
    Job j = {.kind = JOB_OCCLUSION};
    push_tool(wk, &j);
}

void worker_patches(Worker *wk, int layer, const char *folder)
{
    Job j = {.kind = JOB_PATCHES, .layer = layer, .for_model = front_model(wk)};
    set_path(&j, folder);
    push_tool(wk, &j);
}

void worker_saliency(Worker *wk, const SalParams *p)
{
    Job j = {.kind = JOB_SALIENCY, .sal = *p, .for_model = front_model(wk)};
    push_tool(wk, &j);
}

void worker_cancel(Worker *wk) { atomic_store(&wk->cancel, 1); }

void worker_set_progress_hook(Worker *wk, void (*fn)(void *ctx, int done, int total), void *ctx)
{
    pthread_mutex_lock(&wk->mu);
    wk->hook = fn, wk->hook_ctx = ctx;
    pthread_mutex_unlock(&wk->mu);
}

void worker_narrate(Worker *wk, Lesson *one, int layers, unsigned tag, const Labels *lb)
{
    NarrationBox *b = &wk->narr;
    pthread_mutex_lock(&wk->mu);
    if (b->has_request && b->request) lesson_free(b->request), free(b->request); /* never picked up */
    b->request = one, b->has_request = 1, b->request_tag = tag;
    b->layers = layers, b->labels = lb;
    pthread_cond_signal(&wk->cv);
    pthread_mutex_unlock(&wk->mu);
    drain(wk);
}

void worker_target(Worker *wk, int layers)
{
    pthread_mutex_lock(&wk->mu);
    if (wk->q.target != layers) {
        wk->q.target = layers;
        pthread_cond_signal(&wk->cv);
    }
    pthread_mutex_unlock(&wk->mu);
    drain(wk);
}

int worker_busy(Worker *wk)
{
    pthread_mutex_lock(&wk->mu);
    int b = busy(wk);
    pthread_mutex_unlock(&wk->mu);
    return b;
}

/* ---- the hand-over (UI thread) -------------------------------------------------------- */

/* What a hand-over replaced in the UiModel, freed after the lock is released. */
typedef struct {
    Model *model;
    Net *net;
    Image photo, crop;
    UiModel tools;           /* only its tool results */
} Replaced;

/* Moves what was published into m (lock held). */
static void adopt(Worker *wk, UiModel *m, Replaced *old)
{
    Published *pub = &wk->pub;
    if (pub->has_model) {
        old->model = m->model, old->net = m->net;
        m->model = pub->model, m->net = pub->net;
        m->weights = &m->model->weights, m->arch = m->model->arch;
        pub->front = m->net;
        pub->front_serial = pub->serial;
        pub->has_model = 0;
        m->net_gen++;
    }
    if (pub->has_image) {
        old->photo = m->photo, old->crop = m->crop;
        m->photo = pub->photo, m->crop = pub->crop, m->box = pub->box;
        m->orig_w = pub->orig_w, m->orig_h = pub->orig_h, m->mirror = pub->mirror;
        str_copy(m->image_name, sizeof m->image_name, pub->image_name);
        memset(&pub->photo, 0, sizeof pub->photo);
        memset(&pub->crop, 0, sizeof pub->crop);
        pub->has_image = 0;
        m->image_gen++;
    }
    NarrationBox *b = &wk->narr;
    if (b->has_text) {
        str_copy(m->narration, sizeof m->narration, b->text);
        m->narration_tag = b->tag, m->narration_error = b->error;
        b->has_text = 0;
    }
    worker_tools_adopt(wk, m, &old->tools);
}

int worker_sync(Worker *wk, UiModel *m, UiNote *note)
{
    Replaced old = {0};
    Published *pub = &wk->pub;
    int got = 0;
    pthread_mutex_lock(&wk->mu);
    adopt(wk, m, &old);
    int current = m->net && m->net == wk->own.net;
    m->ready = current ? pub->ready : 0;
    m->has_input = current && pub->has_input;
    m->data_gen = pub->gen;
    pub->ui_gen = pub->gen;
    pthread_cond_broadcast(&wk->ack);
    m->busy = busy(wk);
    m->crop_seed = pub->crop_seed, m->train_dropout = pub->dropout;
    str_copy(m->busy_what, sizeof m->busy_what, pub->what);
    if (pub->nnotes > 0 && note) {
        *note = pub->notes[0];
        memmove(pub->notes, pub->notes + 1, sizeof pub->notes[0] * (size_t)(pub->nnotes - 1));
        pub->nnotes--;
        got = 1;
    }
    pthread_mutex_unlock(&wk->mu);
    net_free(old.net); /* before the weights it borrows */
    ui_model_drop(old.model);
    img_free(&old.photo);
    img_free(&old.crop);
    ui_crops_free(&old.tools.crops);
    ui_occ_free(&old.tools.occ);
    ui_patches_free(&old.tools.patches);
    ui_sal_free(&old.tools.sal);
    return got;
}
