/* train_thread.c - the training thread and its mailbox (train_thread.h). The thread owns
   the data sets, the Trainer and its working snapshot; the mutex guards only the mailbox
   (commands, and the published copy). */
#include "train_thread.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idx.h"
#include "labels.h"
#include "train_live.h"
#include "util.h"

struct TrainThread {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* the mailbox, under mu */
    int quit, paused, reset;
    UiTrainSettings want;     /* the next run's settings */
    UiTrainSnap pub;          /* the published copy */
    /* the thread's own */
    char dataset[512];
    IdxSet tr, te, te_view;   /* te_view: te's first test_max images (borrowed buffers) */
    Trainer *t;
    TrainLive lv;
    int in_epoch, batches;
    double pt_loss;           /* summed since the last running-loss point */
    int pt_images;
    double last_pub;
    UiTrainSnap work;
};

void train_thread_config(const UiTrainSettings *s, TrainConfig *c)
{
    train_config_default(c);
    c->subset = s->subset, c->dropout = s->dropout ? 0.5f : 0.0f, c->mirror = s->mirror;
    c->seed = s->seed, c->epochs = s->epochs > 0 ? s->epochs : 1;
    c->train_eval_max = UI_TRAIN_EVAL_MAX;
}

static void publish(TrainThread *tt)
{
    tt->work.gen++;
    pthread_mutex_lock(&tt->mu);
    tt->work.next = tt->want;
    tt->pub = tt->work;
    pthread_mutex_unlock(&tt->mu);
    tt->last_pub = now_ms();
}

/* The probe (test image test_index through the current weights) and conv1's filters. */
static void probe(TrainThread *tt)
{
    UiTrainSnap *s = &tt->work;
    Trainer *t = tt->t;
    Err e = {0};
    const float *maps, *probs;
    train_data_image(&tt->te, s->test_index, t->lut, 0, s->image);
    if (train_live_probe(t, s->image, &maps, &probs, &e) != 0) return;
    memcpy(s->maps, maps, sizeof s->maps);
    memcpy(s->probs, probs, sizeof s->probs);
    memcpy(s->filters, t->weights.l[0].w, sizeof s->filters);
    s->test_label = tt->te.labels[s->test_index];
    s->have_probe = 1;
}

static void fail(TrainThread *tt, const char *msg)
{
    tt->work.state = UI_TRAIN_ERROR;
    str_copy(tt->work.msg, sizeof tt->work.msg, msg);
    publish(tt);
}

/* A new run with settings s: a new Trainer, the curves cleared. */
static int new_run(TrainThread *tt, const UiTrainSettings *s)
{
    trainer_free(tt->t);
    tt->t = NULL;
    UiTrainSnap *w = &tt->work;
    unsigned run = w->run + 1, gen = w->gen;
    char names[UI_TRAIN_CLASSES][32];
    memcpy(names, w->names, sizeof names);
    memset(w, 0, sizeof *w);
    w->run = run, w->gen = gen;
    memcpy(w->names, names, sizeof names);
    w->cur = *s;
    if (w->cur.epochs > UI_TRAIN_EPOCHS) w->cur.epochs = UI_TRAIN_EPOCHS;
    tt->te_view = tt->te;
    if (s->test_max > 0 && s->test_max < tt->te.n) tt->te_view.n = s->test_max;
    TrainConfig c;
    train_thread_config(&w->cur, &c);
    Err e = {0};
    if (!(tt->t = trainer_create(&c, &tt->tr, &tt->te_view, &e))) return fail(tt, e.msg), -1;
    w->ntrain = tt->t->ntrain, w->ntest = tt->te_view.n, w->batch = c.batch, w->lr = c.lr, w->momentum = c.momentum;
    tt->in_epoch = 0, tt->batches = 0, tt->pt_loss = 0, tt->pt_images = 0;
    w->state = UI_TRAIN_RUNNING;
    w->test_index = s->probe >= 0 && s->probe < tt->te.n ? s->probe : 0;
    probe(tt);
    publish(tt);
    return 0;
}

