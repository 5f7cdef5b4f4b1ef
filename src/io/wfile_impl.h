/* wfile_impl.h - inside the weight-file module; not a public header. The calls go one way:
   wfile.c (read, detect) -> a reader (wfile_onnx.c, wfile_safetensors.c, wfile_caffe.c)
   -> wfile_fill.c (check, convert, copy); wfile_save.c (the writer) also uses wfile_fill.c.

   A reader reads nothing and allocates nothing from the file: it is handed the file's
   bytes in memory (WMap), finds one WTensor per conv / fc weight and bias, says which arch layer
   each belongs to (WLayer, indexed like arch->layers), and calls wfile_fill, which checks
   every shape and byte count against the arch, allocates the Weights from the arch's
   numbers, and copies / converts the data. */
#ifndef ALEXSCOPE_WFILE_IMPL_H
#define ALEXSCOPE_WFILE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "pb.h"
#include "wfile.h"

#define WF_MAX_DIMS 8

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_LE 1
#else
#define HOST_LE 0
#endif

/* Bytes of a file in memory, not NUL-terminated (a name, a type, a message). */
typedef struct {
    const uint8_t *s;
    size_t n;
} Slice;

/* 1 if a holds exactly the string s; 0 for a NULL slice. */
int slice_is(Slice a, const char *s);
/* 1 if a and b hold the same bytes; 0 if either is NULL. */
int slice_eq(Slice a, Slice b);

typedef struct {
    const char *path;     /* for messages */
    const uint8_t *p;     /* the whole file, read into memory (wfile.c) */
    size_t n;
    size_t size;          /* 0, or the file's size when p holds only its start
                             (wfile_metadata reads just the safetensors header) */
    int release;          /* 1: p is wfile.c's own anonymous mapping; wfile_fill drops the
                             pages of the tensors it has copied (never read again) */
} WMap;

/* Element types we convert to float32. */
typedef enum { WT_F32, WT_F16, WT_BF16, WT_F64 } WType;

typedef enum {
    WS_RAW,   /* contiguous little-endian elements at data */
    WS_PB     /* repeated protobuf field `field` of message [msg, msg + msglen) */
} WSrc;

typedef struct {
    char name[96];              /* as the file calls it, for messages */
    int ndim;
    int64_t dims[WF_MAX_DIMS];  /* as stored */
    int64_t numel;              /* product of dims, checked for overflow */
    WType type;
    int transposed;             /* a 2-D fc weight stored (in, out), as MatMul uses it */
    WSrc src;
    const uint8_t *data;        /* WS_RAW */
    size_t nbytes;
    const uint8_t *msg;         /* WS_PB */
    size_t msglen;
    uint32_t field;
    PbElem elem;                /* I32: float bits; I64: double bits; VARINT: f16 / bf16 bits */
} WTensor;

typedef struct {
    int has_w, has_b;           /* has_b 0: the file has no bias for the layer (zeros) */
    WTensor w, b;
} WLayer;

/* ---- wfile_fill.c: what the readers call ---- */

/* Sets t->numel from t->dims; -1 and a message if a dim is negative or the product
   overflows. what names the tensor ("conv1 weight 'conv1_w_0'"). */
int wfile_numel(const WMap *m, WTensor *t, Err *e);

/* The arch whose first conv has first_out filters, among arch_all. NULL and a message
   if none. */
const ArchSpec *wfile_infer_arch(const WMap *m, int64_t first_out, Err *e);

/* The index of the k-th (0-based) conv / fc layer of a, or -1. */
int wfile_weighted_layer(const ArchSpec *a, int k);
int wfile_weighted_count(const ArchSpec *a);

/* Checks the tensors found for layer i of a: shapes (naming the layer, the expected and
   the found shape) and byte / value counts. */
int wfile_check(const WMap *m, const ArchSpec *a, int i, const WLayer *f, Err *e);

/* Checks every found tensor against a (found has a->nlayers entries), then allocates w
   and copies. format: "onnx", "safetensors", "caffemodel". */
int wfile_fill(const WMap *m, const ArchSpec *a, const WLayer *found, const char *format,
               Weights *w, Err *e);

/* Copies at most size-1 bytes of a file string into buf, replacing control bytes, so
   names from a file are safe to print. */
void wfile_name(char *buf, size_t size, const uint8_t *s, size_t len);

/* A JSON string's raw contents from a file (its escapes already checked) decoded into out,
   truncated to size − 1 bytes; \u escapes become UTF-8 (a surrogate half: '?'). */
void wfile_unescape(Slice v, char *out, size_t size);

/* "256×48×5×5" */
void wfile_shape_str(char *buf, size_t size, const int64_t *dims, int ndim);

/* The shape layer l wants for its weight (bias 0: conv (out, in/groups, k, k), fc (out, in))
   or its bias (1: (nb)), from its counts nw, nb. Returns the number of dims written to d. */
int wfile_expected_dims(const LayerSpec *l, long nw, long nb, int bias, int64_t *d);

/* ---- the readers, called by wfile_load (wfile.c) ---- */

int wfile_load_onnx(const WMap *m, const ArchSpec *arch, Weights *w, Err *e);
int wfile_load_st(const WMap *m, const ArchSpec *arch, Weights *w, Err *e);
/* wfile_metadata for a safetensors file in memory (m->size set if only its header is). */
int wfile_st_metadata(const WMap *m, const char *key, char *out, size_t size, Err *e);
int wfile_load_caffe(const WMap *m, const ArchSpec *arch, Weights *w, Err *e);
/* wfile_pth.c: a PyTorch checkpoint (torch.save's zip); sniff: 1 for a zip or a legacy
   (pre-1.6) torch.save file, which wfile_load_pth refuses with a message. */
int wfile_load_pth(const WMap *m, const ArchSpec *arch, Weights *w, Err *e);
int wfile_pth_sniff(const uint8_t *p, size_t n);

/* ---- wfile.c: for tests ---- */

/* Called, if set, after a weight file has been opened and its size taken and before it
   is read (tests truncate the file here to check "changed while being read"). */
extern void (*wfile_read_hook)(const char *path);

#endif
