/* fast.c - the fast engine's run state (FastNet), the batched forward pass, the adapter that
   fills a naive Net from it, and the BLAS's name and threads. The kernels are in
   fast_conv.c (convolution) and fast_ops.c (fc, LRN, pooling); ReLU, tanh, dropout and
   softmax reuse nn's kernels, which are already one vectorisable loop per image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "fast.h"
#include "fast_impl.h"
#include "kernels.h"
#include "util.h"

struct FastNet {
    const ArchSpec *arch;
    const Weights *weights;
    Plan plan;
    int max_batch;
    float **act;   /* plan.nlayers buffers of (max_batch, out) */
    float *cols;   /* the largest im2col matrix of one image and group, or NULL */
    double *ms;    /* per layer, the last run */
    int done;      /* layers the last fast_run computed */
};

FastNet *fast_create(const ArchSpec *a, const Weights *w, int max_batch, Err *e)
{
    if (!w) { err_set(e, "%s: the fast engine needs weights", a->name); return NULL; }
    if (max_batch < 1) { err_set(e, "%s: batch size %d is not positive", a->name, max_batch); return NULL; }
    FastNet *f = calloc(1, sizeof *f);
    if (!f) { err_set(e, "out of memory"); return NULL; }
    if (plan_build(a, &f->plan, e) != 0 || net_check_weights(&f->plan, w, e) != 0) {
        free(f);
        return NULL;
    }
    f->arch = a, f->weights = w, f->max_batch = max_batch;
    f->act = calloc((size_t)a->nlayers, sizeof *f->act);
    f->ms = calloc((size_t)a->nlayers, sizeof *f->ms);
    if (!f->act || !f->ms) goto oom;
    long scratch = 0;
    for (int i = 0; i < a->nlayers; i++) {
        const PlanLayer *r = &f->plan.layers[i];
        if (!(f->act[i] = malloc((size_t)r->act_bytes * (size_t)max_batch))) goto oom;
        if (r->spec->kind == LK_CONV) {
            long s = fk_conv_scratch(r->in, r->out, r->spec->k, r->spec->stride, r->spec->pad, r->spec->groups);
            if (s > scratch) scratch = s;
        }
    }
    if (scratch > 0 && !(f->cols = malloc(sizeof(float) * (size_t)scratch))) goto oom;
    return f;
oom:
    fast_free(f);
    err_set(e, "out of memory for %s's activations for %d images", a->name, max_batch);
    return NULL;
}

void fast_free(FastNet *f)
{
    if (!f) return;
    for (int i = 0; f->act && i < f->plan.nlayers; i++) free(f->act[i]);
    free(f->act);
    free(f->cols);
    free(f->ms);
    free(f);
}

/* Layer i for n images. */
static void fast_layer(FastNet *f, int i, const float *in, int n)
{
    const PlanLayer *r = &f->plan.layers[i];
    const LayerSpec *l = r->spec;
    const LayerWeights *lw = &f->weights->l[i];
    float *out = f->act[i];
    long count = shape_count(r->out);
    switch (l->kind) {
    case LK_CONV:
        fk_conv(out, in, lw->w, lw->b, n, r->in, r->out, l->k, l->stride, l->pad, l->groups, f->cols);
        break;
    case LK_RELU: relu(out, in, count * n); break;
    case LK_TANH: tanh_act(out, in, count * n); break;
    case LK_LRN: fk_lrn(out, in, n, r->in, l->lrn_n, l->lrn_alpha, l->lrn_beta, l->lrn_k); break;
    case LK_MAXPOOL: fk_maxpool(out, in, n, r->in, r->out, l->k, l->stride, l->pad); break;
    case LK_AVGPOOL: fk_avgpool(out, in, n, r->in, r->out, l->k, l->stride, l->pad); break;
    case LK_FC: fk_fc(out, in, lw->w, lw->b, n, (int)shape_count(r->in), r->out.c); break;
    case LK_DROPOUT: dropout(out, in, count * n, l->drop_ratio, NULL, 0); break; /* inference */
    case LK_SOFTMAX:
        for (int b = 0; b < n; b++) softmax(out + b * count, in + b * count, (int)count);
        break;
    case LK_COUNT: break;
    }
}

int fast_run(FastNet *f, const float *x, int batch, int layers, Err *e)
{
    if (batch < 1 || batch > f->max_batch)
        return err_set(e, "%s: batch of %d images, the fast engine was made for 1 to %d",
                       f->arch->name, batch, f->max_batch);
    if (layers > f->plan.nlayers) layers = f->plan.nlayers;
    f->done = 0;
    for (int i = 0; i < layers; i++) {
        double t0 = now_ms();
        fast_layer(f, i, i == 0 ? x : f->act[i - 1], batch);
        f->ms[i] = now_ms() - t0;
        f->done = i + 1;
    }
    return 0;
}

const float *fast_layer_output(const FastNet *f, int i)
{
    return i >= 0 && i < f->done ? f->act[i] : NULL;
}

double fast_layer_ms(const FastNet *f, int i)
{
    return i >= 0 && i < f->done ? f->ms[i] : 0.0;
}

int fast_net_run(FastNet *f, Net *net, int k, Err *e)
{
    if (net->arch != f->arch || net->weights != f->weights)
        return err_set(e, "%s: this network's weights are not the fast engine's", net->arch->name);
    if (!net->has_input) return err_set(e, "no input image has been set");
    if (net->train_dropout)
        return err_set(e, "%s: the fast engine computes inference only (dropout's train mode "
                          "needs the naive engine)", net->arch->name);
    if (k > net->nlayers) k = net->nlayers;
    if (k <= net->done) return net->done;
    if (fast_run(f, net->input, 1, k, e) != 0) return -1;
    for (int i = 0; i < k; i++) {
        LayerRun *r = &net->run[i];
        long count = shape_count(net->plan.layers[i].out);
        memcpy(r->out_data, f->act[i], sizeof(float) * (size_t)count);
        r->ms = f->ms[i];
        net_layer_stats(r, count);
        r->computed = 1;
    }
    net->done = k;
    return net->done;
}

void fast_set_threads(int n)
{
#ifdef ALEXSCOPE_OPENBLAS
    if (n > 0) openblas_set_num_threads(n);
#else
    (void)n; /* another CBLAS: its own environment variable (BLIS_NUM_THREADS ...) */
#endif
}

const char *fast_blas_name(void)
{
#if defined(ALEXSCOPE_OPENBLAS) && defined(OPENBLAS_VERSION)
    static char name[64];
    const char *v = OPENBLAS_VERSION; /* " OpenBLAS 0.3.21 " in Debian's header */
    while (*v == ' ') v++;
    size_t len = strlen(v);
    while (len > 0 && v[len - 1] == ' ') len--;
    if (len >= sizeof name) len = sizeof name - 1;
    memcpy(name, v, len);
    name[len] = '\0';
    return name;
#elif defined(ALEXSCOPE_OPENBLAS)
    return "OpenBLAS";
#else
    return "CBLAS";
#endif
}
