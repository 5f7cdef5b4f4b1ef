/* wfile_match.c - named tensors to layers: by name, else by shape and order
   (wfile_match.h). Safetensors files written by the safetensors library store their data
   sorted by dtype and then by name ("classifier.1" before "features.0", "features.10"
   before "features.4"), so the file's order alone says little; the shapes say which
   layer, and the order only breaks ties between layers of the same shape. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "wfile_match.h"

typedef struct {
    const WMap *m;
    Err *e;
    const WNamed *t;
    size_t n;
} Match;

/* ---- by name ------------------------------------------------------------------------ */

/* name == want, or name ends with "." want (a prefix such as "module."). Exact wins. */
static int find_name(Match *s, const char *want, const WNamed **out)
{
    size_t wn = strlen(want);
    const WNamed *exact = NULL, *suffix = NULL;
    int nsuffix = 0;
    for (size_t i = 0; i < s->n; i++) {
        Slice nm = s->t[i].name;
        if (nm.n == wn && memcmp(nm.s, want, wn) == 0) {
            if (exact) return err_set(s->e, "%s: two tensors are named '%s'", s->m->path, want);
            exact = &s->t[i];
        } else if (nm.n > wn && nm.s[nm.n - wn - 1] == '.' && memcmp(nm.s + nm.n - wn, want, wn) == 0) {
            suffix = &s->t[i], nsuffix++;
        }
    }
    if (!exact && nsuffix > 1) return err_set(s->e, "%s: several tensors end in '.%s'", s->m->path, want);
    *out = exact ? exact : suffix;
    return 0;
}

/* The tensor for layer l's weight (bias 0) or bias, under any of its names. */
static int find_tensor(Match *s, const LayerSpec *l, int bias, const WNamed **out, char *tried, size_t tsize)
{
    char cand[3][128];
    int nc = 0;
    snprintf(cand[nc++], sizeof cand[0], "%s.%s", l->name, bias ? "bias" : "weight");
    if (l->alias) snprintf(cand[nc++], sizeof cand[0], "%s.%s", l->alias, bias ? "bias" : "weight");
    snprintf(cand[nc++], sizeof cand[0], "%s_%s_0", l->name, bias ? "b" : "w");
    *out = NULL;
    for (int i = 0; i < nc && !*out; i++)
        if (find_name(s, cand[i], out) != 0) return -1;
    if (tried) snprintf(tried, tsize, "%s%s%s", cand[0], nc > 2 ? " or " : "", nc > 2 ? cand[1] : "");
    return 0;
}

static int to_tensor(Match *s, const LayerSpec *l, const char *what, const WNamed *t, WTensor *wt)
{
    memset(wt, 0, sizeof *wt);
    wfile_name(wt->name, sizeof wt->name, t->name.s, t->name.n);
    if (t->type < 0)
        return err_set(s->e, "%s: %s: %s '%s' has dtype %s; only F32, F16, BF16 and F64 can be read", s->m->path,
                       l->name, what, wt->name, t->type_name);
    wt->type = (WType)t->type;
    wt->ndim = t->ndim;
    memcpy(wt->dims, t->dims, sizeof t->dims);
    wt->src = WS_RAW;
    wt->data = t->data;
    wt->nbytes = t->nbytes;
    return wfile_numel(s->m, wt, s->e);
}

/* Every layer by its names: 0 all found and checked, -1 and a message if a name is missing,
   two tensors have one name or a tensor has the wrong shape or type (*nfound: the tensors
   found by name before that). */
static int by_name(Match *s, const ArchSpec *a, WLayer *found, int *nfound)
{
    char tried[300];
    *nfound = 0;
    for (int i = 0; i < a->nlayers; i++) {
        const LayerSpec *l = &a->layers[i];
        if (!arch_has_weights(l->kind)) continue;
        for (int bias = 0; bias < 2; bias++) {
            const WNamed *t;
            if (find_tensor(s, l, bias, &t, tried, sizeof tried) != 0) return -1;
            if (!t)
                return err_set(s->e, "%s: %s: missing %s: no tensor named %s", s->m->path, l->name,
                               bias ? "bias" : "weight", tried);
            if (to_tensor(s, l, bias ? "bias" : "weight", t, bias ? &found[i].b : &found[i].w) != 0) return -1;
            ++*nfound;
        }
        found[i].has_w = found[i].has_b = 1;
        if (wfile_check(s->m, a, i, &found[i], s->e) != 0) return -1;
    }
    return 0;
}

