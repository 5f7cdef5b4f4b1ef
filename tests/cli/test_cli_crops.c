/* test_cli_crops.c - `run IMAGE --crops 10`, the paper's ten crops, as a user drives it:
   ten crops and an average printed, the average equal to the mean of the ten (one class,
   from --json), the centre crop the same as plain `run`, and the refusals. None of it is
   about the naive loops' numbers (tests/tools checks tool_crops against plain runs), so it
   uses the fast engine when the build has one (each naive alexnet pass takes seconds under
   AddressSanitizer), and one --json run serves two tests. */
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

#define CAT SOURCE_DIR "/assets/samples/chelsea.png"

static char out[1 << 16], err[1 << 14];

static int run(const char *args) { return ts_run_capture(args, out, sizeof out, err, sizeof err); }

/* `run ARGS ENGINE` must exit 0; its stdout stays in out. */
static void run_ok(const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s%s", args, ts_fast_engine());
    assert_int_equal(run(cmd), 0);
}

/* `run CAT --crops 10 --json`, once: a copy of its output (kept for the program's life). */
static const char *crops_json(void)
{
    static char *copy;
    if (!copy) {
        run_ok("run " CAT " --crops 10 --json");
        copy = strdup(out);
        assert_non_null(copy);
    }
    return copy;
}

/* The number after `"key": ` at its n-th occurrence (from 0) in s. */
static double json_num(const char *s, const char *key, int n)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = s;
    for (int i = 0; i <= n; i++) {
        p = strstr(p, pat);
        assert_non_null(p);
        p += strlen(pat);
    }
    return atof(p);
}

static void test_ten_crops_text(void **st)
{
    (void)st;
    run_ok("run " CAT " --crops 10");
    static const char *const names[] = {"top-left ", "top-right ", "bottom-left ", "bottom-right ", "centre ",
                                        "top-left, mirrored", "top-right, mirrored", "bottom-left, mirrored",
                                        "bottom-right, mirrored", "centre, mirrored"};
    for (int i = 0; i < 10; i++) assert_non_null(strstr(out, names[i]));
    assert_non_null(strstr(out, "ten crops 227×227 of the 256×256 image"));
    assert_non_null(strstr(out, "x  29, y  29"));
    assert_non_null(strstr(out, "x  14, y  14"));
    assert_non_null(strstr(out, "the softmax averaged over the ten:\n 1. "));
    assert_non_null(strstr(out, "\n 5. "));
}

static void test_average_is_mean_of_ten(void **st)
{
    (void)st;
    const char *js = crops_json();
    /* the "top" list comes after the ten crops: its first index is the 11th "index" */
    double avg = json_num(strstr(js, "\"top\": "), "prob", 0);
    double sum = 0;
    for (int i = 0; i < 10; i++) sum += json_num(js, "avg_top1_prob", i);
    assert_true(fabs(sum / 10 - avg) <= 1e-5 * avg + 1e-7);
    assert_true(avg > 0 && avg <= 1);
}

static void test_centre_equals_plain_run(void **st)
{
    (void)st;
    run_ok("run " CAT " --json --top 1");
    int plain = (int)json_num(out, "index", 0);
    double plain_p = json_num(out, "prob", 0);
    const char *centre = strstr(crops_json(), "{\"name\": \"centre\"");
    assert_non_null(centre);
    assert_int_equal((int)json_num(centre, "x", 0), 14);
    assert_int_equal((int)json_num(centre, "index", 0), plain);
    assert_true(fabs(json_num(centre, "prob", 0) - plain_p) <= 1e-5 * plain_p + 1e-7);
    /* --crops 1 is plain run */
    run_ok("run " CAT " --json --top 1 --crops 1");
    assert_int_equal((int)json_num(out, "index", 0), plain);
}

static void test_tv_offsets(void **st)
{
    (void)st;
    /* chelsea.png is 451×300: shorter side 256 gives 384×256; 384 - 224 = 160, centre 80 */
    run_ok("run " CAT " --crops 10 --arch alexnet-tv --json");
    const char *br = strstr(out, "{\"name\": \"bottom-right\"");
    assert_non_null(br);
    assert_int_equal((int)json_num(br, "x", 0), 160);
    assert_int_equal((int)json_num(br, "y", 0), 32);
    const char *c = strstr(out, "{\"name\": \"centre\"");
    assert_int_equal((int)json_num(c, "x", 0), 80);
    assert_int_equal((int)json_num(c, "y", 0), 16);
}

static void test_refusals(void **st)
{
    (void)st;
    assert_int_equal(run("run " CAT " --crops 3"), 2);
    assert_non_null(strstr(err, "--crops takes 1"));
    assert_int_equal(run("run " CAT " --crops ten"), 2);
    assert_int_equal(run("run " CAT " --crops 10 --mirror"), 2);
    assert_int_equal(run("run " CAT " --crops 10 --arch lenet5"), 2);
    assert_non_null(strstr(err, "lenet5"));
    /* a 3×224×224 tensor (already cropped) is not the 3×256×256 the crops come from */
    assert_int_equal(run("run --input-npy " FIXTURES "/golden/mini-tv/input.npy --arch alexnet-tv --crops 10"), 1);
    assert_non_null(strstr(err, "input.npy: expected a float32 tensor 3×256×256"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ten_crops_text),
        cmocka_unit_test(test_average_is_mean_of_ten),
        cmocka_unit_test(test_centre_equals_plain_run),
        cmocka_unit_test(test_tv_offsets),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
