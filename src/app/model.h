/* model.h - what the CLI, the lessons and the window share: the network a user asked for
   (arch + weights), the preprocessing that suits it, and turning an image into its input.

       Model m;
       if (model_load(&m, "bvlc_alexnet.caffemodel", NULL, NULL, &err) != 0) { ... err.msg ... }
       float *x = malloc(sizeof(float) * model_input_count(&m));
       if (model_image_input(&m, "cat.png", 0, -1, x, NULL, &err) != 0) { ... }
       Net *n = net_create(m.arch, &m.weights, &err);
       ...
       net_free(n); free(x); model_free(&m);

   Ownership: Model owns its Weights (model_free); x and crop belong to the caller.
   Failure: -1 and an Err "FILE: what" (an unknown arch or preset names the known ones). */
#ifndef ALEXSCOPE_MODEL_H
#define ALEXSCOPE_MODEL_H

#include "img.h"
#include "weights.h"

typedef struct {
    const ArchSpec *arch;
    Weights weights;
    Preproc preproc;
} Model;

/* weights_path NULL: the default for arch_name (NULL: alexnet): for lenet5 the shipped
   weights trained on Fashion-MNIST (model_shipped_weights) if the file is there, otherwise
   the built-in default with WEIGHTS_DEFAULT_SEED; MODEL_BUILTIN ("builtin"): the built-in
   default always. arch_name given with a file: that arch, else inferred from the file.
   preset NULL: the arch's own preprocessing. */
int model_load(Model *m, const char *weights_path, const char *arch_name, const char *preset, Err *e);
#define MODEL_BUILTIN "builtin"
/* <assets>/weights/lenet5-fashion.safetensors (labels.h's asset_path). Returns out. */
const char *model_shipped_weights(char *out, int size);
void model_free(Model *m);

/* A preprocessing preset by name: "caffe", "torchvision", "lenet". NULL if unknown. */
const Preproc *preproc_find(const char *name);

/* --resize: "warp" (the whole photo to 256×256, aspect not kept: Caffe at test time) or
   "short" (the shorter side to 256, aspect kept: torchvision) replaces the preset's choice;
   NULL keeps it. -1 and an Err naming both for anything else. */
int model_set_resize(Model *m, const char *mode, Err *e);

/* The resize in force, for a status line: "warp 256×256" or "shorter side 256". Returns buf. */
char *preproc_resize_text(const Preproc *p, char *buf, size_t size);

/* Elements of the network's input tensor (C·H·W). */
long model_input_count(const Model *m);

/* The input tensor x (model_input_count floats) from a decoded image: resize, crop (centre
   if crop_seed < 0), mirror, normalise with m->preproc. box (may be NULL) says where the crop
   came from; crop (may be NULL) receives the crop as an RGB image (img_free). */
int model_prepare(const Model *m, const Image *im, int mirror, long long crop_seed, float *x,
                  CropBox *box, Image *crop, Err *e);

/* img_load + model_prepare. */
int model_image_input(const Model *m, const char *path, int mirror, long long crop_seed, float *x,
                      CropBox *box, Err *e);

/* A .npy that holds exactly the input (C×H×W or 1×C×H×W float32) into x; any other
   shape is an error naming the file and the shape expected. */
int model_npy_input(const Model *m, const char *path, float *x, Err *e);

/* ---- the paper's ten crops (test-time augmentation) ------------------------------------ */

/* One of the ten: where the crop_w×crop_h window starts in the resized image, and whether
   the crop is mirrored left-right. name: "top-left", ..., "centre, mirrored" (static). */
typedef struct {
    const char *name;
    int x, y, mirror;
} ModelCrop;

/* The four corners and the centre of a src_w×src_h image, then the same five mirrored
   (Caffe's oversample order). The centre starts at ((src - crop) / 2) rounded down, as
   img_prepare's centre crop: 227 from 256 gives corners at 0 and 29, centre 14; 224 from
   256: 0, 32, 16. Pure arithmetic. -1 if the crop is larger than the image. */
int model_ten_crops(int src_w, int src_h, int crop_w, int crop_h, ModelCrop out[10]);

/* Copies crop c of src (ch, src_h, src_w) into dst (ch, crop_h, crop_w), mirrored if
   c->mirror. The crop must fit (model_ten_crops's boxes do). */
void model_crop_tensor(const float *src, int ch, int src_w, int src_h, const ModelCrop *c, int crop_w, int crop_h,
                       float *dst);

/* What the ten crops are cut from, normalised like the input: from an image, the whole
   resized photo (warp: 256×256; short: shorter side 256); from a .npy, a C×S×S (or
   1×C×S×S) float32 tensor with S the preset's resize (256). *big is malloc'd (caller
   frees), (C, *h, *w). Refuses an arch whose preset does not resize (lenet5). */
int model_full_input(const Model *m, const char *image, const char *npy, float **big, int *w, int *h, Err *e);

#endif
