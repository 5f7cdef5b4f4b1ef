/* tools.h - the tools that need many forward passes (issue 9): the paper's ten crops,
   Zeiler & Fergus's occlusion map and top patches; and the engine they run on, the naive
   loops or the fast engine, behind one call. Shared by the CLI (src/cli) and the window's
   worker (src/gui/worker), so both compute the same numbers the same way.

       Engine *g = engine_create(arch, &weights, ENGINE_FAST, 16, &err);
       ToolProgress pr = {show, ctx, &cancel_flag};      // all three may be 0
       OccParams op = {.win = 32, .stride = 16, .cls = -1};
       OccResult r;
       if (tool_occlusion(g, x, &op, &r, &pr, &err) != 0) ...  // "cancelled" if asked to stop
       ... r.rows × r.cols of r.map ...
       occ_result_free(&r);

       PatchIndex ix;                                       // top patches of conv5
       patches_begin(&ix, engine_plan(g), conv5, 9, &err);
       patches_run(&ix, g, nfiles, my_loader, ctx, &pr, &err);   // or patches_add per batch
       ... ix.hits[c * 9 + k]: image, (y, x), value; patches_field for the input square ...
       patches_free(&ix);  engine_free(g);

   Ownership: an Engine borrows its arch and weights (keep them alive) and owns its buffers;
   results own their arrays (the *_free calls). Threads: none of ours; the BLAS's (2) for
   the fast engine. One Engine is used by one thread at a time.
   Failure: -1 / NULL and an Err; "cancelled" when the cancel flag was set. */
#ifndef ALEXSCOPE_TOOLS_H
#define ALEXSCOPE_TOOLS_H

#include <stdatomic.h>

#include "model.h"
#include "net.h"

/* ---- the engine ------------------------------------------------------------------------ */

typedef enum { ENGINE_NAIVE, ENGINE_FAST } EngineKind;

typedef struct Engine Engine;

/* 1 if this build has the kind (the naive engine always; the fast one when a BLAS was found). */
int engine_available(EngineKind k);
/* "naive" / "fast" */
const char *engine_name(EngineKind k);
/* The BLAS behind the fast engine ("OpenBLAS 0.3.21"), or "none". */
const char *engine_blas(void);
/* The fast engine's threads, for the engines created next (no effect for the naive one or
   without a BLAS). */
void engine_set_threads(int n);

/* An engine for batches of up to max_batch inputs (the naive one runs them one by one).
   Checks the weights against the plan like net_create. */
Engine *engine_create(const ArchSpec *a, const Weights *w, EngineKind k, int max_batch, Err *e);
void engine_free(Engine *g);
EngineKind engine_kind(const Engine *g);
int engine_max_batch(const Engine *g);
const Plan *engine_plan(const Engine *g);

/* Runs b inputs x (b, C, H, W) through layers [0, layers) (clipped to the arch's count) and
   returns layer layers-1's outputs for all b, (b, out.c, out.h, out.w) contiguous; valid
   until the next call. 1 <= b <= max_batch. */
const float *engine_run(Engine *g, const float *x, int b, int layers, Err *e);

/* ---- progress and cancelling ----------------------------------------------------------- */

typedef struct {
    void (*fn)(void *ctx, int done, int total); /* after each batch; NULL: nothing */
    void *ctx;
    atomic_int *cancel; /* NULL, or set non-zero by another thread to stop after this batch */
} ToolProgress;

/* ---- the paper's ten crops -------------------------------------------------------------- */

typedef struct {
    int count;          /* classes */
    ModelCrop box[10];   /* where each crop was cut, and whether mirrored */
    float *probs;       /* (10, count): each crop's softmax */
    float *mean;        /* (count): their average, what the paper reports */
} CropsResult;

/* The ten crops (model_ten_crops's boxes: four corners and the centre, then their mirrors)
   of big (C, h, w, normalised like the input), each through the whole network. For an
   arch that ends in logits (alexnet-tv) the softmax is applied here. */
int tool_crops(Engine *g, const float *big, int w, int h, CropsResult *r, const ToolProgress *pr, Err *e);
void crops_result_free(CropsResult *r);

/* ---- occlusion (Zeiler & Fergus 2014, figure 7) ------------------------------------------ */

