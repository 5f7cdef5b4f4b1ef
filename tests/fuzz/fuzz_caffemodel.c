/* fuzz_caffemodel.c - the Caffe .caffemodel reader (wfile_caffe.c) on bytes in memory, for
   every arch and inferred. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_weights(wfile_load_caffe, data, size, "fuzz.caffemodel");
    return 0;
}
