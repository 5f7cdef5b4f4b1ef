/* img.c - images in and out: reading the file, checking it (img_sniff.c, jpeg_check.c),
   decoding it (stb_image, in a sandboxed child for files: img_child.c) into 8-bit RGB, and
   writing PNGs (stb_image_write). Resizing, cropping and normalisation are in img_prepare.c.

   stb_image is the Debian build (libstb-dev): the implementations live in libstb, so no
   STB_*_IMPLEMENTATION here. stb_image is not hardened against hostile files, so files a
   user names reach it only after img_check has sniffed the real format, held the size to
   IMG_MAX_PIXELS and to what the file can hold, and walked the structure - and then only
   inside a child process that can crash, run out of its memory or time, and be killed
   without harm to alexscope. */
#include "img.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image_write.h>

#include "afile.h"
#include "img_child.h"
#include "img_sniff.h"
#include "util.h"

/* A 50-megapixel image stored raw as 16-bit RGB PNM is 300 MB; nothing a camera or a
   teacher makes is bigger, and a stray path to a disk image is refused instead of read. */
#define IMG_MAX_FILE_BYTES ((size_t)320 * 1024 * 1024)

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

int img_load_memory(const unsigned char *data, int len, const char *name, Image *im, Err *e)
{
    if (!name) name = "(memory)";
    if (!im) return err_set(e, "%s: no image to fill", name);
    im->w = im->h = 0;
    im->px = NULL;
    if (!data || len <= 0) return err_set(e, "%s: empty file (0 bytes)", name);
    ImgInfo info;
    if (img_check(data, (size_t)len, name, &info, e) != 0) return -1;
    return img_decode(data, (size_t)len, name, &info, im, e);
}

int img_load(const char *path, Image *im, Err *e)
{
    if (im) { im->w = im->h = 0; im->px = NULL; }
    if (!path || !*path) return err_set(e, "(no path): no image file given");
    if (!im) return err_set(e, "%s: no image to fill", path);
    unsigned char *data;
    long long len;
    if (read_file(path, &data, &len, e) != 0) return -1;
    ImgInfo info;
    int rc = img_check(data, (size_t)len, path, &info, e);
    if (rc == 0) rc = img_decode_isolated(data, (size_t)len, path, &info, im, e);
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

/* stb_image_write's output: into the AFile's stream (afile_commit checks for errors). */
static void png_put(void *ctx, void *data, int size)
{
    fwrite(data, 1, (size_t)size, (FILE *)ctx);
}

int img_write_png(const char *path, const Image *im, Err *e)
{
    if (!path || !*path) return err_set(e, "(no path): no file name for the PNG");
    if (!im || !im->px || im->w <= 0 || im->h <= 0) return err_set(e, "%s: no image to write", path);
    if ((long long)im->w * 3 > 0x7FFFFFFF) return err_set(e, "%s: image too wide to write", path);
    AFile a; /* a temporary file renamed into place: no partial PNG under path (afile.h) */
    if (afile_open(&a, path, e) != 0) return -1;
    if (!stbi_write_png_to_func(png_put, a.f, im->w, im->h, 3, im->px, im->w * 3)) {
        afile_abort(&a);
        return err_set(e, "%s: cannot write PNG (out of memory)", path);
    }
    return afile_commit(&a, e);
}

int img_is_image_name(const char *name)
{
    static const char *const exts[] = {"png", "jpg", "jpeg", "bmp", "gif", "tga", "ppm", "pgm", "pnm", NULL};
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    for (int i = 0; exts[i]; i++) {
        const char *a = dot + 1, *b = exts[i];
        while (*a && *b && tolower((unsigned char)*a) == *b) a++, b++;
        if (!*a && !*b) return 1;
    }
    return 0;
}
