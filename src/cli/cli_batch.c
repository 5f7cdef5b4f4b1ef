/* cli_batch.c - `alexscope batch DIR|FILES... --out results.csv`: the top-K classes of many
   images, one CSV row each, and the images per second. With the fast engine the images go
   through in batches of B (fast_run); with the naive loops one by one. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_impl.h"
#include "labels.h"
#include "util.h"
#ifdef ALEXSCOPE_HAVE_FAST
#include "fast.h"
#endif

typedef struct {
    char **v;
    int n, cap;
} PathList;

static int paths_add(PathList *pl, const char *dir, const char *name)
{
    if (pl->n == pl->cap) {
        int cap = pl->cap ? pl->cap * 2 : 64;
        char **v = realloc(pl->v, sizeof *v * (size_t)cap);
        if (!v) return -1;
        pl->v = v, pl->cap = cap;
    }
    size_t len = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;
    if (!(pl->v[pl->n] = malloc(len))) return -1;
    snprintf(pl->v[pl->n++], len, "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
    return 0;
}

static void paths_free(PathList *pl)
{
    for (int i = 0; i < pl->n; i++) free(pl->v[i]);
    free(pl->v);
}

/* By extension, case-insensitive: what stb_image decodes. */
static int is_image_name(const char *name)
{
    static const char *const exts[] = {"png", "jpg", "jpeg", "bmp", "gif", "tga", "ppm", "pgm", "pnm", "psd", "hdr", "pic", NULL};
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    for (int i = 0; exts[i]; i++) {
        const char *a = dot + 1, *b = exts[i];
        while (*a && *b && tolower((unsigned char)*a) == *b) a++, b++;
        if (!*a && !*b) return 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A directory's image files, sorted by name; other entries are noted on stderr. */
static int add_dir(PathList *pl, const char *dir, Err *e)
{
    DIR *d = opendir(dir);
    if (!d) return err_set(e, "%s: cannot read the directory", dir);
    PathList names = {0};
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d));) {
        if (de->d_name[0] == '.') continue;
        if (is_image_name(de->d_name)) rc = paths_add(&names, NULL, de->d_name);
        else fprintf(stderr, "alexscope: note: %s/%s: not an image name, skipped\n", dir, de->d_name);
    }
    closedir(d);
    if (names.n) qsort(names.v, (size_t)names.n, sizeof *names.v, cmp_str);
    for (int i = 0; rc == 0 && i < names.n; i++) rc = paths_add(pl, dir, names.v[i]);
    paths_free(&names);
    return rc ? err_set(e, "out of memory") : 0;
}

