/* kernels.h - the naive-loop layer kernels, one file per kind (conv.c, pool.c, ...).

   Each kernel is output-first plain loops that a student can put next to the formula.
   Buffers are float32, channel-major: an activation is (C, H, W), a vector is (N).
   Kernels never allocate and never fail: the caller (net.c) checks shapes first. */
#ifndef ALEXSCOPE_KERNELS_H
#define ALEXSCOPE_KERNELS_H

#include <stdint.h>

#include "arch.h"

/* out (cout, ho, wo) = w (cout, cin/groups, k, k) * in (cin, h, w) + b (cout)
   Output channel o reads input channels [g*cin/groups, (g+1)*cin/groups), g = o / (cout/groups). */
void conv2d(float *out, const float *in, const float *w, const float *b,
            Shape in_shape, Shape out_shape, int k, int stride, int pad, int groups);

/* The same value for one unit, by the textbook seven-loop formula (used by "show the math"
   and the tests). */
float conv2d_unit(const float *in, const float *w, const float *b, Shape in_shape,
                  int cout, int k, int stride, int pad, int groups, int o, int y, int x);

/* ---- the same convolution as Caffe computes it (kernels/im2col.c) ----
   cols (cin_g·k·k, ho·wo) = the patch matrix of in (cin_g, h, w), one group's channels
   (is.c = cin_g): column p = y·wo + x is the window of output unit (y, x), row
   (c·k + i)·k + j holds in[c][y·s − pad + i][x·s − pad + j], 0 on the padding. */
void im2col(float *cols, const float *in, Shape is, Shape os, int k, int stride, int pad);
/* Column p of that matrix alone, written to col[0], col[step], col[2·step], ... */
void im2col_column(float *col, long step, const float *in, Shape is, int k, int stride, int pad, int wo, long p);
/* c (m, n) = a (m, kk) × b (kk, n), plain loops. */
void matmul(float *c, const float *a, const float *b, int m, int kk, int n);
/* conv2d's output by im2col + matmul per group, then + b. cols: scratch of
   (cin/groups·k·k) × (ho·wo) floats (plan_im2col's rows × cols). */
void conv2d_im2col(float *out, const float *in, const float *w, const float *b, Shape is, Shape os, int k,
                   int stride, int pad, int groups, float *cols);

/* out (n) = max(0, in (n)) */
void relu(float *out, const float *in, long n);
/* out (n) = tanh(in (n)) */
void tanh_act(float *out, const float *in, long n);

/* Local response normalisation across channels (Caffe / PyTorch / ONNX agree):
   out[c] = in[c] / (k + alpha/size * sum_{c' in c±size/2} in[c']^2)^beta */
void lrn(float *out, const float *in, Shape s, int size, float alpha, float beta, float k);

/* Max / average pooling, kernel k, stride, padding pad on each side; out_shape decides
   floor or ceil rounding. Padding never wins a max; an average divides by the
   window clipped to the padded input, as PyTorch's count_include_pad does. */
void maxpool(float *out, const float *in, Shape in_shape, Shape out_shape, int k, int stride, int pad);
void avgpool(float *out, const float *in, Shape in_shape, Shape out_shape, int k, int stride, int pad);

/* out (nout) = w (nout, nin) · in (nin) + b (nout) */
void fc(float *out, const float *in, const float *w, const float *b, int nin, int nout);

/* Inference: out = in. Train mode (mask != NULL): each unit is kept with probability
   1 - ratio and scaled by 1/(1 - ratio); mask (n) records 1 = kept. seed makes it repeatable. */
void dropout(float *out, const float *in, long n, float ratio, unsigned char *mask, uint64_t seed);

/* Numerically stable: out = exp(in - max) / sum exp(in - max). */
void softmax(float *out, const float *in, int n);

#endif
