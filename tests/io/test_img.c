/* test_img.c - decoding every format and channel layout, refusing every kind of bad file
   (header lies, truncation at every byte, sizes over the limit), and writing PNGs.
   The preprocessing arithmetic is in test_img_prepare.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "img.h"
#include "img_check.h"
#include "support.h"

#define GOOD FIXTURES "/good/"
#define BAD FIXTURES "/bad/"

/* ---- decoding --------------------------------------------------------------------- */

/* img_load that must succeed. */
static void load_ok(const char *path, Image *im)
{
    Err e = {0};
    if (img_load(path, im, &e) != 0) fail_msg("%s", e.msg);
}

/* im holds the n pixels listed, each {x, y, r, g, b}. */
static void assert_pixels(const Image *im, int n, const int (*px)[5])
{
    for (int i = 0; i < n; i++) assert_px(im, px[i][0], px[i][1], px[i][2], px[i][3], px[i][4]);
}

static void test_load_png_grey(void **state)
{
    Image im;
    load_ok(GOOD "grey.png", &im);
    assert_int_equal(im.w, 4);
    assert_int_equal(im.h, 2);
    assert_pixels(&im, 3, (const int[][5]){{0, 0, 0, 0, 0}, {1, 0, 40, 40, 40}, {3, 1, 255, 255, 255}});
    img_free(&im);
    assert_null(im.px);
}

static void test_load_alpha(void **state)
{
    Image im;
    /* grey+alpha: opaque 100 stays, transparent becomes white */
    load_ok(GOOD "grey_alpha.png", &im);
    assert_pixels(&im, 2, (const int[][5]){{0, 0, 100, 100, 100}, {1, 0, 255, 255, 255}});
    img_free(&im);
    /* RGBA (200,0,0,128) over white: (200*128 + 255*127 + 127) / 255 = 227, (255*127+127)/255 = 127 */
    load_ok(GOOD "rgba.png", &im);
    assert_pixels(&im, 2, (const int[][5]){{0, 0, 255, 0, 0}, {1, 0, 227, 127, 127}});
    img_free(&im);
}

static void test_load_formats(void **state)
{
    const char *same[] = {GOOD "rgb.png", GOOD "rgb.bmp", GOOD "rgb.tga"};
    Image im;
    for (int i = 0; i < 3; i++) {
        load_ok(same[i], &im);
        assert_int_equal(im.w, 3);
        assert_int_equal(im.h, 2);
        assert_pixels(&im, 3, (const int[][5]){{0, 0, 10, 20, 30}, {2, 0, 70, 80, 90}, {1, 1, 130, 140, 150}});
        img_free(&im);
    }
    load_ok(GOOD "tiny.gif", &im);
    assert_pixels(&im, 4, (const int[][5]){{0, 0, 255, 0, 0}, {1, 0, 0, 255, 0}, {0, 1, 0, 0, 255}, {1, 1, 255, 255, 255}});
    img_free(&im);
    /* 16-bit samples keep their high byte */
    load_ok(GOOD "grey16.png", &im);
    assert_pixels(&im, 2, (const int[][5]){{0, 0, 0x12, 0x12, 0x12}, {1, 0, 255, 255, 255}});
    img_free(&im);
    /* a flat JPEG decodes to its colour within rounding */
    load_ok(GOOD "flat.jpg", &im);
    assert_int_equal(im.w, 16);
    for (int i = 0; i < im.w * im.h; i++) {
        assert_true(abs(im.px[i * 3] - 200) <= 2);
        assert_true(abs(im.px[i * 3 + 1] - 100) <= 2);
        assert_true(abs(im.px[i * 3 + 2] - 50) <= 2);
    }
    img_free(&im);
}

/* Every bad file: -1, the path first in the message, the Image left empty. */
static void expect_refused(const char *path, const char *needle)
{
    Image im = {7, 7, (unsigned char *)&im};
    Err e = {0};
    int rc = img_load(path, &im, &e);
    if (rc != -1 || strncmp(e.msg, path, strlen(path)) != 0 ||
        (needle && !strstr(e.msg, needle)))
        fail_msg("%s: rc %d, message \"%s\" (expected \"%s\")", path, rc, e.msg,
                 needle ? needle : "");
    assert_null(im.px);
    assert_int_equal(im.w, 0);
}

static void test_bad_files(void **state)
{
    expect_refused(BAD "empty.png", "empty");
    expect_refused(BAD "does-not-exist.png", "cannot open");
    expect_refused(BAD, "directory");
    expect_refused(FIXTURES "/bad", "directory");
    expect_refused(BAD "text.png", "not an image");
    expect_refused(BAD "random.png", NULL);
    expect_refused(BAD "random.bin", NULL);
    expect_refused(BAD "zero.png", "invalid size");
    const char *trunc[] = {"trunc_4.png", "trunc_20.png", "trunc_40.png", "trunc_1586.png",
                           "trunc_3160.png", "trunc_2.jpg", "trunc_3.jpg", "trunc_100.jpg",
                           "trunc_775.jpg", "trunc_1548.jpg"};
    for (size_t i = 0; i < sizeof trunc / sizeof *trunc; i++) {
        char p[512];
        snprintf(p, sizeof p, BAD "%s", trunc[i]);
        expect_refused(p, NULL);
    }
    /* the cut just before IEND / EOI is the one a lenient decoder would accept */
    expect_refused(BAD "trunc_3160.png", "truncated");
    expect_refused(BAD "trunc_1548.jpg", "truncated");
}

