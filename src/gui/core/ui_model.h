/* ui_model.h - what the window shows of the network, as the view reads it: the model
   (arch, weights, preprocessing), the net with the layers computed so far, the photo and
   the crop, what the worker is busy with, and the narration of the current lesson step.
   A plain struct: no threads, no worker API (the worker fills it in worker_sync, tests
   fill it by hand).

       UiModel m = {0};
       ... m.net->run[i].out_data for i < m.ready, m.photo, m.weights->source ...
       ui_model_free(&m);

   Ownership: the UiModel owns model, net, photo and crop (ui_model_free frees them and
   zeroes the struct); weights and arch point into model. */
#ifndef ALEXSCOPE_UI_MODEL_H
#define ALEXSCOPE_UI_MODEL_H

#include "img.h"
#include "model.h"
#include "net.h"

#define UI_NARRATION_MAX 8192

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

#endif
