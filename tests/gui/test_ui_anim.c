/* test_ui_anim.c - the sliding window's geometry, texts and playing state (ui_anim.c), and
   its keys in ui_apply. The expectations are computed by hand from the layers' numbers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lesson.h"
#include "plan.h"
#include "ui_anim.h"
#include "ui_options.h"
#include "ui_state.h"

static int layer(const ArchSpec *a, const char *name)
{
    int i = arch_layer_index(a, name);
    assert_true(i >= 0);
    return i;
}

static void setup(const ArchSpec *a, const char *name, Shape in, UiAnimVariant v, UiAnimSetup *S)
{
    assert_int_equal(ui_anim_setup(a, layer(a, name), in, v, S), 0);
}

/* conv1 at 227: (227−11)/4+1 = 55 windows per row; the last starts at 54·4 = 216. */
static void test_conv1_227(void **ctx)
{
    (void)ctx;
    UiAnimSetup S;
    setup(&arch_alexnet, "conv1", (Shape){3, 227, 227}, UI_ANIM_AUTO, &S);
    assert_int_equal(S.variant, UI_ANIM_LAYER); /* no padding, 216 divides by 4 */
    assert_int_equal(S.npanels, 1);
    assert_int_equal(S.panel[0].out_w, 55);
    assert_int_equal(S.cols, 55);
    assert_int_equal(S.count, 55 * 55);
    UiAnimWin w;
    ui_anim_window(&S.panel[0], &S, 54, &w);
    assert_true(w.has);
    assert_int_equal(w.row, 0);
    assert_int_equal(w.col, 54);
    assert_int_equal(w.ix0, 216);
    assert_int_equal(w.ix1, 226); /* the input's last column */
    assert_int_equal(w.iy0, 0);
    assert_int_equal(w.iy1, 10);
    assert_int_equal(w.pad_cells, 0);
    assert_int_equal(w.over_cells, 0);
    char t[200];
    assert_string_equal(ui_anim_covers(&S.panel[0], &w, t, sizeof t), "covers rows 0–10, columns 216–226");
    ui_anim_window(&S.panel[0], &S, 55, &w); /* the next row starts 4 down */
    assert_int_equal(w.row, 1);
    assert_int_equal(w.col, 0);
    assert_int_equal(w.iy0, 4);
    assert_int_equal(w.ix0, 0);
}

static void test_counter_advances(void **ctx)
{
    (void)ctx;
    UiAnimSetup S;
    setup(&arch_alexnet, "conv1", (Shape){3, 227, 227}, UI_ANIM_AUTO, &S);
    UiAnimWin w;
    char t[200];
    ui_anim_window(&S.panel[0], &S, 16, &w);
    assert_string_equal(ui_anim_counter(&S.panel[0], &w, t, sizeof t), "position 17 of 55 in this row · row 1 of 55");
    ui_anim_window(&S.panel[0], &S, 17, &w);
    assert_string_equal(ui_anim_counter(&S.panel[0], &w, t, sizeof t), "position 18 of 55 in this row · row 1 of 55");
    ui_anim_window(&S.panel[0], &S, 2 * 55 + 16, &w);
    assert_string_equal(ui_anim_counter(&S.panel[0], &w, t, sizeof t), "position 17 of 55 in this row · row 3 of 55");
    assert_string_equal(ui_anim_done(&S.panel[0], &w, t, sizeof t), ""); /* not the end yet */
    /* the last position: the counter ends at the formula's answer */
    ui_anim_window(&S.panel[0], &S, S.count - 1, &w);
    assert_string_equal(ui_anim_counter(&S.panel[0], &w, t, sizeof t), "position 55 of 55 in this row · row 55 of 55");
    assert_int_equal(S.panel[0].calc.out, 55);
    assert_string_equal(ui_anim_done(&S.panel[0], &w, t, sizeof t), "last position: 55 per row, 55 rows = (227−11)/4+1 = 55");
    ui_anim_window(&S.panel[0], &S, S.count + 100, &w); /* clamped */
    assert_int_equal(w.k, S.count - 1);
}

