/* weights.h - what a network learned: one (w, b) pair per conv / fc layer.

       Weights w;
       if (weights_builtin(&arch_alexnet, WEIGHTS_DEFAULT_SEED, &w, &err) != 0) { ... }
       ... w.l[0].w is conv1's (96, 3, 11, 11) ...
       weights_free(&w);

   Real files are read by wfile.h. Ownership: Weights owns its buffers (weights_free).
   Failure: -1 and an Err (out of memory). */
#ifndef ALEXSCOPE_WEIGHTS_H
#define ALEXSCOPE_WEIGHTS_H

#include <stdint.h>

#include "arch.h"

/* The seed of the built-in default weights everywhere (CLI, window, lessons, tests). */
#define WEIGHTS_DEFAULT_SEED 42

typedef struct {
    float *w;   /* conv (out, in/groups, k, k); fc (out, in); NULL for layers without */
    float *b;   /* (out) */
    long nw, nb;
} LayerWeights;

typedef struct {
    const ArchSpec *arch;
    LayerWeights *l;     /* arch->nlayers entries, indexed like arch->layers */
    int trained;         /* 0 for the built-in default: predictions are labelled untrained */
    char source[256];    /* "built-in, untrained (seed 42)" or the file name */
    char format[32];     /* "built-in", "onnx", "safetensors", "caffemodel", "pth" */
    char match[512];     /* how a file's tensors were matched to the layers when not by their
                            names ("matched by shape and order: 'a.weight' -> conv1, ..."), else "" */
} Weights;

/* Allocates zeroed (w, b) for every conv / fc layer of a. -1 on out-of-memory. */
int weights_alloc(const ArchSpec *a, Weights *w, Err *e);
void weights_free(Weights *w);

/* The deterministic default: conv1 a bank of oriented Gabor edges and colour blobs
   (like the paper's Figure 3), every other layer He-initialised from seed. */
int weights_builtin(const ArchSpec *a, uint64_t seed, Weights *w, Err *e);

/* Gradients (backward.h) have the weights' shapes: a Grads is a Weights holding ∂L/∂w and
   ∂L/∂b. grads_alloc: zeroed, for every conv / fc layer of a; grads_zero between SGD steps
   (the backward kernels accumulate); grads_free frees. */
typedef Weights Grads;
int grads_alloc(const ArchSpec *a, Grads *g, Err *e);
void grads_zero(Grads *g);
void grads_free(Grads *g);

#endif
