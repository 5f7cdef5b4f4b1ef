/* cli_train.c - `alexscope train`: LeNet-5 on Fashion-MNIST (or any MNIST-format idx files)
   by mini-batch SGD, one line per epoch, the weights written as safetensors with the command
   line, the seed and the final test accuracy in their metadata; and what train, eval and
   overfit share (cli_train.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "afile.h"
#include "cli_impl.h"
#include "cli_train.h"
#include "parse.h"
#include "util.h"
#include "wfile.h"

/* ---- options ------------------------------------------------------------------------------ */

typedef enum { OPT_STR, OPT_INT, OPT_FLOAT, OPT_SEED, OPT_FLAG } OptType;

typedef struct {
    const char *name;
    OptType type;
    int which;      /* TO_* bits: the commands that take it */
    double lo, hi;  /* numbers: the range */
    const char *what;
} OptRow;

static const OptRow opt_rows[] = {
    {"--arch", OPT_STR, TO_TRAIN | TO_EVAL | TO_OVERFIT, 0, 0, NULL},
    {"--data", OPT_STR, TO_TRAIN | TO_EVAL | TO_OVERFIT, 0, 0, NULL},
    {"--out", OPT_STR, TO_TRAIN | TO_OVERFIT, 0, 0, NULL},
    {"--weights", OPT_STR, TO_EVAL, 0, 0, NULL},
    {"--curves", OPT_STR, TO_TRAIN, 0, 0, NULL},
    {"--epochs", OPT_INT, TO_TRAIN | TO_OVERFIT, 1, 1000, "a number of epochs from 1 to 1000"},
    {"--batch", OPT_INT, TO_TRAIN | TO_OVERFIT, 1, 4096, "a batch size from 1 to 4096"},
    {"--lr", OPT_FLOAT, TO_TRAIN | TO_OVERFIT, 1e-6, 10, "a learning rate from 0.000001 to 10"},
    {"--momentum", OPT_FLOAT, TO_TRAIN | TO_OVERFIT, 0, 0.999, "a momentum from 0 to 0.999"},
    {"--weight-decay", OPT_FLOAT, TO_TRAIN | TO_OVERFIT, 0, 1, "a weight decay from 0 to 1"},
    {"--dropout", OPT_FLOAT, TO_TRAIN, 0, 0.95, "a dropout ratio from 0 to 0.95"},
    {"--mirror", OPT_FLAG, TO_TRAIN, 0, 0, NULL},
    {"--subset", OPT_INT, TO_TRAIN | TO_OVERFIT, 1, 100000000, "a number of training images (1 or more)"},
    {"--seed", OPT_SEED, TO_TRAIN | TO_OVERFIT, 0, 0, "a seed (0 or more)"},
    {"--lr-step", OPT_INT, TO_TRAIN | TO_OVERFIT, 0, 1000, "a number of epochs from 0 (no schedule) to 1000"},
    {"--lr-gamma", OPT_FLOAT, TO_TRAIN | TO_OVERFIT, 1e-6, 1, "a factor above 0, at most 1"},
    {"--limit", OPT_INT, TO_EVAL, 1, 100000000, "a number of test images (1 or more)"},
};

