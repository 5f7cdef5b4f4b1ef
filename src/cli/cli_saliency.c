/* cli_saliency.c - `alexscope saliency IMAGE --out DIR`: the gradient of a class score (fc8,
   before the softmax) or of one unit's activation with respect to the input, with the
   ReLUs passing it back as --method says (gradient: Simonyan et al.'s saliency map;
   guided: Springenberg et al.'s guided backpropagation; deconv: Zeiler & Fergus's
   deconvnet). Writes DIR/saliency.npy (the input's shape, float32) and DIR/saliency.png
   (the input crop, and beside it max |gradient| over the channels divided by its maximum).
   The computation is tool_saliency's (src/tools/saliency.h), which the window shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_impl.h"
#include "labels.h"
#include "npy.h"
#include "saliency.h"
#include "util.h"
#include "viz.h"

#define GAP 8 /* pixels between the crop and the map */

/* What to follow, from --class, --layer and --unit: 0 or EXIT_USAGE. */
static int pick_target(const CliOpts *o, const Net *n, SalParams *sp)
{
    sp->layer = -1, sp->cls = o->klass;
    if (!o->layer && !o->unit) return 0;
    if (o->klass >= 0) return cli_usage_error(o->cmd, "give --class K or --layer L --unit C,Y,X, not both");
    if (!o->layer || !o->unit) return cli_usage_error(o->cmd, "--layer and --unit go together: --layer conv5 --unit 12,6,6");
    int lo, hi, rc = cli_pick_layers(o, n->arch, 0, &lo, &hi);
    if (rc) return rc;
    Shape s = n->plan.layers[lo].out;
    char tail;
    int got = sscanf(o->unit, "%d,%d,%d%c", &sp->c, &sp->y, &sp->x, &tail);
    if (got == 1 && s.h == 1 && s.w == 1) sp->y = sp->x = 0, got = 3; /* a vector: --unit C */
    if (got != 3) return cli_usage_error(o->cmd, "--unit is C,Y,X (channel, row, column), not '%s'", o->unit);
    if (sp->c < 0 || sp->c >= s.c || sp->y < 0 || sp->y >= s.h || sp->x < 0 || sp->x >= s.w)
        return cli_usage_error(o->cmd, "--unit %s: %s's output is %d channels × %d rows × %d columns (0-based)",
                               o->unit, o->layer, s.c, s.h, s.w);
    sp->layer = lo;
    return 0;
}

/* The crop, then GAP pixels of black, then the map (grey: white = the largest |gradient|). */
static int write_png(const SalResult *r, const Image *crop, const char *path, Err *e)
{
    Image im;
    int h = r->in.h, w = r->in.w;
    if (img_alloc(&im, 2 * w + GAP, h, e) != 0) return -1;
    memset(im.px, 0, (size_t)im.w * (size_t)im.h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            unsigned char *dst = im.px + 3 * ((size_t)y * (size_t)im.w + (size_t)x);
            memcpy(dst, crop->px + 3 * ((size_t)y * (size_t)w + (size_t)x), 3);
            viz_colormap_rgb(CMAP_GREY, viz_unit(r->map[(long)y * w + x], 0.0f, r->max), dst + 3 * (w + GAP));
        }
    int rc = img_write_png(path, &im, e);
    img_free(&im);
    return rc;
}

static void print_result(const CliOpts *o, const Model *m, const Net *n, const SalResult *r, ReluMode method)
{
    const PlanLayer *l = &n->plan.layers[r->layer];
    if (r->cls >= 0) {
        Labels lb;
        Err le = {0};
        char name[128] = "", tmp[32];
        if (labels_load_for(l->out.c, &lb, &le) == 0) {
            snprintf(name, sizeof name, "%s", labels_name(&lb, r->cls, tmp, sizeof tmp));
            labels_free(&lb);
        }
        printf("class: %d%s%s (%s score %.6g, before the softmax)\n", r->cls, *name ? " " : "", name, l->spec->name, r->score);
    } else {
        printf("unit: %s channel %d, row %d, column %d (activation %.6g)\n", l->spec->name, r->c, r->y, r->x, r->score);
    }
    printf("method: %s\n", saliency_about(method));
    printf("max |gradient|: %.6g (the map's white)\n", r->max);
    if (!m->weights.trained)
        printf("note: the built-in weights are untrained past conv1: this map shows what an untrained network attends to\n");
    printf("forward %.0f ms, backward %.0f ms\nwrote %s/saliency.npy and %s/saliency.png\n", r->ms_forward,
           r->ms_backward, o->out, o->out);
}

