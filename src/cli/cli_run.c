/* cli_run.c - `alexscope run IMAGE`: the top-K classes with probabilities (with --crops 10:
   cli_crops.c). */
#include <stdio.h>

#include "cli_crops.h"

void cli_run_json_head(const CliOpts *o, const Model *m)
{
    const char *src = o->input_npy ? o->input_npy : o->files[0];
    printf("{\"image\": \"%s\", \"arch\": \"%s\", \"weights\": \"%s\", \"trained\": %s, ", src, m->arch->name,
           m->weights.source, m->weights.trained ? "true" : "false");
}

void cli_run_json_top(const float *p, const int *idx, int k, const Labels *lb)
{
    char name[128];
    printf("\"top\": [");
    for (int i = 0; i < k; i++) {
        printf("%s{\"index\": %d, ", i ? ", " : "", idx[i]);
        cli_json_str("label", lb ? labels_name(lb, idx[i], name, sizeof name) : "", 1);
        printf("\"prob\": %.6g}", p[idx[i]]);
    }
    printf("]}\n");
}

void cli_run_text_head(const CliOpts *o, const Model *m)
{
    const char *src = o->input_npy ? o->input_npy : o->files[0];
    printf("%s through %s, weights: %s\n", src, m->arch->name, m->weights.source);
    if (!m->weights.trained)
        printf("(untrained weights: these classes are what random numbers say, not what the network learned;\n"
               " load real weights with --weights, see docs/weights.md)\n");
}

void cli_run_text_top(const float *p, const int *idx, int k, const Labels *lb)
{
    char name[128];
    for (int i = 0; i < k; i++) {
        const char *label = lb ? labels_name(lb, idx[i], name, sizeof name) : "";
        printf("%2d. %6.2f%%  %4d  %s\n", i + 1, 100.0 * p[idx[i]], idx[i], label);
    }
}

static void print_top(const CliOpts *o, const Model *m, const float *p, const int *idx, int k, const Labels *lb)
{
    if (o->json) {
        cli_run_json_head(o, m);
        cli_run_json_top(p, idx, k, lb);
        return;
    }
    cli_run_text_head(o, m);
    cli_run_text_top(p, idx, k, lb);
}

static int run(const CliOpts *o)
{
    int rc = cli_need_image(o, 1);
    if (rc) return rc;
    if (o->crops == 10) return cli_run_crops(o);
    Err e = {0};
    Model m;
    Net *n = NULL;
    float *x = NULL;
    if (cli_open_model(o, &m, &n, &e) != 0) return cli_fail_input(&e);
    rc = EXIT_INPUT;
    if (cli_load_input(o, &m, o->files[0], &x, &e) != 0) goto done;
    net_set_input(n, x);
    if (cli_forward(o, n, n->nlayers, &e) < 0) goto done;

    int count = 0;
    const float *p = net_output(n, &count);
    int k = o->top < count ? o->top : count;
    int idx[1000];
    topk(p, count, k, idx);
    Labels lb;
    Err le = {0};
    int have_labels = (count == 1000 || count == 10) && labels_load_for(count, &lb, &le) == 0;
    print_top(o, &m, p, idx, k, have_labels ? &lb : NULL);
    if ((count == 1000 || count == 10) && !have_labels) fprintf(stderr, "alexscope: warning: %s\n", le.msg);
    if (have_labels) labels_free(&lb);
    rc = EXIT_OK;
done:
    return cli_finish(rc, &e, x, n, &m);
}

const CliCommand cli_cmd_run = {
    .name = "run",
    .run = run,
    .usage = "run IMAGE [--weights F] [--arch A] [--top K] [--mirror] [--crops 1|10] [--json] [--engine naive|fast]",
    .help = "Usage: alexscope run IMAGE [options]\n\nTop-K classes with probabilities.\n"
            "  --top K             how many classes (default 5)\n  --json              machine-readable output\n"
            "  --crops 1|10        1: the centre crop (default); 10: the paper's test-time augmentation -\n"
            "                      the four corners and the centre of the 256-pixel image and their\n"
            "                      mirrors, each crop's top-1, then the top-K of the averaged softmax\n"
            "                      (--input-npy: a C×256×256 tensor, cropped the same way; not lenet5)\n",
    .common_help = 1,
    .engines = 1,
};
