/* img_sniff.c - see img_sniff.h. The format from its magic bytes, the size from our own
   reading of the header, and the checks stb_image does not make.

   How many pixels a file of n bytes can hold (the "cannot be real" check). The bounds are
   what the format's coding allows at best, so no real file - however flat - exceeds them,
   while a header that lies about its size (the decompression bombs: 100 megapixels
   promised by a few bytes) does:
   - PNG: deflate codes at most 258 bytes in one length/distance pair of two 1-bit codes,
     so a zlib stream of n bytes inflates to at most 1032·n bytes. The rows need
     h·(1 + ceil(w·channels·depth / 8)) bytes (each row has a filter byte).
   - GIF: an LZW code of b bits (b <= 12) stands for a string at most as long as the
     dictionary, 2^b entries, so one byte of image data codes at most 4096 / 12 · 8 < 2731
     pixels. The logical screen (what stb_image allocates and returns) and the first
     frame are both held to that against the frame's data bytes.
   - JPEG: every 8×8 block of every component starts with a DC Huffman code of at least
     one bit, so the scans' data needs at least blocks / 8 bytes.
   - BMP, TGA, PNM are stored raw (stb_image reads no BMP compression; a TGA RLE packet
     of at least 2 bytes covers at most 128 pixels): the file must hold every pixel, which
     the *_complete checks below verify exactly. */
#include "img_sniff.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <stb_image.h>

#include "img.h"
#include "jpeg_check.h"
#include "util.h"

static const char *const format_names[] = {"image", "JPEG", "PNG", "BMP", "GIF", "TGA", "PNM"};
_Static_assert(sizeof format_names / sizeof *format_names == IMG_FMT_COUNT, "one name per format");

#define READS "alexscope reads JPEG, PNG, BMP, GIF, TGA and PNM"

const char *img_format_name(ImgFormat f) { return f < IMG_FMT_COUNT ? format_names[f] : "image"; }

static unsigned le16(const unsigned char *p) { return (unsigned)p[1] << 8 | p[0]; }
static unsigned long be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}
static long le32s(const unsigned char *p)
{
    unsigned long u = (unsigned long)p[3] << 24 | (unsigned long)p[2] << 16 | (unsigned long)p[1] << 8 | p[0];
    return u >= 0x80000000UL ? (long)(u - 0x100000000ULL) : (long)u;
}

/* ---- what the file is ------------------------------------------------------------- */

static int has_ext(const char *name, const char *ext)
{
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    const char *a = dot + 1;
    while (*a && *ext && tolower((unsigned char)*a) == *ext) a++, ext++;
    return !*a && !*ext;
}

/* TGA has no magic number: a file is one only if its name says so and its header is one
   stb_image would take (colour-map type 0/1, image types 1-3 and 9-11, sizes >= 1, a
   usual pixel depth) - otherwise any odd bytes whose second byte is 0 would "decode". */
static int tga_header_ok(const unsigned char *d, size_t n)
{
    if (n < 18) return 0;
    unsigned cmap = d[1], type = d[2], bpp = d[16];
    int indexed = type == 1 || type == 9;
    if (cmap > 1 || !(indexed || type == 2 || type == 3 || type == 10 || type == 11)) return 0;
    if (indexed != (cmap == 1)) return 0;
    if (le16(d + 12) == 0 || le16(d + 14) == 0) return 0;
    if (indexed) return (bpp == 8 || bpp == 16) && (d[7] == 15 || d[7] == 16 || d[7] == 24 || d[7] == 32);
    return bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

static int pnm_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Formats a teacher may meet that alexscope does not read: their name, or NULL. */
static const char *refused_kind(const unsigned char *d, size_t n)
{
    if ((n >= 10 && memcmp(d, "#?RADIANCE", 10) == 0) || (n >= 6 && memcmp(d, "#?RGBE", 6) == 0))
        return "a Radiance HDR image";
    if (n >= 4 && memcmp(d, "8BPS", 4) == 0) return "a Photoshop PSD image";
    if (n >= 4 && memcmp(d, "\x53\x80\xF6\x34", 4) == 0) return "a Softimage PIC image";
    if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0) return "a WebP image";
    if (n >= 4 && (memcmp(d, "II*\0", 4) == 0 || memcmp(d, "MM\0*", 4) == 0)) return "a TIFF image";
    if (n >= 12 && memcmp(d + 4, "ftyp", 4) == 0 &&
        (memcmp(d + 8, "hei", 3) == 0 || memcmp(d + 8, "mif1", 4) == 0 || memcmp(d + 8, "avif", 4) == 0))
        return "a HEIF/AVIF image";
    if (n >= 3 && d[0] == 'P' && (d[1] == '1' || d[1] == '2' || d[1] == '3' || d[1] == '4' || d[1] == '7') &&
        pnm_space(d[2]))
        return "a text, 1-bit or PAM netpbm image (only binary P5 and P6 PNM are read)";
    return NULL;
}

