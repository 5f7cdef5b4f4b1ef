/* ui_options.h - the window's command line: `alexscope [IMAGE] [--weights F] ...` as a
   UiOptions value, with the same strict number checks as the CLI (parse.h).

       UiOptions o;  Err e = {0};
       int rc = ui_options_parse(argc, argv, &o, &e);   // 0, or 2 and e.msg
       if (rc) fprintf(stderr, "alexscope: %s\n", e.msg);  // "--size 0x0: expected WxH ..."
       else if (o.help) ui_options_usage(stdout);

   The strings in UiOptions point into argv. No display, no allocation; prints only in
   ui_options_usage. */
#ifndef ALEXSCOPE_UI_OPTIONS_H
#define ALEXSCOPE_UI_OPTIONS_H

#include <stdio.h>

#include "err.h"

/* Ranges of the numeric options (the window's limits; see --help). */
#define UI_OPT_MIN_W 320
#define UI_OPT_MIN_H 200
#define UI_OPT_MAX_SIDE 8192
#define UI_OPT_MAX_INDEX 65535    /* --channel and each of --unit C,Y,X */
#define UI_OPT_MIN_ZOOM 0.5f      /* --zoom: the range Ctrl + / Ctrl − keep to */
#define UI_OPT_MAX_ZOOM 3.0f
#define UI_OPT_MAX_ANIM 1000000   /* --animate K and --frames N */
#define UI_OPT_ANIM_NONE (-1)     /* no --animate */
#define UI_OPT_ANIM_ALL (-2)      /* --animate all: every position (or --frames N of them) */
#define UI_OPT_MAX_TRAIN_EPOCHS 64 /* --train-epochs N (ui_train.h's UI_TRAIN_EPOCHS) */

typedef struct {
    const char *image, *weights, *arch, *font, *export_dir, *screenshot, *step, *selftest;
    const char *selftest_bad, *lesson;
    const char *resize;   /* --resize warp|short (checked); NULL: the preset's */
    int lesson_step;      /* --lesson-step N (1-based), 0: the first */
    int w, h;             /* --size, default 1280x720 */
    int sized;            /* --size was given */
    int bench, help;
    /* screenshot extras, so docs and tests can show any state */
    int channel;          /* -1: none */
    int unit[3], has_unit;/* C, Y, X */
    int card;             /* UiCard, -1: the default */
    int kernels, theme, norm, cmap, mirror, show_keys;
    int im2col;           /* --im2col: a conv layer as im2col + matrix product */
    int fast;             /* --engine fast: the window computes with the fast engine (key F) */
    int view;             /* --view crops|occlusion|patches|saliency: UI_TOOL_VIEW_*, 0: none */
    int sal_method;       /* --saliency-method: ReluMode (nn/backward.h), 0: gradient */
    float zoom;
    /* the sliding window (ui_anim.h): --animate K|all, --frames N, --compare VARIANT */
    int animate;          /* position K, UI_OPT_ANIM_ALL, or UI_OPT_ANIM_NONE */
    int frames;           /* 0: every position */
    int compare;          /* UiAnimVariant, 0: auto */
    int verbose;          /* --screenshot: print what the animation's counters say */
    int train;            /* --train: the live-training view (key J) */
    int train_epochs;     /* --train-epochs N: epochs of the run (screenshot: trained first); 0: 20 */
    int train_subset;     /* --subset N: training images per epoch; 0: 2,000 */
    int check_fit;        /* --check-fit 1, --check-fit-all 2: report texts that do not fit */
} UiOptions;

/* Fills o from argv[1..argc). Returns 0, or 2 (a usage error) with the reason in e,
   without the "alexscope: " prefix. */
int ui_options_parse(int argc, char **argv, UiOptions *o, Err *e);

/* The window's --help, with the key list from ui_keys.h. */
void ui_options_usage(FILE *f);

#endif
