/* test_pth.c - PyTorch checkpoints (wfile_pth.c, zip.c, pickle.c) against the files
   torch.save wrote (tests/fixtures/pth, made by tests/gen_pth.py): every dtype, the wrapped
   and parameter forms, views into one storage, names matched by shape, LeNet-5 and the golden
   mini-tv network computing PyTorch's outputs; and hostile checkpoints, each refused with
   its message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "npy.h"
#include "pickle.h"
#include "support.h"
#include "wfile_writer.h"
#include "zip.h"

#define PTH FIXTURES "/pth/"

static void test_pth_tiny(void **state)
{
    (void)state;
    Weights ref, w;
    Err e = {{0}};
    fill_ref(&arch_tiny, &ref);
    static const char *const files[] = {"tiny-f32.pth", "tiny-f16.pth", "tiny-bf16.pth", "tiny-f64.pth",
                                        "tiny-wrapped.pth", "tiny-param.pth", "tiny-views.pth"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, PTH "%s", files[i]);
        assert_int_equal(wfile_detect(path, &e), WF_PTH);
        expect_load(path, &arch_tiny, &arch_tiny, &ref, "pth");
        assert_int_equal(wfile_load(path, &arch_tiny, &w, &e), 0);
        assert_string_equal(w.match, ""); /* by name: torchvision's, Caffe's, "module." */
        assert_string_equal(w.source, files[i]);
        weights_free(&w);
    }
    /* names that mean nothing: by shape, ties (the two 4-wide biases) in the dict's order */
    expect_load(PTH "tiny-order.pth", &arch_tiny, &arch_tiny, &ref, "pth");
    assert_int_equal(wfile_load(PTH "tiny-order.pth", &arch_tiny, &w, &e), 0);
    assert_string_equal(w.match, "matched by shape and order: 'a' -> conv1, 'b' -> conv1, 'c' -> conv2, "
                                 "'d' -> conv2, 'e' -> fc3, 'f' -> fc3");
    weights_free(&w);
    /* tiny is not a known arch: nothing to infer */
    expect_fail(PTH "tiny-f32.pth", NULL, "cannot tell the architecture", "4 filters", NULL);
    weights_free(&ref);
}

/* LeNet-5 as PyTorch's tutorial names it (fc1, fc2, fc3 for our fc3, fc4, fc5), float16:
   inferred, matched by shape, and PyTorch's probabilities come out. */
static void test_pth_lenet(void **state)
{
    (void)state;
    Weights w;
    Err e = {{0}};
    assert_int_equal(wfile_load(PTH "lenet5-f16.pth", NULL, &w, &e), 0);
    assert_ptr_equal(w.arch, &arch_lenet5);
    assert_string_equal(w.format, "pth");
    assert_non_null(strstr(w.match, "'conv1.weight' -> conv1, 'conv1.bias' -> conv1"));
    assert_non_null(strstr(w.match, "'fc1.weight' -> fc3, 'fc1.bias' -> fc3"));
    assert_non_null(strstr(w.match, "'fc3.weight' -> fc5, 'fc3.bias' -> fc5"));
    float *x, *want;
    int64_t d[4];
    int nd;
    assert_int_equal(npy_read(PTH "lenet5-input.npy", &x, d, 4, &nd, &e), 0);
    assert_int_equal(npy_read(PTH "lenet5-prob.npy", &want, d, 4, &nd, &e), 0);
    assert_true(nd == 1 && d[0] == 10);
    Net *n = net_create(w.arch, &w, &e);
    assert_non_null(n);
    net_set_input(n, x);
    assert_int_equal(net_forward(n, &e), n->nlayers);
    double rel = golden_rel_error(n->run[n->nlayers - 1].out_data, want, 10);
    if (!(rel <= GOLDEN_TOLERANCE)) fail_msg("lenet5 prob differs from PyTorch's by %g", rel);
    net_free(n);
    free(x);
    free(want);
    weights_free(&w);
}

/* The golden mini-tv network as a torchvision-style module's state_dict() (bfloat16): every
   layer as PyTorch computed it. */
static void test_pth_golden(void **state)
{
    (void)state;
    static const GoldenCase c = {"mini-tv.pth", &golden_arch_mini_tv, "mini-tv", "../../pth/mini-tv.pth"};
    Weights w;
    Err e = {{0}};
    Net *n = golden_load(&c, &w);
    assert_int_equal(net_forward(n, &e), n->nlayers);
    assert_int_equal(golden_compare(&c, n, "naive"), 0);
    net_free(n);
    weights_free(&w);
}

/* --verbose says how the tensors were matched */
static void test_pth_cli(void **state)
{
    (void)state;
    char out[4096], err[4096];
    int rc = ts_run_capture("run --weights " PTH "lenet5-f16.pth --input-npy " PTH "lenet5-input.npy --verbose", out,
                            sizeof out, err, sizeof err);
    if (rc != 0) fail_msg("exit %d: %s", rc, err);
    assert_non_null(strstr(err, "weights: lenet5-f16.pth (pth)"));
    assert_non_null(strstr(err, "matched by shape and order: 'conv1.weight' -> conv1"));
    rc = ts_run_capture("run --weights " PTH "bad/os-system.pth --input-npy " PTH "lenet5-input.npy", out, sizeof out,
                        err, sizeof err);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(err, "os-system.pth: the checkpoint's pickle calls os.system, which a weight file never "
                                "needs; refused"));
}

