/* net.h - AlexNet (and friends) as data, and an instrumented stepwise forward pass.

   Three kinds of state, never mixed (as in llama2.c):
     ArchSpec / LayerSpec   what each layer is (hyper-parameters), static tables in arch.c
     Weights                what the network learned: one (w, b) pair per conv / fc layer
     Net                    one image's run: every layer's output and what we measured

   Usage:
       const ArchSpec *a = arch_find("alexnet");
       Weights w;  weights_builtin(a, 42, &w);          // or wfile_load() from wfile.h
       Net *net = net_create(a, &w, &err);               // borrows w; keep it alive
       net_set_input(net, x);                            // x: (C, H, W) preprocessed floats
       while (net_step(net, &err) > 0) { ... net->layers[net->done - 1] ... }
       net_free(net); weights_free(&w);

   Ownership: Net borrows its ArchSpec (static) and Weights (the caller frees them after
   net_free). Net owns every activation buffer. Failure: -1 / NULL and an Err. */
#ifndef ALEXSCOPE_NET_H
#define ALEXSCOPE_NET_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* ---- spec ------------------------------------------------------------------------ */

typedef enum {
    LK_CONV,
    LK_RELU,
    LK_TANH,
    LK_LRN,
    LK_MAXPOOL,
    LK_AVGPOOL,
    LK_FC,
    LK_DROPOUT,
    LK_SOFTMAX,
    LK_COUNT
} LayerKind;

extern const char *const layer_kind_names[LK_COUNT]; /* "conv", "relu", ... */

/* An activation's shape. Vectors (fc outputs) are c×1×1. */
typedef struct {
    int c, h, w;
} Shape;

typedef struct {
    LayerKind kind;
    const char *name;    /* Caffe-style: "conv1", "relu1", "norm1", "pool1", "fc6", "prob" */
    const char *alias;   /* torchvision state_dict prefix ("features.0"), or NULL */
    int out;             /* conv: filters; fc: outputs */
    int k, stride, pad;  /* conv / pool: kernel, stride, padding on each side */
    int groups;          /* conv: 1, or 2 for the two-GPU layers */
    int ceil_mode;       /* pool: round the output size up (Caffe) instead of down */
    int lrn_n;           /* lrn: channels summed over */
    float lrn_alpha, lrn_beta, lrn_k;
    float drop_ratio;    /* dropout: probability a unit is dropped in train mode */
} LayerSpec;

/* How an image becomes the input tensor: x = (pixel * scale - mean) / std, per channel
   in the network's channel order. */
typedef struct {
    const char *name;   /* "caffe", "torchvision", "lenet" */
    int bgr;            /* 1: channel 0 is blue (Caffe); 0: RGB */
    int grey;           /* 1: a single luminance channel */
    float scale;        /* 1 for 0..255, 1/255 for 0..1 */
    float mean[3];      /* in the network's channel order */
    float std[3];
    int resize_short;   /* shorter side resized to this before the centre crop */
} Preproc;

typedef struct {
    const char *name;   /* "alexnet", "alexnet-tv", "lenet5" */
    const char *title;  /* one line for people */
    Shape input;        /* 3×227×227 */
    int nlayers;
    const LayerSpec *layers;
    Preproc preproc;    /* the default for built-in weights and files of this arch */
} ArchSpec;

extern const ArchSpec arch_alexnet, arch_alexnet_tv, arch_lenet5;
extern const ArchSpec *const arch_all[]; /* NULL-terminated */

const ArchSpec *arch_find(const char *name); /* NULL if unknown */
int arch_layer_index(const ArchSpec *a, const char *name); /* -1 if unknown */
int arch_has_weights(LayerKind k); /* conv and fc */

/* ---- the arithmetic that is taught ------------------------------------------------ */

/* (n + 2p - f) / s + 1, rounded down (ceil_mode 0) or up (1). Returns <= 0 if the
   kernel does not fit. */
int conv_out_size(int n, int f, int p, int s, int ceil_mode);

