/* test_model_crops.c - model.h's ten crops: the boxes (offsets worked out by hand: 256 - 227
   = 29, centre 29 / 2 = 14; 256 - 224 = 32, centre 16), the copy with and without the
   mirror, and model_full_input's checks (lenet5 refused, a .npy of the wrong shape). */
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

#include "support.h"

static void expect_boxes(const ModelCrop *c, const int *xs, const int *ys)
{
    for (int i = 0; i < 10; i++) {
        assert_int_equal(c[i].x, xs[i % 5]);
        assert_int_equal(c[i].y, ys[i % 5]);
        assert_int_equal(c[i].mirror, i >= 5);
    }
}

static void test_boxes_227_from_256(void **st)
{
    (void)st;
    ModelCrop c[10];
    assert_int_equal(model_ten_crops(256, 256, 227, 227, c), 0);
    /* top-left, top-right, bottom-left, bottom-right, centre */
    const int xs[5] = {0, 29, 0, 29, 14}, ys[5] = {0, 0, 29, 29, 14};
    expect_boxes(c, xs, ys);
    assert_string_equal(c[0].name, "top-left");
    assert_string_equal(c[4].name, "centre");
    assert_string_equal(c[9].name, "centre, mirrored");
}

static void test_boxes_224_from_256_and_oblong(void **st)
{
    (void)st;
    ModelCrop c[10];
    assert_int_equal(model_ten_crops(256, 256, 224, 224, c), 0);
    const int xs[5] = {0, 32, 0, 32, 16}, ys[5] = {0, 0, 32, 32, 16};
    expect_boxes(c, xs, ys);
    /* a 385×256 photo (shorter side 256): across 161 to spare, centre 80 */
    assert_int_equal(model_ten_crops(385, 256, 224, 224, c), 0);
    const int xs2[5] = {0, 161, 0, 161, 80};
    expect_boxes(c, xs2, ys);
    assert_int_equal(model_ten_crops(200, 256, 224, 224, c), -1);
}

static void test_crop_tensor_and_mirror(void **st)
{
    (void)st;
    /* 2 channels of 4×3, value = 100 c + 10 y + x; crop 2×2 at x 1, y 1 */
    float src[2 * 3 * 4], dst[8];
    for (int c = 0; c < 2; c++)
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++) src[(c * 3 + y) * 4 + x] = (float)(100 * c + 10 * y + x);
    ModelCrop b = {.name = "t", .x = 1, .y = 1, .mirror = 0};
    model_crop_tensor(src, 2, 4, 3, &b, 2, 2, dst);
    const float plain[8] = {11, 12, 21, 22, 111, 112, 121, 122};
    for (int i = 0; i < 8; i++) assert_true(dst[i] == plain[i]);
    b.mirror = 1;
    model_crop_tensor(src, 2, 4, 3, &b, 2, 2, dst);
    const float mirrored[8] = {12, 11, 22, 21, 112, 111, 122, 121};
    for (int i = 0; i < 8; i++) assert_true(dst[i] == mirrored[i]);
}

static void test_full_input_npy_and_refusals(void **st)
{
    (void)st;
    Model m;
    Err e = {0};
    float *big = NULL;
    int w = 0, h = 0;
    assert_int_equal(model_load(&m, NULL, "lenet5", NULL, &e), 0);
    assert_int_equal(model_full_input(&m, "x.png", NULL, &big, &w, &h, &e), -1);
    assert_non_null(strstr(e.msg, "lenet5"));
    assert_null(big);
    model_free(&m);

    assert_int_equal(model_load(&m, NULL, "alexnet", NULL, &e), 0);
    const int64_t good[3] = {3, 256, 256}, bad[3] = {3, 227, 227};
    float *data = calloc(3 * 256 * 256, sizeof(float));
    assert_non_null(data);
    data[(2 * 256 + 5) * 256 + 7] = 4.5f; /* channel 2, y 5, x 7 */
    assert_int_equal(npy_write(ts_path("good.npy"), data, good, 3, &e), 0);
    assert_int_equal(npy_write(ts_path("bad.npy"), data, bad, 3, &e), 0);
    assert_int_equal(model_full_input(&m, NULL, ts_path("good.npy"), &big, &w, &h, &e), 0);
    assert_int_equal(w, 256);
    assert_int_equal(h, 256);
    assert_true(big[(2 * 256 + 5) * 256 + 7] == 4.5f);
    free(big);
    assert_int_equal(model_full_input(&m, NULL, ts_path("bad.npy"), &big, &w, &h, &e), -1);
    assert_non_null(strstr(e.msg, "bad.npy: expected a float32 tensor 3×256×256"));
    assert_null(big);
    free(data);
    model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boxes_227_from_256),
        cmocka_unit_test(test_boxes_224_from_256_and_oblong),
        cmocka_unit_test(test_crop_tensor_and_mirror),
        cmocka_unit_test(test_full_input_npy_and_refusals),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
