/* cli_bench.c - `alexscope bench`: the median time of each layer over N forward passes. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "cli_impl.h"
#include "labels.h"
#include "util.h"

static long peak_rss_kib(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

/* ms[i * reps + r]: layer i in pass r; ms[nlayers * reps + r]: the whole pass r. */
static int time_passes(Net *n, const float *x, int reps, double *ms, Err *e)
{
    for (int r = 0; r < reps; r++) {
        net_set_input(n, x);
        if (net_forward(n, e) < 0) return -1;
        double total = 0;
        for (int i = 0; i < n->nlayers; i++) {
            ms[(size_t)i * reps + r] = n->run[i].ms;
            total += n->run[i].ms;
        }
        ms[(size_t)n->nlayers * reps + r] = total;
    }
    return 0;
}

static void print_times(const CliOpts *o, const Model *m, const Net *n, double *ms)
{
    double total = median(ms + (size_t)n->nlayers * o->reps, o->reps);
    if (o->json) printf("{\"arch\": \"%s\", \"weights\": \"%s\", \"reps\": %d, \"layers\": [", m->arch->name, m->weights.source, o->reps);
    else printf("%s, %s, median of %d forward passes\n\n%-8s %10s %8s %16s\n", m->arch->name, m->weights.source, o->reps,
                "layer", "ms", "share", "MACs/s");
    for (int i = 0; i < n->nlayers; i++) {
        double t = median(ms + (size_t)i * o->reps, o->reps);
        const PlanLayer *l = &n->plan.layers[i];
        if (o->json) printf("%s{\"name\": \"%s\", \"ms\": %.3f}", i ? ", " : "", l->spec->name, t);
        else if (l->macs && t > 0) printf("%-8s %10.2f %7.1f%% %15.2fG\n", l->spec->name, t, 100 * t / total, l->macs / t / 1e6);
        else printf("%-8s %10.2f %7.1f%%\n", l->spec->name, t, 100 * t / total);
    }
    long rss = peak_rss_kib();
    if (o->json) printf("], \"total_ms\": %.3f, \"peak_rss_kib\": %ld}\n", total, rss);
    else printf("\ntotal %.1f ms (%.2f GMAC/s), peak resident memory %.1f MiB\n", total, n->plan.total_macs / total / 1e6, rss / 1024.0);
}

static int bench(const CliOpts *o)
{
    if (o->nfiles > 1) return cli_usage_error("bench", "bench takes at most one IMAGE ('%s' is extra)", o->files[1]);
    Err e = {0};
    Model m;
    Net *n = NULL;
    float *x = NULL;
    double *ms = NULL;
    if (cli_open_model(o, &m, &n, &e) != 0) return cli_fail_input(&e);
    int rc = EXIT_INPUT;
    char sample[1024];
    const char *image = o->nfiles ? o->files[0] : asset_path("samples/chelsea.png", sample, sizeof sample);
    if (cli_load_input(o, &m, image, &x, &e) != 0) goto done;
    ms = calloc((size_t)(n->nlayers + 1) * (size_t)o->reps, sizeof *ms);
    if (!ms) { err_set(&e, "out of memory"); goto done; }
    if (time_passes(n, x, o->reps, ms, &e) != 0) goto done;
    print_times(o, &m, n, ms);
    rc = EXIT_OK;
done:
    free(ms);
    return cli_finish(rc, &e, x, n, &m);
}

const CliCommand cli_cmd_bench = {
    .name = "bench",
    .run = bench,
    .usage = "bench [--reps N] [--json] [--weights F] [--arch A]",
    .help = "Usage: alexscope bench [--reps N] [--json] [--weights F] [--arch A]\n\n"
            "Times N full forward passes (default 5) on the bundled cat photo and prints the median\n"
            "per layer and in total, and the peak resident memory.\n",
};
