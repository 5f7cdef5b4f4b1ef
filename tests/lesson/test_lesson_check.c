/* test_lesson_check.c - checking a lesson reads its file and keeps its text, and builds the
   network's plan on the stack: it never allocates activation buffers (which made checking
   slow before). Allocations are counted by tests/support/alloc_count.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_count.h"
#include "lesson.h"

/* Checking every shipped lesson reads the files and keeps their text: a few KiB each.
   One alexnet activation buffer (conv1: 1,161,600 bytes) would exceed the bound. */
static void test_lesson_check_allocates_no_activations(void **st)
{
    (void)st;
    DIR *d = opendir(SOURCE_DIR "/lessons");
    assert_non_null(d);
    int checked = 0;
    for (struct dirent *de; (de = readdir(d));) {
        size_t len = strlen(de->d_name);
        if (len < 8 || strcmp(de->d_name + len - 7, ".lesson") != 0) continue;
        char path[512];
        snprintf(path, sizeof path, "%s/lessons/%s", SOURCE_DIR, de->d_name);
        Lesson *ls = calloc(1, sizeof *ls);
        assert_non_null(ls);
        Err e = {0};
        alloc_count_reset();
        int rc = lesson_load(path, ls, &e);
        if (rc != 0) fail_msg("%s", e.msg);
        if (alloc_count.largest >= 256 * 1024 || alloc_count.bytes >= 1024 * 1024)
            fail_msg("%s: largest allocation %zu, total %zu bytes", de->d_name, (size_t)alloc_count.largest,
                     (size_t)alloc_count.bytes);
        lesson_free(ls);
        free(ls);
        checked++;
    }
    closedir(d);
    assert_true(checked >= 20);   /* every shipped lesson, whatever its number */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lesson_check_allocates_no_activations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