/* conv2: 27 + 2·2 − 5 = 26 → 27 positions with padding; (27 − 5) + 1 = 23 without. */
static void test_conv2_padding(void **ctx)
{
    (void)ctx;
    UiAnimSetup S;
    setup(&arch_alexnet, "conv2", (Shape){96, 27, 27}, UI_ANIM_AUTO, &S);
    assert_int_equal(S.variant, UI_ANIM_PADDING);
    assert_int_equal(S.npanels, 2);
    assert_int_equal(S.panel[0].out_w, 27);
    assert_int_equal(S.panel[0].p, 2);
    assert_true(S.panel[0].as_run);
    assert_int_equal(S.panel[1].out_w, 23);
    assert_int_equal(S.panel[1].p, 0);
    assert_false(S.panel[1].as_run);
    assert_int_equal(S.count, 27 * 27);
    UiAnimWin w;
    ui_anim_window(&S.panel[0], &S, 0, &w); /* starts 2 cells into the padding */
    assert_int_equal(w.y0, -2);
    assert_int_equal(w.x0, -2);
    assert_int_equal(w.ix0, 0);
    assert_int_equal(w.ix1, 2);
    assert_int_equal(w.pad_cells, 25 - 9); /* a 3×3 corner of the 5×5 window is input */
    assert_int_equal(w.over_cells, 0);
    char t[200];
    assert_non_null(strstr(ui_anim_covers(&S.panel[0], &w, t, sizeof t), "16 of 25 cells are padding zeros"));
    ui_anim_window(&S.panel[1], &S, 0, &w);
    assert_int_equal(w.x0, 0);
    assert_int_equal(w.pad_cells, 0);
    /* position 24 of the first row exists with padding only */
    ui_anim_window(&S.panel[1], &S, 23, &w);
    assert_false(w.has);
    assert_string_equal(ui_anim_counter(&S.panel[1], &w, t, sizeof t), "no position 24 here: this version stops at 23 per row");
    assert_string_equal(ui_anim_covers(&S.panel[1], &w, t, sizeof t), ""); /* no window to describe */
    ui_anim_window(&S.panel[0], &S, 23, &w);
    assert_true(w.has);
    ui_anim_window(&S.panel[0], &S, 26, &w); /* the last of the row: 24..28, two padding columns */
    assert_int_equal(w.x0, 24);
    assert_int_equal(w.ix1, 26);
    assert_int_equal(w.pad_cells, 2 * 5 + 3 * 2); /* top 2 rows all padding, then 2 columns of the other 3 */
    /* the last position of each version is its formula's answer */
    ui_anim_window(&S.panel[1], &S, 22 * 27 + 22, &w);
    assert_string_equal(ui_anim_done(&S.panel[1], &w, t, sizeof t), "last position: 23 per row, 23 rows = (27−5)/1+1 = 23");
    ui_anim_window(&S.panel[0], &S, S.count - 1, &w);
    assert_string_equal(ui_anim_done(&S.panel[0], &w, t, sizeof t), "last position: 27 per row, 27 rows = (27+2·2−5)/1+1 = 27");
}

/* pool1: 3×3 windows at stride 2 share one column with each neighbour. */
static void test_pool1_overlap(void **ctx)
{
    (void)ctx;
    UiAnimSetup S;
    setup(&arch_alexnet, "pool1", (Shape){96, 55, 55}, UI_ANIM_AUTO, &S);
    assert_int_equal(S.variant, UI_ANIM_LAYER); /* (55−3)/2+1 = 27 exactly */
    assert_int_equal(S.panel[0].out_w, 27);
    UiAnimWin a, b;
    ui_anim_window(&S.panel[0], &S, 0, &a);
    ui_anim_window(&S.panel[0], &S, 1, &b);
    assert_int_equal(a.ix1, 2);
    assert_int_equal(b.ix0, 2); /* column 2 is in both */
    assert_int_equal(a.ix1 - b.ix0 + 1, 1);
    char t[200];
    assert_string_equal(ui_anim_overlap(&S, t, sizeof t),
                        "3×3 windows at stride 2 overlap: neighbours share 1 column (overlapping pooling, the paper's section 3.4)");
    assert_int_equal(ui_anim_in_channel(&S, (Shape){96, 55, 55}, 5), 5); /* pooling: the same channel */
    setup(&arch_lenet5, "pool1", (Shape){6, 28, 28}, UI_ANIM_AUTO, &S);
    assert_string_equal(ui_anim_overlap(&S, t, sizeof t), "2×2 windows at stride 2 tile the input: no overlap");
}

