/* test_ui_layout.c - panel rectangles, hit-testing, tile grids and receptive-field boxes
   (ui_layout.c) against the real alexnet spec; the room the enlarged tile and the lesson
   band take; the draw list's count of texts that do not fit (ui_draw.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ui_layout.h"
#include "ui_text.h"

static Net *net;
static Shape shapes[UI_MAX_POS];
static int npos;

static int setup(void **ctx)
{
    (void)ctx;
    Err e = {0};
    net = net_create(&arch_alexnet, NULL, &e); /* shapes and rf need no weights */
    if (!net) return -1;
    npos = net->nlayers + 1;
    for (int i = 0; i < npos; i++) shapes[i] = ui_pos_shape(net, i);
    return 0;
}

static int teardown(void **ctx)
{
    (void)ctx;
    net_free(net);
    return 0;
}

static int inside(UiRect in, UiRect r) { return r.x >= in.x && r.y >= in.y && r.x + r.w <= in.x + in.w && r.y + r.h <= in.y + in.h; }
static int overlap(UiRect a, UiRect b) { return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h; }

static void check_layout(int w, int h, float zoom)
{
    DrawList dl;
    dl_init(&dl); /* no backend: text is measured by estimate */
    UiLayout L;
    ui_layout(&L, w, h, zoom, shapes, npos, &dl);
    UiRect win = {0, 0, w, h};
    UiRect panels[] = {L.top, L.strip, L.left, L.center, L.right, L.bottom, L.status};
    int n = (int)(sizeof panels / sizeof panels[0]);
    for (int i = 0; i < n; i++) {
        assert_true(inside(win, panels[i]));
        assert_true(panels[i].w > 0 && panels[i].h > 0);
        for (int j = i + 1; j < n; j++) assert_false(overlap(panels[i], panels[j]));
    }
    assert_true(inside(L.left, L.photo_area));
    assert_true(inside(L.left, L.crop_area));
    assert_false(overlap(L.photo_area, L.crop_area));
    assert_true(inside(L.right, L.zoom_area));
    assert_true(inside(L.right, L.card));
    assert_int_equal(L.npos, npos);
    for (int i = 0; i < L.npos; i++) {
        assert_true(inside(L.strip, L.box[i]));
        if (i > 0) assert_true(L.box[i].x >= L.box[i - 1].x + L.box[i - 1].w);
        UiRect b = L.box[i];
        assert_int_equal(ui_hit_box(&L, b.x + b.w / 2, b.y + b.h / 2), i);
    }
    assert_int_equal(ui_hit_box(&L, L.center.x + 5, L.center.y + 5), -1);
    /* the volume decides the size: conv1's 290,400 values get a bigger box than fc8's 1,000 */
    int conv1 = 1, fc8 = arch_layer_index(&arch_alexnet, "fc8") + 1;
    assert_true(L.box[conv1].w > L.box[fc8].w);
    assert_true(L.box[conv1].h > L.box[fc8].h);
    assert_true(L.nbutton >= 8);
    for (int i = 0; i < L.nbutton; i++) {
        UiRect b = L.button[i].r;
        assert_true(inside(L.bottom, b));
        assert_int_equal(ui_hit_button(&L, b.x + b.w / 2, b.y + b.h / 2), L.button[i].action);
    }
    for (int i = 0; i < CARD_COUNT; i++)
        assert_int_equal(ui_hit_tab(&L, L.tabs[i].x + 3, L.tabs[i].y + 3), i);
    assert_int_equal(ui_hit_button(&L, L.center.x + 3, L.center.y + 3), ACT_NONE);
    dl_free(&dl);
}

static void test_layouts(void **ctx)
{
    (void)ctx;
    check_layout(1280, 720, 1.0f);
    check_layout(1920, 1080, 1.0f);
    check_layout(3840, 2160, 1.0f);
    check_layout(1280, 720, 1.3f);
    check_layout(1024, 768, 1.0f);
}

static void test_scale(void **ctx)
{
    (void)ctx;
    DrawList dl;
    dl_init(&dl);
    UiLayout a, b, c;
    ui_layout(&a, 1280, 720, 1.0f, shapes, npos, &dl);
    ui_layout(&b, 3840, 2160, 1.0f, shapes, npos, &dl);
    ui_layout(&c, 1280, 720, 1.15f, shapes, npos, &dl);
    assert_true(b.px_body == 3 * a.px_body || b.px_body == 3 * a.px_body + 1 || b.px_body == 3 * a.px_body - 1);
    assert_true(a.px_body >= 14);  /* readable from the back of a room at 720p */
    assert_true(c.px_body > a.px_body);
    assert_true(c.px_title > a.px_title);
    dl_free(&dl);
}

