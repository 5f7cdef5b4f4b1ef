/* img_prepare.c - from a decoded Image to what the network sees: resize (warp to a square,
   or the shorter side), crop (centre or seeded random), mirror, and normalise into the
   input tensor.

   Resampling: resize.c's triangle filter on the sRGB byte values, i.e. antialiased
   bilinear (not stb_image_resize: Debian's build aborts on some shrink ratios), the same
   kind of resize as PIL's BILINEAR that torchvision's Resize(256) uses, and close to
   OpenCV's INTER_LINEAR that Caffe used when shrinking. The trained models saw images
   resized this way (in gamma space, not linear light), so we do the same rather than the
   "better looking" Mitchell / linear-light resize. */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "img.h"
#include "resize.h"
#include "rng.h"

static int img_valid(const Image *im)
{
    return im && im->px && im->w > 0 && im->h > 0;
}

int img_resize(const Image *in, int w, int h, Image *out, Err *e)
{
    if (!out) return err_set(e, "resize: no output image");
    out->w = out->h = 0;
    out->px = NULL;
    if (!img_valid(in)) return err_set(e, "resize: empty input image");
    if (img_alloc(out, w, h, e) != 0) return -1;
    if (w == in->w && h == in->h) {
        memcpy(out->px, in->px, (size_t)w * h * 3);
        return 0;
    }
    if (resize_rgb8(in->px, in->w, in->h, out->px, w, h) != 0) {
        img_free(out);
        return err_set(e, "resize: %d×%d -> %d×%d failed (out of memory)", in->w, in->h, w, h);
    }
    return 0;
}

/* ---- crop geometry ---------------------------------------------------------------- */

/* Size after the resize step. A warp makes both sides resize (Caffe's test-time resize to
   256×256, whatever the aspect). Otherwise the shorter side becomes resize and the longer
   one is scaled and truncated, as torchvision's Resize(int) does (int(size * long / short)).
   If that leaves the image smaller than the crop (resize < crop, or a very thin image), it
   is scaled up just enough for the crop to fit. */
static void resized_size(int w, int h, const Preproc *p, int out_w, int out_h, int *rw, int *rh)
{
    if (p->resize <= 0 || p->warp) {
        int r = p->resize > 0 ? p->resize : 0;
        *rw = r > out_w ? r : out_w;
        *rh = r > out_h ? r : out_h;
        return;
    }
    if (w <= h) {
        *rw = p->resize;
        *rh = (int)((double)p->resize * h / w);
    } else {
        *rh = p->resize;
        *rw = (int)((double)p->resize * w / h);
    }
    if (*rw < out_w || *rh < out_h) {
        double s = fmax((double)out_w / w, (double)out_h / h);
        *rw = (int)ceil(w * s - 1e-9);
        *rh = (int)ceil(h * s - 1e-9);
        if (*rw < out_w) *rw = out_w;
        if (*rh < out_h) *rh = out_h;
    }
    if (*rw < 1) *rw = 1;
    if (*rh < 1) *rh = 1;
}

char *img_crop_text(const CropBox *b, char *buf, size_t size)
{
    char how[96];
    if (b->orig_w == b->resized_w && b->orig_h == b->resized_h)
        snprintf(how, sizeof how, "%d×%d, not resized", b->orig_w, b->orig_h);
    else if (b->warp)
        snprintf(how, sizeof how, "%d×%d warped to %d×%d (aspect not kept)", b->orig_w, b->orig_h, b->resized_w,
                 b->resized_h);
    else
        snprintf(how, sizeof how, "%d×%d, shorter side to %d: %d×%d (aspect kept)", b->orig_w, b->orig_h,
                 b->resized_w < b->resized_h ? b->resized_w : b->resized_h, b->resized_w, b->resized_h);
    snprintf(buf, size, "%s, %s crop %d×%d at x %d, y %d%s", how, b->random ? "random" : "centre", b->crop_w, b->crop_h,
             b->crop_x, b->crop_y, b->mirror ? ", mirrored" : "");
    return buf;
}

