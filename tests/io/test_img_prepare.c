/* test_img_prepare.c - resizing an Image and the preprocessing arithmetic (warp to a square
   or resize the shorter side, centre or seeded random crop, mirror, mean / std, BGR, grey)
   on tiny images whose answers can be worked out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "img.h"
#include "img_check.h"

#define GOOD FIXTURES "/good/"

/* Caffe warps (its default), caffe_short keeps the aspect as torchvision does. */
static const Preproc caffe = {.name = "caffe", .bgr = 1, .scale = 1.0f, .mean = {104.0f, 117.0f, 123.0f},
                              .std = {1, 1, 1}, .resize = 256, .warp = 1};
static const Preproc caffe_short = {.name = "caffe", .bgr = 1, .scale = 1.0f, .mean = {104.0f, 117.0f, 123.0f},
                                    .std = {1, 1, 1}, .resize = 256};
static const Preproc tv = {.name = "torchvision", .scale = 1.0f / 255.0f, .mean = {0.485f, 0.456f, 0.406f},
                           .std = {0.229f, 0.224f, 0.225f}, .resize = 256};

/* ---- resize ------------------------------------------------------------------------ */

static void test_resize(void **state)
{
    Image in = {7, 5, malloc(7 * 5 * 3)}, out;
    Err e = {0};
    for (int i = 0; i < 35; i++) {
        in.px[i * 3] = 50;
        in.px[i * 3 + 1] = 100;
        in.px[i * 3 + 2] = 150;
    }
    /* a flat picture stays flat: the filter's weights sum to one */
    assert_int_equal(img_resize(&in, 3, 3, &out, &e), 0);
    assert_int_equal(out.w, 3);
    for (int i = 0; i < 9; i++) {
        assert_true(abs(out.px[i * 3] - 50) <= 1);
        assert_true(abs(out.px[i * 3 + 2] - 150) <= 1);
    }
    img_free(&out);
    assert_int_equal(img_resize(&in, 20, 11, &out, &e), 0);
    assert_int_equal(out.h, 11);
    assert_true(abs(out.px[(10 * 20 + 19) * 3 + 1] - 100) <= 1);
    img_free(&out);
    assert_int_equal(img_resize(&in, 0, 3, &out, &e), -1);
    assert_null(out.px);
    img_free(&in);
}

/* ---- preprocessing ----------------------------------------------------------------- */

/* img_prepare of make_coords(w, h) under preset pre with its resize set to resize (warped
   or shorter side as pre says), cropped to cw×ch: the floats into x, the box into b. */
static void prepare_coords(int w, int h, const Preproc *pre, int resize, int cw, int ch, int mirror,
                           long long seed, float *x, CropBox *b)
{
    Image im;
    make_coords(&im, w, h);
    Preproc p = *pre;
    p.resize = resize;
    Err e = {0};
    if (img_prepare(&im, &p, cw, ch, mirror, seed, x, b, &e) != 0) fail_msg("%s", e.msg);
    img_free(&im);
}

static void test_prepare_caffe_centre(void **state)
{
    float x[3 * 2 * 2];
    CropBox b;
    prepare_coords(4, 4, &caffe, 4, 2, 2, 0, -1, x, &b); /* 4: no resampling, every value is exact */
    /* centre crop of 4 -> 2 starts at (1, 1) */
    assert_int_equal(b.crop_x, 1);
    assert_int_equal(b.crop_y, 1);
    assert_int_equal(b.resized_w, 4);
    assert_true(b.x == 1.0f && b.y == 1.0f && b.w == 2.0f && b.h == 2.0f);
    assert_int_equal(b.mirror, 0);
    /* BGR: channel 0 is blue (100 - 104), 1 green (10y - 117), 2 red (10x - 123) */
    for (int i = 0; i < 4; i++) assert_float_equal(x[i], -4.0f, 1e-6);
    assert_float_equal(x[4 + 0], 10.0f - 117.0f, 1e-6);  /* (y=1) */
    assert_float_equal(x[4 + 2], 20.0f - 117.0f, 1e-6);  /* (y=2) */
    assert_float_equal(x[8 + 0], 10.0f - 123.0f, 1e-6);  /* (x=1) */
    assert_float_equal(x[8 + 1], 20.0f - 123.0f, 1e-6);  /* (x=2) */
}