static ImgFormat sniff(const unsigned char *d, size_t n, const char *name)
{
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return IMG_FMT_JPEG;
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) return IMG_FMT_PNG;
    if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0)) return IMG_FMT_GIF;
    if (n >= 2 && d[0] == 'B' && d[1] == 'M') return IMG_FMT_BMP;
    if (n >= 3 && d[0] == 'P' && (d[1] == '5' || d[1] == '6') && pnm_space(d[2])) return IMG_FMT_PNM;
    if (has_ext(name, "tga") && tga_header_ok(d, n)) return IMG_FMT_TGA;
    return IMG_FMT_NONE;
}

/* ---- each format's header, structure and completeness ------------------------------- */

/* PNG: IHDR first; the chunks up to IEND inside the data (a file cut before IEND is
   refused: stb_image would decode what is there). *idat: the bytes of all IDAT chunks. */
static int png_header(const unsigned char *d, size_t n, const char *name, long *w, long *h, long long *raw,
                      long long *idat, int *px_bytes, Err *e)
{
    if (n < 33 || be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0)
        return err_set(e, "%s: corrupt PNG (no IHDR chunk first)", name);
    *w = (long)(be32(d + 16) & 0x7FFFFFFFUL);
    *h = (long)(be32(d + 20) & 0x7FFFFFFFUL);
    int depth = d[24], ctype = d[25];
    int ch = ctype == 0 ? 1 : ctype == 2 ? 3 : ctype == 3 ? 1 : ctype == 4 ? 2 : ctype == 6 ? 4 : 0;
    if (!ch || (depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16))
        return err_set(e, "%s: corrupt PNG (colour type %d, depth %d)", name, ctype, depth);
    /* unsigned: 2^31-1 × 2^31-1 pixels of 64 bits wrap instead of overflowing (found by
       fuzzing); check_dims refuses such sizes before raw is used */
    *raw = (long long)((unsigned long long)*h * (1 + ((unsigned long long)*w * ch * depth + 7) / 8));
    /* zlib output (raw), the picture before and after 16->8 bit conversion, once more
       for interlaced images (stb_image de-interlaces into a second buffer) */
    int bytes = depth == 16 ? 2 : 1;
    *px_bytes = (ch * depth + 7) / 8 + 3 * 4 * bytes + 4;
    *idat = 0;
    size_t i = 8;
    while (n - i >= 12) {
        unsigned long long clen = be32(d + i);
        if (clen > n - i - 12) break;
        if (memcmp(d + i + 4, "IEND", 4) == 0) return 0;
        if (memcmp(d + i + 4, "IDAT", 4) == 0) *idat += (long long)clen;
        i += 12 + (size_t)clen;
    }
    return 1; /* truncated: reported after the size check */
}

/* GIF: the logical screen, then extensions (each length-prefixed sub-blocks ending in a
   0) up to the first image descriptor, its palette, its LZW code size and data
   sub-blocks, which must all be there (stb_image decodes the first frame only and ends a
   cut-off frame without complaint). *fw, *fh: the frame; *lzw: its data bytes. */
