/* wfile.c - weight files: open and map, recognise the format, check what a reader found
   against the arch, convert into Weights, and write safetensors.

   Memory: a real AlexNet file is ~244 MB and so are its weights. The file is mapped, not
   read; each tensor is copied straight into its Weights buffer and the pages already
   copied are dropped (MADV_DONTNEED), so the file's pages and the weights are never all
   resident at once. */
#define _DEFAULT_SOURCE /* madvise, MADV_DONTNEED */
#include "wfile.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wfile_impl.h"
#include "util.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_LE 1
#else
#define HOST_LE 0
#endif

/* Bytes copied between releases of the source pages. */
#define RELEASE_CHUNK ((size_t)8 << 20)

/* ---- mapping ----------------------------------------------------------------------- */

static int map_open(const char *path, WMap *m, Err *e)
{
    memset(m, 0, sizeof *m);
    m->path = path;
    /* O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a file. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return err_set(e, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int er = errno;
        close(fd);
        return err_set(e, "%s: %s", path, strerror(er));
    }
    const char *bad = S_ISDIR(st.st_mode) ? "is a directory, not a weight file"
                      : !S_ISREG(st.st_mode) ? "not a regular file"
                      : st.st_size == 0      ? "empty file"
                                             : NULL;
    if (bad) {
        close(fd);
        return err_set(e, "%s: %s", path, bad);
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int er = errno;
    close(fd);
    if (p == MAP_FAILED) return err_set(e, "%s: cannot map the file: %s", path, strerror(er));
    m->p = p;
    m->n = (size_t)st.st_size;
    return 0;
}

static void map_close(WMap *m)
{
    if (m->p) munmap((void *)m->p, m->n);
    m->p = NULL;
}

/* Drops the mapped pages of [from, to): they were copied and will not be read again
   (if they are, the kernel reads them back from the file). */
static void release(const WMap *m, const uint8_t *from, const uint8_t *to)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || to <= from) return;
    uintptr_t a = (uintptr_t)from & ~(uintptr_t)(page - 1);
    if (a < (uintptr_t)m->p) a = (uintptr_t)m->p;
    uintptr_t b = (uintptr_t)to & ~(uintptr_t)(page - 1);
    if (b > a) madvise((void *)a, b - a, MADV_DONTNEED);
}

/* ---- small helpers shared with the readers ----------------------------------------- */

void wfile_name(char *buf, size_t size, const uint8_t *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < size; i++) buf[o++] = (s[i] < 0x20 || s[i] == 0x7f) ? '?' : (char)s[i];
    if (size) buf[o] = '\0';
}

void wfile_shape_str(char *buf, size_t size, const int64_t *dims, int ndim)
{
    size_t o = 0;
    if (size) buf[0] = '\0';
    if (ndim == 0) snprintf(buf, size, "(scalar)");
    for (int i = 0; i < ndim && o < size; i++) {
        int k = snprintf(buf + o, size - o, "%s%lld", i ? "×" : "", (long long)dims[i]);
        if (k < 0) break;
        o += (size_t)k;
    }
}

int wfile_numel(const WMap *m, WTensor *t, Err *e)
{
    if (t->ndim < 0 || t->ndim > WF_MAX_DIMS)
        return err_set(e, "%s: tensor '%s' has %d dimensions (at most %d)", m->path, t->name, t->ndim, WF_MAX_DIMS);
    int64_t n = 1;
    for (int i = 0; i < t->ndim; i++) {
        int64_t d = t->dims[i];
        if (d < 0) return err_set(e, "%s: tensor '%s' has a negative dimension %lld", m->path, t->name, (long long)d);
        /* 2^48 elements is far beyond any file we can map; it keeps every product below
           this bound from overflowing int64. */
        if (d > 0 && n > ((int64_t)1 << 48) / d)
            return err_set(e, "%s: tensor '%s': its shape's element count overflows", m->path, t->name);
        n *= d;
    }
    t->numel = n;
    return 0;
}

