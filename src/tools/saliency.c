/* saliency.c - the gradient of one score with respect to the input (saliency.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "saliency.h"
#include "util.h"

int saliency_score_layer(const ArchSpec *a)
{
    for (int i = a->nlayers - 1; i >= 0; i--)
        if (a->layers[i].kind == LK_FC) return i;
    return -1;
}

/* Which unit of layer r->layer's output (shape s) to follow: fills r's cls, c, y, x. */
static int pick_unit(const SalParams *p, const float *out, Shape s, SalResult *r, Err *e, const char *name)
{
    if (p->layer < 0) {
        int k = p->cls;
        if (k < 0)
            for (int i = k = 0; i < s.c; i++) if (out[i] > out[k]) k = i;
        if (k >= s.c) return err_set(e, "class %d: %s has classes 0..%d", k, name, s.c - 1);
        r->cls = k, r->c = k, r->y = r->x = 0;
        return 0;
    }
    if (p->c < 0 || p->c >= s.c || p->y < 0 || p->y >= s.h || p->x < 0 || p->x >= s.w)
        return err_set(e, "unit (%d, %d, %d): %s's output has channels 0..%d, rows 0..%d, columns 0..%d",
                       p->c, p->y, p->x, name, s.c - 1, s.h - 1, s.w - 1);
    r->cls = -1, r->c = p->c, r->y = p->y, r->x = p->x;
    return 0;
}

int tool_saliency(Net *n, const SalParams *p, SalResult *r, Err *e)
{
    memset(r, 0, sizeof *r);
    int layer = p->layer < 0 ? saliency_score_layer(n->arch) : p->layer;
    if (layer < 0) return err_set(e, "%s has no fully connected layer: no class scores to follow", n->arch->name);
    if (layer >= n->nlayers)
        return err_set(e, "layer %d: %s has layers 0..%d", layer, n->arch->name, n->nlayers - 1);
    const PlanLayer *pl = &n->plan.layers[layer];
    double t0 = now_ms();
    if (net_run_to(n, layer + 1, e) < 0) return -1;
    double t1 = now_ms();
    const float *out = n->run[layer].out_data;
    if (pick_unit(p, out, pl->out, r, e, pl->spec->name) != 0) return -1;
    long unit = ((long)r->c * pl->out.h + r->y) * pl->out.w + r->x;
    Shape in = n->arch->input;
    long count = shape_count(in), plane = (long)in.h * in.w;
    float *dtop = calloc((size_t)shape_count(pl->out), sizeof(float));
    r->grad = malloc(sizeof(float) * (size_t)count);
    r->map = malloc(sizeof(float) * (size_t)plane);
    if (!dtop || !r->grad || !r->map) {
        free(dtop);
        sal_result_free(r);
        return err_set(e, "out of memory for the saliency map");
    }
    dtop[unit] = 1.0f; /* d score / d score */
    int rc = net_backward(n, layer, dtop, p->method, NULL, r->grad, e);
    free(dtop);
    if (rc != 0) {
        sal_result_free(r);
        return -1;
    }
    r->in = in, r->layer = layer, r->score = out[unit];
    for (long q = 0; q < plane; q++) {
        float m = 0.0f;
        for (int c = 0; c < in.c; c++) m = fmaxf(m, fabsf(r->grad[c * plane + q]));
        r->map[q] = m;
        if (m > r->max) r->max = m;
    }
    r->ms_forward = t1 - t0, r->ms_backward = now_ms() - t1;
    return 0;
}

void sal_result_free(SalResult *r)
{
    free(r->grad);
    free(r->map);
    r->grad = r->map = NULL;
}

const char *saliency_about(ReluMode m)
{
    static const char *const about[RELU_MODE_COUNT] = {
        "gradient (Simonyan et al. 2014): the true gradient; a ReLU passes it back where its input was positive.",
        "guided (Springenberg et al. 2015): a ReLU passes only positive gradients, only where its input was positive.",
        "deconv (Zeiler & Fergus 2014): a ReLU passes positive gradients, whatever its input was.",
    };
    return m >= 0 && m < RELU_MODE_COUNT ? about[m] : "";
}
