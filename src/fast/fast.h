/* fast.h - the fast engine: the same network as the naive loops of nn/, computed the way
   Caffe does it — im2col and one matrix product (SGEMM) per convolution (per group), SGEMM /
   SGEMV for the fully connected layers, vectorisable loops for ReLU, LRN, pooling and softmax
   — on a batch of images at once. Used by the tools that need many forward passes. The naive
   engine stays the reference: tests/fast/ checks the two agree on every layer.

       FastNet *f = fast_create(&arch_alexnet, &weights, 64, &err);   // up to 64 images
       if (fast_run(f, x, 16, arch_alexnet.nlayers, &err) != 0) ... // x: (16, 3, 227, 227)
       const float *p = fast_layer_output(f, nlayers - 1);          // (16, 1000)
       fast_free(f);

   or, for one image, fill a naive Net's run state from the fast engine so everything that
   reads a Net (CLI, lessons, window) works unchanged:

       fast_net_run(f, net, k, &err);   // net->run[0..k) computed, as net_run_to would

   Ownership: FastNet borrows its ArchSpec and Weights and owns its buffers (activations for
   max_batch images, one im2col scratch per thread) and its threads (fast_pool.h: the caller
   plus fast_set_threads − 1 workers, started at the first fast_run, joined by fast_free).
   Each layer is split into fixed parts, one per thread, and the BLAS runs single-threaded
   inside them (OpenBLAS: set to 1 thread by fast_create; another CBLAS must be single-
   threaded too, e.g. BLIS's default), so a given thread count always gives the same numbers.
   One thread at a time may call a FastNet's functions. Failure: -1 / NULL and an Err. */
#ifndef ALEXSCOPE_FAST_H
#define ALEXSCOPE_FAST_H

#include "net.h"

typedef struct FastNet FastNet;

/* Checks w against the plan like net_create, allocates for max_batch images. */
FastNet *fast_create(const ArchSpec *a, const Weights *w, int max_batch, Err *e);
void fast_free(FastNet *f);

/* Runs layers [0, layers) (layers clipped to the arch's count) on batch images,
   x (batch, C, H, W) preprocessed. 1 <= batch <= max_batch. */
int fast_run(FastNet *f, const float *x, int batch, int layers, Err *e);

/* Layer i's output for the whole batch, (batch, C, H, W), after the last fast_run (NULL if
   that run stopped before i). */
const float *fast_layer_output(const FastNet *f, int i);
/* Milliseconds layer i took in the last fast_run (for the whole batch). */
double fast_layer_ms(const FastNet *f, int i);

/* Runs net's input through the fast engine up to layer k and copies every layer's output,
   statistics and time into net->run[], marking them computed, exactly as net_run_to does
   with the naive loops (net->done = k; nothing is done if k <= net->done). net must be of
   f's arch and weights. The fast engine is inference only: a Net in dropout train mode
   (net->train_dropout) is refused with an Err. */
int fast_net_run(FastNet *f, Net *net, int k, Err *e);

/* The thread count of the FastNets created after this call (1..64; 0: the default, 2, or 1
   on a one-processor machine). */
void fast_set_threads(int n);

/* The BLAS this build uses, for --version / bench output ("OpenBLAS 0.3.21"...). */
const char *fast_blas_name(void);

#endif
