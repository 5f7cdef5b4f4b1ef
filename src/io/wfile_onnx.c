/* wfile_onnx.c - weights from an ONNX model (field numbers from the ONNX spec,
   onnx/onnx.proto: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto).

   Names differ between exporters (the Model Zoo's conv1_w_0, torch's features.0.weight or
   onnx::Conv_123), so layers are matched by structure: the graph's nodes are in
   topological order, each Conv node's input[1] / input[2] is a conv layer's weight /
   bias, and each Gemm or MatMul (+ the Add that consumes it) is an fc layer. Gemm with
   transB=0 and MatMul hold the weight as (in, out); it is transposed while copying.

   Two passes over the graph, no allocation: the first lists the weighted nodes and the
   names of their tensors, the second finds those names among the initializers and
   Constant nodes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfile_impl.h"

/* AlexNet has 8 weighted layers; a file with far more is not a network we know. */
#define MAX_OPS 256

typedef struct {
    LayerKind kind;        /* LK_CONV or LK_FC */
    const char *op;        /* "Conv", "Gemm", "MatMul" */
    Slice wname, bname;    /* bname.s NULL: no bias input */
    Slice out;             /* the node's output, for a following Add */
    int transposed;        /* weight stored (in, out) */
    Slice wmsg, bmsg;      /* the TensorProto found for each name */
} Op;

typedef struct {
    const WMap *m;
    PbReader graph;
    Op ops[MAX_OPS];
    int nops;
} Onnx;

/* The parts of a NodeProto we use. */
typedef struct {
    Slice op, in[3], out;
    int nin;
    int64_t trans_a, trans_b;
    float alpha, beta;
    Slice value;           /* Constant: the tensor attribute "value" */
} Node;

static int malformed(const Onnx *o, const PbReader *r, Err *e)
{
    return err_set(e, "%s: malformed ONNX protobuf at byte %zu: %s", o->m->path, r->err_off,
                   r->err ? r->err : "unexpected field");
}

