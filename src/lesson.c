/* lesson.c - parsing, checking and filling in lesson files (format in lesson.h and docs/lessons.md). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lesson.h"
#include "util.h"

const char *const lesson_panel_names[PANEL_COUNT] = {
    "maps", "input", "formula", "params", "rf", "math", "kernels", "top5",
};
_Static_assert(sizeof lesson_panel_names / sizeof lesson_panel_names[0] == PANEL_COUNT, "one name per panel");

#define LESSON_MAX_BYTES (1 << 20)

/* ---- small string helpers -------------------------------------------------------------- */

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1])) *--end = '\0';
    return s;
}

static int copy_str(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

static void pct(char *buf, size_t size, long long part, long long whole)
{
    snprintf(buf, size, "%.1f%%", whole ? 100.0 * (double)part / (double)whole : 0.0);
}

static void layer_list(const ArchSpec *a, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; i < a->nlayers; i++) {
        if (i) strncat(buf, ", ", size - strlen(buf) - 1);
        strncat(buf, a->layers[i].name, size - strlen(buf) - 1);
    }
}

/* ---- placeholders ----------------------------------------------------------------------- */

/* Parameters of the same network with every group set to 1 (the paper's single-GPU count).
   Counted layer by layer rather than with net_create: that allocates every activation
   buffer, and a lesson line full of {total.params_nogroups} made checking take minutes. */
static long long params_without_groups(const ArchSpec *a)
{
    LayerSpec ls[64];
    if (a->nlayers > 64) return 0;
    memcpy(ls, a->layers, sizeof(LayerSpec) * (size_t)a->nlayers);
    for (int i = 0; i < a->nlayers; i++)
        if (ls[i].kind == LK_CONV) ls[i].groups = 1;
    ArchSpec flat = *a;
    flat.layers = ls;
    long long p = 0;
    for (int i = 0; i < flat.nlayers; i++) {
        long nw = 0, nb = 0;
        if (arch_has_weights(ls[i].kind)) layer_param_counts(&flat, i, &nw, &nb);
        p += nw + nb;
    }
    return p;
}

static int total_field(const Net *n, const char *f, char *out, int size)
{
    char num[48];
    int conv = 0, fcs = 0;
    long long conv_macs = 0, fc_params = 0;
    for (int i = 0; i < n->nlayers; i++) {
        const LayerRun *r = &n->layers[i];
        if (r->spec->kind == LK_CONV) conv++, conv_macs += r->macs;
        if (r->spec->kind == LK_FC) fcs++, fc_params += r->nw + r->nb;
    }
    if (!strcmp(f, "params")) fmt_count(out, (size_t)size, n->total_params);
    else if (!strcmp(f, "macs")) fmt_count(out, (size_t)size, n->total_macs);
    else if (!strcmp(f, "params_millions")) snprintf(out, (size_t)size, "%.1f million", n->total_params / 1e6);
    else if (!strcmp(f, "params_nogroups")) fmt_count(out, (size_t)size, params_without_groups(n->arch));
    else if (!strcmp(f, "conv")) snprintf(out, (size_t)size, "%d", conv);
    else if (!strcmp(f, "fc")) snprintf(out, (size_t)size, "%d", fcs);
    else if (!strcmp(f, "layers")) snprintf(out, (size_t)size, "%d", n->nlayers);
    else if (!strcmp(f, "conv_macs_pct")) pct(out, (size_t)size, conv_macs, n->total_macs);
    else if (!strcmp(f, "fc_params_pct")) pct(out, (size_t)size, fc_params, n->total_params);
    else if (!strcmp(f, "act_bytes")) snprintf(out, (size_t)size, "%.1f MiB", n->total_act_bytes / 1048576.0);
    else return -1;
    (void)num;
    return 0;
}

