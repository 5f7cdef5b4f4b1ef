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

/* The line must fail with 2 and a message starting with want. */
static void bad(const char *line, const char *want)
{
    UiOptions o;
    Err e;
    int rc = parse(line, &o, &e);
    if (rc != 2 || strncmp(e.msg, want, strlen(want)) != 0)
        fail_msg("'%s': rc %d, message '%s', expected 2 and '%s...'", line, rc, e.msg, want);
}

static void test_defaults(void **ctx)
{
    (void)ctx;
    UiOptions o;
    Err e;
    assert_int_equal(parse("", &o, &e), 0);
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
    UiOptions o;
    Err e;
    assert_int_equal(parse("cat.png --weights w.onnx --arch lenet5 --font f.ttf --export-dir out --screenshot s.png "
                           "--step conv2 --lesson a.lesson --selftest-events g.png --selftest-bad b.png",
                           &o, &e), 0);
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
    assert_int_equal(parse("--bench-ui --kernels --show-keys --grey --per-layer --mirror --theme contrast", &o, &e), 0);
    assert_int_equal(o.bench + o.kernels + o.show_keys + o.norm + o.mirror + o.theme, 6);
    assert_int_equal(o.cmap, 0);
    assert_int_equal(parse("--theme high-contrast", &o, &e), 0);
    assert_int_equal(o.theme, 1);
    assert_int_equal(parse("-h", &o, &e), 0);
    assert_int_equal(o.help, 1);
    assert_int_equal(parse("--card field", &o, &e), 0);
    assert_int_equal(o.card, 2);
    assert_int_equal(parse("--card math", &o, &e), 0);
    assert_int_equal(o.card, 3);
}

static void test_size(void **ctx)
{
    (void)ctx;
    UiOptions o;
    Err e;
    assert_int_equal(parse("--size 1920x1080", &o, &e), 0);
    assert_int_equal(o.w, 1920);
    assert_int_equal(o.h, 1080);
    assert_int_equal(o.sized, 1);
    assert_int_equal(parse("--size 320x200", &o, &e), 0);
    assert_int_equal(o.w * 1000 + o.h, 320200);
    assert_int_equal(parse("--size 8192x8192", &o, &e), 0);
    assert_int_equal(o.w + o.h, 16384);
    bad("--size 0x0", "--size 0x0: expected WxH from 320x200 to 8192x8192");
    bad("--size 319x200", "--size 319x200: expected WxH");
    bad("--size 320x199", "--size 320x199: expected WxH");
    bad("--size 8193x720", "--size 8193x720: expected WxH");
    bad("--size 12", "--size 12: expected WxH");
    bad("--size 1280x720x3", "--size 1280x720x3: expected WxH");
    bad("--size 1280x", "--size 1280x: expected WxH");
    bad("--size x720", "--size x720: expected WxH");
    bad("--size 1280X720", "--size 1280X720: expected WxH");
    bad("--size", "--size needs a value");
}

static void test_channel(void **ctx)
{
    (void)ctx;
    UiOptions o;
    Err e;
    assert_int_equal(parse("--channel 0", &o, &e), 0);
    assert_int_equal(o.channel, 0);
    assert_int_equal(parse("--channel 65535", &o, &e), 0);
    assert_int_equal(o.channel, 65535);
    bad("--channel -1", "--channel -1: a channel number from 0 to 65535");
    bad("--channel 65536", "--channel 65536: a channel number");
    bad("--channel 3x", "--channel 3x: a channel number");
    bad("--channel abc", "--channel abc: a channel number");
}

static void test_zoom(void **ctx)
{
    (void)ctx;
    UiOptions o;
    Err e;
    assert_int_equal(parse("--zoom 1.5", &o, &e), 0);
    assert_true(o.zoom == 1.5f);
    assert_int_equal(parse("--zoom 0.5", &o, &e), 0);
    assert_true(o.zoom == 0.5f);
    assert_int_equal(parse("--zoom 3", &o, &e), 0);
    assert_true(o.zoom == 3.0f);
    bad("--zoom 0", "--zoom 0: a scale from 0.5 to 3");
    bad("--zoom 3.5", "--zoom 3.5: a scale from 0.5 to 3");
    bad("--zoom nan", "--zoom nan: a scale");
    bad("--zoom big", "--zoom big: a scale");
    bad("--zoom 2x", "--zoom 2x: a scale");
}

static void test_unit(void **ctx)
{
    (void)ctx;
    UiOptions o;
    Err e;
    assert_int_equal(parse("--unit 10,5,7", &o, &e), 0);
    assert_int_equal(o.has_unit, 1);
    assert_int_equal(o.unit[0], 10);
    assert_int_equal(o.unit[1], 5);
    assert_int_equal(o.unit[2], 7);
    assert_int_equal(parse("--unit 0,0,65535", &o, &e), 0);
    assert_int_equal(o.unit[2], 65535);
    bad("--unit 1,2", "--unit 1,2: expected C,Y,X, each from 0 to 65535");
    bad("--unit 1,2,3,4", "--unit 1,2,3,4: expected C,Y,X");
    bad("--unit 1,-2,3", "--unit 1,-2,3: expected C,Y,X");
    bad("--unit 1,2,x", "--unit 1,2,x: expected C,Y,X");
    bad("--unit 1,,3", "--unit 1,,3: expected C,Y,X");
    bad("--unit 1,2,65536", "--unit 1,2,65536: expected C,Y,X");
}

static void test_lesson_step(void **ctx)
{
    (void)ctx;
    UiOptions o;
    Err e;
    assert_int_equal(parse("--lesson a.lesson --lesson-step 3", &o, &e), 0);
    assert_int_equal(o.lesson_step, 3);
    assert_int_equal(parse("--lesson a.lesson --lesson-step 64", &o, &e), 0);
    assert_int_equal(o.lesson_step, 64);
    bad("--lesson a.lesson --lesson-step 0", "--lesson-step 0: a step number from 1 to 64");
    bad("--lesson a.lesson --lesson-step 65", "--lesson-step 65: a step number from 1");
    bad("--lesson a.lesson --lesson-step 2a", "--lesson-step 2a: a step number from 1");
    bad("--lesson-step 2", "--lesson-step needs --lesson FILE");
}

static void test_other_errors(void **ctx)
{
    (void)ctx;
    bad("--card round", "--card round: one of size, params, field, math");
    bad("--frobnicate", "unknown option --frobnicate (see --help)");
    bad("a.png b.png", "one image at a time (got a.png and b.png)");
    bad("--weights", "--weights needs a value (see --help)");
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
                          "seed 42", "PgDn", "Backspace", "Home  End", "Ctrl W", "F11", "1 2 3 4", "export PNGs"};
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
