/* lesson.h - classroom lessons: plain-text scripts that walk the image through the network.

   A lesson file (docs/lessons.md has the full guide):

       title: Conv1: 96 kernels of 11×11
       arch: alexnet
       image: samples/chelsea.png

       --- Where the image goes first
       layer: conv1
       panel: formula
       The first layer slides {conv1.out_c} kernels of {conv1.k}×{conv1.k} over the image:
       {conv1.formula}.

   Header lines (before the first "---"): title, arch, image, weights (optional).
   Each step starts with "--- Step title", then directives "key: value", then narration
   (every other non-empty line; a blank line starts a new paragraph). "#" starts a comment line.
   Numbers in narration come from the engine through {placeholders}, so the text never drifts
   from what the engine computes.

       Lesson ls;
       if (lesson_load("lessons/01-overview.lesson", &ls, &err) != 0) puts(err.msg);  // "FILE:LINE: ..."
       Net *n = ...;                                   // the lesson's arch, run to the step's layer
       char text[4096];
       lesson_narration(&ls, 0, n, labels, text, sizeof text, &err);
       lesson_free(&ls);

   Ownership: Lesson owns its strings. Errors: -1 and an Err "FILE:LINE: what is wrong". */
#ifndef ALEXSCOPE_LESSON_H
#define ALEXSCOPE_LESSON_H

#include "labels.h"
#include "net.h"

#define LESSON_MAX_STEPS 64
/* The longest narration a player shows, in bytes once its placeholders are filled in (the
   window's and `lesson play`'s buffers hold LESSON_NARRATION_MAX + 1). lesson_load refuses a
   step whose narration could be longer ("FILE:LINE: step 'T': ... at most 8191 bytes"),
   so what `lesson check` accepts is always shown whole. */
#define LESSON_NARRATION_MAX 8191

typedef enum {
    PANEL_MAPS,     /* the feature-map grid */
    PANEL_INPUT,    /* the photo, crop box and crop */
    PANEL_FORMULA,  /* the output-size card */
    PANEL_PARAMS,   /* the parameter card and bar chart */
    PANEL_RF,       /* receptive field of the selected unit */
    PANEL_MATH,     /* "show the math" for the selected unit */
    PANEL_KERNELS,  /* conv1's filters / kernel slices */
    PANEL_TOP5,     /* the predictions */
    PANEL_IM2COL,   /* a conv layer as Caffe's matrix product (the im2col view) */
    PANEL_COUNT
} LessonPanel;

extern const char *const lesson_panel_names[PANEL_COUNT];

/* "animate: on|off|K [VARIANT]": the sliding window of a conv or pooling step (ui_anim.h). */
#define LESSON_ANIM_OFF (-1)  /* the default: no animation */
#define LESSON_ANIM_PLAY (-2) /* playing from position 0 */
#define LESSON_ANIM_VARIANTS 5
extern const char *const lesson_anim_variants[LESSON_ANIM_VARIANTS]; /* auto, layer, padding, rounding, paper */

typedef struct {
    char title[128];
    int line;           /* where the step starts, for messages */
    int layer;          /* layer index to show; -1 = the input image */
    LessonPanel panel;
    int channel;        /* selected channel, -1 = none */
    int unit_y, unit_x; /* selected unit in the channel, -1 = none */
    int mirror;         /* -1 leave as is, 0 off, 1 on */
    int dropout_train;  /* -1 leave as is, 0 inference, 1 train-mode mask */
    int crop_seed;      /* -1 centre crop, else a seeded random crop */
    char image[256];    /* "" = keep the lesson's image */
    int animate;        /* LESSON_ANIM_OFF, LESSON_ANIM_PLAY, or K >= 0: paused at position K */
    int animate_variant;/* index into lesson_anim_variants; 0: auto */
    char *narration;    /* raw text with {placeholders}, owned */
} LessonStep;

typedef struct {
    char path[512];
    char title[128];
    const ArchSpec *arch;
    char image[256];    /* relative to assets/ unless absolute or ./relative */
    char weights[256];  /* optional; "" = whatever the user loaded */
    int nsteps;
    LessonStep steps[LESSON_MAX_STEPS];
} Lesson;

/* Parses and checks a lesson: directives, layer names, channels and units against the arch,
   and every placeholder's name. */
int lesson_load(const char *path, Lesson *ls, Err *e);
int lesson_parse(const char *text, const char *path, Lesson *ls, Err *e);
void lesson_free(Lesson *ls);

/* Step s's narration with every {placeholder} replaced by the engine's number. n must be a
   net of the lesson's arch; placeholders that need values (top1.label, conv1.zero_frac) need
   n to have run that far, else they read "(not computed yet)". lb may be NULL. */
int lesson_narration(const Lesson *ls, int s, const Net *n, const Labels *lb, char *out, int size, Err *e);

/* Expands one placeholder name ("conv1.params") into out; -1 and a reason if unknown. */
int lesson_placeholder(const char *name, const Net *n, const Labels *lb, char *out, int size, Err *e);

/* A lesson's image path: relative to assets/ unless absolute or starting with ./ or ../ */
const char *lesson_image_path(const char *image, char *buf, int size);

#endif
