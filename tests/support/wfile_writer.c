/* wfile_writer.c - see wfile_writer.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "wfile_writer.h"

/* ---- the tiny arch ------------------------------------------------------------------- */

static const LayerSpec tiny_layers[] = {
    {.kind = LK_CONV, .name = "conv1", .alias = "features.0", .out = 4, .k = 3, .stride = 1, .groups = 1},
    {.kind = LK_RELU, .name = "relu1"},
    {.kind = LK_MAXPOOL, .name = "pool1", .k = 2, .stride = 2},
    {.kind = LK_CONV, .name = "conv2", .alias = "features.3", .out = 4, .k = 3, .stride = 1, .groups = 2},
    {.kind = LK_FC, .name = "fc3", .alias = "classifier.1", .out = 5},
    {.kind = LK_SOFTMAX, .name = "prob"},
};
const ArchSpec arch_tiny = {
    .name = "tiny", .title = "test", .input = {3, 16, 16}, .nlayers = 6, .layers = tiny_layers,
};

/* ---- byte buffers and a protobuf writer ---------------------------------------------- */

void b_put(Buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    if (n) memcpy(b->p + b->n, p, n);
    b->n += n;
}

void b_free(Buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void b_varint(Buf *b, uint64_t v)
{
    do {
        uint8_t c = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v) c |= 0x80;
        b_put(b, &c, 1);
    } while (v);
}

void b_tag(Buf *b, uint32_t num, int wire) { b_varint(b, (uint64_t)num << 3 | (uint64_t)wire); }

void b_vfield(Buf *b, uint32_t num, uint64_t v)
{
    b_tag(b, num, 0);
    b_varint(b, v);
}

void b_bytes(Buf *b, uint32_t num, const void *p, size_t n)
{
    b_tag(b, num, 2);
    b_varint(b, n);
    b_put(b, p, n);
}

void b_str(Buf *b, uint32_t num, const char *s) { b_bytes(b, num, s, strlen(s)); }

/* Appends sub as field num and frees it. */
void b_msg(Buf *b, uint32_t num, Buf *sub)
{
    b_bytes(b, num, sub->p, sub->n);
    b_free(sub);
}

void b_le(Buf *b, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) {
        uint8_t c = (uint8_t)(v >> (8 * i));
        b_put(b, &c, 1);
    }
}

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* Exact for the test's values (normal numbers and zero). */
static uint16_t f32_to_f16(float f)
{
    uint32_t u = f32_bits(f), sign = (u >> 16) & 0x8000u;
    if ((u & 0x7fffffffu) == 0) return (uint16_t)sign;
    int ex = (int)((u >> 23) & 0xff) - 127 + 15;
    return (uint16_t)(sign | (uint32_t)ex << 10 | (u & 0x7fffffu) >> 13);
}

static uint16_t f32_to_bf16(float f) { return (uint16_t)(f32_bits(f) >> 16); }

uint8_t *find_bytes(uint8_t *hay, size_t n, const void *needle, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0) return hay + i;
    return NULL;
}

/* ---- reference weights and checks --------------------------------------------------- */

static float val(int layer, long i) { return (float)((i * 7 + layer * 13) % 61 - 30) / 16.0f; }

void fill_ref(const ArchSpec *a, Weights *w)
{
    assert_int_equal(weights_alloc(a, w, NULL), 0);
    for (int i = 0; i < a->nlayers; i++) {
        for (long j = 0; j < w->l[i].nw; j++) w->l[i].w[j] = val(i, j);
        for (long j = 0; j < w->l[i].nb; j++) w->l[i].b[j] = val(i + 100, j);
    }
    snprintf(w->source, sizeof w->source, "test reference");
}

void assert_same(const Weights *a, const Weights *b)
{
    assert_ptr_equal(a->arch, b->arch);
    for (int i = 0; i < a->arch->nlayers; i++) {
        assert_int_equal(a->l[i].nw, b->l[i].nw);
        assert_int_equal(a->l[i].nb, b->l[i].nb);
        if (a->l[i].nw) assert_memory_equal(a->l[i].w, b->l[i].w, (size_t)a->l[i].nw * sizeof(float));
        if (a->l[i].nb) assert_memory_equal(a->l[i].b, b->l[i].b, (size_t)a->l[i].nb * sizeof(float));
    }
}

