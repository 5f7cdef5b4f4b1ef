/* cli_batch.c - `alexscope batch DIR|FILES... --out results.csv`: the top-K classes of many
   images, one CSV row each, and the images per second. With the fast engine the images go
   through in batches of B (engine_run, src/tools); with the naive loops one by one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "cli_impl.h"
#include "labels.h"
#include "util.h"

typedef struct {
    const CliOpts *o;
    CliProgress *bar;
    AFile out;  /* results.csv, renamed into place at the end (afile.h) */
    FILE *csv;  /* out.f while it is open */
    const Labels *lb;
    int k, count; /* top-K, classes */
} Rows;

static void write_row(const Rows *r, const char *file, const float *p)
{
    int idx[1000];
    char name[128];
    topk(p, r->count, r->k, idx);
    cli_csv_field(r->csv, file);
    for (int j = 0; j < r->k; j++) {
        fprintf(r->csv, ",%d,", idx[j]);
        cli_csv_field(r->csv, r->lb ? labels_name(r->lb, idx[j], name, sizeof name) : "");
        fprintf(r->csv, ",%.6g", p[idx[j]]);
    }
    fputc('\n', r->csv);
}

/* Reads every file into batches of the engine's size and computes them, one row each;
   returns the number of good images (skipped ones are listed on stderr), or -1.
   *compute_ms: the time in the forward passes. */
static int run_all(const Rows *r, const Model *m, Engine *g, const CliFiles *pl, double *compute_ms, Err *e)
{
    size_t in = (size_t)model_input_count(m);
    int B = engine_max_batch(g), layers = engine_plan(g)->nlayers;
    float *x = malloc(sizeof(float) * in * (size_t)B);
    char **names = malloc(sizeof *names * (size_t)B);
    int good = 0, b = 0;
    if (!x || !names) good = err_set(e, "out of memory");
    for (int i = 0; good >= 0 && i <= pl->n; i++) {
        if (b == B || (i == pl->n && b > 0)) {
            double t0 = now_ms();
            const float *p = engine_run(g, x, b, layers, e);
            *compute_ms += now_ms() - t0;
            if (!p) good = -1;
            for (int j = 0; p && j < b; j++) write_row(r, names[j], p + (size_t)j * (size_t)r->count);
            if (p) good += b, b = 0;
            cli_progress(r->bar, i, pl->n);
        }
        if (i == pl->n || good < 0) break;
        Err le = {0};
        if (model_image_input(m, pl->v[i], r->o->mirror, r->o->crop_seed, x + in * (size_t)b, NULL, &le) != 0) {
            cli_progress_clear(r->bar);
            fprintf(stderr, "alexscope: skipped %s\n", le.msg);
        } else
            names[b++] = pl->v[i];
    }
    cli_progress_clear(r->bar);
    free(x);
    free(names);
    return good;
}

static int open_csv(const CliOpts *o, Rows *r, int k, Err *e)
{
    if (afile_open(&r->out, o->out, e) != 0) return -1;
    r->csv = r->out.f;
    fputs("file", r->csv);
    for (int j = 1; j <= k; j++) fprintf(r->csv, ",top%d_index,top%d_name,top%d_prob", j, j, j);
    fputc('\n', r->csv);
    return 0;
}

static int batch(const CliOpts *o)
{
    if (!o->nfiles) return cli_usage_error(o->cmd, "missing DIR or FILES");
    if (!o->out) return cli_usage_error(o->cmd, "missing --out results.csv");
    if (o->input_npy) return cli_usage_error(o->cmd, "batch reads images, not --input-npy");
    Err e = {0};
    Model m;
    CliFiles pl = {0};
    Labels lb;
    CliProgress bar;
    Rows r = {.o = o, .bar = &bar};
    Engine *g = NULL;
    int have_labels = 0, rc = EXIT_INPUT;
    if (cli_open_model(o, &m, NULL, &e) != 0) return cli_fail_input(&e);
    if (!(g = cli_engine(o, &m, 16, 1, &e))) goto done;
    const PlanLayer *last = &engine_plan(g)->layers[engine_plan(g)->nlayers - 1];
    r.count = last->out.c * last->out.h * last->out.w;
    r.k = o->top < r.count ? o->top : r.count;
    if (cli_files_collect(o, &pl, &e) != 0 || open_csv(o, &r, r.k, &e) != 0) goto done;
    Err le = {0};
    if ((r.count == 1000 || r.count == 10) && (have_labels = labels_load_for(r.count, &lb, &le) == 0)) r.lb = &lb;
    if ((r.count == 1000 || r.count == 10) && !have_labels) fprintf(stderr, "alexscope: warning: %s\n", le.msg);
    cli_progress_begin(&bar, "batch");
    double t0 = now_ms(), cms = 0;
    int good = run_all(&r, &m, g, &pl, &cms, &e);
    double s = (now_ms() - t0) / 1000.0;
    if (good < 0) goto done;
    printf("%d of %d images in %.2f s: %.1f images/s (%s engine, batch %d; reading and resizing included;\n"
           "the forward passes alone: %.2f s, %.1f images/s)\n",
           good, pl.n, s, s > 0 ? good / s : 0.0, engine_name(engine_kind(g)), engine_max_batch(g), cms / 1000, cms > 0 ? 1000 * good / cms : 0.0);
    if (good < pl.n) printf("%d skipped (listed above on stderr)\n", pl.n - good);
    if (!good) err_set(&e, "%s: no image could be read", o->files[0]);
    rc = good ? EXIT_OK : EXIT_INPUT;
    if (rc == EXIT_OK) {
        r.csv = NULL;
        if (afile_commit(&r.out, &e) != 0) rc = EXIT_INPUT;
        else printf("wrote %s\n", o->out);
    }
done:
    engine_free(g);
    if (r.csv) afile_abort(&r.out); /* nothing half-written is left under the final name */
    if (have_labels) labels_free(&lb);
    cli_files_free(&pl);
    return cli_finish(rc, &e, NULL, NULL, &m);
}

const CliCommand cli_cmd_batch = {
    .name = "batch",
    .run = batch,
    .usage = "batch DIR|FILES... --out results.csv [--top K] [--batch B] [--engine naive|fast]",
    .help = "Usage: alexscope batch DIR|FILES... --out results.csv [options]\n\n"
            "The top-K classes of many images: a CSV with a header, then one row per image: file,\n"
            "then K groups of index, name, probability. A directory is read in sorted order; files\n"
            "whose names are not images are skipped with a note, unreadable images are listed on\n"
            "stderr and skipped. Prints the images per second at the end. Exit 0 if at least one\n"
            "image was classified, 1 if none.\n"
            "  --top K             how many classes per image (default 5)\n"
            "  --batch B           images per fast-engine pass (default 16; the naive loops take one)\n",
    .common_help = 1,
    .engines = 1,
};
