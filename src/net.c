/* net.c - the run state of one image and the instrumented, stepwise forward pass. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels.h"
#include "net.h"
#include "util.h"

/* ---- weights ---------------------------------------------------------------------- */

/* Walks the arch from its input shape; the weight counts depend on the input to each layer. */
static Shape shape_before(const ArchSpec *a, int i)
{
    Shape s = a->input;
    for (int j = 0; j < i; j++) {
        Shape o;
        if (layer_out_shape(&a->layers[j], s, &o, NULL) != 0) break;
        s = o;
    }
    return s;
}

static long shape_count(Shape s) { return (long)s.c * s.h * s.w; }

void layer_param_counts(const ArchSpec *a, int i, long *nw, long *nb)
{
    const LayerSpec *l = &a->layers[i];
    Shape in = shape_before(a, i);
    *nw = *nb = 0;
    if (l->kind == LK_CONV) {
        *nw = (long)l->out * (in.c / (l->groups > 0 ? l->groups : 1)) * l->k * l->k;
        *nb = l->out;
    } else if (l->kind == LK_FC) {
        *nw = (long)l->out * shape_count(in);
        *nb = l->out;
    }
}

int weights_alloc(const ArchSpec *a, Weights *w, Err *e)
{
    memset(w, 0, sizeof *w);
    w->arch = a;
    w->l = calloc((size_t)a->nlayers, sizeof *w->l);
    if (!w->l) return err_set(e, "out of memory for the weight table");
    for (int i = 0; i < a->nlayers; i++) {
        if (!arch_has_weights(a->layers[i].kind)) continue;
        LayerWeights *lw = &w->l[i];
        layer_param_counts(a, i, &lw->nw, &lw->nb);
        lw->w = calloc((size_t)lw->nw, sizeof(float));
        lw->b = calloc((size_t)lw->nb, sizeof(float));
        if (!lw->w || !lw->b) {
            weights_free(w);
            return err_set(e, "out of memory for %s's %ld weights", a->layers[i].name, lw->nw);
        }
    }
    return 0;
}

void weights_free(Weights *w)
{
    if (!w || !w->l) return;
    for (int i = 0; i < w->arch->nlayers; i++) {
        free(w->l[i].w);
        free(w->l[i].b);
    }
    free(w->l);
    w->l = NULL;
}

/* ---- building the run --------------------------------------------------------------- */

static long long layer_macs(const LayerSpec *l, Shape in, Shape out)
{
    switch (l->kind) {
    case LK_CONV: return (long long)shape_count(out) * (in.c / l->groups) * l->k * l->k;
    case LK_FC: return (long long)out.c * shape_count(in);
    default: return 0;
    }
}

/* "96×11×11×3 + 96 = 34,944": out × k × k × in/groups, as the slides multiply. */
static void params_expr(char *buf, size_t size, const LayerSpec *l, Shape in, long nw, long nb)
{
    char total[32];
    fmt_count(total, sizeof total, nw + nb);
    if (l->kind == LK_CONV)
        snprintf(buf, size, "%d×%d×%d×%d + %d = %s", l->out, l->k, l->k, in.c / l->groups, l->out, total);
    else if (l->kind == LK_FC)
        snprintf(buf, size, "%d×%ld + %d = %s", l->out, shape_count(in), l->out, total);
    else
        buf[0] = '\0';
}

Net *net_create(const ArchSpec *a, const Weights *w, Err *e)
{
    if (w && w->arch && w->arch->nlayers != a->nlayers) {
        err_set(e, "%s: the weights are for %s, not %s", w->source, w->arch->name, a->name);
        return NULL;
    }
    Net *n = calloc(1, sizeof *n);
    if (!n) { err_set(e, "out of memory"); return NULL; }
    n->arch = a, n->weights = w, n->nlayers = a->nlayers;
    n->dropout_seed = 1;
    n->layers = calloc((size_t)a->nlayers, sizeof *n->layers);
    n->input = malloc(sizeof(float) * (size_t)shape_count(a->input));
    if (!n->layers || !n->input) goto oom;

    Shape s = a->input;
    int rf = 1, jump = 1, start = 0;
    long max_act = shape_count(s);
    for (int i = 0; i < a->nlayers; i++) {
        const LayerSpec *l = &a->layers[i];
        LayerRun *r = &n->layers[i];
        r->spec = l, r->in = s;
        if (layer_out_shape(l, s, &r->out, e) != 0) { net_free(n); return NULL; }
        if (arch_has_weights(l->kind)) {
            layer_param_counts(a, i, &r->nw, &r->nb);
            if (w && (!w->l || !w->l[i].w || !w->l[i].b || w->l[i].nw != r->nw || w->l[i].nb != r->nb)) {
                err_set(e, "%s: %s needs %ld weights and %ld biases, the weights have %ld and %ld",
                        w->source, l->name, r->nw, r->nb, w->l ? w->l[i].nw : 0L, w->l ? w->l[i].nb : 0L);
                net_free(n);
                return NULL;
            }
        }
        if (l->kind == LK_FC && s.h * s.w > 1) rf = jump = 0; /* sees the whole input */
        if (l->kind == LK_CONV || l->kind == LK_MAXPOOL || l->kind == LK_AVGPOOL) {
            r->has_size = 1;
            size_calc(l, s.h, &r->size);
            if (rf > 0) {
                start -= l->pad * jump;
                rf += (l->k - 1) * jump;
                jump *= l->stride;
            }
        }
        r->rf = rf, r->rf_jump = jump, r->rf_start = start;
        r->macs = layer_macs(l, s, r->out);
        r->act_bytes = (long long)shape_count(r->out) * (long long)sizeof(float);
        n->total_params += r->nw + r->nb;
        r->params_running = n->total_params;
        n->total_macs += r->macs;
        n->total_act_bytes += r->act_bytes;
        params_expr(r->params_expr, sizeof r->params_expr, l, s, r->nw, r->nb);
        r->out_data = malloc((size_t)r->act_bytes);
        if (!r->out_data) goto oom;
        if (shape_count(r->out) > max_act) max_act = shape_count(r->out);
        s = r->out;
    }
    n->drop_mask = malloc((size_t)max_act);
    if (!n->drop_mask) goto oom;
    return n;
oom:
    net_free(n);
    err_set(e, "out of memory for %s's activations", a->name);
    return NULL;
}

void net_free(Net *n)
{
    if (!n) return;
    for (int i = 0; n->layers && i < n->nlayers; i++) free(n->layers[i].out_data);
    free(n->layers);
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
    for (int i = k; i < n->nlayers; i++) n->layers[i].computed = 0;
    if (n->done > k) n->done = k;
}

const float *net_layer_input(const Net *n, int i)
{
    return i == 0 ? n->input : n->layers[i - 1].out_data;
}

const float *net_output(const Net *n, int *count)
{
    const LayerRun *r = &n->layers[n->nlayers - 1];
    if (!r->computed) return NULL;
    if (count) *count = (int)shape_count(r->out);
    return r->out_data;
}

static void layer_stats(LayerRun *r)
{
    long count = shape_count(r->out);
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
    LayerRun *r = &n->layers[i];
    const LayerSpec *l = r->spec;
    const float *in = net_layer_input(n, i);
    float *out = r->out_data;
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
    LayerRun *r = &n->layers[i];
    double t0 = now_ms();
    layer_compute(n, i);
    r->ms = now_ms() - t0;
    layer_stats(r);
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
