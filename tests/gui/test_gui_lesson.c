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
#include <sys/wait.h>
#include <unistd.h>

#include <stb_image.h>

#include "lesson.h"

#define W 640
#define H 360
#define LESSONS FIXTURES "/../../lessons"

static char dir[] = "/tmp/alexscope-lesson-XXXXXX";

static int run(const char *args, const char *err_file)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "SDL_VIDEODRIVER=dummy '%s' %s >/dev/null 2>'%s'", ALEXSCOPE_BIN, args,
             err_file ? err_file : "/dev/null");
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int colours(const unsigned char *px)
{
    static unsigned char seen[1 << 15];
    memset(seen, 0, sizeof seen);
    int n = 0;
    for (long i = 0; i < (long)W * H; i++) {
        const unsigned char *p = px + i * 3;
        int key = (p[0] >> 3) << 10 | (p[1] >> 3) << 5 | (p[2] >> 3);
        if (!seen[key]) seen[key] = 1, n++;
    }
    return n;
}

static void shoot(const char *lesson, int step)
{
    char path[512], args[2048];
    snprintf(path, sizeof path, "%s/shot.png", dir);
    snprintf(args, sizeof args, "--screenshot '%s' --size %dx%d --lesson '%s' --lesson-step %d", path, W, H, lesson, step);
    int rc = run(args, NULL);
    if (rc != 0) fail_msg("%s step %d: exit %d", lesson, step, rc);
    int w, h, n;
    unsigned char *px = stbi_load(path, &w, &h, &n, 3);
    assert_non_null(px);
    assert_int_equal(w, W);
    assert_int_equal(h, H);
    int c = colours(px);
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
    snprintf(bad, sizeof bad, "%s/typo.lesson", dir);
    snprintf(err, sizeof err, "%s/stderr.txt", dir);
    FILE *f = fopen(bad, "w");
    assert_non_null(f);
    fputs("title: A typo\narch: alexnet\n\n--- First\nlayer: conv1\nfine\n\n--- Second\nlayer: conv9\noops\n", f);
    fclose(f);
    /* no --screenshot: the window would open if the lesson were accepted */
    snprintf(args, sizeof args, "--lesson '%s'", bad);
    assert_int_equal(run(args, err), 1);
    char msg[2048] = "", want[600];
    f = fopen(err, "r");
    assert_non_null(f);
    size_t got = fread(msg, 1, sizeof msg - 1, f);
    msg[got] = '\0';
    fclose(f);
    snprintf(want, sizeof want, "alexscope: %s:9:", bad);
    if (!strstr(msg, want)) fail_msg("stderr lacks '%s': %s", want, msg);
    snprintf(args, sizeof args, "--lesson '%s/missing.lesson'", dir);
    assert_int_equal(run(args, NULL), 1);
    snprintf(args, sizeof args, "--screenshot '%s/x.png' --lesson '%s' --lesson-step 2", dir, bad);
    assert_int_equal(run(args, NULL), 1);
    snprintf(args, sizeof args, "--screenshot '%s/x.png' --lesson '%s/02-input.lesson' --lesson-step 5", dir, LESSONS);
    assert_int_equal(run(args, NULL), 1); /* it has 4 steps */
    snprintf(args, sizeof args, "--screenshot '%s/x.png' --lesson '%s/02-input.lesson' --lesson-step 0", dir, LESSONS);
    assert_int_equal(run(args, NULL), 2);
    assert_int_equal(run("--lesson-step 2", NULL), 2);
    remove(bad);
    remove(err);
}

static int setup(void **ctx)
{
    (void)ctx;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **ctx)
{
    (void)ctx;
    rmdir(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_bad_lesson), cmocka_unit_test(test_every_lesson)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
