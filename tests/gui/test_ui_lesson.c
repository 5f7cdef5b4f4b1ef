/* test_ui_lesson.c - a lesson step as UiState changes (ui_lesson.c), against a lesson
   parsed from text: position, card, kernels, selected unit, step clamping, putting the
   view back after a manual change, and the input each step asks for. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "ui_lesson.h"

static const char text[] =
    "title: Test lesson\n"
    "arch: alexnet\n"
    "image: samples/chelsea.png\n"
    "\n"
    "--- The photo\n"
    "layer: input\n"
    "panel: input\n"
    "The input is {input.shape}.\n"
    "\n"
    "--- Kernels\n"
    "layer: conv1\n"
    "panel: kernels\n"
    "channel: 5\n"
    "mirror: on\n"
    "{conv1.out_c} kernels.\n"
    "\n"
    "--- A field\n"
    "layer: pool5\n"
    "panel: rf\n"
    "channel: 3\n"
    "unit: 2 4\n"
    "crop: random 7\n"
    "Each unit sees {pool5.rf}.\n"
    "\n"
    "--- Math\n"
    "layer: conv2\n"
    "panel: math\n"
    "channel: 10\n"
    "unit: 13 20\n"
    "dropout: train\n"
    "Sum of products.\n"
    "\n"
    "--- Params\n"
    "layer: fc6\n"
    "panel: params\n"
    "mirror: off\n"
    "{fc6.params}.\n"
    "\n"
    "--- Top five\n"
    "layer: prob\n"
    "panel: top5\n"
    "image: samples/coffee.png\n"
    "dropout: eval\n"
    "It says {top1.label}.\n";

static Lesson *load(void)
{
    Lesson *ls = malloc(sizeof *ls);
    Err e = {0};
    assert_non_null(ls);
    if (lesson_parse(text, "test.lesson", ls, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(ls->nsteps, 6);
    return ls;
}

static void done(Lesson *ls)
{
    lesson_free(ls);
    free(ls);
}

static int pos_of(const char *name) { return arch_layer_index(&arch_alexnet, name) + 1; }

/* The view is on LAYER with CARD and the unit (c, y, x) selected. */
static void assert_unit(const UiState *st, const char *layer, int card, int c, int y, int x)
{
    assert_int_equal(st->pos, pos_of(layer));
    assert_int_equal(st->card, card);
    assert_true(st->unit.valid);
    assert_int_equal(st->unit.c, c);
    assert_int_equal(st->unit.y, y);
    assert_int_equal(st->unit.x, x);
}

static void test_step_views(void **ctx)
{
    (void)ctx;
    Lesson *ls = load();
    UiState st;
    ui_state_init(&st, arch_alexnet.nlayers);
    assert_int_equal(ui_lesson_begin(&st, ls->nsteps), UI_FX_STEP);
    assert_true(st.lesson);

    ui_lesson_view(&st, ls->arch, &ls->steps[0]);
    assert_int_equal(st.pos, 0);
    assert_false(st.kernels);
    assert_false(st.unit.valid);

    ui_lesson_view(&st, ls->arch, &ls->steps[1]);
    assert_int_equal(st.pos, pos_of("conv1"));
    assert_true(st.kernels);
    assert_int_equal(st.channel, 5);

    ui_lesson_view(&st, ls->arch, &ls->steps[2]);
    assert_unit(&st, "pool5", CARD_RF, 3, 2, 4);
    assert_false(st.kernels);
    assert_int_equal(st.unit.pos, st.pos);

    ui_lesson_view(&st, ls->arch, &ls->steps[3]);
    assert_unit(&st, "conv2", CARD_MATH, 10, 13, 20);

    ui_lesson_view(&st, ls->arch, &ls->steps[4]);
    assert_int_equal(st.pos, pos_of("fc6"));
    assert_int_equal(st.card, CARD_PARAMS);
    assert_false(st.unit.valid);
    assert_int_equal(st.channel, -1);

    ui_lesson_view(&st, ls->arch, &ls->steps[5]);
    assert_int_equal(st.pos, pos_of("prob"));
    assert_int_equal(st.pos, arch_alexnet.nlayers);
    done(ls);
}

static void test_navigation_clamps(void **ctx)
{
    (void)ctx;
    UiState st;
    ui_state_init(&st, arch_alexnet.nlayers);
    assert_int_equal(ui_apply(&st, ACT_NEXT), UI_FX_RUN); /* no lesson: layers */
    assert_int_equal(st.pos, 1);
    ui_lesson_begin(&st, 6);
    assert_int_equal(ui_apply(&st, ACT_PREV), UI_FX_STEP); /* clamped, applied again */
    assert_int_equal(st.lesson_step, 0);
    for (int i = 0; i < 10; i++) assert_int_equal(ui_apply(&st, ACT_NEXT), UI_FX_STEP);
    assert_int_equal(st.lesson_step, 5);
    assert_int_equal(ui_apply(&st, ACT_HOME), UI_FX_STEP);
    assert_int_equal(st.lesson_step, 0);
    assert_int_equal(ui_apply(&st, ACT_END), UI_FX_STEP);
    assert_int_equal(st.lesson_step, 5);
    assert_int_equal(ui_lesson_goto(&st, -3), UI_FX_STEP);
    assert_int_equal(st.lesson_step, 0);
    assert_int_equal(st.pos, 1); /* stepping a lesson does not move the layer by itself */
    /* Esc closes the help first, then leaves the lesson */
    st.help = 1;
    assert_int_equal(ui_apply(&st, ACT_DESELECT), 0);
    assert_false(st.help);
    assert_true(st.lesson);
    assert_int_equal(ui_apply(&st, ACT_DESELECT), UI_FX_LEAVE);
    assert_false(st.lesson);
    assert_int_equal(ui_lesson_goto(&st, 2), 0);
    assert_int_equal(ui_apply(&st, ACT_NEXT), UI_FX_RUN); /* back to layers */
}

