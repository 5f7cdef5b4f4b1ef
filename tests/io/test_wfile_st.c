/* test_wfile_st.c - safetensors: save and load round trip, every dtype and naming the
   reader accepts, IEEE special halves, and one refusal per way a header or a tensor can be
   wrong. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "wfile.h"
#include "wfile_writer.h"

static void test_round_trip(void **state)
{
    Weights ref, w;
    Err e = {{0}};
    fill_ref(&arch_tiny, &ref);
    const char *p = ts_path("rt.safetensors");
    assert_int_equal(wfile_save_safetensors(p, &ref, &e), 0);
    assert_int_equal(wfile_detect(p, &e), WF_SAFETENSORS);
    expect_load(p, &arch_tiny, &arch_tiny, &ref, "safetensors");

    /* the header: 8-aligned, Caffe-style names, metadata */
    size_t n;
    uint8_t *b = ts_slurp(p, &n);
    uint64_t hl = 0;
    for (int i = 0; i < 8; i++) hl |= (uint64_t)b[i] << (8 * i);
    assert_int_equal(hl % 8, 0);
    char *h = strndup((char *)b + 8, (size_t)hl);
    assert_non_null(strstr(h, "\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[4,3,3,3]"));
    assert_non_null(strstr(h, "\"conv2.weight\":{\"dtype\":\"F32\",\"shape\":[4,2,3,3]"));
    assert_non_null(strstr(h, "\"fc3.bias\""));
    assert_non_null(strstr(h, "\"arch\":\"tiny\""));
    assert_non_null(strstr(h, "\"source\":\"test reference\""));
    free(h);
    free(b);

    /* the tiny arch is not in arch_all: inference must refuse, not guess */
    expect_fail(p, NULL, "architecture", "4 filters", NULL);

    /* save what was loaded: the same bytes */
    assert_int_equal(wfile_load(p, &arch_tiny, &w, &e), 0);
    snprintf(w.source, sizeof w.source, "test reference");
    const char *p2 = ts_path("rt2.safetensors");
    assert_int_equal(wfile_save_safetensors(p2, &w, &e), 0);
    size_t n1, n2;
    uint8_t *b1 = ts_slurp(p, &n1), *b2 = ts_slurp(p2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    free(b1);
    free(b2);
    weights_free(&w);

    /* unwritable path */
    assert_int_equal(wfile_save_safetensors("/nonexistent-dir/x.safetensors", &ref, &e), -1);
    assert_non_null(strstr(e.msg, "/nonexistent-dir/x.safetensors: "));
    weights_free(&ref);
}

static void test_st_dtypes_and_names(void **state)
{
    Weights ref;
    fill_ref(&arch_tiny, &ref);
    static const char *const f16[] = {"F16", NULL}, *const bf16[] = {"BF16", NULL},
                             *const mixed[] = {"F16", "BF16", "F64", "F32", NULL}, *const f32[] = {"F32", NULL};
    const char *p = ts_path("d.safetensors");
    st_from(p, &arch_tiny, &ref, 0, f16, NULL);
    expect_load(p, &arch_tiny, &arch_tiny, &ref, "safetensors");
    st_from(p, &arch_tiny, &ref, 0, bf16, NULL);
    expect_load(p, &arch_tiny, &arch_tiny, &ref, "safetensors");
    st_from(p, &arch_tiny, &ref, 1, mixed, "{\"format\":\"pt\"}"); /* torchvision names */
    expect_load(p, &arch_tiny, &arch_tiny, &ref, "safetensors");
    st_from(p, &arch_tiny, &ref, 2, f32, NULL);                  /* module. prefix */
    expect_load(p, &arch_tiny, &arch_tiny, &ref, "safetensors");
    weights_free(&ref);
}

