/* test_viz.c - colormaps, ranges and their NaN rule, montage geometry, filter colours:
   hand-computed pixels. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "viz.h"

static void assert_rgb(const unsigned char *p, int r, int g, int b)
{
    assert_int_equal(p[0], r);
    assert_int_equal(p[1], g);
    assert_int_equal(p[2], b);
}

static const unsigned char *at(const Image *im, int x, int y)
{
    return im->px + ((size_t)y * im->w + x) * 3;
}

static void test_colormaps(void **state)
{
    static const struct {
        Colormap cm;
        float v;
        unsigned char rgb[3];
    } cases[] = {
        {CMAP_GREY, 0.0f, {0, 0, 0}},        {CMAP_GREY, 1.0f, {255, 255, 255}},
        {CMAP_GREY, 0.5f, {128, 128, 128}},  {CMAP_GREY, 7.0f, {255, 255, 255}}, /* clamped */
        {CMAP_GREY, NAN, {0, 0, 0}},
        /* viridis' published ends and middle: #440154, #21908d (0.5), #fde725 */
        {CMAP_VIRIDIS, 0.0f, {68, 1, 84}},   {CMAP_VIRIDIS, 0.5f, {33, 144, 140}},
        {CMAP_VIRIDIS, 1.0f, {253, 231, 37}}, {CMAP_VIRIDIS, -3.0f, {68, 1, 84}},
    };
    unsigned char c[3];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        viz_colormap_rgb(cases[i].cm, cases[i].v, c);
        assert_rgb(c, cases[i].rgb[0], cases[i].rgb[1], cases[i].rgb[2]);
    }
    /* monotone in lightness along the way: green rises */
    unsigned char prev = 0;
    for (int i = 0; i <= 100; i++) {
        viz_colormap_rgb(CMAP_VIRIDIS, i / 100.0f, c);
        assert_true(c[1] >= prev);
        prev = c[1];
    }
}

static void test_channel_image(void **state)
{
    float d[4] = {0, 1, 2, 3}; /* (2, 2) */
    Image im;
    Err e = {0};
    assert_int_equal(viz_channel_image(d, 2, 2, 0.0f, 3.0f, CMAP_GREY, 2, &im, &e), 0);
    assert_int_equal(im.w, 4);
    assert_int_equal(im.h, 4);
    assert_rgb(at(&im, 0, 0), 0, 0, 0);
    assert_rgb(at(&im, 1, 1), 0, 0, 0);     /* nearest neighbour: a 2×2 block */
    assert_rgb(at(&im, 2, 0), 85, 85, 85);  /* 1/3 */
    assert_rgb(at(&im, 3, 3), 255, 255, 255);
    img_free(&im);
    /* a flat range is mid-grey, not black */
    assert_int_equal(viz_channel_image(d, 2, 2, 1.0f, 1.0f, CMAP_GREY, 1, &im, &e), 0);
    assert_rgb(at(&im, 1, 1), 128, 128, 128);
    img_free(&im);
    assert_int_equal(viz_channel_image(NULL, 2, 2, 0, 1, CMAP_GREY, 1, &im, &e), -1);
    assert_null(im.px);
}

