/* test_wfile.c - weight files: every format and variant the readers accept, written here
   at run time for a tiny network (so files stay a few KB), and one refusal per way a
   file can be wrong: truncated at every byte, random bytes, lying headers, wrong shapes.

   The tiny arch: 3×16×16 → conv1 4 k3 → relu → maxpool 2/2 → conv2 4 k3 groups 2
   → fc3 5 → softmax. Weight values are multiples of 1/16 in [-1.875, 1.875], exact in
   float16 and bfloat16, so every conversion can be compared exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pb.h"
#include "wfile.h"

/* ---- the tiny arch ------------------------------------------------------------------- */

static const LayerSpec tiny_layers[] = {
    {.kind = LK_CONV, .name = "conv1", .alias = "features.0", .out = 4, .k = 3, .stride = 1, .groups = 1},
    {.kind = LK_RELU, .name = "relu1"},
    {.kind = LK_MAXPOOL, .name = "pool1", .k = 2, .stride = 2},
    {.kind = LK_CONV, .name = "conv2", .alias = "features.3", .out = 4, .k = 3, .stride = 1, .groups = 2},
    {.kind = LK_FC, .name = "fc3", .alias = "classifier.1", .out = 5},
    {.kind = LK_SOFTMAX, .name = "prob"},
};
static const ArchSpec tiny = {
    .name = "tiny", .title = "test", .input = {3, 16, 16}, .nlayers = 6, .layers = tiny_layers,
};

static char tmpdir[64];

static const char *tpath(const char *name)
{
    static char buf[8][400];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static int setup(void **state)
{
    strcpy(tmpdir, "/tmp/alexscope-wfile-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    DIR *d = opendir(tmpdir);
    struct dirent *de;
    while (d && (de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            const char *p = tpath(de->d_name);
            if (unlink(p) != 0) rmdir(p);
        }
    if (d) closedir(d);
    rmdir(tmpdir);
    return 0;
}

/* ---- byte buffers and a protobuf writer ---------------------------------------------- */

typedef struct {
    uint8_t *p;
    size_t n, cap;
} Buf;

static void b_put(Buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    if (n) memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void b_free(Buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static void b_varint(Buf *b, uint64_t v)
{
    do {
        uint8_t c = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v) c |= 0x80;
        b_put(b, &c, 1);
    } while (v);
}

static void b_tag(Buf *b, uint32_t num, int wire) { b_varint(b, (uint64_t)num << 3 | (uint64_t)wire); }

static void b_vfield(Buf *b, uint32_t num, uint64_t v)
{
    b_tag(b, num, 0);
    b_varint(b, v);
}

static void b_bytes(Buf *b, uint32_t num, const void *p, size_t n)
{
    b_tag(b, num, 2);
    b_varint(b, n);
    b_put(b, p, n);
}

static void b_str(Buf *b, uint32_t num, const char *s) { b_bytes(b, num, s, strlen(s)); }

/* Appends sub as field num and frees it. */
static void b_msg(Buf *b, uint32_t num, Buf *sub)
{
    b_bytes(b, num, sub->p, sub->n);
    b_free(sub);
}

static void b_le(Buf *b, uint64_t v, int n)
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

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n) assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)len + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return p;
}

static uint8_t *find_bytes(uint8_t *hay, size_t n, const void *needle, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0) return hay + i;
    return NULL;
}

/* ---- reference weights and checks --------------------------------------------------- */

static float val(int layer, long i) { return (float)((i * 7 + layer * 13) % 61 - 30) / 16.0f; }

static void fill_ref(const ArchSpec *a, Weights *w)
{
    assert_int_equal(weights_alloc(a, w, NULL), 0);
    for (int i = 0; i < a->nlayers; i++) {
        for (long j = 0; j < w->l[i].nw; j++) w->l[i].w[j] = val(i, j);
        for (long j = 0; j < w->l[i].nb; j++) w->l[i].b[j] = val(i + 100, j);
    }
    snprintf(w->source, sizeof w->source, "test reference");
}

static void assert_same(const Weights *a, const Weights *b)
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
static void expect_load(const char *path, const ArchSpec *a, const ArchSpec *want, const Weights *ref, const char *format)
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
static void expect_fail(const char *path, const ArchSpec *a, const char *k1, const char *k2, const char *k3)
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

typedef struct {
    char name[64];
    const char *dtype;
    int nd;
    int64_t dims[8];
    Buf data;
} StT;

static void st_write(const char *path, StT *t, int n, const char *meta)
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
    write_file(path, out.p, out.n);
    b_free(&h);
    b_free(&out);
    for (int i = 0; i < n; i++) b_free(&t[i].data);
}