static void test_put_back_after_manual_change(void **ctx)
{
    (void)ctx;
    Lesson *ls = load();
    UiState st;
    ui_state_init(&st, arch_alexnet.nlayers);
    ui_lesson_begin(&st, ls->nsteps);
    ui_lesson_goto(&st, 2);
    ui_lesson_view(&st, ls->arch, &ls->steps[st.lesson_step]);
    /* the teacher wanders off: another layer, kernels, another card, no unit */
    ui_jump(&st, pos_of("conv1"));
    st.kernels = 1, st.card = CARD_PARAMS, st.channel = 40;
    ui_clear_selection(&st);
    st.theme = 1, st.cmap = 0, st.zoom = 1.5f; /* preferences */
    assert_int_equal(ui_apply(&st, ACT_NEXT), UI_FX_STEP);
    assert_int_equal(ui_apply(&st, ACT_PREV), UI_FX_STEP);
    ui_lesson_view(&st, ls->arch, &ls->steps[st.lesson_step]);
    assert_int_equal(st.pos, pos_of("pool5"));
    assert_false(st.kernels);
    assert_int_equal(st.card, CARD_RF);
    assert_int_equal(st.channel, 3);
    assert_true(st.unit.valid);
    assert_int_equal(st.unit.y, 2);
    assert_int_equal(st.theme, 1); /* preferences stay */
    assert_int_equal(st.cmap, 0);
    assert_true(st.zoom > 1.4f);
    done(ls);
}

static void test_inputs(void **ctx)
{
    (void)ctx;
    Lesson *ls = load();
    UiLessonInput in;
    ui_lesson_input(ls, 0, NULL, &in);
    assert_int_equal(in.mirror, 0);
    assert_int_equal(in.crop_seed, -1);
    assert_int_equal(in.dropout, 0);
    assert_non_null(strstr(in.path, "samples/chelsea.png"));
    ui_lesson_input(ls, 2, NULL, &in); /* mirror stays on, crop is this step's */
    assert_int_equal(in.mirror, 1);
    assert_int_equal(in.crop_seed, 7);
    ui_lesson_input(ls, 3, NULL, &in);
    assert_int_equal(in.crop_seed, -1);
    assert_int_equal(in.dropout, 1);
    ui_lesson_input(ls, 4, "/tmp/mine.png", &in); /* the command line's photo replaces the lesson's */
    assert_int_equal(in.mirror, 0);
    assert_int_equal(in.dropout, 1);
    assert_string_equal(in.path, "/tmp/mine.png");
    ui_lesson_input(ls, 5, "/tmp/mine.png", &in); /* a step's own image wins */
    assert_non_null(strstr(in.path, "samples/coffee.png"));
    assert_int_equal(in.dropout, 0);
    ui_lesson_input(ls, 1, NULL, &in); /* going back gives the same answer as going forward */
    assert_int_equal(in.mirror, 1);
    assert_int_equal(in.dropout, 0);

    Lesson *one = ui_lesson_one_step(ls, 2);
    assert_non_null(one);
    assert_int_equal(one->nsteps, 1);
    assert_string_equal(one->steps[0].title, "A field");
    assert_ptr_not_equal(one->steps[0].narration, ls->steps[2].narration);
    assert_string_equal(one->steps[0].narration, ls->steps[2].narration);
    assert_null(ui_lesson_one_step(ls, 6));
    done(one);
    done(ls);
}

static void test_list(void **ctx)
{
    (void)ctx;
    const char *bad = "title: Bad\n\n--- x\nlayer: conv9\nhi\n";
    ts_write_file(ts_path("b-good.lesson"), text, strlen(text));
    ts_write_file(ts_path("a-bad.lesson"), bad, strlen(bad));
    ts_write_file(ts_path("notes.txt"), NULL, 0);
    UiLessonList *list = malloc(sizeof *list);
    Err e = {0};
    assert_int_equal(ui_lesson_list(ts_dir(), list, &e), 2);
    assert_string_equal(list->e[0].file, "a-bad.lesson");
    assert_non_null(strstr(list->e[0].error, "a-bad.lesson:4:"));
    assert_string_equal(list->e[1].title, "Test lesson");
    assert_int_equal(list->e[1].nsteps, 6);
    assert_int_equal(ui_lesson_list("/nonexistent/lessons", list, &e), -1);
    free(list);
}

static void test_picker_keys(void **ctx)
{
    (void)ctx;
    UiState st;
    ui_state_init(&st, arch_alexnet.nlayers);
    assert_int_equal(ui_apply(&st, ACT_LESSONS), UI_FX_LESSONS);
    assert_true(st.picker);
    st.picker_n = 3;
    ui_apply(&st, ACT_NEXT);
    ui_apply(&st, ACT_NEXT);
    assert_int_equal(st.picker_sel, 2);
    ui_apply(&st, ACT_NEXT); /* wraps */
    assert_int_equal(st.picker_sel, 0);
    ui_apply(&st, ACT_PREV);
    assert_int_equal(st.picker_sel, 2);
    assert_int_equal(st.pos, 0); /* the picker swallows the arrows */
    assert_int_equal(ui_apply(&st, ACT_PICK), UI_FX_PICK);
    assert_int_equal(ui_apply(&st, ACT_DESELECT), 0);
    assert_false(st.picker);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_views),  cmocka_unit_test(test_navigation_clamps),
        cmocka_unit_test(test_put_back_after_manual_change), cmocka_unit_test(test_inputs),
        cmocka_unit_test(test_list),        cmocka_unit_test(test_picker_keys),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
