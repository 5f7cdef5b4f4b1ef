/* test_wfile.c - weight files, what holds for every format: the arch inferred from the
   file, paths that are not weight files, every prefix of a valid file (truncation), and
   random bytes, alone or flipped in valid files. Never a crash; a failure always names the
   file. The files are written at run time (tests/support/wfile_writer.h); one test file
   per format holds its variants and refusals (test_wfile_st.c, _onnx.c, _caffe.c). */
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

#include "rng.h"
#include "support.h"
#include "wfile.h"
#include "wfile_writer.h"

/* The arch comes from the first conv's filter count: 6 lenet5, 96 alexnet, 64 alexnet-tv. */
static void test_infer_arch(void **state)
{
    Weights ref;
    fill_ref(&arch_lenet5, &ref);
    Err e = {{0}};
    const char *p = ts_path("lenet.safetensors");
    assert_int_equal(wfile_save_safetensors(p, &ref, &e), 0);
    expect_load(p, NULL, &arch_lenet5, &ref, "safetensors");
    static const char *const f32[] = {"F32", NULL};
    st_from(p, &arch_lenet5, &ref, 0, f32, NULL); /* no metadata */
    expect_load(p, NULL, &arch_lenet5, &ref, "safetensors");
    OxOpts o = {OX_RAW, FC_GEMM_TB, 0, 1};
    ox_file(ts_path("lenet.onnx"), &arch_lenet5, &ref, &o);
    expect_load(ts_path("lenet.onnx"), NULL, &arch_lenet5, &ref, "onnx");
    cf_file(ts_path("lenet.caffemodel"), &arch_lenet5, &ref, 1, 0);
    expect_load(ts_path("lenet.caffemodel"), NULL, &arch_lenet5, &ref, "caffemodel");
    /* given an arch the file does not fit: a shape error, not a guess */
    expect_fail(ts_path("lenet.onnx"), &arch_alexnet, "conv1: weight shape 6×1×5×5, expected 96×3×11×11", NULL, NULL);
    weights_free(&ref);

    /* files holding a conv1 only (ONNX, or a caffemodel): inferred from it, then refused */
    static const struct {
        const char *arch, *file;
        int out, k, stride, pad, size;
        const char *want[3];
    } partial[] = {
        {"c1", "c1.onnx", 96, 11, 4, 0, 227, {"conv2", "missing", "alexnet"}}, /* AlexNet's: conv2 is missing */
        {"c64", "c64.caffemodel", 64, 11, 4, 2, 224, {"conv2", "alexnet-tv", NULL}},
        {"c7", "c7.onnx", 7, 3, 1, 0, 8, {"architecture", "7 filters", "alexnet 96"}},
    };
    for (size_t i = 0; i < sizeof partial / sizeof partial[0]; i++) {
        LayerSpec c = {.kind = LK_CONV, .name = "conv1", .out = partial[i].out, .k = partial[i].k,
                       .stride = partial[i].stride, .pad = partial[i].pad, .groups = 1};
        ArchSpec only = {.name = partial[i].arch, .input = {3, partial[i].size, partial[i].size}, .nlayers = 1, .layers = &c};
        const char *path = ts_path(partial[i].file);
        fill_ref(&only, &ref);
        if (strstr(path, ".caffemodel")) cf_file(path, &only, &ref, 0, 0);
        else ox_file(path, &only, &ref, &o);
        expect_fail(path, NULL, partial[i].want[0], partial[i].want[1], partial[i].want[2]);
        weights_free(&ref);
    }
}

/* ---- tests: what is refused ---------------------------------------------------------- */

static void test_not_files(void **state)
{
    const char *empty = ts_path("empty.onnx"), *dir = ts_path("adir"), *missing = ts_path("missing.safetensors");
    ts_write_file(empty, NULL, 0);
    assert_int_equal(mkdir(dir, 0700), 0);
    expect_fail(empty, NULL, "empty", NULL, NULL);
    expect_fail(dir, NULL, "directory", NULL, NULL);
    expect_fail(missing, &arch_tiny, "No such file", NULL, NULL);
    Err e = {{0}};
    assert_int_equal(wfile_detect(missing, &e), WF_UNKNOWN);
    assert_non_null(strstr(e.msg, missing));
    ts_write_file(ts_path("short"), "\x08\x07", 2);
    expect_fail(ts_path("short"), NULL, "not a weight file", NULL, NULL);
    ts_write_file(ts_path("text.txt"), "hello, world\n", 13);
    expect_fail(ts_path("text.txt"), NULL, "not a weight file", NULL, NULL);
}

/* Loads every prefix of a valid file: each must fail with "PATH: ...", or (a cut that
   only dropped trailing non-weight layers) give exactly the reference weights. */