/* The shape a layer's weight has in a file: conv (out, in/g, k, k), fc (out, in). */
static int wshape(const ArchSpec *a, int i, int64_t *d)
{
    const LayerSpec *l = &a->layers[i];
    long nw, nb;
    layer_param_counts(a, i, &nw, &nb);
    if (l->kind == LK_CONV) {
        d[0] = l->out, d[1] = nw / ((long)l->out * l->k * l->k), d[2] = d[3] = l->k;
        return 4;
    }
    d[0] = l->out, d[1] = nw / l->out;
    return 2;
}

/* Loads path, expects success and the reference weights. */
void expect_load(const char *path, const ArchSpec *a, const ArchSpec *want, const Weights *ref, const char *format)
{
    Weights w;
    Err e = {{0}};
    int rc = wfile_load(path, a, &w, &e);
    if (rc != 0) print_error("unexpected failure: %s\n", e.msg);
    assert_int_equal(rc, 0);
    assert_ptr_equal(w.arch, want);
    assert_int_equal(w.trained, 1);
    assert_string_equal(w.format, format);
    const char *base = strrchr(path, '/');
    assert_string_equal(w.source, base ? base + 1 : path);
    assert_same(ref, &w);
    weights_free(&w);
}

/* Loads path, expects -1 and a message "PATH: ..." holding each of the key words. */
void expect_fail(const char *path, const ArchSpec *a, const char *k1, const char *k2, const char *k3)
{
    Weights w;
    Err e = {{0}};
    int rc = wfile_load(path, a, &w, &e);
    if (rc == 0) weights_free(&w);
    assert_int_equal(rc, -1);
    size_t n = strlen(path);
    const char *keys[] = {k1, k2, k3};
    int ok = strncmp(e.msg, path, n) == 0 && e.msg[n] == ':';
    for (int i = 0; i < 3; i++) ok = ok && (!keys[i] || strstr(e.msg, keys[i]));
    if (!ok) print_error("message \"%s\" lacks %s / %s / %s\n", e.msg, k1 ? k1 : "-", k2 ? k2 : "-", k3 ? k3 : "-");
    assert_true(ok);
}

/* ---- safetensors writer -------------------------------------------------------------- */

void st_write(const char *path, StT *t, int n, const char *meta)
{
    Buf h = {0}, out = {0};
    char s[512];
    uint64_t off = 0;
    b_put(&h, "{", 1);
    if (meta) {
        snprintf(s, sizeof s, "\"__metadata__\":%s", meta);
        b_put(&h, s, strlen(s));
    }
    for (int i = 0; i < n; i++) {
        int k = snprintf(s, sizeof s, "%s\"%s\":{\"dtype\":\"%s\",\"shape\":[", (meta || i) ? "," : "", t[i].name,
                         t[i].dtype);
        for (int j = 0; j < t[i].nd; j++) k += snprintf(s + k, sizeof s - (size_t)k, "%s%lld", j ? "," : "", (long long)t[i].dims[j]);
        snprintf(s + k, sizeof s - (size_t)k, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)off,
                 (unsigned long long)(off + t[i].data.n));
        b_put(&h, s, strlen(s));
        off += t[i].data.n;
    }
    b_put(&h, "}", 1);
    while (h.n % 8) b_put(&h, " ", 1);
    b_le(&out, h.n, 8);
    b_put(&out, h.p, h.n);
    for (int i = 0; i < n; i++) b_put(&out, t[i].data.p, t[i].data.n);
    ts_write_file(path, out.p, out.n);
    b_free(&h);
    b_free(&out);
    for (int i = 0; i < n; i++) b_free(&t[i].data);
}

/* A raw safetensors file: header text as given (not padded) and data bytes. */
void st_raw(const char *path, const char *header, size_t data_len)
{
    Buf out = {0};
    b_le(&out, strlen(header), 8);
    b_put(&out, header, strlen(header));
    for (size_t i = 0; i < data_len; i++) b_put(&out, "\0", 1);
    ts_write_file(path, out.p, out.n);
    b_free(&out);
}