typedef struct {
    int win, stride;    /* the square's side and step, in input pixels */
    int cls;            /* the class whose probability is mapped; -1: the unoccluded top-1 */
    int batch;          /* occluded copies per engine_run; 0: engine_max_batch */
} OccParams;

typedef struct {
    int rows, cols;     /* (n - win) / stride + 1 each, rounded down */
    int cls;
    float p0;           /* the class's probability without occlusion */
    float *map;         /* (rows, cols): the probability with the square at (r, c) zeroed */
} OccResult;

/* x (C, H, W): the network input. The square at grid position (r, c) covers rows
   [r*stride, r*stride + win) and columns [c*stride, c*stride + win), set to 0 in every
   channel (the mean colour after mean subtraction). Refuses win < 1, stride < 1, win larger
   than the input. */
int tool_occlusion(Engine *g, const float *x, const OccParams *p, OccResult *r, const ToolProgress *pr, Err *e);
void occ_result_free(OccResult *r);
/* Positions along an axis of n pixels: (n - win) / stride + 1, rounded down (the slides'
   output-size formula); 0 if win > n or win, stride < 1. 227, 32, 16 → 13. */
int tool_occ_cells(int n, int win, int stride);
/* x with the square of (r, c) zeroed, into dst (the same shape); what tool_occlusion runs. */
void tool_occlude(const float *x, Shape in, int win, int stride, int r, int c, float *dst);

/* ---- top patches (Zeiler & Fergus 2014, figure 2) -------------------------------------- */

typedef struct {
    float value;        /* the unit's activation */
    int image;          /* index of the image, in the order patches_add saw them */
    int y, x;           /* the unit's position in the layer's output */
} PatchHit;

typedef struct {
    int layer;          /* a conv or pool layer (windowed or pointwise after one) */
    int channels;       /* of that layer */
    int count;          /* hits kept per channel */
    int images;         /* images added so far */
    PatchHit *hits;     /* (channels, count), each channel's best first; value -INFINITY
                           and image -1 where fewer than count were seen */
} PatchIndex;

/* An empty index of layer's channels, count hits each (1..64). Refuses fc layers and the
   softmax: a patch needs a receptive field smaller than the image. */
int patches_begin(PatchIndex *ix, const Plan *p, int layer, int count, Err *e);
/* Runs b images x (b, C, H, W) to the index's layer and keeps each channel's highest
   activations (at most one hit per image and channel: its best position, as Zeiler and
   Fergus show different images). Images are numbered from ix->images on. */
int patches_add(PatchIndex *ix, Engine *g, const float *x, int b, Err *e);
/* patches_add that records ids[i] as image i's number (ids NULL: as patches_add). */
int patches_add_ids(PatchIndex *ix, Engine *g, const float *x, int b, const int *ids, Err *e);

/* Reads one input: image i into x (the network's input shape). 0: read; 1: skipped (the
   loader says why, e.g. on stderr); -1: stop with e set. */
typedef int (*PatchLoader)(void *ctx, int i, float *x, Err *e);
/* Every image 0..n-1 through patches_add in batches of engine_max_batch, loaded by load;
   each hit's image is the loader's index i (so skipped ones leave gaps). Progress after each
   batch (done = images looked at), the cancel flag before each ("cancelled"). Returns the
   number of images added (ix->images grows by it), or -1. */
int patches_run(PatchIndex *ix, Engine *g, int n, PatchLoader load, void *ctx, const ToolProgress *pr, Err *e);
void patches_free(PatchIndex *ix);
/* The input square unit (y, x) of layer sees: its top-left corner (may be negative, in the
   padding) and side, from the plan's receptive field. */
void patches_field(const Plan *p, int layer, int y, int x, int *y0, int *x0, int *side);

/* ---- seeing an input as the network saw it ---------------------------------------------- */

/* The h×w window at (y0, x0) of the input tensor x (shape in, normalised with p) back to RGB
   pixels: pixel = (x·std + mean) / scale, clamped to 0..255 (grey inputs repeat their one
   channel). Parts of the window outside the tensor (a receptive field in the padding) are
   mid-grey (128). The whole crop is (0, 0, in.h, in.w). out is allocated (img_free). */
int tool_tensor_rgb(const Preproc *p, const float *x, Shape in, int y0, int x0, int h, int w, Image *out, Err *e);

#endif
