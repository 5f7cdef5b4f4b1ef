/* test_ui_state.c - stepping, jumping, selection, toggles and messages (ui_state.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ui_state.h"

static void test_stepping(void **ctx)
{
    (void)ctx;
    UiState st;
    ui_state_init(&st, arch_alexnet.nlayers);
    assert_int_equal(st.pos, 0);
    assert_int_equal(ui_apply(&st, ACT_PREV), 0); /* already at the input */
    assert_int_equal(ui_apply(&st, ACT_NEXT), UI_FX_RUN);
    assert_int_equal(st.pos, 1);
    assert_int_equal(ui_apply(&st, ACT_END), UI_FX_RUN);
    assert_int_equal(st.pos, arch_alexnet.nlayers);
    assert_int_equal(ui_apply(&st, ACT_NEXT), 0);
    assert_int_equal(ui_apply(&st, ACT_HOME), UI_FX_RUN);
    assert_int_equal(st.pos, 0);
    assert_int_equal(ui_step(&st, 5), 1);
    assert_int_equal(st.pos, 5);
    assert_int_equal(ui_step(&st, -100), 1);
    assert_int_equal(st.pos, 0);
    assert_int_equal(ui_pos_layer(1), 0);
}

static void test_jumping(void **ctx)
{
    (void)ctx;
    UiState st;
    ui_state_init(&st, arch_alexnet.nlayers);
    assert_int_equal(ui_jump(&st, 99), 1);
    assert_int_equal(st.pos, arch_alexnet.nlayers);
    assert_int_equal(ui_jump(&st, st.pos), 0);
    assert_int_equal(ui_jump(&st, -3), 1);
    assert_int_equal(st.pos, 0);
    assert_int_equal(ui_parse_pos(&arch_alexnet, "input"), 0);
    assert_int_equal(ui_parse_pos(&arch_alexnet, "conv1"), 1);
    assert_int_equal(ui_parse_pos(&arch_alexnet, "pool5"), arch_layer_index(&arch_alexnet, "pool5") + 1);
    assert_int_equal(ui_parse_pos(&arch_alexnet, "prob"), arch_alexnet.nlayers);
    assert_int_equal(ui_parse_pos(&arch_alexnet, "7"), 7);
    assert_int_equal(ui_parse_pos(&arch_alexnet, "99"), -1);
    assert_int_equal(ui_parse_pos(&arch_alexnet, "conv9"), -1);
    assert_int_equal(ui_parse_pos(&arch_alexnet, ""), -1);
}

static void test_selection(void **ctx)
{
    (void)ctx;
    UiState st;
    ui_state_init(&st, arch_alexnet.nlayers);
    ui_jump(&st, 1);
    ui_select_tile(&st, 17);
    assert_int_equal(st.channel, 17);
    ui_select_tile(&st, 17); /* clicking the enlarged one again closes it */
    assert_int_equal(st.channel, -1);
    ui_select_unit(&st, 1, 5, 10, 20);
    assert_true(st.unit.valid);
    assert_int_equal(st.channel, 5);
    assert_int_equal(st.card, CARD_MATH);
    /* moving on forgets the unit (it belonged to conv1) but keeps following channel 5 */
    ui_apply(&st, ACT_NEXT);
    assert_false(st.unit.valid);
    assert_int_equal(st.channel, 5);
    assert_int_equal(st.card, CARD_SIZE);
    /* Esc peels one thing at a time: help, message, unit, channel */
    ui_select_unit(&st, st.pos, 5, 1, 1);
    st.help = 1;
    ui_set_message(&st, 1, 0, 0, "bad file");
    ui_apply(&st, ACT_DESELECT);
    assert_false(st.help);
    assert_string_equal(st.message, "bad file");
    ui_apply(&st, ACT_DESELECT);
    assert_string_equal(st.message, "");
    ui_apply(&st, ACT_DESELECT);
    assert_false(st.unit.valid);
    assert_int_equal(st.channel, 5);
    ui_apply(&st, ACT_DESELECT);
    assert_int_equal(st.channel, -1);
}

static void test_toggles(void **ctx)
{
    (void)ctx;
    UiState st;
    ui_state_init(&st, arch_alexnet.nlayers);
    assert_int_equal(ui_apply(&st, ACT_MIRROR), UI_FX_IMAGE);
    assert_int_equal(st.mirror, 1);
    for (int i = 0; i < UI_NSAMPLES; i++) assert_int_equal(ui_apply(&st, ACT_SAMPLE), UI_FX_IMAGE);
    assert_int_equal(st.sample, 0); /* cycled round */
    int norm = st.norm, cmap = st.cmap;
    ui_apply(&st, ACT_NORM);
    ui_apply(&st, ACT_CMAP);
    assert_int_not_equal(st.norm, norm);
    assert_int_not_equal(st.cmap, cmap);
    ui_apply(&st, ACT_THEME);
    assert_int_equal(st.theme, 1);
    ui_apply(&st, ACT_THEME);
    assert_int_equal(st.theme, 0);
    assert_int_equal(ui_apply(&st, ACT_EXPORT), UI_FX_EXPORT);
    assert_int_equal(ui_apply(&st, ACT_FULLSCREEN), UI_FX_FULLSCREEN);
    assert_int_equal(st.fullscreen, 1);
    assert_int_equal(ui_apply(&st, ACT_QUIT), UI_FX_QUIT);
    for (int i = 0; i < 30; i++) ui_apply(&st, ACT_ZOOM_IN);
    assert_true(st.zoom <= 3.0f + 1e-6f);
    for (int i = 0; i < 30; i++) ui_apply(&st, ACT_ZOOM_OUT);
    assert_true(st.zoom >= 0.5f - 1e-6f);
    ui_apply(&st, ACT_ZOOM_RESET);
    assert_true(st.zoom == 1.0f);
    ui_apply(&st, ACT_CARD_PARAMS);
    assert_int_equal(st.card, CARD_PARAMS);
    ui_apply(&st, ACT_KERNELS);
    assert_int_equal(st.kernels, 1);
}

static void test_messages(void **ctx)
{
    (void)ctx;
    UiState st;
    ui_state_init(&st, 3);
    ui_set_message(&st, 1, 100.0, 5.0, "%s: not an image", "x.txt");
    assert_string_equal(st.message, "x.txt: not an image");
    ui_tick(&st, 104.0);
    assert_string_equal(st.message, "x.txt: not an image");
    ui_tick(&st, 105.5);
    assert_string_equal(st.message, "");
    ui_set_status(&st, "%d layers", 23);
    assert_string_equal(st.status, "23 layers");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stepping),  cmocka_unit_test(test_jumping),  cmocka_unit_test(test_selection),
        cmocka_unit_test(test_toggles),   cmocka_unit_test(test_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
