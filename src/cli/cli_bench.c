/* cli_bench.c - `alexscope bench`: the median time of each layer over N forward passes, for
   the naive loops, the fast engine, or both side by side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli_impl.h"
#include "labels.h"
#include "util.h"
#ifdef ALEXSCOPE_HAVE_FAST
#include "fast.h"
#endif

static long peak_rss_kib(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

/* One engine's timings: ms[i * reps + r] layer i in pass r, ms[nlayers * reps + r] the whole
   pass r (a pass is the whole batch); med[] their medians, med[nlayers] the total. */
typedef struct {
    const char *name;
    double *ms, *med;
} Timing;

/* Naive: the batch is batch passes one image after another, their layer times added. */
static int time_naive(Net *n, const float *x, int reps, int batch, double *ms, Err *e)
{
    for (int r = 0; r < reps; r++)
        for (int b = 0; b < batch; b++) {
            net_set_input(n, x);
            if (net_forward(n, e) < 0) return -1;
            for (int i = 0; i < n->nlayers; i++) {
                ms[(size_t)i * reps + r] += n->run[i].ms;
                ms[(size_t)n->nlayers * reps + r] += n->run[i].ms;
            }
        }
    return 0;
}

/* Fast: x copied batch times, one fast_run per pass. */
static int time_fast(const CliOpts *o, Net *n, const float *x, int reps, int batch, double *ms, Err *e)
{
#ifdef ALEXSCOPE_HAVE_FAST
    size_t count = (size_t)n->arch->input.c * n->arch->input.h * n->arch->input.w;
    float *xb = malloc(sizeof(float) * count * (size_t)batch);
    if (!xb) return err_set(e, "out of memory");
    for (int b = 0; b < batch; b++) memcpy(xb + count * (size_t)b, x, sizeof(float) * count);
    cli_fast_threads(o);
    FastNet *f = fast_create(n->arch, n->weights, batch, e);
    int rc = f ? 0 : -1;
    for (int r = 0; rc == 0 && r < reps + 1; r++) {
        rc = fast_run(f, xb, batch, n->nlayers, e);
        for (int i = 0; rc == 0 && r > 0 && i < n->nlayers; i++) { /* pass 0 warms up */
            ms[(size_t)i * reps + r - 1] = fast_layer_ms(f, i);
            ms[(size_t)n->nlayers * reps + r - 1] += fast_layer_ms(f, i);
        }
    }
    fast_free(f);
    free(xb);
    return rc < 0 ? -1 : 0;
#else
    (void)o, (void)n, (void)x, (void)reps, (void)batch, (void)ms;
    return err_set(e, "this build has no fast engine (no BLAS found when it was built)");
#endif
}

static void print_json(const CliOpts *o, const Model *m, const Net *n, const Timing *t, int nt, int batch)
{
    printf("{\"arch\": \"%s\", ", m->arch->name);
    cli_json_str("weights", m->weights.source, 1);
    printf("\"reps\": %d, \"batch\": %d, \"threads\": %d, ", o->reps, batch, o->threads ? o->threads : 2);
    cli_json_str("blas", cli_blas_name(), 1);
    printf("\"engines\": {");
    for (int k = 0; k < nt; k++) {
        printf("%s\"%s\": {\"total_ms\": %.3f, \"per_image_ms\": %.3f, \"layers\": [", k ? ", " : "", t[k].name,
               t[k].med[n->nlayers], t[k].med[n->nlayers] / batch);
        for (int i = 0; i < n->nlayers; i++)
            printf("%s{\"name\": \"%s\", \"ms\": %.3f}", i ? ", " : "", n->plan.layers[i].spec->name, t[k].med[i]);
        printf("]}");
    }
    printf("}, \"peak_rss_kib\": %ld}\n", peak_rss_kib());
}

