/* ui_state.h - everything the window remembers between frames, and the pure functions
   that change it (stepping, jumping, selection, toggles, zoom, messages).

   Positions: the pipeline has nlayers + 1 stops. Position 0 is the input tensor, position
   i + 1 is the output of arch layer i. Keys and buttons become UiActions; ui_apply()
   changes the state and returns UI_FX_* bits for what the caller must do (recompute,
   re-preprocess, export, fullscreen, quit).

       UiState st;  ui_state_init(&st, arch->nlayers);
       int fx = ui_apply(&st, ACT_NEXT);      // st.pos == 1, fx & UI_FX_RUN
       ui_select_tile(&st, 17);               // enlarge channel 17

   No SDL, no allocation; the state is a plain value the caller owns. */
#ifndef ALEXSCOPE_UI_STATE_H
#define ALEXSCOPE_UI_STATE_H

#include "net.h"
#include "ui_anim.h"

typedef enum {
    ACT_NONE, ACT_NEXT, ACT_PREV, ACT_HOME, ACT_END, ACT_MIRROR, ACT_NORM, ACT_CMAP,
    ACT_SAMPLE, ACT_KERNELS, ACT_EXPORT, ACT_THEME, ACT_HELP, ACT_FULLSCREEN,
    ACT_ZOOM_IN, ACT_ZOOM_OUT, ACT_ZOOM_RESET, ACT_CARD_SIZE, ACT_CARD_PARAMS, ACT_CARD_RF,
    ACT_CARD_MATH, ACT_DESELECT, ACT_QUIT,
    ACT_LESSONS,      /* open / close the lesson picker */
    ACT_LESSON_EXIT,  /* leave the lesson */
    ACT_PICK,         /* Enter: start the lesson selected in the picker */
    ACT_ANIM,         /* A: the sliding window on / off (ui_anim.h) */
    ACT_ANIM_SLOWER, ACT_ANIM_FASTER, ACT_ANIM_VARIANT,
    ACT_SPACE, ACT_RIGHT, ACT_LEFT, /* the animation's pause / step keys while it plays, else next / prev */
    ACT_IM2COL,       /* I: a conv layer as Caffe's matrix product (ui_view_im2col.h) */
    ACT_ENGINE,       /* F: naive loops / fast engine (ui_app.c asks the worker) */
    ACT_CROPS,        /* X: the paper's ten crops (ui_view_tools.h) */
    ACT_OCCLUSION,    /* O: the occlusion map */
    ACT_PATCHES,      /* H: the selected channel's top patches */
    ACT_SALIENCY,     /* Y: the gradient image of the target (ui_view_saliency.h) */
    ACT_SAL_METHOD,   /* B: its method: gradient / guided / deconv */
    ACT_TRAIN,        /* J: live training of LeNet-5 (ui_train.h); in it Space pauses, M mirrors */
    ACT_TRAIN_RESET, ACT_TRAIN_DROPOUT, ACT_TRAIN_SUBSET, /* R, D, Z in the training view */
    ACT_COUNT
} UiAction;

enum {
    UI_FX_RUN = 1,        /* the current position changed: make sure it is computed */
    UI_FX_IMAGE = 2,      /* mirror or sample changed: preprocess again, recompute */
    UI_FX_EXPORT = 4,
    UI_FX_FULLSCREEN = 8,
    UI_FX_QUIT = 16,
    UI_FX_STEP = 32,      /* lesson_step was (re)chosen: apply that step */
    UI_FX_LESSONS = 64,   /* the picker opened: list the lessons */
    UI_FX_PICK = 128,     /* start the lesson picker_sel */
    UI_FX_LEAVE = 256,    /* the lesson ended: undo its input settings */
    UI_FX_TOOL = 512,     /* a tool's view opened (st.tool_view): start its job */
};

/* st.tool_view: the same numbers as UiToolKind (ui_model.h), which this header cannot see. */
enum { UI_TOOL_VIEW_CROPS = 1, UI_TOOL_VIEW_OCCLUSION = 2, UI_TOOL_VIEW_PATCHES = 3, UI_TOOL_VIEW_SALIENCY = 4 };

typedef enum { CARD_SIZE, CARD_PARAMS, CARD_RF, CARD_MATH, CARD_COUNT } UiCard;
extern const char *const ui_card_names[CARD_COUNT];

