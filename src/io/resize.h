/* resize.h - antialiased bilinear resampling of 8-bit RGB images (as PIL / torchvision do).

       unsigned char *out = malloc(ow * oh * 3);
       if (resize_rgb8(in, iw, ih, out, ow, oh) != 0) ... out of memory ...

   in (ih, iw, 3) and out (oh, ow, 3) are owned by the caller. Returns 0, or -1 when the
   scratch buffers cannot be allocated. Sizes must be >= 1. */
#ifndef ALEXSCOPE_RESIZE_H
#define ALEXSCOPE_RESIZE_H

int resize_rgb8(const unsigned char *in, int iw, int ih, unsigned char *out, int ow, int oh);

#endif
