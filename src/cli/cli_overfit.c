/* cli_overfit.c - `alexscope overfit`: the slides' claim that dropout and data augmentation
   reduce overfitting, measured. Four runs of LeNet-5 on the same small subset with the same
   seed (plain, dropout 0.5, mirroring, both); training vs test accuracy per epoch as a CSV,
   a PNG and a table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_impl.h"
#include "cli_train.h"
#include "util.h"

#define OVERFIT_RUNS 4

static const struct {
    const char *name;
    float dropout;
    int mirror;
} runs[OVERFIT_RUNS] = {
    {"plain", 0.0f, 0}, {"dropout", 0.5f, 0}, {"mirror", 0.0f, 1}, {"dropout+mirror", 0.5f, 1},
};

static void print_table(const TrainCurve *c, int n)
{
    printf("\n%-15s  %9s  %8s  %6s  %s\n", "run", "train acc", "test acc", "gap", "best test acc (epoch)");
    for (int r = 0; r < n; r++) {
        if (!c[r].n) continue;
        const TrainEpoch *last = &c[r].ep[c[r].n - 1];
        int best = 0;
        for (int i = 1; i < c[r].n; i++)
            if (c[r].ep[i].test_acc > c[r].ep[best].test_acc) best = i;
        printf("%-15s  %8.2f%%  %7.2f%%  %5.2f  %.2f%% (%d)\n", c[r].name, 100 * last->train_acc, 100 * last->test_acc,
               100 * (last->train_acc - last->test_acc), 100 * c[r].ep[best].test_acc, c[r].ep[best].epoch);
    }
}

static int write_files(const char *dir, const TrainCurve *c, int n, Err *e)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/overfit.csv", dir);
    if (train_write_csv(path, c, n, e) != 0) return -1;
    snprintf(path, sizeof path, "%s/overfit.png", dir);
    return train_write_png(path, c, n, e);
}

/* One run of the experiment into c (its epochs in ep). */
static int one_run(const TrainOpts *o, int r, const IdxSet *tr, const IdxSet *te, TrainEpoch *ep, TrainCurve *c,
                   const TrainCurve *all, Err *e)
{
    TrainConfig cfg = o->cfg;
    cfg.dropout = runs[r].dropout, cfg.mirror = runs[r].mirror;
    Trainer *t = trainer_create(&cfg, tr, te, e);
    if (!t) return -1;
    printf("\n%s: dropout %g, mirror %s\n", runs[r].name, cfg.dropout, cfg.mirror ? "on" : "off");
    int rc = 0;
    while (rc == 0 && t->epoch < cfg.epochs) {
        if ((rc = trainer_epoch(t, &ep[t->epoch], e)) != 0) break;
        c->n = t->epoch;
        cli_train_print_epoch(&ep[t->epoch - 1], t->epoch == 1);
        rc = write_files(o->out, all, r + 1, e); /* the files grow as the runs go */
    }
    trainer_free(t);
    return rc;
}

static const char overfit_help[] =
    "Usage: alexscope overfit --data fashion-mnist|DIR --out DIR [--subset N] [--epochs N] [options]\n"
    "\n"
    "The slides say dropout and data augmentation reduce overfitting. This trains LeNet-5 four\n"
    "times on the same seeded subset of the training images, with the same seed: plain, with\n"
    "dropout 0.5 (after tanh3 and tanh4), with mirroring, with both; and measures the training\n"
    "and the test accuracy after every epoch (the test: all 10,000 test images).\n"
    "Writes DIR/overfit.csv (run, epoch, lr, train_loss, train_acc, test_acc, seconds) and\n"
    "DIR/overfit.png (one panel per run: training solid, test dashed), and prints a table.\n"
    "\n"
    "  --subset N          training images (default 2000)\n"
    "  --epochs N          default 30\n"
    "  --batch B, --lr R, --momentum M, --weight-decay W, --lr-step N, --lr-gamma G, --seed S\n"
    "                      as for train (defaults here: batch 32, lr 0.05, momentum 0.9, weight\n"
    "                      decay 0: the plain run has no regulariser at all)\n";

static int overfit_run(int argc, char **argv)
{
    TrainOpts o;
    int rc = cli_train_opts(argc, argv, TO_OVERFIT, overfit_help, &o);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    if (!o.out) return cli_usage_error(argv[0], "missing --out DIR");
    Err e = {0};
    if (mkdir_p(o.out, &e) != 0) return cli_fail_input(&e);
    IdxSet tr, te;
    if (cli_train_data(o.data, &tr, &te, &e) != 0) return cli_fail_input(&e);
    TrainEpoch *ep = calloc((size_t)OVERFIT_RUNS * (size_t)o.cfg.epochs, sizeof *ep);
    TrainCurve c[OVERFIT_RUNS];
    rc = ep ? EXIT_OK : EXIT_INPUT;
    printf("overfitting, measured: lenet5 on %d training images, %d epochs, seed %llu, batch %d, lr %g, "
           "momentum %g, weight decay %g\n",
           o.cfg.subset, o.cfg.epochs, (unsigned long long)o.cfg.seed, o.cfg.batch, o.cfg.lr, o.cfg.momentum,
           o.cfg.weight_decay);
    for (int r = 0; r < OVERFIT_RUNS && rc == EXIT_OK; r++) {
        c[r] = (TrainCurve){runs[r].name, ep + (size_t)r * o.cfg.epochs, 0, o.cfg.subset < tr.n ? o.cfg.subset : tr.n};
        if (one_run(&o, r, &tr, &te, ep + (size_t)r * o.cfg.epochs, &c[r], c, &e) != 0) rc = cli_fail_input(&e);
    }
    if (rc == EXIT_OK) {
        print_table(c, OVERFIT_RUNS);
        printf("\nwrote %s/overfit.csv and %s/overfit.png\n", o.out, o.out);
    }
    free(ep);
    idx_set_free(&tr), idx_set_free(&te);
    return rc;
}

const CliCommand cli_cmd_overfit = {
    .name = "overfit",
    .run_argv = overfit_run,
    .usage = "overfit --data fashion-mnist|DIR --out DIR [--subset 2000] [--epochs 30]",
    .help = overfit_help,
};
