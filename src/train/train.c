/* train.c - mini-batch SGD with momentum and weight decay for LeNet-5 (train.h): the network
   with its training-only dropout layers, the initial weights, one step, one epoch. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backward.h"
#include "rng.h"
#include "train.h"
#include "train_live.h"
#include "util.h"

void train_config_default(TrainConfig *c)
{
    memset(c, 0, sizeof *c);
    c->epochs = 10, c->batch = 64;
    c->lr = 0.05f, c->momentum = 0.9f, c->weight_decay = 5e-4f;
    c->seed = 1;
    c->lr_gamma = 0.1f;
    c->train_eval_max = 10000;
}

float train_lr_at(const TrainConfig *c, int epoch)
{
    float lr = c->lr;
    if (c->lr_step > 0)
        for (int k = c->lr_step; k < epoch; k += c->lr_step) lr *= c->lr_gamma;
    return lr;
}

/* ---- the network ------------------------------------------------------------------------- */

/* lenet5's table, with a dropout layer after tanh3 and tanh4 when ratio > 0. */
static void build_arch(Trainer *t, float ratio)
{
    const ArchSpec *a = &arch_lenet5;
    int n = 0;
    for (int i = 0; i < a->nlayers; i++) {
        t->layers[n++] = a->layers[i];
        const char *nm = a->layers[i].name;
        if (ratio > 0.0f && (!strcmp(nm, "tanh3") || !strcmp(nm, "tanh4")))
            t->layers[n++] = (LayerSpec){
                .kind = LK_DROPOUT, .name = !strcmp(nm, "tanh3") ? "drop3" : "drop4", .drop_ratio = ratio,
                .added = "for training only (alexscope train --dropout): the identity at inference"};
    }
    t->arch = *a;
    t->arch.nlayers = n;
    t->arch.layers = t->layers;
}

/* t->view: t->weights' buffers indexed like t->arch. */
static int build_view(Trainer *t, Err *e)
{
    t->view = t->weights;
    t->view.arch = &t->arch;
    t->view.l = calloc((size_t)t->arch.nlayers, sizeof *t->view.l);
    if (!t->view.l) return err_set(e, "out of memory");
    for (int i = 0; i < t->arch.nlayers; i++) {
        int j = arch_layer_index(&arch_lenet5, t->arch.layers[i].name); /* -1: a dropout layer */
        if (j >= 0) t->view.l[i] = t->weights.l[j];
    }
    return 0;
}

void train_init_weights(Weights *w, uint64_t seed)
{
    uint64_t st = seed;
    const ArchSpec *a = w->arch;
    for (int i = 0; i < a->nlayers; i++) {
        LayerWeights *l = &w->l[i];
        if (!arch_has_weights(a->layers[i].kind) || !l->w || l->nb < 1) continue;
        float bound = 1.0f / sqrtf((float)(l->nw / l->nb)); /* fan_in = nw / out */
        for (long k = 0; k < l->nw; k++) l->w[k] = (2.0f * rng_uniform(&st) - 1.0f) * bound;
        for (long k = 0; k < l->nb; k++) l->b[k] = (2.0f * rng_uniform(&st) - 1.0f) * bound;
    }
}

void train_sgd_step(Weights *w, Weights *v, const Grads *g, int batch, float lr, float momentum, float wd)
{
    const ArchSpec *a = w->arch;
    float inv = 1.0f / (float)batch;
    for (int i = 0; i < a->nlayers; i++) {
        if (!arch_has_weights(a->layers[i].kind) || !w->l[i].w) continue;
        LayerWeights *lw = &w->l[i], *lv = &v->l[i];
        const LayerWeights *lg = &g->l[i];
        for (long k = 0; k < lw->nw; k++) {
            lv->w[k] = momentum * lv->w[k] - lr * (lg->w[k] * inv + wd * lw->w[k]);
            lw->w[k] += lv->w[k];
        }
        for (long k = 0; k < lw->nb; k++) {
            lv->b[k] = momentum * lv->b[k] - lr * (lg->b[k] * inv);
            lw->b[k] += lv->b[k];
        }
    }
}

