/* util.h - the small helpers every component shares: bounded string copy, a path's base
   name, mkdir -p, opening and reading regular files, thousands separators, a monotonic
   clock and a median.

       char name[64];
       str_copy(name, sizeof name, path_base("/a/b/cat.png"));   // "cat.png"
       if (mkdir_p("out/maps", &err) != 0) puts(err.msg);       // "out: cannot create ..."
       unsigned char *text; size_t len;
       if (file_read_all("a.txt", 1 << 20, &text, &len, &err) != 0) puts(err.msg);
       double t0 = now_ms();  ...  printf("%.1f ms\n", now_ms() - t0);

   Only file_read_all allocates (the buffer it returns; the caller frees it).
   Failure: -1 (or NULL) and an Err naming the path first (err.h). */
#ifndef ALEXSCOPE_UTIL_H
#define ALEXSCOPE_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

/* Copies at most size-1 bytes of src into dst and always terminates it (size > 0). */
void str_copy(char *dst, size_t size, const char *src);

/* The part after the last '/' ("cat.png"); the whole path if it has none or ends in '/'. */
const char *path_base(const char *path);

/* mkdir -p: creates every missing component of dir; fine if it exists as a directory,
   an error if it exists as anything else. */
int mkdir_p(const char *dir, Err *e);

/* Opens path for reading if it is a regular file. Anything else - a directory, a FIFO, a
   device - is refused at once: the open does not block (a FIFO without a writer would
   otherwise hang the caller), and the stream returned reads normally (blocking).
   *size (if not NULL): the file's size in bytes. Returns a stream the caller fcloses, or
   NULL and one of "PATH: cannot open (No such file or directory)",
   "PATH: is a directory, not a regular file", "PATH: not a regular file". */
FILE *file_open_regular(const char *path, long long *size, Err *e);

/* Reads the whole regular file path (file_open_regular) into a new buffer, with a '\0'
   after the last byte so text can be used as a string; *len: the bytes read, without the
   '\0'. A file over max_bytes is refused before anything is allocated:
   "PATH: 2000000 bytes is too big (limit 1 MiB)". An empty file is not an error (*len 0).
   0, or -1 with *data NULL. The caller frees *data. */
int file_read_all(const char *path, size_t max_bytes, unsigned char **data, size_t *len, Err *e);

/* Formats n with thousands separators: 60965224 -> "60,965,224". Returns buf. */
char *fmt_count(char *buf, size_t size, long long n);

/* Milliseconds on the monotonic clock (for intervals only). */
double now_ms(void);

/* The median of v[0..n) (n > 0); sorts v in place. */
double median(double *v, int n);

#endif
