/* fast_impl.h - the fast engine's kernels, shared by fast.c (prefix fk_). Buffers are
   float32, batch-major: a batch of activations is (n, C, H, W). The kernels never allocate
   and never fail: fast.c checks shapes and sizes the scratch in fast_create.

   Each kernel computes one part of a layer (part t of nparts, the engine's threads, see
   fast_pool.h); every output element belongs to exactly one part and is computed with the
   same arithmetic whatever the number of parts. */
#ifndef ALEXSCOPE_FAST_IMPL_H
#define ALEXSCOPE_FAST_IMPL_H

#include "arch.h"

/* One convolution of n images: out (n, os) = conv(in (n, is), w (cout, cin/groups, k, k)) + b. */
typedef struct {
    float *out;
    const float *in, *w, *b;
    int n, k, stride, pad, groups;
    Shape is, os;
} FkConv;

/* Elements of the im2col scratch one part needs: (cin/groups·k·k) × (ho·wo), or 0 when the
   layer is a 1×1, stride 1, unpadded conv whose input already is that matrix. */
long fk_conv_scratch(Shape in, Shape out, int k, int stride, int pad, int groups);

/* The n × groups (image, group) products, each cut into column pieces when there are fewer
   of them than parts. For each piece: cols = im2col of those output pixels (group g's
   channels), then out_g[:, pixels] = b + w_g (cout/g, cin/g·k·k) × cols (one SGEMM).
   cols: this part's scratch (fk_conv_scratch elements). */
void fk_conv_part(const FkConv *c, float *cols, int part, int nparts);

/* out (n, nout) = in (n, nin) · wᵀ + b for this part's outputs: SGEMV over a slice of w's
   rows for one image, SGEMM for more. */
void fk_fc_part(float *out, const float *in, const float *w, const float *b, int n, int nin,
                int nout, int part, int nparts);

/* The nn kernels' formulas (kernels.h) on planes [p0, p1) of the n·C planes of a batch, with
   the bounds hoisted out of the inner loops: LRN across channels, max / average pooling
   (same padding, clipping and count rules as nn/kernels/pool.c). */
void fk_lrn(float *out, const float *in, Shape s, long p0, long p1, int size, float alpha,
            float beta, float k);
void fk_maxpool(float *out, const float *in, Shape is, Shape os, long p0, long p1, int k, int stride, int pad);
void fk_avgpool(float *out, const float *in, Shape is, Shape os, long p0, long p1, int k, int stride, int pad);

#endif
