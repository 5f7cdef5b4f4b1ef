/* wfile.h - real weight files: ONNX, safetensors, Caffe .caffemodel and PyTorch .pth (wfile_pth.c).

   The format is recognised by content, not by extension. Tensors are matched to the
   arch's conv / fc layers by known names (Caffe "conv1", ONNX Zoo "conv1_w_0",
   torchvision "features.0.weight", "conv1.weight") or else by structure: the order of
   Conv and Gemm / MatMul / InnerProduct layers in the file.

       Weights w;
       const ArchSpec *a = NULL;                 // NULL: infer from the file (conv1 96 vs 64 filters)
       if (wfile_load("bvlc_alexnet.caffemodel", a, &w, &err) != 0) { ... err.msg ... }
       ... w.arch is the arch used ...
       weights_free(&w);

   Every length, offset, count and shape read from a file is checked against the file's
   size and the arch before anything is allocated from it. A missing tensor or a wrong
   shape is an error naming the layer, the expected and the found shape. */
#ifndef ALEXSCOPE_WFILE_H
#define ALEXSCOPE_WFILE_H

#include "net.h"

typedef enum { WF_UNKNOWN, WF_ONNX, WF_SAFETENSORS, WF_CAFFE, WF_PTH } WFileFormat;

/* Looks at the first bytes (and structure) of the file; reads at most its first 64 KiB.
   WF_UNKNOWN if none fits. */
WFileFormat wfile_detect(const char *path, Err *e);

/* Loads path into w for arch (NULL: infer it). On success w->trained = 1,
   w->source = path's base name, w->format = "onnx" / "safetensors" / "caffemodel" / "pth",
   w->match how tensors were matched if not by name.
   Only a regular file is read (a FIFO or device is refused without blocking); it is read
   whole into memory, and a file that shrinks or is rewritten meanwhile gives
   "PATH: changed while being read". Files over 1 GiB are refused. */
int wfile_load(const char *path, const ArchSpec *arch, Weights *w, Err *e);

/* wfile_load on a file's bytes already in memory (data[0..len), not kept); name stands
   for the file in messages and w->source. The same checks, the same results. */
int wfile_load_buffer(const unsigned char *data, size_t len, const char *name, const ArchSpec *arch, Weights *w,
                      Err *e);

/* Writes w as F32 safetensors with Caffe-style names ("conv1.weight", "conv1.bias") and
   __metadata__ {"arch": ..., "source": ...}. */
int wfile_save_safetensors(const char *path, const Weights *w, Err *e);
/* The same with more __metadata__ string pairs keys[i]: vals[i] after arch and source
   (alexscope train: "trained_on", "command", "seed", "test_accuracy", ...). A file with a
   "trained_on" entry loads with w->source "NAME (trained on VALUE)". */
int wfile_save_safetensors_meta(const char *path, const Weights *w, const char *const *keys,
                                const char *const *vals, int nmeta, Err *e);

/* The __metadata__ string key of the safetensors file path, JSON escapes decoded, into out
   (truncated to size − 1 bytes). 0 found, 1 absent (or not a safetensors file), -1 and an
   Err if the file cannot be read or its header is damaged. */
int wfile_metadata(const char *path, const char *key, char *out, size_t size, Err *e);

#endif
