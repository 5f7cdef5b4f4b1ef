/* test_wfile_onnx.c - ONNX: every encoding of the data (raw, float_data packed and not,
   F16, BF16, F16 in int32_data, double), Gemm / MatMul + Add, Constant nodes, anonymous
   names; and the refusals (external data, INT8, bad dims, short data, missing
   initializers, quantised graphs, transA). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pb.h"
#include "support.h"
#include "wfile.h"
#include "wfile_writer.h"

static void test_onnx_variants(void **state)
{
    Weights ref;
    fill_ref(&arch_tiny, &ref);
    static const OxOpts opts[] = {
        {OX_RAW, FC_GEMM_TB, 0, 0},      {OX_FLOAT_DATA, FC_GEMM_TB, 0, 0}, {OX_UNPACKED, FC_GEMM_TB, 0, 0},
        {OX_RAW, FC_MATMUL, 0, 1},       {OX_RAW, FC_GEMM, 0, 0},           {OX_F16, FC_GEMM_TB, 0, 1},
        {OX_BF16, FC_MATMUL, 0, 0},      {OX_F16_INT32, FC_GEMM, 0, 0},     {OX_DOUBLE, FC_GEMM_TB, 0, 0},
        {OX_RAW, FC_GEMM_TB, 1, 0},      {OX_UNPACKED, FC_MATMUL, 1, 1},
    };
    const char *p = ts_path("m.onnx");
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        ox_file(p, &arch_tiny, &ref, &opts[i]);
        Err e = {{0}};
        assert_int_equal(wfile_detect(p, &e), WF_ONNX);
        expect_load(p, &arch_tiny, &arch_tiny, &ref, "onnx");
    }
    weights_free(&ref);
}

/* Writes the tiny model with an extra initializer named name placed first in the graph,
   holding the given TensorProto fields: the reader takes the first tensor of a name. */
static void ox_patch(const char *path, const Weights *ref, const char *name, const Buf *extra)
{
    OxOpts o = {OX_RAW, FC_GEMM_TB, 0, 0};
    Buf m = {0}, t = {0}, g = {0}, out = {0};
    ox_model(&m, &arch_tiny, ref, &o);
    b_str(&t, 8, name);
    b_vfield(&t, 2, 1);
    b_put(&t, extra->p, extra->n);
    b_msg(&g, 5, &t);
    PbReader r;
    PbField f;
    pb_init(&r, m.p, m.n);
    while (pb_next(&r, &f) > 0)
        if (f.num == 7) b_put(&g, f.data, f.len);
    b_vfield(&out, 1, 7);
    b_msg(&out, 7, &g);
    ts_write_file(path, out.p, out.n);
    b_free(&out);
    b_free(&m);
}

static void test_onnx_refusals(void **state)
{
    Weights ref;
    fill_ref(&arch_tiny, &ref);
    const char *p = ts_path("bad.onnx");
    Buf x = {0};
    /* external data */
    b_vfield(&x, 14, 1);
    ox_patch(p, &ref, "conv2_w_0", &x);
    expect_fail(p, &arch_tiny, "conv2", "external data", NULL);
    b_free(&x);
    /* INT8 weights */
    Buf raw = {0};
    b_vfield(&x, 2, 3);
    for (int i = 0; i < 4; i++) b_varint(&raw, i == 0 ? 4 : i == 1 ? 2 : 3);
    b_msg(&x, 1, &raw);
    for (int i = 0; i < 72; i++) b_put(&raw, "\x01", 1);
    b_msg(&x, 9, &raw);
    ox_patch(p, &ref, "conv2_w_0", &x);
    expect_fail(p, &arch_tiny, "conv2", "INT8", "quantised");
    b_free(&x);
    /* 9 dims, and dims whose product overflows */
    for (int i = 0; i < 9; i++) b_vfield(&x, 1, 1);
    ox_patch(p, &ref, "conv1_w_0", &x);
    expect_fail(p, &arch_tiny, "more than 8 dimensions", NULL, NULL);
    b_free(&x);
    b_vfield(&x, 1, (uint64_t)1 << 40);
    b_vfield(&x, 1, (uint64_t)1 << 40);
    ox_patch(p, &ref, "conv1_w_0", &x);
    expect_fail(p, &arch_tiny, "conv1_w_0", "overflows", NULL);
    b_free(&x);
    b_vfield(&x, 1, (uint64_t)-5);
    ox_patch(p, &ref, "fc3_b_0", &x);
    expect_fail(p, &arch_tiny, "fc3_b_0", "negative", NULL);
    b_free(&x);
    /* raw_data shorter than the shape */
    int64_t d[4] = {4, 3, 3, 3};
    for (int i = 0; i < 4; i++) b_vfield(&x, 1, (uint64_t)d[i]);
    b_bytes(&x, 9, "abcd", 4);
    ox_patch(p, &ref, "conv1_w_0", &x);
    expect_fail(p, &arch_tiny, "conv1", "4 bytes", "needs 432");
    b_free(&x);
    /* float_data with one value too many */
    b_vfield(&x, 1, 4);
    for (int i = 0; i < 5; i++) b_bytes(&x, 4, "\0\0\0\0", 4);
    ox_patch(p, &ref, "conv1_b_0", &x);
    expect_fail(p, &arch_tiny, "conv1", "bias", "values");
    b_free(&x);

    /* a missing initializer, and a quantised graph */
    Buf m = {0};
    OxOpts o = {OX_RAW, FC_GEMM_TB, 0, 0};
    ox_model(&m, &arch_tiny, &ref, &o);
    /* rename the initializer (its name field: tag 0x42, length 7), not the node input */
    uint8_t *hit = find_bytes(m.p, m.n, "\x42\x07" "fc3_w_0", 9);
    assert_non_null(hit);
    hit[2] = 'X';
    ts_write_file(p, m.p, m.n);
    expect_fail(p, &arch_tiny, "fc3: weight 'fc3_w_0'", "missing", NULL);
    b_free(&m);
    Buf g = {0}, out = {0};
    const char *in[] = {"x", "w", "b"};
    ox_node(&g, "QLinearConv", in, 3, "y", NULL);
    b_msg(&out, 7, &g);
    ts_write_file(p, out.p, out.n);
    expect_fail(p, &arch_tiny, "quantised", "QLinearConv", NULL);
    b_free(&out);
    /* a graph with no weighted nodes; Gemm with transA */
    ox_node(&g, "Relu", in, 1, "y", NULL);
    b_msg(&out, 7, &g);
    ts_write_file(p, out.p, out.n);
    expect_fail(p, &arch_tiny, "no Conv", NULL, NULL);
    b_free(&out);
    Buf attrs = {0};
    ox_attr_int(&attrs, "transA", 1);
    ox_node(&g, "Gemm", in, 3, "y", &attrs);
    b_msg(&out, 7, &g);
    ts_write_file(p, out.p, out.n);
    expect_fail(p, &arch_tiny, "transA", NULL, NULL);
    b_free(&out);
    weights_free(&ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_onnx_variants),
        cmocka_unit_test(test_onnx_refusals),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