static int layer_field(const Net *n, int i, const char *f, char *out, int size)
{
    const LayerRun *r = &n->layers[i];
    const LayerSpec *l = r->spec;
    size_t sz = (size_t)size;
    int sized = r->has_size;
    if (!strcmp(f, "name")) snprintf(out, sz, "%s", l->name);
    else if (!strcmp(f, "kind")) snprintf(out, sz, "%s", layer_kind_names[l->kind]);
    else if (!strcmp(f, "in_shape")) shape_hwc(r->in, out, sz);
    else if (!strcmp(f, "out_shape")) shape_hwc(r->out, out, sz);
    else if (!strcmp(f, "in_c")) snprintf(out, sz, "%d", r->in.c);
    else if (!strcmp(f, "in_h")) snprintf(out, sz, "%d", r->in.h);
    else if (!strcmp(f, "out_c")) snprintf(out, sz, "%d", r->out.c);
    else if (!strcmp(f, "out_h")) snprintf(out, sz, "%d", r->out.h);
    else if (!strcmp(f, "out_count")) fmt_count(out, sz, (long long)r->out.c * r->out.h * r->out.w);
    else if (!strcmp(f, "in_count")) fmt_count(out, sz, (long long)r->in.c * r->in.h * r->in.w);
    else if (!strcmp(f, "k") && sized) snprintf(out, sz, "%d", l->k);
    else if (!strcmp(f, "stride") && sized) snprintf(out, sz, "%d", l->stride);
    else if (!strcmp(f, "pad") && sized) snprintf(out, sz, "%d", l->pad);
    else if (!strcmp(f, "groups") && l->kind == LK_CONV) snprintf(out, sz, "%d", l->groups);
    else if (!strcmp(f, "unit_macs") && l->kind == LK_CONV)
        fmt_count(out, sz, (long long)l->k * l->k * (r->in.c / l->groups));
    else if (!strcmp(f, "group_in_c") && l->kind == LK_CONV) snprintf(out, sz, "%d", r->in.c / l->groups);
    else if (!strcmp(f, "kernel") && l->kind == LK_CONV)
        snprintf(out, sz, "%d×%d×%d", l->k, l->k, r->in.c / l->groups);
    else if (!strcmp(f, "formula") && sized) snprintf(out, sz, "%s", r->size.nopad);
    else if (!strcmp(f, "formula_padded") && sized) snprintf(out, sz, "%s", r->size.padded);
    else if (!strcmp(f, "rounding") && sized) snprintf(out, sz, "%s", r->size.rounding[0] ? r->size.rounding : "it divides exactly");
    else if (!strcmp(f, "weights")) fmt_count(out, sz, r->nw);
    else if (!strcmp(f, "biases")) fmt_count(out, sz, r->nb);
    else if (!strcmp(f, "params")) fmt_count(out, sz, r->nw + r->nb);
    else if (!strcmp(f, "params_expr") && r->params_expr[0]) snprintf(out, sz, "%s", r->params_expr);
    else if (!strcmp(f, "params_running")) fmt_count(out, sz, r->params_running);
    else if (!strcmp(f, "params_pct")) pct(out, sz, r->nw + r->nb, n->total_params);
    else if (!strcmp(f, "macs")) fmt_count(out, sz, r->macs);
    else if (!strcmp(f, "macs_pct")) pct(out, sz, r->macs, n->total_macs);
    else if (!strcmp(f, "act_bytes")) snprintf(out, sz, "%.1f KiB", r->act_bytes / 1024.0);
    else if (!strcmp(f, "rf") && r->rf > 0) snprintf(out, sz, "%d×%d", r->rf, r->rf);
    else if (!strcmp(f, "rf_jump") && r->rf > 0) snprintf(out, sz, "%d", r->rf_jump);
    else if (!strcmp(f, "lrn_n") && l->kind == LK_LRN) snprintf(out, sz, "%d", l->lrn_n);
    else if (!strcmp(f, "alpha") && l->kind == LK_LRN) snprintf(out, sz, "%g", l->lrn_alpha);
    else if (!strcmp(f, "beta") && l->kind == LK_LRN) snprintf(out, sz, "%g", l->lrn_beta);
    else if (!strcmp(f, "lrn_k") && l->kind == LK_LRN) snprintf(out, sz, "%g", l->lrn_k);
    else if (!strcmp(f, "ratio") && l->kind == LK_DROPOUT) snprintf(out, sz, "%g", l->drop_ratio);
    else if (!strcmp(f, "min") || !strcmp(f, "max") || !strcmp(f, "mean") || !strcmp(f, "zero_pct") || !strcmp(f, "ms")) {
        if (!r->computed) snprintf(out, sz, "(not computed yet)");
        else if (!strcmp(f, "min")) snprintf(out, sz, "%.4g", r->min);
        else if (!strcmp(f, "max")) snprintf(out, sz, "%.4g", r->max);
        else if (!strcmp(f, "mean")) snprintf(out, sz, "%.4g", r->mean);
        else if (!strcmp(f, "zero_pct")) snprintf(out, sz, "%.1f%%", 100.0 * r->zero_frac);
        else snprintf(out, sz, "%.1f ms", r->ms);
    } else
        return -1;
    return 0;
}

