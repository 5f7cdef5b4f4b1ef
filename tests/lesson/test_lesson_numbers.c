/* test_lesson_numbers.c - the placeholders that let a lesson state the paper's facts with the
   engine's numbers: another input size ({alexnet@224:...}), floor rounding everywhere
   ({alexnet@224/floor:...}), sums ({sum:a,b}) and checked literals ({6,400 = ...}), which make
   `lesson check` fail with the line when the text and the engine disagree. Expected values are
   worked out by hand in the comments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"

static Lesson ls; /* big: keep it off the stack */
static Net *net;  /* alexnet, no weights: structure only */

static int setup(void **st)
{
    (void)st;
    Err e = {0};
    net = net_create(&arch_alexnet, NULL, &e);
    return net ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    net_free(net);
    return 0;
}

static void expect_gives(const char *name, const char *want)
{
    char v[256];
    Err e = {0};
    if (lesson_placeholder(name, net, NULL, v, sizeof v, &e) != 0) fail_msg("{%s}: %s", name, e.msg);
    if (strcmp(v, want)) fail_msg("{%s} gave '%s', wanted '%s'", name, v, want);
}

static void expect_refused(const char *name, const char *want)
{
    char v[256];
    Err e = {0};
    assert_int_equal(lesson_placeholder(name, net, NULL, v, sizeof v, &e), -1);
    if (!strstr(e.msg, want)) fail_msg("{%s}: wanted '%s' in: %s", name, want, e.msg);
}

/* At 224 this network (conv rounds down, Caffe's pools round up) still reaches 6×6×256:
   conv1 (224−11)/4+1 = 54.25 → 54; pool1 (54−3)/2+1 = 26.5 → 27; conv2 27; pool2 (27−3)/2+1
   = 13; conv3-5 13; pool5 (13−3)/2+1 = 6; fc6 6·6·256 = 9,216 inputs. */
static void test_another_input_size(void **st)
{
    (void)st;
    expect_gives("alexnet@224:conv1.out_h", "54");
    expect_gives("alexnet@224:pool1.out_h", "27");
    expect_gives("alexnet@224:pool5.out_shape", "6×6×256");
    expect_gives("alexnet@224:fc6.in_count", "9,216");
    expect_gives("alexnet@224:input.size", "224");
    expect_gives("alexnet@227:fc6.in_count", "9,216");
    /* the prefix does not change the lesson's own network */
    expect_gives("input.size", "227");
}

/* Floor everywhere at 224: 54; (54−3)/2+1 = 26.5 → 26; 26; (26−3)/2+1 = 12.5 → 12;
   (12−3)/2+1 = 5.5 → 5; fc6 5·5·256 = 6,400. At 227 floor changes nothing: 55 27 13 6. */
static void test_floor_rounding(void **st)
{
    (void)st;
    expect_gives("alexnet@224/floor:conv1.out_h", "54");
    expect_gives("alexnet@224/floor:pool1.out_h", "26");
    expect_gives("alexnet@224/floor:pool2.out_h", "12");
    expect_gives("alexnet@224/floor:pool5.out_h", "5");
    expect_gives("alexnet@224/floor:fc6.in_count", "6,400");
    expect_gives("alexnet/floor:fc6.in_count", "9,216");
    /* torchvision pads conv1 by 2: (224+4−11)/4+1 = 55.25 → 55, so floor still gives 6×6 */
    expect_gives("alexnet-tv@224/floor:pool5.out_shape", "6×6×256");
    expect_refused("alexnet@0:conv1.k", "must be a whole number 1..4096, not '0'");
    expect_refused("alexnet@5000:conv1.k", "1..4096");
    expect_refused("alexnet@22x:conv1.k", "not '22x'");
    expect_refused("alexnet@:conv1.k", "must be a whole number");
    expect_refused("alexnet@5:fc6.in_count", "does not fit");
    expect_refused("alexnet@224/ceil:conv1.k", "unknown rounding '/ceil'");
    expect_refused("alexnt@224:conv1.k", "unknown architecture 'alexnt'");
}

