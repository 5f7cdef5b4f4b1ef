/* wfile.c - weight files: read the file into memory, recognise the format, and hand the
   bytes to the format's reader (wfile_onnx.c, wfile_safetensors.c, wfile_caffe.c). The
   readers check and copy what they found through wfile_fill.c; the writer is wfile_save.c.

   Reading, not mapping: a mapped file that shrinks while it is copied (a download still
   in progress, a full disk) kills the process with SIGBUS. The file is opened only if it
   is a regular file (a FIFO or device is refused before anything blocks), read whole with
   pread, and its size and modification time are checked again afterwards: a file that
   changed is "PATH: changed while being read".

   Memory: the file is read into anonymous pages (not malloc), which wfile_fill.c gives
   back as it copies each tensor out: the file's ~244 MB for a real AlexNet are resident
   whole, the weights are not yet (docs/numbers.md). */
#define _DEFAULT_SOURCE /* st_mtim, MAP_ANONYMOUS */
#include "wfile.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "wfile_impl.h"

/* A weight file larger than this is refused before anything is allocated: an AlexNet
   stored as float64 is ~490 MB. */
#define WFILE_MAX_BYTES ((size_t)1 << 30)
/* What wfile_detect reads of a file: enough to classify every format (see detect_pb). */
#define DETECT_BYTES ((size_t)64 << 10)

void (*wfile_read_hook)(const char *path);

/* ---- reading ----------------------------------------------------------------------- */

/* An open weight file: its stream and what fstat said when it was opened. */
typedef struct {
    const char *path;
    FILE *f;
    struct stat st;
} WFile;

static int wf_open(const char *path, WFile *wf, Err *e)
{
    memset(wf, 0, sizeof *wf);
    wf->path = path;
    long long size;
    wf->f = file_open_regular(path, &size, e); /* a FIFO is refused, not waited on */
    if (!wf->f) return -1;
    if (fstat(fileno(wf->f), &wf->st) != 0) {
        int er = errno;
        fclose(wf->f);
        return err_set(e, "%s: %s", path, strerror(er));
    }
    if (wf->st.st_size == 0) {
        fclose(wf->f);
        return err_set(e, "%s: empty file", path);
    }
    if ((unsigned long long)wf->st.st_size > WFILE_MAX_BYTES) {
        fclose(wf->f);
        return err_set(e, "%s: %lld bytes is too big for a weight file (limit 1 GiB)", path,
                       (long long)wf->st.st_size);
    }
    return 0;
}

static int changed(const WFile *wf, Err *e)
{
    return err_set(e, "%s: changed while being read", wf->path);
}

/* Reads n bytes at offset off into buf. A short read means the file shrank. */
static int wf_read(const WFile *wf, void *buf, size_t n, size_t off, Err *e)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fileno(wf->f), (char *)buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int er = errno;
            return err_set(e, "%s: read error (%s)", wf->path, strerror(er));
        }
        if (r == 0) return changed(wf, e);
        got += (size_t)r;
    }
    return 0;
}

/* After reading: the same size and modification time as when the file was opened. */
static int wf_unchanged(const WFile *wf, Err *e)
{
    struct stat st;
    if (fstat(fileno(wf->f), &st) != 0) {
        int er = errno;
        return err_set(e, "%s: %s", wf->path, strerror(er));
    }
    if (st.st_size != wf->st.st_size || st.st_mtim.tv_sec != wf->st.st_mtim.tv_sec ||
        st.st_mtim.tv_nsec != wf->st.st_mtim.tv_nsec)
        return changed(wf, e);
    return 0;
}

/* Reads the first n bytes of path (all of it if n is 0 or larger than the file) into a new
   buffer *m->p the caller frees; m->size is the whole file's size. */
static int read_file(const char *path, size_t n, WMap *m, Err *e)
{
    memset(m, 0, sizeof *m);
    m->path = path;
    WFile wf;
    if (wf_open(path, &wf, e) != 0) return -1;
    size_t size = (size_t)wf.st.st_size;
    if (n == 0 || n > size) n = size;
    /* anonymous pages, not malloc: wfile_fill gives back the ones it has copied */
    void *map = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *buf = map == MAP_FAILED ? NULL : map;
    int rc = buf ? 0 : err_set(e, "%s: out of memory reading %zu bytes", path, n);
    if (rc == 0 && wfile_read_hook) wfile_read_hook(path);
    if (rc == 0) rc = wf_read(&wf, buf, n, 0, e);
    if (rc == 0) rc = wf_unchanged(&wf, e);
    fclose(wf.f);
    if (rc != 0) {
        if (buf) munmap(buf, n);
        return -1;
    }
    m->p = buf;
    m->n = n;
    m->size = size;
    m->release = 1;
    return 0;
}

static void map_free(WMap *m)
{
    if (m->p) munmap((void *)m->p, m->n);
    m->p = NULL;
}