static void test_grid(void **state)
{
    /* 5 channels of 2×3: 3 columns, 2 rows, 1-px gaps -> 11×5 */
    float d[5 * 6];
    for (int c = 0; c < 5; c++)
        for (int i = 0; i < 6; i++) d[c * 6 + i] = (float)(c * 10 + i);
    Image im;
    Err e = {0};
    Shape s = {5, 2, 3};
    assert_int_equal(viz_grid_image(d, s, NORM_CHANNEL, CMAP_GREY, 1, &im, &e), 0);
    assert_int_equal(im.w, 3 * 3 + 2);
    assert_int_equal(im.h, 2 * 2 + 1);
    assert_rgb(at(&im, 3, 0), 255, 255, 255); /* gap column */
    assert_rgb(at(&im, 0, 2), 255, 255, 255); /* gap row */
    /* each channel on its own range: every tile runs black to white */
    assert_rgb(at(&im, 4, 0), 0, 0, 0);        /* channel 1, first value */
    assert_rgb(at(&im, 6, 1), 255, 255, 255);  /* channel 1, last value */
    assert_rgb(at(&im, 4, 3), 0, 0, 0);        /* channel 4 (row 2, col 1) */
    assert_rgb(at(&im, 10, 4), 255, 255, 255); /* empty last cell stays background */
    img_free(&im);

    /* one range for the layer: channel 0 is dark, channel 4 bright */
    assert_int_equal(viz_grid_image(d, s, NORM_LAYER, CMAP_GREY, 1, &im, &e), 0);
    assert_rgb(at(&im, 0, 0), 0, 0, 0);
    assert_rgb(at(&im, 2, 1), 28, 28, 28); /* 5 / 45 */
    assert_rgb(at(&im, 6, 4), 255, 255, 255); /* 45 / 45 */
    img_free(&im);

    /* scale 3 */
    assert_int_equal(viz_grid_image(d, s, NORM_CHANNEL, CMAP_VIRIDIS, 3, &im, &e), 0);
    assert_int_equal(im.w, 3 * 9 + 2);
    assert_int_equal(im.h, 2 * 6 + 1);
    assert_rgb(at(&im, 0, 0), 68, 1, 84);
    img_free(&im);

    /* a single channel has no gaps */
    Shape one = {1, 2, 3};
    assert_int_equal(viz_grid_image(d, one, NORM_CHANNEL, CMAP_GREY, 1, &im, &e), 0);
    assert_int_equal(im.w, 3);
    assert_int_equal(im.h, 2);
    img_free(&im);
}

static void test_vector_strip(void **state)
{
    float v[130];
    for (int i = 0; i < 130; i++) v[i] = (float)i;
    Shape s = {130, 1, 1};
    Image im;
    Err e = {0};
    assert_int_equal(viz_grid_image(v, s, NORM_CHANNEL, CMAP_VIRIDIS, 2, &im, &e), 0);
    assert_int_equal(im.w, 64 * 2);
    assert_int_equal(im.h, 3 * 2);
    assert_rgb(at(&im, 0, 0), 68, 1, 84);          /* unit 0 */
    assert_rgb(at(&im, 2 * 1, 4), 253, 231, 37);   /* unit 129 = row 2, col 1 */
    assert_rgb(at(&im, 2 * 5, 4), 255, 255, 255);  /* past the end: background */
    img_free(&im);
}

static void test_filters(void **state)
{
    /* two 1×1 filters (cout 2, cin 3): filter 0 = (ch0 0, ch1 0.5, ch2 1) */
    float w[6] = {0.0f, 0.5f, 1.0f, 2.0f, 2.0f, 2.0f};
    Image im;
    Err e = {0};
    assert_int_equal(viz_filters_image(w, 2, 3, 1, 1, 1, &im, &e), 0);
    assert_int_equal(im.w, 2 * 1 + 1);
    assert_int_equal(im.h, 1);
    assert_rgb(at(&im, 0, 0), 255, 128, 0);   /* BGR weights shown as RGB */
    assert_rgb(at(&im, 2, 0), 128, 128, 128); /* a flat filter is grey */
    img_free(&im);
    assert_int_equal(viz_filters_image(w, 2, 3, 1, 0, 1, &im, &e), 0);
    assert_rgb(at(&im, 0, 0), 0, 128, 255);
    img_free(&im);
    assert_int_equal(viz_filters_image(w, 1, 6, 1, 0, 1, &im, &e), -1);
}

