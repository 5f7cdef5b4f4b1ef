/* test_gui_anim.c - `alexscope --screenshot F --step conv1 --animate K` without a display:
   three positions of conv1 give three different pictures whose counters (--verbose)
   advance; `--animate all --frames N` writes N numbered frames; bad values are refused. */
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

#define W 960
#define H 540
#define HEADLESS "SDL_VIDEODRIVER=dummy"

static unsigned char *shoot(int k, char *out, size_t size)
{
    char args[1024], err[2048], path[512];
    snprintf(path, sizeof path, "%s/conv1_%d.png", ts_dir(), k);
    snprintf(args, sizeof args, "--screenshot '%s' --step conv1 --animate %d --verbose --size %dx%d", path, k, W, H);
    int rc = ts_run_capture_with(HEADLESS, args, out, size, err, sizeof err);
    if (rc != 0) fail_msg("exit %d: %s", rc, err);
    int w, h, n;
    unsigned char *px = stbi_load(path, &w, &h, &n, 3);
    assert_non_null(px);
    assert_int_equal(w, W);
    assert_int_equal(h, H);
    assert_true(ts_colours(px, (long)W * H) > 40);
    remove(path);
    return px;
}

static long differing(const unsigned char *a, const unsigned char *b)
{
    long d = 0;
    for (long i = 0; i < (long)W * H * 3; i += 3) d += memcmp(a + i, b + i, 3) != 0;
    return d;
}

/* conv1 at 227: 55 positions a row; 0 and 1 are one stride apart, 56 is the second row's
   second window, 54 the first row's last. */
static void test_three_positions(void **ctx)
{
    (void)ctx;
    static const int ks[3] = {0, 1, 56};
    static const char *const want[3] = {
        "position 1 of 55 in this row · row 1 of 55; covers rows 0–10, columns 0–10",
        "position 2 of 55 in this row · row 1 of 55; covers rows 0–10, columns 4–14",
        "position 2 of 55 in this row · row 2 of 55; covers rows 4–14, columns 4–14",
    };
    unsigned char *px[3];
    for (int i = 0; i < 3; i++) {
        char out[4096];
        px[i] = shoot(ks[i], out, sizeof out);
        if (!strstr(out, want[i])) fail_msg("--animate %d: stdout lacks '%s':\n%s", ks[i], want[i], out);
    }
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++) {
            long d = differing(px[i], px[j]);
            print_message("positions %d and %d: %ld pixels differ\n", ks[i], ks[j], d);
            assert_true(d > 50);
        }
    for (int i = 0; i < 3; i++) stbi_image_free(px[i]);
    char out[4096];
    stbi_image_free(shoot(54, out, sizeof out)); /* the last of the row ends at the last column */
    assert_non_null(strstr(out, "position 55 of 55 in this row · row 1 of 55; covers rows 0–10, columns 216–226"));
    stbi_image_free(shoot(55 * 55 - 1, out, sizeof out)); /* the very last: the formula's answer */
    assert_non_null(strstr(out, "last position: 55 per row, 55 rows = (227−11)/4+1 = 55"));
}

static void test_frame_sequence(void **ctx)
{
    (void)ctx;
    char args[1024], out[8192], err[2048], path[512];
    snprintf(args, sizeof args, "--screenshot '%s/pool1_%%03d.png' --step pool1 --animate all --frames 3 --size %dx%d",
             ts_dir(), W, H);
    int rc = ts_run_capture_with(HEADLESS, args, out, sizeof out, err, sizeof err);
    if (rc != 0) fail_msg("exit %d: %s", rc, err);
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/pool1_%03d.png", ts_dir(), i);
        FILE *f = fopen(path, "rb");
        if (i < 3) assert_non_null(f); /* 000, 001, 002: first, middle, last */
        else assert_null(f);
        if (f) fclose(f), remove(path);
    }
    assert_non_null(strstr(out, "3 frames of pool1's sliding window written"));
}

static void test_refused(void **ctx)
{
    (void)ctx;
    char args[1024];
    const char *shot = ts_path("x.png");
    snprintf(args, sizeof args, "--screenshot '%s' --step conv1 --animate 3025", shot); /* 0 .. 3024 */
    assert_int_equal(ts_run(HEADLESS, args, NULL, NULL), 1);
    snprintf(args, sizeof args, "--screenshot '%s' --step relu1 --animate 0", shot); /* nothing slides there */
    assert_int_equal(ts_run(HEADLESS, args, NULL, NULL), 1);
    snprintf(args, sizeof args, "--screenshot '%s' --step conv1 --animate all", shot); /* no %d in the name */
    assert_int_equal(ts_run(HEADLESS, args, NULL, NULL), 2);
    snprintf(args, sizeof args, "--screenshot '%s' --step conv1 --animate -1", shot);
    assert_int_equal(ts_run(HEADLESS, args, NULL, NULL), 2);
    snprintf(args, sizeof args, "--screenshot '%s' --step conv1 --animate 3 --frames 2", shot);
    assert_int_equal(ts_run(HEADLESS, args, NULL, NULL), 2);
    snprintf(args, sizeof args, "--screenshot '%s' --step conv1 --animate 3 --compare sideways", shot);
    assert_int_equal(ts_run(HEADLESS, args, NULL, NULL), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_positions),
        cmocka_unit_test(test_frame_sequence),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
