/* img.h - images in: decode (stb_image; img.c), resize (resize.c), crop, mirror, and turn
   into the input tensor (img_prepare.c).

       Image im;
       if (img_load("cat.jpg", &im, &err) != 0) { ... }
       float *x = malloc(sizeof(float) * 3 * 227 * 227);
       CropBox box;
       img_prepare(&im, &arch->preproc, 227, 227, 0, -1, x, &box, &err);   // centre crop
       img_free(&im);

   Images are 8-bit RGB, interleaved (h, w, 3), owned by the Image (img_free).
   Grey images are expanded to RGB; alpha is composited over white.
   Formats: JPEG (baseline, progressive), PNG, BMP, GIF (first frame), TGA (named .tga) and
   binary PNM (P5, P6); others (HDR, PSD, PIC, WebP, TIFF, ...) are refused by name.
   img_load reads the file (regular files only, never blocking), checks it (img_sniff.h:
   the real format, the size against IMG_MAX_PIXELS and against what the file can hold,
   the JPEG's structure) and decodes it in a sandboxed child process (img_child.h): a
   hostile file gives "PATH: the image decoder failed on this file (it is corrupt or
   hostile)", never a crash. img_load_memory makes the same checks and decodes in this
   process (tests, fuzzing). */
#ifndef ALEXSCOPE_IMG_H
#define ALEXSCOPE_IMG_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

#define IMG_MAX_PIXELS (50LL * 1000 * 1000)

typedef struct {
    int w, h;
    unsigned char *px; /* (h, w, 3) */
} Image;

/* Where the crop came from: in the original image's pixels (for drawing the crop box), and
   each step with its numbers (img_crop_text). */
typedef struct {
    float x, y, w, h;   /* in original-image coordinates */
    int orig_w, orig_h; /* the photo as loaded */
    int resized_w, resized_h; /* size after the resize step */
    int warp;           /* 1: warped to resized_w×resized_h, aspect not kept; 0: aspect kept */
    int crop_x, crop_y; /* crop origin in the resized image */
    int crop_w, crop_h; /* the crop: the network's input size */
    int random;         /* 1: a seeded random crop; 0: the centre crop */
    int mirror;
} CropBox;

int img_load(const char *path, Image *im, Err *e);
/* 1 if name ends in the extension of a format img_load reads (.png, .jpg, ...; any case):
   how folders of photos are listed (batch, top-patches, the window's H). */
int img_is_image_name(const char *name);
int img_load_memory(const unsigned char *data, int len, const char *name, Image *im, Err *e);
void img_free(Image *im);

/* A new, uninitialised w×h image (img_free it). -1 if the size is not positive or over
   IMG_MAX_PIXELS, or out of memory. */
int img_alloc(Image *im, int w, int h, Err *e);

/* A new image of size (w, h), resampled with a proper filter (resize.c, not stb_image_resize):
   the triangle filter on the sRGB byte values, i.e. antialiased bilinear like PIL's BILINEAR
   in torchvision's Resize - the kind of resize the trained models saw. */
int img_resize(const Image *in, int w, int h, Image *out, Err *e);

/* The full preprocessing: resize - p->warp: the whole photo to p->resize × p->resize, aspect
   not kept (Caffe at test time); else the shorter side to p->resize, aspect kept
   (torchvision) -, crop (out_w, out_h) at the centre (crop_seed < 0) or at a seeded random
   place, mirror left-right if asked, then x = (pixel * scale - mean) / std per channel in
   the network's order (BGR for Caffe) or one grey channel. out: (C, out_h, out_w).
   Details: the longer side is truncated as torchvision does (int(256 * long / short));
   if the resized image would be smaller than the crop it is scaled up just enough (a
   warp: to the crop's size); p->resize <= 0: warped straight to the crop's size;
   the centre crop starts at ((rw - out_w) / 2, (rh - out_h) / 2) rounded down (Caffe: 14
   for 256 -> 227); a random crop draws x then y from rng_next (splitmix64, rng.h) seeded with crop_seed;
   a std of 0 means 1 (not set). grey: 0.299 R + 0.587 G + 0.114 B, then mean[0], std[0]. */
int img_prepare(const Image *im, const Preproc *p, int out_w, int out_h, int mirror,
                long long crop_seed, float *out, CropBox *box, Err *e);

/* How the photo was resized and cropped, with its numbers: "451×300 warped to 256×256
   (aspect not kept), centre crop 227×227 at x 14, y 14" or "451×300, shorter side to 256:
   385×256 (aspect kept), random crop 224×224 at x 3, y 20, mirrored". Returns buf. */
char *img_crop_text(const CropBox *b, char *buf, size_t size);

/* The crop as an RGB image (what the network sees, before normalisation). */
int img_crop_rgb(const Image *im, const Preproc *p, int out_w, int out_h, int mirror,
                 long long crop_seed, Image *out, Err *e);

/* Writes a PNG (stb_image_write). */
int img_write_png(const char *path, const Image *im, Err *e);

#endif