static void test_pth_hostile(void **state)
{
    (void)state;
    static const struct {
        const char *file, *want[2];
    } bad[] = {
        {"os-system", {"the checkpoint's pickle calls os.system, which a weight file never needs; refused", NULL}},
        {"builtins-eval", {"calls builtins.eval, which a weight file never needs; refused", NULL}},
        {"posix-system-late", {"calls posix.system", NULL}},
        {"reduce-str", {"calls a str, not a function", NULL}},
        {"reduce-storage", {"calls torch.FloatStorage with arguments", NULL}},
        {"newobj", {"opcode NEWOBJ (0x81)", "refused"}},
        {"huge-unicode", {"runs past the end of the pickle", NULL}},
        {"deep-mark", {"MARKs nested more than 64 deep", NULL}},
        {"missing-storage", {"'conv1.weight'", "storage data/7 is not in the archive"}},
        {"past-storage", {"'conv1.weight' runs past the end of its storage data/0", NULL}},
        {"storage-too-big", {"runs past the end of its storage", NULL}},
        {"strided", {"'conv1.weight' is not contiguous", NULL}},
        {"build-tensor", {"sets the state of a tensor", NULL}},
        {"persid-other", {"persistent id that is not a storage", NULL}},
        {"storage-type", {"calls torch.LongStorage", NULL}},
        {"not-dict", {"holds a list, not a state dict", NULL}},
        {"no-tensors", {"holds no tensors", NULL}},
        {"no-stop", {"ends without STOP", NULL}},
        {"memo-get", {"memo entry never put", NULL}},
        {"truncated", {"no end of central directory", "truncated"}},
        {"offset-past-eof", {"local header is not where the central directory says", NULL}},
        {"size-past-eof", {"run past the start of the central directory", NULL}},
        {"crc", {"data.pkl is damaged", "CRC-32"}},
        {"compressed", {"is compressed", "uncompressed"}},
        {"no-pkl", {"without data.pkl", NULL}},
        {"big-endian", {"big-endian checkpoint", NULL}},
        {"legacy", {"legacy format", "PyTorch 1.6"}},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, PTH "bad/%s.pth", bad[i].file);
        expect_fail(path, &arch_tiny, bad[i].want[0], bad[i].want[1], NULL);
        expect_fail(path, NULL, bad[i].want[0], bad[i].want[1], NULL);
    }
    /* the valid base of the zip damage above is read (conv1.weight only: its bias is missing) */
    expect_fail(PTH "bad/conv1.pth", &arch_tiny, "conv1: missing bias", NULL, NULL);
}

/* Every prefix of a valid checkpoint, and every single-byte change of its zip structure and
   pickle, gives a message or (for a byte of tensor data) the weights: never a crash. */
static void test_pth_damage(void **state)
{
    (void)state;
    size_t n;
    unsigned char *good = ts_slurp(PTH "tiny-f32.pth", &n);
    Weights w;
    Err e = {{0}};
    for (size_t len = 0; len < n; len += 7) {
        int rc = wfile_load_buffer(good, len, "cut.pth", &arch_tiny, &w, &e);
        assert_int_equal(rc, -1);
    }
    unsigned char *b = malloc(n);
    assert_non_null(b);
    for (size_t at = 0; at < n; at++) {
        static const unsigned char flips[] = {0x00, 0xff, 0x80, 0x01};
        for (size_t k = 0; k < sizeof flips; k++) {
            memcpy(b, good, n);
            b[at] ^= flips[k] ? flips[k] : b[at];
            if (wfile_load_buffer(b, n, "flip.pth", &arch_tiny, &w, &e) == 0) weights_free(&w);
        }
    }
    free(b);
    /* the pickle itself, every byte changed (through the zip, the CRC-32 would stop most) */
    Zip z;
    assert_int_equal(zip_open(&z, good, n, "tiny-f32.pth", &e), 0);
    const ZipEntry *pk = zip_find_suffix(&z, "/data.pkl", NULL);
    assert_non_null(pk);
    assert_true(zip_crc_ok(pk));
    size_t pn = (size_t)pk->size;
    unsigned char *q = malloc(pn);
    assert_non_null(q);
    for (size_t at = 0; at < pn; at++) {
        for (int v = 0; v < 256; v += 51) {
            Pickle p;
            memcpy(q, pk->data, pn);
            q[at] = (unsigned char)v;
            if (pk_load(&p, q, pn, "data.pkl", &e) == 0) pk_free(&p);
        }
    }
    free(q);
    zip_close(&z);
    free(good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pth_tiny),   cmocka_unit_test(test_pth_lenet),  cmocka_unit_test(test_pth_golden),
        cmocka_unit_test(test_pth_cli),    cmocka_unit_test(test_pth_hostile), cmocka_unit_test(test_pth_damage),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
