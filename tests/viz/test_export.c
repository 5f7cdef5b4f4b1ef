/* test_export.c - export_layer and export_maps on a two-layer Net built by hand (no arch
   tables or kernels needed): which files, what sizes, and the refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"
#include "support.h"

/* DIR/NAME is a PNG of w×h; its first pixel's red into *red (may be NULL); then removed. */
static void assert_png(const char *dir, const char *name, int w, int h, int *red)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    Image im;
    Err e = {0};
    assert_int_equal(img_load(p, &im, &e), 0);
    assert_int_equal(im.w, w);
    assert_int_equal(im.h, h);
    if (red) *red = im.px[0];
    img_free(&im);
    remove(p);
}

/* A new empty folder NAME in the test's directory; its path into root. */
static void fresh_dir(const char *name, char *root, size_t size)
{
    snprintf(root, size, "%s", ts_path(name));
    assert_int_equal(mkdir(root, 0700), 0);
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
    static Plan plan;
    plan.arch = &arch, plan.nlayers = 2;
    plan.layers[0] = (PlanLayer){.spec = &specs[0], .in = {3, 6, 6}, .out = {2, 4, 4}};
    plan.layers[1] = (PlanLayer){.spec = &specs[1], .in = {2, 4, 4}, .out = {10, 1, 1}};
    LayerRun runs[2] = {{.computed = 1, .out_data = conv_out}, {.computed = 1, .out_data = fc_out}};
    Net n = {.arch = &arch, .weights = &W, .nlayers = 2, .plan = plan, .run = runs};

    char root[256], dir[300], p[300];
    fresh_dir("layer", root, sizeof root);
    snprintf(dir, sizeof dir, "%s/a/b", root); /* mkdir -p */
    Err e = {0};
    assert_int_equal(export_layer(&n, 0, dir, NORM_CHANNEL, CMAP_VIRIDIS, &e), 4);
    const char *files[] = {"conv1_c000.png", "conv1_c001.png", "conv1_grid.png", "conv1_filters.png"};
    int sizes[][2] = {{128, 128}, {128, 128}, {2 * 48 + 1, 48}, {2 * 12 + 1, 12}};
    for (int i = 0; i < 4; i++) assert_png(dir, files[i], sizes[i][0], sizes[i][1], NULL);
    assert_int_equal(export_layer(&n, 1, dir, NORM_LAYER, CMAP_GREY, &e), 1);
    assert_png(dir, "fc6_strip.png", 80, 8, NULL);

    /* refusals */
    runs[1].computed = 0;
    assert_int_equal(export_layer(&n, 1, dir, NORM_LAYER, CMAP_GREY, &e), -1);
    assert_non_null(strstr(e.msg, "fc6"));
    assert_int_equal(export_layer(&n, 2, dir, NORM_LAYER, CMAP_GREY, &e), -1);
    snprintf(p, sizeof p, "%s/file", root);
    ts_write_file(p, NULL, 0);
    assert_int_equal(export_layer(&n, 0, p, NORM_LAYER, CMAP_GREY, &e), -1);
    assert_int_equal(strncmp(e.msg, p, strlen(p)), 0);
    remove(p);

    rmdir(dir);
    snprintf(p, sizeof p, "%s/a", root);
    rmdir(p);
    assert_int_equal(rmdir(root), 0); /* nothing left behind */
}

/* The input (not a layer): channel files and a grid under the name given. */
static void test_export_maps(void **state)
{
    float x[3 * 2 * 2];
    for (int i = 0; i < 12; i++) x[i] = (float)i;
    char root[256];
    fresh_dir("maps", root, sizeof root);
    Err e = {0};
    assert_int_equal(export_maps(x, (Shape){3, 2, 2}, "input", root, NORM_LAYER, CMAP_GREY, &e), 4);
    const char *files[] = {"input_c000.png", "input_c001.png", "input_c002.png", "input_grid.png"};
    int sizes[][2] = {{128, 128}, {128, 128}, {128, 128}, {2 * 48 + 1, 2 * 48 + 1}};
    int red = 0;
    for (int i = 0; i < 4; i++) assert_png(root, files[i], sizes[i][0], sizes[i][1], i == 2 ? &red : NULL);
    assert_int_equal(red, 185); /* channel 2 starts at 8, on the layer's range 0..11: 8/11·255 */
    assert_int_equal(export_maps(NULL, (Shape){3, 2, 2}, "input", root, NORM_LAYER, CMAP_GREY, &e), -1);
    assert_int_equal(rmdir(root), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export_layer),
        cmocka_unit_test(test_export_maps),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
