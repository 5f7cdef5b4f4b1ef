/* wfile_safetensors.c - weights from a safetensors file (the format as the README and
   reference reader of huggingface/safetensors define it): an 8-byte little-endian header
   length N, N bytes of JSON
   {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
   then the data buffer.

   The header is validated as the reference reader does (size limit, UTF-8, JSON,
   offsets that tile the buffer exactly with no gap or overlap, sizes that match
   dtype × shape without overflow) before any tensor is used. The JSON parser is
   small, iterative and bounded: no recursion, nesting at most JSON_MAX_DEPTH.

   Names: Caffe-style conv1.weight (what wfile_save_safetensors writes), the spec's
   alias (torchvision's features.0.weight), the Model Zoo's conv1_w_0, each also with a
   prefix ("module.features.0.weight"); other names by shape and order (wfile_match.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfile_match.h"

#define HEADER_MAX 100000000u  /* the reference reader's limit */
#define MAX_TENSORS 65536      /* a classifier has tens; this bounds the entry table */
#define JSON_MAX_DEPTH 64

typedef struct {
    const char *name;
    int size;        /* bytes per element */
    int wtype;       /* WType, or -1: a dtype we know but do not convert */
} DType;

static const DType dtypes[] = {
    {"F64", 8, WT_F64}, {"F32", 4, WT_F32}, {"F16", 2, WT_F16}, {"BF16", 2, WT_BF16},
    {"I64", 8, -1}, {"I32", 4, -1}, {"I16", 2, -1}, {"I8", 1, -1},
    {"U64", 8, -1}, {"U32", 4, -1}, {"U16", 2, -1}, {"U8", 1, -1}, {"BOOL", 1, -1},
    {"F8_E4M3", 1, -1}, {"F8_E5M2", 1, -1}, {"F8_E8M0", 1, -1},
};
#define NDTYPES ((int)(sizeof dtypes / sizeof dtypes[0]))

/* Slices into the header are raw JSON string contents, escapes not decoded. */
typedef struct {
    Slice name;
    int dtype;          /* index into dtypes */
    int ndim;
    int64_t dims[WF_MAX_DIMS];
    uint64_t begin, end;
} Entry;

typedef struct {
    const WMap *m;
    Err *e;
    const uint8_t *p, *hstart, *hend;   /* JSON cursor and the header */
    const uint8_t *buf;                 /* the data buffer */
    uint64_t buflen;
    Entry *ent;
    size_t n, cap;
    Slice meta_arch;                    /* __metadata__.arch, if any */
    Slice meta_trained;                 /* __metadata__.trained_on, if any */
    const char *meta_want;              /* wfile_st_metadata's key, and its value */
    Slice meta_found;
} St;

/* ---- JSON ---------------------------------------------------------------------------- */

static int jfail(St *s, const char *why)
{
    return err_set(s->e, "%s: invalid safetensors header at byte %zu: %s", s->m->path,
                   (size_t)(s->p - s->m->p), why);
}

static void jws(St *s)
{
    while (s->p < s->hend && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) s->p++;
}

static int jexpect(St *s, char c)
{
    jws(s);
    if (s->p >= s->hend || *s->p != (uint8_t)c) {
        char m[16];
        snprintf(m, sizeof m, "expected '%c'", c);
        return jfail(s, m);
    }
    s->p++;
    return 0;
}

