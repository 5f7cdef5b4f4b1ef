/* test_ui_options.c - the window's command line (ui_options.c): defaults, every option,
   good and bad values of every numeric option with the message a user sees, exit code 2. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_options.h"

/* Parses a space-separated command line (no quoting needed here). */
static int parse(const char *line, UiOptions *o, Err *e)
{
    static char buf[1024];
    static char *argv[64];
    snprintf(buf, sizeof buf, "%s", line);
    int argc = 0;
    argv[argc++] = "alexscope";
    for (char *t = strtok(buf, " "); t && argc < 63; t = strtok(NULL, " ")) argv[argc++] = t;
    memset(e, 0, sizeof *e);
    return ui_options_parse(argc, argv, o, e);
}

/* The options of a line that must parse (they point into parse's buffer: read them before
   the next parse). */
static UiOptions good(const char *line)
{
    UiOptions o;
    Err e;
    int rc = parse(line, &o, &e);
    if (rc != 0) fail_msg("'%s': rc %d, message '%s'", line, rc, e.msg);
    return o;
}

/* The line must fail with 2 and a message starting with want. */
static void bad(const char *line, const char *want)
{
    UiOptions o;
    Err e;
    int rc = parse(line, &o, &e);
    if (rc != 2 || strncmp(e.msg, want, strlen(want)) != 0)
        fail_msg("'%s': rc %d, message '%s', expected 2 and '%s...'", line, rc, e.msg, want);
}

/* bad("<before>OPT VALUE", "OPT VALUE: <msg>") for each value of the NULL-terminated list. */
static void bad_values(const char *before, const char *opt, const char *const *values, const char *msg)
{
    for (; *values; values++) {
        char line[256], want[256];
        snprintf(line, sizeof line, "%s%s %s", before, opt, *values);
        snprintf(want, sizeof want, "%s %s: %s", opt, *values, msg);
        bad(line, want);
    }
}

static void test_defaults(void **ctx)
{
    (void)ctx;
    UiOptions o = good("");
    assert_int_equal(o.w, 1280);
    assert_int_equal(o.h, 720);
    assert_int_equal(o.sized, 0);
    assert_int_equal(o.channel, -1);
    assert_int_equal(o.card, -1);
    assert_int_equal(o.cmap, 1);
    assert_true(o.zoom == 1.0f);
    assert_int_equal(o.lesson_step, 0);
    assert_null(o.image);
    assert_null(o.weights);
}

static void test_strings_and_flags(void **ctx)
{
    (void)ctx;
    UiOptions o = good("cat.png --weights w.onnx --arch lenet5 --font f.ttf --export-dir out --screenshot s.png "
                       "--step conv2 --lesson a.lesson --selftest-events g.png --selftest-bad b.png");
    assert_string_equal(o.image, "cat.png");
    assert_string_equal(o.weights, "w.onnx");
    assert_string_equal(o.arch, "lenet5");
    assert_string_equal(o.font, "f.ttf");
    assert_string_equal(o.export_dir, "out");
    assert_string_equal(o.screenshot, "s.png");
    assert_string_equal(o.step, "conv2");
    assert_string_equal(o.lesson, "a.lesson");
    assert_string_equal(o.selftest, "g.png");
    assert_string_equal(o.selftest_bad, "b.png");
    o = good("--bench-ui --kernels --show-keys --grey --per-layer --mirror --theme contrast");
    assert_int_equal(o.bench + o.kernels + o.show_keys + o.norm + o.mirror + o.theme, 6);
    assert_int_equal(o.cmap, 0);
    assert_int_equal(good("--theme high-contrast").theme, 1);
    assert_int_equal(good("-h").help, 1);
    assert_int_equal(good("--card field").card, 2);
    assert_int_equal(good("--card math").card, 3);
}

static void test_size(void **ctx)
{
    (void)ctx;
    UiOptions o = good("--size 1920x1080");
    assert_int_equal(o.w, 1920);
    assert_int_equal(o.h, 1080);
    assert_int_equal(o.sized, 1);
    o = good("--size 320x200");
    assert_int_equal(o.w * 1000 + o.h, 320200);
    o = good("--size 8192x8192");
    assert_int_equal(o.w + o.h, 16384);
    bad("--size 0x0", "--size 0x0: expected WxH from 320x200 to 8192x8192");
    bad_values("", "--size", (const char *const[]){"319x200", "320x199", "8193x720", "12", "1280x720x3", "1280x", "x720",
                                                   "1280X720", NULL},
               "expected WxH");
    bad("--size", "--size needs a value");
}