/* {topN.label} / {topN.prob} / {topN.index}, N = 1..5 */
static int top_field(const Net *n, const Labels *lb, int rank, const char *f, char *out, int size)
{
    if (strcmp(f, "label") && strcmp(f, "prob") && strcmp(f, "index")) return -1;
    int count = 0;
    const float *p = net_output(n, &count);
    if (!p) {
        snprintf(out, (size_t)size, "(not computed yet)");
        return 0;
    }
    int idx[5];
    topk(p, count, rank, idx);
    int c = idx[rank - 1];
    char name[128];
    if (!strcmp(f, "label")) snprintf(out, (size_t)size, "%s", labels_name(lb, c, name, sizeof name));
    else if (!strcmp(f, "prob")) snprintf(out, (size_t)size, "%.1f%%", 100.0 * p[c]);
    else snprintf(out, (size_t)size, "%d", c);
    return 0;
}

/* {size:N,F,P,S} - the output-size formula for any numbers, e.g. {size:224,11,0,4};
   {rounding:N,F,P,S} - how floor and ceil resolve it when it does not divide. */
static int size_field(const char *args, int rounding, char *out, int size, Err *e)
{
    /* strtol, not sscanf's %d: %d is undefined on overflow and glibc wraps, so
       {size:4294967520,11,0,4} used to be accepted as 224. */
    const char *what = rounding ? "rounding" : "size";
    int v[4];
    const char *p = args;
    for (int i = 0; i < 4; i++) {
        if (i && *p++ != ',') return err_set(e, "{%s:...} takes four numbers n,f,p,s, e.g. {%s:224,11,0,4}", what, what);
        char *end;
        errno = 0;
        long x = strtol(p, &end, 10);
        if (end == p) return err_set(e, "{%s:...} takes four numbers n,f,p,s, e.g. {%s:224,11,0,4}", what, what);
        if (errno || x < (i == 2 ? 0 : 1) || x > 100000)
            return err_set(e, "{%s:%s}: n, f and s must be 1..100000 and p 0..100000", what, args);
        v[i] = (int)x;
        p = end;
    }
    if (*p) return err_set(e, "{%s:...} takes four numbers n,f,p,s, e.g. {%s:224,11,0,4}", what, what);
    LayerSpec l = {.kind = LK_CONV, .name = "size", .k = v[1], .pad = v[2], .stride = v[3], .groups = 1};
    SizeCalc c;
    size_calc(&l, v[0], &c);
    if (rounding) snprintf(out, (size_t)size, "%s", c.rounding[0] ? c.rounding : "it divides exactly");
    else snprintf(out, (size_t)size, "%s", v[2] ? c.padded : c.nopad);
    return 0;
}

/* Nets of other architectures for {lenet5:...} placeholders, made once per lesson check or
   narration rather than once per placeholder: net_create allocates every activation buffer,
   so a lesson made of such placeholders (or of nested {alexnet:alexnet:...}) used to take
   minutes to check. The nets are never run; only their structure is read. */
#define NET_CACHE_SIZE 8
typedef struct {
    Net *net[NET_CACHE_SIZE];
    int count;
} NetCache;

static void net_cache_free(NetCache *nc)
{
    for (int i = 0; i < nc->count; i++) net_free(nc->net[i]);
    nc->count = 0;
}

/* A weightless net of a from the cache; *temp is set when the cache was full and the
   caller must free it. */
static Net *net_cache_get(NetCache *nc, const ArchSpec *a, int *temp, Err *e)
{
    *temp = 0;
    for (int i = 0; i < nc->count; i++)
        if (nc->net[i]->arch == a) return nc->net[i];
    Net *n = net_create(a, NULL, e);
    if (!n) return NULL;
    if (nc->count < NET_CACHE_SIZE) nc->net[nc->count++] = n;
    else *temp = 1;
    return n;
}

