/* test_gui_xvfb.c - the real window under Xvfb: `alexscope --selftest-events` pushes 48
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

#include "support.h"

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

/* `alexscope --selftest-events <coffee.png> ARGS` in a virtual X server: must exit 0. */
static void run_events(const char *args)
{
    const char *assets = getenv("ALEXSCOPE_ASSETS");
    char all[4096], out[4096], err[4096];
    snprintf(all, sizeof all, "--selftest-events '%s/samples/coffee.png' %s", assets ? assets : FIXTURES "/../../assets",
             args);
    /* SDL's X11 backend leaks libdbus's connection at exit (not ours): LeakSanitizer is
       switched off for this child only; the screenshot test keeps it on for our code. */
    int rc = ts_run_capture_with("ASAN_OPTIONS=\"$ASAN_OPTIONS:detect_leaks=0\" xvfb-run -a -s '-screen 0 1280x800x24'",
                                 all, out, sizeof out, err, sizeof err);
    if (rc != 0) fail_msg("exit %d\n%s%s", rc, out, err);
}

static void test_events(void **ctx)
{
    (void)ctx;
    if (!have_xvfb()) skip();
    char args[2048];
    snprintf(args, sizeof args, "--selftest-bad '%s/bad/trunc_1586.png' --export-dir '%s'", FIXTURES, ts_dir());
    run_events(args);
    assert_true(count_png(ts_dir()) >= 2); /* the E key: grid and screenshot at least */
}

/* --lesson: N through every step of a lesson and P back, the picker (L, Down, Enter), Esc,
   then the ordinary script. */
static void test_lesson_events(void **ctx)
{
    (void)ctx;
    if (!have_xvfb()) skip();
    run_events("--lesson '" FIXTURES "/../../lessons/13-augmentation.lesson'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_events), cmocka_unit_test(test_lesson_events)};
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
