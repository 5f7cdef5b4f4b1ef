/* cli_impl.h - what the CLI's command files share (private to src/cli*.c).

   A command is a row of the table in cli_main.c: its name, its handler, the line that
   `alexscope --help` prints for it and its own --help text. The handlers of the commands
   that take the common options get them parsed (cli_opts.h); `lesson` has its own syntax
   and gets argv. The steps most commands take, in order:

       Model m;  Net *n = NULL;  float *x = NULL;  Err e = {0};
       if (cli_open_model(o, &m, &n, &e) != 0) return cli_fail_input(&e);
       int rc = EXIT_INPUT;
       if (cli_load_input(o, &m, o->files[0], &x, &e) != 0) goto done;
       ...
       rc = EXIT_OK;
   done:
       return cli_finish(rc, &e, x, n, &m);   // prints e for EXIT_INPUT, frees all */
#ifndef ALEXSCOPE_CLI_IMPL_H
#define ALEXSCOPE_CLI_IMPL_H

#include <stdio.h>

#include "cli.h"
#include "cli_opts.h"
#include "export.h"
#include "model.h"
#include "net.h"
#include "tools.h"

typedef struct {
    const char *name;
    int (*run)(const CliOpts *o);          /* NULL for commands with their own syntax */
    int (*run_argv)(int argc, char **argv); /* argv[0] is the command's name */
    const char *usage;                      /* "run IMAGE [--weights F] ..." for alexscope --help */
    const char *help;                       /* alexscope CMD --help */
    int common_help;                        /* help is followed by the common options' help */
    int engines;                            /* --engine takes: 0 nothing, 1 naive|fast, 2 also both */
} CliCommand;

/* ---- the commands (one file each) ------------------------------------------------------ */

extern const CliCommand cli_cmd_summary, cli_cmd_run, cli_cmd_dump, cli_cmd_export, cli_cmd_bench,
    cli_cmd_convert, cli_cmd_lesson, cli_cmd_batch, cli_cmd_occlusion, cli_cmd_top_patches,
    cli_cmd_saliency;
/* training LeNet-5 (cli_train.c, cli_eval.c, cli_overfit.c) */
extern const CliCommand cli_cmd_train, cli_cmd_eval, cli_cmd_overfit;

/* ---- shared steps (cli_common.c) -------------------------------------------------------- */

/* Loads the model named by the options, saves it if --save-weights, prints the
   preprocessing if --verbose, builds the net if net is not NULL. On failure nothing is left
   to free. */
int cli_open_model(const CliOpts *o, Model *m, Net **net, Err *e);

/* *x (malloc'd, model_input_count floats) from --input-npy if given, else from image. */
int cli_load_input(const CliOpts *o, const Model *m, const char *image, float **x, Err *e);

/* The end of every command that ran the net: the message for EXIT_INPUT, then frees x, n
   and m. Returns rc. */
int cli_finish(int rc, const Err *e, float *x, Net *n, Model *m);

/* Prints e's message; returns EXIT_INPUT. */
int cli_fail_input(const Err *e);

/* Exactly one IMAGE (or, when allow_npy, --input-npy instead): 0 or EXIT_USAGE. */
int cli_need_image(const CliOpts *o, int allow_npy);

/* The layers --layer chooses: all (if allow_all), or one name; first..last in *lo, *hi.
   0, or EXIT_USAGE after a message that lists the arch's layers. */
int cli_pick_layers(const CliOpts *o, const ArchSpec *a, int allow_all, int *lo, int *hi);

/* Writes layer i of n into dir: the number of files written, or -1. */
typedef int (*CliLayerWriter)(const Net *n, int i, const char *dir, Norm norm, Colormap cm, Err *e);

/* dump and export: checks IMAGE (or --input-npy if allow_npy), --out, --norm, --cmap and
   --layer NAME|all, runs the net as far as needed and writes every chosen layer. */
int cli_layers_cmd(const CliOpts *o, int allow_npy, CliLayerWriter write);

/* ---- the engines (cli_engine.c) -------------------------------------------------------- */

/* Runs n (its input set) to layer k with the engine --engine chose: the naive loops
   (net_run_to) or the fast engine (fast_net_run, --threads), so the rest of a command reads
   n->run[] the same either way. */
int cli_forward(const CliOpts *o, Net *n, int k, Err *e);

/* The fast engine's thread count (--threads, default 2), set for the FastNets made next; returns it. */
int cli_fast_threads(const CliOpts *o);

/* The tools' engine (tools.h) --engine chose, for batches of up to the given size (--batch
   overrides it for the fast engine; the naive loops take batch_naive). Sets --threads. */
Engine *cli_engine(const CliOpts *o, const Model *m, int batch_fast, int batch_naive, Err *e);

/* ---- many images (cli_files.c) ---------------------------------------------------------- */

typedef struct {
    char **v;        /* paths, owned */
    int n, cap;
} CliFiles;

/* FILES as given, each DIR's image files sorted by name (other entries noted on stderr).
   -1 and "FILE: no image files" if none. */
int cli_files_collect(const CliOpts *o, CliFiles *pl, Err *e);
void cli_files_free(CliFiles *pl);
/* A CSV field, quoted when it holds a comma, quote or newline. */
void cli_csv_field(FILE *f, const char *s);

/* ---- the progress bar (cli_progress.c) -------------------------------------------------- */

typedef struct {
    const char *what;  /* the command's name, first on the line */
    double t0;
    int tty, shown;
} CliProgress;

/* Starts the clock; the bar is drawn only if stderr is a terminal. */
void cli_progress_begin(CliProgress *p, const char *what);
/* A ToolProgress fn (ctx: the CliProgress): "what  [####····]  done/total  1.2 s". */
void cli_progress(void *ctx, int done, int total);
/* Clears the bar's line (at the end, and before printing a message while it shows). */
void cli_progress_clear(CliProgress *p);

/* "OpenBLAS ..." or "none" when this build has no fast engine. */
const char *cli_blas_name(void);

/* "name": "s" with quotes and backslashes escaped, then ", " if comma. */
void cli_json_str(const char *key, const char *s, int comma);

#endif
