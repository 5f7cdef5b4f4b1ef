/* fuzz_common.c - the input as a file, and one weight-file input tried on every arch
   (fuzz_common.h). */
#define _GNU_SOURCE /* memfd_create */
#include "fuzz_common.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wfile_writer.h" /* arch_tiny */

const char *fuzz_file_n(int slot, const uint8_t *data, size_t size)
{
    static int fds[FUZZ_FILES] = {-1, -1};
    static char paths[FUZZ_FILES][64];
    if (slot < 0 || slot >= FUZZ_FILES) return NULL;
    int fd = fds[slot];
    if (fd < 0) {
        if ((fd = fds[slot] = memfd_create("fuzz-input", MFD_CLOEXEC)) < 0) return NULL;
        snprintf(paths[slot], sizeof paths[slot], "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0) return NULL;
    size_t done = 0;
    while (done < size) {
        ssize_t k = pwrite(fd, data + done, size - done, (off_t)done);
        if (k <= 0) return NULL;
        done += (size_t)k;
    }
    return paths[slot];
}

const char *fuzz_file(const uint8_t *data, size_t size)
{
    return fuzz_file_n(0, data, size);
}

int fuzz_arches(const ArchSpec **out, int max)
{
    int n = 0;
    if (n < max) out[n++] = NULL;
    if (n < max) out[n++] = &arch_tiny;
    for (int i = 0; arch_all[i] && n < max; i++) out[n++] = arch_all[i];
    return n;
}

void fuzz_weights(FuzzReader read, const uint8_t *data, size_t size, const char *name)
{
    const ArchSpec *arches[8];
    int n = fuzz_arches(arches, 8);
    WMap m = {.path = name, .p = data, .n = size};
    for (int i = 0; i < n; i++) {
        Weights w;
        Err e = {0};
        memset(&w, 0, sizeof w);
        if (read(&m, arches[i], &w, &e) == 0) weights_free(&w);
    }
}