/* conv1 at 224: (224−11)/4+1 = 54.25; floor 54 (last window 212..222), ceil 55 (216..226:
   three columns past the edge). */
static void test_conv1_224(void **ctx)
{
    (void)ctx;
    int c1 = layer(&arch_alexnet, "conv1");
    Shape in = {3, 227, 227};
    assert_true(ui_anim_applies(&arch_alexnet, c1, in, UI_ANIM_PAPER));
    assert_false(ui_anim_applies(&arch_alexnet, c1, in, UI_ANIM_PADDING));
    assert_false(ui_anim_applies(&arch_alexnet, c1, in, UI_ANIM_ROUNDING));
    assert_false(ui_anim_applies(&arch_alexnet, layer(&arch_alexnet, "conv2"), (Shape){96, 27, 27}, UI_ANIM_PAPER));
    assert_int_equal(ui_anim_next_variant(&arch_alexnet, c1, in, UI_ANIM_LAYER), UI_ANIM_PAPER);
    assert_int_equal(ui_anim_next_variant(&arch_alexnet, c1, in, UI_ANIM_PAPER), UI_ANIM_LAYER);
    UiAnimSetup S;
    setup(&arch_alexnet, "conv1", in, UI_ANIM_PAPER, &S);
    assert_int_equal(S.npanels, 2);
    assert_int_equal(S.panel[0].n_w, 224);
    assert_int_equal(S.panel[0].out_w, 54);
    assert_int_equal(S.panel[1].out_w, 55);
    assert_int_equal(S.cols, 55);
    UiAnimWin w;
    ui_anim_window(&S.panel[0], &S, 53, &w);
    assert_int_equal(w.ix0, 212);
    assert_int_equal(w.ix1, 222); /* column 223 is never read */
    assert_int_equal(w.over_cells, 0);
    ui_anim_window(&S.panel[0], &S, 54, &w);
    assert_false(w.has);
    ui_anim_window(&S.panel[1], &S, 54, &w);
    assert_true(w.has);
    assert_int_equal(w.x0, 216);
    assert_int_equal(w.ix1, 223);
    assert_int_equal(w.over_cells, 11 * 3);
    char t[200];
    assert_non_null(strstr(ui_anim_covers(&S.panel[1], &w, t, sizeof t), "33 of 121 cells hang over the edge"));
    assert_string_equal(S.panel[1].calc.nopad, "(224−11)/4+1 = 54.25 → 55");
    /* a variant that does not apply falls back to auto */
    setup(&arch_alexnet, "pool1", (Shape){96, 55, 55}, UI_ANIM_PAPER, &S);
    assert_int_equal(S.variant, UI_ANIM_LAYER);
    /* torchvision's conv1 at 224 with p = 2: 55.25 → floor 55, ceil 56 */
    int tv1 = layer(&arch_alexnet_tv, "conv1");
    assert_true(ui_anim_applies(&arch_alexnet_tv, tv1, (Shape){3, 224, 224}, UI_ANIM_ROUNDING));
    setup(&arch_alexnet_tv, "conv1", (Shape){3, 224, 224}, UI_ANIM_ROUNDING, &S);
    assert_int_equal(S.panel[0].out_w, 55);
    assert_int_equal(S.panel[1].out_w, 56);
    assert_int_equal(ui_anim_setup(&arch_alexnet, layer(&arch_alexnet, "relu1"), in, UI_ANIM_AUTO, &S), -1);
}

