/* cli_engine.c - which engine computes a command's forward pass (see cli_impl.h): the naive
   loops of nn/ or, in a build with a BLAS, the fast engine of fast/ filling the same Net. */
#include <stddef.h>

#include "cli_impl.h"
#ifdef ALEXSCOPE_HAVE_FAST
#include "fast.h"
#endif

int cli_fast_threads(const CliOpts *o)
{
    int t = o->threads ? o->threads : 2;
#ifdef ALEXSCOPE_HAVE_FAST
    fast_set_threads(t);
#endif
    return t;
}

const char *cli_blas_name(void)
{
#ifdef ALEXSCOPE_HAVE_FAST
    return fast_blas_name();
#else
    return "none";
#endif
}

int cli_forward(const CliOpts *o, Net *n, int k, Err *e)
{
    if (o->engine == CLI_ENGINE_NAIVE) return net_run_to(n, k, e) < 0 ? -1 : 0;
#ifdef ALEXSCOPE_HAVE_FAST
    cli_fast_threads(o);
    FastNet *f = fast_create(n->arch, n->weights, 1, e);
    if (!f) return -1;
    int rc = fast_net_run(f, n, k, e);
    fast_free(f);
    return rc < 0 ? -1 : 0;
#else
    return err_set(e, "this build has no fast engine (no BLAS found when it was built)");
#endif
}

Engine *cli_engine(const CliOpts *o, const Model *m, int batch_fast, int batch_naive, Err *e)
{
    EngineKind k = o->engine == CLI_ENGINE_FAST ? ENGINE_FAST : ENGINE_NAIVE;
    if (k == ENGINE_FAST) cli_fast_threads(o);
    int b = k == ENGINE_FAST ? (o->batch ? o->batch : batch_fast) : batch_naive;
    return engine_create(m->arch, &m->weights, k, b, e);
}