static int hexval(uint8_t c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A string; *out is its raw contents (escapes checked, not decoded). */
static int jstring(St *s, Slice *out)
{
    jws(s);
    if (s->p >= s->hend || *s->p != '"') return jfail(s, "expected a string");
    const uint8_t *start = ++s->p;
    while (s->p < s->hend && *s->p != '"') {
        uint8_t c = *s->p;
        if (c < 0x20) return jfail(s, "control character in a string");
        if (c != '\\') {
            s->p++;
            continue;
        }
        if (s->hend - s->p < 2) break;
        c = s->p[1];
        if (c == 'u') {
            if (s->hend - s->p < 6 || hexval(s->p[2]) < 0 || hexval(s->p[3]) < 0 || hexval(s->p[4]) < 0 ||
                hexval(s->p[5]) < 0)
                return jfail(s, "bad \\u escape");
            s->p += 6;
        } else if (strchr("\"\\/bfnrt", c) && c) {
            s->p += 2;
        } else {
            return jfail(s, "bad escape");
        }
    }
    if (s->p >= s->hend) return jfail(s, "unterminated string");
    out->s = start;
    out->n = (size_t)(s->p - start);
    s->p++;
    return 0;
}

/* A non-negative integer, as the reference's usize fields. */
static int juint(St *s, uint64_t *v)
{
    jws(s);
    if (s->p >= s->hend || *s->p < '0' || *s->p > '9') return jfail(s, "expected a non-negative integer");
    if (*s->p == '0' && s->hend - s->p > 1 && s->p[1] >= '0' && s->p[1] <= '9') return jfail(s, "leading zero");
    uint64_t x = 0;
    while (s->p < s->hend && *s->p >= '0' && *s->p <= '9') {
        unsigned d = (unsigned)(*s->p - '0');
        if (x > (UINT64_MAX - d) / 10) return jfail(s, "integer too large");
        x = x * 10 + d;
        s->p++;
    }
    if (s->p < s->hend && (*s->p == '.' || *s->p == 'e' || *s->p == 'E')) return jfail(s, "expected an integer");
    *v = x;
    return 0;
}

/* A container's items: jopen after the opening bracket, jnext after each item. Both
   return 0 if an item follows, 1 if the container has ended (close consumed), -1 on error. */
static int jopen(St *s, char open, char close)
{
    if (jexpect(s, open) != 0) return -1;
    jws(s);
    if (s->p < s->hend && *s->p == close) {
        s->p++;
        return 1;
    }
    return 0;
}

static int jnext(St *s, char close)
{
    jws(s);
    if (s->p < s->hend && *s->p == ',') {
        s->p++;
        return 0;
    }
    return jexpect(s, close) == 0 ? 1 : -1;
}

/* [n, n, ...] with at most max elements. */
static int juint_array(St *s, uint64_t *v, int max, int *count, const char *what)
{
    *count = 0;
    int rc = jopen(s, '[', ']');
    while (rc == 0) {
        if (*count == max) {
            char m[64];
            snprintf(m, sizeof m, "%s has more than %d elements", what, max);
            return jfail(s, m);
        }
        if (juint(s, &v[(*count)++]) != 0) return -1;
        rc = jnext(s, ']');
    }
    return rc < 0 ? -1 : 0;
}

static int jliteral(St *s)
{
    static const char *const lits[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(lits[i]);
        if ((size_t)(s->hend - s->p) >= n && memcmp(s->p, lits[i], n) == 0) {
            s->p += n;
            return 0;
        }
    }
    return jfail(s, "unexpected character");
}

static int digits(St *s)
{
    const uint8_t *start = s->p;
    while (s->p < s->hend && *s->p >= '0' && *s->p <= '9') s->p++;
    return s->p > start ? 0 : jfail(s, "bad number");
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int jnumber(St *s)
{
    if (*s->p == '-') s->p++;
    if (s->p < s->hend && *s->p == '0') s->p++;
    else if (digits(s) != 0) return -1;
    if (s->p < s->hend && *s->p == '.') {
        s->p++;
        if (digits(s) != 0) return -1;
    }
    if (s->p < s->hend && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->hend && (*s->p == '+' || *s->p == '-')) s->p++;
        if (digits(s) != 0) return -1;
    }
    return 0;
}

static int jscalar(St *s)
{
    Slice tmp;
    uint8_t c = *s->p;
    if (c == '"') return jstring(s, &tmp);
    if (c == '-' || (c >= '0' && c <= '9')) return jnumber(s);
    return jliteral(s);
}

/* "key": inside an object being skipped */
static int jkey(St *s)
{
    Slice tmp;
    return jstring(s, &tmp) != 0 || jexpect(s, ':') != 0 ? -1 : 0;
}

/* Skips any value (one we do not use), iteratively, with the open brackets on a stack. */
static int jskip(St *s)
{
    char close[JSON_MAX_DEPTH];
    int depth = 0;
    for (;;) {
        jws(s);
        if (s->p >= s->hend) return jfail(s, "unexpected end of the header");
        uint8_t c = *s->p;
        if (c == '{' || c == '[') {
            if (depth == JSON_MAX_DEPTH) return jfail(s, "nested too deeply");
            close[depth++] = c == '{' ? '}' : ']';
            s->p++;
            jws(s);
            if (s->p < s->hend && *s->p == (uint8_t)close[depth - 1]) {
                s->p++, depth--;
            } else {
                if (c == '{' && jkey(s) != 0) return -1;
                continue; /* the first member / element */
            }
        } else if (jscalar(s) != 0) {
            return -1;
        }
        /* after a value: closing brackets, or a comma and the next member / element */
        for (;;) {
            if (depth == 0) return 0;
            jws(s);
            if (s->p < s->hend && *s->p == (uint8_t)close[depth - 1]) {
                s->p++, depth--;
                continue;
            }
            if (jexpect(s, ',') != 0) return -1;
            if (close[depth - 1] == '}' && jkey(s) != 0) return -1;
            break;
        }
    }
}

/* Iterates an object's members: calls member(s, key, ctx) with the cursor on the value. */
static int jobject(St *s, int (*member)(St *, Slice, void *), void *ctx)
{
    int rc = jopen(s, '{', '}');
    while (rc == 0) {
        Slice key;
        if (jstring(s, &key) != 0 || jexpect(s, ':') != 0 || member(s, key, ctx) != 0) return -1;
        rc = jnext(s, '}');
    }
    return rc < 0 ? -1 : 0;
}

/* ---- the header ------------------------------------------------------------------------ */

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static int utf8_ok(const uint8_t *p, const uint8_t *end)
{
    while (p < end) {
        uint8_t c = *p;
        int n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;
        if (n < 0 || end - p <= n) return 0; /* not a lead byte, or cut short */
        uint32_t cp = n == 0 ? c : n == 1 ? c & 0x1fu : n == 2 ? c & 0x0fu : c & 0x07u;
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80) return 0;
            cp = cp << 6 | (p[i] & 0x3fu);
        }
        static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
        p += n + 1;
    }
    return 1;
}

