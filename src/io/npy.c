/* npy.c - the NumPy .npy format for float32 arrays, so activations can be compared with
   a Python reference in two lines (np.load / np.allclose).

   Layout (numpy/lib/format.py): the magic "\x93NUMPY", a version byte pair, the header
   length (uint16 LE in 1.0, uint32 LE in 2.0 and 3.0), then a Python dict literal such as
       {'descr': '<f4', 'fortran_order': False, 'shape': (3, 227, 227), }
   padded with spaces and ending in '\n' so the data starts at a multiple of 64 bytes,
   then the data in C order.

   The reader treats the file as hostile: every size comes from the file, so each is
   checked against the file's real length before anything is allocated. */
#include "npy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "util.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_ALIGN 64
#define NPY_MAX_WRITE_DIMS 32  /* numpy's own limit (NPY_MAXDIMS) */
#define NPY_MAX_HEADER (1 << 20) /* real headers are < 200 bytes; v2 allows 4 GB */

/* Little-endian on disk whatever the host is. */
static void put_f32(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    p[0] = (unsigned char)u;
    p[1] = (unsigned char)(u >> 8);
    p[2] = (unsigned char)(u >> 16);
    p[3] = (unsigned char)(u >> 24);
}

static float get_f32(const unsigned char *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* ---- writer ---------------------------------------------------------------------- */

int npy_write(const char *path, const float *data, const int64_t *shape, int ndim, Err *e)
{
    if (!path || !*path) return err_set(e, "(no path): no file name for the .npy");
    if (ndim < 0 || ndim > NPY_MAX_WRITE_DIMS || (ndim > 0 && !shape))
        return err_set(e, "%s: cannot write %d dimensions", path, ndim);

    char dict[1024];
    int len = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    int64_t count = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) return err_set(e, "%s: negative dimension %lld", path, (long long)shape[i]);
        if (shape[i] > 0 && count > INT64_MAX / 4 / shape[i])
            return err_set(e, "%s: array too large", path);
        count *= shape[i];
        len += snprintf(dict + len, sizeof dict - (size_t)len, "%s%lld", i ? ", " : "",
                        (long long)shape[i]);
    }
    /* A 1-tuple needs its comma in Python: (1000,) */
    len += snprintf(dict + len, sizeof dict - (size_t)len, "%s), }", ndim == 1 ? "," : "");
    if (count > 0 && !data) return err_set(e, "%s: no data to write", path);

    /* magic(6) + version(2) + length(2) + dict + padding + '\n' = multiple of 64 */
    int total = 10 + len + 1;
    int pad = (NPY_ALIGN - total % NPY_ALIGN) % NPY_ALIGN;
    int hlen = len + pad + 1;
    unsigned char head[10 + sizeof dict + NPY_ALIGN];
    memcpy(head, NPY_MAGIC, 6);
    head[6] = 1;
    head[7] = 0;
    head[8] = (unsigned char)(hlen & 0xFF);
    head[9] = (unsigned char)(hlen >> 8);
    memcpy(head + 10, dict, (size_t)len);
    memset(head + 10 + len, ' ', (size_t)pad);
    head[10 + hlen - 1] = '\n';

    AFile a;
    if (afile_open(&a, path, e) != 0) return -1;
    int ok = fwrite(head, 1, (size_t)(10 + hlen), a.f) == (size_t)(10 + hlen);
    unsigned char buf[4096 * 4];
    for (int64_t i = 0; ok && i < count; i += 4096) {
        int64_t n = count - i < 4096 ? count - i : 4096;
        for (int64_t j = 0; j < n; j++) put_f32(buf + 4 * j, data[i + j]);
        ok = fwrite(buf, 4, (size_t)n, a.f) == (size_t)n;
    }
    return ok ? afile_commit(&a, e) : afile_fail(&a, e);
}

/* ---- header parser ----------------------------------------------------------------- */

/* A cursor over the header text [p, end). */
typedef struct {
    const char *p, *end;
} Cur;

static void skip_ws(Cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int accept(Cur *c, char ch)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A Python string literal in ' or " (no escapes needed for the values we accept). */
static int parse_str(Cur *c, char *out, size_t size)
{
    skip_ws(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return 0;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        /* a NUL would cut the C string short: '<f4\0junk' must not read as '<f4' */
        if (*c->p == '\\' || *c->p == '\0') return 0;
        if (n + 1 < size) out[n++] = *c->p;
        else return 0;
        c->p++;
    }
    if (c->p >= c->end) return 0;
    c->p++;
    out[n] = '\0';
    return 1;
}

static int parse_word(Cur *c, const char *w)
{
    skip_ws(c);
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) >= n && memcmp(c->p, w, n) == 0) {
        c->p += n;
        return 1;
    }
    return 0;
}

