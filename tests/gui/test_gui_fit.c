/* test_gui_fit.c - no text is cut at 1280×720 (a common projector) or 1920×1080:
   `alexscope --check-fit-all` builds, in one process, every layer of alexnet with every
   card (no unit, the centre unit, the corner unit), then every step of every lesson in
   lessons/, and lists every text the draw list could not fit (cut by its clip rect, wider
   or taller than its box, or lines a card had no room for). The checker itself is tested
   on a frame that must clip (zoom 3 at 1280×720), and on lesson 3 step 1, whose card used
   to lose "Why 227 …" under the lesson band.

   Under AddressSanitizer (ten times slower) the sweep runs at 1280×720 only, and the
   checker's own test renders one frame instead of sweeping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "support.h"
#include "ui_lesson.h"

#define HEADLESS "SDL_VIDEODRIVER=dummy"
#define LESSONS FIXTURES "/../../lessons"
#define FIT_EXIT 3 /* sdl_fit.h: SDL_FIT_EXIT */

static char out[1 << 16], err[1 << 16];

static int run(const char *args) { return ts_run_capture_with(HEADLESS, args, out, sizeof out, err, sizeof err); }

/* What the sweep must cover: every position × 4 cards, and twice more (a centre and a
   corner unit) for every layer whose output is a map; then every lesson step. */
static int layer_frames(void)
{
    Plan p;
    Err e = {0};
    assert_int_equal(plan_build(&arch_alexnet, &p, &e), 0);
    int n = (p.nlayers + 1) * 4;
    for (int i = 0; i < p.nlayers; i++) n += p.layers[i].out.h > 1 || p.layers[i].out.w > 1 ? 2 * 4 : 0;
    return n;
}

static int lesson_frames(void)
{
    UiLessonList *list = calloc(1, sizeof *list);
    assert_non_null(list);
    Err e = {0};
    int n = ui_lesson_list(LESSONS, list, &e), steps = 0;
    if (n < 0) fail_msg("%s", e.msg);
    for (int i = 0; i < n; i++) steps += list->e[i].nsteps;
    free(list);
    return steps;
}

static void sweep(int w, int h)
{
    char args[1024], want[256];
    snprintf(args, sizeof args, "--screenshot '%s' --check-fit-all --size %dx%d", ts_path("fit.png"), w, h);
    int rc = run(args);
    if (rc != 0) fail_msg("%dx%d: exit %d; what did not fit:\n%s\n%s", w, h, rc, err, out);
    int layers = layer_frames(), steps = lesson_frames();
    assert_int_equal(layers, 24 * 4 + 15 * 2 * 4); /* input..prob; conv1..pool5 are maps */
    assert_true(steps >= 15);
    snprintf(want, sizeof want, "check-fit %dx%d: %d frames (%d of layers and cards, %d of lesson steps), 0 with", w, h,
             layers + steps, layers, steps);
    if (!strstr(out, want)) fail_msg("expected \"%s\" in:\n%s%s", want, out, err);
    print_message("%s", out);
}

static void test_fit_720(void **ctx)
{
    (void)ctx;
    sweep(1280, 720);
}

static void test_fit_1080(void **ctx)
{
    (void)ctx;
#if defined(__SANITIZE_ADDRESS__)
    skip();
#else
    sweep(1920, 1080);
#endif
}

/* The checker can fail: everything three times larger does not fit a 1280×720 window. */
static void test_checker_sees_clipping(void **ctx)
{
    (void)ctx;
    char args[1024];
    snprintf(args, sizeof args, "--screenshot '%s' --size 1280x720 --zoom 3 --step conv1 --card size --check-fit",
             ts_path("big.png"));
    assert_int_equal(run(args), FIT_EXIT);
    int n = 0;
    const char *c = strstr(err, "clipped: ");
    assert_non_null(c);
    assert_int_equal(sscanf(c, "clipped: %d", &n), 1);
    assert_true(n > 0);
    assert_non_null(strstr(c, "(first: '"));
#if !defined(__SANITIZE_ADDRESS__)
    /* and the sweep says so too, with a picture of the frame */
    snprintf(args, sizeof args, "--screenshot '%s' --check-fit-all --zoom 3 --size 1280x720 --lesson '%s/03-conv1.lesson'",
             ts_path("big.png"), LESSONS);
    assert_int_equal(run(args), FIT_EXIT);
    assert_non_null(strstr(err, "alexnet conv1 card Size: clipped: "));
    assert_non_null(strstr(err, "03-conv1.lesson step 1: clipped: "));
    size_t len = 0;
    free(ts_slurp(ts_path("big-001.png"), &len));
    assert_true(len > 1000);
#endif
}

/* The example: lesson 3 step 1 at 1280×720 cut the size card's "Why 227 …". */
static void test_lesson3_step1(void **ctx)
{
    (void)ctx;
    char args[1024];
    snprintf(args, sizeof args, "--screenshot '%s' --size 1280x720 --lesson '%s/03-conv1.lesson' --lesson-step 1 --check-fit",
             ts_path("l3.png"), LESSONS);
    int rc = run(args);
    if (rc != 0) fail_msg("exit %d: %s", rc, err);
    assert_non_null(strstr(err, "clipped: 0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checker_sees_clipping),
        cmocka_unit_test(test_lesson3_step1),
        cmocka_unit_test(test_fit_720),
        cmocka_unit_test(test_fit_1080),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