static void cut_everywhere(const char *name, const Weights *ref)
{
    const char *p = ts_path(name), *cut = ts_path("cut");
    size_t n;
    uint8_t *b = ts_slurp(p, &n);
    /* shortest last: truncating a file in place is much cheaper than rewriting it */
    ts_write_file(cut, b, n);
    for (size_t len = n - 1; len >= 1; len--) {
        assert_int_equal(truncate(cut, (off_t)len), 0);
        Weights w;
        Err e = {{0}};
        if (wfile_load(cut, &arch_tiny, &w, &e) == 0) {
            assert_same(ref, &w);
            weights_free(&w);
            continue;
        }
        if (strncmp(e.msg, cut, strlen(cut)) != 0) print_error("cut %zu: \"%s\"\n", len, e.msg);
        assert_int_equal(strncmp(e.msg, cut, strlen(cut)), 0);
    }
    free(b);
}

static void test_truncated(void **state)
{
    Weights ref;
    Err e = {{0}};
    fill_ref(&arch_tiny, &ref);
    assert_int_equal(wfile_save_safetensors(ts_path("t.safetensors"), &ref, &e), 0);
    OxOpts o1 = {OX_RAW, FC_MATMUL, 0, 0}, o2 = {OX_UNPACKED, FC_GEMM_TB, 1, 0};
    ox_file(ts_path("t1.onnx"), &arch_tiny, &ref, &o1);
    ox_file(ts_path("t2.onnx"), &arch_tiny, &ref, &o2);
    cf_file(ts_path("t1.caffemodel"), &arch_tiny, &ref, 1, 0);
    cf_file(ts_path("t2.caffemodel"), &arch_tiny, &ref, 0, 1);
    cut_everywhere("t.safetensors", &ref);
    cut_everywhere("t1.onnx", &ref);
    cut_everywhere("t2.onnx", &ref);
    cut_everywhere("t1.caffemodel", &ref);
    cut_everywhere("t2.caffemodel", &ref);
    weights_free(&ref);
}

/* Random files, random files behind a plausible first byte, and valid files with
   random bytes changed: never a crash; a failure always names the file. */
static void test_random_bytes(void **state)
{
    Weights ref;
    Err e = {{0}};
    fill_ref(&arch_tiny, &ref);
    const char *p = ts_path("rand.bin");
    static const uint8_t starts[][9] = {{0}, {0x08}, {0x3a}, {0x12}, {0xa2, 0x06}, {16, 0, 0, 0, 0, 0, 0, 0, '{'}};
    for (uint64_t seed = 1; seed <= 60; seed++) {
        uint64_t s = seed;
        size_t n = 1 + rng_next(&s) % 3000;
        uint8_t *b = malloc(n + 9);
        for (size_t i = 0; i < n; i++) b[i] = (uint8_t)rng_next(&s);
        const uint8_t *st = starts[seed % 6];
        if (seed % 6) memcpy(b, st, seed % 6 == 4 ? 2 : seed % 6 == 5 ? 9 : 1);
        ts_write_file(p, b, seed % 6 == 5 && n < 9 ? 9 : n);
        expect_fail(p, seed % 2 ? NULL : &arch_tiny, NULL, NULL, NULL);
        free(b);
    }
    /* bit flips in valid files */
    assert_int_equal(wfile_save_safetensors(ts_path("f.safetensors"), &ref, &e), 0);
    OxOpts o = {OX_FLOAT_DATA, FC_MATMUL, 0, 0};
    ox_file(ts_path("f.onnx"), &arch_tiny, &ref, &o);
    cf_file(ts_path("f.caffemodel"), &arch_tiny, &ref, 1, 0);
    const char *names[] = {"f.safetensors", "f.onnx", "f.caffemodel"};
    for (int k = 0; k < 3; k++) {
        size_t n;
        uint8_t *b = ts_slurp(ts_path(names[k]), &n);
        uint64_t s = 99 + (uint64_t)k;
        for (int trial = 0; trial < 400; trial++) {
            uint8_t *c = malloc(n);
            memcpy(c, b, n);
            /* mostly in the header / structure, where it matters */
            for (int j = 0; j < 3; j++) c[rng_next(&s) % (trial % 2 ? n : (n < 200 ? n : 200))] ^= (uint8_t)(1u << (rng_next(&s) % 8));
            ts_write_file(p, c, n);
            Weights w;
            Err e2 = {{0}};
            if (wfile_load(p, &arch_tiny, &w, &e2) == 0) weights_free(&w);
            else assert_int_equal(strncmp(e2.msg, p, strlen(p)), 0);
            free(c);
        }
        free(b);
    }
    weights_free(&ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_infer_arch),
        cmocka_unit_test(test_not_files),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_random_bytes),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