static void put_values(Buf *b, const float *v, long n, const char *dtype)
{
    for (long i = 0; i < n; i++) {
        if (!strcmp(dtype, "F32")) b_le(b, f32_bits(v[i]), 4);
        else if (!strcmp(dtype, "F16")) b_le(b, f32_to_f16(v[i]), 2);
        else if (!strcmp(dtype, "BF16")) b_le(b, f32_to_bf16(v[i]), 2);
        else if (!strcmp(dtype, "I8")) b_le(b, (uint8_t)(int8_t)v[i], 1);
        else {
            double d = v[i];
            uint64_t u;
            memcpy(&u, &d, 8);
            b_le(b, u, 8);
        }
    }
}

/* naming 0: conv1.weight, 1: features.0.weight (alias), 2: module.features.0.weight.
   dtypes cycle through the list given, tensor by tensor. */
void st_from(const char *path, const ArchSpec *a, const Weights *w, int naming, const char *const *dtypes,
                    const char *meta)
{
    StT t[32];
    int n = 0, dt = 0;
    memset(t, 0, sizeof t);
    for (int i = a->nlayers - 1; i >= 0; i--) { /* reverse order: position in the file does not matter */
        const LayerSpec *l = &a->layers[i];
        if (!arch_has_weights(l->kind)) continue;
        const char *nm = naming == 0 ? l->name : l->alias;
        for (int bias = 0; bias < 2; bias++) {
            StT *x = &t[n++];
            snprintf(x->name, sizeof x->name, "%s%s.%s", naming == 2 ? "module." : "", nm, bias ? "bias" : "weight");
            x->dtype = dtypes[dt++];
            if (!dtypes[dt]) dt = 0;
            if (bias) x->nd = 1, x->dims[0] = w->l[i].nb;
            else x->nd = wshape(a, i, x->dims);
            put_values(&x->data, bias ? w->l[i].b : w->l[i].w, bias ? w->l[i].nb : w->l[i].nw, x->dtype);
        }
    }
    st_write(path, t, n, meta);
}

/* ---- ONNX writer --------------------------------------------------------------------- */

/* TensorProto; a 2-D tensor with transpose set is stored (in, out). */
static void ox_tensor(Buf *t, const char *name, const int64_t *dims, int nd, const float *v, long n, OxData mode,
                      int transpose)
{
    float *x = malloc((size_t)(n ? n : 1) * sizeof *x);
    assert_non_null(x);
    int64_t d[8];
    memcpy(d, dims, (size_t)nd * sizeof *d);
    if (transpose) {
        for (long o = 0; o < dims[0]; o++)
            for (long i = 0; i < dims[1]; i++) x[i * dims[0] + o] = v[o * dims[1] + i];
        d[0] = dims[1], d[1] = dims[0];
    } else {
        memcpy(x, v, (size_t)n * sizeof *x);
    }
    Buf pk = {0}, raw = {0};
    if (mode == OX_UNPACKED) {
        for (int i = 0; i < nd; i++) b_vfield(t, 1, (uint64_t)d[i]);
    } else {
        for (int i = 0; i < nd; i++) b_varint(&pk, (uint64_t)d[i]);
        b_msg(t, 1, &pk);
    }
    static const int types[] = {1, 1, 1, 10, 16, 10, 11};
    b_vfield(t, 2, (uint64_t)types[mode]);
    b_str(t, 8, name);
    switch (mode) {
    case OX_RAW: put_values(&raw, x, n, "F32"); b_msg(t, 9, &raw); break;
    case OX_F16: put_values(&raw, x, n, "F16"); b_msg(t, 9, &raw); break;
    case OX_BF16: put_values(&raw, x, n, "BF16"); b_msg(t, 9, &raw); break;
    case OX_DOUBLE: put_values(&raw, x, n, "F64"); b_msg(t, 9, &raw); break;
    case OX_FLOAT_DATA:
        put_values(&raw, x, n, "F32");
        b_msg(t, 4, &raw);
        break;
    case OX_UNPACKED:
        for (long i = 0; i < n; i++) {
            b_tag(t, 4, 5);
            b_le(t, f32_bits(x[i]), 4);
        }
        break;
    case OX_F16_INT32:
        for (long i = 0; i < n; i++) b_varint(&pk, f32_to_f16(x[i]));
        b_msg(t, 5, &pk);
        break;
    }
    free(x);
}