/* A non-negative integer, optionally with Python 2's 'L' suffix; refuses overflow. */
static int parse_dim(Cur *c, int64_t *v)
{
    skip_ws(c);
    if (c->p >= c->end || *c->p < '0' || *c->p > '9') return 0;
    int64_t x = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        int d = *c->p - '0';
        if (x > (INT64_MAX - d) / 10) return 0;
        x = x * 10 + d;
        c->p++;
    }
    if (c->p < c->end && *c->p == 'L') c->p++;
    *v = x;
    return 1;
}

/* Skips a value of a key we do not use: a string, True/False/None, a number or a tuple. */
static int skip_value(Cur *c)
{
    char tmp[256];
    int64_t v;
    skip_ws(c);
    if (c->p < c->end && (*c->p == '\'' || *c->p == '"')) return parse_str(c, tmp, sizeof tmp);
    if (parse_word(c, "True") || parse_word(c, "False") || parse_word(c, "None")) return 1;
    if (parse_dim(c, &v)) return 1;
    if (accept(c, '(')) {
        while (!accept(c, ')')) {
            if (!parse_dim(c, &v)) return 0;
            accept(c, ',');
        }
        return 1;
    }
    return 0;
}

typedef struct {
    char descr[64];
    int have_descr, have_fortran, have_shape;
    int fortran;
    int ndim;
    int64_t shape[NPY_MAX_WRITE_DIMS];
} Header;

/* Returns NULL on success, or what was wrong. */
static const char *parse_header(const char *text, size_t len, Header *h)
{
    Cur c = {text, text + len};
    memset(h, 0, sizeof *h);
    if (!accept(&c, '{')) return "header is not a dict";
    while (!accept(&c, '}')) {
        char key[64];
        if (!parse_str(&c, key, sizeof key)) return "bad key in header";
        if (!accept(&c, ':')) return "missing ':' in header";
        if (strcmp(key, "descr") == 0) {
            if (!parse_str(&c, h->descr, sizeof h->descr)) return "'descr' is not a simple dtype string";
            h->have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (parse_word(&c, "True")) h->fortran = 1;
            else if (parse_word(&c, "False")) h->fortran = 0;
            else return "'fortran_order' is not True or False";
            h->have_fortran = 1;
        } else if (strcmp(key, "shape") == 0) {
            if (!accept(&c, '(')) return "'shape' is not a tuple";
            h->ndim = 0;
            while (!accept(&c, ')')) {
                int64_t v;
                if (h->ndim >= NPY_MAX_WRITE_DIMS) return "'shape' has more than 32 dimensions";
                if (!parse_dim(&c, &v)) return "'shape' holds something other than sizes";
                h->shape[h->ndim++] = v;
                if (!accept(&c, ',')) {
                    if (!accept(&c, ')')) return "'shape' is not a tuple of sizes";
                    break;
                }
            }
            h->have_shape = 1;
        } else if (!skip_value(&c)) {
            return "header has a value that is not understood";
        }
        if (!accept(&c, ',')) {
            if (!accept(&c, '}')) return "header dict is not closed";
            break;
        }
    }
    if (!h->have_descr || !h->have_fortran || !h->have_shape)
        return "header lacks 'descr', 'fortran_order' or 'shape'";
    return NULL;
}

/* ---- reader ----------------------------------------------------------------------- */

