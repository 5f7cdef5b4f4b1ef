/* fuzz_idx.c - MNIST idx files, gzipped or plain (src/io/idx.h): the whole input as one idx
   file (idx_read, up to 3 and 1 dimensions), then as a data set of two files: the first two
   bytes (little-endian) say how many of the remaining bytes are the images file, the rest is
   the labels file (idx_load_split on a folder in /tmp whose two entries link to the inputs;
   the folder is removed at exit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "idx.h"

static char dir[64];
static char links[2][128];

static void remove_dir(void)
{
    for (int i = 0; i < 2; i++) unlink(links[i]);
    rmdir(dir);
}

/* The folder, made once: train-images-idx3-ubyte and train-labels-idx1-ubyte link to the
   two input files. */
static const char *split_dir(void)
{
    static int state; /* 0 not yet, 1 made, -1 failed */
    if (state) return state > 0 ? dir : NULL;
    state = -1;
    const char *names[2] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"};
    snprintf(dir, sizeof dir, "/tmp/alexscope-fuzz-idx-%ld", (long)getpid());
    const char *target[2] = {fuzz_file_n(0, NULL, 0), fuzz_file_n(1, NULL, 0)};
    if (!target[0] || !target[1] || mkdir(dir, 0700) != 0) return NULL;
    atexit(remove_dir);
    for (int i = 0; i < 2; i++) {
        snprintf(links[i], sizeof links[i], "%s/%s", dir, names[i]);
        if (symlink(target[i], links[i]) != 0) return NULL;
    }
    state = 1;
    return dir;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    if (!path) return 0;
    static const int max_dims[] = {3, 1};
    for (int i = 0; i < 2; i++) {
        IdxArray a;
        Err e = {0};
        if (idx_read(path, max_dims[i], &a, &e) == 0) idx_array_free(&a);
    }
    if (size < 2) return 0;
    size_t n = (size_t)(data[0] | data[1] << 8);
    if (n > size - 2) n = size - 2;
    const char *d = split_dir();
    if (!d || !fuzz_file_n(0, data + 2, n) || !fuzz_file_n(1, data + 2 + n, size - 2 - n)) return 0;
    IdxSet s;
    Err e = {0};
    if (idx_load_split(d, "train", &s, &e) == 0) idx_set_free(&s);
    return 0;
}
