/* parse.c - strict numbers from the command line (parse.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "parse.h"

int parse_ll(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || end == s || *end || x < lo || x > hi) return -1;
    *out = x;
    return 0;
}

int parse_int(const char *s, int lo, int hi, int *out)
{
    long long x;
    if (parse_ll(s, lo, hi, &x) != 0) return -1;
    *out = (int)x;
    return 0;
}

int parse_float(const char *s, float lo, float hi, float *out)
{
    char *end;
    errno = 0;
    float x = strtof(s, &end);
    if (errno || end == s || *end || !isfinite(x) || x < lo || x > hi) return -1;
    *out = x;
    return 0;
}
