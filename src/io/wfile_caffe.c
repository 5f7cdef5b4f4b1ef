/* wfile_caffe.c - weights from a Caffe .caffemodel (a NetParameter; field numbers from
   BVLC Caffe's src/caffe/proto/caffe.proto, proto2: NetParameter, V1LayerParameter,
   LayerParameter, BlobProto, BlobShape).

   Both layer encodings are read: V1 `layers` (field 2; the 2014 bvlc_alexnet) with an
   enum type and legacy num×channels×height×width blob dims, and V2 `layer` (field 100)
   with a string type and a BlobShape. Layers are matched to the arch by name (conv1 ..
   fc8, or the spec's alias); if some name is missing but the file has exactly as many
   conv / fc layers as the arch, they are matched in order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfile_impl.h"

/* More weighted layers than any Caffe classifier we know of. */
#define MAX_LAYERS 512

/* caffe.proto V1LayerParameter.LayerType */
enum { V1_CONVOLUTION = 4, V1_INNER_PRODUCT = 14 };

typedef struct {
    Slice name;
    LayerKind kind;       /* LK_CONV or LK_FC */
    Slice blob[2];        /* BlobProto messages: weight, bias */
    int nblobs;
} CLayer;

typedef struct {
    const WMap *m;
    CLayer layers[MAX_LAYERS];  /* the conv / fc layers, in file order */
    int n;
} Caffe;

static int malformed(const Caffe *c, const PbReader *r, Err *e)
{
    return err_set(e, "%s: malformed Caffe protobuf at byte %zu: %s", c->m->path, r->err_off,
                   r->err ? r->err : "unexpected field");
}

/* V1LayerParameter (name 4, type 5 enum, blobs 6) or LayerParameter (name 1, type 2
   string, blobs 7). Adds it to c if it is a conv / fc layer. */
static int parse_layer(Caffe *c, const PbReader *net, const PbField *lf, int v1, Err *e)
{
    PbReader r;
    PbField f;
    CLayer l = {0};
    int rc, kind = -1;
    uint32_t fname = v1 ? 4 : 1, ftype = v1 ? 5 : 2, fblobs = v1 ? 6 : 7;
    if (pb_enter(net, lf, &r) != 0) return malformed(c, &r, e);
    while ((rc = pb_next(&r, &f)) > 0) {
        if (f.num == fname && f.wire == PB_LEN) {
            l.name = (Slice){f.data, f.len};
        } else if (f.num == ftype && v1 && f.wire == PB_VARINT) {
            kind = f.u == V1_CONVOLUTION ? LK_CONV : f.u == V1_INNER_PRODUCT ? LK_FC : -1;
        } else if (f.num == ftype && !v1 && f.wire == PB_LEN) {
            Slice t = {f.data, f.len};
            kind = slice_is(t, "Convolution") ? LK_CONV : slice_is(t, "InnerProduct") ? LK_FC : -1;
        } else if (f.num == fblobs && f.wire == PB_LEN) {
            if (l.nblobs < 2) l.blob[l.nblobs] = (Slice){f.data, f.len};
            l.nblobs++;
        }
    }
    if (rc < 0) return malformed(c, &r, e);
    if (kind < 0) return 0;
    if (c->n == MAX_LAYERS)
        return err_set(e, "%s: more than %d convolution / inner-product layers; not an AlexNet", c->m->path, MAX_LAYERS);
    l.kind = (LayerKind)kind;
    c->layers[c->n++] = l;
    return 0;
}

static int parse_net(Caffe *c, Err *e)
{
    PbReader r;
    PbField f;
    int rc;
    pb_init(&r, c->m->p, c->m->n);
    while ((rc = pb_next(&r, &f)) > 0)
        if ((f.num == 2 || f.num == 100) && f.wire == PB_LEN && parse_layer(c, &r, &f, f.num == 2, e) != 0)
            return -1;
    if (rc < 0) return malformed(c, &r, e);
    if (c->n == 0) return err_set(e, "%s: no Convolution or InnerProduct layers in this Caffe model", c->m->path);
    return 0;
}

/* BlobShape: dim 1 (repeated int64). */
static int blob_shape(const Caffe *c, const PbReader *blob, const PbField *sf, WTensor *t, Err *e)
{
    PbReader r;
    PbRepeated it;
    uint64_t v;
    int rc;
    if (pb_enter(blob, sf, &r) != 0) return malformed(c, &r, e);
    t->ndim = 0;
    pb_rep_init(&it, &r, 1, PB_ELEM_VARINT);
    while ((rc = pb_rep_next(&it, &v)) > 0) {
        if (t->ndim == WF_MAX_DIMS)
            return err_set(e, "%s: %s has more than %d dimensions", c->m->path, t->name, WF_MAX_DIMS);
        t->dims[t->ndim++] = (int64_t)v;
    }
    return rc < 0 ? malformed(c, &it.msg, e) : 0;
}

/* BlobProto: num 1, channels 2, height 3, width 4 (legacy int32), data 5 (float),
   shape 7, double_data 8. */
