/* cli_opts.h - the options every CLI command shares, parsed once with range checks.

       CliOpts o;
       int rc = cli_opts_parse(argc, argv, &o);   // argv[1] is the command
       if (rc) return rc;                         // EXIT_USAGE, message already printed
       if (!o.out) return cli_usage_error(o.cmd, "missing --out DIR");

   Long options are "--name value" or "--name=value"; flags take no value; anything not
   starting with '-' is a file. Numbers are checked: --top and --reps 1..1000,
   --random-crop 0 or more, --batch 1..1024, --threads 1..64,
   --class and --channel 0..99999, --count 1..64, --window and --stride 1..100000. --engine is naive, fast or both;
   fast and both are refused (EXIT_USAGE) by a build without the fast engine. The strings point into argv.
   Outputs are checked before any work (afile.h), EXIT_INPUT after the message: --save-weights
   and batch's --out must not exist as anything but a regular file and their directory must
   exist; every other command's --out must not exist as anything but a directory. */
#ifndef ALEXSCOPE_CLI_OPTS_H
#define ALEXSCOPE_CLI_OPTS_H

enum { CLI_ENGINE_NAIVE, CLI_ENGINE_FAST, CLI_ENGINE_BOTH };

typedef struct {
    const char *cmd;
    const char *weights, *arch, *preset, *format, *layer, *out, *input_npy, *save_weights;
    const char *norm, *cmap;
    const char *unit, *method; /* saliency: --unit C,Y,X and --method (checked there) */
    const char *resize;    /* --resize warp|short (checked), NULL: the preset's */
    int top, mirror, json, verbose, reps, help;
    int engine;            /* --engine: CLI_ENGINE_NAIVE (default), _FAST or _BOTH */
    int engine_given;      /* 1 if --engine was on the command line */
    int batch;             /* --batch 1..1024, 0: the command's default */
    int threads;           /* --threads 1..64 for the fast engine, 0: 2 */
    long long crop_seed;   /* -1: centre crop */
    int crops;             /* --crops 1|10 (run), 0: not given (1) */
    int klass;             /* --class 0..99999 (occlusion), -1: the top-1 */
    int window, stride;    /* --window / --stride 1..100000 (occlusion), 0: the command's default */
    int channel;           /* --channel 0..99999 (top-patches), -1: every channel */
    int count;             /* --count 1..64 (top-patches), 0: the command's default */
    const char *files[4096]; /* positional arguments after the command (batch takes many) */
    int nfiles;
} CliOpts;

/* 0, or EXIT_USAGE after printing why. Defaults: top 5, reps 5, crop_seed -1, klass -1. */
int cli_opts_parse(int argc, char **argv, CliOpts *o);

/* Prints "alexscope: " and the printf-style message, then "Try 'alexscope CMD --help'.",
   to stderr; returns EXIT_USAGE. cmd may be NULL. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
