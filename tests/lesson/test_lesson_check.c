/* test_lesson_check.c - checking a lesson reads its file and keeps its text, and builds the
   network's plan on the stack: it never allocates activation buffers (which made checking
   slow before). Allocations are counted by tests/support/alloc_count.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "alloc_count.h"
#include "lesson.h"

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
        alloc_count_reset();
        int rc = lesson_load(path, ls, &e);
        if (rc != 0) fail_msg("%s", e.msg);
        assert_true(alloc_count.largest < 256 * 1024);
        assert_true(alloc_count.bytes < 1024 * 1024);
        lesson_free(ls);
        free(ls);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lesson_check_allocates_no_activations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
