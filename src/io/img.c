/* img.c - images in and out: reading the file, checking what its header promises, decoding
   (stb_image) into 8-bit RGB, and writing PNGs (stb_image_write). Resizing, cropping and
   normalisation are in img_prepare.c.

   stb_image is the Debian build (libstb-dev): the implementations live in libstb, so no
   STB_*_IMPLEMENTATION here.

   Untrusted files: img_load reads at most IMG_MAX_FILE_BYTES, and before anything is
   decoded the dimensions in the header are checked against IMG_MAX_PIXELS twice - once by
   our own small header readers (PNG, JPEG, GIF, BMP), because stb_image's info call fails
   with a bare "too large" for exactly the files we want to name, and once by stbi_info for
   every other format. PNG and JPEG are also walked marker by marker to catch truncation,
   because stb_image happily decodes a JPEG cut in half into a grey lower half. */
#include "img.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>
#include <stb_image_write.h>

#include "util.h"

/* Large enough for any photo (a 100-megapixel PNG is rarely over 300 MB), small enough
   that a stray path to a disk image is refused instead of read. */
#define IMG_MAX_FILE_BYTES ((size_t)512 * 1024 * 1024)

/* ---- reading the file ------------------------------------------------------------ */

/* The whole file; an empty one is refused here, a large one by file_read_all. */
static int read_file(const char *path, unsigned char **data, long long *len, Err *e)
{
    size_t n;
    *len = 0;
    if (file_read_all(path, IMG_MAX_FILE_BYTES, data, &n, e) != 0) return -1;
    if (n == 0) {
        free(*data);
        *data = NULL;
        return err_set(e, "%s: empty file (0 bytes)", path);
    }
    *len = (long long)n;
    return 0;
}

/* ---- headers we read ourselves -------------------------------------------------- */

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned le16(const unsigned char *p) { return (unsigned)p[1] << 8 | p[0]; }
static unsigned long be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}
static long le32s(const unsigned char *p)
{
    unsigned long u = (unsigned long)p[3] << 24 | (unsigned long)p[2] << 16 |
                      (unsigned long)p[1] << 8 | p[0];
    return u >= 0x80000000UL ? (long)(u - 0x100000000ULL) : (long)u;
}

/* PNM and TGA are only named once stbi_info has accepted the file (see img_load_memory). */
typedef enum { FMT_UNKNOWN, FMT_PNG, FMT_JPEG, FMT_GIF, FMT_BMP, FMT_PNM, FMT_TGA } Format;
static const char *const format_names[] = {"image", "PNG", "JPEG", "GIF", "BMP", "PNM", "TGA"};

static Format sniff(const unsigned char *d, long long n)
{
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) return FMT_PNG;
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return FMT_JPEG;
    if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0)) return FMT_GIF;
    if (n >= 2 && d[0] == 'B' && d[1] == 'M') return FMT_BMP;
    return FMT_UNKNOWN;
}