static void test_grid(void **ctx)
{
    (void)ctx;
    UiRect area = {100, 50, 600, 500};
    UiGrid g;
    ui_grid_fit(&g, area, 384, 13, 13, 1);
    assert_int_equal(g.n, 384);
    assert_true(g.cols * g.rows >= 384);
    for (int i = 0; i < 384; i++) {
        UiRect t = ui_grid_tile(&g, i);
        assert_true(inside(area, t));
        int tile, py, px;
        assert_true(ui_grid_hit(&g, t.x + t.w / 2, t.y + t.h / 2, &tile, &py, &px));
        assert_int_equal(tile, i);
        assert_true(ui_grid_hit(&g, t.x, t.y, &tile, &py, &px));
        assert_int_equal(py, 0);
        assert_int_equal(px, 0);
        assert_true(ui_grid_hit(&g, t.x + t.w - 1, t.y + t.h - 1, &tile, &py, &px));
        assert_int_equal(py, 12);
        assert_int_equal(px, 12);
    }
    UiRect t0 = ui_grid_tile(&g, 0), t1 = ui_grid_tile(&g, 1);
    assert_false(overlap(t0, t1));
    int tile, py, px;
    assert_false(ui_grid_hit(&g, t0.x + t0.w, t0.y, &tile, &py, &px)); /* the gap */
    assert_false(ui_grid_hit(&g, area.x - 1, area.y - 1, &tile, &py, &px));
    /* 96 maps of 55×55 get bigger tiles than 384 of 13×13 would at the same scale */
    UiGrid g96;
    ui_grid_fit(&g96, area, 96, 55, 55, 2);
    assert_true(g96.tw >= 40);
    assert_true(g96.tw == g96.th);
}

static void test_image_mapping(void **ctx)
{
    (void)ctx;
    UiRect dst = ui_fit((UiRect){0, 0, 400, 300}, 227, 227);
    assert_int_equal(dst.w, 300);
    assert_int_equal(dst.h, 300);
    assert_int_equal(dst.x, 50);
    int ix, iy;
    assert_true(ui_to_image(dst, 227, 227, dst.x, dst.y, &ix, &iy));
    assert_int_equal(ix, 0);
    assert_true(ui_to_image(dst, 227, 227, dst.x + dst.w - 1, dst.y + dst.h - 1, &ix, &iy));
    assert_int_equal(ix, 226);
    assert_int_equal(iy, 226);
    assert_false(ui_to_image(dst, 227, 227, 10, 10, &ix, &iy));
    UiRect r = ui_from_image(dst, 227, 227, (UiRect){0, 0, 227, 227});
    assert_int_equal(r.w, dst.w);
    assert_int_equal(r.h, dst.h);
}

static const PlanLayer *run(const char *name) { return &net->plan.layers[arch_layer_index(&arch_alexnet, name)]; }

static void test_receptive_fields(void **ctx)
{
    (void)ctx;
    UiRect b;
    int clipped;
    /* conv1: 11×11 windows with stride 4 */
    assert_true(ui_rf_box(run("conv1"), 0, 0, 227, 227, &b, &clipped));
    assert_int_equal(b.x, 0), assert_int_equal(b.y, 0), assert_int_equal(b.w, 11), assert_int_equal(b.h, 11);
    assert_false(clipped);
    assert_true(ui_rf_box(run("conv1"), 54, 54, 227, 227, &b, &clipped));
    assert_int_equal(b.x, 216), assert_int_equal(b.w, 11), assert_false(clipped);
    assert_true(ui_rf_box(run("conv1"), 3, 7, 227, 227, &b, &clipped));
    assert_int_equal(b.x, 28), assert_int_equal(b.y, 12);
    /* relu1 and norm1 see the same field */
    assert_int_equal(run("relu1")->rf, 11);
    assert_int_equal(run("norm1")->rf, 11);
    /* pool5: 195×195, jump 32; the corner unit hangs over the padding and is clipped */
    const PlanLayer *p5 = run("pool5");
    assert_int_equal(p5->rf, 195);
    assert_int_equal(p5->rf_jump, 32);
    assert_true(ui_rf_box(p5, 2, 2, 227, 227, &b, &clipped));
    assert_int_equal(b.w, 195), assert_int_equal(b.h, 195);
    assert_int_equal(b.x, p5->rf_start + 2 * 32);
    assert_false(clipped);
    assert_true(ui_rf_box(p5, 0, 0, 227, 227, &b, &clipped));
    assert_true(clipped);
    assert_int_equal(b.x, 0);
    assert_int_equal(b.w, 195 + p5->rf_start);
    assert_true(ui_rf_box(p5, 5, 5, 227, 227, &b, &clipped));
    assert_true(clipped);
    assert_int_equal(b.x + b.w, 227);
    /* the input is one pixel; fc layers see everything */
    assert_true(ui_rf_box(NULL, 10, 20, 227, 227, &b, &clipped));
    assert_int_equal(b.x, 20), assert_int_equal(b.y, 10), assert_int_equal(b.w, 1);
    assert_false(ui_rf_box(run("fc6"), 0, 0, 227, 227, &b, &clipped));
}

