/* cli_crops.h - `run --crops 10` (cli_crops.c) and the pieces of run's output it shares
   with plain `run` (cli_run.c). Private to src/cli.

       if (o->crops == 10) return cli_run_crops(o);

   Ownership: nothing is kept. Failure: the exit code (EXIT_USAGE, EXIT_INPUT) after the
   message. */
#ifndef ALEXSCOPE_CLI_CROPS_H
#define ALEXSCOPE_CLI_CROPS_H

#include "cli_impl.h"
#include "labels.h"

/* The paper's ten crops of IMAGE (or --input-npy's C×256×256 tensor), each one's top-1 and
   the top-K of the averaged softmax; --json gives the same. */
int cli_run_crops(const CliOpts *o);

/* run --json's opening: {"image": ..., "arch": ..., "weights": ..., "trained": ..., */
void cli_run_json_head(const CliOpts *o, const Model *m);
/* "top": [{"index": i, "label": ..., "prob": p}, ...]} and a newline. lb may be NULL. */
void cli_run_json_top(const float *p, const int *idx, int k, const Labels *lb);
/* The text lines " 1.  12.34%   281  tabby, tabby cat" for idx[0..k). */
void cli_run_text_top(const float *p, const int *idx, int k, const Labels *lb);
/* The text heading: "SRC through ARCH, weights: W" and the untrained-weights note. */
void cli_run_text_head(const CliOpts *o, const Model *m);

#endif
