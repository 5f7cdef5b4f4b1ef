/* test_plan.c - the plan (shapes, counts, formulas) allocates nothing, and neither does
   checking a lesson beyond its own text: no activation buffer is ever made for them.

   Allocations are counted by wrapping malloc / calloc / realloc at link time
   (-Wl,--wrap=...; see CMakeLists.txt): every call from the library's code passes through
   the counters below. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"
#include "plan.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);

static long allocs;
static size_t alloc_bytes, alloc_largest;

static void count(size_t n)
{
    allocs++;
    alloc_bytes += n;
    if (n > alloc_largest) alloc_largest = n;
}

void *__wrap_malloc(size_t n) { count(n); return __real_malloc(n); }
void *__wrap_calloc(size_t k, size_t n) { count(k * n); return __real_calloc(k, n); }
void *__wrap_realloc(void *p, size_t n) { count(n); return __real_realloc(p, n); }

static void reset_counts(void) { allocs = 0, alloc_bytes = alloc_largest = 0; }

static void test_plan_allocates_nothing(void **st)
{
    (void)st;
    for (int i = 0; arch_all[i]; i++) {
        static Plan p;
        Err e = {0};
        reset_counts();
        assert_int_equal(plan_build(arch_all[i], &p, &e), 0);
        assert_int_equal(allocs, 0);
        assert_int_equal(p.nlayers, arch_all[i]->nlayers);
    }
}

static void test_plan_numbers(void **st)
{
    (void)st;
    static Plan p;
    assert_int_equal(plan_build(&arch_alexnet, &p, NULL), 0);
    assert_int_equal(p.total_params, 60965224LL);
    assert_int_equal(p.total_macs, 724406816LL);
    /* the largest activation is conv1's 55×55×96 = 290,400 floats */
    assert_int_equal(p.max_act, 290400L);
    /* groups 1 everywhere: conv2, conv4, conv5 double their weights:
       60,965,224 + 307,200 + 663,552 + 442,368 = 62,378,344 (the paper's "60 million" single-GPU net) */
    assert_int_equal(plan_params_without_groups(&arch_alexnet), 62378344LL);
    /* lenet5 has no groups: the same count either way */
    static Plan q;
    assert_int_equal(plan_build(&arch_lenet5, &q, NULL), 0);
    assert_int_equal(plan_params_without_groups(&arch_lenet5), q.total_params);
}

static void test_plan_refuses(void **st)
{
    (void)st;
    static LayerSpec many[PLAN_MAX_LAYERS + 1];
    for (int i = 0; i < PLAN_MAX_LAYERS + 1; i++) many[i] = (LayerSpec){.kind = LK_RELU, .name = "relu"};
    ArchSpec a = {.name = "deep", .input = {1, 4, 4}, .nlayers = PLAN_MAX_LAYERS + 1, .layers = many};
    static Plan p;
    Err e = {0};
    assert_int_equal(plan_build(&a, &p, &e), -1);
    assert_non_null(strstr(e.msg, "deep"));

    static const LayerSpec big[] = {{.kind = LK_CONV, .name = "conv1", .out = 4, .k = 11, .stride = 4, .groups = 1}};
    ArchSpec b = {.name = "small", .input = {3, 5, 5}, .nlayers = 1, .layers = big};
    assert_int_equal(plan_build(&b, &p, &e), -1);
    assert_non_null(strstr(e.msg, "does not fit"));
}

static void test_layer_kinds(void **st)
{
    (void)st;
    char buf[64];
    assert_true(layer_kind(LK_CONV)->windowed && layer_kind(LK_MAXPOOL)->windowed && layer_kind(LK_AVGPOOL)->windowed);
    assert_false(layer_kind(LK_FC)->windowed || layer_kind(LK_LRN)->windowed);
    assert_true(arch_has_weights(LK_CONV) && arch_has_weights(LK_FC));
    assert_false(arch_has_weights(LK_RELU) || arch_has_weights(LK_SOFTMAX));
    assert_string_equal(layer_hyper(&arch_alexnet.layers[0], buf, sizeof buf), "96 11×11/4 p0 g1");
    assert_string_equal(layer_hyper(&arch_alexnet.layers[3], buf, sizeof buf), "3×3/2 p0 ceil");
    assert_string_equal(layer_hyper(&arch_alexnet.layers[1], buf, sizeof buf), "");
    assert_int_equal(arch_first_conv(&arch_alexnet), 0);
    assert_true(shape_is_vector((Shape){4096, 1, 1}));
    assert_false(shape_is_vector((Shape){1, 1, 2}));
    assert_string_equal(arch_names(buf, sizeof buf), "alexnet, alexnet-tv, lenet5");
}

/* Checking every shipped lesson reads the files and keeps their text: a few KiB each.
   One alexnet activation buffer (conv1: 1,161,600 bytes) would exceed the bound. */
static void test_lesson_check_allocates_no_activations(void **st)
{
    (void)st;
    static const char *names[] = {"01-overview", "02-input", "03-conv1", "04-pooling", "05-conv2",
                                  "06-conv3-5", "07-pool5", "08-fc", "09-softmax", "10-relu",
                                  "11-lrn", "12-dropout", "13-augmentation", "14-lenet", "15-check-the-slide"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/lessons/%s.lesson", SOURCE_DIR, names[i]);
        Lesson *ls = calloc(1, sizeof *ls);
        assert_non_null(ls);
        Err e = {0};
        reset_counts();
        int rc = lesson_load(path, ls, &e);
        if (rc != 0) fail_msg("%s", e.msg);
        assert_true(alloc_largest < 256 * 1024);
        assert_true(alloc_bytes < 1024 * 1024);
        lesson_free(ls);
        free(ls);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_allocates_nothing),
        cmocka_unit_test(test_plan_numbers),
        cmocka_unit_test(test_plan_refuses),
        cmocka_unit_test(test_layer_kinds),
        cmocka_unit_test(test_lesson_check_allocates_no_activations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
