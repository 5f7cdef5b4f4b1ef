/* npy.h - NumPy .npy files, float32 only (format version 1.0, little-endian '<f4', C order).

       int64_t shape[3] = {96, 55, 55};
       npy_write("conv1.npy", data, shape, 3, &err);
       float *x; int64_t dims[4]; int nd;
       npy_read("input.npy", &x, dims, 4, &nd, &err);   ... free(x);

   npy_read refuses other dtypes, Fortran order, more than max_dims axes, and element
   counts that do not match the file's size. */
#ifndef ALEXSCOPE_NPY_H
#define ALEXSCOPE_NPY_H

#include <stdint.h>

#include "err.h"

int npy_write(const char *path, const float *data, const int64_t *shape, int ndim, Err *e);
int npy_read(const char *path, float **data, int64_t *shape, int max_dims, int *ndim, Err *e);

#endif
