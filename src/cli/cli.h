/* cli.h - the headless alexscope: summary, run, dump, export, bench, convert, lesson.

       if (cli_is_command(argv[1])) return cli_main(argc, argv);

   One file per command (cli_summary.c, cli_run.c, ...), dispatched from the table in
   cli_main.c; options are parsed once for all of them (cli_opts.h).
   Errors are printed to stderr as "alexscope: FILE: what is wrong".
   Exit status: 0 success, 1 bad input (files, images, weights), 2 bad usage. */
#ifndef ALEXSCOPE_CLI_H
#define ALEXSCOPE_CLI_H

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_USAGE = 2 };

/* word names a subcommand (or "help"). */
int cli_is_command(const char *word);
/* argv[1] is the command (none, "help", "--help", "-h": the overview). Returns the exit status. */
int cli_main(int argc, char **argv);

#endif
