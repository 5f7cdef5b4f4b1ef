/* img_check.h - what the image tests (test_img*.c) share: a pixel accessor, a pixel
   assertion, and a test image whose every pixel says where it is. Include after <cmocka.h>.

       Image im;
       make_coords(&im, 4, 3);          // pixel (x, y) = (10x, 10y, 100); img_free it
       assert_px(&im, 2, 1, 20, 10, 100); */
#ifndef ALEXSCOPE_TEST_IMG_CHECK_H
#define ALEXSCOPE_TEST_IMG_CHECK_H

#include "img.h"

const unsigned char *px_at(const Image *im, int x, int y);
void assert_px(const Image *im, int x, int y, int r, int g, int b);
void make_coords(Image *im, int w, int h);

#endif