Trainer *trainer_create(const TrainConfig *c, const IdxSet *train, const IdxSet *test, Err *e)
{
    if (train_data_check(train, e) != 0 || train_data_check(test, e) != 0) return NULL;
    if (c->epochs < 1 || c->batch < 1 || !(c->lr > 0.0f) || c->dropout < 0.0f || c->dropout >= 1.0f) {
        err_set(e, "train: epochs and batch must be 1 or more, lr above 0, dropout in [0, 1)");
        return NULL;
    }
    Trainer *t = calloc(1, sizeof *t);
    if (!t) { err_set(e, "out of memory"); return NULL; }
    t->cfg = *c;
    t->train = train, t->test = test;
    build_arch(t, c->dropout);
    if (weights_alloc(&arch_lenet5, &t->weights, e) != 0 || build_view(t, e) != 0) goto fail;
    train_init_weights(&t->weights, c->seed);
    snprintf(t->weights.source, sizeof t->weights.source, "trained by alexscope (seed %llu)",
             (unsigned long long)c->seed);
    snprintf(t->weights.format, sizeof t->weights.format, "safetensors");
    t->weights.trained = 1;
    if (weights_alloc(&t->arch, &t->velocity, e) != 0 || grads_alloc(&t->arch, &t->grads, e) != 0) goto fail;
    if (!(t->net = net_create(&t->arch, &t->view, e))) goto fail;
    if (train_data_lut(&arch_lenet5.preproc, t->lut, e) != 0) goto fail;
    t->ntrain = c->subset > 0 && c->subset < train->n ? c->subset : train->n;
    t->order = malloc(sizeof(int) * (size_t)t->ntrain);
    t->x = malloc(sizeof(float) * TRAIN_SIDE * TRAIN_SIDE);
    if (!t->order || !t->x) { err_set(e, "out of memory"); goto fail; }
    train_data_subset(train->n, t->ntrain, c->seed, t->order);
    return t;
fail:
    trainer_free(t);
    return NULL;
}

void trainer_free(Trainer *t)
{
    if (!t) return;
    net_free(t->net);
    free(t->view.l);
    weights_free(&t->weights);
    weights_free(&t->velocity);
    grads_free(&t->grads);
    free(t->order);
    free(t->x);
    free(t);
}

/* ---- one epoch ------------------------------------------------------------------------- */

/* A seed for (epoch, position): the mirror coins and the dropout masks. */
uint64_t train_seed_mix(uint64_t seed, uint64_t a, uint64_t b)
{
    uint64_t s = seed ^ (a * 0x9E3779B97F4A7C15ull) ^ (b * 0xD1B54A32D192ED03ull);
    return rng_next(&s);
}

/* One epoch is train_live's steps run back to back (train_live.c: the images, the batches,
   the SGD steps), so the window's training and this give the same numbers. */
int trainer_epoch(Trainer *t, TrainEpoch *out, Err *e)
{
    TrainLive lv;
    train_live_begin(t, &lv);
    while (!train_live_done(t, &lv))
        if (train_live_batch(t, &lv, e) != 0) return -1;
    return train_live_end(t, &lv, out, e);
}

int trainer_end_epoch(Trainer *t, float lr, double loss_sum, long correct, double t0_ms, double t1_ms,
                      TrainEpoch *out, Err *e)
{
    const TrainConfig *c = &t->cfg;
    t->epoch++;
    memset(out, 0, sizeof *out);
    out->epoch = t->epoch, out->lr = lr;
    out->train_loss = loss_sum / t->ntrain;
    out->train_acc_running = (double)correct / t->ntrain;
    out->train_seconds = (t1_ms - t0_ms) / 1000.0;
    /* training accuracy at inference, on the subset in its original order (not the shuffle) */
    int *idx = malloc(sizeof(int) * (size_t)t->ntrain);
    if (!idx) return err_set(e, "out of memory");
    train_data_subset(t->train->n, t->ntrain, c->seed, idx);
    int ne = c->train_eval_max > 0 && c->train_eval_max < t->ntrain ? c->train_eval_max : t->ntrain;
    TrainEval ev;
    int rc = train_evaluate_list(t->net, t->train, t->lut, idx, ne, &ev, e);
    free(idx);
    if (rc != 0) return -1;
    out->train_acc = train_eval_accuracy(&ev);
    if (train_evaluate(t->net, t->test, t->lut, 0, t->test->n, &t->last_test, e) != 0) return -1;
    out->test_acc = train_eval_accuracy(&t->last_test);
    out->seconds = (now_ms() - t0_ms) / 1000.0;
    return 0;
}
