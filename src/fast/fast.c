/* fast.c - the fast engine's run state (FastNet), the batched forward pass, the adapter that
   fills a naive Net from it, and the BLAS's name and threads. The kernels are in
   fast_conv.c (convolution) and fast_ops.c (fc, LRN, pooling); ReLU, tanh, dropout and
   softmax reuse nn's kernels, which are already one vectorisable loop per image.

   Threads: every layer is one job for the engine's pool (fast_pool.h), each thread
   computing a fixed part of the layer's output, and the BLAS runs single-threaded inside
   each part. (OpenBLAS's own threads, left at 2, spin after every call and fought the next
   layer's work for the 2 cores; a batch-1 AlexNet's products are too small for its split.) */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cblas.h>

#include "fast.h"
#include "fast_impl.h"
#include "fast_pool.h"
#include "kernels.h"
#include "util.h"

#define FAST_MAX_THREADS 64

static atomic_int fast_threads; /* fast_set_threads; 0: the default */

struct FastNet {
    const ArchSpec *arch;
    const Weights *weights;
    Plan plan;
    int max_batch;
    float **act;   /* plan.nlayers buffers of (max_batch, out) */
    FastPool *pool;
    float **cols;  /* per thread: the largest im2col matrix of one image and group, or NULL */
    double *ms;    /* per layer, the last run */
    int done;      /* layers the last fast_run computed */
};

/* fast_set_threads's count, or 2 (at most the processors online) */
static int threads_wanted(void)
{
    int n = atomic_load(&fast_threads);
    if (n > 0) return n;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus == 1 ? 1 : 2;
}

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
    f->pool = fpool_create(threads_wanted());
    if (!f->act || !f->ms || !f->pool) goto oom;
    int nt = fpool_threads(f->pool);
    long scratch = 0;
    for (int i = 0; i < a->nlayers; i++) {
        const PlanLayer *r = &f->plan.layers[i];
        if (!(f->act[i] = malloc((size_t)r->act_bytes * (size_t)max_batch))) goto oom;
        if (r->spec->kind == LK_CONV) {
            long s = fk_conv_scratch(r->in, r->out, r->spec->k, r->spec->stride, r->spec->pad, r->spec->groups);
            if (s > scratch) scratch = s;
        }
    }
    if (scratch > 0) {
        if (!(f->cols = calloc((size_t)nt, sizeof *f->cols))) goto oom;
        for (int t = 0; t < nt; t++)
            if (!(f->cols[t] = malloc(sizeof(float) * (size_t)scratch))) goto oom;
    }
#ifdef ALEXSCOPE_OPENBLAS
    openblas_set_num_threads(1); /* the engine's own threads split the work */
#endif
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
    for (int t = 0; f->cols && t < fpool_threads(f->pool); t++) free(f->cols[t]);
    free(f->cols);
    free(f->ms);
    fpool_free(f->pool);
    free(f);
}

/* One layer for n images, as a job for the pool. */
typedef struct {
    FastNet *f;
    int i, n;
    const float *in;
} LayerJob;

/* [*a, *b): part t of nt of total elements, cut at multiples of 16 (64 bytes) */
static void elem_range(long total, int t, int nt, long *a, long *b)
{
    fpool_range(total, t, nt, a, b);
    *a = t == 0 ? 0 : *a & ~15L;
    *b = t == nt - 1 ? total : *b & ~15L;
}

static void layer_part(void *ctx, int t, int nt, int thread)
{
    const LayerJob *j = ctx;
    const FastNet *f = j->f;
    const PlanLayer *r = &f->plan.layers[j->i];
    const LayerSpec *l = r->spec;
    const LayerWeights *lw = &f->weights->l[j->i];
    const float *in = j->in;
    float *out = f->act[j->i];
    int n = j->n;
    long count = shape_count(r->out), a, b;
    switch (l->kind) {
    case LK_CONV: {
        FkConv c = {.out = out, .in = in, .w = lw->w, .b = lw->b, .n = n,
                    .k = l->k, .stride = l->stride, .pad = l->pad, .groups = l->groups, .is = r->in,
                    .os = r->out};
        fk_conv_part(&c, f->cols ? f->cols[thread] : NULL, t, nt);
        break;
    }
    case LK_RELU: elem_range(count * n, t, nt, &a, &b); relu(out + a, in + a, b - a); break;
    case LK_TANH: elem_range(count * n, t, nt, &a, &b); tanh_act(out + a, in + a, b - a); break;
    case LK_DROPOUT: /* inference: a copy */
        elem_range(count * n, t, nt, &a, &b);
        dropout(out + a, in + a, b - a, l->drop_ratio, NULL, 0);
        break;
    case LK_LRN:
        fpool_range((long)n * r->in.c, t, nt, &a, &b);
        fk_lrn(out, in, r->in, a, b, l->lrn_n, l->lrn_alpha, l->lrn_beta, l->lrn_k);
        break;
    case LK_MAXPOOL:
        fpool_range((long)n * r->out.c, t, nt, &a, &b);
        fk_maxpool(out, in, r->in, r->out, a, b, l->k, l->stride, l->pad);
        break;
    case LK_AVGPOOL:
        fpool_range((long)n * r->out.c, t, nt, &a, &b);
        fk_avgpool(out, in, r->in, r->out, a, b, l->k, l->stride, l->pad);
        break;
    case LK_FC:
        fk_fc_part(out, in, lw->w, lw->b, n, (int)shape_count(r->in), r->out.c, t, nt);
        break;
    case LK_SOFTMAX:
        fpool_range(n, t, nt, &a, &b);
        for (long img = a; img < b; img++) softmax(out + img * count, in + img * count, (int)count);
        break;
    case LK_COUNT: break;
    }
}

/* Layers whose work is too small to be worth waking the other threads for (LeNet's, the
   ReLU and dropout after fc6, softmax): run on the calling thread alone. */
static int layer_is_small(const PlanLayer *r, int n)
{
    long count = shape_count(r->out) * n;
    switch (r->spec->kind) {
    case LK_RELU: case LK_TANH: case LK_DROPOUT: case LK_SOFTMAX: return count < 32768;
    case LK_FC: return count * shape_count(r->in) < 65536;
    default: return 0;
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
        LayerJob job = {f, i, batch, i == 0 ? x : f->act[i - 1]};
        if (layer_is_small(&f->plan.layers[i], batch))
            layer_part(&job, 0, 1, 0);
        else
            fpool_run(f->pool, layer_part, &job);
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
    atomic_store(&fast_threads, n < 0 ? 0 : n > FAST_MAX_THREADS ? FAST_MAX_THREADS : n);
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
