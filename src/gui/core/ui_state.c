/* ui_state.c - stepping, jumping, selection and toggles (pure; see ui_state.h). */
#include "ui_state.h"

#include "backward.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ui_card_names[CARD_COUNT] = {"Size", "Params", "Receptive field", "Math"};
_Static_assert(sizeof ui_card_names / sizeof ui_card_names[0] == CARD_COUNT, "one name per card");

const char *const ui_samples[UI_NSAMPLES] = {
    "samples/chelsea.png", "samples/coffee.png", "samples/astronaut.png", "samples/rocket.jpg",
};

void ui_state_init(UiState *st, int nlayers)
{
    memset(st, 0, sizeof *st);
    st->nlayers = nlayers;
    st->channel = -1;
    st->hover_fc = -1;
    st->norm = 0;
    st->cmap = 1;      /* viridis reads better on a projector than grey */
    st->zoom = 1.0f;
    st->card = CARD_SIZE;
    st->sal = (UiSalTarget){-1, -1, 0, 0, 0}; /* the top-1 class */
    ui_anim_init(&st->anim);
}

int ui_pos_layer(int pos) { return pos - 1; }

void ui_clear_selection(UiState *st)
{
    st->unit.valid = 0;
    st->hover.valid = 0;
    st->hover_fc = -1;
}

int ui_jump(UiState *st, int pos)
{
    if (pos < 0) pos = 0;
    if (pos > st->nlayers) pos = st->nlayers;
    if (pos == st->pos) return 0;
    st->pos = pos;
    ui_clear_selection(st);
    ui_anim_rewind(&st->anim);
    if (st->card == CARD_MATH) st->card = CARD_SIZE;
    if (st->tool_view != UI_TOOL_VIEW_PATCHES) st->tool_view = 0; /* crops and occlusion are no layer's view */
    return 1;
}

int ui_step(UiState *st, int delta) { return ui_jump(st, st->pos + delta); }

void ui_select_tile(UiState *st, int channel)
{
    st->channel = channel == st->channel ? -1 : channel;
    st->unit.valid = 0;
}

void ui_select_unit(UiState *st, int pos, int c, int y, int x)
{
    st->unit = (UiUnit){1, pos, c, y, x};
    st->channel = c;
    st->card = CARD_MATH;
}

static float clampf(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }

int ui_lesson_begin(UiState *st, int nsteps)
{
    st->lesson = nsteps > 0;
    st->lesson_nsteps = nsteps;
    st->lesson_step = 0;
    st->picker = 0;
    return st->lesson ? UI_FX_STEP : 0;
}

int ui_lesson_goto(UiState *st, int s)
{
    if (!st->lesson) return 0;
    if (s >= st->lesson_nsteps) s = st->lesson_nsteps - 1;
    if (s < 0) s = 0;
    st->lesson_step = s;
    return UI_FX_STEP;
}

/* The picker is modal: arrows move the selection, Enter starts, Esc closes. */
static int picker_apply(UiState *st, UiAction a)
{
    int n = st->picker_n;
    switch (a) {
    case ACT_NEXT: st->picker_sel = n > 0 ? (st->picker_sel + 1) % n : 0; return 0;
    case ACT_PREV: st->picker_sel = n > 0 ? (st->picker_sel + n - 1) % n : 0; return 0;
    case ACT_HOME: st->picker_sel = 0; return 0;
    case ACT_END: st->picker_sel = n > 0 ? n - 1 : 0; return 0;
    case ACT_PICK: return n > 0 ? UI_FX_PICK : 0;
    case ACT_DESELECT:
    case ACT_LESSONS: st->picker = 0; return 0;
    case ACT_QUIT: return UI_FX_QUIT;
    case ACT_FULLSCREEN: st->fullscreen = !st->fullscreen; return UI_FX_FULLSCREEN;
    default: return 0;
    }
}

/* Space, → and ←: the animation's while it is on here, else next / previous. */
static UiAction anim_keys(UiState *st, UiAction a)
{
    if (a != ACT_SPACE && a != ACT_RIGHT && a != ACT_LEFT) return a;
    if (st->anim.on && st->anim.count > 0 && !st->picker && !st->help) {
        if (a == ACT_SPACE) ui_anim_pause(&st->anim);
        else ui_anim_step(&st->anim, a == ACT_RIGHT ? 1 : -1);
        return ACT_NONE;
    }
    return a == ACT_LEFT ? ACT_PREV : ACT_NEXT;
}

