/* ui_lesson.h - playing a lesson in the window: what a step does to the view (UiState) and
   to the input (image, mirror, crop, dropout), and the list of lessons for the picker.

   A step's directives go through the same state the user changes by hand, so after a
   manual change going to a step (or back to the same one) puts the view back:

       ui_lesson_begin(&st, ls.nsteps);
       ui_lesson_view(&st, ls.arch, &ls.steps[st.lesson_step]);   // position, card, unit, kernels
       UiLessonInput in;  ui_lesson_input(&ls, st.lesson_step, NULL, &in);
       // in.path / in.mirror / in.crop_seed / in.dropout: what the worker must prepare

   Pure; no SDL. The lesson parser is src/lesson.h. */
#ifndef ALEXSCOPE_UI_LESSON_H
#define ALEXSCOPE_UI_LESSON_H

#include "lesson.h"
#include "ui_state.h"

/* The position a step shows: layer + 1; panel input -> 0; panel top5 -> the softmax. */
int ui_lesson_pos(const ArchSpec *a, const LessonStep *s);

/* Sets position, card, kernels view, enlarged channel and selected unit as step s says.
   st->nlayers must be the arch's. Theme, colours, normalisation and zoom stay the user's. */
void ui_lesson_view(UiState *st, const ArchSpec *a, const LessonStep *s);

/* What the network's input should be at step s: mirror and dropout stay until a step
   changes them, crop is per step, image is the last step image at or before s, else
   image_override (the IMAGE given on the command line, used as is) or the lesson's. */
typedef struct {
    char path[1024];
    int mirror, crop_seed, dropout;
} UiLessonInput;
void ui_lesson_input(const Lesson *ls, int s, const char *image_override, UiLessonInput *in);

/* A one-step copy of step s (narration duplicated), for the worker to expand; NULL if out
   of memory. Free with lesson_free() and free(). */
Lesson *ui_lesson_one_step(const Lesson *ls, int s);

/* ---- the picker ---------------------------------------------------------------------- */

#define UI_MAX_LESSONS 64

typedef struct {
    char path[1536];
    char file[256];     /* the file name, shown small */
    char title[128];    /* the lesson's title; "" if it does not parse */
    char error[512];    /* lesson_load's "FILE:LINE: ..." if it does not parse */
    int nsteps;
} UiLessonEntry;

typedef struct {
    int n;
    char dir[1024];
    UiLessonEntry e[UI_MAX_LESSONS];
} UiLessonList;

/* What the view draws for a lesson and the picker. */
typedef struct {
    const Lesson *ls;           /* the lesson playing; NULL: none */
    const char *narration;      /* the step's text with the engine's numbers; NULL: computing */
    int narration_error;
    const UiLessonList *list;   /* the picker's entries; NULL: not listed yet */
    const char *list_error;     /* why the folder could not be read, or NULL */
} UiLessonShow;

/* Every *.lesson in dir, sorted by file name, each parsed for its title. Returns the
   count; -1 and an Err if the folder cannot be read. */
int ui_lesson_list(const char *dir, UiLessonList *out, Err *e);

#endif