static void test_huge_refused(void **state)
{
    Image im;
    Err e = {0};
    assert_int_equal(img_load(BAD "huge.png", &im, &e), -1);
    assert_string_equal(e.msg, BAD "huge.png: image is 200000×200000 (40000 megapixels); "
                                   "the limit is 50 megapixels");
    expect_refused(BAD "huge.bmp", "100000×100000");
    expect_refused(BAD "huge.gif", "65535×65535");
    expect_refused(BAD "huge.jpg", "65535×65535");

    /* just over the limit, in memory (only the header is needed to refuse it):
       7072 × 7071 = 50,006,112 pixels */
    unsigned char png[33] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                             0, 0, 0x1B, 0xA0, 0, 0, 0x1B, 0x9F, 8, 2, 0, 0, 0};
    assert_int_equal(img_load_memory(png, sizeof png, "edge.png", &im, &e), -1);
    assert_string_equal(e.msg, "edge.png: image is 7072×7071 (50.1 megapixels); "
                               "the limit is 50 megapixels");
}

static void test_load_memory_edges(void **state)
{
    Image im;
    Err e = {0};
    assert_int_equal(img_load_memory(NULL, 0, "x", &im, &e), -1);
    assert_non_null(strstr(e.msg, "x: "));
    const unsigned char junk[] = "GIF89a";
    assert_int_equal(img_load_memory(junk, 6, "short.gif", &im, &e), -1);
    assert_int_equal(strncmp(e.msg, "short.gif: ", 11), 0);
    assert_int_equal(img_load(NULL, &im, &e), -1);
}

/* img_load_memory of the first n bytes of buf, copied to a buffer of exactly that size
   (so that ASan sees any read past the end); the picture, if any, is freed. */
static int load_copy(const unsigned char *buf, int n, const char *name, Err *e)
{
    unsigned char *copy = malloc((size_t)(n ? n : 1));
    assert_non_null(copy);
    memcpy(copy, buf, (size_t)n);
    Image im;
    int rc = img_load_memory(copy, n, name, &im, e);
    if (rc == 0) img_free(&im);
    free(copy);
    return rc;
}

/* Every prefix and many single-byte corruptions of the small good files: each load either
   succeeds or fails with the name first, and never reads out of bounds (run under ASan). */
static void test_every_prefix(void **state)
{
    const char *files[] = {"grey.png", "rgba.png", "rgb.bmp", "rgb.tga", "tiny.gif", "flat.jpg",
                           "grey16.png"};
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        char path[512];
        snprintf(path, sizeof path, GOOD "%s", files[f]);
        size_t n;
        unsigned char *buf = ts_slurp(path, &n), flipped[4096];
        int len = (int)n;
        assert_true(len > 0 && len < (int)sizeof flipped);
        for (int cut = 0; cut < len; cut++) {
            Err e = {0};
            if (load_copy(buf, cut, "cut.tga", &e) != 0) assert_int_equal(strncmp(e.msg, "cut.tga: ", 9), 0);
        }
        uint64_t s = 12345 + f;
        for (int t = 0; t < 300; t++) {
            memcpy(flipped, buf, (size_t)len);
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            flipped[(s >> 33) % (uint64_t)len] ^= (unsigned char)(1u << ((s >> 20) & 7));
            Err e = {0};
            if (load_copy(flipped, len, "flip.tga", &e) != 0) assert_int_equal(strncmp(e.msg, "flip.tga: ", 10), 0);
        }
        free(buf);
    }
}

/* (named .tga: TGA, which has no magic number, is only taken from a file named so) */
static void expect_refused_memory(const unsigned char *d, int len, const char *needle)
{
    Image im;
    Err e = {0};
    if (img_load_memory(d, len, "m.tga", &im, &e) == 0) {
        img_free(&im);
        fail_msg("%d bytes were accepted (expected \"%s\")", len, needle);
    }
    if (strncmp(e.msg, "m.tga: ", 7) != 0 || !strstr(e.msg, needle)) fail_msg("message \"%s\" (expected \"%s\")", e.msg, needle);
}

/* stb_image decodes a cut-off BMP, TGA, PNM or GIF without complaint: the missing pixels
   came out black, or (uncompressed TGA, PNM) as whatever was in its fresh malloc. Every
   prefix of these files used to load; now each is refused as truncated. */