static void test_range_and_unit(void **state)
{
    float lo, hi;
    float a[4] = {NAN, 2.0f, -1.0f, NAN};
    viz_range(a, 4, &lo, &hi); /* NaN skipped, even first */
    assert_true(lo == -1.0f && hi == 2.0f);
    float nan2[2] = {NAN, NAN};
    viz_range(nan2, 2, &lo, &hi);
    assert_true(lo == 0.0f && hi == 0.0f);
    viz_range(a, 0, &lo, &hi);
    assert_true(lo == 0.0f && hi == 0.0f);
    assert_true(viz_unit(0.5f, -1.0f, 2.0f) == 0.5f);
    assert_true(viz_unit(5.0f, -1.0f, 2.0f) == 1.0f);
    assert_true(viz_unit(-5.0f, -1.0f, 2.0f) == 0.0f);
    assert_true(viz_unit(NAN, -1.0f, 2.0f) == 0.0f);
    assert_true(viz_unit(3.0f, 3.0f, 3.0f) == 0.5f);          /* flat */
    assert_true(viz_unit(0.0f, -3e38f, 3e38f) == 0.5f);       /* the width overflows */
    assert_int_equal(viz_grid_cols(1), 1);
    assert_int_equal(viz_grid_cols(5), 3);
    assert_int_equal(viz_grid_cols(9), 3);
    assert_int_equal(viz_grid_cols(10), 4);
    assert_int_equal(viz_grid_cols(96), 10);
}

/* A NaN in the first place of a channel used to make the window's range NaN (a flat,
   mid-grey tile) while the export skipped it: now both skip it. */
static void test_nan_map(void **state)
{
    float d[4] = {NAN, 0.0f, 1.0f, 2.0f}; /* (1, 2, 2) */
    unsigned char px[2 * 2 * 3];
    Image c = {2, 2, px};
    Shape s = {1, 2, 2};
    viz_paint_grid(&c, d, s, NORM_CHANNEL, CMAP_GREY, 1, 1, 0);
    assert_rgb(at(&c, 0, 0), 0, 0, 0);       /* NaN: the low end */
    assert_rgb(at(&c, 1, 0), 0, 0, 0);       /* 0 on [0, 2] */
    assert_rgb(at(&c, 0, 1), 128, 128, 128); /* 1 on [0, 2] */
    assert_rgb(at(&c, 1, 1), 255, 255, 255);
}

/* A canvas larger than the picture: painting stays inside its block. */
static void test_paint_into_canvas(void **state)
{
    unsigned char px[4 * 3 * 3];
    memset(px, 7, sizeof px);
    Image c = {4, 3, px};
    float v[3] = {0.0f, 1.0f, 2.0f};
    viz_paint_strip(&c, v, 3, 2, CMAP_GREY, 1); /* 2 columns: (0,0) (1,0) (0,1) */
    assert_rgb(at(&c, 0, 0), 0, 0, 0);
    assert_rgb(at(&c, 1, 0), 128, 128, 128);
    assert_rgb(at(&c, 0, 1), 255, 255, 255);
    assert_rgb(at(&c, 1, 1), 7, 7, 7);
    assert_rgb(at(&c, 2, 0), 7, 7, 7);
    float f[3] = {1.0f, 0.0f, 2.0f}; /* one 1×1 filter, BGR weights (b 1, g 0, r 2) */
    viz_paint_filter_rgb(&c, 3, 2, f, 3, 1, 1, 1);
    assert_rgb(at(&c, 3, 2), 255, 0, 128);
    unsigned char d[3];
    viz_diverging_rgb(-1.0f, d);
    assert_rgb(d, 33, 102, 172);
    viz_diverging_rgb(0.0f, d);
    assert_rgb(d, 247, 247, 247);
    viz_diverging_rgb(2.0f, d);
    assert_rgb(d, 178, 24, 43);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_colormaps),      cmocka_unit_test(test_range_and_unit),
        cmocka_unit_test(test_nan_map),        cmocka_unit_test(test_paint_into_canvas),
        cmocka_unit_test(test_channel_image),  cmocka_unit_test(test_grid),
        cmocka_unit_test(test_vector_strip),   cmocka_unit_test(test_filters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
