/* net.h - one image's run through a network: the instrumented, stepwise forward pass.

   Three kinds of state, never mixed (as in llama2.c):
     ArchSpec / LayerSpec   what each layer is (arch.h; static tables in arch.c)
     Weights                what the network learned (weights.h)
     Net                    one image's run: every layer's output and what we measured
   and the Plan (plan.h): what follows from the arch alone, which a Net carries.

       const ArchSpec *a = arch_find("alexnet");
       Weights w;  weights_builtin(a, WEIGHTS_DEFAULT_SEED, &w, &err);  // or wfile_load()
       Net *net = net_create(a, &w, &err);               // borrows w; keep it alive
       net_set_input(net, x);                            // x: (C, H, W) preprocessed floats
       while (net_step(net, &err) > 0) {
           int i = net->done - 1;
           ... net->plan.layers[i].out (shape), net->run[i].out_data (values) ...
       }
       net_free(net); weights_free(&w);

   Ownership: Net borrows its ArchSpec (static) and Weights (the caller frees them after
   net_free). Net owns every activation buffer. Failure: -1 / NULL and an Err. */
#ifndef ALEXSCOPE_NET_H
#define ALEXSCOPE_NET_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "err.h"
#include "plan.h"
#include "weights.h"

/* What running layer i produced. */
typedef struct {
    int computed;
    double ms;
    float min, max, mean, zero_frac;
    float *out_data;         /* (out.c, out.h, out.w) of plan.layers[i], owned by Net */
} LayerRun;

typedef struct {
    const ArchSpec *arch;
    const Weights *weights;
    int nlayers;             /* plan.nlayers */
    Plan plan;
    LayerRun *run;           /* nlayers entries */
    float *input;            /* (input.c, input.h, input.w) */
    int has_input;
    int done;                /* layers computed so far: 0..nlayers */
    int train_dropout;       /* 1: dropout layers drop units with a seeded mask */
    uint64_t dropout_seed;
    unsigned char *drop_mask;/* the mask of the last dropout layer run in train mode */
} Net;

/* Builds the plan and the run state and checks every weight count against the plan.
   w may be NULL (nothing can be computed then). */
Net *net_create(const ArchSpec *a, const Weights *w, Err *e);
void net_free(Net *n);
/* Every conv / fc layer of p has a (w, b) pair of the plan's counts in w; -1 and an Err if not. */
int net_check_weights(const Plan *p, const Weights *w, Err *e);
/* Fills r's min, max, mean and zero_frac from r->out_data (count values). */
void net_layer_stats(LayerRun *r, long count);

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
