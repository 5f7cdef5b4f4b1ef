/* test_model.c - model.h: loading the network a user asked for (built-in or a file, arch and
   preset checks) and turning an image or a .npy into its input tensor. Expected values are
   worked out by hand from the test's own patterns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "npy.h"
#include "wfile.h"

#include "support.h"

#define MINI FIXTURES "/golden/mini/mini.safetensors"

/* ---- loading -------------------------------------------------------------------------- */

static void test_builtin_each_arch(void **st)
{
    (void)st;
    static const struct {
        const char *arch, *preset;
        long count; /* C·H·W by hand */
    } want[] = {{"alexnet", "caffe", 3 * 227 * 227}, {"alexnet-tv", "torchvision", 3 * 224 * 224}, {"lenet5", "lenet", 1 * 32 * 32}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        Model m;
        Err e = {0};
        assert_int_equal(model_load(&m, MODEL_BUILTIN, want[i].arch, NULL, &e), 0); /* lenet5's default is trained */
        assert_string_equal(m.arch->name, want[i].arch);
        assert_ptr_equal(m.weights.arch, m.arch);
        assert_int_equal(m.weights.trained, 0);
        assert_string_equal(m.weights.format, "built-in");
        assert_non_null(strstr(m.weights.source, "seed 42"));
        assert_string_equal(m.preproc.name, want[i].preset);
        assert_int_equal(model_input_count(&m), want[i].count);
        model_free(&m);
    }
    /* no arch, no file: alexnet */
    Model m;
    Err e = {0};
    assert_int_equal(model_load(&m, NULL, NULL, NULL, &e), 0);
    assert_ptr_equal(m.arch, &arch_alexnet);
    model_free(&m);
}

static void test_unknown_arch_and_preset(void **st)
{
    (void)st;
    Model m;
    Err e = {0};
    assert_int_equal(model_load(&m, NULL, "vgg16", NULL, &e), -1);
    assert_string_equal(e.msg, "unknown architecture 'vgg16' (known: alexnet, alexnet-tv, lenet5)");
    assert_int_equal(model_load(&m, NULL, "alexnet", "imagenet", &e), -1);
    assert_string_equal(e.msg, "unknown preprocessing preset 'imagenet' (known: caffe, torchvision, lenet)");
    assert_ptr_equal(preproc_find("torchvision"), &arch_alexnet_tv.preproc);
    assert_null(preproc_find("Caffe"));
}

static void test_preset(void **st)
{
    (void)st;
    Model m;
    Err e = {0};
    /* another arch's preset with the same channel count is fine */
    assert_int_equal(model_load(&m, NULL, "alexnet", "torchvision", &e), 0);
    assert_ptr_equal(m.arch, &arch_alexnet);
    assert_string_equal(m.preproc.name, "torchvision");
    assert_int_equal(m.preproc.bgr, 0);
    model_free(&m);
    /* a wrong channel count is not */
    assert_int_equal(model_load(&m, NULL, "lenet5", "caffe", &e), -1);
    assert_string_equal(e.msg, "preset 'caffe' gives 3 channels but lenet5 takes 1");
    assert_null(m.weights.l);
    assert_int_equal(model_load(&m, NULL, NULL, "lenet", &e), -1);
    assert_string_equal(e.msg, "preset 'lenet' gives 1 channels but alexnet takes 3");
}

/* The golden "mini" network has 8 conv1 filters: no known arch, and not alexnet's 96. */
static void test_file_mini(void **st)
{
    (void)st;
    Model m;
    Err e = {0};
    assert_int_equal(model_load(&m, MINI, NULL, NULL, &e), -1);
    assert_non_null(strstr(e.msg, MINI ": cannot tell the architecture"));
    assert_non_null(strstr(e.msg, "8 filters"));
    assert_int_equal(model_load(&m, MINI, "alexnet", NULL, &e), -1);
    assert_non_null(strstr(e.msg, MINI ": conv1: "));
    assert_non_null(strstr(e.msg, "96"));
}

