/* fuzz_npy.c - .npy files (npy_read, src/io/npy.h). npy_read takes a path, so the input
   is handed to it as a file (fuzz_file: a memfd, nothing on disk). */
#include <stdlib.h>

#include "fuzz_common.h"
#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    if (!path) return 0;
    static const int max_dims[] = {4, 1};
    for (int i = 0; i < 2; i++) {
        float *x;
        int64_t shape[4];
        int nd;
        Err e = {0};
        if (npy_read(path, &x, shape, max_dims[i], &nd, &e) == 0) free(x);
    }
    return 0;
}
