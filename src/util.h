/* util.h - the small helpers every component shares: bounded string copy, a path's base
   name, mkdir -p, thousands separators, a monotonic clock and a median.

       char name[64];
       str_copy(name, sizeof name, path_base("/a/b/cat.png"));   // "cat.png"
       if (mkdir_p("out/maps", &err) != 0) puts(err.msg);       // "out: cannot create ..."
       double t0 = now_ms();  ...  printf("%.1f ms\n", now_ms() - t0);

   Nothing here allocates. Failure: -1 and an Err naming the path (err.h). */
#ifndef ALEXSCOPE_UTIL_H
#define ALEXSCOPE_UTIL_H

#include <stddef.h>

#include "err.h"

/* Copies at most size-1 bytes of src into dst and always terminates it (size > 0). */
void str_copy(char *dst, size_t size, const char *src);

/* The part after the last '/' ("cat.png"); the whole path if it has none or ends in '/'. */
const char *path_base(const char *path);

/* mkdir -p: creates every missing component of dir; fine if it exists as a directory,
   an error if it exists as anything else. */
int mkdir_p(const char *dir, Err *e);

/* Formats n with thousands separators: 60965224 -> "60,965,224". Returns buf. */
char *fmt_count(char *buf, size_t size, long long n);

/* Milliseconds on the monotonic clock (for intervals only). */
double now_ms(void);

/* The median of v[0..n) (n > 0); sorts v in place. */
double median(double *v, int n);

#endif
