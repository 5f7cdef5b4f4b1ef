/* test_plan.c - the plan (shapes, counts, formulas, receptive fields) allocates nothing;
   the layer-kind table. Allocations are counted by tests/support/alloc_count.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_count.h"
#include "plan.h"

static void test_plan_allocates_nothing(void **st)
{
    (void)st;
    for (int i = 0; arch_all[i]; i++) {
        static Plan p;
        Err e = {0};
        alloc_count_reset();
        assert_int_equal(plan_build(arch_all[i], &p, &e), 0);
        assert_int_equal(alloc_count.calls, 0);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_allocates_nothing),
        cmocka_unit_test(test_plan_numbers),
        cmocka_unit_test(test_plan_refuses),
        cmocka_unit_test(test_layer_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
