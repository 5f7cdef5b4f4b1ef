/* net_backward.c - the backward pass through a computed Net (backward.h): from a layer's
   output gradient down to the input, one *_backward per layer, through the activations the
   forward pass kept. */
#include <stdlib.h>
#include <string.h>

#include "backward.h"
#include "kernels.h"

/* Layer i's dx from dy. dx may be NULL (layer 0 when no input gradient is wanted): only the
   weight gradients are computed then. mask: scratch of the layer's size. */
static void layer_backward(const Net *n, int i, float *dx, const float *dy, ReluMode mode,
                           Grads *g, unsigned char *mask)
{
    const PlanLayer *r = &n->plan.layers[i];
    const LayerSpec *l = r->spec;
    const float *in = net_layer_input(n, i), *out = n->run[i].out_data;
    const LayerWeights *lw = &n->weights->l[i];
    float *dw = g ? g->l[i].w : NULL, *db = g ? g->l[i].b : NULL;
    long count = shape_count(r->out);
    if (!dx && !arch_has_weights(l->kind)) return;
    switch (l->kind) {
    case LK_CONV:
        conv2d_backward(dx, dw, db, dy, in, lw->w, r->in, r->out, l->k, l->stride, l->pad, l->groups);
        break;
    case LK_RELU: relu_backward(dx, dy, in, count, mode); break;
    case LK_TANH: tanh_backward(dx, dy, out, count); break;
    case LK_LRN: lrn_backward(dx, dy, in, r->in, l->lrn_n, l->lrn_alpha, l->lrn_beta, l->lrn_k); break;
    case LK_MAXPOOL: maxpool_backward(dx, dy, in, r->in, r->out, l->k, l->stride, l->pad); break;
    case LK_AVGPOOL: avgpool_backward(dx, dy, r->in, r->out, l->k, l->stride, l->pad); break;
    case LK_FC: fc_backward(dx, dw, db, dy, in, lw->w, (int)shape_count(r->in), r->out.c); break;
    case LK_DROPOUT:
        if (n->train_dropout) /* the forward's mask, drawn again from the same seed (dx: scratch) */
            dropout(dx, in, count, l->drop_ratio, mask, n->dropout_seed + (uint64_t)i);
        dropout_backward(dx, dy, count, l->drop_ratio, n->train_dropout ? mask : NULL);
        break;
    case LK_SOFTMAX: softmax_backward(dx, dy, out, (int)count); break;
    case LK_COUNT: break;
    }
}

int net_backward_to(Net *n, int top, const float *dtop, int bottom, ReluMode mode, Grads *g, float *dbottom, Err *e)
{
    if (top < 0 || top >= n->nlayers)
        return err_set(e, "%s has layers 0..%d, not %d", n->arch->name, n->nlayers - 1, top);
    if (bottom < -1 || bottom >= top)
        return err_set(e, "%s: the gradient goes down from layer %d, not to layer %d", n->arch->name, top, bottom);
    if (!n->weights) return err_set(e, "no weights have been loaded");
    if (n->done <= top)
        return err_set(e, "%s has not been computed: run the forward pass first", n->plan.layers[top].spec->name);
    if (mode < 0 || mode >= RELU_MODE_COUNT) return err_set(e, "unknown ReLU mode %d", (int)mode);
    if (g && net_check_weights(&n->plan, g, e) != 0) return -1;
    float *buf[2] = {malloc(sizeof(float) * (size_t)n->plan.max_act),
                     malloc(sizeof(float) * (size_t)n->plan.max_act)};
    unsigned char *mask = malloc((size_t)n->plan.max_act);
    if (!buf[0] || !buf[1] || !mask) {
        free(buf[0]), free(buf[1]), free(mask);
        return err_set(e, "out of memory for %s's gradients", n->arch->name);
    }
    memcpy(buf[0], dtop, sizeof(float) * (size_t)shape_count(n->plan.layers[top].out));
    int cur = 0;
    for (int i = top; i > bottom; i--, cur ^= 1)
        layer_backward(n, i, i == bottom + 1 ? dbottom : buf[cur ^ 1], buf[cur], mode, g, mask);
    free(buf[0]), free(buf[1]), free(mask);
    return 0;
}

int net_backward(Net *n, int top, const float *dtop, ReluMode mode, Grads *g, float *dinput, Err *e)
{
    return net_backward_to(n, top, dtop, -1, mode, g, dinput, e);
}

int net_backward_loss(Net *n, int label, Grads *g, float *loss, Err *e)
{
    int last = n->nlayers - 1;
    const PlanLayer *r = &n->plan.layers[last];
    int classes = (int)shape_count(r->out);
    if (r->spec->kind != LK_SOFTMAX || last < 1)
        return err_set(e, "%s does not end in a softmax: no cross-entropy loss", n->arch->name);
    if (label < 0 || label >= classes)
        return err_set(e, "label %d is not a class of %s (0..%d)", label, n->arch->name, classes - 1);
    if (!g) return err_set(e, "no gradients to accumulate into");
    if (n->done <= last) return err_set(e, "%s has not been computed: run the forward pass first", r->spec->name);
    float *dlogits = malloc(sizeof(float) * (size_t)classes);
    if (!dlogits) return err_set(e, "out of memory");
    float l = softmax_ce_backward(dlogits, n->run[last].out_data, classes, label);
    int rc = net_backward(n, last - 1, dlogits, RELU_GRADIENT, g, NULL, e);
    free(dlogits);
    if (loss) *loss = l;
    return rc;
}