/* Without an enlarged tile the cards start at the top of the right column; the lesson
   band grows with its narration up to UI_BAND_MAX_PCT % of what is below the strip. */
static void test_tile_and_band(void **ctx)
{
    (void)ctx;
    DrawList dl;
    dl_init(&dl);
    UiLayout a, b;
    ui_layout_ex(&a, 1280, 720, 1.0f, shapes, npos, &dl, UI_LAYOUT_TILE, 0);
    ui_layout_ex(&b, 1280, 720, 1.0f, shapes, npos, &dl, 0, 0);
    assert_true(a.zoom_area.h > 0);
    assert_int_equal(b.zoom_area.h, 0);
    assert_int_equal(b.tabs[0].y, b.right.y + 6); /* the column's inset: 6 units at scale 1 */
    assert_true(b.card.h > a.card.h + a.zoom_area.h);
    assert_int_equal(a.card.y + a.card.h, b.card.y + b.card.h);
    /* the band: 6 + 32 + 6 + narration + 22 + 6 units; below the strip (38 + 104) are 578 */
    ui_layout_ex(&a, 1280, 720, 1.0f, shapes, npos, &dl, UI_LAYOUT_LESSON, 100);
    assert_int_equal(a.narr.h, 100);
    assert_int_equal(a.band.h, 100 + 72);
    assert_int_equal(a.band.y + a.band.h, 720);
    ui_layout_ex(&b, 1280, 720, 1.0f, shapes, npos, &dl, UI_LAYOUT_LESSON, 1000);
    assert_int_equal(b.band.h, 578 * UI_BAND_MAX_PCT / 100);
    assert_true(b.center.y + b.center.h <= b.band.y);
    assert_true(a.card.h > b.card.h);
    assert_int_equal(b.zoom_area.h, 0);
    dl_free(&dl);
}

/* Estimated widths (no backend): 0.6 em a character, so "abcdefghij" at 10 px is 60 px. */
static void test_clip_count(void **ctx)
{
    (void)ctx;
    DrawList dl;
    dl_init(&dl);
    UiColor c = {255, 255, 255, 255};
    dl_text_in(&dl, (UiRect){0, 0, 60, 14}, -1, FONT_SANS, 10, c, "abcdefghij"); /* fits exactly */
    dl_text_in(&dl, (UiRect){0, 0, 100, 7}, 0, FONT_SANS, 10, c, "too low"); /* needs 8 px of height */
    assert_int_equal(dl.nclip, 1);
    dl_text_in(&dl, (UiRect){0, 0, 50, 14}, 1, FONT_SANS, 10, c, "abcdefghij"); /* 10 px too wide */
    assert_int_equal(dl.nclip, 2);
    assert_string_equal(dl.clip_text[0], "too low");
    assert_string_equal(dl.clip_text[1], "abcdefghij");
    dl_clip(&dl, (UiRect){100, 100, 100, 30});
    dl_text(&dl, 100, 100, FONT_SANS, 20, c, "inside"); /* 72 px wide, ink to y 123 */
    dl_text(&dl, 150, 100, FONT_SANS, 20, c, "right"); /* to x 210 */
    dl_text(&dl, 100, 115, FONT_SANS, 20, c, "below"); /* ink to y 138 */
    dl_unclip(&dl);
    dl_text(&dl, 500, 500, FONT_SANS, 20, c, "no clip rect, no box");
    assert_int_equal(dl.nclip, 4);
    assert_string_equal(dl.clip_text[2], "right");
    assert_string_equal(dl.clip_text[3], "below");
    dl_note_clip(&dl, "a line a card had no room for, longer than the eighty bytes kept of each text noted here");
    assert_int_equal(dl.nclip, 5); /* counted; only the first DL_CLIP_KEEP kept */
    assert_string_equal(dl.clip_text[3], "below");
    dl_reset(&dl);
    assert_int_equal(dl.nclip, 0);
    dl_note_clip(&dl, "ééééééééééééééééééééééééééééééééééééééééééééééééé"); /* 98 bytes: cut between characters */
    assert_int_equal((int)strlen(dl.clip_text[0]), 78);
    dl_free(&dl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layouts), cmocka_unit_test(test_scale), cmocka_unit_test(test_grid),
        cmocka_unit_test(test_image_mapping), cmocka_unit_test(test_receptive_fields),
        cmocka_unit_test(test_tile_and_band), cmocka_unit_test(test_clip_count),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
