/* alloc_count.h - counts every allocation the code under test makes. A test executable
   that links alloc_count.c must be linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
   (CMakeLists.txt: alexscope_test(... ALLOC_COUNT)): each call from the library then passes
   through the counters before reaching the real allocator.

       alloc_count_reset();
       plan_build(&arch_alexnet, &p, &e);
       assert_int_equal(alloc_count.calls, 0);
*/
#ifndef ALEXSCOPE_ALLOC_COUNT_H
#define ALEXSCOPE_ALLOC_COUNT_H

#include <stddef.h>

typedef struct {
    long calls;          /* malloc, calloc and realloc calls */
    size_t bytes;        /* bytes asked for in all of them */
    size_t largest;      /* the largest single request */
} AllocCount;

extern AllocCount alloc_count;

void alloc_count_reset(void);

#endif
