/* main.c - alexscope: a subcommand runs headless (cli_main.c); anything else opens the window. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#ifdef ALEXSCOPE_HAVE_GUI
#include "gui.h"
#endif

int main(int argc, char **argv)
{
    if (argc >= 2 && (cli_is_command(argv[1]) || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return cli_main(argc, argv);
#ifdef ALEXSCOPE_HAVE_GUI
    return gui_main(argc, argv);
#else
    if (argc < 2) return cli_main(argc, argv);
    fprintf(stderr, "alexscope: this build has no window (built without SDL2); unknown command '%s'\n", argv[1]);
    return EXIT_USAGE;
#endif
}
