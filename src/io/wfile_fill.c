/* wfile_fill.c - what the format readers share: names and shapes for messages, element
   counts, inferring the arch, checking each found tensor against the arch, and copying it
   into Weights while converting to float32 (F16, BF16, F64; transposing a MatMul weight).

   Memory: each tensor is copied straight from the file's bytes (read by wfile.c) into its
   Weights buffer, and the pages copied are dropped (MADV_DONTNEED) when wfile.c owns them
   (WMap.release), so a ~244 MB file and its weights are never all resident at once. */
#define _DEFAULT_SOURCE /* madvise, MADV_DONTNEED */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"
#include "wfile_impl.h"

/* ---- small helpers shared with the readers ----------------------------------------- */

int slice_is(Slice a, const char *s)
{
    return a.s && a.n == strlen(s) && memcmp(a.s, s, a.n) == 0;
}

int slice_eq(Slice a, Slice b)
{
    return a.s && b.s && a.n == b.n && memcmp(a.s, b.s, a.n) == 0;
}

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

int wfile_expected_dims(const LayerSpec *l, long nw, long nb, int bias, int64_t *d)
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
    int wn = wfile_expected_dims(l, nw, nb, bias, want);
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

/* ---- copying, and releasing what was copied ------------------------------------------- */

/* Bytes copied between releases of the file's pages. */
#define RELEASE_CHUNK ((size_t)8 << 20)

typedef struct {
    const uint8_t *lo, *hi;
} Range;

/* While a tensor is copied: the file (m) and the byte ranges of the tensors still to copy
   after it, whose pages must stay. */
typedef struct {
    const WMap *m;
    const Range *later;
    int nlater;
} Release;

/* The bytes a tensor's copy reads. */
static Range tensor_range(const WTensor *t)
{
    return t->src == WS_RAW ? (Range){t->data, t->data + t->nbytes} : (Range){t->msg, t->msg + t->msglen};
}

/* Drops the pages lying wholly inside [from, to) - bytes just copied - unless a tensor still
   to copy touches one of them (a hostile file may make tensors share bytes): dropped pages
   of wfile.c's anonymous buffer read back as zeros. Only when m->release. */
static void release(const Release *r, const uint8_t *from, const uint8_t *to)
{
    long page = sysconf(_SC_PAGESIZE);
    if (!r->m->release || page <= 0) return;
    uintptr_t pg = (uintptr_t)page;
    uintptr_t a = ((uintptr_t)from + pg - 1) & ~(pg - 1), b = (uintptr_t)to & ~(pg - 1);
    if (a < (uintptr_t)r->m->p) a = (uintptr_t)r->m->p; /* only the file's own pages (page-aligned) */
    if (b > (uintptr_t)(r->m->p + r->m->n)) b = (uintptr_t)(r->m->p + r->m->n) & ~(pg - 1);
    if (b <= a) return;
    for (int k = 0; k < r->nlater; k++) {
        uintptr_t lo = (uintptr_t)r->later[k].lo & ~(pg - 1), hi = (uintptr_t)r->later[k].hi + pg - 1;
        if (lo < b && a < hi) return; /* still needed: keep the chunk (rare, never wrong) */
    }
    madvise((void *)a, b - a, MADV_DONTNEED);
}

static void copy_raw(const WTensor *t, Sink *s, const Release *r)
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
        release(r, p, p + chunk);
        p += chunk;
    }
}

static int copy_pb(const WTensor *t, Sink *s, const Release *r)
{
    PbReader rd;
    PbRepeated it;
    uint64_t v;
    int64_t left = t->numel;
    const uint8_t *done = t->msg;
    pb_init(&rd, t->msg, t->msglen);
    pb_rep_init(&it, &rd, t->field, t->elem);
    while (left > 0 && pb_rep_next(&it, &v) > 0) {
        sink_put(s, from_bits(t->type, v));
        left--;
        if ((size_t)(pb_rep_pos(&it) - done) >= RELEASE_CHUNK) {
            release(r, done, pb_rep_pos(&it));
            done = pb_rep_pos(&it);
        }
    }
    release(r, done, t->msg + t->msglen);
    return left == 0 ? 0 : -1; /* counted by wfile_check, so this does not fail */
}

static int copy_tensor(const WTensor *t, float *dst, const Release *r)
{
    Sink s = {.dst = dst, .transposed = t->transposed && t->ndim == 2};
    if (s.transposed) s.rows = t->dims[0], s.cols = t->dims[1];
    if (t->src == WS_RAW) {
        copy_raw(t, &s, r);
        return 0;
    }
    return copy_pb(t, &s, r);
}

/* Copies every found tensor into w, in layer order (weight, then bias), releasing the
   file's pages behind it. */
static int copy_all(const WMap *m, const ArchSpec *a, const WLayer *found, Weights *w, Err *e)
{
    size_t cap = 2 * (size_t)a->nlayers;
    Range *ranges = calloc(cap, sizeof *ranges);
    const WTensor **src = calloc(cap, sizeof *src);
    float **dst = calloc(cap, sizeof *dst);
    int rc = ranges && src && dst ? 0 : err_set(e, "%s: out of memory", m->path), n = 0;
    for (int i = 0; rc == 0 && i < a->nlayers; i++) {
        if (!arch_has_weights(a->layers[i].kind)) continue;
        src[n] = &found[i].w, dst[n] = w->l[i].w, ranges[n] = tensor_range(src[n]), n++;
        if (found[i].has_b) src[n] = &found[i].b, dst[n] = w->l[i].b, ranges[n] = tensor_range(src[n]), n++;
    }
    for (int k = 0; rc == 0 && k < n; k++) {
        Release r = {m, ranges + k + 1, n - k - 1};
        if (copy_tensor(src[k], dst[k], &r) != 0)
            rc = err_set(e, "%s: tensor '%s': the data changed while it was read", m->path, src[k]->name);
    }
    free(ranges);
    free(src);
    free(dst);
    return rc;
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
    if (copy_all(m, a, found, w, e) != 0) {
        weights_free(w);
        return -1;
    }
    w->trained = 1;
    snprintf(w->source, sizeof w->source, "%s", path_base(m->path));
    snprintf(w->format, sizeof w->format, "%s", format);
    return 0;
}

static int hex_digit(uint8_t c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0;
}

/* A JSON string's raw contents (jstring checked the escapes) decoded into out; \u
   escapes become UTF-8 (a surrogate half: '?'). */
void wfile_unescape(Slice v, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < v.n && o + 4 < size; i++) {
        uint8_t c = v.s[i];
        if (c != '\\' || i + 1 >= v.n) {
            out[o++] = (char)c;
            continue;
        }
        c = v.s[++i];
        const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
        const char *k = strchr(from, c);
        if (c != 'u') {
            out[o++] = k && c ? to[k - from] : (char)c;
            continue;
        }
        unsigned cp = 0;
        for (int d = 1; d <= 4 && i + d < v.n; d++) cp = cp << 4 | (unsigned)hex_digit(v.s[i + d]);
        i += 4;
        if (cp >= 0xd800 && cp <= 0xdfff) out[o++] = '?';
        else if (cp < 0x80) out[o++] = (char)cp;
        else if (cp < 0x800) out[o++] = (char)(0xc0 | cp >> 6), out[o++] = (char)(0x80 | (cp & 0x3f));
        else out[o++] = (char)(0xe0 | cp >> 12), out[o++] = (char)(0x80 | (cp >> 6 & 0x3f)), out[o++] = (char)(0x80 | (cp & 0x3f));
    }
    if (size) out[o < size ? o : size - 1] = '\0';
}
