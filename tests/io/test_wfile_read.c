/* test_wfile_read.c - how weight files are read (wfile.c): a file that shrinks or grows
   while it is read gives "PATH: changed while being read" (it used to kill the process
   with SIGBUS through the map); wfile_load_buffer gives what wfile_load gives; a FIFO is
   refused at once; wfile_detect classifies large files from their first 64 KiB as it
   would from the whole file. */
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

#include "support.h"
#include "wfile.h"
#include "wfile_impl.h"
#include "wfile_writer.h"

static long hook_size; /* what the hook truncates the file to; -1: appends a byte */
static int hook_calls;

static void change_file(const char *path)
{
    hook_calls++;
    if (hook_size >= 0) {
        assert_int_equal(truncate(path, hook_size), 0);
        return;
    }
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    fputc(0, f);
    fclose(f);
}

static void expect_changed(const char *path, long size)
{
    Weights w;
    Err e = {{0}};
    hook_size = size, hook_calls = 0;
    wfile_read_hook = change_file;
    int rc = wfile_load(path, NULL, &w, &e);
    wfile_read_hook = NULL;
    assert_int_equal(hook_calls, 1);
    assert_int_equal(rc, -1);
    char want[600];
    snprintf(want, sizeof want, "%s: changed while being read", path);
    assert_string_equal(e.msg, want);
    assert_null(w.l);
}

/* Truncated to half, to nothing, or grown by a byte between opening and reading. */
static void test_changed_while_read(void **state)
{
    (void)state;
    Weights ref;
    fill_ref(&arch_lenet5, &ref);
    const char *p = ts_path("lenet.safetensors");
    Err e = {{0}};
    long sizes[] = {-1, 0, 1000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        assert_int_equal(wfile_save_safetensors(p, &ref, &e), 0);
        expect_changed(p, sizes[i]);
    }
    OxOpts o = {OX_RAW, FC_GEMM_TB, 0, 0};
    ox_file(ts_path("lenet.onnx"), &arch_lenet5, &ref, &o);
    expect_changed(ts_path("lenet.onnx"), 100000);
    /* unchanged, the same file loads */
    assert_int_equal(wfile_save_safetensors(p, &ref, &e), 0);
    expect_load(p, NULL, &arch_lenet5, &ref, "safetensors");
    weights_free(&ref);
}

/* wfile_load_buffer on a file's bytes = wfile_load on the file; its name in messages. */
static void test_load_buffer(void **state)
{
    (void)state;
    Weights ref, a, b;
    fill_ref(&arch_tiny, &ref);
    const char *paths[] = {ts_path("t.safetensors"), ts_path("t.onnx"), ts_path("t.caffemodel")};
    Err e = {{0}};
    assert_int_equal(wfile_save_safetensors(paths[0], &ref, &e), 0);
    OxOpts o = {OX_FLOAT_DATA, FC_MATMUL, 0, 0};
    ox_file(paths[1], &arch_tiny, &ref, &o);
    cf_file(paths[2], &arch_tiny, &ref, 1, 0);
    for (int i = 0; i < 3; i++) {
        size_t n;
        unsigned char *bytes = ts_slurp(paths[i], &n);
        assert_int_equal(wfile_load(paths[i], &arch_tiny, &a, &e), 0);
        assert_int_equal(wfile_load_buffer(bytes, n, "mem", &arch_tiny, &b, &e), 0);
        assert_same(&a, &ref);
        assert_same(&b, &ref);
        assert_string_equal(a.format, b.format);
        weights_free(&a);
        weights_free(&b);
        /* cut short: the same refusal, naming what it was given */
        Err e1 = {{0}}, e2 = {{0}};
        assert_int_equal(wfile_load_buffer(bytes, n / 2, "half.bin", &arch_tiny, &b, &e1), -1);
        assert_null(b.l);
        ts_write_file(ts_path("half.bin"), bytes, n / 2);
        assert_int_equal(wfile_load(ts_path("half.bin"), &arch_tiny, &a, &e2), -1);
        assert_int_equal(strncmp(e1.msg, "half.bin: ", 10), 0);
        assert_string_equal(strstr(e1.msg, ": "), strstr(e2.msg, "half.bin: ") + 8);
        free(bytes);
    }
    assert_int_equal(wfile_load_buffer(NULL, 0, "none", NULL, &a, &e), -1);
    assert_string_equal(e.msg, "none: empty file");
    assert_int_equal(wfile_load_buffer((const unsigned char *)"hello", 5, "hello.txt", NULL, &a, &e), -1);
    assert_int_equal(strncmp(e.msg, "hello.txt: not a weight file", 28), 0);
    weights_free(&ref);
}

