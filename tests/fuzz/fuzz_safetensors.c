/* fuzz_safetensors.c - the safetensors reader (wfile_safetensors.c) on bytes in memory, for
   every arch and inferred, and its __metadata__ lookup. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_weights(wfile_load_st, data, size, "fuzz.safetensors");
    WMap m = {.path = "fuzz.safetensors", .p = data, .n = size};
    char out[64];
    Err e = {0};
    wfile_st_metadata(&m, "arch", out, sizeof out, &e);
    wfile_st_metadata(&m, "trained_on", out, 8, &e);
    return 0;
}