static void test_prepare_mirror(void **state)
{
    float x[3 * 2 * 2];
    CropBox b;
    prepare_coords(4, 4, &caffe, 4, 2, 2, 1, -1, x, &b);
    assert_int_equal(b.mirror, 1);
    assert_int_equal(b.crop_x, 1); /* the same crop, read right to left */
    assert_float_equal(x[8 + 0], 20.0f - 123.0f, 1e-6);
    assert_float_equal(x[8 + 1], 10.0f - 123.0f, 1e-6);
    assert_float_equal(x[4 + 0], 10.0f - 117.0f, 1e-6); /* rows unchanged */

    Image im, c;
    make_coords(&im, 4, 4);
    Preproc p = caffe;
    p.resize = 4;
    Err e = {0};
    assert_int_equal(img_crop_rgb(&im, &p, 2, 2, 1, -1, &c, &e), 0);
    assert_px(&c, 0, 0, 20, 10, 100);
    assert_px(&c, 1, 0, 10, 10, 100);
    assert_px(&c, 0, 1, 20, 20, 100);
    img_free(&c);
    img_free(&im);
}

static void test_prepare_torchvision(void **state)
{
    float x[3 * 2 * 2];
    CropBox b;
    prepare_coords(6, 4, &tv, 4, 2, 2, 0, -1, x, &b); /* 6×4 stays 6×4 */
    assert_int_equal(b.crop_x, 2);
    assert_int_equal(b.crop_y, 1);
    /* RGB, 0..1, (v - mean) / std */
    assert_float_equal(x[0], (20.0f / 255 - 0.485f) / 0.229f, 1e-5);   /* R at x=2 */
    assert_float_equal(x[1], (30.0f / 255 - 0.485f) / 0.229f, 1e-5);   /* R at x=3 */
    assert_float_equal(x[4 + 2], (20.0f / 255 - 0.456f) / 0.224f, 1e-5); /* G at y=2 */
    assert_float_equal(x[8 + 3], (100.0f / 255 - 0.406f) / 0.225f, 1e-5); /* B */
}

static void test_caffe_offset_14(void **state)
{
    float *x = malloc(sizeof(float) * 3 * 227 * 227);
    assert_non_null(x);
    CropBox b;
    prepare_coords(256, 256, &caffe, caffe.resize, 227, 227, 0, -1, x, &b);
    assert_int_equal(b.crop_x, 14); /* (256 - 227) / 2, as Caffe */
    assert_int_equal(b.crop_y, 14);
    /* pixel (0,0) of the crop is image (14,14); red = 140 (mod 256) - 123 */
    assert_float_equal(x[2 * 227 * 227], 140.0f - 123.0f, 1e-6);
    free(x);
}

static void test_prepare_resize_box(void **state)
{
    float x[3 * 2 * 2];
    CropBox b;
    prepare_coords(8, 4, &caffe_short, 2, 2, 2, 0, -1, x, &b); /* 8×4 -> 4×2 */
    assert_int_equal(b.resized_w, 4);
    assert_int_equal(b.resized_h, 2);
    assert_int_equal(b.crop_x, 1);
    assert_int_equal(b.crop_y, 0);
    /* back in the original's pixels: everything doubles */
    assert_float_equal(b.x, 2.0f, 1e-6);
    assert_float_equal(b.y, 0.0f, 1e-6);
    assert_float_equal(b.w, 4.0f, 1e-6);
    assert_float_equal(b.h, 4.0f, 1e-6);

    /* resize <= 0: the whole picture squeezed to the crop size */
    prepare_coords(10, 6, &caffe_short, 0, 2, 2, 0, -1, x, &b);
    assert_int_equal(b.resized_w, 2);
    assert_int_equal(b.crop_x, 0);
    assert_float_equal(b.w, 10.0f, 1e-6);
    assert_float_equal(b.h, 6.0f, 1e-6);

    /* a resize smaller than the crop still yields a full crop, warped or not */
    float y[3 * 3 * 3];
    prepare_coords(8, 4, &caffe_short, 2, 3, 3, 0, -1, y, &b);
    assert_true(b.resized_w >= 3 && b.resized_h >= 3);
    prepare_coords(8, 4, &caffe, 2, 3, 3, 0, -1, y, &b);
    assert_int_equal(b.resized_w, 3);
    assert_int_equal(b.resized_h, 3);
}

