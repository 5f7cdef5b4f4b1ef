/* test_wfile_caffe.c - Caffe .caffemodel: V1 and V2 layers, matched by name or by order;
   and the refusals (missing layers, no weighted layers, wrong bias shape, too few values). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "wfile.h"
#include "wfile_writer.h"

static void test_caffe_variants(void **state)
{
    Weights ref;
    fill_ref(&arch_tiny, &ref);
    const char *p = ts_path("m.caffemodel");
    for (int v1 = 0; v1 < 2; v1++)
        for (int rename = 0; rename < 2; rename++) {
            cf_file(p, &arch_tiny, &ref, v1, rename);
            Err e = {{0}};
            assert_int_equal(wfile_detect(p, &e), WF_CAFFE);
            expect_load(p, &arch_tiny, &arch_tiny, &ref, "caffemodel");
        }
    weights_free(&ref);
}

static void test_caffe_refusals(void **state)
{
    Weights ref;
    fill_ref(&arch_tiny, &ref);
    const char *p = ts_path("bad.caffemodel");
    /* fewer layers than the arch, names that do not match: the missing layer is named */
    Buf m = {0}, layer = {0};
    b_str(&m, 1, "x");
    b_str(&layer, 1, "other");
    b_str(&layer, 2, "Convolution");
    b_msg(&m, 100, &layer);
    ts_write_file(p, m.p, m.n);
    expect_fail(p, &arch_tiny, "conv1", "missing", NULL);
    expect_fail(p, NULL, "architecture", "no Convolution layer with weights", NULL);
    b_free(&m);
    /* no weighted layers at all */
    b_str(&layer, 1, "relu");
    b_str(&layer, 2, "ReLU");
    b_msg(&m, 100, &layer);
    ts_write_file(p, m.p, m.n);
    expect_fail(p, &arch_tiny, "no Convolution or InnerProduct", NULL, NULL);
    b_free(&m);
    /* a bias with the wrong length */
    int64_t d4[4] = {4, 3, 3, 3}, d3 = 3;
    b_str(&layer, 1, "conv1");
    b_str(&layer, 2, "Convolution");
    cf_blob(&layer, 7, d4, 4, ref.l[0].w, 108, 0, 0);
    cf_blob(&layer, 7, &d3, 1, ref.l[0].b, 3, 0, 0);
    b_msg(&m, 100, &layer);
    ts_write_file(p, m.p, m.n);
    expect_fail(p, &arch_tiny, "conv1: bias shape 3, expected 4", NULL, NULL);
    b_free(&m);
    /* the right shape but too few values */
    b_str(&layer, 1, "conv1");
    b_str(&layer, 2, "Convolution");
    cf_blob(&layer, 7, d4, 4, ref.l[0].w, 100, 0, 1);
    b_msg(&m, 100, &layer);
    ts_write_file(p, m.p, m.n);
    expect_fail(p, &arch_tiny, "conv1", "has 100 values", "needs 108");
    b_free(&m);
    weights_free(&ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_caffe_variants),
        cmocka_unit_test(test_caffe_refusals),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