/* Resize, crop, mirror: the RGB crop the network will see, and where it came from. */
static int crop_image(const Image *im, const Preproc *p, int out_w, int out_h, int mirror,
                      long long crop_seed, Image *crop, CropBox *box, Err *e)
{
    crop->w = crop->h = 0;
    crop->px = NULL;
    if (!img_valid(im)) return err_set(e, "preprocess: empty input image");
    if (!p) return err_set(e, "preprocess: no preprocessing settings");
    if (out_w <= 0 || out_h <= 0 || (long long)out_w * out_h > IMG_MAX_PIXELS)
        return err_set(e, "preprocess: invalid crop size %d×%d", out_w, out_h);
    if (p->resize > 65536) return err_set(e, "preprocess: resize %d is too large", p->resize);

    int rw, rh;
    resized_size(im->w, im->h, p, out_w, out_h, &rw, &rh);
    if ((long long)rw * rh > IMG_MAX_PIXELS)
        return err_set(e, "preprocess: resizing %d×%d to %d×%d is over the %lld-megapixel limit",
                       im->w, im->h, rw, rh, IMG_MAX_PIXELS / 1000000);
    Image rs;
    if (img_resize(im, rw, rh, &rs, e) != 0) return -1;

    int cx, cy;
    if (crop_seed < 0) {
        /* Integer halving, as Caffe does: 256 -> 227 starts at 14. */
        cx = (rw - out_w) / 2;
        cy = (rh - out_h) / 2;
    } else {
        uint64_t s = (uint64_t)crop_seed;
        cx = (int)(rng_next(&s) % (uint64_t)(rw - out_w + 1));
        cy = (int)(rng_next(&s) % (uint64_t)(rh - out_h + 1));
    }
    if (img_alloc(crop, out_w, out_h, e) != 0) {
        img_free(&rs);
        return -1;
    }
    for (int y = 0; y < out_h; y++) {
        for (int x = 0; x < out_w; x++) {
            int sx = cx + (mirror ? out_w - 1 - x : x);
            const unsigned char *s = rs.px + ((size_t)(cy + y) * rw + sx) * 3;
            unsigned char *o = crop->px + ((size_t)y * out_w + x) * 3;
            o[0] = s[0];
            o[1] = s[1];
            o[2] = s[2];
        }
    }
    img_free(&rs);
    if (box) {
        double fx = (double)im->w / rw, fy = (double)im->h / rh;
        box->x = (float)(cx * fx);
        box->y = (float)(cy * fy);
        box->w = (float)(out_w * fx);
        box->h = (float)(out_h * fy);
        box->orig_w = im->w, box->orig_h = im->h;
        box->resized_w = rw, box->resized_h = rh;
        box->warp = p->warp || p->resize <= 0;
        box->crop_x = cx, box->crop_y = cy;
        box->crop_w = out_w, box->crop_h = out_h;
        box->random = crop_seed >= 0;
        box->mirror = mirror ? 1 : 0;
    }
    return 0;
}

int img_crop_rgb(const Image *im, const Preproc *p, int out_w, int out_h, int mirror,
                 long long crop_seed, Image *out, Err *e)
{
    if (!out) return err_set(e, "preprocess: no output image");
    if (crop_image(im, p, out_w, out_h, mirror, crop_seed, out, NULL, e) != 0) return -1;
    /* show what a grey network sees: the same luminance img_prepare feeds it */
    if (p->grey)
        for (size_t i = 0; i < (size_t)out->w * out->h; i++) {
            unsigned char *px = out->px + i * 3;
            float v = 0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2];
            px[0] = px[1] = px[2] = (unsigned char)(v + 0.5f);
        }
    return 0;
}

int img_prepare(const Image *im, const Preproc *p, int out_w, int out_h, int mirror,
                long long crop_seed, float *out, CropBox *box, Err *e)
{
    if (!out) return err_set(e, "preprocess: no output buffer");
    Image c;
    if (crop_image(im, p, out_w, out_h, mirror, crop_seed, &c, box, e) != 0) return -1;

    size_t plane = (size_t)out_w * out_h;
    int nch = p->grey ? 1 : 3;
    for (int ch = 0; ch < nch; ch++) {
        /* A std of 0 means "not set": presets that only subtract a mean (Caffe) need not
           fill it, and dividing by zero would only produce infinities. */
        float sd = p->std[ch] != 0.0f ? p->std[ch] : 1.0f;
        float mean = p->mean[ch];
        int src = p->bgr ? 2 - ch : ch;
        float *o = out + (size_t)ch * plane;
        for (size_t i = 0; i < plane; i++) {
            const unsigned char *px = c.px + i * 3;
            float v = p->grey ? 0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2] : (float)px[src];
            o[i] = (v * p->scale - mean) / sd;
        }
    }
    img_free(&c);
    return 0;
}
