/* engine.c - one call for both engines (tools.h): the naive loops of nn/ run the batch one
   input at a time through a Net and copy each output into a batch buffer; the fast engine
   (fast/, when this build has a BLAS) runs the whole batch at once. */
#include <stdlib.h>
#include <string.h>

#include "tools_impl.h"
#ifdef ALEXSCOPE_HAVE_FAST
#include "fast.h"
#endif

struct Engine {
    EngineKind kind;
    int max_batch;
    Net *net;        /* the naive engine's run state; also holds the plan for both */
    float *out;      /* naive: (max_batch, out of the largest layer) */
#ifdef ALEXSCOPE_HAVE_FAST
    FastNet *fast;
#endif
};

int engine_available(EngineKind k)
{
#ifdef ALEXSCOPE_HAVE_FAST
    return k == ENGINE_NAIVE || k == ENGINE_FAST;
#else
    return k == ENGINE_NAIVE;
#endif
}

const char *engine_name(EngineKind k) { return k == ENGINE_FAST ? "fast" : "naive"; }

const char *engine_blas(void)
{
#ifdef ALEXSCOPE_HAVE_FAST
    return fast_blas_name();
#else
    return "none";
#endif
}

void engine_set_threads(int n)
{
#ifdef ALEXSCOPE_HAVE_FAST
    fast_set_threads(n);
#else
    (void)n;
#endif
}

Engine *engine_create(const ArchSpec *a, const Weights *w, EngineKind k, int max_batch, Err *e)
{
    if (!engine_available(k)) {
        err_set(e, "this build has no %s engine (no BLAS found when it was built)", engine_name(k));
        return NULL;
    }
    if (max_batch < 1) {
        err_set(e, "a batch of %d inputs: it must be at least 1", max_batch);
        return NULL;
    }
    Engine *g = calloc(1, sizeof *g);
    if (!g) {
        err_set(e, "out of memory");
        return NULL;
    }
    g->kind = k, g->max_batch = max_batch;
    if (!(g->net = net_create(a, w, e))) goto fail;
    if (k == ENGINE_NAIVE) {
        long most = 0;
        for (int i = 0; i < g->net->nlayers; i++) {
            long c = shape_count(g->net->plan.layers[i].out);
            if (c > most) most = c;
        }
        if (!(g->out = malloc(sizeof(float) * (size_t)most * (size_t)max_batch))) {
            err_set(e, "out of memory");
            goto fail;
        }
    }
#ifdef ALEXSCOPE_HAVE_FAST
    if (k == ENGINE_FAST && !(g->fast = fast_create(a, w, max_batch, e))) goto fail;
#endif
    return g;
fail:
    engine_free(g);
    return NULL;
}

void engine_free(Engine *g)
{
    if (!g) return;
#ifdef ALEXSCOPE_HAVE_FAST
    fast_free(g->fast);
#endif
    net_free(g->net);
    free(g->out);
    free(g);
}

EngineKind engine_kind(const Engine *g) { return g->kind; }
int engine_max_batch(const Engine *g) { return g->max_batch; }
const Plan *engine_plan(const Engine *g) { return &g->net->plan; }

const float *engine_run(Engine *g, const float *x, int b, int layers, Err *e)
{
    if (b < 1 || b > g->max_batch) {
        err_set(e, "a batch of %d inputs: this engine takes 1 to %d", b, g->max_batch);
        return NULL;
    }
    int n = g->net->nlayers;
    if (layers > n) layers = n;
    if (layers < 1) {
        err_set(e, "engine_run: no layer to run (%d)", layers);
        return NULL;
    }
#ifdef ALEXSCOPE_HAVE_FAST
    if (g->fast) {
        if (fast_run(g->fast, x, b, layers, e) != 0) return NULL;
        return fast_layer_output(g->fast, layers - 1);
    }
#endif
    long in = shape_count(g->net->plan.arch->input);
    long out = shape_count(g->net->plan.layers[layers - 1].out);
    for (int i = 0; i < b; i++) {
        net_set_input(g->net, x + in * i);
        if (net_run_to(g->net, layers, e) < 0) return NULL;
        memcpy(g->out + out * i, g->net->run[layers - 1].out_data, sizeof(float) * (size_t)out);
    }
    return g->out;
}

/* ---- what every tool's batch loop shares (tools_impl.h) --------------------------------- */

int tool_cancelled(const ToolProgress *pr, Err *e)
{
    if (!pr || !pr->cancel || !atomic_load(pr->cancel)) return 0;
    err_set(e, "cancelled");
    return 1;
}

void tool_progress(const ToolProgress *pr, int done, int total)
{
    if (pr && pr->fn) pr->fn(pr->ctx, done, total);
}

int tool_batch(const Engine *g, int want) { return want >= 1 && want <= g->max_batch ? want : g->max_batch; }
