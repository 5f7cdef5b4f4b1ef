/* fast_impl.h - the fast engine's kernels, shared by fast.c (prefix fk_). Buffers are
   float32, batch-major: a batch of activations is (n, C, H, W). The kernels never allocate
   and never fail: fast.c checks shapes and sizes the scratch in fast_create. */
#ifndef ALEXSCOPE_FAST_IMPL_H
#define ALEXSCOPE_FAST_IMPL_H

#include "arch.h"

/* Elements of the im2col scratch a convolution needs: (cin/groups·k·k) × (ho·wo), or 0 when
   the layer is a 1×1, stride 1, unpadded conv whose input already is that matrix. */
long fk_conv_scratch(Shape in, Shape out, int k, int stride, int pad, int groups);

/* For each of the n images and each group g: cols = im2col(in's channels of g), then
   out_g (cout/g, ho·wo) = b + w_g (cout/g, cin/g·k·k) × cols (one SGEMM). */
void fk_conv(float *out, const float *in, const float *w, const float *b, int n, Shape in_s,
             Shape out_s, int k, int stride, int pad, int groups, float *cols);

/* out (n, nout) = in (n, nin) · wᵀ + b: SGEMV for one image, SGEMM for more. */
void fk_fc(float *out, const float *in, const float *w, const float *b, int n, int nin, int nout);

/* The nn kernels' formulas (kernels.h) for n images, with the bounds hoisted out of the
   inner loops: LRN across channels, max / average pooling (same padding, clipping and
   count rules as nn/kernels/pool.c). */
void fk_lrn(float *out, const float *in, int n, Shape s, int size, float alpha, float beta, float k);
void fk_maxpool(float *out, const float *in, int n, Shape is, Shape os, int k, int stride, int pad);
void fk_avgpool(float *out, const float *in, int n, Shape is, Shape os, int k, int stride, int pad);

#endif