/* JPEG markers without a length field: TEM, RST0-7, SOI, EOI. */
static int jpeg_standalone(unsigned m) { return m == 0x01 || (m >= 0xD0 && m <= 0xD9); }
static int jpeg_is_sof(unsigned m)
{
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/* Walks the JPEG's segments. Returns 1 if it reaches EOI, 0 if the data ends first or a
   length runs off the end (truncated); fills *w, *h from the first SOF (0 if none).
   Entropy-coded data stuffs every 0xFF as FF 00, so an FF followed by anything else
   there is a real marker. */
static int jpeg_walk(const unsigned char *d, long long n, long *w, long *h)
{
    *w = *h = 0;
    long long i = 2;
    while (i < n) {
        if (d[i] != 0xFF) { /* scan data, or stray bytes libjpeg would also skip */
            i++;
            continue;
        }
        if (i + 1 >= n) return 0;
        unsigned m = d[i + 1];
        if (m == 0xFF) { i++; continue; }          /* fill byte */
        if (m == 0x00 || (m >= 0xD0 && m <= 0xD7)) { i += 2; continue; } /* stuffing, RST */
        if (m == 0xD9) return 1;                     /* EOI */
        if (jpeg_standalone(m)) { i += 2; continue; }
        if (i + 4 > n) return 0;
        long long seg = be16(d + i + 2);
        if (seg < 2 || i + 2 + seg > n) return 0;
        if (jpeg_is_sof(m) && *w == 0 && seg >= 7) {
            *h = (long)be16(d + i + 5);
            *w = (long)be16(d + i + 7);
        }
        i += 2 + seg;
    }
    return 0;
}

/* Walks PNG chunks: 1 if IEND is reached inside the data, 0 if truncated. */
static int png_walk(const unsigned char *d, long long n, long *w, long *h)
{
    *w = *h = 0;
    if (n >= 24 && memcmp(d + 12, "IHDR", 4) == 0) {
        *w = (long)(be32(d + 16) & 0x7FFFFFFFUL);
        *h = (long)(be32(d + 20) & 0x7FFFFFFFUL);
    }
    long long i = 8;
    while (i + 12 <= n) {
        long long clen = (long long)be32(d + i);
        if (clen > n - i - 12) return 0;
        if (memcmp(d + i + 4, "IEND", 4) == 0) return 1;
        i += 12 + clen;
    }
    return 0;
}

/* Header dimensions for the formats stb_image's info call may refuse without saying the
   size. Returns 1 if the header was there to read (even if it says 0×0). */
static int header_dims(Format f, const unsigned char *d, long long n, long *w, long *h)
{
    *w = *h = 0;
    switch (f) {
    case FMT_PNG:
        png_walk(d, n, w, h);
        return n >= 24 && memcmp(d + 12, "IHDR", 4) == 0;
    case FMT_JPEG: {
        jpeg_walk(d, n, w, h);
        return *w != 0 || *h != 0; /* 0 also means "no SOF found"; stb_image judges that */
    }
    case FMT_GIF:
        if (n < 10) return 0;
        *w = (long)le16(d + 6);
        *h = (long)le16(d + 8);
        return 1;
    case FMT_BMP: {
        if (n < 26) return 0;
        long hdr = le32s(d + 14);
        if (hdr == 12) {
            *w = (long)le16(d + 18);
            *h = (long)le16(d + 20);
            return 1;
        }
        if (hdr < 40) return 0;
        *w = le32s(d + 18);
        long hh = le32s(d + 22);
        /* negative height means top-down rows; -INT32_MIN would overflow a 32-bit long */
        *h = hh < 0 ? (hh == -2147483647L - 1 ? 2147483647L : -hh) : hh;
        return 1;
    }
    default:
        return 0;
    }
}

/* ---- is all the pixel data there? ------------------------------------------------
   For the formats below stb_image reads past the end of the data as zeros (BMP, the TGA
   palette and RLE paths), leaves the rest of its buffer uninitialised (uncompressed TGA,
   PNM), or ends a GIF frame early, and still reports success: a cut-off file became a
   silently wrong picture, and a 48-byte TGA claiming 10000×9000 a 90-megapixel one.
   Each check mirrors where stb_image 2.27 starts reading and how much it reads, and only
   refuses files shorter than that. Returns 1 if the data is all there, 0 if truncated. */

/* BMP: rows of ((w·bpp + 31) / 32) · 4 bytes from the offset in the file header (stb_image
   refuses the RLE and embedded-JPEG/PNG compressions, so every file it decodes is raw). */
static int bmp_complete(const unsigned char *d, long long n, long long w, long long h)
{
    if (n < 30) return 0;
    long offset = le32s(d + 10), hsz = le32s(d + 14);
    long long bpp = hsz == 12 ? le16(d + 24) : le16(d + 28);
    if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32) return 1; /* stb_image refuses it */
    long long row = (w * bpp + 31) / 32 * 4;
    return (long long)offset + row * h <= n;
}

/* TGA: an 18-byte header, the image id, for colour-mapped files the palette (stb_image
   also skips "first entry index" bytes), then w·h pixels raw or as RLE packets. */
static int tga_complete(const unsigned char *d, long long n, long long w, long long h)
{
    if (n < 18) return 0;
    int indexed = d[1] != 0, rle = d[2] >= 8;
    long long px_bytes = (d[16] + 7) / 8;
    long long i = 18 + d[0];
    if (indexed) i += (long long)le16(d + 3) + (long long)le16(d + 5) * ((d[7] + 7) / 8);
    if (!rle) return i + w * h * px_bytes <= n;
    /* RLE: a count byte (top bit: one pixel repeated), then one pixel or count raw ones;
       each packet takes at least two bytes, so this loop is bounded by the file size. */
    for (long long done = 0; done < w * h;) {
        if (i >= n) return 0;
        unsigned cmd = d[i++];
        long long count = (cmd & 0x7F) + 1;
        i += cmd & 0x80 ? px_bytes : count * px_bytes;
        done += count;
    }
    return i <= n;
}

/* Binary PNM (P5, P6): the header as stb_image reads it (whitespace and # comments between
   width, height and maxval), one byte after maxval, then w·h·comp samples of 1 or 2 bytes. */
