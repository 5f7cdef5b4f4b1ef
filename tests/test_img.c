/* test_img.c - decoding every format and channel layout, refusing every kind of bad file,
   and the preprocessing arithmetic on tiny images whose answers can be worked by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "img.h"

#define GOOD FIXTURES "/good/"
#define BAD FIXTURES "/bad/"

static const unsigned char *px_at(const Image *im, int x, int y)
{
    return im->px + ((size_t)y * im->w + x) * 3;
}

static void assert_px(const Image *im, int x, int y, int r, int g, int b)
{
    const unsigned char *p = px_at(im, x, y);
    assert_int_equal(p[0], r);
    assert_int_equal(p[1], g);
    assert_int_equal(p[2], b);
}

/* An image with pixel (x, y) = (10x, 10y, 100): every position can be read back. */
static void make_coords(Image *im, int w, int h)
{
    im->w = w;
    im->h = h;
    im->px = malloc((size_t)w * h * 3);
    assert_non_null(im->px);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            unsigned char *p = im->px + ((size_t)y * w + x) * 3;
            p[0] = (unsigned char)(10 * x);
            p[1] = (unsigned char)(10 * y);
            p[2] = 100;
        }
}

static const Preproc caffe = {"caffe", 1, 0, 1.0f, {104.0f, 117.0f, 123.0f}, {1, 1, 1}, 256};
static const Preproc tv = {"torchvision", 0, 0, 1.0f / 255.0f, {0.485f, 0.456f, 0.406f},
                           {0.229f, 0.224f, 0.225f}, 256};

/* ---- decoding --------------------------------------------------------------------- */

static void test_load_png_grey(void **state)
{
    Image im;
    Err e = {0};
    assert_int_equal(img_load(GOOD "grey.png", &im, &e), 0);
    assert_int_equal(im.w, 4);
    assert_int_equal(im.h, 2);
    assert_px(&im, 0, 0, 0, 0, 0);
    assert_px(&im, 1, 0, 40, 40, 40);
    assert_px(&im, 3, 1, 255, 255, 255);
    img_free(&im);
    assert_null(im.px);
}

static void test_load_alpha(void **state)
{
    Image im;
    Err e = {0};
    /* grey+alpha: opaque 100 stays, transparent becomes white */
    assert_int_equal(img_load(GOOD "grey_alpha.png", &im, &e), 0);
    assert_px(&im, 0, 0, 100, 100, 100);
    assert_px(&im, 1, 0, 255, 255, 255);
    img_free(&im);
    /* RGBA (200,0,0,128) over white: (200*128 + 255*127 + 127) / 255 = 227, (255*127+127)/255 = 127 */
    assert_int_equal(img_load(GOOD "rgba.png", &im, &e), 0);
    assert_px(&im, 0, 0, 255, 0, 0);
    assert_px(&im, 1, 0, 227, 127, 127);
    img_free(&im);
}

static void test_load_formats(void **state)
{
    const char *same[] = {GOOD "rgb.png", GOOD "rgb.bmp", GOOD "rgb.tga"};
    for (int i = 0; i < 3; i++) {
        Image im;
        Err e = {0};
        assert_int_equal(img_load(same[i], &im, &e), 0);
        assert_int_equal(im.w, 3);
        assert_int_equal(im.h, 2);
        assert_px(&im, 0, 0, 10, 20, 30);
        assert_px(&im, 2, 0, 70, 80, 90);
        assert_px(&im, 1, 1, 130, 140, 150);
        img_free(&im);
    }
    Image im;
    Err e = {0};
    assert_int_equal(img_load(GOOD "tiny.gif", &im, &e), 0);
    assert_px(&im, 0, 0, 255, 0, 0);
    assert_px(&im, 1, 0, 0, 255, 0);
    assert_px(&im, 0, 1, 0, 0, 255);
    assert_px(&im, 1, 1, 255, 255, 255);
    img_free(&im);
    /* 16-bit samples keep their high byte */
    assert_int_equal(img_load(GOOD "grey16.png", &im, &e), 0);
    assert_px(&im, 0, 0, 0x12, 0x12, 0x12);
    assert_px(&im, 1, 0, 255, 255, 255);
    img_free(&im);
    /* a flat JPEG decodes to its colour within rounding */
    assert_int_equal(img_load(GOOD "flat.jpg", &im, &e), 0);
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
                                   "the limit is 100 megapixels");
    expect_refused(BAD "huge.bmp", "100000×100000");
    expect_refused(BAD "huge.gif", "65535×65535");
    expect_refused(BAD "huge.jpg", "65535×65535");

    /* one row over the limit, in memory (only the header is needed to refuse it) */
    unsigned char png[33] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                             0, 0, 0x27, 0x11, 0, 0, 0x27, 0x10, 8, 2, 0, 0, 0};
    assert_int_equal(img_load_memory(png, sizeof png, "edge.png", &im, &e), -1);
    assert_string_equal(e.msg, "edge.png: image is 10001×10000 (100.1 megapixels); "
                               "the limit is 100 megapixels");
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