/* Lesson 6: conv3, conv4, conv5 do 149,520,384 + 112,140,288 + 74,760,192 of 724,406,816
   MACs: 20.6 % + 15.5 % + 10.3 % = 46.4 % (not "a third"). */
static void test_sum(void **st)
{
    (void)st;
    expect_gives("sum:conv3.macs_pct,conv4.macs_pct,conv5.macs_pct", "46.4%");
    expect_gives("sum:conv3.macs, conv4.macs, conv5.macs", "336,420,864");
    /* 34,944 + 307,456 */
    expect_gives("sum:conv1.params,conv2.params", "342,400");
    /* another network's numbers: LeNet-5's conv1 156 + conv2 2,416 */
    expect_gives("lenet5:sum:conv1.params,conv2.params", "2,572");
    expect_refused("sum:conv1.kernel,conv2.params", "'11×11×3', which is not a number");
    expect_refused("sum:conv1.params_pct,conv2.params", "adds percentages to counts");
    expect_refused("sum:", "write {sum:a,b,...}");
    expect_refused("sum:conv1.params,,conv2.params", "write {sum:a,b,...}");
    expect_refused("sum:conv9.params", "unknown layer 'conv9'");
    /* a run's statistic is not computed in a structure-only net */
    char v[64];
    Err e = {0};
    assert_int_equal(lesson_placeholder("sum:conv1.min,conv1.max", net, NULL, v, sizeof v, &e), 0);
    assert_string_equal(v, "(not computed yet)");
}

/* Lesson 3: conv1 holds 34,944 of 60,965,224 parameters = 0.0573 %: two significant digits
   below 1 %, not a bare "0.1%". */
static void test_small_percentage(void **st)
{
    (void)st;
    expect_gives("conv1.params_pct", "0.057%");
    expect_gives("fc6.params_pct", "61.9%");
}

static void expect_lesson_error(const char *line, const char *want)
{
    char text[512];
    snprintf(text, sizeof text, "title: T\n--- S\nlayer: conv1\nFirst line.\n%s\n", line);
    Err e = {0};
    assert_int_equal(lesson_parse(text, "t.lesson", &ls, &e), -1);
    if (!strstr(e.msg, want)) fail_msg("wanted '%s' in: %s", want, e.msg);
}

/* A checked literal shows the number as written when the engine agrees, ignoring thousands
   separators and spaces; otherwise the lesson does not load, and the error names the line. */
static void test_checked_literal(void **st)
{
    (void)st;
    const char *text = "title: T\n--- S\nlayer: conv1\n"
                       "fc6 would get {6,400 = alexnet@224/floor:fc6.in_count} inputs; conv1 holds {0.057 % = conv1.params_pct};\n"
                       "{6400 = alexnet@224/floor:fc6.in_count} {46.4% = sum:conv3.macs_pct,conv4.macs_pct,conv5.macs_pct}\n";
    Err e = {0};
    if (lesson_parse(text, "t.lesson", &ls, &e) != 0) fail_msg("%s", e.msg);
    char out[512];
    assert_int_equal(lesson_narration(&ls, 0, net, NULL, out, sizeof out, &e), 0);
    assert_string_equal(out, "fc6 would get 6,400 inputs; conv1 holds 0.057 %; 6400 46.4%");
    lesson_free(&ls);

    expect_lesson_error("{6,300 = alexnet@224/floor:fc6.in_count}",
                        "t.lesson:5: the text states 6,300 but {alexnet@224/floor:fc6.in_count} gives 6,400");
    expect_lesson_error("{9,216 = alexnet@224/floor:fc6.in_count}", "t.lesson:5: the text states 9,216");
    expect_lesson_error("{0.1% = conv1.params_pct}", "t.lesson:5: the text states 0.1% but {conv1.params_pct} gives 0.057%");
    expect_lesson_error("{ = conv1.k}", "t.lesson:5: {= conv1.k}: write {NUMBER = placeholder}");
    expect_lesson_error("{11 = }", "write {NUMBER = placeholder}");
    expect_lesson_error("{1 = 2 = conv1.k}", "write {NUMBER = placeholder}");
    expect_lesson_error("{3 = conv1.min}", "must follow from the network's structure");
    expect_lesson_error("{11 = conv1.kk}", "t.lesson:5: 'kk' is not a field of conv layer conv1");
}

