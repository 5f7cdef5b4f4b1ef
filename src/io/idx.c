/* idx.c - MNIST's idx files, gzipped or not (idx.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "idx.h"
#include "util.h"

/* Reads up to len bytes; the count read, or -1 on a zlib error (*why says which). */
static long long gz_fill(gzFile gz, unsigned char *dst, long long len, const char **why)
{
    long long got = 0;
    while (got < len) {
        long long want = len - got > (1 << 30) ? (1 << 30) : len - got;
        int r = gzread(gz, dst + got, (unsigned)want);
        if (r < 0) {
            int code = 0;
            *why = gzerror(gz, &code);
            return -1;
        }
        if (r == 0) break;
        got += r;
    }
    return got;
}

static gzFile gz_open(const char *path, long long *size, Err *e)
{
    FILE *f = file_open_regular(path, size, e);
    if (!f) return NULL;
    int fd = dup(fileno(f));
    fclose(f);
    gzFile gz = fd < 0 ? NULL : gzdopen(fd, "rb");
    if (!gz) {
        if (fd >= 0) close(fd);
        err_set(e, "%s: cannot open (out of memory or file descriptors)", path);
    }
    return gz;
}

int idx_read(const char *path, int max_dims, IdxArray *out, Err *e)
{
    memset(out, 0, sizeof *out);
    long long fsize;
    gzFile gz = gz_open(path, &fsize, e);
    if (!gz) return -1;
    const char *why = NULL;
    unsigned char head[4 + 4 * IDX_MAX_DIMS];
    int rc = -1;
    long long got = gz_fill(gz, head, 4, &why);
    if (got < 0) {
        err_set(e, "%s: corrupt gzip data (%s)", path, why);
        goto done;
    }
    if (got < 4 || head[0] != 0 || head[1] != 0) {
        err_set(e, "%s: not an idx file (it must start with two zero bytes, a type and a dimension count)", path);
        goto done;
    }
    if (head[2] != 0x08) {
        err_set(e, "%s: idx data type 0x%02x; only 0x08 (unsigned bytes) is read", path, head[2]);
        goto done;
    }
    int nd = head[3];
    if (nd < 1 || nd > max_dims || nd > IDX_MAX_DIMS) {
        err_set(e, "%s: %d dimensions; expected 1 to %d", path, nd, max_dims < IDX_MAX_DIMS ? max_dims : IDX_MAX_DIMS);
        goto done;
    }
    if (gz_fill(gz, head + 4, 4LL * nd, &why) != 4LL * nd) {
        err_set(e, "%s: truncated in the header", path);
        goto done;
    }
    long long total = 1;
    for (int i = 0; i < nd; i++) {
        const unsigned char *b = head + 4 + 4 * i;
        int64_t d = ((int64_t)b[0] << 24) | ((int64_t)b[1] << 16) | ((int64_t)b[2] << 8) | b[3];
        if (d < 1) {
            err_set(e, "%s: dimension %d is %lld", path, i, (long long)d);
            goto done;
        }
        out->dim[i] = d;
        total *= d;   /* each factor < 2^32 and the product checked after every step */
        if (total > (long long)IDX_MAX_BYTES) {
            err_set(e, "%s: the header claims more than %u MiB of data; refused", path, IDX_MAX_BYTES >> 20);
            goto done;
        }
    }
    out->ndim = nd;
    /* Nothing is allocated for data the file cannot hold: a plain file holds its size less
       the header, deflate expands at most ~1032:1 (fuzzing found 16 bytes asking for 256 MiB). */
    long long room = gzdirect(gz) ? fsize - 4 - 4LL * nd : fsize * 1100;
    if (gzdirect(gz) && total > room) {
        err_set(e, "%s: truncated: %lld of %lld bytes of data", path, room, total);
        goto done;
    }
    if (total > room) {
        err_set(e, "%s: truncated: %lld bytes of gzip data cannot hold the %lld bytes the header promises", path, fsize, total);
        goto done;
    }
    if (!(out->data = malloc((size_t)total))) {
        err_set(e, "%s: out of memory for %lld bytes", path, total);
        goto done;
    }
    got = gz_fill(gz, out->data, total, &why);
    unsigned char extra;
    if (got < 0) err_set(e, "%s: corrupt gzip data (%s)", path, why);
    else if (got < total) err_set(e, "%s: truncated: %lld of %lld bytes of data", path, got, total);
    else if (gz_fill(gz, &extra, 1, &why) != 0) err_set(e, "%s: trailing data after %lld bytes", path, total);
    else rc = 0;
done:
    gzclose(gz);
    if (rc != 0) idx_array_free(out);
    return rc;
}

void idx_array_free(IdxArray *a)
{
    free(a->data);
    memset(a, 0, sizeof *a);
}

const char *idx_dataset_dir(const char *name, char *out, int size)
{
    if (strcmp(name, "fashion-mnist") == 0) name = "/usr/share/datasets/fashion-mnist";
    str_copy(out, (size_t)size, name);
    return out;
}

/* dir/base or dir/base.gz, whichever exists (the plain one first). */
static void find_file(const char *dir, const char *base, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", dir, base);
    if (access(out, F_OK) == 0) return;
    snprintf(out, size, "%s/%s.gz", dir, base);
}

int idx_load_split(const char *dir_or_name, const char *split, IdxSet *s, Err *e)
{
    memset(s, 0, sizeof *s);
    char dir[512], ipath[600], lpath[600], base[64];
    idx_dataset_dir(dir_or_name, dir, sizeof dir);
    snprintf(base, sizeof base, "%s-images-idx3-ubyte", split);
    find_file(dir, base, ipath, sizeof ipath);
    snprintf(base, sizeof base, "%s-labels-idx1-ubyte", split);
    find_file(dir, base, lpath, sizeof lpath);
    IdxArray im, lb;
    if (idx_read(ipath, 3, &im, e) != 0) return -1;
    if (idx_read(lpath, 1, &lb, e) != 0) {
        idx_array_free(&im);
        return -1;
    }
    int rc = -1;
    if (im.ndim != 3) err_set(e, "%s: %d dimensions; images need 3 (count, rows, columns)", ipath, im.ndim);
    else if (lb.ndim != 1) err_set(e, "%s: %d dimensions; labels need 1", lpath, lb.ndim);
    else if (im.dim[0] != lb.dim[0])
        err_set(e, "%s: %lld images but %s has %lld labels", ipath, (long long)im.dim[0], lpath, (long long)lb.dim[0]);
    else if (im.dim[1] > 4096 || im.dim[2] > 4096)
        err_set(e, "%s: images of %lld×%lld; too big for this data set reader", ipath, (long long)im.dim[1],
                (long long)im.dim[2]);
    else rc = 0;
    if (rc != 0) {
        idx_array_free(&im), idx_array_free(&lb);
        return -1;
    }
    s->n = (int)im.dim[0], s->h = (int)im.dim[1], s->w = (int)im.dim[2];
    s->pixels = im.data, s->labels = lb.data;
    for (int i = 0; i < s->n; i++)
        if (s->labels[i] + 1 > s->classes) s->classes = s->labels[i] + 1;
    str_copy(s->source, sizeof s->source, ipath);
    return 0;
}

void idx_set_free(IdxSet *s)
{
    free(s->pixels);
    free(s->labels);
    memset(s, 0, sizeof *s);
}