/* The first conv's weight tensor, by a's names, if present with a's filter count. */
static int first_conv_fits(Match *s, const ArchSpec *a, int64_t *seen)
{
    int k = wfile_weighted_layer(a, 0);
    const WNamed *t = NULL;
    Err scratch; /* an ambiguous name is reported later, when the layer is loaded */
    Err *keep = s->e;
    s->e = &scratch;
    int rc = k >= 0 && find_tensor(s, &a->layers[k], 0, &t, NULL, 0) == 0 && t && t->ndim >= 1;
    s->e = keep;
    if (!rc) return 0;
    *seen = t->dims[0];
    return t->dims[0] == a->layers[k].out;
}

/* ---- by shape and order ---------------------------------------------------------------- */

static size_t common_prefix(Slice a, Slice b)
{
    size_t k = 0;
    while (k < a.n && k < b.n && a.s[k] == b.s[k]) k++;
    return k;
}

static void note_match(char *how, size_t size, const WNamed *t, const char *layer)
{
    size_t o = strlen(how);
    char nm[96];
    wfile_name(nm, sizeof nm, t->name.s, t->name.n);
    if (o + 1 < size) snprintf(how + o, size - o, "%s'%s' -> %s", o ? ", " : "", nm, layer);
}

/* The bias for the weight t[wi] of layer l: see wfile_match.h. -1 if none. */
static int pick_bias(const Match *s, const LayerSpec *l, size_t wi, const char *used)
{
    int best = -1;
    size_t score = 0;
    for (size_t j = 0; j < s->n; j++) {
        const WNamed *b = &s->t[j];
        if (used[j] || b->type < 0 || b->ndim != 1 || b->dims[0] != l->out) continue;
        size_t c = common_prefix(s->t[wi].name, b->name);
        if (best < 0 || c > score) best = (int)j, score = c;
    }
    return best;
}

/* Fills found for a by shape; how gets the matches. -1 and a message if a layer finds no
   tensor or a float tensor finds no layer. */
static int by_shape(Match *s, const ArchSpec *a, WLayer *found, char *how, size_t hsize)
{
    char *used = calloc(s->n ? s->n : 1, 1);
    if (!used) return err_set(s->e, "%s: out of memory", s->m->path);
    int rc = 0;
    how[0] = '\0';
    for (int i = 0; i < a->nlayers && rc == 0; i++) {
        const LayerSpec *l = &a->layers[i];
        if (!arch_has_weights(l->kind)) continue;
        WLayer *f = &found[i];
        memset(f, 0, sizeof *f);
        size_t j = 0;
        Err scratch;
        for (; j < s->n; j++) {
            if (used[j] || s->t[j].type < 0 || s->t[j].ndim < 2) continue;
            f->has_w = to_tensor(s, l, "weight", &s->t[j], &f->w) == 0;
            if (f->has_w && wfile_check(s->m, a, i, f, &scratch) == 0) break;
        }
        if (j == s->n) {
            long nw, nb;
            int64_t d[4];
            char want[96], tried[300];
            const WNamed *unused;
            layer_param_counts(a, i, &nw, &nb);
            wfile_shape_str(want, sizeof want, d, wfile_expected_dims(l, nw, nb, 0, d));
            find_tensor(s, l, 0, &unused, tried, sizeof tried);
            rc = err_set(s->e, "%s: %s: missing weight: no tensor is named %s, nor has its shape %s", s->m->path,
                         l->name, tried, want);
            break;
        }
        used[j] = 1;
        note_match(how, hsize, &s->t[j], l->name);
        int b = pick_bias(s, l, j, used);
        if (b >= 0 && (rc = to_tensor(s, l, "bias", &s->t[b], &f->b)) == 0) {
            used[b] = 1;
            f->has_b = 1;
            note_match(how, hsize, &s->t[b], l->name);
        }
    }
    /* every tensor has its place: nothing of the file is silently left out */
    for (size_t j = 0; j < s->n && rc == 0; j++) {
        if (used[j]) continue;
        char nm[96], sh[96];
        wfile_name(nm, sizeof nm, s->t[j].name.s, s->t[j].name.n);
        wfile_shape_str(sh, sizeof sh, s->t[j].dims, s->t[j].ndim);
        if (s->t[j].type < 0)
            rc = err_set(s->e, "%s: tensor '%s' has dtype %s; only F32, F16, BF16 and F64 can be read", s->m->path,
                         nm, s->t[j].type_name);
        else
            rc = err_set(s->e, "%s: tensor '%s' (%s) fits no layer of %s (matching by shape: the names are neither "
                               "Caffe's nor torchvision's)", s->m->path, nm, sh, a->name);
    }
    free(used);
    return rc;
}

