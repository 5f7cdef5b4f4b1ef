/* wfile_match.h - inside the weight-file module: matching a file's named tensors to an
   arch's conv / fc layers, for the readers whose files are a list of named tensors
   (wfile_safetensors.c, wfile_pth.c). Called after parsing, before wfile_fill.

   By name first: Caffe-style "conv1.weight", the layer's alias (torchvision's
   "features.0.weight"), the Model Zoo's "conv1_w_0", each also under a prefix
   ("module.features.0.weight"). If the names do not give every layer tensors of its shapes,
   by shape and order:
   each conv / fc layer, in the arch's order, takes the first unused tensor (in the file's
   order) whose shape is the layer's weight shape, and the unused 1-D tensor of the layer's
   width whose name shares the longest prefix with the weight's (ties: the first in order)
   as its bias; every float tensor must then have found a layer. w->match says so
   ("matched by shape and order: 'features.0.weight' -> conv1, ..."), for --verbose.

       WNamed *t = ...;   // one per tensor, in the file's order
       if (wfile_match(m, arch, meta_arch, t, n, "pth", w, e) != 0) { ... e->msg ... }

   Failure: -1 and an Err naming the layer, as wfile_fill's. */
#ifndef ALEXSCOPE_WFILE_MATCH_H
#define ALEXSCOPE_WFILE_MATCH_H

#include "wfile_impl.h"

typedef struct {
    Slice name;               /* as in the file, not NUL-terminated */
    int ndim;
    int64_t dims[WF_MAX_DIMS];
    int type;                 /* a WType, or -1: a type we do not convert */
    const char *type_name;    /* the file's name for the type ("F32", "I64", "LongStorage") */
    const uint8_t *data;      /* contiguous little-endian elements */
    size_t nbytes;
} WNamed;

/* Matches t[0 .. n) (in the file's order) to arch's layers (arch NULL: inferred, meta_arch
   tried first if not NULL), then wfile_fill with format. */
int wfile_match(const WMap *m, const ArchSpec *arch, const char *meta_arch, const WNamed *t, size_t n,
                const char *format, Weights *w, Err *e);

#endif
