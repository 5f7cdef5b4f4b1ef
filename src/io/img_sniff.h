/* img_sniff.h - what an image file really is and whether its header can be believed,
   decided before any decoder runs (img_sniff.c; used by img.c and img_child.c).

       ImgInfo info;
       if (img_check(data, len, "cat.jpg", &info, &err) != 0) puts(err.msg);
       // "cat.jpg: a Radiance HDR image; alexscope reads JPEG, PNG, BMP, GIF, TGA and PNM"
       // "cat.jpg: a GIF of 7000×7000 pixels in 612 bytes cannot be real (corrupt or a
       //  decompression bomb)"

   img_check sniffs the format from its magic bytes (the name's extension is only used for
   TGA, which has none), refuses formats alexscope does not read by name (HDR, PSD, PIC,
   and a few others a teacher may meet: WebP, TIFF, HEIC, ASCII PNM), reads the header's
   size itself and refuses anything over IMG_MAX_PIXELS or too big for the file's size to
   hold (see img_sniff.c for the bounds), walks PNG chunks and JPEG markers (jpeg_check.h),
   checks that raw formats hold all their pixels, and finally asks stbi_info whether
   stb_image reads the header the same way. Only then may stb_image decode the bytes.

   Nothing is allocated. Failure: -1 and "NAME: ..." in e. */
#ifndef ALEXSCOPE_IMG_SNIFF_H
#define ALEXSCOPE_IMG_SNIFF_H

#include <stddef.h>

#include "err.h"

typedef enum { IMG_FMT_NONE, IMG_FMT_JPEG, IMG_FMT_PNG, IMG_FMT_BMP, IMG_FMT_GIF, IMG_FMT_TGA, IMG_FMT_PNM,
               IMG_FMT_COUNT } ImgFormat;

typedef struct {
    ImgFormat fmt;
    int w, h;     /* the size of the picture stb_image will produce */
    int px_bytes; /* bytes per pixel stb_image may hold at once while decoding it (its
                     buffers and conversions; for the decoding child's memory limit) */
} ImgInfo;

int img_check(const unsigned char *d, size_t n, const char *name, ImgInfo *info, Err *e);

/* "JPEG", "PNG", ... ("image" for IMG_FMT_NONE). */
const char *img_format_name(ImgFormat f);

/* stb_image's failure reason if it is one that f's decoder gives, else NULL: stb_image
   tries its decoders in turn and keeps the last reason set on the thread, so a corrupt
   JPEG could report the PNG decoder's "bad png sig". */
const char *img_stb_reason(ImgFormat f);

#endif