/* {layer.im2col_*}, lesson 17: conv1 is a (96 × 363) · (363 × 3,025) product: 3·11·11 = 363
   rows, 55·55 = 3,025 columns; 96·363·3,025 = 105,415,200 MACs; the patch matrix takes
   363·3,025·4 = 4,392,300 bytes (4.2 MiB) for 3·227·227·4 = 618,348 (603.9 KiB), 7.1×. conv2
   per group: 48·5·5 = 1,200 rows, 27·27 = 729 columns, 128 filters, 2·128·1,200·729 =
   223,948,800 MACs, 25× its group's input. LeNet-5's conv1: 1·5·5 = 25 rows, 28·28 = 784. */
static void test_im2col(void **st)
{
    (void)st;
    static const char *const want[][2] = {
        {"conv1.im2col_rows", "363"}, {"conv1.im2col_cols", "3,025"}, {"conv1.im2col_wrows", "96"},
        {"conv1.im2col_matrix", "363 × 3,025"}, {"conv1.im2col_weights", "96 × 363"},
        {"conv1.im2col_product", "96 × 3,025"}, {"conv1.im2col_macs", "105,415,200"},
        {"conv1.im2col_patch_bytes", "4.2 MiB"}, {"conv1.im2col_in_bytes", "603.9 KiB"}, {"conv1.im2col_ratio", "7.1"},
        {"conv2.im2col_matrix", "1,200 × 729"}, {"conv2.im2col_weights", "128 × 1,200"},
        {"conv2.im2col_macs", "223,948,800"}, {"conv2.im2col_ratio", "25.0"},
        {"lenet5:conv1.im2col_matrix", "25 × 784"}, {"3,025 = conv1.im2col_cols", "3,025"},
        {"conv1.im2col_maxdiff", "(not computed yet)"}, /* a run's number: this net has no weights */
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) expect_gives(want[i][0], want[i][1]);
    expect_refused("relu1.im2col_rows", "not a field of relu layer relu1");
    expect_refused("conv1.im2col_nothing", "not a field of conv layer conv1");
    expect_refused("3,024 = conv1.im2col_cols", "the text states 3,024 but {conv1.im2col_cols} gives 3,025");
    expect_refused("0 = conv1.im2col_maxdiff", "not from a run");
}

/* With weights and a run, {conv1.im2col_maxdiff} is computed: LeNet-5's conv1 on a ramp. */
static void test_im2col_maxdiff(void **st)
{
    (void)st;
    Weights w;
    Err e = {0};
    static float ramp[32 * 32];
    for (int i = 0; i < 32 * 32; i++) ramp[i] = (float)(i % 37) / 18.0f - 1.0f;
    assert_int_equal(weights_builtin(&arch_lenet5, WEIGHTS_DEFAULT_SEED, &w, &e), 0);
    Net *n = net_create(&arch_lenet5, &w, &e);
    net_set_input(n, ramp);
    assert_int_equal(net_run_to(n, 1, &e), 1);
    char v[64], *end;
    assert_int_equal(lesson_placeholder("conv1.im2col_maxdiff", n, NULL, v, sizeof v, &e), 0);
    double d = strtod(v, &end);
    assert_true(end != v && *end == '\0' && d >= 0 && d < 1e-5);
    net_free(n), weights_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_another_input_size), cmocka_unit_test(test_floor_rounding),
        cmocka_unit_test(test_sum),                cmocka_unit_test(test_small_percentage),
        cmocka_unit_test(test_checked_literal),    cmocka_unit_test(test_im2col),
        cmocka_unit_test(test_im2col_maxdiff),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
