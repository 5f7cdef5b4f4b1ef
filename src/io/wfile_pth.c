/* wfile_pth.c - weights from a PyTorch checkpoint (torch.save, PyTorch 1.6 and later): a
   zip archive (zip.h) holding ARCHIVE/data.pkl, the pickled state dict, and one entry
   ARCHIVE/data/KEY per storage, its raw little-endian elements. ARCHIVE is any name (torch
   uses the file's stem, or "archive").

   The pickle is read by a restricted interpreter (pickle.h) that runs nothing and knows only
   the globals a state dict names; each tensor is
   torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
   backward_hooks) with storage a persistent id ('storage', torch.FloatStorage, KEY,
   location, numel). A tensor must be contiguous and lie inside its storage's entry. The state
   dict may be the checkpoint itself or its 'state_dict' or 'model' entry. Tensors are then
   matched to layers as safetensors' are (wfile_match.c): torchvision's names, else by shape
   and order (here the dict's order, the order the model's layers were defined in). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pickle.h"
#include "wfile_match.h"
#include "zip.h"

#define MAX_TENSORS 65536

/* torch.save before 1.6: a bare pickle starting with PROTO 2 and the magic number
   0x1950a86a20f9469cfc6c as a LONG1. */
static const uint8_t legacy_magic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                       0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};

int wfile_pth_sniff(const uint8_t *p, size_t n)
{
    return zip_sniff(p, n) || (n >= sizeof legacy_magic && memcmp(p, legacy_magic, sizeof legacy_magic) == 0);
}

typedef struct {
    const WMap *m;
    Err *e;
    Zip z;
    Pickle pk;
    const uint8_t *prefix; /* "ARCHIVE/" of ARCHIVE/data.pkl */
    size_t prefix_len;
    WNamed *t;
    size_t n;
} Pth;

static const struct {
    PkGlobal type;
    WType wtype;
    int size;
} storages[] = {
    {PG_FLOAT_STORAGE, WT_F32, 4},
    {PG_HALF_STORAGE, WT_F16, 2},
    {PG_DOUBLE_STORAGE, WT_F64, 8},
    {PG_BFLOAT16_STORAGE, WT_BF16, 2},
};

static const PkVal *val(const Pth *p, int node) { return &p->pk.v[node]; }

/* A tuple of n non-negative ints into d; 0 if it is not one. */
static int int_tuple(const Pth *p, int node, int64_t *d, int *n)
{
    if (node < 0 || val(p, node)->kind != PK_TUPLE || val(p, node)->count > WF_MAX_DIMS) return 0;
    *n = val(p, node)->count;
    for (int k = 0; k < *n; k++) {
        int it = pk_item(&p->pk, node, k);
        if (val(p, it)->kind != PK_INT || val(p, it)->i < 0) return 0;
        d[k] = val(p, it)->i;
    }
    return 1;
}

/* Its storage's zip entry ARCHIVE/data/KEY. */
static const ZipEntry *storage_entry(const Pth *p, const PkVal *key)
{
    char name[512];
    if (p->prefix_len + 5 + key->n >= sizeof name) return NULL;
    memcpy(name, p->prefix, p->prefix_len);
    memcpy(name + p->prefix_len, "data/", 5);
    memcpy(name + p->prefix_len + 5, key->s, key->n);
    return zip_find(&p->z, name, p->prefix_len + 5 + key->n);
}

/* Strides of a contiguous (row-major) tensor; a dim of size 1 may have any stride. */
static int contiguous(const int64_t *size, const int64_t *stride, int n)
{
    int64_t want = 1;
    for (int k = n - 1; k >= 0; k--) {
        if (size[k] != 1 && stride[k] != want) return 0;
        want *= size[k];
    }
    return 1;
}

static int tensor(Pth *p, Slice name, int node, WNamed *t)
{
    char nm[96];
    wfile_name(nm, sizeof nm, name.s, name.n);
    int args = val(p, node)->a;
    int st = pk_item(&p->pk, args, 0), off = pk_item(&p->pk, args, 1);
    int64_t stride[WF_MAX_DIMS];
    int ns = -1;
    t->name = name;
    if (val(p, args)->count < 4 || st < 0 || val(p, st)->kind != PK_STORAGE || val(p, off)->kind != PK_INT ||
        val(p, off)->i < 0 || !int_tuple(p, pk_item(&p->pk, args, 2), t->dims, &t->ndim) ||
        !int_tuple(p, pk_item(&p->pk, args, 3), stride, &ns) || ns != t->ndim)
        return err_set(p->e, "%s: tensor '%s': _rebuild_tensor_v2 without (storage, offset, size, stride)", p->m->path,
                       nm);
    const PkVal *s = val(p, st);
    size_t k = 0;
    while (k + 1 < sizeof storages / sizeof storages[0] && storages[k].type != (PkGlobal)s->b) k++;
    t->type = storages[k].wtype;
    t->type_name = pk_global_name((PkGlobal)s->b);
    if (!contiguous(t->dims, stride, t->ndim))
        return err_set(p->e, "%s: tensor '%s' is not contiguous (its strides are not its shape's); save "
                             "t.contiguous()", p->m->path, nm);
    const ZipEntry *en = storage_entry(p, val(p, s->a));
    char key[64];
    wfile_name(key, sizeof key, val(p, s->a)->s, val(p, s->a)->n);
    if (!en) return err_set(p->e, "%s: tensor '%s': its storage data/%s is not in the archive", p->m->path, nm, key);
    /* the elements [offset, offset + numel) must lie in the storage, and the storage in its entry */
    uint64_t es = (uint64_t)storages[k].size, cap = en->size / es, numel = 1;
    for (int d = 0; d < t->ndim; d++) {
        if (t->dims[d] != 0 && numel > cap / (uint64_t)t->dims[d]) numel = cap + 1;
        else numel *= (uint64_t)t->dims[d];
    }
    uint64_t o = (uint64_t)val(p, off)->i;
    if ((uint64_t)s->i > cap || o > (uint64_t)s->i || numel > (uint64_t)s->i - o)
        return err_set(p->e, "%s: tensor '%s' runs past the end of its storage data/%s (%llu bytes)", p->m->path, nm,
                       key, (unsigned long long)en->size);
    t->data = en->data + o * es;
    t->nbytes = (size_t)(numel * es);
    return 0;
}

