/* test_lesson.c - lesson files: every shipped lesson checks and plays; typos get line numbers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"
#include "support.h"

#define LESSONS FIXTURES "/../../lessons"

static Lesson ls; /* big: keep it off the stack */

static void expect_error(const char *text, const char *want)
{
    Err e = {0};
    assert_int_equal(lesson_parse(text, "t.lesson", &ls, &e), -1);
    if (!strstr(e.msg, want)) fail_msg("wanted '%s' in: %s", want, e.msg);
}

static const char *head = "title: T\narch: alexnet\n\n--- One\n";

static void test_line_numbered_errors(void **st)
{
    (void)st;
    char text[1024];
    snprintf(text, sizeof text, "%slayer: conv9\nText.\n", head);
    expect_error(text, "t.lesson:5: unknown layer 'conv9' (known: input, conv1, relu1");
    snprintf(text, sizeof text, "%slayr: conv1\nText.\n", head);
    expect_error(text, "t.lesson:5: unknown directive 'layr'");
    snprintf(text, sizeof text, "%slayer: conv1\nIt has {conv1.parms} weights.\n", head);
    expect_error(text, "t.lesson:6: 'parms' is not a field of conv layer conv1");
    snprintf(text, sizeof text, "%slayer: conv1\nSee {conv10.params}.\n", head);
    expect_error(text, "t.lesson:6: unknown layer 'conv10'");
    snprintf(text, sizeof text, "%slayer: conv1\nAn open {brace here.\n", head);
    expect_error(text, "t.lesson:6: '{' without a matching '}'");
    snprintf(text, sizeof text, "%slayer: conv1\nunit: 99 0\nText.\n", head);
    expect_error(text, "t.lesson:6: unit '99 0' is outside the 55×55 output");
    snprintf(text, sizeof text, "%slayer: conv1\nchannel: 96\nText.\n", head);
    expect_error(text, "t.lesson:6: channel '96' is not in 0..95");
    snprintf(text, sizeof text, "%spanel: mapz\nText.\n", head);
    expect_error(text, "t.lesson:5: unknown panel 'mapz'");
    snprintf(text, sizeof text, "%smirror: yes\nText.\n", head);
    expect_error(text, "t.lesson:5: mirror is on or off");
    snprintf(text, sizeof text, "%sText {size:224,11,0}.\n", head);
    expect_error(text, "t.lesson:5: {size:...} takes four numbers");
    snprintf(text, sizeof text, "%sText {lenet6:conv1.params}.\n", head);
    expect_error(text, "unknown architecture 'lenet6'");
    expect_error("arch: alexnet9\n", "t.lesson:1: unknown arch 'alexnet9'");
    expect_error("title: T\n", "no steps");
    expect_error("arch: alexnet\n--- S\nText.\n", "t.lesson:1: the lesson has no 'title:' line");
    expect_error("title: T\n--- S\nlayer: conv1\n", "t.lesson:2: step 'S' has no narration");
    expect_error("title: T\nSome prose before any step.\n", "t.lesson:2: expected 'title:'");
}

static void test_files_refused(void **st)
{
    (void)st;
    Err e = {0};
    assert_int_equal(lesson_load("/nonexistent/x.lesson", &ls, &e), -1);
    assert_non_null(strstr(e.msg, "/nonexistent/x.lesson: "));
    assert_int_equal(lesson_load(LESSONS, &ls, &e), -1);
    assert_non_null(strstr(e.msg, "directory"));
    assert_int_equal(lesson_load(FIXTURES "/bad/random.bin", &ls, &e), -1);
    assert_non_null(strstr(e.msg, "random.bin"));
}

