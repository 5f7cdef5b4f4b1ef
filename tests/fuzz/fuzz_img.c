/* fuzz_img.c - images in memory (img_load_memory, src/io/img.h): the format sniffing,
   dimension limits and structure checks in front of stb_image, and stb_image itself (the
   in-process path; img_load runs the same in a sandboxed child). */
#include <limits.h>

#include "img.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > INT_MAX) return 0;
    Image im;
    Err e = {0};
    if (img_load_memory(data, (int)size, "fuzz.img", &im, &e) == 0) img_free(&im);
    return 0;
}