/* Subnormal, infinite and NaN halves convert as IEEE says. */
static void test_st_f16_special(void **state)
{
    static const LayerSpec one_layers[] = {{.kind = LK_FC, .name = "fc", .out = 6}};
    static const ArchSpec one = {.name = "one", .input = {1, 1, 1}, .nlayers = 1, .layers = one_layers};
    StT t[2];
    memset(t, 0, sizeof t);
    uint16_t h[6] = {0x0001, 0x8000, 0x7c00, 0xfc00, 0x3c00, 0x7e00}; /* 2^-24, -0, inf, -inf, 1, nan */
    strcpy(t[0].name, "fc.weight"), t[0].dtype = "F16", t[0].nd = 2, t[0].dims[0] = 6, t[0].dims[1] = 1;
    for (int i = 0; i < 6; i++) b_le(&t[0].data, h[i], 2);
    strcpy(t[1].name, "fc.bias"), t[1].dtype = "BF16", t[1].nd = 1, t[1].dims[0] = 6;
    for (int i = 0; i < 6; i++) b_le(&t[1].data, 0x3f80u + (unsigned)i, 2);
    const char *p = ts_path("special.safetensors");
    st_write(p, t, 2, NULL);
    Weights w;
    Err e = {{0}};
    assert_int_equal(wfile_load(p, &one, &w, &e), 0);
    assert_true(w.l[0].w[0] == 5.9604644775390625e-8f);
    assert_true(w.l[0].w[1] == 0.0f && signbit(w.l[0].w[1]));
    assert_true(isinf(w.l[0].w[2]) && w.l[0].w[2] > 0);
    assert_true(isinf(w.l[0].w[3]) && w.l[0].w[3] < 0);
    assert_true(w.l[0].w[4] == 1.0f);
    assert_true(isnan(w.l[0].w[5]));
    assert_true(w.l[0].b[0] == 1.0f && w.l[0].b[1] == 1.0078125f);
    weights_free(&w);
}

#define T(name, dt, shape, off) "\"" name "\":{\"dtype\":\"" dt "\",\"shape\":" shape ",\"data_offsets\":" off "}"

/* Headers (with data_len bytes of data after them) and what the refusal must say. */
static const struct {
    const char *header;
    size_t data_len;
    const char *want[3];
} bad_headers[] = {
    {"{" T("conv1.weight", "F32", "[4,3,3,3]", "[0,432]") "}", 100, {"need 432 bytes", "holds 100", NULL}},
    {"{" T("conv1.weight", "F32", "[4,3,3,3]", "[0,432]") "," T("conv1.bias", "F32", "[4]", "[400,416]") "}", 416,
     {"conv1.bias", "overlap", NULL}},
    {"{" T("conv1.weight", "F32", "[4,3,3,3]", "[0,432]") "," T("conv1.bias", "F32", "[4]", "[440,456]") "}", 456,
     {"conv1.bias", "gap", NULL}},
    {"{" T("a", "F32", "[2]", "[8,16]") "}", 16, {"'a'", "begins at 8", NULL}},
    {"{" T("conv1.weight", "F32", "[4,3,3,3]", "[0,400]") "}", 400, {"conv1.weight", "432 bytes", NULL}},
    {"{" T("conv1.weight", "F32", "[4,3,3,3]", "[432,0]") "}", 432, {"conv1.weight", "data_offsets", NULL}},
    {"{" T("conv1.weight", "Q7", "[4,3,3,3]", "[0,432]") "}", 432, {"unknown dtype", "Q7", NULL}},
    {"{" T("x", "F32", "[4294967296,4294967296,16]", "[0,0]") "}", 0, {"'x'", "overflows", NULL}},
    {"{" T("x", "F32", "[18446744073709551615]", "[0,0]") "}", 0, {"too large", NULL, NULL}},
    {"{" T("x", "F32", "[1,1,1,1,1,1,1,1,1]", "[0,4]") "}", 4, {"more than 8", NULL, NULL}},
    {"{" T("x", "F32", "[-1]", "[0,4]") "}", 4, {"integer", NULL, NULL}},
    {"{" T("x", "F32", "[1]", "[0,4]") "", 4, {"expected", NULL, NULL}},
    {"{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", 0, {"data_offsets", NULL, NULL}},
    {"{\"\xff\":1}", 0, {"UTF-8", NULL, NULL}},
    {"{\"__metadata__\":{\"a\":[1]}}", 0, {"expected a string", NULL, NULL}},
    {"{} x", 0, {"after the header", NULL, NULL}},
    {"{}", 1, {"cover only 0 bytes", "holds 1", NULL}}, /* no tensor at all (fuzz_safetensors: qsort of none) */
    /* ordinary unknown keys and values are skipped: what is missing is the complaint */
    {"{\"__metadata__\":{}," T("conv1.weight", "F32", "[4,3,3,3]", "[0,432]") "}", 432,
     {"conv1: missing bias", "conv1.bias", "features.0.bias"}},
    {"{\"x\":{\"junk\":{\"a\":[1,2.5e3,true,null,\"s\\u00e9\"],\"b\":{}},\"dtype\":\"F32\",\"shape\":[],"
     "\"data_offsets\":[0,4]}}", 4, {"conv1: missing weight", NULL, NULL}},
};
#undef T

