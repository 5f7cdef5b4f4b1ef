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
#include <sys/wait.h>
#include <unistd.h>

#include <stb_image.h>

#include "net.h"

#define W 640
#define H 360

static char dir[] = "/tmp/alexscope-shots-XXXXXX";

static int run(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "SDL_VIDEODRIVER=dummy '%s' %s >/dev/null 2>&1", ALEXSCOPE_BIN, args);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static unsigned char *shoot(const char *step, char *path, size_t size)
{
    snprintf(path, size, "%s/%s.png", dir, step);
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

/* Not blank: many different colours, not one flat fill. */
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
        int c = colours(px);
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
    snprintf(args, sizeof args, "--screenshot '%s/bad.png' --size %dx%d '%s/bad/random.png'", dir, W, H, FIXTURES);
    assert_int_equal(run(args), 1); /* the message is in the picture and on stderr */
    snprintf(args, sizeof args, "--screenshot '%s/x.png' --step conv9", dir);
    assert_int_equal(run(args), 1);
    assert_int_equal(run("--screenshot /tmp/x.png --size 12"), 2);
    assert_int_equal(run("--no-such-option"), 2);

    /* no display at all: a clear message and exit 1, not an invisible window */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER timeout 60 '%s' 2>'%s/err.txt' >/dev/null",
             ALEXSCOPE_BIN, dir);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 1);
    char msg[1024] = "";
    snprintf(cmd, sizeof cmd, "%s/err.txt", dir);
    FILE *f = fopen(cmd, "r");
    assert_non_null(f);
    size_t got = fread(msg, 1, sizeof msg - 1, f);
    msg[got] = '\0';
    fclose(f);
    remove(cmd);
    assert_non_null(strstr(msg, "no display"));
    char p[512];
    snprintf(p, sizeof p, "%s/bad.png", dir);
    remove(p);
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
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_layer), cmocka_unit_test(test_bad_input)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
