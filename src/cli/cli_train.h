/* cli_train.h - what train, eval and overfit share (private to src/cli): their options,
   parsed by one table (each command accepts its own subset), and loading the data set.

       TrainOpts o;
       int rc = cli_train_opts(argc, argv, TO_TRAIN, &o);   // argv[0] is the command
       if (rc) return rc == -1 ? EXIT_OK : rc;              // -1: --help was printed
       IdxSet tr, te;
       if (cli_train_data(o.data, &tr, &te, &e) != 0) ...   // "DIR: what" (which package)

   Failure: EXIT_USAGE after the message (options); -1 and an Err "FILE: what" (data). */
#ifndef ALEXSCOPE_CLI_TRAIN_H
#define ALEXSCOPE_CLI_TRAIN_H

#include "idx.h"
#include "labels.h"
#include "train.h"

enum { TO_TRAIN = 1, TO_EVAL = 2, TO_OVERFIT = 4 };

typedef struct {
    const char *arch, *data, *out, *weights, *curves;
    TrainConfig cfg;
    int limit;            /* eval: the first N test images (0: all) */
    char command[1024];   /* the command line as given, for the weights' metadata */
} TrainOpts;

/* Parses argv[1..] for the command `which` (TO_*). 0, EXIT_USAGE, or -1 after --help. */
int cli_train_opts(int argc, char **argv, int which, const char *help, TrainOpts *o);

/* The training (train may be NULL: not read) and test splits of --data ("fashion-mnist" or
   a folder of idx files). A missing folder names the Debian package that provides it. */
int cli_train_data(const char *data, IdxSet *train, IdxSet *test, Err *e);

/* "Fashion-MNIST", or "the idx files in DIR". Returns buf. */
const char *cli_train_data_name(const char *data, char *buf, size_t size);

/* Checks --arch (lenet5 or absent): 0, or EXIT_USAGE with why the others cannot be trained. */
int cli_train_arch(const char *cmd, const char *arch);

/* Prints one epoch's row (and the header before the first). */
void cli_train_print_epoch(const TrainEpoch *ep, int first);

/* eval's report: the accuracy, the confusion matrix with the class names (lb may be
   empty: "class N"), the three commonest mistakes. */
void cli_eval_print(const TrainEval *ev, const Labels *lb);

#endif
