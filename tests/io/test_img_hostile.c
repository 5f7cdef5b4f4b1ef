/* test_img_hostile.c - files made to hurt the image decoder (issue 11), each built here from
   bytes: JPEGs whose tables overflow or are missing, frame and scan headers that disagree,
   decompression bombs of every format (refused in < 0.5 s without a big allocation),
   formats alexscope does not read, a decoding child that crashes, spins, lies or breaks
   out (the "decoder failed" message, no zombie, no descriptor left open), a FIFO given as
   an image; and the good images decoding the same in the child as in this process. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "alloc_count.h"
#include "img.h"
#include "img_child.h"
#include "support.h"
#include "util.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* ---- building files --------------------------------------------------------------- */

typedef struct {
    unsigned char b[96 * 1024];
    size_t n;
} Buf;

static Buf buf; /* one file at a time */

static void put(const void *p, size_t n)
{
    assert_true(buf.n + n <= sizeof buf.b);
    memcpy(buf.b + buf.n, p, n);
    buf.n += n;
}
static void put1(unsigned v) { unsigned char c = (unsigned char)v; put(&c, 1); }
static void put_be16(unsigned v) { put1(v >> 8); put1(v & 255); }
static void put_le16(unsigned v) { put1(v & 255); put1(v >> 8); }

/* A JPEG segment: FF m, its length, the body. */
static void seg(unsigned m, const unsigned char *body, size_t len)
{
    put1(0xFF);
    put1(m);
    put_be16((unsigned)len + 2);
    put(body, len);
}

/* SOI, an 8-bit quantisation table 0 of ones, and a frame header of kind sof (0xC0
   baseline, 0xC2 progressive): w×h, one component (id 1, 1×1, table 0). */
static void jpeg_start(unsigned sof, unsigned w, unsigned h)
{
    buf.n = 0;
    put1(0xFF);
    put1(0xD8);
    unsigned char dqt[65] = {0};
    memset(dqt + 1, 1, 64);
    seg(0xDB, dqt, sizeof dqt);
    unsigned char f[9] = {8, (unsigned char)(h >> 8), (unsigned char)h, (unsigned char)(w >> 8), (unsigned char)w,
                          1, 1, 0x11, 0};
    seg(sof, f, sizeof f);
}

/* A table of class tc (0 DC, 1 AC) and id th with one 1-bit code for symbol 0 (DC: a
   difference of 0; AC: end of block). */
static void jpeg_table(unsigned tc, unsigned th)
{
    unsigned char t[18] = {(unsigned char)(tc << 4 | th), 1};
    seg(0xC4, t, sizeof t);
}

/* A scan of component 1 with tables DC td / AC ta, Ss, Se, Ah/Al, then data bytes. */
static void jpeg_scan(unsigned td, unsigned ta, unsigned ss, unsigned se, unsigned ahal, const char *data, size_t n)
{
    unsigned char s[6] = {1, 1, (unsigned char)(td << 4 | ta), (unsigned char)ss, (unsigned char)se,
                          (unsigned char)ahal};
    seg(0xDA, s, sizeof s);
    put(data, n);
}

static void jpeg_end(void)
{
    put1(0xFF);
    put1(0xD9);
}

/* A grey 8×8 baseline JPEG: one block coded "0" (DC difference 0) "0" (end of block),
   padded with ones: it decodes to 128 everywhere. */
static void jpeg_good(void)
{
    jpeg_start(0xC0, 8, 8);
    jpeg_table(0, 0);
    jpeg_table(1, 0);
    jpeg_scan(0, 0, 0, 63, 0, "\x3F", 1);
    jpeg_end();
}

/* ---- checking ---------------------------------------------------------------------- */

/* img_load_memory on buf must fail with needle in the message, after the name. */
static void refused(const char *name, const char *needle)
{
    Image im = {7, 7, NULL};
    Err e = {0};
    int rc = img_load_memory(buf.b, (int)buf.n, name, &im, &e);
    if (rc == 0) img_free(&im);
    if (rc != -1 || strncmp(e.msg, name, strlen(name)) != 0 || !strstr(e.msg, needle))
        fail_msg("%s: rc %d, \"%s\" (expected \"%s\")", name, rc, e.msg, needle);
    assert_null(im.px);
}