static int placeholder(const char *name, const Net *n, const Labels *lb, NetCache *nc, char *out, int size, Err *e)
{
    char buf[128];
    if (copy_str(buf, sizeof buf, name)) return err_set(e, "placeholder too long");
    if (!strncmp(buf, "size:", 5)) return size_field(buf + 5, 0, out, size, e);
    if (!strncmp(buf, "rounding:", 9)) return size_field(buf + 9, 1, out, size, e);

    /* "lenet5:conv1.params" reads another architecture's structure */
    char *colon = strchr(buf, ':');
    if (colon) {
        *colon = '\0';
        const ArchSpec *a = arch_find(buf);
        if (!a) return err_set(e, "unknown architecture '%s' in {%s} (known: alexnet, alexnet-tv, lenet5)", buf, name);
        int temp;
        Net *other = net_cache_get(nc, a, &temp, e);
        if (!other) return -1;
        int rc = placeholder(colon + 1, other, NULL, nc, out, size, e);
        if (temp) net_free(other);
        return rc;
    }
    char *dot = strchr(buf, '.');
    if (!dot) return err_set(e, "unknown placeholder {%s}: write {layer.field}, {total.field} or {size:n,f,p,s}", name);
    *dot = '\0';
    const char *obj = buf, *field = dot + 1;
    if (!strcmp(obj, "total")) {
        if (total_field(n, field, out, size) == 0) return 0;
        return err_set(e, "unknown field '%s' in {%s} (known: params, macs, params_millions, params_nogroups, conv, fc, "
                          "layers, conv_macs_pct, fc_params_pct, act_bytes)", field, name);
    }
    if (!strcmp(obj, "input")) {
        Shape s = n->arch->input;
        if (!strcmp(field, "shape")) shape_hwc(s, out, (size_t)size);
        else if (!strcmp(field, "size")) snprintf(out, (size_t)size, "%d", s.h);
        else if (!strcmp(field, "c")) snprintf(out, (size_t)size, "%d", s.c);
        else if (!strcmp(field, "count")) fmt_count(out, (size_t)size, (long long)s.c * s.h * s.w);
        else return err_set(e, "unknown field '%s' in {%s} (known: shape, size, c, count)", field, name);
        return 0;
    }
    if (!strcmp(obj, "arch")) {
        if (!strcmp(field, "name")) snprintf(out, (size_t)size, "%s", n->arch->name);
        else if (!strcmp(field, "title")) snprintf(out, (size_t)size, "%s", n->arch->title);
        else return err_set(e, "unknown field '%s' in {%s} (known: name, title)", field, name);
        return 0;
    }
    if (!strncmp(obj, "top", 3) && obj[3] >= '1' && obj[3] <= '5' && !obj[4]) {
        if (top_field(n, lb, obj[3] - '0', field, out, size) == 0) return 0;
        return err_set(e, "unknown field '%s' in {%s} (known: label, prob, index)", field, name);
    }
    int i = arch_layer_index(n->arch, obj);
    if (i < 0) {
        char known[512];
        layer_list(n->arch, known, sizeof known);
        return err_set(e, "unknown layer '%s' in {%s} (known: %s, total, input, arch, top1..top5)", obj, name, known);
    }
    if (layer_field(n, i, field, out, size) == 0) return 0;
    return err_set(e, "'%s' is not a field of %s layer %s in {%s} (see docs/lessons.md for the list)", field,
                   layer_kind_names[n->arch->layers[i].kind], obj, name);
}

int lesson_placeholder(const char *name, const Net *n, const Labels *lb, char *out, int size, Err *e)
{
    if (!name || !n || !out || size <= 0) return err_set(e, "placeholder: bad arguments");
    NetCache nc = {0};
    int rc = placeholder(name, n, lb, &nc, out, size, e);
    net_cache_free(&nc);
    return rc;
}

/* Expands text into out. check_only: expand into a scratch buffer just to find errors.
   On error, *bad_offset is where the failing placeholder starts. */
static int expand(const char *text, const Net *n, const Labels *lb, NetCache *nc, char *out, int size,
                  int *bad_offset, Err *e)
{
    int o = 0;
    for (const char *p = text; *p;) {
        if (*p == '{') {
            /* "{{" is a literal brace; tested before looking for a '}', which it does not need */
            if (p[1] == '{') {
                if (o + 1 < size) out[o++] = '{';
                p += 2;
                continue;
            }
            const char *end = strchr(p, '}');
            if (!end || end - p - 1 >= 128 || memchr(p + 1, '\n', (size_t)(end - p - 1))) {
                *bad_offset = (int)(p - text);
                return err_set(e, "'{' without a matching '}' on the same line (write {{ for a literal brace)");
            }
            char name[128], val[512];
            memcpy(name, p + 1, (size_t)(end - p - 1));
            name[end - p - 1] = '\0';
            if (placeholder(trim(name), n, lb, nc, val, sizeof val, e) != 0) {
                *bad_offset = (int)(p - text);
                return -1;
            }
            for (const char *v = val; *v && o + 1 < size; v++) out[o++] = *v;
            p = end + 1;
        } else if (*p == '}' && p[1] == '}') {
            if (o + 1 < size) out[o++] = '}';
            p += 2;
        } else {
            if (o + 1 < size) out[o++] = *p;
            p++;
        }
    }
    out[o < size ? o : size - 1] = '\0';
    return 0;
}

