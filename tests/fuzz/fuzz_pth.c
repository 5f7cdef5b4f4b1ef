/* fuzz_pth.c - weight files through the public entry wfile_load_buffer (wfile.h): format
   detection by content, then the reader it picks, for every arch and inferred. Its seeds
   are PyTorch .pth checkpoints (a zip holding a pickle and the tensors' storages), so this
   is where the .pth reader (zip directory, restricted unpickler) is fuzzed; the other
   formats' seeds reach it too. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ArchSpec *arches[8];
    int n = fuzz_arches(arches, 8);
    for (int i = 0; i < n; i++) {
        Weights w;
        Err e = {0};
        if (wfile_load_buffer(data, size, "fuzz.pth", arches[i], &w, &e) == 0) weights_free(&w);
    }
    return 0;
}