static void test_good_jpeg_decodes(void **state)
{
    (void)state;
    Image im;
    Err e = {0};
    jpeg_good();
    if (img_load_memory(buf.b, (int)buf.n, "good.jpg", &im, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(im.w, 8);
    assert_int_equal(im.h, 8);
    for (int i = 0; i < 8 * 8 * 3; i++) assert_int_equal(im.px[i], 128);
    img_free(&im);
    /* progressive: a DC scan, then an AC scan of coefficients 1..63 ending the band at once */
    jpeg_start(0xC2, 8, 8);
    jpeg_table(0, 0);
    jpeg_scan(0, 0, 0, 0, 0, "\x7F", 1);
    jpeg_table(1, 1);
    jpeg_scan(0, 1, 1, 63, 0, "\x7F", 1);
    jpeg_end();
    if (img_load_memory(buf.b, (int)buf.n, "prog.jpg", &im, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(im.px[0], 128);
    img_free(&im);
}

/* The fuzz campaign's DHT overflow: 300 codes in one table (stb_image's arrays hold 256). */
static void test_dht_over_256(void **state)
{
    (void)state;
    jpeg_start(0xC0, 8, 8);
    unsigned char t[17 + 300] = {0x00};
    t[16] = 255, t[15] = 45; /* 255 codes of 16 bits, 45 of 15 bits */
    seg(0xC4, t, sizeof t);
    jpeg_table(1, 0);
    jpeg_scan(0, 0, 0, 63, 0, "\x3F", 1);
    jpeg_end();
    refused("dht.jpg", "dht.jpg: corrupt JPEG: Huffman table DC0 has 300 codes, more than the 256");
    /* 3 codes of length 1 cannot all be different */
    jpeg_start(0xC0, 8, 8);
    unsigned char k[20] = {0x10, 3};
    seg(0xC4, k, sizeof k);
    jpeg_end();
    refused("kraft.jpg", "Huffman table AC0 has more codes of length 1 than fit");
    /* class 2 */
    jpeg_start(0xC0, 8, 8);
    unsigned char c[18] = {0x20, 1};
    seg(0xC4, c, sizeof c);
    jpeg_end();
    refused("class.jpg", "class 2, id 0");
}

/* A progressive scan whose AC table was never defined used to decode to garbage (the
   table was whatever the heap held); now it is refused, the same way every time. */
static void test_undefined_tables(void **state)
{
    (void)state;
    jpeg_start(0xC2, 8, 8);
    jpeg_table(0, 0);
    jpeg_scan(0, 0, 0, 0, 0, "\x7F", 1);
    jpeg_scan(0, 1, 1, 63, 0, "\x7F", 1);
    jpeg_end();
    for (int i = 0; i < 3; i++)
        refused("prog.jpg", "prog.jpg: corrupt JPEG: scan 2 uses Huffman table AC1, which the file does not "
                            "define before the scan");
    /* baseline: the DC table is missing */
    jpeg_start(0xC0, 8, 8);
    jpeg_table(1, 0);
    jpeg_scan(0, 0, 0, 63, 0, "\x3F", 1);
    jpeg_end();
    refused("dc.jpg", "scan 1 uses Huffman table DC0, which the file does not define");
    /* defined, but only after the scan that uses it */
    jpeg_start(0xC0, 8, 8);
    jpeg_table(0, 0);
    jpeg_scan(0, 0, 0, 63, 0, "\x3F", 1);
    jpeg_table(1, 0);
    jpeg_end();
    refused("late.jpg", "Huffman table AC0, which the file does not define before the scan");
    /* the quantisation table of the component is never defined */
    jpeg_good();
    buf.b[6] = 0x02; /* the DQT defines table 2, the component uses 0 */
    refused("dqt.jpg", "component 1 uses quantisation table 0, which the file does not define before scan 1");
}

static void test_frame_scan_mismatch(void **state)
{
    (void)state;
    /* the scan names component 5; the frame has only component 1 */
    jpeg_good();
    size_t sos = 0;
    for (size_t i = 0; i + 1 < buf.n; i++)
        if (buf.b[i] == 0xFF && buf.b[i + 1] == 0xDA) sos = i;
    buf.b[sos + 5] = 5;
    refused("comp.jpg", "scan 1 uses component 5, which the frame does not have");
    /* three components in the scan of a one-component frame */
    jpeg_good();
    buf.b[sos + 4] = 3;
    refused("three.jpg", "scan 1 has 3 components, the frame only 1");
    /* a scan before any frame */
    buf.n = 0;
    put1(0xFF), put1(0xD8);
    jpeg_table(0, 0);
    jpeg_scan(0, 0, 0, 63, 0, "\x3F", 1);
    jpeg_end();
    refused("noframe.jpg", "a scan (SOS) comes before the frame header");
    /* a second frame */
    jpeg_good();
    buf.n -= 2;
    unsigned char f[9] = {8, 0, 8, 0, 8, 1, 1, 0x11, 0};
    seg(0xC0, f, sizeof f);
    jpeg_end();
    refused("two.jpg", "a second frame header");
    /* sequential scan with progressive parameters; progressive AC scan of 2 coefficients
       refining by two bits; an AC scan before the component's DC scan */
    jpeg_start(0xC0, 8, 8);
    jpeg_table(0, 0);
    jpeg_table(1, 0);
    jpeg_scan(0, 0, 1, 63, 0, "\x3F", 1);
    jpeg_end();
    refused("ss.jpg", "scan 1 of a sequential JPEG has Ss 1");
    jpeg_start(0xC2, 8, 8);
    jpeg_table(0, 0);
    jpeg_table(1, 0);
    jpeg_scan(0, 0, 0, 0, 0, "\x7F", 1);
    jpeg_scan(0, 0, 1, 2, 0x31, "\x7F", 1);
    jpeg_end();
    refused("al.jpg", "scan 2 refines from bit 3 to bit 1");
    jpeg_start(0xC2, 8, 8);
    jpeg_table(1, 0);
    jpeg_scan(0, 0, 1, 63, 0, "\x7F", 1);
    jpeg_end();
    refused("acfirst.jpg", "scan 1 refines or adds to component 1 before its first DC scan");
    /* a frame whose component is never coded */
    jpeg_start(0xC0, 8, 8);
    jpeg_end();
    refused("noscan.jpg", "no scan (SOS) before the end-of-image marker");
}

/* Kinds of JPEG stb_image does not decode, each refused by name. */
static void test_jpeg_kinds_refused(void **state)
{
    (void)state;
    const struct { unsigned sof; const char *needle; } kinds[] = {
        {0xC3, "a lossless JPEG (marker FFC3)"}, {0xC5, "a hierarchical JPEG"},
        {0xC9, "an arithmetic-coded JPEG (marker FFC9)"}, {0xF7, "a JPEG-LS image"}};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        jpeg_start(kinds[i].sof, 8, 8);
        jpeg_end();
        refused("kind.jpg", kinds[i].needle);
    }
    jpeg_good();
    buf.b[2 + 4 + 65 + 4] = 12; /* the frame's sample precision */
    refused("twelve.jpg", "a 12-bit JPEG");
}

/* Every refusal above and every corruption below names JPEG, never another decoder's
   reason (a corrupt JPEG used to be reported as "bad png sig"). */
static void test_corrupt_jpeg_reason(void **state)
{
    (void)state;
    /* the block's DC code is 1, which the table does not have: stb_image's own reason */
    jpeg_start(0xC0, 8, 8);
    jpeg_table(0, 0);
    jpeg_table(1, 0);
    jpeg_scan(0, 0, 0, 63, 0, "\xFF\x00", 2);
    jpeg_end();
    const char *path = ts_path("huff.jpg");
    ts_write_file(path, buf.b, buf.n);
    Image im;
    Err e = {0};
    for (int child = 0; child < 2; child++) {
        int rc = child ? img_load(path, &im, &e) : img_load_memory(buf.b, (int)buf.n, "huff.jpg", &im, &e);
        assert_int_equal(rc, -1);
        if (!strstr(e.msg, "corrupt JPEG (bad huffman code)") || strstr(e.msg, "png"))
            fail_msg("\"%s\"", e.msg);
    }
    /* every prefix of a good JPEG: a JPEG message, never a PNG one */
    jpeg_good();
    size_t n = buf.n;
    for (size_t cut = 3; cut < n; cut++) {
        buf.n = cut;
        assert_int_equal(img_load_memory(buf.b, (int)buf.n, "cut.jpg", &im, &e), -1);
        if (!strstr(e.msg, "JPEG") || strstr(e.msg, "png")) fail_msg("cut at %zu: \"%s\"", cut, e.msg);
    }
}

/* ---- bombs and other formats --------------------------------------------------------- */

/* img_load of buf written to a file: refused with needle, in < 0.5 s, with no allocation
   beyond the file itself and small change (alloc_count counts this program's mallocs). */
static void bomb(const char *name, const char *needle)
{
    const char *path = ts_path(name);
    ts_write_file(path, buf.b, buf.n);
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    alloc_count_reset();
    double t0 = now_ms();
    Image im;
    Err e = {0};
    int rc = img_load(path, &im, &e);
    double ms = now_ms() - t0;
    getrusage(RUSAGE_SELF, &r1);
    if (rc == 0) img_free(&im);
    if (rc != -1 || !strstr(e.msg, needle)) fail_msg("%s: rc %d, \"%s\" (expected \"%s\")", name, rc, e.msg, needle);
    if (ms > 500) fail_msg("%s took %.0f ms", name, ms);
    if (alloc_count.largest > buf.n + 4096) fail_msg("%s: an allocation of %zu bytes", name, alloc_count.largest);
    if (r1.ru_maxrss - r0.ru_maxrss > 20 * 1024) fail_msg("%s: peak memory grew by %ld KiB", name, r1.ru_maxrss - r0.ru_maxrss);
}

static void gif_start(unsigned w, unsigned h)
{
    buf.n = 0;
    put("GIF89a", 6);
    put_le16(w), put_le16(h);
    put1(0x80), put1(0), put1(0); /* a global palette of 2 colours */
    put("\0\0\0\xff\xff\xff", 6);
    put1(0x2C);
    put_le16(0), put_le16(0), put_le16(w), put_le16(h);
    put1(0);
    put1(2); /* LZW minimum code size */
}

/* LZW data in sub-blocks of 255 bytes (their content does not matter: nothing decodes). */
static void gif_data(size_t bytes)
{
    while (bytes) {
        size_t k = bytes < 255 ? bytes : 255;
        put1((unsigned)k);
        for (size_t i = 0; i < k; i++) put1(0x55);
        bytes -= k;
    }
    put1(0);
    put1(0x3B);
}

static void test_bombs(void **state)
{
    (void)state;
    /* the three of the issue: a 53-byte HDR, a 40-byte PSD, a 75 KB GIF, ~100 megapixels each */
    buf.n = 0;
    put("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 10000 +X 10000\n", 53);
    assert_int_equal(buf.n, 53);
    bomb("bomb.hdr", "bomb.hdr: a Radiance HDR image; alexscope reads JPEG, PNG, BMP, GIF, TGA and PNM");
    buf.n = 0;
    put("8BPS\0\1\0\0\0\0\0\0\0\3\0\0\x27\x10\0\0\x27\x10\0\x08\0\3", 26);
    put("\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 14);
    bomb("bomb.psd", "bomb.psd: a Photoshop PSD image");
    gif_start(10000, 10000);
    gif_data(74970);
    assert_true(buf.n > 75000 && buf.n < 76000);
    bomb("bomb.gif", "bomb.gif: image is 10000×10000 (100.0 megapixels); the limit is 50 megapixels");
    /* under the limit, but more pixels than the data can code */
    gif_start(7000, 7000);
    gif_data(1000);
    char want[200], bytes[32];
    snprintf(want, sizeof want, "small.gif: a GIF of 7000×7000 pixels in %s bytes cannot be real (corrupt or a "
                                "decompression bomb)", fmt_count(bytes, sizeof bytes, (long long)buf.n));
    bomb("small.gif", want);
    /* the same for a PNG (deflate: at most 1032 bytes out per byte in) and a JPEG (a bit a block) */
    buf.n = 0;
    put("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x1b\x58\0\0\x1b\x58\x08\x02\0\0\0\0\0\0\0", 33);
    put("\0\0\0\x10IDAT", 8), put("\x78\x9c\xed\xc1\x01\x0d\0\0\0\xc2\xa0\xf7\x4f\x6d\x0e\x37", 16), put("\0\0\0\0", 4);
    put("\0\0\0\0IEND\xae\x42\x60\x82", 12);
    bomb("bomb.png", "bomb.png: a PNG of 7000×7000 pixels in 73 bytes cannot be real");
    jpeg_start(0xC0, 7000, 7000);
    jpeg_table(0, 0);
    jpeg_table(1, 0);
    jpeg_scan(0, 0, 0, 63, 0, "\x3F\x3F\x3F\x3F", 4);
    jpeg_end();
    bomb("bomb.jpg", "bomb.jpg: a JPEG of 7000×7000 pixels in");
    /* a TGA's raw pixels must all be there */
    buf.n = 0;
    put("\0\0\2\0\0\0\0\0\0\0\0\0\x58\x1b\x58\x1b\x18\x20", 18);
    bomb("bomb.tga", "truncated TGA (the file ends before the 7000×7000 pixels");
}

static void test_other_formats(void **state)
{
    (void)state;
    const struct { const char *bytes; size_t n; const char *needle; } f[] = {
        {"\x53\x80\xF6\x34\0\0\0\0", 8, "a Softimage PIC image"},
        {"RIFF\0\0\0\0WEBPVP8 ", 16, "a WebP image"},
        {"II*\0\0\0\0\0", 8, "a TIFF image"},
        {"P3\n2 2\n255\n", 11, "only binary P5 and P6 PNM are read"},
        {"\0\0\2\0\0\0\0\0\0\0\0\0\1\0\1\0\x18\x20\1\2\3", 21, "not an image alexscope can read"},
    };
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        buf.n = 0;
        put(f[i].bytes, f[i].n);
        refused("x.img", f[i].needle);
    }
    /* the last one is a 1×1 TGA: read when the name says TGA */
    Image im;
    Err e = {0};
    if (img_load_memory(buf.b, (int)buf.n, "x.TGA", &im, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(im.px[0], 3); /* BGR on disk */
    img_free(&im);
}

/* ---- the child --------------------------------------------------------------------- */

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d) return -1;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

static void test_child_failures(void **state)
{
    (void)state;
    jpeg_good();
    const char *path = ts_path("good.jpg");
    ts_write_file(path, buf.b, buf.n);
    const ImgChildMode modes[] = {IMG_CHILD_CRASH, IMG_CHILD_SPIN, IMG_CHILD_SHORT, IMG_CHILD_SYSCALL, IMG_CHILD_HOG};
    int fds = open_fds();
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        if (modes[i] == IMG_CHILD_HOG && SANITIZED) continue; /* no memory limit under ASan */
        img_child_test_mode(modes[i], 400);
        Image im;
        Err e = {0};
        double t0 = now_ms();
        int rc = img_load(path, &im, &e);
        double ms = now_ms() - t0;
        img_child_test_mode(IMG_CHILD_DECODE, 0);
        if (rc == 0) img_free(&im);
        char want[600];
        snprintf(want, sizeof want, "%s: the image decoder failed on this file (it is corrupt or hostile)", path);
        if (rc != -1 || strcmp(e.msg, want) != 0) fail_msg("mode %d: rc %d, \"%s\"", (int)modes[i], rc, e.msg);
        if (ms > 3000) fail_msg("mode %d took %.0f ms", (int)modes[i], ms);
        assert_null(im.px);
        /* reaped: no child of ours is left, not even a zombie */
        errno = 0;
        assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
        assert_int_equal(errno, ECHILD);
        assert_int_equal(open_fds(), fds);
    }
    /* and the next load works */
    Image im;
    Err e = {0};
    if (img_load(path, &im, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(im.px[0], 128);
    img_free(&im);
}

static void test_fifo_refused(void **state)
{
    (void)state;
    const char *path = ts_path("pipe.png");
    assert_int_equal(mkfifo(path, 0644), 0);
    Image im;
    Err e = {0};
    double t0 = now_ms();
    assert_int_equal(img_load(path, &im, &e), -1);
    assert_true(now_ms() - t0 < 500);
    assert_non_null(strstr(e.msg, "not a regular file"));
    remove(path);
}

/* The shipped images decode in the child exactly as in this process. */
static void test_good_images_same(void **state)
{
    (void)state;
    const char *dirs[] = {ALEXSCOPE_SOURCE_ASSETS "/samples", ALEXSCOPE_SOURCE_ASSETS "/fashion"};
    int seen = 0;
    for (size_t k = 0; k < 2; k++) {
        DIR *d = opendir(dirs[k]);
        assert_non_null(d);
        struct dirent *de;
        while ((de = readdir(d))) {
            if (!img_is_image_name(de->d_name)) continue;
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dirs[k], de->d_name);
            size_t n;
            unsigned char *bytes = ts_slurp(path, &n);
            Image a, b;
            Err e = {0};
            if (img_load(path, &a, &e) != 0) fail_msg("%s", e.msg);
            if (img_load_memory(bytes, (int)n, path, &b, &e) != 0) fail_msg("%s", e.msg);
            assert_int_equal(a.w, b.w);
            assert_int_equal(a.h, b.h);
            assert_memory_equal(a.px, b.px, (size_t)a.w * a.h * 3);
            img_free(&a);
            img_free(&b);
            free(bytes);
            seen++;
        }
        closedir(d);
    }
    assert_true(seen >= 14);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_jpeg_decodes),
        cmocka_unit_test(test_dht_over_256),
        cmocka_unit_test(test_undefined_tables),
        cmocka_unit_test(test_frame_scan_mismatch),
        cmocka_unit_test(test_jpeg_kinds_refused),
        cmocka_unit_test(test_corrupt_jpeg_reason),
        cmocka_unit_test(test_bombs),
        cmocka_unit_test(test_other_formats),
        cmocka_unit_test(test_child_failures),
        cmocka_unit_test(test_fifo_refused),
        cmocka_unit_test(test_good_images_same),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
