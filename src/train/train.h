/* train.h - training LeNet-5 on an MNIST-format data set (Fashion-MNIST): the data as
   input tensors, mini-batch SGD with momentum and weight decay, per-epoch curves, and the
   evaluation (accuracy and confusion matrix).

       IdxSet tr, te;                                    // idx.h
       idx_load_split("fashion-mnist", "train", &tr, &err);  idx_load_split(..., "t10k", &te, &err);
       TrainConfig c;  train_config_default(&c);  c.epochs = 20;  c.mirror = 1;
       Trainer *t = trainer_create(&c, &tr, &te, &err);
       TrainEpoch ep;
       while (t->epoch < c.epochs && trainer_epoch(t, &ep, &err) == 0)
           printf("%d %.4f %.2f%%\n", ep.epoch, ep.train_loss, 100 * ep.test_acc);
       wfile_save_safetensors_meta("lenet5.safetensors", &t->weights, keys, vals, n, &err);
       trainer_free(t);  idx_set_free(&tr);  idx_set_free(&te);

   The network: arch_lenet5, with dropout layers (ratio c.dropout) after tanh3 and tanh4
   when c.dropout > 0, in a trainer-owned copy of the table. The weights are the same
   tensors either way (t->weights is indexed like arch_lenet5 and loads into plain lenet5,
   where dropout at inference is the identity anyway).

   The update (Caffe's SGD solver, with its usual decay_mult 0 for biases):
       v = m·v − lr·(g/B + wd·w)   for weights;   v = m·v − lr·g/B for biases;   w += v
   with g the gradient summed over the B images of the mini-batch.

   Deterministic for a seed: one thread, a fixed order; the shuffling, the subset, the
   mirror coins, the dropout masks and the initial weights all come from c.seed (rng.h).

   Ownership: a Trainer borrows the two IdxSets (keep them alive) and owns everything else
   (trainer_free). Failure: -1 / NULL and an Err naming the file or what went wrong; a
   non-finite loss stops trainer_epoch with the weights of the last good step kept. */
#ifndef ALEXSCOPE_TRAIN_H
#define ALEXSCOPE_TRAIN_H

#include <stdint.h>

#include "arch.h"
#include "err.h"
#include "idx.h"
#include "net.h"
#include "weights.h"

#define TRAIN_SIDE 32       /* LeNet-5's input: 32×32 */
#define TRAIN_MAX_CLASSES 10
#define TRAIN_MAX_LAYERS 16 /* lenet5's 12 + 2 dropout layers, with room */

typedef struct {
    int epochs;          /* 1.. */
    int batch;           /* B, images per SGD step */
    float lr;            /* the learning rate */
    float momentum;      /* m */
    float weight_decay;  /* wd (L2, on the weights, not the biases) */
    float dropout;       /* 0: no dropout layers; else their ratio (probability a unit is dropped) */
    int mirror;          /* 1: each training image mirrored left-right on a seeded coin per epoch */
    int subset;          /* 0: all training images; else a seeded choice of this many */
    uint64_t seed;
    int lr_step;         /* 0: a constant lr; else lr × lr_gamma every lr_step epochs */
    float lr_gamma;
    int train_eval_max;  /* train_acc is measured on at most this many training images (10,000) */
} TrainConfig;

/* epochs 10, batch 64, lr 0.05, momentum 0.9, weight_decay 5e-4, dropout 0, no mirror,
   every image, seed 1, constant lr (gamma 0.1 if a step is set), train_eval_max 10,000. */
void train_config_default(TrainConfig *c);

typedef struct {
    int classes;                                      /* the network's outputs (10) */
    long count, correct;
    long confusion[TRAIN_MAX_CLASSES][TRAIN_MAX_CLASSES]; /* [true][predicted] */
    double loss;                                      /* mean cross-entropy */
} TrainEval;

/* What one epoch did. */
typedef struct {
    int epoch;           /* 1-based */
    float lr;            /* the learning rate used */
    double train_loss;   /* mean cross-entropy over the epoch's images, as trained (dropout,
                            mirroring on, weights changing during the epoch) */
    double train_acc_running; /* accuracy during the epoch, as trained (the same caveats) */
    double train_acc;    /* accuracy on the training images (at most train_eval_max of them,
                            the first of the subset), inference mode, after the epoch */
    double test_acc;     /* accuracy on every test image, after the epoch */
    double seconds;      /* the epoch's wall time, evaluation included */
    double train_seconds;/* of which the SGD steps */
} TrainEpoch;