/* Every prefix and many single-byte corruptions of the small good files: each load either
   succeeds or fails with the name first, and never reads out of bounds (run under ASan). */
static void test_every_prefix(void **state)
{
    const char *files[] = {"grey.png", "rgba.png", "rgb.bmp", "rgb.tga", "tiny.gif", "flat.jpg",
                           "grey16.png"};
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        char path[512];
        snprintf(path, sizeof path, GOOD "%s", files[f]);
        FILE *fp = fopen(path, "rb");
        assert_non_null(fp);
        unsigned char buf[4096];
        int len = (int)fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        assert_true(len > 0 && len < (int)sizeof buf);
        for (int cut = 0; cut < len; cut++) {
            unsigned char *copy = malloc((size_t)(cut ? cut : 1)); /* exact size for ASan */
            assert_non_null(copy);
            memcpy(copy, buf, (size_t)cut);
            Image im;
            Err e = {0};
            if (img_load_memory(copy, cut, "cut", &im, &e) == 0) img_free(&im);
            else assert_int_equal(strncmp(e.msg, "cut: ", 5), 0);
            free(copy);
        }
        uint64_t s = 12345 + f;
        for (int t = 0; t < 300; t++) {
            unsigned char *copy = malloc((size_t)len);
            assert_non_null(copy);
            memcpy(copy, buf, (size_t)len);
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            copy[(s >> 33) % (uint64_t)len] ^= (unsigned char)(1u << ((s >> 20) & 7));
            Image im;
            Err e = {0};
            if (img_load_memory(copy, len, "flip", &im, &e) == 0) img_free(&im);
            else assert_int_equal(strncmp(e.msg, "flip: ", 6), 0);
            free(copy);
        }
    }
}

static unsigned char *slurp(const char *path, int *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    unsigned char *buf = malloc(4096);
    assert_non_null(buf);
    *len = (int)fread(buf, 1, 4096, fp);
    fclose(fp);
    assert_true(*len > 0 && *len < 4096);
    return buf;
}