int ui_apply(UiState *st, UiAction a)
{
    a = anim_keys(st, a);
    if (st->picker) return picker_apply(st, a);
    if (st->lesson) {
        switch (a) {
        case ACT_NEXT: return ui_lesson_goto(st, st->lesson_step + 1);
        case ACT_PREV: return ui_lesson_goto(st, st->lesson_step - 1);
        case ACT_HOME: return ui_lesson_goto(st, 0);
        case ACT_END: return ui_lesson_goto(st, st->lesson_nsteps - 1);
        case ACT_DESELECT:
            if (st->help || st->message[0] || st->tool_view) break; /* Esc closes an overlay or a tool's view first */
            /* fall through */
        case ACT_LESSON_EXIT: st->lesson = 0; return UI_FX_LEAVE;
        default: break;
        }
    }
    switch (a) {
    case ACT_NEXT: return ui_step(st, 1) ? UI_FX_RUN : 0;
    case ACT_PREV: return ui_step(st, -1) ? UI_FX_RUN : 0;
    case ACT_HOME: return ui_jump(st, 0) ? UI_FX_RUN : 0;
    case ACT_END: return ui_jump(st, st->nlayers) ? UI_FX_RUN : 0;
    case ACT_LESSONS: st->picker = 1, st->help = 0; return UI_FX_LESSONS;
    case ACT_LESSON_EXIT: return 0;
    case ACT_TRAIN: case ACT_TRAIN_RESET: case ACT_TRAIN_DROPOUT: case ACT_TRAIN_SUBSET: return 0; /* ui_app.c */
    case ACT_PICK: return 0;
    case ACT_MIRROR: st->mirror = !st->mirror; ui_clear_selection(st); return UI_FX_IMAGE;
    case ACT_SAMPLE:
        st->sample = (st->sample + 1) % UI_NSAMPLES;
        ui_clear_selection(st);
        return UI_FX_IMAGE;
    case ACT_NORM: st->norm = !st->norm; return 0;
    case ACT_CMAP: st->cmap = !st->cmap; return 0;
    case ACT_KERNELS: st->kernels = !st->kernels; return 0;
    case ACT_IM2COL: st->im2col = !st->im2col; return 0;
    case ACT_ENGINE: st->fast = !st->fast; return 0;
    case ACT_CROPS:
    case ACT_OCCLUSION:
    case ACT_PATCHES:
    case ACT_SALIENCY: { /* opening one starts its job (ui_app.c) */
        int k = a == ACT_CROPS ? UI_TOOL_VIEW_CROPS : a == ACT_OCCLUSION ? UI_TOOL_VIEW_OCCLUSION
              : a == ACT_SALIENCY ? UI_TOOL_VIEW_SALIENCY : UI_TOOL_VIEW_PATCHES;
        st->tool_view = st->tool_view == k ? 0 : k;
        return st->tool_view ? UI_FX_TOOL : 0;
    }
    case ACT_SAL_METHOD: /* the next method; an open saliency view computes it */
        st->sal_method = (st->sal_method + 1) % RELU_MODE_COUNT;
        return st->tool_view == UI_TOOL_VIEW_SALIENCY ? UI_FX_TOOL : 0;
    case ACT_EXPORT: return UI_FX_EXPORT;
    case ACT_THEME: st->theme = (st->theme + 1) % 2; return 0;
    case ACT_HELP: st->help = !st->help; return 0;
    case ACT_FULLSCREEN: st->fullscreen = !st->fullscreen; return UI_FX_FULLSCREEN;
    case ACT_ZOOM_IN: st->zoom = clampf(st->zoom * 1.15f, 0.5f, 3.0f); return 0;
    case ACT_ZOOM_OUT: st->zoom = clampf(st->zoom / 1.15f, 0.5f, 3.0f); return 0;
    case ACT_ZOOM_RESET: st->zoom = 1.0f; return 0;
    case ACT_CARD_SIZE: st->card = CARD_SIZE; return 0;
    case ACT_CARD_PARAMS: st->card = CARD_PARAMS; return 0;
    case ACT_CARD_RF: st->card = CARD_RF; return 0;
    case ACT_CARD_MATH: st->card = CARD_MATH; return 0;
    case ACT_DESELECT:
        if (st->help) st->help = 0;
        else if (st->message[0]) st->message[0] = '\0';
        else if (st->tool_view) st->tool_view = 0;
        else if (st->unit.valid) st->unit.valid = 0;
        else st->channel = -1;
        return 0;
    case ACT_QUIT: return UI_FX_QUIT;
    case ACT_ANIM: ui_anim_toggle(&st->anim); return 0;
    case ACT_ANIM_SLOWER: ui_anim_speed(&st->anim, -1); return 0;
    case ACT_ANIM_FASTER: ui_anim_speed(&st->anim, 1); return 0;
    case ACT_ANIM_VARIANT: /* ui_app_action: it needs the layer */
    case ACT_SPACE:
    case ACT_RIGHT:
    case ACT_LEFT:
    case ACT_NONE:
    case ACT_COUNT: break;
    }
    return 0;
}

void ui_set_status(UiState *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->status, sizeof st->status, fmt, ap);
    va_end(ap);
}

void ui_set_message(UiState *st, int error, double now, double seconds, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->message, sizeof st->message, fmt, ap);
    va_end(ap);
    st->message_error = error;
    st->message_until = seconds > 0 ? now + seconds : 0;
}

void ui_tick(UiState *st, double now)
{
    if (st->message[0] && st->message_until > 0 && now >= st->message_until) st->message[0] = '\0';
}

int ui_parse_pos(const ArchSpec *a, const char *s)
{
    if (!s || !*s) return -1;
    if (strcmp(s, "input") == 0 || strcmp(s, "data") == 0) return 0;
    int i = arch_layer_index(a, s);
    if (i >= 0) return i + 1;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < 0 || v > a->nlayers) return -1;
    return (int)v;
}
