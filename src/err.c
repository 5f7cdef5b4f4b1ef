#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int err_set(Err *e, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

char *fmt_count(char *buf, size_t size, long long n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%lld", n < 0 ? -n : n);
    size_t o = 0;
    if (n < 0 && o + 1 < size) buf[o++] = '-';
    for (int i = 0; i < len && o + 1 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0 && o + 1 < size) buf[o++] = ',';
        if (o + 1 < size) buf[o++] = digits[i];
    }
    if (size) buf[o < size ? o : size - 1] = '\0';
    return buf;
}