static int meta_member(St *s, Slice key, void *ctx)
{
    Slice v;
    (void)ctx;
    if (jstring(s, &v) != 0) return -1; /* metadata is a map of strings */
    if (slice_is(key, "arch")) s->meta_arch = v;
    if (slice_is(key, "trained_on")) s->meta_trained = v;
    if (s->meta_want && slice_is(key, s->meta_want)) s->meta_found = v;
    return 0;
}

typedef struct {
    Entry *t;
    int has_dtype, has_shape, has_offsets;
} EntryCtx;

static int entry_member(St *s, Slice key, void *vctx)
{
    EntryCtx *c = vctx;
    uint64_t v[WF_MAX_DIMS];
    int n;
    if (slice_is(key, "dtype")) {
        Slice d;
        if (c->has_dtype++) return jfail(s, "duplicate dtype");
        if (jstring(s, &d) != 0) return -1;
        for (c->t->dtype = 0; c->t->dtype < NDTYPES && !slice_is(d, dtypes[c->t->dtype].name); c->t->dtype++) {}
        if (c->t->dtype == NDTYPES) {
            char dn[32], tn[96];
            wfile_name(dn, sizeof dn, d.s, d.n);
            wfile_name(tn, sizeof tn, c->t->name.s, c->t->name.n);
            return err_set(s->e, "%s: tensor '%s' has an unknown dtype '%s'", s->m->path, tn, dn);
        }
    } else if (slice_is(key, "shape")) {
        if (c->has_shape++) return jfail(s, "duplicate shape");
        if (juint_array(s, v, WF_MAX_DIMS, &n, "shape") != 0) return -1;
        for (int i = 0; i < n; i++) {
            if (v[i] > INT64_MAX) return jfail(s, "dimension too large");
            c->t->dims[i] = (int64_t)v[i];
        }
        c->t->ndim = n;
    } else if (slice_is(key, "data_offsets")) {
        if (c->has_offsets++) return jfail(s, "duplicate data_offsets");
        if (juint_array(s, v, 2, &n, "data_offsets") != 0) return -1;
        if (n != 2) return jfail(s, "data_offsets needs [begin, end]");
        c->t->begin = v[0], c->t->end = v[1];
    } else {
        return jskip(s);
    }
    return 0;
}

