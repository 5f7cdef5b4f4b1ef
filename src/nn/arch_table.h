/* arch_table.h - shorthand for writing a network as a table of LayerSpecs (src/arch.c),
   so a test can write a reduced-width copy in exactly the same form:

       static const LayerSpec mini[] = {
           CONV("conv1", NULL, 8, 11, 4, 0, 1), RELU("relu1"), LRN("norm1"), MAXPOOL("pool1", 3, 2, 1),
           ...
       };

   CONV(name, torchvision alias, filters, kernel, stride, pad per side, groups);
   MAXPOOL(name, kernel, stride, ceil_mode); LRN uses AlexNet's n 5, α 1e-4, β 0.75, k 1. */
#ifndef ALEXSCOPE_ARCH_TABLE_H
#define ALEXSCOPE_ARCH_TABLE_H

#include "arch.h"

#define CONV(nm, al, n, kk, s, p, g) { .kind = LK_CONV, .name = nm, .alias = al, .out = n, .k = kk, .stride = s, .pad = p, .groups = g }
#define RELU(nm)                     { .kind = LK_RELU, .name = nm }
#define TANH(nm)                     { .kind = LK_TANH, .name = nm }
#define LRN(nm)                      { .kind = LK_LRN, .name = nm, .lrn_n = 5, .lrn_alpha = 1e-4f, .lrn_beta = 0.75f, .lrn_k = 1.0f }
#define MAXPOOL(nm, kk, s, c)        { .kind = LK_MAXPOOL, .name = nm, .k = kk, .stride = s, .ceil_mode = c }
#define AVGPOOL(nm, kk, s)           { .kind = LK_AVGPOOL, .name = nm, .k = kk, .stride = s }
#define FC(nm, al, n)                { .kind = LK_FC, .name = nm, .alias = al, .out = n }
#define DROP(nm)                     { .kind = LK_DROPOUT, .name = nm, .drop_ratio = 0.5f }
#define SOFTMAX(nm)                  { .kind = LK_SOFTMAX, .name = nm }
/* A softmax the original network does not have (it outputs logits); why: a string. */
#define SOFTMAX_ADDED(nm, why)       { .kind = LK_SOFTMAX, .name = nm, .added = why }
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

#endif
