/* test_gui_tools_shot.c - `alexscope --screenshot` with the tools' views (issue 9): the ten
   crops, the occlusion map, the top patches and the fast engine's math card, at 1280x720 and
   1920x1080 (AlexNet's at 1280x720 only), each with --check-fit (exit 3 if a text does not fit), each picture not blank
   and different from the same layer without the view. LeNet-5 where it can (short under
   ASan); AlexNet for the ten crops (LeNet-5 has none: its note is shot too). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>

#include "support.h"

#define HEADLESS "SDL_VIDEODRIVER=dummy"

typedef struct {
    const char *name, *args, *plain; /* the view's options, and the same layer without it */
} Shot;

static const Shot shots[] = {
    {"crops", "--step input --view crops", "--step input"}, /* no layer to compute first */
    {"crops-lenet", "--arch lenet5 --step conv1 --view crops", "--arch lenet5 --step conv1"},
    {"occlusion", "--arch lenet5 --step prob --view occlusion", "--arch lenet5 --step prob"},
    {"patches", "--arch lenet5 --step conv2 --view patches --channel 5", "--arch lenet5 --step conv2 --channel 5"},
    {"fast", "--step conv2 --engine fast --unit 10,5,5 --card math", "--step conv2 --unit 10,5,5 --card math"},
};

static unsigned char *shoot(const char *tag, const char *args, int w, int h)
{
    char path[512], cmd[1200];
    snprintf(path, sizeof path, "%s/%s-%d.png", ts_dir(), tag, w);
    snprintf(cmd, sizeof cmd, "--screenshot '%s' --size %dx%d --check-fit %s", path, w, h, args);
    assert_int_equal(ts_run(HEADLESS, cmd, NULL, NULL), 0);
    int iw, ih, n;
    unsigned char *px = stbi_load(path, &iw, &ih, &n, 3);
    assert_non_null(px);
    assert_int_equal(iw, w);
    assert_int_equal(ih, h);
    remove(path);
    return px;
}

static void test_views(void **ctx)
{
    (void)ctx;
    static const int sizes[2][2] = {{1280, 720}, {1920, 1080}};
    for (size_t i = 0; i < sizeof shots / sizeof shots[0]; i++)
        for (int s = 0; s < 2; s++) {
            int w = sizes[s][0], h = sizes[s][1];
            if (s == 1 && (i == 0 || i == 4)) continue; /* AlexNet once is enough under ASan */
            unsigned char *a = shoot(shots[i].name, shots[i].args, w, h);
            unsigned char *b = shoot("plain", shots[i].plain, w, h);
            long differ = 0;
            for (long k = 0; k < (long)w * h * 3; k += 3) differ += memcmp(a + k, b + k, 3) != 0;
            print_message("%-12s %dx%d: %d colours, %ld pixels differ from the plain view\n", shots[i].name, w, h,
                          ts_colours(a, (long)w * h), differ);
            assert_true(ts_colours(a, (long)w * h) > 40);
            assert_true(differ > 2000);
            stbi_image_free(a);
            stbi_image_free(b);
        }
}

static void test_bad_view(void **ctx)
{
    (void)ctx;
    assert_int_equal(ts_run(HEADLESS, "--screenshot /tmp/x.png --view nothing", NULL, NULL), 2);
    assert_int_equal(ts_run(HEADLESS, "--screenshot /tmp/x.png --engine quick", NULL, NULL), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_views), cmocka_unit_test(test_bad_view)};
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