/* Every windowed layer of every arch: the last position is the plan's output size. */
static void test_every_layer(void **ctx)
{
    (void)ctx;
    int n = 0;
    for (int a = 0; arch_all[a]; a++) {
        Plan p;
        Err e = {0};
        assert_int_equal(plan_build(arch_all[a], &p, &e), 0);
        for (int i = 0; i < p.nlayers; i++) {
            UiAnimSetup S;
            int rc = ui_anim_setup(arch_all[a], i, p.layers[i].in, UI_ANIM_LAYER, &S);
            assert_int_equal(rc, layer_kind(p.layers[i].spec->kind)->windowed ? 0 : -1);
            if (rc) continue;
            n++;
            assert_int_equal(S.count, p.layers[i].out.h * p.layers[i].out.w);
            UiAnimWin w;
            ui_anim_window(&S.panel[0], &S, S.count - 1, &w);
            char t[200], want[200];
            snprintf(want, sizeof want, "position %d of %d in this row · row %d of %d", p.layers[i].out.w,
                     p.layers[i].out.w, p.layers[i].out.h, p.layers[i].out.h);
            assert_string_equal(ui_anim_counter(&S.panel[0], &w, t, sizeof t), want);
        }
    }
    assert_int_equal(n, 8 + 8 + 4); /* alexnet: 5 conv + 3 pool, alexnet-tv the same, lenet5 2 + 2 */
}

static void test_conv_channel_of_group(void **ctx)
{
    (void)ctx;
    UiAnimSetup S;
    Shape in = {96, 27, 27};
    setup(&arch_alexnet, "conv2", in, UI_ANIM_AUTO, &S); /* 2 groups: outputs 0–127 read 0–47 */
    assert_int_equal(ui_anim_in_channel(&S, in, 0), 0);
    assert_int_equal(ui_anim_in_channel(&S, in, 127), 0);
    assert_int_equal(ui_anim_in_channel(&S, in, 128), 48);
    assert_int_equal(ui_anim_in_channel(&S, in, 255), 48);
}

static void test_playing(void **ctx)
{
    (void)ctx;
    UiAnimState a;
    ui_anim_init(&a);
    assert_false(a.on);
    assert_int_equal(ui_anim_speeds[a.speed], 10);
    ui_anim_toggle(&a);
    assert_true(a.on && a.playing);
    ui_anim_tick(&a, 100, 5.0); /* anchors the clock */
    assert_int_equal(a.k, 0);
    ui_anim_tick(&a, 100, 6.05);
    assert_int_equal(a.k, 10); /* 10 positions a second */
    ui_anim_pause(&a);
    ui_anim_tick(&a, 100, 9.0);
    assert_int_equal(a.k, 10);
    ui_anim_step(&a, 1);
    ui_anim_step(&a, 1);
    ui_anim_step(&a, -1);
    assert_int_equal(a.k, 11);
    assert_false(a.playing);
    ui_anim_speed(&a, 1); /* 20 a second from here */
    ui_anim_pause(&a);
    ui_anim_tick(&a, 100, 10.0);
    ui_anim_tick(&a, 100, 10.5);
    assert_int_equal(a.k, 21);
    ui_anim_tick(&a, 100, 100.0); /* stops exactly at the last position */
    assert_int_equal(a.k, 99);
    assert_false(a.playing);
    ui_anim_pause(&a); /* at the end, Space plays from the start */
    assert_int_equal(a.k, 0);
    for (int i = 0; i < 20; i++) ui_anim_speed(&a, 1);
    assert_int_equal(a.speed, UI_ANIM_SPEEDS - 1);
    ui_anim_step(&a, 1000);
    assert_int_equal(a.k, 99);
    ui_anim_toggle(&a);
    assert_false(a.on);
}

