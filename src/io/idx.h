/* idx.h - MNIST's idx files (LeCun's format, also Fashion-MNIST's), gzipped or not, and a
   data set made of them: the images and labels of one split.

       IdxSet train;
       if (idx_load_split("fashion-mnist", "train", &train, &err) != 0) puts(err.msg);
       ... train.n images of train.h × train.w bytes at train.pixels + i * h * w,
           class train.labels[i] ...
       idx_set_free(&train);

   The format: two zero bytes, a type byte (only 0x08, unsigned bytes, is accepted), the
   number of dimensions, each dimension as a big-endian 32-bit count, then the data in C
   order. A file is read through zlib, which reads an uncompressed file as it is.

   Every count is checked before anything is allocated: at most IDX_MAX_BYTES of data, and
   the file must hold exactly that many bytes ("truncated: 1000 of 47040000 bytes",
   "trailing data after 47040000 bytes"), so a gzip bomb stops at the declared size.
   Ownership: IdxSet owns its two arrays. Failure: -1 and an Err naming the file. */
#ifndef ALEXSCOPE_IDX_H
#define ALEXSCOPE_IDX_H

#include <stdint.h>

#include "err.h"

#define IDX_MAX_BYTES (256u << 20)
#define IDX_MAX_DIMS 4

typedef struct {
    int ndim;
    int64_t dim[IDX_MAX_DIMS];
    unsigned char *data;   /* dim[0] × ... bytes, malloc'd */
} IdxArray;

/* One idx file of unsigned bytes with 1..max_dims dimensions. */
int idx_read(const char *path, int max_dims, IdxArray *out, Err *e);
void idx_array_free(IdxArray *a);

typedef struct {
    int n, h, w;             /* n images of h × w */
    unsigned char *pixels;   /* (n, h, w), 0 = background */
    unsigned char *labels;   /* (n), each < classes */
    int classes;             /* 1 + the largest label */
    char source[512];        /* the images file, for messages */
} IdxSet;

/* The named data set's folder: "fashion-mnist" is Debian's dataset-fashion-mnist
   (/usr/share/datasets/fashion-mnist); anything else is a folder. Writes it into out. */
const char *idx_dataset_dir(const char *name, char *out, int size);

/* dir/<split>-images-idx3-ubyte and dir/<split>-labels-idx1-ubyte, each with or without
   .gz (split: "train" or "t10k"); dir through idx_dataset_dir. The counts must agree and
   every label be below 256. */
int idx_load_split(const char *dir, const char *split, IdxSet *s, Err *e);
void idx_set_free(IdxSet *s);

#endif
