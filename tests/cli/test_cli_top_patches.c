/* test_cli_top_patches.c - `alexscope top-patches`: on three Fashion-MNIST pictures and an
   unreadable file through lenet5 (fast, also under AddressSanitizer), the CSV has one row per
   kept hit, an image at most once per channel, the value `dump` gives for that image at that
   unit (and that image's largest in the channel); one montage per channel that decodes, of
   the size worked out by hand; the refusals. Linked with alexscope_io to read the .npy and
   PNG files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "img.h"
#include "npy.h"
#include "support.h"

#define FASHION SOURCE_DIR "/assets/fashion"

static const char *const pics[3] = {"1-trouser-test00002.png", "5-sandal-test00008.png", "8-bag-test00018.png"};

static char out[1 << 16], err[1 << 14];

static int run(const char *args) { return ts_run_capture(args, out, sizeof out, err, sizeof err); }

/* ts_dir/in: the three pictures, a broken "bad.png" and a "notes.txt". */
static void make_folder(void)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", ts_path("in"));
    assert_int_equal(system(cmd), 0);
    for (int i = 0; i < 3; i++) {
        char src[512], dst[64];
        size_t n;
        snprintf(src, sizeof src, FASHION "/%s", pics[i]);
        unsigned char *b = ts_slurp(src, &n);
        snprintf(dst, sizeof dst, "in/%s", pics[i]);
        ts_write_file(ts_path(dst), b, n);
        free(b);
    }
    ts_write_file(ts_path("in/bad.png"), "not a png", 9);
    ts_write_file(ts_path("in/notes.txt"), "hello", 5);
}

typedef struct {
    int channel, rank, y, x;
    char file[512];
    float value;
} Row;

/* DIR/top-patches.csv's rows (at most max); checks the header. */
static int read_csv(const char *dir, Row *rows, int max)
{
    char name[128];
    snprintf(name, sizeof name, "%s/top-patches.csv", dir);
    char *text = (char *)ts_slurp(ts_path(name), NULL);
    assert_true(!strncmp(text, "channel,rank,file,y,x,value\n", 28));
    int n = 0;
    for (char *line = strchr(text, '\n') + 1; *line && n < max; line = strchr(line, '\n') + 1) {
        Row *r = &rows[n++];
        assert_int_equal(sscanf(line, "%d,%d,%511[^,],%d,%d,%f", &r->channel, &r->rank, r->file, &r->y, &r->x, &r->value),
                         6);
    }
    free(text);
    return n;
}

