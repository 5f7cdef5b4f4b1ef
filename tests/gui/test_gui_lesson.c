/* test_gui_lesson.c - `alexscope --screenshot --lesson FILE --lesson-step N` renders the
   last step of every lesson in lessons/ and the first step of every third one, headless
   (SDL_VIDEODRIVER=dummy): exit 0 and a picture that is not blank. Each run builds the
   built-in weights and the whole net, about a second in Release; under AddressSanitizer
   every fourth lesson's last step only, to stay near a minute. A bad lesson given with --lesson exits 1 with
   FILE:LINE on stderr, before any window. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>

#include "lesson.h"
#include "support.h"

#define W 640
#define H 360
#define LESSONS FIXTURES "/../../lessons"
#define HEADLESS "SDL_VIDEODRIVER=dummy"

static int run(const char *args, const char *err_file) { return ts_run(HEADLESS, args, NULL, err_file); }

static void shoot(const char *lesson, int step)
{
    const char *path = ts_path("shot.png");
    char args[2048];
    snprintf(args, sizeof args, "--screenshot '%s' --size %dx%d --lesson '%s' --lesson-step %d", path, W, H, lesson, step);
    int rc = run(args, NULL);
    if (rc != 0) fail_msg("%s step %d: exit %d", lesson, step, rc);
    int w, h, n;
    unsigned char *px = stbi_load(path, &w, &h, &n, 3);
    assert_non_null(px);
    assert_int_equal(w, W);
    assert_int_equal(h, H);
    int c = ts_colours(px, (long)W * H);
    print_message("%-40s step %2d: %5d colours\n", strrchr(lesson, '/') + 1, step, c);
    assert_true(c > 40);
    stbi_image_free(px);
    remove(path);
}

static int is_lesson(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 7 && strcmp(e->d_name + n - 7, ".lesson") == 0;
}

static void test_every_lesson(void **ctx)
{
    (void)ctx;
    struct dirent **names;
    int n = scandir(LESSONS, &names, is_lesson, alphasort);
    assert_true(n >= 1);
    Lesson *ls = malloc(sizeof *ls);
    assert_non_null(ls);
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", LESSONS, names[i]->d_name);
        Err e = {0};
        if (lesson_load(path, ls, &e) != 0) fail_msg("%s", e.msg);
        int steps = ls->nsteps;
        lesson_free(ls);
#if defined(__SANITIZE_ADDRESS__)
        if (i % 4 == 0) shoot(path, steps);
#else
        if (i % 3 == 0 && steps > 1) shoot(path, 1);
        shoot(path, steps);
#endif
        free(names[i]);
    }
    free(names);
    free(ls);
}

static void test_bad_lesson(void **ctx)
{
    (void)ctx;
    char bad[512], err[512], args[2048];
    snprintf(bad, sizeof bad, "%s", ts_path("typo.lesson"));
    snprintf(err, sizeof err, "%s", ts_path("stderr.txt"));
    const char *typo = "title: A typo\narch: alexnet\n\n--- First\nlayer: conv1\nfine\n\n--- Second\nlayer: conv9\noops\n";
    ts_write_file(bad, typo, strlen(typo));
    /* no --screenshot: the window would open if the lesson were accepted */
    snprintf(args, sizeof args, "--lesson '%s'", bad);
    assert_int_equal(run(args, err), 1);
    char *msg = (char *)ts_slurp(err, NULL), want[600];
    snprintf(want, sizeof want, "alexscope: %s:9:", bad);
    if (!strstr(msg, want)) fail_msg("stderr lacks '%s': %s", want, msg);
    free(msg);
    snprintf(args, sizeof args, "--lesson '%s'", ts_path("missing.lesson"));
    assert_int_equal(run(args, NULL), 1);
    snprintf(args, sizeof args, "--screenshot '%s' --lesson '%s' --lesson-step 2", ts_path("x.png"), bad);
    assert_int_equal(run(args, NULL), 1);
    snprintf(args, sizeof args, "--screenshot '%s' --lesson '%s/02-input.lesson' --lesson-step 8", ts_path("x.png"), LESSONS);
    assert_int_equal(run(args, NULL), 1); /* it has 7 steps */
    snprintf(args, sizeof args, "--screenshot '%s' --lesson '%s/02-input.lesson' --lesson-step 0", ts_path("x.png"), LESSONS);
    assert_int_equal(run(args, NULL), 2);
    assert_int_equal(run("--lesson-step 2", NULL), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_bad_lesson), cmocka_unit_test(test_every_lesson)};
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