int lesson_narration(const Lesson *ls, int s, const Net *n, const Labels *lb, char *out, int size, Err *e)
{
    if (s < 0 || s >= ls->nsteps) return err_set(e, "%s: no step %d", ls->path, s + 1);
    if (!n || !out || size <= 0) return err_set(e, "%s: step %d: no net or no room for the narration", ls->path, s + 1);
    int bad = 0;
    NetCache nc = {0};
    Err why = {0}; /* a local Err: e may be NULL */
    int rc = expand(ls->steps[s].narration ? ls->steps[s].narration : "", n, lb, &nc, out, size, &bad, &why);
    net_cache_free(&nc);
    if (rc != 0) return err_set(e, "%s: step %d: %s", ls->path, s + 1, why.msg);
    return 0;
}

/* ---- parsing ------------------------------------------------------------------------------- */

typedef struct {
    const char *path;
    int line;
    Err *e;
    NetCache nets; /* for {arch:...} placeholders, shared by every line */
} Ctx;

static int perr(Ctx *c, const char *fmt, const char *a, const char *b)
{
    char what[400];
    snprintf(what, sizeof what, fmt, a, b);
    return err_set(c->e, "%s:%d: %s", c->path, c->line, what);
}

static int parse_int_in(const char *s, int lo, int hi, int *v)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (errno || end == s || *trim(end) || x < lo || x > hi) return -1;
    *v = (int)x;
    return 0;
}

static int parse_onoff(const char *v, const char *on, const char *off, int *out)
{
    if (!strcmp(v, on)) *out = 1;
    else if (!strcmp(v, off)) *out = 0;
    else return -1;
    return 0;
}

static void step_defaults(LessonStep *s, int line)
{
    memset(s, 0, sizeof *s);
    s->line = line;
    s->layer = -1;
    s->panel = PANEL_MAPS;
    s->channel = s->unit_y = s->unit_x = -1;
    s->mirror = s->dropout_train = -1;
    s->crop_seed = -1;
}

static int header_line(Ctx *c, Lesson *ls, const char *key, const char *val)
{
    if (!strcmp(key, "title")) return copy_str(ls->title, sizeof ls->title, val) ? perr(c, "title is too long%s%s", "", "") : 0;
    if (!strcmp(key, "image")) return copy_str(ls->image, sizeof ls->image, val) ? perr(c, "image path is too long%s%s", "", "") : 0;
    if (!strcmp(key, "weights"))
        return copy_str(ls->weights, sizeof ls->weights, val) ? perr(c, "weights path is too long%s%s", "", "") : 0;
    if (!strcmp(key, "arch")) {
        ls->arch = arch_find(val);
        return ls->arch ? 0 : perr(c, "unknown arch '%s' (known: alexnet, alexnet-tv, lenet5)%s", val, "");
    }
    return perr(c, "unknown header '%s' (known: title, arch, image, weights)%s", key, "");
}

/* n: the parse's weightless net of ls->arch, for checking channels and units (made once:
   net_create per 'channel:' line made a lesson of them take a minute to check). */