void ox_attr_int(Buf *attrs, const char *name, int64_t v)
{
    Buf a = {0};
    b_str(&a, 1, name);
    b_vfield(&a, 3, (uint64_t)v);
    b_vfield(&a, 20, 2);
    b_msg(attrs, 5, &a);
}

void ox_node(Buf *g, const char *op, const char *const *in, int nin, const char *out, Buf *attrs)
{
    Buf n = {0};
    for (int i = 0; i < nin; i++) b_str(&n, 1, in[i]);
    b_str(&n, 2, out);
    b_str(&n, 4, op);
    if (attrs) {
        b_put(&n, attrs->p, attrs->n);
        b_free(attrs);
    }
    b_msg(g, 1, &n);
}

/* A tensor, as an initializer (into inits) or a Constant node (into the graph). */
static void ox_weight(Buf *g, Buf *inits, const OxOpts *o, const char *name, const int64_t *dims, int nd,
                      const float *v, long n, int transpose)
{
    Buf t = {0};
    ox_tensor(&t, name, dims, nd, v, n, o->data, transpose);
    if (!o->constants) {
        b_msg(inits, 5, &t);
        return;
    }
    Buf attrs = {0}, a = {0};
    b_str(&a, 1, "value");
    b_msg(&a, 5, &t);
    b_vfield(&a, 20, 4);
    b_msg(&attrs, 5, &a);
    ox_node(g, "Constant", NULL, 0, name, &attrs);
}

void ox_model(Buf *out, const ArchSpec *a, const Weights *w, const OxOpts *o)
{
    Buf g = {0}, inits = {0}, op = {0};
    char cur[64] = "x", next[64], wn[64], bn[64];
    int flat = 0;
    b_str(&g, 2, "tiny");
    for (int i = 0; i < a->nlayers; i++) {
        const LayerSpec *l = &a->layers[i];
        snprintf(next, sizeof next, "t%d", i);
        if (!arch_has_weights(l->kind)) {
            const char *in[] = {cur};
            ox_node(&g, l->kind == LK_SOFTMAX ? "Softmax" : "Relu", in, 1, next, NULL);
            strcpy(cur, next);
            continue;
        }
        if (o->anon) snprintf(wn, sizeof wn, "onnx::%s_%d", l->kind == LK_CONV ? "Conv" : "Gemm", 100 + 2 * i);
        else snprintf(wn, sizeof wn, "%s_w_0", l->name);
        if (o->anon) snprintf(bn, sizeof bn, "onnx::%s_%d", l->kind == LK_CONV ? "Conv" : "Gemm", 101 + 2 * i);
        else snprintf(bn, sizeof bn, "%s_b_0", l->name);
        int64_t d[4];
        int nd = wshape(a, i, d), tr = l->kind == LK_FC && o->fc != FC_GEMM_TB;
        ox_weight(&g, &inits, o, wn, d, nd, w->l[i].w, w->l[i].nw, tr);
        ox_weight(&g, &inits, o, bn, &(int64_t){w->l[i].nb}, 1, w->l[i].b, w->l[i].nb, 0);
        if (l->kind == LK_CONV) {
            Buf attrs = {0};
            ox_attr_int(&attrs, "group", l->groups);
            const char *in[] = {cur, wn, bn};
            ox_node(&g, "Conv", in, 3, next, &attrs);
        } else {
            if (!flat++) {
                const char *in[] = {cur};
                ox_node(&g, "Flatten", in, 1, "flat", NULL);
                strcpy(cur, "flat");
            }
            if (o->fc == FC_MATMUL) {
                char mm[16];
                snprintf(mm, sizeof mm, "mm%d", i);
                const char *in[] = {cur, wn}, *in2[] = {bn, mm}; /* bias first: either side works */
                ox_node(&g, "MatMul", in, 2, mm, NULL);
                ox_node(&g, "Add", in2, 2, next, NULL);
            } else {
                Buf attrs = {0};
                ox_attr_int(&attrs, "transB", o->fc == FC_GEMM_TB);
                const char *in[] = {cur, wn, bn};
                ox_node(&g, "Gemm", in, 3, next, &attrs);
            }
        }
        strcpy(cur, next);
    }
    b_put(&g, inits.p, inits.n);
    b_free(&inits);
    b_vfield(out, 1, 7);
    b_str(out, 2, "alexscope-test");
    b_str(&op, 1, "");
    b_vfield(&op, 2, 13);
    b_msg(out, 8, &op);
    b_msg(out, 7, &g); /* last, so any truncation cuts the graph */
}