/* Element count × element size, with overflow checked at every step. */
static int entry_bytes(St *s, const Entry *t, uint64_t *bytes)
{
    uint64_t n = (uint64_t)dtypes[t->dtype].size;
    for (int i = 0; i < t->ndim; i++) {
        uint64_t d = (uint64_t)t->dims[i];
        if (d != 0 && n > UINT64_MAX / d) {
            char tn[96];
            wfile_name(tn, sizeof tn, t->name.s, t->name.n);
            return err_set(s->e, "%s: tensor '%s': its shape's element count overflows", s->m->path, tn);
        }
        n *= d;
    }
    *bytes = n;
    return 0;
}

static int tensor_member(St *s, Slice key, void *ctx)
{
    (void)ctx;
    if (slice_is(key, "__metadata__")) return jobject(s, meta_member, NULL);
    if (s->n == MAX_TENSORS) return jfail(s, "more than 65536 tensors");
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        Entry *p = realloc(s->ent, cap * sizeof *p);
        if (!p) return err_set(s->e, "%s: out of memory", s->m->path);
        s->ent = p, s->cap = cap;
    }
    Entry *t = &s->ent[s->n];
    memset(t, 0, sizeof *t);
    t->name = key;
    EntryCtx c = {.t = t};
    if (jobject(s, entry_member, &c) != 0) return -1;
    if (!c.has_dtype || !c.has_shape || !c.has_offsets) return jfail(s, "a tensor needs dtype, shape and data_offsets");
    char tn[96];
    uint64_t bytes = 0;
    wfile_name(tn, sizeof tn, key.s, key.n);
    if (entry_bytes(s, t, &bytes) != 0) return -1;
    if (t->end < t->begin || t->end - t->begin != bytes)
        return err_set(s->e, "%s: tensor '%s': data_offsets [%llu, %llu] do not hold its %llu bytes", s->m->path, tn,
                       (unsigned long long)t->begin, (unsigned long long)t->end, (unsigned long long)bytes);
    s->n++;
    return 0;
}

static int by_begin(const void *a, const void *b)
{
    const Entry *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin ? 1 : x->end < y->end ? -1 : x->end > y->end;
}

/* The tensors must tile the buffer: sorted, the first at 0, each where the last ended,
   the last at the end of the file. */
static int check_layout(St *s)
{
    if (s->n > 1) qsort(s->ent, s->n, sizeof *s->ent, by_begin); /* ent is NULL when there are none */
    uint64_t at = 0;
    for (size_t i = 0; i < s->n; i++) {
        const Entry *t = &s->ent[i];
        if (t->begin != at) {
            char tn[96];
            wfile_name(tn, sizeof tn, t->name.s, t->name.n);
            return err_set(s->e, "%s: tensor '%s' begins at %llu, expected %llu (%s between tensors)", s->m->path, tn,
                           (unsigned long long)t->begin, (unsigned long long)at, t->begin > at ? "a gap" : "an overlap");
        }
        at = t->end;
    }
    if (at != s->buflen)
        return err_set(s->e, "%s: the tensors %s %llu bytes of data, but the file holds %llu after the header",
                       s->m->path, at > s->buflen ? "need" : "cover only", (unsigned long long)at,
                       (unsigned long long)s->buflen);
    return 0;
}

