/* pickle.h - a restricted unpickler for the data.pkl of a PyTorch checkpoint (a state dict
   written by torch.save: pickle protocol 2, opcodes as Python's Lib/pickletools.py names
   them). It runs nothing: it builds a tree of plain values (None, bool, int, float, str,
   tuple, list, dict) and three torch records, and knows exactly these globals:

       collections.OrderedDict             called with no arguments: an empty dict
       torch._utils._rebuild_tensor_v2     a PK_TENSOR node holding its argument tuple
       torch._utils._rebuild_parameter     the tensor it wraps
       torch.FloatStorage, HalfStorage, DoubleStorage, BFloat16Storage
                                           only as the type inside a storage's persistent id
                                           ('storage', TYPE, key, location, numel): PK_STORAGE

   Any other global (os.system, builtins.eval, ...) is refused the moment the pickle names it:
   "PATH: the checkpoint's pickle calls os.system, which a weight file never needs; refused";
   so is any opcode a state dict does not need (named in the message), a BUILD on anything but
   a dict (an OrderedDict's _metadata: ignored), and every length past the pickle's end.

       Pickle pk;
       if (pk_load(&pk, bytes, len, "model.pth", &err) != 0) { ... err.msg ... }
       const PkVal *root = &pk.v[pk.root];
       for (int it = root->a; it >= 0; it = pk.it[it].next) ... pk.it[it].key, pk.it[it].val ...
       pk_free(&pk);

   Limits, all checked before anything grows: the pickle at most PK_MAX_BYTES, at most
   PK_MAX_NODES values, marks nested at most PK_MAX_MARKS deep, memo indices below the node
   limit. Strings point into the caller's bytes (not copied, not NUL-terminated): the bytes
   must outlive pk. Failure: -1 and an Err. */
#ifndef ALEXSCOPE_PICKLE_H
#define ALEXSCOPE_PICKLE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define PK_MAX_BYTES ((size_t)16 << 20) /* a state dict of 100,000 tensors takes ~10 MB */
#define PK_MAX_NODES (1 << 20)
#define PK_MAX_MARKS 64

typedef enum {
    PK_NONE, PK_BOOL, PK_INT, PK_FLOAT, PK_STR, PK_TUPLE, PK_LIST, PK_DICT,
    PK_GLOBAL,  /* one of PkGlobal, in i */
    PK_STORAGE, /* a persistent id: a = key (a PK_STR node), i = numel, b = PkGlobal storage type */
    PK_TENSOR,  /* _rebuild_tensor_v2(...): a = its argument tuple */
    PK_KINDS
} PkKind;

typedef enum {
    PG_ORDERED_DICT, PG_REBUILD_TENSOR, PG_REBUILD_PARAMETER,
    PG_FLOAT_STORAGE, PG_HALF_STORAGE, PG_DOUBLE_STORAGE, PG_BFLOAT16_STORAGE,
    PG_COUNT
} PkGlobal;

typedef struct {
    PkKind kind;
    int a, b;          /* containers: first and last item (-1: none) */
    int count;         /* containers: number of items */
    int64_t i;         /* PK_INT, PK_BOOL; PK_GLOBAL, PK_STORAGE: see PkKind */
    double f;          /* PK_FLOAT */
    const uint8_t *s;  /* PK_STR: UTF-8 bytes */
    size_t n;
} PkVal;

typedef struct {
    int key;  /* dicts: the key's node; tuples and lists: -1 */
    int val;
    int next; /* the next item, -1 at the end */
} PkItem;

typedef struct {
    const char *path;
    PkVal *v;
    size_t nv, capv;
    PkItem *it;
    size_t nit, capit;
    int root; /* what STOP returned */
} Pickle;

int pk_load(Pickle *pk, const uint8_t *p, size_t n, const char *path, Err *e);
void pk_free(Pickle *pk);

/* The k-th item's value node of a tuple or list node, or -1. */
int pk_item(const Pickle *pk, int node, int k);
/* "a str", "a tuple", ... for messages. */
const char *pk_kind_name(PkKind k);
/* "torch.FloatStorage", ... */
const char *pk_global_name(PkGlobal g);

#endif