/* conv2 of lenet5 for picture i, from `alexscope dump` (16, 10, 10); caller frees. */
static float *dump_conv2(int i)
{
    char args[1024], dir[32], npy[64];
    snprintf(dir, sizeof dir, "d%d", i);
    snprintf(args, sizeof args, "dump --arch lenet5 " FASHION "/%s --layer conv2 --out %s", pics[i], ts_path(dir));
    assert_int_equal(run(args), 0);
    snprintf(npy, sizeof npy, "%s/conv2.npy", dir);
    float *v;
    int64_t shape[3];
    int nd;
    Err e = {0};
    if (npy_read(ts_path(npy), &v, shape, 3, &nd, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(nd, 3);
    assert_true(shape[0] == 16 && shape[1] == 10 && shape[2] == 10);
    return v;
}

static int pic_of(const char *file)
{
    for (int i = 0; i < 3; i++)
        if (strstr(file, pics[i])) return i;
    fail_msg("unexpected file %s", file);
    return -1;
}

/* conv2: receptive field 14 (conv1's 5, pool1's 2×2 adds 1, conv2's 5×5 at a step of 2 adds 8), so a cell is
   14 × ceil(64/14) = 70 pixels; --count 4 is a 2×2 grid: 2 + 2 · (70 + 2) = 146. */
static void test_lenet_conv2(void **st)
{
    (void)st;
    make_folder();
    char args[1024];
    snprintf(args, sizeof args, "top-patches %s --arch lenet5 --layer conv2 --count 4 --out %s", ts_path("in"),
             ts_path("tp"));
    assert_int_equal(run(args), 0);
    assert_non_null(strstr(err, "bad.png"));
    assert_non_null(strstr(err, "notes.txt"));
    assert_non_null(strstr(out, "16 channels of 10×10 units; each unit sees a 14×14 patch of the 32×32 input, one every 2"));
    assert_non_null(strstr(out, "3 of 4 images in "));
    assert_non_null(strstr(out, " images/s (naive engine"));
    Row rows[64];
    int n = read_csv("tp", rows, 64);
    assert_int_equal(n, 16 * 3); /* three readable images: three hits per channel */
    float *dump[3];
    for (int i = 0; i < 3; i++) dump[i] = dump_conv2(i);
    for (int k = 0; k < n; k++) {
        const Row *r = &rows[k];
        assert_int_equal(r->channel, k / 3);
        assert_int_equal(r->rank, k % 3 + 1);
        int p = pic_of(r->file);
        const float *ch = dump[p] + r->channel * 100;
        assert_true(r->value == ch[r->y * 10 + r->x]); /* %.9g gives the float back exactly */
        for (int j = 0; j < 100; j++) assert_true(ch[j] <= r->value);
        if (k % 3) {
            assert_true(r->value <= rows[k - 1].value);
            assert_int_not_equal(p, pic_of(rows[k - 1].file));
        }
        if (k % 3 == 2) assert_int_not_equal(p, pic_of(rows[k - 2].file));
    }
    for (int i = 0; i < 3; i++) free(dump[i]);
    for (int c = 0; c < 16; c++) {
        char name[64];
        snprintf(name, sizeof name, "tp/conv2_c%03d.png", c);
        Image im;
        Err e = {0};
        if (img_load(ts_path(name), &im, &e) != 0) fail_msg("%s", e.msg);
        assert_int_equal(im.w, 146);
        assert_int_equal(im.h, 146);
        img_free(&im);
    }
}

/* --channel 5 alone, the fast engine agreeing with the naive one (when built), refusals. */
static void test_channel_engine_refusals(void **st)
{
    (void)st;
    make_folder();
    char args[1024];
    snprintf(args, sizeof args, "top-patches %s/in/%s %s/in/%s --arch lenet5 --layer pool1 --channel 5 --out %s",
             ts_dir(), pics[0], ts_dir(), pics[2], ts_path("one"));
    assert_int_equal(run(args), 0);
    assert_non_null(strstr(out, "1 montage "));
    Row naive[16], fast[16];
    int n = read_csv("one", naive, 16);
    assert_int_equal(n, 2);
    assert_int_equal(naive[0].channel, 5);
    Image im;
    Err e = {0};
    if (img_load(ts_path("one/pool1_c005.png"), &im, &e) != 0) fail_msg("%s", e.msg);
    /* pool1: field 6, ×11 = 66; 9 in a 3×3 grid: 2 + 3 · 68 = 206 */
    assert_int_equal(im.w, 206);
    img_free(&im);
    snprintf(args, sizeof args, "top-patches %s/in/%s %s/in/%s --arch lenet5 --layer pool1 --channel 5 --out %s "
             "--engine fast", ts_dir(), pics[0], ts_dir(), pics[2], ts_path("onefast"));
    int rc = run(args);
    if (rc == 0) {
        assert_int_equal(read_csv("onefast", fast, 16), 2);
        for (int k = 0; k < 2; k++) {
            assert_string_equal(fast[k].file, naive[k].file);
            assert_true(fabsf(fast[k].value - naive[k].value) <= 1e-4f * fabsf(naive[k].value));
        }
    } else {
        assert_int_equal(rc, 2);
        assert_non_null(strstr(err, "no fast engine"));
    }
    const char *bad[] = {"--layer fc3", "--layer prob", "--layer conv2 --channel 16", "--layer nope", "", "--layer conv1 --count 65"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(args, sizeof args, "top-patches %s --arch lenet5 %s --out %s", ts_path("in"), bad[i], ts_path("x"));
        assert_int_equal(run(args), 2);
    }
    assert_non_null(strstr(err, "--count"));
    snprintf(args, sizeof args, "top-patches %s --arch lenet5 --layer conv1 --out %s", ts_path("in/bad.png"), ts_path("x"));
    assert_int_equal(run(args), 1);
    assert_non_null(strstr(err, "no image could be read"));
    assert_int_equal(run("top-patches --help"), 0);
    assert_non_null(strstr(out, "receptive field"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lenet_conv2),
        cmocka_unit_test(test_channel_engine_refusals),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
