/* test_train_shipped.c - the LeNet-5 weights shipped in assets/weights reach 90 % on
   Fashion-MNIST's test images, and say so truthfully in their metadata. Skipped without
   Debian's dataset-fashion-mnist. Under AddressSanitizer only the first 2,000 test images
   are run (the whole 10,000 in the release build). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "support.h"
#include "train.h"
#include "wfile.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_IMAGES 2000
#else
#define TEST_IMAGES 10000
#endif

static void test_shipped_weights_reach_90(void **state)
{
    (void)state;
    if (access("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", R_OK) != 0) skip();
    char path[1024];
    snprintf(path, sizeof path, "%s/assets/weights/lenet5-fashion.safetensors", SOURCE_DIR);
    Err e = {0};
    Model m;
    /* the default for lenet5 is this file */
    assert_int_equal(model_load(&m, NULL, "lenet5", NULL, &e), 0);
    assert_non_null(strstr(m.weights.source, "lenet5-fashion.safetensors (trained on Fashion-MNIST)"));
    assert_int_equal(m.weights.trained, 1);
    IdxSet te;
    assert_int_equal(idx_load_split("fashion-mnist", "t10k", &te, &e), 0);
    Net *n = net_create(m.arch, &m.weights, &e);
    assert_non_null(n);
    float lut[256];
    assert_int_equal(train_data_lut(&m.preproc, lut, &e), 0);
    TrainEval ev;
    assert_int_equal(train_evaluate(n, &te, lut, 0, TEST_IMAGES, &ev, &e), 0);
    double acc = train_eval_accuracy(&ev);
    print_message("shipped lenet5: %.2f%% on the first %ld test images\n", 100 * acc, ev.count);
    assert_true(acc >= 0.90);
    char meta[64];
    assert_int_equal(wfile_metadata(path, "test_accuracy", meta, sizeof meta, &e), 0);
    if (TEST_IMAGES == 10000) { /* what the file claims is what it does */
        char mine[64];
        snprintf(mine, sizeof mine, "%.4f", acc);
        assert_string_equal(meta, mine);
    }
    assert_int_equal(wfile_metadata(path, "trained_on", meta, sizeof meta, &e), 0);
    assert_string_equal(meta, "Fashion-MNIST");
    net_free(n);
    idx_set_free(&te);
    model_free(&m);
}

/* Without the file the default falls back to the built-in weights; "builtin" asks for them. */
static void test_builtin_on_request(void **state)
{
    (void)state;
    Err e = {0};
    Model m;
    assert_int_equal(model_load(&m, MODEL_BUILTIN, "lenet5", NULL, &e), 0);
    assert_int_equal(m.weights.trained, 0);
    assert_non_null(strstr(m.weights.source, "untrained"));
    model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_weights_reach_90),
        cmocka_unit_test(test_builtin_on_request),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