static int gif_walk(const unsigned char *d, size_t n, long *fw, long *fh, long long *lzw)
{
    *fw = *fh = 0;
    *lzw = 0;
    if (n < 13) return 0;
    size_t i = 13;
    if (d[10] & 0x80) i += (size_t)3 << ((d[10] & 7) + 1);
    while (i < n) {
        unsigned b = d[i++];
        if (b == 0x21) { /* extension: its label, then sub-blocks */
            i++;
        } else if (b == 0x2C) { /* image descriptor */
            if (n < 9 || i > n - 9) return 0;
            *fw = (long)le16(d + i + 4);
            *fh = (long)le16(d + i + 6);
            unsigned flags = d[i + 8];
            i += 9;
            if (flags & 0x80) i += (size_t)3 << ((flags & 7) + 1);
            i++; /* LZW minimum code size */
        } else {
            return 1; /* a trailer or a stray byte: stb_image judges those */
        }
        for (;;) {
            if (i >= n) return 0;
            unsigned len = d[i++];
            if (!len) break;
            if (b == 0x2C) *lzw += len;
            i += len;
        }
        if (b == 0x2C) return 1;
    }
    return 0;
}

/* BMP: rows of ((w·bpp + 31) / 32) · 4 bytes from the offset in the file header. */
static int bmp_complete(const unsigned char *d, size_t n, long long w, long long h)
{
    if (n < 30) return 0;
    long offset = le32s(d + 10), hsz = le32s(d + 14);
    long long bpp = hsz == 12 ? le16(d + 24) : le16(d + 28);
    if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32) return 1; /* stb_image refuses it */
    long long row = (w * bpp + 31) / 32 * 4;
    return offset >= 0 && (long long)offset + row * h <= (long long)n;
}

/* TGA: an 18-byte header, the image id, for colour-mapped files the palette (stb_image
   also skips "first entry index" bytes), then w·h pixels raw or as RLE packets. */
static int tga_complete(const unsigned char *d, size_t n, long long w, long long h)
{
    if (n < 18) return 0;
    int indexed = d[1] != 0, rle = d[2] >= 8;
    long long px_bytes = (d[16] + 7) / 8, nn = (long long)n;
    long long i = 18 + d[0];
    if (indexed) i += (long long)le16(d + 3) + (long long)le16(d + 5) * ((d[7] + 7) / 8);
    if (!rle) return i + w * h * px_bytes <= nn;
    /* a count byte (top bit: one pixel repeated), then one pixel or count raw ones; each
       packet takes at least two bytes, so this loop is bounded by the file size */
    for (long long done = 0; done < w * h;) {
        if (i >= nn) return 0;
        unsigned cmd = d[i++];
        long long count = (cmd & 0x7F) + 1;
        i += cmd & 0x80 ? px_bytes : count * px_bytes;
        done += count;
    }
    return i <= nn;
}

/* Binary PNM (P5, P6): width, height and maxval as stb_image reads them (whitespace and
   # comments between), one byte after maxval, then w·h·comp samples of 1 or 2 bytes.
   Returns the offset of the samples, or -1 if the header does not end in the data. */
static long long pnm_header(const unsigned char *d, size_t n, long *w, long *h, long *maxval)
{
    long long i = 2, nn = (long long)n, v[3];
    for (int field = 0; field < 3; field++) {
        for (;;) {
            while (i < nn && pnm_space(d[i])) i++;
            if (i >= nn || d[i] != '#') break;
            while (i < nn && d[i] != '\n' && d[i] != '\r') i++;
        }
        v[field] = 0;
        for (; i < nn && d[i] >= '0' && d[i] <= '9'; i++)
            if (v[field] < 100000000) v[field] = v[field] * 10 + (d[i] - '0');
    }
    *w = (long)v[0];
    *h = (long)v[1];
    *maxval = (long)v[2];
    return i < nn ? i + 1 : -1;
}