/* A file of a known arch: inferred without --arch, refused by another arch. */
static void test_file_roundtrip(void **st)
{
    (void)st;
    const char *path = ts_path("lenet.safetensors");
    Model b, m;
    Err e = {0};
    assert_int_equal(model_load(&b, NULL, "lenet5", NULL, &e), 0);
    assert_int_equal(wfile_save_safetensors(path, &b.weights, &e), 0);

    assert_int_equal(model_load(&m, path, NULL, NULL, &e), 0);
    assert_ptr_equal(m.arch, &arch_lenet5);
    assert_int_equal(m.weights.trained, 1);
    assert_string_equal(m.weights.format, "safetensors");
    assert_string_equal(m.weights.source, "lenet.safetensors");
    assert_string_equal(m.preproc.name, "lenet");
    assert_memory_equal(m.weights.l[0].w, b.weights.l[0].w, sizeof(float) * (size_t)b.weights.l[0].nw);
    model_free(&m);

    assert_int_equal(model_load(&m, path, "lenet5", "lenet", &e), 0);
    model_free(&m);
    assert_int_equal(model_load(&m, path, "alexnet", NULL, &e), -1);
    assert_non_null(strstr(e.msg, "lenet.safetensors"));
    model_free(&b);
}

static void test_missing_file(void **st)
{
    (void)st;
    char want[600];
    const char *path = ts_path("missing.onnx");
    Model m;
    Err e = {0};
    assert_int_equal(model_load(&m, path, NULL, NULL, &e), -1);
    snprintf(want, sizeof want, "%s: ", path);
    assert_memory_equal(e.msg, want, strlen(want));
    assert_null(m.weights.l);
}

/* ---- the input tensor -------------------------------------------------------------------- */

/* A 3×2×2 network: all model_prepare reads of the arch is its input shape. */
static const ArchSpec tiny = {.name = "tiny", .title = "test", .input = {3, 2, 2}};

/* pixel (x, y), channel c of the test pattern: 10y + x + 100c (all below 256) */
static int pattern(int x, int y, int c) { return 10 * y + x + 100 * c; }

static void make_pattern(Image *im, int w, int h)
{
    Err e = {0};
    assert_int_equal(img_alloc(im, w, h, &e), 0);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) im->px[((size_t)y * w + x) * 3 + c] = (unsigned char)pattern(x, y, c);
}

/* x[c][j][i] of a C×2×2 tensor */
#define AT(x, c, j, i) ((x)[((c) * 2 + (j)) * 2 + (i)])

static void test_prepare_centre_crop(void **st)
{
    (void)st;
    /* 6×4 with the shorter side already 4: no resampling; the centre 2×2 crop starts at
       ((6-2)/2, (4-2)/2) = (2, 1). */
    Model m = {.arch = &tiny,
               .preproc = {.name = "t", .bgr = 1, .scale = 0.5f, .mean = {1, 2, 3}, .std = {2, 4, 8}, .resize = 4}};
    assert_int_equal(model_input_count(&m), 12);
    Image im, crop;
    make_pattern(&im, 6, 4);
    float x[12];
    CropBox box;
    Err e = {0};
    assert_int_equal(model_prepare(&m, &im, 0, -1, x, &box, &crop, &e), 0);
    assert_int_equal(box.crop_x, 2);
    assert_int_equal(box.crop_y, 1);
    assert_int_equal(box.resized_w, 6);
    assert_int_equal(box.resized_h, 4);
    assert_float_equal(box.x, 2, 1e-6), assert_float_equal(box.y, 1, 1e-6);
    assert_float_equal(box.w, 2, 1e-6), assert_float_equal(box.h, 2, 1e-6);
    assert_int_equal(box.mirror, 0);
    /* BGR: channel 0 is blue (pattern channel 2). Pixel (2, 1): R 12, G 112, B 212.
       x[0] = (212 · 0.5 − 1) / 2 = 52.5;  x[1] at (3, 2): G = 123, (61.5 − 2) / 4 = 14.875;
       x[2] at (3, 1): R = 13, (6.5 − 3) / 8 = 0.4375 */
    assert_float_equal(AT(x, 0, 0, 0), 52.5, 1e-5);
    assert_float_equal(AT(x, 1, 1, 1), 14.875, 1e-5);
    assert_float_equal(AT(x, 2, 0, 1), 0.4375, 1e-5);
    /* the crop is RGB, before normalisation */
    assert_int_equal(crop.w, 2);
    assert_int_equal(crop.h, 2);
    assert_int_equal(crop.px[0], pattern(2, 1, 0));
    assert_int_equal(crop.px[(1 * 2 + 1) * 3 + 2], pattern(3, 2, 2));
    img_free(&crop);

    /* mirrored: column 0 of the crop is the image's column 3 */
    assert_int_equal(model_prepare(&m, &im, 1, -1, x, &box, NULL, &e), 0);
    assert_int_equal(box.mirror, 1);
    assert_float_equal(AT(x, 0, 0, 0), (pattern(3, 1, 2) * 0.5f - 1) / 2, 1e-5); /* (213·0.5 − 1)/2 = 52.75 */
    assert_float_equal(AT(x, 0, 0, 0), 52.75, 1e-5);
    img_free(&im);
}

