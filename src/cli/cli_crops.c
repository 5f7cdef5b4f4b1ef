/* cli_crops.c - `alexscope run IMAGE --crops 10`: the paper's test-time augmentation. The
   four corners and the centre of the 256-pixel image (alexnet: warped to 256×256;
   alexnet-tv: shorter side 256), and their left-right mirrors, go through the network; the
   ten softmax outputs are averaged (tool_crops, src/tools). With --engine fast the ten go
   through as one batch, with the naive loops one after the other. */
#include <stdio.h>
#include <stdlib.h>

#include "cli_crops.h"

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
    Engine *g = NULL;
    float *big = NULL;
    CropsResult r = {0};
    if (cli_open_model(o, &m, NULL, &e) != 0) return cli_fail_input(&e);
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
    if (!(g = cli_engine(o, &m, 10, 1, &e))) goto done;
    CliProgress bar;
    cli_progress_begin(&bar, "crops");
    ToolProgress pr = {cli_progress, &bar, NULL};
    int fail = tool_crops(g, big, bw, bh, &r, &pr, &e);
    cli_progress_clear(&bar);
    if (fail) {
        if (bw < in.w || bh < in.h)
            err_set(&e, "%s: %d×%d is smaller than the %d×%d crop", o->input_npy ? o->input_npy : o->files[0], bw,
                    bh, in.w, in.h);
        goto done;
    }
    Labels lb;
    Err le = {0};
    int have_labels = (r.count == 1000 || r.count == 10) && labels_load_for(r.count, &lb, &le) == 0;
    print_crops(o, &m, r.box, r.probs, r.mean, r.count, bw, bh, have_labels ? &lb : NULL);
    if ((r.count == 1000 || r.count == 10) && !have_labels) fprintf(stderr, "alexscope: warning: %s\n", le.msg);
    if (have_labels) labels_free(&lb);
    rc = EXIT_OK;
done:
    crops_result_free(&r);
    engine_free(g);
    free(big);
    return cli_finish(rc, &e, NULL, NULL, &m);
}