static int parse_header(St *s)
{
    const WMap *m = s->m;
    if (m->n < 8) return err_set(s->e, "%s: too short for safetensors (%zu bytes)", m->path, m->n);
    uint64_t n = pb_le64(m->p);
    if (n > HEADER_MAX)
        return err_set(s->e, "%s: safetensors header length %llu exceeds the limit of %u bytes", m->path,
                       (unsigned long long)n, HEADER_MAX);
    if (n > m->n - 8)
        return err_set(s->e, "%s: safetensors header length %llu runs past the end of the file (%zu bytes)", m->path,
                       (unsigned long long)n, m->size ? m->size : m->n);
    s->hstart = s->p = m->p + 8;
    s->hend = s->hstart + n;
    s->buf = s->hend;
    s->buflen = (uint64_t)((m->size ? m->size : m->n) - 8 - n); /* m->size: only the header is in memory */
    if (!utf8_ok(s->hstart, s->hend)) return err_set(s->e, "%s: the safetensors header is not valid UTF-8", m->path);
    if (jobject(s, tensor_member, NULL) != 0) return -1;
    jws(s);
    if (s->p != s->hend) return jfail(s, "text after the header's object");
    return check_layout(s);
}

/* ---- matching (wfile_match.c) ---------------------------------------------------------- */

/* The entries, in the order of their data, as the matcher takes them. */
static WNamed *named(St *s)
{
    WNamed *t = calloc(s->n ? s->n : 1, sizeof *t);
    if (!t) {
        err_set(s->e, "%s: out of memory", s->m->path);
        return NULL;
    }
    for (size_t i = 0; i < s->n; i++) {
        const Entry *en = &s->ent[i];
        const DType *d = &dtypes[en->dtype];
        t[i].name = en->name;
        t[i].ndim = en->ndim;
        memcpy(t[i].dims, en->dims, sizeof en->dims);
        t[i].type = d->wtype;
        t[i].type_name = d->name;
        t[i].data = s->buf + en->begin;
        t[i].nbytes = (size_t)(en->end - en->begin);
    }
    return t;
}

int wfile_st_metadata(const WMap *m, const char *key, char *out, size_t size, Err *e)
{
    St s = {.m = m, .e = e, .meta_want = key};
    int rc = parse_header(&s);
    free(s.ent);
    if (rc != 0) return -1;
    if (!s.meta_found.s) return 1;
    wfile_unescape(s.meta_found, out, size);
    return 0;
}

static int load(St *s, const ArchSpec *arch, Weights *w)
{
    if (parse_header(s) != 0) return -1;
    WNamed *t = named(s);
    if (!t) return -1;
    char meta[64];
    wfile_name(meta, sizeof meta, s->meta_arch.s, s->meta_arch.n);
    int rc = wfile_match(s->m, arch, s->meta_arch.s ? meta : NULL, t, s->n, "safetensors", w, s->e);
    free(t);
    if (rc == 0 && s->meta_trained.s) {
        char on[128];
        size_t n = strlen(w->source);
        wfile_unescape(s->meta_trained, on, sizeof on);
        snprintf(w->source + n, sizeof w->source - n, " (trained on %s)", on);
    }
    return rc;
}

int wfile_load_st(const WMap *m, const ArchSpec *arch, Weights *w, Err *e)
{
    St s = {.m = m, .e = e};
    int rc = load(&s, arch, w);
    free(s.ent);
    return rc;
}