#define UI_NSAMPLES 4
extern const char *const ui_samples[UI_NSAMPLES]; /* assets/samples/... */

typedef struct {
    int valid;
    int pos;          /* position the unit belongs to */
    int c, y, x;      /* channel, row, column in that position's output */
} UiUnit;

/* What the saliency view (Y) follows: a class score (layer -1; cls -1: the top-1 class) or
   the unit (c, y, x) of arch layer `layer`'s output. Clicks set it (ui_view_saliency.h). */
typedef struct {
    int layer, cls;
    int c, y, x;
} UiSalTarget;

typedef struct {
    int nlayers;      /* arch layers; positions are 0 .. nlayers */
    int pos;          /* current position */
    int channel;      /* enlarged channel of the current position, -1: none */
    UiUnit unit;      /* clicked unit ("show the math") */
    UiUnit hover;     /* unit under the mouse this frame */
    int hover_fc;     /* index under the mouse in an fc strip, -1: none */
    int norm;         /* Norm: 0 per channel, 1 per layer */
    int cmap;         /* Colormap: 0 grey, 1 viridis */
    int mirror;
    int theme;        /* ThemeId */
    int card;         /* UiCard shown in the right column */
    int kernels;      /* centre shows kernels instead of feature maps */
    int im2col;       /* centre shows a conv layer as im2col + matrix product */
    int tool_view;    /* UiToolKind (ui_model.h): ten crops or occlusion in the centre, top
                         patches in the enlarged-channel panel; 0: none */
    int fast;         /* the fast engine was asked for (F) */
    UiSalTarget sal;  /* the saliency view's target */
    int sal_method;   /* ReluMode (nn/backward.h): gradient, guided, deconv (B) */
    int help;         /* key overlay shown */
    int fullscreen;
    float zoom;       /* Ctrl +/- on top of the window-size scale, 0.5 .. 3 */
    int sample;       /* index into ui_samples */
    char status[256];
    char message[512];/* boxed message, e.g. a refused file; "" when none */
    int message_error;
    double message_until; /* seconds (caller's clock); 0: until dismissed */
    /* Lessons: while one plays, Next / Prev / Home / End move between its steps. */
    int lesson;       /* 1 while a lesson plays */
    int lesson_step, lesson_nsteps; /* 0-based step, and how many */
    int picker;       /* the lesson picker is open */
    int picker_sel, picker_n;
    UiAnimState anim; /* the sliding window (ui_anim.h); anim.count 0: not shown here */
} UiState;

void ui_state_init(UiState *st, int nlayers);
/* The arch layer shown at a position, -1 for the input. */
int ui_pos_layer(int pos);

/* Moves by delta positions (clamped). Returns 1 if the position changed. */
int ui_step(UiState *st, int delta);
/* Jumps to pos (clamped). Returns 1 if it changed. Selection and unit are cleared when
   the position changes; the enlarged channel is kept (through relu / norm it is the same
   channel), the view drops it if the new layer has fewer channels. */
int ui_jump(UiState *st, int pos);
/* Clicking a tile enlarges it; clicking the enlarged one again closes it. */
void ui_select_tile(UiState *st, int channel);
void ui_select_unit(UiState *st, int pos, int c, int y, int x);
void ui_clear_selection(UiState *st);

/* Starts playing a lesson of nsteps steps at step 0; returns UI_FX_STEP. */
int ui_lesson_begin(UiState *st, int nsteps);
/* Goes to lesson step s (clamped); UI_FX_STEP even if it is the current one, so the
   view is put back to what the step says. 0 when no lesson plays. */
int ui_lesson_goto(UiState *st, int s);

/* Applies one action; returns UI_FX_* bits. */
int ui_apply(UiState *st, UiAction a);

void ui_set_status(UiState *st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A boxed message shown until now + seconds (seconds <= 0: until dismissed). */
void ui_set_message(UiState *st, int error, double now, double seconds, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* Drops the message once its time is over. */
void ui_tick(UiState *st, double now);

/* "conv1", "input", "prob" or a number 0..nlayers -> position; -1 if unknown. */
int ui_parse_pos(const ArchSpec *a, const char *s);

#endif
