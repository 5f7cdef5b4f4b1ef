/* fuzz_labels.c - class-name files (labels_load, src/io/labels.h), then every name and its
   short form read back. The input is handed over as a file (fuzz_file). */
#include "fuzz_common.h"
#include "labels.h"

static volatile unsigned sum; /* keeps the reads */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    if (!path) return 0;
    Labels lb;
    Err e = {0};
    if (labels_load(path, &lb, &e) != 0) return 0;
    char buf[64];
    for (int i = -1; i <= lb.count; i++) {
        sum += (unsigned char)labels_name(&lb, i, buf, sizeof buf)[0];
        sum += (unsigned char)labels_short_name(&lb, i, buf, 8)[0];
    }
    labels_free(&lb);
    return 0;
}