static int step_line(Ctx *c, Lesson *ls, const Net *n, LessonStep *s, const char *key, const char *val)
{
    const ArchSpec *a = ls->arch;
    if (!strcmp(key, "layer")) {
        if (!strcmp(val, "input")) {
            s->layer = -1;
            return 0;
        }
        s->layer = arch_layer_index(a, val);
        if (s->layer >= 0) return 0;
        char known[512];
        layer_list(a, known, sizeof known);
        return perr(c, "unknown layer '%s' (known: input, %s)", val, known);
    }
    if (!strcmp(key, "panel")) {
        for (int p = 0; p < PANEL_COUNT; p++)
            if (!strcmp(val, lesson_panel_names[p])) {
                s->panel = (LessonPanel)p;
                return 0;
            }
        return perr(c, "unknown panel '%s' (known: maps, input, formula, params, rf, math, kernels, top5)%s", val, "");
    }
    if (!strcmp(key, "channel") || !strcmp(key, "unit")) {
        if (s->layer < 0) return perr(c, "'%s' needs a 'layer:' line before it%s", key, "");
        Shape out = n->layers[s->layer].out;
        char range[64];
        if (!strcmp(key, "channel")) {
            snprintf(range, sizeof range, "0..%d", out.c - 1);
            if (parse_int_in(val, 0, out.c - 1, &s->channel)) return perr(c, "channel '%s' is not in %s", val, range);
            return 0;
        }
        /* strtol, not sscanf's %d, which is undefined on overflow (glibc wraps 4294967296 to 0);
           an out-of-range strtol gives LONG_MAX/MIN, which the range check refuses. */
        char *end;
        const char *q = val;
        long y = strtol(q, &end, 10), x = 0;
        int ok = end != q;
        if (ok) {
            q = end;
            x = strtol(q, &end, 10);
            ok = end != q && !*trim(end);
        }
        if (!ok) return perr(c, "unit takes a row and a column, e.g. 'unit: 13 20', not '%s'%s", val, "");
        if (y < 0 || y >= out.h || x < 0 || x >= out.w) {
            snprintf(range, sizeof range, "%d×%d", out.h, out.w);
            return perr(c, "unit '%s' is outside the %s output", val, range);
        }
        if (s->channel < 0) s->channel = 0;
        s->unit_y = (int)y, s->unit_x = (int)x;
        return 0;
    }
    if (!strcmp(key, "mirror"))
        return parse_onoff(val, "on", "off", &s->mirror) ? perr(c, "mirror is on or off, not '%s'%s", val, "") : 0;
    if (!strcmp(key, "dropout"))
        return parse_onoff(val, "train", "eval", &s->dropout_train) ? perr(c, "dropout is train or eval, not '%s'%s", val, "") : 0;
    if (!strcmp(key, "crop")) {
        if (!strcmp(val, "center") || !strcmp(val, "centre")) {
            s->crop_seed = -1;
            return 0;
        }
        if (!strncmp(val, "random ", 7) && parse_int_in(val + 7, 0, 1000000, &s->crop_seed) == 0) return 0;
        return perr(c, "crop is 'center' or 'random SEED', not '%s'%s", val, "");
    }
    if (!strcmp(key, "image")) return copy_str(s->image, sizeof s->image, val) ? perr(c, "image path is too long%s%s", "", "") : 0;
    return perr(c, "unknown directive '%s' (known: layer, panel, channel, unit, mirror, dropout, crop, image)%s", key, "");
}

/* A directive is "word: value" where word is lower-case letters only; anything else is narration. */
static int split_directive(char *line, char **key, char **val)
{
    char *p = line;
    while (*p >= 'a' && *p <= 'z') p++;
    if (p == line || *p != ':') return 0;
    *p = '\0';
    *key = line;
    *val = trim(p + 1);
    return 1;
}

/* The step's narration so far: its length and allocated size are kept by the parser, so
   a 1 MiB step of one-word lines is not re-measured and re-copied for every line. */
typedef struct {
    size_t len, cap;
} NarrBuf;

static int append_narration(LessonStep *s, NarrBuf *nb, const char *text, int new_paragraph)
{
    size_t old = s->narration ? nb->len : 0, add = strlen(text);
    if (!s->narration || old + add + 3 > nb->cap) {
        size_t cap = (old + add + 3) * 2;
        char *p = realloc(s->narration, cap);
        if (!p) return -1;
        s->narration = p;
        nb->cap = cap;
    }
    char *p = s->narration;
    if (old) {
        if (new_paragraph) p[old++] = '\n', p[old++] = '\n';
        else p[old++] = ' ';
    }
    memcpy(p + old, text, add + 1);
    nb->len = old + add;
    return 0;
}

/* Checks every placeholder of one narration line against a weightless net of the arch. */
static int check_placeholders(Ctx *c, const Net *n, const char *text)
{
    char scratch[8192];
    int bad = 0;
    Err pe = {0};
    if (expand(text, n, NULL, &c->nets, scratch, sizeof scratch, &bad, &pe) == 0) return 0;
    return err_set(c->e, "%s:%d: %s", c->path, c->line, pe.msg);
}