typedef struct {
    TrainConfig cfg;
    ArchSpec arch;                          /* lenet5, plus dropout layers when cfg.dropout > 0 */
    LayerSpec layers[TRAIN_MAX_LAYERS];     /* arch.layers */
    Weights weights;                        /* indexed like arch_lenet5: what is saved */
    Weights view;                           /* the same buffers indexed like arch (l[] owned, not the buffers) */
    Weights velocity;                       /* v, indexed like arch */
    Grads grads;                            /* g, indexed like arch */
    Net *net;                               /* arch over view */
    const IdxSet *train, *test;
    int *order;                             /* (ntrain) indices into train, shuffled every epoch */
    int ntrain;
    float lut[256];                         /* pixel byte -> input value (train_data_lut) */
    float *x;                               /* (1, 32, 32) */
    int epoch;                              /* epochs done */
    TrainEval last_test;                    /* the test images after the last epoch */
} Trainer;

Trainer *trainer_create(const TrainConfig *c, const IdxSet *train, const IdxSet *test, Err *e);
void trainer_free(Trainer *t);
/* One pass over the training images, then train_acc and test_acc. 0, or -1 and an Err
   (a non-finite loss: the step is not applied, so t->weights hold the last good ones). */
int trainer_epoch(Trainer *t, TrainEpoch *out, Err *e);
/* The end of an epoch whose SGD steps ran from t0_ms to t1_ms (now_ms) with lr, summing
   loss_sum and correct over t->ntrain images: counts it, measures train_acc and test_acc
   (t->last_test) and fills out. trainer_epoch ends with it; so can a caller that runs the
   steps itself (the window's live training). */
int trainer_end_epoch(Trainer *t, float lr, double loss_sum, long correct, double t0_ms, double t1_ms,
                      TrainEpoch *out, Err *e);
/* The seed of one draw of epoch a (1-based), position b: the shuffle (b = 5), each image's
   mirror coin and dropout masks. train_live.c uses it too, so both give the same numbers. */
uint64_t train_seed_mix(uint64_t seed, uint64_t a, uint64_t b);
/* The learning rate of epoch (1-based) under c's schedule. */
float train_lr_at(const TrainConfig *c, int epoch);

/* One SGD step on every conv / fc layer of w (see the formula above): v and g have w's
   shapes, g summed over batch images. */
void train_sgd_step(Weights *w, Weights *v, const Grads *g, int batch, float lr, float momentum, float wd);

/* The initial weights: every w and b uniform in ±1/√fan_in (PyTorch's default for conv
   and linear layers), fan_in = in/groups·k·k or in, drawn from seed in layer order. */
void train_init_weights(Weights *w, uint64_t seed);

/* ---- the data (train_data.c) -------------------------------------------------------- */

/* lut[v]: what model_prepare gives a pixel of grey level v under preproc p (lenet:
   (v/255 − 0.5)/0.5), computed by img_prepare itself on a 32×32 grey image holding every
   level, so a data set image and the same image as a 32×32 PNG become the same floats. */
int train_data_lut(const Preproc *p, float lut[256], Err *e);

/* Image i of s (h×w ≤ 32×32) as the (1, 32, 32) input: centred on a border of zero pixels
   (28×28: 2 pixels each side), mirrored left-right if mirror. */
void train_data_image(const IdxSet *s, int i, const float lut[256], int mirror, float *x);

/* s can be trained on and evaluated by lenet5: 28×28 images (h, w ≤ 32), labels < 10. */
int train_data_check(const IdxSet *s, Err *e);

/* Fills idx with k different indices of 0..n−1 chosen by seed (k = n: 0..n−1 in order). */
void train_data_subset(int n, int k, uint64_t seed, int *idx);
/* Fisher–Yates shuffle of v (n) by seed. */
void train_data_shuffle(int *v, int n, uint64_t seed);

/* ---- evaluation (train_eval.c) --------------------------------------------------------- */


/* Runs n (inference: no dropout) on images [first, first + count) of s (count clipped to
   s->n) and counts. n's last layer must be a softmax over ≤ 10 classes. */
int train_evaluate(Net *n, const IdxSet *s, const float lut[256], int first, int count, TrainEval *ev, Err *e);
/* The same over a list of image indices. */
int train_evaluate_list(Net *n, const IdxSet *s, const float lut[256], const int *idx, int count, TrainEval *ev,
                        Err *e);
double train_eval_accuracy(const TrainEval *ev); /* correct / count (0 if empty) */

/* ---- curves (train_plot.c) ------------------------------------------------------------ */

/* One run's curves: a name and its epochs. */
typedef struct {
    const char *name;
    const TrainEpoch *ep;
    int n;
    int images;          /* training images per epoch; 0: not recorded (train's own curves) */
} TrainCurve;

/* CSV: "epoch,lr,train_loss,train_acc,test_acc,seconds", one row per epoch; with several
   curves, or images recorded, "run,images,epoch,lr,...": the run's name and its images first. */
int train_write_csv(const char *path, const TrainCurve *c, int ncurves, Err *e);
/* PNG: one panel per run, training accuracy (solid) and test accuracy (dashed) per epoch,
   the same axes everywhere; names and tick labels in a small built-in pixel font. */
int train_write_png(const char *path, const TrainCurve *c, int ncurves, Err *e);

#endif
