/* net.c - the run state of one image and the instrumented, stepwise forward pass. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels.h"
#include "net.h"
#include "util.h"

/* ---- building the run --------------------------------------------------------------- */

int net_check_weights(const Plan *p, const Weights *w, Err *e)
{
    if (w->arch && w->arch->nlayers != p->nlayers)
        return err_set(e, "%s: the weights are for %s, not %s", w->source, w->arch->name, p->arch->name);
    for (int i = 0; i < p->nlayers; i++) {
        const PlanLayer *r = &p->layers[i];
        if (!arch_has_weights(r->spec->kind)) continue;
        if (!w->l || !w->l[i].w || !w->l[i].b || w->l[i].nw != r->nw || w->l[i].nb != r->nb)
            return err_set(e, "%s: %s needs %ld weights and %ld biases, the weights have %ld and %ld",
                           w->source, r->spec->name, r->nw, r->nb, w->l ? w->l[i].nw : 0L,
                           w->l ? w->l[i].nb : 0L);
    }
    return 0;
}

Net *net_create(const ArchSpec *a, const Weights *w, Err *e)
{
    Net *n = calloc(1, sizeof *n);
    if (!n) { err_set(e, "out of memory"); return NULL; }
    if (plan_build(a, &n->plan, e) != 0) { free(n); return NULL; }
    n->arch = a, n->weights = w, n->nlayers = a->nlayers;
    n->dropout_seed = 1;
    if (w && net_check_weights(&n->plan, w, e) != 0) { free(n); return NULL; }
    n->run = calloc((size_t)a->nlayers, sizeof *n->run);
    n->input = malloc(sizeof(float) * (size_t)shape_count(a->input));
    n->drop_mask = malloc((size_t)n->plan.max_act);
    if (!n->run || !n->input || !n->drop_mask) goto oom;
    for (int i = 0; i < a->nlayers; i++)
        if (!(n->run[i].out_data = malloc((size_t)n->plan.layers[i].act_bytes))) goto oom;
    return n;
oom:
    net_free(n);
    err_set(e, "out of memory for %s's activations", a->name);
    return NULL;
}

void net_free(Net *n)
{
    if (!n) return;
    for (int i = 0; n->run && i < n->nlayers; i++) free(n->run[i].out_data);
    free(n->run);
    free(n->input);
    free(n->drop_mask);
    free(n);
}

/* ---- running ------------------------------------------------------------------------ */

void net_set_input(Net *n, const float *x)
{
    memcpy(n->input, x, sizeof(float) * (size_t)shape_count(n->arch->input));
    n->has_input = 1;
    net_reset(n, 0);
}

void net_reset(Net *n, int k)
{
    if (k < 0) k = 0;
    for (int i = k; i < n->nlayers; i++) n->run[i].computed = 0;
    if (n->done > k) n->done = k;
}

const float *net_layer_input(const Net *n, int i)
{
    return i == 0 ? n->input : n->run[i - 1].out_data;
}

const float *net_output(const Net *n, int *count)
{
    const LayerRun *r = &n->run[n->nlayers - 1];
    if (!r->computed) return NULL;
    if (count) *count = (int)shape_count(n->plan.layers[n->nlayers - 1].out);
    return r->out_data;
}

void net_layer_stats(LayerRun *r, long count)
{
    const float *v = r->out_data;
    float lo = v[0], hi = v[0];
    double sum = 0.0;
    long zeros = 0;
    for (long i = 0; i < count; i++) {
        if (v[i] < lo) lo = v[i];
        if (v[i] > hi) hi = v[i];
        sum += v[i];
        zeros += v[i] == 0.0f;
    }
    r->min = lo, r->max = hi;
    r->mean = (float)(sum / count);
    r->zero_frac = (float)zeros / (float)count;
}

static void layer_compute(Net *n, int i)
{
    const PlanLayer *r = &n->plan.layers[i];
    const LayerSpec *l = r->spec;
    const float *in = net_layer_input(n, i);
    float *out = n->run[i].out_data;
    const LayerWeights *lw = n->weights ? &n->weights->l[i] : NULL;
    long count = shape_count(r->out);
    switch (l->kind) {
    case LK_CONV: conv2d(out, in, lw->w, lw->b, r->in, r->out, l->k, l->stride, l->pad, l->groups); break;
    case LK_RELU: relu(out, in, count); break;
    case LK_TANH: tanh_act(out, in, count); break;
    case LK_LRN: lrn(out, in, r->in, l->lrn_n, l->lrn_alpha, l->lrn_beta, l->lrn_k); break;
    case LK_MAXPOOL: maxpool(out, in, r->in, r->out, l->k, l->stride, l->pad); break;
    case LK_AVGPOOL: avgpool(out, in, r->in, r->out, l->k, l->stride, l->pad); break;
    case LK_FC: fc(out, in, lw->w, lw->b, (int)shape_count(r->in), r->out.c); break;
    case LK_DROPOUT:
        dropout(out, in, count, l->drop_ratio, n->train_dropout ? n->drop_mask : NULL, n->dropout_seed + (uint64_t)i);
        break;
    case LK_SOFTMAX: softmax(out, in, (int)count); break;
    case LK_COUNT: break;
    }
}

int net_step(Net *n, Err *e)
{
    if (!n->has_input) return err_set(e, "no input image has been set");
    if (!n->weights) return err_set(e, "no weights have been loaded");
    if (n->done >= n->nlayers) return 0;
    int i = n->done;
    LayerRun *r = &n->run[i];
    double t0 = now_ms();
    layer_compute(n, i);
    r->ms = now_ms() - t0;
    net_layer_stats(r, shape_count(n->plan.layers[i].out));
    r->computed = 1;
    n->done = i + 1;
    return n->done;
}

int net_run_to(Net *n, int k, Err *e)
{
    if (k > n->nlayers) k = n->nlayers;
    while (n->done < k)
        if (net_step(n, e) < 0) return -1;
    return n->done;
}

int net_forward(Net *n, Err *e) { return net_run_to(n, n->nlayers, e); }

void topk(const float *v, int n, int k, int *idx)
{
    /* k is small (5): a selection pass per rank is plenty. */
    for (int r = 0; r < k; r++) {
        int best = -1;
        for (int i = 0; i < n; i++) {
            int taken = 0;
            for (int q = 0; q < r; q++) taken |= idx[q] == i;
            if (!taken && (best < 0 || v[i] > v[best])) best = i;
        }
        idx[r] = best;
    }
}