int wfile_weighted_count(const ArchSpec *a)
{
    int n = 0;
    for (int i = 0; i < a->nlayers; i++) n += arch_has_weights(a->layers[i].kind);
    return n;
}

int wfile_weighted_layer(const ArchSpec *a, int k)
{
    for (int i = 0; i < a->nlayers; i++)
        if (arch_has_weights(a->layers[i].kind) && k-- == 0) return i;
    return -1;
}

const ArchSpec *wfile_infer_arch(const WMap *m, int64_t first_out, Err *e)
{
    char known[256] = "";
    size_t o = 0;
    for (int i = 0; arch_all[i]; i++) {
        int k = wfile_weighted_layer(arch_all[i], 0);
        if (k < 0 || arch_all[i]->layers[k].kind != LK_CONV) continue;
        if (arch_all[i]->layers[k].out == first_out) return arch_all[i];
        int c = snprintf(known + o, sizeof known - o, "%s%s %d", o ? ", " : "", arch_all[i]->name,
                         arch_all[i]->layers[k].out);
        if (c > 0 && (size_t)c < sizeof known - o) o += (size_t)c;
    }
    err_set(e, "%s: cannot tell the architecture: the first conv layer has %lld filters (%s); name the arch",
            m->path, (long long)first_out, known);
    return NULL;
}

/* ---- checking a found tensor against the arch -------------------------------------- */

static size_t type_size(WType t)
{
    return t == WT_F64 ? 8 : t == WT_F32 ? 4 : 2;
}

/* The shape layer l wants for its weight (bias = 0) or bias (1). */
static int expected_dims(const LayerSpec *l, long nw, long nb, int bias, int64_t *d)
{
    if (bias) {
        d[0] = nb;
        return 1;
    }
    if (l->kind == LK_CONV && l->out > 0 && l->k > 0) {
        d[0] = l->out, d[1] = nw / ((long)l->out * l->k * l->k), d[2] = d[3] = l->k;
        return 4;
    }
    d[0] = l->out, d[1] = l->out > 0 ? nw / l->out : 0;
    return 2;
}

/* The stored shape as the layer sees it: a MatMul (in, out) weight turned to (out, in),
   leading 1s dropped (Caffe's legacy 1×1×N×K), an fc weight stored 4-D (4096×256×6×6)
   flattened to (out, in). */
static int logical_dims(const WTensor *t, int want_ndim, int is_fc_weight, int64_t *d)
{
    int n = t->ndim, s = 0;
    memcpy(d, t->dims, sizeof t->dims);
    if (t->transposed && n == 2) d[0] = t->dims[1], d[1] = t->dims[0];
    while (n - s > want_ndim && d[s] == 1) s++;
    memmove(d, d + s, (size_t)(n - s) * sizeof *d);
    n -= s;
    if (is_fc_weight && n > 2) {
        for (int i = 2; i < n; i++) d[1] *= d[i]; /* bounded: numel was checked */
        n = 2;
    }
    return n;
}

/* Number of values in a WS_PB tensor, counting no further than limit + 1. */
static int count_pb(const WTensor *t, int64_t limit, int64_t *count, const char **why)
{
    PbReader r;
    PbRepeated it;
    uint64_t v;
    int rc;
    pb_init(&r, t->msg, t->msglen);
    pb_rep_init(&it, &r, t->field, t->elem);
    *count = 0;
    while ((rc = pb_rep_next(&it, &v)) > 0)
        if (++*count > limit) return 0;
    *why = it.msg.err;
    return rc;
}

