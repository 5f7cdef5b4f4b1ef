/* strbuf.h - a growable string built with printf-style appends (prefix sb_).

       StrBuf s = {0};
       sb_add(&s, "{\"arch\":\"%s\"", name);
       for (int i = 0; i < n; i++) sb_add(&s, ",%d", v[i]);
       if (s.oom) { sb_free(&s); return err_set(e, "out of memory"); }
       fwrite(s.p, 1, s.n, f);   // s.p is NUL-terminated, s.n its length
       sb_free(&s);

   Ownership: s.p is one malloc'd block (NULL until the first append); the caller frees it
   with sb_free, or keeps it and frees it with free().
   Failure: an append that cannot grow the block sets s.oom; every later append does
   nothing, so a caller checks once at the end. What was built before stays intact. */
#ifndef ALEXSCOPE_STRBUF_H
#define ALEXSCOPE_STRBUF_H

#include <stddef.h>

typedef struct {
    char *p;      /* the text, NUL-terminated once anything was added */
    size_t n;     /* its length, without the NUL */
    size_t cap;   /* bytes allocated at p */
    int oom;      /* an append failed (out of memory or a bad format) */
} StrBuf;

/* Appends printf(fmt, ...) to s, growing it (at least doubling) as needed. */
void sb_add(StrBuf *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Frees s.p and empties s (s can be used again). */
void sb_free(StrBuf *s);

#endif
