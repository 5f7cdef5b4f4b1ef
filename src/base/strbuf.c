/* strbuf.c - see strbuf.h. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void sb_add(StrBuf *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (s->oom || k < 0) {
        s->oom = 1;
        return;
    }
    if (s->n + (size_t)k + 1 > s->cap) {
        size_t cap = (s->n + (size_t)k + 1) * 2;
        char *p = realloc(s->p, cap);
        if (!p) {
            s->oom = 1;
            return;
        }
        s->p = p, s->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(s->p + s->n, s->cap - s->n, fmt, ap);
    va_end(ap);
    s->n += (size_t)k;
}

void sb_free(StrBuf *s)
{
    free(s->p);
    s->p = NULL;
    s->n = s->cap = 0;
    s->oom = 0;
}