static int check_tensor(const WMap *m, const LayerSpec *l, long nw, long nb, int bias, const WTensor *t, Err *e)
{
    const char *what = bias ? "bias" : "weight";
    int64_t want[4], got[WF_MAX_DIMS];
    int wn = expected_dims(l, nw, nb, bias, want);
    int gn = logical_dims(t, wn, !bias && l->kind == LK_FC, got);
    int same = gn == wn;
    for (int i = 0; same && i < wn; i++) same = got[i] == want[i];
    if (!same) {
        char fs[128], es[128], tr[160] = "", grp[32] = "";
        if (t->transposed && t->ndim == 2) {
            int64_t sw[2] = {t->dims[1], t->dims[0]};
            wfile_shape_str(fs, sizeof fs, sw, 2);
            snprintf(tr, sizeof tr, " (stored transposed as %lld×%lld)", (long long)t->dims[0], (long long)t->dims[1]);
        } else {
            wfile_shape_str(fs, sizeof fs, t->dims, t->ndim);
        }
        wfile_shape_str(es, sizeof es, want, wn);
        if (!bias && l->kind == LK_CONV && l->groups > 1) snprintf(grp, sizeof grp, " (groups=%d)", l->groups);
        return err_set(e, "%s: %s: %s shape %s%s, expected %s%s", m->path, l->name, what, fs, tr, es, grp);
    }
    int64_t numel = bias ? nb : nw;
    if (t->src == WS_RAW) {
        uint64_t need = (uint64_t)numel * type_size(t->type);
        if (t->nbytes != need)
            return err_set(e, "%s: %s: %s '%s' has %zu bytes of data, its shape needs %llu", m->path, l->name,
                           what, t->name, t->nbytes, (unsigned long long)need);
        return 0;
    }
    int64_t count;
    const char *why = NULL;
    if (count_pb(t, numel, &count, &why) < 0)
        return err_set(e, "%s: %s: %s '%s': malformed data (%s)", m->path, l->name, what, t->name, why);
    if (count != numel)
        return err_set(e, "%s: %s: %s '%s' has %s%lld values, its shape needs %lld", m->path, l->name, what,
                       t->name, count > numel ? "more than " : "", (long long)(count > numel ? numel : count),
                       (long long)numel);
    return 0;
}

/* ---- converting to float32 --------------------------------------------------------- */

static float f32_from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* IEEE half: 1 sign, 5 exponent (bias 15), 10 mantissa bits. */
static float f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, ex = (h >> 10) & 0x1fu, man = h & 0x3ffu;
    if (ex == 0) { /* zero or subnormal: man × 2^-24 */
        float f = (float)man * 5.9604644775390625e-8f;
        return sign ? -f : f;
    }
    if (ex == 31) return f32_from_bits(sign | 0x7f800000u | man << 13); /* inf / nan */
    return f32_from_bits(sign | (ex + 112) << 23 | man << 13);
}

/* bfloat16 is the top half of a float32. */
static float bf16_to_f32(uint16_t h)
{
    return f32_from_bits((uint32_t)h << 16);
}

/* Out-of-range doubles become ±inf explicitly: the C conversion would be undefined. */
static float f64_to_f32(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    if (d > FLT_MAX) return INFINITY;
    if (d < -FLT_MAX) return -INFINITY;
    return (float)d;
}

/* One value from its bits as read from the file (little-endian already applied). */
static float from_bits(WType t, uint64_t bits)
{
    switch (t) {
    case WT_F32: return f32_from_bits((uint32_t)bits);
    case WT_F16: return f16_to_f32((uint16_t)bits);
    case WT_BF16: return bf16_to_f32((uint16_t)bits);
    default: return f64_to_f32(bits);
    }
}

static uint64_t load_bits(WType t, const uint8_t *p)
{
    switch (t) {
    case WT_F32: return pb_le32(p);
    case WT_F64: return pb_le64(p);
    default: return (uint64_t)p[0] | (uint64_t)p[1] << 8;
    }
}

/* Where the k-th stored value goes: in order, or transposed from (R, C) to (C, R). The
   walk keeps (r, c) so no division per element. */
typedef struct {
    float *dst;
    int transposed;
    int64_t rows, cols, r, c, k;
} Sink;

static void sink_put(Sink *s, float v)
{
    if (!s->transposed) {
        s->dst[s->k++] = v;
        return;
    }
    s->dst[s->c * s->rows + s->r] = v;
    if (++s->c == s->cols) s->c = 0, s->r++;
}

