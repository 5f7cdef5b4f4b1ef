/* train_live.h - one epoch of a Trainer in small steps, for a caller that must show
   progress, pause or stop between mini-batches (the window's training thread): the same
   shuffle, the same batches, the same update and the same evaluation as trainer_epoch, so a
   run in steps gives bit for bit the epochs trainer_epoch gives for the same config and seed.

       TrainLive lv;
       train_live_begin(t, &lv);                        // shuffles, as trainer_epoch does
       while (!train_live_done(t, &lv))
           if (train_live_batch(t, &lv, &err) != 0) ... // one mini-batch and its SGD step
       train_live_end(t, &lv, &ep, &err);               // t->epoch++, train_acc, test_acc
       train_live_probe(t, x, &maps, &probs, &err);     // one image, inference, current weights

   Between two calls the Trainer is idle: its weights (t->weights) can be read. Nothing is
   allocated here except inside train_live_end (freed before it returns).
   Failure: -1 and an Err, as trainer_epoch (a non-finite loss keeps the last good weights). */
#ifndef ALEXSCOPE_TRAIN_LIVE_H
#define ALEXSCOPE_TRAIN_LIVE_H

#include "train.h"

typedef struct {
    int next;            /* the first image (position in t->order) of the next batch */
    float lr;            /* this epoch's learning rate */
    double loss_sum;     /* cross-entropy summed over the images trained so far this epoch */
    long correct;        /* of them, predicted right (as trained) */
    double t0, train_ms; /* the epoch's start (now_ms) and the time spent in batches */
} TrainLive;

void train_live_begin(Trainer *t, TrainLive *lv);
/* 1 once every batch of the epoch ran. */
int train_live_done(const Trainer *t, const TrainLive *lv);
/* The next mini-batch: forward, backward, SGD step. */
int train_live_batch(Trainer *t, TrainLive *lv, Err *e);
/* After the last batch: the epoch's numbers, exactly as trainer_epoch reports them. */
int train_live_end(Trainer *t, TrainLive *lv, TrainEpoch *out, Err *e);

/* x (1, 32, 32) through the network at inference (no dropout) with the current weights:
   *conv1 points to conv1's output (6, 28, 28), *probs to the softmax (10); both live in
   t->net until the next batch. */
int train_live_probe(Trainer *t, const float *x, const float **conv1, const float **probs, Err *e);

#endif
