/* test_export.c - colormaps, montage geometry, filter colours, and export_layer on a
   two-layer Net built by hand (no arch tables or kernels needed). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"

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
    unsigned char c[3];
    colormap_rgb(CMAP_GREY, 0.0f, c);
    assert_rgb(c, 0, 0, 0);
    colormap_rgb(CMAP_GREY, 1.0f, c);
    assert_rgb(c, 255, 255, 255);
    colormap_rgb(CMAP_GREY, 0.5f, c);
    assert_rgb(c, 128, 128, 128);
    colormap_rgb(CMAP_GREY, 7.0f, c); /* clamped */
    assert_rgb(c, 255, 255, 255);
    colormap_rgb(CMAP_GREY, NAN, c);
    assert_rgb(c, 0, 0, 0);
    /* viridis' published ends and middle: #440154, #21908d (0.5), #fde725 */
    colormap_rgb(CMAP_VIRIDIS, 0.0f, c);
    assert_rgb(c, 68, 1, 84);
    colormap_rgb(CMAP_VIRIDIS, 0.5f, c);
    assert_rgb(c, 33, 144, 140);
    colormap_rgb(CMAP_VIRIDIS, 1.0f, c);
    assert_rgb(c, 253, 231, 37);
    colormap_rgb(CMAP_VIRIDIS, -3.0f, c);
    assert_rgb(c, 68, 1, 84);
    /* monotone in lightness along the way: green rises */
    unsigned char prev = 0;
    for (int i = 0; i <= 100; i++) {
        colormap_rgb(CMAP_VIRIDIS, i / 100.0f, c);
        assert_true(c[1] >= prev);
        prev = c[1];
    }
}

static void test_channel_image(void **state)
{
    float d[4] = {0, 1, 2, 3}; /* (2, 2) */
    Image im;
    Err e = {0};
    assert_int_equal(export_channel_image(d, 2, 2, 0.0f, 3.0f, CMAP_GREY, 2, &im, &e), 0);
    assert_int_equal(im.w, 4);
    assert_int_equal(im.h, 4);
    assert_rgb(at(&im, 0, 0), 0, 0, 0);
    assert_rgb(at(&im, 1, 1), 0, 0, 0);     /* nearest neighbour: a 2×2 block */
    assert_rgb(at(&im, 2, 0), 85, 85, 85);  /* 1/3 */
    assert_rgb(at(&im, 3, 3), 255, 255, 255);
    img_free(&im);
    /* a flat range is mid-grey, not black */
    assert_int_equal(export_channel_image(d, 2, 2, 1.0f, 1.0f, CMAP_GREY, 1, &im, &e), 0);
    assert_rgb(at(&im, 1, 1), 128, 128, 128);
    img_free(&im);
    assert_int_equal(export_channel_image(NULL, 2, 2, 0, 1, CMAP_GREY, 1, &im, &e), -1);
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
    assert_int_equal(export_grid_image(d, s, NORM_CHANNEL, CMAP_GREY, 1, &im, &e), 0);
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
    assert_int_equal(export_grid_image(d, s, NORM_LAYER, CMAP_GREY, 1, &im, &e), 0);
    assert_rgb(at(&im, 0, 0), 0, 0, 0);
    assert_rgb(at(&im, 2, 1), 28, 28, 28); /* 5 / 45 */
    assert_rgb(at(&im, 6, 4), 255, 255, 255); /* 45 / 45 */
    img_free(&im);

    /* scale 3 */
    assert_int_equal(export_grid_image(d, s, NORM_CHANNEL, CMAP_VIRIDIS, 3, &im, &e), 0);
    assert_int_equal(im.w, 3 * 9 + 2);
    assert_int_equal(im.h, 2 * 6 + 1);
    assert_rgb(at(&im, 0, 0), 68, 1, 84);
    img_free(&im);

    /* a single channel has no gaps */
    Shape one = {1, 2, 3};
    assert_int_equal(export_grid_image(d, one, NORM_CHANNEL, CMAP_GREY, 1, &im, &e), 0);
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
    assert_int_equal(export_grid_image(v, s, NORM_CHANNEL, CMAP_VIRIDIS, 2, &im, &e), 0);
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
    assert_int_equal(export_filters_image(w, 2, 3, 1, 1, 1, &im, &e), 0);
    assert_int_equal(im.w, 2 * 1 + 1);
    assert_int_equal(im.h, 1);
    assert_rgb(at(&im, 0, 0), 255, 128, 0);   /* BGR weights shown as RGB */
    assert_rgb(at(&im, 2, 0), 128, 128, 128); /* a flat filter is grey */
    img_free(&im);
    assert_int_equal(export_filters_image(w, 2, 3, 1, 0, 1, &im, &e), 0);
    assert_rgb(at(&im, 0, 0), 0, 128, 255);
    img_free(&im);
    assert_int_equal(export_filters_image(w, 1, 6, 1, 0, 1, &im, &e), -1);
}