static void copy_raw(const WMap *m, const WTensor *t, Sink *s)
{
    size_t es = type_size(t->type);
    const uint8_t *p = t->data, *end = t->data + t->nbytes;
    while (p < end) {
        size_t chunk = (size_t)(end - p) < RELEASE_CHUNK ? (size_t)(end - p) : RELEASE_CHUNK;
        if (HOST_LE && t->type == WT_F32 && !s->transposed) {
            memcpy(s->dst + s->k, p, chunk); /* the file may be unaligned: never cast */
            s->k += (int64_t)(chunk / 4);
        } else {
            for (size_t i = 0; i < chunk; i += es) sink_put(s, from_bits(t->type, load_bits(t->type, p + i)));
        }
        release(m, p, p + chunk);
        p += chunk;
    }
}

static int copy_pb(const WMap *m, const WTensor *t, Sink *s)
{
    PbReader r;
    PbRepeated it;
    uint64_t v;
    int rc;
    int64_t left = t->numel;
    const uint8_t *done = t->msg;
    pb_init(&r, t->msg, t->msglen);
    pb_rep_init(&it, &r, t->field, t->elem);
    while (left > 0 && (rc = pb_rep_next(&it, &v)) > 0) {
        sink_put(s, from_bits(t->type, v));
        left--;
        if ((size_t)(pb_rep_pos(&it) - done) >= RELEASE_CHUNK) {
            release(m, done, pb_rep_pos(&it));
            done = pb_rep_pos(&it);
        }
    }
    release(m, done, t->msg + t->msglen);
    return left == 0 ? 0 : -1; /* counted before, so only a changed file gets here */
}

static int copy_tensor(const WMap *m, const WTensor *t, float *dst)
{
    Sink s = {.dst = dst, .transposed = t->transposed && t->ndim == 2};
    if (s.transposed) s.rows = t->dims[0], s.cols = t->dims[1];
    if (t->src == WS_RAW) {
        copy_raw(m, t, &s);
        return 0;
    }
    return copy_pb(m, t, &s);
}

int wfile_check(const WMap *m, const ArchSpec *a, int i, const WLayer *f, Err *e)
{
    const LayerSpec *l = &a->layers[i];
    long nw, nb;
    layer_param_counts(a, i, &nw, &nb);
    if (!f->has_w) return err_set(e, "%s: %s: no weight tensor found", m->path, l->name);
    if (check_tensor(m, l, nw, nb, 0, &f->w, e) != 0) return -1;
    if (f->has_b && check_tensor(m, l, nw, nb, 1, &f->b, e) != 0) return -1;
    return 0;
}

int wfile_fill(const WMap *m, const ArchSpec *a, const WLayer *found, const char *format, Weights *w, Err *e)
{
    /* Everything is checked before anything is allocated. */
    for (int i = 0; i < a->nlayers; i++)
        if (arch_has_weights(a->layers[i].kind) && wfile_check(m, a, i, &found[i], e) != 0) return -1;
    Err ae = {{0}};
    if (weights_alloc(a, w, &ae) != 0) return err_set(e, "%s: %s", m->path, ae.msg);
    for (int i = 0; i < a->nlayers; i++) {
        if (!arch_has_weights(a->layers[i].kind)) continue;
        if (copy_tensor(m, &found[i].w, w->l[i].w) != 0 ||
            (found[i].has_b && copy_tensor(m, &found[i].b, w->l[i].b) != 0)) {
            weights_free(w);
            return err_set(e, "%s: %s: the data changed while it was read", m->path, a->layers[i].name);
        }
    }
    w->trained = 1;
    snprintf(w->source, sizeof w->source, "%s", path_base(m->path));
    snprintf(w->format, sizeof w->format, "%s", format);
    return 0;
}

/* ---- recognising the format -------------------------------------------------------- */

/* ONNX ModelProto: graph 7 (a message), ir_version 1 (varint). Caffe NetParameter:
   name 1 (string), layers 2 (V1), layer 100. Caffe's own field 7 is a bool (varint), so
   a length-delimited field 7 is ONNX's. A damaged file is still classified by the
   fields read before the damage (or the tag of the damaged field), so that its reader
   can say what is wrong instead of "unknown format". */
