/* backward.h - the backward pass: one *_backward beside each forward kernel (kernels.h; the
   code in the same nn/kernels/KIND.c), and net_backward (net_backward.c), which walks a
   computed Net from a layer down to the input.

   Notation: y = f(x) is the forward layer, dy = ∂L/∂y is given, the kernel returns
   dx = ∂L/∂x (and dw, db for layers with weights). Buffers are float32 and shaped as in
   kernels.h: activations (C, H, W), vectors (N), conv w (cout, cin/groups, k, k).

       Grads g;  grads_alloc(arch, &g, &err);            // weights.h: zeroed, the weights' shapes
       net->train_dropout = 1;  net_set_input(net, x);  net_forward(net, &err);
       float loss;
       net_backward_loss(net, label, &g, &loss, &err);   // fc8's dx = p − onehot, then down
       ... SGD: w -= lr * g.l[i].w / batch ...;  grads_zero(&g);

       // saliency: d fc8[K] / d input, guided backprop
       float *dtop = calloc(1000, sizeof(float));  dtop[K] = 1;
       net_backward(net, fc8, dtop, RELU_GUIDED, NULL, dinput, &err);

   Conventions (every kernel):
   - dx is OVERWRITTEN (=); dw and db ACCUMULATE (+=), so calling once per image of a
     mini-batch sums the batch's gradients (zero them with grads_zero between steps).
   - conv2d_backward and fc_backward take NULL for any of dx, dw, db: that gradient is not
     computed (the first layer needs no dx for training; saliency needs no dw). The other
     kernels need dx.
   - dx must not alias dy or the forward buffers.
   - Kernels never allocate and never fail; net_backward checks shapes first.
   Ownership: the caller owns every buffer. Failure (net_backward*): -1 and an Err. */
#ifndef ALEXSCOPE_BACKWARD_H
#define ALEXSCOPE_BACKWARD_H

#include <stdint.h>

#include "arch.h"
#include "err.h"
#include "net.h"
#include "weights.h"

/* How a ReLU passes the gradient back (the three saliency methods).
     RELU_GRADIENT  dx = dy · [x > 0]               the true gradient (Simonyan et al. 2014)
     RELU_GUIDED    dx = dy · [x > 0] · [dy > 0]    guided backpropagation (Springenberg et al. 2015)
     RELU_DECONV    dx = dy · [dy > 0]              deconvnet (Zeiler & Fergus 2014): the
                                                    forward input does not matter */
typedef enum { RELU_GRADIENT, RELU_GUIDED, RELU_DECONV, RELU_MODE_COUNT } ReluMode;

/* "gradient", "guided", "deconv" */
const char *relu_mode_name(ReluMode m);
/* The mode named s, or -1. */
int relu_mode_find(const char *s);

/* ---- the kernels ------------------------------------------------------------------------- */

/* Convolution (conv2d), x (cin, h, w), y (cout, ho, wo), g = o / (cout/groups):
     dx[g·cin_g + c][y·s − p + i][x·s − p + j] = Σ_o Σ_y Σ_x w[o][c][i][j] · dy[o][y][x]
     dw[o][c][i][j] += Σ_y Σ_x dy[o][y][x] · x[g·cin_g + c][y·s − p + i][x·s − p + j]
     db[o]          += Σ_y Σ_x dy[o][y][x]
   (positions in the padding contribute nothing). */
void conv2d_backward(float *dx, float *dw, float *db, const float *dy, const float *in,
                     const float *w, Shape in_shape, Shape out_shape, int k, int stride, int pad,
                     int groups);

/* ReLU: dx = dy · [in > 0] (and see ReluMode). in is the forward input. */
void relu_backward(float *dx, const float *dy, const float *in, long n, ReluMode mode);

/* tanh: y = tanh(x), dx = dy · (1 − y²). out is the forward OUTPUT. */
void tanh_backward(float *dx, const float *dy, const float *out, long n);

/* LRN (lrn): y_c = x_c · d_c^−β, d_c = k + α/n · Σ_{c' ∈ W(c)} x_c'², W(c) = [c − n/2, c + (n−1)/2]:
     dx_j = dy_j · d_j^−β − (2αβ/n) · x_j · Σ_{c : j ∈ W(c)} dy_c · x_c · d_c^(−β−1)
   in is the forward input. */
void lrn_backward(float *dx, const float *dy, const float *in, Shape s, int size, float alpha,
                  float beta, float k);

/* Max pool: each output's gradient goes to its window's maximum, found again in the forward
   input in: the FIRST position in the window (row by row) holding the maximum, as maxpool
   picks it (and PyTorch); windows overlap, so dx sums. Padding never receives anything. */
void maxpool_backward(float *dx, const float *dy, const float *in, Shape in_shape,
                      Shape out_shape, int k, int stride, int pad);
/* Average pool: dx[iy][ix] = Σ over windows covering it of dy / count, count the window
   clipped to the padded input (avgpool's rule). */
void avgpool_backward(float *dx, const float *dy, Shape in_shape, Shape out_shape, int k,
                      int stride, int pad);

/* Fully connected, y[o] = b[o] + Σ_i w[o][i] · x[i]:
     dx[i] = Σ_o w[o][i] · dy[o];   dw[o][i] += dy[o] · x[i];   db[o] += dy[o] */
void fc_backward(float *dx, float *dw, float *db, const float *dy, const float *in,
                 const float *w, int nin, int nout);

/* Dropout: mask NULL (inference): dx = dy; else dx = dy · mask / (1 − ratio), the mask the
   forward drew (dropout()). */
void dropout_backward(float *dx, const float *dy, long n, float ratio, const unsigned char *mask);

/* Softmax alone, p = softmax(x): dx_i = p_i · (dy_i − Σ_j dy_j · p_j). */
void softmax_backward(float *dx, const float *dy, const float *p, int n);

/* Softmax + cross-entropy fused, L = −log p[label]: dx = p − onehot(label) (dx is the
   gradient at the LOGITS, the softmax's input). Returns L (+inf when p[label] is 0). */
float softmax_ce_backward(float *dx, const float *p, int n, int label);

/* ---- the network -------------------------------------------------------------------------- */

/* Back-propagates dtop (layer top's output shape) from layer top down to the input, through
   the activations n kept from its forward pass (layers 0..top computed, the same input,
   and for train-mode dropout the same n->train_dropout and n->dropout_seed: the masks are
   drawn again). ReLUs pass the gradient as mode says. g: NULL, or gradients for every
   conv / fc at or below top, ACCUMULATED (grads_alloc'd for n->arch). dinput: NULL, or
   d/d input (n->arch->input's shape). A softmax layer at top uses softmax_backward.
   Allocates two scratch activations and a dropout mask per call (max_act each). */
int net_backward(Net *n, int top, const float *dtop, ReluMode mode, Grads *g, float *dinput,
                 Err *e);

/* net_backward stopped above layer bottom: back-propagates through layers top..bottom+1 and
   writes d/d(layer bottom's output) into dbottom (bottom -1: the input, as net_backward;
   dbottom NULL: only g). For a lesson that shows dL/dy at one layer of a run. */
int net_backward_to(Net *n, int top, const float *dtop, int bottom, ReluMode mode, Grads *g, float *dbottom,
                    Err *e);

/* For training: the last layer must be a softmax (computed). Cross-entropy against label,
   dx = p − onehot at the softmax's input, then net_backward (RELU_GRADIENT) into g (not
   NULL) from the layer below the softmax. *loss = −log p[label]. */
int net_backward_loss(Net *n, int label, Grads *g, float *loss, Err *e);

#endif