/* Where row r's value goes. */
static void *opt_field(TrainOpts *o, const char *name)
{
    const struct {
        const char *name;
        void *p;
    } f[] = {
        {"--arch", &o->arch},           {"--data", &o->data},       {"--out", &o->out},
        {"--weights", &o->weights},     {"--curves", &o->curves},   {"--epochs", &o->cfg.epochs},
        {"--batch", &o->cfg.batch},     {"--lr", &o->cfg.lr},       {"--momentum", &o->cfg.momentum},
        {"--weight-decay", &o->cfg.weight_decay}, {"--dropout", &o->cfg.dropout}, {"--mirror", &o->cfg.mirror},
        {"--subset", &o->cfg.subset},   {"--seed", &o->cfg.seed},   {"--lr-step", &o->cfg.lr_step},
        {"--lr-gamma", &o->cfg.lr_gamma}, {"--limit", &o->limit},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (!strcmp(f[i].name, name)) return f[i].p;
    return NULL;
}

static int set_opt(TrainOpts *o, const char *cmd, const OptRow *r, const char *val)
{
    void *p = opt_field(o, r->name);
    long long ll;
    switch (r->type) {
    case OPT_STR: *(const char **)p = val; return 0;
    case OPT_FLAG: *(int *)p = 1; return 0;
    case OPT_INT:
        if (parse_int(val, (int)r->lo, (int)r->hi, (int *)p) == 0) return 0;
        break;
    case OPT_FLOAT:
        if (parse_float(val, (float)r->lo, (float)r->hi, (float *)p) == 0) return 0;
        break;
    case OPT_SEED:
        if (parse_ll(val, 0, 1LL << 62, &ll) == 0) {
            *(uint64_t *)p = (uint64_t)ll;
            return 0;
        }
        break;
    }
    return cli_usage_error(cmd, "%s takes %s, not '%s'", r->name, r->what, val);
}

/* The command line for the weights' metadata, without --out and --curves: where the files
   go does not change the weights, and the file is then the same wherever it is written. */
static void record_command(TrainOpts *o, int argc, char **argv)
{
    size_t n = 0;
    n += (size_t)snprintf(o->command, sizeof o->command, "alexscope");
    for (int i = 0; i < argc && n < sizeof o->command; i++) {
        if (!strcmp(argv[i], "--out") || !strcmp(argv[i], "--curves")) {
            i++;
            continue;
        }
        if (!strncmp(argv[i], "--out=", 6) || !strncmp(argv[i], "--curves=", 9)) continue;
        n += (size_t)snprintf(o->command + n, sizeof o->command - n, strchr(argv[i], ' ') ? " '%s'" : " %s", argv[i]);
    }
}

int cli_train_opts(int argc, char **argv, int which, const char *help, TrainOpts *o)
{
    memset(o, 0, sizeof *o);
    train_config_default(&o->cfg);
    if (which == TO_OVERFIT) /* the experiment's defaults: a small subset, no regulariser in the plain run */
        o->cfg.subset = 2000, o->cfg.epochs = 30, o->cfg.batch = 32, o->cfg.weight_decay = 0.0f;
    record_command(o, argc, argv);
    const char *cmd = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL, *eq = strchr(a, '=');
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(help, stdout);
            return -1;
        }
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        const OptRow *r = NULL;
        for (size_t k = 0; k < sizeof opt_rows / sizeof opt_rows[0] && !r; k++)
            if (strlen(opt_rows[k].name) == len && !strncmp(a, opt_rows[k].name, len) && (opt_rows[k].which & which))
                r = &opt_rows[k];
        if (!r) return cli_usage_error(cmd, a[0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'", a);
        if (r->type == OPT_FLAG) {
            if (eq) return cli_usage_error(cmd, "option '%s' takes no value", r->name);
        } else if (eq) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            return cli_usage_error(cmd, "option '%s' needs a value", r->name);
        }
        int rc = set_opt(o, cmd, r, val);
        if (rc) return rc;
    }
    if (!o->data) return cli_usage_error(cmd, "missing --data fashion-mnist|DIR");
    return cli_train_arch(cmd, o->arch);
}

int cli_train_arch(const char *cmd, const char *arch)
{
    if (!arch || !strcmp(arch, "lenet5")) return 0;
    if (arch_find(arch))
        return cli_usage_error(cmd, "--arch %s: only lenet5 can be trained here. AlexNet cannot be trained on a "
                                    "laptop: 1.2 million images, 90 epochs, five to six days on two GPUs in 2012",
                               arch);
    char known[256];
    return cli_usage_error(cmd, "unknown architecture '%s' (known: %s; only lenet5 can be trained)", arch,
                           arch_names(known, sizeof known));
}

/* ---- data ---------------------------------------------------------------------------------- */

const char *cli_train_data_name(const char *data, char *buf, size_t size)
{
    if (!strcmp(data, "fashion-mnist")) snprintf(buf, size, "Fashion-MNIST");
    else snprintf(buf, size, "the idx files in %s", data);
    return buf;
}

