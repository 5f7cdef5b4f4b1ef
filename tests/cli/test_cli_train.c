/* test_cli_train.c - `alexscope train`, `eval` and `overfit` from the command line: a tiny
   made-up idx data set trains, saves weights with their metadata, and evaluates with a
   confusion matrix that adds up; bad archs, folders, idx files and numbers get clear
   messages and the right exit status. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "support.h"

static char out[1 << 16], err[1 << 14];

static int run(const char *fmt, ...)
{
    char args[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    return ts_run_capture(args, out, sizeof out, err, sizeof err);
}

/* An idx file of unsigned bytes: dims (nd of them), then data (or fewer bytes: have). */
static void write_idx(const char *path, const int *dims, int nd, const unsigned char *data, size_t have)
{
    size_t hdr = 4 + 4 * (size_t)nd;
    unsigned char *b = malloc(hdr + have);
    assert_non_null(b);
    b[0] = b[1] = 0, b[2] = 8, b[3] = (unsigned char)nd;
    for (int i = 0; i < nd; i++)
        for (int k = 0; k < 4; k++) b[4 + 4 * i + k] = (unsigned char)((unsigned)dims[i] >> (24 - 8 * k));
    memcpy(b + hdr, data, have);
    ts_write_file(path, b, hdr + have);
    free(b);
}

/* dir with train and t10k splits of n images each: class 0 the upper half bright, 1 the lower. */
static void write_set(const char *dir, int n, int labels_n)
{
    mkdir(dir, 0777);
    unsigned char *px = malloc((size_t)n * 784), lb[256];
    assert_non_null(px);
    for (int i = 0; i < n; i++)
        for (int p = 0; p < 784; p++) px[(size_t)i * 784 + p] = (unsigned char)(((p / 28 < 14) == (i % 2 == 0)) ? 200 : 10 + p % 7);
    for (int i = 0; i < 256; i++) lb[i] = (unsigned char)(i % 2);
    const char *split[] = {"train", "t10k"};
    char path[1024];
    for (int s = 0; s < 2; s++) {
        int d3[3] = {n, 28, 28}, d1[1] = {labels_n};
        snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte", dir, split[s]);
        write_idx(path, d3, 3, px, (size_t)n * 784);
        snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte", dir, split[s]);
        write_idx(path, d1, 1, lb, (size_t)labels_n);
    }
    free(px);
}

static void test_train_and_eval_tiny(void **state)
{
    (void)state;
    write_set(ts_path("tiny"), 32, 32);
    const char *w = ts_path("w.safetensors");
    assert_int_equal(run("train --data %s --epochs 2 --batch 8 --lr 0.02 --curves %s --out %s", ts_path("tiny"),
                         ts_path("curves"), w), 0);
    assert_non_null(strstr(out, "epoch"));
    assert_non_null(strstr(out, "wrote"));
    size_t n;
    unsigned char *st = ts_slurp(w, &n);
    assert_non_null(strstr((char *)st + 8, "\"trained_on\":\"the idx files in"));
    assert_non_null(strstr((char *)st + 8, "\"command\":\"alexscope train --data"));
    assert_non_null(strstr((char *)st + 8, "\"seed\":\"1\""));
    free(st);
    unsigned char *csv = ts_slurp(ts_path("curves/curves.csv"), NULL);
    assert_non_null(strstr((char *)csv, "epoch,lr,train_loss,train_acc,test_acc,seconds\n1,0.02,"));
    assert_non_null(strstr((char *)csv, "\n2,0.02,"));
    free(csv);
    free(ts_slurp(ts_path("curves/curves.png"), &n));
    assert_true(n > 100);

    assert_int_equal(run("eval --weights %s --data %s", w, ts_path("tiny")), 0);
    assert_non_null(strstr(out, "confusion matrix"));
    assert_non_null(strstr(out, "(trained on the idx files in"));
    /* rows of the matrix add up to 16 images of each class */
    const char *row0 = strstr(out, "\n0 class 0"), *row1 = strstr(out, "\n1 class 1");
    assert_non_null(row0);
    assert_non_null(row1);
    long v[10], sum = 0;
    assert_int_equal(sscanf(row0 + 10, "%ld %ld %ld %ld %ld %ld %ld %ld %ld %ld", &v[0], &v[1], &v[2], &v[3], &v[4],
                            &v[5], &v[6], &v[7], &v[8], &v[9]), 10);
    for (int i = 0; i < 10; i++) sum += v[i];
    assert_int_equal(sum, 16);
}

static void test_bad_input(void **state)
{
    (void)state;
    assert_int_equal(run("train --arch alexnet --data fashion-mnist --out x.safetensors"), 2);
    assert_non_null(strstr(err, "only lenet5 can be trained"));
    assert_non_null(strstr(err, "laptop"));
    assert_int_equal(run("train --arch vgg --data x --out y"), 2);
    assert_non_null(strstr(err, "unknown architecture 'vgg'"));
    assert_int_equal(run("train --data %s/none --out y", ts_dir()), 1);
    assert_non_null(strstr(err, "/none: no such directory"));
    assert_int_equal(run("train --data fashion-mnist --epochs 0 --out y"), 2);
    assert_non_null(strstr(err, "--epochs takes a number of epochs from 1 to 1000, not '0'"));
    assert_int_equal(run("train --data fashion-mnist --lr abc --out y"), 2);
    assert_non_null(strstr(err, "--lr takes"));
    assert_int_equal(run("train --data fashion-mnist"), 2);
    assert_non_null(strstr(err, "missing --out"));
    assert_int_equal(run("eval --weights x --curves y --data z"), 2);
    assert_non_null(strstr(err, "unknown option '--curves'"));
    assert_int_equal(run("overfit --data fashion-mnist"), 2);
    assert_non_null(strstr(err, "missing --out DIR"));

    /* labels that do not match the images */
    write_set(ts_path("mismatch"), 8, 6);
    assert_int_equal(run("train --data %s --out %s", ts_path("mismatch"), ts_path("m.safetensors")), 1);
    assert_non_null(strstr(err, "8 images but"));
    assert_non_null(strstr(err, "has 6 labels"));

    /* a truncated images file */
    write_set(ts_path("short"), 8, 8);
    int d3[3] = {8, 28, 28};
    unsigned char px[1000] = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte", ts_path("short"));
    write_idx(path, d3, 3, px, sizeof px);
    assert_int_equal(run("eval --data %s", ts_path("short")), 1);
    assert_non_null(strstr(err, "t10k-images-idx3-ubyte: truncated"));

    /* a wrong magic */
    ts_write_file(path, "\x01\x02\x08\x03 not an idx file", 20);
    assert_int_equal(run("eval --data %s", ts_path("short")), 1);
    assert_non_null(strstr(err, "t10k-images-idx3-ubyte"));

    /* images that are not 28×28 at most 32×32 */
    int big[3] = {2, 40, 40};
    unsigned char pb[3200] = {0};
    write_idx(path, big, 3, pb, sizeof pb);
    snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte", ts_path("short"));
    int d1[1] = {2};
    write_idx(path, d1, 1, pb, 2);
    assert_int_equal(run("eval --data %s", ts_path("short")), 1);
    assert_non_null(strstr(err, "images of 40×40"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train_and_eval_tiny),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
