/* test_cli_occlusion.c - `alexscope occlusion`: the grid follows (n − window)/stride + 1
   rounded down, an occluded position's value is what `run` gives for the same tensor with
   that square zeroed, and bad options or a missing image are refused. lenet5 (32×32 grey)
   keeps it fast; alexnet runs once with a large stride. */
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

#define SAMPLES SOURCE_DIR "/assets/samples"

static char out[1 << 16], err[1 << 14];

static int run(const char *args) { return ts_run_capture(args, out, sizeof out, err, sizeof err); }

/* A float32 .npy of shape dims[0..nd) (format 1.0, header padded to 64 bytes). */
static void write_npy(const char *path, const float *x, const int *dims, int nd)
{
    char dict[128], shape[64] = "";
    for (int i = 0; i < nd; i++) snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%d, ", dims[i]);
    shape[strlen(shape) - (nd > 1 ? 2 : 1)] = '\0';
    int len = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", shape);
    int hlen = (10 + len + 1 + 63) / 64 * 64 - 10;
    size_t count = 1;
    for (int i = 0; i < nd; i++) count *= (size_t)dims[i];
    size_t size = 10 + (size_t)hlen + 4 * count;
    unsigned char *b = malloc(size);
    assert_non_null(b);
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = (unsigned char)(hlen & 255), b[9] = (unsigned char)(hlen >> 8);
    memset(b + 10, ' ', (size_t)hlen);
    memcpy(b + 10, dict, (size_t)len);
    b[10 + hlen - 1] = '\n';
    memcpy(b + 10 + hlen, x, 4 * count); /* this machine is little-endian, as '<f4' says */
    ts_write_file(path, b, size);
    free(b);
}

/* occlusion.npy: its shape (2 axes) and a copy of its values (caller frees). */
static float *read_map(const char *path, int *rows, int *cols)
{
    size_t n;
    unsigned char *b = ts_slurp(path, &n);
    assert_true(n > 10 && !memcmp(b, "\x93NUMPY", 6));
    int hlen = b[8] | b[9] << 8;
    const char *sh = strstr((const char *)b + 10, "'shape': (");
    assert_non_null(sh);
    assert_int_equal(sscanf(sh, "'shape': (%d, %d)", rows, cols), 2);
    size_t count = (size_t)*rows * (size_t)*cols;
    assert_int_equal(n, 10 + (size_t)hlen + 4 * count);
    float *v = malloc(4 * count);
    assert_non_null(v);
    memcpy(v, b + 10 + hlen, 4 * count);
    free(b);
    return v;
}

/* A fixed 1×32×32 pattern with values around ±1, like lenet's normalised input, into x
   and written as NAME. */
static void lenet_input(float *x, const char *name)
{
    uint32_t s = 12345;
    for (int i = 0; i < 32 * 32; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (float)(s >> 8) / (float)(1u << 24) * 2.0f - 1.0f;
    }
    int dims[3] = {1, 32, 32};
    write_npy(ts_path(name), x, dims, 3);
}

/* Runs `occlusion ARGS --out DIR`, expects exit 0 and the grid line, reads DIR/occlusion.npy
   and checks it is n×n; returns its values (caller frees). */
static float *occlusion_map(const char *args, const char *dir, const char *line, int n)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "occlusion %s --out %s", args, ts_path(dir));
    assert_int_equal(run(cmd), 0);
    assert_non_null(strstr(out, line));
    char npy[64];
    snprintf(npy, sizeof npy, "%s/occlusion.npy", dir);
    int rows, cols;
    float *m = read_map(ts_path(npy), &rows, &cols);
    assert_int_equal(rows, n);
    assert_int_equal(cols, n);
    return m;
}

/* occlusion_map on lenet5 with the pattern of lenet_input (into x) as --input-npy. */
static float *lenet_map(float *x, const char *opts, const char *dir, const char *line, int n)
{
    lenet_input(x, "in.npy");
    char args[1024];
    snprintf(args, sizeof args, "--arch lenet5 --input-npy %s %s", ts_path("in.npy"), opts);
    return occlusion_map(args, dir, line, n);
}