static int bmp_dims(const unsigned char *d, size_t n, long *w, long *h)
{
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

/* ---- the checks --------------------------------------------------------------------- */

static int check_dims(const char *name, long long w, long long h, Err *e)
{
    if (w <= 0 || h <= 0) return err_set(e, "%s: image has an invalid size %lld×%lld", name, w, h);
    long long px = w * h; /* both < 2^31: no overflow */
    if (px > IMG_MAX_PIXELS) {
        /* rounded up, so an image just over the limit never reads "50.0 megapixels" */
        int big = px >= 1000LL * 1000 * 1000;
        double mp = big ? ceil((double)px / 1e6) : ceil((double)px / 1e5) / 10.0;
        return err_set(e, "%s: image is %lld×%lld (%.*f megapixels); the limit is %lld megapixels", name, w, h,
                       big ? 0 : 1, mp, IMG_MAX_PIXELS / 1000000);
    }
    return 0;
}

static int not_real(const char *name, ImgFormat f, long long w, long long h, size_t n, Err *e)
{
    char bytes[32];
    fmt_count(bytes, sizeof bytes, (long long)n);
    return err_set(e, "%s: a %s of %lld×%lld pixels in %s bytes cannot be real (corrupt or a decompression bomb)",
                   name, format_names[f], w, h, bytes);
}

static int truncated(const char *name, ImgFormat f, long long w, long long h, Err *e)
{
    return err_set(e, "%s: truncated %s (the file ends before the %lld×%lld pixels its header promises)", name,
                   format_names[f], w, h);
}

/* The size, limits and structure of the format sniffed; fills info->w, h, px_bytes. */
static int check_format(const unsigned char *d, size_t n, const char *name, ImgInfo *info, Err *e)
{
    ImgFormat f = info->fmt;
    long w = 0, h = 0, fw, fh, maxval;
    long long raw = 0, data = 0;
    switch (f) {
    case IMG_FMT_JPEG: {
        JpegInfo ji;
        int rc = jpeg_check(d, n, name, &ji, e);
        /* an oversized frame is named as such even if the rest of the file is broken */
        if (ji.w > 0 && ji.h > 0 && check_dims(name, ji.w, ji.h, e) != 0) return -1;
        if (rc != 0) return -1;
        if (ji.blocks > 8 * ji.ecs_bytes + 64) return not_real(name, f, ji.w, ji.h, n, e);
        w = ji.w, h = ji.h;
        info->px_bytes = 3 * ji.ncomp + 4; /* each component (+ coefficients if progressive), the output */
        break;
    }
    case IMG_FMT_PNG: {
        int rc = png_header(d, n, name, &w, &h, &raw, &data, &info->px_bytes, e);
        if (rc < 0 || check_dims(name, w, h, e) != 0) return -1;
        if (rc > 0) return err_set(e, "%s: truncated PNG (the file ends before its IEND chunk)", name);
        if (raw > 1032 * data + 1032) return not_real(name, f, w, h, n, e);
        break;
    }
    case IMG_FMT_GIF:
        if (n < 10) return err_set(e, "%s: corrupt GIF header (the file is %zu bytes)", name, n);
        w = (long)le16(d + 6), h = (long)le16(d + 8);
        if (check_dims(name, w, h, e) != 0) return -1;
        if (!gif_walk(d, n, &fw, &fh, &data)) return truncated(name, f, w, h, e);
        if ((long long)w * h > 2731 * data + 4096 || (long long)fw * fh > 2731 * data + 4096)
            return not_real(name, f, w, h, n, e);
        info->px_bytes = 13; /* the frame, the background, the history map */
        break;
    case IMG_FMT_BMP:
        if (!bmp_dims(d, n, &w, &h)) return err_set(e, "%s: corrupt BMP header", name);
        if (check_dims(name, w, h, e) != 0) return -1;
        if (!bmp_complete(d, n, w, h)) return truncated(name, f, w, h, e);
        info->px_bytes = 8;
        break;
    case IMG_FMT_TGA:
        w = (long)le16(d + 12), h = (long)le16(d + 14);
        if (check_dims(name, w, h, e) != 0) return -1;
        if (!tga_complete(d, n, w, h)) return truncated(name, f, w, h, e);
        info->px_bytes = 12;
        break;
    case IMG_FMT_PNM: {
        long long off = pnm_header(d, n, &w, &h, &maxval);
        if (off < 0) return err_set(e, "%s: corrupt PNM header", name);
        if (check_dims(name, w, h, e) != 0) return -1;
        int comp = d[1] == '6' ? 3 : 1, two = maxval > 255;
        if (off + (long long)w * h * comp * (two ? 2 : 1) > (long long)n) return truncated(name, f, w, h, e);
        info->px_bytes = comp * (two ? 3 : 2) + 4;
        break;
    }
    default:
        return err_set(e, "%s: not an image alexscope can read (%s)", name, READS);
    }
    info->w = (int)w;
    info->h = (int)h;
    return 0;
}

int img_check(const unsigned char *d, size_t n, const char *name, ImgInfo *info, Err *e)
{
    *info = (ImgInfo){IMG_FMT_NONE, 0, 0, 0};
    if (!d || n == 0) return err_set(e, "%s: empty file (0 bytes)", name);
    const char *kind = refused_kind(d, n);
    if (kind) return err_set(e, "%s: %s; " READS, name, kind);
    info->fmt = sniff(d, n, name);
    if (info->fmt == IMG_FMT_NONE) {
        if (has_ext(name, "tga") && n >= 18)
            return err_set(e, "%s: not a TGA image stb_image reads (colour-map type %u, image type %u, %u bits "
                              "per pixel)", name, d[1], d[2], d[16]);
        return err_set(e, "%s: not an image alexscope can read (%s)", name, READS);
    }
    if (check_format(d, n, name, info, e) != 0) return -1;
    if (n > 0x7FFFFFFF) return err_set(e, "%s: too big for the image decoder (%zu bytes)", name, n);

    /* stb_image must read the header as we did (it reads the size a second time) */
    int w = 0, h = 0, comp = 0;
    if (!stbi_info_from_memory(d, (int)n, &w, &h, &comp)) {
        const char *why = img_stb_reason(info->fmt);
        return err_set(e, "%s: corrupt %s header%s%s%s", name, format_names[info->fmt], why ? " (" : "",
                       why ? why : "", why ? ")" : "");
    }
    if (info->fmt == IMG_FMT_BMP && h < 0 && h > -2147483647 - 1) h = -h; /* top-down rows */
    if (w != info->w || h != info->h)
        return err_set(e, "%s: corrupt %s header (it reads as %d×%d and as %d×%d)", name, format_names[info->fmt],
                       info->w, info->h, w, h);
    return 0;
}

/* ---- stb_image's reasons, by decoder (stb_image 2.27's stbi__err strings) ----------- */

static const char *const jpeg_reasons[] = {
    "0 width", "bad AC huff", "bad APP len", "bad COM len", "bad DC huff", "bad DHT header", "bad DNL height",
    "bad DNL len", "bad DQT table", "bad DQT type", "bad DRI len", "bad H", "bad SOF len", "bad SOS",
    "bad SOS component count", "bad SOS len", "bad TQ", "bad V", "bad code lengths", "bad component count",
    "bad huffman code", "can't merge dc and ac", "expected marker", "no SOF", "no SOI", "no header height",
    "only 8-bit", "outofmem", "too large", "unknown marker", NULL};
static const char *const png_reasons[] = {
    "0-pixel image", "1/2/4/8/16-bit only", "bad IHDR len", "bad bits_per_channel", "bad codelengths",
    "bad comp method", "bad compression", "bad ctype", "bad dist", "bad filter method", "bad huffman code",
    "bad interlace method", "bad sizes", "bad tRNS len", "bad zlib header", "first not IHDR", "invalid PLTE",
    "invalid filter", "invalid width", "multiple IHDR", "no IDAT", "no PLTE", "no preset dict",
    "not enough pixels", "outofdata", "outofmem", "output buffer limit", "read past buffer", "tRNS after IDAT",
    "tRNS before PLTE", "tRNS with alpha", "too large", "zlib corrupt", NULL};
static const char *const bmp_reasons[] = {"BMP JPEG/PNG", "BMP RLE", "bad BMP", "bad bpp", "bad masks", "bad offset",
                                          "invalid", "outofmem", "too large", "unknown BMP", NULL};
static const char *const gif_reasons[] = {"bad Image Descriptor", "illegal code in raster", "missing color table",
                                          "no clear code", "outofmem", "too large", "too many codes",
                                          "unknown code", NULL};
static const char *const tga_reasons[] = {"bad format", "bad palette", "outofmem", "too large", NULL};
static const char *const pnm_reasons[] = {"max value > 65535", "outofmem", "too large", NULL};
static const char *const *const reasons[] = {NULL, jpeg_reasons, png_reasons, bmp_reasons,
                                             gif_reasons, tga_reasons, pnm_reasons};
_Static_assert(sizeof reasons / sizeof *reasons == IMG_FMT_COUNT, "one reason list per format");

const char *img_stb_reason(ImgFormat f)
{
    const char *r = stbi_failure_reason();
    if (!r || f <= IMG_FMT_NONE || f >= IMG_FMT_COUNT) return NULL;
    for (const char *const *p = reasons[f]; *p; p++)
        if (strcmp(*p, r) == 0) return r;
    return NULL;
}