int cli_train_data(const char *data, IdxSet *train, IdxSet *test, Err *e)
{
    if (train) memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    char dir[512];
    idx_dataset_dir(data, dir, sizeof dir);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        if (!strcmp(data, "fashion-mnist"))
            return err_set(e, "%s: no such directory: Fashion-MNIST comes with Debian's package "
                              "dataset-fashion-mnist (sudo apt install dataset-fashion-mnist), or give --data DIR",
                           dir);
        return err_set(e, "%s: no such directory (--data takes fashion-mnist or a folder of MNIST-format idx files: "
                          "train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-...)",
                       dir);
    }
    if (train && (idx_load_split(data, "train", train, e) != 0 || train_data_check(train, e) != 0)) {
        idx_set_free(train);
        return -1;
    }
    if (idx_load_split(data, "t10k", test, e) != 0 || train_data_check(test, e) != 0) {
        if (train) idx_set_free(train);
        idx_set_free(test);
        return -1;
    }
    return 0;
}

void cli_train_print_epoch(const TrainEpoch *ep, int first)
{
    if (first) printf("epoch        lr  train loss  train acc  test acc  seconds (of which SGD)\n");
    printf("%5d  %8.5g  %10.4f  %8.2f%%  %7.2f%%  %7.1f (%.1f)\n", ep->epoch, ep->lr, ep->train_loss,
           100 * ep->train_acc, 100 * ep->test_acc, ep->seconds, ep->train_seconds);
    fflush(stdout);
}

/* ---- train ------------------------------------------------------------------------------- */

/* The weights with what made them in __metadata__. */
static int save(const TrainOpts *o, const Trainer *t, const TrainEpoch *last, const TrainEval *ev, Err *e)
{
    char on[600], seed[32], epochs[16], acc[16], tacc[16], count[16], conf[1200] = "";
    cli_train_data_name(o->data, on, sizeof on);
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)o->cfg.seed);
    snprintf(epochs, sizeof epochs, "%d", t->epoch);
    snprintf(acc, sizeof acc, "%.4f", train_eval_accuracy(ev));
    snprintf(tacc, sizeof tacc, "%.4f", last ? last->train_acc : 0.0);
    snprintf(count, sizeof count, "%ld", ev->count);
    size_t n = 0;
    for (int i = 0; i < ev->classes; i++)
        for (int j = 0; j < ev->classes; j++)
            n += (size_t)snprintf(conf + n, sizeof conf - n, "%s%ld", n ? "," : "", ev->confusion[i][j]);
    /* nothing that varies from run to run (no times): the same command gives the same bytes */
    const char *keys[] = {"trained_on", "command", "seed", "epochs", "test_accuracy", "test_count",
                          "train_accuracy", "confusion"};
    const char *vals[] = {on, o->command, seed, epochs, acc, count, tacc, conf};
    return wfile_save_safetensors_meta(o->out, &t->weights, keys, vals, (int)(sizeof keys / sizeof keys[0]), e);
}

static int write_curves(const char *dir, const TrainEpoch *ep, int n, Err *e)
{
    char path[1024];
    TrainCurve c = {"lenet5", ep, n, 0};
    if (mkdir_p(dir, e) != 0) return -1;
    snprintf(path, sizeof path, "%s/curves.csv", dir);
    if (train_write_csv(path, &c, 1, e) != 0) return -1;
    snprintf(path, sizeof path, "%s/curves.png", dir);
    return train_write_png(path, &c, 1, e);
}

static void print_setup(const TrainOpts *o, const Trainer *t)
{
    char on[600], a[32], b[32], c3[32];
    const TrainConfig *c = &o->cfg;
    printf("training lenet5 on %s: %s of %s training images, %s test images\n", cli_train_data_name(o->data, on, sizeof on),
           fmt_count(a, sizeof a, t->ntrain), fmt_count(b, sizeof b, t->train->n), fmt_count(c3, sizeof c3, t->test->n));
    printf("SGD: batch %d, lr %g", c->batch, c->lr);
    if (c->lr_step) printf(" (× %g every %d epochs)", c->lr_gamma, c->lr_step);
    printf(", momentum %g, weight decay %g, dropout %g, mirror %s, seed %llu, %d epochs\n", c->momentum,
           c->weight_decay, c->dropout, c->mirror ? "on" : "off", (unsigned long long)c->seed, c->epochs);
}

