/* parse.h - strict numbers from the command line: the whole string must be one number
   inside [lo, hi], so "12x", "", "1e99" and "nan" are refused instead of read as 12, 0, inf.

       int top;
       if (parse_int(arg, 1, 1000, &top) != 0)
           return usage("--top takes a number from 1 to 1000, not '%s'", arg);

   Returns 0 and sets *out, or -1 and leaves *out alone. Prints nothing: the caller names
   the option in its message. Leading white space and a sign are accepted (strtoll, strtof). */
#ifndef ALEXSCOPE_PARSE_H
#define ALEXSCOPE_PARSE_H

/* A base-10 integer in [lo, hi]. */
int parse_ll(const char *s, long long lo, long long hi, long long *out);
int parse_int(const char *s, int lo, int hi, int *out);

/* A finite decimal number in [lo, hi]. */
int parse_float(const char *s, float lo, float hi, float *out);

#endif