/* The dict's value for a str key, or -1. */
static int dict_get(const Pth *p, int dict, const char *key)
{
    for (int it = val(p, dict)->a; it >= 0; it = p->pk.it[it].next) {
        const PkVal *k = val(p, p->pk.it[it].key);
        if (k->kind == PK_STR && k->n == strlen(key) && memcmp(k->s, key, k->n) == 0) return p->pk.it[it].val;
    }
    return -1;
}

/* The state dict: the checkpoint, or its 'state_dict' or 'model' entry. */
static int state_dict(Pth *p, int *out)
{
    int root = p->pk.root;
    if (val(p, root)->kind != PK_DICT)
        return err_set(p->e, "%s: the checkpoint holds %s, not a state dict (save model.state_dict())", p->m->path,
                       pk_kind_name(val(p, root)->kind));
    static const char *const wrappers[] = {"state_dict", "model"};
    *out = root;
    for (int k = 0; k < 2; k++) {
        int v = dict_get(p, root, wrappers[k]);
        if (v >= 0 && val(p, v)->kind == PK_DICT) return (*out = v), 0;
    }
    return 0;
}

static int collect(Pth *p)
{
    int d = -1;
    if (state_dict(p, &d) != 0) return -1;
    int count = val(p, d)->count;
    if (count > MAX_TENSORS) return err_set(p->e, "%s: more than %d entries in the state dict", p->m->path, MAX_TENSORS);
    p->t = calloc((size_t)count + 1, sizeof *p->t);
    if (!p->t) return err_set(p->e, "%s: out of memory", p->m->path);
    for (int it = val(p, d)->a; it >= 0; it = p->pk.it[it].next) {
        const PkVal *k = val(p, p->pk.it[it].key);
        int v = p->pk.it[it].val;
        if (val(p, v)->kind != PK_TENSOR) continue; /* a checkpoint's epoch, arch, ... */
        if (k->kind != PK_STR) return err_set(p->e, "%s: a tensor's key is %s, not a name", p->m->path, pk_kind_name(k->kind));
        if (tensor(p, (Slice){k->s, k->n}, v, &p->t[p->n]) != 0) return -1;
        p->n++;
    }
    if (p->n == 0) return err_set(p->e, "%s: the checkpoint's state dict holds no tensors", p->m->path);
    return 0;
}

static int open_pickle(Pth *p)
{
    int several = 0;
    const ZipEntry *pkl = zip_find_suffix(&p->z, "/data.pkl", &several);
    if (!pkl && !several) pkl = zip_find(&p->z, "data.pkl", 8);
    if (several) return err_set(p->e, "%s: the archive holds several data.pkl", p->m->path);
    if (!pkl) return err_set(p->e, "%s: a zip archive without data.pkl: not a PyTorch checkpoint", p->m->path);
    p->prefix = pkl->name;
    p->prefix_len = pkl->name_len - 8;
    /* PyTorch 2 records the byte order; the storages are read little-endian */
    char bo[256];
    if (p->prefix_len + 9 < sizeof bo) {
        memcpy(bo, p->prefix, p->prefix_len);
        memcpy(bo + p->prefix_len, "byteorder", 9);
        const ZipEntry *en = zip_find(&p->z, bo, p->prefix_len + 9);
        if (en && !(en->size == 6 && memcmp(en->data, "little", 6) == 0))
            return err_set(p->e, "%s: a big-endian checkpoint (its byteorder is not 'little'); save it on a "
                                 "little-endian machine", p->m->path);
    }
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION /* a fuzzer could not get past the checksum */
    if (!zip_crc_ok(pkl)) return err_set(p->e, "%s: the checkpoint's data.pkl is damaged (its CRC-32 differs)", p->m->path);
#endif
    return pk_load(&p->pk, pkl->data, (size_t)pkl->size, p->m->path, p->e);
}

int wfile_load_pth(const WMap *m, const ArchSpec *arch, Weights *w, Err *e)
{
    if (!zip_sniff(m->p, m->n))
        return err_set(e, "%s: a PyTorch checkpoint in the legacy format (before PyTorch 1.6); load it and save it "
                          "again with torch.save(state_dict, path) from PyTorch 1.6 or later", m->path);
    Pth p = {.m = m, .e = e};
    int rc = -1;
    if (zip_open(&p.z, m->p, m->n, m->path, e) == 0 && open_pickle(&p) == 0 && collect(&p) == 0)
        rc = wfile_match(m, arch, NULL, p.t, p.n, "pth", w, e);
    free(p.t);
    pk_free(&p.pk);
    zip_close(&p.z);
    return rc;
}