static int load(TrainThread *tt)
{
    UiTrainSnap *w = &tt->work;
    w->state = UI_TRAIN_LOADING;
    publish(tt);
    Labels lb;
    Err e = {0};
    if (labels_load_for(UI_TRAIN_CLASSES, &lb, &e) == 0) {
        for (int i = 0; i < UI_TRAIN_CLASSES; i++) {
            char buf[64];
            str_copy(w->names[i], sizeof w->names[i], labels_name(&lb, i, buf, sizeof buf));
        }
        labels_free(&lb);
    }
    if (idx_load_split(tt->dataset, "train", &tt->tr, &e) != 0 || idx_load_split(tt->dataset, "t10k", &tt->te, &e) != 0) {
        char dir[512], msg[1200];
        idx_dataset_dir(tt->dataset, dir, sizeof dir);
        snprintf(msg, sizeof msg, "%s\n\nTraining needs Fashion-MNIST in %s: install the Debian package "
                 "dataset-fashion-mnist (sudo apt install dataset-fashion-mnist).", e.msg, dir);
        fail(tt, msg);
        return -1;
    }
    return 0;
}

/* One mini-batch, and the epoch's end after the last. */
static int step(TrainThread *tt)
{
    Trainer *t = tt->t;
    UiTrainSnap *w = &tt->work;
    Err e = {0};
    if (!tt->in_epoch) train_live_begin(t, &tt->lv), tt->in_epoch = 1;
    double loss0 = tt->lv.loss_sum;
    int from = tt->lv.next;
    if (train_live_batch(t, &tt->lv, &e) != 0) return fail(tt, e.msg), -1;
    tt->pt_loss += tt->lv.loss_sum - loss0, tt->pt_images += tt->lv.next - from;
    w->epoch_images = tt->lv.next;
    w->images_per_s = tt->lv.train_ms > 0 ? 1000.0 * tt->lv.next / tt->lv.train_ms : 0;
    if (++tt->batches % UI_TRAIN_POINT_BATCHES == 0 || train_live_done(t, &tt->lv)) {
        ui_train_add_point(w, (float)t->epoch + (float)tt->lv.next / (float)t->ntrain, (float)(tt->pt_loss / tt->pt_images));
        tt->pt_loss = 0, tt->pt_images = 0;
    }
    if (train_live_done(t, &tt->lv)) {
        TrainEpoch ep;
        if (train_live_end(t, &tt->lv, &ep, &e) != 0) return fail(tt, e.msg), -1;
        tt->in_epoch = 0, tt->batches = 0;
        UiTrainEpoch *u = &w->ep[w->nep++];
        u->train_loss = (float)ep.train_loss, u->train_acc = (float)ep.train_acc, u->test_acc = (float)ep.test_acc;
        u->test_loss = (float)t->last_test.loss, u->seconds = (float)ep.seconds;
        w->epoch_images = 0;
        if (w->nep >= w->cur.epochs) w->state = UI_TRAIN_DONE;
        probe(tt);
        publish(tt);
    } else if (now_ms() - tt->last_pub >= UI_TRAIN_PUBLISH_MS) {
        probe(tt);
        publish(tt);
    }
    return 0;
}

/* The test image asked for (S), in range. */
static int probe_index(const TrainThread *tt)
{
    int i = tt->want.probe;
    return i >= 0 && i < tt->te.n ? i : 0;
}

/* Nothing to do until a command: failed, done, or paused with the pause published (and the
   test image asked for shown). */
static int idle(const TrainThread *tt, int ok)
{
    if (ok && tt->t && probe_index(tt) != tt->work.test_index) return 0;
    return !ok || tt->work.state == UI_TRAIN_DONE || (tt->paused && tt->work.state == UI_TRAIN_PAUSED);
}

