/* test_lesson_narration_max.c - a narration the player cannot show whole is refused when
   the lesson is loaded (lesson check), and one it can is shown whole: the limit is
   LESSON_NARRATION_MAX (8,191) bytes after the placeholders are filled in, a value not
   computed yet counting as the longest a value can be (511 bytes). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"

/* "title: T\narch: lenet5\n--- S\nlayer: conv1\n" then nlines lines of len letters each
   (joined by one space in the narration), then tail (may be ""). */
static char *lesson_text(int nlines, int len, const char *tail)
{
    size_t cap = 64 + (size_t)nlines * ((size_t)len + 1) + strlen(tail) + 2;
    char *t = malloc(cap);
    assert_non_null(t);
    size_t n = (size_t)sprintf(t, "title: T\narch: lenet5\n--- S\nlayer: conv1\n");
    for (int i = 0; i < nlines; i++) {
        memset(t + n, 'a' + i % 26, (size_t)len);
        n += (size_t)len;
        t[n++] = '\n';
    }
    n += (size_t)sprintf(t + n, "%s%s", tail, *tail ? "\n" : "");
    t[n] = '\0';
    return t;
}

static void test_limit_exact(void **st)
{
    (void)st;
    assert_int_equal(LESSON_NARRATION_MAX, 8191);
    Lesson ls;
    Err e = {0};
    /* 8 lines of 1023 bytes and 7 spaces: 8,191 bytes, accepted and shown whole */
    char *t = lesson_text(8, 1023, "");
    if (lesson_parse(t, "t.lesson", &ls, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(strlen(ls.steps[0].narration), 8191);
    Net *n = net_create(&arch_lenet5, NULL, &e);
    assert_non_null(n);
    static char out[LESSON_NARRATION_MAX + 1];
    assert_int_equal(lesson_narration(&ls, 0, n, NULL, out, sizeof out, &e), 0);
    assert_int_equal(strlen(out), 8191);
    assert_memory_equal(out, ls.steps[0].narration, 8191);
    lesson_free(&ls);
    free(t);
    /* one byte more: refused, naming the file, the step's line and the limit */
    t = lesson_text(8, 1023, "b");
    assert_int_equal(lesson_parse(t, "t.lesson", &ls, &e), -1);
    assert_string_equal(e.msg, "t.lesson:3: step 'S': the narration can be 8193 bytes long once its placeholders are "
                               "filled in; the player shows at most 8191 (split the step)");
    free(t);
    /* "{{" and "}}" show one byte each: 8 × 1022 + 7 + 1 + 2 = 8186 fits */
    t = lesson_text(8, 1022, "{{}}");
    if (lesson_parse(t, "t.lesson", &ls, &e) != 0) fail_msg("%s", e.msg);
    lesson_free(&ls);
    free(t);
    net_free(n);
}

/* Placeholders count as what they show: a structural one exactly ({conv1.out_c} is "6"),
   a value not computed yet as 511 bytes. */
static void test_placeholders_bound(void **st)
{
    (void)st;
    Lesson ls;
    Err e = {0};
    /* 8 × 1022 + 7 = 8183, then " 6" twice: 8187 */
    char *t = lesson_text(8, 1022, "{conv1.out_c}\n{conv1.out_c}");
    if (lesson_parse(t, "t.lesson", &ls, &e) != 0) fail_msg("%s", e.msg);
    lesson_free(&ls);
    free(t);
    /* 7 lines of 1000 + 6 spaces = 7006, then " " + 511: 7518 fits; a second value 8030; a third
       8542 does not, though today's values are short: the bound is for any run */
    const char *tails[] = {"{top1.label}", "{top1.label} {top1.prob}", "{top1.label} {top1.prob} {conv1.mean}"};
    const int fits[] = {1, 1, 0};
    for (int i = 0; i < 3; i++) {
        t = lesson_text(7, 1000, tails[i]);
        int rc = lesson_parse(t, "t.lesson", &ls, &e);
        if (fits[i]) {
            if (rc != 0) fail_msg("%s: %s", tails[i], e.msg);
            lesson_free(&ls);
        } else {
            assert_int_equal(rc, -1);
            assert_non_null(strstr(e.msg, "can be 8542 bytes long"));
        }
        free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_exact),
        cmocka_unit_test(test_placeholders_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