/* A conv1 with 2 filters of 3×3 over RGB, then an fc-like vector of 10. */
static LayerSpec specs[2] = {
    {.kind = LK_CONV, .name = "conv1", .out = 2, .k = 3, .stride = 1, .groups = 1},
    {.kind = LK_FC, .name = "fc6", .out = 10},
};

static void test_export_layer(void **state)
{
    float conv_out[2 * 4 * 4], fc_out[10], wts[2 * 3 * 3 * 3], bias[2];
    for (int i = 0; i < 32; i++) conv_out[i] = (float)i;
    for (int i = 0; i < 10; i++) fc_out[i] = (float)i;
    for (int i = 0; i < 54; i++) wts[i] = (float)(i % 7);
    LayerWeights lw[2] = {{wts, bias, 54, 2}, {NULL, NULL, 0, 0}};
    ArchSpec arch = {.name = "tiny", .input = {3, 6, 6}, .nlayers = 2, .layers = specs,
                     .preproc = {.bgr = 1}};
    Weights W = {.arch = &arch, .l = lw};
    LayerRun runs[2] = {
        {.spec = &specs[0], .in = {3, 6, 6}, .out = {2, 4, 4}, .computed = 1, .out_data = conv_out},
        {.spec = &specs[1], .in = {2, 4, 4}, .out = {10, 1, 1}, .computed = 1, .out_data = fc_out},
    };
    Net n = {.arch = &arch, .weights = &W, .nlayers = 2, .layers = runs};

    char root[] = "/tmp/alexscope-export-XXXXXX";
    assert_non_null(mkdtemp(root));
    char dir[128], p[256];
    snprintf(dir, sizeof dir, "%s/a/b", root); /* mkdir -p */
    Err e = {0};
    assert_int_equal(export_layer(&n, 0, dir, NORM_CHANNEL, CMAP_VIRIDIS, &e), 4);
    const char *files[] = {"conv1_c000.png", "conv1_c001.png", "conv1_grid.png", "conv1_filters.png"};
    int sizes[][2] = {{128, 128}, {128, 128}, {2 * 48 + 1, 48}, {2 * 12 + 1, 12}};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        Image im;
        assert_int_equal(img_load(p, &im, &e), 0);
        assert_int_equal(im.w, sizes[i][0]);
        assert_int_equal(im.h, sizes[i][1]);
        img_free(&im);
        remove(p);
    }
    assert_int_equal(export_layer(&n, 1, dir, NORM_LAYER, CMAP_GREY, &e), 1);
    snprintf(p, sizeof p, "%s/fc6_strip.png", dir);
    Image im;
    assert_int_equal(img_load(p, &im, &e), 0);
    assert_int_equal(im.w, 80);
    assert_int_equal(im.h, 8);
    img_free(&im);
    remove(p);

    /* refusals */
    runs[1].computed = 0;
    assert_int_equal(export_layer(&n, 1, dir, NORM_LAYER, CMAP_GREY, &e), -1);
    assert_non_null(strstr(e.msg, "fc6"));
    assert_int_equal(export_layer(&n, 2, dir, NORM_LAYER, CMAP_GREY, &e), -1);
    snprintf(p, sizeof p, "%s/file", root);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(export_layer(&n, 0, p, NORM_LAYER, CMAP_GREY, &e), -1);
    assert_int_equal(strncmp(e.msg, p, strlen(p)), 0);
    remove(p);

    rmdir(dir);
    snprintf(p, sizeof p, "%s/a", root);
    rmdir(p);
    assert_int_equal(rmdir(root), 0); /* nothing left behind */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_colormaps),
        cmocka_unit_test(test_channel_image),
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_vector_strip),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_export_layer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
