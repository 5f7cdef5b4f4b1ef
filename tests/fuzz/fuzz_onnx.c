/* fuzz_onnx.c - the ONNX reader (wfile_onnx.c) on bytes in memory, for every arch and inferred. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_weights(wfile_load_onnx, data, size, "fuzz.onnx");
    return 0;
}
