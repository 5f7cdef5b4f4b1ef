/* test_gui_xvfb.c - the real window under Xvfb: `alexscope --selftest-events` pushes 40
   key presses (with --lesson: first every lesson step forward and back, and the picker) through the event loop, drops a good image (it must open) and a corrupt one
   (it must be refused with a message, keeping the good one), exports, and quits.
   Skipped when xvfb-run is not installed. */
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

static int have_xvfb(void) { return system("command -v xvfb-run >/dev/null 2>&1") == 0; }

static int count_png(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".png")) n++;
    if (d) closedir(d);
    return n;
}

static void clean(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[1024];
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".png")) snprintf(p, sizeof p, "%s/%s", dir, e->d_name), remove(p);
    if (d) closedir(d);
    rmdir(dir);
}

static void test_events(void **ctx)
{
    (void)ctx;
    if (!have_xvfb()) skip();
    char dir[] = "/tmp/alexscope-xvfb-XXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *assets = getenv("ALEXSCOPE_ASSETS");
    char good[1024], cmd[4096];
    snprintf(good, sizeof good, "%s/samples/coffee.png", assets ? assets : FIXTURES "/../../assets");
    snprintf(cmd, sizeof cmd,
             /* SDL's X11 backend leaks libdbus's connection at exit (not ours): LeakSanitizer is
                switched off for this child only; the screenshot test keeps it on for our code. */
             "ASAN_OPTIONS=\"$ASAN_OPTIONS:detect_leaks=0\" "
             "xvfb-run -a -s '-screen 0 1280x800x24' '%s' --selftest-events '%s' --selftest-bad '%s/bad/trunc_1586.png' "
             "--export-dir '%s'",
             ALEXSCOPE_BIN, good, FIXTURES, dir);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 0);
    assert_true(count_png(dir) >= 2); /* the E key: grid and screenshot at least */
    clean(dir);
}

/* --lesson: N through every step of a lesson and P back, the picker (L, Down, Enter), Esc,
   then the ordinary script. */
static void test_lesson_events(void **ctx)
{
    (void)ctx;
    if (!have_xvfb()) skip();
    const char *assets = getenv("ALEXSCOPE_ASSETS");
    char good[1024], cmd[4096];
    snprintf(good, sizeof good, "%s/samples/coffee.png", assets ? assets : FIXTURES "/../../assets");
    snprintf(cmd, sizeof cmd,
             "ASAN_OPTIONS=\"$ASAN_OPTIONS:detect_leaks=0\" "
             "xvfb-run -a -s '-screen 0 1280x800x24' '%s' --selftest-events '%s' --lesson '%s/../../lessons/13-augmentation.lesson'",
             ALEXSCOPE_BIN, good, FIXTURES);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_events), cmocka_unit_test(test_lesson_events)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
