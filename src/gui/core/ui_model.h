/* ui_model.h - what the window shows of the network, as the view reads it: the model
   (arch, weights, preprocessing), the net with the layers computed so far, the photo and
   the crop, what the worker is busy with, and the narration of the current lesson step.
   A plain struct: no threads, no worker API (the worker fills it in worker_sync, tests
   fill it by hand).

       UiModel m = {0};
       ... m.net->run[i].out_data for i < m.ready, m.photo, m.weights->source ...
       ui_model_free(&m);

   The tools that need many forward passes (issue 9) publish here too: which engine computes
   the layers and how long each layer took on each engine, the progress of a long job, and
   the last result of each tool (ten crops, occlusion map, top patches) in a form the view
   draws directly (RGB images, numbers).

   Ownership: the UiModel owns model, net, photo and crop and the tools' results
   (ui_model_free frees them and zeroes the struct); weights and arch point into model. */
#ifndef ALEXSCOPE_UI_MODEL_H
#define ALEXSCOPE_UI_MODEL_H

#include "img.h"
#include "lesson.h"
#include "model.h"
#include "net.h"

#define UI_NARRATION_MAX (LESSON_NARRATION_MAX + 1) /* lesson_load refuses longer narrations */
#define UI_MODEL_MAX_LAYERS 64

typedef enum { UI_ENGINE_NAIVE, UI_ENGINE_FAST, UI_ENGINES } UiEngine;

/* The jobs with a progress bar; UI_TOOL_NONE: none running. */
typedef enum { UI_TOOL_NONE, UI_TOOL_CROPS, UI_TOOL_OCCLUSION, UI_TOOL_PATCHES, UI_TOOL_SALIENCY, UI_TOOL_COUNT } UiToolKind;
extern const char *const ui_tool_names[UI_TOOL_COUNT]; /* "", "ten crops", "occlusion", "top patches", "saliency map" */

typedef struct {
    UiToolKind running;     /* the job running now */
    int done, total;        /* forward passes (or images) done of total */
    char what[128];         /* "occlusion map of tabby cat on chelsea.png" */
} UiProgress;

/* The paper's ten crops of the current photo (tool_crops). */
typedef struct {
    int valid;
    char why[400];          /* valid 0: why there are none (lenet5 has no resize), or "" */
    const ArchSpec *arch;   /* the network that computed it */
    int count;              /* classes */
    float *probs;           /* (10, count): each crop's softmax */
    float *mean;            /* (count): their average */
    char name[10][32];      /* "top-left" ... "centre, mirrored" */
    int x[10], y[10], mirror[10];
    int big_w, big_h;       /* the resized photo the crops are cut from */
    int crop_w, crop_h;
    Image img[10];          /* each crop as the network saw it, RGB (mirrored ones mirrored) */
    char image_name[256];
    const char *engine;     /* "naive" / "fast" (static) */
    double ms;              /* the whole job */
} UiCrops;

/* Zeiler & Fergus's occlusion map of the current input (tool_occlusion). */
typedef struct {
    int valid;
    const ArchSpec *arch;
    int rows, cols;         /* (n - win) / stride + 1 each */
    int win, stride;
    int in_w, in_h;         /* the input the square slides over */
    int cls;
    float p0;               /* the class's probability without occlusion */
    float *map;             /* (rows, cols): with the square at (r, c) */
    Image input;            /* the input as RGB */
    char image_name[256];
    const char *engine;
    double ms;
} UiOcclusion;

typedef struct {
    float value;            /* the unit's activation */
    int image;              /* index into UiPatches.inputs; -1: an empty slot */
    int y, x;               /* the unit in the layer's output */
    int y0, x0, side;       /* its receptive field in the input (may reach into the padding) */
} UiPatchHit;