static float float_bits(uint32_t u)
{
    float v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* AttributeProto: name 1, f 2 (float), i 3 (int64), t 5 (TensorProto). */
static int parse_attr(const Onnx *o, const PbReader *nr, const PbField *af, Node *n, Err *e)
{
    PbReader r;
    PbField f;
    Slice name = {0}, t = {0};
    uint64_t i = 0;
    float fv = 0;
    int rc, has_i = 0, has_f = 0;
    if (pb_enter(nr, af, &r) != 0) return malformed(o, &r, e);
    while ((rc = pb_next(&r, &f)) > 0) {
        if (f.num == 1 && f.wire == PB_LEN) name = (Slice){f.data, f.len};
        else if (f.num == 2 && f.wire == PB_I32) fv = float_bits((uint32_t)f.u), has_f = 1;
        else if (f.num == 3 && f.wire == PB_VARINT) i = f.u, has_i = 1;
        else if (f.num == 5 && f.wire == PB_LEN) t = (Slice){f.data, f.len};
    }
    if (rc < 0) return malformed(o, &r, e);
    if (slice_is(name, "transA") && has_i) n->trans_a = (int64_t)i;
    if (slice_is(name, "transB") && has_i) n->trans_b = (int64_t)i;
    if (slice_is(name, "alpha") && has_f) n->alpha = fv;
    if (slice_is(name, "beta") && has_f) n->beta = fv;
    if (slice_is(name, "value") && t.s) n->value = t;
    return 0;
}

/* NodeProto: input 1, output 2, op_type 4, attribute 5. */
static int parse_node(const Onnx *o, const PbField *nf, Node *n, Err *e)
{
    PbReader r;
    PbField f;
    int rc;
    memset(n, 0, sizeof *n);
    n->alpha = n->beta = 1.0f;
    if (pb_enter(&o->graph, nf, &r) != 0) return malformed(o, &r, e);
    while ((rc = pb_next(&r, &f)) > 0) {
        if (f.num == 1 && f.wire == PB_LEN) {
            if (n->nin < 3) n->in[n->nin] = (Slice){f.data, f.len};
            n->nin++;
        } else if (f.num == 2 && f.wire == PB_LEN && !n->out.s) {
            n->out = (Slice){f.data, f.len};
        } else if (f.num == 4 && f.wire == PB_LEN) {
            n->op = (Slice){f.data, f.len};
        } else if (f.num == 5 && f.wire == PB_LEN && parse_attr(o, &r, &f, n, e) != 0) {
            return -1;
        }
    }
    return rc < 0 ? malformed(o, &r, e) : 0;
}

static int is_quantised(Slice op)
{
    static const char *const q[] = {"QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger",
                                    "DequantizeLinear", "QuantizeLinear", "DynamicQuantizeLinear", NULL};
    for (int i = 0; q[i]; i++)
        if (slice_is(op, q[i])) return 1;
    return 0;
}

static int add_op(Onnx *o, const Node *n, LayerKind kind, const char *op, Err *e)
{
    if (o->nops == MAX_OPS)
        return err_set(e, "%s: the graph has more than %d Conv / Gemm / MatMul nodes; not an AlexNet", o->m->path, MAX_OPS);
    if (n->nin < 2 || !n->in[1].n)
        return err_set(e, "%s: a %s node has no weight input", o->m->path, op);
    Op *p = &o->ops[o->nops++];
    memset(p, 0, sizeof *p);
    p->kind = kind, p->op = op, p->wname = n->in[1], p->out = n->out;
    if (n->nin >= 3 && n->in[2].n) p->bname = n->in[2];
    return 0;
}

/* A MatMul's (or bias-less Gemm's) bias comes from the Add that consumes its output. */
static void take_add(Onnx *o, const Node *n)
{
    for (int k = o->nops - 1; k >= 0 && n->nin >= 2; k--) {
        Op *p = &o->ops[k];
        if (p->kind != LK_FC || p->bname.s) continue;
        if (slice_eq(n->in[0], p->out)) p->bname = n->in[1];
        else if (slice_eq(n->in[1], p->out)) p->bname = n->in[0];
        if (p->bname.s) return;
    }
}

static int gemm_op(Onnx *o, const Node *n, Err *e)
{
    if (n->trans_a != 0) return err_set(e, "%s: a Gemm node has transA=1; not supported", o->m->path);
    if (n->alpha != 1.0f || n->beta != 1.0f)
        return err_set(e, "%s: a Gemm node has alpha %g, beta %g; only 1, 1 is supported", o->m->path,
                       (double)n->alpha, (double)n->beta);
    if (add_op(o, n, LK_FC, "Gemm", e) != 0) return -1;
    o->ops[o->nops - 1].transposed = n->trans_b == 0;
    return 0;
}

/* x (1, in) · W (in, out): the weight is stored transposed. */
static int matmul_op(Onnx *o, const Node *n, Err *e)
{
    if (add_op(o, n, LK_FC, "MatMul", e) != 0) return -1;
    o->ops[o->nops - 1].transposed = 1;
    return 0;
}

/* First pass: the weighted nodes in order. */
static int list_ops(Onnx *o, Err *e)
{
    PbReader r = o->graph;
    PbField f;
    Node n;
    int rc;
    while ((rc = pb_next(&r, &f)) > 0) {
        if (f.num != 1 || f.wire != PB_LEN) continue;
        if (parse_node(o, &f, &n, e) != 0) return -1;
        if (is_quantised(n.op)) {
            char op[64];
            wfile_name(op, sizeof op, n.op.s, n.op.n);
            return err_set(e, "%s: a quantised (INT8) model (it has %s nodes); only float models can be read",
                           o->m->path, op);
        }
        int bad = 0;
        if (slice_is(n.op, "Conv")) bad = add_op(o, &n, LK_CONV, "Conv", e);
        else if (slice_is(n.op, "Gemm")) bad = gemm_op(o, &n, e);
        else if (slice_is(n.op, "MatMul")) bad = matmul_op(o, &n, e);
        else if (slice_is(n.op, "Add")) take_add(o, &n);
        if (bad) return -1;
    }
    return rc < 0 ? malformed(o, &r, e) : 0;
}

/* TensorProto's name (field 8). */
static int tensor_name(const Onnx *o, const PbReader *g, const Slice *msg, Slice *name, Err *e)
{
    PbReader r;
    PbField f;
    int rc;
    pb_init(&r, msg->s, msg->n);
    r.base = g->base; /* offsets in messages stay file offsets */
    r.depth = g->depth + 1;
    name->s = NULL;
    while ((rc = pb_next(&r, &f)) > 0)
        if (f.num == 8 && f.wire == PB_LEN) *name = (Slice){f.data, f.len};
    return rc < 0 ? malformed(o, &r, e) : 0;
}

/* Gives each op name that equals name the tensor msg (the first found wins). */
static void offer(Onnx *o, Slice name, Slice msg)
{
    for (int k = 0; k < o->nops; k++) {
        Op *p = &o->ops[k];
        if (!p->wmsg.s && slice_eq(p->wname, name)) p->wmsg = msg;
        if (!p->bmsg.s && slice_eq(p->bname, name)) p->bmsg = msg;
    }
}

/* Second pass: initializers (graph field 5) and Constant nodes with a tensor value. */
static int find_tensors(Onnx *o, Err *e)
{
    PbReader r = o->graph;
    PbField f;
    int rc;
    while ((rc = pb_next(&r, &f)) > 0) {
        if (f.wire != PB_LEN) continue;
        if (f.num == 5) {
            Slice msg = {f.data, f.len}, name;
            if (tensor_name(o, &r, &msg, &name, e) != 0) return -1;
            if (name.s) offer(o, name, msg);
        } else if (f.num == 1) {
            Node n;
            if (parse_node(o, &f, &n, e) != 0) return -1;
            if (slice_is(n.op, "Constant") && n.value.s && n.out.s) offer(o, n.out, n.value);
        }
    }
    return rc < 0 ? malformed(o, &r, e) : 0;
}

static const char *onnx_type_name(uint64_t t)
{
    static const char *const names[] = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32",
                                        "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64",
                                        "COMPLEX64", "COMPLEX128", "BFLOAT16"};
    return t < sizeof names / sizeof names[0] ? names[t] : "an unknown type";
}