void ox_file(const char *path, const ArchSpec *a, const Weights *w, const OxOpts *o)
{
    Buf b = {0};
    ox_model(&b, a, w, o);
    ts_write_file(path, b.p, b.n);
    b_free(&b);
}

/* ---- Caffe writer -------------------------------------------------------------------- */

void cf_blob(Buf *layer, uint32_t field, const int64_t *d, int nd, const float *v, long n, int v1, int mode)
{
    Buf blob = {0}, data = {0}, shape = {0}, dims = {0};
    if (v1) { /* legacy 4-D, right-aligned */
        int64_t l4[4] = {1, 1, 1, 1};
        for (int i = 0; i < nd; i++) l4[4 - nd + i] = d[i];
        for (int i = 0; i < 4; i++) b_vfield(&blob, (uint32_t)i + 1, (uint64_t)l4[i]);
    } else {
        for (int i = 0; i < nd; i++) b_varint(&dims, (uint64_t)d[i]);
        b_msg(&shape, 1, &dims);
        b_msg(&blob, 7, &shape);
    }
    if (mode == 0) { /* packed floats */
        put_values(&data, v, n, "F32");
        b_msg(&blob, 5, &data);
    } else if (mode == 1) { /* unpacked floats */
        for (long i = 0; i < n; i++) {
            b_tag(&blob, 5, 5);
            b_le(&blob, f32_bits(v[i]), 4);
        }
    } else { /* double_data */
        put_values(&data, v, n, "F64");
        b_msg(&blob, 8, &data);
    }
    b_msg(layer, field, &blob);
}

/* rename: layer names the arch does not know, so matching falls back to order. */
static void cf_model(Buf *out, const ArchSpec *a, const Weights *w, int v1, int rename)
{
    b_str(out, 1, "tiny");
    for (int i = 0; i < a->nlayers; i++) {
        const LayerSpec *l = &a->layers[i];
        Buf layer = {0};
        char nm[64];
        snprintf(nm, sizeof nm, "%s%s", rename ? "layer_" : "", l->name);
        int weighted = arch_has_weights(l->kind);
        if (v1) {
            b_str(&layer, 4, nm);
            b_vfield(&layer, 5, l->kind == LK_CONV ? 4 : l->kind == LK_FC ? 14 : 18);
        } else {
            b_str(&layer, 1, nm);
            b_str(&layer, 2, l->kind == LK_CONV ? "Convolution" : l->kind == LK_FC ? "InnerProduct" : "ReLU");
        }
        if (weighted) {
            int64_t d[4];
            int nd = wshape(a, i, d);
            cf_blob(&layer, v1 ? 6 : 7, d, nd, w->l[i].w, w->l[i].nw, v1, l->kind == LK_FC);
            cf_blob(&layer, v1 ? 6 : 7, &(int64_t){w->l[i].nb}, 1, w->l[i].b, w->l[i].nb, v1, v1 ? 0 : 2);
        }
        b_msg(out, v1 ? 2 : 100, &layer);
    }
}

void cf_file(const char *path, const ArchSpec *a, const Weights *w, int v1, int rename)
{
    Buf b = {0};
    cf_model(&b, a, w, v1, rename);
    ts_write_file(path, b.p, b.n);
    b_free(&b);
}