/* Caffe's test-time resize: the whole photo to resize×resize, aspect not kept. A 4×2 image
   (red 10x, green 10y) warped to 2×2: rows stay, each column pair is shrunk by the
   triangle filter widened ×2 (as PIL's BILINEAR): output x 0 has its centre at input 1.0,
   weights 0.75, 0.75, 0.25 on inputs 0, 1, 2 (input -1 is outside), so red
   (0·0.75 + 10·0.75 + 20·0.25) / 1.75 = 7.14 -> 7; output x 1: inputs 1, 2, 3 weigh 0.25,
   0.75, 0.75, red (2.5 + 15 + 22.5) / 1.75 = 22.86 -> 23. */
static void test_prepare_warp(void **state)
{
    float x[3 * 2 * 2];
    CropBox b;
    prepare_coords(4, 2, &caffe, 2, 2, 2, 0, -1, x, &b);
    assert_int_equal(b.warp, 1);
    assert_int_equal(b.resized_w, 2);
    assert_int_equal(b.resized_h, 2);
    assert_int_equal(b.crop_x, 0);
    assert_int_equal(b.crop_y, 0);
    assert_float_equal(b.w, 4.0f, 1e-6); /* the crop is the whole photo */
    assert_float_equal(b.h, 2.0f, 1e-6);
    /* BGR: channel 2 is red */
    assert_float_equal(x[8 + 0], 7.0f - 123.0f, 1e-6);
    assert_float_equal(x[8 + 1], 23.0f - 123.0f, 1e-6);
    assert_float_equal(x[8 + 2], 7.0f - 123.0f, 1e-6);
    assert_float_equal(x[4 + 0], 0.0f - 117.0f, 1e-6);  /* green, row 0 */
    assert_float_equal(x[4 + 2], 10.0f - 117.0f, 1e-6); /* green, row 1 */

    /* 8×4 warped to 4×4, centre crop 2×2 at (1, 1); in the photo's pixels x doubles and y
       stays: the box is at (2, 1), 4 wide and 2 high. The shorter side instead leaves 8×4
       as it is and crops at (3, 1), a 2×2 box. */
    prepare_coords(8, 4, &caffe, 4, 2, 2, 0, -1, x, &b);
    assert_int_equal(b.resized_w, 4);
    assert_int_equal(b.resized_h, 4);
    assert_int_equal(b.crop_x, 1);
    assert_int_equal(b.crop_y, 1);
    assert_true(b.x == 2.0f && b.y == 1.0f && b.w == 4.0f && b.h == 2.0f);
    prepare_coords(8, 4, &caffe_short, 4, 2, 2, 0, -1, x, &b);
    assert_int_equal(b.warp, 0);
    assert_int_equal(b.resized_w, 8);
    assert_int_equal(b.crop_x, 3);
    assert_true(b.x == 3.0f && b.y == 1.0f && b.w == 2.0f && b.h == 2.0f);
}

/* What --verbose and the window say, with the numbers img_prepare used. */
static void test_crop_text(void **state)
{
    char buf[256];
    CropBox w = {.orig_w = 451, .orig_h = 300, .resized_w = 256, .resized_h = 256, .warp = 1,
                 .crop_x = 14, .crop_y = 14, .crop_w = 227, .crop_h = 227};
    assert_string_equal(img_crop_text(&w, buf, sizeof buf),
                        "451×300 warped to 256×256 (aspect not kept), centre crop 227×227 at x 14, y 14");
    CropBox s = {.orig_w = 451, .orig_h = 300, .resized_w = 384, .resized_h = 256, .crop_x = 3, .crop_y = 20,
                 .crop_w = 224, .crop_h = 224, .random = 1, .mirror = 1};
    assert_string_equal(img_crop_text(&s, buf, sizeof buf),
                        "451×300, shorter side to 256: 384×256 (aspect kept), random crop 224×224 at x 3, y 20, mirrored");
    /* and from a real run: 451×300 -> 256×256 -> (256 - 227) / 2 = 14 */
    float *x = malloc(sizeof(float) * 3 * 227 * 227);
    assert_non_null(x);
    prepare_coords(451, 300, &caffe, 256, 227, 227, 0, -1, x, &w);
    assert_string_equal(img_crop_text(&w, buf, sizeof buf),
                        "451×300 warped to 256×256 (aspect not kept), centre crop 227×227 at x 14, y 14");
    /* torchvision: int(256 · 451 / 300) = 384, (384 - 224) / 2 = 80, (256 - 224) / 2 = 16 */
    prepare_coords(451, 300, &tv, 256, 224, 224, 0, -1, x, &s);
    assert_string_equal(img_crop_text(&s, buf, sizeof buf),
                        "451×300, shorter side to 256: 384×256 (aspect kept), centre crop 224×224 at x 80, y 16");
    free(x);
}

