/* arch.h - the networks as data: what each layer is (its hyper-parameters), what each kind
   of layer means, and the output-size arithmetic that the slides teach. No allocation, no
   state: the tables are static (arch.c).

       const ArchSpec *a = arch_find("alexnet");          // NULL if unknown
       for (int i = 0; i < a->nlayers; i++)
           printf("%s %s\n", a->layers[i].name, layer_kind(a->layers[i].kind)->name);
       int n = conv_out_size(227, 11, 0, 4, 0);            // 55

   Three kinds of state, never mixed (as in llama2.c): the spec (this file), the weights
   (weights.h) and one image's run (net.h); the plan (plan.h) is what follows from the spec. */
#ifndef ALEXSCOPE_ARCH_H
#define ALEXSCOPE_ARCH_H

#include <stddef.h>

#include "err.h"

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

struct LayerSpec;

/* What a kind of layer is, for everything that would otherwise switch on the kind. */
typedef struct {
    const char *name;   /* "conv", "relu", ... */
    int has_weights;    /* conv, fc: a (w, b) pair */
    int windowed;       /* conv, pools: a k×k window moved with a stride over padded input:
                           it has an output-size formula and grows the receptive field */
    int pointwise;      /* relu, tanh, dropout: out[i] depends on in[i] only */
    /* the hyper-parameters in one line ("96 11×11/4 p0 g1"); NULL for kinds without any */
    void (*hyper)(const struct LayerSpec *l, char *buf, size_t size);
} LayerKindInfo;

const LayerKindInfo *layer_kind(LayerKind k);

/* An activation's shape. Vectors (fc outputs) are c×1×1. */
typedef struct {
    int c, h, w;
} Shape;

typedef struct LayerSpec {
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
    const char *added;   /* NULL; or, for a layer the original network does not have and
                            alexscope adds, why (torchvision's AlexNet ends at fc8's logits:
                            its softmax is ours) */
} LayerSpec;

/* How an image becomes the input tensor: resize (warp or shorter side), centre crop, then
   x = (pixel * scale - mean) / std per channel in the network's channel order. */
typedef struct {
    const char *name;   /* "caffe", "torchvision", "lenet" */
    int bgr;            /* 1: channel 0 is blue (Caffe); 0: RGB */
    int grey;           /* 1: a single luminance channel */
    float scale;        /* 1 for 0..255, 1/255 for 0..1 */
    float mean[3];      /* in the network's channel order */
    float std[3];
    int resize;         /* 256: the size the photo is resized to before the crop */
    int warp;           /* 1: the whole photo to resize×resize, aspect not kept (what Caffe
                           did at test time); 0: the shorter side to resize, aspect kept
                           (torchvision's Resize(256)) */
    const char *about;  /* where the numbers come from, for --verbose and the docs */
} Preproc;

typedef struct {
    const char *name;   /* "alexnet", "alexnet-tv", "lenet5" */
    const char *title;  /* one line for people */
    const char *note;   /* NULL, or what a reader of the original paper must know about
                           this table (lenet5: the modern simplification, not LeCun 1998) */
    Shape input;        /* 3×227×227 */
    int nlayers;
    const LayerSpec *layers;
    Preproc preproc;    /* the default for built-in weights and files of this arch */
} ArchSpec;

extern const ArchSpec arch_alexnet, arch_alexnet_tv, arch_lenet5;
extern const ArchSpec *const arch_all[]; /* NULL-terminated: the one list of architectures */

const ArchSpec *arch_find(const char *name); /* NULL if unknown */
/* "alexnet, alexnet-tv, lenet5": every arch_all name, for messages and --help. Returns buf. */
char *arch_names(char *buf, size_t size);
int arch_layer_index(const ArchSpec *a, const char *name); /* -1 if unknown */
int arch_has_weights(LayerKind k); /* layer_kind(k)->has_weights */
/* The network's first convolution (the one that sees the image), or -1. */
int arch_first_conv(const ArchSpec *a);

/* A vector (an fc output): c×1×1. */
int shape_is_vector(Shape s);
long shape_count(Shape s); /* c·h·w */

/* A shape as the slides write it: "55×55×96" (H×W×C), or "4096" for a vector. Returns buf. */
char *shape_hwc(Shape s, char *buf, size_t size);

/* A layer's hyper-parameters in one line, as `summary` prints them: "96 11×11/4 p0 g1",
   "3×3/2 p0 ceil", "n5 α0.0001 β0.75 k1", "4096", "p=0.5"; "" for kinds without any. */
char *layer_hyper(const LayerSpec *l, char *buf, size_t size);

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

/* Fills c for a windowed layer with input size n; returns 0, or -1 for other kinds. */
int size_calc(const LayerSpec *l, int n, SizeCalc *c);

/* Output shape of layer l for input shape in; -1 and an Err if it cannot run. */
int layer_out_shape(const LayerSpec *l, Shape in, Shape *out, Err *e);

#endif
