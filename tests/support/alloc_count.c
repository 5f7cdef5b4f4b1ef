/* alloc_count.c - see alloc_count.h. */
#include "alloc_count.h"

AllocCount alloc_count;

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);

static void count(size_t n)
{
    alloc_count.calls++;
    alloc_count.bytes += n;
    if (n > alloc_count.largest) alloc_count.largest = n;
}

void *__wrap_malloc(size_t n) { count(n); return __real_malloc(n); }
void *__wrap_calloc(size_t k, size_t n) { count(k * n); return __real_calloc(k, n); }
void *__wrap_realloc(void *p, size_t n) { count(n); return __real_realloc(p, n); }

void alloc_count_reset(void) { alloc_count = (AllocCount){0, 0, 0}; }