static void *thread_main(void *arg)
{
    TrainThread *tt = arg;
    int ok = load(tt) == 0;
    pthread_mutex_lock(&tt->mu);
    UiTrainSettings s = tt->want;
    tt->reset = 0;
    pthread_mutex_unlock(&tt->mu);
    if (ok) ok = new_run(tt, &s) == 0;
    for (;;) {
        pthread_mutex_lock(&tt->mu);
        /* idle: paused, done, failed; a reset or the stop wakes it */
        while (!tt->quit && !tt->reset && idle(tt, ok)) pthread_cond_wait(&tt->cv, &tt->mu);
        int quit = tt->quit, reset = tt->reset, paused = tt->paused, shown = probe_index(tt);
        s = tt->want;
        tt->reset = 0;
        pthread_mutex_unlock(&tt->mu);
        if (quit) break;
        if (reset && tt->tr.n > 0) {
            ok = new_run(tt, &s) == 0;
            continue;
        }
        if (!ok) continue;
        if (shown != tt->work.test_index) { /* S: another test image, at once */
            tt->work.test_index = shown;
            probe(tt);
            publish(tt);
            continue;
        }
        UiTrainState want = paused ? UI_TRAIN_PAUSED : UI_TRAIN_RUNNING;
        if (tt->work.state != UI_TRAIN_DONE && tt->work.state != want) { /* paused or resumed */
            tt->work.state = want;
            publish(tt);
            continue;
        }
        if (tt->work.state == UI_TRAIN_RUNNING && step(tt) != 0) ok = 0;
    }
    trainer_free(tt->t);
    idx_set_free(&tt->tr);
    idx_set_free(&tt->te);
    return NULL;
}

TrainThread *train_thread_start(const UiTrainSettings *s, const char *dataset, Err *e)
{
    TrainThread *tt = calloc(1, sizeof *tt);
    if (!tt) return err_set(e, "out of memory"), NULL;
    tt->want = *s;
    str_copy(tt->dataset, sizeof tt->dataset, dataset);
    pthread_mutex_init(&tt->mu, NULL);
    pthread_cond_init(&tt->cv, NULL);
    if (pthread_create(&tt->th, NULL, thread_main, tt) != 0) {
        pthread_mutex_destroy(&tt->mu);
        pthread_cond_destroy(&tt->cv);
        free(tt);
        err_set(e, "the training thread could not start");
        return NULL;
    }
    return tt;
}

static void command(TrainThread *tt, int paused, int reset, const UiTrainSettings *s)
{
    pthread_mutex_lock(&tt->mu);
    if (paused >= 0) tt->paused = paused;
    if (s) tt->want = *s, tt->pub.next = *s;
    if (reset) tt->reset = 1, tt->paused = 0;
    pthread_cond_signal(&tt->cv);
    pthread_mutex_unlock(&tt->mu);
}

void train_thread_pause(TrainThread *tt, int paused) { command(tt, paused ? 1 : 0, 0, NULL); }
void train_thread_reset(TrainThread *tt, const UiTrainSettings *s) { command(tt, -1, 1, s); }
void train_thread_next(TrainThread *tt, const UiTrainSettings *s) { command(tt, -1, 0, s); }

int train_thread_sync(TrainThread *tt, UiTrainSnap *out)
{
    pthread_mutex_lock(&tt->mu);
    int changed = out->gen != tt->pub.gen || out->run != tt->pub.run || memcmp(&out->next, &tt->pub.next, sizeof out->next);
    if (changed) *out = tt->pub;
    pthread_mutex_unlock(&tt->mu);
    return changed;
}

void train_thread_stop(TrainThread *tt)
{
    if (!tt) return;
    pthread_mutex_lock(&tt->mu);
    tt->quit = 1;
    pthread_cond_signal(&tt->cv);
    pthread_mutex_unlock(&tt->mu);
    pthread_join(tt->th, NULL);
    pthread_mutex_destroy(&tt->mu);
    pthread_cond_destroy(&tt->cv);
    free(tt);
}