static WFileFormat detect_pb(const uint8_t *p, size_t n)
{
    PbReader r;
    PbField f;
    int rc, graph = 0, irv = 0, v1 = 0, v2 = 0;
    pb_init(&r, p, n);
    while ((rc = pb_next(&r, &f)) > 0) {
        if (f.num == 7 && f.wire == PB_LEN) graph = 1;
        if (f.num == 1 && f.wire == PB_VARINT) irv = 1;
        if (f.num == 2 && f.wire == PB_LEN) v1 = 1; /* also ONNX's producer_name */
        if (f.num == 100 && f.wire == PB_LEN) v2 = 1;
    }
    if (rc < 0) {
        const uint8_t *q = r.p;
        uint64_t tag;
        if (pb_varint(&q, r.end, &tag) == 0) {
            if (tag == (7 << 3 | PB_LEN)) graph = 1;
            if (tag == (2 << 3 | PB_LEN) && r.p > p) v1 = 1;
            if (tag == (100 << 3 | PB_LEN)) v2 = 1;
        }
    }
    if (graph) return WF_ONNX;
    return v2 || (v1 && !irv) ? WF_CAFFE : WF_UNKNOWN;
}

/* safetensors: 8-byte little-endian header length (below 2^32 in practice, so bytes
   4..7 are zero, which no ONNX or Caffe file starts with), then '{'. */
static WFileFormat detect_bytes(const uint8_t *p, size_t n)
{
    if (n >= 9 && p[8] == '{' && !p[4] && !p[5] && !p[6] && !p[7]) return WF_SAFETENSORS;
    return detect_pb(p, n);
}

static int unknown(const WMap *m, Err *e)
{
    return err_set(e, "%s: not a weight file alexscope reads (ONNX, safetensors or Caffe .caffemodel; %zu bytes)",
                   m->path, m->n);
}

WFileFormat wfile_detect(const char *path, Err *e)
{
    WMap m;
    if (map_open(path, &m, e) != 0) return WF_UNKNOWN;
    WFileFormat f = detect_bytes(m.p, m.n);
    if (f == WF_UNKNOWN) unknown(&m, e);
    map_close(&m);
    return f;
}

int wfile_load(const char *path, const ArchSpec *arch, Weights *w, Err *e)
{
    WMap m;
    memset(w, 0, sizeof *w);
    if (map_open(path, &m, e) != 0) return -1;
    madvise((void *)m.p, m.n, MADV_SEQUENTIAL);
    int rc;
    switch (detect_bytes(m.p, m.n)) {
    case WF_ONNX: rc = wfile_load_onnx(&m, arch, w, e); break;
    case WF_SAFETENSORS: rc = wfile_load_st(&m, arch, w, e); break;
    case WF_CAFFE: rc = wfile_load_caffe(&m, arch, w, e); break;
    default: rc = unknown(&m, e); break;
    }
    map_close(&m);
    if (rc != 0) memset(w, 0, sizeof *w);
    return rc;
}

/* ---- writing safetensors ----------------------------------------------------------- */

typedef struct {
    char *p;
    size_t n, cap;
    int oom;
} Str;

static void str_add(Str *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void str_add(Str *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (s->oom || k < 0) {
        s->oom = 1;
        return;
    }
    if (s->n + (size_t)k + 1 > s->cap) {
        size_t cap = (s->n + (size_t)k + 1) * 2;
        char *p = realloc(s->p, cap);
        if (!p) {
            s->oom = 1;
            return;
        }
        s->p = p, s->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(s->p + s->n, s->cap - s->n, fmt, ap);
    va_end(ap);
    s->n += (size_t)k;
}

/* A JSON string literal; control bytes as \u00XX. */
static void str_json(Str *s, const char *v)
{
    str_add(s, "\"");
    for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
        if (*c == '"' || *c == '\\') str_add(s, "\\%c", *c);
        else if (*c < 0x20) str_add(s, "\\u%04x", *c);
        else str_add(s, "%c", *c);
    }
    str_add(s, "\"");
}

/* One tensor's header entry; *off advances past its data. */
static void str_tensor(Str *s, const char *name, const char *suffix, const int64_t *d, int nd, uint64_t *off)
{
    uint64_t n = 1;
    for (int i = 0; i < nd; i++) n *= (uint64_t)d[i];
    str_add(s, ",\"%s.%s\":{\"dtype\":\"F32\",\"shape\":[", name, suffix);
    for (int i = 0; i < nd; i++) str_add(s, "%s%lld", i ? "," : "", (long long)d[i]);
    str_add(s, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)*off, (unsigned long long)(*off + 4 * n));
    *off += 4 * n;
}

