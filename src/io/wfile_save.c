/* wfile_save.c - writing Weights as an F32 safetensors file (wfile_save_safetensors):
   a JSON header with Caffe-style names ("conv1.weight") and the arch in __metadata__,
   padded to 8 bytes, then every tensor little-endian in layer order. The file is written
   under a temporary name and renamed when complete (afile.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "strbuf.h"
#include "wfile_impl.h"

/* A JSON string literal; control bytes as \u00XX. */
static void str_json(StrBuf *s, const char *v)
{
    sb_add(s, "\"");
    for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
        if (*c == '"' || *c == '\\') sb_add(s, "\\%c", *c);
        else if (*c < 0x20) sb_add(s, "\\u%04x", *c);
        else sb_add(s, "%c", *c);
    }
    sb_add(s, "\"");
}

/* One tensor's header entry; *off advances past its data. */
static void str_tensor(StrBuf *s, const char *name, const char *suffix, const int64_t *d, int nd, uint64_t *off)
{
    uint64_t n = 1;
    for (int i = 0; i < nd; i++) n *= (uint64_t)d[i];
    sb_add(s, ",\"%s.%s\":{\"dtype\":\"F32\",\"shape\":[", name, suffix);
    for (int i = 0; i < nd; i++) sb_add(s, "%s%lld", i ? "," : "", (long long)d[i]);
    sb_add(s, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)*off, (unsigned long long)(*off + 4 * n));
    *off += 4 * n;
}

static int build_header(const Weights *w, const char *const *keys, const char *const *vals, int nmeta, StrBuf *s)
{
    const ArchSpec *a = w->arch;
    uint64_t off = 0;
    sb_add(s, "{\"__metadata__\":{\"arch\":");
    str_json(s, a->name);
    sb_add(s, ",\"source\":");
    str_json(s, w->source);
    for (int i = 0; i < nmeta; i++) {
        sb_add(s, ",");
        str_json(s, keys[i]);
        sb_add(s, ":");
        str_json(s, vals[i]);
    }
    sb_add(s, "}");
    for (int i = 0; i < a->nlayers; i++) {
        const LayerSpec *l = &a->layers[i];
        if (!arch_has_weights(l->kind)) continue;
        int64_t d[4];
        int nd = wfile_expected_dims(l, w->l[i].nw, w->l[i].nb, 0, d);
        str_tensor(s, l->name, "weight", d, nd, &off);
        d[0] = w->l[i].nb;
        str_tensor(s, l->name, "bias", d, 1, &off);
    }
    sb_add(s, "}");
    while (!s->oom && s->n % 8) sb_add(s, " "); /* writers pad so the data is 8-aligned */
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

static int write_all(FILE *f, const Weights *w, const StrBuf *h)
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
    return wfile_save_safetensors_meta(path, w, NULL, NULL, 0, e);
}

int wfile_save_safetensors_meta(const char *path, const Weights *w, const char *const *keys,
                                const char *const *vals, int nmeta, Err *e)
{
    if (!w || !w->arch || !w->l) return err_set(e, "%s: no weights to save", path);
    for (int i = 0; i < w->arch->nlayers; i++)
        if (arch_has_weights(w->arch->layers[i].kind) && (!w->l[i].w || !w->l[i].b))
            return err_set(e, "%s: %s has no weights to save", path, w->arch->layers[i].name);
    StrBuf h = {0};
    if (build_header(w, keys, vals, nmeta, &h) != 0) {
        sb_free(&h);
        return err_set(e, "%s: out of memory for the header", path);
    }
    AFile a;
    if (afile_open(&a, path, e) != 0) {
        sb_free(&h);
        return -1;
    }
    int rc = write_all(a.f, w, &h) == 0 ? afile_commit(&a, e) : afile_fail(&a, e);
    sb_free(&h);
    return rc;
}
