/* test_cli_lesson_engine.c - `lesson play FILE --engine naive|fast`: the narration's numbers
   are the engine's, and the two engines print the same lesson (every number in a narration is
   rounded far above their 1e-6 differences); a bad engine name is a usage error. lenet5's
   lesson keeps it short under AddressSanitizer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define LESSON SOURCE_DIR "/lessons/14-lenet.lesson"

static char out[1 << 18], err[1 << 14];

static int run(const char *args) { return ts_run_capture(args, out, sizeof out, err, sizeof err); }

static void test_engines_agree(void **st)
{
    (void)st;
    assert_int_equal(run("lesson play " LESSON), 0); /* naive: the default */
    assert_non_null(strstr(out, "== Step 1 of "));
    char *naive = strdup(out);
    assert_non_null(naive);
    if (*ts_fast_engine()) {
        assert_int_equal(run("lesson play " LESSON " --engine fast"), 0);
        assert_string_equal(out, naive);
    } else {
        assert_int_equal(run("lesson play " LESSON " --engine fast"), 2);
        assert_non_null(strstr(err, "no fast engine"));
    }
    free(naive);
    assert_int_equal(run("lesson play " LESSON " --engine slow"), 2);
    assert_non_null(strstr(err, "--engine"));
    assert_int_equal(run("lesson --help"), 0);
    assert_non_null(strstr(out, "--engine naive|fast"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engines_agree),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