static void print_text(const CliOpts *o, const Model *m, const Net *n, const Timing *t, int nt, int batch)
{
    printf("%s, %s, batch %d, median of %d passes", m->arch->name, m->weights.source, batch, o->reps);
    if (o->engine != CLI_ENGINE_NAIVE) printf(", fast engine: %s, %d threads", cli_blas_name(), o->threads ? o->threads : 2);
    printf("\n\n%-8s", "layer");
    for (int k = 0; k < nt; k++) printf(" %9s ms", t[k].name);
    printf(nt == 2 ? " %9s\n" : " %8s %16s\n", nt == 2 ? "naive/fast" : "share", "MACs/s");
    double *total = t[0].med + n->nlayers;
    for (int i = 0; i <= n->nlayers; i++) {
        printf("%-8s", i < n->nlayers ? n->plan.layers[i].spec->name : "total");
        for (int k = 0; k < nt; k++) printf(" %12.2f", t[k].med[i]);
        double macs = (double)(i < n->nlayers ? n->plan.layers[i].macs : n->plan.total_macs) * batch;
        if (nt == 2 && t[1].med[i] > 0) printf(" %9.1f×", t[0].med[i] / t[1].med[i]);
        else if (nt == 1 && macs > 0 && t[0].med[i] > 0) printf(" %7.1f%% %15.2fG", 100 * t[0].med[i] / *total, macs / t[0].med[i] / 1e6);
        else if (nt == 1) printf(" %7.1f%%", *total > 0 ? 100 * t[0].med[i] / *total : 0);
        printf("\n");
    }
    printf("\n");
    for (int k = 0; k < nt; k++)
        printf("%s: %.1f ms per pass of %d image%s, %.1f ms per image, %.1f images/s\n", t[k].name, t[k].med[n->nlayers], batch,
               batch == 1 ? "" : "s", t[k].med[n->nlayers] / batch, t[k].med[n->nlayers] > 0 ? 1000.0 * batch / t[k].med[n->nlayers] : 0);
    printf("peak resident memory %.1f MiB\n", peak_rss_kib() / 1024.0);
}

static int bench(const CliOpts *o)
{
    if (o->nfiles > 1) return cli_usage_error("bench", "bench takes at most one IMAGE ('%s' is extra)", o->files[1]);
    int batch = o->batch ? o->batch : 1;
    Err e = {0};
    Model m;
    Net *n = NULL;
    float *x = NULL;
    Timing t[2] = {{0}};
    int nt = o->engine == CLI_ENGINE_BOTH ? 2 : 1;
    if (cli_open_model(o, &m, &n, &e) != 0) return cli_fail_input(&e);
    int rc = EXIT_INPUT;
    char sample[1024];
    const char *image = o->nfiles ? o->files[0] : asset_path("samples/chelsea.png", sample, sizeof sample);
    if (cli_load_input(o, &m, image, &x, &e) != 0) goto done;
    size_t per = (size_t)(n->nlayers + 1) * (size_t)o->reps;
    for (int k = 0; k < nt; k++) {
        int fast = o->engine == CLI_ENGINE_FAST || k == 1;
        t[k].name = fast ? "fast" : "naive";
        t[k].ms = calloc(per, sizeof(double));
        t[k].med = calloc((size_t)n->nlayers + 1, sizeof(double));
        if (!t[k].ms || !t[k].med) { err_set(&e, "out of memory"); goto done; }
        if ((fast ? time_fast(o, n, x, o->reps, batch, t[k].ms, &e) : time_naive(n, x, o->reps, batch, t[k].ms, &e)) != 0)
            goto done;
        for (int i = 0; i <= n->nlayers; i++) t[k].med[i] = median(t[k].ms + (size_t)i * o->reps, o->reps);
    }
    (o->json ? print_json : print_text)(o, &m, n, t, nt, batch);
    rc = EXIT_OK;
done:
    for (int k = 0; k < 2; k++) free(t[k].ms), free(t[k].med);
    return cli_finish(rc, &e, x, n, &m);
}

const CliCommand cli_cmd_bench = {
    .name = "bench",
    .run = bench,
    .usage = "bench [--engine naive|fast|both] [--reps N] [--batch B] [--json] [--weights F] [--arch A]",
    .help = "Usage: alexscope bench [--engine naive|fast|both] [--reps N] [--batch B] [--json] [--weights F] [--arch A]\n\n"
            "Times N forward passes (default 5) on the bundled cat photo and prints the median per\n"
            "layer and in total, and the peak resident memory. --engine both times the naive loops\n"
            "and the fast engine side by side; --batch B times passes of B copies of the image (the\n"
            "naive loops run them one after another). --json: {\"engines\": {\"naive\": {\"total_ms\": ...,\n"
            "\"layers\": [...]}, \"fast\": {...}}, \"threads\": T, \"batch\": B, \"blas\": ...}.\n",
    .engines = 2,
};
