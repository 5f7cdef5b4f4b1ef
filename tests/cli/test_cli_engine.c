/* test_cli_engine.c - --engine on the commands that compute, `bench --engine both`, and
   `batch`: the binary as a user drives it. The fast-engine cases skip themselves in a build
   without a BLAS (and check the refusal instead). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define SAMPLES SOURCE_DIR "/assets/samples"

static char out[1 << 16], err[1 << 14];
static int have_fast;

static int run(const char *args) { return ts_run_capture(args, out, sizeof out, err, sizeof err); }

static int setup(void **st)
{
    (void)st;
    if (!ts_dir_create("cli-engine")) return -1;
    static const char corrupt[] = "\xff\xd8\xff\xe0 not really a jpeg";
    ts_write_file(ts_path("corrupt.jpg"), corrupt, sizeof corrupt - 1);
    ts_write_file(ts_path("notes.txt"), "hello\n", 6);
    have_fast = run("run " SAMPLES "/chelsea.png --engine fast") == 0;
    return 0;
}

/* The class indices of run --json's "top" list, in order; returns how many. */
static int json_indices(const char *s, int *idx, int max)
{
    int n = 0;
    for (const char *p = s; n < max && (p = strstr(p, "\"index\": ")); p += 9) idx[n++] = atoi(p + 9);
    return n;
}

static int count_of(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what)) n++;
    return n;
}

static void test_fast_and_naive_same_top5(void **st)
{
    (void)st;
    if (!have_fast) {
        assert_int_equal(run("run " SAMPLES "/chelsea.png --engine fast"), 2);
        assert_non_null(strstr(err, "this build has no fast engine (no BLAS found when it was built)"));
        skip();
    }
    int a[5], b[5];
    assert_int_equal(run("run " SAMPLES "/chelsea.png --engine naive --json"), 0);
    assert_int_equal(json_indices(out, a, 5), 5);
    double pa = atof(strstr(out, "\"prob\": ") + 8);
    assert_int_equal(run("run " SAMPLES "/chelsea.png --engine fast --json"), 0);
    assert_int_equal(json_indices(out, b, 5), 5);
    double pb = atof(strstr(out, "\"prob\": ") + 8);
    for (int i = 0; i < 5; i++) assert_int_equal(a[i], b[i]);
    assert_true(pa > 0 && (pa - pb) / pa < 1e-4 && (pb - pa) / pa < 1e-4);
}

static void test_engine_usage_errors(void **st)
{
    (void)st;
    assert_int_equal(run("run " SAMPLES "/chelsea.png --engine bogus"), 2);
    assert_non_null(strstr(err, "--engine is naive, fast or both, not 'bogus'"));
    assert_int_equal(run("run " SAMPLES "/chelsea.png --engine"), 2);
    assert_int_equal(run("summary --engine naive"), 2);
    assert_non_null(strstr(err, "takes no --engine"));
    if (have_fast) {
        assert_int_equal(run("run " SAMPLES "/chelsea.png --engine both"), 2);
        assert_non_null(strstr(err, "--engine both is for bench"));
    }
    assert_int_equal(run("batch " SAMPLES " --out x.csv --batch 0"), 2);
    assert_int_equal(run("batch " SAMPLES), 2);
    assert_non_null(strstr(err, "missing --out"));
    assert_int_equal(run("run --help"), 0);
    assert_non_null(strstr(out, "--engine naive|fast"));
}

static void test_bench_json_engines(void **st)
{
    (void)st;
    assert_int_equal(run("bench --reps 1 --json"), 0);
    assert_int_equal(count_of(out, "\"total_ms\": "), 1);
    assert_non_null(strstr(out, "\"engines\": {\"naive\": {\"total_ms\": "));
    assert_non_null(strstr(out, "\"batch\": 1, \"threads\": 2"));
    assert_int_equal(count_of(out, "{\"name\": "), 23); /* alexnet's 23 layers */
    if (!have_fast) {
        assert_int_equal(run("bench --reps 1 --engine both --json"), 2);
        skip();
    }
    assert_int_equal(run("bench --reps 1 --engine both --json"), 0);
    assert_int_equal(count_of(out, "\"total_ms\": "), 2);
    assert_non_null(strstr(out, "\"naive\": {\"total_ms\": "));
    assert_non_null(strstr(out, "\"fast\": {\"total_ms\": "));
    assert_int_equal(count_of(out, "{\"name\": "), 46);
    assert_int_equal(run("bench --reps 1 --engine both"), 0);
    assert_non_null(strstr(out, "naive/fast"));
}

/* The CSV's data rows (after the header), and that each starts with its file's path. */
static int check_rows(const char *csv, const char *const *files, int n)
{
    const char *line = strchr(csv, '\n');
    int rows = 0;
    for (; line && line[1]; line = strchr(line + 1, '\n'), rows++)
        if (rows < n && strncmp(line + 1, files[rows], strlen(files[rows]))) return -1;
    return rows;
}

static void test_batch_csv(void **st)
{
    (void)st;
    static const char *const files[] = {SAMPLES "/astronaut.png,", SAMPLES "/chelsea.png,", SAMPLES "/coffee.png,",
                                        SAMPLES "/rocket.jpg,"};
    char args[1024], *csv;
    const char *engines[] = {"naive", "fast"};
    int top1[2] = {-1, -1};
    for (int k = 0; k < (have_fast ? 2 : 1); k++) {
        snprintf(args, sizeof args, "batch %s %s --top 3 --batch 3 --engine %s --out %s", SAMPLES, ts_path("corrupt.jpg"),
                 engines[k], ts_path("r.csv"));
        assert_int_equal(run(args), 0);
        assert_non_null(strstr(out, "4 of 5 images in "));
        assert_non_null(strstr(out, " images/s (")); assert_non_null(strstr(out, "the forward passes alone: "));
        assert_non_null(strstr(err, "corrupt.jpg"));
        assert_non_null(strstr(err, "CREDITS.md: not an image name, skipped"));
        assert_non_null(csv = (char *)ts_slurp(ts_path("r.csv"), NULL));
        static const char head[] = "file,top1_index,top1_name,top1_prob,top2_index,top2_name,top2_prob,top3_index,"
                                   "top3_name,top3_prob\n";
        assert_true(!strncmp(csv, head, strlen(head)));
        assert_int_equal(check_rows(csv, files, 4), 4);
        top1[k] = atoi(strstr(csv, "chelsea.png,") + 12);
        free(csv);
    }
    /* chelsea's row says what `run` says */
    assert_int_equal(run("run " SAMPLES "/chelsea.png --json"), 0);
    int idx[1];
    assert_int_equal(json_indices(out, idx, 1), 1);
    assert_int_equal(top1[0], idx[0]);
    if (have_fast) assert_int_equal(top1[1], idx[0]);
}

static void test_batch_nothing_readable(void **st)
{
    (void)st;
    char args[1024];
    snprintf(args, sizeof args, "batch %s %s --out %s", ts_path("corrupt.jpg"), ts_path("missing.png"), ts_path("r2.csv"));
    assert_int_equal(run(args), 1);
    assert_non_null(strstr(err, "corrupt.jpg"));
    assert_non_null(strstr(err, "missing.png: cannot open"));
    assert_non_null(strstr(out, "0 of 2 images"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_and_naive_same_top5), cmocka_unit_test(test_engine_usage_errors),
        cmocka_unit_test(test_bench_json_engines),       cmocka_unit_test(test_batch_csv),
        cmocka_unit_test(test_batch_nothing_readable),
    };
    return cmocka_run_group_tests(tests, setup, ts_teardown);
}
