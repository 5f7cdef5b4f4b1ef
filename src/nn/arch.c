/* arch.c - the networks as data: one LayerSpec table per architecture, and the
   output-size arithmetic that the slides teach. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "arch_table.h"

/* ---- layer kinds ---------------------------------------------------------------------- */

static void hyper_conv(const LayerSpec *l, char *buf, size_t size)
{
    snprintf(buf, size, "%d %d×%d/%d p%d g%d", l->out, l->k, l->k, l->stride, l->pad, l->groups);
}

static void hyper_pool(const LayerSpec *l, char *buf, size_t size)
{
    snprintf(buf, size, "%d×%d/%d p%d %s", l->k, l->k, l->stride, l->pad, l->ceil_mode ? "ceil" : "floor");
}

static void hyper_lrn(const LayerSpec *l, char *buf, size_t size)
{
    snprintf(buf, size, "n%d α%g β%g k%g", l->lrn_n, l->lrn_alpha, l->lrn_beta, l->lrn_k);
}

static void hyper_fc(const LayerSpec *l, char *buf, size_t size) { snprintf(buf, size, "%d", l->out); }

static void hyper_dropout(const LayerSpec *l, char *buf, size_t size) { snprintf(buf, size, "p=%g", l->drop_ratio); }

static const LayerKindInfo kinds[LK_COUNT] = {
    /*              name       weights windowed pointwise hyper */
    [LK_CONV]    = {"conv",    1, 1, 0, hyper_conv},
    [LK_RELU]    = {"relu",    0, 0, 1, NULL},
    [LK_TANH]    = {"tanh",    0, 0, 1, NULL},
    [LK_LRN]     = {"lrn",     0, 0, 0, hyper_lrn},
    [LK_MAXPOOL] = {"maxpool", 0, 1, 0, hyper_pool},
    [LK_AVGPOOL] = {"avgpool", 0, 1, 0, hyper_pool},
    [LK_FC]      = {"fc",      1, 0, 0, hyper_fc},
    [LK_DROPOUT] = {"dropout", 0, 0, 1, hyper_dropout},
    [LK_SOFTMAX] = {"softmax", 0, 0, 0, NULL},
};
_Static_assert(sizeof kinds / sizeof kinds[0] == LK_COUNT, "one entry per layer kind");

const LayerKindInfo *layer_kind(LayerKind k) { return &kinds[k >= 0 && k < LK_COUNT ? k : LK_SOFTMAX]; }

int arch_has_weights(LayerKind k) { return layer_kind(k)->has_weights; }

char *layer_hyper(const LayerSpec *l, char *buf, size_t size)
{
    if (size) buf[0] = '\0';
    if (layer_kind(l->kind)->hyper) layer_kind(l->kind)->hyper(l, buf, size);
    return buf;
}

/* ---- the networks ---------------------------------------------------------------------- */

/* Caffe's models/bvlc_alexnet/deploy.prototxt: conv, relu, norm, pool; groups 2 where the
   two GPUs did not talk (conv2, conv4, conv5); Caffe rounds pool sizes up. */
static const LayerSpec alexnet_layers[] = {
    CONV("conv1", NULL, 96, 11, 4, 0, 1), RELU("relu1"), LRN("norm1"), MAXPOOL("pool1", 3, 2, 1),
    CONV("conv2", NULL, 256, 5, 1, 2, 2), RELU("relu2"), LRN("norm2"), MAXPOOL("pool2", 3, 2, 1),
    CONV("conv3", NULL, 384, 3, 1, 1, 1), RELU("relu3"),
    CONV("conv4", NULL, 384, 3, 1, 1, 2), RELU("relu4"),
    CONV("conv5", NULL, 256, 3, 1, 1, 2), RELU("relu5"), MAXPOOL("pool5", 3, 2, 1),
    FC("fc6", NULL, 4096), RELU("relu6"), DROP("drop6"),
    FC("fc7", NULL, 4096), RELU("relu7"), DROP("drop7"),
    FC("fc8", NULL, 1000), SOFTMAX("prob"),
};

/* torchvision/models/alexnet.py ("one weird trick"): no LRN, no groups, floor pooling.
   Its AdaptiveAvgPool2d(6) is the identity at 224 and is left out. Its classifier is
   Dropout, Linear, ReLU, Dropout, Linear, ReLU, Linear: dropout acts on the 9,216 flattened
   inputs of fc6 (classifier.0) and on relu6's output (classifier.3), none before fc8; the
   model ends at fc8's logits, so the softmax is ours. */
