/* im2col_net.h - one image's conv layer computed again as Caffe computes it (im2col, then a
   matrix product per group; nn/kernels/im2col.c), next to the naive loops' numbers: for one
   output unit, and the largest difference over a whole layer. For the im2col lesson and the
   window's im2col view; the sizes themselves are plan_im2col's (plan.h).

       Im2colUnit u;                           // conv1, filter 5, unit (27, 27):
       if (im2col_unit(&net->plan.layers[0], &w.l[0], net_layer_input(net, 0), 5, 27, 27, &u, &err) == 0)
           printf("%g = %g\n", u.product, u.naive);                 // W row 5 · column 1512 + b
       float d;
       im2col_net_maxdiff(net, 0, &d, &err);                         // over all 290,400 outputs

   im2col_unit reads the input it is given (the window passes what its worker has published);
   im2col_net_maxdiff needs the layer's input computed (layer i − 1 run, or the input set).
   Ownership: nothing is kept; scratch is allocated and freed inside. Failure: -1 and an Err
   (not a conv layer, nothing computed yet, out of memory). */
#ifndef ALEXSCOPE_IM2COL_NET_H
#define ALEXSCOPE_IM2COL_NET_H

#include "net.h"

typedef struct {
    int o, y, x;      /* output channel and position */
    int group;        /* the group o belongs to */
    long column;      /* y·wo + x: the patch matrix's column */
    float product;    /* row o of the weight matrix · that column + b[o] */
    float naive;      /* conv2d_unit: the textbook seven loops */
    float bias;       /* b[o] */
} Im2colUnit;

/* One unit of conv layer r both ways; in (r->in) is the layer's input, lw its weights. */
int im2col_unit(const PlanLayer *r, const LayerWeights *lw, const float *in, int o, int y, int x, Im2colUnit *u,
                Err *e);
/* max |im2col·W + b − conv2d| over every output of conv layer i. */
int im2col_net_maxdiff(const Net *n, int i, float *maxdiff, Err *e);

#endif
