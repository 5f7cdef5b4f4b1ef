/* test_gui_screenshot.c - `alexscope --screenshot` for every layer of alexnet, without a
   display (SDL_VIDEODRIVER=dummy, software renderer): each PNG loads, is not blank, and
   differs from the previous layer's. Also: a broken image gives exit 1, not a crash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>

#include "net.h"
#include "support.h"

#define W 640
#define H 360
#define HEADLESS "SDL_VIDEODRIVER=dummy"

static int run(const char *args) { return ts_run(HEADLESS, args, NULL, NULL); }

static unsigned char *shoot(const char *step, char *path, size_t size)
{
    snprintf(path, size, "%s/%s.png", ts_dir(), step);
    char args[1024];
    snprintf(args, sizeof args, "--screenshot '%s' --step %s --size %dx%d", path, step, W, H);
    assert_int_equal(run(args), 0);
    int w, h, n;
    unsigned char *px = stbi_load(path, &w, &h, &n, 3);
    assert_non_null(px);
    assert_int_equal(w, W);
    assert_int_equal(h, H);
    return px;
}

static long differing(const unsigned char *a, const unsigned char *b)
{
    long d = 0;
    for (long i = 0; i < (long)W * H * 3; i += 3) d += memcmp(a + i, b + i, 3) != 0;
    return d;
}

static void test_every_layer(void **ctx)
{
    (void)ctx;
    unsigned char *prev = NULL;
    char path[512];
    for (int pos = 0; pos <= arch_alexnet.nlayers; pos++) {
        const char *step = pos == 0 ? "input" : arch_alexnet.layers[pos - 1].name;
        unsigned char *px = shoot(step, path, sizeof path);
        int c = ts_colours(px, (long)W * H); /* not blank: not one flat fill */
        print_message("%-6s %5d colours", step, c);
        assert_true(c > 40);
        if (prev) {
            long d = differing(prev, px);
            print_message("  %6ld pixels differ from the previous layer\n", d);
            assert_true(d > 200);
        } else {
            print_message("\n");
        }
        stbi_image_free(prev);
        prev = px;
        remove(path);
    }
    stbi_image_free(prev);
}

static void test_bad_input(void **ctx)
{
    (void)ctx;
    char args[1024];
    snprintf(args, sizeof args, "--screenshot '%s' --size %dx%d '%s/bad/random.png'", ts_path("bad.png"), W, H,
             FIXTURES);
    assert_int_equal(run(args), 1); /* the message is in the picture and on stderr */
    snprintf(args, sizeof args, "--screenshot '%s' --step conv9", ts_path("x.png"));
    assert_int_equal(run(args), 1);
    assert_int_equal(run("--screenshot /tmp/x.png --size 12"), 2);
    assert_int_equal(run("--no-such-option"), 2);

    /* no display at all: a clear message and exit 1, not an invisible window */
    char out[256], msg[1024];
    int rc = ts_run_capture_with("env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER timeout 60", "", out,
                                 sizeof out, msg, sizeof msg);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(msg, "no display"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_layer), cmocka_unit_test(test_bad_input)};
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