int npy_read(const char *path, float **data, int64_t *shape, int max_dims, int *ndim, Err *e)
{
    if (data) *data = NULL;
    if (ndim) *ndim = 0;
    if (!path || !*path) return err_set(e, "(no path): no .npy file given");
    if (!data || !ndim || max_dims < 0 || (max_dims > 0 && !shape))
        return err_set(e, "%s: bad arguments to npy_read", path);

    long long fsize;
    FILE *f = file_open_regular(path, &fsize, e);
    if (!f) return -1;

    unsigned char pre[12];
    if (fsize < 10 || fread(pre, 1, 10, f) != 10 || memcmp(pre, NPY_MAGIC, 6) != 0) {
        fclose(f);
        return err_set(e, "%s: not a .npy file (no \\x93NUMPY magic)", path);
    }
    int major = pre[6];
    long long hlen, hstart;
    if (major == 1) {
        hlen = (long long)pre[8] | (long long)pre[9] << 8;
        hstart = 10;
    } else if (major == 2 || major == 3) {
        if (fread(pre + 10, 1, 2, f) != 2) {
            fclose(f);
            return err_set(e, "%s: truncated .npy header", path);
        }
        hlen = (long long)pre[8] | (long long)pre[9] << 8 | (long long)pre[10] << 16 |
               (long long)pre[11] << 24;
        hstart = 12;
    } else {
        fclose(f);
        return err_set(e, "%s: .npy format version %d.%d is not supported", path, pre[6], pre[7]);
    }
    if (hlen > NPY_MAX_HEADER || hstart + hlen > fsize) {
        fclose(f);
        return err_set(e, "%s: .npy header length %lld is impossible for a %lld-byte file",
                       path, hlen, fsize);
    }
    char *text = malloc((size_t)hlen + 1);
    if (!text) {
        fclose(f);
        return err_set(e, "%s: out of memory", path);
    }
    if (fread(text, 1, (size_t)hlen, f) != (size_t)hlen) {
        free(text);
        fclose(f);
        return err_set(e, "%s: truncated .npy header", path);
    }
    text[hlen] = '\0';
    Header h;
    const char *why = parse_header(text, (size_t)hlen, &h);
    free(text);
    if (why) {
        fclose(f);
        return err_set(e, "%s: %s", path, why);
    }
    if (strcmp(h.descr, "<f4") != 0) {
        fclose(f);
        return err_set(e, "%s: dtype '%s' is not supported (only float32 '<f4'; "
                          "convert with a.astype('<f4'))", path, h.descr);
    }
    if (h.fortran) {
        fclose(f);
        return err_set(e, "%s: Fortran-order array (save np.ascontiguousarray(a))", path);
    }
    if (h.ndim > max_dims) {
        fclose(f);
        return err_set(e, "%s: array has %d dimensions; at most %d expected", path, h.ndim, max_dims);
    }

    long long avail = fsize - hstart - hlen; /* bytes of data in the file */
    /* Checked before multiplying: the product (and its size in bytes) must not overflow.
       The non-zero axes of an empty array count too, as in numpy (which cannot make a
       (2**32, 2**32, 0) array): a caller multiplying the shape we return must not overflow. */
    int64_t count = 1;
    int empty = 0;
    for (int i = 0; i < h.ndim; i++) {
        if (h.shape[i] == 0) {
            empty = 1;
            continue;
        }
        if (count > (INT64_MAX / 4) / h.shape[i]) {
            count = -1;
            break;
        }
        count *= h.shape[i];
    }
    if (empty && count > 0) count = 0;
    if (count < 0 || count * 4 != avail) {
        fclose(f);
        char sh[256];
        int n = 0;
        for (int i = 0; i < h.ndim && n < (int)sizeof sh - 24; i++)
            n += snprintf(sh + n, sizeof sh - (size_t)n, "%s%lld", i ? "×" : "", (long long)h.shape[i]);
        if (h.ndim == 0) snprintf(sh, sizeof sh, "scalar");
        if (count < 0)
            return err_set(e, "%s: shape %s is too large (its element count overflows)", path, sh);
        return err_set(e, "%s: shape %s needs %lld bytes of data but the file holds %lld",
                       path, sh, (long long)count * 4, avail);
    }

    float *x = malloc((size_t)(count > 0 ? count : 1) * sizeof(float));
    if (!x) {
        fclose(f);
        return err_set(e, "%s: out of memory for %lld floats", path, (long long)count);
    }
    unsigned char buf[4096 * 4];
    for (int64_t i = 0; i < count; i += 4096) {
        int64_t n = count - i < 4096 ? count - i : 4096;
        if (fread(buf, 4, (size_t)n, f) != (size_t)n) {
            free(x);
            fclose(f);
            return err_set(e, "%s: read error in the data", path);
        }
        for (int64_t j = 0; j < n; j++) x[i + j] = get_f32(buf + 4 * j);
    }
    fclose(f);
    for (int i = 0; i < h.ndim; i++) shape[i] = h.shape[i];
    *ndim = h.ndim;
    *data = x;
    return 0;
}