/* A FIFO (no writer) is refused without blocking, by every entry point. */
static void test_fifo(void **state)
{
    (void)state;
    const char *p = ts_path("weights.fifo");
    assert_int_equal(mkfifo(p, 0600), 0);
    Weights w;
    Err e = {{0}};
    char out[16];
    alarm(10); /* a blocking open fails the test instead of hanging it */
    assert_int_equal(wfile_load(p, NULL, &w, &e), -1);
    assert_non_null(strstr(e.msg, "weights.fifo: not a regular file"));
    assert_int_equal(wfile_detect(p, &e), WF_UNKNOWN);
    assert_int_equal(wfile_metadata(p, "arch", out, sizeof out, &e), -1);
    alarm(0);
}

/* Files far larger than what wfile_detect reads (64 KiB): every format still recognised. */
static void test_detect_large(void **state)
{
    (void)state;
    Weights ref;
    fill_ref(&arch_lenet5, &ref); /* 61,706 parameters: ~247 KB as float32 */
    Err e = {{0}};
    OxOpts o = {OX_RAW, FC_GEMM_TB, 0, 0};
    ox_file(ts_path("big.onnx"), &arch_lenet5, &ref, &o);
    assert_int_equal(wfile_detect(ts_path("big.onnx"), &e), WF_ONNX);
    OxOpts fd = {OX_FLOAT_DATA, FC_MATMUL, 0, 0}; /* values in protobuf fields, fc transposed */
    ox_file(ts_path("big-fd.onnx"), &arch_lenet5, &ref, &fd);
    expect_load(ts_path("big-fd.onnx"), NULL, &arch_lenet5, &ref, "onnx");
    for (int v1 = 0; v1 < 2; v1++) {
        cf_file(ts_path("big.caffemodel"), &arch_lenet5, &ref, v1, 0);
        struct stat st;
        assert_int_equal(stat(ts_path("big.caffemodel"), &st), 0);
        assert_true(st.st_size > 200000);
        assert_int_equal(wfile_detect(ts_path("big.caffemodel"), &e), WF_CAFFE);
    }
    assert_int_equal(wfile_save_safetensors(ts_path("big.safetensors"), &ref, &e), 0);
    assert_int_equal(wfile_detect(ts_path("big.safetensors"), &e), WF_SAFETENSORS);
    weights_free(&ref);

    /* a V1 caffemodel without a name whose first layer (AlexNet's conv1, 139 KB) runs past
       the 64 KiB read: still Caffe, as the whole file is */
    LayerSpec c = {.kind = LK_CONV, .name = "conv1", .out = 96, .k = 11, .stride = 4, .groups = 1};
    ArchSpec only = {.name = "c1", .input = {3, 227, 227}, .nlayers = 1, .layers = &c};
    fill_ref(&only, &ref);
    const char *p = ts_path("noname.caffemodel");
    cf_file(p, &only, &ref, 1, 0);
    size_t n;
    unsigned char *b = ts_slurp(p, &n);
    assert_memory_equal(b, "\x0a\x04tiny\x12", 7); /* name "tiny", then layers (field 2) */
    ts_write_file(p, b + 6, n - 6);
    assert_int_equal(wfile_detect(p, &e), WF_CAFFE);
    Weights w;
    assert_int_equal(wfile_load(p, &only, &w, &e), 0);
    assert_string_equal(w.format, "caffemodel");
    assert_same(&w, &ref); /* copied in 8 MiB steps, the pages behind given back */
    weights_free(&w);
    free(b);
    weights_free(&ref);
}

/* A hostile ONNX whose two Gemm nodes use the same initializer: the pages of the bytes the
   first copy read are still needed by the second, so they must not be given back (they
   would read as zeros). */
static void test_shared_bytes(void **state)
{
    (void)state;
    LayerSpec l[2] = {{.kind = LK_FC, .name = "fc1", .out = 100}, {.kind = LK_FC, .name = "fc2", .out = 100}};
    ArchSpec a = {.name = "two", .input = {1, 10, 10}, .nlayers = 2, .layers = l};
    Weights ref, w;
    fill_ref(&a, &ref); /* each weight 100 × 100 floats: 40 KB, ten pages */
    Buf b = {0};
    OxOpts o = {OX_RAW, FC_GEMM_TB, 0, 0};
    ox_model(&b, &a, &ref, &o);
    uint8_t *use = find_bytes(b.p, b.n, "fc2_w_0", 7); /* the node's input comes before the initializers */
    assert_non_null(use);
    memcpy(use, "fc1_w_0", 7);
    const char *p = ts_path("shared.onnx");
    ts_write_file(p, b.p, b.n);
    b_free(&b);
    Err e = {{0}};
    assert_int_equal(wfile_load(p, &a, &w, &e), 0);
    assert_memory_equal(w.l[0].w, ref.l[0].w, sizeof(float) * 10000);
    assert_memory_equal(w.l[1].w, ref.l[0].w, sizeof(float) * 10000);
    weights_free(&w);
    weights_free(&ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changed_while_read),
        cmocka_unit_test(test_load_buffer),
        cmocka_unit_test(test_fifo),
        cmocka_unit_test(test_detect_large),
        cmocka_unit_test(test_shared_bytes),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
