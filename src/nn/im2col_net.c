/* im2col_net.c - a conv layer of a run, computed again through the patch matrix (im2col_net.h). */
#include <math.h>
#include <stdlib.h>

#include "im2col_net.h"
#include "kernels.h"

int im2col_unit(const PlanLayer *r, const LayerWeights *lw, const float *in, int o, int y, int x, Im2colUnit *u,
                Err *e)
{
    const LayerSpec *l = r->spec;
    PlanIm2col z;
    if (plan_im2col(r, &z) != 0) return err_set(e, "im2col: %s is not a convolution", l->name);
    if (!in || !lw || !lw->w) return err_set(e, "im2col: %s has no input or no weights", l->name);
    if (o < 0 || o >= r->out.c || y < 0 || y >= r->out.h || x < 0 || x >= r->out.w)
        return err_set(e, "im2col: %s has no unit %d (%d, %d)", l->name, o, y, x);
    float *col = malloc(sizeof(float) * (size_t)z.rows);
    if (!col) return err_set(e, "im2col: out of memory");
    u->o = o, u->y = y, u->x = x, u->group = o / z.wrows, u->column = (long)y * r->out.w + x;
    int cin_g = r->in.c / l->groups;
    Shape gs = {cin_g, r->in.h, r->in.w};
    im2col_column(col, 1, in + (long)u->group * cin_g * r->in.h * r->in.w, gs, l->k, l->stride, l->pad, r->out.w,
                  u->column);
    float dot;
    matmul(&dot, lw->w + (long)o * z.rows, col, 1, z.rows, 1);   /* (1, rows) × (rows, 1) */
    u->bias = lw->b ? lw->b[o] : 0.0f;
    u->product = dot + u->bias;
    u->naive = conv2d_unit(in, lw->w, lw->b, r->in, r->out.c, l->k, l->stride, l->pad, l->groups, o, y, x);
    free(col);
    return 0;
}

int im2col_net_maxdiff(const Net *n, int i, float *maxdiff, Err *e)
{
    if (!n || i < 0 || i >= n->nlayers || n->plan.layers[i].spec->kind != LK_CONV)
        return err_set(e, "im2col: layer %d is not a convolution", i);
    if (!n->weights || !n->weights->l) return err_set(e, "im2col: no weights loaded");
    if (i == 0 ? !n->has_input : !n->run[i - 1].computed)
        return err_set(e, "im2col: %s's input is not computed yet", n->plan.layers[i].spec->name);
    const PlanLayer *r = &n->plan.layers[i];
    const float *in = net_layer_input(n, i);
    const LayerSpec *l = r->spec;
    const LayerWeights *lw = &n->weights->l[i];
    PlanIm2col z;
    plan_im2col(r, &z);
    long count = shape_count(r->out);
    float *cols = malloc(sizeof(float) * (size_t)z.rows * (size_t)z.cols);
    float *mm = malloc(sizeof(float) * (size_t)count), *naive = malloc(sizeof(float) * (size_t)count);
    int rc = 0;
    if (!cols || !mm || !naive) rc = err_set(e, "im2col: out of memory for %s's patch matrix", l->name);
    else {
        conv2d(naive, in, lw->w, lw->b, r->in, r->out, l->k, l->stride, l->pad, l->groups);
        conv2d_im2col(mm, in, lw->w, lw->b, r->in, r->out, l->k, l->stride, l->pad, l->groups, cols);
        float d = 0.0f;
        for (long k = 0; k < count; k++) d = fmaxf(d, fabsf(mm[k] - naive[k]));
        *maxdiff = d;
    }
    free(cols), free(mm), free(naive);
    return rc;
}