static void test_placeholders_come_from_the_engine(void **st)
{
    (void)st;
    Err e = {0};
    const char *text = "title: T\n--- S\nlayer: conv2\nchannel: 3\nunit: 1 2\n"
                       "{conv1.params_expr}; {conv2.formula_padded}; {total.params}; {size:224,11,0,4};\n"
                       "{lenet5:total.params}; {pool5.rf}; {{literal}}; {input.shape}; {conv2.kernel}\n";
    assert_int_equal(lesson_parse(text, "t.lesson", &ls, &e), 0);
    assert_int_equal(ls.nsteps, 1);
    assert_int_equal(ls.steps[0].layer, arch_layer_index(&arch_alexnet, "conv2"));
    assert_int_equal(ls.steps[0].channel, 3);
    assert_int_equal(ls.steps[0].unit_y, 1);
    assert_int_equal(ls.steps[0].unit_x, 2);
    Net *n = net_create(&arch_alexnet, NULL, &e);
    char out[2048];
    assert_int_equal(lesson_narration(&ls, 0, n, NULL, out, sizeof out, &e), 0);
    assert_string_equal(out, "96×11×11×3 + 96 = 34,944; (27+2·2−5)/1+1 = 27; 60,965,224; (224−11)/4+1 = 54.25 → 54; "
                             "61,706; 195×195; {literal}; 227×227×3; 5×5×48");
    char v[128];
    assert_int_equal(lesson_placeholder("conv1.zero_pct", n, NULL, v, sizeof v, &e), 0);
    assert_string_equal(v, "(not computed yet)");
    assert_int_equal(lesson_placeholder("total.fc_params_pct", n, NULL, v, sizeof v, &e), 0);
    assert_string_equal(v, "96.2%");
    assert_int_equal(lesson_placeholder("fc6.params_pct", n, NULL, v, sizeof v, &e), 0);
    assert_string_equal(v, "61.9%");
    assert_int_equal(lesson_placeholder("total.conv_macs_pct", n, NULL, v, sizeof v, &e), 0);
    assert_string_equal(v, "91.9%");
    net_free(n);
    lesson_free(&ls);
}

/* Numbers too big for an int: sscanf's %d wrapped them (glibc), so they used to be accepted
   as small numbers - a silent wrong answer. */
static void test_int_overflow_refused(void **st)
{
    (void)st;
    char text[1024];
    snprintf(text, sizeof text, "%sText {size:4294967520,11,0,4}.\n", head); /* 2^32 + 224 */
    expect_error(text, "t.lesson:5: {size:4294967520,11,0,4}: n, f and s must be");
    snprintf(text, sizeof text, "%sText {rounding:224,11,0,4294967300}.\n", head);
    expect_error(text, "t.lesson:5: {rounding:224,11,0,4294967300}: n, f and s must be");
    snprintf(text, sizeof text, "%sText {size:224,11,0,4,}.\n", head);
    expect_error(text, "t.lesson:5: {size:...} takes four numbers");
    snprintf(text, sizeof text, "%slayer: conv1\nunit: 4294967296 0\nText.\n", head); /* 2^32 */
    expect_error(text, "t.lesson:6: unit '4294967296 0' is outside the 55×55 output");
    snprintf(text, sizeof text, "%slayer: conv1\nunit: 3 99999999999999999999999\nText.\n", head);
    expect_error(text, "is outside the 55×55 output");
    snprintf(text, sizeof text, "%slayer: conv1\nunit: 3\nText.\n", head);
    expect_error(text, "t.lesson:6: unit takes a row and a column");
    snprintf(text, sizeof text, "%slayer: conv1\nunit: 3 4 5\nText.\n", head);
    expect_error(text, "t.lesson:6: unit takes a row and a column");
    snprintf(text, sizeof text, "%slayer: conv1\nunit: 3 4 \nText {size:1,1,0,1}.\n", head);
    Err e = {0};
    assert_int_equal(lesson_parse(text, "t.lesson", &ls, &e), 0);
    assert_int_equal(ls.steps[0].unit_y, 3);
    assert_int_equal(ls.steps[0].unit_x, 4);
    lesson_free(&ls);
}

/* docs/lessons.md: "{{ and }} give literal braces" - but a "{{" with no '}' later on its line
   was refused as an unmatched brace. */
static void test_literal_brace_alone(void **st)
{
    (void)st;
    Err e = {0};
    const char *text = "title: T\n--- S\nIn C a block opens with {{ and closes later.\n--- U\nconv5 is {conv5.k}×{conv5.k}.\n";
    if (lesson_parse(text, "t.lesson", &ls, &e) != 0) fail_msg("%s", e.msg);
    Net *n = net_create(&arch_alexnet, NULL, &e);
    assert_non_null(n);
    char out[256];
    assert_int_equal(lesson_narration(&ls, 0, n, NULL, out, sizeof out, &e), 0);
    assert_string_equal(out, "In C a block opens with { and closes later.");
    /* no room, or a failing placeholder with no Err (lenet5 has no conv5), must not crash */
    assert_int_equal(lesson_narration(&ls, 0, n, NULL, out, 0, NULL), -1);
    assert_int_equal(lesson_placeholder("conv1.k", n, NULL, out, 0, &e), -1);
    net_free(n);
    n = net_create(&arch_lenet5, NULL, &e);
    assert_non_null(n);
    assert_int_equal(lesson_narration(&ls, 1, n, NULL, out, sizeof out, NULL), -1);
    assert_int_equal(lesson_narration(&ls, 1, n, NULL, out, sizeof out, &e), -1);
    assert_non_null(strstr(e.msg, "t.lesson: step 2: unknown layer 'conv5'"));
    net_free(n);
    lesson_free(&ls);
    expect_error("title: T\n--- S\nAn open { brace.\n", "t.lesson:3: '{' without a matching '}'");
}