static const LayerSpec alexnet_tv_layers[] = {
    CONV("conv1", "features.0", 64, 11, 4, 2, 1), RELU("relu1"), MAXPOOL("pool1", 3, 2, 0),
    CONV("conv2", "features.3", 192, 5, 1, 2, 1), RELU("relu2"), MAXPOOL("pool2", 3, 2, 0),
    CONV("conv3", "features.6", 384, 3, 1, 1, 1), RELU("relu3"),
    CONV("conv4", "features.8", 256, 3, 1, 1, 1), RELU("relu4"),
    CONV("conv5", "features.10", 256, 3, 1, 1, 1), RELU("relu5"), MAXPOOL("pool5", 3, 2, 0),
    DROP("drop6"), FC("fc6", "classifier.1", 4096), RELU("relu6"),
    DROP("drop7"), FC("fc7", "classifier.4", 4096), RELU("relu7"),
    FC("fc8", "classifier.6", 1000),
    SOFTMAX_ADDED("prob", "added by alexscope: torchvision's AlexNet outputs fc8's logits"),
};

/* LeNet-5 as usually taught today, a simplification of LeCun et al. 1998: 32×32 grey input,
   tanh units, 2×2 average pooling without trainable coefficients, C3 connected to all six
   of C1's maps, a trainable 84→10 layer and a softmax (see arch_lenet5.note). */
static const LayerSpec lenet5_layers[] = {
    CONV("conv1", NULL, 6, 5, 1, 0, 1), TANH("tanh1"), AVGPOOL("pool1", 2, 2),
    CONV("conv2", NULL, 16, 5, 1, 0, 1), TANH("tanh2"), AVGPOOL("pool2", 2, 2),
    FC("fc3", NULL, 120), TANH("tanh3"),
    FC("fc4", NULL, 84), TANH("tanh4"),
    FC("fc5", NULL, 10), SOFTMAX("prob"),
};

const ArchSpec arch_alexnet = {
    .name = "alexnet",
    .title = "AlexNet 2012 (Krizhevsky, Sutskever, Hinton), Caffe's bvlc_alexnet: LRN, two-GPU groups",
    .input = {3, 227, 227},
    .nlayers = COUNT(alexnet_layers),
    .layers = alexnet_layers,
    .preproc = {.name = "caffe", .bgr = 1, .scale = 1.0f, .mean = {104.0f, 117.0f, 123.0f},
                .std = {1.0f, 1.0f, 1.0f}, .resize = 256, .warp = 1,
                .about = "input BGR, 0–255; 104/117/123 are the per-channel means of Caffe's per-pixel mean "
                         "image (ilsvrc_2012_mean: 104.007, 116.669, 122.679, BGR)"},
};

const ArchSpec arch_alexnet_tv = {
    .name = "alexnet-tv",
    .title = "AlexNet as in torchvision (one weird trick, 2014): no LRN, no groups",
    .input = {3, 224, 224},
    .nlayers = COUNT(alexnet_tv_layers),
    .layers = alexnet_tv_layers,
    .preproc = {.name = "torchvision", .bgr = 0, .scale = 1.0f / 255.0f,
                .mean = {0.485f, 0.456f, 0.406f}, .std = {0.229f, 0.224f, 0.225f}, .resize = 256,
                .about = "input RGB, 0–1; ImageNet's per-channel mean and standard deviation (torchvision)"},
};

const ArchSpec arch_lenet5 = {
    .name = "lenet5",
    .title = "LeNet-5 as taught today, a simplification of LeCun, Bottou, Bengio, Haffner 1998: digits, 32×32 grey",
    .note = "lenet5 is the modern simplification, not LeCun 1998 exactly: here C3 sees all six C1 maps, the "
            "pooling has no trainable coefficients, the units are plain tanh and fc5 is a trainable "
            "84→10 layer with a softmax. The 1998 network: C1, C3 (a sparse connection table) and C5 "
            "convolutional, F6 fully connected, 10 Euclidean RBF outputs, trainable sub-sampling, "
            "1.7159·tanh(2a/3); about 60,000 trainable parameters.",
    .input = {1, 32, 32},
    .nlayers = COUNT(lenet5_layers),
    .layers = lenet5_layers,
    .preproc = {.name = "lenet", .grey = 1, .scale = 1.0f / 255.0f, .mean = {0.5f, 0.5f, 0.5f},
                .std = {0.5f, 0.5f, 0.5f}, .resize = 32,
                .about = "one grey channel (0.299 R + 0.587 G + 0.114 B), 0–1, mapped to −1..1; the shorter "
                         "side to 32 keeps a photo's aspect (a digit is drawn square anyway)"},
};

const ArchSpec *const arch_all[] = {&arch_alexnet, &arch_alexnet_tv, &arch_lenet5, NULL};

const ArchSpec *arch_find(const char *name)
{
    for (int i = 0; name && arch_all[i]; i++)
        if (strcmp(arch_all[i]->name, name) == 0) return arch_all[i];
    return NULL;
}

