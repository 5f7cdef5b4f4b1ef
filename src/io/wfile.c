/* wfile.c - weight files: open and map, recognise the format, and hand the mapped file
   to the format's reader (wfile_onnx.c, wfile_safetensors.c, wfile_caffe.c). The readers
   check and copy what they found through wfile_fill.c; the writer is wfile_save.c.

   Memory: a real AlexNet file is ~244 MB and so are its weights. The file is mapped, not
   read (wfile_fill.c drops the pages it has copied), so the file's pages and the weights
   are never all resident at once. */
#define _DEFAULT_SOURCE /* madvise, MADV_SEQUENTIAL */
#include "wfile.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "util.h"
#include "wfile_impl.h"

/* ---- mapping ----------------------------------------------------------------------- */

static int map_open(const char *path, WMap *m, Err *e)
{
    memset(m, 0, sizeof *m);
    m->path = path;
    long long size;
    FILE *f = file_open_regular(path, &size, e); /* a FIFO is refused, not waited on */
    if (!f) return -1;
    if (size == 0) {
        fclose(f);
        return err_set(e, "%s: empty file", path);
    }
    void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fileno(f), 0);
    int er = errno;
    fclose(f);
    if (p == MAP_FAILED) return err_set(e, "%s: cannot map the file: %s", path, strerror(er));
    m->p = p;
    m->n = (size_t)size;
    return 0;
}

static void map_close(WMap *m)
{
    if (m->p) munmap((void *)m->p, m->n);
    m->p = NULL;
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

int wfile_metadata(const char *path, const char *key, char *out, size_t size, Err *e)
{
    WMap m;
    if (size) out[0] = '\0';
    if (map_open(path, &m, e) != 0) return -1;
    int rc = detect_bytes(m.p, m.n) == WF_SAFETENSORS ? wfile_st_metadata(&m, key, out, size, e) : 1;
    map_close(&m);
    return rc;
}
