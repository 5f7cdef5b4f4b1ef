/* cli_crops.c - `alexscope run IMAGE --crops 10`: the paper's test-time augmentation. The
   four corners and the centre of the 256-pixel image (alexnet: warped to 256×256;
   alexnet-tv: shorter side 256), and their left-right mirrors, go through the network; the
   ten softmax outputs are averaged. With --engine fast the ten go through as one batch
   (fast_run), with the naive loops one after the other. */
#include <stdio.h>
#include <stdlib.h>

#include "cli_crops.h"
#ifdef ALEXSCOPE_HAVE_FAST
#include "fast.h"
#endif

/* probs[i * classes ..] for the ten crops x (10, C, H, W), with the chosen engine. */
static int forward_ten(const CliOpts *o, const Model *m, Net *n, const float *x, long count, int classes, float *probs,
                       Err *e)
{
#ifdef ALEXSCOPE_HAVE_FAST
    if (o->engine == CLI_ENGINE_FAST) {
        cli_fast_threads(o);
        FastNet *f = fast_create(m->arch, &m->weights, 10, e);
        if (!f) return -1;
        int rc = fast_run(f, x, 10, n->nlayers, e);
        const float *p = rc == 0 ? fast_layer_output(f, n->nlayers - 1) : NULL;
        for (long i = 0; p && i < 10L * classes; i++) probs[i] = p[i];
        fast_free(f);
        return rc;
    }
#else
    (void)m;
#endif
    for (int i = 0; i < 10; i++) {
        net_set_input(n, x + i * count);
        if (cli_forward(o, n, n->nlayers, e) < 0) return -1;
        const float *p = net_output(n, NULL);
        for (int c = 0; c < classes; c++) probs[(long)i * classes + c] = p[c];
    }
    return 0;
}

static void print_crops(const CliOpts *o, const Model *m, const ModelCrop *crops, const float *probs,
                        const float *avg, int classes, int bw, int bh, const Labels *lb)
{
    Shape in = m->arch->input;
    int k = o->top < classes ? o->top : classes, idx[1000], best;
    topk(avg, classes, k, idx);
    char name[128];
    if (o->json) {
        cli_run_json_head(o, m);
        printf("\"crops_from\": [%d, %d], \"crop\": [%d, %d], \"crops\": [", bw, bh, in.w, in.h);
    } else {
        cli_run_text_head(o, m);
        printf("ten crops %d×%d of the %d×%d image, each crop's top-1:\n", in.w, in.h, bw, bh);
    }
    for (int i = 0; i < 10; i++) {
        const float *p = probs + (long)i * classes;
        topk(p, classes, 1, &best);
        const char *label = lb ? labels_name(lb, best, name, sizeof name) : "";
        if (o->json) {
            printf("%s{\"name\": \"%s\", \"x\": %d, \"y\": %d, \"mirror\": %s, \"index\": %d, ", i ? ", " : "",
                   crops[i].name, crops[i].x, crops[i].y, crops[i].mirror ? "true" : "false", best);
            cli_json_str("label", label, 1);
            printf("\"prob\": %.6g, \"avg_top1_prob\": %.6g}", p[best], p[idx[0]]);
        } else
            printf("  %-23s x %3d, y %3d   %6.2f%%  %4d  %s\n", crops[i].name, crops[i].x, crops[i].y,
                   100.0 * p[best], best, label);
    }
    if (o->json) {
        printf("], ");
        cli_run_json_top(avg, idx, k, lb);
        return;
    }
    printf("the softmax averaged over the ten:\n");
    cli_run_text_top(avg, idx, k, lb);
}

int cli_run_crops(const CliOpts *o)
{
    if (o->mirror || o->crop_seed >= 0)
        return cli_usage_error(o->cmd, "--crops 10 makes its own crops and mirrors: drop --mirror and --random-crop");
    Err e = {0};
    Model m;
    Net *n = NULL;
    float *big = NULL, *x = NULL, *probs = NULL;
    if (cli_open_model(o, &m, &n, &e) != 0) return cli_fail_input(&e);
    int rc = EXIT_USAGE;
    Shape in = m.arch->input;
    if (m.preproc.grey || m.preproc.resize <= in.w || m.preproc.resize <= in.h) {
        fprintf(stderr, "alexscope: --crops 10 crops a %d×%d input from a larger resized photo; %s's preset (%s) has "
                        "none: use --crops 1\n", in.w, in.h, m.arch->name, m.preproc.name);
        goto done;
    }
    rc = EXIT_INPUT;
    int bw = 0, bh = 0;
    if (model_full_input(&m, o->files[0], o->input_npy, &big, &bw, &bh, &e) != 0) goto done;
    ModelCrop crops[10];
    if (model_ten_crops(bw, bh, in.w, in.h, crops) != 0) {
        err_set(&e, "%s: %d×%d is smaller than the %d×%d crop", o->input_npy ? o->input_npy : o->files[0], bw, bh,
                in.w, in.h);
        goto done;
    }
    long count = shape_count(in);
    int classes = (int)shape_count(n->plan.layers[n->nlayers - 1].out);
    x = malloc(sizeof(float) * 10 * (size_t)count);
    probs = calloc((size_t)classes * 11, sizeof(float)); /* ten crops, then their average */
    if (!x || !probs || classes > 1000) {
        err_set(&e, "out of memory");
        goto done;
    }
    for (int i = 0; i < 10; i++) model_crop_tensor(big, in.c, bw, bh, &crops[i], in.w, in.h, x + i * count);
    if (forward_ten(o, &m, n, x, count, classes, probs, &e) != 0) goto done;
    float *avg = probs + 10L * classes;
    for (int c = 0; c < classes; c++) {
        double s = 0;
        for (int i = 0; i < 10; i++) s += probs[(long)i * classes + c];
        avg[c] = (float)(s / 10);
    }
    Labels lb;
    Err le = {0};
    int have_labels = classes == 1000 && labels_load(NULL, &lb, &le) == 0;
    print_crops(o, &m, crops, probs, avg, classes, bw, bh, have_labels ? &lb : NULL);
    if (classes == 1000 && !have_labels) fprintf(stderr, "alexscope: warning: %s\n", le.msg);
    if (have_labels) labels_free(&lb);
    rc = EXIT_OK;
done:
    free(big);
    free(probs);
    return cli_finish(rc, &e, x, n, &m);
}
