/* plan.h - everything that follows from an architecture alone, layer by layer: shapes, the
   output-size calculation with the layer's own numbers, parameter counts and the product
   written out, multiply-accumulates, activation bytes, the receptive field. A Plan allocates
   nothing, so `summary`, the lesson checker and the window's cards use it without building
   a network.

       Plan p;                                   // about 25 KB: fine on the stack
       if (plan_build(&arch_alexnet, &p, &err) != 0) { ... err.msg ... }
       printf("%s\n", p.layers[0].size.nopad);   // "(227−11)/4+1 = 55"
       printf("%lld parameters\n", p.total_params);

   Failure: -1 and an Err (a layer that cannot run on its input, or more than
   PLAN_MAX_LAYERS layers). */
#ifndef ALEXSCOPE_PLAN_H
#define ALEXSCOPE_PLAN_H

#include "arch.h"

#define PLAN_MAX_LAYERS 48

typedef struct {
    const LayerSpec *spec;
    Shape in, out;
    long nw, nb;             /* this layer's weight and bias counts */
    long long params_running;/* total parameters up to and including this layer */
    long long macs;          /* multiply-accumulates */
    long long act_bytes;     /* bytes of this layer's output (float32) */
    char params_expr[160];   /* "96×11×11×3 + 96 = 34,944"; "" for layers without weights */
    int has_size;            /* windowed layers: size is filled */
    SizeCalc size;           /* output height calculation (square layers) */
    int rf, rf_jump, rf_start; /* receptive field on the input: size, stride, offset of unit 0;
                                  0 once an fc layer has seen the whole input */
} PlanLayer;

typedef struct {
    const ArchSpec *arch;
    int nlayers;
    PlanLayer layers[PLAN_MAX_LAYERS];
    long long total_params, total_macs, total_act_bytes;
    long max_act;            /* elements of the largest activation, the input included */
} Plan;

int plan_build(const ArchSpec *a, Plan *p, Err *e);

/* Expected element counts of layer i's weight and bias (0, 0 for kinds without weights). */
void layer_param_counts(const ArchSpec *a, int i, long *nw, long *nb);

/* Parameters of a with every conv's groups set to 1: the paper's single-GPU count. */
long long plan_params_without_groups(const ArchSpec *a);

/* A conv layer as Caffe computes it (kernels.h, im2col): per group, the weight matrix
   (wrows, rows) times the patch matrix (rows, cols). conv1: 96 × 363 · 363 × 3,025. */
typedef struct {
    int groups;
    int rows;              /* cin/groups·k·k: one window unrolled into a column (363) */
    long cols;             /* ho·wo: one column per output position (3,025) */
    int wrows;             /* cout/groups: the filters of one group (96) */
    long long macs;        /* wrows·rows·cols·groups: equals the layer's MACs */
    long long patch_bytes; /* float32 bytes of one group's patch matrix */
    long long in_bytes;    /* float32 bytes of one group's input channels */
} PlanIm2col;

/* Fills z for layer r; -1 if r is not a convolution. */
int plan_im2col(const PlanLayer *r, PlanIm2col *z);

#endif