static void test_truncated_raw_formats(void **state)
{
    const char *files[] = {"rgb.bmp", "rgb.tga", "tiny.gif"};
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        char path[512];
        snprintf(path, sizeof path, GOOD "%s", files[f]);
        size_t n;
        unsigned char *buf = ts_slurp(path, &n);
        int len = (int)n;
        /* a GIF's last byte is its trailer, which stb_image does not need */
        int last = f == 2 ? len - 1 : len;
        for (int cut = 1; cut < last; cut++) {
            Err e = {0};
            if (load_copy(buf, cut, "cut.tga", &e) == 0) fail_msg("%s cut to %d of %d bytes was accepted", files[f], cut, len);
        }
        free(buf);
    }

    /* binary PPM: whole, then one byte short */
    unsigned char ppm[64];
    int hl = snprintf((char *)ppm, sizeof ppm, "P6\n# a comment\n3 2\n255\n");
    for (int i = 0; i < 18; i++) ppm[hl + i] = (unsigned char)(10 * i);
    Image im;
    Err e = {0};
    assert_int_equal(img_load_memory(ppm, hl + 18, "ok.ppm", &im, &e), 0);
    assert_px(&im, 2, 1, 150, 160, 170);
    img_free(&im);
    expect_refused_memory(ppm, hl + 17, "truncated PNM");

    /* RLE TGA, 3×2: a repeat packet of 4 grey pixels and a raw packet of 2, then cut short */
    unsigned char tga[32] = {0, 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 2, 0, 8, 0x20,
                             0x83, 50, 0x01, 60, 70};
    assert_int_equal(img_load_memory(tga, 23, "ok.tga", &im, &e), 0);
    assert_pixels(&im, 2, (const int[][5]){{0, 0, 50, 50, 50}, {2, 1, 70, 70, 70}});
    img_free(&im);
    expect_refused_memory(tga, 22, "truncated TGA");

    /* 48 bytes claiming 7000×7000: was decoded into a 49-megapixel picture of zeros */
    unsigned char big[48] = {0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x58, 0x1B, 0x58, 0x1B, 24, 0x20};
    expect_refused_memory(big, sizeof big, "truncated TGA (the file ends before the 7000×7000 pixels");
}

/* A BMP with a negative height stores its rows top-down - valid, and what many writers
   produce - but stbi_info reports the height as negative and it was refused as an
   "invalid size 3×-2". */
static void test_top_down_bmp(void **state)
{
    size_t n;
    unsigned char *buf = ts_slurp(GOOD "rgb.bmp", &n);
    int len = (int)n;
    /* flip the two rows of rgb.bmp (stride 12 bytes at offset 54) and negate the height */
    unsigned char row[12];
    memcpy(row, buf + 54, 12);
    memcpy(buf + 54, buf + 66, 12);
    memcpy(buf + 66, row, 12);
    buf[22] = 0xFE, buf[23] = buf[24] = buf[25] = 0xFF; /* -2 */
    Image im;
    Err e = {0};
    if (img_load_memory(buf, len, "topdown.bmp", &im, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(im.w, 3);
    assert_int_equal(im.h, 2);
    assert_pixels(&im, 2, (const int[][5]){{0, 0, 10, 20, 30}, {1, 1, 130, 140, 150}});
    img_free(&im);
    /* and one byte short is still caught */
    expect_refused_memory(buf, len - 1, "truncated BMP");
    free(buf);
}

static void test_write_png(void **state)
{
    Image im, back;
    make_coords(&im, 5, 3);
    Err e = {0};
    const char *path = ts_path("out.png");
    assert_int_equal(img_write_png(path, &im, &e), 0);
    assert_int_equal(img_load(path, &back, &e), 0);
    assert_int_equal(back.w, 5);
    assert_int_equal(back.h, 3);
    assert_memory_equal(back.px, im.px, 5 * 3 * 3);
    img_free(&back);
    remove(path);
    path = ts_path("no/such/dir/out.png");
    assert_int_equal(img_write_png(path, &im, &e), -1);
    assert_int_equal(strncmp(e.msg, path, strlen(path)), 0);
    img_free(&im);
}

/* Folders of photos are listed by extension, in any case. */
static void test_image_names(void **state)
{
    (void)state;
    assert_true(img_is_image_name("cat.png"));
    assert_true(img_is_image_name("a.b/Rocket.JPEG"));
    assert_true(img_is_image_name("x.Pgm"));
    assert_false(img_is_image_name("CREDITS.md"));
    assert_false(img_is_image_name("png"));
    assert_false(img_is_image_name("cat.png.txt"));
    assert_false(img_is_image_name("cat.pn"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_names),
        cmocka_unit_test(test_load_png_grey),
        cmocka_unit_test(test_load_alpha),
        cmocka_unit_test(test_load_formats),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_huge_refused),
        cmocka_unit_test(test_load_memory_edges),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_truncated_raw_formats),
        cmocka_unit_test(test_top_down_bmp),
        cmocka_unit_test(test_write_png),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