/* A 1 MiB lesson (the size limit) must check in well under a second. Checking used to call
   net_create - which allocates every activation buffer - for every 'channel:'/'unit:' line,
   every {arch:...} placeholder and every {total.params_nogroups}: minutes for such a file. */
/* 1 MiB lessons that used to take minutes (a net built per directive, quadratic appends).
   No clock here: speed belongs in benchmarks; ctest's timeout catches a regression. */
static void test_big_lessons_parse(void **st)
{
    (void)st;
    const size_t limit = 1 << 20;
    char *text = malloc(limit + 1);
    assert_non_null(text);
    const char *units[] = {"channel: 1\n", "unit: 1 2\n"};
    const char *lines[] = {
        "{total.params_nogroups}{total.params_nogroups}{total.params_nogroups}{total.params_nogroups}\n",
        "{alexnet:alexnet:alexnet:alexnet:alexnet:alexnet:alexnet:alexnet:alexnet:alexnet:lenet5:conv1.k}"
        "{lenet5:lenet5:lenet5:lenet5:lenet5:lenet5:lenet5:lenet5:lenet5:lenet5:lenet5:lenet5:conv1.k}\n",
        "a\n", /* one-word lines: the narration used to be re-measured and re-copied for each */
    };
    for (int k = 0; k < 5; k++) {
        const char *rep = k < 2 ? units[k] : lines[k - 2];
        size_t len = (size_t)snprintf(text, limit, "title: T\n--- S\nlayer: conv1\n%s", k < 2 ? "" : "Text.\n");
        while (len + strlen(rep) + 8 < limit) {
            memcpy(text + len, rep, strlen(rep));
            len += strlen(rep);
        }
        if (k < 2) len += (size_t)sprintf(text + len, "Text.\n");
        text[len] = '\0';
        Err e = {0};
        if (k >= 2) { /* parsed to the end, then refused: longer than a player shows (LESSON_NARRATION_MAX) */
            assert_int_equal(lesson_parse(text, "t.lesson", &ls, &e), -1);
            assert_non_null(strstr(e.msg, "t.lesson:2: step 'S': the narration can be"));
            continue;
        }
        if (lesson_parse(text, "t.lesson", &ls, &e) != 0) fail_msg("%s", e.msg);
        lesson_free(&ls);
    }
    free(text);
}

static int is_lesson(const char *name)
{
    size_t n = strlen(name);
    return n > 7 && !strcmp(name + n - 7, ".lesson");
}

/* Every lesson in lessons/ parses, and plays start to end headless through the real binary
   (its output in this test's temporary directory). */
static void test_every_shipped_lesson(void **st)
{
    (void)st;
    DIR *d = opendir(LESSONS);
    assert_non_null(d);
    int count = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!is_lesson(de->d_name)) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", LESSONS, de->d_name);
        Err e = {0};
        if (lesson_load(path, &ls, &e) != 0) fail_msg("%s", e.msg);
        int steps = ls.nsteps;
        lesson_free(&ls);
        char args[1200], want[64];
        snprintf(args, sizeof args, "lesson play '%s'", path);
        const char *out = ts_path("play.out"), *err = ts_path("play.err");
        if (ts_run(NULL, args, out, err) != 0) fail_msg("lesson play %s failed: %s", path, (char *)ts_slurp(err, NULL));
        char *text = (char *)ts_slurp(out, NULL);
        snprintf(want, sizeof want, "== Step %d of %d", steps, steps);
        int seen = strstr(text, want) != NULL;
        const char *nc = strstr(text, "(not computed yet)");
        if (nc) fail_msg("%s: a placeholder was not computed: ...%.80s", path, nc > text + 60 ? nc - 60 : text);
        free(text);
        if (!seen) fail_msg("%s: the last step was not played", path);
        count++;
    }
    closedir(d);
    assert_true(count >= 12);
    /* and the command a teacher (and CI) runs over the whole folder */
    char args[2048];
    snprintf(args, sizeof args, "lesson check %s/*.lesson", LESSONS);
    assert_int_equal(ts_run(NULL, args, NULL, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_numbered_errors),
        cmocka_unit_test(test_files_refused),
        cmocka_unit_test(test_placeholders_come_from_the_engine),
        cmocka_unit_test(test_int_overflow_refused),
        cmocka_unit_test(test_literal_brace_alone),
        cmocka_unit_test(test_big_lessons_parse),
        cmocka_unit_test(test_every_shipped_lesson),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
