/* train_eval.c - accuracy and the confusion matrix of a network over a data set's images. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train.h"

/* One image: its class counted in ev. */
static int eval_one(Net *n, const IdxSet *s, const float lut[256], int i, float *x, TrainEval *ev, Err *e)
{
    train_data_image(s, i, lut, 0, x);
    net_set_input(n, x);
    if (net_forward(n, e) < 0) return -1;
    int count;
    const float *p = net_output(n, &count);
    int best = 0;
    for (int k = 1; k < count; k++)
        if (p[k] > p[best]) best = k;
    int label = s->labels[i];
    ev->confusion[label][best]++;
    ev->correct += best == label;
    ev->count++;
    ev->loss += p[label] > 0.0f ? -log((double)p[label]) : INFINITY;
    return 0;
}

static int eval_begin(Net *n, TrainEval *ev, float **x, Err *e)
{
    memset(ev, 0, sizeof *ev);
    int last = n->nlayers - 1;
    if (n->arch->layers[last].kind != LK_SOFTMAX || n->plan.layers[last].out.c > TRAIN_MAX_CLASSES ||
        shape_count(n->arch->input) != TRAIN_SIDE * TRAIN_SIDE)
        return err_set(e, "%s: evaluation needs a 1×32×32 input and a softmax over at most %d classes", n->arch->name,
                       TRAIN_MAX_CLASSES);
    ev->classes = n->plan.layers[last].out.c;
    n->train_dropout = 0;
    *x = malloc(sizeof(float) * TRAIN_SIDE * TRAIN_SIDE);
    return *x ? 0 : err_set(e, "out of memory");
}

static int eval_end(TrainEval *ev, float *x, int rc)
{
    free(x);
    if (ev->count) ev->loss /= (double)ev->count;
    return rc;
}

int train_evaluate(Net *n, const IdxSet *s, const float lut[256], int first, int count, TrainEval *ev, Err *e)
{
    float *x;
    if (eval_begin(n, ev, &x, e) != 0) return -1;
    if (first < 0) first = 0;
    int end = count < 0 || first + count > s->n ? s->n : first + count;
    int rc = 0;
    for (int i = first; i < end && rc == 0; i++) rc = eval_one(n, s, lut, i, x, ev, e);
    return eval_end(ev, x, rc);
}

int train_evaluate_list(Net *n, const IdxSet *s, const float lut[256], const int *idx, int count, TrainEval *ev,
                        Err *e)
{
    float *x;
    if (eval_begin(n, ev, &x, e) != 0) return -1;
    int rc = 0;
    for (int k = 0; k < count && rc == 0; k++) rc = eval_one(n, s, lut, idx[k], x, ev, e);
    return eval_end(ev, x, rc);
}

double train_eval_accuracy(const TrainEval *ev) { return ev->count ? (double)ev->correct / (double)ev->count : 0.0; }
