/* img_check.c - see img_check.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "img_check.h"

const unsigned char *px_at(const Image *im, int x, int y)
{
    return im->px + ((size_t)y * im->w + x) * 3;
}

void assert_px(const Image *im, int x, int y, int r, int g, int b)
{
    const unsigned char *p = px_at(im, x, y);
    assert_int_equal(p[0], r);
    assert_int_equal(p[1], g);
    assert_int_equal(p[2], b);
}

/* An image with pixel (x, y) = (10x, 10y, 100): every position can be read back. */
void make_coords(Image *im, int w, int h)
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