/* ---- the arch, then the layers ------------------------------------------------------------ */

/* The arch named in the metadata if its first conv fits by name, else the first of arch_all
   whose first conv is found by name with its filter count; NULL if none (*seen: a first
   conv's filter count found by name, or -1). */
static const ArchSpec *infer_by_name(Match *s, const char *meta_arch, int64_t *seen)
{
    const ArchSpec *a = meta_arch ? arch_find(meta_arch) : NULL;
    *seen = -1;
    if (a && first_conv_fits(s, a, seen)) return a;
    for (int i = 0; arch_all[i]; i++)
        if (first_conv_fits(s, arch_all[i], seen)) return arch_all[i];
    return NULL;
}

/* The first arch of arch_all whose layers all match by shape, quietly; NULL if none. */
static const ArchSpec *infer_by_shape(Match *s, WLayer *found, char *how, size_t hsize)
{
    Err scratch;
    Err *keep = s->e;
    const ArchSpec *a = NULL;
    s->e = &scratch;
    for (int i = 0; arch_all[i] && !a; i++)
        if (by_shape(s, arch_all[i], found, how, hsize) == 0) a = arch_all[i];
    s->e = keep;
    return a;
}

/* By name; if that fails (a name missing, a shape that differs), by shape; if that fails
   too, the by-name message when some tensor was found by name, else the by-shape one. */
static int match_layers(Match *s, const ArchSpec *a, WLayer *found, char *how, size_t hsize)
{
    Err name_err;
    Err *keep = s->e;
    int nfound = 0;
    s->e = &name_err;
    int rc = by_name(s, a, found, &nfound);
    s->e = keep;
    if (rc == 0) return 0;
    memset(found, 0, (size_t)a->nlayers * sizeof *found);
    if (by_shape(s, a, found, how, hsize) == 0) return 0;
    if (nfound > 0) *s->e = name_err;
    return -1;
}

static int first_4d(const Match *s, int64_t *seen)
{
    for (size_t j = 0; j < s->n; j++)
        if (s->t[j].type >= 0 && s->t[j].ndim == 4) return (*seen = s->t[j].dims[0]), 1;
    return 0;
}

int wfile_match(const WMap *m, const ArchSpec *arch, const char *meta_arch, const WNamed *t, size_t n,
                const char *format, Weights *w, Err *e)
{
    Match s = {m, e, t, n};
    int nl = 0;
    for (int i = 0; arch_all[i]; i++) nl = arch_all[i]->nlayers > nl ? arch_all[i]->nlayers : nl;
    if (arch && arch->nlayers > nl) nl = arch->nlayers;
    WLayer *found = calloc((size_t)nl, sizeof *found);
    char how[sizeof w->match - 32]; /* after "matched by shape and order: " */
    if (!found) return err_set(e, "%s: out of memory", m->path);
    how[0] = '\0';
    int64_t seen = -1;
    int rc = -1;
    if (!arch) arch = infer_by_name(&s, meta_arch, &seen);
    if (arch) rc = match_layers(&s, arch, found, how, sizeof how);
    else if ((arch = infer_by_shape(&s, found, how, sizeof how))) rc = 0;
    else if (seen < 0 && !first_4d(&s, &seen))
        err_set(e, "%s: cannot tell the architecture: no first-conv tensor (conv1.weight, features.0.weight)",
                m->path);
    else if ((arch = wfile_infer_arch(m, seen, e)))
        rc = match_layers(&s, arch, found, how, sizeof how);
    if (rc == 0) rc = wfile_fill(m, arch, found, format, w, e);
    if (rc == 0 && how[0]) { /* how is 32 bytes shorter than match: the prefix always fits */
        static const char pre[] = "matched by shape and order: ";
        memcpy(w->match, pre, sizeof pre);
        str_copy(w->match + sizeof pre - 1, sizeof w->match - (sizeof pre - 1), how);
    }
    free(found);
    return rc;
}
