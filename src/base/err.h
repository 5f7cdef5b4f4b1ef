/* err.h - how alexscope's library reports failure.

   Every function that can fail returns 0 on success and -1 on failure, and
   fills an Err with one line a user can act on, naming the file first:

       Err e = {0};
       if (img_load("cat.png", &im, &e) != 0) {
           fprintf(stderr, "alexscope: %s\n", e.msg);   // "cat.png: not an image ..."
           return 1;
       }

   Nothing below main() calls exit() or abort(). */
#ifndef ALEXSCOPE_ERR_H
#define ALEXSCOPE_ERR_H

#include <stddef.h>

typedef struct {
    char msg[512];
} Err;

/* printf-style; always returns -1 so callers can write `return err_set(e, ...)`.
   e may be NULL (the message is dropped). */
int err_set(Err *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