static int saliency(const CliOpts *o)
{
    int rc = cli_need_image(o, 1);
    if (rc) return rc;
    if (!o->out) return cli_usage_error(o->cmd, "missing --out DIR");
    int method = o->method ? relu_mode_find(o->method) : RELU_GRADIENT;
    if (method < 0) return cli_usage_error(o->cmd, "--method is gradient, guided or deconv, not '%s'", o->method);
    Err e = {0};
    Model m;
    Net *n = NULL;
    float *x = NULL;
    Image crop = {0};
    SalResult r = {0};
    SalParams sp = {.method = (ReluMode)method};
    if (cli_open_model(o, &m, &n, &e) != 0) return cli_fail_input(&e);
    if ((rc = pick_target(o, n, &sp)) != 0) goto done;
    int top = sp.layer >= 0 ? sp.layer : saliency_score_layer(m.arch);
    rc = EXIT_USAGE;
    if (top >= 0 && sp.layer < 0 && o->klass >= n->plan.layers[top].out.c) {
        cli_usage_error(o->cmd, "--class is 0 to %d (%s has %d classes), not %d", n->plan.layers[top].out.c - 1,
                        m.arch->name, n->plan.layers[top].out.c, o->klass);
        goto done;
    }
    rc = EXIT_INPUT;
    if (cli_load_input(o, &m, o->files[0], &x, &e) != 0) goto done;
    Shape s = m.arch->input;
    if (tool_tensor_rgb(&m.preproc, x, s, 0, 0, s.h, s.w, &crop, &e) != 0) goto done;
    net_set_input(n, x);
    double t0 = now_ms();
    if (top >= 0 && cli_forward(o, n, top + 1, &e) < 0) goto done; /* --engine fast: the forward only */
    double ms = now_ms() - t0;
    if (tool_saliency(n, &sp, &r, &e) != 0) goto done;
    r.ms_forward += ms;
    char path[4096];
    if (mkdir_p(o->out, &e) != 0) goto done;
    snprintf(path, sizeof path, "%s/saliency.npy", o->out);
    int64_t shape[3] = {s.c, s.h, s.w};
    if (npy_write(path, r.grad, shape, 3, &e) != 0) goto done;
    snprintf(path, sizeof path, "%s/saliency.png", o->out);
    if (write_png(&r, &crop, path, &e) != 0) goto done;
    print_result(o, &m, n, &r, sp.method);
    rc = EXIT_OK;
done:
    sal_result_free(&r);
    img_free(&crop);
    return cli_finish(rc, &e, x, n, &m);
}

const CliCommand cli_cmd_saliency = {
    .name = "saliency",
    .run = saliency,
    .usage = "saliency IMAGE|--input-npy F --out DIR [--class K | --layer L --unit C,Y,X] [--method gradient|guided|deconv]",
    .help = "Usage: alexscope saliency (IMAGE | --input-npy F) --out DIR [options]\n\n"
            "Which input pixels a score is most sensitive to: the gradient of a class score (the\n"
            "last fully connected layer, fc8, before the softmax) or of one unit's activation with\n"
            "respect to the input, by one backward pass. Writes DIR/saliency.npy (the input's shape,\n"
            "float32: d score / d input) and DIR/saliency.png (the input crop, and beside it the\n"
            "largest |gradient| over the channels at each pixel, divided by its maximum: white is\n"
            "the most sensitive). Prints the class or unit, the method and the map's maximum.\n"
            "  --class K           the class whose score is followed (default: the top-1)\n"
            "  --layer L --unit C,Y,X  instead, one unit: channel C, row Y, column X of layer L's\n"
            "                      output (--unit C for a vector layer such as fc7)\n"
            "  --method M          how a ReLU passes the gradient back: gradient (default: the true\n"
            "                      gradient, Simonyan et al. 2014), guided (only positive gradients,\n"
            "                      where the input was positive: Springenberg et al. 2015) or deconv\n"
            "                      (positive gradients whatever the input: Zeiler & Fergus 2014)\n",
    .common_help = 1,
    .engines = 1,
};