/* Space / → / ← drive the animation while it shows; PgDn (ACT_NEXT) still moves on. */
static void test_keys(void **ctx)
{
    (void)ctx;
    UiState st;
    ui_state_init(&st, arch_alexnet.nlayers);
    assert_int_equal(ui_apply(&st, ACT_RIGHT), UI_FX_RUN); /* off: the next layer */
    assert_int_equal(st.pos, 1);
    ui_apply(&st, ACT_ANIM);
    ui_anim_tick(&st.anim, 3025, 0);
    assert_int_equal(ui_apply(&st, ACT_RIGHT), 0);
    assert_int_equal(st.pos, 1);
    assert_int_equal(st.anim.k, 1);
    assert_false(st.anim.playing);
    ui_apply(&st, ACT_SPACE);
    assert_true(st.anim.playing);
    ui_apply(&st, ACT_LEFT);
    assert_int_equal(st.anim.k, 0);
    assert_int_equal(ui_apply(&st, ACT_NEXT), UI_FX_RUN); /* PgDn: the next layer, from position 0 */
    assert_int_equal(st.pos, 2);
    assert_true(st.anim.on);
    ui_anim_tick(&st.anim, 0, 1); /* relu1: nothing slides, the arrows move again */
    assert_int_equal(ui_apply(&st, ACT_LEFT), UI_FX_RUN);
    assert_int_equal(st.pos, 1);
    ui_anim_tick(&st.anim, 3025, 2);
    ui_lesson_begin(&st, 3);
    assert_int_equal(ui_apply(&st, ACT_SPACE), 0); /* in a lesson too */
    assert_int_equal(ui_apply(&st, ACT_NEXT), UI_FX_STEP);
    assert_int_equal(st.lesson_step, 1);
}

/* The lesson directive's variant words are these. */
static void test_variant_names(void **ctx)
{
    (void)ctx;
    for (int v = 0; v < UI_ANIM_VARIANTS; v++) assert_string_equal(ui_anim_variant_names[v], lesson_anim_variants[v]);
}

static int parse(const char *line, UiOptions *o)
{
    char buf[512], *argv[16] = {"alexscope"};
    int argc = 1;
    snprintf(buf, sizeof buf, "%s", line);
    for (char *t = strtok(buf, " "); t && argc < 16; t = strtok(NULL, " ")) argv[argc++] = t;
    Err e = {0};
    return ui_options_parse(argc, argv, o, &e);
}

static void test_options(void **ctx)
{
    (void)ctx;
    UiOptions o;
    assert_int_equal(parse("--screenshot x.png", &o), 0);
    assert_int_equal(o.animate, UI_OPT_ANIM_NONE);
    assert_int_equal(parse("--screenshot x.png --animate 54 --compare paper --verbose", &o), 0);
    assert_int_equal(o.animate, 54);
    assert_int_equal(o.compare, UI_ANIM_PAPER);
    assert_true(o.verbose);
    assert_int_equal(parse("--screenshot d/c_%04d.png --animate all --frames 3", &o), 0);
    assert_int_equal(o.animate, UI_OPT_ANIM_ALL);
    assert_int_equal(o.frames, 3);
    assert_int_equal(parse("--screenshot d/c.png --animate all", &o), 2);       /* no frame number */
    assert_int_equal(parse("--screenshot d/c_%s.png --animate all", &o), 2);    /* not a %d */
    assert_int_equal(parse("--screenshot d/%d_%d.png --animate all", &o), 2);   /* two */
    assert_int_equal(parse("--animate 1000001", &o), 2);
    assert_int_equal(parse("--animate x", &o), 2);
    assert_int_equal(parse("--animate 3 --frames 2", &o), 2);
    assert_int_equal(parse("--animate all --frames 0", &o), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv1_227),     cmocka_unit_test(test_counter_advances),
        cmocka_unit_test(test_conv2_padding), cmocka_unit_test(test_pool1_overlap),
        cmocka_unit_test(test_conv1_224),     cmocka_unit_test(test_every_layer),
        cmocka_unit_test(test_conv_channel_of_group), cmocka_unit_test(test_playing),
        cmocka_unit_test(test_keys),          cmocka_unit_test(test_variant_names),
        cmocka_unit_test(test_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