static int pnm_complete(const unsigned char *d, long long n, long long w, long long h, int comp)
{
    long long i = 2, maxval = 0;
    for (int field = 0; field < 3; field++) {
        for (;;) {
            while (i < n && (d[i] == ' ' || (d[i] >= '\t' && d[i] <= '\r'))) i++;
            if (i >= n || d[i] != '#') break;
            while (i < n && d[i] != '\n' && d[i] != '\r') i++;
        }
        long long v = 0;
        for (; i < n && d[i] >= '0' && d[i] <= '9'; i++)
            if (v < 1000000) v = v * 10 + (d[i] - '0');
        maxval = v;
    }
    return i + 1 + w * h * comp * (maxval > 255 ? 2 : 1) <= n;
}

/* GIF: stb_image decodes the first frame only, so the blocks up to the end of its data
   must be there: the screen descriptor and global palette, extensions (each a run of
   length-prefixed sub-blocks ending in a 0), then the image descriptor, its palette, the
   LZW code size and the image's sub-blocks with their 0 terminator. */
static int gif_complete(const unsigned char *d, long long n)
{
    if (n < 13) return 0;
    long long i = 13;
    if (d[10] & 0x80) i += 3LL << ((d[10] & 7) + 1);
    while (i < n) {
        unsigned b = d[i++];
        if (b == 0x21) { /* extension: its label, then sub-blocks */
            i++;
        } else if (b == 0x2C) { /* image descriptor */
            if (i + 9 > n) return 0;
            unsigned flags = d[i + 8];
            i += 9;
            if (flags & 0x80) i += 3LL << ((flags & 7) + 1);
            i++; /* LZW minimum code size */
        } else {
            return 1; /* a trailer or a stray byte: stb_image judges those */
        }
        for (;;) {
            if (i >= n) return 0;
            unsigned len = d[i++];
            if (!len) break;
            i += len;
        }
        if (b == 0x2C) return 1;
    }
    return 0;
}

static int data_complete(Format f, const unsigned char *d, long long n, long long w, long long h, int comp)
{
    switch (f) {
    case FMT_BMP: return bmp_complete(d, n, w, h);
    case FMT_TGA: return tga_complete(d, n, w, h);
    case FMT_PNM: return pnm_complete(d, n, w, h, comp);
    case FMT_GIF: return gif_complete(d, n);
    default: return 1; /* PNG and JPEG are walked above; PSD, PIC, HDR are not checked */
    }
}

static int check_dims(const char *name, long long w, long long h, Err *e)
{
    if (w <= 0 || h <= 0) return err_set(e, "%s: image has an invalid size %lld×%lld", name, w, h);
    long long px = w * h; /* both < 2^31: no overflow */
    if (px > IMG_MAX_PIXELS) {
        /* rounded up, so an image just over the limit never reads "100.0 megapixels" */
        int big = px >= 1000LL * 1000 * 1000;
        double mp = big ? ceil((double)px / 1e6) : ceil((double)px / 1e5) / 10.0;
        return err_set(e, "%s: image is %lld×%lld (%.*f megapixels); the limit is %lld megapixels",
                       name, w, h, big ? 0 : 1, mp, IMG_MAX_PIXELS / 1000000);
    }
    return 0;
}

static const char *stbi_reason(void)
{
    const char *r = stbi_failure_reason();
    return r ? r : "unknown error";
}

/* ---- decoding --------------------------------------------------------------------- */

/* stb gives 1 (grey), 2 (grey, alpha), 3 (RGB) or 4 (RGBA) channels; we keep RGB and
   composite alpha over white, which is how a viewer shows a transparent PNG. */
static void to_rgb(const unsigned char *src, int n, long long npx, unsigned char *dst)
{
    for (long long i = 0; i < npx; i++) {
        const unsigned char *s = src + i * n;
        unsigned char *o = dst + i * 3;
        unsigned r, g, b, a = 255;
        if (n <= 2) { r = g = b = s[0]; if (n == 2) a = s[1]; }
        else { r = s[0]; g = s[1]; b = s[2]; if (n == 4) a = s[3]; }
        if (a != 255) {
            unsigned inv = 255 - a;
            r = (r * a + 255 * inv + 127) / 255;
            g = (g * a + 255 * inv + 127) / 255;
            b = (b * a + 255 * inv + 127) / 255;
        }
        o[0] = (unsigned char)r;
        o[1] = (unsigned char)g;
        o[2] = (unsigned char)b;
    }
}

