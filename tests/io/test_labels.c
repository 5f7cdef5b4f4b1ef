/* test_labels.c - the ImageNet names at known indices, line-ending variants, bad files,
   and where asset_path looks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labels.h"
#include "support.h"

static void test_imagenet(void **state)
{
    Labels lb;
    Err e = {0};
    assert_int_equal(labels_load(NULL, &lb, &e), 0); /* ALEXSCOPE_ASSETS from ctest, or the source tree */
    assert_int_equal(lb.count, 1000);
    char buf[32];
    assert_string_equal(labels_name(&lb, 0, buf, sizeof buf), "tench");
    assert_string_equal(labels_name(&lb, 1, buf, sizeof buf), "goldfish");
    assert_string_equal(labels_name(&lb, 281, buf, sizeof buf), "tabby");
    assert_string_equal(labels_name(&lb, 285, buf, sizeof buf), "Egyptian cat");
    assert_string_equal(labels_name(&lb, 504, buf, sizeof buf), "coffee mug");
    assert_string_equal(labels_name(&lb, 812, buf, sizeof buf), "space shuttle");
    assert_string_equal(labels_name(&lb, 967, buf, sizeof buf), "espresso");
    assert_string_equal(labels_name(&lb, 999, buf, sizeof buf), "toilet tissue");
    assert_string_equal(labels_name(&lb, 1000, buf, sizeof buf), "class 1000");
    assert_string_equal(labels_name(&lb, -1, buf, sizeof buf), "class -1");
    /* the short name: up to the first comma (a user's names file may have synonyms) */
    assert_string_equal(labels_short_name(&lb, 281, buf, sizeof buf), "tabby");
    assert_string_equal(labels_short_name(&lb, 1000, buf, sizeof buf), "class 1000");
    char *keep = lb.name[281];
    lb.name[281] = "tabby, tabby cat";
    assert_string_equal(labels_short_name(&lb, 281, buf, sizeof buf), "tabby");
    assert_string_equal(labels_name(&lb, 281, buf, sizeof buf), "tabby, tabby cat");
    lb.name[281] = keep;
    labels_free(&lb);
    assert_null(lb.name);
    assert_string_equal(labels_name(NULL, 7, buf, sizeof buf), "class 7");
    assert_string_equal(labels_name(NULL, 7, NULL, 0), "?");
}

static void test_line_endings(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/l.txt", ts_dir());
    Labels lb;
    Err e = {0};
    char buf[32];

    ts_write_file(path, "a b\r\ncat\r\ndog\r\n", 15); /* CRLF */
    assert_int_equal(labels_load(path, &lb, &e), 0);
    assert_int_equal(lb.count, 3);
    assert_string_equal(lb.name[0], "a b");
    assert_string_equal(lb.name[2], "dog");
    labels_free(&lb);

    ts_write_file(path, "\xEF\xBB\xBFone\ntwo", 10); /* BOM, no final newline */
    assert_int_equal(labels_load(path, &lb, &e), 0);
    assert_int_equal(lb.count, 2);
    assert_string_equal(lb.name[0], "one");
    assert_string_equal(lb.name[1], "two");
    labels_free(&lb);

    ts_write_file(path, "x\n\nz\n", 5); /* an empty line keeps its index */
    assert_int_equal(labels_load(path, &lb, &e), 0);
    assert_int_equal(lb.count, 3);
    assert_string_equal(labels_name(&lb, 1, buf, sizeof buf), "class 1");
    assert_string_equal(lb.name[2], "z");
    labels_free(&lb);
    remove(path);
}

static void expect_refused(const char *path, const char *needle)
{
    Labels lb = {5, (char **)&lb, NULL};
    Err e = {0};
    int rc = labels_load(path, &lb, &e);
    if (rc != -1 || strncmp(e.msg, path, strlen(path)) != 0 || (needle && !strstr(e.msg, needle)))
        fail_msg("%s: rc %d, message \"%s\"", path, rc, e.msg);
    assert_int_equal(lb.count, 0);
    assert_null(lb.name);
}

static void test_bad_files(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/bad.txt", ts_dir());
    expect_refused(path, "cannot open"); /* missing */
    expect_refused(ts_dir(), "not a regular file");
    ts_write_file(path, "", 0);
    expect_refused(path, "empty");
    ts_write_file(path, "abc\0def\n", 8);
    expect_refused(path, "binary");
    ts_write_file(path, "\xEF\xBB\xBF", 3);
    expect_refused(path, "0 lines");

    /* one name too many */
    size_t n = 100001;
    char *many = malloc(n * 2);
    assert_non_null(many);
    for (size_t i = 0; i < n; i++) {
        many[2 * i] = 'x';
        many[2 * i + 1] = '\n';
    }
    ts_write_file(path, many, n * 2);
    expect_refused(path, "100001 lines");
    ts_write_file(path, many, (n - 1) * 2); /* 100000 is fine */
    Labels lb;
    Err e = {0};
    assert_int_equal(labels_load(path, &lb, &e), 0);
    assert_int_equal(lb.count, 100000);
    labels_free(&lb);
    free(many);
    remove(path);
}

static void test_asset_path(void **state)
{
    char out[4096];
    const char *old = getenv("ALEXSCOPE_ASSETS");
    char *saved = old ? strdup(old) : NULL;

    /* the environment wins when the file is there */
    char path[128];
    snprintf(path, sizeof path, "%s/thing.txt", ts_dir());
    ts_write_file(path, "x\n", 2);
    setenv("ALEXSCOPE_ASSETS", ts_dir(), 1);
    assert_string_equal(asset_path("thing.txt", out, sizeof out), path);

    /* not there: the source tree's assets/ (compiled in) */
    assert_string_equal(asset_path("imagenet-classes.txt", out, sizeof out),
                        ALEXSCOPE_SOURCE_ASSETS "/imagenet-classes.txt");
    /* nowhere: still a sensible path to put in an error message */
    assert_string_equal(asset_path("nope.bin", out, sizeof out), ALEXSCOPE_SOURCE_ASSETS "/nope.bin");
    /* too small a buffer gives an empty string, never an overflow */
    char tiny[4];
    assert_string_equal(asset_path("imagenet-classes.txt", tiny, sizeof tiny), "");
    remove(path);

    if (saved) {
        setenv("ALEXSCOPE_ASSETS", saved, 1);
        free(saved);
    } else {
        unsetenv("ALEXSCOPE_ASSETS");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_imagenet),
        cmocka_unit_test(test_line_endings),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_asset_path),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
