/* cli_eval.c - `alexscope eval`: a LeNet-5's accuracy on the test images of Fashion-MNIST (or
   any MNIST-format idx files) and its 10×10 confusion matrix, with the class names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_impl.h"
#include "cli_train.h"
#include "labels.h"
#include "util.h"

/* The three largest off-diagonal cells: which classes are taken for which. */
static void print_mixups(const TrainEval *ev, const Labels *lb)
{
    int used[TRAIN_MAX_CLASSES][TRAIN_MAX_CLASSES] = {{0}};
    printf("most often mistaken:");
    for (int k = 0; k < 3; k++) {
        int bi = -1, bj = -1;
        for (int i = 0; i < ev->classes; i++)
            for (int j = 0; j < ev->classes; j++)
                if (i != j && !used[i][j] && (bi < 0 || ev->confusion[i][j] > ev->confusion[bi][bj])) bi = i, bj = j;
        if (bi < 0 || ev->confusion[bi][bj] == 0) break;
        used[bi][bj] = 1;
        char a[64], b[64];
        printf("%s %s taken for %s %ld times", k ? ";" : "", labels_name(lb, bi, a, sizeof a),
               labels_name(lb, bj, b, sizeof b), ev->confusion[bi][bj]);
    }
    printf("\n");
}

void cli_eval_print(const TrainEval *ev, const Labels *lb)
{
    char a[32], b[32], name[64];
    printf("accuracy: %.2f%% (%s of %s test images)\n", 100 * train_eval_accuracy(ev),
           fmt_count(a, sizeof a, ev->correct), fmt_count(b, sizeof b, ev->count));
    printf("\nconfusion matrix: rows the true class, columns the predicted class\n%-16s", "");
    for (int j = 0; j < ev->classes; j++) printf(" %5d", j);
    printf("   correct\n");
    for (int i = 0; i < ev->classes; i++) {
        long row = 0;
        for (int j = 0; j < ev->classes; j++) row += ev->confusion[i][j];
        printf("%d %-14.14s", i, labels_name(lb, i, name, sizeof name));
        for (int j = 0; j < ev->classes; j++) printf(" %5ld", ev->confusion[i][j]);
        printf("   %6.1f%%\n", row ? 100.0 * ev->confusion[i][i] / row : 0.0);
    }
    print_mixups(ev, lb);
}

static const char eval_help[] =
    "Usage: alexscope eval [--arch lenet5] [--weights F] --data fashion-mnist|DIR [--limit N]\n"
    "\n"
    "Runs LeNet-5 over the test images (t10k-*) and prints the accuracy and the 10×10 confusion\n"
    "matrix (rows: the true class; columns: what the network said), with the class names.\n"
    "\n"
    "  --weights F         the weights (default: the shipped lenet5 weights, trained on Fashion-MNIST)\n"
    "  --data fashion-mnist|DIR  Debian's dataset-fashion-mnist, or a folder of MNIST-format idx files\n"
    "  --limit N           only the first N test images\n";

static int eval_run(int argc, char **argv)
{
    TrainOpts o;
    int rc = cli_train_opts(argc, argv, TO_EVAL, eval_help, &o);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    Err e = {0};
    Model m;
    if (model_load(&m, o.weights, "lenet5", NULL, &e) != 0) return cli_fail_input(&e);
    IdxSet te;
    Net *n = NULL;
    Labels lb = {0};
    float lut[256];
    rc = EXIT_INPUT;
    if (cli_train_data(o.data, NULL, &te, &e) != 0) goto done;
    if (!(n = net_create(m.arch, &m.weights, &e)) || train_data_lut(&m.preproc, lut, &e) != 0) goto done;
    char path[1024];
    if (!strcmp(o.data, "fashion-mnist")) labels_load(asset_path("fashion-mnist-classes.txt", path, sizeof path), &lb, NULL);
    printf("lenet5, weights: %s, on %s\n", m.weights.source, te.source);
    TrainEval ev;
    if (train_evaluate(n, &te, lut, 0, o.limit > 0 ? o.limit : te.n, &ev, &e) != 0) goto done;
    cli_eval_print(&ev, &lb);
    rc = EXIT_OK;
done:
    if (rc != EXIT_OK) cli_fail_input(&e);
    labels_free(&lb);
    net_free(n);
    idx_set_free(&te);
    model_free(&m);
    return rc;
}

const CliCommand cli_cmd_eval = {
    .name = "eval",
    .run_argv = eval_run,
    .usage = "eval --arch lenet5 [--weights F] --data fashion-mnist|DIR",
    .help = eval_help,
};
