/* img_child.h - decoding image bytes with stb_image, in this process (img_decode) or in a
   short-lived sandboxed child (img_decode_isolated; img_child.c). Both take bytes that
   img_check (img_sniff.h) has accepted, and give the same 8-bit RGB picture.

       ImgInfo info;
       if (img_check(data, len, path, &info, &err) != 0) return -1;
       if (img_decode_isolated(data, len, path, &info, &im, &err) != 0) return -1;
       ...
       img_free(&im);

   The child: fork(); core dumps off; no file writes (RLIMIT_FSIZE 0); CPU time and
   address space limited to what this picture needs (see img_child.c); every descriptor
   closed but the pipe back; then a seccomp filter that allows only the memory calls
   malloc makes, writing to the pipe, and exiting. stb_image decodes; the child writes a
   header and the RGB rows to the pipe. The parent reads them against a wall-clock
   deadline, checks the size against what img_check read, and reaps the child. A crash, a
   limit, a timeout or missing data in the child becomes "NAME: the image decoder failed
   on this file (it is corrupt or hostile)". The call is safe from any thread: the child
   only calls malloc (fork-safe in glibc), stb_image and write.

   im is owned by the caller (img_free). Failure: -1, "NAME: ..." in e, im left empty. */
#ifndef ALEXSCOPE_IMG_CHILD_H
#define ALEXSCOPE_IMG_CHILD_H

#include <stddef.h>

#include "img.h"
#include "img_sniff.h"

int img_decode(const unsigned char *d, size_t n, const char *name, const ImgInfo *info, Image *im, Err *e);
int img_decode_isolated(const unsigned char *d, size_t n, const char *name, const ImgInfo *info, Image *im,
                        Err *e);

/* For tests only: what the next children do instead of decoding, and the parent's
   deadline (deadline_ms <= 0: the normal one). IMG_CHILD_DECODE restores normal work. */
typedef enum {
    IMG_CHILD_DECODE,  /* decode */
    IMG_CHILD_CRASH,   /* write through a NULL pointer (SIGSEGV) */
    IMG_CHILD_SPIN,    /* loop forever (the deadline, or the CPU limit, ends it) */
    IMG_CHILD_SHORT,   /* send the header and half the pixels, then exit 0 */
    IMG_CHILD_SYSCALL, /* try to open a file (the seccomp filter kills it) */
    IMG_CHILD_HOG      /* allocate and touch 4 GiB (the memory limit stops it) */
} ImgChildMode;
void img_child_test_mode(ImgChildMode mode, int deadline_ms);

#endif