/* The fields of a TensorProto that say where its data is. */
typedef struct {
    uint64_t type;
    int external, segmented, has_raw;
    Slice raw;
} TensorInfo;

static int tensor_info(const Onnx *o, PbReader *r, WTensor *t, TensorInfo *ti, Err *e)
{
    PbField f;
    int rc;
    while ((rc = pb_next(r, &f)) > 0) {
        if (f.num == 2 && f.wire == PB_VARINT) ti->type = f.u;
        else if (f.num == 8 && f.wire == PB_LEN) wfile_name(t->name, sizeof t->name, f.data, f.len);
        else if (f.num == 9 && f.wire == PB_LEN) ti->raw = (Slice){f.data, f.len}, ti->has_raw = 1;
        else if (f.num == 3) ti->segmented = 1;
        else if (f.num == 13) ti->external = 1;
        else if (f.num == 14 && f.wire == PB_VARINT && f.u == 1) ti->external = 1;
    }
    return rc < 0 ? malformed(o, r, e) : 0;
}

static int tensor_dims(const Onnx *o, const PbReader *msg, WTensor *t, Err *e)
{
    PbRepeated it;
    uint64_t v;
    int rc;
    pb_rep_init(&it, msg, 1, PB_ELEM_VARINT);
    while ((rc = pb_rep_next(&it, &v)) > 0) {
        if (t->ndim == WF_MAX_DIMS)
            return err_set(e, "%s: tensor '%s' has more than %d dimensions", o->m->path, t->name, WF_MAX_DIMS);
        t->dims[t->ndim++] = (int64_t)v;
    }
    return rc < 0 ? malformed(o, &it.msg, e) : wfile_numel(o->m, t, e);
}