static void test_random_crop(void **state)
{
    float x[3 * 5 * 5];
    CropBox a, b;
    prepare_coords(20, 12, &caffe_short, 12, 5, 5, 0, 42, x, &a); /* 20×12 stays 20×12 */
    prepare_coords(20, 12, &caffe_short, 12, 5, 5, 0, 42, x, &b);
    assert_int_equal(a.crop_x, b.crop_x); /* the seed decides */
    assert_int_equal(a.crop_y, b.crop_y);
    int distinct = 0;
    for (long long s = 0; s < 32; s++) {
        prepare_coords(20, 12, &caffe_short, 12, 5, 5, 0, s, x, &b);
        assert_true(b.crop_x >= 0 && b.crop_x <= 20 - 5);
        assert_true(b.crop_y >= 0 && b.crop_y <= 12 - 5);
        if (b.crop_x != a.crop_x || b.crop_y != a.crop_y) distinct++;
        /* the values are the crop's: red at output x=0 is 10 * crop_x - 123 */
        assert_float_equal(x[2 * 25], 10.0f * b.crop_x - 123.0f, 1e-6);
    }
    assert_true(distinct > 0);
}

static void test_prepare_grey(void **state)
{
    Image im = {1, 1, malloc(3)};
    im.px[0] = 10;
    im.px[1] = 20;
    im.px[2] = 30;
    Preproc p = {.name = "lenet", .grey = 1, .scale = 1.0f, .mean = {5.0f, 0, 0}, .std = {2.0f, 1, 1}};
    float x[1];
    Err e = {0};
    assert_int_equal(img_prepare(&im, &p, 1, 1, 0, -1, x, NULL, &e), 0);
    /* (0.299*10 + 0.587*20 + 0.114*30 - 5) / 2 = (18.15 - 5) / 2 */
    assert_float_equal(x[0], (18.15f - 5.0f) / 2.0f, 1e-4);
    img_free(&im);

    /* a grey file through an RGB preset: three equal channels */
    assert_int_equal(img_load(GOOD "grey.png", &im, &e), 0);
    Preproc q = caffe;
    q.resize = 2;
    float y[3 * 2 * 2];
    assert_int_equal(img_prepare(&im, &q, 2, 2, 0, -1, y, NULL, &e), 0);
    for (int i = 0; i < 4; i++) {
        assert_float_equal(y[i] + 104.0f, y[4 + i] + 117.0f, 1e-4);
        assert_float_equal(y[i] + 104.0f, y[8 + i] + 123.0f, 1e-4);
    }
    img_free(&im);
}

static void test_prepare_errors(void **state)
{
    Image im;
    make_coords(&im, 4, 4);
    float x[12];
    Err e = {0};
    assert_int_equal(img_prepare(NULL, &caffe, 2, 2, 0, -1, x, NULL, &e), -1);
    assert_int_equal(img_prepare(&im, NULL, 2, 2, 0, -1, x, NULL, &e), -1);
    assert_int_equal(img_prepare(&im, &caffe, 0, 2, 0, -1, x, NULL, &e), -1);
    assert_int_equal(img_prepare(&im, &caffe, 2, 2, 0, -1, NULL, NULL, &e), -1);
    Image empty = {0, 0, NULL};
    assert_int_equal(img_prepare(&empty, &caffe, 2, 2, 0, -1, x, NULL, &e), -1);
    img_free(&im);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resize),
        cmocka_unit_test(test_prepare_caffe_centre),
        cmocka_unit_test(test_prepare_mirror),
        cmocka_unit_test(test_prepare_torchvision),
        cmocka_unit_test(test_caffe_offset_14),
        cmocka_unit_test(test_prepare_resize_box),
        cmocka_unit_test(test_prepare_warp),
        cmocka_unit_test(test_crop_text),
        cmocka_unit_test(test_random_crop),
        cmocka_unit_test(test_prepare_grey),
        cmocka_unit_test(test_prepare_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
