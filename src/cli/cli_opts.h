/* cli_opts.h - the options every CLI command shares, parsed once with range checks.

       CliOpts o;
       int rc = cli_opts_parse(argc, argv, &o);   // argv[1] is the command
       if (rc) return rc;                         // EXIT_USAGE, message already printed
       if (!o.out) return cli_usage_error(o.cmd, "missing --out DIR");

   Long options are "--name value" or "--name=value"; flags take no value; anything not
   starting with '-' is a file. Numbers are checked: --top and --reps 1..1000,
   --random-crop 0 or more. The strings point into argv. */
#ifndef ALEXSCOPE_CLI_OPTS_H
#define ALEXSCOPE_CLI_OPTS_H

typedef struct {
    const char *cmd;
    const char *weights, *arch, *preset, *format, *layer, *out, *input_npy, *save_weights;
    const char *norm, *cmap;
    const char *resize;    /* --resize warp|short (checked), NULL: the preset's */
    int top, mirror, json, verbose, reps, help;
    long long crop_seed;   /* -1: centre crop */
    const char *files[64]; /* positional arguments after the command */
    int nfiles;
} CliOpts;

/* 0, or EXIT_USAGE after printing why. Defaults: top 5, reps 5, crop_seed -1. */
int cli_opts_parse(int argc, char **argv, CliOpts *o);

/* Prints "alexscope: " and the printf-style message, then "Try 'alexscope CMD --help'.",
   to stderr; returns EXIT_USAGE. cmd may be NULL. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