static void test_st_bad_headers(void **state)
{
    const char *p = ts_path("bad.safetensors");
    /* header length past the end, and above the reference reader's limit */
    static const struct {
        uint64_t hlen;
        const char *want[2];
    } lengths[] = {{4000, {"header length 4000", "past the end"}}, {200000000, {"exceeds", NULL}}};
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        Buf b = {0};
        b_le(&b, lengths[i].hlen, 8);
        b_put(&b, "{}      ", 8);
        ts_write_file(p, b.p, b.n);
        expect_fail(p, &arch_tiny, lengths[i].want[0], lengths[i].want[1], NULL);
        b_free(&b);
    }

    for (size_t i = 0; i < sizeof bad_headers / sizeof bad_headers[0]; i++) {
        st_raw(p, bad_headers[i].header, bad_headers[i].data_len);
        expect_fail(p, &arch_tiny, bad_headers[i].want[0], bad_headers[i].want[1], bad_headers[i].want[2]);
    }

    /* a value we skip, nested far too deeply: refused, no recursion */
    char deep[4200];
    int k = snprintf(deep, sizeof deep, "{\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],\"junk\":");
    for (int i = 0; i < 2000; i++) deep[k++] = '[';
    for (int i = 0; i < 2000; i++) deep[k++] = ']';
    strcpy(deep + k, "}}");
    st_raw(p, deep, 4);
    expect_fail(p, &arch_tiny, "nested too deeply", NULL, NULL);
}

/* A 4-layer arch (conv1, pool1, conv2, fc3) like arch_tiny but for conv2's groups and fc3's
   outputs: what a file with the wrong tensors was made for. layers: 4 to fill. */
static void wrong_arch(ArchSpec *a, LayerSpec *layers, const char *name, int conv2_groups, int fc3_out)
{
    const LayerSpec l[4] = {
        {.kind = LK_CONV, .name = "conv1", .out = 4, .k = 3, .stride = 1, .groups = 1},
        {.kind = LK_MAXPOOL, .name = "pool1", .k = 2, .stride = 2},
        {.kind = LK_CONV, .name = "conv2", .out = 4, .k = 3, .stride = 1, .groups = conv2_groups},
        {.kind = LK_FC, .name = "fc3", .out = fc3_out},
    };
    memcpy(layers, l, sizeof l);
    *a = (ArchSpec){.name = name, .input = {3, 16, 16}, .nlayers = 4, .layers = layers};
}

static void test_st_wrong_tensors(void **state)
{
    Weights ref;
    fill_ref(&arch_tiny, &ref);
    const char *p = ts_path("wrong.safetensors");
    static const char *const f32[] = {"F32", NULL}, *const i8[] = {"F32", "I8", NULL};
    /* conv2 as an ungrouped conv: 4×4×3×3 where groups=2 needs 4×2×3×3 */
    LayerSpec layers[4];
    ArchSpec ungrouped, fc6;
    wrong_arch(&ungrouped, layers, "ug", 1, 5);
    Weights ug;
    fill_ref(&ungrouped, &ug);
    st_from(p, &ungrouped, &ug, 0, f32, NULL);
    expect_fail(p, &arch_tiny, "conv2: weight shape 4×4×3×3, expected 4×2×3×3 (groups=2)", NULL, NULL);
    OxOpts o = {OX_RAW, FC_MATMUL, 0, 0};
    ox_file(ts_path("wrong.onnx"), &ungrouped, &ug, &o);
    expect_fail(ts_path("wrong.onnx"), &arch_tiny, "conv2: weight shape 4×4×3×3, expected 4×2×3×3 (groups=2)", NULL, NULL);
    cf_file(ts_path("wrong.caffemodel"), &ungrouped, &ug, 1, 0);
    expect_fail(ts_path("wrong.caffemodel"), &arch_tiny, "conv2: weight shape", "expected 4×2×3×3", NULL);
    weights_free(&ug);

    /* fc3 with 6 outputs: the MatMul weight is stored (in, out) */
    wrong_arch(&fc6, layers, "fc6", 2, 6);
    fill_ref(&fc6, &ug);
    ox_file(ts_path("wrong.onnx"), &fc6, &ug, &o);
    expect_fail(ts_path("wrong.onnx"), &arch_tiny, "fc3: weight shape 6×100 (stored transposed as 100×6), expected 5×100",
                NULL, NULL);
    weights_free(&ug);

    /* an integer tensor where a weight is needed */
    st_from(p, &arch_tiny, &ref, 0, i8, NULL);
    expect_fail(p, &arch_tiny, "dtype I8", "only F32", NULL);
    weights_free(&ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_st_dtypes_and_names),
        cmocka_unit_test(test_st_f16_special),
        cmocka_unit_test(test_st_bad_headers),
        cmocka_unit_test(test_st_wrong_tensors),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