int img_load_memory(const unsigned char *data, int len, const char *name, Image *im, Err *e)
{
    if (!name) name = "(memory)";
    if (!im) return err_set(e, "%s: no image to fill", name);
    im->w = im->h = 0;
    im->px = NULL;
    if (!data || len <= 0) return err_set(e, "%s: empty file (0 bytes)", name);

    Format fmt = sniff(data, len);
    long hw, hh;
    if (header_dims(fmt, data, len, &hw, &hh) && check_dims(name, hw, hh, e) != 0) return -1;
    if (fmt == FMT_PNG && !png_walk(data, len, &hw, &hh))
        return err_set(e, "%s: truncated PNG (the file ends before its IEND chunk)", name);
    if (fmt == FMT_JPEG && !jpeg_walk(data, len, &hw, &hh))
        return err_set(e, "%s: truncated or corrupt JPEG (no end-of-image marker)", name);

    int w = 0, h = 0, n = 0;
    if (!stbi_info_from_memory(data, len, &w, &h, &n)) {
        if (fmt == FMT_UNKNOWN)
            return err_set(e, "%s: not an image stb_image can read (%s); "
                              "try JPEG, PNG, BMP, GIF or TGA", name, stbi_reason());
        return err_set(e, "%s: corrupt %s header (%s)", name, format_names[fmt], stbi_reason());
    }
    /* stbi_info passes a BMP's height on as stored: negative for top-down rows, which are
       just as valid (stbi_load flips them). INT_MIN, which has no positive, stays invalid. */
    if (fmt == FMT_BMP && h < 0 && h > INT_MIN) h = -h;
    if (check_dims(name, w, h, e) != 0) return -1;
    /* Only now is it known that stb_image takes the file for one of these: "P5"/"P6" is
       PNM's magic, and TGA (which has none) is the format stb_image tries last, the only one
       whose second byte (the colour-map type) is 0 or 1. */
    if (fmt == FMT_UNKNOWN && len >= 2 && data[0] == 'P' && (data[1] == '5' || data[1] == '6')) fmt = FMT_PNM;
    else if (fmt == FMT_UNKNOWN && len >= 2 && data[1] <= 1) fmt = FMT_TGA;
    if (!data_complete(fmt, data, len, w, h, n))
        return err_set(e, "%s: truncated %s (the file ends before the %d×%d pixels its header promises)", name,
                       format_names[fmt], w, h);

    unsigned char *px = stbi_load_from_memory(data, len, &w, &h, &n, 0);
    if (!px)
        return err_set(e, "%s: truncated or corrupt %s (%s)", name, format_names[fmt], stbi_reason());
    if (check_dims(name, w, h, e) != 0 || n < 1 || n > 4) {
        stbi_image_free(px);
        if (n < 1 || n > 4) err_set(e, "%s: unsupported channel count %d", name, n);
        return -1;
    }
    long long npx = (long long)w * h;
    unsigned char *rgb = malloc((size_t)npx * 3);
    if (!rgb) {
        stbi_image_free(px);
        return err_set(e, "%s: out of memory for a %d×%d image", name, w, h);
    }
    to_rgb(px, n, npx, rgb);
    stbi_image_free(px);
    im->w = w;
    im->h = h;
    im->px = rgb;
    return 0;
}

int img_load(const char *path, Image *im, Err *e)
{
    if (im) { im->w = im->h = 0; im->px = NULL; }
    if (!path || !*path) return err_set(e, "(no path): no image file given");
    unsigned char *data;
    long long len;
    if (read_file(path, &data, &len, e) != 0) return -1;
    int rc = img_load_memory(data, (int)len, path, im, e);
    free(data);
    return rc;
}

void img_free(Image *im)
{
    if (!im) return;
    free(im->px);
    im->px = NULL;
    im->w = im->h = 0;
}

int img_alloc(Image *im, int w, int h, Err *e)
{
    im->w = im->h = 0;
    im->px = NULL;
    if (w <= 0 || h <= 0 || (long long)w * h > IMG_MAX_PIXELS)
        return err_set(e, "image: cannot make a %d×%d image", w, h);
    im->px = malloc((size_t)w * h * 3);
    if (!im->px) return err_set(e, "image: out of memory for %d×%d", w, h);
    im->w = w;
    im->h = h;
    return 0;
}

int img_write_png(const char *path, const Image *im, Err *e)
{
    if (!path || !*path) return err_set(e, "(no path): no file name for the PNG");
    if (!im || !im->px || im->w <= 0 || im->h <= 0) return err_set(e, "%s: no image to write", path);
    if ((long long)im->w * 3 > 0x7FFFFFFF) return err_set(e, "%s: image too wide to write", path);
    errno = 0;
    if (!stbi_write_png(path, im->w, im->h, 3, im->px, im->w * 3))
        return err_set(e, "%s: cannot write PNG (%s)", path,
                       errno ? strerror(errno) : "write failed");
    return 0;
}

int img_is_image_name(const char *name)
{
    static const char *const exts[] = {"png", "jpg", "jpeg", "bmp", "gif", "tga", "ppm", "pgm", "pnm", "psd", "hdr", "pic", NULL};
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    for (int i = 0; exts[i]; i++) {
        const char *a = dot + 1, *b = exts[i];
        while (*a && *b && tolower((unsigned char)*a) == *b) a++, b++;
        if (!*a && !*b) return 1;
    }
    return 0;
}