/* TensorProto → WTensor: dims 1, data_type 2, float_data 4, int32_data 5, name 8,
   raw_data 9, double_data 10, external_data 13, data_location 14. */
static int parse_tensor(const Onnx *o, Slice msg, const char *lname, const char *what, WTensor *t, Err *e)
{
    PbReader r;
    TensorInfo ti = {0};
    memset(t, 0, sizeof *t);
    pb_init(&r, msg.s, msg.n);
    r.base = o->graph.base, r.depth = o->graph.depth + 1;
    if (tensor_info(o, &r, t, &ti, e) != 0) return -1;
    if (ti.external)
        return err_set(e, "%s: %s: %s '%s' is stored outside the file (ONNX external data), which is not supported",
                       o->m->path, lname, what, t->name);
    if (ti.segmented)
        return err_set(e, "%s: %s: %s '%s' is split into segments, which is not supported", o->m->path, lname,
                       what, t->name);
    switch (ti.type) {
    case 1: t->type = WT_F32, t->field = 4, t->elem = PB_ELEM_I32; break;
    case 10: t->type = WT_F16, t->field = 5, t->elem = PB_ELEM_VARINT; break;
    case 16: t->type = WT_BF16, t->field = 5, t->elem = PB_ELEM_VARINT; break;
    case 11: t->type = WT_F64, t->field = 10, t->elem = PB_ELEM_I64; break;
    default:
        return err_set(e, "%s: %s: %s '%s' has data type %s%s; only FLOAT, FLOAT16, BFLOAT16 and DOUBLE can be read",
                       o->m->path, lname, what, t->name, onnx_type_name(ti.type),
                       ti.type == 2 || ti.type == 3 ? " (a quantised model?)" : "");
    }
    pb_init(&r, msg.s, msg.n);
    r.base = o->graph.base, r.depth = o->graph.depth + 1;
    if (tensor_dims(o, &r, t, e) != 0) return -1;
    if (ti.has_raw) {
        t->src = WS_RAW, t->data = ti.raw.s, t->nbytes = ti.raw.n;
    } else {
        t->src = WS_PB, t->msg = msg.s, t->msglen = msg.n;
    }
    return 0;
}

static int find_graph(Onnx *o, Err *e)
{
    PbReader r;
    PbField f;
    int rc, found = 0;
    pb_init(&r, o->m->p, o->m->n);
    while ((rc = pb_next(&r, &f)) > 0)
        if (f.num == 7 && f.wire == PB_LEN && !found) {
            if (pb_enter(&r, &f, &o->graph) != 0) return malformed(o, &o->graph, e);
            found = 1;
        }
    if (rc < 0) return malformed(o, &r, e);
    if (!found) return err_set(e, "%s: an ONNX model without a graph", o->m->path);
    return 0;
}

static void name_of(char *buf, size_t size, Slice s)
{
    wfile_name(buf, size, s.s, s.n);
}