int arch_layer_index(const ArchSpec *a, const char *name)
{
    for (int i = 0; name && i < a->nlayers; i++)
        if (strcmp(a->layers[i].name, name) == 0) return i;
    return -1;
}

char *arch_names(char *buf, size_t size)
{
    size_t o = 0;
    if (size) buf[0] = '\0';
    for (int i = 0; arch_all[i] && o < size; i++) {
        int n = snprintf(buf + o, size - o, "%s%s", i ? ", " : "", arch_all[i]->name);
        if (n < 0) break;
        o += (size_t)n;
    }
    return buf;
}

int arch_first_conv(const ArchSpec *a)
{
    for (int i = 0; i < a->nlayers; i++)
        if (a->layers[i].kind == LK_CONV) return i;
    return -1;
}

int shape_is_vector(Shape s) { return s.h == 1 && s.w == 1; }

long shape_count(Shape s) { return (long)s.c * s.h * s.w; }

int conv_out_size(int n, int f, int p, int s, int ceil_mode)
{
    int span = n + 2 * p - f;
    if (span < 0 || s <= 0) return 0;
    int out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
    /* As in PyTorch: the last window must start inside the input or the left padding. */
    if (ceil_mode && (out - 1) * s >= n + p) out--;
    return out;
}

int size_calc(const LayerSpec *l, int n, SizeCalc *c)
{
    if (!layer_kind(l->kind)->windowed) return -1;
    memset(c, 0, sizeof *c);
    c->n = n, c->f = l->k, c->p = l->pad, c->s = l->stride, c->ceil_mode = l->ceil_mode;
    int span = n + 2 * l->pad - l->k;
    c->exact = (double)span / l->stride + 1.0;
    c->divides = span >= 0 && span % l->stride == 0;
    c->out = conv_out_size(n, l->k, l->pad, l->stride, l->ceil_mode);

    /* The slides' two forms. U+2212 minus and U+00B7 middle dot, as on a blackboard. */
    char value[48];
    if (c->divides) snprintf(value, sizeof value, "%d", c->out);
    else snprintf(value, sizeof value, "%g → %d", c->exact, c->out);
    if (l->pad == 0)
        snprintf(c->nopad, sizeof c->nopad, "(%d−%d)/%d+1 = %s", n, l->k, l->stride, value);
    else {
        double nopad_exact = (double)(n - l->k) / l->stride + 1.0;
        int nopad_out = conv_out_size(n, l->k, 0, l->stride, l->ceil_mode);
        if ((n - l->k) >= 0 && (n - l->k) % l->stride == 0)
            snprintf(c->nopad, sizeof c->nopad, "(%d−%d)/%d+1 = %d", n, l->k, l->stride, nopad_out);
        else
            snprintf(c->nopad, sizeof c->nopad, "(%d−%d)/%d+1 = %g", n, l->k, l->stride, nopad_exact);
    }
    snprintf(c->padded, sizeof c->padded, "(%d+2·%d−%d)/%d+1 = %s", n, l->pad, l->k, l->stride, value);
    if (!c->divides)
        snprintf(c->rounding, sizeof c->rounding,
                 "%g is not an integer: floor gives %d, ceil gives %d; this layer rounds %s",
                 c->exact, (int)floor(c->exact), (int)ceil(c->exact), l->ceil_mode ? "up (ceil)" : "down (floor)");
    return 0;
}

char *shape_hwc(Shape s, char *buf, size_t size)
{
    if (shape_is_vector(s)) snprintf(buf, size, "%d", s.c);
    else snprintf(buf, size, "%d×%d×%d", s.h, s.w, s.c);
    return buf;
}

int layer_out_shape(const LayerSpec *l, Shape in, Shape *out, Err *e)
{
    *out = in;
    switch (l->kind) {
    case LK_CONV:
        if (l->groups <= 0 || in.c % l->groups || l->out % l->groups)
            return err_set(e, "%s: %d input and %d output channels do not split into %d groups",
                           l->name, in.c, l->out, l->groups);
        /* fall through */
    case LK_MAXPOOL:
    case LK_AVGPOOL: {
        int ceil_mode = l->kind == LK_CONV ? 0 : l->ceil_mode;
        int h = conv_out_size(in.h, l->k, l->pad, l->stride, ceil_mode);
        int w = conv_out_size(in.w, l->k, l->pad, l->stride, ceil_mode);
        if (h <= 0 || w <= 0)
            return err_set(e, "%s: a %d×%d kernel does not fit a %d×%d input", l->name, l->k, l->k, in.h, in.w);
        out->h = h, out->w = w;
        if (l->kind == LK_CONV) out->c = l->out;
        return 0;
    }
    case LK_FC:
        out->c = l->out, out->h = 1, out->w = 1;
        return 0;
    default:
        return 0;
    }
}