static int build_header(const Weights *w, Str *s)
{
    const ArchSpec *a = w->arch;
    uint64_t off = 0;
    str_add(s, "{\"__metadata__\":{\"arch\":");
    str_json(s, a->name);
    str_add(s, ",\"source\":");
    str_json(s, w->source);
    str_add(s, "}");
    for (int i = 0; i < a->nlayers; i++) {
        const LayerSpec *l = &a->layers[i];
        if (!arch_has_weights(l->kind)) continue;
        int64_t d[4];
        int nd = expected_dims(l, w->l[i].nw, w->l[i].nb, 0, d);
        str_tensor(s, l->name, "weight", d, nd, &off);
        d[0] = w->l[i].nb;
        str_tensor(s, l->name, "bias", d, 1, &off);
    }
    str_add(s, "}");
    while (!s->oom && s->n % 8) str_add(s, " "); /* writers pad so the data is 8-aligned */
    return s->oom ? -1 : 0;
}

/* Writes n floats little-endian, converting through a small buffer on big-endian hosts. */
static int write_f32(FILE *f, const float *v, long n)
{
    if (HOST_LE) return fwrite(v, sizeof *v, (size_t)n, f) == (size_t)n ? 0 : -1;
    uint8_t buf[4096];
    for (long i = 0; i < n;) {
        size_t k = 0;
        for (; i < n && k + 4 <= sizeof buf; i++, k += 4) {
            uint32_t u;
            memcpy(&u, &v[i], 4);
            buf[k] = (uint8_t)u, buf[k + 1] = (uint8_t)(u >> 8), buf[k + 2] = (uint8_t)(u >> 16),
            buf[k + 3] = (uint8_t)(u >> 24);
        }
        if (fwrite(buf, 1, k, f) != k) return -1;
    }
    return 0;
}

static int write_all(FILE *f, const Weights *w, const Str *h)
{
    uint8_t len[8];
    for (int i = 0; i < 8; i++) len[i] = (uint8_t)((uint64_t)h->n >> (8 * i));
    if (fwrite(len, 1, 8, f) != 8 || fwrite(h->p, 1, h->n, f) != h->n) return -1;
    for (int i = 0; i < w->arch->nlayers; i++) {
        if (!arch_has_weights(w->arch->layers[i].kind)) continue;
        if (write_f32(f, w->l[i].w, w->l[i].nw) != 0 || write_f32(f, w->l[i].b, w->l[i].nb) != 0) return -1;
    }
    return 0;
}

int wfile_save_safetensors(const char *path, const Weights *w, Err *e)
{
    if (!w || !w->arch || !w->l) return err_set(e, "%s: no weights to save", path);
    for (int i = 0; i < w->arch->nlayers; i++)
        if (arch_has_weights(w->arch->layers[i].kind) && (!w->l[i].w || !w->l[i].b))
            return err_set(e, "%s: %s has no weights to save", path, w->arch->layers[i].name);
    Str h = {0};
    if (build_header(w, &h) != 0) {
        free(h.p);
        return err_set(e, "%s: out of memory for the header", path);
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        int er = errno;
        free(h.p);
        return err_set(e, "%s: %s", path, strerror(er));
    }
    int rc = write_all(f, w, &h);
    int er = errno;
    if (fclose(f) != 0 && rc == 0) rc = -1, er = errno;
    free(h.p);
    if (rc != 0) {
        remove(path); /* a half-written file would only fail later, less clearly */
        return err_set(e, "%s: write failed: %s", path, strerror(er));
    }
    return 0;
}
