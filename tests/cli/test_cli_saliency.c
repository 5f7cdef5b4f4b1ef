/* test_cli_saliency.c - `alexscope saliency`: the files it writes (saliency.npy with the
   input's shape, saliency.png with the crop and the map side by side), what it prints, a
   unit's map confined to its receptive field, and the refusals. On lenet5 (32×32): fast
   enough under the sanitizers; alexnet's maps are checked against PyTorch in
   tests/tools/test_saliency.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define CAT SOURCE_DIR "/assets/samples/chelsea.png"

/* Runs `saliency ARGS --out DIR`; returns the exit code, stdout in out. */
static int run(const char *args, const char *dir, char *out, size_t size)
{
    char cmd[2048], err[2048];
    snprintf(cmd, sizeof cmd, "saliency %s --out %s", args, ts_path(dir));
    int code = ts_run_capture(cmd, out, size, err, sizeof err);
    if (code != 0) print_message("%s\n", err);
    return code;
}

/* DIR/saliency.npy: checks its header says float32 (1, 32, 32); returns the 1024 values. */
static float *read_grad(const char *dir)
{
    char name[256];
    snprintf(name, sizeof name, "%s/saliency.npy", dir);
    size_t n;
    unsigned char *b = ts_slurp(ts_path(name), &n);
    size_t head = 10 + (size_t)(b[8] | b[9] << 8); /* format 1.0: magic, version, length, text */
    assert_non_null(strstr((char *)b + 10, "'descr': '<f4'"));
    assert_non_null(strstr((char *)b + 10, "'shape': (1, 32, 32)"));
    assert_int_equal(n, head + 1024 * sizeof(float));
    float *g = malloc(1024 * sizeof(float));
    memcpy(g, b + head, 1024 * sizeof(float));
    free(b);
    return g;
}

/* The PNG's width and height from its IHDR chunk. */
static void png_size(const char *dir, int *w, int *h)
{
    char name[256];
    snprintf(name, sizeof name, "%s/saliency.png", dir);
    size_t n;
    unsigned char *b = ts_slurp(ts_path(name), &n);
    assert_true(n > 24 && !memcmp(b + 1, "PNG", 3));
    *w = b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19];
    *h = b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23];
    free(b);
}

static void test_class_files_and_methods(void **st)
{
    (void)st;
    char out[4096];
    assert_int_equal(run(CAT " --arch lenet5 --class 3 --method guided", "g", out, sizeof out), 0);
    assert_non_null(strstr(out, "class: 3 Dress")); /* Fashion-MNIST's class 3 */
    assert_non_null(strstr(out, "fc5 score"));
    assert_non_null(strstr(out, "method: guided"));
    assert_null(strstr(out, "untrained")); /* the shipped lenet5 weights are trained */
    float *guided = read_grad("g");
    /* the printed maximum is the largest |gradient| in the file */
    float mx = 0;
    for (int i = 0; i < 1024; i++) {
        float a = guided[i] < 0 ? -guided[i] : guided[i];
        if (a > mx) mx = a;
    }
    const char *p = strstr(out, "max |gradient|: ");
    assert_non_null(p);
    double printed = strtod(p + 16, NULL);
    assert_true(mx > 0 && printed >= mx * (1 - 1e-5) && printed <= mx * (1 + 1e-5));
    int w, h;
    png_size("g", &w, &h);
    assert_int_equal(w, 32 + 8 + 32); /* the crop, 8 pixels, the map */
    assert_int_equal(h, 32);
    /* the plain gradient is another map (lenet5 has no ReLU: only the class decides here) */
    assert_int_equal(run(CAT " --arch lenet5 --class 4", "d", out, sizeof out), 0);
    assert_non_null(strstr(out, "method: gradient"));
    float *other = read_grad("d");
    int differ = 0;
    for (int i = 0; i < 1024; i++) differ += guided[i] != other[i];
    assert_true(differ > 500);
    free(guided), free(other);
    /* built-in weights are labelled */
    assert_int_equal(run(CAT " --arch lenet5 --weights builtin --method deconv", "b", out, sizeof out), 0);
    assert_non_null(strstr(out, "untrained network attends to"));
}

/* conv2's unit (row 4, column 5) sees input rows 8..21 and columns 10..23: conv2 (5×5) reads
   pool1 rows 4..8, pool1 (2×2/2) conv1 rows 8..17, conv1 (5×5) input rows 8..21. */
static void test_unit_receptive_field(void **st)
{
    (void)st;
    char out[4096];
    assert_int_equal(run(CAT " --arch lenet5 --layer conv2 --unit 3,4,5", "u", out, sizeof out), 0);
    assert_non_null(strstr(out, "unit: conv2 channel 3, row 4, column 5"));
    float *g = read_grad("u");
    int inside = 0;
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++) {
            int in_rf = y >= 8 && y <= 21 && x >= 10 && x <= 23;
            if (!in_rf) assert_true(g[y * 32 + x] == 0.0f);
            inside += in_rf && g[y * 32 + x] != 0.0f;
        }
    assert_true(inside > 150); /* of 14×14 = 196 */
    free(g);
}

static void test_refusals(void **st)
{
    (void)st;
    static const struct {
        const char *args, *says;
        int code;
    } cases[] = {
        {CAT " --arch lenet5 --method smooth", "--method is gradient, guided or deconv", 2},
        {CAT " --arch lenet5 --unit 1,2,3", "--layer and --unit go together", 2},
        {CAT " --arch lenet5 --layer conv2 --unit 16,0,0", "16 channels × 10 rows × 10 columns", 2},
        {CAT " --arch lenet5 --layer conv2 --unit 1-2", "--unit is C,Y,X", 2},
        {CAT " --arch lenet5 --class 1 --layer conv2 --unit 1,2,3", "not both", 2},
        {CAT " --arch lenet5 --class 10", "--class is 0 to 9", 2},
        {CAT " --arch lenet5 --layer conv9 --unit 1,2,3", "unknown layer 'conv9'", 2},
        {SOURCE_DIR "/README.md --arch lenet5", "README.md", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cmd[2048], out[4096], err[4096];
        snprintf(cmd, sizeof cmd, "saliency %s --out %s", cases[i].args, ts_path("r"));
        int code = ts_run_capture(cmd, out, sizeof out, err, sizeof err);
        if (code != cases[i].code || !strstr(err, cases[i].says))
            fail_msg("saliency %s: exit %d (want %d), stderr: %s", cases[i].args, code, cases[i].code, err);
    }
    char out[256], err[1024];
    assert_int_equal(ts_run_capture("saliency " CAT, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "missing --out DIR"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_class_files_and_methods),
        cmocka_unit_test(test_unit_receptive_field),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