/* A raw safetensors file: header text as given (not padded) and data bytes. */
static void st_raw(const char *path, const char *header, size_t data_len)
{
    Buf out = {0};
    b_le(&out, strlen(header), 8);
    b_put(&out, header, strlen(header));
    for (size_t i = 0; i < data_len; i++) b_put(&out, "\0", 1);
    write_file(path, out.p, out.n);
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
static void st_from(const char *path, const ArchSpec *a, const Weights *w, int naming, const char *const *dtypes,
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

typedef enum { OX_RAW, OX_FLOAT_DATA, OX_UNPACKED, OX_F16, OX_BF16, OX_F16_INT32, OX_DOUBLE } OxData;
typedef enum { FC_GEMM_TB, FC_MATMUL, FC_GEMM } OxFc;

typedef struct {
    OxData data;
    OxFc fc;
    int constants;     /* weights as Constant nodes instead of initializers */
    int anon;          /* onnx::Conv_12 style names */
} OxOpts;

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

static void ox_attr_int(Buf *attrs, const char *name, int64_t v)
{
    Buf a = {0};
    b_str(&a, 1, name);
    b_vfield(&a, 3, (uint64_t)v);
    b_vfield(&a, 20, 2);
    b_msg(attrs, 5, &a);
}

static void ox_node(Buf *g, const char *op, const char *const *in, int nin, const char *out, Buf *attrs)
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

static void ox_model(Buf *out, const ArchSpec *a, const Weights *w, const OxOpts *o)
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

static void ox_file(const char *path, const ArchSpec *a, const Weights *w, const OxOpts *o)
{
    Buf b = {0};
    ox_model(&b, a, w, o);
    write_file(path, b.p, b.n);
    b_free(&b);
}

/* ---- Caffe writer -------------------------------------------------------------------- */

static void cf_blob(Buf *layer, uint32_t field, const int64_t *d, int nd, const float *v, long n, int v1, int mode)
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

static void cf_file(const char *path, const ArchSpec *a, const Weights *w, int v1, int rename)
{
    Buf b = {0};
    cf_model(&b, a, w, v1, rename);
    write_file(path, b.p, b.n);
    b_free(&b);
}

/* ---- tests: what loads --------------------------------------------------------------- */

static void test_round_trip(void **state)
{
    Weights ref, w;
    Err e = {{0}};
    fill_ref(&tiny, &ref);
    const char *p = tpath("rt.safetensors");
    assert_int_equal(wfile_save_safetensors(p, &ref, &e), 0);
    assert_int_equal(wfile_detect(p, &e), WF_SAFETENSORS);
    expect_load(p, &tiny, &tiny, &ref, "safetensors");

    /* the header: 8-aligned, Caffe-style names, metadata */
    size_t n;
    uint8_t *b = slurp(p, &n);
    uint64_t hl = 0;
    for (int i = 0; i < 8; i++) hl |= (uint64_t)b[i] << (8 * i);
    assert_int_equal(hl % 8, 0);
    char *h = strndup((char *)b + 8, (size_t)hl);
    assert_non_null(strstr(h, "\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[4,3,3,3]"));
    assert_non_null(strstr(h, "\"conv2.weight\":{\"dtype\":\"F32\",\"shape\":[4,2,3,3]"));
    assert_non_null(strstr(h, "\"fc3.bias\""));
    assert_non_null(strstr(h, "\"arch\":\"tiny\""));
    assert_non_null(strstr(h, "\"source\":\"test reference\""));
    free(h);
    free(b);

    /* the tiny arch is not in arch_all: inference must refuse, not guess */
    expect_fail(p, NULL, "architecture", "4 filters", NULL);

    /* save what was loaded: the same bytes */
    assert_int_equal(wfile_load(p, &tiny, &w, &e), 0);
    snprintf(w.source, sizeof w.source, "test reference");
    const char *p2 = tpath("rt2.safetensors");
    assert_int_equal(wfile_save_safetensors(p2, &w, &e), 0);
    size_t n1, n2;
    uint8_t *b1 = slurp(p, &n1), *b2 = slurp(p2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    free(b1);
    free(b2);
    weights_free(&w);

    /* unwritable path */
    assert_int_equal(wfile_save_safetensors("/nonexistent-dir/x.safetensors", &ref, &e), -1);
    assert_non_null(strstr(e.msg, "/nonexistent-dir/x.safetensors: "));
    weights_free(&ref);
}

static void test_st_dtypes_and_names(void **state)
{
    Weights ref;
    fill_ref(&tiny, &ref);
    static const char *const f16[] = {"F16", NULL}, *const bf16[] = {"BF16", NULL},
                             *const mixed[] = {"F16", "BF16", "F64", "F32", NULL}, *const f32[] = {"F32", NULL};
    const char *p = tpath("d.safetensors");
    st_from(p, &tiny, &ref, 0, f16, NULL);
    expect_load(p, &tiny, &tiny, &ref, "safetensors");
    st_from(p, &tiny, &ref, 0, bf16, NULL);
    expect_load(p, &tiny, &tiny, &ref, "safetensors");
    st_from(p, &tiny, &ref, 1, mixed, "{\"format\":\"pt\"}"); /* torchvision names */
    expect_load(p, &tiny, &tiny, &ref, "safetensors");
    st_from(p, &tiny, &ref, 2, f32, NULL);                  /* module. prefix */
    expect_load(p, &tiny, &tiny, &ref, "safetensors");
    weights_free(&ref);
}

/* Subnormal, infinite and NaN halves convert as IEEE says. */
static void test_st_f16_special(void **state)
{
    static const LayerSpec one_layers[] = {{.kind = LK_FC, .name = "fc", .out = 6}};
    static const ArchSpec one = {.name = "one", .input = {1, 1, 1}, .nlayers = 1, .layers = one_layers};
    StT t[2];
    memset(t, 0, sizeof t);
    uint16_t h[6] = {0x0001, 0x8000, 0x7c00, 0xfc00, 0x3c00, 0x7e00}; /* 2^-24, -0, inf, -inf, 1, nan */
    strcpy(t[0].name, "fc.weight"), t[0].dtype = "F16", t[0].nd = 2, t[0].dims[0] = 6, t[0].dims[1] = 1;
    for (int i = 0; i < 6; i++) b_le(&t[0].data, h[i], 2);
    strcpy(t[1].name, "fc.bias"), t[1].dtype = "BF16", t[1].nd = 1, t[1].dims[0] = 6;
    for (int i = 0; i < 6; i++) b_le(&t[1].data, 0x3f80u + (unsigned)i, 2);
    const char *p = tpath("special.safetensors");
    st_write(p, t, 2, NULL);
    Weights w;
    Err e = {{0}};
    assert_int_equal(wfile_load(p, &one, &w, &e), 0);
    assert_true(w.l[0].w[0] == 5.9604644775390625e-8f);
    assert_true(w.l[0].w[1] == 0.0f && signbit(w.l[0].w[1]));
    assert_true(isinf(w.l[0].w[2]) && w.l[0].w[2] > 0);
    assert_true(isinf(w.l[0].w[3]) && w.l[0].w[3] < 0);
    assert_true(w.l[0].w[4] == 1.0f);
    assert_true(isnan(w.l[0].w[5]));
    assert_true(w.l[0].b[0] == 1.0f && w.l[0].b[1] == 1.0078125f);
    weights_free(&w);
}

static void test_onnx_variants(void **state)
{
    Weights ref;
    fill_ref(&tiny, &ref);
    static const OxOpts opts[] = {
        {OX_RAW, FC_GEMM_TB, 0, 0},      {OX_FLOAT_DATA, FC_GEMM_TB, 0, 0}, {OX_UNPACKED, FC_GEMM_TB, 0, 0},
        {OX_RAW, FC_MATMUL, 0, 1},       {OX_RAW, FC_GEMM, 0, 0},           {OX_F16, FC_GEMM_TB, 0, 1},
        {OX_BF16, FC_MATMUL, 0, 0},      {OX_F16_INT32, FC_GEMM, 0, 0},     {OX_DOUBLE, FC_GEMM_TB, 0, 0},
        {OX_RAW, FC_GEMM_TB, 1, 0},      {OX_UNPACKED, FC_MATMUL, 1, 1},
    };
    const char *p = tpath("m.onnx");
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        ox_file(p, &tiny, &ref, &opts[i]);
        Err e = {{0}};
        assert_int_equal(wfile_detect(p, &e), WF_ONNX);
        expect_load(p, &tiny, &tiny, &ref, "onnx");
    }
    weights_free(&ref);
}

static void test_caffe_variants(void **state)
{
    Weights ref;
    fill_ref(&tiny, &ref);
    const char *p = tpath("m.caffemodel");
    for (int v1 = 0; v1 < 2; v1++)
        for (int rename = 0; rename < 2; rename++) {
            cf_file(p, &tiny, &ref, v1, rename);
            Err e = {{0}};
            assert_int_equal(wfile_detect(p, &e), WF_CAFFE);
            expect_load(p, &tiny, &tiny, &ref, "caffemodel");
        }
    weights_free(&ref);
}

/* The arch comes from the first conv's filter count: 6 lenet5, 96 alexnet, 64 alexnet-tv. */
static void test_infer_arch(void **state)
{
    Weights ref;
    fill_ref(&arch_lenet5, &ref);
    Err e = {{0}};
    const char *p = tpath("lenet.safetensors");
    assert_int_equal(wfile_save_safetensors(p, &ref, &e), 0);
    expect_load(p, NULL, &arch_lenet5, &ref, "safetensors");
    static const char *const f32[] = {"F32", NULL};
    st_from(p, &arch_lenet5, &ref, 0, f32, NULL); /* no metadata */
    expect_load(p, NULL, &arch_lenet5, &ref, "safetensors");
    OxOpts o = {OX_RAW, FC_GEMM_TB, 0, 1};
    ox_file(tpath("lenet.onnx"), &arch_lenet5, &ref, &o);
    expect_load(tpath("lenet.onnx"), NULL, &arch_lenet5, &ref, "onnx");
    cf_file(tpath("lenet.caffemodel"), &arch_lenet5, &ref, 1, 0);
    expect_load(tpath("lenet.caffemodel"), NULL, &arch_lenet5, &ref, "caffemodel");
    /* given an arch the file does not fit: a shape error, not a guess */
    expect_fail(tpath("lenet.onnx"), &arch_alexnet, "conv1: weight shape 6×1×5×5, expected 96×3×11×11", NULL, NULL);
    weights_free(&ref);

    /* a file holding only AlexNet's conv1: inferred as alexnet, then conv2 is missing */
    static const LayerSpec c1[] = {{.kind = LK_CONV, .name = "conv1", .out = 96, .k = 11, .stride = 4, .groups = 1}};
    static const ArchSpec only_c1 = {.name = "c1", .input = {3, 227, 227}, .nlayers = 1, .layers = c1};
    fill_ref(&only_c1, &ref);
    ox_file(tpath("c1.onnx"), &only_c1, &ref, &o);
    expect_fail(tpath("c1.onnx"), NULL, "conv2", "missing", "alexnet");
    weights_free(&ref);
    static const LayerSpec c64[] = {{.kind = LK_CONV, .name = "conv1", .out = 64, .k = 11, .stride = 4, .pad = 2, .groups = 1}};
    static const ArchSpec only_c64 = {.name = "c64", .input = {3, 224, 224}, .nlayers = 1, .layers = c64};
    fill_ref(&only_c64, &ref);
    cf_file(tpath("c64.caffemodel"), &only_c64, &ref, 0, 0);
    expect_fail(tpath("c64.caffemodel"), NULL, "conv2", "alexnet-tv", NULL);
    weights_free(&ref);
    static const LayerSpec c7[] = {{.kind = LK_CONV, .name = "conv1", .out = 7, .k = 3, .stride = 1, .groups = 1}};
    static const ArchSpec only_c7 = {.name = "c7", .input = {3, 8, 8}, .nlayers = 1, .layers = c7};
    fill_ref(&only_c7, &ref);
    ox_file(tpath("c7.onnx"), &only_c7, &ref, &o);
    expect_fail(tpath("c7.onnx"), NULL, "architecture", "7 filters", "alexnet 96");
    weights_free(&ref);
}

/* ---- tests: what is refused ---------------------------------------------------------- */

static void test_not_files(void **state)
{
    const char *empty = tpath("empty.onnx"), *dir = tpath("adir"), *missing = tpath("missing.safetensors");
    write_file(empty, NULL, 0);
    assert_int_equal(mkdir(dir, 0700), 0);
    expect_fail(empty, NULL, "empty", NULL, NULL);
    expect_fail(dir, NULL, "directory", NULL, NULL);
    expect_fail(missing, &tiny, "No such file", NULL, NULL);
    Err e = {{0}};
    assert_int_equal(wfile_detect(missing, &e), WF_UNKNOWN);
    assert_non_null(strstr(e.msg, missing));
    write_file(tpath("short"), "\x08\x07", 2);
    expect_fail(tpath("short"), NULL, "not a weight file", NULL, NULL);
    write_file(tpath("text.txt"), "hello, world\n", 13);
    expect_fail(tpath("text.txt"), NULL, "not a weight file", NULL, NULL);
}

/* Loads every prefix of a valid file: each must fail with "PATH: ...", or (a cut that
   only dropped trailing non-weight layers) give exactly the reference weights. */
static void cut_everywhere(const char *name, const Weights *ref)
{
    const char *p = tpath(name), *cut = tpath("cut");
    size_t n;
    uint8_t *b = slurp(p, &n);
    /* shortest last: truncating a file in place is much cheaper than rewriting it */
    write_file(cut, b, n);
    for (size_t len = n - 1; len >= 1; len--) {
        assert_int_equal(truncate(cut, (off_t)len), 0);
        Weights w;
        Err e = {{0}};
        if (wfile_load(cut, &tiny, &w, &e) == 0) {
            assert_same(ref, &w);
            weights_free(&w);
            continue;
        }
        if (strncmp(e.msg, cut, strlen(cut)) != 0) print_error("cut %zu: \"%s\"\n", len, e.msg);
        assert_int_equal(strncmp(e.msg, cut, strlen(cut)), 0);
    }
    free(b);
}

static void test_truncated(void **state)
{
    Weights ref;
    Err e = {{0}};
    fill_ref(&tiny, &ref);
    assert_int_equal(wfile_save_safetensors(tpath("t.safetensors"), &ref, &e), 0);
    OxOpts o1 = {OX_RAW, FC_MATMUL, 0, 0}, o2 = {OX_UNPACKED, FC_GEMM_TB, 1, 0};
    ox_file(tpath("t1.onnx"), &tiny, &ref, &o1);
    ox_file(tpath("t2.onnx"), &tiny, &ref, &o2);
    cf_file(tpath("t1.caffemodel"), &tiny, &ref, 1, 0);
    cf_file(tpath("t2.caffemodel"), &tiny, &ref, 0, 1);
    cut_everywhere("t.safetensors", &ref);
    cut_everywhere("t1.onnx", &ref);
    cut_everywhere("t2.onnx", &ref);
    cut_everywhere("t1.caffemodel", &ref);
    cut_everywhere("t2.caffemodel", &ref);
    weights_free(&ref);
}

static uint64_t rng(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Random files, random files behind a plausible first byte, and valid files with
   random bytes changed: never a crash; a failure always names the file. */
static void test_random_bytes(void **state)
{
    Weights ref;
    Err e = {{0}};
    fill_ref(&tiny, &ref);
    const char *p = tpath("rand.bin");
    static const uint8_t starts[][9] = {{0}, {0x08}, {0x3a}, {0x12}, {0xa2, 0x06}, {16, 0, 0, 0, 0, 0, 0, 0, '{'}};
    for (uint64_t seed = 1; seed <= 60; seed++) {
        uint64_t s = seed;
        size_t n = 1 + rng(&s) % 3000;
        uint8_t *b = malloc(n + 9);
        for (size_t i = 0; i < n; i++) b[i] = (uint8_t)rng(&s);
        const uint8_t *st = starts[seed % 6];
        if (seed % 6) memcpy(b, st, seed % 6 == 4 ? 2 : seed % 6 == 5 ? 9 : 1);
        write_file(p, b, seed % 6 == 5 && n < 9 ? 9 : n);
        expect_fail(p, seed % 2 ? NULL : &tiny, NULL, NULL, NULL);
        free(b);
    }
    /* bit flips in valid files */
    assert_int_equal(wfile_save_safetensors(tpath("f.safetensors"), &ref, &e), 0);
    OxOpts o = {OX_FLOAT_DATA, FC_MATMUL, 0, 0};
    ox_file(tpath("f.onnx"), &tiny, &ref, &o);
    cf_file(tpath("f.caffemodel"), &tiny, &ref, 1, 0);
    const char *names[] = {"f.safetensors", "f.onnx", "f.caffemodel"};
    for (int k = 0; k < 3; k++) {
        size_t n;
        uint8_t *b = slurp(tpath(names[k]), &n);
        uint64_t s = 99 + (uint64_t)k;
        for (int trial = 0; trial < 400; trial++) {
            uint8_t *c = malloc(n);
            memcpy(c, b, n);
            /* mostly in the header / structure, where it matters */
            for (int j = 0; j < 3; j++) c[rng(&s) % (trial % 2 ? n : (n < 200 ? n : 200))] ^= (uint8_t)(1u << (rng(&s) % 8));
            write_file(p, c, n);
            Weights w;
            Err e2 = {{0}};
            if (wfile_load(p, &tiny, &w, &e2) == 0) weights_free(&w);
            else assert_int_equal(strncmp(e2.msg, p, strlen(p)), 0);
            free(c);
        }
        free(b);
    }
    weights_free(&ref);
}

static void test_st_bad_headers(void **state)
{
    const char *p = tpath("bad.safetensors");
    /* header length past the end, and above the reference reader's limit */
    Buf b = {0};
    b_le(&b, 4000, 8);
    b_put(&b, "{}      ", 8);
    write_file(p, b.p, b.n);
    expect_fail(p, &tiny, "header length 4000", "past the end", NULL);
    b.n = 0;
    b_le(&b, 200000000, 8);
    b_put(&b, "{}      ", 8);
    write_file(p, b.p, b.n);
    expect_fail(p, &tiny, "exceeds", NULL, NULL);
    b_free(&b);

#define T(name, dt, shape, off) "\"" name "\":{\"dtype\":\"" dt "\",\"shape\":" shape ",\"data_offsets\":" off "}"
    st_raw(p, "{" T("conv1.weight", "F32", "[4,3,3,3]", "[0,432]") "}", 100);
    expect_fail(p, &tiny, "need 432 bytes", "holds 100", NULL);
    st_raw(p, "{" T("conv1.weight", "F32", "[4,3,3,3]", "[0,432]") "," T("conv1.bias", "F32", "[4]", "[400,416]") "}", 416);
    expect_fail(p, &tiny, "conv1.bias", "overlap", NULL);
    st_raw(p, "{" T("conv1.weight", "F32", "[4,3,3,3]", "[0,432]") "," T("conv1.bias", "F32", "[4]", "[440,456]") "}", 456);
    expect_fail(p, &tiny, "conv1.bias", "gap", NULL);
    st_raw(p, "{" T("a", "F32", "[2]", "[8,16]") "}", 16);
    expect_fail(p, &tiny, "'a'", "begins at 8", NULL);
    st_raw(p, "{" T("conv1.weight", "F32", "[4,3,3,3]", "[0,400]") "}", 400);
    expect_fail(p, &tiny, "conv1.weight", "432 bytes", NULL);
    st_raw(p, "{" T("conv1.weight", "F32", "[4,3,3,3]", "[432,0]") "}", 432);
    expect_fail(p, &tiny, "conv1.weight", "data_offsets", NULL);
    st_raw(p, "{" T("conv1.weight", "Q7", "[4,3,3,3]", "[0,432]") "}", 432);
    expect_fail(p, &tiny, "unknown dtype", "Q7", NULL);
    st_raw(p, "{" T("x", "F32", "[4294967296,4294967296,16]", "[0,0]") "}", 0);
    expect_fail(p, &tiny, "'x'", "overflows", NULL);
    st_raw(p, "{" T("x", "F32", "[18446744073709551615]", "[0,0]") "}", 0);
    expect_fail(p, &tiny, "too large", NULL, NULL);
    st_raw(p, "{" T("x", "F32", "[1,1,1,1,1,1,1,1,1]", "[0,4]") "}", 4);
    expect_fail(p, &tiny, "more than 8", NULL, NULL);
    st_raw(p, "{" T("x", "F32", "[-1]", "[0,4]") "}", 4);
    expect_fail(p, &tiny, "integer", NULL, NULL);
    st_raw(p, "{" T("x", "F32", "[1]", "[0,4]") "", 4);
    expect_fail(p, &tiny, "expected", NULL, NULL);
    st_raw(p, "{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", 0);
    expect_fail(p, &tiny, "data_offsets", NULL, NULL);
    st_raw(p, "{\"\xff\":1}", 0);
    expect_fail(p, &tiny, "UTF-8", NULL, NULL);
    st_raw(p, "{\"__metadata__\":{\"a\":[1]}}", 0);
    expect_fail(p, &tiny, "expected a string", NULL, NULL);
    st_raw(p, "{} x", 0);
    expect_fail(p, &tiny, "after the header", NULL, NULL);

    /* a value we skip, nested far too deeply: refused, no recursion */
    char deep[4200];
    int k = snprintf(deep, sizeof deep, "{\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],\"junk\":");
    for (int i = 0; i < 2000; i++) deep[k++] = '[';
    for (int i = 0; i < 2000; i++) deep[k++] = ']';
    strcpy(deep + k, "}}");
    st_raw(p, deep, 4);
    expect_fail(p, &tiny, "nested too deeply", NULL, NULL);
    /* ... while ordinary unknown keys and values are skipped */
    st_raw(p, "{\"__metadata__\":{}," T("conv1.weight", "F32", "[4,3,3,3]", "[0,432]") "}", 432);
    expect_fail(p, &tiny, "conv1: missing bias", "conv1.bias", "features.0.bias");
    st_raw(p, "{\"x\":{\"junk\":{\"a\":[1,2.5e3,true,null,\"s\\u00e9\"],\"b\":{}},\"dtype\":\"F32\",\"shape\":[],"
              "\"data_offsets\":[0,4]}}", 4);
    expect_fail(p, &tiny, "conv1: missing weight", NULL, NULL);
#undef T
}

static void test_st_wrong_tensors(void **state)
{
    Weights ref;
    fill_ref(&tiny, &ref);
    const char *p = tpath("wrong.safetensors");
    static const char *const f32[] = {"F32", NULL}, *const i8[] = {"F32", "I8", NULL};
    /* conv2 as an ungrouped conv: 4×4×3×3 where groups=2 needs 4×2×3×3 */
    static const LayerSpec ungrouped_layers[] = {
        {.kind = LK_CONV, .name = "conv1", .out = 4, .k = 3, .stride = 1, .groups = 1},
        {.kind = LK_MAXPOOL, .name = "pool1", .k = 2, .stride = 2},
        {.kind = LK_CONV, .name = "conv2", .out = 4, .k = 3, .stride = 1, .groups = 1},
        {.kind = LK_FC, .name = "fc3", .out = 5},
    };
    static const ArchSpec ungrouped = {.name = "ug", .input = {3, 16, 16}, .nlayers = 4, .layers = ungrouped_layers};
    Weights ug;
    fill_ref(&ungrouped, &ug);
    st_from(p, &ungrouped, &ug, 0, f32, NULL);
    expect_fail(p, &tiny, "conv2: weight shape 4×4×3×3, expected 4×2×3×3 (groups=2)", NULL, NULL);
    OxOpts o = {OX_RAW, FC_MATMUL, 0, 0};
    ox_file(tpath("wrong.onnx"), &ungrouped, &ug, &o);
    expect_fail(tpath("wrong.onnx"), &tiny, "conv2: weight shape 4×4×3×3, expected 4×2×3×3 (groups=2)", NULL, NULL);
    cf_file(tpath("wrong.caffemodel"), &ungrouped, &ug, 1, 0);
    expect_fail(tpath("wrong.caffemodel"), &tiny, "conv2: weight shape", "expected 4×2×3×3", NULL);
    weights_free(&ug);

    /* fc3 with 6 outputs: the MatMul weight is stored (in, out) */
    static const LayerSpec fc6_layers[] = {
        {.kind = LK_CONV, .name = "conv1", .out = 4, .k = 3, .stride = 1, .groups = 1},
        {.kind = LK_MAXPOOL, .name = "pool1", .k = 2, .stride = 2},
        {.kind = LK_CONV, .name = "conv2", .out = 4, .k = 3, .stride = 1, .groups = 2},
        {.kind = LK_FC, .name = "fc3", .out = 6},
    };
    static const ArchSpec fc6 = {.name = "fc6", .input = {3, 16, 16}, .nlayers = 4, .layers = fc6_layers};
    fill_ref(&fc6, &ug);
    ox_file(tpath("wrong.onnx"), &fc6, &ug, &o);
    expect_fail(tpath("wrong.onnx"), &tiny, "fc3: weight shape 6×100 (stored transposed as 100×6), expected 5×100",
                NULL, NULL);
    weights_free(&ug);

    /* an integer tensor where a weight is needed */
    st_from(p, &tiny, &ref, 0, i8, NULL);
    expect_fail(p, &tiny, "dtype I8", "only F32", NULL);
    weights_free(&ref);
}

/* Writes the tiny model with an extra initializer named name placed first in the graph,
   holding the given TensorProto fields: the reader takes the first tensor of a name. */
static void ox_patch(const char *path, const Weights *ref, const char *name, const Buf *extra)
{
    OxOpts o = {OX_RAW, FC_GEMM_TB, 0, 0};
    Buf m = {0}, t = {0}, g = {0}, out = {0};
    ox_model(&m, &tiny, ref, &o);
    b_str(&t, 8, name);
    b_vfield(&t, 2, 1);
    b_put(&t, extra->p, extra->n);
    b_msg(&g, 5, &t);
    PbReader r;
    PbField f;
    pb_init(&r, m.p, m.n);
    while (pb_next(&r, &f) > 0)
        if (f.num == 7) b_put(&g, f.data, f.len);
    b_vfield(&out, 1, 7);
    b_msg(&out, 7, &g);
    write_file(path, out.p, out.n);
    b_free(&out);
    b_free(&m);
}

static void test_onnx_refusals(void **state)
{
    Weights ref;
    fill_ref(&tiny, &ref);
    const char *p = tpath("bad.onnx");
    Buf x = {0};
    /* external data */
    b_vfield(&x, 14, 1);
    ox_patch(p, &ref, "conv2_w_0", &x);
    expect_fail(p, &tiny, "conv2", "external data", NULL);
    b_free(&x);
    /* INT8 weights */
    Buf raw = {0};
    b_vfield(&x, 2, 3);
    for (int i = 0; i < 4; i++) b_varint(&raw, i == 0 ? 4 : i == 1 ? 2 : 3);
    b_msg(&x, 1, &raw);
    for (int i = 0; i < 72; i++) b_put(&raw, "\x01", 1);
    b_msg(&x, 9, &raw);
    ox_patch(p, &ref, "conv2_w_0", &x);
    expect_fail(p, &tiny, "conv2", "INT8", "quantised");
    b_free(&x);
    /* 9 dims, and dims whose product overflows */
    for (int i = 0; i < 9; i++) b_vfield(&x, 1, 1);
    ox_patch(p, &ref, "conv1_w_0", &x);
    expect_fail(p, &tiny, "more than 8 dimensions", NULL, NULL);
    b_free(&x);
    b_vfield(&x, 1, (uint64_t)1 << 40);
    b_vfield(&x, 1, (uint64_t)1 << 40);
    ox_patch(p, &ref, "conv1_w_0", &x);
    expect_fail(p, &tiny, "conv1_w_0", "overflows", NULL);
    b_free(&x);
    b_vfield(&x, 1, (uint64_t)-5);
    ox_patch(p, &ref, "fc3_b_0", &x);
    expect_fail(p, &tiny, "fc3_b_0", "negative", NULL);
    b_free(&x);
    /* raw_data shorter than the shape */
    int64_t d[4] = {4, 3, 3, 3};
    for (int i = 0; i < 4; i++) b_vfield(&x, 1, (uint64_t)d[i]);
    b_bytes(&x, 9, "abcd", 4);
    ox_patch(p, &ref, "conv1_w_0", &x);
    expect_fail(p, &tiny, "conv1", "4 bytes", "needs 432");
    b_free(&x);
    /* float_data with one value too many */
    b_vfield(&x, 1, 4);
    for (int i = 0; i < 5; i++) b_bytes(&x, 4, "\0\0\0\0", 4);
    ox_patch(p, &ref, "conv1_b_0", &x);
    expect_fail(p, &tiny, "conv1", "bias", "values");
    b_free(&x);

    /* a missing initializer, and a quantised graph */
    Buf m = {0};
    OxOpts o = {OX_RAW, FC_GEMM_TB, 0, 0};
    ox_model(&m, &tiny, &ref, &o);
    /* rename the initializer (its name field: tag 0x42, length 7), not the node input */
    uint8_t *hit = find_bytes(m.p, m.n, "\x42\x07" "fc3_w_0", 9);
    assert_non_null(hit);
    hit[2] = 'X';
    write_file(p, m.p, m.n);
    expect_fail(p, &tiny, "fc3: weight 'fc3_w_0'", "missing", NULL);
    b_free(&m);
    Buf g = {0}, out = {0};
    const char *in[] = {"x", "w", "b"};
    ox_node(&g, "QLinearConv", in, 3, "y", NULL);
    b_msg(&out, 7, &g);
    write_file(p, out.p, out.n);
    expect_fail(p, &tiny, "quantised", "QLinearConv", NULL);
    b_free(&out);
    /* a graph with no weighted nodes; Gemm with transA */
    ox_node(&g, "Relu", in, 1, "y", NULL);
    b_msg(&out, 7, &g);
    write_file(p, out.p, out.n);
    expect_fail(p, &tiny, "no Conv", NULL, NULL);
    b_free(&out);
    Buf attrs = {0};
    ox_attr_int(&attrs, "transA", 1);
    ox_node(&g, "Gemm", in, 3, "y", &attrs);
    b_msg(&out, 7, &g);
    write_file(p, out.p, out.n);
    expect_fail(p, &tiny, "transA", NULL, NULL);
    b_free(&out);
    weights_free(&ref);
}

static void test_caffe_refusals(void **state)
{
    Weights ref;
    fill_ref(&tiny, &ref);
    const char *p = tpath("bad.caffemodel");
    /* fewer layers than the arch, names that do not match: the missing layer is named */
    Buf m = {0}, layer = {0};
    b_str(&m, 1, "x");
    b_str(&layer, 1, "other");
    b_str(&layer, 2, "Convolution");
    b_msg(&m, 100, &layer);
    write_file(p, m.p, m.n);
    expect_fail(p, &tiny, "conv1", "missing", NULL);
    expect_fail(p, NULL, "architecture", "no Convolution layer with weights", NULL);
    b_free(&m);
    /* no weighted layers at all */
    b_str(&layer, 1, "relu");
    b_str(&layer, 2, "ReLU");
    b_msg(&m, 100, &layer);
    write_file(p, m.p, m.n);
    expect_fail(p, &tiny, "no Convolution or InnerProduct", NULL, NULL);
    b_free(&m);
    /* a bias with the wrong length */
    int64_t d4[4] = {4, 3, 3, 3}, d3 = 3;
    b_str(&layer, 1, "conv1");
    b_str(&layer, 2, "Convolution");
    cf_blob(&layer, 7, d4, 4, ref.l[0].w, 108, 0, 0);
    cf_blob(&layer, 7, &d3, 1, ref.l[0].b, 3, 0, 0);
    b_msg(&m, 100, &layer);
    write_file(p, m.p, m.n);
    expect_fail(p, &tiny, "conv1: bias shape 3, expected 4", NULL, NULL);
    b_free(&m);
    /* the right shape but too few values */
    b_str(&layer, 1, "conv1");
    b_str(&layer, 2, "Convolution");
    cf_blob(&layer, 7, d4, 4, ref.l[0].w, 100, 0, 1);
    b_msg(&m, 100, &layer);
    write_file(p, m.p, m.n);
    expect_fail(p, &tiny, "conv1", "has 100 values", "needs 108");
    b_free(&m);
    weights_free(&ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_st_dtypes_and_names),
        cmocka_unit_test(test_st_f16_special),
        cmocka_unit_test(test_onnx_variants),
        cmocka_unit_test(test_caffe_variants),
        cmocka_unit_test(test_infer_arch),
        cmocka_unit_test(test_not_files),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_st_bad_headers),
        cmocka_unit_test(test_st_wrong_tensors),
        cmocka_unit_test(test_onnx_refusals),
        cmocka_unit_test(test_caffe_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