static int parse_blob(const Caffe *c, Slice msg, const char *lname, int k, WTensor *t, Err *e)
{
    PbReader r;
    PbField f;
    int rc, has_shape = 0, has_legacy = 0, has_f = 0, has_d = 0;
    int64_t legacy[4] = {0, 0, 0, 0};
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s.blobs[%d]", lname, k);
    pb_init(&r, msg.s, msg.n);
    r.base = c->m->p, r.depth = 2;
    while ((rc = pb_next(&r, &f)) > 0) {
        if (f.num >= 1 && f.num <= 4 && f.wire == PB_VARINT) {
            legacy[f.num - 1] = (int64_t)(int32_t)(uint32_t)f.u; /* int32: negatives are sign-extended */
            has_legacy = 1;
        } else if (f.num == 7 && f.wire == PB_LEN) {
            if (blob_shape(c, &r, &f, t, e) != 0) return -1;
            has_shape = 1;
        } else if (f.num == 5) {
            has_f = 1;
        } else if (f.num == 8) {
            has_d = 1;
        }
    }
    if (rc < 0) return malformed(c, &r, e);
    if (!has_shape && has_legacy) {
        t->ndim = 4;
        memcpy(t->dims, legacy, sizeof legacy);
    }
    int dbl = has_d && !has_f;
    t->type = dbl ? WT_F64 : WT_F32;
    t->src = WS_PB, t->msg = msg.s, t->msglen = msg.n;
    t->field = dbl ? 8 : 5, t->elem = dbl ? PB_ELEM_I64 : PB_ELEM_I32;
    return wfile_numel(c->m, t, e);
}

/* The file's layer for arch layer l: by name or alias; NULL if none. */
static const CLayer *by_name(const Caffe *c, const LayerSpec *l)
{
    for (int k = 0; k < c->n; k++)
        if (slice_is(c->layers[k].name, l->name) || (l->alias && slice_is(c->layers[k].name, l->alias)))
            return &c->layers[k];
    return NULL;
}

static int take_layer(const Caffe *c, const LayerSpec *l, const CLayer *cl, WLayer *wl, Err *e)
{
    char nm[96];
    wfile_name(nm, sizeof nm, cl->name.s, cl->name.n);
    if (cl->kind != l->kind)
        return err_set(e, "%s: %s: the file's layer '%s' is %s, expected %s", c->m->path, l->name, nm,
                       cl->kind == LK_CONV ? "a Convolution" : "an InnerProduct",
                       l->kind == LK_CONV ? "a Convolution" : "an InnerProduct");
    if (cl->nblobs < 1) return err_set(e, "%s: %s: layer '%s' has no weights (blobs)", c->m->path, l->name, nm);
    if (parse_blob(c, cl->blob[0], nm, 0, &wl->w, e) != 0) return -1;
    wl->has_w = 1;
    if (cl->nblobs < 2) return 0; /* bias_term: false */
    wl->has_b = 1;
    return parse_blob(c, cl->blob[1], nm, 1, &wl->b, e);
}

static int match(const Caffe *c, const ArchSpec *a, WLayer *found, Err *e)
{
    int want = wfile_weighted_count(a), named = 0;
    for (int k = 0; k < want; k++) named += by_name(c, &a->layers[wfile_weighted_layer(a, k)]) != NULL;
    int in_order = named < want && c->n == want;
    for (int k = 0; k < want; k++) {
        int i = wfile_weighted_layer(a, k);
        const CLayer *cl = in_order ? &c->layers[k] : by_name(c, &a->layers[i]);
        if (!cl)
            return err_set(e, "%s: %s: missing: no layer of that name, and the file has %d convolution / "
                              "inner-product layers where %s has %d", c->m->path, a->layers[i].name, c->n, a->name, want);
        if (take_layer(c, &a->layers[i], cl, &found[i], e) != 0 || wfile_check(c->m, a, i, &found[i], e) != 0)
            return -1;
    }
    return 0;
}

/* The first conv: the layer named conv1, else the first Convolution in the file. */
static const ArchSpec *infer(const Caffe *c, Err *e)
{
    const CLayer *first = NULL;
    for (int k = 0; k < c->n && !first; k++)
        if (c->layers[k].kind == LK_CONV && slice_is(c->layers[k].name, "conv1")) first = &c->layers[k];
    for (int k = 0; k < c->n && !first; k++)
        if (c->layers[k].kind == LK_CONV) first = &c->layers[k];
    if (!first || first->nblobs < 1) {
        err_set(e, "%s: cannot tell the architecture: no Convolution layer with weights", c->m->path);
        return NULL;
    }
    char nm[96];
    WTensor t;
    wfile_name(nm, sizeof nm, first->name.s, first->name.n);
    if (parse_blob(c, first->blob[0], nm, 0, &t, e) != 0) return NULL;
    if (t.ndim < 1) {
        err_set(e, "%s: cannot tell the architecture: %s's weight has no shape", c->m->path, nm);
        return NULL;
    }
    return wfile_infer_arch(c->m, t.dims[0], e); /* (out, in, k, k), legacy or not */
}

int wfile_load_caffe(const WMap *m, const ArchSpec *arch, Weights *w, Err *e)
{
    /* The layer table is ~20 KB: on the heap, not the stack. */
    Caffe *c = calloc(1, sizeof *c);
    if (!c) return err_set(e, "%s: out of memory", m->path);
    c->m = m;
    int rc = -1;
    if (parse_net(c, e) == 0 && (arch || (arch = infer(c, e)))) {
        WLayer *found = calloc((size_t)arch->nlayers, sizeof *found);
        if (!found) err_set(e, "%s: out of memory", m->path);
        else if (match(c, arch, found, e) == 0) rc = wfile_fill(m, arch, found, "caffemodel", w, e);
        free(found);
    }
    free(c);
    return rc;
}