/* Op k → arch layer li: kinds must agree and the weight must have been found. */
static int take_op(const Onnx *o, const ArchSpec *a, int k, WLayer *wl, Err *e)
{
    const Op *p = &o->ops[k];
    const LayerSpec *l = &a->layers[wfile_weighted_layer(a, k)];
    char nm[96];
    if (p->kind != l->kind)
        return err_set(e, "%s: %s: the graph's weighted node %d is a %s, but %s's %s is %s", o->m->path, l->name,
                       k + 1, p->op, a->name, l->name, l->kind == LK_CONV ? "a convolution" : "fully connected");
    if (!p->wmsg.s) {
        name_of(nm, sizeof nm, p->wname);
        return err_set(e, "%s: %s: weight '%s' (input of a %s node) is missing: not an initializer or Constant",
                       o->m->path, l->name, nm, p->op);
    }
    if (parse_tensor(o, p->wmsg, l->name, "weight", &wl->w, e) != 0) return -1;
    wl->w.transposed = p->transposed;
    if (p->transposed && wl->w.ndim != 2)
        return err_set(e, "%s: %s: %s weight '%s' has %d dimensions, expected 2", o->m->path, l->name, p->op,
                       wl->w.name, wl->w.ndim);
    wl->has_w = 1;
    if (!p->bname.s) return 0; /* no bias input: the bias is zero */
    if (!p->bmsg.s) {
        name_of(nm, sizeof nm, p->bname);
        return err_set(e, "%s: %s: bias '%s' is missing: not an initializer or Constant", o->m->path, l->name, nm);
    }
    wl->has_b = 1;
    return parse_tensor(o, p->bmsg, l->name, "bias", &wl->b, e);
}

static const ArchSpec *infer(const Onnx *o, Err *e)
{
    const Op *p = &o->ops[0];
    WTensor t;
    if (p->kind != LK_CONV || !p->wmsg.s) {
        err_set(e, "%s: cannot tell the architecture: the first weighted node is not a Conv with a known weight",
                o->m->path);
        return NULL;
    }
    if (parse_tensor(o, p->wmsg, "first Conv", "weight", &t, e) != 0) return NULL;
    if (t.ndim < 1) {
        err_set(e, "%s: cannot tell the architecture: the first Conv weight '%s' is a scalar", o->m->path, t.name);
        return NULL;
    }
    return wfile_infer_arch(o->m, t.dims[0], e);
}

static int counts_agree(const Onnx *o, const ArchSpec *arch, int want, Err *e)
{
    if (o->nops < want)
        return err_set(e, "%s: %s: missing: the graph has %d Conv / Gemm / MatMul nodes, %s has %d conv / fc layers",
                       o->m->path, arch->layers[wfile_weighted_layer(arch, o->nops)].name, o->nops, arch->name, want);
    if (o->nops > want)
        return err_set(e, "%s: the graph has %d Conv / Gemm / MatMul nodes, %s has only %d conv / fc layers",
                       o->m->path, o->nops, arch->name, want);
    return 0;
}

static int match(Onnx *o, const ArchSpec *arch, Weights *w, Err *e)
{
    int want = wfile_weighted_count(arch);
    WLayer *found = calloc((size_t)arch->nlayers, sizeof *found);
    if (!found) return err_set(e, "%s: out of memory", o->m->path);
    /* Layers in order, so a file of another arch fails at its first layer that differs. */
    int rc = 0;
    for (int k = 0; k < want && k < o->nops && rc == 0; k++) {
        int i = wfile_weighted_layer(arch, k);
        rc = take_op(o, arch, k, &found[i], e);
        if (rc == 0) rc = wfile_check(o->m, arch, i, &found[i], e);
    }
    if (rc == 0) rc = counts_agree(o, arch, want, e);
    if (rc == 0) rc = wfile_fill(o->m, arch, found, "onnx", w, e);
    free(found);
    return rc;
}

int wfile_load_onnx(const WMap *m, const ArchSpec *arch, Weights *w, Err *e)
{
    /* The op table is ~20 KB: on the heap, not the stack. */
    Onnx *o = calloc(1, sizeof *o);
    if (!o) return err_set(e, "%s: out of memory", m->path);
    o->m = m;
    int rc = -1;
    if (find_graph(o, e) == 0 && list_ops(o, e) == 0 && find_tensors(o, e) == 0) {
        if (o->nops == 0) err_set(e, "%s: the ONNX graph has no Conv, Gemm or MatMul nodes", m->path);
        else if (arch || (arch = infer(o, e))) rc = match(o, arch, w, e);
    }
    free(o);
    return rc;
}