static void expect_refused_memory(const unsigned char *d, int len, const char *needle)
{
    Image im;
    Err e = {0};
    if (img_load_memory(d, len, "m", &im, &e) == 0) {
        img_free(&im);
        fail_msg("%d bytes were accepted (expected \"%s\")", len, needle);
    }
    if (strncmp(e.msg, "m: ", 3) != 0 || !strstr(e.msg, needle)) fail_msg("message \"%s\" (expected \"%s\")", e.msg, needle);
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
        int len;
        unsigned char *buf = slurp(path, &len);
        /* a GIF's last byte is its trailer, which stb_image does not need */
        int last = f == 2 ? len - 1 : len;
        for (int cut = 1; cut < last; cut++) {
            unsigned char *copy = malloc((size_t)cut);
            assert_non_null(copy);
            memcpy(copy, buf, (size_t)cut);
            Image im;
            Err e = {0};
            if (img_load_memory(copy, cut, "cut", &im, &e) == 0)
                fail_msg("%s cut to %d of %d bytes was accepted", files[f], cut, len);
            free(copy);
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
    assert_px(&im, 0, 0, 50, 50, 50);
    assert_px(&im, 2, 1, 70, 70, 70);
    img_free(&im);
    expect_refused_memory(tga, 22, "truncated TGA");

    /* 48 bytes claiming 10000×9000: was decoded into a 90-megapixel picture of zeros */
    unsigned char big[48] = {0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x27, 0x28, 0x23, 24, 0x20};
    expect_refused_memory(big, sizeof big, "truncated TGA (the file ends before the 10000×9000 pixels");
}

/* A BMP with a negative height stores its rows top-down - valid, and what many writers
   produce - but stbi_info reports the height as negative and it was refused as an
   "invalid size 3×-2". */
static void test_top_down_bmp(void **state)
{
    int len;
    unsigned char *buf = slurp(GOOD "rgb.bmp", &len);
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
    assert_px(&im, 0, 0, 10, 20, 30);
    assert_px(&im, 1, 1, 130, 140, 150);
    img_free(&im);
    /* and one byte short is still caught */
    expect_refused_memory(buf, len - 1, "truncated BMP");
    free(buf);
}

/* ---- resize ------------------------------------------------------------------------ */

static void test_resize(void **state)
{
    Image in = {7, 5, malloc(7 * 5 * 3)}, out;
    Err e = {0};
    for (int i = 0; i < 35; i++) {
        in.px[i * 3] = 50;
        in.px[i * 3 + 1] = 100;
        in.px[i * 3 + 2] = 150;
    }
    /* a flat picture stays flat: the filter's weights sum to one */
    assert_int_equal(img_resize(&in, 3, 3, &out, &e), 0);
    assert_int_equal(out.w, 3);
    for (int i = 0; i < 9; i++) {
        assert_true(abs(out.px[i * 3] - 50) <= 1);
        assert_true(abs(out.px[i * 3 + 2] - 150) <= 1);
    }
    img_free(&out);
    assert_int_equal(img_resize(&in, 20, 11, &out, &e), 0);
    assert_int_equal(out.h, 11);
    assert_true(abs(out.px[(10 * 20 + 19) * 3 + 1] - 100) <= 1);
    img_free(&out);
    assert_int_equal(img_resize(&in, 0, 3, &out, &e), -1);
    assert_null(out.px);
    img_free(&in);
}

/* ---- preprocessing ----------------------------------------------------------------- */

static void test_prepare_caffe_centre(void **state)
{
    Image im;
    make_coords(&im, 4, 4);
    Preproc p = caffe;
    p.resize_short = 4; /* no resampling: every value is exact */
    float x[3 * 2 * 2];
    CropBox b;
    Err e = {0};
    assert_int_equal(img_prepare(&im, &p, 2, 2, 0, -1, x, &b, &e), 0);
    /* centre crop of 4 -> 2 starts at (1, 1) */
    assert_int_equal(b.crop_x, 1);
    assert_int_equal(b.crop_y, 1);
    assert_int_equal(b.resized_w, 4);
    assert_true(b.x == 1.0f && b.y == 1.0f && b.w == 2.0f && b.h == 2.0f);
    assert_int_equal(b.mirror, 0);
    /* BGR: channel 0 is blue (100 - 104), 1 green (10y - 117), 2 red (10x - 123) */
    for (int i = 0; i < 4; i++) assert_float_equal(x[i], -4.0f, 1e-6);
    assert_float_equal(x[4 + 0], 10.0f - 117.0f, 1e-6);  /* (y=1) */
    assert_float_equal(x[4 + 2], 20.0f - 117.0f, 1e-6);  /* (y=2) */
    assert_float_equal(x[8 + 0], 10.0f - 123.0f, 1e-6);  /* (x=1) */
    assert_float_equal(x[8 + 1], 20.0f - 123.0f, 1e-6);  /* (x=2) */
    img_free(&im);
}

static void test_prepare_mirror(void **state)
{
    Image im;
    make_coords(&im, 4, 4);
    Preproc p = caffe;
    p.resize_short = 4;
    float x[3 * 2 * 2];
    CropBox b;
    Err e = {0};
    assert_int_equal(img_prepare(&im, &p, 2, 2, 1, -1, x, &b, &e), 0);
    assert_int_equal(b.mirror, 1);
    assert_int_equal(b.crop_x, 1); /* the same crop, read right to left */
    assert_float_equal(x[8 + 0], 20.0f - 123.0f, 1e-6);
    assert_float_equal(x[8 + 1], 10.0f - 123.0f, 1e-6);
    assert_float_equal(x[4 + 0], 10.0f - 117.0f, 1e-6); /* rows unchanged */

    Image c;
    assert_int_equal(img_crop_rgb(&im, &p, 2, 2, 1, -1, &c, &e), 0);
    assert_px(&c, 0, 0, 20, 10, 100);
    assert_px(&c, 1, 0, 10, 10, 100);
    assert_px(&c, 0, 1, 20, 20, 100);
    img_free(&c);
    img_free(&im);
}

static void test_prepare_torchvision(void **state)
{
    Image im;
    make_coords(&im, 6, 4);
    Preproc p = tv;
    p.resize_short = 4; /* 6×4 stays 6×4 */
    float x[3 * 2 * 2];
    CropBox b;
    Err e = {0};
    assert_int_equal(img_prepare(&im, &p, 2, 2, 0, -1, x, &b, &e), 0);
    assert_int_equal(b.crop_x, 2);
    assert_int_equal(b.crop_y, 1);
    /* RGB, 0..1, (v - mean) / std */
    assert_float_equal(x[0], (20.0f / 255 - 0.485f) / 0.229f, 1e-5);   /* R at x=2 */
    assert_float_equal(x[1], (30.0f / 255 - 0.485f) / 0.229f, 1e-5);   /* R at x=3 */
    assert_float_equal(x[4 + 2], (20.0f / 255 - 0.456f) / 0.224f, 1e-5); /* G at y=2 */
    assert_float_equal(x[8 + 3], (100.0f / 255 - 0.406f) / 0.225f, 1e-5); /* B */
    img_free(&im);
}

static void test_caffe_offset_14(void **state)
{
    Image im;
    make_coords(&im, 256, 256);
    float *x = malloc(sizeof(float) * 3 * 227 * 227);
    CropBox b;
    Err e = {0};
    assert_int_equal(img_prepare(&im, &caffe, 227, 227, 0, -1, x, &b, &e), 0);
    assert_int_equal(b.crop_x, 14); /* (256 - 227) / 2, as Caffe */
    assert_int_equal(b.crop_y, 14);
    /* pixel (0,0) of the crop is image (14,14); red = 140 (mod 256) - 123 */
    assert_float_equal(x[2 * 227 * 227], 140.0f - 123.0f, 1e-6);
    free(x);
    img_free(&im);
}

static void test_prepare_resize_box(void **state)
{
    Image im;
    make_coords(&im, 8, 4);
    Preproc p = caffe;
    p.resize_short = 2; /* 8×4 -> 4×2 */
    float x[3 * 2 * 2];
    CropBox b;
    Err e = {0};
    assert_int_equal(img_prepare(&im, &p, 2, 2, 0, -1, x, &b, &e), 0);
    assert_int_equal(b.resized_w, 4);
    assert_int_equal(b.resized_h, 2);
    assert_int_equal(b.crop_x, 1);
    assert_int_equal(b.crop_y, 0);
    /* back in the original's pixels: everything doubles */
    assert_float_equal(b.x, 2.0f, 1e-6);
    assert_float_equal(b.y, 0.0f, 1e-6);
    assert_float_equal(b.w, 4.0f, 1e-6);
    assert_float_equal(b.h, 4.0f, 1e-6);

    /* resize_short <= 0: the whole picture squeezed to the crop size */
    p.resize_short = 0;
    Image big;
    make_coords(&big, 10, 6);
    assert_int_equal(img_prepare(&big, &p, 2, 2, 0, -1, x, &b, &e), 0);
    assert_int_equal(b.resized_w, 2);
    assert_int_equal(b.crop_x, 0);
    assert_float_equal(b.w, 10.0f, 1e-6);
    assert_float_equal(b.h, 6.0f, 1e-6);

    /* a resize_short smaller than the crop still yields a full crop */
    p.resize_short = 2;
    float y[3 * 3 * 3];
    assert_int_equal(img_prepare(&im, &p, 3, 3, 0, -1, y, &b, &e), 0);
    assert_true(b.resized_w >= 3 && b.resized_h >= 3);
    img_free(&big);
    img_free(&im);
}

static void test_random_crop(void **state)
{
    Image im;
    make_coords(&im, 20, 12);
    Preproc p = caffe;
    p.resize_short = 12;
    float x[3 * 5 * 5];
    CropBox a, b;
    Err e = {0};
    assert_int_equal(img_prepare(&im, &p, 5, 5, 0, 42, x, &a, &e), 0);
    assert_int_equal(img_prepare(&im, &p, 5, 5, 0, 42, x, &b, &e), 0);
    assert_int_equal(a.crop_x, b.crop_x); /* the seed decides */
    assert_int_equal(a.crop_y, b.crop_y);
    int distinct = 0;
    for (long long s = 0; s < 32; s++) {
        assert_int_equal(img_prepare(&im, &p, 5, 5, 0, s, x, &b, &e), 0);
        assert_true(b.crop_x >= 0 && b.crop_x <= 20 - 5);
        assert_true(b.crop_y >= 0 && b.crop_y <= 12 - 5);
        if (b.crop_x != a.crop_x || b.crop_y != a.crop_y) distinct++;
        /* the values are the crop's: red at output x=0 is 10 * crop_x - 123 */
        assert_float_equal(x[2 * 25], 10.0f * b.crop_x - 123.0f, 1e-6);
    }
    assert_true(distinct > 0);
    img_free(&im);
}

static void test_prepare_grey(void **state)
{
    Image im = {1, 1, malloc(3)};
    im.px[0] = 10;
    im.px[1] = 20;
    im.px[2] = 30;
    Preproc p = {"lenet", 0, 1, 1.0f, {5.0f, 0, 0}, {2.0f, 1, 1}, 0};
    float x[1];
    Err e = {0};
    assert_int_equal(img_prepare(&im, &p, 1, 1, 0, -1, x, NULL, &e), 0);
    /* (0.299*10 + 0.587*20 + 0.114*30 - 5) / 2 = (18.15 - 5) / 2 */
    assert_float_equal(x[0], (18.15f - 5.0f) / 2.0f, 1e-4);
    img_free(&im);

    /* a grey file through an RGB preset: three equal channels */
    assert_int_equal(img_load(GOOD "grey.png", &im, &e), 0);
    Preproc q = caffe;
    q.resize_short = 2;
    float y[3 * 2 * 2];
    assert_int_equal(img_prepare(&im, &q, 2, 2, 0, -1, y, NULL, &e), 0);
    for (int i = 0; i < 4; i++) {
        assert_float_equal(y[i] + 104.0f, y[4 + i] + 117.0f, 1e-4);
        assert_float_equal(y[i] + 104.0f, y[8 + i] + 123.0f, 1e-4);
    }
    img_free(&im);
}

static void test_prepare_errors(void **state)
{
    Image im;
    make_coords(&im, 4, 4);
    float x[12];
    Err e = {0};
    assert_int_equal(img_prepare(NULL, &caffe, 2, 2, 0, -1, x, NULL, &e), -1);
    assert_int_equal(img_prepare(&im, NULL, 2, 2, 0, -1, x, NULL, &e), -1);
    assert_int_equal(img_prepare(&im, &caffe, 0, 2, 0, -1, x, NULL, &e), -1);
    assert_int_equal(img_prepare(&im, &caffe, 2, 2, 0, -1, NULL, NULL, &e), -1);
    Image empty = {0, 0, NULL};
    assert_int_equal(img_prepare(&empty, &caffe, 2, 2, 0, -1, x, NULL, &e), -1);
    img_free(&im);
}

static void test_write_png(void **state)
{
    Image im, back;
    make_coords(&im, 5, 3);
    Err e = {0};
    char dir[] = "/tmp/alexscope-img-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/out.png", dir);
    assert_int_equal(img_write_png(path, &im, &e), 0);
    assert_int_equal(img_load(path, &back, &e), 0);
    assert_int_equal(back.w, 5);
    assert_int_equal(back.h, 3);
    assert_memory_equal(back.px, im.px, 5 * 3 * 3);
    img_free(&back);
    remove(path);
    snprintf(path, sizeof path, "%s/no/such/dir/out.png", dir);
    assert_int_equal(img_write_png(path, &im, &e), -1);
    assert_int_equal(strncmp(e.msg, path, strlen(path)), 0);
    rmdir(dir);
    img_free(&im);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_png_grey),
        cmocka_unit_test(test_load_alpha),
        cmocka_unit_test(test_load_formats),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_huge_refused),
        cmocka_unit_test(test_load_memory_edges),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_truncated_raw_formats),
        cmocka_unit_test(test_top_down_bmp),
        cmocka_unit_test(test_resize),
        cmocka_unit_test(test_prepare_caffe_centre),
        cmocka_unit_test(test_prepare_mirror),
        cmocka_unit_test(test_prepare_torchvision),
        cmocka_unit_test(test_caffe_offset_14),
        cmocka_unit_test(test_prepare_resize_box),
        cmocka_unit_test(test_random_crop),
        cmocka_unit_test(test_prepare_grey),
        cmocka_unit_test(test_prepare_errors),
        cmocka_unit_test(test_write_png),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