/* Window 8, stride 4 on 32: (32 − 8)/4 + 1 = 7 exactly; window 10, stride 7: 22/7 + 1 = 4.14 → 4. */
static void test_grid_lenet(void **st)
{
    (void)st;
    float x[32 * 32];
    free(lenet_map(x, "--window 8 --stride 4", "g1", "grid: (32−8)/4+1 = 7.00 → 7 positions per axis, 49 in all", 7));
    size_t n;
    unsigned char *png = ts_slurp(ts_path("g1/occlusion.png"), &n);
    assert_true(n > 8 && !memcmp(png, "\x89PNG", 4));
    free(png);
    free(lenet_map(x, "--window 10 --stride 7", "g2", "grid: (32−10)/7+1 = 4.14 → 4 positions per axis, 16 in all", 4));
}

/* alexnet at 227: window 100, stride 60: 127/60 + 1 = 3.12 → 3 per axis (the fast engine
   when built: the grid is not about the loops' numbers, and naive alexnet is slow under ASan). */
static void test_grid_alexnet(void **st)
{
    (void)st;
    char args[256];
    snprintf(args, sizeof args, SAMPLES "/chelsea.png --window 100 --stride 60%s", ts_fast_engine());
    free(occlusion_map(args, "a",
                       "grid: (227−100)/60+1 = 3.12 → 3 positions per axis, 9 in all", 3));
    assert_non_null(strstr(out, "most important: row "));
}

/* class k's probability in run --json's output. */
static double json_prob(const char *s, int k)
{
    char key[32];
    snprintf(key, sizeof key, "\"index\": %d, ", k);
    const char *p = strstr(s, key);
    assert_non_null(p);
    p = strstr(p, "\"prob\": ");
    assert_non_null(p);
    return atof(p + 8);
}

/* Position (row 2, column 3) with window 8, stride 4 is the square y 8..15, x 12..19. */
static void test_value_equals_run(void **st)
{
    (void)st;
    float x[32 * 32];
    float *m = lenet_map(x, "--class 3 --window 8 --stride 4", "v", "grid: (32−8)/4+1", 7);
    int cols = 7;
    assert_non_null(strstr(out, "class: 3\n"));
    for (int y = 8; y < 16; y++)
        for (int c = 12; c < 20; c++) x[y * 32 + c] = 0;
    int dims[3] = {1, 32, 32};
    write_npy(ts_path("occ.npy"), x, dims, 3);
    char args[1024];
    snprintf(args, sizeof args, "run --arch lenet5 --input-npy %s --json --top 10", ts_path("occ.npy"));
    assert_int_equal(run(args), 0);
    double want = json_prob(out, 3), got = m[2 * cols + 3];
    assert_true(fabs(got - want) <= 1e-5 * fabs(want) + 1e-12);
    /* and it is not simply every position's value: another square gives another number */
    assert_true(m[0] != m[2 * cols + 3]);
    free(m);
}

/* The exit status of `occlusion --arch lenet5 IMAGE OPTS --out DIR` on chelsea.png. */
static int lenet_on_photo(const char *opts)
{
    char args[1024];
    snprintf(args, sizeof args, "occlusion --arch lenet5 " SAMPLES "/chelsea.png %s --out %s", opts, ts_path("r"));
    return run(args);
}

static void test_refusals(void **st)
{
    (void)st;
    assert_int_equal(lenet_on_photo("--window 0"), 2);
    assert_non_null(strstr(err, "--window"));
    assert_int_equal(lenet_on_photo("--window 33"), 2);
    assert_non_null(strstr(err, "--window is 1 to 32"));
    assert_int_equal(lenet_on_photo("--stride 0"), 2);
    assert_int_equal(lenet_on_photo("--class 10"), 2);
    assert_int_equal(run("occlusion --arch lenet5 " SAMPLES "/chelsea.png"), 2); /* no --out */
    char args[1024];
    snprintf(args, sizeof args, "occlusion --arch lenet5 %s --out %s", ts_path("missing.png"), ts_path("r"));
    assert_int_equal(run(args), 1);
    assert_non_null(strstr(err, "missing.png"));
    assert_int_equal(run("occlusion --help"), 0);
    assert_non_null(strstr(out, "(n − window)/stride + 1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_lenet),
        cmocka_unit_test(test_grid_alexnet),
        cmocka_unit_test(test_value_equals_run),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