static const char train_help[] =
    "Usage: alexscope train --arch lenet5 --data fashion-mnist|DIR --out F.safetensors [options]\n"
    "\n"
    "Trains LeNet-5 (tanh, average pooling; 32×32 grey input: each 28×28 image on a 2-pixel\n"
    "black border) by mini-batch SGD with momentum and weight decay, Caffe's rule:\n"
    "  v = momentum·v − lr·(g/B + weight_decay·w),  w += v   (biases: no decay)\n"
    "and prints per epoch the training loss, the training and test accuracy and the seconds.\n"
    "One thread, a fixed order: the same seed gives the same weights, byte for byte.\n"
    "\n"
    "  --data fashion-mnist|DIR  Debian's dataset-fashion-mnist, or a folder of MNIST-format idx\n"
    "                      files (train-images-idx3-ubyte, ..., t10k-labels-idx1-ubyte; .gz or not)\n"
    "  --out F             the weights (safetensors; loads into --arch lenet5)\n"
    "  --epochs N          passes over the training images (default 10)\n"
    "  --batch B           images per SGD step (default 64)\n"
    "  --lr R              learning rate (default 0.05)\n"
    "  --lr-step N         multiply the learning rate by --lr-gamma (default 0.1) every N epochs\n"
    "  --momentum M        default 0.9\n"
    "  --weight-decay W    L2 weight decay (default 0.0005)\n"
    "  --dropout P         dropout layers (ratio P) after tanh3 and tanh4 while training\n"
    "  --mirror            mirror each training image left-right on a seeded coin, every epoch\n"
    "  --subset N          train on a seeded choice of N training images\n"
    "  --seed S            the seed of everything random (default 1)\n"
    "  --curves DIR        write DIR/curves.csv and DIR/curves.png (accuracy per epoch)\n"
    "  --arch lenet5       the only network that can be trained here (AlexNet needs days on GPUs)\n";

static int train_run(int argc, char **argv)
{
    TrainOpts o;
    int rc = cli_train_opts(argc, argv, TO_TRAIN, train_help, &o);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    if (!o.out) return cli_usage_error(argv[0], "missing --out F.safetensors");
    Err e = {0};
    /* outputs in the way are refused now, not after the first epoch (afile.h) */
    if (afile_check_parent(o.out, &e) != 0 || (o.curves && afile_check_dir(o.curves, &e) != 0)) return cli_fail_input(&e);
    IdxSet tr, te;
    if (cli_train_data(o.data, &tr, &te, &e) != 0) return cli_fail_input(&e);
    TrainEpoch *ep = calloc((size_t)o.cfg.epochs, sizeof *ep);
    Trainer *t = ep ? trainer_create(&o.cfg, &tr, &te, &e) : NULL;
    rc = EXIT_INPUT;
    if (!t) goto done;
    print_setup(&o, t);
    int failed = 0;
    while (t->epoch < o.cfg.epochs) {
        if ((failed = trainer_epoch(t, &ep[t->epoch], &e) != 0)) break;
        cli_train_print_epoch(&ep[t->epoch - 1], t->epoch == 1);
        if (o.curves && write_curves(o.curves, ep, t->epoch, &e) != 0) goto done;
        /* the file after every epoch: a long run stopped early keeps its last epoch */
        if (save(&o, t, &ep[t->epoch - 1], &t->last_test, &e) != 0) goto done;
    }
    if (failed) fprintf(stderr, "alexscope: %s\n", e.msg);
    TrainEval ev;
    Err e2 = {0};
    if (failed || !t->epoch) { /* the weights of the last good step, measured again */
        if (train_evaluate(t->net, &te, t->lut, 0, te.n, &ev, &e2) != 0 ||
            save(&o, t, t->epoch ? &ep[t->epoch - 1] : NULL, &ev, &e2) != 0) {
            e = e2;
            goto done;
        }
    } else {
        ev = t->last_test;
    }
    printf("wrote %s: test accuracy %.2f%% on %ld images%s\n", o.out, 100 * train_eval_accuracy(&ev), ev.count,
           failed ? " (the last good weights, training stopped)" : "");
    rc = failed ? EXIT_INPUT : EXIT_OK;
    e.msg[0] = '\0';
done:
    if (rc != EXIT_OK && e.msg[0]) cli_fail_input(&e);
    trainer_free(t);
    free(ep);
    idx_set_free(&tr), idx_set_free(&te);
    return rc;
}

const CliCommand cli_cmd_train = {
    .name = "train",
    .run_argv = train_run,
    .usage = "train --arch lenet5 --data fashion-mnist|DIR --out F.safetensors [--epochs N] [--mirror] ...",
    .help = train_help,
};
