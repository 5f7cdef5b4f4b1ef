/* fuzz_common.h - what the libFuzzer targets in tests/fuzz share (docs/fuzzing.md).

       const char *path = fuzz_file(data, size);        // the input as a file, for path-only APIs
       fuzz_weights(wfile_load_st, data, size, "fuzz.safetensors");

   fuzz_file writes the input into one memfd per process (no file on disk; the path is
   /proc/self/fd/N) and returns its path, rewritten on every call; NULL if it cannot.
   fuzz_weights hands the bytes to a weight-file reader once per arch: inferred (NULL), the
   test suite's tiny arch (so that a few hundred bytes can load completely), and every
   arch of arch_all; whatever loads is freed. Failure: a target that cannot set itself up
   returns early; nothing here exits. */
#ifndef ALEXSCOPE_FUZZ_COMMON_H
#define ALEXSCOPE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "wfile_impl.h"

const char *fuzz_file(const uint8_t *data, size_t size);
/* The same with one of FUZZ_FILES files (fuzz_file is slot 0), for an API that reads two. */
#define FUZZ_FILES 2
const char *fuzz_file_n(int slot, const uint8_t *data, size_t size);

/* The arches a weight file is tried with: NULL (inferred), the tiny test arch, then
   arch_all. Returns how many were written to out (at most max). */
int fuzz_arches(const ArchSpec **out, int max);

typedef int (*FuzzReader)(const WMap *m, const ArchSpec *arch, Weights *w, Err *e);
void fuzz_weights(FuzzReader read, const uint8_t *data, size_t size, const char *name);

#endif
