/* train_live.c - trainer_epoch in steps (train_live.h). Every number must come out as
   trainer_epoch's (tests/gui/test_train_thread.c compares them), so the order of the
   operations follows train.c's exactly: the same seeds for the shuffle, the mirror coins
   and the dropout masks, the same sums in the same order. */
#include "train_live.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backward.h"
#include "rng.h"
#include "util.h"

void train_live_begin(Trainer *t, TrainLive *lv)
{
    memset(lv, 0, sizeof *lv);
    lv->lr = train_lr_at(&t->cfg, t->epoch + 1);
    lv->t0 = now_ms();
    train_data_shuffle(t->order, t->ntrain, train_seed_mix(t->cfg.seed, (uint64_t)t->epoch + 1, 0x5ull));
}

int train_live_done(const Trainer *t, const TrainLive *lv) { return lv->next >= t->ntrain; }

/* Image k of the epoch's order: forward and backward, its gradient added to t->grads. */
static int live_image(Trainer *t, TrainLive *lv, int k, Err *e)
{
    Net *n = t->net;
    int i = t->order[k];
    uint64_t h = train_seed_mix(t->cfg.seed, (uint64_t)t->epoch + 1, (uint64_t)k);
    train_data_image(t->train, i, t->lut, t->cfg.mirror && (h >> 63), t->x);
    n->dropout_seed = h;
    net_set_input(n, t->x);
    if (net_forward(n, e) < 0) return -1;
    int count, best = 0;
    const float *p = net_output(n, &count);
    for (int c = 1; c < count; c++) best = p[c] > p[best] ? c : best;
    lv->correct += best == t->train->labels[i];
    float loss;
    if (net_backward_loss(n, t->train->labels[i], &t->grads, &loss, e) != 0) return -1;
    if (!isfinite(loss))
        return err_set(e, "%s: the loss is %s at epoch %d, image %d of the epoch: training diverged (try a smaller "
                          "--lr); the weights of the last good step are kept", t->train->source, isnan(loss) ? "nan" : "infinite",
                       t->epoch + 1, k + 1);
    lv->loss_sum += loss;
    return 0;
}

int train_live_batch(Trainer *t, TrainLive *lv, Err *e)
{
    double s = now_ms();
    int from = lv->next, to = from + t->cfg.batch < t->ntrain ? from + t->cfg.batch : t->ntrain;
    grads_zero(&t->grads);
    t->net->train_dropout = t->cfg.dropout > 0.0f;
    for (int k = from; k < to; k++)
        if (live_image(t, lv, k, e) != 0) {
            t->net->train_dropout = 0;
            return -1;
        }
    t->net->train_dropout = 0;
    train_sgd_step(&t->view, &t->velocity, &t->grads, to - from, lv->lr, t->cfg.momentum, t->cfg.weight_decay);
    lv->next = to;
    lv->train_ms += now_ms() - s;
    return 0;
}

int train_live_end(Trainer *t, TrainLive *lv, TrainEpoch *out, Err *e)
{
    /* the SGD time is what the batches took (not the pauses between them) */
    return trainer_end_epoch(t, lv->lr, lv->loss_sum, lv->correct, lv->t0, lv->t0 + lv->train_ms, out, e);
}

int train_live_probe(Trainer *t, const float *x, const float **conv1, const float **probs, Err *e)
{
    Net *n = t->net;
    n->train_dropout = 0;
    net_set_input(n, x);
    if (net_forward(n, e) < 0) return -1;
    int count;
    *probs = net_output(n, &count);
    *conv1 = n->run[0].out_data; /* conv1 is lenet5's first layer, in t->arch too */
    return 0;
}