/* A constant 12×8 image through model_prepare with resize 4 (warped or not) to the 2×2
   crop: it stays constant (77), and the box says where the crop came from. */
static void prepare_constant(int warp, CropBox *box)
{
    Model m = {.arch = &tiny, .preproc = {.name = "t", .scale = 1, .std = {1, 1, 1}, .resize = 4, .warp = warp}};
    Image im;
    Err e = {0};
    assert_int_equal(img_alloc(&im, 12, 8, &e), 0);
    memset(im.px, 77, (size_t)12 * 8 * 3);
    float x[12];
    assert_int_equal(model_prepare(&m, &im, 0, -1, x, box, NULL, &e), 0);
    for (int i = 0; i < 12; i++) assert_float_equal(x[i], 77, 1e-6);
    img_free(&im);
}

/* Resized to 6×4 (shorter side 4): the box is in the original's pixels, twice the crop's
   place (2, 1) in the resized image. */
static void test_prepare_box_after_resize(void **st)
{
    (void)st;
    CropBox box;
    prepare_constant(0, &box);
    assert_int_equal(box.resized_w, 6);
    assert_int_equal(box.resized_h, 4);
    assert_float_equal(box.x, 4, 1e-6), assert_float_equal(box.y, 2, 1e-6);
    assert_float_equal(box.w, 4, 1e-6), assert_float_equal(box.h, 4, 1e-6);
}

/* Warped (Caffe): 4×4 whatever the aspect, centre crop 2×2 at (1, 1); in the photo's pixels
   x triples and y doubles: the box is at (3, 2), 6 wide, 4 high. */
static void test_prepare_box_after_warp(void **st)
{
    (void)st;
    CropBox box;
    prepare_constant(1, &box);
    assert_int_equal(box.warp, 1);
    assert_int_equal(box.resized_w, 4);
    assert_int_equal(box.resized_h, 4);
    assert_int_equal(box.crop_x, 1);
    assert_int_equal(box.crop_y, 1);
    assert_float_equal(box.x, 3, 1e-6), assert_float_equal(box.y, 2, 1e-6);
    assert_float_equal(box.w, 6, 1e-6), assert_float_equal(box.h, 4, 1e-6);
}