/* ---- recognising the format -------------------------------------------------------- */

/* ONNX ModelProto: graph 7 (a message), ir_version 1 (varint). Caffe NetParameter:
   name 1 (string), layers 2 (V1), layer 100. Caffe's own field 7 is a bool (varint), so
   a length-delimited field 7 is ONNX's. A damaged file is still classified by the
   fields read before the damage (or the tag of the damaged field), so that its reader
   can say what is wrong instead of "unknown format".
   p may hold only the first n of the file's size bytes (wfile_detect): a length-delimited
   field cut off by the end of p but inside the file counts as read, so the start of a
   file is classified as the whole file is. */
static WFileFormat detect_pb(const uint8_t *p, size_t n, size_t size)
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
        uint64_t tag, len;
        if (pb_varint(&q, r.end, &tag) == 0) {
            int whole = n < size && (tag & 7) == PB_LEN && pb_varint(&q, r.end, &len) == 0 &&
                        len <= size - (size_t)(q - p);
            if (tag == (7 << 3 | PB_LEN)) graph = 1;
            if (tag == (2 << 3 | PB_LEN) && (r.p > p || whole)) v1 = 1;
            if (tag == (100 << 3 | PB_LEN)) v2 = 1;
        }
    }
    if (graph) return WF_ONNX;
    return v2 || (v1 && !irv) ? WF_CAFFE : WF_UNKNOWN;
}

/* safetensors: 8-byte little-endian header length (below 2^32 in practice, so bytes
   4..7 are zero, which no ONNX or Caffe file starts with), then '{'. */
static WFileFormat detect_bytes(const uint8_t *p, size_t n, size_t size)
{
    if (wfile_pth_sniff(p, n)) return WF_PTH; /* a zip ("PK\3\4") or a legacy torch.save pickle */
    if (n >= 9 && p[8] == '{' && !p[4] && !p[5] && !p[6] && !p[7]) return WF_SAFETENSORS;
    return detect_pb(p, n, size);
}

static int unknown(const WMap *m, Err *e)
{
    return err_set(e, "%s: not a weight file alexscope reads (ONNX, safetensors, Caffe .caffemodel or PyTorch .pth; %zu bytes)",
                   m->path, m->size ? m->size : m->n);
}

WFileFormat wfile_detect(const char *path, Err *e)
{
    WMap m;
    if (read_file(path, DETECT_BYTES, &m, e) != 0) return WF_UNKNOWN;
    WFileFormat f = detect_bytes(m.p, m.n, m.size);
    if (f == WF_UNKNOWN) unknown(&m, e);
    map_free(&m);
    return f;
}

/* The whole file in m: recognise it and hand it to its reader. */
static int load_map(const WMap *m, const ArchSpec *arch, Weights *w, Err *e)
{
    int rc;
    switch (detect_bytes(m->p, m->n, m->n)) {
    case WF_ONNX: rc = wfile_load_onnx(m, arch, w, e); break;
    case WF_SAFETENSORS: rc = wfile_load_st(m, arch, w, e); break;
    case WF_CAFFE: rc = wfile_load_caffe(m, arch, w, e); break;
    case WF_PTH: rc = wfile_load_pth(m, arch, w, e); break;
    default: rc = unknown(m, e); break;
    }
    if (rc != 0) memset(w, 0, sizeof *w);
    return rc;
}

int wfile_load_buffer(const unsigned char *data, size_t len, const char *name, const ArchSpec *arch, Weights *w,
                      Err *e)
{
    memset(w, 0, sizeof *w);
    if (!data || len == 0) return err_set(e, "%s: empty file", name);
    WMap m = {.path = name, .p = data, .n = len}; /* the caller's bytes: never released */
    return load_map(&m, arch, w, e);
}

int wfile_load(const char *path, const ArchSpec *arch, Weights *w, Err *e)
{
    WMap m;
    memset(w, 0, sizeof *w);
    if (read_file(path, 0, &m, e) != 0) return -1;
    int rc = load_map(&m, arch, w, e);
    map_free(&m);
    return rc;
}

/* Only the safetensors header is read: its 8-byte length, then the header itself. */
int wfile_metadata(const char *path, const char *key, char *out, size_t size, Err *e)
{
    WMap m;
    if (size) out[0] = '\0';
    if (read_file(path, 16, &m, e) != 0) return -1;
    if (detect_bytes(m.p, m.n, m.size) != WF_SAFETENSORS) {
        map_free(&m);
        return 1;
    }
    uint64_t want = 8 + pb_le64(m.p);
    if (want > m.n && want <= m.size) { /* a longer header: read it whole */
        map_free(&m);
        if (read_file(path, (size_t)want, &m, e) != 0) return -1;
    }
    int rc = wfile_st_metadata(&m, key, out, size, e);
    map_free(&m);
    return rc;
}
