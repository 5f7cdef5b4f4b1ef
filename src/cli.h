/* cli.h - the headless alexscope: summary, run, dump, export, bench, convert.

       if (cli_is_command(argv[1])) return cli_main(argc, argv);

   Errors are printed to stderr as "alexscope: FILE: what is wrong".
   Exit status: 0 success, 1 bad input (files, images, weights), 2 bad usage. */
#ifndef ALEXSCOPE_CLI_H
#define ALEXSCOPE_CLI_H

#include "img.h"
#include "net.h"

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_USAGE = 2 };

int cli_is_command(const char *word);
int cli_main(int argc, char **argv);

/* What the CLI and the GUI share: the arch and weights a user asked for, and the
   preprocessing that suits them. */
typedef struct {
    const ArchSpec *arch;
    Weights weights;
    Preproc preproc;
} Model;

/* weights_path NULL: the built-in default for arch_name (NULL: alexnet). arch_name given
   with a file: that arch, else inferred from the file. preset NULL: the arch's own. */
int model_load(Model *m, const char *weights_path, const char *arch_name, const char *preset, Err *e);
void model_free(Model *m);

/* A preprocessing preset by name: "caffe", "torchvision", "lenet". NULL if unknown. */
const Preproc *preproc_find(const char *name);

#endif