/* One layer's output-size calculation, with its own numbers. */
typedef struct {
    int n, f, p, s, ceil_mode;
    double exact;        /* (n + 2p - f) / s + 1 before rounding, e.g. 54.25 */
    int divides;         /* exact is an integer */
    int out;             /* after rounding */
    char nopad[128];     /* "(227−11)/4+1 = 55"   (n−f)/s+1, the slides' first form */
    char padded[128];    /* "(27+2·2−5)/1+1 = 27"  (n+2p−f)/s+1, the second form */
    char rounding[160];  /* "" when it divides; else how floor/ceil resolve 54.25 */
} SizeCalc;

/* Fills c for a conv or pool layer with input size n; returns 0, or -1 for other kinds. */
int size_calc(const LayerSpec *l, int n, SizeCalc *c);

/* A shape as the slides write it: "55×55×96" (H×W×C), or "4096" for a vector. Returns buf. */
char *shape_hwc(Shape s, char *buf, size_t size);

/* Output shape of layer l for input shape in; -1 and an Err if it cannot run. */
int layer_out_shape(const LayerSpec *l, Shape in, Shape *out, Err *e);

/* ---- weights ---------------------------------------------------------------------- */

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
    char format[32];     /* "built-in", "onnx", "safetensors", "caffemodel" */
} Weights;

/* Allocates zeroed (w, b) for every conv / fc layer of a. -1 on out-of-memory. */
int weights_alloc(const ArchSpec *a, Weights *w, Err *e);
void weights_free(Weights *w);

/* The deterministic default: conv1 a bank of oriented Gabor edges and colour blobs
   (like the paper's Figure 3), every other layer He-initialised from seed. */
int weights_builtin(const ArchSpec *a, uint64_t seed, Weights *w, Err *e);

/* Expected element counts of layer i's weight and bias for input shape in_shape. */
void layer_param_counts(const ArchSpec *a, int i, long *nw, long *nb);

/* ---- the run ------------------------------------------------------------------------ */

typedef struct {
    const LayerSpec *spec;
    Shape in, out;
    long nw, nb;             /* this layer's weight and bias counts */
    long long params_running;/* total parameters up to and including this layer */
    long long macs;          /* multiply-accumulates */
    long long act_bytes;     /* bytes of this layer's output (float32) */
    char params_expr[160];   /* "96×11×11×3 + 96 = 34,944"; "" for layers without weights */
    int has_size;            /* conv / pool: size is filled */
    SizeCalc size;           /* output height calculation (square layers) */
    int rf, rf_jump, rf_start; /* receptive field on the input: size, stride, offset of unit 0 */

    /* filled when the layer has run */
    int computed;
    double ms;
    float min, max, mean, zero_frac;
    float *out_data;         /* (out.c, out.h, out.w), owned by Net */
} LayerRun;

typedef struct {
    const ArchSpec *arch;
    const Weights *weights;
    int nlayers;
    LayerRun *layers;
    float *input;            /* (input.c, input.h, input.w) */
    int has_input;
    int done;                /* layers computed so far: 0..nlayers */
    long long total_params, total_macs, total_act_bytes;
    int train_dropout;       /* 1: dropout layers drop units with a seeded mask */
    uint64_t dropout_seed;
    unsigned char *drop_mask;/* the mask of the last dropout layer run in train mode */
} Net;

/* Builds the run state and checks every weight count against the spec. */
Net *net_create(const ArchSpec *a, const Weights *w, Err *e);
void net_free(Net *n);

/* Copies x (arch->input shape) in and forgets all computed layers. */
void net_set_input(Net *n, const float *x);
/* Forgets computed layers from k on (k = 0: all). */
void net_reset(Net *n, int k);
/* Computes the next layer. Returns the number of layers done (1..nlayers), 0 when all
   were already done, -1 on error (no input). */
int net_step(Net *n, Err *e);
/* Steps until k layers are done (k clipped to nlayers). */
int net_run_to(Net *n, int k, Err *e);
int net_forward(Net *n, Err *e);

/* The input of layer i (the previous layer's output or the image tensor). */
const float *net_layer_input(const Net *n, int i);
/* The final layer's output (probabilities, or logits for alexnet-tv), or NULL. */
const float *net_output(const Net *n, int *count);

/* Top-k indices of v (length n), descending. k <= n. */
void topk(const float *v, int n, int k, int *idx);

#endif
