/* test_gui_saliency_shot.c - `alexscope --screenshot --view saliency` (key Y, issue 10) at
   1280x720 and 1920x1080 with --check-fit (exit 3 if a text does not fit): LeNet-5's top-1
   class and a conv2 unit (--unit) with guided backpropagation; a PNG of the window's size
   comes out; an unknown --saliency-method is refused (exit 2). LeNet-5 only: short under ASan. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "support.h"

#define HEADLESS "SDL_VIDEODRIVER=dummy"

/* The PNG's width and height from its IHDR chunk (bytes 16..23). */
static void png_size(const char *path, int *w, int *h)
{
    unsigned char b[24] = {0};
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(b, 1, sizeof b, f), sizeof b);
    fclose(f);
    assert_memory_equal(b + 1, "PNG", 3);
    *w = b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19];
    *h = b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23];
}

static void test_shots(void **ctx)
{
    (void)ctx;
    static const char *const args[] = {
        "--arch lenet5 --view saliency",
        "--arch lenet5 --step conv2 --unit 3,4,7 --view saliency --saliency-method guided",
    };
    static const int sizes[2][2] = {{1280, 720}, {1920, 1080}};
    for (int i = 0; i < 2; i++)
        for (int s = 0; s < 2; s++) {
            char path[512], cmd[1024];
            snprintf(path, sizeof path, "%s/saliency-%d-%d.png", ts_dir(), i, sizes[s][0]);
            snprintf(cmd, sizeof cmd, "--screenshot '%s' --size %dx%d --check-fit %s", path, sizes[s][0], sizes[s][1],
                     args[i]);
            assert_int_equal(ts_run(HEADLESS, cmd, NULL, NULL), 0);
            int w = 0, h = 0;
            png_size(path, &w, &h);
            assert_int_equal(w, sizes[s][0]);
            assert_int_equal(h, sizes[s][1]);
            remove(path);
        }
}

static void test_bad_method(void **ctx)
{
    (void)ctx;
    char out[512] = "", err[512] = "";
    assert_int_equal(ts_run_capture_with(HEADLESS, "--screenshot /tmp/x.png --view saliency --saliency-method sharp", out,
                                         sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "--saliency-method sharp: one of gradient, guided, deconv"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_shots), cmocka_unit_test(test_bad_method)};
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
