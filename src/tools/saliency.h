/* saliency.h - gradient images: which input pixels a score is most sensitive to (issue 10).
   The gradient of one class score (before the softmax) or one unit's activation with
   respect to the input, through net_backward (src/nn/backward.h), with the ReLUs passing
   the gradient as the method says:
     RELU_GRADIENT  the true gradient: Simonyan, Vedaldi & Zisserman 2014's saliency map
     RELU_GUIDED    guided backpropagation (Springenberg et al. 2015)
     RELU_DECONV    Zeiler & Fergus 2014's deconvnet
   Shared by `alexscope saliency` (src/cli/cli_saliency.c) and the window.

       Net *n = net_create(arch, &weights, &err);  net_set_input(n, x);
       SalParams sp = {.method = RELU_GUIDED, .layer = -1, .cls = -1};   // top-1 class
       SalResult r;
       if (tool_saliency(n, &sp, &r, &err) != 0) ...
       ... r.grad (C, H, W), r.map (H, W) = max over channels of |grad|, r.max ...
       sal_result_free(&r);

   The Net keeps what the forward pass computed (layers already done are not run again);
   dropout acts as n->train_dropout says (0, the identity, for a saliency map).
   Ownership: the result owns grad and map (sal_result_free). Failure: -1 and an Err (a
   class, layer or unit out of range, no input, out of memory). */
#ifndef ALEXSCOPE_SALIENCY_H
#define ALEXSCOPE_SALIENCY_H

#include "backward.h"
#include "net.h"

typedef struct {
    ReluMode method;
    int layer;          /* -1: a class score (the last fc layer); else the layer of the unit */
    int cls;            /* class mode: the class, -1 for the top-1 score */
    int c, y, x;        /* unit mode: the unit in the layer's output (0, 0 for a vector) */
} SalParams;

typedef struct {
    Shape in;           /* the network input's shape */
    float *grad;        /* (in.c, in.h, in.w): d score / d input */
    float *map;         /* (in.h, in.w): max over channels of |grad| (not normalised) */
    float max;          /* the map's largest value (0: the score does not depend on the input) */
    int layer;          /* the layer followed (the last fc in class mode) */
    int cls;            /* the class followed; -1 in unit mode */
    int c, y, x;        /* the unit followed (class mode: cls, 0, 0) */
    float score;        /* its value in the forward pass */
    double ms_forward, ms_backward;
} SalResult;

/* The layer whose outputs are the class scores: the last fc layer (fc8, before the softmax). -1
   if the arch has none. */
int saliency_score_layer(const ArchSpec *a);

int tool_saliency(Net *n, const SalParams *p, SalResult *r, Err *e);
/* The method in one line, who proposed it and how a ReLU passes the gradient back:
   "guided (Springenberg et al. 2015): a ReLU passes only positive gradients, ..." (the CLI and
   the window print the same). */
const char *saliency_about(ReluMode m);
void sal_result_free(SalResult *r);

#endif
