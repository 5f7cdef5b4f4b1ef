/* ui_lesson.c - a lesson step as view and input settings, and the picker's list (see
   ui_lesson.h). */
#include "ui_lesson.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ui_lesson_pos(const ArchSpec *a, const LessonStep *s)
{
    if (s->panel == PANEL_INPUT) return 0;
    if (s->panel == PANEL_TOP5) {
        for (int i = a->nlayers - 1; i >= 0; i--)
            if (a->layers[i].kind == LK_SOFTMAX) return i + 1;
        return a->nlayers;
    }
    int pos = s->layer + 1;
    return pos < 0 ? 0 : pos > a->nlayers ? a->nlayers : pos;
}

_Static_assert(UI_ANIM_VARIANTS == LESSON_ANIM_VARIANTS, "animate: names the UiAnimVariants in order");

/* animate: on | off | K [variant]; a step without it stops the window. */
static void lesson_anim(UiState *st, const LessonStep *s)
{
    st->anim.variant = s->animate_variant;
    if (s->animate == LESSON_ANIM_PLAY) ui_anim_play_from(&st->anim, 0);
    else if (s->animate >= 0) ui_anim_show(&st->anim, s->animate);
    else st->anim.on = 0, st->anim.playing = 0;
}

void ui_lesson_view(UiState *st, const ArchSpec *a, const LessonStep *s)
{
    st->nlayers = a->nlayers;
    int pos = ui_lesson_pos(a, s);
    ui_jump(st, pos);
    ui_clear_selection(st);
    st->help = 0, st->picker = 0;
    st->kernels = s->panel == PANEL_KERNELS;
    st->im2col = s->panel == PANEL_IM2COL;
    st->channel = s->channel;
    st->card = CARD_SIZE;
    lesson_anim(st, s);
    int c = s->channel >= 0 ? s->channel : 0;
    int has_unit = s->unit_y >= 0 && s->unit_x >= 0;
    switch (s->panel) {
    case PANEL_PARAMS: st->card = CARD_PARAMS; break;
    case PANEL_RF:
        if (has_unit) ui_select_unit(st, pos, c, s->unit_y, s->unit_x); /* draws its field on the input */
        st->card = CARD_RF;
        break;
    case PANEL_MATH:
        if (has_unit) ui_select_unit(st, pos, c, s->unit_y, s->unit_x);
        st->card = CARD_MATH;
        break;
    default:
        if (has_unit) {
            ui_select_unit(st, pos, c, s->unit_y, s->unit_x);
            st->card = CARD_SIZE;
        }
        break;
    }
}

void ui_lesson_input(const Lesson *ls, int s, const char *image_override, UiLessonInput *in)
{
    memset(in, 0, sizeof *in);
    in->crop_seed = -1;
    if (s >= ls->nsteps) s = ls->nsteps - 1;
    const char *image = NULL;
    for (int i = 0; i <= s; i++) {
        const LessonStep *st = &ls->steps[i];
        if (st->mirror >= 0) in->mirror = st->mirror;
        if (st->dropout_train >= 0) in->dropout = st->dropout_train;
        if (st->image[0]) image = st->image;
    }
    if (s >= 0) in->crop_seed = ls->steps[s].crop_seed;
    if (image) lesson_image_path(image, in->path, sizeof in->path);
    else if (image_override && image_override[0]) snprintf(in->path, sizeof in->path, "%s", image_override);
    else lesson_image_path(ls->image[0] ? ls->image : "samples/chelsea.png", in->path, sizeof in->path);
}

Lesson *ui_lesson_one_step(const Lesson *ls, int s)
{
    if (s < 0 || s >= ls->nsteps) return NULL;
    Lesson *one = malloc(sizeof *one);
    if (!one) return NULL;
    memcpy(one->path, ls->path, sizeof one->path);
    memcpy(one->title, ls->title, sizeof one->title);
    memcpy(one->image, ls->image, sizeof one->image);
    memcpy(one->weights, ls->weights, sizeof one->weights);
    one->arch = ls->arch;
    one->nsteps = 1;
    one->steps[0] = ls->steps[s];
    const char *n = ls->steps[s].narration ? ls->steps[s].narration : "";
    one->steps[0].narration = malloc(strlen(n) + 1);
    if (!one->steps[0].narration) {
        free(one);
        return NULL;
    }
    strcpy(one->steps[0].narration, n);
    return one;
}

static int by_file(const void *a, const void *b)
{
    return strcmp(((const UiLessonEntry *)a)->file, ((const UiLessonEntry *)b)->file);
}

int ui_lesson_list(const char *dir, UiLessonList *out, Err *e)
{
    out->n = 0;
    snprintf(out->dir, sizeof out->dir, "%s", dir);
    DIR *d = opendir(dir);
    if (!d) return err_set(e, "%s: no lessons folder there", dir);
    struct dirent *de;
    while ((de = readdir(d)) && out->n < UI_MAX_LESSONS) {
        size_t len = strlen(de->d_name);
        if (len < 8 || strcmp(de->d_name + len - 7, ".lesson") != 0 || de->d_name[0] == '.') continue;
        UiLessonEntry *en = &out->e[out->n++];
        memset(en, 0, sizeof *en);
        snprintf(en->path, sizeof en->path, "%s/%s", dir, de->d_name);
        snprintf(en->file, sizeof en->file, "%s", de->d_name);
    }
    closedir(d);
    qsort(out->e, (size_t)out->n, sizeof out->e[0], by_file);
    Lesson *ls = malloc(sizeof *ls);
    if (!ls) return err_set(e, "out of memory");
    for (int i = 0; i < out->n; i++) {
        UiLessonEntry *en = &out->e[i];
        Err le = {0};
        if (lesson_load(en->path, ls, &le) != 0) {
            snprintf(en->error, sizeof en->error, "%s", le.msg);
            continue;
        }
        snprintf(en->title, sizeof en->title, "%s", ls->title);
        en->nsteps = ls->nsteps;
        lesson_free(ls);
    }
    free(ls);
    return out->n;
}