/* Each arch's default resize, and --resize replacing it. */
static void test_resize_choice(void **st)
{
    (void)st;
    static const struct {
        const char *arch;
        int warp;
        const char *text;
    } want[] = {{"alexnet", 1, "warp 256×256"}, {"alexnet-tv", 0, "shorter side 256"}, {"lenet5", 0, "shorter side 32"}};
    char buf[64];
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        Model m;
        Err e = {0};
        assert_int_equal(model_load(&m, NULL, want[i].arch, NULL, &e), 0);
        assert_int_equal(m.preproc.warp, want[i].warp);
        assert_string_equal(preproc_resize_text(&m.preproc, buf, sizeof buf), want[i].text);
        assert_int_equal(model_set_resize(&m, NULL, &e), 0); /* NULL: unchanged */
        assert_int_equal(m.preproc.warp, want[i].warp);
        assert_int_equal(model_set_resize(&m, want[i].warp ? "short" : "warp", &e), 0);
        assert_int_equal(m.preproc.warp, !want[i].warp);
        assert_int_equal(model_set_resize(&m, "stretch", &e), -1);
        assert_non_null(strstr(e.msg, "not 'stretch'"));
        model_free(&m);
    }
    /* the preset's own choice follows the preset: caffe warps even for alexnet-tv */
    Model m;
    Err e = {0};
    assert_int_equal(model_load(&m, NULL, "alexnet-tv", "caffe", &e), 0);
    assert_int_equal(m.preproc.warp, 1);
    model_free(&m);
}

static void test_image_input(void **st)
{
    (void)st;
    Model m = {.arch = &tiny, .preproc = {.name = "t", .scale = 1, .std = {1, 1, 1}, .resize = 4}};
    const char *path = ts_path("pattern.png");
    Image im;
    Err e = {0};
    make_pattern(&im, 6, 4);
    assert_int_equal(img_write_png(path, &im, &e), 0);
    img_free(&im);
    float x[12];
    assert_int_equal(model_image_input(&m, path, 0, -1, x, NULL, &e), 0);
    assert_float_equal(AT(x, 0, 0, 0), pattern(2, 1, 0), 1e-6); /* RGB, no normalisation */
    assert_float_equal(AT(x, 2, 1, 0), pattern(2, 2, 2), 1e-6);
    path = ts_path("nothing.png");
    assert_int_equal(model_image_input(&m, path, 0, -1, x, NULL, &e), -1);
    assert_non_null(strstr(e.msg, path));
}

static void test_npy_input(void **st)
{
    (void)st;
    Model m = {.arch = &tiny, .preproc = {.name = "t"}};
    float data[12], x[12];
    for (int i = 0; i < 12; i++) data[i] = (float)i * 0.25f;
    const char *path;
    char want[700];
    Err e = {0};

    /* 1×3×2×2 and 3×2×2 are both the input */
    int64_t batch[4] = {1, 3, 2, 2};
    path = ts_path("batch.npy");
    assert_int_equal(npy_write(path, data, batch, 4, &e), 0);
    memset(x, 0, sizeof x);
    assert_int_equal(model_npy_input(&m, path, x, &e), 0);
    assert_memory_equal(x, data, sizeof x);

    /* 3×4×1 has the right count but the wrong shape */
    int64_t wrong[3] = {3, 4, 1};
    path = ts_path("wrong.npy");
    assert_int_equal(npy_write(path, data, wrong, 3, &e), 0);
    assert_int_equal(model_npy_input(&m, path, x, &e), -1);
    snprintf(want, sizeof want, "%s: expected a float32 tensor 3×2×2 (C×H×W, or 1×C×H×W) for tiny", path);
    assert_string_equal(e.msg, want);

    /* 2×3×2×2: a batch of two is not one input */
    int64_t two[4] = {2, 3, 2, 1};
    path = ts_path("two.npy");
    assert_int_equal(npy_write(path, data, two, 4, &e), 0);
    assert_int_equal(model_npy_input(&m, path, x, &e), -1);
    assert_non_null(strstr(e.msg, "expected a float32 tensor"));

    path = ts_path("missing.npy");
    assert_int_equal(model_npy_input(&m, path, x, &e), -1);
    assert_non_null(strstr(e.msg, path));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_each_arch),   cmocka_unit_test(test_unknown_arch_and_preset),
        cmocka_unit_test(test_preset),              cmocka_unit_test(test_file_mini),
        cmocka_unit_test(test_file_roundtrip),      cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_prepare_centre_crop), cmocka_unit_test(test_prepare_box_after_resize),
        cmocka_unit_test(test_prepare_box_after_warp), cmocka_unit_test(test_resize_choice),
        cmocka_unit_test(test_image_input),         cmocka_unit_test(test_npy_input),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
