/* gui.h - the alexscope window (SDL2 + SDL2_ttf).

       int main(int argc, char **argv) { ... return gui_main(argc, argv); }

   argv as given to the program; the options are ui_options.h's:
       alexscope [IMAGE] [--weights F] [--arch A] [--font F] [--export-dir D] [--lesson F]
                 [--screenshot FILE [--step LAYER] [--size WxH] ...] [--bench-ui] [--help]
   Returns 0 on success, 1 on a failure (message on stderr or in the window), 2 on a
   usage error. Never calls exit(). */
#ifndef ALEXSCOPE_GUI_H
#define ALEXSCOPE_GUI_H

int gui_main(int argc, char **argv);

#endif