static int collect(const CliOpts *o, PathList *pl, Err *e)
{
    for (int i = 0; i < o->nfiles; i++) {
        struct stat st;
        if (stat(o->files[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            if (add_dir(pl, o->files[i], e) != 0) return -1;
        } else if (paths_add(pl, NULL, o->files[i]) != 0)
            return err_set(e, "out of memory");
    }
    return 0;
}

/* A CSV field, quoted when it holds a comma, quote or newline. */
static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

typedef struct {
    const CliOpts *o;
    FILE *csv;
    const Labels *lb;
    int k, count; /* top-K, classes */
} Rows;

static void write_row(const Rows *r, const char *file, const float *p)
{
    int idx[1000];
    char name[128];
    topk(p, r->count, r->k, idx);
    csv_field(r->csv, file);
    for (int j = 0; j < r->k; j++) {
        fprintf(r->csv, ",%d,", idx[j]);
        csv_field(r->csv, r->lb ? labels_name(r->lb, idx[j], name, sizeof name) : "");
        fprintf(r->csv, ",%.6g", p[idx[j]]);
    }
    fputc('\n', r->csv);
}

/* The images in x[0..b) through the chosen engine, one row each. */
static int compute(const Rows *r, Net *n, void *fast, const float *x, int b, char **names, Err *e)
{
    size_t in = (size_t)n->arch->input.c * n->arch->input.h * n->arch->input.w;
#ifdef ALEXSCOPE_HAVE_FAST
    if (fast) {
        if (fast_run(fast, x, b, n->nlayers, e) != 0) return -1;
        const float *p = fast_layer_output(fast, n->nlayers - 1);
        for (int i = 0; i < b; i++) write_row(r, names[i], p + (size_t)i * (size_t)r->count);
        return 0;
    }
#endif
    (void)fast;
    for (int i = 0; i < b; i++) {
        net_set_input(n, x + in * (size_t)i);
        if (net_forward(n, e) < 0) return -1;
        int count = 0;
        write_row(r, names[i], net_output(n, &count));
    }
    return 0;
}

/* Reads every file into batches of B and computes them; returns the number of good images
   (skipped ones are listed on stderr), or -1. *compute_ms: the time in the forward passes. */
static int run_all(const Rows *r, const Model *m, Net *n, const PathList *pl, int B, void *fast, double *compute_ms, Err *e)
{
    size_t in = (size_t)model_input_count(m);
    float *x = malloc(sizeof(float) * in * (size_t)B);
    char **names = malloc(sizeof *names * (size_t)B);
    int good = 0, b = 0, tty = isatty(2);
    if (!x || !names) good = err_set(e, "out of memory");
    for (int i = 0; good >= 0 && i <= pl->n; i++) {
        if (b == B || (i == pl->n && b > 0)) {
            double t0 = now_ms();
            if (compute(r, n, fast, x, b, names, e) != 0) good = -1;
            else good += b, b = 0;
            *compute_ms += now_ms() - t0;
        }
        if (i == pl->n || good < 0) break;
        Err le = {0};
        if (model_image_input(m, pl->v[i], r->o->mirror, r->o->crop_seed, x + in * (size_t)b, NULL, &le) != 0)
            fprintf(stderr, "%salexscope: skipped %s\n", tty ? "\r" : "", le.msg);
        else names[b++] = pl->v[i];
        if (tty) fprintf(stderr, "\r%d/%d", i + 1, pl->n);
    }
    if (tty) fprintf(stderr, "\r");
    free(x);
    free(names);
    return good;
}

static int open_csv(const CliOpts *o, Rows *r, int k, Err *e)
{
    if (!(r->csv = fopen(o->out, "w"))) return err_set(e, "%s: cannot create the file", o->out);
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
    Net *n = NULL;
    PathList pl = {0};
    Labels lb;
    Rows r = {.o = o};
    void *fast = NULL;
    int have_labels = 0, rc = EXIT_INPUT, B = 1;
    if (cli_open_model(o, &m, &n, &e) != 0) return cli_fail_input(&e);
    const PlanLayer *last = &n->plan.layers[n->nlayers - 1];
    r.count = last->out.c * last->out.h * last->out.w;
    r.k = o->top < r.count ? o->top : r.count;
    if (collect(o, &pl, &e) != 0 || open_csv(o, &r, r.k, &e) != 0) goto done;
    if (!pl.n) { err_set(&e, "%s: no image files", o->files[0]); goto done; }
    Err le = {0};
    if (r.count == 1000 && (have_labels = labels_load(NULL, &lb, &le) == 0)) r.lb = &lb;
    if (r.count == 1000 && !have_labels) fprintf(stderr, "alexscope: warning: %s\n", le.msg);
#ifdef ALEXSCOPE_HAVE_FAST
    if (o->engine == CLI_ENGINE_FAST) {
        B = o->batch ? o->batch : 16;
        cli_fast_threads(o);
        if (!(fast = fast_create(m.arch, &m.weights, B, &e))) goto done;
    }
#endif
    double t0 = now_ms(), cms = 0;
    int good = run_all(&r, &m, n, &pl, B, fast, &cms, &e);
    double s = (now_ms() - t0) / 1000.0;
    if (good < 0) goto done;
    printf("%d of %d images in %.2f s: %.1f images/s (%s engine, batch %d; reading and resizing included;\n"
           "the forward passes alone: %.2f s, %.1f images/s)\n",
           good, pl.n, s, s > 0 ? good / s : 0.0, fast ? "fast" : "naive", B, cms / 1000, cms > 0 ? 1000 * good / cms : 0.0);
    if (good < pl.n) printf("%d skipped (listed above on stderr)\n", pl.n - good);
    printf("wrote %s\n", o->out);
    if (!good) err_set(&e, "%s: no image could be read", o->files[0]);
    rc = good ? EXIT_OK : EXIT_INPUT;
done:
#ifdef ALEXSCOPE_HAVE_FAST
    fast_free(fast);
#endif
    if (r.csv && fclose(r.csv) != 0 && rc == EXIT_OK) rc = EXIT_INPUT, err_set(&e, "%s: write failed", o->out);
    if (have_labels) labels_free(&lb);
    paths_free(&pl);
    return cli_finish(rc, &e, NULL, n, &m);
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