static void test_channel(void **ctx)
{
    (void)ctx;
    assert_int_equal(good("--channel 0").channel, 0);
    assert_int_equal(good("--channel 65535").channel, 65535);
    bad("--channel -1", "--channel -1: a channel number from 0 to 65535");
    bad_values("", "--channel", (const char *const[]){"65536", "3x", "abc", NULL}, "a channel number");
}

static void test_zoom(void **ctx)
{
    (void)ctx;
    assert_true(good("--zoom 1.5").zoom == 1.5f);
    assert_true(good("--zoom 0.5").zoom == 0.5f);
    assert_true(good("--zoom 3").zoom == 3.0f);
    bad_values("", "--zoom", (const char *const[]){"0", "3.5", NULL}, "a scale from 0.5 to 3");
    bad_values("", "--zoom", (const char *const[]){"nan", "big", "2x", NULL}, "a scale");
}

static void test_unit(void **ctx)
{
    (void)ctx;
    UiOptions o = good("--unit 10,5,7");
    assert_int_equal(o.has_unit, 1);
    assert_int_equal(o.unit[0], 10);
    assert_int_equal(o.unit[1], 5);
    assert_int_equal(o.unit[2], 7);
    assert_int_equal(good("--unit 0,0,65535").unit[2], 65535);
    bad("--unit 1,2", "--unit 1,2: expected C,Y,X, each from 0 to 65535");
    bad_values("", "--unit", (const char *const[]){"1,2,3,4", "1,-2,3", "1,2,x", "1,,3", "1,2,65536", NULL},
               "expected C,Y,X");
}

static void test_lesson_step(void **ctx)
{
    (void)ctx;
    assert_int_equal(good("--lesson a.lesson --lesson-step 3").lesson_step, 3);
    assert_int_equal(good("--lesson a.lesson --lesson-step 64").lesson_step, 64);
    bad("--lesson a.lesson --lesson-step 0", "--lesson-step 0: a step number from 1 to 64");
    bad_values("--lesson a.lesson ", "--lesson-step", (const char *const[]){"65", "2a", NULL}, "a step number from 1");
    bad("--lesson-step 2", "--lesson-step needs --lesson FILE");
}

static void test_other_errors(void **ctx)
{
    (void)ctx;
    bad("--card round", "--card round: one of size, params, field, math");
    bad("--frobnicate", "unknown option --frobnicate (see --help)");
    bad("a.png b.png", "one image at a time (got a.png and b.png)");
    bad("--weights", "--weights needs a value (see --help)");
    /* outputs in the way are refused at start-up, not at the first export (afile.h) */
    bad("--export-dir /dev/null", "/dev/null: exists and is not a directory");
    bad("--export-dir " SOURCE_DIR "/README.md", SOURCE_DIR "/README.md: exists and is not a directory");
    bad("--screenshot /dev/null", "/dev/null: exists and is not a regular file; not replaced");
}

static void test_usage_lists_keys(void **ctx)
{
    (void)ctx;
    char buf[8192] = {0};
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    assert_non_null(f);
    ui_options_usage(f);
    fclose(f);
    const char *want[] = {"usage: alexscope", "--screenshot", "--lesson-step N", "alexnet (default), alexnet-tv, lenet5",
                          "seed 42", "PgDn", "Backspace", "Home  End", "Ctrl W", "F11", "1 2 3 4", "export the layer's PNGs"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(buf, want[i])) fail_msg("--help lacks '%s'", want[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),     cmocka_unit_test(test_strings_and_flags), cmocka_unit_test(test_size),
        cmocka_unit_test(test_channel),      cmocka_unit_test(test_zoom),              cmocka_unit_test(test_unit),
        cmocka_unit_test(test_lesson_step), cmocka_unit_test(test_other_errors),      cmocka_unit_test(test_usage_lists_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