int lesson_parse(const char *text, const char *path, Lesson *ls, Err *e)
{
    memset(ls, 0, sizeof *ls);
    snprintf(ls->path, sizeof ls->path, "%s", path);
    ls->arch = &arch_alexnet;
    snprintf(ls->image, sizeof ls->image, "samples/chelsea.png");
    Ctx c = {path, 0, e, {{0}, 0}};
    Net *n = NULL;
    LessonStep *s = NULL;
    NarrBuf nb = {0, 0};
    int blank_before = 0, in_directives = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        c.line++;
        char raw[2048];
        if (len >= sizeof raw) { perr(&c, "line is longer than %s characters%s", "2047", ""); goto fail; }
        memcpy(raw, p, len);
        raw[len] = '\0';
        p += len + (nl ? 1 : 0);
        char *line = trim(raw);

        if (line[0] == '#') continue;
        if (!line[0]) { blank_before = 1; continue; }
        if (!strncmp(line, "---", 3)) {
            if (ls->nsteps == LESSON_MAX_STEPS) { perr(&c, "more than %s steps%s", "64", ""); goto fail; }
            if (!n && !(n = net_create(ls->arch, NULL, e))) goto fail;
            s = &ls->steps[ls->nsteps++];
            step_defaults(s, c.line);
            nb = (NarrBuf){0, 0};
            char *title = trim(line + 3);
            if (!title[0]) { perr(&c, "a step needs a title after '---'%s%s", "", ""); goto fail; }
            if (copy_str(s->title, sizeof s->title, title)) { perr(&c, "step title is too long%s%s", "", ""); goto fail; }
            in_directives = 1, blank_before = 0;
            continue;
        }
        char *key, *val;
        if (!s) {
            if (!split_directive(line, &key, &val)) {
                perr(&c, "expected 'title:', 'arch:', 'image:' or a step ('--- Step title'), not '%.60s'%s", line, "");
                goto fail;
            }
            if (header_line(&c, ls, key, val)) goto fail;
            continue;
        }
        if (in_directives && split_directive(line, &key, &val)) {
            if (step_line(&c, ls, n, s, key, val)) goto fail;
            continue;
        }
        in_directives = 0;
        if (check_placeholders(&c, n, line)) goto fail;
        if (append_narration(s, &nb, line, blank_before)) { perr(&c, "out of memory%s%s", "", ""); goto fail; }
        blank_before = 0;
    }
    if (!ls->title[0]) { c.line = 1; perr(&c, "the lesson has no 'title:' line%s%s", "", ""); goto fail; }
    if (!ls->nsteps) { perr(&c, "the lesson has no steps (a step starts with '--- Step title')%s%s", "", ""); goto fail; }
    for (int i = 0; i < ls->nsteps; i++)
        if (!ls->steps[i].narration) {
            c.line = ls->steps[i].line;
            perr(&c, "step '%s' has no narration%s", ls->steps[i].title, "");
            goto fail;
        }
    net_free(n);
    net_cache_free(&c.nets);
    return 0;
fail:
    net_free(n);
    net_cache_free(&c.nets);
    lesson_free(ls);
    return -1;
}

int lesson_load(const char *path, Lesson *ls, Err *e)
{
    memset(ls, 0, sizeof *ls);
    struct stat st;
    if (stat(path, &st) != 0) return err_set(e, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) return err_set(e, "%s: is a directory, not a lesson file", path);
    if (st.st_size > LESSON_MAX_BYTES) return err_set(e, "%s: %lld bytes is too big for a lesson (limit 1 MiB)", path, (long long)st.st_size);
    FILE *f = fopen(path, "rb");
    if (!f) return err_set(e, "%s: %s", path, strerror(errno));
    char *text = malloc((size_t)st.st_size + 1);
    size_t got = text ? fread(text, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!text) return err_set(e, "%s: out of memory", path);
    text[got] = '\0';
    if (memchr(text, '\0', got)) {
        free(text);
        return err_set(e, "%s: is a binary file, not a lesson", path);
    }
    int rc = lesson_parse(text, path, ls, e);
    free(text);
    return rc;
}

void lesson_free(Lesson *ls)
{
    for (int i = 0; i < ls->nsteps; i++) {
        free(ls->steps[i].narration);
        ls->steps[i].narration = NULL;
    }
    ls->nsteps = 0;
}
