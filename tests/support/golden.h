/* golden.h - the golden PyTorch fixtures (tests/fixtures/golden/, made by
   tests/gen_golden.py), shared by tests/io/test_golden.c (the naive engine) and
   tests/fast/test_fast.c (the fast engine); prefix golden_.

   Two reduced-width AlexNets: "mini" (the 2012 / Caffe network: LRN, groups 2, ceil pools,
   3×227×227) and "mini-tv" (torchvision's: no LRN, no groups, floor pools, 3×224×224), each
   with input.npy, PyTorch's output of every layer (LAYER.npy, float64 computed) and the same
   weights in every file format.

       Weights w;
       Net *n = golden_load(&golden_cases[i], &w);  // weights read, input set
       net_forward(n, &err);                        // or any engine filling n->run[]
       int bad = golden_compare(&golden_cases[i], n);
       net_free(n); weights_free(&w);
       if (bad) fail_msg(...);

   Include after <cmocka.h>. The helpers fail the current test when a file cannot be read. */
#ifndef ALEXSCOPE_TEST_GOLDEN_H
#define ALEXSCOPE_TEST_GOLDEN_H

#include <stdint.h>

#include "net.h"

/* max |ours − ref| / max(max |ref|, 1e-30) allowed on every layer */
#define GOLDEN_TOLERANCE 1e-4

typedef struct {
    const char *name;   /* the test's name */
    const ArchSpec *arch;
    const char *dir;    /* under the golden fixtures: input.npy and LAYER.npy */
    const char *file;   /* weight file in dir; NULL for the shape test */
} GoldenCase;

extern const ArchSpec golden_arch_mini, golden_arch_mini_tv;
/* one case per weight file (every format), and one shape case per network */
extern const GoldenCase golden_cases[], golden_shape_cases[];
extern const int golden_ncases, golden_nshape_cases;

/* Reads dir/name.npy (up to 4 dims). Caller frees. */
float *golden_read_ref(const char *dir, const char *name, int64_t *dims, int *ndim);
/* The reference's shape must be layer l's: (C, H, W) for maps, (N) for vectors. */
void golden_check_shape(const char *file, const PlanLayer *l, const int64_t *dims, int ndim);
/* max |ours − ref| / max(max |ref|, 1e-30); a NaN gives NaN. */
double golden_rel_error(const float *ours, const float *ref, long n);

/* Loads c's weight file into w, creates the Net and sets input.npy as its input. */
Net *golden_load(const GoldenCase *c, Weights *w);
/* Compares every layer of n->run (all computed) with the references; prints each layer over
   the tolerance and the worst one. Returns the number of layers over the tolerance. */
int golden_compare(const GoldenCase *c, const Net *n, const char *engine);

#endif
