/* wfile_writer.h - what the weight-file tests (test_wfile*.c) share: a tiny arch, reference
   weights for it, and writers for every format and variant the readers accept, so the test
   files are made at run time and stay a few KB.

       Weights ref;
       fill_ref(&arch_tiny, &ref);
       OxOpts o = {OX_RAW, FC_MATMUL, 0, 0};
       ox_file(ts_path("m.onnx"), &arch_tiny, &ref, &o);
       expect_load(ts_path("m.onnx"), &arch_tiny, &arch_tiny, &ref, "onnx");
       expect_fail(ts_path("bad.onnx"), &arch_tiny, "conv2", "missing", NULL);
       weights_free(&ref);

   The tiny arch: 3×16×16 → conv1 4 k3 → relu → maxpool 2/2 → conv2 4 k3 groups 2 → fc3 5
   → softmax. Weight values are multiples of 1/16 in [-1.875, 1.875], exact in float16 and
   bfloat16, so every conversion can be compared exactly.

   Prefixes: b_ byte buffers and a protobuf writer, st_ safetensors, ox_ ONNX, cf_ Caffe.
   A Buf starts as {0} and is freed with b_free (b_msg frees the message it appends).
   Failures are cmocka assertions. Include after <cmocka.h>. */
#ifndef ALEXSCOPE_TEST_WFILE_WRITER_H
#define ALEXSCOPE_TEST_WFILE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "wfile.h"

extern const ArchSpec arch_tiny;

/* ---- byte buffers and a protobuf writer ---- */

typedef struct {
    uint8_t *p;
    size_t n, cap;
} Buf;

void b_put(Buf *b, const void *p, size_t n);
void b_free(Buf *b);
void b_varint(Buf *b, uint64_t v);
void b_tag(Buf *b, uint32_t num, int wire);
void b_vfield(Buf *b, uint32_t num, uint64_t v);                 /* varint field */
void b_bytes(Buf *b, uint32_t num, const void *p, size_t n);      /* length-delimited field */
void b_str(Buf *b, uint32_t num, const char *s);
void b_msg(Buf *b, uint32_t num, Buf *sub);                       /* appends sub, frees it */
void b_le(Buf *b, uint64_t v, int n);                             /* n bytes little-endian */

/* The first occurrence of needle in hay, or NULL. */
uint8_t *find_bytes(uint8_t *hay, size_t n, const void *needle, size_t k);

/* ---- reference weights and checks ---- */

/* Allocates w for a and fills it with the reference values (weights_free it). */
void fill_ref(const ArchSpec *a, Weights *w);
void assert_same(const Weights *a, const Weights *b);
/* Loads path with arch a (NULL: infer), expects success, arch want and the reference. */
void expect_load(const char *path, const ArchSpec *a, const ArchSpec *want, const Weights *ref, const char *format);
/* Loads path, expects -1 and a message "PATH: ..." holding each key word (NULL: none). */
void expect_fail(const char *path, const ArchSpec *a, const char *k1, const char *k2, const char *k3);

/* ---- safetensors ---- */

typedef struct {
    char name[64];
    const char *dtype;
    int nd;
    int64_t dims[8];
    Buf data;
} StT;

/* A file of n tensors (their data freed), __metadata__ = meta (JSON text) if not NULL. */
void st_write(const char *path, StT *t, int n, const char *meta);
/* A raw file: header text as given (not padded) and data_len zero bytes. */
void st_raw(const char *path, const char *header, size_t data_len);
/* naming 0: conv1.weight, 1: features.0.weight (alias), 2: module.features.0.weight.
   dtypes ("F32", "F16", "BF16", "F64", "I8") cycle through the list, tensor by tensor. */
void st_from(const char *path, const ArchSpec *a, const Weights *w, int naming, const char *const *dtypes,
             const char *meta);

/* ---- ONNX ---- */

typedef enum { OX_RAW, OX_FLOAT_DATA, OX_UNPACKED, OX_F16, OX_BF16, OX_F16_INT32, OX_DOUBLE } OxData;
typedef enum { FC_GEMM_TB, FC_MATMUL, FC_GEMM } OxFc;

typedef struct {
    OxData data;
    OxFc fc;
    int constants;     /* weights as Constant nodes instead of initializers */
    int anon;          /* onnx::Conv_12 style names */
} OxOpts;

void ox_attr_int(Buf *attrs, const char *name, int64_t v);
/* A NodeProto as field 1 of g; attrs (may be NULL) appended and freed. */
void ox_node(Buf *g, const char *op, const char *const *in, int nin, const char *out, Buf *attrs);
/* A ModelProto for a and w; the graph comes last, so any truncation cuts it. */
void ox_model(Buf *out, const ArchSpec *a, const Weights *w, const OxOpts *o);
void ox_file(const char *path, const ArchSpec *a, const Weights *w, const OxOpts *o);

/* ---- Caffe ---- */

/* A BlobProto as field `field` of layer: v1 legacy 4-D dims, else a BlobShape; mode 0
   packed floats, 1 unpacked floats, 2 double_data. */
void cf_blob(Buf *layer, uint32_t field, const int64_t *d, int nd, const float *v, long n, int v1, int mode);
/* v1: V1 `layers` (field 2), else V2 `layer` (field 100). rename: names the arch does not
   know, so matching falls back to order. */
void cf_file(const char *path, const ArchSpec *a, const Weights *w, int v1, int rename);

#endif