/* The top patches of every channel of one layer over a folder of images (patches_run). */
typedef struct {
    int valid;
    const ArchSpec *arch;
    int layer;              /* arch layer of arch */
    int channels, count;    /* hits (channels, count) */
    UiPatchHit *hits;
    int nimages;            /* images looked at */
    Image *inputs;          /* (nimages): each image's network input as RGB */
    char (*names)[64];      /* (nimages): file names */
    int skipped;            /* files that could not be read */
    char folder[512];
    const char *engine;
    double ms;
} UiPatches;

/* The gradient image of one class score or unit over the input (tool_saliency, key Y). */
typedef struct {
    int valid;
    const ArchSpec *arch;
    int method;             /* ReluMode: gradient, guided, deconv */
    int layer;              /* arch layer followed (class mode: the last fc) */
    int cls;                /* the class followed; -1: a unit */
    int c, y, x;            /* the unit followed (class mode: cls, 0, 0) */
    float score;            /* its value in the forward pass */
    Shape in;               /* the input's shape */
    float *grad;            /* (in.c, in.h, in.w): d score / d input */
    float *map;             /* (in.h, in.w): max over channels of |grad| */
    float max;              /* the map's largest value */
    Image input;            /* the input as RGB */
    int trained;            /* the weights were trained (else built-in) */
    int reused;             /* layers the window had computed already (not run again) */
    char image_name[256];
    double ms_forward, ms_backward, ms;
} UiSaliency;

typedef struct {
    const ArchSpec *arch;   /* NULL until the first weights are in */
    Model *model;           /* arch + weights + preprocessing of net */
    Weights *weights;       /* &model->weights, NULL until the first weights are in */
    Net *net;
    int ready;              /* layers of net whose out_data may be read */
    int has_input;          /* net->input may be read */
    unsigned data_gen;      /* bumps whenever the activations are recomputed from scratch */
    Image photo;            /* display copy of the photo (at most 1024 px a side) */
    Image crop;             /* the crop the network sees, RGB */
    CropBox box;            /* in the original photo's pixels */
    int orig_w, orig_h;     /* the original photo's size */
    char image_name[256];
    int mirror;
    unsigned image_gen;     /* bumps when photo / crop change */
    unsigned net_gen;       /* bumps when net / weights change */
    int busy;               /* the worker has something to do */
    char busy_what[96];     /* "computing conv2", "loading weights" */
    int crop_seed;          /* -1: centre crop, else the seed of a random crop */
    int train_dropout;      /* dropout layers use a random mask */
    unsigned narration_tag; /* the narration request the text below answers */
    int narration_error;
    char narration[UI_NARRATION_MAX];
    /* the engines (key F) */
    UiEngine engine;        /* the engine the window computes with */
    int fast_built;         /* this build has the fast engine */
    UiEngine by[UI_MODEL_MAX_LAYERS];                /* which engine computed layer i last */
    unsigned ran[UI_MODEL_MAX_LAYERS];              /* bit e: engine e computed layer i ... */
    double ms[UI_ENGINES][UI_MODEL_MAX_LAYERS];     /* ... in ms[e][i] milliseconds (its last run) */
    /* the tools (keys X, O, H) */
    UiProgress progress;
    UiCrops crops;
    UiOcclusion occ;
    UiPatches patches;
    UiSaliency sal;         /* key Y (ui_view_saliency.h) */
    unsigned tools_gen;     /* bumps when a result above changes */
} UiModel;

/* A message for the status line: what happened, or why a request was refused. */
typedef struct {
    char text[512];
    int error;
} UiNote;

/* Frees model, net, photo and crop; m is all zero afterwards. */
void ui_model_free(UiModel *m);
/* Frees a heap Model from model_load (model_free + free); NULL is fine. */
void ui_model_drop(Model *model);
/* Free a result's arrays and images and zero it. */
void ui_crops_free(UiCrops *c);
void ui_occ_free(UiOcclusion *o);
void ui_patches_free(UiPatches *p);
void ui_sal_free(UiSaliency *s);

#endif
